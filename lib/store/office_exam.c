/* Exam results by person: the index from an email address to its exam results, its upkeep and walks. */
#include "office_int.h"

/* lower-cased email || 0x00 || registration number: a person's results sort together, in number order. */
size_t
off_exam_key(const char *email, const char *reg_no, unsigned char out[EXAM_KEY_MAX])
{
	size_t n = off_email_key(email, NULL, out), k = strnlen(reg_no, EC_REGNO_MAX);

	memcpy(out + n, reg_no, k);
	return n + k;
}

int
off_exam_index(struct ec_kvtxn *t, const struct ec_exam *x)
{
	unsigned char key[EXAM_KEY_MAX];

	return ec_kv_put(t, EC_ODB_EXAM_EMAIL, key, off_exam_key(x->email, x->reg_no, key), "", 0, 0);
}

int
off_exam_unindex(struct ec_kvtxn *t, const struct ec_exam *x)
{
	unsigned char key[EXAM_KEY_MAX];
	int r = ec_kv_del(t, EC_ODB_EXAM_EMAIL, key, off_exam_key(x->email, x->reg_no, key));

	return r == EC_ERR_NOTFOUND ? 0 : r;
}

static int
index_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct ec_kvtxn *t = ctx;
	struct ec_exam x;
	int r;

	if ((r = ec_rec_exam_dec(v->p, v->n, k->p, k->n, &x)))
		return r;
	return off_exam_index(t, &x);
}

/* A register written before the index existed gets it once, on its first writable open. */
int
off_exam_index_build(struct ec_kvtxn *t)
{
	uint64_t done;
	int r;

	if ((r = ec_kv_get64(t, EC_ODB_META, "exam.email", &done, NULL)) || done)
		return r;
	if ((r = ec_kv_each(t, EC_ODB_EXAM, NULL, 0, index_one, t)))
		return r;
	return ec_kv_put64(t, EC_ODB_META, "exam.email", 1);
}

struct person_walk {
	struct ec_kvtxn *t;
	unsigned char prefix[EXAM_KEY_MAX];
	size_t plen;             /* 0: every person */
	ec_exam_fn fn;
	void *ctx;
};

static int
person_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct person_walk *w = ctx;
	const unsigned char *key = k->p, *nul;
	struct ec_kv_val xv;
	struct ec_exam x;
	int r;

	(void)v;
	if (k->n < w->plen || memcmp(key, w->prefix, w->plen) != 0)
		return 1;
	if (!(nul = memchr(key, 0, k->n)))
		return ec_err_set(EC_ERR_CORRUPT, "%s", "exam index entry without an address");
	nul++;
	r = ec_kv_get(w->t, EC_ODB_EXAM, nul, k->n - (size_t)(nul - key), &xv);
	if (r == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_CORRUPT, "%s", "exam index names a missing exam result");
	if (r || (r = ec_rec_exam_dec(xv.p, xv.n, nul, k->n - (size_t)(nul - key), &x)))
		return r;
	return w->fn(w->ctx, &x);
}

int
off_person_exams(struct ec_kvtxn *t, const char *email, ec_exam_fn fn, void *ctx)
{
	struct person_walk w;

	memset(&w, 0, sizeof w);
	w.t = t, w.fn = fn, w.ctx = ctx;
	if (email) {
		if (!email[0])
			return 0;
		w.plen = off_email_key(email, NULL, w.prefix);
	}
	return ec_kv_each(t, EC_ODB_EXAM_EMAIL, w.plen ? w.prefix : NULL, w.plen, person_one, &w);
}

struct person_view {
	const char *email;
	ec_exam_fn fn;
	void *ctx;
};

static int
person_view_txn(struct ec_kvtxn *t, void *ctx)
{
	struct person_view *p = ctx;

	return off_person_exams(t, p->email, p->fn, p->ctx);
}

int
ec_office_person_exams(struct ec_office *o, const char *email, ec_exam_fn fn, void *ctx)
{
	struct person_view p = { email, fn, ctx };

	if (email && strnlen(email, EC_EMAIL_MAX + 1) > EC_EMAIL_MAX)
		return ec_err_set(EC_ERR_ARG, "email too long");
	return ec_kv_view(o->kv, person_view_txn, &p);
}
