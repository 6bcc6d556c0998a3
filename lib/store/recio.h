/*
 * The record codecs' shared primitives (store-internal, included by record.c and record_office.c):
 * writing u8/u16/u32/u64 and length-prefixed text, strict reading that sets a sticky error.
 */
#ifndef EC_RECIO_H
#define EC_RECIO_H

#include <string.h>

#include "err.h"
#include "record.h"

/* Reading state: any overrun or inconsistency sets bad, checked once at the end. */
struct rd {
	const unsigned char *p;
	size_t n, off;
	int bad;
};

/* Writing. */

static inline void
w8(struct ec_buf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	ec_buf_add(b, &c, 1);
}

static inline void
w16(struct ec_buf *b, unsigned v)
{
	unsigned char c[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	ec_buf_add(b, c, 2);
}

static inline void
w32(struct ec_buf *b, int32_t v)
{
	uint32_t u = (uint32_t)v;
	unsigned char c[4] = { (unsigned char)(u >> 24), (unsigned char)(u >> 16), (unsigned char)(u >> 8),
	    (unsigned char)u };

	ec_buf_add(b, c, 4);
}

static inline void
w64(struct ec_buf *b, int64_t v)
{
	unsigned char c[8];

	ec_rec_put64(c, (uint64_t)v);
	ec_buf_add(b, c, 8);
}

/*
 * A text field: NUL-terminated within size bytes, no control characters (but line feeds when lines:
 * a postal address's), at most 255 bytes.
 */
static inline int
wtext(struct ec_buf *b, const char *s, size_t size, const char *field, int lines)
{
	size_t len = strnlen(s, size), i;

	if (len == size || len > 255)
		return ec_err_set(EC_ERR_ARG, "field '%s' too long", field);
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] < 0x20 && !(lines && s[i] == '\n')) || s[i] == 0x7f)
			return ec_err_set(EC_ERR_ARG, "field '%s' holds a control character", field);
	w8(b, (unsigned)len);
	ec_buf_add(b, s, len);
	return 0;
}

static inline int
wstr(struct ec_buf *b, const char *s, size_t size, const char *field)
{
	return wtext(b, s, size, field, 0);
}

/* A postal address: lines joined by line feeds. */
static inline int
wlines(struct ec_buf *b, const char *s, size_t size, const char *field)
{
	return wtext(b, s, size, field, 1);
}

/* An optional certificate number: length 0, or 10 packed bytes. */
static inline int
wnum(struct ec_buf *b, const char *num, const char *field)
{
	unsigned char bin[EC_NUMBIN];

	if (num[0] == '\0') {
		w8(b, 0);
		return 0;
	}
	if (strnlen(num, EC_NUMBER_DIGITS + 1) != EC_NUMBER_DIGITS || ec_rec_num_pack(num, bin))
		return ec_err_set(EC_ERR_ARG, "field '%s' is not a 22-digit number", field);
	w8(b, EC_NUMBIN);
	ec_buf_add(b, bin, EC_NUMBIN);
	return 0;
}

static inline int
wend(struct ec_buf *b)
{
	return b->err ? ec_err_set(EC_ERR_NOMEM, "out of memory") : 0;
}

/* Reading. */

static inline const unsigned char *
take(struct rd *r, size_t n)
{
	const unsigned char *p;

	if (r->bad || r->n - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static inline unsigned
r8(struct rd *r)
{
	const unsigned char *p = take(r, 1);

	return p ? p[0] : 0;
}

static inline unsigned
r16(struct rd *r)
{
	const unsigned char *p = take(r, 2);

	return p ? (unsigned)(p[0] << 8 | p[1]) : 0;
}

static inline int32_t
r32(struct rd *r)
{
	const unsigned char *p = take(r, 4);

	return p ? (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) : 0;
}

static inline int64_t
r64(struct rd *r)
{
	const unsigned char *p = take(r, 8);

	return p ? (int64_t)ec_rec_get64(p) : 0;
}

static inline void
rbytes(struct rd *r, void *dst, size_t n)
{
	const unsigned char *p = take(r, n);

	if (p)
		memcpy(dst, p, n);
}

/* Copy len bytes of text into dst[size], refusing NUL and control characters (but line feeds when lines). */
static inline void
rtext_lines(struct rd *r, size_t len, char *dst, size_t size, int lines)
{
	const unsigned char *p;
	size_t i;
	int bad = 0;

	dst[0] = '\0';
	if (len >= size) {
		r->bad = 1;
		return;
	}
	if (!(p = take(r, len)))
		return;
	for (i = 0; i < len; i++)
		bad |= (p[i] < 0x20 && !(lines && p[i] == '\n')) | (p[i] == 0x7f);
	r->bad |= bad;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

static inline void
rtext(struct rd *r, size_t len, char *dst, size_t size)
{
	rtext_lines(r, len, dst, size, 0);
}

static inline void
rstr(struct rd *r, char *dst, size_t size)
{
	rtext(r, r8(r), dst, size);
}

static inline void
rlines(struct rd *r, char *dst, size_t size)
{
	rtext_lines(r, r8(r), dst, size, 1);
}

static inline void
rnum(struct rd *r, char out[EC_NUMBER_DIGITS + 1])
{
	unsigned len = r8(r);
	const unsigned char *p;

	out[0] = '\0';
	if (len == 0)
		return;
	if (len != EC_NUMBIN || !(p = take(r, EC_NUMBIN)) || ec_rec_num_unpack(p, out))
		r->bad = 1;
}

/* Start reading: a known version byte. */
static inline void
rbegin(struct rd *r, const void *p, size_t n)
{
	r->p = p;
	r->n = n;
	r->off = 0;
	r->bad = 0;
	if (r8(r) != EC_REC_V1)
		r->bad = 1;
}

static inline int
rend(struct rd *r, const char *what)
{
	if (r->bad || r->off != r->n)
		return ec_err_set(EC_ERR_CORRUPT, "stored %s record is corrupt", what);
	return 0;
}

/* Key text (registration number): 1..EC_REGNO_MAX printable ASCII without space. */
static inline int
keytext(const void *key, size_t klen, char *dst, size_t size)
{
	const unsigned char *k = key;
	size_t i;

	if (klen == 0 || klen >= size)
		return -1;
	for (i = 0; i < klen; i++)
		if (k[i] <= 0x20 || k[i] >= 0x7f)
			return -1;
	memcpy(dst, k, klen);
	dst[klen] = '\0';
	return 0;
}

#endif
