/*
 * dashboard.c - the key figures as of a time and their monthly trend
 * (dashboard.h). One statement computes the figures for a set of points in
 * time; each part is an as-of filter over kept history, so the answer for
 * a past time does not change when asked again. The POA&M part reads the
 * POA&M tables when they exist (schema/006_poam.sql) and reports zeros
 * while they do not.
 */
#include "dashboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../policy/poam_rules.h"
#include "../util/buf.h"
#include "db.h"

#define DASH_SQL_MAX (256 * 1024)
#define DTS(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/*
 * Points, containers and scan age. $1 is the array of points in time.
 *   run: container instances running at t (first_seen <= t < ended_at);
 *   scope: each (cluster, namespace) with its environment at t;
 *   pbuild: builds running in production at t, with their asset;
 *   asset: per production asset, the oldest "latest scan at t" over its
 *     production builds (NULL when one of them was never scanned by t).
 */
static const char sql_base[] =
	"WITH pts AS MATERIALIZED ("
	"  SELECT coalesce(p.t, date_trunc('second', now()) + interval '1 second') AS t, p.i, p.t IS NULL AS cur"
	"  FROM unnest($1::timestamptz[]) WITH ORDINALITY AS p(t, i)),"
	" run AS MATERIALIZED ("
	"  SELECT p.i, ci.cluster, ci.namespace, ci.image_id, ci.build_id"
	"  FROM pts p JOIN container_instances ci"
	"    ON ci.first_seen <= p.t AND (ci.ended_at IS NULL OR ci.ended_at > p.t)),"
	" scope AS MATERIALIZED ("
	"  SELECT s.i, s.cluster, s.namespace,"
	"         coalesce(muster_environment(s.cluster, s.namespace, p.t) = 'production', false) AS prod"
	"  FROM (SELECT DISTINCT i, cluster, namespace FROM run) s JOIN pts p USING (i)),"
	" cont AS ("
	"  SELECT r.i, count(*) FILTER (WHERE s.prod) AS prod, count(*) FILTER (WHERE NOT s.prod) AS other"
	"  FROM run r JOIN scope s USING (i, cluster, namespace) GROUP BY r.i),"
	" pbuild AS MATERIALIZED ("
	"  SELECT DISTINCT r.i, r.image_id, r.build_id"
	"  FROM run r JOIN scope s USING (i, cluster, namespace) WHERE s.prod),"
	" lscan AS MATERIALIZED ("
	"  SELECT b.i, b.image_id, b.build_id, p.t, ls.id AS scan_id, ls.scanned_at"
	"  FROM pbuild b JOIN pts p USING (i)"
	"  LEFT JOIN LATERAL (SELECT sc.id, sc.scanned_at FROM scans sc"
	"    WHERE sc.build_id = b.build_id AND sc.scanned_at <= p.t"
	"    ORDER BY sc.scanned_at DESC, sc.id DESC LIMIT 1) ls ON true),"
	" asset AS ("
	"  SELECT i, image_id, t, CASE WHEN bool_or(scanned_at IS NULL) THEN NULL"
	"         ELSE min(scanned_at) END AS at"
	"  FROM lscan GROUP BY i, image_id, t),"
	" age AS ("
	"  SELECT i,"
	"   count(*) FILTER (WHERE at > t - interval '7 days') AS d7,"
	"   count(*) FILTER (WHERE at <= t - interval '7 days' AND at > t - interval '30 days') AS d30,"
	"   count(*) FILTER (WHERE at <= t - interval '30 days') AS dover,"
	"   count(*) FILTER (WHERE at IS NULL) AS never"
	"  FROM asset GROUP BY i),"
	" viol AS ("
	"  SELECT p.i, a.rule, count(*) AS n FROM pts p"
	"  JOIN alerts a ON a.opened_at <= p.t AND (a.resolved_at IS NULL OR a.resolved_at > p.t)"
	"  GROUP BY p.i, a.rule),"
	" imgs AS ("
	"  SELECT p.i, (SELECT count(*) FROM images im WHERE im.first_seen <= p.t) AS n FROM pts p),";

/*
 * The POA&M part (schema/006_poam.sql), as of each point t, in one pass
 * over the items open at t (opened_at <= t < closed_at; a weakness seen
 * again opens a new item, so an item opens and closes once):
 *   now (the point "now"): the open items' current columns;
 *   chg: the last time an event changed one of the fields the figures
 *     read (rating, scheduled date, vendor dependency, KEV date, check-in);
 *   fold: at a past t, for the few items with such a change after t, those
 *     fields as the fold of their events up to t (the latest delta setting
 *     each); the others read their current columns (other later events -
 *     assets changed, closed - do not touch them);
 *   st: each item's rating at t (the adjusted rating once approved, else
 *     the original), scheduled date, vendor dependency, KEV due date, last
 *     check-in and age in days since its Original Detection Date;
 *   agg: counts by point, rating and whole days of age - late (open past
 *     the scheduled date, unless vendor-dependent with a check-in within
 *     the grace days $2, as poam_rules_is_late), older than the escalation
 *     ages (30/60 days High, 90/120 Moderate), KEV and past CISA's date;
 *   pm: per point and rating, the median (the lower middle, in whole days:
 *     read off the cumulative histogram, no sort of the items) and the
 *     oldest age.
 * Deviations: requests pending at t, requests approved by t.
 */
static const char sql_poam[] =
	" chg AS MATERIALIZED ("
	"  SELECT e.item_id, max(e.at) AS at FROM poam_events e"
	"  WHERE e.kind <> 'opened' AND e.delta ?| ARRAY['adjusted_risk', 'scheduled', 'vendor_dependency',"
	"        'kev_due', 'last_checkin']"
	"  GROUP BY e.item_id),"
	" fold AS MATERIALIZED ("
	"  SELECT p.i, (p.t AT TIME ZONE 'UTC')::date AS day,"
	"   coalesce((array_agg(e.delta->>'adjusted_risk' ORDER BY e.at DESC, e.id DESC)"
	"      FILTER (WHERE e.delta ? 'adjusted_risk'))[1], x.original_risk) AS risk,"
	"   coalesce((array_agg(e.delta->>'scheduled' ORDER BY e.at DESC, e.id DESC)"
	"      FILTER (WHERE e.delta ? 'scheduled'))[1]::date, x.scheduled) AS scheduled,"
	"   coalesce((array_agg((e.delta->>'vendor_dependency')::boolean ORDER BY e.at DESC, e.id DESC)"
	"      FILTER (WHERE e.delta ? 'vendor_dependency'))[1], x.vendor_dependency) AS vd,"
	"   (array_agg(e.delta->>'kev_due' ORDER BY e.at DESC, e.id DESC)"
	"      FILTER (WHERE e.delta ? 'kev_due'))[1]::date AS kev_due,"
	"   max(e.at) FILTER (WHERE e.kind = 'checkin') AS last_checkin,"
	"   extract(epoch FROM p.t - x.detected_at) / 86400.0 AS age"
	"  FROM pts p JOIN chg c ON c.at > p.t"
	"  JOIN poam_items x ON x.id = c.item_id AND NOT p.cur AND x.opened_at <= p.t"
	"    AND (x.closed_at IS NULL OR x.closed_at > p.t)"
	"  JOIN poam_events e ON e.item_id = x.id AND e.at <= p.t"
	"  GROUP BY p.i, p.t, x.id, x.original_risk, x.scheduled, x.vendor_dependency, x.detected_at),"
	" st AS ("
	/* now: the current columns of the open items */
	"  SELECT p.i, (p.t AT TIME ZONE 'UTC')::date AS day, coalesce(x.adjusted_risk, x.original_risk) AS risk,"
	"   x.scheduled, x.vendor_dependency AS vd, x.kev_due, x.last_checkin,"
	"   extract(epoch FROM p.t - x.detected_at) / 86400.0 AS age"
	"  FROM pts p JOIN poam_items x ON p.cur AND x.status = 'open'"
	"  UNION ALL"
	/* a past time, items whose fields did not change since: their columns */
	"  SELECT p.i, (p.t AT TIME ZONE 'UTC')::date, coalesce(x.adjusted_risk, x.original_risk),"
	"   x.scheduled, x.vendor_dependency, x.kev_due, x.last_checkin,"
	"   extract(epoch FROM p.t - x.detected_at) / 86400.0"
	"  FROM pts p JOIN poam_items x ON NOT p.cur AND x.opened_at <= p.t"
	"    AND (x.closed_at IS NULL OR x.closed_at > p.t)"
	"  WHERE NOT EXISTS (SELECT 1 FROM chg c WHERE c.item_id = x.id AND c.at > p.t)"
	"  UNION ALL"
	/* a past time, items with later events: the fold */
	"  SELECT i, day, risk, scheduled, vd, kev_due, last_checkin, age FROM fold),"
" agg AS ("
	"  SELECT i, risk, floor(age)::int AS d, count(*) AS n,"
	"   count(*) FILTER (WHERE scheduled < day AND NOT (vd AND last_checkin IS NOT NULL"
	"     AND (last_checkin AT TIME ZONE 'UTC')::date >= day - $2::int)) AS late,"
	"   count(*) FILTER (WHERE age > CASE risk WHEN 'High' THEN 30 ELSE 90 END) AS o_a,"
	"   count(*) FILTER (WHERE age > CASE risk WHEN 'High' THEN 60 ELSE 120 END) AS o_b,"
	"   count(*) FILTER (WHERE kev_due IS NOT NULL) AS kev,"
	"   count(*) FILTER (WHERE kev_due < day) AS kev_over"
	"  FROM st GROUP BY 1, 2, 3),"
	" cum AS ("
	"  SELECT a.*, sum(n) OVER (PARTITION BY i, risk ORDER BY d) AS c,"
	"         sum(n) OVER (PARTITION BY i, risk) AS tot FROM agg a),"
	" pm AS ("
	"  SELECT i, risk, sum(n)::bigint AS open, sum(late)::bigint AS late,"
	"   min(d) FILTER (WHERE 2 * c >= tot) AS median_days, max(d) AS oldest_days,"
	"   sum(o_a)::bigint AS o_a, sum(o_b)::bigint AS o_b"
	"  FROM cum GROUP BY 1, 2),"
	" kv AS (SELECT i, sum(kev)::bigint AS open, sum(kev_over)::bigint AS overdue FROM agg GROUP BY i),"
	" dv AS ("
	"  SELECT p.i,"
	"   count(*) FILTER (WHERE d.requested_at <= p.t AND (d.decided_at IS NULL OR d.decided_at > p.t)) AS pending,"
	"   count(*) FILTER (WHERE d.status = 'approved' AND d.decided_at <= p.t) AS approved"
	"  FROM pts p CROSS JOIN poam_deviations d GROUP BY p.i)";

/* The figures of every point, one JSON object each, in point order. */
static const char sql_select[] =
	" pmx AS ("
	"  SELECT i,"
	"   sum(open) FILTER (WHERE risk = 'High') AS open_h,"
	"   sum(open) FILTER (WHERE risk = 'Moderate') AS open_m,"
	"   sum(open) FILTER (WHERE risk = 'Low') AS open_l,"
	"   sum(late) FILTER (WHERE risk = 'High') AS late_h,"
	"   sum(late) FILTER (WHERE risk = 'Moderate') AS late_m,"
	"   sum(late) FILTER (WHERE risk = 'Low') AS late_l,"
	"   max(median_days) FILTER (WHERE risk = 'High') AS med_h,"
	"   max(median_days) FILTER (WHERE risk = 'Moderate') AS med_m,"
	"   max(median_days) FILTER (WHERE risk = 'Low') AS med_l,"
	"   max(oldest_days) FILTER (WHERE risk = 'High') AS old_h,"
	"   max(oldest_days) FILTER (WHERE risk = 'Moderate') AS old_m,"
	"   max(oldest_days) FILTER (WHERE risk = 'Low') AS old_l,"
	"   coalesce(sum(o_a) FILTER (WHERE risk = 'High'), 0) AS h30,"
	"   coalesce(sum(o_b) FILTER (WHERE risk = 'High'), 0) AS h60,"
	"   coalesce(sum(o_a) FILTER (WHERE risk = 'Moderate'), 0) AS m90,"
	"   coalesce(sum(o_b) FILTER (WHERE risk = 'Moderate'), 0) AS m120"
	"  FROM pm GROUP BY i),"
	" obj AS ("
	"  SELECT p.i, p.t, json_build_object("
	"   'as_of', " DTS("p.t") ","
	"   'images', coalesce(im.n, 0),"
	"   'containers', json_build_object('production', coalesce(ct.prod, 0), 'other', coalesce(ct.other, 0)),"
	"   'scan_age', json_build_object('0-7', coalesce(ag.d7, 0), '8-30', coalesce(ag.d30, 0),"
	"      'over_30', coalesce(ag.dover, 0), 'never', coalesce(ag.never, 0)),"
	"   'violations', (SELECT json_object_agg(r.rule, coalesce(v.n, 0) ORDER BY r.ord)"
	"      FROM (VALUES (1, 'scan_window'), (2, 'hardening'), (3, 'registry'), (4, 'kev')) r(ord, rule)"
	"      LEFT JOIN viol v ON v.i = p.i AND v.rule = r.rule),"
	"   'poam', json_build_object("
	"      'open', json_build_object('High', coalesce(x.open_h, 0), 'Moderate', coalesce(x.open_m, 0),"
	"         'Low', coalesce(x.open_l, 0)),"
	"      'late', json_build_object('High', coalesce(x.late_h, 0), 'Moderate', coalesce(x.late_m, 0),"
	"         'Low', coalesce(x.late_l, 0)),"
	"      'age', json_build_object("
	"         'High', json_build_object('median_days', x.med_h, 'oldest_days', x.old_h),"
	"         'Moderate', json_build_object('median_days', x.med_m, 'oldest_days', x.old_m),"
	"         'Low', json_build_object('median_days', x.med_l, 'oldest_days', x.old_l))),"
	"   'kev', json_build_object('open', coalesce(kv.open, 0), 'overdue', coalesce(kv.overdue, 0)),"
	"   'deviations', json_build_object('pending', coalesce(dv.pending, 0), 'approved', coalesce(dv.approved, 0)),"
	"   'escalations', json_build_array("
	"      json_build_object('name', 'detailed_finding_review', 'risk', 'High', 'older_than_days', 30,"
	"         'threshold', 5, 'count', coalesce(x.h30, 0), 'crossed', coalesce(x.h30, 0) >= 5),"
	"      json_build_object('name', 'corrective_action_plan', 'risk', 'High', 'older_than_days', 60,"
	"         'threshold', 5, 'count', coalesce(x.h60, 0), 'crossed', coalesce(x.h60, 0) >= 5),"
	"      json_build_object('name', 'detailed_finding_review', 'risk', 'Moderate', 'older_than_days', 90,"
	"         'threshold', 10, 'count', coalesce(x.m90, 0), 'crossed', coalesce(x.m90, 0) >= 10),"
	"      json_build_object('name', 'corrective_action_plan', 'risk', 'Moderate', 'older_than_days', 120,"
	"         'threshold', 10, 'count', coalesce(x.m120, 0), 'crossed', coalesce(x.m120, 0) >= 10))"
	"  ) AS o"
	"  FROM pts p"
	"  LEFT JOIN imgs im USING (i) LEFT JOIN cont ct USING (i) LEFT JOIN age ag USING (i)"
	"  LEFT JOIN pmx x USING (i) LEFT JOIN kv USING (i) LEFT JOIN dv USING (i))";

/* The statement for the points: the base, the POA&M part, the select and
 * the given final projection. b is initialized here (caller frees). */
static int build_sql(buf *b, const char *final)
{
	buf_init(b, DASH_SQL_MAX);
	if (buf_puts(b, sql_base) || buf_puts(b, sql_poam) || buf_puts(b, ",") ||
	    buf_puts(b, sql_select) || buf_puts(b, final))
		return STORE_ERR_INTERNAL;
	return STORE_OK;
}

/* A Postgres array literal of timestamps given as epoch seconds; 0 is
 * NULL, which the statement reads as now (rounded up to the second, so that
 * everything committed before the question counts). */
static int points_literal(const time_t *ts, size_t n, buf *out)
{
	size_t i;
	int rc = buf_puts(out, "{");

	for (i = 0; i < n && rc == 0; i++) {
		struct tm tm;
		char s[40];

		if (ts[i] == 0) {
			rc = buf_printf(out, "%sNULL", i ? "," : "");
			continue;
		}
		if (!gmtime_r(&ts[i], &tm))
			return -1;
		strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S+00", &tm);
		rc = buf_printf(out, "%s\"%s\"", i ? "," : "", s);
	}
	return rc ? rc : buf_puts(out, "}");
}

/* One JSON text of a single-value result (caller frees). */
static int run_json(db_conn *c, const char *sql, int n, const char *const *params, char **json)
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

struct figures_tx {
	const char *sql;
	int n;
	const char *const *params;
	char **json;
};

/*
 * The statement in a read-only transaction tuned for one big aggregate:
 * memory enough to hash-aggregate the POA&M items instead of sorting them,
 * and no JIT compilation (it costs more than it saves here).
 */
static int figures_tx_fn(db_conn *c, void *payload)
{
	struct figures_tx *t = payload;
	int rc;

	rc = db_command(c, "SET TRANSACTION READ ONLY", 0, NULL);
	if (!rc)
		rc = db_command(c, "SET LOCAL work_mem = '64MB'", 0, NULL);
	if (!rc)
		rc = db_command(c, "SET LOCAL jit = off", 0, NULL);
	if (!rc)
		rc = run_json(c, t->sql, t->n, t->params, t->json);
	return rc;
}

static int run_figures(db_conn *c, const char *sql, int n, const char *const *params, char **json)
{
	struct figures_tx t = {sql, n, params, json};
	int rc = db_transaction(c, figures_tx_fn, &t);

	if (rc) {
		free(*json);
		*json = NULL;
	}
	return rc;
}

int store_dashboard_at(db_conn *c, time_t as_of, char **json)
{
	buf sql, pts;
	const char *params[2];
	char grace[16];
	int rc;

	*json = NULL;
	buf_init(&pts, 4096);
	if (points_literal(&as_of, 1, &pts))
		return STORE_ERR_INTERNAL;
	rc = build_sql(&sql, " SELECT o::text FROM obj");
	if (rc == STORE_OK) {
		snprintf(grace, sizeof(grace), "%d", POAM_CHECKIN_GRACE_DAYS);
		params[0] = pts.data;
		params[1] = grace;
		rc = run_figures(c, sql.data, 2, params, json);
	}
	buf_free(&sql);
	buf_free(&pts);
	return rc;
}

/* The first second of the month `back` months before t's month (UTC). */
static time_t month_start(time_t t, int back)
{
	struct tm tm;
	int m;

	gmtime_r(&t, &tm);
	m = tm.tm_year * 12 + tm.tm_mon - back;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = m / 12;
	tm.tm_mon = m % 12;
	tm.tm_mday = 1;
	return timegm(&tm);
}

int store_dashboard_trend(db_conn *c, time_t now, int months, char **json)
{
	time_t ts[DASHBOARD_MAX_MONTHS];
	const char *params[3];
	char nm[16], grace[16];
	buf sql, pts;
	int k, rc;

	*json = NULL;
	if (months < 1 || months > DASHBOARD_MAX_MONTHS)
		return STORE_ERR_INVALID;
	/* oldest first: the last second of each past month, then now */
	for (k = 0; k < months - 1; k++)
		ts[k] = month_start(now, months - 2 - k) - 1;
	ts[months - 1] = 0;   /* now, on the database's clock */
	buf_init(&pts, 8192);
	if (points_literal(ts, (size_t)months, &pts))
		return STORE_ERR_INTERNAL;
	snprintf(nm, sizeof(nm), "%d", months);
	rc = build_sql(&sql,
		" SELECT json_build_object('months', $3::int, 'points',"
		"  json_agg((jsonb_build_object('month', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM'))"
		"            || o::jsonb) ORDER BY i))::text FROM obj");
	if (rc == STORE_OK) {
		snprintf(grace, sizeof(grace), "%d", POAM_CHECKIN_GRACE_DAYS);
		params[0] = pts.data;
		params[1] = grace;
		params[2] = nm;
		rc = run_figures(c, sql.data, 3, params, json);
	}
	buf_free(&sql);
	buf_free(&pts);
	return rc;
}

int store_dashboard_stamp(db_conn *c, char *out, size_t len)
{
	PGresult *r;
	int rc;

	rc = db_exec(c, &r, "SELECT pg_current_snapshot()::text", 0, NULL);
	if (rc)
		return rc;
	snprintf(out, len, "%s", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return STORE_OK;
}

int store_dashboard_image(db_conn *c, long long image_id, char **json)
{
	char id[32];
	const char *params[] = {id};

	*json = NULL;
	snprintf(id, sizeof(id), "%lld", image_id);
	return run_json(c,
		"WITH img AS (SELECT id FROM images WHERE id = $1::bigint),"
		" ls AS ("
		"  SELECT x.id FROM build_images bi"
		"  CROSS JOIN LATERAL (SELECT sc.id FROM scans sc WHERE sc.build_id = bi.build_id"
		"    ORDER BY sc.scanned_at DESC, sc.id DESC LIMIT 1) x"
		"  WHERE bi.image_id = $1::bigint),"
		" f AS (SELECT f.risk, f.weakness FROM findings f WHERE f.scan_id IN (SELECT id FROM ls)),"
		" ci AS ("
		"  SELECT coalesce(muster_environment(ci.cluster, ci.namespace, now()) = 'production', false) AS prod"
		"  FROM container_instances ci WHERE ci.image_id = $1::bigint AND ci.ended_at IS NULL)"
		" SELECT json_build_object("
		"  'findings', json_build_object("
		"    'High', (SELECT count(*) FROM f WHERE risk = 'High'),"
		"    'Moderate', (SELECT count(*) FROM f WHERE risk = 'Moderate'),"
		"    'Low', (SELECT count(*) FROM f WHERE risk = 'Low')),"
		"  'kev', (SELECT count(DISTINCT f.weakness) FROM f JOIN kev_entries k ON k.cve = f.weakness),"
		"  'containers', json_build_object("
		"    'production', (SELECT count(*) FROM ci WHERE prod),"
		"    'other', (SELECT count(*) FROM ci WHERE NOT prod)))::text"
		" FROM img", 1, params, json);
}

int store_dashboard_late_items(db_conn *c, long long offset, int limit, char **json)
{
	char off[32], lim[32], grace[16];
	const char *params[] = {off, lim, grace};

	*json = NULL;
	if (offset < 0 || limit < 1 || limit > 1000)
		return STORE_ERR_INVALID;
	snprintf(off, sizeof(off), "%lld", offset);
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(grace, sizeof(grace), "%d", POAM_CHECKIN_GRACE_DAYS);
	return run_json(c,
		"WITH d AS (SELECT (now() AT TIME ZONE 'UTC')::date AS day),"
		" late AS MATERIALIZED ("
		"  SELECT it.id, it.weakness, coalesce(it.adjusted_risk, it.original_risk) AS risk,"
		"         it.scheduled, it.asset_ids, d.day - it.scheduled AS days_late"
		"  FROM poam_items it, d"
		"  WHERE it.status = 'open' AND it.scheduled < d.day"
		"    AND NOT (it.vendor_dependency AND it.last_checkin IS NOT NULL"
		"      AND (it.last_checkin AT TIME ZONE 'UTC')::date >= d.day - $3::int)),"
		" page AS (SELECT * FROM late ORDER BY scheduled, id OFFSET $1::bigint LIMIT $2::int)"
		" SELECT json_build_object("
		"  'items', coalesce((SELECT json_agg(json_build_object("
		"     'poam_id', 'V-' || p.id, 'weakness', p.weakness, 'risk', p.risk,"
		"     'scheduled_completion', p.scheduled::text, 'days_late', p.days_late,"
		"     'image', (SELECT json_build_object('id', i.id, 'uai', i.uai) FROM images i"
		"               WHERE i.id = p.asset_ids[1]))"
		"   ORDER BY p.scheduled, p.id) FROM page p), '[]'::json),"
		"  'total', (SELECT count(*) FROM late))::text", 3, params, json);
}

int store_dashboard_counts(db_conn *c, store_counts *out)
{
	PGresult *r;
	int rc;

	rc = db_exec(c, &r,
		"SELECT (SELECT coalesce(sum(findings_count), 0) FROM scans) AS findings,"
		" (SELECT count(*) FROM scans) AS scans,"
		" (SELECT count(*) FROM images) AS images,"
		" (SELECT count(*) FROM alerts WHERE status = 'open') AS alerts_open,"
		" (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS pending,"
		" (SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered') AS delivered,"
		" (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed') AS failed,"
		" (SELECT count(*) FROM sessions WHERE expires_at > now()) AS sessions", 0, NULL);
	if (rc)
		return rc;
	out->findings = db_get_ll(r, 0, "findings");
	out->scans = db_get_ll(r, 0, "scans");
	out->images = db_get_ll(r, 0, "images");
	out->alerts_open = db_get_ll(r, 0, "alerts_open");
	out->deliveries_pending = db_get_ll(r, 0, "pending");
	out->deliveries_delivered = db_get_ll(r, 0, "delivered");
	out->deliveries_failed = db_get_ll(r, 0, "failed");
	out->sessions = db_get_ll(r, 0, "sessions");
	PQclear(r);
	return STORE_OK;
}
