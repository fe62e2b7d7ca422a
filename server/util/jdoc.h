/*
 * jdoc.h - a fast, compact JSON reader for untrusted report bodies.
 *
 * Reports run to tens of megabytes; a general-purpose DOM (jansson) costs
 * four times the text in memory and most of the ingest time. jdoc parses
 * in place: strings are unescaped inside the caller's buffer and NUL
 * terminated there, and the tree is an array of 16-byte nodes in an arena.
 * The buffer and the arena must outlive the tree; nothing else is owned.
 *
 * Strictness matches what muster refuses at the door: RFC 8259 grammar,
 * valid UTF-8, no \u0000, no duplicate object keys, numbers that fit a
 * double, nesting at most max_depth.
 *
 * Accessors are NULL-safe and follow jansson's semantics (a getter on the
 * wrong type answers NULL/0), so parsers read like jansson code.
 */
#ifndef MUSTER_JDOC_H
#define MUSTER_JDOC_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef enum jd_type {
	JD_NULL = 0,
	JD_FALSE,
	JD_TRUE,
	JD_NUMBER,
	JD_STRING,
	JD_ARRAY,
	JD_OBJECT
} jd_type;

typedef struct jd_value jd_value;
struct jd_value {
	uint8_t type;         /* jd_type */
	uint8_t integer;      /* number written without fraction or exponent */
	uint32_t n;           /* string length, array items, object members */
	union {
		const char *s;    /* JD_STRING: NUL-terminated, inside the buffer */
		double num;       /* JD_NUMBER */
		jd_value *items;  /* JD_ARRAY: n values; JD_OBJECT: 2n (key, value) */
	} u;
};

typedef struct jd_error {
	int line;             /* 1-based */
	int column;           /* 1-based, in bytes */
	size_t position;      /* byte offset */
	char text[96];
} jd_error;

/* Parse text[0..len) in place. On success *out is the root (allocated in
 * mem) and 0 is returned; on failure -1 with err filled (the buffer is then
 * partly rewritten and must not be parsed again). */
int jd_parse(arena *mem, char *text, size_t len, int max_depth, jd_value **out, jd_error *err);

static inline int jd_is_object(const jd_value *v) { return v && v->type == JD_OBJECT; }
static inline int jd_is_array(const jd_value *v) { return v && v->type == JD_ARRAY; }
static inline int jd_is_string(const jd_value *v) { return v && v->type == JD_STRING; }
static inline int jd_is_number(const jd_value *v) { return v && v->type == JD_NUMBER; }
static inline int jd_is_integer(const jd_value *v) { return v && v->type == JD_NUMBER && v->integer; }
static inline int jd_is_null(const jd_value *v) { return v && v->type == JD_NULL; }
static inline int jd_is_true(const jd_value *v) { return v && v->type == JD_TRUE; }
static inline int jd_is_false(const jd_value *v) { return v && v->type == JD_FALSE; }
static inline int jd_is_boolean(const jd_value *v) { return v && (v->type == JD_TRUE || v->type == JD_FALSE); }

static inline size_t jd_array_size(const jd_value *v) { return jd_is_array(v) ? v->n : 0; }
static inline jd_value *jd_array_get(const jd_value *v, size_t i)
{
	return jd_is_array(v) && i < v->n ? &v->u.items[i] : NULL;
}
static inline size_t jd_object_size(const jd_value *v) { return jd_is_object(v) ? v->n : 0; }
static inline const char *jd_object_key_at(const jd_value *v, size_t i)
{
	return jd_is_object(v) && i < v->n ? v->u.items[2 * i].u.s : NULL;
}
static inline jd_value *jd_object_value_at(const jd_value *v, size_t i)
{
	return jd_is_object(v) && i < v->n ? &v->u.items[2 * i + 1] : NULL;
}
static inline const char *jd_string_value(const jd_value *v) { return jd_is_string(v) ? v->u.s : NULL; }
static inline size_t jd_string_length(const jd_value *v) { return jd_is_string(v) ? v->n : 0; }
static inline double jd_number_value(const jd_value *v) { return jd_is_number(v) ? v->u.num : 0.0; }
long long jd_integer_value(const jd_value *v);   /* truncated toward zero, clamped */

/* Member by key (first match), or NULL. */
jd_value *jd_object_get(const jd_value *v, const char *key);
jd_value *jd_object_getn(const jd_value *v, const char *key, size_t keylen);

#define jd_array_foreach(arr, index, value) \
	for ((index) = 0; (index) < jd_array_size(arr) && ((value) = jd_array_get((arr), (index))) != NULL; (index)++)

#define jd_object_foreach(obj, index, key, value) \
	for ((index) = 0; (index) < jd_object_size(obj) && ((key) = jd_object_key_at((obj), (index))) != NULL && \
	     ((value) = jd_object_value_at((obj), (index))) != NULL; (index)++)

#endif
