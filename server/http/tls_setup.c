/*
 * tls_setup.c - the certificate file and OpenSSL loading that HTTPS needs
 * before civetweb starts (tls_setup.h).
 */
#include "tls_setup.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/log.h"

#define COMPAT_NAME "/libmuster_tls_compat.so"

/* The library stays loaded until exit: civetweb keeps the functions it
 * looked up in it. Set once, before threads start (tls_setup.h). */
static void *compat;

void tls_setup_preload(void)
{
	char path[4096];
	ssize_t n;
	char *slash;

	if (compat)
		return;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) + sizeof(COMPAT_NAME) > sizeof(path))
		return;
	memcpy(slash, COMPAT_NAME, sizeof(COMPAT_NAME));
	compat = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!compat)
		log_event("warn", "the TLS compatibility library was not loaded", "detail", dlerror(), NULL);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Join cert and key into a new private file; 0 with its path in t->pem. */
static int join_pem(tls_setup *t, const char *cert, const char *key, const char *data_dir)
{
	const char *parts[2] = {cert, key};
	char chunk[4096];
	FILE *in = NULL;
	size_t got;
	int fd, i, rc = -1;

	if ((size_t)snprintf(t->pem, sizeof(t->pem), "%s/.muster-tls-XXXXXX", data_dir) >= sizeof(t->pem)) {
		log_event("error", "the data directory path is too long for the TLS file", NULL);
		return -1;
	}
	fd = mkstemp(t->pem);   /* mode 0600, a name nobody else holds */
	if (fd < 0) {
		log_event("error", "could not create the joined TLS file (MUSTER_DATA_DIR must be writable)",
			  "dir", data_dir, NULL);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		in = fopen(parts[i], "rb");
		if (!in) {
			log_event("error", "could not read a TLS file", "file", parts[i], NULL);
			goto cleanup;
		}
		while ((got = fread(chunk, 1, sizeof(chunk), in)) > 0)
			if (write_all(fd, chunk, got))
				goto cleanup;
		/* a newline between, in case the first file lacks its last one */
		if (ferror(in) || write_all(fd, "\n", 1))
			goto cleanup;
		fclose(in);
		in = NULL;
	}
	rc = 0;
cleanup:
	explicit_bzero(chunk, sizeof(chunk));
	if (in)
		fclose(in);
	if (close(fd) != 0)
		rc = -1;
	if (rc) {
		log_event("error", "could not write the joined TLS file", "file", t->pem, NULL);
		unlink(t->pem);
	}
	return rc;
}

int tls_setup_begin(tls_setup *t, const char *cert, const char *key, const char *data_dir)
{
	memset(t, 0, sizeof(*t));
	if (!cert || !*cert || !key || !*key)
		return -1;
	if (strcmp(cert, key) == 0) {
		if ((size_t)snprintf(t->pem, sizeof(t->pem), "%s", cert) >= sizeof(t->pem))
			return -1;
	} else {
		if (join_pem(t, cert, key, data_dir && *data_dir ? data_dir : "."))
			return -1;
		t->joined = 1;
	}
	tls_setup_preload();
	return 0;
}

void tls_setup_started(tls_setup *t)
{
	if (t->joined) {
		unlink(t->pem);
		t->joined = 0;
	}
}

void tls_setup_end(tls_setup *t)
{
	tls_setup_started(t);
}
