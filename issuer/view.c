/* ecert-issue: how a certificate record reads in JSON, and the masked forms listings show. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "issuer.h"
#include "mask.h"
#include "name.h"
#include "number.h"
#include "public.h"
#include "token.h"

static const char *const status_names[] = {
	"not_applied", "requested", "valid", "revoked", "expired", "superseded"
};

int
status_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
		if (!strcmp(s, status_names[i]))
			return (int)i + 1;
	return 0;
}

void
fmt_time(int64_t t, char out[21])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(out, "?");
}

void
mask_email(const char *email, char *out, size_t outsz)
{
	if (!email[0] || ec_mask_email(email, out, outsz))
		snprintf(out, outsz, "%s", email[0] ? "****" : "");
}

void
mask_tel(const char *tel, char *out, size_t outsz)
{
	if (!tel[0] || ec_mask_phone(tel, out, outsz))
		snprintf(out, outsz, "%s", tel[0] ? "****" : "");
}

static void
kv(struct ec_buf *b, const char *key, const char *val)
{
	ec_buf_addf(b, ",\"%s\":", key);
	ec_buf_json(b, val);
}

static void
kv_day(struct ec_buf *b, const char *key, ec_day d)
{
	char s[11];

	ec_date_format(d, s);
	kv(b, key, s);
}

void
cert_json(struct ec_buf *b, const struct ctx *c, const struct ec_cert *r, int full)
{
	char disp[EC_NUMBER_DISPLAY + 1], em[EC_EMAIL_MAX + 8], tel[EC_TEL_MAX + 8], t[21];
	char url[EC_QR_MAX + 1];
	char *masked = NULL;
	enum ec_status st = ec_cert_status(r, c->today);

	ec_number_display(r->e.number, disp);
	ec_buf_adds(b, "{\"number\":");
	ec_buf_json(b, r->e.number);
	kv(b, "number_display", disp);
	kv(b, "status", ec_status_name(st));
	ec_buf_adds(b, ",\"certification\":{\"code\":");
	ec_buf_json(b, r->e.code);
	kv(b, "title", r->e.title);
	ec_buf_adds(b, "},\"holder\":{\"name_masked\":");
	ec_name_mask(r->e.name, &masked);
	ec_buf_json(b, masked ? masked : "");
	free(masked);
	kv(b, "name", r->e.name);
	mask_email(r->email, em, sizeof em);
	kv(b, "email_masked", em);
	if (full) {
		kv(b, "email", r->email);
		mask_tel(r->tel, tel, sizeof tel);
		kv(b, "tel_masked", tel);
		kv(b, "tel", r->tel);
		if (r->address[0])
			kv(b, "address", r->address);
	}
	ec_buf_addc(b, '}');
	kv_day(b, "effective", r->e.effective);
	kv_day(b, "expires", r->e.expires);
	kv(b, "issuer", r->issuer);
	if (r->status == EC_ST_REVOKED) {
		ec_buf_adds(b, ",\"revoked\":{\"date\":");
		ec_date_format(ec_date_from_time(r->revoked_at), t);
		ec_buf_json(b, t);
		kv(b, "reason", r->reason);
		ec_buf_addc(b, '}');
	}
	if (r->superseded_by[0])
		kv(b, "superseded_by", r->superseded_by);
	if (r->e.renewal_of[0])
		kv(b, "renewal_of", r->e.renewal_of);
	kv(b, "reg_no", r->reg_no);
	kv(b, "format", r->e.format == EC_FORMAT_PAPER ? "paper" : "electronic");
	/* When the candidate applied: the application of the registration number (a renewal has none). */
	{
		struct ec_app a;

		if (c->off && !r->e.renewal_of[0] && ec_office_app_get(c->off, r->reg_no, &a) == 0 &&
		    !strcmp(a.number, r->e.number))
			kv_day(b, "applied", a.applied);
	}
	if (full) {
		fmt_time(r->e.issued_at, t);
		kv(b, "issued_at", t);
		kv(b, "kid", r->e.kid);
		if (r->status == EC_ST_REVOKED) {
			fmt_time(r->revoked_at, t);
			kv(b, "revoked_at", t);
		}
		if (r->mailed_at) {
			ec_buf_adds(b, ",\"shipping\":{\"carrier\":");
			ec_buf_json(b, r->carrier);
			kv(b, "order", r->order);
			fmt_time(r->mailed_at, t);
			kv(b, "mailed_at", t);
			ec_buf_addc(b, '}');
		}
		if (ec_qr_payload(c->conf.public_url, r->e.number, r->token, url, sizeof url) == 0)
			kv(b, "qr_url", url);
	}
	ec_buf_addc(b, '}');
}
