/*
 * imageref.c - parsing and normalization of Docker/OCI image references and
 * image digests (imageref.h).  The grammar is the one of
 * github.com/distribution/reference (reference.go, normalize.go):
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] path-component ['/' path-component]*
 *   domain           := host [':' port-number]
 *   host             := domain-name | '[' IPv6address ']'
 *   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9] [a-zA-Z0-9-]* [a-zA-Z0-9]
 *   path-component   := [a-z0-9]+ ( ( '.' | '_' | "__" | '-'+ ) [a-z0-9]+ )*
 *   tag              := [\w] [\w.-]{0,127}
 *
 * Character classes are written out by hand (no <ctype.h>) so the result
 * never depends on the locale.
 */
#include "imageref.h"

#include <stdio.h>
#include <string.h>

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_alnum(int c) { return is_digit(c) || is_lower(c) || is_upper(c); }
static int is_lower_alnum(int c) { return is_digit(c) || is_lower(c); }
static int to_lower(int c) { return is_upper(c) ? c - 'A' + 'a' : c; }

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_word(int c) { return is_alnum(c) || c == '_'; }

/* Write a reason into errbuf (if any) and fail. */
static int fail(char *errbuf, size_t errlen, const char *reason)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, "%s", reason);
	return -1;
}

/* Case-insensitive comparison of s[0..n) with the NUL-terminated word. */
static int span_ieq(const char *s, size_t n, const char *word)
{
	size_t i;

	if (strlen(word) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (to_lower((unsigned char)s[i]) != word[i])
			return 0;
	return 1;
}

static int all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_hex((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Validate "alg:hex" in s[0..n) (sha256 with 64 hex, sha512 with 128, the
 * algorithm name in any case) and write its lower-case form into out.
 * Returns 0 or -1.
 */
static int digest_from_span(const char *s, size_t n, char *out, size_t outlen)
{
	const char *colon = memchr(s, ':', n);
	const char *alg;
	size_t alg_len, hex_len, i, need;

	if (!colon)
		return -1;
	alg_len = (size_t)(colon - s);
	hex_len = n - alg_len - 1;
	if (span_ieq(s, alg_len, "sha256") && hex_len == 64)
		alg = "sha256";
	else if (span_ieq(s, alg_len, "sha512") && hex_len == 128)
		alg = "sha512";
	else
		return -1;
	if (!all_hex(colon + 1, hex_len))
		return -1;
	need = alg_len + 1 + hex_len + 1;
	if (need > outlen)
		return -1;
	memcpy(out, alg, alg_len);
	out[alg_len] = ':';
	for (i = 0; i < hex_len; i++)
		out[alg_len + 1 + i] = (char)to_lower((unsigned char)colon[1 + i]);
	out[need - 1] = '\0';
	return 0;
}

int digest_normalize(const char *in, char *out, size_t outlen)
{
	static const char pullable[] = "docker-pullable://";
	static const char docker[] = "docker://";
	const char *s, *at;
	size_t n, i;
	char tmp[IMAGEREF_DIGEST_MAX];

	if (out && outlen)
		out[0] = '\0';
	if (!in || !out)
		return -1;
	n = strnlen(in, IMAGEREF_INPUT_MAX + 1);
	if (n == 0 || n > IMAGEREF_INPUT_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c <= ' ' || c >= 0x7f)
			return -1;
	}
	s = in;
	if (strncmp(s, pullable, sizeof(pullable) - 1) == 0)
		s += sizeof(pullable) - 1;
	else if (strncmp(s, docker, sizeof(docker) - 1) == 0)
		s += sizeof(docker) - 1;
	if (strstr(s, "://"))
		return -1;

	/* "repo@alg:hex": only the part after the '@' matters, but the repo
	 * must be there (a leading '@' is not an imageID form). */
	at = strrchr(s, '@');
	if (at) {
		if (at == s)
			return -1;
		s = at + 1;
	}
	n = strlen(s);
	if (!memchr(s, ':', n)) {
		/* A bare hex image ID. */
		if ((n != 64 && n != 128) || !all_hex(s, n))
			return -1;
		snprintf(tmp, sizeof(tmp), "%s:", n == 64 ? "sha256" : "sha512");
		for (i = 0; i < n; i++)
			tmp[7 + i] = (char)to_lower((unsigned char)s[i]);
		tmp[7 + n] = '\0';
		if (strlen(tmp) + 1 > outlen)
			return -1;
		memcpy(out, tmp, strlen(tmp) + 1);
		return 0;
	}
	if (digest_from_span(s, n, tmp, sizeof(tmp)) < 0)
		return -1;
	if (strlen(tmp) + 1 > outlen)
		return -1;
	memcpy(out, tmp, strlen(tmp) + 1);
	return 0;
}

/* Tag grammar: [\w][\w.-]{0,127}. */
static int valid_tag(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > IMAGEREF_TAG_MAX || !is_word((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++) {
		int c = (unsigned char)s[i];
		if (!is_word(c) && c != '.' && c != '-')
			return 0;
	}
	return 1;
}

/*
 * One repository path component: [a-z0-9]+ joined by '.', '_', "__" or one
 * or more '-'.  Returns NULL when valid, else the reason.
 */
static const char *check_path_component(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return "empty path component in repository name";
	for (;;) {
		size_t start = i;

		while (i < n && is_lower_alnum((unsigned char)s[i]))
			i++;
		if (i == start) {
			if (i < n && is_upper((unsigned char)s[i]))
				return "repository name must be lowercase";
			if (i < n && s[i] == '.' && i > 0 && s[i - 1] == '.')
				return "\"..\" in repository name";
			return "invalid character in repository name";
		}
		if (i == n)
			return NULL;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else if (is_upper((unsigned char)s[i])) {
			return "repository name must be lowercase";
		} else {
			return "invalid character in repository name";
		}
		if (i == n)
			return "repository name component ends with a separator";
	}
}

static const char *check_path(const char *s, size_t n)
{
	size_t i = 0;

	while (i <= n) {
		const char *slash = memchr(s + i, '/', n - i);
		size_t end = slash ? (size_t)(slash - s) : n;
		const char *why = check_path_component(s + i, end - i);

		if (why)
			return why;
		i = end + 1;
	}
	return NULL;
}

/* host[:port] where host is a DNS-like name or a bracketed IPv6 address. */
static const char *check_domain(const char *s, size_t n)
{
	size_t i = 0, host_end;

	if (n == 0)
		return "empty registry host";
	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);
		size_t j;

		if (!close || close == s + 1)
			return "invalid IPv6 registry address";
		host_end = (size_t)(close - s) + 1;
		for (j = 1; j + 1 < host_end; j++) {
			int c = (unsigned char)s[j];
			if (!is_hex(c) && c != ':' && c != '.')
				return "invalid IPv6 registry address";
		}
	} else {
		const char *colon = memchr(s, ':', n);

		host_end = colon ? (size_t)(colon - s) : n;
		while (i < host_end) {
			size_t start = i;

			while (i < host_end && (is_alnum((unsigned char)s[i]) ||
						s[i] == '-'))
				i++;
			if (i == start)
				return s[i] == '.' ? "\"..\" or empty label in registry host"
						   : "invalid character in registry host";
			if (s[start] == '-' || s[i - 1] == '-')
				return "registry host label starts or ends with '-'";
			if (i < host_end) {
				if (s[i] != '.')
					return "invalid character in registry host";
				i++;
				if (i == host_end)
					return "registry host ends with '.'";
			}
		}
		if (host_end == 0)
			return "empty registry host";
	}
	if (host_end < n) {
		unsigned long port = 0;
		size_t j;

		if (s[host_end] != ':' || host_end + 1 == n)
			return "invalid registry port";
		if (n - host_end - 1 > 5)
			return "invalid registry port";
		for (j = host_end + 1; j < n; j++) {
			if (!is_digit((unsigned char)s[j]))
				return "invalid registry port";
			port = port * 10 + (unsigned long)(s[j] - '0');
		}
		if (port == 0 || port > 65535)
			return "invalid registry port";
	}
	return NULL;
}

/* Copy s[0..n) into dst (size dstlen) lower-cased; -1 if it does not fit. */
static int copy_span(char *dst, size_t dstlen, const char *s, size_t n, int lower)
{
	size_t i;

	if (n >= dstlen)
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = lower ? (char)to_lower((unsigned char)s[i]) : s[i];
	dst[n] = '\0';
	return 0;
}

int imageref_parse(imageref *out, const char *ref, char *errbuf, size_t errlen)
{
	const char *why = NULL;
	const char *at, *slash, *name, *path;
	size_t len, i, name_len, end, path_len, dom_len = 0;
	const char *colon = NULL, *last_slash = NULL;
	int have_domain = 0;
	char scratch[IMAGEREF_DIGEST_MAX];

	memset(out, 0, sizeof(*out));
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!ref || !*ref)
		return fail(errbuf, errlen, "empty reference");
	len = strnlen(ref, IMAGEREF_INPUT_MAX + 1);
	if (len > IMAGEREF_INPUT_MAX)
		return fail(errbuf, errlen, "reference too long");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)ref[i];
		if (c <= ' ' || c >= 0x7f)
			return fail(errbuf, errlen,
				    "control character, space or non-ascii byte in reference");
	}
	if (strstr(ref, "://"))
		return fail(errbuf, errlen,
			    "a reference has no scheme prefix such as http://");
	if (ref[0] == '/')
		return fail(errbuf, errlen, "reference starts with '/'");
	/* A bare image ID is not a name, though Docker's grammar would read
	 * "sha256:<hex>" as repository "sha256" with a tag. */
	if (!strchr(ref, '@') && digest_normalize(ref, scratch, sizeof(scratch)) == 0)
		return fail(errbuf, errlen, "an image id or digest is not a reference");

	/* Digest. */
	at = strchr(ref, '@');
	end = at ? (size_t)(at - ref) : len;
	if (at) {
		const char *d = at + 1;
		size_t dn = len - end - 1;

		if (dn == 0 || memchr(d, '@', dn) ||
		    digest_from_span(d, dn, out->digest, sizeof(out->digest)) < 0)
			goto bad_digest;
	}

	/* Tag: the last ':' after the last '/' of the name. */
	for (i = 0; i < end; i++) {
		if (ref[i] == '/')
			last_slash = ref + i;
		else if (ref[i] == ':')
			colon = ref + i;
	}
	if (colon && (!last_slash || colon > last_slash)) {
		size_t tn = end - (size_t)(colon - ref) - 1;

		if (tn == 0) {
			why = "empty tag";
			goto bad;
		}
		if (!valid_tag(colon + 1, tn)) {
			why = "invalid tag";
			goto bad;
		}
		memcpy(out->tag, colon + 1, tn);
		out->tag[tn] = '\0';
		name_len = (size_t)(colon - ref);
	} else {
		name_len = end;
	}
	if (name_len == 0) {
		why = "missing repository name";
		goto bad;
	}

	/* Registry: Docker's splitDockerDomain, without its rule that an
	 * upper-case first component is a host: the host is lower-cased
	 * here, so "Foo/bar" would come back as "foo/bar" = docker.io/foo/bar.
	 * It fails as an upper-case repository name instead. */
	name = ref;
	slash = memchr(name, '/', name_len);
	if (slash) {
		size_t first = (size_t)(slash - name);

		if (memchr(name, '.', first) || memchr(name, ':', first) ||
		    span_ieq(name, first, "localhost"))
			have_domain = 1;
		if (have_domain)
			dom_len = first;
	}
	if (have_domain) {
		why = check_domain(name, dom_len);
		if (why)
			goto bad;
		if (copy_span(out->registry, sizeof(out->registry), name, dom_len, 1) < 0) {
			why = "registry host too long";
			goto bad;
		}
		if (!strcmp(out->registry, "index.docker.io") ||
		    !strcmp(out->registry, "registry-1.docker.io")) {
			/* Clear the old name so equal refs are equal bytes. */
			memset(out->registry, 0, sizeof(out->registry));
			snprintf(out->registry, sizeof(out->registry), "docker.io");
		}
		path = name + dom_len + 1;
		path_len = name_len - dom_len - 1;
	} else {
		snprintf(out->registry, sizeof(out->registry), "docker.io");
		path = name;
		path_len = name_len;
	}
	why = check_path(path, path_len);
	if (why)
		goto bad;
	if (!strcmp(out->registry, "docker.io") && !memchr(path, '/', path_len)) {
		if (path_len + 8 >= sizeof(out->repository)) {
			why = "repository name too long";
			goto bad;
		}
		memcpy(out->repository, "library/", 8);
		memcpy(out->repository + 8, path, path_len);
		out->repository[8 + path_len] = '\0';
	} else if (copy_span(out->repository, sizeof(out->repository), path,
			     path_len, 0) < 0) {
		why = "repository name too long";
		goto bad;
	}
	/* The limit applies to the normalized name, so that whatever parses
	 * also parses again after imageref_format. */
	if (strlen(out->registry) + 1 + strlen(out->repository) > IMAGEREF_NAME_MAX) {
		why = "repository name too long";
		goto bad;
	}
	return 0;

bad_digest:
	why = "invalid digest (expected sha256:<64 hex> or sha512:<128 hex>)";
bad:
	memset(out, 0, sizeof(*out));
	return fail(errbuf, errlen, why);
}

void imageref_default_tag(imageref *r)
{
	if (!r->tag[0] && !r->digest[0])
		snprintf(r->tag, sizeof(r->tag), "latest");
}

int imageref_format_repo(const imageref *r, char *buf, size_t len)
{
	int n;

	if (!buf || len == 0)
		return -1;
	n = snprintf(buf, len, "%s/%s", r->registry, r->repository);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

int imageref_format(const imageref *r, char *buf, size_t len)
{
	int n;

	if (!buf || len == 0)
		return -1;
	n = snprintf(buf, len, "%s/%s%s%s%s%s", r->registry, r->repository,
		     r->tag[0] ? ":" : "", r->tag,
		     r->digest[0] ? "@" : "", r->digest);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}
