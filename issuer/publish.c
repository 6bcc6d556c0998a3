/*
 * ecert-issue publish: rebuilding the public register from the office register; with --to, a
 * snapshot of the public side for verification replicas (docs/scaling.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "issuer.h"
#include "net.h"
#include "snapshot.h"

static int
snapshot(const struct opts *o)
{
	struct ec_snap *s = NULL;
	struct ec_conf conf;
	unsigned long long bytes = 0;
	unsigned keep = EC_SNAP_KEEP;
	size_t i;
	const char *dir = ec_conf_dir(o->dir);
	time_t t0 = time(NULL);
	int rc;

	if (o->keep && (rc = ec_uint_arg(o->keep, 1, 1000, &keep)))
		return usage_err("option '--keep': %s", ec_err_msg(rc));
	/* without --keep, as many as ecert.conf keeps for the automatic publications to the same place */
	if (!o->keep && ec_conf_load(dir, &conf) == 0 && conf.publish_keep)
		keep = conf.publish_keep;
	if (!(s = malloc(sizeof *s)))
		return fail(EC_ERR_NOMEM);
	if ((rc = ec_snap_publish(dir, o->to, keep, (int64_t)t0, s))) {
		rc = fail(rc);
		goto out;
	}
	for (i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, "public/data.mdb"))
			bytes = s->files[i].size;
	printf("published snapshot %llu to '%s': %zu certificate%s, generation %llu, register %llu bytes, %ld s\n",
	    s->sequence, o->to, s->certificates, s->certificates == 1 ? "" : "s", (unsigned long long)s->generation,
	    bytes, (long)(time(NULL) - t0));
out:
	free(s);
	return rc;
}

int
cmd_publish(struct opts *o)
{
	struct ctx c;
	size_t n = 0;
	int rc;

	if (o->keep && !o->to)
		return usage_err("option '--keep' goes with '--to TO'");
	if (o->to)
		return snapshot(o);
	if ((rc = ctx_open(&c, o, NEED_OFFICE)))
		return rc;
	if ((rc = ec_office_publish(c.off, &n)))
		rc = fail(rc);
	else
		printf("published %zu certificate%s\n", n, n == 1 ? "" : "s");
	ctx_close(&c);
	return rc;
}
