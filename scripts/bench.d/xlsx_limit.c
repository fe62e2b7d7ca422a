/*
 * xlsx_limit.c - the limit for `scripts/bench inventory`: the same cells
 * as muster's inventory workbook (group headers, column headers, data
 * rows) written straight with libxlsxwriter in constant-memory mode, the
 * formats created once, nothing else. Reads the cells first (not timed)
 * from a file of rows separated by 0x1E and cells by 0x1F, then prints
 * the seconds spent from workbook_new_opt() to workbook_close().
 *
 * usage: xlsx_limit CELLS OUT.xlsx TMPDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#define NCOLS 25
#define DATE_COL 24     /* End-of-Life */

static const char *const groups[4] = {
	"All Inventories", "OS/Infrastructure Inventory", "Software and Database Inventories", "Any Inventory"
};
static const int group_first[4] = {0, 5, 14, 17};
static const int group_last[4] = {4, 13, 16, 24};
static const int wrap_cols[] = {1, 8, 18};

static int is_wrap(int c)
{
	size_t i;

	for (i = 0; i < sizeof(wrap_cols) / sizeof(wrap_cols[0]); i++)
		if (wrap_cols[i] == c)
			return 1;
	return 0;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)n + 1)) != NULL) {
		if (fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		} else {
			data[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return data;
}

static int check(lxw_error rc, const char *what)
{
	if (rc != LXW_NO_ERROR) {
		fprintf(stderr, "xlsx_limit: %s: %s\n", what, lxw_strerror(rc));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	lxw_workbook_options opts = {.constant_memory = LXW_TRUE};
	lxw_doc_properties props;
	lxw_format *group, *header, *text, *wrap, *date;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	struct timespec t0, t1;
	char *data, *p, **cells = NULL;
	size_t len = 0, ncells = 0, cap = 0, i;
	lxw_row_t row;
	int c, rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: xlsx_limit CELLS OUT.xlsx TMPDIR\n");
		return 2;
	}
	data = read_all(argv[1], &len);
	if (!data) {
		fprintf(stderr, "xlsx_limit: cannot read %s\n", argv[1]);
		return 1;
	}
	/* split: rows by 0x1E, cells by 0x1F; NCOLS cells a row */
	for (p = data; *p;) {
		char *end = p + strcspn(p, "\x1e\x1f");

		if (ncells == cap) {
			char **n;

			cap = cap ? cap * 2 : 4096;
			n = realloc(cells, cap * sizeof(*cells));
			if (!n)
				goto done;
			cells = n;
		}
		cells[ncells++] = p;
		if (!*end)
			break;
		*end = '\0';
		p = end + 1;
	}
	if (ncells % NCOLS) {
		fprintf(stderr, "xlsx_limit: %zu cells is not a multiple of %d\n", ncells, NCOLS);
		goto done;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	opts.tmpdir = argv[3];
	wb = workbook_new_opt(argv[2], &opts);
	if (!wb)
		goto done;
	memset(&props, 0, sizeof(props));
	props.author = "muster";
	props.created = 1793404799;
	if (check(workbook_set_properties(wb, &props), "properties"))
		goto done;
	ws = workbook_add_worksheet(wb, "Inventory");
	group = workbook_add_format(wb);
	header = workbook_add_format(wb);
	text = workbook_add_format(wb);
	wrap = workbook_add_format(wb);
	date = workbook_add_format(wb);
	if (!ws || !group || !header || !text || !wrap || !date)
		goto done;
	format_set_bold(group);
	format_set_bold(header);
	format_set_text_wrap(header);
	format_set_text_wrap(wrap);
	format_set_num_format_index(date, 14);
	for (c = 0; c < NCOLS; c++)
		if (check(worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, 20,
					       is_wrap(c) ? wrap : c == DATE_COL ? date : text), "column"))
			goto done;
	worksheet_freeze_panes(ws, 2, 0);
	for (i = 0; i < 4; i++)
		if (check(worksheet_merge_range(ws, 0, (lxw_col_t)group_first[i], 0,
						(lxw_col_t)group_last[i], groups[i], group), "merge"))
			goto done;
	for (i = 0, row = 1; i < ncells; i += NCOLS, row++) {
		for (c = 0; c < NCOLS; c++) {
			const char *v = cells[i + (size_t)c];
			lxw_format *f = row == 1 ? header : is_wrap(c) ? wrap : c == DATE_COL ? date : text;
			lxw_error e;

			if (!*v)
				continue;
			if (row > 1 && c == DATE_COL) {
				lxw_datetime dt = {0};

				if (sscanf(v, "%4d-%2d-%2d", &dt.year, &dt.month, &dt.day) != 3)
					continue;
				e = worksheet_write_datetime(ws, row, (lxw_col_t)c, &dt, f);
			} else {
				e = worksheet_write_string(ws, row, (lxw_col_t)c, v, f);
			}
			if (check(e, "cell"))
				goto done;
		}
	}
	if (check(workbook_close(wb), "close"))
		goto done;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.6f\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	rc = 0;
done:
	free(cells);
	free(data);
	return rc;
}
