/*
 * fuzz_podlist.c - libFuzzer target for podlist.c: any JSON document goes
 * through podlist_detect, podlist_parse and runtime_own_parse.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_jd.h"
#include "ingest/podlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_jd doc;
	jd_value *root = fuzz_jd_load(&doc, data, size);
	rt_snapshot s;
	ms_error err;
	size_t i;

	if (!root) {
		fuzz_jd_free(&doc);
		return 0;
	}
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
	fuzz_jd_free(&doc);
	return 0;
}
