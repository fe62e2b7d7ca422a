/*
 * store.h - muster's persistence API. The store layer owns every SQL
 * statement and every transaction; callers hold an opaque db_conn taken
 * from the pool for as long as they talk to the database.
 */
#ifndef MUSTER_STORE_H
#define MUSTER_STORE_H

#include <stddef.h>
#include <time.h>

typedef struct db_conn db_conn;
typedef struct db_pool db_pool;

/* Result codes of every store_* call. */
#define STORE_OK 0
#define STORE_ERR_NOTFOUND (-1)  /* no such row */
#define STORE_ERR_CONFLICT (-2)  /* unique violation the caller can report */
#define STORE_ERR_DOWN (-3)      /* database unreachable -> 503 */
#define STORE_ERR_BUSY (-4)      /* no pooled connection free in time -> 503 */
#define STORE_ERR_RETRY (-5)     /* serialization failure after retries -> 503 */
#define STORE_ERR_INVALID (-6)   /* data rejected by a constraint -> 422 */
#define STORE_ERR_INTERNAL (-7)  /* anything else -> 500 */
#define STORE_ERR_TIMEOUT (-8)   /* a statement ran past its time limit and was cancelled -> 503 */

/* Who is writing, for the audit table. */
typedef struct store_actor {
	long long token_id;     /* 0 = the CLI / the server itself */
	const char *name;       /* token name or "cli" */
	const char *route;      /* "POST /api/v1/tokens" */
	const char *request_id;
} store_actor;

/* --- pool (db.c) --- */
/* statement_ms: a statement still running after this long is cancelled
 * (STORE_ERR_TIMEOUT); 0 = no limit. */
db_pool *db_pool_new(const char *conninfo, int size, int acquire_ms, int statement_ms);
/* From grace_ms from now on, statements still running on the pool's
 * connections are cancelled (STORE_ERR_DOWN), and so is any statement
 * sent afterwards: a stopping server finishes its requests in flight
 * without waiting on a stuck query for ever. */
void db_pool_cancel_after(db_pool *p, int grace_ms);
void db_pool_free(db_pool *p);
/* Take a connection; NULL with *err = STORE_ERR_BUSY or STORE_ERR_DOWN. */
db_conn *db_pool_acquire(db_pool *p, int *err);
/* Return it; a connection left in a transaction is rolled back first, a
 * broken one is closed and reopened on next use. */
void db_pool_release(db_pool *p, db_conn *c);
/* Connections currently handed out / configured, for metrics. */
void db_pool_stats(db_pool *p, int *in_use, int *size);
/* Statements cancelled since start: past the time limit, and by a stop. */
void db_pool_cancels(db_pool *p, long long *time_limit, long long *stopping);
/* A single connection outside any pool (CLI). NULL on failure, message in err. */
db_conn *db_connect(const char *conninfo, char *err, size_t errlen);
void db_disconnect(db_conn *c);
/* SELECT 1: 0 when the database answers. */
int store_ping(db_conn *c);

/* --- migrations (migrate.c) --- */
/* Apply every schema/NNN_*.sql file not applied yet, in order, each in its
 * own transaction, under an advisory lock. Returns the count applied or a
 * STORE_ERR_* code; a message goes to err. */
int store_migrate(db_conn *c, const char *schema_dir, char *err, size_t errlen);

/* --- audit (audit.c) --- */
/* Record a write inside the caller's transaction. detail_json may be NULL. */
int store_audit(db_conn *c, const store_actor *who, const char *action,
		const char *detail_json);
/* In one transaction, run sql ($1 the id; an UPDATE ... RETURNING that
 * returns the row only when it was still live) and record action with
 * {"id": id}. STORE_ERR_NOTFOUND when no live row has that id. */
int store_end_by_id(db_conn *c, const store_actor *who, const char *sql, long long id, const char *action);

/* --- tokens (tokens.c) --- */
typedef struct store_token {
	long long id;
	char name[128];
	char role[16];
} store_token;

/* Create a token for name/role with the given secret (NULL = generate).
 * The secret is written to secret_out (65 bytes) and only its SHA-256 is
 * stored. */
int store_token_create(db_conn *c, const store_actor *who, const char *name,
		       const char *role, const char *secret,
		       store_token *out, char secret_out[65]);
/* Find a live token by its secret; STORE_ERR_NOTFOUND if none matches. */
int store_token_authenticate(db_conn *c, const char *secret, size_t len, store_token *out);
/* JSON array of tokens (no secrets), caller frees. */
int store_token_list(db_conn *c, char **json_out);
int store_token_revoke(db_conn *c, const store_actor *who, long long id);
/* When no live admin token exists, create one named "bootstrap" with the
 * given secret (NULL = generate) and set *created; the secret is written to
 * secret_out. An advisory lock makes concurrent starters create at most one. */
int store_token_bootstrap(db_conn *c, const char *secret, char secret_out[65], int *created);
/* 1 if an unrevoked admin token exists, 0 if not, <0 on error. */
int store_token_admin_exists(db_conn *c);

#endif
