/*
 * ingest.c - format detection and dispatch to the per-format parsers.
 * The document is parsed once, in place, with jdoc (util/jdoc.h).
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

#include "cyclonedx.h"
#include "grype.h"
#include "sarif.h"
#include "trivy.h"

typedef struct ingest_format {
	const char *name;
	int (*detect)(const jd_value *root);
	ms_err (*parse)(ms_report *out, const jd_value *root, ms_error *err);
} ingest_format;

/* Most specific first: CycloneDX and SARIF announce themselves. */
static const ingest_format formats[] = {
	{"cyclonedx", cyclonedx_detect, cyclonedx_parse},
	{"sarif", sarif_detect, sarif_parse},
	{"grype", grype_detect, grype_parse},
	{"trivy", trivy_detect, trivy_parse},
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* Depth of brackets outside strings, without recursion: deep documents
 * are refused before jansson's recursive parser sees them. */
static int too_deep(const char *p, size_t len)
{
	size_t i, depth = 0;
	int in_str = 0;

	for (i = 0; i < len; i++) {
		char ch = p[i];

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '[' || ch == '{') {
			if (++depth > INGEST_MAX_DEPTH)
				return 1;
		} else if ((ch == ']' || ch == '}') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

json_t *ingest_load_json(const char *data, size_t len, ms_error *err)
{
	json_error_t je;
	json_t *root;

	if (too_deep(data, len)) {
		ms_error_set(err, MS_ERR_SYNTAX, "", "the document nests deeper than %d levels",
			     INGEST_MAX_DEPTH);
		return NULL;
	}
	root = json_loadb(data, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		ms_error_set(err, MS_ERR_SYNTAX, "", "%s", je.text);
		err->line = je.line;
		err->column = je.column;
	}
	return root;
}

jd_value *ingest_load_jd(arena *mem, char *data, size_t len, ms_error *err)
{
	jd_error je;
	jd_value *root;

	if (jd_parse(mem, data, len, INGEST_MAX_DEPTH, &root, &je)) {
		ms_error_set(err, MS_ERR_SYNTAX, "", "%s", je.text);
		err->line = je.line;
		err->column = je.column;
		return NULL;
	}
	return root;
}

ms_err ingest_parse_report(ms_report *out, const char *data, size_t len,
			   const char *forced, ms_error *err)
{
	char *copy = malloc(len + 1);
	ms_err rc;

	if (!copy)
		return ms_error_set(err, MS_ERR_NOMEM, "", "out of memory");
	memcpy(copy, data, len);
	copy[len] = '\0';
	rc = ingest_parse_report_inplace(out, copy, len, forced, err);
	free(copy);
	return rc;
}

ms_err ingest_parse_report_inplace(ms_report *out, char *data, size_t len,
				   const char *forced, ms_error *err)
{
	arena tree = ARENA_INIT;
	jd_value *root;
	ms_err rc;
	size_t i;

	root = ingest_load_jd(&tree, data, len, err);
	if (!root) {
		rc = MS_ERR_SYNTAX;
		goto done;
	}
	rc = ms_error_set(err, MS_ERR_FORMAT, "", "the report is not in a format muster reads"
			  " (Trivy, Grype, SARIF or CycloneDX JSON)");
	for (i = 0; i < NFORMATS; i++) {
		if (forced ? strcmp(forced, formats[i].name) != 0 : !formats[i].detect(root))
			continue;
		memset(err, 0, sizeof(*err));
		rc = formats[i].parse(out, root, err);
		if (rc == MS_OK)
			out->format = formats[i].name;
		break;
	}
	if (forced && i == NFORMATS)
		rc = ms_error_set(err, MS_ERR_FORMAT, "format",
				  "unknown format \"%.40s\" (use trivy, grype, sarif or cyclonedx)", forced);
done:
	arena_free(&tree);
	return rc;
}
