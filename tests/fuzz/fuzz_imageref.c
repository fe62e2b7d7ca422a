/*
 * fuzz_imageref.c - libFuzzer target for imageref.c.  The input is a
 * reference string (not JSON: references are plain text).  Besides "no
 * crash", it checks two properties: a parsed reference formats to text
 * that parses back to the same imageref, and digest_normalize is
 * idempotent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/imageref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, buf[1200], err[128];
	char d1[IMAGEREF_DIGEST_MAX], d2[IMAGEREF_DIGEST_MAX];
	imageref a, b;

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (imageref_parse(&a, s, err, sizeof(err)) == 0) {
		if (imageref_format(&a, buf, sizeof(buf)) != 0)
			abort();
		if (imageref_parse(&b, buf, err, sizeof(err)) != 0 ||
		    memcmp(&a, &b, sizeof(a)) != 0)
			abort();
		imageref_default_tag(&a);
		(void)imageref_format_repo(&a, buf, sizeof(buf));
	}
	if (digest_normalize(s, d1, sizeof(d1)) == 0) {
		if (digest_normalize(d1, d2, sizeof(d2)) != 0 || strcmp(d1, d2) != 0)
			abort();
	}
	free(s);
	return 0;
}
