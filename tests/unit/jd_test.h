/*
 * jd_test.h - test helper: turn a jansson tree (how tests build documents)
 * into a jdoc tree (what parsers read), through its JSON text. The trees
 * live in one arena for the whole test program (reachable, so no leak).
 */
#ifndef MUSTER_JD_TEST_H
#define MUSTER_JD_TEST_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/jdoc.h"

static arena jd_test_arena;

static inline jd_value *jd_of(const json_t *j)
{
	jd_value *root = NULL;
	jd_error err;
	char *text, *copy;
	size_t len;

	if (!j)
		return NULL;
	text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	if (!text)
		return NULL;
	len = strlen(text);
	copy = arena_strndup(&jd_test_arena, text, len);
	free(text);
	if (!copy || jd_parse(&jd_test_arena, copy, len, 512, &root, &err))
		return NULL;
	return root;
}

#endif
