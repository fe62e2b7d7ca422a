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

	{"GET", "/api/v1/policy", ROLE_VIEWER, h_policy_get, "the policy in force"},
	{"PUT", "/api/v1/policy", ROLE_NONE, h_policy_put, "a new policy version (admin)"},
	{"GET", "/api/v1/images/{id}/hardening", ROLE_VIEWER, h_image_hardening_get, "hardening of an image"},
	{"PUT", "/api/v1/images/{id}/hardening", ROLE_NONE, h_image_hardening_put,
	 "record an image's hardening baseline (admin)"},
	{"GET", "/api/v1/images/{id}/metadata", ROLE_VIEWER, h_image_metadata_get, "inventory metadata of an image"},
	{"PUT", "/api/v1/images/{id}/metadata", ROLE_NONE, h_image_metadata_put,
	 "set an image's inventory metadata (admin)"},
	{"GET", "/api/v1/repositories/{*repo}/hardening", ROLE_VIEWER, h_repo_hardening_get,
	 "hardening of a repository"},
	{"PUT", "/api/v1/repositories/{*repo}/hardening", ROLE_NONE, h_repo_hardening_put,
	 "record a repository's hardening baseline (admin)"},
	{"GET", "/api/v1/repositories/{*repo}/metadata", ROLE_VIEWER, h_repo_metadata_get,
	 "inventory metadata of a repository"},
	{"PUT", "/api/v1/repositories/{*repo}/metadata", ROLE_NONE, h_repo_metadata_put,
	 "set a repository's inventory metadata (admin)"},
	{"GET", "/api/v1/compliance", ROLE_VIEWER, h_compliance_list, "production assets in violation now"},
	{"GET", "/api/v1/alerts", ROLE_VIEWER, h_alerts_list, "alerts opened and resolved by the rules"},
	{"POST", "/api/v1/alerts/evaluate", ROLE_NONE, h_alerts_evaluate, "evaluate the rules now (admin)"},
	{"POST", "/api/v1/webhooks", ROLE_NONE, h_webhooks_create, "register a webhook (admin)"},
	{"GET", "/api/v1/webhooks", ROLE_NONE, h_webhooks_list, "list webhooks (admin)"},
	{"DELETE", "/api/v1/webhooks/{id}", ROLE_NONE, h_webhooks_delete, "delete a webhook (admin)"},
	{"GET", "/api/v1/webhooks/{id}/deliveries", ROLE_NONE, h_webhooks_deliveries,
	 "deliveries of a webhook (admin)"},
	{"POST", "/api/v1/admission", ROLE_SENSOR, h_admission, "Kubernetes admission check (AdmissionReview)"},

	{"GET", "/api/v1/system", ROLE_VIEWER, h_system_settings_get, "the system's name, CSP and impact level"},
	{"PUT", "/api/v1/system", ROLE_NONE, h_system_settings_put,
	 "set the system's name, CSP and impact level (admin)"},
	{"GET", "/api/v1/reports/inventory.xlsx", ROLE_VIEWER, h_reports_inventory_xlsx,
	 "FedRAMP Integrated Inventory Workbook (?month=YYYY-MM or ?as_of=YYYY-MM-DD)"},
	{"GET", "/api/v1/reports/inventory.csv", ROLE_VIEWER, h_reports_inventory_csv,
	 "the inventory workbook's rows as CSV"},
	{"POST", "/api/v1/reports/inventory/finalize", ROLE_NONE, h_reports_inventory_finalize,
	 "store a past month's inventory rows as its deliverable (?month=YYYY-MM, admin)"},
	{"GET", "/api/v1/reports/inventory/finals", ROLE_VIEWER, h_reports_inventory_finals,
	 "finalized inventory months, newest first"},

	/* The POA&M (docs/poam.md). */
	{"GET", "/api/v1/poam", ROLE_VIEWER, h_poam_list,
	 "POA&M items (?status=&risk=&late=&kev=&image=&weakness=&as_of=)"},
	{"GET", "/api/v1/poam/{id}", ROLE_VIEWER, h_poam_get, "one POA&M item (V-n or n) with its history"},
	{"PATCH", "/api/v1/poam/{id}", ROLE_NONE, h_poam_patch,
	 "edit milestones, point of contact, resources, plan, comments (admin)"},
	{"POST", "/api/v1/poam/{id}/checkins", ROLE_NONE, h_poam_checkin, "record a vendor check-in (admin)"},
	{"POST", "/api/v1/poam/{id}/deviations", ROLE_NONE, h_poam_deviation_create,
	 "request a deviation: risk_adjustment, false_positive, operational_requirement (admin)"},
	{"POST", "/api/v1/poam/{id}/deviations/{n}/decision", ROLE_NONE, h_poam_deviation_decide,
	 "record the authorizing official's decision on a deviation request (admin)"},
	{"POST", "/api/v1/kev", ROLE_NONE, h_kev_import, "replace the CISA KEV catalog (admin)"},
	{"GET", "/api/v1/reports/poam.xlsx", ROLE_VIEWER, h_reports_poam_xlsx,
	 "FedRAMP POA&M workbook (?month=YYYY-MM or ?as_of=; ?late_only=true)"},
	{"GET", "/api/v1/reports/poam.csv", ROLE_VIEWER, h_reports_poam_csv, "the open POA&M items as CSV"},
	{"GET", "/api/v1/reports/poam.oscal.json", ROLE_VIEWER, h_reports_poam_oscal,
	 "the POA&M as an OSCAL 1.0.6 plan-of-action-and-milestones"},

	/* Dashboards for authorizing officials, metrics, the API's description
	 * (docs/dashboard.md). */
	{"GET", "/api/v1/dashboard", ROLE_VIEWER, h_dashboard, "key figures as of a time (?as_of=)"},
	{"GET", "/api/v1/dashboard/trend", ROLE_VIEWER, h_dashboard_trend,
	 "the key figures at each month's end (?months=)"},
	{"GET", "/api/v1/openapi.json", ROLE_VIEWER | ROLE_SCANNER | ROLE_SENSOR, h_openapi,
	 "this API's OpenAPI 3.1 document"},
	{"GET", "/metrics", ROLE_VIEWER, h_metrics, "Prometheus metrics"},

	/* The web UI: cookie sessions, never bearer tokens (session.h). */
	{"GET", "/", ROLE_VIEWER | ROUTE_AUTH_SESSION, h_web_home,
	 "the dashboard page"},
	{"GET", "/images/{id}", ROLE_VIEWER | ROUTE_AUTH_SESSION, h_web_image,
	 "the page of one image"},
	{"GET", "/reports/inventory.xlsx", ROLE_VIEWER | ROUTE_AUTH_SESSION, h_reports_inventory_xlsx,
	 "the inventory workbook, for the signed-in web page"},
	{"GET", "/reports/poam.xlsx", ROLE_VIEWER | ROUTE_AUTH_SESSION, h_reports_poam_xlsx,
	 "the POA&M workbook, for the signed-in web page"},
	{"POST", "/logout", ROLE_VIEWER | ROUTE_AUTH_SESSION, h_web_logout,
	 "sign out (CSRF token required)"},
	{"GET", "/login", ROLE_NONE, h_web_login_form, "the sign-in form"},
	{"POST", "/login", ROLE_NONE, h_web_login, "sign in with a viewer or admin token: opens a session"},
	{"GET", "/static/{name}", ROLE_NONE, h_web_static, "the web UI's stylesheet and icon"},
};

const size_t router_nroutes = sizeof(router_routes) / sizeof(router_routes[0]);
