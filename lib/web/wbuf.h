/*
 * lib/web/ internal: writers into memory reserved in advance, for the per-request JSON and the log
 * lines (page.c, log.c). The caller reserves each piece's worst case once (6 bytes per escaped byte),
 * then pieces are copied without a bounds check and a call each. Each returns the position after
 * what it wrote.
 */
#ifndef EC_WBUF_H
#define EC_WBUF_H

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "date.h"

#define W_LIT(w, lit) w_put((w), lit, sizeof lit - 1)

static inline char *
w_put(char *w, const char *s, size_t n)
{
	memcpy(w, s, n);
	return w + n;
}

static inline char *
w_uint(char *w, uint64_t v)
{
	char d[20];
	size_t n = sizeof d;

	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(w, d + n, sizeof d - n);
	return w + sizeof d - n;
}

static inline char *
w_int(char *w, int64_t v)
{
	if (v >= 0)
		return w_uint(w, (uint64_t)v);
	*w++ = '-';
	return w_uint(w, -(uint64_t)v);
}

/* s[0..n) as a JSON string literal, escaped exactly as ec_buf_json does (test_web pins the two). */
static inline char *
w_json(char *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run;

	*w++ = '"';
	for (i = 0; i < n; i++) {
		for (run = i; run < n && u[run] >= 0x20 && u[run] != '"' && u[run] != '\\' && u[run] != 0x7f; run++)
			;
		memcpy(w, u + i, run - i);
		w += run - i;
		if ((i = run) == n)
			break;
		*w++ = '\\';
		switch (u[i]) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '\n': *w++ = 'n'; break;
		case '\r': *w++ = 'r'; break;
		case '\t': *w++ = 't'; break;
		default:
			*w++ = 'u';
			*w++ = '0';
			*w++ = '0';
			*w++ = hex[u[i] >> 4];
			*w++ = hex[u[i] & 15];
		}
	}
	*w++ = '"';
	return w;
}

/* The bytes w_json adds to s[0..n) beyond its length: its quotes, and 5 per byte escaped as \\u00XX. */
static inline size_t
json_extra(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, extra = 2;

	for (i = 0; i < n; i++)
		if (u[i] < 0x20 || u[i] == '"' || u[i] == '\\' || u[i] == 0x7f)
			extra += 5;
	return extra;
}

/*
 * A day as YYYY-MM-DD (10 bytes): ec_date_format's output (0000-00-00 outside years 0-9999;
 * test_web pins the two together) without its snprintf, which took a tenth of a JSON answer.
 */
static inline char *
w_date(char *w, ec_day day)
{
	int64_t y;
	unsigned m, d;

	ec_date_civil_from_days(day, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = m = d = 0;
	w[0] = (char)('0' + y / 1000);
	w[1] = (char)('0' + y / 100 % 10);
	w[2] = (char)('0' + y / 10 % 10);
	w[3] = (char)('0' + y % 10);
	w[4] = '-';
	w[5] = (char)('0' + m / 10);
	w[6] = (char)('0' + m % 10);
	w[7] = '-';
	w[8] = (char)('0' + d / 10);
	w[9] = (char)('0' + d % 10);
	return w + 10;
}

/* Ends a run of writes that began at b->p + b->len. */
static inline int
w_done(struct ec_buf *b, char *w)
{
	b->len = (size_t)(w - b->p);
	*w = '\0';
	return 0;
}

#endif
