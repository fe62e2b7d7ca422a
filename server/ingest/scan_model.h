/*
 * scan_model.h - the one normalized model every scan-report parser fills.
 *
 * A parser turns a report (Trivy, Grype, SARIF, CycloneDX, ...) into an
 * ms_report: one ms_scan per image the report covers, each with the image's
 * identity as the report states it (raw names and digests, not yet
 * normalized: that is identity.c's job), the scanner, the scan time and the
 * findings.  Everything hangs off the report's arena: ms_report_free()
 * releases it all.  Parsers know nothing of HTTP or SQL.
 */
#ifndef MUSTER_SCAN_MODEL_H
#define MUSTER_SCAN_MODEL_H

#include <stddef.h>
#include <jansson.h>

#include "../util/arena.h"
#include "../util/jdoc.h"

typedef enum ms_severity {
	MS_SEV_UNKNOWN = 0,
	MS_SEV_NEGLIGIBLE,
	MS_SEV_LOW,
	MS_SEV_MEDIUM,
	MS_SEV_HIGH,
	MS_SEV_CRITICAL
} ms_severity;

/* A list of strings owned by the report arena. */
typedef struct ms_strlist {
	char **items;
	size_t n;
	size_t cap;
} ms_strlist;

typedef struct ms_finding {
	char *vuln_id;            /* the scanner's ID: CVE-…, GHSA-…, DSA-…; required */
	ms_strlist aliases;       /* other IDs for the same weakness (CVE for a GHSA, …) */
	char *pkg_name;           /* required */
	char *pkg_type;           /* apk, deb, rpm, npm, pip, gobinary, jar, gemspec, … */
	char *installed_version;
	char *fixed_version;      /* fixed versions as the scanner lists them, ", " joined; NULL = no fix */
	char *pkg_path;           /* file path of the package inside the image, when known */
	char *purl;
	ms_severity severity;     /* scanner severity */
	double cvss3_score;       /* 0 = absent */
	char *cvss3_vector;
	char *cvss3_source;       /* "nvd", "redhat", "ghsa", … */
	double cvss2_score;       /* 0 = absent */
	char *cvss2_vector;
	char *cvss2_source;
	char *title;
	char *url;                /* primary URL */
	char *published;          /* RFC 3339 as reported, or NULL */
} ms_finding;

typedef struct ms_image {
	char *name;               /* the reference as reported (ArtifactName, userInput, …);
	                             may be a tarball path */
	ms_strlist tags;          /* references with tags: "nginx:1.25", "docker.io/x/y:v1" */
	ms_strlist repo_digests;  /* "repo@sha256:…" as reported */
	char *manifest_digest;    /* "sha256:…" */
	char *index_digest;       /* "sha256:…" multi-arch index */
	char *config_digest;      /* "sha256:…" image ID */
	char *os_family;
	char *os_version;
	char *architecture;
} ms_image;

typedef struct ms_scan {
	ms_image image;
	char *scanner_name;       /* "trivy", "grype", … */
	char *scanner_version;
	char *db_version;         /* vulnerability DB version or build date */
	char *scanned_at;         /* RFC 3339 as reported, or NULL */
	ms_finding *findings;
	size_t n_findings;
	size_t cap_findings;
} ms_scan;

typedef struct ms_report {
	arena mem;                /* owns every string and array below */
	const char *format;       /* "trivy", "grype", "sarif", "cyclonedx", … (static) */
	ms_scan *scans;
	size_t n_scans;
	size_t cap_scans;
} ms_report;

/* Error codes a parser returns; each maps to an HTTP status in http/. */
typedef enum ms_err {
	MS_OK = 0,
	MS_ERR_SYNTAX = 1,        /* not well-formed JSON -> 400 */
	MS_ERR_FORMAT = 2,        /* not a format we know -> 415 */
	MS_ERR_MISSING = 3,       /* a known format missing what the model needs -> 422 */
	MS_ERR_NOMEM = 4          /* -> 500 */
} ms_err;

typedef struct ms_error {
	ms_err code;
	int line;                 /* for MS_ERR_SYNTAX, 1-based; 0 unknown */
	int column;
	char field[128];          /* for MS_ERR_MISSING: JSON path of what is missing */
	char message[256];        /* short, lower-case, no trailing period */
} ms_error;

void ms_report_init(ms_report *r);
void ms_report_free(ms_report *r);

/* Append a zeroed scan / finding; NULL on out-of-memory. */
ms_scan *ms_report_add_scan(ms_report *r);
ms_finding *ms_scan_add_finding(ms_report *r, ms_scan *s);

/* Append a copy of s (ignored when s is NULL or empty, or already in the
 * list); -1 on out-of-memory. */
int ms_strlist_add(ms_report *r, ms_strlist *l, const char *s);
int ms_strlist_contains(const ms_strlist *l, const char *s);

/* Append a copy of f to the scan unless a finding with the same
 * (vulnerability ID, package, installed version, package path) exists
 * (RULES.md 4); a duplicate is merged into the first (aliases united, gaps
 * filled). seen is the caller's jansson object (json_object(), decref'd by
 * the caller) mapping those keys to finding positions. 0, or -1 on
 * exhaustion. */
int ms_scan_add_unique(ms_report *r, ms_scan *s, json_t *seen, const ms_finding *f);

/* Copy into the arena; NULL in -> NULL out, "" -> NULL. */
char *ms_strdup(ms_report *r, const char *s);

/* Set an error; always returns code, for `return ms_error_set(...)`. */
ms_err ms_error_set(ms_error *err, ms_err code, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Map a scanner's severity word (any case) to ms_severity. */
ms_severity ms_severity_from_string(const char *s);
const char *ms_severity_name(ms_severity s); /* "CRITICAL", …, "UNKNOWN" */

/* Convenience for parsers: string member of a JSON object, or NULL when
 * absent or not a string. */
const char *ms_json_str(const json_t *obj, const char *key);
const char *ms_jd_str(const jd_value *obj, const char *key);

#endif
