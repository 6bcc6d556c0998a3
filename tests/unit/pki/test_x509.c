/*
 * Unit tests for lib/sign/cert_sign.c, lib/pki/cert_parse.c, lib/pki/trust.c and lib/sign/cacert.c: the e-Cert profile,
 * strict parsing, signatures across rotation, P-256 and Ed25519. With EC_TEST_OUT and ECERT_HOME set,
 * only test_export runs: it signs e-Certs with the CA in ECERT_HOME into EC_TEST_OUT (tests/e2e/ca.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "buf.h"
#include "ca.h"
#include "cert.h"
#include "conf.h"
#include "date.h"
#include "der.h"
#include "ecx509.h"
#include "err.h"
#include "key.h"
#include "number.h"
#include "signer.h"
#include "../helper_tmp.h"

#define PASS "issuing pass"
#define ROOT_PASS "root pass"

static const char *const names[] = {
	"Zoë O'Brien",                     /* Latin with a diaeresis and an apostrophe */
	"Анна Каренина",                   /* Cyrillic */
	"Γιώργος Παπαδόπουλος",            /* Greek */
	"李瑞瑞",                           /* CJK */
};

struct fx {
	char dir[64], ed[64];
	struct ec_signer *old, *cur, *ed_s;   /* old: signed before the rotation, cur: after it */
	unsigned char *old_der;                /* an e-Cert by old, made before the rotation */
	size_t old_len;
	struct ec_trust *trust, *ed_trust;
};

static int
make_ca(char *dir, size_t size, const char *tmpl, enum ec_alg alg)
{
	struct ec_conf c;

	snprintf(dir, size, "%s", tmpl);
	if (mkdtemp(dir) == NULL)
		return -1;
	memset(&c, 0, sizeof c);
	snprintf(c.org, sizeof c.org, "Example Cert Body");
	snprintf(c.public_url, sizeof c.public_url, "https://verify.example.org");
	snprintf(c.tz, sizeof c.tz, "UTC");
	c.alg = alg;
	return ec_ca_init(dir, &c, ROOT_PASS, strlen(ROOT_PASS), PASS, strlen(PASS));
}

static void
facts(struct ec_ecert *e, const struct ec_signer *s, const char *name)
{
	ec_day today = ec_date_from_time((int64_t)time(NULL));

	memset(e, 0, sizeof *e);
	assert_int_equal(ec_number_generate(101, e->number), 0);
	snprintf(e->name, sizeof e->name, "%s", name);
	snprintf(e->code, sizeof e->code, "HCIA-AI");
	snprintf(e->title, sizeof e->title, "HCIA-AI V3.0 — Certified ICT Associate");
	e->format = EC_FORMAT_ELECTRONIC;
	e->effective = today - 10;
	e->expires = ec_date_expiry(e->effective, 3);
	e->issued_at = (int64_t)time(NULL);
	memcpy(e->kid, s->kid, sizeof e->kid);
}

static int
group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct ec_ecert e;
	char path[128];

	if (f == NULL || make_ca(f->dir, sizeof f->dir, "/tmp/ecert-test-x509.XXXXXX", EC_ALG_P256) ||
	    make_ca(f->ed, sizeof f->ed, "/tmp/ecert-test-x509ed.XXXXXX", EC_ALG_ED25519))
		return -1;
	if (ec_ca_signer_load(f->dir, NULL, PASS, strlen(PASS), &f->old))
		return -1;
	facts(&e, f->old, names[0]);
	if (ec_ecert_sign(f->old, &e, &f->old_der, &f->old_len))
		return -1;
	if (ec_ca_rotate(f->dir, ROOT_PASS, strlen(ROOT_PASS), PASS, strlen(PASS), NULL) ||
	    ec_ca_signer_load(f->dir, NULL, PASS, strlen(PASS), &f->cur) ||
	    ec_ca_signer_load(f->ed, NULL, PASS, strlen(PASS), &f->ed_s))
		return -1;
	snprintf(path, sizeof path, "%s/trust.pem", f->dir);
	if (ec_trust_load(path, &f->trust))
		return -1;
	snprintf(path, sizeof path, "%s/trust.pem", f->ed);
	if (ec_trust_load(path, &f->ed_trust))
		return -1;
	*state = f;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fx *f = *state;

	helper_rmtree(f->dir);
	helper_rmtree(f->ed);
	ec_trust_free(f->trust);
	ec_trust_free(f->ed_trust);
	ec_signer_free(f->old);
	ec_signer_free(f->cur);
	ec_signer_free(f->ed_s);
	free(f->old_der);
	free(f);
	return 0;
}

/* Sign, parse, compare every field, verify against the bundle. */
static void
round_trip(const struct ec_signer *s, const struct ec_trust *t, const struct ec_ecert *e)
{
	struct ec_ecert got, sig;
	unsigned char *der = NULL;
	size_t len = 0;
	X509 *x = NULL;

	assert_int_equal(ec_ecert_sign(s, e, &der, &len), 0);
	assert_int_equal(ec_ecert_parse(der, len, &got, &x), 0);
	assert_string_equal(got.number, e->number);
	assert_memory_equal(got.name, e->name, strlen(e->name) + 1);
	assert_string_equal(got.code, e->code);
	assert_string_equal(got.title, e->title);
	assert_int_equal(got.effective, e->effective);
	assert_int_equal(got.expires, e->expires);
	/* register facts, not signed into profile v2 */
	assert_int_equal(got.format, EC_FORMAT_ELECTRONIC);
	assert_int_equal(got.issued_at, 0);
	assert_string_equal(got.renewal_of, "");
	assert_string_equal(got.kid, s->kid);   /* read from the AKI, before any signature check */
	memset(&sig, 0, sizeof sig);
	assert_int_equal(ec_trust_check_signature(t, x, &sig), 0);
	assert_string_equal(sig.kid, s->kid);
	assert_int_equal(ec_trust_check_issuer_span(t, got.kid, got.expires), 0);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), s->placeholder), 1);
	/* The one-step path gives the same facts. */
	memset(&sig, 0xff, sizeof sig);
	assert_int_equal(ec_ecert_verify(t, der, len, &sig), 0);
	assert_memory_equal(&sig, &got, sizeof sig);
	X509_free(x);
	free(der);
}

static void
test_round_trip_names(void **state)
{
	struct fx *f = *state;
	struct ec_ecert e;
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		facts(&e, f->cur, names[i]);
		round_trip(f->cur, f->trust, &e);
		facts(&e, f->ed_s, names[i]);
		round_trip(f->ed_s, f->ed_trust, &e);
	}
}

static void
test_renewal_and_paper(void **state)
{
	struct fx *f = *state;
	struct ec_ecert e;

	facts(&e, f->cur, names[3]);
	e.format = EC_FORMAT_PAPER;
	assert_int_equal(ec_number_generate(101, e.renewal_of), 0);
	round_trip(f->cur, f->trust, &e);
	facts(&e, f->cur, names[1]);
	e.format = EC_FORMAT_PAPER;
	round_trip(f->cur, f->trust, &e);
	/* A one-day e-Cert. */
	facts(&e, f->cur, "A");
	e.expires = e.effective;
	round_trip(f->cur, f->trust, &e);
}

/*
 * The reference: the e-Cert of profile v2 built with OpenSSL's X509 API. The hand encoder from a
 * skeleton must write exactly these bytes.
 */
static X509 *
ref_build(const struct ec_signer *s, const struct ec_ecert *e)
{
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	BIGNUM *bn = NULL;
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	CRL_DIST_POINTS *dps = CRL_DIST_POINTS_new();
	DIST_POINT *dp = DIST_POINT_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *uri = ASN1_IA5STRING_new();

	assert_non_null(x);
	assert_true(X509_set_version(x, X509_VERSION_3) && BN_dec2bn(&bn, e->number) &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
	    X509_set_issuer_name(x, X509_get_subject_name(s->cert)) &&
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)((int64_t)e->effective * 86400)) != NULL &&
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)((int64_t)e->expires * 86400 + 86399)) != NULL);
	assert_true(X509_set_pubkey(x, s->placeholder));
	assert_true(X509_NAME_add_entry_by_NID(nm, NID_commonName, V_ASN1_UTF8STRING, (const unsigned char *)e->name,
	    (int)strlen(e->name), -1, 0) && X509_NAME_add_entry_by_NID(nm, NID_serialNumber, V_ASN1_PRINTABLESTRING,
	    (const unsigned char *)e->number, EC_NUMBER_DIGITS, -1, 0) &&
	    X509_NAME_add_entry_by_NID(nm, NID_title, V_ASN1_UTF8STRING, (const unsigned char *)e->code,
	    (int)strlen(e->code), -1, 0) &&
	    X509_NAME_add_entry_by_NID(nm, NID_description, V_ASN1_UTF8STRING, (const unsigned char *)e->title,
	    (int)strlen(e->title), -1, 0) && X509_set_subject_name(x, nm));
	bc->ca = 0;
	akid->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(s->cert));
	assert_true(X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) == 1 &&
	    X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT) == 1);
	assert_true(ASN1_STRING_set(uri, s->crl_url, -1));
	GENERAL_NAME_set0_value(gn, GEN_URI, uri);
	dp->distpoint = DIST_POINT_NAME_new();
	dp->distpoint->type = 0;
	dp->distpoint->name.fullname = GENERAL_NAMES_new();
	assert_true(sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gn) && sk_DIST_POINT_push(dps, dp));
	assert_int_equal(X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0, X509V3_ADD_DEFAULT), 1);
	CRL_DIST_POINTS_free(dps);
	AUTHORITY_KEYID_free(akid);
	BASIC_CONSTRAINTS_free(bc);
	BN_free(bn);
	X509_NAME_free(nm);
	return x;
}

/* The hand-encoded TBSCertificate of e equals OpenSSL's, byte for byte. */
static void
pin_tbs(const struct ec_signer *s, const struct ec_ecert *e)
{
	unsigned char tbs[EC_FAST_DER_MAX], *ref = NULL;
	size_t n;
	int rn;
	X509 *x = ref_build(s, e);

	assert_non_null(s->fast);
	assert_int_equal(ec_tbs_encode(&s->fast->skel, e, tbs, sizeof tbs, &n), 0);
	/* signing sets the TBS's algorithm identifier */
	assert_true(X509_sign(x, s->key, s->alg == EC_ALG_P256 ? EVP_sha256() : NULL) > 0);
	assert_true((rn = i2d_re_X509_tbs(x, &ref)) > 0);
	assert_int_equal(n, (size_t)rn);
	assert_memory_equal(tbs, ref, n);
	OPENSSL_free(ref);
	X509_free(x);
}

/*
 * The fast path pinned to OpenSSL's: the to-be-signed bytes agree for every shape of facts (UTCTime
 * and GeneralizedTime validity, serials with the top bit set, long and non-Latin names, renewals),
 * both signatures verify (ECDSA signs differently each time; Ed25519 gives the very same DER), and the
 * fast reader's facts are the full parser's.
 */
static void
test_fast_pinned(void **state)
{
	static const unsigned programmes[] = { 0, 101, 3000, 9999 };
	struct fx *f = *state;
	struct ec_signer *signers[2] = { f->cur, f->ed_s };
	const struct ec_trust *trusts[2] = { f->trust, f->ed_trust };
	struct ec_ecert e, got, slow;
	struct ec_ecert_fast fast;
	struct ec_ecert_raw raw;
	unsigned char *der, *ref, *p;
	char longname[EC_NAME_MAX_BYTES + 1];
	size_t i, k, len;
	int rlen;
	X509 *x;

	for (i = 0; i < EC_NAME_MAX_CP; i++)
		memcpy(longname + 3 * i, "瑞", 3);
	longname[3 * EC_NAME_MAX_CP] = '\0';
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 12; i++) {
			facts(&e, signers[k], i < 4 ? names[i] : i == 4 ? longname : names[i % 4]);
			assert_int_equal(ec_number_generate(programmes[i % 4], e.number), 0);
			if (i % 3 == 1)
				assert_int_equal(ec_number_generate(101, e.renewal_of), 0);
			e.format = i % 2 ? EC_FORMAT_PAPER : EC_FORMAT_ELECTRONIC;
			if (i % 4 == 2) {   /* a code outside PrintableString, a title of the longest length */
				snprintf(e.code, sizeof e.code, "HCNA-R&S");
				memset(e.title, 'T', EC_TITLE_MAX);
				e.title[EC_TITLE_MAX] = '\0';
			}
			if (i >= 8) {
				/* across and past 2049: GeneralizedTime validity (beyond the CA: TBS only) */
				e.effective = ec_date_from_time(INT64_C(2524608000)) - 1 - (ec_day)(i - 8) * 400;
				e.expires = e.effective + 3000;
				e.issued_at = INT64_C(2524608000) + 1234;
				pin_tbs(signers[k], &e);
				continue;
			}
			pin_tbs(signers[k], &e);
			assert_int_equal(ec_ecert_sign(signers[k], &e, &der, &len), 0);
			x = ref_build(signers[k], &e);
			assert_true(X509_sign(x, signers[k]->key, k == 0 ? EVP_sha256() : NULL) > 0);
			ref = NULL;
			assert_true((rlen = i2d_X509(x, &ref)) > 0);
			if (k == 1) {
				assert_int_equal(len, (size_t)rlen);
				assert_memory_equal(der, ref, len);
			}
			X509_free(x);
			/* both verify with the issuing CA's key */
			p = der;
			assert_non_null(x = d2i_X509(NULL, (const unsigned char **)&p, (long)len));
			assert_int_equal(X509_verify(x, X509_get0_pubkey(signers[k]->cert)), 1);
			X509_free(x);
			p = ref;
			assert_non_null(x = d2i_X509(NULL, (const unsigned char **)&p, rlen));
			assert_int_equal(X509_verify(x, X509_get0_pubkey(signers[k]->cert)), 1);
			X509_free(x);
			OPENSSL_free(ref);
			/* the fast reader and the full parser agree, and so do both verifications */
			assert_int_equal(ec_ecert_read(der, len, &got, &fast), 0);
			assert_int_equal(ec_ecert_decode(der, len, &slow, &raw), 0);
			assert_memory_equal(fast.aki, raw.aki, EC_SKI_LEN);
			assert_int_equal(fast.tbslen, raw.tbslen);
			assert_ptr_equal(fast.tbs, raw.tbs);
			ec_ecert_raw_free(&raw);
			memcpy(got.kid, slow.kid, sizeof got.kid);
			assert_memory_equal(&got, &slow, sizeof got);
			assert_int_equal(ec_ecert_verify(trusts[k], der, len, &got), 0);
			assert_string_equal(got.kid, signers[k]->kid);
			free(der);
		}
	}
}

/* Certificates the fast reader refuses go to the full parser, which still takes what it took before. */
static void
test_fast_falls_back(void **state)
{
	struct fx *f = *state;
	struct ec_ecert e, got;
	struct ec_ecert_fast fast;
	unsigned char *ref = NULL;
	int rlen;
	X509 *x;

	/* extensions in another order: valid for the profile, not what our encoder writes */
	facts(&e, f->cur, names[0]);
	x = ref_build(f->cur, &e);
	X509_EXTENSION *bc = X509_delete_ext(x, 0);
	assert_true(X509_add_ext(x, bc, -1));
	X509_EXTENSION_free(bc);
	assert_true(X509_sign(x, f->cur->key, EVP_sha256()) > 0);
	assert_true((rlen = i2d_X509(x, &ref)) > 0);
	assert_int_equal(ec_ecert_read(ref, (size_t)rlen, &got, &fast), -1);
	assert_int_equal(ec_ecert_verify(f->trust, ref, (size_t)rlen, &got), 0);
	assert_string_equal(got.number, e.number);
	OPENSSL_free(ref);
	X509_free(x);
}

/* Both issuing CAs, the retired one included, verify against the one bundle; the retired one signs no more. */
static void
test_rotation(void **state)
{
	struct fx *f = *state;
	struct ec_signer *again = NULL;
	struct ec_ecert e, got;
	unsigned char *der = NULL;
	size_t len = 0;
	X509 *x = NULL;

	assert_string_not_equal(f->old->kid, f->cur->kid);
	assert_int_equal(f->old->retired, 0);
	assert_int_equal(f->cur->retired, 0);
	assert_int_equal(ec_ecert_parse(f->old_der, f->old_len, &got, &x), 0);
	assert_int_equal(ec_trust_check_signature(f->trust, x, &got), 0);
	assert_string_equal(got.kid, f->old->kid);
	X509_free(x);
	assert_non_null(ec_trust_issuer(f->trust, f->old->kid));
	assert_non_null(ec_trust_issuer(f->trust, f->cur->kid));
	assert_null(ec_trust_issuer(f->trust, "AAAAAAAAAAA"));
	assert_null(ec_trust_issuer(f->ed_trust, f->cur->kid));

	assert_int_equal(ec_ca_signer_load(f->dir, f->old->kid, PASS, strlen(PASS), &again), 0);
	assert_int_equal(again->retired, 1);
	facts(&e, again, names[0]);
	assert_int_equal(ec_ecert_sign(again, &e, &der, &len), EC_ERR_REFUSED);
	assert_null(der);
	ec_signer_free(again);

	/* An e-Cert of one CA does not verify against another CA's bundle. */
	assert_int_equal(ec_ecert_parse(f->old_der, f->old_len, &got, &x), 0);
	assert_int_equal(ec_trust_check_signature(f->ed_trust, x, &got), EC_ERR_SIG);
	assert_int_equal(ec_ecert_verify(f->ed_trust, f->old_der, f->old_len, &got), EC_ERR_SIG);
	assert_int_equal(ec_ecert_verify(f->trust, f->old_der, f->old_len, &got), 0);
	assert_string_equal(got.kid, f->old->kid);
	X509_free(x);
}

static void
test_trailing_and_truncated(void **state)
{
	struct fx *f = *state;
	unsigned char *buf = malloc(f->old_len + 1);
	struct ec_ecert got;

	assert_non_null(buf);
	memcpy(buf, f->old_der, f->old_len);
	buf[f->old_len] = 0;
	assert_int_equal(ec_ecert_parse(buf, f->old_len + 1, &got, NULL), EC_ERR_SYNTAX);
	assert_int_equal(ec_ecert_verify(f->trust, buf, f->old_len + 1, &got), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "trailing"));
	assert_int_equal(ec_ecert_parse(buf, f->old_len - 1, &got, NULL), EC_ERR_SYNTAX);
	assert_int_equal(ec_ecert_parse(buf, 0, &got, NULL), EC_ERR_SYNTAX);
	assert_int_equal(ec_ecert_parse(buf, f->old_len, &got, NULL), 0);
	free(buf);
}

/* No single flipped bit anywhere gives an e-Cert that both parses and verifies. */
static void
test_flip_every_byte(void **state)
{
	struct fx *f = *state;
	unsigned char *buf = malloc(f->old_len);
	struct ec_ecert got;
	size_t i, parsed = 0;
	X509 *x;

	assert_non_null(buf);
	for (i = 0; i < f->old_len; i++) {
		memcpy(buf, f->old_der, f->old_len);
		buf[i] ^= 0x01;
		if (ec_ecert_parse(buf, f->old_len, &got, &x) != 0)
			continue;
		parsed++;
		assert_int_equal(ec_trust_check_signature(f->trust, x, &got), EC_ERR_SIG);
		assert_int_equal(ec_ecert_verify(f->trust, buf, f->old_len, &got), EC_ERR_SIG);
		X509_free(x);
	}
	assert_true(parsed > 0);   /* some flips (in the name, say) parse and are caught by the signature */
	free(buf);
}

/* The chain passes OpenSSL's own strict verification, as `openssl verify -x509_strict` does. */
static void
test_openssl_strict_chain(void **state)
{
	struct fx *f = *state;
	struct ec_signer *signers[2] = { f->cur, f->ed_s };
	const char *dirs[2] = { f->dir, f->ed };
	char path[128];
	struct ec_ecert e;
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t len, i;
	X509_STORE *store;
	X509_STORE_CTX *ctx;
	STACK_OF(X509) *untrusted;
	X509 *x;

	for (i = 0; i < 2; i++) {
		facts(&e, signers[i], names[3]);
		assert_int_equal(ec_ecert_sign(signers[i], &e, &der, &len), 0);
		p = der;
		x = d2i_X509(NULL, &p, (long)len);
		assert_non_null(x);
		store = X509_STORE_new();
		snprintf(path, sizeof path, "%s/certs/root.pem", dirs[i]);
		assert_int_equal(X509_STORE_load_file(store, path), 1);
		X509_STORE_set_flags(store, X509_V_FLAG_X509_STRICT);
		untrusted = sk_X509_new_null();
		assert_int_equal(sk_X509_push(untrusted, signers[i]->cert), 1);
		ctx = X509_STORE_CTX_new();
		assert_int_equal(X509_STORE_CTX_init(ctx, store, x, untrusted), 1);
		assert_int_equal(X509_verify_cert(ctx), 1);
		X509_STORE_CTX_free(ctx);
		sk_X509_free(untrusted);
		X509_STORE_free(store);
		X509_free(x);
		free(der);
	}
}

/* Re-sign der with s after mutate changed it, so that only the parser can object. */
typedef void (*mutator)(X509 *x);

static void
expect_rejected(const struct ec_signer *s, const unsigned char *der, size_t len, mutator fn, int want)
{
	const unsigned char *p = der;
	unsigned char *out = NULL;
	struct ec_ecert got;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	const EVP_MD *md = NULL;
	int n;

	assert_non_null(x);
	fn(x);
	assert_int_equal(ec_sign_md(s->key, &md), 0);
	assert_true(X509_sign(x, s->key, md) > 0);
	n = i2d_X509(x, &out);
	assert_true(n > 0);
	assert_int_equal(ec_ecert_parse(out, (size_t)n, &got, NULL), want);
	OPENSSL_free(out);
	X509_free(x);
}

static void m_noop(X509 *x) { (void)x; }

/* Replace subject RDN i by attribute nid of string type `type` holding v[0..n), at the same place. */
static void
set_rdn(X509 *x, int i, int nid, int type, const char *v, int n)
{
	X509_NAME *nm = X509_get_subject_name(x);

	/* Delete and add rather than edit in place, so the name's cached encoding is dropped. */
	X509_NAME_ENTRY_free(X509_NAME_delete_entry(nm, i));
	assert_int_equal(X509_NAME_add_entry_by_NID(nm, nid, type, (const unsigned char *)v, n, i, 0), 1);
}

static void m_empty_code(X509 *x) { set_rdn(x, 2, NID_title, V_ASN1_UTF8STRING, "", 0); }
static void m_control(X509 *x) { set_rdn(x, 3, NID_description, V_ASN1_UTF8STRING, "a\nb", 3); }
static void m_code_type(X509 *x) { set_rdn(x, 2, NID_title, V_ASN1_PRINTABLESTRING, "HCIA-AI", 7); }
static void m_code_long(X509 *x) { set_rdn(x, 2, NID_title, V_ASN1_UTF8STRING, "HCIA-AI-0123456789-0123456789-01", 32); }
static void m_title_as_ou(X509 *x) { set_rdn(x, 3, NID_organizationalUnitName, V_ASN1_UTF8STRING, "HCIA-AI V3.0", 12); }
static void m_no_title(X509 *x) { X509_NAME_ENTRY_free(X509_NAME_delete_entry(X509_get_subject_name(x), 3)); }

/* Two attributes in one RDN (a multi-valued RDN): not the profile's one attribute per RDN. */
static void
m_multi_rdn(X509 *x)
{
	X509_NAME *nm = X509_get_subject_name(x);

	X509_NAME_ENTRY_free(X509_NAME_delete_entry(nm, 3));
	assert_int_equal(X509_NAME_add_entry_by_NID(nm, NID_description, V_ASN1_UTF8STRING,
	    (const unsigned char *)"HCIA-AI V3.0", -1, 2, 1), 1);
}

/* The private extension of profile v1, under an OID arc no other stack reads. */
static void
m_private_ext(X509 *x)
{
	ASN1_OBJECT *obj = OBJ_txt2obj("2.25.319967362287923711135213455954971833043.1", 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext;

	assert_non_null(obj);
	assert_int_equal(ASN1_OCTET_STRING_set(os, (const unsigned char *)"\x30\x00", 2), 1);
	assert_non_null(ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os));
	assert_true(X509_add_ext(x, ext, -1));
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

static void
m_extra_ext(X509 *x)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();

	ASN1_BIT_STRING_set_bit(ku, 0, 1);
	assert_int_equal(X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT), 1);
	ASN1_BIT_STRING_free(ku);
}

static void
m_ca_true(X509 *x)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();

	bc->ca = 1;
	assert_int_equal(X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_REPLACE), 1);
	BASIC_CONSTRAINTS_free(bc);
}

static void
m_subject_number(X509 *x)
{
	X509_NAME *nm = X509_get_subject_name(x);

	/* Delete and add rather than edit in place, so the name's cached encoding is dropped. */
	X509_NAME_ENTRY_free(X509_NAME_delete_entry(nm, 1));
	assert_int_equal(X509_NAME_add_entry_by_NID(nm, NID_serialNumber, V_ASN1_PRINTABLESTRING,
	    (const unsigned char *)"0101234567890123456707", 22, -1, 0), 1);
}

static void
m_cn_printable(X509 *x)
{
	X509_NAME *nm = X509_get_subject_name(x);

	X509_NAME_ENTRY_free(X509_NAME_delete_entry(nm, 0));
	assert_int_equal(X509_NAME_add_entry_by_NID(nm, NID_commonName, V_ASN1_PRINTABLESTRING,
	    (const unsigned char *)"Zoe", 3, 0, 0), 1);
}

static void
m_extra_rdn(X509 *x)
{
	assert_int_equal(X509_NAME_add_entry_by_NID(X509_get_subject_name(x), NID_organizationName, MBSTRING_UTF8,
	    (const unsigned char *)"Org", -1, -1, 0), 1);
}

static void
m_serial(X509 *x)
{
	ASN1_INTEGER *sn = X509_get_serialNumber(x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);

	BN_add_word(bn, 1);   /* the check digits no longer agree */
	BN_to_ASN1_INTEGER(bn, sn);
	BN_free(bn);
}

static void
m_not_midnight(X509 *x)
{
	ASN1_TIME_adj(X509_getm_notBefore(x), 86400 * 20000 + 1, 0, 0);
}

static void
m_negative_serial(X509 *x)
{
	ASN1_INTEGER_set(X509_get_serialNumber(x), -5);
}

/* RFC 5280: GeneralizedTime only from 2050 on, always with seconds and Z. */
static void m_gentime_2050(X509 *x) { assert_int_equal(ASN1_TIME_set_string(X509_getm_notAfter(x), "20500101235959Z"), 1); }
static void m_gentime_2030(X509 *x) { assert_int_equal(ASN1_TIME_set_string(X509_getm_notAfter(x), "20301231235959Z"), 1); }
static void m_utctime_seconds(X509 *x) { assert_int_equal(ASN1_TIME_set_string(X509_getm_notAfter(x), "3012312359Z"), 1); }

static void
test_strict_parse(void **state)
{
	struct fx *f = *state;
	static const mutator bad[] = {
		m_empty_code, m_control, m_code_type, m_code_long, m_title_as_ou, m_no_title, m_multi_rdn,
		m_private_ext, m_extra_ext, m_ca_true, m_subject_number, m_cn_printable,
		m_extra_rdn, m_serial, m_not_midnight, m_negative_serial, m_gentime_2030, m_utctime_seconds,
	};
	size_t i;

	expect_rejected(f->old, f->old_der, f->old_len, m_noop, 0);   /* the control: re-signing alone is fine */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		expect_rejected(f->cur, f->old_der, f->old_len, bad[i], EC_ERR_SYNTAX);
	expect_rejected(f->cur, f->old_der, f->old_len, m_gentime_2050, 0);
}

static void
test_sign_refuses(void **state)
{
	struct fx *f = *state;
	unsigned char *der = NULL;
	struct ec_ecert e;
	size_t len = 0;
	char longname[EC_NAME_MAX_BYTES + 1];

	facts(&e, f->cur, names[0]);
	memcpy(e.kid, f->old->kid, sizeof e.kid);
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	facts(&e, f->cur, names[0]);
	e.number[21] = e.number[21] == '0' ? '1' : '0';
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	facts(&e, f->cur, "");
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	facts(&e, f->cur, "Tab\tName");
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	memset(longname, 'a', 65);
	longname[65] = '\0';
	facts(&e, f->cur, longname);
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	longname[64] = '\0';
	facts(&e, f->cur, longname);
	round_trip(f->cur, f->trust, &e);
	facts(&e, f->cur, "\xff\xfe");
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	facts(&e, f->cur, names[0]);
	e.expires = e.effective - 1;
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	facts(&e, f->cur, names[0]);
	snprintf(e.title, sizeof e.title, "a\tb");
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	facts(&e, f->cur, names[0]);
	e.code[0] = '\0';
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_ARG);
	facts(&e, f->cur, names[0]);
	e.expires = ec_date_expiry(e.effective, 40);   /* past the issuing CA: rotate first */
	assert_int_equal(ec_ecert_sign(f->cur, &e, &der, &len), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "rotate"));
	assert_null(der);
}

/* A bundle from another CA, a broken bundle, an issuing CA without its root. */
static void
test_trust_load(void **state)
{
	struct fx *f = *state;
	struct ec_trust *t = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	char path[128];
	X509 *root = NULL;

	assert_int_equal(ec_trust_load_mem("", 0, &t), EC_ERR_SYNTAX);
	assert_int_equal(ec_trust_load_mem("garbage\n", 8, &t), EC_ERR_SYNTAX);
	assert_int_equal(ec_trust_load_mem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 60, &t),
	    EC_ERR_SYNTAX);
	assert_null(t);
	/* Only the issuing CA: no root to chain it to. */
	assert_int_equal(PEM_write_bio_X509(bio, f->cur->cert), 1);
	n = BIO_get_mem_data(bio, &data);
	assert_int_equal(ec_trust_load_mem(data, (size_t)n, &t), EC_ERR_SYNTAX);
	/* The issuing CA of one directory with the root of another. */
	snprintf(path, sizeof path, "%s/certs/root.pem", f->ed);
	{
		FILE *fp = fopen(path, "r");

		assert_non_null(fp);
		root = PEM_read_X509(fp, NULL, NULL, NULL);
		fclose(fp);
	}
	assert_non_null(root);
	assert_int_equal(PEM_write_bio_X509(bio, root), 1);
	n = BIO_get_mem_data(bio, &data);
	assert_int_equal(ec_trust_load_mem(data, (size_t)n, &t), EC_ERR_SIG);
	assert_null(t);
	snprintf(path, sizeof path, "%s/no-such-trust.pem", f->dir);
	assert_int_equal(ec_trust_load(path, &t), EC_ERR_IO);
	X509_free(root);
	BIO_free(bio);
}

/* The issuing CAs' keys as a JWK set: kid, alg and the very key of each, P-256 and Ed25519. */
static void
test_jwks(void **state)
{
	struct fx *f = *state;
	const struct ec_trust *ts[2] = { f->trust, f->ed_trust };
	const struct ec_signer *ss[2] = { f->cur, f->ed_s };
	unsigned char pt[65], raw[32];
	char x[48], want[160];
	struct ec_buf b;
	size_t n, i;

	for (i = 0; i < 2; i++) {
		ec_buf_init(&b);
		assert_int_equal(ec_trust_jwks(ts[i], &b), 0);
		assert_int_equal(strncmp(b.p, "{\"keys\":[{", 10), 0);
		snprintf(want, sizeof want, "\"kid\":\"%s\",\"alg\":\"%s\"", ss[i]->kid, i == 0 ? "ES256" : "EdDSA");
		assert_non_null(strstr(b.p, want));
		if (i == 0) {
			n = sizeof pt;
			assert_int_equal(EVP_PKEY_get_octet_string_param(X509_get0_pubkey(ss[i]->cert),
			    "encoded-pub-key", pt, sizeof pt, &n), 1);
			assert_int_equal(ec_b64url_encode(pt + 1, 32, x, sizeof x), 0);
			assert_non_null(strstr(b.p, "\"kty\":\"EC\",\"crv\":\"P-256\""));
		} else {
			n = sizeof raw;
			assert_int_equal(EVP_PKEY_get_raw_public_key(X509_get0_pubkey(ss[i]->cert), raw, &n), 1);
			assert_int_equal(ec_b64url_encode(raw, 32, x, sizeof x), 0);
			assert_non_null(strstr(b.p, "\"kty\":\"OKP\",\"crv\":\"Ed25519\""));
		}
		snprintf(want, sizeof want, "\"x\":\"%s\"", x);
		assert_non_null(strstr(b.p, want));
		/* the rotated P-256 bundle publishes the retired issuing CA too: old QR codes still check */
		if (i == 0)
			assert_non_null(strstr(b.p, f->old->kid));
		ec_buf_free(&b);
	}
}

/*
 * CA certificates are strict DER down into their extensions: every one ec_ca_init and ec_ca_rotate
 * wrote passes, and a root whose basicConstraints says cA as 01 (what OpenSSL writes for ca = 1, the
 * profile v1 defect Go and Python refuse) is refused by name, although OpenSSL itself verifies it.
 */
static void
test_ca_der(void **state)
{
	struct fx *f = *state;
	struct ec_trust *t = NULL;
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	X509 *x = X509_new();
	X509_NAME *nm = X509_NAME_new();
	BIO *bio = BIO_new(BIO_s_mem());
	EVP_PKEY *k = NULL;
	unsigned char *der = NULL;
	char *data;
	long n;
	int len;

	len = i2d_X509(f->cur->cert, &der);
	assert_true(len > 0);
	assert_int_equal(ec_der_check(der, (size_t)len), 0);
	assert_int_equal(ec_der_check_exts(X509_get0_extensions(f->cur->cert)), 0);
	assert_non_null(memmem(der, (size_t)len, "\x30\x06\x01\x01\xff\x02\x01\x00", 8));   /* CA:TRUE, pathlen 0 */
	OPENSSL_free(der);
	assert_int_equal(ec_key_generate(EC_ALG_P256, &k), 0);
	assert_true(X509_set_version(x, X509_VERSION_3) && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) &&
	    X509_NAME_add_entry_by_NID(nm, NID_commonName, MBSTRING_UTF8, (const unsigned char *)"R", -1, -1, 0) &&
	    X509_set_subject_name(x, nm) && X509_set_issuer_name(x, nm) && X509_set_pubkey(x, k) &&
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) && X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	bc->ca = 1;
	assert_int_equal(X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT), 1);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_int_equal(X509_verify(x, k), 1);
	assert_int_equal(PEM_write_bio_X509(bio, x), 1);
	n = BIO_get_mem_data(bio, &data);
	assert_int_equal(ec_trust_load_mem(data, (size_t)n, &t), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "Basic Constraints: not DER: BOOLEAN"));
	assert_null(t);
	BIO_free(bio);
	X509_NAME_free(nm);
	X509_free(x);
	EVP_PKEY_free(k);
	BASIC_CONSTRAINTS_free(bc);
}

/* An issuing CA that has expired stays in the bundle (old e-Certs stay valid); issue time is checked. */
static void
test_expired_issuer_kept(void **state)
{
	struct fx *f = *state;
	struct ec_trust *t = NULL;
	EVP_PKEY *root_key = NULL, *k = NULL;
	X509 *root = NULL, *iss = NULL;
	char kid[EC_KID_LEN + 1], path[128];
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	FILE *fp;

	snprintf(path, sizeof path, "%s/keys/root.key", f->dir);
	assert_int_equal(ec_key_load(path, ROOT_PASS, strlen(ROOT_PASS), &root_key), 0);
	snprintf(path, sizeof path, "%s/certs/root.pem", f->dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	root = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_int_equal(ec_key_generate(EC_ALG_P256, &k), 0);
	assert_int_equal(ec_kid_of_pkey(k, kid), 0);
	/* From 2000 for 15 years: long expired. */
	assert_int_equal(ec_cacert_issuing(root, root_key, k, "Example Cert Body", kid, "https://verify.example.org/crl/root.crl",
	    INT64_C(946684800), &iss), 0);
	assert_int_equal(PEM_write_bio_X509(bio, root), 1);
	assert_int_equal(PEM_write_bio_X509(bio, iss), 1);
	n = BIO_get_mem_data(bio, &data);
	assert_int_equal(ec_trust_load_mem(data, (size_t)n, &t), 0);
	assert_non_null(ec_trust_issuer(t, kid));
	/* an e-Cert may start before its CA (the exam day) but must end inside it */
	assert_int_equal(ec_trust_check_issuer_span(t, kid, ec_date_from_time(INT64_C(1000000000))), 0);     /* 2001 */
	assert_int_equal(ec_trust_check_issuer_span(t, kid, ec_date_from_time(INT64_C(900000000))), 0);      /* 1998 */
	assert_int_equal(ec_trust_check_issuer_span(t, kid, ec_date_from_time(INT64_C(1700000000))), EC_ERR_SIG); /* 2023 */
	assert_int_equal(ec_trust_check_issuer_span(t, "AAAAAAAAAAA", ec_date_from_time(INT64_C(1000000000))), EC_ERR_SIG);
	ec_trust_free(t);
	X509_free(iss);
	X509_free(root);
	EVP_PKEY_free(k);
	EVP_PKEY_free(root_key);
	BIO_free(bio);
}

static void
test_dates(void **state)
{
	struct ec_ecert e;

	(void)state;
	memset(&e, 0, sizeof e);
	e.effective = 100;
	e.expires = 200;
	assert_int_equal(ec_ecert_check_dates(&e, 99), EC_ERR_NOTYET);
	assert_int_equal(ec_ecert_check_dates(&e, 100), 0);
	assert_int_equal(ec_ecert_check_dates(&e, 200), 0);
	assert_int_equal(ec_ecert_check_dates(&e, 201), EC_ERR_EXPIRED);
}

static void
test_pem_and_print(void **state)
{
	struct fx *f = *state;
	char *pem = NULL, *data;
	size_t pemlen = 0;
	BIO *bio, *out = BIO_new(BIO_s_mem());
	unsigned char *der = NULL;
	X509 *x;
	int n;

	assert_int_equal(ec_der_to_pem(f->old_der, f->old_len, &pem, &pemlen), 0);
	assert_int_equal(strlen(pem), pemlen);
	assert_int_equal(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
	bio = BIO_new_mem_buf(pem, (int)pemlen);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	assert_non_null(x);
	n = i2d_X509(x, &der);
	assert_int_equal((size_t)n, f->old_len);
	assert_memory_equal(der, f->old_der, f->old_len);
	/* Any viewer shows the certification in words: standard subject attributes. */
	assert_int_equal(X509_print(out, x), 1);
	assert_int_equal(BIO_write(out, "", 1), 1);
	BIO_get_mem_data(out, &data);
	assert_non_null(strstr(data, "title=HCIA-AI"));
	assert_non_null(strstr(data, "description=HCIA-AI V3.0"));
	free(pem);
	assert_int_equal(ec_der_to_pem(f->old_der, 0, &pem, &pemlen), EC_ERR_ARG);
	assert_null(pem);
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	BIO_free(out);
}

/* tests/e2e/ca.sh: sign e-Certs with the current CA of $ECERT_HOME into $EC_TEST_OUT for `openssl verify`. */
static void
test_export(void **state)
{
	const char *out = getenv("EC_TEST_OUT"), *home = getenv("ECERT_HOME"), *pass = getenv("ECERT_PASS");
	struct ec_signer *s = NULL;
	unsigned char *der = NULL;
	struct ec_ecert e;
	char path[4096];
	size_t len, i;
	FILE *fp;

	(void)state;
	if (out == NULL || home == NULL || pass == NULL)
		skip();
	assert_int_equal(ec_ca_signer_load(home, NULL, pass, strlen(pass), &s), 0);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		facts(&e, s, names[i]);
		assert_int_equal(ec_ecert_sign(s, &e, &der, &len), 0);
		snprintf(path, sizeof path, "%s/ecert-%s-%zu.der", out, s->kid, i);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(der, 1, len, fp), len);
		assert_int_equal(fclose(fp), 0);
		free(der);
	}
	ec_signer_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_names),
		cmocka_unit_test(test_renewal_and_paper),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_trailing_and_truncated),
		cmocka_unit_test(test_flip_every_byte),
		cmocka_unit_test(test_openssl_strict_chain),
		cmocka_unit_test(test_strict_parse),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_trust_load),
		cmocka_unit_test(test_ca_der),
		cmocka_unit_test(test_jwks),
		cmocka_unit_test(test_expired_issuer_kept),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_pem_and_print),
		cmocka_unit_test(test_fast_pinned),
		cmocka_unit_test(test_fast_falls_back),
		cmocka_unit_test(test_export),
	};
	const struct CMUnitTest export_only[] = { cmocka_unit_test(test_export) };

	if (getenv("EC_TEST_OUT") != NULL)
		return cmocka_run_group_tests_name("x509-export", export_only, NULL, NULL);
	return cmocka_run_group_tests_name("x509", tests, group_setup, group_teardown);
}
