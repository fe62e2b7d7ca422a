/* test_buf.c - bounded buffers, JSON escaping and gzip round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"
#include "util/gz.h"

static void test_ceiling(void **state)
{
	buf b;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_puts(&b, "12345"), 0);
	assert_int_equal(buf_printf(&b, "%d", 6789), 0);
	assert_string_equal(b.data, "123456789");
	assert_int_equal(buf_puts(&b, "ab"), BUF_ERR_TOOBIG);
	assert_null(b.data);   /* released on failure */
	assert_int_equal(b.len, 0);
}

static void test_json_escape(void **state)
{
	buf b;

	(void)state;
	buf_init(&b, 1000);
	assert_int_equal(buf_json_escape(&b, "a\"b\\c\nd\x01"), 0);
	assert_string_equal(b.data, "a\\\"b\\\\c\\nd\\u0001");
	buf_free(&b);
}

static void test_gzip_roundtrip_and_limits(void **state)
{
	buf z, out;
	char text[5000];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(text); i++)
		text[i] = (char)('a' + i % 7);
	buf_init(&z, 1 << 20);
	assert_int_equal(gz_deflate(&z, text, sizeof(text), 1), 0);
	buf_init(&out, 1 << 20);
	assert_int_equal(gz_inflate(&out, z.data, z.len), 0);
	assert_int_equal(out.len, sizeof(text));
	assert_memory_equal(out.data, text, sizeof(text));
	buf_free(&out);
	/* a ceiling smaller than the output: refused, buffer released */
	buf_init(&out, 100);
	assert_int_equal(gz_inflate(&out, z.data, z.len), BUF_ERR_TOOBIG);
	assert_null(out.data);
	/* truncated stream */
	buf_init(&out, 1 << 20);
	assert_int_equal(gz_inflate(&out, z.data, z.len / 2), -3);
	/* garbage */
	buf_init(&out, 1 << 20);
	assert_int_equal(gz_inflate(&out, "not gzip at all", 15), -3);
	buf_free(&z);
}

/* A member joined from pieces compressed apart inflates to the input, for
 * any split (empty pieces included); a corrupted trailer is caught. */
static void test_gzip_pieces(void **state)
{
	static char text[300000];
	const size_t splits[][2] = {{0, 0}, {1, 1}, {1000, 1000}, {65536, 200000}, {150000, 150000},
				    {299999, 300000}, {300000, 300000}};
	unsigned int seed = 7246;
	size_t i, k;

	(void)state;
	/* half repetitive, half noisy: both kinds of deflate blocks */
	for (i = 0; i < sizeof(text); i++) {
		seed = seed * 1103515245u + 12345u;
		text[i] = i < sizeof(text) / 2 ? (char)('a' + i % 13) : (char)(seed >> 16);
	}
	for (k = 0; k < sizeof(splits) / sizeof(splits[0]); k++) {
		size_t a = splits[k][0], b = splits[k][1];
		gz_piece p[3];
		buf z, out;

		assert_int_equal(gz_piece_deflate(&p[0], text, a, 1, 0), 0);
		assert_int_equal(gz_piece_deflate(&p[1], text + a, b - a, 1, 0), 0);
		assert_int_equal(gz_piece_deflate(&p[2], text + b, sizeof(text) - b, 1, 1), 0);
		buf_init(&z, (size_t)-1);
		assert_int_equal(gz_join(&z, p, 3), 0);
		buf_init(&out, sizeof(text));
		assert_int_equal(gz_inflate(&out, z.data, z.len), 0);
		assert_int_equal(out.len, sizeof(text));
		assert_memory_equal(out.data, text, sizeof(text));
		buf_free(&out);
		/* the trailer's CRC-32 is checked */
		z.data[z.len - 8] ^= 1;
		buf_init(&out, sizeof(text));
		assert_int_equal(gz_inflate(&out, z.data, z.len), -3);
		buf_free(&z);
		for (i = 0; i < 3; i++)
			gz_piece_free(&p[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_gzip_roundtrip_and_limits),
		cmocka_unit_test(test_gzip_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
