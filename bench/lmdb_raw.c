/* Benchmark anchor: LMDB's raw random point-lookup rate on one core, one reused read transaction.
 * usage: lmdb_raw FILE RECORDS VALUE_BYTES SECONDS [KEY_BYTES] -> prints "lookups/s bytes_per_record".
 * Keys are 22 decimal digits, or KEY_BYTES (8..16) big-endian bytes as the public register packs its
 * numbers; RECORDS are loaded in key order (MDB_APPEND, pages full) unless FILE holds them already, so
 * that repeated runs can alternate with other measurements. One untimed pass in key order maps every
 * page first, as reg_lookup's warm-up does; then keys drawn uniformly from all RECORDS. */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CHECK(x) do { int rc_ = (x); if (rc_) { fprintf(stderr, "lmdb_raw: %s: %s\n", #x, mdb_strerror(rc_)); exit(2); } } while (0)

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t klen = 22;

static void
key_of(unsigned long i, char k[22])
{
	char tmp[23];
	unsigned long v = i * 7919UL;
	size_t j;

	if (klen == 22) {
		snprintf(tmp, sizeof tmp, "%022lu", v);
		memcpy(k, tmp, 22);
		return;
	}
	for (j = klen; j-- > 0; v >>= 8)
		k[j] = (char)(v & 0xff);
}

int
main(int argc, char **argv)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	MDB_stat ms;
	char key[22], *val, path[4096];
	unsigned long n, i, hits = 0;
	size_t vlen;
	double secs, t0, el;
	unsigned long long seed = 88172645463325252ULL;
	struct stat st;

	if (argc == 6)
		klen = strtoul(argv[5], NULL, 10);
	if ((argc != 5 && argc != 6) || (klen != 22 && (klen < 8 || klen > 16)) ||
	    (n = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: lmdb_raw FILE RECORDS VALUE_BYTES SECONDS [KEY_BYTES]\n");
		return 2;
	}
	vlen = strtoul(argv[3], NULL, 10);
	secs = atof(argv[4]);
	val = calloc(1, vlen);
	CHECK(mdb_env_create(&env));
	CHECK(mdb_env_set_mapsize(env, (size_t)64 << 30));
	CHECK(mdb_env_open(env, argv[1], MDB_NOSUBDIR | MDB_NOSYNC, 0600));
	CHECK(mdb_env_stat(env, &ms));
	if (ms.ms_entries != 0 && ms.ms_entries != n) {
		fprintf(stderr, "lmdb_raw: %s holds %zu records, not %lu\n", argv[1], ms.ms_entries, n);
		return 2;
	}
	for (i = ms.ms_entries; i < n; ) {
		unsigned long end = i + 100000 < n ? i + 100000 : n;

		CHECK(mdb_txn_begin(env, NULL, 0, &txn));
		CHECK(mdb_dbi_open(txn, NULL, 0, &dbi));
		for (; i < end; i++) {
			key_of(i, key);
			memcpy(val, &i, sizeof i < vlen ? sizeof i : vlen);
			k.mv_data = key; k.mv_size = klen;
			v.mv_data = val; v.mv_size = vlen;
			CHECK(mdb_put(txn, dbi, &k, &v, MDB_APPEND));
		}
		CHECK(mdb_txn_commit(txn));
	}
	CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
	CHECK(mdb_dbi_open(txn, NULL, 0, &dbi));
	for (i = 0; i < n; i++) {
		key_of(i, key);
		k.mv_data = key; k.mv_size = klen;
		CHECK(mdb_get(txn, dbi, &k, &v));
	}
	t0 = now();
	do {
		for (i = 0; i < 10000; i++) {
			seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
			key_of((unsigned long)(seed % n), key);
			k.mv_data = key; k.mv_size = klen;
			if (mdb_get(txn, dbi, &k, &v) == 0)
				hits++;
		}
		el = now() - t0;
	} while (el < secs);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	snprintf(path, sizeof path, "%s", argv[1]);
	stat(path, &st);
	printf("%.0f %.0f\n", hits / el, (double)st.st_size / n);
	free(val);
	return 0;
}
