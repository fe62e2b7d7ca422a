/*
 * inventory_report.c - the inventory workbook's rows (inventory_report.h):
 * one set-based statement over history, read through a cursor inside a
 * read-only REPEATABLE READ transaction, 1000 rows a FETCH, the next FETCH
 * sent before the caller writes the current rows. See docs/inventory.md for
 * the rules each part of the statement implements.
 */
#include "inventory_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

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
 * period, or now() while it runs), and t minus the scan window of the
 * policy in force at t (a whole number of days, else 30).
 */
#define BOUNDS_SQL \
	"WITH b AS (SELECT to_timestamp($1::bigint) AS ps," \
	"   least(to_timestamp($2::bigint) - interval '1 microsecond', now()) AS t)" \
	" SELECT b.ps::text AS ps, b.t::text AS t, (b.t - make_interval(days => coalesce((SELECT CASE" \
	"     WHEN v.doc->>'scan_window_days' ~ '^[0-9]{1,4}$' AND (v.doc->>'scan_window_days')::int > 0" \
	"     THEN (v.doc->>'scan_window_days')::int END" \
	"   FROM policy_versions v WHERE v.valid_from <= b.t" \
	"   ORDER BY v.valid_from DESC, v.id DESC LIMIT 1), 30)))::text AS since FROM b"

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

	if (PQstatus(c->pg) != CONNECTION_OK)
		return;
	while ((r = PQgetResult(c->pg)) != NULL)
		PQclear(r);
	if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
		return;
	r = PQexec(c->pg, "ROLLBACK");
	PQclear(r);
}

/* Send the next FETCH without waiting: PostgreSQL produces the next batch
 * while the caller writes the current one. */
static int fetch_send(db_conn *c)
{
	if (!PQsendQuery(c->pg, "FETCH " XSTR(INVENTORY_FETCH_ROWS) " FROM muster_inventory"))
		return db_error(c, NULL, "FETCH");
	return STORE_OK;
}

/* The result of the FETCH in flight, in *out (the caller clears it). */
static int fetch_wait(db_conn *c, PGresult **out)
{
	PGresult *r, *keep = NULL;
	int rc = STORE_OK;

	*out = NULL;
	while ((r = PQgetResult(c->pg)) != NULL) {
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
	if (rc == STORE_OK && !keep)
		rc = db_error(c, NULL, "FETCH");
	if (rc) {
		PQclear(keep);
		return rc;
	}
	*out = keep;
	return STORE_OK;
}

int store_inventory_rows(db_conn *c, const inventory_period *p, inventory_row_fn fn,
			 void *payload, long long *nrows)
{
	char start[32], end[32], ps[64], t[64], since[64];
	const char *bparams[] = {start, end};
	const char *params[] = {ps, t, since};
	int col[C_COUNT], resolved = 0, n, i, inflight = 0;
	long long count = 0;
	inventory_row row;
	PGresult *r = NULL;
	int rc;

	if (nrows)
		*nrows = 0;
	if (!p || !fn || p->end <= p->start)
		return STORE_ERR_INVALID;
	snprintf(start, sizeof(start), "%lld", (long long)p->start);
	snprintf(end, sizeof(end), "%lld", (long long)p->end);

	rc = db_command(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);
	if (rc)
		return rc;
	/*
	 * UTC: day arithmetic of the scan window must not depend on the
	 * server's zone. The statement is a few large hash joins and sorts:
	 * room for them in memory, no nested loops over row estimates the
	 * planner cannot make for CTEs, and no JIT (compiling costs more than
	 * it saves here).
	 */
	rc = db_command(c, "SET LOCAL TimeZone = 'UTC'", 0, NULL);
	if (!rc)
		rc = db_command(c, "SET LOCAL work_mem = '64MB'", 0, NULL);
	if (!rc)
		rc = db_command(c, "SET LOCAL enable_nestloop = off", 0, NULL);
	if (!rc)
		rc = db_command(c, "SET LOCAL jit = off", 0, NULL);
	if (rc)
		goto fail;
	rc = db_exec(c, &r, BOUNDS_SQL, 2, bparams);
	if (rc)
		goto fail;
	snprintf(ps, sizeof(ps), "%s", PQgetvalue(r, 0, 0));
	snprintf(t, sizeof(t), "%s", PQgetvalue(r, 0, 1));
	snprintf(since, sizeof(since), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	r = NULL;
	rc = db_exec(c, NULL, "DECLARE muster_inventory NO SCROLL CURSOR FOR " INVENTORY_SQL, 3, params);
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
	if (nrows)
		*nrows = count;
	return STORE_OK;
fail:
	PQclear(r);
	finish_failed(c);
	return rc;
}
