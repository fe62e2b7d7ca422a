/*
 * admission.c - AdmissionReview parsing (admission.h): request identity and
 * the container images of the pod template, wherever the object's kind
 * keeps it.
 */
#include "admission.h"

#include <stdio.h>
#include <string.h>

void adm_request_init(adm_request *q)
{
	memset(q, 0, sizeof(*q));
}

void adm_request_free(adm_request *q)
{
	arena_free(&q->mem);
	memset(q, 0, sizeof(*q));
}

/* Where each workload kind keeps its pod spec, below request.object. */
static const struct {
	const char *kind;
	const char *path[5];      /* NULL-terminated member names */
	const char *field;        /* the same path for error messages */
} spec_paths[] = {
	{ "Pod", { "spec", NULL }, "request.object.spec" },
	{ "Deployment", { "spec", "template", "spec", NULL },
	  "request.object.spec.template.spec" },
	{ "ReplicaSet", { "spec", "template", "spec", NULL },
	  "request.object.spec.template.spec" },
	{ "StatefulSet", { "spec", "template", "spec", NULL },
	  "request.object.spec.template.spec" },
	{ "DaemonSet", { "spec", "template", "spec", NULL },
	  "request.object.spec.template.spec" },
	{ "Job", { "spec", "template", "spec", NULL },
	  "request.object.spec.template.spec" },
	{ "ReplicationController", { "spec", "template", "spec", NULL },
	  "request.object.spec.template.spec" },
	{ "CronJob", { "spec", "jobTemplate", "spec", "template", "spec" },
	  "request.object.spec.jobTemplate.spec.template.spec" },
};

static const struct {
	const char *key;
	rt_kind kind;
} container_lists[] = {
	{ "containers", RT_CONTAINER },
	{ "initContainers", RT_INIT },
	{ "ephemeralContainers", RT_EPHEMERAL },
};

/* Copy s into the request arena (NULL for NULL or ""); -1 on OOM. */
static int put(adm_request *q, char **dst, const char *s)
{
	*dst = NULL;
	if (!s || !*s)
		return 0;
	*dst = arena_strdup(&q->mem, s);
	return *dst ? 0 : -1;
}

static ms_err nomem(ms_error *err)
{
	return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
}

static ms_err add_images(adm_request *q, const json_t *spec, const char *base,
			 ms_error *err)
{
	char field[128];
	size_t l, i;

	for (l = 0; l < sizeof(container_lists) / sizeof(container_lists[0]); l++) {
		const json_t *list = json_object_get(spec, container_lists[l].key);
		const json_t *c;

		if (!list || json_is_null(list))
			continue;
		if (!json_is_array(list)) {
			snprintf(field, sizeof(field), "%s.%s", base, container_lists[l].key);
			return ms_error_set(err, MS_ERR_MISSING, field, "must be an array");
		}
		json_array_foreach(list, i, c) {
			const char *image = ms_json_str(c, "image");
			adm_image *im;

			if (!image || !*image) {
				snprintf(field, sizeof(field), "%s.%s[%zu].image", base,
					 container_lists[l].key, i);
				return ms_error_set(err, MS_ERR_MISSING, field,
						    "a container has no image");
			}
			if (arena_grow(&q->mem, (void **)&q->images, &q->cap_images,
				       q->n_images, sizeof(adm_image)) < 0)
				return nomem(err);
			im = &q->images[q->n_images];
			memset(im, 0, sizeof(*im));
			if (put(q, &im->image, image) < 0 ||
			    put(q, &im->container, ms_json_str(c, "name")) < 0)
				return nomem(err);
			im->kind = container_lists[l].kind;
			q->n_images++;
		}
	}
	return MS_OK;
}

static int known_api_version(const char *v)
{
	return v && (!strcmp(v, "admission.k8s.io/v1") ||
		     !strcmp(v, "admission.k8s.io/v1beta1"));
}

ms_err admission_parse(adm_request *out, const json_t *root, ms_error *err)
{
	const json_t *req, *object, *spec;
	const char *api, *kind, *uid, *ns, *name;
	size_t k, p;
	ms_err rc = MS_OK;

	if (!json_is_object(root))
		return ms_error_set(err, MS_ERR_FORMAT, NULL,
				    "the body is %s, not an AdmissionReview object",
				    json_is_null(root) ? "null" : "not a JSON object");
	api = ms_json_str(root, "apiVersion");
	kind = ms_json_str(root, "kind");
	if (!kind || strcmp(kind, "AdmissionReview") != 0)
		return ms_error_set(err, MS_ERR_FORMAT, "kind",
				    "not an AdmissionReview (kind must be \"AdmissionReview\")");
	if (!known_api_version(api))
		return ms_error_set(err, MS_ERR_FORMAT, "apiVersion",
				    "unsupported AdmissionReview apiVersion (expected "
				    "admission.k8s.io/v1)");
	req = json_object_get(root, "request");
	if (!json_is_object(req))
		return ms_error_set(err, MS_ERR_MISSING, "request",
				    "the AdmissionReview has no request to answer");
	uid = ms_json_str(req, "uid");
	if (!uid || !*uid)
		return ms_error_set(err, MS_ERR_MISSING, "request.uid",
				    "the request has no uid, so no response can be addressed");
	if (put(out, &out->uid, uid) < 0 || put(out, &out->api_version, api) < 0)
		return nomem(err);

	object = json_object_get(req, "object");
	kind = ms_json_str(json_object_get(req, "kind"), "kind");
	if (!kind)
		kind = ms_json_str(object, "kind");
	ns = ms_json_str(req, "namespace");
	if (!ns)
		ns = ms_json_str(json_object_get(object, "metadata"), "namespace");
	name = ms_json_str(req, "name");
	if (!name)
		name = ms_json_str(json_object_get(object, "metadata"), "name");
	if (put(out, &out->kind, kind) < 0 || put(out, &out->namespace_, ns) < 0 ||
	    put(out, &out->name, name) < 0 ||
	    put(out, &out->operation, ms_json_str(req, "operation")) < 0)
		return nomem(err);

	if (!kind || !json_is_object(object))
		return MS_OK;
	for (k = 0; k < sizeof(spec_paths) / sizeof(spec_paths[0]); k++) {
		if (strcmp(kind, spec_paths[k].kind) != 0)
			continue;
		spec = object;
		for (p = 0; p < 5 && spec_paths[k].path[p]; p++)
			spec = json_object_get(spec, spec_paths[k].path[p]);
		/* A workload without its pod spec cannot be checked: fail
		 * (the caller denies) rather than let it through unseen. */
		if (!json_is_object(spec))
			rc = ms_error_set(err, MS_ERR_MISSING, spec_paths[k].field,
					  "the %s has no pod spec", kind);
		else
			rc = add_images(out, spec, spec_paths[k].field, err);
		break;
	}
	if (rc != MS_OK)
		out->n_images = 0;
	return rc;
}
