/* Unit tests for the LMDB layer: map growth and replay, another process's resize, live read-only readers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "err.h"
#include "register.h"
#include "../helper_tmp.h"

static const char *const dbs[] = { "a", "b" };

static int
setup(void **state)
{
	char *dir;

	if (!(dir = helper_tmpdir("reg")))
		return -1;
	*state = dir;
	return 0;
}

static char *
sub(void **state, const char *name)
{
	static char p[128];

	snprintf(p, sizeof p, "%s/%s", (char *)*state, name);
	return p;
}

struct fill {
	int from, n;
	size_t vlen;
	int calls;
};

static int
fill_txn(struct ec_kvtxn *t, void *ctx)
{
	struct fill *f = ctx;
	unsigned char v[2048];
	char k[16];
	int i, r;

	f->calls++;
	memset(v, 'v', sizeof v);
	for (i = f->from; i < f->from + f->n; i++) {
		snprintf(k, sizeof k, "k%08d", i);
		if ((r = ec_kv_put(t, 0, k, strlen(k), v, f->vlen, 0)))
			return r;
	}
	return 0;
}

static int
fill(struct ec_kv *kv, int from, int n, size_t vlen, int *calls)
{
	struct fill f = { from, n, vlen, 0 };
	int r = ec_kv_update(kv, fill_txn, &f);

	if (calls)
		*calls = f.calls;
	return r;
}

static int
count_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_count(t, 0, ctx);
}

static size_t
count(struct ec_kv *kv)
{
	size_t n = 0;

	assert_int_equal(ec_kv_view(kv, count_txn, &n), 0);
	return n;
}

static int
get_txn(struct ec_kvtxn *t, void *ctx)
{
	struct ec_kv_val v;
	char *out = ctx;
	int r;

	if ((r = ec_kv_get(t, 1, "x", 1, &v)))
		return r;
	memcpy(out, v.p, v.n);
	out[v.n] = '\0';
	return 0;
}

static int
setx_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_put(t, 1, "x", 1, ctx, strlen(ctx), 0);
}

static void
test_basic(void **state)
{
	struct ec_kv *kv = NULL;
	struct ec_kvtxn *t;
	struct ec_kv_val v;
	struct ec_kvcur *c;
	struct stat st;
	char out[64];

	assert_int_equal(ec_kv_open(sub(state, "none"), EC_KV_RDONLY, 0, 0, 0, dbs, 2, &kv), EC_ERR_NOTFOUND);
	assert_null(kv);
	assert_int_equal(ec_kv_open(sub(state, "r"), 0, 0700, 0600, 0, dbs, 2, &kv), 0);
	assert_int_equal(stat(sub(state, "r"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_true(ec_kv_mapsize(kv) >= ((size_t)1 << 30));
	assert_int_equal(ec_kv_update(kv, setx_txn, "hello"), 0);
	assert_int_equal(ec_kv_view(kv, get_txn, out), 0);
	assert_string_equal(out, "hello");

	assert_int_equal(ec_kv_rbegin(kv, &t), 0);
	assert_int_equal(ec_kv_get(t, 1, "y", 1, &v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_kv_get(t, 5, "x", 1, &v), EC_ERR_ARG);
	assert_int_equal(ec_kv_cursor(t, 0, &c), 0);
	assert_int_equal(ec_kv_seek(c, NULL, 0, NULL, NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_kv_last(c, NULL, NULL), EC_ERR_NOTFOUND);
	ec_kv_cursor_close(c);
	ec_kv_rend(t);
	ec_kv_close(kv);
}

static int
count_one(void *ctx, const struct ec_kv_val *k, const struct ec_kv_val *v)
{
	(void)k;
	(void)v;
	++*(int *)ctx;
	return 0;
}

/*
 * A register an older version wrote lacks the tables added since: a reader sees them empty (no
 * error), and the first writer adds them.
 */
static void
test_absent_table(void **state)
{
	static const char *const three[] = { "a", "b", "c" };
	struct ec_kv *kv = NULL;
	struct ec_kvtxn *t;
	struct ec_kv_val v;
	struct ec_kvcur *c;
	size_t n = 7;
	int calls = 0;
	char out[64];

	assert_int_equal(ec_kv_open(sub(state, "old"), 0, 0700, 0600, 0, dbs, 2, &kv), 0);
	assert_int_equal(ec_kv_update(kv, setx_txn, "kept"), 0);
	ec_kv_close(kv);

	assert_int_equal(ec_kv_open(sub(state, "old"), EC_KV_RDONLY, 0, 0, 0, three, 3, &kv), 0);
	assert_int_equal(ec_kv_view(kv, get_txn, out), 0);
	assert_string_equal(out, "kept");
	assert_int_equal(ec_kv_rbegin(kv, &t), 0);
	assert_int_equal(ec_kv_get(t, 2, "x", 1, &v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_kv_count(t, 2, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ec_kv_each(t, 2, NULL, 0, count_one, &calls), 0);
	assert_int_equal(calls, 0);
	assert_int_equal(ec_kv_cursor(t, 2, &c), 0);
	assert_int_equal(ec_kv_seek(c, NULL, 0, NULL, NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_kv_next(c, NULL, NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_kv_last(c, NULL, NULL), EC_ERR_NOTFOUND);
	ec_kv_cursor_close(c);
	ec_kv_rend(t);
	ec_kv_close(kv);

	/* a writer creates the table; a reader opened after it reads it as usual */
	assert_int_equal(ec_kv_open(sub(state, "old"), 0, 0700, 0600, 0, three, 3, &kv), 0);
	ec_kv_close(kv);
	assert_int_equal(ec_kv_open(sub(state, "old"), EC_KV_RDONLY, 0, 0, 0, three, 3, &kv), 0);
	assert_int_equal(ec_kv_rbegin(kv, &t), 0);
	assert_int_equal(ec_kv_count(t, 2, &n), 0);
	assert_int_equal(n, 0);
	ec_kv_rend(t);
	ec_kv_close(kv);
}

static int
flags_txn(struct ec_kvtxn *t, void *ctx)
{
	struct ec_kv_val k, v;
	struct ec_kvcur *c;
	int r;

	(void)ctx;
	assert_int_equal(ec_kv_put(t, 0, "b", 1, "1", 1, EC_KV_APPEND), 0);
	assert_int_equal(ec_kv_put(t, 0, "c", 1, "2", 1, EC_KV_APPEND), 0);
	assert_int_equal(ec_kv_put(t, 0, "a", 1, "0", 1, EC_KV_APPEND), EC_ERR_EXISTS);
	assert_int_equal(ec_kv_put(t, 0, "a", 1, "0", 1, 0), 0);
	assert_int_equal(ec_kv_put(t, 0, "a", 1, "9", 1, EC_KV_NOOVERWRITE), EC_ERR_EXISTS);
	assert_int_equal(ec_kv_del(t, 0, "z", 1), EC_ERR_NOTFOUND);
	assert_int_equal(ec_kv_del(t, 0, "c", 1), 0);
	assert_int_equal(ec_kv_cursor(t, 0, &c), 0);
	assert_int_equal(ec_kv_seek(c, "aa", 2, &k, &v), 0);
	assert_memory_equal(k.p, "b", 1);
	assert_int_equal(ec_kv_next(c, &k, &v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_kv_last(c, &k, &v), 0);
	assert_memory_equal(k.p, "b", 1);
	ec_kv_cursor_close(c);
	r = ec_kv_clear(t, 1);
	return r;
}

static int
fail_txn(struct ec_kvtxn *t, void *ctx)
{
	(void)ctx;
	assert_int_equal(ec_kv_put(t, 1, "x", 1, "lost", 4, 0), 0);
	return ec_err_set(EC_ERR_REFUSED, "refused on purpose");
}

static void
test_flags_and_abort(void **state)
{
	struct ec_kv *kv, *ro;
	char out[64];

	assert_int_equal(ec_kv_open(sub(state, "f"), 0, 0700, 0600, 0, dbs, 2, &kv), 0);
	assert_int_equal(ec_kv_update(kv, setx_txn, "kept"), 0);
	assert_int_equal(ec_kv_update(kv, flags_txn, NULL), 0);
	assert_int_equal(count(kv), 2);
	assert_int_equal(ec_kv_view(kv, get_txn, out), EC_ERR_NOTFOUND);   /* cleared */
	assert_int_equal(ec_kv_update(kv, setx_txn, "kept"), 0);
	assert_int_equal(ec_kv_update(kv, fail_txn, NULL), EC_ERR_REFUSED);
	assert_int_equal(ec_kv_view(kv, get_txn, out), 0);
	assert_string_equal(out, "kept");
	ec_kv_close(kv);

	assert_int_equal(ec_kv_open(sub(state, "f"), EC_KV_RDONLY, 0, 0, 0, dbs, 2, &ro), 0);
	assert_int_equal(ec_kv_update(ro, setx_txn, "no"), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "read-only"));
	ec_kv_close(ro);
}

static void
test_map_growth(void **state)
{
	struct ec_kv *kv;
	size_t before;
	int calls = 0;

	/* 64 KiB map, then 4 MB in one transaction: MAP_FULL, grow, replay until it fits. */
	assert_int_equal(ec_kv_open(sub(state, "g"), 0, 0700, 0600, 64 << 10, dbs, 2, &kv), 0);
	before = ec_kv_mapsize(kv);
	assert_true(before <= (128 << 10));
	assert_int_equal(fill(kv, 0, 2000, 2000, &calls), 0);
	assert_true(calls > 1);
	assert_true(ec_kv_mapsize(kv) > before);
	assert_int_equal(count(kv), 2000);
	/* growth at commit or later puts keeps working */
	assert_int_equal(fill(kv, 2000, 3000, 1500, NULL), 0);
	assert_int_equal(count(kv), 5000);
	ec_kv_close(kv);
	/* reopening with a small size adopts the larger recorded one */
	assert_int_equal(ec_kv_open(sub(state, "g"), 0, 0700, 0600, 64 << 10, dbs, 2, &kv), 0);
	assert_int_equal(count(kv), 5000);
	ec_kv_close(kv);
}

static void
test_map_resized_by_other(void **state)
{
	struct ec_kv *kv;
	pid_t pid;
	int status;
	char out[64];

	assert_int_equal(ec_kv_open(sub(state, "m"), 0, 0700, 0600, 64 << 10, dbs, 2, &kv), 0);
	assert_int_equal(fill(kv, 0, 4, 100, NULL), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ec_kv *other;

		if (ec_kv_open(sub(state, "m"), 0, 0700, 0600, 64 << 10, dbs, 2, &other) ||
		    fill(other, 100, 3000, 1000, NULL) || ec_kv_update(other, setx_txn, "child"))
			_exit(1);
		ec_kv_close(other);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* both reads and writes adopt the other process's larger map */
	assert_int_equal(ec_kv_view(kv, get_txn, out), 0);
	assert_string_equal(out, "child");
	assert_int_equal(count(kv), 3004);
	assert_int_equal(fill(kv, 5000, 10, 100, NULL), 0);
	assert_int_equal(count(kv), 3014);
	ec_kv_close(kv);
}

static void
test_reader_sees_commits(void **state)
{
	struct ec_kv *w, *ro;
	pid_t pid;
	int status;
	char out[64];

	assert_int_equal(ec_kv_open(sub(state, "s"), 0, 0700, 0600, 0, dbs, 2, &w), 0);
	assert_int_equal(ec_kv_update(w, setx_txn, "one"), 0);
	ec_kv_close(w);
	assert_int_equal(ec_kv_open(sub(state, "s"), EC_KV_RDONLY, 0, 0, 0, dbs, 2, &ro), 0);
	assert_int_equal(ec_kv_view(ro, get_txn, out), 0);
	assert_string_equal(out, "one");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ec_kv *cw;

		if (ec_kv_open(sub(state, "s"), 0, 0700, 0600, 0, dbs, 2, &cw) || ec_kv_update(cw, setx_txn, "two"))
			_exit(1);
		ec_kv_close(cw);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(ec_kv_view(ro, get_txn, out), 0);
	assert_string_equal(out, "two");
	ec_kv_close(ro);
}

struct reader_arg {
	struct ec_kv *kv;
	int ok;
};

static void *
reader(void *p)
{
	struct reader_arg *a = p;
	struct ec_kvtxn *t;
	struct ec_kv_val v;
	char k[16];
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(k, sizeof k, "k%08d", i % 500);
		if (ec_kv_rbegin(a->kv, &t))
			return NULL;
		if (ec_kv_get(t, 0, k, strlen(k), &v) == 0 && v.n == 10)
			a->ok++;
		ec_kv_rend(t);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct reader_arg args[4];
	pthread_t th[4];
	struct ec_kv *kv, *ro;
	int i;

	assert_int_equal(ec_kv_open(sub(state, "t"), 0, 0700, 0600, 0, dbs, 2, &kv), 0);
	assert_int_equal(fill(kv, 0, 500, 10, NULL), 0);
	ec_kv_close(kv);
	assert_int_equal(ec_kv_open(sub(state, "t"), EC_KV_RDONLY, 0, 0, 0, dbs, 2, &ro), 0);
	for (i = 0; i < 4; i++) {
		args[i].kv = ro;
		args[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, reader, &args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].ok, 20000);
	}
	ec_kv_close(ro);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_absent_table, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_flags_and_abort, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_map_growth, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_map_resized_by_other, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_reader_sees_commits, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, helper_tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("register", tests, NULL, NULL);
}
