/*
 * kev.c - CISA KEV catalog parser (kev.h): validates the fields muster
 * relies on (CVE ID, dates) and copies the entries into the catalog arena.
 */
#include "kev.h"

#include <stdio.h>
#include <string.h>

void kev_catalog_init(kev_catalog *c)
{
	memset(c, 0, sizeof(*c));
}

void kev_catalog_free(kev_catalog *c)
{
	arena_free(&c->mem);
	memset(c, 0, sizeof(*c));
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* CVE-\d{4}-\d{4,19}, the schema's pattern. */
static int valid_cve(const char *s)
{
	size_t i, n;

	if (!s || strncmp(s, "CVE-", 4) != 0)
		return 0;
	for (i = 4; i < 8; i++)
		if (!is_digit(s[i]))
			return 0;
	if (s[8] != '-')
		return 0;
	for (n = 0; is_digit(s[9 + n]); n++)
		;
	return n >= 4 && n <= 19 && s[9 + n] == '\0';
}

/* YYYY-MM-DD naming a real calendar day. */
static int valid_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, max;
	size_t i;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(s[i]))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* Copy s into the catalog arena (NULL for NULL or ""); -1 on OOM. */
static int put(kev_catalog *c, char **dst, const char *s)
{
	*dst = NULL;
	if (!s || !*s)
		return 0;
	*dst = arena_strdup(&c->mem, s);
	return *dst ? 0 : -1;
}

static ms_err bad_entry(ms_error *err, size_t i, const char *member, const char *what)
{
	char field[96];

	snprintf(field, sizeof(field), "vulnerabilities[%zu].%s", i, member);
	return ms_error_set(err, MS_ERR_MISSING, field, "%s", what);
}

static ms_err parse_entry(kev_catalog *out, const json_t *v, size_t i, ms_error *err)
{
	const char *cve = ms_json_str(v, "cveID");
	const char *added = ms_json_str(v, "dateAdded");
	const char *due = ms_json_str(v, "dueDate");
	kev_entry *e;

	if (!json_is_object(v)) {
		char field[64];

		snprintf(field, sizeof(field), "vulnerabilities[%zu]", i);
		return ms_error_set(err, MS_ERR_MISSING, field, "must be an object");
	}
	if (!valid_cve(cve))
		return bad_entry(err, i, "cveID",
				 "missing or not a CVE ID (CVE-YYYY-NNNN)");
	if (!valid_date(added))
		return bad_entry(err, i, "dateAdded",
				 "missing or not a date (YYYY-MM-DD)");
	if (!valid_date(due))
		return bad_entry(err, i, "dueDate",
				 "missing or not a date (YYYY-MM-DD)");
	if (arena_grow(&out->mem, (void **)&out->items, &out->cap, out->n,
		       sizeof(kev_entry)) < 0)
		goto nomem;
	e = &out->items[out->n];
	memset(e, 0, sizeof(*e));
	if (put(out, &e->cve, cve) < 0 ||
	    put(out, &e->vendor, ms_json_str(v, "vendorProject")) < 0 ||
	    put(out, &e->product, ms_json_str(v, "product")) < 0 ||
	    put(out, &e->name, ms_json_str(v, "vulnerabilityName")) < 0 ||
	    put(out, &e->date_added, added) < 0 || put(out, &e->due_date, due) < 0 ||
	    put(out, &e->ransomware, ms_json_str(v, "knownRansomwareCampaignUse")) < 0)
		goto nomem;
	out->n++;
	return MS_OK;
nomem:
	return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
}

ms_err kev_parse(kev_catalog *out, const json_t *root, ms_error *err)
{
	const json_t *vulns, *count, *v;
	const char *version, *released;
	size_t i;
	ms_err rc = MS_OK;

	vulns = json_is_object(root) ? json_object_get(root, "vulnerabilities") : NULL;
	if (!json_is_array(vulns))
		return ms_error_set(err, MS_ERR_FORMAT, NULL,
				    "not a CISA KEV catalog (an object with a "
				    "\"vulnerabilities\" array)");
	version = ms_json_str(root, "catalogVersion");
	released = ms_json_str(root, "dateReleased");
	if (!version || !*version)
		return ms_error_set(err, MS_ERR_MISSING, "catalogVersion",
				    "the catalog has no version");
	if (!released || !*released)
		return ms_error_set(err, MS_ERR_MISSING, "dateReleased",
				    "the catalog has no release date");
	count = json_object_get(root, "count");
	if (json_is_integer(count) &&
	    (json_integer_value(count) < 0 ||
	     (unsigned long long)json_integer_value(count) != json_array_size(vulns)))
		return ms_error_set(err, MS_ERR_MISSING, "count",
				    "count is %lld but the catalog lists %zu entries",
				    (long long)json_integer_value(count),
				    json_array_size(vulns));
	if (put(out, &out->version, version) < 0 || put(out, &out->released, released) < 0)
		return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");

	json_array_foreach(vulns, i, v) {
		rc = parse_entry(out, v, i, err);
		if (rc != MS_OK)
			break;
	}
	if (rc != MS_OK)
		out->n = 0;
	return rc;
}

const kev_entry *kev_find(const kev_catalog *c, const char *cve)
{
	size_t i;

	if (!cve)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->items[i].cve, cve))
			return &c->items[i];
	return NULL;
}
