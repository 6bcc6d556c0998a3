/* ecert-issue issue: sign requested applications in batches, each certificate whole or not at all. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "issuer.h"
#include "number.h"
#include "pki.h"

#define BATCH 1000          /* certificates per write transaction */
#define REDRAWS 8           /* a number collision is redrawn; eight in a row means something is wrong */

struct apps {
	struct ec_app *v;
	size_t n, cap;
};

static int
collect(void *ctx, const struct ec_app *a)
{
	struct apps *l = ctx;
	struct ec_app *nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		if (!(nv = realloc(l->v, l->cap * sizeof *nv)))
			return EC_ERR_NOMEM;
		l->v = nv;
	}
	l->v[l->n++] = *a;
	return 0;
}

/* The applications named on the command line: each must exist and still wait; all are checked first. */
static int
named(struct ctx *c, const struct opts *o, struct apps *l)
{
	struct ec_app a;
	int i, rc, bad = 0;

	for (i = 0; i < o->nargs; i++) {
		rc = ec_office_app_get(c->off, o->args[i], &a);
		if (rc == EC_ERR_NOTFOUND) {
			errmsg("no application for registration number '%s'", o->args[i]);
			bad = 1;
		} else if (rc) {
			return fail(rc);
		} else if (a.status != EC_ST_REQUESTED) {
			errmsg("registration number '%s' was already issued as %s", o->args[i], a.number);
			bad = 1;
		} else if ((rc = collect(l, &a))) {
			return fail(rc);
		}
	}
	return bad;
}

/* Fill r from application a, its exam and the catalogue; a fresh number. Returns an ec_err. */
static int
prepare(struct ctx *c, const struct ec_app *a, struct ec_cert *r)
{
	const struct ec_cat_entry *ce;
	struct ec_exam x;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = ec_office_exam_get(c->off, a->reg_no, &x)))
		return rc;
	if (!(ce = ec_catalog_find(c->cat, x.code)))
		return ec_err_set(EC_ERR_REFUSED, "registration number '%s': certification '%s' is no longer in the "
		    "catalogue", a->reg_no, x.code);
	if ((rc = ec_number_generate(ce->programme, r->e.number)))
		return rc;
	memcpy(r->e.name, a->name, sizeof r->e.name);
	memcpy(r->e.code, ce->code, sizeof r->e.code);
	memcpy(r->e.title, ce->title, sizeof r->e.title);
	r->e.format = a->format;
	r->e.effective = x.exam_date;
	r->e.expires = ec_date_expiry(x.exam_date, ce->years);
	memcpy(r->reg_no, a->reg_no, sizeof r->reg_no);
	memcpy(r->email, a->email, sizeof r->email);
	memcpy(r->tel, a->tel, sizeof r->tel);
	memcpy(r->address, a->address, sizeof r->address);
	return 0;
}

struct run {
	struct ctx *c;
	const struct opts *o;
	struct signing sg;
	struct ec_cert *batch;
	int *rc;
	size_t issued, skipped;
	struct ec_buf json;
	struct progress pr;
};

/* Store batch[0..n); colliding numbers are redrawn and stored again. Returns an ec_err. */
static int
store(struct run *u, size_t n)
{
	size_t i, k, left;
	int rc, tries, err = 0;
	char why[512];

	for (tries = 0; n && !err; tries++) {
		if ((rc = ec_office_issue(u->c->off, u->batch, n, u->rc)))
			return rc;
		left = 0;
		for (i = 0; i < n; i++) {
			if (u->rc[i] == 0) {
				u->issued++;
				if (u->o->json) {
					ec_buf_adds(&u->json, u->issued > 1 ? ",\n{\"reg_no\":" : "\n{\"reg_no\":");
					ec_buf_json(&u->json, u->batch[i].reg_no);
					ec_buf_adds(&u->json, ",\"number\":");
					ec_buf_json(&u->json, u->batch[i].e.number);
					ec_buf_addc(&u->json, '}');
				} else {
					printf("%s\t%s\n", u->batch[i].reg_no, u->batch[i].e.number);
				}
			} else if (u->rc[i] == EC_ERR_EXISTS) {
				u->skipped++;   /* another run issued it meanwhile: never twice */
			} else if (u->rc[i] == EC_ERR_REFUSED && tries < REDRAWS) {
				if (left != i)
					u->batch[left] = u->batch[i];
				left++;
			} else if (!err) {
				/* The rest of the batch was committed: count it before reporting this one. */
				snprintf(why, sizeof why, "%s", ec_err_msg(u->rc[i]));
				err = ec_err_set(u->rc[i] == EC_ERR_REFUSED ? EC_ERR_CORRUPT : u->rc[i],
				    "cannot store the certificate for '%s': %s", u->batch[i].reg_no, why);
			}
		}
		for (k = 0; k < left && !err; k++) {
			if ((rc = ec_number_generate(ec_number_programme(u->batch[k].e.number), u->batch[k].e.number)) ||
			    (rc = sign_cert(&u->sg, &u->batch[k])))
				return rc;
		}
		n = left;
	}
	if (!u->o->json)
		fflush(stdout);
	return err;
}

static int
run(struct run *u, const struct apps *l)
{
	size_t i, n = 0;
	int rc;

	progress_start(&u->pr, "issued", l->n);
	for (i = 0; i < l->n; i++) {
		if ((rc = prepare(u->c, &l->v[i], &u->batch[n])) || (rc = sign_cert(&u->sg, &u->batch[n])))
			return rc;
		if (++n == BATCH) {
			if ((rc = store(u, n)))
				return rc;
			n = 0;
			progress_step(&u->pr, u->issued + u->skipped);
		}
	}
	if (n && (rc = store(u, n)))
		return rc;
	progress_step(&u->pr, u->issued + u->skipped);
	progress_end(&u->pr);
	return 0;
}

/*
 * Every e-Cert must end within its issuing CA's life; check them all before signing any, so a run
 * that must stop for a rotation stops before it starts.
 */
static int
lifetimes(struct ctx *c, const struct signing *sg, const struct apps *l)
{
	const struct ec_cat_entry *ce;
	struct ec_exam x;
	char exp[11], ca[21];
	size_t i, bad = 0;
	int rc;

	for (i = 0; i < l->n; i++) {
		if ((rc = ec_office_exam_get(c->off, l->v[i].reg_no, &x)))
			return fail(rc);
		if (!(ce = ec_catalog_find(c->cat, x.code)))
			continue;
		if (ec_date_to_time(ec_date_expiry(x.exam_date, ce->years)) + 86399 > sg->not_after) {
			if (!bad++) {
				ec_date_format(ec_date_expiry(x.exam_date, ce->years), exp);
				fmt_time(sg->not_after, ca);
				errmsg("the e-Cert for '%s' would expire on %s, after its issuing CA '%s' (valid until %s)",
				    l->v[i].reg_no, exp, sg->s->kid, ca);
			}
		}
	}
	if (bad) {
		errmsg("%zu e-Cert%s would outlive the issuing CA: run 'ecert-ca rotate' first; nothing issued",
		    bad, bad == 1 ? "" : "s");
		return 1;
	}
	return 0;
}

int
cmd_issue(struct opts *o)
{
	struct ctx c;
	struct apps l = { NULL, 0, 0 };
	struct run u;
	int rc;

	if (!o->all && !o->nargs)
		return usage_err("issue needs --all or registration numbers");
	if (o->all && o->nargs)
		return usage_err("issue takes --all or registration numbers, not both");
	memset(&u, 0, sizeof u);
	ec_buf_init(&u.json);
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_CAT | NEED_OFFICE)))
		return rc;
	u.c = &c;
	u.o = o;
	if (o->all) {
		if ((rc = ec_office_apps_each(c.off, 1, collect, &l))) {
			rc = fail(rc);
			goto out;
		}
	} else if ((rc = named(&c, o, &l))) {
		goto out;
	}
	if (!l.n) {
		if (o->json)
			printf("[]\n");
		else
			fprintf(stderr, PROG ": nothing to issue\n");
		goto out;
	}
	if ((rc = signing_open(&u.sg, &c, o, NULL)))
		goto out;
	if ((rc = lifetimes(&c, &u.sg, &l)))
		goto out;
	u.batch = malloc((l.n < BATCH ? l.n : BATCH) * sizeof *u.batch);
	u.rc = malloc((l.n < BATCH ? l.n : BATCH) * sizeof *u.rc);
	if (!u.batch || !u.rc) {
		rc = fail(EC_ERR_NOMEM);
		goto out;
	}
	if (o->json)
		ec_buf_addc(&u.json, '[');
	rc = run(&u, &l);
	if (o->json) {
		ec_buf_adds(&u.json, u.issued ? "\n]" : "]");
		if (put_buf(&u.json) && !rc) {
			rc = 2;
			goto out;
		}
	}
	if (rc) {
		progress_end(&u.pr);
		rc = fail(rc);
		errmsg("%zu certificate%s issued before the failure; run 'issue' again to continue", u.issued,
		    u.issued == 1 ? "" : "s");
		goto out;
	}
	fprintf(stderr, PROG ": issued %zu certificate%s", u.issued, u.issued == 1 ? "" : "s");
	if (u.skipped)
		fprintf(stderr, " (%zu already issued by another run)", u.skipped);
	fputc('\n', stderr);
out:
	signing_close(&u.sg);
	free(u.batch);
	free(u.rc);
	free(l.v);
	ec_buf_free(&u.json);
	ctx_close(&c);
	return rc;
}
