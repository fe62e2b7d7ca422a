/*
 * h_hooks.c - work that follows a committed write: fresh planner
 * statistics when the write outgrew them, the POA&M lifecycle for the
 * scans or snapshot just stored, and re-evaluating the container rules so
 * alerts open and resolve as soon as the facts change.
 * A failure here is logged, never reported to the writer: the write itself
 * is safe, and the periodic evaluator catches up.
 */
#include "handlers.h"

#include "../util/log.h"

#include "../store/poam.h"
#include "../store/rules.h"
#include "../store/statistics.h"
#include "metrics.h"

/* The POA&M lifecycle for what the write changed: each stored scan, the
 * stored snapshot, or the repositories running in a cluster whose
 * environments changed. */
static void poam_after_write(req *r)
{
	store_poam_counts n;
	db_conn *db;
	size_t i;
	int rc = STORE_OK;

	if (!r->written.n_scans && !r->written.snapshot_id && !r->written.cluster)
		return;
	if (!(db = req_db(r)))
		return;
	for (i = 0; i < r->written.n_scans && rc == STORE_OK; i++)
		rc = store_poam_update_after_scan(db, r->written.scan_ids[i], &n);
	if (rc == STORE_OK && r->written.snapshot_id)
		rc = store_poam_update_after_snapshot(db, r->written.snapshot_id, &n);
	if (rc == STORE_OK && r->written.cluster)
		rc = store_poam_update_after_environment(db, r->written.cluster, time(NULL), &n);
	if (rc != STORE_OK)
		log_event("warn", "POA&M update after a write failed", "request_id", r->request_id, NULL);
}

/* Re-evaluate the container rules (alerts) now that the facts changed. */
static void rules_after_write(req *r)
{
	int opened = 0, resolved = 0, rc;
	struct timespec t0, t1;
	db_conn *db = req_db(r);

	if (!db)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = store_rules_evaluate(db, time(NULL), &opened, &resolved);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_observe_evaluation((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
				   rc == STORE_OK);
	if (rc != STORE_OK)
		log_event("warn", "rule evaluation after a write failed", "request_id", r->request_id, NULL);
}

/* ANALYZE the tables the write grew past their statistics, before the
 * statements below are planned over them (store/statistics.h). */
static void statistics_after_write(req *r)
{
	db_conn *db;

	if (!r->written.n_scans && !r->written.snapshot_id)
		return;
	if (!(db = req_db(r)))
		return;
	if (store_statistics_after_write(db, r->written.scan_ids, r->written.n_scans,
					 r->written.snapshot_id, NULL) != STORE_OK)
		log_event("warn", "refreshing planner statistics after a write failed", "request_id",
			  r->request_id, NULL);
}

void app_after_write(req *r)
{
	statistics_after_write(r);
	poam_after_write(r);
	rules_after_write(r);
}
