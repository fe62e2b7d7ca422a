/*
 * imageref.h - Docker/OCI image references and digests, parsed and
 * normalized so that two spellings of the same image compare equal
 * (RULES.md section 2: "nginx:1.25 = docker.io/library/nginx:1.25").
 *
 * Pure string functions: no allocation, no global state.  Every output goes
 * into a caller-provided fixed-size buffer and every function reports a value
 * that does not fit as an error instead of truncating it.
 */
#ifndef MUSTER_IMAGEREF_H
#define MUSTER_IMAGEREF_H

#include <stddef.h>

#define IMAGEREF_INPUT_MAX 1024   /* longest reference text accepted */
#define IMAGEREF_NAME_MAX 255     /* Docker's NameTotalLengthMax, applied to the
                                     normalized "registry/repository" */
#define IMAGEREF_TAG_MAX 128      /* tag := [\w][\w.-]{0,127} */
#define IMAGEREF_DIGEST_MAX 136   /* "sha512:" + 128 hex + NUL */

typedef struct imageref {
	char registry[256];       /* lower-case host[:port]; "docker.io" for Docker Hub */
	char repository[512];     /* path; "library/x" for Docker Hub official images */
	char tag[129];            /* "" when the reference has no tag */
	char digest[IMAGEREF_DIGEST_MAX]; /* "sha256:<64 lower hex>" or "", see digest_normalize */
} imageref;

/*
 * Parse and normalize a Docker/OCI reference `ref` into *out.
 *
 * Follows Docker's rules (distribution/reference, ParseNormalizedNamed):
 * the first path component is a registry when it contains '.' or ':' or is
 * "localhost" (any case); otherwise the registry is docker.io (Docker's
 * newer "upper-case first component is a host" rule is not followed: such
 * a name fails as an upper-case repository).  "index.docker.io" and "registry-1.docker.io" become
 * "docker.io", and a one-component Docker Hub repository gets "library/".
 * The registry is lower-cased (host names are case-insensitive); the
 * repository must already be lower-case path components of the
 * distribution grammar.  Tag: [\w][\w.-]{0,127}.  Digest: sha256 (64 hex)
 * or sha512 (128 hex), hex lower-cased.
 *
 * No default tag is applied: a reference without tag and digest leaves
 * out->tag empty (see imageref_default_tag).  Rejected: NULL or empty,
 * longer than IMAGEREF_INPUT_MAX, a normalized "registry/repository"
 * longer than IMAGEREF_NAME_MAX (Docker limits the name as written; muster
 * limits the normalized one so that formatted output always parses
 * again), control characters, spaces or non-ASCII
 * bytes, a leading '/', "..", any "scheme://" prefix (including Kubernetes'
 * "docker-pullable://", which digest_normalize handles), and a bare image
 * ID ("<64 hex>" or "sha256:<64 hex>") that Docker would otherwise read as
 * a repository name.
 *
 * Returns 0, or -1 with *out zeroed and a short lower-case reason in errbuf
 * (errbuf may be NULL when errlen is 0).
 */
int imageref_parse(imageref *out, const char *ref, char *errbuf, size_t errlen);

/*
 * Docker's default tag: set out->tag to "latest" when the reference has
 * neither a tag nor a digest; otherwise leave it unchanged.  The caller
 * decides whether defaulting is right (muster treats "latest" as a moving
 * tag, not a version).
 */
void imageref_default_tag(imageref *r);

/*
 * Write "registry/repository" into buf (len bytes including the NUL).
 * Returns 0, or -1 when it does not fit (buf then holds "").
 */
int imageref_format_repo(const imageref *r, char *buf, size_t len);

/*
 * Write "registry/repository[:tag][@digest]" into buf, the tag and digest
 * only when set.  Returns 0, or -1 when it does not fit (buf then holds "").
 * The output parses back to the same imageref.
 */
int imageref_format(const imageref *r, char *buf, size_t len);

/*
 * Normalize any digest spelling seen in scanner reports and Kubernetes
 * imageID fields to "<algorithm>:<lower hex>":
 *   "sha256:HEX", "SHA256:HEX", a bare 64-hex (sha256) or 128-hex (sha512)
 *   string, "repo@sha256:HEX" (containerd and CRI-O imageID),
 *   "docker-pullable://repo@sha256:HEX" and "docker://sha256:HEX" (Docker
 *   and cri-dockerd imageID).  sha512 with 128 hex digits is accepted too.
 * Anything else fails, including "", the "..." placeholder, a wrong hex
 * length, non-hex digits, other algorithms and other "scheme://" prefixes
 * (a "containerd://..." string is a container ID, not an image digest).
 *
 * Writes the result into out (outlen bytes; IMAGEREF_DIGEST_MAX always
 * suffices).  Returns 0, or -1 with out set to "" when outlen > 0.
 */
int digest_normalize(const char *in, char *out, size_t outlen);

#endif
