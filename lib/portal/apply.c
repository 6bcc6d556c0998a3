/*
 * Applying from the portal (the guide's "Apply for Certificate"): the form, a review page that shows
 * the name drawn by the certificate's own fonts, and one submission. The rules are ec_app_check's,
 * the same as ecert-issue apply's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "application.h"
#include "err.h"
#include "msg.h"
#include "pform.h"
#include "pweb_int.h"

#define REGS_MAX 16              /* a person's results for one certification, tried newest first */

/* The account's passed results for a certification, newest first: the ones an application may name. */
struct regs {
	const char *code;
	struct ec_exam v[REGS_MAX];
	size_t n;
};

static int
reg_one(void *ctx, const struct ec_exam *x)
{
	struct regs *r = ctx;
	size_t i;

	if (!x->passed || strcmp(x->code, r->code) || r->n == REGS_MAX)
		return 0;
	for (i = r->n; i > 0 && r->v[i - 1].exam_date < x->exam_date; i--)
		r->v[i] = r->v[i - 1];
	r->v[i] = *x;
	r->n++;
	return 0;
}

/* The account's associated addresses: the guide's drop-down. */
struct addrs {
	char v[16][EC_EMAIL_MAX + 1];
	size_t n;
};

static int
addr_one(void *ctx, const struct ec_addr *a)
{
	struct addrs *l = ctx;

	if (l->n < 16)
		snprintf(l->v[l->n++], sizeof l->v[0], "%s", a->email);
	return 0;
}

/* The certification, when the account has a passed result for it; else NULL (404: nothing to apply for). */
static const struct ec_cat_entry *
applicable(struct pg *g, const char *code)
{
	const struct ec_cat_entry *ce = code ? ec_catalog_find(g->p->c.cat, code) : NULL;
	struct regs regs;

	if (!ce)
		return NULL;
	memset(&regs, 0, sizeof regs);
	regs.code = ce->code;
	if (ec_portal_records_each(g->p->c.office, g->a.id, reg_one, &regs) || !regs.n)
		return NULL;
	return ce;
}

static const char *
field(const struct ec_form *f, const char *name)
{
	const char *v = f ? ec_form_get(f, name) : NULL;

	return v ? v : "";
}

/* The form, empty or as sent (prev) with what was wrong (alert). */
static int
form_page(struct pg *g, const struct ec_cat_entry *ce, const struct ec_form *prev, const char *alert)
{
	struct addrs a;
	const char *fmt = field(prev, "format");
	size_t i;
	int r;

	memset(&a, 0, sizeof a);
	if ((r = ec_portal_addrs_each(g->p->c.office, g->a.id, addr_one, &a)))
		return r;
	g->out->status = alert ? 400 : 200;
	page_begin(g, T(g, "Apply for Certificate"));
	if (alert)
		htmlf(g, "<p class=\"msg alert\" role=\"alert\">%s</p>\n", alert);
	htmlf(g, "<h2>%s (%s)</h2>\n<div class=\"box\">", ce->title, ce->code);
	form_begin(g, "/me/apply");
	htmlf(g, "<input type=\"hidden\" name=\"certification\" value=\"%s\">", ce->code);
	htmlf(g, "<label for=\"email\">%s</label><select id=\"email\" name=\"email\">", T(g, "Email address"));
	for (i = 0; i < a.n; i++)
		htmlf(g, strcasecmp(a.v[i], field(prev, "email")) ? "<option>%s</option>" :
		    "<option selected>%s</option>", a.v[i]);
	htmlf(g, "</select><fieldset><legend>%s</legend>", T(g, "Format"));
	if (ce->formats & EC_CAT_ELECTRONIC)
		htmlf(g, "<label><input type=\"radio\" name=\"format\" value=\"electronic\"%s> %s</label>",
		    strcmp(fmt, "paper") ? " checked" : "", T(g, "electronic (PDF)"));
	if (ce->formats & EC_CAT_PAPER)
		htmlf(g, "<label><input type=\"radio\" name=\"format\" value=\"paper\"%s> %s</label>",
		    !strcmp(fmt, "paper") || !(ce->formats & EC_CAT_ELECTRONIC) ? " checked" : "", T(g, "paper (by post)"));
	htmlf(g, "</fieldset><label for=\"name\">%s</label>", T(g, "Full name, exactly as it will be printed"));
	htmlf(g, "<input type=\"text\" id=\"name\" name=\"name\" maxlength=\"200\" required value=\"%s\">", field(prev, "name"));
	htmlf(g, "<label for=\"tel\">%s</label><input type=\"text\" id=\"tel\" name=\"tel\" maxlength=\"32\" "
	    "autocomplete=\"tel\" value=\"%s\">", T(g, "Telephone"), field(prev, "tel"));
	htmlf(g, "<label for=\"address\">%s</label><textarea id=\"address\" name=\"address\" rows=\"4\" "
	    "maxlength=\"255\">%s</textarea>", T(g, "Postal address (paper only)"), field(prev, "address"));
	htmlf(g, "<label><input type=\"checkbox\" name=\"consent\" value=\"yes\"%s> %s</label>",
	    !strcmp(field(prev, "consent"), "yes") ? " checked" : "", T(g, "I agree to the privacy statement: my "
	    "details are kept to issue and verify this certificate."));
	htmlf(g, "<button type=\"submit\">%s</button></form></div>\n", T(g, "Review"));
	page_end(g);
	return g->out->body.err;
}

/*
 * A refusal of the rules for the page: "field: detail", the detail as ecert-issue apply words it, in
 * the page's language. A detail lib keeps in English only (a configuration fault, a store's refusal)
 * follows the field and the kind of refusal in Chinese.
 */
static void
refusal(struct pg *g, const char *fld, int r, char *why, size_t whysz)
{
	static const struct { const char *field, *zh; } fields[] = {
		{ "registration_no", "考试记录" }, { "format", "证书形式" }, { "consent", "同意声明" },
		{ "address", "邮寄地址" }, { "name", "姓名" }, { "email", "邮箱地址" }, { "tel", "电话" },
	};
	const char *label = fld, *kind, *zh;
	size_t i;

	if (!g->zh) {
		snprintf(why, whysz, "%s: %s", fld, ec_err_msg(r));
		return;
	}
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (!strcmp(fields[i].field, fld))
			label = fields[i].zh;
	if ((zh = ec_err_msg_lang(r, EC_LANG_ZH)) != NULL) {
		snprintf(why, whysz, "%s：%s", label, zh);
		return;
	}
	kind = r == EC_ERR_SYNTAX ? "格式不正确或无法打印" : r == EC_ERR_TOOBIG ? "内容过长" :
	    r == EC_ERR_EXISTS ? "已提交过申请" : r == EC_ERR_CONFLICT ? "已持有或已申请此认证" : "不符合申请规则";
	snprintf(why, whysz, "%s：%s（%s: %s）", label, kind, fld, ec_err_msg(r));
}

/* Check f by the rules, trying the account's results newest first; a and the fields at fault out. */
static int
check(struct pg *g, const struct ec_cat_entry *ce, const struct ec_form *f, struct ec_app *a, char *why, size_t whysz)
{
	struct ec_app_rules rules = { g->p->c.office, g->p->c.cat, pw_today(g->p), g->p->c.verify_url, ec_designs_fonts,
		g->p->c.designs };
	struct ec_app_in in;
	struct regs regs;
	struct addrs ad;
	const char *fld;
	size_t i;
	int r, first = 0;

	memset(&regs, 0, sizeof regs);
	memset(&ad, 0, sizeof ad);
	regs.code = ce->code;
	if ((r = ec_portal_records_each(g->p->c.office, g->a.id, reg_one, &regs)) ||
	    (r = ec_portal_addrs_each(g->p->c.office, g->a.id, addr_one, &ad)))
		return r;
	for (i = 0; i < ad.n && strcasecmp(ad.v[i], field(f, "email")); i++)
		;
	if (i == ad.n) {
		snprintf(why, whysz, "%s", T(g, "Choose one of your associated email addresses."));
		return EC_ERR_REFUSED;
	}
	if (!regs.n) {
		snprintf(why, whysz, "%s", T(g, "None of your exam records is for this certification."));
		return EC_ERR_REFUSED;
	}
	memset(&in, 0, sizeof in);
	in.format = field(f, "format");
	in.name = field(f, "name");
	in.email = field(f, "email");
	in.tel = field(f, "tel");
	in.address = field(f, "address");
	in.consent = !strcmp(field(f, "consent"), "yes");
	for (i = 0; i < regs.n; i++) {
		in.reg_no = regs.v[i].reg_no;
		if ((r = ec_app_check(&rules, &in, a, &fld)) == 0)
			return 0;
		if (!strcmp(fld, "template"))
			return r;
		if (i == 0) {
			first = r;
			refusal(g, fld, r, why, whysz);
		}
	}
	return first;
}

int
apply_get(struct pg *g)
{
	const struct ec_cat_entry *ce = NULL;
	struct ec_form q;
	const char *code;

	memset(&q, 0, sizeof q);
	if (g->r->query && ec_form_parse(g->r->query, strlen(g->r->query), &q) == 0 &&
	    (code = ec_form_get(&q, "certification")))
		ce = applicable(g, code);
	ec_form_free(&q);
	if (!ce)
		return page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1);
	return form_page(g, ce, NULL, NULL);
}

/* The review: every field as it will be stored, the name as the certificate's fonts draw it. */
int
apply_post(struct pg *g, const struct ec_form *f)
{
	const struct ec_cat_entry *ce = applicable(g, field(f, "certification"));
	static const char *const keep[] = { "certification", "email", "format", "name", "tel", "address", "consent" };
	struct ec_app a;
	char why[600];
	size_t i;
	int r;

	if (!ce)
		return page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1);
	if ((r = check(g, ce, f, &a, why, sizeof why)))
		return r == EC_ERR_NOMEM || r == EC_ERR_IO || r == EC_ERR_CORRUPT ? r : form_page(g, ce, f, why);
	g->out->status = 200;
	page_begin(g, T(g, "Review your application"));
	htmlf(g, "<p class=\"msg alert\" role=\"alert\">%s</p>\n", T(g, "The format and the name cannot be changed "
	    "after you submit. Check them now."));
	htmlf(g, "<div class=\"box\"><p class=\"hint\">%s</p><div class=\"preview\">", T(g, "Your name as it will be "
	    "printed on the certificate:"));
	if ((r = ec_designs_name_svg(g->p->c.designs, ce->template_name, a.name, &g->out->body)))
		return r;
	htmlf(g, "</div><table><tbody><tr><th>%s</th><td>%s (%s)</td></tr>", T(g, "Certificate Name"), ce->title, ce->code);
	htmlf(g, "<tr><th>%s</th><td>%s</td></tr>", T(g, "Full name, exactly as it will be printed"), a.name);
	htmlf(g, "<tr><th>%s</th><td>%s</td></tr>", T(g, "Format"), T(g, a.format == EC_FORMAT_PAPER ?
	    "paper (by post)" : "electronic (PDF)"));
	htmlf(g, "<tr><th>%s</th><td>%s</td></tr>", T(g, "Email address"), a.email);
	htmlf(g, "<tr><th>%s</th><td>%s</td></tr>", T(g, "Telephone"), a.tel[0] ? a.tel : "/");
	if (a.format == EC_FORMAT_PAPER)
		htmlf(g, "<tr><th>%s</th><td>%s</td></tr>", T(g, "Postal address (paper only)"), a.address);
	ec_buf_adds(&g->out->body, "</tbody></table>");
	form_begin(g, "/me/apply/confirm");
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		htmlf(g, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", keep[i], field(f, keep[i]));
	htmlf(g, "<button type=\"submit\">%s</button></form>", T(g, "Submit the application"));
	htmlf(g, "<p><a href=\"/me/apply?certification=%s\">%s</a></p></div>\n", ce->code, T(g, "Change something"));
	page_end(g);
	return g->out->body.err;
}

/* 1 when one of the account's results for ce has an application waiting: this person applied already. */
static int
waiting(struct pg *g, const struct ec_cat_entry *ce)
{
	struct regs regs;
	struct ec_app a;
	size_t i;

	memset(&regs, 0, sizeof regs);
	regs.code = ce->code;
	if (ec_portal_records_each(g->p->c.office, g->a.id, reg_one, &regs))
		return 0;
	for (i = 0; i < regs.n; i++)
		if (ec_office_app_get(g->p->c.office, regs.v[i].reg_no, &a) == 0 && a.status == EC_ST_REQUESTED)
			return 1;
	return 0;
}

/*
 * Submit once: the register takes one application per person and certification, so a second click
 * or a second tab sending the same review finds the first one and is told it was received.
 */
int
apply_confirm(struct pg *g, const struct ec_form *f)
{
	static const char done[] = "Your application was received. It shows as Requested under My Certificates "
	    "until the certificate is issued.";
	const struct ec_cat_entry *ce = applicable(g, field(f, "certification"));
	struct ec_app a, old;
	char why[600] = "";
	int r;

	if (!ce)
		return page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1);
	if ((r = check(g, ce, f, &a, why, sizeof why)) == 0)
		r = ec_office_apply(g->p->c.office, &a, &old);
	if (r == 0 || ((r == EC_ERR_EXISTS || r == EC_ERR_CONFLICT) && waiting(g, ce)))
		return page_message(g, 200, T(g, "Apply for Certificate"), T(g, done), 0);
	if (r == EC_ERR_EXISTS || r == EC_ERR_CONFLICT || r == EC_ERR_REFUSED || r == EC_ERR_SYNTAX || r == EC_ERR_TOOBIG ||
	    r == EC_ERR_ARG) {
		if (!why[0])
			snprintf(why, sizeof why, "%s", pw_err_text(g, r));
		return form_page(g, ce, f, why);
	}
	return r;
}
