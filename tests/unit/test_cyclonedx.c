/*
 * test_cyclonedx.c - unit tests for the CycloneDX parser
 * (ingest/cyclonedx.c): every fixture under tests/fixtures/cyclonedx,
 * detection against the other formats, then hand-written corner and
 * negative cases (BOM-links, nested components, purl refs, tool forms,
 * rating choice).  Expected values were read from the fixture files with
 * python3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/cyclonedx.h"

/* The parser under test, for the shared helpers of parser_test.h. */
#define PARSER_DETECT cyclonedx_detect
#define PARSER_PARSE cyclonedx_parse
#define PARSER_FORMAT "cyclonedx"
#define PARSER_ONE_SCAN 1
#define PARSER_EMPTY_ON_ERROR 1

#include "parser_test.h"

/* ---- helpers --------------------------------------------------------- */

/* A 1.6 BOM around the given components and vulnerabilities. */
#define BOM(components, vulns) \
	"{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\"," \
	" \"components\": [" components "], \"vulnerabilities\": [" vulns "]}"

/* ---- fixtures -------------------------------------------------------- */

static void test_trivy_fluentd(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("cyclonedx/trivy_fluentd-multiple-lockfiles-short.cdx.json", &r);
	s = &r.scans[0];
	assert_string_equal(s->image.name,
		"integration/testdata/fixtures/images/fluentd-multiple-lockfiles.tar.gz");
	assert_string_equal(s->image.config_digest,
		"sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933");
	assert_null(s->image.manifest_digest);
	assert_int_equal(s->image.tags.n, 0);
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_string_equal(s->image.os_family, "debian");
	assert_string_equal(s->image.os_version, "10.2");
	/* 1.5+ tools object */
	assert_string_equal(s->scanner_name, "trivy");
	assert_string_equal(s->scanner_version, "dev");
	assert_null(s->db_version);
	assert_string_equal(s->scanned_at, "2021-08-25T12:20:30+00:00");
	assert_int_equal(s->n_findings, 3);

	/* no debian rating: NVD's v3 severity, as in Trivy's JSON report */
	f = find(s, "CVE-2019-18224", "libidn2-0", "2.0.5-1");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	assert_string_equal(f->fixed_version, "2.0.5-1+deb10u1");
	assert_string_equal(f->pkg_type, "deb");
	assert_null(f->pkg_path);
	assert_string_equal(f->purl, "pkg:deb/debian/libidn2-0@2.0.5-1?distro=debian-10.2");
	assert_true(f->cvss3_score == 9.8);
	assert_string_equal(f->cvss3_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_string_equal(f->cvss3_source, "nvd");
	assert_true(f->cvss2_score == 7.5);
	assert_string_equal(f->cvss2_vector, "AV:N/AC:L/Au:N/C:P/I:P/A:P");
	assert_string_equal(f->cvss2_source, "nvd");
	assert_string_equal(f->url, "https://avd.aquasec.com/nvd/cve-2019-18224");
	assert_string_equal(f->published, "2019-10-21T17:15:00+00:00");
	assert_null(f->title);
	assert_int_equal(f->aliases.n, 0);
	/* the vulnerability source's own (debian) severity wins over NVD's */
	f = find(s, "CVE-2019-18276", "bash", "5.0-4");
	assert_int_equal(f->severity, MS_SEV_LOW);
	assert_null(f->fixed_version);   /* no recommendation */
	assert_true(f->cvss3_score == 7.8);
	assert_string_equal(f->cvss3_source, "nvd");
	/* several fixed versions; a language package with a file path */
	f = find(s, "CVE-2020-8165", "activesupport", "6.0.2.1");
	assert_int_equal(f->severity, MS_SEV_HIGH);
	assert_string_equal(f->fixed_version, "6.0.3.1, 5.2.4.3");
	assert_string_equal(f->pkg_type, "gem");
	assert_string_equal(f->pkg_path,
		"var/lib/gems/2.5.0/specifications/activesupport-6.0.2.1.gemspec");
	assert_string_equal(f->purl, "pkg:gem/activesupport@6.0.2.1");
	ms_report_free(&r);
}

static void test_grype_image(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("cyclonedx/grype_TestCycloneDxPresenterImage.cdx.json", &r);
	s = &r.scans[0];
	assert_string_equal(s->image.name, "user-input");
	/* Syft/Grype put the manifest digest in the component version */
	assert_string_equal(s->image.manifest_digest,
		"sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5");
	assert_null(s->image.config_digest);
	assert_int_equal(s->image.tags.n, 0);
	assert_string_equal(s->scanner_name, "grype");
	assert_null(s->scanner_version);   /* "[not provided]" */
	assert_string_equal(s->scanned_at, "2026-03-19T11:34:26-04:00");
	assert_int_equal(s->n_findings, 2);

	f = find(s, "CVE-1999-0001", "package-1", "1.1.1");
	assert_int_equal(f->severity, MS_SEV_LOW);
	assert_string_equal(f->pkg_type, "rpm");           /* syft:package:type */
	assert_string_equal(f->pkg_path, "/foo/bar/somefile-1.txt");
	assert_null(f->purl);
	assert_true(f->cvss3_score == 8.2);
	assert_string_equal(f->cvss3_vector, "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:H");
	assert_null(f->cvss3_source);   /* neither rating nor vulnerability names one */
	assert_int_equal(f->aliases.n, 0);   /* references repeat the ID */
	f = find(s, "CVE-1999-0002", "package-2", "2.2.2");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	assert_string_equal(f->pkg_type, "deb");
	assert_string_equal(f->purl, "pkg:deb/package-2@2.2.2");
	/* the EPSS and KEV "other" ratings are no CVSS */
	assert_true(f->cvss3_score == 8.5);
	assert_true(f->cvss2_score == 0);
	ms_report_free(&r);
}

static void test_defectdojo_issue_9277(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("cyclonedx/defectdojo_issue_9277.cdx.json", &r);
	s = &r.scans[0];
	assert_string_equal(s->image.name, "ubuntu:latest");
	assert_string_equal(s->image.config_digest,
		"sha256:174c8c134b2a94b5bb0b37d9a2b6ba0663d82d23ebf62bd51f74a2fd457333da");
	assert_int_equal(s->image.repo_digests.n, 1);
	assert_string_equal(s->image.repo_digests.items[0],
		"ubuntu@sha256:6042500cf4b44023ea1894effe7890666b0c5c7871ed83a97c36c76ae560bb9b");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "ubuntu:latest");
	assert_string_equal(s->image.architecture, "amd64");   /* pkg:oci arch */
	assert_string_equal(s->image.os_family, "ubuntu");
	assert_string_equal(s->image.os_version, "22.04");
	/* 1.4-style tools array in a 1.5 BOM */
	assert_string_equal(s->scanner_name, "trivy");
	assert_string_equal(s->scanner_version, "0.48.1");
	assert_string_equal(s->scanned_at, "2024-01-04T15:25:30+00:00");

	/* 10 vulnerabilities, 14 affected components, all distinct */
	assert_int_equal(s->n_findings, 14);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 1);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 13);
	find(s, "CVE-2016-20013", "libc-bin", "2.35-0ubuntu3.5");
	find(s, "CVE-2016-20013", "libc6", "2.35-0ubuntu3.5");
	find(s, "CVE-2022-27943", "libstdc++6", "12.3.0-1ubuntu1~22.04");
	/* the ubuntu rating says medium, NVD low-ish scores notwithstanding */
	f = find(s, "CVE-2020-22916", "liblzma5", "5.2.5-2ubuntu1");
	assert_int_equal(f->severity, MS_SEV_MEDIUM);
	assert_true(f->cvss3_score == 5.5);
	/* the epoch lives in the purl qualifier only */
	f = find(s, "CVE-2017-11164", "libpcre3", "2:8.39-13ubuntu0.22.04.1");
	assert_int_equal(f->severity, MS_SEV_LOW);
	assert_true(f->cvss3_score == 7.5);
	assert_string_equal(f->cvss3_source, "nvd");
	f = find(s, "CVE-2023-29383", "passwd", "1:4.8.1-2ubuntu2.1");
	assert_string_equal(f->pkg_type, "deb");
	/* affects a ref that is no component: read from the purl */
	f = find(s, "TEMP-0290435-0B57B5", "tar", "1.30+dfsg-6");
	assert_string_equal(f->pkg_type, "deb");
	assert_string_equal(f->purl,
		"pkg:deb/debian/tar@1.30%2Bdfsg-6?arch=amd64&distro=debian-10.12");
	assert_int_equal(f->severity, MS_SEV_LOW);
	assert_true(f->cvss3_score == 0);
	assert_string_equal(f->url,
		"https://security-tracker.debian.org/tracker/TEMP-0290435-0B57B5");
	/* CVSSv2 rating with severity "info" */
	f = find(s, "CVE-2016-2781", "coreutils", "8.32-4.1ubuntu1");
	assert_true(f->cvss2_score == 2.1);
	assert_true(f->cvss3_score == 6.5);
	assert_int_equal(f->severity, MS_SEV_LOW);
	ms_report_free(&r);
}

/* ---- detection ------------------------------------------------------- */

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(detect_file("cyclonedx/defectdojo_issue_9277.cdx.json"), 1);
	/* the other formats */
	assert_int_equal(detect_file("grype/defectdojo_many_vulns3.json"), 0);
	assert_int_equal(detect_file("edge/defectdojo_grype_no_vuln.json"), 0);
	assert_int_equal(detect_file("sarif/defectdojo_cxf-3.4.6.sarif"), 0);
	assert_int_equal(detect_file("edge/defectdojo_sarif_no_runs.sarif"), 0);
	assert_int_equal(detect_file("trivy/alpine-39.json"), 0);
	assert_int_equal(detect_file("kubernetes/honeycomb_pods.json"), 0);
	/* shapes */
	assert_int_equal(cyclonedx_detect(jd_of(NULL)), 0);
	assert_int_equal(detect_text("null"), 0);
	assert_int_equal(detect_text("[]"), 0);
	assert_int_equal(detect_text("{}"), 0);
	assert_int_equal(detect_text("{\"bomFormat\": \"cyclonedx\"}"), 0);
	assert_int_equal(detect_text("{\"bomFormat\": [\"CycloneDX\"]}"), 0);
	assert_int_equal(detect_text("{\"spdxVersion\": \"SPDX-2.3\"}"), 0);
	assert_int_equal(detect_text("{\"bomFormat\": \"CycloneDX\"}"), 1);
}

/* ---- corner cases ---------------------------------------------------- */

/* A BOM without vulnerabilities is a report with zero findings. */
static void test_sbom_only(void **state)
{
	ms_report r;
	const ms_scan *s;

	(void)state;
	s = parse_ok("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.4\","
		     " \"metadata\": {\"component\": {\"type\": \"container\","
		     " \"name\": \"nginx:1.25@sha256:aa\", \"version\": \"1.25\"}},"
		     " \"components\": [{\"bom-ref\": \"a\", \"name\": \"a\"}]}", &r);
	assert_int_equal(s->n_findings, 0);
	assert_string_equal(s->image.name, "nginx:1.25@sha256:aa");
	assert_null(s->image.manifest_digest);   /* "1.25" is no digest */
	assert_string_equal(s->image.tags.items[0], "nginx:1.25");
	assert_string_equal(s->image.repo_digests.items[0], "nginx@sha256:aa");
	ms_report_free(&r);

	s = parse_ok("{\"bomFormat\": \"CycloneDX\", \"vulnerabilities\": null}", &r);
	assert_int_equal(s->n_findings, 0);
	assert_null(s->image.name);
	assert_null(s->scanner_name);
	ms_report_free(&r);
}

/* Refs through BOM-links, nested components, purls and unknown refs. */
static void test_ref_resolution(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	s = parse_ok(BOM(
		"{\"bom-ref\": \"app\", \"name\": \"app\", \"components\": ["
		"  {\"bom-ref\": \"inner\", \"name\": \"lodash\", \"version\": \"4.17.20\","
		"   \"purl\": \"pkg:npm/lodash@4.17.20\", \"properties\": [{\"name\":"
		"   \"aquasecurity:trivy:FilePath\", \"value\": \"app/package-lock.json\"}]}]},"
		"{\"bom-ref\": \"noname\", \"purl\": \"pkg:rpm/redhat/openssl-libs@1.1.1k-7.el8?epoch=1\"},"
		"{\"bom-ref\": \"bare\", \"name\": \"zlib\", \"version\": \"1.2\"}",
		"{\"id\": \"CVE-1\", \"affects\": ["
		" {\"ref\": \"urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#inner\"},"
		" {\"ref\": \"noname\"},"
		" {\"ref\": \"pkg:golang/github.com/x/net@v0.1.0\"},"
		" {\"ref\": \"mystery\"},"
		" {\"ref\": \"bare\", \"versions\": [{\"version\": \"1.3\", \"status\": \"unaffected\"},"
		"   {\"range\": \"vers:generic/>=1.4\", \"status\": \"unaffected\"},"
		"   {\"version\": \"1.2\", \"status\": \"affected\"},"
		"   {\"version\": \"1.3.1\", \"status\": \"unaffected\"}]},"
		" {\"ref\": \"inner\"}]}"), &r);
	/* the BOM-link and the plain ref name the same component: one finding */
	assert_int_equal(s->n_findings, 5);
	f = find(s, "CVE-1", "lodash", "4.17.20");
	assert_string_equal(f->pkg_type, "npm");
	assert_string_equal(f->pkg_path, "app/package-lock.json");
	f = find(s, "CVE-1", "openssl-libs", "1:1.1.1k-7.el8");
	assert_string_equal(f->pkg_type, "rpm");
	f = find(s, "CVE-1", "net", "v0.1.0");
	assert_string_equal(f->pkg_type, "golang");
	assert_string_equal(f->purl, "pkg:golang/github.com/x/net@v0.1.0");
	f = find(s, "CVE-1", "mystery", NULL);
	assert_null(f->installed_version);
	assert_null(f->pkg_type);
	f = find(s, "CVE-1", "zlib", "1.2");
	assert_string_equal(f->fixed_version, "1.3, 1.3.1");
	ms_report_free(&r);
}

/* Trivy-style recommendations, aliases, tools object with services,
 * rating choice. */
static void test_vulnerability_fields(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	s = parse_ok("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\","
		" \"metadata\": {\"tools\": {\"services\": [{\"name\": \"Snyk\", \"version\": \"1\"}]},"
		"  \"component\": {\"type\": \"container\", \"name\": \"app\","
		"   \"purl\": \"pkg:oci/app@sha256%3Abb?repository_url=ghcr.io%2Facme%2Fapp&arch=arm64\"}},"
		" \"components\": [{\"bom-ref\": \"a\", \"name\": \"a\", \"version\": \"1\"},"
		"  {\"bom-ref\": \"b\", \"name\": \"b\", \"version\": \"1\"},"
		"  {\"bom-ref\": \"c\", \"name\": \"c\", \"version\": \"1\"}],"
		" \"vulnerabilities\": ["
		"  {\"id\": \"GHSA-x\", \"source\": {\"name\": \"ghsa\", \"url\": \"https://github.com/advisories\"},"
		"   \"references\": [{\"id\": \"CVE-9\"}, {\"id\": \"GHSA-x\"}, {\"id\": 4}],"
		"   \"ratings\": [{\"source\": {\"name\": \"redhat\"}, \"severity\": \"critical\","
		"     \"method\": \"CVSSv31\", \"score\": 9.1},"
		"    {\"source\": {\"name\": \"ghsa\"}, \"severity\": \"low\"},"
		"    {\"source\": {\"name\": \"ghsa\"}, \"severity\": \"moderate\", \"method\": \"CVSSv31\","
		"     \"score\": 5.3, \"vector\": \"CVSS:3.1/AV:N\"},"
		"    {\"source\": {\"name\": \"nvd\"}, \"method\": \"CVSSv4\", \"score\": 9.9}],"
		"   \"recommendation\": \"Upgrade a to version 2; Upgrade b to version 3, 4\","
		"   \"affects\": [{\"ref\": \"a\"}, {\"ref\": \"b\"}, {\"ref\": \"c\"}]},"
		"  {\"id\": \"CVE-8\", \"ratings\": [{\"severity\": \"none\"}],"
		"   \"recommendation\": \"Upgrade something-else to version 7\","
		"   \"affects\": [{\"ref\": \"a\"}]}]}", &r);
	assert_string_equal(s->scanner_name, "snyk");
	assert_string_equal(s->image.name, "app");
	assert_string_equal(s->image.architecture, "arm64");
	assert_string_equal(s->image.repo_digests.items[0], "ghcr.io/acme/app@sha256:bb");
	assert_int_equal(s->n_findings, 4);
	f = find(s, "GHSA-x", "a", "1");
	assert_string_equal(f->fixed_version, "2");
	assert_int_equal(f->aliases.n, 1);
	assert_string_equal(f->aliases.items[0], "CVE-9");
	/* own source's rating (ghsa), its CVSS v3 one (moderate) first,
	 * rather than Red Hat's */
	assert_int_equal(f->severity, MS_SEV_MEDIUM);
	assert_true(f->cvss3_score == 5.3);
	assert_string_equal(f->cvss3_source, "ghsa");
	assert_string_equal(f->cvss3_vector, "CVSS:3.1/AV:N");
	assert_string_equal(f->url, "https://github.com/advisories");
	f = find(s, "GHSA-x", "b", "1");
	assert_string_equal(f->fixed_version, "3, 4");
	f = find(s, "GHSA-x", "c", "1");
	assert_null(f->fixed_version);   /* no clause names c */
	/* a lone clause for a lone affected component applies to it */
	f = find(s, "CVE-8", "a", "1");
	assert_string_equal(f->fixed_version, "7");
	assert_int_equal(f->severity, MS_SEV_NEGLIGIBLE);
	ms_report_free(&r);
}

/* Odd values where optional fields go: ignored, never fatal. */
static void test_odd_values(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	s = parse_ok("{\"bomFormat\": \"CycloneDX\", \"specVersion\": 1.6,"
		" \"metadata\": {\"timestamp\": 5, \"tools\": [7, {\"name\": 3}],"
		"  \"component\": {\"name\": [], \"version\": 1, \"properties\": {},"
		"   \"purl\": \"pkg:oci\"}},"
		" \"components\": {\"bom-ref\": \"x\"},"
		" \"vulnerabilities\": [{\"id\": \"CVE-1\", \"ratings\": {}, \"references\": \"x\","
		"  \"advisories\": [{\"url\": 5}], \"recommendation\": 4, \"published\": [],"
		"  \"affects\": [{\"ref\": \"pkg:%zz/%4/@%\"}, {\"ref\": \"pkg:/x\"},"
		"   {\"ref\": \"p\", \"versions\": \"1\"}]}]}", &r);
	assert_null(s->image.name);
	assert_null(s->scanner_name);
	assert_null(s->scanned_at);
	assert_int_equal(s->n_findings, 3);
	f = find(s, "CVE-1", "pkg:/x", NULL);   /* not a purl: the ref itself */
	assert_null(f->pkg_type);
	f = find(s, "CVE-1", "p", NULL);
	assert_null(f->fixed_version);
	assert_int_equal(f->severity, MS_SEV_UNKNOWN);
	assert_null(f->url);
	assert_null(f->published);
	ms_report_free(&r);
}

/* ---- negative cases -------------------------------------------------- */

static void test_errors(void **state)
{
	(void)state;
	expect_error("null", MS_ERR_FORMAT, "");
	expect_error("{}", MS_ERR_FORMAT, "");
	expect_error("{\"version\": \"2.1.0\", \"runs\": []}", MS_ERR_FORMAT, "");
	expect_error("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.3\"}",
		     MS_ERR_FORMAT, "specVersion");
	expect_error("{\"bomFormat\": \"CycloneDX\", \"vulnerabilities\": {}}",
		     MS_ERR_MISSING, "vulnerabilities");
	expect_error(BOM("", "{\"id\": \"CVE-1\"}, {\"ratings\": []}"),
		     MS_ERR_MISSING, "vulnerabilities[1].id");
	expect_error(BOM("", "{\"id\": \"\"}"), MS_ERR_MISSING, "vulnerabilities[0].id");
	expect_error(BOM("", "\"CVE-1\""), MS_ERR_MISSING, "vulnerabilities[0].id");
	expect_error(BOM("", "{\"id\": \"CVE-1\", \"affects\": [{\"ref\": \"a\"}, {}]}"),
		     MS_ERR_MISSING, "vulnerabilities[0].affects[1].ref");
	expect_error(BOM("", "{\"id\": \"CVE-1\", \"affects\": [null]}"),
		     MS_ERR_MISSING, "vulnerabilities[0].affects[0].ref");
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
	oom_walk("cyclonedx/trivy_fluentd-multiple-lockfiles-short.cdx.json",
		 16, &r);
	assert_int_equal(r.scans[0].n_findings, 3);
	ms_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trivy_fluentd),
		cmocka_unit_test(test_grype_image),
		cmocka_unit_test(test_defectdojo_issue_9277),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_sbom_only),
		cmocka_unit_test(test_ref_resolution),
		cmocka_unit_test(test_vulnerability_fields),
		cmocka_unit_test(test_odd_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
