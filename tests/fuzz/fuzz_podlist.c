/*
 * fuzz_podlist.c - libFuzzer target for podlist.c: any JSON document goes
 * through podlist_detect, podlist_parse and runtime_own_parse.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ingest/podlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
	rt_snapshot s;
	ms_error err;
	size_t i;

	if (!root)
		return 0;
	rt_snapshot_init(&s);
	(void)podlist_detect(root);
	if (podlist_parse(&s, root, &err) == MS_OK) {
		for (i = 0; i < s.n; i++)
			if (!s.items[i].container || !s.items[i].pod)
				abort();
	}
	rt_snapshot_free(&s);
	rt_snapshot_init(&s);
	if (runtime_own_parse(&s, root, &err) == MS_OK) {
		for (i = 0; i < s.n; i++)
			if (!s.items[i].image)
				abort();
	}
	rt_snapshot_free(&s);
	json_decref(root);
	return 0;
}
