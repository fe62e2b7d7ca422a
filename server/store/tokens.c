/*
 * tokens.c - API tokens: creation (secret shown once, SHA-256 stored),
 * authentication, listing and revocation.
 */
#include "db.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/crypto.h"

struct token_create {
	const store_actor *who;
	const char *name, *role, *hash;
	store_token *out;
};

static int token_create_tx(db_conn *c, void *payload)
{
	struct token_create *t = payload;
	const char *params[] = {t->name, t->role, t->hash};
	char detail[512];
	json_t *d;
	char *ds;
	PGresult *r;
	int rc;

	rc = db_exec(c, &r, "INSERT INTO tokens (name, role, secret_sha256) VALUES ($1, $2, $3)"
			    " RETURNING id", 3, params);
	if (rc)
		return rc;
	t->out->id = db_get_ll(r, 0, "id");
	PQclear(r);
	snprintf(t->out->name, sizeof(t->out->name), "%s", t->name);
	snprintf(t->out->role, sizeof(t->out->role), "%s", t->role);
	d = json_pack("{sIssss}", "id", (json_int_t)t->out->id, "name", t->name, "role", t->role);
	ds = d ? json_dumps(d, JSON_COMPACT) : NULL;
	snprintf(detail, sizeof(detail), "%s", ds ? ds : "{}");
	free(ds);
	json_decref(d);
	return store_audit(c, t->who, "token.create", detail);
}

int store_token_create(db_conn *c, const store_actor *who, const char *name,
		       const char *role, const char *secret,
		       store_token *out, char secret_out[65])
{
	char hash[CRYPTO_SHA256_HEX];
	struct token_create t;

	if (secret) {
		snprintf(secret_out, 65, "%s", secret);
	} else if (crypto_random_token(secret_out)) {
		return STORE_ERR_INTERNAL;
	}
	crypto_sha256_hex(secret ? secret : secret_out,
			  strlen(secret ? secret : secret_out), hash);
	t.who = who;
	t.name = name;
	t.role = role;
	t.hash = hash;
	t.out = out;
	return db_transaction(c, token_create_tx, &t);
}

int store_token_authenticate(db_conn *c, const char *secret, size_t len, store_token *out)
{
	char hash[CRYPTO_SHA256_HEX];
	const char *params[] = {hash};
	const char *stored;
	PGresult *r;
	int rc;

	crypto_sha256_hex(secret, len, hash);
	rc = db_exec(c, &r, "SELECT id, name, role, secret_sha256 FROM tokens"
			    " WHERE secret_sha256 = $1 AND revoked_at IS NULL", 1, params);
	if (rc)
		return rc;
	stored = PQntuples(r) == 1 ? db_get(r, 0, "secret_sha256") : NULL;
	if (!stored || !crypto_equal(stored, hash, strlen(stored), strlen(hash))) {
		PQclear(r);
		return STORE_ERR_NOTFOUND;
	}
	out->id = db_get_ll(r, 0, "id");
	snprintf(out->name, sizeof(out->name), "%s", db_get(r, 0, "name"));
	snprintf(out->role, sizeof(out->role), "%s", db_get(r, 0, "role"));
	PQclear(r);
	return STORE_OK;
}

int store_token_list(db_conn *c, char **json_out)
{
	PGresult *r;
	int rc;

	rc = db_exec(c, &r,
		"SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'role', role,"
		" 'created_at', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
		" 'revoked_at', to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
		" ORDER BY id), '[]') AS items FROM tokens", 0, NULL);
	if (rc)
		return rc;
	*json_out = strdup(db_get(r, 0, "items"));
	PQclear(r);
	return *json_out ? STORE_OK : STORE_ERR_INTERNAL;
}

int store_token_revoke(db_conn *c, const store_actor *who, long long id)
{
	return store_end_by_id(c, who, "UPDATE tokens SET revoked_at = now() WHERE id = $1"
				       " AND revoked_at IS NULL RETURNING id", id, "token.revoke");
}

int store_token_admin_exists(db_conn *c)
{
	PGresult *r;
	int rc, n;

	rc = db_exec(c, &r, "SELECT 1 FROM tokens WHERE role = 'admin' AND revoked_at IS NULL LIMIT 1",
		     0, NULL);
	if (rc)
		return rc;
	n = PQntuples(r);
	PQclear(r);
	return n > 0;
}

struct token_bootstrap {
	const char *secret;
	char *secret_out;
	int created;
};

static int token_bootstrap_tx(db_conn *c, void *payload)
{
	struct token_bootstrap *b = payload;
	const char *params[3];
	char hash[CRYPTO_SHA256_HEX];
	int rc;

	/* serialize concurrent starters: only one creates the first admin */
	rc = db_command(c, "SELECT pg_advisory_xact_lock(7246120002)", 0, NULL);
	if (rc)
		return rc;
	rc = store_token_admin_exists(c);
	if (rc < 0)
		return rc;
	if (rc == 1)
		return STORE_OK;
	if (b->secret)
		snprintf(b->secret_out, 65, "%s", b->secret);
	else if (crypto_random_token(b->secret_out))
		return STORE_ERR_INTERNAL;
	crypto_sha256_hex(b->secret_out, strlen(b->secret_out), hash);
	params[0] = "bootstrap";
	params[1] = "admin";
	params[2] = hash;
	rc = db_command(c, "INSERT INTO tokens (name, role, secret_sha256) VALUES ($1, $2, $3)"
			   " ON CONFLICT (secret_sha256) DO UPDATE SET revoked_at = NULL", 3, params);
	if (rc)
		return rc;
	b->created = 1;
	return store_audit(c, NULL, "token.bootstrap", "{\"name\":\"bootstrap\",\"role\":\"admin\"}");
}

int store_token_bootstrap(db_conn *c, const char *secret, char secret_out[65], int *created)
{
	struct token_bootstrap b = {secret, secret_out, 0};
	int rc = db_transaction(c, token_bootstrap_tx, &b);

	*created = b.created;
	return rc;
}
