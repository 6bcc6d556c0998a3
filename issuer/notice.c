/* ecert-issue: the notices about a certificate, with the values their templates (templates/mail/) use. */
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "issuer.h"
#include "mail.h"
#include "number.h"
#include "outbox.h"

/* A revocation reason in words, per language: the templates say why, not an RFC 5280 name. */
static const struct {
	const char *name, *en, *zh;
} reasons[] = {
	{ "unspecified", "no reason was given", "未说明原因" },
	{ "keyCompromise", "its key was compromised", "证书密钥已泄露" },
	{ "affiliationChanged", "the holder's details changed", "持证人信息已变更" },
	{ "superseded", "it was replaced by a new certificate", "已被新证书取代" },
	{ "cessationOfOperation", "the certification was discontinued", "该认证已停止" },
	{ "certificateHold", "it is on hold", "证书已暂停" },
	{ "privilegeWithdrawn", "the certification was withdrawn", "认证资格已被撤销" },
};

static const char *
reason_words(const char *name, const char *lang)
{
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (strcmp(reasons[i].name, name) == 0)
			return strcmp(lang, "zh") == 0 ? reasons[i].zh : reasons[i].en;
	return name;
}

int
notice_cert(struct ctx *c, const char *kind, const struct ec_cert *r, struct ec_notice *n)
{
	char host[256], lang[3];
	int rc;

	memset(n, 0, sizeof *n);
	if (!r->email[0])
		return 0;
	if ((rc = ec_office_lang_get(c->off, r->email, lang)))
		return rc;
	if (!lang[0])
		snprintf(lang, sizeof lang, "%s", c->conf.mail_lang[0] ? c->conf.mail_lang : "en");
	ec_conf_host(&c->conf, host, sizeof host);
	/* The register keeps the notice small: the certificate's number, the rest is read when it is sent. */
	if ((rc = ec_notice_init(n, kind, r->email, lang, host, ec_time_now())) ||
	    (rc = ec_notice_set(n, "cert", r->e.number)))
		return rc;
	return 0;
}

int
notice_values(void *ctx, struct ec_notice *n)
{
	struct ctx *c = ctx;
	const char *number = ec_notice_get(n, "cert");
	char num[EC_NUMBER_DISPLAY + 1], eff[11], exp[11], url[600], dl[600], day[21];
	struct ec_cert r;
	int rc;

	if (number == NULL)
		return 0;
	if ((rc = ec_office_cert_get(c->off, number, &r)))
		return rc;
	ec_number_display(r.e.number, num);
	ec_date_format(r.e.effective, eff);
	ec_date_format(r.e.expires, exp);
	snprintf(url, sizeof url, "%s/v/%s", c->conf.public_url, r.e.number);
	/* with a candidates' portal, the page of the certificate there (its download, its status) */
	if (c->conf.portal_url[0]) {
		snprintf(dl, sizeof dl, "%s/me/certificates/%s", c->conf.portal_url, r.e.number);
		if ((rc = ec_notice_set(n, "download", dl)))
			return rc;
	}
	if ((rc = ec_notice_set(n, "name", r.e.name)) || (rc = ec_notice_set(n, "number", num)) ||
	    (rc = ec_notice_set(n, "code", r.e.code)) || (rc = ec_notice_set(n, "title", r.e.title)) ||
	    (rc = ec_notice_set(n, "effective", eff)) || (rc = ec_notice_set(n, "expires", exp)) ||
	    (rc = ec_notice_set(n, "url", url)) || (rc = ec_notice_set(n, "org", c->conf.org)) ||
	    (rc = ec_notice_set(n, "format", r.e.format == EC_FORMAT_PAPER ? "paper" : "electronic")))
		return rc;
	if (r.carrier[0]) {
		fmt_time(r.mailed_at, day);
		day[10] = '\0';
		if ((rc = ec_notice_set(n, "carrier", r.carrier)) || (rc = ec_notice_set(n, "order", r.order)) ||
		    (rc = ec_notice_set(n, "shipped", day)))
			return rc;
	}
	if (r.reason[0]) {
		fmt_time(r.revoked_at, day);
		day[10] = '\0';
		if ((rc = ec_notice_set(n, "reason", reason_words(r.reason, n->lang))) ||
		    (rc = ec_notice_set(n, "revoked", day)))
			return rc;
	}
	return 0;
}
