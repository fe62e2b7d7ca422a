/*
 * poam_report.c - POA&M rows at a moment (poam_report.h). A row is
 * muster_poam_row of the item's state (006_poam.sql): the stored row_text
 * when the item has not changed since the moment reported, else computed
 * from the fold of its events. Rows stream with COPY ... TO STDOUT (the
 * server produces while the caller writes) as one text whose 31 values
 * are split here on U+001F; OSCAL items come through a cursor. The sheets
 * are read one after the other, each in POA&M number order, in one
 * REPEATABLE READ READ ONLY snapshot.
 */
#include "poam_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../policy/poam_rules.h"
#include "../util/timeutil.h"
#include "db.h"

#define FETCH_ROWS "2000"

/* The fields of muster_poam_row (schema/006_poam.sql), in its order: the
 * layout's field names of the POA&M template's 31 columns. */
static const char *const poam_row_fields[] = {
	"poam_id", "controls", "weakness_name", "weakness_description", "weakness_detector_source",
	"weakness_source_identifier", "asset_identifier", "point_of_contact", "resources_required",
	"overall_remediation_plan", "original_detection_date", "scheduled_completion_date",
	"planned_milestones", "milestone_changes", "status_date", "vendor_dependency",
	"last_vendor_checkin_date", "vendor_dependent_product_name", "original_risk_rating",
	"adjusted_risk_rating", "risk_adjustment", "false_positive", "operational_requirement",
	"deviation_rationale", "supporting_documents", "comments", "auto_approve", "bod_22_01_tracking",
	"bod_22_01_due_date", "cve", "service_name",
};
#define POAM_ROW_FIELDS (sizeof(poam_row_fields) / sizeof(poam_row_fields[0]))

/* The state s of every item existing at $1, by number: the cache for an
 * item with no event after $1, else the fold of its events up to $1. */
#define STATE_AT \
	" FROM poam_items it" \
	" CROSS JOIN LATERAL (SELECT CASE WHEN it.last_event_at <= $1::timestamptz THEN it.state" \
	"   ELSE (SELECT muster_jsonb_fold(e.delta ORDER BY e.at, e.id) FROM poam_events e" \
	"         WHERE e.item_id = it.id AND e.at <= $1::timestamptz) END AS s) f" \
	" WHERE it.opened_at <= $1::timestamptz"

/* One sheet's rows, streamed with COPY so that PostgreSQL produces them
 * while the caller writes (COPY takes no parameters: they are the
 * transaction's settings muster.poam_as_of, muster.poam_status,
 * muster.poam_late_only and muster.poam_grace). */
#define SETTING(name) "current_setting('muster.poam_" name "')"
static const char report_sql[] =
	"COPY (SELECT CASE WHEN it.last_event_at <= " SETTING("as_of") "::timestamptz THEN it.row_text"
	"   ELSE muster_poam_row(f.s) END"
	" FROM poam_items it"
	" CROSS JOIN LATERAL (SELECT CASE WHEN it.last_event_at <= " SETTING("as_of") "::timestamptz THEN it.state"
	"   ELSE (SELECT muster_jsonb_fold(e.delta ORDER BY e.at, e.id) FROM poam_events e"
	"         WHERE e.item_id = it.id AND e.at <= " SETTING("as_of") "::timestamptz) END AS s) f"
	" WHERE it.opened_at <= " SETTING("as_of") "::timestamptz"
	/* unchanged since: the columns (the state stays compressed on disk) */
	"  AND CASE WHEN it.last_event_at <= " SETTING("as_of") "::timestamptz"
	"   THEN it.status = " SETTING("status") " AND (NOT " SETTING("late_only") "::boolean"
	"     OR (it.status = 'open' AND it.scheduled < (" SETTING("as_of") "::timestamptz AT TIME ZONE 'UTC')::date"
	"         AND NOT (it.vendor_dependency AND it.last_checkin IS NOT NULL"
	"                  AND (it.last_checkin AT TIME ZONE 'UTC')::date"
	"                      >= (" SETTING("as_of") "::timestamptz AT TIME ZONE 'UTC')::date - " SETTING("grace") "::int)))"
	/* changed since: the folded state */
	"   ELSE f.s->>'status' = " SETTING("status") " AND (NOT " SETTING("late_only") "::boolean"
	"     OR muster_poam_late(f.s, " SETTING("as_of") "::timestamptz, " SETTING("grace") "::int)) END"
	" ORDER BY it.id) TO STDOUT";

static const char items_sql[] =
	"DECLARE poam_rows NO SCROLL CURSOR FOR"
	" SELECT (f.s - 'asset_ids' - 'assets_text' - 'cves_text')::text AS state,"
	"  (SELECT coalesce(jsonb_agg(jsonb_build_object('at', muster_poam_ts(e.at), 'kind', e.kind,"
	"     'delta', e.delta - 'asset_ids' - 'cves_text') ORDER BY e.at, e.id), '[]')"
	"   FROM poam_events e WHERE e.item_id = it.id AND e.at <= $1::timestamptz)::text AS events"
	STATE_AT
	" ORDER BY it.id";

/* DECLARE the cursor, FETCH until done, CLOSE it (inside the caller's
 * transaction). */
static int stream(db_conn *c, const char *declare, int nparams, const char *const *params,
		  int (*row)(PGresult *r, int i, void *payload), void *payload)
{
	PGresult *r = NULL;
	int rc, i, n;

	rc = db_command(c, declare, nparams, params);
	while (rc == STORE_OK) {
		rc = db_exec(c, &r, "FETCH " FETCH_ROWS " FROM poam_rows", 0, NULL);
		if (rc)
			break;
		n = PQntuples(r);
		for (i = 0; i < n && rc == STORE_OK; i++)
			rc = row(r, i, payload);
		PQclear(r);
		r = NULL;
		if (n == 0)
			break;
	}
	if (rc == STORE_OK)
		rc = db_command(c, "CLOSE poam_rows", 0, NULL);
	return rc;
}

/* A read-only snapshot for every cursor of one report. */
static int begin_report(db_conn *c)
{
	int rc = db_command(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL);

	return rc ? rc : db_command(c, "SET LOCAL jit = off", 0, NULL);
}

static int end_report(db_conn *c, int rc)
{
	if (rc == STORE_OK)
		return db_command(c, "COMMIT", 0, NULL);
	db_command(c, "ROLLBACK", 0, NULL);
	return rc;
}

struct report_ctx {
	store_poam_row_fn fn;
	void *payload;
	int sheet;
	const char *values[POAM_ROW_FIELDS];
};

/* Decode one COPY text line in place (COPY writes backslash, BS, FF, LF,
 * CR, TAB and VT as backslash escapes), split it on U+001F and hand the
 * values over. */
static int report_line(char *line, int len, void *payload)
{
	struct report_ctx *x = payload;
	char *in = line, *end = line + len, *out = line, *start = line;
	size_t n = 0;

	if (len > 0 && end[-1] == '\n')
		end--;
	for (; in < end; in++) {
		char ch = *in;

		if (ch == '\\' && in + 1 < end) {
			switch (*++in) {
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			case 'v': ch = '\v'; break;
			default: ch = *in; break;
			}
		} else if (ch == '\x1f') {
			if (n == POAM_ROW_FIELDS - 1)
				return STORE_ERR_INTERNAL;   /* a separator inside a value */
			*out++ = '\0';
			x->values[n++] = *start ? start : NULL;
			start = out;
			continue;
		}
		*out++ = ch;
	}
	*out = '\0';
	x->values[n++] = *start ? start : NULL;
	if (n != POAM_ROW_FIELDS)
		return STORE_ERR_INTERNAL;
	return x->fn(x->sheet, poam_row_fields, x->values, n, x->payload);
}

int store_poam_report(db_conn *c, const poam_report_query *q, store_poam_row_fn fn, void *payload)
{
	char asof[32], grace[16];
	const char *params[4];
	struct report_ctx x;
	int rc, k;

	time_format_rfc3339(q->as_of, asof, sizeof(asof));
	snprintf(grace, sizeof(grace), "%d", POAM_CHECKIN_GRACE_DAYS);
	memset(&x, 0, sizeof(x));
	x.fn = fn;
	x.payload = payload;
	params[0] = asof;
	params[1] = grace;
	rc = begin_report(c);
	if (rc == STORE_OK)
		rc = db_command(c, "SELECT set_config('muster.poam_as_of', $1, true),"
				   " set_config('muster.poam_grace', $2, true)", 2, params);
	for (k = 0; k < 2 && rc == STORE_OK; k++) {
		x.sheet = k == 0 ? POAM_SHEET_OPEN : POAM_SHEET_CLOSED;
		if (!(q->sheets & (unsigned)x.sheet))
			continue;
		params[0] = k == 0 ? "open" : "closed";
		params[1] = k == 0 && q->late_only ? "true" : "false";
		rc = db_command(c, "SELECT set_config('muster.poam_status', $1, true),"
				   " set_config('muster.poam_late_only', $2, true)", 2, params);
		if (rc == STORE_OK)
			rc = db_copy_out(c, report_sql, report_line, &x);
	}
	return end_report(c, rc);
}

struct items_ctx {
	store_poam_item_fn fn;
	void *payload;
};

static int items_row(PGresult *r, int i, void *payload)
{
	struct items_ctx *x = payload;

	return x->fn(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), x->payload);
}

int store_poam_report_items(db_conn *c, time_t as_of, store_poam_item_fn fn, void *payload)
{
	char asof[32];
	const char *params[1];
	struct items_ctx x = {fn, payload};
	int rc;

	time_format_rfc3339(as_of, asof, sizeof(asof));
	params[0] = asof;
	rc = begin_report(c);
	if (rc == STORE_OK)
		rc = stream(c, items_sql, 1, params, items_row, &x);
	return end_report(c, rc);
}
