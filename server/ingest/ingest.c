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
