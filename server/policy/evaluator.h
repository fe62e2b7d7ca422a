/*
 * evaluator.h - the periodic evaluation thread of one server. Time alone
 * makes a scan stale, so besides the evaluations that follow each scan
 * ingest and runtime snapshot, every server re-evaluates the rules every
 * `interval` seconds. With several servers on one database, the
 * transaction advisory lock taken with pg_try_advisory_xact_lock makes
 * exactly one of them evaluate at a time; the others skip that round.
 * The same thread runs the full POA&M evaluation every `poam_minutes`
 * (store_poam_evaluate_periodic: one server a round), which catches up
 * whatever an after-write update missed.
 */
#ifndef MUSTER_EVALUATOR_H
#define MUSTER_EVALUATOR_H

#include "../store/store.h"

typedef struct evaluator evaluator;

/* Told the duration of each evaluation that ran (or failed), and whether
 * it succeeded: the server's metrics, kept out of this layer. */
typedef void (*evaluator_observe_fn)(double seconds, int ok);

/*
 * Start the thread: it evaluates once at once, then every
 * interval_seconds, each time with a connection taken from pool for the
 * evaluation only; observe (may be NULL) hears of each rule evaluation.
 * Each round also offers the full POA&M evaluation (poam_minutes 0: never).
 * Returns NULL when interval_seconds <= 0 (evaluation off) or when the
 * thread could not start (logged). pool must outlive the evaluator: stop
 * it before freeing the pool.
 */
evaluator *evaluator_start(db_pool *pool, int interval_seconds, int poam_minutes,
			   evaluator_observe_fn observe);

/* Ask the thread to stop, wait for a running evaluation to finish, join
 * and free it. NULL is accepted. */
void evaluator_stop(evaluator *e);

#endif
