/*
 * test_xlsx_writer.c - xlsx_writer.c: writes an inventory workbook and a
 * POA&M workbook from the layouts in templates/, checks that writing twice
 * gives the same bytes, then has tests/unit/check_workbook.py compare them
 * with the official FedRAMP templates (tests/fixtures/fedramp/) and with the
 * values written.  Also the error paths: bad values, misuse, unwritable
 * paths, and no file or descriptor left behind by xw_abort().
 *
 * Usage: test_xlsx_writer [output-dir]   (default: a new mkdtemp directory,
 * removed at the end; a given directory keeps the workbooks for inspection)
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "report/layout.h"
#include "report/xlsx_writer.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must be defined"
#endif
#ifndef TEMPLATES_DIR
#define TEMPLATES_DIR FIXTURES_DIR "/../../templates"
#endif
#ifndef TESTS_DIR
#define TESTS_DIR FIXTURES_DIR "/.."
#endif

#define INVENTORY_LAYOUT TEMPLATES_DIR "/inventory-v3.1.json"
#define POAM_LAYOUT TEMPLATES_DIR "/poam-v2.1.json"
#define INVENTORY_TEMPLATE FIXTURES_DIR "/fedramp/SSP-Appendix-M-Integrated-Inventory-Workbook-Template.xlsx"
#define POAM_TEMPLATE FIXTURES_DIR "/fedramp/FedRAMP-POAM-Template.xlsx"
#define CHECKER TESTS_DIR "/unit/check_workbook.py"
#define PYTHON "/usr/bin/python3"

#define CREATED ((time_t)1738368000)   /* 2025-02-01T00:00:00Z */
#define CREATED_TEXT "2025-02-01T00:00:00Z"
#define MAXCOLS 64

static char outdir[512];
static int own_outdir;   /* made by mkdtemp: remove at the end */

static const char *out_path(const char *name)
{
	static char p[4][640];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", outdir, name);
	return p[k];
}

/* One row: the value given to the writer and the value expected back. */
typedef struct row {
	const char *in[MAXCOLS];
	const char *want[MAXCOLS];   /* NULL = same as in */
} row;

static void set(row *r, const layout_sheet *sh, const char *field,
		const char *in, const char *want)
{
	int i = layout_column_index(sh, field);

	if (i < 0)
		fail_msg("no field %s in %s", field, sh->name);
	r->in[i] = in;
	r->want[i] = want;
}

static layout *must_load(const char *path)
{
	char err[512] = "";
	layout *l = layout_load(path, err, sizeof(err));

	if (!l)
		fail_msg("%s", err);
	return l;
}

/* Expected cells for check_workbook.py: null, string, or {"date": ...}. */
static json_t *expected_rows(const layout_sheet *sh, const row *rows, size_t n)
{
	json_t *arr = json_array(), *cells, *v;
	size_t i, c;

	for (i = 0; i < n; i++) {
		cells = json_array();
		for (c = 0; c < sh->ncolumns; c++) {
			const char *s = rows[i].want[c] ? rows[i].want[c] : rows[i].in[c];

			if (!s || !*s)
				v = json_null();
			else if (sh->columns[c].type == LAYOUT_DATE)
				v = json_pack("{s:s}", "date", s);
			else
				v = json_string(s);
			assert_non_null(v);
			json_array_append_new(cells, v);
		}
		json_array_append_new(arr, cells);
	}
	return arr;
}

static void files_equal(const char *a, const char *b, int want_equal)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	int ca, cb, same = 1;

	assert_non_null(fa);
	assert_non_null(fb);
	do {
		ca = getc(fa);
		cb = getc(fb);
		if (ca != cb)
			same = 0;
	} while (same && ca != EOF);
	fclose(fa);
	fclose(fb);
	if (same != want_equal)
		fail_msg("%s and %s %s", a, b, want_equal ? "differ" : "are identical");
}

/* Run check_workbook.py; fails the test unless it exits 0. */
static void run_checker(const char *kind, const char *xlsx, const char *tmpl,
			const char *expected)
{
	char *argv[] = { (char *)PYTHON, (char *)CHECKER, (char *)kind,
			 (char *)xlsx, (char *)tmpl, (char *)expected, NULL };
	extern char **environ;
	pid_t pid;
	int st;

	if (access(PYTHON, X_OK) != 0)
		skip();
	assert_int_equal(posix_spawn(&pid, PYTHON, NULL, NULL, argv, environ), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* ---- inventory ---- */

#define INV_ROWS 3

static void inventory_rows(const layout_sheet *sh, row *r)
{
	memset(r, 0, INV_ROWS * sizeof(row));
	set(&r[0], sh, "uai", "registry.example.com/payments/api:2.3.1", NULL);
	set(&r[0], sh, "ip_address",
	    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
	    "sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", NULL);
	set(&r[0], sh, "virtual", "Yes", NULL);
	set(&r[0], sh, "public", "No", NULL);
	set(&r[0], sh, "authenticated_scan", "Yes", NULL);
	set(&r[0], sh, "baseline_configuration", "CIS Docker Benchmark v1.6.0", NULL);
	set(&r[0], sh, "os_name_version", "Alpine Linux 3.19.1", NULL);
	set(&r[0], sh, "asset_type", "Container", NULL);
	set(&r[0], sh, "hardware_model", "AWS EKS m6i.large", NULL);
	set(&r[0], sh, "in_latest_scan", "Yes", NULL);
	set(&r[0], sh, "diagram_label", "Payments API", NULL);
	set(&r[0], sh, "function", "Payment authorisation API", NULL);
	set(&r[0], sh, "end_of_life", "2026-03-31", NULL);
	/* CR LF becomes Excel's line break */
	set(&r[0], sh, "comments", "Built from Dockerfile\r\nin repo payments\rend",
	    "Built from Dockerfile\nin repo payments\nend");

	set(&r[1], sh, "uai", "docker.io/library/nginx:1.25.4", NULL);
	set(&r[1], sh, "ip_address",
	    "sha256:fd4a4e1a3b3c1bd7bd6b6e3a52b6a3b5c3f1d1e2f3a4b5c6d7e8f9a0b1c2d3e4", NULL);
	set(&r[1], sh, "virtual", "Yes", NULL);
	set(&r[1], sh, "public", "Yes", NULL);
	set(&r[1], sh, "authenticated_scan", "No", NULL);
	set(&r[1], sh, "os_name_version", "Debian GNU/Linux 12 (bookworm)", NULL);
	set(&r[1], sh, "asset_type", "Container", NULL);
	set(&r[1], sh, "in_latest_scan", "Yes", NULL);
	set(&r[1], sh, "diagram_label", "Edge proxy", NULL);
	set(&r[1], sh, "function", "Reverse proxy", NULL);
	set(&r[1], sh, "end_of_life", "2024-02-29", NULL);   /* leap day */
	/* a formula stays text; a literal _x0041_ survives; a bad byte is U+FFFD */
	set(&r[1], sh, "comments", "=HYPERLINK(\"http://x\") _x0041_ bad\xff byte",
	    "=HYPERLINK(\"http://x\") _x0041_ bad\xEF\xBF\xBD byte");

	set(&r[2], sh, "uai", "registry.example.com/batch/worker:sha256-0123456789ab", NULL);
	set(&r[2], sh, "virtual", "Yes", NULL);
	set(&r[2], sh, "public", "No", NULL);
	set(&r[2], sh, "software_vendor", "Open Source", NULL);
	set(&r[2], sh, "vlan", "", NULL);                    /* "" = blank */
	set(&r[2], sh, "system_administrator", "J\xC3\xBCrgen M\xC3\xBCller", NULL);
}

static void write_inventory(const layout *l, const char *path, time_t created)
{
	const layout_sheet *sh = layout_sheet_find(l, "Inventory");
	row rows[INV_ROWS];
	char err[512] = "";
	xw_writer *w;
	size_t i;

	assert_non_null(sh);
	inventory_rows(sh, rows);
	w = xw_open(l, path, outdir, created, NULL, NULL, err, sizeof(err));
	if (!w)
		fail_msg("xw_open: %s", err);
	assert_int_equal(xw_begin_sheet(w, "Inventory"), 0);
	for (i = 0; i < INV_ROWS; i++)
		if (xw_write_row(w, rows[i].in, sh->ncolumns))
			fail_msg("row %zu: %s", i, xw_error(w));
	if (xw_close(w, err, sizeof(err)))
		fail_msg("xw_close: %s", err);
}

static void test_inventory_workbook(void **state)
{
	layout *l = must_load(INVENTORY_LAYOUT);
	const layout_sheet *sh = layout_sheet_find(l, "Inventory");
	const char *a = out_path("inventory_a.xlsx"), *b = out_path("inventory_b.xlsx");
	const char *c = out_path("inventory_c.xlsx"), *exp = out_path("inventory_expected.json");
	row rows[INV_ROWS];
	json_t *doc;
	(void)state;

	write_inventory(l, a, CREATED);
	sleep(1);   /* a wall-clock time leaking into the file would now differ */
	write_inventory(l, b, CREATED);
	files_equal(a, b, 1);
	write_inventory(l, c, CREATED + 86400);
	files_equal(a, c, 0);

	inventory_rows(sh, rows);
	doc = json_pack("{s:s, s:{s:o}}", "created", CREATED_TEXT, "sheets",
			"Inventory", expected_rows(sh, rows, INV_ROWS));
	assert_non_null(doc);
	assert_int_equal(json_dump_file(doc, exp, JSON_INDENT(1)), 0);
	json_decref(doc);
	run_checker("inventory", a, INVENTORY_TEMPLATE, exp);
	layout_free(l);
}

/* ---- POA&M ---- */

#define OPEN_ROWS 2
#define CLOSED_ROWS 1

static const char *poam_block(const char *field, void *payload)
{
	(void)payload;
	if (strcmp(field, "csp") == 0)
		return "Example Cloud, Inc.";
	if (strcmp(field, "system_name") == 0)
		return "Example SaaS";
	if (strcmp(field, "impact_level") == 0)
		return "Moderate";
	if (strcmp(field, "poam_date") == 0)
		return "2025-01-31";
	return NULL;
}

static void open_rows(const layout_sheet *sh, row *r)
{
	memset(r, 0, OPEN_ROWS * sizeof(row));
	set(&r[0], sh, "poam_id", "V-1", NULL);
	set(&r[0], sh, "controls", "RA-5\nSI-2", NULL);
	set(&r[0], sh, "weakness_name", "CVE-2024-6387", NULL);
	set(&r[0], sh, "weakness_description",
	    "openssh: regreSSHion - race condition in sshd's SIGALRM handler", NULL);
	set(&r[0], sh, "weakness_detector_source", "Trivy 0.50.1", NULL);
	set(&r[0], sh, "weakness_source_identifier", "CVE-2024-6387", NULL);
	set(&r[0], sh, "asset_identifier",
	    "registry.example.com/payments/api:2.3.1\ndocker.io/library/nginx:1.25.4", NULL);
	set(&r[0], sh, "point_of_contact", "Platform team", NULL);
	set(&r[0], sh, "overall_remediation_plan", "Rebuild on a fixed base image", NULL);
	set(&r[0], sh, "original_detection_date", "2025-01-05", NULL);
	set(&r[0], sh, "scheduled_completion_date", "2025-01-26", NULL);
	set(&r[0], sh, "planned_milestones", "(1) 2025-01-20: Rebuild images", NULL);
	set(&r[0], sh, "status_date", "2025-01-31", NULL);
	set(&r[0], sh, "vendor_dependency", "No", NULL);
	set(&r[0], sh, "original_risk_rating", "High", NULL);
	set(&r[0], sh, "risk_adjustment", "No", NULL);
	set(&r[0], sh, "false_positive", "No", NULL);
	set(&r[0], sh, "operational_requirement", "No", NULL);
	set(&r[0], sh, "auto_approve", "No", NULL);
	set(&r[0], sh, "bod_22_01_tracking", "Yes", NULL);
	set(&r[0], sh, "bod_22_01_due_date", "2025-01-26", NULL);
	set(&r[0], sh, "cve", "CVE-2024-6387", NULL);
	set(&r[0], sh, "service_name", "Example SaaS", NULL);

	set(&r[1], sh, "poam_id", "V-2", NULL);
	set(&r[1], sh, "weakness_name", "CVE-2023-5678", NULL);
	set(&r[1], sh, "weakness_detector_source", "Grype 0.74.0", NULL);
	set(&r[1], sh, "weakness_source_identifier", "GHSA-xxxx-yyyy-zzzz", NULL);
	set(&r[1], sh, "asset_identifier", "registry.example.com/payments/api:2.3.1", NULL);
	set(&r[1], sh, "original_detection_date", "2024-12-01", NULL);
	set(&r[1], sh, "scheduled_completion_date", "2025-03-01", NULL);
	set(&r[1], sh, "status_date", "2025-01-31", NULL);
	set(&r[1], sh, "vendor_dependency", "Yes", NULL);
	set(&r[1], sh, "last_vendor_checkin_date", "2025-01-30", NULL);
	set(&r[1], sh, "vendor_dependent_product_name", "openssl", NULL);
	set(&r[1], sh, "original_risk_rating", "Moderate", NULL);
	set(&r[1], sh, "risk_adjustment", "Pending", NULL);
	set(&r[1], sh, "false_positive", "No", NULL);
	set(&r[1], sh, "operational_requirement", "No", NULL);
	set(&r[1], sh, "deviation_rationale", "Vendor Dependency : no fixed version published", NULL);
	set(&r[1], sh, "bod_22_01_tracking", "No", NULL);
}

static void closed_rows(const layout_sheet *sh, row *r)
{
	memset(r, 0, CLOSED_ROWS * sizeof(row));
	set(&r[0], sh, "poam_id", "V-0", NULL);
	set(&r[0], sh, "weakness_name", "CVE-2023-44487", NULL);
	set(&r[0], sh, "weakness_detector_source", "Trivy 0.50.1", NULL);
	set(&r[0], sh, "weakness_source_identifier", "CVE-2023-44487", NULL);
	set(&r[0], sh, "asset_identifier", "docker.io/library/nginx:1.25.4", NULL);
	set(&r[0], sh, "original_detection_date", "2024-10-10", NULL);
	set(&r[0], sh, "scheduled_completion_date", "2024-11-09", NULL);
	set(&r[0], sh, "status_date", "2025-01-15", NULL);
	set(&r[0], sh, "original_risk_rating", "High", NULL);
	set(&r[0], sh, "adjusted_risk_rating", "N/A", NULL);
	set(&r[0], sh, "comments", "Closed: no production container runs the build", NULL);
}

static void write_poam(const layout *l, const char *path)
{
	const layout_sheet *op = layout_sheet_find(l, "Open POA&M Items");
	const layout_sheet *cl = layout_sheet_find(l, "Closed POA&M Items");
	row o[OPEN_ROWS], c[CLOSED_ROWS];
	char err[512] = "";
	xw_writer *w;
	size_t i;

	assert_non_null(op);
	assert_non_null(cl);
	open_rows(op, o);
	closed_rows(cl, c);
	w = xw_open(l, path, NULL, CREATED, poam_block, NULL, err, sizeof(err));
	if (!w)
		fail_msg("xw_open: %s", err);
	/* closed first: sheets can be begun in any order */
	assert_int_equal(xw_begin_sheet(w, "Closed POA&M Items"), 0);
	for (i = 0; i < CLOSED_ROWS; i++)
		if (xw_write_row(w, c[i].in, cl->ncolumns))
			fail_msg("closed row %zu: %s", i, xw_error(w));
	assert_int_equal(xw_begin_sheet(w, "Open POA&M Items"), 0);
	for (i = 0; i < OPEN_ROWS; i++)
		if (xw_write_row(w, o[i].in, op->ncolumns))
			fail_msg("open row %zu: %s", i, xw_error(w));
	/* "Configuration Findings" is never begun: headers only */
	if (xw_close(w, err, sizeof(err)))
		fail_msg("xw_close: %s", err);
}

static void test_poam_workbook(void **state)
{
	layout *l = must_load(POAM_LAYOUT);
	const layout_sheet *op = layout_sheet_find(l, "Open POA&M Items");
	const layout_sheet *cl = layout_sheet_find(l, "Closed POA&M Items");
	const char *a = out_path("poam_a.xlsx"), *b = out_path("poam_b.xlsx");
	const char *exp = out_path("poam_expected.json");
	row o[OPEN_ROWS], c[CLOSED_ROWS];
	json_t *doc;
	(void)state;

	write_poam(l, a);
	sleep(1);
	write_poam(l, b);
	files_equal(a, b, 1);

	open_rows(op, o);
	closed_rows(cl, c);
	doc = json_pack("{s:s, s:{s:s,s:s,s:s,s:s}, s:{s:o,s:o,s:[]}}",
			"created", CREATED_TEXT,
			"block", "csp", "Example Cloud, Inc.", "system_name", "Example SaaS",
			"impact_level", "Moderate", "poam_date", "2025-01-31",
			"sheets",
			"Open POA&M Items", expected_rows(op, o, OPEN_ROWS),
			"Closed POA&M Items", expected_rows(cl, c, CLOSED_ROWS),
			"Configuration Findings");
	assert_non_null(doc);
	assert_int_equal(json_dump_file(doc, exp, JSON_INDENT(1)), 0);
	json_decref(doc);
	run_checker("poam", a, POAM_TEMPLATE, exp);
	layout_free(l);
}

/* ---- errors ---- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void assert_absent(const char *path)
{
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

/* A POA&M writer on the open sheet, ready for rows. */
static xw_writer *open_poam(const layout *l, const char *path)
{
	char err[512] = "";
	xw_writer *w = xw_open(l, path, NULL, CREATED, poam_block, NULL, err, sizeof(err));

	if (!w)
		fail_msg("xw_open: %s", err);
	assert_int_equal(xw_begin_sheet(w, "Open POA&M Items"), 0);
	return w;
}

static void expect_row_error(const layout *l, const char *field, const char *value,
			     const char *needle)
{
	const layout_sheet *sh = layout_sheet_find(l, "Open POA&M Items");
	const char *path = out_path("err.xlsx");
	const char *vals[MAXCOLS] = { 0 };
	char err[512] = "";
	xw_writer *w = open_poam(l, path);

	vals[layout_column_index(sh, "poam_id")] = "V-9";
	vals[layout_column_index(sh, field)] = value;
	assert_int_equal(xw_write_row(w, vals, sh->ncolumns), -1);
	if (!strstr(xw_error(w), needle))
		fail_msg("error \"%s\" lacks \"%s\"", xw_error(w), needle);
	/* the writer refuses further rows, and close reports the failure */
	vals[layout_column_index(sh, field)] = NULL;
	assert_int_equal(xw_write_row(w, vals, sh->ncolumns), -1);
	assert_int_equal(xw_close(w, err, sizeof(err)), -1);
	assert_non_null(strstr(err, needle));
	assert_absent(path);
}

static void test_bad_values(void **state)
{
	layout *l = must_load(POAM_LAYOUT);
	char *longstr;
	(void)state;

	expect_row_error(l, "original_detection_date", "2025-02-30",
			 "sheet \"Open POA&M Items\" row 6 column \"original_detection_date\": not a date");
	expect_row_error(l, "status_date", "2025-1-5", "not a date");
	expect_row_error(l, "status_date", "1899-12-31", "not a date");
	expect_row_error(l, "status_date", "2025-01-05T00:00:00Z", "not a date");
	expect_row_error(l, "bod_22_01_due_date", "soon", "not a date");
	longstr = malloc(40001);
	assert_non_null(longstr);
	memset(longstr, 'a', 40000);
	longstr[40000] = '\0';
	expect_row_error(l, "weakness_description", longstr, "32,767");
	free(longstr);
	layout_free(l);
}

static void test_misuse(void **state)
{
	layout *l = must_load(POAM_LAYOUT);
	const layout_sheet *sh = layout_sheet_find(l, "Open POA&M Items");
	const char *path = out_path("misuse.xlsx");
	const char *vals[MAXCOLS] = { 0 };
	char err[512];
	xw_writer *w;
	(void)state;

	err[0] = '\0';
	assert_null(xw_open(l, path, NULL, 0, NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "no creation time"));
	assert_null(xw_open(NULL, path, NULL, CREATED, NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "no layout"));

	/* rows before a sheet is begun */
	w = xw_open(l, path, NULL, CREATED, NULL, NULL, err, sizeof(err));
	assert_non_null(w);
	assert_string_equal(xw_error(w), "");
	assert_int_equal(xw_write_row(w, vals, sh->ncolumns), -1);
	assert_non_null(strstr(xw_error(w), "before xw_begin_sheet"));
	xw_abort(w);

	/* unknown sheet, and a sheet begun twice */
	w = xw_open(l, path, NULL, CREATED, NULL, NULL, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(xw_begin_sheet(w, "Record of Changes"), -1);
	assert_non_null(strstr(xw_error(w), "no sheet \"Record of Changes\" in layout poam"));
	xw_abort(w);
	w = open_poam(l, path);
	assert_int_equal(xw_begin_sheet(w, "Open POA&M Items"), -1);
	assert_non_null(strstr(xw_error(w), "already written"));
	xw_abort(w);

	/* wrong number of values */
	w = open_poam(l, path);
	assert_int_equal(xw_write_row(w, vals, 30), -1);
	assert_non_null(strstr(xw_error(w), "30 values for 31 columns"));
	xw_abort(w);
	assert_absent(path);
	layout_free(l);
}

static const char *bad_poam_date(const char *field, void *payload)
{
	(void)payload;
	return strcmp(field, "poam_date") == 0 ? "31/01/2025" : "x";
}

static void test_open_close_failures(void **state)
{
	layout *l = must_load(POAM_LAYOUT);
	char err[512];
	xw_writer *w;
	int fds;
	(void)state;

	err[0] = '\0';
	assert_null(xw_open(l, out_path("blk.xlsx"), NULL, CREATED, bad_poam_date, NULL,
			    err, sizeof(err)));
	assert_non_null(strstr(err, "sheet \"Open POA&M Items\" field \"poam_date\": not a date"));

	/* temporary files cannot be created */
	err[0] = '\0';
	assert_null(xw_open(l, out_path("tmp.xlsx"), "/nonexistent-muster-tmpdir", CREATED,
			    NULL, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "temporary directory /nonexistent-muster-tmpdir: "
			       "No such file or directory"));

	/* the file cannot be created: reported, and no descriptor leaks */
	fds = count_fds();
	w = xw_open(l, "/nonexistent-muster-dir/out.xlsx", NULL, CREATED, NULL, NULL,
		    err, sizeof(err));
	assert_non_null(w);
	err[0] = '\0';
	assert_int_equal(xw_close(w, err, sizeof(err)), -1);
	assert_string_equal(err, "could not write /nonexistent-muster-dir/out.xlsx: "
			    "No such file or directory");
	assert_int_equal(count_fds(), fds);

	/* a successful close leaves no descriptor open either */
	w = open_poam(l, out_path("numbers.xlsx"));
	assert_int_equal(xw_close(w, err, sizeof(err)), 0);
	assert_int_equal(count_fds(), fds);

	/* abort leaves no file and no open temporary file */
	w = open_poam(l, out_path("abort.xlsx"));
	assert_true(count_fds() > fds);   /* one temporary file per sheet */
	xw_abort(w);
	assert_int_equal(count_fds(), fds);
	assert_absent(out_path("abort.xlsx"));
	xw_abort(NULL);
	layout_free(l);
}

/* Number columns, from a layout given as JSON. */
static void test_number_column(void **state)
{
	static const char *doc =
		"{\"schema\":1,\"id\":\"n\",\"version\":\"1\",\"sheets\":[{\"name\":\"N\","
		"\"header_row\":0,\"data_row\":1,\"columns\":["
		"{\"header\":\"Score\",\"field\":\"score\",\"type\":\"number\"}]}]}";
	static const char *const good[] = { "12", "-1.5", "+3.25e2", "0.5", ".5" };
	static const char *const bad[] = { "abc", "0x10", "1e999", "1.2.3", " 1", "1e", "-" };
	json_t *root = json_loads(doc, 0, NULL);
	char err[512] = "";
	layout *l;
	xw_writer *w;
	size_t i;
	(void)state;

	assert_non_null(root);
	l = layout_from_json(root, err, sizeof(err));
	json_decref(root);
	assert_non_null(l);
	w = xw_open(l, out_path("numbers.xlsx"), NULL, CREATED, NULL, NULL, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(xw_begin_sheet(w, "N"), 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (xw_write_row(w, &good[i], 1))
			fail_msg("%s: %s", good[i], xw_error(w));
	assert_int_equal(xw_close(w, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w = xw_open(l, out_path("numbers.xlsx"), NULL, CREATED, NULL, NULL, err,
			    sizeof(err));
		assert_non_null(w);
		assert_int_equal(xw_begin_sheet(w, "N"), 0);
		if (xw_write_row(w, &bad[i], 1) != -1)
			fail_msg("\"%s\" accepted as a number", bad[i]);
		assert_non_null(strstr(xw_error(w), "not a number"));
		xw_abort(w);
	}
	layout_free(l);
}

static void remove_outputs(void)
{
	static const char *const names[] = {
		"inventory_a.xlsx", "inventory_b.xlsx", "inventory_c.xlsx",
		"inventory_expected.json", "poam_a.xlsx", "poam_b.xlsx",
		"poam_expected.json", "numbers.xlsx", NULL
	};
	size_t i;

	for (i = 0; names[i]; i++)
		unlink(out_path(names[i]));
	rmdir(outdir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inventory_workbook),
		cmocka_unit_test(test_poam_workbook),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_open_close_failures),
		cmocka_unit_test(test_number_column),
	};
	int rc;

	if (argc > 1) {
		snprintf(outdir, sizeof(outdir), "%s", argv[1]);
	} else {
		snprintf(outdir, sizeof(outdir), "/tmp/test_xlsx_writer.XXXXXX");
		if (!mkdtemp(outdir)) {
			perror("mkdtemp");
			return 1;
		}
		own_outdir = 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (own_outdir)
		remove_outputs();
	return rc;
}
