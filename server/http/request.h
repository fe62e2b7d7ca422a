/*
 * request.h - one HTTP request as the handlers see it: method, path
 * parameters, query, authenticated token, a lazily taken database
 * connection and the body read under a size ceiling.  Handlers answer
 * through respond.h and return the status they sent.
 */
#ifndef MUSTER_REQUEST_H
#define MUSTER_REQUEST_H

#include <stddef.h>
#include <jansson.h>

#include "../store/store.h"
#include "../util/buf.h"
#include "app.h"

struct mg_connection;
struct mg_request_info;

#define REQ_MAX_PARAMS 4

/* Role bits; admin may do everything. */
#define ROLE_ADMIN   0x1
#define ROLE_SCANNER 0x2
#define ROLE_SENSOR  0x4
#define ROLE_VIEWER  0x8
#define ROLE_NONE    0x0   /* public route */

typedef struct req {
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	app *app;
	const char *method;
	const char *path;
	const char *route;          /* the matched pattern, for logs and audit */
	char *params[REQ_MAX_PARAMS];  /* decoded path parameters (owned) */
	int nparams;
	char request_id[72];
	store_token token;          /* valid when authed */
	int authed;
	db_conn *db;                /* taken by req_db(), released at the end */
	buf body;                   /* filled by req_read_body() */
	int status;                 /* what was sent */
	long long bytes_out;
	store_actor actor;          /* audit identity, filled after auth */
	char route_label[160];
	/* What a committed write changed, for app_after_write (h_hooks.c);
	 * all zero when the handler did not say. */
	struct {
		const long long *scan_ids;  /* scans just stored (borrowed) */
		size_t n_scans;
		long long snapshot_id;      /* runtime snapshot just stored */
		const char *cluster;        /* a cluster whose environments changed */
	} written;
} req;

/* The request's database connection, taken from the pool on first use.
 * NULL when none could be had: the 503 answer has then been sent. */
db_conn *req_db(req *r);
/* Give the connection back early (before long work that needs no database). */
void req_db_release(req *r);

/* Read the body (Content-Encoding gzip inflated) under the configured
 * ceiling. 0 on success; otherwise the 4xx answer has been sent and the
 * status is returned. */
int req_read_body(req *r);
/* Parse the body as a JSON object; on failure answers 400 and returns NULL. */
json_t *req_body_json(req *r);
/* Require a JSON content type (application/json or +json); 415 otherwise. */
int req_require_json(req *r);
/* The same for a report piped from a tool (`trivy ... | curl --data-binary
 * @-` labels it form-urlencoded): also accepts form-urlencoded,
 * octet-stream, text/plain and no type. 0, or the 415 was sent. */
int req_require_report_type(req *r);

/* Query parameter: 1 and the decoded value in out when present, 0 when
 * absent, -1 when over-long (nothing sent: the caller decides). */
int req_query(req *r, const char *name, char *out, size_t outlen);
/* 0, or -1 when the query string holds an encoded NUL byte (%00), which
 * would cut a decoded value short without anyone noticing. */
int req_query_check(req *r);
/* A header value or NULL. */
const char *req_header(req *r, const char *name);

#endif
