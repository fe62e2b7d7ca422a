/*
 * runtime_service.c - parse, resolve and store one runtime snapshot
 * (runtime_service.h).
 */
#include "runtime_service.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ingest/imageref.h"
#include "../ingest/ingest.h"
#include "../ingest/podlist.h"
#include "../util/crypto.h"
#include "../util/timeutil.h"

static const char *const default_moving_tags[] = {"latest", NULL};

static void fail(runtime_result *res, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(runtime_result *res, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	snprintf(res->code, sizeof(res->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
}

static int is_moving(const char *tag, const char *const *moving)
{
	for (; moving && *moving; moving++)
		if (!strcmp(tag, *moving))
			return 1;
	return 0;
}

/* The reference part of an imageID such as docker-pullable://repo@sha256:x. */
static int ref_from_image_id(const char *image_id, imageref *out)
{
	char tmp[1024], err[128];
	const char *p = image_id, *at;

	if (!p)
		return -1;
	if (!strncmp(p, "docker-pullable://", 18))
		p += 18;
	else if (!strncmp(p, "docker://", 9))
		p += 9;
	at = strchr(p, '@');
	if (!at || at == p || (size_t)(at - p) >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, (size_t)(at - p));
	tmp[at - p] = '\0';
	return imageref_parse(out, tmp, err, sizeof(err));
}

/* Fill a row's reference and digest fields; strings land in the arena. */
static int resolve_row(rt_snapshot *snap, const rt_container *ct, runtime_row *row,
		       const char *const *moving)
{
	char digest[IMAGEREF_DIGEST_MAX], err[128];
	imageref ref;
	int have_ref = 0;

	memset(row, 0, sizeof(*row));
	row->namespace_ = ct->namespace_ ? ct->namespace_ : "";
	row->pod = ct->pod ? ct->pod : (ct->container ? ct->container : "");
	row->container = ct->container ? ct->container : "";
	row->kind = ct->kind == RT_INIT ? "init" : ct->kind == RT_EPHEMERAL ? "ephemeral" : "container";
	row->image_ref = ct->image;
	row->node = ct->node;
	row->started_at = ct->started_at;
	if (ct->image_id && digest_normalize(ct->image_id, digest, sizeof(digest)) == 0)
		row->digest = arena_strdup(&snap->mem, digest);
	if (ct->image && imageref_parse(&ref, ct->image, err, sizeof(err)) == 0 && ref.repository[0]) {
		have_ref = 1;
		if (!row->digest && ref.digest[0])
			row->digest = arena_strdup(&snap->mem, ref.digest);
	}
	if (!have_ref && ref_from_image_id(ct->image_id, &ref) == 0)
		have_ref = 1;
	if (have_ref) {
		row->registry = arena_strdup(&snap->mem, ref.registry);
		row->repository = arena_strdup(&snap->mem, ref.repository);
		if (ref.tag[0] && !is_moving(ref.tag, moving)) {
			row->version = arena_strdup(&snap->mem, ref.tag);
		} else if (row->digest) {
			const char *colon = strchr(row->digest, ':');

			row->version = arena_printf(&snap->mem, "%.*s-%.12s", (int)(colon - row->digest),
						    row->digest, colon + 1);
			row->version_from_digest = 1;
		} else {
			/* a moving tag and no digest: resolved through the tag's build */
			row->version = arena_strdup(&snap->mem, ref.tag[0] ? ref.tag : "latest");
		}
		if (!row->registry || !row->repository || !row->version)
			return -1;
	}
	return 0;
}

void runtime_service_ingest(db_conn *db, const store_actor *who, char *body, size_t len,
			    const runtime_options *opt, runtime_result *res)
{
	rt_snapshot snap;
	runtime_snapshot_in in;
	runtime_row *rows = NULL;
	const char *const *moving = opt->moving_tags ? opt->moving_tags : default_moving_tags;
	char sha[CRYPTO_SHA256_HEX];
	const char *cluster = opt->cluster, *format;
	ms_error err;
	arena tree = ARENA_INIT;
	jd_value *root;
	size_t i;
	ms_err prc;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&err, 0, sizeof(err));
	rt_snapshot_init(&snap);
	crypto_sha256_hex(body, len, sha);
	root = ingest_load_jd(&tree, body, len, &err);
	if (!root) {
		if (err.line > 0)
			fail(res, 400, "malformed_json", "the snapshot is not valid JSON: line %d, column %d: %s",
			     err.line, err.column, err.message);
		else
			fail(res, 400, "malformed_json", "the snapshot is not valid JSON: %s", err.message);
		goto cleanup;
	}
	if (podlist_detect(root)) {
		format = "podlist";
		prc = podlist_parse(&snap, root, &err);
	} else {
		format = "muster";
		prc = runtime_own_parse(&snap, root, &err);
	}
	if (prc == MS_ERR_FORMAT) {
		fail(res, 415, "unsupported_format",
		     "send a Kubernetes PodList (kubectl get pods -A -o json) or muster's container list (docs/runtime.md)");
		goto cleanup;
	}
	if (prc != MS_OK) {
		fail(res, prc == MS_ERR_NOMEM ? 500 : 422, prc == MS_ERR_NOMEM ? "internal" : "missing_field",
		     "%s%s%s", err.field, err.field[0] ? ": " : "", err.message);
		goto cleanup;
	}
	/* own format: the cluster may come from the containers themselves */
	for (i = 0; i < snap.n && !cluster; i++)
		cluster = snap.items[i].cluster;
	for (i = 0; i < snap.n; i++) {
		if (snap.items[i].cluster && cluster && strcmp(snap.items[i].cluster, cluster)) {
			fail(res, 422, "mixed_clusters", "containers[%zu].cluster: a snapshot covers one cluster", i);
			goto cleanup;
		}
	}
	if (!cluster || !*cluster || strlen(cluster) > 253) {
		fail(res, 400, "bad_parameter", "name the cluster: ?cluster=NAME (1 to 253 characters)");
		goto cleanup;
	}
	snprintf(res->cluster, sizeof(res->cluster), "%s", cluster);
	res->observed_at = time(NULL);
	if (opt->observed_at) {
		if (time_parse_rfc3339(opt->observed_at, &res->observed_at)) {
			fail(res, 400, "bad_parameter", "observed_at must be an RFC 3339 time");
			goto cleanup;
		}
	} else if (snap.observed_at && time_parse_rfc3339(snap.observed_at, &res->observed_at)) {
		fail(res, 422, "missing_field", "observed_at: must be an RFC 3339 time");
		goto cleanup;
	}
	rows = calloc(snap.n ? snap.n : 1, sizeof(*rows));
	if (!rows) {
		fail(res, 500, "internal", "out of memory");
		goto cleanup;
	}
	for (i = 0; i < snap.n; i++) {
		if (resolve_row(&snap, &snap.items[i], &rows[i], moving)) {
			fail(res, 500, "internal", "out of memory");
			goto cleanup;
		}
	}
	in.cluster = cluster;
	in.namespace_ = opt->namespace_;
	in.observed_at = res->observed_at;
	in.format = format;
	in.sha256 = sha;
	in.rows = rows;
	in.n_rows = snap.n;
	rc = store_runtime_snapshot(db, who, &in, &res->out);
	if (rc == STORE_ERR_CONFLICT) {
		fail(res, 409, "stale_snapshot", "a newer snapshot of this scope was already recorded");
	} else if (rc == STORE_ERR_TIMEOUT) {
		fail(res, 503, "database_timeout",
		     "storing the snapshot ran past the database time limit and was cancelled; nothing was stored");
	} else if (rc == STORE_ERR_DOWN || rc == STORE_ERR_BUSY || rc == STORE_ERR_RETRY) {
		fail(res, 503, "database_unavailable", "the database is unavailable or busy; retry later");
	} else if (rc) {
		fail(res, rc == STORE_ERR_INVALID ? 422 : 500, rc == STORE_ERR_INVALID ? "invalid" : "internal",
		     "the snapshot could not be stored");
	} else {
		res->status = 201;
	}
cleanup:
	/* the snapshot's strings were copied into snap: the tree can go */
	arena_free(&tree);
	free(rows);
	rt_snapshot_free(&snap);
}

void runtime_result_free(runtime_result *res)
{
	free(res->out.unresolved_json);
	res->out.unresolved_json = NULL;
}
