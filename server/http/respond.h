/*
 * respond.h - writing answers: JSON bodies, the one error shape
 * {"error":{"code","message"}}, raw bodies and streamed bodies. Each call
 * sends the whole response and returns the status for the handler to return.
 */
#ifndef MUSTER_RESPOND_H
#define MUSTER_RESPOND_H

#include <jansson.h>
#include <stdio.h>

#include "request.h"

/* Send obj (stolen: decref'd here) as JSON. */
int respond_json(req *r, int status, json_t *obj);
/* Send a preformatted JSON text. */
int respond_json_text(req *r, int status, const char *json, size_t len);
/* Send the error shape; code is a short machine word ("not_found"). */
int respond_error(req *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Same with extra raw header lines ("Allow: GET, POST\r\n"). */
int respond_error_h(req *r, int status, const char *headers, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Map a STORE_ERR_* code to its answer (404, 409, 503 + Retry-After, ...). */
int respond_store_error(req *r, int store_rc);
/* Raw body with content type and optional extra header lines. */
int respond_raw(req *r, int status, const char *content_type, const char *headers,
		const void *data, size_t len);
/* Start a body of unknown length (chunked); then respond_chunk, then
 * respond_chunk(r, NULL, 0) to end. */
int respond_begin_chunked(req *r, int status, const char *content_type, const char *headers);
int respond_chunk(req *r, const void *data, size_t len);
/* Stream an open file (from its current position) as a chunked 200 body;
 * a read error leaves the body unterminated so the client sees it cut. */
#define RESPOND_FILE_CHUNK (64 * 1024)
int respond_file(req *r, FILE *f, const char *content_type, const char *headers);
/* Send a report the handler wrote to the private temporary file path, as
 * respond_file does, and remove the file: it is unlinked as soon as it is
 * open, so nothing is left behind whatever happens next. A file that
 * cannot be opened is a 500. Returns the status sent. */
int respond_report_file(req *r, const char *path, const char *content_type, const char *headers);

#endif
