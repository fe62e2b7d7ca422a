/*
 * scan_model.c - construction helpers for the normalized scan model
 * (scan_model.h).  All storage comes from the report's arena.
 */
#include "scan_model.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void ms_report_init(ms_report *r)
{
	memset(r, 0, sizeof(*r));
}

void ms_report_free(ms_report *r)
{
	arena_free(&r->mem);
	memset(r, 0, sizeof(*r));
}

ms_scan *ms_report_add_scan(ms_report *r)
{
	ms_scan *s;

	if (arena_grow(&r->mem, (void **)&r->scans, &r->cap_scans, r->n_scans,
		       sizeof(ms_scan)) < 0)
		return NULL;
	s = &r->scans[r->n_scans++];
	memset(s, 0, sizeof(*s));
	return s;
}

ms_finding *ms_scan_add_finding(ms_report *r, ms_scan *s)
{
	ms_finding *f;

	if (arena_grow(&r->mem, (void **)&s->findings, &s->cap_findings,
		       s->n_findings, sizeof(ms_finding)) < 0)
		return NULL;
	f = &s->findings[s->n_findings++];
	memset(f, 0, sizeof(*f));
	return f;
}

int ms_strlist_contains(const ms_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return 1;
	return 0;
}

int ms_strlist_add(ms_report *r, ms_strlist *l, const char *s)
{
	char *copy;

	if (!s || !*s || ms_strlist_contains(l, s))
		return 0;
	if (arena_grow(&r->mem, (void **)&l->items, &l->cap, l->n,
		       sizeof(char *)) < 0)
		return -1;
	copy = arena_strdup(&r->mem, s);
	if (!copy)
		return -1;
	l->items[l->n++] = copy;
	return 0;
}

char *ms_strdup(ms_report *r, const char *s)
{
	if (!s || !*s)
		return NULL;
	return arena_strdup(&r->mem, s);
}

ms_err ms_error_set(ms_error *err, ms_err code, const char *field,
		    const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

ms_severity ms_severity_from_string(const char *s)
{
	if (!s)
		return MS_SEV_UNKNOWN;
	if (!strcasecmp(s, "critical"))
		return MS_SEV_CRITICAL;
	if (!strcasecmp(s, "high"))
		return MS_SEV_HIGH;
	if (!strcasecmp(s, "medium") || !strcasecmp(s, "moderate"))
		return MS_SEV_MEDIUM;
	if (!strcasecmp(s, "low"))
		return MS_SEV_LOW;
	if (!strcasecmp(s, "negligible"))
		return MS_SEV_NEGLIGIBLE;
	return MS_SEV_UNKNOWN;
}

const char *ms_severity_name(ms_severity s)
{
	switch (s) {
	case MS_SEV_CRITICAL: return "CRITICAL";
	case MS_SEV_HIGH: return "HIGH";
	case MS_SEV_MEDIUM: return "MEDIUM";
	case MS_SEV_LOW: return "LOW";
	case MS_SEV_NEGLIGIBLE: return "NEGLIGIBLE";
	default: return "UNKNOWN";
	}
}

const char *ms_json_str(const json_t *obj, const char *key)
{
	json_t *v;

	if (!json_is_object(obj))
		return NULL;
	v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *ms_jd_str(const jd_value *obj, const char *key)
{
	return jd_string_value(jd_object_get(obj, key));
}

/* Fold a duplicate src into dst: union of aliases, gaps filled. */
static int merge_finding(ms_report *r, ms_finding *dst, const ms_finding *src)
{
	size_t i;

	for (i = 0; i < src->aliases.n; i++)
		if (ms_strlist_add(r, &dst->aliases, src->aliases.items[i]) < 0)
			return -1;
	if (!dst->fixed_version)
		dst->fixed_version = src->fixed_version;
	if (!dst->pkg_type)
		dst->pkg_type = src->pkg_type;
	if (!dst->purl)
		dst->purl = src->purl;
	if (!dst->url)
		dst->url = src->url;
	if (!dst->title)
		dst->title = src->title;
	if (!dst->published)
		dst->published = src->published;
	if (dst->severity == MS_SEV_UNKNOWN)
		dst->severity = src->severity;
	if (!dst->cvss3_score) {
		dst->cvss3_score = src->cvss3_score;
		dst->cvss3_vector = src->cvss3_vector;
		dst->cvss3_source = src->cvss3_source;
	}
	if (!dst->cvss2_score) {
		dst->cvss2_score = src->cvss2_score;
		dst->cvss2_vector = src->cvss2_vector;
		dst->cvss2_source = src->cvss2_source;
	}
	return 0;
}

int ms_scan_add_unique(ms_report *r, ms_scan *s, json_t *seen, const ms_finding *f)
{
	const char *part[4] = { f->vuln_id, f->pkg_name, f->installed_version,
				f->pkg_path };
	size_t len[4], total = 0, off = 0, i;
	ms_finding *dst;
	json_t *hit;
	char *key;
	int rc = -1;

	for (i = 0; i < 4; i++) {
		len[i] = part[i] ? strlen(part[i]) : 0;
		if (len[i] > SIZE_MAX / 8 - total)
			return -1;
		total += len[i] + 1;
	}
	key = malloc(total);
	if (!key)
		return -1;
	for (i = 0; i < 4; i++) {
		if (len[i])
			memcpy(key + off, part[i], len[i]);
		off += len[i];
		key[off++] = '\0';
	}
	hit = json_object_getn(seen, key, total);
	if (hit) {
		rc = merge_finding(r, &s->findings[json_integer_value(hit)], f);
	} else if (json_object_setn_new_nocheck(seen, key, total,
			json_integer((json_int_t)s->n_findings)) == 0 &&
		   (dst = ms_scan_add_finding(r, s)) != NULL) {
		*dst = *f;
		rc = 0;
	}
	free(key);
	return rc;
}
