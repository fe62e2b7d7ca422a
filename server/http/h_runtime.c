/*
 * h_runtime.c - what runs: sensor snapshots (POST /api/v1/runtime),
 * container instances, and the environment of clusters.
 */
#include <stdlib.h>
#include <string.h>

#include "../service/runtime_service.h"
#include "../store/inventory_reads.h"
#include "../util/parse.h"
#include "../util/timeutil.h"
#include "handlers.h"
#include "respond.h"

int h_runtime_post(req *r)
{
	char cluster[256], ns[256], when[64];
	runtime_options opt;
	runtime_result res;
	db_conn *db;
	char ts[32];
	int rc;

	memset(&opt, 0, sizeof(opt));
	if ((rc = req_require_report_type(r)) != 0)
		return rc;
	if (req_query(r, "cluster", cluster, sizeof(cluster)) < 0 ||
	    req_query(r, "namespace", ns, sizeof(ns)) < 0 ||
	    req_query(r, "observed_at", when, sizeof(when)) < 0)
		return respond_error(r, 400, "bad_parameter", "a query parameter is too long");
	if (req_query(r, "cluster", cluster, sizeof(cluster)) == 1)
		opt.cluster = cluster;
	if (req_query(r, "namespace", ns, sizeof(ns)) == 1)
		opt.namespace_ = ns;
	if (req_query(r, "observed_at", when, sizeof(when)) == 1)
		opt.observed_at = when;
	if ((rc = req_read_body(r)) != 0)
		return rc;
	if (!(db = req_db(r)))
		return r->status;
	runtime_service_ingest(db, &r->actor, r->body.data, r->body.len, &opt, &res);
	if (res.status >= 400) {
		rc = res.status == 503
			? respond_error_h(r, 503, "Retry-After: 2\r\n", res.code, "%s", res.message)
			: respond_error(r, res.status, res.code, "%s", res.message);
		runtime_result_free(&res);
		return rc;
	}
	r->written.snapshot_id = res.out.snapshot_id;
	app_after_write(r);
	time_format_rfc3339(res.observed_at, ts, sizeof(ts));
	rc = respond_json(r, 201, json_pack("{sIsssssIsIsIsIso*}",
		"snapshot_id", (json_int_t)res.out.snapshot_id, "cluster", res.cluster,
		"observed_at", ts, "containers", (json_int_t)res.out.containers,
		"started", (json_int_t)res.out.started, "ended", (json_int_t)res.out.ended,
		"unchanged", (json_int_t)res.out.unchanged,
		"unresolved", json_loads(res.out.unresolved_json, 0, NULL)));
	runtime_result_free(&res);
	return rc;
}

static int list_containers(req *r, long long image_id)
{
	char cluster[256], ns[256], state[16], prod[16], cursor[32];
	container_filter f;
	store_page p;
	char *json = NULL;
	db_conn *db;
	int rc, b;

	memset(&f, 0, sizeof(f));
	f.image_id = image_id;
	f.production = -1;
	if ((rc = read_page(r, &p, cursor, sizeof(cursor))) != 0)
		return rc;
	if (req_query(r, "cluster", cluster, sizeof(cluster)) < 0 || req_query(r, "namespace", ns, sizeof(ns)) < 0)
		return respond_error(r, 400, "bad_parameter", "a query parameter is too long");
	if (req_query(r, "cluster", cluster, sizeof(cluster)) == 1)
		f.cluster = cluster;
	if (req_query(r, "namespace", ns, sizeof(ns)) == 1)
		f.namespace_ = ns;
	if (!image_id) {
		char img[32];

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
	}
	switch (req_query(r, "state", state, sizeof(state))) {
	case 0:
		break;
	case 1:
		if (!strcmp(state, "running")) {
			f.state = 1;
			break;
		}
		if (!strcmp(state, "ended")) {
			f.state = 2;
			break;
		}
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "state must be running or ended");
	}
	if (req_query(r, "running", state, sizeof(state)) == 1) {
		if (parse_bool(state, &b))
			return respond_error(r, 400, "bad_parameter", "running must be true or false");
		f.state = b ? 1 : 2;
	}
	if (req_query(r, "production", prod, sizeof(prod)) != 0) {
		if (req_query(r, "production", prod, sizeof(prod)) < 0 || parse_bool(prod, &b))
			return respond_error(r, 400, "bad_parameter", "production must be true or false");
		f.production = b;
	}
	if (!(db = req_db(r)))
		return r->status;
	rc = store_containers_list(db, &f, &p, &json);
	return respond_store_json(r, rc, json);
}

int h_containers_list(req *r)
{
	return list_containers(r, 0);
}

int h_image_containers(req *r)
{
	long long id;

	if (parse_id(r->params[0], &id))
		return respond_error(r, 404, "not_found", "no image with that id");
	return list_containers(r, id);
}

static int valid_name(const char *s)
{
	const char *p;

	if (!s || !*s || strlen(s) > 253)
		return 0;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == '/' || (unsigned char)*p == 0x7f)
			return 0;
	return 1;
}

int h_clusters_put(req *r)
{
	json_t *body;
	const char *env, *ns;
	db_conn *db;
	int rc;

	if ((rc = req_require_json(r)) != 0)
		return rc;
	if (!valid_name(r->params[0]))
		return respond_error(r, 422, "invalid", "the cluster name must be 1 to 253 visible characters");
	if (!(body = req_body_json(r)))
		return r->status;
	env = json_string_value(json_object_get(body, "environment"));
	ns = json_object_get(body, "namespace") ? json_string_value(json_object_get(body, "namespace")) : "*";
	if (!env || !*env || strlen(env) > 32) {
		rc = respond_error(r, 422, "invalid", "\"environment\" must be a name such as production or staging");
		goto done;
	}
	if (!ns || !valid_name(ns)) {
		rc = respond_error(r, 422, "invalid", "\"namespace\" must be a namespace or a pattern with *");
		goto done;
	}
	if (!(db = req_db(r))) {
		rc = r->status;
		goto done;
	}
	rc = store_environment_set(db, &r->actor, r->params[0], ns, env);
	if (rc == STORE_ERR_INVALID) {
		rc = respond_error(r, 422, "invalid", "environment names are lower-case letters, digits, _ and -");
		goto done;
	}
	if (rc) {
		rc = respond_store_error(r, rc);
		goto done;
	}
	r->written.cluster = r->params[0];
	app_after_write(r);
	rc = respond_json(r, 200, json_pack("{ssssss}", "cluster", r->params[0], "namespace", ns,
					    "environment", env));
done:
	json_decref(body);
	return rc;
}

int h_clusters_list(req *r)
{
	char *json = NULL;
	db_conn *db;
	int rc;

	if (!(db = req_db(r)))
		return r->status;
	rc = store_environments_list(db, &json);
	return respond_store_json(r, rc, json);
}
