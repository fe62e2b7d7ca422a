/*
 * poam_export.c - the POA&M workbook, CSV and OSCAL writers
 * (poam_export.h). Rows arrive as (names, values); each sheet maps the
 * names to its layout columns once. The OSCAL writer builds each item's
 * three objects with jansson and spools them to temporary files, then
 * writes the document in order.
 */
#include "poam_export.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/timeutil.h"
#include "xlsx_writer.h"

#define OPEN_SHEET "Open POA&M Items"
#define CLOSED_SHEET "Closed POA&M Items"
#define FEDRAMP_NS "https://fedramp.gov/ns/oscal"
#define FEDRAMP_SYSTEM "https://fedramp.gov"

/* muster's UUID namespace (a fixed random UUID) for version-5 UUIDs. */
static const unsigned char uuid_ns[16] = {
	0x3b, 0x6e, 0x2f, 0x91, 0x5c, 0x0d, 0x4a, 0x7e, 0x9b, 0x14, 0x6f, 0x2d, 0x80, 0xc5, 0x57, 0xa3
};

void poam_export_uuid(const char *name, char out[37])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t i, o = 0;

	memset(md, 0, sizeof(md));
	if (ctx) {
		EVP_DigestInit_ex(ctx, EVP_sha1(), NULL);
		EVP_DigestUpdate(ctx, uuid_ns, sizeof(uuid_ns));
		EVP_DigestUpdate(ctx, name, strlen(name));
		EVP_DigestFinal_ex(ctx, md, &mdlen);
		EVP_MD_CTX_free(ctx);
	}
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", md[i]);
		o += 2;
	}
	out[36] = '\0';
}

/* ---- rows to layout columns ---- */

struct sheet_map {
	const layout_sheet *ls;
	int *map;            /* name position -> column index, -1 = none */
	size_t nnames;
	const char **vals;   /* ls->ncolumns values */
};

static int map_init(struct sheet_map *m, const layout_sheet *ls)
{
	memset(m, 0, sizeof(*m));
	m->ls = ls;
	m->vals = calloc(ls->ncolumns ? ls->ncolumns : 1, sizeof(char *));
	return m->vals ? 0 : -1;
}

static void map_free(struct sheet_map *m)
{
	free(m->map);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Fill m->vals from one row; the map is built on the first row. */
static int map_row(struct sheet_map *m, const char *const *names, const char *const *values, size_t n)
{
	size_t i;

	if (!m->map || m->nnames != n) {
		free(m->map);
		m->map = calloc(n ? n : 1, sizeof(int));
		if (!m->map)
			return -1;
		m->nnames = n;
		for (i = 0; i < n; i++)
			m->map[i] = names[i] ? layout_column_index(m->ls, names[i]) : -1;
	}
	for (i = 0; i < m->ls->ncolumns; i++)
		m->vals[i] = NULL;
	for (i = 0; i < n; i++)
		if (m->map[i] >= 0)
			m->vals[m->map[i]] = values[i];
	return 0;
}

/* ---- workbook ---- */

struct xlsx_sink {
	xw_writer *w;
	struct sheet_map open, closed;
	int current;         /* sheet begun last, 0 = none */
	char err[256];
};

static const char *header_lookup(const char *field, void *payload)
{
	const poam_header *h = payload;

	if (!h)
		return NULL;
	if (!strcmp(field, "csp"))
		return h->csp;
	if (!strcmp(field, "system_name"))
		return h->system_name;
	if (!strcmp(field, "impact_level"))
		return h->impact_level;
	if (!strcmp(field, "poam_date"))
		return h->poam_date;
	return NULL;
}

static int xlsx_emit(void *sink, int sheet, const char *const *names, const char *const *values, size_t n)
{
	struct xlsx_sink *s = sink;
	struct sheet_map *m = sheet == POAM_EXPORT_OPEN ? &s->open : &s->closed;

	if (sheet != POAM_EXPORT_OPEN && sheet != POAM_EXPORT_CLOSED) {
		snprintf(s->err, sizeof(s->err), "a row of an unknown sheet");
		return -1;
	}
	if (s->current != sheet) {
		if (xw_begin_sheet(s->w, sheet == POAM_EXPORT_OPEN ? OPEN_SHEET : CLOSED_SHEET)) {
			snprintf(s->err, sizeof(s->err), "%s", xw_error(s->w));
			return -1;
		}
		s->current = sheet;
	}
	if (map_row(m, names, values, n)) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	if (xw_write_row(s->w, m->vals, m->ls->ncolumns)) {
		snprintf(s->err, sizeof(s->err), "%s", xw_error(s->w));
		return -1;
	}
	return 0;
}

int poam_export_xlsx(const layout *l, const char *path, const char *tmpdir, time_t created,
		     const poam_header *h, poam_source_fn src, void *src_payload,
		     char *err, size_t errlen)
{
	const layout_sheet *os = layout_sheet_find(l, OPEN_SHEET);
	const layout_sheet *cs = layout_sheet_find(l, CLOSED_SHEET);
	struct xlsx_sink s;
	int rc;

	if (!os || !cs) {
		snprintf(err, errlen, "the layout has no \"%s\" or \"%s\" sheet", OPEN_SHEET, CLOSED_SHEET);
		return -1;
	}
	memset(&s, 0, sizeof(s));
	if (map_init(&s.open, os) || map_init(&s.closed, cs)) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto cleanup;
	}
	s.w = xw_open(l, path, tmpdir, created, header_lookup, (void *)h, err, errlen);
	if (!s.w) {
		rc = -1;
		goto cleanup;
	}
	rc = src(src_payload, xlsx_emit, &s);
	if (rc) {
		snprintf(err, errlen, "%s", s.err[0] ? s.err : "the POA&M rows could not be read");
		xw_abort(s.w);
		rc = -1;
		goto cleanup;
	}
	rc = xw_close(s.w, err, errlen) ? -1 : 0;
cleanup:
	map_free(&s.open);
	map_free(&s.closed);
	return rc;
}

/* ---- CSV ---- */

struct csv_sink {
	struct sheet_map open;
	int flags;
	poam_write_fn out;
	void *out_payload;
	char err[128];
};

static int csv_emit(void *sink, int sheet, const char *const *names, const char *const *values, size_t n)
{
	struct csv_sink *s = sink;

	if (sheet != POAM_EXPORT_OPEN)
		return 0;
	if (map_row(&s->open, names, values, n)) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return -1;
	}
	if (csv_write_row(s->open.ls, s->open.vals, s->open.ls->ncolumns, s->flags, s->out, s->out_payload)) {
		snprintf(s->err, sizeof(s->err), "writing the CSV failed");
		return -1;
	}
	return 0;
}

int poam_export_csv(const layout *l, int flags, poam_write_fn out, void *out_payload,
		    poam_source_fn src, void *src_payload, char *err, size_t errlen)
{
	const layout_sheet *os = layout_sheet_find(l, OPEN_SHEET);
	struct csv_sink s;
	int rc;

	if (!os) {
		snprintf(err, errlen, "the layout has no \"%s\" sheet", OPEN_SHEET);
		return -1;
	}
	memset(&s, 0, sizeof(s));
	s.flags = flags;
	s.out = out;
	s.out_payload = out_payload;
	if (map_init(&s.open, os)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = csv_write_header(os, flags, out, out_payload);
	if (rc) {
		snprintf(err, errlen, "writing the CSV failed");
		goto cleanup;
	}
	rc = src(src_payload, csv_emit, &s);
	if (rc)
		snprintf(err, errlen, "%s", s.err[0] ? s.err : "the POA&M rows could not be read");
cleanup:
	map_free(&s.open);
	return rc ? -1 : 0;
}

/* ---- OSCAL ---- */

/* A sorted set of strings (scanner names, asset UAIs). */
struct strset {
	char **v;
	size_t n, cap;
};

static int strset_add(struct strset *s, const char *x)
{
	size_t lo = 0, hi = s->n, mid;
	char *copy;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(s->v[mid], x);
		if (c == 0)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **v = realloc(s->v, cap * sizeof(char *));

		if (!v)
			return -1;
		s->v = v;
		s->cap = cap;
	}
	copy = strdup(x);
	if (!copy)
		return -1;
	memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof(char *));
	s->v[lo] = copy;
	s->n++;
	return 0;
}

static void strset_free(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* A spool file: written while items stream, copied out at the end. */
struct spool {
	FILE *f;
	size_t count;
};

static int spool_open(struct spool *sp, const char *tmpdir)
{
	char path[4096];
	int fd;

	memset(sp, 0, sizeof(*sp));
	if ((size_t)snprintf(path, sizeof(path), "%s/muster-oscal-XXXXXX", tmpdir ? tmpdir : "/tmp") >= sizeof(path))
		return -1;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	sp->f = fdopen(fd, "w+");
	if (!sp->f) {
		close(fd);
		return -1;
	}
	return 0;
}

static void spool_close(struct spool *sp)
{
	if (sp->f)
		fclose(sp->f);
	sp->f = NULL;
}

/* Append one object (stolen) to a spool, comma-separated. */
static int spool_put(struct spool *sp, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	int rc = -1;

	json_decref(obj);
	if (!s)
		return -1;
	if ((sp->count == 0 || fputs(",\n", sp->f) >= 0) && fputs(s, sp->f) >= 0)
		rc = 0;
	sp->count++;
	free(s);
	return rc;
}

struct oscal {
	const poam_header *h;
	time_t as_of;
	struct spool obs, risks, items;
	struct strset tools, assets;
	char err[256];
};

/* A StringDatatype value: whitespace runs become one space, trimmed; NULL
 * when nothing is left. Caller frees. */
static char *clean(const char *s)
{
	char *out, *o;
	int space = 0;

	if (!s)
		return NULL;
	out = malloc(strlen(s) + 1);
	if (!out)
		return NULL;
	for (o = out; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v') {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = *s;
	}
	*o = '\0';
	if (!*out) {
		free(out);
		return NULL;
	}
	return out;
}

static void add_prop(json_t *props, const char *name, const char *ns, const char *value)
{
	char *v = clean(value);
	json_t *p;

	if (!v)
		return;
	p = ns ? json_pack("{ssssss}", "name", name, "ns", ns, "value", v)
	       : json_pack("{ssss}", "name", name, "value", v);
	free(v);
	if (p)
		json_array_append_new(props, p);
}

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static const char *lower_risk(const char *r)
{
	if (!r)
		return NULL;
	if (!strcmp(r, "High"))
		return "high";
	if (!strcmp(r, "Moderate"))
		return "moderate";
	if (!strcmp(r, "Low"))
		return "low";
	return NULL;
}

/* "Yes"/"Pending" column -> FedRAMP deviation property value. */
static const char *deviation_value(const char *col)
{
	if (!col)
		return NULL;
	if (!strcmp(col, "Pending"))
		return "pending";
	if (!strcmp(col, "Yes"))
		return "approved";
	return NULL;
}

/* "YYYY-MM-DD" -> "YYYY-MM-DDT00:00:00Z" (NULL when malformed). */
static int day_time(const char *day, char out[32])
{
	time_t t;

	if (!day || strlen(day) != 10 || time_parse_rfc3339(day, &t))
		return -1;
	snprintf(out, 32, "%sT00:00:00Z", day);
	return 0;
}

static const char *event_title(const char *kind)
{
	static const struct { const char *k, *t; } titles[] = {
		{"opened", "Risk Opened"}, {"assets", "Affected Assets Changed"},
		{"fix_available", "Vendor Fix Available"}, {"kev", "KEV Catalog Status Changed"},
		{"closed", "Risk Closed"}, {"deviation_requested", "Deviation Requested"},
		{"deviation_decided", "Deviation Decided"}, {"updated", "POA&M Item Updated"},
		{"checkin", "Vendor Check-in"},
	};
	size_t i;

	for (i = 0; kind && i < sizeof(titles) / sizeof(titles[0]); i++)
		if (!strcmp(titles[i].k, kind))
			return titles[i].t;
	return "POA&M Item Changed";
}

/* A readable description of an event from its kind and delta (caller frees). */
static char *event_description(const char *kind, const json_t *delta)
{
	const char *reason = sget(delta, "close_reason");
	char text[2048];

	if (!kind)
		kind = "";
	if (!strcmp(kind, "closed"))
		return strdup(reason && !strcmp(reason, "remediated")
			      ? "The weakness is no longer found in the latest scan of the production builds."
			      : "No production container runs the affected builds any more.");
	if (!strcmp(kind, "opened"))
		return strdup("The weakness was found on a production build.");
	if (!strcmp(kind, "fix_available"))
		return strdup(sget(delta, "auto_comments") ? sget(delta, "auto_comments") : "A fix became available.");
	if (!strcmp(kind, "checkin"))
		return strdup("The vendor was contacted about the fix.");
	if (!strcmp(kind, "assets")) {
		snprintf(text, sizeof(text), "Affected assets: %s.", sget(delta, "assets_text") ? sget(delta, "assets_text")
												 : "unchanged");
		return strdup(text);
	}
	if (!strcmp(kind, "kev")) {
		if (json_is_true(json_object_get(delta, "kev")))
			snprintf(text, sizeof(text), "Listed in the CISA KEV catalog, due %s.",
				 sget(delta, "kev_due") ? sget(delta, "kev_due") : "(no date)");
		else
			snprintf(text, sizeof(text), "No longer listed in the CISA KEV catalog.");
		return strdup(text);
	}
	if (!strcmp(kind, "deviation_requested") || !strcmp(kind, "deviation_decided")) {
		snprintf(text, sizeof(text), "%s. Risk Adjustment: %s; False Positive: %s; Operational Requirement: %s.%s",
			 !strcmp(kind, "deviation_requested") ? "A deviation was requested" : "A deviation was decided",
			 sget(delta, "risk_adjustment") ? sget(delta, "risk_adjustment") : "No",
			 sget(delta, "false_positive") ? sget(delta, "false_positive") : "No",
			 sget(delta, "operational_requirement") ? sget(delta, "operational_requirement") : "No",
			 reason && !strcmp(reason, "false_positive") ? " The risk is closed as a false positive." : "");
		return strdup(text);
	}
	return strdup("The POA&M item's planning fields were updated.");
}

static json_t *risk_log(const json_t *events, const char *poam_id)
{
	json_t *entries = json_array(), *e;
	size_t i;

	if (!entries)
		return NULL;
	json_array_foreach(events, i, e) {
		const char *kind = sget(e, "kind"), *at = sget(e, "at");
		const json_t *delta = json_object_get(e, "delta");
		char name[128], uuid[37], *desc;
		json_t *entry;

		if (!at)
			continue;
		snprintf(name, sizeof(name), "log:%s:%zu", poam_id, i);
		poam_export_uuid(name, uuid);
		desc = event_description(kind, delta);
		entry = json_pack("{ssssssss}", "uuid", uuid, "title", event_title(kind), "start", at,
				  "description", desc ? desc : "");
		free(desc);
		if (!entry)
			continue;
		if (kind && !strcmp(kind, "opened"))
			json_object_set_new(entry, "status-change", json_string("open"));
		if (sget(delta, "status") && !strcmp(sget(delta, "status"), "closed"))
			json_object_set_new(entry, "status-change", json_string("closed"));
		if (kind && !strcmp(kind, "checkin")) {
			json_t *props = json_array();

			add_prop(props, "vendor-dependency", FEDRAMP_NS, "vendor-check-in");
			json_object_set_new(entry, "props", props);
		}
		json_array_append_new(entries, entry);
	}
	if (json_array_size(entries) == 0) {
		json_decref(entries);
		return NULL;
	}
	return json_pack("{so}", "entries", entries);
}

static int oscal_item(void *sink, const char *state_json, const char *events_json)
{
	struct oscal *x = sink;
	json_t *st = json_loads(state_json, 0, NULL), *ev = json_loads(events_json, 0, NULL);
	json_t *obs = NULL, *risk = NULL, *item = NULL, *props, *subjects, *facets, *chars, *a;
	const char *poam_id, *detector, *status, *name, *desc;
	char tool_uuid[37], obs_uuid[37], risk_uuid[37], item_uuid[37], resp_uuid[37], task_uuid[37], u[37];
	char buf[512], deadline[32] = "";
	char *title;
	size_t i;
	int rc = -1, pending, approved;

	if (!json_is_object(st) || !json_is_array(ev) || !(poam_id = sget(st, "poam_id"))) {
		snprintf(x->err, sizeof(x->err), "a POA&M item could not be read");
		goto done;
	}
	detector = sget(st, "detector") ? sget(st, "detector") : "unknown scanner";
	snprintf(buf, sizeof(buf), "tool:%s", detector);
	poam_export_uuid(buf, tool_uuid);
	if (strset_add(&x->tools, detector))
		goto nomem;
	snprintf(buf, sizeof(buf), "observation:%s", poam_id);
	poam_export_uuid(buf, obs_uuid);
	snprintf(buf, sizeof(buf), "risk:%s", poam_id);
	poam_export_uuid(buf, risk_uuid);
	snprintf(buf, sizeof(buf), "poam-item:%s", poam_id);
	poam_export_uuid(buf, item_uuid);
	snprintf(buf, sizeof(buf), "response:%s", poam_id);
	poam_export_uuid(buf, resp_uuid);
	snprintf(buf, sizeof(buf), "task:%s", poam_id);
	poam_export_uuid(buf, task_uuid);
	name = sget(st, "weakness_name") ? sget(st, "weakness_name") : sget(st, "weakness");
	desc = sget(st, "weakness_description") ? sget(st, "weakness_description") : name;
	if (!name)
		name = poam_id;
	if (!desc)
		desc = name;

	/* observation: the finding, its tool, its assets */
	subjects = json_array();
	json_array_foreach(json_object_get(st, "assets"), i, a) {
		const char *uai = json_string_value(a);
		char key[1100];

		if (!uai)
			continue;
		if (strset_add(&x->assets, uai)) {
			json_decref(subjects);
			goto nomem;
		}
		snprintf(key, sizeof(key), "asset:%s", uai);
		poam_export_uuid(key, u);
		json_array_append_new(subjects, json_pack("{ssss}", "subject-uuid", u, "type", "inventory-item"));
	}
	obs = json_pack("{sssssss[s]s[s]s[{s[{ssss}]}]}", "uuid", obs_uuid, "title", name,
			"description", desc, "methods", "TEST", "types", "finding",
			"origins", "actors", "type", "tool", "actor-uuid", tool_uuid);
	if (!obs) {
		json_decref(subjects);
		goto nomem;
	}
	if (json_array_size(subjects))
		json_object_set_new(obs, "subjects", subjects);
	else
		json_decref(subjects);
	json_object_set_new(obs, "collected", json_string(sget(st, "detected_at") ? sget(st, "detected_at")
										  : "1970-01-01T00:00:00Z"));

	/* risk: weakness, FedRAMP properties, ratings, plan, log */
	props = json_array();
	add_prop(props, "impacted-control-id", FEDRAMP_NS, "ra-5");
	if (json_is_true(json_object_get(st, "kev"))) {
		add_prop(props, "kev-catalog", FEDRAMP_NS, "yes");
		add_prop(props, "kev-due-date", FEDRAMP_NS, sget(st, "kev_due"));
	}
	if (json_is_true(json_object_get(st, "vendor_dependency")))
		add_prop(props, "vendor-dependency", FEDRAMP_NS, "tracking");
	else if (sget(st, "fix_available"))
		add_prop(props, "vendor-dependency", FEDRAMP_NS, "resolved");
	add_prop(props, "risk-adjustment", FEDRAMP_NS, deviation_value(sget(st, "risk_adjustment")));
	add_prop(props, "false-positive", FEDRAMP_NS, deviation_value(sget(st, "false_positive")));
	add_prop(props, "operational-requirement", FEDRAMP_NS, deviation_value(sget(st, "operational_requirement")));
	pending = (sget(st, "risk_adjustment") && !strcmp(sget(st, "risk_adjustment"), "Pending")) ||
		  (sget(st, "false_positive") && !strcmp(sget(st, "false_positive"), "Pending")) ||
		  (sget(st, "operational_requirement") && !strcmp(sget(st, "operational_requirement"), "Pending"));
	approved = (sget(st, "risk_adjustment") && !strcmp(sget(st, "risk_adjustment"), "Yes")) ||
		   (sget(st, "operational_requirement") && !strcmp(sget(st, "operational_requirement"), "Yes"));
	status = sget(st, "status") && !strcmp(sget(st, "status"), "closed") ? "closed"
		 : pending ? "deviation-requested" : approved ? "deviation-approved" : "open";
	snprintf(buf, sizeof(buf), "%s (%s) affects %zu production asset(s) of %s/%s.",
		 sget(st, "weakness") ? sget(st, "weakness") : poam_id,
		 sget(st, "original_risk") ? sget(st, "original_risk") : "unrated",
		 json_array_size(json_object_get(st, "assets")),
		 sget(st, "registry") ? sget(st, "registry") : "?", sget(st, "repository") ? sget(st, "repository") : "?");
	risk = json_pack("{sssssssssoss}", "uuid", risk_uuid, "title", name, "description", desc,
			 "statement", buf, "props", props, "status", status);
	if (!risk)
		goto nomem;
	/* characterization: the tool's identifiers and FedRAMP's ratings */
	facets = json_array();
	json_array_foreach(json_object_get(st, "cves"), i, a)
		if (json_string_value(a))
			json_array_append_new(facets, json_pack("{ssssss}", "name", "vulnerability-id",
								"system", "http://cve.mitre.org",
								"value", json_string_value(a)));
	if (lower_risk(sget(st, "original_risk")))
		json_array_append_new(facets, json_pack("{sssssss[{ssss}]}", "name", "risk", "system", FEDRAMP_SYSTEM,
							"value", lower_risk(sget(st, "original_risk")), "props",
							"name", "state", "value", "initial"));
	if (lower_risk(sget(st, "adjusted_risk")))
		json_array_append_new(facets, json_pack("{sssssss[{ssss}]}", "name", "risk", "system", FEDRAMP_SYSTEM,
							"value", lower_risk(sget(st, "adjusted_risk")), "props",
							"name", "state", "value", "adjusted"));
	{
		json_t *actor = json_pack("{ssss}", "type", "tool", "actor-uuid", tool_uuid);
		json_t *actor_props = json_array();

		add_prop(actor_props, "vulnerability-id", FEDRAMP_NS, sget(st, "source_id"));
		if (actor && json_array_size(actor_props))
			json_object_set(actor, "props", actor_props);
		json_decref(actor_props);
		chars = actor ? json_pack("[{s{s[o]}}]", "origin", "actors", actor) : NULL;
	}
	if (chars && json_array_size(facets)) {
		json_object_set_new(json_array_get(chars, 0), "facets", facets);
		json_object_set_new(risk, "characterizations", chars);
	} else {
		json_decref(facets);
		json_decref(chars);
	}
	if (day_time(sget(st, "scheduled"), deadline) == 0)
		json_object_set_new(risk, "deadline", json_string(deadline));
	{
		json_t *resp = json_pack("{ssssssss?}", "uuid", resp_uuid, "lifecycle", "planned",
					 "title", "CSP's Remediation Plan", "description",
					 sget(st, "remediation_plan") ? sget(st, "remediation_plan") : "");
		char *resources = clean(sget(st, "resources_required"));

		if (resp && resources) {
			snprintf(buf, sizeof(buf), "required-asset:%s", poam_id);
			poam_export_uuid(buf, u);
			json_object_set_new(resp, "required-assets",
					    json_pack("[{ssss}]", "uuid", u, "description", resources));
		}
		free(resources);
		if (resp && deadline[0]) {
			title = clean(sget(st, "planned_milestones"));
			json_object_set_new(resp, "tasks", json_pack("[{sssssssss{s{ss}}}]", "uuid", task_uuid,
				"type", "milestone", "title", title ? title : "Scheduled completion",
				"description", "Scheduled completion of the remediation", "timing", "on-date", "date",
				deadline));
			free(title);
		}
		if (resp)
			json_object_set_new(risk, "remediations", json_pack("[o]", resp));
	}
	{
		json_t *log = risk_log(ev, poam_id);

		if (log)
			json_object_set_new(risk, "risk-log", log);
	}

	/* poam-item: the POAM-ID and the links */
	props = json_array();
	add_prop(props, "POAM-ID", FEDRAMP_NS, poam_id);
	item = json_pack("{sssssssos[{ss}]s[{ss}]}", "uuid", item_uuid, "title", name, "description", desc,
			 "props", props, "related-observations", "observation-uuid", obs_uuid,
			 "related-risks", "risk-uuid", risk_uuid);
	if (!item)
		goto nomem;
	{
		/* each spool_put takes its object, whatever happens */
		int bad = spool_put(&x->obs, obs);

		bad |= spool_put(&x->risks, risk);
		bad |= spool_put(&x->items, item);
		obs = risk = item = NULL;
		if (bad) {
			snprintf(x->err, sizeof(x->err), "could not write a temporary file: %s", strerror(errno));
			goto done;
		}
	}
	rc = 0;
	goto done;
nomem:
	snprintf(x->err, sizeof(x->err), "out of memory");
done:
	json_decref(obs);
	json_decref(risk);
	json_decref(item);
	json_decref(st);
	json_decref(ev);
	return rc;
}

static int out_str(poam_write_fn out, void *payload, const char *s)
{
	size_t n = strlen(s);

	return out(s, n, payload) == n ? 0 : -1;
}

static int out_json(poam_write_fn out, void *payload, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	int rc;

	json_decref(obj);
	if (!s)
		return -1;
	rc = out_str(out, payload, s);
	free(s);
	return rc;
}

static int out_spool(poam_write_fn out, void *payload, struct spool *sp)
{
	char chunk[65536];
	size_t n;

	if (fflush(sp->f) || fseek(sp->f, 0, SEEK_SET))
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), sp->f)) > 0)
		if (out(chunk, n, payload) != n)
			return -1;
	return ferror(sp->f) ? -1 : 0;
}

static json_t *oscal_metadata(const poam_header *h, time_t as_of, const char *csp_uuid)
{
	char ts[32], title[600];
	char *system = clean(h && h->system_name ? h->system_name : NULL);
	char *csp = clean(h && h->csp ? h->csp : NULL);
	json_t *md;

	time_format_rfc3339(as_of, ts, sizeof(ts));
	snprintf(title, sizeof(title), "%.500s FedRAMP Plan of Action and Milestones (POA&M)",
		 system ? system : "[System Name]");
	md = json_pack("{ssssssss"
		       "s[{ssssss}{ssss}]"
		       "s[{ssssss}]"
		       "s[{sss[s]}{sss[s]}]}",
		       "title", title, "last-modified", ts,
		       "version", h && h->poam_date ? h->poam_date : ts, "oscal-version", "1.0.6",
		       "roles", "id", "cloud-service-provider", "title", "Cloud Service Provider", "short-name", "CSP",
		       "id", "prepared-by", "title", "Prepared By",
		       "parties", "uuid", csp_uuid, "type", "organization", "name",
		       csp ? csp : "Cloud Service Provider",
		       "responsible-parties", "role-id", "cloud-service-provider", "party-uuids", csp_uuid,
		       "role-id", "prepared-by", "party-uuids", csp_uuid);
	free(system);
	free(csp);
	return md;
}

static json_t *oscal_local_definitions(const struct oscal *x)
{
	json_t *ld = json_object(), *comps = json_array(), *inv = json_array();
	char name[1100], u[37];
	size_t i;

	for (i = 0; i < x->tools.n; i++) {
		char *title = clean(x->tools.v[i]);

		snprintf(name, sizeof(name), "tool:%s", x->tools.v[i]);
		poam_export_uuid(name, u);
		json_array_append_new(comps, json_pack("{sssssssss{ss}}", "uuid", u, "type", "software",
			"title", title ? title : "unknown scanner",
			"description", "Container image vulnerability scanner whose reports muster ingests.",
			"status", "state", "operational"));
		free(title);
	}
	for (i = 0; i < x->assets.n; i++) {
		json_t *props = json_array();
		char desc[1100];

		snprintf(name, sizeof(name), "asset:%s", x->assets.v[i]);
		poam_export_uuid(name, u);
		snprintf(desc, sizeof(desc), "Container image %s", x->assets.v[i]);
		add_prop(props, "asset-id", NULL, x->assets.v[i]);
		add_prop(props, "asset-type", NULL, "container-image");
		json_array_append_new(inv, json_pack("{sssssO}", "uuid", u, "description", desc, "props", props));
		json_decref(props);
	}
	if (json_array_size(comps))
		json_object_set(ld, "components", comps);
	if (json_array_size(inv))
		json_object_set(ld, "inventory-items", inv);
	json_decref(comps);
	json_decref(inv);
	if (json_object_size(ld) == 0) {
		json_decref(ld);
		return NULL;
	}
	return ld;
}

/* The schema requires at least one poam-item: a POA&M with nothing to
 * report says so in one informational item. */
static json_t *empty_item(time_t as_of)
{
	char u[37], ts[32], name[64];

	time_format_rfc3339(as_of, ts, sizeof(ts));
	snprintf(name, sizeof(name), "poam-item:none:%s", ts);
	poam_export_uuid(name, u);
	return json_pack("{ssssssss}", "uuid", u, "title", "No POA&M items",
			 "description", "No weakness was open or closed in the reporting period.",
			 "remarks", "Placeholder: the OSCAL schema requires at least one poam-item.");
}

int poam_export_oscal(const poam_header *h, time_t as_of, const char *tmpdir,
		      poam_write_fn out, void *out_payload,
		      poam_item_source_fn src, void *src_payload, char *err, size_t errlen)
{
	struct oscal x;
	char ts[32], name[64], doc_uuid[37], csp_uuid[37];
	json_t *md, *ld;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.h = h;
	x.as_of = as_of;
	if (spool_open(&x.obs, tmpdir) || spool_open(&x.risks, tmpdir) || spool_open(&x.items, tmpdir)) {
		snprintf(err, errlen, "could not create a temporary file in %s: %s", tmpdir ? tmpdir : "/tmp",
			 strerror(errno));
		goto cleanup;
	}
	if (src(src_payload, oscal_item, &x)) {
		snprintf(err, errlen, "%s", x.err[0] ? x.err : "the POA&M items could not be read");
		goto cleanup;
	}
	time_format_rfc3339(as_of, ts, sizeof(ts));
	snprintf(name, sizeof(name), "poam:%s", ts);
	poam_export_uuid(name, doc_uuid);
	poam_export_uuid("party:cloud-service-provider", csp_uuid);
	md = oscal_metadata(h, as_of, csp_uuid);
	if (!md) {
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	ld = oscal_local_definitions(&x);
	if (out_str(out, out_payload, "{\"plan-of-action-and-milestones\":{\"uuid\":\"") ||
	    out_str(out, out_payload, doc_uuid) || out_str(out, out_payload, "\",\n\"metadata\":") ||
	    out_json(out, out_payload, md)) {
		json_decref(ld);
		goto write_failed;
	}
	if (ld && (out_str(out, out_payload, ",\n\"local-definitions\":") || out_json(out, out_payload, ld)))
		goto write_failed;
	if (x.obs.count && (out_str(out, out_payload, ",\n\"observations\":[\n") ||
			    out_spool(out, out_payload, &x.obs) || out_str(out, out_payload, "]")))
		goto write_failed;
	if (x.risks.count && (out_str(out, out_payload, ",\n\"risks\":[\n") ||
			      out_spool(out, out_payload, &x.risks) || out_str(out, out_payload, "]")))
		goto write_failed;
	if (out_str(out, out_payload, ",\n\"poam-items\":[\n"))
		goto write_failed;
	if (x.items.count ? out_spool(out, out_payload, &x.items) : out_json(out, out_payload, empty_item(as_of)))
		goto write_failed;
	if (out_str(out, out_payload, "]}}\n"))
		goto write_failed;
	rc = 0;
	goto cleanup;
write_failed:
	snprintf(err, errlen, "writing the OSCAL document failed");
cleanup:
	spool_close(&x.obs);
	spool_close(&x.risks);
	spool_close(&x.items);
	strset_free(&x.tools);
	strset_free(&x.assets);
	return rc;
}
