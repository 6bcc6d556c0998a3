/* A thin key-value layer over LMDB (the only module that includes <lmdb.h>): envs, named DBs, txns. */
#ifndef EC_REGISTER_H
#define EC_REGISTER_H

#include <stddef.h>
#include <stdint.h>

/* An open environment (a register directory). Read paths are thread-safe; writes are for one thread. */
struct ec_kv;
/* A transaction, read or write; valid until its ec_kv_update/ec_kv_view callback returns or ec_kv_rend. */
struct ec_kvtxn;
/* A cursor on one DB inside a transaction. */
struct ec_kvcur;

#define EC_KV_RDONLY 1u        /* MDB_RDONLY: no directory creation, sees commits of other processes */
#define EC_KV_FROZEN 2u        /* with EC_KV_RDONLY: a copy no process writes (MDB_NOLOCK: no lock.mdb) */

#define EC_KV_NOOVERWRITE 1u   /* put: EC_ERR_EXISTS when the key exists */
#define EC_KV_APPEND 2u        /* put: key sorts after every key of the DB (bulk load) */

#define EC_KV_MAXDB 24

/* A byte range inside the map; valid only while its transaction lives. */
struct ec_kv_val {
	const unsigned char *p;
	size_t n;
};

/*
 * Open the LMDB environment in directory path with the named DBs dbs[0..ndb) (created when writable),
 * addressed afterwards by their index. Writable: the directory is created with dir_mode when absent
 * and the files get file_mode. mapsize = 0 reserves the default (64 GiB on 64-bit, 1 GiB otherwise;
 * the file grows only as used); tests pass a tiny one to exercise growth. Read-only: EC_ERR_NOTFOUND
 * when the register does not exist. Caller closes with ec_kv_close (no transaction may be live).
 */
int ec_kv_open(const char *path, unsigned flags, unsigned dir_mode, unsigned file_mode, size_t mapsize,
    const char *const *dbs, size_t ndb, struct ec_kv **out);
void ec_kv_close(struct ec_kv *kv);

/*
 * Copy the environment, compacted (MDB_CP_COMPACT: free pages left out, pages renumbered), into the
 * existing empty directory dir as dir/data.mdb. LMDB takes the copy inside one read transaction of
 * its own, so writers go on meanwhile and the copy is one committed state.
 */
int ec_kv_copy(struct ec_kv *kv, const char *dir);

/* The directory given at open, and the current map size (for tests). */
const char *ec_kv_path(const struct ec_kv *kv);
size_t ec_kv_mapsize(struct ec_kv *kv);

/*
 * Run fn in a write transaction and commit it durably. When the map is full (MDB_MAP_FULL during fn
 * or at commit) the transaction is aborted, the map doubled and fn run again from scratch: fn must
 * therefore be replayable (reset its outputs first, no effects outside the transaction). When another
 * process grew the map (MDB_MAP_RESIZED) the new size is adopted and fn retried. fn returns 0 to
 * commit or a negative ec_err to abort (returned as is). EC_ERR_ARG on a read-only kv.
 */
typedef int (*ec_kv_fn)(struct ec_kvtxn *t, void *ctx);
int ec_kv_update(struct ec_kv *kv, ec_kv_fn fn, void *ctx);

/* Run fn in a read transaction (from the pool) and return what fn returns. */
int ec_kv_view(struct ec_kv *kv, ec_kv_fn fn, void *ctx);

/*
 * Explicit pooled read transactions for hot paths: rbegin renews a reset transaction from the
 * handle's pool (or starts one) and sees the newest commit; rend resets it back into the pool.
 * Thread-safe; each thread uses its own transaction.
 */
int ec_kv_rbegin(struct ec_kv *kv, struct ec_kvtxn **t);
void ec_kv_rend(struct ec_kvtxn *t);

/* EC_ERR_NOTFOUND when absent; v points into the map. */
int ec_kv_get(struct ec_kvtxn *t, unsigned db, const void *k, size_t klen, struct ec_kv_val *v);
/*
 * A 64-bit counter or stamp stored big-endian at text key of db: *out = 0 (and *present = 0 when
 * present is not NULL) if absent; EC_ERR_CORRUPT naming the key when the value is not 8 bytes.
 */
int ec_kv_get64(struct ec_kvtxn *t, unsigned db, const char *key, uint64_t *out, int *present);
int ec_kv_put64(struct ec_kvtxn *t, unsigned db, const char *key, uint64_t v);
/* flags: EC_KV_NOOVERWRITE, EC_KV_APPEND. EC_ERR_EXISTS, EC_ERR_FULL (map grows on replay), EC_ERR_ARG. */
int ec_kv_put(struct ec_kvtxn *t, unsigned db, const void *k, size_t klen, const void *v, size_t vlen,
    unsigned flags);
/* EC_ERR_NOTFOUND when absent. */
int ec_kv_del(struct ec_kvtxn *t, unsigned db, const void *k, size_t klen);
/* Remove every key of db (the DB itself stays). */
int ec_kv_clear(struct ec_kvtxn *t, unsigned db);
/* Number of keys in db. */
int ec_kv_count(struct ec_kvtxn *t, unsigned db, size_t *n);

/*
 * Call fn(ctx, key, value) for every entry of db from the first key >= from (from NULL: the first
 * key), in key order, while fn returns 0: a positive return stops the walk with success, a negative
 * one with that error (returned).
 */
typedef int (*ec_kv_each_fn)(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v);
int ec_kv_each(struct ec_kvtxn *t, unsigned db, const void *from, size_t fromlen, ec_kv_each_fn fn, void *ctx);

/* Cursors: seek positions at the first key >= k (k = NULL: the first key); next steps on. */
int ec_kv_cursor(struct ec_kvtxn *t, unsigned db, struct ec_kvcur **out);
void ec_kv_cursor_close(struct ec_kvcur *c);
/* 0 and k, v filled; EC_ERR_NOTFOUND past the end. */
int ec_kv_seek(struct ec_kvcur *c, const void *k, size_t klen, struct ec_kv_val *key, struct ec_kv_val *val);
int ec_kv_next(struct ec_kvcur *c, struct ec_kv_val *key, struct ec_kv_val *val);
/* The last key of the DB; EC_ERR_NOTFOUND when empty. */
int ec_kv_last(struct ec_kvcur *c, struct ec_kv_val *key, struct ec_kv_val *val);

#endif
