/*
 * gz.h - gzip/zlib compression helpers with output ceilings, for request
 * bodies (Content-Encoding: gzip) and stored raw reports.
 */
#ifndef MUSTER_GZ_H
#define MUSTER_GZ_H

#include "buf.h"

/* Inflate a gzip or zlib stream into out (initialised by the caller with
 * its ceiling). Returns 0, BUF_ERR_TOOBIG when the output passes the
 * ceiling, BUF_ERR_NOMEM, or -3 for a corrupt stream. */
int gz_inflate(buf *out, const void *in, size_t len);
/* Compress into gzip format at the given level (1 = fast). 0 or -1. */
int gz_deflate(buf *out, const void *in, size_t len, int level);

#endif
