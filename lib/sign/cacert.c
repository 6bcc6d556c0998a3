/* Build and sign the root and issuing CA certificates (signing code: never linked into the verifiers). */
#include <string.h>
#include <time.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ecx509.h"
#include "err.h"

int
ec_sign_md(EVP_PKEY *key, const EVP_MD **md)
{
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
		*md = NULL;
		return EC_OK;
	}
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
		*md = EVP_sha256();
		return EC_OK;
	}
	return ec_err_set(EC_ERR_UNSUPPORTED, "signing key is neither P-256 nor Ed25519");
}

/* t plus n calendar years in UTC; 29 February becomes 28 February in a common year. */
static int64_t
add_years(int64_t t, int years)
{
	time_t tt = (time_t)t;
	struct tm tm;
	int y;

	gmtime_r(&tt, &tm);
	tm.tm_year += years;
	y = tm.tm_year + 1900;
	if (tm.tm_mon == 1 && tm.tm_mday == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		tm.tm_mday = 28;
	return (int64_t)timegm(&tm);
}

/*
 * A fresh unique serial: microseconds since the epoch (so CAs sort by creation even within one
 * second) followed by 8 random bytes; 16 octets, positive.
 */
static int
set_serial(X509 *x)
{
	unsigned char b[16];
	struct timespec ts;
	uint64_t us;
	BIGNUM *bn = NULL;
	int i, rc = EC_OK;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	for (i = 7; i >= 0; i--, us >>= 8)
		b[i] = (unsigned char)us;
	b[0] &= 0x7f;
	if (RAND_bytes(b + 8, 8) != 1 || (bn = BN_bin2bn(b, sizeof b, NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot set a certificate serial");
	BN_free(bn);
	return rc;
}

/* O=<org>, CN=<cn> in DER order (most significant first); UTF8String, bounded by the X.520 limits. */
static int
make_name(const char *org, const char *cn, X509_NAME **out)
{
	X509_NAME *nm = X509_NAME_new();

	if (nm == NULL ||
	    !X509_NAME_add_entry_by_NID(nm, NID_organizationName, MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(nm, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0)) {
		X509_NAME_free(nm);
		return ec_err_set(EC_ERR_ARG, "cannot build the name '%s': too long or invalid", cn);
	}
	*out = nm;
	return EC_OK;
}

/* cRLDistributionPoints with one URI (crl_url: printable ASCII, checked by the caller's configuration). */
static int
add_crldp(X509 *x, const char *crl_url)
{
	CRL_DIST_POINTS *dps = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *uri = ASN1_IA5STRING_new();
	int rc = EC_ERR_CRYPTO;

	if (dps == NULL || dp == NULL || gn == NULL || uri == NULL || !ASN1_STRING_set(uri, crl_url, -1))
		goto out;
	GENERAL_NAME_set0_value(gn, GEN_URI, uri);
	uri = NULL;
	if ((dp->distpoint = DIST_POINT_NAME_new()) == NULL || (dp->distpoint->name.fullname = GENERAL_NAMES_new()) == NULL ||
	    !sk_GENERAL_NAME_push(dp->distpoint->name.fullname, gn))
		goto out;
	dp->distpoint->type = 0;
	gn = NULL;
	if (!sk_DIST_POINT_push(dps, dp))
		goto out;
	dp = NULL;
	if (X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0, X509V3_ADD_DEFAULT) == 1)
		rc = EC_OK;
out:
	if (rc != EC_OK)
		ec_err_set(rc, "cannot add the CRL distribution point '%s'", crl_url);
	ASN1_IA5STRING_free(uri);
	GENERAL_NAME_free(gn);
	DIST_POINT_free(dp);
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	return rc;
}

/* basicConstraints CA:TRUE (pathlen when pathlen >= 0), keyUsage keyCertSign + cRLSign, both critical; SKI; AKI when aki. */
static int
add_ca_exts(X509 *x, int pathlen, EVP_PKEY *pub, const ASN1_OCTET_STRING *aki)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	ASN1_OCTET_STRING *ski = ASN1_OCTET_STRING_new();
	AUTHORITY_KEYID *akid = NULL;
	unsigned char id[EC_SKI_LEN];
	int rc = EC_ERR_CRYPTO;

	if (bc == NULL || ku == NULL || ski == NULL)
		goto out;
	/* OpenSSL writes this int as the BOOLEAN's content byte: DER's TRUE is 0xFF, and strict parsers refuse 0x01. */
	bc->ca = 0xff;
	if (pathlen >= 0 && ((bc->pathlen = ASN1_INTEGER_new()) == NULL || !ASN1_INTEGER_set(bc->pathlen, pathlen)))
		goto out;
	if (!ASN1_BIT_STRING_set_bit(ku, 5, 1) || !ASN1_BIT_STRING_set_bit(ku, 6, 1))
		goto out;
	if ((rc = ec_ski_of_pkey(pub, id)) != EC_OK)
		goto out;
	rc = EC_ERR_CRYPTO;
	if (!ASN1_OCTET_STRING_set(ski, id, sizeof id))
		goto out;
	if (X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT) != 1 ||
	    X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_DEFAULT) != 1 ||
	    X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0, X509V3_ADD_DEFAULT) != 1)
		goto out;
	if (aki != NULL) {
		if ((akid = AUTHORITY_KEYID_new()) == NULL || (akid->keyid = ASN1_OCTET_STRING_dup(aki)) == NULL ||
		    X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT) != 1)
			goto out;
	}
	rc = EC_OK;
out:
	if (rc == EC_ERR_CRYPTO)
		ec_err_set(rc, "cannot build the CA certificate extensions");
	AUTHORITY_KEYID_free(akid);
	ASN1_OCTET_STRING_free(ski);
	ASN1_BIT_STRING_free(ku);
	BASIC_CONSTRAINTS_free(bc);
	return rc;
}

/* The common skeleton: v3, serial, names, validity, public key; extensions and signature follow. */
static int
skeleton(X509_NAME *subject, const X509_NAME *issuer, EVP_PKEY *pub, int64_t nb, int64_t na, X509 **out)
{
	X509 *x = X509_new();
	int rc;

	*out = NULL;
	if (x == NULL || !X509_set_version(x, X509_VERSION_3)) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = set_serial(x)) != EC_OK)
		goto out;
	if (!X509_set_subject_name(x, subject) || !X509_set_issuer_name(x, issuer) || !X509_set_pubkey(x, pub) ||
	    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) == NULL) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot build a CA certificate");
		goto out;
	}
	*out = x;
	x = NULL;
out:
	X509_free(x);
	return rc;
}

static int
sign(X509 *x, EVP_PKEY *key)
{
	const EVP_MD *md = NULL;
	int rc;

	if ((rc = ec_sign_md(key, &md)) != EC_OK)
		return rc;
	if (X509_sign(x, key, md) <= 0)
		return ec_err_set(EC_ERR_CRYPTO, "cannot sign a CA certificate");
	return EC_OK;
}

/*
 * A CA certificate "O=org, CN=cn" over pub, valid [nb, na], signed with key: self-signed when issuer
 * is NULL (a root: no path length, no AKI, no CRL point), else under issuer (an issuing CA: path
 * length 0, AKI = the issuer's SKI, crl_url as its CRL distribution point).
 */
static int
build(const char *org, const char *cn, X509 *issuer, EVP_PKEY *pub, EVP_PKEY *key, int64_t nb, int64_t na,
    const char *crl_url, X509 **out)
{
	X509_NAME *nm = NULL;
	X509 *x = NULL;
	int rc;

	*out = NULL;
	if ((rc = make_name(org, cn, &nm)) != EC_OK ||
	    (rc = skeleton(nm, issuer ? X509_get_subject_name(issuer) : nm, pub, nb, na, &x)) != EC_OK ||
	    (rc = add_ca_exts(x, issuer ? 0 : -1, pub, issuer ? X509_get0_subject_key_id(issuer) : NULL)) != EC_OK ||
	    (crl_url != NULL && (rc = add_crldp(x, crl_url)) != EC_OK) || (rc = sign(x, key)) != EC_OK)
		goto out;
	*out = x;
	x = NULL;
out:
	ERR_clear_error();
	X509_free(x);
	X509_NAME_free(nm);
	return rc;
}

int
ec_cacert_root(EVP_PKEY *key, const char *org, int64_t not_before, X509 **out)
{
	char cn[256];

	snprintf(cn, sizeof cn, "%s Root CA", org);
	return build(org, cn, NULL, key, key, not_before, add_years(not_before, EC_ROOT_YEARS), NULL, out);
}

int
ec_cacert_issuing(X509 *root, EVP_PKEY *root_key, EVP_PKEY *pub, const char *org, const char *kid,
    const char *crl_url, int64_t not_before, X509 **out)
{
	int64_t na, root_na;
	char cn[256];
	int rc;

	*out = NULL;
	if (X509_get0_subject_key_id(root) == NULL)
		return ec_err_set(EC_ERR_CORRUPT, "the root CA certificate has no subject key identifier");
	if ((rc = ec_asn1_time_get(X509_get0_notAfter(root), &root_na)) != EC_OK)
		return rc;
	na = add_years(not_before, EC_ISSUING_YEARS);
	if (na > root_na)
		na = root_na;
	if (na <= not_before)
		return ec_err_set(EC_ERR_EXPIRED, "the root CA certificate has expired: create a new CA");
	snprintf(cn, sizeof cn, "%s Issuing CA %s", org, kid);
	return build(org, cn, root, pub, root_key, not_before, na, crl_url, out);
}
