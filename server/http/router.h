/*
 * router.h - the route table and dispatch. Every route names the roles
 * allowed to call it; the authorization matrix test is generated from this
 * same table (`muster routes`), so a new route cannot skip it.
 */
#ifndef MUSTER_ROUTER_H
#define MUSTER_ROUTER_H

#include <stddef.h>
#include <stdio.h>

#include "request.h"

typedef int (*route_handler)(req *r);

typedef struct route {
	const char *method;      /* "GET", "POST", "PUT", "DELETE" */
	const char *pattern;     /* "/api/v1/tokens/{id}"; "{*x}" spans segments */
	int roles;               /* ROLE_* bits allowed besides admin; ROLE_NONE = public */
	route_handler fn;
	const char *summary;
} route;

/* A flag OR'ed into roles: the route is a web page that authenticates by
 * cookie session (session.h) instead of a bearer token, and whose
 * state-changing requests must carry the session's CSRF token. Bearer
 * tokens stay the only way into /api/: the flag is ignored there. */
#define ROUTE_AUTH_SESSION 0x100

extern const route router_routes[];
extern const size_t router_nroutes;

/* Serve one request: match, authenticate, authorize, call the handler. */
int router_dispatch(req *r);
/* Print the route table as JSON (for tests and docs). */
void router_print_json(FILE *out);
/* Match path against pattern, filling r->params; 1 on match. Exposed for tests. */
int router_match(const char *pattern, const char *path, req *r);

#endif
