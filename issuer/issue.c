/* ecert-issue issue: sign requested applications in batches, each certificate whole or not at all. */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "date.h"
#include "earning.h"
#include "err.h"
#include "issuance.h"
#include "issuer.h"
#include "number.h"
#include "pki.h"
#include "portal.h"
#include "signer.h"

#define BATCH 5000          /* certificates per write transaction */
#define HUGE_PAGE (2u << 20)
#define REDRAWS 8           /* a number collision is redrawn; eight in a row means something is wrong */

/* An application waiting for issuance, with what its exam result contributes. */
struct pend {
	struct ec_app a;
	char code[EC_CODE_MAX + 1];
	char person[EC_EMAIL_MAX + 1];   /* the exam result's address: whose results earn the certification */
	ec_day exam_date;                /* for the early lifetime check; sign_cert checks the real dates */
};

static void
pend_set(struct pend *p, const struct ec_app *a, const struct ec_exam *x)
{
	p->a = *a;
	memcpy(p->code, x->code, sizeof p->code);
	memcpy(p->person, x->email, sizeof p->person);
	p->exam_date = x->exam_date;
}

struct apps {
	struct pend *v;
	size_t n, cap;
};

static int
collect(struct apps *l, const struct ec_app *a, const struct ec_exam *x)
{
	struct pend *nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		if (!(nv = realloc(l->v, l->cap * sizeof *nv)))
			return EC_ERR_NOMEM;
		l->v = nv;
	}
	pend_set(&l->v[l->n++], a, x);
	return 0;
}

/* The applications named on the command line: each must exist and still wait; all are checked first. */
static int
named(struct ctx *c, const struct opts *o, struct apps *l)
{
	struct ec_app a;
	struct ec_exam x;
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
		} else if ((rc = ec_office_exam_get(c->off, a.reg_no, &x)) || (rc = collect(l, &a, &x))) {
			return fail(rc);
		}
	}
	return bad;
}

/*
 * Where the applications come from: the named ones, or (named NULL) the pending ones walked in key
 * order a batch at a time, so that memory stays flat however many wait.
 */
struct source {
	const struct apps *named;
	size_t pos;
	char after[EC_REGNO_MAX + 1];
};

struct fill {
	struct pend *out;
	size_t max, n;
};

static int
fill_one(void *ctx, const struct ec_app *a, const struct ec_exam *x)
{
	struct fill *f = ctx;

	pend_set(&f->out[f->n++], a, x);
	return f->n == f->max;
}

/* The next applications, at most max, into out; *n = 0 at the end. Returns an ec_err. */
static int
source_next(struct ctx *c, struct source *s, struct pend *out, size_t max, size_t *n)
{
	struct fill f = { out, max, 0 };
	int rc;

	if (s->named) {
		while (f.n < max && s->pos < s->named->n)
			out[f.n++] = s->named->v[s->pos++];
	} else {
		if ((rc = ec_office_pending_exams_from(c->off, s->after, fill_one, &f)))
			return rc;
		if (f.n)
			memcpy(s->after, out[f.n - 1].a.reg_no, sizeof s->after);
	}
	*n = f.n;
	return 0;
}

/*
 * Fill r from pending application p, the catalogue and the person's exam results as they are now (a
 * retake's pass moves the effective date); a fresh number. Returns an ec_err, or 1 when the
 * certification is no longer earned (a result was amended since): said, and the application skipped.
 */
static int
prepare(struct ctx *c, const struct pend *p, struct ec_cert *r)
{
	const struct ec_cat_entry *ce;
	const struct ec_app *a = &p->a;
	struct ec_earning earn;
	char missing[EC_CAT_EXAMS_MAX * (EC_CODE_MAX + 2)];
	int rc;

	/* Everything but the 4 KiB DER buffer, which sign_cert fills. */
	memset(r, 0, offsetof(struct ec_cert, der));
	memset(&r->der_len, 0, sizeof *r - offsetof(struct ec_cert, der_len));
	if (!(ce = ec_catalog_find(c->cat, p->code)))
		return ec_err_set(EC_ERR_REFUSED, "registration number '%s': certification '%s' is no longer in the "
		    "catalogue", a->reg_no, p->code);
	if ((rc = ec_earning_of(c->off, ce, p->person, &earn)))
		return rc;
	if (!earn.earned) {
		ec_earning_missing(&earn, missing, sizeof missing);
		errmsg("registration number '%s' not issued: %s is no longer earned by '%s' (missing %s); amend the "
		    "results or withdraw the application", a->reg_no, ce->code, p->person, missing);
		return 1;
	}
	if ((rc = ec_number_generate(ce->programme, r->e.number)))
		return rc;
	memcpy(r->e.name, a->name, sizeof r->e.name);
	memcpy(r->e.code, ce->code, sizeof r->e.code);
	memcpy(r->e.title, ce->title, sizeof r->e.title);
	r->e.format = a->format;
	r->e.effective = earn.effective;
	r->e.expires = ec_date_expiry(earn.effective, ce->years);
	memcpy(r->reg_no, a->reg_no, sizeof r->reg_no);
	memcpy(r->email, a->email, sizeof r->email);
	memcpy(r->tel, a->tel, sizeof r->tel);
	memcpy(r->address, a->address, sizeof r->address);
	return 0;
}

/*
 * One signed batch handed to a writer thread: its commits wait on the disk while the next batch is
 * signed. Meanwhile the main thread only walks pending applications, which office.h allows beside
 * a writer; only the writer thread writes.
 */
struct job {
	struct ctx *c;
	struct ec_cert *certs;
	struct ec_notice *notices;   /* "issued" notices, queued with their certificates */
	int *rc;
	size_t n;                 /* 0: nothing in flight */
	int ret, running;
	char msg[1024];           /* the writer thread's error detail */
	pthread_t th;
};

static void *
writer(void *arg)
{
	struct job *j = arg;

	j->ret = ec_office_issue(j->c->off, j->certs, j->notices, j->n, j->rc);
	if (j->ret)
		snprintf(j->msg, sizeof j->msg, "%s", ec_err_msg(j->ret));
	return NULL;
}

static void
job_start(struct job *j)
{
	j->running = pthread_create(&j->th, NULL, writer, j) == 0;
	if (!j->running)
		writer(j);
}

/* Wait for j's commit; its failure (with the writer's detail) is returned. */
static int
job_wait(struct job *j)
{
	if (j->running)
		pthread_join(j->th, NULL);
	j->running = 0;
	return j->ret ? ec_err_set(j->ret, "%s", j->msg) : 0;
}

struct run {
	struct ctx *c;
	const struct opts *o;
	struct signing sg;
	struct pend *apps;
	struct job job[2];
	size_t total, issued, skipped, conflicts, unearned;
	struct ec_buf json;
	struct progress pr;
};

/* The register refused r: its holder has a live certificate of the same certification. Say which, and what to do. */
static void
conflict(struct run *u, const struct ec_cert *r)
{
	char number[EC_NUMBER_DIGITS + 1];

	if (ec_office_live(u->c->off, r->email, r->e.code, r->e.effective, number, NULL) || !number[0])
		snprintf(number, sizeof number, "NUMBER");
	errmsg("registration number '%s' not issued: '%s' already holds %s certificate %s; renew that one "
	    "(ecert-issue renew %s) or withdraw this application", r->reg_no, r->email, r->e.code, number, number);
}

/*
 * Account for batch b[0..n) after its commit (rcv[i] per certificate): print the issued ones, then
 * redraw colliding numbers and store those again, synchronously (they are rare). Returns an ec_err.
 */
static int
settle(struct run *u, struct ec_cert *b, struct ec_notice *nv, int *rcv, size_t n)
{
	size_t i, k, left;
	int rc, tries, err = 0;
	char why[512];

	for (tries = 0;; tries++) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (rcv[i] == 0) {
				u->issued++;
				if (u->o->json) {
					ec_buf_adds(&u->json, u->issued > 1 ? ",\n{\"reg_no\":" : "\n{\"reg_no\":");
					ec_buf_json(&u->json, b[i].reg_no);
					ec_buf_adds(&u->json, ",\"number\":");
					ec_buf_json(&u->json, b[i].e.number);
					ec_buf_addc(&u->json, '}');
				} else {
					printf("%s\t%s\n", b[i].reg_no, b[i].e.number);
				}
			} else if (rcv[i] == EC_ERR_EXISTS) {
				u->skipped++;   /* another run issued it meanwhile: never twice */
			} else if (rcv[i] == EC_ERR_CONFLICT) {
				u->conflicts++;
				conflict(u, &b[i]);
			} else if (rcv[i] == EC_ERR_REFUSED && tries < REDRAWS) {
				if (left != i)
					b[left] = b[i];
				left++;
			} else if (!err) {
				/* The rest of the batch was committed: count it before reporting this one. */
				snprintf(why, sizeof why, "%s", ec_err_msg(rcv[i]));
				err = ec_err_set(rcv[i] == EC_ERR_REFUSED ? EC_ERR_CORRUPT : rcv[i],
				    "cannot store the certificate for '%s': %s", b[i].reg_no, why);
			}
		}
		if (!left || err)
			break;
		/* A new number makes a new notice: the old one named the number that collided. */
		for (k = 0; k < left; k++)
			if ((rc = ec_number_generate(ec_number_programme(b[k].e.number), b[k].e.number)) ||
			    (rc = sign_cert(&u->sg, &b[k])) || (rc = notice_cert(u->c, "issued", &b[k], &nv[k])))
				return rc;
		n = left;
		if ((rc = ec_office_issue(u->c->off, b, nv, n, rcv)))
			return rc;
	}
	if (!u->o->json)
		fflush(stdout);
	return err;
}

/* Wait for the batch in flight, if any, and account for it. */
static int
finish(struct run *u, struct job *j)
{
	int rc;

	if (!j->n)
		return 0;
	if ((rc = job_wait(j)) == 0)
		rc = settle(u, j->certs, j->notices, j->rc, j->n);
	j->n = 0;
	progress_step(&u->pr, u->issued + u->skipped);
	return rc;
}

static int
run(struct run *u, struct source *src)
{
	struct job *cur = &u->job[0], *prev = &u->job[1], *t;
	size_t i, k, n = 0;
	int rc, rc2;

	progress_start(&u->pr, "issued", u->total);
	for (;;) {
		rc = source_next(u->c, src, u->apps, BATCH, &n);
		for (i = 0, k = 0; rc == 0 && i < n; i++) {
			if ((rc = prepare(u->c, &u->apps[i], &cur->certs[k])) == 1) {
				u->unearned++;
				rc = 0;
				continue;
			}
			if (rc == 0 && (rc = sign_cert(&u->sg, &cur->certs[k])) == 0 &&
			    (rc = notice_cert(u->c, "issued", &cur->certs[k], &cur->notices[k])) == 0)
				k++;
		}
		/* The batch in flight is accounted for even when this one failed: it may have committed. */
		rc2 = finish(u, prev);
		if (rc == 0)
			rc = rc2;
		if (rc || n == 0)
			break;
		if (!k)
			continue;
		cur->n = k;
		job_start(cur);
		t = cur;
		cur = prev;
		prev = t;
	}
	progress_end(&u->pr);
	return rc;
}

/*
 * A batch buffer: tens of MiB, filled once per batch for the whole run, so huge pages where the
 * system offers them (fresh memory is paid per page fault). Freed with free().
 */
static void *
batch_alloc(size_t size)
{
	void *p;

	if (size < HUGE_PAGE)
		return malloc(size);
	if (posix_memalign(&p, HUGE_PAGE, size))
		return NULL;
	(void)madvise(p, size, MADV_HUGEPAGE);
	return p;
}

/* The lifetime check of one application; counts what will be issued. */
struct life {
	struct ctx *c;
	const struct signing *sg;
	size_t n, bad;
};

static void
life_check(struct life *l, const char *reg_no, const char *code, ec_day exam_date)
{
	l->n++;
	if (ec_issue_within_ca(l->c->cat, reg_no, code, exam_date, l->sg->not_after, ec_signer_kid(l->sg->s)) &&
	    !l->bad++)
		errmsg("%s", ec_err_msg(EC_ERR_REFUSED));
}

static int
life_one(void *ctx, const struct ec_app *a, const struct ec_exam *x)
{
	life_check(ctx, a->reg_no, x->code, x->exam_date);
	return 0;
}

/*
 * Every e-Cert must end within its issuing CA's life; check them all before signing any, so a run
 * that must stop for a rotation stops before it starts. *n gets the number of applications.
 */
static int
lifetimes(struct ctx *c, const struct signing *sg, const struct apps *list, size_t *n)
{
	struct life l = { c, sg, 0, 0 };
	size_t i;
	int rc = 0;

	if (list) {
		for (i = 0; i < list->n; i++)
			life_check(&l, list->v[i].a.reg_no, list->v[i].code, list->v[i].exam_date);
	} else {
		rc = ec_office_pending_exams_from(c->off, "", life_one, &l);
	}
	if (rc)
		return fail(rc);
	*n = l.n;
	if (l.bad) {
		errmsg("%zu e-Cert%s would outlive the issuing CA: run 'ecert-ca rotate' first; nothing issued",
		    l.bad, l.bad == 1 ? "" : "s");
		return 1;
	}
	return 0;
}

static int
first_only(void *ctx, const struct ec_app *a, const struct ec_exam *x)
{
	(void)a;
	(void)x;
	*(int *)ctx = 1;
	return 1;
}

/* Sign the waiting applications in batches (cmd_issue has opened the signing session). */
static int
issue_apps(struct run *u, struct source *src)
{
	size_t k, cap;
	int rc;

	if ((rc = lifetimes(u->c, &u->sg, src->named, &u->total)))
		return rc;
	cap = u->total < BATCH ? u->total : BATCH;
	u->apps = batch_alloc(cap * sizeof *u->apps);
	for (k = 0; k < 2; k++) {
		u->job[k].c = u->c;
		u->job[k].certs = batch_alloc(cap * sizeof *u->job[k].certs);
		u->job[k].notices = batch_alloc(cap * sizeof *u->job[k].notices);
		u->job[k].rc = malloc(cap * sizeof *u->job[k].rc);
	}
	if (!u->apps || !u->job[0].certs || !u->job[0].rc || !u->job[1].certs || !u->job[1].rc || !u->job[0].notices ||
	    !u->job[1].notices)
		return fail(EC_ERR_NOMEM);
	if (u->o->json)
		ec_buf_addc(&u->json, '[');
	rc = run(u, src);
	if (u->o->json) {
		ec_buf_adds(&u->json, u->issued ? "\n]" : "]");
		if (put_buf(&u->json) && !rc)
			return 2;
	}
	if (rc) {
		rc = fail(rc);
		errmsg("%zu certificate%s issued before the failure; run 'issue' again to continue", u->issued,
		    u->issued == 1 ? "" : "s");
		return rc;
	}
	fprintf(stderr, PROG ": issued %zu certificate%s", u->issued, u->issued == 1 ? "" : "s");
	if (u->skipped)
		fprintf(stderr, " (%zu already issued by another run)", u->skipped);
	if (u->conflicts)
		fprintf(stderr, "; %zu not issued: the holder has a live certificate of that certification", u->conflicts);
	if (u->unearned)
		fprintf(stderr, "; %zu not issued: the certification is no longer earned", u->unearned);
	fputc('\n', stderr);
	if ((u->conflicts || u->unearned) && rc == 0)
		rc = 1;
	return rc;
}

/* The holders' renewal requests (from the portal), renewed by this run's CA. */
struct reqs {
	char (*v)[EC_NUMBER_DIGITS + 1];
	size_t n, cap;
};

static int
req_one(void *ctx, const char *number, uint64_t acct, int64_t at)
{
	struct reqs *l = ctx;
	char (*nv)[EC_NUMBER_DIGITS + 1];

	(void)acct, (void)at;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if (!(nv = realloc(l->v, l->cap * sizeof *nv)))
			return EC_ERR_NOMEM;
		l->v = nv;
	}
	memcpy(l->v[l->n++], number, sizeof l->v[0]);
	return 0;
}

/* Each said on stdout, or on stderr with --json (stdout then holds the one JSON document). */
static int
renew_requested(struct ctx *c, struct signing *sg, const struct reqs *l, FILE *said)
{
	struct ec_cert *old, *r;
	size_t i;
	int rc = 0, one;

	if (!(old = malloc(sizeof *old)) || !(r = malloc(sizeof *r))) {
		free(old);
		return fail(EC_ERR_NOMEM);
	}
	for (i = 0; i < l->n; i++) {
		if ((one = ec_office_cert_get(c->off, l->v[i], old))) {
			one = fail(one);
		} else if ((one = renew_cert(c, sg, old, r)) == 0) {
			renew_said(said, "renewal requested: ", old, r);
		}
		if (one > rc)
			rc = one;
	}
	free(old);
	free(r);
	return rc;
}

int
cmd_issue(struct opts *o)
{
	struct ctx c;
	struct apps l = { NULL, 0, 0 };
	struct source src;
	struct run u;
	struct reqs reqs = { NULL, 0, 0 };
	size_t k;
	int rc = 0, r2, apps = 0;

	if (!o->all && !o->nargs)
		return usage_err("issue needs --all or registration numbers");
	if (o->all && o->nargs)
		return usage_err("issue takes --all or registration numbers, not both");
	memset(&u, 0, sizeof u);
	memset(&src, 0, sizeof src);
	ec_buf_init(&u.json);
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_CAT | NEED_OFFICE)))
		return rc;
	u.c = &c;
	u.o = o;
	if (!o->all) {
		if ((rc = named(&c, o, &l)))
			goto out;
		src.named = &l;
		apps = l.n > 0;
	} else if ((rc = ec_office_pending_exams_from(c.off, "", first_only, &apps)) ||
	    (rc = ec_office_renew_requests_each(c.off, NULL, req_one, &reqs))) {
		rc = fail(rc);
		goto out;
	}
	/* Before the key: an empty queue (a cron run, say) needs no passphrase. */
	if (!apps && !reqs.n) {
		if (o->json)
			printf("[]\n");
		else
			fprintf(stderr, PROG ": nothing to issue\n");
		goto out;
	}
	if ((rc = signing_open(&u.sg, &c, o, NULL)))
		goto out;
	if (apps)
		rc = issue_apps(&u, &src);
	else if (o->json)
		printf("[]\n");
	/* the renewals the holders asked for, unless the run broke down (a refused application is no reason) */
	if (reqs.n && rc < 2 && (r2 = renew_requested(&c, &u.sg, &reqs, o->json ? stderr : stdout)) > rc)
		rc = r2;
out:
	signing_close(&u.sg);
	free(u.apps);
	for (k = 0; k < 2; k++) {
		free(u.job[k].certs);
		free(u.job[k].notices);
		free(u.job[k].rc);
	}
	free(l.v);
	free(reqs.v);
	ec_buf_free(&u.json);
	ctx_close(&c);
	return rc;
}
