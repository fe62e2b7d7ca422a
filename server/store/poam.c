/*
 * poam.c - the POA&M lifecycle, writes and reads over PostgreSQL
 * (poam.h). The lifecycle itself is the set-based function
 * muster_poam_reconcile of schema/006_poam.sql; this file chooses its
 * scope (the repositories a scan or snapshot touched), runs it in a
 * transaction and renders the reads. Single-item writes lock the item's
 * repository (the same advisory lock the lifecycle takes), check the
 * deviation rules of policy/poam_rules.c and record one event.
 */
#include "poam.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "db.h"

#define POAM_BATCH "200"   /* repositories per transaction of a full evaluation */

#define TS(col) "muster_poam_ts(" col ")"

/* Lateness of item `it` at $AS (timestamptz) with grace $GR (int days):
 * the SQL twin of poam_rules_is_late. */
#define LATE_SQL(as, gr) \
	"(it.status = 'open' AND it.scheduled < (" as " AT TIME ZONE 'UTC')::date" \
	" AND NOT (it.vendor_dependency AND it.last_checkin IS NOT NULL" \
	"  AND (it.last_checkin AT TIME ZONE 'UTC')::date >= (" as " AT TIME ZONE 'UTC')::date - " gr "))"

/* Wrap a page query: rows of (k, obj) -> {"items":[...],"next":...}. */
#define PAGE_WRAP(inner) \
	"WITH page AS (" inner "), lim AS (SELECT $1::int AS n)" \
	" SELECT json_build_object('items', coalesce((SELECT json_agg(obj ORDER BY k)" \
	"   FROM (SELECT * FROM page ORDER BY k LIMIT (SELECT n FROM lim)) x), '[]'::json)," \
	"  'next', CASE WHEN (SELECT count(*) FROM page) > (SELECT n FROM lim)" \
	"   THEN (SELECT max(k)::text FROM (SELECT k FROM page ORDER BY k LIMIT (SELECT n FROM lim)) y) END)::text"

static void counts_add(store_poam_counts *out, PGresult *r)
{
	if (!out || !r || PQntuples(r) < 1)
		return;
	out->opened += db_get_ll(r, 0, "opened");
	out->changed += db_get_ll(r, 0, "changed");
	out->closed += db_get_ll(r, 0, "closed");
}

struct reconcile_tx {
	const char *sql;
	const char *const *params;
	int nparams;
	store_poam_counts got;
	int found;
	char last_reg[512], last_repo[512];     /* keyset of the next batch (parameters) */
	char next_reg[512], next_repo[512];     /* read by the transaction, kept once it commits */
	long long batch;
};

static int reconcile_tx(db_conn *c, void *payload)
{
	struct reconcile_tx *t = payload;
	PGresult *r;
	int rc;

	memset(&t->got, 0, sizeof(t->got));
	t->found = 0;
	t->batch = 0;
	rc = db_exec(c, &r, t->sql, t->nparams, t->params);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		t->found = 1;
		counts_add(&t->got, r);
		t->batch = db_get_ll(r, 0, "n");
		snprintf(t->next_reg, sizeof(t->next_reg), "%s", db_get(r, 0, "last_reg") ? db_get(r, 0, "last_reg") : "");
		snprintf(t->next_repo, sizeof(t->next_repo), "%s",
			 db_get(r, 0, "last_repo") ? db_get(r, 0, "last_repo") : "");
	}
	PQclear(r);
	return STORE_OK;
}

/* Run one scoped reconcile statement (one row with opened/changed/closed). */
static int run_scoped(db_conn *c, const char *sql, long long id, store_poam_counts *out)
{
	char sid[32], windows[32];
	const char *params[2];
	struct reconcile_tx t;
	int rc;

	snprintf(sid, sizeof(sid), "%lld", id);
	poam_rules_windows(windows, sizeof(windows));
	params[0] = sid;
	params[1] = windows;
	memset(&t, 0, sizeof(t));
	t.sql = sql;
	t.params = params;
	t.nparams = 2;
	rc = db_transaction(c, reconcile_tx, &t);
	if (rc)
		return rc;
	if (!t.found)
		return STORE_ERR_NOTFOUND;
	if (out) {
		out->opened += t.got.opened;
		out->changed += t.got.changed;
		out->closed += t.got.closed;
	}
	return STORE_OK;
}

int store_poam_update_after_scan(db_conn *c, long long scan_id, store_poam_counts *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	return run_scoped(c,
		"SELECT r.opened, r.changed, r.closed FROM scans s,"
		" LATERAL (SELECT array_agg(x.registry ORDER BY x.registry, x.repository) AS regs,"
		"   array_agg(x.repository ORDER BY x.registry, x.repository) AS repos"
		"   FROM (SELECT DISTINCT i.registry, i.repository FROM images i WHERE i.id IN ("
		"     SELECT bi.image_id FROM build_images bi WHERE bi.build_id = s.build_id"
		"     UNION SELECT ci.image_id FROM container_instances ci"
		"       WHERE ci.build_id = s.build_id AND ci.ended_at IS NULL)) x) sc,"
		" LATERAL muster_poam_reconcile(s.scanned_at, sc.regs, sc.repos, $2::int[], 'muster',"
		"   jsonb_build_object('scan_id', s.id)) r"
		" WHERE s.id = $1::bigint", scan_id, out);
}

int store_poam_update_after_snapshot(db_conn *c, long long snapshot_id, store_poam_counts *out)
{
	if (out)
		memset(out, 0, sizeof(*out));
	return run_scoped(c,
		"SELECT r.opened, r.changed, r.closed FROM runtime_snapshots rs,"
		" LATERAL (SELECT array_agg(x.registry ORDER BY x.registry, x.repository) AS regs,"
		"   array_agg(x.repository ORDER BY x.registry, x.repository) AS repos"
		"   FROM (SELECT DISTINCT i.registry, i.repository FROM container_instances ci"
		"     JOIN images i ON i.id = ci.image_id"
		"     WHERE ci.cluster = rs.cluster AND (rs.namespace IS NULL OR ci.namespace = rs.namespace)"
		"       AND (ci.first_seen = rs.observed_at OR ci.ended_at = rs.observed_at)) x) sc,"
		" LATERAL muster_poam_reconcile(rs.observed_at, sc.regs, sc.repos, $2::int[], 'muster',"
		"   jsonb_build_object('snapshot_id', rs.id)) r"
		" WHERE rs.id = $1::bigint", snapshot_id, out);
}

/* The lifecycle's time for a full pass: now, or the newest fact (event,
 * scan, snapshot) when that is later: facts never go back in time. */
static int evaluation_time(db_conn *c, time_t now, char *t, size_t tlen)
{
	char when[32];
	const char *params[] = {when};
	PGresult *r;
	int rc;

	snprintf(when, sizeof(when), "%lld", (long long)(now > 0 ? now : 0));
	rc = db_exec(c, &r, "SELECT greatest(CASE WHEN $1::bigint > 0 THEN to_timestamp($1::bigint) ELSE now() END,"
			    " (SELECT max(last_event_at) FROM poam_items), (SELECT max(scanned_at) FROM scans),"
			    " (SELECT max(observed_at) FROM runtime_snapshots))::text AS t", 1, params);
	if (rc)
		return rc;
	snprintf(t, tlen, "%s", db_get(r, 0, "t"));
	PQclear(r);
	return STORE_OK;
}

/* Walk the repositories of repo_sql (rows (registry, repository) after
 * ($3, $4), ordered, limited to $5) batch by batch, running batch_call
 * on each batch's arrays regs/repos in its own transaction. */
static int run_batches(db_conn *c, const char *t, const char *repo_sql, const char *batch_call,
		       const char *cluster, store_poam_counts *out, long long *kev_changed)
{
	char windows[32];
	buf sql;
	struct reconcile_tx tx;
	const char *params[6];
	int rc;

	poam_rules_windows(windows, sizeof(windows));
	buf_init(&sql, 1 << 20);
	if (buf_printf(&sql,
		       "WITH repos AS (%s), a AS (SELECT array_agg(registry ORDER BY registry, repository) AS regs,"
		       "  array_agg(repository ORDER BY registry, repository) AS repos FROM repos)"
		       " SELECT cardinality(a.regs) AS n, a.regs[cardinality(a.regs)] AS last_reg,"
		       "  a.repos[cardinality(a.repos)] AS last_repo, r.*"
		       " FROM a, LATERAL %s r WHERE a.regs IS NOT NULL", repo_sql, batch_call))
		return STORE_ERR_INTERNAL;
	memset(&tx, 0, sizeof(tx));
	params[0] = t;
	params[1] = windows;
	params[2] = tx.last_reg;
	params[3] = tx.last_repo;
	params[4] = POAM_BATCH;
	params[5] = cluster;
	tx.sql = sql.data;
	tx.params = params;
	tx.nparams = cluster ? 6 : 5;
	for (;;) {
		rc = db_transaction(c, reconcile_tx, &tx);
		if (rc || !tx.found || tx.batch == 0)
			break;
		if (out) {
			out->opened += tx.got.opened;
			out->changed += tx.got.changed;
			out->closed += tx.got.closed;
		}
		if (kev_changed)
			*kev_changed += tx.got.kev;
		memcpy(tx.last_reg, tx.next_reg, sizeof(tx.last_reg));
		memcpy(tx.last_repo, tx.next_repo, sizeof(tx.last_repo));
	}
	buf_free(&sql);
	return rc;
}

static int kev_tx(db_conn *c, void *payload)
{
	struct reconcile_tx *t = payload;
	PGresult *r;
	int rc;

	t->found = 0;
	t->batch = 0;
	memset(&t->got, 0, sizeof(t->got));
	rc = db_exec(c, &r, t->sql, t->nparams, t->params);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		t->found = 1;
		t->batch = db_get_ll(r, 0, "n");
		t->got.kev = db_get_ll(r, 0, "kev");
		snprintf(t->next_reg, sizeof(t->next_reg), "%s", db_get(r, 0, "last_reg") ? db_get(r, 0, "last_reg") : "");
		snprintf(t->next_repo, sizeof(t->next_repo), "%s",
			 db_get(r, 0, "last_repo") ? db_get(r, 0, "last_repo") : "");
	}
	PQclear(r);
	return STORE_OK;
}

static int kev_batches(db_conn *c, const char *t, long long *changed)
{
	const char *params[4];
	struct reconcile_tx tx;
	int rc;

	memset(&tx, 0, sizeof(tx));
	params[0] = t;
	params[1] = tx.last_reg;
	params[2] = tx.last_repo;
	params[3] = POAM_BATCH;
	tx.sql = "WITH repos AS (SELECT DISTINCT registry, repository FROM poam_items WHERE status = 'open'"
		 "  AND (registry, repository) > ($2::text, $3::text) ORDER BY 1, 2 LIMIT $4::int),"
		 " a AS (SELECT array_agg(registry ORDER BY registry, repository) AS regs,"
		 "  array_agg(repository ORDER BY registry, repository) AS repos FROM repos)"
		 " SELECT cardinality(a.regs) AS n, a.regs[cardinality(a.regs)] AS last_reg,"
		 "  a.repos[cardinality(a.repos)] AS last_repo,"
		 "  muster_poam_kev_sync($1::timestamptz, a.regs, a.repos, 'muster') AS kev"
		 " FROM a WHERE a.regs IS NOT NULL";
	tx.params = params;
	tx.nparams = 4;
	for (;;) {
		rc = db_transaction(c, kev_tx, &tx);
		if (rc || !tx.found || tx.batch == 0)
			break;
		if (changed)
			*changed += tx.got.kev;
		memcpy(tx.last_reg, tx.next_reg, sizeof(tx.last_reg));
		memcpy(tx.last_repo, tx.next_repo, sizeof(tx.last_repo));
	}
	return rc;
}

int store_poam_evaluate(db_conn *c, time_t now, store_poam_counts *out)
{
	char t[64];
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	rc = evaluation_time(c, now, t, sizeof(t));
	if (rc)
		return rc;
	rc = run_batches(c, t,
		"SELECT i.registry, i.repository FROM images i"
		"  WHERE EXISTS (SELECT 1 FROM container_instances ci WHERE ci.image_id = i.id AND ci.ended_at IS NULL)"
		"    AND (i.registry, i.repository) > ($3::text, $4::text)"
		" UNION SELECT registry, repository FROM poam_items WHERE status = 'open'"
		"    AND (registry, repository) > ($3::text, $4::text)"
		" ORDER BY 1, 2 LIMIT $5::int",
		"muster_poam_reconcile($1::timestamptz, a.regs, a.repos, $2::int[], 'muster',"
		" '{\"evaluation\": true}'::jsonb)", NULL, out, NULL);
	if (rc)
		return rc;
	return kev_batches(c, t, out ? &out->kev : NULL);
}

int store_poam_evaluate_periodic(db_conn *c, int every_minutes, int *ran, store_poam_counts *out)
{
	char every[16], counts[160];
	const char *params[1];
	store_poam_counts n;
	PGresult *r;
	int rc;

	*ran = 0;
	memset(&n, 0, sizeof(n));
	if (out)
		*out = n;
	snprintf(every, sizeof(every), "%d", every_minutes);
	params[0] = every;
	rc = db_exec(c, &r,
		"INSERT INTO job_runs (job, started_at) VALUES ('poam_evaluate', now())"
		" ON CONFLICT (job) DO UPDATE SET started_at = now(), finished_at = NULL, detail = NULL"
		"  WHERE job_runs.started_at <= now() - make_interval(mins => $1::int)"
		"     OR (job_runs.finished_at IS NULL AND job_runs.started_at <= now() - interval '1 hour')"
		" RETURNING 1", 1, params);
	if (rc)
		return rc;
	*ran = PQntuples(r) == 1;
	PQclear(r);
	if (!*ran)
		return STORE_OK;
	rc = store_poam_evaluate(c, 0, &n);
	if (rc)
		return rc;
	if (out)
		*out = n;
	snprintf(counts, sizeof(counts), "{\"opened\": %lld, \"changed\": %lld, \"closed\": %lld, \"kev\": %lld}",
		 n.opened, n.changed, n.closed, n.kev);
	params[0] = counts;
	return db_command(c, "UPDATE job_runs SET finished_at = now(), detail = $1::jsonb WHERE job = 'poam_evaluate'",
			  1, params);
}

int store_poam_update_after_environment(db_conn *c, const char *cluster, time_t now, store_poam_counts *out)
{
	char t[64];
	int rc;

	if (out)
		memset(out, 0, sizeof(*out));
	rc = evaluation_time(c, now, t, sizeof(t));
	if (rc)
		return rc;
	return run_batches(c, t,
		"SELECT DISTINCT i.registry, i.repository FROM container_instances ci JOIN images i ON i.id = ci.image_id"
		"  WHERE ci.cluster = $6 AND ci.ended_at IS NULL"
		"    AND (i.registry, i.repository) > ($3::text, $4::text)"
		" ORDER BY 1, 2 LIMIT $5::int",
		"muster_poam_reconcile($1::timestamptz, a.regs, a.repos, $2::int[], 'muster',"
		" jsonb_build_object('cluster', $6::text))", cluster, out, NULL);
}

int store_poam_kev_refresh(db_conn *c, time_t now, long long *changed)
{
	char t[64];
	int rc;

	if (changed)
		*changed = 0;
	rc = evaluation_time(c, now, t, sizeof(t));
	if (rc)
		return rc;
	return kev_batches(c, t, changed);
}

/* ---- reads ---- */

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

#define ITEM_OBJ(as, gr) \
	"((it.state - 'asset_ids' - 'assets_text' - 'cves_text') || jsonb_build_object('id', it.id," \
	" 'late', " LATE_SQL(as, gr) "," \
	" 'current_risk', coalesce(it.adjusted_risk, it.original_risk)))"

int store_poam_list(db_conn *c, const poam_filter *f, const store_page *p, char **json)
{
	char lim[32], cur[32] = "0", late[8], kev[8], img[32], asof[32], grace[16];
	const char *params[10];

	if (p->cursor)
		snprintf(cur, sizeof(cur), "%s", p->cursor);
	snprintf(lim, sizeof(lim), "%lld", p->limit);
	snprintf(late, sizeof(late), "%d", f->late);
	snprintf(kev, sizeof(kev), "%d", f->kev);
	snprintf(img, sizeof(img), "%lld", f->image_id);
	snprintf(asof, sizeof(asof), "%lld", (long long)f->as_of);
	snprintf(grace, sizeof(grace), "%d", POAM_CHECKIN_GRACE_DAYS);
	params[0] = lim;
	params[1] = cur;
	params[2] = f->status;
	params[3] = f->risk;
	params[4] = late;
	params[5] = kev;
	params[6] = f->image_id ? img : NULL;
	params[7] = f->weakness;
	params[8] = asof;
	params[9] = grace;
	return one_json(c, PAGE_WRAP(
		"SELECT it.id AS k, " ITEM_OBJ("to_timestamp($9::bigint)", "$10::int") " AS obj"
		" FROM poam_items it"
		" WHERE it.id > $2::bigint AND ($3::text IS NULL OR it.status = $3)"
		"  AND ($4::text IS NULL OR coalesce(it.adjusted_risk, it.original_risk) = $4)"
		"  AND ($5::int < 0 OR " LATE_SQL("to_timestamp($9::bigint)", "$10::int") " = ($5::int = 1))"
		"  AND ($6::int < 0 OR (it.kev_due IS NOT NULL) = ($6::int = 1))"
		"  AND ($7::bigint IS NULL OR it.asset_ids @> ARRAY[$7::bigint])"
		"  AND ($8::text IS NULL OR it.weakness = $8 OR $8 = ANY (it.aliases))"
		" ORDER BY it.id LIMIT $1::int + 1"), 10, params, json);
}

int store_poam_get(db_conn *c, long long id, time_t as_of, char **json)
{
	char sid[32], asof[32], grace[16];
	const char *params[] = {sid, asof, grace};

	snprintf(sid, sizeof(sid), "%lld", id);
	snprintf(asof, sizeof(asof), "%lld", (long long)as_of);
	snprintf(grace, sizeof(grace), "%d", POAM_CHECKIN_GRACE_DAYS);
	return one_json(c,
		"SELECT (" ITEM_OBJ("to_timestamp($2::bigint)", "$3::int") " || jsonb_build_object("
		" 'history', coalesce((SELECT jsonb_agg(jsonb_build_object('at', " TS("e.at") ", 'kind', e.kind,"
		"   'actor', e.actor, 'changes', e.delta - 'asset_ids' - 'assets_text' - 'cves_text', 'detail', e.detail) ORDER BY e.at, e.id)"
		"   FROM poam_events e WHERE e.item_id = it.id), '[]'),"
		" 'deviations', coalesce((SELECT jsonb_agg(jsonb_build_object('n', d.n, 'type', d.type,"
		"   'adjusted_risk', d.adjusted_risk, 'rationale', d.rationale,"
		"   'supporting_documents', to_jsonb(d.supporting_documents), 'status', d.status,"
		"   'requested_at', " TS("d.requested_at") ", 'requested_by', d.requested_by,"
		"   'decided_at', " TS("d.decided_at") ", 'official', d.official, 'decided_by', d.decided_by)"
		"   ORDER BY d.n) FROM poam_deviations d WHERE d.item_id = it.id), '[]'),"
		" 'checkins', coalesce((SELECT jsonb_agg(jsonb_build_object('at', " TS("k.at") ", 'note', k.note,"
		"   'recorded_by', k.recorded_by) ORDER BY k.at, k.id) FROM poam_checkins k WHERE k.item_id = it.id), '[]')"
		"))::text FROM poam_items it WHERE it.id = $1::bigint", 3, params, json);
}

/* ---- single-item writes ---- */

struct item_ctx {
	long long id;
	char sid[32];
	char t[64];                /* the event time, as PostgreSQL printed it */
	int open;
	risk_rating original;
	int has_adjusted;
	risk_rating adjusted;
};

/* Lock the item's repository and row; fill x. at = 0: now. */
static int item_lock(db_conn *c, long long id, time_t at, struct item_ctx *x)
{
	char when[32];
	const char *params[3];
	PGresult *r;
	int rc;

	memset(x, 0, sizeof(*x));
	x->id = id;
	snprintf(x->sid, sizeof(x->sid), "%lld", id);
	snprintf(when, sizeof(when), "%lld", (long long)(at > 0 ? at : 0));
	params[0] = x->sid;
	rc = db_exec(c, &r, "SELECT muster_poam_lock(ARRAY[registry], ARRAY[repository]) FROM poam_items"
			    " WHERE id = $1::bigint", 1, params);
	if (rc)
		return rc;
	rc = PQntuples(r) == 1 ? STORE_OK : STORE_ERR_NOTFOUND;
	PQclear(r);
	if (rc)
		return rc;
	params[1] = when;
	rc = db_exec(c, &r,
		"SELECT status, original_risk, adjusted_risk,"
		" greatest(CASE WHEN $2::bigint > 0 THEN to_timestamp($2::bigint) ELSE now() END, last_event_at)::text AS t"
		" FROM poam_items WHERE id = $1::bigint FOR UPDATE", 2, params);
	if (rc)
		return rc;
	x->open = !strcmp(db_get(r, 0, "status"), "open");
	if (risk_from_name(db_get(r, 0, "original_risk"), &x->original))
		x->original = RISK_HIGH;
	x->has_adjusted = db_get(r, 0, "adjusted_risk") &&
			  risk_from_name(db_get(r, 0, "adjusted_risk"), &x->adjusted) == 0;
	snprintf(x->t, sizeof(x->t), "%s", db_get(r, 0, "t"));
	PQclear(r);
	return STORE_OK;
}

static risk_rating current_risk(const struct item_ctx *x)
{
	return x->has_adjusted ? x->adjusted : x->original;
}

static int record_event(db_conn *c, const struct item_ctx *x, const char *kind, const store_actor *who,
			const char *delta, const char *detail)
{
	const char *params[] = {x->sid, x->t, kind, who && who->name ? who->name : "cli", delta, detail};

	return db_command(c, "SELECT muster_poam_event($1::bigint, $2::timestamptz, $3, $4, $5::jsonb, $6::jsonb)",
			  6, params);
}

/* A JSON object as text (caller frees); NULL on failure. Steals obj. */
static char *dump_obj(json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	return s;
}

struct edit_tx {
	const store_actor *who;
	long long id;
	const char *delta;
	time_t at;
};

static int edit_tx(db_conn *c, void *payload)
{
	struct edit_tx *t = payload;
	struct item_ctx x;
	char detail[96];
	int rc;

	rc = item_lock(c, t->id, t->at, &x);
	if (!rc)
		rc = record_event(c, &x, "updated", t->who, t->delta, NULL);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "{\"poam_item\":%lld}", t->id);
	return store_audit(c, t->who, "poam.update", detail);
}

int store_poam_edit(db_conn *c, const store_actor *who, long long id, const char *delta_json, time_t at)
{
	struct edit_tx t = {who, id, delta_json, at};

	return db_transaction(c, edit_tx, &t);
}

struct checkin_tx {
	const store_actor *who;
	long long id;
	time_t at;
	const char *note;
};

static int checkin_tx(db_conn *c, void *payload)
{
	struct checkin_tx *t = payload;
	struct item_ctx x;
	char detail[96];
	json_t *d;
	char *delta;
	int rc;

	rc = item_lock(c, t->id, t->at, &x);
	if (rc)
		return rc;
	if (!x.open)
		return STORE_ERR_CONFLICT;
	{
		const char *params[] = {x.sid, x.t, t->note, t->who && t->who->name ? t->who->name : "cli"};

		rc = db_command(c, "INSERT INTO poam_checkins (item_id, at, note, recorded_by)"
				   " VALUES ($1::bigint, $2::timestamptz, $3, $4)", 4, params);
		if (rc)
			return rc;
	}
	{
		const char *params[] = {x.t};
		PGresult *r;

		rc = db_exec(c, &r, "SELECT muster_poam_day($1::timestamptz) AS d", 1, params);
		if (rc)
			return rc;
		d = json_pack("{ss}", "last_checkin", db_get(r, 0, "d"));
		PQclear(r);
	}
	delta = dump_obj(d);
	if (!delta)
		return STORE_ERR_INTERNAL;
	rc = record_event(c, &x, "checkin", t->who, delta, NULL);
	free(delta);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "{\"poam_item\":%lld}", t->id);
	return store_audit(c, t->who, "poam.checkin", detail);
}

int store_poam_checkin(db_conn *c, const store_actor *who, long long id, time_t at, const char *note)
{
	struct checkin_tx t = {who, id, at, note};

	return db_transaction(c, checkin_tx, &t);
}

/* Recompute the deviation columns from every request of the item and
 * record them as one event (with extra fields merged in). */
static int deviation_event(db_conn *c, const struct item_ctx *x, const store_actor *who, const char *kind,
			   int n)
{
	const char *params[] = {x->sid};
	poam_deviation *devs = NULL;
	poam_dev_columns cols;
	json_t **docs = NULL, *delta = NULL;
	const char **doclist = NULL;
	buf rat, sup;
	char detail[96], *dtext = NULL;
	PGresult *r = NULL;
	size_t i, j, nd = 0, total_docs = 0, used = 0;
	int rc;

	buf_init(&rat, 1 << 20);
	buf_init(&sup, 1 << 20);
	rc = db_exec(c, &r, "SELECT type, status, adjusted_risk, rationale,"
			    " array_to_json(supporting_documents)::text AS docs"
			    " FROM poam_deviations WHERE item_id = $1::bigint ORDER BY n", 1, params);
	if (rc)
		goto cleanup;
	nd = (size_t)PQntuples(r);
	devs = calloc(nd ? nd : 1, sizeof(*devs));
	docs = calloc(nd ? nd : 1, sizeof(*docs));
	if (!devs || !docs) {
		rc = STORE_ERR_INTERNAL;
		goto cleanup;
	}
	for (i = 0; i < nd; i++) {
		docs[i] = json_loads(db_get(r, (int)i, "docs") ? db_get(r, (int)i, "docs") : "[]", 0, NULL);
		if (json_is_array(docs[i]))
			total_docs += json_array_size(docs[i]);
	}
	doclist = calloc(total_docs ? total_docs : 1, sizeof(*doclist));
	if (!doclist) {
		rc = STORE_ERR_INTERNAL;
		goto cleanup;
	}
	for (i = 0; i < nd; i++) {
		poam_deviation *d = &devs[i];

		if (poam_rules_dev_type_parse(db_get(r, (int)i, "type"), &d->type) ||
		    poam_rules_dev_status_parse(db_get(r, (int)i, "status"), &d->status)) {
			rc = STORE_ERR_INTERNAL;
			goto cleanup;
		}
		if (db_get(r, (int)i, "adjusted_risk"))
			risk_from_name(db_get(r, (int)i, "adjusted_risk"), &d->adjusted);
		d->rationale = db_get(r, (int)i, "rationale");
		d->documents = doclist + used;
		for (j = 0; json_is_array(docs[i]) && j < json_array_size(docs[i]); j++) {
			const char *s = json_string_value(json_array_get(docs[i], j));

			if (s)
				doclist[used + d->ndocuments++] = s;
		}
		used += d->ndocuments;
	}
	poam_rules_dev_columns(devs, nd, &cols);
	if (poam_rules_dev_rationale(devs, nd, &rat) || poam_rules_dev_documents(devs, nd, &sup)) {
		rc = STORE_ERR_INTERNAL;
		goto cleanup;
	}
	delta = json_pack("{ssssssss?ss?ss?ss}", "risk_adjustment", cols.risk_adjustment,
			  "false_positive", cols.false_positive,
			  "operational_requirement", cols.operational_requirement,
			  "adjusted_risk", cols.has_adjusted ? risk_name(cols.adjusted) : NULL,
			  "deviation_rationale", rat.len ? rat.data : NULL,
			  "supporting_documents", sup.len ? sup.data : NULL,
			  "auto_approve", "No");
	if (!delta) {
		rc = STORE_ERR_INTERNAL;
		goto cleanup;
	}
	if (cols.closes && x->open) {
		json_object_set_new(delta, "status", json_string("closed"));
		json_object_set_new(delta, "close_reason", json_string("false_positive"));
	}
	dtext = dump_obj(delta);
	delta = NULL;
	if (!dtext) {
		rc = STORE_ERR_INTERNAL;
		goto cleanup;
	}
	snprintf(detail, sizeof(detail), "{\"deviation\":%d}", n);
	rc = record_event(c, x, kind, who, dtext, detail);
cleanup:
	for (i = 0; docs && i < nd; i++)
		json_decref(docs[i]);
	free(docs);
	free(doclist);
	free(devs);
	free(dtext);
	json_decref(delta);
	PQclear(r);
	buf_free(&rat);
	buf_free(&sup);
	return rc;
}

/* A text[] literal of strings: {"a","b"}, quoted (caller frees). */
static char *text_array(const char *const *items, size_t n)
{
	buf b;
	size_t i;
	const char *p;
	int rc;

	buf_init(&b, (size_t)-1);
	rc = buf_append(&b, "{", 1);
	for (i = 0; i < n && !rc; i++) {
		rc = buf_append(&b, i ? ",\"" : "\"", i ? 2 : 1);
		for (p = items[i]; p && *p && !rc; p++) {
			if (*p == '"' || *p == '\\')
				rc = buf_append(&b, "\\", 1);
			if (!rc)
				rc = buf_append(&b, p, 1);
		}
		if (!rc)
			rc = buf_append(&b, "\"", 1);
	}
	if (!rc)
		rc = buf_append(&b, "}", 1);
	return rc ? NULL : buf_detach(&b, NULL);
}

struct devreq_tx {
	const store_actor *who;
	long long id;
	const poam_dev_request *rq;
	int n;
	poam_dev_err why;
};

static int devreq_tx(db_conn *c, void *payload)
{
	struct devreq_tx *t = payload;
	const poam_dev_request *rq = t->rq;
	struct item_ctx x;
	char detail[160], *docs;
	PGresult *r;
	int rc;

	t->why = POAM_DEV_OK;
	rc = item_lock(c, t->id, rq->at, &x);
	if (rc)
		return rc;
	t->why = poam_rules_dev_request_check(x.open, current_risk(&x), rq->type, rq->has_adjusted, rq->adjusted);
	if (t->why != POAM_DEV_OK)
		return STORE_ERR_INVALID;
	docs = text_array(rq->documents, rq->ndocuments);
	if (!docs)
		return STORE_ERR_INTERNAL;
	{
		const char *params[] = {x.sid, poam_rules_dev_type_name(rq->type),
					rq->has_adjusted ? risk_name(rq->adjusted) : NULL, rq->rationale, docs, x.t,
					t->who && t->who->name ? t->who->name : "cli"};

		rc = db_exec(c, &r,
			"INSERT INTO poam_deviations (item_id, n, type, adjusted_risk, rationale, supporting_documents,"
			" requested_at, requested_by)"
			" SELECT $1::bigint, coalesce(max(n), 0) + 1, $2, $3, $4, $5::text[], $6::timestamptz, $7"
			" FROM poam_deviations WHERE item_id = $1::bigint RETURNING n", 7, params);
	}
	free(docs);
	if (rc)
		return rc;
	t->n = (int)db_get_ll(r, 0, "n");
	PQclear(r);
	rc = deviation_event(c, &x, t->who, "deviation_requested", t->n);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "{\"poam_item\":%lld,\"deviation\":%d,\"type\":\"%s\"}", t->id, t->n,
		 poam_rules_dev_type_name(rq->type));
	return store_audit(c, t->who, "poam.deviation.request", detail);
}

int store_poam_deviation_request(db_conn *c, const store_actor *who, long long id,
				 const poam_dev_request *rq, int *n_out, poam_dev_err *why)
{
	struct devreq_tx t = {who, id, rq, 0, POAM_DEV_OK};
	int rc = db_transaction(c, devreq_tx, &t);

	if (why)
		*why = t.why;
	if (rc == STORE_OK && n_out)
		*n_out = t.n;
	return rc;
}

struct decide_tx {
	const store_actor *who;
	long long id;
	int n;
	int approve;
	const char *official;
	time_t at;
	poam_dev_err why;
};

static int decide_tx(db_conn *c, void *payload)
{
	struct decide_tx *t = payload;
	struct item_ctx x;
	poam_dev_type type;
	poam_dev_status status;
	char sn[16], detail[160];
	PGresult *r;
	int rc;

	t->why = POAM_DEV_OK;
	rc = item_lock(c, t->id, t->at, &x);
	if (rc)
		return rc;
	snprintf(sn, sizeof(sn), "%d", t->n);
	{
		const char *params[] = {x.sid, sn};

		rc = db_exec(c, &r, "SELECT type, status FROM poam_deviations WHERE item_id = $1::bigint"
				    " AND n = $2::int FOR UPDATE", 2, params);
	}
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return STORE_ERR_NOTFOUND;
	}
	rc = poam_rules_dev_type_parse(db_get(r, 0, "type"), &type) ||
	     poam_rules_dev_status_parse(db_get(r, 0, "status"), &status);
	PQclear(r);
	if (rc)
		return STORE_ERR_INTERNAL;
	t->why = poam_rules_dev_decide_check(x.open, status, t->approve, type, current_risk(&x));
	if (t->why != POAM_DEV_OK)
		return STORE_ERR_INVALID;
	{
		const char *params[] = {x.sid, sn, t->approve ? "approved" : "rejected", x.t, t->official,
					t->who && t->who->name ? t->who->name : "cli"};

		rc = db_command(c, "UPDATE poam_deviations SET status = $3, decided_at = $4::timestamptz,"
				   " official = $5, decided_by = $6 WHERE item_id = $1::bigint AND n = $2::int",
				6, params);
	}
	if (!rc)
		rc = deviation_event(c, &x, t->who, "deviation_decided", t->n);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "{\"poam_item\":%lld,\"deviation\":%d,\"approved\":%s}", t->id, t->n,
		 t->approve ? "true" : "false");
	return store_audit(c, t->who, "poam.deviation.decision", detail);
}

int store_poam_deviation_decide(db_conn *c, const store_actor *who, long long id, int n,
				int approve, const char *official, time_t at, poam_dev_err *why)
{
	struct decide_tx t = {who, id, n, approve, official, at, POAM_DEV_OK};
	int rc = db_transaction(c, decide_tx, &t);

	if (why)
		*why = t.why;
	return rc;
}
