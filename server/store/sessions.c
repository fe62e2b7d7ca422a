/*
 * sessions.c - web sign-in sessions (sessions.h): random ids stored as
 * SHA-256, expiry, revocation through the token, sign-out.
 */
#include "sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/crypto.h"
#include "db.h"

#define SESSION_MAX_TTL (7 * 24 * 3600)

/* 1 when s is exactly SESSION_SECRET_LEN lower-case hex digits. */
static int secret_shape_ok(const char *s, size_t len)
{
	size_t i;

	if (!s || len != SESSION_SECRET_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

struct session_create {
	const store_actor *who;
	const store_token *tok;
	const char *hash;
	int ttl;
	store_session *out;
};

static int session_create_tx(db_conn *c, void *payload)
{
	struct session_create *s = payload;
	char tid[32], ttl[32], detail[96];
	const char *params[3];
	PGresult *r;
	int rc;

	rc = db_command(c, "DELETE FROM sessions WHERE expires_at < now()", 0, NULL);
	if (rc)
		return rc;
	snprintf(tid, sizeof(tid), "%lld", s->tok->id);
	snprintf(ttl, sizeof(ttl), "%d", s->ttl);
	params[0] = s->hash;
	params[1] = tid;
	params[2] = ttl;
	rc = db_exec(c, &r,
		     "INSERT INTO sessions (sid_sha256, token_id, expires_at)"
		     " VALUES ($1, $2::bigint, now() + make_interval(secs => $3::int))"
		     " RETURNING id, extract(epoch FROM expires_at)::bigint AS expires", 3, params);
	if (rc)
		return rc;
	s->out->id = db_get_ll(r, 0, "id");
	s->out->expires_at = (time_t)db_get_ll(r, 0, "expires");
	PQclear(r);
	snprintf(detail, sizeof(detail), "{\"session_id\":%lld,\"token_id\":%lld}", s->out->id, s->tok->id);
	return store_audit(c, s->who, "session.create", detail);
}

int store_session_create(db_conn *c, const store_actor *who, const store_token *tok,
			 int ttl_seconds, char sid_out[SESSION_SECRET_LEN + 1], store_session *out)
{
	char hash[CRYPTO_SHA256_HEX];
	struct session_create s;
	int rc;

	if (ttl_seconds < 1 || ttl_seconds > SESSION_MAX_TTL)
		return STORE_ERR_INVALID;
	memset(out, 0, sizeof(*out));
	if (crypto_random_token(sid_out))
		return STORE_ERR_INTERNAL;
	crypto_sha256_hex(sid_out, strlen(sid_out), hash);
	out->token = *tok;
	s.who = who;
	s.tok = tok;
	s.hash = hash;
	s.ttl = ttl_seconds;
	s.out = out;
	rc = db_transaction(c, session_create_tx, &s);
	if (rc) {
		memset(sid_out, 0, SESSION_SECRET_LEN + 1);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int store_session_lookup(db_conn *c, const char *sid, size_t len, store_session *out)
{
	char hash[CRYPTO_SHA256_HEX];
	const char *params[] = {hash};
	const char *v;
	PGresult *r;
	int rc;

	if (!secret_shape_ok(sid, len))
		return STORE_ERR_NOTFOUND;
	crypto_sha256_hex(sid, len, hash);
	rc = db_exec(c, &r,
		     "SELECT s.id, extract(epoch FROM s.expires_at)::bigint AS expires,"
		     " t.id AS token_id, t.name, t.role"
		     " FROM sessions s JOIN tokens t ON t.id = s.token_id"
		     " WHERE s.sid_sha256 = $1 AND s.expires_at > now() AND t.revoked_at IS NULL",
		     1, params);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return STORE_ERR_NOTFOUND;
	}
	memset(out, 0, sizeof(*out));
	out->id = db_get_ll(r, 0, "id");
	out->expires_at = (time_t)db_get_ll(r, 0, "expires");
	out->token.id = db_get_ll(r, 0, "token_id");
	v = db_get(r, 0, "name");
	snprintf(out->token.name, sizeof(out->token.name), "%s", v ? v : "");
	v = db_get(r, 0, "role");
	snprintf(out->token.role, sizeof(out->token.role), "%s", v ? v : "");
	PQclear(r);
	return STORE_OK;
}

struct session_delete {
	const store_actor *who;
	const char *hash;
};

static int session_delete_tx(db_conn *c, void *payload)
{
	struct session_delete *d = payload;
	const char *params[] = {d->hash};
	char detail[64];
	PGresult *r;
	long long id;
	int rc;

	rc = db_exec(c, &r, "DELETE FROM sessions WHERE sid_sha256 = $1 RETURNING id", 1, params);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return STORE_ERR_NOTFOUND;
	}
	id = db_get_ll(r, 0, "id");
	PQclear(r);
	snprintf(detail, sizeof(detail), "{\"session_id\":%lld}", id);
	return store_audit(c, d->who, "session.delete", detail);
}

int store_session_delete(db_conn *c, const store_actor *who, const char *sid, size_t len)
{
	char hash[CRYPTO_SHA256_HEX];
	struct session_delete d;

	if (!secret_shape_ok(sid, len))
		return STORE_ERR_NOTFOUND;
	crypto_sha256_hex(sid, len, hash);
	d.who = who;
	d.hash = hash;
	return db_transaction(c, session_delete_tx, &d);
}
