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

/* shared list helpers (h_scans.c) */
struct store_page;
int read_page(req *r, struct store_page *p, char *cursor, size_t clen);
int respond_store_json(req *r, int rc, char *json);

#endif
