/*
 * trivy.c - Trivy report parser (see trivy.h).
 *
 * Recognises the four Trivy JSON forms (image report, legacy list, Trivy
 * Operator VulnerabilityReport / List, `trivy k8s` cluster report) and maps
 * each scanned image onto an ms_scan and each vulnerability entry onto an
 * ms_finding.  Everything the model keeps is copied into the report's arena;
 * the only private heap memory is the two lookup tables of tv_ctx, released
 * before trivy_parse() returns.
 */
#include "trivy.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TV_PATH_LEN 128         /* = sizeof(ms_error.field) */
#define TV_EMPTY SIZE_MAX       /* tv_slot.scan of an unused slot */
#define TV_TABLE_MIN 64         /* first table size, a power of two */

/* One slot of an open-addressing table (linear probing, load <= 1/2). */
typedef struct tv_slot {
	uint64_t hash;
	size_t scan;            /* scan index, TV_EMPTY when unused */
	size_t idx;             /* finding index (findings table) */
	const char *key;        /* image key (images table), arena-owned */
} tv_slot;

typedef struct tv_table {
	tv_slot *slots;         /* malloc'd, released by table_free() */
	size_t cap;             /* 0 or a power of two */
	size_t n;
} tv_table;

/* State of one trivy_parse() call. */
typedef struct tv_ctx {
	ms_report *out;
	ms_error *err;
	tv_table seen;          /* (scan, vuln, pkg, version, path) already added */
	tv_table images;        /* k8s report: image key -> scan index */
} tv_ctx;

/* Borrowed view of one vulnerability entry, whichever form it came from;
 * the strings point into the JSON document until add_finding() copies them. */
typedef struct tv_vuln {
	const char *id;
	const char *pkg;
	const char *installed;
	const char *fixed;
	const char *path;
	const char *purl;
	const char *pkg_type;
	const char *severity;
	const char *severity_source;
	const char *title;
	const char *url;
	const char *published;
	const jd_value *vendor_ids;   /* array of strings, or NULL */
	const jd_value *cvss;         /* Trivy VendorCVSS object, or NULL */
	double score;               /* Trivy Operator's single score; 0 = none */
} tv_vuln;

/* ---- errors ---------------------------------------------------------- */

static ms_err nomem(tv_ctx *c)
{
	return ms_error_set(c->err, MS_ERR_NOMEM, NULL, "out of memory");
}

/* MS_ERR_MISSING with err->field formatted from fmt (a JSON path). */
static ms_err missing(tv_ctx *c, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static ms_err missing(tv_ctx *c, const char *what, const char *fmt, ...)
{
	char path[TV_PATH_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return ms_error_set(c->err, MS_ERR_MISSING, path, "%s", what);
}

/* ---- small helpers --------------------------------------------------- */

/* Copy s into *dst unless *dst is already set or s is NULL/empty;
 * -1 on out-of-memory. */
static int set_once(ms_report *r, char **dst, const char *s)
{
	if (*dst || !s || !*s)
		return 0;
	*dst = ms_strdup(r, s);
	return *dst ? 0 : -1;
}

/* NULL and "" compare equal: the model stores "" as NULL. */
static int str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* A CVSS score member in (0, 10], else 0 (absent or nonsense). */
static double score_of(const jd_value *obj, const char *key)
{
	jd_value *v = jd_object_get(obj, key);
	double d;

	if (!jd_is_number(v))
		return 0;
	d = jd_number_value(v);
	return (d > 0 && d <= 10) ? d : 0;
}

/* Map a Trivy result Type to the model's pkg_type: OS families collapse to
 * their package format, language types are kept as they are. */
static const char *map_pkg_type(const char *t)
{
	static const char *const apk[] = {
		"alpine", "wolfi", "chainguard", "minimos", NULL
	};
	static const char *const deb[] = { "debian", "ubuntu", "echo", NULL };
	static const char *const rpm[] = {
		"redhat", "centos", "amazon", "oracle", "rocky", "alma",
		"photon", "fedora", "cbl-mariner", "azurelinux", "sles",
		"slem", NULL
	};
	size_t i;

	if (!t)
		return NULL;
	for (i = 0; apk[i]; i++)
		if (!strcasecmp(t, apk[i]))
			return "apk";
	for (i = 0; deb[i]; i++)
		if (!strcasecmp(t, deb[i]))
			return "deb";
	for (i = 0; rpm[i]; i++)
		if (!strcasecmp(t, rpm[i]))
			return "rpm";
	/* suse, "suse linux enterprise server", opensuse.leap, ... */
	if (!strncasecmp(t, "suse", 4) || !strncasecmp(t, "opensuse", 8))
		return "rpm";
	return t;
}

/* ---- lookup tables --------------------------------------------------- */

static uint64_t hash_str(uint64_t h, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	for (; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;          /* FNV-1a prime */
	}
	h ^= 0xff;                              /* field separator */
	h *= 1099511628211ULL;
	return h;
}

static uint64_t hash_size(uint64_t h, size_t v)
{
	size_t i;

	for (i = 0; i < sizeof(v); i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 1099511628211ULL;
	}
	return h;
}

static void table_free(tv_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* Make room for one more entry; -1 on out-of-memory or size overflow. */
static int table_reserve(tv_table *t)
{
	tv_slot *ns;
	size_t ncap, i, j;

	if (t->cap && t->n < t->cap / 2)
		return 0;
	if (t->cap > SIZE_MAX / 2)
		return -1;
	ncap = t->cap ? t->cap * 2 : TV_TABLE_MIN;
	if (ncap > SIZE_MAX / sizeof(*ns))
		return -1;
	ns = malloc(ncap * sizeof(*ns));
	if (!ns)
		return -1;
	for (i = 0; i < ncap; i++)
		ns[i].scan = TV_EMPTY;
	for (i = 0; i < t->cap; i++) {
		if (t->slots[i].scan == TV_EMPTY)
			continue;
		j = t->slots[i].hash & (ncap - 1);
		while (ns[j].scan != TV_EMPTY)
			j = (j + 1) & (ncap - 1);
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->cap = ncap;
	return 0;
}

/* Insert an entry known to be absent; -1 on out-of-memory. */
static int table_put(tv_table *t, uint64_t hash, size_t scan, size_t idx,
		     const char *key)
{
	size_t j;

	if (table_reserve(t) < 0)
		return -1;
	j = hash & (t->cap - 1);
	while (t->slots[j].scan != TV_EMPTY)
		j = (j + 1) & (t->cap - 1);
	t->slots[j].hash = hash;
	t->slots[j].scan = scan;
	t->slots[j].idx = idx;
	t->slots[j].key = key;
	t->n++;
	return 0;
}

static uint64_t finding_hash(size_t scan, const tv_vuln *v)
{
	uint64_t h = 14695981039346656037ULL;   /* FNV offset basis */

	h = hash_size(h, scan);
	h = hash_str(h, v->id);
	h = hash_str(h, v->pkg);
	h = hash_str(h, v->installed);
	return hash_str(h, v->path);
}

/* Is (vuln, pkg, installed version, path) already a finding of scan? */
static int finding_seen(const tv_ctx *c, size_t scan, uint64_t h,
			const tv_vuln *v)
{
	const tv_table *t = &c->seen;
	const ms_finding *f;
	size_t j;

	if (!t->cap)
		return 0;
	for (j = h & (t->cap - 1); t->slots[j].scan != TV_EMPTY;
	     j = (j + 1) & (t->cap - 1)) {
		if (t->slots[j].hash != h || t->slots[j].scan != scan)
			continue;
		f = &c->out->scans[scan].findings[t->slots[j].idx];
		if (str_eq(f->vuln_id, v->id) && str_eq(f->pkg_name, v->pkg) &&
		    str_eq(f->installed_version, v->installed) &&
		    str_eq(f->pkg_path, v->path))
			return 1;
	}
	return 0;
}

/* Scan index already holding image key, or TV_EMPTY. */
static size_t image_find(const tv_ctx *c, const char *key, uint64_t h)
{
	const tv_table *t = &c->images;
	size_t j;

	if (!t->cap)
		return TV_EMPTY;
	for (j = h & (t->cap - 1); t->slots[j].scan != TV_EMPTY;
	     j = (j + 1) & (t->cap - 1))
		if (t->slots[j].hash == h && !strcmp(t->slots[j].key, key))
			return t->slots[j].scan;
	return TV_EMPTY;
}

/* ---- findings -------------------------------------------------------- */

/* Fill the CVSS fields from a Trivy VendorCVSS object ({"nvd": {...},
 * "redhat": {...}}): the entry named by prefer, else "nvd", else the first
 * object entry.  -1 on out-of-memory. */
static int set_cvss(ms_report *r, ms_finding *f, const jd_value *cvss,
		    const char *prefer)
{
	const char *key = NULL, *k;
	jd_value *entry = NULL, *val;
	double s3, s2;
	const char *v3, *v2;

	if (!jd_is_object(cvss))
		return 0;
	/* RULES.md 4: the NVD base score rates the risk; the scanner's
	 * severity source only when NVD has none. */
	if (jd_is_object(jd_object_get(cvss, "nvd"))) {
		key = "nvd";
	} else if (prefer && jd_is_object(jd_object_get(cvss, prefer))) {
		key = prefer;
	} else {
		size_t idx;

		jd_object_foreach(cvss, idx, k, val) {
			if (jd_is_object(val)) {
				key = k;
				break;
			}
		}
	}
	if (!key)
		return 0;
	entry = jd_object_get(cvss, key);
	s3 = score_of(entry, "V3Score");
	v3 = ms_jd_str(entry, "V3Vector");
	s2 = score_of(entry, "V2Score");
	v2 = ms_jd_str(entry, "V2Vector");
	if (s3 > 0 || (v3 && *v3)) {
		f->cvss3_score = s3;
		if (set_once(r, &f->cvss3_vector, v3) < 0 ||
		    set_once(r, &f->cvss3_source, key) < 0)
			return -1;
	}
	if (s2 > 0 || (v2 && *v2)) {
		f->cvss2_score = s2;
		if (set_once(r, &f->cvss2_vector, v2) < 0 ||
		    set_once(r, &f->cvss2_source, key) < 0)
			return -1;
	}
	return 0;
}

/* Append v to scan si unless the scan already has it.  v->id and v->pkg
 * are non-empty (checked by the callers). */
static ms_err add_finding(tv_ctx *c, size_t si, const tv_vuln *v)
{
	ms_report *r = c->out;
	ms_finding *f;
	uint64_t h = finding_hash(si, v);
	size_t i;

	if (finding_seen(c, si, h, v))
		return MS_OK;
	f = ms_scan_add_finding(r, &r->scans[si]);
	if (!f)
		return nomem(c);
	if (table_put(&c->seen, h, si, r->scans[si].n_findings - 1, NULL) < 0)
		return nomem(c);
	if (set_once(r, &f->vuln_id, v->id) < 0 ||
	    set_once(r, &f->pkg_name, v->pkg) < 0 ||
	    set_once(r, &f->pkg_type, map_pkg_type(v->pkg_type)) < 0 ||
	    set_once(r, &f->installed_version, v->installed) < 0 ||
	    set_once(r, &f->fixed_version, v->fixed) < 0 ||
	    set_once(r, &f->pkg_path, v->path) < 0 ||
	    set_once(r, &f->purl, v->purl) < 0 ||
	    set_once(r, &f->title, v->title) < 0 ||
	    set_once(r, &f->url, v->url) < 0 ||
	    set_once(r, &f->published, v->published) < 0)
		return nomem(c);
	f->severity = ms_severity_from_string(v->severity);
	for (i = 0; i < jd_array_size(v->vendor_ids); i++) {
		const char *a = jd_string_value(jd_array_get(v->vendor_ids, i));

		if (a && strcmp(a, v->id) != 0 &&
		    ms_strlist_add(r, &f->aliases, a) < 0)
			return nomem(c);
	}
	if (set_cvss(r, f, v->cvss, v->severity_source) < 0)
		return nomem(c);
	/* Trivy Operator: one bare V3 score whose source it does not state. */
	if (!f->cvss3_score && v->score > 0)
		f->cvss3_score = v->score;
	return MS_OK;
}

static void read_trivy_vuln(const jd_value *o, const char *type, tv_vuln *v)
{
	memset(v, 0, sizeof(*v));
	v->id = ms_jd_str(o, "VulnerabilityID");
	v->pkg = ms_jd_str(o, "PkgName");
	v->installed = ms_jd_str(o, "InstalledVersion");
	v->fixed = ms_jd_str(o, "FixedVersion");
	v->path = ms_jd_str(o, "PkgPath");
	v->purl = ms_jd_str(jd_object_get(o, "PkgIdentifier"), "PURL");
	v->pkg_type = type;
	v->severity = ms_jd_str(o, "Severity");
	v->severity_source = ms_jd_str(o, "SeveritySource");
	v->title = ms_jd_str(o, "Title");
	v->url = ms_jd_str(o, "PrimaryURL");
	v->published = ms_jd_str(o, "PublishedDate");
	v->vendor_ids = jd_object_get(o, "VendorIDs");
	v->cvss = jd_object_get(o, "CVSS");
}

static void read_operator_vuln(const jd_value *o, tv_vuln *v)
{
	memset(v, 0, sizeof(*v));
	v->id = ms_jd_str(o, "vulnerabilityID");
	v->pkg = ms_jd_str(o, "resource");
	v->installed = ms_jd_str(o, "installedVersion");
	v->fixed = ms_jd_str(o, "fixedVersion");
	v->path = ms_jd_str(o, "packagePath");
	v->purl = ms_jd_str(o, "packagePURL");
	v->pkg_type = ms_jd_str(o, "packageType");
	v->severity = ms_jd_str(o, "severity");
	v->severity_source = ms_jd_str(o, "cvsssource");
	v->title = ms_jd_str(o, "title");
	v->url = ms_jd_str(o, "primaryLink");
	v->published = ms_jd_str(o, "publishedDate");
	v->cvss = jd_object_get(o, "cvss");
	v->score = score_of(o, "score");
}

/* Add every vulnerability of a Trivy Results array (or legacy top-level
 * list) to scan si.  path is the JSON path of the array ("" for a
 * top-level list).  null/absent arrays are empty. */
static ms_err parse_results(tv_ctx *c, size_t si, const jd_value *results,
			    const char *path)
{
	jd_value *res, *vulns, *vj;
	const char *type;
	size_t i, j;
	tv_vuln v;
	ms_err rc;

	if (!results || jd_is_null(results))
		return MS_OK;
	if (!jd_is_array(results))
		return missing(c, "not an array", "%s", path);
	jd_array_foreach(results, i, res) {
		if (!jd_is_object(res))
			return missing(c, "result is not an object", "%s[%zu]",
				       path, i);
		vulns = jd_object_get(res, "Vulnerabilities");
		if (!vulns || jd_is_null(vulns))
			continue;
		if (!jd_is_array(vulns))
			return missing(c, "not an array",
				       "%s[%zu].Vulnerabilities", path, i);
		type = ms_jd_str(res, "Type");
		jd_array_foreach(vulns, j, vj) {
			if (!jd_is_object(vj))
				return missing(c, "vulnerability is not an object",
					       "%s[%zu].Vulnerabilities[%zu]",
					       path, i, j);
			read_trivy_vuln(vj, type, &v);
			if (!v.id || !*v.id)
				return missing(c, "missing vulnerability id",
					       "%s[%zu].Vulnerabilities[%zu]."
					       "VulnerabilityID", path, i, j);
			if (!v.pkg || !*v.pkg)
				return missing(c, "missing package name",
					       "%s[%zu].Vulnerabilities[%zu]."
					       "PkgName", path, i, j);
			rc = add_finding(c, si, &v);
			if (rc != MS_OK)
				return rc;
		}
	}
	return MS_OK;
}

/* ---- image identity -------------------------------------------------- */

/* Could s be an image reference (as opposed to a tarball or directory
 * path, an image ID or a URL)? */
static int looks_like_ref(const char *s)
{
	static const char *const exts[] = {
		".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar.zst",
		".gz", ".zst", ".json", NULL
	};
	size_t n, i, hex = 0, el;

	if (!s || !*s)
		return 0;
	if (s[0] == '/' || s[0] == '.' || s[0] == '~' || s[0] == '@')
		return 0;
	if (strstr(s, "://") || !strncmp(s, "sha256:", 7))
		return 0;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= ' ' || ch == 0x7f || ch == '\\')
			return 0;
		if (isdigit(ch) || (ch >= 'a' && ch <= 'f'))
			hex++;
	}
	if (hex == n && n >= 12 && n <= 64)     /* a bare image ID */
		return 0;
	for (i = 0; exts[i]; i++) {
		el = strlen(exts[i]);
		if (n > el && !strcasecmp(s + n - el, exts[i]))
			return 0;
	}
	return 1;
}

/* Record reference s: "repo:tag" goes to tags; "repo[:tag]@sha256:…" gives
 * "repo@sha256:…" to repo_digests and "repo:tag" to tags.  Anything that
 * is not an image reference is ignored.  -1 on out-of-memory. */
static int add_ref(ms_report *r, ms_image *img, const char *s)
{
	const char *at, *p, *slash = NULL, *colon = NULL;
	size_t repo_len, dlen;
	char *tmp;

	if (!looks_like_ref(s))
		return 0;
	at = strstr(s, "@sha256:");
	if (!at)
		return strchr(s, '@') ? 0 : ms_strlist_add(r, &img->tags, s);
	if (memchr(s, '@', (size_t)(at - s)))   /* "a@b@sha256:…": not a ref */
		return 0;
	for (p = s; p < at; p++)
		if (*p == '/')
			slash = p;
	for (p = slash ? slash : s; p < at; p++)
		if (*p == ':')
			colon = p;
	repo_len = (size_t)((colon ? colon : at) - s);
	if (colon) {
		/* Temporaries live in the arena: freed with the report. */
		tmp = arena_strndup(&r->mem, s, (size_t)(at - s));
		if (!tmp || ms_strlist_add(r, &img->tags, tmp) < 0)
			return -1;
	}
	dlen = strlen(at);
	if (dlen > SIZE_MAX - repo_len - 1)
		return -1;
	tmp = arena_alloc(&r->mem, repo_len + dlen + 1);
	if (!tmp)
		return -1;
	memcpy(tmp, s, repo_len);
	memcpy(tmp + repo_len, at, dlen + 1);
	return ms_strlist_add(r, &img->repo_digests, tmp);
}

/* Set the OS once from (family, version) byte ranges; Trivy's "none"
 * family (nothing detected) is left unset.  -1 on out-of-memory. */
static int set_os(ms_report *r, ms_image *img, const char *fam, size_t flen,
		  const char *ver, size_t vlen)
{
	if (img->os_family || !fam || flen == 0)
		return 0;
	if (flen == 4 && !strncasecmp(fam, "none", 4))
		return 0;
	img->os_family = arena_strndup(&r->mem, fam, flen);
	if (!img->os_family)
		return -1;
	if (ver && vlen > 0) {
		img->os_version = arena_strndup(&r->mem, ver, vlen);
		if (!img->os_version)
			return -1;
	}
	return 0;
}

/* Split an OS target "name (family version)" into the name and the text
 * inside the outer parentheses.  0 when t has no such form. */
static int split_target(const char *t, size_t *name_len, const char **os,
			size_t *os_len)
{
	const char *open;
	size_t len;

	if (!t)
		return 0;
	open = strstr(t, " (");
	len = strlen(t);
	if (!open || open == t || t[len - 1] != ')')
		return 0;
	*name_len = (size_t)(open - t);
	*os = open + 2;
	*os_len = (size_t)(t + len - 1 - *os);
	return 1;
}

/* OS text "debian 10.4", "amazon 2 (Karoo)", "suse linux enterprise
 * server 15.3": the family ends at the first space followed by a digit. */
static int set_os_text(ms_report *r, ms_image *img, const char *os, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (os[i] == ' ' && isdigit((unsigned char)os[i + 1]))
			return set_os(r, img, os, i, os + i + 1, n - i - 1);
	return set_os(r, img, os, n, NULL, 0);
}

/* The first OS result's Target ("alpine:3.10 (alpine 3.10.2)") of a Results
 * array: sets the image name (when want_name and none yet), records it as
 * a reference when as_ref, and sets the OS when not yet known.  Results of
 * another Class (lang-pkgs, config, secret) are skipped.  -1 on OOM. */
static int target_identity(ms_report *r, ms_image *img, const jd_value *results,
			   int want_name, int as_ref)
{
	jd_value *res;
	const char *t, *os, *cls;
	size_t i, nlen, oslen;

	jd_array_foreach(results, i, res) {
		cls = ms_jd_str(res, "Class");
		if (cls && strcmp(cls, "os-pkgs") != 0)
			continue;
		t = ms_jd_str(res, "Target");
		if (!split_target(t, &nlen, &os, &oslen))
			continue;
		if (want_name && !img->name) {
			img->name = arena_strndup(&r->mem, t, nlen);
			if (!img->name)
				return -1;
			if (as_ref && add_ref(r, img, img->name) < 0)
				return -1;
		}
		return set_os_text(r, img, os, oslen);
	}
	return 0;
}

/* Trivy Metadata object: RepoTags, RepoDigests, Reference, ImageID, OS,
 * ImageConfig.architecture.  Fields already set are kept.  -1 on OOM. */
static int fill_metadata(ms_report *r, ms_image *img, const jd_value *meta)
{
	const jd_value *tags = jd_object_get(meta, "RepoTags");
	const jd_value *digests = jd_object_get(meta, "RepoDigests");
	const jd_value *os = jd_object_get(meta, "OS");
	const char *fam, *ver;
	size_t i;

	if (!jd_is_object(meta))
		return 0;
	for (i = 0; i < jd_array_size(tags); i++)
		if (add_ref(r, img, jd_string_value(jd_array_get(tags, i))) < 0)
			return -1;
	for (i = 0; i < jd_array_size(digests); i++)
		if (ms_strlist_add(r, &img->repo_digests,
				   jd_string_value(jd_array_get(digests, i))) < 0)
			return -1;
	if (add_ref(r, img, ms_jd_str(meta, "Reference")) < 0 ||
	    set_once(r, &img->config_digest, ms_jd_str(meta, "ImageID")) < 0 ||
	    set_once(r, &img->architecture,
		     ms_jd_str(jd_object_get(meta, "ImageConfig"),
				 "architecture")) < 0)
		return -1;
	fam = ms_jd_str(os, "Family");
	ver = ms_jd_str(os, "Name");
	return set_os(r, img, fam, fam ? strlen(fam) : 0, ver,
		      ver ? strlen(ver) : 0);
}

/* Append a scan with scanner "trivy"; its index in *si.  NULL on OOM. */
static ms_scan *new_scan(tv_ctx *c, size_t *si)
{
	ms_scan *s = ms_report_add_scan(c->out);

	if (!s)
		return NULL;
	*si = c->out->n_scans - 1;
	s->scanner_name = ms_strdup(c->out, "trivy");
	return s->scanner_name ? s : NULL;
}

/* ---- form 1: trivy image -f json (SchemaVersion 2) -------------------- */

static int is_image_report(const jd_value *o)
{
	return jd_is_object(o) &&
	       jd_object_get(o, "SchemaVersion") &&
	       (jd_object_get(o, "ArtifactName") ||
		jd_object_get(o, "ArtifactType") ||
		jd_object_get(o, "Results") ||
		jd_object_get(o, "Metadata"));
}

static ms_err parse_image_report(tv_ctx *c, const jd_value *root)
{
	ms_report *r = c->out;
	const jd_value *results = jd_object_get(root, "Results");
	const jd_value *meta = jd_object_get(root, "Metadata");
	const char *name = ms_jd_str(root, "ArtifactName");
	const char *atype = ms_jd_str(root, "ArtifactType");
	int is_image = !atype || !strcmp(atype, "container_image");
	ms_scan *s;
	size_t si;

	if (results && !jd_is_null(results) && !jd_is_array(results))
		return missing(c, "not an array", "Results");
	s = new_scan(c, &si);
	if (!s)
		return nomem(c);
	if (set_once(r, &s->scanned_at, ms_jd_str(root, "CreatedAt")) < 0 ||
	    set_once(r, &s->scanner_version,
		     ms_jd_str(jd_object_get(root, "Trivy"), "Version")) < 0 ||
	    set_once(r, &s->image.name, name) < 0 ||
	    (is_image && add_ref(r, &s->image, name) < 0) ||
	    fill_metadata(r, &s->image, meta) < 0 ||
	    target_identity(r, &s->image, results, 1, is_image) < 0)
		return nomem(c);
	return parse_results(c, si, results, "Results");
}

/* ---- form 2: legacy list (schema 1) ---------------------------------- */

static int is_legacy(const jd_value *root)
{
	const jd_value *first;

	if (jd_is_null(root))
		return 1;
	if (!jd_is_array(root))
		return 0;
	if (jd_array_size(root) == 0)
		return 1;
	first = jd_array_get(root, 0);
	return jd_is_object(first) &&
	       (jd_is_string(jd_object_get(first, "Target")) ||
		jd_object_get(first, "Vulnerabilities"));
}

static ms_err parse_legacy(tv_ctx *c, const jd_value *root)
{
	size_t si;

	if (!new_scan(c, &si))
		return nomem(c);
	if (!jd_is_array(root))       /* null: nothing was scanned */
		return MS_OK;
	if (target_identity(c->out, &c->out->scans[si].image, root, 1, 1) < 0)
		return nomem(c);
	return parse_results(c, si, root, "");
}

/* ---- form 3: Trivy Operator VulnerabilityReport (and List) ------------ */

static int is_operator_report(const jd_value *o)
{
	const char *api = ms_jd_str(o, "apiVersion");
	const char *kind = ms_jd_str(o, "kind");

	return api && kind &&
	       !strncmp(api, "aquasecurity.github.io/", 23) &&
	       (!strcmp(kind, "VulnerabilityReport") ||
		!strcmp(kind, "ClusterVulnerabilityReport"));
}

static int is_operator_list(const jd_value *o)
{
	const jd_value *items = jd_object_get(o, "items");
	const char *kind = ms_jd_str(o, "kind");
	size_t i;

	if (!kind || !jd_is_array(items))
		return 0;
	if (strcmp(kind, "List") != 0 &&
	    strcmp(kind, "VulnerabilityReportList") != 0 &&
	    strcmp(kind, "ClusterVulnerabilityReportList") != 0)
		return 0;
	for (i = 0; i < jd_array_size(items); i++)
		if (is_operator_report(jd_array_get(items, i)))
			return 1;
	return 0;
}

/* Image identity of report.artifact + report.registry: name
 * "server/repository[:tag][@digest]", the tag and digest forms as
 * references.  -1 on OOM. */
static int operator_identity(ms_report *r, ms_image *img, const jd_value *report)
{
	const jd_value *art = jd_object_get(report, "artifact");
	const char *repo = ms_jd_str(art, "repository");
	const char *tag = ms_jd_str(art, "tag");
	const char *digest = ms_jd_str(art, "digest");
	const char *server = ms_jd_str(jd_object_get(report, "registry"),
					 "server");
	const char *at;
	char *base, *ref;

	if (!repo || !*repo)
		return 0;
	if (digest && (at = strchr(digest, '@')))       /* "repo@sha256:…" */
		digest = at + 1;
	if (tag && !*tag)
		tag = NULL;
	if (digest && !*digest)
		digest = NULL;
	base = (server && *server) ? arena_printf(&r->mem, "%s/%s", server, repo)
				   : arena_strdup(&r->mem, repo);
	if (!base)
		return -1;
	img->name = arena_printf(&r->mem, "%s%s%s%s%s", base, tag ? ":" : "",
				 tag ? tag : "", digest ? "@" : "",
				 digest ? digest : "");
	if (!img->name)
		return -1;
	if (tag) {
		ref = arena_printf(&r->mem, "%s:%s", base, tag);
		if (!ref || ms_strlist_add(r, &img->tags, ref) < 0)
			return -1;
	}
	if (digest) {
		ref = arena_printf(&r->mem, "%s@%s", base, digest);
		if (!ref || ms_strlist_add(r, &img->repo_digests, ref) < 0)
			return -1;
	}
	return 0;
}

/* One VulnerabilityReport object; path is its JSON path ("" at the top,
 * "items[2]" in a List). */
static ms_err parse_operator_report(tv_ctx *c, const jd_value *item,
				    const char *path)
{
	ms_report *r = c->out;
	const char *dot = *path ? "." : "";
	const jd_value *report = jd_object_get(item, "report");
	const jd_value *vulns, *scanner, *os;
	const char *when, *fam, *ver;
	jd_value *vj;
	ms_scan *s;
	size_t si, j;
	tv_vuln v;
	ms_err rc;
	char *p;

	if (!jd_is_object(report))
		return missing(c, "missing report", "%s%sreport", path, dot);
	vulns = jd_object_get(report, "vulnerabilities");
	if (vulns && !jd_is_null(vulns) && !jd_is_array(vulns))
		return missing(c, "not an array", "%s%sreport.vulnerabilities",
			       path, dot);
	s = new_scan(c, &si);
	if (!s)
		return nomem(c);
	scanner = jd_object_get(report, "scanner");
	if (ms_jd_str(scanner, "name") && *ms_jd_str(scanner, "name")) {
		/* "Trivy" -> "trivy", like the other forms */
		s->scanner_name = ms_strdup(r, ms_jd_str(scanner, "name"));
		if (!s->scanner_name)
			return nomem(c);
		for (p = s->scanner_name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	when = ms_jd_str(report, "updateTimestamp");
	if (!when || !*when)
		when = ms_jd_str(jd_object_get(item, "metadata"),
				   "creationTimestamp");
	os = jd_object_get(report, "os");
	fam = ms_jd_str(os, "family");
	ver = ms_jd_str(os, "name");
	if (set_once(r, &s->scanner_version, ms_jd_str(scanner, "version")) < 0 ||
	    set_once(r, &s->scanned_at, when) < 0 ||
	    operator_identity(r, &s->image, report) < 0 ||
	    set_os(r, &s->image, fam, fam ? strlen(fam) : 0, ver,
		   ver ? strlen(ver) : 0) < 0)
		return nomem(c);
	jd_array_foreach(vulns, j, vj) {
		if (!jd_is_object(vj))
			return missing(c, "vulnerability is not an object",
				       "%s%sreport.vulnerabilities[%zu]",
				       path, dot, j);
		read_operator_vuln(vj, &v);
		if (!v.id || !*v.id)
			return missing(c, "missing vulnerability id",
				       "%s%sreport.vulnerabilities[%zu]."
				       "vulnerabilityID", path, dot, j);
		if (!v.pkg || !*v.pkg)
			return missing(c, "missing package name",
				       "%s%sreport.vulnerabilities[%zu].resource",
				       path, dot, j);
		rc = add_finding(c, si, &v);
		if (rc != MS_OK)
			return rc;
	}
	return MS_OK;
}

/* kubectl List: one scan per VulnerabilityReport item; items of other
 * kinds (ConfigAuditReport, ...) are skipped. */
static ms_err parse_operator_list(tv_ctx *c, const jd_value *root)
{
	const jd_value *items = jd_object_get(root, "items");
	char path[TV_PATH_LEN];
	jd_value *item;
	size_t i;
	ms_err rc;

	jd_array_foreach(items, i, item) {
		if (!jd_is_object(item))
			return missing(c, "item is not an object", "items[%zu]", i);
		if (!is_operator_report(item))
			continue;
		snprintf(path, sizeof(path), "items[%zu]", i);
		rc = parse_operator_report(c, item, path);
		if (rc != MS_OK)
			return rc;
	}
	return MS_OK;
}

/* ---- form 4: trivy k8s cluster report -------------------------------- */

/* Resource arrays of the different `trivy k8s` versions. */
static const char *const k8s_arrays[] = {
	"Resources", "Vulnerabilities", "Findings", NULL
};

static int is_k8s_report(const jd_value *o)
{
	return jd_is_string(jd_object_get(o, "ClusterName")) &&
	       (jd_object_get(o, "Resources") ||
		jd_object_get(o, "Vulnerabilities") ||
		jd_object_get(o, "Misconfigurations") ||
		jd_object_get(o, "Findings"));
}

/* Does any result of a resource carry a non-null Vulnerabilities? */
static int has_vulns(const jd_value *results)
{
	jd_value *res, *v;
	size_t i;

	jd_array_foreach(results, i, res) {
		v = jd_object_get(res, "Vulnerabilities");
		if (v && !jd_is_null(v))
			return 1;
	}
	return 0;
}

/* Image name of a resource: its OS result's Target prefix, else
 * Metadata.RepoTags[0], else Metadata.Reference.  Arena copy or NULL;
 * *oom set on out-of-memory. */
static char *k8s_image_name(ms_report *r, const jd_value *results,
			    const jd_value *meta, int *oom)
{
	jd_value *res;
	const char *t, *os, *cls;
	size_t i, nlen, oslen;
	char *name;

	jd_array_foreach(results, i, res) {
		cls = ms_jd_str(res, "Class");
		if (cls && strcmp(cls, "os-pkgs") != 0)
			continue;
		t = ms_jd_str(res, "Target");
		if (split_target(t, &nlen, &os, &oslen)) {
			name = arena_strndup(&r->mem, t, nlen);
			*oom = !name;
			return name;
		}
	}
	t = jd_string_value(jd_array_get(jd_object_get(meta, "RepoTags"), 0));
	if (!t || !*t)
		t = ms_jd_str(meta, "Reference");
	if (!t || !*t)
		return NULL;
	name = ms_strdup(r, t);
	*oom = !name;
	return name;
}

/* Resource i of the resource array named arr. */
static ms_err parse_k8s_resource(tv_ctx *c, const jd_value *res,
				 const char *arr, size_t i)
{
	ms_report *r = c->out;
	const jd_value *results = jd_object_get(res, "Results");
	const jd_value *meta = jd_object_get(res, "Metadata");
	const char *build;
	char rpath[TV_PATH_LEN];
	char *name, *key = NULL;
	ms_image *img;
	uint64_t h = 0;
	size_t si = TV_EMPTY;
	int oom = 0;

	if (jd_is_array(meta))
		meta = jd_array_get(meta, 0);
	if (!jd_is_object(meta))
		meta = NULL;
	if (results && !jd_is_null(results) && !jd_is_array(results))
		return missing(c, "not an array", "%s[%zu].Results", arr, i);
	name = k8s_image_name(r, results, meta, &oom);
	if (oom)
		return nomem(c);
	build = ms_jd_str(meta, "ImageID");
	if (!build || !*build)
		build = jd_string_value(jd_array_get(
			jd_object_get(meta, "RepoDigests"), 0));
	if (build && !*build)
		build = NULL;
	/* Misconfiguration-only resources name no image: not a scan. */
	if (!name && !build && !has_vulns(results))
		return MS_OK;
	/* Same name and same build (when known) share one scan; a resource
	 * naming no image at all gets a scan of its own. */
	if (name || build) {
		key = arena_printf(&r->mem, "%s\n%s", name ? name : "",
				   build ? build : "");
		if (!key)
			return nomem(c);
		h = hash_str(14695981039346656037ULL, key);
		si = image_find(c, key, h);
	}
	if (si == TV_EMPTY) {
		if (!new_scan(c, &si))
			return nomem(c);
		if (key && table_put(&c->images, h, si, 0, key) < 0)
			return nomem(c);
	}
	img = &r->scans[si].image;
	if (name && !img->name)
		img->name = name;
	if (add_ref(r, img, name) < 0 ||
	    fill_metadata(r, img, meta) < 0 ||
	    target_identity(r, img, results, 0, 0) < 0)
		return nomem(c);
	snprintf(rpath, sizeof(rpath), "%s[%zu].Results", arr, i);
	return parse_results(c, si, results, rpath);
}

static ms_err parse_k8s(tv_ctx *c, const jd_value *root)
{
	const jd_value *arr;
	jd_value *res;
	size_t k, i;
	ms_err rc;

	for (k = 0; k8s_arrays[k]; k++) {
		arr = jd_object_get(root, k8s_arrays[k]);
		if (!arr || jd_is_null(arr))
			continue;
		if (!jd_is_array(arr))
			return missing(c, "not an array", "%s", k8s_arrays[k]);
		jd_array_foreach(arr, i, res) {
			if (!jd_is_object(res))
				return missing(c, "resource is not an object",
					       "%s[%zu]", k8s_arrays[k], i);
			rc = parse_k8s_resource(c, res, k8s_arrays[k], i);
			if (rc != MS_OK)
				return rc;
		}
	}
	return MS_OK;
}

/* ---- public ---------------------------------------------------------- */

int trivy_detect(const jd_value *root)
{
	if (!root)
		return 0;
	if (jd_is_null(root) || jd_is_array(root))
		return is_legacy(root);
	return is_k8s_report(root) || is_operator_list(root) ||
	       is_operator_report(root) || is_image_report(root);
}

ms_err trivy_parse(ms_report *out, const jd_value *root, ms_error *err)
{
	tv_ctx c;
	ms_err rc;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.err = err;
	out->format = "trivy";
	if (!root)
		rc = ms_error_set(err, MS_ERR_FORMAT, NULL, "not a trivy report");
	else if (is_legacy(root))
		rc = parse_legacy(&c, root);
	else if (is_k8s_report(root))
		rc = parse_k8s(&c, root);
	else if (is_operator_list(root))
		rc = parse_operator_list(&c, root);
	else if (is_operator_report(root))
		rc = parse_operator_report(&c, root, "");
	else if (is_image_report(root))
		rc = parse_image_report(&c, root);
	else
		rc = ms_error_set(err, MS_ERR_FORMAT, NULL, "not a trivy report");
	table_free(&c.seen);
	table_free(&c.images);
	return rc;
}
