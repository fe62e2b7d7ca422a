/*
 * inventory_reads.h - read side of images, builds, scans and findings,
 * rendered to JSON by PostgreSQL itself (json_build_object / json_agg) so
 * that no row is loaded into the server only to be printed again.
 * Lists page by keyset: items after `cursor`, at most `limit`, and the
 * cursor of the next page (NULL when none).
 */
#ifndef MUSTER_INVENTORY_READS_H
#define MUSTER_INVENTORY_READS_H

#include "store.h"

typedef struct store_page {
	long long limit;          /* 1..1000 */
	const char *cursor;       /* opaque, from a previous "next", or NULL */
} store_page;

typedef struct image_filter {
	const char *uai;          /* exact UAI or former UAI */
	const char *repository;   /* "registry/repository" or a bare repository */
	const char *digest;       /* any digest form, already normalized */
} image_filter;

/* Each returns STORE_OK with a malloc'd JSON text in *json (caller frees). */
int store_images_list(db_conn *c, const image_filter *f, const store_page *p, char **json);
int store_image_get(db_conn *c, long long id, char **json);
int store_image_findings(db_conn *c, long long id, const store_page *p, char **json);
int store_scans_list(db_conn *c, long long image_id, const store_page *p, char **json);
int store_scan_get(db_conn *c, long long id, char **json);
int store_scan_findings(db_conn *c, long long id, const store_page *p, char **json);

#endif
