/*
 * buf.h - growable byte buffer with a size ceiling (after curl's dynbuf).
 *
 * A buf is set up with a maximum size; an append that would pass it fails
 * and releases the buffer, so callers can simply return on error.  The
 * contents are always NUL-terminated for convenience.
 */
#ifndef MUSTER_BUF_H
#define MUSTER_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;   /* ceiling on len; appends beyond fail */
} buf;

#define BUF_ERR_NOMEM (-1)
#define BUF_ERR_TOOBIG (-2)

void buf_init(buf *b, size_t max);
/* Make room for extra more bytes (and the terminating NUL) without changing
 * len; on failure frees the buffer and returns BUF_ERR_*. */
int buf_reserve(buf *b, size_t extra);
/* Append n bytes; on failure frees the buffer and returns BUF_ERR_*. */
int buf_append(buf *b, const void *data, size_t n);
int buf_puts(buf *b, const char *s);
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Append s with JSON string escaping, without the surrounding quotes. */
int buf_json_escape(buf *b, const char *s);
/* Take ownership of the data (caller frees); the buf is reset. */
char *buf_detach(buf *b, size_t *len);
void buf_reset(buf *b);   /* keep the allocation, length 0 */
void buf_free(buf *b);

#endif
