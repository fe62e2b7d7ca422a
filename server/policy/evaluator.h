/*
 * evaluator.h - the periodic rule evaluation thread of one server. Time
 * alone makes a scan stale, so besides the evaluations that follow each
 * scan ingest and runtime snapshot, every server re-evaluates the rules
 * every `interval` seconds. With several servers on one database, the
 * transaction advisory lock taken with pg_try_advisory_xact_lock makes
 * exactly one of them evaluate at a time; the others skip that round.
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
 * evaluation only; observe (may be NULL) hears of each evaluation.
 * Returns NULL when interval_seconds <= 0 (evaluation off) or when the
 * thread could not start (logged). pool must outlive the evaluator: stop
 * it before freeing the pool.
 */
evaluator *evaluator_start(db_pool *pool, int interval_seconds, evaluator_observe_fn observe);

/* Ask the thread to stop, wait for a running evaluation to finish, join
 * and free it. NULL is accepted. */
void evaluator_stop(evaluator *e);

#endif
