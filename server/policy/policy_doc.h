/*
 * policy_doc.h - validation of the documents an administrator sets: the
 * policy (RULES.md section 3 settings), hardening baselines, asset
 * metadata of the inventory workbook, and webhook URLs. Pure functions:
 * JSON in, validated and normalized values out, with the offending field
 * named on refusal. No I/O, no clock, no global state.
 */
#ifndef MUSTER_POLICY_DOC_H
#define MUSTER_POLICY_DOC_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "../util/arena.h"

#define POLICY_WINDOW_MIN 1
#define POLICY_WINDOW_MAX 365
#define POLICY_MAX_REGISTRIES 1000   /* allowed_registries entries */
#define POLICY_MAX_MOVING_TAGS 100   /* moving_tags entries */

/* Why a document was refused: the field (JSON path) and a message. */
typedef struct policy_doc_error {
	char field[128];
	char message[256];
} policy_doc_error;

typedef enum policy_admission_mode {
	POLICY_ADMISSION_ENFORCE = 0,   /* deny what violates a rule */
	POLICY_ADMISSION_WARN = 1       /* allow, with the reasons as warnings */
} policy_admission_mode;

/* The policy document. Strings and arrays are owned by mem. */
typedef struct policy_doc {
	arena mem;
	int scan_window_days;                 /* 1..365 */
	char **allowed_registries;            /* normalized hosts; none = any */
	size_t n_allowed_registries;
	int require_hardening;                /* 0 or 1 */
	policy_admission_mode admission_mode;
	char **moving_tags;                   /* tags that are not versions */
	size_t n_moving_tags;
} policy_doc;

/* Set p to muster's defaults (30 days, any registry, hardening required,
 * enforce, moving tag "latest"). Release with policy_doc_free. */
void policy_doc_init(policy_doc *p);
/* Release what p owns and reset it to the defaults. */
void policy_doc_free(policy_doc *p);

/*
 * Validate a policy document and fill out (initialized by the caller;
 * its previous contents are released). Every field is required:
 * scan_window_days (integer 1..365), allowed_registries (array of
 * registry hosts, e.g. "registry.example.com:5000"; lower-cased,
 * Docker Hub's aliases become "docker.io", duplicates dropped; empty =
 * any registry), require_hardening (boolean), admission_mode ("enforce"
 * or "warn"), moving_tags (array of Docker tags, duplicates dropped).
 * Unknown members are refused. Returns 0, or -1 with err filled (out is
 * then reset to the defaults).
 */
int policy_doc_parse(policy_doc *out, const json_t *doc, policy_doc_error *err);

/* The normalized document as a new JSON object (caller decrefs), or NULL
 * when out of memory. */
json_t *policy_doc_to_json(const policy_doc *p);

/* A hardening baseline as PUT by an administrator; the strings are
 * borrowed from the JSON document given to policy_doc_parse_hardening. */
typedef struct policy_hardening {
	const char *baseline;       /* required, 1..500 characters */
	const char *benchmark;      /* optional (NULL), up to 500 */
	const char *validated_by;   /* required, 1..200 */
	time_t validated_at;        /* required: RFC 3339 or YYYY-MM-DD */
	const char *evidence;       /* optional (NULL), up to 4000 */
} policy_hardening;

/* Validate a hardening document ({"baseline","benchmark","validated_by",
 * "validated_at","evidence"}; null optional members count as absent;
 * unknown members are refused). 0, or -1 with err filled. */
int policy_doc_parse_hardening(policy_hardening *out, const json_t *doc, policy_doc_error *err);

/*
 * Validate asset metadata for the inventory workbook: owner,
 * application_owner, function, diagram_label, vendor,
 * software_name_version, location (strings up to 1000 characters),
 * comments (up to 4000), public (boolean), end_of_life (a date
 * YYYY-MM-DD). null members count as absent; unknown members are
 * refused. On success *out is a new object holding the members given
 * (caller decrefs) and 0 is returned; -1 with err filled otherwise.
 */
int policy_doc_parse_metadata(json_t **out, const json_t *doc, policy_doc_error *err);

/* A webhook URL split for a client connection. */
typedef struct policy_url {
	int tls;                 /* 1 for https */
	char host[256];          /* host name or address (IPv6 without brackets) */
	int port;                /* explicit or 80 / 443 */
	char path[2048];         /* "/..." with the query, "/" when empty */
} policy_url;

/*
 * Parse a webhook URL: "http://" or "https://", a host (name, IPv4, or
 * [IPv6]), an optional port 1..65535, an optional path and query (no
 * fragment, no user information, no spaces or control characters; at
 * most 2000 characters in all). 0, or -1 with err filled (field "url").
 */
int policy_doc_parse_url(policy_url *out, const char *url, policy_doc_error *err);

#endif
