/* Test-only PKI builder: root + issuing CA certificates of our profile, signed with plain OpenSSL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ecx509.h"
#include "helper_pki.h"
#include "signer.h"

static EVP_PKEY *
keygen(enum ec_alg alg)
{
	return alg == EC_ALG_ED25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519") :
	    EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static int
ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = e != NULL && X509_add_ext(cert, e, -1);

	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* A CA certificate for pub named cn/org, signed by issuer/ikey (itself when issuer is NULL). */
static X509 *
make_ca(EVP_PKEY *pub, const char *cn, const char *org, X509 *issuer, EVP_PKEY *ikey)
{
	unsigned char ski[EC_SKI_LEN], rnd[15];
	ASN1_OCTET_STRING *os = NULL;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	X509_NAME *name;
	X509V3_CTX ctx;
	X509 *c = X509_new();
	int ok = 0;

	if (c == NULL || !X509_set_version(c, 2) || RAND_bytes(rnd, sizeof rnd) != 1)
		goto out;
	rnd[0] &= 0x7f;
	if ((bn = BN_bin2bn(rnd, sizeof rnd, NULL)) == NULL || (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !X509_set_serialNumber(c, serial))
		goto out;
	name = X509_get_subject_name(c);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0) ||
	    !X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name))
		goto out;
	if (!X509_gmtime_adj(X509_getm_notBefore(c), -86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(c), 20L * 365 * 86400) || !X509_set_pubkey(c, pub))
		goto out;
	if (ec_ski_of_pkey(pub, ski) != 0 || (os = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(os, ski, sizeof ski) ||
	    X509_add1_ext_i2d(c, NID_subject_key_identifier, os, 0, 0) != 1)
		goto out;
	X509V3_set_ctx(&ctx, issuer ? issuer : c, c, NULL, NULL, 0);
	if (ext(c, &ctx, NID_basic_constraints, issuer ? "critical,CA:TRUE,pathlen:0" : "critical,CA:TRUE") ||
	    ext(c, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    ext(c, &ctx, NID_authority_key_identifier, "keyid:always"))
		goto out;
	if (X509_sign(c, ikey, EVP_PKEY_is_a(ikey, "ED25519") ? NULL : EVP_sha256()) <= 0)
		goto out;
	ok = 1;
out:
	ASN1_OCTET_STRING_free(os);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	if (!ok) {
		X509_free(c);
		c = NULL;
	}
	return c;
}

/* The public half only, as an e-Cert's placeholder subject key is. */
static EVP_PKEY *
public_only(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	EVP_PKEY *pub = NULL;
	int n = i2d_PUBKEY(k, &der);

	if (n > 0) {
		p = der;
		pub = d2i_PUBKEY(NULL, &p, n);
	}
	OPENSSL_free(der);
	return pub;
}

int
helper_ca_make(struct helper_ca *ca, enum ec_alg alg, const char *org)
{
	char cn[128];
	EVP_PKEY *ph = NULL;
	int rc = -1;

	memset(ca, 0, sizeof *ca);
	ca->s.alg = alg;
	snprintf(cn, sizeof cn, "%s Root CA", org);
	if ((ca->root_key = keygen(alg)) == NULL ||
	    (ca->root = make_ca(ca->root_key, cn, org, NULL, ca->root_key)) == NULL ||
	    (ca->s.key = keygen(alg)) == NULL || ec_kid_of_pkey(ca->s.key, ca->s.kid) != 0)
		goto out;
	snprintf(cn, sizeof cn, "%s Issuing CA %s", org, ca->s.kid);
	if ((ca->s.cert = make_ca(ca->s.key, cn, org, ca->root, ca->root_key)) == NULL ||
	    (ph = keygen(alg)) == NULL || (ca->s.placeholder = public_only(ph)) == NULL)
		goto out;
	snprintf(ca->s.public_url, sizeof ca->s.public_url, "https://verify.example.org");
	snprintf(ca->s.crl_url, sizeof ca->s.crl_url, "https://verify.example.org/crl/%s.crl", ca->s.kid);
	rc = 0;
out:
	EVP_PKEY_free(ph);
	if (rc)
		helper_ca_free(ca);
	return rc;
}

void
helper_ca_free(struct helper_ca *ca)
{
	X509_free(ca->root);
	EVP_PKEY_free(ca->root_key);
	X509_free(ca->s.cert);
	EVP_PKEY_free(ca->s.key);
	EVP_PKEY_free(ca->s.placeholder);
	memset(ca, 0, sizeof *ca);
}

char *
helper_ca_trust_pem(struct helper_ca *const *cas, size_t n, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long dl;
	size_t i;

	if (b == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (!PEM_write_bio_X509(b, cas[i]->root))
			goto out;
	for (i = 0; i < n; i++)
		if (!PEM_write_bio_X509(b, cas[i]->s.cert))
			goto out;
	dl = BIO_get_mem_data(b, &data);
	if (dl <= 0 || (out = malloc((size_t)dl + 1)) == NULL)
		goto out;
	memcpy(out, data, (size_t)dl);
	out[dl] = '\0';
	*len = (size_t)dl;
out:
	BIO_free(b);
	return out;
}

int
helper_ca_trio_make(struct helper_ca *p256, struct helper_ca *ed, struct helper_ca *other,
    struct ec_trust **trust)
{
	struct helper_ca *both[2] = { p256, ed };
	char *pem;
	size_t len;
	int rc;

	if (helper_ca_make(p256, EC_ALG_P256, "Example Cert Body") ||
	    helper_ca_make(ed, EC_ALG_ED25519, "Example Cert Body") ||
	    helper_ca_make(other, EC_ALG_P256, "Example Cert Body"))
		return -1;
	if ((pem = helper_ca_trust_pem(both, 2, &len)) == NULL)
		return -1;
	rc = ec_trust_load_mem(pem, len, trust);
	free(pem);
	return rc ? -1 : 0;
}

void
helper_ca_trio_free(struct helper_ca *p256, struct helper_ca *ed, struct helper_ca *other,
    struct ec_trust *trust)
{
	ec_trust_free(trust);
	helper_ca_free(p256);
	helper_ca_free(ed);
	helper_ca_free(other);
}

int
helper_trio_setup(void **state)
{
	struct helper_trio *f = calloc(1, sizeof *f);

	if (f == NULL || helper_ca_trio_make(&f->p256, &f->ed, &f->other, &f->trust)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int
helper_trio_teardown(void **state)
{
	struct helper_trio *f = *state;

	helper_ca_trio_free(&f->p256, &f->ed, &f->other, f->trust);
	free(f);
	return 0;
}
