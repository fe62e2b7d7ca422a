/* test_policy_doc.c - the policy, hardening, metadata and webhook URL
 * documents: defaults, normalization, and every refusal naming its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy/policy_doc.h"
#include "util/timeutil.h"

static json_t *load(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

	assert_non_null(j);
	return j;
}

#define GOOD_POLICY \
	"{\"scan_window_days\": 30, \"allowed_registries\": [], \"require_hardening\": true," \
	" \"admission_mode\": \"enforce\", \"moving_tags\": [\"latest\"]}"

static void test_defaults(void **state)
{
	policy_doc p;
	json_t *j;
	char *s;

	(void)state;
	policy_doc_init(&p);
	assert_int_equal(p.scan_window_days, 30);
	assert_int_equal(p.require_hardening, 1);
	assert_int_equal(p.admission_mode, POLICY_ADMISSION_ENFORCE);
	assert_int_equal(p.n_allowed_registries, 0);
	assert_int_equal(p.n_moving_tags, 1);
	assert_string_equal(p.moving_tags[0], "latest");
	j = policy_doc_to_json(&p);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	/* the same document schema/003_runtime.sql seeds */
	assert_string_equal(s, "{\"admission_mode\":\"enforce\",\"allowed_registries\":[],"
			       "\"moving_tags\":[\"latest\"],\"require_hardening\":true,\"scan_window_days\":30}");
	free(s);
	json_decref(j);
	policy_doc_free(&p);
}

static void test_parse_normalizes(void **state)
{
	policy_doc p;
	policy_doc_error e;
	json_t *doc = load("{\"scan_window_days\": 14,"
			   " \"allowed_registries\": [\"Registry.Example.com\", \"registry.example.com\","
			   "   \"index.docker.io\", \"localhost:5000\", \"[::1]:5000\"],"
			   " \"require_hardening\": false, \"admission_mode\": \"warn\","
			   " \"moving_tags\": [\"latest\", \"stable\", \"latest\", \"v1.x_dev-2\"]}");
	json_t *out;
	char *s;

	(void)state;
	policy_doc_init(&p);
	assert_int_equal(policy_doc_parse(&p, doc, &e), 0);
	assert_int_equal(p.scan_window_days, 14);
	assert_int_equal(p.require_hardening, 0);
	assert_int_equal(p.admission_mode, POLICY_ADMISSION_WARN);
	assert_int_equal(p.n_allowed_registries, 4);
	assert_string_equal(p.allowed_registries[0], "registry.example.com");
	assert_string_equal(p.allowed_registries[1], "docker.io");
	assert_string_equal(p.allowed_registries[2], "localhost:5000");
	assert_string_equal(p.allowed_registries[3], "[::1]:5000");
	assert_int_equal(p.n_moving_tags, 3);
	assert_string_equal(p.moving_tags[2], "v1.x_dev-2");
	out = policy_doc_to_json(&p);
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"admission_mode\":\"warn\",\"allowed_registries\":[\"registry.example.com\","
			       "\"docker.io\",\"localhost:5000\",\"[::1]:5000\"],\"moving_tags\":[\"latest\","
			       "\"stable\",\"v1.x_dev-2\"],\"require_hardening\":false,\"scan_window_days\":14}");
	free(s);
	json_decref(out);
	/* parsing again releases the previous contents; an empty list is allowed */
	json_object_set_new(doc, "moving_tags", json_array());
	json_object_set_new(doc, "allowed_registries", json_array());
	assert_int_equal(policy_doc_parse(&p, doc, &e), 0);
	assert_int_equal(p.n_moving_tags, 0);
	assert_int_equal(p.n_allowed_registries, 0);
	policy_doc_free(&p);
	json_decref(doc);
}

/* Replace one member of the good policy and expect a refusal naming field. */
static void expect_refused(const char *key, json_t *value, const char *field)
{
	json_t *doc = load(GOOD_POLICY);
	policy_doc_error e;
	policy_doc p;

	if (value)
		json_object_set_new(doc, key, value);
	else
		json_object_del(doc, key);
	policy_doc_init(&p);
	memset(&e, 0, sizeof(e));
	assert_int_equal(policy_doc_parse(&p, doc, &e), -1);
	assert_string_equal(e.field, field);
	assert_true(strlen(e.message) > 0);
	/* out is back to the defaults */
	assert_int_equal(p.scan_window_days, 30);
	assert_int_equal(p.n_allowed_registries, 0);
	policy_doc_free(&p);
	json_decref(doc);
}

static void test_parse_refusals(void **state)
{
	policy_doc_error e;
	policy_doc p;
	json_t *big;
	size_t i;

	(void)state;
	expect_refused("scan_window_days", json_integer(0), "scan_window_days");
	expect_refused("scan_window_days", json_integer(366), "scan_window_days");
	expect_refused("scan_window_days", json_integer(-5), "scan_window_days");
	expect_refused("scan_window_days", json_real(30.0), "scan_window_days");
	expect_refused("scan_window_days", json_string("30"), "scan_window_days");
	expect_refused("scan_window_days", json_null(), "scan_window_days");
	expect_refused("scan_window_days", NULL, "scan_window_days");
	expect_refused("allowed_registries", json_string("quay.io"), "allowed_registries");
	expect_refused("allowed_registries", load("[\"quay.io\", 5]"), "allowed_registries[1]");
	expect_refused("allowed_registries", load("[\"quay.io/org\"]"), "allowed_registries[0]");
	expect_refused("allowed_registries", load("[\"myregistry\"]"), "allowed_registries[0]");
	expect_refused("allowed_registries", load("[\"\"]"), "allowed_registries[0]");
	expect_refused("allowed_registries", load("[\"bad host.com\"]"), "allowed_registries[0]");
	expect_refused("allowed_registries", load("[\"q.io@sha256:aa\"]"), "allowed_registries[0]");
	expect_refused("allowed_registries", load("[\"q\\u0000.io\"]"), "allowed_registries[0]");
	expect_refused("allowed_registries", NULL, "allowed_registries");
	expect_refused("require_hardening", json_string("yes"), "require_hardening");
	expect_refused("require_hardening", json_integer(1), "require_hardening");
	expect_refused("require_hardening", NULL, "require_hardening");
	expect_refused("admission_mode", json_string("audit"), "admission_mode");
	expect_refused("admission_mode", json_string("ENFORCE"), "admission_mode");
	expect_refused("admission_mode", NULL, "admission_mode");
	expect_refused("moving_tags", json_string("latest"), "moving_tags");
	expect_refused("moving_tags", load("[\"ok\", \"bad tag\"]"), "moving_tags[1]");
	expect_refused("moving_tags", load("[\"-lead\"]"), "moving_tags[0]");
	expect_refused("moving_tags", load("[\"\"]"), "moving_tags[0]");
	expect_refused("moving_tags", NULL, "moving_tags");
	expect_refused("windows", json_integer(3), "windows");
	/* too many entries */
	big = json_array();
	for (i = 0; i <= POLICY_MAX_MOVING_TAGS; i++)
		json_array_append_new(big, json_string("t"));
	expect_refused("moving_tags", big, "moving_tags");
	/* not an object at all */
	policy_doc_init(&p);
	big = load("[1]");
	assert_int_equal(policy_doc_parse(&p, big, &e), -1);
	json_decref(big);
	assert_int_equal(policy_doc_parse(&p, NULL, &e), -1);
	policy_doc_free(&p);
}

static void test_hardening(void **state)
{
	json_t *doc = load("{\"baseline\": \"CIS Docker Benchmark v1.6.0\", \"benchmark\": null,"
			   " \"validated_by\": \"ISSO\", \"validated_at\": \"2026-11-01T10:00:00+02:00\"}");
	policy_hardening h;
	policy_doc_error e;
	char when[32];

	(void)state;
	assert_int_equal(policy_doc_parse_hardening(&h, doc, &e), 0);
	assert_string_equal(h.baseline, "CIS Docker Benchmark v1.6.0");
	assert_null(h.benchmark);
	assert_null(h.evidence);
	assert_string_equal(h.validated_by, "ISSO");
	time_format_rfc3339(h.validated_at, when, sizeof(when));
	assert_string_equal(when, "2026-11-01T08:00:00Z");
	json_object_set_new(doc, "validated_at", json_string("2026-02-28"));
	assert_int_equal(policy_doc_parse_hardening(&h, doc, &e), 0);
	time_format_rfc3339(h.validated_at, when, sizeof(when));
	assert_string_equal(when, "2026-02-28T00:00:00Z");

	json_object_set_new(doc, "validated_at", json_string("2026-02-29"));
	assert_int_equal(policy_doc_parse_hardening(&h, doc, &e), -1);
	assert_string_equal(e.field, "validated_at");
	assert_null(h.baseline);
	json_object_set_new(doc, "validated_at", json_string("2026-02-28"));
	json_object_set_new(doc, "evidence", json_integer(3));
	assert_int_equal(policy_doc_parse_hardening(&h, doc, &e), -1);
	assert_string_equal(e.field, "evidence");
	json_object_del(doc, "evidence");
	json_object_del(doc, "validated_by");
	assert_int_equal(policy_doc_parse_hardening(&h, doc, &e), -1);
	assert_string_equal(e.field, "validated_by");
	assert_string_equal(e.message, "required");
	json_object_set_new(doc, "validated_by", json_string("ISSO"));
	json_object_set_new(doc, "baseline", json_string(""));
	assert_int_equal(policy_doc_parse_hardening(&h, doc, &e), -1);
	assert_string_equal(e.field, "baseline");
	json_object_set_new(doc, "baseline", json_string("x"));
	json_object_set_new(doc, "signed", json_true());
	assert_int_equal(policy_doc_parse_hardening(&h, doc, &e), -1);
	assert_string_equal(e.field, "signed");
	json_decref(doc);
	doc = load("\"text\"");
	assert_int_equal(policy_doc_parse_hardening(&h, doc, &e), -1);
	json_decref(doc);
}

static void test_metadata(void **state)
{
	json_t *doc = load("{\"owner\": \"Platform\", \"public\": false, \"end_of_life\": \"2028-12-31\","
			   " \"comments\": null, \"vendor\": \"Example\"}");
	json_t *out = NULL;
	policy_doc_error e;
	char *s;

	(void)state;
	assert_int_equal(policy_doc_parse_metadata(&out, doc, &e), 0);
	s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"end_of_life\":\"2028-12-31\",\"owner\":\"Platform\",\"public\":false,"
			       "\"vendor\":\"Example\"}");
	free(s);
	json_decref(out);
	json_decref(doc);

	doc = load("{}");
	assert_int_equal(policy_doc_parse_metadata(&out, doc, &e), 0);
	assert_int_equal(json_object_size(out), 0);
	json_decref(out);
	json_decref(doc);

	{
		static const char *const bad[][2] = {
			{"{\"owner\": \"x\", \"colour\": \"red\"}", "colour"},
			{"{\"public\": \"yes\"}", "public"},
			{"{\"end_of_life\": \"2028-13-01\"}", "end_of_life"},
			{"{\"end_of_life\": \"2028-12-31T00:00:00Z\"}", "end_of_life"},
			{"{\"end_of_life\": 2028}", "end_of_life"},
			{"{\"function\": [\"web\"]}", "function"},
			{"{\"location\": \"a\\u0000b\"}", "location"},
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			doc = load(bad[i][0]);
			out = (json_t *)1;
			assert_int_equal(policy_doc_parse_metadata(&out, doc, &e), -1);
			assert_null(out);
			assert_string_equal(e.field, bad[i][1]);
			json_decref(doc);
		}
	}
}

static void test_url(void **state)
{
	policy_doc_error e;
	policy_url u;

	(void)state;
	assert_int_equal(policy_doc_parse_url(&u, "http://127.0.0.1:8080/hook?team=sec&x=%20", &e), 0);
	assert_int_equal(u.tls, 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 8080);
	assert_string_equal(u.path, "/hook?team=sec&x=%20");
	assert_int_equal(policy_doc_parse_url(&u, "https://hooks.example.com", &e), 0);
	assert_int_equal(u.tls, 1);
	assert_int_equal(u.port, 443);
	assert_string_equal(u.path, "/");
	assert_int_equal(policy_doc_parse_url(&u, "http://[::1]:9/x", &e), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 9);
	assert_int_equal(policy_doc_parse_url(&u, "http://example.com?q=1", &e), 0);
	assert_string_equal(u.path, "/?q=1");

	{
		static const char *const bad[] = {
			"", "ftp://h/", "http://", "http:///x", "http://h:/", "http://h:0/", "http://h:65536/",
			"http://h:123456/", "http://h:8a/", "http://user:pw@h/", "http://h/a b", "http://h/#frag",
			"http://h_x/", "http://[::1/", "http://[::1]x/", "HTTP://h/", "http://h/\x01",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(policy_doc_parse_url(&u, bad[i], &e), -1);
			assert_string_equal(e.field, "url");
			assert_string_equal(u.host, "");
		}
		assert_int_equal(policy_doc_parse_url(&u, NULL, &e), -1);
	}
	{
		char longurl[2100];

		memset(longurl, 'a', sizeof(longurl));
		memcpy(longurl, "http://h/", 9);
		longurl[sizeof(longurl) - 1] = '\0';
		assert_int_equal(policy_doc_parse_url(&u, longurl, &e), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse_normalizes),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_hardening),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
