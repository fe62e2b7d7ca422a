/*
 * scan_service.h - the whole path of one scan report, shared by the HTTP
 * handler and `muster import`: parse (ingest/), resolve identities,
 * compress and hash the raw bytes, store in one transaction (store/).
 * Errors come back as an HTTP-style status with a code and a message so
 * both callers can report them the same way.
 */
#ifndef MUSTER_SCAN_SERVICE_H
#define MUSTER_SCAN_SERVICE_H

#include <stddef.h>
#include <time.h>

#include "../store/scans.h"
#include "../store/store.h"

/* Findings of one image above this are refused (the read API pages
 * findings by scan and position within 2^20). */
#define SCAN_MAX_FINDINGS 1000000

typedef struct scan_options {
	const char *format;           /* forced format or NULL */
	const char *image;            /* image= reference or NULL */
	const char *scanned_at;       /* scanned_at= override (RFC 3339) or NULL */
	const char *idempotency_key;  /* or NULL */
	const char *const *moving_tags; /* NULL-terminated; NULL = {"latest"} */
} scan_options;

typedef struct scan_result {
	int status;                   /* 200 duplicate, 201 stored, else an error status */
	char code[32];                /* error code when status >= 400 */
	char message[512];
	store_scan_out *scans;        /* malloc'd, n_scans of them */
	size_t n_scans;
	int multi;                    /* the report format covers several images */
} scan_result;

/* Ingest one report. body is parsed in place and is garbage afterwards.
 * db may be NULL to only parse and validate (nothing is stored). Always
 * fills res; free it with scan_result_free. */
void scan_service_ingest(db_conn *db, const store_actor *who, char *body, size_t len,
			 const scan_options *opt, scan_result *res);
void scan_result_free(scan_result *res);

#endif
