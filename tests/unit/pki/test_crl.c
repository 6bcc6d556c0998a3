/* Unit tests for lib/sign/crl_sign.c and lib/pki/crl_verify.c: the CRL profile, loading, forgery, freshness, openssl's view. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "ca.h"
#include "conf.h"
#include "crl.h"
#include "der.h"
#include "err.h"
#include "file.h"
#include "../helper_pki.h"
#include "signer.h"
#include "ecx509.h"
#include "../helper_tmp.h"

#define NOW ((int64_t)1793000000)   /* 2026-10-26 */
#define N1 "0101234567890123456707"
#define N2 "0101999999999999999944"
#define N3 "0000000000000000000195"
#define ABSENT "0102000000000000000000"

static const struct ec_crl_entry entries[] = {
	{ N1, NOW - 86400, 1 },
	{ N2, NOW - 3600, 0 },
	{ N3, NOW - 60, 5 },
};

static void
test_reasons(void **state)
{
	static const char *const names[] = {
		"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
		"cessationOfOperation", "certificateHold", "privilegeWithdrawn", "aACompromise",
	};
	static const int codes[] = { 0, 1, 2, 3, 4, 5, 6, 9, 10 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(ec_crl_reason_parse(names[i]), codes[i]);
		assert_string_equal(ec_crl_reason_name(codes[i]), names[i]);
	}
	assert_int_equal(ec_crl_reason_parse("removeFromCRL"), EC_ERR_ARG);
	assert_int_equal(ec_crl_reason_parse("KeyCompromise"), EC_ERR_ARG);
	assert_int_equal(ec_crl_reason_parse(""), EC_ERR_ARG);
	assert_int_equal(ec_crl_reason_parse(NULL), EC_ERR_ARG);
	assert_string_equal(ec_crl_reason_name(7), "unspecified");
	assert_string_equal(ec_crl_reason_name(8), "unspecified");
	assert_string_equal(ec_crl_reason_name(-1), "unspecified");
	assert_string_equal(ec_crl_reason_name(11), "unspecified");
}

static void
sign(const struct ec_signer *s, const struct ec_crl_entry *e, size_t n, unsigned char **der, size_t *len)
{
	assert_int_equal(ec_crl_sign(s, e, n, NOW, 42, der, len), 0);
	assert_non_null(*der);
}

/* The profile as OpenSSL parses it: v2, issuer, times, crlNumber, AKI keyid = SKI, reasons only when not unspecified. */
static void
check_profile(const struct helper_ca *ca, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	ASN1_INTEGER *num;
	AUTHORITY_KEYID *aki;
	X509_REVOKED *rev;
	ASN1_ENUMERATED *r;
	int day, sec, i, crit, none = 0;

	assert_non_null(crl);
	assert_int_equal(X509_CRL_get_version(crl), 1);
	assert_int_equal(X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca->s.cert)), 0);
	assert_int_equal(ASN1_TIME_diff(&day, &sec, X509_CRL_get0_lastUpdate(crl), X509_CRL_get0_nextUpdate(crl)), 1);
	assert_int_equal(day, 7);
	assert_int_equal(sec, 0);
	assert_non_null(num = X509_CRL_get_ext_d2i(crl, NID_crl_number, &crit, NULL));
	assert_int_equal(crit, 0);
	assert_int_equal(ASN1_INTEGER_get(num), 42);
	ASN1_INTEGER_free(num);
	assert_non_null(aki = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &crit, NULL));
	assert_int_equal(crit, 0);
	assert_int_equal(ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(ca->s.cert)), 0);
	AUTHORITY_KEYID_free(aki);
	assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 3);
	for (i = 0; i < 3; i++) {
		rev = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl), i);
		r = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, NULL);
		if (r == NULL) {                                        /* N2: unspecified, no extension */
			assert_int_equal(crit, -1);
			none++;
			continue;
		}
		assert_int_equal(crit, 0);
		assert_int_equal(ASN1_ENUMERATED_get(r),
		    ASN1_INTEGER_get(X509_REVOKED_get0_serialNumber(rev)) == 195 ? 5 : 1);
		ASN1_ENUMERATED_free(r);
	}
	assert_int_equal(none, 1);
	X509_CRL_free(crl);
}

static void
round_trip(struct helper_trio *f, const struct helper_ca *ca)
{
	struct ec_crl_entry got;
	struct ec_crl *c;
	unsigned char *der;
	size_t len, i;

	sign(&ca->s, entries, 3, &der, &len);
	assert_int_equal(ec_crl_load(der, len, f->trust, &c), 0);
	assert_string_equal(ec_crl_kid(c), ca->s.kid);
	for (i = 0; i < 3; i++) {
		memset(&got, 0x55, sizeof got);
		assert_int_equal(ec_crl_lookup(c, entries[i].number, &got), 1);
		assert_string_equal(got.number, entries[i].number);
		assert_int_equal(got.revoked_at, entries[i].revoked_at);
		assert_int_equal(got.reason, entries[i].reason);
		assert_int_equal(ec_crl_lookup(c, entries[i].number, NULL), 1);
	}
	assert_int_equal(ec_crl_lookup(c, ABSENT, &got), 0);
	assert_int_equal(ec_crl_lookup(c, "0101 2345 6789 0123 4567 07", &got), 0);
	assert_int_equal(ec_crl_lookup(c, "195", &got), 0);
	assert_int_equal(ec_crl_lookup(c, NULL, &got), 0);
	ec_crl_free(c);
	free(der);
}

static void
test_round_trip(void **state)
{
	struct helper_trio *f = *state;
	unsigned char *der;
	size_t len;
	struct ec_crl *c;
	struct ec_crl_entry got;

	round_trip(f, &f->p256);
	round_trip(f, &f->ed);

	sign(&f->p256.s, entries, 3, &der, &len);
	check_profile(&f->p256, der, len);
	free(der);
	sign(&f->ed.s, entries, 3, &der, &len);
	check_profile(&f->ed, der, len);
	free(der);

	sign(&f->p256.s, NULL, 0, &der, &len);                        /* empty CRL */
	assert_int_equal(ec_crl_load(der, len, f->trust, &c), 0);
	assert_int_equal(ec_crl_lookup(c, N1, &got), 0);
	ec_crl_free(c);
	free(der);
}

/* Each reason code signs and reads back as itself. */
static void
test_reason_round_trip(void **state)
{
	static const int codes[] = { 0, 1, 2, 3, 4, 5, 6, 9, 10 };
	struct helper_trio *f = *state;
	struct ec_crl_entry e = { N1, NOW, 0 }, got;
	struct ec_crl *c;
	unsigned char *der;
	size_t len, i;

	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		e.reason = codes[i];
		sign(&f->p256.s, &e, 1, &der, &len);
		assert_int_equal(ec_crl_load(der, len, f->trust, &c), 0);
		assert_int_equal(ec_crl_lookup(c, N1, &got), 1);
		assert_int_equal(got.reason, codes[i]);
		ec_crl_free(c);
		free(der);
	}
}

static void
test_sign_refuses(void **state)
{
	static const int bad_reasons[] = { -1, 7, 8, 11 };
	struct helper_trio *f = *state;
	struct ec_crl_entry e[2] = { { N1, NOW, 1 }, { N1, NOW, 4 } };
	struct ec_signer s;
	unsigned char *der;
	size_t len, i;
	X509 *noski;
	const unsigned char *p;
	unsigned char *cder = NULL;
	int clen;

	assert_int_equal(ec_crl_sign(&f->p256.s, e, 2, NOW, 1, &der, &len), EC_ERR_ARG);    /* duplicate */
	assert_null(der);
	strcpy(e[1].number, "0101234567890123456708");
	assert_int_equal(ec_crl_sign(&f->p256.s, e, 2, NOW, 1, &der, &len), EC_ERR_ARG);    /* check digits */
	strcpy(e[1].number, N2);
	for (i = 0; i < sizeof bad_reasons / sizeof bad_reasons[0]; i++) {
		e[1].reason = bad_reasons[i];
		assert_int_equal(ec_crl_sign(&f->p256.s, e, 2, NOW, 1, &der, &len), EC_ERR_ARG);
	}
	e[1].reason = 4;
	e[1].revoked_at = -1;
	assert_int_equal(ec_crl_sign(&f->p256.s, e, 2, NOW, 1, &der, &len), EC_ERR_ARG);
	e[1].revoked_at = NOW;
	assert_int_equal(ec_crl_sign(&f->p256.s, e, 2, -5, 1, &der, &len), EC_ERR_ARG);
	assert_int_equal(ec_crl_sign(NULL, e, 2, NOW, 1, &der, &len), EC_ERR_ARG);
	assert_int_equal(ec_crl_sign(&f->p256.s, NULL, 2, NOW, 1, &der, &len), EC_ERR_ARG);

	/* a retired issuing CA still signs its CRL */
	s = f->p256.s;
	s.retired = 1;
	assert_int_equal(ec_crl_sign(&s, e, 2, NOW, 1, &der, &len), 0);
	free(der);

	/* an issuing CA certificate without a subject key identifier cannot fill the AKI */
	assert_true((clen = i2d_X509(f->p256.s.cert, &cder)) > 0);
	p = cder;
	assert_non_null(noski = d2i_X509(NULL, &p, clen));
	OPENSSL_free(cder);
	X509_EXTENSION_free(X509_delete_ext(noski, X509_get_ext_by_NID(noski, NID_subject_key_identifier, -1)));
	s.cert = noski;
	assert_int_equal(ec_crl_sign(&s, e, 2, NOW, 1, &der, &len), EC_ERR_ARG);
	X509_free(noski);
}

static void
test_fresh(void **state)
{
	struct helper_trio *f = *state;
	struct ec_crl *c;
	unsigned char *der;
	size_t len;

	sign(&f->ed.s, entries, 3, &der, &len);
	assert_int_equal(ec_crl_load(der, len, f->trust, &c), 0);
	assert_int_equal(ec_crl_check_fresh(c, NOW), 0);
	assert_int_equal(ec_crl_check_fresh(c, NOW + EC_CRL_VALIDITY), 0);
	assert_int_equal(ec_crl_check_fresh(c, NOW + EC_CRL_VALIDITY + 1), EC_ERR_STALE);
	assert_non_null(strstr(ec_err_msg(EC_ERR_STALE), f->ed.s.kid));
	assert_int_equal(ec_crl_check_fresh(c, NOW + 30 * 86400), EC_ERR_STALE);
	assert_int_equal(ec_crl_check_fresh(c, NOW - 1), EC_ERR_NOTYET);
	ec_crl_free(c);
	free(der);
}

static void
test_other_signer(void **state)
{
	struct helper_trio *f = *state;
	struct ec_signer forged;
	struct ec_crl *c = (struct ec_crl *)1;
	struct ec_trust *only_ed;
	struct helper_ca *one[1] = { &f->ed };
	unsigned char *der;
	char *pem;
	size_t len;

	sign(&f->other.s, entries, 3, &der, &len);                     /* an issuing CA not in the bundle */
	assert_int_equal(ec_crl_load(der, len, f->trust, &c), EC_ERR_SIG);
	assert_null(c);
	free(der);

	forged = f->p256.s;                                             /* p256's name and AKI, other's key */
	forged.key = f->other.s.key;
	sign(&forged, entries, 3, &der, &len);
	assert_int_equal(ec_crl_load(der, len, f->trust, &c), EC_ERR_SIG);
	free(der);

	forged = f->p256.s;                                             /* p256's name and AKI, Ed25519 key */
	forged.key = f->ed.s.key;
	forged.alg = EC_ALG_ED25519;
	sign(&forged, entries, 3, &der, &len);
	assert_int_equal(ec_crl_load(der, len, f->trust, &c), EC_ERR_SIG);
	free(der);

	assert_non_null(pem = helper_ca_trust_pem(one, 1, &len));
	assert_int_equal(ec_trust_load_mem(pem, len, &only_ed), 0);
	free(pem);
	sign(&f->p256.s, entries, 3, &der, &len);                      /* genuine, but the bundle lacks p256 */
	assert_int_equal(ec_crl_load(der, len, only_ed, &c), EC_ERR_SIG);
	ec_trust_free(only_ed);
	free(der);
}

static void
test_tampered(void **state)
{
	struct helper_trio *f = *state;
	const struct helper_ca *cas[2] = { &f->p256, &f->ed };
	struct ec_crl *c;
	unsigned char *der, *bad;
	size_t len, i;
	int k;

	for (k = 0; k < 2; k++) {
		sign(&cas[k]->s, entries, 3, &der, &len);
		assert_non_null(bad = malloc(len + 1));
		for (i = 0; i < len; i++) {                                   /* every byte */
			memcpy(bad, der, len);
			bad[i] ^= 0x01;
			c = NULL;
			assert_int_not_equal(ec_crl_load(bad, len, f->trust, &c), 0);
			assert_null(c);
		}
		memcpy(bad, der, len);
		bad[len] = 0;                                                 /* trailing byte */
		assert_int_equal(ec_crl_load(bad, len + 1, f->trust, &c), EC_ERR_SYNTAX);
		assert_int_equal(ec_crl_load(der, len - 1, f->trust, &c), EC_ERR_SYNTAX);
		assert_int_equal(ec_crl_load(der, 0, f->trust, &c), EC_ERR_SYNTAX);
		free(bad);
		free(der);
	}
}

static void
test_pem(void **state)
{
	struct helper_trio *f = *state;
	const unsigned char *p;
	unsigned char *der;
	char *data, *buf;
	size_t len;
	long n;
	BIO *b;
	X509_CRL *x;
	struct ec_crl *c;

	sign(&f->p256.s, entries, 3, &der, &len);
	p = der;
	assert_non_null(x = d2i_X509_CRL(NULL, &p, (long)len));
	assert_non_null(b = BIO_new(BIO_s_mem()));
	assert_int_equal(PEM_write_bio_X509_CRL(b, x), 1);
	n = BIO_get_mem_data(b, &data);
	assert_non_null(buf = malloc((size_t)n + 8));
	memcpy(buf, data, (size_t)n);
	assert_int_equal(ec_crl_load((unsigned char *)buf, (size_t)n, f->trust, &c), 0);
	assert_string_equal(ec_crl_kid(c), f->p256.s.kid);
	ec_crl_free(c);
	memcpy(buf + n, "\r\n \t", 4);                                  /* trailing white space is fine */
	assert_int_equal(ec_crl_load((unsigned char *)buf, (size_t)n + 4, f->trust, &c), 0);
	ec_crl_free(c);
	memcpy(buf + n, "junk", 4);
	assert_int_equal(ec_crl_load((unsigned char *)buf, (size_t)n + 4, f->trust, &c), EC_ERR_SYNTAX);
	buf[30] ^= 0x02;                                                /* a changed base64 character */
	assert_int_not_equal(ec_crl_load((unsigned char *)buf, (size_t)n, f->trust, &c), 0);
	free(buf);
	BIO_free(b);
	X509_CRL_free(x);
	free(der);
}

enum { RAW_V1 = 1, RAW_NO_NEXT = 2, RAW_CRIT = 4, RAW_REMOVE = 8, RAW_NO_AKI = 16, RAW_OTHER_NAME = 32,
	RAW_CRIT_ENTRY = 64 };

/* A CRL built by hand with OpenSSL and signed by ca, with one deliberate deviation from our profile. */
static void
raw_crl(const struct helper_ca *ca, int how, unsigned char **der, size_t *len)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)NOW);
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	unsigned char *p;
	int n;

	assert_non_null(crl);
	assert_non_null(rev);
	if (!(how & RAW_V1))
		assert_int_equal(X509_CRL_set_version(crl, 1), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"Someone Else",
	    -1, -1, 0), 1);
	assert_int_equal(X509_CRL_set_issuer_name(crl, how & RAW_OTHER_NAME ? name : X509_get_subject_name(ca->s.cert)), 1);
	assert_int_equal(X509_CRL_set1_lastUpdate(crl, t), 1);
	ASN1_TIME_set(t, (time_t)(NOW + EC_CRL_VALIDITY));
	if (!(how & RAW_NO_NEXT))
		assert_int_equal(X509_CRL_set1_nextUpdate(crl, t), 1);
	ASN1_INTEGER_set(serial, 195);
	X509_REVOKED_set_serialNumber(rev, serial);
	ASN1_TIME_set(t, (time_t)NOW);
	X509_REVOKED_set_revocationDate(rev, t);
	ASN1_ENUMERATED_set(reason, how & RAW_REMOVE ? 8 : 1);
	assert_int_equal(X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, how & RAW_CRIT_ENTRY ? 1 : 0, 0), 1);
	X509_CRL_add0_revoked(crl, rev);
	X509V3_set_ctx(&ctx, ca->s.cert, NULL, NULL, crl, 0);
	if (!(how & RAW_NO_AKI)) {
		assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always"));
		X509_CRL_add_ext(crl, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (how & RAW_CRIT) {
		assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_issuing_distribution_point,
		    "critical,fullname:URI:http://example.org/x.crl"));
		X509_CRL_add_ext(crl, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_CRL_sign(crl, ca->s.key, ca->s.alg == EC_ALG_ED25519 ? NULL : EVP_sha256()) > 0);
	assert_true((n = i2d_X509_CRL(crl, NULL)) > 0);
	assert_non_null(*der = malloc((size_t)n));
	p = *der;
	i2d_X509_CRL(crl, &p);
	*len = (size_t)n;
	ASN1_ENUMERATED_free(reason);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(t);
	X509_NAME_free(name);
	X509_CRL_free(crl);
}

static void
test_profile_checks(void **state)
{
	static const struct { int how, want; } v[] = {
		{ 0, 0 },                               /* control: the hand-built CRL itself loads */
		{ RAW_NO_AKI, 0 },                      /* issuer found by the KID in its CN */
		{ RAW_V1, EC_ERR_SYNTAX },
		{ RAW_NO_NEXT, EC_ERR_SYNTAX },
		{ RAW_CRIT, EC_ERR_SYNTAX },
		{ RAW_CRIT_ENTRY, EC_ERR_SYNTAX },
		{ RAW_REMOVE, EC_ERR_SYNTAX },
		{ RAW_OTHER_NAME, EC_ERR_SIG },
		{ RAW_OTHER_NAME | RAW_NO_AKI, EC_ERR_SIG },
	};
	struct helper_trio *f = *state;
	struct ec_crl_entry got;
	struct ec_crl *c;
	unsigned char *der;
	size_t len, i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		raw_crl(&f->ed, v[i].how, &der, &len);
		assert_int_equal(ec_crl_load(der, len, f->trust, &c), v[i].want);
		if (v[i].want == 0) {
			assert_string_equal(ec_crl_kid(c), f->ed.s.kid);
			assert_int_equal(ec_crl_lookup(c, N3, &got), 1);
			assert_string_equal(got.number, N3);
			assert_int_equal(got.reason, 1);
			ec_crl_free(c);
		}
		free(der);
	}
	assert_int_equal(ec_crl_load(NULL, 0, f->trust, &c), EC_ERR_ARG);
	assert_int_equal(ec_crl_load((const unsigned char *)"x", 1, NULL, &c), EC_ERR_ARG);
}

/* Entries of dir other than . and .. (a leftover temporary file would show here). */
static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
test_write_and_openssl(void **state)
{
	struct helper_trio *f = *state;
	char dir[] = "/tmp/test_crl.XXXXXX", path[256], cmd[600], line[512], hex[64], *h;
	int saw_serial = 0, saw_kc = 0, saw_cess = 0, saw_issuer = 0, saw_num = 0;
	unsigned char *der;
	size_t len;
	struct stat st;
	BIGNUM *bn = NULL;
	FILE *p;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/%s.crl", dir, f->p256.s.kid);
	sign(&f->p256.s, entries, 3, &der, &len);
	assert_int_equal(ec_file_write(path, der, len, 0644, 1), 0);
	assert_int_equal(ec_file_write(path, der, len, 0644, 1), 0);             /* replaces */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal((size_t)st.st_size, len);
	assert_int_equal(count_files(dir), 1);                         /* no temporary file left */
	snprintf(cmd, sizeof cmd, "%s/missing/x.crl", dir);
	assert_int_equal(ec_file_write(cmd, der, len, 0644, 1), EC_ERR_IO);
	assert_int_equal(ec_file_write("", der, len, 0644, 1), EC_ERR_ARG);

	if (system("openssl version >/dev/null 2>&1") != 0) {
		print_message("openssl not found: skipping the cross-check\n");
	} else {
		assert_int_not_equal(BN_dec2bn(&bn, N1), 0);
		assert_non_null(h = BN_bn2hex(bn));
		snprintf(hex, sizeof hex, "%s%s", strlen(h) % 2 ? "0" : "", h);
		OPENSSL_free(h);
		BN_free(bn);
		snprintf(cmd, sizeof cmd, "openssl crl -inform DER -noout -text -in '%s' 2>&1", path);
		assert_non_null(p = popen(cmd, "r"));
		while (fgets(line, sizeof line, p)) {
			saw_serial |= strstr(line, "Serial Number: ") && strstr(line, hex);
			saw_kc |= strstr(line, "Key Compromise") != NULL;
			saw_cess |= strstr(line, "Cessation Of Operation") != NULL;
			saw_issuer |= strstr(line, "Issuer:") && strstr(line, f->p256.s.kid);
			saw_num |= strstr(line, "X509v3 CRL Number") != NULL;
		}
		assert_int_equal(pclose(p), 0);
		assert_true(saw_serial);
		assert_true(saw_kc);
		assert_true(saw_cess);
		assert_true(saw_issuer);
		assert_true(saw_num);
	}
	free(der);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

/* The real CA (lib/sign/ca.c): its issuing CA signs a CRL that its own trust bundle accepts. */
static void
test_real_ca(void **state)
{
	static const enum ec_alg algs[] = { EC_ALG_P256, EC_ALG_ED25519 };
	char dir[] = "/tmp/test_crl_ca.XXXXXX", sub[64];
	struct ec_conf conf = { .org = "Example Cert Body", .public_url = "https://verify.example.org", .alg = EC_ALG_P256,
		.tz = "UTC", .smtp_tls = 1, .mail_lang = "en" };
	struct ec_signer *s;
	struct ec_trust *t;
	struct ec_crl *c;
	struct ec_crl_entry got;
	struct ec_buf b;
	unsigned char *der;
	size_t len, i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < 2; i++) {
		conf.alg = algs[i];
		snprintf(sub, sizeof sub, "%s/%zu", dir, i);
		assert_int_equal(ec_ca_init(sub, &conf, "root-pass", 9, "pass", 4), 0);
		assert_int_equal(ec_ca_signer_load(sub, NULL, "pass", 4, &s), 0);
		ec_buf_init(&b);
		assert_int_equal(ec_ca_trust_pem(sub, &b), 0);
		assert_int_equal(ec_trust_load_mem(b.p, b.len, &t), 0);
		sign(s, entries, 3, &der, &len);
		assert_int_equal(ec_crl_load(der, len, t, &c), 0);
		assert_string_equal(ec_crl_kid(c), s->kid);
		assert_int_equal(ec_crl_lookup(c, N1, &got), 1);
		assert_int_equal(got.reason, 1);
		ec_crl_free(c);
		free(der);
		ec_trust_free(t);
		ec_buf_free(&b);
		ec_signer_free(s);
	}
	helper_rmtree(dir);
}

/* DER CRL of root listing issuing CA cert (built with OpenSSL: no command of ours revokes an issuing CA). */
static unsigned char *
root_crl_listing(const struct helper_ca *ca, size_t *len)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)NOW);
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
	unsigned char *der = NULL;
	int n;

	assert_true(X509_CRL_set_version(crl, 1) && X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->root)) &&
	    X509_CRL_set1_lastUpdate(crl, t) && ASN1_TIME_set(t, (time_t)(NOW + 86400)) != NULL &&
	    X509_CRL_set1_nextUpdate(crl, t));
	assert_true(X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(ca->s.cert)) &&
	    X509_REVOKED_set_revocationDate(rev, t) && X509_CRL_add0_revoked(crl, rev));
	aki->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(ca->root));
	assert_int_equal(X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, aki, 0, 0), 1);
	assert_true(X509_CRL_sign(crl, ca->root_key, ca->s.alg == EC_ALG_ED25519 ? NULL : EVP_sha256()) > 0);
	assert_true((n = i2d_X509_CRL(crl, &der)) > 0);
	*len = (size_t)n;
	AUTHORITY_KEYID_free(aki);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return der;
}

/*
 * The root's CRL of its issuing CAs: strict DER, loaded as the root's ("root"), a year of freshness,
 * nothing listed; a root CRL that does list the issuing CA is found by ec_crl_lookup_ca, and never
 * speaks of another root's issuing CA; an issuing CA's CRL is never taken for a root's.
 */
static void
test_root_crl(void **state)
{
	struct helper_trio *f = *state;
	struct helper_ca *cas[2] = { &f->p256, &f->ed };
	struct ec_crl_entry got;
	struct ec_crl *c;
	unsigned char *der, *listed;
	size_t len, llen, i;

	for (i = 0; i < 2; i++) {
		assert_int_equal(ec_crl_sign_root(cas[i]->root, cas[i]->root_key, NOW, 7, &der, &len), 0);
		assert_int_equal(ec_der_check(der, len), 0);
		assert_int_equal(ec_crl_load(der, len, f->trust, &c), 0);
		assert_true(ec_crl_is_root(c));
		assert_string_equal(ec_crl_kid(c), "root");
		assert_int_equal(ec_crl_lookup_ca(c, cas[i]->s.cert, &got), 0);
		assert_int_equal(ec_crl_check_fresh(c, NOW + EC_ROOT_CRL_VALIDITY), 0);
		assert_int_equal(ec_crl_check_fresh(c, NOW + EC_ROOT_CRL_VALIDITY + 1), EC_ERR_STALE);
		assert_non_null(strstr(ec_err_msg(EC_ERR_STALE), "root CA"));
		ec_crl_free(c);
		free(der);
		listed = root_crl_listing(cas[i], &llen);
		assert_int_equal(ec_crl_load(listed, llen, f->trust, &c), 0);
		assert_true(ec_crl_covers_ca(c, cas[i]->s.cert));
		assert_int_equal(ec_crl_lookup_ca(c, cas[i]->s.cert, &got), 1);
		assert_int_equal(got.revoked_at, NOW + 86400);
		/*
		 * Another root's issuing CA, even one carrying the listed serial, is not this root's to revoke
		 * (a copy of it with the serial changed: lookups do not check signatures).
		 */
		{
			X509 *twin = X509_dup(cas[1 - i]->s.cert);

			assert_non_null(twin);
			assert_true(X509_set_serialNumber(twin, X509_get_serialNumber(cas[i]->s.cert)));
			assert_false(ec_crl_covers_ca(c, cas[1 - i]->s.cert));
			assert_false(ec_crl_covers_ca(c, twin));
			assert_int_equal(ec_crl_lookup_ca(c, twin, &got), 0);
			X509_free(twin);
		}
		ec_crl_free(c);
		OPENSSL_free(listed);
	}
	/* the other CA's root is not in the bundle */
	assert_int_equal(ec_crl_sign_root(f->other.root, f->other.root_key, NOW, 7, &der, &len), 0);
	assert_int_equal(ec_crl_load(der, len, f->trust, &c), EC_ERR_SIG);
	free(der);
	sign(&f->p256.s, NULL, 0, &der, &len);
	assert_int_equal(ec_crl_load(der, len, f->trust, &c), 0);
	assert_false(ec_crl_is_root(c));
	assert_int_equal(ec_crl_lookup_ca(c, f->p256.s.cert, &got), 0);
	ec_crl_free(c);
	free(der);
}

/* A genuine CRL re-wrapped in BER (its signature still holds) is refused as not DER. */
static void
test_not_der(void **state)
{
	struct helper_trio *f = *state;
	unsigned char *der, *ber;
	size_t len, hl;
	struct ec_crl *c;

	sign(&f->p256.s, entries, 3, &der, &len);
	hl = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
	assert_non_null(ber = malloc(len - hl + 6));
	ber[0] = 0x30;
	ber[1] = 0x84;
	ber[2] = (unsigned char)((len - hl) >> 24);
	ber[3] = (unsigned char)((len - hl) >> 16);
	ber[4] = (unsigned char)((len - hl) >> 8);
	ber[5] = (unsigned char)(len - hl);
	memcpy(ber + 6, der + hl, len - hl);
	assert_int_equal(ec_crl_load(ber, len - hl + 6, f->trust, &c), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "not DER"));
	free(ber);
	free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_reason_round_trip),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_other_signer),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_pem),
		cmocka_unit_test(test_profile_checks),
		cmocka_unit_test(test_write_and_openssl),
		cmocka_unit_test(test_real_ca),
		cmocka_unit_test(test_root_crl),
		cmocka_unit_test(test_not_der),
	};

	return cmocka_run_group_tests_name("crl", tests, helper_trio_setup, helper_trio_teardown);
}
