/*
 * scan_service.c - parse, identify, compress and store one scan report
 * (scan_service.h).
 */
#include "scan_service.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ingest/identity.h"
#include "../ingest/ingest.h"
#include "../util/buf.h"
#include "../util/crypto.h"
#include "../util/gz.h"
#include "../util/log.h"
#include "../util/timeutil.h"

static const char *const default_moving_tags[] = {"latest", NULL};

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * Hash and compress the report as received, on two threads when it is large:
 * a worker hashes it and then compresses its last third, while this thread
 * compresses the first two thirds (SHA-256 runs about three times faster
 * than deflate at level 1, so the two sides finish together). The pieces
 * join into one ordinary gzip member. Must run before the in-place parse,
 * which rewrites the body.
 */
#define SPLIT_MIN_BYTES (1u << 20)

struct hash_job {
	const char *body;
	size_t len, split;
	char *sha;
	gz_piece tail;
	int rc;
};

static void *hash_and_compress_tail(void *arg)
{
	struct hash_job *j = arg;

	crypto_sha256_hex(j->body, j->len, j->sha);
	j->rc = gz_piece_deflate(&j->tail, j->body + j->split, j->len - j->split, 1, 1);
	return NULL;
}

static int hash_and_compress(const char *body, size_t len, char sha[CRYPTO_SHA256_HEX], buf *gz)
{
	struct hash_job job = {body, len, len / 3 * 2, sha, {{0}, 0, 0}, 0};
	gz_piece head;
	pthread_t th;
	int rc;

	if (len < SPLIT_MIN_BYTES || pthread_create(&th, NULL, hash_and_compress_tail, &job) != 0) {
		crypto_sha256_hex(body, len, sha);
		return gz_deflate(gz, body, len, 1);
	}
	rc = gz_piece_deflate(&head, body, job.split, 1, 0);
	pthread_join(th, NULL);
	if (!rc && !job.rc) {
		gz_piece pieces[2];

		pieces[0] = head;
		pieces[1] = job.tail;
		rc = gz_join(gz, pieces, 2);
	}
	if (!rc)
		rc = job.rc;
	/* both pieces were initialised by gz_piece_deflate, failed or not */
	gz_piece_free(&job.tail);
	gz_piece_free(&head);
	return rc;
}

static void fail(scan_result *res, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(scan_result *res, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	snprintf(res->code, sizeof(res->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
}

static void fail_store(scan_result *res, int rc)
{
	switch (rc) {
	case STORE_ERR_DOWN:
		fail(res, 503, "database_unavailable", "the database is unavailable; retry later");
		break;
	case STORE_ERR_BUSY:
	case STORE_ERR_RETRY:
		fail(res, 503, "busy", "the write conflicted with concurrent writes; retry");
		break;
	case STORE_ERR_TIMEOUT:
		fail(res, 503, "database_timeout",
		     "storing the report ran past the database time limit and was cancelled; nothing was stored");
		break;
	case STORE_ERR_INVALID:
		fail(res, 422, "invalid", "the database refused a value of the report");
		break;
	default:
		fail(res, 500, "internal", "the report could not be stored");
	}
}

static void fail_parse(scan_result *res, const ms_error *e)
{
	switch (e->code) {
	case MS_ERR_SYNTAX:
		if (e->line > 0)
			fail(res, 400, "malformed_json", "the report is not valid JSON: line %d, column %d: %s",
			     e->line, e->column, e->message);
		else
			fail(res, 400, "malformed_json", "the report is not valid JSON: %s", e->message);
		break;
	case MS_ERR_FORMAT:
		if (!strcmp(e->field, "format"))
			fail(res, 400, "bad_parameter", "%s", e->message);
		else
			fail(res, 415, "unsupported_format", "%s", e->message);
		break;
	case MS_ERR_MISSING:
		fail(res, 422, "missing_field", "%s%s%s", e->field[0] ? e->field : "",
		     e->field[0] ? ": " : "", e->message);
		break;
	default:
		fail(res, 500, "internal", "out of memory while parsing the report");
	}
}

void scan_service_ingest(db_conn *db, const store_actor *who, char *body, size_t len,
			 const scan_options *opt, scan_result *res)
{
	ms_report rep;
	ms_error err;
	store_scan_in *ins = NULL;
	identity *ids = NULL;
	store_report_in rin;
	char sha[CRYPTO_SHA256_HEX];
	time_t forced_time = 0, now = time(NULL);
	buf gz;
	size_t i;
	int rc, dup = 0;

	struct timespec t0, t1, t2, t3;
	char timing[160];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	t1 = t2 = t3 = t0;
	memset(res, 0, sizeof(*res));
	memset(&err, 0, sizeof(err));
	ms_report_init(&rep);
	buf_init(&gz, (size_t)-1);
	if (opt->scanned_at && time_parse_rfc3339(opt->scanned_at, &forced_time)) {
		fail(res, 400, "bad_parameter", "scanned_at must be an RFC 3339 time (2026-11-30T12:00:00Z)");
		goto cleanup;
	}
	/* hash and compress the bytes as received, then parse them in place */
	if (!db) {
		crypto_sha256_hex(body, len, sha);
	} else if (hash_and_compress(body, len, sha, &gz)) {
		fail(res, 500, "internal", "could not compress the report");
		goto cleanup;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ingest_parse_report_inplace(&rep, body, len, opt->format, &err) != MS_OK) {
		fail_parse(res, &err);
		goto cleanup;
	}
	if (rep.n_scans == 0) {
		fail(res, 422, "no_image", "the report covers no image: nothing to store");
		goto cleanup;
	}
	ins = calloc(rep.n_scans, sizeof(*ins));
	ids = calloc(rep.n_scans, sizeof(*ids));
	if (!ins || !ids) {
		fail(res, 500, "internal", "out of memory");
		goto cleanup;
	}
	for (i = 0; i < rep.n_scans; i++) {
		const ms_scan *s = &rep.scans[i];
		time_t t = now;

		if (s->n_findings > SCAN_MAX_FINDINGS) {
			fail(res, 422, "too_many_findings", "one image has %zu findings; at most %d are accepted",
			     s->n_findings, SCAN_MAX_FINDINGS);
			goto cleanup;
		}
		if (identity_from_image(&ids[i], &rep, &s->image, rep.n_scans == 1 ? opt->image : NULL,
					opt->moving_tags ? opt->moving_tags : default_moving_tags,
					&err) != MS_OK) {
			if (rep.n_scans > 1) {
				char field[sizeof(err.field)];

				memcpy(field, err.field, sizeof(field));
				if ((size_t)snprintf(err.field, sizeof(err.field), "scans[%zu].%.100s", i, field) >=
				    sizeof(err.field))
					err.field[sizeof(err.field) - 1] = '\0';
			}
			fail_parse(res, &err);
			goto cleanup;
		}
		if (opt->scanned_at)
			t = forced_time;
		else if (s->scanned_at && time_parse_rfc3339(s->scanned_at, &t))
			t = now;
		ins[i].id = &ids[i];
		ins[i].scan = s;
		ins[i].scanned_at = t;
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	res->multi = rep.n_scans > 1;
	if (!db) {
		res->status = 201;
		goto cleanup;
	}
	rin.format = rep.format;
	rin.sha256 = sha;
	rin.idempotency_key = opt->idempotency_key;
	rin.raw_gz = gz.data;
	rin.raw_gz_len = gz.len;
	rin.raw_len = len;
	rin.scans = ins;
	rin.n_scans = rep.n_scans;
	rc = store_ingest_report(db, who, &rin, &res->scans, &res->n_scans, &dup);
	if (rc) {
		fail_store(res, rc);
		goto cleanup;
	}
	res->status = dup ? 200 : 201;
	clock_gettime(CLOCK_MONOTONIC, &t3);
	snprintf(timing, sizeof(timing), "hash+compress %.1f ms, parse %.1f ms, store %.1f ms",
		 ms_between(&t0, &t1), ms_between(&t1, &t2), ms_between(&t2, &t3));
	log_event("info", "scan report ingested", "timing", timing, "format", rep.format, NULL);
cleanup:
	free(ins);
	free(ids);
	buf_free(&gz);
	ms_report_free(&rep);
}

void scan_result_free(scan_result *res)
{
	free(res->scans);
	res->scans = NULL;
	res->n_scans = 0;
}
