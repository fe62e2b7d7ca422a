/*
 * server.c - civetweb glue (server.h).  One request handler for every
 * path hands the request to the router; civetweb's own errors (oversized
 * headers, bad request lines, timeouts) are rendered in muster's JSON
 * error shape; every request ends with one JSON access-log line.
 */
#include "server.h"

#include <civetweb.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/crypto.h"
#include "../util/log.h"
#include "../util/timeutil.h"
#include "big_stack.h"
#include "request.h"
#include "respond.h"
#include "metrics.h"
#include "router.h"
#include "tls_setup.h"

static void make_request_id(const char *client, char *out, size_t len)
{
	char tok[CRYPTO_TOKEN_LEN + 1];
	const char *p;

	if (client && *client && strlen(client) < 64) {
		for (p = client; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
				break;
		if (!*p) {
			snprintf(out, len, "%s", client);
			return;
		}
	}
	if (crypto_random_token(tok))
		snprintf(tok, sizeof(tok), "%lx", (unsigned long)time(NULL));
	snprintf(out, len, "%.24s", tok);
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void access_log(req *r, double ms)
{
	char ts[32];
	buf b;
	int rc = 0;

	time_format_rfc3339(time(NULL), ts, sizeof(ts));
	buf_init(&b, 16384);
	rc |= buf_printf(&b, "{\"time\":\"%s\",\"type\":\"access\",\"request_id\":\"", ts);
	rc |= buf_json_escape(&b, r->request_id);
	rc |= buf_puts(&b, "\",\"method\":\"");
	rc |= buf_json_escape(&b, r->method ? r->method : "");
	rc |= buf_puts(&b, "\",\"path\":\"");
	rc |= buf_json_escape(&b, r->path ? r->path : "");
	rc |= buf_puts(&b, "\",\"route\":\"");
	rc |= buf_json_escape(&b, r->route ? r->route : "");
	rc |= buf_printf(&b, "\",\"status\":%d,\"duration_ms\":%.2f,\"bytes_in\":%zu,\"bytes_out\":%lld,\"remote\":\"",
			 r->status, ms, r->body.len, r->bytes_out);
	rc |= buf_json_escape(&b, r->ri ? r->ri->remote_addr : "");
	rc |= buf_puts(&b, "\",\"token\":\"");
	rc |= buf_json_escape(&b, r->authed ? r->token.name : "");
	rc |= buf_puts(&b, "\"}");
	if (rc == 0)
		log_line(b.data);
	buf_free(&b);
}

static void dispatch(void *arg)
{
	router_dispatch(arg);
}

/* Every request runs on a large stack (big_stack.h): civetweb's workers
 * have 100 KiB. */
static void dispatch_on_big_stack(req *r)
{
	if (big_stack_run(dispatch, r) != 0)
		respond_error(r, 503, "busy", "could not set up a request stack");
}

static int on_request(struct mg_connection *conn, void *cbdata)
{
	req r;
	struct timespec t0;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&r, 0, sizeof(r));
	r.conn = conn;
	r.ri = mg_get_request_info(conn);
	r.app = cbdata;
	r.method = r.ri->request_method;
	r.path = r.ri->local_uri ? r.ri->local_uri : "/";
	metrics_request_begin(r.method);
	make_request_id(mg_get_header(conn, "X-Request-Id"), r.request_id, sizeof(r.request_id));
	dispatch_on_big_stack(&r);
	if (r.status == 0)
		respond_error(&r, 500, "internal", "the handler sent no answer");
	req_db_release(&r);
	ms = elapsed_ms(&t0);
	metrics_observe_request(r.method, r.route, r.status, ms / 1e3, r.body.len);
	access_log(&r, ms);
	buf_free(&r.body);
	return r.status;
}

/* civetweb's own errors (malformed requests, headers too large, ...). */
static int on_http_error(struct mg_connection *conn, int status, const char *msg)
{
	req r;
	const char *code = status == 413 || status == 431 ? "too_large"
			 : status == 408 ? "timeout" : "bad_request";

	memset(&r, 0, sizeof(r));
	r.conn = conn;
	r.ri = mg_get_request_info(conn);
	r.method = r.ri && r.ri->request_method ? r.ri->request_method : "GET";
	r.path = r.ri && r.ri->local_uri ? r.ri->local_uri : "";
	make_request_id(NULL, r.request_id, sizeof(r.request_id));
	respond_error(&r, status, code, "%s", msg && *msg ? msg : "the request could not be read");
	access_log(&r, 0);
	return 0;
}

int http_server_run(app *a)
{
	struct mg_callbacks cb;
	struct mg_context *ctx;
	char threads[16], timeout[16], ports[300];
	const char *opts[32];
	int n = 0, tls = a->cfg.tls_cert && *a->cfg.tls_cert;
	tls_setup ts;

	memset(&cb, 0, sizeof(cb));
	cb.http_error = on_http_error;
	snprintf(threads, sizeof(threads), "%d", a->cfg.threads);
	snprintf(timeout, sizeof(timeout), "%d", a->cfg.request_timeout_ms);
	snprintf(ports, sizeof(ports), "%s%s", a->cfg.listen,
		 a->cfg.tls_cert && *a->cfg.tls_cert ? "s" : "");
	opts[n++] = "listening_ports";
	opts[n++] = ports;
	opts[n++] = "num_threads";
	opts[n++] = threads;
	opts[n++] = "request_timeout_ms";
	opts[n++] = timeout;
	opts[n++] = "enable_keep_alive";
	opts[n++] = "yes";
	opts[n++] = "keep_alive_timeout_ms";
	opts[n++] = "5000";
	/* headers and body go out in separate writes: without this, Nagle and
	 * the client's delayed ACK add 40 ms to every keep-alive request */
	opts[n++] = "tcp_nodelay";
	opts[n++] = "1";
	opts[n++] = "max_request_size";
	opts[n++] = "16384";
	opts[n++] = "decode_url";
	opts[n++] = "no";   /* the router decodes each path parameter (router.c) */
	if (tls) {
		if (tls_setup_begin(&ts, a->cfg.tls_cert, a->cfg.tls_key, a->cfg.data_dir))
			return -1;
		opts[n++] = "ssl_certificate";
		opts[n++] = ts.pem;
		opts[n++] = "ssl_protocol_version";
		opts[n++] = "4";   /* TLS 1.2 and newer */
	}
	opts[n] = NULL;

	if (!tls) {
		mg_init_library(0);
		ctx = mg_start(&cb, a, opts);
	} else if (mg_init_library(MG_FEATURES_TLS) & MG_FEATURES_TLS) {
		ctx = mg_start(&cb, a, opts);
	} else {
		log_event("error", "TLS is configured but civetweb could not load OpenSSL"
			  " (libssl.so and libcrypto.so, package libssl-dev, and libmuster_tls_compat.so"
			  " next to the muster binary)", NULL);
		ctx = NULL;
	}
	if (tls)
		tls_setup_started(&ts);   /* mg_start has read the key: its copy goes */
	if (!ctx) {
		log_event("error", "could not start the HTTP server", "listen", a->cfg.listen, NULL);
		mg_exit_library();
		if (tls)
			tls_setup_end(&ts);
		return -1;
	}
	mg_set_request_handler(ctx, "/", on_request, a);
	log_event("info", "serving", "listen", a->cfg.listen, NULL);
	while (!a->stopping)
		usleep(100 * 1000);
	log_event("info", "stopping: finishing requests in flight", NULL);
	db_pool_cancel_after(a->pool, a->cfg.stop_grace_ms);
	mg_stop(ctx);
	mg_exit_library();
	if (tls)
		tls_setup_end(&ts);
	return 0;
}
