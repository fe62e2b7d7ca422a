/*
 * svg.c - bar and line charts as inline SVG (svg.h). Geometry is computed
 * in doubles from a "nice" axis maximum; every number drawn is also
 * written as a data attribute.
 */
#include "svg.h"

#include <limits.h>

#include "html.h"

#define W 640.0
#define H 260.0
#define ML 48.0    /* margins: left (value axis), right, top, bottom (labels) */
#define MR 12.0
#define MT 16.0
#define MB 44.0

long long svg_nice_max(long long v)
{
	static const long long steps[] = {1, 2, 5, 10};
	long long p = 1;
	size_t i;

	if (v <= 1)
		return 1;
	while (p <= v / 10)
		p *= 10;
	for (i = 0; i < 4; i++) {
		if (p > LLONG_MAX / steps[i])
			break;
		if (steps[i] * p >= v)
			return steps[i] * p;
	}
	return v;
}

static double y_of(long long v, long long top)
{
	if (v < 0)
		v = 0;
	return MT + (H - MT - MB) * (1.0 - (double)v / (double)top);
}

/* Opening tag, title and the value axis with three gridlines. */
static int chart_open(buf *b, const char *id, const char *title, long long top)
{
	int rc, k;

	rc = buf_printf(b, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\""
			   " role=\"img\" id=\"", W, H);
	rc = rc ? rc : html_escape(b, id);
	rc = rc ? rc : buf_puts(b, "\" data-chart=\"");
	rc = rc ? rc : html_escape(b, id);
	rc = rc ? rc : buf_puts(b, "\" aria-labelledby=\"");
	rc = rc ? rc : html_escape(b, id);
	rc = rc ? rc : buf_puts(b, "-title\"><title id=\"");
	rc = rc ? rc : html_escape(b, id);
	rc = rc ? rc : buf_puts(b, "-title\">");
	rc = rc ? rc : html_escape(b, title);
	rc = rc ? rc : buf_puts(b, "</title>");
	for (k = 0; k <= 2 && rc == 0; k++) {
		long long v = top * k / 2;
		double y = y_of(v, top);

		rc = buf_printf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				   "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%lld</text>",
				ML, y, W - MR, y, ML - 6, y + 4, v);
	}
	return rc;
}

int svg_bar_chart(buf *b, const char *id, const char *title, const svg_bar *bars, size_t n)
{
	long long max = 0, top;
	double slot, bw;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	top = svg_nice_max(max);
	rc = chart_open(b, id, title, top);
	slot = n ? (W - ML - MR) / (double)n : 0;
	bw = slot * 0.6;
	for (i = 0; i < n && rc == 0; i++) {
		long long v = bars[i].value < 0 ? 0 : bars[i].value;
		double x = ML + slot * (double)i + (slot - bw) / 2, y = y_of(v, top);

		rc = buf_puts(b, "<g class=\"bar\" data-key=\"");
		rc = rc ? rc : html_escape(b, bars[i].key);
		rc = rc ? rc : buf_printf(b, "\" data-value=\"%lld\"><rect class=\"", v);
		rc = rc ? rc : html_escape(b, bars[i].cls ? bars[i].cls : "bar-default");
		rc = rc ? rc : buf_printf(b, "\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
					  x, y, bw, H - MB - y);
		rc = rc ? rc : html_escape(b, bars[i].label);
		rc = rc ? rc : buf_printf(b, ": %lld</title></rect>"
					     "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%lld</text>"
					     "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
					  v, x + bw / 2, y - 4, v, x + bw / 2, H - MB + 18);
		rc = rc ? rc : html_escape(b, bars[i].label);
		rc = rc ? rc : buf_puts(b, "</text></g>");
	}
	rc = rc ? rc : buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></svg>",
				  ML, H - MB, W - MR, H - MB);
	return rc;
}

int svg_line_chart(buf *b, const char *id, const char *title, const char *const *xlabels,
		   size_t npoints, const svg_series *series, size_t nseries)
{
	long long max = 0, top;
	double step;
	size_t i, s, every;
	int rc;

	for (s = 0; s < nseries; s++)
		for (i = 0; i < npoints; i++)
			if (series[s].values[i] > max)
				max = series[s].values[i];
	top = svg_nice_max(max);
	rc = chart_open(b, id, title, top);
	step = npoints > 1 ? (W - ML - MR - 20) / (double)(npoints - 1) : 0;
	/* x labels: at most about six, always the last, which ends at the edge */
	every = npoints > 6 ? (npoints + 5) / 6 : 1;
	for (i = 0; i < npoints && rc == 0; i++) {
		if (i != npoints - 1 && ((npoints - 1 - i) % every != 0 || npoints - 1 - i < every))
			continue;
		rc = buf_printf(b, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">",
				ML + 10 + step * (double)i, H - MB + 18,
				i == npoints - 1 && npoints > 1 ? "end" : "middle");
		rc = rc ? rc : html_escape(b, xlabels[i]);
		rc = rc ? rc : buf_puts(b, "</text>");
	}
	for (s = 0; s < nseries && rc == 0; s++) {
		rc = buf_puts(b, "<g class=\"series ");
		rc = rc ? rc : html_escape(b, series[s].cls ? series[s].cls : "series-default");
		rc = rc ? rc : buf_puts(b, "\" data-series=\"");
		rc = rc ? rc : html_escape(b, series[s].key);
		rc = rc ? rc : buf_puts(b, "\"><polyline class=\"line\" fill=\"none\" points=\"");
		for (i = 0; i < npoints && rc == 0; i++)
			rc = buf_printf(b, "%s%.1f,%.1f", i ? " " : "", ML + 10 + step * (double)i,
					y_of(series[s].values[i], top));
		rc = rc ? rc : buf_puts(b, "\"/>");
		for (i = 0; i < npoints && rc == 0; i++) {
			long long v = series[s].values[i] < 0 ? 0 : series[s].values[i];

			rc = buf_printf(b, "<circle class=\"point\" r=\"3.5\" cx=\"%.1f\" cy=\"%.1f\" data-series=\"",
					ML + 10 + step * (double)i, y_of(v, top));
			rc = rc ? rc : html_escape(b, series[s].key);
			rc = rc ? rc : buf_puts(b, "\" data-x=\"");
			rc = rc ? rc : html_escape(b, xlabels[i]);
			rc = rc ? rc : buf_printf(b, "\" data-value=\"%lld\"><title>", v);
			rc = rc ? rc : html_escape(b, series[s].label);
			rc = rc ? rc : buf_puts(b, " ");
			rc = rc ? rc : html_escape(b, xlabels[i]);
			rc = rc ? rc : buf_printf(b, ": %lld</title></circle>", v);
		}
		/* legend entry */
		rc = rc ? rc : buf_printf(b, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\"/>"
					     "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">",
					  ML + 10 + 110.0 * (double)s, H - 14, ML + 24 + 110.0 * (double)s, H - 5);
		rc = rc ? rc : html_escape(b, series[s].label);
		rc = rc ? rc : buf_puts(b, "</text></g>");
	}
	rc = rc ? rc : buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></svg>",
				  ML, H - MB, W - MR, H - MB);
	return rc;
}
