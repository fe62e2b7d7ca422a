/*
 * test_layout.c - layout.c: loads the two FedRAMP layouts shipped in
 * templates/ and checks their shape against the official templates (values
 * read from the .xlsx files with openpyxl), then refuses broken layouts.
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

#include "report/layout.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must be defined"
#endif
#ifndef TEMPLATES_DIR
#define TEMPLATES_DIR FIXTURES_DIR "/../../templates"
#endif

#define INVENTORY TEMPLATES_DIR "/inventory-v3.1.json"
#define POAM TEMPLATES_DIR "/poam-v2.1.json"

static layout *must_load(const char *path)
{
	char err[512] = "";
	layout *l = layout_load(path, err, sizeof(err));

	if (!l)
		fail_msg("%s", err);
	return l;
}

static void test_inventory(void **state)
{
	layout *l = must_load(INVENTORY);
	const layout_sheet *sh;
	const layout_style *st;
	(void)state;

	assert_string_equal(l->id, "inventory");
	assert_string_equal(l->version, "3.1");
	assert_string_equal(l->template_name,
			    "SSP-Appendix-M-Integrated-Inventory-Workbook-Template.xlsx");
	assert_int_equal(l->nsheets, 1);
	sh = layout_sheet_find(l, "Inventory");
	assert_non_null(sh);
	assert_ptr_equal(sh, &l->sheets[0]);
	assert_null(layout_sheet_find(l, "INSTRUCTIONS "));
	assert_null(layout_sheet_find(l, "inventory"));

	/* template columns B..Z, shifted to A..Y */
	assert_int_equal(sh->ncolumns, 25);
	assert_int_equal(sh->header_row, 1);
	assert_int_equal(sh->data_row, 2);
	assert_true(sh->has_freeze);
	assert_int_equal(sh->freeze_row, 2);
	assert_int_equal(sh->freeze_col, 0);
	assert_string_equal(sh->columns[0].header, "UNIQUE ASSET IDENTIFIER");
	assert_string_equal(sh->columns[0].field, "uai");
	assert_true(sh->columns[0].width == 37.33203125);
	assert_string_equal(sh->columns[1].header, "IPv4 or IPv6 Address");
	assert_int_equal(sh->columns[1].type, LAYOUT_WRAP);
	/* trailing space and line break kept from the template */
	assert_string_equal(sh->columns[20].header, "VLAN/\nNetwork ID");
	assert_string_equal(sh->columns[20].field, "vlan");
	assert_string_equal(sh->columns[24].header, "End-of-Life ");
	assert_int_equal(sh->columns[24].type, LAYOUT_DATE);
	assert_string_equal(sh->columns[15].header, "Software/ Database Name & Version");
	/* the template's <col min=4 max=6 width=25>: E and F are 25 wide too */
	assert_true(sh->columns[3].width == 25.0);
	assert_true(sh->columns[4].width == 25.0);
	assert_null(sh->columns[2].validation);

	assert_int_equal(layout_column_index(sh, "uai"), 0);
	assert_int_equal(layout_column_index(sh, "diagram_label"), 17);
	assert_int_equal(layout_column_index(sh, "end_of_life"), 24);
	assert_int_equal(layout_column_index(sh, "poam_id"), -1);
	assert_int_equal(layout_column_index(sh, NULL), -1);

	/* group headers: template B1:F1 G1:O1 P1:R1 S1:Z1 minus column A */
	assert_int_equal(sh->ncells, 4);
	assert_string_equal(sh->cells[0].text, "All Inventories");
	assert_int_equal(sh->cells[0].col, 0);
	assert_int_equal(sh->cells[0].last_col, 4);
	assert_string_equal(sh->cells[1].text, "OS/Infrastructure Inventory");
	assert_int_equal(sh->cells[1].col, 5);
	assert_int_equal(sh->cells[1].last_col, 13);
	assert_string_equal(sh->cells[3].text, "Any Inventory");
	assert_int_equal(sh->cells[3].col, 17);
	assert_int_equal(sh->cells[3].last_col, 24);

	/* the date column resolves to the "date" style, Excel built-in 14 */
	st = layout_style_at(l, sh->columns[24].style);
	assert_non_null(st);
	assert_string_equal(st->name, "date");
	assert_int_equal(st->num_format_index, 14);
	st = layout_style_at(l, sh->header_style);
	assert_non_null(st);
	assert_true(st->bold);
	assert_null(layout_style_at(l, -1));
	assert_null(layout_style_at(l, 1000));
	layout_free(l);
}

static void assert_list(char **list, const char *const *want)
{
	size_t i;

	assert_non_null(list);
	for (i = 0; want[i]; i++) {
		assert_non_null(list[i]);
		assert_string_equal(list[i], want[i]);
	}
	assert_null(list[i]);
}

static void test_poam(void **state)
{
	static const char *const ynp[] = { "Yes", "No", "Pending", NULL };
	static const char *const lmh[] = { "Low", "Moderate", "High", NULL };
	static const char *const lmhn[] = { "Low", "Moderate", "High", "N/A", NULL };
	static const char *const yn[] = { "Yes", "No", NULL };
	static const char *const names[] = {
		"Open POA&M Items", "Closed POA&M Items", "Configuration Findings"
	};
	layout *l = must_load(POAM);
	const layout_sheet *sh;
	size_t i;
	(void)state;

	assert_string_equal(l->id, "poam");
	assert_string_equal(l->version, "2.1");
	assert_int_equal(l->nsheets, 3);
	assert_null(layout_sheet_find(l, "Record of Changes"));
	for (i = 0; i < 3; i++) {
		sh = layout_sheet_find(l, names[i]);
		assert_non_null(sh);
		assert_ptr_equal(sh, &l->sheets[i]);
		assert_int_equal(sh->ncolumns, 31);
		assert_int_equal(sh->header_row, 4);
		assert_int_equal(sh->data_row, 5);
		assert_string_equal(sh->columns[0].header, "POAM ID");
		assert_string_equal(sh->columns[0].field, "poam_id");
		assert_string_equal(sh->columns[30].header, "Service Name");
		assert_string_equal(sh->columns[30].field, "service_name");
		assert_string_equal(sh->columns[16].header, "Last Vendor Check-in Date");
		assert_string_equal(sh->columns[27].header,
				    "Binding Operational Directive 22-01 tracking");
		assert_int_equal(layout_column_index(sh, "bod_22_01_due_date"), 28);
		assert_int_equal(sh->columns[28].type, LAYOUT_DATE);
		assert_int_equal(sh->columns[10].type, LAYOUT_DATE);
		assert_int_equal(layout_column_index(sh, "original_detection_date"), 10);
		/* widths: template <col 1..30 = 20.83203125> <col 31.. = 17.33203125> */
		assert_true(sh->columns[29].width == 20.83203125);
		assert_true(sh->columns[30].width == 17.33203125);
		/* value lists from the template; none on Weakness Source Identifier */
		assert_null(sh->columns[layout_column_index(sh, "weakness_source_identifier")].validation);
		assert_list(sh->columns[layout_column_index(sh, "vendor_dependency")].validation, yn);
		assert_list(sh->columns[layout_column_index(sh, "original_risk_rating")].validation, lmh);
		assert_list(sh->columns[layout_column_index(sh, "adjusted_risk_rating")].validation, lmhn);
		assert_list(sh->columns[layout_column_index(sh, "risk_adjustment")].validation, ynp);
		assert_list(sh->columns[layout_column_index(sh, "false_positive")].validation, ynp);
		assert_list(sh->columns[layout_column_index(sh, "operational_requirement")].validation, ynp);
		assert_null(sh->columns[layout_column_index(sh, "auto_approve")].validation);

		/* title, 4 labels, 4 values */
		assert_int_equal(sh->ncells, 9);
		assert_int_equal(sh->cells[0].row, 0);
		assert_int_equal(sh->cells[0].last_col, 4);
		assert_string_equal(sh->cells[1].text, "CSP");
		assert_string_equal(sh->cells[4].text, "POAM Date");
		assert_int_equal(sh->cells[4].row, 1);
		assert_string_equal(sh->cells[5].field, "csp");
		assert_int_equal(sh->cells[5].row, 2);
		assert_string_equal(sh->cells[7].field, "impact_level");
		assert_list(sh->cells[7].validation, lmh);
		assert_string_equal(sh->cells[8].field, "poam_date");
		assert_int_equal(sh->cells[8].type, LAYOUT_DATE);
	}
	/* the template's titles differ: only the open sheet has the ® sign */
	assert_string_equal(l->sheets[0].cells[0].text,
			    "FedRAMP\xC2\xAE Plan of Action and Milestones (POA&M) Template");
	assert_string_equal(l->sheets[1].cells[0].text,
			    "FedRAMP Plan of Action and Milestones (POA&M) Template");
	/* frozen at A6 on open and closed, not on configuration findings */
	assert_true(l->sheets[0].has_freeze);
	assert_int_equal(l->sheets[0].freeze_row, 5);
	assert_true(l->sheets[1].has_freeze);
	assert_false(l->sheets[2].has_freeze);
	layout_free(l);
}

/* ---- broken layouts ---- */

/* A minimal valid layout with one column; tests splice variants into it. */
#define MINI_HEAD "{\"schema\":1,\"id\":\"t\",\"version\":\"1\"," \
	"\"styles\":{\"date\":{\"num_format\":14},\"plain\":{\"bold\":true}},"
#define MINI_SHEET(cols) "\"sheets\":[{\"name\":\"S\",\"header_row\":0,\"data_row\":1," \
	"\"columns\":[" cols "]}]}"

static void expect_json_error(const char *json, const char *needle)
{
	json_error_t jerr;
	json_t *root = json_loads(json, JSON_ALLOW_NUL, &jerr);
	char err[512] = "";
	layout *l;

	if (!root)
		fail_msg("test JSON does not parse: %s: %s", jerr.text, json);
	l = layout_from_json(root, err, sizeof(err));
	json_decref(root);
	if (l) {
		layout_free(l);
		fail_msg("layout accepted: %s", json);
	}
	if (!strstr(err, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
}

static void test_minimal_ok(void **state)
{
	json_t *root = json_loads(MINI_HEAD MINI_SHEET(
		"{\"header\":\"A\",\"field\":\"a\"},"
		"{\"header\":\"D\",\"field\":\"d\",\"type\":\"date\"}"), 0, NULL);
	char err[256] = "";
	layout *l;
	(void)state;

	assert_non_null(root);
	l = layout_from_json(root, err, sizeof(err));
	json_decref(root);
	if (!l)
		fail_msg("%s", err);
	assert_int_equal(l->sheets[0].ncolumns, 2);
	assert_int_equal(l->sheets[0].columns[0].type, LAYOUT_TEXT);
	assert_int_equal(l->sheets[0].columns[0].style, -1);    /* no "text" style */
	assert_string_equal(layout_style_at(l, l->sheets[0].columns[1].style)->name, "date");
	assert_int_equal(l->sheets[0].header_style, -1);
	assert_int_equal(l->nstyles, 2);
	layout_free(l);
	layout_free(NULL);
	assert_null(layout_from_json(NULL, err, sizeof(err)));
}

static void test_bad_columns(void **state)
{
	(void)state;
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"type\":\"dat\"}"),
			  "sheets[0].columns[0]: unknown type \"dat\"");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"field\":\"a\"}"),
			  "sheets[0].columns[0]: missing \"header\"");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\"}"), "missing \"field\"");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"\",\"field\":\"a\"}"),
			  "\"header\" is empty");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":7,\"field\":\"a\"}"),
			  "\"header\" must be a string");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"Bad-Name\"}"),
			  "may only hold a-z");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\"},"
					       "{\"header\":\"B\",\"field\":\"a\"}"),
			  "field \"a\" appears twice");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"widht\":3}"),
			  "unknown key \"widht\"");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"width\":300}"),
			  "\"width\" must be between 0 and 255");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"style\":\"nope\"}"),
			  "unknown style \"nope\"");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"type\":\"date\",\"style\":\"plain\"}"),
			  "date column needs a style with a num_format");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"validation\":[\"Yes,No\"]}"),
			  "cannot contain a comma");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"validation\":[]}"),
			  "non-empty array");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"validation\":[1]}"),
			  "non-empty strings");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"validation\":[\""
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\""
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\""
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}"),
			  "longer than 255 characters");
	expect_json_error(MINI_HEAD MINI_SHEET("{\"header\":\"A\\u0000B\",\"field\":\"a\"}"),
			  "contains a NUL byte");
	expect_json_error(MINI_HEAD MINI_SHEET(""), "\"columns\" must be a non-empty array");
	expect_json_error(MINI_HEAD MINI_SHEET("\"x\""), "sheets[0].columns[0]: must be an object");
}

static void test_bad_sheets(void **state)
{
	(void)state;
	expect_json_error("[]", "a layout must be a JSON object");
	expect_json_error("{\"schema\":2,\"id\":\"t\",\"version\":\"1\",\"sheets\":[]}",
			  "unsupported schema 2");
	expect_json_error("{\"id\":\"t\",\"version\":\"1\",\"sheets\":[]}", "missing \"schema\"");
	expect_json_error("{\"schema\":1,\"version\":\"1\",\"sheets\":[]}", "missing \"id\"");
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\"}", "missing \"sheets\"");
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\",\"sheets\":[]}",
			  "sheets: must be a non-empty array");
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\",\"extra\":1,\"sheets\":[]}",
			  "unknown key \"extra\"");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":2,\"data_row\":2,"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "\"data_row\" must be below \"header_row\"");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":-1,\"data_row\":2,"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "\"header_row\" must be between 0 and 999");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":\"1\",\"data_row\":2,"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "\"header_row\" must be an integer");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"a/b\",\"header_row\":0,\"data_row\":1,"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "sheet name contains");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"0123456789012345678901234567890123\","
			  "\"header_row\":0,\"data_row\":1,"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "longer than 31 characters");
	expect_json_error(MINI_HEAD "\"sheets\":["
			  "{\"name\":\"Open\",\"header_row\":0,\"data_row\":1,\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]},"
			  "{\"name\":\"OPEN\",\"header_row\":0,\"data_row\":1,\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "sheets[1]: sheet name used twice");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":1,\"data_row\":2,"
			  "\"header_block\":[{\"row\":1,\"col\":0,\"text\":\"x\"}],"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "\"row\" must be above the header row");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":1,\"data_row\":2,"
			  "\"header_block\":[{\"row\":0,\"col\":0,\"text\":\"x\",\"field\":\"y\"}],"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "needs exactly one of \"text\" and \"field\"");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":1,\"data_row\":2,"
			  "\"header_block\":[{\"row\":0,\"col\":0,\"last_col\":3,\"text\":\"x\"},"
			  "{\"row\":0,\"col\":2,\"text\":\"y\"}],"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "header_block[1]: overlaps header_block[0]");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":1,\"data_row\":2,"
			  "\"header_block\":[{\"row\":0,\"col\":0,\"field\":\"d\",\"type\":\"date\"}],"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "a date cell needs a style with a num_format");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":1,\"data_row\":2,"
			  "\"row_heights\":[{\"row\":2,\"height\":10}],"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "row_heights[0]: \"row\" must be between 0 and 1");
	expect_json_error(MINI_HEAD "\"sheets\":[{\"name\":\"S\",\"header_row\":0,\"data_row\":1,"
			  "\"freeze\":{\"row\":1},"
			  "\"columns\":[{\"header\":\"A\",\"field\":\"a\"}]}]}",
			  "freeze: missing \"col\"");
}

static void test_bad_styles(void **state)
{
	(void)state;
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\",\"styles\":{\"x\":{\"color\":\"red\"}},"
			  MINI_SHEET("{\"header\":\"A\",\"field\":\"a\"}"),
			  "styles.x: \"color\" must be \"#RRGGBB\"");
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\",\"styles\":{\"x\":{\"bg\":\"#12345G\"}},"
			  MINI_SHEET("{\"header\":\"A\",\"field\":\"a\"}"),
			  "\"bg\" must be \"#RRGGBB\"");
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\",\"styles\":{\"x\":{\"align\":\"middle\"}},"
			  MINI_SHEET("{\"header\":\"A\",\"field\":\"a\"}"),
			  "unknown align \"middle\"");
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\",\"styles\":{\"x\":{\"bold\":1}},"
			  MINI_SHEET("{\"header\":\"A\",\"field\":\"a\"}"),
			  "\"bold\" must be true or false");
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\",\"styles\":{\"x\":{\"num_format\":300}},"
			  MINI_SHEET("{\"header\":\"A\",\"field\":\"a\"}"),
			  "\"num_format\" must be between 0 and 255");
	expect_json_error("{\"schema\":1,\"id\":\"t\",\"version\":\"1\",\"styles\":[],"
			  MINI_SHEET("{\"header\":\"A\",\"field\":\"a\"}"),
			  "styles: must be an object");
}

/* Write text to a new temporary file; returns its path in a static buffer. */
static const char *temp_layout(const char *text)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_layout.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void test_broken_files(void **state)
{
	char err[512];
	const char *path;
	(void)state;

	/* a JSON syntax error: file name, line and column in the message */
	path = temp_layout("{\"schema\": 1,\n \"id\": \"x\",\n \"sheets\": [\n");
	err[0] = '\0';
	assert_null(layout_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "line 4"));
	unlink(path);

	/* valid JSON, unknown column type */
	path = temp_layout(MINI_HEAD MINI_SHEET("{\"header\":\"A\",\"field\":\"a\",\"type\":\"money\"}"));
	err[0] = '\0';
	assert_null(layout_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "sheets[0].columns[0]: unknown type \"money\""));
	unlink(path);

	/* duplicate keys are refused */
	path = temp_layout("{\"schema\":1,\"schema\":1}");
	err[0] = '\0';
	assert_null(layout_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, "duplicate object key"));
	unlink(path);

	/* missing file */
	err[0] = '\0';
	assert_null(layout_load("/nonexistent/layout.json", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/layout.json"));
	/* a NULL error buffer is allowed */
	assert_null(layout_load("/nonexistent/layout.json", NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventory),
		cmocka_unit_test(test_poam),
		cmocka_unit_test(test_minimal_ok),
		cmocka_unit_test(test_bad_columns),
		cmocka_unit_test(test_bad_sheets),
		cmocka_unit_test(test_bad_styles),
		cmocka_unit_test(test_broken_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
