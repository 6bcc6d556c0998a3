/* Certificate revocation lists: one DER CRL per issuing CA and one of the root (sign in crl_sign.c, check in crl_verify.c). */
#ifndef EC_CRL_H
#define EC_CRL_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>
#include "pki.h"
#include "types.h"

#define EC_CRL_VALIDITY (7 * 86400)   /* nextUpdate = thisUpdate + 7 days */
/* The root's CRL: the root key may stay offline for months, so nextUpdate is a year out. */
#define EC_ROOT_CRL_VALIDITY (365 * 86400)

struct ec_crl_entry {
	char number[EC_NUMBER_DIGITS + 1];
	int64_t revoked_at;      /* seconds since the epoch */
	int reason;              /* RFC 5280 CRLReason code (0 unspecified, 1 keyCompromise, ...) */
};

/* RFC 5280 reason name ("keyCompromise") to code; EC_ERR_ARG for an unknown name. removeFromCRL is refused. */
int ec_crl_reason_parse(const char *name);
/* Code to name; "unspecified" for unknown codes. */
const char *ec_crl_reason_name(int code);

/*
 * Sign a CRL by s listing entries[0..n) (serials = the numbers), thisUpdate = now, nextUpdate = now +
 * EC_CRL_VALIDITY, crlNumber = crl_number (callers keep it increasing), AKI = s's key. *der is malloc'd.
 */
int ec_crl_sign(const struct ec_signer *s, const struct ec_crl_entry *entries, size_t n,
    int64_t now, uint64_t crl_number, unsigned char **der, size_t *len);

/*
 * Sign the root CA's CRL of its issuing CAs with root/key: thisUpdate = now, nextUpdate = now +
 * EC_ROOT_CRL_VALIDITY, crlNumber = crl_number, AKI = the root's key, no entries (no command
 * revokes an issuing CA yet). *der is malloc'd. Signing code: never in the verifiers.
 */
int ec_crl_sign_root(X509 *root, EVP_PKEY *key, int64_t now, uint64_t crl_number, unsigned char **der, size_t *len);


/* A parsed CRL whose signature was checked against an issuing CA of a trust bundle. */
struct ec_crl;

/*
 * Parse strict DER or PEM data (exactly len bytes) and verify its signature with the issuing CA in t
 * whose key the CRL's AKI (or issuer name) names, or with a root of t whose name and key identifier
 * it carries. EC_ERR_SYNTAX unparseable or not DER, EC_ERR_SIG unknown issuer or bad signature.
 * Caller frees with ec_crl_free.
 */
int ec_crl_load(const unsigned char *data, size_t len, const struct ec_trust *t, struct ec_crl **out);
void ec_crl_free(struct ec_crl *c);

/* The KID of the issuing CA that signed c; "root" for a root CA's CRL. */
const char *ec_crl_kid(const struct ec_crl *c);
/* 1 when c is a root CA's CRL of its issuing CAs. */
int ec_crl_is_root(const struct ec_crl *c);
/*
 * 1 when c is the CRL of the root that issued CA certificate ca (same issuer name, and c's authority
 * key identifier is ca's): only that root's CRL can speak of ca, since serials are unique per issuer.
 */
int ec_crl_covers_ca(const struct ec_crl *c, X509 *ca);
/* 1 and *out filled (its number left empty) when c covers ca (ec_crl_covers_ca) and lists it, else 0. */
int ec_crl_lookup_ca(const struct ec_crl *c, X509 *ca, struct ec_crl_entry *out);

/* 0 when `at` is within [thisUpdate, nextUpdate]; EC_ERR_STALE after nextUpdate, EC_ERR_NOTYET before thisUpdate. */
int ec_crl_check_fresh(const struct ec_crl *c, int64_t at);

/* 1 and *out (optional) filled when number is listed, 0 when not; negative on failure (treat as unknown, never as not revoked). */
int ec_crl_lookup(const struct ec_crl *c, const char *number, struct ec_crl_entry *out);

#endif
