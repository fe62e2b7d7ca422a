/*
 * webhooks.c - webhook registrations and the delivery outbox
 * (webhooks.h).
 */
#include "webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/parse.h"
#include "db.h"

#define TS(col) "muster_rules_ts(" col ")"
#define ERROR_KEEP 500   /* characters of a delivery error kept */

static int one_json(db_conn *c, const char *sql, int n, const char *const *params, char **json)
{
	PGresult *r;
	int rc = db_exec(c, &r, sql, n, params);

	if (rc)
		return rc;
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
		PQclear(r);
		return STORE_ERR_NOTFOUND;
	}
	*json = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return *json ? STORE_OK : STORE_ERR_INTERNAL;
}

#define WEBHOOK_OBJ(w) \
	"json_build_object('id', " w ".id, 'url', " w ".url, 'has_secret', " w ".secret IS NOT NULL," \
	" 'created_at', " TS(w ".created_at") ")"

struct webhook_create {
	const store_actor *who;
	const char *url, *secret;
	char *json;
};

static int webhook_create_tx(db_conn *c, void *payload)
{
	struct webhook_create *w = payload;
	const char *params[] = {w->url, w->secret};

	int rc;

	free(w->json);
	w->json = NULL;
	rc = one_json(c, "WITH ins AS (INSERT INTO webhooks (url, secret) VALUES ($1, $2) RETURNING *)"
			 " SELECT " WEBHOOK_OBJ("ins") "::text FROM ins", 2, params, &w->json);
	if (rc)
		return rc;
	return store_audit(c, w->who, "webhook.create", w->json);
}

int store_webhook_create(db_conn *c, const store_actor *who, const char *url,
			 const char *secret, char **json)
{
	struct webhook_create w = {who, url, secret, NULL};
	int rc = db_transaction(c, webhook_create_tx, &w);

	if (rc) {
		free(w.json);
		return rc;
	}
	*json = w.json;
	return STORE_OK;
}

int store_webhook_list(db_conn *c, char **json)
{
	return one_json(c, "SELECT json_build_object('items', coalesce(json_agg(" WEBHOOK_OBJ("w")
			   " ORDER BY w.id), '[]'::json), 'next', NULL)::text"
			   " FROM webhooks w WHERE w.deleted_at IS NULL", 0, NULL, json);
}

int store_webhook_delete(db_conn *c, const store_actor *who, long long id)
{
	return store_end_by_id(c, who, "UPDATE webhooks SET deleted_at = now() WHERE id = $1::bigint"
				       " AND deleted_at IS NULL RETURNING id", id, "webhook.delete");
}

int store_webhook_deliveries(db_conn *c, long long id, const store_page *p, char **json)
{
	char lim[32], cur[32], wid[32];
	const char *params[3];
	long long v = 0;

	if (p->cursor && *p->cursor && parse_int_range(p->cursor, 0, 9007199254740992LL, &v))
		return STORE_ERR_INVALID;
	snprintf(lim, sizeof(lim), "%lld", p->limit);
	snprintf(cur, sizeof(cur), "%lld", v);
	snprintf(wid, sizeof(wid), "%lld", id);
	params[0] = lim;
	params[1] = cur;
	params[2] = wid;
	return one_json(c,
		"WITH page AS (SELECT d.id AS k, json_build_object('id', d.id, 'alert_id', d.alert_id,"
		"   'event', d.event, 'status', d.status, 'attempts', d.attempts,"
		"   'next_attempt_at', CASE WHEN d.status = 'pending' THEN " TS("d.next_attempt_at") " END,"
		"   'last_error', d.last_error, 'delivered_at', " TS("d.delivered_at") ") AS obj"
		"  FROM webhook_deliveries d WHERE d.webhook_id = $3::bigint AND d.id > $2::bigint"
		"  ORDER BY d.id LIMIT $1::int + 1), lim AS (SELECT $1::int AS n)"
		" SELECT json_build_object('items', coalesce((SELECT json_agg(obj ORDER BY k)"
		"   FROM (SELECT * FROM page ORDER BY k LIMIT (SELECT n FROM lim)) x), '[]'::json),"
		"  'next', CASE WHEN (SELECT count(*) FROM page) > (SELECT n FROM lim)"
		"   THEN (SELECT max(k)::text FROM (SELECT k FROM page ORDER BY k LIMIT (SELECT n FROM lim)) y) END)::text"
		" FROM webhooks w WHERE w.id = $3::bigint", 3, params, json);
}

void store_deliveries_free(store_delivery *d, size_t n)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < n; i++) {
		free(d[i].url);
		free(d[i].secret);
		free(d[i].event);
		free(d[i].payload);
	}
	free(d);
}

/* strdup that keeps NULL as NULL; *fail is set when a copy fails. */
static char *dup_or_null(const char *s, int *fail)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		*fail = 1;
	return p;
}

int store_deliveries_claim(db_conn *c, int max, int lease_seconds,
			   store_delivery **out, size_t *n)
{
	char lim[16], lease[16];
	const char *params[] = {lim, lease};
	store_delivery *d = NULL;
	PGresult *r;
	int rc, i, rows, fail = 0;

	*out = NULL;
	*n = 0;
	snprintf(lim, sizeof(lim), "%d", max);
	snprintf(lease, sizeof(lease), "%d", lease_seconds);
	/* one statement, so one implicit transaction: the row locks of
	 * SKIP LOCKED last until the lease is written */
	rc = db_exec(c, &r,
		"WITH due AS (SELECT DISTINCT ON (d.webhook_id) d.id FROM webhook_deliveries d"
		"   JOIN webhooks w ON w.id = d.webhook_id AND w.deleted_at IS NULL"
		"   WHERE d.status = 'pending' AND d.next_attempt_at <= now()"
		"   ORDER BY d.webhook_id, d.id),"
		" pick AS (SELECT d.id FROM webhook_deliveries d WHERE d.id IN (SELECT id FROM due)"
		"   AND d.status = 'pending' AND d.next_attempt_at <= now()"
		"   ORDER BY d.id LIMIT $1::int FOR UPDATE SKIP LOCKED)"
		" UPDATE webhook_deliveries d SET attempts = d.attempts + 1,"
		"   next_attempt_at = now() + make_interval(secs => $2::int)"
		" FROM pick, webhooks w WHERE d.id = pick.id AND w.id = d.webhook_id"
		" RETURNING d.id, d.webhook_id, d.attempts, w.url, w.secret, d.event, d.payload::text AS payload",
		2, params);
	if (rc)
		return rc;
	rows = PQntuples(r);
	if (rows == 0) {
		PQclear(r);
		return STORE_OK;
	}
	d = calloc((size_t)rows, sizeof(*d));
	if (!d) {
		PQclear(r);
		return STORE_ERR_INTERNAL;
	}
	for (i = 0; i < rows; i++) {
		d[i].id = db_get_ll(r, i, "id");
		d[i].webhook_id = db_get_ll(r, i, "webhook_id");
		d[i].attempts = (int)db_get_ll(r, i, "attempts");
		d[i].url = dup_or_null(db_get(r, i, "url"), &fail);
		d[i].secret = dup_or_null(db_get(r, i, "secret"), &fail);
		d[i].event = dup_or_null(db_get(r, i, "event"), &fail);
		d[i].payload = dup_or_null(db_get(r, i, "payload"), &fail);
		if (!d[i].url || !d[i].event || !d[i].payload)
			fail = 1;
	}
	PQclear(r);
	if (fail) {
		/* the leases expire and the rows are claimed again later */
		store_deliveries_free(d, (size_t)rows);
		return STORE_ERR_INTERNAL;
	}
	*out = d;
	*n = (size_t)rows;
	return STORE_OK;
}

int store_delivery_release(db_conn *c, long long id)
{
	char sid[32];
	const char *params[] = {sid};

	snprintf(sid, sizeof(sid), "%lld", id);
	return db_command(c, "UPDATE webhook_deliveries SET attempts = greatest(attempts - 1, 0),"
			     " next_attempt_at = now() WHERE id = $1::bigint AND status = 'pending'", 1, params);
}

int store_delivery_delivered(db_conn *c, long long id)
{
	char sid[32];
	const char *params[] = {sid};

	snprintf(sid, sizeof(sid), "%lld", id);
	return db_command(c, "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(),"
			     " last_error = NULL WHERE id = $1::bigint AND status = 'pending'", 1, params);
}

int store_delivery_retry(db_conn *c, long long id, const char *error,
			 int max_attempts, int backoff_seconds)
{
	char sid[32], maxa[16], back[16], err[ERROR_KEEP + 1];
	const char *params[] = {sid, err, maxa, back};

	snprintf(sid, sizeof(sid), "%lld", id);
	snprintf(err, sizeof(err), "%s", error ? error : "unknown error");
	snprintf(maxa, sizeof(maxa), "%d", max_attempts);
	snprintf(back, sizeof(back), "%d", backoff_seconds);
	/* the webhook's other pending rows wait for the retry too */
	return db_command(c,
		"WITH f AS (UPDATE webhook_deliveries SET last_error = $2,"
		"   status = CASE WHEN attempts >= $3::int THEN 'failed' ELSE 'pending' END,"
		"   next_attempt_at = now() + make_interval(secs => $4::double precision"
		"     * power(2, least(greatest(attempts - 1, 0), 20)))"
		"   WHERE id = $1::bigint AND status = 'pending'"
		"   RETURNING webhook_id, status, next_attempt_at)"
		" UPDATE webhook_deliveries d SET next_attempt_at = greatest(d.next_attempt_at, f.next_attempt_at)"
		" FROM f WHERE f.status = 'pending' AND d.webhook_id = f.webhook_id"
		"  AND d.status = 'pending' AND d.id <> $1::bigint",
		4, params);
}
