/*
 * poam_rules.h - the POA&M rules of RULES.md section 5 that need no
 * database: remediation windows and scheduled completion dates, lateness,
 * and deviation requests (what may be asked, what a decision does, how
 * the Yes/No/Pending columns and the "Deviation Type : Rationale" text
 * read). Pure functions: no I/O, no global state.
 *
 * Dates are whole days since 1970-01-01 (UTC), so that date arithmetic is
 * integer arithmetic. The set-based lifecycle SQL (schema/006_poam.sql)
 * computes scheduled dates and lateness with the same formulas, using the
 * numbers it is given from here (poam_rules_windows, POAM_CHECKIN_GRACE_DAYS).
 */
#ifndef MUSTER_POAM_RULES_H
#define MUSTER_POAM_RULES_H

#include <stddef.h>

#include "../util/buf.h"
#include "risk.h"

/* A vendor check-in within this many days keeps a vendor-dependent item
 * from being late. */
#define POAM_CHECKIN_GRACE_DAYS 30

/* Days since 1970-01-01 of a civil date; the inverse; -1 / nonzero on a
 * malformed "YYYY-MM-DD" (years 1..9999, real calendar days). */
long poam_rules_day(int y, int m, int d);
int poam_rules_day_parse(const char *s, long *day);
/* Format a day as "YYYY-MM-DD" into out (>= 11 bytes). */
void poam_rules_day_format(long day, char *out, size_t len);

/* The remediation windows {High, Moderate, Low} in days (30, 90, 180), for
 * the SQL lifecycle, as the text of a PostgreSQL int[] literal
 * "{30,90,180}" written into out (>= 32 bytes). */
void poam_rules_windows(char *out, size_t len);

/*
 * Scheduled completion date of an item whose window starts on start_day
 * (the original detection date, or the day a fix became available for a
 * vendor-dependent item) with rating r: start + 30/90/180 days. For a KEV
 * weakness (kev_due_day >= 0) the earlier of that and CISA's due date.
 * kev_due_day < 0 means "not in the KEV catalog".
 */
long poam_rules_scheduled(long start_day, risk_rating r, long kev_due_day);

/*
 * Is an item late on day as_of? Open, past its scheduled completion date
 * (as_of > scheduled), and not a vendor-dependent item whose last vendor
 * check-in (last_checkin_day, < 0 when none) is at most
 * POAM_CHECKIN_GRACE_DAYS days before as_of. Returns 1 or 0.
 */
int poam_rules_is_late(int open, long scheduled_day, long as_of_day, int vendor_dependency,
		       long last_checkin_day);

typedef enum poam_dev_type {
	POAM_DEV_RISK_ADJUSTMENT = 0,
	POAM_DEV_FALSE_POSITIVE = 1,
	POAM_DEV_OPERATIONAL_REQUIREMENT = 2
} poam_dev_type;

typedef enum poam_dev_status {
	POAM_DEV_PENDING = 0,
	POAM_DEV_APPROVED = 1,
	POAM_DEV_REJECTED = 2
} poam_dev_status;

typedef enum poam_dev_err {
	POAM_DEV_OK = 0,
	POAM_DEV_ERR_CLOSED,          /* the item is closed: nothing to deviate */
	POAM_DEV_ERR_HIGH_OR,         /* no Operational Requirement for a High item */
	POAM_DEV_ERR_ADJUSTED_MISSING,/* a risk adjustment needs its adjusted rating */
	POAM_DEV_ERR_ADJUSTED_EXTRA,  /* only a risk adjustment takes a rating */
	POAM_DEV_ERR_NOT_LOWER,       /* the adjusted rating must be lower than the current one */
	POAM_DEV_ERR_NOT_PENDING      /* a decision was already recorded */
} poam_dev_err;

/* "risk_adjustment" <-> type; 0 or -1 for an unknown name. */
int poam_rules_dev_type_parse(const char *s, poam_dev_type *out);
const char *poam_rules_dev_type_name(poam_dev_type t);     /* "risk_adjustment" */
const char *poam_rules_dev_type_label(poam_dev_type t);    /* "Risk Adjustment" */
const char *poam_rules_dev_status_name(poam_dev_status s); /* "pending" ... */
int poam_rules_dev_status_parse(const char *s, poam_dev_status *out);
/* A short English message for an error code (static string). */
const char *poam_rules_dev_err_message(poam_dev_err e);

/*
 * May this deviation be requested? item_open: the item's status; current:
 * its current rating (the approved adjusted rating, else the original);
 * has_adjusted/adjusted: the rating a risk adjustment asks for.
 * Operational requirements are refused for a High item (FedRAMP does not
 * approve them; a risk adjustment must come first).
 */
poam_dev_err poam_rules_dev_request_check(int item_open, risk_rating current, poam_dev_type type,
					  int has_adjusted, risk_rating adjusted);

/*
 * May this decision be recorded? The request must be pending and the item
 * open; approving an operational requirement is refused while the item is
 * still High (current rating). Rejections of a pending request on an
 * open item are always allowed.
 */
poam_dev_err poam_rules_dev_decide_check(int item_open, poam_dev_status status, int approve,
					 poam_dev_type type, risk_rating current);

/* One deviation request as the column rules see it. */
typedef struct poam_deviation {
	poam_dev_type type;
	poam_dev_status status;
	risk_rating adjusted;          /* risk adjustments only */
	const char *rationale;         /* never NULL */
	const char *const *documents;  /* supporting documents, ndocuments of them */
	size_t ndocuments;
} poam_deviation;

/* The deviation columns of an item. */
typedef struct poam_dev_columns {
	const char *risk_adjustment;        /* "Yes", "No" or "Pending" (static) */
	const char *false_positive;
	const char *operational_requirement;
	int has_adjusted;                   /* an approved risk adjustment exists */
	risk_rating adjusted;               /* the latest approved one */
	int closes;                         /* an approved false positive closes the item */
	int any;                            /* any request at all (Auto-Approve "No") */
} poam_dev_columns;

/*
 * Compute the columns from an item's requests d[0..n) in request order.
 * Per type: "Pending" while a request of the type is pending, else "Yes"
 * if one was approved, else "No" (also when there is none).
 */
void poam_rules_dev_columns(const poam_deviation *d, size_t n, poam_dev_columns *out);

/*
 * Append the Deviation Rationale text: one "Type : rationale" paragraph
 * per request that is pending or approved, in request order, separated by
 * a blank line (the template's form); and the Supporting Documents text:
 * one document per line. Nothing is appended when there is nothing to
 * say. Returns 0, or a BUF_ERR_* code (the buffer is then freed).
 */
int poam_rules_dev_rationale(const poam_deviation *d, size_t n, buf *out);
int poam_rules_dev_documents(const poam_deviation *d, size_t n, buf *out);

#endif
