/*
 * cyclonedx.c - CycloneDX JSON BOM with vulnerabilities -> ms_report (see
 * cyclonedx.h).
 *
 * One scan per BOM:
 *   metadata.component.name          -> image.name (a tag or "@sha256:" in
 *                                       it also goes to tags/repo_digests)
 *   metadata.component.version       -> image.manifest_digest when it is a
 *                                       digest (Syft/Grype write the
 *                                       manifest digest there)
 *   metadata.component.properties    -> aquasecurity:trivy:ImageID
 *                                       (config_digest), :RepoDigest,
 *                                       :RepoTag
 *   metadata.component.purl pkg:oci  -> architecture (arch qualifier); its
 *                                       digest when no repo digest is known
 *   first "operating-system" component -> os_family / os_version
 *   metadata.tools (1.4 array, 1.5+ {components, services}) -> scanner
 *   metadata.timestamp               -> scanned_at
 * One finding per (vulnerability, affects[].ref): package name, version,
 * purl, type (the purl type, e.g. pkg:deb -> "deb") and path resolved
 * through the component with that bom-ref (nested components and BOM-links
 * included; an unknown ref that is a purl is read as one).  Fixed version
 * from "recommendation" ("Upgrade P to version V", Trivy), else the
 * affects versions marked "unaffected".  Aliases from references[].id.
 */
#include "cyclonedx.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CDX_FORMAT "cyclonedx"  /* ms_report.format */
#define CDX_PATH_MAX 96         /* JSON path buffer for error messages */
#define CDX_MAX_DEPTH 64        /* nesting of components followed */

/* Package fields of a component, worked out once (arena strings). */
typedef struct cdx_pkg {
	int done;
	char *name;
	char *version;
	char *purl;
	char *type;
	char *path;
} cdx_pkg;

/* A component of the BOM and, once asked for, its package fields. */
typedef struct cdx_comp {
	const jd_value *json;
	cdx_pkg pkg;
} cdx_comp;

/* Parse state for one BOM. */
typedef struct cdx_ctx {
	ms_report *r;
	ms_scan *scan;
	json_t *seen;            /* finding key -> index, see add_unique */
	json_t *ref_index;       /* bom-ref -> position in comps */
	cdx_comp *comps;         /* every component, malloc'd */
	size_t n_comps;
	size_t cap_comps;
} cdx_ctx;

/* The parts of a package URL muster uses; arena copies, percent-decoded,
 * NULL when absent. */
typedef struct purl_parts {
	char *type;
	char *name;
	char *version;
	char *epoch;             /* qualifier "epoch" */
	char *arch;              /* qualifier "arch" */
	char *repository_url;    /* qualifier "repository_url" */
} purl_parts;

/* Copy s (may be NULL or "") into the arena: 0, or -1 on exhaustion. */
static int copy_str(ms_report *r, char **dst, const char *s)
{
	*dst = ms_strdup(r, s);
	return (s && *s && !*dst) ? -1 : 0;
}

/* Arena copy of s lower-cased; NULL in, NULL out; -1 on exhaustion. */
static int copy_lower(ms_report *r, char **dst, const char *s)
{
	char *p;

	if (copy_str(r, dst, s) < 0)
		return -1;
	for (p = *dst; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

/* Arena string a[0..alen) followed by b; NULL on exhaustion. */
static char *concat(ms_report *r, const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	char *s;

	if (alen > SIZE_MAX - blen - 1)
		return NULL;
	s = arena_alloc(&r->mem, alen + blen + 1);
	if (!s)
		return NULL;
	memcpy(s, a, alen);
	memcpy(s + alen, b, blen + 1);
	return s;
}

static ms_err nomem(ms_error *err)
{
	return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
}

static ms_err missing(ms_error *err, const char *path)
{
	return ms_error_set(err, MS_ERR_MISSING, path,
			    "cyclonedx bom without a usable %s", path);
}

/* Value of the first property named name in obj.properties[]. */
static const char *property(const jd_value *obj, const char *name)
{
	const jd_value *p;
	const char *n;
	size_t i;

	jd_array_foreach(jd_object_get(obj, "properties"), i, p) {
		n = ms_jd_str(p, "name");
		if (n && !strcmp(n, name))
			return ms_jd_str(p, "value");
	}
	return NULL;
}

/* ---- package URLs ------------------------------------------------------ */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Percent-decoded arena copy of [b, e); NULL for an empty range, NULL with
 * *oom set on exhaustion.  Invalid escapes are kept as they are. */
static char *decode(ms_report *r, const char *b, const char *e, int *oom)
{
	char *out, *o;
	int hi, lo;

	if (b >= e)
		return NULL;
	out = arena_alloc(&r->mem, (size_t)(e - b) + 1);
	if (!out) {
		*oom = 1;
		return NULL;
	}
	for (o = out; b < e; b++) {
		if (*b == '%' && e - b >= 3 && (hi = hexval(b[1])) >= 0 &&
		    (lo = hexval(b[2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			b += 2;
		} else {
			*o++ = *b;
		}
	}
	*o = '\0';
	return *out ? out : NULL;
}

/*
 * Split "pkg:type/namespace/name@version?qualifiers#subpath" into *p
 * (zeroed first).  Anything that is not a purl leaves *p empty.  0, or -1
 * on exhaustion.
 */
static int purl_parse(ms_report *r, const char *purl, purl_parts *p)
{
	const char *s, *end, *slash, *at, *name, *q, *amp, *eq, *qend;
	char *t;
	int oom = 0;

	memset(p, 0, sizeof(*p));
	if (!purl || strncmp(purl, "pkg:", 4))
		return 0;
	for (s = purl + 4; *s == '/'; s++)
		;
	end = s + strcspn(s, "?#");
	slash = memchr(s, '/', (size_t)(end - s));
	if (!slash || slash == s)
		return 0;
	p->type = decode(r, s, slash, &oom);
	for (at = end; at > slash && *at != '@'; at--)
		;
	if (at == slash)
		at = end;
	for (name = at; name > slash + 1 && name[-1] != '/'; name--)
		;
	p->name = decode(r, name, at, &oom);
	if (at < end)
		p->version = decode(r, at + 1, end, &oom);
	if (*end == '?') {
		qend = end + 1 + strcspn(end + 1, "#");
		for (q = end + 1; q < qend; q = amp + 1) {
			amp = memchr(q, '&', (size_t)(qend - q));
			if (!amp)
				amp = qend;
			eq = memchr(q, '=', (size_t)(amp - q));
			if (eq) {
				size_t klen = (size_t)(eq - q);
#define QKEY(k) (klen == sizeof(k) - 1 && !strncasecmp(q, k, klen))
				if (QKEY("epoch") && !p->epoch)
					p->epoch = decode(r, eq + 1, amp, &oom);
				else if (QKEY("arch") && !p->arch)
					p->arch = decode(r, eq + 1, amp, &oom);
				else if (QKEY("repository_url") && !p->repository_url)
					p->repository_url = decode(r, eq + 1, amp, &oom);
#undef QKEY
			}
			if (amp == qend)
				break;
		}
	}
	for (t = p->type; t && *t; t++)
		*t = (char)tolower((unsigned char)*t);
	return oom ? -1 : 0;
}

/* ---- components -------------------------------------------------------- */

/* Record comp and its nested components under their bom-refs (the first
 * component with a ref wins). */
static int collect(cdx_ctx *c, const jd_value *comp, int depth)
{
	const jd_value *child;
	const char *ref;
	cdx_comp *grown;
	size_t i, ncap;

	if (!jd_is_object(comp) || depth > CDX_MAX_DEPTH)
		return 0;
	if (c->n_comps == c->cap_comps) {
		ncap = c->cap_comps ? c->cap_comps * 2 : 64;
		if (ncap > SIZE_MAX / sizeof(*c->comps))
			return -1;
		grown = realloc(c->comps, ncap * sizeof(*c->comps));
		if (!grown)
			return -1;
		c->comps = grown;
		c->cap_comps = ncap;
	}
	memset(&c->comps[c->n_comps], 0, sizeof(c->comps[0]));
	c->comps[c->n_comps].json = comp;
	ref = ms_jd_str(comp, "bom-ref");
	if (ref && !json_object_get(c->ref_index, ref) &&
	    json_object_set_new_nocheck(c->ref_index, ref,
			json_integer((json_int_t)c->n_comps)) < 0)
		return -1;
	c->n_comps++;
	jd_array_foreach(jd_object_get(comp, "components"), i, child)
		if (collect(c, child, depth + 1) < 0)
			return -1;
	return 0;
}

/* The component a ref names: a bom-ref, or a BOM-link
 * "urn:cdx:serial/version#bom-ref" into this BOM.  NULL when unknown. */
static cdx_comp *resolve(const cdx_ctx *c, const char *ref)
{
	const json_t *hit = json_object_get(c->ref_index, ref);
	const char *hash;

	if (!hit && !strncmp(ref, "urn:cdx:", 8) && (hash = strchr(ref, '#')))
		hit = json_object_get(c->ref_index, hash + 1);
	if (!hit)
		return NULL;
	return &c->comps[json_integer_value(hit)];
}

/* ---- image and scanner ------------------------------------------------- */

/* Skip a Syft/Grype source scheme that still names a registry image; NULL
 * for schemes naming an archive, a directory or a file. */
static const char *image_ref_part(const char *in)
{
	static const char *const registry[] = {
		"docker:", "podman:", "containerd:", "registry:"
	};
	static const char *const other[] = {
		"docker-archive:", "oci-archive:", "oci-dir:", "singularity:",
		"dir:", "file:", "sbom:"
	};
	size_t i;

	for (i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (!strncmp(in, registry[i], strlen(registry[i])))
			return in + strlen(registry[i]);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (!strncmp(in, other[i], strlen(other[i])))
			return NULL;
	return in;
}

/* From a reference such as "repo:tag@sha256:…" add "repo:tag" to
 * img->tags and "repo@sha256:…" to img->repo_digests. */
static int add_ref_forms(ms_report *r, ms_image *img, const char *input)
{
	const char *ref = image_ref_part(input);
	const char *at, *end, *p, *name_end;
	char *s;

	if (!ref || !*ref)
		return 0;
	at = strchr(ref, '@');
	end = at ? at : ref + strlen(ref);
	name_end = end;
	for (p = end; p > ref && p[-1] != '/'; p--)
		;
	for (; p < end; p++)
		if (*p == ':') {
			name_end = p;
			break;
		}
	if (name_end == ref)
		return 0;
	if (name_end != end) {
		s = arena_strndup(&r->mem, ref, (size_t)(end - ref));
		if (!s || ms_strlist_add(r, &img->tags, s) < 0)
			return -1;
	}
	if (at && !strncmp(at + 1, "sha256:", 7)) {
		s = concat(r, ref, (size_t)(name_end - ref), at);
		if (!s || ms_strlist_add(r, &img->repo_digests, s) < 0)
			return -1;
	}
	return 0;
}

/* First operating-system component: the image's OS. */
static const jd_value *find_os(const cdx_ctx *c)
{
	const char *type;
	size_t i;

	for (i = 0; i < c->n_comps; i++) {
		type = ms_jd_str(c->comps[i].json, "type");
		if (type && !strcmp(type, "operating-system"))
			return c->comps[i].json;
	}
	return NULL;
}

static int fill_image(cdx_ctx *c, const jd_value *comp)
{
	ms_report *r = c->r;
	ms_image *img = &c->scan->image;
	const char *name = ms_jd_str(comp, "name");
	const char *version = ms_jd_str(comp, "version");
	const jd_value *os = find_os(c), *p;
	const char *pname, *value;
	purl_parts oci;
	char *s;
	size_t i;

	if (copy_str(r, &img->name, name) < 0 ||
	    (name && add_ref_forms(r, img, name) < 0) ||
	    copy_str(r, &img->config_digest,
		     property(comp, "aquasecurity:trivy:ImageID")) < 0 ||
	    copy_str(r, &img->os_family, ms_jd_str(os, "name")) < 0 ||
	    copy_str(r, &img->os_version, ms_jd_str(os, "version")) < 0)
		return -1;
	if (version && !strncmp(version, "sha256:", 7) &&
	    copy_str(r, &img->manifest_digest, version) < 0)
		return -1;
	jd_array_foreach(jd_object_get(comp, "properties"), i, p) {
		pname = ms_jd_str(p, "name");
		value = ms_jd_str(p, "value");
		if (!pname || !value)
			continue;
		if (!strcmp(pname, "aquasecurity:trivy:RepoDigest") &&
		    ms_strlist_add(r, &img->repo_digests, value) < 0)
			return -1;
		if (!strcmp(pname, "aquasecurity:trivy:RepoTag") &&
		    ms_strlist_add(r, &img->tags, value) < 0)
			return -1;
	}
	if (purl_parse(r, ms_jd_str(comp, "purl"), &oci) < 0)
		return -1;
	if (!oci.type || strcmp(oci.type, "oci"))
		return 0;
	img->architecture = oci.arch;
	if (!img->repo_digests.n && oci.version &&
	    !strncmp(oci.version, "sha256:", 7) &&
	    (oci.repository_url || oci.name)) {
		pname = oci.repository_url ? oci.repository_url : oci.name;
		s = concat(r, pname, strlen(pname), "@");
		s = s ? concat(r, s, strlen(s), oci.version) : NULL;
		if (!s || ms_strlist_add(r, &img->repo_digests, s) < 0)
			return -1;
	}
	return 0;
}

/* Scanner from metadata.tools: the 1.4 array of {vendor, name, version},
 * or the 1.5+ object {components: [...], services: [...]}. */
static int fill_scanner(ms_report *r, ms_scan *s, const jd_value *tools)
{
	const jd_value *list[2] = { NULL, NULL }, *t = NULL, *e;
	const char *version;
	size_t i, k;

	if (jd_is_array(tools)) {
		list[0] = tools;
	} else {
		list[0] = jd_object_get(tools, "components");
		list[1] = jd_object_get(tools, "services");
	}
	for (k = 0; k < 2 && !t; k++)
		jd_array_foreach(list[k], i, e)
			if (ms_jd_str(e, "name")) {
				t = e;
				break;
			}
	if (!t)
		return 0;
	version = ms_jd_str(t, "version");
	if (version && !strcmp(version, "[not provided]"))
		version = NULL;   /* unreleased Grype/Syft builds */
	if (copy_lower(r, &s->scanner_name, ms_jd_str(t, "name")) < 0 ||
	    copy_str(r, &s->scanner_version, version) < 0)
		return -1;
	return 0;
}

/* ---- ratings ----------------------------------------------------------- */

/* The source a rating speaks for: its own, else the vulnerability's. */
static const char *rating_source(const jd_value *rating, const char *vsource)
{
	const char *s = ms_jd_str(jd_object_get(rating, "source"), "name");

	return s ? s : vsource;
}

static int same_source(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcasecmp(a, b));
}

/* 3 for CVSS v3.x, 2 for v2, 0 otherwise (v4, OWASP, SSVC, EPSS…). */
static int rating_class(const jd_value *rating)
{
	const char *m = ms_jd_str(rating, "method");
	const char *v = ms_jd_str(rating, "vector");

	if (m)
		return (!strcmp(m, "CVSSv3") || !strcmp(m, "CVSSv31")) ? 3
		       : !strcmp(m, "CVSSv2") ? 2 : 0;
	if (v && !strncmp(v, "CVSS:3", 6))
		return 3;
	if (v && !strncmp(v, "AV:", 3))
		return 2;
	return 0;
}

/* CycloneDX severities; "none" and "info" rank as negligible. */
static ms_severity rating_severity(const jd_value *rating)
{
	const char *s = ms_jd_str(rating, "severity");

	if (s && (!strcasecmp(s, "none") || !strcasecmp(s, "info")))
		return MS_SEV_NEGLIGIBLE;
	return ms_severity_from_string(s);
}

static double rating_score(const jd_value *rating)
{
	const jd_value *v = jd_object_get(rating, "score");
	double d;

	if (!jd_is_number(v))
		return 0;
	d = jd_number_value(v);
	return (d > 0 && d <= 10) ? d : 0;
}

/* First rating from source src (NULL: any) with a known severity,
 * preferring a CVSS v3 one. */
static const jd_value *severity_rating(const jd_value *ratings, const char *vsource,
				     const char *src, int any)
{
	const jd_value *e, *first = NULL;
	size_t i;

	jd_array_foreach(ratings, i, e) {
		if (rating_severity(e) == MS_SEV_UNKNOWN)
			continue;
		if (!any && !same_source(rating_source(e, vsource), src))
			continue;
		if (rating_class(e) == 3)
			return e;
		if (!first)
			first = e;
	}
	return first;
}

/*
 * The scanner's severity: the rating from the vulnerability's own source
 * (Trivy's vendor severity), else NVD's, else the first rating that has
 * one.
 */
static ms_severity pick_severity(const jd_value *vuln, const char *vsource)
{
	const jd_value *ratings = jd_object_get(vuln, "ratings");
	const jd_value *e = severity_rating(ratings, vsource, vsource, 0);

	if (!e)
		e = severity_rating(ratings, vsource, "nvd", 0);
	if (!e)
		e = severity_rating(ratings, vsource, NULL, 1);
	return e ? rating_severity(e) : MS_SEV_UNKNOWN;
}

/* "nvd", "ghsa" or the rating source lower-cased. */
static int source_label(ms_report *r, char **dst, const char *src)
{
	if (src && !strncasecmp(src, "nvd", 3))
		src = "nvd";
	else if (src && (!strncasecmp(src, "github", 6) ||
			 !strncasecmp(src, "ghsa", 4)))
		src = "ghsa";
	return copy_lower(r, dst, src);
}

/*
 * CVSS of one class: NVD's rating, else the vulnerability source's, else
 * the first scored one.
 */
static const jd_value *cvss_rating(const jd_value *ratings, const char *vsource,
				 int cls)
{
	const jd_value *e, *own = NULL, *first = NULL;
	const char *src;
	size_t i;

	jd_array_foreach(ratings, i, e) {
		if (rating_class(e) != cls || !rating_score(e))
			continue;
		src = rating_source(e, vsource);
		if (src && !strncasecmp(src, "nvd", 3))
			return e;
		if (!own && same_source(src, vsource))
			own = e;
		if (!first)
			first = e;
	}
	return own ? own : first;
}

static int pick_cvss(ms_report *r, ms_finding *f, const jd_value *vuln,
		     const char *vsource)
{
	const jd_value *ratings = jd_object_get(vuln, "ratings");
	const jd_value *v3 = cvss_rating(ratings, vsource, 3);
	const jd_value *v2 = cvss_rating(ratings, vsource, 2);

	if (v3) {
		f->cvss3_score = rating_score(v3);
		if (copy_str(r, &f->cvss3_vector, ms_jd_str(v3, "vector")) < 0 ||
		    source_label(r, &f->cvss3_source, rating_source(v3, vsource)) < 0)
			return -1;
	}
	if (v2) {
		f->cvss2_score = rating_score(v2);
		if (copy_str(r, &f->cvss2_vector, ms_jd_str(v2, "vector")) < 0 ||
		    source_label(r, &f->cvss2_source, rating_source(v2, vsource)) < 0)
			return -1;
	}
	return 0;
}

/* ---- fixed versions ---------------------------------------------------- */

/* Trivy's recommendation, read once per vulnerability. */
typedef struct cdx_fixes {
	json_t *by_pkg;          /* package name -> fixed version (string) */
	const char *only;        /* the version when there is one clause */
	size_t clauses;
} cdx_fixes;

/* Pointer to the first occurrence of needle in [b, e), or NULL. */
static const char *find_in(const char *b, const char *e, const char *needle)
{
	size_t n = strlen(needle);

	for (; (size_t)(e - b) >= n; b++)
		if (!memcmp(b, needle, n))
			return b;
	return NULL;
}

/*
 * Read "Upgrade P to version V" clauses joined by "; " into fx (the first
 * clause for a package wins).  fx->by_pkg is the caller's to json_decref.
 * 0, or -1 on exhaustion.
 */
static int read_recommendation(const char *rec, cdx_fixes *fx)
{
	static const char up[] = "Upgrade ", to[] = " to version ";
	const char *b = rec, *e, *n, *t, *v;
	json_t *hit;

	memset(fx, 0, sizeof(*fx));
	fx->by_pkg = json_object();
	if (!fx->by_pkg)
		return -1;
	while (b && *b) {
		e = strstr(b, "; ");
		if (!e)
			e = b + strlen(b);
		n = b + sizeof(up) - 1;
		t = strncmp(b, up, sizeof(up) - 1) ? NULL : find_in(n, e, to);
		v = t ? t + sizeof(to) - 1 : NULL;
		while (v && v < e && isspace((unsigned char)*v))
			v++;
		if (v && v < e && t > n) {
			fx->clauses++;
			hit = json_object_getn(fx->by_pkg, n, (size_t)(t - n));
			if (!hit) {
				hit = json_stringn_nocheck(v, (size_t)(e - v));
				if (json_object_setn_new_nocheck(fx->by_pkg, n,
						(size_t)(t - n), hit) < 0)
					return -1;
			}
			if (fx->clauses == 1)
				fx->only = json_string_value(hit);
		}
		b = *e ? e + 2 : NULL;
	}
	return 0;
}

/* The fixed version the recommendation gives package pkg: its own
 * clause, else the only clause when the vulnerability affects a single
 * component. */
static const char *fix_for(const cdx_fixes *fx, const char *pkg, int single)
{
	const char *v = json_string_value(json_object_get(fx->by_pkg, pkg));

	if (!v && single && fx->clauses == 1)
		v = fx->only;
	return v;
}

/* An affects[].versions entry marked "unaffected": its version. */
static const char *unaffected(const jd_value *e)
{
	const char *status = ms_jd_str(e, "status");
	const char *v = ms_jd_str(e, "version");

	return status && !strcmp(status, "unaffected") && v && *v ? v : NULL;
}

/* affects[].versions entries marked "unaffected", joined with ", ". */
static int fix_from_versions(ms_report *r, char **dst, const jd_value *affect)
{
	const jd_value *versions = jd_object_get(affect, "versions"), *e;
	size_t i, len, total = 0, off = 0;
	const char *v;
	char *p;

	*dst = NULL;
	jd_array_foreach(versions, i, e) {
		if (!(v = unaffected(e)))
			continue;
		len = strlen(v);
		if (len > SIZE_MAX / 2 - total)
			return -1;
		total += len + 2;
	}
	if (!total)
		return 0;
	p = arena_alloc(&r->mem, total - 1);   /* n * ", " - 2 + NUL */
	if (!p)
		return -1;
	jd_array_foreach(versions, i, e) {
		if (!(v = unaffected(e)))
			continue;
		if (off) {
			memcpy(p + off, ", ", 2);
			off += 2;
		}
		len = strlen(v);
		memcpy(p + off, v, len);
		off += len;
	}
	p[off] = '\0';
	*dst = p;
	return 0;
}

/* ---- findings ---------------------------------------------------------- */

/*
 * Package fields of component comp (NULL when ref matches none).  A ref
 * that names no component but is a purl (Trivy uses purls as bom-refs) is
 * read as one; any other unknown ref stands in as the package name.  0,
 * or -1 on exhaustion.
 */
static int package_of(ms_report *r, const jd_value *comp, const char *ref,
		      cdx_pkg *p)
{
	const char *name = ms_jd_str(comp, "name");
	const char *version = ms_jd_str(comp, "version");
	const char *purl = ms_jd_str(comp, "purl");
	const char *type, *path;
	purl_parts pp;

	if (!purl && !comp && !strncmp(ref, "pkg:", 4))
		purl = ref;
	if (purl_parse(r, purl, &pp) < 0)
		return -1;
	if (!name || !*name)
		name = pp.name ? pp.name : ref;
	if (!version || !*version)
		version = pp.version;
	/* Trivy keeps a non-zero epoch in the purl only ("epoch=2"), while
	 * its JSON report writes "2:8.39-…": put it back. */
	if (version && pp.epoch && strcmp(pp.epoch, "0") && !strchr(version, ':')) {
		char *v = concat(r, pp.epoch, strlen(pp.epoch), ":");

		v = v ? concat(r, v, strlen(v), version) : NULL;
		if (!v)
			return -1;
		version = v;
	}
	type = pp.type;
	if (!type)
		type = property(comp, "syft:package:type");
	if (!type)
		type = property(comp, "aquasecurity:trivy:PkgType");
	if (!type)
		type = property(comp, "aquasecurity:trivy:Type");
	path = property(comp, "aquasecurity:trivy:FilePath");
	if (!path)
		path = property(comp, "syft:location:0:path");
	if (copy_str(r, &p->name, name) < 0 ||
	    copy_str(r, &p->version, version) < 0 ||
	    copy_str(r, &p->purl, purl) < 0 ||
	    copy_str(r, &p->type, type) < 0 ||
	    copy_str(r, &p->path, path) < 0)
		return -1;
	p->done = 1;
	return 0;
}

/* Package fields of f from the component ref names, worked out once per
 * component however many vulnerabilities affect it. */
static int fill_package(cdx_ctx *c, ms_finding *f, const char *ref)
{
	cdx_comp *comp = resolve(c, ref);
	cdx_pkg tmp = { 0 }, *p = comp ? &comp->pkg : &tmp;

	if (!p->done && package_of(c->r, comp ? comp->json : NULL, ref, p) < 0)
		return -1;
	f->pkg_name = p->name;
	f->installed_version = p->version;
	f->purl = p->purl;
	f->pkg_type = p->type;
	f->pkg_path = p->path;
	return 0;
}

static ms_err parse_vulnerability(cdx_ctx *c, const jd_value *vuln, size_t i,
				  ms_error *err)
{
	ms_report *r = c->r;
	const jd_value *affects = jd_object_get(vuln, "affects");
	const jd_value *a, *e;
	const char *id = ms_jd_str(vuln, "id");
	const char *vsource = ms_jd_str(jd_object_get(vuln, "source"), "name");
	const char *url, *ref, *alias;
	char path[CDX_PATH_MAX];
	ms_finding base = { 0 }, f;
	cdx_fixes fixes = { 0 };
	ms_err rc = MS_OK;
	size_t k;

	if (!jd_is_object(vuln) || !id || !*id) {
		snprintf(path, sizeof(path), "vulnerabilities[%zu].id", i);
		return missing(err, path);
	}
	url = ms_jd_str(jd_array_get(jd_object_get(vuln, "advisories"), 0),
			  "url");
	if (!url || !*url)
		url = ms_jd_str(jd_object_get(vuln, "source"), "url");
	if (copy_str(r, &base.vuln_id, id) < 0 ||
	    copy_str(r, &base.url, url) < 0 ||
	    copy_str(r, &base.published, ms_jd_str(vuln, "published")) < 0 ||
	    pick_cvss(r, &base, vuln, vsource) < 0 ||
	    read_recommendation(ms_jd_str(vuln, "recommendation"), &fixes) < 0)
		goto nomem;
	base.severity = pick_severity(vuln, vsource);
	jd_array_foreach(jd_object_get(vuln, "references"), k, e) {
		alias = ms_jd_str(e, "id");
		if (alias && strcmp(alias, id) &&
		    ms_strlist_add(r, &base.aliases, alias) < 0)
			goto nomem;
	}
	jd_array_foreach(affects, k, a) {
		ref = ms_jd_str(a, "ref");
		if (!ref || !*ref) {
			snprintf(path, sizeof(path),
				 "vulnerabilities[%zu].affects[%zu].ref", i, k);
			rc = missing(err, path);
			goto cleanup;
		}
		f = base;
		if (fill_package(c, &f, ref) < 0 ||
		    copy_str(r, &f.fixed_version, fix_for(&fixes, f.pkg_name,
				jd_array_size(affects) == 1)) < 0 ||
		    (!f.fixed_version &&
		     fix_from_versions(r, &f.fixed_version, a) < 0) ||
		    ms_scan_add_unique(r, c->scan, c->seen, &f) < 0)
			goto nomem;
	}
	goto cleanup;

nomem:
	rc = nomem(err);
cleanup:
	json_decref(fixes.by_pkg);
	return rc;
}

/* ---- public ------------------------------------------------------------ */

int cyclonedx_detect(const jd_value *root)
{
	const char *format = ms_jd_str(root, "bomFormat");

	return format && !strcmp(format, "CycloneDX");
}

/* Spec versions before 1.4 had no vulnerabilities; unparsable or absent
 * versions are given the benefit of the doubt. */
static int spec_supported(const char *v)
{
	char *end;
	long minor;

	if (!v || strncmp(v, "1.", 2))
		return 1;
	minor = strtol(v + 2, &end, 10);
	return end == v + 2 || minor >= 4;
}

ms_err cyclonedx_parse(ms_report *out, const jd_value *root, ms_error *err)
{
	const jd_value *meta = jd_object_get(root, "metadata");
	const jd_value *vulns = jd_object_get(root, "vulnerabilities");
	const jd_value *comp, *v;
	cdx_ctx c = { 0 };
	ms_err rc = MS_OK;
	size_t i;

	if (!cyclonedx_detect(root)) {
		rc = ms_error_set(err, MS_ERR_FORMAT, NULL,
				  "not a cyclonedx json bom");
		goto cleanup;
	}
	if (!spec_supported(ms_jd_str(root, "specVersion"))) {
		rc = ms_error_set(err, MS_ERR_FORMAT, "specVersion",
				  "cyclonedx %s has no vulnerabilities; 1.4 or "
				  "later is required",
				  ms_jd_str(root, "specVersion"));
		goto cleanup;
	}
	if (vulns && !jd_is_null(vulns) && !jd_is_array(vulns)) {
		rc = missing(err, "vulnerabilities");
		goto cleanup;
	}
	out->format = CDX_FORMAT;
	c.r = out;
	c.scan = ms_report_add_scan(out);
	c.seen = json_object();
	c.ref_index = json_object();
	if (!c.scan || !c.seen || !c.ref_index ||
	    collect(&c, jd_object_get(meta, "component"), 0) < 0)
		goto nomem;
	jd_array_foreach(jd_object_get(root, "components"), i, comp)
		if (collect(&c, comp, 0) < 0)
			goto nomem;
	if (fill_image(&c, jd_object_get(meta, "component")) < 0 ||
	    fill_scanner(out, c.scan, jd_object_get(meta, "tools")) < 0 ||
	    copy_str(out, &c.scan->scanned_at,
		     ms_jd_str(meta, "timestamp")) < 0)
		goto nomem;
	jd_array_foreach(vulns, i, v) {
		rc = parse_vulnerability(&c, v, i, err);
		if (rc != MS_OK)
			goto cleanup;
	}
	goto cleanup;

nomem:
	rc = nomem(err);
cleanup:
	json_decref(c.seen);
	json_decref(c.ref_index);
	free(c.comps);
	if (rc != MS_OK)
		ms_report_free(out);
	return rc;
}
