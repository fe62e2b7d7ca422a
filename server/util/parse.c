/*
 * parse.c - strict number and boolean parsing (parse.h).
 */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int parse_int_range(const char *s, long long lo, long long hi, long long *out)
{
	long long v;
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || strlen(s) > 20)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int parse_id(const char *s, long long *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	return parse_int_range(s, 1, 9007199254740992LL, out);
}

int parse_bool(const char *s, int *out)
{
	if (!s)
		return -1;
	if (!strcasecmp(s, "true") || !strcmp(s, "1") || !strcasecmp(s, "yes")) {
		*out = 1;
		return 0;
	}
	if (!strcasecmp(s, "false") || !strcmp(s, "0") || !strcasecmp(s, "no")) {
		*out = 0;
		return 0;
	}
	return -1;
}
