/*
 * grype.c - Grype JSON report -> ms_report (see grype.h).
 *
 * One scan per report:
 *   source.target.userInput       -> image.name; a tag or an "@sha256:"
 *                                    in it also goes to tags/repo_digests
 *   source.target.tags[]          -> image.tags
 *   source.target.repoDigests[]   -> image.repo_digests
 *   source.target.manifestDigest  -> image.manifest_digest
 *   source.target.imageID         -> image.config_digest
 *   source.target.architecture    -> image.architecture
 *   distro.name / distro.version  -> image.os_family / image.os_version
 *   descriptor.version            -> scanner_version
 *   descriptor.db.built, db.status.built (v6), else schemaVersion
 *                                 -> db_version
 *   descriptor.timestamp          -> scanned_at
 * One finding per match: vulnerability.id; aliases = the other IDs in
 * relatedVulnerabilities (the CVE behind a GHSA); artifact name, version,
 * type, purl and first location path; fix.versions joined with ", ";
 * severity; CVSS chosen by pick_cvss(); url = urls[0], else dataSource.
 * The vulnerability description is long prose, so no title is stored.
 */
#include "grype.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GRYPE_FORMAT "grype"   /* ms_report.format */
#define GRYPE_PATH_MAX 96      /* JSON path buffer for error messages */

/* Copy s (may be NULL or "") into the arena: 0, or -1 on exhaustion. */
static int copy_str(ms_report *r, char **dst, const char *s)
{
	*dst = ms_strdup(r, s);
	return (s && *s && !*dst) ? -1 : 0;
}

/* Copy the first n bytes of s into the arena; NULL on exhaustion. */
static char *copy_n(ms_report *r, const char *s, size_t n)
{
	return arena_strndup(&r->mem, s, n);
}

static ms_err nomem(ms_error *err)
{
	return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
}

/* MS_ERR_MISSING naming "matches[i]<sub>". */
static ms_err missing(ms_error *err, size_t i, const char *sub)
{
	char path[GRYPE_PATH_MAX];

	snprintf(path, sizeof(path), "matches[%zu]%s", i, sub);
	return ms_error_set(err, MS_ERR_MISSING, path,
			    "grype match without a usable %s", path);
}

/* Add every non-empty string of the JSON array arr to l. */
static int add_all(ms_report *r, ms_strlist *l, const jd_value *arr)
{
	size_t i;
	jd_value *v;

	jd_array_foreach(arr, i, v)
		if (ms_strlist_add(r, l, jd_string_value(v)) < 0)
			return -1;
	return 0;
}

/*
 * Join the non-empty strings of the JSON array arr with ", " into *dst
 * (NULL when there are none).  0, or -1 on exhaustion or size overflow.
 */
static int join_strings(ms_report *r, char **dst, const jd_value *arr)
{
	size_t i, total = 0, off = 0, n = 0, len;
	const char *s;
	jd_value *v;
	char *p;

	*dst = NULL;
	jd_array_foreach(arr, i, v) {
		s = jd_string_value(v);
		if (!s || !*s)
			continue;
		len = strlen(s);
		if (len > SIZE_MAX / 2 - total)
			return -1;
		total += len + 2;
		n++;
	}
	if (!n)
		return 0;
	p = arena_alloc(&r->mem, total - 1);   /* n * ", " - 2 + NUL */
	if (!p)
		return -1;
	jd_array_foreach(arr, i, v) {
		s = jd_string_value(v);
		if (!s || !*s)
			continue;
		if (off) {
			memcpy(p + off, ", ", 2);
			off += 2;
		}
		len = strlen(s);
		memcpy(p + off, s, len);
		off += len;
	}
	p[off] = '\0';
	*dst = p;
	return 0;
}

/* ---- image identity ---------------------------------------------------- */

/* Skip a Syft/Grype source scheme that still names a registry image;
 * NULL for schemes naming an archive, a directory or a file, where the
 * input is not an image reference at all. */
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

/*
 * From a user input such as "docker.io/keycloak/keycloak:21.0.2@sha256:…"
 * add the tagged reference ("…keycloak:21.0.2") to img->tags and the
 * digest reference without the tag ("…keycloak@sha256:…") to
 * img->repo_digests.  Inputs without tag or digest add nothing.
 */
static int add_ref_forms(ms_report *r, ms_image *img, const char *input)
{
	const char *ref = image_ref_part(input);
	const char *at, *end, *p, *name_end;
	size_t n, dlen;
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
		s = copy_n(r, ref, (size_t)(end - ref));
		if (!s || ms_strlist_add(r, &img->tags, s) < 0)
			return -1;
	}
	if (at && !strncmp(at + 1, "sha256:", 7)) {
		n = (size_t)(name_end - ref);
		dlen = strlen(at);
		if (dlen > SIZE_MAX - n - 1)
			return -1;
		s = arena_alloc(&r->mem, n + dlen + 1);
		if (!s)
			return -1;
		memcpy(s, ref, n);
		memcpy(s + n, at, dlen + 1);
		if (ms_strlist_add(r, &img->repo_digests, s) < 0)
			return -1;
	}
	return 0;
}

static int fill_image(ms_report *r, ms_image *img, const jd_value *root)
{
	const jd_value *source = jd_object_get(root, "source");
	const jd_value *target = jd_object_get(source, "target");
	const jd_value *distro = jd_object_get(root, "distro");
	const char *type = ms_jd_str(source, "type");
	const char *input;

	if (jd_is_object(target)) {
		input = ms_jd_str(target, "userInput");
		if (!input)
			input = ms_jd_str(target, "path");
		if (copy_str(r, &img->name, input) < 0 ||
		    copy_str(r, &img->manifest_digest,
			     ms_jd_str(target, "manifestDigest")) < 0 ||
		    copy_str(r, &img->config_digest,
			     ms_jd_str(target, "imageID")) < 0 ||
		    copy_str(r, &img->architecture,
			     ms_jd_str(target, "architecture")) < 0 ||
		    add_all(r, &img->tags, jd_object_get(target, "tags")) < 0 ||
		    add_all(r, &img->repo_digests,
			    jd_object_get(target, "repoDigests")) < 0)
			return -1;
		if (input && type && !strcmp(type, "image") &&
		    add_ref_forms(r, img, input) < 0)
			return -1;
	} else if (jd_is_string(target)) {
		/* Old directory/file scans put the path here; the empty
		 * presenter writes the placeholder "unknown". */
		input = jd_string_value(target);
		if (strcmp(input, "unknown") && copy_str(r, &img->name, input) < 0)
			return -1;
	}
	if (copy_str(r, &img->os_family, ms_jd_str(distro, "name")) < 0 ||
	    copy_str(r, &img->os_version, ms_jd_str(distro, "version")) < 0)
		return -1;
	return 0;
}

/* Vulnerability DB version: the build time when reported (v5 db.built,
 * v6 db.status.built), else the schema version. */
static int fill_db_version(ms_report *r, ms_scan *s, const jd_value *desc)
{
	const jd_value *db = jd_object_get(desc, "db");
	const jd_value *status = jd_object_get(db, "status");
	const jd_value *schema;
	const char *built = ms_jd_str(db, "built");

	if (!built)
		built = ms_jd_str(status, "built");
	if (built && *built)
		return copy_str(r, &s->db_version, built);
	schema = jd_object_get(db, "schemaVersion");
	if (!schema)
		schema = jd_object_get(status, "schemaVersion");
	if (jd_is_string(schema))
		return copy_str(r, &s->db_version, jd_string_value(schema));
	if (jd_is_integer(schema)) {
		s->db_version = arena_printf(&r->mem, "%lld",
					     (long long)jd_integer_value(schema));
		return s->db_version ? 0 : -1;
	}
	return 0;
}

static int fill_scan(ms_report *r, ms_scan *s, const jd_value *root)
{
	const jd_value *desc = jd_object_get(root, "descriptor");
	const char *version = ms_jd_str(desc, "version");

	/* Unreleased builds say "[not provided]": that is no version. */
	if (version && !strcmp(version, "[not provided]"))
		version = NULL;
	if (copy_str(r, &s->scanner_name, GRYPE_FORMAT) < 0 ||
	    copy_str(r, &s->scanner_version, version) < 0 ||
	    copy_str(r, &s->scanned_at, ms_jd_str(desc, "timestamp")) < 0 ||
	    fill_db_version(r, s, desc) < 0)
		return -1;
	return fill_image(r, &s->image, root);
}

/* ---- CVSS -------------------------------------------------------------- */

typedef struct cvss_pick {
	double score;             /* 0 = nothing picked */
	const char *vector;       /* borrowed from the document */
	const char *source;       /* the entry's "source", borrowed; may be NULL */
	const char *ns;           /* namespace of the record it came from */
	int nvd;                  /* NVD's own score */
	int rank;                 /* 3 NVD, 2 the match's record, 1 a related one */
} cvss_pick;

/* 3 for CVSS v3.x, 2 for v2, 0 for anything else (v4 is not modelled). */
static int cvss_class(const char *version, const char *vector)
{
	if (version)
		return version[0] == '3' ? 3 : version[0] == '2' ? 2 : 0;
	if (vector) {
		if (!strncmp(vector, "CVSS:3", 6))
			return 3;
		if (!strncmp(vector, "AV:", 3) || !strncmp(vector, "(AV:", 4))
			return 2;
	}
	return 0;
}

/* Base score of a CVSS entry, 0 when absent or outside 0-10. */
static double base_score(const jd_value *v)
{
	double d;

	if (!jd_is_number(v))
		return 0;
	d = jd_number_value(v);
	return (d > 0 && d <= 10) ? d : 0;
}

/*
 * Weigh one cvss[] entry (version, vector, metrics.baseScore, source) of a
 * record in namespace ns.  NVD's own scores (source nvd@nist.gov, or no
 * source in an "nvd:*" namespace) outrank the rest; among equals the first
 * seen wins.
 */
static void consider(cvss_pick *v3, cvss_pick *v2, const jd_value *e,
		     const char *ns, int rank)
{
	const char *version = ms_jd_str(e, "version");
	const char *vector = ms_jd_str(e, "vector");
	const char *source = ms_jd_str(e, "source");
	double score = base_score(jd_object_get(jd_object_get(e, "metrics"),
						  "baseScore"));
	int cls = cvss_class(version, vector);
	int nvd;
	cvss_pick *p;

	if (!score || !cls)
		return;
	nvd = source ? !strcmp(source, "nvd@nist.gov")
		     : (ns && !strncmp(ns, "nvd", 3));
	if (nvd)
		rank = 3;
	p = cls == 3 ? v3 : v2;
	if (rank <= p->rank)
		return;
	p->score = score;
	p->vector = vector;
	p->source = source;
	p->ns = ns;
	p->nvd = nvd;
	p->rank = rank;
}

/* Grype 0.7-era records: {"cvssV3": {"baseScore", "vector"}, "cvssV2": …}
 * with no source; they count as the match's own scores. */
static void consider_old(cvss_pick *p, const jd_value *o)
{
	double score = base_score(jd_object_get(o, "baseScore"));

	if (!score || p->rank >= 2)
		return;
	p->score = score;
	p->vector = ms_jd_str(o, "vector");
	p->source = NULL;
	p->ns = NULL;
	p->nvd = 0;
	p->rank = 2;
}

/* Label for where a score came from: "nvd", the entry's source, or the
 * record namespace's first part ("github" becomes "ghsa"). */
static int cvss_label(ms_report *r, char **dst, const cvss_pick *p)
{
	const char *colon;

	*dst = NULL;
	if (p->nvd)
		return copy_str(r, dst, "nvd");
	if (p->source)
		return copy_str(r, dst, p->source);
	if (!p->ns || !*p->ns)
		return 0;
	colon = strchr(p->ns, ':');
	if (colon && colon == p->ns)
		return 0;
	if (!strncmp(p->ns, "github", 6) && (!p->ns[6] || p->ns[6] == ':'))
		return copy_str(r, dst, "ghsa");
	*dst = colon ? copy_n(r, p->ns, (size_t)(colon - p->ns))
		     : ms_strdup(r, p->ns);
	return *dst ? 0 : -1;
}

/*
 * CVSS for a finding: for v3.x and v2 separately, NVD's score from the
 * match's record or any related record, else the match record's own
 * score, else a related record's.
 */
static int pick_cvss(ms_report *r, ms_finding *f, const jd_value *vuln,
		     const jd_value *related)
{
	cvss_pick v3 = { 0 }, v2 = { 0 };
	const jd_value *list = jd_object_get(vuln, "cvss");
	const jd_value *rel, *e;
	size_t i, j;

	jd_array_foreach(list, i, e)
		consider(&v3, &v2, e, ms_jd_str(vuln, "namespace"), 2);
	consider_old(&v3, jd_object_get(vuln, "cvssV3"));
	consider_old(&v2, jd_object_get(vuln, "cvssV2"));
	jd_array_foreach(related, j, rel) {
		list = jd_object_get(rel, "cvss");
		jd_array_foreach(list, i, e)
			consider(&v3, &v2, e, ms_jd_str(rel, "namespace"), 1);
	}
	if (v3.rank) {
		f->cvss3_score = v3.score;
		if (copy_str(r, &f->cvss3_vector, v3.vector) < 0 ||
		    cvss_label(r, &f->cvss3_source, &v3) < 0)
			return -1;
	}
	if (v2.rank) {
		f->cvss2_score = v2.score;
		if (copy_str(r, &f->cvss2_vector, v2.vector) < 0 ||
		    cvss_label(r, &f->cvss2_source, &v2) < 0)
			return -1;
	}
	return 0;
}

/* ---- findings ---------------------------------------------------------- */

/* First location path of an artifact. */
static const char *first_path(const jd_value *artifact)
{
	const jd_value *loc;
	const char *path;
	size_t i;

	jd_array_foreach(jd_object_get(artifact, "locations"), i, loc) {
		path = ms_jd_str(loc, "path");
		if (path && *path)
			return path;
	}
	return NULL;
}

static ms_err parse_match(ms_report *r, ms_scan *s, json_t *seen,
			  const jd_value *m, size_t idx, ms_error *err)
{
	const jd_value *vuln = jd_object_get(m, "vulnerability");
	const jd_value *art = jd_object_get(m, "artifact");
	const jd_value *related = jd_object_get(m, "relatedVulnerabilities");
	const jd_value *fix = jd_object_get(vuln, "fix");
	const jd_value *rel;
	const char *id, *name, *url, *fixed;
	ms_finding f = { 0 };
	size_t i;

	if (!jd_is_object(m))
		return missing(err, idx, "");
	id = ms_jd_str(vuln, "id");
	if (!id || !*id)
		return missing(err, idx, ".vulnerability.id");
	name = ms_jd_str(art, "name");
	if (!name || !*name)
		return missing(err, idx, ".artifact.name");

	url = jd_string_value(jd_array_get(jd_object_get(vuln, "urls"), 0));
	if (!url || !*url)
		url = ms_jd_str(vuln, "dataSource");
	if (!url || !*url)
		url = jd_string_value(jd_array_get(
				jd_object_get(vuln, "links"), 0));
	fixed = ms_jd_str(vuln, "fixedInVersion");   /* 0.7-era schema */

	if (copy_str(r, &f.vuln_id, id) < 0 ||
	    copy_str(r, &f.pkg_name, name) < 0 ||
	    copy_str(r, &f.installed_version, ms_jd_str(art, "version")) < 0 ||
	    copy_str(r, &f.pkg_type, ms_jd_str(art, "type")) < 0 ||
	    copy_str(r, &f.purl, ms_jd_str(art, "purl")) < 0 ||
	    copy_str(r, &f.pkg_path, first_path(art)) < 0 ||
	    copy_str(r, &f.url, url) < 0 ||
	    join_strings(r, &f.fixed_version, jd_object_get(fix, "versions")) < 0 ||
	    (!f.fixed_version && copy_str(r, &f.fixed_version, fixed) < 0))
		return nomem(err);
	f.severity = ms_severity_from_string(ms_jd_str(vuln, "severity"));
	jd_array_foreach(related, i, rel) {
		const char *alias = ms_jd_str(rel, "id");

		if (alias && strcmp(alias, id) &&
		    ms_strlist_add(r, &f.aliases, alias) < 0)
			return nomem(err);
	}
	if (pick_cvss(r, &f, vuln, related) < 0 ||
	    ms_scan_add_unique(r, s, seen, &f) < 0)
		return nomem(err);
	return MS_OK;
}

/* ---- public ------------------------------------------------------------ */

int grype_detect(const jd_value *root)
{
	const jd_value *desc;
	const char *name;

	if (!jd_is_object(root) ||
	    !jd_is_array(jd_object_get(root, "matches")))
		return 0;
	desc = jd_object_get(root, "descriptor");
	name = ms_jd_str(desc, "name");
	if (name && !strcasecmp(name, "grype"))
		return 1;
	return jd_is_object(jd_object_get(root, "source"));
}

ms_err grype_parse(ms_report *out, const jd_value *root, ms_error *err)
{
	const jd_value *matches, *m;
	json_t *seen = NULL;
	ms_scan *scan;
	ms_err rc;
	size_t i;

	if (!grype_detect(root)) {
		rc = ms_error_set(err, MS_ERR_FORMAT, NULL,
				  "not a grype json report");
		goto fail;
	}
	out->format = GRYPE_FORMAT;
	seen = json_object();
	scan = ms_report_add_scan(out);
	if (!seen || !scan || fill_scan(out, scan, root) < 0) {
		rc = nomem(err);
		goto fail;
	}
	matches = jd_object_get(root, "matches");
	jd_array_foreach(matches, i, m) {
		rc = parse_match(out, scan, seen, m, i, err);
		if (rc != MS_OK)
			goto fail;
	}
	json_decref(seen);
	return MS_OK;

fail:
	json_decref(seen);
	ms_report_free(out);
	return rc;
}
