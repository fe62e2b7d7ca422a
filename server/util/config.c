/*
 * config.c - configuration loading and validation (config.h).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int config_parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;
	size_t mult = 1;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': mult = 1024; break;
		case 'M': mult = 1024 * 1024; break;
		case 'G': mult = 1024UL * 1024 * 1024; break;
		default: return -1;
		}
		end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return -1;
	}
	if (v > SIZE_MAX / mult || v == 0)
		return -1;
	*out = (size_t)v * mult;
	return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	long v;
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int valid_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	int port;

	if (!colon || colon == s)
		return 0;
	if (parse_int(colon + 1, 1, 65535, &port))
		return 0;
	return 1;
}

/* One setting: its variable, its flag and how to apply a value. */
enum kind { K_STR, K_INT, K_SIZE, K_LISTEN };
struct setting {
	const char *env;
	const char *flag;
	enum kind kind;
	size_t offset;
	int lo, hi;
};

#define OFF(f) offsetof(config, f)
static const struct setting settings[] = {
	{"MUSTER_DATABASE_URL", "--database-url", K_STR, OFF(database_url), 0, 0},
	{"MUSTER_LISTEN", "--listen", K_LISTEN, OFF(listen), 0, 0},
	{"MUSTER_DATA_DIR", "--data-dir", K_STR, OFF(data_dir), 0, 0},
	{"MUSTER_BOOTSTRAP_TOKEN", "--bootstrap-token", K_STR, OFF(bootstrap_token), 0, 0},
	{"MUSTER_TLS_CERT", "--tls-cert", K_STR, OFF(tls_cert), 0, 0},
	{"MUSTER_TLS_KEY", "--tls-key", K_STR, OFF(tls_key), 0, 0},
	{"MUSTER_THREADS", "--threads", K_INT, OFF(threads), 1, 1024},
	{"MUSTER_DB_POOL", "--db-pool", K_INT, OFF(db_pool), 1, 1000},
	{"MUSTER_DB_ACQUIRE_MS", "--db-acquire-ms", K_INT, OFF(db_acquire_ms), 0, 600000},
	{"MUSTER_DB_STATEMENT_MS", "--db-statement-ms", K_INT, OFF(db_statement_ms), 0, 86400000},
	{"MUSTER_STOP_GRACE_MS", "--stop-grace-ms", K_INT, OFF(stop_grace_ms), 0, 3600000},
	{"MUSTER_REQUEST_TIMEOUT_MS", "--request-timeout-ms", K_INT, OFF(request_timeout_ms), 100, 3600000},
	{"MUSTER_EVALUATOR_SECONDS", "--evaluator-seconds", K_INT, OFF(evaluator_seconds), 0, 86400},
	{"MUSTER_POAM_EVALUATE_MINUTES", "--poam-evaluate-minutes", K_INT, OFF(poam_evaluate_minutes), 0, 525600},
	{"MUSTER_MAX_BODY", "--max-body", K_SIZE, OFF(max_body), 0, 0},
};

static int apply(config *c, const struct setting *st, const char *name,
		 const char *v, char *err, size_t errlen)
{
	char *base = (char *)c;

	switch (st->kind) {
	case K_STR:
		*(const char **)(base + st->offset) = v;
		return 0;
	case K_LISTEN:
		if (!valid_listen(v)) {
			snprintf(err, errlen, "%s: invalid value \"%s\" (expected host:port)", name, v);
			return -1;
		}
		*(const char **)(base + st->offset) = v;
		return 0;
	case K_INT:
		if (parse_int(v, st->lo, st->hi, (int *)(base + st->offset))) {
			snprintf(err, errlen, "%s: invalid value \"%s\" (expected an integer from %d to %d)",
				 name, v, st->lo, st->hi);
			return -1;
		}
		return 0;
	case K_SIZE:
		if (config_parse_size(v, (size_t *)(base + st->offset))) {
			snprintf(err, errlen, "%s: invalid value \"%s\" (expected bytes with an optional K, M or G suffix)",
				 name, v);
			return -1;
		}
		return 0;
	}
	return -1;
}

int config_load(config *c, int argc, char **argv, char *err, size_t errlen)
{
	size_t i;
	int a;
	const char *v;

	memset(c, 0, sizeof(*c));
	c->database_url = "";
	c->listen = "127.0.0.1:8080";
	c->data_dir = "./var";
	c->threads = 16;
	c->db_pool = 8;
	c->db_acquire_ms = 2000;
	c->db_statement_ms = 300000;
	c->stop_grace_ms = 10000;
	c->request_timeout_ms = 30000;
	c->evaluator_seconds = 300;
	c->poam_evaluate_minutes = 1440;
	c->max_body = 256UL * 1024 * 1024;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		v = getenv(settings[i].env);
		if (v && *v && apply(c, &settings[i], settings[i].env, v, err, errlen))
			return -1;
	}
	for (a = 0; a < argc; a++) {
		const struct setting *st = NULL;
		const char *arg = argv[a], *eq = strchr(arg, '=');
		size_t flen = eq ? (size_t)(eq - arg) : strlen(arg);

		for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
			if (strlen(settings[i].flag) == flen &&
			    strncmp(settings[i].flag, arg, flen) == 0)
				st = &settings[i];
		if (!st) {
			snprintf(err, errlen, "unknown option \"%s\"", arg);
			return -1;
		}
		if (eq) {
			v = eq + 1;
		} else {
			if (a + 1 >= argc) {
				snprintf(err, errlen, "%s: missing value", st->flag);
				return -1;
			}
			v = argv[++a];
		}
		if (apply(c, st, st->flag, v, err, errlen))
			return -1;
	}
	if ((c->tls_cert && *c->tls_cert) != (c->tls_key && *c->tls_key)) {
		snprintf(err, errlen, "MUSTER_TLS_CERT and MUSTER_TLS_KEY must be set together");
		return -1;
	}
	return 0;
}
