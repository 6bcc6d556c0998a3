/*
 * Associating an exam record by its score report (the guide's "Associate My Exam Record"): the
 * report's data only finds the record; the binding happens when the link mailed to the address the
 * candidate gives is used, and the record's own address hears of it when that is another address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "digest.h"
#include "err.h"
#include "fields.h"
#include "mask.h"
#include "name.h"
#include "outbox.h"
#include "pform.h"
#include "pweb_int.h"

static const char *const fields[] = { "last_name", "first_name", "registration_no", "email" };
static const char *const labels[] = { "Last name", "First name", "Registration number", "Email address" };

int
associate_get(struct pg *g, const struct ec_form *prev, const char *alert)
{
	char seed[POW_SEED_MAX];
	const char *v;
	size_t i;
	int r;

	if ((r = pow_issue(g->p->pow, g->r->now, seed)))
		return r;
	g->out->status = alert ? 400 : 200;
	page_begin(g, T(g, "Associate My Exam Record"));
	if (alert)
		htmlf(g, "<p class=\"msg alert\" role=\"alert\">%s</p>\n", alert);
	htmlf(g, "<p>%s</p>\n<div class=\"box\">", T(g, "Type the details of your score report. They only find "
	    "the exam record: it is associated when you open the link we send to the address you give."));
	ec_buf_adds(&g->out->body, "<form method=\"post\" action=\"/me/associate\" id=\"associate\">");
	htmlf(g, "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"pow_seed\" "
	    "value=\"%s\"><input type=\"hidden\" name=\"pow_nonce\" value=\"\">", g->csrf, seed);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		v = prev ? ec_form_get(prev, fields[i]) : NULL;
		htmlf(g, "<label for=\"%s\">%s</label>", fields[i], T(g, labels[i]));
		htmlf(g, i == 3 ? "<input type=\"email\" id=\"%s\" name=\"%s\" maxlength=\"254\" required value=\"%s\">" :
		    "<input type=\"text\" id=\"%s\" name=\"%s\" maxlength=\"128\" required value=\"%s\">", fields[i],
		    fields[i], v ? v : "");
	}
	htmlf(g, "<label><input type=\"checkbox\" name=\"consent\" value=\"yes\" required> %s</label>",
	    T(g, "I agree that my exam record is looked up with these details."));
	htmlf(g, "<noscript><p class=\"hint\">%s</p></noscript>", T(g, "Without JavaScript, wait 15 seconds on this "
	    "page before sending: the wait stands for the check that keeps robots out."));
	htmlf(g, "<p class=\"hint\" id=\"pow-status\" aria-live=\"polite\"></p><button type=\"submit\">%s</button>"
	    "</form></div>\n<script src=\"/static/pow.js\" defer></script>\n", T(g, "Send activation link"));
	page_end(g);
	return g->out->body.err;
}

/* The report's names against the record's: compared as holder names are (case, spaces and NFC aside). */
static int
same_name(const char *a, const char *b)
{
	char *fa = NULL, *fb = NULL;
	int same = 0;

	if (ec_name_fold(a, strlen(a), &fa) == 0 && ec_name_fold(b, strlen(b), &fb) == 0)
		same = strcmp(fa, fb) == 0;
	free(fa);
	free(fb);
	return same;
}

/* The record these details find, when it can be associated now; else 0 (nothing said: no oracle). */
static int
findable(struct pg *g, const char *last, const char *first, const char *reg, struct ec_exam *x)
{
	uint64_t owner = 0;
	ec_day first_day;

	if (ec_office_exam_get(g->p->c.office, reg, x) || !same_name(last, x->last_name) ||
	    !same_name(first, x->first_name))
		return 0;
	/* the guide: one working day after the exam */
	first_day = ec_date_add_working_days(x->exam_date, 1, g->p->c.cat->holidays, g->p->c.cat->nholidays);
	if (pw_today(g->p) < first_day)
		return 0;
	if (ec_portal_record_owner(g->p->c.office, reg, &owner) || (owner && owner != g->a.id))
		return 0;
	return 1;
}

int
associate_post(struct pg *g, const struct ec_form *f)
{
	const char *last = ec_form_get(f, "last_name"), *first = ec_form_get(f, "first_name");
	const char *reg = ec_form_get(f, "registration_no"), *email = ec_form_get(f, "email");
	const char *consent = ec_form_get(f, "consent");
	struct ec_ptoken t;
	struct ec_exam x;
	unsigned char h[EC_PORTAL_HASH];
	char tok[64], msg[300];
	int r;

	if (!last || !first || !reg || !email || ec_field_text(last, EC_PNAME_MAX, 1) ||
	    ec_field_text(first, EC_PNAME_MAX, 1) || (!last[0] && !first[0]))
		return associate_get(g, f, T(g, "Type the names as the score report shows them."));
	if (ec_field_regno(reg))
		return associate_get(g, f, T(g, "That is not a registration number."));
	if (ec_field_email(email))
		return associate_get(g, f, T(g, "That is not an email address."));
	if (!consent || strcmp(consent, "yes"))
		return associate_get(g, f, T(g, "Without your consent nothing is looked up."));
	/*
	 * The client's own budget before the work is checked, so that no client fills the memory of used
	 * challenges; the budgets of the address, the account and the registration number after it, so
	 * that forms without the work cannot spend another person's.
	 */
	if (pw_limited_client(g))
		return page_message(g, 429, T(g, "Too many requests"), T(g, "Please wait a moment and try again."), 1);
	if ((r = pow_check(g->p->pow, ec_form_get(f, "pow_seed"), reg, email, ec_form_get(f, "pow_nonce"),
	    g->r->now))) {
		if (r == EC_ERR_FULL)
			return page_message(g, 503, T(g, "Too many requests"), T(g, "Please wait a moment and try again."), 1);
		if (r != EC_ERR_REFUSED)
			return r;
		snprintf(msg, sizeof msg, "%s", ec_err_msg(r));
		return associate_get(g, f, msg);
	}
	if (pw_limited_subjects(g, email) || pw_limited_key(g, reg))
		return page_message(g, 429, T(g, "Too many requests"), T(g, "Please wait a moment and try again."), 1);
	if (findable(g, last, first, reg, &x)) {
		memset(&t, 0, sizeof t);
		if ((r = pw_new_token(tok, h)))
			return r;
		t.kind = EC_TK_RECORD;
		t.acct = g->a.id;
		snprintf(t.email, sizeof t.email, "%s", email);
		snprintf(t.reg_no, sizeof t.reg_no, "%s", x.reg_no);
		t.created = g->r->now;
		t.expires = g->r->now + EC_TOKEN_TTL;
		if ((r = ec_portal_token_put(g->p->c.office, h, &t)) == 0)
			r = pw_mail_link(g, "record", email, "/me/associate/verify", tok, NULL, x.reg_no);
		explicit_bzero(tok, sizeof tok);
		if (r)
			return r;
	}
	/* the same answer whether or not the details found a record */
	return page_message(g, 200, T(g, "Associate My Exam Record"), T(g, "If these details match an exam record "
	    "that can be associated, we sent a link to the address you gave. Open it to finish."), 0);
}

/* The record's own address hears that another address took it, and how to dispute that. */
static int
tell_owner(struct pg *g, const struct ec_exam *x, const char *by)
{
	struct ec_notice n;
	char masked[EC_EMAIL_MAX + 8], lang[3];
	int r;

	if (!strcasecmp(x->email, by))
		return 0;
	if (ec_mask_email(by, masked, sizeof masked))
		snprintf(masked, sizeof masked, "****");
	if ((r = ec_office_lang_get(g->p->c.office, x->email, lang)))
		return r;
	if ((r = ec_notice_init(&n, "recordbound", x->email, lang[0] ? lang : g->zh ? "zh" : "en",
	    g->p->c.mail_domain, g->r->now)) || (r = ec_notice_set(&n, "org", g->p->c.org)) ||
	    (r = ec_notice_set(&n, "reg_no", x->reg_no)) || (r = ec_notice_set(&n, "by", masked)))
		return r;
	return ec_outbox_queue(g->p->c.office, &n, NULL, NULL);
}

int
associate_verify_post(struct pg *g, const struct ec_form *f)
{
	const char *tk = ec_form_get(f, "t");
	unsigned char h[EC_PORTAL_HASH];
	struct ec_ptoken t;
	struct ec_exam x;
	int r;

	if (!tk)
		return page_message(g, 400, T(g, "Bad request"), T(g, "The request is not valid."), 1);
	ec_sha256(tk, strlen(tk), h);
	r = ec_portal_token_take(g->p->c.office, h, EC_TK_RECORD, g->r->now, NULL, &t);
	if (r == 0)
		r = ec_portal_record_bind(g->p->c.office, t.acct, t.reg_no, g->r->now);
	if (r == EC_ERR_NOTFOUND || r == EC_ERR_REFUSED || r == EC_ERR_CONFLICT)
		return pw_refused(g, T(g, "The link or code did not work"), r);
	if (r || (r = ec_office_exam_get(g->p->c.office, t.reg_no, &x)) || (r = tell_owner(g, &x, t.email)))
		return r;
	return page_message(g, 200, T(g, "Associate My Exam Record"), T(g, "The exam record is associated."), 0);
}
