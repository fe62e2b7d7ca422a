/*
 * identity.h - from the image as a scan report states it (ms_image) to the
 * normalized identity muster stores: registry, repository and version (the
 * asset, RULES.md section 2) and the set of digests that name the build.
 */
#ifndef MUSTER_IDENTITY_H
#define MUSTER_IDENTITY_H

#include <stddef.h>

#include "imageref.h"
#include "scan_model.h"

typedef struct identity {
	char registry[256];        /* normalized, e.g. "docker.io" */
	char repository[512];      /* normalized, e.g. "library/alpine" */
	char version[129];         /* the tag, or "sha256-<12 hex>" (RULES section 2) */
	char **digests;            /* "sha256:<hex>", normalized, unique, arena-owned */
	size_t n_digests;
	int version_from_digest;   /* 1 when version was made from primary_digest */
	const char *primary_digest; /* one of digests[]; see identity_from_image */
} identity;

/*
 * Work out the identity of one scanned image.
 *
 * Digests: every digest the report gives - the digest part of each
 * repo_digests entry, the manifest, index and config digests, and the
 * digest of override_ref when it carries one - normalized with
 * digest_normalize and de-duplicated.  Spellings that do not normalize are
 * ignored.  They are stored in order of preference, and primary_digest is
 * the first: the override_ref digest, then repo digests (what a registry
 * and Kubernetes' imageID report), then the manifest, index and config
 * digests.
 *
 * Reference (registry/repository/tag), first that applies:
 *   1. override_ref (the request's image= parameter); if it does not parse
 *      the call fails (MS_ERR_MISSING, field "image").
 *   2. img->tags: the first entry that parses and whose tag is not a moving
 *      tag, else the first entry that parses.
 *   3. img->name when it is a reference: a local file (ending in .tar,
 *      .tar.gz, .tgz, or with a "docker-archive:"-style source prefix), a
 *      bare or short hex image ID, or text that does not parse is not.
 *      Grype's "docker:", "podman:" and "registry:" source prefixes are
 *      removed first.
 *   4. the repository of the first repo_digests entry that parses.
 *
 * Version: the reference's tag, unless it is empty or in moving_tags (a
 * NULL-terminated list, e.g. {"latest", NULL}; NULL means none), in which
 * case it is "<algorithm>-<first 12 hex of primary_digest>" (for example
 * "sha256-961769676411") and version_from_digest is 1.
 *
 * Arguments: out is overwritten; r provides the arena that owns
 * out->digests (freed with ms_report_free); img is only read.
 *
 * Returns MS_OK, or with err filled:
 *   MS_ERR_MISSING field "digest" when no digest is known at all;
 *   MS_ERR_MISSING field "image" when there are digests but no usable
 *     reference (a local tarball scanned with only a config digest), or
 *     override_ref does not parse;
 *   MS_ERR_NOMEM.
 * On failure *out is zeroed.
 */
ms_err identity_from_image(identity *out, ms_report *r, const ms_image *img,
			   const char *override_ref,
			   const char *const *moving_tags, ms_error *err);

#endif
