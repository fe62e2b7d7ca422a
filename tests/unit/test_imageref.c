/*
 * test_imageref.c - unit tests for imageref.c: a table of references
 * (Docker Hub short names, library/, localhost and ports, ECR/GCR/quay
 * hosts, tags with digests, and invalid spellings), the formatting
 * round trip, the default tag, and digest_normalize over every Kubernetes
 * imageID form.  Most references are taken from the Kubernetes fixtures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/imageref.h"

/* Digests from kubernetes/nri-kubernetes_1_35_kubelet_pods.json and
 * kubernetes/connaisseur_02_pod.admissionreview.json. */
#define H_MS "b2d2efaf5ac3b366ed0f839d2412a2c4279d4fc2a2a733f12c52133faed36c41"
#define H_MS_UP "B2D2EFAF5AC3B366ED0F839D2412A2C4279D4FC2A2A733F12C52133FAED36C41"
#define H_CH "91ac9b26df583762234c1cdb2fc930364754ccc59bc752a2bfe298d2ea68f9ff"
#define H_512 "df61f4a1d6bcd1ea6f6e6a1ac576511b26b66cc3614b369046c15619325b630b" \
	      "f143de67f54ed4dc7e23d875865b81b5c4b3453875167a3a20d51860d698713f"
#define TAG128 "t234567890123456789012345678901234567890123456789012345678901234" \
	       "5678901234567890123456789012345678901234567890123456789012345678"

struct refcase {
	const char *in;
	int ok;                 /* 0 = must be rejected */
	const char *registry;
	const char *repository;
	const char *tag;
	const char *digest;
};

static const struct refcase cases[] = {
	/* Docker Hub short names and their long spellings. */
	{ "nginx", 1, "docker.io", "library/nginx", "", "" },
	{ "nginx:1.25", 1, "docker.io", "library/nginx", "1.25", "" },
	{ "nginx:latest", 1, "docker.io", "library/nginx", "latest", "" },
	{ "library/nginx:1.25", 1, "docker.io", "library/nginx", "1.25", "" },
	{ "docker.io/nginx:1.25", 1, "docker.io", "library/nginx", "1.25", "" },
	{ "docker.io/library/nginx:1.25", 1, "docker.io", "library/nginx", "1.25", "" },
	{ "index.docker.io/library/nginx:1.25", 1, "docker.io", "library/nginx", "1.25", "" },
	{ "index.docker.io/library/ubuntu:20.04@sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f",
	  1, "docker.io", "library/ubuntu", "20.04",
	  "sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f" },
	{ "registry-1.docker.io/bitnami/redis", 1, "docker.io", "bitnami/redis", "", "" },
	{ "Docker.IO/library/nginx", 1, "docker.io", "library/nginx", "", "" },
	{ "docker.io/library/alpine", 1, "docker.io", "library/alpine", "", "" },
	{ "bitnami/phpmyadmin:5.0.2-debian-10-r10", 1, "docker.io", "bitnami/phpmyadmin",
	  "5.0.2-debian-10-r10", "" },
	{ "docker.io/bitnami/phpmyadmin:5.0.2-debian-10-r10", 1, "docker.io",
	  "bitnami/phpmyadmin", "5.0.2-debian-10-r10", "" },
	{ "amouat/network-utils", 1, "docker.io", "amouat/network-utils", "", "" },
	{ "docker.io/kindest/kindnetd:v20260213-ea8e5717", 1, "docker.io",
	  "kindest/kindnetd", "v20260213-ea8e5717", "" },
	{ "a/b/c/d:e", 1, "docker.io", "a/b/c/d", "e", "" },
	{ "foo_bar/baz__qux.x---y:T_1.0-rc", 1, "docker.io", "foo_bar/baz__qux.x---y",
	  "T_1.0-rc", "" },
	/* Upper case in the first component is an error, not a host. */
	{ "Foo/bar", 0, NULL, NULL, NULL, NULL },
	{ "LocalHost/foo", 1, "localhost", "foo", "", "" },
	/* localhost, IPs and ports. */
	{ "localhost/foo", 1, "localhost", "foo", "", "" },
	{ "localhost:5000/foo/bar:v1", 1, "localhost:5000", "foo/bar", "v1", "" },
	{ "LOCALHOST:5000/foo", 1, "localhost:5000", "foo", "", "" },
	{ "localhost:5000", 1, "docker.io", "library/localhost", "5000", "" },
	{ "127.0.0.1:5000/app:1", 1, "127.0.0.1:5000", "app", "1", "" },
	{ "[::1]:5000/app:1", 1, "[::1]:5000", "app", "1", "" },
	{ "myregistry.example.com:443/team/app:1.0.0-rc.1", 1, "myregistry.example.com:443",
	  "team/app", "1.0.0-rc.1", "" },
	{ "foo.bar/baz", 1, "foo.bar", "baz", "", "" },
	/* Cloud registries. */
	{ "791719295754.dkr.ecr.us-east-2.amazonaws.com/dva/pki_aws_bootstrap:6", 1,
	  "791719295754.dkr.ecr.us-east-2.amazonaws.com", "dva/pki_aws_bootstrap", "6", "" },
	{ "602401143452.DKR.ECR.us-east-1.amazonaws.com/eks/coredns:v1.8.7-eksbuild.1", 1,
	  "602401143452.dkr.ecr.us-east-1.amazonaws.com", "eks/coredns", "v1.8.7-eksbuild.1", "" },
	{ "gcr.io/gsf-mgmt-devmvp-spinnaker/dva/keymaker-client:latest", 1, "gcr.io",
	  "gsf-mgmt-devmvp-spinnaker/dva/keymaker-client", "latest", "" },
	{ "k8s.gcr.io/kube-proxy:v1.18.1", 1, "k8s.gcr.io", "kube-proxy", "v1.18.1", "" },
	{ "us-docker.pkg.dev/proj/repo/img:2", 1, "us-docker.pkg.dev", "proj/repo/img", "2", "" },
	{ "Quay.IO/coreos/etcd:v3.5.0", 1, "quay.io", "coreos/etcd", "v3.5.0", "" },
	{ "cgr.dev/chainguard/ruby:latest-3.0", 1, "cgr.dev", "chainguard/ruby", "latest-3.0", "" },
	/* Digests, with and without a tag. */
	{ "registry.k8s.io/metrics-server/metrics-server:v0.8.1@sha256:" H_MS, 1,
	  "registry.k8s.io", "metrics-server/metrics-server", "v0.8.1", "sha256:" H_MS },
	{ "securesystemsengineering/charlie-image@sha256:" H_CH, 1, "docker.io",
	  "securesystemsengineering/charlie-image", "", "sha256:" H_CH },
	{ "alpine@SHA256:" H_MS_UP, 1, "docker.io", "library/alpine", "", "sha256:" H_MS },
	{ "example.com/foo@sha512:" H_512, 1, "example.com", "foo", "", "sha512:" H_512 },
	{ "localhost:5000/foo:1@sha256:" H_MS, 1, "localhost:5000", "foo", "1", "sha256:" H_MS },
	/* Tag limits. */
	{ "nginx:" TAG128, 1, "docker.io", "library/nginx", TAG128, "" },
	{ "nginx:" TAG128 "9", 0, NULL, NULL, NULL, NULL },
	{ "nginx:_x", 1, "docker.io", "library/nginx", "_x", "" },
	{ "nginx:.x", 0, NULL, NULL, NULL, NULL },
	{ "nginx:-x", 0, NULL, NULL, NULL, NULL },
	{ "nginx:a+b", 0, NULL, NULL, NULL, NULL },
	/* Invalid references. */
	{ "", 0, NULL, NULL, NULL, NULL },
	{ "NGINX", 0, NULL, NULL, NULL, NULL },
	{ "docker.io/Library/nginx", 0, NULL, NULL, NULL, NULL },
	{ "nginx:", 0, NULL, NULL, NULL, NULL },
	{ ":1.25", 0, NULL, NULL, NULL, NULL },
	{ "nginx@", 0, NULL, NULL, NULL, NULL },
	{ "nginx@sha256:abc", 0, NULL, NULL, NULL, NULL },
	{ "nginx@md5:0123456789abcdef0123456789abcdef", 0, NULL, NULL, NULL, NULL },
	{ "nginx@sha256:" H_MS "0", 0, NULL, NULL, NULL, NULL },
	{ "nginx@sha256:b2d2efaf5ac3b366ed0f839d2412a2c4279d4fc2a2a733f12c52133faed36c4g", 0,
	  NULL, NULL, NULL, NULL },
	{ "nginx@sha256:" H_MS "@sha256:" H_MS, 0, NULL, NULL, NULL, NULL },
	{ "http://registry.example.com/foo", 0, NULL, NULL, NULL, NULL },
	{ "https://registry.example.com/foo:1", 0, NULL, NULL, NULL, NULL },
	{ "docker-pullable://nginx@sha256:" H_MS, 0, NULL, NULL, NULL, NULL },
	{ "/foo", 0, NULL, NULL, NULL, NULL },
	{ "foo//bar", 0, NULL, NULL, NULL, NULL },
	{ "foo/", 0, NULL, NULL, NULL, NULL },
	{ "foo..bar", 0, NULL, NULL, NULL, NULL },
	{ "foo/../bar", 0, NULL, NULL, NULL, NULL },
	{ "registry..example.com/foo", 0, NULL, NULL, NULL, NULL },
	{ "-bad.example.com/foo", 0, NULL, NULL, NULL, NULL },
	{ "bad_host.example.com/foo", 0, NULL, NULL, NULL, NULL },
	{ "-foo", 0, NULL, NULL, NULL, NULL },
	{ "foo-", 0, NULL, NULL, NULL, NULL },
	{ "foo___bar", 0, NULL, NULL, NULL, NULL },
	{ "foo:bar:baz", 0, NULL, NULL, NULL, NULL },
	{ "localhost:99999/foo", 0, NULL, NULL, NULL, NULL },
	{ "localhost:0/foo", 0, NULL, NULL, NULL, NULL },
	{ "localhost:/foo", 0, NULL, NULL, NULL, NULL },
	{ "localhost:50a0/foo", 0, NULL, NULL, NULL, NULL },
	{ "[zz]:5000/foo", 0, NULL, NULL, NULL, NULL },
	{ "foo bar", 0, NULL, NULL, NULL, NULL },
	{ " nginx", 0, NULL, NULL, NULL, NULL },
	{ "foo\tbar", 0, NULL, NULL, NULL, NULL },
	{ "nginx:1.25\n", 0, NULL, NULL, NULL, NULL },
	{ "ng\xc3\xafnx", 0, NULL, NULL, NULL, NULL },
	{ H_MS, 0, NULL, NULL, NULL, NULL },
	{ "sha256:" H_MS, 0, NULL, NULL, NULL, NULL },
	{ "testdata/fixtures/images/alpine-39.tar.gz", 1, "docker.io",
	  "testdata/fixtures/images/alpine-39.tar.gz", "", "" }, /* syntactically valid */
	{ "./alpine.tar", 0, NULL, NULL, NULL, NULL },
};

static void test_table(void **state)
{
	size_t i;

	(void)state;
	assert_true(sizeof(cases) / sizeof(cases[0]) >= 40);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct refcase *c = &cases[i];
		imageref r;
		char err[128];
		int rc = imageref_parse(&r, c->in, err, sizeof(err));

		if (c->ok != (rc == 0))
			fail_msg("case %zu \"%s\": expected %s, got rc=%d (%s)", i,
				 c->in, c->ok ? "success" : "failure", rc, err);
		if (!c->ok) {
			assert_true(err[0] != '\0');
			assert_string_equal(r.registry, "");
			assert_string_equal(r.repository, "");
			continue;
		}
		assert_string_equal(r.registry, c->registry);
		assert_string_equal(r.repository, c->repository);
		assert_string_equal(r.tag, c->tag);
		assert_string_equal(r.digest, c->digest);
	}
}

/* Every valid case formats to a string that parses back to itself. */
static void test_format_roundtrip(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		imageref a, b;
		char buf[1200];

		if (!cases[i].ok)
			continue;
		assert_int_equal(imageref_parse(&a, cases[i].in, NULL, 0), 0);
		assert_int_equal(imageref_format(&a, buf, sizeof(buf)), 0);
		assert_int_equal(imageref_parse(&b, buf, NULL, 0), 0);
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

static void test_format(void **state)
{
	imageref r;
	char buf[256], small[10];

	(void)state;
	assert_int_equal(imageref_parse(&r, "nginx:1.25", NULL, 0), 0);
	assert_int_equal(imageref_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "docker.io/library/nginx:1.25");
	assert_int_equal(imageref_format_repo(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "docker.io/library/nginx");

	assert_int_equal(imageref_parse(&r, "securesystemsengineering/charlie-image@sha256:" H_CH,
					NULL, 0), 0);
	assert_int_equal(imageref_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "docker.io/securesystemsengineering/charlie-image@sha256:" H_CH);

	assert_int_equal(imageref_parse(&r, "localhost:5000/foo:1@sha256:" H_MS, NULL, 0), 0);
	assert_int_equal(imageref_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "localhost:5000/foo:1@sha256:" H_MS);

	/* Too small: -1 and an empty buffer, never a truncated name. */
	assert_int_equal(imageref_format(&r, small, sizeof(small)), -1);
	assert_string_equal(small, "");
	assert_int_equal(imageref_format_repo(&r, small, sizeof(small)), -1);
	assert_string_equal(small, "");
	assert_int_equal(imageref_format_repo(&r, buf, strlen("localhost:5000/foo") + 1), 0);
	assert_int_equal(imageref_format_repo(&r, buf, strlen("localhost:5000/foo")), -1);
	assert_int_equal(imageref_format(&r, NULL, 0), -1);
}

static void test_default_tag(void **state)
{
	imageref r;

	(void)state;
	assert_int_equal(imageref_parse(&r, "nginx", NULL, 0), 0);
	assert_string_equal(r.tag, "");
	imageref_default_tag(&r);
	assert_string_equal(r.tag, "latest");

	assert_int_equal(imageref_parse(&r, "nginx:1.25", NULL, 0), 0);
	imageref_default_tag(&r);
	assert_string_equal(r.tag, "1.25");

	/* Pinned by digest: no tag is invented. */
	assert_int_equal(imageref_parse(&r, "nginx@sha256:" H_MS, NULL, 0), 0);
	imageref_default_tag(&r);
	assert_string_equal(r.tag, "");
}

static void test_limits_and_errors(void **state)
{
	imageref r;
	char err[64], big[1100], name[300];

	(void)state;
	assert_int_equal(imageref_parse(&r, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "empty reference");
	assert_int_equal(imageref_parse(&r, "NGINX", err, sizeof(err)), -1);
	assert_string_equal(err, "repository name must be lowercase");
	assert_int_equal(imageref_parse(&r, "http://x/y", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "scheme"));
	assert_int_equal(imageref_parse(&r, "foo..bar", err, sizeof(err)), -1);
	assert_string_equal(err, "\"..\" in repository name");
	assert_int_equal(imageref_parse(&r, "sha256:" H_MS, err, sizeof(err)), -1);
	assert_string_equal(err, "an image id or digest is not a reference");
	/* A tiny error buffer is truncated, not overrun; NULL is allowed. */
	assert_int_equal(imageref_parse(&r, "", err, 4), -1);
	assert_string_equal(err, "emp");
	assert_int_equal(imageref_parse(&r, "", NULL, 0), -1);

	/* Input longer than IMAGEREF_INPUT_MAX. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(imageref_parse(&r, big, err, sizeof(err)), -1);
	assert_string_equal(err, "reference too long");

	/* The normalized "docker.io/library/<name>" may be IMAGEREF_NAME_MAX
	 * long (18 + 237), one more fails. */
	memset(name, 'a', 237);
	name[237] = '\0';
	assert_int_equal(imageref_parse(&r, name, err, sizeof(err)), 0);
	assert_int_equal(strlen(r.registry) + 1 + strlen(r.repository), IMAGEREF_NAME_MAX);
	name[237] = 'a';
	name[238] = '\0';
	assert_int_equal(imageref_parse(&r, name, err, sizeof(err)), -1);
	assert_string_equal(err, "repository name too long");
	/* Same length limit when the registry is spelled out. */
	memcpy(name, "docker.io/library/", 18);
	memset(name + 18, 'a', 237);
	name[255] = '\0';
	assert_int_equal(imageref_parse(&r, name, err, sizeof(err)), 0);
	memcpy(name, "index.docker.io/library/", 24);
	memset(name + 24, 'a', 237);
	name[261] = '\0';
	assert_int_equal(imageref_parse(&r, name, err, sizeof(err)), 0);
}

struct digcase {
	const char *in;
	const char *out;        /* NULL = must fail */
};

static const struct digcase digests[] = {
	{ "sha256:" H_MS, "sha256:" H_MS },
	{ "SHA256:" H_MS_UP, "sha256:" H_MS },
	{ H_MS, "sha256:" H_MS },
	{ H_MS_UP, "sha256:" H_MS },
	{ H_512, "sha512:" H_512 },
	{ "sha512:" H_512, "sha512:" H_512 },
	/* Docker runtime (honeycomb_pods.json). */
	{ "docker-pullable://metallb/speaker@sha256:2b74eca0f25e946e9a1dc4b94b9da067b1fec4244364d266283dfbbab546a629",
	  "sha256:2b74eca0f25e946e9a1dc4b94b9da067b1fec4244364d266283dfbbab546a629" },
	{ "docker://sha256:" H_MS, "sha256:" H_MS },
	/* containerd (nri-kubernetes 1.35 kubelet pods). */
	{ "docker.io/library/nginx@sha256:54f2a904c251d5a34adf545a72d32515a15e08418dae0266e23be2e18c66fefa",
	  "sha256:54f2a904c251d5a34adf545a72d32515a15e08418dae0266e23be2e18c66fefa" },
	{ "sha256:ddc8422d4d35a6fc66c34be61e24df795e5cebf197eb546f62740d0bafef874f",
	  "sha256:ddc8422d4d35a6fc66c34be61e24df795e5cebf197eb546f62740d0bafef874f" },
	/* CRI-O reports repo@digest as well. */
	{ "quay.io/openshift/origin-cli@sha256:" H_MS, "sha256:" H_MS },
	{ "localhost:5000/foo@sha256:" H_MS, "sha256:" H_MS },
	/* Rejected. */
	{ "", NULL },
	{ "...", NULL },
	{ "sha256:", NULL },
	{ "sha256:" H_MS "0", NULL },
	{ "sha256:b2d2efaf5ac3b366ed0f839d2412a2c4279d4fc2a2a733f12c52133faed36c4", NULL },
	{ "sha256:b2d2efaf5ac3b366ed0f839d2412a2c4279d4fc2a2a733f12c52133faed36c4z", NULL },
	{ "sha384:" H_MS, NULL },
	{ "md5:0123456789abcdef0123456789abcdef", NULL },
	{ "sha512:" H_MS, NULL },
	{ "sha256:" H_512, NULL },
	{ "containerd://" H_MS, NULL },
	{ "http://x@sha256:" H_MS, NULL },
	{ "@sha256:" H_MS, NULL },
	{ "nginx@", NULL },
	{ "sha256:" H_MS " ", NULL },
	{ "docker-pullable://", NULL },
	{ "6877f5aabc34", NULL },
	{ "nginx:1.25", NULL },
};

static void test_digest_normalize(void **state)
{
	size_t i;
	char out[IMAGEREF_DIGEST_MAX];

	(void)state;
	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		int rc = digest_normalize(digests[i].in, out, sizeof(out));

		if (!digests[i].out) {
			if (rc != -1)
				fail_msg("digest case %zu \"%s\" accepted as %s", i,
					 digests[i].in, out);
			assert_string_equal(out, "");
			continue;
		}
		if (rc != 0)
			fail_msg("digest case %zu \"%s\" rejected", i, digests[i].in);
		assert_string_equal(out, digests[i].out);
	}
	assert_int_equal(digest_normalize(NULL, out, sizeof(out)), -1);
	/* The output size is checked: 72 bytes hold a sha256, 71 do not. */
	assert_int_equal(digest_normalize(H_MS, out, 72), 0);
	assert_int_equal(digest_normalize(H_MS, out, 71), -1);
	assert_string_equal(out, "");
	assert_int_equal(digest_normalize(H_512, out, 72), -1);
	assert_int_equal(digest_normalize(H_512, out, 136), 0);
	assert_int_equal(digest_normalize(H_MS, NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_default_tag),
		cmocka_unit_test(test_limits_and_errors),
		cmocka_unit_test(test_digest_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
