/*
 * h_policy.c - what administrators set over HTTP: the policy document,
 * and the hardening baseline and inventory metadata of an asset
 * (/api/v1/images/{id}/...) or of a whole repository
 * (/api/v1/repositories/{registry/repository}/...). Writes that can change
 * a rule's outcome re-evaluate the rules before answering.
 */
#include <stdlib.h>
#include <string.h>

#include "../ingest/imageref.h"
#include "../policy/policy_doc.h"
#include "../store/settings.h"
#include "../util/parse.h"
#include "handlers.h"
#include "respond.h"

int h_policy_get(req *r)
{
	char *json = NULL;
	db_conn *db;
	int rc;

	if (!(db = req_db(r)))
		return r->status;
	rc = store_policy_get(db, &json);
	return respond_store_json(r, rc, json);
}

static int respond_invalid(req *r, const policy_doc_error *e)
{
	if (e->field[0])
		return respond_error(r, 422, "invalid", "%s: %s", e->field, e->message);
	return respond_error(r, 422, "invalid", "%s", e->message);
}

int h_policy_put(req *r)
{
	policy_doc_error e;
	policy_doc doc;
	json_t *body = NULL, *norm = NULL;
	char *text = NULL, *json = NULL;
	db_conn *db;
	int rc;

	policy_doc_init(&doc);
	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	if (policy_doc_parse(&doc, body, &e)) {
		rc = respond_invalid(r, &e);
		goto done;
	}
	norm = policy_doc_to_json(&doc);
	text = norm ? json_dumps(norm, JSON_COMPACT) : NULL;
	if (!text) {
		rc = respond_error(r, 500, "internal", "out of memory");
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_policy_put(db, &r->actor, text, &json);
	if (rc == STORE_OK)
		app_after_write(r);
	rc = respond_store_json(r, rc, json);
done:
	free(text);
	json_decref(norm);
	json_decref(body);
	policy_doc_free(&doc);
	return rc;
}

/*
 * The scope named by the path: an asset id (image routes) or a
 * normalized registry/repository (repository routes, path parameter
 * "{*repo}"). 0, or the 4xx answer was sent and its status returned.
 */
static int read_scope(req *r, int by_repo, store_scope *s, imageref *ref)
{
	char why[128];

	memset(s, 0, sizeof(*s));
	if (!by_repo) {
		if (parse_id(r->params[0], &s->image_id))
			return respond_error(r, 404, "not_found", "no image with that id");
		return 0;
	}
	if (imageref_parse(ref, r->params[0], why, sizeof(why)))
		return respond_error(r, 400, "bad_parameter", "\"%.300s\" is not a repository: %s",
				     r->params[0], why);
	if (ref->tag[0] || ref->digest[0])
		return respond_error(r, 400, "bad_parameter",
				     "name a repository (registry/repository) without a tag or digest");
	s->registry = ref->registry;
	s->repository = ref->repository;
	return 0;
}

static int scoped_get(req *r, int by_repo, int (*get)(db_conn *, const store_scope *, char **))
{
	store_scope s;
	imageref ref;
	char *json = NULL;
	db_conn *db;
	int rc;

	if ((rc = read_scope(r, by_repo, &s, &ref)) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	rc = get(db, &s, &json);
	if (rc == STORE_ERR_NOTFOUND)
		return respond_error(r, 404, "not_found", "no image with that id");
	return respond_store_json(r, rc, json);
}

static int hardening_put(req *r, int by_repo)
{
	store_hardening_in in;
	policy_hardening h;
	policy_doc_error e;
	store_scope s;
	imageref ref;
	json_t *body = NULL;
	char *json = NULL;
	db_conn *db;
	int rc;

	if ((rc = read_scope(r, by_repo, &s, &ref)) != 0 || (rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	if (policy_doc_parse_hardening(&h, body, &e)) {
		rc = respond_invalid(r, &e);
		goto done;
	}
	in.baseline = h.baseline;
	in.benchmark = h.benchmark;
	in.validated_by = h.validated_by;
	in.validated_at = h.validated_at;
	in.evidence = h.evidence;
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_hardening_put(db, &r->actor, &s, &in, &json);
	if (rc == STORE_ERR_NOTFOUND) {
		rc = respond_error(r, 404, "not_found", "no image with that id");
		goto done;
	}
	if (rc == STORE_OK)
		app_after_write(r);
	rc = respond_store_json(r, rc, json);
done:
	json_decref(body);
	return rc;
}

static int metadata_put(req *r, int by_repo)
{
	policy_doc_error e;
	store_scope s;
	imageref ref;
	json_t *body = NULL, *doc = NULL;
	char *text = NULL, *json = NULL;
	db_conn *db;
	int rc;

	if ((rc = read_scope(r, by_repo, &s, &ref)) != 0 || (rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	if (policy_doc_parse_metadata(&doc, body, &e)) {
		rc = respond_invalid(r, &e);
		goto done;
	}
	if (!(text = json_dumps(doc, JSON_COMPACT))) {
		rc = respond_error(r, 500, "internal", "out of memory");
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_metadata_put(db, &r->actor, &s, text, &json);
	if (rc == STORE_ERR_NOTFOUND) {
		rc = respond_error(r, 404, "not_found", "no image with that id");
		goto done;
	}
	rc = respond_store_json(r, rc, json);
done:
	free(text);
	json_decref(doc);
	json_decref(body);
	return rc;
}

int h_image_hardening_get(req *r) { return scoped_get(r, 0, store_hardening_get); }
int h_image_hardening_put(req *r) { return hardening_put(r, 0); }
int h_repo_hardening_get(req *r) { return scoped_get(r, 1, store_hardening_get); }
int h_repo_hardening_put(req *r) { return hardening_put(r, 1); }
int h_image_metadata_get(req *r) { return scoped_get(r, 0, store_metadata_get); }
int h_image_metadata_put(req *r) { return metadata_put(r, 0); }
int h_repo_metadata_get(req *r) { return scoped_get(r, 1, store_metadata_get); }
int h_repo_metadata_put(req *r) { return metadata_put(r, 1); }
