/* Parse an e-Cert strictly against profile v2 (docs/formats-ecert.md); no signature checks and no signing code here. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "cert.h"
#include "der.h"
#include "ecx509.h"
#include "err.h"
#include "number.h"
#include "utf8.h"

int
ec_asn1_time_get(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;
	time_t v;

	if (t == NULL || !ASN1_TIME_check(t) || !ASN1_TIME_to_tm(t, &tm))
		return ec_err_set(EC_ERR_SYNTAX, "malformed time");
	v = timegm(&tm);
	*out = (int64_t)v;
	return EC_OK;
}

/* RFC 5280 times: UTCTime YYMMDDHHMMSSZ before 2050, GeneralizedTime YYYYMMDDHHMMSSZ from then on. */
static int
strict_time(const ASN1_TIME *t, int64_t *out)
{
	int len = ASN1_STRING_length(t), type = ASN1_STRING_type(t);
	const unsigned char *d = ASN1_STRING_get0_data(t);
	int rc;

	if (!((type == V_ASN1_UTCTIME && len == 13) || (type == V_ASN1_GENERALIZEDTIME && len == 15)) ||
	    d[len - 1] != 'Z')
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert validity time is not in RFC 5280 form");
	if ((rc = ec_asn1_time_get(t, out)) != EC_OK)
		return rc;
	if ((type == V_ASN1_GENERALIZEDTIME) != (*out >= INT64_C(2524608000)))
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert validity time is not in RFC 5280 form");
	return EC_OK;
}

/* Copy an ASN.1 string of type `type` into out[size] as checked text of 1..max bytes. */
static int
get_text(const ASN1_STRING *s, int type, size_t max, char *out, size_t size, const char *what)
{
	unsigned long bad;
	size_t len;

	if (s == NULL || ASN1_STRING_type(s) != type)
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert %s has the wrong type", what);
	len = (size_t)ASN1_STRING_length(s);
	if (len == 0 || len > max || len >= size)
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert %s is empty or too long", what);
	if (ec_text_check((const char *)ASN1_STRING_get0_data(s), len, &bad) < 0)
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert %s is not clean UTF-8 text", what);
	memcpy(out, ASN1_STRING_get0_data(s), len);
	out[len] = '\0';
	return EC_OK;
}

/*
 * The certificate as our parser reads it: X.509 v3 with the SubjectPublicKeyInfo left opaque. OpenSSL
 * 3.0's d2i_X509() decodes that key through its provider decoders, which costs twice a signature
 * check; an e-Cert's subject key is a placeholder nobody uses, so it is never decoded here.
 */
typedef struct ec_tbs_st {
	ASN1_INTEGER *version;
	ASN1_INTEGER *serial;
	X509_ALGOR *sig_alg;
	X509_NAME *issuer;
	X509_VAL *validity;
	X509_NAME *subject;
	ASN1_TYPE *spki;
	STACK_OF(X509_EXTENSION) *exts;
} EC_TBS;

typedef struct ec_cert_st {
	EC_TBS *tbs;
	X509_ALGOR *sig_alg;
	ASN1_BIT_STRING *sig;
} EC_CERT;

DECLARE_ASN1_FUNCTIONS(EC_TBS)
DECLARE_ASN1_FUNCTIONS(EC_CERT)

ASN1_SEQUENCE(EC_TBS) = {
	ASN1_EXP(EC_TBS, version, ASN1_INTEGER, 0),
	ASN1_SIMPLE(EC_TBS, serial, ASN1_INTEGER),
	ASN1_SIMPLE(EC_TBS, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(EC_TBS, issuer, X509_NAME),
	ASN1_SIMPLE(EC_TBS, validity, X509_VAL),
	ASN1_SIMPLE(EC_TBS, subject, X509_NAME),
	ASN1_SIMPLE(EC_TBS, spki, ASN1_ANY),
	ASN1_EXP_SEQUENCE_OF(EC_TBS, exts, X509_EXTENSION, 3)
} ASN1_SEQUENCE_END(EC_TBS)

IMPLEMENT_ASN1_FUNCTIONS(EC_TBS)

ASN1_SEQUENCE(EC_CERT) = {
	ASN1_SIMPLE(EC_CERT, tbs, EC_TBS),
	ASN1_SIMPLE(EC_CERT, sig_alg, X509_ALGOR),
	ASN1_SIMPLE(EC_CERT, sig, ASN1_BIT_STRING)
} ASN1_SEQUENCE_END(EC_CERT)

IMPLEMENT_ASN1_FUNCTIONS(EC_CERT)

int
ec_serial_digits(const ASN1_INTEGER *serial, char out[EC_NUMBER_DIGITS + 1])
{
	BIGNUM *bn = NULL;
	char *dec = NULL;
	size_t n;
	int rc = EC_ERR_NOMEM;

	if (ASN1_STRING_type(serial) != V_ASN1_INTEGER) {
		rc = EC_ERR_SYNTAX;
		goto out;
	}
	if ((bn = ASN1_INTEGER_to_BN(serial, NULL)) == NULL || (dec = BN_bn2dec(bn)) == NULL)
		goto out;
	rc = EC_ERR_SYNTAX;
	if (BN_is_negative(bn) || (n = strlen(dec)) > EC_NUMBER_DIGITS)
		goto out;
	memset(out, '0', EC_NUMBER_DIGITS - n);
	memcpy(out + EC_NUMBER_DIGITS - n, dec, n + 1);
	rc = EC_OK;
out:
	OPENSSL_free(dec);
	BN_free(bn);
	return rc;
}

/* The serial as the 22-digit number it encodes, check digits included. */
static int
parse_serial(const ASN1_INTEGER *sn, char number[EC_NUMBER_DIGITS + 1])
{
	int rc = ec_serial_digits(sn, number);

	if (rc == EC_ERR_NOMEM)
		return ec_err_set(rc, "out of memory");
	if (rc != EC_OK || !ec_number_valid(number))
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert serial is not a certificate number");
	return EC_OK;
}

/* One single-attribute RDN at index i of nm with attribute nid: its value. */
static const ASN1_STRING *
rdn(const X509_NAME *nm, int i, int nid)
{
	const X509_NAME_ENTRY *e = X509_NAME_get_entry(nm, i);

	if (e == NULL || OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) != nid || X509_NAME_ENTRY_set(e) != i)
		return NULL;
	return X509_NAME_ENTRY_get_data(e);
}

/*
 * Subject = exactly CN=<name> (UTF8String), serialNumber=<number> (PrintableString), title=<code>
 * and description=<certification title> (UTF8String), one attribute per RDN, in this order.
 */
static int
parse_subject(const X509_NAME *nm, struct ec_ecert *out)
{
	const ASN1_STRING *cn = rdn(nm, 0, NID_commonName), *sn = rdn(nm, 1, NID_serialNumber),
	    *code = rdn(nm, 2, NID_title), *title = rdn(nm, 3, NID_description);

	if (X509_NAME_entry_count(nm) != 4 || cn == NULL || sn == NULL || code == NULL || title == NULL)
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert subject is not CN, serialNumber, title, description");
	if (get_text(cn, V_ASN1_UTF8STRING, EC_NAME_MAX_BYTES, out->name, sizeof out->name, "holder name") ||
	    get_text(code, V_ASN1_UTF8STRING, EC_CODE_MAX, out->code, sizeof out->code, "certification code") ||
	    get_text(title, V_ASN1_UTF8STRING, EC_TITLE_MAX, out->title, sizeof out->title, "certification title"))
		return EC_ERR_SYNTAX;
	if (ASN1_STRING_type(sn) != V_ASN1_PRINTABLESTRING || ASN1_STRING_length(sn) != EC_NUMBER_DIGITS ||
	    memcmp(ASN1_STRING_get0_data(sn), out->number, EC_NUMBER_DIGITS) != 0)
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert subject serialNumber disagrees with its serial");
	return EC_OK;
}

/* Floor division, so that days before 1970 are counted correctly too. */
static ec_day
day_of(int64_t t)
{
	return (ec_day)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

static int
parse_validity(const X509_VAL *v, struct ec_ecert *out)
{
	int64_t nb, na;

	if (strict_time(v->notBefore, &nb) != EC_OK || strict_time(v->notAfter, &na) != EC_OK)
		return EC_ERR_SYNTAX;
	if (nb % 86400 != 0 || (na + 1) % 86400 != 0 || na < nb)
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert validity is not whole days (00:00:00Z to 23:59:59Z)");
	out->effective = day_of(nb);
	out->expires = day_of(na);
	return EC_OK;
}

/* Decode an extension's value as it, which must use every byte and be DER (it re-encodes the same); NULL otherwise. */
static void *
ext_d2i(X509_EXTENSION *ext, const ASN1_ITEM *it)
{
	const ASN1_OCTET_STRING *v = X509_EXTENSION_get_data(ext);
	const unsigned char *p = ASN1_STRING_get0_data(v);
	ASN1_VALUE *val = ASN1_item_d2i(NULL, &p, ASN1_STRING_length(v), it);
	unsigned char *re = NULL;
	int n;

	if (val != NULL && (p != ASN1_STRING_get0_data(v) + ASN1_STRING_length(v) ||
	    (n = ASN1_item_i2d(val, &re, it)) != ASN1_STRING_length(v) ||
	    memcmp(re, ASN1_STRING_get0_data(v), (size_t)n) != 0)) {
		ASN1_item_free(val, it);
		val = NULL;
	}
	OPENSSL_free(re);
	return val;
}

/* basicConstraints CA:FALSE without pathLen. */
static int
check_bc(X509_EXTENSION *ext)
{
	BASIC_CONSTRAINTS *bc = ext_d2i(ext, ASN1_ITEM_rptr(BASIC_CONSTRAINTS));
	int ok = bc != NULL && !bc->ca && bc->pathlen == NULL;

	BASIC_CONSTRAINTS_free(bc);
	return ok;
}

/* AKI with a key identifier only; the identifier goes to aki. */
static int
check_aki(X509_EXTENSION *ext, unsigned char aki[EC_SKI_LEN])
{
	AUTHORITY_KEYID *a = ext_d2i(ext, ASN1_ITEM_rptr(AUTHORITY_KEYID));
	int ok = a != NULL && a->keyid != NULL && a->issuer == NULL && a->serial == NULL &&
	    ASN1_STRING_length(a->keyid) == EC_SKI_LEN;

	if (ok)
		memcpy(aki, ASN1_STRING_get0_data(a->keyid), EC_SKI_LEN);
	AUTHORITY_KEYID_free(a);
	return ok;
}

static int
check_crldp(X509_EXTENSION *ext)
{
	CRL_DIST_POINTS *d = ext_d2i(ext, ASN1_ITEM_rptr(CRL_DIST_POINTS));
	int ok = d != NULL && sk_DIST_POINT_num(d) > 0;

	CRL_DIST_POINTS_free(d);
	return ok;
}

/* Exactly basicConstraints (critical, CA:FALSE), AKI with a key identifier and CRL distribution points. */
static int
parse_extensions(const STACK_OF(X509_EXTENSION) *exts, struct ec_ecert *out, unsigned char aki[EC_SKI_LEN])
{
	X509_EXTENSION *ext;
	char enc[16];
	int i, n = sk_X509_EXTENSION_num(exts), nid, seen = 0, bit, crit, ok;

	for (i = 0; i < n; i++) {
		ext = sk_X509_EXTENSION_value(exts, i);
		nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
		crit = X509_EXTENSION_get_critical(ext);
		if (nid == NID_basic_constraints) {
			bit = 1;
			ok = crit && check_bc(ext);
		} else if (nid == NID_authority_key_identifier) {
			bit = 2;
			ok = !crit && check_aki(ext, aki);
		} else if (nid == NID_crl_distribution_points) {
			bit = 4;
			ok = !crit && check_crldp(ext);
		} else {
			return ec_err_set(EC_ERR_SYNTAX, "e-Cert has an unexpected extension");
		}
		if (seen & bit)
			return ec_err_set(EC_ERR_SYNTAX, "e-Cert has a repeated extension");
		if (!ok)
			return ec_err_set(EC_ERR_SYNTAX, "e-Cert has a malformed or misplaced %s extension", OBJ_nid2sn(nid));
		seen |= bit;
	}
	if (seen != 7)
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert lacks a required extension");
/* 9 bytes encode to 12 characters; the KID is the first 11 (66 bits) of the same hash. */
	if (ec_b64url_encode(aki, 9, enc, sizeof enc) != EC_OK)
		return ec_err_set(EC_ERR_SYNTAX, "e-Cert authority key identifier is malformed");
	memcpy(out->kid, enc, EC_KID_LEN);
	out->kid[EC_KID_LEN] = '\0';
	return EC_OK;
}

/* ecdsa-with-SHA256 or Ed25519, without parameters (RFC 5758, RFC 8410). */
static int
sig_nid(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;
	int ptype, nid;

	X509_ALGOR_get0(&obj, &ptype, NULL, alg);
	nid = OBJ_obj2nid(obj);
	return ptype == V_ASN1_UNDEF && (nid == NID_ecdsa_with_SHA256 || nid == NID_ED25519) ? nid : NID_undef;
}

void
ec_ecert_raw_free(struct ec_ecert_raw *raw)
{
	if (raw != NULL) {
		EC_CERT_free(raw->obj);
		memset(raw, 0, sizeof *raw);
	}
}

int
ec_ecert_decode(const unsigned char *der, size_t len, struct ec_ecert *out, struct ec_ecert_raw *raw)
{
	const unsigned char *p = der, *tbs;
	EC_CERT *c = NULL;
	long tlen;
	int rc = EC_ERR_SYNTAX, tag, cls;

	memset(out, 0, sizeof *out);
	memset(raw, 0, sizeof *raw);
	if (len == 0 || len > 65536) {
		rc = ec_err_set(EC_ERR_SYNTAX, "not an e-Cert: %s", len == 0 ? "empty" : "too large");
		goto out;
	}
	if ((c = d2i_EC_CERT(NULL, &p, (long)len)) == NULL) {
		rc = ec_err_set(EC_ERR_SYNTAX, "not an X.509 certificate of the e-Cert profile");
		goto out;
	}
	if (p != der + len) {
		rc = ec_err_set(EC_ERR_SYNTAX, "trailing bytes after the certificate");
		goto out;
	}
	if ((rc = ec_der_check(der, len)) != EC_OK || (rc = ec_der_check_exts(c->tbs->exts)) != EC_OK)
		goto out;
	rc = EC_ERR_SYNTAX;
	/* The signed bytes: the first element of the outer SEQUENCE, as it was received. */
	p = der;
	if (ASN1_get_object(&p, &tlen, &tag, &cls, (long)len) & 0x80 || tag != V_ASN1_SEQUENCE ||
	    (tbs = p, ASN1_get_object(&p, &tlen, &tag, &cls, (long)(der + len - p)) & 0x80) || tag != V_ASN1_SEQUENCE) {
		rc = ec_err_set(EC_ERR_SYNTAX, "not an X.509 certificate of the e-Cert profile");
		goto out;
	}
	raw->tbs = tbs;
	raw->tbslen = (size_t)(p - tbs) + (size_t)tlen;
	if (ASN1_INTEGER_get(c->tbs->version) != X509_VERSION_3 || ASN1_STRING_type(c->tbs->version) != V_ASN1_INTEGER) {
		rc = ec_err_set(EC_ERR_SYNTAX, "not an e-Cert: not X.509 version 3");
		goto out;
	}
	if ((raw->sig_nid = sig_nid(c->sig_alg)) == NID_undef || X509_ALGOR_cmp(c->sig_alg, c->tbs->sig_alg) != 0 ||
	    (c->sig->flags & 0x07) != 0 || c->tbs->spki->type != V_ASN1_SEQUENCE) {
		rc = ec_err_set(EC_ERR_SYNTAX, "not an e-Cert: wrong signature algorithm or key");
		goto out;
	}
	if ((rc = parse_serial(c->tbs->serial, out->number)) != EC_OK ||
	    (rc = parse_subject(c->tbs->subject, out)) != EC_OK ||
	    (rc = parse_validity(c->tbs->validity, out)) != EC_OK ||
	    (rc = parse_extensions(c->tbs->exts, out, raw->aki)) != EC_OK)
		goto out;
	raw->sig = ASN1_STRING_get0_data(c->sig);
	raw->siglen = (size_t)ASN1_STRING_length(c->sig);
	raw->issuer = c->tbs->issuer;
	raw->obj = c;
	c = NULL;
	rc = EC_OK;
out:
	if (rc != EC_OK) {
		memset(out, 0, sizeof *out);
		memset(raw, 0, sizeof *raw);
	}
	ERR_clear_error();
	EC_CERT_free(c);
	return rc;
}

int
ec_ecert_parse(const unsigned char *der, size_t len, struct ec_ecert *out, X509 **x509)
{
	struct ec_ecert_raw raw;
	const unsigned char *p = der;
	int rc;

	if (x509 != NULL)
		*x509 = NULL;
	if ((rc = ec_ecert_decode(der, len, out, &raw)) != EC_OK)
		return rc;
	ec_ecert_raw_free(&raw);
	if (x509 != NULL && ((*x509 = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len)) {
		X509_free(*x509);
		*x509 = NULL;
		memset(out, 0, sizeof *out);
		rc = ec_err_set(EC_ERR_SYNTAX, "not an X.509 certificate");
	}
	ERR_clear_error();
	return rc;
}

int
ec_ecert_check_dates(const struct ec_ecert *e, ec_day at)
{
	if (at < e->effective)
		return ec_err_set(EC_ERR_NOTYET, "e-Cert %s is not yet valid", e->number);
	if (at > e->expires)
		return ec_err_set(EC_ERR_EXPIRED, "e-Cert %s has expired", e->number);
	return EC_OK;
}

int
ec_der_to_pem(const unsigned char *der, size_t len, char **pem, size_t *pemlen)
{
	BIO *bio = NULL;
	char *data;
	long n;
	int rc = EC_OK;

	*pem = NULL;
	if (pemlen != NULL)
		*pemlen = 0;
	if (len == 0 || len > INT_MAX)
		return ec_err_set(EC_ERR_ARG, "no certificate to encode");
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio(bio, "CERTIFICATE", "", der, (long)len) <= 0 ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encode the certificate as PEM");
		goto out;
	}
	if ((*pem = malloc((size_t)n + 1)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
	if (pemlen != NULL)
		*pemlen = (size_t)n;
out:
	BIO_free(bio);
	return rc;
}
