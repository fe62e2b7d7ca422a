/*
 * config.h - the service configuration: defaults, then MUSTER_* environment
 * variables, then `muster serve` flags. Invalid values are refused with a
 * message naming the variable or flag.
 */
#ifndef MUSTER_CONFIG_H
#define MUSTER_CONFIG_H

#include <stddef.h>

typedef struct config {
	const char *database_url;    /* libpq conninfo or URI; "" = libpq defaults */
	const char *listen;          /* host:port, e.g. 127.0.0.1:8080 */
	const char *data_dir;        /* for temporary report files */
	const char *bootstrap_token; /* admin secret to create when none exists */
	const char *tls_cert;
	const char *tls_key;
	int threads;                 /* HTTP worker threads */
	int db_pool;                 /* database connections per process */
	int db_acquire_ms;           /* wait for a free connection before 503 */
	int db_statement_ms;         /* cancel a statement running longer; 0 = no limit */
	int stop_grace_ms;           /* on SIGTERM, requests in flight get this long before
					their statements are cancelled */
	int request_timeout_ms;      /* civetweb request timeout (slow clients) */
	int evaluator_seconds;       /* periodic rule evaluation; 0 = off */
	int poam_evaluate_minutes;   /* full POA&M evaluation period (evaluator thread); 0 = off */
	size_t max_body;             /* request body ceiling, bytes */
} config;

/* Fill c from defaults and the environment, then from argv flags
 * (argv[0] is the first flag, not the program). Returns 0, or -1 with a
 * message in err. Strings point into the environment or argv. */
int config_load(config *c, int argc, char **argv, char *err, size_t errlen);
/* Parse "256M", "1024", "2G", "64K" into bytes; -1 on error or overflow. */
int config_parse_size(const char *s, size_t *out);

#endif
