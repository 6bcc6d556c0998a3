/* Trust bundles: roots and issuing CAs checked once at load, then e-Cert signatures looked up by KID. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "buf.h"
#include "cert.h"
#include "conf.h"
#include "der.h"
#include "digest.h"
#include "ecx509.h"
#include "err.h"
#include "file.h"
#include "pki.h"
#include "utf8.h"

#define TRUST_MAX_BYTES (1024 * 1024)
#define TRUST_MAX_CERTS 1000

/*
 * An issuing CA, checked once at load and prepared for many signature checks: its subject name as
 * DER (e-Certs name it byte for byte), its CN, and a verification context set up once and copied per
 * check (the copy keeps concurrent checks on one bundle safe).
 */
struct issuer {
	X509 *cert;
	char kid[EC_KID_LEN + 1];
	unsigned char ski[EC_SKI_LEN];
	int64_t not_before, not_after;
	unsigned char *name;           /* DER of the subject name */
	size_t namelen;
	char cn[256];
	char url[512];                 /* the issuer's public URL, from its CRL distribution point; "" if none */
	int ed;                        /* Ed25519, else P-256 */
	EVP_PKEY_CTX *pctx;            /* P-256: EVP_PKEY_verify of a SHA-256 digest */
	EVP_MD_CTX *mctx;              /* Ed25519: an initialised DigestVerify context */
	pthread_mutex_t *mu;           /* held while pctx is used in place; other threads use a copy */
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
	for (i = 0; i < t->niss; i++) {
		X509_free(t->iss[i].cert);
		OPENSSL_free(t->iss[i].name);
		EVP_PKEY_CTX_free(t->iss[i].pctx);
		EVP_MD_CTX_free(t->iss[i].mctx);
		if (t->iss[i].mu != NULL)
			pthread_mutex_destroy(t->iss[i].mu);
		free(t->iss[i].mu);
	}
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

/* u[0..n) into out[size], whole code points only so that a long name cut to fit stays UTF-8; controls as '?'. */
static void
copy_cn(char *out, size_t size, const unsigned char *u, size_t n)
{
	const unsigned char *c;
	size_t k = 0, o = 0, step, clen;
	unsigned long cp;

	while (k < n) {
		c = u + k;
		clen = step = ec_utf8_next(c, n - k, &cp);
		if (step == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			c = (const unsigned char *)"?";
			clen = 1;
			step = step ? step : 1;
		}
		if (o + clen >= size)
			break;
		memcpy(out + o, c, clen);
		o += clen;
		k += step;
	}
	out[o] = '\0';
}

/*
 * The public URL of the body that runs issuing CA x: its CRL distribution point names the root's CRL
 * at <public-url>/crl/root.crl (docs/formats-ecert.md). "" when it has no such point.
 */
static void
public_url_of(X509 *x, char *out, size_t size)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
	static const char tail[] = "/crl/root.crl";
	const GENERAL_NAME *gn;
	const DIST_POINT *dp;
	const char *u;
	int n;

	out[0] = '\0';
	if (dps != NULL && sk_DIST_POINT_num(dps) == 1 && (dp = sk_DIST_POINT_value(dps, 0))->distpoint != NULL &&
	    dp->distpoint->type == 0 && sk_GENERAL_NAME_num(dp->distpoint->name.fullname) == 1 &&
	    (gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0))->type == GEN_URI) {
		u = (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier);
		n = ASN1_STRING_length(gn->d.uniformResourceIdentifier);
		if (n > (int)sizeof tail - 1 && (size_t)n - (sizeof tail - 1) < size &&
		    memcmp(u + n - (sizeof tail - 1), tail, sizeof tail - 1) == 0 &&
		    memchr(u, '\0', (size_t)n) == NULL) {
			memcpy(out, u, (size_t)n - (sizeof tail - 1));
			out[n - (sizeof tail - 1)] = '\0';
		}
	}
	CRL_DIST_POINTS_free(dps);
	ERR_clear_error();
}

/* The issuing CA's name, CN and verification context, once per bundle. */
static int
prepare(struct issuer *is, X509 *x, const char *bundle)
{
	EVP_PKEY *pub = X509_get0_pubkey(x);
	unsigned char *der = NULL;
	X509_NAME *nm = X509_get_subject_name(x);
	int n, i;

	if (pub == NULL || (n = i2d_X509_NAME(nm, &der)) <= 0)
		return ec_err_set(EC_ERR_SYNTAX, "%s: issuing CA %s cannot be read", bundle, is->kid);
	is->name = der;
	is->namelen = (size_t)n;
	public_url_of(x, is->url, sizeof is->url);
	is->cn[0] = '\0';
	if ((i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1)) >= 0) {
		unsigned char *u = NULL;
		int m = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i)));

		if (m > 0)
			copy_cn(is->cn, sizeof is->cn, u, (size_t)m);
		OPENSSL_free(u);
	}
	if ((is->mu = malloc(sizeof *is->mu)) == NULL || pthread_mutex_init(is->mu, NULL) != 0) {
		free(is->mu);
		is->mu = NULL;
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	}
	is->ed = EVP_PKEY_get_base_id(pub) == EVP_PKEY_ED25519;
	if (is->ed ? (is->mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(is->mctx, NULL, NULL, NULL, NULL, pub, NULL) != 1 :
	    (is->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL)) == NULL || EVP_PKEY_verify_init(is->pctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(is->pctx, EVP_sha256()) != 1)
		return ec_err_set(EC_ERR_CRYPTO, "%s: cannot set up verification with issuing CA %s", bundle, is->kid);
	return EC_OK;
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
	if ((rc = prepare(is, x, name)) != EC_OK) {
		OPENSSL_free(is->name);
		EVP_PKEY_CTX_free(is->pctx);
		EVP_MD_CTX_free(is->mctx);
		if (is->mu != NULL)
			pthread_mutex_destroy(is->mu);
		free(is->mu);
		memset(is, 0, sizeof *is);
		return rc;
	}
	is->cert = x;
	t->niss++;
	return EC_OK;
}

/*
 * Every CERTIFICATE block of the PEM text into *out (caller frees), each strict DER; text outside
 * PEM blocks is ignored.
 */
static int
read_all(const char *pem, size_t len, const char *name, STACK_OF(X509) **out)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *bio = NULL;
	X509 *x;
	char *type = NULL, *header = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	long dlen;
	unsigned long e;
	int rc = EC_OK;

	*out = NULL;
	if (sk == NULL || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	ERR_clear_error();
	while (PEM_read_bio(bio, &type, &header, &der, &dlen) == 1) {
		if (strcmp(type, "CERTIFICATE") == 0) {
			p = der;
			if ((x = d2i_X509(NULL, &p, dlen)) == NULL || p != der + dlen) {
				X509_free(x);
				rc = ec_err_set(EC_ERR_SYNTAX, "%s: malformed certificate (certificate %d)", name,
				    sk_X509_num(sk) + 1);
				goto out;
			}
			if ((rc = ec_der_check(der, (size_t)dlen)) != EC_OK ||
			    (rc = ec_der_check_exts(X509_get0_extensions(x))) != EC_OK) {
				X509_free(x);
				rc = ec_err_set(rc, "%s: certificate %d: %s", name, sk_X509_num(sk) + 1, ec_err_msg(rc));
				goto out;
			}
			if (sk_X509_num(sk) >= TRUST_MAX_CERTS || !sk_X509_push(sk, x)) {
				X509_free(x);
				rc = ec_err_set(EC_ERR_TOOBIG, "%s: too many certificates", name);
				goto out;
			}
		}
		OPENSSL_free(type);
		OPENSSL_free(header);
		OPENSSL_free(der);
		type = header = NULL;
		der = NULL;
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
	OPENSSL_free(type);
	OPENSSL_free(header);
	OPENSSL_free(der);
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

/* sig over msg by issuing CA is, through its prepared context (a copy when another thread holds it): 1 valid, 0 not. */
static int
sig_ok(const struct issuer *is, const unsigned char *msg, size_t n, const unsigned char *sig, size_t siglen)
{
	unsigned char md[EC_SHA256_LEN];
	EVP_PKEY_CTX *p = NULL;
	EVP_MD_CTX *m = NULL;
	int ok;

	if (is->ed) {
		ok = (m = EVP_MD_CTX_new()) != NULL && EVP_MD_CTX_copy_ex(m, is->mctx) == 1 &&
		    EVP_DigestVerify(m, sig, siglen, msg, n) == 1;
	} else if (ec_sha256(msg, n, md) != EC_OK) {
		ok = 0;
	} else if (pthread_mutex_trylock(is->mu) == 0) {
		/* the usual case, one thread: the prepared context itself */
		ok = EVP_PKEY_verify(is->pctx, sig, siglen, md, sizeof md) == 1;
		pthread_mutex_unlock(is->mu);
	} else {
		ok = (p = EVP_PKEY_CTX_dup(is->pctx)) != NULL && EVP_PKEY_verify(p, sig, siglen, md, sizeof md) == 1;
	}
	EVP_PKEY_CTX_free(p);
	EVP_MD_CTX_free(m);
	ERR_clear_error();
	return ok;
}

int
ec_trust_verify_sig(const struct ec_trust *t, const char *kid, int ed25519, const unsigned char *msg, size_t n,
    const unsigned char *sig, size_t siglen)
{
	const struct issuer *is = find(t, kid);

	if (is == NULL)
		return ec_err_set(EC_ERR_SIG, "unknown issuing CA '%s'", kid != NULL ? kid : "");
	if (is->ed != (ed25519 != 0))
		return ec_err_set(EC_ERR_SIG, "algorithm does not match the key of issuing CA '%s'", kid);
	if (!sig_ok(is, msg, n, sig, siglen))
		return ec_err_set(EC_ERR_SIG, "signature does not verify with issuing CA '%s'", kid);
	return EC_OK;
}

const char *
ec_trust_issuer_cn(const struct ec_trust *t, const char *kid)
{
	const struct issuer *is = find(t, kid);

	return is != NULL ? is->cn : "";
}

/*
 * The fast path: an e-Cert exactly as our encoder writes it (ec_ecert_read), naming an issuing CA of
 * t by key identifier and by its very name bytes. EC_OK when its signature verifies, EC_ERR_SIG (the
 * full path's answer) when it does not — a forgery costs one signature check, not a second parse and
 * check — and 1 when the fast path cannot tell (not our encoding, or no such issuer).
 */
static int
fast_verify(const struct ec_trust *t, const unsigned char *der, size_t len, struct ec_ecert *out)
{
	struct ec_ecert_fast f;
	const struct issuer *is;
	size_t i;

	if (ec_ecert_read(der, len, out, &f) != 0)
		return 1;
	for (i = 0; i < t->niss; i++) {
		is = &t->iss[i];
		if (memcmp(is->ski, f.aki, EC_SKI_LEN) != 0 || is->namelen != f.skel.issuerlen ||
		    memcmp(is->name, f.skel.buf + f.skel.issuer, is->namelen) != 0)
			continue;
		if (is->ed != (f.skel.sig_nid == NID_ED25519) || !sig_ok(is, f.tbs, f.tbslen, f.sig, f.siglen)) {
			memset(out, 0, sizeof *out);
			ERR_clear_error();
			return ec_err_set(EC_ERR_SIG, "signature does not verify with issuing CA %s", is->kid);
		}
		memcpy(out->kid, is->kid, sizeof out->kid);
		return EC_OK;
	}
	memset(out, 0, sizeof *out);
	return 1;
}

int
ec_ecert_verify(const struct ec_trust *t, const unsigned char *der, size_t len, struct ec_ecert *out)
{
	struct ec_ecert_raw raw;
	const struct issuer *is;
	int rc;

	if (t != NULL && (rc = fast_verify(t, der, len, out)) != 1)
		return rc;
	/* Anything else takes the full parser, which also says what is wrong. */
	if ((rc = ec_ecert_decode(der, len, out, &raw)) != EC_OK)
		return rc;
	if ((is = find_signer(t, raw.aki, raw.issuer)) == NULL) {
		rc = ec_err_set(EC_ERR_SIG, "unknown issuer: no issuing CA in the trust bundle signed it");
		goto out;
	}
	if (is->ed != (raw.sig_nid == NID_ED25519) || !sig_ok(is, raw.tbs, raw.tbslen, raw.sig, raw.siglen)) {
		rc = ec_err_set(EC_ERR_SIG, "signature does not verify with issuing CA %s", is->kid);
		goto out;
	}
	memcpy(out->kid, is->kid, sizeof out->kid);
out:
	if (rc != EC_OK)
		memset(out, 0, sizeof *out);
	ERR_clear_error();
	ec_ecert_raw_free(&raw);
	return rc;
}

const char *
ec_trust_public_url(const struct ec_trust *t, const char *kid)
{
	const struct issuer *is = find(t, kid);

	return is != NULL ? is->url : "";
}

/* One JWK (RFC 7517) of issuing CA is: P-256 as EC x/y, Ed25519 as OKP x; kid and alg as tokens name them. */
static int
jwk_add(const struct issuer *is, struct ec_buf *b)
{
	EVP_PKEY *pub = X509_get0_pubkey(is->cert);
	unsigned char pt[65];
	char x[48], y[48];
	size_t n = sizeof pt;

	if (is->ed) {
		if (EVP_PKEY_get_raw_public_key(pub, pt, &n) != 1 || n != 32 ||
		    ec_b64url_encode(pt, 32, x, sizeof x) != EC_OK)
			return ec_err_set(EC_ERR_CRYPTO, "cannot export the key of issuing CA %s", is->kid);
		ec_buf_addf(b, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"%s\",\"alg\":\"EdDSA\","
		    "\"use\":\"sig\"}", x, is->kid);
		return EC_OK;
	}
	if (EVP_PKEY_get_octet_string_param(pub, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt, sizeof pt, &n) != 1 ||
	    n != 65 || pt[0] != 0x04 || ec_b64url_encode(pt + 1, 32, x, sizeof x) != EC_OK ||
	    ec_b64url_encode(pt + 33, 32, y, sizeof y) != EC_OK)
		return ec_err_set(EC_ERR_CRYPTO, "cannot export the key of issuing CA %s", is->kid);
	ec_buf_addf(b, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\",\"y\":\"%s\",\"kid\":\"%s\",\"alg\":\"ES256\","
	    "\"use\":\"sig\"}", x, y, is->kid);
	return EC_OK;
}

int
ec_trust_jwks(const struct ec_trust *t, struct ec_buf *b)
{
	size_t i;
	int rc;

	ec_buf_adds(b, "{\"keys\":[");
	for (i = 0; i < t->niss; i++) {
		if (i > 0)
			ec_buf_addc(b, ',');
		if ((rc = jwk_add(&t->iss[i], b)) != EC_OK)
			return rc;
	}
	ec_buf_adds(b, "]}\n");
	ERR_clear_error();
	return b->err;
}

size_t
ec_trust_nroots(const struct ec_trust *t)
{
	return t->nroots;
}

X509 *
ec_trust_root(const struct ec_trust *t, size_t i)
{
	return i < t->nroots ? t->roots[i] : NULL;
}

int
ec_trust_check_issuer_span(const struct ec_trust *t, const char *kid, ec_day expires)
{
	const struct issuer *is = find(t, kid);

	if (is == NULL)
		return ec_err_set(EC_ERR_SIG, "unknown issuing CA '%s'", kid != NULL ? kid : "");
	if ((int64_t)expires * 86400 + 86399 > is->not_after)
		return ec_err_set(EC_ERR_SIG, "e-Cert outlives issuing CA %s, which never signs such a one", is->kid);
	return EC_OK;
}
