/*
 * scans.h - storing scan reports: one transaction per report that resolves
 * each image's identity (digests -> build, reference -> asset with its
 * UAI), keeps the raw report, and loads the findings with COPY.
 */
#ifndef MUSTER_STORE_SCANS_H
#define MUSTER_STORE_SCANS_H

#include <stddef.h>
#include <time.h>

#include "../ingest/identity.h"
#include "../ingest/scan_model.h"
#include "store.h"

typedef struct store_scan_in {
	const identity *id;
	const ms_scan *scan;
	time_t scanned_at;
} store_scan_in;

typedef struct store_report_in {
	const char *format;
	const char *sha256;           /* of the report bytes */
	const char *idempotency_key;  /* may be NULL */
	const void *raw_gz;           /* the report, gzip-compressed */
	size_t raw_gz_len;
	size_t raw_len;
	const store_scan_in *scans;
	size_t n_scans;
} store_report_in;

typedef struct store_scan_out {
	long long scan_id;
	long long image_id;
	long long build_id;
	char uai[800];
	char digest[140];
	long long findings;
	long long new_findings;
} store_scan_out;

/* Store a report in one transaction. *out receives a malloc'd array of
 * *n_out results (caller frees) - for a report already stored (same bytes
 * or same idempotency key) those of the earlier one, with *duplicate set. */
int store_ingest_report(db_conn *c, const store_actor *who, const store_report_in *in,
			store_scan_out **out, size_t *n_out, int *duplicate);

/* The stored report of a scan, still gzip-compressed (caller frees). */
int store_scan_raw(db_conn *c, long long scan_id, char **gz, size_t *gz_len, char *format, size_t flen);

#endif
