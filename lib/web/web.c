/* The verification endpoint's request logic: routes, strict decoding, negotiation, pages, logs, limits. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "date.h"
#include "err.h"
#include "text.h"
#include "number.h"
#include "web.h"

#define LOG_PATH_MAX 200
#define LOG_METHOD_MAX 16
#define RL_LOCKS 64
#define STAT_SHARDS 8
/*
 * Writers into memory reserved in advance, for the per-request JSON and log lines: the caller
 * reserves each piece's worst case once (6 bytes per escaped byte), then pieces are copied without a
 * bounds check and a call each. Each returns the position after what it wrote.
 */
#define W_LIT(w, lit) w_put((w), lit, sizeof lit - 1)

static char *
w_put(char *w, const char *s, size_t n)
{
	memcpy(w, s, n);
	return w + n;
}

static char *
w_uint(char *w, uint64_t v)
{
	char d[20];
	size_t n = sizeof d;

	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(w, d + n, sizeof d - n);
	return w + sizeof d - n;
}

static char *
w_int(char *w, int64_t v)
{
	if (v >= 0)
		return w_uint(w, (uint64_t)v);
	*w++ = '-';
	return w_uint(w, -(uint64_t)v);
}

/* s[0..n) as a JSON string literal, escaped exactly as ec_buf_json does (test_web pins the two). */
static char *
w_json(char *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run;

	*w++ = '"';
	for (i = 0; i < n; i++) {
		for (run = i; run < n && u[run] >= 0x20 && u[run] != '"' && u[run] != '\\' && u[run] != 0x7f; run++)
			;
		memcpy(w, u + i, run - i);
		w += run - i;
		if ((i = run) == n)
			break;
		*w++ = '\\';
		switch (u[i]) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '\n': *w++ = 'n'; break;
		case '\r': *w++ = 'r'; break;
		case '\t': *w++ = 't'; break;
		default:
			*w++ = 'u';
			*w++ = '0';
			*w++ = '0';
			*w++ = hex[u[i] >> 4];
			*w++ = hex[u[i] & 15];
		}
	}
	*w++ = '"';
	return w;
}

/* The bytes w_json adds to s[0..n) beyond its length: its quotes, and 5 per byte escaped as \\u00XX. */
static size_t
json_extra(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, extra = 2;

	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == '"' || u[i] == '\\' || u[i] == 0x7f)
			extra += 5;
	return extra;
}

/*
 * A day as YYYY-MM-DD (10 bytes): ec_date_format's output (0000-00-00 outside years 0-9999;
 * test_web pins the two together) without its snprintf, which took a tenth of a JSON answer.
 */
static char *
w_date(char *w, ec_day day)
{
	int64_t y;
	unsigned m, d;

	ec_date_civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = m = d = 0;
	w[0] = (char)('0' + y / 1000);
	w[1] = (char)('0' + y / 100 % 10);
	w[2] = (char)('0' + y / 10 % 10);
	w[3] = (char)('0' + y % 10);
	w[4] = '-';
	w[5] = (char)('0' + m / 10);
	w[6] = (char)('0' + m % 10);
	w[7] = '-';
	w[8] = (char)('0' + d / 10);
	w[9] = (char)('0' + d % 10);
	return w + 10;
}

/* Ends a run of writes that began at b->p + b->len. */
static int
w_done(struct ec_buf *b, char *w)
{
	b->len = (size_t)(w - b->p);
	*w = '\0';
	return 0;
}

/* The page's only style; its SHA-256 goes into the Content-Security-Policy, so no other style runs. */
static const char css[] =
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans CJK SC\","
    "\"PingFang SC\",\"Microsoft YaHei\",sans-serif;color:#1a1a1a;background:#f2f3f5}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    ".st{padding:1.25rem 1rem;border-radius:.5rem;color:#fff;margin:0 0 1rem}"
    ".st h1{font-size:2.25rem;line-height:1.2;margin:0;letter-spacing:.04em}"
    ".st p{margin:.5rem 0 0}.st a{color:#fff}"
    ".ok{background:#1b7f3b}.bad{background:#b3261e}.old{background:#7a5a00}"
    ".sup{background:#1f5fa8}.unk{background:#4a4a4a}"
    "h2{font-size:1.25rem;margin:0 0 .75rem}"
    "dl{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem;display:grid;"
    "grid-template-columns:max-content 1fr;gap:.25rem 1rem}"
    "dt{color:#555}dd{margin:0;overflow-wrap:anywhere}"
    "form{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem}"
    "label{display:block;font-weight:600}"
    "input[type=text]{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;margin:.25rem 0 .5rem}"
    "button{font:inherit;padding:.5rem 1.25rem}"
    ".hint,nav,footer{font-size:.875rem;color:#555}"
    ".m{font-weight:700;padding:.75rem 1rem;border-radius:.5rem;background:#fff}"
    ".yes{color:#1b7f3b}.no{color:#b3261e}"
    "@media(max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}";

static char csp[320];
static const char *const sec_headers[] = {
	"Content-Security-Policy", csp,
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "no-referrer",
	"X-Frame-Options", "DENY",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()",
	"X-Robots-Tag", "noindex, nofollow",
	NULL
};
static pthread_once_t sec_once = PTHREAD_ONCE_INIT;

/* Without a digest the policy still holds, minus the style: the page degrades to unstyled, not unsafe. */
static void
sec_init(void)
{
	unsigned char md[32];
	char b64[48] = "";
	unsigned int mdlen = 0;

	if (EVP_Digest(css, sizeof css - 1, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == sizeof md)
		EVP_EncodeBlock((unsigned char *)b64, md, (int)sizeof md);
	snprintf(csp, sizeof csp, "default-src 'none'; style-src %s%s%s; img-src 'self'; form-action 'self'; "
	    "base-uri 'none'; frame-ancestors 'none'", b64[0] ? "'sha256-" : "'none'", b64, b64[0] ? "'" : "");
}

const char *const *
ec_web_security_headers(void)
{
	pthread_once(&sec_once, sec_init);
	return sec_headers;
}

int
ec_web_utf8_ok(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, k;
	unsigned long cp, min;

	while (i < len) {
		if (u[i] < 0x80) {
			if (u[i] < 0x20 || u[i] == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf) {
			n = 1; cp = u[i] & 0x1fu; min = 0x80;
		} else if (u[i] >= 0xe0 && u[i] <= 0xef) {
			n = 2; cp = u[i] & 0x0fu; min = 0x800;
		} else if (u[i] >= 0xf0 && u[i] <= 0xf4) {
			n = 3; cp = u[i] & 0x07u; min = 0x10000;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (u[i + k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f)
			return 0;
		i += n + 1;
	}
	return 1;
}

int
ec_web_pct_decode(const char *in, size_t len, int plus, char *out, size_t outsz, size_t *outlen)
{
	size_t i, o = 0;
	unsigned char c;
	int hi, lo;

	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c <= 0x20 || c >= 0x7f)
			return ec_err_set(EC_ERR_SYNTAX, "request target: byte 0x%02x is not allowed", c);
		if (c == '%') {
			if (len - i < 3 || (hi = ec_hexval(in[i + 1])) < 0 || (lo = ec_hexval(in[i + 2])) < 0)
				return ec_err_set(EC_ERR_SYNTAX, "request target: malformed percent-escape");
			c = (unsigned char)(hi << 4 | lo);
			if (c == 0)
				return ec_err_set(EC_ERR_SYNTAX, "request target: %%00 is not allowed");
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (o + 1 >= outsz)
			return ec_err_set(EC_ERR_TOOBIG, "request target: a part is over %zu bytes", outsz - 1);
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (!ec_web_utf8_ok(out, o))
		return ec_err_set(EC_ERR_SYNTAX, "request target: invalid UTF-8 or a control character");
	*outlen = o;
	return 0;
}

/* The part of s after prefix, when s starts with it and the rest is one non-empty segment. */
static const char *
segment_after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0 || s[n] == '\0' || strchr(s + n, '/') != NULL)
		return NULL;
	return s + n;
}

static int
kid_ok(const char *s, size_t n)
{
	size_t i;

	if (n != EC_KID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* Decode one query value into out; a second occurrence of the same parameter is an error. */
static int
param(const char *v, size_t vlen, int *seen, char *out, size_t outsz)
{
	size_t n;
	int rc;

	if (*seen)
		return ec_err_set(EC_ERR_SYNTAX, "request target: a parameter is repeated");
	*seen = 1;
	rc = ec_web_pct_decode(v, vlen, 1, out, outsz, &n);
	if (rc == EC_ERR_TOOBIG)
		return ec_err_set(EC_ERR_SYNTAX, "request target: a parameter is over %zu bytes", outsz - 1);
	return rc;
}

static int
query(const char *q, size_t len, struct ec_web_target *t, char *n_out, int *n_seen)
{
	char key[32], scratch[EC_WEB_URI_MAX + 1], lang[8];
	const char *p = q, *end = q + len, *amp, *eq;
	size_t klen, n;
	int name_seen = 0, lang_seen = 0, rc;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		rc = ec_web_pct_decode(p, (size_t)(eq - p), 1, key, sizeof key, &klen);
		if (rc == EC_ERR_TOOBIG)
			rc = 0, klen = 0, key[0] = '\0';
		if (rc)
			return rc;
		if (eq < amp)
			eq++;
		if (strcmp(key, "name") == 0)
			rc = param(eq, (size_t)(amp - eq), &name_seen, t->name, sizeof t->name);
		else if (strcmp(key, "n") == 0)
			rc = param(eq, (size_t)(amp - eq), n_seen, n_out, EC_WEB_TYPED_MAX + 1);
		else if (strcmp(key, "lang") == 0) {
			rc = param(eq, (size_t)(amp - eq), &lang_seen, lang, sizeof lang);
			if (rc == 0)
				t->lang = strcmp(lang, "zh") == 0 ? EC_WEB_ZH : strcmp(lang, "en") == 0 ? EC_WEB_EN : -1;
		} else
			rc = ec_web_pct_decode(eq, (size_t)(amp - eq), 1, scratch, sizeof scratch, &n);
		if (rc)
			return rc;
		p = amp;
	}
	return 0;
}

/* Trim ASCII spaces around t->name; a blank name counts as none given. */
static void
trim_name(struct ec_web_target *t)
{
	size_t start = 0, end = strlen(t->name);

	while (start < end && t->name[start] == ' ')
		start++;
	while (end > start && t->name[end - 1] == ' ')
		end--;
	memmove(t->name, t->name + start, end - start);
	t->name[end - start] = '\0';
	t->has_name = end > start;
}

int
ec_web_parse_target(const char *uri, size_t len, struct ec_web_target *t)
{
	char path[EC_WEB_URI_MAX + 1], n_param[EC_WEB_TYPED_MAX + 1] = "";
	const char *q, *rest, *seg;
	size_t plen, n;
	int n_seen = 0, rc;

	memset(t, 0, sizeof *t);
	t->lang = -1;
	if (len > EC_WEB_URI_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "request target: over %d bytes", EC_WEB_URI_MAX);
	q = memchr(uri, '?', len);
	plen = q ? (size_t)(q - uri) : len;
	if (memchr(uri, '#', len) != NULL)
		return ec_err_set(EC_ERR_SYNTAX, "request target: a fragment was sent");
	if ((rc = ec_web_pct_decode(uri, plen, 0, path, sizeof path, &n)) != 0)
		return rc;
	if (n == 0 || path[0] != '/')
		return ec_err_set(EC_ERR_SYNTAX, "request target: not an absolute path");
	if (strchr(path, '\\') != NULL)
		return ec_err_set(EC_ERR_SYNTAX, "request target: a backslash in the path");
	for (seg = path; seg != NULL; seg = strchr(seg + 1, '/'))
		if (strncmp(seg, "/.", 2) == 0 && (seg[2] == '/' || seg[2] == '\0' ||
		    (seg[2] == '.' && (seg[3] == '/' || seg[3] == '\0'))))
			return ec_err_set(EC_ERR_SYNTAX, "request target: a '.' or '..' segment");
	if (q != NULL && (rc = query(q + 1, len - plen - 1, t, n_param, &n_seen)) != 0)
		return rc;
	trim_name(t);

	if (strcmp(path, "/") == 0)
		t->route = EC_WEB_R_HOME;
	else if (strcmp(path, "/v") == 0 && n_seen) {
		t->route = EC_WEB_R_PAGE;
		memcpy(t->typed, n_param, sizeof t->typed);
	} else if ((rest = segment_after(path, "/v/")) != NULL ||
	    (rest = segment_after(path, "/api/v1/certificates/")) != NULL) {
		if (strlen(rest) > EC_WEB_TYPED_MAX)
			return ec_err_set(EC_ERR_SYNTAX, "request target: the number is over %d bytes",
			    EC_WEB_TYPED_MAX);
		t->route = path[1] == 'v' ? EC_WEB_R_PAGE : EC_WEB_R_API;
		strcpy(t->typed, rest);
	} else if (strcmp(path, "/trust.pem") == 0)
		t->route = EC_WEB_R_TRUST;
	else if (strcmp(path, "/crl/root.crl") == 0) {
		t->route = EC_WEB_R_CRL;
		strcpy(t->kid, "root");
	} else if ((rest = segment_after(path, "/crl/")) != NULL && strlen(rest) == EC_KID_LEN + 4 &&
	    strcmp(rest + EC_KID_LEN, ".crl") == 0 && kid_ok(rest, EC_KID_LEN)) {
		t->route = EC_WEB_R_CRL;
		memcpy(t->kid, rest, EC_KID_LEN);
		t->kid[EC_KID_LEN] = '\0';
	} else if (strcmp(path, "/healthz") == 0)
		t->route = EC_WEB_R_HEALTH;
	else if (strcmp(path, "/metrics") == 0)
		t->route = EC_WEB_R_METRICS;
	else
		return ec_err_set(EC_ERR_NOTFOUND, "request target: no such route");
	return 0;
}

/* The q-value of one list item's parameters in thousandths; 1000 when absent, -1 when malformed. */
static int
qvalue(const char *p, const char *end)
{
	const char *s;
	int q = 0, scale = 100;

	for (s = p; s < end; s++) {
		if (*s != ';')
			continue;
		s++;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (end - s < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
			continue;
		s += 2;
		if (*s != '0' && *s != '1')
			return -1;
		q = (*s - '0') * 1000;
		s++;
		if (s < end && *s == '.') {
			for (s++; s < end && *s >= '0' && *s <= '9' && scale > 0; s++, scale /= 10)
				q += (*s - '0') * scale;
		}
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if ((s < end && *s != ';') || q > 1000)
			return -1;
		return q;
	}
	return 1000;
}

/* Calls fn for each comma-separated item of a header value with its token (before ';') and q-value. */
static void
each_item(const char *v, void (*fn)(void *ctx, const char *tok, size_t n, int q), void *ctx)
{
	const char *p = v, *end, *semi, *tend;

	while (p && *p) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		for (semi = p; semi < end && *semi != ';'; semi++)
			;
		tend = semi;
		while (tend > p && (tend[-1] == ' ' || tend[-1] == '\t'))
			tend--;
		if (tend > p)
			fn(ctx, p, (size_t)(tend - p), qvalue(p, end));
		p = *end ? end + 1 : NULL;
	}
}

struct lang_pick {
	int best, bestq;
};

static int
tag_is(const char *tok, size_t n, const char *lang)
{
	return n >= 2 && strncasecmp(tok, lang, 2) == 0 && (n == 2 || tok[2] == '-');
}

static void
lang_item(void *ctx, const char *tok, size_t n, int q)
{
	struct lang_pick *lp = ctx;
	int lang;

	if (tag_is(tok, n, "zh"))
		lang = EC_WEB_ZH;
	else if (tag_is(tok, n, "en"))
		lang = EC_WEB_EN;
	else
		return;
	if (q > lp->bestq) {
		lp->best = lang;
		lp->bestq = q;
	}
}

enum ec_web_lang
ec_web_lang_pick(const char *accept_language)
{
	struct lang_pick lp = { EC_WEB_EN, 0 };

	if (accept_language != NULL)
		each_item(accept_language, lang_item, &lp);
	return (enum ec_web_lang)lp.best;
}

/* For json and html: the q of the most specific matching media range (exact 3, a type wildcard 2, any 1). */
struct accept_pick {
	int q[2], spec[2];
};

static void
accept_item(void *ctx, const char *tok, size_t n, int q)
{
	static const char *const exact[2] = { "application/json", "text/html" };
	static const char *const wild[2] = { "application/*", "text/*" };
	struct accept_pick *ap = ctx;
	int i, spec;

	for (i = 0; i < 2; i++) {
		if (n == strlen(exact[i]) && strncasecmp(tok, exact[i], n) == 0)
			spec = 3;
		else if (n == strlen(wild[i]) && strncasecmp(tok, wild[i], n) == 0)
			spec = 2;
		else if (n == 3 && strncmp(tok, "*/*", 3) == 0)
			spec = 1;
		else
			continue;
		if (spec > ap->spec[i]) {
			ap->spec[i] = spec;
			ap->q[i] = q;
		}
	}
}

int
ec_web_wants_json(const char *accept)
{
	struct accept_pick ap = { { 0, 0 }, { 0, 0 } };

	if (accept == NULL)
		return 0;
	each_item(accept, accept_item, &ap);
	return ap.q[0] > ap.q[1];
}

int
ec_web_etag_matches(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match, *end, *tend;
	size_t elen;

	if (p == NULL)
		return 0;
	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	elen = strlen(etag);
	while (*p) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		tend = end;
		while (tend > p && (tend[-1] == ' ' || tend[-1] == '\t'))
			tend--;
		if (tend - p == 1 && *p == '*')
			return 1;
		if (tend - p > 2 && strncmp(p, "W/", 2) == 0)
			p += 2;
		if ((size_t)(tend - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

void
ec_web_resp_init(struct ec_web_resp *r)
{
	memset(r, 0, sizeof *r);
	ec_buf_init(&r->body);
}

void
ec_web_resp_free(struct ec_web_resp *r)
{
	ec_buf_free(&r->body);
	r->nhdr = 0;
}

int
ec_web_resp_header(struct ec_web_resp *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->nhdr == EC_WEB_HDR_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "response: more than %d headers", EC_WEB_HDR_MAX);
	va_start(ap, fmt);
	n = vsnprintf(r->hdr[r->nhdr].value, sizeof r->hdr[r->nhdr].value, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof r->hdr[r->nhdr].value)
		return ec_err_set(EC_ERR_TOOBIG, "response: header '%s' is too long", name);
	r->hdr[r->nhdr++].name = name;
	return 0;
}

/* A header with a fixed value: no formatting on the per-request path. */
static int
resp_header_str(struct ec_web_resp *r, const char *name, const char *value)
{
	size_t n = strlen(value);

	if (r->nhdr == EC_WEB_HDR_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "response: more than %d headers", EC_WEB_HDR_MAX);
	if (n >= sizeof r->hdr[r->nhdr].value)
		return ec_err_set(EC_ERR_TOOBIG, "response: header '%s' is too long", name);
	memcpy(r->hdr[r->nhdr].value, value, n + 1);
	r->hdr[r->nhdr++].name = name;
	return 0;
}

/* Every string a person reads, in English and Chinese. "%s" marks where an (escaped) value goes. */
struct strs {
	const char *html_lang, *site, *valid, *revoked, *expired, *superseded, *notfound, *typo, *malformed;
	const char *valid_line, *revoked_line, *expired_line, *superseded_line, *notfound_line, *typo_line;
	const char *malformed_line;
	const char *l_number, *l_cert, *l_holder, *l_effective, *l_expires, *l_issuer, *l_renewal_of;
	const char *l_replaced_by, *confirm, *confirm_hint, *check, *match_yes, *match_no, *checked_on;
	const char *another, *verify, *home_line;
	const char *e400, *e400_line, *e404, *e404_line, *e405, *e405_line, *e414, *e414_line;
	const char *e429, *e429_line, *e431, *e431_line, *e500, *e500_line, *e503, *e503_line;
	const char *reasons[11];
};

static const char *const reason_keys[11] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
	"cessationOfOperation", "certificateHold", "removeFromCRL", "privilegeWithdrawn", "aACompromise",
	NULL
};

static const struct strs str_en = {
	"en", "Certificate verification", "VALID", "REVOKED", "EXPIRED", "SUPERSEDED", "NOT FOUND",
	"PROBABLY A TYPO", "NOT A CERTIFICATE NUMBER",
	"This certificate is genuine and valid until %s.",
	"Revoked on %s. Reason: %s.",
	"This certificate expired on %s.",
	"Replaced by certificate %s. This one remains valid until %s.",
	"No certificate with the number %s is in the register. Check the number printed on the certificate.",
	"The number you entered, %s, has wrong check digits: probably a typo. Please check it and try again.",
	"%s is not a certificate number. A certificate number has 22 digits, for example "
	    "0101 2345 6789 0123 4567 89.",
	"Certificate number", "Certification", "Holder", "Effective", "Expires", "Issuer", "Renewal of",
	"Replaced by", "Confirm the holder's name",
	"Enter the full name as printed on the certificate. You will only learn whether it matches.",
	"Check", "The name matches the holder of this certificate.",
	"The name does not match the holder of this certificate.",
	"Checked on %s against the public register.",
	"Check a certificate number", "Verify",
	"Enter the 22-digit number printed on the certificate, or scan its QR code.",
	"BAD REQUEST", "The address is not valid.",
	"PAGE NOT FOUND", "There is nothing at this address.",
	"METHOD NOT ALLOWED", "Only GET and HEAD are supported.",
	"ADDRESS TOO LONG", "The address is too long.",
	"TOO MANY REQUESTS", "Please wait a moment and try again.",
	"HEADERS TOO LARGE", "The request headers are too large.",
	"SERVER ERROR", "The register cannot be read right now. Please try again later.",
	"SERVICE UNAVAILABLE", "The service is restarting. Please try again in a moment.",
	{ "unspecified", "key compromise", "CA compromise", "affiliation changed", "superseded",
	  "cessation of operation", "certificate hold", "removed from CRL", "privilege withdrawn",
	  "AA compromise", NULL }
};

static const struct strs str_zh = {
	"zh-CN", "证书验证", "有效", "已吊销", "已过期", "已被取代", "未找到", "号码可能有误", "不是证书编号",
	"此证书真实有效，有效期至 %s。",
	"已于 %s 吊销。原因：%s。",
	"此证书已于 %s 过期。",
	"已被证书 %s 取代。本证书在 %s 之前仍然有效。",
	"登记册中没有编号为 %s 的证书。请核对证书上印的编号。",
	"您输入的编号 %s 校验位不符，可能输入有误。请核对后重试。",
	"%s 不是证书编号。证书编号由 22 位数字组成，例如 0101 2345 6789 0123 4567 89。",
	"证书编号", "认证", "持证人", "生效日期", "失效日期", "签发机构", "续期自", "取代者",
	"核对持证人姓名", "请输入证书上印的完整姓名。您只会得知是否一致。", "核对",
	"姓名与此证书持证人一致。", "姓名与此证书持证人不一致。",
	"于 %s 依据公开登记册核验。",
	"核验证书编号", "核验", "请输入证书上印的 22 位编号，或扫描证书上的二维码。",
	"请求无效", "地址无效。",
	"页面不存在", "此地址没有内容。",
	"不支持的请求方法", "仅支持 GET 和 HEAD。",
	"地址过长", "地址过长。",
	"请求过于频繁", "请稍候再试。",
	"请求头过大", "请求头过大。",
	"服务器错误", "暂时无法读取登记册，请稍后重试。",
	"服务暂不可用", "服务正在重启，请稍后重试。",
	{ "未指定", "密钥泄露", "CA 密钥泄露", "隶属关系变更", "已被取代", "停止运营", "证书冻结",
	  "已从吊销列表移除", "权限撤销", "AA 密钥泄露", NULL }
};

static const struct strs *
strs_of(enum ec_web_lang lang)
{
	return lang == EC_WEB_ZH ? &str_zh : &str_en;
}

static const char *
reason_text(const struct strs *s, const char *reason)
{
	size_t i;

	for (i = 0; reason_keys[i] != NULL; i++)
		if (strcmp(reason, reason_keys[i]) == 0)
			return s->reasons[i];
	return reason;
}

/* Appends template t with each "%s" replaced by the next of args, which are HTML already. */
static void
tmpl(struct ec_buf *b, const char *t, const char *a1, const char *a2)
{
	const char *args[2] = { a1, a2 }, *p;
	size_t i = 0;

	while ((p = strstr(t, "%s")) != NULL && i < 2) {
		ec_buf_add(b, t, (size_t)(p - t));
		ec_buf_adds(b, args[i++]);
		t = p + 2;
	}
	ec_buf_adds(b, t);
}

/* s HTML-escaped into the scratch buffer e (reset first); returns its text. */
static const char *
esc(struct ec_buf *e, const char *s)
{
	ec_buf_reset(e);
	ec_buf_html(e, s);
	ec_buf_addc(e, '\0');
	return e->err ? "" : e->p;
}

static void
page_head(struct ec_buf *b, const struct strs *s, const char *title, const char *canonical)
{
	ec_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
	ec_buf_adds(b, s->html_lang);
	ec_buf_adds(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>");
	ec_buf_html(b, title);
	ec_buf_adds(b, " \xe2\x80\x94 ");
	ec_buf_html(b, s->site);
	ec_buf_adds(b, "</title>\n");
	if (canonical != NULL) {
		ec_buf_adds(b, "<link rel=\"canonical\" href=\"");
		ec_buf_html(b, canonical);
		ec_buf_adds(b, "\">\n");
	}
	ec_buf_adds(b, "<style>");
	ec_buf_add(b, css, sizeof css - 1);
	ec_buf_adds(b, "</style>\n</head>\n<body>\n<main>\n");
}

/* Links to the same page in both languages; base is a path of our own making (no escaping needed). */
static void
page_tail(struct ec_buf *b, const char *base)
{
	if (base != NULL) {
		ec_buf_addf(b, "<nav><a href=\"%s?lang=en\" hreflang=\"en\" lang=\"en\">English</a> \xc2\xb7 "
		    "<a href=\"%s?lang=zh\" hreflang=\"zh\" lang=\"zh-CN\">\xe4\xb8\xad\xe6\x96\x87</a></nav>\n",
		    base, base);
	}
	ec_buf_adds(b, "</main>\n</body>\n</html>\n");
}

/* The big status block: cls is the colour class, line is HTML. */
static void
banner(struct ec_buf *b, const char *cls, const char *word, const char *line)
{
	ec_buf_addf(b, "<section class=\"st %s\">\n<h1>", cls);
	ec_buf_html(b, word);
	ec_buf_adds(b, "</h1>\n");
	if (line != NULL && *line) {
		ec_buf_adds(b, "<p>");
		ec_buf_adds(b, line);
		ec_buf_adds(b, "</p>\n");
	}
	ec_buf_adds(b, "</section>\n");
}

/* The form to type a number: GET /v?n=..., prefilled with what was typed (escaped). */
static void
number_form(struct ec_buf *b, const struct strs *s, const char *typed, int lang)
{
	ec_buf_adds(b, "<form method=\"get\" action=\"/v\">\n<label for=\"n\">");
	ec_buf_html(b, s->another);
	ec_buf_adds(b, "</label>\n<input type=\"text\" id=\"n\" name=\"n\" inputmode=\"numeric\" "
	    "autocomplete=\"off\" maxlength=\"40\" required value=\"");
	ec_buf_html(b, typed ? typed : "");
	ec_buf_adds(b, "\">\n");
	if (lang >= 0)
		ec_buf_addf(b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n", lang == EC_WEB_ZH ? "zh" : "en");
	ec_buf_adds(b, "<button type=\"submit\">");
	ec_buf_html(b, s->verify);
	ec_buf_adds(b, "</button>\n</form>\n");
}

static int
set_html(struct ec_web_resp *r, enum ec_web_lang lang)
{
	r->ctype = "text/html; charset=utf-8";
	resp_header_str(r, "Content-Language", strs_of(lang)->html_lang);
	return resp_header_str(r, "Cache-Control", "no-store");
}

static int
set_json(struct ec_web_resp *r)
{
	r->ctype = "application/json";
	resp_header_str(r, "Access-Control-Allow-Origin", "*");
	return resp_header_str(r, "Cache-Control", "no-store");
}

/* The words of an error status in s; JSON messages always come from the English table. */
static const char *
error_words(const struct strs *s, int status, const char **line, const char **code)
{
	switch (status) {
	case 400: *line = s->e400_line; *code = "bad_request"; return s->e400;
	case 404: *line = s->e404_line; *code = "not_found"; return s->e404;
	case 405: *line = s->e405_line; *code = "method_not_allowed"; return s->e405;
	case 414: *line = s->e414_line; *code = "uri_too_long"; return s->e414;
	case 429: *line = s->e429_line; *code = "too_many_requests"; return s->e429;
	case 431: *line = s->e431_line; *code = "headers_too_large"; return s->e431;
	case 503: *line = s->e503_line; *code = "unavailable"; return s->e503;
	default: *line = s->e500_line; *code = "internal_error"; return s->e500;
	}
}

int
ec_web_error(struct ec_web_resp *r, int status, enum ec_web_lang lang, int json)
{
	const struct strs *s = strs_of(lang);
	const char *word, *line, *code;

	if (status != 400 && status != 404 && status != 405 && status != 414 && status != 429 &&
	    status != 431 && status != 503)
		status = 500;
	r->status = status;
	ec_buf_reset(&r->body);
	if (json) {
		error_words(&str_en, status, &line, &code);
		set_json(r);
		ec_buf_addf(&r->body, "{\"error\":\"%s\",\"message\":", code);
		ec_buf_json(&r->body, line);
		ec_buf_adds(&r->body, "}\n");
	} else {
		word = error_words(s, status, &line, &code);
		set_html(r, lang);
		page_head(&r->body, s, word, NULL);
		banner(&r->body, "unk", word, line);
		if (status == 404 || status == 400)
			number_form(&r->body, s, NULL, -1);
		page_tail(&r->body, NULL);
	}
	return r->body.err;
}

/* The length of a record's text field, which a register decoder fills NUL-terminated. */
#define FLEN(f) strnlen((f), sizeof(f))

int
ec_web_cert_json(struct ec_buf *b, const struct ec_pub *p, ec_day today, int name_match)
{
	char disp[EC_NUMBER_DISPLAY + 1];
	const char *st = ec_status_name(ec_pub_status(p, today));
	size_t ln = FLEN(p->number), lc = FLEN(p->code), lt = FLEN(p->title), lm = FLEN(p->name_masked);
	size_t li = FLEN(p->issuer), lr = FLEN(p->reason), ls = FLEN(p->superseded_by);
	size_t lo = FLEN(p->renewal_of), ld, lst = strlen(st);
	char *w;

	ec_number_display(p->number, disp);
	ld = strlen(disp);
	/* The exact worst case, not 6 bytes a byte: a body under 1 KiB stays in malloc's per-thread cache. */
	if (ec_buf_reserve(b, 300 + ln + ld + lst + lc + lt + lm + li + lr + ls + lo + json_extra(p->number, ln) +
	    json_extra(disp, ld) + json_extra(st, lst) + json_extra(p->code, lc) + json_extra(p->title, lt) +
	    json_extra(p->name_masked, lm) + json_extra(p->issuer, li) + json_extra(p->reason, lr) +
	    json_extra(p->superseded_by, ls) + json_extra(p->renewal_of, lo)))
		return b->err;
	w = b->p + b->len;
	w = W_LIT(w, "{\"number\":");
	w = w_json(w, p->number, ln);
	w = W_LIT(w, ",\"number_display\":");
	w = w_json(w, disp, ld);
	w = W_LIT(w, ",\"status\":");
	w = w_json(w, st, lst);
	w = W_LIT(w, ",\"certification\":{\"code\":");
	w = w_json(w, p->code, lc);
	w = W_LIT(w, ",\"title\":");
	w = w_json(w, p->title, lt);
	w = W_LIT(w, "},\"holder\":{\"name_masked\":");
	w = w_json(w, p->name_masked, lm);
	w = W_LIT(w, "},\"effective\":\"");
	w = w_date(w, p->effective);
	w = W_LIT(w, "\",\"expires\":\"");
	w = w_date(w, p->expires);
	w = W_LIT(w, "\",\"issuer\":");
	w = w_json(w, p->issuer, li);
	if (p->status == EC_ST_REVOKED) {
		w = W_LIT(w, ",\"revoked\":{\"date\":\"");
		w = w_date(w, p->revoked_on);
		w = W_LIT(w, "\",\"reason\":");
		w = w_json(w, p->reason, lr);
		*w++ = '}';
	}
	if (ls > 0) {
		w = W_LIT(w, ",\"superseded_by\":");
		w = w_json(w, p->superseded_by, ls);
	}
	if (lo > 0) {
		w = W_LIT(w, ",\"renewal_of\":");
		w = w_json(w, p->renewal_of, lo);
	}
	if (name_match > 0)
		w = W_LIT(w, ",\"name_match\":true");
	else if (name_match == 0)
		w = W_LIT(w, ",\"name_match\":false");
	*w++ = '}';
	return w_done(b, w);
}

/* A link to another certificate's page, as HTML, into the scratch buffer e. */
static const char *
cert_link(struct ec_buf *e, const char *number)
{
	char disp[EC_NUMBER_DISPLAY + 1];

	ec_buf_reset(e);
	if (!ec_number_valid(number)) {
		ec_buf_html(e, number);
	} else {
		ec_number_display(number, disp);
		ec_buf_addf(e, "<a href=\"/v/%s\">%s</a>", number, disp);
	}
	ec_buf_addc(e, '\0');
	return e->err ? "" : e->p;
}

static void
dl_row(struct ec_buf *b, const char *label, const char *html)
{
	ec_buf_adds(b, "<dt>");
	ec_buf_html(b, label);
	ec_buf_adds(b, "</dt><dd>");
	ec_buf_adds(b, html);
	ec_buf_adds(b, "</dd>\n");
}

static int
cert_page(const struct ec_web_env *env, const struct ec_web_target *t, const struct ec_pub *p,
    enum ec_status st, int match, enum ec_web_lang lang, struct ec_buf *b)
{
	const struct strs *s = strs_of(lang);
	struct ec_buf e1, e2;
	char disp[EC_NUMBER_DISPLAY + 1], d1[11], d2[11], base[EC_NUMBER_DIGITS + 4], *canon = NULL;
	const char *word, *cls;
	int rc;

	ec_buf_init(&e1);
	ec_buf_init(&e2);
	ec_number_display(p->number, disp);
	snprintf(base, sizeof base, "/v/%s", p->number);
	if (env->public_url != NULL && env->public_url[0]) {
		ec_buf_addf(&e1, "%s%s", env->public_url, base);
		canon = e1.p;
	}
	switch (st) {
	case EC_ST_REVOKED: word = s->revoked; cls = "bad"; break;
	case EC_ST_EXPIRED: word = s->expired; cls = "old"; break;
	case EC_ST_SUPERSEDED: word = s->superseded; cls = "sup"; break;
	default: word = s->valid; cls = "ok"; break;
	}
	page_head(b, s, word, canon);
	ec_buf_reset(&e1);
	switch (st) {
	case EC_ST_REVOKED:
		ec_date_format(p->revoked_on, d1);
		tmpl(&e1, s->revoked_line, d1, esc(&e2, reason_text(s, p->reason)));
		break;
	case EC_ST_EXPIRED:
		ec_date_format(p->expires, d1);
		tmpl(&e1, s->expired_line, d1, NULL);
		break;
	case EC_ST_SUPERSEDED:
		ec_date_format(p->expires, d1);
		tmpl(&e1, s->superseded_line, cert_link(&e2, p->superseded_by), d1);
		break;
	default:
		ec_date_format(p->expires, d1);
		tmpl(&e1, s->valid_line, d1, NULL);
		break;
	}
	ec_buf_addc(&e1, '\0');
	banner(b, cls, word, e1.err ? "" : e1.p);

	ec_buf_adds(b, "<h2>");
	ec_buf_html(b, p->title);
	ec_buf_adds(b, "</h2>\n<dl>\n");
	dl_row(b, s->l_number, disp);
	ec_buf_reset(&e1);
	ec_buf_html(&e1, p->title);
	ec_buf_adds(&e1, " (");
	ec_buf_html(&e1, p->code);
	ec_buf_adds(&e1, ")");
	ec_buf_addc(&e1, '\0');
	dl_row(b, s->l_cert, e1.err ? "" : e1.p);
	dl_row(b, s->l_holder, esc(&e1, p->name_masked));
	ec_date_format(p->effective, d1);
	ec_date_format(p->expires, d2);
	dl_row(b, s->l_effective, d1);
	dl_row(b, s->l_expires, d2);
	dl_row(b, s->l_issuer, esc(&e1, p->issuer));
	if (p->renewal_of[0])
		dl_row(b, s->l_renewal_of, cert_link(&e1, p->renewal_of));
	if (p->superseded_by[0] && st != EC_ST_SUPERSEDED)
		dl_row(b, s->l_replaced_by, cert_link(&e1, p->superseded_by));
	ec_buf_adds(b, "</dl>\n");

	if (match >= 0) {
		ec_buf_addf(b, "<p class=\"m %s\" role=\"status\">", match ? "yes" : "no");
		ec_buf_html(b, match ? s->match_yes : s->match_no);
		ec_buf_adds(b, "</p>\n");
	}
	ec_buf_addf(b, "<form method=\"get\" action=\"%s\">\n<label for=\"name\">", base);
	ec_buf_html(b, s->confirm);
	ec_buf_adds(b, "</label>\n<input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"off\" "
	    "maxlength=\"64\" required value=\"");
	ec_buf_html(b, t->has_name ? t->name : "");
	ec_buf_adds(b, "\">\n");
	if (t->lang >= 0)
		ec_buf_addf(b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n",
		    t->lang == EC_WEB_ZH ? "zh" : "en");
	ec_buf_adds(b, "<button type=\"submit\">");
	ec_buf_html(b, s->check);
	ec_buf_adds(b, "</button>\n<p class=\"hint\">");
	ec_buf_html(b, s->confirm_hint);
	ec_buf_adds(b, "</p>\n</form>\n<footer><p>");
	ec_date_format(env->today, d1);
	tmpl(b, s->checked_on, d1, NULL);
	ec_buf_adds(b, "</p></footer>\n");
	page_tail(b, base);
	rc = e1.err ? e1.err : e2.err ? e2.err : b->err;
	ec_buf_free(&e1);
	ec_buf_free(&e2);
	return rc;
}

/* 400 for a number that is malformed or has wrong check digits; 404 for a well-formed unknown one. */
static int
number_error(struct ec_web_resp *r, int status, int err, const char *typed, const char *number,
    enum ec_web_lang lang, int json)
{
	const struct strs *s = strs_of(lang);
	struct ec_buf e;
	char disp[EC_NUMBER_DISPLAY + 1];
	const char *word, *line;
	int rc;

	r->status = status;
	ec_buf_reset(&r->body);
	if (json) {
		set_json(r);
		if (status == 404) {
			ec_buf_adds(&r->body, "{\"error\":\"not_found\",\"number\":");
			ec_buf_json(&r->body, number);
			ec_buf_adds(&r->body, ",\"message\":\"no certificate with this number is in the register\"}\n");
		} else {
			ec_buf_addf(&r->body, "{\"error\":\"%s\",\"input\":", err == EC_ERR_CHECKSUM ? "checksum" : "malformed");
			ec_buf_json(&r->body, typed);
			ec_buf_addf(&r->body, ",\"message\":\"%s\"}\n", err == EC_ERR_CHECKSUM ?
			    "the check digits do not match: probably a typo" :
			    "a certificate number has 22 digits");
		}
		return r->body.err;
	}
	set_html(r, lang);
	ec_buf_init(&e);
	if (status == 404) {
		word = s->notfound;
		ec_number_display(number, disp);
		tmpl(&e, s->notfound_line, disp, NULL);
	} else {
		struct ec_buf q;

		ec_buf_init(&q);
		ec_buf_adds(&q, "<strong>");
		ec_buf_html(&q, typed);
		ec_buf_adds(&q, "</strong>");
		ec_buf_addc(&q, '\0');
		word = err == EC_ERR_CHECKSUM ? s->typo : s->malformed;
		line = err == EC_ERR_CHECKSUM ? s->typo_line : s->malformed_line;
		tmpl(&e, line, q.err ? "" : q.p, NULL);
		if (q.err)
			e.err = q.err;
		ec_buf_free(&q);
	}
	ec_buf_addc(&e, '\0');
	page_head(&r->body, s, word, NULL);
	banner(&r->body, "unk", word, e.err ? "" : e.p);
	number_form(&r->body, s, status == 404 ? NULL : typed, -1);
	page_tail(&r->body, NULL);
	rc = e.err ? e.err : r->body.err;
	ec_buf_free(&e);
	return rc;
}

static int
cert(const struct ec_web_env *env, const struct ec_web_target *t, struct ec_web_resp *r,
    enum ec_web_lang lang, int json)
{
	char num[EC_NUMBER_DIGITS + 1];
	struct ec_pub p;
	enum ec_status st;
	int rc, match = -1;

	rc = ec_number_parse(t->typed, strlen(t->typed), num);
	if (rc == EC_ERR_CHECKSUM || rc == EC_ERR_SYNTAX)
		return number_error(r, 400, rc, t->typed, NULL, lang, json);
	if (rc)
		return ec_web_error(r, 500, lang, json);
	memset(&p, 0, sizeof p);
	rc = env->lookup(env->arg, num, &p);
	if (rc == 0) {
		p.number[EC_NUMBER_DIGITS] = '\0';
		st = ec_pub_status(&p, env->today);
		if (st != EC_ST_VALID && st != EC_ST_REVOKED && st != EC_ST_EXPIRED && st != EC_ST_SUPERSEDED)
			rc = EC_ERR_NOTFOUND;
	}
	if (rc == EC_ERR_NOTFOUND)
		return number_error(r, 404, rc, t->typed, num, lang, json);
	if (rc)
		return ec_web_error(r, 500, lang, json);
	if (t->has_name && (match = env->name_matches(env->arg, &p, t->name, strlen(t->name))) < 0)
		return ec_web_error(r, 500, lang, json);
	r->status = 200;
	ec_buf_reset(&r->body);
	if (json) {
		set_json(r);
		ec_web_cert_json(&r->body, &p, env->today, match);
		ec_buf_addc(&r->body, '\n');
		return r->body.err;
	}
	set_html(r, lang);
	resp_header_str(r, "Vary", "Accept, Accept-Language");
	return cert_page(env, t, &p, st, match, lang, &r->body);
}

static int
home(struct ec_web_resp *r, enum ec_web_lang lang, int explicit_lang)
{
	const struct strs *s = strs_of(lang);

	r->status = 200;
	ec_buf_reset(&r->body);
	set_html(r, lang);
	resp_header_str(r, "Vary", "Accept-Language");
	page_head(&r->body, s, s->site, NULL);
	ec_buf_adds(&r->body, "<h1>");
	ec_buf_html(&r->body, s->site);
	ec_buf_adds(&r->body, "</h1>\n<p>");
	ec_buf_html(&r->body, s->home_line);
	ec_buf_adds(&r->body, "</p>\n");
	number_form(&r->body, s, NULL, explicit_lang);
	page_tail(&r->body, "/");
	return r->body.err;
}

int
ec_web_handle(const struct ec_web_env *env, const struct ec_web_req *req, struct ec_web_target *t,
    struct ec_web_resp *resp)
{
	enum ec_web_lang lang = ec_web_lang_pick(req->accept_language);
	int json = ec_web_wants_json(req->accept), rc;

	if (req->target_len >= 5 && memcmp(req->target, "/api/", 5) == 0)
		json = 1;
	resp->status = 0;
	if (req->method == EC_WEB_OTHER) {
		memset(t, 0, sizeof *t);
		t->lang = -1;
		rc = ec_web_error(resp, 405, lang, json);
		if (rc == 0)
			rc = resp_header_str(resp, "Allow", "GET, HEAD");
		return rc;
	}
	rc = ec_web_parse_target(req->target, req->target_len, t);
	if (t->lang >= 0)
		lang = (enum ec_web_lang)t->lang;
	if (rc == EC_ERR_TOOBIG)
		return ec_web_error(resp, 414, lang, json);
	if (rc == EC_ERR_NOTFOUND)
		return ec_web_error(resp, 404, lang, json);
	if (rc)
		return ec_web_error(resp, 400, lang, json);
	switch (t->route) {
	case EC_WEB_R_HOME:
		return home(resp, lang, t->lang);
	case EC_WEB_R_PAGE:
	case EC_WEB_R_API:
		return cert(env, t, resp, lang, json);
	default:
		return 0;
	}
}

/* JSON string of s[0..n) for a log: printable ASCII as is, every other byte as \u00XX. */
/* s[0..n) as a JSON string for a log: printable ASCII as is, every other byte as \\u00XX (6n + 2 at most). */
static char *
w_log_str(char *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	*w++ = '"';
	for (i = 0; i < n; i++) {
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' && u[i] != '\\')
			*w++ = (char)u[i];
		else {
			w = W_LIT(w, "\\u00");
			*w++ = hex[u[i] >> 4];
			*w++ = hex[u[i] & 15];
		}
	}
	*w++ = '"';
	return w;
}

/* "YYYY-MM-DDTHH:MM:SS" of second secs into ts: formatted once a second per thread, not per line. */
static void
log_second(time_t secs, char ts[20])
{
	static __thread time_t last;
	static __thread char cached[20];
	static __thread int have;
	struct tm tm;

	if (!have || secs != last) {
		if (gmtime_r(&secs, &tm) == NULL || strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			memcpy(cached, "0000-00-00T00:00:00", sizeof cached);
		last = secs;
		have = 1;
	}
	memcpy(ts, cached, 20);
}

int
ec_web_log_line(struct ec_buf *b, int64_t epoch_usec, const char *method, const char *target, size_t len,
    int status, uint64_t bytes, uint64_t usec)
{
	char path[LOG_PATH_MAX], ts[20], *w;
	const char *cut;
	size_t n, i, last, end, digits, k, mlen;
	int64_t us = epoch_usec < 0 ? 0 : epoch_usec;
	uint32_t f;

	cut = memchr(target, '?', len);
	n = cut ? (size_t)(cut - target) : len;
	if ((cut = memchr(target, '#', n)) != NULL)
		n = (size_t)(cut - target);
	if (n > sizeof path)
		n = sizeof path;
	memcpy(path, target, n);
	/* Every segment on its own: a number is no less personal with a slash or a segment after it. */
	for (last = 0; last < n; last = end + 1) {
		for (end = last; end < n && path[end] != '/'; end++)
			;
		for (digits = 0, i = last; i < end; i++) {
			if (path[i] == '%' && i + 2 < end)
				i += 2;
			else if (path[i] >= '0' && path[i] <= '9')
				digits++;
		}
		for (k = 0, i = last; i < end; i++) {
			if (path[i] == '%' && i + 2 < end)
				i += 2;
			else if (path[i] >= '0' && path[i] <= '9') {
				if (k >= 4 && k + 2 < digits)
					path[i] = '*';
				k++;
			}
		}
	}
	log_second((time_t)(us / 1000000), ts);
	mlen = strnlen(method, LOG_METHOD_MAX);
	if (ec_buf_reserve(b, 6 * (n + mlen) + 160))
		return b->err;
	w = b->p + b->len;
	w = W_LIT(w, "{\"time\":\"");
	memcpy(w, ts, 19);
	w += 19;
	*w++ = '.';
	for (f = (uint32_t)(us % 1000000), i = 6; i > 0; i--, f /= 10)
		w[i - 1] = (char)('0' + f % 10);
	w += 6;
	w = W_LIT(w, "Z\",\"method\":");
	w = w_log_str(w, method, mlen);
	w = W_LIT(w, ",\"path\":");
	w = w_log_str(w, path, n);
	w = W_LIT(w, ",\"status\":");
	w = w_int(w, status);
	w = W_LIT(w, ",\"bytes\":");
	w = w_uint(w, bytes);
	w = W_LIT(w, ",\"usec\":");
	w = w_uint(w, usec);
	w = W_LIT(w, "}\n");
	return w_done(b, w);
}

static const char *const route_names[EC_WEB_R_COUNT] = {
	"other", "home", "page", "api", "trust", "crl", "healthz", "metrics"
};

const char *
ec_web_route_name(enum ec_web_route r)
{
	return (unsigned)r < EC_WEB_R_COUNT ? route_names[r] : "other";
}

static const int stat_codes[] = { 200, 304, 400, 404, 405, 414, 429, 431, 500, 503 };
#define NCODES (sizeof stat_codes / sizeof stat_codes[0])
static const uint64_t bucket_usec[] = { 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000 };
#define NBUCKETS (sizeof bucket_usec / sizeof bucket_usec[0])

/*
 * One shard per thread (threads beyond STAT_SHARDS share), each on its own cache lines: two cores
 * adding to one counter would pass its line back and forth on every request.
 */
struct stat_shard {
	uint64_t req[EC_WEB_R_COUNT][NCODES + 1];     /* the last column: any other status */
	uint64_t hist[NBUCKETS + 1];                  /* per bucket, not cumulative; the last: beyond */
	uint64_t sum_usec;
} __attribute__((aligned(64)));

struct ec_web_stats {
	struct stat_shard shard[STAT_SHARDS];
};

static unsigned stat_next;                    /* shards handed out to threads so far (atomic) */
static __thread unsigned stat_mine;           /* this thread's shard + 1; 0 until its first request */

struct ec_web_stats *
ec_web_stats_new(void)
{
	struct ec_web_stats *s = aligned_alloc(64, sizeof *s);

	if (s != NULL)
		memset(s, 0, sizeof *s);
	return s;
}

void
ec_web_stats_free(struct ec_web_stats *s)
{
	free(s);
}

void
ec_web_stats_add(struct ec_web_stats *s, enum ec_web_route r, int status, uint64_t usec)
{
	struct stat_shard *sh;
	size_t c, b;

	if (stat_mine == 0)
		stat_mine = __atomic_fetch_add(&stat_next, 1, __ATOMIC_RELAXED) % STAT_SHARDS + 1;
	sh = &s->shard[stat_mine - 1];
	if ((unsigned)r >= EC_WEB_R_COUNT)
		r = EC_WEB_R_NONE;
	for (c = 0; c < NCODES && stat_codes[c] != status; c++)
		;
	for (b = 0; b < NBUCKETS && usec > bucket_usec[b]; b++)
		;
	__atomic_fetch_add(&sh->req[r][c], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->hist[b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->sum_usec, usec, __ATOMIC_RELAXED);
}

int
ec_web_stats_render(const struct ec_web_stats *s, int64_t register_age, struct ec_buf *b)
{
	uint64_t v, cum = 0, sum = 0;
	size_t r, c, k;

	ec_buf_adds(b, "# HELP ecert_http_requests_total Requests answered, by route and status.\n"
	    "# TYPE ecert_http_requests_total counter\n");
	for (r = 0; r < EC_WEB_R_COUNT; r++)
		for (c = 0; c <= NCODES; c++) {
			for (v = 0, k = 0; k < STAT_SHARDS; k++)
				v += __atomic_load_n(&s->shard[k].req[r][c], __ATOMIC_RELAXED);
			if (v == 0)
				continue;
			if (c < NCODES)
				ec_buf_addf(b, "ecert_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
				    ec_web_route_name((enum ec_web_route)r), stat_codes[c], (unsigned long long)v);
			else
				ec_buf_addf(b, "ecert_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
				    ec_web_route_name((enum ec_web_route)r), (unsigned long long)v);
		}
	ec_buf_adds(b, "# HELP ecert_http_request_duration_seconds Time from the request line to the response.\n"
	    "# TYPE ecert_http_request_duration_seconds histogram\n");
	for (c = 0; c <= NBUCKETS; c++) {
		for (k = 0; k < STAT_SHARDS; k++)
			cum += __atomic_load_n(&s->shard[k].hist[c], __ATOMIC_RELAXED);
		if (c < NBUCKETS)
			ec_buf_addf(b, "ecert_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			    (double)bucket_usec[c] / 1e6, (unsigned long long)cum);
		else
			ec_buf_addf(b, "ecert_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
			    (unsigned long long)cum);
	}
	for (k = 0; k < STAT_SHARDS; k++)
		sum += __atomic_load_n(&s->shard[k].sum_usec, __ATOMIC_RELAXED);
	ec_buf_addf(b, "ecert_http_request_duration_seconds_sum %.6f\n"
	    "ecert_http_request_duration_seconds_count %llu\n", (double)sum / 1e6, (unsigned long long)cum);
	if (register_age >= 0)
		ec_buf_addf(b, "# HELP ecert_register_age_seconds Seconds since the public register was last written.\n"
		    "# TYPE ecert_register_age_seconds gauge\necert_register_age_seconds %lld\n",
		    (long long)register_age);
	return b->err;
}

/* IPv6 clients are keyed by their /64: one end site holds a whole /64 and could rotate within it. */
static void
key_v6(const unsigned char a[16], unsigned char key[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memcpy(key, a, 16);
	if (memcmp(a, mapped, sizeof mapped) != 0)
		memset(key + 8, 0, 8);
}

static void
key_v4(const unsigned char a[4], unsigned char key[16])
{
	memset(key, 0, 10);
	key[10] = key[11] = 0xff;
	memcpy(key + 12, a, 4);
}

int
ec_web_addr_key(const struct sockaddr *sa, unsigned char key[16])
{
	if (sa->sa_family == AF_INET) {
		key_v4((const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr, key);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		key_v6(((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr, key);
		return 0;
	}
	return ec_err_set(EC_ERR_ARG, "client address: not IPv4 or IPv6");
}

int
ec_web_xff_key(const char *xff, unsigned char key[16])
{
	char addr[INET6_ADDRSTRLEN];
	unsigned char a[16];
	const char *p, *end;
	size_t n;

	p = strrchr(xff, ',');
	p = p ? p + 1 : xff;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	if (n == 0 || n >= sizeof addr)
		return ec_err_set(EC_ERR_SYNTAX, "X-Forwarded-For: no address in the last hop");
	memcpy(addr, p, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, a) == 1) {
		key_v4(a, key);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a) == 1) {
		key_v6(a, key);
		return 0;
	}
	return ec_err_set(EC_ERR_SYNTAX, "X-Forwarded-For: '%s' is not an address", addr);
}

struct rl_slot {
	unsigned char key[16];
	int used;
	double tokens, last;
};

struct ec_ratelimit {
	double rate, burst;
	size_t n;
	uint64_t seed;
	pthread_mutex_t locks[RL_LOCKS];
	struct rl_slot *slots;
};

int
ec_ratelimit_new(double rate, double burst, size_t slots, struct ec_ratelimit **out)
{
	struct ec_ratelimit *rl;
	size_t i;

	*out = NULL;
	if (!(rate > 0) || burst < 1 || slots == 0)
		return ec_err_set(EC_ERR_ARG, "rate limit: rate, burst and slots must be positive");
	if ((rl = calloc(1, sizeof *rl)) == NULL || (rl->slots = calloc(slots, sizeof *rl->slots)) == NULL) {
		free(rl);
		return ec_err_set(EC_ERR_NOMEM, "rate limit: out of memory");
	}
	if (RAND_bytes((unsigned char *)&rl->seed, sizeof rl->seed) != 1) {
		free(rl->slots);
		free(rl);
		return ec_err_set(EC_ERR_CRYPTO, "rate limit: the random generator failed");
	}
	rl->rate = rate;
	rl->burst = burst;
	rl->n = slots;
	for (i = 0; i < RL_LOCKS; i++)
		pthread_mutex_init(&rl->locks[i], NULL);
	*out = rl;
	return 0;
}

void
ec_ratelimit_free(struct ec_ratelimit *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < RL_LOCKS; i++)
		pthread_mutex_destroy(&rl->locks[i]);
	free(rl->slots);
	free(rl);
}

/* FNV-1a over a secret seed and the key, so that clients cannot aim at each other's slots. */
static uint64_t
rl_hash(uint64_t seed, const unsigned char key[16])
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

unsigned
ec_ratelimit_take(struct ec_ratelimit *rl, const unsigned char key[16], double now)
{
	size_t i = (size_t)(rl_hash(rl->seed, key) % rl->n);
	pthread_mutex_t *lock = &rl->locks[i % RL_LOCKS];
	struct rl_slot *s = &rl->slots[i];
	unsigned wait = 0;
	double t;

	pthread_mutex_lock(lock);
	if (!s->used || memcmp(s->key, key, 16) != 0) {
		memcpy(s->key, key, 16);
		s->used = 1;
		s->tokens = rl->burst;
	} else if (now > s->last) {
		t = s->tokens + (now - s->last) * rl->rate;
		s->tokens = t < rl->burst ? t : rl->burst;
	}
	s->last = now > s->last ? now : s->last;
	if (s->tokens >= 1)
		s->tokens -= 1;
	else {
		t = (1 - s->tokens) / rl->rate;
		wait = t >= 3600 ? 3600 : (unsigned)t;
		if (wait < t || wait == 0)
			wait++;
	}
	pthread_mutex_unlock(lock);
	return wait;
}
