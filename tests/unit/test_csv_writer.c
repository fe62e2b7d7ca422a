/*
 * test_csv_writer.c - csv_writer.c: RFC 4180 quoting, CRLF line ends, the
 * inventory header row byte for byte, formula escaping, and failures of the
 * output callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/csv_writer.h"
#include "report/layout.h"

#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must be defined"
#endif
#ifndef TEMPLATES_DIR
#define TEMPLATES_DIR FIXTURES_DIR "/../../templates"
#endif

typedef struct sink {
	char data[8192];
	size_t len;
	size_t fail_after;   /* refuse writes once len would pass this; 0 = never */
} sink;

static size_t to_sink(const void *data, size_t len, void *payload)
{
	sink *s = payload;

	if (s->fail_after && s->len + len > s->fail_after)
		return 0;
	assert_true(s->len + len < sizeof(s->data));
	memcpy(s->data + s->len, data, len);
	s->len += len;
	s->data[s->len] = '\0';
	return len;
}

static layout *three_columns(void)
{
	static const char *doc =
		"{\"schema\":1,\"id\":\"c\",\"version\":\"1\",\"sheets\":[{\"name\":\"C\","
		"\"header_row\":0,\"data_row\":1,\"columns\":["
		"{\"header\":\"ID\",\"field\":\"id\"},"
		"{\"header\":\"Say \\\"hi\\\", twice\",\"field\":\"text\"},"
		"{\"header\":\"Due\",\"field\":\"due\",\"type\":\"date\",\"style\":\"d\"}]}],"
		"\"styles\":{\"d\":{\"num_format\":14}}}";
	json_t *root = json_loads(doc, 0, NULL);
	char err[256] = "";
	layout *l;

	assert_non_null(root);
	l = layout_from_json(root, err, sizeof(err));
	json_decref(root);
	if (!l)
		fail_msg("%s", err);
	return l;
}

static void test_quoting(void **state)
{
	layout *l = three_columns();
	const layout_sheet *sh = &l->sheets[0];
	const char *r1[] = { "V-1", "plain", "2025-01-31" };
	const char *r2[] = { "V-2", "a,b", NULL };
	const char *r3[] = { "V-3", "say \"x\"\r\nnext\nline", "" };
	const char *r4[] = { "", "\"", "cr\ronly" };
	sink s = { .len = 0 };
	(void)state;

	assert_int_equal(csv_write_header(sh, 0, to_sink, &s), 0);
	assert_int_equal(csv_write_row(sh, r1, 3, 0, to_sink, &s), 0);
	assert_int_equal(csv_write_row(sh, r2, 3, 0, to_sink, &s), 0);
	assert_int_equal(csv_write_row(sh, r3, 3, 0, to_sink, &s), 0);
	assert_int_equal(csv_write_row(sh, r4, 3, 0, to_sink, &s), 0);
	assert_string_equal(s.data,
			    "ID,\"Say \"\"hi\"\", twice\",Due\r\n"
			    "V-1,plain,2025-01-31\r\n"
			    "V-2,\"a,b\",\r\n"
			    "V-3,\"say \"\"x\"\"\r\nnext\nline\",\r\n"
			    ",\"\"\"\",\"cr\ronly\"\r\n");
	layout_free(l);
}

static void test_formula_escape(void **state)
{
	layout *l = three_columns();
	const layout_sheet *sh = &l->sheets[0];
	const char *r1[] = { "=1+1", "@SUM(A1),x", "-2" };
	const char *r2[] = { "+x", "a=b", "\tTab" };
	sink s = { .len = 0 };
	(void)state;

	assert_int_equal(csv_write_row(sh, r1, 3, CSV_ESCAPE_FORMULAS, to_sink, &s), 0);
	assert_int_equal(csv_write_row(sh, r2, 3, CSV_ESCAPE_FORMULAS, to_sink, &s), 0);
	assert_string_equal(s.data,
			    "'=1+1,\"'@SUM(A1),x\",'-2\r\n"
			    "'+x,a=b,'\tTab\r\n");
	/* without the flag the values are left alone */
	s.len = 0;
	assert_int_equal(csv_write_row(sh, r1, 3, 0, to_sink, &s), 0);
	assert_string_equal(s.data, "=1+1,\"@SUM(A1),x\",-2\r\n");
	layout_free(l);
}

static void test_inventory_header(void **state)
{
	char err[256] = "";
	layout *l = layout_load(TEMPLATES_DIR "/inventory-v3.1.json", err, sizeof(err));
	sink s = { .len = 0 };
	(void)state;

	if (!l)
		fail_msg("%s", err);
	assert_int_equal(csv_write_header(&l->sheets[0], 0, to_sink, &s), 0);
	/* the template's header text, its line break quoted, trailing space kept */
	assert_string_equal(s.data,
			    "UNIQUE ASSET IDENTIFIER,IPv4 or IPv6 Address,Virtual,Public,"
			    "DNS Name or URL,NetBIOS Name,MAC Address,Authenticated Scan,"
			    "Baseline Configuration Name,OS Name and Version,Location,"
			    "Asset Type,Hardware Make/Model,In Latest Scan,"
			    "Software/ Database Vendor,Software/ Database Name & Version,"
			    "Patch Level,Diagram Label,Comments,Serial #/Asset Tag#,"
			    "\"VLAN/\nNetwork ID\",System Administrator/ Owner,"
			    "Application Administrator/ Owner,Function,End-of-Life \r\n");
	layout_free(l);
}

static void test_failures(void **state)
{
	layout *l = three_columns();
	const layout_sheet *sh = &l->sheets[0];
	const char *r[] = { "V-1", "say \"x\"", "2025-01-31" };
	sink s = { .len = 0 };
	size_t cut;
	(void)state;

	assert_int_equal(csv_write_row(sh, r, 2, 0, to_sink, &s), -1);
	assert_int_equal(csv_write_row(sh, r, 4, 0, to_sink, &s), -1);
	assert_int_equal(csv_write_row(sh, NULL, 3, 0, to_sink, &s), -1);
	assert_int_equal(csv_write_row(sh, r, 3, 0, NULL, &s), -1);
	assert_int_equal(csv_write_row(NULL, r, 3, 0, to_sink, &s), -1);
	assert_int_equal(csv_write_header(NULL, 0, to_sink, &s), -1);
	assert_int_equal(s.len, 0);
	/* the callback failing at any point of the line is reported */
	for (cut = 1; cut < 28; cut++) {
		s.len = 0;
		s.fail_after = cut;
		assert_int_equal(csv_write_row(sh, r, 3, 0, to_sink, &s), -1);
	}
	s.len = 0;
	s.fail_after = 28;   /* exactly "V-1,\"say \"\"x\"\"\",2025-01-31\r\n" */
	assert_int_equal(csv_write_row(sh, r, 3, 0, to_sink, &s), 0);
	assert_int_equal(s.len, 28);
	layout_free(l);
}

static void test_fwrite(void **state)
{
	layout *l = three_columns();
	const char *r[] = { "V-1", "x", NULL };
	char got[64] = "";
	FILE *f = tmpfile();
	size_t n;
	(void)state;

	assert_non_null(f);
	assert_int_equal(csv_write_header(&l->sheets[0], 0, csv_fwrite, f), 0);
	assert_int_equal(csv_write_row(&l->sheets[0], r, 3, 0, csv_fwrite, f), 0);
	rewind(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	assert_string_equal(got, "ID,\"Say \"\"hi\"\", twice\",Due\r\nV-1,x,\r\n");
	fclose(f);
	layout_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_formula_escape),
		cmocka_unit_test(test_inventory_header),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_fwrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
