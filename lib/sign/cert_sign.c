/* Sign e-Certs: the TBSCertificate from the signer's prepared skeleton (cert_enc.c), one signature each. */
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "digest.h"
#include "ecx509.h"
#include "err.h"
#include "number.h"

/* The facts must be what the profile can carry, and s must be allowed to sign them. */
static int
check_input(const struct ec_signer *s, const struct ec_ecert *e, int64_t not_after)
{
	unsigned long bad;
	long cps;
	size_t n;

	if (s->retired)
		return ec_err_set(EC_ERR_REFUSED, "issuing CA %s is retired: it signs only its CRL", s->kid);
	if (strcmp(e->kid, s->kid) != 0)
		return ec_err_set(EC_ERR_ARG, "e-Cert names issuing CA '%s', not '%s'", e->kid, s->kid);
	if (!ec_number_valid(e->number))
		return ec_err_set(EC_ERR_ARG, "'%s' is not a certificate number", e->number);
	n = strnlen(e->name, sizeof e->name);
	cps = n < sizeof e->name ? ec_text_check(e->name, n, &bad) : -1;
	if (n == 0 || cps < 0 || cps > EC_NAME_MAX_CP)
		return ec_err_set(EC_ERR_ARG, "holder name of %s is empty, too long or not clean UTF-8", e->number);
	n = strnlen(e->code, sizeof e->code);
	if (n == 0 || n == sizeof e->code || ec_text_check(e->code, n, &bad) < 0)
		return ec_err_set(EC_ERR_ARG, "certification code of %s is empty or malformed", e->number);
	n = strnlen(e->title, sizeof e->title);
	if (n == 0 || n == sizeof e->title || ec_text_check(e->title, n, &bad) < 0)
		return ec_err_set(EC_ERR_ARG, "certification title of %s is empty or malformed", e->number);
	if (e->expires < e->effective)
		return ec_err_set(EC_ERR_ARG, "e-Cert %s would expire before it takes effect", e->number);
	if ((int64_t)e->expires * 86400 + 86399 > not_after)
		return ec_err_set(EC_ERR_REFUSED, "e-Cert %s would outlive issuing CA %s: rotate first (ecert-ca rotate)",
		    e->number, s->kid);
	return EC_OK;
}

void
ec_signer_unprepare(struct ec_signer *s)
{
	if (s == NULL || s->fast == NULL)
		return;
	EVP_PKEY_CTX_free(s->fast->pctx);
	EVP_MD_CTX_free(s->fast->mctx);
	OPENSSL_cleanse(s->fast, sizeof *s->fast);
	free(s->fast);
	s->fast = NULL;
}

/* Skeleton, notAfter and (when with_ctx) the signing contexts of s into f. */
static int
prepare(const struct ec_signer *s, struct ec_signer_fast *f, int with_ctx)
{
	int rc;

	memset(f, 0, sizeof *f);
	if (s == NULL || s->cert == NULL || s->key == NULL || s->placeholder == NULL)
		return ec_err_set(EC_ERR_ARG, "no issuing CA to sign with");
	if ((rc = ec_asn1_time_get(X509_get0_notAfter(s->cert), &f->not_after)) != EC_OK ||
	    (rc = ec_skel_make(s->cert, s->placeholder, s->crl_url, &f->skel)) != EC_OK)
		return rc;
	if (!with_ctx)
		return EC_OK;
	if (s->alg == EC_ALG_ED25519) {
		if ((f->mctx = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestSignInit(f->mctx, NULL, NULL, NULL, s->key) != 1)
			rc = ec_err_set(EC_ERR_CRYPTO, "cannot set up signing with issuing CA '%s'", s->kid);
	} else if ((f->pctx = EVP_PKEY_CTX_new(s->key, NULL)) == NULL || EVP_PKEY_sign_init(f->pctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(f->pctx, EVP_sha256()) != 1) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot set up signing with issuing CA '%s'", s->kid);
	}
	ERR_clear_error();
	return rc;
}

int
ec_signer_prepare(struct ec_signer *s)
{
	struct ec_signer_fast *f;
	int rc;

	if (s == NULL)
		return ec_err_set(EC_ERR_ARG, "no issuing CA to sign with");
	ec_signer_unprepare(s);
	if ((f = malloc(sizeof *f)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	s->fast = f;
	if ((rc = prepare(s, f, 1)) != EC_OK)
		ec_signer_unprepare(s);
	return rc;
}

/*
 * P-256 signs the SHA-256 digest through the prepared EVP_PKEY_CTX (what `openssl speed` measures);
 * Ed25519 (PureEdDSA, no prehash) copies the prepared DigestSign context. Unprepared: one-shot.
 */
int
ec_signer_sign(const struct ec_signer *s, const unsigned char *msg, size_t n, unsigned char *sig, size_t *siglen)
{
	unsigned char md[EC_SHA256_LEN];
	EVP_MD_CTX *c = NULL;
	int ok;

	if (s->fast != NULL && s->fast->pctx != NULL) {
		ok = ec_sha256(msg, n, md) == EC_OK && EVP_PKEY_sign(s->fast->pctx, sig, siglen, md, sizeof md) == 1;
	} else {
		ok = (c = EVP_MD_CTX_new()) != NULL &&
		    (s->fast != NULL && s->fast->mctx != NULL ? EVP_MD_CTX_copy_ex(c, s->fast->mctx) :
		    EVP_DigestSignInit(c, NULL, s->alg == EC_ALG_ED25519 ? NULL : EVP_sha256(), NULL, s->key)) == 1 &&
		    EVP_DigestSign(c, sig, siglen, msg, n) == 1;
	}
	EVP_MD_CTX_free(c);
	OPENSSL_cleanse(md, sizeof md);
	if (!ok) {
		ERR_clear_error();
		return ec_err_set(EC_ERR_CRYPTO, "signing with issuing CA '%s' failed", s->kid);
	}
	return EC_OK;
}

int
ec_ecert_sign(const struct ec_signer *s, const struct ec_ecert *e, unsigned char **der, size_t *len)
{
	struct ec_signer_fast *tmp = NULL;
	const struct ec_signer_fast *f;
	unsigned char tbs[EC_FAST_DER_MAX], out[EC_FAST_DER_MAX], sig[80];
	size_t tbslen, siglen = sizeof sig, n;
	int rc;

	*der = NULL;
	*len = 0;
	if (s == NULL || s->cert == NULL || s->key == NULL || s->placeholder == NULL)
		return ec_err_set(EC_ERR_ARG, "no issuing CA to sign with");
	if ((f = s->fast) == NULL) {
		if ((tmp = malloc(sizeof *tmp)) == NULL)
			return ec_err_set(EC_ERR_NOMEM, "out of memory");
		if ((rc = prepare(s, tmp, 0)) != EC_OK)
			goto out;
		f = tmp;
	}
	if ((rc = check_input(s, e, f->not_after)) != EC_OK ||
	    (rc = ec_tbs_encode(&f->skel, e, tbs, sizeof tbs, &tbslen)) != EC_OK ||
	    (rc = ec_signer_sign(s, tbs, tbslen, sig, &siglen)) != EC_OK ||
	    (rc = ec_cert_encode(&f->skel, tbs, tbslen, sig, siglen, out, sizeof out, &n)) != EC_OK)
		goto out;
	if ((*der = malloc(n)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*der, out, n);
	*len = n;
out:
	free(tmp);
	return rc;
}
