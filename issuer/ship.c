/* ecert-issue ship: record the carrier and order number of a shipped paper certificate, and tell its holder. */
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
cmd_ship(struct opts *o)
{
	struct ctx c;
	struct ec_cert *r;
	struct ec_notice n;
	int64_t now = ec_time_now();
	int rc;

	if (!o->carrier || !o->order)
		return usage_err("ship needs --carrier NAME and --order NO");
	if ((rc = field_ok("carrier", o->carrier, EC_CARRIER_MAX)) || (rc = field_ok("order", o->order, EC_ORDER_MAX)))
		return rc;
	if ((rc = cert_open(&c, o, NEED_CONF | NEED_OFFICE, &r)))
		goto out;
	if (r->e.format != EC_FORMAT_PAPER) {
		errmsg("certificate '%s' is electronic: there is no paper certificate to ship", r->e.number);
		rc = 1;
		goto out;
	}
	if ((rc = notice_cert(&c, "shipped", r, &n))) {
		rc = fail(rc);
		goto out;
	}
	/* Recording the same shipping again queues no second notice. */
	if (r->carrier[0] && !strcmp(r->carrier, o->carrier) && !strcmp(r->order, o->order)) {
		printf("already recorded: %s shipped by %s, order %s\n", r->e.number, r->carrier, r->order);
		goto out;
	}
	if ((rc = ec_office_ship(c.off, r->e.number, o->carrier, o->order, now, n.to[0] ? &n : NULL))) {
		rc = fail(rc);
		goto out;
	}
	printf("recorded: %s shipped by %s, order %s%s\n", r->e.number, o->carrier, o->order,
	    n.to[0] ? "; notice queued" : "");
out:
	ctx_close(&c);
	free(r);
	return rc;
}
