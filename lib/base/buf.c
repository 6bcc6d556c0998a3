/* Growable byte buffer with JSON and HTML escaping appenders. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"

void
ec_buf_init(struct ec_buf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

void
ec_buf_free(struct ec_buf *b)
{
	free(b->p);
	ec_buf_init(b);
}

void
ec_buf_reset(struct ec_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->p)
		b->p[0] = '\0';
}

int
ec_buf_reserve(struct ec_buf *b, size_t more)
{
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (more > ((size_t)-1) / 2 - b->len - 1)
		return b->err = EC_ERR_NOMEM;
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return b->err = EC_ERR_NOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int
ec_buf_add(struct ec_buf *b, const void *data, size_t len)
{
	if (ec_buf_reserve(b, len))
		return b->err;
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int
ec_buf_adds(struct ec_buf *b, const char *s)
{
	return ec_buf_add(b, s, strlen(s));
}

int
ec_buf_addc(struct ec_buf *b, char c)
{
	return ec_buf_add(b, &c, 1);
}

int
ec_buf_addf(struct ec_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || ec_buf_reserve(b, (size_t)n))
		return b->err = EC_ERR_NOMEM;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int
ec_buf_json(struct ec_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t run;

	ec_buf_addc(b, '"');
	while (*u) {
		for (run = 0; u[run] >= 0x20 && u[run] != '"' && u[run] != '\\' && u[run] != 0x7f; run++)
			;
		ec_buf_add(b, u, run);
		u += run;
		if (!*u)
			break;
		switch (*u) {
		case '"': ec_buf_add(b, "\\\"", 2); break;
		case '\\': ec_buf_add(b, "\\\\", 2); break;
		case '\n': ec_buf_add(b, "\\n", 2); break;
		case '\r': ec_buf_add(b, "\\r", 2); break;
		case '\t': ec_buf_add(b, "\\t", 2); break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0', hex[*u >> 4], hex[*u & 15] };
			ec_buf_add(b, esc, 6);
		}
		}
		u++;
	}
	return ec_buf_addc(b, '"');
}

int
ec_buf_html(struct ec_buf *b, const char *s)
{
	size_t run;

	while (*s) {
		run = strcspn(s, "&<>\"'");
		ec_buf_add(b, s, run);
		s += run;
		switch (*s) {
		case '&': ec_buf_adds(b, "&amp;"); break;
		case '<': ec_buf_adds(b, "&lt;"); break;
		case '>': ec_buf_adds(b, "&gt;"); break;
		case '"': ec_buf_adds(b, "&quot;"); break;
		case '\'': ec_buf_adds(b, "&#39;"); break;
		default: return b->err;
		}
		s++;
	}
	return b->err;
}
