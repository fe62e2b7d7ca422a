/*
 * fuzz_kev.c - libFuzzer target for kev.c: any JSON document goes through
 * kev_parse, and every accepted entry is looked up again.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/kev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
	kev_catalog c;
	ms_error err;
	size_t i;

	if (!root)
		return 0;
	kev_catalog_init(&c);
	if (kev_parse(&c, root, &err) == MS_OK) {
		for (i = 0; i < c.n && i < 64; i++)
			if (!kev_find(&c, c.items[i].cve) || !c.items[i].due_date)
				abort();
	}
	kev_catalog_free(&c);
	json_decref(root);
	return 0;
}
