/* Benchmark anchor: LMDB's raw random point-lookup rate on one core, one reused read transaction.
 * usage: lmdb_raw DIR RECORDS VALUE_BYTES SECONDS -> prints "lookups/s bytes_per_record". */
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

static void
key_of(unsigned long i, char k[22])
{
	char tmp[23];

	snprintf(tmp, sizeof tmp, "%022lu", i * 7919UL);
	memcpy(k, tmp, 22);
}

int
main(int argc, char **argv)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	char key[22], *val, path[4096];
	unsigned long n, i, hits = 0;
	size_t vlen;
	double secs, t0, el;
	unsigned long long seed = 88172645463325252ULL;
	struct stat st;

	if (argc != 5)
		return 2;
	n = strtoul(argv[2], NULL, 10);
	vlen = strtoul(argv[3], NULL, 10);
	secs = atof(argv[4]);
	val = calloc(1, vlen);
	CHECK(mdb_env_create(&env));
	CHECK(mdb_env_set_mapsize(env, (size_t)64 << 30));
	CHECK(mdb_env_open(env, argv[1], MDB_NOSUBDIR | MDB_NOSYNC, 0600));
	for (i = 0; i < n; ) {
		unsigned long end = i + 100000 < n ? i + 100000 : n;

		CHECK(mdb_txn_begin(env, NULL, 0, &txn));
		CHECK(mdb_dbi_open(txn, NULL, 0, &dbi));
		for (; i < end; i++) {
			key_of(i, key);
			memcpy(val, &i, sizeof i < vlen ? sizeof i : vlen);
			k.mv_data = key; k.mv_size = 22;
			v.mv_data = val; v.mv_size = vlen;
			CHECK(mdb_put(txn, dbi, &k, &v, MDB_APPEND));
		}
		CHECK(mdb_txn_commit(txn));
	}
	CHECK(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn));
	CHECK(mdb_dbi_open(txn, NULL, 0, &dbi));
	t0 = now();
	do {
		for (i = 0; i < 10000; i++) {
			seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
			key_of((unsigned long)(seed % n), key);
			k.mv_data = key; k.mv_size = 22;
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
