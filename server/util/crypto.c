/*
 * crypto.c - SHA-256, random tokens and constant-time compare (crypto.h).
 */
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	to_hex(md, sizeof(md), out);
}

int crypto_random_token(char out[CRYPTO_TOKEN_LEN + 1])
{
	unsigned char raw[CRYPTO_TOKEN_LEN / 2];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	to_hex(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int crypto_equal(const void *a, const void *b, size_t alen, size_t blen)
{
	if (alen != blen)
		return 0;
	return CRYPTO_memcmp(a, b, alen) == 0;
}
