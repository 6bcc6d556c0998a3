/* Trust bundles and KIDs: the PKI handles the verifying side uses (OpenSSL types inside). */
#ifndef EC_PKI_H
#define EC_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "types.h"

/* An issuing CA ready to sign: opaque outside lib/sign/ (signer.h). */
struct ec_signer;

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

/*
 * The public URL of the body whose issuing CA kid is ("https://verify.example.org"), as that CA's
 * certificate states it (its CRL distribution point <url>/crl/root.crl); "" when unknown. Borrowed.
 */
const char *ec_trust_public_url(const struct ec_trust *t, const char *kid);

/*
 * The issuing CAs' public keys as a JWK set (RFC 7517) appended to b: {"keys":[...]} with kid and alg
 * as QR tokens name them, for the verification page's script to check a token with WebCrypto.
 */
struct ec_buf;
int ec_trust_jwks(const struct ec_trust *t, struct ec_buf *b);

/* The number of root CAs of t, and root i (0 <= i < that number). Borrowed. */
size_t ec_trust_nroots(const struct ec_trust *t);
X509 *ec_trust_root(const struct ec_trust *t, size_t i);

/* The issuing CA's subject CN (UTF-8, controls shown as '?') for kid; "" when unknown. Borrowed. */
const char *ec_trust_issuer_cn(const struct ec_trust *t, const char *kid);

/*
 * Check sig over msg[0..n) with the issuing CA kid of t (ed25519: an Ed25519 signature, else a DER
 * ECDSA-with-SHA-256 one) through its context prepared at load. EC_ERR_SIG when kid is unknown, of the
 * other algorithm, or the signature does not verify. Thread-safe on a shared bundle.
 */
int ec_trust_verify_sig(const struct ec_trust *t, const char *kid, int ed25519, const unsigned char *msg, size_t n,
    const unsigned char *sig, size_t siglen);

/* The KID of a certificate's public key: first 11 characters of base64url(SHA-256(DER SPKI)). */
int ec_kid_of(X509 *cert, char kid[EC_KID_LEN + 1]);
int ec_kid_of_pkey(EVP_PKEY *pkey, char kid[EC_KID_LEN + 1]);

#endif
