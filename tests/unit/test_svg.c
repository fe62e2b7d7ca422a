/* test_svg.c - the dashboard's inline SVG charts (server/report/svg.c):
 * the figures drawn are in data attributes, text is escaped, no script or
 * inline style, axis maxima are "nice". */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "report/svg.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void test_nice_max(void **state)
{
	(void)state;
	assert_int_equal(svg_nice_max(-5), 1);
	assert_int_equal(svg_nice_max(0), 1);
	assert_int_equal(svg_nice_max(1), 1);
	assert_int_equal(svg_nice_max(2), 2);
	assert_int_equal(svg_nice_max(3), 5);
	assert_int_equal(svg_nice_max(7), 10);
	assert_int_equal(svg_nice_max(10), 10);
	assert_int_equal(svg_nice_max(11), 20);
	assert_int_equal(svg_nice_max(99), 100);
	assert_int_equal(svg_nice_max(101), 200);
	assert_int_equal(svg_nice_max(250), 500);
	assert_int_equal(svg_nice_max(2000000), 2000000);
	assert_true(svg_nice_max(LLONG_MAX) >= LLONG_MAX / 2);   /* no overflow */
}

static void test_bar_chart(void **state)
{
	svg_bar bars[] = {
		{"0-7", "0-7 days", 12, "age-fresh"},
		{"8-30", "8-30 days", 3, "age-aging"},
		{"over_30", "<over> \"30\"", 0, NULL},
		{"never", "never", -4, "age-never"},
	};
	buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(svg_bar_chart(&b, "chart-x", "Assets & scans", bars, 4), 0);
	assert_true(strncmp(b.data, "<svg ", 5) == 0);
	assert_true(strstr(b.data, "</svg>") == b.data + b.len - 6);
	assert_non_null(strstr(b.data, "id=\"chart-x\" data-chart=\"chart-x\""));
	assert_non_null(strstr(b.data, "<title id=\"chart-x-title\">Assets &amp; scans</title>"));
	assert_non_null(strstr(b.data, "data-key=\"0-7\" data-value=\"12\""));
	assert_non_null(strstr(b.data, "data-key=\"8-30\" data-value=\"3\""));
	assert_non_null(strstr(b.data, "data-key=\"over_30\" data-value=\"0\""));
	assert_non_null(strstr(b.data, "data-key=\"never\" data-value=\"0\""));   /* negatives drawn as 0 */
	assert_non_null(strstr(b.data, "&lt;over&gt; &quot;30&quot;"));
	assert_null(strstr(b.data, "<over>"));
	assert_int_equal(count(b.data, "<g class=\"bar\""), 4);
	assert_non_null(strstr(b.data, "class=\"age-fresh\""));
	assert_non_null(strstr(b.data, "class=\"bar-default\""));
	/* the value axis tops at the nice maximum 20, with its half */
	assert_non_null(strstr(b.data, ">20</text>"));
	assert_non_null(strstr(b.data, ">10</text>"));
	assert_null(strstr(b.data, "style="));
	assert_null(strstr(b.data, "<script"));
	buf_free(&b);
}

static void test_bar_chart_empty(void **state)
{
	buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(svg_bar_chart(&b, "e", "Nothing", NULL, 0), 0);
	assert_int_equal(count(b.data, "<g class=\"bar\""), 0);
	assert_non_null(strstr(b.data, "class=\"axis\""));
	buf_free(&b);
}

static void test_line_chart(void **state)
{
	const char *months[] = {"2026-09", "2026-10", "2026-11"};
	long long high[] = {4, 6, 5}, low[] = {0, 1, 2};
	svg_series s[] = {{"High", "High", "risk-high", high}, {"Low", "Low", "risk-low", low}};
	buf b;

	(void)state;
	buf_init(&b, 1 << 20);
	assert_int_equal(svg_line_chart(&b, "open", "Open items", months, 3, s, 2), 0);
	assert_int_equal(count(b.data, "<circle "), 6);
	assert_int_equal(count(b.data, "<polyline "), 2);
	assert_non_null(strstr(b.data, "data-series=\"High\" data-x=\"2026-10\" data-value=\"6\""));
	assert_non_null(strstr(b.data, "data-series=\"Low\" data-x=\"2026-11\" data-value=\"2\""));
	assert_non_null(strstr(b.data, "<g class=\"series risk-high\" data-series=\"High\">"));
	assert_int_equal(count(b.data, "class=\"legend\""), 2);
	assert_int_equal(count(b.data, "<text class=\"label\""), 3);
	assert_non_null(strstr(b.data, "text-anchor=\"end\">2026-11</text>"));
	assert_null(strstr(b.data, "style="));
	buf_free(&b);
	/* twelve months: about six labels, the last one always */
	{
		const char *twelve[12] = {"m01", "m02", "m03", "m04", "m05", "m06", "m07", "m08", "m09", "m10",
					  "m11", "m12"};
		long long v[12] = {0};
		svg_series one = {"High", "High", "risk-high", v};

		buf_init(&b, 1 << 20);
		assert_int_equal(svg_line_chart(&b, "t", "Twelve", twelve, 12, &one, 1), 0);
		assert_int_equal(count(b.data, "<text class=\"label\""), 6);
		assert_non_null(strstr(b.data, ">m12</text>"));
		assert_null(strstr(b.data, ">m11</text>"));
		assert_int_equal(count(b.data, "<circle "), 12);
		buf_free(&b);
	}
	/* a single point and no series at all */
	buf_init(&b, 1 << 20);
	assert_int_equal(svg_line_chart(&b, "one", "One", months, 1, s, 1), 0);
	assert_int_equal(count(b.data, "<circle "), 1);
	buf_reset(&b);
	assert_int_equal(svg_line_chart(&b, "none", "None", months, 0, s, 0), 0);
	assert_int_equal(count(b.data, "<circle "), 0);
	buf_free(&b);
}

static void test_ceiling(void **state)
{
	svg_bar bars[] = {{"a", "a", 1, NULL}};
	buf b;

	(void)state;
	buf_init(&b, 64);
	assert_int_equal(svg_bar_chart(&b, "c", "t", bars, 1), BUF_ERR_TOOBIG);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_max),
		cmocka_unit_test(test_bar_chart),
		cmocka_unit_test(test_bar_chart_empty),
		cmocka_unit_test(test_line_chart),
		cmocka_unit_test(test_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
