/*
 * respond.c - every byte muster sends back goes through here, so every
 * response carries the same headers (X-Request-Id, nosniff, no-store) and
 * every error has the same JSON shape.
 */
#include "respond.h"

#include <civetweb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/log.h"

static const char *reason(int status)
{
	const char *t = mg_get_response_code_text(NULL, status);

	return t ? t : "";
}

/* The header block common to all responses. */
static int send_head(req *r, int status, const char *ctype, const char *extra,
		     long long len)
{
	char clen[64] = "";
	int n;

	if (len >= 0)
		snprintf(clen, sizeof(clen), "Content-Length: %lld\r\n", len);
	else
		snprintf(clen, sizeof(clen), "Transfer-Encoding: chunked\r\n");
	r->status = status;
	n = mg_printf(r->conn,
		      "HTTP/1.1 %d %s\r\n"
		      "Content-Type: %s\r\n"
		      "%s"
		      "X-Request-Id: %s\r\n"
		      "X-Content-Type-Options: nosniff\r\n"
		      "Cache-Control: no-store\r\n"
		      "%s"
		      "\r\n",
		      status, reason(status), ctype, clen, r->request_id,
		      extra ? extra : "");
	return n > 0 ? 0 : -1;
}

int respond_raw(req *r, int status, const char *content_type, const char *headers,
		const void *data, size_t len)
{
	if (send_head(r, status, content_type, headers, (long long)len) == 0 && len &&
	    strcmp(r->method, "HEAD") != 0)
		mg_write(r->conn, data, len);
	r->bytes_out += (long long)len;
	return status;
}

int respond_json_text(req *r, int status, const char *json, size_t len)
{
	return respond_raw(r, status, "application/json", NULL, json, len);
}

int respond_json(req *r, int status, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	int rc;

	json_decref(obj);
	if (!s)
		return respond_error(r, 500, "internal", "could not render the response");
	rc = respond_json_text(r, status, s, strlen(s));
	free(s);
	return rc;
}

/* Replace each byte that is not part of valid UTF-8 by '?': messages
 * quote request input (a path, a parameter), and jansson refuses a string
 * that is not UTF-8. Overlong forms and surrogates are invalid too. */
static void utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	unsigned cp;
	size_t n, i;

	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xE0) == 0xC0) {
			n = 1;
			cp = *p & 0x1Fu;
		} else if ((*p & 0xF0) == 0xE0) {
			n = 2;
			cp = *p & 0x0Fu;
		} else if ((*p & 0xF8) == 0xF0) {
			n = 3;
			cp = *p & 0x07u;
		} else {
			*p++ = '?';
			continue;
		}
		for (i = 1; i <= n && (p[i] & 0xC0) == 0x80; i++)   /* stops at the NUL */
			cp = (cp << 6) | (p[i] & 0x3Fu);
		if (i <= n || (n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			*p++ = '?';
			continue;
		}
		p += n + 1;
	}
}

static int verror(req *r, int status, const char *headers, const char *code,
		  const char *fmt, va_list ap)
{
	static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
	char msg[1024];
	json_t *o;
	char *s;
	int rc;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	utf8_scrub(msg);
	o = json_pack("{s{ssss}}", "error", "code", code, "message", msg);
	s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(o);
	if (!s)
		return respond_raw(r, 500, "application/json", headers, oom, sizeof(oom) - 1);
	rc = respond_raw(r, status, "application/json", headers, s, strlen(s));
	free(s);
	return rc;
}

int respond_error(req *r, int status, const char *code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(r, status, NULL, code, fmt, ap);
	va_end(ap);
	return rc;
}

int respond_error_h(req *r, int status, const char *headers, const char *code,
		    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(r, status, headers, code, fmt, ap);
	va_end(ap);
	return rc;
}

int respond_store_error(req *r, int rc)
{
	switch (rc) {
	case STORE_ERR_NOTFOUND:
		return respond_error(r, 404, "not_found", "no such resource");
	case STORE_ERR_CONFLICT:
		return respond_error(r, 409, "conflict", "the resource already exists or was changed concurrently");
	case STORE_ERR_INVALID:
		return respond_error(r, 422, "invalid", "the database refused the values");
	case STORE_ERR_DOWN:
		return respond_error_h(r, 503, "Retry-After: 5\r\n", "database_unavailable",
				       "the database is unavailable; retry later");
	case STORE_ERR_BUSY:
		return respond_error_h(r, 503, "Retry-After: 1\r\n", "busy",
				       "all database connections are in use; retry later");
	case STORE_ERR_RETRY:
		return respond_error_h(r, 503, "Retry-After: 1\r\n", "contention",
				       "the write conflicted with concurrent writes; retry");
	case STORE_ERR_TIMEOUT:
		return respond_error_h(r, 503, "Retry-After: 5\r\n", "database_timeout",
				       "a database statement ran past its time limit and was cancelled;"
				       " nothing was changed");
	default:
		return respond_error(r, 500, "internal", "internal error (request %s)", r->request_id);
	}
}

int respond_begin_chunked(req *r, int status, const char *content_type, const char *headers)
{
	return send_head(r, status, content_type, headers, -1) == 0 ? 0 : -1;
}

int respond_chunk(req *r, const void *data, size_t len)
{
	r->bytes_out += (long long)len;
	if (len == 0)
		return mg_send_chunk(r->conn, "", 0) < 0 ? -1 : 0;
	return mg_send_chunk(r->conn, data, (unsigned)len) < 0 ? -1 : 0;
}

int respond_file(req *r, FILE *f, const char *content_type, const char *headers)
{
	char *chunk = NULL;
	size_t n;
	int rc = 0;

	if (respond_begin_chunked(r, 200, content_type, headers))
		return r->status;
	if (!strcmp(r->method, "HEAD"))
		return r->status;
	chunk = malloc(RESPOND_FILE_CHUNK);
	if (!chunk) {
		log_event("error", "response: out of memory", "request_id", r->request_id, NULL);
		return r->status;   /* the client sees a truncated chunked body */
	}
	while (rc == 0 && (n = fread(chunk, 1, RESPOND_FILE_CHUNK, f)) > 0)
		rc = respond_chunk(r, chunk, n);
	if (rc == 0 && ferror(f)) {
		log_event("error", "response: could not read the file", "request_id", r->request_id, NULL);
		rc = -1;
	}
	/* the terminating chunk only after a complete body */
	if (rc == 0)
		respond_chunk(r, NULL, 0);
	free(chunk);
	return r->status;
}

int respond_report_file(req *r, const char *path, const char *content_type, const char *headers)
{
	FILE *f = fopen(path, "rb");
	int rc;

	unlink(path);
	if (!f)
		return respond_error(r, 500, "internal", "the report could not be read back");
	rc = respond_file(r, f, content_type, headers);
	fclose(f);
	return rc;
}
