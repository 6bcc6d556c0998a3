/* The office register read: lookups by key, the pending queue and filtered walks. */
#include "office_int.h"

/* Lookups. */

struct get_ctx {
	unsigned db;            /* EC_ODB_EXAM, EC_ODB_APP or EC_ODB_CERT */
	const char *key;
	void *out;
	struct ec_office *o;
};

/* One lookup by key: exam results and applications by registration number, certificates by number. */
static int
get_txn(struct ec_kvtxn *t, void *ctx)
{
	struct get_ctx *g = ctx;
	struct ec_kv_val v;
	size_t klen;
	int r;

	if (g->db == EC_ODB_CERT)
		return off_cert_load(g->o, t, g->key, g->out);
	if ((r = off_regno_check(g->key)))
		return r;
	klen = strlen(g->key);
	r = ec_kv_get(t, g->db, g->key, klen, &v);
	if (r == EC_ERR_NOTFOUND)
		return ec_err_set(r, "no %s for registration number '%s'",
		    g->db == EC_ODB_EXAM ? "exam result" : "application", g->key);
	if (r)
		return r;
	return g->db == EC_ODB_EXAM ? ec_rec_exam_dec(v.p, v.n, g->key, klen, g->out) :
	    ec_rec_app_dec(v.p, v.n, g->key, klen, g->out);
}

static int
get(struct ec_office *o, unsigned db, const char *key, void *out)
{
	struct get_ctx g = { db, key, out, o };

	return ec_kv_view(o->kv, get_txn, &g);
}

int
ec_office_exam_get(struct ec_office *o, const char *reg_no, struct ec_exam *out)
{
	return get(o, EC_ODB_EXAM, reg_no, out);
}

int
ec_office_app_get(struct ec_office *o, const char *reg_no, struct ec_app *out)
{
	return get(o, EC_ODB_APP, reg_no, out);
}

int
ec_office_cert_get(struct ec_office *o, const char *number, struct ec_cert *out)
{
	return get(o, EC_ODB_CERT, number, out);
}

/* Iteration. */

struct each_ctx {
	struct ec_office *o;
	struct ec_kvtxn *t;      /* the walk's transaction */
	unsigned char prefix[EMAIL_KEY_MAX];   /* certificates by email: the index prefix, plen bytes */
	size_t plen;
	ec_exam_fn exam;
	ec_app_fn app;
	ec_pending_fn pend;      /* instead of app: with the exam result, read in the same transaction */
	ec_cert_fn cert;
	void *ctx;
	int requested_only;
	const char *after;       /* pending: start strictly after this key (NULL: from the first) */
	size_t afterlen;
	const struct ec_cert_filter *f;
	union {
		struct ec_exam x;
		struct ec_app a;
		struct ec_cert c;
	} u;
	struct ec_exam x;        /* pend's exam result */
};

/* The exam result that application a names, for pend. */
static int
pend_visit(struct ec_kvtxn *t, struct each_ctx *e)
{
	const char *key = e->u.a.reg_no;
	size_t klen = strlen(key);
	struct ec_kv_val v;
	int r;

	r = ec_kv_get(t, EC_ODB_EXAM, key, klen, &v);
	if (r == EC_ERR_NOTFOUND)
		return ec_err_set(r, "no exam result for registration number '%s'", key);
	if (r || (r = ec_rec_exam_dec(v.p, v.n, key, klen, &e->x)))
		return r;
	return e->pend(e->ctx, &e->u.a, &e->x);
}

static int
exam_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct each_ctx *e = ctx;
	int r;

	return (r = ec_rec_exam_dec(v->p, v->n, k->p, k->n, &e->u.x)) ? r : e->exam(e->ctx, &e->u.x);
}

static int
exams_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_each(t, EC_ODB_EXAM, NULL, 0, exam_one, ctx);
}

int
ec_office_exams_each(struct ec_office *o, ec_exam_fn fn, void *ctx)
{
	struct each_ctx *e;
	int r;

	if (!(e = calloc(1, sizeof *e)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	e->exam = fn;
	e->ctx = ctx;
	r = ec_kv_view(o->kv, exams_txn, e);
	free(e);
	return r;
}

/* One application (or pending key: its application record), after the resume point. */
static int
app_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *val)
{
	struct each_ctx *e = ctx;
	struct ec_kv_val v = *val;
	int r;

	if (e->after && k->n == e->afterlen && memcmp(k->p, e->after, k->n) == 0)
		return 0;
	if (e->requested_only && (r = ec_kv_get(e->t, EC_ODB_APP, k->p, k->n, &v)))
		return r == EC_ERR_NOTFOUND ? ec_err_set(EC_ERR_CORRUPT, "pending application without its record") : r;
	if ((r = ec_rec_app_dec(v.p, v.n, k->p, k->n, &e->u.a)))
		return r;
	return e->pend ? pend_visit(e->t, e) : e->app(e->ctx, &e->u.a);
}

static int
apps_txn(struct ec_kvtxn *t, void *ctx)
{
	struct each_ctx *e = ctx;

	e->t = t;
	return ec_kv_each(t, e->requested_only ? EC_ODB_PENDING : EC_ODB_APP, e->after, e->after ? e->afterlen : 0,
	    app_one, e);
}

int
ec_office_apps_each(struct ec_office *o, int requested_only, ec_app_fn fn, void *ctx)
{
	struct each_ctx *e;
	int r;

	if (!(e = calloc(1, sizeof *e)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	e->app = fn;
	e->ctx = ctx;
	e->requested_only = requested_only;
	r = ec_kv_view(o->kv, apps_txn, e);
	free(e);
	return r;
}

int
ec_office_pending_exams_from(struct ec_office *o, const char *after, ec_pending_fn fn, void *ctx)
{
	struct each_ctx *e;
	int r;

	if (after[0] && (r = off_regno_check(after)))
		return r;
	if (!(e = calloc(1, sizeof *e)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	e->pend = fn;
	e->ctx = ctx;
	e->requested_only = 1;
	e->after = after[0] ? after : NULL;
	e->afterlen = strlen(after);
	r = ec_kv_view(o->kv, apps_txn, e);
	free(e);
	return r;
}

/* Apply the status filter, then call fn. */
static int
cert_visit(struct each_ctx *e)
{
	const struct ec_cert_filter *f = e->f;

	if (f && f->status && (int)ec_cert_status(&e->u.c, f->today) != f->status - 1)
		return 0;
	return e->cert(e->ctx, &e->u.c);
}

/* One certificate, by number or through the email index (prefix e->prefix), through the filter. */
static int
cert_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct each_ctx *e = ctx;
	struct ec_kv_val cv;
	int r;

	if (e->plen > 0) {
		if (k->n != e->plen + EC_NUMBIN || memcmp(k->p, e->prefix, e->plen) != 0)
			return 1;
		if ((r = ec_kv_get(e->t, EC_ODB_CERT, k->p + e->plen, EC_NUMBIN, &cv)))
			return r == EC_ERR_NOTFOUND ? ec_err_set(EC_ERR_CORRUPT, "email index names a missing certificate") : r;
		r = off_cert_dec(e->o, e->t, &cv, k->p + e->plen, &e->u.c, WANT_ALL);
	} else {
		r = k->n == EC_NUMBIN ? off_cert_dec(e->o, e->t, v, k->p, &e->u.c, WANT_ALL) :
		    ec_err_set(EC_ERR_CORRUPT, "stored certificate key is corrupt");
	}
	return r ? r : cert_visit(e);
}

static int
certs_txn(struct ec_kvtxn *t, void *ctx)
{
	struct each_ctx *e = ctx;
	int by_email = e->f && e->f->email;

	e->t = t;
	e->plen = by_email ? off_email_key(e->f->email, NULL, e->prefix) : 0;
	return ec_kv_each(t, by_email ? EC_ODB_EMAIL : EC_ODB_CERT, by_email ? e->prefix : NULL, e->plen, cert_one, e);
}

int
ec_office_certs_each(struct ec_office *o, const struct ec_cert_filter *f, ec_cert_fn fn, void *ctx)
{
	struct each_ctx *e;
	int r;

	if (f && f->email && strnlen(f->email, EC_EMAIL_MAX + 1) > EC_EMAIL_MAX)
		return ec_err_set(EC_ERR_ARG, "email too long");
	if (!(e = calloc(1, sizeof *e)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	e->o = o;
	e->cert = fn;
	e->ctx = ctx;
	e->f = f;
	r = ec_kv_view(o->kv, certs_txn, e);
	free(e);
	return r;
}
