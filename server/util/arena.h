/*
 * arena.h - lifetime-grouped allocation.
 *
 * An arena owns every block allocated from it; arena_free() releases them all
 * at once.  Parsers allocate their whole output model from one arena, so the
 * caller frees a report with one call and no parser needs per-field cleanup.
 * Every size is checked for overflow before it is used.
 */
#ifndef MUSTER_ARENA_H
#define MUSTER_ARENA_H

#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
	arena_block *head;   /* newest block first */
	size_t total;        /* bytes handed out, for accounting */
	size_t limit;        /* 0 = unlimited; allocation fails past it */
} arena;

#define ARENA_INIT { NULL, 0, 0 }

/* Zeroed memory of n bytes, or NULL on exhaustion/overflow/limit. */
void *arena_alloc(arena *a, size_t n);
/* Zeroed array of count elements of size bytes; NULL on overflow. */
void *arena_calloc(arena *a, size_t count, size_t size);
/* Copy of s (NULL in, NULL out). */
char *arena_strdup(arena *a, const char *s);
/* Copy of the first n bytes of s plus a terminating NUL. */
char *arena_strndup(arena *a, const char *s, size_t n);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Grow an arena-owned array: *items has *cap slots of size bytes; ensures
 * room for one more. Old storage stays in the arena until arena_free. */
int arena_grow(arena *a, void **items, size_t *cap, size_t used, size_t size);
/* 1 when p points into one of the arena's blocks (linear in blocks). */
int arena_owns(const arena *a, const void *p);
/* Release every block. The arena is reusable afterwards. */
void arena_free(arena *a);

#endif
