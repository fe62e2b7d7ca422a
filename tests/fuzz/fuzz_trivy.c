/*
 * fuzz_trivy.c - libFuzzer target for the Trivy report parser: any bytes
 * jansson accepts as JSON go through trivy_detect() and trivy_parse(), and
 * the resulting model is walked so every string it holds is read.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_jd.h"
#include "ingest/trivy.h"

/* Touch every string of the model so ASan sees bad pointers. */
static size_t walk(const ms_report *r)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < r->n_scans; i++) {
		const ms_scan *s = &r->scans[i];

		n += s->image.name ? strlen(s->image.name) : 0;
		n += s->image.os_family ? strlen(s->image.os_family) : 0;
		for (k = 0; k < s->image.tags.n; k++)
			n += strlen(s->image.tags.items[k]);
		for (k = 0; k < s->image.repo_digests.n; k++)
			n += strlen(s->image.repo_digests.items[k]);
		for (j = 0; j < s->n_findings; j++) {
			const ms_finding *f = &s->findings[j];

			n += strlen(f->vuln_id) + strlen(f->pkg_name);
			n += f->pkg_type ? strlen(f->pkg_type) : 0;
			for (k = 0; k < f->aliases.n; k++)
				n += strlen(f->aliases.items[k]);
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_jd doc;
	jd_value *root;
	ms_report r;
	ms_error err;
	volatile size_t sink;

	root = fuzz_jd_load(&doc, data, size);
	if (!root) {
		fuzz_jd_free(&doc);
		return 0;
	}
	(void)trivy_detect(root);
	ms_report_init(&r);
	r.mem.limit = 64u << 20;         /* as a server would cap a request */
	memset(&err, 0, sizeof(err));
	if (trivy_parse(&r, root, &err) == MS_OK)
		sink = walk(&r);
	else
		sink = strlen(err.field) + strlen(err.message);
	(void)sink;
	ms_report_free(&r);
	fuzz_jd_free(&doc);
	return 0;
}
