/*
 * arena.c - block allocator behind arena.h: blocks are chained, large
 * requests get a block of their own, and everything goes at arena_free().
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_SIZE (64 * 1024)  /* first block payload */
#define ARENA_BLOCK_MAX (4 * 1024 * 1024)  /* largest shared block */
#define ARENA_ALIGN 16                /* alignment of every allocation */

struct arena_block {
	arena_block *next;
	size_t used;
	size_t size;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void *arena_alloc(arena *a, size_t n)
{
	arena_block *b = a->head;
	size_t need, bsize;
	void *p;

	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (a->limit && (need > a->limit || a->total > a->limit - need))
		return NULL;
	if (!b || b->size - b->used < need) {
		/* blocks grow with the arena (to 4 MiB) so big trees take
		 * few blocks */
		bsize = a->total / 2 > ARENA_BLOCK_SIZE ? a->total / 2 : ARENA_BLOCK_SIZE;
		if (bsize > ARENA_BLOCK_MAX)
			bsize = ARENA_BLOCK_MAX;
		if (bsize < need)
			bsize = need;
		if (bsize > SIZE_MAX - sizeof(arena_block))
			return NULL;
		b = malloc(sizeof(arena_block) + bsize);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = bsize;
		/* A dedicated big block goes behind the head so the head's
		 * free space stays usable for small requests. */
		if (a->head && need > ARENA_BLOCK_MAX) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = b->data + b->used;
	b->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

void *arena_calloc(arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	return arena_alloc(a, count * size);
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	if (n == SIZE_MAX)
		return NULL;
	p = arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	int len;
	char *p;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return NULL;
	p = arena_alloc(a, (size_t)len + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return p;
}

int arena_grow(arena *a, void **items, size_t *cap, size_t used, size_t size)
{
	size_t ncap;
	void *n;

	if (used < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < *cap || (size && ncap > SIZE_MAX / size))
		return -1;
	n = arena_calloc(a, ncap, size);
	if (!n)
		return -1;
	if (*items && used)
		memcpy(n, *items, used * size);
	*items = n;
	*cap = ncap;
	return 0;
}

int arena_owns(const arena *a, const void *p)
{
	const arena_block *b;
	const unsigned char *u = p;

	for (b = a->head; b; b = b->next)
		if (u >= b->data && u < b->data + b->size)
			return 1;
	return 0;
}

void arena_free(arena *a)
{
	arena_block *b = a->head, *next;

	while (b) {
		next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->total = 0;
}
