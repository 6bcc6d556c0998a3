/* LMDB environments for the office and public registers: map growth, replayable writes, pooled reads. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <lmdb.h>

#include "err.h"
#include "record.h"
#include "register.h"

#define DEFAULT_MAP (sizeof(size_t) >= 8 ? ((size_t)64 << 30) : ((size_t)1 << 30))
#define MAX_RETRIES 48
#define MAX_READERS 254

struct ec_kvtxn {
	struct ec_kv *kv;
	MDB_txn *txn;
	int rdonly;
	int mapfull;             /* an operation hit MDB_MAP_FULL: the write must be replayed */
	struct ec_kvtxn *next;   /* pool link */
};

struct ec_kvcur {
	struct ec_kvtxn *t;
	MDB_cursor *c;
};

struct ec_kv {
	MDB_env *env;
	MDB_dbi dbi[EC_KV_MAXDB];
	unsigned char absent[EC_KV_MAXDB];  /* read-only: a table a writer of this version has not added yet */
	size_t ndb;
	unsigned flags;
	char *path;
	pthread_mutex_t pool_mu;
	struct ec_kvtxn *pool;   /* reset read transactions, ready to renew */
	/* Readers hold it shared while a read transaction is live; a remap (which must see no live
	 * transaction in this process) takes it exclusively. */
	pthread_rwlock_t map_lock;
};

/*
 * The map a writer reserves: DEFAULT_MAP, or $ECERT_MAP_SIZE bytes (1 MiB .. DEFAULT_MAP) where so large a
 * reservation cannot be made, as under valgrind; the map still grows on demand either way.
 */
static size_t
initial_map(void)
{
	const char *s = getenv("ECERT_MAP_SIZE");
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return DEFAULT_MAP;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno || *end || v < (1u << 20) || v > DEFAULT_MAP ? DEFAULT_MAP : (size_t)v;
}

/* 1 when the file system holding path has (next to) no room left. */
static int
no_room(const char *path)
{
	struct statvfs sv;

	return statvfs(path, &sv) == 0 && (unsigned long long)sv.f_bavail * sv.f_frsize < 64 * 1024;
}

/* Map an LMDB or errno result to an ec_err with a detail naming the register. */
static int
kverr(const struct ec_kv *kv, int rc, const char *what)
{
	const char *path = kv ? kv->path : "?";

	/* LMDB reports a short write, which a full file system causes, as EIO. */
	if (rc == EIO && kv && no_room(path))
		rc = ENOSPC;
	switch (rc) {
	case MDB_NOTFOUND:
		return EC_ERR_NOTFOUND;
	case MDB_KEYEXIST:
		return EC_ERR_EXISTS;
	case MDB_MAP_FULL:
		return ec_err_set(EC_ERR_FULL, "cannot %s register '%s': map full", what, path);
	case ENOSPC:
	case EDQUOT:
		return ec_err_set(EC_ERR_FULL, "cannot %s register '%s': %s", what, path, strerror(rc));
	case ENOMEM:
		return ec_err_set(EC_ERR_NOMEM, "cannot %s register '%s': %s", what, path, strerror(rc));
	case ENOENT:
		return ec_err_set(EC_ERR_NOTFOUND, "cannot %s register '%s': %s", what, path, strerror(rc));
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
	case MDB_VERSION_MISMATCH:
	case MDB_INCOMPATIBLE:
		return ec_err_set(EC_ERR_CORRUPT, "cannot %s register '%s': %s", what, path, mdb_strerror(rc));
	case MDB_BAD_VALSIZE:
		return ec_err_set(EC_ERR_ARG, "cannot %s register '%s': %s", what, path, mdb_strerror(rc));
	case MDB_TXN_FULL:
		return ec_err_set(EC_ERR_TOOBIG, "cannot %s register '%s': %s", what, path, mdb_strerror(rc));
	}
	return ec_err_set(EC_ERR_IO, "cannot %s register '%s': %s", what, path, mdb_strerror(rc));
}

static void
txfree(struct ec_kvtxn *t)
{
	if (t->txn)
		mdb_txn_abort(t->txn);
	free(t);
}

void
ec_kv_close(struct ec_kv *kv)
{
	struct ec_kvtxn *t, *n;

	if (!kv)
		return;
	for (t = kv->pool; t; t = n) {
		n = t->next;
		txfree(t);
	}
	if (kv->env)
		mdb_env_close(kv->env);
	pthread_rwlock_destroy(&kv->map_lock);
	pthread_mutex_destroy(&kv->pool_mu);
	free(kv->path);
	free(kv);
}

static int
opendbs(struct ec_kv *kv, const char *const *dbs, size_t ndb)
{
	MDB_txn *txn = NULL;
	unsigned ro = kv->flags & EC_KV_RDONLY;
	size_t i;
	int rc;

	rc = mdb_txn_begin(kv->env, NULL, ro ? MDB_RDONLY : 0, &txn);
	if (rc)
		return kverr(kv, rc, "open");
	for (i = 0; i < ndb; i++) {
		rc = mdb_dbi_open(txn, dbs[i], ro ? 0 : MDB_CREATE, &kv->dbi[i]);
		/* a register an older version wrote: read as if the table were empty until a writer adds it */
		if (rc == MDB_NOTFOUND && ro) {
			kv->absent[i] = 1;
			continue;
		}
		if (rc) {
			mdb_txn_abort(txn);
			return kverr(kv, rc, "open");
		}
	}
	/* Committing (even read-only) keeps the DB handles for later transactions. */
	rc = mdb_txn_commit(txn);
	return rc ? kverr(kv, rc, "open") : 0;
}

int
ec_kv_open(const char *path, unsigned flags, unsigned dir_mode, unsigned file_mode, size_t mapsize,
    const char *const *dbs, size_t ndb, struct ec_kv **out)
{
	struct ec_kv *kv = NULL;
	struct stat st;
	unsigned envflags = MDB_NOTLS;
	int rc, r;

	*out = NULL;
	if (ndb > EC_KV_MAXDB)
		return ec_err_set(EC_ERR_ARG, "too many tables for register '%s'", path);
	if (flags & EC_KV_RDONLY) {
		envflags |= MDB_RDONLY | ((flags & EC_KV_FROZEN) ? MDB_NOLOCK : 0);
		if (stat(path, &st) != 0)
			return errno == ENOENT ? ec_err_set(EC_ERR_NOTFOUND, "no register at '%s'", path)
			    : ec_err_errno("cannot open register", path);
	} else if (mkdir(path, dir_mode) != 0 && errno != EEXIST) {
		return ec_err_errno("cannot create register", path);
	}
	if (stat(path, &st) != 0)
		return ec_err_errno("cannot open register", path);
	if (!S_ISDIR(st.st_mode))
		return ec_err_set(EC_ERR_IO, "cannot open register '%s': Not a directory", path);

	if (!(kv = calloc(1, sizeof *kv)) || !(kv->path = strdup(path))) {
		if (kv)
			free(kv);
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	}
	kv->flags = flags;
	kv->ndb = ndb;
	pthread_mutex_init(&kv->pool_mu, NULL);
	pthread_rwlock_init(&kv->map_lock, NULL);

	if ((rc = mdb_env_create(&kv->env))) {
		r = kverr(kv, rc, "open");
		kv->env = NULL;
		goto out;
	}
	if ((rc = mdb_env_set_maxdbs(kv->env, EC_KV_MAXDB)) || (rc = mdb_env_set_maxreaders(kv->env, MAX_READERS))) {
		r = kverr(kv, rc, "open");
		goto out;
	}
	/* A read-only opener adopts the size the writer recorded; a writer reserves a large map. */
	if (!(flags & EC_KV_RDONLY) && (rc = mdb_env_set_mapsize(kv->env, mapsize ? mapsize : initial_map()))) {
		r = kverr(kv, rc, "open");
		goto out;
	}
	if ((rc = mdb_env_open(kv->env, path, envflags, (mdb_mode_t)file_mode))) {
		if ((flags & EC_KV_RDONLY) && rc == ENOENT)
			r = ec_err_set(EC_ERR_NOTFOUND, "no register at '%s'", path);
		else
			r = kverr(kv, rc, "open");
		goto out;
	}
	if ((r = opendbs(kv, dbs, ndb)))
		goto out;
	*out = kv;
	kv = NULL;
	r = 0;
out:
	ec_kv_close(kv);
	return r;
}

int
ec_kv_copy(struct ec_kv *kv, const char *dir)
{
	int rc;

	if ((rc = mdb_env_copy2(kv->env, dir, MDB_CP_COMPACT)))
		return rc == ENOSPC || rc == EDQUOT ? ec_err_set(EC_ERR_FULL, "cannot copy register '%s' to '%s': %s",
		    kv->path, dir, mdb_strerror(rc)) : ec_err_set(EC_ERR_IO, "cannot copy register '%s' to '%s': %s",
		    kv->path, dir, mdb_strerror(rc));
	return 0;
}

const char *
ec_kv_path(const struct ec_kv *kv)
{
	return kv->path;
}

size_t
ec_kv_mapsize(struct ec_kv *kv)
{
	MDB_envinfo info;

	if (mdb_env_info(kv->env, &info))
		return 0;
	return info.me_mapsize;
}

/*
 * Change the map size (0 = adopt the size another process recorded). LMDB requires that no
 * transaction be live in this process, so wait for readers; a thread that holds a read
 * transaction while writing would wait forever, hence the bound.
 */
static int
remap(struct ec_kv *kv, size_t size)
{
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	if (pthread_rwlock_timedwrlock(&kv->map_lock, &ts))
		return ec_err_set(EC_ERR_IO, "cannot resize register '%s': readers do not finish", kv->path);
	rc = mdb_env_set_mapsize(kv->env, size);
	pthread_rwlock_unlock(&kv->map_lock);
	if (rc == ENOMEM || rc == EINVAL)
		return ec_err_set(EC_ERR_FULL, "cannot grow register '%s' to %zu bytes: %s", kv->path, size,
		    strerror(rc));
	return rc ? kverr(kv, rc, "resize") : 0;
}

static int
grow(struct ec_kv *kv)
{
	size_t cur = ec_kv_mapsize(kv);

	if (cur == 0 || cur > SIZE_MAX / 2)
		return ec_err_set(EC_ERR_FULL, "cannot grow register '%s': map full", kv->path);
	return remap(kv, cur * 2);
}

int
ec_kv_update(struct ec_kv *kv, ec_kv_fn fn, void *ctx)
{
	struct ec_kvtxn t;
	int attempt, rc, r;

	if (kv->flags & EC_KV_RDONLY)
		return ec_err_set(EC_ERR_ARG, "register '%s' is open read-only", kv->path);
	for (attempt = 0; attempt < MAX_RETRIES; attempt++) {
		memset(&t, 0, sizeof t);
		t.kv = kv;
		rc = mdb_txn_begin(kv->env, NULL, 0, &t.txn);
		if (rc == MDB_MAP_RESIZED) {
			if ((r = remap(kv, 0)))
				return r;
			continue;
		}
		if (rc)
			return kverr(kv, rc, "write");
		r = fn(&t, ctx);
		if (t.mapfull) {
			mdb_txn_abort(t.txn);
			if ((r = grow(kv)))
				return r;
			continue;
		}
		if (r < 0) {
			mdb_txn_abort(t.txn);
			return r;
		}
		rc = mdb_txn_commit(t.txn);
		if (rc == MDB_MAP_FULL) {
			if ((r = grow(kv)))
				return r;
			continue;
		}
		return rc ? kverr(kv, rc, "commit to") : 0;
	}
	return ec_err_set(EC_ERR_FULL, "cannot write register '%s': map keeps filling up", kv->path);
}

int
ec_kv_rbegin(struct ec_kv *kv, struct ec_kvtxn **out)
{
	struct ec_kvtxn *t;
	int attempt, rc, r;

	*out = NULL;
	for (attempt = 0; attempt < MAX_RETRIES; attempt++) {
		pthread_rwlock_rdlock(&kv->map_lock);
		pthread_mutex_lock(&kv->pool_mu);
		if ((t = kv->pool))
			kv->pool = t->next;
		pthread_mutex_unlock(&kv->pool_mu);
		if (t) {
			rc = mdb_txn_renew(t->txn);
		} else if (!(t = calloc(1, sizeof *t))) {
			pthread_rwlock_unlock(&kv->map_lock);
			return ec_err_set(EC_ERR_NOMEM, "out of memory");
		} else {
			t->kv = kv;
			t->rdonly = 1;
			rc = mdb_txn_begin(kv->env, NULL, MDB_RDONLY, &t->txn);
			if (rc)
				t->txn = NULL;
		}
		if (rc == 0) {
			t->next = NULL;
			*out = t;
			return 0;
		}
		txfree(t);
		pthread_rwlock_unlock(&kv->map_lock);
		if (rc != MDB_MAP_RESIZED)
			return kverr(kv, rc, "read");
		if ((r = remap(kv, 0)))
			return r;
	}
	return ec_err_set(EC_ERR_IO, "cannot read register '%s': map keeps changing", kv->path);
}

void
ec_kv_rend(struct ec_kvtxn *t)
{
	struct ec_kv *kv;

	if (!t)
		return;
	kv = t->kv;
	mdb_txn_reset(t->txn);
	pthread_mutex_lock(&kv->pool_mu);
	t->next = kv->pool;
	kv->pool = t;
	pthread_mutex_unlock(&kv->pool_mu);
	pthread_rwlock_unlock(&kv->map_lock);
}

int
ec_kv_view(struct ec_kv *kv, ec_kv_fn fn, void *ctx)
{
	struct ec_kvtxn *t;
	int r;

	if ((r = ec_kv_rbegin(kv, &t)))
		return r;
	r = fn(t, ctx);
	ec_kv_rend(t);
	return r;
}

/* The handle of table db; EC_ERR_NOTFOUND (no detail) for one absent from a read-only register. */
static int
dbi(struct ec_kvtxn *t, unsigned db, MDB_dbi *out)
{
	if (db >= t->kv->ndb)
		return ec_err_set(EC_ERR_ARG, "no table %u in register '%s'", db, t->kv->path);
	if (t->kv->absent[db]) {
		ec_err_clear();
		return EC_ERR_NOTFOUND;
	}
	*out = t->kv->dbi[db];
	return 0;
}

static int
txerr(struct ec_kvtxn *t, int rc, const char *what)
{
	if (rc == MDB_MAP_FULL)
		t->mapfull = 1;
	return kverr(t->kv, rc, what);
}

int
ec_kv_get(struct ec_kvtxn *t, unsigned db, const void *k, size_t klen, struct ec_kv_val *v)
{
	MDB_val key = { klen, (void *)k }, val;
	MDB_dbi d = 0;
	int rc;

	if ((rc = dbi(t, db, &d)))
		return rc;
	if ((rc = mdb_get(t->txn, d, &key, &val)))
		return txerr(t, rc, "read");
	v->p = val.mv_data;
	v->n = val.mv_size;
	return 0;
}

int
ec_kv_put(struct ec_kvtxn *t, unsigned db, const void *k, size_t klen, const void *v, size_t vlen,
    unsigned flags)
{
	MDB_val key = { klen, (void *)k }, val = { vlen, (void *)v };
	unsigned mf = 0;
	MDB_dbi d = 0;
	int rc;

	if ((rc = dbi(t, db, &d)))
		return rc;
	if (flags & EC_KV_NOOVERWRITE)
		mf |= MDB_NOOVERWRITE;
	if (flags & EC_KV_APPEND)
		mf |= MDB_APPEND;
	rc = mdb_put(t->txn, d, &key, &val, mf);
	return rc ? txerr(t, rc, "write") : 0;
}

int
ec_kv_del(struct ec_kvtxn *t, unsigned db, const void *k, size_t klen)
{
	MDB_val key = { klen, (void *)k };
	MDB_dbi d = 0;
	int rc;

	if ((rc = dbi(t, db, &d)))
		return rc;
	rc = mdb_del(t->txn, d, &key, NULL);
	return rc ? txerr(t, rc, "write") : 0;
}

int
ec_kv_clear(struct ec_kvtxn *t, unsigned db)
{
	MDB_dbi d = 0;
	int rc;

	if ((rc = dbi(t, db, &d)))
		return rc;
	rc = mdb_drop(t->txn, d, 0);
	return rc ? txerr(t, rc, "write") : 0;
}

int
ec_kv_count(struct ec_kvtxn *t, unsigned db, size_t *n)
{
	MDB_stat st;
	MDB_dbi d = 0;
	int rc;

	*n = 0;
	if ((rc = dbi(t, db, &d)))
		return rc == EC_ERR_NOTFOUND ? 0 : rc;
	if ((rc = mdb_stat(t->txn, d, &st)))
		return txerr(t, rc, "read");
	*n = st.ms_entries;
	return 0;
}

int
ec_kv_cursor(struct ec_kvtxn *t, unsigned db, struct ec_kvcur **out)
{
	struct ec_kvcur *c;
	MDB_dbi d = 0;
	int rc;

	*out = NULL;
	if ((rc = dbi(t, db, &d)) && rc != EC_ERR_NOTFOUND)
		return rc;
	if (!(c = calloc(1, sizeof *c)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	c->t = t;
	/* an absent table: a cursor that finds nothing */
	if (rc == EC_ERR_NOTFOUND) {
		*out = c;
		return 0;
	}
	if ((rc = mdb_cursor_open(t->txn, d, &c->c))) {
		free(c);
		return txerr(t, rc, "read");
	}
	*out = c;
	return 0;
}

void
ec_kv_cursor_close(struct ec_kvcur *c)
{
	if (!c)
		return;
	if (c->c)
		mdb_cursor_close(c->c);
	free(c);
}

static int
curget(struct ec_kvcur *c, MDB_val *k, MDB_cursor_op op, struct ec_kv_val *key, struct ec_kv_val *val)
{
	MDB_val v;
	int rc;

	if (!c->c)
		return EC_ERR_NOTFOUND;
	if ((rc = mdb_cursor_get(c->c, k, &v, op)))
		return txerr(c->t, rc, "read");
	if (key) {
		key->p = k->mv_data;
		key->n = k->mv_size;
	}
	if (val) {
		val->p = v.mv_data;
		val->n = v.mv_size;
	}
	return 0;
}

int
ec_kv_seek(struct ec_kvcur *c, const void *k, size_t klen, struct ec_kv_val *key, struct ec_kv_val *val)
{
	MDB_val mk = { klen, (void *)k };

	if (!k)
		return curget(c, &mk, MDB_FIRST, key, val);
	return curget(c, &mk, MDB_SET_RANGE, key, val);
}

int
ec_kv_next(struct ec_kvcur *c, struct ec_kv_val *key, struct ec_kv_val *val)
{
	MDB_val mk = { 0, NULL };

	return curget(c, &mk, MDB_NEXT, key, val);
}

int
ec_kv_last(struct ec_kvcur *c, struct ec_kv_val *key, struct ec_kv_val *val)
{
	MDB_val mk = { 0, NULL };

	return curget(c, &mk, MDB_LAST, key, val);
}

int
ec_kv_get64(struct ec_kvtxn *t, unsigned db, const char *key, uint64_t *out, int *present)
{
	struct ec_kv_val v;
	int r;

	*out = 0;
	if (present != NULL)
		*present = 0;
	r = ec_kv_get(t, db, key, strlen(key), &v);
	if (r == EC_ERR_NOTFOUND)
		return 0;
	if (r)
		return r;
	if (v.n != 8)
		return ec_err_set(EC_ERR_CORRUPT, "register value '%s' is corrupt", key);
	*out = ec_rec_get64(v.p);
	if (present != NULL)
		*present = 1;
	return 0;
}

int
ec_kv_put64(struct ec_kvtxn *t, unsigned db, const char *key, uint64_t v)
{
	unsigned char b[8];

	ec_rec_put64(b, v);
	return ec_kv_put(t, db, key, strlen(key), b, 8, 0);
}

int
ec_kv_each(struct ec_kvtxn *t, unsigned db, const void *from, size_t fromlen, ec_kv_each_fn fn, void *ctx)
{
	struct ec_kvcur *c = NULL;
	struct ec_kv_val k, v;
	int r;

	if ((r = ec_kv_cursor(t, db, &c)))
		return r;
	for (r = ec_kv_seek(c, from, fromlen, &k, &v); r == 0; r = ec_kv_next(c, &k, &v))
		if ((r = fn(ctx, &k, &v)) != 0)
			goto out;
	if (r == EC_ERR_NOTFOUND)
		r = 0;
out:
	ec_kv_cursor_close(c);
	return r > 0 ? 0 : r;
}
