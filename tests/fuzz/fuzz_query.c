/*
 * fuzz_query.c - libFuzzer target for what the server takes apart in a
 * request line before any handler runs: query parameters (req_query over
 * civetweb's mg_get_var, req_query_check) with the strict number parsers
 * that read them (parse.c), and path matching with percent-decoded path
 * parameters (router_match) against every route of the table.
 *
 * The input up to the first newline is the query string, the rest the
 * path. Checks: a found value fits its buffer and holds no NUL before its
 * end; parse_id only accepts 1..2^53; a matched route's parameters are
 * non-empty, NUL-free strings, no more than REQ_MAX_PARAMS.
 */
#include <civetweb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/request.h"
#include "http/router.h"
#include "util/parse.h"

static const char *const names[] = {"limit", "cursor", "image", "cluster", "namespace", "as_of",
				    "token", "format", "x", "", NULL};
static const size_t sizes[] = {1, 2, 8, 32, 600};

static void check_value(const char *v, size_t cap)
{
	long long n;
	int b;

	if (strlen(v) >= cap)
		abort();
	if (parse_id(v, &n) == 0 && (n < 1 || n > 9007199254740992LL))
		abort();
	if (parse_int_range(v, -5, 5, &n) == 0 && (n < -5 || n > 5))
		abort();
	if (parse_bool(v, &b) == 0 && b != 0 && b != 1)
		abort();
}

static void fuzz_query(char *qs)
{
	struct mg_request_info ri;
	char out[600];
	req r;
	size_t i, j;

	memset(&ri, 0, sizeof(ri));
	memset(&r, 0, sizeof(r));
	ri.query_string = qs;
	r.ri = &ri;
	(void)req_query_check(&r);
	for (i = 0; names[i]; i++)
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			memset(out, 'Z', sizeof(out));
			if (req_query(&r, names[i], out, sizes[j]) == 1)
				check_value(out, sizes[j]);
		}
}

static void fuzz_path(const char *path)
{
	req r;
	size_t i;
	int k;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < router_nroutes; i++) {
		if (!router_match(router_routes[i].pattern, path, &r))
			continue;
		if (r.nparams < 0 || r.nparams > REQ_MAX_PARAMS)
			abort();
		for (k = 0; k < r.nparams; k++)
			if (!r.params[k] || !r.params[k][0])
				abort();
	}
	for (k = 0; k < r.nparams; k++)
		free(r.params[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *nl;

	if (size > 65536)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	nl = memchr(s, '\n', size);
	if (nl)
		*nl = '\0';
	fuzz_query(s);
	if (nl)
		fuzz_path(nl + 1);
	free(s);
	return 0;
}
