/* The public register DIR/public/: thread-safe read-only lookups for ecert-verifyd, batch writes for ecert-issue. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "buf.h"
#include "date.h"
#include "digest.h"
#include "err.h"
#include "name.h"
#include "public.h"
#include "record.h"
#include "register.h"

#define KEY_LEN 32
#define FORMAT 1
#define NAME_INPUT_MAX 1024     /* longer typed names cannot match a 64-code-point name */

static const char *const pub_dbs[] = { "meta", "cert" };
enum { PDB_META, PDB_CERT, PDB_COUNT };

/* key is the name key as read or drawn; mac holds it prepared for HMAC-SHA-256. */
struct ec_pubreg {
	struct ec_kv *kv;
	unsigned char key[KEY_LEN];
	struct ec_hmac mac;
};

struct ec_pubw {
	struct ec_kv *kv;
	unsigned char key[KEY_LEN];
	struct ec_hmac mac;
};

enum ec_status
ec_pub_status(const struct ec_pub *p, ec_day today)
{
	if ((p->status == EC_ST_VALID || p->status == EC_ST_SUPERSEDED) && today > p->expires)
		return EC_ST_EXPIRED;
	return p->status;
}

const char *
ec_status_name(enum ec_status s)
{
	switch (s) {
	case EC_ST_NOT_APPLIED: return "not_applied";
	case EC_ST_REQUESTED: return "requested";
	case EC_ST_VALID: return "valid";
	case EC_ST_REVOKED: return "revoked";
	case EC_ST_EXPIRED: return "expired";
	case EC_ST_SUPERSEDED: return "superseded";
	}
	return "unknown";
}

const char *
ec_status_word(enum ec_status s)
{
	switch (s) {
	case EC_ST_NOT_APPLIED: return "Not Applied";
	case EC_ST_REQUESTED: return "Requested";
	case EC_ST_VALID: return "Approved";
	case EC_ST_REVOKED: return "Revoked";
	case EC_ST_EXPIRED: return "Expired";
	case EC_ST_SUPERSEDED: return "Superseded";
	}
	return "Unknown";
}

/* The format version and the name key, as the reader and the writer both need them. */
static int
load_meta(struct ec_kvtxn *t, unsigned char key[KEY_LEN])
{
	struct ec_kv_val v;
	uint64_t fmt;
	int present, r;

	if ((r = ec_kv_get64(t, PDB_META, "format", &fmt, &present)))
		return r;
	if (!present)
		return ec_err_set(EC_ERR_CORRUPT, "public register is not initialised");
	if (fmt != FORMAT)
		return ec_err_set(EC_ERR_UNSUPPORTED, "public register format %llu is not supported",
		    (unsigned long long)fmt);
	if ((r = ec_kv_get(t, PDB_META, "namekey", 7, &v)))
		return r == EC_ERR_NOTFOUND ? ec_err_set(EC_ERR_CORRUPT, "public register has no name key") : r;
	if (v.n != KEY_LEN)
		return ec_err_set(EC_ERR_CORRUPT, "public register name key is corrupt");
	memcpy(key, v.p, KEY_LEN);
	return 0;
}

static int
reader_meta(struct ec_kvtxn *t, void *ctx)
{
	struct ec_pubreg *r = ctx;

	return load_meta(t, r->key);
}

/* path names DIR/public; for convenience the state directory DIR itself is accepted too. */
int
ec_pubreg_open(const char *path, struct ec_pubreg **out)
{
	struct ec_pubreg *r = NULL;
	struct ec_buf b;
	struct stat st;
	int rc;

	*out = NULL;
	ec_buf_init(&b);
	ec_buf_addf(&b, "%s/data.mdb", path);
	if (b.err) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (stat(b.p, &st) != 0) {
		ec_buf_reset(&b);
		ec_buf_addf(&b, "%s/public", path);
	} else {
		ec_buf_reset(&b);
		ec_buf_adds(&b, path);
	}
	if (b.err || !(r = calloc(1, sizeof *r))) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ec_kv_open(b.p, EC_KV_RDONLY, 0, 0, 0, pub_dbs, PDB_COUNT, &r->kv)))
		goto out;
	if ((rc = ec_kv_view(r->kv, reader_meta, r)) || (rc = ec_hmac_init(&r->mac, r->key, KEY_LEN)))
		goto out;
	*out = r;
	r = NULL;
out:
	ec_pubreg_close(r);
	ec_buf_free(&b);
	return rc;
}

void
ec_pubreg_close(struct ec_pubreg *r)
{
	if (!r)
		return;
	ec_kv_close(r->kv);
	ec_hmac_free(&r->mac);
	OPENSSL_cleanse(r->key, sizeof r->key);
	free(r);
}

int
ec_pubreg_get(struct ec_pubreg *r, const char *number, struct ec_pub *out)
{
	unsigned char key[EC_NUMBIN];
	struct ec_kvtxn *t;
	struct ec_kv_val v;
	int rc;

	if (strnlen(number, EC_NUMBER_DIGITS + 1) != EC_NUMBER_DIGITS || ec_rec_num_pack(number, key))
		return ec_err_set(EC_ERR_ARG, "'%.40s' is not a 22-digit number", number);
	if ((rc = ec_kv_rbegin(r->kv, &t)))
		return rc;
	rc = ec_kv_get(t, PDB_CERT, key, sizeof key, &v);
	if (rc == 0)
		rc = ec_rec_pub_dec(v.p, v.n, key, sizeof key, out);
	ec_kv_rend(t);
	if (rc == EC_ERR_NOTFOUND)
		return ec_err_set(EC_ERR_NOTFOUND, "no certificate '%s'", number);
	return rc;
}

/* HMAC-SHA-256 of the folded name under the prepared key; the folded copy is wiped. */
static int
name_mac(const struct ec_hmac *mac, const char *name, size_t len, unsigned char out[32])
{
	char *fold = NULL;
	int r;

	if ((r = ec_name_fold(name, len, &fold)))
		return r;
	if (ec_hmac(mac, fold, strlen(fold), out) != EC_OK)
		r = ec_err_set(EC_ERR_CRYPTO, "cannot compute the name check");
	OPENSSL_cleanse(fold, strlen(fold));
	free(fold);
	return r;
}

int
ec_pubreg_name_matches(struct ec_pubreg *r, const struct ec_pub *p, const char *name, size_t len)
{
	unsigned char mac[32];
	int match;

	if (len == 0 || len > NAME_INPUT_MAX || name_mac(&r->mac, name, len, mac))
		return 0;
	match = CRYPTO_memcmp(mac, p->name_mac, sizeof mac) == 0;
	OPENSSL_cleanse(mac, sizeof mac);
	return match;
}

static int
age_txn(struct ec_kvtxn *t, void *ctx)
{
	uint64_t *mtime = ctx;
	int present;

	return ec_kv_get64(t, PDB_META, "mtime", mtime, &present);
}

int64_t
ec_pubreg_age(struct ec_pubreg *r)
{
	uint64_t mtime = 0;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if ((rc = ec_kv_view(r->kv, age_txn, &mtime)))
		return rc;
	return now > (int64_t)mtime ? now - (int64_t)mtime : 0;
}

/* Write side. */

static int
writer_init(struct ec_kvtxn *t, void *ctx)
{
	struct ec_pubw *w = ctx;
	uint64_t fmt;
	int present, r;

	if ((r = ec_kv_get64(t, PDB_META, "format", &fmt, &present)))
		return r;
	if (!present) {
		if (RAND_bytes(w->key, KEY_LEN) != 1)
			return ec_err_set(EC_ERR_CRYPTO, "cannot draw the public register's name key");
		if ((r = ec_kv_put64(t, PDB_META, "format", FORMAT)) ||
		    (r = ec_kv_put(t, PDB_META, "namekey", 7, w->key, KEY_LEN, 0)) ||
		    (r = ec_kv_put64(t, PDB_META, "gen", 0)))
			return r;
		return 0;
	}
	return load_meta(t, w->key);
}

int
ec_pubw_open(const char *path, struct ec_pubw **out)
{
	struct ec_pubw *w;
	int r;

	*out = NULL;
	if (!(w = calloc(1, sizeof *w)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	if ((r = ec_kv_open(path, 0, 0755, 0644, 0, pub_dbs, PDB_COUNT, &w->kv)) ||
	    (r = ec_kv_update(w->kv, writer_init, w)) || (r = ec_hmac_init(&w->mac, w->key, KEY_LEN))) {
		ec_pubw_close(w);
		return r;
	}
	*out = w;
	return 0;
}

void
ec_pubw_close(struct ec_pubw *w)
{
	if (!w)
		return;
	ec_kv_close(w->kv);
	ec_hmac_free(&w->mac);
	OPENSSL_cleanse(w->key, sizeof w->key);
	free(w);
}

static int
gen_txn(struct ec_kvtxn *t, void *ctx)
{
	int present;

	return ec_kv_get64(t, PDB_META, "gen", ctx, &present);
}

int
ec_pubw_generation(struct ec_pubw *w, uint64_t *gen)
{
	*gen = 0;
	return ec_kv_view(w->kv, gen_txn, gen);
}

/* Bounded copy; EC_ERR_ARG when src does not fit. */
static int
cpy(char *dst, size_t size, const char *src, const char *field)
{
	size_t n = strlen(src);

	if (n >= size)
		return ec_err_set(EC_ERR_ARG, "field '%s' too long", field);
	memcpy(dst, src, n + 1);
	return 0;
}

int
ec_pubw_make(struct ec_pubw *w, const struct ec_ecert *e, enum ec_status status, int64_t revoked_at,
    const char *reason, const char *superseded_by, const char *issuer, struct ec_pub *out)
{
	char *masked = NULL;
	int r;

	memset(out, 0, sizeof *out);
	out->status = status;
	out->effective = e->effective;
	out->expires = e->expires;
	if (status == EC_ST_REVOKED)
		out->revoked_on = ec_date_from_time(revoked_at);
	if ((r = cpy(out->number, sizeof out->number, e->number, "number")) ||
	    (r = cpy(out->code, sizeof out->code, e->code, "certification")) ||
	    (r = cpy(out->title, sizeof out->title, e->title, "title")) ||
	    (r = cpy(out->renewal_of, sizeof out->renewal_of, e->renewal_of, "renewal_of")) ||
	    (r = cpy(out->kid, sizeof out->kid, e->kid, "kid")) ||
	    (r = cpy(out->reason, sizeof out->reason, reason ? reason : "", "reason")) ||
	    (r = cpy(out->superseded_by, sizeof out->superseded_by, superseded_by ? superseded_by : "",
	    "superseded_by")) ||
	    (r = cpy(out->issuer, sizeof out->issuer, issuer ? issuer : "", "issuer")))
		goto out;
	if ((r = ec_name_mask(e->name, &masked)) ||
	    (r = cpy(out->name_masked, sizeof out->name_masked, masked, "name_masked")))
		goto out;
	r = name_mac(&w->mac, e->name, strlen(e->name), out->name_mac);
out:
	free(masked);
	return r;
}

static int
finish(struct ec_kvtxn *t, uint64_t generation)
{
	int r;

	if ((r = ec_kv_put64(t, PDB_META, "gen", generation)))
		return r;
	return ec_kv_put64(t, PDB_META, "mtime", (uint64_t)time(NULL));
}

struct put_ctx {
	const struct ec_pub *recs;
	size_t n;
	uint64_t gen;
	struct ec_buf b;
};

static int
put_txn(struct ec_kvtxn *t, void *ctx)
{
	struct put_ctx *c = ctx;
	unsigned char key[EC_NUMBIN];
	size_t i;
	int r;

	for (i = 0; i < c->n; i++) {
		ec_buf_reset(&c->b);
		if ((r = ec_rec_num_pack(c->recs[i].number, key)) || (r = ec_rec_pub_enc(&c->b, &c->recs[i])) ||
		    (r = ec_kv_put(t, PDB_CERT, key, sizeof key, c->b.p, c->b.len, 0)))
			return r;
	}
	return finish(t, c->gen);
}

int
ec_pubw_put(struct ec_pubw *w, const struct ec_pub *recs, size_t n, uint64_t generation)
{
	struct put_ctx c = { recs, n, generation, { NULL, 0, 0, 0 } };
	int r;

	r = ec_kv_update(w->kv, put_txn, &c);
	ec_buf_free(&c.b);
	return r;
}

struct rebuild_ctx {
	int (*rewind)(void *ctx);
	int (*next)(void *ctx, struct ec_pub *p);
	void *ctx;
	uint64_t gen;
	size_t count;
	struct ec_pub p;
	struct ec_buf b;
};

static int
rebuild_txn(struct ec_kvtxn *t, void *ctx)
{
	struct rebuild_ctx *c = ctx;
	unsigned char key[EC_NUMBIN];
	int r;

	c->count = 0;
	if ((r = c->rewind(c->ctx)) || (r = ec_kv_clear(t, PDB_CERT)))
		return r;
	while ((r = c->next(c->ctx, &c->p)) == 1) {
		ec_buf_reset(&c->b);
		if ((r = ec_rec_num_pack(c->p.number, key)) || (r = ec_rec_pub_enc(&c->b, &c->p)))
			return r;
		r = ec_kv_put(t, PDB_CERT, key, sizeof key, c->b.p, c->b.len, EC_KV_APPEND);
		if (r == EC_ERR_EXISTS)
			return ec_err_set(EC_ERR_ARG, "public records not in number order at '%s'", c->p.number);
		if (r)
			return r;
		c->count++;
	}
	if (r < 0)
		return r;
	return finish(t, c->gen);
}

int
ec_pubw_rebuild(struct ec_pubw *w, int (*rewind)(void *ctx), int (*next)(void *ctx, struct ec_pub *p),
    void *ctx, uint64_t generation, size_t *count)
{
	struct rebuild_ctx *c;
	int r;

	if (!(c = calloc(1, sizeof *c)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	c->rewind = rewind;
	c->next = next;
	c->ctx = ctx;
	c->gen = generation;
	r = ec_kv_update(w->kv, rebuild_txn, c);
	if (r == 0 && count)
		*count = c->count;
	ec_buf_free(&c->b);
	free(c);
	return r;
}
