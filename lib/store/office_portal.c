/* The candidates' side of the office register: accounts, addresses, bindings, sessions, one-time tokens. */
#include <openssl/crypto.h>

#include "office_int.h"
#include "portal.h"
#include "recio.h"

#define ID_LEN 8
#define ADDR_KEY_MAX (ID_LEN + EMAIL_KEY_MAX)
#define BIND_KEY_MAX (ID_LEN + EC_REGNO_MAX)
#define TOUCH_SECONDS 60         /* a session's last use is written at most this often */

/* Keys. */

/* The key of acct.login, addr and token.login: the email index's, lower-cased and NUL-terminated. */
static size_t
lower(const char *email, unsigned char out[EMAIL_KEY_MAX])
{
	return off_email_key(email, NULL, out);
}

static size_t
id_key(uint64_t id, const void *tail, size_t tlen, unsigned char *out)
{
	ec_rec_put64(out, id);
	memcpy(out + ID_LEN, tail, tlen);
	return ID_LEN + tlen;
}

static int
email_arg(const char *email)
{
	size_t n = strnlen(email, EC_EMAIL_MAX + 1);

	if (n == 0 || n > EC_EMAIL_MAX)
		return ec_err_set(EC_ERR_ARG, "email address empty or too long");
	return 0;
}

/* Records (docs/register.md gives the layouts). */

static int
acct_enc(struct ec_buf *b, const struct ec_account *a)
{
	int r;

	w8(b, EC_REC_V1);
	if ((r = wstr(b, a->email, sizeof a->email, "email")))
		return r;
	w64(b, a->created);
	w32(b, (int32_t)a->epoch);
	return wend(b);
}

static int
acct_dec(const struct ec_kv_val *v, uint64_t id, struct ec_account *a)
{
	struct rd r;

	memset(a, 0, sizeof *a);
	rbegin(&r, v->p, v->n);
	a->id = id;
	rstr(&r, a->email, sizeof a->email);
	a->created = r64(&r);
	a->epoch = (uint32_t)r32(&r);
	return rend(&r, "account");
}

static int
sess_enc(struct ec_buf *b, const struct ec_session *s)
{
	w8(b, EC_REC_V1);
	w64(b, (int64_t)s->acct);
	w32(b, (int32_t)s->epoch);
	w64(b, s->created);
	w64(b, s->seen);
	ec_buf_add(b, s->csrf, sizeof s->csrf);
	return wend(b);
}

static int
sess_dec(const struct ec_kv_val *v, struct ec_session *s)
{
	struct rd r;

	memset(s, 0, sizeof *s);
	rbegin(&r, v->p, v->n);
	s->acct = (uint64_t)r64(&r);
	s->epoch = (uint32_t)r32(&r);
	s->created = r64(&r);
	s->seen = r64(&r);
	rbytes(&r, s->csrf, sizeof s->csrf);
	return rend(&r, "session");
}

static int
tok_enc(struct ec_buf *b, const struct ec_ptoken *t)
{
	int r;

	if (t->kind < EC_TK_LOGIN || t->kind > EC_TK_RECORD)
		return ec_err_set(EC_ERR_ARG, "field 'kind' out of range");
	w8(b, EC_REC_V1);
	w8(b, (unsigned)t->kind);
	w64(b, (int64_t)t->acct);
	if ((r = wstr(b, t->email, sizeof t->email, "email")) || (r = wstr(b, t->reg_no, sizeof t->reg_no, "reg_no")))
		return r;
	w64(b, t->created);
	w64(b, t->expires);
	ec_buf_add(b, t->browser, sizeof t->browser);
	ec_buf_add(b, t->code, sizeof t->code);
	w8(b, t->tries > 255 ? 255 : t->tries);
	return wend(b);
}

static int
tok_dec(const struct ec_kv_val *v, struct ec_ptoken *t)
{
	struct rd r;
	unsigned kind;

	memset(t, 0, sizeof *t);
	rbegin(&r, v->p, v->n);
	kind = r8(&r);
	if (kind < EC_TK_LOGIN || kind > EC_TK_RECORD)
		r.bad = 1;
	t->kind = (enum ec_tk)kind;
	t->acct = (uint64_t)r64(&r);
	rstr(&r, t->email, sizeof t->email);
	rstr(&r, t->reg_no, sizeof t->reg_no);
	t->created = r64(&r);
	t->expires = r64(&r);
	rbytes(&r, t->browser, sizeof t->browser);
	rbytes(&r, t->code, sizeof t->code);
	t->tries = r8(&r);
	return rend(&r, "token");
}

/* Accounts and addresses. */

static int
acct_get(struct ec_kvtxn *t, uint64_t id, struct ec_account *a)
{
	unsigned char k[ID_LEN];
	struct ec_kv_val v;
	int r;

	ec_rec_put64(k, id);
	if ((r = ec_kv_get(t, EC_ODB_ACCT, k, sizeof k, &v)) == EC_ERR_NOTFOUND)
		return ec_err_set(r, "no account %llu", (unsigned long long)id);
	return r ? r : acct_dec(&v, id, a);
}

static int
acct_put(struct ec_kvtxn *t, const struct ec_account *a, struct ec_buf *b)
{
	unsigned char k[ID_LEN];
	int r;

	ec_buf_reset(b);
	if ((r = acct_enc(b, a)))
		return r;
	ec_rec_put64(k, a->id);
	return ec_kv_put(t, EC_ODB_ACCT, k, sizeof k, b->p, b->len, 0);
}

/* The account an address signs in to or belongs to; 0 when none. */
static int
id_of(struct ec_kvtxn *t, unsigned db, const char *email, uint64_t *id)
{
	unsigned char k[EMAIL_KEY_MAX];
	struct ec_kv_val v;
	int r;

	*id = 0;
	r = ec_kv_get(t, db, k, lower(email, k), &v);
	if (r == EC_ERR_NOTFOUND)
		return 0;
	if (r)
		return r;
	if (v.n < ID_LEN)
		return ec_err_set(EC_ERR_CORRUPT, "%s", "stored account reference is corrupt");
	*id = ec_rec_get64(v.p);
	return 0;
}

static int
audit_bind(struct ec_kvtxn *t, enum ec_audit_op op, uint64_t acct, const char *reg_no, int64_t now)
{
	unsigned char rec[BIND_KEY_MAX];

	return ec_audit_append(t, now, op, EC_AUDIT_SUBJ_REGNO, reg_no, rec,
	    id_key(acct, reg_no, strlen(reg_no), rec));
}

/* Bind reg_no to acct unless an account holds it: *did 1 when bound now. */
static int
bind_one(struct ec_kvtxn *t, uint64_t acct, const char *reg_no, int64_t now, int *did)
{
	unsigned char v[ID_LEN + 8], k[BIND_KEY_MAX];
	struct ec_kv_val cur;
	size_t klen = strlen(reg_no);
	int r;

	*did = 0;
	if ((r = ec_kv_get(t, EC_ODB_BIND, reg_no, klen, &cur)) == 0)
		return cur.n >= ID_LEN && ec_rec_get64(cur.p) == acct ? 0 : EC_ERR_CONFLICT;
	if (r != EC_ERR_NOTFOUND)
		return r;
	ec_rec_put64(v, acct);
	ec_rec_put64(v + ID_LEN, (uint64_t)now);
	if ((r = ec_kv_put(t, EC_ODB_BIND, reg_no, klen, v, sizeof v, 0)) ||
	    (r = ec_kv_put(t, EC_ODB_ACCT_BIND, k, id_key(acct, reg_no, klen, k), "", 0, 0)) ||
	    (r = audit_bind(t, EC_AUDIT_BIND, acct, reg_no, now)))
		return r;
	*did = 1;
	return 0;
}

static int
unbind_one(struct ec_kvtxn *t, uint64_t acct, const char *reg_no, int64_t now)
{
	unsigned char k[BIND_KEY_MAX];
	size_t klen = strlen(reg_no);
	int r;

	if ((r = ec_kv_del(t, EC_ODB_BIND, reg_no, klen)) ||
	    (r = ec_kv_del(t, EC_ODB_ACCT_BIND, k, id_key(acct, reg_no, klen, k))))
		return r == EC_ERR_NOTFOUND ? ec_err_set(EC_ERR_CORRUPT, "binding of '%s' is inconsistent", reg_no) : r;
	return audit_bind(t, EC_AUDIT_UNBIND, acct, reg_no, now);
}

struct bind_walk {
	struct ec_kvtxn *t;
	uint64_t acct;
	int64_t now;
	int unbind;
	size_t n;
	char (*regs)[EC_REGNO_MAX + 1];
	size_t nregs, cap;
};

/* Collect the address's records first: the walk reads the index the binding must not change under it. */
static int
collect_reg(void *ctx, const struct ec_exam *x)
{
	struct bind_walk *w = ctx;
	char (*nv)[EC_REGNO_MAX + 1];

	if (w->nregs == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		if (!(nv = realloc(w->regs, w->cap * sizeof *nv)))
			return ec_err_set(EC_ERR_NOMEM, "out of memory");
		w->regs = nv;
	}
	memcpy(w->regs[w->nregs++], x->reg_no, sizeof *w->regs);
	return 0;
}

/* Bind (or unbind) every record of email for w->acct. */
static int
bind_address(struct bind_walk *w, const char *email)
{
	struct ec_kv_val cur;
	size_t i;
	int r, did;

	if ((r = off_person_exams(w->t, email, collect_reg, w)))
		return r;
	for (i = 0; i < w->nregs; i++) {
		if (w->unbind) {
			r = ec_kv_get(w->t, EC_ODB_BIND, w->regs[i], strlen(w->regs[i]), &cur);
			if (r == EC_ERR_NOTFOUND)
				continue;
			if (r)
				return r;
			if (cur.n < ID_LEN || ec_rec_get64(cur.p) != w->acct)
				continue;
			if ((r = unbind_one(w->t, w->acct, w->regs[i], w->now)))
				return r;
			w->n++;
			continue;
		}
		r = bind_one(w->t, w->acct, w->regs[i], w->now, &did);
		if (r && r != EC_ERR_CONFLICT)
			return r;
		w->n += (size_t)did;
	}
	return 0;
}

/* Associate email with acct (its owner index and the account's list), binding its free records. */
static int
addr_add(struct ec_kvtxn *t, uint64_t acct, const char *email, int64_t now, size_t *bound)
{
	unsigned char k[EMAIL_KEY_MAX], ak[ADDR_KEY_MAX], v[ID_LEN + 8];
	struct bind_walk w;
	struct ec_buf b;
	uint64_t owner;
	size_t n = lower(email, k);
	int r;

	if ((r = id_of(t, EC_ODB_ADDR, email, &owner)))
		return r;
	if (owner && owner != acct)
		return ec_err_set(EC_ERR_CONFLICT, "%s", "the address is associated with another account");
	if (!owner) {
		ec_rec_put64(v, acct);
		ec_rec_put64(v + ID_LEN, (uint64_t)now);
		ec_buf_init(&b);
		w8(&b, EC_REC_V1);
		w64(&b, now);
		if ((r = wstr(&b, email, EC_EMAIL_MAX + 1, "email")) == 0 && (r = wend(&b)) == 0 &&
		    (r = ec_kv_put(t, EC_ODB_ADDR, k, n, v, sizeof v, 0)) == 0)
			r = ec_kv_put(t, EC_ODB_ACCT_ADDR, ak, id_key(acct, k, n, ak), b.p, b.len, 0);
		ec_buf_free(&b);
		if (r)
			return r;
	}
	memset(&w, 0, sizeof w);
	w.t = t, w.acct = acct, w.now = now;
	r = bind_address(&w, email);
	free(w.regs);
	if (bound)
		*bound = w.n;
	return r;
}

/* Import: a new exam record of an address that belongs to an account is that account's at once. */
int
off_portal_import(struct ec_kvtxn *t, const struct ec_exam *x, int64_t now)
{
	uint64_t owner;
	int r, did;

	if ((r = id_of(t, EC_ODB_ADDR, x->email, &owner)) || !owner)
		return r;
	r = bind_one(t, owner, x->reg_no, now, &did);
	return r == EC_ERR_CONFLICT ? 0 : r;
}

/* Tokens. */

struct tok_ctx {
	const unsigned char *h;
	const struct ec_ptoken *in;
	enum ec_tk kind;
	int64_t now;
	const unsigned char *browser;
	const char *email, *code;
	struct ec_ptoken out;
	struct ec_buf b;
	int soft;                /* a refusal that must still commit (a counted try, a deleted token): SOFT_* */
};

#define SOFT_EXPIRED 1
#define SOFT_WRONG 2
#define SOFT_SPENT 3

static int
token_put_txn(struct ec_kvtxn *t, void *ctx)
{
	struct tok_ctx *c = ctx;
	unsigned char k[EMAIL_KEY_MAX];
	struct ec_kv_val v;
	size_t n;
	int r;

	ec_buf_reset(&c->b);
	if ((r = tok_enc(&c->b, c->in)))
		return r;
	if (c->in->kind == EC_TK_LOGIN) {
		n = lower(c->in->email, k);
		/* the address's earlier request, link and code, is spent by the new one */
		if ((r = ec_kv_get(t, EC_ODB_TOKEN_LOGIN, k, n, &v)) == 0 && v.n == EC_PORTAL_HASH &&
		    (r = ec_kv_del(t, EC_ODB_TOKEN, v.p, v.n)) == EC_ERR_NOTFOUND)
			r = 0;
		if (r && r != EC_ERR_NOTFOUND)
			return r;
		if ((r = ec_kv_put(t, EC_ODB_TOKEN_LOGIN, k, n, c->h, EC_PORTAL_HASH, 0)))
			return r;
	}
	return ec_kv_put(t, EC_ODB_TOKEN, c->h, EC_PORTAL_HASH, c->b.p, c->b.len, 0);
}

int
ec_portal_token_put(struct ec_office *o, const unsigned char h[EC_PORTAL_HASH], const struct ec_ptoken *t)
{
	struct tok_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.h = h;
	c.in = t;
	if ((r = off_can_write(o)) || (r = email_arg(t->email)))
		return r;
	r = ec_kv_update(o->kv, token_put_txn, &c);
	ec_buf_free(&c.b);
	return r;
}

/* Forget token h (and its address's sign-in index entry when it points there). */
static int
token_drop(struct ec_kvtxn *t, const unsigned char *h, const struct ec_ptoken *tok)
{
	unsigned char k[EMAIL_KEY_MAX];
	struct ec_kv_val v;
	size_t n;
	int r;

	if ((r = ec_kv_del(t, EC_ODB_TOKEN, h, EC_PORTAL_HASH)) && r != EC_ERR_NOTFOUND)
		return r;
	if (tok->kind != EC_TK_LOGIN)
		return 0;
	n = lower(tok->email, k);
	if ((r = ec_kv_get(t, EC_ODB_TOKEN_LOGIN, k, n, &v)) == EC_ERR_NOTFOUND)
		return 0;
	if (r)
		return r;
	return v.n == EC_PORTAL_HASH && memcmp(v.p, h, EC_PORTAL_HASH) == 0 ? ec_kv_del(t, EC_ODB_TOKEN_LOGIN, k, n) : 0;
}

static int
ct_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* The token under h, checked for kind, time and browser; an expired one is dropped. */
static int
token_check(struct ec_kvtxn *t, struct tok_ctx *c, const unsigned char *h)
{
	struct ec_kv_val v;
	int r;

	if ((r = ec_kv_get(t, EC_ODB_TOKEN, h, EC_PORTAL_HASH, &v)) == EC_ERR_NOTFOUND)
		return ec_err_set(r, "%s", "this link or code is not known, or was used already");
	if (r || (r = tok_dec(&v, &c->out)))
		return r;
	if (c->out.kind != c->kind)
		return ec_err_set(EC_ERR_REFUSED, "%s", "this link is for something else");
	if (c->now >= c->out.expires) {
		c->soft = SOFT_EXPIRED;
		if ((r = token_drop(t, h, &c->out)))
			return r;
		return ec_err_set(EC_ERR_REFUSED, "%s", "this link or code has expired: ask for a new one");
	}
	if (c->browser && !ct_equal(c->browser, c->out.browser, 32))
		return ec_err_set(EC_ERR_REFUSED, "%s", "this link was asked for in another browser: open it there, "
		    "or ask for a new one here");
	return 0;
}

static int
token_take_txn(struct ec_kvtxn *t, void *ctx)
{
	struct tok_ctx *c = ctx;
	int r;

	c->soft = 0;
	if ((r = token_check(t, c, c->h)))
		return c->soft ? 0 : r;
	return token_drop(t, c->h, &c->out);
}

/* A refusal that committed (a try counted, an expired token deleted) is still a refusal. */
static int
settle(struct tok_ctx *c, int r, struct ec_ptoken *out)
{
	if (r == 0 && c->soft)
		return ec_err_set(EC_ERR_REFUSED, "%s", c->soft == SOFT_SPENT ? "too many wrong codes: ask for a new one" :
		    c->soft == SOFT_WRONG ? "wrong code" : "this link or code has expired: ask for a new one");
	if (r == 0 && out)
		*out = c->out;
	return r;
}

int
ec_portal_token_take(struct ec_office *o, const unsigned char h[EC_PORTAL_HASH], enum ec_tk kind, int64_t now,
    const unsigned char *browser, struct ec_ptoken *out)
{
	struct tok_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.h = h, c.kind = kind, c.now = now, c.browser = browser;
	if ((r = off_can_write(o)))
		return r;
	r = settle(&c, ec_kv_update(o->kv, token_take_txn, &c), out);
	ec_buf_free(&c.b);
	return r;
}

static int
code_take_txn(struct ec_kvtxn *t, void *ctx)
{
	struct tok_ctx *c = ctx;
	unsigned char k[EMAIL_KEY_MAX], h[EC_PORTAL_HASH], want[32], in[EC_PORTAL_HASH + 6];
	struct ec_kv_val v;
	int r;

	c->soft = 0;
	if ((r = ec_kv_get(t, EC_ODB_TOKEN_LOGIN, k, lower(c->email, k), &v)) == EC_ERR_NOTFOUND)
		return ec_err_set(r, "%s", "no sign-in is waiting for this address: ask for a new code");
	if (r)
		return r;
	if (v.n != EC_PORTAL_HASH)
		return ec_err_set(EC_ERR_CORRUPT, "%s", "stored sign-in index entry is corrupt");
	memcpy(h, v.p, sizeof h);
	if ((r = token_check(t, c, h)))
		return c->soft ? 0 : r;
	memcpy(in, h, EC_PORTAL_HASH);
	memcpy(in + EC_PORTAL_HASH, c->code, 6);
	ec_sha256(in, sizeof in, want);
	if (ct_equal(want, c->out.code, 32))
		return token_drop(t, h, &c->out);
	c->soft = SOFT_WRONG;
	if (++c->out.tries >= EC_CODE_TRIES) {
		c->soft = SOFT_SPENT;
		return token_drop(t, h, &c->out);
	}
	ec_buf_reset(&c->b);
	if ((r = tok_enc(&c->b, &c->out)))
		return r;
	return ec_kv_put(t, EC_ODB_TOKEN, h, EC_PORTAL_HASH, c->b.p, c->b.len, 0);
}

int
ec_portal_code_take(struct ec_office *o, const char *email, const char *code, int64_t now,
    const unsigned char browser[32], struct ec_ptoken *out)
{
	struct tok_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.kind = EC_TK_LOGIN, c.now = now, c.browser = browser, c.email = email, c.code = code;
	if ((r = off_can_write(o)) || (r = email_arg(email)))
		return r;
	if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return ec_err_set(EC_ERR_REFUSED, "%s", "the code is 6 digits");
	r = settle(&c, ec_kv_update(o->kv, code_take_txn, &c), out);
	ec_buf_free(&c.b);
	return r;
}

/* Sessions. */

struct sess_ctx {
	const unsigned char *sid;
	const char *email;
	int64_t now;
	int everywhere;
	struct ec_session s;
	struct ec_account a;
	struct ec_buf b;
	int touch;
	int ended;               /* the session was found expired (and deleted) */
};

static int
signin_txn(struct ec_kvtxn *t, void *ctx)
{
	struct sess_ctx *c = ctx;
	unsigned char k[EMAIL_KEY_MAX], idv[ID_LEN];
	uint64_t id, seq, owner;
	size_t n = lower(c->email, k);
	int r;

	/* the account the address belongs to now; else the one it made (taking it back if it is free) */
	if ((r = id_of(t, EC_ODB_ADDR, c->email, &owner)) || (r = id_of(t, EC_ODB_ACCT_LOGIN, c->email, &id)))
		return r;
	if (owner)
		id = owner;
	if (id) {
		if ((r = acct_get(t, id, &c->a)) || (!owner && (r = addr_add(t, id, c->email, c->now, NULL))))
			return r;
	} else {
		if ((r = ec_kv_get64(t, EC_ODB_META, "acct.seq", &seq, NULL)) ||
		    (r = ec_kv_put64(t, EC_ODB_META, "acct.seq", seq + 1)))
			return r;
		memset(&c->a, 0, sizeof c->a);
		c->a.id = seq + 1;
		snprintf(c->a.email, sizeof c->a.email, "%s", c->email);
		c->a.created = c->now;
		ec_rec_put64(idv, c->a.id);
		if ((r = acct_put(t, &c->a, &c->b)) || (r = ec_kv_put(t, EC_ODB_ACCT_LOGIN, k, n, idv, sizeof idv, 0)) ||
		    (r = addr_add(t, c->a.id, c->email, c->now, NULL)))
			return r;
	}
	c->s.acct = c->a.id;
	c->s.epoch = c->a.epoch;
	c->s.created = c->s.seen = c->now;
	ec_buf_reset(&c->b);
	if ((r = sess_enc(&c->b, &c->s)))
		return r;
	return ec_kv_put(t, EC_ODB_SESSION, c->sid, EC_PORTAL_HASH, c->b.p, c->b.len, 0);
}

int
ec_portal_signin(struct ec_office *o, const char *email, int64_t now, const unsigned char sid[EC_PORTAL_HASH],
    struct ec_session *s, struct ec_account *a)
{
	struct sess_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.sid = sid, c.email = email, c.now = now, c.s = *s;
	if ((r = off_can_write(o)) || (r = email_arg(email)))
		return r;
	if ((r = ec_kv_update(o->kv, signin_txn, &c)) == 0) {
		*s = c.s;
		*a = c.a;
	}
	ec_buf_free(&c.b);
	return r;
}

/* The session under c->sid, live at c->now; c->touch set when its last use should be written. */
static int
session_read(struct ec_kvtxn *t, struct sess_ctx *c)
{
	struct ec_kv_val v;
	int r;

	if ((r = ec_kv_get(t, EC_ODB_SESSION, c->sid, EC_PORTAL_HASH, &v)) == EC_ERR_NOTFOUND)
		return ec_err_set(r, "%s", "not signed in");
	if (r || (r = sess_dec(&v, &c->s)))
		return r;
	if ((r = acct_get(t, c->s.acct, &c->a)) == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_NOTFOUND, "%s", "not signed in");
	if (r)
		return r;
	if (c->now - c->s.seen >= EC_SESSION_IDLE || c->now - c->s.created >= EC_SESSION_MAX ||
	    c->now < c->s.created || c->s.epoch != c->a.epoch)
		return EC_ERR_EXPIRED;
	c->touch = c->now - c->s.seen >= TOUCH_SECONDS;
	return 0;
}

static int
session_view(struct ec_kvtxn *t, void *ctx)
{
	return session_read(t, ctx);
}

static int
session_touch_txn(struct ec_kvtxn *t, void *ctx)
{
	struct sess_ctx *c = ctx;
	int r = session_read(t, c);

	if (r == EC_ERR_EXPIRED) {
		c->ended = 1;
		return ec_kv_del(t, EC_ODB_SESSION, c->sid, EC_PORTAL_HASH);
	}
	if (r)
		return r;
	c->s.seen = c->now;
	ec_buf_reset(&c->b);
	if ((r = sess_enc(&c->b, &c->s)))
		return r;
	return ec_kv_put(t, EC_ODB_SESSION, c->sid, EC_PORTAL_HASH, c->b.p, c->b.len, 0);
}

int
ec_portal_session(struct ec_office *o, const unsigned char sid[EC_PORTAL_HASH], int64_t now, struct ec_session *s,
    struct ec_account *a)
{
	struct sess_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.sid = sid, c.now = now;
	/* most requests only read; a write is paid once a minute, or to delete an expired session */
	r = ec_kv_view(o->kv, session_view, &c);
	/* a read-only handle cannot record the use or delete the session: it only answers */
	if (((r == 0 && c.touch) || r == EC_ERR_EXPIRED) && o->rw) {
		c.ended = 0;
		if ((r = ec_kv_update(o->kv, session_touch_txn, &c)) == 0 && c.ended)
			r = EC_ERR_EXPIRED;
	}
	if (r == EC_ERR_EXPIRED)
		r = ec_err_set(EC_ERR_NOTFOUND, "%s", "the session has ended: sign in again");
	if (r == 0) {
		*s = c.s;
		*a = c.a;
	}
	ec_buf_free(&c.b);
	return r;
}

static int
signout_txn(struct ec_kvtxn *t, void *ctx)
{
	struct sess_ctx *c = ctx;
	struct ec_kv_val v;
	int r;

	if ((r = ec_kv_get(t, EC_ODB_SESSION, c->sid, EC_PORTAL_HASH, &v)) == EC_ERR_NOTFOUND)
		return 0;
	if (r || (r = sess_dec(&v, &c->s)))
		return r;
	if (c->everywhere && (r = acct_get(t, c->s.acct, &c->a)) == 0) {
		c->a.epoch++;
		r = acct_put(t, &c->a, &c->b);
	}
	if (r && r != EC_ERR_NOTFOUND)
		return r;
	return ec_kv_del(t, EC_ODB_SESSION, c->sid, EC_PORTAL_HASH);
}

int
ec_portal_signout(struct ec_office *o, const unsigned char sid[EC_PORTAL_HASH], int everywhere)
{
	struct sess_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.sid = sid, c.everywhere = everywhere;
	if ((r = off_can_write(o)) == 0)
		r = ec_kv_update(o->kv, signout_txn, &c);
	ec_buf_free(&c.b);
	return r;
}

/* Addresses and records. */

struct addr_ctx {
	uint64_t acct;
	const char *email, *reg_no;
	int64_t now;
	size_t n;
	int (*fn)(void *ctx, const struct ec_addr *a);
	ec_exam_fn xfn;
	void *ctx;
	struct ec_kvtxn *t;
};

static int
addr_add_txn(struct ec_kvtxn *t, void *ctx)
{
	struct addr_ctx *c = ctx;

	return addr_add(t, c->acct, c->email, c->now, &c->n);
}

int
ec_portal_addr_add(struct ec_office *o, uint64_t acct, const char *email, int64_t now, size_t *bound)
{
	struct addr_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.acct = acct, c.email = email, c.now = now;
	if ((r = off_can_write(o)) || (r = email_arg(email)))
		return r;
	if ((r = ec_kv_update(o->kv, addr_add_txn, &c)) == 0 && bound)
		*bound = c.n;
	return r;
}

static int
addr_del_txn(struct ec_kvtxn *t, void *ctx)
{
	struct addr_ctx *c = ctx;
	unsigned char k[EMAIL_KEY_MAX], ak[ADDR_KEY_MAX];
	struct bind_walk w;
	uint64_t owner;
	size_t n = lower(c->email, k);
	int r;

	if ((r = id_of(t, EC_ODB_ADDR, c->email, &owner)))
		return r;
	if (owner != c->acct)
		return ec_err_set(EC_ERR_NOTFOUND, "%s", "the address is not associated with this account");
	memset(&w, 0, sizeof w);
	w.t = t, w.acct = c->acct, w.now = c->now, w.unbind = 1;
	r = bind_address(&w, c->email);
	free(w.regs);
	c->n = w.n;
	if (r || (r = ec_kv_del(t, EC_ODB_ADDR, k, n)))
		return r;
	return ec_kv_del(t, EC_ODB_ACCT_ADDR, ak, id_key(c->acct, k, n, ak));
}

int
ec_portal_addr_del(struct ec_office *o, uint64_t acct, const char *email, size_t *unbound)
{
	struct addr_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.acct = acct, c.email = email, c.now = ec_time_now();
	if ((r = off_can_write(o)) || (r = email_arg(email)))
		return r;
	if ((r = ec_kv_update(o->kv, addr_del_txn, &c)) == 0 && unbound)
		*unbound = c.n;
	return r;
}

static int
addr_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct addr_ctx *c = ctx;
	struct ec_addr a;
	struct rd r;
	int rc;

	if (k->n < ID_LEN || ec_rec_get64(k->p) != c->acct)
		return 1;
	memset(&a, 0, sizeof a);
	rbegin(&r, v->p, v->n);
	a.activated = r64(&r);
	rstr(&r, a.email, sizeof a.email);
	if ((rc = rend(&r, "associated address")))
		return rc;
	return c->fn(c->ctx, &a);
}

static int
addrs_txn(struct ec_kvtxn *t, void *ctx)
{
	struct addr_ctx *c = ctx;
	unsigned char k[ID_LEN];

	ec_rec_put64(k, c->acct);
	return ec_kv_each(t, EC_ODB_ACCT_ADDR, k, sizeof k, addr_one, c);
}

int
ec_portal_addrs_each(struct ec_office *o, uint64_t acct, int (*fn)(void *ctx, const struct ec_addr *a), void *ctx)
{
	struct addr_ctx c;

	memset(&c, 0, sizeof c);
	c.acct = acct, c.fn = fn, c.ctx = ctx;
	return ec_kv_view(o->kv, addrs_txn, &c);
}

static int
record_bind_txn(struct ec_kvtxn *t, void *ctx)
{
	struct addr_ctx *c = ctx;
	struct ec_kv_val v;
	int r, did;

	if ((r = ec_kv_get(t, EC_ODB_EXAM, c->reg_no, strlen(c->reg_no), &v)) == EC_ERR_NOTFOUND)
		return ec_err_set(r, "no exam result for registration number '%s'", c->reg_no);
	if (r)
		return r;
	if ((r = bind_one(t, c->acct, c->reg_no, c->now, &did)) == EC_ERR_CONFLICT)
		return ec_err_set(r, "registration number '%s' belongs to another account", c->reg_no);
	return r;
}

int
ec_portal_record_bind(struct ec_office *o, uint64_t acct, const char *reg_no, int64_t now)
{
	struct addr_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.acct = acct, c.reg_no = reg_no, c.now = now;
	if ((r = off_can_write(o)) || (r = off_regno_check(reg_no)))
		return r;
	return ec_kv_update(o->kv, record_bind_txn, &c);
}

static int
record_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct addr_ctx *c = ctx;
	const char *reg = (const char *)k->p + ID_LEN;
	size_t rlen = k->n - ID_LEN;
	struct ec_kv_val xv;
	struct ec_exam x;
	int r;

	(void)v;
	if (k->n <= ID_LEN || ec_rec_get64(k->p) != c->acct)
		return 1;
	if ((r = ec_kv_get(c->t, EC_ODB_EXAM, reg, rlen, &xv)) == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_CORRUPT, "%s", "a binding names a missing exam result");
	if (r || (r = ec_rec_exam_dec(xv.p, xv.n, reg, rlen, &x)))
		return r;
	return c->xfn(c->ctx, &x);
}

static int
records_txn(struct ec_kvtxn *t, void *ctx)
{
	struct addr_ctx *c = ctx;
	unsigned char k[ID_LEN];

	c->t = t;
	ec_rec_put64(k, c->acct);
	return ec_kv_each(t, EC_ODB_ACCT_BIND, k, sizeof k, record_one, c);
}

int
ec_portal_records_each(struct ec_office *o, uint64_t acct, ec_exam_fn fn, void *ctx)
{
	struct addr_ctx c;

	memset(&c, 0, sizeof c);
	c.acct = acct, c.xfn = fn, c.ctx = ctx;
	return ec_kv_view(o->kv, records_txn, &c);
}

static int
owner_txn(struct ec_kvtxn *t, void *ctx)
{
	struct addr_ctx *c = ctx;
	struct ec_kv_val v;
	int r;

	c->acct = 0;
	if ((r = ec_kv_get(t, EC_ODB_BIND, c->reg_no, strlen(c->reg_no), &v)) == EC_ERR_NOTFOUND)
		return 0;
	if (r)
		return r;
	if (v.n < ID_LEN)
		return ec_err_set(EC_ERR_CORRUPT, "%s", "stored binding is corrupt");
	c->acct = ec_rec_get64(v.p);
	return 0;
}

int
ec_portal_record_owner(struct ec_office *o, const char *reg_no, uint64_t *acct)
{
	struct addr_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.reg_no = reg_no;
	if ((r = off_regno_check(reg_no)) == 0 && (r = ec_kv_view(o->kv, owner_txn, &c)) == 0)
		*acct = c.acct;
	return r;
}

static int
account_txn(struct ec_kvtxn *t, void *ctx)
{
	struct sess_ctx *c = ctx;

	return acct_get(t, c->s.acct, &c->a);
}

int
ec_portal_account(struct ec_office *o, uint64_t id, struct ec_account *a)
{
	struct sess_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.s.acct = id;
	if ((r = ec_kv_view(o->kv, account_txn, &c)) == 0)
		*a = c.a;
	return r;
}

struct unbind_ctx {
	struct addr_ctx a;
	uint64_t expect;
	const struct ec_notice *notices;
	size_t n;
};

static int
unbind_txn(struct ec_kvtxn *t, void *ctx)
{
	struct unbind_ctx *c = ctx;
	size_t i;
	int r;

	if ((r = owner_txn(t, &c->a)))
		return r;
	if (!c->a.acct)
		return ec_err_set(EC_ERR_NOTFOUND, "registration number '%s' is not associated with any account",
		    c->a.reg_no);
	if (c->expect && c->a.acct != c->expect)
		return ec_err_set(EC_ERR_CONFLICT, "registration number '%s' changed account meanwhile: run it again",
		    c->a.reg_no);
	if ((r = unbind_one(t, c->a.acct, c->a.reg_no, c->a.now)))
		return r;
	for (i = 0; i < c->n; i++)
		if (c->notices[i].to[0] && (r = off_outbox_put(t, &c->notices[i], NULL)))
			return r;
	return 0;
}

int
ec_office_unbind(struct ec_office *o, const char *reg_no, uint64_t expect, const struct ec_notice *notices, size_t n,
    uint64_t *acct)
{
	struct unbind_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.a.reg_no = reg_no, c.a.now = ec_time_now(), c.expect = expect, c.notices = notices, c.n = n;
	if ((r = off_can_write(o)) || (r = off_regno_check(reg_no)))
		return r;
	if ((r = ec_kv_update(o->kv, unbind_txn, &c)) == 0 && acct)
		*acct = c.a.acct;
	return r;
}

/* Expiry. */

struct sweep_ctx {
	int64_t now;
	size_t n;
	unsigned char (*dead)[EC_PORTAL_HASH];
	size_t ndead, cap;
	unsigned db;
};

static int
sweep_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct sweep_ctx *c = ctx;
	unsigned char (*nv)[EC_PORTAL_HASH];
	struct ec_session s;
	struct ec_ptoken t;
	int dead;

	if (c->db == EC_ODB_SESSION)
		dead = sess_dec(v, &s) || c->now - s.seen >= EC_SESSION_IDLE || c->now - s.created >= EC_SESSION_MAX;
	else
		dead = tok_dec(v, &t) || c->now >= t.expires;
	if (!dead || k->n != EC_PORTAL_HASH)
		return 0;
	if (c->ndead == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		if (!(nv = realloc(c->dead, c->cap * sizeof *nv)))
			return ec_err_set(EC_ERR_NOMEM, "out of memory");
		c->dead = nv;
	}
	memcpy(c->dead[c->ndead++], k->p, EC_PORTAL_HASH);
	return 0;
}

static int
sweep_txn(struct ec_kvtxn *t, void *ctx)
{
	struct sweep_ctx *c = ctx;
	struct ec_kv_val v;
	struct ec_ptoken tok;
	size_t i;
	int r;

	c->n = 0;
	for (c->db = EC_ODB_SESSION; c->db <= EC_ODB_TOKEN; c->db++) {
		c->ndead = 0;
		if ((r = ec_kv_each(t, c->db, NULL, 0, sweep_one, c)))
			return r;
		for (i = 0; i < c->ndead; i++) {
			if (c->db == EC_ODB_TOKEN && ec_kv_get(t, c->db, c->dead[i], EC_PORTAL_HASH, &v) == 0 &&
			    tok_dec(&v, &tok) == 0)
				r = token_drop(t, c->dead[i], &tok);
			else
				r = ec_kv_del(t, c->db, c->dead[i], EC_PORTAL_HASH);
			if (r && r != EC_ERR_NOTFOUND)
				return r;
		}
		c->n += c->ndead;
	}
	return 0;
}

int
ec_portal_sweep(struct ec_office *o, int64_t now, size_t *n)
{
	struct sweep_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	c.now = now;
	if ((r = off_can_write(o)) == 0 && (r = ec_kv_update(o->kv, sweep_txn, &c)) == 0 && n)
		*n = c.n;
	free(c.dead);
	return r;
}

/* Renewal requests: the holder asks, the office's issuance run signs (a portal never holds keys). */

struct renew_req_ctx {
	uint64_t acct;
	const char *number, *text;       /* text: a new address, or a corrected name */
	int64_t now;
	struct ec_office *o;
	int (*fn)(void *ctx, const char *number, uint64_t acct, int64_t at);
	void *ctx;
	struct ec_cert c;
};

/* The certificate x->number, when an exam record x->acct holds issued it and it is stored valid. */
static int
own_cert(struct ec_kvtxn *t, struct renew_req_ctx *x)
{
	struct ec_kv_val cur;
	int r;

	if ((r = off_cert_load(x->o, t, x->number, &x->c)) == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_NOTFOUND, "no certificate '%s' of this account", x->number);
	if (r)
		return r;
	if ((r = ec_kv_get(t, EC_ODB_BIND, x->c.reg_no, strlen(x->c.reg_no), &cur)) == EC_ERR_NOTFOUND ||
	    (r == 0 && (cur.n < ID_LEN || ec_rec_get64(cur.p) != x->acct)))
		return ec_err_set(EC_ERR_NOTFOUND, "no certificate '%s' of this account", x->number);
	if (r)
		return r;
	if (x->c.status != EC_ST_VALID)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is %s", x->number, x->c.status == EC_ST_REVOKED ?
		    "revoked" : "superseded");
	return 0;
}

static int
renew_req_txn(struct ec_kvtxn *t, void *ctx)
{
	struct renew_req_ctx *x = ctx;
	unsigned char key[EC_NUMBIN], v[ID_LEN + 8];
	struct ec_kv_val cur;
	int r;

	if ((r = own_cert(t, x)))
		return r;
	if ((r = ec_rec_num_pack(x->number, key)))
		return r;
	if ((r = ec_kv_get(t, EC_ODB_RENEW_REQ, key, sizeof key, &cur)) == 0)
		return ec_err_set(EC_ERR_EXISTS, "a renewal of '%s' was asked for already", x->number);
	if (r != EC_ERR_NOTFOUND)
		return r;
	ec_rec_put64(v, x->acct);
	ec_rec_put64(v + ID_LEN, (uint64_t)x->now);
	return ec_kv_put(t, EC_ODB_RENEW_REQ, key, sizeof key, v, sizeof v, 0);
}

int
ec_portal_renew_request(struct ec_office *o, uint64_t acct, const char *number, int64_t now)
{
	struct renew_req_ctx *x;
	int r;

	if ((r = off_can_write(o)))
		return r;
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o, x->acct = acct, x->number = number, x->now = now;
	r = ec_kv_update(o->kv, renew_req_txn, x);
	free(x);
	return r;
}

static int
renew_req_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct renew_req_ctx *x = ctx;
	char number[EC_NUMBER_DIGITS + 1];
	int r;

	if (k->n != EC_NUMBIN || v->n != ID_LEN + 8)
		return ec_err_set(EC_ERR_CORRUPT, "%s", "stored renewal request is corrupt");
	if ((r = ec_rec_num_unpack(k->p, number)))
		return r;
	if (x->number && strcmp(number, x->number))
		return 0;
	return x->fn(x->ctx, number, ec_rec_get64(v->p), (int64_t)ec_rec_get64((const unsigned char *)v->p + ID_LEN));
}

static int
renew_reqs_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_each(t, EC_ODB_RENEW_REQ, NULL, 0, renew_req_one, ctx);
}

int
ec_office_renew_requests_each(struct ec_office *o, const char *number,
    int (*fn)(void *ctx, const char *number, uint64_t acct, int64_t at), void *ctx)
{
	struct renew_req_ctx x;

	memset(&x, 0, sizeof x);
	x.number = number, x.fn = fn, x.ctx = ctx;
	return ec_kv_view(o->kv, renew_reqs_txn, &x);
}

/* A paper certificate's address, changed by its holder until it ships. */

static int
address_txn(struct ec_kvtxn *t, void *ctx)
{
	struct renew_req_ctx *x = ctx;
	struct skel_memo m;
	struct ec_buf b;
	int r;

	if ((r = own_cert(t, x)))
		return r;
	if (x->c.e.format != EC_FORMAT_PAPER)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is electronic: it has no postal address", x->number);
	if (x->c.carrier[0])
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' was shipped already: its address cannot change",
		    x->number);
	snprintf(x->c.address, sizeof x->c.address, "%s", x->text);
	memset(&m, 0, sizeof m);
	ec_buf_init(&b);
	r = off_cert_store(t, &m, &x->c, &b, 0, EC_AUDIT_AMEND);
	ec_buf_free(&b);
	return r;
}

int
ec_portal_cert_address(struct ec_office *o, uint64_t acct, const char *number, const char *address)
{
	struct renew_req_ctx *x;
	int r;

	if ((r = off_can_write(o)))
		return r;
	if (!address[0] || strlen(address) > EC_ADDRESS_MAX)
		return ec_err_set(EC_ERR_ARG, "address empty or longer than %d bytes", EC_ADDRESS_MAX);
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o, x->acct = acct, x->number = number, x->text = address;
	r = ec_kv_update(o->kv, address_txn, x);
	free(x);
	return r;
}

/* Name corrections: the holder asks, the office reissues (ecert-issue reissue), which answers it. */

static int
corr_txn(struct ec_kvtxn *t, void *ctx)
{
	struct renew_req_ctx *x = ctx;
	unsigned char key[EC_NUMBIN];
	struct ec_buf b;
	int r;

	if ((r = own_cert(t, x)) || (r = ec_rec_num_pack(x->number, key)))
		return r;
	ec_buf_init(&b);
	w8(&b, EC_REC_V1);
	w64(&b, (int64_t)x->acct);
	w64(&b, x->now);
	if ((r = wstr(&b, x->text, EC_NAME_MAX_BYTES + 1, "name")) == 0 && (r = wend(&b)) == 0)
		r = ec_kv_put(t, EC_ODB_CORR_REQ, key, sizeof key, b.p, b.len, 0);
	ec_buf_free(&b);
	return r;
}

int
ec_portal_correction_request(struct ec_office *o, uint64_t acct, const char *number, const char *name, int64_t now)
{
	struct renew_req_ctx *x;
	int r;

	if ((r = off_can_write(o)))
		return r;
	if (!name[0] || strlen(name) > EC_NAME_MAX_BYTES)
		return ec_err_set(EC_ERR_ARG, "name empty or longer than %d bytes", EC_NAME_MAX_BYTES);
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o, x->acct = acct, x->number = number, x->text = name, x->now = now;
	r = ec_kv_update(o->kv, corr_txn, x);
	free(x);
	return r;
}

struct corr_walk {
	const char *number;
	int (*fn)(void *ctx, const char *number, uint64_t acct, int64_t at, const char *name);
	void *ctx;
};

static int
corr_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct corr_walk *w = ctx;
	char number[EC_NUMBER_DIGITS + 1], name[EC_NAME_MAX_BYTES + 1];
	struct rd rd;
	uint64_t acct;
	int64_t at;
	int r;

	if (k->n != EC_NUMBIN || (r = ec_rec_num_unpack(k->p, number)))
		return ec_err_set(EC_ERR_CORRUPT, "%s", "stored correction request is corrupt");
	if (w->number && strcmp(number, w->number))
		return 0;
	rbegin(&rd, v->p, v->n);
	acct = (uint64_t)r64(&rd);
	at = r64(&rd);
	rstr(&rd, name, sizeof name);
	if ((r = rend(&rd, "correction request")))
		return r;
	return w->fn(w->ctx, number, acct, at, name);
}

static int
corrs_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_each(t, EC_ODB_CORR_REQ, NULL, 0, corr_one, ctx);
}

int
ec_office_corrections_each(struct ec_office *o, const char *number,
    int (*fn)(void *ctx, const char *number, uint64_t acct, int64_t at, const char *name), void *ctx)
{
	struct corr_walk w = { number, fn, ctx };

	return ec_kv_view(o->kv, corrs_txn, &w);
}
