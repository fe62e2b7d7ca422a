/*
 * main.c - the muster command line: serve, migrate, token, routes,
 * version. Each subcommand parses its arguments and calls into the
 * modules; no logic of its own lives here.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "http/app.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "http/tls_setup.h"
#include "policy/evaluator.h"
#include "policy/webhook_sender.h"
#include "store/store.h"
#include "util/config.h"
#include "util/log.h"
#include "util/parse.h"

#ifndef MUSTER_VERSION
#define MUSTER_VERSION "0.1.0"
#endif
#ifndef MUSTER_SOURCE_DIR
#define MUSTER_SOURCE_DIR "."
#endif

static app the_app;

static void on_signal(int sig)
{
	(void)sig;
	the_app.stopping = 1;
}

static const char *path_setting(const char *env, const char *sub, char *buf, size_t len)
{
	const char *v = getenv(env);

	if (v && *v)
		return v;
	snprintf(buf, len, "%s/%s", MUSTER_SOURCE_DIR, sub);
	if (access(buf, R_OK) == 0)
		return buf;
	return sub;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: muster COMMAND [ARGS]\n"
		"  serve [--listen HOST:PORT] [--database-url URL] [--threads N] [--db-pool N]\n"
		"        [--max-body SIZE] [--tls-cert FILE --tls-key FILE] [--bootstrap-token T]\n"
		"  migrate                     apply pending schema migrations\n"
		"  token create NAME ROLE      print a new token (roles: admin scanner sensor viewer)\n"
		"  token list\n"
		"  token revoke ID\n"
		"  import [--format F] [--image REF] FILE...   store scan reports (backfill)\n"
		"  export inventory [--month YYYY-MM | --as-of YYYY-MM-DD] [--csv] -o FILE\n"
		"                              write the FedRAMP inventory workbook (or CSV)\n"
		"  export poam [--month YYYY-MM | --as-of DATE] [--late-only] [--csv | --oscal] -o FILE\n"
		"                              write the FedRAMP POA&M workbook (or CSV, OSCAL)\n"
		"  kev import FILE             replace the CISA KEV catalog (- reads stdin)\n"
		"  poam evaluate               run the full POA&M lifecycle evaluation\n"
		"  demo [--scale N] [--days D] fill an EMPTY database with a generated system\n"
		"  routes                      print the route table as JSON\n"
		"  version\n"
		"Configuration comes from MUSTER_* variables (docs/operations.md).\n");
}

/* Connect once for a CLI command; NULL after printing why. */
static db_conn *cli_connect(const config *cfg)
{
	char err[512];
	db_conn *c = db_connect(cfg->database_url, err, sizeof(err));

	if (!c)
		fprintf(stderr, "muster: %s\n", err);
	return c;
}

static int cmd_migrate(const config *cfg, const char *schema_dir)
{
	char err[1024] = "";
	db_conn *c = cli_connect(cfg);
	int n;

	if (!c)
		return 1;
	n = store_migrate(c, schema_dir, err, sizeof(err));
	db_disconnect(c);
	if (n < 0) {
		fprintf(stderr, "muster: migrate: %s\n", err);
		return 1;
	}
	printf("applied %d migration(s)\n", n);
	return 0;
}

static int cmd_token(const config *cfg, int argc, char **argv)
{
	store_actor cli = {0, "cli", "muster token", NULL};
	db_conn *c;
	int rc = 1;

	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (!(c = cli_connect(cfg)))
		return 1;
	if (!strcmp(argv[0], "create") && argc == 3) {
		store_token t;
		char secret[65];

		if (strcmp(argv[2], "admin") && strcmp(argv[2], "scanner") &&
		    strcmp(argv[2], "sensor") && strcmp(argv[2], "viewer")) {
			fprintf(stderr, "muster: role must be admin, scanner, sensor or viewer\n");
		} else if (store_token_create(c, &cli, argv[1], argv[2], NULL, &t, secret) == STORE_OK) {
			printf("{\"id\":%lld,\"name\":\"%s\",\"role\":\"%s\",\"token\":\"%s\"}\n",
			       t.id, t.name, t.role, secret);
			rc = 0;
		} else {
			fprintf(stderr, "muster: could not create the token\n");
		}
	} else if (!strcmp(argv[0], "list") && argc == 1) {
		char *items = NULL;

		if (store_token_list(c, &items) == STORE_OK) {
			printf("%s\n", items);
			rc = 0;
		}
		free(items);
	} else if (!strcmp(argv[0], "revoke") && argc == 2) {
		long long id;

		if (parse_id(argv[1], &id))
			fprintf(stderr, "muster: invalid token id \"%s\"\n", argv[1]);
		else if (store_token_revoke(c, &cli, id) == STORE_OK)
			rc = 0;
		else
			fprintf(stderr, "muster: no live token with id %lld\n", id);
	} else {
		usage(stderr);
		rc = 2;
	}
	db_disconnect(c);
	return rc;
}

/* Migrate (waiting up to 30 s for the database) and create the bootstrap
 * admin token when none exists. */
static int serve_prepare(app *a)
{
	char err[1024] = "";
	db_conn *c = NULL;
	int i, n, created = 0;
	char secret[65];

	for (i = 0; i < 60 && !c && !a->stopping; i++) {
		c = db_connect(a->cfg.database_url, err, sizeof(err));
		if (!c)
			usleep(500 * 1000);
	}
	if (!c) {
		fprintf(stderr, "muster: %s\n", err);
		return -1;
	}
	n = store_migrate(c, a->schema_dir, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "muster: migrate: %s\n", err);
		db_disconnect(c);
		return -1;
	}
	if (store_token_bootstrap(c, a->cfg.bootstrap_token && *a->cfg.bootstrap_token
				  ? a->cfg.bootstrap_token : NULL, secret, &created) != STORE_OK) {
		fprintf(stderr, "muster: could not check for an admin token\n");
		db_disconnect(c);
		return -1;
	}
	if (created && !(a->cfg.bootstrap_token && *a->cfg.bootstrap_token))
		printf("muster: created the first admin token (shown once, keep it safe):\n%s\n", secret);
	fflush(stdout);
	db_disconnect(c);
	return 0;
}

static int cmd_serve(app *a)
{
	struct sigaction sa;
	webhook_sender *ws;
	evaluator *ev;
	int rc;

	/*
	 * Buffers of 256 KiB or more (request bodies, report arenas, compressed
	 * reports, COPY batches) get their own mapping and go back to the
	 * system when freed. glibc otherwise raises that threshold to the size
	 * of the largest buffer freed so far (up to 32 MiB) and keeps later
	 * ones in the heap of the worker thread that freed them, where they
	 * stay: each of civetweb's workers came to hold about a report's worth
	 * of memory (scripts/bench ingest: peak RSS 4.7x a 23 MiB report, 3.3x
	 * with this). A fixed value turns the adjustment off.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (serve_prepare(a))
		return 1;
	a->pool = db_pool_new(a->cfg.database_url, a->cfg.db_pool, a->cfg.db_acquire_ms,
				a->cfg.db_statement_ms);
	if (!a->pool) {
		fprintf(stderr, "muster: out of memory\n");
		return 1;
	}
	/* the rule evaluator and the webhook sender use the pool: they
	 * start after it exists and stop before it is freed */
	ev = evaluator_start(a->pool, a->cfg.evaluator_seconds, a->cfg.poam_evaluate_minutes,
			     metrics_observe_evaluation);
	tls_setup_preload();   /* before the webhook sender starts civetweb's TLS */
	ws = webhook_sender_start(a->pool);
	rc = http_server_run(a);
	webhook_sender_stop(ws);
	evaluator_stop(ev);
	db_pool_free(a->pool);
	a->pool = NULL;
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	char err[512], sbuf[4096], tbuf[4096];
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int flag_argc = 0;

	if (!cmd || !strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "version")) {
		printf("muster %s\n", MUSTER_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "routes")) {
		router_print_json(stdout);
		return 0;
	}
	if (!strcmp(cmd, "serve"))
		flag_argc = argc - 2;
	if (config_load(&the_app.cfg, flag_argc, argv + 2, err, sizeof(err))) {
		fprintf(stderr, "muster: %s\n", err);
		return 2;
	}
	the_app.schema_dir = path_setting("MUSTER_SCHEMA_DIR", "schema", sbuf, sizeof(sbuf));
	the_app.templates_dir = path_setting("MUSTER_TEMPLATES_DIR", "templates", tbuf, sizeof(tbuf));
	if (!strcmp(cmd, "serve"))
		return cmd_serve(&the_app);
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(&the_app.cfg, the_app.schema_dir);
	if (!strcmp(cmd, "import"))
		return cli_import(&the_app.cfg, argc - 2, argv + 2);
	if (!strcmp(cmd, "export"))
		return cli_export(&the_app.cfg, the_app.templates_dir, argc - 2, argv + 2);
	if (!strcmp(cmd, "token"))
		return cmd_token(&the_app.cfg, argc - 2, argv + 2);
	if (!strcmp(cmd, "kev"))
		return cli_kev(&the_app.cfg, argc - 2, argv + 2);
	if (!strcmp(cmd, "poam"))
		return cli_poam(&the_app.cfg, argc - 2, argv + 2);
	if (!strcmp(cmd, "demo"))
		return cli_demo(&the_app.cfg, the_app.schema_dir, argc - 2, argv + 2);
	fprintf(stderr, "muster: unknown command \"%s\"\n", cmd);
	usage(stderr);
	return 2;
}
