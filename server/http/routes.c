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

	{"POST", "/api/v1/scans", ROLE_SCANNER, h_scans_create, "ingest a scan report"},
	{"GET", "/api/v1/scans", ROLE_VIEWER, h_scans_list, "list scans"},
	{"GET", "/api/v1/scans/{id}", ROLE_VIEWER, h_scans_get, "one scan"},
	{"GET", "/api/v1/scans/{id}/findings", ROLE_VIEWER, h_scans_findings, "findings of one scan"},
	{"GET", "/api/v1/scans/{id}/raw", ROLE_VIEWER, h_scans_raw, "the report as received"},

	{"GET", "/api/v1/images", ROLE_VIEWER, h_images_list, "list images (assets)"},
	{"GET", "/api/v1/images/{id}", ROLE_VIEWER, h_images_get, "one image with builds and digests"},
	{"GET", "/api/v1/images/{id}/findings", ROLE_VIEWER, h_images_findings,
	 "findings of the latest scan of each build"},

	{"POST", "/api/v1/runtime", ROLE_SENSOR, h_runtime_post, "a sensor snapshot (PodList or muster list)"},
	{"GET", "/api/v1/containers", ROLE_VIEWER, h_containers_list, "container instances"},
	{"GET", "/api/v1/images/{id}/containers", ROLE_VIEWER, h_image_containers, "containers of an image"},
	{"GET", "/api/v1/clusters", ROLE_VIEWER, h_clusters_list, "environments of clusters"},
	{"PUT", "/api/v1/clusters/{name}", ROLE_NONE, h_clusters_put, "set a cluster's environment (admin)"},
};

const size_t router_nroutes = sizeof(router_routes) / sizeof(router_routes[0]);
