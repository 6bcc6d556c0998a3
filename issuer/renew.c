/* ecert-issue renew: a new certificate from today, with no gap and no time lost; the old one superseded. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "issuer.h"
#include "number.h"

int
renew_cert(struct ctx *c, struct signing *sg, const struct ec_cert *old, struct ec_cert *r)
{
	const struct ec_cat_entry *ce;
	struct ec_notice notice;
	int rc;

	if (old->status == EC_ST_REVOKED) {
		errmsg("certificate '%s' is revoked: it cannot be renewed", old->e.number);
		return 1;
	}
	if (old->status == EC_ST_SUPERSEDED) {
		errmsg("certificate '%s' was already renewed as '%s'", old->e.number, old->superseded_by);
		return 1;
	}
	if (!(ce = ec_catalog_find(c->cat, old->e.code))) {
		errmsg("certification '%s' is no longer in the catalogue: it cannot be renewed", old->e.code);
		return 1;
	}
	if (ce->no_renewal) {
		errmsg("certificate '%s': certification '%s' is not renewed (no-renew in the catalogue): its holder "
		    "passes the exams again and applies", old->e.number, old->e.code);
		return 1;
	}
	memset(r, 0, sizeof *r);
	r->e = old->e;
	memcpy(r->e.title, ce->title, sizeof r->e.title);
	r->e.effective = c->today;
	r->e.expires = ec_date_renewal_expiry(old->e.expires, c->today, ce->years);
	memcpy(r->e.renewal_of, old->e.number, sizeof r->e.renewal_of);
	memcpy(r->reg_no, old->reg_no, sizeof r->reg_no);
	memcpy(r->email, old->email, sizeof r->email);
	memcpy(r->tel, old->tel, sizeof r->tel);
	memcpy(r->address, old->address, sizeof r->address);
	if ((rc = ec_number_generate(ce->programme, r->e.number)) || (rc = sign_cert(sg, r)) ||
	    (rc = notice_cert(c, "issued", r, &notice)) || (rc = ec_office_renew(c->off, r, notice.to[0] ? &notice : NULL)))
		return fail(rc);
	return 0;
}

/* "renewed OLD as NEW, valid FROM to TO" */
void
renew_said(FILE *f, const char *prefix, const struct ec_cert *old, const struct ec_cert *r)
{
	char e[11], x[11];

	ec_date_format(r->e.effective, e);
	ec_date_format(r->e.expires, x);
	fprintf(f, "%srenewed %s as %s, valid %s to %s\n", prefix, old->e.number, r->e.number, e, x);
}

int
cmd_renew(struct opts *o)
{
	struct ctx c;
	struct signing sg;
	struct ec_cert *old, *r = NULL;
	struct ec_buf b;
	int rc;

	memset(&sg, 0, sizeof sg);
	ec_buf_init(&b);
	if (!(old = malloc(sizeof *old)) || !(r = calloc(1, sizeof *r))) {
		free(old);
		return fail(EC_ERR_NOMEM);
	}
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_CAT | NEED_OFFICE)) || (rc = cert_lookup(&c, o->args[0], old)))
		goto out;
	/* refusals before the passphrase */
	if (old->status == EC_ST_REVOKED || old->status == EC_ST_SUPERSEDED || !ec_catalog_find(c.cat, old->e.code)) {
		rc = renew_cert(&c, &sg, old, r);
		goto out;
	}
	if ((rc = signing_open(&sg, &c, o, NULL)) || (rc = renew_cert(&c, &sg, old, r)))
		goto out;
	if (o->json) {
		cert_json(&b, &c, r, 0);
		rc = put_buf(&b);
		goto out;
	}
	renew_said(stdout, "", old, r);
out:
	signing_close(&sg);
	ec_buf_free(&b);
	ctx_close(&c);
	free(old);
	free(r);
	return rc;
}
