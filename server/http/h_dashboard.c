/*
 * h_dashboard.c - the authorizing official's figures over HTTP:
 * GET /api/v1/dashboard?as_of=, GET /api/v1/dashboard/trend?months=,
 * GET /metrics (Prometheus) and GET /api/v1/openapi.json. The figures
 * come from store/dashboard.c; a small process cache keyed on the
 * database's commit stamp (store_dashboard_stamp, itself reused for
 * DASH_STAMP_TTL_MS while this process began no write) serves repeated
 * reads without recomputing them while nothing was written, so the dashboard
 * stays cheap however large the system is; requests arriving while the
 * same figures are being computed wait for them rather than compute them
 * again. Figures "as of now" are also recomputed after DASH_NOW_TTL_MS,
 * since time alone ages scans (while one request does that, the others
 * get the previous figures, whose as_of says how old they are). The stamp covers the whole PostgreSQL
 * cluster: writes to other databases of a shared cluster cost extra
 * recomputations, never a stale answer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../store/dashboard.h"
#include "../util/parse.h"
#include "../util/timeutil.h"
#include "handlers.h"
#include "metrics.h"
#include "respond.h"

#define DASH_CACHE_SLOTS 16
#define DASH_NOW_TTL_MS 5000.0     /* figures "as of now" are at most this old */
#define DASH_STAMP_MAX 512         /* longer stamps (many writers in flight) are not cached */
#define DASH_FLIGHTS 16            /* computations in progress that others may wait for */
#define DASH_STAMP_TTL_MS 100.0    /* reuse of a stamp while this process wrote nothing */
#define DASH_WAIT_SECONDS 60       /* longest wait for another request's computation */

/* The OpenAPI document, embedded by CMake from docs/openapi.json. */
extern const unsigned char muster_openapi_spec[];
extern const unsigned long muster_openapi_spec_len;

struct dash_entry {
	char key[48];              /* "now", "at:<epoch>", "trend:<months>" */
	char stamp[DASH_STAMP_MAX];
	double at_ms;              /* monotonic time it was computed */
	int ages;                  /* depends on the wall clock (TTL applies) */
	char *json;                /* malloc'd; NULL = empty slot */
};

/* A computation in progress, that other requests may wait for. */
struct dash_flight {
	int used;
	char key[48];
	char stamp[DASH_STAMP_MAX];
};

/* The last commit stamp read, reused for DASH_STAMP_TTL_MS while no
 * request that can write has begun in this process since. */
struct dash_stamp_memo {
	char stamp[DASH_STAMP_MAX];
	double at_ms;                 /* 0 = none yet */
	unsigned long long writes;    /* metrics_writes_begun() when read */
};

static struct dash_entry dash_cache[DASH_CACHE_SLOTS];
static struct dash_flight dash_flights[DASH_FLIGHTS];
static struct dash_stamp_memo dash_memo;
static pthread_mutex_t dash_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dash_done = PTHREAD_COND_INITIALIZER;   /* a flight ended */

static double mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The entry for key under stamp, or NULL; *fresh tells whether it is
 * within its time to live. Called with dash_lock held. */
static struct dash_entry *cache_find(const char *key, const char *stamp, int *fresh)
{
	int i;

	for (i = 0; i < DASH_CACHE_SLOTS; i++) {
		struct dash_entry *e = &dash_cache[i];

		if (!e->json || strcmp(e->key, key) || strcmp(e->stamp, stamp))
			continue;
		*fresh = !e->ages || mono_ms() - e->at_ms <= DASH_NOW_TTL_MS;
		return e;
	}
	return NULL;
}

/* The computation in flight for key under stamp, or NULL (dash_lock held). */
static struct dash_flight *flight_find(const char *key, const char *stamp)
{
	int i;

	for (i = 0; i < DASH_FLIGHTS; i++)
		if (dash_flights[i].used && !strcmp(dash_flights[i].key, key) &&
		    !strcmp(dash_flights[i].stamp, stamp))
			return &dash_flights[i];
	return NULL;
}

/* Keep a copy of json for key under stamp (replacing the key's entry or
 * the oldest one); dash_lock held. Failures only cost a recomputation. */
static void cache_put_locked(const char *key, const char *stamp, int ages, const char *json)
{
	struct dash_entry *slot = NULL;
	char *copy = strdup(json);
	int i;

	if (!copy)
		return;
	for (i = 0; i < DASH_CACHE_SLOTS && !slot; i++)
		if (dash_cache[i].json && !strcmp(dash_cache[i].key, key))
			slot = &dash_cache[i];
	for (i = 0; i < DASH_CACHE_SLOTS && !slot; i++)
		if (!dash_cache[i].json)
			slot = &dash_cache[i];
	if (!slot) {
		slot = &dash_cache[0];
		for (i = 1; i < DASH_CACHE_SLOTS; i++)
			if (dash_cache[i].at_ms < slot->at_ms)
				slot = &dash_cache[i];
	}
	free(slot->json);
	snprintf(slot->key, sizeof(slot->key), "%s", key);
	snprintf(slot->stamp, sizeof(slot->stamp), "%s", stamp);
	slot->at_ms = mono_ms();
	slot->ages = ages;
	slot->json = copy;
}

/*
 * The figures through the cache: compute(db, arg) on a miss. key names the
 * question; ages says whether the answer depends on the wall clock.
 * Requests that miss while the same question under the same stamp is being
 * computed wait for that answer instead of computing it again (so a write
 * costs one computation, not one per waiting request).
 */
typedef int (*dash_compute)(db_conn *c, long long arg, char **json);

/*
 * The database's commit stamp into stamp: the memo when it is recent and
 * no request that can write began in this process since (writes through
 * this server are therefore always seen; writes by other processes - other
 * instances, the CLI, this process's background threads - within
 * DASH_STAMP_TTL_MS), else read from the database. STORE_OK or a code.
 */
static int current_stamp(req *r, char *stamp, size_t len)
{
	unsigned long long writes = metrics_writes_begun();
	double now = mono_ms();
	db_conn *db;
	int rc;

	pthread_mutex_lock(&dash_lock);
	if (dash_memo.at_ms > 0 && now - dash_memo.at_ms <= DASH_STAMP_TTL_MS && dash_memo.writes == writes) {
		snprintf(stamp, len, "%s", dash_memo.stamp);
		pthread_mutex_unlock(&dash_lock);
		return STORE_OK;
	}
	pthread_mutex_unlock(&dash_lock);
	if (!(db = req_db(r)))
		return STORE_ERR_BUSY;
	rc = store_dashboard_stamp(db, stamp, len);
	if (rc)
		return rc;
	pthread_mutex_lock(&dash_lock);
	snprintf(dash_memo.stamp, sizeof(dash_memo.stamp), "%s", stamp);
	dash_memo.at_ms = now;
	dash_memo.writes = writes;
	pthread_mutex_unlock(&dash_lock);
	return STORE_OK;
}

static int cached(req *r, const char *key, int ages, dash_compute fn, long long arg, char **json)
{
	char stamp[DASH_STAMP_MAX];
	struct dash_flight *mine = NULL;
	struct dash_entry *e;
	int i, rc, waited = 0, fresh = 0;
	db_conn *db;

	*json = NULL;
	rc = current_stamp(r, stamp, sizeof(stamp));
	if (rc)
		return rc;
	if (strlen(stamp) >= sizeof(stamp) - 1) {   /* too many writers in flight to name: no cache */
		metrics_observe_dashboard_cache(0);
		if (!(db = req_db(r)))
			return STORE_ERR_BUSY;
		return fn(db, arg, json);
	}
	pthread_mutex_lock(&dash_lock);
	for (;;) {
		e = cache_find(key, stamp, &fresh);
		/* fresh; or only aged by the clock (nothing was written) while
		 * another request already refreshes it */
		if (e && (fresh || flight_find(key, stamp))) {
			*json = strdup(e->json);
			pthread_mutex_unlock(&dash_lock);
			metrics_observe_dashboard_cache(1);
			return *json ? STORE_OK : STORE_ERR_INTERNAL;
		}
		if (waited || !flight_find(key, stamp))
			break;
		/* the same answer is being computed: wait for it, once */
		{
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += DASH_WAIT_SECONDS;
			while (flight_find(key, stamp) &&
			       pthread_cond_timedwait(&dash_done, &dash_lock, &until) == 0)
				;
		}
		waited = 1;
	}
	for (i = 0; i < DASH_FLIGHTS && !mine; i++)
		if (!dash_flights[i].used)
			mine = &dash_flights[i];
	if (mine) {
		mine->used = 1;
		snprintf(mine->key, sizeof(mine->key), "%s", key);
		snprintf(mine->stamp, sizeof(mine->stamp), "%s", stamp);
	}
	pthread_mutex_unlock(&dash_lock);
	metrics_observe_dashboard_cache(0);
	if ((db = req_db(r)) != NULL)
		rc = fn(db, arg, json);
	else
		rc = STORE_ERR_BUSY;
	pthread_mutex_lock(&dash_lock);
	if (rc == STORE_OK)
		cache_put_locked(key, stamp, ages, *json);
	if (mine)
		mine->used = 0;
	pthread_cond_broadcast(&dash_done);
	pthread_mutex_unlock(&dash_lock);
	return rc;
}

static int compute_at(db_conn *c, long long t, char **json)
{
	return store_dashboard_at(c, (time_t)t, json);
}

static int compute_trend(db_conn *c, long long months, char **json)
{
	return store_dashboard_trend(c, time(NULL), (int)months, json);
}

int dashboard_figures(req *r, time_t as_of, char **json)
{
	char key[48];

	if (!as_of)
		return cached(r, "now", 1, compute_at, 0, json);
	snprintf(key, sizeof(key), "at:%lld", (long long)as_of);
	return cached(r, key, 0, compute_at, (long long)as_of, json);
}

int dashboard_trend(req *r, int months, char **json)
{
	char key[48];

	snprintf(key, sizeof(key), "trend:%d", months);
	return cached(r, key, 1, compute_trend, months, json);
}

/* Send a store answer; a pool failure was already answered by req_db. */
static int answer(req *r, int rc, char *json)
{
	if (rc == STORE_ERR_BUSY && r->status)
		return r->status;
	return respond_store_json(r, rc, json);
}

int dashboard_parse_as_of(const char *s, time_t *out)
{
	time_t t;

	if (time_parse_rfc3339(s, &t))
		return -1;
	if (strlen(s) == 10)       /* a date: as of the end of that day */
		t += 86399;
	*out = t;
	return 0;
}

int h_dashboard(req *r)
{
	char v[64];
	time_t as_of = 0;
	char *json = NULL;
	int rc;

	switch (req_query(r, "as_of", v, sizeof(v))) {
	case 0:
		break;
	case 1:
		if (dashboard_parse_as_of(v, &as_of) == 0 && as_of > 0)
			break;
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter",
				     "as_of must be an RFC 3339 time or a date (YYYY-MM-DD)");
	}
	if (as_of > time(NULL) + 60)
		return respond_error(r, 400, "bad_parameter", "as_of is in the future");
	rc = dashboard_figures(r, as_of, &json);
	return answer(r, rc, json);
}

int h_dashboard_trend(req *r)
{
	char v[16];
	long long months = 12;
	char *json = NULL;
	int rc;

	switch (req_query(r, "months", v, sizeof(v))) {
	case 0:
		break;
	case 1:
		if (parse_int_range(v, 1, DASHBOARD_MAX_MONTHS, &months) == 0)
			break;
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "months must be an integer from 1 to %d",
				     DASHBOARD_MAX_MONTHS);
	}
	rc = dashboard_trend(r, (int)months, &json);
	return answer(r, rc, json);
}

int h_metrics(req *r)
{
	metrics_db m;
	store_counts sc;
	buf out;
	db_conn *db;
	int rc;

	memset(&m, 0, sizeof(m));
	if (!(db = req_db(r)))
		return r->status;
	rc = store_dashboard_counts(db, &sc);
	req_db_release(r);
	if (rc)
		return respond_store_error(r, rc);
	m.findings = sc.findings;
	m.scans = sc.scans;
	m.images = sc.images;
	m.alerts_open = sc.alerts_open;
	m.deliveries_pending = sc.deliveries_pending;
	m.deliveries_delivered = sc.deliveries_delivered;
	m.deliveries_failed = sc.deliveries_failed;
	m.sessions = sc.sessions;
	db_pool_stats(r->app->pool, &m.pool_in_use, &m.pool_size);
	db_pool_cancels(r->app->pool, &m.cancelled_time_limit, &m.cancelled_stopping);
	buf_init(&out, 16 * 1024 * 1024);
	if (metrics_render(&out, &m))
		return respond_error(r, 500, "internal", "could not render the metrics");
	rc = respond_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, out.data, out.len);
	buf_free(&out);
	return rc;
}

int h_openapi(req *r)
{
	return respond_raw(r, 200, "application/json", NULL, muster_openapi_spec,
			   (size_t)muster_openapi_spec_len);
}
