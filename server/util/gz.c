/*
 * gz.c - bounded zlib inflate/deflate (gz.h).
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
