/* Unit tests for the offline verification pipeline: e-Certs, tokens, URLs, PDFs and CRLs made by the real library. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/x509v3.h>
#include <hpdf.h>

#include "buf.h"
#include "cert.h"
#include "crl.h"
#include "date.h"
#include "ecx509.h"
#include "err.h"
#include "../helper_pki.h"
#include "token.h"
#include "verify.h"
#include "signer.h"

#define N1 "0101234567890123456707"
#define N2 "0101999999999999999944"

struct fx {
	struct helper_ca ca, ed, other;    /* other: not in the trust bundle */
	struct ec_trust *trust;
	struct ec_ecert e;                 /* N1 by ca */
	unsigned char *der;
	size_t derlen;
	char tok[EC_TOKEN_MAX + 1];
	int64_t now;
	ec_day today;
	struct ec_verify_opts o;
};

static void
facts(struct fx *f, struct ec_ecert *e, const struct helper_ca *ca, const char *number)
{
	memset(e, 0, sizeof *e);
	snprintf(e->number, sizeof e->number, "%s", number);
	snprintf(e->name, sizeof e->name, "Zo\xc3\xab O'Brien");
	snprintf(e->code, sizeof e->code, "HCIA-AI");
	snprintf(e->title, sizeof e->title, "HCIA-AI Associate");
	e->format = EC_FORMAT_ELECTRONIC;
	e->effective = f->today - 10;
	e->expires = ec_date_expiry(e->effective, 3);
	e->issued_at = f->now;
	memcpy(e->kid, ca->s.kid, sizeof e->kid);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL || helper_ca_trio_make(&f->ca, &f->ed, &f->other, &f->trust))
		return -1;
	f->now = (int64_t)time(NULL);
	f->today = ec_date_from_time(f->now);
	facts(f, &f->e, &f->ca, N1);
	if (ec_ecert_sign(&f->ca.s, &f->e, &f->der, &f->derlen) || ec_token_sign(&f->ca.s, &f->e, f->tok))
		return -1;
	f->o.trust = f->trust;
	f->o.at = f->today;
	f->o.at_time = f->now;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	free(f->der);
	helper_ca_trio_free(&f->ca, &f->ed, &f->other, f->trust);
	free(f);
	return 0;
}

static int
verify(struct fx *f, const void *in, size_t len, struct ec_verify_result *r)
{
	return ec_verify_mem(&f->o, in, len, r);
}

static int
verify_s(struct fx *f, const char *s, struct ec_verify_result *r)
{
	return verify(f, s, strlen(s), r);
}

/* r failed first at stage s with code, and its message holds detail. */
static void
expect_fail(const struct ec_verify_result *r, int s, int code, const char *detail)
{
	if (r->code != code || r->failed != s || (detail && strstr(r->stage[s].msg, detail) == NULL))
		fail_msg("expected %s/%d '%s', got %s/%d '%s'", ec_verify_stage_name(s), code, detail ? detail : "",
		    ec_verify_stage_name(r->failed), r->code, r->failed >= 0 ? r->stage[r->failed].msg : "");
	assert_int_equal(r->stage[s].res, EC_VR_FAIL);
	assert_int_equal(ec_err_exit(r->code), 1);
}

static void
expect_valid(const struct ec_verify_result *r)
{
	if (r->code != 0)
		fail_msg("not valid: %s: %s", ec_verify_stage_name(r->failed), r->stage[r->failed].msg);
	assert_int_equal(r->failed, -1);
	assert_int_equal(r->stage[EC_VS_FORMAT].res, EC_VR_PASS);
	assert_int_equal(r->stage[EC_VS_SIGNATURE].res, EC_VR_PASS);
	assert_int_equal(r->stage[EC_VS_ISSUER].res, EC_VR_PASS);
	assert_int_equal(r->stage[EC_VS_VALIDITY].res, EC_VR_PASS);
	assert_true(r->have_facts);
	assert_string_equal(r->e.number, N1);
	assert_string_equal(r->e.name, "Zo\xc3\xab O'Brien");
	assert_string_equal(r->e.code, "HCIA-AI");
}

static void
test_der_pem(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	struct ec_buf b;
	char *pem;
	size_t pemlen;

	assert_int_equal(verify(f, f->der, f->derlen, &r), 0);
	expect_valid(&r);
	assert_int_equal(r.kind, EC_VK_DER);
	assert_string_equal(r.e.title, "HCIA-AI Associate");
	assert_non_null(strstr(r.issuer, "Issuing CA"));
	assert_non_null(strstr(r.issuer, f->ca.s.kid));
	assert_int_equal(r.stage[EC_VS_REVOCATION].res, EC_VR_WARN);
	assert_string_equal(r.stage[EC_VS_REVOCATION].msg, "revocation not checked: no CRL given");
	assert_int_equal(r.stage[EC_VS_CONSISTENCY].res, EC_VR_SKIPPED);

	assert_int_equal(ec_der_to_pem(f->der, f->derlen, &pem, &pemlen), 0);
	assert_int_equal(verify(f, pem, pemlen, &r), 0);
	expect_valid(&r);
	assert_int_equal(r.kind, EC_VK_PEM);
	/* Leading and trailing white space are fine; anything else around it is not. */
	ec_buf_init(&b);
	ec_buf_adds(&b, "\n  ");
	ec_buf_add(&b, pem, pemlen);
	ec_buf_adds(&b, "\n\n");
	assert_int_equal(verify(f, b.p, b.len, &r), 0);
	ec_buf_adds(&b, "junk\n");
	verify(f, b.p, b.len, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "data after the PEM certificate");
	ec_buf_reset(&b);
	ec_buf_add(&b, pem, pemlen);
	ec_buf_add(&b, pem, pemlen);
	verify(f, b.p, b.len, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "data after");
	ec_buf_reset(&b);
	ec_buf_adds(&b, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	verify(f, b.p, b.len, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "not an e-Cert");
	/* The base64 body: plain lines of the alphabet, padding only at the end, nothing left over. */
	{
		static const char *const bad[] = {
			"-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END CERTIFICATE-----\n",
			"-----BEGIN CERTIFICATE-----\nAA*A\n-----END CERTIFICATE-----\n",
			"-----BEGIN CERTIFICATE-----\nAA=A\n-----END CERTIFICATE-----\n",
			"-----BEGIN CERTIFICATE-----\nQR==\n-----END CERTIFICATE-----\n",
			"-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n",
			"-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
			"-----BEGIN CERTIFICATE-----\nAAAA\n",
			"-----BEGIN CERTIFICATE-----AAAA\n-----END CERTIFICATE-----\n",
		};
		static const char *const why[] = {
			"not a plain CERTIFICATE", "malformed PEM", "malformed PEM", "malformed PEM", "malformed PEM",
			"malformed PEM", "malformed PEM", "malformed PEM",
		};
		size_t i;

		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			verify_s(f, bad[i], &r);
			expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, why[i]);
		}
	}
	ec_buf_free(&b);
	free(pem);

	/* DER with a trailing byte. */
	{
		unsigned char *x = malloc(f->derlen + 1);
		assert_non_null(x);
		memcpy(x, f->der, f->derlen);
		x[f->derlen] = 0;
		verify(f, x, f->derlen + 1, &r);
		expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "not an e-Cert");
		free(x);
	}
}

/*
 * The one-pass PEM decoder against OpenSSL's PEM writer: names of growing length give DER lengths of
 * every residue mod 3 (no, one and two '=' of padding; the ECDSA signature's length varies too, so
 * until all three were seen); each PEM verifies as the same e-Cert with LF, CRLF, one long line and
 * blanks around the lines, and a changed base64 character never verifies.
 */
static void
test_pem_pinned(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	struct ec_ecert e;
	struct ec_buf b;
	unsigned char *der;
	size_t derlen, pemlen, i, pads = 0;
	char *pem, *body;
	int n, seen = 0;

	ec_buf_init(&b);
	for (n = 1; n <= 48 && (n <= 6 || seen != 7); n++) {
		facts(f, &e, &f->ca, N1);
		memset(e.name, 'A', (size_t)n);
		e.name[n] = '\0';
		assert_int_equal(ec_ecert_sign(&f->ca.s, &e, &der, &derlen), 0);
		assert_int_equal(ec_der_to_pem(der, derlen, &pem, &pemlen), 0);
		seen |= 1 << (derlen % 3);
		pads += pemlen > 30 && strstr(pem, "=\n-----END") != NULL;
		assert_int_equal(verify(f, pem, pemlen, &r), 0);
		assert_int_equal(r.kind, EC_VK_PEM);
		assert_string_equal(r.e.name, e.name);
		/* CRLF, blanks, and the whole body on one line */
		ec_buf_reset(&b);
		for (i = 0; i < pemlen; i++) {
			if (pem[i] == '\n')
				ec_buf_adds(&b, "\r\n \t");
			else
				ec_buf_addc(&b, pem[i]);
		}
		assert_int_equal(verify(f, b.p, b.len, &r), 0);
		body = strchr(pem, '\n') + 1;
		ec_buf_reset(&b);
		ec_buf_add(&b, pem, (size_t)(body - pem));
		for (; *body != '-'; body++)
			if (*body != '\n')
				ec_buf_addc(&b, *body);
		ec_buf_addc(&b, '\n');
		ec_buf_adds(&b, body);
		assert_int_equal(verify(f, b.p, b.len, &r), 0);
		/* one base64 character changed, anywhere in the body: never valid */
		for (i = 28; i < pemlen - 26; i += 37) {
			if (pem[i] == '\n' || pem[i] == '=')
				continue;
			ec_buf_reset(&b);
			ec_buf_add(&b, pem, pemlen);
			b.p[i] = b.p[i] == 'A' ? 'B' : 'A';
			assert_int_not_equal(verify(f, b.p, b.len, &r), 0);
			assert_int_equal(ec_err_exit(r.code), 1);
		}
		free(pem);
		free(der);
	}
	assert_int_equal(seen, 7);
	assert_true(pads > 0);
	ec_buf_free(&b);
}

static void
test_token_url(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	char url[EC_QR_MAX + 1], bad[EC_QR_MAX + 64];
	struct ec_ecert e2;
	char tok2[EC_TOKEN_MAX + 1];

	assert_int_equal(verify_s(f, f->tok, &r), 0);
	expect_valid(&r);
	assert_int_equal(r.kind, EC_VK_TOKEN);
	assert_true(r.from_token);
	assert_non_null(strstr(r.stage[EC_VS_ISSUER].msg, "no issuance time"));
	assert_int_equal(ec_qr_payload("https://certs.example.org", N1, f->tok, url, sizeof url), 0);
	assert_int_equal(verify_s(f, url, &r), 0);
	expect_valid(&r);
	assert_int_equal(r.kind, EC_VK_URL);
	assert_int_equal(r.stage[EC_VS_CONSISTENCY].res, EC_VR_PASS);
	/* Pasted with a trailing newline. */
	snprintf(bad, sizeof bad, "  %s\r\n", url);
	assert_int_equal(verify_s(f, bad, &r), 0);
	assert_true(ec_verify_is_text(url, strlen(url)));
	assert_true(ec_verify_is_text(f->tok, strlen(f->tok)));
	assert_false(ec_verify_is_text("report.pdf", 10));
	assert_true(ec_verify_is_text("0101-2345-6789-0123-4567-08", 27));
	assert_false(ec_verify_is_text("0101", 4));

	/* The URL's number differs from the token's (a valid number), or has a typo. */
	snprintf(bad, sizeof bad, "https://certs.example.org/v/%s#%s", N2, f->tok);
	verify_s(f, bad, &r);
	expect_fail(&r, EC_VS_CONSISTENCY, EC_ERR_CORRUPT, "differs");
	snprintf(bad, sizeof bad, "https://certs.example.org/v/0101234567890123456708#%s", f->tok);
	verify_s(f, bad, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_CHECKSUM, "typo");
	snprintf(bad, sizeof bad, "https://certs.example.org/v/123#%s", f->tok);
	verify_s(f, bad, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "22-digit");
	snprintf(bad, sizeof bad, "https://certs.example.org/v/%s#not-a-token", N1);
	verify_s(f, bad, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, NULL);

	/* A token from a CA outside the trust bundle. */
	facts(f, &e2, &f->other, N1);
	assert_int_equal(ec_token_sign(&f->other.s, &e2, tok2), 0);
	verify_s(f, tok2, &r);
	expect_fail(&r, EC_VS_SIGNATURE, EC_ERR_SIG, NULL);
	assert_false(r.have_facts);
	/* An Ed25519 token from the second trusted CA. */
	facts(f, &e2, &f->ed, N1);
	assert_int_equal(ec_token_sign(&f->ed.s, &e2, tok2), 0);
	assert_int_equal(verify_s(f, tok2, &r), 0);
}

/* Every single-character change of the token is caught before anything is shown. */
static void
test_flipped_token(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	char t[EC_TOKEN_MAX + 1];
	size_t i, n = strlen(f->tok);

	for (i = 0; i < n; i++) {
		memcpy(t, f->tok, n + 1);
		if (t[i] == '.')
			continue;
		t[i] = t[i] == 'A' ? 'B' : 'A';
		if (verify_s(f, t, &r) == 0)
			fail_msg("token with position %zu changed verifies", i);
		assert_true(r.failed == EC_VS_FORMAT || r.failed == EC_VS_SIGNATURE);
		assert_false(r.have_facts);
	}
}

/* Every single-byte change of the e-Cert is caught. */
static void
test_flipped_byte(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	unsigned char *x = malloc(f->derlen);
	size_t i;

	assert_non_null(x);
	for (i = 0; i < f->derlen; i++) {
		memcpy(x, f->der, f->derlen);
		x[i] ^= 0x01;
		if (verify(f, x, f->derlen, &r) == 0)
			fail_msg("e-Cert with byte %zu flipped verifies", i);
		assert_int_equal(ec_err_exit(r.code), 1);
		assert_true(r.failed == EC_VS_FORMAT || r.failed == EC_VS_SIGNATURE);
	}
	free(x);
}

static void
test_unknown_ca(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	struct ec_ecert e2;
	unsigned char *der;
	size_t len;

	facts(f, &e2, &f->other, N1);
	assert_int_equal(ec_ecert_sign(&f->other.s, &e2, &der, &len), 0);
	verify(f, der, len, &r);
	expect_fail(&r, EC_VS_SIGNATURE, EC_ERR_SIG, "unknown issuer");
	assert_int_equal(r.stage[EC_VS_ISSUER].res, EC_VR_SKIPPED);
	assert_int_equal(r.stage[EC_VS_VALIDITY].res, EC_VR_SKIPPED);
	assert_false(r.have_facts);
	free(der);
}

static void
test_issuer_time(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	struct ec_ecert e2;
	struct ec_skel k;
	unsigned char tbs[EC_FAST_DER_MAX], der[EC_FAST_DER_MAX], sig[80];
	size_t tlen, slen = sizeof sig, len;

	/*
	 * Signed by a trusted key, bypassing the signer's own refusal: an e-Cert that outlives its
	 * issuing CA, which no issuing CA of ours ever signs.
	 */
	facts(f, &e2, &f->ca, N1);
	e2.expires = ec_date_expiry(e2.effective, 30);
	assert_int_equal(ec_skel_make(f->ca.s.cert, f->ca.s.placeholder, f->ca.s.crl_url, &k), 0);
	assert_int_equal(ec_tbs_encode(&k, &e2, tbs, sizeof tbs, &tlen), 0);
	assert_int_equal(ec_signer_sign(&f->ca.s, tbs, tlen, sig, &slen), 0);
	assert_int_equal(ec_cert_encode(&k, tbs, tlen, sig, slen, der, sizeof der, &len), 0);
	verify(f, der, len, &r);
	expect_fail(&r, EC_VS_ISSUER, EC_ERR_SIG, "outlives issuing CA");
}

static void
test_dates(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	struct ec_verify_opts o = f->o;

	o.at = f->e.expires;
	assert_int_equal(ec_verify_mem(&o, f->der, f->derlen, &r), 0);
	o.at = f->e.expires + 1;
	ec_verify_mem(&o, f->der, f->derlen, &r);
	expect_fail(&r, EC_VS_VALIDITY, EC_ERR_EXPIRED, "expired on");
	assert_true(r.have_facts);
	/* Later stages still ran. */
	assert_int_equal(r.stage[EC_VS_REVOCATION].res, EC_VR_WARN);
	o.at = f->e.effective - 1;
	ec_verify_mem(&o, (const unsigned char *)f->tok, strlen(f->tok), &r);
	expect_fail(&r, EC_VS_VALIDITY, EC_ERR_NOTYET, "not valid before");
}

/* A CRL of ca (or of another CA) signed at `at` listing revoked[0..n). */
static void
crl(struct fx *f, const struct helper_ca *ca, int64_t at, const struct ec_crl_entry *ents, size_t n,
    struct ec_verify_crl *out, const char *label)
{
	unsigned char *der;
	size_t len;

	assert_int_equal(ec_crl_sign(&ca->s, ents, n, at, 1, &der, &len), 0);
	ec_verify_crl_load(f->trust, label, der, len, out);
	free(der);
}

/*
 * The root's CRL beside the issuing CA's: an empty one completes the check (no "no root CRL" note), a
 * stale one fails it, another root's is passed over, one that lists the issuing CA revokes every
 * e-Cert of that CA.
 */
static void
test_root_revocation(void **state)
{
	struct fx *f = *state;
	struct ec_crl_entry other = { N2, 0, 0 };
	struct ec_verify_crl c[2];
	struct ec_verify_result r;
	struct ec_verify_opts o = f->o;
	X509_CRL *x = X509_CRL_new();
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)(f->now - 60));
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
	unsigned char *der = NULL;
	size_t len;
	int n;

	other.revoked_at = f->now - 3600;
	o.crls = c;
	crl(f, &f->ca, f->now - 60, &other, 1, &c[0], "ca.crl");
	o.ncrls = 1;
	assert_int_equal(ec_verify_mem(&o, f->der, f->derlen, &r), 0);
	assert_non_null(strstr(r.stage[EC_VS_REVOCATION].msg, "no root CRL given"));
	o.ncrls = 2;
	assert_int_equal(ec_crl_sign_root(f->ca.root, f->ca.root_key, f->now - 60, 1, &der, &len), 0);
	ec_verify_crl_load(f->trust, "root.crl", der, len, &c[1]);
	free(der);
	assert_non_null(c[1].crl);
	assert_int_equal(ec_verify_mem(&o, f->der, f->derlen, &r), 0);
	assert_int_equal(r.stage[EC_VS_REVOCATION].res, EC_VR_PASS);
	assert_null(strstr(r.stage[EC_VS_REVOCATION].msg, "no root CRL"));
	/* checked a year and a day later, the root CRL is stale (and so is the issuing one, checked after it) */
	o.at_time = f->now + EC_ROOT_CRL_VALIDITY + 86400;
	ec_verify_mem(&o, f->der, f->derlen, &r);
	expect_fail(&r, EC_VS_REVOCATION, EC_ERR_STALE, "'root.crl' is stale");
	o.at_time = f->now;
	ec_verify_crl_free(&c[1]);
	/* another root's CRL, even a stale one, says nothing of this issuing CA: passed over */
	assert_int_equal(ec_crl_sign_root(f->ed.root, f->ed.root_key, f->now - 2 * EC_ROOT_CRL_VALIDITY, 1, &der, &len), 0);
	ec_verify_crl_load(f->trust, "ed-root.crl", der, len, &c[1]);
	free(der);
	assert_non_null(c[1].crl);
	assert_int_equal(ec_verify_mem(&o, f->der, f->derlen, &r), 0);
	assert_int_equal(r.stage[EC_VS_REVOCATION].res, EC_VR_PASS);
	assert_non_null(strstr(r.stage[EC_VS_REVOCATION].msg, "no root CRL given"));
	ec_verify_crl_free(&c[1]);
	/* a root CRL listing the issuing CA: every e-Cert of it is revoked */
	der = NULL;
	assert_true(X509_CRL_set_version(x, 1) && X509_CRL_set_issuer_name(x, X509_get_subject_name(f->ca.root)) &&
	    X509_CRL_set1_lastUpdate(x, t) && X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(f->ca.s.cert)) &&
	    X509_REVOKED_set_revocationDate(rev, t) && X509_CRL_add0_revoked(x, rev) &&
	    ASN1_TIME_set(t, (time_t)(f->now + 86400)) != NULL && X509_CRL_set1_nextUpdate(x, t));
	aki->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(f->ca.root));
	assert_int_equal(X509_CRL_add1_ext_i2d(x, NID_authority_key_identifier, aki, 0, 0), 1);
	assert_true(X509_CRL_sign(x, f->ca.root_key, EVP_sha256()) > 0);
	assert_true((n = i2d_X509_CRL(x, &der)) > 0);
	ec_verify_crl_load(f->trust, "root.crl", der, (size_t)n, &c[1]);
	assert_non_null(c[1].crl);
	ec_verify_mem(&o, f->der, f->derlen, &r);
	expect_fail(&r, EC_VS_REVOCATION, EC_ERR_REVOKED, "issuing CA");
	assert_true(r.revoked);
	ec_verify_crl_free(&c[1]);
	ec_verify_crl_free(&c[0]);
	OPENSSL_free(der);
	AUTHORITY_KEYID_free(aki);
	ASN1_TIME_free(t);
	X509_CRL_free(x);
}

static void
test_revocation(void **state)
{
	struct fx *f = *state;
	struct ec_crl_entry ent = { N1, 0, 1 }, other = { N2, 0, 0 };
	struct ec_verify_crl c[3];
	struct ec_verify_result r;
	struct ec_verify_opts o = f->o;
	char day[11];

	ent.revoked_at = f->now - 3600;
	other.revoked_at = f->now - 3600;
	/* Revoked. */
	crl(f, &f->ca, f->now - 60, &ent, 1, &c[0], "ca.crl");
	assert_int_equal(c[0].err, 0);
	o.crls = c;
	o.ncrls = 1;
	ec_verify_mem(&o, f->der, f->derlen, &r);
	expect_fail(&r, EC_VS_REVOCATION, EC_ERR_REVOKED, "keyCompromise");
	assert_non_null(strstr(r.stage[EC_VS_REVOCATION].msg, "'ca.crl'"));
	ec_date_format(ec_date_from_time(ent.revoked_at), day);
	assert_non_null(strstr(r.stage[EC_VS_REVOCATION].msg, day));
	assert_true(r.revoked);
	/* A token alone is checked by its number. */
	ec_verify_mem(&o, (const unsigned char *)f->tok, strlen(f->tok), &r);
	expect_fail(&r, EC_VS_REVOCATION, EC_ERR_REVOKED, NULL);
	ec_verify_crl_free(&c[0]);

	/* Not listed: valid, checked. */
	crl(f, &f->ca, f->now - 60, &other, 1, &c[0], "ca.crl");
	assert_int_equal(ec_verify_mem(&o, f->der, f->derlen, &r), 0);
	assert_int_equal(r.stage[EC_VS_REVOCATION].res, EC_VR_PASS);
	assert_non_null(strstr(r.stage[EC_VS_REVOCATION].msg, "not revoked"));
	ec_verify_crl_free(&c[0]);

	/* Only a CRL of another trusted CA: not checked, a warning naming the issuing CA. */
	crl(f, &f->ed, f->now - 60, &ent, 1, &c[0], "ed.crl");
	assert_int_equal(ec_verify_mem(&o, f->der, f->derlen, &r), 0);
	assert_int_equal(r.stage[EC_VS_REVOCATION].res, EC_VR_WARN);
	assert_non_null(strstr(r.stage[EC_VS_REVOCATION].msg, f->ca.s.kid));

	/* Stale: made 8 days ago; or checked 8 days after it was made. */
	crl(f, &f->ca, f->now - 8 * 86400, &other, 1, &c[1], "old.crl");
	o.ncrls = 2;
	ec_verify_mem(&o, f->der, f->derlen, &r);
	expect_fail(&r, EC_VS_REVOCATION, EC_ERR_STALE, "'old.crl' is stale");
	ec_verify_crl_free(&c[1]);
	crl(f, &f->ca, f->now - 60, &other, 1, &c[1], "ca.crl");
	assert_int_equal(ec_verify_mem(&o, f->der, f->derlen, &r), 0);
	o.at_time = f->now + 8 * 86400;
	ec_verify_mem(&o, f->der, f->derlen, &r);
	expect_fail(&r, EC_VS_REVOCATION, EC_ERR_STALE, NULL);
	/* A CRL newer than --at is fine. */
	o.at_time = f->now - 86400;
	assert_int_equal(ec_verify_mem(&o, f->der, f->derlen, &r), 0);
	o.at_time = f->now;

	/* A CRL signed by a CA outside the trust bundle cannot be used: nothing verifies. */
	crl(f, &f->other, f->now - 60, &other, 1, &c[2], "forged.crl");
	assert_null(c[2].crl);
	assert_int_not_equal(c[2].err, 0);
	o.ncrls = 3;
	ec_verify_mem(&o, f->der, f->derlen, &r);
	expect_fail(&r, EC_VS_REVOCATION, EC_ERR_SIG, "'forged.crl' is unusable");
	/* A CRL that is not a CRL at all. */
	ec_verify_crl_free(&c[2]);
	ec_verify_crl_load(f->trust, "junk.crl", (const unsigned char *)"junk", 4, &c[2]);
	ec_verify_mem(&o, f->der, f->derlen, &r);
	expect_fail(&r, EC_VS_REVOCATION, EC_ERR_SYNTAX, "'junk.crl' is unusable");
	ec_verify_crl_free(&c[0]);
	ec_verify_crl_free(&c[1]);
	ec_verify_crl_free(&c[2]);
}

/* A libharu PDF with the given attachments and, when not NULL, document information Subject and Title. */
static unsigned char *
pdf_info(const char *const *names, const unsigned char *const *data, const size_t *lens, size_t n,
    const char *subject, const char *title, size_t *len)
{
	char dir[] = "/tmp/test_verify.XXXXXX";
	unsigned char *buf;
	HPDF_UINT32 sz;
	HPDF_Doc doc;
	size_t i;
	int cwd;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	assert_true(cwd >= 0);
	assert_int_equal(chdir(dir), 0);
	doc = HPDF_New(NULL, NULL);
	assert_non_null(doc);
	assert_non_null(HPDF_AddPage(doc));
	if (subject != NULL)
		assert_int_equal(HPDF_SetInfoAttr(doc, HPDF_INFO_SUBJECT, subject), HPDF_OK);
	if (title != NULL)
		assert_int_equal(HPDF_SetInfoAttr(doc, HPDF_INFO_TITLE, title), HPDF_OK);
	for (i = 0; i < n; i++) {
		fp = fopen(names[i], "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(data[i], 1, lens[i], fp), lens[i]);
		fclose(fp);
		assert_non_null(HPDF_AttachFile(doc, names[i]));
		unlink(names[i]);
	}
	assert_int_equal(HPDF_SaveToStream(doc), HPDF_OK);
	sz = HPDF_GetStreamSize(doc);
	buf = malloc(sz);
	assert_non_null(buf);
	assert_int_equal(HPDF_ReadFromStream(doc, buf, &sz), HPDF_OK);
	HPDF_Free(doc);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	rmdir(dir);
	*len = sz;
	return buf;
}

static unsigned char *
pdf_with(const char *const *names, const unsigned char *const *data, const size_t *lens, size_t n, size_t *len)
{
	return pdf_info(names, data, lens, n, NULL, NULL, len);
}

static void
test_pdf(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	struct ec_ecert e2;
	unsigned char *pdf, *der2;
	char tok2[EC_TOKEN_MAX + 1], url[EC_QR_MAX + 1];
	const char *names[2] = { N1 ".der", "qr.txt" };
	const unsigned char *data[2];
	size_t lens[2], len, len2;

	data[0] = f->der;
	lens[0] = f->derlen;
	pdf = pdf_with(names, data, lens, 1, &len);
	assert_int_equal(verify(f, pdf, len, &r), 0);
	expect_valid(&r);
	assert_int_equal(r.kind, EC_VK_PDF);
	assert_string_equal(r.attachment, N1 ".der");
	assert_int_equal(r.stage[EC_VS_CONSISTENCY].res, EC_VR_PASS);
	assert_non_null(strstr(r.stage[EC_VS_CONSISTENCY].msg, "the one the PDF states"));
	assert_false(r.pdf_token);
	/* Truncated. */
	verify(f, pdf, len / 2, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "truncated PDF");
	free(pdf);

	/* The attachment's name and the document information, as lib/render/pdf.c writes them. */
	names[0] = "cert.der";
	pdf = pdf_with(names, data, lens, 1, &len);
	assert_int_equal(verify(f, pdf, len, &r), 0);
	assert_int_equal(r.stage[EC_VS_CONSISTENCY].res, EC_VR_SKIPPED);
	assert_non_null(strstr(r.stage[EC_VS_CONSISTENCY].msg, "embedded e-Cert alone"));
	free(pdf);
	names[0] = N2 ".der";
	pdf = pdf_with(names, data, lens, 1, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_CONSISTENCY, EC_ERR_CORRUPT, "file name");
	free(pdf);
	names[0] = "cert.der";
	pdf = pdf_info(names, data, lens, 1, "e-Cert HCIA-AI 0101 2345 6789 0123 4567 07",
	    "Zo\xc3\xab O'Brien - HCIA-AI Associate", &len);
	assert_int_equal(verify(f, pdf, len, &r), 0);
	assert_int_equal(r.stage[EC_VS_CONSISTENCY].res, EC_VR_PASS);
	free(pdf);
	pdf = pdf_info(names, data, lens, 1, "e-Cert HCIA-AI 0101 9999 9999 9999 9999 44", NULL, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_CONSISTENCY, EC_ERR_CORRUPT, "Subject names number " N2);
	free(pdf);
	pdf = pdf_info(names, data, lens, 1, "e-Cert 01", "Mallory - HCIA-AI Associate - " N2, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_CONSISTENCY, EC_ERR_CORRUPT, "Title names number " N2);
	free(pdf);
	/* Digit runs that are not 22 digits long are not numbers. */
	pdf = pdf_info(names, data, lens, 1, "e-Cert 0101 2345 6789 0123 4567 0", "1234567890123456789012345", &len);
	assert_int_equal(verify(f, pdf, len, &r), 0);
	assert_int_equal(r.stage[EC_VS_CONSISTENCY].res, EC_VR_SKIPPED);
	free(pdf);
	names[0] = N1 ".der";

	/* With its QR URL as a second attachment: compared. */
	assert_int_equal(ec_qr_payload("https://certs.example.org", N1, f->tok, url, sizeof url), 0);
	data[1] = (const unsigned char *)url;
	lens[1] = strlen(url);
	pdf = pdf_with(names, data, lens, 2, &len);
	assert_int_equal(verify(f, pdf, len, &r), 0);
	assert_true(r.pdf_token);
	assert_int_equal(r.stage[EC_VS_CONSISTENCY].res, EC_VR_PASS);
	free(pdf);

	/* The e-Cert swapped for another genuine one (N2, same CA): the token disagrees. */
	facts(f, &e2, &f->ca, N2);
	assert_int_equal(ec_ecert_sign(&f->ca.s, &e2, &der2, &len2), 0);
	data[0] = der2;
	lens[0] = len2;
	pdf = pdf_with(names, data, lens, 2, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_CONSISTENCY, EC_ERR_CORRUPT, "disagree on the number");
	free(pdf);
	free(der2);
	/* A name that differs, with a token that verifies. */
	facts(f, &e2, &f->ca, N1);
	snprintf(e2.name, sizeof e2.name, "Mallory");
	assert_int_equal(ec_token_sign(&f->ca.s, &e2, tok2), 0);
	data[0] = f->der;
	lens[0] = f->derlen;
	data[1] = (const unsigned char *)tok2;
	lens[1] = strlen(tok2);
	pdf = pdf_with(names, data, lens, 2, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_CONSISTENCY, EC_ERR_CORRUPT, "holder name");
	free(pdf);
	/* A forged token in the PDF. */
	tok2[strlen(tok2) - 2] = tok2[strlen(tok2) - 2] == 'A' ? 'B' : 'A';
	pdf = pdf_with(names, data, lens, 2, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_CONSISTENCY, EC_ERR_SIG, "does not verify");
	free(pdf);

	/* The e-Cert swapped for one signed by a CA outside the trust bundle. */
	facts(f, &e2, &f->other, N1);
	assert_int_equal(ec_ecert_sign(&f->other.s, &e2, &der2, &len2), 0);
	data[0] = der2;
	lens[0] = len2;
	pdf = pdf_with(names, data, lens, 1, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_SIGNATURE, EC_ERR_SIG, NULL);
	free(pdf);
	free(der2);

	/* No e-Cert among the attachments, and two of them. */
	data[0] = (const unsigned char *)"hello";
	lens[0] = 5;
	pdf = pdf_with(names, data, lens, 1, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "no e-Cert among");
	free(pdf);
	data[0] = data[1] = f->der;
	lens[0] = lens[1] = f->derlen;
	pdf = pdf_with(names, data, lens, 2, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "more than one e-Cert");
	free(pdf);
	/* No attachment at all. */
	pdf = pdf_with(NULL, NULL, NULL, 0, &len);
	verify(f, pdf, len, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "no attachment found");
	free(pdf);
}

static void
test_garbage(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;

	verify(f, "", 0, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "empty input");
	assert_true(r.cannot_check);
	verify_s(f, "hello world", &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "not a PDF, an e-Cert");
	assert_int_equal(r.kind, EC_VK_UNKNOWN);
	assert_true(r.cannot_check);
	verify_s(f, "a.b", &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, NULL);
	verify_s(f, "aaaa.bbbb.cccc", &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "not a valid token");
	assert_false(r.cannot_check);   /* a token that does not decode was checked, and failed */
	verify(f, "\x30\x82\x01\x00\x00", 5, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "not an e-Cert");
	assert_int_equal(r.kind, EC_VK_DER);
	assert_false(r.cannot_check);
	verify(f, "\x30\x00", 2, &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "not a PDF");
	verify_s(f, "0101 2345 6789 0123 4567 07\n", &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "a certificate number alone cannot be verified offline");
	assert_non_null(strstr(r.stage[EC_VS_FORMAT].msg, N1));
	verify_s(f, "0101-2345-6789-0123-4567-08", &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_CHECKSUM, "typo");
	verify_s(f, "%PDF-1.4\n", &r);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_SYNTAX, "no startxref");
	assert_int_equal(verify(f, "x", EC_VERIFY_MAX_INPUT + 1, &r), EC_ERR_TOOBIG);
	expect_fail(&r, EC_VS_FORMAT, EC_ERR_TOOBIG, "16 MiB");
	assert_true(r.cannot_check);
}

static void
test_json(void **state)
{
	struct fx *f = *state;
	struct ec_verify_result r;
	struct ec_buf b;
	struct ec_verify_opts o = f->o;

	ec_buf_init(&b);
	verify(f, f->der, f->derlen, &r);
	assert_int_equal(ec_verify_json(&r, "c\"1.der", &b), 0);
	assert_non_null(strstr(b.p, "{\"input\":\"c\\\"1.der\",\"kind\":\"der\",\"verdict\":\"valid\",\"valid\":true,"
	    "\"failed_stage\":null,\"reason\":null,\"warnings\":[\"revocation not checked: no CRL given\"],"));
	assert_non_null(strstr(b.p, "{\"stage\":\"format\",\"result\":\"pass\","));
	assert_non_null(strstr(b.p, "{\"stage\":\"consistency\",\"result\":\"skipped\",\"message\":null}"));
	assert_non_null(strstr(b.p, "\"number\":\"" N1 "\",\"number_display\":\"0101 2345 6789 0123 4567 07\""));
	assert_non_null(strstr(b.p, "\"holder\":{\"name\":\"Zo\xc3\xab O'Brien\"}"));
	assert_non_null(strstr(b.p, "\"certification\":{\"code\":\"HCIA-AI\",\"title\":\"HCIA-AI Associate\"}"));
	assert_non_null(strstr(b.p, "\"source\":\"e-cert\""));
	ec_buf_reset(&b);
	o.at = f->e.expires + 1;
	ec_verify_mem(&o, (const unsigned char *)f->tok, strlen(f->tok), &r);
	assert_int_equal(ec_verify_json(&r, "t", &b), 0);
	assert_non_null(strstr(b.p, "\"verdict\":\"not_valid\",\"valid\":false,\"failed_stage\":\"validity\",\"reason\":\"expired on "));
	assert_non_null(strstr(b.p, "\"source\":\"token\""));
	assert_null(strstr(b.p, "\"title\""));
	ec_buf_reset(&b);
	verify_s(f, "junk", &r);
	assert_int_equal(ec_verify_json(&r, "j", &b), 0);
	assert_null(strstr(b.p, "\"certificate\""));
	ec_buf_free(&b);
}

static void
test_read(void **state)
{
	char path[] = "/tmp/test_verify_read.XXXXXX";
	struct fx *f = *state;
	struct ec_verify_result r;
	unsigned char *buf;
	size_t len;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->der, f->derlen), (ssize_t)f->derlen);
	close(fd);
	assert_int_equal(ec_verify_read(path, 1 << 20, &buf, &len), 0);
	assert_int_equal(len, f->derlen);
	assert_memory_equal(buf, f->der, len);
	assert_int_equal(buf[len], 0);
	free(buf);
	assert_int_equal(ec_verify_read(path, 100, &buf, &len), EC_ERR_TOOBIG);
	assert_null(buf);
	assert_non_null(strstr(ec_err_msg(EC_ERR_TOOBIG), "is larger than 100 bytes"));
	assert_int_equal(ec_verify_path(&f->o, path, &r), 0);
	unlink(path);
	assert_int_equal(ec_verify_read(path, 100, &buf, &len), EC_ERR_IO);
	assert_non_null(strstr(ec_err_msg(EC_ERR_IO), "cannot open"));
	assert_int_equal(ec_verify_path(&f->o, path, &r), EC_ERR_IO);
	assert_int_equal(r.failed, EC_VS_FORMAT);
	assert_int_equal(ec_err_exit(r.code), 2);
	assert_int_equal(ec_verify_read("/tmp", 100, &buf, &len), EC_ERR_IO);
	assert_non_null(strstr(ec_err_msg(EC_ERR_IO), "Is a directory"));
	/* A regular file whose size fstat does not know is still read to its end. */
	assert_int_equal(ec_verify_read("/proc/self/status", 1 << 20, &buf, &len), 0);
	assert_true(len > 100);
	assert_int_equal(buf[len - 1], '\n');
	assert_non_null(strstr((char *)buf, "VmRSS"));
	free(buf);
	/* A stream is cut off after max + 1 bytes, never read whole. */
	assert_int_equal(ec_verify_read("/dev/zero", 1000, &buf, &len), EC_ERR_TOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_der_pem),
		cmocka_unit_test(test_pem_pinned),
		cmocka_unit_test(test_token_url),
		cmocka_unit_test(test_flipped_token),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_unknown_ca),
		cmocka_unit_test(test_issuer_time),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_revocation),
		cmocka_unit_test(test_root_revocation),
		cmocka_unit_test(test_pdf),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests_name("verify", tests, setup, teardown);
}
