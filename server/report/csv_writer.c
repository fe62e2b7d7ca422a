/*
 * csv_writer.c - RFC 4180 CSV rows of csv_writer.h.  Stateless: each call
 * writes one complete line through the caller's callback, field by field,
 * with no allocation.
 */
#include "csv_writer.h"

#include <stdio.h>
#include <string.h>

size_t csv_fwrite(const void *data, size_t len, void *payload)
{
	return fwrite(data, 1, len, (FILE *)payload);
}

static int out(csv_write_fn fn, void *payload, const char *s, size_t n)
{
	if (n == 0)
		return 0;
	return fn(s, n, payload) == n ? 0 : -1;
}

static int formula_like(const char *s)
{
	return *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' ||
	       *s == '\r';
}

/* One field: quoted when it holds , " CR or LF, with quotes doubled. */
static int write_field(const char *s, int flags, csv_write_fn fn, void *payload)
{
	int quote, esc;
	const char *q;

	if (!s)
		return 0;
	esc = (flags & CSV_ESCAPE_FORMULAS) && formula_like(s);
	quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote && out(fn, payload, "\"", 1))
		return -1;
	if (esc && out(fn, payload, "'", 1))
		return -1;
	if (quote) {
		while ((q = strchr(s, '"')) != NULL) {
			/* the quote itself, then a second one */
			if (out(fn, payload, s, (size_t)(q - s) + 1) ||
			    out(fn, payload, "\"", 1))
				return -1;
			s = q + 1;
		}
	}
	if (out(fn, payload, s, strlen(s)))
		return -1;
	if (quote && out(fn, payload, "\"", 1))
		return -1;
	return 0;
}

static int write_line(const char *const *fields, size_t stride, size_t n,
		      const layout_column *cols, int flags, csv_write_fn fn,
		      void *payload)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *f = cols ? cols[i].header : fields[i * stride];

		if (i && out(fn, payload, ",", 1))
			return -1;
		if (write_field(f, flags, fn, payload))
			return -1;
	}
	return out(fn, payload, "\r\n", 2);
}

int csv_write_header(const layout_sheet *sheet, int flags, csv_write_fn fn,
		     void *payload)
{
	if (!sheet || !fn)
		return -1;
	return write_line(NULL, 0, sheet->ncolumns, sheet->columns, flags, fn,
			  payload);
}

int csv_write_row(const layout_sheet *sheet, const char *const *values,
		  size_t nvalues, int flags, csv_write_fn fn, void *payload)
{
	if (!sheet || !fn || !values || nvalues != sheet->ncolumns)
		return -1;
	return write_line(values, 1, nvalues, NULL, flags, fn, payload);
}
