/* ecert-issue list, show and export: reading the office register. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert.h"
#include "date.h"
#include "earning.h"
#include "err.h"
#include "fields.h"
#include "issuer.h"
#include "name.h"
#include "number.h"
#include "public.h"
#include "token.h"

/* Rows of `list`, in order: certificates, then waiting applications, then passed exams not applied for. */
struct listing {
	struct ctx *c;
	const struct opts *o;
	int status;              /* 0 any, else 1 + enum ec_status */
	struct table *t;
	struct ec_buf *json;
	size_t n;
	char **applied;          /* registration numbers that have an application, sorted */
	size_t napplied, capplied;
	int err;
};

static int
email_ok(const struct listing *l, const char *email)
{
	return !l->o->email || !strcasecmp(l->o->email, email);
}

/* A listing-only status: some of a certification's exams passed, not all (never stored). */
#define ST_PARTLY 100

/* Dates "" print as "/" (nothing to show yet). */
static int
emit(struct listing *l, const char *word, const char *code, const char *number, int renewal,
    const char *eff, const char *exp, const char *email)
{
	char em[EC_EMAIL_MAX + 8];
	const char *cells[7];

	mask_email(email, em, sizeof em);
	cells[0] = word;
	cells[1] = code;
	cells[2] = number[0] ? number : "/";
	cells[3] = renewal ? "Yes" : "/";
	cells[4] = eff[0] ? eff : "/";
	cells[5] = exp[0] ? exp : "/";
	cells[6] = em;
	l->n++;
	return l->t ? table_row(l->t, cells) : 0;
}

static void
json_sep(struct listing *l)
{
	ec_buf_adds(l->json, l->n ? ",\n" : "\n");
}

static int
on_cert(void *ctx, const struct ec_cert *r)
{
	struct listing *l = ctx;
	char e[11], x[11];

	if (l->json) {
		json_sep(l);
		cert_json(l->json, l->c, r, 0);
		l->n++;
		return l->json->err;
	}
	ec_date_format(r->e.effective, e);
	ec_date_format(r->e.expires, x);
	return emit(l, ec_status_word(ec_cert_status(r, l->c->today)), r->e.code, r->e.number, r->e.renewal_of[0] != 0,
	    e, x, r->email);
}

/*
 * A row without a certificate yet, as JSON: requested (a), not applied (earned on eff), or partly done
 * (missing: the exams still to pass, comma-separated).
 */
static void
pending_json(struct listing *l, const char *status, const struct ec_exam *x, const struct ec_app *a,
    const struct ec_cat_entry *ce, ec_day eff, const char *missing)
{
	char d[11], em[EC_EMAIL_MAX + 8], one[EC_CODE_MAX + 1];
	const char *p, *q;

	json_sep(l);
	ec_buf_adds(l->json, "{\"number\":null,\"status\":");
	ec_buf_json(l->json, status);
	ec_buf_adds(l->json, ",\"certification\":{\"code\":");
	ec_buf_json(l->json, x->code);
	ec_buf_adds(l->json, ",\"title\":");
	ec_buf_json(l->json, ce ? ce->title : "");
	ec_buf_adds(l->json, "},\"holder\":{");
	mask_email(a ? a->email : x->email, em, sizeof em);
	if (a) {
		ec_buf_adds(l->json, "\"name\":");
		ec_buf_json(l->json, a->name);
		ec_buf_addc(l->json, ',');
	}
	ec_buf_adds(l->json, "\"email_masked\":");
	ec_buf_json(l->json, em);
	ec_buf_addc(l->json, '}');
	if (missing) {
		ec_buf_adds(l->json, ",\"missing\":[");
		for (p = missing; *p; p = *q ? q + 2 : q) {
			q = strchr(p, ',');
			if (!q)
				q = p + strlen(p);
			snprintf(one, sizeof one, "%.*s", (int)(q - p), p);
			ec_buf_adds(l->json, p == missing ? "" : ",");
			ec_buf_json(l->json, one);
		}
		ec_buf_addc(l->json, ']');
	} else {
		ec_date_format(eff, d);
		ec_buf_adds(l->json, ",\"effective\":");
		ec_buf_json(l->json, d);
		if (ce) {
			ec_date_format(ec_date_expiry(eff, ce->years), d);
			ec_buf_adds(l->json, ",\"expires\":");
			ec_buf_json(l->json, d);
		}
	}
	ec_buf_adds(l->json, ",\"reg_no\":");
	ec_buf_json(l->json, x->reg_no);
	if (a) {
		ec_buf_adds(l->json, ",\"format\":");
		ec_buf_json(l->json, a->format == EC_FORMAT_PAPER ? "paper" : "electronic");
		ec_date_format(a->applied, d);
		ec_buf_adds(l->json, ",\"applied\":");
		ec_buf_json(l->json, d);
	}
	ec_buf_addc(l->json, '}');
	l->n++;
}

static int
pending(struct listing *l, enum ec_status st, const struct ec_exam *x, const struct ec_app *a, ec_day eff)
{
	const struct ec_cat_entry *ce = ec_catalog_find(l->c->cat, x->code);
	char e[11], d[11] = "";

	if (l->json) {
		pending_json(l, ec_status_name(st), x, a, ce, eff, NULL);
		return l->json->err;
	}
	ec_date_format(eff, e);
	if (ce)
		ec_date_format(ec_date_expiry(eff, ce->years), d);
	return emit(l, ec_status_word(st), x->code, "", 0, e, d, a ? a->email : x->email);
}

/* Partly done: "HCIE-Datacom (missing HCIE-Datacom-Lab)" in the table; a "missing" list in JSON. */
static int
partly(struct listing *l, const struct ec_exam *x, const struct ec_cat_entry *ce, const char *missing)
{
	char name[EC_CODE_MAX + 16 + EC_CAT_EXAMS_MAX * (EC_CODE_MAX + 2)];

	if (l->json) {
		pending_json(l, "partly_done", x, NULL, ce, 0, missing);
		return l->json->err;
	}
	snprintf(name, sizeof name, "%s (missing %s)", x->code, missing);
	return emit(l, "Partly Done", name, "", 0, "", "", x->email);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
on_app(void *ctx, const struct ec_app *a)
{
	struct listing *l = ctx;
	char **nv;

	if (l->napplied == l->capplied) {
		l->capplied = l->capplied ? l->capplied * 2 : 256;
		if (!(nv = realloc(l->applied, l->capplied * sizeof *nv)))
			return EC_ERR_NOMEM;
		l->applied = nv;
	}
	if (!(l->applied[l->napplied] = strdup(a->reg_no)))
		return EC_ERR_NOMEM;
	l->napplied++;
	return 0;
}

static int
applied(const struct listing *l, const char *reg_no)
{
	return l->napplied && bsearch(&reg_no, l->applied, l->napplied, sizeof *l->applied, cmp_str);
}

/* A row found by the person walk, emitted after it (the live-certificate check reads the register). */
struct found {
	struct ec_exam x;        /* the result of the last pass */
	ec_day effective;        /* earned: the day; else 0 */
	int earned;
	char missing[EC_CAT_EXAMS_MAX * (EC_CODE_MAX + 2)];
};

/* The results of one person, collected while the index walk is on their address, and the rows found. */
struct person {
	struct listing *l;
	struct ec_exam *v;
	size_t n, cap;
	struct found *f;
	size_t nf, capf;
};

/*
 * One person's results for one certification (g[0..n), all of code g[0].code): earned with none of
 * the results that earn it applied for, a Not Applied row; some exams passed but not all, Partly Done.
 */
static int
person_cert(struct person *p, const struct ec_exam *g, size_t n)
{
	struct listing *l = p->l;
	const struct ec_cat_entry *ce = ec_catalog_find(l->c->cat, g[0].code);
	struct ec_earning e;
	struct found *nv, *f;
	size_t i, last = 0, any = 0;

	if (!ce)
		return 0;
	ec_earning_init(&e, ce);
	for (i = 0; i < n; i++)
		ec_earning_add(&e, &g[i]);
	ec_earning_done(&e);
	for (i = 0; i < ec_cat_nexams(ce); i++) {
		if (!e.have[i])
			continue;
		any = 1;
		if (applied(l, e.reg_no[i]))
			return 0;
	}
	if (!any || (e.earned && l->status == ST_PARTLY) || (!e.earned && l->status && l->status != ST_PARTLY))
		return 0;
	for (i = 0; i < n; i++)
		if (g[i].passed && (!g[last].passed || g[i].exam_date > g[last].exam_date))
			last = i;
	if (p->nf == p->capf) {
		p->capf = p->capf ? p->capf * 2 : 64;
		if (!(nv = realloc(p->f, p->capf * sizeof *nv)))
			return EC_ERR_NOMEM;
		p->f = nv;
	}
	f = &p->f[p->nf++];
	f->x = g[last];
	f->earned = e.earned;
	f->effective = e.effective;
	ec_earning_missing(&e, f->missing, sizeof f->missing);
	return 0;
}

static int
by_code(const void *a, const void *b)
{
	const struct ec_exam *x = a, *y = b;
	int d = strcmp(x->code, y->code);

	return d ? d : strcmp(x->reg_no, y->reg_no);
}

static int
person_flush(struct person *p)
{
	size_t i, j;
	int rc;

	if (!p->n)
		return 0;
	qsort(p->v, p->n, sizeof *p->v, by_code);
	for (i = 0; i < p->n; i = j) {
		for (j = i + 1; j < p->n && !strcmp(p->v[j].code, p->v[i].code); j++)
			;
		if ((rc = person_cert(p, p->v + i, j - i)))
			return rc;
	}
	p->n = 0;
	return 0;
}

static int
on_exam(void *ctx, const struct ec_exam *x)
{
	struct person *p = ctx;
	struct ec_exam *nv;
	int rc;

	if (p->n && strcasecmp(p->v[0].email, x->email) && (rc = person_flush(p)))
		return rc;
	if (!email_ok(p->l, x->email))
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		if (!(nv = realloc(p->v, p->cap * sizeof *nv)))
			return EC_ERR_NOMEM;
		p->v = nv;
	}
	p->v[p->n++] = *x;
	return 0;
}

/* The rows found: an earned certification its person already holds live (a retake) is not "not applied". */
static int
person_rows(struct person *p)
{
	char number[EC_NUMBER_DIGITS + 1];
	const struct found *f;
	size_t i;
	int rc;

	for (i = 0; i < p->nf; i++) {
		f = &p->f[i];
		if (!f->earned) {
			rc = partly(p->l, &f->x, ec_catalog_find(p->l->c->cat, f->x.code), f->missing);
		} else if ((rc = ec_office_live(p->l->c->off, f->x.email, f->x.code, f->effective, number, NULL)) == 0 &&
		    !number[0]) {
			rc = pending(p->l, EC_ST_NOT_APPLIED, &f->x, NULL, f->effective);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* Requested applications, looked up against their exam after the iteration (no nested reads). */
struct reqs {
	struct ec_app *v;
	size_t n, cap;
	const struct listing *l;
};

static int
on_req(void *ctx, const struct ec_app *a)
{
	struct reqs *r = ctx;
	struct ec_app *nv;

	if (!email_ok(r->l, a->email))
		return 0;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		if (!(nv = realloc(r->v, r->cap * sizeof *nv)))
			return EC_ERR_NOMEM;
		r->v = nv;
	}
	r->v[r->n++] = *a;
	return 0;
}

static int
list_pending(struct listing *l)
{
	struct reqs r = { NULL, 0, 0, l };
	struct person p;
	struct ec_earning e;
	const struct ec_cat_entry *ce;
	struct ec_exam x;
	size_t i;
	int rc = 0;

	memset(&p, 0, sizeof p);
	p.l = l;
	if (!l->status || l->status == 1 + EC_ST_REQUESTED) {
		if ((rc = ec_office_apps_each(l->c->off, 1, on_req, &r)))
			goto out;
		for (i = 0; i < r.n; i++) {
			if ((rc = ec_office_exam_get(l->c->off, r.v[i].reg_no, &x)))
				goto out;
			/* the dates it will have: the day its person earned the certification */
			e.effective = x.exam_date;
			if ((ce = ec_catalog_find(l->c->cat, x.code)) && (rc = ec_earning_of(l->c->off, ce, x.email, &e)))
				goto out;
			if ((rc = pending(l, EC_ST_REQUESTED, &x, &r.v[i], e.effective ? e.effective : x.exam_date)))
				goto out;
		}
	}
	if (!l->status || l->status == 1 + EC_ST_NOT_APPLIED || l->status == ST_PARTLY) {
		if ((rc = ec_office_apps_each(l->c->off, 0, on_app, l)))
			goto out;
		if (l->napplied)
			qsort(l->applied, l->napplied, sizeof *l->applied, cmp_str);
		if ((rc = ec_office_person_exams(l->c->off, NULL, on_exam, &p)) == 0 && (rc = person_flush(&p)) == 0)
			rc = person_rows(&p);
	}
out:
	free(r.v);
	free(p.v);
	free(p.f);
	return rc;
}

/* Every row the filter selects, into l's table or JSON. Returns an ec_err. */
static int
rows(struct listing *l, const struct ec_cert_filter *f)
{
	int rc;

	if (!l->c->off)
		return 0;
	if (!l->status || (l->status != 1 + EC_ST_REQUESTED && l->status != 1 + EC_ST_NOT_APPLIED &&
	    l->status != ST_PARTLY))
		if ((rc = ec_office_certs_each(l->c->off, f, on_cert, l)))
			return rc;
	return list_pending(l);
}

/* `list --shipping`: paper certificates not shipped yet, due 7 working days after approval (issuance). */
struct shipping {
	struct ctx *c;
	struct table *t;
	struct ec_buf *json;
	size_t n, overdue;
};

static int
ship_one(void *ctx, const struct ec_cert *r)
{
	struct shipping *x = ctx;
	char appr[11], due[11];
	ec_day approved, by;
	int late;

	if (r->e.format != EC_FORMAT_PAPER || r->mailed_at)
		return 0;
	approved = ec_date_from_time(r->e.issued_at);
	by = ec_date_add_working_days(approved, 7, x->c->cat->holidays, x->c->cat->nholidays);
	late = x->c->today > by;
	ec_date_format(approved, appr);
	ec_date_format(by, due);
	x->overdue += late;
	if (x->json) {
		ec_buf_adds(x->json, x->n++ ? ",\n{\"number\":" : "\n{\"number\":");
		ec_buf_json(x->json, r->e.number);
		ec_buf_adds(x->json, ",\"code\":");
		ec_buf_json(x->json, r->e.code);
		ec_buf_adds(x->json, ",\"name\":");
		ec_buf_json(x->json, r->e.name);
		ec_buf_adds(x->json, ",\"address\":");
		ec_buf_json(x->json, r->address);
		ec_buf_adds(x->json, ",\"tel\":");
		ec_buf_json(x->json, r->tel);
		ec_buf_addf(x->json, ",\"approved\":\"%s\",\"due\":\"%s\",\"overdue\":%s}", appr, due,
		    late ? "true" : "false");
		return x->json->err;
	} else {
		const char *cells[] = { r->e.number, r->e.code, r->e.name, appr, due, late ? "OVERDUE" : "" };

		x->n++;
		return table_row(x->t, cells);
	}
}

static int
list_shipping(struct ctx *c, const struct opts *o)
{
	static const char *const heads[] = { "Certificate Number", "Certificate Name", "Name", "Approved", "Due", "" };
	struct ec_cert_filter f = { NULL, 1 + EC_ST_VALID, c->today };
	struct shipping x = { c, NULL, NULL, 0, 0 };
	struct ec_buf b = { 0 };
	int rc;

	if (o->json) {
		x.json = &b;
		ec_buf_addc(&b, '[');
	} else if (!(x.t = table_new(6, heads))) {
		return fail(EC_ERR_NOMEM);
	}
	rc = c->off ? ec_office_certs_each(c->off, &f, ship_one, &x) : 0;
	if (rc)
		rc = fail(rc);
	else if (o->json)
		ec_buf_adds(&b, x.n ? "\n]" : "]"), rc = put_buf(&b);
	else if ((rc = o->csv_out ? table_print_csv(x.t, stdout) : table_print(x.t, stdout)))
		rc = fail(rc);
	if (!rc && !o->json && !o->csv_out)
		fprintf(stderr, PROG ": %zu paper certificate%s to ship, %zu overdue\n", x.n, x.n == 1 ? "" : "s", x.overdue);
	table_free(x.t);
	ec_buf_free(&b);
	return rc;
}

int
cmd_list(struct opts *o)
{
	static const char *const heads[] = { "Status", "Certificate Name", "Certificate Number", "Renewal",
		"Effective Date", "Expiration Date", "Email" };
	struct ctx c;
	struct listing l;
	struct ec_cert_filter f;
	struct ec_buf b;
	size_t i;
	int rc;

	memset(&l, 0, sizeof l);
	memset(&f, 0, sizeof f);
	ec_buf_init(&b);
	if (o->status && !(l.status = !strcmp(o->status, "partly_done") ? ST_PARTLY : status_parse(o->status)))
		return usage_err("unknown status '%s' (partly_done, not_applied, requested, valid, revoked, expired, "
		    "superseded)", o->status);
	if (o->json && o->csv_out)
		return usage_err("list takes --json or --csv, not both");
	if (o->shipping && (o->email || o->status))
		return usage_err("list --shipping takes no --email or --status: it lists every paper certificate to ship");
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_CAT | NEED_READ)))
		return rc;
	if (o->shipping) {
		rc = list_shipping(&c, o);
		ctx_close(&c);
		return rc;
	}
	l.c = &c;
	l.o = o;
	f.email = o->email;
	f.status = l.status;
	f.today = c.today;
	if (o->json) {
		l.json = &b;
		ec_buf_addc(&b, '[');
		rc = rows(&l, &f);
	} else {
		rc = (l.t = table_new(7, heads)) ? rows(&l, &f) : EC_ERR_NOMEM;
	}
	if (rc) {
		rc = fail(rc);
	} else if (o->json) {
		ec_buf_adds(&b, l.n ? "\n]" : "]");
		rc = put_buf(&b);
	} else if ((rc = o->csv_out ? table_print_csv(l.t, stdout) : table_print(l.t, stdout))) {
		rc = fail(rc);
	}
	for (i = 0; i < l.napplied; i++)
		free(l.applied[i]);
	free(l.applied);
	table_free(l.t);
	ec_buf_free(&b);
	ctx_close(&c);
	return rc;
}

int
cert_lookup(struct ctx *c, const char *arg, struct ec_cert *r)
{
	char num[EC_NUMBER_DIGITS + 1];
	int rc;

	if ((rc = arg_number(arg, num)))
		return rc;
	rc = c->off ? ec_office_cert_get(c->off, num, r) : EC_ERR_NOTFOUND;
	if (rc == EC_ERR_NOTFOUND) {
		errmsg("unknown certificate number '%s'", num);
		return 1;
	}
	return rc ? fail(rc) : 0;
}

int
cert_open(struct ctx *c, const struct opts *o, unsigned need, struct ec_cert **out)
{
	int rc;

	*out = NULL;
	if ((rc = ctx_open(c, o, need)))
		return rc;
	if (!(*out = malloc(sizeof **out)))
		return fail(EC_ERR_NOMEM);
	return cert_lookup(c, o->args[0], *out);
}

/* "Key  value"; a value of several lines (a postal address) goes on under the first. */
static void
line(const char *key, const char *val)
{
	const char *nl;

	if (!val || !val[0])
		return;
	printf("%-16s ", key);
	while ((nl = strchr(val, '\n')) != NULL) {
		printf("%.*s\n%-16s ", (int)(nl - val), val, "");
		val = nl + 1;
	}
	printf("%s\n", val);
}

static void
show_text(const struct ctx *c, const struct ec_cert *r)
{
	char disp[EC_NUMBER_DISPLAY + 1], d[21], em[EC_EMAIL_MAX + 8], url[EC_QR_MAX + 1];
	enum ec_status st = ec_cert_status(r, c->today);
	char *masked = NULL;

	ec_number_display(r->e.number, disp);
	line("Number", disp);
	line("Status", ec_status_word(st));
	printf("%-16s %s (%s)\n", "Certification", r->e.code, r->e.title);
	line("Format", r->e.format == EC_FORMAT_PAPER ? "paper" : "electronic");
	line("Name", r->e.name);
	ec_name_mask(r->e.name, &masked);
	line("Public name", masked);
	free(masked);
	line("Email", r->email);
	mask_email(r->email, em, sizeof em);
	line("Email (masked)", em);
	line("Telephone", r->tel);
	line("Address", r->address);
	line("Registration no", r->reg_no);
	{
		struct ec_app a;

		if (c->off && !r->e.renewal_of[0] && ec_office_app_get(c->off, r->reg_no, &a) == 0 &&
		    !strcmp(a.number, r->e.number)) {
			ec_date_format(a.applied, d);
			line("Applied", d);
		}
	}
	ec_date_format(r->e.effective, d);
	line("Effective", d);
	ec_date_format(r->e.expires, d);
	line("Expires", d);
	fmt_time(r->e.issued_at, d);
	line("Issued at", d);
	line("Issuer", r->issuer);
	line("Issuing CA", r->e.kid);
	line("Renewal of", r->e.renewal_of);
	line("Superseded by", r->superseded_by);
	if (r->status == EC_ST_REVOKED) {
		fmt_time(r->revoked_at, d);
		printf("%-16s %s (%s)\n", "Revoked", d, r->reason);
	}
	if (r->e.format == EC_FORMAT_PAPER) {
		if (r->mailed_at) {
			fmt_time(r->mailed_at, d);
			printf("%-16s %s, order %s, %s\n", "Shipped", r->carrier, r->order, d);
		} else {
			line("Shipped", "/");
		}
	}
	if (ec_qr_payload(c->conf.public_url, r->e.number, r->token, url, sizeof url) == 0)
		line("QR URL", url);
}

/* Whether a typed argument is a certificate number (22 digits, spaces and dashes allowed) rather than a registration number. */
static int
number_like(const char *s)
{
	size_t digits = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s != ' ' && *s != '-')
			return 0;
	}
	return digits == EC_NUMBER_DIGITS;
}

struct by_reg {
	const char *reg_no;
	struct ec_cert *v;
	size_t n, cap;
};

static int
reg_one(void *ctx, const struct ec_cert *r)
{
	struct by_reg *x = ctx;

	if (strcmp(r->reg_no, x->reg_no) != 0)
		return 0;
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 4;
		struct ec_cert *p = realloc(x->v, cap * sizeof *p);

		if (!p)
			return EC_ERR_NOMEM;
		x->v = p;
		x->cap = cap;
	}
	x->v[x->n++] = *r;
	return 0;
}

/* `show REG-NO`: the application and every certificate of that registration number (renewals keep it). */
static int
show_reg(struct ctx *c, const struct opts *o, struct ec_buf *b)
{
	struct by_reg x = { o->args[0], NULL, 0, 0 };
	struct ec_cert_filter f = { NULL, 0, c->today };
	struct ec_app a;
	char d[11];
	int rc;

	if ((rc = ec_field_regno(o->args[0])))
		return usage_err("'%s' is neither a certificate number (22 digits) nor a registration number: %s", o->args[0],
		    ec_err_msg(rc));
	rc = c->off ? ec_office_app_get(c->off, o->args[0], &a) : EC_ERR_NOTFOUND;
	if (rc == EC_ERR_NOTFOUND) {
		char num[EC_NUMBER_DIGITS + 1];

		/* Mostly digits: a certificate number mistyped, and the number's own message says how. */
		if (strspn(o->args[0], "0123456789 -") + 2 >= strlen(o->args[0]) && strlen(o->args[0]) >= 16)
			return arg_number(o->args[0], num);
		errmsg("no application for registration number '%s'", o->args[0]);
		return 1;
	}
	if (rc)
		return fail(rc);
	f.email = a.email;
	/* The certificates of the application's address, then only those of this registration number. */
	if (a.email[0] && (rc = ec_office_certs_each(c->off, &f, reg_one, &x))) {
		free(x.v);
		return fail(rc);
	}
	if (o->json) {
		ec_buf_adds(b, "{\"reg_no\":");
		ec_buf_json(b, a.reg_no);
		ec_buf_adds(b, ",\"application\":{\"status\":");
		ec_buf_json(b, ec_status_name(a.status));
		ec_date_format(a.applied, d);
		ec_buf_adds(b, ",\"applied\":");
		ec_buf_json(b, d);
		ec_buf_adds(b, ",\"format\":");
		ec_buf_json(b, a.format == EC_FORMAT_PAPER ? "paper" : "electronic");
		ec_buf_adds(b, ",\"name\":");
		ec_buf_json(b, a.name);
		ec_buf_adds(b, "},\"certificates\":[");
		for (size_t i = 0; i < x.n; i++) {
			if (i)
				ec_buf_addc(b, ',');
			cert_json(b, c, &x.v[i], 1);
		}
		ec_buf_adds(b, "]}");
		rc = put_buf(b);
	} else {
		ec_date_format(a.applied, d);
		printf("%-16s %s\n%-16s %s, %s, %s, name '%s'\n", "Registration no", a.reg_no, "Application", d,
		    a.format == EC_FORMAT_PAPER ? "paper" : "electronic", a.status == EC_ST_REQUESTED ? "requested" :
		    "issued", a.name);
		for (size_t i = 0; i < x.n; i++) {
			putchar('\n');
			show_text(c, &x.v[i]);
		}
		rc = fflush(stdout) ? 2 : 0;
	}
	free(x.v);
	return rc;
}

int
cmd_show(struct opts *o)
{
	struct ctx c;
	struct ec_cert *r = NULL;
	struct ec_buf b;
	int rc;

	ec_buf_init(&b);
	if (!number_like(o->args[0])) {
		if ((rc = ctx_open(&c, o, NEED_CONF | NEED_READ)) == 0)
			rc = show_reg(&c, o, &b);
		goto out;
	}
	if ((rc = cert_open(&c, o, NEED_CONF | NEED_READ, &r)))
		goto out;
	if (o->json) {
		cert_json(&b, &c, r, 1);
		rc = put_buf(&b);
	} else {
		show_text(&c, r);
		rc = fflush(stdout) ? 2 : 0;
	}
out:
	ec_buf_free(&b);
	ctx_close(&c);
	free(r);
	return rc;
}

static int
write_all(FILE *f, const char *path, const void *p, size_t n)
{
	if (fwrite(p, 1, n, f) != n || fflush(f)) {
		errmsg("cannot write '%s': %s", path, strerror(errno));
		return 2;
	}
	return 0;
}

int
cmd_export(struct opts *o)
{
	struct ctx c;
	struct ec_cert *r;
	char *pem = NULL;
	size_t pemlen = 0;
	FILE *f = stdout;
	int rc;

	if ((rc = cert_open(&c, o, NEED_READ, &r)))
		goto out;
	if (!o->der && (rc = ec_der_to_pem(r->der, r->der_len, &pem, &pemlen))) {
		rc = fail(rc);
		goto out;
	}
	if (o->out && !(f = fopen(o->out, "wb"))) {
		errmsg("cannot open '%s': %s", o->out, strerror(errno));
		rc = 2;
		goto out;
	}
	rc = o->der ? write_all(f, o->out ? o->out : "standard output", r->der, r->der_len) :
	    write_all(f, o->out ? o->out : "standard output", pem, pemlen);
	if (f != stdout && fclose(f) && !rc) {
		errmsg("cannot write '%s': %s", o->out, strerror(errno));
		rc = 2;
	}
out:
	free(pem);
	ctx_close(&c);
	free(r);
	return rc;
}
