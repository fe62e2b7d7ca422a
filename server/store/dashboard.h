/*
 * dashboard.h - the authorizing official's key figures as of a time, and
 * the same figures at each month's end (the trend), computed by aggregate
 * SQL over the kept history: container instances by first_seen/ended_at,
 * scans by scanned_at, alerts by opened_at/resolved_at, POA&M items by
 * their event log. No finding row is loaded into the server.
 * See docs/dashboard.md for each figure's exact definition.
 */
#ifndef MUSTER_STORE_DASHBOARD_H
#define MUSTER_STORE_DASHBOARD_H

#include <stddef.h>
#include <time.h>

#include "store.h"

#define DASHBOARD_MAX_MONTHS 36

/*
 * The figures at as_of (0 = now: the database's clock rounded up to the
 * whole second, so that everything committed before counts), as one JSON
 * object (malloc'd into *json, caller
 * frees): {"as_of","images","containers":{"production","other"},
 * "scan_age":{"0-7","8-30","over_30","never"},"violations":{rule:n},
 * "poam":{"open":{risk:n},"late":{risk:n},"age":{risk:{"median_days",
 * "oldest_days"}}},"kev":{"open","overdue"},"deviations":{"pending",
 * "approved"},"escalations":[{"name","risk","older_than_days",
 * "threshold","count","crossed"}]}.
 * Returns STORE_OK or a STORE_ERR_* code.
 */
int store_dashboard_at(db_conn *c, time_t as_of, char **json);

/*
 * The same figures at the end of each of the last `months` months
 * (1..DASHBOARD_MAX_MONTHS, else STORE_ERR_INVALID), oldest first; the
 * current month's point is now (as in store_dashboard_at); `now` only
 * decides which months those are. *json (malloc'd):
 * {"months":n,"points":[{"month":"YYYY-MM", ...figures...}]}.
 */
int store_dashboard_trend(db_conn *c, time_t now, int months, char **json);

/*
 * A stamp of the committed state of the whole database (the transaction
 * snapshot: xmin, xmax and in-progress ids), written to out (NUL-terminated,
 * truncated to len). Two equal stamps mean no write committed in between,
 * so a figure computed under the first stamp is still exact: callers cache
 * on it. STORE_OK or a STORE_ERR_* code.
 */
int store_dashboard_stamp(db_conn *c, char *out, size_t len);

/*
 * What the image page shows beyond store_image_get: the findings of each
 * production-or-not build's latest scan by risk, their KEV count, running
 * containers by environment. *json (malloc'd): {"findings":{"High",
 * "Moderate","Low"},"kev":n,"containers":{"production","other"}}.
 * STORE_ERR_NOTFOUND for an unknown image.
 */
int store_dashboard_image(db_conn *c, long long image_id, char **json);

/*
 * Open POA&M items past their scheduled completion date now (the rule of
 * GET /api/v1/poam?late=true), most overdue first, one page by offset:
 * {"items":[{"poam_id","weakness","risk","scheduled_completion",
 * "days_late","image":{"id","uai"}|null}],"total":n} (malloc'd).
 * STORE_ERR_INVALID for a negative offset or a limit outside 1..1000.
 */
int store_dashboard_late_items(db_conn *c, long long offset, int limit, char **json);

/* Table-level figures for GET /metrics. */
typedef struct store_counts {
	long long findings;            /* sum of scans.findings_count */
	long long scans;
	long long images;
	long long alerts_open;
	long long deliveries_pending;
	long long deliveries_delivered;
	long long deliveries_failed;
	long long sessions;            /* not expired */
} store_counts;

/* Fill out in one statement. STORE_OK or a STORE_ERR_* code. */
int store_dashboard_counts(db_conn *c, store_counts *out);

#endif
