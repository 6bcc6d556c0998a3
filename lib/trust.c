/* Trust bundles: roots and issuing CAs checked once at load, then e-Cert signatures looked up by KID. */
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "conf.h"
#include "ecx509.h"
#include "err.h"
#include "pki.h"

#define TRUST_MAX_BYTES (1024 * 1024)
#define TRUST_MAX_CERTS 1000

struct issuer {
	X509 *cert;
	char kid[EC_KID_LEN + 1];
	unsigned char ski[EC_SKI_LEN];
	int64_t not_before, not_after;
};

struct ec_trust {
	X509 **roots;
	size_t nroots;
	struct issuer *iss;
	size_t niss;
};

void
ec_trust_free(struct ec_trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nroots; i++)
		X509_free(t->roots[i]);
	for (i = 0; i < t->niss; i++)
		X509_free(t->iss[i].cert);
	free(t->roots);
	free(t->iss);
	free(t);
}

/* Self-signed CA whose own key verifies its signature. */
static int
is_root(X509 *x)
{
	return X509_check_issued(x, x) == X509_V_OK && X509_verify(x, X509_get0_pubkey(x)) == 1;
}

/* Add the issuing CA x (owned by t on success) after checking it chains to one of t's roots. */
static int
add_issuer(struct ec_trust *t, X509 *x, const char *name)
{
	struct issuer *is;
	char buf[256];
	size_t i;
	int rc;

	for (i = 0; i < t->nroots; i++)
		if (X509_check_issued(t->roots[i], x) == X509_V_OK && X509_verify(x, X509_get0_pubkey(t->roots[i])) == 1)
			break;
	if (i == t->nroots) {
		X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
		return ec_err_set(EC_ERR_SIG, "%s: issuing CA '%s' is not signed by a root CA in it", name, buf);
	}
	is = &t->iss[t->niss];
	memset(is, 0, sizeof *is);
	if ((rc = ec_kid_of(x, is->kid)) != EC_OK || (rc = ec_ski_of_pkey(X509_get0_pubkey(x), is->ski)) != EC_OK)
		return rc;
	if (ec_asn1_time_get(X509_get0_notBefore(x), &is->not_before) != EC_OK ||
	    ec_asn1_time_get(X509_get0_notAfter(x), &is->not_after) != EC_OK)
		return ec_err_set(EC_ERR_SYNTAX, "%s: issuing CA %s has a malformed validity", name, is->kid);
	for (i = 0; i < t->niss; i++)
		if (strcmp(t->iss[i].kid, is->kid) == 0)
			return EC_ERR_EXISTS;   /* the same CA twice: keep the first */
	is->cert = x;
	t->niss++;
	return EC_OK;
}

/* Every certificate of the PEM text into *out (caller frees); text outside PEM blocks is ignored. */
static int
read_all(const char *pem, size_t len, const char *name, STACK_OF(X509) **out)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *bio = NULL;
	X509 *x;
	unsigned long e;
	int rc = EC_OK;

	*out = NULL;
	if (sk == NULL || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	ERR_clear_error();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_num(sk) >= TRUST_MAX_CERTS || !sk_X509_push(sk, x)) {
			X509_free(x);
			rc = ec_err_set(EC_ERR_TOOBIG, "%s: too many certificates", name);
			goto out;
		}
	}
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
		rc = ec_err_set(EC_ERR_SYNTAX, "%s: malformed certificate (certificate %d)", name, sk_X509_num(sk) + 1);
		goto out;
	}
	if (sk_X509_num(sk) == 0) {
		rc = ec_err_set(EC_ERR_SYNTAX, "%s: no certificate in it", name);
		goto out;
	}
	*out = sk;
	sk = NULL;
out:
	ERR_clear_error();
	BIO_free(bio);
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

static int
load(const char *pem, size_t len, const char *name, struct ec_trust **out)
{
	STACK_OF(X509) *sk = NULL;
	struct ec_trust *t = NULL;
	X509 *x;
	int i, n, rc;

	*out = NULL;
	if (len > TRUST_MAX_BYTES)
		return ec_err_set(EC_ERR_TOOBIG, "%s: larger than %d bytes", name, TRUST_MAX_BYTES);
	if ((rc = read_all(pem, len, name, &sk)) != EC_OK)
		return rc;
	n = sk_X509_num(sk);
	if ((t = calloc(1, sizeof *t)) == NULL || (t->roots = calloc((size_t)n, sizeof *t->roots)) == NULL ||
	    (t->iss = calloc((size_t)n, sizeof *t->iss)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* Cache every certificate's extensions now: afterwards threads only read them. */
	for (i = 0; i < n; i++) {
		x = sk_X509_value(sk, i);
		if (X509_check_purpose(x, -1, 0) != 1 || X509_check_ca(x) == 0 ||
		    (X509_get_extension_flags(x) & EXFLAG_INVALID)) {
			rc = ec_err_set(EC_ERR_SYNTAX, "%s: certificate %d is not a valid CA certificate", name, i + 1);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		x = sk_X509_value(sk, i);
		if (is_root(x)) {
			t->roots[t->nroots++] = x;
			sk_X509_set(sk, i, NULL);
		}
	}
	if (t->nroots == 0) {
		rc = ec_err_set(EC_ERR_SYNTAX, "%s: no root CA in it", name);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((x = sk_X509_value(sk, i)) == NULL)
			continue;
		rc = add_issuer(t, x, name);
		if (rc == EC_OK)
			sk_X509_set(sk, i, NULL);
		else if (rc != EC_ERR_EXISTS)
			goto out;
	}
	rc = EC_OK;
	*out = t;
	t = NULL;
out:
	ERR_clear_error();
	sk_X509_pop_free(sk, X509_free);
	ec_trust_free(t);
	return rc;
}

int
ec_trust_load_mem(const char *pem, size_t len, struct ec_trust **out)
{
	return load(pem, len, "trust bundle", out);
}

int
ec_trust_load(const char *path, struct ec_trust **out)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if ((rc = ec_file_read(path, TRUST_MAX_BYTES, &text, &len)) != EC_OK)
		return rc;
	rc = load(text, len, path, out);
	free(text);
	return rc;
}

static const struct issuer *
find(const struct ec_trust *t, const char *kid)
{
	size_t i;

	if (t == NULL || kid == NULL)
		return NULL;
	for (i = 0; i < t->niss; i++)
		if (strcmp(t->iss[i].kid, kid) == 0)
			return &t->iss[i];
	return NULL;
}

X509 *
ec_trust_issuer(const struct ec_trust *t, const char *kid)
{
	const struct issuer *is = find(t, kid);

	return is != NULL ? is->cert : NULL;
}

/* The issuing CA that signed a certificate naming issuer with this AKI key identifier (NULL aki: by name). */
static const struct issuer *
find_signer(const struct ec_trust *t, const unsigned char *aki, const X509_NAME *issuer)
{
	size_t i;

	for (i = 0; t != NULL && i < t->niss; i++) {
		if (aki != NULL && memcmp(aki, t->iss[i].ski, EC_SKI_LEN) != 0)
			continue;
		if (X509_NAME_cmp(issuer, X509_get_subject_name(t->iss[i].cert)) == 0)
			return &t->iss[i];
	}
	return NULL;
}

int
ec_trust_check_signature(const struct ec_trust *t, X509 *cert, struct ec_ecert *out)
{
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(cert);
	const struct issuer *is;
	int ok;

	if (aki != NULL && ASN1_STRING_length(aki) != EC_SKI_LEN)
		return ec_err_set(EC_ERR_SIG, "unknown issuer: no issuing CA in the trust bundle signed it");
	is = find_signer(t, aki != NULL ? ASN1_STRING_get0_data(aki) : NULL, X509_get_issuer_name(cert));
	if (is == NULL)
		return ec_err_set(EC_ERR_SIG, "unknown issuer: no issuing CA in the trust bundle signed it");
	ok = X509_verify(cert, X509_get0_pubkey(is->cert)) == 1;
	ERR_clear_error();
	if (!ok)
		return ec_err_set(EC_ERR_SIG, "signature does not verify with issuing CA %s", is->kid);
	if (out != NULL)
		memcpy(out->kid, is->kid, sizeof out->kid);
	return EC_OK;
}

int
ec_ecert_verify(const struct ec_trust *t, const unsigned char *der, size_t len, struct ec_ecert *out)
{
	struct ec_ecert_raw raw;
	const struct issuer *is;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *pub;
	int rc, ed;

	if ((rc = ec_ecert_decode(der, len, out, &raw)) != EC_OK)
		return rc;
	if ((is = find_signer(t, raw.aki, raw.issuer)) == NULL) {
		rc = ec_err_set(EC_ERR_SIG, "unknown issuer: no issuing CA in the trust bundle signed it");
		goto out;
	}
	pub = X509_get0_pubkey(is->cert);
	ed = EVP_PKEY_get_base_id(pub) == EVP_PKEY_ED25519;
	if (ed != (raw.sig_nid == NID_ED25519) || (ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, ed ? NULL : "SHA256", NULL, NULL, pub, NULL) != 1 ||
	    EVP_DigestVerify(ctx, raw.sig, raw.siglen, raw.tbs, raw.tbslen) != 1) {
		rc = ec_err_set(EC_ERR_SIG, "signature does not verify with issuing CA %s", is->kid);
		goto out;
	}
	memcpy(out->kid, is->kid, sizeof out->kid);
out:
	if (rc != EC_OK)
		memset(out, 0, sizeof *out);
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	ec_ecert_raw_free(&raw);
	return rc;
}

int
ec_trust_check_issuer_time(const struct ec_trust *t, const char *kid, int64_t issued_at)
{
	const struct issuer *is = find(t, kid);

	if (is == NULL)
		return ec_err_set(EC_ERR_SIG, "unknown issuing CA '%s'", kid != NULL ? kid : "");
	if (issued_at < is->not_before || issued_at > is->not_after)
		return ec_err_set(EC_ERR_SIG, "issued outside the validity of issuing CA %s", is->kid);
	return EC_OK;
}
