/*
 * h_scans.c - scan reports over HTTP: POST /api/v1/scans takes a report
 * as the scanner wrote it; reads of scans, their findings and raw bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../service/scan_service.h"
#include "../store/inventory_reads.h"
#include "../util/gz.h"
#include "../util/parse.h"
#include "handlers.h"
#include "respond.h"

static json_t *scan_out_json(const store_scan_out *o)
{
	return json_pack("{sIs{sIss}s{ss}sIsI}", "scan_id", (json_int_t)o->scan_id,
			 "image", "id", (json_int_t)o->image_id, "uai", o->uai,
			 "build", "digest", o->digest,
			 "findings", (json_int_t)o->findings, "new_findings", (json_int_t)o->new_findings);
}

int h_scans_create(req *r)
{
	char format[32], image[600], when[64], idem[200];
	scan_options opt;
	scan_result res;
	db_conn *db;
	json_t *out;
	size_t i;
	int rc;

	if ((rc = req_require_report_type(r)) != 0)
		return rc;
	memset(&opt, 0, sizeof(opt));
	if (req_query(r, "format", format, sizeof(format)) < 0 ||
	    req_query(r, "image", image, sizeof(image)) < 0 ||
	    req_query(r, "scanned_at", when, sizeof(when)) < 0)
		return respond_error(r, 400, "bad_parameter", "a query parameter is too long");
	if (req_query(r, "format", format, sizeof(format)) == 1)
		opt.format = format;
	if (req_query(r, "image", image, sizeof(image)) == 1)
		opt.image = image;
	if (req_query(r, "scanned_at", when, sizeof(when)) == 1)
		opt.scanned_at = when;
	if (req_header(r, "Idempotency-Key")) {
		if (strlen(req_header(r, "Idempotency-Key")) >= sizeof(idem) - 1)
			return respond_error(r, 400, "bad_header", "Idempotency-Key is too long");
		strncpy(idem, req_header(r, "Idempotency-Key"), sizeof(idem) - 1);
		idem[sizeof(idem) - 1] = '\0';
		opt.idempotency_key = idem;
	}
	if ((rc = req_read_body(r)) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	scan_service_ingest(db, &r->actor, r->body.data, r->body.len, &opt, &res);
	if (res.status >= 400) {
		rc = res.status == 503
			? respond_error_h(r, 503, "Retry-After: 2\r\n", res.code, "%s", res.message)
			: respond_error(r, res.status, res.code, "%s", res.message);
		scan_result_free(&res);
		return rc;
	}
	if (res.status == 201 && res.n_scans) {
		/* follow-up work (rules, POA&M) on exactly the scans stored */
		long long *ids = calloc(res.n_scans, sizeof(*ids));

		for (i = 0; ids && i < res.n_scans; i++)
			ids[i] = res.scans[i].scan_id;
		r->written.scan_ids = ids;
		r->written.n_scans = ids ? res.n_scans : 0;
		app_after_write(r);
		r->written.scan_ids = NULL;
		r->written.n_scans = 0;
		free(ids);
	}
	if (res.multi || res.n_scans != 1) {
		json_t *arr = json_array();

		for (i = 0; i < res.n_scans; i++)
			json_array_append_new(arr, scan_out_json(&res.scans[i]));
		out = json_pack("{so}", "scans", arr);
	} else {
		out = scan_out_json(&res.scans[0]);
	}
	rc = respond_json(r, res.status, out);
	scan_result_free(&res);
	return rc;
}

/* limit= and cursor= of a list request; 0, or the 400 was sent. */
int read_page(req *r, store_page *p, char *cursor, size_t clen)
{
	char lim[32];
	long long v = 50;

	p->limit = 50;
	p->cursor = NULL;
	if (req_query(r, "limit", lim, sizeof(lim)) != 0) {
		if (req_query(r, "limit", lim, sizeof(lim)) < 0 || parse_int_range(lim, 1, 1000, &v))
			return respond_error(r, 400, "bad_parameter", "limit must be an integer from 1 to 1000");
	}
	p->limit = v;
	switch (req_query(r, "cursor", cursor, clen)) {
	case 0:
		break;
	case 1:
		if (parse_int_range(cursor, 0, 9007199254740992LL, &v))
			return respond_error(r, 400, "bad_parameter", "cursor is not one muster issued");
		p->cursor = cursor;
		break;
	default:
		return respond_error(r, 400, "bad_parameter", "cursor is not one muster issued");
	}
	return 0;
}

/* Render a JSON text from the store, or the store error. */
int respond_store_json(req *r, int rc, char *json)
{
	if (rc) {
		free(json);
		return respond_store_error(r, rc);
	}
	rc = respond_json_text(r, 200, json, strlen(json));
	free(json);
	return rc;
}

int h_scans_list(req *r)
{
	char image[32], cursor[32];
	long long image_id = 0;
	store_page p;
	char *json = NULL;
	db_conn *db;
	int rc;

	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	switch (req_query(r, "image", image, sizeof(image))) {
	case 0:
		break;
	case 1:
		if (parse_id(image, &image_id) == 0)
			break;
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "image must be an image id");
	}
	if (!(db = req_db(r)))
		return r->status;
	rc = store_scans_list(db, image_id, &p, &json);
	return respond_store_json(r, rc, json);
}

int h_scans_get(req *r)
{
	long long id;
	char *json = NULL;
	db_conn *db;
	int rc;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no scan with that id");
	if (!(db = req_db(r)))
		return r->status;
	rc = store_scan_get(db, id, &json);
	return respond_store_json(r, rc, json);
}

int h_scans_findings(req *r)
{
	char cursor[32];
	long long id;
	store_page p;
	char *json = NULL;
	db_conn *db;
	int rc;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no scan with that id");
	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	rc = store_scan_findings(db, id, &p, &json);
	return respond_store_json(r, rc, json);
}

int h_scans_raw(req *r)
{
	char format[32], *gz = NULL;
	size_t gz_len = 0;
	long long id;
	db_conn *db;
	buf raw;
	int rc;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no scan with that id");
	if (!(db = req_db(r)))
		return r->status;
	rc = store_scan_raw(db, id, &gz, &gz_len, format, sizeof(format));
	req_db_release(r);
	if (rc)
		return respond_store_error(r, rc);
	buf_init(&raw, (size_t)-1);
	rc = gz_inflate(&raw, gz, gz_len);
	free(gz);
	if (rc)
		return respond_error(r, 500, "internal", "the stored report could not be decompressed");
	rc = respond_raw(r, 200, "application/json", NULL, raw.data ? raw.data : "", raw.len);
	buf_free(&raw);
	return rc;
}
