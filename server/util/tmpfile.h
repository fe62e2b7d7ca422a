/*
 * tmpfile.h - private temporary files for reports written before they are
 * sent (the workbook writer needs a file), in the data directory.
 */
#ifndef MUSTER_TMPFILE_H
#define MUSTER_TMPFILE_H

#include <stddef.h>

/* Create dir (one level, 0700) when missing and a new file "dir/.PREFIX-XXXXXX"
 * in it, mode 0600. Returns the open descriptor with the name in path, or -1
 * (errno set; ENAMETOOLONG when the name does not fit len). */
int tmpfile_create(const char *dir, const char *prefix, char *path, size_t len);

#endif
