/*
 * settings.c - policy versions, hardening baselines and asset metadata
 * (settings.h). Writes close the current row and insert the new one in
 * one transaction under an advisory lock on the scope, with the audit
 * record; reads render JSON in PostgreSQL.
 */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define TS(col) "muster_rules_ts(" col ")"

/* One JSON text from a single-row, single-column result (caller frees). */
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

/* --- policy --- */

static const char policy_get_sql[] =
	"SELECT json_build_object('version', p.id, 'valid_from', " TS("p.valid_from") ", 'policy', p.doc)::text"
	" FROM policy_versions p ORDER BY p.valid_from DESC, p.id DESC LIMIT 1";

int store_policy_get(db_conn *c, char **json)
{
	return one_json(c, policy_get_sql, 0, NULL, json);
}

struct policy_put {
	const store_actor *who;
	const char *doc;
	char *json;
};

static int policy_put_tx(db_conn *c, void *payload)
{
	struct policy_put *p = payload;
	const char *params[] = {p->doc};
	char *detail = NULL;
	int rc;

	free(p->json);
	p->json = NULL;
	/* valid_from never goes backwards, so the newest row is in force */
	rc = one_json(c, "WITH ins AS (INSERT INTO policy_versions (doc, valid_from)"
			 " SELECT $1::jsonb, greatest(now(), max(valid_from)) FROM policy_versions"
			 " RETURNING id, doc, valid_from)"
			 " SELECT json_build_object('version', id, 'valid_from', " TS("valid_from") ","
			 "  'policy', doc)::text FROM ins", 1, params, &p->json);
	if (rc)
		return rc;
	detail = p->json;
	return store_audit(c, p->who, "policy.put", detail);
}

int store_policy_put(db_conn *c, const store_actor *who, const char *doc_json, char **json)
{
	struct policy_put p = {who, doc_json, NULL};
	int rc = db_transaction(c, policy_put_tx, &p);

	if (rc) {
		free(p.json);
		return rc;
	}
	*json = p.json;
	return STORE_OK;
}

/* --- hardening and metadata --- */

/* Parameters $1 image id (or NULL), $2 registry, $3 repository identify a
 * scope in every statement below. */
#define SCOPE_MATCH(t) \
	"((" t ".image_id = $1::bigint) OR ($1::bigint IS NULL AND " t ".image_id IS NULL" \
	" AND " t ".registry = $2 AND " t ".repository = $3))"

#define SCOPE_OBJ \
	"CASE WHEN $1::bigint IS NOT NULL THEN (SELECT json_build_object('image', json_build_object(" \
	"  'id', i.id, 'uai', i.uai, 'registry', i.registry, 'repository', i.repository))" \
	"  FROM images i WHERE i.id = $1::bigint)" \
	" ELSE json_build_object('registry', $2::text, 'repository', $3::text) END"

#define HARDENING_OBJ(h) \
	"json_build_object('id', " h ".id, 'baseline', " h ".baseline, 'benchmark', " h ".benchmark," \
	" 'validated_by', " h ".validated_by, 'validated_at', " TS(h ".validated_at") "," \
	" 'evidence', " h ".evidence, 'valid_from', " TS(h ".valid_from") "," \
	" 'valid_to', " TS(h ".valid_to") ")"

static const char hardening_get_sql[] =
	"SELECT json_build_object('scope', " SCOPE_OBJ ","
	" 'current', (SELECT " HARDENING_OBJ("h") " FROM hardening h WHERE " SCOPE_MATCH("h")
	"   AND h.valid_to IS NULL),"
	" 'inherited', (SELECT " HARDENING_OBJ("h") " FROM hardening h JOIN images i ON i.id = $1::bigint"
	"   WHERE h.image_id IS NULL AND h.registry = i.registry AND h.repository = i.repository"
	"   AND h.valid_to IS NULL),"
	" 'history', coalesce((SELECT json_agg(" HARDENING_OBJ("h") " ORDER BY h.valid_from DESC, h.id DESC)"
	"   FROM hardening h WHERE " SCOPE_MATCH("h") "), '[]'::json))::text"
	" WHERE $1::bigint IS NULL OR EXISTS (SELECT 1 FROM images WHERE id = $1::bigint)";

#define METADATA_OBJ(m) \
	"json_build_object('id', " m ".id, 'metadata', " m ".doc, 'valid_from', " TS(m ".valid_from") "," \
	" 'valid_to', " TS(m ".valid_to") ")"

static const char metadata_get_sql[] =
	"SELECT json_build_object('scope', " SCOPE_OBJ ","
	" 'current', (SELECT " METADATA_OBJ("m") " FROM asset_metadata m WHERE " SCOPE_MATCH("m")
	"   AND m.valid_to IS NULL),"
	" 'inherited', (SELECT " METADATA_OBJ("m") " FROM asset_metadata m JOIN images i ON i.id = $1::bigint"
	"   WHERE m.image_id IS NULL AND m.registry = i.registry AND m.repository = i.repository"
	"   AND m.valid_to IS NULL),"
	" 'history', coalesce((SELECT json_agg(" METADATA_OBJ("m") " ORDER BY m.valid_from DESC, m.id DESC)"
	"   FROM asset_metadata m WHERE " SCOPE_MATCH("m") "), '[]'::json))::text"
	" WHERE $1::bigint IS NULL OR EXISTS (SELECT 1 FROM images WHERE id = $1::bigint)";

/* The three scope parameters; id holds the image id text. */
static void scope_params(const store_scope *s, char id[32], const char **params)
{
	snprintf(id, 32, "%lld", s->image_id);
	params[0] = s->image_id > 0 ? id : NULL;
	params[1] = s->image_id > 0 ? NULL : s->registry;
	params[2] = s->image_id > 0 ? NULL : s->repository;
}

int store_hardening_get(db_conn *c, const store_scope *s, char **json)
{
	const char *params[3];
	char id[32];

	scope_params(s, id, params);
	return one_json(c, hardening_get_sql, 3, params, json);
}

int store_metadata_get(db_conn *c, const store_scope *s, char **json)
{
	const char *params[3];
	char id[32];

	scope_params(s, id, params);
	return one_json(c, metadata_get_sql, 3, params, json);
}

struct scoped_put {
	const store_actor *who;
	const store_scope *scope;
	const store_hardening_in *hardening;   /* one of these two */
	const char *metadata;
	char *json;
};

/* Close the current row of a scope (parameters as SCOPE_MATCH). */
static const char hardening_close_sql[] =
	"UPDATE hardening t SET valid_to = now() WHERE " SCOPE_MATCH("t") " AND t.valid_to IS NULL";
static const char metadata_close_sql[] =
	"UPDATE asset_metadata t SET valid_to = now() WHERE " SCOPE_MATCH("t") " AND t.valid_to IS NULL";

/* Serialize writers of one scope, check the asset exists, and close the
 * scope's current row with close_sql. */
static int scope_begin(db_conn *c, const char *const *params, const char *close_sql)
{
	int rc;

	rc = db_command(c, "SELECT pg_advisory_xact_lock(hashtextextended("
			   "coalesce($1::text, $2::text || '/' || $3::text), 7246120003))", 3, params);
	if (rc)
		return rc;
	if (params[0]) {
		rc = db_command_found(c, "SELECT 1 FROM images WHERE id = $1::bigint FOR KEY SHARE", 1, params);
		if (rc)
			return rc;
	}
	return db_command(c, close_sql, 3, params);
}

/* Insert a row (insert_sql, RETURNING the audit detail as "detail"), audit
 * it as action, and read the scope's new state with get_sql into *json. */
static int scope_insert(db_conn *c, const store_actor *who, const char *insert_sql, int n,
			const char *const *params, const char *action, const char *get_sql, char **json)
{
	char *detail = NULL;
	int rc = one_json(c, insert_sql, n, params, &detail);

	if (rc == STORE_OK)
		rc = store_audit(c, who, action, detail);
	free(detail);
	if (rc == STORE_OK)
		rc = one_json(c, get_sql, 3, params, json);
	return rc;
}

static int hardening_put_tx(db_conn *c, void *payload)
{
	struct scoped_put *p = payload;
	const store_hardening_in *h = p->hardening;
	const char *params[8];
	char id[32], when[32];
	int rc;

	free(p->json);
	p->json = NULL;
	scope_params(p->scope, id, params);
	rc = scope_begin(c, params, hardening_close_sql);
	if (rc)
		return rc;
	snprintf(when, sizeof(when), "%lld", (long long)h->validated_at);
	params[3] = h->baseline;
	params[4] = h->benchmark;
	params[5] = h->validated_by;
	params[6] = when;
	params[7] = h->evidence;
	return scope_insert(c, p->who,
		"WITH ins AS (INSERT INTO hardening (image_id, registry, repository, baseline, benchmark,"
		"  validated_by, validated_at, evidence)"
		"  VALUES ($1::bigint, $2, $3, $4, $5, $6, to_timestamp($7::bigint), $8) RETURNING *)"
		" SELECT json_build_object('image_id', ins.image_id, 'registry', ins.registry,"
		"  'repository', ins.repository, 'hardening', " HARDENING_OBJ("ins") ")::text FROM ins",
		8, params, "hardening.put", hardening_get_sql, &p->json);
}

static int metadata_put_tx(db_conn *c, void *payload)
{
	struct scoped_put *p = payload;
	const char *params[4];
	char id[32];
	int rc;

	free(p->json);
	p->json = NULL;
	scope_params(p->scope, id, params);
	rc = scope_begin(c, params, metadata_close_sql);
	if (rc)
		return rc;
	params[3] = p->metadata;
	return scope_insert(c, p->who,
		"WITH ins AS (INSERT INTO asset_metadata (image_id, registry, repository, doc)"
		"  VALUES ($1::bigint, $2, $3, $4::jsonb) RETURNING *)"
		" SELECT json_build_object('image_id', ins.image_id, 'registry', ins.registry,"
		"  'repository', ins.repository, 'metadata', ins.doc)::text FROM ins",
		4, params, "metadata.put", metadata_get_sql, &p->json);
}

static int scoped_put(db_conn *c, struct scoped_put *p, int (*fn)(db_conn *, void *), char **json)
{
	int rc = db_transaction(c, fn, p);

	if (rc) {
		free(p->json);
		return rc;
	}
	*json = p->json;
	return STORE_OK;
}

int store_hardening_put(db_conn *c, const store_actor *who, const store_scope *s,
			const store_hardening_in *in, char **json)
{
	struct scoped_put p = {who, s, in, NULL, NULL};

	return scoped_put(c, &p, hardening_put_tx, json);
}

int store_metadata_put(db_conn *c, const store_actor *who, const store_scope *s,
		       const char *doc_json, char **json)
{
	struct scoped_put p = {who, s, NULL, doc_json, NULL};

	return scoped_put(c, &p, metadata_put_tx, json);
}
