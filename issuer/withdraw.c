/* ecert-issue withdraw: take back an application before issuance, so that the candidate may apply again. */
#include <stdio.h>

#include "date.h"
#include "err.h"
#include "issuer.h"

int
cmd_withdraw(struct opts *o)
{
	struct ctx c;
	struct ec_app a;
	char d[11], em[EC_EMAIL_MAX + 8];
	int rc;

	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_OFFICE)))
		return rc;
	if ((rc = ec_office_withdraw(c.off, o->args[0], &a))) {
		rc = fail(rc);
		goto out;
	}
	ec_date_format(a.applied, d);
	mask_email(a.email, em, sizeof em);
	printf("withdrawn: the application for '%s' of %s (%s, name '%s', email %s); the candidate may apply again\n",
	    a.reg_no, d, a.format == EC_FORMAT_PAPER ? "paper" : "electronic", a.name, em);
out:
	ctx_close(&c);
	return rc;
}
