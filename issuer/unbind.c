/* ecert-issue unbind: the office takes an exam record away from the portal account that holds it. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "err.h"
#include "issuer.h"
#include "outbox.h"
#include "portal.h"

/* The "unbound" notice about reg_no to address to, in that address's language. */
static int
notice(struct ctx *c, const char *to, const char *reg_no, struct ec_notice *n)
{
	char host[256], lang[3];
	int rc;

	if ((rc = ec_office_lang_get(c->off, to, lang)))
		return rc;
	if (!lang[0])
		snprintf(lang, sizeof lang, "%s", c->conf.mail_lang[0] ? c->conf.mail_lang : "en");
	ec_conf_host(&c->conf, host, sizeof host);
	if ((rc = ec_notice_init(n, "unbound", to, lang, host, ec_time_now())) ||
	    (rc = ec_notice_set(n, "reg_no", reg_no)) || (rc = ec_notice_set(n, "org", c->conf.org)))
		return rc;
	return 0;
}

int
cmd_unbind(struct opts *o)
{
	struct ctx c;
	struct ec_exam x;
	struct ec_account a;
	struct ec_notice n[2];
	uint64_t owner = 0;
	char em[EC_EMAIL_MAX + 8], em2[EC_EMAIL_MAX + 8];
	int rc;

	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_OFFICE)))
		return rc;
	memset(n, 0, sizeof n);
	if ((rc = ec_office_exam_get(c.off, o->args[0], &x)) == EC_ERR_NOTFOUND) {
		errmsg("no exam result for registration number '%s'", o->args[0]);
		rc = 1;
		goto out;
	}
	if (rc || (rc = ec_portal_record_owner(c.off, x.reg_no, &owner))) {
		rc = fail(rc);
		goto out;
	}
	if (!owner) {
		errmsg("registration number '%s' is not associated with any account", x.reg_no);
		rc = 1;
		goto out;
	}
	/* both sides hear of it: the account that loses the record, and the record's own address */
	if ((rc = ec_portal_account(c.off, owner, &a)) || (rc = notice(&c, a.email, x.reg_no, &n[0])) ||
	    (strcasecmp(a.email, x.email) && (rc = notice(&c, x.email, x.reg_no, &n[1]))) ||
	    (rc = ec_office_unbind(c.off, x.reg_no, owner, n, 2, NULL))) {
		rc = fail(rc);
		goto out;
	}
	mask_email(a.email, em, sizeof em);
	mask_email(x.email, em2, sizeof em2);
	printf("unbound '%s' from account %llu (%s); notices queued to %s%s%s\n", x.reg_no, (unsigned long long)owner, em,
	    em, n[1].to[0] ? " and " : "", n[1].to[0] ? em2 : "");
out:
	ctx_close(&c);
	return rc;
}
