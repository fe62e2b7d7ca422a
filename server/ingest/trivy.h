/*
 * trivy.h - parser for Trivy vulnerability reports.
 *
 * Owns the recognition and parsing of every JSON form Trivy and its
 * companions produce for container images:
 *   - `trivy image -f json` (SchemaVersion 2, one image);
 *   - the legacy list form (schema 1: a top-level array of results, or
 *     a bare `null` when nothing was scanned);
 *   - Trivy Operator VulnerabilityReport custom resources, alone or as a
 *     Kubernetes List (`kubectl get vulnerabilityreports -o json`);
 *   - `trivy k8s --format json` cluster reports (one scan per image).
 * The output is the normalized model of scan_model.h.
 */
#ifndef MUSTER_INGEST_TRIVY_H
#define MUSTER_INGEST_TRIVY_H

#include "../util/jdoc.h"

#include "scan_model.h"

/*
 * Tell whether a parsed JSON document looks like one of the Trivy forms
 * above.  Used by the format detector, so it only looks at the shape of the
 * top level (and the first list element) and never fails.  A top-level
 * `[]` or `null` counts as an empty legacy report.
 *
 * root: the parsed document (borrowed; NULL is treated as not Trivy).
 * Returns 1 when the document is a Trivy form, 0 otherwise.
 */
int trivy_detect(const jd_value *root);

/*
 * Parse any Trivy form into out: one ms_scan per image (one for the image
 * and legacy forms, one per VulnerabilityReport, one per distinct image of a
 * k8s report), each with the image identity as reported, scanner "trivy"
 * and one finding per vulnerability entry (an entry repeating the same
 * vulnerability ID, package name, installed version and package path in
 * the same scan is kept once).  Sets out->format to "trivy".
 *
 * out:  a report already set up with ms_report_init(); every string and
 *       array added lives in out's arena.
 * root: the parsed document (borrowed, never modified).
 * err:  filled on failure (may be NULL).
 *
 * Returns MS_OK; MS_ERR_FORMAT when root is not a Trivy form;
 * MS_ERR_MISSING when a vulnerability lacks its ID or package name or a
 * structural field has the wrong type (err->field holds the JSON path, e.g.
 * "Results[0].Vulnerabilities[3].VulnerabilityID"); MS_ERR_NOMEM when the
 * arena is exhausted.  On failure out may hold a partial result: the caller
 * still owns it and releases it with ms_report_free().
 */
ms_err trivy_parse(ms_report *out, const jd_value *root, ms_error *err);

#endif
