/*
 * cyclonedx.h - parser for CycloneDX JSON BOMs (specVersion 1.4 to 1.7)
 * that carry vulnerabilities, as written by `trivy --format cyclonedx`,
 * `grype -o cyclonedx-json` and other tools.
 *
 * A BOM describes one subject (metadata.component, the image), so it
 * becomes one ms_scan.  Each vulnerability yields one finding per affected
 * component, the package resolved through the component's bom-ref.
 */
#ifndef MUSTER_CYCLONEDX_H
#define MUSTER_CYCLONEDX_H

#include <jansson.h>

#include "../util/jdoc.h"

#include "scan_model.h"

/*
 * Tell whether an already parsed JSON document is a CycloneDX JSON BOM
 * (an object whose bomFormat is "CycloneDX").  Returns 1 or 0; never
 * fails.  root is borrowed and may be NULL.
 */
int cyclonedx_detect(const jd_value *root);

/*
 * Fill *out from the BOM root (borrowed; nothing in out points into it
 * afterwards).  out must be freshly set up with ms_report_init() (a preset
 * out->mem.limit is honoured); every string lands in out->mem.
 *
 * On success out->format is "cyclonedx", out holds exactly one scan (a BOM
 * without "vulnerabilities" gives zero findings) and MS_OK is returned.
 * Findings are de-duplicated on vulnerability ID, package name, installed
 * version and package path.  On failure the code is returned, *err (may be
 * NULL) says what and where (err->field is a JSON path such as
 * "vulnerabilities[2].affects[0].ref"), and out is released and left
 * empty.  Either way the caller may call ms_report_free(out).
 *
 * Failures: MS_ERR_FORMAT when root is not CycloneDX or its specVersion is
 * older than 1.4 (no vulnerabilities then); MS_ERR_MISSING when
 * "vulnerabilities" is not an array, or a vulnerability lacks its id or an
 * affects entry its ref; MS_ERR_NOMEM when memory runs out.
 */
ms_err cyclonedx_parse(ms_report *out, const jd_value *root, ms_error *err);

#endif
