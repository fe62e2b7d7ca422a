/* test_html.c - the web pages' template renderer, HTML escaping and URL
 * components (server/report/html.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "report/html.h"

static void test_escape(void **state)
{
	buf b;

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(html_escape(&b, "<a href=\"x\">Tom & Jerry's</a>"), 0);
	assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
	buf_reset(&b);
	/* control characters other than tab and newline are dropped */
	assert_int_equal(html_escape(&b, "a\x01" "b\tc\nd\x7f" "\x1b[31m"), 0);
	assert_string_equal(b.data, "ab\tc\nd\x7f[31m");
	buf_reset(&b);
	assert_int_equal(html_escape(&b, NULL), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(html_escape_n(&b, "<<<", 2), 0);
	assert_string_equal(b.data, "&lt;&lt;");
	buf_free(&b);
	/* the buffer's ceiling holds and a failure releases it */
	buf_init(&b, 8);
	assert_int_equal(html_escape(&b, "&&&"), BUF_ERR_TOOBIG);
	assert_null(b.data);
}

static void test_url_component(void **state)
{
	buf b;

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(html_url_component(&b, "a b&c=d/é~_.-9"), 0);
	assert_string_equal(b.data, "a%20b%26c%3Dd%2F%C3%A9~_.-9");
	buf_reset(&b);
	assert_int_equal(html_url_component(&b, ""), 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

static void test_render(void **state)
{
	static const char tpl[] = "<h1>{{title}}</h1>{{{body}}}<p>{{title}} {{empty}}|{{missing_value}}</p>";
	html_var v[] = {{"title", "R&D <2>"}, {"body", "<b>bold</b>"}, {"empty", ""}, {"missing_value", NULL}};
	char err[128];
	buf b;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(html_render(&b, tpl, strlen(tpl), v, 4, err, sizeof(err)), 0);
	assert_string_equal(b.data, "<h1>R&amp;D &lt;2&gt;</h1><b>bold</b><p>R&amp;D &lt;2&gt; |</p>");
	buf_free(&b);
}

static void test_render_text_without_placeholders(void **state)
{
	static const char tpl[] = "body { margin: 0 } a{b} {c} { {d} } {";
	char err[128];
	buf b;

	(void)state;
	buf_init(&b, 1 << 16);
	assert_int_equal(html_render(&b, tpl, strlen(tpl), NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(b.data, tpl);
	buf_free(&b);
}

static void test_render_errors(void **state)
{
	static const char *const bad[] = {
		"x {{unknown}} y",      /* no such var */
		"x {{title y",          /* not closed */
		"x {{ title }} y",      /* spaces are not names */
		"x {{{title}} y",       /* raw opened, plain closed */
		"x {{Title}} y",        /* names are lower case */
		"{{",
	};
	html_var v[] = {{"title", "t"}};
	char err[128];
	size_t i;
	buf b;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_init(&b, 1 << 16);
		assert_int_equal(html_render(&b, bad[i], strlen(bad[i]), v, 1, err, sizeof(err)), HTML_ERR_TEMPLATE);
		assert_null(b.data);
		assert_true(strlen(err) > 0);
	}
	buf_init(&b, 1 << 16);
	assert_int_equal(html_render(&b, "a{{unknown}}", 12, v, 1, err, sizeof(err)), HTML_ERR_TEMPLATE);
	assert_string_equal(err, "no value for placeholder \"unknown\"");
}

static void test_render_ceiling(void **state)
{
	static const char tpl[] = "{{{big}}}";
	char big[300], err[64];
	html_var v[] = {{"big", big}};
	buf b;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b, 100);
	assert_int_equal(html_render(&b, tpl, strlen(tpl), v, 1, err, sizeof(err)), BUF_ERR_TOOBIG);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_url_component),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_text_without_placeholders),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_render_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
