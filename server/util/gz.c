/*
 * gz.c - bounded zlib inflate/deflate, and gzip members compressed in
 * independent pieces (gz.h).
 */
#include "gz.h"

#include <zlib.h>

#define GZ_CHUNK 65536

int gz_inflate(buf *out, const void *in, size_t len)
{
	z_stream zs = {0};
	unsigned char chunk[GZ_CHUNK];
	int zrc, rc = 0;

	if (len > UINT_MAX)
		return -3;
	/* 15 + 32: accept both gzip and zlib headers */
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return BUF_ERR_NOMEM;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zrc = inflate(&zs, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END) {
			rc = zrc == Z_MEM_ERROR ? BUF_ERR_NOMEM : -3;
			goto done;
		}
		rc = buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
		if (rc)
			goto done;
		if (zrc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
			rc = -3;   /* truncated stream */
			goto done;
		}
	} while (zrc != Z_STREAM_END);
done:
	inflateEnd(&zs);
	if (rc)
		buf_free(out);
	return rc;
}

int gz_deflate(buf *out, const void *in, size_t len, int level)
{
	z_stream zs = {0};
	unsigned char chunk[GZ_CHUNK];
	int zrc, rc = 0;

	if (len > UINT_MAX)
		return -1;
	if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zrc = deflate(&zs, Z_FINISH);
		if (zrc == Z_STREAM_ERROR) {
			rc = -1;
			break;
		}
		if (buf_append(out, chunk, sizeof(chunk) - zs.avail_out)) {
			rc = -1;
			break;
		}
	} while (zrc != Z_STREAM_END);
	deflateEnd(&zs);
	return rc;
}

int gz_piece_deflate(gz_piece *p, const void *in, size_t len, int level, int last)
{
	z_stream zs = {0};
	unsigned char chunk[GZ_CHUNK];
	int zrc, rc = 0, flush = last ? Z_FINISH : Z_SYNC_FLUSH;

	buf_init(&p->data, (size_t)-1);
	p->crc = crc32(0L, Z_NULL, 0);
	p->in_len = len;
	if (len > UINT_MAX)
		return -1;
	p->crc = crc32(p->crc, (const Bytef *)in, (uInt)len);
	/* negative window bits: raw deflate, no header or trailer */
	if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	for (;;) {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zrc = deflate(&zs, flush);
		if (zrc == Z_STREAM_ERROR) {
			rc = -1;
			break;
		}
		if (buf_append(&p->data, chunk, sizeof(chunk) - zs.avail_out)) {
			rc = -1;
			break;
		}
		/* done when the stream ended, or (sync flush) when all input is
		 * consumed and the output did not fill the chunk */
		if (zrc == Z_STREAM_END || (!last && zs.avail_in == 0 && zs.avail_out != 0))
			break;
	}
	deflateEnd(&zs);
	if (rc)
		buf_free(&p->data);
	return rc;
}

static int put_le32(buf *out, unsigned long v)
{
	unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};

	return buf_append(out, b, sizeof(b));
}

int gz_join(buf *out, const gz_piece *pieces, size_t n)
{
	/* magic, deflate, no flags, no time, no extra flags, OS unknown */
	static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
	unsigned long crc = crc32(0L, Z_NULL, 0);
	unsigned long long total = 0;
	size_t i;

	if (n == 0 || buf_append(out, header, sizeof(header)))
		return -1;
	for (i = 0; i < n; i++) {
		if (pieces[i].in_len > 0x7fffffff)
			return -1;
		crc = crc32_combine(crc, pieces[i].crc, (z_off_t)pieces[i].in_len);
		total += pieces[i].in_len;
		if (buf_append(out, pieces[i].data.data, pieces[i].data.len))
			return -1;
	}
	/* ISIZE is the input length modulo 2^32 (RFC 1952) */
	if (put_le32(out, crc) || put_le32(out, (unsigned long)(total & 0xffffffffu)))
		return -1;
	return 0;
}

void gz_piece_free(gz_piece *p)
{
	buf_free(&p->data);
}
