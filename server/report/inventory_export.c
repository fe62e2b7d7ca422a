/*
 * inventory_export.c - the inventory workbook and CSV (inventory_export.h).
 * Maps each row the store streams onto the layout's columns by field name
 * (so a column moved in a new template version needs no C change), fills
 * the container constants (Virtual, Asset Type), renders Yes/No and the
 * Comments cell, and hands the row to the xlsx or the CSV writer. One
 * value array and one comment buffer are reused for every row.
 */
#include "inventory_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/timeutil.h"
#include "csv_writer.h"
#include "xlsx_writer.h"

#define CELL_MAX_CHARS 32767            /* Excel's characters per cell */
#define COMMENT_MAX_BYTES (256u * 1024) /* ceiling of the composed Comments cell */
#define NAME_MAX_BYTES 100              /* sanitized system name in file names */

/* The layout fields this export fills; the rest stay blank. */
enum {
	F_UAI, F_IP, F_VIRTUAL, F_PUBLIC, F_AUTH_SCAN, F_BASELINE, F_OS, F_LOCATION,
	F_ASSET_TYPE, F_IN_LATEST, F_VENDOR, F_SOFTWARE, F_DIAGRAM, F_COMMENTS,
	F_SYSADMIN, F_APP_OWNER, F_FUNCTION, F_EOL, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"uai", "ip_address", "virtual", "public", "authenticated_scan",
	"baseline_configuration", "os_name_version", "location", "asset_type",
	"in_latest_scan", "software_vendor", "software_name_version", "diagram_label",
	"comments", "system_administrator", "application_owner", "function", "end_of_life"
};

typedef struct export_ctx {
	const layout_sheet *sheet;
	int col[F_COUNT];          /* layout column of each field */
	const char **vals;         /* one per layout column, reused for every row */
	buf comment;               /* the Comments cell, reused */
	inventory_format fmt;
	xw_writer *xw;             /* INVENTORY_XLSX */
	FILE *csv;                 /* INVENTORY_CSV */
	char *err;
	size_t errlen;
} export_ctx;

/* ---- period and names ---- */

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Exactly "YYYY-MM-DD", a real day of the years Excel can show as a date. */
static int is_date(const char *s)
{
	int i, y = 0, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int inventory_period_parse(const char *month, const char *as_of, time_t now,
			   inventory_period *out, char *err, size_t errlen)
{
	char label[32];
	struct tm tm;
	time_t day;

	memset(out, 0, sizeof(*out));
	if (month && as_of) {
		snprintf(err, errlen, "give month or as_of, not both");
		return -1;
	}
	if (as_of) {
		if (strlen(as_of) != 10 || time_parse_rfc3339(as_of, &day)) {
			snprintf(err, errlen, "as_of must be a date YYYY-MM-DD");
			return -1;
		}
		snprintf(label, sizeof(label), "%.7s", as_of);
		if (time_parse_month(label, &out->start, &out->end)) {
			snprintf(err, errlen, "as_of must be a date YYYY-MM-DD");
			return -1;
		}
		out->end = day + 86400;   /* the end of that day */
		snprintf(out->label, sizeof(out->label), "%.10s", as_of);   /* checked: YYYY-MM-DD */
	} else {
		if (!month) {
			if (!gmtime_r(&now, &tm)) {
				snprintf(err, errlen, "the current time is out of range");
				return -1;
			}
			snprintf(label, sizeof(label), "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
			month = label;
		}
		if (time_parse_month(month, &out->start, &out->end)) {
			snprintf(err, errlen, "month must be YYYY-MM (1970 or later)");
			return -1;
		}
		snprintf(out->label, sizeof(out->label), "%.7s", month);   /* checked: YYYY-MM */
	}
	if (out->start > now) {
		snprintf(err, errlen, "the period %s has not started yet", out->label);
		return -1;
	}
	return 0;
}

void inventory_file_name(const char *system_name, const inventory_period *p,
			 const char *ext, char *out, size_t outlen)
{
	char name[NAME_MAX_BYTES + 1];
	size_t n = 0;
	const char *s;
	int dash = 0;

	for (s = system_name ? system_name : ""; *s && n < NAME_MAX_BYTES; s++) {
		char ch = *s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-') {
			if (dash && n > 0 && n < NAME_MAX_BYTES)
				name[n++] = '-';
			dash = 0;
			if (n < NAME_MAX_BYTES)
				name[n++] = ch;
		} else {
			dash = 1;
		}
	}
	/* no leading dots or dashes (hidden files, option-like names) */
	name[n] = '\0';
	s = name;
	while (*s == '.' || *s == '-')
		s++;
	snprintf(out, outlen, "%s-inventory-%s.%s", *s ? s : "system",
		 p ? p->label : "", ext ? ext : "xlsx");
}

/* ---- rows ---- */

/* Cut b to at most max UTF-8 characters, at a character boundary. */
static void clip_chars(buf *b, size_t max)
{
	size_t i, chars = 0;

	for (i = 0; i < b->len; i++) {
		if (((unsigned char)b->data[i] & 0xC0) == 0x80)
			continue;
		if (++chars > max) {
			b->len = i;
			b->data[i] = '\0';
			return;
		}
	}
}

/* "3 production containers in prod-east, prod-west" and the recorded comments. */
static int compose_comment(export_ctx *x, const inventory_row *row)
{
	int rc;

	buf_reset(&x->comment);
	rc = buf_printf(&x->comment, "%lld production container%s", row->containers,
			row->containers == 1 ? "" : "s");
	if (!rc && row->clusters && *row->clusters)
		rc = buf_printf(&x->comment, " in %s", row->clusters);
	if (!rc && row->comments && *row->comments)
		rc = buf_printf(&x->comment, "\n%s", row->comments);
	if (rc) {
		/* a failed append released the buffer: make it usable again */
		buf_init(&x->comment, COMMENT_MAX_BYTES);
		snprintf(x->err, x->errlen, "the comments of %s are too long", row->uai);
		return INVENTORY_ERR_OUTPUT;
	}
	clip_chars(&x->comment, CELL_MAX_CHARS);
	return 0;
}

static void set(export_ctx *x, int field, const char *value)
{
	x->vals[x->col[field]] = value && *value ? value : NULL;
}

static int put_row(const inventory_row *row, void *payload)
{
	export_ctx *x = payload;
	size_t n = x->sheet->ncolumns;
	int rc;

	memset(x->vals, 0, n * sizeof(*x->vals));
	rc = compose_comment(x, row);
	if (rc)
		return rc;
	set(x, F_UAI, row->uai);
	set(x, F_IP, row->digests);
	set(x, F_VIRTUAL, "Yes");
	set(x, F_PUBLIC, row->public_ < 0 ? NULL : row->public_ ? "Yes" : "No");
	set(x, F_AUTH_SCAN, row->all_scanned ? "Yes" : "No");
	set(x, F_BASELINE, row->baseline);
	set(x, F_OS, row->os);
	set(x, F_LOCATION, row->location);
	set(x, F_ASSET_TYPE, "Container");
	set(x, F_IN_LATEST, row->all_in_window ? "Yes" : "No");
	set(x, F_VENDOR, row->vendor);
	set(x, F_SOFTWARE, row->software_name_version);
	set(x, F_DIAGRAM, row->diagram_label);
	set(x, F_COMMENTS, x->comment.data);
	set(x, F_SYSADMIN, row->owner);
	set(x, F_APP_OWNER, row->application_owner);
	set(x, F_FUNCTION, row->function);
	/* a recorded end-of-life that is not a date is left out, not guessed at */
	set(x, F_EOL, is_date(row->end_of_life) ? row->end_of_life : NULL);

	if (x->fmt == INVENTORY_XLSX) {
		if (xw_write_row(x->xw, x->vals, n)) {
			snprintf(x->err, x->errlen, "%s", xw_error(x->xw));
			return INVENTORY_ERR_OUTPUT;
		}
		return 0;
	}
	if (csv_write_row(x->sheet, x->vals, n, CSV_ESCAPE_FORMULAS, csv_fwrite, x->csv)) {
		snprintf(x->err, x->errlen, "could not write the CSV: %s", strerror(errno));
		return INVENTORY_ERR_OUTPUT;
	}
	return 0;
}

/* Resolve the layout columns of every field the export fills. */
static int map_columns(export_ctx *x, const layout *l)
{
	int i;

	x->sheet = layout_sheet_find(l, INVENTORY_SHEET);
	if (!x->sheet) {
		snprintf(x->err, x->errlen, "the inventory layout has no sheet \"%s\"", INVENTORY_SHEET);
		return INVENTORY_ERR_LAYOUT;
	}
	for (i = 0; i < F_COUNT; i++) {
		x->col[i] = layout_column_index(x->sheet, field_names[i]);
		if (x->col[i] < 0) {
			snprintf(x->err, x->errlen, "the inventory layout has no column \"%s\"",
				 field_names[i]);
			return INVENTORY_ERR_LAYOUT;
		}
	}
	x->vals = calloc(x->sheet->ncolumns, sizeof(*x->vals));
	if (!x->vals) {
		snprintf(x->err, x->errlen, "out of memory");
		return INVENTORY_ERR_OUTPUT;
	}
	return STORE_OK;
}

static void db_message(int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", rc == STORE_ERR_DOWN ? "the database is unavailable"
				 : rc == STORE_ERR_BUSY ? "no database connection is free"
				 : rc == STORE_ERR_TIMEOUT ? "the database ran past its time limit"
				 : "the database could not produce the inventory");
}

static int export_xlsx(export_ctx *x, db_conn *db, const layout *l, const inventory_period *p,
		       const char *path, const char *tmpdir, inventory_source *src)
{
	int rc;

	x->xw = xw_open(l, path, tmpdir, p->end - 1, NULL, NULL, x->err, x->errlen);
	if (!x->xw)
		return INVENTORY_ERR_OUTPUT;
	if (xw_begin_sheet(x->xw, INVENTORY_SHEET)) {
		snprintf(x->err, x->errlen, "%s", xw_error(x->xw));
		rc = INVENTORY_ERR_OUTPUT;
		goto fail;
	}
	rc = store_inventory_rows(db, p, put_row, x, src);
	if (rc) {
		if (rc != INVENTORY_ERR_OUTPUT)
			db_message(rc, x->err, x->errlen);
		goto fail;
	}
	rc = xw_close(x->xw, x->err, x->errlen);   /* frees the writer in every case */
	x->xw = NULL;
	return rc ? INVENTORY_ERR_OUTPUT : STORE_OK;
fail:
	xw_abort(x->xw);
	x->xw = NULL;
	return rc;
}

static int export_csv(export_ctx *x, db_conn *db, const inventory_period *p, const char *path,
		      inventory_source *src)
{
	int rc;

	x->csv = fopen(path, "wb");
	if (!x->csv) {
		snprintf(x->err, x->errlen, "could not write %s: %s", path, strerror(errno));
		return INVENTORY_ERR_OUTPUT;
	}
	if (csv_write_header(x->sheet, CSV_ESCAPE_FORMULAS, csv_fwrite, x->csv)) {
		snprintf(x->err, x->errlen, "could not write %s: %s", path, strerror(errno));
		rc = INVENTORY_ERR_OUTPUT;
		goto cleanup;
	}
	rc = store_inventory_rows(db, p, put_row, x, src);
	if (rc && rc != INVENTORY_ERR_OUTPUT)
		db_message(rc, x->err, x->errlen);
	if (!rc && fflush(x->csv) != 0) {
		snprintf(x->err, x->errlen, "could not write %s: %s", path, strerror(errno));
		rc = INVENTORY_ERR_OUTPUT;
	}
cleanup:
	if (fclose(x->csv) != 0 && !rc) {
		snprintf(x->err, x->errlen, "could not write %s: %s", path, strerror(errno));
		rc = INVENTORY_ERR_OUTPUT;
	}
	x->csv = NULL;
	return rc;
}

int inventory_export(db_conn *db, const layout *l, const inventory_period *p,
		     inventory_format fmt, const char *path, const char *tmpdir,
		     inventory_source *src, char *err, size_t errlen)
{
	export_ctx x;
	int rc;

	if (src)
		memset(src, 0, sizeof(*src));
	if (!db || !l || !p || !path || !*path || p->end <= p->start) {
		snprintf(err, errlen, "inventory_export: bad arguments");
		return INVENTORY_ERR_OUTPUT;
	}
	memset(&x, 0, sizeof(x));
	x.fmt = fmt;
	x.err = err;
	x.errlen = errlen;
	buf_init(&x.comment, COMMENT_MAX_BYTES);
	rc = map_columns(&x, l);
	if (rc)
		goto cleanup;
	if (fmt == INVENTORY_XLSX)
		rc = export_xlsx(&x, db, l, p, path, tmpdir, src);
	else
		rc = export_csv(&x, db, p, path, src);
cleanup:
	free(x.vals);
	buf_free(&x.comment);
	return rc;
}
