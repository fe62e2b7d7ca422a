/*
 * grype.h - parser for Grype's native JSON report (`grype -o json`), from
 * the 0.7-era schema (cvssV2/cvssV3 objects, fixedInVersion) to current
 * releases (cvss[], fix{}, relatedVulnerabilities[], db status v5/v6).
 *
 * A Grype report covers one source, so it becomes one ms_scan: the image
 * identity from source.target and distro, the scanner from descriptor, and
 * one finding per match (de-duplicated on vulnerability ID, package name,
 * installed version and package path).
 */
#ifndef MUSTER_GRYPE_H
#define MUSTER_GRYPE_H

#include <jansson.h>

#include "../util/jdoc.h"

#include "scan_model.h"

/*
 * Tell whether an already parsed JSON document looks like a Grype JSON
 * report: an object with a "matches" array and either a descriptor named
 * "grype" or a "source" object.  Returns 1 or 0; never fails.  root is
 * borrowed and may be NULL.
 */
int grype_detect(const jd_value *root);

/*
 * Fill *out from the Grype report root (borrowed; nothing in out points
 * into it afterwards).  out must be freshly set up with ms_report_init() (a
 * preset out->mem.limit is honoured); every string lands in out->mem.
 *
 * On success out->format is "grype", out holds exactly one scan, and MS_OK
 * is returned.  On failure the code is returned, *err (may be NULL) says
 * what and where (err->field is a JSON path such as
 * "matches[3].artifact.name"), and out is released and left empty.  Either
 * way the caller may call ms_report_free(out).
 *
 * Failures: MS_ERR_FORMAT when root is not a Grype report; MS_ERR_MISSING
 * when a match lacks what a finding needs (vulnerability.id,
 * artifact.name) or "matches" holds a non-object; MS_ERR_NOMEM when the
 * arena (or malloc) runs out.
 */
ms_err grype_parse(ms_report *out, const jd_value *root, ms_error *err);

#endif
