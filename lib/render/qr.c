/*
 * QR codes for e-Cert payloads: byte mode, error correction M, version <= 15. A direct encoder with
 * no allocation but the result; it chooses the mask by the same penalty rules as libqrencode 4.1,
 * so both give identical symbols (tests/unit/render/test_qr.c compares them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "qr.h"

#define QR_M15_BYTES 412
#define WMAX (17 + 4 * EC_QR_MAX_VERSION)
#define CODEWORDS_MAX 655           /* version 15 */
#define ECL_M 0                     /* the two error correction bits of level M in the format word */
#define FUNC 0x80                   /* module flag: part of a function pattern (never masked) */

/*
 * Level M, per version: error correction codewords per block, the number of blocks in group 1 and
 * their data codewords, and the number of blocks in group 2 (one data codeword more each).
 */
static const struct {
	unsigned char ec, b1, d1, b2;
} level_m[EC_QR_MAX_VERSION + 1] = {
	{ 0, 0, 0, 0 },
	{ 10, 1, 16, 0 }, { 16, 1, 28, 0 }, { 26, 1, 44, 0 }, { 18, 2, 32, 0 }, { 24, 2, 43, 0 },
	{ 16, 4, 27, 0 }, { 18, 4, 31, 0 }, { 22, 2, 38, 2 }, { 22, 3, 36, 2 }, { 26, 4, 43, 1 },
	{ 30, 1, 50, 4 }, { 22, 6, 36, 2 }, { 22, 8, 37, 1 }, { 24, 4, 40, 5 }, { 24, 5, 41, 5 },
};

struct sym {
	int v, w;
	unsigned char m[WMAX * WMAX];   /* bit 0: dark; FUNC: function module */
};

static unsigned
data_codewords(int v)
{
	return (unsigned)level_m[v].b1 * level_m[v].d1 + (unsigned)level_m[v].b2 * (level_m[v].d1 + 1u);
}

/* Bytes a version holds in byte mode: 4 mode bits, an 8- or 16-bit count, then the data. */
static size_t
capacity(int v)
{
	return (data_codewords(v) * 8 - 4 - (v < 10 ? 8 : 16)) / 8;
}

static void
put(struct sym *s, int x, int y, int dark)
{
	s->m[y * s->w + x] = (unsigned char)(FUNC | (dark != 0));
}

static void
finder(struct sym *s, int cx, int cy)
{
	for (int dy = -4; dy <= 4; dy++)
		for (int dx = -4; dx <= 4; dx++) {
			int x = cx + dx, y = cy + dy, d = abs(dx) > abs(dy) ? abs(dx) : abs(dy);

			if (x >= 0 && x < s->w && y >= 0 && y < s->w)
				put(s, x, y, d != 2 && d != 4);
		}
}

/* BCH remainder of value (shifted left by the degree of poly) modulo poly. */
static unsigned
bch(unsigned value, unsigned poly, int deg)
{
	unsigned r = value << deg;

	for (int i = 31; i >= deg; i--)
		if (r & (1u << i))
			r ^= poly << (i - deg);
	return value << deg | r;
}

/* The 31 modules the format word of mask occupies (two copies and the dark module): x, y, dark. */
static void
format_cells(int w, int mask, int cell[31][3])
{
	unsigned f = bch((unsigned)(ECL_M << 3 | mask), 0x537, 10) ^ 0x5412;

	for (int i = 0; i < 15; i++) {
		int b = (f >> i) & 1, *c = cell[2 * i], *d = cell[2 * i + 1];

		/* Around the top-left finder. */
		c[0] = i < 8 ? 8 : i == 8 ? 7 : 14 - i;
		c[1] = i < 6 ? i : i < 8 ? i + 1 : 8;
		/* Split between the other two finders. */
		d[0] = i < 8 ? w - 1 - i : 8;
		d[1] = i < 8 ? 8 : w - 15 + i;
		c[2] = d[2] = b;
	}
	cell[30][0] = 8;
	cell[30][1] = w - 8;
	cell[30][2] = 1;
}

static void
format_bits(struct sym *s, int mask)
{
	int cell[31][3];

	format_cells(s->w, mask, cell);
	for (int i = 0; i < 31; i++)
		put(s, cell[i][0], cell[i][1], cell[i][2]);
}

/* Function patterns of version v. */
static void
frame(struct sym *s, int v)
{
	int w = 17 + 4 * v, n, step, pos[7];

	s->v = v;
	s->w = w;
	memset(s->m, 0, sizeof(s->m));
	for (int i = 0; i < w; i++) {
		put(s, 6, i, i % 2 == 0);
		put(s, i, 6, i % 2 == 0);
	}
	finder(s, 3, 3);
	finder(s, w - 4, 3);
	finder(s, 3, w - 4);
	if (v > 1) {
		n = v / 7 + 2;
		step = (v * 4 + n * 2 + 1) / (n * 2 - 2) * 2;
		pos[0] = 6;
		for (int i = n - 1, p = w - 7; i >= 1; i--, p -= step)
			pos[i] = p;
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++) {
				if ((i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0))
					continue;
				for (int dy = -2; dy <= 2; dy++)
					for (int dx = -2; dx <= 2; dx++)
						put(s, pos[i] + dx, pos[j] + dy,
						    abs(dx) == 2 || abs(dy) == 2 || (dx == 0 && dy == 0));
			}
	}
	/* Reserves the format areas (and sets the dark module); each mask trial rewrites them. */
	format_bits(s, 0);
	if (v >= 7) {
		unsigned vb = bch((unsigned)v, 0x1f25, 12);

		for (int i = 0; i < 18; i++) {
			int a = w - 11 + i % 3, b = i / 3, d = (vb >> i) & 1;

			put(s, a, b, d);
			put(s, b, a, d);
		}
	}
}

/*
 * Reed-Solomon error correction over GF(256), polynomial 0x11d: ec bytes for data[0..n). exp has
 * 510 entries so that a sum of two logarithms needs no reduction.
 */
static void
rs_encode(const unsigned char *data, size_t n, unsigned char *ec, int ne, const unsigned char *exp,
    const unsigned char *lg)
{
	unsigned char gen[32], glog[32];

	/* Generator polynomial (x - a^0)...(x - a^(ne-1)), coefficients from the highest degree down, monic. */
	memset(gen, 0, sizeof(gen));
	gen[0] = 1;
	for (int i = 0; i < ne; i++)
		for (int j = i + 1; j >= 1; j--)
			gen[j] ^= gen[j - 1] ? exp[lg[gen[j - 1]] + i] : 0;
	/* Every coefficient is non-zero: the roots are distinct. */
	for (int j = 0; j < ne; j++)
		glog[j] = lg[gen[j + 1]];
	memset(ec, 0, (size_t)ne);
	for (size_t i = 0; i < n; i++) {
		unsigned char f = data[i] ^ ec[0];

		memmove(ec, ec + 1, (size_t)ne - 1);
		ec[ne - 1] = 0;
		if (f != 0) {
			unsigned lf = lg[f];

			for (int j = 0; j < ne; j++)
				ec[j] ^= exp[glog[j] + lf];
		}
	}
}

/* The bit stream of payload in version v, split into blocks, error-corrected and interleaved. */
static void
codewords(const unsigned char *p, size_t len, int v, unsigned char *out, size_t *nout)
{
	unsigned char data[CODEWORDS_MAX], ecc[CODEWORDS_MAX], exp[510], lg[256];
	unsigned nd = data_codewords(v), ne = level_m[v].ec, nb = level_m[v].b1 + level_m[v].b2;
	size_t bit = 0, o = 0;
	unsigned x = 1;

	memset(data, 0, sizeof(data));
#define PUTBITS(val, count) \
	for (int k_ = (count) - 1; k_ >= 0; k_--, bit++) \
		data[bit >> 3] |= (unsigned char)((((val) >> k_) & 1) << (7 - (bit & 7)))
	PUTBITS(4u, 4);
	PUTBITS((unsigned)len, v < 10 ? 8 : 16);
	for (size_t i = 0; i < len; i++)
		PUTBITS((unsigned)p[i], 8);
#undef PUTBITS
	/* Up to four terminator bits are the zeros already there; pad to the byte, then 0xEC 0x11 ... */
	for (size_t i = (bit + 4 + 7) / 8, k = 0; i < nd; i++, k++)
		data[i] = k % 2 ? 0x11 : 0xec;

	for (int i = 0; i < 255; i++) {
		exp[i] = exp[i + 255] = (unsigned char)x;
		lg[x] = (unsigned char)i;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	for (unsigned b = 0, off = 0; b < nb; b++) {
		unsigned n = level_m[v].d1 + (b >= level_m[v].b1);

		rs_encode(data + off, n, ecc + b * ne, (int)ne, exp, lg);
		off += n;
	}
	for (unsigned i = 0; i <= level_m[v].d1; i++)
		for (unsigned b = 0, off = 0; b < nb; b++) {
			unsigned n = level_m[v].d1 + (b >= level_m[v].b1);

			if (i < n)
				out[o++] = data[off + i];
			off += n;
		}
	for (unsigned i = 0; i < ne; i++)
		for (unsigned b = 0; b < nb; b++)
			out[o++] = ecc[b * ne + i];
	*nout = o;
}

/* Data modules in the zigzag order of the standard, right to left in column pairs. */
static void
place(struct sym *s, const unsigned char *cw, size_t n)
{
	int w = s->w;
	size_t bit = 0;

	for (int right = w - 1; right >= 1; right -= 2) {
		if (right == 6)
			right = 5;
		for (int vert = 0; vert < w; vert++)
			for (int j = 0; j < 2; j++) {
				int x = right - j, up = ((right + 1) & 2) == 0, y = up ? w - 1 - vert : vert;
				unsigned char *m = &s->m[y * w + x];

				if (*m & FUNC)
					continue;
				if (bit < n * 8)
					*m = (cw[bit >> 3] >> (7 - (bit & 7))) & 1;
				bit++;
			}
	}
}

static int
mask_bit(int mask, int x, int y)
{
	switch (mask) {
	case 0: return (x + y) % 2 == 0;
	case 1: return y % 2 == 0;
	case 2: return x % 3 == 0;
	case 3: return (x + y) % 3 == 0;
	case 4: return (y / 2 + x / 3) % 2 == 0;
	case 5: return (x * y) % 2 + (x * y) % 3 == 0;
	case 6: return ((x * y) % 2 + (x * y) % 3) % 2 == 0;
	default: return ((x + y) % 2 + (x * y) % 3) % 2 == 0;
	}
}

/*
 * Scoring all eight masks dominates encoding, and per-module branches on random data mispredict,
 * so each trial works on bit rows: line i of the symbol (a row, or a column in the transposed copy)
 * is one 128-bit word, bit x for module x.
 */
typedef unsigned __int128 line_t;

struct bits {
	line_t row[WMAX], col[WMAX];
};

static int
ctz128(line_t v)
{
	uint64_t lo = (uint64_t)v;

	return lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll((uint64_t)(v >> 64));
}

/* Without -mpopcnt the builtin is a library call; this is the usual SWAR count. */
static int
popcount64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (int)((x * 0x0101010101010101ULL) >> 56);
}

static int
popcount128(line_t v)
{
	return popcount64((uint64_t)v) + popcount64((uint64_t)(v >> 64));
}

static line_t
ones(int n)
{
	return n >= 128 ? ~(line_t)0 : ((line_t)1 << n) - 1;
}

/* Modules [from, from + len) of a line of w are all dark (or all light); 0 when outside the line. */
static int
all_of(line_t v, int w, int from, int len, int dark)
{
	line_t m;

	if (from < 0 || from + len > w)
		return 0;
	m = (v >> from) & ones(len);
	return dark ? m == ones(len) : m == 0;
}

/*
 * One line of w modules, scored the way libqrencode scores it: N1, 3 plus the excess for each run
 * of 5 or more; N3, 40 for each dark 1:1:3:1:1 pattern (runs of u, u, 3u, u, u) with a light run of
 * 4u before or after it, or no dark module at all before or after it.
 */
static int
line_penalty(line_t v, int w)
{
	line_t same = ~(v ^ (v >> 1)) & ones(w - 1);
	line_t five = same & (same >> 1) & (same >> 2) & (same >> 3);
	/*
	 * Candidate central runs: an exact 1:1:3:1:1 (light or the edge around it), and the start of
	 * every dark run of 6 or more (u > 1); both are rare, and fully checked below.
	 */
	line_t starts = ((v << 2) & ~(v << 1) & v & (v >> 1) & (v >> 2) & ~(v >> 3) & (v >> 4) & ~(v << 3) & ~(v >> 5)) |
	    (v & ~(v << 1) & (v >> 1) & (v >> 2) & (v >> 3) & (v >> 4) & (v >> 5));
	int score;

	/* A run of L >= 5 holds L - 4 starts of five equal modules: add 2 per run to make L - 2. */
	score = popcount128(five) + 2 * popcount128(five & ~(five << 1));
	while (starts != 0) {
		int a = ctz128(starts), len = ctz128(~(v >> a)), u = len / 3, end = a + len;

		starts &= starts - 1;
		if (len % 3 != 0 || !all_of(v, w, a - u, u, 0) || !all_of(v, w, a - 2 * u, u, 1) ||
		    !all_of(v, w, end, u, 0) || !all_of(v, w, end + u, u, 1))
			continue;
		/* The outer dark runs are exactly u long. */
		if ((a - 2 * u > 0 && ((v >> (a - 2 * u - 1)) & 1)) || (end + 2 * u < w && ((v >> (end + 2 * u)) & 1)))
			continue;
		if ((v & ones(a - 2 * u)) == 0 || all_of(v, w, a - 6 * u, 4 * u, 0) ||
		    (v >> (end + 2 * u)) == 0 || all_of(v, w, end + 2 * u, 4 * u, 0))
			score += 40;
	}
	return score;
}

/* N1 + N3 over rows and columns, N2 (3 per 2x2 block of one colour), N4 (10 per 5 % off half dark). */
static int
penalty(const struct bits *b, int w)
{
	line_t pairs = ((line_t)1 << (w - 1)) - 1;
	int score = 0, dark = 0, ratio;

	for (int i = 0; i < w; i++) {
		score += line_penalty(b->row[i], w) + line_penalty(b->col[i], w);
		dark += popcount128(b->row[i]);
		if (i > 0) {
			line_t a = b->row[i - 1], c = b->row[i];

			score += 3 * popcount128(~(a ^ (a >> 1)) & ~(c ^ (c >> 1)) & ~(a ^ c) & pairs);
		}
	}
	ratio = (200 * dark + w * w) / (w * w) / 2;
	return score + abs(ratio - 50) / 5 * 10;
}

/* The symbol under the mask that scores lowest (the first of equals), format word included, as rows. */
static void
choose_mask(const struct sym *s, line_t *rows)
{
	struct bits base, fn, t;
	int w = s->w, bestscore = 0;

	/* Built in 64-bit halves: variable shifts of 128-bit words cost several instructions each. */
	{
		uint64_t d[2][2][WMAX];          /* [dark or function][half][line]: rows then transposed below */

		memset(d, 0, sizeof(d));
		for (int y = 0; y < w; y++)
			for (int x = 0; x < w; x++) {
				unsigned c = s->m[y * w + x];

				d[0][x >> 6][y] |= (uint64_t)(c & 1) << (x & 63);
				d[1][x >> 6][y] |= (uint64_t)((c & FUNC) != 0) << (x & 63);
			}
		memset(&base, 0, sizeof(base));
		memset(&fn, 0, sizeof(fn));
		for (int y = 0; y < w; y++) {
			base.row[y] = (line_t)d[0][1][y] << 64 | d[0][0][y];
			fn.row[y] = (line_t)d[1][1][y] << 64 | d[1][0][y];
		}
		memset(d, 0, sizeof(d));
		for (int x = 0; x < w; x++)
			for (int y = 0; y < w; y++) {
				unsigned c = s->m[y * w + x];

				d[0][y >> 6][x] |= (uint64_t)(c & 1) << (y & 63);
				d[1][y >> 6][x] |= (uint64_t)((c & FUNC) != 0) << (y & 63);
			}
		for (int x = 0; x < w; x++) {
			base.col[x] = (line_t)d[0][1][x] << 64 | d[0][0][x];
			fn.col[x] = (line_t)d[1][1][x] << 64 | d[1][0][x];
		}
	}
	for (int mask = 0; mask < 8; mask++) {
		line_t rowpat[12], colpat[12];
		int cell[31][3], score;

		/* Every mask repeats every 6 modules across and every 12 down: build 12 and replicate. */
		for (int k = 0; k < 12; k++) {
			line_t r = 0, c = 0;

			for (int x = 0; x < 12; x++) {
				r |= (line_t)mask_bit(mask, x, k) << x;
				c |= (line_t)mask_bit(mask, k, x) << x;
			}
			for (int sh = 12; sh < w; sh *= 2) {
				r |= r << sh;
				c |= c << sh;
			}
			rowpat[k] = r & ones(w);
			colpat[k] = c & ones(w);
		}
		for (int i = 0; i < w; i++) {
			t.row[i] = base.row[i] ^ (rowpat[i % 12] & ~fn.row[i]);
			t.col[i] = base.col[i] ^ (colpat[i % 12] & ~fn.col[i]);
		}
		format_cells(w, mask, cell);
		for (int i = 0; i < 31; i++) {
			line_t bx = (line_t)1 << cell[i][0], by = (line_t)1 << cell[i][1];

			t.row[cell[i][1]] = (t.row[cell[i][1]] & ~bx) | (cell[i][2] ? bx : 0);
			t.col[cell[i][0]] = (t.col[cell[i][0]] & ~by) | (cell[i][2] ? by : 0);
		}
		score = penalty(&t, w);
		if (mask == 0 || score < bestscore) {
			memcpy(rows, t.row, (size_t)w * sizeof(*rows));
			bestscore = score;
		}
	}
}

int
ec_qr_encode(const void *payload, size_t len, struct ec_qr *out)
{
	struct sym *base = NULL;
	unsigned char cw[CODEWORDS_MAX];
	size_t ncw;
	line_t rows[WMAX];
	int v, rc;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return ec_err_set(EC_ERR_ARG, "cannot encode an empty qr payload");
	if (len > QR_M15_BYTES)
		return ec_err_set(EC_ERR_TOOBIG, "qr payload of %zu bytes is over the %d bytes of version %d",
		    len, QR_M15_BYTES, EC_QR_MAX_VERSION);
	for (v = 1; capacity(v) < len; v++)
		;
	if ((base = malloc(sizeof(*base))) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	frame(base, v);
	codewords(payload, len, v, cw, &ncw);
	place(base, cw, ncw);
	choose_mask(base, rows);
	if ((out->dark = malloc((size_t)base->w * (size_t)base->w)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	for (int y = 0; y < base->w; y++) {
		uint64_t half[2] = { (uint64_t)rows[y], (uint64_t)(rows[y] >> 64) };

		for (int x = 0; x < base->w; x++)
			out->dark[y * base->w + x] = (unsigned char)((half[x >> 6] >> (x & 63)) & 1);
	}
	out->version = v;
	out->width = base->w;
	rc = 0;
out:
	free(base);
	return rc;
}

void
ec_qr_free(struct ec_qr *q)
{
	if (q == NULL)
		return;
	free(q->dark);
	memset(q, 0, sizeof(*q));
}
