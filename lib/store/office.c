/* The office register: opening it, storing and reading certificates, keeping the public register in step, publishing. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "b64.h"
#include "buf.h"
#include "date.h"
#include "digest.h"
#include "ecx509.h"
#include "err.h"
#include "paths.h"
#include "office.h"
#include "public.h"
#include "record.h"
#include "register.h"
#include "token.h"
#include "office_int.h"

static const char *const office_dbs[EC_ODB_COUNT] = {
	"meta", "exam", "app", "pending", "cert", "email", "revoked", "audit", "outbox", "outbox.due", "mail.once",
	"lang", "exam.email", "acct", "acct.login", "addr", "acct.addr", "bind", "acct.bind", "session", "token",
	"token.login", "renew.req", "corr.req"
};


struct ec_kv *
ec_office_kv(struct ec_office *o)
{
	return o->kv;
}

enum ec_status
ec_cert_status(const struct ec_cert *c, ec_day today)
{
	if ((c->status == EC_ST_VALID || c->status == EC_ST_SUPERSEDED) && today > c->e.expires)
		return EC_ST_EXPIRED;
	return c->status;
}

/* 1..EC_REGNO_MAX printable ASCII characters without space: the key of exams and applications. */
int
off_regno_check(const char *s)
{
	size_t n = strnlen(s, EC_REGNO_MAX + 1), i;

	if (n == 0 || n > EC_REGNO_MAX)
		return ec_err_set(EC_ERR_ARG, "registration number '%.40s' is empty or too long", s);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return ec_err_set(EC_ERR_ARG, "registration number '%.40s' has a character other than "
			    "printable ASCII", s);
	return 0;
}

/* Bump the generation inside a certificate-changing transaction; the public write records it. */
int
off_gen_bump(struct ec_kvtxn *t, uint64_t *gen)
{
	int r;

	if ((r = ec_kv_get64(t, EC_ODB_META, "gen", gen, NULL)))
		return r;
	(*gen)++;
	return ec_kv_put64(t, EC_ODB_META, "gen", *gen);
}

static void
skel_key(const unsigned char id[EC_SKEL_ID], unsigned char key[SKEL_KEY])
{
	memcpy(key, "skel.", 5);
	memcpy(key + 5, id, EC_SKEL_ID);
}

/* The skeleton with this id, from the cache or the metadata; its id must be its hash. */
static int
skel_get(struct ec_office *o, struct ec_kvtxn *t, const unsigned char id[EC_SKEL_ID], const struct skel_entry **out)
{
	unsigned char key[SKEL_KEY], h[EC_SHA256_LEN];
	struct skel_entry *ent;
	struct ec_kv_val v;
	unsigned i;
	int r;

	for (i = 0; i < SKEL_CACHE; i++)
		if (o->cache[i].used && memcmp(o->cache[i].id, id, EC_SKEL_ID) == 0) {
			*out = &o->cache[i];
			return 0;
		}
	skel_key(id, key);
	if ((r = ec_kv_get(t, EC_ODB_META, key, sizeof key, &v)))
		return r == EC_ERR_NOTFOUND ? ec_err_set(EC_ERR_CORRUPT, "a certificate names a missing e-Cert "
		    "skeleton") : r;
	ent = &o->cache[o->next++ % SKEL_CACHE];
	ent->used = 0;
	if ((r = ec_sha256(v.p, v.n, h)))
		return r;
	if (memcmp(h, id, EC_SKEL_ID) != 0 || ec_skel_load(v.p, v.n, &ent->k) != EC_OK)
		return ec_err_set(EC_ERR_CORRUPT, "stored e-Cert skeleton is corrupt");
	if (ec_skel_issuer_cn(&ent->k, ent->cn, sizeof ent->cn) != 0)
		ent->cn[0] = '\0';
	memcpy(ent->id, id, EC_SKEL_ID);
	ent->used = 1;
	*out = ent;
	return 0;
}


/* Rebuild the parts of a compact record the caller wants (docs/register.md, record version 2). */
static int
cert_complete(struct ec_office *o, struct ec_kvtxn *t, struct ec_cert *c, const struct ec_rec_compact *k,
    unsigned want)
{
	unsigned char tbs[EC_DER_MAX];
	const struct skel_entry *ent = NULL;
	size_t n;
	int r;

	if ((k->flags & EC_RC_DER) && want) {
		if ((r = skel_get(o, t, k->skel_id, &ent)))
			return r;
		if (k->flags & EC_RC_ISSUER)
			memcpy(c->issuer, ent->cn, sizeof c->issuer);
		if (want == WANT_ALL && (ec_tbs_encode(&ent->k, &c->e, tbs, sizeof tbs, &n) != EC_OK ||
		    ec_cert_encode(&ent->k, tbs, n, k->sig, k->siglen, c->der, sizeof c->der, &c->der_len) != EC_OK))
			return ec_err_set(EC_ERR_CORRUPT, "cannot rebuild the e-Cert of '%s'", c->e.number);
	}
	if ((k->flags & EC_RC_TOKEN) && want == WANT_ALL &&
	    ec_token_assemble(k->flags & EC_RC_EDDSA ? EC_ALG_ED25519 : EC_ALG_P256, &c->e, k->tsig, c->token))
		return ec_err_set(EC_ERR_CORRUPT, "cannot rebuild the QR token of '%s'", c->e.number);
	return 0;
}

/* Decode a stored certificate and rebuild what want asks for. */
int
off_cert_dec(struct ec_office *o, struct ec_kvtxn *t, const struct ec_kv_val *v, const void *key, struct ec_cert *out,
    unsigned want)
{
	struct ec_rec_compact k;
	int r;

	if ((r = ec_rec_cert_dec(v->p, v->n, key, EC_NUMBIN, out, &k)))
		return r;
	return cert_complete(o, t, out, &k, want);
}

int
off_cert_load(struct ec_office *o, struct ec_kvtxn *t, const char *number, struct ec_cert *out)
{
	unsigned char key[EC_NUMBIN];
	struct ec_kv_val v;
	int r;

	if (strnlen(number, EC_NUMBER_DIGITS + 1) != EC_NUMBER_DIGITS || ec_rec_num_pack(number, key))
		return ec_err_set(EC_ERR_ARG, "'%.40s' is not a 22-digit number", number);
	r = ec_kv_get(t, EC_ODB_CERT, key, sizeof key, &v);
	if (r == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_NOTFOUND, "no certificate '%s'", number);
	if (r)
		return r;
	return off_cert_dec(o, t, &v, key, out, WANT_ALL);
}

/* The skeleton of an e-Cert that rebuilds byte for byte, stored under its id (in the memo, once per transaction). */
static int
skel_store(struct ec_kvtxn *t, struct skel_memo *m, const struct ec_skel *sk)
{
	unsigned char h[EC_SHA256_LEN], key[SKEL_KEY];
	struct ec_kv_val v;
	int r;

	if (m->valid && m->k.len == sk->len && memcmp(m->k.buf, sk->buf, sk->len) == 0)
		return 1;
	if ((r = ec_sha256(sk->buf, sk->len, h)))
		return r;
	skel_key(h, key);
	r = ec_kv_get(t, EC_ODB_META, key, sizeof key, &v);
	if (r == 0 && (v.n != sk->len || memcmp(v.p, sk->buf, v.n) != 0))
		return 0;   /* another skeleton under the same id: keep this e-Cert whole */
	if (r == EC_ERR_NOTFOUND)
		r = ec_kv_put(t, EC_ODB_META, key, sizeof key, sk->buf, sk->len, 0);
	if (r)
		return r;
	m->valid = 1;
	memcpy(m->id, h, EC_SKEL_ID);
	m->k = *sk;
	if (ec_skel_issuer_cn(sk, m->cn, sizeof m->cn) != 0)
		m->cn[0] = '\0';
	return 1;
}

/*
 * How c is stored: each of its e-Cert, token and issuer CN that the register can rebuild byte for
 * byte from the facts (checked here, by rebuilding) is kept compact; anything else is kept whole.
 */
static int
cert_compact(struct ec_kvtxn *t, struct skel_memo *m, const struct ec_cert *c, struct ec_rec_compact *k)
{
	unsigned char tbs[EC_DER_MAX], der[EC_DER_MAX];
	char tok[EC_TOKEN_MAX + 1];
	const unsigned char *tspan, *sig;
	const char *dot;
	struct ec_skel sk;
	size_t tlen, n, siglen;
	enum ec_alg alg = EC_ALG_P256;
	int r;

	memset(k, 0, sizeof *k);
	if (c->der_len > 0 && c->der_len <= sizeof c->der &&
	    ec_cert_split(c->der, c->der_len, &sk, &tspan, &tlen, &sig, &siglen) == 0 && siglen <= sizeof k->sig &&
	    ec_tbs_encode(&sk, &c->e, tbs, sizeof tbs, &n) == EC_OK && n == tlen && memcmp(tbs, tspan, n) == 0 &&
	    ec_cert_encode(&sk, tbs, n, sig, siglen, der, sizeof der, &n) == EC_OK && n == c->der_len &&
	    memcmp(der, c->der, n) == 0) {
		if ((r = skel_store(t, m, &sk)) < 0)
			return r;
		if (r == 1) {
			k->flags |= EC_RC_DER;
			memcpy(k->skel_id, m->id, EC_SKEL_ID);
			memcpy(k->sig, sig, siglen);
			k->siglen = siglen;
			if (m->cn[0] && strcmp(m->cn, c->issuer) == 0)
				k->flags |= EC_RC_ISSUER;
			alg = sk.sig_nid == NID_ED25519 ? EC_ALG_ED25519 : EC_ALG_P256;
		}
	}
	dot = strrchr(c->token, '.');
	if (dot && ec_b64url_decode(dot + 1, strlen(dot + 1), k->tsig, sizeof k->tsig, &n) == EC_OK &&
	    n == sizeof k->tsig && ec_token_assemble(alg, &c->e, k->tsig, tok) == EC_OK && strcmp(tok, c->token) == 0)
		k->flags |= EC_RC_TOKEN | (alg == EC_ALG_ED25519 ? EC_RC_EDDSA : 0);
	return 0;
}

/* Encode c into b as it will be stored (compact where it rebuilds); EC_ERR_ARG for a field out of bounds. */
int
off_cert_encode(struct ec_kvtxn *t, struct skel_memo *m, const struct ec_cert *c, struct ec_buf *b)
{
	struct ec_rec_compact k;
	int r;

	ec_buf_reset(b);
	if ((r = cert_compact(t, m, c, &k)))
		return r;
	return ec_rec_cert_enc(b, c, &k);
}

/* Store c, encoded into b by cert_encode, with its audit entry. */
int
off_cert_put(struct ec_kvtxn *t, const struct ec_cert *c, struct ec_buf *b, unsigned flags, enum ec_audit_op op)
{
	unsigned char key[EC_NUMBIN];
	int r;

	if ((r = ec_rec_num_pack(c->e.number, key)))
		return r;
	if ((r = ec_kv_put(t, EC_ODB_CERT, key, sizeof key, b->p, b->len, flags)))
		return r;
	return ec_audit_append(t, ec_time_now(), op, EC_AUDIT_SUBJ_NUMBER, c->e.number, b->p, b->len);
}

int
off_cert_store(struct ec_kvtxn *t, struct skel_memo *m, const struct ec_cert *c, struct ec_buf *b, unsigned flags,
    enum ec_audit_op op)
{
	int r;

	if ((r = off_cert_encode(t, m, c, b)))
		return r;
	return off_cert_put(t, c, b, flags, op);
}

/* The email index key: ASCII-lower-cased email, NUL, packed number (number NULL: the prefix only). */
size_t
off_email_key(const char *email, const unsigned char *numbin, unsigned char out[EMAIL_KEY_MAX])
{
	size_t n = strnlen(email, EC_EMAIL_MAX), i;

	for (i = 0; i < n; i++)
		out[i] = (unsigned char)(email[i] >= 'A' && email[i] <= 'Z' ? email[i] + 32 : email[i]);
	out[n++] = '\0';
	if (numbin) {
		memcpy(out + n, numbin, EC_NUMBIN);
		n += EC_NUMBIN;
	}
	return n;
}

int
off_email_index(struct ec_kvtxn *t, const struct ec_cert *c)
{
	unsigned char key[EMAIL_KEY_MAX], bin[EC_NUMBIN];
	int r;

	if (c->email[0] == '\0')
		return 0;
	if ((r = ec_rec_num_pack(c->e.number, bin)))
		return r;
	return ec_kv_put(t, EC_ODB_EMAIL, key, off_email_key(c->email, bin, key), "", 0, 0);
}

/* Opening. */

static int
init_txn(struct ec_kvtxn *t, void *ctx)
{
	uint64_t fmt;
	int r;

	(void)ctx;
	if ((r = ec_kv_get64(t, EC_ODB_META, "format", &fmt, NULL)))
		return r;
	if (fmt == 0 && (r = ec_kv_put64(t, EC_ODB_META, "format", FORMAT)))
		return r;
	if (fmt != FORMAT && fmt != 0)
		return ec_err_set(EC_ERR_UNSUPPORTED, "office register format %llu is not supported",
		    (unsigned long long)fmt);
	return off_exam_index_build(t);
}

static int
check_txn(struct ec_kvtxn *t, void *ctx)
{
	uint64_t fmt, indexed;
	size_t n;
	int r;

	(void)ctx;
	if ((r = ec_kv_get64(t, EC_ODB_META, "format", &fmt, NULL)))
		return r;
	if (fmt != FORMAT && fmt != 0)
		return ec_err_set(EC_ERR_UNSUPPORTED, "office register format %llu is not supported",
		    (unsigned long long)fmt);
	/*
	 * Tables a newer version added read as empty until a writer adds them; only the exam index must
	 * not, since it stands for records that exist: a reader waits for the first writable open.
	 */
	if ((r = ec_kv_get64(t, EC_ODB_META, "exam.email", &indexed, NULL)) || indexed ||
	    (r = ec_kv_count(t, EC_ODB_EXAM, &n)) || n == 0)
		return r;
	return ec_err_set(EC_ERR_CORRUPT, "the office register was written by an older version and has no exam "
	    "index yet: run any writing command once (such as 'ecert-issue publish')");
}

/* One writer at a time across processes, so that the two-register generation protocol holds. */
static int
lock_writer(const char *regdir, int *fd)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct ec_buf b;
	int waited = 0, r = 0;

	ec_buf_init(&b);
	ec_buf_addf(&b, "%s/writer.lock", regdir);
	if (b.err) {
		r = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((*fd = open(b.p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		r = ec_err_errno("cannot open", b.p);
		goto out;
	}
	while (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			r = ec_err_errno("cannot lock", b.p);
			goto out;
		}
		if (waited >= LOCK_WAIT_MS) {
			r = ec_err_set(EC_ERR_REFUSED, "register '%s' is in use by another writer", regdir);
			goto out;
		}
		nanosleep(&ts, NULL);
		waited += 100;
	}
out:
	ec_buf_free(&b);
	return r;
}


static int
gen_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_get64(t, EC_ODB_META, "gen", ctx, NULL);
}

int
ec_office_generation(struct ec_office *o, uint64_t *gen)
{
	*gen = 0;
	return ec_kv_view(o->kv, gen_txn, gen);
}

int
ec_office_open(const char *dir, unsigned flags, struct ec_office **out)
{
	struct ec_office *o = NULL;
	char path[PATH_MAX], keypath[PATH_MAX];
	uint64_t ogen = 0, pgen = 0;
	int r;

	*out = NULL;
	if (!(o = calloc(1, sizeof *o))) {
		r = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	o->lockfd = -1;
	if ((r = ec_path(path, sizeof path, dir, EC_P_REGISTER, NULL)))
		goto out;
	if (flags & EC_OFFICE_RDONLY) {
		if ((r = ec_kv_open(path, EC_KV_RDONLY, 0, 0, 0, office_dbs, EC_ODB_COUNT, &o->kv)) ||
		    (r = ec_kv_view(o->kv, check_txn, NULL)))
			goto out;
		*out = o;
		o = NULL;
		goto out;
	}
	o->rw = 1;
	if (flags & EC_OFFICE_SHARED) {
		if ((r = ec_kv_open(path, 0, 0700, 0600, 0, office_dbs, EC_ODB_COUNT, &o->kv)) ||
		    (r = ec_kv_update(o->kv, init_txn, NULL)))
			goto out;
		*out = o;
		o = NULL;
		goto out;
	}
	if ((r = ec_kv_open(path, 0, 0700, 0600, 0, office_dbs, EC_ODB_COUNT, &o->kv)) ||
	    (r = lock_writer(path, &o->lockfd)) ||
	    (r = ec_kv_update(o->kv, init_txn, NULL)))
		goto out;
	if ((r = ec_path(path, sizeof path, dir, EC_P_PUBLIC, NULL)) ||
	    (r = ec_path(keypath, sizeof keypath, dir, EC_P_NAME_KEY, NULL)))
		goto out;
	if ((r = ec_pubw_open(path, keypath, &o->pub)) || (r = ec_pubw_generation(o->pub, &pgen)))
		goto out;
	if ((r = ec_kv_view(o->kv, gen_txn, &ogen)))
		goto out;
	/* A previous writer stopped between its office and public commits: repair now. */
	if (ogen != pgen && (r = off_publish(o, NULL)))
		goto out;
	*out = o;
	o = NULL;
out:
	ec_office_close(o);
	return r;
}

void
ec_office_close(struct ec_office *o)
{
	if (!o)
		return;
	ec_pubw_close(o->pub);
	ec_kv_close(o->kv);
	if (o->lockfd >= 0)
		close(o->lockfd);
	free(o->pubs);
	free(o);
}

int
off_can_write(struct ec_office *o)
{
	if (!o->rw)
		return ec_err_set(EC_ERR_ARG, "office register '%s' is open read-only", ec_kv_path(o->kv));
	return 0;
}

int
off_writable(struct ec_office *o)
{
	if (!o->pub)
		return ec_err_set(EC_ERR_ARG, "office register '%s' is open read-only", ec_kv_path(o->kv));
	return 0;
}

/* Public upkeep after an office commit. */

/* The public record of c; issued: as ec_office_issue stores it (valid, nothing revoked or superseded). */
int
off_pub_of(struct ec_office *o, const struct ec_cert *c, int issued, struct ec_pub *p)
{
	if (issued)
		return ec_pubw_make(o->pub, &c->e, EC_ST_VALID, 0, "", "", c->issuer, p);
	return ec_pubw_make(o->pub, &c->e, c->status, c->revoked_at, c->reason, c->superseded_by, c->issuer, p);
}

/*
 * The office committed generation gen with certs[0..n) changed (issued: as ec_office_issue stores
 * them); a failure here leaves the public register a generation behind, which the next writable open
 * repairs.
 */
int
off_pub_sync(struct ec_office *o, const struct ec_cert *const *certs, size_t n, int issued, uint64_t gen)
{
	struct ec_pub *nv;
	char msg[512];
	size_t i;
	int r = 0;

	if (n > o->npubs) {
		if (!(nv = realloc(o->pubs, n * sizeof *nv))) {
			r = ec_err_set(EC_ERR_NOMEM, "out of memory");
			goto out;
		}
		o->pubs = nv;
		o->npubs = n;
	}
	for (i = 0; i < n && r == 0; i++)
		r = off_pub_of(o, certs[i], issued, &o->pubs[i]);
	if (r == 0)
		r = ec_pubw_put(o->pub, o->pubs, n, gen);
out:
	if (r) {
		snprintf(msg, sizeof msg, "%s", ec_err_msg(r));
		r = ec_err_set(r, "office register updated but the public register not (the next run repairs "
		    "it): %s", msg);
	}
	return r;
}

/* Publishing: rebuild the public register from the office one. */

struct rebuild_src {
	struct ec_office *o;
	struct ec_kvtxn *t;
	struct ec_kvcur *c;
	int started;
	struct ec_cert cert;
};

static int
src_rewind(void *ctx)
{
	struct rebuild_src *s = ctx;

	s->started = 0;
	return 0;
}

static int
src_next(void *ctx, struct ec_pub *p)
{
	struct rebuild_src *s = ctx;
	struct ec_kv_val k, v;
	int r;

	r = s->started ? ec_kv_next(s->c, &k, &v) : ec_kv_seek(s->c, NULL, 0, &k, &v);
	s->started = 1;
	if (r == EC_ERR_NOTFOUND)
		return 0;
	if (!r && k.n != EC_NUMBIN)
		r = ec_err_set(EC_ERR_CORRUPT, "stored certificate key is corrupt");
	if (r || (r = off_cert_dec(s->o, s->t, &v, k.p, &s->cert, WANT_ISSUER)) || (r = off_pub_of(s->o, &s->cert, 0, p)))
		return r;
	return 1;
}

struct publish_ctx {
	uint64_t gen;
};

static int
publish_txn(struct ec_kvtxn *t, void *ctx)
{
	struct publish_ctx *x = ctx;
	unsigned char rec[8];
	int r;

	if ((r = off_gen_bump(t, &x->gen)))
		return r;
	ec_rec_put64(rec, x->gen);
	return ec_audit_append(t, ec_time_now(), EC_AUDIT_PUBLISH, EC_AUDIT_SUBJ_NONE, NULL, rec, sizeof rec);
}

/*
 * The office generation is bumped and committed first; the public register takes it only when its
 * rebuild commits, so a crash in between is seen (and repaired) by the next writable open.
 */
int
off_publish(struct ec_office *o, size_t *count)
{
	struct publish_ctx x = { 0 };
	struct rebuild_src *s;
	int r;

	if ((r = ec_kv_update(o->kv, publish_txn, &x)))
		return r;
	if (!(s = calloc(1, sizeof *s)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	s->o = o;
	if ((r = ec_kv_rbegin(o->kv, &s->t)) || (r = ec_kv_cursor(s->t, EC_ODB_CERT, &s->c)))
		goto out;
	r = ec_pubw_rebuild(o->pub, src_rewind, src_next, s, x.gen, count);
out:
	ec_kv_cursor_close(s->c);
	ec_kv_rend(s->t);
	free(s);
	return r;
}

int
ec_office_publish(struct ec_office *o, size_t *count)
{
	int r;

	if ((r = off_writable(o)))
		return r;
	return off_publish(o, count);
}
