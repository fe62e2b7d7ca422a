/*
 * output_file.h - the file an export command writes: made under a
 * temporary name next to its final path (the same directory, so the
 * rename is atomic), with the mode the umask gives any new file, and
 * renamed into place only once complete. A failed export leaves nothing.
 */
#ifndef MUSTER_OUTPUT_FILE_H
#define MUSTER_OUTPUT_FILE_H

#define OUTPUT_PATH_MAX 4096

typedef struct output_file {
	char path[OUTPUT_PATH_MAX];   /* the final name */
	char tmp[OUTPUT_PATH_MAX];    /* the name it is written under */
	char dir[OUTPUT_PATH_MAX];    /* their directory (for the writers' own temporaries) */
	int fd;                       /* tmp's descriptor until taken or closed, else -1 */
	int made;                     /* tmp exists and is ours to remove */
} output_file;

/* Work out the names for path. Returns 0, or -1 when they do not fit. */
int output_file_prepare(output_file *o, const char *path);

/* Create the temporary file (o->fd open on it). Returns 0, or -1 with
 * errno set. */
int output_file_create(output_file *o);

/* Close o->fd when still open and rename the file into place. Returns 0,
 * or -1 with errno set (the temporary file is then still there for
 * output_file_discard). */
int output_file_commit(output_file *o);

/* Close o->fd when still open and remove the temporary file unless it was
 * committed. Safe to call more than once, and after a commit. */
void output_file_discard(output_file *o);

#endif
