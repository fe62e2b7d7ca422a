/* test_arena.c - the arena allocator: zeroing, growth, limits, overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"

static void test_alloc_and_strings(void **state)
{
	arena a = ARENA_INIT;
	char *s = arena_strdup(&a, "hello");
	char *p = arena_printf(&a, "%s-%d", "x", 42);
	unsigned char *z = arena_alloc(&a, 100);
	int i;

	(void)state;
	assert_string_equal(s, "hello");
	assert_string_equal(p, "x-42");
	for (i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	assert_null(arena_strdup(&a, NULL));
	assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
	arena_free(&a);
	assert_null(a.head);
}

static void test_big_and_many(void **state)
{
	arena a = ARENA_INIT;
	char *big = arena_alloc(&a, 1 << 20);
	char *small = arena_alloc(&a, 10);
	int i;

	(void)state;
	assert_non_null(big);
	assert_non_null(small);
	for (i = 0; i < 100000; i++)
		assert_non_null(arena_alloc(&a, 24));
	arena_free(&a);
}

static void test_overflow_and_limit(void **state)
{
	arena a = ARENA_INIT;
	void *items = NULL;
	size_t cap = 0, i;

	(void)state;
	assert_null(arena_calloc(&a, SIZE_MAX / 2, 4));
	assert_null(arena_alloc(&a, SIZE_MAX));
	a.limit = 1000;
	assert_null(arena_alloc(&a, 2000));
	assert_non_null(arena_alloc(&a, 500));
	arena_free(&a);
	a.limit = 0;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(arena_grow(&a, &items, &cap, i, sizeof(int)), 0);
		((int *)items)[i] = (int)i;
	}
	for (i = 0; i < 1000; i++)
		assert_int_equal(((int *)items)[i], (int)i);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_and_strings),
		cmocka_unit_test(test_big_and_many),
		cmocka_unit_test(test_overflow_and_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
