/*
 * h_poam_reports.c - the POA&M deliverables over HTTP (viewer):
 * GET /api/v1/reports/poam.xlsx (the FedRAMP template's workbook),
 * /api/v1/reports/poam.csv (open items) and /api/v1/reports/poam.oscal.json
 * (OSCAL POA&M). ?month=YYYY-MM reports the state at the last second of
 * that month (UTC), ?as_of= a date (its last second) or an RFC 3339 time;
 * default now. ?late_only=true keeps only the late open items. Each
 * deliverable is written to a temporary file under the data directory
 * while the request holds a database connection, then streamed (chunked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../report/layout.h"
#include "../report/csv_writer.h"
#include "../report/poam_export.h"
#include "../service/poam_source.h"
#include "../store/poam_report.h"
#include "../store/system_settings.h"
#include "../util/log.h"
#include "../util/tmpfile.h"
#include "../util/parse.h"
#include "../util/timeutil.h"
#include "handlers.h"
#include "respond.h"

#define POAM_LAYOUT_FILE "poam-v2.1.json"
#define REPORT_PATH_MAX 4096

enum poam_kind { POAM_XLSX, POAM_CSV, POAM_OSCAL };

/* ---- request parameters ---- */

/* month= / as_of= into the moment reported and its label; 0 or the 400 was sent. */
static int poam_period(req *r, time_t *as_of, char *label, size_t llen)
{
	char month[16], when[64];
	int hm = req_query(r, "month", month, sizeof(month));
	int ha = req_query(r, "as_of", when, sizeof(when));
	time_t start, end;

	if (hm < 0 || ha < 0 || (hm == 1 && ha == 1))
		return respond_error(r, 400, "bad_parameter", "give either month=YYYY-MM or as_of=YYYY-MM-DD");
	if (hm == 1) {
		if (time_parse_month(month, &start, &end))
			return respond_error(r, 400, "bad_parameter", "month must be YYYY-MM");
		*as_of = end - 1;
		snprintf(label, llen, "%.7s", month);
		return 0;
	}
	if (ha == 1) {
		if (time_parse_rfc3339(when, as_of) || *as_of <= 0)
			return respond_error(r, 400, "bad_parameter", "as_of must be a date or an RFC 3339 time");
		if (strlen(when) == 10)
			*as_of += 86399;
		time_format_rfc3339(*as_of, when, sizeof(when));
		snprintf(label, llen, "%.10s", when);
		return 0;
	}
	*as_of = time(NULL);
	time_format_rfc3339(*as_of, when, sizeof(when));
	snprintf(label, llen, "%.10s", when);
	return 0;
}

/* "<system>-poam-<label>.<ext>" with only [A-Za-z0-9._-] from the name. */
static void file_name(const char *system, const char *label, const char *ext, char *out, size_t len)
{
	char safe[101];
	size_t n = 0;
	const char *p;

	for (p = system ? system : ""; *p && n < sizeof(safe) - 1; p++) {
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			 *p == '.' || *p == '_' || *p == '-';

		if (ok)
			safe[n++] = *p;
		else if (n && safe[n - 1] != '-')
			safe[n++] = '-';
	}
	safe[n] = '\0';
	snprintf(out, len, "%s-poam-%s.%s", n ? safe : "system", label, ext);
}

static int poam_report(req *r, enum poam_kind kind)
{
	static const char *const ext[] = {"xlsx", "csv", "json"};
	static const char *const ctype[] = {
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"text/csv; charset=utf-8", "application/json"};
	const char *data_dir = r->app->cfg.data_dir && *r->app->cfg.data_dir ? r->app->cfg.data_dir : ".";
	char label[32], err[512], path[REPORT_PATH_MAX], lpath[REPORT_PATH_MAX], fname[200], headers[320];
	char poam_date[32], lo[16];
	poam_header h;
	store_system sys;
	layout *l = NULL;
	time_t as_of;
	db_conn *db;
	int rc, fd, made = 0, late_only = 0;

	if ((rc = poam_period(r, &as_of, label, sizeof(label))) != 0)
		return rc;
	switch (req_query(r, "late_only", lo, sizeof(lo))) {
	case 0:
		break;
	case 1:
		if (parse_bool(lo, &late_only) == 0)
			break;
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "late_only must be true or false");
	}
	if ((size_t)snprintf(lpath, sizeof(lpath), "%s/%s", r->app->templates_dir, POAM_LAYOUT_FILE) >= sizeof(lpath))
		return respond_error(r, 500, "internal", "the configured directories are too long");
	if (kind != POAM_OSCAL && !(l = layout_load(lpath, err, sizeof(err)))) {
		log_event("error", "report: layout", "detail", err, NULL);
		return respond_error(r, 500, "internal", "the POA&M layout could not be loaded");
	}
	if ((fd = tmpfile_create(data_dir, "poam", path, sizeof(path))) < 0) {
		log_event("error", "report: cannot create a temporary file", "dir", data_dir,
			  "detail", strerror(errno), NULL);
		rc = respond_error(r, 500, "internal", "the report could not be written (data directory)");
		goto done;
	}
	made = 1;
	if (!(db = req_db(r))) {
		close(fd);
		rc = r->status;
		goto done;
	}
	rc = store_system_get(db, as_of, &sys);
	if (rc) {
		close(fd);
		req_db_release(r);
		rc = respond_store_error(r, rc);
		goto done;
	}
	memset(&h, 0, sizeof(h));
	h.csp = sys.set ? sys.csp_name : NULL;
	h.system_name = sys.set ? sys.system_name : NULL;
	h.impact_level = sys.set ? sys.impact_level : NULL;
	time_format_rfc3339(as_of, poam_date, sizeof(poam_date));
	poam_date[10] = '\0';
	h.poam_date = poam_date;
	err[0] = '\0';
	if (kind == POAM_XLSX) {
		poam_rows s = {db, {as_of, late_only, POAM_SHEET_OPEN | POAM_SHEET_CLOSED}, NULL, NULL};

		close(fd);
		rc = poam_export_xlsx(l, path, data_dir, as_of, &h, poam_rows_source, &s, err, sizeof(err));
	} else {
		FILE *out = fdopen(fd, "wb");

		if (!out) {
			close(fd);
			rc = -1;
		} else if (kind == POAM_CSV) {
			poam_rows s = {db, {as_of, late_only, POAM_SHEET_OPEN}, NULL, NULL};

			rc = poam_export_csv(l, CSV_ESCAPE_FORMULAS, csv_fwrite, out, poam_rows_source, &s, err, sizeof(err));
		} else {
			poam_items s = {db, as_of, NULL, NULL};

			rc = poam_export_oscal(&h, as_of, data_dir, csv_fwrite, out, poam_items_source, &s, err, sizeof(err));
		}
		if (out && fclose(out) != 0)
			rc = -1;
	}
	req_db_release(r);
	if (rc) {
		log_event("error", "report: POA&M", "detail", err, "request_id", r->request_id, NULL);
		rc = respond_error(r, 500, "internal", "the POA&M could not be written");
		goto done;
	}
	file_name(sys.set ? sys.system_name : NULL, label, kind == POAM_OSCAL ? "oscal.json" : ext[kind],
		  fname, sizeof(fname));
	snprintf(headers, sizeof(headers), "Content-Disposition: attachment; filename=\"%s\"\r\n", fname);
	made = 0;   /* respond_report_file removes it */
	rc = respond_report_file(r, path, ctype[kind], headers);
done:
	if (made)
		unlink(path);
	layout_free(l);
	return rc;
}

int h_reports_poam_xlsx(req *r)
{
	return poam_report(r, POAM_XLSX);
}

int h_reports_poam_csv(req *r)
{
	return poam_report(r, POAM_CSV);
}

int h_reports_poam_oscal(req *r)
{
	return poam_report(r, POAM_OSCAL);
}
