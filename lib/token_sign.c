/* QR token signing: a compact JWS (ES256 raw r||s, or EdDSA) by the issuing CA over the e-Cert's key facts. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "token.h"

#define SIG_LEN 64

/* Sign tbs with s->key into raw[64]: ES256 turns OpenSSL's DER ECDSA-Sig-Value into fixed-width r||s. */
static int
sign_raw(const struct ec_signer *s, const unsigned char *tbs, size_t n, unsigned char raw[SIG_LEN])
{
	EVP_MD_CTX *ctx = NULL;
	ECDSA_SIG *es = NULL;
	unsigned char der[80];
	const unsigned char *p = der;
	const BIGNUM *r, *sv;
	size_t dlen = sizeof der;
	int rc = EC_ERR_CRYPTO;

	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSignInit(ctx, NULL, s->alg == EC_ALG_P256 ? EVP_sha256() : NULL, NULL, s->key) != 1) {
		ec_err_set(rc, "token: cannot set up signing with issuing CA '%s'", s->kid);
		goto out;
	}
	if (s->alg == EC_ALG_ED25519) {
		dlen = SIG_LEN;
		if (EVP_DigestSign(ctx, raw, &dlen, tbs, n) != 1 || dlen != SIG_LEN) {
			ec_err_set(rc, "token: signing failed");
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (EVP_DigestSign(ctx, der, &dlen, tbs, n) != 1 ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) == NULL) {
		ec_err_set(rc, "token: signing failed");
		goto out;
	}
	ECDSA_SIG_get0(es, &r, &sv);
	if (BN_bn2binpad(r, raw, SIG_LEN / 2) != SIG_LEN / 2 ||
	    BN_bn2binpad(sv, raw + SIG_LEN / 2, SIG_LEN / 2) != SIG_LEN / 2) {
		ec_err_set(rc, "token: signature does not fit 64 bytes");
		goto out;
	}
	rc = 0;
out:
	if (rc)
		ERR_clear_error();
	ECDSA_SIG_free(es);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
ec_token_sign(const struct ec_signer *s, const struct ec_ecert *e, char out[EC_TOKEN_MAX + 1])
{
	char hdr[EC_TOKEN_HEADER_LEN + 1], enc[EC_TOKEN_MAX + 1];
	unsigned char raw[SIG_LEN];
	struct ec_buf pl, tok;
	int rc;

	ec_buf_init(&pl);
	ec_buf_init(&tok);
	out[0] = '\0';
	if (s == NULL || s->key == NULL || e == NULL) {
		rc = ec_err_set(EC_ERR_ARG, "token: no signer or no e-Cert");
		goto out;
	}
	if (s->retired) {
		rc = ec_err_set(EC_ERR_REFUSED, "token: issuing CA '%s' is retired and signs only its CRL", s->kid);
		goto out;
	}
	if (strcmp(e->kid, s->kid) != 0) {
		rc = ec_err_set(EC_ERR_ARG, "token: e-Cert names issuing CA '%s', signer is '%s'", e->kid, s->kid);
		goto out;
	}
	if ((rc = ec_token_header(s->alg, s->kid, hdr)))
		goto out;
	if ((rc = ec_token_payload(e, &pl)))
		goto out;
	if (ec_b64url_len(EC_TOKEN_HEADER_LEN) + 1 + ec_b64url_len(pl.len) + 1 + ec_b64url_len(SIG_LEN) >
	    EC_TOKEN_MAX) {
		rc = ec_err_set(EC_ERR_TOOBIG, "token: longer than %d characters", EC_TOKEN_MAX);
		goto out;
	}
	ec_b64url_encode((const unsigned char *)hdr, EC_TOKEN_HEADER_LEN, enc, sizeof enc);
	ec_buf_adds(&tok, enc);
	ec_buf_addc(&tok, '.');
	ec_b64url_encode((const unsigned char *)pl.p, pl.len, enc, sizeof enc);
	if ((rc = ec_buf_adds(&tok, enc)))
		goto out;
	if ((rc = sign_raw(s, (const unsigned char *)tok.p, tok.len, raw)))
		goto out;
	ec_b64url_encode(raw, SIG_LEN, enc, sizeof enc);
	ec_buf_addc(&tok, '.');
	if ((rc = ec_buf_adds(&tok, enc)))
		goto out;
	memcpy(out, tok.p, tok.len + 1);
out:
	ec_buf_free(&pl);
	ec_buf_free(&tok);
	return rc;
}
