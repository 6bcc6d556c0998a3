/* The public register DIR/public/: thread-safe read-only lookups for ecert-verifyd, batch writes for ecert-issue. */
#include <stdlib.h>
#include <errno.h>
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
#include "text.h"
#include "file.h"
#include "name.h"
#include "public.h"
#include "record.h"
#include "register.h"

#define KEY_LEN EC_NAME_KEY_LEN
#define FORMAT 1
#define NAME_INPUT_MAX 1024     /* longer typed names cannot match a 64-code-point name */

static const char *const pub_dbs[] = { "meta", "cert" };
enum { PDB_META, PDB_CERT, PDB_COUNT };

/* key is the name key (DIR/name.key); mac holds it prepared for HMAC-SHA-256; have_key: loaded. */
struct ec_pubreg {
	struct ec_kv *kv;
	unsigned char key[KEY_LEN];
	struct ec_hmac mac;
	int have_key;
};

struct ec_pubw {
	struct ec_kv *kv;
	unsigned char key[KEY_LEN];
	struct ec_hmac mac;
	int have_mac;
	const char *key_path;    /* borrowed for the duration of ec_pubw_open */
};

enum ec_status
ec_pub_status(const struct ec_pub *p, ec_day today)
{
	if ((p->status == EC_ST_VALID || p->status == EC_ST_SUPERSEDED) && today > p->expires)
		return EC_ST_EXPIRED;
	if (p->status == EC_ST_VALID && today < p->effective)
		return EC_ST_NOT_YET_VALID;
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
	case EC_ST_NOT_YET_VALID: return "not_yet_valid";
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
	case EC_ST_NOT_YET_VALID: return "Not Yet Valid";
	}
	return "Unknown";
}

/* The format version, as the reader and the writer both check it. */
static int
check_format(struct ec_kvtxn *t)
{
	uint64_t fmt;
	int present, r;

	if ((r = ec_kv_get64(t, PDB_META, "format", &fmt, &present)))
		return r;
	if (!present)
		return ec_err_set(EC_ERR_CORRUPT, "public register is not initialised");
	if (fmt != FORMAT)
		return ec_err_set(EC_ERR_UNSUPPORTED, "public register format %llu is not supported",
		    (unsigned long long)fmt);
	return 0;
}

static int
reader_meta(struct ec_kvtxn *t, void *ctx)
{
	(void)ctx;
	return check_format(t);
}

/*
 * The name key file: 64 hexadecimal digits and a newline. It lives beside the public register, never
 * in it, so that a copy of the register (a replica, a backup, a world-readable data.mdb) cannot be used
 * to test guessed names offline; only the writer and the endpoint's user may read it.
 */
static int
key_read(const char *path, unsigned char key[KEY_LEN])
{
	char *text = NULL;
	size_t len = 0, i;
	int hi, lo, rc;

	if ((rc = ec_file_read(path, 4 * KEY_LEN, &text, &len)) != EC_OK)
		return rc == EC_ERR_IO && errno == ENOENT ? ec_err_set(EC_ERR_NOTFOUND, "no name key '%s'", path) : rc;
	rc = EC_OK;
	if (len < 2 * KEY_LEN || (len > 2 * KEY_LEN && strcmp(text + 2 * KEY_LEN, "\n") != 0))
		rc = ec_err_set(EC_ERR_CORRUPT, "name key '%s' is not 64 hexadecimal digits", path);
	for (i = 0; rc == EC_OK && i < KEY_LEN; i++) {
		if ((hi = ec_hexval(text[2 * i])) < 0 || (lo = ec_hexval(text[2 * i + 1])) < 0)
			rc = ec_err_set(EC_ERR_CORRUPT, "name key '%s' is not 64 hexadecimal digits", path);
		else
			key[i] = (unsigned char)(hi << 4 | lo);
	}
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

/* Write key to path, mode 0640, never over an existing file. */
static int
key_write(const char *path, const unsigned char key[KEY_LEN])
{
	char text[2 * KEY_LEN + 2];
	size_t i;
	int rc;

	for (i = 0; i < KEY_LEN; i++)
		snprintf(text + 2 * i, 3, "%02x", key[i]);
	text[2 * KEY_LEN] = '\n';
	text[2 * KEY_LEN + 1] = '\0';
	rc = ec_file_write(path, text, 2 * KEY_LEN + 1, 0640, 0);
	OPENSSL_cleanse(text, sizeof text);
	return rc;
}

int
ec_name_key_read(const char *path, unsigned char key[EC_NAME_KEY_LEN])
{
	return key_read(path, key);
}

int
ec_pubreg_name_key(struct ec_pubreg *r, const unsigned char key[EC_NAME_KEY_LEN])
{
	int rc;

	if (r->have_key)
		return EC_OK;
	memcpy(r->key, key, KEY_LEN);
	if ((rc = ec_hmac_init(&r->mac, r->key, KEY_LEN)) != EC_OK) {
		OPENSSL_cleanse(r->key, sizeof r->key);
		return rc;
	}
	r->have_key = 1;
	return EC_OK;
}

/* path names DIR/public; for convenience the state directory DIR itself is accepted too. */
static int
open_as(const char *path, unsigned flags, struct ec_pubreg **out)
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
	if ((rc = ec_kv_open(b.p, flags, 0, 0, 0, pub_dbs, PDB_COUNT, &r->kv)))
		goto out;
	if ((rc = ec_kv_view(r->kv, reader_meta, r)))
		goto out;
	*out = r;
	r = NULL;
out:
	ec_pubreg_close(r);
	ec_buf_free(&b);
	return rc;
}

int
ec_pubreg_open(const char *path, struct ec_pubreg **out)
{
	return open_as(path, EC_KV_RDONLY, out);
}

int
ec_pubreg_open_frozen(const char *path, struct ec_pubreg **out)
{
	return open_as(path, EC_KV_RDONLY | EC_KV_FROZEN, out);
}

int
ec_pubreg_copy(struct ec_pubreg *r, const char *dir)
{
	return ec_kv_copy(r->kv, dir);
}

struct counts {
	uint64_t gen;
	size_t n;
};

static int
counts_txn(struct ec_kvtxn *t, void *ctx)
{
	struct counts *c = ctx;
	int present, r;

	if ((r = ec_kv_get64(t, PDB_META, "gen", &c->gen, &present)))
		return r;
	return ec_kv_count(t, PDB_CERT, &c->n);
}

int
ec_pubreg_counts(struct ec_pubreg *r, uint64_t *generation, size_t *certificates)
{
	struct counts c = { 0, 0 };
	int rc;

	if ((rc = ec_kv_view(r->kv, counts_txn, &c)))
		return rc;
	*generation = c.gen;
	*certificates = c.n;
	return 0;
}

void
ec_pubreg_close(struct ec_pubreg *r)
{
	if (!r)
		return;
	ec_kv_close(r->kv);
	if (r->have_key)
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

	if (!r->have_key)
		return ec_err_set(EC_ERR_UNSUPPORTED, "name confirmation is not set up here (no name key)");
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

/*
 * A new register gets its format and generation; an existing one is checked. A name key that an
 * earlier version kept in the register's metadata is moved out to the key file (when there is none
 * yet, so the stored HMACs stay right) and deleted from the register.
 */
static int
writer_init(struct ec_kvtxn *t, void *ctx)
{
	struct ec_pubw *w = ctx;
	struct ec_kv_val v;
	struct stat st;
	uint64_t fmt;
	int present, r;

	if ((r = ec_kv_get64(t, PDB_META, "format", &fmt, &present)))
		return r;
	if (!present)
		return (r = ec_kv_put64(t, PDB_META, "format", FORMAT)) ? r : ec_kv_put64(t, PDB_META, "gen", 0);
	if ((r = check_format(t)))
		return r;
	if ((r = ec_kv_get(t, PDB_META, "namekey", 7, &v)) == EC_ERR_NOTFOUND)
		return 0;
	if (r)
		return r;
	if (v.n == KEY_LEN && lstat(w->key_path, &st) != 0 && (r = key_write(w->key_path, v.p)) != EC_OK)
		return r;
	return ec_kv_del(t, PDB_META, "namekey", 7);
}

int
ec_pubw_open(const char *path, const char *key_path, struct ec_pubw **out)
{
	struct ec_pubw *w;
	int r;

	*out = NULL;
	if (!(w = calloc(1, sizeof *w)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	w->key_path = key_path;
	if ((r = ec_kv_open(path, 0, 0755, 0644, 0, pub_dbs, PDB_COUNT, &w->kv)) ||
	    (r = ec_kv_update(w->kv, writer_init, w)))
		goto fail;
	if ((r = key_read(key_path, w->key)) == EC_ERR_NOTFOUND) {
		if (RAND_bytes(w->key, KEY_LEN) != 1) {
			r = ec_err_set(EC_ERR_CRYPTO, "cannot draw the name key");
			goto fail;
		}
		/* Another writer may have made it meanwhile: theirs is the one to use. */
		if ((r = key_write(key_path, w->key)) == EC_ERR_EXISTS)
			r = key_read(key_path, w->key);
	}
	if (r || (r = ec_hmac_init(&w->mac, w->key, KEY_LEN)))
		goto fail;
	w->have_mac = 1;
	w->key_path = NULL;
	*out = w;
	return 0;
fail:
	ec_pubw_close(w);
	return r;
}

void
ec_pubw_close(struct ec_pubw *w)
{
	if (!w)
		return;
	ec_kv_close(w->kv);
	if (w->have_mac)
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
