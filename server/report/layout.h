/*
 * layout.h - FedRAMP workbook layouts kept as data (the JSON files in templates/).
 *
 * A layout says where every fixed cell of a workbook goes (titles, labels,
 * group headers, the column header row), which column holds which field,
 * how wide it is, how its cells are typed and styled and which value list
 * validates it.  A new FedRAMP template version is a new JSON file, not new
 * C.  The writers (xlsx_writer.h, csv_writer.h) only follow a layout.
 *
 * All row and column numbers in the file are 0-based (row 0 = Excel row 1,
 * col 0 = column A).  Unknown keys are errors, so a typo cannot be silently
 * ignored.  File shape (schema 1):
 *
 *   {
 *     "schema": 1,                          required, must be 1
 *     "id": "poam",                         required, e.g. "inventory", "poam"
 *     "version": "2.1",                     required, the template version
 *     "title", "template", "template_date", "description": optional strings
 *     "styles": {                           optional; name -> style
 *       "header": {
 *         "font": "Arial", "size": 10,      font name, points (1..409)
 *         "bold": true, "italic": false,
 *         "color": "#1A4480",               font colour
 *         "bg": "#CCECFC",                  solid fill
 *         "border": "thin",                 none|thin|medium|thick
 *         "border_color": "#D8D8D8",
 *         "align": "center",                left|center|right
 *         "valign": "top",                  top|center|bottom
 *         "wrap": true,
 *         "num_format": 14                  Excel built-in index (0..255),
 *       }                                   or a format string "yyyy-mm-dd"
 *     },
 *     "sheets": [ {                         required, 1..64 sheets, in order
 *       "name": "Open POA&M Items",         Excel rules: 1..31 chars, no []:*?/\
 *       "header_block": [                   optional fixed cells above the header row
 *         {"row": 0, "col": 0, "last_col": 4,      last_col > col merges the cells
 *          "text": "FedRAMP ... Template",         literal text, or
 *          "field": "csp",                         a value the caller supplies
 *          "type": "date",                         text (default) or date, for fields
 *          "style": "title",
 *          "validation": ["Low", "High"]}          optional value list on the cell
 *       ],
 *       "header_row": 4,                    required, row of the column headers
 *       "header_style": "header",           optional style of the header cells
 *       "data_row": 5,                      required, first data row, > header_row, <= 1000
 *       "freeze": {"row": 5, "col": 0},     optional frozen panes (top-left unfrozen cell)
 *       "row_heights": [{"row": 0, "height": 23}],  optional, rows < data_row
 *       "columns": [ {                      required, 1..16384 columns from col 0
 *         "header": "POAM ID",              required, written byte for byte
 *         "field": "poam_id",               required, [a-z0-9_]+, unique in the sheet
 *         "type": "text",                   text|wrap|date|number (default text)
 *         "width": 20.83,                   optional, 0..255: Excel's stored <col width>
 *                                           (padding included), as in the template
 *         "style": "text",                  optional; default: the style named like the type
 *         "validation": ["Yes", "No"],      optional value list over the data rows
 *         "guidance": "..."                 optional, FedRAMP's help text
 *       } ]
 *     } ]
 *   }
 *
 * Checks made on load: styles named by cells and columns exist; date cells
 * resolve to a style with a number format; header_block cells lie above the
 * header row and do not overlap; value lists have no comma or double quote
 * and fit Excel's 255-character limit.
 */
#ifndef MUSTER_LAYOUT_H
#define MUSTER_LAYOUT_H

#include <stddef.h>
#include <jansson.h>

#include "../util/arena.h"

#define LAYOUT_SCHEMA 1            /* the only "schema" value understood */
#define LAYOUT_MAX_SHEETS 64       /* sheets per layout */
#define LAYOUT_MAX_COLUMNS 16384   /* Excel's column limit */
#define LAYOUT_MAX_HEADER_ROWS 1000 /* data_row ceiling: header area size */
#define LAYOUT_MAX_LIST_CHARS 255  /* Excel's limit on a value list, commas included */

typedef enum layout_type {
	LAYOUT_TEXT = 0,   /* string as given */
	LAYOUT_WRAP,       /* string, cell wraps at "\n" */
	LAYOUT_DATE,       /* "YYYY-MM-DD" written as an Excel date */
	LAYOUT_NUMBER      /* decimal number written as a number */
} layout_type;

typedef enum layout_align {
	LAYOUT_ALIGN_NONE = 0, LAYOUT_ALIGN_LEFT, LAYOUT_ALIGN_CENTER, LAYOUT_ALIGN_RIGHT
} layout_align;

typedef enum layout_valign {
	LAYOUT_VALIGN_NONE = 0, LAYOUT_VALIGN_TOP, LAYOUT_VALIGN_CENTER, LAYOUT_VALIGN_BOTTOM
} layout_valign;

typedef enum layout_border {
	LAYOUT_BORDER_NONE = 0, LAYOUT_BORDER_THIN, LAYOUT_BORDER_MEDIUM, LAYOUT_BORDER_THICK
} layout_border;

typedef struct layout_style {
	char *name;
	char *font;              /* NULL = workbook default */
	double size;             /* 0 = default */
	int bold, italic, wrap;
	int has_color, has_bg, has_border_color;
	unsigned color, bg, border_color;  /* 0xRRGGBB */
	layout_border border;
	layout_align align;
	layout_valign valign;
	int num_format_index;    /* built-in format index, -1 = none */
	char *num_format;        /* custom format string, NULL = none */
} layout_style;

/* A fixed cell above the header row. Exactly one of text and field is set. */
typedef struct layout_cell {
	unsigned row, col, last_col;   /* last_col == col: not merged */
	char *text;
	char *field;
	layout_type type;              /* LAYOUT_TEXT or LAYOUT_DATE */
	int style;                     /* index into layout.styles, -1 = none */
	char **validation;             /* NULL-terminated value list, or NULL */
} layout_cell;

typedef struct layout_column {
	char *header;
	char *field;
	layout_type type;
	double width;                  /* 0 = Excel default */
	int style;                     /* resolved data style, -1 = none */
	char **validation;             /* NULL-terminated value list, or NULL */
	char *guidance;                /* NULL when absent */
} layout_column;

typedef struct layout_row_height {
	unsigned row;
	double height;
} layout_row_height;

typedef struct layout_sheet {
	char *name;
	layout_cell *cells;
	size_t ncells;
	unsigned header_row;
	unsigned data_row;
	int header_style;              /* -1 = none */
	int has_freeze;
	unsigned freeze_row, freeze_col;
	layout_row_height *heights;
	size_t nheights;
	layout_column *columns;
	size_t ncolumns;
} layout_sheet;

typedef struct layout {
	arena mem;                     /* owns every string and array below */
	char *id;
	char *version;
	char *title;                   /* NULL when absent */
	char *template_name;           /* the official .xlsx file name, or NULL */
	char *template_date;           /* or NULL */
	layout_style *styles;
	size_t nstyles;
	layout_sheet *sheets;
	size_t nsheets;
} layout;

/*
 * Load and validate the layout file at path (read with json_load_file,
 * duplicate keys rejected).  Returns a new layout that the caller releases
 * with layout_free(), or NULL with a message in err (which names the file
 * and the offending element, e.g. "sheets[0].columns[3].type: unknown type
 * \"dat\"").
 */
layout *layout_load(const char *path, char *err, size_t errlen);

/*
 * Validate an already parsed layout document (borrowed; not modified or
 * kept).  Same result and ownership as layout_load().
 */
layout *layout_from_json(const json_t *root, char *err, size_t errlen);

/* Release a layout and everything it owns.  NULL is allowed. */
void layout_free(layout *l);

/* The sheet called name (exact, case-sensitive), or NULL.  Borrowed from l. */
const layout_sheet *layout_sheet_find(const layout *l, const char *name);

/* Index of the column whose field is field in sheet, or -1 if none. */
int layout_column_index(const layout_sheet *sheet, const char *field);

/* The style at index i, or NULL when i is -1 or out of range. */
const layout_style *layout_style_at(const layout *l, int i);

#endif
