/*
 * policy_doc.c - validation and normalization of the policy, hardening,
 * asset metadata and webhook URL documents (policy_doc.h).
 */
#include "policy_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../ingest/imageref.h"
#include "../util/timeutil.h"

#define URL_MAX 2000

/* the default moving tags (never written through) */
static char default_latest[] = "latest";
static char *default_moving_tags[] = {default_latest};

static int refuse(policy_doc_error *err, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(policy_doc_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A JSON string without embedded NUL bytes, or NULL. */
static const char *plain_string(const json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

/* Is key one of the NULL-terminated names? */
static int known_key(const char *key, const char *const *names)
{
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(key, names[i]))
			return 1;
	return 0;
}

/* Refuse the first member of doc that is not in names. */
static int check_keys(const json_t *doc, const char *const *names, policy_doc_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)doc, key, v) {
		(void)v;
		if (!known_key(key, names))
			return refuse(err, key, "unknown member \"%.80s\"", key);
	}
	return 0;
}

void policy_doc_init(policy_doc *p)
{
	memset(p, 0, sizeof(*p));
	p->scan_window_days = 30;
	p->require_hardening = 1;
	p->admission_mode = POLICY_ADMISSION_ENFORCE;
	p->moving_tags = default_moving_tags;
	p->n_moving_tags = 1;
}

void policy_doc_free(policy_doc *p)
{
	arena_free(&p->mem);
	policy_doc_init(p);
}

/* Append s to an arena-owned string array unless it is already there. */
static int add_unique(arena *a, char ***items, size_t *n, size_t *cap, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*items)[i], s))
			return 0;
	if (arena_grow(a, (void **)items, cap, *n, sizeof(char *)) < 0)
		return -1;
	(*items)[*n] = arena_strdup(a, s);
	if (!(*items)[*n])
		return -1;
	(*n)++;
	return 0;
}

/* Normalize a registry host the way image references are normalized;
 * 0 with the host in out, -1 when it is not a registry host. */
static int normalize_registry(const char *s, char *out, size_t outlen)
{
	char ref[300];
	imageref r;
	size_t n = strlen(s);

	if (n == 0 || n > 253 || strchr(s, '/') || strchr(s, '@'))
		return -1;
	/* like Docker: a host has a dot or a port, or is localhost */
	if (!strchr(s, '.') && !strchr(s, ':') && strcmp(s, "localhost") != 0)
		return -1;
	/* two path components, so Docker Hub adds no "library/" */
	if ((size_t)snprintf(ref, sizeof(ref), "%s/muster/probe", s) >= sizeof(ref))
		return -1;
	if (imageref_parse(&r, ref, NULL, 0) || strcmp(r.repository, "muster/probe") != 0)
		return -1;
	if ((size_t)snprintf(out, outlen, "%s", r.registry) >= outlen)
		return -1;
	return 0;
}

/* Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
static int valid_tag(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 128)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '_';

		if (!word && (i == 0 || (c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

int policy_doc_parse(policy_doc *out, const json_t *doc, policy_doc_error *err)
{
	static const char *const names[] = {"scan_window_days", "allowed_registries",
					    "require_hardening", "admission_mode", "moving_tags", NULL};
	const json_t *v, *item;
	const char *s;
	size_t i, cap_reg = 0, cap_tags = 0;
	json_int_t days;
	char field[64], host[256];

	policy_doc_free(out);
	if (!json_is_object(doc))
		return refuse(err, "", "the policy must be a JSON object");
	if (check_keys(doc, names, err))
		goto fail;

	v = json_object_get(doc, "scan_window_days");
	if (!v) {
		refuse(err, "scan_window_days", "required");
		goto fail;
	}
	days = json_is_integer(v) ? json_integer_value(v) : 0;
	if (!json_is_integer(v) || days < POLICY_WINDOW_MIN || days > POLICY_WINDOW_MAX) {
		refuse(err, "scan_window_days", "must be an integer from %d to %d",
		       POLICY_WINDOW_MIN, POLICY_WINDOW_MAX);
		goto fail;
	}
	out->scan_window_days = (int)days;

	v = json_object_get(doc, "allowed_registries");
	if (!json_is_array(v)) {
		refuse(err, "allowed_registries", v ? "must be an array of registry hosts" : "required");
		goto fail;
	}
	if (json_array_size(v) > POLICY_MAX_REGISTRIES) {
		refuse(err, "allowed_registries", "at most %d registries", POLICY_MAX_REGISTRIES);
		goto fail;
	}
	json_array_foreach(v, i, item) {
		snprintf(field, sizeof(field), "allowed_registries[%zu]", i);
		s = plain_string(item);
		if (!s || normalize_registry(s, host, sizeof(host))) {
			refuse(err, field, "must be a registry host such as \"registry.example.com\" or"
			       " \"localhost:5000\"");
			goto fail;
		}
		if (add_unique(&out->mem, &out->allowed_registries, &out->n_allowed_registries,
			       &cap_reg, host)) {
			refuse(err, field, "out of memory");
			goto fail;
		}
	}

	v = json_object_get(doc, "require_hardening");
	if (!json_is_boolean(v)) {
		refuse(err, "require_hardening", v ? "must be true or false" : "required");
		goto fail;
	}
	out->require_hardening = json_is_true(v);

	v = json_object_get(doc, "admission_mode");
	s = plain_string(v);
	if (s && !strcmp(s, "enforce")) {
		out->admission_mode = POLICY_ADMISSION_ENFORCE;
	} else if (s && !strcmp(s, "warn")) {
		out->admission_mode = POLICY_ADMISSION_WARN;
	} else {
		refuse(err, "admission_mode", v ? "must be \"enforce\" or \"warn\"" : "required");
		goto fail;
	}

	v = json_object_get(doc, "moving_tags");
	if (!json_is_array(v)) {
		refuse(err, "moving_tags", v ? "must be an array of tags" : "required");
		goto fail;
	}
	if (json_array_size(v) > POLICY_MAX_MOVING_TAGS) {
		refuse(err, "moving_tags", "at most %d tags", POLICY_MAX_MOVING_TAGS);
		goto fail;
	}
	out->moving_tags = NULL;
	out->n_moving_tags = 0;
	json_array_foreach(v, i, item) {
		snprintf(field, sizeof(field), "moving_tags[%zu]", i);
		s = plain_string(item);
		if (!s || !valid_tag(s)) {
			refuse(err, field, "must be a Docker tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})");
			goto fail;
		}
		if (add_unique(&out->mem, &out->moving_tags, &out->n_moving_tags, &cap_tags, s)) {
			refuse(err, field, "out of memory");
			goto fail;
		}
	}
	return 0;
fail:
	policy_doc_free(out);
	return -1;
}

static json_t *string_array(char *const *items, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++) {
		if (json_array_append_new(a, json_string(items[i]))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *policy_doc_to_json(const policy_doc *p)
{
	json_t *reg = string_array(p->allowed_registries, p->n_allowed_registries);
	json_t *tags = string_array(p->moving_tags, p->n_moving_tags);

	if (!reg || !tags) {
		json_decref(reg);
		json_decref(tags);
		return NULL;
	}
	return json_pack("{sisosbssso}", "scan_window_days", p->scan_window_days,
			 "allowed_registries", reg, "require_hardening", p->require_hardening,
			 "admission_mode", p->admission_mode == POLICY_ADMISSION_WARN ? "warn" : "enforce",
			 "moving_tags", tags);
}

/* An optional string member of at most max characters: 0 with *out set
 * (NULL when absent or null), -1 with err filled. min > 0 makes it required. */
static int string_member(const json_t *doc, const char *key, size_t min, size_t max,
			 const char **out, policy_doc_error *err)
{
	const json_t *v = json_object_get(doc, key);
	const char *s;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (min > 0)
			return refuse(err, key, "required");
		return 0;
	}
	s = plain_string(v);
	if (!s)
		return refuse(err, key, "must be a string");
	if (strlen(s) < (min ? min : 0) || strlen(s) > max)
		return refuse(err, key, "must be a string of %zu to %zu characters", min ? min : 0, max);
	*out = s;
	return 0;
}

int policy_doc_parse_hardening(policy_hardening *out, const json_t *doc, policy_doc_error *err)
{
	static const char *const names[] = {"baseline", "benchmark", "validated_by",
					    "validated_at", "evidence", NULL};
	const char *when;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(doc))
		return refuse(err, "", "the hardening record must be a JSON object");
	if (check_keys(doc, names, err) ||
	    string_member(doc, "baseline", 1, 500, &out->baseline, err) ||
	    string_member(doc, "benchmark", 0, 500, &out->benchmark, err) ||
	    string_member(doc, "validated_by", 1, 200, &out->validated_by, err) ||
	    string_member(doc, "validated_at", 1, 64, &when, err) ||
	    string_member(doc, "evidence", 0, 4000, &out->evidence, err))
		goto fail;
	if (time_parse_rfc3339(when, &out->validated_at)) {
		refuse(err, "validated_at", "must be an RFC 3339 time or a date YYYY-MM-DD");
		goto fail;
	}
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return -1;
}

int policy_doc_parse_metadata(json_t **out, const json_t *doc, policy_doc_error *err)
{
	static const char *const text_keys[] = {"owner", "application_owner", "function",
						"diagram_label", "vendor", "software_name_version",
						"location", NULL};
	static const char *const names[] = {"owner", "application_owner", "function",
					    "diagram_label", "vendor", "software_name_version",
					    "location", "comments", "public", "end_of_life", NULL};
	json_t *m = NULL, *v;
	const char *s;
	size_t i;
	time_t t;

	*out = NULL;
	if (!json_is_object(doc))
		return refuse(err, "", "the metadata must be a JSON object");
	if (check_keys(doc, names, err))
		return -1;
	if (!(m = json_object()))
		return refuse(err, "", "out of memory");
	for (i = 0; text_keys[i]; i++) {
		if (string_member(doc, text_keys[i], 0, 1000, &s, err))
			goto fail;
		if (s && json_object_set_new(m, text_keys[i], json_string(s))) {
			refuse(err, text_keys[i], "out of memory");
			goto fail;
		}
	}
	if (string_member(doc, "comments", 0, 4000, &s, err))
		goto fail;
	if (s && json_object_set_new(m, "comments", json_string(s))) {
		refuse(err, "comments", "out of memory");
		goto fail;
	}
	v = json_object_get(doc, "public");
	if (v && !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			refuse(err, "public", "must be true or false");
			goto fail;
		}
		if (json_object_set_new(m, "public", json_boolean(json_is_true(v)))) {
			refuse(err, "public", "out of memory");
			goto fail;
		}
	}
	if (string_member(doc, "end_of_life", 0, 10, &s, err))
		goto fail;
	if (s) {
		if (strlen(s) != 10 || time_parse_rfc3339(s, &t)) {
			refuse(err, "end_of_life", "must be a date YYYY-MM-DD");
			goto fail;
		}
		if (json_object_set_new(m, "end_of_life", json_string(s))) {
			refuse(err, "end_of_life", "out of memory");
			goto fail;
		}
	}
	*out = m;
	return 0;
fail:
	json_decref(m);
	return -1;
}

/* URL characters allowed in a path and query (RFC 3986 unreserved,
 * sub-delims, ':', '@', '/', '?', '%'). */
static int path_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~!$&'()*+,;=:@/?%", c) != NULL;
}

static int host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

int policy_doc_parse_url(policy_url *out, const char *url, policy_doc_error *err)
{
	const char *p, *host, *host_end, *port_s = NULL, *rest;
	size_t n, i, hostlen;
	long port;

	memset(out, 0, sizeof(*out));
	if (!url || (n = strlen(url)) == 0)
		return refuse(err, "url", "required");
	if (n > URL_MAX)
		return refuse(err, "url", "at most %d characters", URL_MAX);
	if (!strncmp(url, "http://", 7)) {
		p = url + 7;
		out->port = 80;
	} else if (!strncmp(url, "https://", 8)) {
		p = url + 8;
		out->tls = 1;
		out->port = 443;
	} else {
		return refuse(err, "url", "must start with http:// or https://");
	}
	rest = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(rest - p)))
		goto bad;   /* no user information */
	host = p;
	if (*host == '[') {
		host_end = memchr(host, ']', (size_t)(rest - host));
		if (!host_end)
			goto bad;
		for (i = 1; host + i < host_end; i++)
			if (!(host_char((unsigned char)host[i]) || host[i] == ':'))
				goto bad;
		host++;
		if (host_end[1] == ':')
			port_s = host_end + 2;
		else if (host_end + 1 != rest)
			goto bad;
	} else {
		host_end = memchr(host, ':', (size_t)(rest - host));
		if (host_end)
			port_s = host_end + 1;
		else
			host_end = rest;
		for (i = 0; host + i < host_end; i++)
			if (!host_char((unsigned char)host[i]))
				goto bad;
	}
	hostlen = (size_t)(host_end - host);
	if (hostlen == 0 || hostlen >= sizeof(out->host))
		goto bad;
	memcpy(out->host, host, hostlen);
	out->host[hostlen] = '\0';
	if (port_s) {
		if (port_s == rest || rest - port_s > 5)
			goto bad;
		port = 0;
		for (; port_s < rest; port_s++) {
			if (*port_s < '0' || *port_s > '9')
				goto bad;
			port = port * 10 + (*port_s - '0');
		}
		if (port < 1 || port > 65535)
			goto bad;
		out->port = (int)port;
	}
	for (p = rest; *p; p++)
		if (!path_char((unsigned char)*p))
			goto bad;   /* also refuses '#', spaces and control bytes */
	if (*rest == '/')
		snprintf(out->path, sizeof(out->path), "%s", rest);
	else
		snprintf(out->path, sizeof(out->path), "/%s", rest);
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return refuse(err, "url", "is not a valid http(s) URL with a host, an optional port and path");
}
