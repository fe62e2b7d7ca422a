/*
 * test_kev.c - unit tests for kev.c: the full CISA KEV catalog 2025.08.25
 * (1404 entries; values checked with python3), look-ups of the two KEV
 * CVEs the scan fixtures contain, and broken catalogs made by editing a
 * copy of the real document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/kev.h"

static json_t *catalog_json;

static int load_catalog(void **state)
{
	char path[512];
	json_error_t jerr;

	(void)state;
	snprintf(path, sizeof(path), "%s/kev/known_exploited_vulnerabilities.json",
		 FIXTURES_DIR);
	catalog_json = json_load_file(path, 0, &jerr);
	if (!catalog_json) {
		fprintf(stderr, "cannot load %s: %s\n", path, jerr.text);
		return -1;
	}
	return 0;
}

static int free_catalog(void **state)
{
	(void)state;
	json_decref(catalog_json);
	return 0;
}

static void test_full_catalog(void **state)
{
	kev_catalog c;
	ms_error err = { 0 };
	const kev_entry *e;
	size_t i, known = 0;

	(void)state;
	kev_catalog_init(&c);
	assert_int_equal(kev_parse(&c, catalog_json, &err), MS_OK);
	assert_int_equal(c.n, 1404);
	assert_int_equal(c.n, json_integer_value(json_object_get(catalog_json, "count")));
	assert_int_equal(c.n, json_array_size(json_object_get(catalog_json, "vulnerabilities")));
	assert_string_equal(c.version, "2025.08.25");
	assert_string_equal(c.released, "2025-08-25T17:04:19.9796Z");

	/* File order is kept: newest first, oldest last. */
	e = &c.items[0];
	assert_string_equal(e->cve, "CVE-2025-48384");
	assert_string_equal(e->vendor, "Git");
	assert_string_equal(e->product, "Git");
	assert_string_equal(e->name, "Git Link Following Vulnerability");
	assert_string_equal(e->date_added, "2025-08-25");
	assert_string_equal(e->due_date, "2025-09-15");
	assert_string_equal(e->ransomware, "Unknown");
	assert_string_equal(c.items[c.n - 1].cve, "CVE-2020-29583");

	for (i = 0; i < c.n; i++)
		known += c.items[i].ransomware && !strcmp(c.items[i].ransomware, "Known");
	assert_int_equal(known, 293);

	/* Spring4Shell (trivy/spring4shell-jre11.json). */
	e = kev_find(&c, "CVE-2022-22965");
	assert_non_null(e);
	assert_string_equal(e->vendor, "VMware");
	assert_string_equal(e->product, "Spring Framework");
	assert_string_equal(e->name, "Spring Framework JDK 9+ Remote Code Execution Vulnerability");
	assert_string_equal(e->date_added, "2022-04-04");
	assert_string_equal(e->due_date, "2022-04-25");

	/* HTTP/2 Rapid Reset (grype/analysis-model_grype-report-wo-description.json). */
	e = kev_find(&c, "CVE-2023-44487");
	assert_non_null(e);
	assert_string_equal(e->vendor, "IETF");
	assert_string_equal(e->product, "HTTP/2");
	assert_string_equal(e->date_added, "2023-10-10");
	assert_string_equal(e->due_date, "2023-10-31");

	/* FreeType (trivy/defectdojo_scheme_2_many_vulns.json). */
	assert_non_null(kev_find(&c, "CVE-2020-15999"));

	assert_null(kev_find(&c, "CVE-1999-0001"));
	assert_null(kev_find(&c, "cve-2022-22965"));
	assert_null(kev_find(&c, NULL));
	kev_catalog_free(&c);
	assert_int_equal(c.n, 0);
	assert_null(c.items);
}

/* Parse a deep copy of the catalog after `edit` changed it. */
static void expect_broken(void (*edit)(json_t *), ms_err code, const char *field)
{
	json_t *copy = json_deep_copy(catalog_json);
	kev_catalog c;
	ms_error err = { 0 };
	ms_err rc;

	assert_non_null(copy);
	edit(copy);
	kev_catalog_init(&c);
	rc = kev_parse(&c, copy, &err);
	if (rc != code)
		fail_msg("expected %d got %d (%s: %s)", code, rc, err.field, err.message);
	assert_string_equal(err.field, field);
	assert_true(err.message[0] != '\0');
	assert_int_equal(c.n, 0);
	kev_catalog_free(&c);
	json_decref(copy);
}

static json_t *entry(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "vulnerabilities"), i);
}

static void bad_cve(json_t *r) { json_object_set_new(entry(r, 5), "cveID", json_string("CVE-22-1")); }
static void cve_suffix(json_t *r) { json_object_set_new(entry(r, 7), "cveID", json_string("CVE-2021-44228 ")); }
static void cve_short(json_t *r) { json_object_set_new(entry(r, 7), "cveID", json_string("CVE-2021-442")); }
static void cve_int(json_t *r) { json_object_set_new(entry(r, 0), "cveID", json_integer(2021)); }
static void no_cve(json_t *r) { json_object_del(entry(r, 1403), "cveID"); }
static void bad_due(json_t *r) { json_object_set_new(entry(r, 10), "dueDate", json_string("2023-02-30")); }
static void bad_month(json_t *r) { json_object_set_new(entry(r, 11), "dateAdded", json_string("2023-13-01")); }
static void slash_date(json_t *r) { json_object_set_new(entry(r, 12), "dateAdded", json_string("2023/01/01")); }
static void no_due(json_t *r) { json_object_del(entry(r, 2), "dueDate"); }
static void entry_null(json_t *r) { json_array_set_new(json_object_get(r, "vulnerabilities"), 3, json_null()); }
static void count_off(json_t *r) { json_object_set_new(r, "count", json_integer(1405)); }
static void count_neg(json_t *r) { json_object_set_new(r, "count", json_integer(-1)); }
static void no_version(json_t *r) { json_object_del(r, "catalogVersion"); }
static void no_released(json_t *r) { json_object_set_new(r, "dateReleased", json_null()); }
static void no_vulns(json_t *r) { json_object_del(r, "vulnerabilities"); }
static void vulns_object(json_t *r) { json_object_set_new(r, "vulnerabilities", json_object()); }

static void test_broken(void **state)
{
	(void)state;
	expect_broken(bad_cve, MS_ERR_MISSING, "vulnerabilities[5].cveID");
	expect_broken(cve_suffix, MS_ERR_MISSING, "vulnerabilities[7].cveID");
	expect_broken(cve_short, MS_ERR_MISSING, "vulnerabilities[7].cveID");
	expect_broken(cve_int, MS_ERR_MISSING, "vulnerabilities[0].cveID");
	expect_broken(no_cve, MS_ERR_MISSING, "vulnerabilities[1403].cveID");
	expect_broken(bad_due, MS_ERR_MISSING, "vulnerabilities[10].dueDate");
	expect_broken(bad_month, MS_ERR_MISSING, "vulnerabilities[11].dateAdded");
	expect_broken(slash_date, MS_ERR_MISSING, "vulnerabilities[12].dateAdded");
	expect_broken(no_due, MS_ERR_MISSING, "vulnerabilities[2].dueDate");
	expect_broken(entry_null, MS_ERR_MISSING, "vulnerabilities[3]");
	expect_broken(count_off, MS_ERR_MISSING, "count");
	expect_broken(count_neg, MS_ERR_MISSING, "count");
	expect_broken(no_version, MS_ERR_MISSING, "catalogVersion");
	expect_broken(no_released, MS_ERR_MISSING, "dateReleased");
	expect_broken(no_vulns, MS_ERR_FORMAT, "");
	expect_broken(vulns_object, MS_ERR_FORMAT, "");
}

static void test_small_documents(void **state)
{
	static const char ok[] =
		"{\"catalogVersion\":\"t\",\"dateReleased\":\"2024-02-29T00:00:00Z\","
		"\"vulnerabilities\":[{\"cveID\":\"CVE-2024-1234567\",\"vendorProject\":7,"
		"\"dateAdded\":\"2024-02-29\",\"dueDate\":\"2000-02-29\"}]}";
	static const char bad_leap[] =
		"{\"catalogVersion\":\"t\",\"dateReleased\":\"x\",\"vulnerabilities\":"
		"[{\"cveID\":\"CVE-2024-1234\",\"dateAdded\":\"1900-02-29\",\"dueDate\":\"2024-01-01\"}]}";
	json_error_t jerr;
	json_t *j;
	kev_catalog c;
	ms_error err = { 0 };

	(void)state;
	/* No count member, wrong-typed optional field, leap days. */
	j = json_loads(ok, 0, &jerr);
	assert_non_null(j);
	kev_catalog_init(&c);
	assert_int_equal(kev_parse(&c, j, &err), MS_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.items[0].cve, "CVE-2024-1234567");
	assert_null(c.items[0].vendor);
	assert_null(c.items[0].product);
	assert_null(c.items[0].ransomware);
	kev_catalog_free(&c);
	json_decref(j);

	j = json_loads(bad_leap, 0, &jerr);
	assert_non_null(j);
	kev_catalog_init(&c);
	assert_int_equal(kev_parse(&c, j, &err), MS_ERR_MISSING);
	assert_string_equal(err.field, "vulnerabilities[0].dateAdded");
	kev_catalog_free(&c);
	json_decref(j);

	/* Not a catalog at all. */
	j = json_loads("null", JSON_DECODE_ANY, &jerr);
	kev_catalog_init(&c);
	assert_int_equal(kev_parse(&c, j, &err), MS_ERR_FORMAT);
	assert_int_equal(kev_parse(&c, NULL, &err), MS_ERR_FORMAT);
	kev_catalog_free(&c);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_catalog),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_small_documents),
	};

	return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
