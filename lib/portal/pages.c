/* The portal's pages: one style under a strict policy, English and Chinese, every value escaped. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pweb_int.h"
#include "web.h"

/*
 * The only style; its hash is in the Content-Security-Policy. The only script is /static/pow.js, on the
 * score-report form, which works without it.
 */
static const char css[] =
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans CJK SC\","
    "\"PingFang SC\",\"Microsoft YaHei\",sans-serif;color:#1a1a1a;background:#f2f3f5}"
    "header{background:#1f3a5f;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;"
    "align-items:center}header a{color:#fff}header .site{font-weight:700;margin-right:auto}"
    "header form{display:inline;margin:0;padding:0;background:none}"
    "header button{background:none;border:1px solid #fff;color:#fff;padding:.2rem .6rem;font-size:.875rem}"
    "main{max-width:60rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.5rem;margin:.5rem 0 1rem}"
    "form.box,.box{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem}"
    "label{display:block;font-weight:600;margin:.5rem 0 .25rem}"
    "input[type=email],input[type=text]{display:block;width:100%;max-width:28rem;box-sizing:border-box;"
    "font:inherit;padding:.5rem}"
    "button{font:inherit;padding:.5rem 1.25rem;margin-top:.75rem}"
    ".hint,footer{font-size:.875rem;color:#555}"
    ".msg{background:#fff;border-left:.4rem solid #1b7f3b;padding:.75rem 1rem;margin:0 0 1rem}"
    ".alert{border-left-color:#b3261e}"
    "table{border-collapse:collapse;width:100%;background:#fff}"
    "th,td{text-align:left;padding:.5rem;border-bottom:1px solid #ddd;vertical-align:top}"
    "th{background:#e8ebef;font-size:.875rem}td:nth-child(2),td:nth-child(3),td:nth-child(4){white-space:nowrap}"
    ".box th+td{white-space:pre-line}td form{margin:0;padding:0;background:none}td button{margin:0;padding:.25rem .75rem}"
    ".box table th{background:none;width:14rem}.preview{background:#fff;border:1px solid #ddd;padding:.5rem 1rem;"
    "margin:.5rem 0 1rem}.preview svg{height:3.5rem;max-width:100%}select,textarea{display:block;width:100%;"
    "max-width:28rem;box-sizing:border-box;font:inherit;padding:.5rem}fieldset{border:0;padding:0;margin:.5rem 0}"
    "legend{font-weight:600}"
    ".lang{font-size:.875rem}"
    "@media(max-width:40rem){table,thead,tbody,tr,th,td{display:block}thead{display:none}"
    "tr{margin:0 0 .75rem;border-radius:.5rem;background:#fff}td{border:0;padding:.25rem .75rem}"
    "td::before{content:attr(data-h);display:block;font-size:.75rem;color:#555}}";

static char csp[320];
static const char *const sec_headers[] = {
	"Content-Security-Policy", csp,
	"X-Content-Type-Options", "nosniff",
	/* same-origin, not no-referrer: browsers then send a form's real Origin, which the portal checks */
	"Referrer-Policy", "same-origin",
	"X-Frame-Options", "DENY",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()",
	"X-Robots-Tag", "noindex, nofollow",
	NULL
};
static pthread_once_t sec_once = PTHREAD_ONCE_INIT;

static void
sec_init(void)
{
	char style[EC_WEB_STYLE_SRC];

	ec_web_style_source(css, sizeof css - 1, style);
	snprintf(csp, sizeof csp, "default-src 'none'; style-src %s; script-src 'self'; img-src 'self'; "
	    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'", style);
}

const char *const *
ec_pweb_security_headers(void)
{
	pthread_once(&sec_once, sec_init);
	return sec_headers;
}

/* English, then Chinese: the guide's page and column names. */
static const char *const strs[][2] = {
	{ "Certificates", "证书" },
	{ "My Certificates", "我的证书" },
	{ "Trainee Email Mgmt.", "学员邮箱管理" },
	{ "Sign out", "退出" },
	{ "Sign out everywhere", "在所有设备上退出" },
	{ "Sign in", "登录" },
	{ "Email address", "邮箱地址" },
	{ "Send me a sign-in link", "发送登录链接" },
	{ "We email you a link and a 6-digit code: no password.", "我们会向您发送登录链接和 6 位验证码，无需密码。" },
	{ "Check your email", "请查收邮件" },
	{ "If this address can receive mail, a sign-in link and a code are on their way. They work for 15 minutes, "
	  "in this browser.", "如果该地址可以收信，登录链接和验证码已发出，15 分钟内在本浏览器中有效。" },
	{ "6-digit code", "6 位验证码" },
	{ "Continue", "继续" },
	{ "Continue to sign in.", "请点击继续以登录。" },
	{ "Certificate Name", "证书名称" },
	{ "Certificate Number", "证书编号" },
	{ "Effective Date", "生效日期" },
	{ "Expiration Date", "失效日期" },
	{ "Certificate Status", "证书状态" },
	{ "Renewal", "续期" },
	{ "Download", "下载" },
	{ "Not Applied", "未申请" },
	{ "Requested", "已申请" },
	{ "Approved", "已批准" },
	{ "Revoked", "已吊销" },
	{ "Expired", "已过期" },
	{ "Superseded", "已被取代" },
	{ "Partly Done", "部分完成" },
	{ "Yes", "是" },
	{ "missing", "尚缺" },
	{ "replaced by", "取代者" },
	{ "replaces", "取代" },
	{ "paper certificate", "纸质证书" },
	{ "No exam records are associated with this account yet.", "此账户尚未关联考试记录。" },
	{ "Associate an exam email address", "关联考试邮箱" },
	{ "Send activation link", "发送激活链接" },
	{ "Activated", "激活日期" },
	{ "Disassociate", "解除关联" },
	{ "We sent a link to that address. Open it to finish.", "链接已发送至该地址，打开链接即可完成。" },
	{ "Associate this address with your account.", "将此地址关联到您的账户。" },
	{ "Disassociate this address from your account.", "从您的账户解除关联此地址。" },
	{ "The address is associated.", "地址已关联。" },
	{ "The address is disassociated.", "地址已解除关联。" },
	{ "Not found", "未找到" },
	{ "There is nothing at this address.", "此地址没有内容。" },
	{ "Refused", "已拒绝" },
	{ "The form has expired. Go back, reload the page and try again.", "表单已失效，请返回并刷新页面后重试。" },
	{ "Too many requests", "请求过于频繁" },
	{ "Please wait a moment and try again.", "请稍候再试。" },
	{ "Bad request", "请求无效" },
	{ "Method not allowed", "不支持的请求方法" },
	{ "The request is not valid.", "请求无效。" },
	{ "Server error", "服务器错误" },
	{ "Please try again later.", "请稍后重试。" },
	{ "That is not an email address.", "这不是有效的邮箱地址。" },
	{ "Verify", "验证" },
	{ "The public verification page", "公开验证页面" },
	{ "Sign-in failed", "登录失败" },
	{ "The link or code did not work", "链接或验证码无效" },
	{ "Not available", "不可用" },
	{ "Revoked and superseded certificates cannot be downloaded.", "已吊销或已被取代的证书不能下载。" },
	{ "A paper certificate is mailed to you, not downloaded.", "纸质证书将邮寄给您，不提供下载。" },
	{ "Associate My Exam Record", "关联我的考试记录" },
	{ "Type the details of your score report. They only find the exam record: it is associated when you open "
	  "the link we send to the address you give.", "请输入成绩单上的信息。这些信息仅用于查找考试记录：您打开我们发送到所填邮箱的链接后，才会完成关联。" },
	{ "Last name", "姓" },
	{ "First name", "名" },
	{ "Registration number", "考试注册号" },
	{ "I agree that my exam record is looked up with these details.", "我同意使用以上信息查找我的考试记录。" },
	{ "Without JavaScript, wait 15 seconds on this page before sending: the wait stands for the check that "
	  "keeps robots out.", "未启用 JavaScript 时，请在本页等待 15 秒后再提交：等待用于代替防机器人检查。" },
	{ "Type the names as the score report shows them.", "请按成绩单填写姓名。" },
	{ "That is not a registration number.", "这不是有效的考试注册号。" },
	{ "Without your consent nothing is looked up.", "未经您同意，不会进行查找。" },
	{ "If these details match an exam record that can be associated, we sent a link to the address you gave. "
	  "Open it to finish.", "如果以上信息与可关联的考试记录一致，我们已向您填写的邮箱发送链接，打开链接即可完成。" },
	{ "Associate this exam record with your account.", "将此考试记录关联到您的账户。" },
	{ "The exam record is associated.", "考试记录已关联。" },
	{ "Apply for Certificate", "申请证书" },
	{ "Format", "证书形式" },
	{ "electronic (PDF)", "电子证书（PDF）" },
	{ "paper (by post)", "纸质证书（邮寄）" },
	{ "Full name, exactly as it will be printed", "姓名（与证书上打印的完全一致）" },
	{ "Telephone", "电话" },
	{ "Postal address (paper only)", "邮寄地址（仅纸质证书）" },
	{ "I agree to the privacy statement: my details are kept to issue and verify this certificate.",
	  "我同意隐私声明：我的信息仅用于签发和验证此证书。" },
	{ "Review", "预览" },
	{ "Review your application", "确认您的申请" },
	{ "The format and the name cannot be changed after you submit. Check them now.",
	  "提交后证书形式和姓名均不能更改，请现在核对。" },
	{ "Your name as it will be printed on the certificate:", "您的姓名在证书上的打印效果：" },
	{ "Submit the application", "提交申请" },
	{ "Change something", "修改" },
	{ "Choose one of your associated email addresses.", "请选择一个已关联的邮箱。" },
	{ "None of your exam records is for this certification.", "您的考试记录中没有此认证。" },
	{ "Your application was received. It shows as Requested under My Certificates until the certificate is "
	  "issued.", "已收到您的申请。在证书签发前，它在“我的证书”中显示为“已申请”。" },
	{ "Mailing Info", "邮寄信息" },
	{ "Requested Date", "申请日期" },
	{ "Renew", "续期" },
	{ "Postal address, until the certificate ships", "邮寄地址（证书寄出前可修改）" },
	{ "Change address", "修改地址" },
	{ "The address is changed; the certificate will be sent there.", "地址已修改，证书将寄往新地址。" },
	{ "Name correction requested, waiting for the office", "已申请更正姓名，等待办公室处理" },
	{ "Request a correction of the printed name", "申请更正证书上的姓名" },
	{ "Request a correction", "申请更正" },
	{ "Your correction request was received. The office reissues the certificate with the corrected name; the "
	  "old one is then revoked as superseded.", "已收到您的更正申请。办公室将以更正后的姓名重新签发证书，旧证书随后以“已被取代”为由吊销。" },
	{ "Renewal requested on", "已申请续期，日期：" },
	{ "This certification is not renewed: when it expires, pass its exams again and apply.",
		"此认证不提供续期：证书到期后，请重新通过考试并申请。" },
	{ "Your renewal request was received. The office's next issuance run signs the new certificate; the old one "
	  "then shows as Superseded.", "已收到您的续期申请。办公室下一次签发时将签发新证书，旧证书随后显示为“已被取代”。" },
	{ "Shipped", "寄出日期" },
	{ "Expected shipping", "预计寄出" },
	{ "Address", "地址" },
	{ "Add to LinkedIn profile", "添加到 LinkedIn 个人资料" },
};

const char *
T(const struct pg *g, const char *en)
{
	size_t i;

	if (!g->zh)
		return en;
	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (!strcmp(strs[i][0], en))
			return strs[i][1];
	return en;
}

void
html(struct pg *g, const char *s)
{
	ec_buf_html(&g->out->body, s);
}

void
htmlf(struct pg *g, const char *fmt, ...)
{
	va_list ap;
	const char *p, *s;

	va_start(ap, fmt);
	for (p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			s = va_arg(ap, const char *);
			ec_buf_html(&g->out->body, s ? s : "");
			p++;
		} else {
			ec_buf_addc(&g->out->body, *p);
		}
	}
	va_end(ap);
}

void
form_begin(struct pg *g, const char *action)
{
	ec_buf_adds(&g->out->body, "<form method=\"post\" action=\"");
	html(g, action);
	ec_buf_adds(&g->out->body, "\">");
	ec_buf_addf(&g->out->body, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", g->csrf);
}

void
page_begin(struct pg *g, const char *title)
{
	struct ec_buf *b = &g->out->body;
	const char *path = g->r->path;

	g->out->ctype = "text/html; charset=utf-8";
	ec_buf_reset(b);
	ec_buf_addf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>", g->zh ? "zh-CN" : "en");
	html(g, title);
	ec_buf_adds(b, " — ");
	html(g, g->p->c.org);
	ec_buf_adds(b, "</title>\n<style>");
	ec_buf_adds(b, css);
	ec_buf_adds(b, "</style>\n</head>\n<body>\n<header>\n<span class=\"site\">");
	html(g, g->p->c.org);
	ec_buf_adds(b, " · ");
	html(g, T(g, "Certificates"));
	ec_buf_adds(b, "</span>\n");
	if (g->signed_in) {
		htmlf(g, "<a href=\"/me\">%s</a>\n<a href=\"/me/associate\">%s</a>\n<a href=\"/me/emails\">%s</a>\n",
		    T(g, "My Certificates"), T(g, "Associate My Exam Record"), T(g, "Trainee Email Mgmt."));
		form_begin(g, "/logout");
		htmlf(g, "<button type=\"submit\">%s</button></form>\n", T(g, "Sign out"));
	}
	/* the language switch keeps the page: the same path, only ?lang= */
	ec_buf_adds(b, "<span class=\"lang\"><a href=\"");
	html(g, path);
	ec_buf_adds(b, "?lang=en\" hreflang=\"en\" lang=\"en\">English</a> · <a href=\"");
	html(g, path);
	ec_buf_adds(b, "?lang=zh\" hreflang=\"zh\" lang=\"zh-CN\">中文</a></span>\n</header>\n<main>\n<h1>");
	html(g, title);
	ec_buf_adds(b, "</h1>\n");
}

void
page_end(struct pg *g)
{
	ec_buf_adds(&g->out->body, "</main>\n</body>\n</html>\n");
}

int
page_message(struct pg *g, int status, const char *title, const char *msg, int alert)
{
	g->out->status = status;
	page_begin(g, title);
	htmlf(g, alert ? "<p class=\"msg alert\" role=\"alert\">%s</p>\n" : "<p class=\"msg\" role=\"status\">%s</p>\n",
	    msg);
	page_end(g);
	return g->out->body.err;
}
