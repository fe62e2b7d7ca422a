/*
 * json_arena.h - let jansson allocate a document's tree from an arena.
 *
 * Parsing a large report builds hundreds of thousands of small jansson
 * nodes; with malloc, building and freeing them costs more than the parse.
 * json_arena_install() routes every jansson allocation through muster's
 * functions: between json_arena_begin() and json_arena_end() on a thread
 * they are bump allocations from an arena and json_decref() frees nothing;
 * elsewhere they are plain malloc/free.
 *
 * Rule: nothing allocated by jansson inside a scope may outlive it, and no
 * string jansson returns inside a scope (json_dumps) may be passed to free().
 */
#ifndef MUSTER_JSON_ARENA_H
#define MUSTER_JSON_ARENA_H

#include "arena.h"

/* Install the allocator; call once at start, before any jansson use. */
void json_arena_install(void);
/* Route this thread's jansson allocations into a (caller-owned) arena
 * until json_arena_end(); scopes do not nest. */
void json_arena_begin(arena *a);
void json_arena_end(void);

#endif
