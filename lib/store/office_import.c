/* The office register's inputs: exam results (import) and applications. */
#include "office_int.h"
#include "msg.h"

/* Import. */

/* The same facts: a result stored by an older version compares by value, not by its bytes. */
static int
exam_same(const struct ec_exam *a, const struct ec_exam *b)
{
	return !strcmp(a->last_name, b->last_name) && !strcmp(a->first_name, b->first_name) &&
	    !strcmp(a->email, b->email) && !strcmp(a->tel, b->tel) && !strcmp(a->code, b->code) &&
	    !strcmp(a->exam[0] ? a->exam : a->code, b->exam[0] ? b->exam : b->code) &&
	    a->exam_date == b->exam_date && a->passed == b->passed;
}

struct import_ctx {
	const struct ec_exam_src *src;
	unsigned flags;
	struct ec_import_stats st;
	struct ec_buf b;
};

/* Replace stored result old (key reg_no) with row, encoded in b: a correction, refused once applied for. */
static int
import_amend(struct ec_kvtxn *t, const struct ec_exam *old, const struct ec_exam *row, const struct ec_buf *b,
    int64_t now)
{
	size_t klen = strlen(row->reg_no);
	struct ec_kv_val v;
	int r;

	if ((r = ec_kv_get(t, EC_ODB_APP, row->reg_no, klen, &v)) == 0)
		return ec_err_set(EC_ERR_REFUSED, "registration number '%s' has an application: withdraw it first "
		    "(an issued certificate is reissued instead)", row->reg_no);
	if (r != EC_ERR_NOTFOUND)
		return r;
	if ((r = off_exam_unindex(t, old)) || (r = ec_kv_put(t, EC_ODB_EXAM, row->reg_no, klen, b->p, b->len, 0)) ||
	    (r = off_exam_index(t, row)))
		return r;
	return ec_audit_append(t, now, EC_AUDIT_AMEND, EC_AUDIT_SUBJ_REGNO, row->reg_no, b->p, b->len);
}

static int
import_txn(struct ec_kvtxn *t, void *ctx)
{
	struct import_ctx *c = ctx;
	struct ec_exam row, old;
	struct ec_kv_val v;
	int64_t now = ec_time_now();
	size_t klen;
	int r;

	memset(&c->st, 0, sizeof c->st);
	if ((r = c->src->rewind(c->src->ctx)))
		return r;
	while ((r = c->src->next(c->src->ctx, &row)) == 1) {
		if ((r = off_regno_check(row.reg_no)))
			return r;
		klen = strlen(row.reg_no);
		ec_buf_reset(&c->b);
		if ((r = ec_rec_exam_enc(&c->b, &row)))
			return ec_err_set(r, "registration number '%s': %s", row.reg_no, ec_err_msg(r));
		r = ec_kv_get(t, EC_ODB_EXAM, row.reg_no, klen, &v);
		if (r == 0) {
			if ((r = ec_rec_exam_dec(v.p, v.n, row.reg_no, klen, &old)))
				return r;
			if (exam_same(&row, &old)) {
				c->st.unchanged++;
				continue;
			}
			if (!(c->flags & EC_IMPORT_UPDATE))
				return ec_err_set(EC_ERR_REFUSED, "registration number '%s' already imported with "
				    "different data (correct it with --update)", row.reg_no);
			if ((r = import_amend(t, &old, &row, &c->b, now)))
				return r;
			c->st.amended++;
			continue;
		}
		if (r != EC_ERR_NOTFOUND)
			return r;
		if (c->flags & EC_IMPORT_NO_NEW)
			return ec_err_set(EC_ERR_NOTFOUND, "no exam result for registration number '%s' to correct",
			    row.reg_no);
		if ((r = ec_kv_put(t, EC_ODB_EXAM, row.reg_no, klen, c->b.p, c->b.len, 0)) ||
		    (r = off_exam_index(t, &row)) ||
		    (r = ec_audit_append(t, now, EC_AUDIT_IMPORT, EC_AUDIT_SUBJ_REGNO, row.reg_no, c->b.p, c->b.len)) ||
		    (r = off_portal_import(t, &row, now)))
			return r;
		c->st.added++;
	}
	return r < 0 ? r : 0;
}

static int
import_src(struct ec_office *o, const struct ec_exam_src *src, unsigned flags, struct ec_import_stats *st)
{
	struct import_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	if ((r = off_writable(o)))
		return r;
	c.src = src;
	c.flags = flags;
	r = ec_kv_update(o->kv, import_txn, &c);
	if (r == 0 && st)
		*st = c.st;
	ec_buf_free(&c.b);
	return r;
}

struct array_src {
	const struct ec_exam *rows;
	size_t n, i;
};

static int
array_rewind(void *ctx)
{
	((struct array_src *)ctx)->i = 0;
	return 0;
}

static int
array_next(void *ctx, struct ec_exam *row)
{
	struct array_src *a = ctx;

	if (a->i == a->n)
		return 0;
	*row = a->rows[a->i++];
	return 1;
}

int
ec_office_import_stream(struct ec_office *o, const struct ec_exam_src *src, struct ec_import_stats *st)
{
	return import_src(o, src, 0, st);
}

int
ec_office_import_ex(struct ec_office *o, const struct ec_exam *rows, size_t n, unsigned flags,
    struct ec_import_stats *st)
{
	struct array_src a = { rows, n, 0 };
	struct ec_exam_src src = { array_rewind, array_next, &a };

	return import_src(o, &src, flags, st);
}

int
ec_office_import(struct ec_office *o, const struct ec_exam *rows, size_t n, struct ec_import_stats *st)
{
	return ec_office_import_ex(o, rows, n, 0, st);
}

/* Applications. */

struct apply_ctx {
	const struct ec_app *apps;
	size_t n;
	int *rc;
	struct ec_app *existing;
	struct ec_buf b;
};

/* A person's waiting application for one certification, under another registration number. */
struct sibling {
	struct ec_kvtxn *t;
	const struct ec_exam *x;
	struct ec_app a;
	int found;
};

static int
sibling_one(void *ctx, const struct ec_exam *y)
{
	struct sibling *s = ctx;
	struct ec_kv_val v;
	size_t klen = strlen(y->reg_no);
	int r;

	if (strcmp(y->code, s->x->code) || !strcmp(y->reg_no, s->x->reg_no))
		return 0;
	r = ec_kv_get(s->t, EC_ODB_APP, y->reg_no, klen, &v);
	if (r == EC_ERR_NOTFOUND)
		return 0;
	if (r || (r = ec_rec_app_dec(v.p, v.n, y->reg_no, klen, &s->a)))
		return r;
	if (s->a.status != EC_ST_REQUESTED)
		return 0;
	s->found = 1;
	return 1;
}

/* One application inside the transaction: a soft refusal goes to *rc, a hard failure is returned. */
static int
apply_one(struct ec_kvtxn *t, const struct ec_app *in, struct ec_buf *b, struct ec_app *existing, int *rc)
{
	struct ec_app a;
	struct ec_exam x;
	struct ec_kv_val v;
	struct sibling sib;
	size_t klen;
	int r;

	if ((r = off_regno_check(in->reg_no))) {
		*rc = r;
		return 0;
	}
	klen = strlen(in->reg_no);
	r = ec_kv_get(t, EC_ODB_EXAM, in->reg_no, klen, &v);
	if (r == EC_ERR_NOTFOUND) {
		*rc = ec_err_set(r, "no exam result for registration number '%s'", in->reg_no);
		return 0;
	}
	if (r || (r = ec_rec_exam_dec(v.p, v.n, in->reg_no, klen, &x)))
		return r;
	if (!x.passed) {
		*rc = ec_err_set(EC_ERR_REFUSED, "registration number '%s' did not pass the exam", in->reg_no);
		return 0;
	}
	r = ec_kv_get(t, EC_ODB_APP, in->reg_no, klen, &v);
	if (r == 0) {
		if (existing && (r = ec_rec_app_dec(v.p, v.n, in->reg_no, klen, existing)))
			return r;
		*rc = ec_err_set(EC_ERR_EXISTS, "an application for registration number '%s' exists already",
		    in->reg_no);
		return 0;
	}
	if (r != EC_ERR_NOTFOUND)
		return r;
	memset(&sib, 0, sizeof sib);
	sib.t = t, sib.x = &x;
	if ((r = off_person_exams(t, x.email, sibling_one, &sib)))
		return r;
	if (sib.found) {
		*rc = ec_err_say(EC_ERR_CONFLICT, EC_MSG_SIBLING, x.email, x.code, sib.a.reg_no);
		return 0;
	}
	a = *in;
	a.status = EC_ST_REQUESTED;
	a.number[0] = '\0';
	ec_buf_reset(b);
	if ((r = ec_rec_app_enc(b, &a))) {
		*rc = r;
		return 0;
	}
	if ((r = ec_kv_put(t, EC_ODB_APP, a.reg_no, klen, b->p, b->len, 0)) ||
	    (r = ec_kv_put(t, EC_ODB_PENDING, a.reg_no, klen, "", 0, 0)) ||
	    (r = ec_audit_append(t, ec_time_now(), EC_AUDIT_APPLY, EC_AUDIT_SUBJ_REGNO, a.reg_no, b->p, b->len)))
		return r;
	*rc = 0;
	return 0;
}

static int
apply_txn(struct ec_kvtxn *t, void *ctx)
{
	struct apply_ctx *c = ctx;
	size_t i;
	int r;

	for (i = 0; i < c->n; i++)
		if ((r = apply_one(t, &c->apps[i], &c->b, c->existing, &c->rc[i])))
			return r;
	return 0;
}

int
ec_office_apply(struct ec_office *o, const struct ec_app *a, struct ec_app *existing)
{
	struct apply_ctx c;
	int rc = 0, r;

	memset(&c, 0, sizeof c);
	if ((r = off_can_write(o)))
		return r;
	c.apps = a;
	c.n = 1;
	c.rc = &rc;
	c.existing = existing;
	r = ec_kv_update(o->kv, apply_txn, &c);
	ec_buf_free(&c.b);
	return r ? r : rc;
}

int
ec_office_apply_many(struct ec_office *o, const struct ec_app *apps, size_t n, int *rc)
{
	struct apply_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	if ((r = off_can_write(o)))
		return r;
	c.apps = apps;
	c.n = n;
	c.rc = rc;
	r = ec_kv_update(o->kv, apply_txn, &c);
	ec_buf_free(&c.b);
	return r;
}

/* Withdrawal of an application before issuance. */

struct withdraw_ctx {
	const char *reg_no;
	struct ec_app a;
};

static int
withdraw_txn(struct ec_kvtxn *t, void *ctx)
{
	struct withdraw_ctx *x = ctx;
	size_t klen = strlen(x->reg_no);
	struct ec_kv_val v;
	int r;

	r = ec_kv_get(t, EC_ODB_APP, x->reg_no, klen, &v);
	if (r == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_NOTFOUND, "no application for registration number '%s'", x->reg_no);
	if (r || (r = ec_rec_app_dec(v.p, v.n, x->reg_no, klen, &x->a)))
		return r;
	if (x->a.status != EC_ST_REQUESTED)
		return ec_err_set(EC_ERR_REFUSED, "registration number '%s' was issued as %s: an issued certificate is "
		    "revoked or reissued, not withdrawn", x->reg_no, x->a.number);
	/* The audit entry keeps the hash of what was withdrawn; the record itself goes. */
	if ((r = ec_audit_append(t, ec_time_now(), EC_AUDIT_WITHDRAW, EC_AUDIT_SUBJ_REGNO, x->reg_no, v.p, v.n)) ||
	    (r = ec_kv_del(t, EC_ODB_APP, x->reg_no, klen)))
		return r;
	if ((r = ec_kv_del(t, EC_ODB_PENDING, x->reg_no, klen)) == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_CORRUPT, "application '%s' was not pending", x->reg_no);
	return r;
}

int
ec_office_withdraw(struct ec_office *o, const char *reg_no, struct ec_app *out)
{
	struct withdraw_ctx x;
	int r;

	memset(&x, 0, sizeof x);
	x.reg_no = reg_no;
	if ((r = off_writable(o)) || (r = off_regno_check(reg_no)))
		return r;
	if ((r = ec_kv_update(o->kv, withdraw_txn, &x)) == 0 && out)
		*out = x.a;
	return r;
}

/* Correction of an exam result before any application. */

struct amend_ctx {
	const struct ec_exam *x;
	struct ec_exam old;
	struct ec_buf b;
};

static int
amend_txn(struct ec_kvtxn *t, void *ctx)
{
	struct amend_ctx *c = ctx;
	const char *reg = c->x->reg_no;
	size_t klen = strlen(reg);
	struct ec_kv_val v;
	int r;

	r = ec_kv_get(t, EC_ODB_EXAM, reg, klen, &v);
	if (r == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_NOTFOUND, "no exam result for registration number '%s'", reg);
	if (r || (r = ec_rec_exam_dec(v.p, v.n, reg, klen, &c->old)))
		return r;
	ec_buf_reset(&c->b);
	if ((r = ec_rec_exam_enc(&c->b, c->x)))
		return ec_err_set(r, "registration number '%s': %s", reg, ec_err_msg(r));
	return import_amend(t, &c->old, c->x, &c->b, ec_time_now());
}

int
ec_office_exam_amend(struct ec_office *o, const struct ec_exam *x, struct ec_exam *old)
{
	struct amend_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.x = x;
	if ((r = off_writable(o)) || (r = off_regno_check(x->reg_no)))
		return r;
	if ((r = ec_kv_update(o->kv, amend_txn, &c)) == 0 && old)
		*old = c.old;
	ec_buf_free(&c.b);
	return r;
}
