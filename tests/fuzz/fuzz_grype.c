/*
 * fuzz_grype.c - libFuzzer target for the grype parser (ingest/grype.c): any
 * bytes that parse as JSON go through grype_detect() and grype_parse()
 * (fuzz_report_parser in fuzz_jd.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_jd.h"
#include "ingest/grype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_report_parser(data, size, grype_detect, grype_parse);
}
