/* test_config.c - configuration: defaults, environment, flags, refusals
 * that name the variable, and the router's pattern matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http/router.h"
#include "util/config.h"

static void test_sizes(void **state)
{
	size_t v;

	(void)state;
	assert_int_equal(config_parse_size("256M", &v), 0);
	assert_int_equal(v, 256u * 1024 * 1024);
	assert_int_equal(config_parse_size("64k", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(config_parse_size("1000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(config_parse_size("2GB", &v), 0);
	assert_int_equal(config_parse_size("", &v), -1);
	assert_int_equal(config_parse_size("-1", &v), -1);
	assert_int_equal(config_parse_size("12X", &v), -1);
	assert_int_equal(config_parse_size("99999999999999999999999", &v), -1);
	assert_int_equal(config_parse_size("9999999999999G", &v), -1);
}

static void test_env_and_flags(void **state)
{
	config c;
	char err[256];
	char *argv[] = {"--listen", "0.0.0.0:9090", "--threads=4"};

	(void)state;
	unsetenv("MUSTER_THREADS");
	setenv("MUSTER_MAX_BODY", "1M", 1);
	assert_int_equal(config_load(&c, 3, argv, err, sizeof(err)), 0);
	assert_string_equal(c.listen, "0.0.0.0:9090");
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.max_body, 1024 * 1024);
	setenv("MUSTER_THREADS", "zero", 1);
	assert_int_equal(config_load(&c, 0, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "MUSTER_THREADS"));
	unsetenv("MUSTER_THREADS");
	setenv("MUSTER_LISTEN", "nope", 1);
	assert_int_equal(config_load(&c, 0, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "MUSTER_LISTEN"));
	unsetenv("MUSTER_LISTEN");
	setenv("MUSTER_TLS_CERT", "/x.pem", 1);
	assert_int_equal(config_load(&c, 0, NULL, err, sizeof(err)), -1);
	unsetenv("MUSTER_TLS_CERT");
	unsetenv("MUSTER_MAX_BODY");
	/* the database time limits: defaults, 0 turns the limit off, negatives refused */
	assert_int_equal(config_load(&c, 0, NULL, err, sizeof(err)), 0);
	assert_int_equal(c.db_statement_ms, 300000);
	assert_int_equal(c.stop_grace_ms, 10000);
	assert_int_equal(c.poam_evaluate_minutes, 1440);
	{
		char *limits[] = {"--db-statement-ms=0", "--stop-grace-ms", "2500", "--poam-evaluate-minutes=0"};

		assert_int_equal(config_load(&c, 4, limits, err, sizeof(err)), 0);
		assert_int_equal(c.db_statement_ms, 0);
		assert_int_equal(c.stop_grace_ms, 2500);
		assert_int_equal(c.poam_evaluate_minutes, 0);
	}
	setenv("MUSTER_DB_STATEMENT_MS", "-1", 1);
	assert_int_equal(config_load(&c, 0, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "MUSTER_DB_STATEMENT_MS"));
	unsetenv("MUSTER_DB_STATEMENT_MS");
}

static void test_router_match(void **state)
{
	req r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_true(router_match("/api/v1/tokens/{id}", "/api/v1/tokens/12", &r));
	assert_string_equal(r.params[0], "12");
	assert_false(router_match("/api/v1/tokens/{id}", "/api/v1/tokens/", &r));
	assert_false(router_match("/api/v1/tokens/{id}", "/api/v1/tokens/1/x", &r));
	assert_true(router_match("/api/v1/repositories/{*repo}/hardening",
				 "/api/v1/repositories/docker.io/library/nginx/hardening", &r));
	assert_string_equal(r.params[0], "docker.io/library/nginx");
	assert_false(router_match("/api/v1/repositories/{*repo}/hardening",
				  "/api/v1/repositories/hardening", &r));
	assert_true(router_match("/healthz", "/healthz", &r));
	assert_int_equal(r.nparams, 0);
	assert_false(router_match("/healthz", "/healthzz", &r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_env_and_flags),
		cmocka_unit_test(test_router_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
