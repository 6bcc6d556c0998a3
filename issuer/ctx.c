/* ecert-issue: opening what a subcommand needs (configuration, catalogue, office register). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "err.h"
#include "issuer.h"
#include "snapshot.h"

static int publish_rc;

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
		if ((need & NEED_OFFICE) && (rc = ec_office_generation(c->off, &c->gen0)) == 0)
			c->watch = 1;
		if (rc)
			goto out;
	}
	return 0;
out:
	rc = fail(rc);
	ctx_close(c);
	return rc;
}

/* A snapshot for the replicas after a change, when ecert.conf names where (publish_to). */
static void
publish_change(const char *dir)
{
	struct ec_conf conf;
	struct ec_snap *s;
	int rc;

	if (ec_conf_load(dir, &conf) || !conf.publish_to[0])
		return;
	if (!(s = malloc(sizeof *s))) {
		rc = EC_ERR_NOMEM;
	} else if ((rc = ec_snap_publish(dir, conf.publish_to, conf.publish_keep ? conf.publish_keep : EC_SNAP_KEEP,
	    (int64_t)time(NULL), s)) == 0) {
		fprintf(stderr, PROG ": published snapshot %llu to '%s' (%zu certificates)\n", s->sequence, conf.publish_to,
		    s->certificates);
	}
	if (rc) {
		errmsg("the change is stored, but publishing it to '%s' failed: %s", conf.publish_to, ec_err_msg(rc));
		publish_rc = 2;
	}
	free(s);
}

void
ctx_close(struct ctx *c)
{
	uint64_t gen = c->gen0;
	int changed = c->republish;

	if (c->off && c->watch && ec_office_generation(c->off, &gen) == 0 && gen != c->gen0)
		changed = 1;
	ec_designs_free(c->designs);
	c->designs = NULL;
	if (c->off)
		ec_office_close(c->off);
	if (c->cat)
		ec_catalog_free(c->cat);
	c->off = NULL;
	c->cat = NULL;
	c->watch = 0;
	c->republish = 0;
	/* after the close: LMDB forbids a second handle on the public register in this process */
	if (changed)
		publish_change(c->dir);
}

int
ctx_publish_status(void)
{
	return publish_rc;
}
