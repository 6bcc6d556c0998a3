/* Key pairs: generate P-256 or Ed25519, store as scrypt-encrypted PKCS#8, load with a passphrase. */
#ifndef EC_KEY_H
#define EC_KEY_H

#include <stddef.h>
#include <openssl/evp.h>
#include "types.h"

/* scrypt parameters for keys at rest: N = 2^14 is the most OpenSSL 3.0's PKCS#8 path accepts. */
#define EC_KEY_SCRYPT_N 16384
#define EC_KEY_SCRYPT_R 8
#define EC_KEY_SCRYPT_P 1

/* A fresh key pair for alg. *out is owned by the caller (EVP_PKEY_free). */
int ec_key_generate(enum ec_alg alg, EVP_PKEY **out);

/* The algorithm of key; EC_ERR_UNSUPPORTED for anything but P-256 and Ed25519. */
int ec_key_alg(EVP_PKEY *key, enum ec_alg *out);

/*
 * Write key to path as PEM "ENCRYPTED PRIVATE KEY" (PKCS#8, PBES2 with scrypt N=2^14 r=8 p=1 and
 * AES-256-CBC), mode 0600, through a temporary file (O_EXCL|O_NOFOLLOW) renamed into place.
 * EC_ERR_EXISTS if path exists: a key is never overwritten. The plaintext encoding is wiped.
 */
int ec_key_save(const char *path, EVP_PKEY *key, const char *pass, size_t passlen);

/*
 * Read and decrypt the key at path. EC_ERR_PASS when the passphrase is wrong, EC_ERR_CORRUPT (detail
 * naming the file) when the file is not an encrypted PKCS#8 key, EC_ERR_IO/EC_ERR_NOTFOUND when it
 * cannot be read. *out is owned by the caller (EVP_PKEY_free, which wipes it).
 */
int ec_key_load(const char *path, const char *pass, size_t passlen, EVP_PKEY **out);

#endif
