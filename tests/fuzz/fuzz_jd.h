/*
 * fuzz_jd.h - fuzz-target helpers: parse the input in place (on a copy) the
 * way muster parses request bodies (the caller releases with fuzz_jd_free),
 * and the whole one-input run of a report parser (fuzz_report_parser).
 */
#ifndef MUSTER_FUZZ_JD_H
#define MUSTER_FUZZ_JD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/scan_model.h"
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

/*
 * One input through a report parser: bytes that parse as JSON go through
 * detect() and parse(), which must neither crash nor leak whatever the
 * document holds. A small arena limit on odd-sized inputs also drives the
 * out-of-memory paths. Returns 0, as libFuzzer wants.
 */
static inline int fuzz_report_parser(const uint8_t *data, size_t size, int (*detect)(const jd_value *),
				     ms_err (*parse)(ms_report *, const jd_value *, ms_error *))
{
	fuzz_jd doc;
	jd_value *root = fuzz_jd_load(&doc, data, size);
	ms_report r;
	ms_error err;

	if (!root) {
		fuzz_jd_free(&doc);
		return 0;
	}
	(void)detect(root);
	ms_report_init(&r);
	if (size % 2)
		r.mem.limit = 4096;
	memset(&err, 0, sizeof(err));
	(void)parse(&r, root, &err);
	ms_report_free(&r);
	fuzz_jd_free(&doc);
	return 0;
}

#endif
