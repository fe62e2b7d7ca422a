/*
 * test_trivy.c - unit tests for the Trivy report parser (ingest/trivy.c):
 * every Trivy fixture under tests/fixtures/trivy and the Trivy edge cases
 * under tests/fixtures/edge, then hand-written negative and corner cases.
 * Expected values were read from the fixture files with python3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/trivy.h"

/* The parser under test, for the shared helpers of parser_test.h. */
#define PARSER_DETECT trivy_detect
#define PARSER_PARSE trivy_parse
#define PARSER_FORMAT "trivy"
#define PARSER_ONE_SCAN 0
#define PARSER_EMPTY_ON_ERROR 0

#include "parser_test.h"

/* ---- helpers --------------------------------------------------------- */

static size_t count_fixed(const ms_scan *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_findings; i++)
		n += s->findings[i].fixed_version != NULL;
	return n;
}

static size_t count_id(const ms_scan *s, const char *id, const char *pkg)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_findings; i++)
		n += !strcmp(s->findings[i].vuln_id, id) &&
		     !strcmp(s->findings[i].pkg_name, pkg);
	return n;
}

/* Every finding has the required fields. */
static void check_required(const ms_scan *s)
{
	size_t i;

	for (i = 0; i < s->n_findings; i++) {
		assert_non_null(s->findings[i].vuln_id);
		assert_non_null(s->findings[i].pkg_name);
	}
}

#define ALPINE310_DIGEST \
	"alpine@sha256:b1c5a500182b21d0bfa5a584a8526b56d8be316f89e87d951be04abed2446e60"

/* ---- form 1: image reports ------------------------------------------- */

static void test_alpine_310_registry(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/alpine-310-registry.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	check_required(s);
	assert_string_equal(s->image.name, "alpine:3.10");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "alpine:3.10");
	assert_int_equal(s->image.repo_digests.n, 1);
	assert_string_equal(s->image.repo_digests.items[0], ALPINE310_DIGEST);
	assert_string_equal(s->image.config_digest,
		"sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4");
	assert_null(s->image.manifest_digest);
	assert_string_equal(s->image.os_family, "alpine");
	assert_string_equal(s->image.os_version, "3.10.2");
	assert_string_equal(s->image.architecture, "amd64");
	assert_string_equal(s->scanner_name, "trivy");
	assert_null(s->scanner_version);       /* no Trivy.Version here */
	assert_null(s->db_version);
	assert_string_equal(s->scanned_at, "2021-08-25T12:20:30.000000005Z");
	assert_int_equal(s->n_findings, 4);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 4);

	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-2019-1549");
	assert_string_equal(f->pkg_name, "libcrypto1.1");
	assert_string_equal(f->pkg_type, "apk");
	assert_string_equal(f->installed_version, "1.1.1c-r0");
	assert_string_equal(f->fixed_version, "1.1.1d-r0");
	assert_null(f->pkg_path);
	assert_string_equal(f->purl,
		"pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2");
	assert_int_equal(f->severity, MS_SEV_MEDIUM);
	assert_float_equal(f->cvss3_score, 5.3, 1e-9);
	assert_string_equal(f->cvss3_vector,
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N");
	assert_string_equal(f->cvss3_source, "nvd");
	assert_float_equal(f->cvss2_score, 5.0, 1e-9);
	assert_string_equal(f->cvss2_source, "nvd");
	assert_string_equal(f->url, "https://avd.aquasec.com/nvd/cve-2019-1549");
	assert_string_equal(f->published, "2019-09-10T17:15:00Z");
	assert_non_null(f->title);
	assert_int_equal(f->aliases.n, 0);

	f = find(s, "CVE-2019-1551", "libssl1.1", NULL);
	assert_string_equal(f->fixed_version, "1.1.1d-r2");
	ms_report_free(&r);
}

static void test_alpine_39(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/alpine-39.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	check_required(s);
	/* a tarball: the name is kept, but it is no tag */
	assert_string_equal(s->image.name,
			    "testdata/fixtures/images/alpine-39.tar.gz");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0],
			    "ghcr.io/aquasecurity/trivy-test-images:alpine-39");
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_string_equal(s->image.config_digest,
		"sha256:055936d3920576da37aa9bc460d70c5f212028bda1c08c0879aedf03d7a66ea1");
	assert_string_equal(s->image.os_family, "alpine");
	assert_string_equal(s->image.os_version, "3.9.4");
	assert_string_equal(s->scanner_version, "dev");
	assert_int_equal(s->n_findings, 6);
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 2);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 4);
	assert_int_equal(count_fixed(s), 6);
	f = find(s, "CVE-2019-14697", "musl-utils", "1.1.20-r4");
	assert_string_equal(f->fixed_version, "1.1.20-r5");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	assert_float_equal(f->cvss3_score, 9.8, 1e-9);
	assert_float_equal(f->cvss2_score, 7.5, 1e-9);
	ms_report_free(&r);
}

static void test_debian_stretch_early_schema2(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/debian-stretch.2021-10.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	check_required(s);
	assert_string_equal(s->image.name,
			    "testdata/fixtures/images/debian-stretch.tar.gz");
	assert_int_equal(s->image.tags.n, 0);
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_string_equal(s->image.config_digest,
		"sha256:f26939cc87ef44a6fc554eedd0a976ab30b5bc2769d65d2e986b6c5f1fd4053d");
	assert_string_equal(s->image.os_family, "debian");
	assert_string_equal(s->image.os_version, "9.9");
	assert_null(s->scanned_at);            /* early schema 2: no CreatedAt */
	assert_null(s->scanner_version);
	assert_int_equal(s->n_findings, 160);
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 12);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 24);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 20);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 104);
	assert_int_equal(count_fixed(s), 4);
	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-2011-3374");
	assert_string_equal(f->pkg_name, "apt");
	assert_string_equal(f->pkg_type, "deb");
	assert_string_equal(f->installed_version, "1.4.9");
	assert_null(f->fixed_version);
	/* SeveritySource "debian" has no CVSS entry: nvd, v2 only */
	assert_float_equal(f->cvss3_score, 0, 1e-9);
	assert_null(f->cvss3_source);
	assert_float_equal(f->cvss2_score, 4.3, 1e-9);
	assert_string_equal(f->cvss2_source, "nvd");
	f = find(s, "CVE-2019-5094", "e2fsprogs", NULL);
	assert_string_equal(f->fixed_version, "1.43.4-2+deb9u1");
	f = &s->findings[159];
	assert_string_equal(f->vuln_id, "CVE-2016-2779");
	assert_string_equal(f->pkg_name, "util-linux");
	assert_int_equal(f->severity, MS_SEV_HIGH);
	ms_report_free(&r);
}

static void test_ubi7_os_and_python(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/ubi-7-comprehensive.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_string_equal(s->image.os_family, "redhat");
	assert_string_equal(s->image.os_version, "7.7");
	assert_string_equal(s->image.tags.items[0],
			    "ghcr.io/aquasecurity/trivy-test-images:ubi-7");
	assert_string_equal(s->image.config_digest,
		"sha256:6fecccc91c83e11ae4fede6793e9410841221d4779520c2b9e9fb7f7b3830264");
	assert_int_equal(s->n_findings, 2);
	f = find(s, "CVE-2019-18276", "bash", "4.2.46-33.el7");
	assert_string_equal(f->pkg_type, "rpm");
	assert_null(f->fixed_version);          /* will_not_fix */
	assert_int_equal(f->severity, MS_SEV_LOW);
	/* NVD is preferred over the SeveritySource "redhat" (RULES.md 4) */
	assert_string_equal(f->cvss3_source, "nvd");
	assert_float_equal(f->cvss3_score, 7.8, 1e-9);
	assert_float_equal(f->cvss2_score, 7.2, 1e-9);
	f = find(s, "CVE-2022-40897", "setuptools", "0.9.8");
	assert_string_equal(f->pkg_type, "python-pkg");
	assert_string_equal(f->fixed_version, "65.5.1");
	assert_string_equal(f->pkg_path,
		"usr/lib/python2.7/site-packages/setuptools-0.9.8-py2.7.egg-info/PKG-INFO");
	assert_string_equal(f->purl, "pkg:pypi/setuptools@0.9.8");
	assert_int_equal(f->severity, MS_SEV_HIGH);
	ms_report_free(&r);
}

static void test_fluentd_gems_vendor_ids(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/fluentd-gems.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_string_equal(s->image.os_family, "debian");
	assert_string_equal(s->image.os_version, "10.2");
	assert_string_equal(s->image.tags.items[0],
		"ghcr.io/aquasecurity/trivy-test-images:fluentd-multiple-lockfiles");
	assert_int_equal(s->n_findings, 2);
	f = find(s, "CVE-2019-18224", "libidn2-0", "2.0.5-1");
	assert_int_equal(f->aliases.n, 1);
	assert_string_equal(f->aliases.items[0], "DSA-4613-1");
	assert_string_equal(f->fixed_version, "2.0.5-1+deb10u1");
	assert_string_equal(f->purl,
		"pkg:deb/debian/libidn2-0@2.0.5-1?arch=amd64&distro=debian-10.2");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	f = find(s, "CVE-2020-8165", "activesupport", "6.0.2.1");
	assert_string_equal(f->pkg_type, "gemspec");
	assert_string_equal(f->fixed_version, "6.0.3.1, 5.2.4.3");
	assert_string_equal(f->pkg_path,
		"var/lib/gems/2.5.0/specifications/activesupport-6.0.2.1.gemspec");
	/* SeveritySource ghsa has no CVSS entry: nvd */
	assert_string_equal(f->cvss3_source, "nvd");
	assert_float_equal(f->cvss3_score, 9.8, 1e-9);
	assert_int_equal(f->aliases.n, 0);
	ms_report_free(&r);
}

static void test_spring4shell(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/spring4shell-jre11.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_string_equal(s->image.os_family, "debian");
	assert_string_equal(s->image.os_version, "11.3");
	assert_string_equal(s->image.config_digest,
		"sha256:ed8f0747d483b60657982f0ef1ba74482aed08795cf0eb774b00bc53022a8351");
	assert_int_equal(s->n_findings, 1);
	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-2022-22965");
	assert_string_equal(f->pkg_name, "org.springframework:spring-beans");
	assert_string_equal(f->pkg_type, "jar");
	assert_string_equal(f->installed_version, "5.3.15");
	assert_string_equal(f->fixed_version, "5.3.18");
	assert_string_equal(f->pkg_path,
		"usr/local/tomcat/webapps/helloworld.war/WEB-INF/lib/spring-beans-5.3.15.jar");
	assert_string_equal(f->purl,
			    "pkg:maven/org.springframework/spring-beans@5.3.15");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	assert_string_equal(f->cvss3_source, "nvd");
	assert_float_equal(f->cvss3_score, 9.8, 1e-9);
	assert_float_equal(f->cvss2_score, 7.5, 1e-9);
	ms_report_free(&r);
}

static void test_sl_micro_clean(void **state)
{
	ms_report r;
	const ms_scan *s;

	(void)state;
	parse_file("trivy/sl-micro-rancher5.4.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_int_equal(s->n_findings, 0);
	assert_string_equal(s->image.os_family, "slem");
	assert_string_equal(s->image.os_version, "5.4");
	assert_string_equal(s->image.config_digest,
		"sha256:c45ec974938acac29c893b5d273d73e4ebdd7e6a97b6fa861dfbd8dd430b9016");
	assert_string_equal(s->image.tags.items[0],
		"ghcr.io/aquasecurity/trivy-test-images:sle-micro-rancher-5.4_ndb");
	assert_string_equal(s->scanned_at, "2021-08-25T12:20:30.000000005Z");
	ms_report_free(&r);
}

static void test_juice_shop(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/securecodebox_juice-shop-v12.10.2.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	check_required(s);
	assert_string_equal(s->image.name, "bkimminich/juice-shop:v12.10.2");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0],
			    "bkimminich/juice-shop:v12.10.2");
	assert_int_equal(s->image.repo_digests.n, 1);
	assert_string_equal(s->image.repo_digests.items[0],
		"bkimminich/juice-shop@sha256:33238f8c6291415c499265629b1b82ef791f5a33dff09f25c07264204a26f89b");
	assert_string_equal(s->image.config_digest,
		"sha256:be30ca1df4be08840f6ca53885a1d371d35f54eae326161a2a40aa3c535fe703");
	assert_string_equal(s->image.os_family, "alpine");
	assert_string_equal(s->image.os_version, "3.11.12");
	assert_string_equal(s->scanned_at, "2024-10-28T15:33:51.265546208Z");
	/* 182 entries; 14 (id, pkg, version) groups differ only by PkgPath
	 * and all stay */
	assert_int_equal(s->n_findings, 182);
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 28);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 100);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 48);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 6);
	assert_int_equal(count_fixed(s), 170);
	assert_int_equal(count_id(s, "CVE-2021-3807", "ansi-regex"), 6);
	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-2021-42378");
	assert_string_equal(f->pkg_name, "busybox");
	assert_string_equal(f->pkg_type, "apk");
	f = &s->findings[181];
	assert_string_equal(f->vuln_id, "CVE-2021-4435");
	assert_string_equal(f->pkg_name, "yarn");
	assert_string_equal(f->pkg_type, "node-pkg");
	assert_string_equal(f->fixed_version, "1.22.13");
	assert_string_equal(f->pkg_path, "opt/yarn-v1.22.5/package.json");
	assert_string_equal(f->purl, "pkg:npm/yarn@1.22.5");
	assert_string_equal(f->cvss3_source, "nvd");
	assert_float_equal(f->cvss3_score, 7.8, 1e-9);
	ms_report_free(&r);
}

static void test_defectdojo_all_statuses(void **state)
{
	ms_report r;
	const ms_scan *s;

	(void)state;
	parse_file("trivy/defectdojo_all_statuses.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	/* ArtifactName "" and RepoTags/RepoDigests [""]: the name comes from
	 * the OS result's Target */
	assert_string_equal(s->image.name, "noppaknopsta/example-app:main-159");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0],
			    "noppaknopsta/example-app:main-159");
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_string_equal(s->image.config_digest,
		"sha256:22ae3921bdaac434bb4cb92dbbc209e46b1f3f70e9fa0b5fbbb43ce7d452c72d");
	assert_string_equal(s->image.os_family, "debian");
	assert_string_equal(s->image.os_version, "10.13");
	assert_string_equal(s->scanned_at, "2024-01-15T08:58:29.82753744Z");
	/* one entry per Status value, every one a finding */
	assert_int_equal(s->n_findings, 8);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 8);
	assert_int_equal(count_fixed(s), 0);
	find(s, "TEMP-0841856-B18BAF", "bash", "5.0-4");
	find(s, "CVE-2018-12934", "binutils", "2.31.1-16");
	ms_report_free(&r);
}

static void test_defectdojo_scheme2_many(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/defectdojo_scheme_2_many_vulns.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_string_equal(s->image.name, "teamdojo:latest");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "teamdojo:latest");
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_null(s->image.config_digest);
	assert_null(s->image.architecture);
	assert_string_equal(s->image.os_family, "alpine");
	assert_string_equal(s->image.os_version, "3.9.4");
	assert_int_equal(s->n_findings, 5);
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 1);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 1);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 3);
	f = find(s, "CVE-2020-15999", "freetype", "2.9.1-r2");
	assert_string_equal(f->fixed_version, "2.9.1-r3");
	assert_string_equal(f->pkg_path, "app/libs/freetype-2.9.1-r2");
	/* SeveritySource nvd absent from CVSS: the first entry (redhat) */
	f = find(s, "CVE-2020-28196", "krb5-libs", "1.15.5-r0");
	assert_string_equal(f->cvss3_source, "redhat");
	assert_float_equal(f->cvss3_score, 7.5, 1e-9);
	f = find(s, "CVE-2018-1324", "org.apache.commons:commons-compress", "1.14");
	assert_string_equal(f->pkg_type, "jar");
	assert_string_equal(f->fixed_version, "1.16");
	ms_report_free(&r);
}

/* ---- form 2: legacy list --------------------------------------------- */

static void test_amazon2_schema1(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/amazon-2.schema1.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	check_required(s);
	assert_string_equal(s->image.name,
			    "testdata/fixtures/images/amazon-2.tar.gz");
	assert_int_equal(s->image.tags.n, 0);
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_null(s->image.config_digest);
	assert_string_equal(s->image.os_family, "amazon");
	assert_string_equal(s->image.os_version, "2 (Karoo)");
	assert_string_equal(s->scanner_name, "trivy");
	assert_null(s->scanner_version);
	assert_null(s->scanned_at);
	assert_int_equal(s->n_findings, 77);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 26);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 37);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 14);
	assert_int_equal(count_fixed(s), 77);
	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-2019-5481");
	assert_string_equal(f->pkg_name, "curl");
	assert_string_equal(f->pkg_type, "rpm");
	assert_string_equal(f->installed_version, "7.61.1-9.amzn2.0.1");
	assert_string_equal(f->fixed_version, "7.61.1-12.amzn2.0.1");
	assert_float_equal(f->cvss3_score, 0, 1e-9);
	assert_float_equal(f->cvss2_score, 7.5, 1e-9);
	assert_string_equal(f->cvss2_source, "nvd");
	f = &s->findings[76];
	assert_string_equal(f->vuln_id, "CVE-2019-12735");
	assert_string_equal(f->pkg_name, "vim-minimal");
	assert_string_equal(f->fixed_version, "2:8.1.1602-1.amzn2");
	assert_int_equal(f->severity, MS_SEV_HIGH);
	ms_report_free(&r);
}

static void test_defectdojo_legacy_many(void **state)
{
	ms_report r;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	parse_file("trivy/defectdojo_legacy_many_vulns.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_string_equal(s->image.name, "debian");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "debian");
	assert_string_equal(s->image.os_family, "debian");
	assert_string_equal(s->image.os_version, "10.8");
	assert_int_equal(s->n_findings, 93);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 18);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 9);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 65);
	assert_int_equal(count_severity(s, MS_SEV_UNKNOWN), 1);
	assert_int_equal(count_fixed(s), 0);
	f = &s->findings[92];
	assert_string_equal(f->vuln_id, "TEMP-0290435-0B57B5");
	assert_string_equal(f->pkg_name, "tar");
	assert_string_equal(f->pkg_type, "deb");
	assert_string_equal(f->installed_version, "1.30+dfsg-6");
	assert_float_equal(f->cvss3_score, 0, 1e-9);
	assert_float_equal(f->cvss2_score, 0, 1e-9);
	assert_string_equal(f->url,
		"https://security-tracker.debian.org/tracker/TEMP-0290435-0B57B5");
	ms_report_free(&r);
}

static void check_empty_legacy(const char *rel)
{
	ms_report r;
	const ms_scan *s;

	parse_file(rel, &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_int_equal(s->n_findings, 0);
	assert_null(s->image.name);
	assert_int_equal(s->image.tags.n, 0);
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_null(s->image.config_digest);
	assert_null(s->image.os_family);
	assert_string_equal(s->scanner_name, "trivy");
	ms_report_free(&r);
}

static void test_edge_empty_list(void **state)
{
	(void)state;
	check_empty_legacy("edge/securecodebox_test-empty-report.json");
}

static void test_edge_legacy_null(void **state)
{
	(void)state;
	check_empty_legacy("edge/defectdojo_trivy_legacy_no_vuln.json");
}

/* ---- edge: image reports without findings ---------------------------- */

static void test_edge_alpine39_skip(void **state)
{
	ms_report r;
	const ms_scan *s;

	(void)state;
	parse_file("edge/trivy_alpine-39-skip.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_int_equal(s->n_findings, 0);
	assert_string_equal(s->image.name,
			    "testdata/fixtures/images/alpine-39.tar.gz");
	assert_string_equal(s->image.config_digest,
		"sha256:055936d3920576da37aa9bc460d70c5f212028bda1c08c0879aedf03d7a66ea1");
	assert_string_equal(s->image.tags.items[0],
			    "ghcr.io/aquasecurity/trivy-test-images:alpine-39");
	/* OS Family "none": nothing detected, left unset */
	assert_null(s->image.os_family);
	assert_null(s->image.os_version);
	assert_string_equal(s->scanner_version, "dev");
	ms_report_free(&r);
}

static void check_juice_shop_no_findings(const char *rel)
{
	ms_report r;
	const ms_scan *s;

	parse_file(rel, &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_int_equal(s->n_findings, 0);
	assert_string_equal(s->image.name, "bkimminich/juice-shop:v12.10.2");
	assert_int_equal(s->image.repo_digests.n, 1);
	assert_string_equal(s->image.repo_digests.items[0],
		"bkimminich/juice-shop@sha256:33238f8c6291415c499265629b1b82ef791f5a33dff09f25c07264204a26f89b");
	assert_string_equal(s->image.config_digest,
		"sha256:be30ca1df4be08840f6ca53885a1d371d35f54eae326161a2a40aa3c535fe703");
	assert_string_equal(s->image.os_family, "alpine");
	assert_string_equal(s->image.os_version, "3.11.12");
	assert_string_equal(s->scanned_at, "2024-10-28T15:33:51.265546208Z");
	ms_report_free(&r);
}

static void test_edge_juice_shop_empty_results(void **state)
{
	(void)state;
	check_juice_shop_no_findings(
		"edge/securecodebox_juice-shop-v12.10.2-empty-results.json");
}

static void test_edge_juice_shop_no_results(void **state)
{
	(void)state;
	check_juice_shop_no_findings(
		"edge/securecodebox_juice-shop-v12.10.2-no-results.json");
}

static void test_edge_scheme2_no_vuln(void **state)
{
	ms_report r;
	const ms_scan *s;

	(void)state;
	parse_file("edge/defectdojo_trivy_scheme_2_no_vuln.json", &r);
	assert_int_equal(r.n_scans, 1);
	s = &r.scans[0];
	assert_int_equal(s->n_findings, 0);
	assert_string_equal(s->image.name, "trivy-unittest:latest");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "trivy-unittest:latest");
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_null(s->image.config_digest);
	assert_string_equal(s->image.os_family, "alpine");
	assert_string_equal(s->image.os_version, "3.14.0");
	assert_null(s->scanned_at);
	ms_report_free(&r);
}

/* ---- form 3: Trivy Operator ------------------------------------------ */

#define UBUNTU_DIGEST \
	"sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f"

static void check_operator_extended(const ms_scan *s)
{
	const ms_finding *f;

	assert_string_equal(s->image.name,
		"index.docker.io/library/ubuntu:20.04@" UBUNTU_DIGEST);
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0],
			    "index.docker.io/library/ubuntu:20.04");
	assert_int_equal(s->image.repo_digests.n, 1);
	assert_string_equal(s->image.repo_digests.items[0],
			    "index.docker.io/library/ubuntu@" UBUNTU_DIGEST);
	assert_null(s->image.config_digest);
	assert_string_equal(s->image.os_family, "ubuntu");
	assert_string_equal(s->image.os_version, "20.04");
	assert_string_equal(s->scanner_name, "trivy");
	assert_string_equal(s->scanner_version, "0.48.3");
	assert_string_equal(s->scanned_at, "2024-01-23T13:43:55Z");
	assert_int_equal(s->n_findings, 5);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 5);
	f = &s->findings[0];
	assert_string_equal(f->vuln_id, "CVE-2024-0553");
	assert_string_equal(f->pkg_name, "libgnutls30");
	assert_string_equal(f->pkg_type, "deb");    /* packageType ubuntu */
	assert_string_equal(f->installed_version, "3.6.13-2ubuntu1.9");
	assert_string_equal(f->fixed_version, "3.6.13-2ubuntu1.10");
	assert_string_equal(f->title, "gnutls: incomplete fix for CVE-2023-5981");
	assert_string_equal(f->url, "https://avd.aquasec.com/nvd/cve-2024-0553");
	assert_string_equal(f->published, "2024-01-16T12:15:45Z");
	assert_float_equal(f->cvss3_score, 5.9, 1e-9);
	assert_null(f->cvss3_source);        /* the operator does not say */
	assert_int_equal(count_id(s, "CVE-2024-22365", "libpam0g"), 1);
}

static void check_operator_many(const ms_scan *s)
{
	const ms_finding *f;

	assert_string_equal(s->image.name, "index.docker.io/library/nginx:alpine");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0],
			    "index.docker.io/library/nginx:alpine");
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_null(s->image.os_family);
	assert_string_equal(s->scanner_version, "0.38.2");
	assert_string_equal(s->scanned_at, "2023-03-23T16:23:01Z");
	assert_int_equal(s->n_findings, 41);
	assert_int_equal(count_severity(s, MS_SEV_CRITICAL), 2);
	assert_int_equal(count_severity(s, MS_SEV_HIGH), 3);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 25);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 11);
	assert_int_equal(count_fixed(s), 39);
	f = find(s, "CVE-2023-23914", "curl", "7.87.0-r1");
	assert_string_equal(f->fixed_version, "7.87.0-r2");
	assert_int_equal(f->severity, MS_SEV_CRITICAL);
	assert_float_equal(f->cvss3_score, 4.2, 1e-9);
	assert_null(f->pkg_type);
	f = find(s, "CVE-2023-27535", "libcurl", "7.87.0-r1");
	assert_float_equal(f->cvss3_score, 0, 1e-9);     /* no score */
	f = find(s, "CVE-2020-8912", "github.com/aws/aws-sdk-go", "v1.44.212");
	assert_null(f->fixed_version);                    /* "" */
	assert_int_equal(f->severity, MS_SEV_LOW);
	assert_float_equal(f->cvss3_score, 2.5, 1e-9);
}

static void test_operator_extended(void **state)
{
	ms_report r;

	(void)state;
	parse_file("trivy/trivy-operator_vulnerabilityreport_extended.json", &r);
	assert_int_equal(r.n_scans, 1);
	check_operator_extended(&r.scans[0]);
	ms_report_free(&r);
}

static void test_operator_many(void **state)
{
	ms_report r;

	(void)state;
	parse_file("trivy/trivy-operator_vulnerabilityreport_many.json", &r);
	assert_int_equal(r.n_scans, 1);
	check_operator_many(&r.scans[0]);
	ms_report_free(&r);
}

/* kubectl get vulnerabilityreports -A -o json: a List of both fixtures
 * plus an item of another kind, which is skipped. */
static void test_operator_list(void **state)
{
	json_t *a = load("trivy/trivy-operator_vulnerabilityreport_extended.json");
	json_t *b = load("trivy/trivy-operator_vulnerabilityreport_many.json");
	json_t *list;
	ms_report r;
	ms_error err;

	(void)state;
	list = json_pack("{s:s, s:s, s:[o, {s:s, s:s, s:{}}, o], s:{}}",
			 "apiVersion", "v1", "kind", "List", "items", a,
			 "apiVersion", "aquasecurity.github.io/v1alpha1",
			 "kind", "ConfigAuditReport", "report", b, "metadata");
	assert_non_null(list);
	assert_int_equal(trivy_detect(jd_of(list)), 1);
	ms_report_init(&r);
	memset(&err, 0, sizeof(err));
	assert_int_equal(trivy_parse(&r, jd_of(list), &err), MS_OK);
	assert_int_equal(r.n_scans, 2);
	check_operator_extended(&r.scans[0]);
	check_operator_many(&r.scans[1]);
	ms_report_free(&r);
	json_decref(list);
}

/* ---- form 4: trivy k8s ----------------------------------------------- */

static void check_k8s_scan(const ms_scan *s, const char *image)
{
	const ms_finding *f;

	assert_string_equal(s->image.name, image);
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], image);
	assert_int_equal(s->image.repo_digests.n, 0);
	assert_null(s->image.config_digest);
	assert_string_equal(s->image.os_family, "debian");
	assert_string_equal(s->image.os_version, "10.4");
	assert_string_equal(s->scanner_name, "trivy");
	assert_int_equal(s->n_findings, 5);
	assert_int_equal(count_severity(s, MS_SEV_MEDIUM), 1);
	assert_int_equal(count_severity(s, MS_SEV_LOW), 4);
	f = find(s, "CVE-2020-27350", "apt", "1.8.2.1");
	assert_int_equal(f->aliases.n, 1);
	assert_string_equal(f->aliases.items[0], "DSA-4808-1");
	assert_string_equal(f->fixed_version, "1.8.2.2");
	assert_string_equal(f->pkg_type, "deb");
	assert_string_equal(f->cvss3_source, "nvd");
	assert_float_equal(f->cvss3_score, 5.7, 1e-9);
	assert_float_equal(f->cvss2_score, 4.6, 1e-9);
	f = find(s, "CVE-2022-0563", "bsdutils", "2.33.1-0.1");
	assert_null(f->fixed_version);
}

static void test_k8s_report(void **state)
{
	ms_report r;

	(void)state;
	parse_file("trivy/defectdojo_trivy-k8s_kubernetes.json", &r);
	/* two workloads, two images; Misconfigurations make no scans */
	assert_int_equal(r.n_scans, 2);
	check_k8s_scan(&r.scans[0], "gcr.io/google_samples/gb-redis-follower:v2");
	check_k8s_scan(&r.scans[1], "docker.io/redis:6.0.5");
	ms_report_free(&r);
}

/* Newer `trivy k8s`: Resources[] with Metadata; two pods of one image share
 * a scan and their common finding is kept once; a config-only resource
 * makes no scan. */
static void test_k8s_resources_merge(void **state)
{
	static const char doc[] =
	"{\"ClusterName\":\"c\",\"Resources\":["
	" {\"Namespace\":\"a\",\"Kind\":\"Pod\",\"Name\":\"p1\","
	"  \"Metadata\":{\"ImageID\":\"sha256:1111\","
	"   \"RepoDigests\":[\"nginx@sha256:aaaa\"],\"RepoTags\":[\"nginx:1.25\"]},"
	"  \"Results\":[{\"Target\":\"nginx:1.25 (debian 12.1)\",\"Class\":\"os-pkgs\","
	"   \"Type\":\"debian\",\"Vulnerabilities\":["
	"   {\"VulnerabilityID\":\"CVE-1\",\"PkgName\":\"libc6\",\"InstalledVersion\":\"1\"},"
	"   {\"VulnerabilityID\":\"CVE-2\",\"PkgName\":\"libc6\",\"InstalledVersion\":\"1\"}]}]},"
	" {\"Namespace\":\"b\",\"Kind\":\"Pod\",\"Name\":\"p2\","
	"  \"Metadata\":{\"ImageID\":\"sha256:1111\"},"
	"  \"Results\":[{\"Target\":\"nginx:1.25 (debian 12.1)\",\"Class\":\"os-pkgs\","
	"   \"Type\":\"debian\",\"Vulnerabilities\":["
	"   {\"VulnerabilityID\":\"CVE-2\",\"PkgName\":\"libc6\",\"InstalledVersion\":\"1\"},"
	"   {\"VulnerabilityID\":\"CVE-3\",\"PkgName\":\"zlib\",\"InstalledVersion\":\"2\"}]}]},"
	" {\"Namespace\":\"b\",\"Kind\":\"Deployment\",\"Name\":\"d\","
	"  \"Results\":[{\"Target\":\"Deployment/d\",\"Class\":\"config\","
	"   \"Type\":\"kubernetes\",\"Misconfigurations\":[]}]},"
	" {\"Namespace\":\"b\",\"Kind\":\"Pod\",\"Name\":\"p3\","
	"  \"Metadata\":{\"ImageID\":\"sha256:2222\"},"
	"  \"Results\":[{\"Target\":\"nginx:1.25 (debian 12.1)\",\"Class\":\"os-pkgs\","
	"   \"Type\":\"debian\"}]}]}";
	ms_report r;
	ms_error err;
	const ms_scan *s;

	(void)state;
	assert_int_equal(detect_text(doc), 1);
	assert_int_equal(parse_text(doc, &r, &err), MS_OK);
	assert_int_equal(r.n_scans, 2);         /* two builds of nginx:1.25 */
	s = &r.scans[0];
	assert_string_equal(s->image.name, "nginx:1.25");
	assert_string_equal(s->image.config_digest, "sha256:1111");
	assert_string_equal(s->image.repo_digests.items[0], "nginx@sha256:aaaa");
	assert_string_equal(s->image.os_version, "12.1");
	assert_int_equal(s->n_findings, 3);
	assert_int_equal(count_id(s, "CVE-2", "libc6"), 1);
	s = &r.scans[1];
	assert_string_equal(s->image.config_digest, "sha256:2222");
	assert_int_equal(s->n_findings, 0);
	ms_report_free(&r);
}

/* ---- corner cases ---------------------------------------------------- */

static void test_duplicates_kept_once(void **state)
{
	static const char doc[] =
	"{\"SchemaVersion\":2,\"ArtifactName\":\"x:1\",\"Results\":["
	" {\"Target\":\"x:1 (alpine 3.18.0)\",\"Class\":\"os-pkgs\",\"Type\":\"alpine\","
	"  \"Vulnerabilities\":["
	"  {\"VulnerabilityID\":\"CVE-9\",\"PkgName\":\"p\",\"InstalledVersion\":\"1\"},"
	"  {\"VulnerabilityID\":\"CVE-9\",\"PkgName\":\"p\",\"InstalledVersion\":\"1\"},"
	"  {\"VulnerabilityID\":\"CVE-9\",\"PkgName\":\"p\",\"InstalledVersion\":\"2\"}]},"
	" {\"Target\":\"Java\",\"Class\":\"lang-pkgs\",\"Type\":\"jar\","
	"  \"Vulnerabilities\":["
	"  {\"VulnerabilityID\":\"CVE-9\",\"PkgName\":\"p\",\"InstalledVersion\":\"1\","
	"   \"PkgPath\":\"a.jar\"},"
	"  {\"VulnerabilityID\":\"CVE-9\",\"PkgName\":\"p\",\"InstalledVersion\":\"1\","
	"   \"PkgPath\":\"a.jar\"}]}]}";
	ms_report r;
	ms_error err;

	(void)state;
	assert_int_equal(parse_text(doc, &r, &err), MS_OK);
	assert_int_equal(r.scans[0].n_findings, 3);
	assert_string_equal(r.scans[0].findings[2].pkg_path, "a.jar");
	assert_string_equal(r.scans[0].findings[2].pkg_type, "jar");
	ms_report_free(&r);
}

/* Odd but valid values: digest references, image IDs, bad scores, wrong
 * optional types, OS families with spaces, package type mapping. */
static void test_odd_values(void **state)
{
	static const char doc[] =
	"{\"SchemaVersion\":2,"
	" \"ArtifactName\":\"localhost:5000/app:v1@sha256:abcd\","
	" \"Metadata\":{\"RepoTags\":[\"6877f5aabc34\", 5, \"/tmp/x.tar\"],"
	"  \"RepoDigests\":\"nope\",\"OS\":\"nope\",\"ImageConfig\":[]},"
	" \"Trivy\":\"nope\",\"CreatedAt\":7,"
	" \"Results\":["
	" {\"Target\":\"app (suse linux enterprise server 15.3)\",\"Type\":\"suse linux enterprise server\","
	"  \"Vulnerabilities\":["
	"  {\"VulnerabilityID\":\"CVE-1\",\"PkgName\":\"a\",\"FixedVersion\":\"\","
	"   \"VendorIDs\":[\"CVE-1\", 3, \"SUSE-1\"],\"Severity\":\"bogus\","
	"   \"CVSS\":{\"nvd\":{\"V3Score\":11,\"V2Score\":-1,\"V3Vector\":\"v\"}},"
	"   \"PkgIdentifier\":\"nope\",\"PublishedDate\":null}]},"
	" {\"Target\":\"bin\",\"Type\":\"gobinary\",\"Vulnerabilities\":["
	"  {\"VulnerabilityID\":\"GHSA-1\",\"PkgName\":\"g\","
	"   \"CVSS\":{\"x\":1,\"ghsa\":{\"V3Score\":7.5}}}]},"
	" {\"Target\":\"r\",\"Type\":\"rocky\",\"Vulnerabilities\":null},"
	" {\"Target\":\"u\",\"Type\":\"ubuntu\",\"Vulnerabilities\":["
	"  {\"VulnerabilityID\":\"CVE-3\",\"PkgName\":\"u\"}]}]}";
	ms_report r;
	ms_error err;
	const ms_scan *s;
	const ms_finding *f;

	(void)state;
	assert_int_equal(parse_text(doc, &r, &err), MS_OK);
	s = &r.scans[0];
	assert_string_equal(s->image.name, "localhost:5000/app:v1@sha256:abcd");
	assert_int_equal(s->image.tags.n, 1);
	assert_string_equal(s->image.tags.items[0], "localhost:5000/app:v1");
	assert_int_equal(s->image.repo_digests.n, 1);
	assert_string_equal(s->image.repo_digests.items[0],
			    "localhost:5000/app@sha256:abcd");
	assert_null(s->image.architecture);
	assert_null(s->scanned_at);
	assert_null(s->scanner_version);
	assert_string_equal(s->image.os_family, "suse linux enterprise server");
	assert_string_equal(s->image.os_version, "15.3");
	assert_int_equal(s->n_findings, 3);
	f = &s->findings[0];
	assert_string_equal(f->pkg_type, "rpm");
	assert_null(f->fixed_version);
	assert_null(f->purl);
	assert_null(f->published);
	assert_int_equal(f->severity, MS_SEV_UNKNOWN);
	assert_int_equal(f->aliases.n, 1);
	assert_string_equal(f->aliases.items[0], "SUSE-1");
	assert_float_equal(f->cvss3_score, 0, 1e-9);      /* 11 is no score */
	assert_string_equal(f->cvss3_vector, "v");
	assert_float_equal(f->cvss2_score, 0, 1e-9);
	f = &s->findings[1];
	assert_string_equal(f->pkg_type, "gobinary");
	assert_string_equal(f->cvss3_source, "ghsa");      /* first object */
	assert_float_equal(f->cvss3_score, 7.5, 1e-9);
	assert_string_equal(s->findings[2].pkg_type, "deb");
	ms_report_free(&r);
}

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(trivy_detect(jd_of(NULL)), 0);
	assert_int_equal(detect_text("[]"), 1);
	assert_int_equal(detect_text("null"), 1);
	assert_int_equal(detect_text("[{\"Target\":\"x\"}]"), 1);
	assert_int_equal(detect_text("[1, 2]"), 0);
	assert_int_equal(detect_text("[{}]"), 0);
	assert_int_equal(detect_text("{}"), 0);
	assert_int_equal(detect_text("42"), 0);
	assert_int_equal(detect_text("\"Results\""), 0);
	assert_int_equal(detect_text("{\"SchemaVersion\":2}"), 0);
	assert_int_equal(detect_text("{\"SchemaVersion\":2,\"Results\":[]}"), 1);
	assert_int_equal(detect_text("{\"matches\":[],\"source\":{}}"), 0);
	assert_int_equal(detect_text("{\"bomFormat\":\"CycloneDX\"}"), 0);
	assert_int_equal(detect_text("{\"runs\":[],\"version\":\"2.1.0\"}"), 0);
	assert_int_equal(detect_text("{\"ClusterName\":\"c\",\"Resources\":[]}"), 1);
	assert_int_equal(detect_text(
		"{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"items\":[]}"), 0);
	assert_int_equal(detect_text(
		"{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\"}]}"), 0);
	assert_int_equal(detect_text(
		"{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\","
		"\"kind\":\"ConfigAuditReport\",\"report\":{}}"), 0);
	assert_int_equal(detect_text(
		"{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\","
		"\"kind\":\"VulnerabilityReport\"}"), 1);
}

static void test_not_trivy(void **state)
{
	ms_report r;
	ms_error err;

	(void)state;
	assert_int_equal(parse_text("{\"matches\":[]}", &r, &err), MS_ERR_FORMAT);
	assert_int_equal(err.code, MS_ERR_FORMAT);
	ms_report_free(&r);
	assert_int_equal(parse_text("42", &r, &err), MS_ERR_FORMAT);
	ms_report_free(&r);
	assert_int_equal(parse_text("[1]", &r, &err), MS_ERR_FORMAT);
	ms_report_free(&r);
	assert_int_equal(parse_text("{}", &r, &err), MS_ERR_FORMAT);
	ms_report_free(&r);
	ms_report_init(&r);
	assert_int_equal(trivy_parse(&r, jd_of(NULL), NULL), MS_ERR_FORMAT);
	ms_report_free(&r);
}

static void test_missing_fields(void **state)
{
	(void)state;
	expect_error("{\"SchemaVersion\":2,\"ArtifactName\":\"x\","
		     "\"Results\":\"oops\"}", MS_ERR_MISSING, "Results");
	expect_error("{\"SchemaVersion\":2,\"Results\":{}}",
		     MS_ERR_MISSING, "Results");
	expect_error("{\"SchemaVersion\":2,\"Results\":[{\"Target\":\"a\"}, 3]}",
		     MS_ERR_MISSING, "Results[1]");
	expect_error("{\"SchemaVersion\":2,\"Results\":[{\"Vulnerabilities\":\"x\"}]}",
		     MS_ERR_MISSING, "Results[0].Vulnerabilities");
	expect_error("{\"SchemaVersion\":2,\"Results\":[{\"Vulnerabilities\":"
		     "[{\"VulnerabilityID\":\"CVE-1\",\"PkgName\":\"a\"}, null]}]}",
		     MS_ERR_MISSING, "Results[0].Vulnerabilities[1]");
	expect_error("{\"SchemaVersion\":2,\"Results\":[{},{\"Vulnerabilities\":"
		     "[{\"VulnerabilityID\":\"CVE-1\",\"PkgName\":\"a\"},"
		     "{\"PkgName\":\"b\"}]}]}",
		     MS_ERR_MISSING, "Results[1].Vulnerabilities[1].VulnerabilityID");
	expect_error("{\"SchemaVersion\":2,\"Results\":[{\"Vulnerabilities\":"
		     "[{\"VulnerabilityID\":\"\",\"PkgName\":\"b\"}]}]}",
		     MS_ERR_MISSING, "Results[0].Vulnerabilities[0].VulnerabilityID");
	expect_error("{\"SchemaVersion\":2,\"Results\":[{\"Vulnerabilities\":"
		     "[{\"VulnerabilityID\":\"CVE-1\",\"PkgName\":7}]}]}",
		     MS_ERR_MISSING, "Results[0].Vulnerabilities[0].PkgName");
	expect_error("[{\"Target\":\"a (alpine 3.1)\",\"Vulnerabilities\":"
		     "[{\"PkgName\":\"b\"}]}]",
		     MS_ERR_MISSING, "[0].Vulnerabilities[0].VulnerabilityID");
	expect_error("[{\"Target\":\"a\"}, \"x\"]", MS_ERR_MISSING, "[1]");
	expect_error("{\"ClusterName\":\"c\",\"Resources\":\"x\"}",
		     MS_ERR_MISSING, "Resources");
	expect_error("{\"ClusterName\":\"c\",\"Vulnerabilities\":[null]}",
		     MS_ERR_MISSING, "Vulnerabilities[0]");
	expect_error("{\"ClusterName\":\"c\",\"Vulnerabilities\":[{\"Results\":5}]}",
		     MS_ERR_MISSING, "Vulnerabilities[0].Results");
	expect_error("{\"ClusterName\":\"c\",\"Vulnerabilities\":[{},{\"Results\":"
		     "[{\"Target\":\"n:1 (debian 12)\",\"Vulnerabilities\":"
		     "[{\"VulnerabilityID\":\"CVE-1\"}]}]}]}",
		     MS_ERR_MISSING,
		     "Vulnerabilities[1].Results[0].Vulnerabilities[0].PkgName");
	expect_error("{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\","
		     "\"kind\":\"VulnerabilityReport\"}", MS_ERR_MISSING, "report");
	expect_error("{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\","
		     "\"kind\":\"VulnerabilityReport\",\"report\":"
		     "{\"vulnerabilities\":{}}}",
		     MS_ERR_MISSING, "report.vulnerabilities");
	expect_error("{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\","
		     "\"kind\":\"VulnerabilityReport\",\"report\":"
		     "{\"vulnerabilities\":[{\"vulnerabilityID\":\"CVE-1\"}]}}",
		     MS_ERR_MISSING, "report.vulnerabilities[0].resource");
	expect_error("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
		     "{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\","
		     "\"kind\":\"VulnerabilityReport\",\"report\":{}},"
		     "{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\","
		     "\"kind\":\"VulnerabilityReport\",\"report\":"
		     "{\"vulnerabilities\":[{\"resource\":\"a\"}]}}]}",
		     MS_ERR_MISSING,
		     "items[1].report.vulnerabilities[0].vulnerabilityID");
	expect_error("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
		     "{\"apiVersion\":\"aquasecurity.github.io/v1alpha1\","
		     "\"kind\":\"VulnerabilityReport\",\"report\":{}}, 5]}",
		     MS_ERR_MISSING, "items[1]");
}

/* Every arena limit below what a parse needs gives MS_ERR_NOMEM (never a
 * crash or leak); at the full size the parse succeeds. */
static void check_oom_walk(const char *rel)
{
	ms_report r;

	oom_walk(rel, 1, &r);
	ms_report_free(&r);
}

static void test_out_of_memory(void **state)
{
	(void)state;
	check_oom_walk("trivy/alpine-310-registry.json");
	check_oom_walk("trivy/fluentd-gems.json");
	check_oom_walk("trivy/defectdojo_trivy-k8s_kubernetes.json");
	check_oom_walk("trivy/trivy-operator_vulnerabilityreport_extended.json");
	check_oom_walk("edge/securecodebox_test-empty-report.json");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alpine_310_registry),
		cmocka_unit_test(test_alpine_39),
		cmocka_unit_test(test_debian_stretch_early_schema2),
		cmocka_unit_test(test_ubi7_os_and_python),
		cmocka_unit_test(test_fluentd_gems_vendor_ids),
		cmocka_unit_test(test_spring4shell),
		cmocka_unit_test(test_sl_micro_clean),
		cmocka_unit_test(test_juice_shop),
		cmocka_unit_test(test_defectdojo_all_statuses),
		cmocka_unit_test(test_defectdojo_scheme2_many),
		cmocka_unit_test(test_amazon2_schema1),
		cmocka_unit_test(test_defectdojo_legacy_many),
		cmocka_unit_test(test_edge_empty_list),
		cmocka_unit_test(test_edge_legacy_null),
		cmocka_unit_test(test_edge_alpine39_skip),
		cmocka_unit_test(test_edge_juice_shop_empty_results),
		cmocka_unit_test(test_edge_juice_shop_no_results),
		cmocka_unit_test(test_edge_scheme2_no_vuln),
		cmocka_unit_test(test_operator_extended),
		cmocka_unit_test(test_operator_many),
		cmocka_unit_test(test_operator_list),
		cmocka_unit_test(test_k8s_report),
		cmocka_unit_test(test_k8s_resources_merge),
		cmocka_unit_test(test_duplicates_kept_once),
		cmocka_unit_test(test_odd_values),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_not_trivy),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
