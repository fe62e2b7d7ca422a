/*
 * h_web.c - the server-rendered web UI: sign-in and sign-out, the
 * dashboard page (GET /), one image (GET /images/{id}) and the stylesheet.
 * Pages are the templates of templates/web/ filled by report/html.c; charts are SVG
 * from report/svg.c; the figures are the JSON of the API (h_dashboard.c
 * and the store's list reads), parsed here, so page and API cannot
 * disagree. No page has a script; every form carries a CSRF token
 * (session.h).
 */
#include <civetweb.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../report/html.h"
#include "../report/svg.h"
#include "../store/dashboard.h"
#include "../store/inventory_reads.h"
#include "../store/rules.h"
#include "../store/sessions.h"
#include "../util/arena.h"
#include "../util/crypto.h"
#include "../util/log.h"
#include "../util/parse.h"
#include "handlers.h"
#include "respond.h"
#include "router.h"
#include "session.h"

#define WEB_TEMPLATE_MAX (1024 * 1024)
#define WEB_PAGE_MAX (16 * 1024 * 1024)
#define WEB_PAGE_ROWS 25          /* rows of a paginated table */
#define WEB_FINDING_ROWS 50

/* --- templates and pages --- */

/* Read templates/web/<name> into out (initialized here). 0 or -1. */
static int read_template(req *r, const char *name, buf *out)
{
	char path[4096];
	char chunk[8192];
	FILE *f;
	size_t n;
	int rc = 0;

	buf_init(out, WEB_TEMPLATE_MAX);
	if (snprintf(path, sizeof(path), "%s/web/%s", r->app->templates_dir, name) >= (int)sizeof(path))
		return -1;
	if (!(f = fopen(path, "rb")))
		return -1;
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_append(out, chunk, n);
	if (ferror(f))
		rc = -1;
	fclose(f);
	if (rc == 0 && !out->data)
		rc = buf_append(out, "", 0);
	if (rc)
		buf_free(out);
	return rc ? -1 : 0;
}

/* Render templates/web/<name> with vars, appending to out. 0, or -1 (a
 * template problem is logged; out is released on a rendering failure). */
static int render(req *r, const char *name, const html_var *vars, size_t n, buf *out)
{
	char err[160];
	buf tpl;
	int rc;

	if (read_template(r, name, &tpl)) {
		log_event("error", "web template unreadable", "template", name, NULL);
		return -1;
	}
	rc = html_render(out, tpl.data, tpl.len, vars, n, err, sizeof(err));
	buf_free(&tpl);
	if (rc == HTML_ERR_TEMPLATE)
		log_event("error", "web template invalid", "template", name, "detail", err, NULL);
	return rc ? -1 : 0;
}

#define NVARS(v) (sizeof(v) / sizeof((v)[0]))

static int fail_page(req *r)
{
	return respond_error(r, 500, "internal", "the page could not be rendered (templates/web)");
}

/* The layout around content, with the session's navigation when signed in.
 * extra: more header lines (cookies) or NULL. */
static int send_page(req *r, int status, const char *title, const char *content,
		     const char *footer, const char *extra)
{
	char csrf[SESSION_CSRF_LEN + 1], headers[2048];
	buf nav, page;
	int rc = -1;

	buf_init(&nav, WEB_PAGE_MAX);
	buf_init(&page, WEB_PAGE_MAX);
	if (buf_append(&nav, "", 0))
		goto fail;
	if (r->authed && session_csrf(r, csrf) == 0) {
		html_var nv[] = {{"user", r->token.name}, {"role", r->token.role}, {"csrf", csrf}};

		if (render(r, "nav.html", nv, NVARS(nv), &nav))
			goto fail;
	}
	{
		html_var lv[] = {{"title", title}, {"nav", nav.data}, {"content", content},
				 {"footer", footer ? footer : ""}};

		if (render(r, "layout.html", lv, NVARS(lv), &page))
			goto fail;
	}
	if (snprintf(headers, sizeof(headers), "%s%s", session_page_headers, extra ? extra : "") >=
	    (int)sizeof(headers))
		goto fail;
	rc = respond_raw(r, status, "text/html; charset=utf-8", headers, page.data, page.len);
fail:
	buf_free(&nav);
	buf_free(&page);
	return rc < 0 ? fail_page(r) : rc;
}

static int send_message(req *r, int status, const char *heading, const char *message)
{
	html_var v[] = {{"heading", heading}, {"message", message}};
	buf content;
	int rc;

	buf_init(&content, WEB_PAGE_MAX);
	if (render(r, "message.html", v, NVARS(v), &content))
		rc = fail_page(r);
	else
		rc = send_page(r, status, heading, content.data, NULL, NULL);
	buf_free(&content);
	return rc;
}

/* A store failure as a page (a pool failure was answered by req_db). */
static int store_failure(req *r, int rc)
{
	if (r->status)
		return r->status;
	if (rc == STORE_ERR_NOTFOUND)
		return send_message(r, 404, "Not found", "There is no such item.");
	if (rc == STORE_ERR_DOWN || rc == STORE_ERR_BUSY || rc == STORE_ERR_RETRY || rc == STORE_ERR_TIMEOUT)
		return send_message(r, 503, "Unavailable", "The database is busy or unreachable; try again shortly.");
	return send_message(r, 500, "Internal error", "The page could not be built.");
}

static int redirect(req *r, const char *location, const char *extra)
{
	char headers[2048];

	if (snprintf(headers, sizeof(headers), "Location: %s\r\n%s%s", location, session_page_headers,
		     extra ? extra : "") >= (int)sizeof(headers))
		return respond_error(r, 500, "internal", "header too long");
	return respond_raw(r, 303, "text/plain; charset=utf-8", headers, "", 0);
}

/* --- JSON helpers --- */

/* The member at a dotted path ("poam.open.High"), or NULL. */
static json_t *jget(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && path && *path) {
		dot = strchr(path, '.');
		snprintf(key, sizeof(key), "%.*s", (int)(dot ? (size_t)(dot - path) : strlen(path)), path);
		o = json_object_get(o, key);
		path = dot ? dot + 1 : NULL;
	}
	return o;
}

static long long jint(json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static const char *jstr(json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Text of a number-or-null ("—" for null). */
static const char *jnum_text(arena *a, json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return arena_printf(a, "%.0f", json_real_value(v));
	return "\xe2\x80\x94";
}

/* The date part of an RFC 3339 time, or "—". */
static const char *day_of(arena *a, const char *t)
{
	return t && strlen(t) >= 10 ? arena_strndup(a, t, 10) : "\xe2\x80\x94";
}

/* A risk rating as its badge: <span class="badge risk-R">R</span>. */
static int risk_badge(buf *b, const char *risk)
{
	int rc = buf_puts(b, "<span class=\"badge risk-");

	rc = rc ? rc : html_escape(b, risk);
	rc = rc ? rc : buf_puts(b, "\">");
	rc = rc ? rc : html_escape(b, risk);
	return rc ? rc : buf_puts(b, "</span>");
}

static json_t *parse_json(const char *s)
{
	return s ? json_loads(s, 0, NULL) : NULL;
}

static const char *num(arena *a, long long v)
{
	return arena_printf(a, "%lld", v);
}

/* --- static files --- */

int h_web_static(req *r)
{
	static const struct {
		const char *name, *type;
	} files[] = {
		{"app.css", "text/css; charset=utf-8"},
		{"favicon.svg", "image/svg+xml"},
	};
	size_t i;
	buf body;
	int rc;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (r->nparams == 1 && !strcmp(r->params[0], files[i].name))
			break;
	if (i == sizeof(files) / sizeof(files[0]) || read_template(r, files[i].name, &body))
		return respond_error(r, 404, "not_found", "no such file");
	rc = respond_raw(r, 200, files[i].type, NULL, body.data, body.len);
	buf_free(&body);
	return rc;
}

/* --- sign-in and sign-out --- */

static int login_page(req *r, int status, const char *error)
{
	char csrf[CRYPTO_TOKEN_LEN + 1], cookie[256], ttl[16];
	buf content, err;
	int rc;

	if (crypto_random_token(csrf))
		return respond_error(r, 500, "internal", "no randomness");
	buf_init(&err, 4096);
	buf_init(&content, WEB_PAGE_MAX);
	if (buf_append(&err, "", 0))
		return fail_page(r);
	if (error && (buf_puts(&err, "<p class=\"error\" role=\"alert\" id=\"login-error\">") ||
		      html_escape(&err, error) || buf_puts(&err, "</p>")))
		return fail_page(r);
	snprintf(ttl, sizeof(ttl), "%d", SESSION_TTL_SECONDS / 3600);
	{
		html_var v[] = {{"error", err.data}, {"csrf", csrf}, {"ttl_hours", ttl}};

		rc = render(r, "login.html", v, NVARS(v), &content);
	}
	buf_free(&err);
	if (rc || session_cookie_header(r, cookie, sizeof(cookie), SESSION_LOGIN_COOKIE, csrf, "/login", 600))
		rc = fail_page(r);
	else
		rc = send_page(r, status, "Sign in", content.data, NULL, cookie);
	buf_free(&content);
	return rc;
}

int h_web_login_form(req *r)
{
	char sid[SESSION_SECRET_LEN + 2];
	store_session s;
	db_conn *db;

	if (session_cookie_id(r, sid, sizeof(sid)) == 0) {
		if (!(db = req_db(r)))
			return r->status;
		if (store_session_lookup(db, sid, strlen(sid), &s) == STORE_OK)
			return redirect(r, "/", NULL);
		req_db_release(r);
	}
	return login_page(r, 200, NULL);
}

int h_web_login(req *r)
{
	char want[CRYPTO_TOKEN_LEN + 2], got[CRYPTO_TOKEN_LEN + 2], token[260];
	char sid[SESSION_SECRET_LEN + 1], cookies[512];
	const char *h = req_header(r, "Cookie");
	store_token tok;
	store_session s;
	db_conn *db;
	size_t off;
	int rc;

	if (req_read_body(r))
		return r->status;
	if (!h || mg_get_cookie(h, SESSION_LOGIN_COOKIE, want, sizeof(want)) != CRYPTO_TOKEN_LEN ||
	    session_form_field(r, "csrf", got, sizeof(got)) != 1 ||
	    !crypto_equal(want, got, strlen(want), strlen(got)))
		return login_page(r, 403, "The sign-in form expired. Please try again.");
	rc = session_form_field(r, "token", token, sizeof(token));
	if (rc != 1 || !*token || strlen(token) > 256)
		return login_page(r, 401, "That token is not valid.");
	if (!(db = req_db(r)))
		return r->status;
	rc = store_token_authenticate(db, token, strlen(token), &tok);
	memset(token, 0, sizeof(token));
	if (rc == STORE_ERR_NOTFOUND)
		return login_page(r, 401, "That token is not valid.");
	if (rc)
		return store_failure(r, rc);
	if (strcmp(tok.role, "viewer") && strcmp(tok.role, "admin"))
		return login_page(r, 403, "Only viewer and admin tokens can sign in to the dashboard.");
	r->actor.token_id = tok.id;
	r->actor.name = tok.name;
	rc = store_session_create(db, &r->actor, &tok, SESSION_TTL_SECONDS, sid, &s);
	req_db_release(r);
	if (rc)
		return store_failure(r, rc);
	if (session_cookie_header(r, cookies, sizeof(cookies), SESSION_COOKIE, sid, "/", SESSION_TTL_SECONDS))
		return fail_page(r);
	off = strlen(cookies);
	if (session_cookie_header(r, cookies + off, sizeof(cookies) - off, SESSION_LOGIN_COOKIE, "", "/login", 0))
		return fail_page(r);
	memset(sid, 0, sizeof(sid));
	return redirect(r, "/", cookies);
}

int h_web_logout(req *r)
{
	char sid[SESSION_SECRET_LEN + 2], cookie[256];
	db_conn *db;
	int rc;

	if (session_cookie_id(r, sid, sizeof(sid)) == 0) {
		if (!(db = req_db(r)))
			return r->status;
		rc = store_session_delete(db, &r->actor, sid, strlen(sid));
		req_db_release(r);
		if (rc && rc != STORE_ERR_NOTFOUND)
			return store_failure(r, rc);
	}
	if (session_cookie_header(r, cookie, sizeof(cookie), SESSION_COOKIE, "", "/", 0))
		return fail_page(r);
	return redirect(r, "/login", cookie);
}

/* --- the dashboard page --- */

static const char *risks[] = {"High", "Moderate", "Low"};
static const char *risk_class[] = {"risk-high", "risk-moderate", "risk-low"};

static int escalations_table(buf *b, json_t *dash)
{
	json_t *list = json_object_get(dash, "escalations"), *e;
	size_t i;
	int rc;

	rc = buf_puts(b, "<table id=\"escalations\"><thead><tr><th>Threshold</th><th>Review</th>"
			 "<th class=\"num\">Items</th><th>Status</th></tr></thead><tbody>");
	json_array_foreach(list, i, e) {
		const char *name = jstr(e, "name"), *risk = jstr(e, "risk");
		int crossed = json_is_true(json_object_get(e, "crossed"));

		if (rc)
			break;
		rc = buf_puts(b, "<tr data-escalation=\"");
		rc = rc ? rc : html_escape(b, name);
		rc = rc ? rc : buf_puts(b, "\" data-risk=\"");
		rc = rc ? rc : html_escape(b, risk);
		rc = rc ? rc : buf_printf(b, "\" data-count=\"%lld\" data-crossed=\"%s\"><td>%lld or more ",
					  jint(e, "count"), crossed ? "true" : "false", jint(e, "threshold"));
		rc = rc ? rc : html_escape(b, risk);
		rc = rc ? rc : buf_printf(b, " items open more than %lld days</td><td>%s</td>"
					     "<td class=\"num\">%lld</td><td><span class=\"badge %s\">%s</span></td></tr>",
					  jint(e, "older_than_days"),
					  name && !strcmp(name, "corrective_action_plan") ? "Corrective Action Plan"
										      : "Detailed Finding Review",
					  jint(e, "count"), crossed ? "crossed" : "ok",
					  crossed ? "Crossed" : "Not crossed");
	}
	return rc ? rc : buf_puts(b, "</tbody></table>");
}

static int age_table(buf *b, arena *a, json_t *dash)
{
	int i, rc;

	rc = buf_puts(b, "<table id=\"age\"><thead><tr><th>Risk</th><th class=\"num\">Open</th>"
			 "<th class=\"num\">Late</th><th class=\"num\">Median age (days)</th>"
			 "<th class=\"num\">Oldest (days)</th></tr></thead><tbody>");
	for (i = 0; i < 3 && rc == 0; i++) {
		char p_open[40], p_late[40], p_med[48], p_old[48];

		snprintf(p_open, sizeof(p_open), "poam.open.%s", risks[i]);
		snprintf(p_late, sizeof(p_late), "poam.late.%s", risks[i]);
		snprintf(p_med, sizeof(p_med), "poam.age.%s.median_days", risks[i]);
		snprintf(p_old, sizeof(p_old), "poam.age.%s.oldest_days", risks[i]);
		rc = buf_printf(b, "<tr><td><span class=\"badge risk-%s\">%s</span></td><td class=\"num\">%lld</td>"
				   "<td class=\"num\">%lld</td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>",
				risks[i], risks[i], jint(dash, p_open), jint(dash, p_late),
				jnum_text(a, dash, p_med), jnum_text(a, dash, p_old));
	}
	return rc ? rc : buf_puts(b, "</tbody></table>");
}

static int charts(buf *open_c, buf *age_c, buf *late_c, buf *viol_c, json_t *dash, json_t *trend)
{
	json_t *points = json_object_get(trend, "points"), *p, *viol = json_object_get(dash, "violations"), *v;
	size_t n = json_array_size(points), i;
	const char **labels = NULL;
	long long *vals = NULL;
	svg_series series[3];
	svg_bar bars[8];
	const char *key;
	int s, rc = -1;

	if (n > DASHBOARD_MAX_MONTHS)
		n = DASHBOARD_MAX_MONTHS;
	labels = calloc(n + 1, sizeof(*labels));
	vals = calloc(3 * (n + 1), sizeof(*vals));
	if (!labels || !vals)
		goto cleanup;
	json_array_foreach(points, i, p) {
		if (i >= n)
			break;
		labels[i] = jstr(p, "month") ? jstr(p, "month") : "";
		for (s = 0; s < 3; s++) {
			char path[32];

			snprintf(path, sizeof(path), "poam.open.%s", risks[s]);
			vals[(size_t)s * n + i] = jint(p, path);
		}
	}
	for (s = 0; s < 3; s++) {
		series[s].key = risks[s];
		series[s].label = risks[s];
		series[s].cls = risk_class[s];
		series[s].values = vals + (size_t)s * n;
	}
	if (svg_line_chart(open_c, "chart-open", "Open POA&M items by risk at each month's end",
			   labels, n, series, 3))
		goto cleanup;
	{
		svg_bar ab[4] = {
			{"0-7", "0-7 days", jint(dash, "scan_age.0-7"), "age-fresh"},
			{"8-30", "8-30 days", jint(dash, "scan_age.8-30"), "age-aging"},
			{"over_30", "over 30 days", jint(dash, "scan_age.over_30"), "age-stale"},
			{"never", "never scanned", jint(dash, "scan_age.never"), "age-never"},
		};

		if (svg_bar_chart(age_c, "chart-scan-age", "Production assets by age of their latest scan", ab, 4))
			goto cleanup;
	}
	for (s = 0; s < 3; s++) {
		char path[32];

		snprintf(path, sizeof(path), "poam.late.%s", risks[s]);
		bars[s].key = risks[s];
		bars[s].label = risks[s];
		bars[s].value = jint(dash, path);
		bars[s].cls = risk_class[s];
	}
	if (svg_bar_chart(late_c, "chart-late", "Late POA&M items by risk", bars, 3))
		goto cleanup;
	i = 0;
	json_object_foreach(viol, key, v) {
		if (i >= sizeof(bars) / sizeof(bars[0]))
			break;
		bars[i].key = key;
		bars[i].label = key;
		bars[i].value = json_is_integer(v) ? (long long)json_integer_value(v) : 0;
		bars[i].cls = NULL;
		i++;
	}
	if (svg_bar_chart(viol_c, "chart-violations", "Production assets in violation, by rule", bars, i))
		goto cleanup;
	rc = 0;
cleanup:
	free(labels);
	free(vals);
	return rc;
}

/* The open alerts page as a table; pager links carry the other table's page. */
static int violations_table(buf *b, buf *pager, arena *a, json_t *alerts, const char *vcursor,
			    long long lpage)
{
	json_t *items = json_object_get(alerts, "items"), *it;
	const char *next = jstr(alerts, "next");
	size_t i;
	int rc = 0;

	if (json_array_size(items) == 0)
		rc = buf_puts(b, "<p class=\"empty\" id=\"violations-empty\">No production asset is in violation.</p>");
	else
		rc = buf_puts(b, "<table id=\"violations-table\"><thead><tr><th>Image</th><th>Rule</th>"
				 "<th>Since</th><th>Detail</th></tr></thead><tbody>");
	json_array_foreach(items, i, it) {
		const char *msg = jstr(it, "detail.message");

		if (rc)
			break;
		rc = buf_printf(b, "<tr><td class=\"mono\"><a class=\"image-link\" href=\"/images/%lld\">",
				jint(it, "image.id"));
		rc = rc ? rc : html_escape(b, jstr(it, "image.uai"));
		rc = rc ? rc : buf_puts(b, "</a></td><td>");
		rc = rc ? rc : html_escape(b, jstr(it, "rule"));
		rc = rc ? rc : buf_puts(b, "</td><td class=\"date\">");
		rc = rc ? rc : html_escape(b, day_of(a, jstr(it, "detail.since") ? jstr(it, "detail.since")
									      : jstr(it, "opened_at")));
		rc = rc ? rc : buf_puts(b, "</td><td>");
		rc = rc ? rc : html_escape(b, msg ? msg : "");
		rc = rc ? rc : buf_puts(b, "</td></tr>");
	}
	if (!rc && json_array_size(items) > 0)
		rc = buf_puts(b, "</tbody></table>");
	rc = rc ? rc : buf_puts(pager, "<p class=\"pager\" id=\"violations-pager\">");
	if (!rc && vcursor)
		rc = buf_printf(pager, "<a href=\"/?lpage=%lld#violations\">First page</a>", lpage);
	if (!rc && next) {
		rc = buf_puts(pager, "<a rel=\"next\" id=\"violations-next\" href=\"/?vcursor=");
		rc = rc ? rc : html_url_component(pager, next);
		rc = rc ? rc : buf_printf(pager, "&amp;lpage=%lld#violations\">Next page</a>", lpage);
	}
	return rc ? rc : buf_puts(pager, "</p>");
}

static int late_table(buf *b, buf *pager, arena *a, json_t *late, const char *vcursor, long long lpage)
{
	json_t *items = json_object_get(late, "items"), *it;
	long long total = jint(late, "total"), pages = (total + WEB_PAGE_ROWS - 1) / WEB_PAGE_ROWS;
	buf vc;
	size_t i;
	int rc = 0;

	if (json_array_size(items) == 0)
		rc = buf_puts(b, "<p class=\"empty\" id=\"late-empty\">No POA&amp;M item is late.</p>");
	else
		rc = buf_puts(b, "<table id=\"late-table\"><thead><tr><th>POA&amp;M ID</th><th>Weakness</th>"
				 "<th>Risk</th><th>Image</th><th>Due</th><th class=\"num\">Days late</th>"
				 "</tr></thead><tbody>");
	json_array_foreach(items, i, it) {
		if (rc)
			break;
		rc = buf_puts(b, "<tr><td class=\"mono\">");
		rc = rc ? rc : html_escape(b, jstr(it, "poam_id"));
		rc = rc ? rc : buf_puts(b, "</td><td class=\"mono\">");
		rc = rc ? rc : html_escape(b, jstr(it, "weakness"));
		rc = rc ? rc : buf_puts(b, "</td><td>");
		rc = rc ? rc : risk_badge(b, jstr(it, "risk"));
		rc = rc ? rc : buf_puts(b, "</td><td class=\"mono\">");
		if (!rc && jint(it, "image.id") > 0) {
			rc = buf_printf(b, "<a class=\"image-link\" href=\"/images/%lld\">", jint(it, "image.id"));
			rc = rc ? rc : html_escape(b, jstr(it, "image.uai"));
			rc = rc ? rc : buf_puts(b, "</a>");
		}
		rc = rc ? rc : buf_puts(b, "</td><td class=\"date\">");
		rc = rc ? rc : html_escape(b, day_of(a, jstr(it, "scheduled_completion")));
		rc = rc ? rc : buf_printf(b, "</td><td class=\"num\">%lld</td></tr>", jint(it, "days_late"));
	}
	if (!rc && json_array_size(items) > 0)
		rc = buf_puts(b, "</tbody></table>");
	buf_init(&vc, 1024);
	rc = rc ? rc : buf_append(&vc, "", 0);
	if (!rc && vcursor) {
		rc = buf_puts(&vc, "vcursor=");
		rc = rc ? rc : html_url_component(&vc, vcursor);
		rc = rc ? rc : buf_puts(&vc, "&amp;");
	}
	rc = rc ? rc : buf_printf(pager, "<p class=\"pager\" id=\"late-pager\">Page %lld of %lld",
				  lpage, pages ? pages : 1);
	if (!rc && lpage > 1)
		rc = buf_printf(pager, " <a href=\"/?%slpage=%lld#late\">Previous page</a>", vc.data, lpage - 1);
	if (!rc && lpage < pages)
		rc = buf_printf(pager, " <a rel=\"next\" id=\"late-next\" href=\"/?%slpage=%lld#late\">Next page</a>",
				vc.data, lpage + 1);
	buf_free(&vc);
	return rc ? rc : buf_puts(pager, "</p>");
}

/* 1 when the route table has GET pattern. */
static int have_route(const char *pattern)
{
	size_t i;

	for (i = 0; i < router_nroutes; i++)
		if (!strcmp(router_routes[i].method, "GET") && !strcmp(router_routes[i].pattern, pattern))
			return 1;
	return 0;
}

int h_web_home(req *r)
{
	char vcursor[32], lp[16], month[8];
	char *dash_s = NULL, *trend_s = NULL, *alerts_s = NULL, *late_s = NULL;
	json_t *dash = NULL, *trend = NULL, *alerts = NULL, *late = NULL;
	buf esc, ages, c_open, c_age, c_late, c_viol, vt, vp, lt, lpg, dl, content;
	long long lpage = 1, poam_open = 0, poam_late = 0;
	arena a = ARENA_INIT;
	alert_filter f;
	store_page page;
	time_t now = time(NULL);
	struct tm tm;
	db_conn *db;
	int i, rc, have_vcursor = 0;

	buf_init(&esc, WEB_PAGE_MAX);
	buf_init(&ages, WEB_PAGE_MAX);
	buf_init(&c_open, WEB_PAGE_MAX);
	buf_init(&c_age, WEB_PAGE_MAX);
	buf_init(&c_late, WEB_PAGE_MAX);
	buf_init(&c_viol, WEB_PAGE_MAX);
	buf_init(&vt, WEB_PAGE_MAX);
	buf_init(&vp, WEB_PAGE_MAX);
	buf_init(&lt, WEB_PAGE_MAX);
	buf_init(&lpg, WEB_PAGE_MAX);
	buf_init(&dl, 4096);
	buf_init(&content, WEB_PAGE_MAX);
	switch (req_query(r, "vcursor", vcursor, sizeof(vcursor))) {
	case 0:
		break;
	case 1: {
		long long v;

		if (parse_int_range(vcursor, 0, 9007199254740992LL, &v) == 0) {
			have_vcursor = 1;
			break;
		}
	}
		/* fall through */
	default:
		rc = send_message(r, 400, "Bad request", "That page link is not one muster made.");
		goto cleanup;
	}
	if (req_query(r, "lpage", lp, sizeof(lp)) != 0 &&
	    (req_query(r, "lpage", lp, sizeof(lp)) < 0 || parse_int_range(lp, 1, 1000000, &lpage))) {
		rc = send_message(r, 400, "Bad request", "That page link is not one muster made.");
		goto cleanup;
	}
	if ((rc = dashboard_figures(r, 0, &dash_s)) || (rc = dashboard_trend(r, 12, &trend_s))) {
		rc = store_failure(r, rc);
		goto cleanup;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto cleanup;
	}
	memset(&f, 0, sizeof(f));
	f.status = "open";
	page.limit = WEB_PAGE_ROWS;
	page.cursor = have_vcursor ? vcursor : NULL;
	if ((rc = store_alerts_list(db, &f, &page, &alerts_s)) ||
	    (rc = store_dashboard_late_items(db, (lpage - 1) * WEB_PAGE_ROWS, WEB_PAGE_ROWS, &late_s))) {
		rc = store_failure(r, rc);
		goto cleanup;
	}
	req_db_release(r);
	dash = parse_json(dash_s);
	trend = parse_json(trend_s);
	alerts = parse_json(alerts_s);
	late = parse_json(late_s);
	if (!dash || !trend || !alerts || !late) {
		rc = fail_page(r);
		goto cleanup;
	}
	for (i = 0; i < 3; i++) {
		char p1[32], p2[32];

		snprintf(p1, sizeof(p1), "poam.open.%s", risks[i]);
		snprintf(p2, sizeof(p2), "poam.late.%s", risks[i]);
		poam_open += jint(dash, p1);
		poam_late += jint(dash, p2);
	}
	gmtime_r(&now, &tm);
	strftime(month, sizeof(month), "%Y-%m", &tm);
	rc = buf_append(&dl, "", 0);
	if (!rc && have_route("/reports/poam.xlsx"))
		rc = buf_printf(&dl, "<a class=\"button\" id=\"download-poam\" href=\"/reports/poam.xlsx?month=%s\">"
				     "POA&amp;M workbook (.xlsx)</a>", month);
	if (rc || escalations_table(&esc, dash) || age_table(&ages, &a, dash) ||
	    charts(&c_open, &c_age, &c_late, &c_viol, dash, trend) ||
	    violations_table(&vt, &vp, &a, alerts, have_vcursor ? vcursor : NULL, lpage) ||
	    late_table(&lt, &lpg, &a, late, have_vcursor ? vcursor : NULL, lpage)) {
		rc = fail_page(r);
		goto cleanup;
	}
	{
		html_var v[] = {
			{"as_of", jstr(dash, "as_of")},
			{"images", num(&a, jint(dash, "images"))},
			{"containers_production", num(&a, jint(dash, "containers.production"))},
			{"containers_other", num(&a, jint(dash, "containers.other"))},
			{"poam_open", num(&a, poam_open)},
			{"poam_late", num(&a, poam_late)},
			{"kev_open", num(&a, jint(dash, "kev.open"))},
			{"kev_overdue", num(&a, jint(dash, "kev.overdue"))},
			{"kev_class", jint(dash, "kev.overdue") > 0 ? "alarm" : ""},
			{"deviations_pending", num(&a, jint(dash, "deviations.pending"))},
			{"deviations_approved", num(&a, jint(dash, "deviations.approved"))},
			{"month", month},
			{"poam_download", dl.data},
			{"escalations", esc.data},
			{"chart_open", c_open.data},
			{"chart_scan_age", c_age.data},
			{"chart_late", c_late.data},
			{"chart_violations", c_viol.data},
			{"age_table", ages.data},
			{"violations_table", vt.data},
			{"violations_pager", vp.data},
			{"late_table", lt.data},
			{"late_pager", lpg.data},
		};

		if (render(r, "dashboard.html", v, NVARS(v), &content)) {
			rc = fail_page(r);
			goto cleanup;
		}
	}
	rc = send_page(r, 200, "Dashboard", content.data,
		       arena_printf(&a, " \xc2\xb7 figures as of %s", jstr(dash, "as_of") ? jstr(dash, "as_of") : ""),
		       NULL);
cleanup:
	json_decref(dash);
	json_decref(trend);
	json_decref(alerts);
	json_decref(late);
	free(dash_s);
	free(trend_s);
	free(alerts_s);
	free(late_s);
	buf_free(&esc);
	buf_free(&ages);
	buf_free(&c_open);
	buf_free(&c_age);
	buf_free(&c_late);
	buf_free(&c_viol);
	buf_free(&vt);
	buf_free(&vp);
	buf_free(&lt);
	buf_free(&lpg);
	buf_free(&dl);
	buf_free(&content);
	arena_free(&a);
	return rc;
}

/* --- one image --- */

static int alerts_rows(buf *b, arena *a, json_t *alerts)
{
	json_t *items = json_object_get(alerts, "items"), *it;
	size_t i;
	int rc;

	if (json_array_size(items) == 0)
		return buf_puts(b, "<p class=\"empty\">No rule is failing for this image.</p>");
	rc = buf_puts(b, "<table id=\"image-alerts\"><thead><tr><th>Rule</th><th>Since</th><th>Detail</th>"
			 "</tr></thead><tbody>");
	json_array_foreach(items, i, it) {
		if (rc)
			break;
		rc = buf_puts(b, "<tr><td>");
		rc = rc ? rc : html_escape(b, jstr(it, "rule"));
		rc = rc ? rc : buf_puts(b, "</td><td class=\"date\">");
		rc = rc ? rc : html_escape(b, day_of(a, jstr(it, "detail.since") ? jstr(it, "detail.since")
									      : jstr(it, "opened_at")));
		rc = rc ? rc : buf_puts(b, "</td><td>");
		rc = rc ? rc : html_escape(b, jstr(it, "detail.message") ? jstr(it, "detail.message") : "");
		rc = rc ? rc : buf_puts(b, "</td></tr>");
	}
	return rc ? rc : buf_puts(b, "</tbody></table>");
}

static int builds_rows(buf *b, arena *a, json_t *img)
{
	json_t *builds = json_object_get(img, "builds"), *bl, *d;
	size_t i, j;
	int rc;

	if (json_array_size(builds) == 0)
		return buf_puts(b, "<p class=\"empty\">No build recorded.</p>");
	rc = buf_puts(b, "<table id=\"builds\"><thead><tr><th>Digests</th><th>First seen</th>"
			 "<th>Latest scan</th><th class=\"num\">Findings</th></tr></thead><tbody>");
	json_array_foreach(builds, i, bl) {
		if (rc)
			break;
		rc = buf_puts(b, "<tr><td class=\"mono\">");
		json_array_foreach(json_object_get(bl, "digests"), j, d) {
			rc = rc ? rc : html_escape(b, json_string_value(d));
			rc = rc ? rc : buf_puts(b, "<br>");
		}
		rc = rc ? rc : buf_puts(b, "</td><td>");
		rc = rc ? rc : html_escape(b, day_of(a, jstr(bl, "first_seen")));
		rc = rc ? rc : buf_puts(b, "</td><td>");
		rc = rc ? rc : html_escape(b, jstr(bl, "last_scan.scanned_at") ? day_of(a, jstr(bl, "last_scan.scanned_at"))
									       : "never scanned");
		rc = rc ? rc : buf_printf(b, "</td><td class=\"num\">%s</td></tr>", jnum_text(a, bl, "last_scan.findings"));
	}
	return rc ? rc : buf_puts(b, "</tbody></table>");
}

static int findings_rows(buf *b, buf *pager, long long id, json_t *fs, const char *fcursor)
{
	json_t *items = json_object_get(fs, "items"), *it;
	const char *next = jstr(fs, "next");
	size_t i;
	int rc;

	if (json_array_size(items) == 0) {
		rc = buf_puts(b, "<p class=\"empty\">No finding in the latest scans.</p>");
	} else {
		rc = buf_puts(b, "<table id=\"findings-table\"><thead><tr><th>Weakness</th><th>Risk</th><th>Package</th>"
				 "<th>Installed</th><th>Fixed in</th></tr></thead><tbody>");
		json_array_foreach(items, i, it) {
			if (rc)
				break;
			rc = buf_puts(b, "<tr><td class=\"mono\">");
			rc = rc ? rc : html_escape(b, jstr(it, "weakness"));
			rc = rc ? rc : buf_puts(b, "</td><td>");
			rc = rc ? rc : risk_badge(b, jstr(it, "risk"));
			rc = rc ? rc : buf_puts(b, "</td><td class=\"mono\">");
			rc = rc ? rc : html_escape(b, jstr(it, "package"));
			rc = rc ? rc : buf_puts(b, "</td><td class=\"mono\">");
			rc = rc ? rc : html_escape(b, jstr(it, "installed_version"));
			rc = rc ? rc : buf_puts(b, "</td><td class=\"mono\">");
			rc = rc ? rc : html_escape(b, jstr(it, "fixed_version"));
			rc = rc ? rc : buf_puts(b, "</td></tr>");
		}
		rc = rc ? rc : buf_puts(b, "</tbody></table>");
	}
	rc = rc ? rc : buf_puts(pager, "<p class=\"pager\">");
	if (!rc && fcursor)
		rc = buf_printf(pager, "<a href=\"/images/%lld#findings\">First page</a>", id);
	if (!rc && next) {
		rc = buf_printf(pager, "<a rel=\"next\" href=\"/images/%lld?fcursor=", id);
		rc = rc ? rc : html_url_component(pager, next);
		rc = rc ? rc : buf_puts(pager, "#findings\">Next page</a>");
	}
	return rc ? rc : buf_puts(pager, "</p>");
}

int h_web_image(req *r)
{
	char fcursor[32];
	char *img_s = NULL, *sum_s = NULL, *alerts_s = NULL, *find_s = NULL;
	json_t *img = NULL, *sum = NULL, *alerts = NULL, *fs = NULL, *d;
	buf al, bl, ft, fp, aliases, content;
	arena a = ARENA_INIT;
	alert_filter f;
	store_page page, fpage;
	long long id, v;
	db_conn *db;
	size_t i;
	int rc, have_fcursor = 0;

	buf_init(&al, WEB_PAGE_MAX);
	buf_init(&bl, WEB_PAGE_MAX);
	buf_init(&ft, WEB_PAGE_MAX);
	buf_init(&fp, WEB_PAGE_MAX);
	buf_init(&aliases, 65536);
	buf_init(&content, WEB_PAGE_MAX);
	if (r->nparams < 1 || parse_id(r->params[0], &id)) {
		rc = send_message(r, 404, "Not found", "There is no such image.");
		goto cleanup;
	}
	switch (req_query(r, "fcursor", fcursor, sizeof(fcursor))) {
	case 0:
		break;
	case 1:
		if (parse_int_range(fcursor, 0, 9007199254740992LL, &v) == 0) {
			have_fcursor = 1;
			break;
		}
		/* fall through */
	default:
		rc = send_message(r, 400, "Bad request", "That page link is not one muster made.");
		goto cleanup;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto cleanup;
	}
	memset(&f, 0, sizeof(f));
	f.status = "open";
	f.image_id = id;
	page.limit = 100;
	page.cursor = NULL;
	fpage.limit = WEB_FINDING_ROWS;
	fpage.cursor = have_fcursor ? fcursor : NULL;
	if ((rc = store_image_get(db, id, &img_s)) || (rc = store_dashboard_image(db, id, &sum_s)) ||
	    (rc = store_alerts_list(db, &f, &page, &alerts_s)) ||
	    (rc = store_image_findings(db, id, &fpage, &find_s))) {
		rc = store_failure(r, rc);
		goto cleanup;
	}
	req_db_release(r);
	img = parse_json(img_s);
	sum = parse_json(sum_s);
	alerts = parse_json(alerts_s);
	fs = parse_json(find_s);
	if (!img || !sum || !alerts || !fs) {
		rc = fail_page(r);
		goto cleanup;
	}
	rc = buf_append(&aliases, "", 0);
	json_array_foreach(json_object_get(img, "aliases"), i, d) {
		if (json_is_string(d))
			rc = rc ? rc : buf_printf(&aliases, "%s%s", *aliases.data ? ", " : "", json_string_value(d));
	}
	if (rc || alerts_rows(&al, &a, alerts) || builds_rows(&bl, &a, img) ||
	    findings_rows(&ft, &fp, id, fs, have_fcursor ? fcursor : NULL)) {
		rc = fail_page(r);
		goto cleanup;
	}
	{
		const char *os_f = jstr(img, "os.family"), *os_v = jstr(img, "os.version");
		html_var vars[] = {
			{"id", num(&a, id)},
			{"uai", jstr(img, "uai")},
			{"registry", jstr(img, "registry")},
			{"repository", jstr(img, "repository")},
			{"version", jstr(img, "version")},
			{"first_seen", day_of(&a, jstr(img, "first_seen"))},
			{"last_scan", jstr(img, "last_scan_at") ? jstr(img, "last_scan_at") : "never scanned"},
			{"os", os_f ? arena_printf(&a, "%s %s", os_f, os_v ? os_v : "") : "unknown"},
			{"aliases", *aliases.data ? aliases.data : "none"},
			{"high", num(&a, jint(sum, "findings.High"))},
			{"moderate", num(&a, jint(sum, "findings.Moderate"))},
			{"low", num(&a, jint(sum, "findings.Low"))},
			{"kev", num(&a, jint(sum, "kev"))},
			{"containers_production", num(&a, jint(sum, "containers.production"))},
			{"containers_other", num(&a, jint(sum, "containers.other"))},
			{"alerts_table", al.data},
			{"builds_table", bl.data},
			{"findings_table", ft.data},
			{"findings_pager", fp.data},
		};

		if (render(r, "image.html", vars, NVARS(vars), &content)) {
			rc = fail_page(r);
			goto cleanup;
		}
	}
	rc = send_page(r, 200, jstr(img, "uai") ? jstr(img, "uai") : "Image", content.data, NULL, NULL);
cleanup:
	json_decref(img);
	json_decref(sum);
	json_decref(alerts);
	json_decref(fs);
	free(img_s);
	free(sum_s);
	free(alerts_s);
	free(find_s);
	buf_free(&al);
	buf_free(&bl);
	buf_free(&ft);
	buf_free(&fp);
	buf_free(&aliases);
	buf_free(&content);
	arena_free(&a);
	return rc;
}
