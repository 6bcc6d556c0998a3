/* base64url without padding (RFC 4648 section 5), as JWS and the KID use it. */
#ifndef EC_B64_H
#define EC_B64_H

#include <stddef.h>

/* Encoded length of n bytes (no NUL). */
size_t ec_b64url_len(size_t n);

/* Encode in[0..n) into out (outsz >= ec_b64url_len(n) + 1, NUL added). EC_ERR_TOOBIG if out is small. */
int ec_b64url_encode(const unsigned char *in, size_t n, char *out, size_t outsz);

/*
 * Decode exactly len characters of s (no padding, no white space) into out; *outlen gets the size.
 * Strict: any character outside the alphabet, a length of 1 mod 4, or non-zero trailing bits give
 * EC_ERR_SYNTAX; more than outsz bytes gives EC_ERR_TOOBIG.
 */
int ec_b64url_decode(const char *s, size_t len, unsigned char *out, size_t outsz, size_t *outlen);

#endif
