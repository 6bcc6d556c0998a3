/* Strict RFC 4180 CSV reading: quoting, physical line numbers for messages, bounded fields, headers. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "csv.h"
#include "err.h"
#include "utf8.h"

struct ec_csv {
	const char *p;            /* the input, past any byte order mark */
	size_t len, pos;
	size_t tail;              /* from here on only line breaks: the input ends */
	size_t line;              /* physical line at pos, from 1 */
	size_t expect;            /* field count of the first record; 0 before it */
	int fatal;                /* a sticky error: the input cannot be followed past it */
	char *own;                /* the file copy of ec_csv_open_file */
	char *name;
	char *rec;                /* the current record's fields, each NUL-terminated */
	const char *fields[EC_CSV_FIELDS_MAX];
};

int
ec_csv_open(const char *data, size_t len, const char *fname, struct ec_csv **out)
{
	struct ec_csv *c;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return EC_ERR_NOMEM;
	c->name = strdup(fname ? fname : "<input>");
	c->rec = malloc(EC_CSV_FIELDS_MAX * (EC_CSV_FIELD_MAX + 1));
	if (c->name == NULL || c->rec == NULL) {
		ec_csv_close(c);
		return EC_ERR_NOMEM;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	c->p = data;
	c->len = len;
	c->line = 1;
	for (c->tail = len; c->tail > 0 && (data[c->tail - 1] == '\n' || data[c->tail - 1] == '\r');)
		c->tail--;
	*out = c;
	return 0;
}

int
ec_csv_open_file(const char *path, struct ec_csv **out)
{
	struct ec_buf b = { 0 };
	struct stat st;
	ssize_t r;
	int fd, rc = 0;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ec_err_errno("cannot open", path);
	if (fstat(fd, &st) != 0) {
		rc = ec_err_errno("cannot read", path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > EC_CSV_FILE_MAX) {
		rc = ec_err_set(EC_ERR_TOOBIG, "cannot read '%s': larger than %lu MiB", path,
		    EC_CSV_FILE_MAX >> 20);
		goto out;
	}
	if (ec_buf_reserve(&b, (S_ISREG(st.st_mode) ? (size_t)st.st_size : 0) + 65536) != 0) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	for (;;) {
		if (b.len > EC_CSV_FILE_MAX) {
			rc = ec_err_set(EC_ERR_TOOBIG, "cannot read '%s': larger than %lu MiB", path,
			    EC_CSV_FILE_MAX >> 20);
			goto out;
		}
		if (ec_buf_reserve(&b, 65536) != 0) {
			rc = EC_ERR_NOMEM;
			goto out;
		}
		r = read(fd, b.p + b.len, b.cap - b.len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = ec_err_errno("cannot read", path);
			goto out;
		}
		if (r == 0)
			break;
		b.len += (size_t)r;
	}
	if ((rc = ec_csv_open(b.p, b.len, path, out)) != 0)
		goto out;
	(*out)->own = b.p;
	b.p = NULL;
out:
	close(fd);
	ec_buf_free(&b);
	return rc;
}

/* Record a sticky error for the record starting at line start. */
static int
fatal(struct ec_csv *c, size_t start, const char *what)
{
	c->fatal = ec_err_set(EC_ERR_SYNTAX, "%s:%zu: %s", c->name, start, what);
	return c->fatal;
}

/*
 * One record, as RFC 4180 section 2 defines it. A malformed structure stops the reader (no safe
 * place to resume); a bad field's content only fails its record, which is read to its end first.
 */
int
ec_csv_next(struct ec_csv *c, const char *const **fields, size_t *n, size_t *line)
{
	size_t start = c->line, nf = 0, flen, o = 0, bad_field = 0;
	int soft = 0;
	char ch, *f;

	if (c->fatal)
		return c->fatal;
	if (c->pos >= c->tail)
		return 0;
	for (;;) {
		if (nf == EC_CSV_FIELDS_MAX) {
			c->fatal = ec_err_set(EC_ERR_TOOBIG, "%s:%zu: more than %d fields", c->name, start,
			    EC_CSV_FIELDS_MAX);
			return c->fatal;
		}
		f = c->rec + o;
		flen = 0;
		if (c->pos < c->len && c->p[c->pos] == '"') {
			c->pos++;
			for (;;) {
				if (c->pos == c->len)
					return fatal(c, start, "unterminated quoted field");
				ch = c->p[c->pos++];
				if (ch == '"') {
					if (c->pos < c->len && c->p[c->pos] == '"')
						c->pos++;
					else
						break;
				}
				if (ch == '\n')
					c->line++;
				if (ch == '\0')
					return fatal(c, start, "a NUL byte in the data");
				if (flen < EC_CSV_FIELD_MAX)
					f[flen] = ch;
				flen++;
			}
			if (c->pos < c->len && c->p[c->pos] != ',' && c->p[c->pos] != '\n' &&
			    c->p[c->pos] != '\r')
				return fatal(c, start, "text after the closing quote of a field");
		} else {
			while (c->pos < c->len && (ch = c->p[c->pos]) != ',' && ch != '\n' && ch != '\r') {
				if (ch == '"')
					return fatal(c, start, "a quote inside an unquoted field (quote the whole "
					    "field and double the quote)");
				if (ch == '\0')
					return fatal(c, start, "a NUL byte in the data");
				if (flen < EC_CSV_FIELD_MAX)
					f[flen] = ch;
				flen++;
				c->pos++;
			}
		}
		nf++;
		if (flen > EC_CSV_FIELD_MAX && !soft) {
			soft = EC_ERR_TOOBIG;
			bad_field = nf;
		} else if (!soft && !ec_utf8_valid(f, flen)) {
			soft = EC_ERR_SYNTAX;
			bad_field = nf;
		}
		f[flen > EC_CSV_FIELD_MAX ? 0 : flen] = '\0';
		c->fields[nf - 1] = f;
		o += (flen > EC_CSV_FIELD_MAX ? 0 : flen) + 1;
		if (c->pos == c->len)
			break;
		ch = c->p[c->pos++];
		if (ch == ',')
			continue;
		if (ch == '\r' && (c->pos == c->len || c->p[c->pos] != '\n'))
			return fatal(c, start, "a carriage return not followed by a line feed");
		if (ch == '\r')
			c->pos++;
		c->line++;
		break;
	}
	if (soft == EC_ERR_TOOBIG)
		return ec_err_set(soft, "%s:%zu: field %zu is longer than %d bytes", c->name, start,
		    bad_field, EC_CSV_FIELD_MAX);
	if (soft)
		return ec_err_set(soft, "%s:%zu: field %zu is not valid UTF-8", c->name, start, bad_field);
	if (c->expect == 0)
		c->expect = nf;
	else if (nf != c->expect)
		return ec_err_set(EC_ERR_SYNTAX, "%s:%zu: expected %zu fields, found %zu", c->name, start,
		    c->expect, nf);
	if (fields)
		*fields = c->fields;
	if (n)
		*n = nf;
	if (line)
		*line = start;
	return 1;
}

int
ec_csv_header(struct ec_csv *c, const char *const *required, size_t nreq, int *index, char **extra)
{
	return ec_csv_header_opt(c, required, nreq, NULL, 0, index, extra);
}

/* 1 when name is one of names[0..n). */
static int
named(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

int
ec_csv_header_opt(struct ec_csv *c, const char *const *required, size_t nreq, const char *const *optional,
    size_t nopt, int *index, char **extra)
{
	const char *const *f;
	struct ec_buf miss = { 0 }, more = { 0 };
	size_t n, line, i, j, nmiss = 0;
	int rc;

	if (extra)
		*extra = NULL;
	if ((rc = ec_csv_next(c, &f, &n, &line)) < 0)
		goto out;
	if (rc == 0) {
		rc = ec_err_set(EC_ERR_SYNTAX, "%s: empty file, expected a header line", c->name);
		goto out;
	}
	rc = 0;
	for (i = 0; i < n; i++) {
		if (f[i][0] == '\0') {
			rc = ec_err_set(EC_ERR_SYNTAX, "%s:%zu: column %zu has no name", c->name, line, i + 1);
			goto out;
		}
		for (j = 0; f[i][j]; j++)
			if ((unsigned char)f[i][j] < 0x20 || f[i][j] == 0x7f) {
				rc = ec_err_set(EC_ERR_SYNTAX, "%s:%zu: column %zu has a control character "
				    "in its name", c->name, line, i + 1);
				goto out;
			}
		for (j = 0; j < i; j++)
			if (strcmp(f[i], f[j]) == 0) {
				rc = ec_err_set(EC_ERR_SYNTAX, "%s:%zu: duplicate column '%s'", c->name, line,
				    f[i]);
				goto out;
			}
	}
	for (j = 0; j < nreq; j++) {
		index[j] = -1;
		for (i = 0; i < n; i++)
			if (strcmp(f[i], required[j]) == 0)
				index[j] = (int)i;
		if (index[j] < 0) {
			ec_buf_addf(&miss, "%s'%s'", nmiss ? ", " : "", required[j]);
			nmiss++;
		}
	}
	if (miss.err) {
		rc = miss.err;
		goto out;
	}
	if (nmiss) {
		rc = ec_err_set(EC_ERR_SYNTAX, "%s:%zu: missing column%s %s", c->name, line,
		    nmiss > 1 ? "s" : "", miss.p);
		goto out;
	}
	for (j = 0; j < nopt; j++) {
		index[nreq + j] = -1;
		for (i = 0; i < n; i++)
			if (strcmp(f[i], optional[j]) == 0)
				index[nreq + j] = (int)i;
	}
	for (i = 0; extra && i < n; i++)
		if (!named(f[i], required, nreq) && !named(f[i], optional, nopt))
			ec_buf_addf(&more, "%s%s", more.len ? "," : "", f[i]);
	if (more.err) {
		rc = more.err;
		goto out;
	}
	if (extra) {
		*extra = more.p;
		more.p = NULL;
	}
out:
	ec_buf_free(&miss);
	ec_buf_free(&more);
	return rc;
}

const char *
ec_csv_name(const struct ec_csv *c)
{
	return c->name;
}

void
ec_csv_close(struct ec_csv *c)
{
	if (c == NULL)
		return;
	free(c->own);
	free(c->name);
	free(c->rec);
	free(c);
}
