/*
 * ecert-issue reissue: a correction after issuance. A new e-Cert with the corrected name or address
 * and the same dates; the old one revoked as superseded (its CRL re-signed), the two linked both ways.
 */
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "date.h"
#include "err.h"
#include "fields.h"
#include "issuer.h"
#include "number.h"
#include "pki.h"

/* The corrected certificate r from old and the options; prints why not and returns the exit status. */
static int
corrected(struct ctx *c, const struct opts *o, const struct ec_cert *old, struct ec_cert *r)
{
	struct ec_app_rules rules = { c->off, c->cat, c->today, c->conf.public_url, ec_designs_fonts, c->designs };
	const struct ec_cat_entry *ce;
	const char *field;
	int rc;

	if (!(ce = ec_catalog_find(c->cat, old->e.code))) {
		errmsg("certification '%s' is no longer in the catalogue: it cannot be reissued", old->e.code);
		return 1;
	}
	r->e = old->e;
	memcpy(r->reg_no, old->reg_no, sizeof r->reg_no);
	memcpy(r->email, old->email, sizeof r->email);
	memcpy(r->tel, old->tel, sizeof r->tel);
	memcpy(r->address, old->address, sizeof r->address);
	memcpy(r->e.renewal_of, old->e.number, sizeof r->e.renewal_of);
	if (o->name && (rc = ec_app_name(&rules, ce, old->e.effective, o->name, r->e.name, &field))) {
		if (!strcmp(field, "template")) {
			errmsg("%s", ec_err_msg(rc));
			return 2;
		}
		errmsg("--name: %s", ec_err_msg(rc));
		return 1;
	}
	if (o->email)
		snprintf(r->email, sizeof r->email, "%s", o->email);
	if (!strcmp(r->e.name, old->e.name) && !strcmp(r->email, old->email)) {
		errmsg("certificate '%s' already has that name and email: nothing to correct", old->e.number);
		return 1;
	}
	if ((rc = ec_number_generate(ce->programme, r->e.number)))
		return fail(rc);
	return 0;
}

int
cmd_reissue(struct opts *o)
{
	struct ctx c;
	struct signing sg;
	struct ec_cert *old, *r = NULL;
	struct ec_notice notice;
	struct ec_buf b;
	size_t n = 0;
	int rc;

	if (!o->name && !o->email)
		return usage_err("reissue needs --name NAME and/or --email E (the correction)");
	if (o->email && (rc = ec_field_email(o->email)))
		return usage_err("--email: %s", ec_err_msg(rc));
	memset(&sg, 0, sizeof sg);
	ec_buf_init(&b);
	if (!(r = calloc(1, sizeof *r)))
		return fail(EC_ERR_NOMEM);
	if ((rc = cert_open(&c, o, NEED_CONF | NEED_CAT | NEED_OFFICE, &old)))
		goto out;
	if (old->status == EC_ST_REVOKED || old->status == EC_ST_SUPERSEDED) {
		errmsg("certificate '%s' is %s%s%s: only a live certificate is reissued", old->e.number,
		    old->status == EC_ST_REVOKED ? "revoked" : "superseded",
		    old->superseded_by[0] ? " by " : "", old->superseded_by);
		rc = 1;
		goto out;
	}
	if ((rc = corrected(&c, o, old, r)))
		goto out;
	/* Signed by the current issuing CA; the old certificate's CA re-signs its CRL afterwards. */
	if ((rc = signing_open(&sg, &c, o, NULL)))
		goto out;
	if ((rc = sign_cert(&sg, r)) || (rc = notice_cert(&c, "issued", r, &notice)) ||
	    (rc = ec_office_reissue(c.off, r, ec_time_now(), notice.to[0] ? &notice : NULL, old)) ||
	    (rc = signing_load(&sg, &c, old->e.kid)) || (rc = crl_resign(&sg, &c, &n))) {
		rc = fail(rc);
		goto out;
	}
	if (o->json) {
		cert_json(&b, &c, r, 0);
		rc = put_buf(&b);
		goto out;
	}
	printf("reissued %s as %s (name '%s'); %s revoked (superseded), CRL %s/crl/%s.crl re-signed with %zu "
	    "entr%s\n", old->e.number, r->e.number, r->e.name, old->e.number, c.dir, old->e.kid, n,
	    n == 1 ? "y" : "ies");
out:
	signing_close(&sg);
	ec_buf_free(&b);
	ctx_close(&c);
	free(old);
	free(r);
	return rc;
}
