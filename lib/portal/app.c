/* The portal's routes: sign-in by mailed link or code, sessions, associating addresses, the pages behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <openssl/crypto.h>

#include "b64.h"
#include "digest.h"
#include "err.h"
#include "fields.h"
#include "mask.h"
#include "msg.h"
#include "pform.h"
#include "pweb_int.h"

#define TOKEN_BYTES 32

/* Cookie names: __Host- binds them to this origin over HTTPS; plain-HTTP tests cannot have that prefix. */
static const char *
cookie_name(const struct ec_pweb *p, char which)
{
	switch (which) {
	case 's': return p->c.insecure_cookies ? "ecert-s" : "__Host-ecert-s";
	case 'b': return p->c.insecure_cookies ? "ecert-b" : "__Host-ecert-b";
	default: return p->c.insecure_cookies ? "ecert-lang" : "__Host-ecert-lang";
	}
}

static void
set_cookie(struct pg *g, char which, const char *value, long max_age)
{
	struct ec_pweb_resp *o = g->out;
	char age[40] = "";

	if (o->ncookies == EC_PWEB_COOKIES)
		return;
	if (max_age >= 0)
		snprintf(age, sizeof age, "; Max-Age=%ld", max_age);
	snprintf(o->cookie[o->ncookies++], sizeof o->cookie[0], "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	    cookie_name(g->p, which), value, g->p->c.insecure_cookies ? "" : "; Secure", age);
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
random_bytes(unsigned char *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = getrandom(p + got, n - got, 0)) < 0)
			return ec_err_set(EC_ERR_IO, "%s", "no random bytes");
		got += (size_t)r;
	}
	return 0;
}

/* Equal strings, compared in time that does not depend on where they differ. */
static int
ct_eq(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && CRYPTO_memcmp(a, b, strlen(a)) == 0;
}

ec_day
pw_today(const struct ec_pweb *p)
{
	ec_day d = 0;

	if (ec_date_today(p->c.tz, &d))
		ec_date_today("UTC", &d);
	return d;
}

int
ec_pweb_new(const struct ec_pweb_conf *c, struct ec_pweb **out)
{
	struct ec_pweb *p;
	const char *s;
	size_t n;
	int r;

	*out = NULL;
	if (!(p = calloc(1, sizeof *p)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	p->c = *c;
	pthread_mutex_init(&p->cert_lock, NULL);
	/* the origin a browser sends with a form from our own pages: scheme://host[:port] */
	s = strstr(c->portal_url, "://");
	n = s ? (size_t)((s = strchr(s + 3, '/')) ? s - c->portal_url : (long)strlen(c->portal_url)) : 0;
	snprintf(p->origin, sizeof p->origin, "%.*s", (int)n, c->portal_url);
	/*
	 * Forms that mail or check data: per client a burst of 30, then one every 2 s (a training centre's
	 * candidates share an address); per address or registration number 3, then one a minute.
	 */
	if ((r = ec_ratelimit_new(0.5, 30, 65536, &p->per_ip)) ||
	    (r = ec_ratelimit_new(1.0 / 60, 3, 65536, &p->per_key)) || (r = pow_new(&p->pow))) {
		ec_pweb_free(p);
		return r;
	}
	*out = p;
	return 0;
}

void
ec_pweb_free(struct ec_pweb *p)
{
	if (!p)
		return;
	ec_ratelimit_free(p->per_ip);
	ec_ratelimit_free(p->per_key);
	pow_free(p->pow);
	pthread_mutex_destroy(&p->cert_lock);
	free(p);
}

void
ec_pweb_resp_init(struct ec_pweb_resp *r)
{
	memset(r, 0, sizeof *r);
	ec_buf_init(&r->body);
}

void
ec_pweb_resp_free(struct ec_pweb_resp *r)
{
	ec_buf_free(&r->body);
	free(r->file);
	r->file = NULL;
}

const char *
ec_pweb_route_name(const char *path)
{
	if (!strcmp(path, "/login") || !strncmp(path, "/login/", 7))
		return "login";
	if (!strcmp(path, "/logout"))
		return "logout";
	if (!strncmp(path, "/me/emails", 10))
		return "emails";
	if (!strncmp(path, "/me/associate", 13))
		return "associate";
	if (!strncmp(path, "/me/apply", 9))
		return "apply";
	if (!strncmp(path, "/me/certificates/", 17))
		return strstr(path, ".pdf") ? "pdf" : "certificate";
	if (!strncmp(path, "/static/", 8))
		return "static";
	if (!strcmp(path, "/me"))
		return "me";
	if (!strcmp(path, "/"))
		return "home";
	return "other";
}

int
pw_limited_key(struct pg *g, const char *subject)
{
	unsigned char h[32];
	char low[EC_EMAIL_MAX + 1];
	size_t i;

	for (i = 0; subject[i] && i < EC_EMAIL_MAX; i++)
		low[i] = (char)(subject[i] >= 'A' && subject[i] <= 'Z' ? subject[i] + 32 : subject[i]);
	low[i] = '\0';
	ec_sha256(low, i, h);
	return ec_ratelimit_take(g->p->per_key, h, g->r->mono) != 0;
}

int
pw_limited_client(struct pg *g)
{
	return ec_ratelimit_take(g->p->per_ip, g->r->client, g->r->mono) != 0;
}

int
pw_limited_subjects(struct pg *g, const char *subject)
{
	char acct[32];

	if (subject && pw_limited_key(g, subject))
		return 1;
	if (!g->signed_in)
		return 0;
	snprintf(acct, sizeof acct, "account #%llu", (unsigned long long)g->a.id);
	return pw_limited_key(g, acct);
}

int
pw_limited(struct pg *g, const char *subject)
{
	return pw_limited_client(g) || pw_limited_subjects(g, subject);
}

static int
too_many(struct pg *g)
{
	return page_message(g, 429, T(g, "Too many requests"), T(g, "Please wait a moment and try again."), 1);
}

static int
redirect(struct pg *g, const char *to)
{
	g->out->status = 303;
	snprintf(g->out->location, sizeof g->out->location, "%s", to);
	g->out->ctype = "text/plain; charset=utf-8";
	ec_buf_reset(&g->out->body);
	return 0;
}

static int
not_found(struct pg *g)
{
	return page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1);
}

int
pw_new_token(char tok[64], unsigned char h[EC_PORTAL_HASH])
{
	unsigned char raw[TOKEN_BYTES];
	int r;

	if ((r = random_bytes(raw, sizeof raw)) || (r = ec_b64url_encode(raw, sizeof raw, tok, 64)))
		return r;
	explicit_bzero(raw, sizeof raw);
	return ec_sha256(tok, strlen(tok), h);
}

int
pw_mail_link(struct pg *g, const char *kind, const char *to, const char *path, const char *tok, const char *code,
    const char *reg_no)
{
	struct ec_notice n;
	char link[EC_PWEB_URL_MAX + 128];
	int r;

	snprintf(link, sizeof link, "%s%s?t=%s", g->p->c.portal_url, path, tok);
	if ((r = ec_notice_init(&n, kind, to, g->zh ? "zh" : "en", g->p->c.mail_domain, g->r->now)) ||
	    (r = ec_notice_set(&n, "org", g->p->c.org)) || (r = ec_notice_set(&n, "link", link)) ||
	    (r = ec_notice_set(&n, "email", to)) || (code && (r = ec_notice_set(&n, "code", code))) ||
	    (reg_no && (r = ec_notice_set(&n, "reg_no", reg_no))))
		goto out;
	r = g->p->c.mail(g->p->c.mail_ctx, &n);
out:
	explicit_bzero(&n, sizeof n);
	explicit_bzero(link, sizeof link);
	return r;
}

/* Sign-in. */

static void
login_form(struct pg *g, const char *email)
{
	form_begin(g, "/login");
	htmlf(g, "<label for=\"email\">%s</label>", T(g, "Email address"));
	htmlf(g, "<input type=\"email\" id=\"email\" name=\"email\" autocomplete=\"email\" maxlength=\"254\" required "
	    "value=\"%s\">", email ? email : "");
	htmlf(g, "<p class=\"hint\">%s</p><button type=\"submit\">%s</button></form>\n",
	    T(g, "We email you a link and a 6-digit code: no password."), T(g, "Send me a sign-in link"));
}

static int
login_get(struct pg *g)
{
	if (g->signed_in)
		return redirect(g, "/me");
	g->out->status = 200;
	page_begin(g, T(g, "Sign in"));
	ec_buf_adds(&g->out->body, "<div class=\"box\">");
	login_form(g, NULL);
	ec_buf_adds(&g->out->body, "</div>\n");
	page_end(g);
	return g->out->body.err;
}

static void
code_form(struct pg *g, const char *email)
{
	form_begin(g, "/login/code");
	htmlf(g, "<input type=\"hidden\" name=\"email\" value=\"%s\">", email);
	htmlf(g, "<label for=\"code\">%s</label>", T(g, "6-digit code"));
	htmlf(g, "<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" pattern=\"[0-9]{6}\" "
	    "maxlength=\"6\" autocomplete=\"one-time-code\" required><button type=\"submit\">%s</button></form>\n",
	    T(g, "Sign in"));
}

static int
login_post(struct pg *g, const struct ec_form *f)
{
	const char *email = ec_form_get(f, "email");
	struct ec_ptoken t;
	unsigned char h[EC_PORTAL_HASH], in[EC_PORTAL_HASH + 6];
	char tok[64], code[8];
	uint32_t v;
	int r;

	if (!email || ec_field_email(email)) {
		g->out->status = 400;
		page_begin(g, T(g, "Sign in"));
		htmlf(g, "<p class=\"msg alert\" role=\"alert\">%s</p><div class=\"box\">", T(g, "That is not an email address."));
		login_form(g, email);
		ec_buf_adds(&g->out->body, "</div>\n");
		page_end(g);
		return g->out->body.err;
	}
	if (pw_limited(g, email))
		return too_many(g);
	memset(&t, 0, sizeof t);
	do {
		if ((r = random_bytes((unsigned char *)&v, sizeof v)))
			return r;
	} while (v >= 4294000000u);   /* a multiple of 10^6: every code equally likely */
	snprintf(code, sizeof code, "%06u", v % 1000000u);
	if ((r = pw_new_token(tok, h)))
		return r;
	t.kind = EC_TK_LOGIN;
	snprintf(t.email, sizeof t.email, "%s", email);
	t.created = g->r->now;
	t.expires = g->r->now + EC_TOKEN_TTL;
	memcpy(t.browser, g->browser, sizeof t.browser);
	memcpy(in, h, EC_PORTAL_HASH);
	memcpy(in + EC_PORTAL_HASH, code, 6);
	ec_sha256(in, sizeof in, t.code);
	/* the same page whether or not an account or a mailbox exists */
	if ((r = ec_portal_token_put(g->p->c.office, h, &t)) == 0)
		r = pw_mail_link(g, "login", email, "/login/verify", tok, code, NULL);
	explicit_bzero(tok, sizeof tok);
	explicit_bzero(code, sizeof code);
	if (r)
		return r;
	g->out->status = 200;
	page_begin(g, T(g, "Check your email"));
	htmlf(g, "<p class=\"msg\" role=\"status\">%s</p><div class=\"box\">", T(g, "If this address can receive mail, "
	    "a sign-in link and a code are on their way. They work for 15 minutes, in this browser."));
	code_form(g, email);
	ec_buf_adds(&g->out->body, "</div>\n");
	page_end(g);
	return g->out->body.err;
}

/* A mailed link's page: only a button; its POST does the deed (mail scanners open links, they do not post). */
static int
continue_page(struct pg *g, const char *title, const char *text, const char *action)
{
	struct ec_form q;
	const char *t;
	int r;

	memset(&q, 0, sizeof q);
	if (!g->r->query || ec_form_parse(g->r->query, strlen(g->r->query), &q) || !(t = ec_form_get(&q, "t")) ||
	    strlen(t) > 64) {
		ec_form_free(&q);
		return page_message(g, 400, T(g, "Bad request"), T(g, "The request is not valid."), 1);
	}
	g->out->status = 200;
	page_begin(g, title);
	htmlf(g, "<p>%s</p>", text);
	form_begin(g, action);
	htmlf(g, "<input type=\"hidden\" name=\"t\" value=\"%s\"><button type=\"submit\">%s</button></form>\n", t,
	    T(g, "Continue"));
	page_end(g);
	r = g->out->body.err;
	ec_form_free(&q);
	return r;
}

/* A new session for the account of email: a fresh cookie (never the one the browser had). */
static int
sign_in(struct pg *g, const char *email)
{
	unsigned char raw[32], sid[EC_PORTAL_HASH];
	char cookie[65];
	struct ec_session s;
	struct ec_account a;
	int r;

	memset(&s, 0, sizeof s);
	if ((r = random_bytes(raw, sizeof raw)) || (r = random_bytes(s.csrf, sizeof s.csrf)))
		return r;
	hex(raw, sizeof raw, cookie);
	explicit_bzero(raw, sizeof raw);
	ec_sha256(cookie, strlen(cookie), sid);
	if ((r = ec_portal_signin(g->p->c.office, email, g->r->now, sid, &s, &a)))
		return r;
	if (g->signed_in) {
		char old[80];

		if (ec_cookie_get(g->r->cookie, cookie_name(g->p, 's'), old, sizeof old) == 0) {
			ec_sha256(old, strlen(old), sid);
			ec_portal_signout(g->p->c.office, sid, 0);
		}
	}
	set_cookie(g, 's', cookie, -1);
	explicit_bzero(cookie, sizeof cookie);
	return redirect(g, "/me");
}

const char *
pw_err_text(const struct pg *g, int r)
{
	const char *zh = g->zh ? ec_err_msg_lang(r, EC_LANG_ZH) : NULL;

	return zh ? zh : ec_err_msg(r);
}

int
pw_refused(struct pg *g, const char *title, int r)
{
	char msg[300];

	snprintf(msg, sizeof msg, "%s", pw_err_text(g, r));
	/* the request's fault (400) or ours (500): a register refusal or bad input is the request's */
	return page_message(g, r == EC_ERR_NOTFOUND || r == EC_ERR_REFUSED || r == EC_ERR_CONFLICT || r == EC_ERR_EXISTS ||
	    r == EC_ERR_SYNTAX || r == EC_ERR_ARG || r == EC_ERR_TOOBIG ? 400 : 500, title, msg, 1);
}

static int
login_verify_post(struct pg *g, const struct ec_form *f)
{
	const char *t = ec_form_get(f, "t");
	unsigned char h[EC_PORTAL_HASH];
	struct ec_ptoken tok;
	int r;

	if (!t)
		return page_message(g, 400, T(g, "Bad request"), T(g, "The request is not valid."), 1);
	ec_sha256(t, strlen(t), h);
	r = ec_portal_token_take(g->p->c.office, h, EC_TK_LOGIN, g->r->now, g->browser, &tok);
	if (r == EC_ERR_NOTFOUND || r == EC_ERR_REFUSED)
		return pw_refused(g, T(g, "Sign-in failed"), r);
	return r ? r : sign_in(g, tok.email);
}

static int
login_code_post(struct pg *g, const struct ec_form *f)
{
	const char *email = ec_form_get(f, "email"), *code = ec_form_get(f, "code");
	struct ec_ptoken tok;
	int r;

	if (!email || !code || ec_field_email(email))
		return page_message(g, 400, T(g, "Bad request"), T(g, "The request is not valid."), 1);
	if (ec_ratelimit_take(g->p->per_ip, g->r->client, g->r->mono))
		return too_many(g);
	r = ec_portal_code_take(g->p->c.office, email, code, g->r->now, g->browser, &tok);
	if (r == EC_ERR_REFUSED && strstr(ec_err_msg(r), "wrong code")) {
		g->out->status = 400;
		page_begin(g, T(g, "Sign in"));
		htmlf(g, "<p class=\"msg alert\" role=\"alert\">%s</p><div class=\"box\">", ec_err_msg(r));
		code_form(g, email);
		ec_buf_adds(&g->out->body, "</div>\n");
		page_end(g);
		return g->out->body.err;
	}
	if (r == EC_ERR_NOTFOUND || r == EC_ERR_REFUSED)
		return pw_refused(g, T(g, "Sign-in failed"), r);
	return r ? r : sign_in(g, tok.email);
}

static int
logout_post(struct pg *g, const struct ec_form *f)
{
	unsigned char sid[EC_PORTAL_HASH];
	char c[80];
	int r;

	if (ec_cookie_get(g->r->cookie, cookie_name(g->p, 's'), c, sizeof c) == 0) {
		ec_sha256(c, strlen(c), sid);
		if ((r = ec_portal_signout(g->p->c.office, sid, ec_form_get(f, "everywhere") != NULL)))
			return r;
	}
	set_cookie(g, 's', "", 0);
	return redirect(g, "/login");
}

/* Associated addresses. */

struct addr_rows {
	struct pg *g;
	int found;
	const char *want;
};

static int
addr_row(void *ctx, const struct ec_addr *a)
{
	struct addr_rows *x = ctx;
	struct pg *g = x->g;
	char d[11], masked[EC_EMAIL_MAX + 8];

	if (x->want) {
		if (!strcasecmp(a->email, x->want))
			x->found = 1;
		return 0;
	}
	ec_date_format(ec_date_from_time(a->activated), d);
	if (ec_mask_email(a->email, masked, sizeof masked))
		snprintf(masked, sizeof masked, "****");
	htmlf(g, "<tr><td data-h=\"%s\">%s</td>", T(g, "Email address"), masked);
	htmlf(g, "<td data-h=\"%s\">%s</td><td>", T(g, "Activated"), d);
	form_begin(g, "/me/emails/remove");
	htmlf(g, "<input type=\"hidden\" name=\"email\" value=\"%s\"><button type=\"submit\">%s</button></form>"
	    "</td></tr>\n", a->email, T(g, "Disassociate"));
	return 0;
}

static int
emails_get(struct pg *g)
{
	struct addr_rows x = { g, 0, NULL };
	int r;

	g->out->status = 200;
	g->out->no_store = 1;
	page_begin(g, T(g, "Trainee Email Mgmt."));
	htmlf(g, "<table><thead><tr><th>%s</th><th>%s</th><th></th></tr></thead><tbody>\n", T(g, "Email address"),
	    T(g, "Activated"));
	if ((r = ec_portal_addrs_each(g->p->c.office, g->a.id, addr_row, &x)))
		return r;
	ec_buf_adds(&g->out->body, "</tbody></table>\n");
	ec_buf_adds(&g->out->body, "<div class=\"box\">");
	form_begin(g, "/me/emails");
	htmlf(g, "<label for=\"email\">%s</label>", T(g, "Associate an exam email address"));
	htmlf(g, "<input type=\"email\" id=\"email\" name=\"email\" maxlength=\"254\" required><button type=\"submit\">"
	    "%s</button></form></div>\n", T(g, "Send activation link"));
	ec_buf_adds(&g->out->body, "<div class=\"box\">");
	form_begin(g, "/logout");
	htmlf(g, "<input type=\"hidden\" name=\"everywhere\" value=\"1\"><button type=\"submit\">%s</button></form></div>\n",
	    T(g, "Sign out everywhere"));
	page_end(g);
	return g->out->body.err;
}

/* Mail kind's link for acct about email: associate or disassociate, finished by whoever opens it. */
static int
addr_mail(struct pg *g, enum ec_tk kind, const char *email)
{
	struct ec_ptoken t;
	unsigned char h[EC_PORTAL_HASH];
	char tok[64];
	int r;

	if (pw_limited(g, email))
		return too_many(g);
	memset(&t, 0, sizeof t);
	if ((r = pw_new_token(tok, h)))
		return r;
	t.kind = kind;
	t.acct = g->a.id;
	snprintf(t.email, sizeof t.email, "%s", email);
	t.created = g->r->now;
	t.expires = g->r->now + EC_TOKEN_TTL;
	if ((r = ec_portal_token_put(g->p->c.office, h, &t)) == 0)
		r = pw_mail_link(g, kind == EC_TK_ADDR_ADD ? "associate" : "disassociate", email,
		    kind == EC_TK_ADDR_ADD ? "/me/emails/verify" : "/me/emails/remove", tok, NULL, NULL);
	explicit_bzero(tok, sizeof tok);
	if (r)
		return r;
	return page_message(g, 200, T(g, "Trainee Email Mgmt."), T(g, "We sent a link to that address. Open it to "
	    "finish."), 0);
}

static int
emails_post(struct pg *g, const struct ec_form *f)
{
	const char *email = ec_form_get(f, "email");

	if (!email || ec_field_email(email))
		return page_message(g, 400, T(g, "Trainee Email Mgmt."), T(g, "That is not an email address."), 1);
	return addr_mail(g, EC_TK_ADDR_ADD, email);
}

static int
emails_remove_post(struct pg *g, const struct ec_form *f)
{
	struct addr_rows x = { g, 0, ec_form_get(f, "email") };
	int r;

	if (!x.want)
		return page_message(g, 400, T(g, "Bad request"), T(g, "The request is not valid."), 1);
	if ((r = ec_portal_addrs_each(g->p->c.office, g->a.id, addr_row, &x)))
		return r;
	if (!x.found)
		return not_found(g);
	return addr_mail(g, EC_TK_ADDR_DEL, x.want);
}

static int
addr_verify_post(struct pg *g, const struct ec_form *f, enum ec_tk kind)
{
	const char *t = ec_form_get(f, "t");
	unsigned char h[EC_PORTAL_HASH];
	struct ec_ptoken tok;
	size_t n = 0;
	int r;

	if (!t)
		return page_message(g, 400, T(g, "Bad request"), T(g, "The request is not valid."), 1);
	ec_sha256(t, strlen(t), h);
	r = ec_portal_token_take(g->p->c.office, h, kind, g->r->now, NULL, &tok);
	if (r == 0)
		r = kind == EC_TK_ADDR_ADD ? ec_portal_addr_add(g->p->c.office, tok.acct, tok.email, g->r->now, &n) :
		    ec_portal_addr_del(g->p->c.office, tok.acct, tok.email, &n);
	if (r == EC_ERR_NOTFOUND || r == EC_ERR_REFUSED || r == EC_ERR_CONFLICT)
		return pw_refused(g, T(g, "The link or code did not work"), r);
	if (r)
		return r;
	return page_message(g, 200, T(g, "Trainee Email Mgmt."), T(g, kind == EC_TK_ADDR_ADD ?
	    "The address is associated." : "The address is disassociated."), 0);
}

/* Requests. */

/* The page's language: ?lang= (remembered), else the cookie, else Accept-Language. */
static void
language(struct pg *g)
{
	struct ec_form q;
	const char *l = NULL;
	char c[8];

	memset(&q, 0, sizeof q);
	if (g->r->query && ec_form_parse(g->r->query, strlen(g->r->query), &q) == 0)
		l = ec_form_get(&q, "lang");
	if (l && (!strcmp(l, "en") || !strcmp(l, "zh"))) {
		g->zh = l[0] == 'z';
		set_cookie(g, 'l', l, 31536000);
	} else if (ec_cookie_get(g->r->cookie, cookie_name(g->p, 'l'), c, sizeof c) == 0 &&
	    (!strcmp(c, "en") || !strcmp(c, "zh"))) {
		g->zh = c[0] == 'z';
	} else {
		g->zh = ec_web_lang_pick(g->r->accept_language) == EC_WEB_ZH;
	}
	ec_form_free(&q);
}

/* The browser's own cookie (made on its first visit) ties sign-in requests and anonymous forms to it. */
static int
browser(struct pg *g)
{
	unsigned char raw[32], h[32];
	int r;

	if (ec_cookie_get(g->r->cookie, cookie_name(g->p, 'b'), g->bcookie, sizeof g->bcookie) ||
	    strlen(g->bcookie) != 64 || strspn(g->bcookie, "0123456789abcdef") != 64) {
		if ((r = random_bytes(raw, sizeof raw)))
			return r;
		hex(raw, sizeof raw, g->bcookie);
		set_cookie(g, 'b', g->bcookie, 31536000);
	}
	ec_sha256(g->bcookie, strlen(g->bcookie), g->browser);
	/* a signed-out form's csrf value: derived from the browser cookie, which other sites cannot read */
	memcpy(raw, "ecert-csrf", 10);
	memcpy(raw + 10, g->browser, 22);
	ec_sha256(raw, sizeof raw, h);
	hex(h, sizeof h, g->csrf);
	return 0;
}

static int
session(struct pg *g)
{
	unsigned char sid[EC_PORTAL_HASH];
	char c[80];
	int r;

	if (ec_cookie_get(g->r->cookie, cookie_name(g->p, 's'), c, sizeof c))
		return 0;
	ec_sha256(c, strlen(c), sid);
	r = ec_portal_session(g->p->c.office, sid, g->r->now, &g->s, &g->a);
	if (r == EC_ERR_NOTFOUND) {
		set_cookie(g, 's', "", 0);
		return 0;
	}
	if (r)
		return r;
	g->signed_in = 1;
	hex(g->s.csrf, sizeof g->s.csrf, g->csrf);
	return 0;
}

/* A form from our own pages: its csrf value, and the browser's word on where it came from. */
static int
same_origin(struct pg *g, const struct ec_form *f)
{
	const char *c = ec_form_get(f, "csrf"), *site = g->r->sec_fetch_site, *origin = g->r->origin;

	if (!c || !ct_eq(c, g->csrf))
		return 0;
	if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
		return 0;
	/* "null" is what a browser sends when a policy withholds the origin: the csrf value decides then */
	return !origin || !strcmp(origin, "null") || !strcmp(origin, g->p->origin);
}

static int
get_route(struct pg *g)
{
	const char *path = g->r->path;
	size_t n = strlen(path);

	if (!strcmp(path, "/"))
		return redirect(g, g->signed_in ? "/me" : "/login");
	if (!strcmp(path, "/static/pow.js"))
		return pow_script(g);
	if (!strcmp(path, "/login"))
		return login_get(g);
	if (!strcmp(path, "/login/verify"))
		return continue_page(g, T(g, "Sign in"), T(g, "Continue to sign in."), "/login/verify");
	if (strncmp(path, "/me", 3) || (path[3] && path[3] != '/'))
		return not_found(g);
	if (!g->signed_in) {
		/* the mailed links work signed out too: the token carries the account */
		if (!strcmp(path, "/me/emails/verify"))
			return continue_page(g, T(g, "Trainee Email Mgmt."), T(g, "Associate this address with your "
			    "account."), "/me/emails/verify");
		if (!strcmp(path, "/me/emails/remove"))
			return continue_page(g, T(g, "Trainee Email Mgmt."), T(g, "Disassociate this address from your "
			    "account."), "/me/emails/remove/verify");
		if (!strcmp(path, "/me/associate/verify"))
			return continue_page(g, T(g, "Associate My Exam Record"), T(g, "Associate this exam record with "
			    "your account."), "/me/associate/verify");
		/* a certificate's URL reveals nothing: signed out, it does not exist */
		return !strncmp(path, "/me/certificates/", 17) ? not_found(g) : redirect(g, "/login");
	}
	if (!strcmp(path, "/me"))
		return mycerts_page(g);
	if (!strcmp(path, "/me/emails"))
		return emails_get(g);
	if (!strcmp(path, "/me/emails/verify"))
		return continue_page(g, T(g, "Trainee Email Mgmt."), T(g, "Associate this address with your account."),
		    "/me/emails/verify");
	if (!strcmp(path, "/me/emails/remove"))
		return continue_page(g, T(g, "Trainee Email Mgmt."), T(g, "Disassociate this address from your "
		    "account."), "/me/emails/remove/verify");
	if (!strcmp(path, "/me/associate"))
		return associate_get(g, NULL, NULL);
	if (!strcmp(path, "/me/associate/verify"))
		return continue_page(g, T(g, "Associate My Exam Record"), T(g, "Associate this exam record with your "
		    "account."), "/me/associate/verify");
	if (!strcmp(path, "/me/apply"))
		return apply_get(g);
	if (!strncmp(path, "/me/certificates/", 17) && n == 17 + EC_NUMBER_DIGITS)
		return mycerts_detail(g, path + 17);
	if (!strncmp(path, "/me/certificates/", 17) && n == 17 + EC_NUMBER_DIGITS + 4 && !strcmp(path + n - 4, ".pdf")) {
		char number[EC_NUMBER_DIGITS + 1];

		memcpy(number, path + 17, EC_NUMBER_DIGITS);
		number[EC_NUMBER_DIGITS] = '\0';
		return mycerts_pdf(g, number);
	}
	return not_found(g);
}

/* POST /me/certificates/NUMBER/ACTION: renew, address, correction. */
static int
cert_post(struct pg *g, const char *rest, const struct ec_form *f)
{
	char number[EC_NUMBER_DIGITS + 1];
	const char *action = rest + EC_NUMBER_DIGITS + 1;

	memcpy(number, rest, EC_NUMBER_DIGITS);
	number[EC_NUMBER_DIGITS] = '\0';
	if (strspn(number, "0123456789") != EC_NUMBER_DIGITS)
		return not_found(g);
	if (!strcmp(action, "renew"))
		return mycerts_renew(g, number);
	if (!strcmp(action, "address"))
		return mycerts_address(g, number, f);
	if (!strcmp(action, "correction"))
		return mycerts_correction(g, number, f);
	return not_found(g);
}

static int
post_route(struct pg *g)
{
	const char *path = g->r->path;
	struct ec_form f;
	int r;

	memset(&f, 0, sizeof f);
	if (!g->r->content_type || strncasecmp(g->r->content_type, "application/x-www-form-urlencoded", 33) ||
	    (r = ec_form_parse(g->r->body ? g->r->body : "", g->r->body_len, &f))) {
		ec_form_free(&f);
		return page_message(g, 400, T(g, "Bad request"), T(g, "The request is not valid."), 1);
	}
	if (!same_origin(g, &f)) {
		r = page_message(g, 403, T(g, "Refused"), T(g, "The form has expired. Go back, reload the page and try "
		    "again."), 1);
	} else if (!strcmp(path, "/login")) {
		r = login_post(g, &f);
	} else if (!strcmp(path, "/login/verify")) {
		r = login_verify_post(g, &f);
	} else if (!strcmp(path, "/login/code")) {
		r = login_code_post(g, &f);
	} else if (!strcmp(path, "/logout")) {
		r = logout_post(g, &f);
	} else if (!strcmp(path, "/me/emails/verify")) {
		r = addr_verify_post(g, &f, EC_TK_ADDR_ADD);
	} else if (!strcmp(path, "/me/emails/remove/verify")) {
		r = addr_verify_post(g, &f, EC_TK_ADDR_DEL);
	} else if (!strcmp(path, "/me/associate/verify")) {
		r = associate_verify_post(g, &f);
	} else if (!g->signed_in) {
		r = strncmp(path, "/me", 3) ? not_found(g) : redirect(g, "/login");
	} else if (!strcmp(path, "/me/emails")) {
		r = emails_post(g, &f);
	} else if (!strcmp(path, "/me/emails/remove")) {
		r = emails_remove_post(g, &f);
	} else if (!strcmp(path, "/me/associate")) {
		r = associate_post(g, &f);
	} else if (!strncmp(path, "/me/certificates/", 17) && strlen(path) > 17 + EC_NUMBER_DIGITS &&
	    path[17 + EC_NUMBER_DIGITS] == '/') {
		r = cert_post(g, path + 17, &f);
	} else if (!strcmp(path, "/me/apply")) {
		r = apply_post(g, &f);
	} else if (!strcmp(path, "/me/apply/confirm")) {
		r = apply_confirm(g, &f);
	} else {
		r = not_found(g);
	}
	ec_form_free(&f);
	return r;
}

int
ec_pweb_handle(struct ec_pweb *p, const struct ec_pweb_req *r, struct ec_pweb_resp *out)
{
	struct pg g;
	int rc, get;

	memset(&g, 0, sizeof g);
	g.p = p, g.r = r, g.out = out;
	language(&g);
	get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
	if ((rc = browser(&g)) == 0 && (rc = session(&g)) == 0) {
		if (!get && strcmp(r->method, "POST"))
			rc = page_message(&g, 405, T(&g, "Method not allowed"), T(&g, "The request is not valid."), 1);
		else
			rc = get ? get_route(&g) : post_route(&g);
	}
	/* every page may show personal data or carry a csrf value: none is stored by caches */
	out->no_store = 1;
	if (rc && rc != EC_ERR_NOMEM) {
		free(out->file);
		out->file = NULL;
		out->location[0] = '\0';
		rc = page_message(&g, 500, T(&g, "Server error"), T(&g, "Please try again later."), 1);
	}
	return rc;
}
