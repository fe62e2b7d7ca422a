/*
 * h_kev.c - POST /api/v1/kev (admin): replace the CISA KEV catalog with
 * the one in the body (known_exploited_vulnerabilities.json as CISA
 * publishes it), then bring the POA&M's KEV columns and the container
 * rules up to date.
 */
#include <string.h>

#include "../ingest/kev.h"
#include "../store/kev_store.h"
#include "../store/poam.h"
#include "../util/log.h"
#include "handlers.h"
#include "respond.h"

int h_kev_import(req *r)
{
	kev_catalog cat;
	ms_error err;
	json_error_t jerr;
	json_t *root = NULL;
	long long import_id = 0, entries = 0, changed = 0;
	db_conn *db;
	int rc;

	kev_catalog_init(&cat);
	memset(&err, 0, sizeof(err));
	if ((rc = req_require_json(r)) != 0)
		return rc;
	if ((rc = req_read_body(r)) != 0)
		return rc;
	root = json_loadb(r->body.data ? r->body.data : "", r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		rc = respond_error(r, 400, "malformed_json", "the body is not valid JSON: line %d: %s",
				   jerr.line, jerr.text);
		goto done;
	}
	if (kev_parse(&cat, root, &err) != MS_OK) {
		rc = err.code == MS_ERR_NOMEM
			? respond_error(r, 500, "internal", "out of memory")
			: respond_error(r, 422, "invalid", "not a usable KEV catalog: %s%s%s",
					err.field[0] ? err.field : "", err.field[0] ? ": " : "", err.message);
		goto done;
	}
	json_decref(root);
	root = NULL;
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_kev_import(db, &r->actor, &cat, &import_id, &entries);
	if (rc) {
		rc = respond_store_error(r, rc);
		goto done;
	}
	if (store_poam_kev_refresh(db, time(NULL), &changed) != STORE_OK)
		log_event("warn", "POA&M KEV refresh after an import failed", "request_id", r->request_id, NULL);
	app_after_write(r);
	rc = respond_json(r, 201, json_pack("{sIsssssIsI}", "import_id", (json_int_t)import_id,
					    "catalog_version", cat.version, "released", cat.released,
					    "entries", (json_int_t)entries, "poam_items_changed", (json_int_t)changed));
done:
	json_decref(root);
	kev_catalog_free(&cat);
	return rc;
}
