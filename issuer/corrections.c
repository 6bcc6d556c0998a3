/* ecert-issue corrections list: the name corrections holders asked for in the portal, for reissue. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "issuer.h"
#include "portal.h"

struct listing {
	struct ctx *c;
	struct table *t;
	struct ec_buf *json;
	size_t n;
};

static int
one(void *ctx, const char *number, uint64_t acct, int64_t at, const char *name)
{
	struct listing *l = ctx;
	struct ec_cert c;
	const char *cells[4];
	char day[21];
	int rc;

	(void)acct;
	if ((rc = ec_office_cert_get(l->c->off, number, &c)))
		return rc;
	fmt_time(at, day);
	day[10] = '\0';
	if (l->json) {
		ec_buf_adds(l->json, l->n ? ",\n{\"number\":" : "\n{\"number\":");
		ec_buf_json(l->json, number);
		ec_buf_adds(l->json, ",\"asked\":");
		ec_buf_json(l->json, day);
		ec_buf_adds(l->json, ",\"printed\":");
		ec_buf_json(l->json, c.e.name);
		ec_buf_adds(l->json, ",\"asked_name\":");
		ec_buf_json(l->json, name);
		ec_buf_addc(l->json, '}');
		l->n++;
		return l->json->err;
	}
	cells[0] = number;
	cells[1] = day;
	cells[2] = c.e.name;
	cells[3] = name;
	l->n++;
	return table_row(l->t, cells);
}

int
cmd_corrections(struct opts *o)
{
	static const char *const heads[] = { "Certificate Number", "Asked", "Printed Name", "Corrected Name" };
	struct listing l;
	struct ctx c;
	struct ec_buf b;
	int rc;

	if (strcmp(o->args[0], "list"))
		return usage_err("unknown corrections command '%s' (list)", o->args[0]);
	memset(&l, 0, sizeof l);
	ec_buf_init(&b);
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_READ)))
		return rc;
	l.c = &c;
	if (o->json) {
		l.json = &b;
		ec_buf_addc(&b, '[');
	} else if (!(l.t = table_new(4, heads))) {
		rc = fail(EC_ERR_NOMEM);
		goto out;
	}
	if (c.off && (rc = ec_office_corrections_each(c.off, NULL, one, &l))) {
		rc = fail(rc);
		goto out;
	}
	if (o->json) {
		ec_buf_adds(&b, l.n ? "\n]" : "]");
		rc = put_buf(&b);
	} else if ((rc = table_print(l.t, stdout))) {
		rc = fail(rc);
	} else if (l.n) {
		fprintf(stderr, PROG ": %zu correction%s asked for: ecert-issue reissue NUMBER --name \"...\" answers each\n",
		    l.n, l.n == 1 ? "" : "s");
	}
out:
	table_free(l.t);
	ec_buf_free(&b);
	ctx_close(&c);
	return rc;
}
