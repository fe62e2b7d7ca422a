/*
 * sarif.h - parser for SARIF 2.1.0 vulnerability reports, as written by
 * Trivy (`--format sarif`), Grype (`-o sarif`) and other scanners.
 *
 * SARIF is a generic static-analysis format: package, versions and image
 * live in producer-specific places (Trivy's result message and run
 * properties, Grype's rule help text and result message).  sarif.c knows
 * those conventions and falls back to the generic fields elsewhere.  Each
 * run becomes one ms_scan.
 */
#ifndef MUSTER_SARIF_H
#define MUSTER_SARIF_H

#include <jansson.h>

#include "../util/jdoc.h"

#include "scan_model.h"

/*
 * Tell whether an already parsed JSON document looks like SARIF 2.1: an
 * object with a "runs" array and a "version" starting with "2.1" or a
 * "$schema" mentioning sarif.  Returns 1 or 0; never fails.  root is
 * borrowed and may be NULL.
 */
int sarif_detect(const jd_value *root);

/*
 * Fill *out from the SARIF document root (borrowed; nothing in out points
 * into it afterwards).  out must be freshly set up with ms_report_init() (a
 * preset out->mem.limit is honoured); every string lands in out->mem.
 *
 * One scan per run (`"runs": []` gives zero scans), one finding per result
 * that reports a vulnerability (Trivy's misconfiguration, secret and
 * licence results are skipped), de-duplicated on vulnerability ID, package
 * name, installed version and package path.  On success out->format is
 * "sarif" and MS_OK is returned.  On failure the code is returned, *err
 * (may be NULL) says what and where (err->field is a JSON path such as
 * "runs[0].results[4].ruleId"), and out is released and left empty.
 * Either way the caller may call ms_report_free(out).
 *
 * Failures: MS_ERR_FORMAT when root is not SARIF 2.1; MS_ERR_MISSING for a
 * run or result that is not an object, a "results" that is not an array,
 * or a result whose rule cannot be identified (no ruleId and no usable
 * ruleIndex) or that names no package and no location; MS_ERR_NOMEM when
 * memory runs out.
 */
ms_err sarif_parse(ms_report *out, const jd_value *root, ms_error *err);

#endif
