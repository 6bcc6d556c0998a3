/*
 * The outbox: messages in the office register, queued in the write transaction of the change that
 * causes them (off_outbox_put), so a notice exists exactly when its change committed. A due index
 * (next attempt, id) lets a sender find what to send without reading every message ever sent.
 */
#include "office_int.h"
#include "outbox.h"
#include "recio.h"

#define DUE_KEY 16

static const char *const state_names[] = { "", "queued", "deferred", "sent", "failed" };

const char *
ec_mail_state_name(enum ec_mail_state s)
{
	return s >= EC_MAIL_QUEUED && s <= EC_MAIL_FAILED ? state_names[s] : "unknown";
}

enum ec_mail_state
ec_mail_state_parse(const char *s)
{
	for (int i = EC_MAIL_QUEUED; i <= EC_MAIL_FAILED; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum ec_mail_state)i;
	return 0;
}

static void
due_key(unsigned char k[DUE_KEY], int64_t at, uint64_t id)
{
	ec_rec_put64(k, (uint64_t)(at < 0 ? 0 : at));
	ec_rec_put64(k + 8, id);
}

static int
encode(struct ec_buf *b, const struct ec_outbox_msg *m)
{
	const struct ec_notice *n = &m->n;
	int r;

	ec_buf_reset(b);
	w8(b, EC_REC_V1);
	w8(b, (unsigned)m->state);
	w64(b, n->created);
	w64(b, m->next_at);
	w64(b, m->expires);
	w16(b, m->attempts);
	if ((r = wstr(b, n->to, sizeof n->to, "to")) || (r = wstr(b, n->kind, sizeof n->kind, "kind")) ||
	    (r = wstr(b, n->lang, sizeof n->lang, "lang")) ||
	    (r = wstr(b, n->message_id, sizeof n->message_id, "message_id")))
		return r;
	w16(b, (unsigned)n->vlen);
	ec_buf_add(b, n->values, n->vlen);
	w8(b, m->nlog);
	for (unsigned i = 0; i < m->nlog; i++) {
		w64(b, m->log[i].at);
		w16(b, m->log[i].code);
		if ((r = wstr(b, m->log[i].note, sizeof m->log[i].note, "note")))
			return r;
	}
	return wend(b);
}

static int
decode(const struct ec_kv_val *v, uint64_t id, struct ec_outbox_msg *m)
{
	struct ec_notice *n = &m->n;
	struct rd r;

	memset(m, 0, sizeof *m);
	m->id = id;
	rbegin(&r, v->p, v->n);
	m->state = (enum ec_mail_state)r8(&r);
	n->created = r64(&r);
	m->next_at = r64(&r);
	m->expires = r64(&r);
	m->attempts = r16(&r);
	rstr(&r, n->to, sizeof n->to);
	rstr(&r, n->kind, sizeof n->kind);
	rstr(&r, n->lang, sizeof n->lang);
	rstr(&r, n->message_id, sizeof n->message_id);
	n->vlen = r16(&r);
	if (n->vlen > sizeof n->values)
		r.bad = 1;
	else
		rbytes(&r, n->values, n->vlen);
	/* The values are NUL-terminated "key=value" pairs: none empty, the last one ended. */
	if (n->vlen && (n->values[0] == '\0' || n->values[n->vlen - 1] != '\0'))
		r.bad = 1;
	m->nlog = r8(&r);
	if (m->nlog > EC_MAIL_LOG || m->state < EC_MAIL_QUEUED || m->state > EC_MAIL_FAILED)
		r.bad = 1;
	for (unsigned i = 0; i < m->nlog && !r.bad; i++) {
		m->log[i].at = r64(&r);
		m->log[i].code = r16(&r);
		rstr(&r, m->log[i].note, sizeof m->log[i].note);
	}
	return rend(&r, "outbox");
}

int
off_outbox_put(struct ec_kvtxn *t, const struct ec_notice *n, uint64_t *idp)
{
	struct ec_outbox_msg m;
	struct ec_buf b = { 0 };
	unsigned char key[8], due[DUE_KEY];
	uint64_t id;
	int r;

	if ((r = ec_kv_get64(t, EC_ODB_META, "outbox.seq", &id, NULL)))
		return r;
	id++;
	memset(&m, 0, sizeof m);
	m.id = id;
	m.state = EC_MAIL_QUEUED;
	m.n = *n;
	m.next_at = n->created;
	m.expires = n->created + EC_MAIL_GIVE_UP;
	ec_rec_put64(key, id);
	due_key(due, m.next_at, id);
	if (!(r = encode(&b, &m)) &&
	    !(r = ec_kv_put(t, EC_ODB_OUTBOX, key, sizeof key, b.p, b.len, EC_KV_NOOVERWRITE)) &&
	    !(r = ec_kv_put(t, EC_ODB_DUE, due, sizeof due, "", 0, 0)) &&
	    !(r = ec_kv_put64(t, EC_ODB_META, "outbox.seq", id)) && idp)
		*idp = id;
	ec_buf_free(&b);
	return r;
}

struct queue_ctx {
	const struct ec_notice *n;
	const char *once;
	uint64_t id;
};

static int
queue_txn(struct ec_kvtxn *t, void *ctx)
{
	struct queue_ctx *x = ctx;
	unsigned char idb[8];
	int r;

	if (x->once) {
		struct ec_kv_val v;

		if ((r = ec_kv_get(t, EC_ODB_ONCE, x->once, strlen(x->once), &v)) == 0)
			return ec_err_set(EC_ERR_EXISTS, "notice '%s' was queued before", x->once);
		if (r != EC_ERR_NOTFOUND)
			return r;
	}
	if ((r = off_outbox_put(t, x->n, &x->id)))
		return r;
	ec_rec_put64(idb, x->id);
	return x->once ? ec_kv_put(t, EC_ODB_ONCE, x->once, strlen(x->once), idb, sizeof idb, 0) : 0;
}

int
ec_outbox_queue(struct ec_office *o, const struct ec_notice *n, const char *once, uint64_t *id)
{
	struct queue_ctx x = { n, once, 0 };
	int r;

	if ((r = off_can_write(o)))
		return r;
	if ((r = ec_kv_update(o->kv, queue_txn, &x)) == 0 && id)
		*id = x.id;
	return r;
}

struct once_ctx {
	const char *key;
	int found;
};

static int
once_view(struct ec_kvtxn *t, void *ctx)
{
	struct once_ctx *x = ctx;
	struct ec_kv_val v;
	int r = ec_kv_get(t, EC_ODB_ONCE, x->key, strlen(x->key), &v);

	x->found = r == 0;
	return r == EC_ERR_NOTFOUND ? 0 : r;
}

int
ec_outbox_once(struct ec_office *o, const char *once)
{
	struct once_ctx x = { once, 0 };
	int r = ec_kv_view(o->kv, once_view, &x);

	return r ? r : x.found;
}

struct scan_ctx {
	int32_t day;
	int set;
};

static int
scan_txn(struct ec_kvtxn *t, void *ctx)
{
	struct scan_ctx *x = ctx;
	uint64_t v;
	int r;

	if (x->set)
		return ec_kv_put64(t, EC_ODB_META, "remind.day", (uint64_t)(uint32_t)x->day);
	if ((r = ec_kv_get64(t, EC_ODB_META, "remind.day", &v, NULL)))
		return r;
	x->day = (int32_t)(uint32_t)v;
	return 0;
}

int
ec_outbox_scan_get(struct ec_office *o, int32_t *day)
{
	struct scan_ctx x = { 0, 0 };
	int r = ec_kv_view(o->kv, scan_txn, &x);

	*day = x.day;
	return r;
}

int
ec_outbox_scan_set(struct ec_office *o, int32_t day)
{
	struct scan_ctx x = { day, 1 };
	int r;

	return (r = off_writable(o)) ? r : ec_kv_update(o->kv, scan_txn, &x);
}

struct each_ctx {
	enum ec_mail_state state;
	ec_outbox_fn fn;
	void *ctx;
};

static int
each_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct each_ctx *x = ctx;
	struct ec_outbox_msg m;
	int r;

	if (k->n != 8)
		return ec_err_set(EC_ERR_CORRUPT, "stored outbox key is corrupt");
	if ((r = decode(v, ec_rec_get64(k->p), &m)))
		return r;
	return x->state && m.state != x->state ? 0 : x->fn(x->ctx, &m);
}

static int
each_view(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_each(t, EC_ODB_OUTBOX, NULL, 0, each_one, ctx);
}

int
ec_outbox_each(struct ec_office *o, enum ec_mail_state state, ec_outbox_fn fn, void *ctx)
{
	struct each_ctx x = { state, fn, ctx };

	return ec_kv_view(o->kv, each_view, &x);
}

struct get_ctx {
	uint64_t id;
	struct ec_outbox_msg *m;
};

static int
get_view(struct ec_kvtxn *t, void *ctx)
{
	struct get_ctx *x = ctx;
	unsigned char key[8];
	struct ec_kv_val v;
	int r;

	ec_rec_put64(key, x->id);
	if ((r = ec_kv_get(t, EC_ODB_OUTBOX, key, sizeof key, &v)) == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_NOTFOUND, "no message %llu in the outbox", (unsigned long long)x->id);
	return r ? r : decode(&v, x->id, x->m);
}

int
ec_outbox_get(struct ec_office *o, uint64_t id, struct ec_outbox_msg *out)
{
	struct get_ctx x = { id, out };

	return ec_kv_view(o->kv, get_view, &x);
}

struct due_ctx {
	int64_t now;
	uint64_t *ids;
	size_t max, n;
};

static int
due_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	struct due_ctx *x = ctx;

	(void)v;
	if (k->n != DUE_KEY)
		return ec_err_set(EC_ERR_CORRUPT, "stored outbox index key is corrupt");
	if ((int64_t)ec_rec_get64(k->p) > x->now || x->n == x->max)
		return 1;
	x->ids[x->n++] = ec_rec_get64(k->p + 8);
	return 0;
}

static int
due_view(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_each(t, EC_ODB_DUE, NULL, 0, due_one, ctx);
}

int
ec_outbox_due(struct ec_office *o, int64_t now, uint64_t *ids, size_t max, size_t *n)
{
	struct due_ctx x = { now, ids, max, 0 };
	int r = ec_kv_view(o->kv, due_view, &x);

	*n = x.n;
	return r;
}

/* Change message id's state (and due index) with f, in one transaction. */
struct change_ctx {
	uint64_t id;
	int64_t now;
	int (*f)(struct change_ctx *x, struct ec_outbox_msg *m);
	enum ec_mail_state state;
	int64_t next_at, at;
	unsigned code;
	const char *note;
	struct ec_buf b;
};

static int
change(struct ec_kvtxn *t, struct change_ctx *x)
{
	unsigned char key[8], due[DUE_KEY];
	struct ec_outbox_msg m;
	struct ec_kv_val v;
	int r;

	ec_rec_put64(key, x->id);
	if ((r = ec_kv_get(t, EC_ODB_OUTBOX, key, sizeof key, &v)) == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_NOTFOUND, "no message %llu in the outbox", (unsigned long long)x->id);
	if (r || (r = decode(&v, x->id, &m)))
		return r;
	if (m.state == EC_MAIL_QUEUED || m.state == EC_MAIL_DEFERRED) {
		due_key(due, m.next_at, m.id);
		if ((r = ec_kv_del(t, EC_ODB_DUE, due, sizeof due)) && r != EC_ERR_NOTFOUND)
			return r;
	}
	if ((r = x->f(x, &m)))
		return r;
	if (m.state == EC_MAIL_QUEUED || m.state == EC_MAIL_DEFERRED) {
		due_key(due, m.next_at, m.id);
		if ((r = ec_kv_put(t, EC_ODB_DUE, due, sizeof due, "", 0, 0)))
			return r;
	} else {
		m.next_at = 0;
	}
	if ((r = encode(&x->b, &m)))
		return r;
	return ec_kv_put(t, EC_ODB_OUTBOX, key, sizeof key, x->b.p, x->b.len, 0);
}

static int
change_txn(struct ec_kvtxn *t, void *ctx)
{
	return change(t, ctx);
}

static int
record_result(struct change_ctx *x, struct ec_outbox_msg *m)
{
	struct ec_mail_try *try;

	if (m->state != EC_MAIL_QUEUED && m->state != EC_MAIL_DEFERRED)
		return ec_err_set(EC_ERR_REFUSED, "message %llu is already %s", (unsigned long long)m->id,
		    ec_mail_state_name(m->state));
	if (m->nlog == EC_MAIL_LOG)
		memmove(m->log, m->log + 1, (EC_MAIL_LOG - 1) * sizeof m->log[0]);
	else
		m->nlog++;
	try = &m->log[m->nlog - 1];
	try->at = x->at;
	try->code = x->code;
	snprintf(try->note, sizeof try->note, "%s", x->note ? x->note : "");
	/* Only printable text goes into the register: a relay's reply may carry anything. */
	for (char *c = try->note; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	m->attempts++;
	m->state = x->state;
	m->next_at = x->next_at;
	return 0;
}

int
ec_outbox_result(struct ec_office *o, uint64_t id, enum ec_mail_state state, int64_t next_at, int64_t at,
    unsigned code, const char *note)
{
	struct change_ctx x = { .id = id, .f = record_result, .state = state, .next_at = next_at, .at = at,
		.code = code, .note = note };
	int r;

	if ((r = off_writable(o)))
		return r;
	if (state != EC_MAIL_SENT && state != EC_MAIL_FAILED && state != EC_MAIL_DEFERRED)
		return ec_err_set(EC_ERR_ARG, "an attempt ends sent, failed or deferred");
	r = ec_kv_update(o->kv, change_txn, &x);
	ec_buf_free(&x.b);
	return r;
}

static int
requeue(struct change_ctx *x, struct ec_outbox_msg *m)
{
	if (m->state == EC_MAIL_SENT)
		return ec_err_set(EC_ERR_REFUSED, "message %llu was sent already", (unsigned long long)m->id);
	m->state = EC_MAIL_QUEUED;
	m->next_at = x->now;
	/* A retried message gets another 3 days from now; its Date stays when it was queued. */
	m->expires = x->now + EC_MAIL_GIVE_UP;
	return 0;
}

struct retry_all {
	uint64_t *ids;
	size_t n, cap;
};

static int
collect_failed(void *ctx, const struct ec_outbox_msg *m)
{
	struct retry_all *x = ctx;

	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;
		uint64_t *p = realloc(x->ids, cap * sizeof *p);

		if (!p)
			return EC_ERR_NOMEM;
		x->ids = p;
		x->cap = cap;
	}
	x->ids[x->n++] = m->id;
	return 0;
}

int
ec_outbox_retry(struct ec_office *o, uint64_t id, int64_t now, size_t *count)
{
	struct change_ctx x = { .id = id, .now = now, .f = requeue };
	struct retry_all all = { 0 };
	int r;

	if (count)
		*count = 0;
	if ((r = off_writable(o)))
		return r;
	if (id != 0) {
		if ((r = ec_kv_update(o->kv, change_txn, &x)) == 0 && count)
			*count = 1;
		goto out;
	}
	if ((r = ec_outbox_each(o, EC_MAIL_FAILED, collect_failed, &all)))
		goto out;
	for (size_t i = 0; i < all.n && !r; i++) {
		x.id = all.ids[i];
		if ((r = ec_kv_update(o->kv, change_txn, &x)) == 0 && count)
			(*count)++;
	}
out:
	free(all.ids);
	ec_buf_free(&x.b);
	return r;
}

/* Languages of notices, by address. */

static size_t
lang_key(const char *email, char out[EC_EMAIL_MAX + 1])
{
	size_t n = 0;

	for (; email[n] && n < EC_EMAIL_MAX; n++)
		out[n] = (char)(email[n] >= 'A' && email[n] <= 'Z' ? email[n] + 32 : email[n]);
	return n;
}

struct lang_ctx {
	const char *email;
	char *lang;
	const char *set;
};

static int
lang_txn(struct ec_kvtxn *t, void *ctx)
{
	struct lang_ctx *x = ctx;
	char key[EC_EMAIL_MAX + 1];
	size_t n = lang_key(x->email, key);
	struct ec_kv_val v;
	int r;

	if (x->set)
		return ec_kv_put(t, EC_ODB_LANG, key, n, x->set, strlen(x->set), 0);
	x->lang[0] = '\0';
	if ((r = ec_kv_get(t, EC_ODB_LANG, key, n, &v)) == EC_ERR_NOTFOUND)
		return 0;
	if (r)
		return r;
	if (v.n != 2)
		return ec_err_set(EC_ERR_CORRUPT, "stored language of '%s' is corrupt", x->email);
	memcpy(x->lang, v.p, 2);
	x->lang[2] = '\0';
	return 0;
}

int
ec_office_lang_get(struct ec_office *o, const char *email, char lang[3])
{
	struct lang_ctx x = { email, lang, NULL };

	return ec_kv_view(o->kv, lang_txn, &x);
}

int
ec_office_lang_set(struct ec_office *o, const char *email, const char *lang)
{
	struct lang_ctx x = { email, NULL, lang };
	int r;

	if ((r = off_can_write(o)))
		return r;
	if (strcmp(lang, "en") != 0 && strcmp(lang, "zh") != 0)
		return ec_err_set(EC_ERR_ARG, "language '%s' is not en or zh", lang);
	return ec_kv_update(o->kv, lang_txn, &x);
}
