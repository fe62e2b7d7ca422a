/*
 * fuzz_jd.h - fuzz-target helper: parse the input in place (on a copy) the
 * way muster parses request bodies. The caller releases with fuzz_jd_free.
 */
#ifndef MUSTER_FUZZ_JD_H
#define MUSTER_FUZZ_JD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/jdoc.h"

typedef struct fuzz_jd {
	arena mem;
	char *text;
	jd_value *root;
} fuzz_jd;

static inline jd_value *fuzz_jd_load(fuzz_jd *f, const uint8_t *data, size_t size)
{
	jd_error err;

	memset(f, 0, sizeof(*f));
	f->text = malloc(size + 1);
	if (!f->text)
		return NULL;
	memcpy(f->text, data, size);
	if (jd_parse(&f->mem, f->text, size, 512, &f->root, &err))
		f->root = NULL;
	return f->root;
}

static inline void fuzz_jd_free(fuzz_jd *f)
{
	arena_free(&f->mem);
	free(f->text);
}

#endif
