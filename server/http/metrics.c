/*
 * metrics.c - the counters behind GET /metrics and their rendering in the
 * Prometheus text format (metrics.h). Every counter is a relaxed atomic:
 * a scrape may see one request counted in the total but not yet in its
 * bucket, which Prometheus tolerates; nothing here ever blocks a request.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <string.h>

#include "router.h"

#define METRICS_MAX_ROUTES 256   /* route table slots; the last one is "unmatched" */

const double metrics_buckets[METRICS_NBUCKETS] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

/* Status codes counted on their own; anything else is counted as "other". */
static const int known_status[] = {
	200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 406, 409,
	411, 413, 415, 422, 429, 431, 500, 502, 503,
};
#define NSTATUS (sizeof(known_status) / sizeof(known_status[0]))

typedef atomic_ullong counter;

struct route_stats {
	counter status[NSTATUS + 1];           /* last: other */
	counter bucket[METRICS_NBUCKETS + 1];  /* not cumulative; last: +Inf */
	counter micros;                        /* sum of durations, microseconds */
	counter count;
};

enum { INGEST_SCAN, INGEST_RUNTIME, INGEST_KINDS };
enum { OUT_STORED, OUT_DUPLICATE, OUT_REJECTED, OUT_KINDS };

static struct route_stats routes[METRICS_MAX_ROUTES + 1];
static counter ingest_count[INGEST_KINDS][OUT_KINDS];
static counter ingest_bytes[INGEST_KINDS];
static counter eval_ok, eval_failed, eval_micros;
static counter eval_bucket[METRICS_NBUCKETS + 1];
static counter cache_hit, cache_miss;
static counter in_flight, writes_begun;

static void add(counter *c, unsigned long long v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static unsigned long long get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static size_t bucket_of(double seconds)
{
	size_t i;

	for (i = 0; i < METRICS_NBUCKETS; i++)
		if (seconds <= metrics_buckets[i])
			return i;
	return METRICS_NBUCKETS;
}

static unsigned long long micros_of(double seconds)
{
	if (!(seconds > 0))
		return 0;
	if (seconds > 1e9)
		seconds = 1e9;
	return (unsigned long long)(seconds * 1e6 + 0.5);
}

/* Index of the route table entry (method, pattern), or the unmatched slot. */
static size_t route_slot(const char *method, const char *pattern)
{
	size_t i, n = router_nroutes < METRICS_MAX_ROUTES ? router_nroutes : METRICS_MAX_ROUTES;

	if (!pattern || !method)
		return METRICS_MAX_ROUTES;
	for (i = 0; i < n; i++) {
		const route *rt = &router_routes[i];

		if (strcmp(rt->pattern, pattern) != 0)
			continue;
		if (!strcmp(rt->method, method) ||
		    (!strcmp(method, "HEAD") && !strcmp(rt->method, "GET")))
			return i;
	}
	return METRICS_MAX_ROUTES;
}

void metrics_request_begin(const char *method)
{
	add(&in_flight, 1);
	if (method && strcmp(method, "GET") && strcmp(method, "HEAD"))
		add(&writes_begun, 1);
}

unsigned long long metrics_writes_begun(void)
{
	return get(&writes_begun);
}

void metrics_observe_request(const char *method, const char *pattern, int status,
			     double seconds, size_t bytes_in)
{
	size_t slot = route_slot(method, pattern), s;
	struct route_stats *st = &routes[slot];
	unsigned long long v;
	int kind = -1, out;

	/* one fewer in flight, never below zero (callers without a begin) */
	v = get(&in_flight);
	while (v > 0 && !atomic_compare_exchange_weak_explicit(&in_flight, &v, v - 1, memory_order_relaxed,
							       memory_order_relaxed))
		;
	for (s = 0; s < NSTATUS && known_status[s] != status; s++)
		;
	add(&st->status[s], 1);
	add(&st->bucket[bucket_of(seconds)], 1);
	add(&st->micros, micros_of(seconds));
	add(&st->count, 1);
	if (slot == METRICS_MAX_ROUTES || strcmp(router_routes[slot].method, "POST") != 0)
		return;
	if (!strcmp(pattern, "/api/v1/scans"))
		kind = INGEST_SCAN;
	else if (!strcmp(pattern, "/api/v1/runtime"))
		kind = INGEST_RUNTIME;
	if (kind < 0)
		return;
	out = status == 201 ? OUT_STORED : status == 200 ? OUT_DUPLICATE : OUT_REJECTED;
	add(&ingest_count[kind][out], 1);
	add(&ingest_bytes[kind], bytes_in);
}

void metrics_observe_evaluation(double seconds, int ok)
{
	add(ok ? &eval_ok : &eval_failed, 1);
	add(&eval_bucket[bucket_of(seconds)], 1);
	add(&eval_micros, micros_of(seconds));
}

void metrics_observe_dashboard_cache(int hit)
{
	add(hit ? &cache_hit : &cache_miss, 1);
}

void metrics_reset(void)
{
	size_t i, j;

	for (i = 0; i <= METRICS_MAX_ROUTES; i++) {
		for (j = 0; j <= NSTATUS; j++)
			atomic_store(&routes[i].status[j], 0);
		for (j = 0; j <= METRICS_NBUCKETS; j++)
			atomic_store(&routes[i].bucket[j], 0);
		atomic_store(&routes[i].micros, 0);
		atomic_store(&routes[i].count, 0);
	}
	for (i = 0; i < INGEST_KINDS; i++) {
		for (j = 0; j < OUT_KINDS; j++)
			atomic_store(&ingest_count[i][j], 0);
		atomic_store(&ingest_bytes[i], 0);
	}
	atomic_store(&eval_ok, 0);
	atomic_store(&eval_failed, 0);
	atomic_store(&eval_micros, 0);
	for (j = 0; j <= METRICS_NBUCKETS; j++)
		atomic_store(&eval_bucket[j], 0);
	atomic_store(&cache_hit, 0);
	atomic_store(&cache_miss, 0);
	atomic_store(&in_flight, 0);
	atomic_store(&writes_begun, 0);
}

/* A label value with \, " and newline escaped as the format requires. */
static int put_label(buf *b, const char *v)
{
	int rc = 0;

	for (; *v && rc == 0; v++) {
		if (*v == '\\')
			rc = buf_puts(b, "\\\\");
		else if (*v == '"')
			rc = buf_puts(b, "\\\"");
		else if (*v == '\n')
			rc = buf_puts(b, "\\n");
		else
			rc = buf_append(b, v, 1);
	}
	return rc;
}

static int family(buf *b, const char *name, const char *type, const char *help)
{
	return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* {method="GET",route="/x"} of a slot. */
static int route_labels(buf *b, size_t slot)
{
	int rc = buf_puts(b, "method=\"");

	rc = rc ? rc : put_label(b, slot == METRICS_MAX_ROUTES ? "" : router_routes[slot].method);
	rc = rc ? rc : buf_puts(b, "\",route=\"");
	rc = rc ? rc : put_label(b, slot == METRICS_MAX_ROUTES ? "unmatched" : router_routes[slot].pattern);
	return rc ? rc : buf_puts(b, "\"");
}

static size_t nslots(void)
{
	return router_nroutes < METRICS_MAX_ROUTES ? router_nroutes : METRICS_MAX_ROUTES;
}

static int slot_used(size_t slot)
{
	return get(&routes[slot].count) > 0;
}

/* The route slots in order: the table's, then unmatched. */
#define FOR_SLOTS(i) for (i = 0; i <= METRICS_MAX_ROUTES; i = (i + 1 == nslots() ? METRICS_MAX_ROUTES : i + 1))

static int render_requests(buf *b)
{
	size_t i, s;
	int rc;

	rc = family(b, "muster_http_requests_total", "counter",
		    "HTTP requests answered, by route and status code.");
	FOR_SLOTS(i) {
		if (!slot_used(i))
			continue;
		for (s = 0; s <= NSTATUS && rc == 0; s++) {
			unsigned long long v = get(&routes[i].status[s]);

			if (!v)
				continue;
			rc = buf_puts(b, "muster_http_requests_total{");
			rc = rc ? rc : route_labels(b, i);
			if (!rc && s < NSTATUS)
				rc = buf_printf(b, ",code=\"%d\"} %llu\n", known_status[s], v);
			else if (!rc)
				rc = buf_printf(b, ",code=\"other\"} %llu\n", v);
		}
		if (rc)
			return rc;
	}
	rc = rc ? rc : family(b, "muster_http_requests_in_flight", "gauge",
			      "HTTP requests being answered now.");
	rc = rc ? rc : buf_printf(b, "muster_http_requests_in_flight %llu\n", get(&in_flight));
	rc = rc ? rc : family(b, "muster_http_request_duration_seconds", "histogram",
		    "Time from the request's arrival to the end of its answer, by route.");
	FOR_SLOTS(i) {
		unsigned long long cum = 0;

		if (!slot_used(i))
			continue;
		for (s = 0; s <= METRICS_NBUCKETS && rc == 0; s++) {
			cum += get(&routes[i].bucket[s]);
			rc = buf_puts(b, "muster_http_request_duration_seconds_bucket{");
			rc = rc ? rc : route_labels(b, i);
			if (!rc && s < METRICS_NBUCKETS)
				rc = buf_printf(b, ",le=\"%g\"} %llu\n", metrics_buckets[s], cum);
			else if (!rc)
				rc = buf_printf(b, ",le=\"+Inf\"} %llu\n", cum);
		}
		rc = rc ? rc : buf_puts(b, "muster_http_request_duration_seconds_sum{");
		rc = rc ? rc : route_labels(b, i);
		rc = rc ? rc : buf_printf(b, "} %.6f\n", (double)get(&routes[i].micros) / 1e6);
		rc = rc ? rc : buf_puts(b, "muster_http_request_duration_seconds_count{");
		rc = rc ? rc : route_labels(b, i);
		rc = rc ? rc : buf_printf(b, "} %llu\n", cum);
		if (rc)
			return rc;
	}
	return rc;
}

static int render_ingest(buf *b)
{
	static const char *kinds[INGEST_KINDS] = {"scan", "runtime"};
	static const char *outs[OUT_KINDS] = {"stored", "duplicate", "rejected"};
	int k, o, rc;

	rc = family(b, "muster_ingest_requests_total", "counter",
		    "Scan reports and runtime snapshots received, by kind and outcome.");
	for (k = 0; k < INGEST_KINDS && rc == 0; k++)
		for (o = 0; o < OUT_KINDS && rc == 0; o++)
			rc = buf_printf(b, "muster_ingest_requests_total{kind=\"%s\",result=\"%s\"} %llu\n",
					kinds[k], outs[o], get(&ingest_count[k][o]));
	rc = rc ? rc : family(b, "muster_ingest_bytes_total", "counter",
			      "Bytes of scan reports and runtime snapshots received (after decompression).");
	for (k = 0; k < INGEST_KINDS && rc == 0; k++)
		rc = buf_printf(b, "muster_ingest_bytes_total{kind=\"%s\"} %llu\n", kinds[k],
				get(&ingest_bytes[k]));
	return rc;
}

static int render_evaluator(buf *b)
{
	unsigned long long cum = 0;
	size_t s;
	int rc;

	rc = family(b, "muster_rule_evaluations_total", "counter",
		    "Rule evaluations (alerts) run by this process, by result.");
	rc = rc ? rc : buf_printf(b, "muster_rule_evaluations_total{result=\"ok\"} %llu\n"
				     "muster_rule_evaluations_total{result=\"failed\"} %llu\n",
				  get(&eval_ok), get(&eval_failed));
	rc = rc ? rc : family(b, "muster_rule_evaluation_duration_seconds", "histogram",
			      "Duration of rule evaluations run by this process.");
	for (s = 0; s <= METRICS_NBUCKETS && rc == 0; s++) {
		cum += get(&eval_bucket[s]);
		if (s < METRICS_NBUCKETS)
			rc = buf_printf(b, "muster_rule_evaluation_duration_seconds_bucket{le=\"%g\"} %llu\n",
					metrics_buckets[s], cum);
		else
			rc = buf_printf(b, "muster_rule_evaluation_duration_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
	}
	rc = rc ? rc : buf_printf(b, "muster_rule_evaluation_duration_seconds_sum %.6f\n"
				     "muster_rule_evaluation_duration_seconds_count %llu\n",
				  (double)get(&eval_micros) / 1e6, cum);
	rc = rc ? rc : family(b, "muster_dashboard_cache_total", "counter",
			      "Dashboard figures served from the cache (hit) or computed (miss).");
	rc = rc ? rc : buf_printf(b, "muster_dashboard_cache_total{result=\"hit\"} %llu\n"
				     "muster_dashboard_cache_total{result=\"miss\"} %llu\n",
				  get(&cache_hit), get(&cache_miss));
	return rc;
}

static int gauge(buf *b, const char *name, const char *help, long long v)
{
	if (v < 0)
		return 0;
	return family(b, name, "gauge", help) || buf_printf(b, "%s %lld\n", name, v) ? BUF_ERR_NOMEM : 0;
}

static int render_db(buf *b, const metrics_db *d)
{
	int rc = 0;

	rc = rc ? rc : gauge(b, "muster_findings_stored", "Finding rows stored over all scans.", d->findings);
	rc = rc ? rc : gauge(b, "muster_scans_stored", "Scans stored.", d->scans);
	rc = rc ? rc : gauge(b, "muster_images", "Images (assets) known.", d->images);
	rc = rc ? rc : gauge(b, "muster_alerts_open", "Alerts open now.", d->alerts_open);
	rc = rc ? rc : gauge(b, "muster_web_sessions", "Live web sessions.", d->sessions);
	if (!rc && d->deliveries_pending >= 0) {
		rc = family(b, "muster_webhook_deliveries", "gauge",
			    "Webhook deliveries in the outbox, by status.");
		rc = rc ? rc : buf_printf(b, "muster_webhook_deliveries{status=\"pending\"} %lld\n"
					     "muster_webhook_deliveries{status=\"delivered\"} %lld\n"
					     "muster_webhook_deliveries{status=\"failed\"} %lld\n",
					  d->deliveries_pending, d->deliveries_delivered, d->deliveries_failed);
	}
	if (!rc && d->pool_size > 0) {
		rc = family(b, "muster_db_pool_connections", "gauge",
			    "Database connections of this process's pool: in use and configured.");
		rc = rc ? rc : buf_printf(b, "muster_db_pool_connections{state=\"in_use\"} %d\n"
					     "muster_db_pool_connections{state=\"size\"} %d\n",
					  d->pool_in_use, d->pool_size);
		rc = rc ? rc : family(b, "muster_db_statements_cancelled_total", "counter",
				      "Database statements this process cancelled: past MUSTER_DB_STATEMENT_MS,"
				      " or still running when a stop's grace period ended.");
		rc = rc ? rc : buf_printf(b, "muster_db_statements_cancelled_total{reason=\"time_limit\"} %lld\n"
					     "muster_db_statements_cancelled_total{reason=\"stopping\"} %lld\n",
					  d->cancelled_time_limit, d->cancelled_stopping);
	}
	return rc;
}

int metrics_render(buf *out, const metrics_db *db)
{
	int rc = render_requests(out);

	rc = rc ? rc : render_ingest(out);
	rc = rc ? rc : render_evaluator(out);
	if (!rc && db)
		rc = render_db(out, db);
	return rc;
}
