/*
 * xlsx_writer.h - streams a FedRAMP workbook (.xlsx) that follows a layout.
 *
 * Built on libxlsxwriter in constant-memory mode: each sheet's rows go to a
 * temporary file as they are written, so memory does not grow with the
 * number of rows, and rows of a sheet can only be written in order.  Every
 * sheet of the layout, with its fixed cells and column headers, is written
 * when the writer opens; the caller then appends data rows sheet by sheet,
 * and a sheet it never begins stays in the workbook with headers only.
 *
 * Output is reproducible: same layout, values and `created` time give the
 * same bytes (document author "muster", creation time from the caller, zip
 * entries with fixed timestamps).
 *
 * Cell values are UTF-8 strings, one per layout column:
 *   - NULL or "" leaves the cell blank;
 *   - text and wrap columns are written as strings; "\r\n" and a lone "\r"
 *     become "\n" (Excel's line break), invalid UTF-8 becomes U+FFFD, and a
 *     literal "_xHHHH_" is escaped so Excel does not decode it;
 *   - date columns take "YYYY-MM-DD" (years 1900-9999) and get a real Excel
 *     date with the column's number format;
 *   - number columns take a decimal number ("12", "-1.5e3").
 * A cell longer than Excel's 32767 characters is an error, not truncated.
 *
 * Typical use:
 *   w = xw_open(l, path, tmpdir, as_of, lookup, &hdr, err, sizeof err);
 *   xw_begin_sheet(w, "Open POA&M Items");  xw_write_row(w, vals, n) ...
 *   xw_begin_sheet(w, "Closed POA&M Items"); xw_write_row(...) ...
 *   xw_close(w, err, sizeof err);            (or xw_abort(w) on an error path)
 */
#ifndef MUSTER_XLSX_WRITER_H
#define MUSTER_XLSX_WRITER_H

#include <stddef.h>
#include <time.h>

#include "layout.h"

typedef struct xw_writer xw_writer;

/*
 * Supplies the value of a header_block field ("csp", "system_name",
 * "poam_date", ...) from the caller's payload.  Returns a UTF-8 string the
 * writer copies before returning, or NULL for a blank cell.
 */
typedef const char *(*xw_lookup_fn)(const char *field, void *payload);

/*
 * Start a workbook at path following layout l, and write every sheet's
 * fixed cells (header_block values come from lookup, called during this
 * call only; lookup may be NULL for all-blank values), column headers,
 * widths, frozen panes and value-list validations.
 *
 * tmpdir: directory for libxlsxwriter's per-sheet temporary files (NULL =
 * the system default).  created: the document creation time (seconds since
 * the epoch, > 0), stored in the file so that output is reproducible.
 * l is borrowed and must outlive the writer.  Nothing is written to path
 * until xw_close().
 *
 * Returns a writer to finish with xw_close() or xw_abort(), or NULL with a
 * message in err.
 */
xw_writer *xw_open(const layout *l, const char *path, const char *tmpdir,
		   time_t created, xw_lookup_fn lookup, void *payload,
		   char *err, size_t errlen);

/*
 * Make sheet_name (a sheet of the layout) the sheet that xw_write_row()
 * appends to.  Each sheet can be begun once, in any order.  Returns 0, or
 * -1 with the message available from xw_error(); after a failure the writer
 * only accepts xw_close() (which reports the error) or xw_abort().
 */
int xw_begin_sheet(xw_writer *w, const char *sheet_name);

/*
 * Append one data row to the current sheet.  values has nvalues entries,
 * which must equal the sheet's column count; values[i] goes to column i
 * (see the file comment for how each column type is written).  Strings are
 * copied.  Returns 0, or -1 with the message from xw_error() (a bad date or
 * number, an over-long cell, a full sheet, no sheet begun, a library error).
 */
int xw_write_row(xw_writer *w, const char *const *values, size_t nvalues);

/* The message of the last failure, or "" when none.  Borrowed from w. */
const char *xw_error(const xw_writer *w);

/*
 * Finish the workbook, write it to path and free the writer (always, even on
 * failure).  Returns 0, or -1 with a message in err: an earlier failure of
 * the writer, or libxlsxwriter's reason for not writing the file.  When
 * writing the file fails, path is removed so no partial workbook is left
 * (write to a temporary name and rename it if an older file must survive).
 */
int xw_close(xw_writer *w, char *err, size_t errlen);

/* Free the writer without writing anything to path.  NULL is allowed. */
void xw_abort(xw_writer *w);

#endif
