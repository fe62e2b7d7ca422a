/*
 * test_podlist.c - unit tests for podlist.c: the three Kubernetes PodList
 * fixtures (Docker and containerd runtimes, a Pending pod, finished Job
 * pods), the edge PodLists (placeholders, null and {} items, non-JSON),
 * detection, and muster's own snapshot format with its error paths.
 * Expected values were computed from the fixture files with python3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "jd_test.h"

#include "ingest/podlist.h"

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
		fail_msg("bad test JSON: %s", jerr.text);
	return j;
}

static size_t count_kind(const rt_snapshot *s, rt_kind k)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += s->items[i].kind == k;
	return n;
}

static const rt_container *find(const rt_snapshot *s, const char *pod,
				const char *container)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->items[i].pod && !strcmp(s->items[i].pod, pod) &&
		    s->items[i].container && !strcmp(s->items[i].container, container))
			return &s->items[i];
	return NULL;
}

/* Docker runtime: 11 running pods, 16 statuses of which 4 are completed
 * init containers of running pods. */
static void test_honeycomb(void **state)
{
	json_t *j = load("kubernetes/honeycomb_pods.json");
	rt_snapshot s;
	ms_error err = { 0 };
	const rt_container *c;

	(void)state;
	rt_snapshot_init(&s);
	assert_int_equal(podlist_detect(jd_of(j)), 1);
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	assert_int_equal(s.n, 16);
	assert_int_equal(count_kind(&s, RT_CONTAINER), 12);
	assert_int_equal(count_kind(&s, RT_INIT), 4);
	assert_null(s.observed_at);

	c = &s.items[0];
	assert_string_equal(c->namespace_, "metallb-system");
	assert_string_equal(c->pod, "speaker-cpxhz");
	assert_string_equal(c->container, "speaker");
	assert_string_equal(c->image, "metallb/speaker:v0.9.3");
	assert_string_equal(c->image_id,
		"docker-pullable://metallb/speaker@sha256:"
		"2b74eca0f25e946e9a1dc4b94b9da067b1fec4244364d266283dfbbab546a629");
	assert_string_equal(c->node, "duckboat-01");
	assert_string_equal(c->started_at, "2020-08-28T08:45:50Z");
	assert_null(c->cluster);

	/* Completed init container of a running pod: present, terminated
	 * startedAt. */
	c = find(&s, "calico-node-h2bjp", "flexvol-driver");
	assert_non_null(c);
	assert_int_equal(c->kind, RT_INIT);
	assert_string_equal(c->image, "calico/pod2daemon-flexvol:v3.13.2");
	assert_string_equal(c->started_at, "2020-08-28T08:46:28Z");

	/* Status image differs from spec ("docker.io/bitnami/..."): status wins. */
	c = find(&s, "phpmyadmin-54c7cdbdc7-8qnbr", "phpmyadmin");
	assert_non_null(c);
	assert_string_equal(c->image, "bitnami/phpmyadmin:5.0.2-debian-10-r10");
	rt_snapshot_free(&s);
	assert_int_equal(s.n, 0);
	json_decref(j);
}

/* containerd: 24 pods, 4 Failed and 2 Succeeded Job pods are not present;
 * bare "sha256:" imageIDs; a status image that is an image ID. */
static void test_nri_containerd(void **state)
{
	json_t *j = load("kubernetes/nri-kubernetes_1_35_kubelet_pods.json");
	rt_snapshot s;
	ms_error err = { 0 };
	const rt_container *c;
	size_t i;

	(void)state;
	rt_snapshot_init(&s);
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	assert_int_equal(s.n, 18);
	assert_int_equal(count_kind(&s, RT_CONTAINER), 18);
	for (i = 0; i < s.n; i++) {
		assert_null(strstr(s.items[i].pod, "e2e-failjob"));
		assert_null(strstr(s.items[i].pod, "e2e-cronjob"));
		assert_string_equal(s.items[i].node, "datagen-1-35");
	}

	c = find(&s, "metrics-server-9d74bb658-c6nnt", "metrics-server");
	assert_non_null(c);
	assert_string_equal(c->image,
		"registry.k8s.io/metrics-server/metrics-server:v0.8.1@sha256:"
		"b2d2efaf5ac3b366ed0f839d2412a2c4279d4fc2a2a733f12c52133faed36c41");
	assert_string_equal(c->image_id,
		"registry.k8s.io/metrics-server/metrics-server@sha256:"
		"b2d2efaf5ac3b366ed0f839d2412a2c4279d4fc2a2a733f12c52133faed36c41");

	c = find(&s, "etcd-datagen-1-35", "etcd");
	assert_non_null(c);
	assert_string_equal(c->image, "registry.k8s.io/etcd:3.6.6-0");
	assert_string_equal(c->image_id,
		"sha256:271e49a0ebc56647476845128fcd2a73bb138beeca3878cc3bf52b4ff1172a57");

	/* Crash-looping (terminated) container of a Running pod is present. */
	c = find(&s, "e2e-container-creating", "alpine");
	assert_non_null(c);
	assert_string_equal(c->started_at, "2026-06-26T10:14:29Z");
	rt_snapshot_free(&s);
	json_decref(j);
}

/* A Pending pod whose status has imageID "". */
static void test_splunk_pending(void **state)
{
	json_t *j = load("kubernetes/splunk_k8s-metrics-agg_pods.json");
	rt_snapshot s;
	ms_error err = { 0 };
	const rt_container *c;

	(void)state;
	rt_snapshot_init(&s);
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	assert_int_equal(s.n, 21);
	c = find(&s, "new-metrics-test-final-splunk-kubernetes-metrics-6c9f477b5rng2c",
		 "fluentd");
	assert_non_null(c);
	assert_string_equal(c->image, "chaitanyaphalak/k8s-metrics-agg:beta-test-5");
	assert_null(c->image_id);
	assert_null(c->started_at);
	assert_string_equal(c->node, "generics-aws-node-three");
	rt_snapshot_free(&s);
	json_decref(j);
}

/* "..." placeholders become NULL; one init container. */
static void test_cloudability(void **state)
{
	json_t *j = load("edge/cloudability_pods.json");
	rt_snapshot s;
	ms_error err = { 0 };
	const rt_container *c;

	(void)state;
	rt_snapshot_init(&s);
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	assert_int_equal(s.n, 7);
	assert_int_equal(count_kind(&s, RT_INIT), 1);
	c = find(&s, "cloudability-metrics-agent-f564d999d-8qwp8", "cloudability-metrics-agent");
	assert_non_null(c);
	assert_null(c->image);
	assert_null(c->image_id);
	c = find(&s, "aws-node-48cfw", "aws-vpc-cni-init");
	assert_non_null(c);
	assert_int_equal(c->kind, RT_INIT);
	assert_string_equal(c->image_id,
		"docker-pullable://602401143452.dkr.ecr.us-east-1.amazonaws.com/"
		"amazon-k8s-cni-init@sha256:6c70af7bf257712105a89a896b2afb86c86ace865d32eb73765bf29163a08c56");
	rt_snapshot_free(&s);
	json_decref(j);
}

/* items = [null, <pod>, {}]; and a file that is not JSON at all. */
static void test_datadog_edges(void **state)
{
	json_t *j = load("edge/datadog_podlist_null_pod.json");
	rt_snapshot s;
	ms_error err = { 0 };
	char path[512];
	json_error_t jerr;

	(void)state;
	rt_snapshot_init(&s);
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.items[0].pod, "nginx-99d8b564-4r4vq");
	assert_string_equal(s.items[0].image, "nginx:latest");
	assert_string_equal(s.items[0].image_id,
		"docker-pullable://nginx@sha256:"
		"285b49d42c703fdf257d1e2422765c4ba9d3e37768d6ea83d7fe2043dad6e63d");
	rt_snapshot_free(&s);
	json_decref(j);

	/* "invalid file\n" never reaches the parser: jansson rejects it. */
	snprintf(path, sizeof(path), "%s/edge/datadog_invalid.json", FIXTURES_DIR);
	assert_null(json_load_file(path, JSON_DECODE_ANY, &jerr));
	assert_int_equal(jerr.line, 1);
}

static void test_detect(void **state)
{
	static const struct { const char *json; int pods; } cases[] = {
		{ "{\"kind\":\"PodList\",\"items\":[]}", 1 },
		{ "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}", 1 },
		{ "{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\"},null,{}]}", 1 },
		{ "{\"kind\":\"List\",\"items\":[]}", 1 },
		{ "{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\"},{\"kind\":\"Service\"}]}", 0 },
		{ "{\"kind\":\"List\",\"items\":[{\"metadata\":{}}]}", 0 },
		{ "{\"kind\":\"List\",\"items\":{}}", 0 },
		{ "{\"kind\":\"DeploymentList\",\"items\":[]}", 0 },
		{ "{\"items\":[]}", 0 },
		{ "{\"kind\":42}", 0 },
		{ "{\"containers\":[]}", 0 },
		{ "[]", 0 },
		{ "null", 0 },
		{ "\"PodList\"", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = parse_text(cases[i].json);

		if (podlist_detect(jd_of(j)) != cases[i].pods)
			fail_msg("detect case %zu %s", i, cases[i].json);
		json_decref(j);
	}
	assert_int_equal(podlist_detect(jd_of(NULL)), 0);
}

/* Synthetic pods: a bare Pod, a List of Pods, spec-only containers of a
 * Pending pod, and an ephemeral container. */
static void test_synthetic(void **state)
{
	static const char bare[] =
		"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\"},"
		"\"spec\":{\"nodeName\":\"n1\","
		" \"initContainers\":[{\"name\":\"setup\",\"image\":\"busybox:1.36\"}],"
		" \"containers\":[{\"name\":\"app\",\"image\":\"shop/app:2\"},"
		"                 {\"name\":\"side\",\"image\":\"envoyproxy/envoy:v1.30\"}],"
		" \"ephemeralContainers\":[{\"name\":\"debugger\",\"image\":\"busybox\"}]},"
		"\"status\":{\"phase\":\"Pending\","
		" \"containerStatuses\":[{\"name\":\"app\",\"image\":\"shop/app:2\",\"imageID\":\"\","
		"   \"state\":{\"waiting\":{\"reason\":\"ContainerCreating\"}}}],"
		" \"ephemeralContainerStatuses\":[null]}}";
	static const char list[] =
		"{\"kind\":\"List\",\"items\":["
		"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"namespace\":\"x\"},"
		" \"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.25\"}]},"
		" \"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\","
		"  \"image\":\"nginx:1.25\",\"imageID\":\"docker://sha256:"
		"961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4\","
		"  \"state\":{\"running\":{\"startedAt\":\"2025-01-02T03:04:05Z\"}}}]}},"
		"{\"kind\":\"Pod\",\"metadata\":{\"name\":\"done\",\"namespace\":\"x\"},"
		" \"spec\":{\"containers\":[{\"name\":\"job\",\"image\":\"bash:5\"},"
		"                          {\"name\":\"stuck\",\"image\":\"bash:5\"}]},"
		" \"status\":{\"phase\":\"Failed\",\"containerStatuses\":["
		"  {\"name\":\"job\",\"image\":\"bash:5\",\"state\":{\"terminated\":{}}},"
		"  {\"name\":\"stuck\",\"image\":\"bash:5\",\"state\":{\"running\":{}}}]}}]}";
	rt_snapshot s;
	ms_error err = { 0 };
	json_t *j;
	const rt_container *c;

	(void)state;
	rt_snapshot_init(&s);
	j = parse_text(bare);
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	json_decref(j);
	assert_int_equal(s.n, 4);
	c = find(&s, "web", "app");
	assert_non_null(c);
	assert_int_equal(c->kind, RT_CONTAINER);
	assert_null(c->image_id);
	assert_null(c->started_at);
	c = find(&s, "web", "side");
	assert_non_null(c);
	assert_string_equal(c->image, "envoyproxy/envoy:v1.30");
	assert_null(c->image_id);
	assert_string_equal(c->namespace_, "shop");
	assert_string_equal(c->node, "n1");
	c = find(&s, "web", "setup");
	assert_non_null(c);
	assert_int_equal(c->kind, RT_INIT);
	c = find(&s, "web", "debugger");
	assert_non_null(c);
	assert_int_equal(c->kind, RT_EPHEMERAL);
	assert_string_equal(rt_kind_name(c->kind), "ephemeral");

	/* Appends to the same snapshot: the Failed pod only contributes the
	 * container that is still running. */
	j = parse_text(list);
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	json_decref(j);
	assert_int_equal(s.n, 6);
	c = find(&s, "a", "c");
	assert_non_null(c);
	assert_string_equal(c->started_at, "2025-01-02T03:04:05Z");
	assert_non_null(find(&s, "done", "stuck"));
	assert_null(find(&s, "done", "job"));
	rt_snapshot_free(&s);
}

static void expect_err(const char *text, int own, ms_err code, const char *field)
{
	rt_snapshot s;
	ms_error err = { 0 };
	json_t *j = parse_text(text);
	ms_err rc;

	rt_snapshot_init(&s);
	rc = own ? runtime_own_parse(&s, jd_of(j), &err) : podlist_parse(&s, jd_of(j), &err);
	if (rc != code)
		fail_msg("%s: expected code %d, got %d (%s: %s)", text, code, rc,
			 err.field, err.message);
	assert_int_equal(err.code, code);
	if (field)
		assert_string_equal(err.field, field);
	assert_true(err.message[0] != '\0');
	assert_int_equal(s.n, 0);
	rt_snapshot_free(&s);
	json_decref(j);
}

static void test_podlist_errors(void **state)
{
	(void)state;
	expect_err("null", 0, MS_ERR_FORMAT, "");
	expect_err("{\"kind\":\"DeploymentList\"}", 0, MS_ERR_FORMAT, "");
	expect_err("{\"kind\":\"PodList\",\"items\":{}}", 0, MS_ERR_MISSING, "items");
	expect_err("{\"kind\":\"PodList\",\"items\":[null,7]}", 0, MS_ERR_MISSING, "items[1]");
	expect_err("{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"ok\"},"
		   "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}},"
		   "{\"metadata\":{\"namespace\":\"n\"}}]}",
		   0, MS_ERR_MISSING, "items[1].metadata.name");
	expect_err("{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"p\"},"
		   "\"status\":{\"containerStatuses\":[{\"image\":\"x\"}]}}]}",
		   0, MS_ERR_MISSING, "items[0].status.containerStatuses[0].name");
	expect_err("{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"p\"},"
		   "\"status\":{\"initContainerStatuses\":\"x\"}}]}",
		   0, MS_ERR_MISSING, "items[0].status.initContainerStatuses");
	expect_err("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
		   "\"spec\":{\"containers\":[{\"name\":5}]}}",
		   0, MS_ERR_MISSING, "spec.containers[0].name");
}

static void test_podlist_lenient(void **state)
{
	rt_snapshot s;
	ms_error err = { 0 };
	json_t *j;

	(void)state;
	rt_snapshot_init(&s);
	/* items null (Go's empty slice), wrong-typed optional fields. */
	j = parse_text("{\"kind\":\"PodList\",\"items\":null}");
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	assert_int_equal(s.n, 0);
	json_decref(j);
	j = parse_text("{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"p\","
		       "\"namespace\":7},\"spec\":{\"nodeName\":[],\"containers\":[{\"name\":\"c\","
		       "\"image\":{}}]},\"status\":{\"phase\":null}}]}");
	assert_int_equal(podlist_parse(&s, jd_of(j), &err), MS_OK);
	json_decref(j);
	assert_int_equal(s.n, 1);
	assert_null(s.items[0].namespace_);
	assert_null(s.items[0].node);
	assert_null(s.items[0].image);
	rt_snapshot_free(&s);
}

static void test_own_format(void **state)
{
	static const char doc[] =
		"{\"observed_at\":\"2025-08-25T17:04:19.9796Z\",\"containers\":["
		"{\"cluster\":\"prod-east\",\"namespace\":\"shop\",\"pod\":\"web-1\","
		" \"container\":\"app\",\"image\":\"registry.example.com/shop/app:2.1\","
		" \"image_id\":\"registry.example.com/shop/app@sha256:"
		"b1c5a500182b21d0bfa5a584a8526b56d8be316f89e87d951be04abed2446e60\","
		" \"node\":\"ip-10-0-0-1\",\"started_at\":\"2025-08-25T10:00:00+02:00\"},"
		"{\"cluster\":\"prod-east\",\"pod\":\"web-1\",\"container\":\"init\",\"kind\":\"init\","
		" \"image\":\"busybox:1.36@sha256:"
		"961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4\","
		" \"image_id\":null,\"node\":null},"
		"{\"image\":\"nginx\",\"image_id\":\"sha256:"
		"961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4\","
		" \"kind\":\"ephemeral\"}]}";
	rt_snapshot s;
	ms_error err = { 0 };
	json_t *j = parse_text(doc);

	(void)state;
	rt_snapshot_init(&s);
	assert_int_equal(podlist_detect(jd_of(j)), 0);
	assert_int_equal(runtime_own_parse(&s, jd_of(j), &err), MS_OK);
	json_decref(j);
	assert_string_equal(s.observed_at, "2025-08-25T17:04:19.9796Z");
	assert_int_equal(s.n, 3);
	assert_string_equal(s.items[0].cluster, "prod-east");
	assert_string_equal(s.items[0].namespace_, "shop");
	assert_string_equal(s.items[0].pod, "web-1");
	assert_string_equal(s.items[0].container, "app");
	assert_string_equal(s.items[0].image, "registry.example.com/shop/app:2.1");
	assert_string_equal(s.items[0].image_id,
			    "registry.example.com/shop/app@sha256:"
			    "b1c5a500182b21d0bfa5a584a8526b56d8be316f89e87d951be04abed2446e60");
	assert_string_equal(s.items[0].node, "ip-10-0-0-1");
	assert_string_equal(s.items[0].started_at, "2025-08-25T10:00:00+02:00");
	assert_int_equal(s.items[0].kind, RT_CONTAINER);
	assert_int_equal(s.items[1].kind, RT_INIT);
	assert_null(s.items[1].image_id);
	assert_null(s.items[1].node);
	assert_null(s.items[1].namespace_);
	assert_int_equal(s.items[2].kind, RT_EPHEMERAL);
	assert_null(s.items[2].cluster);
	rt_snapshot_free(&s);

	/* Empty snapshot, no observed_at. */
	j = parse_text("{\"containers\":[]}");
	rt_snapshot_init(&s);
	assert_int_equal(runtime_own_parse(&s, jd_of(j), &err), MS_OK);
	assert_int_equal(s.n, 0);
	assert_null(s.observed_at);
	rt_snapshot_free(&s);
	json_decref(j);
}

#define DIG "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4"

static void test_own_errors(void **state)
{
	(void)state;
	expect_err("null", 1, MS_ERR_FORMAT, "");
	expect_err("[]", 1, MS_ERR_FORMAT, "");
	expect_err("{\"containers\":{}}", 1, MS_ERR_FORMAT, "");
	expect_err("{\"kind\":\"PodList\",\"items\":[]}", 1, MS_ERR_FORMAT, "");
	expect_err("{\"observed_at\":42,\"containers\":[]}", 1, MS_ERR_MISSING, "observed_at");
	expect_err("{\"observed_at\":\"yesterday\",\"containers\":[]}", 1, MS_ERR_MISSING,
		   "observed_at");
	expect_err("{\"containers\":[{\"image\":\"a:1\",\"image_id\":\"" DIG "\"},"
		   "{\"image\":\"b:1\",\"image_id\":\"" DIG "\"},"
		   "{\"image\":\"c:1\",\"image_id\":\"" DIG "\"},"
		   "{\"pod\":\"p\",\"image_id\":\"" DIG "\"}]}",
		   1, MS_ERR_MISSING, "containers[3].image");
	expect_err("{\"containers\":[{\"image\":\"\",\"image_id\":\"" DIG "\"}]}",
		   1, MS_ERR_MISSING, "containers[0].image");
	expect_err("{\"containers\":[{\"image\":\"NGINX\",\"image_id\":\"" DIG "\"}]}",
		   1, MS_ERR_MISSING, "containers[0].image");
	expect_err("{\"containers\":[{\"image\":\"nginx:1\"}]}",
		   1, MS_ERR_MISSING, "containers[0].image_id");
	expect_err("{\"containers\":[{\"image\":\"nginx:1\",\"image_id\":\"...\"}]}",
		   1, MS_ERR_MISSING, "containers[0].image_id");
	expect_err("{\"containers\":[{\"image\":\"nginx:1\",\"image_id\":5}]}",
		   1, MS_ERR_MISSING, "containers[0].image_id");
	expect_err("{\"containers\":[{\"image\":\"nginx:1\",\"image_id\":\"" DIG "\","
		   "\"kind\":\"sidecar\"}]}", 1, MS_ERR_MISSING, "containers[0].kind");
	expect_err("{\"containers\":[{\"image\":\"nginx:1\",\"image_id\":\"" DIG "\","
		   "\"started_at\":\"2025-13-01T00:00:00Z\"}]}",
		   1, MS_ERR_MISSING, "containers[0].started_at");
	expect_err("{\"containers\":[{\"image\":\"nginx:1\",\"image_id\":\"" DIG "\","
		   "\"namespace\":[]}]}", 1, MS_ERR_MISSING, "containers[0].namespace");
	expect_err("{\"containers\":[\"nginx\"]}", 1, MS_ERR_MISSING, "containers[0]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_honeycomb),
		cmocka_unit_test(test_nri_containerd),
		cmocka_unit_test(test_splunk_pending),
		cmocka_unit_test(test_cloudability),
		cmocka_unit_test(test_datadog_edges),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_synthetic),
		cmocka_unit_test(test_podlist_errors),
		cmocka_unit_test(test_podlist_lenient),
		cmocka_unit_test(test_own_format),
		cmocka_unit_test(test_own_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
