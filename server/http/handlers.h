/*
 * handlers.h - every HTTP handler, grouped by the file that implements it.
 * A handler parses its input, calls the store or policy layer, renders
 * the answer and returns the status it sent.
 */
#ifndef MUSTER_HANDLERS_H
#define MUSTER_HANDLERS_H

#include "request.h"

/* h_system.c */
int h_healthz(req *r);
int h_readyz(req *r);

/* h_tokens.c */
int h_tokens_create(req *r);
int h_tokens_list(req *r);
int h_tokens_revoke(req *r);

/* h_scans.c */
int h_scans_create(req *r);
int h_scans_list(req *r);
int h_scans_get(req *r);
int h_scans_findings(req *r);
int h_scans_raw(req *r);

/* h_images.c */
int h_images_list(req *r);
int h_images_get(req *r);
int h_images_findings(req *r);

/* h_runtime.c */
int h_runtime_post(req *r);
int h_containers_list(req *r);
int h_image_containers(req *r);
int h_clusters_put(req *r);
int h_clusters_list(req *r);

/* After a write that can change rule outcomes: re-evaluate the rules
 * (alerts) once the write has committed. h_hooks.c */
void app_after_write(req *r);

/* Container rules (RULES.md 3): policy, hardening, metadata, compliance,
 * alerts, webhooks, admission. */
/* h_policy.c */
int h_policy_get(req *r);
int h_policy_put(req *r);
int h_image_hardening_get(req *r);
int h_image_hardening_put(req *r);
int h_repo_hardening_get(req *r);
int h_repo_hardening_put(req *r);
int h_image_metadata_get(req *r);
int h_image_metadata_put(req *r);
int h_repo_metadata_get(req *r);
int h_repo_metadata_put(req *r);
/* h_compliance.c */
int h_compliance_list(req *r);
int h_alerts_list(req *r);
int h_alerts_evaluate(req *r);
/* h_webhooks.c */
int h_webhooks_create(req *r);
int h_webhooks_list(req *r);
int h_webhooks_delete(req *r);
int h_webhooks_deliveries(req *r);
/* h_admission.c */
int h_admission(req *r);

/* Reports and the described system. h_reports.c */
int h_system_settings_get(req *r);
int h_system_settings_put(req *r);
int h_reports_inventory_xlsx(req *r);
int h_reports_inventory_csv(req *r);
int h_reports_inventory_finalize(req *r);
int h_reports_inventory_finals(req *r);

/* Dashboards for authorizing officials, metrics, the OpenAPI document.
 * h_dashboard.c */
int h_dashboard(req *r);
int h_dashboard_trend(req *r);
int h_metrics(req *r);
int h_openapi(req *r);
/* The figures as of a time (0 = now) and the monthly trend, through the
 * process cache: STORE_OK with *json malloc'd (caller frees), or a
 * STORE_ERR_* code (when no database connection could be had, the 503
 * has been sent already). Shared with the web pages. */
int dashboard_figures(req *r, time_t as_of, char **json);
int dashboard_trend(req *r, int months, char **json);
/* as_of= text: RFC 3339, or a date meaning the end of that day. 0 or -1. */
int dashboard_parse_as_of(const char *s, time_t *out);
/* The web UI: pages, sign-in and sign-out. h_web.c */
int h_web_home(req *r);
int h_web_image(req *r);
int h_web_login_form(req *r);
int h_web_login(req *r);
int h_web_logout(req *r);
int h_web_static(req *r);

/* The POA&M: items, deviations, check-ins (h_poam.c); the KEV catalog
 * (h_kev.c); the workbook, CSV and OSCAL deliverables (h_poam_reports.c). */
int h_poam_list(req *r);
int h_poam_get(req *r);
int h_poam_patch(req *r);
int h_poam_checkin(req *r);
int h_poam_deviation_create(req *r);
int h_poam_deviation_decide(req *r);
int h_kev_import(req *r);
int h_reports_poam_xlsx(req *r);
int h_reports_poam_csv(req *r);
int h_reports_poam_oscal(req *r);

/* shared list helpers (h_scans.c) */
struct store_page;
int read_page(req *r, struct store_page *p, char *cursor, size_t clen);
int respond_store_json(req *r, int rc, char *json);

#endif
