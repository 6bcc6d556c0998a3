/* Unit tests for the public register: rebuild equals incremental, name confirmation, derived expiry, privacy. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "date.h"
#include "err.h"
#include "number.h"
#include "office.h"
#include "public.h"
#include "register.h"
#include "signer.h"
#include "ecx509.h"
#include "../helper_tmp.h"

#define KID "AbCdEfGhIjK"
#define NCERT 6
#define TOKEN "eyJhbGciOiJFUzI1NiJ9.eyJubSI6Ilpvw6sgTydCcmllbiJ9.c2lnbmF0dXJl"

struct fixture {
	char dir[64];
	char pubdir[96];
	char numbers[NCERT][EC_NUMBER_DIGITS + 1];
};

/* Six certificates: valid, revoked, renewed (old superseded + new), a CJK name, a paper one. */
static int
setup(void **state)
{
	static const char *const names[NCERT] = {
		"Zoë O'Brien", "Ann Lee", "Bob Stone", "李瑞瑞", "Émile Zola", ""
	};
	struct fixture *fx = calloc(1, sizeof *fx);
	struct ec_office *o;
	struct ec_cert *c = calloc(1, sizeof *c);
	struct ec_exam x;
	struct ec_app a;
	int i, rc;

	setenv("ECERT_NOW", "2026-03-02", 1);
	if (!fx || !c)
		return -1;
	strcpy(fx->dir, "/tmp/ec-public-XXXXXX");
	if (!mkdtemp(fx->dir) || ec_office_open(fx->dir, 0, &o))
		return -1;
	snprintf(fx->pubdir, sizeof fx->pubdir, "%s/public", fx->dir);
	*state = fx;
	for (i = 0; i < NCERT - 1; i++) {
		memset(&x, 0, sizeof x);
		snprintf(x.reg_no, sizeof x.reg_no, "R%d", i);
		strcpy(x.email, "zoe@example.org");
		strcpy(x.code, "HCIA-AI");
		x.exam_date = 20500;
		x.passed = 1;
		memset(&a, 0, sizeof a);
		strcpy(a.reg_no, x.reg_no);
		strcpy(a.name, names[i]);
		memset(c, 0, sizeof *c);
		if (ec_number_generate(511, c->e.number))
			return -1;
		strcpy(c->e.name, names[i]);
		/* one person, a certification each: the one-live-certificate rule is tested in test_office */
		snprintf(c->e.code, sizeof c->e.code, "HCIA-%.20s", x.reg_no);
		strcpy(c->e.title, "Huawei Certified ICT Associate - AI");
		c->e.effective = 20500 + i;
		c->e.expires = ec_date_expiry(20500 + i, 3);
		strcpy(c->e.kid, KID);
		strcpy(c->reg_no, x.reg_no);
		strcpy(c->email, "zoe@example.org");
		strcpy(c->tel, "+353 871234567");
		strcpy(c->issuer, "Example Issuing CA " KID);
		c->der_len = 16;
		strcpy(c->token, TOKEN);
		if (ec_office_import(o, &x, 1, NULL) || ec_office_apply(o, &a, NULL) || ec_office_issue(o, c, NULL, 1, &rc) || rc)
			return -1;
		strcpy(fx->numbers[i], c->e.number);
	}
	if (ec_office_revoke(o, fx->numbers[1], 1772500000, "affiliationChanged", NULL, NULL))
		return -1;
	strcpy(c->e.renewal_of, fx->numbers[2]);
	strcpy(c->e.name, "Bob Stone");
	if (ec_number_generate(511, c->e.number) || ec_office_renew(o, c, NULL))
		return -1;
	strcpy(fx->numbers[NCERT - 1], c->e.number);
	ec_office_close(o);
	free(c);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	helper_rmtree(fx->dir);
	free(fx);
	return 0;
}

static void
snapshot(struct fixture *fx, struct ec_pub *out)
{
	struct ec_pubreg *r;
	int i;

	assert_int_equal(ec_pubreg_open(fx->pubdir, &r), 0);
	for (i = 0; i < NCERT; i++)
		assert_int_equal(ec_pubreg_get(r, fx->numbers[i], &out[i]), 0);
	ec_pubreg_close(r);
}

static void
test_rebuild_equals_incremental(void **state)
{
	struct fixture *fx = *state;
	struct ec_pub *inc = test_calloc(NCERT, sizeof *inc), *reb = test_calloc(NCERT, sizeof *reb);
	struct ec_office *o;
	size_t n = 0;

	snapshot(fx, inc);
	assert_int_equal(inc[0].status, EC_ST_VALID);
	assert_int_equal(inc[1].status, EC_ST_REVOKED);
	assert_int_equal(inc[1].revoked_on, ec_date_from_time(1772500000));
	assert_string_equal(inc[1].reason, "affiliationChanged");
	assert_int_equal(inc[2].status, EC_ST_SUPERSEDED);
	assert_string_equal(inc[2].superseded_by, fx->numbers[5]);
	assert_string_equal(inc[5].renewal_of, fx->numbers[2]);
	assert_string_equal(inc[0].name_masked, "Z***");
	assert_string_equal(inc[3].name_masked, "李***");
	assert_string_equal(inc[0].issuer, "Example Issuing CA " KID);
	assert_string_equal(inc[0].kid, KID);
	assert_string_equal(inc[0].token, "");
	assert_string_equal(inc[0].title, "Huawei Certified ICT Associate - AI");

	assert_int_equal(ec_office_open(fx->dir, 0, &o), 0);
	assert_int_equal(ec_office_publish(o, &n), 0);
	assert_int_equal(n, NCERT);
	ec_office_close(o);
	snapshot(fx, reb);
	assert_memory_equal(inc, reb, NCERT * sizeof *inc);
	test_free(inc);
	test_free(reb);
}

static void
test_name_match(void **state)
{
	struct fixture *fx = *state;
	struct ec_pubreg *r;
	struct ec_pub p, q;
	const char *s;

	unsigned char key[EC_NAME_KEY_LEN];
	char path[160];

	assert_int_equal(ec_pubreg_open(fx->pubdir, &r), 0);
	assert_int_equal(ec_pubreg_get(r, fx->numbers[0], &p), 0);
	s = "Zoë O'Brien";
	/* the register alone cannot check a name: the key is not in it */
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), EC_ERR_UNSUPPORTED);
	snprintf(path, sizeof path, "%s/name.key", fx->dir);
	assert_int_equal(ec_name_key_read(path, key), 0);
	assert_int_equal(ec_pubreg_name_key(r, key), 0);
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), 1);
	s = "  zoë   o'brien ";
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), 1);
	s = "ZOË O'BRIEN";
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), 1);
	s = "Zoe\xcc\x88 O'Brien";                         /* decomposed e + combining diaeresis */
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), 1);
	s = "ZoëO'Brien";
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), 1);
	s = "Zoe O'Brien";
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), 0);
	s = "Zoë O'Brie";
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), 0);
	assert_int_equal(ec_pubreg_name_matches(r, &p, "", 0), 0);
	assert_int_equal(ec_pubreg_name_matches(r, &p, "\xff\xfe", 2), 0);
	assert_int_equal(ec_pubreg_get(r, fx->numbers[3], &q), 0);
	s = "李瑞瑞";
	assert_int_equal(ec_pubreg_name_matches(r, &q, s, strlen(s)), 1);
	assert_int_equal(ec_pubreg_name_matches(r, &p, s, strlen(s)), 0);
	ec_pubreg_close(r);
}

static void
test_status(void **state)
{
	struct fixture *fx = *state;
	struct ec_pubreg *r;
	struct ec_pub p;

	assert_int_equal(ec_pubreg_open(fx->pubdir, &r), 0);
	assert_int_equal(ec_pubreg_get(r, fx->numbers[0], &p), 0);
	assert_int_equal(ec_pub_status(&p, p.expires), EC_ST_VALID);
	assert_int_equal(ec_pub_status(&p, p.expires + 1), EC_ST_EXPIRED);
	assert_int_equal(ec_pubreg_get(r, fx->numbers[2], &p), 0);
	assert_int_equal(ec_pub_status(&p, p.expires), EC_ST_SUPERSEDED);
	assert_int_equal(ec_pub_status(&p, p.expires + 1), EC_ST_EXPIRED);
	assert_int_equal(ec_pubreg_get(r, fx->numbers[1], &p), 0);
	assert_int_equal(ec_pub_status(&p, p.expires + 1), EC_ST_REVOKED);
	ec_pubreg_close(r);

	assert_string_equal(ec_status_name(EC_ST_NOT_APPLIED), "not_applied");
	assert_string_equal(ec_status_name(EC_ST_REQUESTED), "requested");
	assert_string_equal(ec_status_name(EC_ST_VALID), "valid");
	assert_string_equal(ec_status_name(EC_ST_REVOKED), "revoked");
	assert_string_equal(ec_status_name(EC_ST_EXPIRED), "expired");
	assert_string_equal(ec_status_name(EC_ST_SUPERSEDED), "superseded");
	assert_string_equal(ec_status_word(EC_ST_NOT_APPLIED), "Not Applied");
	assert_string_equal(ec_status_word(EC_ST_REQUESTED), "Requested");
	assert_string_equal(ec_status_word(EC_ST_VALID), "Approved");
	assert_string_equal(ec_status_word(EC_ST_REVOKED), "Revoked");
	assert_string_equal(ec_status_word(EC_ST_EXPIRED), "Expired");
	assert_string_equal(ec_status_word(EC_ST_SUPERSEDED), "Superseded");
	assert_string_equal(ec_status_name((enum ec_status)42), "unknown");
}

static void
test_lookups(void **state)
{
	struct fixture *fx = *state;
	struct ec_pubreg *r;
	struct ec_pub p;
	char path[128];
	int64_t age;

	snprintf(path, sizeof path, "%s/nothing", fx->dir);
	assert_int_equal(ec_pubreg_open(path, &r), EC_ERR_NOTFOUND);
	assert_int_equal(ec_pubreg_open(fx->dir, &r), 0);           /* the state directory works too */
	assert_int_equal(ec_pubreg_get(r, "0511000000000000000000", &p), EC_ERR_NOTFOUND);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "'0511000000000000000000'"));
	assert_int_equal(ec_pubreg_get(r, "051100000000000000000", &p), EC_ERR_ARG);
	assert_int_equal(ec_pubreg_get(r, "05110000000000000000000", &p), EC_ERR_ARG);
	assert_int_equal(ec_pubreg_get(r, "0511x00000000000000000", &p), EC_ERR_ARG);
	age = ec_pubreg_age(r);
	assert_true(age >= 0 && age < 600);
	ec_pubreg_close(r);
}

/* The public files never hold the full name, email, phone, registration number or token. */
static void
test_privacy(void **state)
{
	struct fixture *fx = *state;
	static const char *const secrets[] = { "O'Brien", "zoe@example.org", "871234567", "Stone", TOKEN };
	char path[160];
	unsigned char *buf = test_malloc(1 << 20);
	FILE *f;
	size_t n, i;

	snprintf(path, sizeof path, "%s/data.mdb", fx->pubdir);
	assert_non_null(f = fopen(path, "rb"));
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	assert_true(n > 0);
	for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		assert_null(memmem(buf, n, secrets[i], strlen(secrets[i])));
	/* nor the name key: with the public files alone no guessed name can be tested offline */
	{
		unsigned char key[EC_NAME_KEY_LEN];
		struct stat st;

		snprintf(path, sizeof path, "%s/name.key", fx->dir);
		assert_int_equal(ec_name_key_read(path, key), 0);
		assert_null(memmem(buf, n, key, sizeof key));
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
	}
	/* the office register does hold them (the check above is meaningful) */
	snprintf(path, sizeof path, "%s/register/data.mdb", fx->dir);
	assert_non_null(f = fopen(path, "rb"));
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	assert_non_null(memmem(buf, n, "O'Brien", 7));
	test_free(buf);
}

struct th {
	struct ec_pubreg *r;
	struct fixture *fx;
	int ok;
};

static void *
lookups(void *p)
{
	struct th *t = p;
	struct ec_pub pub;
	int i;

	for (i = 0; i < 5000; i++)
		if (ec_pubreg_get(t->r, t->fx->numbers[i % NCERT], &pub) == 0 &&
		    strcmp(pub.number, t->fx->numbers[i % NCERT]) == 0)
			t->ok++;
	return NULL;
}

static void
test_threads(void **state)
{
	struct fixture *fx = *state;
	struct th t[4];
	pthread_t id[4];
	struct ec_pubreg *r;
	int i;

	assert_int_equal(ec_pubreg_open(fx->pubdir, &r), 0);
	for (i = 0; i < 4; i++) {
		t[i].r = r;
		t[i].fx = fx;
		t[i].ok = 0;
		assert_int_equal(pthread_create(&id[i], NULL, lookups, &t[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(id[i], NULL);
		assert_int_equal(t[i].ok, 5000);
	}
	ec_pubreg_close(r);
}

static int
old_layout(struct ec_kvtxn *t, void *ctx)
{
	int r;

	if ((r = ec_kv_put64(t, 0, "format", 1)) || (r = ec_kv_put64(t, 0, "gen", 0)))
		return r;
	return ec_kv_put(t, 0, "namekey", 7, ctx, EC_NAME_KEY_LEN, 0);
}

static int
has_namekey(struct ec_kvtxn *t, void *ctx)
{
	struct ec_kv_val v;

	*(int *)ctx = ec_kv_get(t, 0, "namekey", 7, &v) == 0;
	return 0;
}

/*
 * The name key file: a key an earlier version kept inside the public register moves out to
 * DIR/name.key (so its HMACs stay right) and leaves the register; a malformed or missing file is
 * refused by name.
 */
static void
test_name_key_file(void **state)
{
	static const char *const dbs[] = { "meta", "cert" };
	unsigned char old[EC_NAME_KEY_LEN], got[EC_NAME_KEY_LEN];
	char dir[] = "/tmp/ecert-test-namekey.XXXXXX", pub[96], key[96];
	struct ec_kv *kv;
	struct ec_pubw *w;
	FILE *f;
	int present = 1;

	(void)state;
	memset(old, 0x5a, sizeof old);
	assert_non_null(mkdtemp(dir));
	snprintf(pub, sizeof pub, "%s/public", dir);
	snprintf(key, sizeof key, "%s/name.key", dir);
	assert_int_equal(ec_kv_open(pub, 0, 0755, 0644, 0, dbs, 2, &kv), 0);
	assert_int_equal(ec_kv_update(kv, old_layout, old), 0);
	ec_kv_close(kv);
	assert_int_equal(ec_name_key_read(key, got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_pubw_open(pub, key, &w), 0);
	ec_pubw_close(w);
	assert_int_equal(ec_name_key_read(key, got), 0);
	assert_memory_equal(got, old, sizeof old);
	assert_int_equal(ec_kv_open(pub, EC_KV_RDONLY, 0, 0, 0, dbs, 2, &kv), 0);
	assert_int_equal(ec_kv_view(kv, has_namekey, &present), 0);
	ec_kv_close(kv);
	assert_int_equal(present, 0);
	assert_non_null(f = fopen(key, "w"));
	fputs("not a key\n", f);
	fclose(f);
	assert_int_equal(ec_name_key_read(key, got), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "name.key"));
	assert_int_equal(ec_pubw_open(pub, key, &w), EC_ERR_CORRUPT);
	helper_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rebuild_equals_incremental, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_match, setup, teardown),
		cmocka_unit_test(test_name_key_file),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_privacy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	return cmocka_run_group_tests_name("public", tests, NULL, NULL);
}
