/*
 * sarif.c - SARIF 2.1.0 vulnerability report -> ms_report (see sarif.h).
 *
 * Where the producers put things:
 *   Trivy  rule id = vulnerability ID; result message
 *            "Package: X\nInstalled Version: Y\nVulnerability Z\n
 *             Severity: S\nFixed Version: W\nLink: [Z](url)";
 *          rule properties cvssv3_baseScore/_vector, cvssv2_score/_vector,
 *          security-severity, tags [class, "security", SEVERITY];
 *          run properties imageName, repoTags, repoDigests, imageID.
 *          Rule "help" repeats the package of the rule's FIRST result
 *          only, so the result message wins over it.
 *   Grype  rule id = "<vulnerability ID>-<package>", one rule per
 *          (vulnerability, package); rule help text
 *            "Vulnerability Z\nSeverity: s\nPackage: X\nVersion: Y\n
 *             Fix Version: a,b\nType: t\nLocation: path\n…";
 *          message "A s vulnerability in t package: X, version Y was
 *          found in image I at: path" (older releases: "The path P
 *          reports X at version Y  which …(t) package …");
 *          properties security-severity = best CVSS base score, or a
 *          placeholder 9.0/7.0/4.0/1.0 derived from the severity.
 * Anything else is read through the same key/value lines when present and
 * otherwise through the generic fields (ruleId, artifact location).
 */
#include "sarif.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SARIF_FORMAT "sarif"    /* ms_report.format */
#define SARIF_CVSS_SOURCE "sarif" /* cvss*_source: the vendor is not named */
#define SARIF_PATH_MAX 96       /* JSON path buffer for error messages */

/* What the key/value lines or sentences of a message or help text say;
 * every string is an arena copy or NULL. */
typedef struct sarif_text {
	char *vuln;        /* "Vulnerability CVE-…" */
	char *pkg;         /* "Package:" */
	char *installed;   /* "Installed Version:" or "Version:" */
	char *fixed;       /* "Fixed Version:" or "Fix Version:" */
	char *type;        /* "Type:" */
	char *location;    /* "Location:" */
	char *severity;    /* "Severity:" */
	char *link;        /* URL of "Link: [id](url)" */
	char *image;       /* Grype: "… found in image I at: …" */
} sarif_text;

/* What a rule says, worked out on first use: many results share a rule. */
typedef struct sarif_rule {
	int done;
	int skip;                /* Trivy misconfiguration, secret, licence */
	ms_severity tag_sev;     /* first severity word among the tags */
	sarif_text help;         /* key/value lines of help.text */
} sarif_rule;

/* Per-run state shared by the results of one run. */
typedef struct sarif_run {
	ms_report *r;
	ms_scan *scan;
	json_t *seen;            /* finding key -> index, see add_unique */
	json_t *rule_index;      /* rule id -> index in rules */
	const jd_value *rules;     /* tool.driver.rules */
	sarif_rule *info;        /* per rule, malloc'd */
	const char *info_uri;    /* tool.driver.informationUri */
	int is_trivy;
	int is_grype;
	size_t run;              /* position in runs[], for error paths */
} sarif_run;

/* Copy s (may be NULL or "") into the arena: 0, or -1 on exhaustion. */
static int copy_str(ms_report *r, char **dst, const char *s)
{
	*dst = ms_strdup(r, s);
	return (s && *s && !*dst) ? -1 : 0;
}

/* Arena copy of [b, e) with blanks trimmed, NULL (and *oom = 0) when
 * nothing is left; *oom is set when the arena is exhausted. */
static char *copy_trim(ms_report *r, const char *b, const char *e, int *oom)
{
	char *s;

	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	if (b == e)
		return NULL;
	s = arena_strndup(&r->mem, b, (size_t)(e - b));
	if (!s)
		*oom = 1;
	return s;
}

static ms_err nomem(ms_error *err)
{
	return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
}

/* MS_ERR_MISSING naming "runs[run]<sub>" or "runs[run].results[res]<sub>". */
static ms_err missing(ms_error *err, size_t run, int has_res, size_t res,
		      const char *sub)
{
	char path[SARIF_PATH_MAX];

	if (has_res)
		snprintf(path, sizeof(path), "runs[%zu].results[%zu]%s", run,
			 res, sub);
	else
		snprintf(path, sizeof(path), "runs[%zu]%s", run, sub);
	return ms_error_set(err, MS_ERR_MISSING, path,
			    "sarif report without a usable %s", path);
}

/* Pointer to the first occurrence of needle in [b, e), or NULL. */
static const char *find_in(const char *b, const char *e, const char *needle)
{
	size_t n = strlen(needle);

	for (; (size_t)(e - b) >= n; b++)
		if (!memcmp(b, needle, n))
			return b;
	return NULL;
}

/* ---- text conventions -------------------------------------------------- */

/* "[ID](https://…)" or a bare URL -> the URL; anything else -> NULL. */
static char *link_url(ms_report *r, const char *b, const char *e, int *oom)
{
	const char *open = find_in(b, e, "](");
	const char *close;

	if (open) {
		b = open + 2;
		close = find_in(b, e, ")");
		if (close)
			e = close;
	}
	while (b < e && isspace((unsigned char)*b))
		b++;
	if ((size_t)(e - b) < 8 || (strncmp(b, "https://", 8) &&
				    strncmp(b, "http://", 7)))
		return NULL;
	return copy_trim(r, b, e, oom);
}

/* Store [b, e) trimmed into *slot unless already set. */
static void take(ms_report *r, char **slot, const char *b, const char *e,
		 int *oom)
{
	if (!*slot)
		*slot = copy_trim(r, b, e, oom);
}

/*
 * Read the "Key: value" lines (and the "Vulnerability ID" line) of a Trivy
 * or Grype message or help text into *t; the first occurrence of a key
 * wins.  0, or -1 on exhaustion.
 */
static int parse_lines(ms_report *r, const char *text, sarif_text *t)
{
	static const char vuln_prefix[] = "Vulnerability ";
	const char *b = text, *e, *colon, *v;
	size_t klen;
	int oom = 0;

	while (b && *b && !oom) {
		e = strchr(b, '\n');
		if (!e)
			e = b + strlen(b);
		colon = find_in(b, e, ": ");
		if (!colon && !strncmp(b, vuln_prefix, sizeof(vuln_prefix) - 1) &&
		    !find_in(b + sizeof(vuln_prefix) - 1, e, " ")) {
			take(r, &t->vuln, b + sizeof(vuln_prefix) - 1, e, &oom);
		} else if (colon) {
			klen = (size_t)(colon - b);
			v = colon + 2;
#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(b, k, klen))
			if (KEY("Package"))
				take(r, &t->pkg, v, e, &oom);
			else if (KEY("Installed Version") || KEY("Version"))
				take(r, &t->installed, v, e, &oom);
			else if (KEY("Fixed Version") || KEY("Fix Version"))
				take(r, &t->fixed, v, e, &oom);
			else if (KEY("Type"))
				take(r, &t->type, v, e, &oom);
			else if (KEY("Location"))
				take(r, &t->location, v, e, &oom);
			else if (KEY("Severity"))
				take(r, &t->severity, v, e, &oom);
			else if (KEY("Link") && !t->link)
				t->link = link_url(r, v, e, &oom);
#undef KEY
		}
		b = *e ? e + 1 : NULL;
	}
	return oom ? -1 : 0;
}

/* Take from b whatever a is missing. */
static void fill_gaps(sarif_text *a, const sarif_text *b)
{
	if (!a->vuln)
		a->vuln = b->vuln;
	if (!a->pkg)
		a->pkg = b->pkg;
	if (!a->installed)
		a->installed = b->installed;
	if (!a->fixed)
		a->fixed = b->fixed;
	if (!a->type)
		a->type = b->type;
	if (!a->location)
		a->location = b->location;
	if (!a->severity)
		a->severity = b->severity;
	if (!a->link)
		a->link = b->link;
}

/*
 * Grype's result sentences, for what the lines did not give:
 *   "A low vulnerability in rpm package: P, version V was found in image I
 *    at: PATH"  (or "… was found at: PATH")
 *   "The path PATH reports P at version V  which … vulnerable (T) package …"
 * 0, or -1 on exhaustion.
 */
static int parse_grype_sentence(ms_report *r, const char *text, sarif_text *t)
{
	const char *end = text + strlen(text);
	const char *p, *q, *s, *v;
	int oom = 0;

	if ((p = find_in(text, end, " vulnerability in ")) &&
	    (q = find_in(p, end, " package: ")) &&
	    (s = find_in(q, end, ", version "))) {
		take(r, &t->type, p + 18, q, &oom);
		take(r, &t->pkg, q + 10, s, &oom);
		v = s + 10;
		p = find_in(v, end, " was found ");
		take(r, &t->installed, v, p ? p : end, &oom);
		if (p) {
			p += 11;
			if (!strncmp(p, "in image ", 9) &&
			    (q = find_in(p + 9, end, " at: "))) {
				take(r, &t->image, p + 9, q, &oom);
				take(r, &t->location, q + 5, end, &oom);
			} else if (!strncmp(p, "at: ", 4)) {
				take(r, &t->location, p + 4, end, &oom);
			}
		}
	} else if (!strncmp(text, "The path ", 9) &&
		   (p = find_in(text + 9, end, " reports ")) &&
		   (q = find_in(p + 9, end, " at version "))) {
		take(r, &t->location, text + 9, p, &oom);
		take(r, &t->pkg, p + 9, q, &oom);
		v = q + 12;
		s = find_in(v, end, " ");
		take(r, &t->installed, v, s ? s : end, &oom);
		if ((p = find_in(v, end, "vulnerable (")) &&
		    (q = find_in(p + 12, end, ")")))
			take(r, &t->type, p + 12, q, &oom);
	}
	return oom ? -1 : 0;
}

/*
 * Fixed versions as "a, b": Grype writes "a,b", Trivy "a, b".  NULL in,
 * NULL out; NULL with *oom set on exhaustion.
 */
static char *fix_list(ms_report *r, const char *in, int *oom)
{
	const char *b = in, *e, *t;
	size_t len, off = 0;
	char *out;

	if (!in)
		return NULL;
	len = strlen(in);
	if (len > (SIZE_MAX - 1) / 2 || !(out = arena_alloc(&r->mem, 2 * len + 1))) {
		*oom = 1;
		return NULL;
	}
	while (*b) {
		e = strchr(b, ',');
		if (!e)
			e = b + strlen(b);
		t = e;
		while (b < t && isspace((unsigned char)*b))
			b++;
		while (t > b && isspace((unsigned char)t[-1]))
			t--;
		if (t > b) {
			if (off) {
				memcpy(out + off, ", ", 2);
				off += 2;
			}
			memcpy(out + off, b, (size_t)(t - b));
			off += (size_t)(t - b);
		}
		b = *e ? e + 1 : e;
	}
	out[off] = '\0';
	return off ? out : NULL;
}

/* ---- severity and CVSS ------------------------------------------------- */

/* A CVSS-like number given as JSON number or string; 0 when absent,
 * unparsable or outside 0-10. */
static double score_of(const jd_value *v)
{
	const char *s;
	char *end;
	double d;

	if (jd_is_number(v)) {
		d = jd_number_value(v);
	} else if (jd_is_string(v)) {
		s = jd_string_value(v);
		d = strtod(s, &end);
		if (end == s)
			return 0;
		while (isspace((unsigned char)*end))
			end++;
		if (*end)
			return 0;
	} else {
		return 0;
	}
	return (d > 0 && d <= 10) ? d : 0;
}

/* GitHub's security-severity bands. */
static ms_severity severity_of_score(double s)
{
	if (s >= 9.0)
		return MS_SEV_CRITICAL;
	if (s >= 7.0)
		return MS_SEV_HIGH;
	if (s >= 4.0)
		return MS_SEV_MEDIUM;
	return s > 0 ? MS_SEV_LOW : MS_SEV_UNKNOWN;
}

static ms_severity severity_of_level(const char *level)
{
	if (!level)
		return MS_SEV_UNKNOWN;
	if (!strcmp(level, "error"))
		return MS_SEV_HIGH;
	if (!strcmp(level, "warning"))
		return MS_SEV_MEDIUM;
	if (!strcmp(level, "note"))
		return MS_SEV_LOW;
	return MS_SEV_UNKNOWN;
}

/*
 * Severity: the rule's security-severity score, else a severity word in
 * its tags, else the "Severity:" line, else the result's level, else the
 * rule's default level.
 */
static ms_severity pick_severity(const jd_value *res, const jd_value *rule,
				 const sarif_rule *info, const sarif_text *t)
{
	const jd_value *props = jd_object_get(rule, "properties");
	double score = score_of(jd_object_get(props, "security-severity"));
	ms_severity sev;

	if (score)
		return severity_of_score(score);
	if (info->tag_sev != MS_SEV_UNKNOWN)
		return info->tag_sev;
	sev = ms_severity_from_string(t->severity);
	if (sev != MS_SEV_UNKNOWN)
		return sev;
	sev = severity_of_level(ms_jd_str(res, "level"));
	if (sev != MS_SEV_UNKNOWN)
		return sev;
	return severity_of_level(ms_jd_str(jd_object_get(rule,
			"defaultConfiguration"), "level"));
}

/* Grype's security-severity when it had no CVSS score: a fixed value per
 * severity word; such a value is not a CVSS score. */
static int grype_placeholder(double score, const char *severity)
{
	static const struct { const char *word; double score; } map[] = {
		{ "critical", 9.0 }, { "high", 7.0 }, { "medium", 4.0 },
		{ "low", 1.0 }
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (score == map[i].score &&
		    (!severity || !strcasecmp(severity, map[i].word)))
			return 1;
	return 0;
}

/*
 * CVSS from the rule: Trivy states cvssv3_baseScore/cvssv3_vector and
 * cvssv2_score/cvssv2_vector outright.  Grype's security-severity is the
 * best CVSS base score it knows (version not stated) unless it is the
 * severity placeholder.  Other producers' security-severity may be a
 * converted severity, so it is not taken as CVSS.  The vendor behind a
 * SARIF score is not named: the source is "sarif".
 */
static int pick_cvss(sarif_run *c, ms_finding *f, const jd_value *rule,
		     const sarif_text *t)
{
	const jd_value *props = jd_object_get(rule, "properties");
	double v3 = score_of(jd_object_get(props, "cvssv3_baseScore"));
	double v2 = score_of(jd_object_get(props, "cvssv2_score"));
	double sec = score_of(jd_object_get(props, "security-severity"));

	if (!v3 && c->is_grype && sec && !grype_placeholder(sec, t->severity))
		v3 = sec;
	if (v3) {
		f->cvss3_score = v3;
		if (copy_str(c->r, &f->cvss3_vector,
			     ms_jd_str(props, "cvssv3_vector")) < 0 ||
		    copy_str(c->r, &f->cvss3_source, SARIF_CVSS_SOURCE) < 0)
			return -1;
	}
	if (v2) {
		f->cvss2_score = v2;
		if (copy_str(c->r, &f->cvss2_vector,
			     ms_jd_str(props, "cvssv2_vector")) < 0 ||
		    copy_str(c->r, &f->cvss2_source, SARIF_CVSS_SOURCE) < 0)
			return -1;
	}
	return 0;
}

/* ---- findings ---------------------------------------------------------- */

/*
 * Work out rule info once: its help lines, its first severity tag, and
 * whether it is one of the misconfiguration, secret and licence rules
 * Trivy writes as results too (tagged with that class instead of
 * "vulnerability").  0, or -1 on exhaustion.
 */
static int rule_info(ms_report *r, const jd_value *rule, sarif_rule *info)
{
	const jd_value *tags = jd_object_get(jd_object_get(rule, "properties"),
					     "tags");
	const char *tag;
	ms_severity sev;
	int vuln = 0, other = 0;
	size_t i;
	jd_value *v;

	if (info->done)
		return 0;
	jd_array_foreach(tags, i, v) {
		tag = jd_string_value(v);
		if (!tag)
			continue;
		if (!strcasecmp(tag, "vulnerability"))
			vuln = 1;
		if (!strcasecmp(tag, "misconfiguration") ||
		    !strcasecmp(tag, "secret") || !strcasecmp(tag, "license"))
			other = 1;
		sev = ms_severity_from_string(tag);
		if (info->tag_sev == MS_SEV_UNKNOWN)
			info->tag_sev = sev;
	}
	info->skip = other && !vuln;
	if (parse_lines(r, ms_jd_str(jd_object_get(rule, "help"), "text"),
			&info->help) < 0)
		return -1;
	info->done = 1;
	return 0;
}

/* The result's rule: by ruleId (or rule.id) through the index, else by
 * ruleIndex (or rule.index).  *pos is its position in rules. */
static const jd_value *find_rule(const sarif_run *c, const jd_value *res,
			       const char **rule_id, size_t *pos)
{
	const jd_value *ref = jd_object_get(res, "rule");
	const jd_value *idx = jd_object_get(res, "ruleIndex");
	const json_t *hit;
	long long i;

	*rule_id = ms_jd_str(res, "ruleId");
	if (!*rule_id)
		*rule_id = ms_jd_str(ref, "id");
	if (*rule_id && (hit = json_object_get(c->rule_index, *rule_id))) {
		*pos = (size_t)json_integer_value(hit);
		return jd_array_get(c->rules, *pos);
	}
	if (!jd_is_integer(idx))
		idx = jd_object_get(ref, "index");
	if (!jd_is_integer(idx))
		return NULL;
	i = jd_integer_value(idx);
	if (i < 0 || (long long)jd_array_size(c->rules) <= i)
		return NULL;
	*pos = (size_t)i;
	return jd_array_get(c->rules, *pos);
}

/* Grype's rule ids are "<vulnerability ID>-<package>": strip the package. */
static char *id_from_rule(ms_report *r, const char *rule_id, const char *pkg,
			  int *oom)
{
	size_t n = strlen(rule_id), p = pkg ? strlen(pkg) : 0;

	if (p && n > p + 1 && rule_id[n - p - 1] == '-' &&
	    !strcmp(rule_id + n - p, pkg))
		return copy_trim(r, rule_id, rule_id + n - p - 1, oom);
	return copy_trim(r, rule_id, rule_id + n, oom);
}

static ms_err parse_result(sarif_run *c, const jd_value *res, size_t j,
			   ms_error *err)
{
	ms_report *r = c->r;
	sarif_text msg = { 0 }, help = { 0 }, t;
	const jd_value *rule, *loc;
	const char *rule_id, *rule_name, *text, *uri, *help_uri, *purl;
	ms_finding f = { 0 };
	sarif_rule none = { 0 }, *info = &none;
	size_t pos = 0;
	int image_level, oom = 0;

	if (!jd_is_object(res))
		return missing(err, c->run, 1, j, "");
	rule = find_rule(c, res, &rule_id, &pos);
	if (!rule_id)
		rule_id = ms_jd_str(rule, "id");
	if (!rule_id && !rule)
		return missing(err, c->run, 1, j, ".ruleId");
	if (rule) {
		info = &c->info[pos];
		if (rule_info(r, rule, info) < 0)
			return nomem(err);
	}
	if (info->skip)
		return MS_OK;

	text = ms_jd_str(jd_object_get(res, "message"), "text");
	if (parse_lines(r, text, &msg) < 0)
		return nomem(err);
	help = info->help;
	/* Trivy's help names the package of the rule's first result. */
	if (msg.pkg && help.pkg && strcmp(msg.pkg, help.pkg))
		memset(&help, 0, sizeof(help));
	t = msg;
	fill_gaps(&t, &help);
	if (text && parse_grype_sentence(r, text, &t) < 0)
		return nomem(err);

	loc = jd_object_get(jd_array_get(jd_object_get(res, "locations"), 0),
			      "physicalLocation");
	uri = ms_jd_str(jd_object_get(loc, "artifactLocation"), "uri");
	if (uri && !*uri)
		uri = NULL;
	purl = jd_string_value(jd_array_get(jd_object_get(
			jd_object_get(rule, "properties"), "purls"), 0));

	/* vulnerability ID: the text's, else the rule id (without Grype's
	 * package suffix). */
	f.vuln_id = t.vuln;
	if (!f.vuln_id && rule_id)
		f.vuln_id = id_from_rule(r, rule_id, t.pkg, &oom);
	if (oom)
		return nomem(err);
	if (!f.vuln_id)
		return missing(err, c->run, 1, j, ".ruleId");

	/* The model needs a package name: when the producer names none, the
	 * artifact location (the scanned file) stands in for it. */
	f.pkg_name = t.pkg;
	if (!f.pkg_name && copy_str(r, &f.pkg_name, uri) < 0)
		return nomem(err);
	if (!f.pkg_name)
		return missing(err, c->run, 1, j, ".locations");

	f.installed_version = t.installed;
	f.fixed_version = fix_list(r, t.fixed, &oom);
	f.pkg_type = t.type;
	/* Trivy's OS-package results point at the image, not at a file. */
	rule_name = ms_jd_str(rule, "name");
	image_level = c->is_trivy && rule_name &&
		      !strcmp(rule_name, "OsPackageVulnerability");
	f.pkg_path = t.location;
	if (!f.pkg_path && !image_level && copy_str(r, &f.pkg_path, uri) < 0)
		return nomem(err);
	help_uri = ms_jd_str(rule, "helpUri");
	if (help_uri && c->info_uri && !strcmp(help_uri, c->info_uri))
		help_uri = NULL;   /* Grype points every rule at its homepage */
	f.url = t.link;
	if (oom || (!f.url && copy_str(r, &f.url, help_uri) < 0) ||
	    copy_str(r, &f.purl, purl) < 0)
		return nomem(err);
	/* Trivy's shortDescription is the vulnerability title; Grype's is
	 * generated ("CVE-… low vulnerability for P package"), not a title. */
	if (!c->is_grype &&
	    copy_str(r, &f.title, ms_jd_str(jd_object_get(rule,
			"shortDescription"), "text")) < 0)
		return nomem(err);
	f.severity = pick_severity(res, rule, info, &t);
	if (pick_cvss(c, &f, rule, &t) < 0)
		return nomem(err);
	if (t.image && !c->scan->image.name)
		c->scan->image.name = t.image;
	if (ms_scan_add_unique(r, c->scan, c->seen, &f) < 0)
		return nomem(err);
	return MS_OK;
}

/* ---- runs -------------------------------------------------------------- */

/* "Trivy" -> "trivy"; Grype's first SARIF writer called itself "Anchore
 * Container Vulnerability Report (T0)". */
static int scanner_name(ms_report *r, ms_scan *s, const char *name)
{
	char *p;

	if (name && !strncmp(name, "Anchore Container Vulnerability Report", 38))
		name = "grype";
	if (copy_str(r, &s->scanner_name, name) < 0)
		return -1;
	for (p = s->scanner_name; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* Image identity and scan facts of one run. */
static int fill_scan(ms_report *r, ms_scan *s, const jd_value *run,
		     const jd_value *driver)
{
	const jd_value *props = jd_object_get(run, "properties");
	const jd_value *inv = jd_array_get(jd_object_get(run, "invocations"), 0);
	const jd_value *v;
	const char *version = ms_jd_str(driver, "version");
	const char *when = ms_jd_str(inv, "startTimeUtc");
	size_t i;

	if (!version)
		version = ms_jd_str(driver, "semanticVersion");
	if (!when)
		when = ms_jd_str(inv, "endTimeUtc");
	if (scanner_name(r, s, ms_jd_str(driver, "name")) < 0 ||
	    copy_str(r, &s->scanner_version, version) < 0 ||
	    copy_str(r, &s->scanned_at, when) < 0 ||
	    copy_str(r, &s->image.name, ms_jd_str(props, "imageName")) < 0 ||
	    copy_str(r, &s->image.config_digest,
		     ms_jd_str(props, "imageID")) < 0)
		return -1;
	jd_array_foreach(jd_object_get(props, "repoTags"), i, v)
		if (ms_strlist_add(r, &s->image.tags, jd_string_value(v)) < 0)
			return -1;
	jd_array_foreach(jd_object_get(props, "repoDigests"), i, v)
		if (ms_strlist_add(r, &s->image.repo_digests,
				   jd_string_value(v)) < 0)
			return -1;
	return 0;
}

/* Map each rule id to its position in rules (the first rule wins). */
static int index_rules(json_t *index, const jd_value *rules)
{
	const jd_value *rule;
	const char *id;
	size_t i;

	jd_array_foreach(rules, i, rule) {
		id = ms_jd_str(rule, "id");
		if (!id || json_object_get(index, id))
			continue;
		if (json_object_set_new_nocheck(index, id,
				json_integer((json_int_t)i)) < 0)
			return -1;
	}
	return 0;
}

static int contains_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; s && *s; s++)
		if (!strncasecmp(s, needle, n))
			return 1;
	return 0;
}

static ms_err parse_run(ms_report *r, const jd_value *run, size_t i,
			ms_error *err)
{
	const jd_value *driver = jd_object_get(jd_object_get(run, "tool"),
					       "driver");
	const jd_value *results = jd_object_get(run, "results");
	const jd_value *res;
	const char *name = ms_jd_str(driver, "name");
	sarif_run c = { 0 };
	ms_err rc = MS_OK;
	size_t j;

	if (!jd_is_object(run))
		return missing(err, i, 0, 0, "");
	if (results && !jd_is_null(results) && !jd_is_array(results))
		return missing(err, i, 0, 0, ".results");
	c.r = r;
	c.run = i;
	c.rules = jd_object_get(driver, "rules");
	c.info_uri = ms_jd_str(driver, "informationUri");
	c.is_trivy = contains_ci(name, "trivy");
	c.is_grype = contains_ci(name, "grype") ||
		     contains_ci(c.info_uri, "anchore/grype");
	c.scan = ms_report_add_scan(r);
	c.seen = json_object();
	c.rule_index = json_object();
	/* + 1: calloc(0) may give NULL, which would read as out of memory */
	c.info = calloc(jd_array_size(c.rules) + 1, sizeof(*c.info));
	if (!c.scan || !c.seen || !c.rule_index || !c.info ||
	    fill_scan(r, c.scan, run, driver) < 0 ||
	    index_rules(c.rule_index, c.rules) < 0) {
		rc = nomem(err);
		goto cleanup;
	}
	jd_array_foreach(results, j, res) {
		rc = parse_result(&c, res, j, err);
		if (rc != MS_OK)
			break;
	}
cleanup:
	json_decref(c.seen);
	json_decref(c.rule_index);
	free(c.info);
	return rc;
}

/* ---- public ------------------------------------------------------------ */

int sarif_detect(const jd_value *root)
{
	const char *version = ms_jd_str(root, "version");
	const char *schema = ms_jd_str(root, "$schema");

	if (!jd_is_object(root) ||
	    !jd_is_array(jd_object_get(root, "runs")))
		return 0;
	if (version)
		return !strncmp(version, "2.1", 3);
	return contains_ci(schema, "sarif");
}

ms_err sarif_parse(ms_report *out, const jd_value *root, ms_error *err)
{
	const jd_value *runs, *run;
	ms_err rc;
	size_t i;

	if (!sarif_detect(root)) {
		rc = ms_error_set(err, MS_ERR_FORMAT, NULL,
				  "not a sarif 2.1 document");
		goto fail;
	}
	out->format = SARIF_FORMAT;
	runs = jd_object_get(root, "runs");
	jd_array_foreach(runs, i, run) {
		rc = parse_run(out, run, i, err);
		if (rc != MS_OK)
			goto fail;
	}
	return MS_OK;

fail:
	ms_report_free(out);
	return rc;
}
