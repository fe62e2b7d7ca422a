/*
 * poam_report.h - the POA&M as it stood at a moment, streamed from a
 * server-side cursor: one row per item with the template's columns (for
 * the .xlsx and CSV writers) or the item's state and history (for OSCAL).
 * The state at a moment is rebuilt from poam_events (items changed after
 * it are folded from their events; the others are read from the cache,
 * which equals the fold by construction), so a past month gives the same
 * rows every time. Reads run in one REPEATABLE READ READ ONLY transaction.
 */
#ifndef MUSTER_POAM_REPORT_H
#define MUSTER_POAM_REPORT_H

#include <stddef.h>
#include <time.h>

#include "store.h"

#define POAM_SHEET_OPEN 0x1     /* items open at as_of */
#define POAM_SHEET_CLOSED 0x2   /* items closed at or before as_of */

typedef struct poam_report_query {
	time_t as_of;           /* the moment to report */
	int late_only;          /* open items: only those late at as_of */
	unsigned sheets;        /* POAM_SHEET_* bits; open rows come first */
} poam_report_query;

/*
 * Row callback: the row's column names (the layout's field names:
 * poam_id, controls, ..., service_name) and values (NULL when empty), n of
 * each, and which sheet (POAM_SHEET_OPEN or POAM_SHEET_CLOSED) it belongs
 * to. Strings are valid during the call only. Return 0 to go on; any other
 * value stops the report and is returned by store_poam_report.
 */
typedef int (*store_poam_row_fn)(int sheet, const char *const *names, const char *const *values,
				 size_t n, void *payload);

/*
 * Stream the rows of q's sheets, ordered by POA&M number, to fn. Returns
 * STORE_OK, a STORE_ERR_* code, or the callback's nonzero value.
 */
int store_poam_report(db_conn *c, const poam_report_query *q, store_poam_row_fn fn, void *payload);

/*
 * Item callback for OSCAL: the item's state at as_of (a JSON object with the
 * keys of poam_items.state) and its events up to as_of (a JSON array of
 * {"at","kind","delta"}), as texts valid during the call.
 */
typedef int (*store_poam_item_fn)(const char *state_json, const char *events_json, void *payload);

/* Stream every item that exists at as_of (open or closed), by number. */
int store_poam_report_items(db_conn *c, time_t as_of, store_poam_item_fn fn, void *payload);

#endif
