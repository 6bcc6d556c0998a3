/* The certification catalogue: parse and check DIR/catalog.conf, install it from the shipped template. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "catalog.h"
#include "conf.h"
#include "date.h"
#include "err.h"
#include "file.h"
#include "paths.h"
#include "text.h"
#include "utf8.h"
#include "name.h"

#define FILE_MAX (1 << 20)
#define LINE_MAX_LEN 1024
#define FIELDS 8

#ifndef EC_DATADIR
#define EC_DATADIR "/usr/local/share/ecert"
#endif

void
ec_catalog_free(struct ec_catalog *c)
{
	if (!c)
		return;
	free(c->v);
	free(c->holidays);
	free(c);
}

const struct ec_cat_entry *
ec_catalog_find(const struct ec_catalog *c, const char *code)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].code, code) == 0)
			return &c->v[i];
	return NULL;
}

const struct ec_cat_entry *
ec_catalog_find_programme(const struct ec_catalog *c, unsigned programme)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].programme == programme)
			return &c->v[i];
	return NULL;
}

size_t
ec_cat_nexams(const struct ec_cat_entry *e)
{
	return e->nexams ? e->nexams : 1;
}

const char *
ec_cat_exam(const struct ec_cat_entry *e, size_t i)
{
	return e->nexams ? e->exams[i] : e->code;
}

int
ec_cat_requires(const struct ec_cat_entry *e, const char *exam)
{
	size_t i;

	for (i = 0; i < ec_cat_nexams(e); i++)
		if (strcmp(ec_cat_exam(e, i), exam) == 0)
			return 1;
	return 0;
}

const char *
ec_catalog_formats_name(unsigned formats)
{
	if (formats == (EC_CAT_ELECTRONIC | EC_CAT_PAPER))
		return "electronic,paper";
	if (formats == EC_CAT_PAPER)
		return "paper";
	if (formats == EC_CAT_ELECTRONIC)
		return "electronic";
	return "none";
}

/* Read path whole (at most FILE_MAX bytes); a missing file is EC_ERR_NOTFOUND. */
static int
slurp(const char *path, char **out, size_t *len)
{
	int r = ec_file_read(path, FILE_MAX, out, len);

	if (r == EC_ERR_IO && errno == ENOENT)
		r = ec_err_set(EC_ERR_NOTFOUND, "cannot open '%s': %s", path, strerror(ENOENT));
	return r;
}

struct parse {
	const char *path;
	size_t line;
	struct ec_catalog *c;
	size_t cap, hcap;
	size_t *lines;            /* line of each entry, for duplicate messages */
};

static int bad(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
bad(struct parse *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return ec_err_set(EC_ERR_SYNTAX, "%s:%zu: %s", p->path, p->line, msg);
}

static int
holidays(struct parse *p, char *rest)
{
	char *tok, *save = NULL;
	ec_day d, *nv;
	int any = 0;

	for (tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (ec_date_parse(tok, &d))
			return bad(p, "holiday '%.40s' is not a YYYY-MM-DD date", tok);
		if (p->c->nholidays == p->hcap) {
			p->hcap = p->hcap ? p->hcap * 2 : 16;
			if (!(nv = realloc(p->c->holidays, p->hcap * sizeof *nv)))
				return ec_err_set(EC_ERR_NOMEM, "out of memory");
			p->c->holidays = nv;
		}
		p->c->holidays[p->c->nholidays++] = d;
		any = 1;
	}
	return any ? 0 : bad(p, "%s", "holiday line without a date");
}

static int
digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A code as the catalogue and the CSVs spell it: 1 to 31 printable ASCII characters, no space. */
static int
code_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > EC_CODE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* The EXAMS field: comma-separated exam codes, each once; empty for the one exam coded as e->code. */
static int
exams(struct parse *p, struct ec_cat_entry *e, char *list)
{
	char *tok, *next;
	size_t i;

	if (!*list)
		return 0;
	for (tok = list; tok; tok = next) {
		if ((next = strchr(tok, ',')))
			*next++ = '\0';
		tok = ec_trim(tok);
		if (!code_ok(tok))
			return bad(p, "exam code '%.40s' must be 1 to 31 printable ASCII characters without spaces", tok);
		if (e->nexams == EC_CAT_EXAMS_MAX)
			return bad(p, "more than %d exams for '%s'", EC_CAT_EXAMS_MAX, e->code);
		for (i = 0; i < e->nexams; i++)
			if (strcmp(e->exams[i], tok) == 0)
				return bad(p, "exam '%s' listed twice for '%s'", tok, e->code);
		memcpy(e->exams[e->nexams++], tok, strlen(tok) + 1);
	}
	return 0;
}

static int
entry(struct parse *p, char *line)
{
	unsigned long bad_cp;
	struct ec_cat_entry e, *nv;
	char *f[FIELDS], *s = line, *bar;
	size_t nf = 0, i, *nl;
	int r;

	memset(&e, 0, sizeof e);
	for (;;) {
		bar = strchr(s, '|');
		if (nf == FIELDS)
			return bad(p, "%s", "more than 8 fields (CODE | TITLE | PROGRAMME | YEARS | FORMATS | TEMPLATE "
			    "| EXAMS | RENEWAL)");
		if (bar)
			*bar = '\0';
		f[nf++] = ec_trim(s);
		if (!bar)
			break;
		s = bar + 1;
	}
	if (nf < FIELDS - 2)
		return bad(p, "%s", "expected 6 to 8 fields (CODE | TITLE | PROGRAMME | YEARS | FORMATS | TEMPLATE "
		    "[| EXAMS [| RENEWAL]])");

	if (!f[0][0] || strlen(f[0]) > EC_CODE_MAX)
		return bad(p, "certification code '%.40s' is empty or longer than 31 characters", f[0]);
	if (!code_ok(f[0]))
		return bad(p, "certification code '%.40s' must be printable ASCII without spaces", f[0]);
	memcpy(e.code, f[0], strlen(f[0]) + 1);

	/* the title is signed into every e-Cert (subject description): the certificates' text rule */
	if (!f[1][0] || strlen(f[1]) > EC_TITLE_MAX || ec_text_check(f[1], strlen(f[1]), &bad_cp) < 0)
		return bad(p, "title '%.60s' is empty, too long, not UTF-8 or holds a control or bidi character",
		    f[1]);
	memcpy(e.title, f[1], strlen(f[1]) + 1);

	if (!digits(f[2], 4, 4))
		return bad(p, "programme code '%.40s' is not 4 digits", f[2]);
	e.programme = (unsigned)atoi(f[2]);

	if (!digits(f[3], 1, 2) || atoi(f[3]) < 1 || atoi(f[3]) > 10)
		return bad(p, "validity '%.40s' is not 1 to 10 years", f[3]);
	e.years = atoi(f[3]);

	if (strcmp(f[4], "electronic,paper") == 0 || strcmp(f[4], "paper,electronic") == 0)
		e.formats = EC_CAT_ELECTRONIC | EC_CAT_PAPER;
	else if (strcmp(f[4], "paper") == 0)
		e.formats = EC_CAT_PAPER;
	else if (strcmp(f[4], "electronic") == 0)
		e.formats = EC_CAT_ELECTRONIC;
	else
		return bad(p, "formats '%.40s' must be electronic,paper or paper or electronic", f[4]);

	if (!f[5][0] || strlen(f[5]) > EC_TEMPLATE_MAX || strspn(f[5], "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
	    strlen(f[5]))
		return bad(p, "template name '%.40s' must be 1 to 31 of [a-z0-9_-]", f[5]);
	memcpy(e.template_name, f[5], strlen(f[5]) + 1);

	if (nf >= FIELDS - 1 && (r = exams(p, &e, f[6])))
		return r;
	if (nf == FIELDS) {
		if (!strcmp(f[7], "no-renew"))
			e.no_renewal = 1;
		else if (f[7][0] && strcmp(f[7], "renew"))
			return bad(p, "renewal '%.40s' must be renew or no-renew", f[7]);
	}

	for (i = 0; i < p->c->n; i++) {
		if (strcmp(p->c->v[i].code, e.code) == 0)
			return bad(p, "duplicate certification code '%s' (first on line %zu)", e.code, p->lines[i]);
		if (p->c->v[i].programme == e.programme)
			return bad(p, "duplicate programme code '%s' (first on line %zu)", f[2], p->lines[i]);
	}
	if (p->c->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		if (!(nv = realloc(p->c->v, p->cap * sizeof *nv)))
			return ec_err_set(EC_ERR_NOMEM, "out of memory");
		p->c->v = nv;
		if (!(nl = realloc(p->lines, p->cap * sizeof *nl)))
			return ec_err_set(EC_ERR_NOMEM, "out of memory");
		p->lines = nl;
	}
	p->lines[p->c->n] = p->line;
	p->c->v[p->c->n++] = e;
	return 0;
}

static int
daycmp(const void *a, const void *b)
{
	ec_day x = *(const ec_day *)a, y = *(const ec_day *)b;

	return (x > y) - (x < y);
}

int
ec_catalog_load_file(const char *path, struct ec_catalog **out)
{
	struct parse p;
	char *text = NULL, *line, *nl, *s, *end;
	size_t len = 0, i, j;
	int r;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.path = path;
	if ((r = slurp(path, &text, &len)))
		return r;
	if (!(p.c = calloc(1, sizeof *p.c))) {
		r = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	line = text;
	end = text + len;
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	for (; line < end; line = nl + 1) {
		p.line++;
		if (!(nl = memchr(line, '\n', (size_t)(end - line))))
			nl = end;
		if (memchr(line, '\0', (size_t)(nl - line))) {
			r = bad(&p, "%s", "NUL byte in line");
			goto out;
		}
		if ((size_t)(nl - line) > LINE_MAX_LEN) {
			r = bad(&p, "%s", "line longer than 1024 bytes");
			goto out;
		}
		*nl = '\0';
		if (nl > line && nl[-1] == '\r')
			nl[-1] = '\0';
		for (s = line; *s; s++)
			if ((unsigned char)*s < 0x20 && *s != '\t') {
				r = bad(&p, "%s", "control character in line");
				goto out;
			}
		s = ec_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (strncmp(s, "holiday", 7) == 0 && (s[7] == ' ' || s[7] == '\t'))
			r = holidays(&p, s + 7);
		else
			r = entry(&p, s);
		if (r)
			goto out;
	}
	if (p.c->n == 0) {
		p.line = 0;
		r = ec_err_set(EC_ERR_SYNTAX, "%s: no certification in the catalogue", path);
		goto out;
	}
	if (p.c->nholidays) {
		qsort(p.c->holidays, p.c->nholidays, sizeof *p.c->holidays, daycmp);
		for (i = 1, j = 1; i < p.c->nholidays; i++)
			if (p.c->holidays[i] != p.c->holidays[j - 1])
				p.c->holidays[j++] = p.c->holidays[i];
		p.c->nholidays = j;
	}
	*out = p.c;
	p.c = NULL;
out:
	ec_catalog_free(p.c);
	free(p.lines);
	free(text);
	return r;
}

/* The shipped template's path, or NULL when none is found. */
static const char *
template_path(struct ec_buf *b)
{
	const char *env = getenv("ECERT_TEMPLATES"), *tree;

	ec_buf_reset(b);
	if (env && *env) {
		ec_buf_addf(b, "%s/catalog.conf", env);
		return b->err ? NULL : b->p;
	}
	ec_buf_adds(b, EC_DATADIR "/templates/catalog.conf");
	if (!b->err && access(b->p, R_OK) == 0)
		return b->p;
	if (access("templates/catalog.conf", R_OK) == 0)
		return "templates/catalog.conf";
	if ((tree = ec_conf_tree_templates()) == NULL)
		return NULL;
	ec_buf_reset(b);
	ec_buf_addf(b, "%s/catalog.conf", tree);
	return !b->err && access(b->p, R_OK) == 0 ? b->p : NULL;
}

int
ec_catalog_install(const char *dir)
{
	char dst[PATH_MAX];
	struct ec_buf src;
	const char *from;
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int r;

	ec_buf_init(&src);
	if ((r = ec_path(dst, sizeof dst, dir, EC_P_CATALOG, NULL)) || stat(dst, &st) == 0)
		goto out;
	if (!(from = template_path(&src))) {
		r = ec_err_set(EC_ERR_NOTFOUND, "no catalogue template found (set ECERT_TEMPLATES or install "
		    "%s/templates/catalog.conf)", EC_DATADIR);
		goto out;
	}
	if ((r = slurp(from, &text, &len)))
		goto out;
	/* Another process may install it at the same moment: theirs is as good as ours. */
	if ((r = ec_file_write(dst, text, len, 0644, 0)) == EC_ERR_EXISTS)
		r = 0;
out:
	free(text);
	ec_buf_free(&src);
	return r;
}

int
ec_catalog_load(const char *dir, struct ec_catalog **out)
{
	char path[PATH_MAX];
	int r;

	*out = NULL;
	if ((r = ec_path(path, sizeof path, dir, EC_P_CATALOG, NULL)) || (r = ec_catalog_install(dir)))
		return r;
	return ec_catalog_load_file(path, out);
}
