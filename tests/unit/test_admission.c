/*
 * test_admission.c - unit tests for admission.c: the two real Pod
 * AdmissionReviews (connaisseur, salesforce), the broken and null edge
 * requests, and synthetic reviews for Deployment, CronJob, StatefulSet,
 * other kinds, DELETE, v1beta1 and malformed containers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/admission.h"

static json_t *load(const char *rel)
{
	char path[512];
	json_error_t jerr;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, rel);
	j = json_load_file(path, JSON_DECODE_ANY, &jerr);
	if (!j)
		fail_msg("cannot load %s: %s", path, jerr.text);
	return j;
}

static json_t *parse_text(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (!j)
		fail_msg("bad test JSON: %s (%s)", jerr.text, text);
	return j;
}

static void test_connaisseur_pod(void **state)
{
	json_t *j = load("kubernetes/connaisseur_02_pod.admissionreview.json");
	adm_request q;
	ms_error err = { 0 };

	(void)state;
	adm_request_init(&q);
	assert_int_equal(admission_parse(&q, j, &err), MS_OK);
	assert_string_equal(q.uid, "0c3331b6-1812-11ea-b3fc-02897404852e");
	assert_string_equal(q.api_version, "admission.k8s.io/v1");
	assert_string_equal(q.kind, "Pod");
	assert_string_equal(q.namespace_, "test-connaisseur");
	assert_null(q.name);    /* generateName only */
	assert_string_equal(q.operation, "CREATE");
	assert_int_equal(q.n_images, 1);
	assert_string_equal(q.images[0].image,
		"securesystemsengineering/charlie-image@sha256:"
		"91ac9b26df583762234c1cdb2fc930364754ccc59bc752a2bfe298d2ea68f9ff");
	assert_string_equal(q.images[0].container, "test-connaisseur");
	assert_int_equal(q.images[0].kind, RT_CONTAINER);
	adm_request_free(&q);
	assert_null(q.uid);
	json_decref(j);
}

static void test_salesforce_pod(void **state)
{
	json_t *j = load("kubernetes/salesforce_admissionreview.json");
	adm_request q;
	ms_error err = { 0 };

	(void)state;
	adm_request_init(&q);
	assert_int_equal(admission_parse(&q, j, &err), MS_OK);
	assert_string_equal(q.uid, "e94a7790-a4fc-11e9-a276-42010a3e0104");
	assert_string_equal(q.kind, "Pod");
	assert_string_equal(q.namespace_, "keymaker");
	assert_string_equal(q.operation, "CREATE");
	assert_int_equal(q.n_images, 3);
	assert_string_equal(q.images[0].image,
			    "gcr.io/gsf-mgmt-devmvp-spinnaker/dva/keymaker-client:latest");
	assert_string_equal(q.images[0].container, "keymaker-original");
	assert_int_equal(q.images[0].kind, RT_CONTAINER);
	assert_string_equal(q.images[1].image,
			    "791719295754.dkr.ecr.us-east-2.amazonaws.com/dva/pki_aws_bootstrap:6");
	assert_string_equal(q.images[1].container, "ca-populator-original");
	assert_int_equal(q.images[1].kind, RT_INIT);
	assert_string_equal(q.images[2].container, "madkub-init-original");
	assert_int_equal(q.images[2].kind, RT_INIT);
	adm_request_free(&q);
	json_decref(j);
}

static void expect_err_json(json_t *j, ms_err code, const char *field, const char *uid)
{
	adm_request q;
	ms_error err = { 0 };

	adm_request_init(&q);
	assert_int_equal(admission_parse(&q, j, &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.field, field);
	assert_true(err.message[0] != '\0');
	assert_int_equal(q.n_images, 0);
	if (uid)
		assert_string_equal(q.uid, uid);
	else
		assert_null(q.uid);
	adm_request_free(&q);
}

static void expect_err(const char *text, ms_err code, const char *field, const char *uid)
{
	json_t *j = parse_text(text);

	expect_err_json(j, code, field, uid);
	json_decref(j);
}

static void test_edge_fixtures(void **state)
{
	json_t *j;

	(void)state;
	/* The request only has "operation": no uid to answer. */
	j = load("edge/connaisseur_21_broken_admission_request.json");
	expect_err_json(j, MS_ERR_MISSING, "request.uid", NULL);
	json_decref(j);
	/* The whole body is null. */
	j = load("edge/connaisseur_25_null_request.json");
	assert_true(json_is_null(j));
	expect_err_json(j, MS_ERR_FORMAT, "", NULL);
	json_decref(j);
}

#define REVIEW(kind, object) \
	"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"," \
	"\"request\":{\"uid\":\"u-1\",\"kind\":{\"group\":\"apps\",\"version\":\"v1\"," \
	"\"kind\":\"" kind "\"},\"namespace\":\"prod\",\"name\":\"web\"," \
	"\"operation\":\"CREATE\",\"object\":" object "}}"

static void test_deployment(void **state)
{
	static const char doc[] = REVIEW("Deployment",
		"{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":3,"
		"\"template\":{\"metadata\":{\"labels\":{}},\"spec\":{"
		"\"initContainers\":[{\"name\":\"migrate\",\"image\":\"registry.example.com/web/migrate:4\"}],"
		"\"containers\":[{\"name\":\"web\",\"image\":\"registry.example.com/web/app:4\"},"
		"{\"name\":\"proxy\",\"image\":\"envoyproxy/envoy:v1.30.1\"}]}}}}");
	json_t *j = parse_text(doc);
	adm_request q;
	ms_error err = { 0 };

	(void)state;
	adm_request_init(&q);
	assert_int_equal(admission_parse(&q, j, &err), MS_OK);
	assert_string_equal(q.kind, "Deployment");
	assert_string_equal(q.name, "web");
	assert_string_equal(q.namespace_, "prod");
	assert_int_equal(q.n_images, 3);
	assert_string_equal(q.images[0].image, "registry.example.com/web/app:4");
	assert_string_equal(q.images[1].image, "envoyproxy/envoy:v1.30.1");
	assert_string_equal(q.images[1].container, "proxy");
	assert_string_equal(q.images[2].image, "registry.example.com/web/migrate:4");
	assert_int_equal(q.images[2].kind, RT_INIT);
	adm_request_free(&q);
	json_decref(j);
}

static void test_cronjob(void **state)
{
	static const char doc[] = REVIEW("CronJob",
		"{\"kind\":\"CronJob\",\"spec\":{\"schedule\":\"*/5 * * * *\",\"jobTemplate\":{"
		"\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"OnFailure\","
		"\"containers\":[{\"name\":\"report\",\"image\":\"busybox:1.36@sha256:"
		"961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4\"}]}}}}}}");
	json_t *j = parse_text(doc);
	adm_request q;
	ms_error err = { 0 };

	(void)state;
	adm_request_init(&q);
	assert_int_equal(admission_parse(&q, j, &err), MS_OK);
	assert_string_equal(q.kind, "CronJob");
	assert_int_equal(q.n_images, 1);
	assert_string_equal(q.images[0].image, "busybox:1.36@sha256:"
			    "961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4");
	assert_string_equal(q.images[0].container, "report");
	adm_request_free(&q);
	json_decref(j);

	/* A CronJob shaped like a Deployment has no pod spec where it should. */
	expect_err(REVIEW("CronJob", "{\"spec\":{\"template\":{\"spec\":{\"containers\":"
				     "[{\"name\":\"x\",\"image\":\"x:1\"}]}}}}"),
		   MS_ERR_MISSING, "request.object.spec.jobTemplate.spec.template.spec", "u-1");
}

static void test_other_workloads(void **state)
{
	static const char *const kinds[] = {
		"StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"
	};
	char doc[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		json_t *j;
		adm_request q;
		ms_error err = { 0 };

		snprintf(doc, sizeof(doc),
			 "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
			 "\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"%s\"},\"operation\":\"UPDATE\","
			 "\"object\":{\"metadata\":{\"name\":\"n\",\"namespace\":\"ns\"},"
			 "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\","
			 "\"image\":\"nginx:1.25\"}],\"ephemeralContainers\":null}}}}}}", kinds[i]);
		j = parse_text(doc);
		adm_request_init(&q);
		assert_int_equal(admission_parse(&q, j, &err), MS_OK);
		assert_string_equal(q.kind, kinds[i]);
		/* name and namespace from object.metadata when the request lacks them */
		assert_string_equal(q.name, "n");
		assert_string_equal(q.namespace_, "ns");
		assert_string_equal(q.operation, "UPDATE");
		assert_int_equal(q.n_images, 1);
		assert_string_equal(q.images[0].image, "nginx:1.25");
		adm_request_free(&q);
		json_decref(j);
	}
}

static void test_no_images(void **state)
{
	adm_request q;
	ms_error err = { 0 };
	json_t *j;

	(void)state;
	/* A Service: allowed, no images. */
	j = parse_text(REVIEW("Service", "{\"kind\":\"Service\",\"spec\":{\"ports\":[]}}"));
	adm_request_init(&q);
	assert_int_equal(admission_parse(&q, j, &err), MS_OK);
	assert_string_equal(q.kind, "Service");
	assert_int_equal(q.n_images, 0);
	adm_request_free(&q);
	json_decref(j);

	/* DELETE: object is null. v1beta1 is accepted and echoed. */
	j = parse_text("{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\","
		       "\"request\":{\"uid\":\"d-1\",\"kind\":{\"kind\":\"Pod\"},"
		       "\"operation\":\"DELETE\",\"object\":null,\"oldObject\":{\"spec\":{}}}}");
	adm_request_init(&q);
	assert_int_equal(admission_parse(&q, j, &err), MS_OK);
	assert_string_equal(q.api_version, "admission.k8s.io/v1beta1");
	assert_string_equal(q.operation, "DELETE");
	assert_int_equal(q.n_images, 0);
	adm_request_free(&q);
	json_decref(j);

	/* Kind only in the object; Pod with empty spec lists. */
	j = parse_text("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
		       "\"request\":{\"uid\":\"p\",\"object\":{\"kind\":\"Pod\",\"spec\":"
		       "{\"containers\":[]}}}}");
	adm_request_init(&q);
	assert_int_equal(admission_parse(&q, j, &err), MS_OK);
	assert_string_equal(q.kind, "Pod");
	assert_int_equal(q.n_images, 0);
	assert_null(q.operation);
	adm_request_free(&q);
	json_decref(j);
}

static void test_errors(void **state)
{
	(void)state;
	expect_err("[]", MS_ERR_FORMAT, "", NULL);
	expect_err("\"AdmissionReview\"", MS_ERR_FORMAT, "", NULL);
	expect_err("{}", MS_ERR_FORMAT, "kind", NULL);
	expect_err("{\"kind\":\"PodList\",\"apiVersion\":\"v1\"}", MS_ERR_FORMAT, "kind", NULL);
	expect_err("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v2\","
		   "\"request\":{\"uid\":\"x\"}}", MS_ERR_FORMAT, "apiVersion", NULL);
	expect_err("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\"}",
		   MS_ERR_MISSING, "request", NULL);
	expect_err("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\","
		   "\"request\":null}", MS_ERR_MISSING, "request", NULL);
	expect_err("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\","
		   "\"request\":{\"uid\":42}}", MS_ERR_MISSING, "request.uid", NULL);
	expect_err("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\","
		   "\"request\":{\"uid\":\"\"}}", MS_ERR_MISSING, "request.uid", NULL);
	/* After the uid is known, errors keep it for the denial. */
	expect_err(REVIEW("Pod", "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x:1\"},"
				 "{\"name\":\"b\"}]}}"),
		   MS_ERR_MISSING, "request.object.spec.containers[1].image", "u-1");
	expect_err(REVIEW("Pod", "{\"spec\":{\"initContainers\":[{\"name\":\"a\",\"image\":7}]}}"),
		   MS_ERR_MISSING, "request.object.spec.initContainers[0].image", "u-1");
	expect_err(REVIEW("Pod", "{\"spec\":{\"containers\":{}}}"),
		   MS_ERR_MISSING, "request.object.spec.containers", "u-1");
	expect_err(REVIEW("Pod", "{\"spec\":{\"containers\":[null]}}"),
		   MS_ERR_MISSING, "request.object.spec.containers[0].image", "u-1");
	expect_err(REVIEW("Pod", "{\"metadata\":{}}"),
		   MS_ERR_MISSING, "request.object.spec", "u-1");
	expect_err(REVIEW("Deployment", "{\"spec\":{\"template\":[]}}"),
		   MS_ERR_MISSING, "request.object.spec.template.spec", "u-1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connaisseur_pod),
		cmocka_unit_test(test_salesforce_pod),
		cmocka_unit_test(test_edge_fixtures),
		cmocka_unit_test(test_deployment),
		cmocka_unit_test(test_cronjob),
		cmocka_unit_test(test_other_workloads),
		cmocka_unit_test(test_no_images),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
