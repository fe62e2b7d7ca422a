/*
 * h_admission.c - the Kubernetes deployment check
 * (POST /api/v1/admission?cluster=NAME): a ValidatingWebhook's
 * AdmissionReview in, the same four container rules the alerts use
 * evaluated for each image of the pod spec, an AdmissionReview answer out.
 * In the policy's "warn" mode every request is allowed and the reasons
 * become warnings. See docs/admission.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ingest/admission.h"
#include "../ingest/imageref.h"
#include "../store/rules.h"
#include "../util/buf.h"
#include "handlers.h"
#include "respond.h"

#define CLUSTER_MAX 253
#define MESSAGE_MAX 4000     /* bytes of the denial message */
#define WARNING_MAX 400      /* bytes of one warning */
#define WARNINGS_MAX 20      /* warnings in one answer */

/* One image of the request as checked. */
struct checked {
	const char *image;        /* as written in the pod spec */
	imageref ref;
	int valid;                /* the reference parsed */
	char why[128];            /* why it did not */
	int dup;                  /* the same text appeared earlier */
	size_t ord;               /* 1-based position among the valid ones */
};

/* Length of s cut to at most max bytes without splitting a UTF-8 character. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/* Drop an incomplete UTF-8 sequence that snprintf truncation left at the
 * end of s (the texts come from JSON, so they were valid before). */
static void utf8_trim_tail(char *s)
{
	size_t n = strlen(s), lead = n, want;
	unsigned char c;

	while (lead > 0 && n - lead < 4 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)s[lead - 1];
	if (c < 0x80)
		return;
	want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (n - (lead - 1) < want)
		s[lead - 1] = '\0';
}

static int add_warning(json_t *warnings, const char *text)
{
	if (json_array_size(warnings) >= WARNINGS_MAX)
		return 0;
	return json_array_append_new(warnings, json_stringn(text, utf8_cut(text, WARNING_MAX)));
}

/* Send the AdmissionReview answer for q; status_code and message are
 * used only when the request is denied. warnings (may be NULL) is stolen. */
static int answer(req *r, const adm_request *q, int allowed, int status_code,
		  const char *message, json_t *warnings)
{
	json_t *resp = json_pack("{sssb}", "uid", q->uid, "allowed", allowed), *review;

	if (!resp) {
		json_decref(warnings);
		return respond_error(r, 500, "internal", "out of memory");
	}
	if (!allowed)
		json_object_set_new(resp, "status",
				    json_pack("{s:i, s:s%}", "code", status_code, "message", message,
					      utf8_cut(message, MESSAGE_MAX)));
	if (warnings && json_array_size(warnings) > 0)
		json_object_set(resp, "warnings", warnings);
	json_decref(warnings);
	review = json_pack("{sssssO}", "apiVersion", q->api_version ? q->api_version : "admission.k8s.io/v1",
			   "kind", "AdmissionReview", "response", resp);
	json_decref(resp);
	return respond_json(r, 200, review);
}

/* Why a request is refused: the denial message and the same lines as
 * warnings (what warn mode answers). */
struct reasons {
	buf text;                 /* "line; line; ..." up to MESSAGE_MAX bytes */
	int n;                    /* lines added */
	int full;                 /* text reached its size and ends in "..." */
	json_t *warnings;
};

static void reason_add(struct reasons *rs, const char *line)
{
	size_t len = strlen(line);

	add_warning(rs->warnings, line);
	if (rs->full)
		return;
	if (rs->text.len + len + 8 > MESSAGE_MAX) {
		rs->full = 1;
		buf_puts(&rs->text, rs->n ? "; ..." : "...");
	} else {
		if (rs->n)
			buf_puts(&rs->text, "; ");
		buf_append(&rs->text, line, len);
	}
	rs->n++;
}

/* The reasons of one image from the store's answer:
 * "image: rule (message)" for each violation. */
static void image_reasons(struct reasons *rs, const struct checked *c, const json_t *violations)
{
	const json_t *v;
	size_t i;
	char line[WARNING_MAX + 1];

	json_array_foreach(violations, i, v) {
		const char *rule = json_string_value(json_object_get(v, "rule"));
		const char *msg = json_string_value(json_object_get(json_object_get(v, "detail"), "message"));

		if (!rule)
			continue;
		snprintf(line, sizeof(line), "%s: %s (%s)", c->image, rule, msg ? msg : "failed");
		utf8_trim_tail(line);
		reason_add(rs, line);
	}
}

/* A cluster name as PUT /api/v1/clusters/{name} accepts: visible
 * characters, no '/', valid UTF-8. */
static int valid_cluster(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k, more;

	if (!*p)
		return 0;
	while (*p) {
		if (*p < 0x21 || *p == 0x7f || *p == '/')
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		more = (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : 0;
		if (!more || *p == 0xC0 || *p == 0xC1 || *p > 0xF4)
			return 0;
		for (k = 1; k <= more; k++)
			if ((p[k] & 0xC0) != 0x80)
				return 0;
		p += more + 1;
	}
	return 1;
}

/* Read ?cluster=: 0 with *cluster NULL when absent or set, else the 400
 * answer was sent and its status returned. */
static int read_cluster(req *r, char *buf, size_t len, const char **cluster)
{
	*cluster = NULL;
	switch (req_query(r, "cluster", buf, len)) {
	case 0:
		return 0;
	case 1:
		if (valid_cluster(buf)) {
			*cluster = buf;
			return 0;
		}
		/* fall through */
	default:
		return respond_error(r, 400, "bad_parameter", "cluster must be a name of 1 to %d visible characters",
				     CLUSTER_MAX);
	}
}

/* Did the policy's moving_tags list the tag? */
static int is_moving_tag(const json_t *policy, const char *tag)
{
	const json_t *t;
	size_t k;

	if (!tag[0])
		return 1;   /* no tag: Docker pulls "latest" */
	json_array_foreach(json_object_get(policy, "moving_tags"), k, t)
		if (json_string_value(t) && !strcmp(json_string_value(t), tag))
			return 1;
	return 0;
}

/* Parse each distinct image reference of q into imgs and the store's
 * input in; *n_valid receives the number of valid ones. */
static void read_images(const adm_request *q, struct checked *imgs, rules_image_in *in,
			size_t *n_valid)
{
	size_t i, j, n = 0;

	for (i = 0; i < q->n_images; i++) {
		struct checked *c = &imgs[i];

		c->image = q->images[i].image;
		for (j = 0; j < i && !c->dup; j++)
			if (!strcmp(imgs[j].image, c->image))
				c->dup = 1;
		if (c->dup || imageref_parse(&c->ref, c->image, c->why, sizeof(c->why)) != 0)
			continue;
		c->valid = 1;
		c->ord = ++n;
		in[n - 1].registry = c->ref.registry;
		in[n - 1].repository = c->ref.repository;
		in[n - 1].tag = c->ref.tag;
		in[n - 1].digest = c->ref.digest;
	}
	*n_valid = n;
}

/* The answer for a request that could not be parsed; the status sent. */
static int refuse_unparsed(req *r, adm_request *q, const ms_error *err)
{
	char msg[512];

	if (err->code == MS_ERR_NOMEM)
		return respond_error(r, 500, "internal", "out of memory");
	if (!q->uid)
		return respond_error(r, 400, "bad_request", "not an AdmissionReview muster can answer: %s%s%s",
				     err->field, err->field[0] ? ": " : "", err->message);
	/* a request we can address but not check: deny it */
	snprintf(msg, sizeof(msg), "muster cannot check this request: %s%s%s", err->field,
		 err->field[0] ? ": " : "", err->message);
	utf8_trim_tail(msg);
	return answer(r, q, 0, 400, msg, NULL);
}

int h_admission(req *r)
{
	char cluster_buf[CLUSTER_MAX + 2], line[WARNING_MAX + 1], *json = NULL;
	const char *cluster, *mode, *env, *digest;
	struct checked *imgs = NULL;
	rules_image_in *in = NULL;
	struct reasons rs;
	json_t *root = NULL, *store = NULL, *policy;
	const json_t *items, *it;
	json_error_t je;
	adm_request q;
	ms_error err;
	size_t i, n_valid = 0;
	int rc;

	adm_request_init(&q);
	memset(&err, 0, sizeof(err));
	memset(&rs, 0, sizeof(rs));
	buf_init(&rs.text, MESSAGE_MAX);
	if ((rc = read_cluster(r, cluster_buf, sizeof(cluster_buf), &cluster)) != 0 ||
	    (rc = req_require_json(r)) != 0 || (rc = req_read_body(r)) != 0)
		goto done;
	root = json_loadb(r->body.data, r->body.len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		rc = respond_error(r, 400, "malformed_json", "line %d, column %d: %s", je.line, je.column, je.text);
		goto done;
	}
	if (admission_parse(&q, root, &err) != MS_OK) {
		rc = refuse_unparsed(r, &q, &err);
		goto done;
	}
	if (!(rs.warnings = json_array())) {
		rc = respond_error(r, 500, "internal", "out of memory");
		goto done;
	}
	if (q.n_images == 0) {
		/* kinds without a pod spec, DELETE, CONNECT: nothing to check */
		rc = answer(r, &q, 1, 0, NULL, rs.warnings);
		rs.warnings = NULL;
		goto done;
	}
	imgs = calloc(q.n_images, sizeof(*imgs));
	in = calloc(q.n_images, sizeof(*in));
	if (!imgs || !in) {
		rc = respond_error(r, 500, "internal", "out of memory");
		goto done;
	}
	read_images(&q, imgs, in, &n_valid);
	if (!req_db(r)) {
		rc = r->status;
		goto done;
	}
	rc = store_rules_admission(r->db, cluster, q.namespace_, in, n_valid, &json);
	req_db_release(r);
	if (rc) {
		rc = respond_store_error(r, rc);
		goto done;
	}
	if (!(store = json_loads(json, 0, NULL))) {
		rc = respond_error(r, 500, "internal", "could not read the rule results");
		goto done;
	}
	policy = json_object_get(store, "policy");
	mode = json_string_value(json_object_get(policy, "admission_mode"));
	env = json_string_value(json_object_get(store, "environment"));
	if (cluster && (!env || strcmp(env, "production") != 0)) {
		snprintf(line, sizeof(line), "muster: cluster %s namespace %s is %s%s; only production is checked",
			 cluster, q.namespace_ ? q.namespace_ : "(none)",
			 env ? "environment " : "not configured", env ? env : "");
		utf8_trim_tail(line);
		add_warning(rs.warnings, line);
		rc = answer(r, &q, 1, 0, NULL, rs.warnings);
		rs.warnings = NULL;
		goto done;
	}
	items = json_object_get(store, "images");
	for (i = 0; i < q.n_images; i++) {
		const struct checked *c = &imgs[i];

		if (c->dup)
			continue;
		if (!c->valid) {
			snprintf(line, sizeof(line), "%s: not a valid image reference (%s)", c->image, c->why);
			utf8_trim_tail(line);
			reason_add(&rs, line);
			continue;
		}
		it = json_array_get(items, c->ord - 1);
		image_reasons(&rs, c, json_object_get(it, "violations"));
		digest = json_string_value(json_object_get(it, "digest"));
		if (!c->ref.digest[0] && digest && is_moving_tag(policy, c->ref.tag)) {
			snprintf(line, sizeof(line), "%s: a moving tag; muster checked its most recently"
				 " seen build %s", c->image, digest);
			utf8_trim_tail(line);
			add_warning(rs.warnings, line);
		}
	}
	if (rs.n == 0 || (mode && !strcmp(mode, "warn"))) {
		rc = answer(r, &q, 1, 0, NULL, rs.warnings);
	} else {
		json_decref(rs.warnings);   /* the reasons are in the message */
		rc = answer(r, &q, 0, 403, rs.text.data ? rs.text.data : "denied by muster", NULL);
	}
	rs.warnings = NULL;
done:
	json_decref(rs.warnings);
	json_decref(store);
	json_decref(root);
	free(json);
	free(imgs);
	free(in);
	buf_free(&rs.text);
	adm_request_free(&q);
	return rc;
}
