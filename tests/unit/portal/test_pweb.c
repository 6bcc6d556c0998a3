/*
 * Unit tests for the portal's request logic (lib/portal/app.c, pages.c, mycerts.c) driven without
 * HTTP: sign-in by mailed link and by code, the browser cookie and csrf values, sessions and
 * sign-out, refusals (cross-site forms, unknown paths and methods, bodies that are not forms),
 * My Certificates, the language switch, HTML escaping and the security headers.
 *
 * The register is real (EC_OFFICE_SHARED in a mkdtemp directory), the catalogue and the designs are
 * the tree's templates/; mail goes to a callback that keeps the notices, as the mailer would get them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catalog.h"
#include "date.h"
#include "designs.h"
#include "err.h"
#include "mail.h"
#include "office.h"
#include "pweb.h"
#include "../helper_tmp.h"

/* 2026-03-02 12:00:00 UTC: ECERT_NOW's instant, so the page's today and the requests' now agree. */
#define T0 ((int64_t)1772452800)
#define ORIGIN "http://127.0.0.1:1"
#define MAILS 16
#define JAR 4

struct fx {
	char *dir;
	struct ec_office *o;
	struct ec_catalog *cat;
	struct ec_designs *designs;
	struct ec_pweb *p;
	struct ec_notice mail[MAILS];      /* what the mailer was handed, in order */
	size_t nmail;
	/* the browser: its cookies (name, value) and the Cookie header made of them */
	char name[JAR][32], value[JAR][128];
	char header[JAR * 170];
	int64_t now;
	double mono;
};

static int
mailer(void *ctx, const struct ec_notice *n)
{
	struct fx *f = ctx;

	assert_true(f->nmail < MAILS);
	f->mail[f->nmail++] = *n;
	return 0;
}

static int
setup(void **state)
{
	struct fx *f;
	struct ec_office *o = NULL;
	struct ec_exam x;
	struct ec_pweb_conf c;
	ec_day today;

	setenv("ECERT_NOW", "2026-03-02", 1);
	if (!(f = calloc(1, sizeof *f)) || !(f->dir = helper_tmpdir("pweb")))
		return -1;
	f->now = T0;
	/* a passed result of the address, 30 days ago, imported by the office's own writer before the portal opens */
	if (ec_date_today("UTC", &today))
		return -1;
	memset(&x, 0, sizeof x);
	strcpy(x.reg_no, "HA-0001");
	strcpy(x.last_name, "O'Brien");
	strcpy(x.first_name, "Zoë");
	strcpy(x.email, "zoe@example.org");
	strcpy(x.code, "HCIA-AI");
	x.exam_date = today - 30;
	x.passed = 1;
	if (ec_office_open(f->dir, 0, &o) || ec_office_import(o, &x, 1, NULL))
		return -1;
	ec_office_close(o);
	if (ec_office_open(f->dir, EC_OFFICE_SHARED, &f->o) ||
	    ec_catalog_load_file("templates/catalog.conf", &f->cat) || ec_designs_new(f->dir, &f->designs))
		return -1;
	memset(&c, 0, sizeof c);
	c.office = f->o;
	c.cat = f->cat;
	c.designs = f->designs;
	c.portal_url = ORIGIN;
	c.verify_url = "https://verify.example.org";
	c.org = "Test Body";
	c.mail_domain = "example.org";
	c.tz = "UTC";
	c.insecure_cookies = 1;
	c.mail = mailer;
	c.mail_ctx = f;
	if (ec_pweb_new(&c, &f->p))
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	ec_pweb_free(f->p);
	ec_designs_free(f->designs);
	ec_catalog_free(f->cat);
	ec_office_close(f->o);
	helper_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Cookies. */

static void
jar_header(struct fx *f)
{
	size_t i, n = 0;

	f->header[0] = '\0';
	for (i = 0; i < JAR; i++)
		if (f->name[i][0])
			n += (size_t)snprintf(f->header + n, sizeof f->header - n, "%s%s=%s", n ? "; " : "", f->name[i],
			    f->value[i]);
}

/* The value a Set-Cookie line sets, its name into name ("" when none). */
static const char *
set_cookie_of(const struct ec_pweb_resp *r, const char *name, char *value, size_t size)
{
	size_t i, n = strlen(name), v;

	for (i = 0; i < r->ncookies; i++) {
		if (strncmp(r->cookie[i], name, n) || r->cookie[i][n] != '=')
			continue;
		v = strcspn(r->cookie[i] + n + 1, ";");
		snprintf(value, size, "%.*s", (int)v, r->cookie[i] + n + 1);
		return r->cookie[i];
	}
	return NULL;
}

/* What a browser does with the answer's Set-Cookie lines: keep, replace, or drop (Max-Age=0). */
static void
jar_update(struct fx *f, const struct ec_pweb_resp *r)
{
	char name[32], value[128];
	size_t i, k, n, v;
	const char *c;

	for (i = 0; i < r->ncookies; i++) {
		c = r->cookie[i];
		n = strcspn(c, "=");
		assert_true(n < sizeof name && c[n] == '=');
		snprintf(name, sizeof name, "%.*s", (int)n, c);
		v = strcspn(c + n + 1, ";");
		assert_true(v < sizeof value);
		snprintf(value, sizeof value, "%.*s", (int)v, c + n + 1);
		for (k = 0; k < JAR && strcmp(f->name[k], name); k++)
			;
		if (strstr(c, "Max-Age=0") || !value[0]) {
			if (k < JAR)
				f->name[k][0] = '\0';
			continue;
		}
		if (k == JAR)
			for (k = 0; k < JAR && f->name[k][0]; k++)
				;
		assert_true(k < JAR);
		snprintf(f->name[k], sizeof f->name[k], "%s", name);
		snprintf(f->value[k], sizeof f->value[k], "%s", value);
	}
	jar_header(f);
}

static const char *
jar_get(struct fx *f, const char *name)
{
	size_t k;

	for (k = 0; k < JAR; k++)
		if (f->name[k][0] && !strcmp(f->name[k], name))
			return f->value[k];
	return NULL;
}

/* Requests. */

/*
 * A request from this browser (its cookies) at f->now; each is 100 s later on the monotonic clock, so
 * the rate limits stay out of tests that are not about them. body: a url-encoded form (POST).
 */
static void
req(struct fx *f, struct ec_pweb_req *r, const char *method, const char *path, const char *query, const char *body)
{
	memset(r, 0, sizeof *r);
	r->method = method;
	r->path = path;
	r->query = query;
	r->cookie = f->header[0] ? f->header : NULL;
	if (body) {
		r->body = body;
		r->body_len = strlen(body);
		r->content_type = "application/x-www-form-urlencoded";
	}
	r->client[0] = 127;
	r->client[15] = 1;
	r->now = f->now;
	f->mono += 100;
	r->mono = f->mono;
}

/* Send r; the browser keeps what it is told to. The body is NUL-terminated for the checks. */
static void
send(struct fx *f, const struct ec_pweb_req *r, struct ec_pweb_resp *out)
{
	ec_pweb_resp_init(out);
	assert_int_equal(ec_pweb_handle(f->p, r, out), 0);
	assert_int_equal(out->body.err, 0);
	ec_buf_addc(&out->body, '\0');
	out->body.len--;
	if (!out->body.p)
		ec_buf_adds(&out->body, "");
	/* every answer: no cache keeps it */
	assert_int_equal(out->no_store, 1);
	jar_update(f, out);
}

/* method path?query (body), answered into out; its status. */
static int
ask(struct fx *f, const char *method, const char *path, const char *query, const char *body, struct ec_pweb_resp *out)
{
	struct ec_pweb_req r;

	req(f, &r, method, path, query, body);
	send(f, &r, out);
	return out->status;
}

static const char *
body(const struct ec_pweb_resp *r)
{
	return r->body.p ? r->body.p : "";
}

/* The hidden csrf value of the page's first form. */
static void
csrf_of(const struct ec_pweb_resp *r, char out[65])
{
	const char *p = strstr(body(r), "name=\"csrf\" value=\"");

	assert_non_null(p);
	p += strlen("name=\"csrf\" value=\"");
	assert_true(strspn(p, "0123456789abcdef") == 64 && p[64] == '"');
	memcpy(out, p, 64);
	out[64] = '\0';
}

/* A form body of csrf and up to two more fields (values already url-encoded). */
static const char *
form(const char *csrf, const char *k1, const char *v1, const char *k2, const char *v2)
{
	static char s[4][1024];
	static unsigned i;
	char *b = s[i++ % 4];

	snprintf(b, 1024, "csrf=%s%s%s%s%s%s%s%s%s", csrf, k1 ? "&" : "", k1 ? k1 : "", k1 ? "=" : "", k1 ? v1 : "",
	    k2 ? "&" : "", k2 ? k2 : "", k2 ? "=" : "", k2 ? v2 : "");
	return b;
}

/* GET /login: the page and its csrf value. */
static void
login_page(struct fx *f, char csrf[65])
{
	struct ec_pweb_resp r;

	assert_int_equal(ask(f, "GET", "/login", NULL, NULL, &r), 200);
	csrf_of(&r, csrf);
	ec_pweb_resp_free(&r);
}

/* The t=... query of the last mail's link. */
static const char *
link_query(struct fx *f)
{
	const char *l, *q;

	assert_true(f->nmail > 0);
	assert_non_null(l = ec_notice_get(&f->mail[f->nmail - 1], "link"));
	assert_non_null(q = strchr(l, '?'));
	return q + 1;
}

/* The whole sign-in by link for email; the browser holds the session cookie after it. */
static void
sign_in(struct fx *f, const char *email_enc)
{
	struct ec_pweb_resp r;
	char csrf[65], q[256], t[256];

	login_page(f, csrf);
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", email_enc, NULL, NULL), &r), 200);
	ec_pweb_resp_free(&r);
	snprintf(q, sizeof q, "%s", link_query(f));
	assert_int_equal(ask(f, "GET", "/login/verify", q, NULL, &r), 200);
	csrf_of(&r, csrf);
	ec_pweb_resp_free(&r);
	snprintf(t, sizeof t, "%s", q + 2);
	assert_int_equal(ask(f, "POST", "/login/verify", NULL, form(csrf, "t", t, NULL, NULL), &r), 303);
	assert_string_equal(r.location, "/me");
	ec_pweb_resp_free(&r);
	assert_non_null(jar_get(f, "ecert-s"));
}

/* Tests. */

static void
test_login_link(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_resp r;
	char csrf[65], csrf2[65], q[256], t[256], v[320];
	const char *c, *code;
	ec_day today;
	char d[11];

	/* the first visit gets the browser cookie, and the form a csrf value tied to it */
	assert_int_equal(ask(f, "GET", "/login", NULL, NULL, &r), 200);
	assert_string_equal(r.ctype, "text/html; charset=utf-8");
	assert_non_null(c = set_cookie_of(&r, "ecert-b", v, sizeof v));
	assert_int_equal(strlen(v), 64);
	assert_int_equal(strspn(v, "0123456789abcdef"), 64);
	assert_non_null(strstr(c, "HttpOnly"));
	assert_non_null(strstr(c, "SameSite=Lax"));
	assert_non_null(strstr(c, "Path=/"));
	/* insecure_cookies: a plain-HTTP test portal, no Secure and no __Host- prefix */
	assert_null(strstr(c, "Secure"));
	assert_null(set_cookie_of(&r, "ecert-s", v, sizeof v));
	assert_non_null(strstr(body(&r), "<form method=\"post\" action=\"/login\">"));
	csrf_of(&r, csrf);
	ec_pweb_resp_free(&r);
	/* the browser keeps its cookie and its csrf value */
	assert_int_equal(ask(f, "GET", "/login", NULL, NULL, &r), 200);
	assert_int_equal(r.ncookies, 0);
	csrf_of(&r, csrf2);
	assert_string_equal(csrf, csrf2);
	ec_pweb_resp_free(&r);

	/* a form without its csrf value is refused, and nothing is mailed */
	assert_int_equal(ask(f, "POST", "/login", NULL, "email=zoe%40example.org", &r), 403);
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 0);

	/* with it: the check-your-email page with the code form, and one sign-in mail */
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL), &r), 200);
	assert_non_null(strstr(body(&r), "action=\"/login/code\""));
	assert_non_null(strstr(body(&r), "name=\"email\" value=\"zoe@example.org\""));
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 1);
	assert_string_equal(f->mail[0].kind, "login");
	assert_string_equal(f->mail[0].to, "zoe@example.org");
	assert_string_equal(f->mail[0].lang, "en");
	assert_non_null(strstr(ec_notice_get(&f->mail[0], "link"), ORIGIN "/login/verify?t="));
	assert_non_null(code = ec_notice_get(&f->mail[0], "code"));
	assert_int_equal(strlen(code), 6);
	assert_int_equal(strspn(code, "0123456789"), 6);
	assert_string_equal(ec_notice_get(&f->mail[0], "org"), "Test Body");

	/* opening the link shows a button (mail scanners open links, they do not post), not a session */
	snprintf(q, sizeof q, "%s", link_query(f));
	assert_int_equal(ask(f, "GET", "/login/verify", q, NULL, &r), 200);
	assert_non_null(strstr(body(&r), "<form method=\"post\" action=\"/login/verify\">"));
	snprintf(t, sizeof t, "%s", q + 2);
	snprintf(v, sizeof v, "name=\"t\" value=\"%s\"", t);
	assert_non_null(strstr(body(&r), v));
	assert_null(set_cookie_of(&r, "ecert-s", v, sizeof v));
	csrf_of(&r, csrf2);
	assert_string_equal(csrf, csrf2);
	ec_pweb_resp_free(&r);
	assert_null(jar_get(f, "ecert-s"));

	/* its button signs in: to My Certificates, with a session cookie */
	assert_int_equal(ask(f, "POST", "/login/verify", NULL, form(csrf, "t", t, NULL, NULL), &r), 303);
	assert_string_equal(r.location, "/me");
	assert_non_null(c = set_cookie_of(&r, "ecert-s", v, sizeof v));
	assert_int_equal(strlen(v), 64);
	assert_non_null(strstr(c, "HttpOnly"));
	/* a session cookie lasts the browser's session, no longer */
	assert_null(strstr(c, "Max-Age"));
	ec_pweb_resp_free(&r);

	/* My Certificates: the passed exam earns HCIA-AI, not applied for, effective the exam day */
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 200);
	assert_non_null(strstr(body(&r), "My Certificates"));
	assert_non_null(strstr(body(&r), "HCIA-AI"));
	assert_non_null(strstr(body(&r), "Huawei Certified ICT Associate - Artificial Intelligence"));
	assert_non_null(strstr(body(&r), "Not Applied"));
	assert_int_equal(ec_date_today("UTC", &today), 0);
	ec_date_format(today - 30, d);
	assert_non_null(strstr(body(&r), d));
	/* signed in, the page has the account's navigation and a sign-out form with the session's csrf value */
	assert_non_null(strstr(body(&r), "action=\"/logout\""));
	csrf_of(&r, csrf2);
	assert_string_not_equal(csrf, csrf2);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/", NULL, NULL, &r), 303);
	assert_string_equal(r.location, "/me");
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/login", NULL, NULL, &r), 303);
	assert_string_equal(r.location, "/me");
	ec_pweb_resp_free(&r);

	/* the link a second time: refused (the page's csrf value is the session's now) */
	assert_int_equal(ask(f, "GET", "/login/verify", q, NULL, &r), 200);
	csrf_of(&r, csrf2);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/login/verify", NULL, form(csrf2, "t", t, NULL, NULL), &r), 400);
	assert_null(set_cookie_of(&r, "ecert-s", v, sizeof v));
	ec_pweb_resp_free(&r);
	/* ... and the signed-out form's value no longer counts */
	assert_int_equal(ask(f, "POST", "/login/verify", NULL, form(csrf, "t", t, NULL, NULL), &r), 403);
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 1);
}

static void
test_login_code(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_resp r;
	char csrf[65], wrong[16], right[16], v[128];

	login_page(f, csrf);
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "Zoe%40Example.org", NULL, NULL), &r), 200);
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 1);
	snprintf(right, sizeof right, "%s", ec_notice_get(&f->mail[0], "code"));
	snprintf(wrong, sizeof wrong, "%06ld", (strtol(right, NULL, 10) + 1) % 1000000);

	/* a wrong code: the code form again, saying so, and no session */
	assert_int_equal(ask(f, "POST", "/login/code", NULL, form(csrf, "email", "Zoe%40Example.org", "code", wrong),
	    &r), 400);
	assert_non_null(strstr(body(&r), "wrong code"));
	assert_non_null(strstr(body(&r), "action=\"/login/code\""));
	assert_null(set_cookie_of(&r, "ecert-s", v, sizeof v));
	ec_pweb_resp_free(&r);
	/* not 6 digits: refused, no session */
	assert_int_equal(ask(f, "POST", "/login/code", NULL, form(csrf, "email", "zoe%40example.org", "code", "12345"),
	    &r), 400);
	ec_pweb_resp_free(&r);
	/* another address: no sign-in waits for it */
	assert_int_equal(ask(f, "POST", "/login/code", NULL, form(csrf, "email", "li%40example.cn", "code", right),
	    &r), 400);
	ec_pweb_resp_free(&r);
	assert_null(jar_get(f, "ecert-s"));

	/* the right code (the address in any case) signs in to the address's account */
	assert_int_equal(ask(f, "POST", "/login/code", NULL, form(csrf, "email", "zoe%40example.org", "code", right),
	    &r), 303);
	assert_string_equal(r.location, "/me");
	assert_non_null(set_cookie_of(&r, "ecert-s", v, sizeof v));
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 200);
	assert_non_null(strstr(body(&r), "Not Applied"));
	ec_pweb_resp_free(&r);
	/* used: the same code again from a signed-out browser is refused */
	f->header[0] = '\0';
	memset(f->name, 0, sizeof f->name);
	login_page(f, csrf);
	assert_int_equal(ask(f, "POST", "/login/code", NULL, form(csrf, "email", "zoe%40example.org", "code", right),
	    &r), 400);
	assert_null(set_cookie_of(&r, "ecert-s", v, sizeof v));
	ec_pweb_resp_free(&r);
}

static void
test_code_other_browser(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_resp r;
	char csrf[65], right[7], v[128], q[256], t[256];

	/* the request is tied to the browser that asked: another browser's code or link is refused */
	login_page(f, csrf);
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL), &r), 200);
	ec_pweb_resp_free(&r);
	snprintf(right, sizeof right, "%s", ec_notice_get(&f->mail[0], "code"));
	snprintf(q, sizeof q, "%s", link_query(f));
	snprintf(t, sizeof t, "%s", q + 2);
	f->header[0] = '\0';
	memset(f->name, 0, sizeof f->name);
	login_page(f, csrf);
	assert_int_equal(ask(f, "POST", "/login/code", NULL, form(csrf, "email", "zoe%40example.org", "code", right),
	    &r), 400);
	assert_null(set_cookie_of(&r, "ecert-s", v, sizeof v));
	assert_non_null(strstr(body(&r), "browser"));
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/login/verify", NULL, form(csrf, "t", t, NULL, NULL), &r), 400);
	assert_null(set_cookie_of(&r, "ecert-s", v, sizeof v));
	ec_pweb_resp_free(&r);
}

static void
test_refusals(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_req q;
	struct ec_pweb_resp r;
	char csrf[65], digits[80], other[65];

	login_page(f, csrf);
	/* a form posted from another site: its Origin, or the browser's Sec-Fetch-Site, says so */
	req(f, &q, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL));
	q.origin = "https://evil.example";
	send(f, &q, &r);
	assert_int_equal(r.status, 403);
	ec_pweb_resp_free(&r);
	req(f, &q, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL));
	q.sec_fetch_site = "cross-site";
	send(f, &q, &r);
	assert_int_equal(r.status, 403);
	ec_pweb_resp_free(&r);
	/* a csrf value that is not this browser's */
	memset(other, 'a', 64);
	other[64] = '\0';
	assert_int_equal(ask(f, "POST", "/login", NULL, form(other, "email", "zoe%40example.org", NULL, NULL), &r), 403);
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 0);
	/* our own origin, as a browser sends it, passes */
	req(f, &q, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL));
	q.origin = ORIGIN;
	q.sec_fetch_site = "same-origin";
	send(f, &q, &r);
	assert_int_equal(r.status, 200);
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 1);

	/* not an email address: said so on the form, nothing mailed */
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "not-an-address", NULL, NULL), &r), 400);
	assert_non_null(strstr(body(&r), "That is not an email address."));
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, NULL, NULL, NULL, NULL), &r), 400);
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 1);

	/* bodies that are not url-encoded forms */
	req(f, &q, "POST", "/login", NULL, "{\"email\":\"zoe@example.org\"}");
	q.content_type = "application/json";
	send(f, &q, &r);
	assert_int_equal(r.status, 400);
	ec_pweb_resp_free(&r);
	req(f, &q, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL));
	q.content_type = NULL;
	send(f, &q, &r);
	assert_int_equal(r.status, 400);
	ec_pweb_resp_free(&r);
	req(f, &q, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL));
	q.content_type = "multipart/form-data; boundary=x";
	send(f, &q, &r);
	assert_int_equal(r.status, 400);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "zoe%ZZexample.org", NULL, NULL), &r), 400);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "a", "email", "b"), &r), 400);
	ec_pweb_resp_free(&r);
	/* a charset parameter is still a form */
	req(f, &q, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL));
	q.content_type = "application/x-www-form-urlencoded; charset=UTF-8";
	send(f, &q, &r);
	assert_int_equal(r.status, 200);
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 2);

	/* unknown paths, and paths that only start like ours */
	assert_int_equal(ask(f, "GET", "/nope", NULL, NULL, &r), 404);
	assert_non_null(strstr(body(&r), "Not found"));
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/mex", NULL, NULL, &r), 404);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/login/x", NULL, NULL, &r), 404);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/nope", NULL, form(csrf, NULL, NULL, NULL, NULL), &r), 404);
	ec_pweb_resp_free(&r);
	/* methods other than GET, HEAD and POST */
	assert_int_equal(ask(f, "DELETE", "/login", NULL, NULL, &r), 405);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "PUT", "/me", NULL, NULL, &r), 405);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "HEAD", "/login", NULL, NULL, &r), 200);
	ec_pweb_resp_free(&r);

	/* signed out: the account's pages send to sign-in; a certificate's URL does not exist */
	assert_int_equal(ask(f, "GET", "/", NULL, NULL, &r), 303);
	assert_string_equal(r.location, "/login");
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 303);
	assert_string_equal(r.location, "/login");
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/me/emails", NULL, NULL, &r), 303);
	assert_string_equal(r.location, "/login");
	ec_pweb_resp_free(&r);
	snprintf(digits, sizeof digits, "/me/certificates/%s.pdf", "0511202603020000000128");
	assert_int_equal(ask(f, "GET", digits, NULL, NULL, &r), 404);
	assert_string_equal(r.location, "");
	assert_null(r.file);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/me/emails", NULL, form(csrf, "email", "w%40example.org", NULL, NULL), &r), 303);
	assert_string_equal(r.location, "/login");
	ec_pweb_resp_free(&r);

	/* a mailed link's page without its token, or with one longer than any we mail */
	assert_int_equal(ask(f, "GET", "/login/verify", NULL, NULL, &r), 400);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/login/verify", "x=1", NULL, &r), 400);
	ec_pweb_resp_free(&r);
	memcpy(digits, "t=", 2);
	memset(digits + 2, 'A', 65);
	digits[67] = '\0';
	assert_int_equal(ask(f, "GET", "/login/verify", digits, NULL, &r), 400);
	ec_pweb_resp_free(&r);
	/* 64 characters is the most a token may have: such a page is shown */
	digits[66] = '\0';
	assert_int_equal(ask(f, "GET", "/login/verify", digits, NULL, &r), 200);
	ec_pweb_resp_free(&r);
	/* a token never mailed */
	assert_int_equal(ask(f, "POST", "/login/verify", NULL, form(csrf, "t", "bogus", NULL, NULL), &r), 400);
	assert_null(set_cookie_of(&r, "ecert-s", digits, sizeof digits));
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/login/verify", NULL, form(csrf, NULL, NULL, NULL, NULL), &r), 400);
	ec_pweb_resp_free(&r);
	/* a stale session cookie: treated as signed out, and cleared */
	snprintf(f->name[JAR - 1], sizeof f->name[0], "ecert-s");
	memset(f->value[JAR - 1], 'f', 64);
	f->value[JAR - 1][64] = '\0';
	jar_header(f);
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 303);
	assert_string_equal(r.location, "/login");
	assert_non_null(strstr(set_cookie_of(&r, "ecert-s", digits, sizeof digits), "Max-Age=0"));
	ec_pweb_resp_free(&r);
	assert_null(jar_get(f, "ecert-s"));
}

static void
test_rate_limit(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_req q;
	struct ec_pweb_resp r;
	char csrf[65];
	int i;

	/* a burst of sign-in requests for one address: three pass, the fourth waits (429), nothing mailed for it */
	login_page(f, csrf);
	for (i = 0; i < 4; i++) {
		req(f, &q, "POST", "/login", NULL, form(csrf, "email", i % 2 ? "ZOE%40example.org" : "zoe%40example.org",
		    NULL, NULL));
		q.mono = 1e6;
		send(f, &q, &r);
		assert_int_equal(r.status, i < 3 ? 200 : 429);
		ec_pweb_resp_free(&r);
	}
	assert_int_equal(f->nmail, 3);
	/* another address is not held up by it */
	req(f, &q, "POST", "/login", NULL, form(csrf, "email", "li%40example.cn", NULL, NULL));
	q.mono = 1e6;
	send(f, &q, &r);
	assert_int_equal(r.status, 200);
	ec_pweb_resp_free(&r);
	/* a minute later the address may ask again */
	req(f, &q, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL));
	q.mono = 1e6 + 61;
	send(f, &q, &r);
	assert_int_equal(r.status, 200);
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 5);
}

static void
test_signout(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_resp r;
	char csrf[65], v[128];

	sign_in(f, "zoe%40example.org");
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 200);
	csrf_of(&r, csrf);
	ec_pweb_resp_free(&r);
	/* signing out clears the cookie and ends the session */
	assert_int_equal(ask(f, "POST", "/logout", NULL, form(csrf, NULL, NULL, NULL, NULL), &r), 303);
	assert_string_equal(r.location, "/login");
	assert_non_null(strstr(set_cookie_of(&r, "ecert-s", v, sizeof v), "Max-Age=0"));
	ec_pweb_resp_free(&r);
	assert_null(jar_get(f, "ecert-s"));
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 303);
	assert_string_equal(r.location, "/login");
	ec_pweb_resp_free(&r);

	/* a copy of the cookie (another tab, a stolen one) is dead too: the session is gone from the register */
	sign_in(f, "zoe%40example.org");
	snprintf(v, sizeof v, "%s", jar_get(f, "ecert-s"));
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 200);
	csrf_of(&r, csrf);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/logout", NULL, form(csrf, NULL, NULL, NULL, NULL), &r), 303);
	ec_pweb_resp_free(&r);
	snprintf(f->name[JAR - 1], sizeof f->name[0], "ecert-s");
	snprintf(f->value[JAR - 1], sizeof f->value[0], "%s", v);
	jar_header(f);
	f->now += 1;
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 303);
	ec_pweb_resp_free(&r);
}

static void
test_lang(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_req q;
	struct ec_pweb_resp r;
	char v[128];

	/* English by default */
	assert_int_equal(ask(f, "GET", "/login", NULL, NULL, &r), 200);
	assert_non_null(strstr(body(&r), "<html lang=\"en\">"));
	assert_non_null(strstr(body(&r), "Sign in"));
	ec_pweb_resp_free(&r);
	/* Accept-Language picks Chinese for a browser that has not chosen */
	req(f, &q, "GET", "/login", NULL, NULL);
	q.accept_language = "zh-CN,zh;q=0.9,en;q=0.5";
	send(f, &q, &r);
	assert_non_null(strstr(body(&r), "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(body(&r), "登录"));
	ec_pweb_resp_free(&r);

	/* ?lang=zh: Chinese, remembered in a cookie for the following pages */
	sign_in(f, "zoe%40example.org");
	assert_int_equal(ask(f, "GET", "/me", "lang=zh", NULL, &r), 200);
	assert_non_null(strstr(set_cookie_of(&r, "ecert-lang", v, sizeof v), "Max-Age="));
	assert_string_equal(v, "zh");
	assert_non_null(strstr(body(&r), "<html lang=\"zh-CN\">"));
	assert_non_null(strstr(body(&r), "我的证书"));
	assert_non_null(strstr(body(&r), "未申请"));
	assert_null(strstr(body(&r), "Not Applied"));
	ec_pweb_resp_free(&r);
	assert_string_equal(jar_get(f, "ecert-lang"), "zh");
	assert_int_equal(ask(f, "GET", "/me", NULL, NULL, &r), 200);
	assert_non_null(strstr(body(&r), "我的证书"));
	ec_pweb_resp_free(&r);
	/* the cookie wins over Accept-Language; ?lang=en switches back */
	req(f, &q, "GET", "/me", NULL, NULL);
	q.accept_language = "en";
	send(f, &q, &r);
	assert_non_null(strstr(body(&r), "我的证书"));
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/me", "lang=en", NULL, &r), 200);
	assert_non_null(strstr(body(&r), "My Certificates"));
	assert_null(strstr(body(&r), "我的证书"));
	ec_pweb_resp_free(&r);
	assert_string_equal(jar_get(f, "ecert-lang"), "en");
	/* a language we do not have is ignored */
	assert_int_equal(ask(f, "GET", "/me", "lang=fr", NULL, &r), 200);
	assert_null(set_cookie_of(&r, "ecert-lang", v, sizeof v));
	assert_non_null(strstr(body(&r), "My Certificates"));
	ec_pweb_resp_free(&r);
}

static void
test_mail_lang(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_resp r;
	char csrf[65];

	assert_int_equal(ask(f, "GET", "/login", "lang=zh", NULL, &r), 200);
	csrf_of(&r, csrf);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "zoe%40example.org", NULL, NULL), &r), 200);
	assert_non_null(strstr(body(&r), "请查收邮件"));
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 1);
	assert_string_equal(f->mail[0].lang, "zh");
}

static void
test_escaping(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_resp r;
	char csrf[65];

	login_page(f, csrf);
	/* '&' is valid in an address: the page shows it escaped, the mail goes to it as it is */
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "a%26b%40example.org", NULL, NULL), &r), 200);
	assert_non_null(strstr(body(&r), "a&amp;b@example.org"));
	assert_null(strstr(body(&r), "a&b@example.org"));
	ec_pweb_resp_free(&r);
	assert_int_equal(f->nmail, 1);
	assert_string_equal(f->mail[0].to, "a&b@example.org");
	/* so are the apostrophe and the other characters an address may have */
	assert_int_equal(ask(f, "POST", "/login", NULL, form(csrf, "email", "o'brien%40example.org", NULL, NULL), &r),
	    200);
	assert_non_null(strstr(body(&r), "o&#39;brien@example.org"));
	ec_pweb_resp_free(&r);
	/* a refused address is shown back in the form, escaped: no markup gets through */
	assert_int_equal(ask(f, "POST", "/login", NULL,
	    form(csrf, "email", "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", NULL, NULL), &r), 400);
	assert_non_null(strstr(body(&r), "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_null(strstr(body(&r), "<script>"));
	ec_pweb_resp_free(&r);
	/* a mailed link's token is shown back in its form, escaped */
	assert_int_equal(ask(f, "GET", "/login/verify", "t=%22%3E%3Cb%3Ex", NULL, &r), 200);
	assert_non_null(strstr(body(&r), "value=\"&quot;&gt;&lt;b&gt;x\""));
	assert_null(strstr(body(&r), "<b>"));
	ec_pweb_resp_free(&r);
	/* and the path in the language links */
	assert_int_equal(ask(f, "GET", "/x\"<i>", NULL, NULL, &r), 404);
	assert_null(strstr(body(&r), "<i>"));
	ec_pweb_resp_free(&r);
}

static void
test_pdf_signed_in(void **state)
{
	struct fx *f = *state;
	struct ec_pweb_resp r;

	sign_in(f, "zoe%40example.org");
	/* no such certificate, or not a number: nothing there */
	assert_int_equal(ask(f, "GET", "/me/certificates/0511202603020000000128.pdf", NULL, NULL, &r), 404);
	assert_null(r.file);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/me/certificates/05112026030200000001xx.pdf", NULL, NULL, &r), 404);
	ec_pweb_resp_free(&r);
	assert_int_equal(ask(f, "GET", "/me/certificates/0511.pdf", NULL, NULL, &r), 404);
	ec_pweb_resp_free(&r);
	/* the account's other pages */
	assert_int_equal(ask(f, "GET", "/me/emails", NULL, NULL, &r), 200);
	assert_non_null(strstr(body(&r), "Trainee Email Mgmt."));
	ec_pweb_resp_free(&r);
}

static void
test_headers(void **state)
{
	const char *const *h = ec_pweb_security_headers();
	const char *csp = NULL, *nosniff = NULL, *frames = NULL;
	size_t i;

	(void)state;
	for (i = 0; h[i]; i += 2) {
		assert_non_null(h[i + 1]);
		if (!strcmp(h[i], "Content-Security-Policy"))
			csp = h[i + 1];
		else if (!strcmp(h[i], "X-Content-Type-Options"))
			nosniff = h[i + 1];
		else if (!strcmp(h[i], "X-Frame-Options"))
			frames = h[i + 1];
	}
	/* a strict policy: nothing unless named, no inline script or style, no eval */
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_null(strstr(csp, "unsafe-inline"));
	assert_null(strstr(csp, "unsafe-eval"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	/* the one style is allowed by its hash */
	assert_non_null(strstr(csp, "style-src 'sha256-"));
	assert_string_equal(nosniff, "nosniff");
	assert_string_equal(frames, "DENY");
	/* the same array every time (made once) */
	assert_ptr_equal(ec_pweb_security_headers(), h);

	/* route names for logs: nothing personal from the path */
	assert_string_equal(ec_pweb_route_name("/login"), "login");
	assert_string_equal(ec_pweb_route_name("/login/verify"), "login");
	assert_string_equal(ec_pweb_route_name("/logout"), "logout");
	assert_string_equal(ec_pweb_route_name("/me"), "me");
	assert_string_equal(ec_pweb_route_name("/me/certificates/0511202603020000000128.pdf"), "pdf");
	assert_string_equal(ec_pweb_route_name("/me/emails"), "emails");
	assert_string_equal(ec_pweb_route_name("/"), "home");
	assert_string_equal(ec_pweb_route_name("/zoe@example.org"), "other");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_login_link),
		T(test_login_code),
		T(test_code_other_browser),
		T(test_refusals),
		T(test_rate_limit),
		T(test_signout),
		T(test_lang),
		T(test_mail_lang),
		T(test_escaping),
		T(test_pdf_signed_in),
		cmocka_unit_test(test_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
