/* SHA-256 and HMAC-SHA-256 with the implementation fetched once per process. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "digest.h"
#include "err.h"

#define BLOCK 64

static CRYPTO_ONCE once = CRYPTO_ONCE_STATIC_INIT;
static EVP_MD *sha256;

static void
fetch(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *
md(void)
{
	if (!CRYPTO_THREAD_run_once(&once, fetch))
		return NULL;
	return sha256;
}

int
ec_sha256(const void *p, size_t n, unsigned char out[EC_SHA256_LEN])
{
	const EVP_MD *m = md();

	if (m == NULL || EVP_Digest(p, n, out, NULL, m, NULL) != 1) {
		ERR_clear_error();
		return ec_err_set(EC_ERR_CRYPTO, "cannot compute SHA-256");
	}
	return EC_OK;
}

int
ec_sha256_fd(int fd, const char *path, unsigned char out[EC_SHA256_LEN], unsigned long long *size)
{
	enum { CHUNK = 1 << 20 };
	const EVP_MD *m = md();
	EVP_MD_CTX *c = NULL;
	unsigned char *buf = NULL;
	ssize_t n;
	int rc = EC_OK;

	*size = 0;
	if (!(buf = malloc(CHUNK)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	if (m == NULL || !(c = EVP_MD_CTX_new()) || EVP_DigestInit_ex(c, m, NULL) != 1) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot compute SHA-256");
		goto out;
	}
	for (;;) {
		n = pread(fd, buf, CHUNK, (off_t)*size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ec_err_errno("cannot read", path);
			goto out;
		}
		if (n == 0)
			break;
		if (EVP_DigestUpdate(c, buf, (size_t)n) != 1) {
			rc = ec_err_set(EC_ERR_CRYPTO, "cannot compute SHA-256");
			goto out;
		}
		*size += (unsigned long long)n;
	}
	if (EVP_DigestFinal_ex(c, out, NULL) != 1)
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot compute SHA-256");
out:
	if (rc == EC_ERR_CRYPTO)
		ERR_clear_error();
	EVP_MD_CTX_free(c);
	free(buf);
	return rc;
}

void
ec_hmac_free(struct ec_hmac *h)
{
	EVP_MD_CTX_free(h->inner);
	EVP_MD_CTX_free(h->outer);
	h->inner = h->outer = NULL;
}

/* RFC 2104: H(K ^ opad || H(K ^ ipad || m)), K padded (or first hashed) to the block size. */
int
ec_hmac_init(struct ec_hmac *h, const unsigned char *key, size_t keylen)
{
	unsigned char k[BLOCK], pad[BLOCK];
	const EVP_MD *m = md();
	EVP_MD_CTX *in = NULL, *out = NULL;
	size_t i;
	int rc = EC_ERR_CRYPTO;

	h->inner = h->outer = NULL;
	memset(k, 0, sizeof k);
	if (m == NULL || (in = EVP_MD_CTX_new()) == NULL || (out = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (keylen > BLOCK) {
		if (EVP_Digest(key, keylen, k, NULL, m, NULL) != 1)
			goto out;
	} else {
		memcpy(k, key, keylen);
	}
	for (i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	if (EVP_DigestInit_ex(in, m, NULL) != 1 || EVP_DigestUpdate(in, pad, BLOCK) != 1)
		goto out;
	for (i = 0; i < BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	if (EVP_DigestInit_ex(out, m, NULL) != 1 || EVP_DigestUpdate(out, pad, BLOCK) != 1)
		goto out;
	h->inner = in;
	h->outer = out;
	in = out = NULL;
	rc = EC_OK;
out:
	OPENSSL_cleanse(k, sizeof k);
	OPENSSL_cleanse(pad, sizeof pad);
	EVP_MD_CTX_free(in);
	EVP_MD_CTX_free(out);
	if (rc != EC_OK) {
		ERR_clear_error();
		ec_err_set(rc, "cannot set up HMAC-SHA-256");
	}
	return rc;
}

int
ec_hmac(const struct ec_hmac *h, const void *msg, size_t n, unsigned char out[EC_SHA256_LEN])
{
	unsigned char ih[EC_SHA256_LEN];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok;

	ok = c != NULL && h->inner != NULL &&
	    EVP_MD_CTX_copy_ex(c, h->inner) == 1 && EVP_DigestUpdate(c, msg, n) == 1 &&
	    EVP_DigestFinal_ex(c, ih, NULL) == 1 &&
	    EVP_MD_CTX_copy_ex(c, h->outer) == 1 && EVP_DigestUpdate(c, ih, sizeof ih) == 1 &&
	    EVP_DigestFinal_ex(c, out, NULL) == 1;
	EVP_MD_CTX_free(c);
	OPENSSL_cleanse(ih, sizeof ih);
	if (!ok) {
		ERR_clear_error();
		return ec_err_set(EC_ERR_CRYPTO, "cannot compute HMAC-SHA-256");
	}
	return EC_OK;
}
