/* Unit tests for the audit chain: entries per operation, no personal data, first broken link reported. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "audit.h"
#include "err.h"
#include "number.h"
#include "office.h"
#include "record.h"
#include "register.h"
#include "../helper_tmp.h"

#define KID "AbCdEfGhIjK"

static const char *const office_dbs[EC_ODB_COUNT] = {
	"meta", "exam", "app", "pending", "cert", "email", "revoked", "audit"
};

/* A register with 7 entries: import x3, apply, issue, revoke, crl. */
static int
setup(void **state)
{
	char *dir;
	struct ec_office *o;
	struct ec_exam rows[3];
	struct ec_app a;
	struct ec_cert *c = calloc(1, sizeof *c);
	uint64_t n;
	int i, rc;

	setenv("ECERT_NOW", "2026-03-02", 1);
	if (!c || !(dir = helper_tmpdir("audit")) || ec_office_open(dir, 0, &o))
		return -1;
	*state = dir;
	memset(rows, 0, sizeof rows);
	for (i = 0; i < 3; i++) {
		snprintf(rows[i].reg_no, sizeof rows[i].reg_no, "R%d", i + 1);
		strcpy(rows[i].last_name, "Secret");
		strcpy(rows[i].first_name, "Person");
		strcpy(rows[i].email, "secret@example.org");
		strcpy(rows[i].code, "HCIA-AI");
		rows[i].exam_date = 20500;
		rows[i].passed = 1;
	}
	memset(&a, 0, sizeof a);
	strcpy(a.reg_no, "R1");
	strcpy(a.name, "Secret Person");
	strcpy(a.email, "secret@example.org");
	strcpy(c->e.name, "Secret Person");
	strcpy(c->e.code, "HCIA-AI");
	strcpy(c->e.title, "T");
	c->e.effective = 20500;
	c->e.expires = 21595;
	strcpy(c->e.kid, KID);
	strcpy(c->reg_no, "R1");
	strcpy(c->email, "secret@example.org");
	c->der_len = 10;
	if (ec_number_generate(511, c->e.number) || ec_office_import(o, rows, 3, NULL) ||
	    ec_office_apply(o, &a, NULL) || ec_office_issue(o, c, NULL, 1, &rc) || rc ||
	    ec_office_revoke(o, c->e.number, 1772500000, "keyCompromise", NULL, NULL) || ec_office_crl_next(o, KID, &n))
		return -1;
	ec_office_close(o);
	free(c);
	return 0;
}

static void
verify(void **state, int expect, uint64_t expect_count, const char *needle)
{
	struct ec_office *o;
	uint64_t count = 0;

	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &o), 0);
	assert_int_equal(ec_audit_verify(o, &count), expect);
	assert_int_equal(count, expect_count);
	if (needle)
		assert_non_null(strstr(ec_err_msg(expect), needle));
	ec_office_close(o);
}

struct collect {
	struct ec_audit_entry e[16];
	int n;
};

static int
collect(void *ctx, const struct ec_audit_entry *e)
{
	struct collect *c = ctx;

	if (c->n == 16)
		return 1;
	c->e[c->n++] = *e;
	return 0;
}

static void
test_chain(void **state)
{
	static const enum ec_audit_op ops[] = {
		EC_AUDIT_IMPORT, EC_AUDIT_IMPORT, EC_AUDIT_IMPORT, EC_AUDIT_APPLY, EC_AUDIT_ISSUE, EC_AUDIT_REVOKE,
		EC_AUDIT_CRL
	};
	struct ec_office *o;
	struct collect *c = test_calloc(1, sizeof *c);
	int i;

	verify(state, 0, 7, NULL);
	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &o), 0);
	assert_int_equal(ec_audit_each(o, collect, c), 0);
	ec_office_close(o);
	assert_int_equal(c->n, 7);
	for (i = 0; i < 7; i++) {
		assert_int_equal(c->e[i].seq, (uint64_t)i + 1);
		assert_int_equal(c->e[i].op, ops[i]);
		assert_int_equal(c->e[i].time, 1772452800);    /* ECERT_NOW noon UTC */
	}
	assert_int_equal(c->e[0].subject_kind, EC_AUDIT_SUBJ_REGNO);
	assert_memory_not_equal(c->e[0].reg_hash, c->e[1].reg_hash, 32);
	assert_int_equal(c->e[4].subject_kind, EC_AUDIT_SUBJ_NUMBER);
	assert_string_equal(c->e[4].number, c->e[5].number);
	assert_int_equal(c->e[6].subject_kind, EC_AUDIT_SUBJ_NONE);
	assert_string_equal(ec_audit_op_name(EC_AUDIT_ISSUE), "issue");
	assert_string_equal(ec_audit_op_name(0), "?");
	test_free(c);
}

static void
test_no_personal_data(void **state)
{
	/* the audit table's bytes never hold names or emails in clear */
	char path[128];
	struct ec_kv *kv;
	struct ec_kvtxn *t;
	struct ec_kvcur *c;
	struct ec_kv_val k, v;
	int r;

	snprintf(path, sizeof path, "%s/register", (char *)*state);
	assert_int_equal(ec_kv_open(path, EC_KV_RDONLY, 0, 0, 0, office_dbs, EC_ODB_COUNT, &kv), 0);
	assert_int_equal(ec_kv_rbegin(kv, &t), 0);
	assert_int_equal(ec_kv_cursor(t, EC_ODB_AUDIT, &c), 0);
	for (r = ec_kv_seek(c, NULL, 0, &k, &v); r == 0; r = ec_kv_next(c, &k, &v)) {
		assert_null(memmem(v.p, v.n, "Secret", 6));
		assert_null(memmem(v.p, v.n, "secret@", 7));
	}
	assert_int_equal(r, EC_ERR_NOTFOUND);
	ec_kv_cursor_close(c);
	ec_kv_rend(t);
	ec_kv_close(kv);
}

/* Tampering: flip a byte of entry seq (at offset), or delete it. */
struct tamper {
	uint64_t seq;
	size_t offset;
	int del;
};

static int
tamper_txn(struct ec_kvtxn *t, void *ctx)
{
	struct tamper *x = ctx;
	unsigned char key[8], buf[256];
	struct ec_kv_val v;
	int r;

	ec_rec_put64(key, x->seq);
	if ((r = ec_kv_get(t, EC_ODB_AUDIT, key, 8, &v)))
		return r;
	if (x->del)
		return ec_kv_del(t, EC_ODB_AUDIT, key, 8);
	memcpy(buf, v.p, v.n);
	buf[x->offset] ^= 1;
	return ec_kv_put(t, EC_ODB_AUDIT, key, 8, buf, v.n, 0);
}

static void
tamper(void **state, uint64_t seq, size_t offset, int del)
{
	struct tamper x = { seq, offset, del };
	struct ec_kv *kv;
	char path[128];

	snprintf(path, sizeof path, "%s/register", (char *)*state);
	assert_int_equal(ec_kv_open(path, 0, 0700, 0600, 0, office_dbs, EC_ODB_COUNT, &kv), 0);
	assert_int_equal(ec_kv_update(kv, tamper_txn, &x), 0);
	ec_kv_close(kv);
}

static void
test_tamper_middle(void **state)
{
	/* entry 3's record hash (after version, seq, time, op, kind, 32-byte subject) changes:
	 * the link stored in entry 4 breaks */
	tamper(state, 3, 1 + 8 + 8 + 1 + 1 + 32 + 5, 0);
	verify(state, EC_ERR_CORRUPT, 4, "entry 4");
	tamper(state, 3, 1 + 8 + 8 + 1 + 1 + 32 + 5, 0);        /* flip back */
	verify(state, 0, 7, NULL);
	/* entry 2's own link changed: the break is at entry 2 */
	tamper(state, 2, 1 + 8 + 8 + 1 + 1 + 32 + 32 + 3, 0);
	verify(state, EC_ERR_CORRUPT, 2, "entry 2");
}

static void
test_tamper_time_and_decode(void **state)
{
	tamper(state, 5, 1 + 8 + 7, 0);          /* time of the issue entry */
	verify(state, EC_ERR_CORRUPT, 6, "entry 6");
	tamper(state, 5, 1 + 8 + 7, 0);
	tamper(state, 5, 0, 0);                  /* version byte: does not decode */
	verify(state, EC_ERR_CORRUPT, 5, "does not decode");
}

static void
test_tamper_tail(void **state)
{
	tamper(state, 7, 1 + 8 + 7, 0);
	verify(state, EC_ERR_CORRUPT, 7, "head");
	tamper(state, 7, 1 + 8 + 7, 0);
	verify(state, 0, 7, NULL);
	tamper(state, 7, 0, 1);                  /* truncated tail */
	verify(state, EC_ERR_CORRUPT, 7, "entry 7");
}

static void
test_delete_middle(void **state)
{
	tamper(state, 4, 0, 1);
	verify(state, EC_ERR_CORRUPT, 4, "entry 4: entry missing");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_no_personal_data, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tamper_middle, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tamper_time_and_decode, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tamper_tail, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_delete_middle, setup, helper_tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
