/*
 * fuzz_http.c - libFuzzer target for the whole request path: raw HTTP
 * bytes in, a response out. LLVMFuzzerInitialize starts one in-process
 * muster HTTP server (the real civetweb setup, router, handlers and store)
 * on an ephemeral loopback port. The database is MUSTER_FUZZ_DATABASE_URL
 * when set (migrated, with the admin token FUZZ_TOKEN, which the seeds
 * use); otherwise the pool points at a socket that does not exist, so
 * every route that needs the database answers 503.
 *
 * Each input is written to a new connection, the write side is shut, and
 * the answer is read until the server closes. The checks: whatever comes
 * back starts with "HTTP/1.1 " and a status from 100 to 599, and no answer
 * is a 500 (an internal error is a bug to find; set MUSTER_FUZZ_ALLOW_500=1
 * to tolerate them). Memory errors in the server are caught in-process by
 * the sanitizers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http/app.h"
#include "http/server.h"
#include "store/store.h"
#include "util/config.h"

#define FUZZ_TOKEN "f00df00df00df00df00df00df00df00df00df00df00df00df00df00df00df00d"
#define MAX_INPUT (256 * 1024)
#define MAX_ANSWER (4 * 1024 * 1024)

static app fuzz_app;
static char listen_addr[64];
static int port;
static int allow_500;

static void *serve(void *arg)
{
	if (http_server_run(arg) != 0) {
		fprintf(stderr, "fuzz_http: the server did not start\n");
		abort();
	}
	return NULL;
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), p = -1;

	if (s < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		p = ntohs(a.sin_port);
	close(s);
	return p;
}

static int connect_server(void)
{
	struct sockaddr_in a;
	struct timeval tv = {10, 0};
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(s);
		return -1;
	}
	return s;
}

/* Migrate the fuzz database and make sure FUZZ_TOKEN is an admin token. */
static void prepare_database(const char *url)
{
	char err[1024] = "", secret[65];
	int created = 0;
	db_conn *c = db_connect(url, err, sizeof(err));

	if (!c) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	if (store_migrate(c, fuzz_app.schema_dir, err, sizeof(err)) < 0 ||
	    store_token_bootstrap(c, FUZZ_TOKEN, secret, &created) != STORE_OK) {
		fprintf(stderr, "fuzz_http: could not prepare the database: %s\n", err);
		abort();
	}
	db_disconnect(c);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *url = getenv("MUSTER_FUZZ_DATABASE_URL");
	char err[256];
	pthread_t t;
	int i, s;

	(void)argc;
	(void)argv;
	allow_500 = getenv("MUSTER_FUZZ_ALLOW_500") && !strcmp(getenv("MUSTER_FUZZ_ALLOW_500"), "1");
	if (config_load(&fuzz_app.cfg, 0, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_http: %s\n", err);
		abort();
	}
	port = free_port();
	if (port <= 0)
		abort();
	snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%d", port);
	fuzz_app.cfg.listen = listen_addr;
	fuzz_app.cfg.tls_cert = fuzz_app.cfg.tls_key = NULL;
	fuzz_app.cfg.threads = 4;
	fuzz_app.cfg.request_timeout_ms = 2000;
	fuzz_app.cfg.max_body = 1024 * 1024;
	fuzz_app.cfg.db_acquire_ms = 200;
	fuzz_app.cfg.data_dir = "/tmp";
	fuzz_app.schema_dir = getenv("MUSTER_SCHEMA_DIR") ? getenv("MUSTER_SCHEMA_DIR") : "schema";
	fuzz_app.templates_dir = getenv("MUSTER_TEMPLATES_DIR") ? getenv("MUSTER_TEMPLATES_DIR") : "templates";
	if (url && *url) {
		prepare_database(url);
		fuzz_app.cfg.database_url = url;
	} else {
		fuzz_app.cfg.database_url = "host=/nonexistent/muster-fuzz dbname=none connect_timeout=1";
	}
	fuzz_app.pool = db_pool_new(fuzz_app.cfg.database_url, 2, fuzz_app.cfg.db_acquire_ms,
				    fuzz_app.cfg.db_statement_ms);
	if (!fuzz_app.pool || pthread_create(&t, NULL, serve, &fuzz_app) != 0)
		abort();
	pthread_detach(t);
	for (i = 0; i < 200; i++) {   /* up to 10 s for the listener */
		s = connect_server();
		if (s >= 0) {
			close(s);
			return 0;
		}
		usleep(50 * 1000);
	}
	fprintf(stderr, "fuzz_http: the server does not accept connections on %s\n", listen_addr);
	abort();
}

static int send_all(int s, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(s, p, n, MSG_NOSIGNAL);

		if (w < 0)
			return errno == EINTR ? 0 : -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The status line must be "HTTP/1.1 NNN " with NNN from 100 to 599. */
static void check_answer(const char *buf, size_t len)
{
	int status;

	if (len == 0)
		return;   /* the server may close on input that is no request at all */
	if (len < 13 || memcmp(buf, "HTTP/1.1 ", 9) != 0 || buf[12] != ' ' ||
	    buf[9] < '1' || buf[9] > '5' || buf[10] < '0' || buf[10] > '9' || buf[11] < '0' || buf[11] > '9') {
		fprintf(stderr, "fuzz_http: not an HTTP/1.1 answer: %.60s\n", buf);
		abort();
	}
	status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (status == 500 && !allow_500) {
		fprintf(stderr, "fuzz_http: an internal error: %.400s\n", buf);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *answer;
	size_t got = 0;
	ssize_t n;
	int s;

	if (size > MAX_INPUT)
		return 0;
	s = connect_server();
	if (s < 0) {
		fprintf(stderr, "fuzz_http: the server stopped accepting connections\n");
		abort();
	}
	answer = malloc(MAX_ANSWER + 1);
	if (!answer)
		abort();
	if (send_all(s, data, size) == 0)
		shutdown(s, SHUT_WR);   /* no more request bytes: the server sees EOF */
	while (got < MAX_ANSWER && (n = recv(s, answer + got, MAX_ANSWER - got, 0)) > 0)
		got += (size_t)n;
	answer[got] = '\0';
	close(s);
	check_answer(answer, got);
	free(answer);
	return 0;
}
