/* ecert-issue amend-result: correct exam results before any application (options or a CSV), audited. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fields.h"
#include "issuer.h"

/* One field's change, printed old -> new; "" reads as (none). */
static void
changed(const char *what, const char *old, const char *now)
{
	if (strcmp(old, now) != 0)
		printf("  %-6s '%s' -> '%s'\n", what, old[0] ? old : "(none)", now[0] ? now : "(none)");
}

int
cmd_amend(struct opts *o)
{
	struct ctx c;
	struct ec_exam x, old;
	int rc;

	if (o->update) {
		if (o->email || o->tel)
			return usage_err("amend-result takes --update FILE.csv or REG-NO with --email/--tel, not both");
		return import_file(o, EC_IMPORT_UPDATE | EC_IMPORT_NO_NEW);
	}
	if (!o->email && !o->tel)
		return usage_err("amend-result needs --email E and/or --tel T (the data to correct), or --update "
		    "FILE.csv");
	if (o->email && (rc = ec_field_email(o->email)))
		return usage_err("--email: %s", ec_err_msg(rc));
	if (o->tel && o->tel[0] && (rc = ec_field_tel(o->tel)))
		return usage_err("--tel: %s", ec_err_msg(rc));
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_OFFICE)))
		return rc;
	if ((rc = ec_office_exam_get(c.off, o->args[0], &x)) == EC_ERR_NOTFOUND) {
		errmsg("no exam result for registration number '%s'", o->args[0]);
		rc = 1;
		goto out;
	}
	if (rc) {
		rc = fail(rc);
		goto out;
	}
	if (o->email)
		snprintf(x.email, sizeof x.email, "%s", o->email);
	if (o->tel)
		snprintf(x.tel, sizeof x.tel, "%s", o->tel);
	if ((rc = ec_office_exam_amend(c.off, &x, &old))) {
		rc = fail(rc);
		goto out;
	}
	printf("amended the exam result '%s':\n", x.reg_no);
	changed("email", old.email, x.email);
	changed("tel", old.tel, x.tel);
	if (!strcmp(old.email, x.email) && !strcmp(old.tel, x.tel))
		printf("  nothing changed\n");
out:
	ctx_close(&c);
	return rc;
}
