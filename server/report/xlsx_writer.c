/*
 * xlsx_writer.c - the streaming workbook writer of xlsx_writer.h, over
 * libxlsxwriter 1.1.4 in constant-memory mode.
 *
 * The writer owns the libxlsxwriter workbook, one format per layout style
 * (created once, reused for every cell), the per-sheet row cursors, a copy
 * of the output path and one scratch buffer reused for every string cell.
 */
#include "xlsx_writer.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "../util/buf.h"

#define XW_ERR_LEN 512               /* stored message size */
#define XW_SCRATCH_MAX (1u << 20)    /* bytes of one sanitized cell */
#define XW_DATE_LEN 10               /* "YYYY-MM-DD" */
/* libxlsxwriter adds Excel's cell padding (5 px at 7 px per character) to a
 * width; layouts hold the stored width, padding included. */
#define XW_COL_PADDING (5.0 / 7.0)

typedef struct xw_sheet {
	const layout_sheet *ls;
	lxw_worksheet *ws;
	lxw_row_t next_row;   /* next data row to write */
	int begun;
} xw_sheet;

struct xw_writer {
	const layout *l;
	lxw_workbook *wb;
	lxw_format **fmt;     /* one per layout style */
	xw_sheet *sheets;     /* one per layout sheet, same order */
	xw_sheet *cur;        /* sheet rows go to, or NULL */
	char *path;
	buf scratch;
	int failed;
	char err[XW_ERR_LEN];
};

static int xw_fail(xw_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a failure message; the writer accepts no more rows. Returns -1. */
static int xw_fail(xw_writer *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	w->failed = 1;
	return -1;
}

static lxw_format *style_format(const xw_writer *w, int style)
{
	if (style < 0 || (size_t)style >= w->l->nstyles)
		return NULL;
	return w->fmt[style];
}

/* ---- cell values ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;   /* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0;   /* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;   /* overlong */
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;   /* past U+10FFFF */
		return 4;
	}
	return 0;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Copy s into the scratch buffer as a string Excel reads back unchanged:
 * CR LF and lone CR become LF, invalid UTF-8 bytes become U+FFFD, and the
 * '_' of a literal "_xHHHH_" becomes "_x005F_" (ECMA-376 ST_Xstring escape).
 * Other control characters are escaped by libxlsxwriter itself.
 * Returns the NUL-terminated copy, or NULL when it would pass XW_SCRATCH_MAX.
 */
static const char *sanitize(xw_writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;
	int rc = 0;

	/* most cells need nothing: check first, copy only when they do */
	while (*p) {
		if (*p == '\r' || *p == '_') {
			break;
		} else if (*p < 0x80) {
			p++;
		} else if ((n = utf8_seq(p)) != 0) {
			p += n;
		} else {
			break;
		}
	}
	if (!*p)
		return (size_t)(p - (const unsigned char *)s) < XW_SCRATCH_MAX ? s : NULL;
	p = (const unsigned char *)s;
	buf_reset(&w->scratch);
	rc = buf_append(&w->scratch, "", 0);   /* ensure a NUL-terminated buffer */
	while (!rc && *p) {
		if (*p == '\r') {
			rc = buf_append(&w->scratch, "\n", 1);
			p += p[1] == '\n' ? 2 : 1;
		} else if (*p == '_' && p[1] == 'x' && is_hex((char)p[2]) &&
			   is_hex((char)p[3]) && is_hex((char)p[4]) &&
			   is_hex((char)p[5]) && p[6] == '_') {
			rc = buf_append(&w->scratch, "_x005F_", 7);
			p++;
		} else if ((n = utf8_seq(p)) == 0) {
			rc = buf_append(&w->scratch, "\xEF\xBF\xBD", 3);
			p++;
		} else {
			rc = buf_append(&w->scratch, p, n);
			p += n;
		}
	}
	if (rc) {
		buf_init(&w->scratch, XW_SCRATCH_MAX);   /* a failed append freed it */
		return NULL;
	}
	return w->scratch.data;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* Parse exactly "YYYY-MM-DD" (1900-01-01 .. 9999-12-31). 0 or -1. */
static int parse_date(const char *s, lxw_datetime *out)
{
	int i, y, m, d;

	if (strlen(s) != XW_DATE_LEN || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < XW_DATE_LEN; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -1;
	memset(out, 0, sizeof(*out));
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

/* Parse a plain decimal: [+-]digits[.digits][(e|E)[+-]digits]. 0 or -1. */
static int parse_number(const char *s, double *out)
{
	const char *p = s;
	char *end;
	int digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -1;
	*out = strtod(s, &end);
	if (*end || !isfinite(*out))
		return -1;
	return 0;
}

/*
 * Write one value to (row, col) of ws as type.  what names the cell for
 * messages ("sheet \"X\" row 7 column \"cve\"").
 */
static int write_value(xw_writer *w, lxw_worksheet *ws, lxw_row_t row,
		       lxw_col_t col, layout_type type, const char *value,
		       lxw_format *fmt, const char *what)
{
	lxw_datetime dt;
	const char *s;
	double num;
	lxw_error rc;

	switch (type) {
	case LAYOUT_DATE:
		if (parse_date(value, &dt))
			return xw_fail(w, "%s: not a date (YYYY-MM-DD)", what);
		rc = worksheet_write_datetime(ws, row, col, &dt, fmt);
		break;
	case LAYOUT_NUMBER:
		if (parse_number(value, &num))
			return xw_fail(w, "%s: not a number", what);
		rc = worksheet_write_number(ws, row, col, num, fmt);
		break;
	case LAYOUT_TEXT:
	case LAYOUT_WRAP:
	default:
		s = sanitize(w, value);
		if (!s)
			return xw_fail(w, "%s: value too long", what);
		rc = worksheet_write_string(ws, row, col, s, fmt);
		break;
	}
	if (rc != LXW_NO_ERROR)
		return xw_fail(w, "%s: %s", what, lxw_strerror(rc));
	return 0;
}

/* ---- workbook setup ---- */

static uint8_t border_style(layout_border b)
{
	switch (b) {
	case LAYOUT_BORDER_THIN: return LXW_BORDER_THIN;
	case LAYOUT_BORDER_MEDIUM: return LXW_BORDER_MEDIUM;
	case LAYOUT_BORDER_THICK: return LXW_BORDER_THICK;
	case LAYOUT_BORDER_NONE:
	default: return LXW_BORDER_NONE;
	}
}

/* Create one format per layout style. */
static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Do two layout styles describe the same cell format? */
static int same_style(const layout_style *a, const layout_style *b)
{
	return same_str(a->font, b->font) && a->size == b->size && a->bold == b->bold &&
	       a->italic == b->italic && a->wrap == b->wrap && a->has_color == b->has_color &&
	       (!a->has_color || a->color == b->color) && a->has_bg == b->has_bg &&
	       (!a->has_bg || a->bg == b->bg) && a->border == b->border &&
	       a->has_border_color == b->has_border_color &&
	       (!a->has_border_color || a->border_color == b->border_color) &&
	       a->align == b->align && a->valign == b->valign &&
	       a->num_format_index == b->num_format_index && same_str(a->num_format, b->num_format);
}

static int make_formats(xw_writer *w)
{
	static const uint8_t aligns[] = {
		LXW_ALIGN_NONE, LXW_ALIGN_LEFT, LXW_ALIGN_CENTER, LXW_ALIGN_RIGHT
	};
	static const uint8_t valigns[] = {
		LXW_ALIGN_NONE, LXW_ALIGN_VERTICAL_TOP, LXW_ALIGN_VERTICAL_CENTER,
		LXW_ALIGN_VERTICAL_BOTTOM
	};
	size_t i;

	if (w->l->nstyles == 0)
		return 0;
	w->fmt = calloc(w->l->nstyles, sizeof(lxw_format *));
	if (!w->fmt)
		return xw_fail(w, "out of memory");
	for (i = 0; i < w->l->nstyles; i++) {
		const layout_style *s = &w->l->styles[i];
		lxw_format *f;
		size_t j;

		/* styles that differ only in name share one format: otherwise
		 * libxlsxwriter looks the twin up again for every cell */
		for (j = 0; j < i && !same_style(s, &w->l->styles[j]); j++)
			;
		if (j < i) {
			w->fmt[i] = w->fmt[j];
			continue;
		}
		f = workbook_add_format(w->wb);
		if (!f)
			return xw_fail(w, "could not create format \"%s\"", s->name);
		w->fmt[i] = f;
		if (s->font)
			format_set_font_name(f, s->font);
		if (s->size > 0)
			format_set_font_size(f, s->size);
		if (s->bold)
			format_set_bold(f);
		if (s->italic)
			format_set_italic(f);
		if (s->has_color)
			format_set_font_color(f, s->color);
		if (s->has_bg) {
			format_set_pattern(f, LXW_PATTERN_SOLID);
			format_set_bg_color(f, s->bg);
		}
		if (s->border != LAYOUT_BORDER_NONE) {
			format_set_border(f, border_style(s->border));
			if (s->has_border_color)
				format_set_border_color(f, s->border_color);
		}
		if (s->align != LAYOUT_ALIGN_NONE)
			format_set_align(f, aligns[s->align]);
		if (s->valign != LAYOUT_VALIGN_NONE)
			format_set_align(f, valigns[s->valign]);
		if (s->wrap)
			format_set_text_wrap(f);
		if (s->num_format)
			format_set_num_format(f, s->num_format);
		else if (s->num_format_index > 0)
			format_set_num_format_index(f, (uint8_t)s->num_format_index);
	}
	return 0;
}

static int same_list(char **a, char **b)
{
	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++)
		if (strcmp(*a, *b) != 0)
			return 0;
	return !*a && !*b;
}

/* Value-list validations over the data rows; adjacent columns with the same
 * list share one range, as in the templates ("U6:W..."). */
static int add_validations(xw_writer *w, const xw_sheet *sh)
{
	const layout_sheet *ls = sh->ls;
	lxw_data_validation dv;
	size_t first, last;
	lxw_error rc;

	for (first = 0; first < ls->ncolumns; first = last + 1) {
		last = first;
		if (!ls->columns[first].validation)
			continue;
		while (last + 1 < ls->ncolumns &&
		       same_list(ls->columns[first].validation,
				 ls->columns[last + 1].validation))
			last++;
		memset(&dv, 0, sizeof(dv));
		dv.validate = LXW_VALIDATION_TYPE_LIST;
		dv.value_list = ls->columns[first].validation;
		rc = worksheet_data_validation_range(sh->ws, ls->data_row,
						     (lxw_col_t)first, LXW_ROW_MAX - 1,
						     (lxw_col_t)last, &dv);
		if (rc != LXW_NO_ERROR)
			return xw_fail(w, "sheet \"%s\" column \"%s\": validation: %s",
				       ls->name, ls->columns[first].field,
				       lxw_strerror(rc));
	}
	return 0;
}

static double row_height(const layout_sheet *ls, unsigned row)
{
	size_t i;

	for (i = 0; i < ls->nheights; i++)
		if (ls->heights[i].row == row)
			return ls->heights[i].height;
	return -1;
}

/* One fixed cell of the header block (merged when last_col > col). */
static int write_block_cell(xw_writer *w, const xw_sheet *sh,
			    const layout_cell *c, xw_lookup_fn lookup,
			    void *payload)
{
	lxw_format *fmt = style_format(w, c->style);
	const char *value = c->text;
	lxw_data_validation dv;
	char what[160];
	lxw_error rc;

	if (c->field) {
		snprintf(what, sizeof(what), "sheet \"%s\" field \"%s\"",
			 sh->ls->name, c->field);
		value = lookup ? lookup(c->field, payload) : NULL;
	} else {
		snprintf(what, sizeof(what), "sheet \"%s\" row %u col %u",
			 sh->ls->name, c->row + 1, c->col + 1);
	}
	if (c->last_col > c->col) {
		rc = worksheet_merge_range(sh->ws, c->row, (lxw_col_t)c->col,
					   c->row, (lxw_col_t)c->last_col, "", fmt);
		if (rc != LXW_NO_ERROR)
			return xw_fail(w, "%s: merge: %s", what, lxw_strerror(rc));
	} else if (!value || !*value) {
		rc = worksheet_write_blank(sh->ws, c->row, (lxw_col_t)c->col, fmt);
		if (rc != LXW_NO_ERROR)
			return xw_fail(w, "%s: %s", what, lxw_strerror(rc));
	}
	if (value && *value &&
	    write_value(w, sh->ws, c->row, (lxw_col_t)c->col, c->type, value, fmt,
			what))
		return -1;
	if (c->validation) {
		memset(&dv, 0, sizeof(dv));
		dv.validate = LXW_VALIDATION_TYPE_LIST;
		dv.value_list = c->validation;
		rc = worksheet_data_validation_cell(sh->ws, c->row, (lxw_col_t)c->col,
						    &dv);
		if (rc != LXW_NO_ERROR)
			return xw_fail(w, "%s: validation: %s", what, lxw_strerror(rc));
	}
	return 0;
}

/* The width to give libxlsxwriter so the file stores about `stored`. */
static double lib_width(double stored)
{
	if (stored <= 0)
		return LXW_DEF_COL_WIDTH;
	return stored > 1 + XW_COL_PADDING ? stored - XW_COL_PADDING : stored;
}

/*
 * Lay out one sheet: column widths and formats, frozen panes, validations,
 * then the rows above data_row in order (height, header block cells, and
 * the column headers on header_row), as constant-memory mode requires.
 */
static int setup_sheet(xw_writer *w, xw_sheet *sh, xw_lookup_fn lookup,
		       void *payload)
{
	const layout_sheet *ls = sh->ls;
	lxw_format *hfmt = style_format(w, ls->header_style);
	unsigned row;
	double h;
	size_t i;
	lxw_error rc;

	for (i = 0; i < ls->ncolumns; i++) {
		const layout_column *col = &ls->columns[i];
		lxw_format *f = style_format(w, col->style);

		if (col->width <= 0 && !f)
			continue;
		rc = worksheet_set_column(sh->ws, (lxw_col_t)i, (lxw_col_t)i,
					  lib_width(col->width), f);
		if (rc != LXW_NO_ERROR)
			return xw_fail(w, "sheet \"%s\" column \"%s\": %s", ls->name,
				       col->field, lxw_strerror(rc));
	}
	if (ls->has_freeze)
		worksheet_freeze_panes(sh->ws, ls->freeze_row, (lxw_col_t)ls->freeze_col);
	if (add_validations(w, sh))
		return -1;
	for (row = 0; row < ls->data_row; row++) {
		h = row_height(ls, row);
		if (h >= 0) {
			rc = worksheet_set_row(sh->ws, row, h, NULL);
			if (rc != LXW_NO_ERROR)
				return xw_fail(w, "sheet \"%s\" row %u: %s", ls->name,
					       row + 1, lxw_strerror(rc));
		}
		for (i = 0; i < ls->ncells; i++)
			if (ls->cells[i].row == row &&
			    write_block_cell(w, sh, &ls->cells[i], lookup, payload))
				return -1;
		if (row != ls->header_row)
			continue;
		for (i = 0; i < ls->ncolumns; i++) {
			const char *s = sanitize(w, ls->columns[i].header);

			if (!s)
				return xw_fail(w, "sheet \"%s\": header too long", ls->name);
			rc = worksheet_write_string(sh->ws, row, (lxw_col_t)i, s, hfmt);
			if (rc != LXW_NO_ERROR)
				return xw_fail(w, "sheet \"%s\" header \"%s\": %s", ls->name,
					       ls->columns[i].field, lxw_strerror(rc));
		}
	}
	sh->next_row = ls->data_row;
	return 0;
}

static void writer_free(xw_writer *w)
{
	size_t i;

	if (!w)
		return;
	if (w->wb) {
		/*
		 * An unclosed workbook: lxw_workbook_free() (1.1.4) releases
		 * memory but not the constant-memory temporary file of each
		 * sheet (workbook_close() reads and closes those), so close
		 * them here or every abort leaks a descriptor per sheet.
		 */
		for (i = 0; w->sheets && i < w->l->nsheets; i++) {
			lxw_worksheet *ws = w->sheets[i].ws;

			if (ws && ws->optimize_tmpfile) {
				fclose(ws->optimize_tmpfile);
				ws->optimize_tmpfile = NULL;
				ws->file = NULL;
			}
		}
		lxw_workbook_free(w->wb);
	}
	free(w->fmt);
	free(w->sheets);
	free(w->path);
	buf_free(&w->scratch);
	free(w);
}

xw_writer *xw_open(const layout *l, const char *path, const char *tmpdir,
		   time_t created, xw_lookup_fn lookup, void *payload,
		   char *err, size_t errlen)
{
	lxw_workbook_options opts;
	lxw_doc_properties props;
	xw_writer *w = NULL;
	lxw_error rc;
	size_t i;

	if (!l || !path || !*path || created <= 0) {
		snprintf(err, errlen, "xw_open: %s",
			 !l ? "no layout" : created <= 0 ? "no creation time" : "no path");
		return NULL;
	}
	/* libxlsxwriter quietly falls back to other directories; refuse instead */
	if (tmpdir && access(tmpdir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "temporary directory %s: %s", tmpdir, strerror(errno));
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		goto nomem;
	w->l = l;
	buf_init(&w->scratch, XW_SCRATCH_MAX);
	w->path = strdup(path);
	w->sheets = calloc(l->nsheets, sizeof(xw_sheet));
	if (!w->path || !w->sheets)
		goto nomem;

	memset(&opts, 0, sizeof(opts));
	opts.constant_memory = LXW_TRUE;
	opts.tmpdir = (char *)tmpdir;
	w->wb = workbook_new_opt(path, &opts);
	if (!w->wb) {
		xw_fail(w, "could not create workbook %s", path);
		goto fail;
	}
	memset(&props, 0, sizeof(props));
	props.author = "muster";
	props.title = l->title;
	props.created = created;
	rc = workbook_set_properties(w->wb, &props);
	if (rc != LXW_NO_ERROR) {
		xw_fail(w, "document properties: %s", lxw_strerror(rc));
		goto fail;
	}
	if (make_formats(w))
		goto fail;
	for (i = 0; i < l->nsheets; i++) {
		xw_sheet *sh = &w->sheets[i];

		sh->ls = &l->sheets[i];
		rc = workbook_validate_sheet_name(w->wb, sh->ls->name);
		if (rc != LXW_NO_ERROR) {
			xw_fail(w, "sheet \"%s\": %s", sh->ls->name, lxw_strerror(rc));
			goto fail;
		}
		sh->ws = workbook_add_worksheet(w->wb, sh->ls->name);
		if (!sh->ws) {
			xw_fail(w, "could not add sheet \"%s\" (temporary file in %s?)",
				sh->ls->name, tmpdir ? tmpdir : "the default tmpdir");
			goto fail;
		}
	}
	for (i = 0; i < l->nsheets; i++)
		if (setup_sheet(w, &w->sheets[i], lookup, payload))
			goto fail;
	return w;

nomem:
	if (w)
		xw_fail(w, "out of memory");
fail:
	snprintf(err, errlen, "%s", w ? w->err : "out of memory");
	writer_free(w);
	return NULL;
}

int xw_begin_sheet(xw_writer *w, const char *sheet_name)
{
	size_t i;

	if (!w || w->failed)
		return -1;
	for (i = 0; i < w->l->nsheets; i++)
		if (sheet_name && strcmp(w->sheets[i].ls->name, sheet_name) == 0)
			break;
	if (i == w->l->nsheets)
		return xw_fail(w, "no sheet \"%s\" in layout %s",
			       sheet_name ? sheet_name : "(null)", w->l->id);
	if (w->sheets[i].begun)
		return xw_fail(w, "sheet \"%s\" was already written", sheet_name);
	w->sheets[i].begun = 1;
	w->cur = &w->sheets[i];
	return 0;
}

int xw_write_row(xw_writer *w, const char *const *values, size_t nvalues)
{
	xw_sheet *sh;
	const layout_sheet *ls;
	char what[160];
	size_t i;

	if (!w || w->failed)
		return -1;
	sh = w->cur;
	if (!sh)
		return xw_fail(w, "xw_write_row before xw_begin_sheet");
	ls = sh->ls;
	if (!values || nvalues != ls->ncolumns)
		return xw_fail(w, "sheet \"%s\": %zu values for %zu columns", ls->name,
			       values ? nvalues : 0, ls->ncolumns);
	if (sh->next_row >= LXW_ROW_MAX)
		return xw_fail(w, "sheet \"%s\" is full (%u rows)", ls->name,
			       (unsigned)LXW_ROW_MAX);
	for (i = 0; i < nvalues; i++) {
		const layout_column *col = &ls->columns[i];

		if (!values[i] || !*values[i])
			continue;
		snprintf(what, sizeof(what), "sheet \"%s\" row %u column \"%s\"",
			 ls->name, (unsigned)sh->next_row + 1, col->field);
		if (write_value(w, sh->ws, sh->next_row, (lxw_col_t)i, col->type,
				values[i], style_format(w, col->style), what))
			return -1;
	}
	sh->next_row++;
	return 0;
}

const char *xw_error(const xw_writer *w)
{
	return w ? w->err : "";
}

int xw_close(xw_writer *w, char *err, size_t errlen)
{
	lxw_error rc;
	FILE *out;

	if (!w) {
		snprintf(err, errlen, "xw_close: no writer");
		return -1;
	}
	if (w->failed) {
		snprintf(err, errlen, "%s", w->err);
		writer_free(w);
		return -1;
	}
	/*
	 * Open the output first: workbook_close() fails on an uncreatable
	 * file before it has read (and closed) the sheets' temporary files,
	 * and those would leak once it has freed the workbook.
	 */
	out = fopen(w->path, "wb");
	if (!out) {
		snprintf(err, errlen, "could not write %s: %s", w->path, strerror(errno));
		writer_free(w);
		return -1;
	}
	fclose(out);
	rc = workbook_close(w->wb);   /* frees the workbook in every case */
	w->wb = NULL;
	if (rc != LXW_NO_ERROR) {
		snprintf(err, errlen, "could not write %s: %s", w->path, lxw_strerror(rc));
		unlink(w->path);
		writer_free(w);
		return -1;
	}
	writer_free(w);
	return 0;
}

void xw_abort(xw_writer *w)
{
	writer_free(w);
}
