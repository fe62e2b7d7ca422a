/*
 * h_reports.c - the FedRAMP Integrated Inventory Workbook over HTTP
 * (GET /api/v1/reports/inventory.xlsx and .csv) and the described system's
 * settings (GET and PUT /api/v1/system). A report is written to a
 * temporary file under the data directory while the request holds a
 * database connection, the connection is given back, and the file is
 * streamed to the client (chunked) and removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../report/inventory_export.h"
#include "../report/layout.h"
#include "../store/system_settings.h"
#include "../util/log.h"
#include "../util/tmpfile.h"
#include "handlers.h"
#include "respond.h"

#define REPORT_PATH_MAX 4096
#define SYSTEM_FIELD_MAX_CHARS 200

/* ---- system settings ---- */

static json_t *system_json(const store_system *s)
{
	if (!s->set)
		return json_pack("{snsnsnsn}", "system_name", "csp_name", "impact_level", "since");
	return json_pack("{ssssssss}", "system_name", s->system_name, "csp_name", s->csp_name,
			 "impact_level", s->impact_level, "since", s->since);
}

int h_system_settings_get(req *r)
{
	store_system s;
	db_conn *db;
	int rc;

	if (!(db = req_db(r)))
		return r->status;
	rc = store_system_get(db, 0, &s);
	if (rc)
		return respond_store_error(r, rc);
	return respond_json(r, 200, system_json(&s));
}

/* 1..200 characters, no control characters (the name ends up in file names
 * and workbook cells). jansson strings are valid UTF-8 without NUL. */
static int valid_text(const char *s)
{
	size_t chars = 0;
	const unsigned char *p;

	if (!s)
		return 0;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if ((*p & 0xC0) != 0x80)
			chars++;
	}
	return chars >= 1 && chars <= SYSTEM_FIELD_MAX_CHARS;
}

int h_system_settings_put(req *r)
{
	static const char *const keys[] = {"system_name", "csp_name", "impact_level", NULL};
	const char *name, *csp, *impact, *key;
	store_system s;
	json_t *body, *v;
	db_conn *db;
	size_t i;
	int rc;

	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	json_object_foreach(body, key, v) {
		for (i = 0; keys[i] && strcmp(keys[i], key); i++)
			;
		if (!keys[i]) {
			rc = respond_error(r, 422, "invalid",
					   "unknown field; expected system_name, csp_name and impact_level");
			goto done;
		}
	}
	name = json_string_value(json_object_get(body, "system_name"));
	csp = json_string_value(json_object_get(body, "csp_name"));
	impact = json_string_value(json_object_get(body, "impact_level"));
	if (!valid_text(name) || !valid_text(csp)) {
		rc = respond_error(r, 422, "invalid",
				   "\"system_name\" and \"csp_name\" must be 1 to 200 characters without control characters");
		goto done;
	}
	if (!impact || (strcmp(impact, "Low") && strcmp(impact, "Moderate") && strcmp(impact, "High"))) {
		rc = respond_error(r, 422, "invalid", "\"impact_level\" must be Low, Moderate or High");
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_system_put(db, &r->actor, name, csp, impact, &s);
	if (rc) {
		rc = respond_store_error(r, rc);
		goto done;
	}
	rc = respond_json(r, 200, system_json(&s));
done:
	json_decref(body);
	return rc;
}

/* ---- reports ---- */

static int inventory_report(req *r, inventory_format fmt)
{
	char month[16], as_of[16], err[512], path[REPORT_PATH_MAX], lpath[REPORT_PATH_MAX];
	char fname[200], headers[512];
	const char *data_dir = r->app->cfg.data_dir && *r->app->cfg.data_dir ? r->app->cfg.data_dir : ".";
	const char *ext = fmt == INVENTORY_XLSX ? "xlsx" : "csv";
	int have_month, have_as_of, fd, rc, made = 0;
	inventory_period per;
	store_system sys;
	layout *l = NULL;
	inventory_source src;
	db_conn *db;

	have_month = req_query(r, "month", month, sizeof(month));
	have_as_of = req_query(r, "as_of", as_of, sizeof(as_of));
	if (have_month < 0 || have_as_of < 0)
		return respond_error(r, 400, "bad_parameter", "month must be YYYY-MM and as_of YYYY-MM-DD");
	if (inventory_period_parse(have_month ? month : NULL, have_as_of ? as_of : NULL,
				   time(NULL), &per, err, sizeof(err)))
		return respond_error(r, 400, "bad_parameter", "%s", err);
	if ((size_t)snprintf(lpath, sizeof(lpath), "%s/%s", r->app->templates_dir,
			     INVENTORY_LAYOUT_FILE) >= sizeof(lpath))
		return respond_error(r, 500, "internal", "the configured directories are too long");
	l = layout_load(lpath, err, sizeof(err));
	if (!l) {
		log_event("error", "report: layout", "detail", err, NULL);
		return respond_error(r, 500, "internal", "the inventory layout could not be loaded");
	}
	if ((fd = tmpfile_create(data_dir, "inventory", path, sizeof(path))) < 0) {
		log_event("error", "report: cannot create a temporary file", "dir", data_dir,
			  "detail", strerror(errno), NULL);
		rc = respond_error(r, 500, "internal", "the report could not be written (data directory)");
		goto done;
	}
	made = 1;
	close(fd);
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_system_get(db, per.end - 1, &sys);
	if (!rc)
		rc = inventory_export(db, l, &per, fmt, path, data_dir, &src, err, sizeof(err));
	/* the connection is not needed to send the file */
	req_db_release(r);
	if (rc) {
		if (rc == INVENTORY_ERR_OUTPUT || rc == INVENTORY_ERR_LAYOUT) {
			log_event("error", "report: inventory", "detail", err, NULL);
			rc = respond_error(r, 500, "internal", "the inventory could not be written");
		} else {
			rc = respond_store_error(r, rc);
		}
		goto done;
	}
	inventory_file_name(sys.set ? sys.system_name : NULL, &per, ext, fname, sizeof(fname));
	snprintf(headers, sizeof(headers),
		 "Content-Disposition: attachment; filename=\"%s\"\r\nX-Muster-Rows: %lld\r\n%s%s%s", fname,
		 src.rows, src.finalized ? "X-Muster-Finalized: " : "", src.finalized ? src.finalized_at : "",
		 src.finalized ? "\r\n" : "");
	made = 0;   /* respond_report_file removes it */
	rc = respond_report_file(r, path, fmt == INVENTORY_XLSX
		       ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		       : "text/csv; charset=utf-8", headers);
done:
	if (made)
		unlink(path);
	layout_free(l);
	return rc;
}

int h_reports_inventory_xlsx(req *r)
{
	return inventory_report(r, INVENTORY_XLSX);
}

int h_reports_inventory_csv(req *r)
{
	return inventory_report(r, INVENTORY_CSV);
}

/* ---- finalized inventory months ---- */

static json_t *final_json(const inventory_final *f)
{
	return json_pack("{sIsssssssssssssIso}", "id", (json_int_t)f->id, "month", f->label,
			 "period_start", f->period_start, "period_end", f->period_end,
			 "finalized_at", f->finalized_at, "finalized_by", f->finalized_by,
			 "superseded_at", f->superseded_at, "rows", (json_int_t)f->rows,
			 "current", json_boolean(!*f->superseded_at));
}

int h_reports_inventory_finalize(req *r)
{
	char month[16], err[256];
	inventory_period per;
	inventory_final fin;
	int have, replaced = 0, rc;
	json_t *out;
	db_conn *db;

	have = req_query(r, "month", month, sizeof(month));
	if (have <= 0)
		return respond_error(r, 400, "bad_parameter", "month=YYYY-MM names the month to finalize");
	if (inventory_period_parse(month, NULL, time(NULL), &per, err, sizeof(err)))
		return respond_error(r, 400, "bad_parameter", "%s", err);
	if (!(db = req_db(r)))
		return r->status;
	rc = store_inventory_finalize(db, &per, &r->actor, &fin, &replaced);
	if (rc == STORE_ERR_INVALID)
		return respond_error(r, 422, "period_running",
				     "%s has not ended yet: only a past month can be finalized", per.label);
	if (rc)
		return respond_store_error(r, rc);
	out = final_json(&fin);
	json_object_set_new(out, "replaced", json_boolean(replaced));
	return respond_json(r, 201, out);
}

int h_reports_inventory_finals(req *r)
{
	inventory_final *all = NULL;
	json_t *items;
	size_t n = 0, i;
	db_conn *db;
	int rc;

	if (!(db = req_db(r)))
		return r->status;
	rc = store_inventory_finals(db, &all, &n);
	if (rc)
		return respond_store_error(r, rc);
	items = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(items, final_json(&all[i]));
	free(all);
	return respond_json(r, 200, json_pack("{so}", "items", items));
}
