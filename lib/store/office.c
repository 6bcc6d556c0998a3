/* The office register: exam results, applications, certificates and their indexes, kept with the public one. */
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

#define FORMAT 1
#define LOCK_WAIT_MS 30000
#define EMAIL_KEY_MAX (EC_EMAIL_MAX + 1 + EC_NUMBIN)
#define REVOKED_KEY (EC_KID_LEN + EC_NUMBIN)
#define SKEL_KEY (5 + EC_SKEL_ID)     /* "skel." || id */
#define SKEL_CACHE 4

static const char *const office_dbs[EC_ODB_COUNT] = {
	"meta", "exam", "app", "pending", "cert", "email", "revoked", "audit"
};

/* A skeleton as certificate reads need it: content-addressed, so a cached copy never goes stale. */
struct skel_entry {
	int used;
	unsigned char id[EC_SKEL_ID];
	struct ec_skel k;
	char cn[EC_ISSUER_MAX + 1];
};

struct ec_office {
	struct ec_kv *kv;
	struct ec_pubw *pub;     /* NULL when read-only */
	int lockfd;
	struct ec_pub *pubs;     /* public records of the last write, reused: a batch faults no fresh pages in */
	size_t npubs;
	struct skel_entry cache[SKEL_CACHE];   /* used by certificate reads only */
	unsigned next;
};

/* The skeleton last stored in the current write transaction, so a batch hashes and looks it up once. */
struct skel_memo {
	int valid;
	unsigned char id[EC_SKEL_ID];
	struct ec_skel k;
	char cn[EC_ISSUER_MAX + 1];
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
static int
regno_check(const char *s)
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
static int
gen_bump(struct ec_kvtxn *t, uint64_t *gen)
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

#define WANT_ISSUER 1u           /* rebuild the issuer CN */
#define WANT_ALL 7u              /* and the e-Cert DER and the token */

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
static int
cert_dec(struct ec_office *o, struct ec_kvtxn *t, const struct ec_kv_val *v, const void *key, struct ec_cert *out,
    unsigned want)
{
	struct ec_rec_compact k;
	int r;

	if ((r = ec_rec_cert_dec(v->p, v->n, key, EC_NUMBIN, out, &k)))
		return r;
	return cert_complete(o, t, out, &k, want);
}

static int
cert_load(struct ec_office *o, struct ec_kvtxn *t, const char *number, struct ec_cert *out)
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
	return cert_dec(o, t, &v, key, out, WANT_ALL);
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
static int
cert_encode(struct ec_kvtxn *t, struct skel_memo *m, const struct ec_cert *c, struct ec_buf *b)
{
	struct ec_rec_compact k;
	int r;

	ec_buf_reset(b);
	if ((r = cert_compact(t, m, c, &k)))
		return r;
	return ec_rec_cert_enc(b, c, &k);
}

/* Store c, encoded into b by cert_encode, with its audit entry. */
static int
cert_put(struct ec_kvtxn *t, const struct ec_cert *c, struct ec_buf *b, unsigned flags, enum ec_audit_op op)
{
	unsigned char key[EC_NUMBIN];
	int r;

	if ((r = ec_rec_num_pack(c->e.number, key)))
		return r;
	if ((r = ec_kv_put(t, EC_ODB_CERT, key, sizeof key, b->p, b->len, flags)))
		return r;
	return ec_audit_append(t, ec_time_now(), op, EC_AUDIT_SUBJ_NUMBER, c->e.number, b->p, b->len);
}

static int
cert_store(struct ec_kvtxn *t, struct skel_memo *m, const struct ec_cert *c, struct ec_buf *b, unsigned flags,
    enum ec_audit_op op)
{
	int r;

	if ((r = cert_encode(t, m, c, b)))
		return r;
	return cert_put(t, c, b, flags, op);
}

/* The email index key: ASCII-lower-cased email, NUL, packed number (number NULL: the prefix only). */
static size_t
email_key(const char *email, const unsigned char *numbin, unsigned char out[EMAIL_KEY_MAX])
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

static int
email_index(struct ec_kvtxn *t, const struct ec_cert *c)
{
	unsigned char key[EMAIL_KEY_MAX], bin[EC_NUMBIN];
	int r;

	if (c->email[0] == '\0')
		return 0;
	if ((r = ec_rec_num_pack(c->e.number, bin)))
		return r;
	return ec_kv_put(t, EC_ODB_EMAIL, key, email_key(c->email, bin, key), "", 0, 0);
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
	if (fmt == 0)
		return ec_kv_put64(t, EC_ODB_META, "format", FORMAT);
	if (fmt != FORMAT)
		return ec_err_set(EC_ERR_UNSUPPORTED, "office register format %llu is not supported",
		    (unsigned long long)fmt);
	return 0;
}

static int
check_txn(struct ec_kvtxn *t, void *ctx)
{
	uint64_t fmt;
	int r;

	(void)ctx;
	if ((r = ec_kv_get64(t, EC_ODB_META, "format", &fmt, NULL)))
		return r;
	if (fmt != FORMAT && fmt != 0)
		return ec_err_set(EC_ERR_UNSUPPORTED, "office register format %llu is not supported",
		    (unsigned long long)fmt);
	return 0;
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

static int publish(struct ec_office *o, size_t *count);

static int
gen_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_get64(t, EC_ODB_META, "gen", ctx, NULL);
}

int
ec_office_open(const char *dir, unsigned flags, struct ec_office **out)
{
	struct ec_office *o = NULL;
	char path[PATH_MAX];
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
	if ((r = ec_kv_open(path, 0, 0700, 0600, 0, office_dbs, EC_ODB_COUNT, &o->kv)) ||
	    (r = lock_writer(path, &o->lockfd)) ||
	    (r = ec_kv_update(o->kv, init_txn, NULL)))
		goto out;
	if ((r = ec_path(path, sizeof path, dir, EC_P_PUBLIC, NULL)))
		goto out;
	if ((r = ec_pubw_open(path, &o->pub)) || (r = ec_pubw_generation(o->pub, &pgen)))
		goto out;
	if ((r = ec_kv_view(o->kv, gen_txn, &ogen)))
		goto out;
	/* A previous writer stopped between its office and public commits: repair now. */
	if (ogen != pgen && (r = publish(o, NULL)))
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

static int
writable(struct ec_office *o)
{
	if (!o->pub)
		return ec_err_set(EC_ERR_ARG, "office register '%s' is open read-only", ec_kv_path(o->kv));
	return 0;
}

/* Public upkeep after an office commit. */

/* The public record of c; issued: as ec_office_issue stores it (valid, nothing revoked or superseded). */
static int
pub_of(struct ec_office *o, const struct ec_cert *c, int issued, struct ec_pub *p)
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
static int
pub_sync(struct ec_office *o, const struct ec_cert *const *certs, size_t n, int issued, uint64_t gen)
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
		r = pub_of(o, certs[i], issued, &o->pubs[i]);
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

/* Import. */

struct import_ctx {
	const struct ec_exam_src *src;
	struct ec_import_stats st;
	struct ec_buf b;
};

static int
import_txn(struct ec_kvtxn *t, void *ctx)
{
	struct import_ctx *c = ctx;
	struct ec_exam row;
	struct ec_kv_val v;
	int64_t now = ec_time_now();
	size_t klen;
	int r;

	memset(&c->st, 0, sizeof c->st);
	if ((r = c->src->rewind(c->src->ctx)))
		return r;
	while ((r = c->src->next(c->src->ctx, &row)) == 1) {
		if ((r = regno_check(row.reg_no)))
			return r;
		klen = strlen(row.reg_no);
		ec_buf_reset(&c->b);
		if ((r = ec_rec_exam_enc(&c->b, &row)))
			return ec_err_set(r, "registration number '%s': %s", row.reg_no, ec_err_msg(r));
		r = ec_kv_get(t, EC_ODB_EXAM, row.reg_no, klen, &v);
		if (r == 0) {
			if (v.n != c->b.len || memcmp(v.p, c->b.p, v.n) != 0)
				return ec_err_set(EC_ERR_REFUSED, "registration number '%s' already imported with "
				    "different data", row.reg_no);
			c->st.unchanged++;
			continue;
		}
		if (r != EC_ERR_NOTFOUND)
			return r;
		if ((r = ec_kv_put(t, EC_ODB_EXAM, row.reg_no, klen, c->b.p, c->b.len, 0)) ||
		    (r = ec_audit_append(t, now, EC_AUDIT_IMPORT, EC_AUDIT_SUBJ_REGNO, row.reg_no, c->b.p, c->b.len)))
			return r;
		c->st.added++;
	}
	return r < 0 ? r : 0;
}

int
ec_office_import_stream(struct ec_office *o, const struct ec_exam_src *src, struct ec_import_stats *st)
{
	struct import_ctx c;
	int r;

	memset(&c, 0, sizeof c);
	if ((r = writable(o)))
		return r;
	c.src = src;
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
ec_office_import(struct ec_office *o, const struct ec_exam *rows, size_t n, struct ec_import_stats *st)
{
	struct array_src a = { rows, n, 0 };
	struct ec_exam_src src = { array_rewind, array_next, &a };

	return ec_office_import_stream(o, &src, st);
}

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
		return cert_load(g->o, t, g->key, g->out);
	if ((r = regno_check(g->key)))
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

/* Applications. */

struct apply_ctx {
	const struct ec_app *apps;
	size_t n;
	int *rc;
	struct ec_app *existing;
	struct ec_buf b;
};

/* One application inside the transaction: a soft refusal goes to *rc, a hard failure is returned. */
static int
apply_one(struct ec_kvtxn *t, const struct ec_app *in, struct ec_buf *b, struct ec_app *existing, int *rc)
{
	struct ec_app a;
	struct ec_exam x;
	struct ec_kv_val v;
	size_t klen;
	int r;

	if ((r = regno_check(in->reg_no))) {
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
	if ((r = writable(o)))
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
	if ((r = writable(o)))
		return r;
	c.apps = apps;
	c.n = n;
	c.rc = rc;
	r = ec_kv_update(o->kv, apply_txn, &c);
	ec_buf_free(&c.b);
	return r;
}

/* Iteration. */

struct each_ctx {
	struct ec_office *o;
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
exams_txn(struct ec_kvtxn *t, void *ctx)
{
	struct each_ctx *e = ctx;
	struct ec_kvcur *c = NULL;
	struct ec_kv_val k, v;
	int r;

	if ((r = ec_kv_cursor(t, EC_ODB_EXAM, &c)))
		return r;
	for (r = ec_kv_seek(c, NULL, 0, &k, &v); r == 0; r = ec_kv_next(c, &k, &v)) {
		if ((r = ec_rec_exam_dec(v.p, v.n, k.p, k.n, &e->u.x)) || (r = e->exam(e->ctx, &e->u.x)))
			goto out;
	}
	if (r == EC_ERR_NOTFOUND)
		r = 0;
out:
	ec_kv_cursor_close(c);
	return r > 0 ? 0 : r;
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

static int
apps_txn(struct ec_kvtxn *t, void *ctx)
{
	struct each_ctx *e = ctx;
	struct ec_kvcur *c = NULL;
	struct ec_kv_val k, v;
	int r;

	if ((r = ec_kv_cursor(t, e->requested_only ? EC_ODB_PENDING : EC_ODB_APP, &c)))
		return r;
	r = e->after ? ec_kv_seek(c, e->after, e->afterlen, &k, &v) : ec_kv_seek(c, NULL, 0, &k, &v);
	if (r == 0 && e->after && k.n == e->afterlen && memcmp(k.p, e->after, k.n) == 0)
		r = ec_kv_next(c, &k, &v);
	for (; r == 0; r = ec_kv_next(c, &k, &v)) {
		if (e->requested_only && (r = ec_kv_get(t, EC_ODB_APP, k.p, k.n, &v))) {
			if (r == EC_ERR_NOTFOUND)
				r = ec_err_set(EC_ERR_CORRUPT, "pending application without its record");
			goto out;
		}
		if ((r = ec_rec_app_dec(v.p, v.n, k.p, k.n, &e->u.a)) ||
		    (r = e->pend ? pend_visit(t, e) : e->app(e->ctx, &e->u.a)))
			goto out;
	}
	if (r == EC_ERR_NOTFOUND)
		r = 0;
out:
	ec_kv_cursor_close(c);
	return r > 0 ? 0 : r;
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

	if (after[0] && (r = regno_check(after)))
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

static int
certs_txn(struct ec_kvtxn *t, void *ctx)
{
	struct each_ctx *e = ctx;
	struct ec_kvcur *c = NULL;
	struct ec_kv_val k, v, cv;
	unsigned char prefix[EMAIL_KEY_MAX];
	size_t plen = 0;
	int by_email = e->f && e->f->email, r;

	if (by_email)
		plen = email_key(e->f->email, NULL, prefix);
	if ((r = ec_kv_cursor(t, by_email ? EC_ODB_EMAIL : EC_ODB_CERT, &c)))
		return r;
	for (r = ec_kv_seek(c, by_email ? prefix : NULL, plen, &k, &v); r == 0; r = ec_kv_next(c, &k, &v)) {
		if (by_email) {
			if (k.n != plen + EC_NUMBIN || memcmp(k.p, prefix, plen) != 0) {
				r = EC_ERR_NOTFOUND;
				break;
			}
			if ((r = ec_kv_get(t, EC_ODB_CERT, k.p + plen, EC_NUMBIN, &cv))) {
				if (r == EC_ERR_NOTFOUND)
					r = ec_err_set(EC_ERR_CORRUPT, "email index names a missing certificate");
				goto out;
			}
			r = cert_dec(e->o, t, &cv, k.p + plen, &e->u.c, WANT_ALL);
		} else {
			r = k.n == EC_NUMBIN ? cert_dec(e->o, t, &v, k.p, &e->u.c, WANT_ALL) :
			    ec_err_set(EC_ERR_CORRUPT, "stored certificate key is corrupt");
		}
		if (r || (r = cert_visit(e)))
			goto out;
	}
	if (r == EC_ERR_NOTFOUND)
		r = 0;
out:
	ec_kv_cursor_close(c);
	return r > 0 ? 0 : r;
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

/* Issuance. */

struct issue_ctx {
	struct skel_memo m;
	const struct ec_cert *certs;
	size_t n;
	int *rc;
	uint64_t gen;
	struct ec_cert c;
	struct ec_app a;
	struct ec_buf b;
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
	if ((r = regno_check(in->reg_no)) || (r = ec_rec_num_pack(in->e.number, key))) {
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
	if ((r = cert_encode(t, &x->m, &x->c, &x->b))) {
		if (r != EC_ERR_ARG)
			return r;
		*rc = r;
		return 0;
	}
	x->a.status = EC_ST_VALID;
	memcpy(x->a.number, in->e.number, sizeof x->a.number);
	if ((r = cert_put(t, &x->c, &x->b, EC_KV_NOOVERWRITE, EC_AUDIT_ISSUE)) || (r = email_index(t, &x->c)))
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
		stored += x->rc[i] == 0;
	}
	return stored ? gen_bump(t, &x->gen) : 0;
}

static int
by_number(const void *a, const void *b)
{
	return strcmp((*(const struct ec_cert *const *)a)->e.number, (*(const struct ec_cert *const *)b)->e.number);
}

int
ec_office_issue(struct ec_office *o, const struct ec_cert *certs, size_t n, int *rc)
{
	struct issue_ctx *x;
	const struct ec_cert **done = NULL;
	size_t i, m = 0;
	int r;

	if ((r = writable(o)))
		return r;
	if (!(x = calloc(1, sizeof *x)) || (n && !(done = calloc(n, sizeof *done)))) {
		free(x);
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	}
	x->certs = certs;
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
		r = pub_sync(o, done, m, 1, x->gen);
	}
out:
	ec_buf_free(&x->b);
	free(x);
	free(done);
	return r;
}

/* Revocation. */

struct revoke_ctx {
	struct ec_office *o;
	struct skel_memo m;
	const char *number;
	int64_t at;
	const char *reason;
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
	if ((r = cert_load(x->o, t, x->number, &x->c)))
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
	    (r = cert_store(t, &x->m, &x->c, &x->b, 0, EC_AUDIT_REVOKE)) ||
	    (r = ec_kv_put(t, EC_ODB_REVOKED, key, sizeof key, "", 0, 0)))
		return r;
	return gen_bump(t, &x->gen);
}

int
ec_office_revoke(struct ec_office *o, const char *number, int64_t at, const char *reason, struct ec_cert *out)
{
	const struct ec_cert *one[1];
	struct revoke_ctx *x;
	int r;

	if ((r = writable(o)))
		return r;
	if (!reason || !reason[0] || strlen(reason) > EC_REASON_MAX)
		return ec_err_set(EC_ERR_ARG, "revocation reason missing or too long");
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o;
	x->number = number;
	x->at = at;
	x->reason = reason;
	if ((r = ec_kv_update(o->kv, revoke_txn, x)))
		goto out;
	if (out)
		*out = x->c;
	one[0] = &x->c;
	r = pub_sync(o, one, 1, 0, x->gen);
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
	uint64_t gen;
	struct ec_cert n, old;
	struct ec_buf b;
};

static int
renew_txn(struct ec_kvtxn *t, void *ctx)
{
	struct renew_ctx *x = ctx;
	unsigned char key[EC_NUMBIN];
	struct ec_kv_val v;
	int r;

	x->n = *x->newc;
	fresh(&x->n);
	x->m.valid = 0;
	if ((r = cert_load(x->o, t, x->n.e.renewal_of, &x->old)))
		return r;
	if (x->old.status == EC_ST_REVOKED)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is revoked", x->old.e.number);
	if (x->old.status == EC_ST_SUPERSEDED)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' was renewed already as '%s'", x->old.e.number,
		    x->old.superseded_by);
	if ((r = ec_rec_num_pack(x->n.e.number, key)))
		return r;
	r = ec_kv_get(t, EC_ODB_CERT, key, sizeof key, &v);
	if (r == 0)
		return ec_err_set(EC_ERR_REFUSED, "certificate number '%s' is in use", x->n.e.number);
	if (r != EC_ERR_NOTFOUND)
		return r;
	if ((r = cert_store(t, &x->m, &x->n, &x->b, EC_KV_NOOVERWRITE, EC_AUDIT_RENEW)) || (r = email_index(t, &x->n)))
		return r;
	x->old.status = EC_ST_SUPERSEDED;
	memcpy(x->old.superseded_by, x->n.e.number, sizeof x->old.superseded_by);
	if ((r = cert_store(t, &x->m, &x->old, &x->b, 0, EC_AUDIT_SUPERSEDE)))
		return r;
	return gen_bump(t, &x->gen);
}

int
ec_office_renew(struct ec_office *o, const struct ec_cert *newc)
{
	const struct ec_cert *two[2];
	struct renew_ctx *x;
	int r;

	if ((r = writable(o)))
		return r;
	if (!newc->e.renewal_of[0])
		return ec_err_set(EC_ERR_ARG, "a renewal must name the certificate it renews");
	if (!(x = calloc(1, sizeof *x)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	x->o = o;
	x->newc = newc;
	if ((r = ec_kv_update(o->kv, renew_txn, x)))
		goto out;
	two[0] = &x->old;
	two[1] = &x->n;
	r = pub_sync(o, two, 2, 0, x->gen);
out:
	ec_buf_free(&x->b);
	free(x);
	return r;
}

/* Shipping. */

struct mail_ctx {
	struct ec_office *o;
	struct skel_memo m;
	const char *number, *carrier, *order;
	int64_t at;
	struct ec_cert c;
	struct ec_buf b;
};

static int
mail_txn(struct ec_kvtxn *t, void *ctx)
{
	struct mail_ctx *x = ctx;
	int r;

	x->m.valid = 0;
	if ((r = cert_load(x->o, t, x->number, &x->c)))
		return r;
	if (x->c.e.format != EC_FORMAT_PAPER)
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' is electronic: nothing to ship", x->number);
	if (x->c.carrier[0]) {
		if (strcmp(x->c.carrier, x->carrier) == 0 && strcmp(x->c.order, x->order) == 0)
			return 0;
		return ec_err_set(EC_ERR_REFUSED, "certificate '%s' was shipped already by %s, order %s", x->number,
		    x->c.carrier, x->c.order);
	}
	memcpy(x->c.carrier, x->carrier, strlen(x->carrier) + 1);
	memcpy(x->c.order, x->order, strlen(x->order) + 1);
	x->c.mailed_at = x->at;
	return cert_store(t, &x->m, &x->c, &x->b, 0, EC_AUDIT_MAIL);
}

int
ec_office_mail(struct ec_office *o, const char *number, const char *carrier, const char *order, int64_t at)
{
	struct mail_ctx *x;
	int r;

	if ((r = writable(o)))
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
	r = ec_kv_update(o->kv, mail_txn, x);
	ec_buf_free(&x->b);
	free(x);
	return r;
}

/* CRL support. */

struct revoked_ctx {
	struct ec_office *o;
	const char *kid;
	int (*fn)(void *ctx, const char *number, int64_t revoked_at, const char *reason);
	void *ctx;
	struct ec_cert c;
};

static int
revoked_txn(struct ec_kvtxn *t, void *ctx)
{
	struct revoked_ctx *x = ctx;
	struct ec_kvcur *c = NULL;
	struct ec_kv_val k, v;
	int r;

	if ((r = ec_kv_cursor(t, EC_ODB_REVOKED, &c)))
		return r;
	for (r = ec_kv_seek(c, x->kid, EC_KID_LEN, &k, &v); r == 0; r = ec_kv_next(c, &k, &v)) {
		if (k.n != REVOKED_KEY || memcmp(k.p, x->kid, EC_KID_LEN) != 0) {
			r = EC_ERR_NOTFOUND;
			break;
		}
		if ((r = ec_kv_get(t, EC_ODB_CERT, k.p + EC_KID_LEN, EC_NUMBIN, &v)) ||
		    (r = cert_dec(x->o, t, &v, k.p + EC_KID_LEN, &x->c, 0))) {
			if (r == EC_ERR_NOTFOUND)
				r = ec_err_set(EC_ERR_CORRUPT, "revocation index names a missing certificate");
			goto out;
		}
		if ((r = x->fn(x->ctx, x->c.e.number, x->c.revoked_at, x->c.reason)))
			goto out;
	}
	if (r == EC_ERR_NOTFOUND)
		r = 0;
out:
	ec_kv_cursor_close(c);
	return r > 0 ? 0 : r;
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

	if ((r = writable(o)))
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
	if (r || (r = cert_dec(s->o, s->t, &v, k.p, &s->cert, WANT_ISSUER)) || (r = pub_of(s->o, &s->cert, 0, p)))
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

	if ((r = gen_bump(t, &x->gen)))
		return r;
	ec_rec_put64(rec, x->gen);
	return ec_audit_append(t, ec_time_now(), EC_AUDIT_PUBLISH, EC_AUDIT_SUBJ_NONE, NULL, rec, sizeof rec);
}

/*
 * The office generation is bumped and committed first; the public register takes it only when its
 * rebuild commits, so a crash in between is seen (and repaired) by the next writable open.
 */
static int
publish(struct ec_office *o, size_t *count)
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

	if ((r = writable(o)))
		return r;
	return publish(o, count);
}
