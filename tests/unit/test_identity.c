/*
 * test_identity.c - unit tests for identity.c.  Each case builds the
 * ms_image a scan parser produces for a fixture report (values copied from
 * tests/fixtures/trivy and grype, checked with python3) and checks the
 * normalized registry, repository, version and digest set, plus the two
 * MS_ERR_MISSING cases and the image= override.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/identity.h"

static const char *const moving[] = { "latest", NULL };

static void add(ms_report *r, ms_strlist *l, const char *s)
{
	assert_int_equal(ms_strlist_add(r, l, s), 0);
}

static int setup(void **state)
{
	static ms_report rep;

	ms_report_init(&rep);
	*state = &rep;
	return 0;
}

static int teardown(void **state)
{
	ms_report_free(*state);
	return 0;
}

/* trivy/alpine-310-registry.json: a registry scan. */
static void test_trivy_registry(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "alpine:3.10";
	add(r, &img.tags, "alpine:3.10");
	add(r, &img.repo_digests,
	    "alpine@sha256:b1c5a500182b21d0bfa5a584a8526b56d8be316f89e87d951be04abed2446e60");
	img.config_digest = "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4";

	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.registry, "docker.io");
	assert_string_equal(id.repository, "library/alpine");
	assert_string_equal(id.version, "3.10");
	assert_int_equal(id.version_from_digest, 0);
	assert_int_equal(id.n_digests, 2);
	assert_string_equal(id.digests[0],
			    "sha256:b1c5a500182b21d0bfa5a584a8526b56d8be316f89e87d951be04abed2446e60");
	assert_string_equal(id.digests[1],
			    "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4");
	assert_ptr_equal(id.primary_digest, id.digests[0]);
}

/* trivy/alpine-39.json: tarball name, but RepoTags names the image. */
static void test_trivy_tarball_with_tag(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "testdata/fixtures/images/alpine-39.tar.gz";
	add(r, &img.tags, "ghcr.io/aquasecurity/trivy-test-images:alpine-39");
	img.config_digest = "sha256:055936d3920576da37aa9bc460d70c5f212028bda1c08c0879aedf03d7a66ea1";

	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.registry, "ghcr.io");
	assert_string_equal(id.repository, "aquasecurity/trivy-test-images");
	assert_string_equal(id.version, "alpine-39");
	assert_int_equal(id.n_digests, 1);
	assert_string_equal(id.primary_digest,
			    "sha256:055936d3920576da37aa9bc460d70c5f212028bda1c08c0879aedf03d7a66ea1");
}

/* trivy/debian-stretch.2021-10.json: tarball, no tags, config digest only. */
static void test_trivy_tarball_needs_image(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "testdata/fixtures/images/debian-stretch.tar.gz";
	img.config_digest = "sha256:f26939cc87ef44a6fc554eedd0a976ab30b5bc2769d65d2e986b6c5f1fd4053d";

	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err),
			 MS_ERR_MISSING);
	assert_int_equal(err.code, MS_ERR_MISSING);
	assert_string_equal(err.field, "image");
	assert_non_null(strstr(err.message, "pass image="));
	assert_int_equal(id.n_digests, 0);
	assert_null(id.primary_digest);

	/* Same report with image= given. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(identity_from_image(&id, r, &img, "debian:stretch", moving, &err),
			 MS_OK);
	assert_string_equal(id.registry, "docker.io");
	assert_string_equal(id.repository, "library/debian");
	assert_string_equal(id.version, "stretch");
	assert_int_equal(id.n_digests, 1);

	/* Tarball names in other spellings are not references either. */
	img.name = "/tmp/Image.TAR";
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_ERR_MISSING);
	img.name = "build/app.tgz";
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_ERR_MISSING);
	img.name = "docker-archive:app";
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_ERR_MISSING);
	img.name = "sha256:f26939cc87ef44a6fc554eedd0a976ab30b5bc2769d65d2e986b6c5f1fd4053d";
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_ERR_MISSING);
	assert_string_equal(err.field, "image");
}

/* trivy/defectdojo_scheme_2_many_vulns.json: "teamdojo:latest", no digest. */
static void test_no_digest(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "teamdojo:latest";
	add(r, &img.tags, "teamdojo:latest");
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err),
			 MS_ERR_MISSING);
	assert_string_equal(err.field, "digest");
	assert_non_null(strstr(err.message, "image=name:tag@sha256:"));

	/* Placeholders and garbage do not count as digests. */
	img.config_digest = "...";
	img.manifest_digest = "sha256:1234";
	add(r, &img.repo_digests, "teamdojo@sha256:");
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err),
			 MS_ERR_MISSING);
	assert_string_equal(err.field, "digest");

	/* The image= digest supplies it; "latest" is moving. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(identity_from_image(&id, r, &img,
		"teamdojo:latest@sha256:0d2e5a5e6a9e27b1f4d0b3a7c2f81e6d4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d",
		moving, &err), MS_OK);
	assert_string_equal(id.repository, "library/teamdojo");
	assert_string_equal(id.version, "sha256-0d2e5a5e6a9e");
	assert_int_equal(id.version_from_digest, 1);
	assert_int_equal(id.n_digests, 1);
}

/* grype/anchore_keycloak-test.json: userInput pinned by tag and digest;
 * the repo digest (index) differs from the manifest digest. */
static void test_grype_keycloak(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "docker.io/keycloak/keycloak:21.0.2@sha256:"
		   "347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50";
	add(r, &img.repo_digests,
	    "keycloak/keycloak@sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50");
	img.manifest_digest = "sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e";
	img.config_digest = "sha256:8cf8fd2be2ded92962d52adff75ad06a4c30f69c66facbdf223364c6c9e33b8c";

	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.registry, "docker.io");
	assert_string_equal(id.repository, "keycloak/keycloak");
	assert_string_equal(id.version, "21.0.2");
	assert_int_equal(id.n_digests, 3);
	assert_string_equal(id.digests[0],
			    "sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50");
	assert_string_equal(id.digests[1],
			    "sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e");
	assert_string_equal(id.digests[2],
			    "sha256:8cf8fd2be2ded92962d52adff75ad06a4c30f69c66facbdf223364c6c9e33b8c");
}

/* grype/analysis-model_grype-report-wo-description.json: userInput is a
 * short image ID; the tag names the image. */
static void test_grype_short_id(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "6877f5aabc34";
	add(r, &img.tags, "gitea/gitea:1.20.4");
	add(r, &img.repo_digests,
	    "gitea/gitea@sha256:95ad1dc17f78eef1f12807a8f28e94e416587b266aa5153f7da3eafddc037b27");
	img.manifest_digest = "sha256:928df2c283e29649ede73a58d79612c0d75bda7ec0f9d8f1706d7e24149a07f4";
	img.config_digest = "sha256:6877f5aabc34414d9fadf365a8eeb74fd7918a0275c3c1821977fc356fac45e0";

	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.registry, "docker.io");
	assert_string_equal(id.repository, "gitea/gitea");
	assert_string_equal(id.version, "1.20.4");
	assert_int_equal(id.n_digests, 3);

	/* Without the tag, the short ID is not taken for "library/6877f5aabc34":
	 * the repo digest names the repository and the version comes from it. */
	img.tags.n = 0;
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.repository, "gitea/gitea");
	assert_string_equal(id.version, "sha256-95ad1dc17f78");
	assert_int_equal(id.version_from_digest, 1);
}

/* grype/defectdojo_issue_9618.json: only the moving tag "latest". */
static void test_grype_latest(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "quay.io/cloudservices/xjoin-kafka-connect-strimzi:latest";
	add(r, &img.tags, "quay.io/cloudservices/xjoin-kafka-connect-strimzi:latest");
	add(r, &img.repo_digests,
	    "quay.io/cloudservices/xjoin-kafka-connect-strimzi@sha256:"
	    "97e6d5aeed19f627205b218f45b284cd01ff658dd181416ab1d3e21aeb28d68e");
	img.manifest_digest = "sha256:11557074a2e35fcbb2f367ffe1c6bb90968a56c3a08a48bf9370f8445ae2cc36";
	img.config_digest = "sha256:7998b6425ee34508b5b9b02a038ed7ccaab47ecb60fc2c7f0259f964fdf80a70";

	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.registry, "quay.io");
	assert_string_equal(id.repository, "cloudservices/xjoin-kafka-connect-strimzi");
	assert_string_equal(id.version, "sha256-97e6d5aeed19");
	assert_int_equal(id.version_from_digest, 1);
	assert_string_equal(id.primary_digest,
			    "sha256:97e6d5aeed19f627205b218f45b284cd01ff658dd181416ab1d3e21aeb28d68e");

	/* With no moving tags configured, "latest" is a version. */
	assert_int_equal(identity_from_image(&id, r, &img, NULL, NULL, &err), MS_OK);
	assert_string_equal(id.version, "latest");
	assert_int_equal(id.version_from_digest, 0);
}

/* grype/anchore_chainguard-ruby-test.json: "latest-3.0" is not "latest". */
static void test_grype_chainguard(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "cgr.dev/chainguard/ruby:latest-3.0";
	add(r, &img.tags, "cgr.dev/chainguard/ruby:latest-3.0");
	add(r, &img.repo_digests,
	    "cgr.dev/chainguard/ruby@sha256:3c9afb4f188827ea1062ec3b8acea32893236a0d7df31e0498df93486cff0978");
	img.manifest_digest = "sha256:86abe662dfa3746038eea6b0db91092b0767d78b8b8938a343d614cd1579adc2";
	img.config_digest = "sha256:2f88265cfbc43ca35cd327347a9f59375b9f29ef998b8a54a882e31111266640";

	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.registry, "cgr.dev");
	assert_string_equal(id.repository, "chainguard/ruby");
	assert_string_equal(id.version, "latest-3.0");
	assert_int_equal(id.n_digests, 3);
}

/* A version tag wins over "latest" among several tags; the image=
 * override wins over everything and its digest comes first. */
static void test_tags_and_override(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.name = "nginx";
	add(r, &img.tags, "not a reference");
	add(r, &img.tags, "nginx:latest");
	add(r, &img.tags, "nginx:1.25");
	img.config_digest = "SHA256:B1C5A500182B21D0BFA5A584A8526B56D8BE316F89E87D951BE04ABED2446E60";
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.repository, "library/nginx");
	assert_string_equal(id.version, "1.25");
	assert_string_equal(id.primary_digest,
			    "sha256:b1c5a500182b21d0bfa5a584a8526b56d8be316f89e87d951be04abed2446e60");

	assert_int_equal(identity_from_image(&id, r, &img,
		"Registry.Example.COM:5000/team/nginx:2.0@sha256:"
		"961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4",
		moving, &err), MS_OK);
	assert_string_equal(id.registry, "registry.example.com:5000");
	assert_string_equal(id.repository, "team/nginx");
	assert_string_equal(id.version, "2.0");
	assert_int_equal(id.n_digests, 2);
	assert_string_equal(id.primary_digest,
			    "sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4");

	/* An override that does not parse is the caller's error. */
	assert_int_equal(identity_from_image(&id, r, &img, "http://x/y", moving, &err),
			 MS_ERR_MISSING);
	assert_string_equal(err.field, "image");
	assert_non_null(strstr(err.message, "not a valid image reference"));
}

/* Grype source prefixes, and a sha512-only build. */
static void test_name_prefixes(void **state)
{
	ms_report *r = *state;
	ms_image img = { 0 };
	identity id;
	ms_error err = { 0 };

	img.config_digest = "sha512:df61f4a1d6bcd1ea6f6e6a1ac576511b26b66cc3614b369046c15619325b630b"
			    "f143de67f54ed4dc7e23d875865b81b5c4b3453875167a3a20d51860d698713f";
	img.name = "docker:nginx:1.25";
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.registry, "docker.io");
	assert_string_equal(id.repository, "library/nginx");
	assert_string_equal(id.version, "1.25");

	/* "registry:5000/app" is a host with a port, not a prefix. */
	img.name = "registry:5000/app";
	assert_int_equal(identity_from_image(&id, r, &img, NULL, moving, &err), MS_OK);
	assert_string_equal(id.registry, "registry:5000");
	assert_string_equal(id.repository, "app");
	assert_string_equal(id.version, "sha512-df61f4a1d6bc");
	assert_int_equal(id.version_from_digest, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trivy_registry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trivy_tarball_with_tag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trivy_tarball_needs_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_digest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grype_keycloak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grype_short_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grype_latest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grype_chainguard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tags_and_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_prefixes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
