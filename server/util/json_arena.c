/*
 * json_arena.c - the jansson allocator of json_arena.h. Outside a scope it
 * is malloc/free exactly (so strings jansson returns, such as json_dumps
 * output, are released with free() as usual); inside a scope it allocates
 * from the arena, and a free of a block the arena owns does nothing.
 */
#include "json_arena.h"

#include <jansson.h>
#include <stdlib.h>

static __thread arena *current;

static void *scoped_alloc(size_t size)
{
	return current ? arena_alloc(current, size) : malloc(size);
}

static void scoped_free(void *ptr)
{
	if (ptr && current && arena_owns(current, ptr))
		return;   /* goes with the arena */
	free(ptr);
}

void json_arena_install(void)
{
	json_set_alloc_funcs(scoped_alloc, scoped_free);
}

void json_arena_begin(arena *a)
{
	current = a;
}

void json_arena_end(void)
{
	current = NULL;
}
