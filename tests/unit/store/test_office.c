/*
 * Unit tests for the office register: import and its corrections, the person index, applications,
 * issuance batches, revoke, renew, reissue, mail, CRL numbers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/x509.h>

#include "audit.h"
#include "cert.h"
#include "date.h"
#include "err.h"
#include "number.h"
#include "office.h"
#include "portal.h"
#include "public.h"
#include "record.h"
#include "register.h"
#include "token.h"
#include "../helper_pki.h"
#include "signer.h"
#include "ecx509.h"
#include "../helper_tmp.h"

#define KID "AbCdEfGhIjK"
#define KID2 "ZyXwVuTsRqP"

static int
setup(void **state)
{
	char *dir;

	setenv("ECERT_NOW", "2026-03-02", 1);
	if (!(dir = helper_tmpdir("office")))
		return -1;
	*state = dir;
	return 0;
}

static struct ec_exam
exam(const char *reg, int passed, const char *email)
{
	struct ec_exam x;

	memset(&x, 0, sizeof x);
	strcpy(x.reg_no, reg);
	strcpy(x.last_name, "O'Brien");
	strcpy(x.first_name, "Zoë");
	strcpy(x.email, email);
	strcpy(x.tel, "+353 871234567");
	strcpy(x.code, "HCIA-AI");
	x.exam_date = 20500;
	x.passed = passed;
	return x;
}

static struct ec_app
app(const char *reg, enum ec_format fmt, const char *name)
{
	struct ec_app a;

	memset(&a, 0, sizeof a);
	strcpy(a.reg_no, reg);
	a.format = fmt;
	strcpy(a.name, name);
	strcpy(a.email, "zoe@example.org");
	strcpy(a.tel, "+353 871234567");
	if (fmt == EC_FORMAT_PAPER)
		strcpy(a.address, "1 Main Street, Dublin");
	a.applied = 20501;
	return a;
}

static void
cert(struct ec_cert *c, const char *reg, const char *kid, const char *email, enum ec_format fmt)
{
	memset(c, 0, sizeof *c);
	assert_int_equal(ec_number_generate(511, c->e.number), 0);
	strcpy(c->e.name, "Zoë O'Brien");
	/* A certification per registration number: one person may hold several (test_live holds the rule). */
	snprintf(c->e.code, sizeof c->e.code, "HCIA-%s", reg);
	strcpy(c->e.title, "Huawei Certified ICT Associate - Artificial Intelligence");
	c->e.format = fmt;
	c->e.effective = 20500;
	c->e.expires = ec_date_expiry(20500, 3);
	c->e.issued_at = 1772400000;
	strcpy(c->e.kid, kid);
	strcpy(c->reg_no, reg);
	strcpy(c->email, email);
	strcpy(c->issuer, "Example Issuing CA");
	c->der_len = 600;
	memset(c->der, 0x30, c->der_len);
	strcpy(c->token, "h.p.s");
	/* fields the register must ignore on issuance */
	c->status = EC_ST_REVOKED;
	strcpy(c->reason, "junk");
}

static struct ec_office *
open_rw(void **state)
{
	struct ec_office *o = NULL;

	assert_int_equal(ec_office_open(*state, 0, &o), 0);
	return o;
}

/* Import three passed, one failed; return the office. */
static struct ec_office *
seeded(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_exam rows[4] = {
		exam("R1", 1, "zoe@example.org"), exam("R2", 1, "zoe.two@example.org"), exam("R3", 1, "li@example.cn"),
		exam("R4", 0, "fail@example.org"),
	};
	struct ec_import_stats st;

	assert_int_equal(ec_office_import(o, rows, 4, &st), 0);
	assert_int_equal(st.added, 4);
	return o;
}

static void
test_open(void **state)
{
	struct ec_office *o = NULL, *ro = NULL;
	char p[128];
	struct stat st;

	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &ro), EC_ERR_NOTFOUND);
	o = open_rw(state);
	snprintf(p, sizeof p, "%s/register", (char *)*state);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(p, sizeof p, "%s/public", (char *)*state);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &ro), 0);
	{
		struct ec_exam x = exam("R9", 1, "a@b.c");

		assert_int_equal(ec_office_import(ro, &x, 1, NULL), EC_ERR_ARG);
	}
	ec_office_close(ro);
	ec_office_close(o);
}

static int
unindex_txn(struct ec_kvtxn *t, void *ctx)
{
	(void)ctx;
	return ec_kv_put64(t, 0, "exam.email", 0);
}

/*
 * A register an older version wrote: readers take it as it is, new tables read empty, but the exam
 * index stands for records that exist, so a reader is sent to a writer until one has built it.
 */
static void
test_open_older(void **state)
{
	static const char *const meta[] = { "meta" };
	struct ec_office *o = seeded(state), *ro = NULL;
	struct ec_kv *kv = NULL;
	char p[128];

	ec_office_close(o);
	snprintf(p, sizeof p, "%s/register", (char *)*state);
	assert_int_equal(ec_kv_open(p, 0, 0700, 0600, 0, meta, 1, &kv), 0);
	assert_int_equal(ec_kv_update(kv, unindex_txn, NULL), 0);
	ec_kv_close(kv);
	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &ro), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "run any writing command once"));
	o = open_rw(state);
	ec_office_close(o);
	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &ro), 0);
	ec_office_close(ro);
}

static void
test_import(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_exam rows[2] = { exam("R1", 1, "zoe@example.org"), exam("R5", 1, "new@example.org") };
	struct ec_import_stats st;
	struct ec_exam got;

	/* identical re-import changes nothing */
	assert_int_equal(ec_office_import(o, rows, 1, &st), 0);
	assert_int_equal(st.added, 0);
	assert_int_equal(st.unchanged, 1);
	/* a conflicting row refuses the whole batch, naming the registration number */
	strcpy(rows[0].tel, "+1 5550000");
	assert_int_equal(ec_office_import(o, rows, 2, &st), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "'R1'"));
	assert_int_equal(ec_office_exam_get(o, "R5", &got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_exam_get(o, "R1", &got), 0);
	assert_string_equal(got.tel, "+353 871234567");
	/* two differing rows inside one input */
	rows[0] = exam("R6", 1, "a@example.org");
	rows[1] = exam("R6", 0, "a@example.org");
	assert_int_equal(ec_office_import(o, rows, 2, &st), EC_ERR_REFUSED);
	assert_int_equal(ec_office_exam_get(o, "R6", &got), EC_ERR_NOTFOUND);
	/* malformed registration number and field */
	rows[0] = exam("R 7", 1, "a@example.org");
	assert_int_equal(ec_office_import(o, rows, 1, &st), EC_ERR_ARG);
	rows[0] = exam("R7", 1, "a@example.org");
	rows[0].code[2] = '\t';
	assert_int_equal(ec_office_import(o, rows, 1, &st), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "'R7'"));
	assert_int_equal(ec_office_exam_get(o, "", &got), EC_ERR_ARG);
	ec_office_close(o);
}

struct cnt {
	int n;
	char last[64];
};

static int
count_app(void *ctx, const struct ec_app *a)
{
	struct cnt *c = ctx;

	c->n++;
	strcpy(c->last, a->reg_no);
	return 0;
}

static int
count_cert(void *ctx, const struct ec_cert *ce)
{
	struct cnt *c = ctx;

	c->n++;
	strcpy(c->last, ce->e.number);
	return 0;
}

static int
count_exam(void *ctx, const struct ec_exam *x)
{
	struct cnt *c = ctx;

	(void)x;
	return ++c->n == 2 ? 1 : 0;     /* stop after two */
}

static int
fail_cert(void *ctx, const struct ec_cert *ce)
{
	(void)ctx;
	(void)ce;
	return EC_ERR_NOTFOUND;
}

static void
test_apply(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_app a = app("R1", EC_FORMAT_ELECTRONIC, "Zoë O'Brien"), got, existing;
	struct ec_app many[3] = {
		app("R2", EC_FORMAT_PAPER, "Zoe Two"), app("R4", EC_FORMAT_ELECTRONIC, "Failed"),
		app("R8", EC_FORMAT_ELECTRONIC, "No Exam"),
	};
	struct cnt c = { 0, "" };
	int rc[3];

	a.status = EC_ST_VALID;                    /* ignored */
	assert_int_equal(ec_office_apply(o, &a, NULL), 0);
	assert_int_equal(ec_office_app_get(o, "R1", &got), 0);
	assert_int_equal(got.status, EC_ST_REQUESTED);
	assert_string_equal(got.number, "");
	assert_string_equal(got.name, "Zoë O'Brien");
	/* immutable: a second application is refused and the first returned */
	a = app("R1", EC_FORMAT_PAPER, "Someone Else");
	assert_int_equal(ec_office_apply(o, &a, &existing), EC_ERR_EXISTS);
	assert_string_equal(existing.name, "Zoë O'Brien");
	assert_int_equal(existing.format, EC_FORMAT_ELECTRONIC);
	assert_int_equal(ec_office_apply_many(o, many, 3, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(rc[1], EC_ERR_REFUSED);
	assert_int_equal(rc[2], EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_app_get(o, "R4", &got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_apps_each(o, 1, count_app, &c), 0);
	assert_int_equal(c.n, 2);
	c.n = 0;
	assert_int_equal(ec_office_exams_each(o, count_exam, &c), 0);
	assert_int_equal(c.n, 2);
	ec_office_close(o);
}

static void
test_issue(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_app apps[3] = {
		app("R1", EC_FORMAT_ELECTRONIC, "Zoë O'Brien"), app("R2", EC_FORMAT_PAPER, "Zoe Two"),
		app("R3", EC_FORMAT_ELECTRONIC, "李瑞瑞"),
	};
	struct ec_cert *certs = test_calloc(5, sizeof *certs), *got = test_malloc(sizeof *got);
	struct ec_app a;
	struct cnt c = { 0, "" };
	int rc[5], rcs[3];

	assert_int_equal(ec_office_apply_many(o, apps, 3, rcs), 0);
	cert(&certs[0], "R1", KID, "zoe@example.org", EC_FORMAT_ELECTRONIC);
	cert(&certs[1], "R2", KID, "Zoe@Example.org", EC_FORMAT_PAPER);
	cert(&certs[2], "R9", KID, "x@example.org", EC_FORMAT_ELECTRONIC);     /* no application */
	cert(&certs[3], "R3", KID, "li@example.cn", EC_FORMAT_ELECTRONIC);
	strcpy(certs[3].e.number, certs[0].e.number);                          /* number in use */
	cert(&certs[4], "R3", KID, "li@example.cn", EC_FORMAT_ELECTRONIC);
	certs[4].der_len = 0;                                                  /* bad field */
	assert_int_equal(ec_office_issue(o, certs, NULL, 5, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(rc[1], 0);
	assert_int_equal(rc[2], EC_ERR_NOTFOUND);
	assert_int_equal(rc[3], EC_ERR_REFUSED);
	assert_int_equal(rc[4], EC_ERR_ARG);
	/* the refused ones left nothing behind */
	assert_int_equal(ec_office_app_get(o, "R3", &a), 0);
	assert_int_equal(a.status, EC_ST_REQUESTED);
	assert_int_equal(ec_office_cert_get(o, certs[4].e.number, got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_apps_each(o, 1, count_app, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.last, "R3");
	/* what was stored */
	assert_int_equal(ec_office_cert_get(o, certs[0].e.number, got), 0);
	assert_int_equal(got->status, EC_ST_VALID);
	assert_string_equal(got->reason, "");
	assert_int_equal(got->der_len, 600);
	assert_string_equal(got->token, "h.p.s");
	assert_int_equal(ec_office_app_get(o, "R1", &a), 0);
	assert_int_equal(a.status, EC_ST_VALID);
	assert_string_equal(a.number, certs[0].e.number);
	/* re-running never issues twice */
	cert(&certs[0], "R1", KID, "zoe@example.org", EC_FORMAT_ELECTRONIC);
	assert_int_equal(ec_office_issue(o, certs, NULL, 1, rc), 0);
	assert_int_equal(rc[0], EC_ERR_EXISTS);
	assert_int_equal(ec_office_cert_get(o, certs[0].e.number, got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_cert_get(o, "123", got), EC_ERR_ARG);
	/* email index: case-insensitive, both certificates */
	{
		struct ec_cert_filter f = { "ZOE@example.ORG", 0, 0 };

		c.n = 0;
		assert_int_equal(ec_office_certs_each(o, &f, count_cert, &c), 0);
		assert_int_equal(c.n, 2);
		f.email = "nobody@example.org";
		c.n = 0;
		assert_int_equal(ec_office_certs_each(o, &f, count_cert, &c), 0);
		assert_int_equal(c.n, 0);
		c.n = 0;
		assert_int_equal(ec_office_certs_each(o, NULL, count_cert, &c), 0);
		assert_int_equal(c.n, 2);
		assert_int_equal(ec_office_certs_each(o, NULL, fail_cert, &c), EC_ERR_NOTFOUND);
	}
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	test_free(certs);
	test_free(got);
	ec_office_close(o);
}

/* Issue one certificate for reg and return it in *c. */
static void
issue_one(struct ec_office *o, const char *reg, enum ec_format fmt, const char *email, const char *kid,
    struct ec_cert *c)
{
	struct ec_app a = app(reg, fmt, "Zoë O'Brien");
	int rc;

	assert_int_equal(ec_office_apply(o, &a, NULL), 0);
	cert(c, reg, kid, email, fmt);
	assert_int_equal(ec_office_issue(o, c, NULL, 1, &rc), 0);
	assert_int_equal(rc, 0);
}

struct rev {
	int n;
	char number[EC_NUMBER_DIGITS + 1];
	int64_t at;
	char reason[32];
};

static int
on_revoked(void *ctx, const char *number, int64_t at, const char *reason)
{
	struct rev *r = ctx;

	r->n++;
	strcpy(r->number, number);
	r->at = at;
	strcpy(r->reason, reason);
	return 0;
}

static void
test_revoke(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_cert *c1 = test_malloc(sizeof *c1), *c2 = test_malloc(sizeof *c2), *got = test_malloc(sizeof *got);
	struct rev r = { 0, "", 0, "" };
	struct cnt c = { 0, "" };

	issue_one(o, "R1", EC_FORMAT_ELECTRONIC, "zoe@example.org", KID, c1);
	issue_one(o, "R2", EC_FORMAT_ELECTRONIC, "zoe@example.org", KID2, c2);
	assert_int_equal(ec_office_revoke(o, c1->e.number, 1772500000, "keyCompromise", NULL, got), 0);
	assert_int_equal(got->status, EC_ST_REVOKED);
	assert_string_equal(got->e.kid, KID);
	assert_int_equal(ec_office_cert_get(o, c1->e.number, got), 0);
	assert_int_equal(got->status, EC_ST_REVOKED);
	assert_int_equal(got->revoked_at, 1772500000);
	assert_string_equal(got->reason, "keyCompromise");
	assert_int_equal(ec_office_revoke(o, c1->e.number, 1772500001, "superseded", NULL, NULL), EC_ERR_REFUSED);
	assert_int_equal(ec_office_revoke(o, "0511000000000000000000", 1, "keyCompromise", NULL, NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_revoke(o, c2->e.number, 1, "", NULL, NULL), EC_ERR_ARG);
	/* per-KID revocation lists */
	assert_int_equal(ec_office_revoked_each(o, KID, on_revoked, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.number, c1->e.number);
	assert_int_equal(r.at, 1772500000);
	assert_string_equal(r.reason, "keyCompromise");
	r.n = 0;
	assert_int_equal(ec_office_revoked_each(o, KID2, on_revoked, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(ec_office_revoked_each(o, "short", on_revoked, &r), EC_ERR_ARG);
	/* status filter */
	{
		struct ec_cert_filter f = { NULL, 1 + EC_ST_REVOKED, 20600 };

		assert_int_equal(ec_office_certs_each(o, &f, count_cert, &c), 0);
		assert_int_equal(c.n, 1);
		assert_string_equal(c.last, c1->e.number);
		f.status = 1 + EC_ST_EXPIRED;
		f.today = ec_date_expiry(20500, 3) + 1;
		c.n = 0;
		assert_int_equal(ec_office_certs_each(o, &f, count_cert, &c), 0);
		assert_int_equal(c.n, 1);
		assert_string_equal(c.last, c2->e.number);
	}
	assert_int_equal(ec_cert_status(got, 99999), EC_ST_REVOKED);
	test_free(c1);
	test_free(c2);
	test_free(got);
	ec_office_close(o);
}

static int
count_req(void *ctx, const char *number, uint64_t acct, int64_t at)
{
	(void)number, (void)at;
	*(uint64_t *)ctx += acct;
	return 0;
}

static int
count_corr(void *ctx, const char *number, uint64_t acct, int64_t at, const char *name)
{
	(void)number, (void)at, (void)name;
	*(uint64_t *)ctx += acct;
	return 0;
}

/* A renewal the holder asked for in the portal: kept for the office's run, gone once renewed. */
static void
test_renew_request(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_cert *old = test_malloc(sizeof *old), *nc = test_malloc(sizeof *nc);
	struct ec_session s;
	struct ec_account a;
	unsigned char sid[32] = { 1 };
	uint64_t sum = 0;

	issue_one(o, "R1", EC_FORMAT_ELECTRONIC, "zoe@example.org", KID, old);
	memset(&s, 0, sizeof s);
	/* signing in associates zoe@example.org: its records (R1) are the account's */
	assert_int_equal(ec_portal_signin(o, "zoe@example.org", 1000, sid, &s, &a), 0);
	assert_int_equal(ec_portal_renew_request(o, a.id + 1, old->e.number, 1000), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_renew_request(o, a.id, "0511000000000000000000", 1000), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_renew_request(o, a.id, old->e.number, 1000), 0);
	assert_int_equal(ec_portal_renew_request(o, a.id, old->e.number, 1001), EC_ERR_EXISTS);
	assert_int_equal(ec_office_renew_requests_each(o, NULL, count_req, &sum), 0);
	assert_int_equal(sum, a.id);
	cert(nc, "R1", KID, "zoe@example.org", EC_FORMAT_ELECTRONIC);
	strcpy(nc->e.renewal_of, old->e.number);
	assert_int_equal(ec_office_renew(o, nc, NULL), 0);
	sum = 0;
	assert_int_equal(ec_office_renew_requests_each(o, NULL, count_req, &sum), 0);
	assert_int_equal(sum, 0);
	/* superseded now: no second request */
	assert_int_equal(ec_portal_renew_request(o, a.id, old->e.number, 1002), EC_ERR_REFUSED);
	/* a revocation answers the requests too: none is left for an issuance run to fail on forever */
	assert_int_equal(ec_portal_renew_request(o, a.id, nc->e.number, 1003), 0);
	assert_int_equal(ec_portal_correction_request(o, a.id, nc->e.number, "Zoë O'Brien", 1003), 0);
	assert_int_equal(ec_office_revoke(o, nc->e.number, 1004, "keyCompromise", NULL, NULL), 0);
	sum = 0;
	assert_int_equal(ec_office_renew_requests_each(o, NULL, count_req, &sum), 0);
	assert_int_equal(sum, 0);
	assert_int_equal(ec_office_corrections_each(o, NULL, count_corr, &sum), 0);
	assert_int_equal(sum, 0);
	test_free(old);
	test_free(nc);
	ec_office_close(o);
}

static void
test_renew(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_cert *old = test_malloc(sizeof *old), *nc = test_malloc(sizeof *nc), *got = test_malloc(sizeof *got);
	struct ec_pubreg *pr;
	struct ec_pub p;

	issue_one(o, "R1", EC_FORMAT_ELECTRONIC, "zoe@example.org", KID, old);
	cert(nc, "R1", KID, "zoe@example.org", EC_FORMAT_ELECTRONIC);
	assert_int_equal(ec_office_renew(o, nc, NULL), EC_ERR_ARG);      /* names no predecessor */
	strcpy(nc->e.renewal_of, old->e.number);
	assert_int_equal(ec_office_renew(o, nc, NULL), 0);
	assert_int_equal(ec_office_cert_get(o, old->e.number, got), 0);
	assert_int_equal(got->status, EC_ST_SUPERSEDED);
	assert_string_equal(got->superseded_by, nc->e.number);
	assert_int_equal(ec_cert_status(got, 20600), EC_ST_SUPERSEDED);
	assert_int_equal(ec_cert_status(got, got->e.expires + 1), EC_ST_EXPIRED);
	assert_int_equal(ec_office_cert_get(o, nc->e.number, got), 0);
	assert_int_equal(got->status, EC_ST_VALID);
	assert_string_equal(got->e.renewal_of, old->e.number);
	/* a renewal revokes nothing: the superseded one is on no CRL (a reissue's is, test_reissue) */
	{
		struct rev r = { 0, "", 0, "" };

		assert_int_equal(ec_office_revoked_each(o, KID, on_revoked, &r), 0);
		assert_int_equal(r.n, 0);
	}
	/* a second renewal of the old one is refused */
	strcpy(nc->e.number, "0511000000000000000000");
	assert_int_equal(ec_office_renew(o, nc, NULL), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "renewed already"));
	/* the public register follows, with both links */
	{
		char p2[128];

		snprintf(p2, sizeof p2, "%s/public", (char *)*state);
		assert_int_equal(ec_pubreg_open(p2, &pr), 0);
		assert_int_equal(ec_pubreg_get(pr, old->e.number, &p), 0);
		assert_int_equal(p.status, EC_ST_SUPERSEDED);
		assert_string_equal(p.superseded_by, got->e.number);
		assert_int_equal(ec_pubreg_get(pr, got->e.number, &p), 0);
		assert_string_equal(p.renewal_of, old->e.number);
		ec_pubreg_close(pr);
	}
	/* renewing a revoked certificate is refused */
	assert_int_equal(ec_office_revoke(o, got->e.number, 1772500000, "affiliationChanged", NULL, NULL), 0);
	cert(nc, "R1", KID, "zoe@example.org", EC_FORMAT_ELECTRONIC);
	strcpy(nc->e.renewal_of, got->e.number);
	assert_int_equal(ec_office_renew(o, nc, NULL), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "revoked"));
	/* the superseded one may still be revoked; it keeps its successor */
	assert_int_equal(ec_office_revoke(o, old->e.number, 1772500000, "keyCompromise", NULL, got), 0);
	assert_int_equal(ec_office_cert_get(o, old->e.number, got), 0);
	assert_string_equal(got->superseded_by, nc->e.renewal_of);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	test_free(old);
	test_free(nc);
	test_free(got);
	ec_office_close(o);
}

static void
test_mail(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_cert *e = test_malloc(sizeof *e), *p = test_malloc(sizeof *p), *got = test_malloc(sizeof *got);

	issue_one(o, "R1", EC_FORMAT_ELECTRONIC, "zoe@example.org", KID, e);
	issue_one(o, "R2", EC_FORMAT_PAPER, "zoe@example.org", KID, p);
	assert_int_equal(ec_office_ship(o, e->e.number, "SF Express", "SF1", 1772600000, NULL), EC_ERR_REFUSED);
	assert_int_equal(ec_office_ship(o, p->e.number, "SF Express", "SF1", 1772600000, NULL), 0);
	assert_int_equal(ec_office_ship(o, p->e.number, "SF Express", "SF1", 1772700000, NULL), 0);
	assert_int_equal(ec_office_ship(o, p->e.number, "EMS", "E2", 1772700000, NULL), EC_ERR_REFUSED);
	assert_int_equal(ec_office_ship(o, p->e.number, "", "E2", 1772700000, NULL), EC_ERR_ARG);
	assert_int_equal(ec_office_ship(o, "0511000000000000000000", "EMS", "E2", 1, NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_cert_get(o, p->e.number, got), 0);
	assert_string_equal(got->carrier, "SF Express");
	assert_string_equal(got->order, "SF1");
	assert_int_equal(got->mailed_at, 1772600000);
	test_free(e);
	test_free(p);
	test_free(got);
	ec_office_close(o);
}

static void
test_crl_number(void **state)
{
	struct ec_office *o = open_rw(state), *ro;
	uint64_t n = 0;

	assert_int_equal(ec_office_crl_next(o, KID, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ec_office_crl_next(o, KID, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ec_office_crl_next(o, KID2, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ec_office_crl_next(o, "nope", &n), EC_ERR_ARG);
	ec_office_close(o);
	o = open_rw(state);
	assert_int_equal(ec_office_crl_next(o, KID, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &ro), 0);
	assert_int_equal(ec_office_crl_next(ro, KID, &n), EC_ERR_ARG);
	ec_office_close(ro);
	ec_office_close(o);
}

static int
empty_rewind(void *ctx)
{
	(void)ctx;
	return 0;
}

static int
empty_next(void *ctx, struct ec_pub *p)
{
	(void)ctx;
	(void)p;
	return 0;
}

static void
test_crash_repair(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_cert *c = test_malloc(sizeof *c);
	struct ec_pubw *w;
	struct ec_pubreg *pr;
	struct ec_pub p;
	uint64_t gen = 0;
	char path[128], key[128];

	issue_one(o, "R1", EC_FORMAT_ELECTRONIC, "zoe@example.org", KID, c);
	ec_office_close(o);
	/* as if the run had stopped after the office commit: public register empty, a generation behind */
	snprintf(path, sizeof path, "%s/public", (char *)*state);
	snprintf(key, sizeof key, "%s/name.key", (char *)*state);
	assert_int_equal(ec_pubw_open(path, key, &w), 0);
	assert_int_equal(ec_pubw_rebuild(w, empty_rewind, empty_next, NULL, 0, NULL), 0);
	ec_pubw_close(w);
	assert_int_equal(ec_pubreg_open(path, &pr), 0);
	assert_int_equal(ec_pubreg_get(pr, c->e.number, &p), EC_ERR_NOTFOUND);
	/* the next writer notices and repairs; the live reader sees it without reopening */
	o = open_rw(state);
	assert_int_equal(ec_pubreg_get(pr, c->e.number, &p), 0);
	assert_int_equal(p.status, EC_ST_VALID);
	ec_pubreg_close(pr);
	assert_int_equal(ec_pubw_open(path, key, &w), 0);
	assert_int_equal(ec_pubw_generation(w, &gen), 0);
	assert_true(gen >= 2);
	ec_pubw_close(w);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	test_free(c);
	ec_office_close(o);
}

static int
list_app(void *ctx, const struct ec_app *a, const struct ec_exam *x)
{
	char *seen = ctx;

	(void)x;

	strcat(seen, a->reg_no);
	strcat(seen, ",");
	return strcmp(a->reg_no, "R3") == 0;
}

static int
list_pending(void *ctx, const struct ec_app *a, const struct ec_exam *x)
{
	char *seen = ctx;

	assert_string_equal(x->reg_no, a->reg_no);
	assert_string_equal(x->code, "HCIA-AI");
	assert_int_equal(x->exam_date, 20500);
	strcat(seen, a->reg_no);
	strcat(seen, strcmp(x->email, "li@example.cn") == 0 ? "=li," : ",");
	return 0;
}

static int
drop_exam_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_del(t, EC_ODB_EXAM, ctx, strlen(ctx));
}

/*
 * The pending walk with exam results gives each application with its own exam, from any point; an
 * application whose exam result is gone is reported, not skipped.
 */
static void
test_pending_exams(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_app apps[3] = {
		app("R1", EC_FORMAT_ELECTRONIC, "Zoë O'Brien"), app("R2", EC_FORMAT_PAPER, "Zoe Two"),
		app("R3", EC_FORMAT_ELECTRONIC, "李瑞瑞"),
	};
	char seen[64] = "";
	int rc[3];

	assert_int_equal(ec_office_pending_exams_from(o, "", list_pending, seen), 0);
	assert_string_equal(seen, "");
	assert_int_equal(ec_office_apply_many(o, apps, 3, rc), 0);
	assert_int_equal(ec_office_pending_exams_from(o, "", list_pending, seen), 0);
	assert_string_equal(seen, "R1,R2,R3=li,");
	seen[0] = '\0';
	assert_int_equal(ec_office_pending_exams_from(o, "R1", list_pending, seen), 0);
	assert_string_equal(seen, "R2,R3=li,");
	assert_int_equal(ec_kv_update(ec_office_kv(o), drop_exam_txn, "R2"), 0);
	seen[0] = '\0';
	assert_int_equal(ec_office_pending_exams_from(o, "", list_pending, seen), EC_ERR_NOTFOUND);
	assert_string_equal(seen, "R1,");
	assert_int_equal(ec_office_pending_exams_from(o, "bad key", list_pending, seen), EC_ERR_ARG);
	ec_office_close(o);
}

/*
 * Consecutive batches, the second smaller than the first and with a refused certificate among the
 * stored ones, each leave the public register equal to what the office stored.
 */
static void
test_issue_public(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_app apps[3] = {
		app("R1", EC_FORMAT_ELECTRONIC, "Zoë O'Brien"), app("R2", EC_FORMAT_PAPER, "Zoe Two"),
		app("R3", EC_FORMAT_ELECTRONIC, "李瑞瑞"),
	};
	struct ec_cert *c = test_calloc(3, sizeof *c);
	struct ec_pubreg *pr;
	struct ec_pub p;
	char path[128];
	unsigned char key[EC_NAME_KEY_LEN];
	int rc[3], i;

	assert_int_equal(ec_office_apply_many(o, apps, 3, rc), 0);
	for (i = 0; i < 3; i++) {
		cert(&c[i], apps[i].reg_no, KID, "zoe@example.org", apps[i].format);
		strcpy(c[i].e.name, apps[i].name);
	}
	assert_int_equal(ec_office_issue(o, c, NULL, 2, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(rc[1], 0);
	cert(&c[0], "R9", KID, "x@example.org", EC_FORMAT_ELECTRONIC);        /* no application */
	c[1] = c[2];
	assert_int_equal(ec_office_issue(o, c, NULL, 2, rc), 0);
	assert_int_equal(rc[0], EC_ERR_NOTFOUND);
	assert_int_equal(rc[1], 0);
	snprintf(path, sizeof path, "%s/public", (char *)*state);
	assert_int_equal(ec_pubreg_open(path, &pr), 0);
	assert_int_equal(ec_pubreg_get(pr, c[0].e.number, &p), EC_ERR_NOTFOUND);
	assert_int_equal(ec_pubreg_get(pr, c[2].e.number, &p), 0);
	assert_int_equal(p.status, EC_ST_VALID);
	assert_string_equal(p.reason, "");
	assert_string_equal(p.issuer, "Example Issuing CA");
	assert_string_equal(p.name_masked, "李***");
	snprintf(path, sizeof path, "%s/name.key", (char *)*state);
	assert_int_equal(ec_name_key_read(path, key), 0);
	assert_int_equal(ec_pubreg_name_key(pr, key), 0);
	assert_int_equal(ec_pubreg_name_matches(pr, &p, "李瑞瑞", strlen("李瑞瑞")), 1);
	ec_pubreg_close(pr);
	test_free(c);
	ec_office_close(o);
}

struct raw_ctx {
	const char *number;
	size_t len;
	unsigned flags;
};

static int
raw_txn(struct ec_kvtxn *t, void *ctx)
{
	struct raw_ctx *r = ctx;
	unsigned char key[EC_NUMBIN];
	struct ec_kv_val v;
	int rc;

	if ((rc = ec_rec_num_pack(r->number, key)) || (rc = ec_kv_get(t, EC_ODB_CERT, key, sizeof key, &v)))
		return rc;
	r->len = v.n;
	r->flags = v.p[1];
	return 0;
}

/*
 * Real e-Certs and tokens are stored compact (skeleton + signatures) and come back byte for byte,
 * through every read and after a rewrite; an issuer CN the skeleton does not carry is kept whole.
 */
static void
test_compact(void **state)
{
	struct ec_office *o = seeded(state);
	struct helper_ca ca[2];
	struct ec_cert *c = calloc(3, sizeof *c), *got = malloc(sizeof *got);
	struct ec_app apps[3] = {
		app("R1", EC_FORMAT_ELECTRONIC, "李瑞瑞"), app("R2", EC_FORMAT_PAPER, "Zoë O'Brien"),
		app("R3", EC_FORMAT_ELECTRONIC, "Anna"),
	};
	unsigned char *der = NULL;
	char cn[EC_ISSUER_MAX + 1], seen[64] = "";
	struct raw_ctx raw;
	size_t len, i;
	int rc[3];

	assert_int_equal(helper_ca_make(&ca[0], EC_ALG_P256, "Example Org"), 0);
	assert_int_equal(helper_ca_make(&ca[1], EC_ALG_ED25519, "Example Org"), 0);
	assert_int_equal(ec_office_apply_many(o, apps, 3, rc), 0);
	assert_int_equal(ec_office_pending_exams_from(o, "R1", list_app, seen), 0);
	assert_string_equal(seen, "R2,R3,");
	for (i = 0; i < 3; i++) {
		struct ec_signer *s = &ca[i == 1].s;

		cert(&c[i], apps[i].reg_no, s->kid, "zoe@example.org", apps[i].format);
		strcpy(c[i].e.name, apps[i].name);
		assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(s->cert), NID_commonName, cn, sizeof cn) > 0);
		strcpy(c[i].issuer, i == 2 ? "Another Name" : cn);
		assert_int_equal(ec_ecert_sign(s, &c[i].e, &der, &len), 0);
		memcpy(c[i].der, der, len);
		c[i].der_len = len;
		free(der);
		assert_int_equal(ec_token_sign(s, &c[i].e, c[i].token), 0);
	}
	assert_int_equal(ec_office_issue(o, c, NULL, 3, rc), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rc[i], 0);
		assert_int_equal(ec_office_cert_get(o, c[i].e.number, got), 0);
		assert_int_equal(got->der_len, c[i].der_len);
		assert_memory_equal(got->der, c[i].der, c[i].der_len);
		assert_string_equal(got->token, c[i].token);
		assert_string_equal(got->issuer, c[i].issuer);
		raw.number = c[i].e.number;
		assert_int_equal(ec_kv_view(ec_office_kv(o), raw_txn, &raw), 0);
		assert_int_equal(raw.flags, i == 2 ? EC_RC_DER | EC_RC_TOKEN : i == 1 ?
		    EC_RC_DER | EC_RC_TOKEN | EC_RC_ISSUER | EC_RC_EDDSA : EC_RC_DER | EC_RC_TOKEN | EC_RC_ISSUER);
		assert_true(raw.len < 400);
	}
	/* rewritten (revoked), it still comes back whole */
	assert_int_equal(ec_office_revoke(o, c[0].e.number, 1772500000, "keyCompromise", NULL, got), 0);
	assert_int_equal(ec_office_cert_get(o, c[0].e.number, got), 0);
	assert_int_equal(got->status, EC_ST_REVOKED);
	assert_memory_equal(got->der, c[0].der, c[0].der_len);
	assert_string_equal(got->token, c[0].token);
	ec_office_close(o);
	/* and read-only, from a fresh handle */
	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &o), 0);
	assert_int_equal(ec_office_cert_get(o, c[1].e.number, got), 0);
	assert_memory_equal(got->der, c[1].der, c[1].der_len);
	assert_string_equal(got->token, c[1].token);
	assert_string_equal(got->issuer, c[1].issuer);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	ec_office_close(o);
	helper_ca_free(&ca[0]);
	helper_ca_free(&ca[1]);
	free(c);
	free(got);
}

/* One live certificate per person (email, any case) and certification; expired, revoked and renewed ones do not count. */
static void
test_live(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_app apps[3] = {
		app("R1", EC_FORMAT_ELECTRONIC, "Zo\xc3\xab O'Brien"), app("R2", EC_FORMAT_ELECTRONIC, "Zoe"),
		app("R3", EC_FORMAT_ELECTRONIC, "Li"),
	};
	struct ec_cert *c = test_calloc(3, sizeof *c), *got = test_malloc(sizeof *got);
	int rc[3], rcs[3];

	assert_int_equal(ec_office_apply_many(o, apps, 3, rcs), 0);
	/* R1 and R2: one person in two spellings, one certification, in one batch: the second is refused */
	cert(&c[0], "R1", KID, "zoe@example.org", EC_FORMAT_ELECTRONIC);
	cert(&c[1], "R2", KID, "ZOE@example.org", EC_FORMAT_ELECTRONIC);
	strcpy(c[1].e.code, c[0].e.code);
	cert(&c[2], "R3", KID, "li@example.cn", EC_FORMAT_ELECTRONIC);
	strcpy(c[2].e.code, c[0].e.code);                                  /* another person: allowed */
	assert_int_equal(ec_office_issue(o, c, NULL, 3, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(rc[1], EC_ERR_CONFLICT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CONFLICT), c[0].e.number));
	assert_int_equal(rc[2], 0);
	assert_int_equal(ec_office_cert_get(o, c[1].e.number, got), EC_ERR_NOTFOUND);
	/* the same question asked from outside a transaction */
	{
		char num[EC_NUMBER_DIGITS + 1];
		ec_day exp = 0;

		assert_int_equal(ec_office_live(o, "ZOE@EXAMPLE.ORG", c[0].e.code, c[0].e.effective, num, &exp), 0);
		assert_string_equal(num, c[0].e.number);
		assert_int_equal(exp, c[0].e.expires);
		assert_int_equal(ec_office_live(o, "zoe@example.org", c[0].e.code, c[0].e.expires + 1, num, NULL), 0);
		assert_string_equal(num, "");
		assert_int_equal(ec_office_live(o, "zoe@example.org", "HCIP-AI", c[0].e.effective, num, NULL), 0);
		assert_string_equal(num, "");
	}
	/* one that starts after the live one has ended is allowed */
	cert(&c[1], "R2", KID, "ZOE@example.org", EC_FORMAT_ELECTRONIC);
	strcpy(c[1].e.code, c[0].e.code);
	c[1].e.effective = c[0].e.expires + 1;
	c[1].e.expires = ec_date_expiry(c[1].e.effective, 3);
	assert_int_equal(ec_office_issue(o, &c[1], NULL, 1, rc), 0);
	assert_int_equal(rc[0], 0);
	/* a revoked one does not count either: Li's next exam is issued */
	{
		struct ec_exam x = exam("R5", 1, "li@example.cn");
		struct ec_app a = app("R5", EC_FORMAT_ELECTRONIC, "Li");

		assert_int_equal(ec_office_revoke(o, c[2].e.number, 1772500000, "affiliationChanged", NULL, NULL), 0);
		assert_int_equal(ec_office_import(o, &x, 1, NULL), 0);
		assert_int_equal(ec_office_apply(o, &a, NULL), 0);
		cert(&c[2], "R5", KID, "li@example.cn", EC_FORMAT_ELECTRONIC);
		strcpy(c[2].e.code, c[0].e.code);
		assert_int_equal(ec_office_issue(o, &c[2], NULL, 1, rc), 0);
		assert_int_equal(rc[0], 0);
	}
	test_free(got);
	test_free(c);
	ec_office_close(o);
}

/* An exam result is corrected only while no application exists; withdrawal opens the way again. */
static void
test_amend_withdraw(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_exam x, old;
	struct ec_app a = app("R1", EC_FORMAT_ELECTRONIC, "Zoe"), got;

	assert_int_equal(ec_office_exam_get(o, "R1", &x), 0);
	strcpy(x.email, "zoe.new@example.org");
	assert_int_equal(ec_office_exam_amend(o, &x, &old), 0);
	assert_string_equal(old.email, "zoe@example.org");
	assert_int_equal(ec_office_exam_get(o, "R1", &x), 0);
	assert_string_equal(x.email, "zoe.new@example.org");
	strcpy(x.reg_no, "R404");
	assert_int_equal(ec_office_exam_amend(o, &x, NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_apply(o, &a, NULL), 0);
	strcpy(x.reg_no, "R1");
	assert_int_equal(ec_office_exam_amend(o, &x, NULL), EC_ERR_REFUSED);
	assert_int_equal(ec_office_withdraw(o, "R1", &got), 0);
	assert_string_equal(got.name, "Zoe");
	assert_int_equal(ec_office_app_get(o, "R1", &got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_withdraw(o, "R1", NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_exam_amend(o, &x, NULL), 0);
	assert_int_equal(ec_office_apply(o, &a, NULL), 0);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	ec_office_close(o);
}

/* Registration numbers fn saw, comma-terminated, into a char[256]. */
static int
list_exam(void *ctx, const struct ec_exam *x)
{
	char *seen = ctx;

	assert_true(strlen(seen) + strlen(x->reg_no) + 2 < 256);
	strcat(seen, x->reg_no);
	strcat(seen, ",");
	return 0;
}

static int
fail_exam(void *ctx, const struct ec_exam *x)
{
	(void)ctx;
	(void)x;
	return EC_ERR_IO;
}

/* Audit entries by operation, into an int[16]. */
static int
count_op(void *ctx, const struct ec_audit_entry *e)
{
	int *n = ctx;

	assert_true(e->op < 16);
	n[e->op]++;
	return 0;
}

/* The person index: one address's results, any case, in number order; all of them grouped by address. */
static void
test_person_exams(void **state)
{
	struct ec_office *o = seeded(state), *ro;
	struct ec_exam rows[3] = {
		exam("R0", 0, "ZOE@Example.ORG"), exam("R10", 1, "zoe@example.org"),
		exam("R5", 1, "zoe@example.org.uk"),        /* the address continues: another person */
	};
	struct ec_exam x;
	struct cnt c = { 0, "" };
	char seen[256] = "", big[EC_EMAIL_MAX + 2];

	assert_int_equal(ec_office_import(o, rows, 3, NULL), 0);
	assert_int_equal(ec_office_person_exams(o, "Zoe@EXAMPLE.org", list_exam, seen), 0);
	assert_string_equal(seen, "R0,R1,R10,");
	/* every person: by lower-cased address ('.' < '@' < end of the address), each in number order */
	seen[0] = '\0';
	assert_int_equal(ec_office_person_exams(o, NULL, list_exam, seen), 0);
	assert_string_equal(seen, "R4,R3,R2,R0,R1,R10,R5,");
	/* nobody, the empty address, a stop and a failure from fn, an address too long */
	seen[0] = '\0';
	assert_int_equal(ec_office_person_exams(o, "nobody@example.org", list_exam, seen), 0);
	assert_int_equal(ec_office_person_exams(o, "", list_exam, seen), 0);
	assert_int_equal(ec_office_person_exams(o, "zoe@example", list_exam, seen), 0);
	assert_string_equal(seen, "");
	assert_int_equal(ec_office_person_exams(o, "zoe@example.org", count_exam, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(ec_office_person_exams(o, "zoe@example.org", fail_exam, NULL), EC_ERR_IO);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(ec_office_person_exams(o, big, list_exam, seen), EC_ERR_ARG);
	/* a correction of the address moves the result to the new one */
	assert_int_equal(ec_office_exam_get(o, "R1", &x), 0);
	strcpy(x.email, "Zoe.New@example.org");
	assert_int_equal(ec_office_exam_amend(o, &x, NULL), 0);
	seen[0] = '\0';
	assert_int_equal(ec_office_person_exams(o, "zoe@example.org", list_exam, seen), 0);
	assert_string_equal(seen, "R0,R10,");
	seen[0] = '\0';
	assert_int_equal(ec_office_person_exams(o, "zoe.new@EXAMPLE.org", list_exam, seen), 0);
	assert_string_equal(seen, "R1,");
	ec_office_close(o);
	/* kept on disk, and a reader walks it too */
	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &ro), 0);
	seen[0] = '\0';
	assert_int_equal(ec_office_person_exams(ro, NULL, list_exam, seen), 0);
	assert_string_equal(seen, "R4,R3,R1,R2,R0,R10,R5,");
	ec_office_close(ro);
}

static int
drop_exam_index_txn(struct ec_kvtxn *t, void *ctx)
{
	int r;

	(void)ctx;
	if ((r = ec_kv_clear(t, EC_ODB_EXAM_EMAIL)))
		return r;
	return ec_kv_put64(t, EC_ODB_META, "exam.email", 0);
}

static int
exam_index_done_txn(struct ec_kvtxn *t, void *ctx)
{
	return ec_kv_get64(t, EC_ODB_META, "exam.email", ctx, NULL);
}

/* A register written before the person index existed gets it on its next writable open. */
static void
test_exam_index_migration(void **state)
{
	struct ec_office *o = seeded(state);
	char seen[256] = "";
	uint64_t done = 0;

	assert_int_equal(ec_kv_update(ec_office_kv(o), drop_exam_index_txn, NULL), 0);
	assert_int_equal(ec_office_person_exams(o, NULL, list_exam, seen), 0);
	assert_string_equal(seen, "");
	ec_office_close(o);
	o = open_rw(state);
	assert_int_equal(ec_office_person_exams(o, NULL, list_exam, seen), 0);
	assert_string_equal(seen, "R4,R3,R2,R1,");
	seen[0] = '\0';
	assert_int_equal(ec_office_person_exams(o, "ZOE@example.org", list_exam, seen), 0);
	assert_string_equal(seen, "R1,");
	assert_int_equal(ec_kv_view(ec_office_kv(o), exam_index_done_txn, &done), 0);
	assert_int_equal(done, 1);
	/* building the index is no change of the records: the audit chain has nothing new to say */
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	ec_office_close(o);
}

/* The tables of the office register before the person index, in the same order (EC_ODB_*). */
static const char *const old_dbs[] = {
	"meta", "exam", "app", "pending", "cert", "email", "revoked", "audit", "outbox", "outbox.due", "mail.once",
	"lang"
};

struct old_rows {
	const struct ec_exam *x;
	size_t n;
};

/* Store rows as version 1 wrote them: no exam code, and no index entry. */
static int
put_v1_txn(struct ec_kvtxn *t, void *ctx)
{
	struct old_rows *rows = ctx;
	struct ec_buf b;
	size_t i, at;
	int r = 0;

	ec_buf_init(&b);
	for (i = 0; i < rows->n && !r; i++) {
		const struct ec_exam *x = &rows->x[i];

		ec_buf_reset(&b);
		assert_int_equal(ec_rec_exam_enc(&b, x), 0);
		at = 6 + strlen(x->last_name) + strlen(x->first_name) + strlen(x->email) + strlen(x->tel) +
		    strlen(x->code);
		assert_int_equal((unsigned char)b.p[at], strlen(x->code));
		memmove(b.p + at, b.p + at + 1 + strlen(x->code), b.len - at - 1 - strlen(x->code));
		b.len -= 1 + strlen(x->code);
		b.p[0] = EC_REC_V1;
		r = ec_kv_put(t, EC_ODB_EXAM, x->reg_no, strlen(x->reg_no), b.p, b.len, 0);
	}
	if (!r)
		r = ec_kv_put64(t, EC_ODB_META, "format", 1);
	ec_buf_free(&b);
	return r;
}

/*
 * The same from a register laid out as the previous version left it: the table is created, the
 * version-1 results are indexed under their addresses and read with the certification as their exam.
 */
static void
test_exam_index_old_register(void **state)
{
	struct ec_exam rows[3] = {
		exam("R1", 1, "Zoe@Example.org"), exam("R2", 1, "li@example.cn"), exam("R3", 0, "zoe@example.org"),
	};
	struct old_rows old = { rows, 3 };
	struct ec_office *o;
	struct ec_kv *kv;
	struct ec_exam x;
	char path[256], seen[256] = "";

	snprintf(path, sizeof path, "%s/register", (char *)*state);
	assert_int_equal(ec_kv_open(path, 0, 0700, 0600, 0, old_dbs, sizeof old_dbs / sizeof old_dbs[0], &kv), 0);
	assert_int_equal(ec_kv_update(kv, put_v1_txn, &old), 0);
	ec_kv_close(kv);
	o = open_rw(state);
	assert_int_equal(ec_office_person_exams(o, "zoe@EXAMPLE.org", list_exam, seen), 0);
	assert_string_equal(seen, "R1,R3,");
	assert_int_equal(ec_office_exam_get(o, "R1", &x), 0);
	assert_string_equal(x.exam, "HCIA-AI");
	assert_string_equal(x.email, "Zoe@Example.org");
	/* the same row imported again is unchanged, not a difference in the exam code */
	{
		struct ec_import_stats st;

		assert_int_equal(ec_office_import(o, rows, 3, &st), 0);
		assert_int_equal(st.unchanged, 3);
	}
	ec_office_close(o);
}

/* Corrections by import: only when asked for, only before any application, all rows or none. */
static void
test_import_update(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_exam rows[2] = { exam("R1", 1, "zoe@example.org"), exam("R5", 1, "new@example.org") }, got;
	struct ec_app a = app("R2", EC_FORMAT_ELECTRONIC, "Zoe Two");
	struct ec_import_stats st;
	char seen[256] = "";
	int ops[16] = { 0 }, ops2[16] = { 0 };

	/* the same row spelled with the certification as its exam code, or with none, is unchanged */
	strcpy(rows[0].exam, "HCIA-AI");
	assert_int_equal(ec_office_import_ex(o, rows, 1, EC_IMPORT_UPDATE, &st), 0);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.amended, 0);
	/* without the flag a differing row refuses the import */
	strcpy(rows[0].tel, "+1 5550000");
	strcpy(rows[0].email, "Zoe.Fixed@example.org");
	assert_int_equal(ec_office_import_ex(o, rows, 2, 0, &st), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "'R1'"));
	assert_int_equal(ec_office_exam_get(o, "R1", &got), 0);
	assert_string_equal(got.tel, "+353 871234567");
	assert_int_equal(ec_office_exam_get(o, "R5", &got), EC_ERR_NOTFOUND);
	/* with it, the row is a correction beside the new one */
	assert_int_equal(ec_audit_each(o, count_op, ops), 0);
	assert_int_equal(ec_office_import_ex(o, rows, 2, EC_IMPORT_UPDATE, &st), 0);
	assert_int_equal(st.amended, 1);
	assert_int_equal(st.added, 1);
	assert_int_equal(st.unchanged, 0);
	assert_int_equal(ec_office_exam_get(o, "R1", &got), 0);
	assert_string_equal(got.tel, "+1 5550000");
	assert_string_equal(got.email, "Zoe.Fixed@example.org");
	assert_int_equal(ec_audit_each(o, count_op, ops2), 0);
	assert_int_equal(ops2[EC_AUDIT_AMEND], ops[EC_AUDIT_AMEND] + 1);
	assert_int_equal(ops2[EC_AUDIT_IMPORT], ops[EC_AUDIT_IMPORT] + 1);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	/* the person index follows the corrected address */
	assert_int_equal(ec_office_person_exams(o, "zoe@example.org", list_exam, seen), 0);
	assert_string_equal(seen, "");
	assert_int_equal(ec_office_person_exams(o, "zoe.fixed@example.org", list_exam, seen), 0);
	assert_string_equal(seen, "R1,");
	/* once applied for, a correction refuses the import: the other correction is not stored either */
	assert_int_equal(ec_office_apply(o, &a, NULL), 0);
	rows[0] = exam("R3", 0, "li@example.cn");
	rows[1] = exam("R2", 1, "zoe.two@example.org");
	rows[1].exam_date = 20499;
	assert_int_equal(ec_office_import_ex(o, rows, 2, EC_IMPORT_UPDATE, &st), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "'R2'"));
	assert_int_equal(ec_office_exam_get(o, "R3", &got), 0);
	assert_int_equal(got.passed, 1);
	assert_int_equal(ec_office_exam_get(o, "R2", &got), 0);
	assert_int_equal(got.exam_date, 20500);
	/* no new numbers: an unknown one refuses the import, the correction before it is not stored */
	rows[1] = exam("R9", 1, "nine@example.org");
	assert_int_equal(ec_office_import_ex(o, rows, 2, EC_IMPORT_UPDATE | EC_IMPORT_NO_NEW, &st), EC_ERR_NOTFOUND);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "'R9'"));
	assert_int_equal(ec_office_exam_get(o, "R9", &got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_exam_get(o, "R3", &got), 0);
	assert_int_equal(got.passed, 1);
	assert_int_equal(ec_office_import_ex(o, &rows[1], 1, EC_IMPORT_NO_NEW, &st), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_exam_get(o, "R9", &got), EC_ERR_NOTFOUND);
	memset(ops, 0, sizeof ops);
	assert_int_equal(ec_audit_each(o, count_op, ops), 0);
	assert_int_equal(ops[EC_AUDIT_AMEND], ops2[EC_AUDIT_AMEND]);
	/* corrections alone go through */
	assert_int_equal(ec_office_import_ex(o, rows, 1, EC_IMPORT_UPDATE | EC_IMPORT_NO_NEW, &st), 0);
	assert_int_equal(st.amended, 1);
	assert_int_equal(ec_office_exam_get(o, "R3", &got), 0);
	assert_int_equal(got.passed, 0);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	ec_office_close(o);
}

/* One waiting application per person (the exam's address, any case) and certification. */
static void
test_apply_person(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_exam rows[2] = { exam("R7", 1, "ZOE@EXAMPLE.ORG"), exam("R8", 1, "zoe@example.org") };
	struct ec_app apps[2] = { app("R1", EC_FORMAT_ELECTRONIC, "Zoe"), app("R7", EC_FORMAT_ELECTRONIC, "Zoe") };
	struct ec_app a = app("R2", EC_FORMAT_ELECTRONIC, "Zoe Two"), got;
	struct ec_cert *c = test_malloc(sizeof *c);
	int rc[2];

	strcpy(rows[1].code, "HCIP-AI");
	assert_int_equal(ec_office_import(o, rows, 2, NULL), 0);
	/* both in one batch: the second is refused, naming the first */
	assert_int_equal(ec_office_apply_many(o, apps, 2, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(rc[1], EC_ERR_CONFLICT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CONFLICT), "'R1'"));
	assert_int_equal(ec_office_app_get(o, "R7", &got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_apply(o, &apps[1], NULL), EC_ERR_CONFLICT);
	assert_int_equal(ec_office_app_get(o, "R7", &got), EC_ERR_NOTFOUND);
	/* another person, and the same person for another certification, are free */
	assert_int_equal(ec_office_apply(o, &a, NULL), 0);
	a = app("R8", EC_FORMAT_ELECTRONIC, "Zoe");
	assert_int_equal(ec_office_apply(o, &a, NULL), 0);
	/* withdrawn, the first no longer stands in the way; then it is the one refused */
	assert_int_equal(ec_office_withdraw(o, "R1", NULL), 0);
	assert_int_equal(ec_office_apply(o, &apps[1], NULL), 0);
	assert_int_equal(ec_office_apply(o, &apps[0], NULL), EC_ERR_CONFLICT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CONFLICT), "'R7'"));
	/* an issued application is not waiting: issuance's one-live-certificate rule takes over */
	cert(c, "R7", KID, "zoe@example.org", EC_FORMAT_ELECTRONIC);
	strcpy(c->e.code, "HCIA-AI");
	assert_int_equal(ec_office_issue(o, c, NULL, 1, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(ec_office_apply(o, &apps[0], NULL), 0);
	cert(c, "R1", KID, "zoe@example.org", EC_FORMAT_ELECTRONIC);
	strcpy(c->e.code, "HCIA-AI");
	assert_int_equal(ec_office_issue(o, c, NULL, 1, rc), 0);
	assert_int_equal(rc[0], EC_ERR_CONFLICT);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	test_free(c);
	ec_office_close(o);
}

/*
 * Reissue (a correction after issuance): the new certificate is stored valid, the old one revoked as
 * superseded at the given time, so that its CA's CRL lists it; unlike a renewal.
 */
static void
test_reissue(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_cert *old = test_malloc(sizeof *old), *nc = test_malloc(sizeof *nc), *got = test_malloc(sizeof *got);
	struct ec_cert *li = test_malloc(sizeof *li);
	struct ec_app a = app("R3", EC_FORMAT_ELECTRONIC, "Li");
	struct rev r = { 0, "", 0, "" };
	struct ec_pubreg *pr;
	struct ec_pub p;
	char path[128], num[EC_NUMBER_DIGITS + 1];
	int ops[16] = { 0 }, rc;

	issue_one(o, "R1", EC_FORMAT_ELECTRONIC, "zoe@example.org", KID, old);
	/* the corrected certificate: the same facts and dates under a new number, a new name */
	*nc = *old;
	assert_int_equal(ec_number_generate(511, nc->e.number), 0);
	strcpy(nc->e.name, "Zoë O'Brien-Walsh");
	nc->e.issued_at = 1772450000;
	assert_int_equal(ec_office_reissue(o, nc, 1772500000, NULL, got), EC_ERR_ARG);     /* names no predecessor */
	strcpy(nc->e.renewal_of, old->e.number);
	assert_int_equal(ec_office_reissue(o, nc, 0, NULL, got), EC_ERR_ARG);
	assert_int_equal(ec_office_reissue(o, nc, -1, NULL, got), EC_ERR_ARG);
	assert_int_equal(ec_office_cert_get(o, nc->e.number, got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_reissue(o, nc, 1772500000, NULL, got), 0);
	assert_int_equal(got->status, EC_ST_REVOKED);
	assert_string_equal(got->e.kid, KID);
	/* the old one: revoked as superseded, naming its successor */
	assert_int_equal(ec_office_cert_get(o, old->e.number, got), 0);
	assert_int_equal(got->status, EC_ST_REVOKED);
	assert_string_equal(got->reason, "superseded");
	assert_int_equal(got->revoked_at, 1772500000);
	assert_string_equal(got->superseded_by, nc->e.number);
	assert_int_equal(ec_cert_status(got, 20600), EC_ST_REVOKED);
	/* the new one: valid, naming its predecessor, with the corrected name */
	assert_int_equal(ec_office_cert_get(o, nc->e.number, got), 0);
	assert_int_equal(got->status, EC_ST_VALID);
	assert_string_equal(got->e.renewal_of, old->e.number);
	assert_string_equal(got->e.name, "Zoë O'Brien-Walsh");
	assert_string_equal(got->reason, "");
	assert_int_equal(got->revoked_at, 0);
	assert_int_equal(ec_office_live(o, "ZOE@example.org", old->e.code, old->e.effective, num, NULL), 0);
	assert_string_equal(num, nc->e.number);
	/* the old one is on its CA's revocation list */
	assert_int_equal(ec_office_revoked_each(o, KID, on_revoked, &r), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.number, old->e.number);
	assert_int_equal(r.at, 1772500000);
	assert_string_equal(r.reason, "superseded");
	/* the public register shows both links */
	snprintf(path, sizeof path, "%s/public", (char *)*state);
	assert_int_equal(ec_pubreg_open(path, &pr), 0);
	assert_int_equal(ec_pubreg_get(pr, old->e.number, &p), 0);
	assert_int_equal(p.status, EC_ST_REVOKED);
	assert_string_equal(p.superseded_by, nc->e.number);
	assert_int_equal(ec_pubreg_get(pr, nc->e.number, &p), 0);
	assert_int_equal(p.status, EC_ST_VALID);
	assert_string_equal(p.renewal_of, old->e.number);
	ec_pubreg_close(pr);
	/* the old one cannot be reissued (or renewed) again */
	assert_int_equal(ec_number_generate(511, nc->e.number), 0);
	assert_int_equal(ec_office_reissue(o, nc, 1772600000, NULL, NULL), EC_ERR_REFUSED);
	assert_int_equal(ec_office_renew(o, nc, NULL), EC_ERR_REFUSED);
	assert_int_equal(ec_office_cert_get(o, nc->e.number, got), EC_ERR_NOTFOUND);
	/* nor a reissue take a number in use */
	strcpy(nc->e.renewal_of, num);
	strcpy(nc->e.number, old->e.number);
	assert_int_equal(ec_office_reissue(o, nc, 1772600000, NULL, NULL), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "in use"));
	/* a reissue to an address that already holds that certification live is refused, nothing changed */
	assert_int_equal(ec_office_apply(o, &a, NULL), 0);
	cert(li, "R3", KID, "li@example.cn", EC_FORMAT_ELECTRONIC);
	strcpy(li->e.code, old->e.code);
	assert_int_equal(ec_office_issue(o, li, NULL, 1, &rc), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(ec_number_generate(511, nc->e.number), 0);
	strcpy(nc->email, "LI@example.cn");
	assert_int_equal(ec_office_reissue(o, nc, 1772600000, NULL, NULL), EC_ERR_CONFLICT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CONFLICT), li->e.number));
	assert_int_equal(ec_office_cert_get(o, nc->e.number, got), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_cert_get(o, num, got), 0);
	assert_int_equal(got->status, EC_ST_VALID);
	/* the same person in another spelling is no conflict with the certificate being replaced */
	strcpy(nc->email, "Zoe@Example.ORG");
	assert_int_equal(ec_office_reissue(o, nc, 1772600000, NULL, NULL), 0);
	assert_int_equal(ec_office_cert_get(o, num, got), 0);
	assert_int_equal(got->status, EC_ST_REVOKED);
	assert_string_equal(got->superseded_by, nc->e.number);
	r.n = 0;
	assert_int_equal(ec_office_revoked_each(o, KID, on_revoked, &r), 0);
	assert_int_equal(r.n, 2);
	/* audited: each reissue a "reissue" entry for the new one and a "revoke" for the old */
	assert_int_equal(ec_audit_each(o, count_op, ops), 0);
	assert_int_equal(ops[EC_AUDIT_REISSUE], 2);
	assert_int_equal(ops[EC_AUDIT_REVOKE], 2);
	assert_int_equal(ops[EC_AUDIT_SUPERSEDE], 0);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	test_free(old);
	test_free(nc);
	test_free(got);
	test_free(li);
	ec_office_close(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_older, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_open, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_import, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_apply, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_issue, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_revoke, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_live, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_amend_withdraw, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_renew, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_renew_request, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_mail, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_crl_number, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_crash_repair, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_compact, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_pending_exams, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_issue_public, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_person_exams, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_exam_index_migration, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_exam_index_old_register, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_import_update, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_apply_person, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_reissue, setup, helper_tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("office", tests, NULL, NULL);
}
