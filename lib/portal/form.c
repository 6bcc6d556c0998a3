/* Url-encoded forms and cookies, decoded strictly: what the portal reads from a browser. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pform.h"
#include "web.h"

void
ec_form_free(struct ec_form *f)
{
	free(f->buf);
	memset(f, 0, sizeof *f);
}

static int
hex(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * Decode one name or value into out (n bytes with its NUL): '+' is a space, %XX a byte; the raw text
 * must be printable ASCII. Line breaks (CRLF, CR, LF: a textarea's) become LF; the result must be
 * valid UTF-8 with no other control character.
 */
static int
field(const char *s, size_t len, char *out, size_t n, size_t *used)
{
	size_t i, j = 0, k, start;
	int c, cr = 0;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= len || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
				return ec_err_set(EC_ERR_SYNTAX, "%s", "bad percent-encoding in a form");
			c = hex(s[i + 1]) * 16 + hex(s[i + 2]);
			i += 2;
		} else if (c <= 0x20 || c >= 0x7f) {
			return ec_err_set(EC_ERR_SYNTAX, "%s", "a raw byte that must be percent-encoded in a form");
		}
		if (c == '\n' && cr) {
			cr = 0;
			continue;
		}
		cr = c == '\r';
		if (j + 1 >= n)
			return ec_err_set(EC_ERR_TOOBIG, "%s", "form too large");
		out[j++] = (char)(cr ? '\n' : c);
	}
	out[j] = '\0';
	for (start = 0; start < j; start = k + 1) {
		for (k = start; k < j && out[k] != '\n'; k++)
			;
		if (k > start && !ec_web_utf8_ok(out + start, k - start))
			return ec_err_set(EC_ERR_SYNTAX, "%s", "a form field that is not UTF-8 text");
	}
	*used = j + 1;
	return 0;
}

int
ec_form_parse(const char *s, size_t len, struct ec_form *f)
{
	const char *p = s, *end = s + len, *amp, *eq;
	size_t off = 0, used, i;
	int rc;

	memset(f, 0, sizeof *f);
	if (len > EC_FORM_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "form over %d bytes", EC_FORM_MAX);
	if (!(f->buf = malloc(len * 2 + 2)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	while (p < end) {
		if (!(amp = memchr(p, '&', (size_t)(end - p))))
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if (f->n == EC_FORM_FIELDS)
			return ec_err_set(EC_ERR_TOOBIG, "more than %d form fields", EC_FORM_FIELDS);
		if (!(eq = memchr(p, '=', (size_t)(amp - p))))
			eq = amp;
		if ((rc = field(p, (size_t)(eq - p), f->buf + off, len * 2 + 2 - off, &used)))
			return rc;
		f->name[f->n] = f->buf + off;
		off += used;
		if ((rc = field(eq < amp ? eq + 1 : amp, eq < amp ? (size_t)(amp - eq - 1) : 0, f->buf + off,
		    len * 2 + 2 - off, &used)))
			return rc;
		f->value[f->n] = f->buf + off;
		off += used;
		for (i = 0; i < f->n; i++)
			if (!strcmp(f->name[i], f->name[f->n]))
				return ec_err_set(EC_ERR_SYNTAX, "field '%.40s' given twice", f->name[f->n]);
		f->n++;
		p = amp + 1;
	}
	return 0;
}

const char *
ec_form_get(const struct ec_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->name[i], name))
			return f->value[i];
	return NULL;
}

int
ec_cookie_get(const char *h, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name), v;
	const char *p = h, *e;

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		e = strchr(p, ';');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) > n && !strncmp(p, name, n) && p[n] == '=') {
			v = (size_t)(e - p) - n - 1;
			while (v && p[n + v] == ' ')
				v--;
			if (v == 0 || v >= outsz)
				return EC_ERR_NOTFOUND;
			memcpy(out, p + n + 1, v);
			out[v] = '\0';
			return 0;
		}
		p = e;
	}
	return EC_ERR_NOTFOUND;
}
