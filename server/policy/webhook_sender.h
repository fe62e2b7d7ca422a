/*
 * webhook_sender.h - the thread that delivers the webhook outbox. Alert
 * evaluation writes webhook_deliveries rows in its own transaction; this
 * thread claims due rows (a lease, so several servers never send the same
 * row at once), POSTs each JSON payload with a short timeout, signs it
 * with HMAC-SHA256 when the webhook has a secret
 * (X-Muster-Signature: sha256=<hex>), and records delivery or schedules a
 * retry with exponential backoff. It holds a database connection only
 * while claiming or recording, never while waiting on the network, so a
 * dead or hanging receiver cannot slow ingest.
 */
#ifndef MUSTER_WEBHOOK_SENDER_H
#define MUSTER_WEBHOOK_SENDER_H

#include <stddef.h>

#include "../store/store.h"

#define WEBHOOK_TIMEOUT_MS 5000     /* wait for the receiver's answer */
#define WEBHOOK_MAX_ATTEMPTS 8      /* then the delivery is 'failed' */
#define WEBHOOK_BACKOFF_SECONDS 10  /* retry after 10 s * 2^(attempts - 1) */
#define WEBHOOK_SIGNATURE_MAX 72    /* "sha256=" + 64 hex + NUL */

typedef struct webhook_sender webhook_sender;

/*
 * Start the sender thread over pool (which must outlive it) and take a
 * reference on the civetweb library for its client connections. Returns
 * NULL when the thread could not start (logged).
 */
webhook_sender *webhook_sender_start(db_pool *pool);

/* Stop: wait for a send in progress (at most the connect and answer
 * timeouts), join, release the library reference and free. NULL is
 * accepted. */
void webhook_sender_stop(webhook_sender *s);

/* The X-Muster-Signature value for body under secret:
 * "sha256=<hex HMAC-SHA256>" into out. 0, or -1 when HMAC failed. */
int webhook_sender_sign(const char *secret, const char *body, size_t len,
			char out[WEBHOOK_SIGNATURE_MAX]);

#endif
