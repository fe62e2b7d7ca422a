/* test_metrics.c - the Prometheus text exposition of server/http/metrics.c,
 * read back with a small parser of the format: every sample belongs to a
 * family announced by HELP and TYPE lines, names and labels are valid,
 * counters count what was observed, histogram buckets are cumulative and
 * end in +Inf equal to _count. */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/metrics.h"

#define MAX_SAMPLES 4096

typedef struct sample {
	char name[128];
	char labels[512];      /* as written between the braces, "" when none */
	double value;
	char family[128];
	char type[16];
} sample;

static sample samples[MAX_SAMPLES];
static size_t nsamples;

static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':'))
		return 0;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
			return 0;
	return 1;
}

/* Check label syntax: name="value" pairs separated by commas, values
 * with only \\, \" and \n escapes. */
static int labels_ok(const char *s)
{
	while (*s) {
		const char *eq = strchr(s, '=');

		if (!eq || !name_ok(s, (size_t)(eq - s)) || eq[1] != '"')
			return 0;
		s = eq + 2;
		while (*s && *s != '"') {
			if (*s == '\\') {
				if (s[1] != '\\' && s[1] != '"' && s[1] != 'n')
					return 0;
				s++;
			}
			if (*s == '\n')
				return 0;
			s++;
		}
		if (*s != '"')
			return 0;
		s++;
		if (*s == ',')
			s++;
		else if (*s)
			return 0;
	}
	return 1;
}

/* Parse the exposition into samples[]; fails the test on any bad line. */
static void parse(const char *text)
{
	char family[128] = "", type[16] = "";
	const char *line = text;

	nsamples = 0;
	assert_true(text[strlen(text) - 1] == '\n');
	while (*line) {
		const char *end = strchr(line, '\n');
		char buf[1024];
		size_t n;

		assert_non_null(end);
		n = (size_t)(end - line);
		assert_true(n < sizeof(buf));
		memcpy(buf, line, n);
		buf[n] = '\0';
		if (!strncmp(buf, "# HELP ", 7)) {
			char *sp = strchr(buf + 7, ' ');

			assert_non_null(sp);
			assert_true(name_ok(buf + 7, (size_t)(sp - buf - 7)));
			snprintf(family, sizeof(family), "%.*s", (int)(sp - buf - 7), buf + 7);
			type[0] = '\0';
		} else if (!strncmp(buf, "# TYPE ", 7)) {
			char name[128];

			assert_int_equal(sscanf(buf + 7, "%127s %15s", name, type), 2);
			assert_string_equal(name, family);
			assert_true(!strcmp(type, "counter") || !strcmp(type, "gauge") || !strcmp(type, "histogram"));
		} else {
			sample *s = &samples[nsamples++];
			char *brace = strchr(buf, '{'), *space, *val;
			size_t flen = strlen(family);

			assert_true(nsamples < MAX_SAMPLES);
			assert_true(type[0] != '\0');    /* TYPE came before the samples */
			if (brace) {
				char *close = strrchr(buf, '}');

				assert_non_null(close);
				snprintf(s->name, sizeof(s->name), "%.*s", (int)(brace - buf), buf);
				snprintf(s->labels, sizeof(s->labels), "%.*s", (int)(close - brace - 1), brace + 1);
				assert_true(labels_ok(s->labels));
				space = close + 1;
			} else {
				space = strchr(buf, ' ');
				assert_non_null(space);
				snprintf(s->name, sizeof(s->name), "%.*s", (int)(space - buf), buf);
				s->labels[0] = '\0';
			}
			assert_true(name_ok(s->name, strlen(s->name)));
			assert_true(*space == ' ');
			val = space + 1;
			if (!strcmp(val, "+Inf"))
				s->value = INFINITY;
			else {
				char *e;

				s->value = strtod(val, &e);
				assert_true(*val && *e == '\0');
			}
			/* the sample belongs to the current family */
			assert_true(!strncmp(s->name, family, flen));
			if (strcmp(type, "histogram") == 0)
				assert_true(!strcmp(s->name + flen, "_bucket") || !strcmp(s->name + flen, "_sum") ||
					    !strcmp(s->name + flen, "_count"));
			else
				assert_string_equal(s->name, family);
			snprintf(s->family, sizeof(s->family), "%s", family);
			snprintf(s->type, sizeof(s->type), "%s", type);
		}
		line = end + 1;
	}
}

/* The value of the sample name{labels}; fails when absent. */
static double value(const char *name, const char *labels)
{
	size_t i;

	for (i = 0; i < nsamples; i++)
		if (!strcmp(samples[i].name, name) && !strcmp(samples[i].labels, labels))
			return samples[i].value;
	fail_msg("no sample %s{%s}", name, labels);
	return -1;
}

static int has(const char *name, const char *labels)
{
	size_t i;

	for (i = 0; i < nsamples; i++)
		if (!strcmp(samples[i].name, name) && !strcmp(samples[i].labels, labels))
			return 1;
	return 0;
}

static char *render(const metrics_db *db)
{
	buf b;

	buf_init(&b, 1 << 22);
	assert_int_equal(metrics_render(&b, db), 0);
	return b.data;
}

static void test_requests_and_histograms(void **state)
{
	char *text;

	(void)state;
	metrics_reset();
	metrics_observe_request("GET", "/healthz", 200, 0.0004, 0);
	metrics_observe_request("GET", "/healthz", 200, 0.0009, 0);
	metrics_observe_request("HEAD", "/healthz", 200, 0.03, 0);       /* HEAD counts under its GET route */
	metrics_observe_request("GET", "/healthz", 299, 0.3, 0);          /* an unusual status: "other" */
	metrics_observe_request("GET", NULL, 404, 0.002, 0);              /* no route matched */
	metrics_observe_request("GET", "/healthz", 200, NAN, 0);          /* nonsense time: +Inf bucket, no crash */
	metrics_observe_request("GET", "/healthz", 503, 20.0, 0);
	text = render(NULL);
	parse(text);
	assert_true(value("muster_http_requests_total", "method=\"GET\",route=\"/healthz\",code=\"200\"") == 4);
	assert_true(value("muster_http_requests_total", "method=\"GET\",route=\"/healthz\",code=\"other\"") == 1);
	assert_true(value("muster_http_requests_total", "method=\"GET\",route=\"/healthz\",code=\"503\"") == 1);
	assert_true(value("muster_http_requests_total", "method=\"\",route=\"unmatched\",code=\"404\"") == 1);
	assert_false(has("muster_http_requests_total", "method=\"GET\",route=\"/healthz\",code=\"404\""));
	/* buckets: 0.0004 and 0.0009 <= 0.001; 0.03 <= 0.05; 0.3 <= 0.5; NaN and 20 only in +Inf */
	assert_true(value("muster_http_request_duration_seconds_bucket",
			  "method=\"GET\",route=\"/healthz\",le=\"0.001\"") == 2);
	assert_true(value("muster_http_request_duration_seconds_bucket",
			  "method=\"GET\",route=\"/healthz\",le=\"0.025\"") == 2);
	assert_true(value("muster_http_request_duration_seconds_bucket",
			  "method=\"GET\",route=\"/healthz\",le=\"0.05\"") == 3);
	assert_true(value("muster_http_request_duration_seconds_bucket",
			  "method=\"GET\",route=\"/healthz\",le=\"0.5\"") == 4);
	assert_true(value("muster_http_request_duration_seconds_bucket",
			  "method=\"GET\",route=\"/healthz\",le=\"10\"") == 4);
	assert_true(value("muster_http_request_duration_seconds_bucket",
			  "method=\"GET\",route=\"/healthz\",le=\"+Inf\"") == 6);
	assert_true(value("muster_http_request_duration_seconds_count", "method=\"GET\",route=\"/healthz\"") == 6);
	assert_true(fabs(value("muster_http_request_duration_seconds_sum", "method=\"GET\",route=\"/healthz\"") -
			 (0.0004 + 0.0009 + 0.03 + 0.3 + 20.0)) < 1e-5);
	/* routes never called are not listed */
	assert_false(has("muster_http_request_duration_seconds_count", "method=\"GET\",route=\"/readyz\""));
	free(text);
}

static void test_histogram_buckets_are_cumulative(void **state)
{
	size_t i;
	double last = -1;
	char *text;

	(void)state;
	metrics_reset();
	for (i = 0; i < 200; i++)
		metrics_observe_request("GET", "/readyz", 200, (double)i / 50.0, 0);
	text = render(NULL);
	parse(text);
	for (i = 0; i < nsamples; i++) {
		if (strcmp(samples[i].name, "muster_http_request_duration_seconds_bucket"))
			continue;
		assert_true(samples[i].value >= last);
		last = samples[i].value;
	}
	assert_true(last == 200);
	assert_true(value("muster_http_request_duration_seconds_count", "method=\"GET\",route=\"/readyz\"") == 200);
	free(text);
}

static void test_ingest_evaluator_cache_and_db(void **state)
{
	metrics_db db = {1234, 12, 7, 3, 2, 5, 1, 4, 1, 8, 3, 0};
	char *text;

	(void)state;
	metrics_reset();
	metrics_observe_request("POST", "/api/v1/scans", 201, 0.1, 1000);
	metrics_observe_request("POST", "/api/v1/scans", 200, 0.1, 500);
	metrics_observe_request("POST", "/api/v1/scans", 415, 0.1, 7);
	metrics_observe_request("POST", "/api/v1/runtime", 201, 0.1, 64);
	metrics_observe_request("GET", "/api/v1/scans", 200, 0.1, 0);      /* a read is no ingest */
	metrics_observe_evaluation(0.2, 1);
	metrics_observe_evaluation(1.5, 0);
	metrics_observe_dashboard_cache(1);
	metrics_observe_dashboard_cache(1);
	metrics_observe_dashboard_cache(0);
	text = render(&db);
	parse(text);
	assert_true(value("muster_ingest_requests_total", "kind=\"scan\",result=\"stored\"") == 1);
	assert_true(value("muster_ingest_requests_total", "kind=\"scan\",result=\"duplicate\"") == 1);
	assert_true(value("muster_ingest_requests_total", "kind=\"scan\",result=\"rejected\"") == 1);
	assert_true(value("muster_ingest_requests_total", "kind=\"runtime\",result=\"stored\"") == 1);
	assert_true(value("muster_ingest_bytes_total", "kind=\"scan\"") == 1507);
	assert_true(value("muster_ingest_bytes_total", "kind=\"runtime\"") == 64);
	assert_true(value("muster_rule_evaluations_total", "result=\"ok\"") == 1);
	assert_true(value("muster_rule_evaluations_total", "result=\"failed\"") == 1);
	assert_true(value("muster_rule_evaluation_duration_seconds_bucket", "le=\"0.25\"") == 1);
	assert_true(value("muster_rule_evaluation_duration_seconds_bucket", "le=\"2.5\"") == 2);
	assert_true(value("muster_rule_evaluation_duration_seconds_count", "") == 2);
	assert_true(value("muster_dashboard_cache_total", "result=\"hit\"") == 2);
	assert_true(value("muster_dashboard_cache_total", "result=\"miss\"") == 1);
	assert_true(value("muster_findings_stored", "") == 1234);
	assert_true(value("muster_scans_stored", "") == 12);
	assert_true(value("muster_images", "") == 7);
	assert_true(value("muster_alerts_open", "") == 3);
	assert_true(value("muster_webhook_deliveries", "status=\"pending\"") == 2);
	assert_true(value("muster_webhook_deliveries", "status=\"delivered\"") == 5);
	assert_true(value("muster_webhook_deliveries", "status=\"failed\"") == 1);
	assert_true(value("muster_web_sessions", "") == 4);
	assert_true(value("muster_db_pool_connections", "state=\"in_use\"") == 1);
	assert_true(value("muster_db_pool_connections", "state=\"size\"") == 8);
	assert_true(value("muster_db_statements_cancelled_total", "reason=\"time_limit\"") == 3);
	assert_true(value("muster_db_statements_cancelled_total", "reason=\"stopping\"") == 0);
	free(text);
	/* unknown database figures are left out, not shown as 0 */
	db.findings = -1;
	db.deliveries_pending = -1;
	db.pool_size = 0;
	text = render(&db);
	parse(text);
	assert_false(has("muster_findings_stored", ""));
	assert_false(has("muster_webhook_deliveries", "status=\"pending\""));
	assert_false(has("muster_db_pool_connections", "state=\"size\""));
	assert_false(has("muster_db_statements_cancelled_total", "reason=\"time_limit\""));
	free(text);
}

static void test_in_flight_and_writes_begun(void **state)
{
	unsigned long long w0;
	char *text;

	(void)state;
	metrics_reset();
	w0 = metrics_writes_begun();
	metrics_request_begin("GET");
	metrics_request_begin("HEAD");
	metrics_request_begin("POST");
	metrics_request_begin("DELETE");
	assert_true(metrics_writes_begun() == w0 + 2);   /* GET and HEAD cannot write */
	text = render(NULL);
	parse(text);
	assert_true(value("muster_http_requests_in_flight", "") == 4);
	free(text);
	metrics_observe_request("GET", "/healthz", 200, 0.01, 0);
	metrics_observe_request("POST", "/api/v1/scans", 201, 0.01, 10);
	text = render(NULL);
	parse(text);
	assert_true(value("muster_http_requests_in_flight", "") == 2);
	free(text);
	/* more answers than begins never wrap below zero */
	metrics_observe_request("GET", "/healthz", 200, 0.01, 0);
	metrics_observe_request("GET", "/healthz", 200, 0.01, 0);
	metrics_observe_request("GET", "/healthz", 200, 0.01, 0);
	text = render(NULL);
	parse(text);
	assert_true(value("muster_http_requests_in_flight", "") == 0);
	free(text);
}

static void test_render_ceiling(void **state)
{
	buf b;

	(void)state;
	metrics_reset();
	metrics_observe_request("GET", "/healthz", 200, 0.1, 0);
	buf_init(&b, 256);
	assert_true(metrics_render(&b, NULL) != 0);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_and_histograms),
		cmocka_unit_test(test_histogram_buckets_are_cumulative),
		cmocka_unit_test(test_ingest_evaluator_cache_and_db),
		cmocka_unit_test(test_in_flight_and_writes_begun),
		cmocka_unit_test(test_render_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
