/*
 * inventory_report.h - the rows of the FedRAMP Integrated Inventory
 * Workbook for one reporting period, computed by PostgreSQL from history
 * and streamed to a callback through a cursor (1000 rows a fetch), so the
 * memory of the caller does not grow with the number of assets.
 *
 * One row per asset (images row) that had a production container at some
 * time in the period; docs/inventory.md states every rule. In short:
 *   - an instance counts when its [first_seen, ended_at) (or, while it has
 *     not ended, [first_seen, last_seen]) overlaps a stretch of the period
 *     during which muster_environment(cluster, namespace, ...) was
 *     'production' (the environment is evaluated at the period start and
 *     at every environment change inside the period);
 *   - "the period end" t is the last microsecond of the period, or the
 *     database's now() while the period is still running; scans, hardening
 *     baselines, metadata, policy and UAIs are taken as they were at t.
 */
#ifndef MUSTER_STORE_INVENTORY_REPORT_H
#define MUSTER_STORE_INVENTORY_REPORT_H

#include <time.h>

#include "store.h"

#define INVENTORY_FETCH_ROWS 1000      /* rows fetched from the cursor at a time */
#define INVENTORY_MAX_DIGEST_LINES 400 /* digests listed in one cell (Excel: 32767 chars) */

/* A reporting period: [start, end) in seconds since the epoch, UTC. */
typedef struct inventory_period {
	time_t start;
	time_t end;
	char label[16];        /* "2026-11" (a month) or "2026-11-15" (as of a day) */
} inventory_period;

/*
 * One asset as of the period. Strings are UTF-8, at most 32767 characters
 * (Excel's cell limit), and borrowed: valid only during the callback.
 * NULL means unknown / not recorded.
 */
typedef struct inventory_row {
	long long image_id;
	const char *uai;              /* the UAI in force at the period end */
	const char *digests;          /* one digest a production build, "\n"-separated, sorted;
					 past INVENTORY_MAX_DIGEST_LINES a last "(and N more)" line */
	int all_scanned;              /* every production build had a scan at or before t */
	int all_in_window;            /* every production build had a scan in (t - window, t] */
	const char *baseline;         /* hardening baseline in force at t (image's, else repository's) */
	const char *os;               /* "alpine 3.10.2": latest scan at or before t naming an OS */
	int public_;                  /* metadata "public": 1 true, 0 false, -1 unknown */
	const char *diagram_label;    /* metadata in force at t (image's keys over repository's) */
	const char *function;
	const char *owner;
	const char *application_owner;
	const char *vendor;
	const char *software_name_version;
	const char *end_of_life;      /* as recorded: the caller checks it is a date */
	const char *location;
	const char *comments;
	long long containers;         /* production container instances in the period */
	long long n_clusters;         /* distinct clusters they ran in */
	const char *clusters;         /* those clusters, ", "-separated, sorted (clipped) */
} inventory_row;

/* Called once per row in UAI order (byte order); return 0 to go on, or a
 * non-zero code to stop (store_inventory_rows then returns that code). */
typedef int (*inventory_row_fn)(const inventory_row *row, void *payload);

/* What a stream of rows was. */
typedef struct inventory_source {
	long long rows;             /* rows delivered */
	int finalized;              /* 1: the stored rows of a finalized month */
	char finalized_at[40];      /* then when, RFC 3339 UTC */
} inventory_source;

/*
 * Stream the inventory rows of period p to fn, in one read-only
 * REPEATABLE READ transaction (one consistent snapshot) through a cursor:
 * the rows stored when the period was finalized, else the rows computed
 * from history. *src (may be NULL) says which, and how many rows.
 * Returns STORE_OK, a STORE_ERR_* code, or fn's non-zero code; the
 * transaction is always finished before returning.
 */
int store_inventory_rows(db_conn *c, const inventory_period *p, inventory_row_fn fn,
			 void *payload, inventory_source *src);

/* A finalized month (docs/inventory.md, "Finalized months"). */
typedef struct inventory_final {
	long long id;
	char label[16];             /* "2026-10" */
	char period_start[40];      /* RFC 3339 UTC */
	char period_end[40];        /* exclusive */
	char finalized_at[40];
	char finalized_by[128];
	char superseded_at[40];     /* "" while it is the month's current rows */
	long long rows;
} inventory_final;

/*
 * Finalize period p: compute its rows from history (the statement
 * store_inventory_rows runs) and store them, in one transaction, as the
 * period's rows from now on; a previous finalization of the same period
 * is marked superseded (and kept). The period must have ended:
 * STORE_ERR_INVALID otherwise. *out receives the new record, *replaced
 * (may be NULL) whether one was superseded.
 */
int store_inventory_finalize(db_conn *c, const inventory_period *p, const store_actor *who,
			     inventory_final *out, int *replaced);

/* Every finalization, newest first, in *out (the caller frees it). */
int store_inventory_finals(db_conn *c, inventory_final **out, size_t *n);

#endif
