/*
 * session.h - cookie sessions for the web pages (routes flagged
 * ROUTE_AUTH_SESSION in routes.c). /api/ routes never take a cookie: they
 * stay bearer-only, which is what keeps them out of reach of cross-site
 * requests.
 *
 * The cookie "muster_session" holds a random session id (never the token),
 * HttpOnly, SameSite=Strict, Path=/, Secure when muster serves TLS. Only
 * the id's SHA-256 is stored (store/sessions.h). Every form of a signed-in
 * page carries the anti-forgery token SHA-256("muster-csrf:" + session
 * id): unforgeable without the cookie, nothing more to store. The sign-in
 * form itself is protected by a double-submit token: a random value both
 * in a short-lived "muster_login" cookie and in the form.
 */
#ifndef MUSTER_SESSION_H
#define MUSTER_SESSION_H

#include <stddef.h>

#include "request.h"

#define SESSION_COOKIE "muster_session"
#define SESSION_LOGIN_COOKIE "muster_login"
#define SESSION_TTL_SECONDS (8 * 3600)
#define SESSION_CSRF_LEN 64

/*
 * Authenticate r by its session cookie: on success fill r->token, r->authed
 * and r->actor and return 0. Otherwise answer - a redirect to /login (303)
 * for GET and HEAD, 403 for other methods - and return the status sent.
 */
int session_authenticate(req *r);

/*
 * For a state-changing request of a signed-in page: read the form body and
 * check its "csrf" field against the session's token. 0 when it matches;
 * otherwise a 403 page has been sent and its status is returned.
 */
int session_check_csrf(req *r);

/*
 * The anti-forgery token of r's session into out (SESSION_CSRF_LEN + 1
 * bytes). -1 when r has no session cookie.
 */
int session_csrf(req *r, char out[SESSION_CSRF_LEN + 1]);

/* The session id in r's cookie into out (len >= 65); -1 when absent. */
int session_cookie_id(req *r, char *out, size_t len);

/*
 * A "Set-Cookie: name=value; ..." header line (with CRLF) into out:
 * HttpOnly, SameSite=Strict, the given path and Max-Age (0 = delete),
 * Secure when the server runs TLS. -1 when it does not fit.
 */
int session_cookie_header(req *r, char *out, size_t len, const char *name, const char *value,
			  const char *path, int max_age);

/*
 * One field of an application/x-www-form-urlencoded body already read into
 * r->body: 1 and the decoded value in out, 0 when absent, -1 when longer
 * than outlen.
 */
int session_form_field(req *r, const char *name, char *out, size_t outlen);

/* The headers of every HTML page and redirect of the web UI (CSP,
 * Referrer-Policy, frame denial), CRLF-terminated lines. */
extern const char session_page_headers[];

#endif
