/* My Certificates: what the account's exam records earn, in the guide's columns, and the PDF download. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "earning.h"
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
	htmlf(g, "<td data-h=\"%s\"><a href=\"%s/v/%s\">%s</a></td>", T(g, "Certificate Number"), g->p->c.verify_url,
	    c->e.number, disp);
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

int
mycerts_pdf(struct pg *g, const char *number)
{
	const struct ec_cat_entry *ce;
	struct ec_cert *c;
	char payload[EC_QR_MAX + 1], url[EC_PWEB_URL_MAX + 32];
	enum ec_status st;
	int r;

	if (strspn(number, "0123456789") != EC_NUMBER_DIGITS || !(c = malloc(sizeof *c)))
		return page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1);
	pthread_mutex_lock(&g->p->cert_lock);
	r = ec_office_cert_get(g->p->c.office, number, c);
	pthread_mutex_unlock(&g->p->cert_lock);
	/* another account's certificate and no certificate at all look the same */
	if (r == EC_ERR_NOTFOUND || (r == 0 && !mine(g, c))) {
		r = page_message(g, 404, T(g, "Not found"), T(g, "There is nothing at this address."), 1);
		goto out;
	}
	if (r)
		goto out;
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
