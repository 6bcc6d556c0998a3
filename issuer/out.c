/* ecert-issue output helpers: error messages, aligned text tables, progress lines. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <utf8proc.h>

#include "err.h"
#include "issuer.h"
#include "number.h"

static void
verrmsg(const char *fmt, va_list ap)
{
	fputs(PROG ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
}

int
fail(int code)
{
	errmsg("%s", ec_err_msg(code));
	return ec_err_exit(code);
}

int
usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(fmt, ap);
	va_end(ap);
	return 2;
}

int
arg_number(const char *in, char out[EC_NUMBER_DIGITS + 1])
{
	int rc = ec_number_parse(in, strlen(in), out);

	if (rc == EC_ERR_CHECKSUM) {
		errmsg("certificate number '%.40s': check digits do not match (probably a typo)", in);
		return 1;
	}
	if (rc) {
		errmsg("certificate number '%.40s' is malformed: expected 22 digits", in);
		return 1;
	}
	return 0;
}

/* Display columns of UTF-8 s: wide (CJK) characters count 2, combining marks 0. */
static size_t
width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t w = 0;
	int cw;

	while (*p) {
		n = utf8proc_iterate(p, -1, &cp);
		if (n <= 0) {
			p++;
			w++;
			continue;
		}
		cw = utf8proc_charwidth(cp);
		w += cw > 0 ? (size_t)cw : 0;
		p += n;
	}
	return w;
}

struct table {
	size_t ncols, nrows, cap;
	char **cells;            /* nrows * ncols, row 0 = heads; owned */
	size_t *w;
};

struct table *
table_new(size_t ncols, const char *const *heads)
{
	struct table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->ncols = ncols;
	t->w = calloc(ncols, sizeof *t->w);
	if (!t->w || table_row(t, heads)) {
		table_free(t);
		return NULL;
	}
	return t;
}

int
table_row(struct table *t, const char *const *cells)
{
	char **nc;
	size_t i, w;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		nc = realloc(t->cells, t->cap * t->ncols * sizeof *nc);
		if (!nc)
			return EC_ERR_NOMEM;
		t->cells = nc;
	}
	for (i = 0; i < t->ncols; i++) {
		nc = &t->cells[t->nrows * t->ncols + i];
		*nc = strdup(cells[i] ? cells[i] : "");
		if (!*nc) {
			while (i--)
				free(t->cells[t->nrows * t->ncols + i]);
			return EC_ERR_NOMEM;
		}
		w = width(*nc);
		if (w > t->w[i])
			t->w[i] = w;
	}
	t->nrows++;
	return 0;
}

int
table_print(struct table *t, FILE *f)
{
	size_t r, i, pad;
	const char *c;

	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			c = t->cells[r * t->ncols + i];
			fputs(c, f);
			if (i + 1 == t->ncols)
				break;
			for (pad = width(c); pad < t->w[i] + 2; pad++)
				fputc(' ', f);
		}
		fputc('\n', f);
	}
	return fflush(f) || ferror(f) ? EC_ERR_IO : 0;
}

int
table_print_csv(struct table *t, FILE *f)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t i = 0; i < t->ncols; i++) {
			const char *c = t->cells[r * t->ncols + i];

			if (i)
				fputc(',', f);
			if (strpbrk(c, ",\"\r\n")) {
				fputc('"', f);
				for (; *c; c++) {
					if (*c == '"')
						fputc('"', f);
					fputc(*c, f);
				}
				fputc('"', f);
			} else {
				fputs(c, f);
			}
		}
		fputs("\r\n", f);
	}
	return fflush(f) || ferror(f) ? EC_ERR_IO : 0;
}

void
table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; t->cells && i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->w);
	free(t);
}

int
put_buf(struct ec_buf *b)
{
	if (b->err)
		return fail(b->err);
	if ((b->len && fwrite(b->p, 1, b->len, stdout) != b->len) || fputc('\n', stdout) == EOF ||
	    fflush(stdout)) {
		errmsg("cannot write to standard output: %s", strerror(errno));
		return 2;
	}
	return 0;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
progress_start(struct progress *p, const char *what, size_t total)
{
	memset(p, 0, sizeof *p);
	p->tty = isatty(STDERR_FILENO);
	p->total = total;
	p->what = what;
	p->start = p->last = now_s();
}

/* Redraw at most 5 times a second so the terminal never slows the work down. */
void
progress_step(struct progress *p, size_t done)
{
	double t, el, rate;

	p->done = done;
	if (!p->tty)
		return;
	t = now_s();
	if (t - p->last < 0.2 && done < p->total)
		return;
	p->last = t;
	el = t - p->start;
	rate = el > 0 ? (double)done / el : 0;
	fprintf(stderr, "\r%s %zu/%zu, %.0f/s, ETA %.0fs   ", p->what, done, p->total, rate,
	    rate > 0 ? (double)(p->total - done) / rate : 0.0);
	fflush(stderr);
}

void
progress_end(struct progress *p)
{
	if (!p->tty || !p->total)
		return;
	p->last = 0;
	progress_step(p, p->done);
	fputc('\n', stderr);
}
