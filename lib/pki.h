/* Library-internal PKI handles shared by the signing and the verifying modules (OpenSSL types inside). */
#ifndef EC_PKI_H
#define EC_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "types.h"

/*
 * An issuing CA ready to sign, as ec_ca_signer_load() (ca.c) returns it.  Everything is owned by the
 * struct and released by ec_signer_free(), which also cleanses the private key.
 * Only the signing tools (ecert-ca, ecert-issue) ever hold one.
 */
struct ec_signer {
	X509 *cert;                  /* the issuing CA certificate */
	EVP_PKEY *key;               /* its private key */
	EVP_PKEY *placeholder;       /* public key only: the subject key of every e-Cert it signs */
	enum ec_alg alg;
	char kid[EC_KID_LEN + 1];
	char crl_url[512];           /* <public-url>/crl/KID.crl */
	char public_url[448];        /* for the QR payload */
	int retired;                 /* 1: may sign only the CRL of what it issued */
};

void ec_signer_free(struct ec_signer *s);

/*
 * A trust bundle: the root CA(s) and every issuing CA, parsed from PEM (trust.pem).
 * Owned by the caller of ec_trust_load(); free with ec_trust_free().
 */
struct ec_trust;

int ec_trust_load(const char *path, struct ec_trust **out);
int ec_trust_load_mem(const char *pem, size_t len, struct ec_trust **out);
void ec_trust_free(struct ec_trust *t);

/* The issuing CA certificate with this KID, chain-verified to a root at load time; NULL if none. Borrowed. */
X509 *ec_trust_issuer(const struct ec_trust *t, const char *kid);

/* The KID of a certificate's public key: first 11 characters of base64url(SHA-256(DER SPKI)). */
int ec_kid_of(X509 *cert, char kid[EC_KID_LEN + 1]);
int ec_kid_of_pkey(EVP_PKEY *pkey, char kid[EC_KID_LEN + 1]);

#endif
