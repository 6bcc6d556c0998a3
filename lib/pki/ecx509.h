/* Library-internal X.509 pieces shared by the signing (cacert.c, cert_sign.c, ca.c) and verifying (cert_parse.c, trust.c) modules. */
#ifndef EC_ECX509_H
#define EC_ECX509_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "types.h"
#include "utf8.h"

struct ec_signer_fast;

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
	struct ec_signer_fast *fast; /* prepared state (ec_signer_prepare); NULL: set up per signature */
};

/*
 * Prepare s for fast signing: the e-Cert skeleton and the signing contexts, built once and owned by s
 * (ec_signer_free releases them; ec_signer_unprepare releases only them). ec_ca_signer_load() calls it.
 * A signer built by hand and never prepared still signs, setting everything up per call.
 */
int ec_signer_prepare(struct ec_signer *s);
void ec_signer_unprepare(struct ec_signer *s);


#define EC_SKI_LEN 20            /* key identifiers: the leftmost 160 bits of SHA-256(DER SPKI) */
#define EC_ROOT_YEARS 30
/*
 * Validity of an issuing CA: the longest certification validity (the catalogue allows 10 years at
 * most) plus 5 years, so an e-Cert issued on the CA's last day of use still ends inside it.
 */
#define EC_ISSUING_YEARS 15

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

/* The key identifier (SKI/AKI keyid) of a public key (kid.c). */
int ec_ski_of_pkey(EVP_PKEY *pkey, unsigned char ski[EC_SKI_LEN]);

/*
 * A non-negative INTEGER serial as 22 decimal digits, zero-padded, check digits not tested
 * (cert_parse.c). EC_ERR_SYNTAX when it is not an INTEGER, negative or longer; EC_ERR_NOMEM.
 */
int ec_serial_digits(const ASN1_INTEGER *serial, char out[EC_NUMBER_DIGITS + 1]);

/* An ASN.1 time as seconds since the epoch; EC_ERR_SYNTAX when it is not a valid time (cert_parse.c). */
int ec_asn1_time_get(const ASN1_TIME *t, int64_t *out);

/*
 * Self-signed root CA for org over key, valid from not_before for EC_ROOT_YEARS. *out owned by the
 * caller (X509_free). Signing code: cacert.c.
 */
int ec_cacert_root(EVP_PKEY *key, const char *org, int64_t not_before, X509 **out);

/*
 * Issuing CA over pub, signed by root/root_key, valid from not_before for EC_ISSUING_YEARS but never
 * past the root's notAfter. kid names it in the CN; crl_url (the root CRL's address) is its CRL
 * distribution point. *out owned by the caller (X509_free).
 */
int ec_cacert_issuing(X509 *root, EVP_PKEY *root_key, EVP_PKEY *pub, const char *org,
    const char *kid, const char *crl_url, int64_t not_before, X509 **out);

/* The digest to sign with for key: SHA-256 for P-256, NULL for Ed25519; EC_ERR_UNSUPPORTED otherwise (cacert.c). */
int ec_sign_md(EVP_PKEY *key, const EVP_MD **md);

/*
 * The parts of every e-Cert one issuing CA signs that never vary (cert_enc.c, no signing code): the
 * signature AlgorithmIdentifier, the issuer Name, the placeholder SubjectPublicKeyInfo and the
 * basicConstraints, AKI and CRL distribution point extensions, each one DER element, concatenated in
 * that order in buf[0..len) (the serialised form the register keeps). Plain value type.
 */
#define EC_SKEL_MAX 1536
struct ec_skel {
	unsigned char buf[EC_SKEL_MAX];
	size_t len;
	size_t alg, alglen, issuer, issuerlen, spki, spkilen, exts, extslen;   /* offsets into buf */
	int sig_nid;                        /* NID_ecdsa_with_SHA256 or NID_ED25519 */
};

/* The skeleton of issuing CA ca with its placeholder key and CRL URL (printable ASCII). */
int ec_skel_make(X509 *ca, EVP_PKEY *placeholder, const char *crl_url, struct ec_skel *k);
/*
 * The first CN of the skeleton's issuer name, its string bytes as they are (what
 * X509_NAME_get_text_by_NID gives), into out[size]; -1 when there is none or it does not fit.
 */
int ec_skel_issuer_cn(const struct ec_skel *k, char *out, size_t size);
/* Index a serialised skeleton p[0..n) (p may be k->buf); EC_ERR_CORRUPT when malformed. */
int ec_skel_load(const unsigned char *p, size_t n, struct ec_skel *k);

/*
 * The TBSCertificate of e under skeleton k, written by hand exactly as OpenSSL's X509 API writes the
 * profile (tests/unit/pki/test_x509.c pins the two together), into out[0..size); *len gets its length.
 * e's text fields must be NUL-terminated (the signer checks them). EC_ERR_ARG for a format or a date
 * that cannot be encoded, EC_ERR_TOOBIG when out is too small.
 */
int ec_tbs_encode(const struct ec_skel *k, const struct ec_ecert *e, unsigned char *out, size_t size, size_t *len);
/* The Certificate: SEQUENCE { tbs, k's algorithm, BIT STRING sig } into out[0..size). */
int ec_cert_encode(const struct ec_skel *k, const unsigned char *tbs, size_t tbslen, const unsigned char *sig,
    size_t siglen, unsigned char *out, size_t size, size_t *len);
/*
 * Split an e-Cert shaped DER into its skeleton (copied into *k), the TBS span and the signature bytes
 * (both pointing into der); -1 when der does not have the shape (no checks beyond it).
 */
int ec_cert_split(const unsigned char *der, size_t len, struct ec_skel *k, const unsigned char **tbs,
    size_t *tbslen, const unsigned char **sig, size_t *siglen);

#define EC_FAST_DER_MAX 4096
/* What ec_ecert_read() found besides the facts; tbs and sig point into the caller's DER. */
struct ec_ecert_fast {
	struct ec_skel skel;
	const unsigned char *tbs, *sig;
	size_t tbslen, siglen;
	unsigned char aki[EC_SKI_LEN];
};

/*
 * The fast reader of an e-Cert: 0 and out filled only when der is byte for byte what ec_tbs_encode()
 * and ec_cert_encode() write for the facts it carries under a skeleton of cert_sign.c's shape (known
 * algorithm, CA:FALSE, key-identifier AKI, one CRL URI) and every text field is clean; -1 otherwise,
 * without a detail: the caller then runs the full parser (ec_ecert_decode), which also explains.
 */
int ec_ecert_read(const unsigned char *der, size_t len, struct ec_ecert *out, struct ec_ecert_fast *f);

/*
 * A signer's prepared state (cert_sign.c): its skeleton and signing contexts set up once, so that a
 * signature costs the signature. Owned by the signer (ec_signer_prepare / ec_signer_free).
 */
struct ec_signer_fast {
	struct ec_skel skel;
	EVP_PKEY_CTX *pctx;                 /* P-256: EVP_PKEY_sign over the SHA-256 digest */
	EVP_MD_CTX *mctx;                   /* Ed25519: an initialised DigestSign context, copied per use */
	int64_t not_after;                  /* the issuing CA's notAfter */
};

/*
 * Sign msg[0..n) with s (prepared or not): P-256 writes the DER ECDSA-Sig-Value (at most 72 bytes),
 * Ed25519 64 bytes, into sig[0..*siglen) (*siglen: its size on entry). Signing code: cert_sign.c.
 */
int ec_signer_sign(const struct ec_signer *s, const unsigned char *msg, size_t n, unsigned char *sig,
    size_t *siglen);

#endif
