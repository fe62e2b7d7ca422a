/*
 * db.c - connection pool, query helpers, transactions with retry and COPY
 * (db.h).  The pool opens connections lazily, hands each to one request at
 * a time, and repairs connections on return: a transaction left open is
 * rolled back, a broken connection is closed and reopened on next use, so
 * a PostgreSQL restart heals without restarting muster.
 *
 * Statements are sent without blocking and waited for in slices, so that
 * one running past the pool's time limit, or still running when a stopping
 * server's grace period is over, is cancelled (PQcancel) instead of holding
 * its request and its connection for as long as the server takes.
 */
#include "db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/buf.h"
#include "../util/log.h"

#define DB_TX_RETRIES 8   /* serialization failures retried this often */
#define DB_WAIT_SLICE_MS 200     /* a waiting statement checks its limits this often */
#define DB_CANCEL_WAIT_MS 5000   /* after a cancel, the server has this long to answer */

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char *conninfo;
	int size;
	int acquire_ms;
	int statement_ms;              /* 0: statements have no time limit */
	_Atomic long long stop_at_ms;  /* monotonic; from then on statements are cancelled; 0 never */
	_Atomic long long cancelled_time_limit;   /* statements cancelled, for metrics */
	_Atomic long long cancelled_stopping;
	int in_use;
	db_conn *conns;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static PGconn *db_open(const char *conninfo, char *err, size_t errlen)
{
	/* A short connect timeout keeps a dead database a fast 503. */
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *vals[] = {conninfo, "3", "muster", NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);

	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		if (err)
			snprintf(err, errlen, "could not connect to the database: %s",
				 pg ? PQerrorMessage(pg) : "out of memory");
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* Open c's connection (and its cancel handle). 0, or -1 with a message. */
static int conn_open(db_conn *c, const char *conninfo, char *err, size_t errlen)
{
	c->pg = db_open(conninfo, err, errlen);
	if (!c->pg)
		return -1;
	c->cancel = PQgetCancel(c->pg);
	c->broken = 0;
	return 0;
}

static void conn_close(db_conn *c)
{
	PQfreeCancel(c->cancel);
	PQfinish(c->pg);
	c->cancel = NULL;
	c->pg = NULL;
	c->broken = 0;
}

db_pool *db_pool_new(const char *conninfo, int size, int acquire_ms, int statement_ms)
{
	db_pool *p = calloc(1, sizeof(*p));
	int i;

	if (!p)
		return NULL;
	p->conns = calloc((size_t)size, sizeof(db_conn));
	p->conninfo = strdup(conninfo ? conninfo : "");
	if (!p->conns || !p->conninfo)
		goto fail;
	p->size = size;
	p->acquire_ms = acquire_ms;
	p->statement_ms = statement_ms > 0 ? statement_ms : 0;
	atomic_init(&p->stop_at_ms, 0);
	atomic_init(&p->cancelled_time_limit, 0);
	atomic_init(&p->cancelled_stopping, 0);
	for (i = 0; i < size; i++)
		p->conns[i].pool = p;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	return p;
fail:
	free(p->conns);
	free(p->conninfo);
	free(p);
	return NULL;
}

void db_pool_free(db_pool *p)
{
	int i;

	if (!p)
		return;
	for (i = 0; i < p->size; i++)
		conn_close(&p->conns[i]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p->conns);
	free(p->conninfo);
	free(p);
}

/* An idle connection whose server went away (a restart) has received a
 * notice and an EOF: reading them marks it bad, so a new connection is
 * opened instead of failing the request that draws this one. Each read
 * takes what has arrived without waiting. */
static int conn_alive(PGconn *pg)
{
	int i;

	for (i = 0; i < 3; i++)
		if (PQstatus(pg) != CONNECTION_OK || !PQconsumeInput(pg))
			return 0;
	return PQstatus(pg) == CONNECTION_OK;
}

db_conn *db_pool_acquire(db_pool *p, int *err)
{
	struct timespec deadline;
	db_conn *c = NULL;
	int i, rc = 0;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += p->acquire_ms / 1000;
	deadline.tv_nsec += (long)(p->acquire_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	while (p->in_use >= p->size && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&p->freed, &p->lock, &deadline);
	if (p->in_use < p->size) {
		/* Prefer a slot that already holds an open connection. */
		for (i = 0; i < p->size && !c; i++)
			if (!p->conns[i].in_use && p->conns[i].pg)
				c = &p->conns[i];
		for (i = 0; i < p->size && !c; i++)
			if (!p->conns[i].in_use)
				c = &p->conns[i];
		c->in_use = 1;
		p->in_use++;
	}
	pthread_mutex_unlock(&p->lock);
	if (!c) {
		*err = STORE_ERR_BUSY;
		return NULL;
	}
	if (c->pg && !conn_alive(c->pg))
		conn_close(c);
	if (!c->pg) {
		char msg[512];

		if (conn_open(c, p->conninfo, msg, sizeof(msg))) {
			log_event("error", "database unavailable", "detail", msg, NULL);
			db_pool_release(p, c);
			*err = STORE_ERR_DOWN;
			return NULL;
		}
	}
	return c;
}

/* Bring a connection back to a clean idle state, or close it. */
static void db_repair(db_conn *c)
{
	PGresult *r;

	if (!c->pg)
		return;
	if (c->broken || PQstatus(c->pg) != CONNECTION_OK) {
		conn_close(c);
		return;
	}
	switch (PQtransactionStatus(c->pg)) {
	case PQTRANS_IDLE:
		return;
	case PQTRANS_ACTIVE:
		/* a result left unread: drain it, within the statement's limits */
		while (db_wait(c) == STORE_OK && (r = PQgetResult(c->pg)) != NULL)
			PQclear(r);
		if (c->broken) {
			conn_close(c);
			return;
		}
		/* fall through */
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		r = PQexec(c->pg, "ROLLBACK");
		PQclear(r);
		if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
			return;
		/* fall through */
	default:
		conn_close(c);
	}
}

void db_pool_release(db_pool *p, db_conn *c)
{
	if (!c)
		return;
	db_repair(c);
	pthread_mutex_lock(&p->lock);
	c->in_use = 0;
	p->in_use--;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

void db_pool_cancel_after(db_pool *p, int grace_ms)
{
	atomic_store(&p->stop_at_ms, now_ms() + (grace_ms > 0 ? grace_ms : 0));
}

void db_pool_cancels(db_pool *p, long long *time_limit, long long *stopping)
{
	*time_limit = atomic_load(&p->cancelled_time_limit);
	*stopping = atomic_load(&p->cancelled_stopping);
}

void db_pool_stats(db_pool *p, int *in_use, int *size)
{
	pthread_mutex_lock(&p->lock);
	*in_use = p->in_use;
	*size = p->size;
	pthread_mutex_unlock(&p->lock);
}

db_conn *db_connect(const char *conninfo, char *err, size_t errlen)
{
	db_conn *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (conn_open(c, conninfo ? conninfo : "", err, errlen)) {
		free(c);
		return NULL;
	}
	return c;
}

void db_disconnect(db_conn *c)
{
	if (!c)
		return;
	conn_close(c);
	free(c);
}

int db_error(db_conn *c, PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);
	int code = STORE_ERR_INTERNAL;

	if (PQstatus(c->pg) != CONNECTION_OK)
		code = STORE_ERR_DOWN;
	else if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01")))
		code = STORE_ERR_RETRY;
	else if (state && !strcmp(state, "57014"))   /* query_canceled */
		code = c->cancelled == DB_CANCEL_TIMEOUT ? STORE_ERR_TIMEOUT : STORE_ERR_DOWN;
	else if (state && !strcmp(state, "23505"))
		code = STORE_ERR_CONFLICT;
	else if (state && (!strncmp(state, "22", 2) || !strncmp(state, "23", 2)))
		code = STORE_ERR_INVALID;
	else if (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3) ||
			   !strncmp(state, "53", 2)))   /* disk full, out of memory, too many connections */
		code = STORE_ERR_DOWN;
	if (code == STORE_ERR_INTERNAL || code == STORE_ERR_DOWN || code == STORE_ERR_TIMEOUT)
		log_event("error", "database error", "what", what,
			  "sqlstate", state ? state : "", "detail", msg ? msg : "", NULL);
	return code;
}

int db_exec(db_conn *c, PGresult **out, const char *sql, int n,
	    const char *const *params)
{
	return db_exec_bin(c, out, sql, n, params, NULL, NULL);
}

/* Ask the server to cancel the statement in flight on c. */
static void cancel_statement(db_conn *c, int why)
{
	char msg[256] = "";

	c->cancelled = why;
	if (c->pool)
		atomic_fetch_add(why == DB_CANCEL_TIMEOUT ? &c->pool->cancelled_time_limit
							  : &c->pool->cancelled_stopping, 1);
	if (!c->cancel || !PQcancel(c->cancel, msg, sizeof(msg)))
		log_event("warn", "could not send a cancel request", "detail", msg, NULL);
	log_event("warn", why == DB_CANCEL_TIMEOUT ? "statement cancelled: it ran past its time limit"
						   : "statement cancelled: the server is stopping", NULL);
}

/* One slice of waiting for the server: cancel the statement when a limit
 * has passed, wait for input for at most DB_WAIT_SLICE_MS (less when a
 * limit comes sooner), and read what arrived. *gave_up_at is when a
 * cancelled statement is given up on (0 before the cancel). STORE_OK, or
 * STORE_ERR_DOWN after giving up (c is then broken). */
static int wait_slice(db_conn *c, long long *gave_up_at)
{
	long long now = now_ms(), stop = c->pool ? atomic_load(&c->pool->stop_at_ms) : 0, next = 0;
	struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
	int wait = DB_WAIT_SLICE_MS;

	if (!c->cancelled && c->deadline_ms && now >= c->deadline_ms)
		cancel_statement(c, DB_CANCEL_TIMEOUT);
	else if (!c->cancelled && stop && now >= stop)
		cancel_statement(c, DB_CANCEL_STOPPING);
	if (c->cancelled) {
		if (!*gave_up_at)
			*gave_up_at = now + DB_CANCEL_WAIT_MS;
		next = *gave_up_at;
	} else {
		next = c->deadline_ms;
		if (stop && (!next || stop < next))
			next = stop;
	}
	if (next && next <= now && c->cancelled) {
		log_event("error", "the database did not answer a cancel request; closing the connection", NULL);
		c->broken = 1;
		return STORE_ERR_DOWN;
	}
	if (next && next - now < wait)
		wait = (int)(next - now) + 1;
	if (pfd.fd < 0) {
		c->broken = 1;
		return STORE_ERR_DOWN;
	}
	if (poll(&pfd, 1, wait) < 0 && errno != EINTR) {
		c->broken = 1;
		return STORE_ERR_DOWN;
	}
	PQconsumeInput(c->pg);   /* a lost connection shows in the next PQgetResult */
	return STORE_OK;
}

int db_send(db_conn *c, const char *sql, int n, const char *const *params,
	    const int *lengths, const int *formats)
{
	long long now = now_ms(), stop = c->pool ? atomic_load(&c->pool->stop_at_ms) : 0;
	int limit = c->pool ? c->pool->statement_ms : 0;

	c->cancelled = 0;
	if (stop && now >= stop) {
		c->cancelled = DB_CANCEL_STOPPING;
		return STORE_ERR_DOWN;
	}
	c->deadline_ms = limit ? now + limit : 0;
	if (!PQsendQueryParams(c->pg, sql, n, NULL, params, lengths, formats, 0))
		return db_error(c, NULL, sql);
	return STORE_OK;
}

int db_wait(db_conn *c)
{
	long long gave_up_at = 0;
	int rc = STORE_OK;

	/* a connection that failed is not busy any more: PQgetResult reports it */
	while (rc == STORE_OK && PQisBusy(c->pg) && PQstatus(c->pg) == CONNECTION_OK)
		rc = wait_slice(c, &gave_up_at);
	return rc;
}

/* The next row of a COPY ... TO STDOUT in flight (PQgetCopyData), waiting
 * as db_wait does: its length, -1 at the end, -2 on error. */
static int db_copy_out_row(db_conn *c, char **row)
{
	long long gave_up_at = 0;
	int n;

	while ((n = PQgetCopyData(c->pg, row, 1)) == 0)
		if (PQstatus(c->pg) != CONNECTION_OK || wait_slice(c, &gave_up_at) != STORE_OK)
			return -2;
	return n;
}

/* The results of the statement in flight: the first one in *out (NULL if
 * the connection failed), the rest read and dropped. */
static int collect(db_conn *c, PGresult **out)
{
	PGresult *r;
	int rc;

	*out = NULL;
	while ((rc = db_wait(c)) == STORE_OK && (r = PQgetResult(c->pg)) != NULL) {
		if (!*out)
			*out = r;
		else
			PQclear(r);
	}
	return rc;
}

int db_exec_bin(db_conn *c, PGresult **out, const char *sql, int n,
		const char *const *params, const int *lengths, const int *formats)
{
	PGresult *r;
	ExecStatusType st;
	int rc;

	if (out)
		*out = NULL;
	rc = db_send(c, sql, n, params, lengths, formats);
	if (rc)
		return rc;
	rc = collect(c, &r);
	if (rc) {
		PQclear(r);
		return rc;
	}
	st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		rc = db_error(c, r, sql);
		PQclear(r);
		return rc;
	}
	if (out)
		*out = r;
	else
		PQclear(r);
	return STORE_OK;
}

int db_command(db_conn *c, const char *sql, int n, const char *const *params)
{
	return db_exec(c, NULL, sql, n, params);
}

int db_command_found(db_conn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r;
	int rc = db_exec(c, &r, sql, n, params), rows;

	if (rc)
		return rc;
	rows = PQntuples(r);
	PQclear(r);
	return rows > 0 ? STORE_OK : STORE_ERR_NOTFOUND;
}

int db_transaction(db_conn *c, int (*fn)(db_conn *c, void *payload), void *payload)
{
	int attempt, rc = STORE_ERR_INTERNAL;

	for (attempt = 0; attempt < DB_TX_RETRIES; attempt++) {
		rc = db_command(c, "BEGIN", 0, NULL);
		if (rc)
			return rc;
		rc = fn(c, payload);
		if (rc == STORE_OK)
			rc = db_command(c, "COMMIT", 0, NULL);
		if (rc == STORE_OK)
			return STORE_OK;
		if (c->broken || PQstatus(c->pg) != CONNECTION_OK)
			return rc == STORE_ERR_TIMEOUT ? rc : STORE_ERR_DOWN;
		if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
			PGresult *r = PQexec(c->pg, "ROLLBACK");
			PQclear(r);
		}
		if (rc != STORE_ERR_RETRY && rc != STORE_ERR_CONFLICT)
			return rc;
		if (rc == STORE_ERR_CONFLICT && attempt > 0)
			return rc;
		/* back off a little, growing, so racing writers spread out */
		{
			struct timespec ts = {0, (long)(1 + attempt * attempt) * 5000000L};
			nanosleep(&ts, NULL);
		}
	}
	return rc;
}

int db_copy_put(db_conn *c, const char *data, size_t len)
{
	while (len > 0) {
		int chunk = len > (1 << 30) ? (1 << 30) : (int)len;

		if (PQputCopyData(c->pg, data, chunk) != 1)
			return db_error(c, NULL, "COPY data");
		data += chunk;
		len -= (size_t)chunk;
	}
	return STORE_OK;
}

/* Send a COPY statement and wait until the server is in the copy state
 * want (PGRES_COPY_IN or PGRES_COPY_OUT). */
static int copy_begin(db_conn *c, const char *copy_sql, ExecStatusType want)
{
	PGresult *r;
	int rc = db_send(c, copy_sql, 0, NULL, NULL, NULL);

	if (rc == STORE_OK)
		rc = db_wait(c);
	if (rc)
		return rc;
	r = PQgetResult(c->pg);
	if (!r || PQresultStatus(r) != want) {
		rc = db_error(c, r, copy_sql);
		PQclear(r);
		return rc;
	}
	PQclear(r);
	return STORE_OK;
}

/* Read the COPY's final results: rc, else the first failure among them. */
static int copy_end(db_conn *c, const char *copy_sql, int rc)
{
	PGresult *r;
	int wrc;

	while ((wrc = db_wait(c)) == STORE_OK && (r = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == STORE_OK)
			rc = db_error(c, r, copy_sql);
		PQclear(r);
	}
	return rc ? rc : wrc;
}

int db_copy_in(db_conn *c, const char *copy_sql,
	       int (*put_rows)(db_conn *c, void *payload), void *payload)
{
	int rc = copy_begin(c, copy_sql, PGRES_COPY_IN);

	if (rc)
		return rc;
	rc = put_rows(c, payload);
	if (PQputCopyEnd(c->pg, rc ? "aborted by muster" : NULL) != 1)
		return db_error(c, NULL, "COPY end");
	return copy_end(c, copy_sql, rc);
}

int db_copy_out(db_conn *c, const char *copy_sql,
		int (*row)(char *line, int len, void *payload), void *payload)
{
	char *line = NULL;
	int rc = copy_begin(c, copy_sql, PGRES_COPY_OUT), len;

	if (rc)
		return rc;
	while ((len = db_copy_out_row(c, &line)) > 0) {
		if (rc == STORE_OK)
			rc = row(line, len, payload);   /* after a failure, drain the rest */
		PQfreemem(line);
	}
	if (c->broken)
		return rc ? rc : STORE_ERR_DOWN;
	if (len == -2 && rc == STORE_OK)
		rc = db_error(c, NULL, copy_sql);
	return copy_end(c, copy_sql, rc);
}

int db_copy_flush(db_conn *c, buf *b, int final)
{
	int rc;

	if (b->len == 0 || (!final && b->len < DB_COPY_CHUNK))
		return STORE_OK;
	rc = db_copy_put(c, b->data, b->len);
	buf_reset(b);
	return rc;
}

int db_copy_field(buf *b, const char *s)
{
	const char *p, *start;
	int rc = 0;

	if (!s)
		return buf_append(b, "\\N", 2);
	for (p = start = s; *p && rc == 0; p++) {
		const char *esc = NULL;

		switch (*p) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		rc = buf_append(b, start, (size_t)(p - start));
		if (!rc)
			rc = buf_append(b, esc, 2);
		start = p + 1;
	}
	if (!rc)
		rc = buf_append(b, start, (size_t)(p - start));
	return rc;
}

const char *db_get(PGresult *r, int row, const char *col)
{
	int f = PQfnumber(r, col);

	if (f < 0 || row >= PQntuples(r) || PQgetisnull(r, row, f))
		return NULL;
	return PQgetvalue(r, row, f);
}

long long db_get_ll(PGresult *r, int row, const char *col)
{
	const char *v = db_get(r, row, col);

	return v ? strtoll(v, NULL, 10) : 0;
}

int store_ping(db_conn *c)
{
	return db_command(c, "SELECT 1", 0, NULL);
}
