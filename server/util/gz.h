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

/*
 * One gzip member made of pieces compressed independently (so that each
 * can be compressed on its own thread, as pigz does): every piece but the
 * last is raw deflate data ending on a byte boundary (a sync flush), the
 * last ends the deflate stream; gz_join puts them behind one gzip header
 * and writes the trailer from the pieces' combined CRC-32 and length. The
 * result is an ordinary single-member gzip file.
 */
typedef struct gz_piece {
	buf data;             /* raw deflate output; gz_piece_deflate initialises it */
	unsigned long crc;    /* CRC-32 of the piece's input */
	size_t in_len;        /* the piece's input length */
} gz_piece;

/* Compress one piece; last says whether it ends the stream. 0 or -1. */
int gz_piece_deflate(gz_piece *p, const void *in, size_t len, int level, int last);
/* Join n pieces, in order, into one gzip member appended to out. 0 or -1. */
int gz_join(buf *out, const gz_piece *pieces, size_t n);
void gz_piece_free(gz_piece *p);

#endif
