/* test_jdoc.c - the in-place JSON parser: every fixture parses to the same
 * tree jansson builds; strictness cases (UTF-8, escapes, numbers, depth,
 * duplicates) are refused with a position; accessors are NULL-safe. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "util/jdoc.h"

/* Deep equality of a jdoc tree and a jansson tree. */
static int same(const jd_value *a, const json_t *b)
{
	size_t i;

	switch (a->type) {
	case JD_NULL: return json_is_null(b);
	case JD_TRUE: return json_is_true(b);
	case JD_FALSE: return json_is_false(b);
	case JD_NUMBER:
		if (!json_is_number(b))
			return 0;
		return fabs(jd_number_value(a) - json_number_value(b)) <= 1e-9 * fabs(json_number_value(b)) &&
		       (a->integer == (json_is_integer(b) != 0));
	case JD_STRING:
		return json_is_string(b) && json_string_length(b) == a->n &&
		       memcmp(json_string_value(b), a->u.s, a->n) == 0;
	case JD_ARRAY:
		if (!json_is_array(b) || json_array_size(b) != a->n)
			return 0;
		for (i = 0; i < a->n; i++)
			if (!same(jd_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	case JD_OBJECT:
		if (!json_is_object(b) || json_object_size(b) != a->n)
			return 0;
		for (i = 0; i < a->n; i++) {
			json_t *m = json_object_get(b, jd_object_key_at(a, i));

			if (!m || !same(jd_object_value_at(a, i), m))
				return 0;
		}
		return 1;
	}
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		fclose(f);
		return NULL;
	}
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void test_fixtures_match_jansson(void **state)
{
	static const char *dirs[] = {"trivy", "grype", "sarif", "cyclonedx", "kubernetes", "kev", "edge", NULL};
	int d, checked = 0, refused = 0;

	(void)state;
	for (d = 0; dirs[d]; d++) {
		char dir[512];
		struct dirent *e;
		DIR *dh;

		snprintf(dir, sizeof(dir), "%s/%s", FIXTURES_DIR, dirs[d]);
		dh = opendir(dir);
		assert_non_null(dh);
		while ((e = readdir(dh)) != NULL) {
			char path[1024];
			size_t len = 0;
			char *text;
			json_t *j;
			jd_value *root;
			jd_error err;
			arena a = ARENA_INIT;
			int rc;

			if (!strstr(e->d_name, ".json") && !strstr(e->d_name, ".sarif"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			text = slurp(path, &len);
			assert_non_null(text);
			j = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
			rc = jd_parse(&a, text, len, 512, &root, &err);
			if (j) {
				if (rc != 0)
					fail_msg("%s: jdoc refused what jansson parsed: %s at %d:%d", path, err.text,
						 err.line, err.column);
				assert_true(same(root, j));
				checked++;
			} else {
				assert_int_equal(rc, -1);
				refused++;
			}
			json_decref(j);
			arena_free(&a);
			free(text);
		}
		closedir(dh);
	}
	assert_true(checked >= 40);
	assert_int_equal(refused, 1);   /* edge/datadog_invalid.json */
}

static int parses(const char *s, jd_error *err)
{
	arena a = ARENA_INIT;
	char *copy = strdup(s);
	jd_value *root;
	int rc = jd_parse(&a, copy, strlen(s), 64, &root, err);

	arena_free(&a);
	free(copy);
	return rc == 0;
}

static void test_strictness(void **state)
{
	static const char *bad[] = {
		"", " ", "{", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a:1}", "'x'", "tru", "nul",
		"01", "-", "1.", ".5", "1e", "1e+", "+1", "1e999999", "-1e999999", "\"abc", "\"a\\x\"",
		"\"\\u12\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"a\tb\"", "\"\xff\"",
		"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "{\"a\":1,\"a\":2}", "[]]",
		"{} {}", "[1]x", "\xef\xbb\xbf{}", NULL};
	static const char *good[] = {
		"0", "-0", "1.5e-3", "true", "null", "\"\"", "[]", "{}", "[[[]]]", "\"\\u00e9\\ud83d\\ude00\"",
		"\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", " {\"a\" : [1, {\"b\": null}] } ", "99999999999999999999999999",
		NULL};
	char deep[200];
	jd_error err;
	int i;

	(void)state;
	for (i = 0; bad[i]; i++)
		if (parses(bad[i], &err))
			fail_msg("accepted bad JSON #%d: %s", i, bad[i]);
	for (i = 0; good[i]; i++)
		if (!parses(good[i], &err))
			fail_msg("refused good JSON #%d: %s (%s)", i, good[i], err.text);
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	{
		char buf[201];

		memcpy(buf, deep, 200);
		buf[200] = '\0';
		assert_false(parses(buf, &err));   /* depth 100 > 64 */
		assert_string_equal(err.text, "nesting too deep");
	}
	assert_false(parses("{\n  \"a\": [1,\n   2,,\n]}", &err));
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 6);
}

static void test_values_and_accessors(void **state)
{
	char text[] = "{\"s\":\"a\\nb\\\"c\",\"i\":42,\"r\":-2.5,\"t\":true,\"n\":null,\"arr\":[1,\"x\",{}],"
		      "\"big\":12345678901}";
	arena a = ARENA_INIT;
	jd_value *root, *v;
	jd_error err;
	size_t i;
	const char *k;
	int count = 0;

	(void)state;
	assert_int_equal(jd_parse(&a, text, strlen(text), 16, &root, &err), 0);
	assert_string_equal(jd_string_value(jd_object_get(root, "s")), "a\nb\"c");
	assert_int_equal(jd_string_length(jd_object_get(root, "s")), 5);
	assert_int_equal(jd_integer_value(jd_object_get(root, "i")), 42);
	assert_true(jd_is_integer(jd_object_get(root, "i")));
	assert_false(jd_is_integer(jd_object_get(root, "r")));
	assert_true(jd_number_value(jd_object_get(root, "r")) == -2.5);
	assert_true(jd_is_true(jd_object_get(root, "t")));
	assert_true(jd_is_null(jd_object_get(root, "n")));
	assert_int_equal(jd_integer_value(jd_object_get(root, "big")), 12345678901LL);
	v = jd_object_get(root, "arr");
	assert_int_equal(jd_array_size(v), 3);
	assert_string_equal(jd_string_value(jd_array_get(v, 1)), "x");
	assert_null(jd_array_get(v, 3));
	assert_null(jd_object_get(v, "s"));        /* wrong type */
	assert_null(jd_string_value(jd_object_get(root, "i")));
	assert_null(jd_object_get(NULL, "x"));
	assert_int_equal(jd_array_size(NULL), 0);
	jd_object_foreach(root, i, k, v)
		count++;
	assert_int_equal(count, 7);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_match_jansson),
		cmocka_unit_test(test_strictness),
		cmocka_unit_test(test_values_and_accessors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
