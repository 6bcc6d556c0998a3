/* Certificates change: issuance, revocation, renewal, shipping, the revoked index and CRL numbers. */
#include "office_int.h"

/* Issuance. */

struct issue_ctx {
	struct skel_memo m;
	const struct ec_cert *certs;
	const struct ec_notice *notices;
	size_t n;
	int *rc;
	uint64_t gen;
	struct ec_cert c;
	struct ec_app a;
	struct ec_buf b;
	char live[EC_NUMBER_DIGITS + 1];
};

/* A new certificate as stored: valid, nothing revoked, superseded or mailed yet. */
static void
fresh(struct ec_cert *c)
{
	c->status = EC_ST_VALID;
	c->revoked_at = 0;
	c->reason[0] = '\0';
	c->superseded_by[0] = '\0';
	c->carrier[0] = c->order[0] = '\0';
	c->mailed_at = 0;
}

/* Looking for a live certificate of the same person (email) and certification. */
struct live_ctx {
	struct ec_kvtxn *t;
	const char *code;
	ec_day day;
	unsigned char prefix[EMAIL_KEY_MAX];
	size_t plen;
	char *found;
	ec_day expires;
};

static int
live_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *unused)
{
	struct live_ctx *x = ctx;
	struct ec_rec_compact cmp;
	struct ec_kv_val v;
	struct ec_cert c;
	int r;

	(void)unused;
	if (k->n != x->plen + EC_NUMBIN || memcmp(k->p, x->prefix, x->plen) != 0)
		return 1;
	if ((r = ec_kv_get(x->t, EC_ODB_CERT, k->p + x->plen, EC_NUMBIN, &v)))
		return r == EC_ERR_NOTFOUND ? ec_err_set(EC_ERR_CORRUPT, "email index names a missing certificate") : r;
	if ((r = ec_rec_cert_dec(v.p, v.n, k->p + x->plen, EC_NUMBIN, &c, &cmp)))
		return r;
	if (c.status != EC_ST_VALID || strcmp(c.e.code, x->code) != 0 || c.e.expires < x->day)
		return 0;
	memcpy(x->found, c.e.number, EC_NUMBER_DIGITS + 1);
	x->expires = c.e.expires;
	return 1;
}

/*
 * One live certificate per person and certification: a stored valid (not revoked, not superseded)
 * certificate of email and code still valid on day names its number in found ("" when none).
 */
static int
live_of(struct ec_kvtxn *t, const char *email, const char *code, ec_day day, char found[EC_NUMBER_DIGITS + 1],
    ec_day *expires)
{
	struct live_ctx x;
	int r;

	memset(&x, 0, sizeof x);
	x.t = t, x.code = code, x.day = day, x.found = found;
	found[0] = '\0';
	if (!email[0])
		return 0;
	x.plen = off_email_key(email, NULL, x.prefix);
	r = ec_kv_each(t, EC_ODB_EMAIL, x.prefix, x.plen, live_one, &x);
	if (expires)
		*expires = x.expires;
	return r;
}

struct live_view {
	const char *email, *code;
	ec_day day, expires;
	char *number;
};

static int
live_view_txn(struct ec_kvtxn *t, void *ctx)
{
	struct live_view *x = ctx;

	return live_of(t, x->email, x->code, x->day, x->number, &x->expires);
}

int
ec_office_live(struct ec_office *o, const char *email, const char *code, ec_day day,
    char number[EC_NUMBER_DIGITS + 1], ec_day *expires)
{
	struct live_view x = { email, code, day, 0, number };
	int r;

	number[0] = '\0';
	if (strnlen(email, EC_EMAIL_MAX + 1) > EC_EMAIL_MAX)
		return ec_err_set(EC_ERR_ARG, "email too long");
	if ((r = ec_kv_view(o->kv, live_view_txn, &x)) == 0 && expires)
		*expires = x.expires;
	return r;
}

/* Soft checks first so that a refused certificate writes nothing. */
static int
issue_one(struct ec_kvtxn *t, struct issue_ctx *x, const struct ec_cert *in, int *rc)
{
	unsigned char key[EC_NUMBIN];
	struct ec_kv_val v;
	size_t klen;
	int r;

	x->c = *in;
	fresh(&x->c);
	if ((r = off_regno_check(in->reg_no)) || (r = ec_rec_num_pack(in->e.number, key))) {
		*rc = r;
		return 0;
	}
	klen = strlen(in->reg_no);
	r = ec_kv_get(t, EC_ODB_APP, in->reg_no, klen, &v);
	if (r == EC_ERR_NOTFOUND) {
		*rc = ec_err_set(r, "no application for registration number '%s'", in->reg_no);
		return 0;
	}
	if (r || (r = ec_rec_app_dec(v.p, v.n, in->reg_no, klen, &x->a)))
		return r;
	if (x->a.number[0]) {
		*rc = ec_err_set(EC_ERR_EXISTS, "registration number '%s' was issued '%s' already", in->reg_no,
		    x->a.number);
		return 0;
	}
	r = ec_kv_get(t, EC_ODB_CERT, key, sizeof key, &v);
	if (r == 0) {
		*rc = ec_err_set(EC_ERR_REFUSED, "certificate number '%s' is in use", in->e.number);
		return 0;
	}
	if (r != EC_ERR_NOTFOUND)
		return r;
	if ((r = live_of(t, in->email, in->e.code, in->e.effective, x->live, NULL)))
		return r;
	if (x->live[0]) {
		*rc = ec_err_set(EC_ERR_CONFLICT, "'%s' already holds %s certificate %s: renew that one", in->email,
		    in->e.code, x->live);
		return 0;
	}
	if ((r = off_cert_encode(t, &x->m, &x->c, &x->b))) {
		if (r != EC_ERR_ARG)
			return r;
		*rc = r;
		return 0;
	}
	x->a.status = EC_ST_VALID;
	memcpy(x->a.number, in->e.number, sizeof x->a.number);
	if ((r = off_cert_put(t, &x->c, &x->b, EC_KV_NOOVERWRITE, EC_AUDIT_ISSUE)) || (r = off_email_index(t, &x->c)))
		return r;
	ec_buf_reset(&x->b);
	if ((r = ec_rec_app_enc(&x->b, &x->a)) ||
	    (r = ec_kv_put(t, EC_ODB_APP, in->reg_no, klen, x->b.p, x->b.len, 0)) ||
	    (r = ec_kv_del(t, EC_ODB_PENDING, in->reg_no, klen)))
		return r == EC_ERR_NOTFOUND ? ec_err_set(EC_ERR_CORRUPT, "application '%s' was not pending",
		    in->reg_no) : r;
	*rc = 0;
	return 0;
}

static int
issue_txn(struct ec_kvtxn *t, void *ctx)
{
	struct issue_ctx *x = ctx;
	size_t i, stored = 0;
	int r;

	x->gen = 0;
	x->m.valid = 0;
	for (i = 0; i < x->n; i++) {
		if ((r = issue_one(t, x, &x->certs[i], &x->rc[i])))
			return r;
		/* The notice of a certificate joins the outbox exactly when the certificate is stored. */
		if (x->rc[i] == 0 && x->notices && x->notices[i].to[0] && (r = off_outbox_put(t, &x->notices[i], NULL)))
			return r;
		stored += x->rc[i] == 0;
	}
	return stored ? off_gen_bump(t, &x->gen) : 0;
}

static int
by_number(const void *a, const void *b)
{
	return strcmp((*(const struct ec_cert *const *)a)->e.number, (*(const struct ec_cert *const *)b)->e.number);
}

int
ec_office_issue(struct ec_office *o, const struct ec_cert *certs, const struct ec_notice *notices, size_t n, int *rc)
{
	struct issue_ctx *x;
	const struct ec_cert **done = NULL;
	size_t i, m = 0;
	int r;

	if ((r = off_writable(o)))
		return r;
	if (!(x = calloc(1, sizeof *x)) || (n && !(done = calloc(n, sizeof *done)))) {
		free(x);
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	}
	x->certs = certs;
	x->notices = notices;
	x->n = n;
	x->rc = rc;
	if ((r = ec_kv_update(o->kv, issue_txn, x)))
		goto out;
	for (i = 0; i < n; i++)
		if (rc[i] == 0)
			done[m++] = &certs[i];
	if (m) {
		/* Random numbers put in key order walk the public tree's pages once, not once per record. */
		qsort(done, m, sizeof *done, by_number);
		r = off_pub_sync(o, done, m, 1, x->gen);
	}
out:
	ec_buf_free(&x->b);
	free(x);
	free(done);
	return r;
}

/*
 * The holder's pending renewal and correction requests of number (the portal's) end with the
 * certificate's life as it was: a renewal, a reissue or a revocation answers them.
 */
static int
drop_requests(struct ec_kvtxn *t, const char *number)
{
	unsigned char key[EC_NUMBIN];
	int r;

	if ((r = ec_rec_num_pack(number, key)) ||
	    ((r = ec_kv_del(t, EC_ODB_RENEW_REQ, key, sizeof key)) && r != EC_ERR_NOTFOUND) ||
	    ((r = ec_kv_del(t, EC_ODB_CORR_REQ, key, sizeof key)) && r != EC_ERR_NOTFOUND))
		return r;
	return 0;
}

/* Revocation. */

struct revoke_ctx {
	struct ec_office *o;
	struct skel_memo m;
	const char *number;
	int64_t at;
	const char *reason;
	const struct ec_notice *notice;
	uint64_t gen;
	struct ec_cert c;
	struct ec_buf b;
};

static int
revoke_txn(struct ec_kvtxn *t, void *ctx)
{
	struct revoke_ctx *x = ctx;
	unsigned char key[REVOKED_KEY];
	int r;

	x->m.valid = 0;
	if ((r = off_cert_load(x->o, t, x->number, &x->c)))
		return r;
	if (x->c.status == EC_ST_REVOKED)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is revoked already", x->number);
	if (strlen(x->c.e.kid) != EC_KID_LEN)
		return ec_err_set(EC_ERR_CORRUPT, "certificate '%s' has no issuing CA", x->number);
	x->c.status = EC_ST_REVOKED;
	x->c.revoked_at = x->at;
	memcpy(x->c.reason, x->reason, strlen(x->reason) + 1);
	memcpy(key, x->c.e.kid, EC_KID_LEN);
	if ((r = ec_rec_num_pack(x->number, key + EC_KID_LEN)) ||
	    (r = off_cert_store(t, &x->m, &x->c, &x->b, 0, EC_AUDIT_REVOKE)) ||
	    (r = ec_kv_put(t, EC_ODB_REVOKED, key, sizeof key, "", 0, 0)) ||
	    (x->notice && (r = off_outbox_put(t, x->notice, NULL))) ||
	    (r = drop_requests(t, x->number)))
		return r;
	return off_gen_bump(t, &x->gen);
}

int
ec_office_revoke(struct ec_office *o, const char *number, int64_t at, const char *reason,
    const struct ec_notice *notice, struct ec_cert *out)
{
	const struct ec_cert *one[1];
	struct revoke_ctx *x;
	int r;

	if ((r = off_writable(o)))
		return r;
	if (!reason || !reason[0] || strlen(reason) > EC_REASON_MAX)
		return ec_err_set(EC_ERR_ARG, "revocation reason missing or too long");
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o;
	x->number = number;
	x->at = at;
	x->reason = reason;
	x->notice = notice;
	if ((r = ec_kv_update(o->kv, revoke_txn, x)))
		goto out;
	if (out)
		*out = x->c;
	one[0] = &x->c;
	r = off_pub_sync(o, one, 1, 0, x->gen);
out:
	ec_buf_free(&x->b);
	free(x);
	return r;
}

/* Renewal. */

struct renew_ctx {
	struct ec_office *o;
	struct skel_memo m;
	const struct ec_cert *newc;
	const struct ec_notice *notice;
	int64_t revoke_at;        /* a reissue: the old certificate is revoked (superseded) then; 0 renewal */
	uint64_t gen;
	struct ec_cert n, old;
	struct ec_buf b;
};

static int
renew_txn(struct ec_kvtxn *t, void *ctx)
{
	struct renew_ctx *x = ctx;
	unsigned char key[EC_NUMBIN], rkey[REVOKED_KEY];
	char live[EC_NUMBER_DIGITS + 1];
	struct ec_kv_val v;
	int r;

	x->n = *x->newc;
	fresh(&x->n);
	x->m.valid = 0;
	if ((r = off_cert_load(x->o, t, x->n.e.renewal_of, &x->old)))
		return r;
	if (x->old.status == EC_ST_REVOKED)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is revoked", x->old.e.number);
	if (x->old.status == EC_ST_SUPERSEDED)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' was renewed already as '%s'", x->old.e.number,
		    x->old.superseded_by);
	/* a reissue to another address must not give that person a second live certificate */
	if (x->revoke_at && strcasecmp(x->old.email, x->n.email) != 0) {
		if ((r = live_of(t, x->n.email, x->n.e.code, x->n.e.effective, live, NULL)))
			return r;
		if (live[0])
			return ec_err_set(EC_ERR_CONFLICT, "'%s' already holds %s certificate %s", x->n.email,
			    x->n.e.code, live);
	}
	if ((r = ec_rec_num_pack(x->n.e.number, key)))
		return r;
	r = ec_kv_get(t, EC_ODB_CERT, key, sizeof key, &v);
	if (r == 0)
		return ec_err_set(EC_ERR_REFUSED, "certificate number '%s' is in use", x->n.e.number);
	if (r != EC_ERR_NOTFOUND)
		return r;
	if ((r = off_cert_store(t, &x->m, &x->n, &x->b, EC_KV_NOOVERWRITE, x->revoke_at ? EC_AUDIT_REISSUE :
	    EC_AUDIT_RENEW)) || (r = off_email_index(t, &x->n)))
		return r;
	memcpy(x->old.superseded_by, x->n.e.number, sizeof x->old.superseded_by);
	if (x->revoke_at) {
		if (strlen(x->old.e.kid) != EC_KID_LEN)
			return ec_err_set(EC_ERR_CORRUPT, "certificate '%s' has no issuing CA", x->old.e.number);
		x->old.status = EC_ST_REVOKED;
		x->old.revoked_at = x->revoke_at;
		snprintf(x->old.reason, sizeof x->old.reason, "superseded");
		memcpy(rkey, x->old.e.kid, EC_KID_LEN);
		if ((r = ec_rec_num_pack(x->old.e.number, rkey + EC_KID_LEN)) ||
		    (r = off_cert_store(t, &x->m, &x->old, &x->b, 0, EC_AUDIT_REVOKE)) ||
		    (r = ec_kv_put(t, EC_ODB_REVOKED, rkey, sizeof rkey, "", 0, 0)))
			return r;
	} else {
		x->old.status = EC_ST_SUPERSEDED;
		if ((r = off_cert_store(t, &x->m, &x->old, &x->b, 0, EC_AUDIT_SUPERSEDE)))
			return r;
	}
	/* a renewal or reissue answers the holder's renewal or correction request, if there was one */
	if ((r = drop_requests(t, x->old.e.number)))
		return r;
	if (x->notice && (r = off_outbox_put(t, x->notice, NULL)))
		return r;
	return off_gen_bump(t, &x->gen);
}

static int
replace(struct ec_office *o, const struct ec_cert *newc, int64_t revoke_at, const struct ec_notice *notice,
    struct ec_cert *old)
{
	const struct ec_cert *two[2];
	struct renew_ctx *x;
	int r;

	if ((r = off_writable(o)))
		return r;
	if (!newc->e.renewal_of[0])
		return ec_err_set(EC_ERR_ARG, "a renewal or reissue must name the certificate it replaces");
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o;
	x->newc = newc;
	x->notice = notice;
	x->revoke_at = revoke_at;
	if ((r = ec_kv_update(o->kv, renew_txn, x)))
		goto out;
	two[0] = &x->old;
	two[1] = &x->n;
	if ((r = off_pub_sync(o, two, 2, 0, x->gen)) == 0 && old)
		*old = x->old;
out:
	ec_buf_free(&x->b);
	free(x);
	return r;
}

int
ec_office_renew(struct ec_office *o, const struct ec_cert *newc, const struct ec_notice *notice)
{
	return replace(o, newc, 0, notice, NULL);
}

int
ec_office_reissue(struct ec_office *o, const struct ec_cert *newc, int64_t at, const struct ec_notice *notice,
    struct ec_cert *old)
{
	if (at <= 0)
		return ec_err_set(EC_ERR_ARG, "a reissue needs the time of the old certificate's revocation");
	return replace(o, newc, at, notice, old);
}

/* Shipping. */

struct ship_ctx {
	struct ec_office *o;
	struct skel_memo m;
	const char *number, *carrier, *order;
	const struct ec_notice *notice;
	int64_t at;
	struct ec_cert c;
	struct ec_buf b;
};

static int
ship_txn(struct ec_kvtxn *t, void *ctx)
{
	struct ship_ctx *x = ctx;
	int r;

	x->m.valid = 0;
	if ((r = off_cert_load(x->o, t, x->number, &x->c)))
		return r;
	if (x->c.e.format != EC_FORMAT_PAPER)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is electronic: nothing to ship", x->number);
	if (x->c.status == EC_ST_REVOKED)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is revoked: it must not be shipped", x->number);
	if (x->c.status == EC_ST_SUPERSEDED)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is superseded by '%s': ship that one", x->number,
		    x->c.superseded_by);
	if (x->c.carrier[0]) {
		if (strcmp(x->c.carrier, x->carrier) == 0 && strcmp(x->c.order, x->order) == 0)
			return 0;
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' was shipped already by %s, order %s", x->number,
		    x->c.carrier, x->c.order);
	}
	memcpy(x->c.carrier, x->carrier, strlen(x->carrier) + 1);
	memcpy(x->c.order, x->order, strlen(x->order) + 1);
	x->c.mailed_at = x->at;
	if ((r = off_cert_store(t, &x->m, &x->c, &x->b, 0, EC_AUDIT_MAIL)))
		return r;
	return x->notice ? off_outbox_put(t, x->notice, NULL) : 0;
}

int
ec_office_ship(struct ec_office *o, const char *number, const char *carrier, const char *order, int64_t at,
    const struct ec_notice *notice)
{
	struct ship_ctx *x;
	int r;

	if ((r = off_writable(o)))
		return r;
	if (!carrier[0] || strlen(carrier) > EC_CARRIER_MAX)
		return ec_err_set(EC_ERR_ARG, "carrier name missing or too long");
	if (!order[0] || strlen(order) > EC_ORDER_MAX)
		return ec_err_set(EC_ERR_ARG, "order number missing or too long");
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o;
	x->number = number;
	x->carrier = carrier;
	x->order = order;
	x->at = at;
	x->notice = notice;
	r = ec_kv_update(o->kv, ship_txn, x);
	ec_buf_free(&x->b);
	free(x);
	return r;
}

/* CRL support. */

struct revoked_ctx {
	struct ec_office *o;
	struct ec_kvtxn *t;
	const char *kid;
	int (*fn)(void *ctx, const char *number, int64_t revoked_at, const char *reason);
	void *ctx;
	struct ec_cert c;
};

/* One entry of the revoked index (KID || number), while it is still this KID's. */
static int
revoked_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *unused)
{
	struct revoked_ctx *x = ctx;
	struct ec_kv_val v;
	int r;

	(void)unused;
	if (k->n != REVOKED_KEY || memcmp(k->p, x->kid, EC_KID_LEN) != 0)
		return 1;
	if ((r = ec_kv_get(x->t, EC_ODB_CERT, k->p + EC_KID_LEN, EC_NUMBIN, &v)) ||
	    (r = off_cert_dec(x->o, x->t, &v, k->p + EC_KID_LEN, &x->c, 0)))
		return r == EC_ERR_NOTFOUND ? ec_err_set(EC_ERR_CORRUPT, "revocation index names a missing certificate") : r;
	return x->fn(x->ctx, x->c.e.number, x->c.revoked_at, x->c.reason);
}

static int
revoked_txn(struct ec_kvtxn *t, void *ctx)
{
	struct revoked_ctx *x = ctx;

	x->t = t;
	return ec_kv_each(t, EC_ODB_REVOKED, x->kid, EC_KID_LEN, revoked_one, x);
}

int
ec_office_revoked_each(struct ec_office *o, const char *kid,
    int (*fn)(void *ctx, const char *number, int64_t revoked_at, const char *reason), void *ctx)
{
	struct revoked_ctx *x;
	int r;

	if (strnlen(kid, EC_KID_LEN + 1) != EC_KID_LEN)
		return ec_err_set(EC_ERR_ARG, "'%.20s' is not a KID", kid);
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o;
	x->kid = kid;
	x->fn = fn;
	x->ctx = ctx;
	r = ec_kv_view(o->kv, revoked_txn, x);
	free(x);
	return r;
}

struct crl_ctx {
	char key[4 + EC_KID_LEN + 1];
	uint64_t n;
};

static int
crl_txn(struct ec_kvtxn *t, void *ctx)
{
	struct crl_ctx *x = ctx;
	unsigned char rec[sizeof x->key + 8];
	int r;

	if ((r = ec_kv_get64(t, EC_ODB_META, x->key, &x->n, NULL)))
		return r;
	x->n++;
	if ((r = ec_kv_put64(t, EC_ODB_META, x->key, x->n)))
		return r;
	memcpy(rec, x->key, strlen(x->key));
	ec_rec_put64(rec + strlen(x->key), x->n);
	return ec_audit_append(t, ec_time_now(), EC_AUDIT_CRL, EC_AUDIT_SUBJ_NONE, NULL, rec, strlen(x->key) + 8);
}

int
ec_office_crl_next(struct ec_office *o, const char *kid, uint64_t *out)
{
	struct crl_ctx x;
	int r;

	if ((r = off_writable(o)))
		return r;
	if (strnlen(kid, EC_KID_LEN + 1) != EC_KID_LEN)
		return ec_err_set(EC_ERR_ARG, "'%.20s' is not a KID", kid);
	memset(&x, 0, sizeof x);
	snprintf(x.key, sizeof x.key, "crl.%s", kid);
	if ((r = ec_kv_update(o->kv, crl_txn, &x)))
		return r;
	*out = x.n;
	return 0;
}
