/* CRL signing: the X.509 v2 CRL of an issuing CA's revoked e-Certs, and the root's of its issuing CAs (signing code). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crl.h"
#include "ecx509.h"
#include "err.h"
#include "number.h"

/* One revoked entry: serial = the number as an integer (as the e-Cert's serial), the date, the reason. */
static int
add_entry(X509_CRL *crl, const struct ec_crl_entry *en)
{
	X509_REVOKED *rev = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *when = NULL;
	ASN1_ENUMERATED *reason = NULL;
	BIGNUM *bn = NULL;
	int rc = EC_ERR_CRYPTO;

	if ((rev = X509_REVOKED_new()) == NULL ||
	    BN_dec2bn(&bn, en->number) != EC_NUMBER_DIGITS ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !X509_REVOKED_set_serialNumber(rev, serial) ||
	    (when = ASN1_TIME_set(NULL, (time_t)en->revoked_at)) == NULL ||
	    !X509_REVOKED_set_revocationDate(rev, when))
		goto out;
	if (en->reason != 0) {
		if ((reason = ASN1_ENUMERATED_new()) == NULL || !ASN1_ENUMERATED_set(reason, en->reason) ||
		    X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0) != 1)
			goto out;
	}
	if (!X509_CRL_add0_revoked(crl, rev))
		goto out;
	rev = NULL;
	rc = 0;
out:
	ASN1_ENUMERATED_free(reason);
	ASN1_TIME_free(when);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_REVOKED_free(rev);
	return rc;
}

/* crlNumber and the AKI (keyid = the signing CA's SKI), both non-critical as RFC 5280 asks. */
static int
add_exts(X509_CRL *crl, X509 *ca, uint64_t crl_number)
{
	ASN1_INTEGER *num = NULL;
	AUTHORITY_KEYID *aki = NULL;
	const ASN1_OCTET_STRING *ski;
	int rc = EC_ERR_CRYPTO;

	if ((ski = X509_get0_subject_key_id(ca)) == NULL) {
		rc = ec_err_set(EC_ERR_ARG, "crl: the CA certificate has no subject key identifier");
		goto out;
	}
	if ((num = ASN1_INTEGER_new()) == NULL || !ASN1_INTEGER_set_uint64(num, crl_number) ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) != 1)
		goto out;
	if ((aki = AUTHORITY_KEYID_new()) == NULL || (aki->keyid = ASN1_OCTET_STRING_dup(ski)) == NULL ||
	    X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, aki, 0, 0) != 1)
		goto out;
	rc = 0;
out:
	AUTHORITY_KEYID_free(aki);
	ASN1_INTEGER_free(num);
	return rc;
}

/* RFC 5280 CRLReason codes we sign: 0..6, 9, 10 (7 is unused, removeFromCRL (8) is for delta CRLs). */
static int
reason_ok(int r)
{
	return (r >= 0 && r <= 6) || r == 9 || r == 10;
}

/* The same serial twice would make the CRL ambiguous; entries are sorted by then. */
static int
has_duplicates(X509_CRL *crl)
{
	STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);
	int i;

	for (i = 1; i < sk_X509_REVOKED_num(revs); i++)
		if (ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revs, i - 1)),
		    X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revs, i))) == 0)
			return 1;
	return 0;
}

/*
 * The CRL of CA ca (signed with key; who names it in messages) listing entries[0..n), valid for
 * `validity` seconds from now. *der is malloc'd.
 */
static int
sign_crl(X509 *ca, EVP_PKEY *key, const char *who, const struct ec_crl_entry *entries, size_t n, int64_t now,
    int64_t validity, uint64_t crl_number, unsigned char **der, size_t *len)
{
	X509_CRL *crl = NULL;
	ASN1_TIME *t = NULL;
	const EVP_MD *md = NULL;
	unsigned char *buf = NULL, *p;
	size_t i;
	int dl, rc = EC_ERR_CRYPTO;

	*der = NULL;
	*len = 0;
	if (ca == NULL || key == NULL || (n > 0 && entries == NULL))
		return ec_err_set(EC_ERR_ARG, "crl: no signer");
	if (now < 0 || now > INT64_MAX - validity)
		return ec_err_set(EC_ERR_ARG, "crl: time out of range");
	for (i = 0; i < n; i++) {
		if (memchr(entries[i].number, '\0', sizeof entries[i].number) == NULL ||
		    !ec_number_valid(entries[i].number))
			return ec_err_set(EC_ERR_ARG, "crl: entry %zu: not a valid certificate number", i);
		if (!reason_ok(entries[i].reason))
			return ec_err_set(EC_ERR_ARG, "crl: entry '%s': invalid reason code %d",
			    entries[i].number, entries[i].reason);
		if (entries[i].revoked_at < 0)
			return ec_err_set(EC_ERR_ARG, "crl: entry '%s': revocation time out of range",
			    entries[i].number);
	}
	if ((rc = ec_sign_md(key, &md)) != EC_OK)
		return rc;
	rc = EC_ERR_CRYPTO;
	if ((crl = X509_CRL_new()) == NULL || !X509_CRL_set_version(crl, 1) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)))
		goto out;
	if ((t = ASN1_TIME_set(NULL, (time_t)now)) == NULL || !X509_CRL_set1_lastUpdate(crl, t) ||
	    ASN1_TIME_set(t, (time_t)(now + validity)) == NULL || !X509_CRL_set1_nextUpdate(crl, t))
		goto out;
	for (i = 0; i < n; i++)
		if ((rc = add_entry(crl, &entries[i])))
			goto out;
	if ((rc = add_exts(crl, ca, crl_number)))
		goto out;
	rc = EC_ERR_CRYPTO;
	if (!X509_CRL_sort(crl))
		goto out;
	if (has_duplicates(crl)) {
		rc = ec_err_set(EC_ERR_ARG, "crl: the same certificate number is listed twice");
		goto out;
	}
	if (X509_CRL_sign(crl, key, md) <= 0)
		goto out;
	if ((dl = i2d_X509_CRL(crl, NULL)) <= 0 || (buf = malloc((size_t)dl)) == NULL)
		goto out;
	p = buf;
	if (i2d_X509_CRL(crl, &p) != dl)
		goto out;
	*der = buf;
	*len = (size_t)dl;
	buf = NULL;
	rc = 0;
out:
	if (rc == EC_ERR_CRYPTO) {
		ERR_clear_error();
		ec_err_set(rc, "crl: cannot build or sign the CRL of %s", who);
	}
	free(buf);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return rc;
}

int
ec_crl_sign(const struct ec_signer *s, const struct ec_crl_entry *entries, size_t n,
    int64_t now, uint64_t crl_number, unsigned char **der, size_t *len)
{
	char who[64];

	if (s == NULL) {
		*der = NULL;
		*len = 0;
		return ec_err_set(EC_ERR_ARG, "crl: no signer");
	}
	snprintf(who, sizeof who, "issuing CA '%s'", s->kid);
	return sign_crl(s->cert, s->key, who, entries, n, now, EC_CRL_VALIDITY, crl_number, der, len);
}

int
ec_crl_sign_root(X509 *root, EVP_PKEY *key, int64_t now, uint64_t crl_number, unsigned char **der, size_t *len)
{
	return sign_crl(root, key, "the root CA", NULL, 0, now, EC_ROOT_CRL_VALIDITY, crl_number, der, len);
}
