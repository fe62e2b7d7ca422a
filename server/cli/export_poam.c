/*
 * export_poam.c - the POA&M on the command line: `muster export poam
 * [--month YYYY-MM | --as-of DATE] [--late-only] [--csv | --oscal] -o FILE`
 * writes the POA&M workbook (default), the open items as CSV, or the
 * OSCAL POA&M, through the same code as GET /api/v1/reports/poam.*
 * (under a temporary name next to FILE, renamed into place); `muster poam
 * evaluate` runs the full lifecycle evaluation (for cron or after a
 * restore).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../report/layout.h"
#include "../report/csv_writer.h"
#include "../report/poam_export.h"
#include "../service/poam_source.h"
#include "../store/poam.h"
#include "../store/poam_report.h"
#include "../store/system_settings.h"
#include "../util/timeutil.h"
#include "cli.h"
#include "output_file.h"

#define POAM_LAYOUT_FILE "poam-v2.1.json"
#define EXPORT_PATH_MAX 4096

static void usage(FILE *out)
{
	fprintf(out, "usage: muster export poam [--month YYYY-MM | --as-of DATE|TIME] [--late-only]"
		     " [--csv | --oscal] -o FILE\n");
}

int cli_export_poam(const config *cfg, const char *templates_dir, int argc, char **argv)
{
	const char *month = NULL, *when = NULL, *out = NULL;
	char err[1024] = "", lpath[EXPORT_PATH_MAX];
	char poam_date[32];
	int i, rc = 1, late_only = 0, kind = 0;   /* 0 xlsx, 1 csv, 2 oscal */
	output_file of;
	time_t as_of, start, end;
	poam_header h;
	store_system sys;
	layout *l = NULL;
	db_conn *db = NULL;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--month") && i + 1 < argc)
			month = argv[++i];
		else if (!strcmp(argv[i], "--as-of") && i + 1 < argc)
			when = argv[++i];
		else if (!strcmp(argv[i], "--late-only"))
			late_only = 1;
		else if (!strcmp(argv[i], "--csv"))
			kind = 1;
		else if (!strcmp(argv[i], "--oscal"))
			kind = 2;
		else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			out = argv[++i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (!out || !*out || (month && when)) {
		usage(stderr);
		return 2;
	}
	if (month) {
		if (time_parse_month(month, &start, &end)) {
			fprintf(stderr, "muster: export: --month must be YYYY-MM\n");
			return 2;
		}
		as_of = end - 1;
	} else if (when) {
		if (time_parse_rfc3339(when, &as_of) || as_of <= 0) {
			fprintf(stderr, "muster: export: --as-of must be a date or an RFC 3339 time\n");
			return 2;
		}
		if (strlen(when) == 10)
			as_of += 86399;
	} else {
		as_of = time(NULL);
	}
	if ((size_t)snprintf(lpath, sizeof(lpath), "%s/%s", templates_dir, POAM_LAYOUT_FILE) >= sizeof(lpath) ||
	    output_file_prepare(&of, out)) {
		fprintf(stderr, "muster: export: the output path is too long\n");
		return 2;
	}
	if (kind != 2 && !(l = layout_load(lpath, err, sizeof(err)))) {
		fprintf(stderr, "muster: export: %s\n", err);
		return 1;
	}
	db = db_connect(cfg->database_url, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "muster: %s\n", err);
		goto cleanup;
	}
	if (store_system_get(db, as_of, &sys) != STORE_OK) {
		fprintf(stderr, "muster: export: the system settings could not be read\n");
		goto cleanup;
	}
	if (output_file_create(&of)) {
		fprintf(stderr, "muster: export: could not create %s: %s\n", of.tmp, strerror(errno));
		goto cleanup;
	}
	memset(&h, 0, sizeof(h));
	h.csp = sys.set ? sys.csp_name : NULL;
	h.system_name = sys.set ? sys.system_name : NULL;
	h.impact_level = sys.set ? sys.impact_level : NULL;
	time_format_rfc3339(as_of, poam_date, sizeof(poam_date));
	poam_date[10] = '\0';
	h.poam_date = poam_date;
	if (kind == 0) {
		poam_rows s = {db, {as_of, late_only, POAM_SHEET_OPEN | POAM_SHEET_CLOSED}, NULL, NULL};

		close(of.fd);   /* the writer opens the file by name */
		of.fd = -1;
		rc = poam_export_xlsx(l, of.tmp, of.dir, as_of, &h, poam_rows_source, &s, err, sizeof(err)) ? 1 : 0;
	} else {
		FILE *f = fdopen(of.fd, "wb");

		if (!f) {
			rc = 1;
		} else {
			of.fd = -1;
			if (kind == 1) {
				poam_rows s = {db, {as_of, late_only, POAM_SHEET_OPEN}, NULL, NULL};

				rc = poam_export_csv(l, CSV_ESCAPE_FORMULAS, csv_fwrite, f, poam_rows_source, &s, err,
						     sizeof(err)) ? 1 : 0;
			} else {
				poam_items s = {db, as_of, NULL, NULL};

				rc = poam_export_oscal(&h, as_of, of.dir, csv_fwrite, f, poam_items_source, &s, err,
						       sizeof(err)) ? 1 : 0;
			}
			if (fclose(f) != 0)
				rc = 1;
		}
	}
	if (rc) {
		fprintf(stderr, "muster: export: %s\n", err[0] ? err : "the POA&M could not be written");
		goto cleanup;
	}
	if (output_file_commit(&of)) {
		fprintf(stderr, "muster: export: could not write %s: %s\n", out, strerror(errno));
		rc = 1;
		goto cleanup;
	}
	fprintf(stderr, "muster: wrote the POA&M as of %s to %s\n", poam_date, out);
cleanup:
	output_file_discard(&of);
	db_disconnect(db);
	layout_free(l);
	return rc;
}

int cli_poam(const config *cfg, int argc, char **argv)
{
	char err[512];
	store_poam_counts n;
	db_conn *db;
	int rc;

	if (argc != 1 || strcmp(argv[0], "evaluate")) {
		fprintf(stderr, "usage: muster poam evaluate\n");
		return 2;
	}
	db = db_connect(cfg->database_url, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "muster: %s\n", err);
		return 1;
	}
	rc = store_poam_evaluate(db, time(NULL), &n);
	db_disconnect(db);
	if (rc != STORE_OK) {
		fprintf(stderr, "muster: poam: the evaluation failed\n");
		return 1;
	}
	printf("POA&M evaluated: %lld opened, %lld changed, %lld closed, %lld KEV columns changed\n",
	       n.opened, n.changed, n.closed, n.kev);
	return 0;
}
