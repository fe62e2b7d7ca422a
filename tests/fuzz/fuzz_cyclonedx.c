/*
 * fuzz_cyclonedx.c - libFuzzer target for the cyclonedx parser (ingest/cyclonedx.c): any
 * bytes that parse as JSON go through cyclonedx_detect() and cyclonedx_parse()
 * (fuzz_report_parser in fuzz_jd.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_jd.h"
#include "ingest/cyclonedx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_report_parser(data, size, cyclonedx_detect, cyclonedx_parse);
}
