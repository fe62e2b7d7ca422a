/*
 * poam_limit.c - the limit for `scripts/bench poam`: the cells of muster's
 * POA&M workbook (on each of the three sheets the title, the label and
 * value rows and the 31 column headers; the open items' rows on the first
 * sheet) written straight with libxlsxwriter in constant-memory mode, the
 * formats created once, nothing else (no widths, validations or panes).
 * Reads the cells first (not timed) from the CSV that `muster export poam
 * --csv` wrote (RFC 4180, header line first), then prints the seconds
 * spent from workbook_new_opt() to workbook_close().
 *
 * usage: poam_limit CELLS.csv OUT.xlsx TMPDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#define NCOLS 31

/* date columns: Original Detection, Scheduled Completion, Status Date,
 * Last Vendor Check-in, BOD 22-01 Due Date */
static int is_date(int c)
{
	return c == 10 || c == 11 || c == 14 || c == 16 || c == 28;
}

/* wrap columns of the layout */
static int is_wrap(int c)
{
	return c == 1 || c == 2 || c == 3 || c == 6 || c == 9 || c == 12 || c == 13 || c == 23 || c == 24 ||
	       c == 25 || c == 29 || c == 30;
}

struct table {
	char **cells;     /* rows * NCOLS, NULL = empty */
	size_t rows;
};

/* A minimal RFC 4180 reader: quoted fields with "" and embedded CR/LF. */
static int read_csv(const char *path, struct table *t)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, len = 0, fcap = 4096, flen = 0;
	int ch, col = 0, quoted = 0, at_start = 1;
	char *field = malloc(fcap);

	memset(t, 0, sizeof(*t));
	if (!f || !field)
		return -1;
	for (;;) {
		ch = fgetc(f);
		if (quoted) {
			if (ch == EOF)
				break;
			if (ch == '"') {
				int next = fgetc(f);

				if (next == '"') {
					ch = '"';
				} else {
					quoted = 0;
					if (next != EOF)
						ungetc(next, f);
					continue;
				}
			}
		} else if (ch == '"' && at_start) {
			quoted = 1;
			at_start = 0;
			continue;
		} else if (ch == ',' || ch == '\n' || ch == EOF) {
			if (ch == EOF && col == 0 && flen == 0)
				break;
			if (len == cap) {
				cap = cap ? cap * 2 : 1 << 16;
				t->cells = realloc(t->cells, cap * sizeof(char *));
				if (!t->cells)
					return -1;
			}
			field[flen] = '\0';
			t->cells[len++] = flen ? strdup(field) : NULL;
			flen = 0;
			at_start = 1;
			col++;
			if (ch != ',') {
				while (col < NCOLS) {
					if (len == cap) {
						cap *= 2;
						t->cells = realloc(t->cells, cap * sizeof(char *));
						if (!t->cells)
							return -1;
					}
					t->cells[len++] = NULL;
					col++;
				}
				col = 0;
				t->rows++;
				if (ch == EOF)
					break;
			}
			continue;
		} else if (ch == '\r') {
			continue;
		}
		at_start = 0;
		if (flen + 2 > fcap) {
			fcap *= 2;
			field = realloc(field, fcap);
			if (!field)
				return -1;
		}
		field[flen++] = (char)ch;
	}
	fclose(f);
	free(field);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char *const sheets[3] = {"Open POA&M Items", "Closed POA&M Items", "Configuration Findings"};
	static const char *const labels[4] = {"CSP", "System Name", "Impact Level", "POAM Date"};
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
	lxw_worksheet *ws[3];
	lxw_format *title, *label, *header, *text, *wrap, *date;
	struct table t;
	lxw_workbook *wb;
	double t0;
	size_t r;
	int s, c;

	if (argc != 4) {
		fprintf(stderr, "usage: poam_limit CELLS.csv OUT.xlsx TMPDIR\n");
		return 2;
	}
	if (read_csv(argv[1], &t) || t.rows < 1) {
		fprintf(stderr, "poam_limit: cannot read %s\n", argv[1]);
		return 1;
	}
	opt.tmpdir = argv[3];
	t0 = now_s();
	wb = workbook_new_opt(argv[2], &opt);
	if (!wb)
		return 1;
	title = workbook_add_format(wb);
	format_set_bold(title);
	format_set_font_size(title, 16);
	label = workbook_add_format(wb);
	format_set_bold(label);
	header = workbook_add_format(wb);
	format_set_bold(header);
	format_set_text_wrap(header);
	format_set_bg_color(header, 0xCCECFC);
	format_set_border(header, LXW_BORDER_THIN);
	text = workbook_add_format(wb);
	format_set_border(text, LXW_BORDER_THIN);
	wrap = workbook_add_format(wb);
	format_set_text_wrap(wrap);
	format_set_border(wrap, LXW_BORDER_THIN);
	date = workbook_add_format(wb);
	format_set_num_format(date, "yyyy-mm-dd");
	format_set_border(date, LXW_BORDER_THIN);
	for (s = 0; s < 3; s++) {
		ws[s] = workbook_add_worksheet(wb, sheets[s]);
		worksheet_write_string(ws[s], 0, 0, "FedRAMP Plan of Action and Milestones (POA&M) Template", title);
		for (c = 0; c < 4; c++)
			worksheet_write_string(ws[s], 1, (lxw_col_t)c, labels[c], label);
		worksheet_write_string(ws[s], 2, 0, "Acme Corp", NULL);
		worksheet_write_string(ws[s], 2, 1, "Acme Cloud", NULL);
		worksheet_write_string(ws[s], 2, 2, "Moderate", NULL);
		{
			lxw_datetime d = {2026, 11, 30, 0, 0, 0};

			worksheet_write_datetime(ws[s], 2, 3, &d, date);
		}
		for (c = 0; c < NCOLS; c++)
			if (t.cells[c])
				worksheet_write_string(ws[s], 4, (lxw_col_t)c, t.cells[c], header);
	}
	for (r = 1; r < t.rows; r++) {
		for (c = 0; c < NCOLS; c++) {
			const char *v = t.cells[r * NCOLS + (size_t)c];

			if (!v)
				continue;
			if (is_date(c) && strlen(v) == 10) {
				lxw_datetime d = {atoi(v), atoi(v + 5), atoi(v + 8), 0, 0, 0};

				worksheet_write_datetime(ws[0], (lxw_row_t)(r + 4), (lxw_col_t)c, &d, date);
			} else {
				worksheet_write_string(ws[0], (lxw_row_t)(r + 4), (lxw_col_t)c, v,
						       is_wrap(c) ? wrap : text);
			}
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR)
		return 1;
	printf("%.4f\n", now_s() - t0);
	for (r = 0; r < t.rows * NCOLS; r++)
		free(t.cells[r]);
	free(t.cells);
	return 0;
}
