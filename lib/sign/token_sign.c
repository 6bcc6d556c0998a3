/* QR token signing: a compact JWS (ES256 raw r||s, or EdDSA) by the issuing CA over the e-Cert's key facts. */
#include <string.h>

#include "b64.h"
#include "ecx509.h"
#include "err.h"
#include "token.h"

#define SIG_LEN EC_TOKEN_SIG_LEN

/* One DER INTEGER of an ECDSA-Sig-Value at *p, as a 32-byte big-endian field element into out. */
static int
sig_int(const unsigned char **p, const unsigned char *end, unsigned char out[SIG_LEN / 2])
{
	const unsigned char *q = *p;
	size_t n;

	if (end - q < 2 || q[0] != 0x02 || (n = q[1]) == 0 || n > 33 || (size_t)(end - q - 2) < n)
		return -1;
	q += 2;
	*p = q + n;
	while (n > SIG_LEN / 2) {
		if (*q != 0)
			return -1;
		q++;
		n--;
	}
	memset(out, 0, SIG_LEN / 2 - n);
	memcpy(out + SIG_LEN / 2 - n, q, n);
	return 0;
}

/* Sign tbs with s into raw[64]: ES256 turns OpenSSL's DER ECDSA-Sig-Value into fixed-width r||s. */
static int
sign_raw(const struct ec_signer *s, const unsigned char *tbs, size_t n, unsigned char raw[SIG_LEN])
{
	unsigned char der[80];
	const unsigned char *p = der, *end;
	size_t dlen = sizeof der;
	int rc;

	if ((rc = ec_signer_sign(s, tbs, n, der, &dlen)) != EC_OK)
		return rc;
	if (s->alg == EC_ALG_ED25519) {
		if (dlen != SIG_LEN)
			return ec_err_set(EC_ERR_CRYPTO, "token: signing failed");
		memcpy(raw, der, SIG_LEN);
		return EC_OK;
	}
	/* SEQUENCE { INTEGER r, INTEGER s }, short-form lengths only (at most 72 bytes in all). */
	end = der + dlen;
	if (dlen < 8 || der[0] != 0x30 || der[1] != dlen - 2)
		return ec_err_set(EC_ERR_CRYPTO, "token: signature does not fit 64 bytes");
	p = der + 2;
	if (sig_int(&p, end, raw) != 0 || sig_int(&p, end, raw + SIG_LEN / 2) != 0 || p != end)
		return ec_err_set(EC_ERR_CRYPTO, "token: signature does not fit 64 bytes");
	return EC_OK;
}

int
ec_token_sign(const struct ec_signer *s, const struct ec_ecert *e, char out[EC_TOKEN_MAX + 1])
{
	unsigned char raw[SIG_LEN];
	size_t n;
	int rc;

	out[0] = '\0';
	if (s == NULL || s->key == NULL || e == NULL)
		return ec_err_set(EC_ERR_ARG, "token: no signer or no e-Cert");
	if (s->retired)
		return ec_err_set(EC_ERR_REFUSED, "token: issuing CA '%s' is retired and signs only its CRL", s->kid);
	if (strcmp(e->kid, s->kid) != 0)
		return ec_err_set(EC_ERR_ARG, "token: e-Cert names issuing CA '%s', signer is '%s'", e->kid, s->kid);
	if ((rc = ec_token_input(s->alg, e, out, &n)) || (rc = sign_raw(s, (const unsigned char *)out, n, raw))) {
		out[0] = '\0';
		return rc;
	}
	out[n] = '.';
	ec_b64url_encode(raw, SIG_LEN, out + n + 1, EC_TOKEN_MAX - n);
	return 0;
}
