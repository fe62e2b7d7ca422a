/*
 * evaluator.c - the periodic evaluation thread: rules, and the full POA&M
 * evaluation (evaluator.h).
 */
#include "evaluator.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../store/poam.h"
#include "../store/rules.h"
#include "../util/log.h"

struct evaluator {
	db_pool *pool;
	int interval;              /* seconds */
	int poam_minutes;          /* full POA&M evaluation period; 0 = never */
	evaluator_observe_fn observe;
	int stop;                  /* guarded by lock */
	pthread_mutex_t lock;
	pthread_cond_t wake;       /* signalled by evaluator_stop */
	pthread_t thread;
};

/* One evaluation with a pooled connection; failures are logged only. */
static void evaluate_once(evaluator *e)
{
	int err = STORE_ERR_INTERNAL, opened = 0, resolved = 0, ran = 0, rc;
	db_conn *c = db_pool_acquire(e->pool, &err);
	struct timespec t0, t1;
	char counts[64];

	if (!c) {
		log_event("warn", "rule evaluation skipped: no database connection", NULL);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = store_rules_evaluate_try(c, 0, &opened, &resolved, &ran);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	db_pool_release(e->pool, c);
	if ((ran || rc) && e->observe)
		e->observe((double)(t1.tv_sec - t0.tv_sec) +
					   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, rc == STORE_OK);
	if (rc) {
		log_event("error", "periodic rule evaluation failed", NULL);
		return;
	}
	if (ran && (opened || resolved)) {
		snprintf(counts, sizeof(counts), "opened %d, resolved %d", opened, resolved);
		log_event("info", "alerts changed", "alerts", counts, NULL);
	}
}

/* The full POA&M evaluation, when this server wins the round. */
static void poam_once(evaluator *e)
{
	int err = STORE_ERR_INTERNAL, ran = 0, rc;
	db_conn *c = db_pool_acquire(e->pool, &err);
	store_poam_counts n;
	struct timespec t0, t1;
	char counts[160], took[32];

	if (!c)
		return;   /* the rule evaluation logged it */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = store_poam_evaluate_periodic(c, e->poam_minutes, &ran, &n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	db_pool_release(e->pool, c);
	if (rc) {
		log_event("error", "periodic POA&M evaluation failed", NULL);
		return;
	}
	if (!ran)
		return;
	snprintf(counts, sizeof(counts), "opened %lld, changed %lld, closed %lld, KEV columns %lld",
		 n.opened, n.changed, n.closed, n.kev);
	snprintf(took, sizeof(took), "%.1f s", (double)(t1.tv_sec - t0.tv_sec) +
						(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	log_event("info", "periodic POA&M evaluation", "items", counts, "took", took, NULL);
}

static void *evaluator_main(void *arg)
{
	evaluator *e = arg;
	struct timespec deadline;
	int stop;

	pthread_mutex_lock(&e->lock);
	stop = e->stop;
	pthread_mutex_unlock(&e->lock);
	while (!stop) {
		evaluate_once(e);
		if (e->poam_minutes > 0)
			poam_once(e);
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += e->interval;
		pthread_mutex_lock(&e->lock);
		while (!e->stop && pthread_cond_timedwait(&e->wake, &e->lock, &deadline) != ETIMEDOUT)
			;
		stop = e->stop;
		pthread_mutex_unlock(&e->lock);
	}
	return NULL;
}

evaluator *evaluator_start(db_pool *pool, int interval_seconds, int poam_minutes,
			   evaluator_observe_fn observe)
{
	pthread_condattr_t ca;
	evaluator *e;

	if (interval_seconds <= 0 || !pool)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e) {
		log_event("error", "could not start the rule evaluator: out of memory", NULL);
		return NULL;
	}
	e->pool = pool;
	e->interval = interval_seconds;
	e->poam_minutes = poam_minutes > 0 ? poam_minutes : 0;
	e->observe = observe;
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&e->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&e->thread, NULL, evaluator_main, e) != 0) {
		log_event("error", "could not start the rule evaluator thread", NULL);
		pthread_cond_destroy(&e->wake);
		pthread_mutex_destroy(&e->lock);
		free(e);
		return NULL;
	}
	return e;
}

void evaluator_stop(evaluator *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	e->stop = 1;
	pthread_cond_signal(&e->wake);
	pthread_mutex_unlock(&e->lock);
	pthread_join(e->thread, NULL);
	pthread_cond_destroy(&e->wake);
	pthread_mutex_destroy(&e->lock);
	free(e);
}
