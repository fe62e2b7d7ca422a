/*
 * ingest.h - from the bytes a scanner sent to the normalized model: parse
 * the JSON once, detect the format (or take the one forced by the caller)
 * and hand the document to that format's parser.
 */
#ifndef MUSTER_INGEST_H
#define MUSTER_INGEST_H

#include <stddef.h>

#include "scan_model.h"

/* Nesting deeper than this is refused before parsing (no report needs it). */
#define INGEST_MAX_DEPTH 512

/* Parse a report. forced is NULL (detect) or one of "trivy", "grype",
 * "sarif", "cyclonedx". out must be ms_report_init'ed; the caller frees it
 * with ms_report_free whatever the result. Returns MS_OK or an error:
 * MS_ERR_SYNTAX (with line/column), MS_ERR_FORMAT (not a known format, or
 * an unknown forced name), MS_ERR_MISSING (a field the model needs). */
ms_err ingest_parse_report(ms_report *out, const char *data, size_t len,
			   const char *forced, ms_error *err);

/* Same, parsing in place: data is rewritten (strings unescaped within it)
 * and is garbage afterwards. Saves a copy of a large body. */
ms_err ingest_parse_report_inplace(ms_report *out, char *data, size_t len,
				   const char *forced, ms_error *err);

/* Parse JSON text in place (data is rewritten: see util/jdoc.h) into a tree
 * allocated in mem. NULL with err filled (MS_ERR_SYNTAX) on failure. */
jd_value *ingest_load_jd(arena *mem, char *data, size_t len, ms_error *err);

#endif
