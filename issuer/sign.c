/* ecert-issue: the issuing passphrase, issuing CAs, signing e-Certs with their tokens, re-signing CRLs. */
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "ca.h"
#include "cert.h"
#include "crl.h"
#include "date.h"
#include "err.h"
#include "paths.h"
#include "file.h"
#include "issuer.h"
#include "pass.h"
#include "pki.h"
#include "signer.h"
#include "token.h"

int
signing_load(struct signing *sg, const struct ctx *c, const char *kid)
{
	int rc;

	if (sg->s)
		ec_signer_free(sg->s);
	sg->s = NULL;
	if ((rc = ec_ca_signer_load(c->dir, kid, sg->pass, sg->passlen, &sg->s)))
		return rc;
	ec_signer_issuer_cn(sg->s, sg->issuer, sizeof sg->issuer);
	sg->not_after = ec_signer_not_after(sg->s);
	return 0;
}

int
signing_open(struct signing *sg, const struct ctx *c, const struct opts *o, const char *kid)
{
	int rc;

	memset(sg, 0, sizeof *sg);
	if ((rc = ec_pass_get(o->pass_file, "ECERT_PASS", "issuing CA passphrase: ", 0, &sg->pass, &sg->passlen)) ||
	    (rc = signing_load(sg, c, kid))) {
		rc = fail(rc);
		signing_close(sg);
	}
	return rc;
}

void
signing_close(struct signing *sg)
{
	if (sg->s)
		ec_signer_free(sg->s);
	if (sg->pass)
		ec_pass_free(sg->pass, sg->passlen);
	memset(sg, 0, sizeof *sg);
}

int
sign_cert(struct signing *sg, struct ec_cert *r)
{
	unsigned char *der = NULL;
	size_t len = 0;
	char exp[11], ca[21];
	int rc;

	/* The e-Cert is valid through 23:59:59Z of its expiration day; the CA must be too. */
	if (ec_date_to_time(r->e.expires) + 86399 > sg->not_after) {
		ec_date_format(r->e.expires, exp);
		fmt_time(sg->not_after, ca);
		return ec_err_set(EC_ERR_REFUSED, "the e-Cert for '%s' would expire on %s, after its issuing CA '%s' "
		    "(valid until %s): run 'ecert-ca rotate' first", r->reg_no, exp, ec_signer_kid(sg->s), ca);
	}
	memcpy(r->e.kid, ec_signer_kid(sg->s), sizeof r->e.kid);
	r->e.issued_at = ec_time_now();
	if ((rc = ec_ecert_sign(sg->s, &r->e, &der, &len)))
		goto out;
	if (len > sizeof r->der) {
		rc = ec_err_set(EC_ERR_TOOBIG, "the e-Cert for '%s' is %zu bytes, over %zu", r->reg_no, len,
		    sizeof r->der);
		goto out;
	}
	memcpy(r->der, der, len);
	r->der_len = len;
	if ((rc = ec_token_sign(sg->s, &r->e, r->token)))
		goto out;
	memcpy(r->issuer, sg->issuer, sizeof r->issuer);
out:
	free(der);
	return rc;
}

struct entries {
	struct ec_crl_entry *v;
	size_t n, cap;
};

static int
add_entry(void *ctx, const char *number, int64_t at, const char *reason)
{
	struct entries *e = ctx;
	struct ec_crl_entry *nv;
	int code;

	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		if (!(nv = realloc(e->v, e->cap * sizeof *nv)))
			return EC_ERR_NOMEM;
		e->v = nv;
	}
	code = ec_crl_reason_parse(reason);
	memset(&e->v[e->n], 0, sizeof e->v[e->n]);
	snprintf(e->v[e->n].number, sizeof e->v[e->n].number, "%s", number);
	e->v[e->n].revoked_at = at;
	e->v[e->n].reason = code < 0 ? 0 : code;
	e->n++;
	return 0;
}

int
crl_resign(struct signing *sg, const struct ctx *c, size_t *n)
{
	struct entries e = { NULL, 0, 0 };
	unsigned char *der = NULL;
	size_t len = 0;
	uint64_t crlno;
	char path[4096];
	int rc;

	if ((rc = ec_office_revoked_each(c->off, ec_signer_kid(sg->s), add_entry, &e)))
		goto out;
	if ((rc = ec_office_crl_next(c->off, ec_signer_kid(sg->s), &crlno)))
		goto out;
	if ((rc = ec_crl_sign(sg->s, e.v, e.n, ec_time_now(), crlno, &der, &len)))
		goto out;
	if ((rc = ec_path(path, sizeof path, c->dir, EC_P_CRL, ec_signer_kid(sg->s))))
		goto out;
	rc = ec_file_write(path, der, len, 0644, 1);
	*n = e.n;
out:
	free(der);
	free(e.v);
	return rc;
}
