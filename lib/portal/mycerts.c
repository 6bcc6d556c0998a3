/* My Certificates: what the account's exam records earn, in the guide's columns, and the PDF download. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "earning.h"
#include "fields.h"
#include "pform.h"
#include "err.h"
#include "number.h"
#include "public.h"
#include "pweb_int.h"
#include "token.h"

#define CHAIN_MAX 16             /* renewals and reissues followed from one application */

/* The account's records with what became of them. */
struct rec {
	struct ec_exam x;
	int applied;                 /* an application exists */
	int requested;               /* it waits for issuance */
};

struct recs {
	struct rec *v;
	size_t n, cap;
};

static int
add_rec(void *ctx, const struct ec_exam *x)
{
	struct recs *l = ctx;
	struct rec *nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if (!(nv = realloc(l->v, l->cap * sizeof *nv)))
			return ec_err_set(EC_ERR_NOMEM, "out of memory");
		l->v = nv;
	}
	memset(&l->v[l->n], 0, sizeof l->v[l->n]);
	l->v[l->n++].x = *x;
	return 0;
}

static void
cell(struct pg *g, const char *head, const char *text)
{
	htmlf(g, "<td data-h=\"%s\">%s</td>", T(g, head), text);
}

/* One certificate row; the links to its successor or predecessor, and the download. */
static void
cert_row(struct pg *g, const struct ec_cert *c)
{
	enum ec_status st = ec_cert_status(c, pw_today(g->p));
	struct ec_buf *b = &g->out->body;
	char e[11], x[11], disp[EC_NUMBER_DISPLAY + 1];

	ec_date_format(c->e.effective, e);
	ec_date_format(c->e.expires, x);
	ec_number_display(c->e.number, disp);
	ec_buf_adds(b, "<tr>");
	htmlf(g, "<td data-h=\"%s\">%s<br><span class=\"hint\">%s</span></td>", T(g, "Certificate Name"), c->e.code,
	    c->e.title);
	htmlf(g, "<td data-h=\"%s\"><a href=\"/me/certificates/%s\">%s</a></td>", T(g, "Certificate Number"), c->e.number,
	    disp);
	cell(g, "Effective Date", e);
	cell(g, "Expiration Date", x);
	htmlf(g, "<td data-h=\"%s\">%s", T(g, "Certificate Status"), T(g, ec_status_word(st)));
	if (c->superseded_by[0])
		htmlf(g, "<br><span class=\"hint\">%s <a href=\"%s/v/%s\">%s</a></span>", T(g, "replaced by"),
		    g->p->c.verify_url, c->superseded_by, c->superseded_by);
	if (c->e.renewal_of[0])
		htmlf(g, "<br><span class=\"hint\">%s <a href=\"%s/v/%s\">%s</a></span>", T(g, "replaces"),
		    g->p->c.verify_url, c->e.renewal_of, c->e.renewal_of);
	ec_buf_adds(b, "</td>");
	cell(g, "Renewal", c->e.renewal_of[0] ? T(g, "Yes") : "/");
	if (st == EC_ST_VALID && c->e.format == EC_FORMAT_ELECTRONIC)
		htmlf(g, "<td data-h=\"%s\"><a href=\"/me/certificates/%s.pdf\">PDF</a></td>", T(g, "Download"),
		    c->e.number);
	else
		cell(g, "Download", c->e.format == EC_FORMAT_PAPER && st == EC_ST_VALID ? T(g, "paper certificate") : "/");
	ec_buf_adds(b, "</tr>\n");
}

/* A row without a certificate: requested, not applied (earned on eff) or partly done (missing). */
static void
pending_row(struct pg *g, const struct ec_cat_entry *ce, const char *word, ec_day eff, const char *missing)
{
	char e[11] = "/", x[11] = "/", m[400];

	if (!missing) {
		ec_date_format(eff, e);
		ec_date_format(ec_date_expiry(eff, ce->years), x);
	}
	htmlf(g, "<tr><td data-h=\"%s\">%s<br><span class=\"hint\">%s</span></td>", T(g, "Certificate Name"), ce->code,
	    ce->title);
	cell(g, "Certificate Number", "/");
	cell(g, "Effective Date", e);
	cell(g, "Expiration Date", x);
	if (missing) {
		snprintf(m, sizeof m, "%s: %s", T(g, "missing"), missing);
		htmlf(g, "<td data-h=\"%s\">%s<br><span class=\"hint\">%s</span></td>", T(g, "Certificate Status"),
		    T(g, word), m);
	} else if (!strcmp(word, "Not Applied")) {
		htmlf(g, "<td data-h=\"%s\">%s<br><a href=\"/me/apply?certification=%s\">%s</a></td>",
		    T(g, "Certificate Status"), T(g, word), ce->code, T(g, "Apply for Certificate"));
	} else {
		cell(g, "Certificate Status", T(g, word));
	}
	cell(g, "Renewal", "/");
	cell(g, "Download", "/");
	ec_buf_adds(&g->out->body, "</tr>\n");
}

/* The certificates issued from reg_no's application: its first and every renewal or reissue after it. */
static int
chain(struct pg *g, const char *first, int *live, int *rows)
{
	struct ec_cert *c;
	char next[EC_NUMBER_DIGITS + 1];
	int i, r = 0;

	if (!(c = malloc(sizeof *c)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	snprintf(next, sizeof next, "%s", first);
	for (i = 0; next[0] && i < CHAIN_MAX; i++) {
		pthread_mutex_lock(&g->p->cert_lock);
		r = ec_office_cert_get(g->p->c.office, next, c);
		pthread_mutex_unlock(&g->p->cert_lock);
		if (r)
			break;
		cert_row(g, c);
		(*rows)++;
		if (ec_cert_status(c, pw_today(g->p)) == EC_ST_VALID)
			*live = 1;
		snprintf(next, sizeof next, "%s", c->superseded_by);
	}
	free(c);
	return r == EC_ERR_NOTFOUND ? 0 : r;
}

/* One certification: its certificates, or what waits, or what is earned or missing. */
static int
certification(struct pg *g, const struct ec_cat_entry *ce, struct rec *v, size_t n, int *rows)
{
	struct ec_earning e;
	struct ec_app a;
	char missing[EC_CAT_EXAMS_MAX * (EC_CODE_MAX + 2)];
	int live = 0, requested = 0, r;
	size_t i, k;

	ec_earning_init(&e, ce);
	for (i = 0; i < n; i++) {
		ec_earning_add(&e, &v[i].x);
		r = ec_office_app_get(g->p->c.office, v[i].x.reg_no, &a);
		if (r == EC_ERR_NOTFOUND)
			continue;
		if (r)
			return r;
		v[i].applied = 1;
		if (a.status == EC_ST_REQUESTED)
			requested = 1;
		else if ((r = chain(g, a.number, &live, rows)))
			return r;
	}
	ec_earning_done(&e);
	if (requested) {
		pending_row(g, ce, "Requested", e.earned ? e.effective : v[0].x.exam_date, NULL);
		(*rows)++;
		return 0;
	}
	if (live)
		return 0;
	/* earned (or partly) by results none of which was applied for yet */
	for (k = 0; k < ec_cat_nexams(ce); k++)
		for (i = 0; i < n; i++)
			if (e.have[k] && !strcmp(v[i].x.reg_no, e.reg_no[k]) && v[i].applied)
				return 0;
	for (k = 0; k < ec_cat_nexams(ce) && !e.have[k]; k++)
		;
	if (k == ec_cat_nexams(ce))
		return 0;
	if (e.earned) {
		pending_row(g, ce, "Not Applied", e.effective, NULL);
	} else {
		ec_earning_missing(&e, missing, sizeof missing);
		pending_row(g, ce, "Partly Done", 0, missing);
	}
	(*rows)++;
	return 0;
}

static int
by_code(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int d = strcmp(x->x.code, y->x.code);

	return d ? d : strcmp(x->x.reg_no, y->x.reg_no);
}

int
mycerts_page(struct pg *g)
{
	static const char *const heads[] = { "Certificate Name", "Certificate Number", "Effective Date",
		"Expiration Date", "Certificate Status", "Renewal", "Download" };
	const struct ec_cat_entry *ce;
	struct recs l = { NULL, 0, 0 };
	size_t i, j;
	int r, rows = 0;

	if ((r = ec_portal_records_each(g->p->c.office, g->a.id, add_rec, &l)))
		goto out;
	g->out->status = 200;
	page_begin(g, T(g, "My Certificates"));
	ec_buf_adds(&g->out->body, "<table><thead><tr>");
	for (i = 0; i < sizeof heads / sizeof heads[0]; i++)
		htmlf(g, "<th>%s</th>", T(g, heads[i]));
	ec_buf_adds(&g->out->body, "</tr></thead><tbody>\n");
	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, by_code);
	for (i = 0; i < l.n; i = j) {
		for (j = i + 1; j < l.n && !strcmp(l.v[j].x.code, l.v[i].x.code); j++)
			;
		if ((ce = ec_catalog_find(g->p->c.cat, l.v[i].x.code)) && (r = certification(g, ce, l.v + i, j - i, &rows)))
			goto out;
	}
	ec_buf_adds(&g->out->body, "</tbody></table>\n");
	if (!rows)
		htmlf(g, "<p class=\"msg\">%s <a href=\"/me/emails\">%s</a></p>\n",
		    T(g, "No exam records are associated with this account yet."), T(g, "Associate an exam email address"));
	page_end(g);
	r = g->out->body.err;
out:
	free(l.v);
	return r;
}

/* The account holds number when it holds the exam record the certificate was issued from. */
static int
mine(struct pg *g, const struct ec_cert *c)
{
	uint64_t owner = 0;

	return ec_portal_record_owner(g->p->c.office, c->reg_no, &owner) == 0 && owner == g->a.id;
}

/*
 * The account's certificate number into *out (malloc'd, the caller frees): 0; or a 404 page made
 * (another account's certificate and no certificate at all look the same): 1; or an ec_err.
 */
static int
own(struct pg *g, const char *number, struct ec_cert **out)
{
	struct ec_cert *c;
	int r;

	*out = NULL;
	if (strspn(number, "0123456789") != EC_NUMBER_DIGITS || strlen(number) != EC_NUMBER_DIGITS)
		return (r = page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1)) ? r : 1;
	if (!(c = malloc(sizeof *c)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	pthread_mutex_lock(&g->p->cert_lock);
	r = ec_office_cert_get(g->p->c.office, number, c);
	pthread_mutex_unlock(&g->p->cert_lock);
	if (r == EC_ERR_NOTFOUND || (r == 0 && !mine(g, c))) {
		free(c);
		return (r = page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1)) ? r : 1;
	}
	if (r) {
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

int
mycerts_pdf(struct pg *g, const char *number)
{
	const struct ec_cat_entry *ce;
	struct ec_cert *c;
	char payload[EC_QR_MAX + 1], url[EC_PWEB_URL_MAX + 32];
	enum ec_status st;
	int r;

	if ((r = own(g, number, &c)))
		return r == 1 ? 0 : r;
	st = ec_cert_status(c, pw_today(g->p));
	if (st != EC_ST_VALID || c->e.format != EC_FORMAT_ELECTRONIC) {
		r = page_message(g, st == EC_ST_VALID ? 404 : 410, T(g, "Not available"), T(g, st == EC_ST_VALID ?
		    "A paper certificate is mailed to you, not downloaded." :
		    "Revoked and superseded certificates cannot be downloaded."), 1);
		goto out;
	}
	if (!(ce = ec_catalog_find(g->p->c.cat, c->e.code))) {
		r = ec_err_set(EC_ERR_NOTFOUND, "certification '%s' is not in the catalogue", c->e.code);
		goto out;
	}
	snprintf(url, sizeof url, "%s/v/%s", g->p->c.verify_url, c->e.number);
	if ((r = ec_qr_payload(g->p->c.verify_url, c->e.number, c->token, payload, sizeof payload)) ||
	    (r = ec_designs_render(g->p->c.designs, ce->template_name, &c->e, g->p->c.org, payload, url, c->der,
	    c->der_len, &g->out->file, &g->out->file_len)))
		goto out;
	g->out->status = 200;
	g->out->ctype = "application/pdf";
	snprintf(g->out->disposition, sizeof g->out->disposition, "attachment; filename=\"%s.pdf\"", c->e.number);
out:
	free(c);
	return r;
}

/* Percent-encoding for a query value (RFC 3986 unreserved characters kept). */
static void
qv(struct ec_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			ec_buf_addc(b, (char)*p);
		else
			ec_buf_addf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

static void
row(struct pg *g, const char *head, const char *value)
{
	htmlf(g, "<tr><th>%s</th><td>%s</td></tr>", T(g, head), value);
}

/*
 * LinkedIn's documented add-to-profile link for a certification: its name, the organisation, issue
 * and expiry month, the credential id (the number) and URL (the verification page), so that the
 * holder types nothing.
 */
static void
linkedin(struct pg *g, const struct ec_cert *c, const char *url)
{
	struct ec_buf u;
	char d[11];

	ec_buf_init(&u);
	ec_buf_adds(&u, "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=");
	qv(&u, c->e.title);
	ec_buf_adds(&u, "&organizationName=");
	qv(&u, g->p->c.org);
	ec_date_format(c->e.effective, d);
	ec_buf_addf(&u, "&issueYear=%.4s&issueMonth=%d", d, atoi(d + 5));
	ec_date_format(c->e.expires, d);
	ec_buf_addf(&u, "&expirationYear=%.4s&expirationMonth=%d&certId=%s&certUrl=", d, atoi(d + 5), c->e.number);
	qv(&u, url);
	ec_buf_addc(&u, '\0');
	if (!u.err)
		htmlf(g, "<p><a href=\"%s\" rel=\"noopener\">%s</a></p>", u.p, T(g, "Add to LinkedIn profile"));
	ec_buf_free(&u);
}

static int
corr_of(void *ctx, const char *number, uint64_t acct, int64_t at, const char *name)
{
	(void)number, (void)acct, (void)at;
	snprintf(ctx, EC_NAME_MAX_BYTES + 1, "%s", name);
	return 1;
}

/* Refusals of the register, shown; 404 for another account's certificate. */
static int
answered(struct pg *g, const char *title, int r, const char *done)
{
	if (r == EC_ERR_NOTFOUND)
		return page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1);
	if (r == EC_ERR_REFUSED || r == EC_ERR_ARG || r == EC_ERR_SYNTAX || r == EC_ERR_TOOBIG)
		return pw_refused(g, title, r);
	return r ? r : page_message(g, 200, title, T(g, done), 0);
}

int
mycerts_address(struct pg *g, const char *number, const struct ec_form *f)
{
	const char *in = ec_form_get(f, "address");
	char address[EC_ADDRESS_MAX + 2];
	int r;

	ec_field_address_norm(in ? in : "", address, sizeof address);
	if ((r = ec_field_address(address)) == 0) {
		pthread_mutex_lock(&g->p->cert_lock);
		r = ec_portal_cert_address(g->p->c.office, g->a.id, number, address);
		pthread_mutex_unlock(&g->p->cert_lock);
	}
	return answered(g, T(g, "Change address"), r, "The address is changed; the certificate will be sent there.");
}

int
mycerts_correction(struct pg *g, const char *number, const struct ec_form *f)
{
	struct ec_app_rules rules = { g->p->c.office, g->p->c.cat, pw_today(g->p), g->p->c.verify_url, ec_designs_fonts,
		g->p->c.designs };
	const struct ec_cat_entry *ce;
	const char *in = ec_form_get(f, "name"), *fld;
	char name[EC_NAME_MAX_BYTES + 1];
	struct ec_cert *c;
	int r;

	if ((r = own(g, number, &c)))
		return r == 1 ? 0 : r;
	/* the corrected name is checked as an application's: NFC, the design's fonts, the QR code's room */
	if (!(ce = ec_catalog_find(g->p->c.cat, c->e.code)))
		r = ec_err_set(EC_ERR_REFUSED, "certification '%s' is no longer in the catalogue", c->e.code);
	else
		r = ec_app_name(&rules, ce, c->e.effective, in ? in : "", name, &fld);
	if (r == 0) {
		pthread_mutex_lock(&g->p->cert_lock);
		r = ec_portal_correction_request(g->p->c.office, g->a.id, number, name, g->r->now);
		pthread_mutex_unlock(&g->p->cert_lock);
	}
	free(c);
	return answered(g, T(g, "Request a correction"), r, "Your correction request was received. The office "
	    "reissues the certificate with the corrected name; the old one is then revoked as superseded.");
}

static int
asked_at(void *ctx, const char *number, uint64_t acct, int64_t at)
{
	(void)number, (void)acct;
	*(int64_t *)ctx = at;
	return 1;
}

/* 1 when the catalogue renews certification code (one no longer offered is not renewed). */
static int
renewable(struct pg *g, const char *code)
{
	const struct ec_cat_entry *ce = ec_catalog_find(g->p->c.cat, code);

	return ce && !ce->no_renewal;
}

int
mycerts_renew(struct pg *g, const char *number)
{
	struct ec_cert *c;
	int r;

	if ((r = own(g, number, &c)))
		return r == 1 ? 0 : r;
	r = renewable(g, c->e.code);
	free(c);
	if (!r)
		return page_message(g, 400, T(g, "Renew"), T(g, "This certification is not renewed: when it expires, "
		    "pass its exams again and apply."), 1);
	pthread_mutex_lock(&g->p->cert_lock);
	r = ec_portal_renew_request(g->p->c.office, g->a.id, number, g->r->now);
	pthread_mutex_unlock(&g->p->cert_lock);
	if (r == EC_ERR_NOTFOUND)
		return page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1);
	if (r && r != EC_ERR_EXISTS && r != EC_ERR_REFUSED)
		return r;
	if (r == EC_ERR_REFUSED)
		return pw_refused(g, T(g, "Renew"), r);
	return page_message(g, 200, T(g, "Renew"), T(g, "Your renewal request was received. The office's next "
	    "issuance run signs the new certificate; the old one then shows as Superseded."), 0);
}

int
mycerts_detail(struct pg *g, const char *number)
{
	struct ec_cert *c;
	struct ec_app a;
	enum ec_status st;
	char disp[EC_NUMBER_DISPLAY + 1], d[11], d2[11], url[EC_PWEB_URL_MAX + 32], ship[EC_CARRIER_MAX + EC_ORDER_MAX + 8];
	ec_day issued;
	int64_t asked;
	char corr[EC_NAME_MAX_BYTES + 1];
	int r, app;

	if ((r = own(g, number, &c)))
		return r == 1 ? 0 : r;
	app = ec_office_app_get(g->p->c.office, c->reg_no, &a) == 0;
	st = ec_cert_status(c, pw_today(g->p));
	g->out->status = 200;
	page_begin(g, c->e.title);
	ec_number_display(c->e.number, disp);
	snprintf(url, sizeof url, "%s/v/%s", g->p->c.verify_url, c->e.number);
	ec_buf_adds(&g->out->body, "<div class=\"box\"><table><tbody>");
	row(g, "Certificate Number", disp);
	row(g, "Certificate Status", T(g, ec_status_word(st)));
	ec_date_format(c->e.effective, d);
	row(g, "Effective Date", d);
	ec_date_format(c->e.expires, d);
	row(g, "Expiration Date", d);
	if (app) {
		ec_date_format(a.applied, d);
		row(g, "Requested Date", d);
	}
	row(g, "Format", T(g, c->e.format == EC_FORMAT_PAPER ? "paper (by post)" : "electronic (PDF)"));
	if (st == EC_ST_VALID && c->e.format == EC_FORMAT_ELECTRONIC)
		htmlf(g, "<tr><th>%s</th><td><a href=\"/me/certificates/%s.pdf\">PDF</a></td></tr>", T(g, "Download"),
		    c->e.number);
	if (c->e.format == EC_FORMAT_PAPER) {
		if (c->carrier[0]) {
			ec_date_format(ec_date_from_time(c->mailed_at), d);
			snprintf(ship, sizeof ship, "%s, %s", c->carrier, c->order);
			row(g, "Mailing Info", ship);
			row(g, "Shipped", d);
		} else if (st == EC_ST_VALID) {
			/* the guide's 5 to 7 working days from approval */
			issued = ec_date_from_time(c->e.issued_at);
			ec_date_format(ec_date_add_working_days(issued, 5, g->p->c.cat->holidays, g->p->c.cat->nholidays), d);
			ec_date_format(ec_date_add_working_days(issued, 7, g->p->c.cat->holidays, g->p->c.cat->nholidays), d2);
			snprintf(ship, sizeof ship, "%s – %s", d, d2);
			row(g, "Expected shipping", ship);
		}
		row(g, "Address", c->address[0] ? c->address : "/");
	}
	row(g, "Telephone", c->tel[0] ? c->tel : "/");
	ec_buf_adds(&g->out->body, "</tbody></table></div>\n<div class=\"box\">");
	if (c->status == EC_ST_VALID && c->e.format == EC_FORMAT_PAPER && !c->carrier[0]) {
		snprintf(ship, sizeof ship, "/me/certificates/%s/address", c->e.number);
		form_begin(g, ship);
		htmlf(g, "<label for=\"address\">%s</label><textarea id=\"address\" name=\"address\" rows=\"4\" "
		    "maxlength=\"255\" required>%s</textarea><button type=\"submit\">%s</button></form>",
		    T(g, "Postal address, until the certificate ships"), c->address, T(g, "Change address"));
	}
	if (c->status == EC_ST_VALID) {
		corr[0] = '\0';
		if ((r = ec_office_corrections_each(g->p->c.office, c->e.number, corr_of, corr)))
			goto out;
		if (corr[0]) {
			htmlf(g, "<p class=\"msg\">%s: %s</p>", T(g, "Name correction requested, waiting for the office"),
			    corr);
		} else {
			snprintf(ship, sizeof ship, "/me/certificates/%s/correction", c->e.number);
			form_begin(g, ship);
			htmlf(g, "<label for=\"name\">%s</label><input type=\"text\" id=\"name\" name=\"name\" "
			    "maxlength=\"200\" required value=\"%s\"><button type=\"submit\">%s</button></form>",
			    T(g, "Request a correction of the printed name"), c->e.name, T(g, "Request a correction"));
		}
	}
	if (c->status == EC_ST_VALID && !renewable(g, c->e.code)) {
		htmlf(g, "<p class=\"hint\">%s</p>", T(g, "This certification is not renewed: when it expires, pass its "
		    "exams again and apply."));
	} else if (c->status == EC_ST_VALID) {
		/* renewal: asked for here, signed by the office's next issuance run */
		asked = 0;
		if ((r = ec_office_renew_requests_each(g->p->c.office, c->e.number, asked_at, &asked)))
			goto out;
		if (asked) {
			ec_date_format(ec_date_from_time(asked), d);
			htmlf(g, "<p class=\"msg\">%s %s</p>", T(g, "Renewal requested on"), d);
		} else {
			snprintf(ship, sizeof ship, "/me/certificates/%s/renew", c->e.number);
			form_begin(g, ship);
			htmlf(g, "<button type=\"submit\">%s</button></form>", T(g, "Renew"));
		}
	}
	if (c->superseded_by[0])
		htmlf(g, "<p>%s <a href=\"/me/certificates/%s\">%s</a></p>", T(g, "replaced by"), c->superseded_by,
		    c->superseded_by);
	if (c->e.renewal_of[0])
		htmlf(g, "<p>%s <a href=\"/me/certificates/%s\">%s</a></p>", T(g, "replaces"), c->e.renewal_of,
		    c->e.renewal_of);
	if (st == EC_ST_VALID) {
		/* what an employer opens: the public page, and the same facts for a LinkedIn profile */
		htmlf(g, "<p>%s: <a href=\"%s\">%s</a></p>", T(g, "The public verification page"), url, url);
		linkedin(g, c, url);
	}
	ec_buf_adds(&g->out->body, "</div>\n");
	page_end(g);
	r = g->out->body.err;
out:
	free(c);
	return r;
}
