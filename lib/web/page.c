/* The endpoint's answers: security headers, HTML pages in English and Chinese, the certificate JSON, errors. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "date.h"
#include "err.h"
#include "number.h"
#include "wbuf.h"
#include "web.h"

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
    ".qr{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem}"
    ".qr.ok{border-left:.5rem solid #1b7f3b}.qr.bad{border-left:.5rem solid #b3261e;font-weight:600}"
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

void
ec_web_style_source(const char *style, size_t len, char out[EC_WEB_STYLE_SRC])
{
	unsigned char md[32];
	char b64[48] = "";
	unsigned int mdlen = 0;

	if (EVP_Digest(style, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == sizeof md)
		EVP_EncodeBlock((unsigned char *)b64, md, (int)sizeof md);
	snprintf(out, EC_WEB_STYLE_SRC, "%s%s%s", b64[0] ? "'sha256-" : "'none'", b64, b64[0] ? "'" : "");
}

static void
sec_init(void)
{
	char style[EC_WEB_STYLE_SRC];

	ec_web_style_source(css, sizeof css - 1, style);
	snprintf(csp, sizeof csp, "default-src 'none'; style-src %s; script-src 'self'; connect-src 'self'; "
	    "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'", style);
}

const char *const *
ec_web_security_headers(void)
{
	pthread_once(&sec_once, sec_init);
	return sec_headers;
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
	const char *html_lang, *site, *valid, *revoked, *expired, *superseded, *notyet, *notfound, *typo, *malformed;
	const char *valid_line, *revoked_line, *expired_line, *superseded_line, *notyet_line, *notfound_line, *typo_line;
	const char *malformed_line;
	const char *l_number, *l_cert, *l_holder, *l_effective, *l_expires, *l_issuer, *l_renewal_of;
	const char *l_replaced_by, *confirm, *confirm_hint, *check, *match_yes, *match_no, *checked_on;
	const char *another, *verify, *home_line;
	const char *e400, *e400_line, *e404, *e404_line, *e405, *e405_line, *e414, *e414_line;
	const char *e429, *e429_line, *e431, *e431_line, *e500, *e500_line, *e503, *e503_line;
	const char *n429, *n429_line, *n503, *n503_line;   /* name checks: budget spent, not set up */
	const char *reasons[11];
};

static const char *const reason_keys[11] = {
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
	"cessationOfOperation", "certificateHold", "removeFromCRL", "privilegeWithdrawn", "aACompromise",
	NULL
};

static const struct strs str_en = {
	"en", "Certificate verification", "VALID", "REVOKED", "EXPIRED", "SUPERSEDED", "NOT YET VALID", "NOT FOUND",
	"PROBABLY A TYPO", "NOT A CERTIFICATE NUMBER",
	"This certificate is genuine and valid until %s.",
	"Revoked on %s. Reason: %s.",
	"This certificate expired on %s.",
	"Replaced by certificate %s. This one remains valid until %s.",
	"This certificate is genuine but takes effect only on %s.",
	"No certificate with the number %s is in the register. Check the number printed on the certificate.",
	"The number you entered, %s, has wrong check digits: probably a typo. Please check it and try again.",
	"%s is not a certificate number. A certificate number has 22 digits, for example "
	    "0101 2345 6789 0123 4567 89.",
	"Certificate number", "Certification", "Holder", "Effective", "Expires", "Issuer", "Replaces",
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
	"TOO MANY NAME CHECKS", "This certificate's name checks for today are used up. Its status, shown "
	    "without a name, is still available; please try the name again tomorrow.",
	"NAME CHECK UNAVAILABLE", "This server cannot check names. The certificate's status, shown "
	    "without a name, is still available.",
	{ "unspecified", "key compromise", "CA compromise", "affiliation changed", "superseded",
	  "cessation of operation", "certificate hold", "removed from CRL", "privilege withdrawn",
	  "AA compromise", NULL }
};

static const struct strs str_zh = {
	"zh-CN", "证书验证", "有效", "已吊销", "已过期", "已被取代", "尚未生效", "未找到", "号码可能有误", "不是证书编号",
	"此证书真实有效，有效期至 %s。",
	"已于 %s 吊销。原因：%s。",
	"此证书已于 %s 过期。",
	"已被证书 %s 取代。本证书在 %s 之前仍然有效。",
	"此证书真实，但自 %s 起才生效。",
	"登记册中没有编号为 %s 的证书。请核对证书上印的编号。",
	"您输入的编号 %s 校验位不符，可能输入有误。请核对后重试。",
	"%s 不是证书编号。证书编号由 22 位数字组成，例如 0101 2345 6789 0123 4567 89。",
	"证书编号", "认证", "持证人", "生效日期", "失效日期", "签发机构", "取代", "取代者",
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
	"姓名核对次数过多", "此证书今日的姓名核对次数已用完。不带姓名仍可查看证书状态；请明天再核对姓名。",
	"无法核对姓名", "此服务器无法核对姓名。不带姓名仍可查看证书状态。",
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
	ec_buf_adds(b, "</main>\n<script src=\"/static/verify.js\" defer></script>\n</body>\n</html>\n");
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

/* An error answer: JSON {"error":code,"message":English line}, or a page with the words in lang. */
static int
error_answer(struct ec_web_resp *r, int status, const char *code, const char *word, const char *line,
    const char *line_en, enum ec_web_lang lang, int json)
{
	r->status = status;
	ec_buf_reset(&r->body);
	if (json) {
		set_json(r);
		ec_buf_addf(&r->body, "{\"error\":\"%s\",\"message\":", code);
		ec_buf_json(&r->body, line_en);
		ec_buf_adds(&r->body, "}\n");
	} else {
		set_html(r, lang);
		page_head(&r->body, strs_of(lang), word, NULL);
		banner(&r->body, "unk", word, line);
		if (status == 404 || status == 400)
			number_form(&r->body, strs_of(lang), NULL, -1);
		page_tail(&r->body, NULL);
	}
	return r->body.err;
}

int
ec_web_error(struct ec_web_resp *r, int status, enum ec_web_lang lang, int json)
{
	const char *word, *line, *line_en, *code;

	if (status != 400 && status != 404 && status != 405 && status != 414 && status != 429 &&
	    status != 431 && status != 503)
		status = 500;
	error_words(&str_en, status, &line_en, &code);
	word = error_words(strs_of(lang), status, &line, &code);
	return error_answer(r, status, code, word, line, line_en, lang, json);
}

/* A name check refused: the day's budget for this number spent (429), or no name key here (503). */
static int
name_refused(struct ec_web_resp *r, int spent, enum ec_web_lang lang, int json)
{
	const struct strs *s = strs_of(lang);

	return spent ? error_answer(r, 429, "name_checks_exhausted", s->n429, s->n429_line, str_en.n429_line, lang,
	    json) : error_answer(r, 503, "name_check_unavailable", s->n503, s->n503_line, str_en.n503_line, lang, json);
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
	case EC_ST_NOT_YET_VALID: word = s->notyet; cls = "old"; break;
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
	case EC_ST_NOT_YET_VALID:
		ec_date_format(p->effective, d1);
		tmpl(&e1, s->notyet_line, d1, NULL);
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
	/* what the QR code's fragment carries, once the page's script has checked its signature */
	ec_buf_addf(b, "<section id=\"qr\" class=\"qr\" data-number=\"%s\" hidden aria-live=\"polite\"></section>\n",
	    p->number);

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
		if (st != EC_ST_VALID && st != EC_ST_REVOKED && st != EC_ST_EXPIRED && st != EC_ST_SUPERSEDED &&
		    st != EC_ST_NOT_YET_VALID)
			rc = EC_ERR_NOTFOUND;
	}
	if (rc == EC_ERR_NOTFOUND)
		return number_error(r, 404, rc, t->typed, num, lang, json);
	if (rc)
		return ec_web_error(r, 500, lang, json);
	if (t->has_name && (match = env->name_matches(env->arg, &p, t->name, strlen(t->name))) < 0) {
		if (match == EC_ERR_REFUSED || match == EC_ERR_UNSUPPORTED)
			return name_refused(r, match == EC_ERR_REFUSED, lang, json);
		return ec_web_error(r, 500, lang, json);
	}
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
	case EC_WEB_R_SCRIPT:
		return ec_web_script(resp);
	default:
		return 0;
	}
}
