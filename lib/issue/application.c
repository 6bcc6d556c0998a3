/* Applications for passed exams: the certification guide's rules, in one place for every tool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "b64.h"
#include "buf.h"
#include "earning.h"
#include "err.h"
#include "fields.h"
#include "mask.h"
#include "msg.h"
#include "name.h"
#include "number.h"
#include "shape.h"
#include "token.h"

/* Optional fields may be NULL; the required ones are then refused as empty, not dereferenced. */
static const char *
str(const char *s)
{
	return s ? s : "";
}

/*
 * The QR payload "<public-url>/v/<number>#<token>" for this name: every field of the token but the
 * name and the code has a fixed width, so its length is known before the certificate exists.
 */
static int
qr_fits(const struct ec_app_rules *r, const struct ec_cat_entry *ce, const char *name, ec_day effective)
{
	struct ec_ecert e;
	struct ec_buf pl;
	size_t tok, url;
	int rc;

	memset(&e, 0, sizeof e);
	ec_buf_init(&pl);
	if ((rc = ec_number_generate(ce->programme, e.number)))
		return rc;
	snprintf(e.name, sizeof e.name, "%s", name);
	snprintf(e.code, sizeof e.code, "%s", ce->code);
	e.effective = effective;
	e.expires = ec_date_expiry(effective, ce->years);
	if ((rc = ec_token_payload(&e, &pl)))
		goto out;
	tok = ec_b64url_len(EC_TOKEN_HEADER_LEN) + 1 + ec_b64url_len(pl.len) + 1 + ec_b64url_len(64);
	url = strlen(r->public_url) + 3 + EC_NUMBER_DIGITS + 1 + tok;
	if (url > EC_QR_MAX) {
		char n1[24], n2[24];

		snprintf(n1, sizeof n1, "%zu", url);
		snprintf(n2, sizeof n2, "%d", EC_QR_MAX);
		rc = ec_err_say(EC_ERR_TOOBIG, EC_MSG_NAME_QR, name, n1, n2);
	}
out:
	ec_buf_free(&pl);
	return rc;
}

/* The first 40 bytes of s into q, for quoting a bad value back. */
static const char *
quoted(const char *s, char *q, size_t qsz)
{
	snprintf(q, qsz, "%.40s", s);
	return q;
}

int
ec_app_exists(const struct ec_app *a)
{
	char d[11], em[EC_EMAIL_MAX + 8];

	ec_date_format(a->applied, d);
	if (!a->email[0] || ec_mask_email(a->email, em, sizeof em))
		snprintf(em, sizeof em, "%s", a->email[0] ? "****" : "");
	if (a->status == EC_ST_REQUESTED)
		return ec_err_say(EC_ERR_EXISTS, a->format == EC_FORMAT_PAPER ? EC_MSG_APPLIED_P_WAITING :
		    EC_MSG_APPLIED_E_WAITING, a->reg_no, d, a->name, em);
	return ec_err_say(EC_ERR_EXISTS, a->format == EC_FORMAT_PAPER ? EC_MSG_APPLIED_P_ISSUED :
	    EC_MSG_APPLIED_E_ISSUED, a->reg_no, d, a->name, em, a->number);
}

/*
 * One live certificate per person and certification: the exam's address must not hold a valid
 * certificate of that certification still valid on the day the new one would start.
 */
static int
not_live(const struct ec_app_rules *r, const struct ec_exam *x, ec_day effective)
{
	char number[EC_NUMBER_DIGITS + 1], d[11];
	ec_day expires;
	int rc;

	if ((rc = ec_office_live(r->office, x->email, x->code, effective, number, &expires)) || !number[0])
		return rc;
	ec_date_format(expires, d);
	return ec_err_say(EC_ERR_CONFLICT, EC_MSG_LIVE, x->reg_no, x->email, x->code, number, d);
}

/*
 * The exam behind the application: on record, passed, not yet applied for, its certification offered
 * and earned (every exam it requires passed by the exam's person); *effective gets the day it was earned.
 */
static int
exam_ok(const struct ec_app_rules *r, const char *reg_no, struct ec_exam *x, const struct ec_cat_entry **ce,
    ec_day *effective)
{
	struct ec_earning earn;
	struct ec_app old;
	ec_day first;
	char d1[11], d2[11], missing[EC_CAT_EXAMS_MAX * (EC_CODE_MAX + 2)];
	int rc;

	rc = ec_office_exam_get(r->office, reg_no, x);
	if (rc == EC_ERR_NOTFOUND)
		return ec_err_say(EC_ERR_REFUSED, EC_MSG_NO_RESULT, reg_no);
	if (rc)
		return rc;
	if (!x->passed)
		return ec_err_say(EC_ERR_REFUSED, EC_MSG_NOT_PASSED, x->reg_no, x->code);
	rc = ec_office_app_get(r->office, x->reg_no, &old);
	if (rc == 0)
		return ec_app_exists(&old);
	if (rc != EC_ERR_NOTFOUND)
		return rc;
	if (!(*ce = ec_catalog_find(r->cat, x->code)))
		return ec_err_say(EC_ERR_REFUSED, EC_MSG_NOT_OFFERED, x->code);
	if ((rc = ec_earning_of(r->office, *ce, x->email, &earn)))
		return rc;
	if (!earn.earned) {
		ec_earning_missing(&earn, missing, sizeof missing);
		return ec_err_say(EC_ERR_REFUSED, EC_MSG_NOT_EARNED, x->reg_no, x->code, missing, x->email,
		    strchr(missing, ',') ? "s" : "");
	}
	*effective = earn.effective;
	first = ec_date_add_working_days(earn.effective, 1, r->cat->holidays, r->cat->nholidays);
	if (r->today < first) {
		ec_date_format(first, d1);
		ec_date_format(earn.effective, d2);
		return ec_err_say(EC_ERR_REFUSED, EC_MSG_TOO_EARLY, x->reg_no, d1, d2);
	}
	return not_live(r, x, earn.effective);
}

int
ec_app_name(const struct ec_app_rules *r, const struct ec_cat_entry *ce, ec_day effective, const char *name,
    char out[EC_NAME_MAX_BYTES + 1], const char **field)
{
	const struct ec_fonts *f;
	char *nfc = NULL;
	int rc;

	*field = "name";
	if ((rc = ec_name_normalize(name, strlen(name), &nfc)))
		return rc;
	if (strlen(nfc) > EC_NAME_MAX_BYTES) {
		char n[24];

		snprintf(n, sizeof n, "%d", EC_NAME_MAX_BYTES);
		rc = ec_err_say(EC_ERR_SYNTAX, EC_MSG_NAME_BYTES, n);
		goto out;
	}
	if ((rc = r->fonts(r->fonts_ctx, ce->template_name, &f))) {
		*field = "template";
		goto out;
	}
	if ((rc = ec_shape_check(f, nfc)) || (rc = qr_fits(r, ce, nfc, effective)))
		goto out;
	snprintf(out, EC_NAME_MAX_BYTES + 1, "%s", nfc);
out:
	free(nfc);
	return rc;
}

int
ec_app_check(const struct ec_app_rules *r, const struct ec_app_in *in, struct ec_app *a, const char **field)
{
	const struct ec_cat_entry *ce = NULL;
	struct ec_exam x;
	ec_day effective = 0;
	char q[48];
	int rc;

	memset(a, 0, sizeof *a);
	*field = "registration_no";
	if ((rc = ec_field_regno(str(in->reg_no))))
		return rc;
	*field = "format";
	if (!strcmp(str(in->format), "electronic"))
		a->format = EC_FORMAT_ELECTRONIC;
	else if (!strcmp(str(in->format), "paper"))
		a->format = EC_FORMAT_PAPER;
	else
		return ec_err_say(EC_ERR_SYNTAX, EC_MSG_FORMAT_WORD, quoted(str(in->format), q, sizeof q));
	*field = "consent";
	if (!in->consent)
		return ec_err_say(EC_ERR_REFUSED, EC_MSG_CONSENT);
	*field = "registration_no";
	if ((rc = exam_ok(r, in->reg_no, &x, &ce, &effective)))
		return rc;
	*field = "format";
	if (!(ce->formats & (1u << a->format)))
		return ec_err_say(EC_ERR_REFUSED, ce->formats == EC_CAT_PAPER ? EC_MSG_PAPER_ONLY : EC_MSG_ELECTRONIC_ONLY,
		    ce->code);
	*field = "address";
	if (a->format == EC_FORMAT_PAPER) {
		if (!in->address || !in->address[strspn(in->address, " \t\r\n")])
			return ec_err_say(EC_ERR_REFUSED, EC_MSG_NO_ADDRESS);
		/* one byte over the bound: an address cut by the copy is refused as too long */
		char addr[EC_ADDRESS_MAX + 2];

		ec_field_address_norm(in->address, addr, sizeof addr);
		if ((rc = ec_field_address(addr)))
			return rc;
		memcpy(a->address, addr, strlen(addr) + 1);
	}
	*field = "name";
	if ((rc = ec_app_name(r, ce, effective, str(in->name), a->name, field)))
		return rc;
	*field = "email";
	if (in->email && in->email[0] && (rc = ec_field_email(in->email)))
		return rc;
	snprintf(a->email, sizeof a->email, "%s", in->email && in->email[0] ? in->email : x.email);
	*field = "tel";
	if (in->tel && in->tel[0] && (rc = ec_field_tel(in->tel)))
		return rc;
	snprintf(a->tel, sizeof a->tel, "%s", in->tel && in->tel[0] ? in->tel : x.tel);
	snprintf(a->reg_no, sizeof a->reg_no, "%s", x.reg_no);
	a->applied = r->today;
	a->status = EC_ST_REQUESTED;
	return 0;
}
