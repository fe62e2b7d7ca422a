/*
 * session.c - cookie sessions, anti-forgery tokens and form fields of the
 * web UI (session.h).
 */
#include "session.h"

#include <civetweb.h>
#include <stdio.h>
#include <string.h>

#include "../store/sessions.h"
#include "../util/crypto.h"
#include "respond.h"

const char session_page_headers[] =
	"Content-Security-Policy: default-src 'self'; script-src 'none'; object-src 'none';"
	" style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'\r\n"
	"Referrer-Policy: no-referrer\r\n"
	"X-Frame-Options: DENY\r\n"
	"Cross-Origin-Opener-Policy: same-origin\r\n";

static const char forbidden_page[] =
	"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>muster: not allowed</title>"
	"<link rel=\"stylesheet\" href=\"/static/app.css\"><link rel=\"icon\" href=\"/static/favicon.svg\""
	" type=\"image/svg+xml\"></head><body><main class=\"narrow\">"
	"<h1>Not allowed</h1><p>%s</p><p><a href=\"/login\">Sign in</a></p></main></body></html>";

static int page_error(req *r, int status, const char *msg)
{
	char body[1024];
	int n = snprintf(body, sizeof(body), forbidden_page, msg);

	if (n < 0 || (size_t)n >= sizeof(body))
		n = 0;
	return respond_raw(r, status, "text/html; charset=utf-8", session_page_headers, body, (size_t)n);
}

int session_cookie_id(req *r, char *out, size_t len)
{
	const char *h = req_header(r, "Cookie");

	if (!h || len < SESSION_SECRET_LEN + 1)
		return -1;
	if (mg_get_cookie(h, SESSION_COOKIE, out, len) != SESSION_SECRET_LEN)
		return -1;
	return 0;
}

int session_csrf(req *r, char out[SESSION_CSRF_LEN + 1])
{
	char sid[SESSION_SECRET_LEN + 2], in[sizeof("muster-csrf:") + SESSION_SECRET_LEN];
	int n;

	if (session_cookie_id(r, sid, sizeof(sid)))
		return -1;
	n = snprintf(in, sizeof(in), "muster-csrf:%s", sid);
	if (n < 0 || (size_t)n >= sizeof(in))
		return -1;
	crypto_sha256_hex(in, (size_t)n, out);
	return 0;
}

int session_authenticate(req *r)
{
	char sid[SESSION_SECRET_LEN + 2];
	store_session s;
	db_conn *db;
	int rc = STORE_ERR_NOTFOUND;

	if (session_cookie_id(r, sid, sizeof(sid)) == 0) {
		if (!(db = req_db(r)))
			return r->status;
		rc = store_session_lookup(db, sid, strlen(sid), &s);
		req_db_release(r);
	}
	if (rc == STORE_ERR_NOTFOUND) {
		if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))
			return respond_raw(r, 303, "text/plain; charset=utf-8",
					   "Location: /login\r\n", "", 0);
		return page_error(r, 403, "Your session has ended. Sign in again.");
	}
	if (rc)
		return respond_store_error(r, rc);
	r->token = s.token;
	r->authed = 1;
	r->actor.token_id = s.token.id;
	r->actor.name = r->token.name;
	return 0;
}

int session_form_field(req *r, const char *name, char *out, size_t outlen)
{
	int n;

	if (!r->body.data || outlen == 0)
		return 0;
	n = mg_get_var(r->body.data, r->body.len, name, out, outlen);
	if (n == -1)
		return 0;
	if (n < 0)
		return -1;
	return 1;
}

int session_check_csrf(req *r)
{
	char want[SESSION_CSRF_LEN + 1], got[SESSION_CSRF_LEN + 2];

	if (req_read_body(r))
		return r->status;
	if (session_csrf(r, want) ||
	    session_form_field(r, "csrf", got, sizeof(got)) != 1 ||
	    !crypto_equal(want, got, strlen(want), strlen(got)))
		return page_error(r, 403, "The form was not sent from a page of this session.");
	return 0;
}

int session_cookie_header(req *r, char *out, size_t len, const char *name, const char *value,
			  const char *path, int max_age)
{
	int n = snprintf(out, len, "Set-Cookie: %s=%s; Path=%s; Max-Age=%d; HttpOnly; SameSite=Strict%s\r\n",
			 name, value, path, max_age,
			 r->ri && r->ri->is_ssl ? "; Secure" : "");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}
