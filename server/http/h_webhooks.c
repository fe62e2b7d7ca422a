/*
 * h_webhooks.c - webhook registrations over HTTP (admin): create, list,
 * delete, and the deliveries of one webhook. The secret is write-only:
 * answers say whether a webhook has one, never what it is.
 */
#include <stdlib.h>
#include <string.h>

#include "../policy/policy_doc.h"
#include "../store/webhooks.h"
#include "../util/parse.h"
#include "handlers.h"
#include "respond.h"

#define SECRET_MAX 256

int h_webhooks_create(req *r)
{
	const char *url, *secret = NULL, *key;
	policy_doc_error e;
	policy_url u;
	json_t *body, *v, *sv;
	char *json = NULL;
	db_conn *db;
	int rc;

	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	json_object_foreach(body, key, v) {
		if (strcmp(key, "url") && strcmp(key, "secret")) {
			rc = respond_error(r, 422, "invalid", "%.80s: unknown member", key);
			goto done;
		}
	}
	url = json_string_value(json_object_get(body, "url"));
	if (!url || strlen(url) != json_string_length(json_object_get(body, "url"))) {
		rc = respond_error(r, 422, "invalid", "url: required, a string");
		goto done;
	}
	if (policy_doc_parse_url(&u, url, &e)) {
		rc = respond_error(r, 422, "invalid", "%s: %s", e.field, e.message);
		goto done;
	}
	sv = json_object_get(body, "secret");
	if (sv && !json_is_null(sv)) {
		secret = json_string_value(sv);
		if (!secret || strlen(secret) != json_string_length(sv) || !*secret ||
		    strlen(secret) > SECRET_MAX) {
			rc = respond_error(r, 422, "invalid", "secret: must be a string of 1 to %d characters",
					   SECRET_MAX);
			goto done;
		}
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_webhook_create(db, &r->actor, url, secret, &json);
	if (rc) {
		free(json);
		rc = respond_store_error(r, rc);
		goto done;
	}
	rc = respond_json_text(r, 201, json, strlen(json));
	free(json);
done:
	json_decref(body);
	return rc;
}

int h_webhooks_list(req *r)
{
	char *json = NULL;
	db_conn *db;
	int rc;

	if (!(db = req_db(r)))
		return r->status;
	rc = store_webhook_list(db, &json);
	return respond_store_json(r, rc, json);
}

int h_webhooks_delete(req *r)
{
	long long id;
	db_conn *db;
	int rc;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no webhook with that id");
	if (!(db = req_db(r)))
		return r->status;
	rc = store_webhook_delete(db, &r->actor, id);
	if (rc == STORE_ERR_NOTFOUND)
		return respond_error(r, 404, "not_found", "no live webhook with id %lld", id);
	if (rc)
		return respond_store_error(r, rc);
	return respond_json(r, 200, json_pack("{sIsb}", "id", (json_int_t)id, "deleted", 1));
}

int h_webhooks_deliveries(req *r)
{
	char cursor[32], *json = NULL;
	store_page p;
	long long id;
	db_conn *db;
	int rc;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no webhook with that id");
	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	rc = store_webhook_deliveries(db, id, &p, &json);
	if (rc == STORE_ERR_NOTFOUND)
		return respond_error(r, 404, "not_found", "no webhook with id %lld", id);
	return respond_store_json(r, rc, json);
}
