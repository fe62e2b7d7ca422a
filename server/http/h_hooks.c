/*
 * h_hooks.c - work that follows a committed write: re-evaluating the
 * container rules so alerts open and resolve as soon as the facts change.
 * A failure here is logged, never reported to the writer: the write itself
 * is safe, and the periodic evaluator catches up.
 */
#include "handlers.h"

#include "../util/log.h"

#if __has_include("../store/rules.h")
#include "../store/rules.h"
#define HAVE_RULES 1
#endif

void app_after_write(req *r)
{
#ifdef HAVE_RULES
	int opened = 0, resolved = 0;
	db_conn *db = req_db(r);

	if (db && store_rules_evaluate(db, time(NULL), &opened, &resolved) != STORE_OK)
		log_event("warn", "rule evaluation after a write failed", "request_id", r->request_id, NULL);
#else
	(void)r;
#endif
}
