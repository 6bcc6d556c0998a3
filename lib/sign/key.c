/* Key pairs: generation, and storage as scrypt-encrypted PKCS#8 PEM files readable by `openssl pkcs8`. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "conf.h"
#include "err.h"
#include "file.h"
#include "key.h"

#define KEY_FILE_MAX (16 * 1024)
#define KEY_SALT_LEN 16

int
ec_key_generate(enum ec_alg alg, EVP_PKEY **out)
{
	*out = NULL;
	if (alg == EC_ALG_P256)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (alg == EC_ALG_ED25519)
		*out = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	else
		return ec_err_set(EC_ERR_UNSUPPORTED, "unknown key algorithm %d", (int)alg);
	if (*out == NULL)
		return ec_err_set(EC_ERR_CRYPTO, "cannot generate a key pair");
	return EC_OK;
}

int
ec_key_alg(EVP_PKEY *key, enum ec_alg *out)
{
	char group[32];
	size_t glen = 0;

	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
		*out = EC_ALG_ED25519;
		return EC_OK;
	}
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
	    EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &glen) == 1 &&
	    (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)) {
		*out = EC_ALG_P256;
		return EC_OK;
	}
	return ec_err_set(EC_ERR_UNSUPPORTED, "key is neither P-256 nor Ed25519");
}

int
ec_key_save(const char *path, EVP_PKEY *key, const char *pass, size_t passlen)
{
	PKCS8_PRIV_KEY_INFO *p8inf = NULL;
	X509_ALGOR *pbe = NULL;
	X509_SIG *sig = NULL;
	BIO *bio = NULL;
	char *pem = NULL;
	long pemlen;
	int rc = EC_OK;

	if (passlen == 0 || passlen > INT_MAX)
		return ec_err_set(EC_ERR_ARG, "cannot protect '%s': empty passphrase", path);
	if ((p8inf = EVP_PKEY2PKCS8(key)) == NULL) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encode the key for '%s'", path);
		goto out;
	}
	pbe = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, KEY_SALT_LEN, NULL,
	    EC_KEY_SCRYPT_N, EC_KEY_SCRYPT_R, EC_KEY_SCRYPT_P);
	if (pbe == NULL) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot set up scrypt for '%s'", path);
		goto out;
	}
	if ((sig = PKCS8_set0_pbe(pass, (int)passlen, p8inf, pbe)) == NULL) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encrypt the key for '%s'", path);
		goto out;
	}
	pbe = NULL;
	if ((bio = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_PKCS8(bio, sig) != 1) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encode the key for '%s'", path);
		goto out;
	}
	pemlen = BIO_get_mem_data(bio, &pem);
	if (pemlen <= 0) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encode the key for '%s'", path);
		goto out;
	}
	rc = ec_file_write(path, pem, (size_t)pemlen, 0600, 0);
out:
	ERR_clear_error();
	BIO_free(bio);
	X509_SIG_free(sig);
	X509_ALGOR_free(pbe);
	PKCS8_PRIV_KEY_INFO_free(p8inf);
	return rc;
}

int
ec_key_load(const char *path, const char *pass, size_t passlen, EVP_PKEY **out)
{
	PKCS8_PRIV_KEY_INFO *p8inf = NULL;
	X509_SIG *sig = NULL;
	BIO *bio = NULL;
	char *text = NULL;
	size_t len = 0;
	enum ec_alg alg;
	int rc;

	*out = NULL;
	if (passlen > INT_MAX)
		return ec_err_set(EC_ERR_ARG, "passphrase too long");
	if ((rc = ec_file_read(path, KEY_FILE_MAX, &text, &len)) != EC_OK) {
		if (rc == EC_ERR_TOOBIG)
			rc = ec_err_set(EC_ERR_CORRUPT, "'%s' is not an encrypted private key (too large)", path);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "cannot read '%s': out of memory", path);
		goto out;
	}
	if ((sig = PEM_read_bio_PKCS8(bio, NULL, NULL, NULL)) == NULL) {
		rc = ec_err_set(EC_ERR_CORRUPT, "'%s' is not an encrypted private key", path);
		goto out;
	}
	if ((p8inf = PKCS8_decrypt(sig, pass, (int)passlen)) == NULL) {
		rc = ec_err_set(EC_ERR_PASS, "cannot decrypt '%s': wrong passphrase", path);
		goto out;
	}
	if ((*out = EVP_PKCS82PKEY(p8inf)) == NULL) {
		rc = ec_err_set(EC_ERR_CORRUPT, "'%s' holds no usable private key", path);
		goto out;
	}
	if (ec_key_alg(*out, &alg) != EC_OK) {
		EVP_PKEY_free(*out);
		*out = NULL;
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "'%s' holds a key that is neither P-256 nor Ed25519", path);
	}
out:
	ERR_clear_error();
	PKCS8_PRIV_KEY_INFO_free(p8inf);
	X509_SIG_free(sig);
	BIO_free(bio);
	if (text != NULL)
		OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}
