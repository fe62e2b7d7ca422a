/*
 * test_poam_export.c - unit tests of report/poam_export.c without a
 * database: version-5 UUIDs (checked against Python's uuid.uuid5 with
 * muster's namespace), the CSV of the open items from a fake row source
 * (header row = the layout's headers, values placed by field name, closed
 * rows and unknown fields ignored), the OSCAL writer from fake items
 * (valid JSON with the FedRAMP properties, the placeholder item of an
 * empty POA&M, malformed items refused) and the workbook's failure paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "report/layout.h"
#include "report/poam_export.h"
#include "util/buf.h"

#define LAYOUT TESTS_DIR "/../templates/poam-v2.1.json"

static size_t to_buf(const void *data, size_t len, void *payload)
{
	return buf_append(payload, data, len) == 0 ? len : 0;
}

static void test_uuid(void **state)
{
	char u[37];

	(void)state;
	/* python3: uuid.uuid5(uuid.UUID(bytes=<muster namespace>), name) */
	poam_export_uuid("poam-item:V-1", u);
	assert_string_equal(u, "87260dbf-0893-5070-a9b8-353e0cfb424e");
	poam_export_uuid("", u);
	assert_string_equal(u, "6cb8a641-2b9f-5cdd-b34e-8be0ef3fb264");
	assert_int_equal(strlen(u), 36);
	assert_int_equal(u[14], '5');
}

/* Two open rows (one with an unknown field) and a closed one. */
static int rows_source(void *src, poam_emit_fn emit, void *sink)
{
	static const char *const names[] = {"poam_id", "weakness_name", "asset_identifier",
					    "original_detection_date", "no_such_field"};
	const char *v1[] = {"V-1", "openssl, remote \"overflow\"", "reg/a:1\nreg/a:2", "2027-01-04", "x"};
	const char *v2[] = {"V-2", "=cmd()", NULL, "2027-01-05", NULL};
	const char *v3[] = {"V-3", "closed one", "reg/a:1", "2027-01-01", NULL};
	int rc;

	(void)src;
	rc = emit(sink, POAM_EXPORT_OPEN, names, v1, 5);
	if (!rc)
		rc = emit(sink, POAM_EXPORT_OPEN, names, v2, 5);
	if (!rc)
		rc = emit(sink, POAM_EXPORT_CLOSED, names, v3, 5);
	return rc;
}

static void test_csv(void **state)
{
	char err[256];
	layout *l = layout_load(LAYOUT, err, sizeof(err));
	buf out;
	char *line2;

	(void)state;
	assert_non_null(l);
	buf_init(&out, 1 << 20);
	assert_int_equal(poam_export_csv(l, CSV_ESCAPE_FORMULAS, to_buf, &out, rows_source, NULL, err,
					 sizeof(err)), 0);
	assert_non_null(out.data);
	/* the header row starts with the template's first headers */
	assert_memory_equal(out.data, "POAM ID,Controls,Weakness Name,Weakness Description,", 50);
	line2 = strstr(out.data, "\r\nV-1,");
	assert_non_null(line2);
	assert_non_null(strstr(line2, "\"openssl, remote \"\"overflow\"\"\""));
	assert_non_null(strstr(line2, "\"reg/a:1\nreg/a:2\""));
	assert_non_null(strstr(out.data, "\r\nV-2,,'=cmd(),"));   /* formula escaped */
	assert_null(strstr(out.data, "V-3"));                      /* closed rows skipped */
	assert_null(strstr(out.data, ",x,"));                      /* unknown field ignored */
	buf_free(&out);
	layout_free(l);
}

struct items {
	const char *const *states;
	size_t n;
};

static int items_source(void *src, poam_item_fn item, void *sink)
{
	struct items *it = src;
	size_t i;
	int rc = 0;

	for (i = 0; i < it->n && !rc; i++)
		rc = item(sink, it->states[i], "[{\"at\":\"2027-01-04T01:00:00Z\",\"kind\":\"opened\",\"delta\":{}}]");
	return rc;
}

static json_t *oscal(const struct items *src, int expect_ok)
{
	poam_header h = {"Acme Corp", "Acme\nCloud ", "Moderate", "2027-01-31"};
	char err[256];
	buf out;
	json_t *doc;
	int rc;

	buf_init(&out, 1 << 20);
	rc = poam_export_oscal(&h, 1801439999, "/tmp", to_buf, &out, items_source, (void *)src, err, sizeof(err));
	if (!expect_ok) {
		assert_int_equal(rc, -1);
		assert_true(strlen(err) > 0);
		buf_free(&out);
		return NULL;
	}
	assert_int_equal(rc, 0);
	doc = json_loadb(out.data, out.len, 0, NULL);
	buf_free(&out);
	assert_non_null(doc);
	return doc;
}

static void test_oscal(void **state)
{
	static const char *const states[] = {
		"{\"poam_id\":\"V-7\",\"weakness\":\"CVE-2022-22965\",\"weakness_name\":\"Spring4Shell\","
		"\"detector\":\"trivy\",\"source_id\":\"CVE-2022-22965\",\"assets\":[\"reg/a:1\",\"reg/a:2\"],"
		"\"detected_at\":\"2027-01-04T01:00:00Z\",\"scheduled\":\"2022-04-25\",\"status\":\"open\","
		"\"original_risk\":\"High\",\"adjusted_risk\":\"Moderate\",\"risk_adjustment\":\"Yes\","
		"\"false_positive\":\"No\",\"operational_requirement\":\"Pending\",\"kev\":true,"
		"\"kev_due\":\"2022-04-25\",\"vendor_dependency\":false,\"cves\":[\"CVE-2022-22965\"],"
		"\"remediation_plan\":\"Rebuild\",\"resources_required\":\"  two\\n engineers \"}",
	};
	static const char *const bad[] = {"{\"weakness\":\"no id\"}"};
	struct items one = {states, 1}, none = {NULL, 0}, broken = {bad, 1};
	json_t *doc, *p, *risk, *props, *pr;
	size_t i;
	int kev = 0, or_pending = 0;

	(void)state;
	doc = oscal(&one, 1);
	p = json_object_get(doc, "plan-of-action-and-milestones");
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "metadata"), "title")),
			    "Acme Cloud FedRAMP Plan of Action and Milestones (POA&M)");
	assert_string_equal(json_string_value(json_object_get(json_object_get(p, "metadata"), "last-modified")),
			    "2027-01-31T23:59:59Z");
	assert_int_equal(json_array_size(json_object_get(json_object_get(p, "local-definitions"), "inventory-items")), 2);
	risk = json_array_get(json_object_get(p, "risks"), 0);
	assert_string_equal(json_string_value(json_object_get(risk, "status")), "deviation-requested");
	assert_string_equal(json_string_value(json_object_get(risk, "deadline")), "2022-04-25T00:00:00Z");
	props = json_object_get(risk, "props");
	json_array_foreach(props, i, pr) {
		const char *n = json_string_value(json_object_get(pr, "name"));
		const char *v = json_string_value(json_object_get(pr, "value"));

		if (!strcmp(n, "kev-due-date") && !strcmp(v, "2022-04-25"))
			kev = 1;
		if (!strcmp(n, "operational-requirement") && !strcmp(v, "pending"))
			or_pending = 1;
	}
	assert_true(kev && or_pending);
	/* whitespace of a prop value collapses (OSCAL StringDatatype) */
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(
		json_object_get(risk, "remediations"), 0), "required-assets"), 0), "description")), "two engineers");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(json_array_get(
		json_object_get(p, "poam-items"), 0), "props"), 0), "value")), "V-7");
	json_decref(doc);

	/* no items: one placeholder, no observations or risks */
	doc = oscal(&none, 1);
	p = json_object_get(doc, "plan-of-action-and-milestones");
	assert_int_equal(json_array_size(json_object_get(p, "poam-items")), 1);
	assert_null(json_object_get(p, "risks"));
	assert_null(json_object_get(p, "local-definitions"));
	json_decref(doc);

	/* an item without a POAM ID is an error */
	assert_null(oscal(&broken, 0));
}

static int failing_source(void *src, poam_emit_fn emit, void *sink)
{
	(void)src;
	(void)emit;
	(void)sink;
	return 42;
}

static void test_xlsx_errors(void **state)
{
	char err[256], path[] = "/tmp/test_poam_export_XXXXXX";
	layout *l = layout_load(LAYOUT, err, sizeof(err));
	poam_header h = {NULL, NULL, NULL, "2027-01-31"};
	int fd;

	(void)state;
	assert_non_null(l);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* a source that fails leaves no workbook behind */
	assert_int_equal(poam_export_xlsx(l, path, "/tmp", 1801439999, &h, failing_source, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "the POA&M rows could not be read");
	/* a good one writes it */
	assert_int_equal(poam_export_xlsx(l, path, "/tmp", 1801439999, &h, rows_source, NULL, err, sizeof(err)), 0);
	assert_int_equal(access(path, R_OK), 0);
	unlink(path);
	layout_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_oscal),
		cmocka_unit_test(test_xlsx_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
