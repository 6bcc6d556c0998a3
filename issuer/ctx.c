/* ecert-issue: opening what a subcommand needs (configuration, catalogue, office register). */
#include <string.h>

#include "date.h"
#include "err.h"
#include "issuer.h"

int
ctx_open(struct ctx *c, const struct opts *o, unsigned need)
{
	int rc;

	memset(c, 0, sizeof *c);
	c->dir = ec_conf_dir(o->dir);
	if ((rc = ec_designs_new(c->dir, &c->designs)))
		goto out;
	if (need & NEED_CONF) {
		/* A missing or malformed configuration is a setup problem, not a refused request: exit 2. */
		if ((rc = ec_conf_load(c->dir, &c->conf)) || (rc = ec_date_today(c->conf.tz, &c->today))) {
			errmsg("%s", ec_err_msg(rc));
			return 2;
		}
	}
	if ((need & NEED_CAT) && (rc = ec_catalog_load(c->dir, &c->cat)))
		goto out;
	if (need & (NEED_OFFICE | NEED_READ)) {
		rc = ec_office_open(c->dir, (need & NEED_OFFICE) ? 0 : EC_OFFICE_RDONLY, &c->off);
		/* Nothing imported yet: a reader sees an empty register rather than an error. */
		if (rc == EC_ERR_NOTFOUND && !(need & NEED_OFFICE))
			rc = 0;
		if (rc)
			goto out;
	}
	return 0;
out:
	rc = fail(rc);
	ctx_close(c);
	return rc;
}

void
ctx_close(struct ctx *c)
{
	ec_designs_free(c->designs);
	c->designs = NULL;
	if (c->off)
		ec_office_close(c->off);
	if (c->cat)
		ec_catalog_free(c->cat);
	c->off = NULL;
	c->cat = NULL;
}
