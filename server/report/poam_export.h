/*
 * poam_export.h - the POA&M deliverables from rows that a source streams:
 * the FedRAMP POA&M workbook (.xlsx, layout templates/poam-v2.1.json,
 * through xlsx_writer in constant-memory mode), the open items as CSV
 * (csv_writer), and an OSCAL 1.0.x plan-of-action-and-milestones document
 * with FedRAMP's extension properties. No database and no HTTP here: the
 * caller adapts a store cursor (store/poam_report.h) into a source, and
 * says where the bytes go. Same rows in, same bytes out.
 */
#ifndef MUSTER_POAM_EXPORT_H
#define MUSTER_POAM_EXPORT_H

#include <stddef.h>
#include <time.h>

#include "csv_writer.h"
#include "layout.h"

#define POAM_EXPORT_OPEN 0x1     /* a row of the "Open POA&M Items" sheet */
#define POAM_EXPORT_CLOSED 0x2   /* a row of the "Closed POA&M Items" sheet */

/* The header block of the workbook (and the OSCAL metadata). Strings may
 * be NULL (blank cells). */
typedef struct poam_header {
	const char *csp;
	const char *system_name;
	const char *impact_level;   /* "Low", "Moderate" or "High" */
	const char *poam_date;      /* "YYYY-MM-DD" */
} poam_header;

/*
 * Where rows go: the source calls emit(sink, sheet, names, values, n) for
 * every row, all open rows before the closed ones. names are the layout's
 * field names of the values (columns the layout does not have are
 * ignored; layout columns not named stay blank). emit returns 0, or
 * nonzero to stop; the source then returns that value.
 */
typedef int (*poam_emit_fn)(void *sink, int sheet, const char *const *names,
			    const char *const *values, size_t n);
typedef int (*poam_source_fn)(void *src, poam_emit_fn emit, void *sink);

/* Where bytes go (same contract as csv_write_fn: return len on success). */
typedef size_t (*poam_write_fn)(const void *data, size_t len, void *payload);

/*
 * Write the workbook to path: every sheet of layout l with its header
 * block (values from h), open rows on "Open POA&M Items", closed rows on
 * "Closed POA&M Items", "Configuration Findings" with headers only.
 * created is the document time stored in the file. tmpdir holds
 * libxlsxwriter's temporary files (NULL: the system's). Returns 0, or -1
 * with a message in err (no file is left at path then).
 */
int poam_export_xlsx(const layout *l, const char *path, const char *tmpdir, time_t created,
		     const poam_header *h, poam_source_fn src, void *src_payload,
		     char *err, size_t errlen);

/*
 * Write the header row and the open rows of the layout's "Open POA&M
 * Items" sheet as CSV (closed rows from the source are skipped). flags:
 * CSV_ESCAPE_FORMULAS or 0. Returns 0 or -1 with a message in err.
 */
int poam_export_csv(const layout *l, int flags, poam_write_fn out, void *out_payload,
		    poam_source_fn src, void *src_payload, char *err, size_t errlen);

/*
 * An item source for OSCAL: calls item(sink, state_json, events_json) for
 * every item (see store_poam_report_items for the two texts).
 */
typedef int (*poam_item_fn)(void *sink, const char *state_json, const char *events_json);
typedef int (*poam_item_source_fn)(void *src, poam_item_fn item, void *sink);

/*
 * Write an OSCAL 1.0.6 POA&M (JSON) of the items the source gives, as of
 * as_of: one observation, one risk and one poam-item per item (with the
 * FedRAMP POAM-ID, kev-catalog, kev-due-date, vendor-dependency and
 * deviation properties and the risk status), the scanners as components
 * and the assets as inventory items of local-definitions. UUIDs are
 * version-5 UUIDs of stable names, so the same items give the same bytes.
 * Observations, risks and items are spooled to temporary files in tmpdir
 * (NULL: /tmp), so memory does not grow with the number of items.
 * Returns 0 or -1 with a message in err.
 */
int poam_export_oscal(const poam_header *h, time_t as_of, const char *tmpdir,
		      poam_write_fn out, void *out_payload,
		      poam_item_source_fn src, void *src_payload, char *err, size_t errlen);

/* A version-5 UUID (SHA-1, RFC 4122) of name in muster's namespace, as
 * 36 characters plus NUL into out. Exposed for tests. */
void poam_export_uuid(const char *name, char out[37]);

#endif
