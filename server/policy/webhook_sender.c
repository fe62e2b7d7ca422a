/*
 * webhook_sender.c - delivery of the webhook outbox (webhook_sender.h):
 * claim, send with civetweb's client API, record.
 */
#include "webhook_sender.h"

#include <civetweb.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../store/webhooks.h"
#include "../util/log.h"
#include "policy_doc.h"

#define SENDER_POLL_MS 1000     /* look for due deliveries this often */
#define SENDER_BATCH 8          /* deliveries claimed at once */
/* A claim's lease: longer than a batch can take (civetweb's 10 s connect
 * timeout plus the answer timeout, per delivery), so that a row is never
 * sent by two servers at once. */
#define SENDER_LEASE_SECONDS 300

struct webhook_sender {
	db_pool *pool;
	int stop;                  /* guarded by lock */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
};

int webhook_sender_sign(const char *secret, const char *body, size_t len,
			char out[WEBHOOK_SIGNATURE_MAX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	size_t klen = strlen(secret);

	out[0] = '\0';
	if (klen > 0x7fffffff ||
	    !HMAC(EVP_sha256(), secret, (int)klen, (const unsigned char *)body, len, md, &mdlen) ||
	    mdlen != 32)
		return -1;
	memcpy(out, "sha256=", 7);
	for (i = 0; i < mdlen; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[7 + 2 * i + 1] = hex[md[i] & 15];
	}
	out[7 + 2 * mdlen] = '\0';
	return 0;
}

/* Keep an error message printable ASCII (it is stored as text). */
static void plain_ascii(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* POST one delivery; 0 when the receiver answered 2xx, else -1 with the
 * reason in err. */
static int send_one(const store_delivery *d, char *err, size_t errlen)
{
	char ebuf[256] = "", sig_header[WEBHOOK_SIGNATURE_MAX + 32] = "", host_header[300];
	char sig[WEBHOOK_SIGNATURE_MAX];
	const struct mg_response_info *ri;
	struct mg_connection *conn;
	policy_doc_error perr;
	policy_url u;
	size_t len = strlen(d->payload);
	int status, rc = -1;

	if (policy_doc_parse_url(&u, d->url, &perr)) {
		snprintf(err, errlen, "the webhook URL is not valid");
		return -1;
	}
	if (d->secret) {
		if (webhook_sender_sign(d->secret, d->payload, len, sig)) {
			snprintf(err, errlen, "could not compute the signature");
			return -1;
		}
		snprintf(sig_header, sizeof(sig_header), "X-Muster-Signature: %s\r\n", sig);
	}
	if ((u.tls && u.port == 443) || (!u.tls && u.port == 80))
		snprintf(host_header, sizeof(host_header), strchr(u.host, ':') ? "[%s]" : "%s", u.host);
	else
		snprintf(host_header, sizeof(host_header), strchr(u.host, ':') ? "[%s]:%d" : "%s:%d",
			 u.host, u.port);
	conn = mg_connect_client(u.host, u.port, u.tls, ebuf, sizeof(ebuf));
	if (!conn) {
		snprintf(err, errlen, "could not connect: %s", ebuf[0] ? ebuf : "unknown error");
		return -1;
	}
	if (mg_printf(conn,
		      "POST %s HTTP/1.1\r\n"
		      "Host: %s\r\n"
		      "User-Agent: muster\r\n"
		      "Content-Type: application/json\r\n"
		      "Content-Length: %zu\r\n"
		      "X-Muster-Event: %s\r\n"
		      "X-Muster-Delivery: %lld\r\n"
		      "%s"
		      "Connection: close\r\n"
		      "\r\n",
		      u.path, host_header, len, d->event, d->id, sig_header) <= 0 ||
	    mg_write(conn, d->payload, len) != (int)len) {
		snprintf(err, errlen, "could not send the request");
		goto done;
	}
	if (mg_get_response(conn, ebuf, sizeof(ebuf), WEBHOOK_TIMEOUT_MS) < 0) {
		snprintf(err, errlen, "no answer within %d ms: %s", WEBHOOK_TIMEOUT_MS,
			 ebuf[0] ? ebuf : "timeout");
		goto done;
	}
	ri = mg_get_response_info(conn);
	status = ri ? ri->status_code : 0;
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "the receiver answered HTTP %d", status);
		goto done;
	}
	rc = 0;
done:
	mg_close_connection(conn);
	return rc;
}

/* Record an outcome with a pooled connection for this update only. */
static void record(webhook_sender *s, const store_delivery *d, int ok, char *err)
{
	int e = STORE_ERR_INTERNAL, rc;
	db_conn *c = db_pool_acquire(s->pool, &e);
	char id[32];

	snprintf(id, sizeof(id), "%lld", d->id);
	if (!c) {
		/* the lease runs out and the row is sent again later */
		log_event("warn", "webhook outcome not recorded: no database connection",
			  "delivery", id, NULL);
		return;
	}
	plain_ascii(err);
	rc = ok ? store_delivery_delivered(c, d->id)
		: store_delivery_retry(c, d->id, err, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_BACKOFF_SECONDS);
	db_pool_release(s->pool, c);
	if (rc)
		log_event("error", "webhook outcome not recorded", "delivery", id, NULL);
	else if (!ok)
		log_event("warn", "webhook delivery failed", "delivery", id, "reason", err, NULL);
}

static int stopping(webhook_sender *s)
{
	int stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* Hand back claimed deliveries not attempted because the sender stops. */
static void release_rest(webhook_sender *s, const store_delivery *d, size_t n)
{
	int e = STORE_ERR_INTERNAL;
	db_conn *c = db_pool_acquire(s->pool, &e);
	size_t i;

	if (!c)
		return;   /* their leases run out instead */
	for (i = 0; i < n; i++)
		store_delivery_release(c, d[i].id);
	db_pool_release(s->pool, c);
}

/* Claim and send one batch; the number claimed (0 when none or on error). */
static size_t send_batch(webhook_sender *s)
{
	int e = STORE_ERR_INTERNAL, rc;
	db_conn *c = db_pool_acquire(s->pool, &e);
	store_delivery *d = NULL;
	size_t n = 0, i;
	char err[300];

	if (!c)
		return 0;
	rc = store_deliveries_claim(c, SENDER_BATCH, SENDER_LEASE_SECONDS, &d, &n);
	db_pool_release(s->pool, c);
	if (rc) {
		log_event("error", "could not claim webhook deliveries", NULL);
		return 0;
	}
	for (i = 0; i < n && !stopping(s); i++) {
		err[0] = '\0';
		record(s, &d[i], send_one(&d[i], err, sizeof(err)) == 0, err);
	}
	if (i < n)
		release_rest(s, d + i, n - i);
	store_deliveries_free(d, n);
	return n;
}

static void *sender_main(void *arg)
{
	webhook_sender *s = arg;
	struct timespec deadline;
	int stop;

	stop = stopping(s);
	while (!stop) {
		if (send_batch(s) > 0) {
			stop = stopping(s);
			continue;   /* more may be due */
		}
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_nsec += (long)SENDER_POLL_MS * 1000000L;
		deadline.tv_sec += deadline.tv_nsec / 1000000000L;
		deadline.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&s->lock);
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &deadline) != ETIMEDOUT)
			;
		stop = s->stop;
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

webhook_sender *webhook_sender_start(db_pool *pool)
{
	pthread_condattr_t ca;
	webhook_sender *s;

	if (!pool)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		log_event("error", "could not start the webhook sender: out of memory", NULL);
		return NULL;
	}
	s->pool = pool;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	/* reference counted by civetweb; TLS for https:// receivers */
	mg_init_library(MG_FEATURES_TLS);
	if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
		log_event("error", "could not start the webhook sender thread", NULL);
		mg_exit_library();
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

void webhook_sender_stop(webhook_sender *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	mg_exit_library();
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
