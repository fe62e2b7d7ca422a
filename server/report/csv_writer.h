/*
 * csv_writer.h - RFC 4180 CSV of one layout sheet: its column header row,
 * then data rows, written through a callback so an HTTP handler can stream
 * the body as it is produced (csv_fwrite adapts a FILE *).
 *
 * Fields holding a comma, a double quote, CR or LF are quoted, quotes
 * doubled; lines end with CRLF.  Values are written as given (dates stay
 * "YYYY-MM-DD"); NULL is an empty field.  With CSV_ESCAPE_FORMULAS, a field
 * starting with = + - @ TAB or CR gets a leading apostrophe so a spreadsheet
 * opening the file does not run it as a formula (OWASP "CSV injection").
 */
#ifndef MUSTER_CSV_WRITER_H
#define MUSTER_CSV_WRITER_H

#include <stddef.h>

#include "layout.h"

#define CSV_ESCAPE_FORMULAS 0x1   /* prefix formula-like fields with ' */

/*
 * Output callback: write len bytes of data, return the number written
 * (anything but len is an error).  payload is the caller's.
 */
typedef size_t (*csv_write_fn)(const void *data, size_t len, void *payload);

/* csv_write_fn over a FILE * given as payload (fwrite). */
size_t csv_fwrite(const void *data, size_t len, void *payload);

/*
 * Write the header row of sheet (its column headers, in order).  flags:
 * CSV_ESCAPE_FORMULAS or 0.  Returns 0, or -1 when the callback fails.
 */
int csv_write_header(const layout_sheet *sheet, int flags, csv_write_fn fn,
		     void *payload);

/*
 * Write one data row: nvalues values, which must equal the sheet's column
 * count (values[i] is column i, NULL = empty).  Returns 0, or -1 when the
 * count is wrong or the callback fails.
 */
int csv_write_row(const layout_sheet *sheet, const char *const *values,
		  size_t nvalues, int flags, csv_write_fn fn, void *payload);

#endif
