/*
 * jdoc.c - the in-place JSON parser of jdoc.h. Iterative (an explicit frame
 * stack, so hostile nesting cannot exhaust the C stack): values are pushed
 * on a scratch stack and copied into the arena, contiguous, when their
 * container closes.
 */
#include "jdoc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct jd_frame {
	uint8_t type;    /* JD_ARRAY or JD_OBJECT */
	size_t base;     /* first child's index on the value stack */
} jd_frame;

typedef struct jd_parser {
	arena *mem;
	char *text, *p, *end;
	int line;
	char *line_start;
	jd_value *vals;       /* scratch stack of values */
	size_t nvals, capvals;
	jd_frame *frames;
	int depth, max_depth;
	jd_error *err;
} jd_parser;

static int fail(jd_parser *ps, const char *what)
{
	if (ps->err) {
		ps->err->position = (size_t)(ps->p - ps->text);
		ps->err->line = ps->line;
		ps->err->column = (int)(ps->p - ps->line_start) + 1;
		snprintf(ps->err->text, sizeof(ps->err->text), "%s", what);
	}
	return -1;
}

static void skip_ws(jd_parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else if (c == '\n') {
			ps->p++;
			ps->line++;
			ps->line_start = ps->p;
		} else {
			break;
		}
	}
}

static jd_value *push(jd_parser *ps)
{
	if (ps->nvals == ps->capvals) {
		size_t ncap = ps->capvals ? ps->capvals * 2 : 256;
		jd_value *n;

		if (ncap > SIZE_MAX / sizeof(jd_value))
			return NULL;
		n = realloc(ps->vals, ncap * sizeof(jd_value));
		if (!n)
			return NULL;
		ps->vals = n;
		ps->capvals = ncap;
	}
	memset(&ps->vals[ps->nvals], 0, sizeof(jd_value));
	return &ps->vals[ps->nvals++];
}

/* Length of a valid UTF-8 sequence at s (bytes before end), else 0. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned long cp;

	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		n = 2;
		cp = c & 0x1F;
	} else if (c < 0xF0) {
		n = 3;
		cp = c & 0x0F;
	} else if (c < 0xF5) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *w, unsigned long cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xC0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xE0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*w++ = (char)(0xF0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	}
	return w;
}

/* A string at ps->p (the opening quote), unescaped in place. */
static int parse_string(jd_parser *ps, jd_value *v)
{
	char *start = ps->p + 1, *r = start, *w = start;
	const char *end = ps->end;

	for (;;) {
		unsigned char c;

		/* fast path: plain ASCII, nothing to move yet */
		while (r < end && w == r && (unsigned char)*r >= 0x20 && *r != '"' && *r != '\\' &&
		       (unsigned char)*r < 0x80)
			r++, w++;
		if (r >= end) {
			ps->p = r;
			return fail(ps, "unterminated string");
		}
		c = (unsigned char)*r;
		if (c == '"')
			break;
		if (c < 0x20) {
			ps->p = r;
			return fail(ps, "control character in a string");
		}
		if (c == '\\') {
			unsigned cp, lo;

			if (r + 1 >= end) {
				ps->p = r;
				return fail(ps, "unterminated string");
			}
			switch (r[1]) {
			case '"': *w++ = '"'; r += 2; continue;
			case '\\': *w++ = '\\'; r += 2; continue;
			case '/': *w++ = '/'; r += 2; continue;
			case 'b': *w++ = '\b'; r += 2; continue;
			case 'f': *w++ = '\f'; r += 2; continue;
			case 'n': *w++ = '\n'; r += 2; continue;
			case 'r': *w++ = '\r'; r += 2; continue;
			case 't': *w++ = '\t'; r += 2; continue;
			case 'u':
				break;
			default:
				ps->p = r;
				return fail(ps, "invalid escape in a string");
			}
			if (end - r < 6 || hex4(r + 2, &cp)) {
				ps->p = r;
				return fail(ps, "invalid \\u escape");
			}
			r += 6;
			if (cp == 0) {
				ps->p = r - 6;
				return fail(ps, "\\u0000 is not allowed");
			}
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (end - r < 6 || r[0] != '\\' || r[1] != 'u' || hex4(r + 2, &lo) ||
				    lo < 0xDC00 || lo > 0xDFFF) {
					ps->p = r - 6;
					return fail(ps, "invalid surrogate pair");
				}
				r += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				ps->p = r - 6;
				return fail(ps, "invalid surrogate pair");
			}
			/* an escape is at least 6 bytes; its UTF-8 at most 4 */
			w = put_utf8(w, cp);
			continue;
		}
		if (c < 0x80) {
			*w++ = *r++;
		} else {
			size_t n = utf8_len((const unsigned char *)r, (const unsigned char *)end);

			if (!n) {
				ps->p = r;
				return fail(ps, "invalid UTF-8 in a string");
			}
			if (w != r)
				memmove(w, r, n);
			w += n;
			r += n;
		}
	}
	if ((size_t)(w - start) > UINT32_MAX) {
		ps->p = start;
		return fail(ps, "string too long");
	}
	*w = '\0';   /* w <= r, and r is the closing quote */
	v->type = JD_STRING;
	v->n = (uint32_t)(w - start);
	v->u.s = start;
	ps->p = r + 1;
	return 0;
}

static int parse_number(jd_parser *ps, jd_value *v)
{
	char *s = ps->p, *q = s;
	char tmp[128];
	int integer = 1;
	double d;

	if (q < ps->end && *q == '-')
		q++;
	if (q >= ps->end)
		return fail(ps, "invalid number");
	if (*q == '0') {
		q++;
	} else if (*q >= '1' && *q <= '9') {
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	} else {
		return fail(ps, "invalid number");
	}
	if (q < ps->end && *q == '.') {
		integer = 0;
		q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			return fail(ps, "invalid number");
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		integer = 0;
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			return fail(ps, "invalid number");
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if ((size_t)(q - s) >= sizeof(tmp))
		return fail(ps, "number too long");
	memcpy(tmp, s, (size_t)(q - s));
	tmp[q - s] = '\0';
	d = strtod(tmp, NULL);
	if (!isfinite(d))
		return fail(ps, "number out of range");
	v->type = JD_NUMBER;
	v->integer = (uint8_t)integer;
	v->u.num = d;
	ps->p = q;
	return 0;
}

static int parse_literal(jd_parser *ps, jd_value *v, const char *word, jd_type t)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail(ps, "invalid token");
	v->type = (uint8_t)t;
	ps->p += n;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const jd_value *x = *(const jd_value *const *)a, *y = *(const jd_value *const *)b;

	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	return memcmp(x->u.s, y->u.s, x->n);
}

/* Keys of an object's members (stack slice) must be distinct. */
static int has_duplicate(const jd_value *kv, size_t members)
{
	const jd_value **keys;
	size_t i, j;
	int dup = 0;

	if (members <= 24) {
		for (i = 1; i < members; i++)
			for (j = 0; j < i; j++)
				if (kv[2 * i].n == kv[2 * j].n &&
				    memcmp(kv[2 * i].u.s, kv[2 * j].u.s, kv[2 * i].n) == 0)
					return 1;
		return 0;
	}
	keys = malloc(members * sizeof(*keys));
	if (!keys)
		return -1;
	for (i = 0; i < members; i++)
		keys[i] = &kv[2 * i];
	qsort(keys, members, sizeof(*keys), key_cmp);
	for (i = 1; i < members && !dup; i++)
		dup = key_cmp(&keys[i - 1], &keys[i]) == 0;
	free(keys);
	return dup;
}

/* Close the innermost container: move its children into the arena. */
static int close_container(jd_parser *ps)
{
	jd_frame *f = &ps->frames[--ps->depth];
	size_t n = ps->nvals - f->base;
	jd_value *items = NULL, *v;
	int dup;

	if (f->type == JD_OBJECT) {
		dup = has_duplicate(&ps->vals[f->base], n / 2);
		if (dup < 0)
			return fail(ps, "out of memory");
		if (dup)
			return fail(ps, "duplicate object key");
	}
	if (n) {
		items = arena_calloc(ps->mem, n, sizeof(jd_value));
		if (!items)
			return fail(ps, "out of memory");
		memcpy(items, &ps->vals[f->base], n * sizeof(jd_value));
	}
	ps->nvals = f->base;
	v = push(ps);
	if (!v)
		return fail(ps, "out of memory");
	v->type = f->type;
	v->n = (uint32_t)(f->type == JD_OBJECT ? n / 2 : n);
	v->u.items = items;
	ps->p++;   /* the closing bracket */
	return 0;
}

static int open_container(jd_parser *ps, jd_type t)
{
	if (ps->depth >= ps->max_depth)
		return fail(ps, "nesting too deep");
	ps->frames[ps->depth].type = (uint8_t)t;
	ps->frames[ps->depth].base = ps->nvals;
	ps->depth++;
	ps->p++;
	return 0;
}

static int parse_key(jd_parser *ps)
{
	jd_value *k;

	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected an object key");
	if (!(k = push(ps)))
		return fail(ps, "out of memory");
	if (parse_string(ps, k))
		return -1;
	if (ps->nvals - ps->frames[ps->depth - 1].base > (size_t)UINT32_MAX)
		return fail(ps, "object too large");
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return fail(ps, "expected ':'");
	ps->p++;
	return 0;
}

static int run(jd_parser *ps)
{
	for (;;) {
		jd_value *v;

		/* a value */
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unexpected end of input");
		switch (*ps->p) {
		case '{':
			if (open_container(ps, JD_OBJECT))
				return -1;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == '}') {
				if (close_container(ps))
					return -1;
				break;
			}
			if (parse_key(ps))
				return -1;
			continue;
		case '[':
			if (open_container(ps, JD_ARRAY))
				return -1;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ']') {
				if (close_container(ps))
					return -1;
				break;
			}
			continue;
		case '"':
			if (!(v = push(ps)) || parse_string(ps, v))
				return v ? -1 : fail(ps, "out of memory");
			break;
		case 't':
			if (!(v = push(ps)) || parse_literal(ps, v, "true", JD_TRUE))
				return v ? -1 : fail(ps, "out of memory");
			break;
		case 'f':
			if (!(v = push(ps)) || parse_literal(ps, v, "false", JD_FALSE))
				return v ? -1 : fail(ps, "out of memory");
			break;
		case 'n':
			if (!(v = push(ps)) || parse_literal(ps, v, "null", JD_NULL))
				return v ? -1 : fail(ps, "out of memory");
			break;
		default:
			if (!(v = push(ps)) || parse_number(ps, v))
				return v ? -1 : fail(ps, "out of memory");
			break;
		}
		/* after a value: separators and closings */
		for (;;) {
			jd_frame *f;

			if (ps->depth == 0)
				return 0;
			f = &ps->frames[ps->depth - 1];
			skip_ws(ps);
			if (ps->p >= ps->end)
				return fail(ps, "unexpected end of input");
			if (*ps->p == ',') {
				ps->p++;
				if (f->type == JD_OBJECT && parse_key(ps))
					return -1;
				if (ps->nvals - f->base >= (size_t)UINT32_MAX)
					return fail(ps, "container too large");
				break;   /* next value */
			}
			if ((*ps->p == '}' && f->type == JD_OBJECT) || (*ps->p == ']' && f->type == JD_ARRAY)) {
				if (close_container(ps))
					return -1;
				continue;
			}
			return fail(ps, f->type == JD_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
		}
	}
}

int jd_parse(arena *mem, char *text, size_t len, int max_depth, jd_value **out, jd_error *err)
{
	jd_parser ps;
	jd_value *root;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.mem = mem;
	ps.text = ps.p = ps.line_start = text;
	ps.end = text + len;
	ps.line = 1;
	ps.max_depth = max_depth > 0 ? max_depth : 1;
	ps.err = err;
	*out = NULL;
	ps.frames = malloc((size_t)ps.max_depth * sizeof(jd_frame));
	if (!ps.frames)
		return fail(&ps, "out of memory");
	rc = run(&ps);
	if (rc == 0) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			rc = fail(&ps, "end of file expected");
	}
	if (rc == 0) {
		root = arena_alloc(mem, sizeof(jd_value));
		if (!root) {
			rc = fail(&ps, "out of memory");
		} else {
			*root = ps.vals[0];
			*out = root;
		}
	}
	free(ps.vals);
	free(ps.frames);
	return rc;
}

long long jd_integer_value(const jd_value *v)
{
	double d;

	if (!jd_is_number(v))
		return 0;
	d = v->u.num;
	if (d >= 9.2e18)
		return 9200000000000000000LL;
	if (d <= -9.2e18)
		return -9200000000000000000LL;
	return (long long)d;
}

jd_value *jd_object_getn(const jd_value *v, const char *key, size_t keylen)
{
	size_t i;

	if (!jd_is_object(v) || !key)
		return NULL;
	for (i = 0; i < v->n; i++) {
		const jd_value *k = &v->u.items[2 * i];

		if (k->n == keylen && memcmp(k->u.s, key, keylen) == 0)
			return &v->u.items[2 * i + 1];
	}
	return NULL;
}

jd_value *jd_object_get(const jd_value *v, const char *key)
{
	return key ? jd_object_getn(v, key, strlen(key)) : NULL;
}
