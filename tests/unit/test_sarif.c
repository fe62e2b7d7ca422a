/*
 * test_sarif.c - unit tests for the SARIF parser (ingest/sarif.c): every
 * fixture under tests/fixtures/sarif, the SARIF edge case under
 * tests/fixtures/edge, detection against the other formats, then
 * hand-written producer conventions, negative and corner cases.  Expected
 * values were read from the fixture files with python3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/sarif.h"

/* The parser under test, for the shared helpers of parser_test.h. */
#define PARSER_DETECT sarif_detect
#define PARSER_PARSE sarif_parse
#define PARSER_FORMAT "sarif"
#define PARSER_ONE_SCAN 0
#define PARSER_EMPTY_ON_ERROR 1

#include "parser_test.h"

/* ---- helpers --------------------------------------------------------- */

/* A run of tool `tool` with rules `rules` and results `results`. */
#define RUN(tool, rules, results) \
	"{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": " \
	tool ", \"rules\": [" rules "]}}, \"results\": [" results "]}]}"

/* ---- fixtures -------------------------------------------------------- */

static void test_trivy_alpine310(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;
	size_t i;

	(void)state;
	parse_file("sarif/trivy_alpine-310.sarif.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	/* identity from run.properties */
	assert_string_equal(s->image.name, "testdata/fixtures/images/alpine-310.tar.gz");
	assert_string_equal(s->image.config_digest,
		"sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0],
			    "ghcr.io/aquasecurity/trivy-test-images:alpine-310");
	assert_int_equal(s->image.repo_digests.n, 0);   /* null in the report */
	assert_null(s->image.os_family);
	assert_string_equal(s->scanner_name, "trivy");
	assert_string_equal(s->scanner_version, "dev");
	assert_null(s->scanned_at);
	assert_int_equal(s->n_findings, 4);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 4);

	/* package and versions from the result message, not the rule help
	 * (which names libssl1.1 for every result of the rule) */
	f = find(s, "CVE-2019-1549", "libcrypto1.1", "1.1.1c-r0");
	assert_string_equal(f->fixed_version, "1.1.1d-r0");
	assert_null(f->pkg_path);   /* OS package: the location is the image */
	assert_null(f->pkg_type);
	assert_true(f->cvss3_score == 5.3);
	assert_string_equal(f->cvss3_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N");
	assert_string_equal(f->cvss3_source, "sarif");
	assert_true(f->cvss2_score == 5.0);
	assert_string_equal(f->cvss2_vector, "AV:N/AC:L/Au:N/C:P/I:N/A:N");
	assert_string_equal(f->url, "https://avd.aquasec.com/nvd/cve-2019-1549");
	assert_string_equal(f->title, "openssl: information disclosure in fork()");
	f = find(s, "CVE-2019-1551", "libcrypto1.1", "1.1.1c-r0");
	assert_string_equal(f->fixed_version, "1.1.1d-r2");
	f = find(s, "CVE-2019-1549", "libssl1.1", "1.1.1c-r0");
	assert_string_equal(f->fixed_version, "1.1.1d-r0");
	f = find(s, "CVE-2019-1551", "libssl1.1", "1.1.1c-r0");
	assert_string_equal(f->fixed_version, "1.1.1d-r2");
	assert_string_equal(f->title,
		"openssl: Integer overflow in RSAZ modular exponentiation on x86_64");
	for (i = 0; i < s->n_findings; i++)
		assert_int_equal(s->findings[i].aliases.n, 0);
	ms_report_free(&r);
}

static void test_grype_image(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("sarif/grype_TestSarifPresenter_image.sarif.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_string_equal(s->scanner_name, "grype");
	assert_string_equal(s->scanner_version, "0.0.0-dev");
	/* "… was found in image user-input at: …" */
	assert_string_equal(s->image.name, "user-input");
	assert_int_equal(s->n_findings, 2);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 2);

	/* rule id "CVE-1999-0001-package-1": the ID without the package */
	f = find(s, "CVE-1999-0001", "package-1", "1.1.1");
	assert_string_equal(f->fixed_version, "1.2.1, 2.1.3, 3.4.0");
	assert_string_equal(f->pkg_type, "rpm");
	assert_string_equal(f->pkg_path, "somefile-1.txt");
	assert_null(f->purl);
	/* security-severity 8.2 is a CVSS score: HIGH, although the help
	 * text says "low" */
	assert_int_equal(f->severity, MS_SEV_HIGH);
	assert_true(f->cvss3_score == 8.2);
	assert_null(f->cvss3_vector);
	assert_string_equal(f->cvss3_source, "sarif");
	assert_null(f->url);     /* "Link: CVE-1999-0001" is no URL; helpUri is
				    Grype's homepage */
	assert_null(f->title);   /* Grype's shortDescription is generated */

	f = find(s, "CVE-1999-0002", "package-2", "2.2.2");
	assert_null(f->fixed_version);   /* "Fix Version: " */
	assert_string_equal(f->pkg_type, "deb");
	assert_string_equal(f->pkg_path, "somefile-2.txt");
	assert_string_equal(f->purl, "pkg:deb/package-2@2.2.2");
	assert_true(f->cvss3_score == 8.5);
	assert_int_equal(f->severity, MS_SEV_HIGH);
	ms_report_free(&r);
}

static void test_defectdojo_cxf_grype_directory(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("sarif/defectdojo_cxf-3.4.6.sarif", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_string_equal(s->scanner_name, "grype");
	assert_string_equal(s->scanner_version, "0.34.7");
	assert_null(s->image.name);   /* a directory scan names no image */
	assert_int_equal(s->n_findings, 22);
	/* results have no "level": severity from security-severity */
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 1);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 11);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 4);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 6);

	f = find(s, "GHSA-57j2-w4cx-62h2", "jackson-databind", "2.11.4");
	assert_string_equal(f->fixed_version, "2.12.6.1");
	assert_string_equal(f->pkg_type, "java-archive");
	assert_string_equal(f->pkg_path, "lib/jackson-databind-2.11.4.jar");
	assert_string_equal(f->url, "https://github.com/advisories/GHSA-57j2-w4cx-62h2");
	assert_true(f->cvss3_score == 7.5);
	assert_int_equal(f->severity, MS_SEV_HIGH);
	/* one jar holding three packages */
	f = find(s, "CVE-2008-0732", "geronimo-javamail_1.4_provider", "1.8.4");
	assert_string_equal(f->pkg_path, "lib/geronimo-javamail_1.4_mail-1.8.4.jar");
	assert_int_equal(f->severity, MS_SEV_LOW);
	assert_true(f->cvss3_score == 2.1);
	f = find(s, "CVE-2008-0732", "geronimo-javamail_1.4_spec", "1.7.1");
	assert_string_equal(f->pkg_path, "lib/geronimo-javamail_1.4_mail-1.8.4.jar");
	f = find(s, "CVE-2019-12419", "cxf-xjc-runtime", "3.3.1");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	assert_null(f->fixed_version);
	assert_string_equal(f->url, "https://nvd.nist.gov/vuln/detail/CVE-2019-12419");
	ms_report_free(&r);
}

static void test_edge_no_runs(void **state)
{
	ms_report r;

	(void)state;
	parse_file("edge/defectdojo_sarif_no_runs.sarif", &r);
	assert_int_equal(r.n_scans, 0);
	ms_report_free(&r);
}

/* ---- detection ------------------------------------------------------- */

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(detect_file("sarif/defectdojo_cxf-3.4.6.sarif"), 1);
	assert_int_equal(detect_file("edge/defectdojo_sarif_no_runs.sarif"), 1);
	/* the other formats */
	assert_int_equal(detect_file("grype/anchore_keycloak-test.json"), 0);
	assert_int_equal(detect_file("edge/grype_TestEmptyJsonPresenter.json"), 0);
	assert_int_equal(detect_file("cyclonedx/defectdojo_issue_9277.cdx.json"), 0);
	assert_int_equal(detect_file("cyclonedx/grype_TestCycloneDxPresenterImage.cdx.json"), 0);
	assert_int_equal(detect_file("trivy/alpine-39.json"), 0);
	assert_int_equal(detect_file("kubernetes/honeycomb_pods.json"), 0);
	/* shapes */
	assert_int_equal(sarif_detect(jd_of(NULL)), 0);
	assert_int_equal(detect_text("null"), 0);
	assert_int_equal(detect_text("[]"), 0);
	assert_int_equal(detect_text("{}"), 0);
	assert_int_equal(detect_text("{\"version\": \"2.1.0\"}"), 0);
	assert_int_equal(detect_text("{\"version\": \"2.1.0\", \"runs\": {}}"), 0);
	assert_int_equal(detect_text("{\"version\": \"2.0.0\", \"runs\": []}"), 0);
	assert_int_equal(detect_text("{\"version\": 2.1, \"runs\": []}"), 0);
	assert_int_equal(detect_text("{\"runs\": []}"), 0);
	assert_int_equal(detect_text("{\"$schema\": \"https://json.schemastore.org/"
				     "sarif-2.1.0.json\", \"runs\": []}"), 1);
}

/* ---- producer conventions -------------------------------------------- */

/* Trivy's misconfiguration, secret and licence results are no findings;
 * a result may name its rule by index only. */
static void test_trivy_classes_and_rule_index(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	s = parse_ok(RUN("\"Trivy\"",
		"{\"id\": \"AVD-DS-0002\", \"properties\": {\"tags\": [\"misconfiguration\","
		" \"security\", \"HIGH\"]}},"
		"{\"id\": \"aws-access-key-id\", \"properties\": {\"tags\": [\"secret\","
		" \"security\", \"CRITICAL\"]}},"
		"{\"id\": \"CVE-2022-22965\", \"name\": \"LanguageSpecificPackageVulnerability\","
		" \"properties\": {\"tags\": [\"vulnerability\", \"security\", \"CRITICAL\"],"
		" \"security-severity\": \"9.5\"}}",
		"{\"ruleId\": \"AVD-DS-0002\", \"message\": {\"text\": \"Artifact: Dockerfile\"}},"
		"{\"ruleIndex\": 1, \"message\": {\"text\": \"Artifact: app/.env\"}},"
		"{\"ruleIndex\": 2, \"level\": \"error\", \"message\": {\"text\":"
		" \"Package: org.springframework:spring-beans\\nInstalled Version: 5.3.15\\n"
		"Vulnerability CVE-2022-22965\\nSeverity: CRITICAL\\n"
		"Fixed Version: 5.3.18, 5.2.20\\nLink: [CVE-2022-22965](https://avd.aquasec.com/nvd/cve-2022-22965)\"},"
		" \"locations\": [{\"physicalLocation\": {\"artifactLocation\":"
		" {\"uri\": \"app/lib/spring-beans-5.3.15.jar\"}}}]}"), &r);
	assert_int_equal(s->n_findings, 1);
	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-2022-22965");
	assert_string_equal(f->pkg_name, "org.springframework:spring-beans");
	assert_string_equal(f->installed_version, "5.3.15");
	assert_string_equal(f->fixed_version, "5.3.18, 5.2.20");
	/* language package: the location is the file */
	assert_string_equal(f->pkg_path, "app/lib/spring-beans-5.3.15.jar");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	/* 9.5 is Trivy's stand-in for CRITICAL, not a CVSS score */
	assert_true(f->cvss3_score == 0);
	assert_string_equal(f->url, "https://avd.aquasec.com/nvd/cve-2022-22965");
	ms_report_free(&r);
}

/* Grype's placeholder security-severity (no CVSS known) is no score;
 * older Grype called itself "Anchore Container Vulnerability Report". */
static void test_grype_placeholder_and_old_name(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	s = parse_ok(RUN("\"grype\"",
		"{\"id\": \"CVE-2-p\", \"help\": {\"text\": \"Vulnerability CVE-2\\n"
		"Severity: high\\nPackage: p\\nVersion: 1\\nFix Version: \\nType: npm\\n"
		"Location: /app/package.json\\nLink: [CVE-2](https://nvd.nist.gov/vuln/detail/CVE-2)\"},"
		" \"properties\": {\"security-severity\": \"7.0\"}}",
		"{\"ruleId\": \"CVE-2-p\", \"message\": {\"text\": \"x\"}}"), &r);
	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-2");
	assert_string_equal(f->pkg_type, "npm");
	assert_string_equal(f->pkg_path, "/app/package.json");
	assert_int_equal(f->severity, MS_SEV_HIGH);
	assert_true(f->cvss3_score == 0);
	assert_string_equal(f->url, "https://nvd.nist.gov/vuln/detail/CVE-2");
	ms_report_free(&r);

	s = parse_ok(RUN("\"Anchore Container Vulnerability Report (T0)\"",
		"{\"id\": \"ANCHOREVULN_img_CVE-3_apk_musl_1.2\", \"help\": {\"text\":"
		" \"Vulnerability CVE-3\\nSeverity: Medium\\nPackage: musl\\nVersion: 1.2\\n"
		"Fix Version: 1.2.1\\nType: apk\\nLocation: /lib/apk/db/installed\"}}",
		"{\"ruleId\": \"ANCHOREVULN_img_CVE-3_apk_musl_1.2\", \"ruleIndex\": 0,"
		" \"message\": {\"text\": \"The path /lib/apk/db/installed reports musl"
		" at version 1.2  which is a vulnerable (apk) package installed in the container\"}}"),
		&r);
	assert_string_equal(s->scanner_name, "grype");
	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-3");
	assert_string_equal(f->pkg_name, "musl");
	assert_string_equal(f->installed_version, "1.2");
	assert_string_equal(f->fixed_version, "1.2.1");
	assert_int_equal(f->severity, MS_SEV_MEDIUM);
	ms_report_free(&r);
}

/* A producer without package conventions: the artifact location stands in
 * for the package, the rule id is the ID, the level gives the severity. */
static void test_generic_producer(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	s = parse_ok("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\":"
		" {\"name\": \"Acme Scanner\", \"semanticVersion\": \"1.2.3\", \"rules\": ["
		"  {\"id\": \"ACME-1\", \"helpUri\": \"https://acme.example/ACME-1\","
		"   \"shortDescription\": {\"text\": \"Weak thing\"},"
		"   \"properties\": {\"security-severity\": \"9.1\"}},"
		"  {\"id\": \"ACME-2\", \"defaultConfiguration\": {\"level\": \"note\"}}]}},"
		" \"invocations\": [{\"startTimeUtc\": \"2024-05-01T10:00:00Z\"}],"
		" \"results\": ["
		"  {\"ruleId\": \"ACME-1\", \"level\": \"warning\", \"message\": {\"text\": \"bad\"},"
		"   \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"src/a.c\"}}}]},"
		"  {\"ruleId\": \"ACME-2\", \"message\": {\"text\": \"meh\"},"
		"   \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"src/b.c\"}}}]},"
		"  {\"ruleId\": \"ACME-3\", \"level\": \"error\","
		"   \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"src/c.c\"}}}]}"
		"]}]}", &r);
	assert_string_equal(s->scanner_name, "acme scanner");
	assert_string_equal(s->scanner_version, "1.2.3");
	assert_string_equal(s->scanned_at, "2024-05-01T10:00:00Z");
	assert_int_equal(s->n_findings, 3);
	f = find(s, "ACME-1", "src/a.c", NULL);
	assert_string_equal(f->pkg_path, "src/a.c");
	assert_null(f->installed_version);
	/* security-severity outranks the level, but is not taken as CVSS
	 * from an unknown producer */
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	assert_true(f->cvss3_score == 0);
	assert_string_equal(f->url, "https://acme.example/ACME-1");
	assert_string_equal(f->title, "Weak thing");
	f = find(s, "ACME-2", "src/b.c", NULL);
	assert_int_equal(f->severity, MS_SEV_LOW);    /* rule's default level */
	f = find(s, "ACME-3", "src/c.c", NULL);       /* rule not declared */
	assert_int_equal(f->severity, MS_SEV_HIGH);
	ms_report_free(&r);
}

/* One scan per run; duplicates within a run are merged. */
static void test_runs_and_duplicates(void **state)
{
	ms_report r;
	ms_error err;

	(void)state;
	assert_int_equal(parse_text("{\"version\": \"2.1.0\", \"runs\": ["
		"{\"tool\": {\"driver\": {\"name\": \"Trivy\"}}, \"properties\": {"
		" \"imageName\": \"alpine:3.10\", \"repoDigests\": [\"alpine@sha256:b1\"]},"
		" \"results\": ["
		"  {\"ruleId\": \"CVE-1\", \"message\": {\"text\": \"Package: a\\nInstalled Version: 1\"}},"
		"  {\"ruleId\": \"CVE-1\", \"message\": {\"text\": \"Package: a\\nInstalled Version: 1\\n"
		"Fixed Version: 2\"}},"
		"  {\"ruleId\": \"CVE-1\", \"message\": {\"text\": \"Package: a\\nInstalled Version: 3\"}}]},"
		"{\"tool\": {\"driver\": {\"name\": \"Trivy\"}}, \"results\": null},"
		"{\"tool\": {\"driver\": {\"name\": \"Trivy\"}}}]}", &r, &err), MS_OK);
	assert_int_equal(r.n_scans, 3);
	assert_string_equal(r.scans[0].image.name, "alpine:3.10");
	assert_string_equal(r.scans[0].image.repo_digests.items[0], "alpine@sha256:b1");
	assert_int_equal(r.scans[0].n_findings, 2);
	assert_string_equal(r.scans[0].findings[0].fixed_version, "2");
	assert_int_equal(r.scans[1].n_findings, 0);
	assert_null(r.scans[1].image.name);
	assert_int_equal(r.scans[2].n_findings, 0);
	ms_report_free(&r);
}

/* ---- negative and corner cases --------------------------------------- */

static void test_not_sarif(void **state)
{
	(void)state;
	expect_error("null", MS_ERR_FORMAT, "");
	expect_error("{}", MS_ERR_FORMAT, "");
	expect_error("{\"version\": \"2.1.0\", \"runs\": null}", MS_ERR_FORMAT, "");
	expect_error("{\"matches\": [], \"descriptor\": {\"name\": \"grype\"}}",
		     MS_ERR_FORMAT, "");
}

static void test_missing_fields(void **state)
{
	(void)state;
	expect_error("{\"version\": \"2.1.0\", \"runs\": [null]}", MS_ERR_MISSING, "runs[0]");
	expect_error("{\"version\": \"2.1.0\", \"runs\": [{}, {\"results\": {}}]}",
		     MS_ERR_MISSING, "runs[1].results");
	expect_error(RUN("\"x\"", "", "7"), MS_ERR_MISSING, "runs[0].results[0]");
	/* neither ruleId nor ruleIndex */
	expect_error(RUN("\"x\"", "{\"id\": \"R\"}",
			 "{\"ruleId\": \"R\", \"locations\": [{\"physicalLocation\":"
			 " {\"artifactLocation\": {\"uri\": \"f\"}}}]},"
			 "{\"message\": {\"text\": \"Package: p\"}}"),
		     MS_ERR_MISSING, "runs[0].results[1].ruleId");
	/* ruleIndex out of range, negative, or of the wrong type */
	expect_error(RUN("\"x\"", "{\"id\": \"R\"}", "{\"ruleIndex\": 1}"),
		     MS_ERR_MISSING, "runs[0].results[0].ruleId");
	expect_error(RUN("\"x\"", "{\"id\": \"R\"}", "{\"ruleIndex\": -1}"),
		     MS_ERR_MISSING, "runs[0].results[0].ruleId");
	expect_error(RUN("\"x\"", "{\"id\": \"R\"}", "{\"ruleIndex\": \"0\"}"),
		     MS_ERR_MISSING, "runs[0].results[0].ruleId");
	/* a rule without id, found by index, and no ID in the text */
	expect_error(RUN("\"x\"", "{\"name\": \"R\"}", "{\"ruleIndex\": 0}"),
		     MS_ERR_MISSING, "runs[0].results[0].ruleId");
	/* no package and no location */
	expect_error(RUN("\"x\"", "", "{\"ruleId\": \"R\", \"message\": {\"text\": \"hi\"}}"),
		     MS_ERR_MISSING, "runs[0].results[0].locations");
}

/* Odd values where optional fields go: ignored, never fatal. */
static void test_odd_values(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	s = parse_ok("{\"version\": \"2.1.0\", \"runs\": [{\"tool\": {\"driver\": {\"name\": 5,"
		" \"rules\": [7, {\"id\": 3}, {\"id\": \"R\", \"help\": {\"text\": 1},"
		" \"properties\": {\"security-severity\": \"high\", \"tags\": [1, \"nope\"],"
		" \"cvssv3_baseScore\": 11, \"cvssv2_score\": \"4.3x\"}}]}},"
		" \"properties\": {\"imageName\": [], \"repoTags\": \"x\", \"repoDigests\": [null, 1]},"
		" \"invocations\": \"x\","
		" \"results\": [{\"ruleId\": \"R\", \"level\": 1, \"message\": {\"text\":"
		" \"Package: \\nLink: javascript:alert(1)\\nVulnerability two words\\n:\\n\\n"
		"Fixed Version: , ,\"},"
		" \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"first\"}}},"
		" {\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"second\"}}}]},"
		" {\"ruleId\": \"R\", \"message\": {\"text\": \"A x vulnerability in  package: ,"
		" version  was found in image  at: \"},"
		" \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"f\"}}}]}]}]}",
		&r);
	assert_null(s->scanner_name);
	assert_null(s->image.name);
	assert_int_equal(s->image.tags.n, 0);
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_null(s->scanned_at);
	assert_int_equal(s->n_findings, 2);
	/* empty "Package:", a non-URL link, an ID with spaces, an empty fix
	 * list: all ignored; the first location stands in for the package */
	f = find(s, "R", "first", NULL);
	assert_string_equal(f->pkg_path, "first");
	assert_null(f->installed_version);
	assert_null(f->url);
	assert_null(f->fixed_version);
	assert_int_equal(f->severity, MS_SEV_UNKNOWN);
	assert_true(f->cvss3_score == 0);   /* 11 is out of range */
	assert_true(f->cvss2_score == 0);   /* "4.3x" is no number */
	/* a Grype sentence with empty parts */
	f = find(s, "R", "f", NULL);
	assert_null(f->installed_version);
	assert_null(f->pkg_type);
	assert_string_equal(f->pkg_path, "f");
	ms_report_free(&r);
}

/*
 * Every arena limit below what the report needs fails cleanly with
 * MS_ERR_NOMEM and an emptied out, whichever allocation it hits; at the
 * full size the parse succeeds.
 */
static void test_out_of_memory(void **state)
{
	ms_report r;

	(void)state;
	oom_walk("sarif/trivy_alpine-310.sarif.json", 16, &r);
	assert_int_equal(r.scans[0].n_findings, 4);
	ms_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trivy_alpine310),
		cmocka_unit_test(test_grype_image),
		cmocka_unit_test(test_defectdojo_cxf_grype_directory),
		cmocka_unit_test(test_edge_no_runs),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_trivy_classes_and_rule_index),
		cmocka_unit_test(test_grype_placeholder_and_old_name),
		cmocka_unit_test(test_generic_producer),
		cmocka_unit_test(test_runs_and_duplicates),
		cmocka_unit_test(test_not_sarif),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_odd_values),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
