/*
 * sessions.h - web sign-in sessions (schema/007_dashboard.sql). A session
 * is created from an already authenticated token; the browser keeps only a
 * random session id (never the token), and only the id's SHA-256 is
 * stored. A session ends at its expiry, when its token is revoked, or at
 * sign-out.
 */
#ifndef MUSTER_STORE_SESSIONS_H
#define MUSTER_STORE_SESSIONS_H

#include <stddef.h>
#include <time.h>

#include "store.h"

#define SESSION_SECRET_LEN 64   /* hex characters of a session id */

typedef struct store_session {
	long long id;
	store_token token;                   /* the token it was opened with */
	time_t expires_at;
} store_session;

/*
 * Open a session for tok lasting ttl_seconds (1 .. 7 days), in one
 * transaction with its audit record; expired sessions are deleted on the
 * way. The new session id is written to sid_out (65 bytes, shown once:
 * it goes into the cookie) and out is filled. Returns STORE_OK or a
 * STORE_ERR_* code (STORE_ERR_INVALID for a bad ttl).
 */
int store_session_create(db_conn *c, const store_actor *who, const store_token *tok,
			 int ttl_seconds, char sid_out[SESSION_SECRET_LEN + 1], store_session *out);

/*
 * Find the live session whose id is sid (len bytes, as the cookie gave it):
 * not expired and its token not revoked. STORE_ERR_NOTFOUND otherwise
 * (including ids of the wrong shape, which are not looked up).
 */
int store_session_lookup(db_conn *c, const char *sid, size_t len, store_session *out);

/*
 * End the session whose id is sid (sign-out), with an audit record.
 * STORE_ERR_NOTFOUND when no such session exists.
 */
int store_session_delete(db_conn *c, const store_actor *who, const char *sid, size_t len);

#endif
