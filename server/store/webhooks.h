/*
 * webhooks.h - webhook registrations and their delivery outbox. Alert
 * evaluation (rules.h) writes webhook_deliveries rows in its own
 * transaction; the sender thread claims due rows here, posts them with no
 * database connection held, and records the outcome.
 */
#ifndef MUSTER_STORE_WEBHOOKS_H
#define MUSTER_STORE_WEBHOOKS_H

#include <stddef.h>

#include "inventory_reads.h"   /* store_page */
#include "store.h"

/* Register a webhook (url already validated; secret may be NULL).
 * *json: {"id","url","has_secret","created_at"} (malloc'd). */
int store_webhook_create(db_conn *c, const store_actor *who, const char *url,
			 const char *secret, char **json);
/* The live webhooks: {"items":[...],"next":null}; secrets never leave. */
int store_webhook_list(db_conn *c, char **json);
/* Delete (soft: deleted_at) a live webhook; its pending deliveries are
 * no longer sent. STORE_ERR_NOTFOUND when there is no live webhook id. */
int store_webhook_delete(db_conn *c, const store_actor *who, long long id);
/* Deliveries of a webhook (live or deleted), one page by id:
 * {"items":[{"id","alert_id","event","status","attempts","next_attempt_at",
 *  "last_error","delivered_at"}],"next":...}. NOTFOUND for an unknown id. */
int store_webhook_deliveries(db_conn *c, long long id, const store_page *p, char **json);

/* One claimed delivery; strings are malloc'd (store_deliveries_free). */
typedef struct store_delivery {
	long long id;
	long long webhook_id;
	int attempts;             /* including this one */
	char *url;
	char *secret;             /* NULL when the webhook has none */
	char *event;
	char *payload;            /* the JSON body to send */
} store_delivery;

/*
 * Claim up to max due deliveries (pending, next_attempt_at passed, webhook
 * live), at most one per webhook, oldest first, with SELECT ... FOR
 * UPDATE SKIP LOCKED so that concurrent senders never take the same row.
 * A claim is a lease: attempts is counted and next_attempt_at moves
 * lease_seconds ahead, so a sender that dies mid-way only delays the row.
 * *out (malloc'd array of *n) is NULL when nothing is due.
 */
int store_deliveries_claim(db_conn *c, int max, int lease_seconds,
			   store_delivery **out, size_t *n);
void store_deliveries_free(store_delivery *d, size_t n);

/* Give back a claimed delivery that was not attempted (the sender is
 * stopping): due again at once, the attempt not counted. */
int store_delivery_release(db_conn *c, long long id);
/* The receiver accepted delivery id. */
int store_delivery_delivered(db_conn *c, long long id);
/*
 * Delivery id failed with error (kept, truncated): after max_attempts it
 * becomes 'failed'; otherwise it is due again in backoff_seconds *
 * 2^(attempts - 1) seconds, and the webhook's other pending deliveries wait
 * at least as long (a dead receiver costs one timeout per round, not one
 * per delivery).
 */
int store_delivery_retry(db_conn *c, long long id, const char *error,
			 int max_attempts, int backoff_seconds);

#endif
