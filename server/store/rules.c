/*
 * rules.c - alert evaluation with its webhook outbox, the compliance and
 * alert lists, and the admission check (rules.h). The rules are the SQL
 * functions of schema/004_rules.sql; each call here is one statement
 * (plus the lock of an evaluation), whatever the number of assets.
 */
#include "rules.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/parse.h"
#include "db.h"

#define RULES_LOCK_KEY "7246120002"   /* advisory lock: "muster rule evaluation" */

#define TS(col) "muster_rules_ts(" col ")"

/* Wrap a page query: rows of (k, obj) -> {"items":[...],"next":...} plus
 * extra members (text of json_build_object arguments, starting with a
 * comma, or ""). The same shape as the lists of inventory_reads.c. */
#define RULES_PAGE_WRAP(inner, extra) \
	"WITH page AS (" inner "), lim AS (SELECT $1::int AS n)" \
	" SELECT json_build_object('items', coalesce((SELECT json_agg(obj ORDER BY k)" \
	"   FROM (SELECT * FROM page ORDER BY k LIMIT (SELECT n FROM lim)) x), '[]'::json)," \
	"  'next', CASE WHEN (SELECT count(*) FROM page) > (SELECT n FROM lim)" \
	"   THEN (SELECT max(k)::text FROM (SELECT k FROM page ORDER BY k LIMIT (SELECT n FROM lim)) y) END" \
	extra ")::text"

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

/* limit and cursor of a page as statement parameters; -1 on a bad cursor. */
static int page_params(const store_page *p, char *lim, char *cur, size_t len)
{
	long long v = 0;

	if (p->cursor && *p->cursor && parse_int_range(p->cursor, 0, 9007199254740992LL, &v))
		return -1;
	snprintf(lim, len, "%lld", p->limit);
	snprintf(cur, len, "%lld", v);
	return 0;
}

/* --- evaluation --- */

/*
 * The evaluation statement: violations under the policy in force at t;
 * open alerts for new (asset, rule) pairs, resolve the others; one outbox
 * row per changed alert and live webhook. t is the later of $1 and the
 * transaction's start.
 */
static const char evaluate_sql[] =
	"WITH tt AS (SELECT greatest(to_timestamp($1::double precision), now()) AS t),"
	" v AS MATERIALIZED (SELECT v.* FROM tt, muster_policy_violations(tt.t) v),"
	" opened AS ("
	"  INSERT INTO alerts (image_id, rule, status, opened_at, detail)"
	"  SELECT v.image_id, v.rule, 'open', (SELECT t FROM tt),"
	"         v.detail || jsonb_build_object('since', " TS("v.since") ")"
	"  FROM v WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.image_id = v.image_id"
	"    AND a.rule = v.rule AND a.status = 'open')"
	"  ON CONFLICT (image_id, rule) WHERE status = 'open' DO NOTHING"
	"  RETURNING id, image_id, rule, status, opened_at, resolved_at, detail),"
	" resolved AS ("
	"  UPDATE alerts a SET status = 'resolved', resolved_at = (SELECT t FROM tt)"
	"  WHERE a.status = 'open'"
	"    AND NOT EXISTS (SELECT 1 FROM v WHERE v.image_id = a.image_id AND v.rule = a.rule)"
	"  RETURNING a.id, a.image_id, a.rule, a.status, a.opened_at, a.resolved_at, a.detail),"
	" changed AS (SELECT 'alert.opened' AS event, o.* FROM opened o"
	"   UNION ALL SELECT 'alert.resolved', r.* FROM resolved r),"
	" outbox AS ("
	"  INSERT INTO webhook_deliveries (webhook_id, alert_id, event, payload)"
	"  SELECT w.id, ch.id, ch.event, jsonb_build_object('event', ch.event, 'alert', jsonb_build_object("
	"     'id', ch.id, 'image', jsonb_build_object('id', i.id, 'uai', i.uai), 'rule', ch.rule,"
	"     'status', ch.status, 'opened_at', " TS("ch.opened_at") ","
	"     'resolved_at', " TS("ch.resolved_at") ", 'detail', ch.detail))"
	"  FROM changed ch JOIN images i ON i.id = ch.image_id"
	"  CROSS JOIN webhooks w WHERE w.deleted_at IS NULL"
	"  ON CONFLICT (webhook_id, alert_id, event) DO NOTHING"
	"  RETURNING 1)"
	" SELECT (SELECT count(*) FROM opened) AS opened, (SELECT count(*) FROM resolved) AS resolved,"
	"  (SELECT count(*) FROM outbox) AS deliveries";

struct evaluate_tx {
	time_t now;
	int try_only;
	int opened, resolved, ran;
};

static int evaluate_tx(db_conn *c, void *payload)
{
	struct evaluate_tx *e = payload;
	const char *lock[] = {RULES_LOCK_KEY};
	char when[32];
	const char *params[] = {when};
	PGresult *r;
	int rc;

	e->opened = e->resolved = e->ran = 0;
	if (e->try_only) {
		const char *got;

		rc = db_exec(c, &r, "SELECT pg_try_advisory_xact_lock($1::bigint) AS got", 1, lock);
		if (rc)
			return rc;
		got = db_get(r, 0, "got");
		if (!got || strcmp(got, "t") != 0) {
			PQclear(r);
			return STORE_OK;   /* another evaluator is at work */
		}
		PQclear(r);
	} else {
		rc = db_command(c, "SELECT pg_advisory_xact_lock($1::bigint)", 1, lock);
		if (rc)
			return rc;
	}
	snprintf(when, sizeof(when), "%lld", (long long)(e->now > 0 ? e->now : 0));
	rc = db_exec(c, &r, evaluate_sql, 1, params);
	if (rc)
		return rc;
	e->opened = (int)db_get_ll(r, 0, "opened");
	e->resolved = (int)db_get_ll(r, 0, "resolved");
	e->ran = 1;
	PQclear(r);
	return STORE_OK;
}

static int evaluate(db_conn *c, time_t now, int try_only, int *opened, int *resolved, int *ran)
{
	struct evaluate_tx e;
	int rc;

	memset(&e, 0, sizeof(e));
	e.now = now;
	e.try_only = try_only;
	rc = db_transaction(c, evaluate_tx, &e);
	if (rc == STORE_OK) {
		if (opened)
			*opened = e.opened;
		if (resolved)
			*resolved = e.resolved;
		if (ran)
			*ran = e.ran;
	}
	return rc;
}

int store_rules_evaluate(db_conn *c, time_t now, int *opened, int *resolved)
{
	return evaluate(c, now, 0, opened, resolved, NULL);
}

int store_rules_evaluate_try(db_conn *c, time_t now, int *opened, int *resolved, int *ran)
{
	return evaluate(c, now, 1, opened, resolved, ran);
}

/* --- reads --- */

int store_compliance_list(db_conn *c, const store_page *p, char **json)
{
	char lim[32], cur[32];
	const char *params[2];

	if (page_params(p, lim, cur, sizeof(lim)))
		return STORE_ERR_INVALID;
	params[0] = lim;
	params[1] = cur;
	return one_json(c, RULES_PAGE_WRAP(
		"WITH v AS MATERIALIZED (SELECT * FROM muster_policy_violations(now())),"
		" agg AS (SELECT v.image_id, jsonb_agg(v.rule ORDER BY v.rule) AS rules,"
		"   jsonb_object_agg(v.rule, " TS("v.since") ") AS since, jsonb_object_agg(v.rule, v.detail) AS details"
		"   FROM v WHERE v.image_id > $2::bigint GROUP BY v.image_id),"
		" scopes AS MATERIALIZED (SELECT DISTINCT ci.cluster, ci.namespace FROM container_instances ci"
		"   WHERE ci.ended_at IS NULL AND ci.image_id IN (SELECT image_id FROM agg)),"
		" prod_scopes AS MATERIALIZED (SELECT * FROM scopes"
		"   WHERE muster_environment(cluster, namespace, now()) = 'production'),"
		" prod AS (SELECT ci.image_id, count(*) AS n, jsonb_agg(DISTINCT ci.cluster ORDER BY ci.cluster) AS clusters"
		"   FROM container_instances ci JOIN prod_scopes USING (cluster, namespace)"
		"   WHERE ci.ended_at IS NULL AND ci.image_id IN (SELECT image_id FROM agg)"
		"   GROUP BY ci.image_id)"
		" SELECT a.image_id AS k, json_build_object('image', json_build_object('id', i.id, 'uai', i.uai),"
		"   'rules', a.rules, 'since', a.since, 'details', a.details,"
		"   'containers', coalesce(p.n, 0), 'clusters', coalesce(p.clusters, '[]'::jsonb)) AS obj"
		" FROM agg a JOIN images i ON i.id = a.image_id LEFT JOIN prod p ON p.image_id = a.image_id"
		" ORDER BY a.image_id LIMIT $1::int + 1",
		", 'evaluated_at', " TS("now()")), 2, params, json);
}

int store_alerts_list(db_conn *c, const alert_filter *f, const store_page *p, char **json)
{
	char lim[32], cur[32], img[32];
	const char *params[5];

	if (page_params(p, lim, cur, sizeof(lim)))
		return STORE_ERR_INVALID;
	snprintf(img, sizeof(img), "%lld", f->image_id);
	params[0] = lim;
	params[1] = cur;
	params[2] = f->status;
	params[3] = f->rule;
	params[4] = f->image_id > 0 ? img : NULL;
	return one_json(c, RULES_PAGE_WRAP(
		"SELECT a.id AS k, json_build_object('id', a.id, 'image', json_build_object('id', i.id, 'uai', i.uai),"
		"  'rule', a.rule, 'status', a.status, 'opened_at', " TS("a.opened_at") ","
		"  'resolved_at', " TS("a.resolved_at") ", 'detail', a.detail) AS obj"
		" FROM alerts a JOIN images i ON i.id = a.image_id"
		" WHERE a.id > $2::bigint AND ($3::text IS NULL OR a.status = $3)"
		"  AND ($4::text IS NULL OR a.rule = $4) AND ($5::bigint IS NULL OR a.image_id = $5::bigint)"
		" ORDER BY a.id LIMIT $1::int + 1", ""), 5, params, json);
}

/* --- admission --- */

static const char admission_sql[] =
	"WITH pol AS (SELECT muster_policy_at(now()) AS doc),"
	" mv AS (SELECT ARRAY(SELECT jsonb_array_elements_text(coalesce(pol.doc->'moving_tags', '[]'))) AS tags FROM pol),"
	" inp AS (SELECT x.ord, x.registry, x.repository, coalesce(x.tag, '') AS tag, coalesce(x.digest, '') AS digest"
	"   FROM jsonb_to_recordset($1::jsonb) AS x(ord bigint, registry text, repository text, tag text, digest text)),"
	" res AS MATERIALIZED (SELECT inp.*, r.build_id, r.image_id FROM inp CROSS JOIN mv"
	"  LEFT JOIN LATERAL ("
	/* by digest: the build; the asset of that build with this repository */
	"   SELECT d.build_id, (SELECT i.id FROM build_images bi JOIN images i ON i.id = bi.image_id"
	"      WHERE bi.build_id = d.build_id AND i.registry = inp.registry AND i.repository = inp.repository"
	"      ORDER BY (i.version = inp.tag) DESC, i.version_from_digest, i.id LIMIT 1) AS image_id"
	"   FROM digests d WHERE inp.digest <> '' AND d.digest = inp.digest"
	"   UNION ALL"
	/* by tag: the most recently seen build of the asset (version tag) or
	 * of the repository's moving-tag assets */
	"   SELECT * FROM (SELECT bi.build_id, i.id AS image_id FROM images i"
	"     JOIN build_images bi ON bi.image_id = i.id"
	"     WHERE inp.digest = '' AND i.registry = inp.registry AND i.repository = inp.repository"
	"      AND CASE WHEN inp.tag <> '' AND NOT (inp.tag = ANY (mv.tags))"
	"          THEN i.version = inp.tag AND NOT i.version_from_digest ELSE i.version_from_digest END"
	"     ORDER BY greatest(bi.first_seen,"
	"       (SELECT max(sc.received_at) FROM scans sc WHERE sc.build_id = bi.build_id AND sc.image_id = i.id),"
	"       (SELECT max(ci.last_seen) FROM container_instances ci WHERE ci.build_id = bi.build_id"
	"         AND ci.image_id = i.id)) DESC, bi.build_id DESC"
	"     LIMIT 1) t"
	"   LIMIT 1) r ON true),"
	" chk AS (SELECT c.* FROM pol,"
	"   (SELECT array_agg(image_id ORDER BY ord) AS img, array_agg(build_id ORDER BY ord) AS bld,"
	"      array_agg(registry ORDER BY ord) AS reg, array_agg(repository ORDER BY ord) AS rep,"
	"      array_agg(now() ORDER BY ord) AS fs FROM res) a,"
	"   muster_check(now(), coalesce((pol.doc->>'scan_window_days')::int, 30),"
	"     ARRAY(SELECT jsonb_array_elements_text(coalesce(pol.doc->'allowed_registries', '[]'))),"
	"     coalesce((pol.doc->>'require_hardening')::boolean, true),"
	"     a.img, a.bld, a.reg, a.rep, a.fs) c)"
	" SELECT json_build_object('policy', (SELECT doc FROM pol),"
	"  'environment', CASE WHEN $2::text IS NULL THEN NULL"
	"     ELSE muster_environment($2, coalesce($3, ''), now()) END,"
	"  'images', coalesce((SELECT json_agg(json_build_object('ord', r.ord, 'image_id', r.image_id,"
	"     'uai', i.uai, 'build_id', r.build_id,"
	"     'digest', coalesce(nullif(r.digest, ''), (SELECT sc.digest FROM scans sc WHERE sc.build_id = r.build_id"
	"        ORDER BY sc.scanned_at DESC, sc.id DESC LIMIT 1),"
	"       (SELECT min(d.digest) FROM digests d WHERE d.build_id = r.build_id)),"
	"     'violations', coalesce((SELECT json_agg(json_build_object('rule', c.rule, 'since', " TS("c.since") ","
	"        'detail', c.detail) ORDER BY c.rule) FROM chk c WHERE c.ord = r.ord), '[]'::json))"
	"     ORDER BY r.ord) FROM res r LEFT JOIN images i ON i.id = r.image_id), '[]'::json))::text";

int store_rules_admission(db_conn *c, const char *cluster, const char *namespace_,
			  const rules_image_in *images, size_t n, char **json)
{
	json_t *arr = json_array();
	const char *params[3];
	char *text = NULL;
	size_t i;
	int rc = STORE_ERR_INTERNAL;

	if (!arr)
		return STORE_ERR_INTERNAL;
	for (i = 0; i < n; i++) {
		json_t *o = json_pack("{sIssssssss}", "ord", (json_int_t)(i + 1),
				      "registry", images[i].registry, "repository", images[i].repository,
				      "tag", images[i].tag ? images[i].tag : "",
				      "digest", images[i].digest ? images[i].digest : "");

		if (!o || json_array_append_new(arr, o))
			goto cleanup;
	}
	text = json_dumps(arr, JSON_COMPACT);
	if (!text)
		goto cleanup;
	params[0] = text;
	params[1] = cluster;
	params[2] = namespace_;
	rc = one_json(c, admission_sql, 3, params, json);
cleanup:
	free(text);
	json_decref(arr);
	return rc;
}
