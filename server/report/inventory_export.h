/*
 * inventory_export.h - the FedRAMP Integrated Inventory Workbook of a
 * reporting period, written as .xlsx (the v3.1 layout in
 * templates/inventory-v3.1.json, through xlsx_writer in constant-memory
 * mode) or as CSV (csv_writer, the same rows), from the rows the store
 * streams (store/inventory_report.h). Memory does not grow with the
 * number of assets. The .xlsx is reproducible: the same data and period
 * give the same bytes (the document's creation time is the last second of
 * the period). How each column is filled: docs/inventory.md.
 */
#ifndef MUSTER_INVENTORY_EXPORT_H
#define MUSTER_INVENTORY_EXPORT_H

#include <stddef.h>
#include <time.h>

#include "../store/inventory_report.h"
#include "../store/store.h"
#include "layout.h"

#define INVENTORY_LAYOUT_FILE "inventory-v3.1.json"   /* under the templates directory */
#define INVENTORY_SHEET "Inventory"

/* Result codes besides STORE_OK and the STORE_ERR_* codes of the store. */
#define INVENTORY_ERR_OUTPUT (-100)   /* the file could not be written (message in err) */
#define INVENTORY_ERR_LAYOUT (-101)   /* the layout lacks a column the export fills */

typedef enum inventory_format {
	INVENTORY_XLSX = 0,
	INVENTORY_CSV
} inventory_format;

/*
 * The reporting period from the request's month ("YYYY-MM": that calendar
 * month, UTC) or as_of ("YYYY-MM-DD": from the first day of that month to
 * the end of that day, UTC); both NULL: the month containing now. Giving
 * both, a malformed value, or a period starting after now is refused.
 * Returns 0 with *out filled (label "YYYY-MM" or "YYYY-MM-DD"), or -1 with
 * a message for the user in err.
 */
int inventory_period_parse(const char *month, const char *as_of, time_t now,
			   inventory_period *out, char *err, size_t errlen);

/*
 * The download name "<system>-inventory-<label>.<ext>": the system name
 * reduced to letters, digits, '.', '_' and '-' (other runs become one
 * '-', at most 100 bytes; "system" when nothing is left), so it is safe
 * inside a quoted Content-Disposition filename. Always NUL-terminates out.
 */
void inventory_file_name(const char *system_name, const inventory_period *p,
			 const char *ext, char *out, size_t outlen);

/*
 * Write the inventory of period p to path (created or truncated) in the
 * given format, reading rows from db. l is the inventory layout (borrowed;
 * it must have the INVENTORY_SHEET sheet with the v3.1 fields). tmpdir is
 * where libxlsxwriter keeps its per-sheet temporary file (NULL = the
 * system default; must be writable). *src (may be NULL) receives the
 * number of data rows and whether they were a finalized month's stored
 * rows. On failure nothing usable is left at path: the caller removes it.
 * Returns STORE_OK, a STORE_ERR_* code (database), INVENTORY_ERR_OUTPUT or
 * INVENTORY_ERR_LAYOUT, with a message in err.
 */
int inventory_export(db_conn *db, const layout *l, const inventory_period *p,
		     inventory_format fmt, const char *path, const char *tmpdir,
		     inventory_source *src, char *err, size_t errlen);

#endif
