/*
 * output_file.c - temporary-name-then-rename output files of the export
 * commands (output_file.h).
 */
#include "output_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int output_file_prepare(output_file *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dlen;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if ((size_t)snprintf(o->path, sizeof(o->path), "%s", path) >= sizeof(o->path) ||
	    (size_t)snprintf(o->tmp, sizeof(o->tmp), "%s.XXXXXX", path) >= sizeof(o->tmp))
		return -1;
	if (!slash) {
		snprintf(o->dir, sizeof(o->dir), ".");
		return 0;
	}
	dlen = slash == path ? 1 : (size_t)(slash - path);
	if (dlen >= sizeof(o->dir))
		return -1;
	memcpy(o->dir, path, dlen);
	o->dir[dlen] = '\0';
	return 0;
}

int output_file_create(output_file *o)
{
	mode_t mask;

	o->fd = mkstemp(o->tmp);
	if (o->fd < 0)
		return -1;
	o->made = 1;
	/* mkstemp's 0600 would stick to the renamed file: use the umask's mode */
	mask = umask(0);
	umask(mask);
	if (fchmod(o->fd, 0666 & ~mask) != 0)
		fprintf(stderr, "muster: could not set the mode of %s: %s\n", o->tmp, strerror(errno));
	return 0;
}

int output_file_commit(output_file *o)
{
	if (o->fd >= 0) {
		int rc = close(o->fd);

		o->fd = -1;
		if (rc != 0)
			return -1;
	}
	if (rename(o->tmp, o->path) != 0)
		return -1;
	o->made = 0;
	return 0;
}

void output_file_discard(output_file *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
	}
	if (o->made) {
		unlink(o->tmp);
		o->made = 0;
	}
}
