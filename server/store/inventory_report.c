/*
 * inventory_report.c - the inventory workbook's rows (inventory_report.h):
 * one set-based statement over history, read through a cursor inside a
 * read-only REPEATABLE READ transaction, 1000 rows a FETCH, the next FETCH
 * sent before the caller writes the current rows; and finalized months,
 * whose rows that statement computed once and stored. See
 * docs/inventory.md for the rules each part of the statement implements.
 */
#include "inventory_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define RFC3339(x) "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define STR(x) #x
#define XSTR(x) STR(x)     /* a numeric macro as a string literal */
#define CELL "32767"   /* Excel's characters per cell; left() counts characters */

/* A metadata string field, or NULL when absent or not a JSON string. */
#define MD_STR(key) \
	"left(CASE WHEN jsonb_typeof(m.doc->'" key "') = 'string' THEN m.doc->>'" key "' END, " CELL ")"

/* A setting row (hardening, asset_metadata) in force at t ($2). */
#define IN_FORCE(a) a ".valid_from <= $2 AND (" a ".valid_to IS NULL OR " a ".valid_to > $2)"

/* Instances that may have run in [ps, t] (refined by the production check). */
#define IN_PERIOD "ci.first_seen <= $2 AND coalesce(ci.ended_at, ci.last_seen) >= $1"

/*
 * The period's bounds, taken once inside the report's transaction (so
 * now() is the snapshot's time): ps, the end t (the last microsecond of the
 * period, or now() while it runs), t minus the scan window of the policy
 * in force at t (a whole number of days, else 30), and whether the period
 * has ended.
 */
#define BOUNDS_SQL \
	"WITH b AS (SELECT to_timestamp($1::bigint) AS ps," \
	"   least(to_timestamp($2::bigint) - interval '1 microsecond', now()) AS t)" \
	" SELECT b.ps::text AS ps, b.t::text AS t, (b.t - make_interval(days => coalesce((SELECT CASE" \
	"     WHEN v.doc->>'scan_window_days' ~ '^[0-9]{1,4}$' AND (v.doc->>'scan_window_days')::int > 0" \
	"     THEN (v.doc->>'scan_window_days')::int END" \
	"   FROM policy_versions v WHERE v.valid_from <= b.t" \
	"   ORDER BY v.valid_from DESC, v.id DESC LIMIT 1), 30)))::text AS since," \
	" b.t = to_timestamp($2::bigint) - interval '1 microsecond' AS ended FROM b"

/*
 * $1 ps, $2 t, $3 t minus the scan window (timestamptz).
 *   scopes  (cluster, namespace) pairs with instances in the period.
 *   prod    per scope the stretches [seg_from, seg_to) of the period during
 *           which it was production: the environment is piecewise constant
 *           between environment changes, so it is evaluated at ps and at
 *           every valid_from / valid_to in (ps, t].
 *   qb      production instances (those overlapping a production stretch:
 *           [first_seen, ended_at), or [first_seen, last_seen] while not
 *           ended) counted per asset, build and cluster.
 *   fs, ls  per production build: the earliest scan (its recorded digest,
 *           the registry digest by the identity rules) and the last scan
 *           at or before t.
 *   bd      the digest shown for a build: fs's, else its smallest digest.
 *   os      per asset, the latest scan at or before t naming an OS.
 *   h*, m*  hardening and metadata in force at t: the image's own, else
 *           (hardening) or under it (metadata keys) the repository's.
 *   al      the UAI in force at t: a former UAI renamed after t.
 */
#define INVENTORY_SQL \
	"WITH scopes AS (SELECT DISTINCT ci.cluster, ci.namespace FROM container_instances ci" \
	"  WHERE " IN_PERIOD ")," \
	" pts AS (" \
	"  SELECT s.cluster, s.namespace, $1::timestamptz AS at FROM scopes s" \
	"  UNION" \
	"  SELECT s.cluster, s.namespace, x.at FROM scopes s" \
	"  JOIN (SELECT e.cluster, e.valid_from AS at FROM environments e" \
	"        UNION ALL SELECT e.cluster, e.valid_to FROM environments e) x ON x.cluster = s.cluster" \
	"  WHERE x.at > $1 AND x.at <= $2)," \
	" prod AS MATERIALIZED (" \
	"  SELECT g.cluster, g.namespace, g.seg_from, g.seg_to" \
	"  FROM (SELECT cluster, namespace, at AS seg_from," \
	"          lead(at) OVER (PARTITION BY cluster, namespace ORDER BY at) AS seg_to FROM pts) g" \
	"  WHERE muster_environment(g.cluster, g.namespace, g.seg_from) = 'production')," \
	" qb AS MATERIALIZED (" \
	"  SELECT ci.image_id, ci.build_id, ci.cluster, count(*) AS n FROM container_instances ci" \
	"  WHERE " IN_PERIOD \
	"    AND EXISTS (SELECT 1 FROM prod s WHERE s.cluster = ci.cluster AND s.namespace = ci.namespace" \
	"      AND (s.seg_to IS NULL OR ci.first_seen < s.seg_to)" \
	"      AND CASE WHEN ci.ended_at IS NULL THEN ci.last_seen >= s.seg_from" \
	"               ELSE ci.ended_at > s.seg_from END)" \
	"  GROUP BY ci.image_id, ci.build_id, ci.cluster)," \
	" b AS MATERIALIZED (SELECT DISTINCT image_id, build_id FROM qb)," \
	" fs AS (SELECT DISTINCT ON (sc.build_id) sc.build_id, sc.digest FROM scans sc" \
	"  WHERE sc.build_id IN (SELECT build_id FROM b) ORDER BY sc.build_id, sc.scanned_at, sc.id)," \
	" ls AS (SELECT sc.build_id, max(sc.scanned_at) AS last_scan FROM scans sc" \
	"  WHERE sc.build_id IN (SELECT build_id FROM b) AND sc.scanned_at <= $2 GROUP BY sc.build_id)," \
	" bd AS (SELECT b.image_id, ls.last_scan, coalesce(fs.digest," \
	"    (SELECT min(d.digest COLLATE \"C\") FROM digests d WHERE d.build_id = b.build_id)) COLLATE \"C\" AS digest" \
	"  FROM b LEFT JOIN fs ON fs.build_id = b.build_id LEFT JOIN ls ON ls.build_id = b.build_id)," \
	" agg AS (SELECT image_id," \
	"    array_agg(DISTINCT digest ORDER BY digest) FILTER (WHERE digest IS NOT NULL) AS digests," \
	"    bool_and(last_scan IS NOT NULL) AS scanned," \
	"    bool_and(last_scan IS NOT NULL AND last_scan > $3) AS in_window" \
	"  FROM bd GROUP BY image_id)," \
	" os AS (SELECT DISTINCT ON (b.image_id) b.image_id," \
	"    concat_ws(' ', sc.os_family, nullif(sc.os_version, '')) AS os" \
	"  FROM b JOIN scans sc ON sc.build_id = b.build_id" \
	"  WHERE sc.scanned_at <= $2 AND coalesce(sc.os_family, '') <> ''" \
	"  ORDER BY b.image_id, sc.scanned_at DESC, sc.id DESC)," \
	" ic AS (SELECT image_id, cluster, sum(n) AS n FROM qb GROUP BY image_id, cluster)," \
	" ast AS (SELECT image_id, sum(n) AS n_containers, count(*) AS n_clusters," \
	"    string_agg(cluster, ', ' ORDER BY cluster COLLATE \"C\") AS clusters FROM ic GROUP BY image_id)," \
	" hf AS MATERIALIZED (SELECT h.id, h.image_id, h.registry, h.repository, h.baseline, h.valid_from" \
	"  FROM hardening h WHERE " IN_FORCE("h") ")," \
	" hi AS (SELECT DISTINCT ON (image_id) image_id, baseline FROM hf WHERE image_id IS NOT NULL" \
	"  ORDER BY image_id, valid_from DESC, id DESC)," \
	" hr AS (SELECT DISTINCT ON (registry, repository) registry, repository, baseline FROM hf" \
	"  WHERE image_id IS NULL ORDER BY registry, repository, valid_from DESC, id DESC)," \
	" mf AS MATERIALIZED (SELECT a.id, a.image_id, a.registry, a.repository, a.doc, a.valid_from" \
	"  FROM asset_metadata a WHERE " IN_FORCE("a") " AND jsonb_typeof(a.doc) = 'object')," \
	" mi AS (SELECT DISTINCT ON (image_id) image_id, doc FROM mf WHERE image_id IS NOT NULL" \
	"  ORDER BY image_id, valid_from DESC, id DESC)," \
	" mr AS (SELECT DISTINCT ON (registry, repository) registry, repository, doc FROM mf" \
	"  WHERE image_id IS NULL ORDER BY registry, repository, valid_from DESC, id DESC)," \
	" al AS (SELECT DISTINCT ON (image_id) image_id, uai FROM image_aliases WHERE created_at > $2" \
	"  ORDER BY image_id, created_at, uai)," \
	" res AS (" \
	"  SELECT i.id AS image_id, left(coalesce(al.uai, i.uai), " CELL ") AS uai," \
	"    array_to_string(g.digests[1:" XSTR(INVENTORY_MAX_DIGEST_LINES) "], E'\\n')" \
	"      || CASE WHEN cardinality(g.digests) > " XSTR(INVENTORY_MAX_DIGEST_LINES) \
	"         THEN format(E'\\n(and %s more)', cardinality(g.digests) - " \
	XSTR(INVENTORY_MAX_DIGEST_LINES) ") ELSE '' END AS digests," \
	"    g.scanned, g.in_window," \
	"    left(coalesce(hi.baseline, hr.baseline), " CELL ") AS baseline," \
	"    left(os.os, " CELL ") AS os," \
	"    CASE WHEN jsonb_typeof(m.doc->'public') = 'boolean' THEN (m.doc->'public')::text END AS public," \
	"    " MD_STR("diagram_label") " AS diagram_label," \
	"    " MD_STR("function") " AS function," \
	"    " MD_STR("owner") " AS owner," \
	"    " MD_STR("application_owner") " AS application_owner," \
	"    " MD_STR("vendor") " AS vendor," \
	"    " MD_STR("software_name_version") " AS software_name_version," \
	"    " MD_STR("end_of_life") " AS end_of_life," \
	"    " MD_STR("location") " AS location," \
	"    " MD_STR("comments") " AS comments," \
	"    a.n_containers, a.n_clusters, left(a.clusters, 16000) AS clusters" \
	"  FROM ast a" \
	"  JOIN images i ON i.id = a.image_id" \
	"  JOIN agg g ON g.image_id = a.image_id" \
	"  LEFT JOIN al ON al.image_id = i.id" \
	"  LEFT JOIN os ON os.image_id = a.image_id" \
	"  LEFT JOIN hi ON hi.image_id = i.id" \
	"  LEFT JOIN hr ON hr.registry = i.registry AND hr.repository = i.repository" \
	"  LEFT JOIN mi ON mi.image_id = i.id" \
	"  LEFT JOIN mr ON mr.registry = i.registry AND mr.repository = i.repository" \
	"  CROSS JOIN LATERAL (SELECT CASE WHEN mi.doc IS NULL THEN mr.doc WHEN mr.doc IS NULL THEN mi.doc" \
	"    ELSE mr.doc || mi.doc END AS doc) m)" \
	" SELECT * FROM res ORDER BY uai COLLATE \"C\", image_id"

/* A finalized period's stored rows, in workbook order, under the column
 * names of INVENTORY_SQL ($1 the inventory_finals id). */
#define FINAL_ROWS_SQL \
	"SELECT image_id, uai, digests, scanned, in_window, baseline, os, public::text AS public," \
	" diagram_label, function, owner, application_owner, vendor, software_name_version," \
	" end_of_life, location, comments, n_containers, n_clusters, clusters" \
	" FROM inventory_final_rows WHERE final_id = $1::bigint ORDER BY ord"

/* Store INVENTORY_SQL's rows as those of finalization $4, numbered in
 * workbook order. */
#define FINALIZE_ROWS_SQL \
	"INSERT INTO inventory_final_rows (final_id, ord, image_id, uai, digests, scanned, in_window," \
	" baseline, os, public, diagram_label, function, owner, application_owner, vendor," \
	" software_name_version, end_of_life, location, comments, n_containers, n_clusters, clusters)" \
	" SELECT $4::bigint, row_number() OVER (ORDER BY r.uai COLLATE \"C\", r.image_id), r.image_id," \
	" r.uai, r.digests, r.scanned, r.in_window, r.baseline, r.os, r.public::boolean, r.diagram_label," \
	" r.function, r.owner, r.application_owner, r.vendor, r.software_name_version, r.end_of_life," \
	" r.location, r.comments, r.n_containers, r.n_clusters, r.clusters" \
	" FROM (" INVENTORY_SQL ") r"

#define FINAL_COLUMNS \
	"id, label, " RFC3339("period_start") " AS period_start, " RFC3339("period_end") " AS period_end," \
	" " RFC3339("finalized_at") " AS finalized_at, finalized_by," \
	" coalesce(" RFC3339("superseded_at") ", '') AS superseded_at, rows"

#define SAME_PERIOD "period_start = to_timestamp($1::bigint) AND period_end = to_timestamp($2::bigint)"

/* Column positions of one result, resolved once. */
enum {
	C_IMAGE_ID, C_UAI, C_DIGESTS, C_SCANNED, C_IN_WINDOW, C_BASELINE, C_OS, C_PUBLIC,
	C_DIAGRAM, C_FUNCTION, C_OWNER, C_APP_OWNER, C_VENDOR, C_SOFTWARE, C_EOL,
	C_LOCATION, C_COMMENTS, C_CONTAINERS, C_N_CLUSTERS, C_CLUSTERS, C_COUNT
};

static const char *const column_names[C_COUNT] = {
	"image_id", "uai", "digests", "scanned", "in_window", "baseline", "os", "public",
	"diagram_label", "function", "owner", "application_owner", "vendor",
	"software_name_version", "end_of_life", "location", "comments", "n_containers",
	"n_clusters", "clusters"
};

static int resolve_columns(PGresult *r, int *col)
{
	int i;

	for (i = 0; i < C_COUNT; i++) {
		col[i] = PQfnumber(r, column_names[i]);
		if (col[i] < 0)
			return STORE_ERR_INTERNAL;
	}
	return STORE_OK;
}

static const char *val(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static long long val_ll(PGresult *r, int row, int col)
{
	const char *v = val(r, row, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

static int val_bool(PGresult *r, int row, int col, int unknown)
{
	const char *v = val(r, row, col);

	if (!v)
		return unknown;
	return !strcmp(v, "t") || !strcmp(v, "true");
}

static void fill_row(PGresult *r, int row, const int *col, inventory_row *o)
{
	o->image_id = val_ll(r, row, col[C_IMAGE_ID]);
	o->uai = val(r, row, col[C_UAI]);
	o->digests = val(r, row, col[C_DIGESTS]);
	o->all_scanned = val_bool(r, row, col[C_SCANNED], 0);
	o->all_in_window = val_bool(r, row, col[C_IN_WINDOW], 0);
	o->baseline = val(r, row, col[C_BASELINE]);
	o->os = val(r, row, col[C_OS]);
	o->public_ = val_bool(r, row, col[C_PUBLIC], -1);
	o->diagram_label = val(r, row, col[C_DIAGRAM]);
	o->function = val(r, row, col[C_FUNCTION]);
	o->owner = val(r, row, col[C_OWNER]);
	o->application_owner = val(r, row, col[C_APP_OWNER]);
	o->vendor = val(r, row, col[C_VENDOR]);
	o->software_name_version = val(r, row, col[C_SOFTWARE]);
	o->end_of_life = val(r, row, col[C_EOL]);
	o->location = val(r, row, col[C_LOCATION]);
	o->comments = val(r, row, col[C_COMMENTS]);
	o->containers = val_ll(r, row, col[C_CONTAINERS]);
	o->n_clusters = val_ll(r, row, col[C_N_CLUSTERS]);
	o->clusters = val(r, row, col[C_CLUSTERS]);
}

/* Roll back whatever is left open (draining a FETCH still in flight); the
 * caller's result code stands. */
static void finish_failed(db_conn *c)
{
	PGresult *r;

	if (c->broken || PQstatus(c->pg) != CONNECTION_OK)
		return;
	while (db_wait(c) == STORE_OK && (r = PQgetResult(c->pg)) != NULL)
		PQclear(r);
	if (c->broken)
		return;
	if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
		return;
	r = PQexec(c->pg, "ROLLBACK");
	PQclear(r);
}

/* Send the next FETCH without waiting: PostgreSQL produces the next batch
 * while the caller writes the current one. */
static int fetch_send(db_conn *c)
{
	return db_send(c, "FETCH " XSTR(INVENTORY_FETCH_ROWS) " FROM muster_inventory", 0, NULL, NULL, NULL);
}

/* The result of the FETCH in flight, in *out (the caller clears it). */
static int fetch_wait(db_conn *c, PGresult **out)
{
	PGresult *r, *keep = NULL;
	int rc = STORE_OK, wrc;

	*out = NULL;
	while ((wrc = db_wait(c)) == STORE_OK && (r = PQgetResult(c->pg)) != NULL) {
		if (rc == STORE_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
			rc = db_error(c, r, "FETCH");
			PQclear(r);
			continue;
		}
		if (rc == STORE_OK && !keep)
			keep = r;
		else
			PQclear(r);
	}
	if (rc == STORE_OK)
		rc = wrc;
	if (rc == STORE_OK && !keep)
		rc = db_error(c, NULL, "FETCH");
	if (rc) {
		PQclear(keep);
		return rc;
	}
	*out = keep;
	return STORE_OK;
}

/*
 * The settings of the statement: UTC (day arithmetic of the scan window
 * must not depend on the server's zone); room in memory for its few large
 * hash joins and sorts, no nested loops over row estimates the planner
 * cannot make for CTEs, and no JIT (compiling costs more than it saves).
 */
static int statement_settings(db_conn *c)
{
	int rc = db_command(c, "SET LOCAL TimeZone = 'UTC'", 0, NULL);

	if (!rc)
		rc = db_command(c, "SET LOCAL work_mem = '64MB'", 0, NULL);
	if (!rc)
		rc = db_command(c, "SET LOCAL enable_nestloop = off", 0, NULL);
	if (!rc)
		rc = db_command(c, "SET LOCAL jit = off", 0, NULL);
	return rc;
}

/* The period as parameters: its bounds in seconds, and from BOUNDS_SQL
 * ps, t, since and whether it has ended. */
struct bounds {
	char start[32], end[32];
	char ps[64], t[64], since[64];
	int ended;
};

static int period_bounds(db_conn *c, const inventory_period *p, struct bounds *b)
{
	const char *bparams[] = {b->start, b->end};
	PGresult *r = NULL;
	int rc;

	snprintf(b->start, sizeof(b->start), "%lld", (long long)p->start);
	snprintf(b->end, sizeof(b->end), "%lld", (long long)p->end);
	rc = db_exec(c, &r, BOUNDS_SQL, 2, bparams);
	if (rc)
		return rc;
	snprintf(b->ps, sizeof(b->ps), "%s", PQgetvalue(r, 0, 0));
	snprintf(b->t, sizeof(b->t), "%s", PQgetvalue(r, 0, 1));
	snprintf(b->since, sizeof(b->since), "%s", PQgetvalue(r, 0, 2));
	b->ended = !strcmp(PQgetvalue(r, 0, 3), "t");
	PQclear(r);
	return STORE_OK;
}

int store_inventory_rows(db_conn *c, const inventory_period *p, inventory_row_fn fn,
			 void *payload, inventory_source *src)
{
	struct bounds b;
	const char *params[3];
	char final_id[32] = "";
	int col[C_COUNT], resolved = 0, n, i, inflight = 0;
	long long count = 0;
	inventory_row row;
	PGresult *r = NULL;
	int rc;

	if (src)
		memset(src, 0, sizeof(*src));
	if (!p || !fn || p->end <= p->start)
		return STORE_ERR_INVALID;

	rc = db_command(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);
	if (rc)
		return rc;
	rc = statement_settings(c);
	if (rc)
		goto fail;
	rc = period_bounds(c, p, &b);
	if (rc)
		goto fail;
	/* a finalized period: its stored rows */
	params[0] = b.start;
	params[1] = b.end;
	rc = db_exec(c, &r, "SELECT id::text AS id, " RFC3339("finalized_at") " AS at FROM inventory_finals"
			    " WHERE " SAME_PERIOD " AND superseded_at IS NULL", 2, params);
	if (rc)
		goto fail;
	if (PQntuples(r) == 1) {
		snprintf(final_id, sizeof(final_id), "%s", PQgetvalue(r, 0, 0));
		if (src) {
			src->finalized = 1;
			snprintf(src->finalized_at, sizeof(src->finalized_at), "%s", PQgetvalue(r, 0, 1));
		}
	}
	PQclear(r);
	r = NULL;
	if (*final_id) {
		params[0] = final_id;
		rc = db_exec(c, NULL, "DECLARE muster_inventory NO SCROLL CURSOR FOR " FINAL_ROWS_SQL, 1, params);
	} else {
		params[0] = b.ps;
		params[1] = b.t;
		params[2] = b.since;
		rc = db_exec(c, NULL, "DECLARE muster_inventory NO SCROLL CURSOR FOR " INVENTORY_SQL, 3, params);
	}
	if (rc)
		goto fail;
	rc = fetch_send(c);
	if (rc)
		goto fail;
	inflight = 1;
	for (;;) {
		rc = fetch_wait(c, &r);
		inflight = 0;
		if (rc)
			goto fail;
		n = PQntuples(r);
		if (n == 0)
			break;
		if (!resolved) {
			rc = resolve_columns(r, col);
			if (rc)
				goto fail;
			resolved = 1;
		}
		/* a short batch is the last one */
		if (n == INVENTORY_FETCH_ROWS) {
			rc = fetch_send(c);
			if (rc)
				goto fail;
			inflight = 1;
		}
		for (i = 0; i < n; i++) {
			fill_row(r, i, col, &row);
			if (!row.uai) {
				rc = STORE_ERR_INTERNAL;
				goto fail;
			}
			rc = fn(&row, payload);
			if (rc)
				goto fail;
			count++;
		}
		PQclear(r);
		r = NULL;
		if (!inflight)
			break;
	}
	PQclear(r);
	r = NULL;
	rc = db_command(c, "CLOSE muster_inventory", 0, NULL);
	if (!rc)
		rc = db_command(c, "COMMIT", 0, NULL);
	if (rc)
		goto fail;
	if (src)
		src->rows = count;
	return STORE_OK;
fail:
	PQclear(r);
	finish_failed(c);
	return rc;
}

/* ---- finalized months ---- */

static void fill_final(PGresult *r, int row, inventory_final *f)
{
	const char *v;

	memset(f, 0, sizeof(*f));
	f->id = db_get_ll(r, row, "id");
	f->rows = db_get_ll(r, row, "rows");
	snprintf(f->label, sizeof(f->label), "%s", (v = db_get(r, row, "label")) ? v : "");
	snprintf(f->period_start, sizeof(f->period_start), "%s", (v = db_get(r, row, "period_start")) ? v : "");
	snprintf(f->period_end, sizeof(f->period_end), "%s", (v = db_get(r, row, "period_end")) ? v : "");
	snprintf(f->finalized_at, sizeof(f->finalized_at), "%s", (v = db_get(r, row, "finalized_at")) ? v : "");
	snprintf(f->finalized_by, sizeof(f->finalized_by), "%s", (v = db_get(r, row, "finalized_by")) ? v : "");
	snprintf(f->superseded_at, sizeof(f->superseded_at), "%s",
		 (v = db_get(r, row, "superseded_at")) ? v : "");
}

struct finalize_tx {
	const inventory_period *p;
	const store_actor *who;
	inventory_final *out;
	int replaced;
};

static int finalize_tx(db_conn *c, void *payload)
{
	struct finalize_tx *x = payload;
	struct bounds b;
	const char *params[4];
	char id[32], rows[32], detail[200];
	PGresult *r = NULL;
	int rc;

	x->replaced = 0;
	rc = statement_settings(c);
	if (!rc)
		rc = period_bounds(c, x->p, &b);
	if (rc)
		return rc;
	if (!b.ended)
		return STORE_ERR_INVALID;
	params[0] = b.start;
	params[1] = b.end;
	rc = db_exec(c, &r, "UPDATE inventory_finals SET superseded_at = now()"
			    " WHERE " SAME_PERIOD " AND superseded_at IS NULL", 2, params);
	if (rc)
		return rc;
	x->replaced = atoi(PQcmdTuples(r)) > 0;
	PQclear(r);
	params[0] = x->p->label;
	params[1] = b.start;
	params[2] = b.end;
	params[3] = x->who && x->who->name ? x->who->name : "cli";
	rc = db_exec(c, &r, "INSERT INTO inventory_finals (label, period_start, period_end, finalized_by)"
			    " VALUES ($1, to_timestamp($2::bigint), to_timestamp($3::bigint), $4)"
			    " RETURNING id::text AS id", 4, params);
	if (rc)
		return rc;
	snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	params[0] = b.ps;
	params[1] = b.t;
	params[2] = b.since;
	params[3] = id;
	rc = db_exec(c, &r, FINALIZE_ROWS_SQL, 4, params);
	if (rc)
		return rc;
	snprintf(rows, sizeof(rows), "%s", PQcmdTuples(r));   /* the rows just stored */
	PQclear(r);
	params[0] = id;
	params[1] = rows;
	rc = db_exec(c, &r, "UPDATE inventory_finals SET rows = $2::bigint WHERE id = $1::bigint"
			    " RETURNING " FINAL_COLUMNS, 2, params);
	if (rc)
		return rc;
	fill_final(r, 0, x->out);
	PQclear(r);
	snprintf(detail, sizeof(detail), "{\"final_id\":%lld,\"period\":\"%s\",\"rows\":%lld,\"replaced\":%s}",
		 x->out->id, x->p->label, x->out->rows, x->replaced ? "true" : "false");
	return store_audit(c, x->who, "inventory.finalize", detail);
}

int store_inventory_finalize(db_conn *c, const inventory_period *p, const store_actor *who,
			     inventory_final *out, int *replaced)
{
	struct finalize_tx x = {p, who, out, 0};
	int rc;

	if (!p || !out || p->end <= p->start)
		return STORE_ERR_INVALID;
	rc = db_transaction(c, finalize_tx, &x);
	if (replaced)
		*replaced = x.replaced;
	return rc;
}

int store_inventory_finals(db_conn *c, inventory_final **out, size_t *n)
{
	PGresult *r = NULL;
	int rc, i, rows;

	*out = NULL;
	*n = 0;
	rc = db_exec(c, &r, "SELECT " FINAL_COLUMNS " FROM inventory_finals ORDER BY id DESC", 0, NULL);
	if (rc)
		return rc;
	rows = PQntuples(r);
	if (rows > 0) {
		*out = calloc((size_t)rows, sizeof(**out));
		if (!*out) {
			PQclear(r);
			return STORE_ERR_INTERNAL;
		}
		for (i = 0; i < rows; i++)
			fill_final(r, i, &(*out)[i]);
	}
	*n = (size_t)rows;
	PQclear(r);
	return STORE_OK;
}
