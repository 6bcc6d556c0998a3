/* ecert-issue import: exam results from CSV, every row checked, all stored or none. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "date.h"
#include "err.h"
#include "issuer.h"

#define SHOW_MAX 20         /* bad rows reported one by one; the rest are counted */

/* The required columns, then the optional ones (C_EXAM: absent or empty, the certification's one exam). */
enum { C_REGNO, C_LAST, C_FIRST, C_EMAIL, C_TEL, C_CERT, C_DATE, C_RESULT, NREQ, C_EXAM = NREQ, NCOLS };

static const char *const columns[NCOLS] = {
	"registration_no", "last_name", "first_name", "email", "tel", "certification", "exam_date", "result", "exam"
};

struct rows {
	struct ec_exam *v;
	size_t *line;            /* physical line of each row, for messages */
	size_t n, cap;
	size_t bad;
	const char *file;
};

static void
bad_row(struct rows *r, size_t line, const char *field, const char *detail)
{
	if (r->bad++ < SHOW_MAX)
		fprintf(stderr, "%s:%zu: field '%s': %s\n", r->file, line, field, detail);
}

/* Report the detail just recorded for EC_ERR_SYNTAX against column col; the row is dropped (returns 0). */
static int
bad_col(struct rows *r, size_t line, int col)
{
	bad_row(r, line, columns[col], ec_err_msg(EC_ERR_SYNTAX));
	return 0;
}

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* Check one record and append it; a bad field is reported and the row dropped. */
static int
row(struct ctx *c, struct rows *r, const char *const *f, const int *ix, size_t line)
{
	const struct ec_cat_entry *ce;
	struct ec_exam *x;
	void *nv;
	const char *res, *exam;
	char list[EC_CAT_EXAMS_MAX * (EC_CODE_MAX + 2)];
	size_t i, n;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		if (!(nv = realloc(r->v, r->cap * sizeof *r->v)))
			return EC_ERR_NOMEM;
		r->v = nv;
		if (!(nv = realloc(r->line, r->cap * sizeof *r->line)))
			return EC_ERR_NOMEM;
		r->line = nv;
	}
	x = &r->v[r->n];
	memset(x, 0, sizeof *x);
	if (ec_field_regno(f[ix[C_REGNO]]))
		return bad_col(r, line, C_REGNO);
	if (ec_field_text(f[ix[C_LAST]], EC_PNAME_MAX, 1))
		return bad_col(r, line, C_LAST);
	if (ec_field_text(f[ix[C_FIRST]], EC_PNAME_MAX, 1))
		return bad_col(r, line, C_FIRST);
	if (!f[ix[C_LAST]][0] && !f[ix[C_FIRST]][0]) {
		ec_err_set(EC_ERR_SYNTAX, "no last name and no first name");
		return bad_col(r, line, C_LAST);
	}
	if (ec_field_email(f[ix[C_EMAIL]]))
		return bad_col(r, line, C_EMAIL);
	if (ec_field_tel(f[ix[C_TEL]]))
		return bad_col(r, line, C_TEL);
	if (!(ce = ec_catalog_find(c->cat, f[ix[C_CERT]]))) {
		ec_err_set(EC_ERR_SYNTAX, "unknown certification '%.40s' (see '" PROG " catalog')", f[ix[C_CERT]]);
		return bad_col(r, line, C_CERT);
	}
	exam = ix[C_EXAM] >= 0 && f[ix[C_EXAM]][0] ? f[ix[C_EXAM]] : ce->code;
	if (!ec_cat_requires(ce, exam)) {
		for (i = 0, n = 0, list[0] = '\0'; i < ec_cat_nexams(ce) && n < sizeof list; i++)
			n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", ec_cat_exam(ce, i));
		if (exam == ce->code)
			ec_err_set(EC_ERR_SYNTAX, "%s requires the exams %s: name one in the 'exam' column", ce->code, list);
		else
			ec_err_set(EC_ERR_SYNTAX, "exam '%.40s' is not one that %s requires (%s)", exam, ce->code, list);
		return bad_col(r, line, C_EXAM);
	}
	if (ec_date_parse(f[ix[C_DATE]], &x->exam_date)) {
		ec_err_set(EC_ERR_SYNTAX, "'%.40s' is not a date (YYYY-MM-DD)", f[ix[C_DATE]]);
		return bad_col(r, line, C_DATE);
	}
	if (x->exam_date > c->today) {
		ec_err_set(EC_ERR_SYNTAX, "exam date %s is in the future", f[ix[C_DATE]]);
		return bad_col(r, line, C_DATE);
	}
	res = f[ix[C_RESULT]];
	if (strcasecmp(res, "pass") && strcasecmp(res, "fail")) {
		ec_err_set(EC_ERR_SYNTAX, "'%.40s' is neither pass nor fail", res);
		return bad_col(r, line, C_RESULT);
	}
	copy(x->reg_no, sizeof x->reg_no, f[ix[C_REGNO]]);
	copy(x->last_name, sizeof x->last_name, f[ix[C_LAST]]);
	copy(x->first_name, sizeof x->first_name, f[ix[C_FIRST]]);
	copy(x->email, sizeof x->email, f[ix[C_EMAIL]]);
	copy(x->tel, sizeof x->tel, f[ix[C_TEL]]);
	copy(x->code, sizeof x->code, f[ix[C_CERT]]);
	copy(x->exam, sizeof x->exam, exam);
	x->passed = !strcasecmp(res, "pass");
	r->line[r->n++] = line;
	return 0;
}

static const struct rows *sort_rows;

static int
by_regno(const void *a, const void *b)
{
	const size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int d = strcmp(sort_rows->v[i].reg_no, sort_rows->v[j].reg_no);

	return d ? d : (i > j) - (i < j);
}

/* A registration number twice in one file is fine when the rows agree, a conflict when they do not. */
static int
duplicates(struct rows *r)
{
	size_t *ix, i;
	const struct ec_exam *a, *b;
	char msg[128];

	if (r->n < 2)
		return 0;
	if (!(ix = malloc(r->n * sizeof *ix)))
		return EC_ERR_NOMEM;
	for (i = 0; i < r->n; i++)
		ix[i] = i;
	sort_rows = r;
	qsort(ix, r->n, sizeof *ix, by_regno);
	for (i = 1; i < r->n; i++) {
		a = &r->v[ix[i - 1]];
		b = &r->v[ix[i]];
		if (strcmp(a->reg_no, b->reg_no) || !memcmp(a, b, sizeof *a))
			continue;
		snprintf(msg, sizeof msg, "'%s' appears also on line %zu with different data", b->reg_no,
		    r->line[ix[i - 1]]);
		bad_row(r, r->line[ix[i]], columns[C_REGNO], msg);
	}
	free(ix);
	return 0;
}

/* Read every record; syntax errors after which the reader can go on are counted like bad fields. */
static int
read_all(struct ctx *c, struct ec_csv *csv, struct rows *r)
{
	const char *const *f;
	int ix[NCOLS];
	char *extra = NULL, last[512] = "";
	size_t n, line;
	int rc;

	if ((rc = ec_csv_header_opt(csv, columns, NREQ, columns + NREQ, NCOLS - NREQ, ix, &extra)))
		return rc;
	if (extra)
		fprintf(stderr, PROG ": %s: ignoring extra column%s %s\n", r->file, strchr(extra, ',') ? "s" : "",
		    extra);
	free(extra);
	for (;;) {
		rc = ec_csv_next(csv, &f, &n, &line);
		if (rc == 0)
			break;
		if (rc == EC_ERR_NOMEM)
			return rc;
		if (rc < 0) {
			/* After some errors the reader is lost and repeats the same one: stop there. */
			if (!strcmp(last, ec_err_msg(rc)))
				return 0;
			snprintf(last, sizeof last, "%s", ec_err_msg(rc));
			if (r->bad++ < SHOW_MAX)
				fprintf(stderr, "%s\n", last);
			continue;
		}
		if ((rc = row(c, r, f, ix, line)))
			return rc;
	}
	return duplicates(r);
}

/* One field's correction, printed old -> new; "" reads as (none). */
static void
changed(const char *what, const char *old, const char *now)
{
	if (strcmp(old, now) != 0)
		printf("  %-13s '%s' -> '%s'\n", what, old[0] ? old : "(none)", now[0] ? now : "(none)");
}

static int
differs(const struct ec_exam *a, const struct ec_exam *b)
{
	return strcmp(a->last_name, b->last_name) || strcmp(a->first_name, b->first_name) ||
	    strcmp(a->email, b->email) || strcmp(a->tel, b->tel) || strcmp(a->code, b->code) ||
	    strcmp(a->exam, b->exam) || a->exam_date != b->exam_date || a->passed != b->passed;
}

/* What a correction of stored result old to x changes, field by field. */
static void
corrections(const struct ec_exam *old, const struct ec_exam *x)
{
	char d1[11], d2[11];

	printf("amended the exam result '%s':\n", x->reg_no);
	changed("last_name", old->last_name, x->last_name);
	changed("first_name", old->first_name, x->first_name);
	changed("email", old->email, x->email);
	changed("tel", old->tel, x->tel);
	changed("certification", old->code, x->code);
	changed("exam", old->exam, x->exam);
	ec_date_format(old->exam_date, d1);
	ec_date_format(x->exam_date, d2);
	changed("exam_date", d1, d2);
	changed("result", old->passed ? "pass" : "fail", x->passed ? "pass" : "fail");
}

/*
 * The stored results the rows would correct, read before the import so that they can be shown
 * after it commits: olds[i] valid when has[i].
 */
static int
stored(struct ctx *c, const struct rows *r, struct ec_exam **olds, char **has)
{
	size_t i;
	int rc;

	if (!(*olds = calloc(r->n ? r->n : 1, sizeof **olds)) || !(*has = calloc(r->n ? r->n : 1, 1)))
		return EC_ERR_NOMEM;
	for (i = 0; i < r->n; i++) {
		rc = ec_office_exam_get(c->off, r->v[i].reg_no, &(*olds)[i]);
		if (rc == 0)
			(*has)[i] = 1;
		else if (rc != EC_ERR_NOTFOUND)
			return rc;
	}
	return 0;
}

int
import_file(struct opts *o, unsigned flags)
{
	struct ctx c;
	struct ec_csv *csv = NULL;
	struct rows r;
	struct ec_import_stats st;
	struct ec_exam *olds = NULL;
	char *has = NULL;
	size_t i;
	int rc;

	memset(&r, 0, sizeof r);
	memset(&st, 0, sizeof st);
	r.file = o->args[0];
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_CAT | NEED_OFFICE)))
		return rc;
	if ((rc = ec_csv_open_file(r.file, &csv)) || (rc = read_all(&c, csv, &r))) {
		rc = fail(rc);
		goto out;
	}
	if (r.bad) {
		if (r.bad > SHOW_MAX)
			errmsg("%s: %zu more bad rows not shown", r.file, r.bad - SHOW_MAX);
		errmsg("%s: %zu bad row%s: nothing imported", r.file, r.bad, r.bad == 1 ? "" : "s");
		rc = 1;
		goto out;
	}
	if ((flags & EC_IMPORT_UPDATE) && (rc = stored(&c, &r, &olds, &has))) {
		rc = fail(rc);
		goto out;
	}
	if ((rc = ec_office_import_ex(c.off, r.v, r.n, flags, &st))) {
		rc = fail(rc);
		errmsg("%s: nothing %s", r.file, flags & EC_IMPORT_NO_NEW ? "amended" : "imported");
		goto out;
	}
	for (i = 0; olds && i < r.n; i++)
		if (has[i] && differs(&olds[i], &r.v[i]))
			corrections(&olds[i], &r.v[i]);
	printf("%s: %zu row%s: %zu new, %zu unchanged", r.file, r.n, r.n == 1 ? "" : "s", st.added, st.unchanged);
	if (flags & EC_IMPORT_UPDATE)
		printf(", %zu amended", st.amended);
	putchar('\n');
out:
	ec_csv_close(csv);
	free(r.v);
	free(r.line);
	free(olds);
	free(has);
	ctx_close(&c);
	return rc;
}

int
cmd_import(struct opts *o)
{
	return import_file(o, o->update ? EC_IMPORT_UPDATE : 0);
}
