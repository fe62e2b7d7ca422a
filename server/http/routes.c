/*
 * routes.c - the route table: method, path pattern, roles, handler.
 * Admin may call every route; ROLE_NONE on a non-/api/ path is public.
 */
#include "handlers.h"
#include "router.h"

const route router_routes[] = {
	{"GET", "/healthz", ROLE_NONE, h_healthz, "liveness"},
	{"GET", "/readyz", ROLE_NONE, h_readyz, "readiness: the database answers"},

	{"POST", "/api/v1/tokens", ROLE_NONE, h_tokens_create, "create a token (admin)"},
	{"GET", "/api/v1/tokens", ROLE_NONE, h_tokens_list, "list tokens (admin)"},
	{"DELETE", "/api/v1/tokens/{id}", ROLE_NONE, h_tokens_revoke, "revoke a token (admin)"},
};

const size_t router_nroutes = sizeof(router_routes) / sizeof(router_routes[0]);
