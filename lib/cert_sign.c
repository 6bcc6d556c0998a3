/* Build and sign an e-Cert with DESIGN.md's profile, extensions built directly from their ASN.1 types. */
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "ecx509.h"
#include "err.h"
#include "number.h"

#define EC_RAW_PUB_MAX 65   /* an uncompressed P-256 point; an Ed25519 key is 32 bytes */

/* The facts must be what the profile can carry, and s must be allowed to sign them. */
static int
check_input(const struct ec_signer *s, const struct ec_ecert *e)
{
	unsigned long bad;
	long cps;
	size_t n;

	if (s == NULL || s->cert == NULL || s->key == NULL || s->placeholder == NULL)
		return ec_err_set(EC_ERR_ARG, "no issuing CA to sign with");
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
	if (e->format != EC_FORMAT_ELECTRONIC && e->format != EC_FORMAT_PAPER)
		return ec_err_set(EC_ERR_ARG, "unknown format %d", (int)e->format);
	if (e->expires < e->effective)
		return ec_err_set(EC_ERR_ARG, "e-Cert %s would expire before it takes effect", e->number);
	if (e->renewal_of[0] != '\0' && !ec_number_valid(e->renewal_of))
		return ec_err_set(EC_ERR_ARG, "renewed number '%s' is not a certificate number", e->renewal_of);
	if (ASN1_TIME_cmp_time_t(X509_get0_notAfter(s->cert), (time_t)((int64_t)e->expires * 86400 + 86399)) < 0)
		return ec_err_set(EC_ERR_REFUSED, "e-Cert %s would outlive issuing CA %s: rotate first (ecert-ca rotate)",
		    e->number, s->kid);
	return EC_OK;
}

/* Subject CN=<name> (UTF8String, the bytes as given) + serialNumber=<number> (PrintableString). */
static int
add_subject(X509 *x, const struct ec_ecert *e)
{
	X509_NAME *nm = X509_NAME_new();
	int ok;

	ok = nm != NULL &&
	    X509_NAME_add_entry_by_NID(nm, NID_commonName, V_ASN1_UTF8STRING, (const unsigned char *)e->name,
	    (int)strlen(e->name), -1, 0) &&
	    X509_NAME_add_entry_by_NID(nm, NID_serialNumber, V_ASN1_PRINTABLESTRING,
	    (const unsigned char *)e->number, EC_NUMBER_DIGITS, -1, 0) &&
	    X509_set_subject_name(x, nm);
	X509_NAME_free(nm);
	return ok ? EC_OK : ec_err_set(EC_ERR_CRYPTO, "cannot build the subject of %s", e->number);
}

static int
add_crldp(X509 *x, const char *url)
{
	CRL_DIST_POINTS *dps = CRL_DIST_POINTS_new();
	DIST_POINT *dp = DIST_POINT_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *uri = ASN1_IA5STRING_new();
	int rc = EC_ERR_CRYPTO;

	if (dps == NULL || dp == NULL || gn == NULL || uri == NULL || !ASN1_STRING_set(uri, url, -1))
		goto out;
	GENERAL_NAME_set0_value(gn, GEN_URI, uri);
	uri = NULL;
	if ((dp->distpoint = DIST_POINT_NAME_new()) == NULL || (dp->distpoint->name.fullname = GENERAL_NAMES_new()) == NULL)
		goto out;
	dp->distpoint->type = 0;
	if (!sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gn))
		goto out;
	gn = NULL;
	if (!sk_DIST_POINT_push(dps, dp))
		goto out;
	dp = NULL;
	if (X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0, X509V3_ADD_DEFAULT) == 1)
		rc = EC_OK;
out:
	if (rc != EC_OK)
		ec_err_set(rc, "cannot build the CRL distribution point");
	ASN1_IA5STRING_free(uri);
	GENERAL_NAME_free(gn);
	DIST_POINT_free(dp);
	CRL_DIST_POINTS_free(dps);
	return rc;
}

static int
add_info(X509 *x, const struct ec_ecert *e)
{
	EC_ECERT_INFO *info = EC_ECERT_INFO_new();
	ASN1_OCTET_STRING *val = NULL;
	X509_EXTENSION *ext = NULL;
	unsigned char *der = NULL;
	int len, nid = ec_ecert_nid(), rc = EC_ERR_CRYPTO;

	if (info == NULL || nid == NID_undef || !ASN1_INTEGER_set(info->version, EC_ECERT_VERSION) ||
	    !ASN1_STRING_set(info->code, e->code, -1) || !ASN1_STRING_set(info->title, e->title, -1) ||
	    !ASN1_ENUMERATED_set(info->format, (long)e->format) ||
	    ASN1_GENERALIZEDTIME_set(info->issued_at, (time_t)e->issued_at) == NULL)
		goto out;
	if (e->renewal_of[0] != '\0' && ((info->renewal_of = ASN1_PRINTABLESTRING_new()) == NULL ||
	    !ASN1_STRING_set(info->renewal_of, e->renewal_of, EC_NUMBER_DIGITS)))
		goto out;
	if ((len = i2d_EC_ECERT_INFO(info, &der)) <= 0 || (val = ASN1_OCTET_STRING_new()) == NULL)
		goto out;
	ASN1_STRING_set0(val, der, len);
	der = NULL;
	if ((ext = X509_EXTENSION_create_by_NID(NULL, nid, 0, val)) == NULL || !X509_add_ext(x, ext, -1))
		goto out;
	rc = EC_OK;
out:
	if (rc != EC_OK)
		ec_err_set(rc, "cannot build the e-Cert extension of %s", e->number);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(val);
	OPENSSL_free(der);
	EC_ECERT_INFO_free(info);
	return rc;
}

/*
 * The placeholder as the subject key, written from its raw public key: X509_set_pubkey() runs
 * OpenSSL 3.0's generic encoder, which costs several times the signature itself.
 */
static int
set_placeholder(X509 *x, EVP_PKEY *ph)
{
	unsigned char raw[EC_RAW_PUB_MAX], *enc = NULL;
	size_t len = 0;
	int ed = EVP_PKEY_get_base_id(ph) == EVP_PKEY_ED25519;

	len = sizeof raw;
	if ((ed ? EVP_PKEY_get_raw_public_key(ph, raw, &len) :
	    EVP_PKEY_get_octet_string_param(ph, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, raw, sizeof raw, &len)) != 1 ||
	    len == 0 || (enc = OPENSSL_memdup(raw, len)) == NULL)
		return ec_err_set(EC_ERR_CRYPTO, "cannot read the placeholder key");
	if (!X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_nid2obj(ed ? NID_ED25519 : NID_X9_62_id_ecPublicKey),
	    ed ? V_ASN1_UNDEF : V_ASN1_OBJECT, ed ? NULL : OBJ_nid2obj(NID_X9_62_prime256v1), enc, (int)len)) {
		OPENSSL_free(enc);
		return ec_err_set(EC_ERR_CRYPTO, "cannot set the placeholder key");
	}
	return EC_OK;
}

/* basicConstraints CA:FALSE (critical) and the AKI: the issuing CA's key identifier. */
static int
add_constraints(X509 *x, const struct ec_signer *s)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(s->cert);
	int rc = EC_ERR_CRYPTO;

	if (bc == NULL || akid == NULL || ski == NULL || (akid->keyid = ASN1_OCTET_STRING_dup(ski)) == NULL)
		goto out;
	bc->ca = 0;
	if (X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) != 1 ||
	    X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = EC_OK;
out:
	if (rc != EC_OK)
		ec_err_set(rc, "cannot build the e-Cert constraints");
	AUTHORITY_KEYID_free(akid);
	BASIC_CONSTRAINTS_free(bc);
	return rc;
}

int
ec_ecert_sign(const struct ec_signer *s, const struct ec_ecert *e, unsigned char **der, size_t *len)
{
	const EVP_MD *md = NULL;
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	unsigned char *p;
	int rc, n;

	*der = NULL;
	*len = 0;
	if ((rc = check_input(s, e)) != EC_OK)
		return rc;
	if ((rc = ec_sign_md(s->key, &md)) != EC_OK)
		return rc;
	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3) || !BN_dec2bn(&bn, e->number) ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    !X509_set_issuer_name(x, X509_get_subject_name(s->cert)) ||
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)((int64_t)e->effective * 86400)) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)((int64_t)e->expires * 86400 + 86399)) == NULL) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot build the e-Cert %s", e->number);
		goto out;
	}
	if ((rc = set_placeholder(x, s->placeholder)) != EC_OK || (rc = add_subject(x, e)) != EC_OK || (rc = add_constraints(x, s)) != EC_OK ||
	    (rc = add_crldp(x, s->crl_url)) != EC_OK || (rc = add_info(x, e)) != EC_OK)
		goto out;
	if (X509_sign(x, s->key, md) <= 0 || (n = i2d_X509(x, NULL)) <= 0) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot sign the e-Cert %s", e->number);
		goto out;
	}
	if ((*der = malloc((size_t)n)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	p = *der;
	i2d_X509(x, &p);
	*len = (size_t)n;
out:
	ERR_clear_error();
	BN_free(bn);
	X509_free(x);
	return rc;
}
