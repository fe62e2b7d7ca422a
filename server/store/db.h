/*
 * db.h - the store layer's private view of PostgreSQL: the connection pool,
 * query helpers and transactions with retry.  Only files under store/
 * include this header (and so libpq-fe.h); everything else sees the opaque
 * types of store.h.
 */
#ifndef MUSTER_DB_H
#define MUSTER_DB_H

#include <libpq-fe.h>

#include "store.h"

struct db_conn {
	PGconn *pg;
	PGcancel *cancel;       /* for pg: asks the server to cancel a running statement */
	int in_use;
	struct db_pool *pool;   /* NULL for a connection outside any pool (CLI) */
	long long deadline_ms;  /* monotonic time the statement in flight is cancelled at; 0 none */
	int cancelled;          /* DB_CANCEL_*: why the statement in flight was cancelled */
	int broken;             /* gave up waiting for the server: close, never reuse */
};

/* Why db_wait cancelled a statement. */
#define DB_CANCEL_TIMEOUT 1    /* it ran past the pool's statement time limit */
#define DB_CANCEL_STOPPING 2   /* the server is stopping and its grace period is over */

/* Send a statement without waiting for it (PQsendQueryParams), starting
 * its time limit. Returns STORE_OK or a STORE_ERR_* code. */
int db_send(db_conn *c, const char *sql, int n, const char *const *params,
	    const int *lengths, const int *formats);
/* Wait until the results of the statement in flight can be read without
 * blocking, cancelling the statement when its time limit passes or the
 * pool is stopping. Returns STORE_OK, or STORE_ERR_DOWN when the server
 * stopped answering (the connection is then marked broken and the
 * statement's results must not be read). */
int db_wait(db_conn *c);


/* Classify a failed result (or a NULL one) into a STORE_ERR_* code and log
 * it. SQLSTATE 40001/40P01 -> STORE_ERR_RETRY, connection loss and
 * insufficient resources (53xxx: disk full...) -> STORE_ERR_DOWN, 57014 (a
 * cancelled statement) -> STORE_ERR_TIMEOUT when db_wait cancelled it for
 * the time limit, else STORE_ERR_DOWN, 23505 ->
 * STORE_ERR_CONFLICT, 22xxx/23xxx -> STORE_ERR_INVALID. */
int db_error(db_conn *c, PGresult *res, const char *what);

/* Run a statement with text parameters. On success returns 0 and, when
 * out is non-NULL, hands the result to the caller (PQclear it); on failure
 * returns a STORE_ERR_* code and clears the result itself. */
int db_exec(db_conn *c, PGresult **out, const char *sql, int n,
	    const char *const *params);
/* Same with per-parameter lengths and formats (1 = binary, for bytea). */
int db_exec_bin(db_conn *c, PGresult **out, const char *sql, int n,
		const char *const *params, const int *lengths, const int *formats);
/* Same, for statements whose result rows are not needed. */
int db_command(db_conn *c, const char *sql, int n, const char *const *params);
/* Same, for a statement that must return a row (a lookup, an UPDATE ...
 * RETURNING): STORE_ERR_NOTFOUND when it returns none. */
int db_command_found(db_conn *c, const char *sql, int n, const char *const *params);

/* Run fn inside BEGIN ... COMMIT, retrying serialization failures and
 * deadlocks a few times. fn returns 0 or a STORE_ERR_* code; on error the
 * transaction is rolled back. */
int db_transaction(db_conn *c, int (*fn)(db_conn *c, void *payload), void *payload);

/* Stream rows into a table with COPY FROM STDIN in text format. The
 * caller supplies rows already in COPY text format through put_rows,
 * which calls db_copy_put as often as it likes. */
int db_copy_in(db_conn *c, const char *copy_sql,
	       int (*put_rows)(db_conn *c, void *payload), void *payload);
int db_copy_put(db_conn *c, const char *data, size_t len);

/* Run a COPY ... TO STDOUT in text format and hand each line to row as
 * PostgreSQL sends it (len bytes, its newline included, writable in
 * place), waiting as db_wait does. A non-zero code from row is returned
 * once the rest of the output was read. */
int db_copy_out(db_conn *c, const char *copy_sql,
		int (*row)(char *line, int len, void *payload), void *payload);

/* Append s to b in COPY text format escaping (NULL -> \N). */
struct buf;
int db_copy_field(struct buf *b, const char *s);

/* Rows built in b for a COPY are sent in chunks of about this size. */
#define DB_COPY_CHUNK (256 * 1024)

/* Send the rows built in b once DB_COPY_CHUNK bytes have gathered there, or
 * whatever is there when final, and empty b; else keep building. A put_rows
 * callback calls it after each row and once with final set. Returns
 * STORE_OK or a STORE_ERR_* code. */
int db_copy_flush(db_conn *c, struct buf *b, int final);

/* Convenience getters over a result. */
const char *db_get(PGresult *r, int row, const char *col);  /* NULL when SQL NULL */
long long db_get_ll(PGresult *r, int row, const char *col);

#endif
