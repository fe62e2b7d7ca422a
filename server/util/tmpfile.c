/*
 * tmpfile.c - temporary report files in the data directory (tmpfile.h).
 */
#include "tmpfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int tmpfile_create(const char *dir, const char *prefix, char *path, size_t len)
{
	struct stat st;

	if ((size_t)snprintf(path, len, "%s/.%s-XXXXXX", dir, prefix) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
	} else if (errno != ENOENT || (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
		return -1;
	}
	return mkstemp(path);
}
