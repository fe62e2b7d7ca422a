/*
 * parser_test.h - test helpers shared by the scan-report parser tests
 * (test_trivy.c, test_grype.c, test_sarif.c, test_cyclonedx.c): loading
 * fixtures, detecting and parsing files and inline JSON, expecting errors,
 * looking findings up, counting severities and the out-of-memory walk.
 *
 * Header-only, for one test program at a time.  Before including it, a test
 * includes its parser's header and defines:
 *   PARSER_DETECT          the detect function, e.g. trivy_detect;
 *   PARSER_PARSE           the parse function, e.g. trivy_parse;
 *   PARSER_FORMAT          the format name the parser sets, e.g. "trivy";
 *   PARSER_ONE_SCAN        1 when every report holds exactly one scan (so
 *                          parse_file() checks it), else 0;
 *   PARSER_EMPTY_ON_ERROR  1 when a failed parse leaves out empty (no
 *                          scans, no format), else 0;
 * and the build defines FIXTURES_DIR.  Every helper is `static inline`, so
 * a test that leaves one unused gets no warning.
 */
#ifndef MUSTER_PARSER_TEST_H
#define MUSTER_PARSER_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "jd_test.h"

#include "ingest/scan_model.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must be defined"
#endif
#if !defined(PARSER_DETECT) || !defined(PARSER_PARSE) || \
	!defined(PARSER_FORMAT) || !defined(PARSER_ONE_SCAN) || \
	!defined(PARSER_EMPTY_ON_ERROR)
#error "define the parser under test (PARSER_*) before parser_test.h"
#endif

/*
 * Load the fixture at rel (relative to FIXTURES_DIR) as a jansson tree, any
 * JSON value at the top; the test fails when it cannot be read.  The
 * caller releases it with json_decref().
 */
static inline json_t *load(const char *rel)
{
	char path[512];
	json_error_t e;
	json_t *root;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		fail_msg("fixture path too long: %s", rel);
	root = json_load_file(path, JSON_DECODE_ANY, &e);
	if (!root)
		fail_msg("cannot load %s: %s", path, e.text);
	return root;
}

/*
 * Parse a fixture that must be detected and parsed without error into r
 * (set up here; the caller frees it with ms_report_free()).  Checks the
 * format name and, for a one-scan format, that there is exactly one scan.
 */
static inline void parse_file(const char *rel, ms_report *r)
{
	json_t *root = load(rel);
	ms_error err;

	memset(&err, 0, sizeof(err));
	ms_report_init(r);
	assert_int_equal(PARSER_DETECT(jd_of(root)), 1);
	if (PARSER_PARSE(r, jd_of(root), &err) != MS_OK)
		fail_msg("%s: %s at %s", rel, err.message, err.field);
	assert_string_equal(r->format, PARSER_FORMAT);
#if PARSER_ONE_SCAN
	assert_int_equal(r->n_scans, 1);
#endif
	json_decref(root);
}

/*
 * Parse inline JSON text into r (set up here; the caller frees it) and
 * return the parser's code; the error, if any, goes to *err.  Text that is
 * not JSON fails the test: it is a mistake in the test itself.
 */
static inline ms_err parse_text(const char *text, ms_report *r, ms_error *err)
{
	json_error_t je;
	json_t *root = json_loads(text, JSON_DECODE_ANY, &je);
	ms_err rc;

	if (!root)
		fail_msg("bad test JSON: %s", je.text);
	memset(err, 0, sizeof(*err));
	ms_report_init(r);
	rc = PARSER_PARSE(r, jd_of(root), err);
	json_decref(root);
	return rc;
}

/*
 * Parse inline JSON that must succeed with exactly one scan, and return
 * that scan (it lives in r, which the caller frees).
 */
static inline const ms_scan *parse_ok(const char *text, ms_report *r)
{
	ms_error err;

	if (parse_text(text, r, &err) != MS_OK)
		fail_msg("%s at %s", err.message, err.field);
	assert_int_equal(r->n_scans, 1);
	return &r->scans[0];
}

/*
 * Expect inline JSON to fail with code, err.field equal to field and some
 * message; for a parser that empties out on failure, also that out came
 * back with no scans and no format.
 */
static inline void expect_error(const char *text, ms_err code,
				const char *field)
{
	ms_report r;
	ms_error err;

	assert_int_equal(parse_text(text, &r, &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.field, field);
	assert_true(err.message[0] != '\0');
#if PARSER_EMPTY_ON_ERROR
	assert_int_equal(r.n_scans, 0);
	assert_null(r.format);
#endif
	ms_report_free(&r);
}

/* What the parser's detect function says of the fixture at rel (1 or 0). */
static inline int detect_file(const char *rel)
{
	json_t *root = load(rel);
	int d = PARSER_DETECT(jd_of(root));

	json_decref(root);
	return d;
}

/*
 * What the parser's detect function says of inline JSON text (1 or 0);
 * the text must be valid JSON.
 */
static inline int detect_text(const char *text)
{
	json_t *root = json_loads(text, JSON_DECODE_ANY, NULL);
	int d;

	assert_non_null(root);
	d = PARSER_DETECT(jd_of(root));
	json_decref(root);
	return d;
}

/*
 * The first finding of s with vulnerability ID id, package pkg and, unless
 * version is NULL, that installed version; the test fails when there is
 * none.
 */
static inline const ms_finding *find(const ms_scan *s, const char *id,
				     const char *pkg, const char *version)
{
	size_t i;

	for (i = 0; i < s->n_findings; i++)
		if (!strcmp(s->findings[i].vuln_id, id) &&
		    !strcmp(s->findings[i].pkg_name, pkg) &&
		    (!version || (s->findings[i].installed_version &&
				  !strcmp(s->findings[i].installed_version, version))))
			return &s->findings[i];
	fail_msg("no finding %s %s %s", id, pkg, version ? version : "");
	return NULL;
}

/* How many findings of s have severity sev. */
static inline size_t count_severity(const ms_scan *s, ms_severity sev)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_findings; i++)
		n += s->findings[i].severity == sev;
	return n;
}

/*
 * Out-of-memory walk over the fixture at rel: parse it once to learn the
 * arena size a full parse needs, then under every limit from first up to
 * that size in steps of 16, each of which must fail with MS_ERR_NOMEM
 * (and, for a parser that empties out on failure, leave no scans).  Last,
 * parse at exactly the full size, which must succeed, into r: the caller
 * checks that result and frees it.
 */
static inline void oom_walk(const char *rel, size_t first, ms_report *r)
{
	json_t *root = load(rel);
	ms_error err;
	size_t need, limit;

	ms_report_init(r);
	assert_int_equal(PARSER_PARSE(r, jd_of(root), NULL), MS_OK);
	need = r->mem.total;
	ms_report_free(r);
	for (limit = first; limit < need; limit += 16) {
		ms_report_init(r);
		r->mem.limit = limit;
		memset(&err, 0, sizeof(err));
		assert_int_equal(PARSER_PARSE(r, jd_of(root), &err), MS_ERR_NOMEM);
		assert_int_equal(err.code, MS_ERR_NOMEM);
#if PARSER_EMPTY_ON_ERROR
		assert_int_equal(r->n_scans, 0);
#endif
		ms_report_free(r);
	}
	ms_report_init(r);
	r->mem.limit = need;
	assert_int_equal(PARSER_PARSE(r, jd_of(root), NULL), MS_OK);
	json_decref(root);
}

#endif
