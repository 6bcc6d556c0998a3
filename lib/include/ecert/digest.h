/* SHA-256 and keyed HMAC-SHA-256 without OpenSSL 3.0's per-call algorithm fetch (hot paths). */
#ifndef EC_DIGEST_H
#define EC_DIGEST_H

#include <stddef.h>

#define EC_SHA256_LEN 32

/* SHA-256 of p[0..n) into out; EC_ERR_CRYPTO if OpenSSL fails. Thread-safe. */
int ec_sha256(const void *p, size_t n, unsigned char out[EC_SHA256_LEN]);

/*
 * SHA-256 of the open file fd from its start, read in blocks (any size); *size gets its length.
 * EC_ERR_IO naming path when a read fails.
 */
int ec_sha256_fd(int fd, const char *path, unsigned char out[EC_SHA256_LEN], unsigned long long *size);

/*
 * HMAC-SHA-256 under one key: the padded key blocks are hashed once at ec_hmac_init, and each
 * ec_hmac copies those states, so concurrent ec_hmac calls on one initialised struct are safe.
 * The struct owns two contexts (key material inside): release with ec_hmac_free.
 */
struct ec_hmac {
	void *inner, *outer;
};

int ec_hmac_init(struct ec_hmac *h, const unsigned char *key, size_t keylen);
int ec_hmac(const struct ec_hmac *h, const void *msg, size_t n, unsigned char out[EC_SHA256_LEN]);
void ec_hmac_free(struct ec_hmac *h);

#endif
