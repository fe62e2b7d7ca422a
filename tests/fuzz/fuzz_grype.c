/*
 * fuzz_grype.c - libFuzzer target for the grype parser (ingest/grype.c): any
 * bytes that parse as JSON go through grype_detect() and grype_parse(),
 * which must neither crash nor leak whatever the document holds.  A small
 * arena limit on odd-sized inputs also drives the out-of-memory paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_jd.h"
#include "ingest//grype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_jd doc;
	jd_value *root = fuzz_jd_load(&doc, data, size);
	ms_report r;
	ms_error err;

	if (!root) {
		fuzz_jd_free(&doc);
		return 0;
	}
	(void)grype_detect(root);
	ms_report_init(&r);
	if (size % 2)
		r.mem.limit = 4096;
	memset(&err, 0, sizeof(err));
	(void)grype_parse(&r, root, &err);
	ms_report_free(&r);
	fuzz_jd_free(&doc);
	return 0;
}
