/*
 * kev.h - the CISA Known Exploited Vulnerabilities catalog
 * (known_exploited_vulnerabilities.json, schema in
 * known_exploited_vulnerabilities_schema.json): the entries muster needs
 * for RULES.md section 3 rule 4 and the BOD 22-01 POA&M columns.
 */
#ifndef MUSTER_KEV_H
#define MUSTER_KEV_H

#include <stddef.h>
#include <jansson.h>

#include "../util/arena.h"
#include "scan_model.h"

typedef struct kev_entry {
	char *cve;                /* "CVE-2022-22965" */
	char *vendor;             /* vendorProject; NULL if absent */
	char *product;
	char *name;               /* vulnerabilityName */
	char *date_added;         /* YYYY-MM-DD */
	char *due_date;           /* YYYY-MM-DD, CISA's BOD 22-01 due date */
	char *ransomware;         /* knownRansomwareCampaignUse: "Known"/"Unknown"; NULL if absent */
} kev_entry;

typedef struct kev_catalog {
	arena mem;                /* owns every string and the items array */
	char *version;            /* catalogVersion, e.g. "2025.08.25" */
	char *released;           /* dateReleased as given */
	kev_entry *items;         /* in file order */
	size_t n, cap;
} kev_catalog;

/* Start an empty catalog / release everything it owns (and reset it). */
void kev_catalog_init(kev_catalog *c);
void kev_catalog_free(kev_catalog *c);

/*
 * Parse the KEV JSON feed into out (initialized by the caller).
 *
 * Top level: an object with a "vulnerabilities" array (else MS_ERR_FORMAT),
 * catalogVersion and dateReleased strings (MS_ERR_MISSING when absent),
 * and, when "count" is an integer, it must equal the number of entries
 * (MS_ERR_MISSING field "count" otherwise: a partial feed must not replace
 * a complete one).
 *
 * Each entry: cveID must match CVE-\d{4}-\d{4,19}, dateAdded and dueDate
 * must be valid calendar dates YYYY-MM-DD; otherwise MS_ERR_MISSING with
 * err->field "vulnerabilities[i].cveID" (or .dateAdded / .dueDate).
 * vendorProject, product, vulnerabilityName and knownRansomwareCampaignUse
 * are optional strings (NULL when absent or not strings).
 *
 * Returns MS_OK, one of the errors above, or MS_ERR_NOMEM.  On failure
 * out->n is reset to 0 (memory stays in out->mem until kev_catalog_free).
 */
ms_err kev_parse(kev_catalog *out, const json_t *root, ms_error *err);

/*
 * The entry for a CVE ID (exact, case-sensitive match), or NULL.  Linear
 * search: callers doing many look-ups should load the catalog into the
 * database instead.
 */
const kev_entry *kev_find(const kev_catalog *c, const char *cve);

#endif
