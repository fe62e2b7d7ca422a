/*
 * h_poam.c - POA&M items over HTTP: the list and one item with its history
 * (viewer), edits of the planning fields, vendor check-ins, deviation
 * requests and the authorizing official's decisions (admin). Items are
 * named by their POAM ID ("V-12") or its number ("12").
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../store/poam.h"
#include "../util/parse.h"
#include "../util/timeutil.h"
#include "handlers.h"
#include "respond.h"

#define POAM_TEXT_MAX 32767        /* Excel's cell limit: every field lands in a cell */
#define POAM_DOCS_MAX 50           /* supporting documents per request */

/* "V-12", "v-12" or "12" -> 12; 0 or -1. */
static int poam_ref(const char *s, long long *id)
{
	if (!s)
		return -1;
	if ((s[0] == 'V' || s[0] == 'v') && s[1] == '-')
		s += 2;
	return parse_id(s, id);
}

/* Characters of a UTF-8 string (jansson strings are valid UTF-8), or
 * (size_t)-1 when it holds a control character other than tab, line feed
 * and carriage return (they end up in workbook cells and report rows). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f)
			return (size_t)-1;
		if ((ch & 0xC0) != 0x80)
			n++;
	}
	return n;
}

/* An optional "at" member: absent/null -> 0 (now); else RFC 3339. 0 or -1. */
static int body_time(const json_t *body, time_t *at)
{
	const json_t *v = json_object_get(body, "at");

	*at = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || time_parse_rfc3339(json_string_value(v), at) || *at <= 0)
		return -1;
	return 0;
}

/* as_of= (RFC 3339 or a date = the end of that day), default now. 0, or the 400 was sent. */
static int query_as_of(req *r, time_t *as_of)
{
	char v[64];

	*as_of = time(NULL);
	switch (req_query(r, "as_of", v, sizeof(v))) {
	case 0:
		return 0;
	case 1:
		if (time_parse_rfc3339(v, as_of) == 0) {
			if (strlen(v) == 10)
				*as_of += 86399;
			return 0;
		}
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "as_of must be an RFC 3339 time or a date");
	}
}

static int query_bool(req *r, const char *name, int *out)
{
	char v[16];
	int b;

	*out = -1;
	switch (req_query(r, name, v, sizeof(v))) {
	case 0:
		return 0;
	case 1:
		if (parse_bool(v, &b) == 0) {
			*out = b;
			return 0;
		}
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "%s must be true or false", name);
	}
}

int h_poam_list(req *r)
{
	char status[16], risk[16], img[32], weakness[256], cursor[32];
	poam_filter f;
	store_page p;
	char *json = NULL;
	db_conn *db;
	int rc;

	memset(&f, 0, sizeof(f));
	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	switch (req_query(r, "status", status, sizeof(status))) {
	case 0:
		break;
	case 1:
		if (!strcmp(status, "open") || !strcmp(status, "closed")) {
			f.status = status;
			break;
		}
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "status must be open or closed");
	}
	switch (req_query(r, "risk", risk, sizeof(risk))) {
	case 0:
		break;
	case 1:
		if (!strcasecmp(risk, "High") || !strcasecmp(risk, "Moderate") || !strcasecmp(risk, "Low")) {
			risk_rating rr;

			risk_from_name(risk, &rr);
			f.risk = risk_name(rr);
			break;
		}
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "risk must be High, Moderate or Low");
	}
	if ((rc = query_bool(r, "late", &f.late)) != 0 || (rc = query_bool(r, "kev", &f.kev)) != 0)
		return rc;
	switch (req_query(r, "image", img, sizeof(img))) {
	case 0:
		break;
	case 1:
		if (parse_id(img, &f.image_id) == 0)
			break;
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "image must be an image id");
	}
	switch (req_query(r, "weakness", weakness, sizeof(weakness))) {
	case 0:
		break;
	case 1:
		f.weakness = weakness;
		break;
	default:
		return respond_error(r, 400, "bad_parameter", "weakness is too long");
	}
	if ((rc = query_as_of(r, &f.as_of)) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	rc = store_poam_list(db, &f, &p, &json);
	return respond_store_json(r, rc, json);
}

int h_poam_get(req *r)
{
	long long id;
	time_t as_of;
	char *json = NULL;
	db_conn *db;
	int rc;

	if (poam_ref(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no POA&M item with that id");
	if ((rc = query_as_of(r, &as_of)) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	rc = store_poam_get(db, id, as_of, &json);
	if (rc == STORE_ERR_NOTFOUND) {
		free(json);
		return respond_error(r, 404, "not_found", "no POA&M item with that id");
	}
	return respond_store_json(r, rc, json);
}

/* Answer with the item as it is now (after a write). */
static int respond_item(req *r, db_conn *db, long long id, int status)
{
	char *json = NULL;
	int rc = store_poam_get(db, id, time(NULL), &json);

	if (rc) {
		free(json);
		return respond_store_error(r, rc);
	}
	rc = respond_json_text(r, status, json, strlen(json));
	free(json);
	return rc;
}

static int not_found_or(req *r, int rc)
{
	if (rc == STORE_ERR_NOTFOUND)
		return respond_error(r, 404, "not_found", "no POA&M item with that id");
	return respond_store_error(r, rc);
}

int h_poam_patch(req *r)
{
	static const char *const fields[] = {"point_of_contact", "resources_required", "remediation_plan",
					     "planned_milestones", "milestone_changes", "comments",
					     "service_name", NULL};
	json_t *body = NULL, *delta = NULL, *v;
	const char *key;
	char *text = NULL;
	long long id;
	time_t at;
	db_conn *db;
	size_t i;
	int rc;

	if (poam_ref(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no POA&M item with that id");
	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	if (body_time(body, &at)) {
		rc = respond_error(r, 422, "invalid", "\"at\" must be an RFC 3339 time");
		goto done;
	}
	delta = json_object();
	json_object_foreach(body, key, v) {
		if (!strcmp(key, "at"))
			continue;
		for (i = 0; fields[i] && strcmp(fields[i], key); i++)
			;
		if (!fields[i]) {
			rc = respond_error(r, 422, "invalid", "\"%.64s\" cannot be edited; editable: point_of_contact,"
					   " resources_required, remediation_plan, planned_milestones, milestone_changes,"
					   " comments, service_name", key);
			goto done;
		}
		if (!json_is_null(v) && !json_is_string(v)) {
			rc = respond_error(r, 422, "invalid", "\"%s\" must be a string or null", key);
			goto done;
		}
		if (json_is_string(v) && utf8_chars(json_string_value(v)) > POAM_TEXT_MAX) {
			rc = respond_error(r, 422, "invalid", "\"%s\" must be at most %d characters without control"
					   " characters", key, POAM_TEXT_MAX);
			goto done;
		}
		json_object_set(delta, key, json_is_string(v) && *json_string_value(v) ? v : json_null());
	}
	if (json_object_size(delta) == 0) {
		rc = respond_error(r, 422, "invalid", "nothing to change");
		goto done;
	}
	text = json_dumps(delta, JSON_COMPACT);
	if (!text) {
		rc = respond_error(r, 500, "internal", "out of memory");
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_poam_edit(db, &r->actor, id, text, at);
	rc = rc ? not_found_or(r, rc) : respond_item(r, db, id, 200);
done:
	free(text);
	json_decref(delta);
	json_decref(body);
	return rc;
}

int h_poam_checkin(req *r)
{
	json_t *body;
	const json_t *note;
	long long id;
	time_t at;
	db_conn *db;
	int rc;

	if (poam_ref(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no POA&M item with that id");
	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	note = json_object_get(body, "note");
	if (body_time(body, &at)) {
		rc = respond_error(r, 422, "invalid", "\"at\" must be an RFC 3339 time");
		goto done;
	}
	if (note && !json_is_null(note) &&
	    (!json_is_string(note) || utf8_chars(json_string_value(note)) > POAM_TEXT_MAX)) {
		rc = respond_error(r, 422, "invalid", "\"note\" must be a string of at most %d characters", POAM_TEXT_MAX);
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_poam_checkin(db, &r->actor, id, at, json_string_value(note));
	if (rc == STORE_ERR_CONFLICT)
		rc = respond_error(r, 409, "closed", "the POA&M item is closed");
	else
		rc = rc ? not_found_or(r, rc) : respond_item(r, db, id, 201);
done:
	json_decref(body);
	return rc;
}

static int deviation_refused(req *r, poam_dev_err why)
{
	if (why == POAM_DEV_ERR_CLOSED || why == POAM_DEV_ERR_NOT_PENDING)
		return respond_error(r, 409, why == POAM_DEV_ERR_CLOSED ? "closed" : "already_decided", "%s",
				     poam_rules_dev_err_message(why));
	return respond_error(r, 422, why == POAM_DEV_ERR_HIGH_OR ? "high_operational_requirement" : "invalid",
			     "%s", poam_rules_dev_err_message(why));
}

int h_poam_deviation_create(req *r)
{
	const char *docs[POAM_DOCS_MAX];
	json_t *body, *v, *d;
	poam_dev_request rq;
	poam_dev_err why = POAM_DEV_OK;
	const char *type, *rationale;
	long long id;
	db_conn *db;
	size_t i;
	int rc, n = 0;

	if (poam_ref(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no POA&M item with that id");
	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	memset(&rq, 0, sizeof(rq));
	type = json_string_value(json_object_get(body, "type"));
	if (poam_rules_dev_type_parse(type, &rq.type)) {
		rc = respond_error(r, 422, "invalid",
				   "\"type\" must be risk_adjustment, false_positive or operational_requirement");
		goto done;
	}
	rationale = json_string_value(json_object_get(body, "rationale"));
	if (!rationale || !*rationale || utf8_chars(rationale) > 10000) {
		rc = respond_error(r, 422, "invalid", "\"rationale\" must be 1 to 10000 characters");
		goto done;
	}
	rq.rationale = rationale;
	v = json_object_get(body, "adjusted_risk");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || risk_from_name(json_string_value(v), &rq.adjusted)) {
			rc = respond_error(r, 422, "invalid", "\"adjusted_risk\" must be Low, Moderate or High");
			goto done;
		}
		rq.has_adjusted = 1;
	}
	v = json_object_get(body, "supporting_documents");
	if (v && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) > POAM_DOCS_MAX) {
			rc = respond_error(r, 422, "invalid", "\"supporting_documents\" must be a list of at most %d"
					   " strings (\"Document Type : Document Name\")", POAM_DOCS_MAX);
			goto done;
		}
		json_array_foreach(v, i, d) {
			if (!json_is_string(d) || !*json_string_value(d) || utf8_chars(json_string_value(d)) > 1000) {
				rc = respond_error(r, 422, "invalid", "each supporting document must be 1 to 1000 characters");
				goto done;
			}
			docs[rq.ndocuments++] = json_string_value(d);
		}
		rq.documents = docs;
	}
	if (body_time(body, &rq.at)) {
		rc = respond_error(r, 422, "invalid", "\"at\" must be an RFC 3339 time");
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_poam_deviation_request(db, &r->actor, id, &rq, &n, &why);
	if (rc == STORE_ERR_INVALID && why != POAM_DEV_OK)
		rc = deviation_refused(r, why);
	else if (rc)
		rc = not_found_or(r, rc);
	else
		rc = respond_item(r, db, id, 201);
done:
	json_decref(body);
	return rc;
}

int h_poam_deviation_decide(req *r)
{
	json_t *body, *approved;
	const char *official;
	poam_dev_err why = POAM_DEV_OK;
	long long id, n;
	time_t at;
	db_conn *db;
	int rc;

	if (poam_ref(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no POA&M item with that id");
	if (parse_int_range(r->params[1], 1, 1000000, &n))
		return respond_error(r, 404, "not_found", "no deviation request with that number");
	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!(body = req_body_json(r)))
		return r->status;
	approved = json_object_get(body, "approved");
	official = json_string_value(json_object_get(body, "official"));
	if (!json_is_boolean(approved)) {
		rc = respond_error(r, 422, "invalid", "\"approved\" must be true or false");
		goto done;
	}
	if (!official || !*official || utf8_chars(official) > 200) {
		rc = respond_error(r, 422, "invalid", "\"official\" must name the authorizing official (1 to 200 characters)");
		goto done;
	}
	if (body_time(body, &at)) {
		rc = respond_error(r, 422, "invalid", "\"at\" must be an RFC 3339 time");
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_poam_deviation_decide(db, &r->actor, id, (int)n, json_is_true(approved), official, at, &why);
	if (rc == STORE_ERR_INVALID && why != POAM_DEV_OK)
		rc = deviation_refused(r, why);
	else if (rc == STORE_ERR_NOTFOUND)
		rc = respond_error(r, 404, "not_found", "no such POA&M item or deviation request");
	else if (rc)
		rc = respond_store_error(r, rc);
	else
		rc = respond_item(r, db, id, 200);
done:
	json_decref(body);
	return rc;
}
