/* ecert-issue apply: applications for passed exams, one from options or many from CSV, checked by lib/issue/application.c. */
#include <stdlib.h>
#include <string.h>

#include "application.h"
#include "csv.h"
#include "err.h"
#include "issuer.h"
#include "outbox.h"

#define SHOW_MAX 20

static int
check(struct ctx *c, const struct ec_app_in *in, struct ec_app *a, const char **field)
{
	struct ec_app_rules r = { c->off, c->cat, c->today, c->conf.public_url, ec_designs_fonts, c->designs };

	return ec_app_check(&r, in, a, field);
}

static int
apply_one(struct ctx *c, const struct opts *o)
{
	struct ec_app_in in = { o->reg_no, o->format, o->name, o->email, o->tel, o->address, o->consent };
	struct ec_app a, old;
	const char *field;
	char em[EC_EMAIL_MAX + 8];
	int rc;

	rc = check(c, &in, &a, &field);
	if (rc == 0 && (rc = ec_office_apply(c->off, &a, &old)) == EC_ERR_EXISTS)
		rc = ec_app_exists(&old);
	if (rc && !strcmp(field, "template")) {
		errmsg("%s", ec_err_msg(rc));
		return 2;
	}
	/* the address's own refusals name a line, not the option: say which */
	if (rc == EC_ERR_SYNTAX && !strcmp(field, "address"))
		ec_err_set(rc, "--address: %s", ec_err_msg(rc));
	if (rc)
		return fail(rc);
	/* The language of this address's notices from now on. */
	if (o->lang && (rc = ec_office_lang_set(c->off, a.email, o->lang)))
		return fail(rc);
	mask_email(a.email, em, sizeof em);
	printf("application for '%s' stored: %s, name '%s', email %s\n", a.reg_no,
	    a.format == EC_FORMAT_PAPER ? "paper" : "electronic", a.name, em);
	return 0;
}

enum { A_REGNO, A_FORMAT, A_NAME, A_EMAIL, A_TEL, A_ADDRESS, A_CONSENT, NACOLS };

static const char *const acolumns[NACOLS] = {
	"registration_no", "format", "name", "email", "tel", "address", "consent"
};

struct batch {
	struct ec_app *v;
	size_t *line;
	size_t n, cap, bad;
	const char *file;
};

static void
bad(struct batch *b, size_t line, const char *field, int rc)
{
	if (b->bad++ < SHOW_MAX)
		fprintf(stderr, "%s:%zu: field '%s': %s\n", b->file, line, field, ec_err_msg(rc));
}

static int
push(struct batch *b, const struct ec_app *a, size_t line)
{
	void *nv;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		if (!(nv = realloc(b->v, b->cap * sizeof *b->v)))
			return EC_ERR_NOMEM;
		b->v = nv;
		if (!(nv = realloc(b->line, b->cap * sizeof *b->line)))
			return EC_ERR_NOMEM;
		b->line = nv;
	}
	b->v[b->n] = *a;
	b->line[b->n++] = line;
	return 0;
}

static const struct batch *sort_batch;

static int
by_regno(const void *a, const void *b)
{
	const size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int d = strcmp(sort_batch->v[i].reg_no, sort_batch->v[j].reg_no);

	return d ? d : (i > j) - (i < j);
}

/* A registration number applied for twice in one file: the later row is refused like a second apply. */
static int
duplicates(struct batch *b)
{
	size_t *ix, i;

	if (b->n < 2)
		return 0;
	if (!(ix = malloc(b->n * sizeof *ix)))
		return EC_ERR_NOMEM;
	for (i = 0; i < b->n; i++)
		ix[i] = i;
	sort_batch = b;
	qsort(ix, b->n, sizeof *ix, by_regno);
	for (i = 1; i < b->n; i++)
		if (!strcmp(b->v[ix[i - 1]].reg_no, b->v[ix[i]].reg_no)) {
			ec_err_set(EC_ERR_EXISTS, "'%s' is applied for also on line %zu", b->v[ix[i]].reg_no,
			    b->line[ix[i - 1]]);
			bad(b, b->line[ix[i]], "registration_no", EC_ERR_EXISTS);
		}
	free(ix);
	return 0;
}

static int
read_rows(struct ctx *c, struct ec_csv *csv, struct batch *b)
{
	const char *const *f;
	struct ec_app_in in;
	struct ec_app a;
	const char *field;
	int ix[NACOLS], rc;
	char *extra = NULL, last[512] = "";
	size_t n, line;

	if ((rc = ec_csv_header(csv, acolumns, NACOLS, ix, &extra)))
		return rc;
	if (extra)
		fprintf(stderr, PROG ": %s: ignoring extra column%s %s\n", b->file, strchr(extra, ',') ? "s" : "", extra);
	free(extra);
	for (;;) {
		rc = ec_csv_next(csv, &f, &n, &line);
		if (rc == 0)
			return duplicates(b);
		if (rc == EC_ERR_NOMEM)
			return rc;
		if (rc < 0) {
			if (!strcmp(last, ec_err_msg(rc)))
				return duplicates(b);
			snprintf(last, sizeof last, "%s", ec_err_msg(rc));
			if (b->bad++ < SHOW_MAX)
				fprintf(stderr, "%s\n", last);
			continue;
		}
		in.reg_no = f[ix[A_REGNO]];
		in.format = f[ix[A_FORMAT]];
		in.name = f[ix[A_NAME]];
		in.email = f[ix[A_EMAIL]];
		in.tel = f[ix[A_TEL]];
		in.address = f[ix[A_ADDRESS]];
		in.consent = !strcmp(f[ix[A_CONSENT]], "yes");
		if (!in.consent && f[ix[A_CONSENT]][0] && strcmp(f[ix[A_CONSENT]], "no")) {
			ec_err_set(EC_ERR_SYNTAX, "'%.40s' is neither yes nor no", f[ix[A_CONSENT]]);
			bad(b, line, "consent", EC_ERR_SYNTAX);
			continue;
		}
		if ((rc = check(c, &in, &a, &field))) {
			if (!strcmp(field, "template"))
				return rc;
			bad(b, line, field, rc);
			continue;
		}
		if ((rc = push(b, &a, line)))
			return rc;
	}
}

static int
apply_csv(struct ctx *c, const char *file)
{
	struct ec_csv *csv = NULL;
	struct batch b;
	int *rcs = NULL, rc;
	size_t i, stored;

	memset(&b, 0, sizeof b);
	b.file = file;
	if ((rc = ec_csv_open_file(file, &csv)) || (rc = read_rows(c, csv, &b))) {
		rc = fail(rc);
		goto out;
	}
	if (b.bad) {
		if (b.bad > SHOW_MAX)
			errmsg("%s: %zu more bad rows not shown", file, b.bad - SHOW_MAX);
		errmsg("%s: %zu bad row%s: no application stored", file, b.bad, b.bad == 1 ? "" : "s");
		rc = 1;
		goto out;
	}
	if (b.n && !(rcs = calloc(b.n, sizeof *rcs))) {
		rc = fail(EC_ERR_NOMEM);
		goto out;
	}
	if (b.n && (rc = ec_office_apply_many(c->off, b.v, b.n, rcs))) {
		rc = fail(rc);
		goto out;
	}
	/*
	 * Checked above: what fails now is a concurrent writer's doing, or a second row of one person for
	 * one certification (one application each); name it.
	 */
	for (i = 0, stored = 0; i < b.n; i++)
		if (rcs[i]) {
			fprintf(stderr, "%s:%zu: field 'registration_no': %s\n", file, b.line[i], ec_err_msg(rcs[i]));
			rc = 1;
		} else {
			stored++;
		}
	printf("%s: %zu application%s stored\n", file, stored, stored == 1 ? "" : "s");
out:
	ec_csv_close(csv);
	free(rcs);
	free(b.v);
	free(b.line);
	return rc;
}

int
cmd_apply(struct opts *o)
{
	struct ctx c;
	int rc;

	if (o->csv && (o->reg_no || o->format || o->name || o->email || o->tel || o->address || o->consent || o->lang))
		return usage_err("apply takes either --csv FILE or the options of one application, not both");
	if (o->lang && strcmp(o->lang, "en") && strcmp(o->lang, "zh"))
		return usage_err("--lang must be en or zh, not '%s'", o->lang);
	if (!o->csv && (!o->reg_no || !o->format || !o->name))
		return usage_err("apply needs --reg-no N, --format electronic|paper and --name NAME (or --csv FILE)");
	if (!o->csv && strcmp(o->format, "electronic") && strcmp(o->format, "paper"))
		return usage_err("--format must be electronic or paper, not '%s'", o->format);
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_CAT | NEED_OFFICE)))
		return rc;
	rc = o->csv ? apply_csv(&c, o->csv) : apply_one(&c, o);
	ctx_close(&c);
	return rc;
}
