/* Unit tests for the endpoint's request logic: routing, strict decoding, negotiation, pages, logs, limits. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "date.h"
#include "err.h"
#include "number.h"
#include "web.h"

#define NREC 8

/* A register of fakes: the holder names stay here, as in the real register they stay behind the HMAC. */
struct fake {
	struct ec_pub rec[NREC];
	const char *names[NREC];
	size_t n;
	char broken[EC_NUMBER_DIGITS + 1];   /* a number whose lookup fails as an I/O error would */
	int match_fails;
};

static struct fake F;
static char N_VALID[23], N_REVOKED[23], N_EXPIRED[23], N_OLD[23], N_NEW[23], N_XSS[23], N_UNKNOWN[23], N_FUTURE[23];
static char N_BROKEN[23];

/* A 22-digit number with correct check digits from 20 digits of body. */
static void
make_number(const char *body, char out[EC_NUMBER_DIGITS + 1])
{
	int c;

	for (c = 0; c < 100; c++) {
		snprintf(out, EC_NUMBER_DIGITS + 1, "%s%02d", body, c);
		if (ec_number_valid(out))
			return;
	}
	fail_msg("no check digits for %s", body);
}

static const char *
display(const char *num)
{
	static char out[EC_NUMBER_DISPLAY + 1];

	ec_number_display(num, out);
	return out;
}

static ec_day
day(const char *s)
{
	ec_day d = 0;

	assert_int_equal(ec_date_parse(s, &d), 0);
	return d;
}

static void
add(const char *num, enum ec_status st, const char *name, const char *masked, const char *eff, const char *exp)
{
	struct ec_pub *p = &F.rec[F.n];

	memset(p, 0, sizeof *p);
	strcpy(p->number, num);
	p->status = st;
	strcpy(p->code, "HCIA-AI");
	strcpy(p->title, "HCIA-AI Artificial Intelligence");
	p->effective = day(eff);
	p->expires = day(exp);
	strcpy(p->name_masked, masked);
	strcpy(p->issuer, "Example Org Issuing CA AbCdEfGhIjK");
	strcpy(p->kid, "AbCdEfGhIjK");
	F.names[F.n++] = name;
}

static int
fake_lookup(void *arg, const char *number, struct ec_pub *out)
{
	struct fake *f = arg;
	size_t i;

	if (strcmp(number, f->broken) == 0)
		return ec_err_set(EC_ERR_IO, "cannot read the register: Input/output error");
	for (i = 0; i < f->n; i++)
		if (strcmp(f->rec[i].number, number) == 0) {
			*out = f->rec[i];
			return 0;
		}
	return ec_err_set(EC_ERR_NOTFOUND, "no certificate '%s'", number);
}

static int
fake_matches(void *arg, const struct ec_pub *p, const char *name, size_t len)
{
	struct fake *f = arg;
	size_t i;

	if (f->match_fails)
		return EC_ERR_CRYPTO;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->rec[i].number, p->number) == 0)
			return strlen(f->names[i]) == len && strncasecmp(f->names[i], name, len) == 0;
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof F);
	make_number("01010000000000000001", N_VALID);
	make_number("01010000000000000002", N_REVOKED);
	make_number("01010000000000000003", N_EXPIRED);
	make_number("01010000000000000004", N_OLD);
	make_number("01010000000000000005", N_NEW);
	make_number("01010000000000000006", N_XSS);
	make_number("01010000000000000007", N_UNKNOWN);
	make_number("01010000000000000008", N_BROKEN);
	make_number("01010000000000000009", N_FUTURE);
	add(N_VALID, EC_ST_VALID, "Zoë O'Brien", "Z***", "2026-10-27", "2029-10-26");
	add(N_REVOKED, EC_ST_REVOKED, "李瑞瑞", "李***", "2026-10-27", "2029-10-26");
	F.rec[1].revoked_on = day("2027-01-15");
	strcpy(F.rec[1].reason, "keyCompromise");
	add(N_EXPIRED, EC_ST_VALID, "Old Holder", "O***", "2017-11-16", "2019-11-15");
	add(N_OLD, EC_ST_SUPERSEDED, "Renewed Holder", "R***", "2024-01-01", "2027-12-31");
	strcpy(F.rec[3].superseded_by, N_NEW);
	add(N_NEW, EC_ST_VALID, "Renewed Holder", "R***", "2027-03-01", "2030-12-31");
	strcpy(F.rec[4].renewal_of, N_OLD);
	add(N_XSS, EC_ST_VALID, "<script>alert(1)</script>", "<script>\"&'", "2026-10-27", "2029-10-26");
	strcpy(F.rec[5].title, "<b>Bold</b> & \"quoted\"");
	strcpy(F.rec[5].issuer, "<img src=x onerror=alert(1)>");
	add(N_FUTURE, EC_ST_VALID, "Early Bird", "E***", "2027-07-01", "2030-06-30");
	strcpy(F.broken, N_BROKEN);
	return 0;
}

/* Runs one request against the fakes; the caller frees r. */
static int
run(struct ec_web_resp *r, struct ec_web_target *t, enum ec_web_method m, const char *target, const char *accept,
    const char *lang)
{
	struct ec_web_env env = { fake_lookup, fake_matches, &F, 0, "https://verify.example.org" };
	struct ec_web_req req = { m, target, strlen(target), accept, lang };

	env.today = day("2027-06-01");
	ec_web_resp_init(r);
	assert_int_equal(ec_web_handle(&env, &req, t, r), 0);
	return r->status;
}

static int
get(struct ec_web_resp *r, const char *target)
{
	struct ec_web_target t;

	return run(r, &t, EC_WEB_GET, target, NULL, NULL);
}

static const char *
header(const struct ec_web_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hdr[i].name, name) == 0)
			return r->hdr[i].value;
	return NULL;
}

static void
assert_has(const struct ec_web_resp *r, const char *s)
{
	if (r->body.p == NULL || strstr(r->body.p, s) == NULL)
		fail_msg("body lacks '%s':\n%s", s, r->body.p ? r->body.p : "(empty)");
}

static void
assert_lacks(const struct ec_web_resp *r, const char *s)
{
	if (r->body.p != NULL && strstr(r->body.p, s) != NULL)
		fail_msg("body has '%s':\n%s", s, r->body.p);
}

/* The one script a page loads is the page's own, from our origin: no other script tag gets in. */
static void
assert_only_our_script(const struct ec_web_resp *r)
{
	static const char ours[] = "<script src=\"/static/verify.js\" defer></script>";
	const char *p = r->body.p;
	int n = 0;

	while (p != NULL && (p = strstr(p, "<script")) != NULL) {
		if (strncmp(p, ours, sizeof ours - 1) != 0)
			fail_msg("a script tag that is not ours:\n%s", r->body.p);
		n++;
		p += sizeof ours - 1;
	}
	assert_true(n <= 1);
}

/* No tag of ours carries an event-handler attribute (data is escaped, so every '<' and '"' is ours). */
static void
assert_no_handlers(const char *html)
{
	const char *p = html, *end, *a, *q;
	int quoted;

	while ((p = strchr(p, '<')) != NULL) {
		assert_non_null(end = strchr(p, '>'));
		for (a = p, quoted = 0; a < end; a++) {
			if (*a == '"')
				quoted = !quoted;
			if (quoted || (*a != ' ' && *a != '\n') || strncasecmp(a + 1, "on", 2) != 0)
				continue;
			for (q = a + 3; q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')); q++)
				;
			if (q < end && *q == '=')
				fail_msg("event handler in tag: %.*s", (int)(end - p + 1), p);
		}
		p = end;
	}
}

/* Every HTML page: one inline style whose hash the CSP allows, no script, no stored name. */
static void
assert_safe_page(const struct ec_web_resp *r)
{
	const char *const *h = ec_web_security_headers();
	const char *csp = NULL, *s, *e;
	unsigned char md[32];
	char b64[64], want[96];
	unsigned mdlen;
	size_t i;

	assert_string_equal(r->ctype, "text/html; charset=utf-8");
	assert_only_our_script(r);
	assert_lacks(r, "javascript:");
	assert_no_handlers(r->body.p);
	assert_has(r, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
	for (i = 0; i < F.n; i++)
		if (strchr(F.names[i], ' ') != NULL || strchr(F.names[i], '<') != NULL)
			assert_lacks(r, F.names[i]);
	for (; *h != NULL; h += 2)
		if (strcmp(h[0], "Content-Security-Policy") == 0)
			csp = h[1];
	assert_non_null(csp);
	assert_non_null(s = strstr(r->body.p, "<style>"));
	s += 7;
	assert_non_null(e = strstr(s, "</style>"));
	assert_null(strstr(e + 1, "<style"));
	assert_int_equal(EVP_Digest(s, (size_t)(e - s), md, &mdlen, EVP_sha256(), NULL), 1);
	EVP_EncodeBlock((unsigned char *)b64, md, 32);
	snprintf(want, sizeof want, "style-src 'sha256-%s'", b64);
	assert_non_null(strstr(csp, want));
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(ec_web_utf8_ok("abc", 3));
	assert_true(ec_web_utf8_ok("李瑞瑞 Zoë", strlen("李瑞瑞 Zoë")));
	assert_true(ec_web_utf8_ok("\xf0\x9f\x98\x80", 4));
	assert_true(ec_web_utf8_ok("", 0));
	assert_false(ec_web_utf8_ok("a\x01", 2));
	assert_false(ec_web_utf8_ok("a\x7f", 2));
	assert_false(ec_web_utf8_ok("a\0b", 3));
	assert_false(ec_web_utf8_ok("\xc2\x80", 2));          /* C1 control */
	assert_false(ec_web_utf8_ok("\xc0\xaf", 2));          /* overlong '/' */
	assert_false(ec_web_utf8_ok("\xe0\x80\xaf", 3));      /* overlong */
	assert_false(ec_web_utf8_ok("\xf0\x80\x80\xaf", 4));  /* overlong */
	assert_false(ec_web_utf8_ok("\xed\xa0\x80", 3));      /* surrogate */
	assert_false(ec_web_utf8_ok("\xf4\x90\x80\x80", 4));  /* above U+10FFFF */
	assert_false(ec_web_utf8_ok("\xf5\x80\x80\x80", 4));
	assert_false(ec_web_utf8_ok("\xff", 1));
	assert_false(ec_web_utf8_ok("\x80", 1));
	assert_false(ec_web_utf8_ok("\xe6\x9d", 2));          /* truncated */
	assert_false(ec_web_utf8_ok("\xe6\x41\x41", 3));      /* bad continuation */
}

static int
dec(const char *in, int plus, char *out, size_t outsz)
{
	size_t n = 0;

	return ec_web_pct_decode(in, strlen(in), plus, out, outsz, &n);
}

static void
test_pct_decode(void **state)
{
	char out[64];
	size_t n;

	(void)state;
	assert_int_equal(dec("a%20b+c", 0, out, sizeof out), 0);
	assert_string_equal(out, "a b+c");
	assert_int_equal(dec("a%20b+c", 1, out, sizeof out), 0);
	assert_string_equal(out, "a b c");
	assert_int_equal(dec("%E6%9D%8E%e7%91%9e", 1, out, sizeof out), 0);
	assert_string_equal(out, "李瑞");
	assert_int_equal(ec_web_pct_decode("abc", 0, 0, out, sizeof out, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(dec("%00", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "%00"));
	assert_int_equal(dec("a%0a", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("a%7F", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("%zz", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("%4", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("%", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("%ff%fe", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("%C0%AF", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("%ED%A0%80", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("%F4%90%80%80", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("a b", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("\xe6\x9d\x8e", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("a\x01", 0, out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(dec("abcd", 0, out, 4), EC_ERR_TOOBIG);
	assert_int_equal(dec("abc", 0, out, 4), 0);
}

static int
parse(const char *uri, struct ec_web_target *t)
{
	return ec_web_parse_target(uri, strlen(uri), t);
}

static void
test_routes(void **state)
{
	struct ec_web_target t;

	(void)state;
	assert_int_equal(parse("/", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_HOME);
	assert_int_equal(t.lang, -1);
	assert_int_equal(parse("/v/0101 2345", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/0101%202345-6789", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_PAGE);
	assert_string_equal(t.typed, "0101 2345-6789");
	assert_int_equal(parse("/api/v1/certificates/0101234567890123456707", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_API);
	assert_string_equal(t.typed, "0101234567890123456707");
	assert_int_equal(parse("/v?n=0101+2345", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_PAGE);
	assert_string_equal(t.typed, "0101 2345");
	assert_int_equal(parse("/trust.pem", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_TRUST);
	assert_int_equal(parse("/crl/AbCd-_123xY.crl", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_CRL);
	assert_string_equal(t.kid, "AbCd-_123xY");
	assert_int_equal(parse("/jwks.json", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_JWKS);
	assert_int_equal(parse("/static/verify.js", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_SCRIPT);
	assert_int_equal(parse("/static/other.js", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/crl/root.crl", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_CRL);
	assert_string_equal(t.kid, "root");
	assert_int_equal(parse("/healthz", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_HEALTH);
	assert_int_equal(parse("/metrics", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_METRICS);

	assert_int_equal(parse("/v", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/v/", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/v/1/2", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/trust.pem/", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/crl/AbCd.crl", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/crl/root.pem", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/crl/rootx.crl", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/crl/AbCd-_123xY.pem", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/crl/AbCd-_12=xY.crl", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/api/v1/certificates", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/index.html", &t), EC_ERR_NOTFOUND);
	assert_int_equal(parse("/HEALTHZ", &t), EC_ERR_NOTFOUND);
}

static void
test_hostile_targets(void **state)
{
	struct ec_web_target t;
	char *big;

	(void)state;
	assert_int_equal(parse("/crl/../../etc/passwd", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/crl/..%2F..%2Fetc%2Fpasswd", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/%2e%2e/%2e%2e/keys", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/./trust.pem", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/.", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/..", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/..x", &t), 0);                /* not a traversal, just not a number */
	assert_int_equal(parse("/v/%5c..%5ckeys", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/0101%00", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/%ff", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/%C0%AE%C0%AE", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/1?name=%00", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/1?name=%ff", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/1?utm=%zz", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/1#frag", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("http://evil/v/1", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("*", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/1?name=a&name=b", &t), EC_ERR_SYNTAX);
	assert_int_equal(parse("/v/1?lang=zh&lang=en", &t), EC_ERR_SYNTAX);

	assert_non_null(big = malloc(100 * 1024 + 1));
	memset(big, '1', 100 * 1024);
	memcpy(big, "/v/", 3);
	big[100 * 1024] = '\0';
	assert_int_equal(parse(big, &t), EC_ERR_TOOBIG);
	big[EC_WEB_URI_MAX + 1] = '\0';
	assert_int_equal(parse(big, &t), EC_ERR_TOOBIG);
	big[EC_WEB_URI_MAX] = '\0';
	assert_int_equal(parse(big, &t), EC_ERR_SYNTAX);          /* fits, but no number is that long */
	big[3 + EC_WEB_TYPED_MAX] = '\0';
	assert_int_equal(parse(big, &t), 0);
	memcpy(big, "/v/1?name=", 10);
	memset(big + 10, 'x', EC_WEB_NAME_MAX + 1);
	big[10 + EC_WEB_NAME_MAX + 1] = '\0';
	assert_int_equal(parse(big, &t), EC_ERR_SYNTAX);
	big[10 + EC_WEB_NAME_MAX] = '\0';
	assert_int_equal(parse(big, &t), 0);
	assert_int_equal(strlen(t.name), EC_WEB_NAME_MAX);
	free(big);
}

static void
test_query(void **state)
{
	struct ec_web_target t;

	(void)state;
	assert_int_equal(parse("/v/1?name=Zo%C3%AB+O%27Brien", &t), 0);
	assert_true(t.has_name);
	assert_string_equal(t.name, "Zoë O'Brien");
	assert_int_equal(parse("/v/1?name=++a+b++&&utm_source=x&flag", &t), 0);
	assert_string_equal(t.name, "a b");
	assert_int_equal(parse("/v/1?name=", &t), 0);
	assert_false(t.has_name);
	assert_int_equal(parse("/v/1?name=+++", &t), 0);
	assert_false(t.has_name);
	assert_int_equal(parse("/v/1?name", &t), 0);
	assert_false(t.has_name);
	assert_int_equal(parse("/v/1?lang=zh", &t), 0);
	assert_int_equal(t.lang, EC_WEB_ZH);
	assert_int_equal(parse("/v/1?lang=en", &t), 0);
	assert_int_equal(t.lang, EC_WEB_EN);
	assert_int_equal(parse("/v/1?lang=fr", &t), 0);
	assert_int_equal(t.lang, -1);
	assert_int_equal(parse("/v/1?n=2", &t), 0);
	assert_string_equal(t.typed, "1");
	assert_int_equal(parse("/v?n=", &t), 0);
	assert_int_equal(t.route, EC_WEB_R_PAGE);
	assert_string_equal(t.typed, "");
}

static void
test_negotiation(void **state)
{
	(void)state;
	assert_int_equal(ec_web_lang_pick(NULL), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick(""), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick("zh-CN,zh;q=0.9,en;q=0.8"), EC_WEB_ZH);
	assert_int_equal(ec_web_lang_pick("en-US,en;q=0.9,zh-CN;q=0.8"), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick("fr-FR, zh;q=0.5"), EC_WEB_ZH);
	assert_int_equal(ec_web_lang_pick("de, fr;q=0.9"), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick("ZH-tw"), EC_WEB_ZH);
	assert_int_equal(ec_web_lang_pick("zh;q=0, en;q=0.1"), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick("en;q=0.3, zh;q=0.7"), EC_WEB_ZH);
	assert_int_equal(ec_web_lang_pick("en;q=0.700, zh;q=0.7"), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick("zh;q=2"), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick("zh;q=abc"), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick("zhx, zh-"), EC_WEB_ZH);
	assert_int_equal(ec_web_lang_pick("*"), EC_WEB_EN);
	assert_int_equal(ec_web_lang_pick(",,;,;q=1"), EC_WEB_EN);

	assert_false(ec_web_wants_json(NULL));
	assert_false(ec_web_wants_json("*/*"));
	assert_true(ec_web_wants_json("application/json"));
	assert_true(ec_web_wants_json("Application/JSON"));
	assert_true(ec_web_wants_json("application/*"));
	assert_false(ec_web_wants_json("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
	assert_false(ec_web_wants_json("application/json;q=0.5, text/html"));
	assert_true(ec_web_wants_json("text/html;q=0.1, application/json"));
	assert_true(ec_web_wants_json("application/json, */*;q=0.1"));
	assert_false(ec_web_wants_json("application/json;q=0, */*"));
	assert_false(ec_web_wants_json("text/plain"));

	assert_true(ec_web_etag_matches("\"abc\"", "\"abc\""));
	assert_true(ec_web_etag_matches("\"x\", W/\"abc\"", "\"abc\""));
	assert_true(ec_web_etag_matches(" * ", "\"abc\""));
	assert_false(ec_web_etag_matches("\"abd\"", "\"abc\""));
	assert_false(ec_web_etag_matches("abc", "\"abc\""));
	assert_false(ec_web_etag_matches("", "\"abc\""));
	assert_false(ec_web_etag_matches(NULL, "\"abc\""));
}

static void
test_security_headers(void **state)
{
	const char *const *h = ec_web_security_headers();
	int csp = 0, nosniff = 0, referrer = 0, frame = 0;

	(void)state;
	for (; *h != NULL; h += 2) {
		if (strcmp(h[0], "Content-Security-Policy") == 0) {
			csp = strstr(h[1], "frame-ancestors 'none'") != NULL && strstr(h[1], "default-src 'none'") != NULL &&
			    strstr(h[1], "script-src 'self'") != NULL && strstr(h[1], "connect-src 'self'") != NULL &&
			    strstr(h[1], "unsafe") == NULL;
		}
		nosniff |= strcmp(h[0], "X-Content-Type-Options") == 0 && strcmp(h[1], "nosniff") == 0;
		referrer |= strcmp(h[0], "Referrer-Policy") == 0 && strcmp(h[1], "no-referrer") == 0;
		frame |= strcmp(h[0], "X-Frame-Options") == 0 && strcmp(h[1], "DENY") == 0;
	}
	assert_true(csp);
	assert_true(nosniff);
	assert_true(referrer);
	assert_true(frame);
}

static void
test_page_valid(void **state)
{
	struct ec_web_resp r;
	char url[64];

	(void)state;
	snprintf(url, sizeof url, "/v/%s", N_VALID);
	assert_int_equal(get(&r, url), 200);
	assert_safe_page(&r);
	assert_has(&r, "<h1>VALID</h1>");
	assert_has(&r, "valid until 2029-10-26");
	assert_has(&r, "HCIA-AI Artificial Intelligence (HCIA-AI)");
	assert_has(&r, "Z***");
	assert_has(&r, "<dd>2026-10-27</dd>");
	assert_has(&r, "Example Org Issuing CA AbCdEfGhIjK");
	assert_has(&r, display(N_VALID));
	assert_has(&r, "<form method=\"get\" action=\"/v/");
	assert_has(&r, "name=\"name\"");
	assert_has(&r, "<link rel=\"canonical\" href=\"https://verify.example.org/v/");
	assert_has(&r, "<html lang=\"en\">");
	assert_has(&r, "Checked on 2027-06-01");
	assert_lacks(&r, "matches the holder");
	assert_string_equal(header(&r, "Vary"), "Accept, Accept-Language");
	assert_string_equal(header(&r, "Cache-Control"), "no-store");
	assert_string_equal(header(&r, "Content-Language"), "en");
	ec_web_resp_free(&r);

	/* Spaces and dashes as a person types them. */
	snprintf(url, sizeof url, "/v/%.4s-%.4s%%20%s", N_VALID, N_VALID + 4, N_VALID + 8);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "<h1>VALID</h1>");
	ec_web_resp_free(&r);
}

static void
test_page_statuses(void **state)
{
	struct ec_web_resp r;
	char url[64], link[64];

	(void)state;
	snprintf(url, sizeof url, "/v/%s", N_REVOKED);
	assert_int_equal(get(&r, url), 200);
	assert_safe_page(&r);
	assert_has(&r, "<h1>REVOKED</h1>");
	assert_has(&r, "Revoked on 2027-01-15. Reason: key compromise.");
	assert_has(&r, "class=\"st bad\"");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_EXPIRED);
	assert_int_equal(get(&r, url), 200);
	assert_safe_page(&r);
	assert_has(&r, "<h1>EXPIRED</h1>");
	assert_has(&r, "expired on 2019-11-15");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_OLD);
	snprintf(link, sizeof link, "<a href=\"/v/%s\">", N_NEW);
	assert_int_equal(get(&r, url), 200);
	assert_safe_page(&r);
	assert_has(&r, "<h1>SUPERSEDED</h1>");
	assert_has(&r, link);
	assert_has(&r, "remains valid until 2027-12-31");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_NEW);
	snprintf(link, sizeof link, "<dt>Replaces</dt><dd><a href=\"/v/%s\">", N_OLD);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "<h1>VALID</h1>");
	assert_has(&r, link);
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_UNKNOWN);
	assert_int_equal(get(&r, url), 404);
	assert_safe_page(&r);
	assert_has(&r, "<h1>NOT FOUND</h1>");
	assert_has(&r, display(N_UNKNOWN));
	ec_web_resp_free(&r);

	/* One digit changed: the check digits catch it. */
	snprintf(url, sizeof url, "/v/%s", N_VALID);
	url[10] = url[10] == '9' ? '8' : (char)(url[10] + 1);
	assert_int_equal(get(&r, url), 400);
	assert_safe_page(&r);
	assert_has(&r, "<h1>PROBABLY A TYPO</h1>");
	assert_has(&r, url + 3);
	ec_web_resp_free(&r);

	assert_int_equal(get(&r, "/v/0101-2345"), 400);
	assert_has(&r, "<h1>NOT A CERTIFICATE NUMBER</h1>");
	assert_has(&r, "<strong>0101-2345</strong>");
	ec_web_resp_free(&r);

	/* What was typed comes back escaped. */
	assert_int_equal(get(&r, "/v/%3Cimg%20src=x%20onerror=alert(1)%3E%22%27"), 400);
	assert_safe_page(&r);
	assert_has(&r, "<strong>&lt;img src=x onerror=alert(1)&gt;&quot;&#39;</strong>");
	assert_has(&r, "value=\"&lt;img src=x onerror=alert(1)&gt;&quot;&#39;\"");
	ec_web_resp_free(&r);
	assert_int_equal(get(&r, "/v/%3Cscript%3Ealert(1)%3C%2Fscript%3E"), 404);   /* %2F is a slash */
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_BROKEN);
	assert_int_equal(get(&r, url), 500);
	assert_safe_page(&r);
	assert_has(&r, "SERVER ERROR");
	ec_web_resp_free(&r);
}

static void
test_name_confirmation(void **state)
{
	struct ec_web_resp r;
	struct ec_web_target t;
	char url[128];

	(void)state;
	snprintf(url, sizeof url, "/v/%s?name=zo%%C3%%AB+o%%27brien", N_VALID);
	assert_int_equal(get(&r, url), 200);
	assert_safe_page(&r);
	assert_has(&r, "class=\"m yes\"");
	assert_has(&r, "The name matches the holder of this certificate.");
	assert_has(&r, "value=\"zoë o&#39;brien\"");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s?name=Zoe+OBrien", N_VALID);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "class=\"m no\"");
	assert_has(&r, "does not match");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/api/v1/certificates/%s?name=%%E6%%9D%%8E%%E7%%91%%9E%%E7%%91%%9E", N_REVOKED);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "\"name_match\":true}");
	assert_lacks(&r, "李瑞瑞");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/api/v1/certificates/%s?name=x", N_REVOKED);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "\"name_match\":false}");
	ec_web_resp_free(&r);

	/* Typed names are escaped where they come back. */
	snprintf(url, sizeof url, "/v/%s?name=%%22%%3E%%3Cscript%%3Ealert(1)%%3C/script%%3E", N_VALID);
	assert_int_equal(get(&r, url), 200);
	assert_safe_page(&r);
	assert_has(&r, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s?name=x&lang=zh", N_VALID);
	assert_int_equal(run(&r, &t, EC_WEB_GET, url, NULL, NULL), 200);
	assert_has(&r, "<input type=\"hidden\" name=\"lang\" value=\"zh\">");
	assert_has(&r, "姓名与此证书持证人不一致。");
	ec_web_resp_free(&r);

	F.match_fails = 1;
	snprintf(url, sizeof url, "/v/%s?name=x", N_VALID);
	assert_int_equal(get(&r, url), 500);
	F.match_fails = 0;
	ec_web_resp_free(&r);
}

static void
test_json(void **state)
{
	struct ec_web_resp r;
	struct ec_web_target t;
	char url[64], want[1024];

	(void)state;
	snprintf(url, sizeof url, "/api/v1/certificates/%s", N_VALID);
	assert_int_equal(get(&r, url), 200);
	assert_string_equal(r.ctype, "application/json");
	assert_string_equal(header(&r, "Access-Control-Allow-Origin"), "*");
	snprintf(want, sizeof want, "{\"number\":\"%s\",\"number_display\":\"%s\","
	    "\"status\":\"valid\",\"certification\":{\"code\":\"HCIA-AI\",\"title\":\"HCIA-AI Artificial Intelligence\"},"
	    "\"holder\":{\"name_masked\":\"Z***\"},\"effective\":\"2026-10-27\",\"expires\":\"2029-10-26\","
	    "\"issuer\":\"Example Org Issuing CA AbCdEfGhIjK\"}\n", N_VALID, display(N_VALID));
	assert_string_equal(r.body.p, want);
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_REVOKED);
	assert_int_equal(run(&r, &t, EC_WEB_GET, url, "application/json", NULL), 200);
	assert_string_equal(r.ctype, "application/json");
	assert_has(&r, "\"status\":\"revoked\"");
	assert_has(&r, "\"revoked\":{\"date\":\"2027-01-15\",\"reason\":\"keyCompromise\"}");
	assert_has(&r, "\"name_masked\":\"李***\"");
	assert_lacks(&r, "superseded_by");
	assert_lacks(&r, "renewal_of");
	assert_lacks(&r, "name_match");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/api/v1/certificates/%s", N_OLD);
	assert_int_equal(get(&r, url), 200);
	snprintf(want, sizeof want, "\"status\":\"superseded\"");
	assert_has(&r, want);
	snprintf(want, sizeof want, "\"superseded_by\":\"%s\"", N_NEW);
	assert_has(&r, want);
	assert_lacks(&r, "\"revoked\"");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/api/v1/certificates/%s", N_NEW);
	assert_int_equal(get(&r, url), 200);
	snprintf(want, sizeof want, "\"renewal_of\":\"%s\"", N_OLD);
	assert_has(&r, want);
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/api/v1/certificates/%s", N_EXPIRED);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "\"status\":\"expired\"");
	ec_web_resp_free(&r);

	/* the page's script, from our origin, and the box it fills from the QR code's fragment */
	assert_int_equal(get(&r, "/static/verify.js"), 200);
	assert_string_equal(r.ctype, "text/javascript; charset=utf-8");
	assert_has(&r, "crypto.subtle.verify");
	assert_has(&r, "textContent");
	assert_lacks(&r, "innerHTML");
	ec_web_resp_free(&r);
	snprintf(url, sizeof url, "/v/%s", N_VALID);
	assert_int_equal(get(&r, url), 200);
	snprintf(want, sizeof want, "<section id=\"qr\" class=\"qr\" data-number=\"%s\" hidden", N_VALID);
	assert_has(&r, want);
	assert_has(&r, "<script src=\"/static/verify.js\" defer></script>");
	ec_web_resp_free(&r);

	/* effective after today: genuine, but not valid yet, as ecert-verify says */
	snprintf(url, sizeof url, "/api/v1/certificates/%s", N_FUTURE);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "\"status\":\"not_yet_valid\"");
	ec_web_resp_free(&r);
	snprintf(url, sizeof url, "/v/%s", N_FUTURE);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "NOT YET VALID");
	assert_has(&r, "takes effect only on 2027-07-01");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/api/v1/certificates/%s", N_XSS);
	assert_int_equal(get(&r, url), 200);
	assert_has(&r, "\"name_masked\":\"<script>\\\"&'\"");
	assert_has(&r, "\"title\":\"<b>Bold</b> & \\\"quoted\\\"\"");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/api/v1/certificates/%s", N_UNKNOWN);
	assert_int_equal(get(&r, url), 404);
	assert_string_equal(r.ctype, "application/json");
	assert_string_equal(header(&r, "Access-Control-Allow-Origin"), "*");
	assert_has(&r, "\"error\":\"not_found\"");
	ec_web_resp_free(&r);

	assert_int_equal(get(&r, "/api/v1/certificates/0101000000000000000199"), 400);
	assert_has(&r, "{\"error\":\"checksum\",\"input\":\"0101000000000000000199\"");
	assert_has(&r, "probably a typo");
	ec_web_resp_free(&r);

	assert_int_equal(get(&r, "/api/v1/certificates/%22x%22"), 400);
	assert_has(&r, "{\"error\":\"malformed\",\"input\":\"\\\"x\\\"\"");
	ec_web_resp_free(&r);

	assert_int_equal(get(&r, "/api/v1/certificates/%ff"), 400);
	assert_string_equal(r.ctype, "application/json");
	assert_has(&r, "\"error\":\"bad_request\"");
	ec_web_resp_free(&r);

	assert_int_equal(get(&r, "/api/v2/x"), 404);
	assert_string_equal(r.ctype, "application/json");
	ec_web_resp_free(&r);
}

/*
 * The JSON answer is written without ec_buf_json and ec_date_format: pin its strings to ec_buf_json
 * for every byte value, and its dates to ec_date_format across and beyond the formatted range.
 */
static void
test_json_fast_path(void **state)
{
	struct ec_pub p;
	struct ec_buf b, ref;
	char want[64], d[11];
	int64_t day;
	int c, i;

	(void)state;
	ec_buf_init(&ref);
	for (c = 1; c < 256; c += 100) {
		memset(&p, 0, sizeof p);
		strcpy(p.number, N_VALID);
		for (i = 0; i < 100 && c + i < 256; i++)
			p.title[i] = (char)(c + i);
		ec_buf_init(&b);
		assert_int_equal(ec_web_cert_json(&b, &p, 0, -1), 0);
		ec_buf_reset(&ref);
		ec_buf_adds(&ref, ",\"title\":");
		ec_buf_json(&ref, p.title);
		ec_buf_adds(&ref, "},");
		assert_non_null(strstr(b.p, ref.p));
		ec_buf_free(&b);
	}
	ec_buf_free(&ref);
	/* every field full of bytes escaped six-fold: the reservation is exact, ASan checks it */
	memset(&p, 0, sizeof p);
	memset(p.number, '"', sizeof p.number - 1);
	memset(p.code, 0x01, sizeof p.code);
	memset(p.title, '\\', sizeof p.title);
	memset(p.name_masked, 0x7f, sizeof p.name_masked);
	memset(p.issuer, 0x1f, sizeof p.issuer);
	memset(p.reason, 0x02, sizeof p.reason);
	memset(p.superseded_by, 0x03, sizeof p.superseded_by);
	memset(p.renewal_of, 0x04, sizeof p.renewal_of);
	p.status = EC_ST_REVOKED;
	ec_buf_init(&b);
	assert_int_equal(ec_web_cert_json(&b, &p, 0, 0), 0);
	assert_int_equal(strlen(b.p), b.len);
	assert_non_null(strstr(b.p, ",\"name_match\":false}"));
	ec_buf_free(&b);
	/* a field filling its whole array without a NUL is cut at the array's end */
	memset(&p, 0, sizeof p);
	memset(p.code, 'C', sizeof p.code);
	strcpy(p.title, "T");
	ec_buf_init(&b);
	assert_int_equal(ec_web_cert_json(&b, &p, 0, -1), 0);
	memset(want, 'C', sizeof p.code);
	strcpy(want + sizeof p.code, "\",\"title\":\"T\"");
	assert_non_null(strstr(b.p, want));
	assert_non_null(strstr(b.p, "{\"code\":\"CC"));
	ec_buf_free(&b);

	memset(&p, 0, sizeof p);
	strcpy(p.number, N_VALID);
	p.status = EC_ST_REVOKED;
	ec_buf_init(&b);
	for (day = -800000; day <= 3000000; day += 997) {
		p.effective = (ec_day)day;
		p.expires = (ec_day)(day + 1095);
		p.revoked_on = (ec_day)(-day);
		ec_buf_reset(&b);
		assert_int_equal(ec_web_cert_json(&b, &p, 0, -1), 0);
		ec_date_format(p.effective, d);
		snprintf(want, sizeof want, "\"effective\":\"%s\"", d);
		assert_non_null(strstr(b.p, want));
		ec_date_format(p.expires, d);
		snprintf(want, sizeof want, "\"expires\":\"%s\"", d);
		assert_non_null(strstr(b.p, want));
		ec_date_format(p.revoked_on, d);
		snprintf(want, sizeof want, "\"date\":\"%s\"", d);
		assert_non_null(strstr(b.p, want));
	}
	p.effective = INT32_MIN;
	p.expires = INT32_MAX;
	ec_buf_reset(&b);
	assert_int_equal(ec_web_cert_json(&b, &p, 0, 1), 0);
	assert_non_null(strstr(b.p, "\"effective\":\"0000-00-00\",\"expires\":\"0000-00-00\""));
	assert_non_null(strstr(b.p, ",\"name_match\":true}"));
	ec_buf_reset(&b);
	assert_int_equal(ec_web_cert_json(&b, &p, 0, 0), 0);
	assert_non_null(strstr(b.p, ",\"name_match\":false}"));
	ec_buf_free(&b);
}

static void
test_xss_record(void **state)
{
	struct ec_web_resp r;
	char url[64];

	(void)state;
	snprintf(url, sizeof url, "/v/%s", N_XSS);
	assert_int_equal(get(&r, url), 200);
	assert_safe_page(&r);
	assert_has(&r, "&lt;script&gt;&quot;&amp;&#39;");
	assert_has(&r, "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;");
	assert_has(&r, "&lt;img src=x onerror=alert(1)&gt;");
	assert_lacks(&r, "<b>");
	assert_lacks(&r, "<img");
	ec_web_resp_free(&r);
}

static void
test_chinese(void **state)
{
	struct ec_web_resp r;
	struct ec_web_target t;
	char url[64];

	(void)state;
	snprintf(url, sizeof url, "/v/%s", N_VALID);
	assert_int_equal(run(&r, &t, EC_WEB_GET, url, NULL, "zh-CN,zh;q=0.9,en;q=0.8"), 200);
	assert_safe_page(&r);
	assert_has(&r, "<html lang=\"zh-CN\">");
	assert_has(&r, "<h1>有效</h1>");
	assert_has(&r, "有效期至 2029-10-26");
	assert_has(&r, "核对持证人姓名");
	assert_string_equal(header(&r, "Content-Language"), "zh-CN");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_REVOKED);
	assert_int_equal(run(&r, &t, EC_WEB_GET, url, NULL, "zh"), 200);
	assert_has(&r, "<h1>已吊销</h1>");
	assert_has(&r, "原因：密钥泄露");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_EXPIRED);
	assert_int_equal(run(&r, &t, EC_WEB_GET, url, NULL, "zh"), 200);
	assert_has(&r, "<h1>已过期</h1>");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_OLD);
	assert_int_equal(run(&r, &t, EC_WEB_GET, url, NULL, "zh"), 200);
	assert_has(&r, "<h1>已被取代</h1>");
	ec_web_resp_free(&r);

	snprintf(url, sizeof url, "/v/%s", N_UNKNOWN);
	assert_int_equal(run(&r, &t, EC_WEB_GET, url, NULL, "zh"), 404);
	assert_has(&r, "<h1>未找到</h1>");
	ec_web_resp_free(&r);

	assert_int_equal(run(&r, &t, EC_WEB_GET, "/v/0101000000000000000199", NULL, "zh"), 400);
	assert_has(&r, "<h1>号码可能有误</h1>");
	ec_web_resp_free(&r);

	/* ?lang= wins over the header, both ways. */
	snprintf(url, sizeof url, "/v/%s?lang=en", N_VALID);
	assert_int_equal(run(&r, &t, EC_WEB_GET, url, NULL, "zh"), 200);
	assert_has(&r, "<h1>VALID</h1>");
	ec_web_resp_free(&r);
	assert_int_equal(run(&r, &t, EC_WEB_GET, "/?lang=zh", NULL, "en"), 200);
	assert_has(&r, "证书验证");
	assert_has(&r, "<input type=\"hidden\" name=\"lang\" value=\"zh\">");
	ec_web_resp_free(&r);
}

static void
test_errors_and_methods(void **state)
{
	struct ec_web_resp r;
	struct ec_web_target t;
	char *big;
	int codes[] = { 400, 404, 405, 414, 429, 431, 500, 503 };
	size_t i;

	(void)state;
	assert_int_equal(run(&r, &t, EC_WEB_OTHER, "/v/1", NULL, NULL), 405);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD");
	assert_safe_page(&r);
	ec_web_resp_free(&r);
	assert_int_equal(run(&r, &t, EC_WEB_OTHER, "/api/v1/certificates/1", NULL, NULL), 405);
	assert_string_equal(r.ctype, "application/json");
	assert_string_equal(header(&r, "Allow"), "GET, HEAD");
	ec_web_resp_free(&r);

	assert_int_equal(run(&r, &t, EC_WEB_HEAD, "/", NULL, NULL), 200);
	ec_web_resp_free(&r);

	assert_non_null(big = malloc(100 * 1024 + 1));
	memset(big, 'a', 100 * 1024);
	memcpy(big, "/v/", 3);
	big[100 * 1024] = '\0';
	assert_int_equal(get(&r, big), 414);
	assert_safe_page(&r);
	ec_web_resp_free(&r);
	free(big);

	assert_int_equal(get(&r, "/v/%00"), 400);
	assert_safe_page(&r);
	assert_has(&r, "BAD REQUEST");
	ec_web_resp_free(&r);
	assert_int_equal(get(&r, "/nothing/here"), 404);
	assert_safe_page(&r);
	assert_has(&r, "PAGE NOT FOUND");
	ec_web_resp_free(&r);
	assert_int_equal(get(&r, "/"), 200);
	assert_safe_page(&r);
	assert_has(&r, "<form method=\"get\" action=\"/v\">");
	ec_web_resp_free(&r);

	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		ec_web_resp_init(&r);
		assert_int_equal(ec_web_error(&r, codes[i], EC_WEB_EN, 0), 0);
		assert_int_equal(r.status, codes[i]);
		assert_safe_page(&r);
		ec_web_resp_free(&r);
		ec_web_resp_init(&r);
		assert_int_equal(ec_web_error(&r, codes[i], EC_WEB_ZH, 1), 0);
		assert_string_equal(r.ctype, "application/json");
		assert_has(&r, "{\"error\":\"");
		ec_web_resp_free(&r);
	}
	ec_web_resp_init(&r);
	assert_int_equal(ec_web_error(&r, 418, EC_WEB_EN, 0), 0);
	assert_int_equal(r.status, 500);
	ec_web_resp_free(&r);
}

static void
test_server_routes(void **state)
{
	struct ec_web_resp r;
	struct ec_web_target t;

	(void)state;
	assert_int_equal(run(&r, &t, EC_WEB_GET, "/trust.pem", NULL, NULL), 0);
	assert_int_equal(t.route, EC_WEB_R_TRUST);
	ec_web_resp_free(&r);
	assert_int_equal(run(&r, &t, EC_WEB_HEAD, "/crl/AbCdEfGhIjK.crl", NULL, NULL), 0);
	assert_int_equal(t.route, EC_WEB_R_CRL);
	ec_web_resp_free(&r);
	assert_int_equal(run(&r, &t, EC_WEB_GET, "/healthz", NULL, NULL), 0);
	assert_int_equal(t.route, EC_WEB_R_HEALTH);
	ec_web_resp_free(&r);
	assert_int_equal(run(&r, &t, EC_WEB_GET, "/metrics", NULL, NULL), 0);
	assert_int_equal(t.route, EC_WEB_R_METRICS);
	ec_web_resp_free(&r);
	assert_string_equal(ec_web_route_name(EC_WEB_R_PAGE), "page");
	assert_string_equal(ec_web_route_name(EC_WEB_R_COUNT), "other");
}

static void
test_resp_headers(void **state)
{
	struct ec_web_resp r;
	char big[EC_WEB_HDR_VALUE + 1];
	int i;

	(void)state;
	ec_web_resp_init(&r);
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(ec_web_resp_header(&r, "X-Big", "%s", big), EC_ERR_TOOBIG);
	for (i = 0; i < EC_WEB_HDR_MAX; i++)
		assert_int_equal(ec_web_resp_header(&r, "X-N", "%d", i), 0);
	assert_int_equal(ec_web_resp_header(&r, "X-N", "over"), EC_ERR_TOOBIG);
	ec_web_resp_free(&r);
}

static void
test_log_line(void **state)
{
	struct ec_buf b;
	const char *t = "/v/0101234567890123456707?name=Secret+Name";

	(void)state;
	ec_buf_init(&b);
	assert_int_equal(ec_web_log_line(&b, 1790000000123456LL, "GET", t, strlen(t), 200, 1234, 56), 0);
	assert_string_equal(b.p, "{\"time\":\"2026-09-21T14:13:20.123456Z\",\"method\":\"GET\","
	    "\"path\":\"/v/0101****************07\",\"status\":200,\"bytes\":1234,\"usec\":56}\n");
	ec_buf_reset(&b);

	t = "/api/v1/certificates/0101%202345%206789%200123%204567%2007";
	assert_int_equal(ec_web_log_line(&b, 0, "HEAD", t, strlen(t), 200, 0, 1), 0);
	assert_non_null(strstr(b.p, "\"path\":\"/api/v1/certificates/0101 **** **** **** **** 07\""));
	ec_buf_reset(&b);

	/* A number is masked in any segment, not only the last: a trailing slash or more path hides nothing. */
	t = "/v/0101234567890123456707/x";
	assert_int_equal(ec_web_log_line(&b, 0, "GET", t, strlen(t), 404, 0, 1), 0);
	assert_non_null(strstr(b.p, "\"path\":\"/v/0101****************07/x\""));
	ec_buf_reset(&b);
	t = "/v/0101234567890123456707/";
	assert_int_equal(ec_web_log_line(&b, 0, "GET", t, strlen(t), 404, 0, 1), 0);
	assert_non_null(strstr(b.p, "\"path\":\"/v/0101****************07/\""));
	ec_buf_reset(&b);

	t = "/v/\x01\"\\\xff";
	assert_int_equal(ec_web_log_line(&b, 0, "G\x01T", t, strlen(t), 400, 0, 1), 0);
	assert_non_null(strstr(b.p, "\"method\":\"G\\u0001T\""));
	assert_non_null(strstr(b.p, "\"path\":\"(undecodable)\""));
	ec_buf_reset(&b);

	/* percent-encoded digits are the same number: masked after decoding (%30 is '0') */
	t = "/v/%30%31%30%31%32%33%34%35%36%37%38%39%30%31%32%33%34%35%36%37%30%37";
	assert_int_equal(ec_web_log_line(&b, 0, "GET", t, strlen(t), 200, 0, 1), 0);
	assert_non_null(strstr(b.p, "\"path\":\"/v/0101****************07\""));
	assert_null(strstr(b.p, "%3"));
	ec_buf_reset(&b);
	t = "/v/01%2001%202345%206789%200123%204567%2007";
	assert_int_equal(ec_web_log_line(&b, 0, "GET", t, strlen(t), 200, 0, 1), 0);
	assert_non_null(strstr(b.p, "\"path\":\"/v/01 01 **** **** **** **** 07\""));
	ec_buf_reset(&b);

	t = "/v/123#frag";
	assert_int_equal(ec_web_log_line(&b, 0, "GET", t, strlen(t), 400, 0, 1), 0);
	assert_non_null(strstr(b.p, "\"path\":\"/v/123\""));
	ec_buf_reset(&b);

	/* the formatted second is cached: the next second and a return to an earlier one */
	assert_int_equal(ec_web_log_line(&b, 1790000001000001LL, "GET", "/", 1, -1, UINT64_MAX, 0), 0);
	assert_string_equal(b.p, "{\"time\":\"2026-09-21T14:13:21.000001Z\",\"method\":\"GET\",\"path\":\"/\","
	    "\"status\":-1,\"bytes\":18446744073709551615,\"usec\":0}\n");
	ec_buf_reset(&b);
	assert_int_equal(ec_web_log_line(&b, 1790000000999999LL, "GET", "/", 1, 200, 0, 0), 0);
	assert_non_null(strstr(b.p, "\"time\":\"2026-09-21T14:13:20.999999Z\""));
	ec_buf_reset(&b);
	assert_int_equal(ec_web_log_line(&b, -5, "GET", "/", 1, 200, 0, 0), 0);
	assert_non_null(strstr(b.p, "\"time\":\"1970-01-01T00:00:00.000000Z\""));
	ec_buf_free(&b);
}

static void
test_log_line_long(void **state)
{
	struct ec_buf b;
	char t[5000];

	(void)state;
	memset(t, '7', sizeof t);
	memcpy(t, "/v/", 3);
	ec_buf_init(&b);
	assert_int_equal(ec_web_log_line(&b, 0, "GET", t, sizeof t, 414, 0, 1), 0);
	assert_true(b.len < 400);
	assert_non_null(strstr(b.p, "\"path\":\"/v/7777***"));
	ec_buf_free(&b);
}

static void
test_stats(void **state)
{
	struct ec_web_stats *s = ec_web_stats_new();
	struct ec_buf b;

	(void)state;
	assert_non_null(s);
	ec_web_stats_add(s, EC_WEB_R_PAGE, 200, 80);
	ec_web_stats_add(s, EC_WEB_R_PAGE, 200, 300);
	ec_web_stats_add(s, EC_WEB_R_API, 404, 5000000);
	ec_web_stats_add(s, EC_WEB_R_NONE, 418, 1);
	ec_web_stats_add(s, EC_WEB_R_COUNT, 0, 1);
	ec_buf_init(&b);
	assert_int_equal(ec_web_stats_render(s, 42, &b), 0);
	assert_non_null(strstr(b.p, "# TYPE ecert_http_requests_total counter\n"));
	assert_non_null(strstr(b.p, "ecert_http_requests_total{route=\"page\",status=\"200\"} 2\n"));
	assert_non_null(strstr(b.p, "ecert_http_requests_total{route=\"api\",status=\"404\"} 1\n"));
	assert_non_null(strstr(b.p, "ecert_http_requests_total{route=\"other\",status=\"other\"} 2\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_bucket{le=\"0.0001\"} 3\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_bucket{le=\"0.00025\"} 3\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_bucket{le=\"0.0005\"} 4\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_bucket{le=\"1\"} 4\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_bucket{le=\"+Inf\"} 5\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_count 5\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_sum 5.000382\n"));
	assert_non_null(strstr(b.p, "ecert_register_age_seconds 42\n"));
	ec_buf_reset(&b);
	assert_int_equal(ec_web_stats_render(s, -1, &b), 0);
	assert_null(strstr(b.p, "ecert_register_age_seconds"));
	ec_buf_free(&b);
	ec_web_stats_free(s);
}

static void *
stats_worker(void *arg)
{
	int i;

	for (i = 0; i < 1000; i++)
		ec_web_stats_add(arg, EC_WEB_R_API, 200, 50);
	return NULL;
}

/* Threads count into shards of their own (more threads than shards share); the sums are exact. */
static void
test_stats_threads(void **state)
{
	struct ec_web_stats *s = ec_web_stats_new();
	pthread_t th[12];
	struct ec_buf b;
	size_t i;

	(void)state;
	assert_non_null(s);
	for (i = 0; i < 12; i++)
		assert_int_equal(pthread_create(&th[i], NULL, stats_worker, s), 0);
	for (i = 0; i < 12; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	ec_web_stats_add(s, EC_WEB_R_API, 200, 50);
	ec_buf_init(&b);
	assert_int_equal(ec_web_stats_render(s, -1, &b), 0);
	assert_non_null(strstr(b.p, "ecert_http_requests_total{route=\"api\",status=\"200\"} 12001\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_bucket{le=\"0.0001\"} 12001\n"));
	assert_non_null(strstr(b.p, "ecert_http_request_duration_seconds_sum 0.600050\n"));
	ec_buf_free(&b);
	ec_web_stats_free(s);
}

static void
test_client_keys(void **state)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	struct sockaddr sa;
	unsigned char k[16], k2[16];
	static const unsigned char v4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7 };

	(void)state;
	memset(&a4, 0, sizeof a4);
	a4.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.7", &a4.sin_addr);
	assert_int_equal(ec_web_addr_key((struct sockaddr *)&a4, k), 0);
	assert_memory_equal(k, v4, 16);
	assert_int_equal(ec_web_xff_key("10.0.0.1, 192.0.2.7", k2), 0);
	assert_memory_equal(k2, v4, 16);
	assert_int_equal(ec_web_xff_key("  192.0.2.7  ", k2), 0);
	assert_memory_equal(k2, v4, 16);

	/* IPv6 by /64: two addresses of one end site share a key. */
	memset(&a6, 0, sizeof a6);
	a6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:1:2::1", &a6.sin6_addr);
	assert_int_equal(ec_web_addr_key((struct sockaddr *)&a6, k), 0);
	assert_int_equal(ec_web_xff_key("203.0.113.9,2001:db8:1:2:ffff::5", k2), 0);
	assert_memory_equal(k, k2, 16);
	assert_int_equal(ec_web_xff_key("2001:db8:1:3::1", k2), 0);
	assert_memory_not_equal(k, k2, 16);
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &a6.sin6_addr);
	assert_int_equal(ec_web_addr_key((struct sockaddr *)&a6, k), 0);
	assert_memory_equal(k, v4, 16);

	assert_int_equal(ec_web_xff_key("", k2), EC_ERR_SYNTAX);
	assert_int_equal(ec_web_xff_key("192.0.2.7,", k2), EC_ERR_SYNTAX);
	assert_int_equal(ec_web_xff_key("unknown", k2), EC_ERR_SYNTAX);
	assert_int_equal(ec_web_xff_key("192.0.2.7:443", k2), EC_ERR_SYNTAX);
	assert_int_equal(ec_web_xff_key("1111111111111111111111111111111111111111111111111111", k2), EC_ERR_SYNTAX);
	memset(&sa, 0, sizeof sa);
	sa.sa_family = AF_UNIX;
	assert_int_equal(ec_web_addr_key(&sa, k), EC_ERR_ARG);
}

static void
test_ratelimit(void **state)
{
	struct ec_ratelimit *rl = NULL;
	unsigned char a[16] = { 1 }, b[16] = { 2 };

	(void)state;
	assert_int_equal(ec_ratelimit_new(0, 1, 16, &rl), EC_ERR_ARG);
	assert_int_equal(ec_ratelimit_new(1, 0.5, 16, &rl), EC_ERR_ARG);
	assert_int_equal(ec_ratelimit_new(1, 1, 0, &rl), EC_ERR_ARG);
	assert_null(rl);
	assert_int_equal(ec_ratelimit_new(2, 4, 4096, &rl), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 100.0), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 100.0), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 100.0), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 100.0), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 100.0), 1);
	assert_int_equal(ec_ratelimit_take(rl, b, 100.0), 0);      /* another client is not affected */
	assert_int_equal(ec_ratelimit_take(rl, a, 100.5), 0);      /* refilled at 2/s */
	assert_int_equal(ec_ratelimit_take(rl, a, 100.5), 1);
	assert_int_equal(ec_ratelimit_take(rl, a, 99.0), 1);       /* time never runs backwards */
	assert_int_equal(ec_ratelimit_take(rl, a, 1000.0), 0);     /* no more than the burst is saved */
	assert_int_equal(ec_ratelimit_take(rl, a, 1000.0), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 1000.0), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 1000.0), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 1000.0), 1);
	ec_ratelimit_free(rl);
	ec_ratelimit_free(NULL);

	assert_int_equal(ec_ratelimit_new(0.01, 1, 1, &rl), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 0.0), 0);
	assert_int_equal(ec_ratelimit_take(rl, a, 0.0), 100);
	ec_ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest decoding[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_pct_decode),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_hostile_targets),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_negotiation),
	};
	const struct CMUnitTest pages[] = {
		cmocka_unit_test(test_security_headers),
		cmocka_unit_test(test_page_valid),
		cmocka_unit_test(test_page_statuses),
		cmocka_unit_test(test_name_confirmation),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_fast_path),
		cmocka_unit_test(test_xss_record),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_errors_and_methods),
		cmocka_unit_test(test_server_routes),
		cmocka_unit_test(test_resp_headers),
	};
	const struct CMUnitTest ops[] = {
		cmocka_unit_test(test_log_line),
		cmocka_unit_test(test_log_line_long),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_threads),
		cmocka_unit_test(test_client_keys),
		cmocka_unit_test(test_ratelimit),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("web decoding and routing", decoding, NULL, NULL);
	failed += cmocka_run_group_tests_name("web pages and JSON", pages, setup, NULL);
	failed += cmocka_run_group_tests_name("web logs, metrics and limits", ops, NULL, NULL);
	return failed;
}
