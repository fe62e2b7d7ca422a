/*
 * router.c - path matching, authentication and role checks in front of
 * every handler (router.h).  Order of checks: token in the query string
 * (400), unknown path (404), wrong method (405 + Allow), missing or bad
 * token (401), role not allowed (403), then the handler. Web pages
 * (ROUTE_AUTH_SESSION, never under /api/) use a cookie session instead
 * (session.c): no session redirects to /login, and every request that is
 * not GET or HEAD must carry the session's CSRF token (403 otherwise).
 */
#include "router.h"

#include <civetweb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/crypto.h"
#include "respond.h"
#include "session.h"

static void free_params(req *r)
{
	int i;

	for (i = 0; i < r->nparams; i++) {
		free(r->params[i]);
		r->params[i] = NULL;
	}
	r->nparams = 0;
}

/* Take a parameter from the raw path and percent-decode it (the server
 * leaves the path encoded: decoding the whole path first would let "%2f"
 * move a segment boundary and "%00" cut the path short). A value that
 * decodes to a NUL byte matches nothing. */
static int add_param(req *r, const char *s, size_t n)
{
	char *p;
	int len;

	if (r->nparams >= REQ_MAX_PARAMS || n == 0 || n > 65536)
		return 0;
	p = malloc(n + 1);
	if (!p)
		return 0;
	len = mg_url_decode(s, (int)n, p, (int)n + 1, 0);
	if (len <= 0 || memchr(p, '\0', (size_t)len)) {
		free(p);
		return 0;
	}
	r->params[r->nparams++] = p;
	return 1;
}

/* Segment-wise match; "{name}" takes one non-empty segment, "{*name}" one
 * or more (the rest of the pattern must then match the path's tail). */
static int match_from(const char *pat, const char *path, req *r)
{
	while (*pat && *path) {
		if (pat[0] == '{' && pat[1] == '*') {
			const char *rest = strchr(pat, '}');
			const char *end;
			size_t restlen, pathlen = strlen(path);

			if (!rest)
				return 0;
			rest++;
			restlen = strlen(rest);
			if (pathlen <= restlen || strcmp(path + pathlen - restlen, rest) != 0)
				return 0;
			end = path + pathlen - restlen;
			return add_param(r, path, (size_t)(end - path));
		}
		if (pat[0] == '{') {
			const char *close = strchr(pat, '}');
			size_t n = strcspn(path, "/");

			if (!close || !add_param(r, path, n))
				return 0;
			pat = close + 1;
			path += n;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	return *pat == '\0' && *path == '\0';
}

int router_match(const char *pattern, const char *path, req *r)
{
	free_params(r);
	if (match_from(pattern, path, r))
		return 1;
	free_params(r);
	return 0;
}

static int role_bit(const char *role)
{
	if (!strcmp(role, "admin")) return ROLE_ADMIN;
	if (!strcmp(role, "scanner")) return ROLE_SCANNER;
	if (!strcmp(role, "sensor")) return ROLE_SENSOR;
	if (!strcmp(role, "viewer")) return ROLE_VIEWER;
	return 0;
}

static int query_has_token(req *r)
{
	static const char *names[] = {"token", "access_token", "api_key", "apikey", "bearer", NULL};
	char v[8];
	int i;

	for (i = 0; names[i]; i++)
		if (req_query(r, names[i], v, sizeof(v)) != 0)
			return 1;
	return 0;
}

/* 0 when authenticated; otherwise the answer was sent. */
static int authenticate(req *r)
{
	const char *h = req_header(r, "Authorization");
	const char *secret;
	db_conn *db;
	int rc;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return respond_error_h(r, 401, "WWW-Authenticate: Bearer realm=\"muster\"\r\n",
				       "unauthorized", "a bearer token is required");
	secret = h + 7;
	while (*secret == ' ')
		secret++;
	if (strlen(secret) == 0 || strlen(secret) > 256)
		return respond_error_h(r, 401, "WWW-Authenticate: Bearer realm=\"muster\"\r\n",
				       "unauthorized", "the bearer token is not valid");
	db = req_db(r);
	if (!db)
		return r->status;
	rc = store_token_authenticate(db, secret, strlen(secret), &r->token);
	req_db_release(r);
	if (rc == STORE_ERR_NOTFOUND)
		return respond_error_h(r, 401, "WWW-Authenticate: Bearer realm=\"muster\"\r\n",
				       "unauthorized", "the bearer token is not valid");
	if (rc)
		return respond_store_error(r, rc);
	r->authed = 1;
	r->actor.token_id = r->token.id;
	r->actor.name = r->token.name;
	return 0;
}

static int dispatch(req *r);

int router_dispatch(req *r)
{
	int rc = dispatch(r);

	free_params(r);
	return rc;
}

static int dispatch(req *r)
{
	const route *hit = NULL;
	char allow[128] = "";
	size_t i;
	int rc;

	if (query_has_token(r))
		return respond_error(r, 400, "token_in_query",
				     "tokens are accepted only in the Authorization header");
	/* a decoded NUL would silently cut a parameter short */
	if (req_query_check(r))
		return respond_error(r, 400, "bad_parameter", "a query parameter holds a NUL byte (%%00)");
	for (i = 0; i < router_nroutes; i++) {
		if (!router_match(router_routes[i].pattern, r->path, r))
			continue;
		if (!strcmp(router_routes[i].method, r->method) ||
		    (!strcmp(r->method, "HEAD") && !strcmp(router_routes[i].method, "GET"))) {
			hit = &router_routes[i];
			break;
		}
		if (!strstr(allow, router_routes[i].method) &&
		    strlen(allow) + strlen(router_routes[i].method) + 3 < sizeof(allow)) {
			if (*allow)
				strncat(allow, ", ", sizeof(allow) - strlen(allow) - 1);
			strncat(allow, router_routes[i].method, sizeof(allow) - strlen(allow) - 1);
		}
	}
	if (!hit) {
		char hdr[160];

		free_params(r);
		if (!*allow)
			return respond_error(r, 404, "not_found", "no route for %s", r->path);
		snprintf(hdr, sizeof(hdr), "Allow: %s\r\n", allow);
		return respond_error_h(r, 405, hdr, "method_not_allowed",
				       "%s is not allowed here; allowed: %s", r->method, allow);
	}
	/* re-match: the loop may have matched later patterns' params */
	router_match(hit->pattern, r->path, r);
	r->route = hit->pattern;
	snprintf(r->route_label, sizeof(r->route_label), "%s %s", hit->method, hit->pattern);
	r->actor.route = r->route_label;
	r->actor.request_id = r->request_id;
	if ((hit->roles & ROUTE_AUTH_SESSION) && strncmp(hit->pattern, "/api/", 5) != 0) {
		/* a web page: cookie session, CSRF token on every write */
		if ((rc = session_authenticate(r)) != 0)
			return rc;
		if (!(role_bit(r->token.role) & (hit->roles | ROLE_ADMIN)))
			return respond_error(r, 403, "forbidden", "the %s role may not call %s %s",
					     r->token.role, hit->method, hit->pattern);
		if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD") &&
		    (rc = session_check_csrf(r)) != 0)
			return rc;
	} else if (hit->roles != ROLE_NONE || !strncmp(hit->pattern, "/api/", 5)) {
		if ((rc = authenticate(r)) != 0)
			return rc;
		if (!(role_bit(r->token.role) & (hit->roles | ROLE_ADMIN)))
			return respond_error(r, 403, "forbidden",
					     "the %s role may not call %s %s",
					     r->token.role, hit->method, hit->pattern);
	}
	return hit->fn(r);
}

void router_print_json(FILE *out)
{
	size_t i;

	fputs("[", out);
	for (i = 0; i < router_nroutes; i++) {
		const route *rt = &router_routes[i];
		int roles = rt->roles;

		fprintf(out, "%s\n {\"method\":\"%s\",\"pattern\":\"%s\",\"auth\":\"%s\",\"roles\":[%s%s%s%s%s]}",
			i ? "," : "", rt->method, rt->pattern,
			(roles & ROUTE_AUTH_SESSION) && strncmp(rt->pattern, "/api/", 5) ? "session"
			: roles == ROLE_NONE && strncmp(rt->pattern, "/api/", 5) ? "none" : "bearer",
			roles == ROLE_NONE && strncmp(rt->pattern, "/api/", 5) ? "\"public\"" : "\"admin\"",
			roles & ROLE_SCANNER ? ",\"scanner\"" : "",
			roles & ROLE_SENSOR ? ",\"sensor\"" : "",
			roles & ROLE_VIEWER ? ",\"viewer\"" : "",
			"");
	}
	fputs("\n]\n", out);
}
