/*
 * fuzz_admission.c - libFuzzer target for admission.c: any JSON document
 * goes through admission_parse.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/admission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
	adm_request q;
	ms_error err;
	size_t i;

	if (!root)
		return 0;
	adm_request_init(&q);
	if (admission_parse(&q, root, &err) == MS_OK) {
		if (!q.uid)
			abort();
		for (i = 0; i < q.n_images; i++)
			if (!q.images[i].image)
				abort();
	}
	adm_request_free(&q);
	json_decref(root);
	return 0;
}
