/*
 * metrics.h - process-wide counters for GET /metrics in the Prometheus
 * text exposition format (version 0.0.4): requests by route and status,
 * latency histograms by route, ingest counts and bytes, evaluator runs,
 * dashboard cache use. Counters are lock-free atomics in process memory;
 * figures that live in the database (findings stored, webhook deliveries)
 * and the pool's use are read at scrape time and passed to the renderer.
 */
#ifndef MUSTER_METRICS_H
#define MUSTER_METRICS_H

#include <stddef.h>

#include "../util/buf.h"

/* Upper bounds (seconds) of the latency histogram buckets, +Inf implied. */
#define METRICS_NBUCKETS 13
extern const double metrics_buckets[METRICS_NBUCKETS];

/*
 * A request has started (call before handling it): counts it in flight
 * and, when its method can write (anything but GET and HEAD), in the
 * writes begun. Safe from any thread.
 */
void metrics_request_begin(const char *method);

/* How many requests that can write have begun in this process: a cheap
 * in-process generation number for caches (h_dashboard.c). */
unsigned long long metrics_writes_begun(void);

/*
 * Count one finished request (begun with metrics_request_begin). method is the request's method and pattern
 * the matched route's (NULL when no route matched: counted under the route
 * "unmatched"); status is what was sent; seconds the wall time;
 * bytes_in the request body's size. Safe from any thread.
 */
void metrics_observe_request(const char *method, const char *pattern, int status,
			     double seconds, size_t bytes_in);

/* One rule evaluation finished (ok = 0 when it failed) after seconds.
 * For the evaluator thread and the after-write hook. */
void metrics_observe_evaluation(double seconds, int ok);

/* One dashboard figure served from the cache (hit = 1) or computed. */
void metrics_observe_dashboard_cache(int hit);

/* Figures read at scrape time; a field < 0 is unknown and left out. */
typedef struct metrics_db {
	long long findings;          /* finding rows stored (sum of scans.findings_count) */
	long long scans;
	long long images;
	long long alerts_open;
	long long deliveries_pending;
	long long deliveries_delivered;
	long long deliveries_failed;
	long long sessions;          /* live web sessions */
	int pool_in_use;             /* database connections handed out */
	int pool_size;
	long long cancelled_time_limit;  /* statements cancelled (counters, since start) */
	long long cancelled_stopping;
} metrics_db;

/*
 * Append the whole exposition to out: every family with its HELP and TYPE
 * lines, label values escaped. db may be NULL (database figures left out).
 * Returns 0, or a BUF_ERR_* code (out is then released).
 */
int metrics_render(buf *out, const metrics_db *db);

/* Zero every counter (unit tests). Not safe while requests run. */
void metrics_reset(void);

#endif
