/* A strict, bounded reader of the few PDF objects that lead from the trailer to the embedded files. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "err.h"
#include "text.h"
#include "pdfread.h"

#define MAX_DEPTH 32            /* nesting of arrays and dictionaries inside one object */
#define MAX_ITEMS 4096          /* entries of one array or dictionary: each lookup re-reads it */
#define MAX_OBJECTS (1u << 18)  /* a trailer /Size above this is refused */
#define MAX_SECTIONS 16         /* cross-reference sections followed through /Prev */
#define MAX_TREE_NODES 64       /* name-tree nodes visited, each object once */
#define MAX_TREE_DEPTH 8
#define TAIL 1024               /* "startxref" must be within the last TAIL bytes */

enum vtype { V_NULL, V_BOOL, V_INT, V_REAL, V_NAME, V_STR, V_HEX, V_ARRAY, V_DICT, V_REF, V_KEYWORD };

/* One parsed value: its kind, its extent [beg, end) in the file, and the numbers of an integer or reference. */
struct val {
	enum vtype t;
	size_t beg, end;
	long long i;
	uint32_t num, gen;
};

struct xent {
	uint32_t off;
	uint16_t gen;
	uint8_t set;       /* a newer section already decided this object */
	uint8_t used;      /* in use ('n'), as opposed to free ('f') */
};

struct pdf {
	const unsigned char *p;
	size_t len;
	struct xent *x;
	size_t nobj;
	size_t trailer;    /* offset of the newest trailer dictionary */
	uint32_t seen[MAX_TREE_NODES];
	size_t nseen;
};

static int
truncated(void)
{
	return ec_err_set(EC_ERR_SYNTAX, "truncated PDF");
}

static int
bad(size_t at, const char *what)
{
	return ec_err_set(EC_ERR_SYNTAX, "malformed PDF at offset %zu: %s", at, what);
}

static int
isws(int c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int
isdelim(int c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' ||
	    c == '{' || c == '}' || c == '/' || c == '%';
}

static int
isregular(int c)
{
	return !isws(c) && !isdelim(c);
}

static int
isdigit_(int c)
{
	return c >= '0' && c <= '9';
}

/* Skip white space and comments from pos; returns the new position (<= len). */
static size_t
skipws(const struct pdf *d, size_t pos)
{
	while (pos < d->len) {
		if (isws(d->p[pos])) {
			pos++;
		} else if (d->p[pos] == '%') {
			while (pos < d->len && d->p[pos] != '\n' && d->p[pos] != '\r')
				pos++;
		} else {
			break;
		}
	}
	return pos;
}

/* The keyword kw at pos, followed by a delimiter, white space or the end of the file. */
static int
keyword_at(const struct pdf *d, size_t pos, const char *kw)
{
	size_t n = strlen(kw);

	if (pos > d->len || d->len - pos < n || memcmp(d->p + pos, kw, n) != 0)
		return 0;
	return pos + n == d->len || !isregular(d->p[pos + n]);
}

/* An unsigned decimal integer of at most 10 digits at *pos, below 2^32. */
static int
uint_at(const struct pdf *d, size_t *pos, uint32_t *out)
{
	uint64_t v = 0;
	size_t p = *pos, n = 0;

	while (p < d->len && isdigit_(d->p[p])) {
		if (++n > 10)
			return bad(*pos, "number too long");
		v = v * 10 + (uint64_t)(d->p[p++] - '0');
	}
	if (n == 0)
		return p >= d->len ? truncated() : bad(p, "number expected");
	if (v > UINT32_MAX)
		return bad(*pos, "number too large");
	if (p < d->len && isregular(d->p[p]))
		return bad(p, "number expected");
	*out = (uint32_t)v;
	*pos = p;
	return EC_OK;
}

static int lex(const struct pdf *d, size_t *pos, struct val *v, int depth);

/* A literal string starting at '(' at *pos: balanced parentheses, backslash escapes. */
static int
lex_string(const struct pdf *d, size_t *pos)
{
	size_t p = *pos + 1;
	int nest = 1;

	while (p < d->len) {
		unsigned char c = d->p[p++];
		if (c == '\\') {
			p++;
		} else if (c == '(') {
			nest++;
		} else if (c == ')' && --nest == 0) {
			*pos = p;
			return EC_OK;
		}
	}
	return truncated();
}

static int
lex_hex(const struct pdf *d, size_t *pos)
{
	size_t p = *pos + 1;

	while (p < d->len) {
		unsigned char c = d->p[p];
		if (c == '>') {
			*pos = p + 1;
			return EC_OK;
		}
		if (ec_hexval(c) < 0 && !isws(c))
			return bad(p, "bad character in a hex string");
		p++;
	}
	return truncated();
}

/* A number; an integer followed by "G R" becomes a reference. */
static int
lex_number(const struct pdf *d, size_t *pos, struct val *v)
{
	size_t p = *pos, q, digits = 0;
	int sign = 0, dot = 0;
	long long iv = 0;

	if (d->p[p] == '+' || d->p[p] == '-')
		sign = d->p[p++] == '-' ? -1 : 1;
	for (; p < d->len && (isdigit_(d->p[p]) || d->p[p] == '.'); p++) {
		if (d->p[p] == '.') {
			if (dot++)
				return bad(p, "bad number");
			continue;
		}
		if (++digits > 18)
			return bad(*pos, "number too long");
		if (!dot)
			iv = iv * 10 + (d->p[p] - '0');
	}
	if (digits == 0)
		return p >= d->len ? truncated() : bad(*pos, "bad number");
	if (p < d->len && isregular(d->p[p]))
		return bad(p, "bad number");
	v->beg = *pos;
	v->end = p;
	if (dot) {
		v->t = V_REAL;
		*pos = p;
		return EC_OK;
	}
	v->t = V_INT;
	v->i = sign < 0 ? -iv : iv;
	*pos = p;
	/* Lookahead for "GEN R" after a plain non-negative integer that fits an object number. */
	if (sign != 0 || iv > UINT32_MAX)
		return EC_OK;
	q = skipws(d, p);
	if (q < d->len && isdigit_(d->p[q])) {
		size_t r = q;
		uint32_t gen;
		while (r < d->len && isdigit_(d->p[r]))
			r++;
		if (r - q > 5 || (r < d->len && isregular(d->p[r])))
			return EC_OK;
		if (uint_at(d, &q, &gen) != EC_OK)
			return EC_OK;
		r = skipws(d, q);
		if (keyword_at(d, r, "R")) {
			v->t = V_REF;
			v->num = (uint32_t)iv;
			v->gen = gen;
			v->end = r + 1;
			*pos = r + 1;
		}
	}
	return EC_OK;
}

/* Parse one value at *pos (after white space), advancing *pos past it. Nesting is bounded by MAX_DEPTH. */
static int
lex(const struct pdf *d, size_t *pos, struct val *v, int depth)
{
	size_t p = skipws(d, *pos);
	struct val sub;
	unsigned items = 0;
	int rc;

	if (depth > MAX_DEPTH)
		return bad(p, "nesting too deep");
	if (p >= d->len)
		return truncated();
	memset(v, 0, sizeof *v);
	v->beg = p;
	switch (d->p[p]) {
	case '(':
		v->t = V_STR;
		if ((rc = lex_string(d, &p)) != EC_OK)
			return rc;
		break;
	case '<':
		if (p + 1 < d->len && d->p[p + 1] == '<') {
			v->t = V_DICT;
			p += 2;
			for (;;) {
				p = skipws(d, p);
				if (p + 1 < d->len && d->p[p] == '>' && d->p[p + 1] == '>')
					break;
				if ((rc = lex(d, &p, &sub, depth + 1)) != EC_OK)
					return rc;
				if (sub.t != V_NAME)
					return bad(sub.beg, "dictionary key is not a name");
				if ((rc = lex(d, &p, &sub, depth + 1)) != EC_OK)
					return rc;
				if (sub.t == V_KEYWORD)
					return bad(sub.beg, "keyword inside a dictionary");
				if (++items > MAX_ITEMS)
					return ec_err_set(EC_ERR_TOOBIG, "PDF dictionary of more than %d entries at byte %zu",
					    MAX_ITEMS, v->beg);
			}
			p += 2;
		} else {
			v->t = V_HEX;
			if ((rc = lex_hex(d, &p)) != EC_OK)
				return rc;
		}
		break;
	case '[':
		v->t = V_ARRAY;
		p++;
		for (;;) {
			p = skipws(d, p);
			if (p < d->len && d->p[p] == ']')
				break;
			if ((rc = lex(d, &p, &sub, depth + 1)) != EC_OK)
				return rc;
			if (sub.t == V_KEYWORD)
				return bad(sub.beg, "keyword inside an array");
			if (++items > MAX_ITEMS)
				return ec_err_set(EC_ERR_TOOBIG, "PDF array of more than %d entries at byte %zu", MAX_ITEMS,
				    v->beg);
		}
		p++;
		break;
	case '/':
		v->t = V_NAME;
		p++;
		while (p < d->len && isregular(d->p[p]))
			p++;
		break;
	case '+': case '-': case '.':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if ((rc = lex_number(d, &p, v)) != EC_OK)
			return rc;
		*pos = p;
		return EC_OK;
	default:
		if (!isregular(d->p[p]))
			return bad(p, "unexpected delimiter");
		while (p < d->len && isregular(d->p[p]))
			p++;
		if (keyword_at(d, v->beg, "true") || keyword_at(d, v->beg, "false"))
			v->t = V_BOOL;
		else if (keyword_at(d, v->beg, "null"))
			v->t = V_NULL;
		else
			v->t = V_KEYWORD;
		break;
	}
	v->end = p;
	*pos = p;
	return EC_OK;
}

/* Name value v equals key (without the slash), #xx escapes decoded. */
static int
name_eq(const struct pdf *d, const struct val *v, const char *key)
{
	size_t p = v->beg + 1;

	for (; p < v->end; key++) {
		int c = d->p[p++];
		if (c == '#' && p + 1 < v->end && ec_hexval(d->p[p]) >= 0 && ec_hexval(d->p[p + 1]) >= 0) {
			c = ec_hexval(d->p[p]) * 16 + ec_hexval(d->p[p + 1]);
			p += 2;
		}
		if (*key == '\0' || c != (unsigned char)*key)
			return 0;
	}
	return *key == '\0';
}

/* Look up key in dictionary dict: 1 and *out when present, 0 when absent, < 0 on a parse error. */
static int
dict_get(const struct pdf *d, const struct val *dict, const char *key, struct val *out)
{
	size_t p = dict->beg + 2;
	struct val k;
	int rc;

	for (;;) {
		p = skipws(d, p);
		if (p + 2 >= dict->end)
			return 0;
		if ((rc = lex(d, &p, &k, 1)) != EC_OK)
			return rc;
		if ((rc = lex(d, &p, out, 1)) != EC_OK)
			return rc;
		if (name_eq(d, &k, key))
			return 1;
	}
}

/*
 * The value of indirect object num (generation gen), checked against the cross-reference table and the
 * "num gen obj" header at its offset. *after (optional) gets the position just past the value.
 */
static int
object(const struct pdf *d, uint32_t num, uint32_t gen, struct val *v, size_t *after)
{
	size_t p;
	uint32_t n, g;
	int rc;

	if (num >= d->nobj || !d->x[num].used || d->x[num].gen != gen)
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: object %u %u is missing", num, gen);
	p = d->x[num].off;
	if ((rc = uint_at(d, &p, &n)) != EC_OK)
		return rc;
	p = skipws(d, p);
	if ((rc = uint_at(d, &p, &g)) != EC_OK)
		return rc;
	p = skipws(d, p);
	if (n != num || g != gen || !keyword_at(d, p, "obj"))
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: object %u %u is not at its cross-reference offset",
		    num, gen);
	p += 3;
	if ((rc = lex(d, &p, v, 0)) != EC_OK)
		return rc;
	if (v->t == V_KEYWORD || v->t == V_REF)
		return bad(v->beg, "object holds no direct value");
	if (after)
		*after = p;
	return EC_OK;
}

/* Replace a reference by the object it names; a direct value is left alone. */
static int
resolve(const struct pdf *d, struct val *v)
{
	if (v->t != V_REF)
		return EC_OK;
	return object(d, v->num, v->gen, v, NULL);
}

/* dict_get then resolve: 1 found, 0 absent, < 0 error. */
static int
get_resolved(const struct pdf *d, const struct val *dict, const char *key, struct val *out)
{
	int rc = dict_get(d, dict, key, out);

	if (rc <= 0)
		return rc;
	if ((rc = resolve(d, out)) != EC_OK)
		return rc;
	return 1;
}

/* get_resolved, requiring type t: 1 found, 0 absent, < 0 error (including a wrong type). */
static int
get_typed(const struct pdf *d, const struct val *dict, const char *key, enum vtype t, struct val *out)
{
	int rc = get_resolved(d, dict, key, out);

	if (rc <= 0)
		return rc;
	if (out->t != t)
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: /%s has the wrong type", key);
	return 1;
}

/*
 * Decode a literal or hex string into out[0..outsz) (no NUL added); *n gets its length. EC_ERR_TOOBIG
 * when it does not fit.
 */
static int
string_decode(const struct pdf *d, const struct val *v, unsigned char *out, size_t outsz, size_t *n)
{
	size_t p = v->beg + 1, end = v->end - 1, k = 0;
	int hi = -1;

	if (v->t == V_HEX) {
		for (; p < end; p++) {
			int h = ec_hexval(d->p[p]);
			if (h < 0)
				continue;
			if (hi < 0) {
				hi = h;
				continue;
			}
			if (k >= outsz)
				return ec_err_set(EC_ERR_TOOBIG, "PDF string too long");
			out[k++] = (unsigned char)(hi * 16 + h);
			hi = -1;
		}
		if (hi >= 0) {
			if (k >= outsz)
				return ec_err_set(EC_ERR_TOOBIG, "PDF string too long");
			out[k++] = (unsigned char)(hi * 16);
		}
		*n = k;
		return EC_OK;
	}
	if (v->t != V_STR)
		return bad(v->beg, "string expected");
	while (p < end) {
		unsigned c = d->p[p++];
		if (c == '\\' && p < end) {
			c = d->p[p++];
			switch (c) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '\r':
				if (p < end && d->p[p] == '\n')
					p++;
				continue;
			case '\n':
				continue;
			default:
				if (c >= '0' && c <= '7') {
					int j;
					c -= '0';
					for (j = 0; j < 2 && p < end && d->p[p] >= '0' && d->p[p] <= '7'; j++)
						c = c * 8 + (unsigned)(d->p[p++] - '0');
					c &= 0xff;
				}
				break;
			}
		} else if (c == '\r') {
			/* An unescaped end of line in a literal string reads as a single LF. */
			if (p < end && d->p[p] == '\n')
				p++;
			c = '\n';
		}
		if (k >= outsz)
			return ec_err_set(EC_ERR_TOOBIG, "PDF string too long");
		out[k++] = (unsigned char)c;
	}
	*n = k;
	return EC_OK;
}

/* Append code point c to out[*k] as UTF-8, leaving room for the final NUL. */
static int
put_utf8(uint32_t c, char *out, size_t outsz, size_t *k)
{
	unsigned char u[4];
	size_t m;

	if (c < 0x80) {
		u[0] = (unsigned char)c;
		m = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | c >> 6);
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		m = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | c >> 12);
		u[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		m = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | c >> 18);
		u[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		m = 4;
	}
	if (*k + m >= outsz)
		return ec_err_set(EC_ERR_TOOBIG, "PDF string too long");
	memcpy(out + *k, u, m);
	*k += m;
	return EC_OK;
}

/* A UTF-16BE text string (after its byte order mark) as NUL-terminated UTF-8 in out; no NUL or lone surrogate. */
static int
utf16_to_utf8(const unsigned char *s, size_t n, char *out, size_t outsz)
{
	size_t i, k = 0;
	uint32_t c, lo;
	int rc;

	if (n % 2 != 0)
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: odd-length UTF-16 string");
	for (i = 0; i < n; i += 2) {
		c = (uint32_t)s[i] << 8 | s[i + 1];
		if (c >= 0xd800 && c < 0xdc00 && i + 3 < n) {
			lo = (uint32_t)s[i + 2] << 8 | s[i + 3];
			if (lo < 0xdc00 || lo >= 0xe000)
				return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: bad UTF-16 surrogate pair");
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		} else if (c == 0 || (c >= 0xd800 && c < 0xe000)) {
			return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: NUL or lone surrogate in a UTF-16 string");
		}
		if ((rc = put_utf8(c, out, outsz, &k)) != EC_OK)
			return rc;
	}
	out[k] = '\0';
	return EC_OK;
}

/*
 * A PDFDocEncoding text string as NUL-terminated UTF-8 in out. The encoding is ISO 8859-1 but for
 * 0x18-0x1F, 0x80-0xA0 (PDF's own table) and 0xAD (undefined, like 0x7F and 0x9F).
 */
static int
pdfdoc_to_utf8(const unsigned char *s, size_t n, char *out, size_t outsz)
{
	static const uint16_t low[8] = { 0x02d8, 0x02c7, 0x02c6, 0x02d9, 0x02dd, 0x02db, 0x02da, 0x02dc };
	static const uint16_t high[33] = { 0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039,
		0x203a, 0x2212, 0x2030, 0x201e, 0x201c, 0x201d, 0x2018, 0x2019, 0x201a, 0x2122, 0xfb01, 0xfb02, 0x0141,
		0x0152, 0x0160, 0x0178, 0x017d, 0x0131, 0x0142, 0x0153, 0x0161, 0x017e, 0, 0x20ac };
	size_t k = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		uint32_t c = s[i];

		if (c >= 0x18 && c < 0x20)
			c = low[c - 0x18];
		else if (c >= 0x80 && c <= 0xa0)
			c = high[c - 0x80];
		if (c == 0 || c == 0x7f || c == 0xad)
			return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: byte 0x%02X has no character in PDFDocEncoding", s[i]);
		if ((rc = put_utf8(c, out, outsz, &k)) != EC_OK)
			return rc;
	}
	out[k] = '\0';
	return EC_OK;
}

/* A file name for display: printable ASCII, other characters as '?', UTF-16BE (with BOM) narrowed. */
static void
display_name(const unsigned char *s, size_t n, char out[EC_PDF_NAME_MAX + 1])
{
	size_t i, k = 0, step = 1;

	if (n >= 2 && s[0] == 0xfe && s[1] == 0xff) {
		s += 2;
		n -= 2;
		step = 2;
	}
	for (i = 0; i + step <= n && k < EC_PDF_NAME_MAX; i += step) {
		unsigned c = step == 2 ? (s[i] ? 0x100u : s[i + 1]) : s[i];
		out[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[k] = '\0';
}

/*
 * One cross-reference section at off: "xref", subsections of 20-byte entries, "trailer" and a dictionary.
 * With fill, entries not decided by a newer section are recorded; *trailer gets the dictionary.
 */
static int
xref_section(struct pdf *d, size_t off, int fill, struct val *trailer)
{
	size_t p = off;
	int rc;

	if (!keyword_at(d, p, "xref")) {
		uint32_t n;
		size_t q = p;
		if (uint_at(d, &q, &n) == EC_OK)
			return ec_err_set(EC_ERR_SYNTAX,
			    "unsupported PDF: cross-reference streams (only classic xref tables are read)");
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: no cross-reference table at offset %zu", off);
	}
	p = skipws(d, p + 4);
	while (!keyword_at(d, p, "trailer")) {
		uint32_t start, count, i;
		if ((rc = uint_at(d, &p, &start)) != EC_OK)
			return rc;
		if (p >= d->len || d->p[p] != ' ')
			return p >= d->len ? truncated() : bad(p, "bad cross-reference subsection");
		p++;
		if ((rc = uint_at(d, &p, &count)) != EC_OK)
			return rc;
		p = skipws(d, p);
		if ((uint64_t)count * 20 > d->len - p)
			return truncated();
		if ((uint64_t)start + count > d->nobj && fill)
			return bad(p, "cross-reference entry beyond the trailer's /Size");
		for (i = 0; i < count; i++, p += 20) {
			const unsigned char *e = d->p + p;
			uint32_t eo = 0, eg = 0;
			int j;
			for (j = 0; j < 10; j++) {
				if (!isdigit_(e[j]))
					return bad(p, "bad cross-reference entry");
				eo = eo * 10 + (uint32_t)(e[j] - '0');
			}
			for (j = 11; j < 16; j++) {
				if (!isdigit_(e[j]))
					return bad(p, "bad cross-reference entry");
				eg = eg * 10 + (uint32_t)(e[j] - '0');
			}
			if (e[10] != ' ' || e[16] != ' ' || (e[17] != 'n' && e[17] != 'f') ||
			    !isws(e[18]) || !isws(e[19]) || eg > 65535)
				return bad(p, "bad cross-reference entry");
			if (e[17] == 'n' && (eo == 0 || eo >= d->len))
				return bad(p, "cross-reference offset outside the file");
			if (fill && !d->x[start + i].set) {
				d->x[start + i].set = 1;
				d->x[start + i].used = e[17] == 'n';
				d->x[start + i].off = eo;
				d->x[start + i].gen = (uint16_t)eg;
			}
		}
		p = skipws(d, p);
		if (p >= d->len)
			return truncated();
	}
	p += 7;
	if ((rc = lex(d, &p, trailer, 0)) != EC_OK)
		return rc;
	if (trailer->t != V_DICT)
		return bad(trailer->beg, "trailer is not a dictionary");
	return EC_OK;
}

/* Check the header, find startxref, read every cross-reference section from the newest back through /Prev. */
static int
open_pdf(struct pdf *d, const unsigned char *buf, size_t len)
{
	struct val tr, v;
	size_t p, tail, sections = 0, off;
	uint32_t x;
	int rc;

	memset(d, 0, sizeof *d);
	d->p = buf;
	d->len = len;
	if (len == 0)
		return ec_err_set(EC_ERR_SYNTAX, "not a PDF: empty");
	if (len > EC_PDF_MAX_INPUT)
		return ec_err_set(EC_ERR_TOOBIG, "PDF larger than %u MiB", EC_PDF_MAX_INPUT >> 20);
	if (len < 5 || memcmp(buf, "%PDF-", 5) != 0)
		return ec_err_set(EC_ERR_SYNTAX, "not a PDF");
	tail = len > TAIL ? len - TAIL : 0;
	for (p = len - 1;; p--) {
		if (keyword_at(d, p, "startxref") && (p == 0 || !isregular(buf[p - 1])))
			break;
		if (p == tail)
			return ec_err_set(EC_ERR_SYNTAX, "truncated PDF: no startxref");
	}
	p = skipws(d, p + 9);
	if ((rc = uint_at(d, &p, &x)) != EC_OK)
		return rc;
	while (p < len && isws(buf[p]))
		p++;
	if (len - p < 5 || memcmp(buf + p, "%%EOF", 5) != 0)
		return ec_err_set(EC_ERR_SYNTAX, "truncated PDF: no %%%%EOF");
	if (x >= len)
		return bad(p, "startxref points outside the file");
	/* The newest section's trailer gives /Size, which bounds every object number. */
	if ((rc = xref_section(d, x, 0, &tr)) != EC_OK)
		return rc;
	d->trailer = tr.beg;
	if ((rc = dict_get(d, &tr, "Encrypt", &v)) < 0)
		return rc;
	if (rc == 1)
		return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: encrypted");
	if ((rc = dict_get(d, &tr, "Size", &v)) < 0)
		return rc;
	if (rc == 0 || v.t != V_INT || v.i <= 0)
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: trailer without a valid /Size");
	if (v.i > (long long)MAX_OBJECTS)
		return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: more than %u objects", MAX_OBJECTS);
	d->nobj = (size_t)v.i;
	if ((d->x = calloc(d->nobj, sizeof *d->x)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	for (off = x;; ) {
		if (++sections > MAX_SECTIONS)
			return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: more than %d cross-reference sections",
			    MAX_SECTIONS);
		if ((rc = xref_section(d, off, 1, &tr)) != EC_OK)
			return rc;
		if ((rc = dict_get(d, &tr, "Prev", &v)) < 0)
			return rc;
		if (rc == 0)
			break;
		if (v.t != V_INT || v.i <= 0 || (unsigned long long)v.i >= len)
			return bad(v.beg, "/Prev points outside the file");
		off = (size_t)v.i;
	}
	return EC_OK;
}

/* Remember a name-tree node; refuse a node seen before (a cycle or a shared subtree) and too many nodes. */
static int
visit(struct pdf *d, const struct val *ref)
{
	size_t i;

	if (ref->t != V_REF)
		return EC_OK;
	for (i = 0; i < d->nseen; i++)
		if (d->seen[i] == ref->num)
			return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: embedded-files tree revisits object %u",
			    ref->num);
	if (d->nseen == MAX_TREE_NODES)
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: embedded-files tree too large");
	d->seen[d->nseen++] = ref->num;
	return EC_OK;
}

int
ec_pdf_inflate(const unsigned char *data, size_t n, unsigned char **out, size_t *outlen)
{
	z_stream z;
	unsigned char *buf;
	int zr, rc = EC_OK;

	memset(&z, 0, sizeof z);
	if ((buf = malloc(EC_PDF_MAX_FILE)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	if (inflateInit(&z) != Z_OK) {
		free(buf);
		return ec_err_set(EC_ERR_NOMEM, "cannot start zlib");
	}
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)n;
	z.next_out = buf;
	z.avail_out = EC_PDF_MAX_FILE;
	zr = inflate(&z, Z_FINISH);
	if (zr == Z_STREAM_END) {
		if (z.avail_in != 0)
			rc = ec_err_set(EC_ERR_SYNTAX, "malformed PDF: data after the end of a compressed stream");
	} else if (z.avail_out == 0) {
		rc = ec_err_set(EC_ERR_TOOBIG, "PDF attachment larger than %u KiB when inflated",
		    EC_PDF_MAX_FILE >> 10);
	} else if (zr == Z_BUF_ERROR) {
		rc = ec_err_set(EC_ERR_SYNTAX, "truncated PDF: compressed stream ends early");
	} else {
		rc = ec_err_set(EC_ERR_SYNTAX, "malformed PDF: bad compressed stream");
	}
	if (rc == EC_OK) {
		*outlen = z.total_out;
		*out = buf;
		buf = NULL;
	}
	inflateEnd(&z);
	free(buf);
	return rc;
}

/* The decoded bytes of stream object ref (no filter or FlateDecode only). */
static int
stream_read(const struct pdf *d, const struct val *ref, unsigned char **out, size_t *outlen)
{
	struct val dict, v, f;
	size_t p, n, beg;
	int rc, flate = 0;

	if (ref->t != V_REF)
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: embedded file is not an indirect stream");
	if ((rc = object(d, ref->num, ref->gen, &dict, &p)) != EC_OK)
		return rc;
	if (dict.t != V_DICT)
		return bad(dict.beg, "stream without a dictionary");
	p = skipws(d, p);
	if (!keyword_at(d, p, "stream"))
		return p >= d->len ? truncated() : bad(p, "stream expected");
	p += 6;
	if (p < d->len && d->p[p] == '\r')
		p++;
	if (p >= d->len || d->p[p] != '\n')
		return p >= d->len ? truncated() : bad(p, "stream keyword not followed by an end of line");
	beg = p + 1;
	if ((rc = get_resolved(d, &dict, "Length", &v)) < 0)
		return rc;
	if (rc == 0 || v.t != V_INT || v.i < 0)
		return bad(dict.beg, "stream without a valid /Length");
	if ((unsigned long long)v.i > d->len - beg)
		return truncated();
	n = (size_t)v.i;
	p = beg + n;
	if (p < d->len && d->p[p] == '\r')
		p++;
	if (p < d->len && d->p[p] == '\n')
		p++;
	if (!keyword_at(d, p, "endstream"))
		return p >= d->len ? truncated() : bad(p, "stream /Length does not reach endstream");
	if ((rc = dict_get(d, &dict, "F", &v)) < 0)
		return rc;
	if (rc == 1)
		return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: stream data in an external file");
	if ((rc = get_resolved(d, &dict, "DecodeParms", &v)) < 0)
		return rc;
	if (rc == 1 && v.t != V_NULL)
		return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: stream decode parameters");
	if ((rc = get_resolved(d, &dict, "Filter", &v)) < 0)
		return rc;
	if (rc == 1 && v.t == V_ARRAY) {
		size_t q = v.beg + 1, count = 0;
		for (;;) {
			q = skipws(d, q);
			if (d->p[q] == ']')
				break;
			if ((rc = lex(d, &q, &f, 1)) != EC_OK)
				return rc;
			count++;
		}
		if (count > 1)
			return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: more than one stream filter");
		if (count == 1)
			v = f;
		else
			v.t = V_NULL;
	} else if (rc == 0) {
		v.t = V_NULL;
	}
	if (v.t == V_NAME && name_eq(d, &v, "FlateDecode"))
		flate = 1;
	else if (v.t != V_NULL)
		return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: stream filter other than FlateDecode");
	if (flate)
		return ec_pdf_inflate(d->p + beg, n, out, outlen);
	if (n > EC_PDF_MAX_FILE)
		return ec_err_set(EC_ERR_TOOBIG, "PDF attachment larger than %u KiB", EC_PDF_MAX_FILE >> 10);
	if ((*out = malloc(n ? n : 1)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	memcpy(*out, d->p + beg, n);
	*outlen = n;
	return EC_OK;
}

/* One name-tree entry: key (the tree's string) and value (a file specification). */
static int
add_file(struct pdf *d, const struct val *key, struct val *spec, struct ec_pdf_files *out)
{
	unsigned char name[EC_PDF_NAME_MAX * 2 + 2];
	struct val ef, s, f;
	size_t n = 0;
	int rc;

	if (out->n == EC_PDF_MAX_FILES)
		return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: more than %d attachments", EC_PDF_MAX_FILES);
	if ((rc = resolve(d, spec)) != EC_OK)
		return rc;
	if (spec->t != V_DICT)
		return bad(spec->beg, "file specification is not a dictionary");
	if ((rc = get_typed(d, spec, "EF", V_DICT, &ef)) < 0)
		return rc;
	if (rc == 0)
		return bad(spec->beg, "file specification without /EF");
	if ((rc = dict_get(d, &ef, "F", &f)) < 0)
		return rc;
	if (rc == 0)
		return bad(ef.beg, "/EF without /F");
	if ((rc = dict_get(d, spec, "UF", &s)) == 0)
		rc = dict_get(d, spec, "F", &s);
	if (rc < 0)
		return rc;
	if (rc == 0 || (rc = resolve(d, &s)) != EC_OK || (s.t != V_STR && s.t != V_HEX))
		s = *key;
	rc = string_decode(d, &s, name, sizeof name, &n);
	if (rc == EC_ERR_TOOBIG)
		n = sizeof name;
	else if (rc != EC_OK)
		return rc;
	display_name(name, n, out->f[out->n].name);
	if ((rc = stream_read(d, &f, &out->f[out->n].data, &out->f[out->n].len)) != EC_OK)
		return rc;
	out->n++;
	return EC_OK;
}

/* Walk a name-tree node: its /Names pairs, then its /Kids, depth-first, each node object once. */
static int
tree_walk(struct pdf *d, struct val *node, int depth, struct ec_pdf_files *out)
{
	struct val arr, key, v;
	size_t p;
	int rc;

	if (depth > MAX_TREE_DEPTH)
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: embedded-files tree too deep");
	if ((rc = visit(d, node)) != EC_OK || (rc = resolve(d, node)) != EC_OK)
		return rc;
	if (node->t != V_DICT)
		return bad(node->beg, "name-tree node is not a dictionary");
	if ((rc = get_typed(d, node, "Names", V_ARRAY, &arr)) < 0)
		return rc;
	/* A lexed array ends in ']' inside the buffer, so the scans below stay in bounds. */
	for (p = arr.beg + 1; rc == 1;) {
		p = skipws(d, p);
		if (d->p[p] == ']')
			break;
		if ((rc = lex(d, &p, &key, 1)) != EC_OK)
			return rc;
		if (key.t != V_STR && key.t != V_HEX)
			return bad(key.beg, "name-tree key is not a string");
		p = skipws(d, p);
		if (d->p[p] == ']')
			return bad(p, "name-tree key without a value");
		if ((rc = lex(d, &p, &v, 1)) != EC_OK || (rc = add_file(d, &key, &v, out)) != EC_OK)
			return rc;
		rc = 1;
	}
	if ((rc = get_typed(d, node, "Kids", V_ARRAY, &arr)) < 0)
		return rc;
	for (p = arr.beg + 1; rc == 1;) {
		p = skipws(d, p);
		if (d->p[p] == ']')
			break;
		if ((rc = lex(d, &p, &v, 1)) != EC_OK)
			return rc;
		if (v.t != V_REF)
			return bad(v.beg, "name-tree kid is not a reference");
		if ((rc = tree_walk(d, &v, depth + 1, out)) != EC_OK)
			return rc;
		rc = 1;
	}
	return EC_OK;
}

/* The trailer dictionary of an opened PDF. */
static int
trailer(const struct pdf *d, struct val *tr)
{
	size_t p = d->trailer;

	return lex(d, &p, tr, 0);
}

int
ec_pdf_attachments(const unsigned char *pdf, size_t len, struct ec_pdf_files *out)
{
	struct pdf d;
	struct val tr, root, names, ef;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = open_pdf(&d, pdf, len)) != EC_OK)
		goto out;
	if ((rc = trailer(&d, &tr)) != EC_OK)
		goto out;
	if ((rc = get_typed(&d, &tr, "Root", V_DICT, &root)) <= 0) {
		if (rc == 0)
			rc = ec_err_set(EC_ERR_SYNTAX, "malformed PDF: trailer without /Root");
		goto out;
	}
	if ((rc = get_typed(&d, &root, "Names", V_DICT, &names)) <= 0 ||
	    (rc = dict_get(&d, &names, "EmbeddedFiles", &ef)) <= 0) {
		if (rc == 0)
			rc = ec_err_set(EC_ERR_SYNTAX, "no attachment found in the PDF");
		goto out;
	}
	if ((rc = tree_walk(&d, &ef, 0, out)) != EC_OK)
		goto out;
	if (out->n == 0)
		rc = ec_err_set(EC_ERR_SYNTAX, "no attachment found in the PDF");
out:
	if (rc != EC_OK)
		ec_pdf_files_free(out);
	free(d.x);
	return rc;
}

void
ec_pdf_files_free(struct ec_pdf_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n && i < EC_PDF_MAX_FILES; i++) {
		free(fs->f[i].data);
		fs->f[i].data = NULL;
		fs->f[i].len = 0;
	}
	fs->n = 0;
}

int
ec_pdf_info(const unsigned char *pdf, size_t len, const char *key, char *out, size_t outsz)
{
	struct pdf d;
	struct val tr, info, v;
	unsigned char *raw = NULL;
	size_t n = 0, rawsz;
	int rc;

	memset(&d, 0, sizeof d);
	if (outsz == 0 || outsz > EC_PDF_MAX_FILE)
		return ec_err_set(EC_ERR_ARG, "bad room for a PDF string");
	out[0] = '\0';
	/* UTF-16 takes at most twice the bytes of its UTF-8, plus the byte order mark. */
	rawsz = 2 * outsz + 2;
	if ((raw = malloc(rawsz)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	if ((rc = open_pdf(&d, pdf, len)) != EC_OK || (rc = trailer(&d, &tr)) != EC_OK)
		goto out;
	if ((rc = get_typed(&d, &tr, "Info", V_DICT, &info)) <= 0 ||
	    (rc = get_resolved(&d, &info, key, &v)) <= 0) {
		if (rc == 0)
			rc = ec_err_set(EC_ERR_NOTFOUND, "no /%s in the PDF's document information", key);
		goto out;
	}
	if (v.t != V_STR && v.t != V_HEX) {
		rc = ec_err_set(EC_ERR_SYNTAX, "malformed PDF: /%s is not a string", key);
		goto out;
	}
	if ((rc = string_decode(&d, &v, raw, rawsz, &n)) != EC_OK)
		goto out;
	if (n >= 2 && raw[0] == 0xfe && raw[1] == 0xff)
		rc = utf16_to_utf8(raw + 2, n - 2, out, outsz);
	else if (memchr(raw, '\0', n) != NULL)
		rc = ec_err_set(EC_ERR_SYNTAX, "malformed PDF: /%s holds a NUL byte", key);
	else
		rc = pdfdoc_to_utf8(raw, n, out, outsz);
out:
	if (rc != EC_OK)
		out[0] = '\0';
	free(raw);
	free(d.x);
	return rc;
}
