/*
 * db.c - connection pool, query helpers, transactions with retry and COPY
 * (db.h).  The pool opens connections lazily, hands each to one request at
 * a time, and repairs connections on return: a transaction left open is
 * rolled back, a broken connection is closed and reopened on next use, so
 * a PostgreSQL restart heals without restarting muster.
 */
#include "db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/buf.h"
#include "../util/log.h"

#define DB_TX_RETRIES 8   /* serialization failures retried this often */

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char *conninfo;
	int size;
	int acquire_ms;
	int in_use;
	db_conn *conns;
};

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

db_pool *db_pool_new(const char *conninfo, int size, int acquire_ms)
{
	db_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->conns = calloc((size_t)size, sizeof(db_conn));
	p->conninfo = strdup(conninfo ? conninfo : "");
	if (!p->conns || !p->conninfo)
		goto fail;
	p->size = size;
	p->acquire_ms = acquire_ms;
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
		PQfinish(p->conns[i].pg);
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
	if (c->pg && !conn_alive(c->pg)) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	if (!c->pg) {
		char msg[512];

		c->pg = db_open(p->conninfo, msg, sizeof(msg));
		if (!c->pg) {
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
	if (PQstatus(c->pg) != CONNECTION_OK) {
		PQfinish(c->pg);
		c->pg = NULL;
		return;
	}
	switch (PQtransactionStatus(c->pg)) {
	case PQTRANS_IDLE:
		return;
	case PQTRANS_ACTIVE:
		/* a result left unread: drain it */
		while ((r = PQgetResult(c->pg)) != NULL)
			PQclear(r);
		/* fall through */
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		r = PQexec(c->pg, "ROLLBACK");
		PQclear(r);
		if (PQtransactionStatus(c->pg) == PQTRANS_IDLE)
			return;
		/* fall through */
	default:
		PQfinish(c->pg);
		c->pg = NULL;
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
	c->pg = db_open(conninfo ? conninfo : "", err, errlen);
	if (!c->pg) {
		free(c);
		return NULL;
	}
	return c;
}

void db_disconnect(db_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
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
	else if (state && !strcmp(state, "23505"))
		code = STORE_ERR_CONFLICT;
	else if (state && (!strncmp(state, "22", 2) || !strncmp(state, "23", 2)))
		code = STORE_ERR_INVALID;
	else if (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3) ||
			   !strncmp(state, "53", 2)))   /* disk full, out of memory, too many connections */
		code = STORE_ERR_DOWN;
	if (code == STORE_ERR_INTERNAL || code == STORE_ERR_DOWN)
		log_event("error", "database error", "what", what,
			  "sqlstate", state ? state : "", "detail", msg ? msg : "", NULL);
	return code;
}

int db_exec(db_conn *c, PGresult **out, const char *sql, int n,
	    const char *const *params)
{
	return db_exec_bin(c, out, sql, n, params, NULL, NULL);
}

int db_exec_bin(db_conn *c, PGresult **out, const char *sql, int n,
		const char *const *params, const int *lengths, const int *formats)
{
	PGresult *r;
	ExecStatusType st;
	int rc;

	if (out)
		*out = NULL;
	r = PQexecParams(c->pg, sql, n, NULL, params, lengths, formats, 0);
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
		if (PQstatus(c->pg) != CONNECTION_OK)
			return STORE_ERR_DOWN;
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

int db_copy_in(db_conn *c, const char *copy_sql,
	       int (*put_rows)(db_conn *c, void *payload), void *payload)
{
	PGresult *r = PQexec(c->pg, copy_sql);
	int rc;

	if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
		rc = db_error(c, r, copy_sql);
		PQclear(r);
		return rc;
	}
	PQclear(r);
	rc = put_rows(c, payload);
	if (PQputCopyEnd(c->pg, rc ? "aborted by muster" : NULL) != 1)
		return db_error(c, NULL, "COPY end");
	while ((r = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == STORE_OK)
			rc = db_error(c, r, copy_sql);
		PQclear(r);
	}
	return rc;
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
