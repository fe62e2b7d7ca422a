/*
 * svg.h - the dashboard's charts as inline SVG, built in C: a bar chart
 * and a line chart with a legend. No script, no inline style: colours
 * come from CSS classes (static/app.css), so the pages keep a strict
 * Content-Security-Policy. Every bar and point carries data-key /
 * data-series, data-x and data-value attributes with the exact figure, so
 * tests (and screen readers, through <title>) read the numbers drawn.
 */
#ifndef MUSTER_SVG_H
#define MUSTER_SVG_H

#include <stddef.h>

#include "../util/buf.h"

typedef struct svg_bar {
	const char *key;          /* data-key, e.g. "0-7" */
	const char *label;        /* axis label, e.g. "0-7 days" */
	long long value;          /* >= 0; negatives are drawn as 0 */
	const char *cls;          /* CSS class of the bar, e.g. "risk-high"; may be NULL */
} svg_bar;

typedef struct svg_series {
	const char *key;          /* data-series, e.g. "High" */
	const char *label;        /* legend text */
	const char *cls;          /* CSS class of its line and points */
	const long long *values;  /* one per x label */
} svg_series;

/*
 * Append a bar chart: id is the element id (and data-chart), title its
 * accessible title; n bars (0 allowed: an empty chart with its axis).
 * Text is escaped. Returns 0 or a BUF_ERR_* code (out released).
 */
int svg_bar_chart(buf *out, const char *id, const char *title, const svg_bar *bars, size_t n);

/*
 * Append a line chart of nseries series over npoints x labels (e.g.
 * months), with a legend. Returns 0 or a BUF_ERR_* code (out released).
 */
int svg_line_chart(buf *out, const char *id, const char *title, const char *const *xlabels,
		   size_t npoints, const svg_series *series, size_t nseries);

/* The smallest 1, 2 or 5 x 10^k not below v (1 for v <= 0): the top of a
 * chart's value axis. */
long long svg_nice_max(long long v);

#endif
