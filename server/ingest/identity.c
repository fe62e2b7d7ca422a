/*
 * identity.c - normalized image identity (identity.h): picks the reference
 * that names a scanned image, derives the asset version per RULES.md
 * section 2, and collects the build's digests.
 */
#include "identity.h"

#include <stdio.h>
#include <string.h>

/* Source prefixes of grype/syft user input that name local files, not
 * registry images. */
static const char *const local_prefixes[] = {
	"docker-archive:", "oci-archive:", "oci-dir:", "dir:", "file:",
	"singularity:", "sbom:", NULL
};

/* Prefixes that name a daemon or registry; the rest is a reference. */
static const char *const source_prefixes[] = {
	"docker:", "podman:", "registry:", NULL
};

static int ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix), i;

	if (m > n)
		return 0;
	for (i = 0; i < m; i++) {
		char c = s[n - m + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return 0;
	}
	return 1;
}

/* A short or full hex image ID such as grype's userInput "6877f5aabc34". */
static int is_hex_id(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 12 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Parse a report's image name as a reference, refusing names that are
 * local files or image IDs.  Returns 0 with *ref filled, or -1.
 */
static int name_as_reference(const char *name, imageref *ref)
{
	size_t i;

	if (!name || !*name)
		return -1;
	if (ends_with_nocase(name, ".tar") || ends_with_nocase(name, ".tar.gz") ||
	    ends_with_nocase(name, ".tgz") || is_hex_id(name))
		return -1;
	for (i = 0; local_prefixes[i]; i++)
		if (!strncmp(name, local_prefixes[i], strlen(local_prefixes[i])))
			return -1;
	if (imageref_parse(ref, name, NULL, 0) == 0)
		return 0;
	/* "docker:nginx:1.25" does not parse as it stands; without the source
	 * prefix it does.  A name that parses (e.g. "registry:5000/app") is
	 * never stripped. */
	for (i = 0; source_prefixes[i]; i++) {
		size_t n = strlen(source_prefixes[i]);

		if (!strncmp(name, source_prefixes[i], n))
			return name_as_reference(name + n, ref);
	}
	return -1;
}

static int is_moving(const char *tag, const char *const *moving_tags)
{
	size_t i;

	if (!moving_tags)
		return 0;
	for (i = 0; moving_tags[i]; i++)
		if (!strcmp(tag, moving_tags[i]))
			return 1;
	return 0;
}

/* Append the normalized form of raw to out->digests unless it is already
 * there or does not normalize.  Returns 0, or -1 on out-of-memory. */
static int add_digest(ms_report *r, identity *out, size_t *cap, const char *raw)
{
	char norm[IMAGEREF_DIGEST_MAX];
	char *copy;
	size_t i;

	if (!raw || digest_normalize(raw, norm, sizeof(norm)) < 0)
		return 0;
	for (i = 0; i < out->n_digests; i++)
		if (!strcmp(out->digests[i], norm))
			return 0;
	if (arena_grow(&r->mem, (void **)&out->digests, cap, out->n_digests,
		       sizeof(char *)) < 0)
		return -1;
	copy = arena_strdup(&r->mem, norm);
	if (!copy)
		return -1;
	out->digests[out->n_digests++] = copy;
	return 0;
}

/* Choose the reference per identity.h; 0 with *ref, or -1 when none. */
static int choose_reference(const ms_image *img, const char *const *moving_tags,
			    imageref *ref)
{
	imageref cand;
	int have = 0;
	size_t i;

	for (i = 0; i < img->tags.n; i++) {
		if (imageref_parse(&cand, img->tags.items[i], NULL, 0) < 0)
			continue;
		if (!have) {
			*ref = cand;
			have = 1;
		}
		if (cand.tag[0] && !is_moving(cand.tag, moving_tags)) {
			*ref = cand;
			return 0;
		}
	}
	if (have)
		return 0;
	if (name_as_reference(img->name, ref) == 0)
		return 0;
	for (i = 0; i < img->repo_digests.n; i++)
		if (imageref_parse(ref, img->repo_digests.items[i], NULL, 0) == 0)
			return 0;
	return -1;
}

ms_err identity_from_image(identity *out, ms_report *r, const ms_image *img,
			   const char *override_ref,
			   const char *const *moving_tags, ms_error *err)
{
	imageref ref;
	char why[128];
	size_t cap = 0, i;
	int have_ref;
	const char *colon;

	memset(out, 0, sizeof(*out));
	memset(&ref, 0, sizeof(ref));
	if (override_ref) {
		if (imageref_parse(&ref, override_ref, why, sizeof(why)) < 0)
			return ms_error_set(err, MS_ERR_MISSING, "image",
					    "the image parameter is not a valid image reference: %s",
					    why);
		have_ref = 1;
	} else {
		have_ref = choose_reference(img, moving_tags, &ref) == 0;
	}

	if (have_ref && ref.digest[0] && add_digest(r, out, &cap, ref.digest) < 0)
		goto nomem;
	for (i = 0; i < img->repo_digests.n; i++)
		if (add_digest(r, out, &cap, img->repo_digests.items[i]) < 0)
			goto nomem;
	if (add_digest(r, out, &cap, img->manifest_digest) < 0 ||
	    add_digest(r, out, &cap, img->index_digest) < 0 ||
	    add_digest(r, out, &cap, img->config_digest) < 0)
		goto nomem;

	if (out->n_digests == 0) {
		memset(out, 0, sizeof(*out));
		return ms_error_set(err, MS_ERR_MISSING, "digest",
				    "the report gives no image digest, and a digest is needed "
				    "to identify the build; pass image=name:tag@sha256:<digest>");
	}
	if (!have_ref) {
		memset(out, 0, sizeof(*out));
		return ms_error_set(err, MS_ERR_MISSING, "image",
				    "the report does not name a registry image (only a local "
				    "file or image id); pass image=registry/repository:tag");
	}
	out->primary_digest = out->digests[0];

	/* Both fields are as large as imageref's, so these always fit. */
	snprintf(out->registry, sizeof(out->registry), "%s", ref.registry);
	snprintf(out->repository, sizeof(out->repository), "%s", ref.repository);
	if (ref.tag[0] && !is_moving(ref.tag, moving_tags)) {
		snprintf(out->version, sizeof(out->version), "%s", ref.tag);
	} else {
		colon = strchr(out->primary_digest, ':');
		/* digest_normalize guarantees "alg:" + at least 64 hex. */
		snprintf(out->version, sizeof(out->version), "%.*s-%.12s",
			 (int)(colon - out->primary_digest), out->primary_digest,
			 colon + 1);
		out->version_from_digest = 1;
	}
	return MS_OK;

nomem:
	memset(out, 0, sizeof(*out));
	return ms_error_set(err, MS_ERR_NOMEM, NULL, "out of memory");
}
