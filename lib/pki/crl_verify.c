/* CRL checking: reason names, loading a CRL verified against a trust bundle, freshness and lookups (no signing code). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "crl.h"
#include "der.h"
#include "ecx509.h"
#include "err.h"

#define CRL_MAX (64L << 20)   /* a CRL of millions of entries still fits; anything larger is refused */
#define PEM_BEGIN "-----BEGIN X509 CRL-----"

struct ec_crl {
	X509_CRL *crl;
	char kid[EC_KID_LEN + 1];      /* "root" for a root CRL */
	int root;
	int64_t this_update, next_update;
};

static const char *const reasons[] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
	"cessationOfOperation", "certificateHold", NULL, NULL, "privilegeWithdrawn", "aACompromise",
};
#define NREASONS ((int)(sizeof reasons / sizeof reasons[0]))

int
ec_crl_reason_parse(const char *name)
{
	int i;

	if (name == NULL)
		return ec_err_set(EC_ERR_ARG, "no revocation reason");
	if (strcmp(name, "removeFromCRL") == 0)
		return ec_err_set(EC_ERR_ARG, "revocation reason 'removeFromCRL' is for delta CRLs, which are not used");
	for (i = 0; i < NREASONS; i++)
		if (reasons[i] && strcmp(name, reasons[i]) == 0)
			return i;
	return ec_err_set(EC_ERR_ARG, "unknown revocation reason '%s' (RFC 5280 names: unspecified, keyCompromise, "
	    "cACompromise, affiliationChanged, superseded, cessationOfOperation, certificateHold, "
	    "privilegeWithdrawn, aACompromise)", name);
}

const char *
ec_crl_reason_name(int code)
{
	if (code < 0 || code >= NREASONS || reasons[code] == NULL)
		return reasons[0];
	return reasons[code];
}

/* The DER inside the CRL's extensions and its entries' (reason codes). */
static int
exts_der(X509_CRL *crl)
{
	STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);
	int i, rc;

	if ((rc = ec_der_check_exts(X509_CRL_get0_extensions(crl))) != EC_OK)
		return rc;
	for (i = 0; i < sk_X509_REVOKED_num(revs); i++)
		if ((rc = ec_der_check_exts(X509_REVOKED_get0_extensions(sk_X509_REVOKED_value(revs, i)))) != EC_OK)
			return rc;
	return EC_OK;
}

/*
 * Parse exactly len bytes of strict DER, or one PEM block of it followed by nothing but white space.
 * EC_ERR_SYNTAX with a detail when it is neither.
 */
static int
parse(const unsigned char *data, size_t len, X509_CRL **out)
{
	const unsigned char *der = data, *p;
	unsigned char *body = NULL;
	char *name = NULL, *header = NULL, *rest;
	long dlen = (long)len, rn, i;
	BIO *bio = NULL;
	int rc = EC_ERR_SYNTAX;

	*out = NULL;
	if (len >= sizeof PEM_BEGIN - 1 && memcmp(data, PEM_BEGIN, sizeof PEM_BEGIN - 1) == 0) {
		if ((bio = BIO_new_mem_buf(data, (int)len)) == NULL ||
		    PEM_read_bio(bio, &name, &header, &body, &dlen) != 1 || strcmp(name, "X509 CRL") != 0 ||
		    header[0] != '\0') {
			ec_err_set(rc, "crl: not a PEM X.509 CRL");
			goto out;
		}
		rn = BIO_get_mem_data(bio, &rest);
		for (i = 0; i < rn; i++)
			if (!strchr(" \t\r\n", rest[i]) || rest[i] == '\0') {
				ec_err_set(rc, "crl: text after the PEM block");
				goto out;
			}
		der = body;
	}
	p = der;
	if (dlen <= 0 || (*out = d2i_X509_CRL(NULL, &p, dlen)) == NULL || p != der + dlen) {
		ec_err_set(rc, "crl: not a DER or PEM X.509 CRL");
		goto out;
	}
	if ((rc = ec_der_check(der, (size_t)dlen)) != EC_OK || (rc = exts_der(*out)) != EC_OK) {
		ec_err_set(rc, "crl: %s", ec_err_msg(rc));
		goto out;
	}
	rc = EC_OK;
out:
	if (rc != EC_OK) {
		X509_CRL_free(*out);
		*out = NULL;
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(body);
	BIO_free(bio);
	return rc;
}

/* Only the extensions we write are understood; a critical one would change the CRL's meaning (RFC 5280 5.2). */
static int
has_critical(const STACK_OF(X509_EXTENSION) *exts)
{
	int i;

	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++)
		if (X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(exts, i)))
			return 1;
	return 0;
}

/* Every entry: no critical extension, at most one reason, a reason we know (removeFromCRL refused). */
static int
entries_ok(X509_CRL *crl)
{
	STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(crl);
	ASN1_ENUMERATED *r;
	X509_REVOKED *rev;
	long code;
	int i, crit;

	for (i = 0; i < sk_X509_REVOKED_num(revs); i++) {
		rev = sk_X509_REVOKED_value(revs, i);
		if (has_critical(X509_REVOKED_get0_extensions(rev)))
			return 0;
		r = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, &crit, NULL);
		if (r == NULL) {
			if (crit != -1)
				return 0;
			continue;
		}
		code = ASN1_ENUMERATED_get(r);
		ASN1_ENUMERATED_free(r);
		if (code < 0 || code >= NREASONS || reasons[code] == NULL)
			return 0;
	}
	return 1;
}

/*
 * The CA of t that signed crl (*root set when it is a root). Issuing CA candidates by KID: from the AKI keyid (our SKI is the leftmost
 * 160 bits of the same SHA-256 as the KID, so its base64url starts with the KID), then from the issuer
 * CN ("<org> Issuing CA <KID>"). A candidate must carry the CRL's issuer name as its subject and, when
 * the CRL has an AKI keyid, that keyid as its SKI.
 */
static X509 *
find_issuer(const struct ec_trust *t, X509_CRL *crl, char kid[EC_KID_LEN + 1], int *root)
{
	char cand[2][EC_KID_LEN + 1], enc[40], cn[256];
	AUTHORITY_KEYID *aki;
	const ASN1_OCTET_STRING *ski;
	const char *sp;
	X509 *ca, *found = NULL;
	int crit, i, n = 0, len;

	aki = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, &crit, NULL);
	if (aki == NULL && crit != -1)
		return NULL;
	if (aki && aki->keyid && aki->keyid->length >= 9 && aki->keyid->length <= 20 &&
	    ec_b64url_encode(aki->keyid->data, (size_t)aki->keyid->length, enc, sizeof enc) == 0) {
		memcpy(cand[n], enc, EC_KID_LEN);
		cand[n++][EC_KID_LEN] = '\0';
	}
	len = X509_NAME_get_text_by_NID(X509_CRL_get_issuer(crl), NID_commonName, cn, sizeof cn);
	if (len > EC_KID_LEN && (size_t)len < sizeof cn - 1 && (sp = strrchr(cn, ' ')) != NULL &&
	    strlen(sp + 1) == EC_KID_LEN) {
		memcpy(cand[n], sp + 1, EC_KID_LEN + 1);
		n++;
	}
	for (i = 0; i < n && found == NULL; i++) {
		if ((ca = ec_trust_issuer(t, cand[i])) == NULL ||
		    X509_NAME_cmp(X509_get_subject_name(ca), X509_CRL_get_issuer(crl)) != 0)
			continue;
		if (aki && aki->keyid &&
		    ((ski = X509_get0_subject_key_id(ca)) == NULL || ASN1_OCTET_STRING_cmp(ski, aki->keyid) != 0))
			continue;
		found = ca;
		memcpy(kid, cand[i], EC_KID_LEN + 1);
	}
	/* A root's CRL of its issuing CAs: the same name and key identifier rules. */
	for (i = 0; (size_t)i < ec_trust_nroots(t) && found == NULL; i++) {
		ca = ec_trust_root(t, (size_t)i);
		if (X509_NAME_cmp(X509_get_subject_name(ca), X509_CRL_get_issuer(crl)) != 0 || aki == NULL ||
		    aki->keyid == NULL || (ski = X509_get0_subject_key_id(ca)) == NULL ||
		    ASN1_OCTET_STRING_cmp(ski, aki->keyid) != 0)
			continue;
		found = ca;
		*root = 1;
		strcpy(kid, "root");
	}
	AUTHORITY_KEYID_free(aki);
	return found;
}

int
ec_crl_load(const unsigned char *data, size_t len, const struct ec_trust *t, struct ec_crl **out)
{
	struct ec_crl *c = NULL;
	ASN1_INTEGER *zero = NULL;
	X509_REVOKED *rev;
	X509 *ca;
	int rc;

	*out = NULL;
	if (data == NULL || t == NULL)
		return ec_err_set(EC_ERR_ARG, "crl: no data or no trust bundle");
	if (len > (size_t)CRL_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "crl: larger than %ld bytes", CRL_MAX);
	if ((c = calloc(1, sizeof *c)) == NULL)
		return EC_ERR_NOMEM;
	if ((rc = parse(data, len, &c->crl)) != EC_OK)
		goto out;
	if (X509_CRL_get_version(c->crl) != 1 ||
	    ec_asn1_time_get(X509_CRL_get0_lastUpdate(c->crl), &c->this_update) ||
	    ec_asn1_time_get(X509_CRL_get0_nextUpdate(c->crl), &c->next_update)) {
		rc = ec_err_set(EC_ERR_SYNTAX, "crl: not a v2 CRL with thisUpdate and nextUpdate");
		goto out;
	}
	if (has_critical(X509_CRL_get0_extensions(c->crl)) || !entries_ok(c->crl)) {
		rc = ec_err_set(EC_ERR_SYNTAX, "crl: unsupported critical extension or malformed entry");
		goto out;
	}
	if ((ca = find_issuer(t, c->crl, c->kid, &c->root)) == NULL) {
		rc = ec_err_set(EC_ERR_SIG, "crl: issued by no CA of the trust bundle");
		goto out;
	}
	if (X509_CRL_verify(c->crl, X509_get0_pubkey(ca)) != 1) {
		rc = c->root ? ec_err_set(EC_ERR_SIG, "crl: signature does not verify with the root CA") :
		    ec_err_set(EC_ERR_SIG, "crl: signature does not verify with issuing CA '%s'", c->kid);
		goto out;
	}
	/* OpenSSL sorts the entries on the first lookup; do it now so that threads sharing c only read. */
	if ((zero = ASN1_INTEGER_new()) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	X509_CRL_get0_by_serial(c->crl, &rev, zero);
	*out = c;
	c = NULL;
	rc = 0;
out:
	if (rc)
		ERR_clear_error();
	ASN1_INTEGER_free(zero);
	ec_crl_free(c);
	return rc;
}

void
ec_crl_free(struct ec_crl *c)
{
	if (c == NULL)
		return;
	X509_CRL_free(c->crl);
	free(c);
}

const char *
ec_crl_kid(const struct ec_crl *c)
{
	return c->kid;
}

int
ec_crl_is_root(const struct ec_crl *c)
{
	return c->root;
}

int
ec_crl_check_fresh(const struct ec_crl *c, int64_t at)
{
	char when[32];
	struct tm tm;
	time_t tt;

	if (at >= c->this_update && at <= c->next_update)
		return 0;
	tt = (time_t)(at < c->this_update ? c->this_update : c->next_update);
	if (gmtime_r(&tt, &tm) == NULL || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(when, "?");
	if (c->root)
		return at < c->this_update ? ec_err_set(EC_ERR_NOTYET, "crl of the root CA is not valid before %s", when) :
		    ec_err_set(EC_ERR_STALE, "crl of the root CA is out of date since %s", when);
	if (at < c->this_update)
		return ec_err_set(EC_ERR_NOTYET, "crl of issuing CA '%s' is not valid before %s", c->kid, when);
	return ec_err_set(EC_ERR_STALE, "crl of issuing CA '%s' is out of date since %s", c->kid, when);
}

int
ec_crl_lookup(const struct ec_crl *c, const char *number, struct ec_crl_entry *out)
{
	X509_REVOKED *rev = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_ENUMERATED *r;
	BIGNUM *bn = NULL;
	struct ec_crl_entry e;
	int rc;

	if (number == NULL || strlen(number) != EC_NUMBER_DIGITS ||
	    strspn(number, "0123456789") != EC_NUMBER_DIGITS)
		return 0;
	rc = EC_ERR_NOMEM;
	if (BN_dec2bn(&bn, number) != EC_NUMBER_DIGITS || (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL)
		goto out;
	if (X509_CRL_get0_by_serial(c->crl, &rev, serial) != 1) {
		rc = 0;
		goto out;
	}
	memset(&e, 0, sizeof e);
	if ((rc = ec_serial_digits(X509_REVOKED_get0_serialNumber(rev), e.number)) ||
	    (rc = ec_asn1_time_get(X509_REVOKED_get0_revocationDate(rev), &e.revoked_at)))
		goto out;
	if ((r = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL)) != NULL) {
		e.reason = (int)ASN1_ENUMERATED_get(r);
		ASN1_ENUMERATED_free(r);
	}
	if (out)
		*out = e;
	rc = 1;
out:
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return rc;
}

int
ec_crl_covers_ca(const struct ec_crl *c, X509 *ca)
{
	const ASN1_OCTET_STRING *ca_akid;
	AUTHORITY_KEYID *aki;
	int ok;

	if (!c->root || X509_NAME_cmp(X509_CRL_get_issuer(c->crl), X509_get_issuer_name(ca)) != 0 ||
	    (ca_akid = X509_get0_authority_key_id(ca)) == NULL)
		return 0;
	/* ec_crl_load took a root CRL only with a key identifier: it names the root's key. */
	if ((aki = X509_CRL_get_ext_d2i(c->crl, NID_authority_key_identifier, NULL, NULL)) == NULL)
		return 0;
	ok = aki->keyid != NULL && ASN1_OCTET_STRING_cmp(aki->keyid, ca_akid) == 0;
	AUTHORITY_KEYID_free(aki);
	return ok;
}

int
ec_crl_lookup_ca(const struct ec_crl *c, X509 *ca, struct ec_crl_entry *out)
{
	X509_REVOKED *rev = NULL;
	ASN1_ENUMERATED *r;

	if (!ec_crl_covers_ca(c, ca) || X509_CRL_get0_by_serial(c->crl, &rev, X509_get0_serialNumber(ca)) != 1)
		return 0;
	memset(out, 0, sizeof *out);
	if (ec_asn1_time_get(X509_REVOKED_get0_revocationDate(rev), &out->revoked_at) != 0)
		out->revoked_at = 0;
	if ((r = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL)) != NULL) {
		out->reason = (int)ASN1_ENUMERATED_get(r);
		ASN1_ENUMERATED_free(r);
	}
	return 1;
}
