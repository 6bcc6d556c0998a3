/* Test-only PKI: a root and an issuing CA of our profile built with OpenSSL, without lib/sign/ca.c. */
#ifndef HELPER_PKI_H
#define HELPER_PKI_H

#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "pki.h"
#include "signer.h"
#include "ecx509.h"

/*
 * A root CA and one issuing CA under it, as docs/formats-ecert.md profiles them (CN "<org> Issuing CA <KID>",
 * SKI = leftmost 160 bits of SHA-256(SPKI), AKI, CA:TRUE critical, keyCertSign|cRLSign), valid
 * from a day ago for 20 years. s is a ready signer whose fields the struct owns.
 */
struct helper_ca {
	X509 *root;
	EVP_PKEY *root_key;
	struct ec_signer s;
};

/* Build ca for alg and org; 0 or -1. Free with helper_ca_free. */
int helper_ca_make(struct helper_ca *ca, enum ec_alg alg, const char *org);
void helper_ca_free(struct helper_ca *ca);

/* A trust bundle (PEM: each root, then each issuing CA) of cas[0..n); malloc'd, NUL-terminated. */
char *helper_ca_trust_pem(struct helper_ca *const *cas, size_t n, size_t *len);

/*
 * The fixture several tests share: a P-256 CA and an Ed25519 CA in a loaded trust bundle, and a
 * third P-256 CA ("other") that the bundle does not hold. 0 or -1; helper_ca_trio_free releases all.
 */
int helper_ca_trio_make(struct helper_ca *p256, struct helper_ca *ed, struct helper_ca *other,
    struct ec_trust **trust);
void helper_ca_trio_free(struct helper_ca *p256, struct helper_ca *ed, struct helper_ca *other,
    struct ec_trust *trust);

/* That fixture as a cmocka group state: setup makes *state a struct helper_trio, teardown frees it. */
struct helper_trio {
	struct helper_ca p256, ed, other;   /* other: a P-256 CA the trust bundle does not hold */
	struct ec_trust *trust;             /* p256 and ed */
};
int helper_trio_setup(void **state);
int helper_trio_teardown(void **state);

#endif
