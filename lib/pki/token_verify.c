/* QR token: exact serialisation, strict decoding, signature verification and the QR payload (no signing code). */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "b64.h"
#include "buf.h"
#include "date.h"
#include "err.h"
#include "number.h"
#include "token.h"

#define HDR_PREFIX_LEN 22   /* {"alg":"ES256","kid":" */
#define SIG_LEN 64          /* raw r||s for ES256, the Ed25519 signature for EdDSA */
#define PAYLOAD_MAX (EC_TOKEN_MAX / 4 * 3 + 3)

static int
kid_ok(const char *kid)
{
	size_t i;

	for (i = 0; i < EC_KID_LEN; i++) {
		unsigned char c = (unsigned char)kid[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return 0;
	}
	return kid[EC_KID_LEN] == '\0';
}

int
ec_token_header(enum ec_alg alg, const char *kid, char out[EC_TOKEN_HEADER_LEN + 1])
{
	const char *name;

	if (alg == EC_ALG_P256)
		name = "ES256";
	else if (alg == EC_ALG_ED25519)
		name = "EdDSA";
	else
		return ec_err_set(EC_ERR_ARG, "token: unknown algorithm %d", (int)alg);
	if (kid == NULL || !kid_ok(kid))
		return ec_err_set(EC_ERR_ARG, "token: malformed key id");
	memcpy(out, "{\"alg\":\"", 8);
	memcpy(out + 8, name, 5);
	memcpy(out + 13, "\",\"kid\":\"", 9);
	memcpy(out + HDR_PREFIX_LEN, kid, EC_KID_LEN);
	memcpy(out + HDR_PREFIX_LEN + EC_KID_LEN, "\"}", 3);
	return 0;
}

/*
 * Code points in s if it is a holder name the token may carry: strict UTF-8 (no overlongs, no
 * surrogates), Basic Multilingual Plane only, no C0/C1 controls or DEL; else -1.
 */
static long
name_cps(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long cp;
	long n = 0;

	while (*u) {
		if (u[0] < 0x80) {
			cp = u[0];
			u += 1;
		} else if (u[0] >= 0xc2 && u[0] <= 0xdf) {
			if ((u[1] & 0xc0) != 0x80)
				return -1;
			cp = (unsigned long)(u[0] & 0x1f) << 6 | (u[1] & 0x3f);
			u += 2;
		} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
			if ((u[1] & 0xc0) != 0x80 || (u[2] & 0xc0) != 0x80)
				return -1;
			cp = (unsigned long)(u[0] & 0x0f) << 12 | (unsigned long)(u[1] & 0x3f) << 6 | (u[2] & 0x3f);
			if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
				return -1;
			u += 3;
		} else {
			return -1;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return -1;
		n++;
	}
	return n;
}

static int
code_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || i >= EC_CODE_MAX)
			return 0;
	return i > 0;
}

/* Format d, refusing days that do not format back to themselves (outside years 1900..9999). */
static int
date_out(ec_day d, char out[11])
{
	ec_day back;

	ec_date_format(d, out);
	return ec_date_parse(out, &back) == 0 && back == d;
}

int
ec_token_payload(const struct ec_ecert *e, struct ec_buf *b)
{
	char nb[11], na[11];
	long cps;

	if (memchr(e->number, '\0', sizeof e->number) == NULL || !ec_number_valid(e->number))
		return ec_err_set(EC_ERR_SYNTAX, "token: certificate number is not valid");
	if (memchr(e->name, '\0', sizeof e->name) == NULL || (cps = name_cps(e->name)) < 1 ||
	    cps > EC_NAME_MAX_CP)
		return ec_err_set(EC_ERR_SYNTAX, "token: holder name is not 1..%d code points of printable UTF-8",
		    EC_NAME_MAX_CP);
	if (memchr(e->code, '\0', sizeof e->code) == NULL || !code_ok(e->code))
		return ec_err_set(EC_ERR_SYNTAX, "token: certification code is not printable ASCII");
	if (!date_out(e->effective, nb) || !date_out(e->expires, na))
		return ec_err_set(EC_ERR_SYNTAX, "token: date out of range");
	if (e->expires < e->effective)
		return ec_err_set(EC_ERR_SYNTAX, "token: expiration %s is before effective date %s", na, nb);
	ec_buf_adds(b, "{\"n\":\"");
	ec_buf_adds(b, e->number);
	ec_buf_adds(b, "\",\"nm\":");
	ec_buf_json(b, e->name);
	ec_buf_adds(b, ",\"c\":");
	ec_buf_json(b, e->code);
	ec_buf_adds(b, ",\"nb\":\"");
	ec_buf_adds(b, nb);
	ec_buf_adds(b, "\",\"na\":\"");
	ec_buf_adds(b, na);
	return ec_buf_adds(b, "\"}");
}

/*
 * Read one JSON string literal at *pp (only the escapes \" and \\ exist in what we produce: the
 * re-serialisation compare rejects any other spelling anyway) into out[outsz], NUL-terminated.
 */
static int
jstr(const unsigned char **pp, const unsigned char *end, char *out, size_t outsz)
{
	const unsigned char *p = *pp;
	size_t o = 0;
	unsigned char c;

	if (p >= end || *p++ != '"')
		return EC_ERR_SYNTAX;
	for (;;) {
		if (p >= end || o + 1 >= outsz)
			return EC_ERR_SYNTAX;
		c = *p++;
		if (c == '"')
			break;
		if (c < 0x20)
			return EC_ERR_SYNTAX;
		if (c == '\\') {
			if (p >= end || (*p != '"' && *p != '\\'))
				return EC_ERR_SYNTAX;
			c = *p++;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*pp = p;
	return 0;
}

static int
lit(const unsigned char **pp, const unsigned char *end, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(end - *pp) < n || memcmp(*pp, s, n) != 0)
		return EC_ERR_SYNTAX;
	*pp += n;
	return 0;
}

/* Parse the payload bytes into e and insist they are exactly what ec_token_payload would write. */
static int
payload_parse(const unsigned char *pl, size_t n, struct ec_ecert *e)
{
	const unsigned char *p = pl, *end = pl + n;
	char num[64], nb[16], na[16];
	struct ec_buf b;
	int rc;

	ec_buf_init(&b);
	if (lit(&p, end, "{\"n\":") || jstr(&p, end, num, sizeof num) ||
	    lit(&p, end, ",\"nm\":") || jstr(&p, end, e->name, sizeof e->name) ||
	    lit(&p, end, ",\"c\":") || jstr(&p, end, e->code, sizeof e->code) ||
	    lit(&p, end, ",\"nb\":") || jstr(&p, end, nb, sizeof nb) ||
	    lit(&p, end, ",\"na\":") || jstr(&p, end, na, sizeof na) ||
	    lit(&p, end, "}") || p != end) {
		rc = ec_err_set(EC_ERR_SYNTAX, "token: payload is not in the token's exact form");
		goto out;
	}
	if (strlen(num) != EC_NUMBER_DIGITS || !ec_number_valid(num)) {
		rc = ec_err_set(EC_ERR_SYNTAX, "token: certificate number is not valid");
		goto out;
	}
	memcpy(e->number, num, sizeof e->number);
	if (ec_date_parse(nb, &e->effective) || ec_date_parse(na, &e->expires)) {
		rc = ec_err_set(EC_ERR_SYNTAX, "token: malformed date");
		goto out;
	}
	if ((rc = ec_token_payload(e, &b)))
		goto out;
	if (b.len != n || memcmp(b.p, pl, n) != 0)
		rc = ec_err_set(EC_ERR_SYNTAX, "token: payload is not in the token's exact form");
out:
	ec_buf_free(&b);
	return rc;
}

/* A token split and decoded: the facts, the algorithm, the signature and the signed prefix's length. */
struct parts {
	struct ec_ecert e;
	enum ec_alg alg;
	unsigned char sig[SIG_LEN];
	size_t tbs_len;
};

static int
split(const char *tok, size_t len, struct parts *t)
{
	unsigned char hdr[EC_TOKEN_HEADER_LEN + 8], pl[PAYLOAD_MAX], sig[SIG_LEN + 8];
	char want[EC_TOKEN_HEADER_LEN + 1];
	const char *d1, *d2;
	size_t hn, pn, sn;

	memset(t, 0, sizeof *t);
	if (len > EC_TOKEN_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "token: longer than %d characters", EC_TOKEN_MAX);
	if (tok == NULL || len == 0)
		return ec_err_set(EC_ERR_SYNTAX, "token: empty");
	if ((d1 = memchr(tok, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL)
		return ec_err_set(EC_ERR_SYNTAX, "token: not three dot-separated parts");
	if (ec_b64url_decode(tok, (size_t)(d1 - tok), hdr, sizeof hdr, &hn) ||
	    hn != EC_TOKEN_HEADER_LEN)
		return ec_err_set(EC_ERR_SYNTAX, "token: malformed header");
	memcpy(t->e.kid, hdr + HDR_PREFIX_LEN, EC_KID_LEN);
	t->e.kid[EC_KID_LEN] = '\0';
	if (ec_token_header(EC_ALG_P256, t->e.kid, want))
		return ec_err_set(EC_ERR_SYNTAX, "token: malformed key id");
	if (memcmp(hdr, want, EC_TOKEN_HEADER_LEN) == 0) {
		t->alg = EC_ALG_P256;
	} else {
		ec_token_header(EC_ALG_ED25519, t->e.kid, want);
		if (memcmp(hdr, want, EC_TOKEN_HEADER_LEN) != 0)
			return ec_err_set(EC_ERR_SYNTAX, "token: header is not exactly ES256 or EdDSA with a kid");
		t->alg = EC_ALG_ED25519;
	}
	if (ec_b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), pl, sizeof pl, &pn) || pn == 0)
		return ec_err_set(EC_ERR_SYNTAX, "token: malformed payload encoding");
	if (payload_parse(pl, pn, &t->e))
		return EC_ERR_SYNTAX;
	if (ec_b64url_decode(d2 + 1, len - (size_t)(d2 + 1 - tok), sig, sizeof sig, &sn) || sn != SIG_LEN)
		return ec_err_set(EC_ERR_SYNTAX, "token: signature is not %d bytes", SIG_LEN);
	memcpy(t->sig, sig, SIG_LEN);
	t->tbs_len = (size_t)(d2 - tok);
	return 0;
}

int
ec_token_decode(const char *tok, size_t len, struct ec_ecert *out)
{
	struct parts t;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = split(tok, len, &t)))
		return rc;
	*out = t.e;
	return 0;
}

/* The CA key must be of the header's algorithm: an EdDSA header never verifies against a P-256 key. */
static int
key_matches(EVP_PKEY *pk, enum ec_alg alg)
{
	char group[32];
	size_t glen = 0;

	if (alg == EC_ALG_ED25519)
		return EVP_PKEY_is_a(pk, "ED25519");
	return EVP_PKEY_is_a(pk, "EC") &&
	    EVP_PKEY_get_group_name(pk, group, sizeof group, &glen) == 1 &&
	    strcmp(group, "prime256v1") == 0;
}

/* Raw r||s to the DER ECDSA-Sig-Value OpenSSL verifies; *der is OPENSSL_malloc'd. */
static int
raw_to_der(const unsigned char raw[SIG_LEN], unsigned char **der, int *dlen)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int rc = EC_ERR_CRYPTO;

	*der = NULL;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw, SIG_LEN / 2, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + SIG_LEN / 2, SIG_LEN / 2, NULL)) == NULL)
		goto out;
	if (!ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;
	if ((*dlen = i2d_ECDSA_SIG(es, der)) <= 0) {
		*der = NULL;
		goto out;
	}
	rc = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return rc;
}

int
ec_token_verify(const struct ec_trust *t, const char *tok, size_t len, struct ec_ecert *out)
{
	struct parts p;
	unsigned char *der = NULL;
	const unsigned char *sig;
	size_t siglen;
	int dlen = 0, rc;
	X509 *ca;
	EVP_PKEY *pk;

	memset(out, 0, sizeof *out);
	if ((rc = split(tok, len, &p)))
		return rc;
	if ((ca = ec_trust_issuer(t, p.e.kid)) == NULL) {
		rc = ec_err_set(EC_ERR_SIG, "token: unknown issuing CA '%s'", p.e.kid);
		goto out;
	}
	if ((pk = X509_get0_pubkey(ca)) == NULL || !key_matches(pk, p.alg)) {
		rc = ec_err_set(EC_ERR_SIG, "token: algorithm does not match the key of issuing CA '%s'", p.e.kid);
		goto out;
	}
	sig = p.sig;
	siglen = SIG_LEN;
	if (p.alg == EC_ALG_P256) {
		if ((rc = raw_to_der(p.sig, &der, &dlen)))
			goto out;
		sig = der;
		siglen = (size_t)dlen;
	}
	/* The issuing CA's verification context was prepared once, when the bundle loaded. */
	if (ec_trust_verify_sig(t, p.e.kid, p.alg == EC_ALG_ED25519, (const unsigned char *)tok, p.tbs_len, sig,
	    siglen) != EC_OK) {
		rc = ec_err_set(EC_ERR_SIG, "token: signature does not verify with issuing CA '%s'", p.e.kid);
		goto out;
	}
	*out = p.e;
	rc = 0;
out:
	if (rc)
		ERR_clear_error();
	OPENSSL_free(der);
	return rc;
}

int
ec_token_input(enum ec_alg alg, const struct ec_ecert *e, char out[EC_TOKEN_MAX + 1], size_t *n)
{
	char hdr[EC_TOKEN_HEADER_LEN + 1];
	struct ec_buf pl;
	size_t h;
	int rc;

	out[0] = '\0';
	*n = 0;
	ec_buf_init(&pl);
	if ((rc = ec_token_header(alg, e->kid, hdr)) || (rc = ec_token_payload(e, &pl)))
		goto out;
	h = ec_b64url_len(EC_TOKEN_HEADER_LEN);
	if (h + 1 + ec_b64url_len(pl.len) + 1 + ec_b64url_len(SIG_LEN) > EC_TOKEN_MAX) {
		rc = ec_err_set(EC_ERR_TOOBIG, "token: longer than %d characters", EC_TOKEN_MAX);
		goto out;
	}
	ec_b64url_encode((const unsigned char *)hdr, EC_TOKEN_HEADER_LEN, out, EC_TOKEN_MAX + 1);
	out[h] = '.';
	ec_b64url_encode((const unsigned char *)pl.p, pl.len, out + h + 1, EC_TOKEN_MAX - h);
	*n = h + 1 + ec_b64url_len(pl.len);
out:
	ec_buf_free(&pl);
	return rc;
}

int
ec_token_assemble(enum ec_alg alg, const struct ec_ecert *e, const unsigned char sig[EC_TOKEN_SIG_LEN],
    char out[EC_TOKEN_MAX + 1])
{
	size_t n;
	int rc;

	if ((rc = ec_token_input(alg, e, out, &n)))
		return rc;
	out[n] = '.';
	ec_b64url_encode(sig, SIG_LEN, out + n + 1, EC_TOKEN_MAX - n);
	return 0;
}

int
ec_qr_payload(const char *public_url, const char *number, const char *token, char *out, size_t outsz)
{
	size_t ul, tl, n, i;

	if (public_url == NULL || number == NULL || token == NULL || out == NULL)
		return ec_err_set(EC_ERR_ARG, "qr payload: missing argument");
	ul = strlen(public_url);
	for (i = 0; i < ul; i++)
		if ((unsigned char)public_url[i] <= 0x20 || (unsigned char)public_url[i] >= 0x7f ||
		    public_url[i] == '#')
			return ec_err_set(EC_ERR_ARG, "qr payload: public url '%s' is not printable ASCII", public_url);
	if (ul == 0)
		return ec_err_set(EC_ERR_ARG, "qr payload: empty public url");
	if (strlen(number) != EC_NUMBER_DIGITS || strspn(number, "0123456789") != EC_NUMBER_DIGITS)
		return ec_err_set(EC_ERR_ARG, "qr payload: number '%s' is not 22 digits", number);
	tl = strlen(token);
	if (tl == 0 || strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != tl)
		return ec_err_set(EC_ERR_ARG, "qr payload: token is not base64url");
	n = ul + 3 + EC_NUMBER_DIGITS + 1 + tl;
	if (n > EC_QR_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "qr payload: %zu bytes, over the %d a QR code holds", n, EC_QR_MAX);
	if (n + 1 > outsz)
		return ec_err_set(EC_ERR_TOOBIG, "qr payload: %zu bytes do not fit the output buffer", n);
	memcpy(out, public_url, ul);
	memcpy(out + ul, "/v/", 3);
	memcpy(out + ul + 3, number, EC_NUMBER_DIGITS);
	out[ul + 3 + EC_NUMBER_DIGITS] = '#';
	memcpy(out + ul + 3 + EC_NUMBER_DIGITS + 1, token, tl + 1);
	return 0;
}
