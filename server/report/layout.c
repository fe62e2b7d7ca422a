/*
 * layout.c - loads and validates the workbook layouts of layout.h.
 *
 * Everything a layout holds is copied into its own arena, so the JSON
 * document can be dropped as soon as loading ends and layout_free() is a
 * single arena release.  Each check names the element it refused.
 */
#include "layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define XL_MAX_ROWS 1048576u      /* Excel rows per sheet */
#define XL_MAX_CELL_CHARS 32767u  /* Excel characters per cell */
#define MAX_STYLES 1024           /* styles per layout */
#define MAX_BLOCK_CELLS 1024      /* header_block cells per sheet */
#define MAX_FIELD_LEN 64          /* bytes in a field name */
#define MAX_SHEET_NAME_CHARS 31   /* Excel's sheet name limit */
#define LAYOUT_ARENA_LIMIT (64u << 20) /* bytes a layout may take */
#define WHERE_LEN 96              /* room for "sheets[63].columns[16383].validation[9]" */

typedef struct ctx {
	layout *l;
	const char *file;   /* for messages; NULL when loading from JSON */
	char *err;
	size_t errlen;
} ctx;

/* Copy at most 40 bytes of s for a message, replacing non-printable ASCII. */
static void printable(char *out, size_t outlen, const char *s)
{
	size_t i, n = 0;

	for (i = 0; s[i] && n + 1 < outlen && i < 40; i++)
		out[n++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[n] = '\0';
}

static int fail(ctx *c, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write "file: where: message" into the caller's buffer; returns -1. */
static int fail(ctx *c, const char *where, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen) {
		if (c->file)
			snprintf(c->err, c->errlen, "%s: %s%s%s", c->file, where,
				 *where ? ": " : "", msg);
		else
			snprintf(c->err, c->errlen, "%s%s%s", where,
				 *where ? ": " : "", msg);
	}
	return -1;
}

static int oom(ctx *c, const char *where)
{
	return fail(c, where, "out of memory");
}

/* Number of UTF-8 characters in s (jansson strings are valid UTF-8). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Refuse any key of obj not in the NULL-terminated list allowed. */
static int check_keys(ctx *c, const char *where, const json_t *obj,
		      const char *const *allowed)
{
	const char *key;
	json_t *val;
	size_t i;
	char shown[48];

	json_object_foreach((json_t *)obj, key, val) {
		(void)val;
		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (!allowed[i]) {
			printable(shown, sizeof(shown), key);
			return fail(c, where, "unknown key \"%s\"", shown);
		}
	}
	return 0;
}

/*
 * Copy the string member key of obj into the arena.  An absent or null
 * member is an error when required, else *out = NULL.  Empty strings,
 * embedded NULs and strings over max_chars characters are refused.
 */
static int get_string(ctx *c, const char *where, const json_t *obj,
		      const char *key, int required, size_t max_chars, char **out)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(c, where, "missing \"%s\"", key);
		return 0;
	}
	if (!json_is_string(v))
		return fail(c, where, "\"%s\" must be a string", key);
	s = json_string_value(v);
	if (json_string_length(v) != strlen(s))
		return fail(c, where, "\"%s\" contains a NUL byte", key);
	if (!*s)
		return fail(c, where, "\"%s\" is empty", key);
	if (utf8_chars(s) > max_chars)
		return fail(c, where, "\"%s\" is longer than %zu characters",
			    key, max_chars);
	*out = arena_strdup(&c->l->mem, s);
	if (!*out)
		return oom(c, where);
	return 0;
}

/* Integer member in [0, max]; absent = error when required, else *out = dflt. */
static int get_uint(ctx *c, const char *where, const json_t *obj,
		    const char *key, int required, unsigned max, unsigned dflt,
		    unsigned *out)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	*out = dflt;
	if (!v) {
		if (required)
			return fail(c, where, "missing \"%s\"", key);
		return 0;
	}
	if (!json_is_integer(v))
		return fail(c, where, "\"%s\" must be an integer", key);
	n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n > max)
		return fail(c, where, "\"%s\" must be between 0 and %u", key, max);
	*out = (unsigned)n;
	return 0;
}

/* Number member in [min, max]; absent = *out unchanged. */
static int get_number(ctx *c, const char *where, const json_t *obj,
		      const char *key, double min, double max, double *out)
{
	json_t *v = json_object_get(obj, key);
	double d;

	if (!v)
		return 0;
	if (!json_is_number(v))
		return fail(c, where, "\"%s\" must be a number", key);
	d = json_number_value(v);
	if (!(d >= min && d <= max))
		return fail(c, where, "\"%s\" must be between %g and %g", key, min, max);
	*out = d;
	return 0;
}

/* Boolean member; absent = *out unchanged. */
static int get_bool(ctx *c, const char *where, const json_t *obj,
		    const char *key, int *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(c, where, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "#RRGGBB" member into *out (0xRRGGBB), *has = 1; absent leaves both. */
static int get_color(ctx *c, const char *where, const json_t *obj,
		     const char *key, unsigned *out, int *has)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	unsigned rgb = 0;
	int i, h;

	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) != 7)
		return fail(c, where, "\"%s\" must be \"#RRGGBB\"", key);
	s = json_string_value(v);
	if (s[0] != '#')
		return fail(c, where, "\"%s\" must be \"#RRGGBB\"", key);
	for (i = 1; i < 7; i++) {
		h = hexval(s[i]);
		if (h < 0)
			return fail(c, where, "\"%s\" must be \"#RRGGBB\"", key);
		rgb = rgb << 4 | (unsigned)h;
	}
	*out = rgb;
	*has = 1;
	return 0;
}

/* Map the string member key through names[] (NULL-terminated); absent = 0. */
static int get_enum(ctx *c, const char *where, const json_t *obj,
		    const char *key, const char *const *names, int *out)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	char shown[48];
	int i;

	if (!v)
		return 0;
	if (!json_is_string(v))
		return fail(c, where, "\"%s\" must be a string", key);
	s = json_string_value(v);
	for (i = 0; names[i]; i++)
		if (*names[i] && strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	printable(shown, sizeof(shown), s);
	return fail(c, where, "unknown %s \"%s\"", key, shown);
}

static int find_style(const layout *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->nstyles; i++)
		if (strcmp(l->styles[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Resolve the style named by member key (absent = -1). */
static int get_style_ref(ctx *c, const char *where, const json_t *obj,
			 const char *key, int *out)
{
	char *name;
	char shown[48];

	*out = -1;
	if (get_string(c, where, obj, key, 0, 64, &name))
		return -1;
	if (!name)
		return 0;
	*out = find_style(c->l, name);
	if (*out < 0) {
		printable(shown, sizeof(shown), name);
		return fail(c, where, "unknown style \"%s\"", shown);
	}
	return 0;
}

static int style_has_num_format(const layout *l, int i)
{
	const layout_style *s = layout_style_at(l, i);

	return s && (s->num_format || s->num_format_index > 0);
}

static int parse_style(ctx *c, const char *name, const json_t *v, layout_style *s)
{
	static const char *const keys[] = {
		"font", "size", "bold", "italic", "color", "bg", "border",
		"border_color", "align", "valign", "wrap", "num_format", NULL
	};
	static const char *const borders[] = { "none", "thin", "medium", "thick", NULL };
	static const char *const aligns[] = { "", "left", "center", "right", NULL };
	static const char *const valigns[] = { "", "top", "center", "bottom", NULL };
	char where[WHERE_LEN], shown[48];
	json_t *nf;
	int e;

	printable(shown, sizeof(shown), name);
	snprintf(where, sizeof(where), "styles.%s", shown);
	if (!json_is_object(v))
		return fail(c, where, "must be an object");
	if (check_keys(c, where, v, keys))
		return -1;
	s->name = arena_strdup(&c->l->mem, name);
	if (!s->name)
		return oom(c, where);
	s->num_format_index = -1;
	if (get_string(c, where, v, "font", 0, 31, &s->font) ||
	    get_number(c, where, v, "size", 1, 409, &s->size) ||
	    get_bool(c, where, v, "bold", &s->bold) ||
	    get_bool(c, where, v, "italic", &s->italic) ||
	    get_bool(c, where, v, "wrap", &s->wrap) ||
	    get_color(c, where, v, "color", &s->color, &s->has_color) ||
	    get_color(c, where, v, "bg", &s->bg, &s->has_bg) ||
	    get_color(c, where, v, "border_color", &s->border_color,
		      &s->has_border_color))
		return -1;
	e = 0;
	if (get_enum(c, where, v, "border", borders, &e))
		return -1;
	s->border = (layout_border)e;
	e = 0;
	if (get_enum(c, where, v, "align", aligns, &e))
		return -1;
	s->align = (layout_align)e;
	e = 0;
	if (get_enum(c, where, v, "valign", valigns, &e))
		return -1;
	s->valign = (layout_valign)e;
	nf = json_object_get(v, "num_format");
	if (nf && json_is_integer(nf)) {
		unsigned idx;

		if (get_uint(c, where, v, "num_format", 1, 255, 0, &idx))
			return -1;
		s->num_format_index = (int)idx;
	} else if (nf) {
		if (get_string(c, where, v, "num_format", 1, 255, &s->num_format))
			return -1;
	}
	return 0;
}

static int parse_styles(ctx *c, const json_t *root)
{
	json_t *styles = json_object_get(root, "styles"), *v;
	const char *name;
	size_t n, i = 0;

	if (!styles)
		return 0;
	if (!json_is_object(styles))
		return fail(c, "styles", "must be an object");
	n = json_object_size(styles);
	if (n > MAX_STYLES)
		return fail(c, "styles", "more than %d styles", MAX_STYLES);
	if (n == 0)
		return 0;
	c->l->styles = arena_calloc(&c->l->mem, n, sizeof(layout_style));
	if (!c->l->styles)
		return oom(c, "styles");
	/* jansson iterates in insertion order (2.14), so styles keep file order. */
	json_object_foreach(styles, name, v) {
		if (!*name || strlen(name) > 64)
			return fail(c, "styles", "style names must have 1 to 64 bytes");
		if (parse_style(c, name, v, &c->l->styles[i]))
			return -1;
		i++;
	}
	c->l->nstyles = i;
	return 0;
}

/*
 * A value list: 1..255 non-empty strings, without ',' or '"' (Excel joins
 * them with commas inside one quoted formula), 255 characters in all.
 * Stored NULL-terminated.
 */
static int parse_validation(ctx *c, const char *where, const json_t *obj,
			    char ***out)
{
	json_t *v = json_object_get(obj, "validation"), *item;
	size_t i, n, chars = 0;
	char **list;
	const char *s;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(c, where, "\"validation\" must be a non-empty array of strings");
	n = json_array_size(v);
	if (n > LAYOUT_MAX_LIST_CHARS)
		return fail(c, where, "\"validation\" has too many values");
	list = arena_calloc(&c->l->mem, n + 1, sizeof(char *));
	if (!list)
		return oom(c, where);
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || json_string_length(item) == 0)
			return fail(c, where, "\"validation\" values must be non-empty strings");
		s = json_string_value(item);
		if (json_string_length(item) != strlen(s) || strpbrk(s, ",\""))
			return fail(c, where, "\"validation\" values cannot contain a comma, a quote or a NUL");
		chars += utf8_chars(s) + (i ? 1 : 0);
		if (chars > LAYOUT_MAX_LIST_CHARS)
			return fail(c, where, "\"validation\" is longer than %d characters",
				    LAYOUT_MAX_LIST_CHARS);
		list[i] = arena_strdup(&c->l->mem, s);
		if (!list[i])
			return oom(c, where);
	}
	*out = list;
	return 0;
}

static int parse_type(ctx *c, const char *where, const json_t *obj,
		      layout_type *out)
{
	static const char *const types[] = { "text", "wrap", "date", "number", NULL };
	int e = LAYOUT_TEXT;

	if (get_enum(c, where, obj, "type", types, &e))
		return -1;
	*out = (layout_type)e;
	return 0;
}

static int parse_cell(ctx *c, const char *where, const json_t *v,
		      const layout_sheet *sh, layout_cell *cell)
{
	static const char *const keys[] = {
		"row", "col", "last_col", "text", "field", "type", "style",
		"validation", NULL
	};

	if (!json_is_object(v))
		return fail(c, where, "must be an object");
	if (check_keys(c, where, v, keys) ||
	    get_uint(c, where, v, "row", 1, LAYOUT_MAX_HEADER_ROWS, 0, &cell->row) ||
	    get_uint(c, where, v, "col", 1, LAYOUT_MAX_COLUMNS - 1, 0, &cell->col) ||
	    get_uint(c, where, v, "last_col", 0, LAYOUT_MAX_COLUMNS - 1, cell->col,
		     &cell->last_col) ||
	    get_string(c, where, v, "text", 0, XL_MAX_CELL_CHARS, &cell->text) ||
	    get_string(c, where, v, "field", 0, MAX_FIELD_LEN, &cell->field) ||
	    parse_type(c, where, v, &cell->type) ||
	    get_style_ref(c, where, v, "style", &cell->style) ||
	    parse_validation(c, where, v, &cell->validation))
		return -1;
	if (cell->row >= sh->header_row)
		return fail(c, where, "\"row\" must be above the header row");
	if (cell->last_col < cell->col)
		return fail(c, where, "\"last_col\" is left of \"col\"");
	if (!cell->text == !cell->field)
		return fail(c, where, "needs exactly one of \"text\" and \"field\"");
	if (cell->type != LAYOUT_TEXT && cell->type != LAYOUT_DATE)
		return fail(c, where, "\"type\" must be text or date");
	if (cell->type == LAYOUT_DATE && !cell->field)
		return fail(c, where, "a date cell needs a \"field\"");
	if (cell->type == LAYOUT_DATE && !style_has_num_format(c->l, cell->style))
		return fail(c, where, "a date cell needs a style with a num_format");
	return 0;
}

static int valid_field_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int parse_column(ctx *c, const char *where, const json_t *v,
			layout_column *col)
{
	static const char *const keys[] = {
		"header", "field", "type", "width", "style", "validation",
		"guidance", NULL
	};
	static const char *const type_styles[] = { "text", "wrap", "date", "number" };

	if (!json_is_object(v))
		return fail(c, where, "must be an object");
	if (check_keys(c, where, v, keys) ||
	    get_string(c, where, v, "header", 1, XL_MAX_CELL_CHARS, &col->header) ||
	    get_string(c, where, v, "field", 1, MAX_FIELD_LEN, &col->field) ||
	    parse_type(c, where, v, &col->type) ||
	    get_number(c, where, v, "width", 0, 255, &col->width) ||
	    get_style_ref(c, where, v, "style", &col->style) ||
	    parse_validation(c, where, v, &col->validation) ||
	    get_string(c, where, v, "guidance", 0, XL_MAX_CELL_CHARS, &col->guidance))
		return -1;
	if (!valid_field_name(col->field))
		return fail(c, where, "\"field\" may only hold a-z, 0-9 and _");
	if (col->style < 0)
		col->style = find_style(c->l, type_styles[col->type]);
	if (col->type == LAYOUT_DATE && !style_has_num_format(c->l, col->style))
		return fail(c, where, "a date column needs a style with a num_format");
	return 0;
}

static int cmp_field(const void *a, const void *b)
{
	const layout_column *x = *(const layout_column *const *)a;
	const layout_column *y = *(const layout_column *const *)b;

	return strcmp(x->field, y->field);
}

static int check_unique_fields(ctx *c, const char *where, layout_sheet *sh)
{
	const layout_column **v;
	char shown[48];
	size_t i;

	v = arena_calloc(&c->l->mem, sh->ncolumns, sizeof(*v));
	if (!v)
		return oom(c, where);
	for (i = 0; i < sh->ncolumns; i++)
		v[i] = &sh->columns[i];
	qsort(v, sh->ncolumns, sizeof(*v), cmp_field);
	for (i = 1; i < sh->ncolumns; i++)
		if (strcmp(v[i - 1]->field, v[i]->field) == 0) {
			printable(shown, sizeof(shown), v[i]->field);
			return fail(c, where, "field \"%s\" appears twice", shown);
		}
	return 0;
}

static int parse_columns(ctx *c, const char *where, const json_t *sv,
			 layout_sheet *sh)
{
	json_t *cols = json_object_get(sv, "columns"), *v;
	char w[WHERE_LEN];
	size_t i;

	if (!cols)
		return fail(c, where, "missing \"columns\"");
	if (!json_is_array(cols) || json_array_size(cols) == 0)
		return fail(c, where, "\"columns\" must be a non-empty array");
	if (json_array_size(cols) > LAYOUT_MAX_COLUMNS)
		return fail(c, where, "more than %d columns", LAYOUT_MAX_COLUMNS);
	sh->ncolumns = json_array_size(cols);
	sh->columns = arena_calloc(&c->l->mem, sh->ncolumns, sizeof(layout_column));
	if (!sh->columns)
		return oom(c, where);
	json_array_foreach(cols, i, v) {
		if (snprintf(w, sizeof(w), "%s.columns[%zu]", where, i) >= (int)sizeof(w))
			w[sizeof(w) - 2] = '~';   /* truncated label: mark it */
		if (parse_column(c, w, v, &sh->columns[i]))
			return -1;
	}
	return check_unique_fields(c, where, sh);
}

static int parse_block(ctx *c, const char *where, const json_t *sv,
		       layout_sheet *sh)
{
	json_t *blk = json_object_get(sv, "header_block"), *v;
	char w[WHERE_LEN];
	size_t i, j;

	if (!blk)
		return 0;
	if (!json_is_array(blk))
		return fail(c, where, "\"header_block\" must be an array");
	if (json_array_size(blk) > MAX_BLOCK_CELLS)
		return fail(c, where, "more than %d header_block cells", MAX_BLOCK_CELLS);
	if (json_array_size(blk) == 0)
		return 0;
	sh->cells = arena_calloc(&c->l->mem, json_array_size(blk), sizeof(layout_cell));
	if (!sh->cells)
		return oom(c, where);
	json_array_foreach(blk, i, v) {
		if (snprintf(w, sizeof(w), "%s.header_block[%zu]", where, i) >= (int)sizeof(w))
			w[sizeof(w) - 2] = '~';   /* truncated label: mark it */
		if (parse_cell(c, w, v, sh, &sh->cells[i]))
			return -1;
		for (j = 0; j < i; j++) {
			const layout_cell *o = &sh->cells[j];

			if (o->row == sh->cells[i].row &&
			    o->col <= sh->cells[i].last_col &&
			    sh->cells[i].col <= o->last_col)
				return fail(c, w, "overlaps header_block[%zu]", j);
		}
		sh->ncells = i + 1;
	}
	return 0;
}

static int parse_freeze(ctx *c, const char *where, const json_t *sv,
			layout_sheet *sh)
{
	static const char *const keys[] = { "row", "col", NULL };
	json_t *fz = json_object_get(sv, "freeze");
	char w[WHERE_LEN];

	if (!fz || json_is_null(fz))
		return 0;
	if (snprintf(w, sizeof(w), "%s.freeze", where) >= (int)sizeof(w))
		w[sizeof(w) - 2] = '~';   /* truncated label: mark it */
	if (!json_is_object(fz))
		return fail(c, w, "must be an object");
	if (check_keys(c, w, fz, keys) ||
	    get_uint(c, w, fz, "row", 1, XL_MAX_ROWS - 1, 0, &sh->freeze_row) ||
	    get_uint(c, w, fz, "col", 1, LAYOUT_MAX_COLUMNS - 1, 0, &sh->freeze_col))
		return -1;
	sh->has_freeze = 1;
	return 0;
}

static int parse_heights(ctx *c, const char *where, const json_t *sv,
			 layout_sheet *sh)
{
	static const char *const keys[] = { "row", "height", NULL };
	json_t *hs = json_object_get(sv, "row_heights"), *v;
	char w[WHERE_LEN];
	size_t i;

	if (!hs)
		return 0;
	if (!json_is_array(hs))
		return fail(c, where, "\"row_heights\" must be an array");
	if (json_array_size(hs) > sh->data_row)
		return fail(c, where, "more \"row_heights\" than header rows");
	if (json_array_size(hs) == 0)
		return 0;
	sh->heights = arena_calloc(&c->l->mem, json_array_size(hs),
				   sizeof(layout_row_height));
	if (!sh->heights)
		return oom(c, where);
	json_array_foreach(hs, i, v) {
		layout_row_height *h = &sh->heights[i];

		if (snprintf(w, sizeof(w), "%s.row_heights[%zu]", where, i) >= (int)sizeof(w))
			w[sizeof(w) - 2] = '~';   /* truncated label: mark it */
		if (!json_is_object(v))
			return fail(c, w, "must be an object");
		h->height = -1;
		if (check_keys(c, w, v, keys) ||
		    get_uint(c, w, v, "row", 1, sh->data_row - 1, 0, &h->row) ||
		    get_number(c, w, v, "height", 0, 409, &h->height))
			return -1;
		if (h->height < 0)
			return fail(c, w, "missing \"height\"");
	}
	sh->nheights = json_array_size(hs);
	return 0;
}

/* Excel's sheet name rules: 1..31 characters, none of []:*?/\, no leading or
 * trailing apostrophe. */
static int check_sheet_name(ctx *c, const char *where, const char *name)
{
	size_t len = strlen(name);

	if (utf8_chars(name) > MAX_SHEET_NAME_CHARS)
		return fail(c, where, "sheet name longer than %d characters",
			    MAX_SHEET_NAME_CHARS);
	if (strpbrk(name, "[]:*?/\\"))
		return fail(c, where, "sheet name contains one of []:*?/\\");
	if (name[0] == '\'' || name[len - 1] == '\'')
		return fail(c, where, "sheet name starts or ends with an apostrophe");
	return 0;
}

static int parse_sheet(ctx *c, size_t idx, const json_t *sv, layout_sheet *sh)
{
	static const char *const keys[] = {
		"name", "header_block", "header_row", "header_style", "data_row",
		"freeze", "row_heights", "columns", NULL
	};
	char where[WHERE_LEN];
	size_t i;

	snprintf(where, sizeof(where), "sheets[%zu]", idx);
	if (!json_is_object(sv))
		return fail(c, where, "must be an object");
	if (check_keys(c, where, sv, keys) ||
	    get_string(c, where, sv, "name", 1, 4 * MAX_SHEET_NAME_CHARS, &sh->name) ||
	    check_sheet_name(c, where, sh->name) ||
	    get_uint(c, where, sv, "header_row", 1, LAYOUT_MAX_HEADER_ROWS - 1, 0,
		     &sh->header_row) ||
	    get_uint(c, where, sv, "data_row", 1, LAYOUT_MAX_HEADER_ROWS, 0,
		     &sh->data_row) ||
	    get_style_ref(c, where, sv, "header_style", &sh->header_style))
		return -1;
	if (sh->data_row <= sh->header_row)
		return fail(c, where, "\"data_row\" must be below \"header_row\"");
	for (i = 0; i < idx; i++)
		if (strcasecmp(c->l->sheets[i].name, sh->name) == 0)
			return fail(c, where, "sheet name used twice");
	if (parse_block(c, where, sv, sh) ||
	    parse_freeze(c, where, sv, sh) ||
	    parse_heights(c, where, sv, sh) ||
	    parse_columns(c, where, sv, sh))
		return -1;
	return 0;
}

static int parse_root(ctx *c, const json_t *root)
{
	static const char *const keys[] = {
		"schema", "id", "version", "title", "template", "template_date",
		"description", "styles", "sheets", NULL
	};
	layout *l = c->l;
	json_t *sheets, *sv;
	unsigned schema;
	char *ignored;
	size_t i;

	if (!json_is_object(root))
		return fail(c, "", "a layout must be a JSON object");
	if (check_keys(c, "", root, keys) ||
	    get_uint(c, "", root, "schema", 1, 1000, 0, &schema))
		return -1;
	if (schema != LAYOUT_SCHEMA)
		return fail(c, "schema", "unsupported schema %u (expected %d)",
			    schema, LAYOUT_SCHEMA);
	if (get_string(c, "", root, "id", 1, 64, &l->id) ||
	    get_string(c, "", root, "version", 1, 64, &l->version) ||
	    get_string(c, "", root, "title", 0, 1024, &l->title) ||
	    get_string(c, "", root, "template", 0, 1024, &l->template_name) ||
	    get_string(c, "", root, "template_date", 0, 64, &l->template_date) ||
	    get_string(c, "", root, "description", 0, XL_MAX_CELL_CHARS, &ignored) ||
	    parse_styles(c, root))
		return -1;
	sheets = json_object_get(root, "sheets");
	if (!sheets)
		return fail(c, "", "missing \"sheets\"");
	if (!json_is_array(sheets) || json_array_size(sheets) == 0)
		return fail(c, "sheets", "must be a non-empty array");
	if (json_array_size(sheets) > LAYOUT_MAX_SHEETS)
		return fail(c, "sheets", "more than %d sheets", LAYOUT_MAX_SHEETS);
	l->sheets = arena_calloc(&l->mem, json_array_size(sheets), sizeof(layout_sheet));
	if (!l->sheets)
		return oom(c, "sheets");
	json_array_foreach(sheets, i, sv) {
		if (parse_sheet(c, i, sv, &l->sheets[i]))
			return -1;
		l->nsheets = i + 1;
	}
	return 0;
}

static layout *load(const json_t *root, const char *file, char *err, size_t errlen)
{
	ctx c = { NULL, file, err, errlen };

	c.l = calloc(1, sizeof(layout));
	if (!c.l) {
		oom(&c, "");
		return NULL;
	}
	c.l->mem.limit = LAYOUT_ARENA_LIMIT;
	if (parse_root(&c, root)) {
		layout_free(c.l);
		return NULL;
	}
	return c.l;
}

layout *layout_from_json(const json_t *root, char *err, size_t errlen)
{
	if (!root) {
		if (err && errlen)
			snprintf(err, errlen, "no layout document");
		return NULL;
	}
	return load(root, NULL, err, errlen);
}

layout *layout_load(const char *path, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	layout *l;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (err && errlen)
			snprintf(err, errlen, "%s: line %d column %d: %s", path,
				 jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	l = load(root, path, err, errlen);
	json_decref(root);
	return l;
}

void layout_free(layout *l)
{
	if (!l)
		return;
	arena_free(&l->mem);
	free(l);
}

const layout_sheet *layout_sheet_find(const layout *l, const char *name)
{
	size_t i;

	if (!l || !name)
		return NULL;
	for (i = 0; i < l->nsheets; i++)
		if (strcmp(l->sheets[i].name, name) == 0)
			return &l->sheets[i];
	return NULL;
}

int layout_column_index(const layout_sheet *sheet, const char *field)
{
	size_t i;

	if (!sheet || !field)
		return -1;
	for (i = 0; i < sheet->ncolumns; i++)
		if (strcmp(sheet->columns[i].field, field) == 0)
			return (int)i;
	return -1;
}

const layout_style *layout_style_at(const layout *l, int i)
{
	if (!l || i < 0 || (size_t)i >= l->nstyles)
		return NULL;
	return &l->styles[i];
}
