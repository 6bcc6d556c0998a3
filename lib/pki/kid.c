/* Key identifiers: the KID (base64url of SHA-256 over the DER SubjectPublicKeyInfo) and the SKI. */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "b64.h"
#include "ecx509.h"
#include "err.h"
#include "pki.h"

/* SHA-256 of the DER SPKI of pkey into md. */
static int
spki_hash(EVP_PKEY *pkey, unsigned char md[SHA256_DIGEST_LENGTH])
{
	unsigned char *der = NULL;
	int len, rc = EC_OK;

	if (pkey == NULL)
		return ec_err_set(EC_ERR_ARG, "no public key");
	len = i2d_PUBKEY(pkey, &der);
	if (len <= 0) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encode a public key");
		goto out;
	}
	if (SHA256(der, (size_t)len, md) == NULL)
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot hash a public key");
out:
	OPENSSL_free(der);
	return rc;
}

int
ec_kid_of_pkey(EVP_PKEY *pkey, char kid[EC_KID_LEN + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char enc[64];
	int rc;

	if ((rc = spki_hash(pkey, md)) != EC_OK)
		return rc;
	if ((rc = ec_b64url_encode(md, sizeof md, enc, sizeof enc)) != EC_OK)
		return rc;
	memcpy(kid, enc, EC_KID_LEN);
	kid[EC_KID_LEN] = '\0';
	return EC_OK;
}

int
ec_kid_of(X509 *cert, char kid[EC_KID_LEN + 1])
{
	if (cert == NULL)
		return ec_err_set(EC_ERR_ARG, "no certificate");
	return ec_kid_of_pkey(X509_get0_pubkey(cert), kid);
}

/*
 * The SKI is the leftmost 160 bits of the same hash as the KID, so the KID of an e-Cert's issuer can
 * be read from its AKI without looking anything up.
 */
int
ec_ski_of_pkey(EVP_PKEY *pkey, unsigned char ski[EC_SKI_LEN])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	int rc;

	if ((rc = spki_hash(pkey, md)) != EC_OK)
		return rc;
	memcpy(ski, md, EC_SKI_LEN);
	return EC_OK;
}
