/*
 * h_tokens.c - token management over HTTP (admin only): create, list,
 * revoke. The secret appears once, in the creation answer.
 */
#include <stdlib.h>
#include <string.h>

#include "../util/parse.h"
#include "handlers.h"
#include "respond.h"

static int valid_role(const char *s)
{
	return s && (!strcmp(s, "admin") || !strcmp(s, "scanner") ||
		     !strcmp(s, "sensor") || !strcmp(s, "viewer"));
}

int h_tokens_create(req *r)
{
	json_t *body = NULL;
	const char *name, *role;
	store_token t;
	char secret[65];
	db_conn *db;
	int rc;

	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	name = json_string_value(json_object_get(body, "name"));
	role = json_string_value(json_object_get(body, "role"));
	if (!name || !*name || strlen(name) > 120) {
		rc = respond_error(r, 422, "invalid", "\"name\" must be a string of 1 to 120 characters");
		goto done;
	}
	if (!valid_role(role)) {
		rc = respond_error(r, 422, "invalid", "\"role\" must be one of admin, scanner, sensor, viewer");
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_token_create(db, &r->actor, name, role, NULL, &t, secret);
	if (rc) {
		rc = respond_store_error(r, rc);
		goto done;
	}
	rc = respond_json(r, 201, json_pack("{sIssssss}", "id", (json_int_t)t.id, "name", t.name,
					    "role", t.role, "token", secret));
	memset(secret, 0, sizeof(secret));
done:
	json_decref(body);
	return rc;
}

int h_tokens_list(req *r)
{
	char *items = NULL;
	db_conn *db = req_db(r);
	buf out;
	int rc;

	if (!db)
		return r->status;
	rc = store_token_list(db, &items);
	if (rc)
		return respond_store_error(r, rc);
	buf_init(&out, (size_t)-1);
	if (buf_puts(&out, "{\"items\":") || buf_puts(&out, items) || buf_puts(&out, "}")) {
		free(items);
		return respond_error(r, 500, "internal", "out of memory");
	}
	free(items);
	rc = respond_json_text(r, 200, out.data, out.len);
	buf_free(&out);
	return rc;
}

int h_tokens_revoke(req *r)
{
	long long id;
	db_conn *db;
	int rc;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no token with that id");
	if (!(db = req_db(r)))
		return r->status;
	rc = store_token_revoke(db, &r->actor, id);
	if (rc == STORE_ERR_NOTFOUND)
		return respond_error(r, 404, "not_found", "no live token with id %lld", id);
	if (rc)
		return respond_store_error(r, rc);
	return respond_json(r, 200, json_pack("{sIsb}", "id", (json_int_t)id, "revoked", 1));
}
