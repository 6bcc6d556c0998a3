/* ecert-issue mail: record the carrier and order number of a shipped paper certificate. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "issuer.h"
#include "fields.h"

/* A shipping field: 1..max bytes of clean text (lib/issue/fields.c). */
static int
field_ok(const char *what, const char *s, size_t max)
{
	int rc;

	return (rc = ec_field_text(s, max, 0)) ? usage_err("--%s: %s", what, ec_err_msg(rc)) : 0;
}

int
cmd_mail(struct opts *o)
{
	struct ctx c;
	struct ec_cert *r;
	int rc;

	if (!o->carrier || !o->order)
		return usage_err("mail needs --carrier NAME and --order NO");
	if ((rc = field_ok("carrier", o->carrier, EC_CARRIER_MAX)) || (rc = field_ok("order", o->order, EC_ORDER_MAX)))
		return rc;
	if ((rc = cert_open(&c, o, NEED_CONF | NEED_OFFICE, &r)))
		goto out;
	if (r->e.format != EC_FORMAT_PAPER) {
		errmsg("certificate '%s' is electronic: there is no paper certificate to mail", r->e.number);
		rc = 1;
		goto out;
	}
	if ((rc = ec_office_mail(c.off, r->e.number, o->carrier, o->order, ec_time_now()))) {
		rc = fail(rc);
		goto out;
	}
	printf("recorded: %s mailed by %s, order %s\n", r->e.number, o->carrier, o->order);
out:
	ctx_close(&c);
	free(r);
	return rc;
}
