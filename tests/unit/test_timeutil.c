/* test_timeutil.c - RFC 3339 parsing edge cases and month ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/timeutil.h"

static void test_parse(void **state)
{
	time_t t;
	char buf[32];

	(void)state;
	assert_int_equal(time_parse_rfc3339("2021-08-25T12:20:30.000000005Z", &t), 0);
	time_format_rfc3339(t, buf, sizeof(buf));
	assert_string_equal(buf, "2021-08-25T12:20:30Z");
	assert_int_equal(time_parse_rfc3339("2021-08-25T14:20:30+02:00", &t), 0);
	time_format_rfc3339(t, buf, sizeof(buf));
	assert_string_equal(buf, "2021-08-25T12:20:30Z");
	assert_int_equal(time_parse_rfc3339("2024-02-29", &t), 0);
	time_format_rfc3339(t, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29T00:00:00Z");
	assert_int_equal(time_parse_rfc3339("2023-02-29", &t), -1);
	assert_int_equal(time_parse_rfc3339("2021-13-01", &t), -1);
	assert_int_equal(time_parse_rfc3339("2021-08-25T12:20", &t), -1);
	assert_int_equal(time_parse_rfc3339("2021-08-25T12:20:30", &t), -1);
	assert_int_equal(time_parse_rfc3339("2021-08-25T12:20:30Zjunk", &t), -1);
	assert_int_equal(time_parse_rfc3339("", &t), -1);
	assert_int_equal(time_parse_rfc3339(NULL, &t), -1);
}

static void test_month(void **state)
{
	time_t a, b;
	char s[32], e[32];

	(void)state;
	assert_int_equal(time_parse_month("2026-12", &a, &b), 0);
	time_format_rfc3339(a, s, sizeof(s));
	time_format_rfc3339(b, e, sizeof(e));
	assert_string_equal(s, "2026-12-01T00:00:00Z");
	assert_string_equal(e, "2027-01-01T00:00:00Z");
	assert_int_equal(time_parse_month("2026-13", &a, &b), -1);
	assert_int_equal(time_parse_month("2026-1", &a, &b), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_month),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
