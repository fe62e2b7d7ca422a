/*
 * fuzz_sarif.c - libFuzzer target for the sarif parser (ingest/sarif.c): any
 * bytes that parse as JSON go through sarif_detect() and sarif_parse()
 * (fuzz_report_parser in fuzz_jd.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_jd.h"
#include "ingest/sarif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_report_parser(data, size, sarif_detect, sarif_parse);
}
