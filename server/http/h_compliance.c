/*
 * h_compliance.c - the container rules over HTTP: production assets in
 * violation now (GET /api/v1/compliance), the alerts the rules opened and
 * resolved (GET /api/v1/alerts), and an evaluation on demand
 * (POST /api/v1/alerts/evaluate, e.g. after a KEV import).
 */
#include <stdlib.h>
#include <string.h>

#include "../store/rules.h"
#include "../util/parse.h"
#include "handlers.h"
#include "respond.h"

int h_compliance_list(req *r)
{
	char cursor[32], *json = NULL;
	store_page p;
	db_conn *db;
	int rc;

	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	rc = store_compliance_list(db, &p, &json);
	return respond_store_json(r, rc, json);
}

static int valid_rule(const char *s)
{
	return !strcmp(s, "scan_window") || !strcmp(s, "hardening") ||
	       !strcmp(s, "registry") || !strcmp(s, "kev");
}

int h_alerts_list(req *r)
{
	char cursor[32], status[16], rule[16], image[32], *json = NULL;
	alert_filter f;
	store_page p;
	db_conn *db;
	int rc;

	memset(&f, 0, sizeof(f));
	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	switch (req_query(r, "status", status, sizeof(status))) {
	case 0:
		break;
	case 1:
		if (!strcmp(status, "open") || !strcmp(status, "resolved")) {
			f.status = status;
			break;
		}
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "status must be open or resolved");
	}
	switch (req_query(r, "rule", rule, sizeof(rule))) {
	case 0:
		break;
	case 1:
		if (valid_rule(rule)) {
			f.rule = rule;
			break;
		}
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter",
				     "rule must be scan_window, hardening, registry or kev");
	}
	switch (req_query(r, "image", image, sizeof(image))) {
	case 0:
		break;
	case 1:
		if (parse_id(image, &f.image_id) == 0)
			break;
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "image must be an image id");
	}
	if (!(db = req_db(r)))
		return r->status;
	rc = store_alerts_list(db, &f, &p, &json);
	return respond_store_json(r, rc, json);
}

int h_alerts_evaluate(req *r)
{
	int opened = 0, resolved = 0, rc;
	db_conn *db;

	if (!(db = req_db(r)))
		return r->status;
	rc = store_rules_evaluate(db, time(NULL), &opened, &resolved);
	if (rc)
		return respond_store_error(r, rc);
	return respond_json(r, 200, json_pack("{sisi}", "opened", opened, "resolved", resolved));
}
