/* Library-internal X.509 pieces shared by the signing (cacert.c, cert_sign.c, ca.c) and verifying (cert_parse.c, trust.c) modules. */
#ifndef EC_ECX509_H
#define EC_ECX509_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "types.h"

#define EC_ECERT_VERSION 1
#define EC_SKI_LEN 20            /* key identifiers: the leftmost 160 bits of SHA-256(DER SPKI) */
#define EC_ROOT_YEARS 30
/*
 * Validity of an issuing CA: the longest certification validity (the catalogue allows 10 years at
 * most) plus 5 years, so an e-Cert issued on the CA's last day of use still ends inside it.
 */
#define EC_ISSUING_YEARS 15
#define EC_ORG_MAX_CP 41         /* "<org> Issuing CA <KID>" must fit the 64-character CN bound */

/*
 * The ecert extension (DESIGN.md): SEQUENCE { version INTEGER (1), code UTF8String, title UTF8String,
 * format ENUMERATED, issuedAt GeneralizedTime, renewalOf [0] IMPLICIT PrintableString OPTIONAL }.
 * The ASN.1 item lives in cert_parse.c so the verifiers carry it without any signing code.
 */
typedef struct ec_ecert_info_st {
	ASN1_INTEGER *version;
	ASN1_UTF8STRING *code;
	ASN1_UTF8STRING *title;
	ASN1_ENUMERATED *format;
	ASN1_GENERALIZEDTIME *issued_at;
	ASN1_PRINTABLESTRING *renewal_of;
} EC_ECERT_INFO;

DECLARE_ASN1_FUNCTIONS(EC_ECERT_INFO)

/*
 * An e-Cert decoded by ec_ecert_decode() (cert_parse.c) without building an X509: tbs (the signed
 * bytes) points into the caller's DER, which must outlive this; sig and issuer point into obj.
 * Free with ec_ecert_raw_free().
 */
struct ec_ecert_raw {
	void *obj;
	const unsigned char *tbs, *sig;
	size_t tbslen, siglen;
	int sig_nid;                        /* NID_ecdsa_with_SHA256 or NID_ED25519 */
	const X509_NAME *issuer;
	unsigned char aki[EC_SKI_LEN];
};

/* ec_ecert_parse() without the X509: everything checked but the signature. */
int ec_ecert_decode(const unsigned char *der, size_t len, struct ec_ecert *out, struct ec_ecert_raw *raw);
void ec_ecert_raw_free(struct ec_ecert_raw *raw);

/* The NID of EC_ECERT_OID, registered once per process (short name "ecertInfo"); 0 if registration failed. */
int ec_ecert_nid(void);

#define EC_TEXT_BAD_UTF8 0xffffffffUL
/*
 * Code points in the UTF-8 text s[0..len), or -1 when it is not shortest-form UTF-8 (*bad =
 * EC_TEXT_BAD_UTF8) or holds a control, line-separator or bidirectional-override code point (*bad =
 * that code point). Used for every text field read from a certificate or a configuration (cert_parse.c).
 */
long ec_text_check(const char *s, size_t len, unsigned long *bad);

/* The key identifier (SKI/AKI keyid) of a public key (kid.c). */
int ec_ski_of_pkey(EVP_PKEY *pkey, unsigned char ski[EC_SKI_LEN]);

/* An ASN.1 time as seconds since the epoch; EC_ERR_SYNTAX when it is not a valid time (cert_parse.c). */
int ec_asn1_time_get(const ASN1_TIME *t, int64_t *out);

/*
 * Self-signed root CA for org over key, valid from not_before for EC_ROOT_YEARS. *out owned by the
 * caller (X509_free). Signing code: cacert.c.
 */
int ec_cacert_root(EVP_PKEY *key, const char *org, int64_t not_before, X509 **out);

/*
 * Issuing CA over pub, signed by root/root_key, valid from not_before for EC_ISSUING_YEARS but never
 * past the root's notAfter. kid names it in the CN. *out owned by the caller (X509_free).
 */
int ec_cacert_issuing(X509 *root, EVP_PKEY *root_key, EVP_PKEY *pub, const char *org,
    const char *kid, int64_t not_before, X509 **out);

/* The digest to sign with for key: SHA-256 for P-256, NULL for Ed25519; EC_ERR_UNSUPPORTED otherwise (cacert.c). */
int ec_sign_md(EVP_PKEY *key, const EVP_MD **md);

#endif
