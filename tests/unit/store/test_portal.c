/*
 * Unit tests for the candidates' side of the office register (lib/store/office_portal.c): one-time
 * tokens and codes, sign-in and sessions, associated addresses, binding exam records to accounts
 * (at sign-in, association, import, by score report) and unbinding them, the audit chain over it,
 * the sweep of what expired, and a read-only open refusing the writes.
 *
 * The register is real (a mkdtemp directory). The portal opens it EC_OFFICE_SHARED; imports need the
 * office's own writer (flags 0), and the two are never open at once in one process (LMDB forbids
 * opening one environment twice in a process), so a test closes one before opening the other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "audit.h"
#include "date.h"
#include "digest.h"
#include "err.h"
#include "office.h"
#include "outbox.h"
#include "portal.h"
#include "../helper_tmp.h"

/* 2026-03-02 12:00:00 UTC: ECERT_NOW's instant, so audit times of calls without a now agree. */
#define T0 ((int64_t)1772452800)

static int
setup(void **state)
{
	char *dir;

	setenv("ECERT_NOW", "2026-03-02", 1);
	if (!(dir = helper_tmpdir("portal")))
		return -1;
	*state = dir;
	return 0;
}

static struct ec_exam
exam(const char *reg, const char *email)
{
	struct ec_exam x;

	memset(&x, 0, sizeof x);
	snprintf(x.reg_no, sizeof x.reg_no, "%s", reg);
	strcpy(x.last_name, "O'Brien");
	strcpy(x.first_name, "Zoë");
	snprintf(x.email, sizeof x.email, "%s", email);
	strcpy(x.code, "HCIA-AI");
	x.exam_date = 20500;
	x.passed = 1;
	return x;
}

/* Import rows with the office's own writer, which is closed again before the portal opens. */
static void
import(void **state, const struct ec_exam *rows, size_t n)
{
	struct ec_office *o = NULL;
	struct ec_import_stats st;

	assert_int_equal(ec_office_open(*state, 0, &o), 0);
	assert_int_equal(ec_office_import(o, rows, n, &st), 0);
	assert_int_equal(st.added, n);
	ec_office_close(o);
}

static struct ec_office *
open_as(void **state, unsigned flags)
{
	struct ec_office *o = NULL;

	assert_int_equal(ec_office_open(*state, flags, &o), 0);
	return o;
}

/* A 32-byte hash named by a tag: a session id, a token hash or a browser hash. */
static const unsigned char *
H(const char *tag)
{
	static unsigned char h[8][32];
	static unsigned i;
	unsigned char *out = h[i++ % 8];

	assert_int_equal(ec_sha256(tag, strlen(tag), out), 0);
	return out;
}

/* The code hash as lib/portal/app.c login_post builds it: SHA-256(token hash || the 6 ASCII digits). */
static void
code_hash(const unsigned char h[EC_PORTAL_HASH], const char *code, unsigned char out[32])
{
	unsigned char in[EC_PORTAL_HASH + 6];

	memcpy(in, h, EC_PORTAL_HASH);
	memcpy(in + EC_PORTAL_HASH, code, 6);
	assert_int_equal(ec_sha256(in, sizeof in, out), 0);
}

/* A token as the portal stores it: asked for at now from browser "b1", usable EC_TOKEN_TTL seconds. */
static struct ec_ptoken
token(enum ec_tk kind, const char *email, int64_t now)
{
	struct ec_ptoken t;

	memset(&t, 0, sizeof t);
	t.kind = kind;
	snprintf(t.email, sizeof t.email, "%s", email);
	t.created = now;
	t.expires = now + EC_TOKEN_TTL;
	memcpy(t.browser, H("b1"), 32);
	return t;
}

/* Store a sign-in request for email under the token hash of tag, with its 6-digit code. */
static void
login_request(struct ec_office *o, const char *tag, const char *email, const char *code, int64_t now)
{
	struct ec_ptoken t = token(EC_TK_LOGIN, email, now);

	code_hash(H(tag), code, t.code);
	assert_int_equal(ec_portal_token_put(o, H(tag), &t), 0);
}

/* Sign in as email with session id H(sid); the account's id. */
static uint64_t
signin(struct ec_office *o, const char *email, int64_t now, const char *sid)
{
	struct ec_session s;
	struct ec_account a;

	memset(&s, 0, sizeof s);
	memset(s.csrf, 0xC5, sizeof s.csrf);
	assert_int_equal(ec_portal_signin(o, email, now, H(sid), &s, &a), 0);
	assert_int_equal(s.acct, a.id);
	assert_int_equal(s.epoch, a.epoch);
	assert_int_equal(s.created, now);
	assert_int_equal(s.seen, now);
	return a.id;
}

static int
live(struct ec_office *o, const char *sid, int64_t now)
{
	struct ec_session s;
	struct ec_account a;

	return ec_portal_session(o, H(sid), now, &s, &a);
}

/* Listings as comma-separated text, easy to compare whole. */
static int
list_reg(void *ctx, const struct ec_exam *x)
{
	char *s = ctx;

	snprintf(s + strlen(s), 256 - strlen(s), "%s%s", *s ? "," : "", x->reg_no);
	return 0;
}

static int
list_addr(void *ctx, const struct ec_addr *a)
{
	char *s = ctx;

	snprintf(s + strlen(s), 256 - strlen(s), "%s%s", *s ? "," : "", a->email);
	return 0;
}

static const char *
records(struct ec_office *o, uint64_t acct)
{
	static char s[256];

	s[0] = '\0';
	assert_int_equal(ec_portal_records_each(o, acct, list_reg, s), 0);
	return s;
}

static const char *
addrs(struct ec_office *o, uint64_t acct)
{
	static char s[256];

	s[0] = '\0';
	assert_int_equal(ec_portal_addrs_each(o, acct, list_addr, s), 0);
	return s;
}

static uint64_t
owner(struct ec_office *o, const char *reg)
{
	uint64_t a = 99;

	assert_int_equal(ec_portal_record_owner(o, reg, &a), 0);
	return a;
}

static void
test_tokens(void **state)
{
	struct ec_office *o = open_as(state, EC_OFFICE_SHARED);
	struct ec_ptoken t, out;

	/* a token is used once: the second take finds nothing */
	t = token(EC_TK_LOGIN, "zoe@example.org", T0);
	assert_int_equal(ec_portal_token_put(o, H("t1"), &t), 0);
	/* another kind, or another browser: refused, and the token is kept for the right use */
	assert_int_equal(ec_portal_token_take(o, H("t1"), EC_TK_ADDR_ADD, T0 + 1, H("b1"), &out), EC_ERR_REFUSED);
	assert_int_equal(ec_portal_token_take(o, H("t1"), EC_TK_LOGIN, T0 + 1, H("b2"), &out), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "browser"));
	memset(&out, 0, sizeof out);
	assert_int_equal(ec_portal_token_take(o, H("t1"), EC_TK_LOGIN, T0 + 1, H("b1"), &out), 0);
	assert_int_equal(out.kind, EC_TK_LOGIN);
	assert_string_equal(out.email, "zoe@example.org");
	assert_int_equal(out.created, T0);
	assert_int_equal(out.expires, T0 + EC_TOKEN_TTL);
	assert_memory_equal(out.browser, H("b1"), 32);
	assert_int_equal(ec_portal_token_take(o, H("t1"), EC_TK_LOGIN, T0 + 2, H("b1"), &out), EC_ERR_NOTFOUND);

	/* a NULL browser skips that check (association links are opened in any browser) */
	t = token(EC_TK_ADDR_ADD, "work@example.org", T0);
	t.acct = 7;
	assert_int_equal(ec_portal_token_put(o, H("t2"), &t), 0);
	assert_int_equal(ec_portal_token_take(o, H("t2"), EC_TK_ADDR_ADD, T0, NULL, &out), 0);
	assert_int_equal(out.acct, 7);
	assert_string_equal(out.email, "work@example.org");

	/* expiry: usable until the second before expires; at expires refused and deleted */
	t = token(EC_TK_RECORD, "zoe@example.org", T0);
	strcpy(t.reg_no, "R1");
	assert_int_equal(ec_portal_token_put(o, H("t3"), &t), 0);
	assert_int_equal(ec_portal_token_take(o, H("t3"), EC_TK_RECORD, T0 + EC_TOKEN_TTL, NULL, &out), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "expired"));
	assert_int_equal(ec_portal_token_take(o, H("t3"), EC_TK_RECORD, T0, NULL, &out), EC_ERR_NOTFOUND);
	t = token(EC_TK_RECORD, "zoe@example.org", T0);
	strcpy(t.reg_no, "R1");
	assert_int_equal(ec_portal_token_put(o, H("t4"), &t), 0);
	assert_int_equal(ec_portal_token_take(o, H("t4"), EC_TK_RECORD, T0 + EC_TOKEN_TTL - 1, NULL, &out), 0);
	assert_string_equal(out.reg_no, "R1");

	/* a second sign-in request for the address, in any case, replaces the first */
	t = token(EC_TK_LOGIN, "Zoe@Example.ORG", T0);
	assert_int_equal(ec_portal_token_put(o, H("t5"), &t), 0);
	t = token(EC_TK_LOGIN, "zoe@example.org", T0 + 10);
	assert_int_equal(ec_portal_token_put(o, H("t6"), &t), 0);
	assert_int_equal(ec_portal_token_take(o, H("t5"), EC_TK_LOGIN, T0 + 20, H("b1"), &out), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_token_take(o, H("t6"), EC_TK_LOGIN, T0 + 20, H("b1"), &out), 0);
	/* ... but a token of another kind for the address does not */
	t = token(EC_TK_LOGIN, "zoe@example.org", T0);
	assert_int_equal(ec_portal_token_put(o, H("t7"), &t), 0);
	t = token(EC_TK_ADDR_DEL, "zoe@example.org", T0);
	t.acct = 1;
	assert_int_equal(ec_portal_token_put(o, H("t8"), &t), 0);
	assert_int_equal(ec_portal_token_take(o, H("t7"), EC_TK_LOGIN, T0, H("b1"), &out), 0);
	assert_int_equal(ec_portal_token_take(o, H("t8"), EC_TK_ADDR_DEL, T0, NULL, &out), 0);
	/* and sign-in requests for two addresses stand side by side */
	t = token(EC_TK_LOGIN, "zoe@example.org", T0);
	assert_int_equal(ec_portal_token_put(o, H("t9"), &t), 0);
	t = token(EC_TK_LOGIN, "li@example.cn", T0);
	assert_int_equal(ec_portal_token_put(o, H("t10"), &t), 0);
	assert_int_equal(ec_portal_token_take(o, H("t9"), EC_TK_LOGIN, T0, H("b1"), &out), 0);
	assert_int_equal(ec_portal_token_take(o, H("t10"), EC_TK_LOGIN, T0, H("b1"), &out), 0);

	/* what the encoding cannot hold is refused before anything is stored */
	t = token(EC_TK_LOGIN, "", T0);
	assert_int_equal(ec_portal_token_put(o, H("t11"), &t), EC_ERR_ARG);
	t = token((enum ec_tk)0, "zoe@example.org", T0);
	assert_int_equal(ec_portal_token_put(o, H("t11"), &t), EC_ERR_ARG);
	t = token((enum ec_tk)9, "zoe@example.org", T0);
	assert_int_equal(ec_portal_token_put(o, H("t11"), &t), EC_ERR_ARG);
	assert_int_equal(ec_portal_token_take(o, H("t11"), EC_TK_LOGIN, T0, NULL, &out), EC_ERR_NOTFOUND);
	ec_office_close(o);
}

static void
test_codes(void **state)
{
	struct ec_office *o = open_as(state, EC_OFFICE_SHARED);
	struct ec_ptoken out;
	int i;

	/* the right code, from the asking browser, in any case of the address: used once */
	login_request(o, "c1", "zoe@example.org", "123456", T0);
	memset(&out, 0, sizeof out);
	assert_int_equal(ec_portal_code_take(o, "ZOE@example.org", "123456", T0 + 1, H("b1"), &out), 0);
	assert_int_equal(out.kind, EC_TK_LOGIN);
	assert_string_equal(out.email, "zoe@example.org");
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "123456", T0 + 2, H("b1"), &out), EC_ERR_NOTFOUND);
	/* link and code are one request: the code spent, the link is too */
	assert_int_equal(ec_portal_token_take(o, H("c1"), EC_TK_LOGIN, T0 + 2, H("b1"), &out), EC_ERR_NOTFOUND);
	/* and the other way round */
	login_request(o, "c2", "zoe@example.org", "123456", T0);
	assert_int_equal(ec_portal_token_take(o, H("c2"), EC_TK_LOGIN, T0 + 2, H("b1"), &out), 0);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "123456", T0 + 2, H("b1"), &out), EC_ERR_NOTFOUND);

	/* no pending sign-in for an address */
	assert_int_equal(ec_portal_code_take(o, "nobody@example.org", "123456", T0, H("b1"), &out), EC_ERR_NOTFOUND);

	/* wrong codes count; fewer than EC_CODE_TRIES leave the request usable */
	login_request(o, "c3", "zoe@example.org", "654321", T0);
	for (i = 0; i < EC_CODE_TRIES - 1; i++) {
		assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "000000", T0 + 1, H("b1"), &out),
		    EC_ERR_REFUSED);
		assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "wrong code"));
	}
	/* a code that is not 6 digits is refused without counting a try */
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "65432", T0 + 1, H("b1"), &out), EC_ERR_REFUSED);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "6543210", T0 + 1, H("b1"), &out), EC_ERR_REFUSED);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "65432a", T0 + 1, H("b1"), &out), EC_ERR_REFUSED);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", " 54321", T0 + 1, H("b1"), &out), EC_ERR_REFUSED);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "", T0 + 1, H("b1"), &out), EC_ERR_REFUSED);
	/* the right code from another browser: refused, not counted, kept */
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "654321", T0 + 1, H("b2"), &out), EC_ERR_REFUSED);
	assert_null(strstr(ec_err_msg(EC_ERR_REFUSED), "wrong code"));
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "654321", T0 + 1, H("b1"), &out), 0);
	assert_string_equal(out.email, "zoe@example.org");

	/* EC_CODE_TRIES wrong codes spend the request: even the right code then fails, and the link */
	login_request(o, "c4", "zoe@example.org", "111111", T0);
	for (i = 0; i < EC_CODE_TRIES; i++)
		assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "999999", T0 + 1, H("b1"), &out),
		    EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "too many"));
	assert_int_not_equal(ec_portal_code_take(o, "zoe@example.org", "111111", T0 + 1, H("b1"), &out), 0);
	assert_int_equal(ec_portal_token_take(o, H("c4"), EC_TK_LOGIN, T0 + 1, H("b1"), &out), EC_ERR_NOTFOUND);

	/* an expired request: refused as expired (even after a wrong try), then gone */
	login_request(o, "c5", "zoe@example.org", "222222", T0);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "999999", T0 + 1, H("b1"), &out), EC_ERR_REFUSED);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "222222", T0 + EC_TOKEN_TTL, H("b1"), &out),
	    EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "expired"));
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "222222", T0, H("b1"), &out), EC_ERR_NOTFOUND);

	/* a new request replaces the earlier one's code too */
	login_request(o, "c6", "zoe@example.org", "333333", T0);
	login_request(o, "c7", "zoe@example.org", "444444", T0 + 5);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "333333", T0 + 6, H("b1"), &out), EC_ERR_REFUSED);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "444444", T0 + 6, H("b1"), &out), 0);

	/* another address's code does not open this one's request */
	login_request(o, "c8", "li@example.cn", "555555", T0);
	login_request(o, "c9", "zoe@example.org", "666666", T0);
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "555555", T0, H("b1"), &out), EC_ERR_REFUSED);
	assert_int_equal(ec_portal_code_take(o, "li@example.cn", "555555", T0, H("b1"), &out), 0);
	assert_string_equal(out.email, "li@example.cn");
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "666666", T0, H("b1"), &out), 0);
	assert_int_equal(ec_portal_code_take(o, "", "666666", T0, H("b1"), &out), EC_ERR_ARG);
	ec_office_close(o);
}

static void
test_signin(void **state)
{
	struct ec_exam rows[3] = {
		exam("R1", "zoe@example.org"), exam("R2", "Zoe@Example.ORG"), exam("R3", "li@example.cn"),
	};
	struct ec_office *o;
	struct ec_session s;
	struct ec_account a;

	import(state, rows, 3);
	o = open_as(state, EC_OFFICE_SHARED);
	/* the first sign-in makes account 1 with the address as typed, associated, its records bound */
	memset(&s, 0, sizeof s);
	memset(s.csrf, 0xC5, sizeof s.csrf);
	assert_int_equal(ec_portal_signin(o, "zoe@example.org", T0, H("s1"), &s, &a), 0);
	assert_int_equal(a.id, 1);
	assert_string_equal(a.email, "zoe@example.org");
	assert_int_equal(a.created, T0);
	assert_int_equal(a.epoch, 0);
	assert_int_equal(s.acct, 1);
	/* the caller's csrf value is what the session keeps */
	memset(&s, 0, sizeof s);
	assert_int_equal(ec_portal_session(o, H("s1"), T0, &s, &a), 0);
	assert_int_equal(s.acct, 1);
	assert_int_equal(a.id, 1);
	assert_int_equal(s.csrf[0], 0xC5);
	assert_int_equal(s.csrf[31], 0xC5);
	/* both records of the address, whatever case the import wrote it in; not another person's */
	assert_string_equal(records(o, 1), "R1,R2");
	assert_string_equal(addrs(o, 1), "zoe@example.org");
	assert_int_equal(owner(o, "R1"), 1);
	assert_int_equal(owner(o, "R2"), 1);
	assert_int_equal(owner(o, "R3"), 0);
	/* an unknown registration number has no owner either */
	assert_int_equal(owner(o, "R99"), 0);

	/* signing in again, in another case: the same account, a new session beside the first */
	assert_int_equal(signin(o, "ZOE@EXAMPLE.ORG", T0 + 100, "s2"), 1);
	assert_int_equal(live(o, "s1", T0 + 100), 0);
	assert_int_equal(live(o, "s2", T0 + 100), 0);
	assert_string_equal(addrs(o, 1), "zoe@example.org");
	assert_string_equal(records(o, 1), "R1,R2");

	/* another address: the next id */
	assert_int_equal(signin(o, "li@example.cn", T0, "s3"), 2);
	assert_string_equal(records(o, 2), "R3");
	assert_int_equal(owner(o, "R3"), 2);
	/* an address without exam records still gets an account */
	assert_int_equal(signin(o, "new@example.org", T0, "s4"), 3);
	assert_string_equal(records(o, 3), "");
	assert_string_equal(addrs(o, 3), "new@example.org");

	assert_int_equal(ec_portal_account(o, 2, &a), 0);
	assert_string_equal(a.email, "li@example.cn");
	assert_int_equal(ec_portal_account(o, 99, &a), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_signin(o, "", T0, H("s5"), &s, &a), EC_ERR_ARG);
	ec_office_close(o);
}

static void
test_sessions(void **state)
{
	struct ec_office *o = open_as(state, EC_OFFICE_SHARED);
	struct ec_session s;
	struct ec_account a;
	int64_t t;

	signin(o, "zoe@example.org", T0, "a");
	signin(o, "zoe@example.org", T0, "b");
	signin(o, "zoe@example.org", T0, "c");
	signin(o, "zoe@example.org", T0, "d");
	assert_int_equal(live(o, "unknown", T0), EC_ERR_NOTFOUND);

	/* valid right after; used a second before the idle limit it lives on from then */
	assert_int_equal(ec_portal_session(o, H("a"), T0, &s, &a), 0);
	assert_int_equal(s.seen, T0);
	assert_int_equal(ec_portal_session(o, H("a"), T0 + EC_SESSION_IDLE - 1, &s, &a), 0);
	assert_int_equal(s.seen, T0 + EC_SESSION_IDLE - 1);
	assert_int_equal(s.created, T0);
	/* EC_SESSION_IDLE seconds without use end it, and it is gone: an earlier clock does not revive it */
	assert_int_equal(live(o, "a", T0 + 2 * EC_SESSION_IDLE - 1), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "a", T0 + EC_SESSION_IDLE), EC_ERR_NOTFOUND);

	/* the last use is written at most once a minute: a use 59 s in does not move it ... */
	assert_int_equal(ec_portal_session(o, H("b"), T0 + 59, &s, &a), 0);
	assert_int_equal(s.seen, T0);
	assert_int_equal(live(o, "b", T0 + EC_SESSION_IDLE), EC_ERR_NOTFOUND);
	/* ... a use 60 s in does */
	assert_int_equal(ec_portal_session(o, H("c"), T0 + 60, &s, &a), 0);
	assert_int_equal(s.seen, T0 + 60);
	/* past EC_SESSION_IDLE from sign-in, within it from the written use: alive (and written again) */
	assert_int_equal(ec_portal_session(o, H("c"), T0 + 60 + EC_SESSION_IDLE - 1, &s, &a), 0);
	assert_int_equal(s.seen, T0 + 60 + EC_SESSION_IDLE - 1);
	assert_int_equal(live(o, "c", T0 + 60 + 2 * EC_SESSION_IDLE - 1), EC_ERR_NOTFOUND);

	/* EC_SESSION_MAX after sign-in it ends even when used every few minutes */
	for (t = T0 + 300; t < T0 + EC_SESSION_MAX; t += 300)
		assert_int_equal(live(o, "d", t), 0);
	assert_int_equal(live(o, "d", T0 + EC_SESSION_MAX - 1), 0);
	assert_int_equal(live(o, "d", T0 + EC_SESSION_MAX), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "d", T0 + EC_SESSION_MAX - 1), EC_ERR_NOTFOUND);
	ec_office_close(o);
}

static void
test_signout(void **state)
{
	struct ec_office *o = open_as(state, EC_OFFICE_SHARED);
	struct ec_session s;
	struct ec_account a;

	signin(o, "zoe@example.org", T0, "a");
	signin(o, "zoe@example.org", T0, "b");
	signin(o, "Zoe@example.org", T0, "c");
	signin(o, "li@example.cn", T0, "d");

	/* signing out ends that session only */
	assert_int_equal(ec_portal_signout(o, H("a"), 0), 0);
	assert_int_equal(live(o, "a", T0), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "b", T0), 0);
	assert_int_equal(live(o, "c", T0), 0);
	/* signing out everywhere ends every session of the account (a new epoch), not another account's */
	assert_int_equal(ec_portal_signout(o, H("b"), 1), 0);
	/* in the same second too: the other session's last recorded use is now */
	assert_int_equal(live(o, "c", T0), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "b", T0 + 1), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "c", T0 + 1), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "d", T0 + 1), 0);
	assert_int_equal(ec_portal_account(o, 1, &a), 0);
	assert_int_equal(a.epoch, 1);
	/* a sign-in after that is of the new epoch, and lives */
	memset(&s, 0, sizeof s);
	assert_int_equal(ec_portal_signin(o, "zoe@example.org", T0 + 1, H("e"), &s, &a), 0);
	assert_int_equal(s.epoch, 1);
	assert_int_equal(live(o, "e", T0 + 1), 0);
	/* an unknown or ended session: nothing to do */
	assert_int_equal(ec_portal_signout(o, H("a"), 0), 0);
	assert_int_equal(ec_portal_signout(o, H("zz"), 1), 0);
	assert_int_equal(live(o, "e", T0 + 1), 0);
	ec_office_close(o);
}

static void
test_addresses(void **state)
{
	struct ec_exam rows[4] = {
		exam("R1", "zoe@example.org"), exam("R2", "zoe.two@example.org"), exam("R3", "Zoe.Two@example.org"),
		exam("R4", "alias@example.org"),
	};
	struct ec_office *o;
	size_t n;

	import(state, rows, 4);
	o = open_as(state, EC_OFFICE_SHARED);
	assert_int_equal(signin(o, "zoe@example.org", T0, "s1"), 1);
	assert_int_equal(signin(o, "li@example.cn", T0, "s2"), 2);
	/* account 2 holds R3 (by its score report) before account 1 associates that address */
	assert_int_equal(ec_portal_record_bind(o, 2, "R3", T0), 0);

	/* associating binds the address's records no other account holds */
	n = 99;
	assert_int_equal(ec_portal_addr_add(o, 1, "Zoe.Two@Example.org", T0 + 10, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(owner(o, "R2"), 1);
	assert_int_equal(owner(o, "R3"), 2);
	assert_string_equal(records(o, 1), "R1,R2");
	/* addresses in (lower-cased) address order, each as first typed */
	assert_string_equal(addrs(o, 1), "Zoe.Two@Example.org,zoe@example.org");
	/* associating it again changes nothing */
	n = 99;
	assert_int_equal(ec_portal_addr_add(o, 1, "zoe.two@example.org", T0 + 20, &n), 0);
	assert_int_equal(n, 0);
	assert_string_equal(addrs(o, 1), "Zoe.Two@Example.org,zoe@example.org");
	assert_int_equal(ec_portal_addr_add(o, 1, "zoe.two@example.org", T0 + 20, NULL), 0);
	/* another account's address, associated or made with, in any case: a conflict */
	assert_int_equal(ec_portal_addr_add(o, 2, "ZOE.TWO@example.org", T0, &n), EC_ERR_CONFLICT);
	assert_int_equal(ec_portal_addr_add(o, 2, "zoe@example.org", T0, &n), EC_ERR_CONFLICT);
	assert_string_equal(addrs(o, 2), "li@example.cn");
	assert_int_equal(ec_portal_addr_add(o, 2, "", T0, &n), EC_ERR_ARG);

	/* an associated address signs in to its account, not to a new one */
	assert_int_equal(signin(o, "ZOE.TWO@example.org", T0, "s3"), 1);
	assert_int_equal(ec_portal_addr_add(o, 1, "alias@example.org", T0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(signin(o, "alias@example.org", T0, "s4"), 1);
	assert_string_equal(records(o, 1), "R1,R2,R4");

	/* disassociating unbinds the records of the address the account holds (not another's) and removes it */
	n = 99;
	assert_int_equal(ec_portal_addr_del(o, 1, "zoe.TWO@example.org", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(owner(o, "R2"), 0);
	assert_int_equal(owner(o, "R3"), 2);
	assert_string_equal(records(o, 1), "R1,R4");
	assert_string_equal(addrs(o, 1), "alias@example.org,zoe@example.org");
	/* an address not associated (any more, or with another account) */
	assert_int_equal(ec_portal_addr_del(o, 1, "zoe.two@example.org", &n), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_addr_del(o, 2, "alias@example.org", &n), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_addr_del(o, 1, "never@example.org", &n), EC_ERR_NOTFOUND);
	assert_int_equal(owner(o, "R4"), 1);

	/* the address is free again: another account may take it, and then signs in with it */
	assert_int_equal(ec_portal_addr_add(o, 2, "zoe.two@example.org", T0, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(records(o, 2), "R2,R3");
	assert_int_equal(signin(o, "Zoe.Two@example.org", T0, "s5"), 2);
	ec_office_close(o);
}

/* An address signs in to the account that holds it now, not always to the one it made. */
static void
test_signin_owner(void **state)
{
	struct ec_office *o = open_as(state, EC_OFFICE_SHARED);
	uint64_t zoe, li;

	zoe = signin(o, "zoe@example.org", T0, "a");
	li = signin(o, "li@example.cn", T0, "b");
	assert_int_not_equal(zoe, li);
	/* account 1 lets its own address go; account 2 takes it: the address signs in to account 2 */
	assert_int_equal(ec_portal_addr_del(o, zoe, "zoe@example.org", NULL), 0);
	assert_int_equal(ec_portal_addr_add(o, li, "Zoe@Example.org", T0, NULL), 0);
	assert_int_equal(signin(o, "zoe@example.org", T0 + 1, "c"), li);
	/* given up by account 2 too, it is free: the account it made takes it back at sign-in */
	assert_int_equal(ec_portal_addr_del(o, li, "zoe@example.org", NULL), 0);
	assert_int_equal(signin(o, "ZOE@example.org", T0 + 2, "d"), zoe);
	assert_int_equal(ec_portal_addr_add(o, li, "zoe@example.org", T0 + 2, NULL), EC_ERR_CONFLICT);
	ec_office_close(o);
}

static void
test_import_binds(void **state)
{
	struct ec_exam first = exam("R1", "zoe@example.org");
	struct ec_exam later[3] = {
		exam("R5", "ZOE@example.org"), exam("R6", "Work@Example.org"), exam("R7", "nobody@example.org"),
	};
	struct ec_office *o;

	import(state, &first, 1);
	o = open_as(state, EC_OFFICE_SHARED);
	assert_int_equal(signin(o, "zoe@example.org", T0, "s1"), 1);
	assert_int_equal(ec_portal_addr_add(o, 1, "work@example.org", T0, NULL), 0);
	ec_office_close(o);

	/* a later result of an associated address (made with or added, any case) is the owner's at once */
	import(state, later, 3);
	o = open_as(state, EC_OFFICE_SHARED);
	assert_int_equal(owner(o, "R5"), 1);
	assert_int_equal(owner(o, "R6"), 1);
	assert_int_equal(owner(o, "R7"), 0);
	assert_string_equal(records(o, 1), "R1,R5,R6");
	/* importing the same rows again (unchanged) binds nothing twice and keeps the chain sound */
	ec_office_close(o);
	o = open_as(state, 0);
	assert_int_equal(ec_office_import(o, later, 3, NULL), 0);
	assert_string_equal(records(o, 1), "R1,R5,R6");
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	ec_office_close(o);
}

static void
test_record_bind(void **state)
{
	struct ec_exam rows[3] = {
		exam("R1", "zoe@example.org"), exam("R2", "li@example.cn"), exam("R3", "old-address@example.org"),
	};
	struct ec_office *o;

	import(state, rows, 3);
	o = open_as(state, EC_OFFICE_SHARED);
	assert_int_equal(signin(o, "zoe@example.org", T0, "s1"), 1);
	assert_int_equal(signin(o, "li@example.cn", T0, "s2"), 2);
	/* no such record */
	assert_int_equal(ec_portal_record_bind(o, 1, "R9", T0), EC_ERR_NOTFOUND);
	/* held by another account */
	assert_int_equal(ec_portal_record_bind(o, 1, "R2", T0), EC_ERR_CONFLICT);
	assert_int_equal(owner(o, "R2"), 2);
	/* a record of any address (the score report is the proof), and binding it again changes nothing */
	assert_int_equal(ec_portal_record_bind(o, 1, "R3", T0), 0);
	assert_int_equal(ec_portal_record_bind(o, 1, "R3", T0 + 5), 0);
	assert_int_equal(owner(o, "R3"), 1);
	assert_string_equal(records(o, 1), "R1,R3");
	assert_int_equal(ec_portal_record_bind(o, 2, "R3", T0), EC_ERR_CONFLICT);
	assert_string_equal(records(o, 2), "R2");
	/* a registration number the register could not hold */
	assert_int_equal(ec_portal_record_bind(o, 1, "", T0), EC_ERR_ARG);
	assert_int_equal(ec_portal_record_bind(o, 1, "R 1", T0), EC_ERR_ARG);
	ec_office_close(o);
}

static int
count_msg(void *ctx, const struct ec_outbox_msg *m)
{
	size_t *n = ctx;

	assert_string_equal(m->n.kind, "unbound");
	assert_string_equal(m->n.to, "zoe@example.org");
	(*n)++;
	return 0;
}

static size_t
outbox_count(struct ec_office *o)
{
	size_t n = 0;

	assert_int_equal(ec_outbox_each(o, 0, count_msg, &n), 0);
	return n;
}

static void
test_unbind(void **state)
{
	struct ec_exam rows[2] = { exam("R1", "zoe@example.org"), exam("R2", "li@example.cn") };
	struct ec_notice notes[2];
	struct ec_office *o;
	uint64_t acct = 0;

	import(state, rows, 2);
	/* the holder's notice, and one without an address (not queued) */
	assert_int_equal(ec_notice_init(&notes[0], "unbound", "zoe@example.org", "en", "example.org", T0), 0);
	memset(&notes[1], 0, sizeof notes[1]);
	o = open_as(state, EC_OFFICE_SHARED);
	assert_int_equal(signin(o, "zoe@example.org", T0, "s1"), 1);
	assert_int_equal(signin(o, "li@example.cn", T0, "s2"), 2);
	/* expecting another holder than the one there: refused, nothing unbound, nothing queued */
	assert_int_equal(ec_office_unbind(o, "R1", 2, notes, 2, &acct), EC_ERR_CONFLICT);
	assert_int_equal(owner(o, "R1"), 1);
	assert_int_equal(outbox_count(o), 0);
	/* the office unbinds a record from whoever holds it, learns who that was, and queues the notices */
	acct = 0;
	assert_int_equal(ec_office_unbind(o, "R1", 1, notes, 2, &acct), 0);
	assert_int_equal(acct, 1);
	assert_int_equal(owner(o, "R1"), 0);
	assert_string_equal(records(o, 1), "");
	assert_int_equal(outbox_count(o), 1);
	/* not bound (any more), or no such record */
	assert_int_equal(ec_office_unbind(o, "R1", 0, NULL, 0, &acct), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_unbind(o, "R9", 0, NULL, 0, NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_office_unbind(o, "", 0, NULL, 0, NULL), EC_ERR_ARG);
	/* expect 0: whichever account holds it */
	acct = 0;
	assert_int_equal(ec_office_unbind(o, "R2", 0, NULL, 0, &acct), 0);
	assert_int_equal(acct, 2);
	assert_int_equal(outbox_count(o), 1);
	/* the account may bind it again */
	assert_int_equal(ec_portal_record_bind(o, 1, "R1", T0), 0);
	assert_int_equal(owner(o, "R1"), 1);
	ec_office_close(o);
	/* the office's own writer unbinds too */
	o = open_as(state, 0);
	assert_int_equal(ec_office_unbind(o, "R1", 0, NULL, 0, NULL), 0);
	assert_int_equal(owner(o, "R1"), 0);
	ec_office_close(o);
}

struct ops {
	size_t n, bind, unbind, import;
};

static int
count_op(void *ctx, const struct ec_audit_entry *e)
{
	struct ops *c = ctx;

	c->n++;
	c->bind += e->op == EC_AUDIT_BIND;
	c->unbind += e->op == EC_AUDIT_UNBIND;
	c->import += e->op == EC_AUDIT_IMPORT;
	/* bindings name the record by its hash only: no personal data in the log */
	if (e->op == EC_AUDIT_BIND || e->op == EC_AUDIT_UNBIND)
		assert_int_equal(e->subject_kind, EC_AUDIT_SUBJ_REGNO);
	return 0;
}

static struct ops
audit_ops(struct ec_office *o)
{
	struct ops c;
	uint64_t n = 0;

	memset(&c, 0, sizeof c);
	assert_int_equal(ec_audit_each(o, count_op, &c), 0);
	/* the chain verifies whole, every entry counted */
	assert_int_equal(ec_audit_verify(o, &n), 0);
	assert_int_equal(n, c.n);
	return c;
}

static void
test_audit(void **state)
{
	struct ec_exam rows[4] = {
		exam("R1", "zoe@example.org"), exam("R2", "zoe@example.org"), exam("R3", "work@example.org"),
		exam("R4", "li@example.cn"),
	};
	struct ec_office *o;
	struct ops c;
	size_t n;

	import(state, rows, 4);
	o = open_as(state, EC_OFFICE_SHARED);
	c = audit_ops(o);
	assert_int_equal(c.import, 4);
	assert_int_equal(c.bind + c.unbind, 0);
	/* each binding and unbinding is one entry, wherever it comes from */
	assert_int_equal(signin(o, "zoe@example.org", T0, "s1"), 1);
	assert_int_equal(ec_portal_addr_add(o, 1, "work@example.org", T0, &n), 0);
	assert_int_equal(ec_portal_record_bind(o, 1, "R4", T0), 0);
	c = audit_ops(o);
	assert_int_equal(c.bind, 4);
	assert_int_equal(c.unbind, 0);
	/* nothing new, nothing logged: signing in again, associating again, binding again */
	assert_int_equal(signin(o, "zoe@example.org", T0, "s2"), 1);
	assert_int_equal(ec_portal_addr_add(o, 1, "work@example.org", T0, &n), 0);
	assert_int_equal(ec_portal_record_bind(o, 1, "R4", T0), 0);
	assert_int_equal(audit_ops(o).n, c.n);
	assert_int_equal(ec_portal_addr_del(o, 1, "work@example.org", &n), 0);
	assert_int_equal(ec_office_unbind(o, "R4", 0, NULL, 0, NULL), 0);
	c = audit_ops(o);
	assert_int_equal(c.bind, 4);
	assert_int_equal(c.unbind, 2);
	assert_int_equal(c.n, 4 + 4 + 2);
	/* refusals log nothing */
	assert_int_equal(ec_office_unbind(o, "R4", 0, NULL, 0, NULL), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_addr_del(o, 1, "work@example.org", &n), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_record_bind(o, 1, "R9", T0), EC_ERR_NOTFOUND);
	assert_int_equal(audit_ops(o).n, c.n);
	assert_string_equal(ec_audit_op_name(EC_AUDIT_BIND), "bind");
	assert_string_equal(ec_audit_op_name(EC_AUDIT_UNBIND), "unbind");
	ec_office_close(o);
	/* and the office's own open still finds the chain sound */
	o = open_as(state, EC_OFFICE_RDONLY);
	assert_int_equal(ec_audit_verify(o, NULL), 0);
	ec_office_close(o);
}

static void
test_sweep(void **state)
{
	struct ec_office *o = open_as(state, EC_OFFICE_SHARED);
	struct ec_ptoken t, out;
	int64_t at;
	size_t n = 99;

	assert_int_equal(ec_portal_sweep(o, T0, &n), 0);
	assert_int_equal(n, 0);
	signin(o, "zoe@example.org", T0, "idle");
	signin(o, "zoe@example.org", T0 + EC_SESSION_IDLE - 10, "fresh");
	signin(o, "li@example.cn", T0, "old");
	/* "old" is used every 20 minutes: never idle, but past EC_SESSION_MAX in the second sweep */
	for (at = T0 + 1200; at < T0 + EC_SESSION_MAX; at += 1200)
		assert_int_equal(live(o, "old", at), 0);
	login_request(o, "expired", "zoe@example.org", "123456", T0);
	login_request(o, "pending", "li@example.cn", "654321", T0 + EC_SESSION_IDLE - 10);
	t = token(EC_TK_ADDR_ADD, "work@example.org", T0 + EC_SESSION_IDLE - 10);
	t.acct = 1;
	assert_int_equal(ec_portal_token_put(o, H("assoc"), &t), 0);

	/* at T0 + EC_SESSION_IDLE: the idle session and the expired request go, the rest stay */
	n = 99;
	assert_int_equal(ec_portal_sweep(o, T0 + EC_SESSION_IDLE, &n), 0);
	assert_int_equal(n, 2);
	/* the expired request's address has no pending sign-in left (its index entry went with it) */
	assert_int_equal(ec_portal_code_take(o, "zoe@example.org", "123456", T0, H("b1"), &out), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "idle", T0), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "fresh", T0 + EC_SESSION_IDLE), 0);
	assert_int_equal(ec_portal_code_take(o, "li@example.cn", "654321", T0 + EC_SESSION_IDLE, H("b1"), &out), 0);
	assert_int_equal(ec_portal_sweep(o, T0 + EC_SESSION_IDLE, NULL), 0);

	/* at EC_SESSION_MAX: "old" goes though used 20 minutes ago, "fresh" idles out, "assoc" expired */
	n = 99;
	assert_int_equal(ec_portal_sweep(o, T0 + EC_SESSION_MAX, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ec_portal_token_take(o, H("assoc"), EC_TK_ADDR_ADD, T0, NULL, &out), EC_ERR_NOTFOUND);
	assert_int_equal(live(o, "old", T0 + EC_SESSION_MAX - 1), EC_ERR_NOTFOUND);
	n = 99;
	assert_int_equal(ec_portal_sweep(o, T0 + EC_SESSION_MAX, &n), 0);
	assert_int_equal(n, 0);
	/* accounts and their records are not the sweep's business */
	assert_int_equal(signin(o, "zoe@example.org", T0 + EC_SESSION_MAX, "again"), 1);
	ec_office_close(o);
}

static void
test_rdonly(void **state)
{
	struct ec_exam rows[2] = { exam("R1", "zoe@example.org"), exam("R2", "li@example.cn") };
	struct ec_office *o;
	struct ec_ptoken t = token(EC_TK_LOGIN, "zoe@example.org", T0), out;
	struct ec_session s;
	struct ec_account a;
	uint64_t acct = 0;
	size_t n;

	import(state, rows, 2);
	o = open_as(state, EC_OFFICE_SHARED);
	assert_int_equal(signin(o, "zoe@example.org", T0, "s1"), 1);
	login_request(o, "tok", "li@example.cn", "123456", T0);
	ec_office_close(o);

	o = open_as(state, EC_OFFICE_RDONLY);
	/* every write is refused as a usage error, and changes nothing */
	memset(&s, 0, sizeof s);
	assert_int_equal(ec_portal_token_put(o, H("t2"), &t), EC_ERR_ARG);
	assert_int_equal(ec_portal_token_take(o, H("tok"), EC_TK_LOGIN, T0, H("b1"), &out), EC_ERR_ARG);
	assert_int_equal(ec_portal_code_take(o, "li@example.cn", "123456", T0, H("b1"), &out), EC_ERR_ARG);
	assert_int_equal(ec_portal_signin(o, "li@example.cn", T0, H("s2"), &s, &a), EC_ERR_ARG);
	assert_int_equal(ec_portal_signout(o, H("s1"), 1), EC_ERR_ARG);
	assert_int_equal(ec_portal_addr_add(o, 1, "work@example.org", T0, &n), EC_ERR_ARG);
	assert_int_equal(ec_portal_addr_del(o, 1, "zoe@example.org", &n), EC_ERR_ARG);
	assert_int_equal(ec_portal_record_bind(o, 1, "R2", T0), EC_ERR_ARG);
	assert_int_equal(ec_office_unbind(o, "R1", 0, NULL, 0, &acct), EC_ERR_ARG);
	assert_int_equal(ec_portal_sweep(o, T0 + EC_SESSION_MAX, &n), EC_ERR_ARG);
	/* reads work */
	assert_string_equal(records(o, 1), "R1");
	assert_string_equal(addrs(o, 1), "zoe@example.org");
	assert_int_equal(owner(o, "R1"), 1);
	assert_int_equal(owner(o, "R2"), 0);
	assert_int_equal(ec_portal_account(o, 1, &a), 0);
	assert_string_equal(a.email, "zoe@example.org");
	/* a session read that needs no write (used within the minute) */
	assert_int_equal(ec_portal_session(o, H("s1"), T0 + 1, &s, &a), 0);
	assert_int_equal(s.acct, 1);
	ec_office_close(o);

	/* nothing was written: the request and the session are as they were */
	o = open_as(state, EC_OFFICE_SHARED);
	assert_int_equal(live(o, "s1", T0 + 1), 0);
	assert_int_equal(live(o, "s2", T0 + 1), EC_ERR_NOTFOUND);
	assert_int_equal(ec_portal_code_take(o, "li@example.cn", "123456", T0, H("b1"), &out), 0);
	assert_int_equal(owner(o, "R1"), 1);
	ec_office_close(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tokens, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_codes, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_signin, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_sessions, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_signout, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_addresses, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_signin_owner, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_import_binds, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_record_bind, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_unbind, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_rdonly, setup, helper_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
