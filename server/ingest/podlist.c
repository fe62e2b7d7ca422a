/*
 * podlist.c - runtime snapshots (podlist.h): Kubernetes PodList / List /
 * Pod documents and muster's own sensor format, turned into rt_container
 * rows owned by the snapshot's arena.
 */
#include "podlist.h"

#include <stdio.h>
#include <string.h>

#include "imageref.h"

void rt_snapshot_init(rt_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

void rt_snapshot_free(rt_snapshot *s)
{
	arena_free(&s->mem);
	memset(s, 0, sizeof(*s));
}

const char *rt_kind_name(rt_kind k)
{
	switch (k) {
	case RT_INIT: return "init";
	case RT_EPHEMERAL: return "ephemeral";
	default: return "container";
	}
}

/* A string that carries no value: absent, empty, or the "..." placeholder
 * some published fixtures use for redacted data. */
static int blank(const char *s)
{
	return !s || !*s || !strcmp(s, "...");
}

/*
 * Copy s into the snapshot arena as *dst (NULL for NULL or "").
 * Returns 0, or -1 on out-of-memory.
 */
static int put(rt_snapshot *out, char **dst, const char *s)
{
	*dst = NULL;
	if (!s || !*s)
		return 0;
	*dst = arena_strdup(&out->mem, s);
	return *dst ? 0 : -1;
}

static rt_container *add_item(rt_snapshot *out)
{
	rt_container *c;

	if (arena_grow(&out->mem, (void **)&out->items, &out->cap, out->n,
		       sizeof(rt_container)) < 0)
		return NULL;
	c = &out->items[out->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

static jd_value *get_path2(const jd_value *o, const char *a, const char *b)
{
	jd_value *v = jd_is_object(o) ? jd_object_get(o, a) : NULL;

	return jd_is_object(v) ? jd_object_get(v, b) : NULL;
}

static int is_empty_object(const jd_value *v)
{
	return jd_is_object(v) && jd_object_size(v) == 0;
}

int podlist_detect(const jd_value *root)
{
	const char *kind = ms_jd_str(root, "kind");
	jd_value *items, *it;
	size_t i;

	if (!kind)
		return 0;
	if (!strcmp(kind, "PodList") || !strcmp(kind, "Pod"))
		return 1;
	if (strcmp(kind, "List") != 0)
		return 0;
	items = jd_object_get(root, "items");
	if (!jd_is_array(items))
		return 0;
	jd_array_foreach(items, i, it) {
		const char *k;

		if (jd_is_null(it) || is_empty_object(it))
			continue;
		k = ms_jd_str(it, "kind");
		if (!k || strcmp(k, "Pod") != 0)
			return 0;
	}
	return 1;
}

/*
 * Which containers are present (the decision for RULES.md's "container
 * instance"):
 *   - a container whose state is "running" is present, whatever the phase;
 *   - in a pod that is not finished (phase Pending, Running, Unknown or
 *     absent) every container is present, waiting or terminated: a waiting
 *     container is about to run, a terminated one in a live pod is a
 *     completed init container or a crash-looping container that the
 *     kubelet restarts, and its image stays deployed in production;
 *   - in a Succeeded or Failed pod, containers that are not running are
 *     not present: the pod is finished and nothing of it runs any more
 *     (Job and CronJob pods that are kept for their logs).
 */
static int container_present(const jd_value *status_entry, int pod_finished)
{
	if (!pod_finished)
		return 1;
	return jd_is_object(get_path2(status_entry, "state", "running"));
}

static const char *started_at(const jd_value *status_entry)
{
	const char *s = ms_jd_str(get_path2(status_entry, "state", "running"),
				    "startedAt");

	if (!s)
		s = ms_jd_str(get_path2(status_entry, "state", "terminated"),
				"startedAt");
	return s;
}

/* The spec entry named `name` in a containers array, or NULL. */
static const jd_value *spec_by_name(const jd_value *list, const char *name)
{
	size_t i;
	jd_value *c;

	if (!jd_is_array(list))
		return NULL;
	jd_array_foreach(list, i, c) {
		const char *n = ms_jd_str(c, "name");

		if (n && !strcmp(n, name))
			return c;
	}
	return NULL;
}

static const struct {
	const char *status_key;
	const char *spec_key;
	rt_kind kind;
} groups[] = {
	{ "containerStatuses", "containers", RT_CONTAINER },
	{ "initContainerStatuses", "initContainers", RT_INIT },
	{ "ephemeralContainerStatuses", "ephemeralContainers", RT_EPHEMERAL },
};

typedef struct pod_ctx {
	const char *namespace_;
	const char *pod;
	const char *node;
} pod_ctx;

static ms_err add_container(rt_snapshot *out, const pod_ctx *p, rt_kind kind,
			    const char *name, const char *image,
			    const char *image_id, const char *started,
			    ms_error *err)
{
	rt_container *c = add_item(out);

	if (!c || put(out, &c->namespace_, p->namespace_) < 0 ||
	    put(out, &c->pod, p->pod) < 0 || put(out, &c->container, name) < 0 ||
	    put(out, &c->image, blank(image) ? NULL : image) < 0 ||
	    put(out, &c->image_id, blank(image_id) ? NULL : image_id) < 0 ||
	    put(out, &c->node, p->node) < 0 || put(out, &c->started_at, started) < 0)
		return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
	c->kind = kind;
	return MS_OK;
}

/* Status image when it is a reference, else the spec image, else the
 * status image as it is (see podlist_parse). */
static const char *pick_image(const char *status_image, const jd_value *spec_entry)
{
	const char *spec_image = ms_jd_str(spec_entry, "image");
	imageref ref;

	if (!blank(status_image) && imageref_parse(&ref, status_image, NULL, 0) == 0)
		return status_image;
	if (!blank(spec_image))
		return spec_image;
	return status_image;
}

static ms_err parse_pod(rt_snapshot *out, const jd_value *pod, const char *prefix,
			ms_error *err)
{
	const jd_value *meta = jd_object_get(pod, "metadata");
	const jd_value *spec = jd_object_get(pod, "spec");
	const jd_value *status = jd_object_get(pod, "status");
	const char *phase = ms_jd_str(status, "phase");
	int finished = phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"));
	char field[128];
	pod_ctx p;
	size_t g;
	ms_err rc;

	p.namespace_ = ms_jd_str(meta, "namespace");
	p.pod = ms_jd_str(meta, "name");
	p.node = ms_jd_str(spec, "nodeName");
	if (blank(p.pod)) {
		snprintf(field, sizeof(field), "%smetadata.name", prefix);
		return ms_error_set(err, MS_ERR_MISSING, field, "a pod has no name");
	}

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const jd_value *statuses = jd_object_get(status, groups[g].status_key);
		const jd_value *specs = jd_object_get(spec, groups[g].spec_key);
		const jd_value *e;
		size_t i;

		if (statuses && !jd_is_null(statuses) && !jd_is_array(statuses)) {
			snprintf(field, sizeof(field), "%sstatus.%s", prefix,
				 groups[g].status_key);
			return ms_error_set(err, MS_ERR_MISSING, field, "must be an array");
		}
		if (specs && !jd_is_null(specs) && !jd_is_array(specs)) {
			snprintf(field, sizeof(field), "%sspec.%s", prefix,
				 groups[g].spec_key);
			return ms_error_set(err, MS_ERR_MISSING, field, "must be an array");
		}

		/* Containers with a status. */
		for (i = 0; jd_is_array(statuses) && i < jd_array_size(statuses); i++) {
			const char *name;

			e = jd_array_get(statuses, i);
			if (jd_is_null(e))
				continue;
			name = ms_jd_str(e, "name");
			if (blank(name)) {
				snprintf(field, sizeof(field), "%sstatus.%s[%zu].name",
					 prefix, groups[g].status_key, i);
				return ms_error_set(err, MS_ERR_MISSING, field,
						    "a container status has no name");
			}
			if (!container_present(e, finished))
				continue;
			rc = add_container(out, &p, groups[g].kind, name,
					   pick_image(ms_jd_str(e, "image"),
						      spec_by_name(specs, name)),
					   ms_jd_str(e, "imageID"), started_at(e), err);
			if (rc != MS_OK)
				return rc;
		}

		/* Containers of the spec that have no status yet. */
		if (finished)
			continue;
		for (i = 0; jd_is_array(specs) && i < jd_array_size(specs); i++) {
			const char *name;

			e = jd_array_get(specs, i);
			if (jd_is_null(e))
				continue;
			name = ms_jd_str(e, "name");
			if (blank(name)) {
				snprintf(field, sizeof(field), "%sspec.%s[%zu].name",
					 prefix, groups[g].spec_key, i);
				return ms_error_set(err, MS_ERR_MISSING, field,
						    "a container has no name");
			}
			if (spec_by_name(statuses, name))
				continue;
			rc = add_container(out, &p, groups[g].kind, name,
					   ms_jd_str(e, "image"), NULL, NULL, err);
			if (rc != MS_OK)
				return rc;
		}
	}
	return MS_OK;
}

ms_err podlist_parse(rt_snapshot *out, const jd_value *root, ms_error *err)
{
	const char *kind;
	jd_value *items, *pod;
	char prefix[48];
	size_t i;
	ms_err rc = MS_OK;

	if (!podlist_detect(root))
		return ms_error_set(err, MS_ERR_FORMAT, NULL,
				    "not a kubernetes PodList, List of Pods or Pod");
	kind = ms_jd_str(root, "kind");
	if (!strcmp(kind, "Pod")) {
		rc = parse_pod(out, root, "", err);
		goto done;
	}
	items = jd_object_get(root, "items");
	if (!items || jd_is_null(items))
		return MS_OK;   /* Go marshals an empty list as null */
	if (!jd_is_array(items))
		return ms_error_set(err, MS_ERR_MISSING, "items", "must be an array");
	jd_array_foreach(items, i, pod) {
		if (jd_is_null(pod) || is_empty_object(pod))
			continue;
		if (!jd_is_object(pod)) {
			snprintf(prefix, sizeof(prefix), "items[%zu]", i);
			rc = ms_error_set(err, MS_ERR_MISSING, prefix, "must be an object");
			goto done;
		}
		snprintf(prefix, sizeof(prefix), "items[%zu].", i);
		rc = parse_pod(out, pod, prefix, err);
		if (rc != MS_OK)
			goto done;
	}
done:
	if (rc != MS_OK)
		out->n = 0;
	return rc;
}

static int digit2(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM). */
static int is_rfc3339(const char *s)
{
	size_t n = strlen(s), i = 19;

	if (n < 20 || !digit2(s) || !digit2(s + 2) || s[4] != '-' ||
	    !digit2(s + 5) || s[7] != '-' || !digit2(s + 8) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digit2(s + 11) || s[13] != ':' || !digit2(s + 14) || s[16] != ':' ||
	    !digit2(s + 17))
		return 0;
	if ((s[5] - '0') * 10 + (s[6] - '0') < 1 || (s[5] - '0') * 10 + (s[6] - '0') > 12 ||
	    (s[8] - '0') * 10 + (s[9] - '0') < 1 || (s[8] - '0') * 10 + (s[9] - '0') > 31 ||
	    (s[11] - '0') * 10 + (s[12] - '0') > 23 || (s[14] - '0') * 10 + (s[15] - '0') > 59 ||
	    (s[17] - '0') * 10 + (s[18] - '0') > 60)
		return 0;
	if (s[i] == '.') {
		i++;
		if (!(s[i] >= '0' && s[i] <= '9'))
			return 0;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0')
		return 1;
	if ((s[i] == '+' || s[i] == '-') && n - i == 6 && digit2(s + i + 1) &&
	    s[i + 3] == ':' && digit2(s + i + 4))
		return 1;
	return 0;
}

/*
 * String member `key` of container i: *val is NULL when absent or null.
 * Returns MS_OK or MS_ERR_MISSING for a non-string.
 */
static ms_err own_str(const jd_value *c, size_t i, const char *key, const char **val,
		      ms_error *err)
{
	jd_value *v = jd_object_get(c, key);
	char field[96];

	*val = NULL;
	if (!v || jd_is_null(v))
		return MS_OK;
	if (!jd_is_string(v)) {
		snprintf(field, sizeof(field), "containers[%zu].%s", i, key);
		return ms_error_set(err, MS_ERR_MISSING, field, "must be a string");
	}
	*val = jd_string_value(v);
	return MS_OK;
}

static ms_err own_item(rt_snapshot *out, const jd_value *c, size_t i, ms_error *err)
{
	static const char *const keys[] = {
		"cluster", "namespace", "pod", "container", "image", "image_id",
		"node", "started_at", "kind"
	};
	const char *v[9];
	char field[96], why[128], dig[IMAGEREF_DIGEST_MAX];
	imageref ref;
	rt_container *item;
	rt_kind kind = RT_CONTAINER;
	size_t k;
	ms_err rc;

	if (!jd_is_object(c)) {
		snprintf(field, sizeof(field), "containers[%zu]", i);
		return ms_error_set(err, MS_ERR_MISSING, field, "must be an object");
	}
	for (k = 0; k < 9; k++) {
		rc = own_str(c, i, keys[k], &v[k], err);
		if (rc != MS_OK)
			return rc;
	}
	/* v[]: 0 cluster 1 namespace 2 pod 3 container 4 image 5 image_id
	 * 6 node 7 started_at 8 kind */
	if (!v[4] || !*v[4]) {
		snprintf(field, sizeof(field), "containers[%zu].image", i);
		return ms_error_set(err, MS_ERR_MISSING, field, "the image reference is required");
	}
	if (imageref_parse(&ref, v[4], why, sizeof(why)) < 0) {
		snprintf(field, sizeof(field), "containers[%zu].image", i);
		return ms_error_set(err, MS_ERR_MISSING, field,
				    "not a valid image reference: %s", why);
	}
	if (v[5] && !*v[5])
		v[5] = NULL;
	if (v[5] && digest_normalize(v[5], dig, sizeof(dig)) < 0) {
		snprintf(field, sizeof(field), "containers[%zu].image_id", i);
		return ms_error_set(err, MS_ERR_MISSING, field,
				    "not an image digest (expected sha256:<64 hex> or repo@sha256:<64 hex>)");
	}
	if (!v[5] && !ref.digest[0]) {
		snprintf(field, sizeof(field), "containers[%zu].image_id", i);
		return ms_error_set(err, MS_ERR_MISSING, field,
				    "the image digest is required unless image is pinned "
				    "by digest (name@sha256:...)");
	}
	if (v[7] && *v[7] && !is_rfc3339(v[7])) {
		snprintf(field, sizeof(field), "containers[%zu].started_at", i);
		return ms_error_set(err, MS_ERR_MISSING, field,
				    "must be an rfc 3339 date-time");
	}
	if (v[8] && *v[8]) {
		if (!strcmp(v[8], "init"))
			kind = RT_INIT;
		else if (!strcmp(v[8], "ephemeral"))
			kind = RT_EPHEMERAL;
		else if (strcmp(v[8], "container") != 0) {
			snprintf(field, sizeof(field), "containers[%zu].kind", i);
			return ms_error_set(err, MS_ERR_MISSING, field,
					    "must be \"container\", \"init\" or \"ephemeral\"");
		}
	}

	item = add_item(out);
	if (!item || put(out, &item->cluster, v[0]) < 0 ||
	    put(out, &item->namespace_, v[1]) < 0 || put(out, &item->pod, v[2]) < 0 ||
	    put(out, &item->container, v[3]) < 0 || put(out, &item->image, v[4]) < 0 ||
	    put(out, &item->image_id, v[5]) < 0 || put(out, &item->node, v[6]) < 0 ||
	    put(out, &item->started_at, v[7]) < 0)
		return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
	item->kind = kind;
	return MS_OK;
}

ms_err runtime_own_parse(rt_snapshot *out, const jd_value *root, ms_error *err)
{
	jd_value *containers, *obs, *c;
	size_t i;
	ms_err rc = MS_OK;

	containers = jd_is_object(root) ? jd_object_get(root, "containers") : NULL;
	if (!jd_is_array(containers))
		return ms_error_set(err, MS_ERR_FORMAT, NULL,
				    "not a muster runtime snapshot (an object with a "
				    "\"containers\" array)");
	obs = jd_object_get(root, "observed_at");
	if (obs && !jd_is_null(obs)) {
		if (!jd_is_string(obs) || !is_rfc3339(jd_string_value(obs)))
			return ms_error_set(err, MS_ERR_MISSING, "observed_at",
					    "must be an rfc 3339 date-time");
		if (put(out, &out->observed_at, jd_string_value(obs)) < 0)
			return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
	}
	jd_array_foreach(containers, i, c) {
		rc = own_item(out, c, i, err);
		if (rc != MS_OK)
			break;
	}
	if (rc != MS_OK)
		out->n = 0;
	return rc;
}
