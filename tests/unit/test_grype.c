/*
 * test_grype.c - unit tests for the Grype JSON parser (ingest/grype.c):
 * every fixture under tests/fixtures/grype, the Grype edge cases under
 * tests/fixtures/edge, detection against the other formats, then
 * hand-written negative and corner cases.  Expected values were read from
 * the fixture files with python3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/grype.h"

/* The parser under test, for the shared helpers of parser_test.h. */
#define PARSER_DETECT grype_detect
#define PARSER_PARSE grype_parse
#define PARSER_FORMAT "grype"
#define PARSER_ONE_SCAN 1
#define PARSER_EMPTY_ON_ERROR 1

#include "parser_test.h"

/* ---- helpers --------------------------------------------------------- */

/* Findings whose ID or one of whose aliases is id. */
static size_t count_weakness(const ms_scan *s, const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_findings; i++)
		n += !strcmp(s->findings[i].vuln_id, id) ||
		     ms_strlist_contains(&s->findings[i].aliases, id);
	return n;
}

/* Every finding has what the model requires. */
static void check_required(const ms_scan *s)
{
	size_t i;

	for (i = 0; i < s->n_findings; i++) {
		assert_non_null(s->findings[i].vuln_id);
		assert_non_null(s->findings[i].pkg_name);
		assert_null(s->findings[i].title);
	}
}

/* ---- fixtures -------------------------------------------------------- */

static void test_analysis_model_gitea(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("grype/analysis-model_grype-report-wo-description.json", &r);
	s = &r.scans[0];
	check_required(s);
	assert_int_equal(s->n_findings, 33);
	assert_string_equal(s->image.name, "6877f5aabc34");
	assert_string_equal(s->image.config_digest,
		"sha256:6877f5aabc34414d9fadf365a8eeb74fd7918a0275c3c1821977fc356fac45e0");
	assert_string_equal(s->image.manifest_digest,
		"sha256:928df2c283e29649ede73a58d79612c0d75bda7ec0f9d8f1706d7e24149a07f4");
	assert_int_equal(s->image.repo_digests.n, 1);
	assert_string_equal(s->image.repo_digests.items[0],
		"gitea/gitea@sha256:95ad1dc17f78eef1f12807a8f28e94e416587b266aa5153f7da3eafddc037b27");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "gitea/gitea:1.20.4");
	assert_string_equal(s->image.os_family, "alpine");
	assert_string_equal(s->image.os_version, "3.18.3");
	assert_string_equal(s->image.architecture, "amd64");
	assert_null(s->image.index_digest);
	assert_string_equal(s->scanner_name, "grype");
	assert_string_equal(s->scanner_version, "0.71.0");
	assert_string_equal(s->db_version, "2023-10-18T01:27:01Z");
	assert_string_equal(s->scanned_at, "2023-10-18T13:08:28.564089666+02:00");

	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 3);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 7);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 7);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 12);
	assert_int_equal(count_severity(s, MS_SEV_UNKNOWN), 4);

	/* The KEV CVE appears once as an ID and once behind a GHSA. */
	assert_int_equal(count_weakness(s, "CVE-2023-44487"), 2);
	f = find(s, "GHSA-qppj-fm5r-hxr3", "golang.org/x/net", "v0.13.0");
	assert_int_equal(f->aliases.n, 1);
	assert_string_equal(f->aliases.items[0], "CVE-2023-44487");
	assert_string_equal(f->fixed_version, "0.17.0");
	assert_string_equal(f->pkg_type, "go-module");
	assert_string_equal(f->pkg_path, "/app/gitea/gitea");
	assert_string_equal(f->purl, "pkg:golang/golang.org/x/net@v0.13.0");
	assert_int_equal(f->severity, MS_SEV_MEDIUM);
	assert_true(f->cvss3_score == 7.5);
	assert_string_equal(f->cvss3_source, "nvd");
	assert_string_equal(f->url, "https://github.com/advisories/GHSA-qppj-fm5r-hxr3");
	f = find(s, "CVE-2023-44487", "nghttp2-libs", "1.55.1-r0");
	assert_int_equal(f->aliases.n, 0);
	assert_string_equal(f->fixed_version, "1.57.0-r0");
	assert_string_equal(f->pkg_type, "apk");
	assert_string_equal(f->pkg_path, "/lib/apk/db/installed");
	assert_int_equal(f->severity, MS_SEV_HIGH);

	/* GHSA record without a source: NVD's scores from the related CVE. */
	f = find(s, "GHSA-pg38-r834-g45j", "code.gitea.io/gitea", "(devel)");
	assert_string_equal(f->aliases.items[0], "CVE-2021-45330");
	assert_true(f->cvss3_score == 9.8);
	assert_string_equal(f->cvss3_vector,
			    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_string_equal(f->cvss3_source, "nvd");
	assert_true(f->cvss2_score == 7.5);
	assert_string_equal(f->cvss2_vector, "AV:N/AC:L/Au:N/C:P/I:P/A:P");
	assert_string_equal(f->cvss2_source, "nvd");
	assert_string_equal(f->fixed_version, "1.6.0");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);

	/* fix.state "unknown" with no versions: no fix. */
	f = find(s, "CVE-2022-3219", "gnupg", "2.4.3-r0");
	assert_null(f->fixed_version);
	assert_int_equal(f->severity, MS_SEV_LOW);
	/* No CVSS anywhere. */
	f = find(s, "CVE-2023-38546", "curl", "8.2.1-r0");
	assert_true(f->cvss3_score == 0);
	assert_null(f->cvss3_source);
	assert_int_equal(f->severity, MS_SEV_UNKNOWN);
	ms_report_free(&r);
}

static void test_keycloak_digest_input(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;
	size_t i;

	(void)state;
	parse_file("grype/anchore_keycloak-test.json", &r);
	s = &r.scans[0];
	check_required(s);
	assert_int_equal(s->n_findings, 6);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 6);
	assert_string_equal(s->image.name,
		"docker.io/keycloak/keycloak:21.0.2@sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50");
	/* repoDigests (index digest) differ from manifestDigest (platform). */
	assert_string_equal(s->image.manifest_digest,
		"sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e");
	assert_string_equal(s->image.config_digest,
		"sha256:8cf8fd2be2ded92962d52adff75ad06a4c30f69c66facbdf223364c6c9e33b8c");
	assert_int_equal(s->image.repo_digests.n, 2);
	assert_true(ms_strlist_contains(&s->image.repo_digests,
		"keycloak/keycloak@sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50"));
	/* from the pinned user input, tag dropped */
	assert_true(ms_strlist_contains(&s->image.repo_digests,
		"docker.io/keycloak/keycloak@sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50"));
	/* tags[] is empty in the report; the user input's tag is kept */
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "docker.io/keycloak/keycloak:21.0.2");
	assert_string_equal(s->image.os_family, "redhat");
	assert_string_equal(s->image.os_version, "9.1");
	assert_string_equal(s->scanner_version, "0.66.0");
	assert_string_equal(s->db_version, "2023-09-01T01:26:55Z");
	/* all fix.state wont-fix: no fixed version anywhere */
	for (i = 0; i < s->n_findings; i++)
		assert_null(s->findings[i].fixed_version);
	f = find(s, "CVE-2020-12413", "nss-util", "3.79.0-17.el9_1");
	assert_string_equal(f->pkg_type, "rpm");
	assert_string_equal(f->pkg_path, "/var/lib/rpm/rpmdb.sqlite");
	/* NVD's 5.9 beats the Red Hat record's own score */
	assert_true(f->cvss3_score == 5.9);
	assert_string_equal(f->cvss3_source, "nvd");
	assert_string_equal(f->url, "https://access.redhat.com/security/cve/CVE-2020-12413");
	ms_report_free(&r);
}

static void test_chainguard_ghsa_alias(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("grype/anchore_chainguard-ruby-test.json", &r);
	s = &r.scans[0];
	check_required(s);
	assert_int_equal(s->n_findings, 3);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 3);
	assert_string_equal(s->image.name, "cgr.dev/chainguard/ruby:latest-3.0");
	assert_string_equal(s->image.architecture, "arm64");
	assert_string_equal(s->image.os_family, "wolfi");
	assert_string_equal(s->image.os_version, "20221118");
	assert_string_equal(s->image.repo_digests.items[0],
		"cgr.dev/chainguard/ruby@sha256:3c9afb4f188827ea1062ec3b8acea32893236a0d7df31e0498df93486cff0978");
	assert_int_equal(s->image.tags.n, 1);
	assert_int_equal(count_weakness(s, "CVE-2023-28755"), 3);
	f = find(s, "GHSA-hv5j-3h9f-99c2", "uri", "0.10.1");
	assert_string_equal(f->aliases.items[0], "CVE-2023-28755");
	assert_string_equal(f->fixed_version, "0.10.2");
	assert_string_equal(f->pkg_type, "gem");
	assert_string_equal(f->pkg_path,
		"/usr/lib/ruby/gems/3.0.0/specifications/default/uri-0.10.1.gemspec");
	f = find(s, "CVE-2023-28755", "ruby-3.0", "3.0.4-r1");
	assert_string_equal(f->fixed_version, "3.0.6-r0");
	assert_string_equal(f->pkg_type, "apk");
	f = find(s, "CVE-2023-28755", "uri", "0.10.1");
	assert_null(f->fixed_version);
	ms_report_free(&r);
}

static void test_issue_9618_missing_severity(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("grype/defectdojo_issue_9618.json", &r);
	s = &r.scans[0];
	check_required(s);
	assert_int_equal(s->n_findings, 35);
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 1);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 18);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 13);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 2);
	assert_int_equal(count_severity(s, MS_SEV_UNKNOWN), 1);
	assert_string_equal(s->image.name,
		"quay.io/cloudservices/xjoin-kafka-connect-strimzi:latest");
	assert_string_equal(s->image.os_family, "redhat");
	assert_string_equal(s->image.os_version, "8.7");
	assert_string_equal(s->scanner_version, "0.96.0");
	assert_string_equal(s->db_version, "2024-02-22T01:23:26Z");
	assert_string_equal(s->scanned_at, "2024-02-22T19:46:26.372724916+01:00");
	/* the match without "severity" (nvd:cpe, empty cvss[]) */
	f = find(s, "CVE-2024-26308", "commons-compress", "1.21");
	assert_int_equal(f->severity, MS_SEV_UNKNOWN);
	assert_string_equal(f->fixed_version, "1.26.0");
	assert_string_equal(f->aliases.items[0], "GHSA-4265-ccf5-phj5");
	assert_true(f->cvss3_score == 7.5);   /* only the GHSA has one */
	assert_string_equal(f->cvss3_source, "ghsa");
	assert_string_equal(f->pkg_type, "java-archive");
	/* NVD 5.5 preferred over the Red Hat record's own 6.2 */
	f = find(s, "CVE-2023-38473", "avahi-libs", "0.7-20.el8");
	assert_true(f->cvss3_score == 5.5);
	assert_string_equal(f->cvss3_source, "nvd");
	assert_string_equal(f->fixed_version, "0:0.7-21.el8_9.1");
	ms_report_free(&r);
}

static void test_many_vulns3_old_schema(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("grype/defectdojo_many_vulns3.json", &r);
	s = &r.scans[0];
	check_required(s);
	assert_int_equal(s->n_findings, 327);
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 5);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 24);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 155);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 27);
	assert_int_equal(count_severity(s, MS_SEV_NEGLIGIBLE), 106);
	assert_int_equal(count_severity(s, MS_SEV_UNKNOWN), 10);
	assert_string_equal(s->image.name, "defectdojo/defectdojo-django:1.13.1");
	assert_int_equal(s->image.repo_digests.n, 0);   /* repoDigests absent */
	assert_string_equal(s->image.manifest_digest,
		"sha256:91bc0f1478c6d26e04da5c2a59ac20262ec2661942418e2a3e7c77245d872658");
	assert_null(s->image.architecture);
	assert_string_equal(s->image.os_family, "debian");
	assert_string_equal(s->image.os_version, "10");
	assert_string_equal(s->scanner_version, "0.7.0");
	assert_null(s->db_version);
	assert_null(s->scanned_at);
	/* cvssV2 object, url from links[] */
	f = find(s, "CVE-2019-18276", "bash", "5.0-4");
	assert_int_equal(f->severity, MS_SEV_NEGLIGIBLE);
	assert_true(f->cvss2_score == 7.2);
	assert_string_equal(f->cvss2_vector, "AV:L/AC:L/Au:N/C:C/I:C/A:C");
	assert_null(f->cvss2_source);
	assert_true(f->cvss3_score == 0);
	assert_string_equal(f->url, "https://security-tracker.debian.org/tracker/CVE-2019-18276");
	assert_string_equal(f->pkg_path, "/var/lib/dpkg/status");
	assert_string_equal(f->purl, "pkg:deb/debian/bash@5.0-4?arch=amd64");
	/* cvssV3 object */
	f = find(s, "CVE-2015-5237", "protobuf", "3.15.3");
	assert_true(f->cvss3_score == 8.8);
	assert_string_equal(f->cvss3_vector, "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H");
	assert_true(f->cvss2_score == 6.5);
	assert_string_equal(f->pkg_type, "python");
	/* fixedInVersion instead of fix{} */
	f = find(s, "CVE-2021-24031", "libzstd1", "1.3.8+dfsg-3");
	assert_string_equal(f->fixed_version, "1.3.8+dfsg-3+deb10u1");
	ms_report_free(&r);
}

static void test_epss_db_v6(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("grype/defectdojo_many_vulns_with_epss_values.json", &r);
	s = &r.scans[0];
	check_required(s);
	assert_int_equal(s->n_findings, 15);
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 1);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 10);
	assert_string_equal(s->image.name, "busybox:1.32.1");
	assert_string_equal(s->image.config_digest,
		"sha256:388056c9a6838deea3792e8f00705b35b439cf57b3c9c2634fb4e95cfc896de6");
	assert_string_equal(s->image.repo_digests.items[0],
		"busybox@sha256:ae39a6f5c07297d7ab64dbd4f82c77c874cc6a94cea29fdec309d0992574b4f7");
	/* v6 database: descriptor.db.status.built */
	assert_string_equal(s->db_version, "2025-06-19T04:12:38Z");
	assert_string_equal(s->scanner_version, "0.94.0");
	f = find(s, "CVE-2022-48174", "busybox", "1.32.1");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	assert_true(f->cvss3_score == 9.8);
	assert_string_equal(f->cvss3_source, "nvd");
	assert_string_equal(f->pkg_type, "binary");
	assert_string_equal(f->pkg_path, "/bin/[");
	ms_report_free(&r);
}

static void test_edge_no_vuln(void **state)
{
	ms_report r;
	const ms_scan *s;

	(void)state;
	parse_file("edge/defectdojo_grype_no_vuln.json", &r);
	s = &r.scans[0];
	assert_int_equal(s->n_findings, 0);
	assert_string_equal(s->image.name, "busybox:latest");
	assert_string_equal(s->image.config_digest,
		"sha256:22667f53682a2920948d19c7133ab1c9c3f745805c14125859d20cede07f11f9");
	assert_string_equal(s->image.manifest_digest,
		"sha256:6bea45f4e050ffdbb3a0f57a6c6f16318314a482f31442c4461a72a3ee2f3ee6");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "busybox:latest");
	assert_string_equal(s->image.os_family, "busybox");
	assert_string_equal(s->scanner_version, "0.7.0");
	ms_report_free(&r);
}

static void test_edge_empty_presenter(void **state)
{
	ms_report r;
	const ms_scan *s;

	(void)state;
	parse_file("edge/grype_TestEmptyJsonPresenter.json", &r);
	s = &r.scans[0];
	assert_int_equal(s->n_findings, 0);
	/* source {type: unknown, target: "unknown"}: no identity at all */
	assert_null(s->image.name);
	assert_int_equal(s->image.tags.n, 0);
	assert_null(s->image.config_digest);
	assert_string_equal(s->image.os_family, "centos");
	assert_string_equal(s->image.os_version, "8.0");
	assert_string_equal(s->scanner_name, "grype");
	assert_null(s->scanner_version);   /* "[not provided]" */
	assert_null(s->scanned_at);        /* "" */
	ms_report_free(&r);
}

/* ---- detection ------------------------------------------------------- */

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(detect_file("grype/anchore_keycloak-test.json"), 1);
	assert_int_equal(detect_file("edge/grype_TestEmptyJsonPresenter.json"), 1);
	/* the other formats */
	assert_int_equal(detect_file("sarif/grype_TestSarifPresenter_image.sarif.json"), 0);
	assert_int_equal(detect_file("sarif/trivy_alpine-310.sarif.json"), 0);
	assert_int_equal(detect_file("edge/defectdojo_sarif_no_runs.sarif"), 0);
	assert_int_equal(detect_file("cyclonedx/grype_TestCycloneDxPresenterImage.cdx.json"), 0);
	assert_int_equal(detect_file("cyclonedx/trivy_fluentd-multiple-lockfiles-short.cdx.json"), 0);
	assert_int_equal(detect_file("trivy/alpine-39.json"), 0);
	assert_int_equal(detect_file("trivy/amazon-2.schema1.json"), 0);
	assert_int_equal(detect_file("kubernetes/honeycomb_pods.json"), 0);
	/* shapes */
	assert_int_equal(grype_detect(jd_of(NULL)), 0);
	assert_int_equal(detect_text("null"), 0);
	assert_int_equal(detect_text("[]"), 0);
	assert_int_equal(detect_text("\"matches\""), 0);
	assert_int_equal(detect_text("{}"), 0);
	assert_int_equal(detect_text("{\"matches\": {}}"), 0);
	assert_int_equal(detect_text("{\"matches\": []}"), 0);
	assert_int_equal(detect_text("{\"SchemaVersion\": 2, \"ArtifactName\": \"x\","
				     " \"Results\": []}"), 0);
	assert_int_equal(detect_text("{\"matches\": [], \"descriptor\": {\"name\": \"Grype\"}}"), 1);
	assert_int_equal(detect_text("{\"matches\": [], \"source\": {}}"), 1);
}

/* ---- negative and corner cases --------------------------------------- */

static void test_not_grype(void **state)
{
	(void)state;
	expect_error("null", MS_ERR_FORMAT, "");
	expect_error("[]", MS_ERR_FORMAT, "");
	expect_error("{}", MS_ERR_FORMAT, "");
	expect_error("{\"matches\": null, \"source\": {}}", MS_ERR_FORMAT, "");
	expect_error("{\"version\": \"2.1.0\", \"runs\": []}", MS_ERR_FORMAT, "");
}

static void test_missing_fields(void **state)
{
	static const char head[] = "{\"descriptor\": {\"name\": \"grype\"}, \"matches\": [";
	char doc[1024];

	(void)state;
	snprintf(doc, sizeof(doc), "%s%s", head, "null]}");
	expect_error(doc, MS_ERR_MISSING, "matches[0]");
	snprintf(doc, sizeof(doc), "%s%s", head,
		 "{\"vulnerability\": {\"id\": \"CVE-1\"}, \"artifact\": {\"name\": \"a\"}},"
		 "{\"vulnerability\": {}, \"artifact\": {\"name\": \"a\"}}]}");
	expect_error(doc, MS_ERR_MISSING, "matches[1].vulnerability.id");
	snprintf(doc, sizeof(doc), "%s%s", head,
		 "{\"vulnerability\": {\"id\": \"\"}, \"artifact\": {\"name\": \"a\"}}]}");
	expect_error(doc, MS_ERR_MISSING, "matches[0].vulnerability.id");
	snprintf(doc, sizeof(doc), "%s%s", head,
		 "{\"vulnerability\": {\"id\": 7}, \"artifact\": {\"name\": \"a\"}}]}");
	expect_error(doc, MS_ERR_MISSING, "matches[0].vulnerability.id");
	snprintf(doc, sizeof(doc), "%s%s", head,
		 "{\"vulnerability\": {\"id\": \"CVE-1\"}, \"artifact\": {\"name\": 1}}]}");
	expect_error(doc, MS_ERR_MISSING, "matches[0].artifact.name");
	snprintf(doc, sizeof(doc), "%s%s", head,
		 "{\"vulnerability\": {\"id\": \"CVE-1\"}, \"artifact\": \"a\"}]}");
	expect_error(doc, MS_ERR_MISSING, "matches[0].artifact.name");
	snprintf(doc, sizeof(doc), "%s%s", head,
		 "{\"vulnerability\": \"CVE-1\", \"artifact\": {\"name\": \"a\"}}]}");
	expect_error(doc, MS_ERR_MISSING, "matches[0].vulnerability.id");
}

/* Optional fields of the wrong type are ignored, never fatal. */
static void test_wrong_types_tolerated(void **state)
{
	ms_report r;
	ms_error err;
	const ms_finding *f;

	(void)state;
	assert_int_equal(parse_text(
		"{\"descriptor\": {\"name\": \"grype\", \"version\": 5, \"db\": [],"
		" \"timestamp\": {}},"
		" \"source\": {\"type\": \"image\", \"target\": {\"userInput\": 1,"
		"   \"tags\": \"x\", \"repoDigests\": [1, null, \"\", \"r@sha256:aa\"],"
		"   \"imageID\": [], \"manifestDigest\": null}},"
		" \"distro\": \"alpine\","
		" \"matches\": [{\"vulnerability\": {\"id\": \"CVE-1\", \"severity\": 3,"
		"   \"urls\": {}, \"dataSource\": 5, \"cvss\": {\"version\": \"3.1\"},"
		"   \"fix\": {\"versions\": \"1.0\"}},"
		"  \"relatedVulnerabilities\": [null, {\"id\": 5}, {\"id\": \"CVE-1\"},"
		"   {\"cvss\": [{\"version\": \"3.1\", \"metrics\": {\"baseScore\": 99}},"
		"              {\"version\": \"3.1\", \"metrics\": {\"baseScore\": \"7\"}},"
		"              {\"version\": 3, \"metrics\": {\"baseScore\": 5}}]}],"
		"  \"artifact\": {\"name\": \"a\", \"version\": [], \"locations\": [1, {\"path\": 2}]}}]}",
		&r, &err), MS_OK);
	assert_int_equal(r.n_scans, 1);
	assert_null(r.scans[0].scanner_version);
	assert_null(r.scans[0].db_version);
	assert_null(r.scans[0].image.name);
	assert_null(r.scans[0].image.os_family);
	assert_int_equal(r.scans[0].image.tags.n, 0);
	assert_int_equal(r.scans[0].image.repo_digests.n, 1);
	assert_int_equal(r.scans[0].n_findings, 1);
	f = &r.scans[0].findings[0];
	assert_int_equal(f->severity, MS_SEV_UNKNOWN);
	assert_null(f->installed_version);
	assert_null(f->fixed_version);
	assert_null(f->url);
	assert_null(f->pkg_path);
	assert_int_equal(f->aliases.n, 0);   /* same ID is no alias */
	assert_true(f->cvss3_score == 0);    /* 99 out of range, "7" a string */
	ms_report_free(&r);
}

/* Two matches for the same (ID, package, version, path) make one finding
 * carrying both matches' aliases. */
static void test_duplicates_merged(void **state)
{
	ms_report r;
	ms_error err;
	const ms_finding *f;

	(void)state;
	assert_int_equal(parse_text(
		"{\"descriptor\": {\"name\": \"grype\"}, \"matches\": ["
		" {\"vulnerability\": {\"id\": \"GHSA-1\", \"severity\": \"High\"},"
		"  \"relatedVulnerabilities\": [{\"id\": \"CVE-1\"}],"
		"  \"artifact\": {\"name\": \"p\", \"version\": \"1\", \"locations\": [{\"path\": \"/a\"}]}},"
		" {\"vulnerability\": {\"id\": \"GHSA-1\", \"fix\": {\"versions\": [\"2\", \"\", \"3\"]}},"
		"  \"relatedVulnerabilities\": [{\"id\": \"CVE-2\"}],"
		"  \"artifact\": {\"name\": \"p\", \"version\": \"1\", \"locations\": [{\"path\": \"/a\"}]}},"
		" {\"vulnerability\": {\"id\": \"GHSA-1\"},"
		"  \"artifact\": {\"name\": \"p\", \"version\": \"1\", \"locations\": [{\"path\": \"/b\"}]}}]}",
		&r, &err), MS_OK);
	assert_int_equal(r.scans[0].n_findings, 2);
	f = &r.scans[0].findings[0];
	assert_string_equal(f->pkg_path, "/a");
	assert_int_equal(f->severity, MS_SEV_HIGH);
	assert_int_equal(f->aliases.n, 2);
	assert_string_equal(f->aliases.items[0], "CVE-1");
	assert_string_equal(f->aliases.items[1], "CVE-2");
	assert_string_equal(f->fixed_version, "2, 3");
	assert_string_equal(r.scans[0].findings[1].pkg_path, "/b");
	ms_report_free(&r);
}

/* Tags and digests derived from the user input; archives and directories
 * derive nothing. */
static void test_user_input_forms(void **state)
{
	ms_report r;
	ms_error err;
	const ms_image *img;

	(void)state;
	assert_int_equal(parse_text(
		"{\"descriptor\": {\"name\": \"grype\"}, \"matches\": [],"
		" \"source\": {\"type\": \"image\", \"target\": {\"userInput\":"
		" \"registry:localhost:5000/app:1.2@sha256:abc\"}}}", &r, &err), MS_OK);
	img = &r.scans[0].image;
	assert_string_equal(img->name, "registry:localhost:5000/app:1.2@sha256:abc");
	assert_int_equal(img->tags.n, 1);
	assert_string_equal(img->tags.items[0], "localhost:5000/app:1.2");
	assert_int_equal(img->repo_digests.n, 1);
	assert_string_equal(img->repo_digests.items[0], "localhost:5000/app@sha256:abc");
	ms_report_free(&r);

	assert_int_equal(parse_text(
		"{\"descriptor\": {\"name\": \"grype\"}, \"matches\": [],"
		" \"source\": {\"type\": \"image\", \"target\": {\"userInput\":"
		" \"docker-archive:/tmp/img:1.tar\"}}}", &r, &err), MS_OK);
	img = &r.scans[0].image;
	assert_string_equal(img->name, "docker-archive:/tmp/img:1.tar");
	assert_int_equal(img->tags.n, 0);
	assert_int_equal(img->repo_digests.n, 0);
	ms_report_free(&r);

	assert_int_equal(parse_text(
		"{\"descriptor\": {\"name\": \"grype\"}, \"matches\": [],"
		" \"source\": {\"type\": \"directory\", \"target\": \"/src/app\"}}",
		&r, &err), MS_OK);
	img = &r.scans[0].image;
	assert_string_equal(img->name, "/src/app");
	assert_int_equal(img->tags.n, 0);
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
	oom_walk("grype/anchore_keycloak-test.json", 16, &r);
	assert_int_equal(r.scans[0].n_findings, 6);
	ms_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analysis_model_gitea),
		cmocka_unit_test(test_keycloak_digest_input),
		cmocka_unit_test(test_chainguard_ghsa_alias),
		cmocka_unit_test(test_issue_9618_missing_severity),
		cmocka_unit_test(test_many_vulns3_old_schema),
		cmocka_unit_test(test_epss_db_v6),
		cmocka_unit_test(test_edge_no_vuln),
		cmocka_unit_test(test_edge_empty_presenter),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_not_grype),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_wrong_types_tolerated),
		cmocka_unit_test(test_duplicates_merged),
		cmocka_unit_test(test_user_input_forms),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
