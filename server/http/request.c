/*
 * request.c - per-request helpers: lazy database connection, bounded body
 * reading with gzip, query parameters (request.h).
 */
#include "request.h"

#include <civetweb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../util/gz.h"
#include "respond.h"

db_conn *req_db(req *r)
{
	int err = STORE_ERR_INTERNAL;

	if (r->db)
		return r->db;
	r->db = db_pool_acquire(r->app->pool, &err);
	if (!r->db)
		respond_store_error(r, err);
	return r->db;
}

void req_db_release(req *r)
{
	if (r->db) {
		db_pool_release(r->app->pool, r->db);
		r->db = NULL;
	}
}

const char *req_header(req *r, const char *name)
{
	return mg_get_header(r->conn, name);
}

/* civetweb's request timeout bounds each read, not the whole body: a
 * client trickling a byte now and then would hold a worker forever. The
 * body must come at one MiB per timeout period or better (the first
 * period free), else the request ends. */
static int body_too_slow(req *r, const struct timespec *start, size_t got)
{
	struct timespec now;
	double ms, allowed;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
	allowed = (double)r->app->cfg.request_timeout_ms * (1.0 + (double)got / (1024.0 * 1024.0));
	return ms > allowed;
}

int req_read_body(req *r)
{
	size_t max = r->app->cfg.max_body;
	const char *enc = req_header(r, "Content-Encoding");
	struct timespec start;
	char chunk[65536];
	int n, rc;
	buf raw;

	if (r->body.data)
		return 0;
	if (r->ri->content_length > 0 && (unsigned long long)r->ri->content_length > max)
		return respond_error(r, 413, "too_large",
				     "the body is %lld bytes; the limit is %zu",
				     r->ri->content_length, max);
	buf_init(&raw, max);
	clock_gettime(CLOCK_MONOTONIC, &start);
	n = 0;
	/* a declared length: read straight into a buffer of that size */
	if (r->ri->content_length > 0) {
		if (buf_reserve(&raw, (size_t)r->ri->content_length))
			return respond_error(r, 500, "internal", "out of memory");
		while (raw.len < (size_t)r->ri->content_length) {
			n = mg_read(r->conn, raw.data + raw.len, (size_t)r->ri->content_length - raw.len);
			if (n <= 0)
				break;
			raw.len += (size_t)n;
			raw.data[raw.len] = '\0';
			if (body_too_slow(r, &start, raw.len)) {
				buf_free(&raw);
				return respond_error(r, 408, "timeout", "the body arrived too slowly");
			}
		}
	}
	while (r->ri->content_length <= 0 && (n = mg_read(r->conn, chunk, sizeof(chunk))) > 0) {
		rc = buf_append(&raw, chunk, (size_t)n);
		if (rc == BUF_ERR_TOOBIG)
			return respond_error(r, 413, "too_large", "the body exceeds the limit of %zu bytes", max);
		if (rc)
			return respond_error(r, 500, "internal", "out of memory");
		if (body_too_slow(r, &start, raw.len)) {
			buf_free(&raw);
			return respond_error(r, 408, "timeout", "the body arrived too slowly");
		}
	}
	if (n < 0) {
		buf_free(&raw);
		return respond_error(r, 400, "bad_request", "the body could not be read completely");
	}
	if (r->ri->content_length > 0 && (long long)raw.len != r->ri->content_length) {
		buf_free(&raw);
		return respond_error(r, 400, "bad_request", "the body is shorter than its Content-Length");
	}
	if (raw.data == NULL && buf_append(&raw, "", 0))
		return respond_error(r, 500, "internal", "out of memory");
	if (!enc || !*enc || !strcasecmp(enc, "identity")) {
		r->body = raw;
		return 0;
	}
	if (strcasecmp(enc, "gzip") && strcasecmp(enc, "x-gzip") && strcasecmp(enc, "deflate")) {
		buf_free(&raw);
		return respond_error(r, 415, "unsupported_encoding",
				     "Content-Encoding \"%s\" is not supported (use gzip or none)", enc);
	}
	buf_init(&r->body, max);
	rc = gz_inflate(&r->body, raw.data, raw.len);
	buf_free(&raw);
	if (rc == BUF_ERR_TOOBIG)
		return respond_error(r, 413, "too_large", "the decompressed body exceeds the limit of %zu bytes", max);
	if (rc)
		return respond_error(r, 400, "bad_encoding", "the body is not a valid %s stream", enc);
	if (r->body.data == NULL && buf_append(&r->body, "", 0))
		return respond_error(r, 500, "internal", "out of memory");
	return 0;
}

int req_require_json(req *r)
{
	const char *ct = req_header(r, "Content-Type");
	size_t n;

	if (!ct)
		return 0;
	n = strcspn(ct, ";");
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	if ((n == 16 && !strncasecmp(ct, "application/json", 16)) ||
	    (n > 5 && !strncasecmp(ct + n - 5, "+json", 5)))
		return 0;
	return respond_error(r, 415, "unsupported_media_type",
			     "Content-Type must be application/json");
}

int req_require_report_type(req *r)
{
	static const char *const ok[] = {"application/json", "application/x-www-form-urlencoded",
					 "application/octet-stream", "text/plain", NULL};
	const char *ct = req_header(r, "Content-Type");
	size_t n, i;

	if (!ct || !*ct)
		return 0;
	n = strcspn(ct, "; ");
	for (i = 0; ok[i]; i++)
		if (strlen(ok[i]) == n && !strncasecmp(ct, ok[i], n))
			return 0;
	if (n > 5 && !strncasecmp(ct + n - 5, "+json", 5))
		return 0;
	return respond_error(r, 415, "unsupported_media_type",
			     "send the document as JSON (Content-Type application/json)");
}

json_t *req_body_json(req *r)
{
	json_error_t e;
	json_t *j;

	if (req_read_body(r))
		return NULL;
	j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &e);
	if (!j) {
		respond_error(r, 400, "malformed_json", "line %d, column %d: %s",
			      e.line, e.column, e.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		respond_error(r, 400, "malformed_json", "the body must be a JSON object");
		return NULL;
	}
	return j;
}

int req_query(req *r, const char *name, char *out, size_t outlen)
{
	const char *qs = r->ri->query_string;
	int n;

	if (!qs)
		return 0;
	n = mg_get_var(qs, strlen(qs), name, out, outlen);
	if (n == -1)
		return 0;
	if (n < 0)
		return -1;
	return 1;
}

int req_query_check(req *r)
{
	const char *qs = r->ri->query_string;

	return qs && strstr(qs, "%00") ? -1 : 0;
}
