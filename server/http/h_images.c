/*
 * h_images.c - reads of assets (images): list with filters, one image
 * with its builds and digests, and the findings of its builds' latest scans.
 */
#include <stdlib.h>
#include <string.h>

#include "../ingest/imageref.h"
#include "../store/inventory_reads.h"
#include "../util/parse.h"
#include "handlers.h"
#include "respond.h"

int h_images_list(req *r)
{
	char uai[800], repo[800], digest_in[300], digest[IMAGEREF_DIGEST_MAX], cursor[32];
	image_filter f;
	store_page p;
	char *json = NULL;
	db_conn *db;
	int rc;

	memset(&f, 0, sizeof(f));
	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	if (req_query(r, "uai", uai, sizeof(uai)) < 0 || req_query(r, "repository", repo, sizeof(repo)) < 0 ||
	    req_query(r, "digest", digest_in, sizeof(digest_in)) < 0)
		return respond_error(r, 400, "bad_parameter", "a query parameter is too long");
	if (req_query(r, "uai", uai, sizeof(uai)) == 1)
		f.uai = uai;
	if (req_query(r, "repository", repo, sizeof(repo)) == 1)
		f.repository = repo;
	if (req_query(r, "digest", digest_in, sizeof(digest_in)) == 1) {
		if (digest_normalize(digest_in, digest, sizeof(digest)))
			return respond_error(r, 400, "bad_parameter", "digest is not a sha256 or sha512 digest");
		f.digest = digest;
	}
	if (!(db = req_db(r)))
		return r->status;
	rc = store_images_list(db, &f, &p, &json);
	return respond_store_json(r, rc, json);
}

int h_images_get(req *r)
{
	long long id;
	char *json = NULL;
	db_conn *db;
	int rc;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no image with that id");
	if (!(db = req_db(r)))
		return r->status;
	rc = store_image_get(db, id, &json);
	return respond_store_json(r, rc, json);
}

int h_images_findings(req *r)
{
	char cursor[32];
	long long id;
	store_page p;
	char *json = NULL;
	db_conn *db;
	int rc;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no image with that id");
	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	rc = store_image_findings(db, id, &p, &json);
	return respond_store_json(r, rc, json);
}
