/*
 * crypto.h - the few cryptographic primitives muster needs, over OpenSSL:
 * SHA-256 in hex, random tokens, constant-time comparison.
 */
#ifndef MUSTER_CRYPTO_H
#define MUSTER_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_HEX 65  /* 64 hex digits + NUL */
#define CRYPTO_TOKEN_LEN 64   /* 32 random bytes as hex */

/* Hex SHA-256 of data into out (CRYPTO_SHA256_HEX bytes). */
void crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_SHA256_HEX]);
/* 32 random bytes as 64 hex chars into out (65 bytes); -1 if the RNG failed. */
int crypto_random_token(char out[CRYPTO_TOKEN_LEN + 1]);
/* Constant-time equality of two equal-length byte strings; 0 when lengths differ. */
int crypto_equal(const void *a, const void *b, size_t alen, size_t blen);

#endif
