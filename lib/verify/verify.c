/* The staged offline verification pipeline behind ecert-verify: detect, parse, check, record every stage. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cert.h"
#include "crl.h"
#include "date.h"
#include "err.h"
#include "number.h"
#include "pdfqpdf.h"
#include "pdfread.h"
#include "token.h"
#include "verify.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"

/* Where a PDF may carry its QR token as text, besides an attachment (document information keys). */
static const char *const info_keys[] = { "ECertToken", "ECertQR" };

const char *
ec_verify_stage_name(int stage)
{
	static const char *const names[EC_VS_COUNT] = {
		"format", "signature", "issuer", "validity", "revocation", "consistency"
	};

	return stage >= 0 && stage < EC_VS_COUNT ? names[stage] : "none";
}

const char *
ec_verify_res_name(enum ec_vres r)
{
	switch (r) {
	case EC_VR_PASS: return "pass";
	case EC_VR_WARN: return "warning";
	case EC_VR_FAIL: return "fail";
	case EC_VR_SKIPPED: break;
	}
	return "skipped";
}

const char *
ec_verify_kind_name(enum ec_vkind k)
{
	switch (k) {
	case EC_VK_PDF: return "pdf";
	case EC_VK_PEM: return "pem";
	case EC_VK_DER: return "der";
	case EC_VK_URL: return "url";
	case EC_VK_TOKEN: return "token";
	case EC_VK_UNKNOWN: break;
	}
	return "unknown";
}

/* "16 MiB", "64 KiB" or "N bytes" for a bound. */
static void
size_text(size_t n, char out[32])
{
	if (n >= (1u << 20) && n % (1u << 20) == 0)
		snprintf(out, 32, "%zu MiB", n >> 20);
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(out, 32, "%zu KiB", n >> 10);
	else
		snprintf(out, 32, "%zu bytes", n);
}

/*
 * Record stage s. The first failure becomes the verdict. A failure's code is kept when it already
 * means "not valid" (or is out of memory); anything else becomes dflt, so that odd library codes
 * from hostile input never turn into "system error".
 */
static void __attribute__((format(printf, 6, 7)))
stage(struct ec_verify_result *r, int s, enum ec_vres res, int code, int dflt, const char *fmt, ...)
{
	va_list ap;

	if (res == EC_VR_FAIL && code != EC_ERR_NOMEM && code != EC_ERR_IO && ec_err_exit(code) != 1)
		code = dflt;
	r->stage[s].res = res;
	r->stage[s].code = res == EC_VR_FAIL ? code : 0;
	va_start(ap, fmt);
	vsnprintf(r->stage[s].msg, sizeof r->stage[s].msg, fmt, ap);
	va_end(ap);
	if (res == EC_VR_FAIL && r->failed < 0) {
		r->failed = s;
		r->code = code;
	}
}

/* A format failure that means "nothing here could be checked", not "a check failed". */
static void
cannot_check(struct ec_verify_result *r, int code, const char *detail)
{
	stage(r, EC_VS_FORMAT, EC_VR_FAIL, code, EC_ERR_SYNTAX, "%s", detail);
	r->cannot_check = 1;
}

static int
isspace_(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Strip ASCII white space at both ends of p[0..*n). */
static const unsigned char *
trim(const unsigned char *p, size_t *n)
{
	while (*n > 0 && isspace_(p[0])) {
		p++;
		(*n)--;
	}
	while (*n > 0 && isspace_(p[*n - 1]))
		(*n)--;
	return p;
}

static int
b64char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Base64url characters with exactly two dots, none at either end. */
static int
token_shape(const unsigned char *p, size_t n)
{
	size_t i, dots = 0;

	if (n < 5 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '.')
			dots++;
		else if (!b64char(p[i]))
			return 0;
	}
	return dots == 2;
}

/* Printable ASCII with "/v/" and a '#' after it: the shape of a QR payload. */
static int
url_shape(const unsigned char *p, size_t n)
{
	const unsigned char *v = memmem(p, n, "/v/", 3);
	size_t i;

	if (v == NULL || memchr(v, '#', n - (size_t)(v - p)) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return 0;
	return 1;
}

static enum ec_vkind
detect(const unsigned char *in, size_t len)
{
	size_t n = len;
	const unsigned char *p;

	if (len >= 5 && memcmp(in, "%PDF-", 5) == 0)
		return EC_VK_PDF;
	/*
	 * A certificate is a SEQUENCE longer than 127 bytes: 0x30 then a long-form or (BER, refused later
	 * as not DER) indefinite length, never ASCII "0<digit>".
	 */
	if (len > 1 && in[0] == 0x30 && in[1] >= 0x80 && in[1] <= 0x84)
		return EC_VK_DER;
	p = trim(in, &n);
	if (n >= sizeof PEM_BEGIN - 1 && memcmp(p, PEM_BEGIN, sizeof PEM_BEGIN - 1) == 0)
		return EC_VK_PEM;
	if (url_shape(p, n))
		return EC_VK_URL;
	if (token_shape(p, n))
		return EC_VK_TOKEN;
	return EC_VK_UNKNOWN;
}

int
ec_verify_is_text(const char *s, size_t n)
{
	const unsigned char *p = trim((const unsigned char *)s, &n);
	char num[EC_NUMBER_DIGITS + 1];
	int rc;

	if (url_shape(p, n) || token_shape(p, n))
		return 1;
	rc = n <= 64 ? ec_number_parse((const char *)p, n, num) : EC_ERR_SYNTAX;
	return rc == EC_OK || rc == EC_ERR_CHECKSUM;
}

/* The issuing CA's subject CN as UTF-8 (control characters shown as '?'); "" when unknown. */
static void
issuer_cn(const struct ec_trust *t, const char *kid, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", ec_trust_issuer_cn(t, kid));
}

static void
check_validity(const struct ec_verify_opts *o, struct ec_verify_result *r)
{
	char from[11], to[11], at[11];
	int rc = ec_ecert_check_dates(&r->e, o->at);

	ec_date_format(r->e.effective, from);
	ec_date_format(r->e.expires, to);
	ec_date_format(o->at, at);
	if (rc == EC_ERR_EXPIRED)
		stage(r, EC_VS_VALIDITY, EC_VR_FAIL, rc, rc, "expired on %s (checked as of %s)", to, at);
	else if (rc == EC_ERR_NOTYET)
		stage(r, EC_VS_VALIDITY, EC_VR_FAIL, rc, rc, "not valid before %s (checked as of %s)", from, at);
	else if (rc != EC_OK)
		stage(r, EC_VS_VALIDITY, EC_VR_FAIL, rc, EC_ERR_SYNTAX, "%s", ec_err_msg(rc));
	else
		stage(r, EC_VS_VALIDITY, EC_VR_PASS, 0, 0, "valid from %s through %s (checked as of %s)", from, to, at);
}

/*
 * Each root CRL of the root that issued the e-Cert's issuing CA: fresh as of at_time and not listing
 * that CA. Other roots' CRLs say nothing of it and are passed over. 1 when the stage failed here, 0 to
 * go on; *roots counts the root CRLs that applied.
 */
static int
check_root_crls(const struct ec_verify_opts *o, struct ec_verify_result *r, size_t *roots)
{
	X509 *ca = ec_trust_issuer(o->trust, r->e.kid);
	size_t i;
	int rc;

	*roots = 0;
	for (i = 0; i < o->ncrls; i++) {
		const struct ec_verify_crl *c = &o->crls[i];
		if (c->crl == NULL || ca == NULL || !ec_crl_covers_ca(c->crl, ca))
			continue;
		(*roots)++;
		rc = ec_crl_check_fresh(c->crl, o->at_time);
		if (rc != EC_OK && rc != EC_ERR_NOTYET) {
			stage(r, EC_VS_REVOCATION, EC_VR_FAIL, rc, EC_ERR_STALE, "CRL '%s' is stale: %s", c->label,
			    ec_err_msg(rc));
			return 1;
		}
		if (ec_crl_lookup_ca(c->crl, ca, &r->revocation)) {
			r->revoked = 1;
			stage(r, EC_VS_REVOCATION, EC_VR_FAIL, EC_ERR_REVOKED, EC_ERR_REVOKED,
			    "issuing CA %s is revoked according to root CRL '%s'", r->e.kid, c->label);
			return 1;
		}
	}
	return 0;
}

/*
 * Every CRL from the issuing CA: fresh as of at_time and not listing the number; every root CRL: not
 * listing the issuing CA. No CRL is a warning; an issuing CA's CRL without a root CRL passes and says
 * what was left unchecked.
 */
static void
check_revocation(const struct ec_verify_opts *o, struct ec_verify_result *r)
{
	struct ec_crl_entry ent;
	const char *last = "", *also;
	size_t i, matched = 0, roots;
	char day[11];
	int rc;

	for (i = 0; i < o->ncrls; i++) {
		const struct ec_verify_crl *c = &o->crls[i];
		if (c->crl == NULL) {
			stage(r, EC_VS_REVOCATION, EC_VR_FAIL, c->err, EC_ERR_SIG, "CRL '%s' is unusable: %s",
			    c->label, c->msg);
			return;
		}
	}
	if (check_root_crls(o, r, &roots))
		return;
	also = roots > 0 ? "" : " (no root CRL given: the issuing CA's own status not checked)";
	for (i = 0; i < o->ncrls; i++) {
		const struct ec_verify_crl *c = &o->crls[i];
		if (strcmp(ec_crl_kid(c->crl), r->e.kid) != 0)
			continue;
		matched++;
		last = c->label;
		/* A CRL newer than --at still knows everything an older one did. */
		rc = ec_crl_check_fresh(c->crl, o->at_time);
		if (rc != EC_OK && rc != EC_ERR_NOTYET) {
			stage(r, EC_VS_REVOCATION, EC_VR_FAIL, rc, EC_ERR_STALE, "CRL '%s' is stale: %s", c->label,
			    ec_err_msg(rc));
			return;
		}
		rc = ec_crl_lookup(c->crl, r->e.number, &ent);
		if (rc < 0) {
			stage(r, EC_VS_REVOCATION, EC_VR_FAIL, rc, EC_ERR_SYNTAX, "cannot look the number up in CRL '%s': %s",
			    c->label, ec_err_msg(rc));
			return;
		}
		if (rc == 1) {
			r->revoked = 1;
			r->revocation = ent;
			ec_date_format(ec_date_from_time(ent.revoked_at), day);
			stage(r, EC_VS_REVOCATION, EC_VR_FAIL, EC_ERR_REVOKED, EC_ERR_REVOKED,
			    "revoked on %s (%s) according to CRL '%s'", day, ec_crl_reason_name(ent.reason), c->label);
			return;
		}
	}
	if (matched == 1)
		stage(r, EC_VS_REVOCATION, EC_VR_PASS, 0, 0, "not revoked according to CRL '%s'%s", last, also);
	else if (matched > 1)
		stage(r, EC_VS_REVOCATION, EC_VR_PASS, 0, 0, "not revoked according to %zu CRLs%s", matched, also);
	else if (o->ncrls == 0)
		stage(r, EC_VS_REVOCATION, EC_VR_WARN, 0, 0, "revocation not checked: no CRL given");
	else
		stage(r, EC_VS_REVOCATION, EC_VR_WARN, 0, 0,
		    "revocation not checked: no CRL given from issuing CA %s", r->e.kid);
}

/*
 * Stages 1-5 for an e-Cert in DER. what names where it came from in messages. On success of the
 * signature stage r->e holds its facts.
 */
static void
check_ecert(const struct ec_verify_opts *o, const unsigned char *der, size_t len, const char *what,
    struct ec_verify_result *r)
{
	struct ec_ecert e;
	char lim[32];
	int rc;

	if (len > EC_VERIFY_MAX_CERT) {
		size_text(EC_VERIFY_MAX_CERT, lim);
		stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_TOOBIG, EC_ERR_TOOBIG, "%s is larger than %s", what, lim);
		return;
	}
	/*
	 * Parse and signature in one pass, without building an X509 (ec_ecert_verify): the issuing CAs
	 * were checked once when the bundle loaded. A syntax failure is the format stage's; any other
	 * failure means the e-Cert parsed and its signature is what fails.
	 */
	memset(&e, 0, sizeof e);
	rc = ec_ecert_verify(o->trust, der, len, &e);
	if (rc != EC_OK && rc != EC_ERR_SIG && rc != EC_ERR_NOMEM && rc != EC_ERR_CRYPTO) {
		stage(r, EC_VS_FORMAT, EC_VR_FAIL, rc, EC_ERR_SYNTAX, "%s is not an e-Cert: %s", what, ec_err_msg(rc));
		return;
	}
	stage(r, EC_VS_FORMAT, EC_VR_PASS, 0, 0, "%s parses as an e-Cert (%zu bytes)", what, len);
	if (rc != EC_OK) {
		stage(r, EC_VS_SIGNATURE, EC_VR_FAIL, rc, EC_ERR_SIG, "%s", ec_err_msg(rc));
		return;
	}
	stage(r, EC_VS_SIGNATURE, EC_VR_PASS, 0, 0, "signed by issuing CA %s, which chains to a trusted root", e.kid);
	r->e = e;
	r->have_facts = 1;
	issuer_cn(o->trust, e.kid, r->issuer, sizeof r->issuer);
	if ((rc = ec_trust_check_issuer_span(o->trust, e.kid, e.expires)) != EC_OK) {
		stage(r, EC_VS_ISSUER, EC_VR_FAIL, rc, EC_ERR_SIG, "%s", ec_err_msg(rc));
		return;
	}
	stage(r, EC_VS_ISSUER, EC_VR_PASS, 0, 0, "the e-Cert ends inside the validity of issuing CA %s", e.kid);
	check_validity(o, r);
	check_revocation(o, r);
}

#define PEM_END "-----END CERTIFICATE-----"

#define B64_PAD 1                /* '=' */
#define B64_SKIP 2               /* a line break or blank */
/*
 * Each ASCII byte's class in a PEM body, one lookup per byte: 4 + its base64 value (RFC 4648 section
 * 4), B64_SKIP, B64_PAD, or 0 for a byte that may not appear (every byte from 0x80 on, too).
 */
static const unsigned char b64class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 2, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 66, 0, 0, 0, 67,
	56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 0, 0, 0, 1, 0, 0,
	0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
	19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 0, 0, 0, 0, 0,
	0, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44,
	45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 0, 0, 0, 0, 0,
};

/* The 3 bytes of 4 base64 characters (the low 24 bits of quad) at out + *k. */
static void
put3(unsigned char *out, size_t *k, unsigned long quad)
{
	out[(*k)++] = (unsigned char)(quad >> 16);
	out[(*k)++] = (unsigned char)(quad >> 8);
	out[(*k)++] = (unsigned char)quad;
}

/*
 * The one CERTIFICATE block of a PEM text, nothing around it but white space, decoded to DER in one
 * pass over the base64 lines (no headers). '=' counts as zero bits and may only end the text; the bits
 * it stands for must be zero, so only the canonical encoding is accepted. *der is malloc'd.
 */
static int
pem_decode(const unsigned char *in, size_t len, unsigned char **der, size_t *dlen)
{
	const unsigned char *p, *end, *q;
	unsigned char *out = NULL;
	unsigned long quad = 0;
	size_t n = 0, pad = 0, k = 0, i;
	unsigned c;
	int rc = EC_OK;

	*der = NULL;
	in = trim(in, &len);
	if (len > 2 * EC_VERIFY_MAX_CERT) {
		rc = ec_err_set(EC_ERR_TOOBIG, "PEM e-Cert too large");
		goto out;
	}
	end = in + len;
	if (len < sizeof PEM_BEGIN - 1 + sizeof PEM_END - 1 || memcmp(in, PEM_BEGIN, sizeof PEM_BEGIN - 1) != 0 ||
	    (p = in + sizeof PEM_BEGIN - 1, *p != '\n' && *p != '\r')) {
		rc = ec_err_set(EC_ERR_SYNTAX, "malformed PEM");
		goto out;
	}
	q = memmem(p, (size_t)(end - p), PEM_END, sizeof PEM_END - 1);
	if (q == NULL) {
		rc = ec_err_set(EC_ERR_SYNTAX, "malformed PEM");
		goto out;
	}
	if (q + sizeof PEM_END - 1 != end) {
		rc = ec_err_set(EC_ERR_SYNTAX, "data after the PEM certificate");
		goto out;
	}
	if ((out = malloc((size_t)(q - p) / 4 * 3 + 3)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	/*
	 * Base64 lines of the alphabet, then '=' padding only; line breaks and blanks are skipped. Four
	 * characters of the alphabet at once where they are (a whole line but its break), else one by one.
	 */
	for (; p < q; p++) {
		while (n % 4 == 0 && q - p >= 4 && (c = (b64class[p[0]] - 4u) | (b64class[p[1]] - 4u) |
		    (b64class[p[2]] - 4u) | (b64class[p[3]] - 4u)) < 64) {
			quad = (b64class[p[0]] - 4ul) << 18 | (b64class[p[1]] - 4ul) << 12 |
			    (b64class[p[2]] - 4ul) << 6 | (b64class[p[3]] - 4ul);
			put3(out, &k, quad);
			n += 4;
			p += 4;
		}
		if (p == q)
			break;
		if ((c = b64class[*p]) >= 4) {
			quad = quad << 6 | (c - 4);
			if (++n % 4 == 0)
				put3(out, &k, quad);
		} else if (c != B64_SKIP) {
			break;
		}
	}
	for (; p < q; p++) {
		if ((c = b64class[*p]) == B64_PAD) {
			quad <<= 6;
			pad++;
			if (++n % 4 == 0)
				put3(out, &k, quad);
		} else if (c != B64_SKIP) {
			break;
		}
	}
	if (p != q && memchr(p, ':', (size_t)(q - p)) != NULL) {
		rc = ec_err_set(EC_ERR_SYNTAX, "PEM block is not a plain CERTIFICATE");
		goto out;
	}
	if (p != q || n == 0 || n % 4 != 0 || pad > 2) {
		rc = ec_err_set(EC_ERR_SYNTAX, "malformed PEM");
		goto out;
	}
	for (i = 0; i < pad; i++)
		if (out[k - 1 - i] != 0) {
			rc = ec_err_set(EC_ERR_SYNTAX, "malformed PEM");
			goto out;
		}
	*der = out;
	*dlen = k - pad;
	out = NULL;
out:
	free(out);
	return rc;
}

/* Stages 2-5 for a token (stage 1 passed: decoded into e). */
static void
check_token_stages(const struct ec_verify_opts *o, const char *tok, size_t len, struct ec_verify_result *r)
{
	struct ec_ecert e;
	int rc;

	memset(&e, 0, sizeof e);
	if ((rc = ec_token_verify(o->trust, tok, len, &e)) != EC_OK) {
		stage(r, EC_VS_SIGNATURE, EC_VR_FAIL, rc, EC_ERR_SIG, "token: %s", ec_err_msg(rc));
		return;
	}
	stage(r, EC_VS_SIGNATURE, EC_VR_PASS, 0, 0, "token signed by issuing CA %s", e.kid);
	r->e = e;
	r->have_facts = 1;
	r->from_token = 1;
	issuer_cn(o->trust, e.kid, r->issuer, sizeof r->issuer);
	if (ec_trust_issuer(o->trust, e.kid) == NULL) {
		stage(r, EC_VS_ISSUER, EC_VR_FAIL, EC_ERR_SIG, EC_ERR_SIG, "issuing CA %s is not in the trust bundle", e.kid);
		return;
	}
	stage(r, EC_VS_ISSUER, EC_VR_PASS, 0, 0,
	    "issuing CA %s is in the trust bundle (a token carries no issuance time)", e.kid);
	check_validity(o, r);
	check_revocation(o, r);
}

/*
 * A genuine token can be put behind any address: a forger's QR code would send whoever scans it to a
 * look-alike site. The URL before "/v/" (base[0..n)) must be the issuer's public URL, which its
 * issuing CA certificate states; a different one is a warning (the token itself is genuine).
 */
static void
check_url_base(const struct ec_verify_opts *o, const unsigned char *base, size_t n, struct ec_verify_result *r)
{
	const char *want = ec_trust_public_url(o->trust, r->e.kid);

	if (want[0] == '\0')
		stage(r, EC_VS_CONSISTENCY, EC_VR_PASS, 0, 0,
		    "the URL's number is the token's (the issuing CA states no public URL to compare the address with)");
	else if (strlen(want) == n && strncasecmp(want, (const char *)base, n) == 0)
		stage(r, EC_VS_CONSISTENCY, EC_VR_PASS, 0, 0, "the URL's number is the token's, at the issuer's address %s",
		    want);
	else
		stage(r, EC_VS_CONSISTENCY, EC_VR_WARN, 0, 0,
		    "the QR URL points to %.*s, not to the issuer's %s: a page opened from this code is not the issuer's",
		    (int)(n > 200 ? 200 : n), (const char *)base, want);
}

/* A QR URL "<anything>/v/<22 digits>#<token>" or a bare token. */
static void
check_text(const struct ec_verify_opts *o, const unsigned char *in, size_t len, struct ec_verify_result *r)
{
	char num[EC_NUMBER_DIGITS + 1] = "";
	const unsigned char *p, *hash = NULL, *v = NULL, *tok;
	struct ec_ecert e;
	size_t n = len, toklen, i;
	int rc;

	p = trim(in, &n);
	tok = p;
	toklen = n;
	if (r->kind == EC_VK_URL) {
		if (n > EC_QR_MAX) {
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_TOOBIG, EC_ERR_TOOBIG,
			    "QR URL longer than %d bytes", EC_QR_MAX);
			return;
		}
		hash = memchr(p, '#', n);
		for (i = 0; i + 3 <= (size_t)(hash - p); i++)
			if (memcmp(p + i, "/v/", 3) == 0)
				v = p + i;
		if (v == NULL || hash - (v + 3) != EC_NUMBER_DIGITS) {
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_SYNTAX, EC_ERR_SYNTAX,
			    "QR URL is not <url>/v/<22-digit number>#<token>");
			return;
		}
		if ((rc = ec_number_parse((const char *)v + 3, EC_NUMBER_DIGITS, num)) != EC_OK) {
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, rc, EC_ERR_SYNTAX, "QR URL number: %s", ec_err_msg(rc));
			return;
		}
		tok = hash + 1;
		toklen = n - (size_t)(tok - p);
		if (!token_shape(tok, toklen)) {
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_SYNTAX, EC_ERR_SYNTAX, "QR URL fragment is not a token");
			return;
		}
	}
	if ((rc = ec_token_decode((const char *)tok, toklen, &e)) != EC_OK) {
		stage(r, EC_VS_FORMAT, EC_VR_FAIL, rc, EC_ERR_SYNTAX, "not a valid token: %s", ec_err_msg(rc));
		return;
	}
	stage(r, EC_VS_FORMAT, EC_VR_PASS, 0, 0, r->kind == EC_VK_URL ? "QR URL with a well-formed token (%zu bytes)" :
	    "well-formed token (%zu bytes)", toklen);
	check_token_stages(o, (const char *)tok, toklen, r);
	if (r->kind != EC_VK_URL || !r->have_facts)
		return;
	if (strcmp(num, r->e.number) != 0) {
		stage(r, EC_VS_CONSISTENCY, EC_VR_FAIL, EC_ERR_CORRUPT, EC_ERR_CORRUPT,
		    "the URL's number %s differs from the token's %s", num, r->e.number);
		return;
	}
	check_url_base(o, p, (size_t)(v - p), r);
}

/* A token (bare or inside a QR URL) in text t[0..n), its span into *tok / *toklen; 0 when t holds none. */
static int
find_token(const unsigned char *t, size_t n, const unsigned char **tok, size_t *toklen)
{
	const unsigned char *h;

	t = trim(t, &n);
	if (url_shape(t, n)) {
		h = memchr(t, '#', n);
		n -= (size_t)(h + 1 - t);
		t = h + 1;
	}
	if (!token_shape(t, n) || n > EC_TOKEN_MAX)
		return 0;
	*tok = t;
	*toklen = n;
	return 1;
}

/* The first run of exactly 22 digits in s, single spaces allowed between them (a grouped number); 0 if none. */
static int
number_in(const char *s, char out[EC_NUMBER_DIGITS + 1])
{
	size_t k = 0;

	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (k < EC_NUMBER_DIGITS)
				out[k] = *s;
			k++;
			continue;
		}
		if (*s == ' ' && k > 0 && s[1] >= '0' && s[1] <= '9')
			continue;
		if (k == EC_NUMBER_DIGITS) {
			out[k] = '\0';
			return 1;
		}
		k = 0;
		if (*s == '\0')
			return 0;
	}
}

/* One PDF input, parsed by the strict reader, or once through qpdf when that refused its structure. */
struct pdfsrc {
	const unsigned char *in;
	size_t len;
	struct ec_qpdf *q;
};

static int
pdf_info(const struct pdfsrc *s, const char *key, char *out, size_t outsz)
{
	return s->q != NULL ? ec_qpdf_info(s->q, key, out, outsz) : ec_pdf_info(s->in, s->len, key, out, outsz);
}

/*
 * Stage 6 for a PDF without a readable token: the e-Cert's number against the numbers the PDF states
 * as plain text (lib/render/pdf.c names the attachment NUMBER.der and puts the grouped number in the
 * document information). A swapped e-Cert always has another number. Unsigned text, so this only
 * catches a careless swap; text without a number is not compared.
 */
static void
check_pdf_text(const struct pdfsrc *src, struct ec_verify_result *r)
{
	static const char *const keys[] = { "Subject", "Title" };
	char num[EC_NUMBER_DIGITS + 1], text[1024];
	int compared = 0;
	size_t i;

	if (strlen(r->attachment) == EC_NUMBER_DIGITS + 4 && strcmp(r->attachment + EC_NUMBER_DIGITS, ".der") == 0 &&
	    number_in(r->attachment, num)) {
		if (strcmp(num, r->e.number) != 0) {
			stage(r, EC_VS_CONSISTENCY, EC_VR_FAIL, EC_ERR_CORRUPT, EC_ERR_CORRUPT,
			    "the attachment's file name names number %s, its e-Cert %s", num, r->e.number);
			return;
		}
		compared = 1;
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (pdf_info(src, keys[i], text, sizeof text) != EC_OK || !number_in(text, num))
			continue;
		if (strcmp(num, r->e.number) != 0) {
			stage(r, EC_VS_CONSISTENCY, EC_VR_FAIL, EC_ERR_CORRUPT, EC_ERR_CORRUPT,
			    "the PDF's %s names number %s, its embedded e-Cert %s", keys[i], num, r->e.number);
			return;
		}
		compared = 1;
	}
	if (compared)
		stage(r, EC_VS_CONSISTENCY, EC_VR_PASS, 0, 0, "the embedded e-Cert's number is the one the PDF states; "
		    "the QR token is only an image and was not compared");
	else
		stage(r, EC_VS_CONSISTENCY, EC_VR_SKIPPED, 0, 0,
		    "the PDF carries its QR token only as an image: the embedded e-Cert alone was checked");
}

/* Stage 6 for a PDF: the embedded e-Cert (facts in r->e) against the PDF's token, if it carries one. */
static void
check_pdf_token(const struct ec_verify_opts *o, const struct pdfsrc *src, const unsigned char *tok,
    size_t toklen, struct ec_verify_result *r)
{
	struct ec_ecert t;
	const char *what = NULL;
	int rc;

	if (tok == NULL) {
		check_pdf_text(src, r);
		return;
	}
	r->pdf_token = 1;
	memset(&t, 0, sizeof t);
	if ((rc = ec_token_verify(o->trust, (const char *)tok, toklen, &t)) != EC_OK) {
		stage(r, EC_VS_CONSISTENCY, EC_VR_FAIL, rc, EC_ERR_SIG, "the PDF's QR token does not verify: %s",
		    ec_err_msg(rc));
		return;
	}
	if (strcmp(t.number, r->e.number) != 0)
		what = "number";
	else if (strcmp(t.name, r->e.name) != 0)
		what = "holder name";
	else if (strcmp(t.code, r->e.code) != 0)
		what = "certification";
	else if (t.effective != r->e.effective || t.expires != r->e.expires)
		what = "dates";
	else if (strcmp(t.kid, r->e.kid) != 0)
		what = "issuing CA";
	if (what != NULL)
		stage(r, EC_VS_CONSISTENCY, EC_VR_FAIL, EC_ERR_CORRUPT, EC_ERR_CORRUPT,
		    "the embedded e-Cert and the PDF's QR token disagree on the %s", what);
	else
		stage(r, EC_VS_CONSISTENCY, EC_VR_PASS, 0, 0,
		    "the embedded e-Cert and the PDF's QR token agree on number, name, certification and dates");
}

/*
 * The strict reader reads what ecert writes; a PDF another tool re-saved (cross-reference or object
 * streams, incremental updates, a lenient cross-reference table) it refuses by its structure, and
 * qpdf reads it instead. "No attachment" from the strict reader is final: the file was read.
 */
static int
pdf_open(struct pdfsrc *src, struct ec_pdf_files *fs, struct ec_verify_result *r)
{
	char strict[EC_VERIFY_MSG];
	int rc = ec_pdf_attachments(src->in, src->len, fs);

	if (rc != EC_ERR_SYNTAX || strstr(ec_err_msg(rc), "no attachment") != NULL ||
	    strstr(ec_err_msg(rc), "not a PDF") != NULL)
		return rc;
	snprintf(strict, sizeof strict, "%s", ec_err_msg(rc));
	if (src->len > EC_QPDF_MAX_INPUT)
		return ec_err_set(EC_ERR_SYNTAX, "%s (and a PDF over %u MiB is not read leniently)", strict,
		    EC_QPDF_MAX_INPUT >> 20);
	if (ec_qpdf_open(src->in, src->len, &src->q) != EC_OK)
		return ec_err_set(EC_ERR_SYNTAX, "%s", strict);   /* qpdf cannot read it either: ours says why */
	r->via_qpdf = 1;
	return ec_qpdf_attachments(src->q, fs);
}

static void
check_pdf(const struct ec_verify_opts *o, const unsigned char *in, size_t len, struct ec_verify_result *r)
{
	struct pdfsrc src = { in, len, NULL };
	struct ec_pdf_files fs;
	const unsigned char *tok = NULL;
	const struct ec_pdf_file *cert = NULL;
	char info[EC_QR_MAX + 1], what[EC_PDF_NAME_MAX + 32];
	size_t toklen = 0, i, ncert = 0;
	int rc;

	if ((rc = pdf_open(&src, &fs, r)) != EC_OK) {
		if (rc == EC_ERR_SYNTAX || rc == EC_ERR_TOOBIG)
			cannot_check(r, rc, ec_err_msg(rc));
		else
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, rc, EC_ERR_SYNTAX, "%s", ec_err_msg(rc));
		goto out;
	}
	for (i = 0; i < fs.n; i++) {
		if (fs.f[i].len > 0 && fs.f[i].data[0] == 0x30) {
			cert = &fs.f[i];
			ncert++;
		} else if (tok == NULL) {
			find_token(fs.f[i].data, fs.f[i].len, &tok, &toklen);
		}
	}
	for (i = 0; tok == NULL && i < sizeof info_keys / sizeof info_keys[0]; i++)
		if (pdf_info(&src, info_keys[i], info, sizeof info) == EC_OK &&
		    find_token((const unsigned char *)info, strlen(info), &tok, &toklen))
			break;
	if (ncert == 0) {
		stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_SYNTAX, EC_ERR_SYNTAX,
		    "no e-Cert among the PDF's %zu attachment(s)", fs.n);
		r->cannot_check = 1;
		goto out;
	}
	if (ncert > 1) {
		stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_SYNTAX, EC_ERR_SYNTAX,
		    "the PDF has more than one e-Cert among its %zu attachments", fs.n);
		goto out;
	}
	snprintf(r->attachment, sizeof r->attachment, "%s", cert->name);
	snprintf(what, sizeof what, "the PDF's attachment '%s'", cert->name);
	check_ecert(o, cert->data, cert->len, what, r);
	if (r->have_facts)
		check_pdf_token(o, &src, tok, toklen, r);
out:
	ec_pdf_files_free(&fs);
	ec_qpdf_close(src.q);
}

int
ec_verify_mem(const struct ec_verify_opts *o, const unsigned char *in, size_t len, struct ec_verify_result *r)
{
	char lim[32], num[EC_NUMBER_DIGITS + 1];
	const unsigned char *text;
	unsigned char *der = NULL;
	size_t dlen = 0;
	int rc;

	memset(r, 0, sizeof *r);
	r->failed = -1;
	if (len == 0) {
		cannot_check(r, EC_ERR_SYNTAX, "empty input");
		return r->code;
	}
	if (len > EC_VERIFY_MAX_INPUT) {
		size_text(EC_VERIFY_MAX_INPUT, lim);
		stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_TOOBIG, EC_ERR_TOOBIG, "input larger than %s", lim);
		r->cannot_check = 1;
		return r->code;
	}
	r->kind = detect(in, len);
	switch (r->kind) {
	case EC_VK_PDF:
		check_pdf(o, in, len, r);
		break;
	case EC_VK_DER:
		check_ecert(o, in, len, "the DER input", r);
		break;
	case EC_VK_PEM:
		if ((rc = pem_decode(in, len, &der, &dlen)) != EC_OK) {
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, rc, EC_ERR_SYNTAX, "not a PEM e-Cert: %s", ec_err_msg(rc));
			break;
		}
		check_ecert(o, der, dlen, "the PEM input", r);
		break;
	case EC_VK_URL:
	case EC_VK_TOKEN:
		check_text(o, in, len, r);
		break;
	case EC_VK_UNKNOWN:
		dlen = len;
		text = trim(in, &dlen);
		rc = dlen <= 64 ? ec_number_parse((const char *)text, dlen, num) : EC_ERR_SYNTAX;
		if (rc == EC_OK)
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_SYNTAX, EC_ERR_SYNTAX, "a certificate number alone "
			    "cannot be verified offline: give the PDF, the e-Cert or the QR code, or look %s up online", num);
		else if (rc == EC_ERR_CHECKSUM)
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, rc, rc, "%s; a number alone cannot be verified offline",
			    ec_err_msg(rc));
		else
			stage(r, EC_VS_FORMAT, EC_VR_FAIL, EC_ERR_SYNTAX, EC_ERR_SYNTAX,
			    "not a PDF, an e-Cert (PEM or DER), a QR URL or a token");
		/* nothing checkable was given: not a forgery, not genuine either */
		r->cannot_check = 1;
		break;
	}
	free(der);
	return r->code;
}

int
ec_verify_read(const char *path, size_t max, unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t n = 0, cap = 0, ncap, want;
	struct stat st;
	char lim[32];
	ssize_t k;
	int fd, rc = EC_OK, is_stdin = strcmp(path, "-") == 0, reg;

	*out = NULL;
	*len = 0;
	if (is_stdin)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return ec_err_errno("cannot open", path);
	if (fstat(fd, &st) != 0) {
		rc = ec_err_errno("cannot read", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = ec_err_set(EC_ERR_IO, "cannot read '%s': Is a directory", path);
		goto out;
	}
	/* A regular file is judged by its size, so a huge one costs nothing. */
	reg = S_ISREG(st.st_mode) && st.st_size > 0;
	if (reg && (unsigned long long)st.st_size > max) {
		size_text(max, lim);
		rc = ec_err_set(EC_ERR_TOOBIG, "'%s' is larger than %s", path, lim);
		goto out;
	}
	/* A regular file's buffer fits it and a byte more, so that one read normally takes it all. */
	cap = reg ? (size_t)st.st_size + 2 : 0;
	if (cap > 0 && (buf = malloc(cap)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory reading '%s'", path);
		goto out;
	}
	for (;;) {
		if (cap - n < 2) {
			ncap = cap ? cap * 2 : 65536;
			if (ncap > max + 2)
				ncap = max + 2;
			if ((nb = realloc(buf, ncap)) == NULL) {
				rc = ec_err_set(EC_ERR_NOMEM, "out of memory reading '%s'", path);
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		want = cap - n - 1;
		k = read(fd, buf + n, want);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = ec_err_errno("cannot read", path);
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > max) {
			size_text(max, lim);
			rc = ec_err_set(EC_ERR_TOOBIG, "'%s' is larger than %s", path, lim);
			goto out;
		}
		/*
		 * Exactly the size fstat gave, from a read asked for more: the end of the file, which saves
		 * the read that would return 0. A file that grew meanwhile fills the request and reads on.
		 */
		if (reg && n == (size_t)st.st_size && (size_t)k < want)
			break;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory reading '%s'", path);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	if (!is_stdin)
		close(fd);
	return rc;
}

int
ec_verify_path(const struct ec_verify_opts *o, const char *path, struct ec_verify_result *r)
{
	unsigned char *in = NULL;
	size_t len = 0;
	int rc;

	if ((rc = ec_verify_read(path, EC_VERIFY_MAX_INPUT, &in, &len)) != EC_OK) {
		memset(r, 0, sizeof *r);
		r->failed = -1;
		stage(r, EC_VS_FORMAT, EC_VR_FAIL, rc, EC_ERR_IO, "%s", ec_err_msg(rc));
		r->cannot_check = rc == EC_ERR_TOOBIG;
		return r->code;
	}
	rc = ec_verify_mem(o, in, len, r);
	free(in);
	return rc;
}

int
ec_verify_crl_load(const struct ec_trust *t, const char *label, const unsigned char *data, size_t len,
    struct ec_verify_crl *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->label, sizeof out->label, "%s", label);
	out->err = ec_crl_load(data, len, t, &out->crl);
	if (out->err != EC_OK) {
		out->crl = NULL;
		snprintf(out->msg, sizeof out->msg, "%s", ec_err_msg(out->err));
	}
	return out->err;
}

void
ec_verify_crl_free(struct ec_verify_crl *c)
{
	ec_crl_free(c->crl);
	c->crl = NULL;
}

static void
json_kv(struct ec_buf *b, const char *key, const char *val)
{
	ec_buf_json(b, key);
	ec_buf_addc(b, ':');
	if (val != NULL)
		ec_buf_json(b, val);
	else
		ec_buf_adds(b, "null");
}

static void
json_facts(const struct ec_verify_result *r, struct ec_buf *b)
{
	char disp[EC_NUMBER_DISPLAY + 1], day[11];
	const struct ec_ecert *e = &r->e;

	ec_number_display(e->number, disp);
	ec_buf_adds(b, ",\"certificate\":{");
	json_kv(b, "number", e->number);
	ec_buf_addc(b, ',');
	json_kv(b, "number_display", disp);
	ec_buf_adds(b, ",\"holder\":{");
	json_kv(b, "name", e->name);
	ec_buf_adds(b, "},\"certification\":{");
	json_kv(b, "code", e->code);
	if (!r->from_token) {
		ec_buf_addc(b, ',');
		json_kv(b, "title", e->title);
	}
	ec_buf_addc(b, '}');
	ec_date_format(e->effective, day);
	ec_buf_addc(b, ',');
	json_kv(b, "effective", day);
	ec_date_format(e->expires, day);
	ec_buf_addc(b, ',');
	json_kv(b, "expires", day);
	ec_buf_addc(b, ',');
	json_kv(b, "issuer", r->issuer);
	ec_buf_addc(b, ',');
	json_kv(b, "kid", e->kid);
	ec_buf_addc(b, ',');
	json_kv(b, "source", r->from_token ? "token" : "e-cert");
	if (r->revoked) {
		ec_date_format(ec_date_from_time(r->revocation.revoked_at), day);
		ec_buf_adds(b, ",\"revoked\":{");
		json_kv(b, "date", day);
		ec_buf_addc(b, ',');
		json_kv(b, "reason", ec_crl_reason_name(r->revocation.reason));
		ec_buf_addc(b, '}');
	}
	ec_buf_addc(b, '}');
}

int
ec_verify_json(const struct ec_verify_result *r, const char *input, struct ec_buf *b)
{
	const char *verdict = r->code == EC_OK ? "valid" : ec_err_exit(r->code) != 1 ? "error" :
	    r->cannot_check ? "cannot_check" : "not_valid";
	int s, first = 1;

	ec_buf_addc(b, '{');
	json_kv(b, "input", input);
	ec_buf_addc(b, ',');
	json_kv(b, "kind", ec_verify_kind_name(r->kind));
	ec_buf_addc(b, ',');
	json_kv(b, "verdict", verdict);
	ec_buf_adds(b, r->code == EC_OK ? ",\"valid\":true," : ",\"valid\":false,");
	json_kv(b, "failed_stage", r->failed >= 0 ? ec_verify_stage_name(r->failed) : NULL);
	ec_buf_addc(b, ',');
	json_kv(b, "reason", r->failed >= 0 ? r->stage[r->failed].msg : NULL);
	ec_buf_adds(b, ",\"warnings\":[");
	for (s = 0; s < EC_VS_COUNT; s++) {
		if (r->stage[s].res != EC_VR_WARN)
			continue;
		if (!first)
			ec_buf_addc(b, ',');
		ec_buf_json(b, r->stage[s].msg);
		first = 0;
	}
	ec_buf_adds(b, "],\"stages\":[");
	for (s = 0; s < EC_VS_COUNT; s++) {
		ec_buf_adds(b, s ? ",{" : "{");
		json_kv(b, "stage", ec_verify_stage_name(s));
		ec_buf_addc(b, ',');
		json_kv(b, "result", ec_verify_res_name(r->stage[s].res));
		ec_buf_addc(b, ',');
		json_kv(b, "message", r->stage[s].msg[0] ? r->stage[s].msg : NULL);
		ec_buf_addc(b, '}');
	}
	ec_buf_addc(b, ']');
	if (r->kind == EC_VK_PDF && r->attachment[0]) {
		ec_buf_addc(b, ',');
		json_kv(b, "attachment", r->attachment);
		ec_buf_adds(b, r->pdf_token ? ",\"pdf_token\":true" : ",\"pdf_token\":false");
	}
	if (r->have_facts)
		json_facts(r, b);
	ec_buf_addc(b, '}');
	return b->err;
}
