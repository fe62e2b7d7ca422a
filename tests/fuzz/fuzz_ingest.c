/*
 * fuzz_ingest.c - libFuzzer target for the whole report path short of the
 * database: detection, every parser, then identity resolution of each
 * scanned image (what POST /api/v1/scans runs before its transaction).
 */
#include <stddef.h>
#include <stdint.h>

#include "ingest/identity.h"
#include "ingest/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const moving[] = {"latest", NULL};
	ms_report r;
	ms_error err;
	size_t i;

	ms_report_init(&r);
	if (ingest_parse_report(&r, (const char *)data, size, NULL, &err) == MS_OK) {
		for (i = 0; i < r.n_scans; i++) {
			identity id;

			identity_from_image(&id, &r, &r.scans[i].image, NULL, moving, &err);
		}
	}
	ms_report_free(&r);
	return 0;
}
