/*
 * PDF e-Cert rendering: a small deterministic PDF writer for exactly our one page. The characters
 * of every font file the page uses go into one per-document TrueType subset (Type 0 / CIDFontType2,
 * Identity-H, CID = glyph id); the QR is one dashed vector stroke, the DER an embedded file;
 * images and the glyphs a batch shares are prepared once (docs/formats-pdf.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>
#include <zlib.h>

#include "buf.h"
#include "date.h"
#include "err.h"
#include "number.h"
#include "pdf.h"
#include "qr.h"

#define FONTS_MAX (EC_TPL_FAMILIES * EC_TPL_CHAIN)
#define TEXT_MAX 1024            /* bytes of one expanded text item */
#define IMAGE_MAX (4 * 1024 * 1024)
#define IMAGE_PIXELS (4u << 20)  /* a decoded PNG's pixels (2048 x 2048) */
#define CAP_CENTRE 0.36          /* half the cap height, in ems: text is centred on it */
#define QUIET 4                  /* QR quiet zone, in modules */
#define ZLEVEL 6
#define FONT_BITS 14             /* the font program's deflate window: 16 KB */

/* Fixed object numbers; images follow (two each at most: samples, soft mask). */
enum {
	O_CATALOG = 1, O_PAGES, O_PAGE, O_CONTENT, O_INFO, O_FILESPEC, O_FILE,
	O_FONT, O_CIDFONT, O_DESCRIPTOR, O_FONTFILE, O_TOUNICODE, O_FIRST_IMAGE
};
#define OBJ_MAX (O_FIRST_IMAGE + 2 * EC_TPL_ITEMS)

/* An image XObject prepared once: its dictionary entries and its (compressed) samples and soft mask. */
struct image {
	char dict[2048];
	unsigned char *data, *smask;
	size_t len, smask_len;
	unsigned w, h;
};

/* One laid-out text item. */
struct layout {
	char text[TEXT_MAX];
	size_t n;
	uint32_t cp[TEXT_MAX];
	unsigned char font[TEXT_MAX];
	double size, x, y;
};

/*
 * Deflate streams kept across documents (a reset costs less than a new stream), each sized to its
 * data, since a reset clears the whole hash table: the page's content; small streams (ToUnicode,
 * the DER); the font program's own parts (raw deflate).
 */
enum { ZS_PAGE, ZS_SMALL, ZS_FONT, NZS };
static const struct {
	int bits, mem;
} zparams[NZS] = { { 14, 6 }, { 11, 4 }, { -FONT_BITS, 6 } };

/* What the content stream has set, so that each operator is written only when something changes. */
struct gstate {
	double fill[3], stroke[3], lw, tc, size;
};

struct ec_render {
	const struct ec_template *t;
	const struct ec_fonts *f;
	struct image *img[EC_TPL_ITEMS];
	struct layout *l;
	unsigned nl;
	z_stream z[NZS];
	int zok[NZS];
	struct ec_buf pdf, content, tmp;
	/*
	 * Characters are glyph lists, font file by font file, each ascending. The fixed ones (see
	 * prepare_fixed) are prepared once per batch: CID i + 1 shows fixed[i], encoded in prep, whose
	 * glyph data is also kept compressed (prep_z, a raw deflate stream ending on a byte boundary).
	 * Per document the others (the holder's name, mostly): CID first_var + i shows glyphs[i].
	 */
	uint64_t is_fixed[FONTS_MAX][65536 / 64];
	struct ec_glyph *fixed;
	size_t nfixed, fbase[FONTS_MAX], fcount[FONTS_MAX];
	struct ec_font_prep *prep;
	unsigned char *prep_z;
	size_t prep_zlen, first_var;
	char prep_key[2048];             /* the values prepared for: organisation, title, code, URL */
	uint64_t used[FONTS_MAX][65536 / 64];
	int any[FONTS_MAX];
	struct ec_glyph *glyphs;
	size_t nglyphs, base[FONTS_MAX], count[FONTS_MAX];
	unsigned short dash[(17 + 4 * EC_QR_MAX_VERSION) * (17 + 4 * EC_QR_MAX_VERSION + 4) + 2];
	unsigned obj_img[EC_TPL_ITEMS], nobj, last_img;   /* last_img: last image item + 1 */
	size_t off[OBJ_MAX];
};

static int
read_file(const char *path, unsigned char **out, size_t *outlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? ec_err_set(EC_ERR_NOTFOUND, "cannot open image '%s': %s", path, strerror(errno)) :
		    ec_err_errno("cannot open image", path);
	if ((buf = malloc(IMAGE_MAX + 1)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	while ((n = read(fd, buf + len, IMAGE_MAX + 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ec_err_errno("cannot read image", path);
			goto out;
		}
		len += (size_t)n;
		if (len > IMAGE_MAX) {
			rc = ec_err_set(EC_ERR_TOOBIG, "image '%s' is over %d bytes", path, IMAGE_MAX);
			goto out;
		}
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	close(fd);
	free(buf);
	return rc;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
bad_image(const char *path, const char *what)
{
	return ec_err_set(EC_ERR_SYNTAX, "image '%s': %s", path, what);
}

/* Compress src[0..n) at level into a new buffer *out. */
static int
flate(const unsigned char *src, size_t n, int level, unsigned char **out, size_t *outlen)
{
	uLongf len = compressBound((uLong)n);

	if ((*out = malloc(len)) == NULL)
		return EC_ERR_NOMEM;
	if (compress2(*out, &len, src, (uLong)n, level) != Z_OK) {
		free(*out);
		*out = NULL;
		return EC_ERR_NOMEM;
	}
	*outlen = len;
	return 0;
}

/* A JPEG passes through as DCTDecode; only its frame header is read. */
static int
prepare_jpeg(const char *path, const unsigned char *p, size_t len, struct image *im)
{
	size_t i = 2;
	int adobe = 0;

	while (i + 4 <= len) {
		unsigned m, seg;

		if (p[i] != 0xff)
			return bad_image(path, "malformed JPEG");
		m = p[i + 1];
		if (m == 0xff) {
			i++;
			continue;
		}
		seg = (unsigned)p[i + 2] << 8 | p[i + 3];
		if (seg < 2 || i + 2 + seg > len)
			return bad_image(path, "truncated JPEG");
		if (m == 0xee && seg >= 7 && memcmp(p + i + 4, "Adobe", 5) == 0)
			adobe = 1;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc) {
			const char *cs;
			unsigned comps;

			if (seg < 8)
				return bad_image(path, "truncated JPEG");
			im->h = (unsigned)p[i + 5] << 8 | p[i + 6];
			im->w = (unsigned)p[i + 7] << 8 | p[i + 8];
			comps = p[i + 9];
			cs = comps == 1 ? "/DeviceGray" : comps == 3 ? "/DeviceRGB" : comps == 4 ? "/DeviceCMYK" : NULL;
			if (cs == NULL || p[i + 4] != 8 || im->w == 0 || im->h == 0)
				return ec_err_set(EC_ERR_UNSUPPORTED, "image '%s': unsupported JPEG (%u components, %u bits)",
				    path, comps, p[i + 4]);
			snprintf(im->dict, sizeof(im->dict), "/Type/XObject/Subtype/Image/Width %u/Height %u/ColorSpace%s"
			    "/BitsPerComponent 8%s/Filter/DCTDecode", im->w, im->h, cs,
			    comps == 4 && adobe ? "/Decode[1 0 1 0 1 0 1 0]" : "");
			if ((im->data = malloc(len)) == NULL)
				return EC_ERR_NOMEM;
			memcpy(im->data, p, len);
			im->len = len;
			return 0;
		}
		if (m == 0xda)
			break;
		i += 2 + seg;
	}
	return bad_image(path, "JPEG without a frame header");
}

/* Undo the PNG row filters in place: raw holds h rows of 1 + rowbytes. */
static int
unfilter(unsigned char *raw, size_t h, size_t rowbytes, size_t bpp)
{
	for (size_t y = 0; y < h; y++) {
		unsigned char *row = raw + y * (rowbytes + 1) + 1, *up = y ? row - rowbytes - 1 : NULL;
		unsigned ft = row[-1];

		if (ft > 4)
			return -1;
		for (size_t x = 0; x < rowbytes; x++) {
			int a = x >= bpp ? row[x - bpp] : 0, b = up ? up[x] : 0, c = up && x >= bpp ? up[x - bpp] : 0;
			int pa, pb, pc, pred;

			switch (ft) {
			case 1: pred = a; break;
			case 2: pred = b; break;
			case 3: pred = (a + b) / 2; break;
			case 4:
				pa = abs(b - c);
				pb = abs(a - c);
				pc = abs(a + b - 2 * c);
				pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
				break;
			default: pred = 0; break;
			}
			row[x] = (unsigned char)(row[x] + pred);
		}
	}
	return 0;
}

/*
 * A PNG is decoded once (zlib), its alpha channel or palette transparency split into a soft mask,
 * its samples (8 bits, or fewer for grey and palette images) compressed again.
 */
static int
prepare_png(const char *path, const unsigned char *p, size_t len, struct image *im)
{
	unsigned char *idat = NULL, *raw = NULL, *col = NULL, *alpha = NULL, plte[768], trns[256];
	size_t nidat = 0, i = 8, rowbytes, rawlen, nplte = 0, ntrns = 0, w, h;
	unsigned depth = 0, ctype = 0, chans, outd;
	int rc, have_ihdr = 0, smask = 0;
	char mask[64] = "", cs[1700];
	uLongf got;

	while (i + 12 <= len) {
		uint32_t n = be32(p + i);
		const unsigned char *type = p + i + 4, *d = p + i + 8;

		if (n > len - i - 12) {
			rc = bad_image(path, "truncated PNG");
			goto out;
		}
		if (crc32(crc32(0, NULL, 0), type, n + 4) != be32(d + n)) {
			rc = bad_image(path, "PNG chunk with a bad CRC");
			goto out;
		}
		if (memcmp(type, "IHDR", 4) == 0 && n == 13) {
			im->w = be32(d);
			im->h = be32(d + 4);
			depth = d[8];
			ctype = d[9];
			if (d[12] != 0) {
				rc = ec_err_set(EC_ERR_UNSUPPORTED, "image '%s': interlaced PNG is not supported", path);
				goto out;
			}
			have_ihdr = 1;
		} else if (memcmp(type, "PLTE", 4) == 0 && n <= 768 && n % 3 == 0) {
			memcpy(plte, d, n);
			nplte = n / 3;
		} else if (memcmp(type, "tRNS", 4) == 0 && n <= 256) {
			memcpy(trns, d, n);
			ntrns = n;
		} else if (memcmp(type, "IDAT", 4) == 0) {
			unsigned char *q = realloc(idat, nidat + n + 1);

			if (q == NULL) {
				rc = EC_ERR_NOMEM;
				goto out;
			}
			idat = q;
			memcpy(idat + nidat, d, n);
			nidat += n;
		} else if (memcmp(type, "IEND", 4) == 0) {
			break;
		}
		i += 12 + n;
	}
	chans = ctype == 0 ? 1 : ctype == 2 ? 3 : ctype == 3 ? 1 : ctype == 4 ? 2 : ctype == 6 ? 4 : 0;
	if (have_ihdr && (uint64_t)im->w * im->h > IMAGE_PIXELS) {
		rc = ec_err_set(EC_ERR_TOOBIG, "image '%s' is over %u pixels", path, IMAGE_PIXELS);
		goto out;
	}
	if (!have_ihdr || nidat == 0 || chans == 0 || im->w == 0 || im->h == 0 ||
	    (depth != 8 && depth != 16 && !((ctype == 0 || ctype == 3) && (depth == 1 || depth == 2 || depth == 4))) ||
	    (ctype == 3 && (nplte == 0 || depth == 16))) {
		rc = bad_image(path, "malformed or unsupported PNG");
		goto out;
	}
	w = im->w;
	h = im->h;
	rowbytes = (w * chans * depth + 7) / 8;
	rawlen = h * (rowbytes + 1);
	if ((raw = malloc(rawlen)) == NULL || (col = malloc(h * rowbytes)) == NULL ||
	    (alpha = malloc(w * h)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	got = rawlen;
	if (uncompress(raw, &got, idat, nidat) != Z_OK || got != rawlen ||
	    unfilter(raw, h, rowbytes, (chans * depth + 7) / 8) != 0) {
		rc = bad_image(path, "malformed PNG image data");
		goto out;
	}
	/* Samples to one row-packed buffer: 16 bits become 8, alpha goes to its own plane. */
	outd = depth == 16 ? 8 : depth;
	{
		size_t o = 0, cb = ctype == 4 ? 1 : ctype == 6 ? 3 : chans, step = depth == 16 ? 2 : 1;

		for (size_t y = 0; y < h; y++) {
			const unsigned char *row = raw + y * (rowbytes + 1) + 1;

			if (depth < 8 || (depth == 8 && (ctype == 0 || ctype == 2 || ctype == 3))) {
				memcpy(col + o, row, rowbytes);
				o += rowbytes;
				continue;
			}
			for (size_t x = 0; x < w; x++) {
				const unsigned char *px = row + x * chans * step;

				for (size_t c = 0; c < cb; c++)
					col[o++] = px[c * step];
				if (ctype == 4 || ctype == 6)
					alpha[y * w + x] = px[cb * step];
			}
		}
		if ((rc = flate(col, o, 9, &im->data, &im->len)) != 0)
			goto out;
	}
	if (ctype == 4 || ctype == 6) {
		smask = 1;
	} else if (ctype == 3 && ntrns > 0) {
		/* Palette transparency: each pixel's alpha is its palette entry's. */
		for (size_t y = 0; y < h; y++)
			for (size_t x = 0; x < w; x++) {
				const unsigned char *row = raw + y * (rowbytes + 1) + 1;
				unsigned idx = depth == 8 ? row[x] :
				    (row[x * depth / 8] >> (8 - depth - (x * depth) % 8)) & ((1u << depth) - 1);

				alpha[y * w + x] = idx < ntrns ? trns[idx] : 255;
			}
		smask = 1;
	} else if (ntrns >= (ctype == 0 ? 2u : 6u)) {
		/* A colour key: that one colour is transparent. */
		unsigned k[3];

		for (unsigned c = 0; c < chans; c++)
			k[c] = depth == 16 ? trns[2 * c] : ((unsigned)trns[2 * c] << 8 | trns[2 * c + 1]) & ((1u << outd) - 1);
		if (chans == 1)
			snprintf(mask, sizeof(mask), "/Mask[%u %u]", k[0], k[0]);
		else
			snprintf(mask, sizeof(mask), "/Mask[%u %u %u %u %u %u]", k[0], k[0], k[1], k[1], k[2], k[2]);
	}
	if (smask && (rc = flate(alpha, w * h, 9, &im->smask, &im->smask_len)) != 0)
		goto out;
	if (ctype == 3) {
		size_t o = (size_t)snprintf(cs, sizeof(cs), "[/Indexed/DeviceRGB %zu<", nplte - 1);

		for (size_t k = 0; k < nplte * 3; k++)
			o += (size_t)snprintf(cs + o, sizeof(cs) - o, "%02X", plte[k]);
		snprintf(cs + o, sizeof(cs) - o, ">]");
	} else {
		snprintf(cs, sizeof(cs), "/%s", ctype == 0 || ctype == 4 ? "DeviceGray" : "DeviceRGB");
	}
	snprintf(im->dict, sizeof(im->dict), "/Type/XObject/Subtype/Image/Width %u/Height %u/ColorSpace%s"
	    "/BitsPerComponent %u%s/Filter/FlateDecode", im->w, im->h, cs, outd, mask);
	rc = 0;
out:
	free(idat);
	free(raw);
	free(col);
	free(alpha);
	return rc;
}

static int
prepare_image(const char *path, struct image **out)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	struct image *im;
	int rc;

	if ((im = calloc(1, sizeof(*im))) == NULL)
		return EC_ERR_NOMEM;
	if ((rc = read_file(path, &buf, &len)) != 0)
		goto out;
	if (len >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0)
		rc = prepare_png(path, buf, len, im);
	else if (len >= 3 && memcmp(buf, "\xff\xd8\xff", 3) == 0)
		rc = prepare_jpeg(path, buf, len, im);
	else
		rc = ec_err_set(EC_ERR_SYNTAX, "image '%s' is neither PNG nor JPEG", path);
out:
	free(buf);
	if (rc != 0) {
		free(im->data);
		free(im->smask);
		free(im);
		im = NULL;
	}
	*out = im;
	return rc;
}

static void
mark_fixed(struct ec_render *r, unsigned family, uint32_t cp)
{
	int k = ec_font_pick(r->f, family, cp);

	/* A character no font covers is reported when a document uses it. */
	if (k >= 0)
		r->is_fixed[k][cp >> 6] |= (uint64_t)1 << (cp & 63);
}

/* Forget the prepared characters (before preparing others, and when the renderer goes). */
static void
drop_fixed(struct ec_render *r)
{
	ec_font_prep_free(r->prep);
	free(r->prep_z);
	free(r->fixed);
	r->prep = NULL;
	r->prep_z = NULL;
	r->fixed = NULL;
	r->nfixed = 0;
	r->prep_key[0] = '\0';
	memset(r->is_fixed, 0, sizeof(r->is_fixed));
	memset(r->fcount, 0, sizeof(r->fcount));
}

/*
 * The characters a batch of documents shares: each text item's own text with the organisation,
 * title, code and URL in it (these stay the same from one holder to the next), and digits, space
 * and hyphen where it shows the number, a date or the URL. Their glyphs are encoded and
 * compressed here, once for as long as those values (key) stay the same.
 */
static int
prepare_fixed(struct ec_render *r, const struct ec_tpl_values *v, const char *key)
{
	const struct ec_template *t = r->t;
	struct ec_tpl_values shared = *v;
	char text[TEXT_MAX];
	const unsigned char *glyf;
	size_t glen, bound;
	z_stream *z = &r->z[ZS_FONT];
	int rc;

	drop_fixed(r);
	shared.name = shared.number = shared.effective = shared.expires = NULL;
	for (unsigned i = 0; i < t->nitems; i++) {
		const struct ec_tpl_item *it = &t->items[i];
		size_t len, k = 0;

		if (it->kind != EC_TPL_TEXT || ec_template_expand(it->text, &shared, text, sizeof(text)) != 0)
			continue;
		len = strlen(text);
		while (k < len) {
			utf8proc_int32_t cp;
			utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)text + k, (utf8proc_ssize_t)(len - k), &cp);

			if (n <= 0)
				break;
			if (cp < 0x10000)
				mark_fixed(r, it->family, (uint32_t)cp);
			k += (size_t)n;
		}
		if (strstr(it->text, "{number}") || strstr(it->text, "{effective}") || strstr(it->text, "{expires}") ||
		    strstr(it->text, "{url}"))
			for (const char *c = "0123456789 -"; *c != '\0'; c++)
				mark_fixed(r, it->family, (uint32_t)*c);
	}
	for (unsigned k = 0; k < FONTS_MAX; k++)
		for (unsigned w = 0; w < 65536 / 64; w++)
			r->nfixed += (size_t)__builtin_popcountll(r->is_fixed[k][w]);
	if ((r->fixed = malloc((r->nfixed ? r->nfixed : 1) * sizeof(*r->fixed))) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	r->nfixed = 0;
	for (unsigned k = 0; k < FONTS_MAX; k++) {
		r->fbase[k] = r->nfixed;
		for (unsigned w = 0; w < 65536 / 64; w++)
			for (uint64_t bits = r->is_fixed[k][w]; bits != 0; bits &= bits - 1) {
				r->fixed[r->nfixed].font = k;
				r->fixed[r->nfixed++].cp = w * 64 + (unsigned)__builtin_ctzll(bits);
			}
		r->fcount[k] = r->nfixed - r->fbase[k];
	}
	if ((rc = ec_font_prepare(r->f, r->fixed, r->nfixed, &r->prep)) != 0)
		goto out;
	r->first_var = ec_font_prep_glyphs(r->prep);
	glyf = ec_font_prep_glyf(r->prep, &glen);
	bound = deflateBound(z, (uLong)glen) + 16;
	if ((r->prep_z = malloc(bound)) == NULL || deflateReset(z) != Z_OK) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	z->next_in = (unsigned char *)(uintptr_t)glyf;
	z->avail_in = (uInt)glen;
	z->next_out = r->prep_z;
	z->avail_out = (uInt)bound;
	/* A sync flush ends it on a byte boundary, not final: it can sit inside a longer stream. */
	if (deflate(z, Z_SYNC_FLUSH) != Z_OK || z->avail_in != 0 || z->avail_out == 0) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	r->prep_zlen = z->total_out;
	snprintf(r->prep_key, sizeof(r->prep_key), "%s", key);
	rc = 0;
out:
	if (rc != 0)
		drop_fixed(r);
	return rc;
}

int
ec_render_new(const struct ec_template *t, const struct ec_fonts *f, struct ec_render **out)
{
	struct ec_render *r;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return EC_ERR_NOMEM;
	r->t = t;
	r->f = f;
	for (unsigned i = 0; i < t->nitems; i++) {
		if (t->items[i].kind == EC_TPL_IMAGE) {
			if ((rc = prepare_image(t->items[i].path, &r->img[i])) != 0)
				goto out;
			r->last_img = i + 1;
		}
		r->nl += t->items[i].kind == EC_TPL_TEXT;
	}
	if ((r->l = calloc(r->nl ? r->nl : 1, sizeof(*r->l))) == NULL ||
	    (r->glyphs = malloc((r->nl ? r->nl : 1) * TEXT_MAX * sizeof(*r->glyphs))) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < NZS; i++) {
		if (deflateInit2(&r->z[i], ZLEVEL, Z_DEFLATED, zparams[i].bits, zparams[i].mem, Z_DEFAULT_STRATEGY) != Z_OK) {
			rc = EC_ERR_NOMEM;
			goto out;
		}
		r->zok[i] = 1;
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	ec_render_free(r);
	return rc;
}

void
ec_render_free(struct ec_render *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < EC_TPL_ITEMS; i++)
		if (r->img[i] != NULL) {
			free(r->img[i]->data);
			free(r->img[i]->smask);
			free(r->img[i]);
		}
	for (int i = 0; i < NZS; i++)
		if (r->zok[i])
			deflateEnd(&r->z[i]);
	drop_fixed(r);
	ec_buf_free(&r->pdf);
	ec_buf_free(&r->content);
	ec_buf_free(&r->tmp);
	free(r->l);
	free(r->glyphs);
	free(r);
}

/* Values are printed, never interpreted; still, refuse what no certificate should carry. */
static int
check_value(const char *what, const char *s, size_t max)
{
	size_t len = strlen(s), i = 0;

	if (len > max)
		return ec_err_set(EC_ERR_TOOBIG, "%s is over %zu bytes", what, max);
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);

		if (n <= 0)
			return ec_err_set(EC_ERR_SYNTAX, "%s is not valid UTF-8", what);
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029)
			return ec_err_set(EC_ERR_SYNTAX, "%s contains control character U+%04X", what, (unsigned)cp);
		i += (size_t)n;
	}
	return 0;
}

/* Decode an item's text into code points, choose a font for each, size it into its box. */
static int
layout(struct ec_render *r, const struct ec_tpl_item *it, struct layout *l)
{
	size_t len = strlen(l->text), i = 0;
	double sum = 0, width, sp = it->spacing;

	l->n = 0;
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)l->text + i, (utf8proc_ssize_t)(len - i), &cp);
		int font;

		if (k <= 0)
			return ec_err_set(EC_ERR_SYNTAX, "%s:%u: text is not valid UTF-8", r->t->file, it->line);
		if ((font = ec_font_pick(r->f, it->family, (uint32_t)cp)) < 0) {
			char c[5] = "";

			if (cp >= 0x20)
				c[utf8proc_encode_char(cp, (utf8proc_uint8_t *)c)] = '\0';
			return ec_err_set(EC_ERR_SYNTAX, "%s:%u: no font covers U+%04X '%s'", r->t->file, it->line,
			    (unsigned)cp, c);
		}
		l->cp[l->n] = (uint32_t)cp;
		l->font[l->n] = (unsigned char)font;
		sum += (unsigned short)ec_font_advance(r->f, (unsigned)font, (uint32_t)cp);
		l->n++;
		i += (size_t)k;
	}
	if (l->n == 0)
		return 0;
	/* Letter spacing follows every character but the last, as the eye measures it. */
	l->size = it->size;
	width = sum * l->size / 1000 + sp * (double)(l->n - 1);
	if (width > it->w) {
		double s = sum > 0 ? (it->w - sp * (double)(l->n - 1)) * 1000 / sum : 0;

		s = floor(s * 10) / 10;
		if (s < it->min || s <= 0)
			return ec_err_set(EC_ERR_TOOBIG, "%s:%u: \"%s\" does not fit its %.0f pt box even at %g pt",
			    r->t->file, it->line, l->text, it->w, it->min);
		l->size = s;
		width = sum * s / 1000 + sp * (double)(l->n - 1);
	}
	l->x = it->align == EC_TPL_LEFT ? it->x : it->align == EC_TPL_RIGHT ? it->x + it->w - width :
	    it->x + (it->w - width) / 2;
	l->y = it->y + it->h / 2 - CAP_CENTRE * l->size;
	for (size_t j = 0; j < l->n; j++) {
		r->used[l->font[j]][l->cp[j] >> 6] |= (uint64_t)1 << (l->cp[j] & 63);
		r->any[l->font[j]] = 1;
	}
	return 0;
}

/* ---- Writing PDF syntax: numbers are formatted by hand, so the bytes never depend on the locale. */

static void
put(struct ec_buf *b, const char *s)
{
	ec_buf_add(b, s, strlen(s));
}

static void
put_uint(struct ec_buf *b, unsigned long long v)
{
	char d[24];
	int n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	ec_buf_add(b, d + sizeof(d) - n, (size_t)n);
}

/* v rounded to dec decimals, trailing zeros dropped, then a space. */
static void
put_num(struct ec_buf *b, double v, int dec)
{
	long long scale = dec == 4 ? 10000 : dec == 3 ? 1000 : dec == 2 ? 100 : 1, k = llround(v * (double)scale);
	char frac[8];
	int n = 0;

	if (k < 0) {
		ec_buf_addc(b, '-');
		k = -k;
	}
	put_uint(b, (unsigned long long)(k / scale));
	for (long long f = k % scale, s = scale / 10; f != 0 && s > 0; s /= 10) {
		frac[n++] = (char)('0' + f / s);
		f %= s;
	}
	if (n > 0) {
		ec_buf_addc(b, '.');
		ec_buf_add(b, frac, (size_t)n);
	}
	ec_buf_addc(b, ' ');
}

static void
put_hex4(struct ec_buf *b, unsigned v)
{
	static const char hex[] = "0123456789ABCDEF";
	char s[4] = { hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15], hex[v & 15] };

	ec_buf_add(b, s, 4);
}

/* Start object n: remember where it begins for the cross-reference table. */
static void
obj(struct ec_render *r, unsigned n)
{
	r->off[n] = r->pdf.len;
	put_uint(&r->pdf, n);
	put(&r->pdf, " 0 obj\n");
}

static void
ref(struct ec_buf *b, unsigned n)
{
	put_uint(b, n);
	put(b, " 0 R");
}

/* Deflate src[0..n) with stream zs into r->tmp (replacing its contents), zlib format. */
static int
deflate_tmp(struct ec_render *r, int zs, const void *src, size_t n)
{
	z_stream *z = &r->z[zs];
	uLong bound = deflateBound(z, (uLong)n);

	ec_buf_reset(&r->tmp);
	if (deflateReset(z) != Z_OK || ec_buf_reserve(&r->tmp, bound) != 0)
		return EC_ERR_NOMEM;
	/*
	 * Shorter match searches than level 6's for the page: its operators (the QR's dash lengths
	 * above all) are full of short repeats that make long hash chains; this keeps most of the gain
	 * at a fraction of the time. A reset restores the level's defaults, so tune every time.
	 */
	if (zs == ZS_PAGE)
		deflateTune(z, 4, 8, 32, 8);
	z->next_in = (unsigned char *)(uintptr_t)src;
	z->avail_in = (uInt)n;
	z->next_out = (unsigned char *)r->tmp.p;
	z->avail_out = (uInt)bound;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return EC_ERR_NOMEM;
	r->tmp.len = z->total_out;
	return 0;
}

/* Append n raw deflate bytes of r->zr's output for in[0..len) with flush to r->tmp. */
static int
raw_part(struct ec_render *r, const unsigned char *in, size_t len, int flush)
{
	uLong bound = deflateBound(&r->z[ZS_FONT], (uLong)len) + 16;

	if (ec_buf_reserve(&r->tmp, bound) != 0)
		return EC_ERR_NOMEM;
	r->z[ZS_FONT].next_in = (unsigned char *)(uintptr_t)in;
	r->z[ZS_FONT].avail_in = (uInt)len;
	r->z[ZS_FONT].next_out = (unsigned char *)r->tmp.p + r->tmp.len;
	r->z[ZS_FONT].avail_out = (uInt)bound;
	if (deflate(&r->z[ZS_FONT], flush) != (flush == Z_FINISH ? Z_STREAM_END : Z_OK) || r->z[ZS_FONT].avail_in != 0 ||
	    r->z[ZS_FONT].avail_out == 0)
		return EC_ERR_NOMEM;
	r->tmp.len += bound - r->z[ZS_FONT].avail_out;
	return 0;
}

/*
 * The font program as one zlib stream whose deflate data is three parts, each ending on a byte
 * boundary: the table directory; the prepared glyphs, compressed once in prepare_fixed; the rest.
 * Only the first and last are compressed here, each on its own (the last could refer back into
 * the glyphs before it, but loading them as a dictionary costs more time than it saves bytes).
 */
static int
deflate_font(struct ec_render *r, const unsigned char *prog, size_t len)
{
	size_t glen, pre;
	uLong adler = adler32(1L, prog, (uInt)len);
	unsigned char tail[4] = { (unsigned char)(adler >> 24), (unsigned char)(adler >> 16), (unsigned char)(adler >> 8),
	    (unsigned char)adler };
	int rc;

	ec_font_prep_glyf(r->prep, &glen);
	pre = EC_FONT_DIR + glen;
	ec_buf_reset(&r->tmp);
	/* CMF 0x78 (deflate, 32 KB window), FLG 0x9C (default level, no dictionary, check bits). */
	ec_buf_add(&r->tmp, "\x78\x9c", 2);
	if (deflateReset(&r->z[ZS_FONT]) != Z_OK)
		return EC_ERR_NOMEM;
	if ((rc = raw_part(r, prog, EC_FONT_DIR, Z_SYNC_FLUSH)) != 0)
		return rc;
	ec_buf_add(&r->tmp, r->prep_z, r->prep_zlen);
	if (deflateReset(&r->z[ZS_FONT]) != Z_OK)
		return EC_ERR_NOMEM;
	if ((rc = raw_part(r, prog + pre, len - pre, Z_FINISH)) != 0)
		return rc;
	ec_buf_add(&r->tmp, tail, 4);
	return r->tmp.err ? EC_ERR_NOMEM : 0;
}

/* A stream object whose compressed data is in r->tmp: dict entries, then /Length and /Filter. */
static void
put_stream(struct ec_render *r, unsigned n, const char *dict)
{
	obj(r, n);
	put(&r->pdf, "<<");
	put(&r->pdf, dict);
	put(&r->pdf, "/Length ");
	put_uint(&r->pdf, r->tmp.len);
	put(&r->pdf, "/Filter/FlateDecode>>stream\n");
	ec_buf_add(&r->pdf, r->tmp.p, r->tmp.len);
	put(&r->pdf, "\nendstream\nendobj\n");
}

/* A stream object: dict entries (without /Length and /Filter), then data deflated with stream zs. */
static int
stream_obj(struct ec_render *r, unsigned n, const char *dict, int zs, const void *data, size_t len)
{
	int rc;

	if ((rc = deflate_tmp(r, zs, data, len)) != 0)
		return rc;
	put_stream(r, n, dict);
	return 0;
}

/* One byte inside a literal string: ( ) \\ escaped, and CR, which a reader would turn into LF. */
static void
put_lit(struct ec_buf *b, unsigned char c)
{
	if (c == '(' || c == ')' || c == '\\')
		ec_buf_addc(b, '\\');
	if (c == '\r') {
		put(b, "\\r");
		return;
	}
	ec_buf_addc(b, (char)c);
}

/*
 * A PDF string: literal when printable ASCII without ( ) \\, so that no value ever shows up in the
 * file as anything that reads like syntax. Otherwise utf16 (a text string): UTF-16BE with its byte
 * order mark, as a literal string of those bytes (half the size of hex); else hex.
 */
static void
put_string(struct ec_buf *b, const char *s, int utf16)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(s), i = 0;
	int plain = 1;

	for (size_t k = 0; k < len; k++)
		plain &= s[k] >= 0x20 && s[k] < 0x7f && s[k] != '(' && s[k] != ')' && s[k] != '\\';
	if (plain) {
		ec_buf_addc(b, '(');
		ec_buf_add(b, s, len);
		ec_buf_addc(b, ')');
		return;
	}
	if (!utf16) {
		ec_buf_addc(b, '<');
		for (size_t k = 0; k < len; k++) {
			ec_buf_addc(b, hex[(unsigned char)s[k] >> 4]);
			ec_buf_addc(b, hex[(unsigned char)s[k] & 15]);
		}
		ec_buf_addc(b, '>');
		return;
	}
	put(b, "(\xfe\xff");
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);

		if (n <= 0)
			break;
		i += (size_t)n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			put_lit(b, (unsigned char)(0xd8 | (cp >> 18)));
			put_lit(b, (unsigned char)(cp >> 10));
			cp = 0xdc00 | (cp & 0x3ff);
		}
		put_lit(b, (unsigned char)(cp >> 8));
		put_lit(b, (unsigned char)cp);
	}
	ec_buf_addc(b, ')');
}

/* ---- The content stream. */

static void
set_rgb(struct ec_buf *b, double *cur, const struct ec_tpl_rgb *c, const char *op)
{
	if (cur[0] == c->r && cur[1] == c->g && cur[2] == c->b)
		return;
	cur[0] = c->r;
	cur[1] = c->g;
	cur[2] = c->b;
	put_num(b, c->r, 4);
	put_num(b, c->g, 4);
	put_num(b, c->b, 4);
	put(b, op);
}

static void
draw_shape(struct ec_buf *b, struct gstate *g, const struct ec_tpl_item *it)
{
	if (it->stroke) {
		set_rgb(b, g->stroke, &it->stroke_rgb, "RG\n");
		if (g->lw != it->width) {
			g->lw = it->width;
			put_num(b, it->width, 3);
			put(b, "w\n");
		}
	}
	if (it->fill)
		set_rgb(b, g->fill, &it->fill_rgb, "rg\n");
	put_num(b, it->x, 2);
	put_num(b, it->y, 2);
	if (it->kind == EC_TPL_LINE) {
		put(b, "m ");
		put_num(b, it->x + it->w, 2);
		put_num(b, it->y + it->h, 2);
		put(b, "l S\n");
		return;
	}
	put_num(b, it->w, 2);
	put_num(b, it->h, 2);
	put(b, it->stroke && it->fill ? "re B\n" : it->fill ? "re f\n" : "re S\n");
}

/* Where cp sits among list[lo..hi), which holds it, ascending. */
static size_t
rank(const struct ec_glyph *list, size_t lo, size_t hi, uint32_t cp)
{
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (list[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The CID of cp in font k: a fixed character's or this document's. */
static unsigned
cid(const struct ec_render *r, unsigned k, uint32_t cp)
{
	if (r->is_fixed[k][cp >> 6] & ((uint64_t)1 << (cp & 63)))
		return (unsigned)rank(r->fixed, r->fbase[k], r->fbase[k] + r->fcount[k], cp) + 1;
	return (unsigned)(r->first_var + rank(r->glyphs, r->base[k], r->base[k] + r->count[k], cp));
}

/*
 * One BT/ET per text item: a Td to its start and one Tj; every font file's glyphs are in the one
 * font, whose /W widths move the pen as the layout measured.
 */
static void
draw_text(struct ec_render *r, struct gstate *g, const struct ec_tpl_item *it, const struct layout *l)
{
	struct ec_buf *b = &r->content;

	put(b, "BT\n");
	set_rgb(b, g->fill, &it->colour, "rg\n");
	if (g->tc != it->spacing) {
		g->tc = it->spacing;
		put_num(b, it->spacing, 3);
		put(b, "Tc\n");
	}
	if (g->size != l->size) {
		g->size = l->size;
		put(b, "/F0 ");
		put_num(b, l->size, 2);
		put(b, "Tf\n");
	}
	put_num(b, l->x, 2);
	put_num(b, l->y, 2);
	put(b, "Td\n<");
	for (size_t i = 0; i < l->n; i++)
		put_hex4(b, cid(r, l->font[i], l->cp[i]));
	put(b, ">Tj\n");
	put(b, "ET\n");
}

/*
 * The QR code as vectors, compactly: every row's dark runs are the dashes of one stroked line,
 * one module wide, through the row's centre. The rows form one serpentine path whose turns lie in
 * the quiet zone, in gaps of the dash pattern, so the whole symbol is a single stroke: no seams
 * between rows, no joins drawn, and each run costs one small integer. Module units, y down.
 */
static void
draw_qr(struct ec_render *r, const struct ec_tpl_item *it, const struct ec_qr *q)
{
	struct ec_buf *b = &r->content;
	double m = it->w / (q->width + 2 * QUIET);
	int wd = q->width, n = 0, lead;
	unsigned total = 0;

	/* Lengths along the path, alternating light and dark, starting light (the margin). */
	for (int y = 0; y < wd; y++) {
		int ltr = y % 2 == 0;

		for (int i = -1; i <= wd; i++) {
			int x = ltr ? i : wd - 1 - i, dark = x >= 0 && x < wd && q->dark[y * wd + x];

			if (n == 0 || dark != (n - 1) % 2)
				r->dash[n++] = 0;
			r->dash[n - 1]++;
		}
		/* Down to the next row: part of the gap. */
		if (y + 1 < wd)
			r->dash[n - 1]++;
	}
	/*
	 * Entry 0 is the margin's gap, entry 1 the first dark run. A dash pattern starts with a dash:
	 * start it at entry 1, wrap the leading gap round to the last one and begin that far before.
	 */
	lead = r->dash[0];
	r->dash[n - 1] += (unsigned short)lead;
	for (int i = 1; i < n; i++)
		total += r->dash[i];
	put(b, "q\n");
	put_num(b, m, 4);
	put(b, "0 0 ");
	put_num(b, -m, 4);
	put_num(b, it->x + QUIET * m, 3);
	put_num(b, it->y + it->h - (QUIET + 0.5) * m, 3);
	put(b, "cm\n");
	put_num(b, it->colour.r, 4);
	put_num(b, it->colour.g, 4);
	put_num(b, it->colour.b, 4);
	put(b, "RG\n1 w 0 J\n[");
	for (int i = 1; i < n; i++) {
		put_uint(b, r->dash[i]);
		if (i + 1 < n)
			ec_buf_addc(b, ' ');
	}
	put(b, "]");
	put_uint(b, total - (unsigned)lead);
	put(b, " d\n-1 0 m\n");
	for (int y = 0; y < wd; y++) {
		int end = y % 2 == 0 ? wd + 1 : -1;

		put_num(b, end, 0);
		put_uint(b, (unsigned)y);
		put(b, " l\n");
		if (y + 1 < wd) {
			put_num(b, end, 0);
			put_uint(b, (unsigned)y + 1);
			put(b, " l\n");
		}
	}
	put(b, "S\nQ\n");
}

static void
draw_image(struct ec_buf *b, const struct ec_tpl_item *it, const struct image *im, unsigned idx)
{
	/* Fit inside the box, keep the aspect ratio, centre. */
	double s = fmin(it->w / im->w, it->h / im->h), w = im->w * s, h = im->h * s;

	put(b, "q\n");
	put_num(b, w, 3);
	put(b, "0 0 ");
	put_num(b, h, 3);
	put_num(b, it->x + (it->w - w) / 2, 3);
	put_num(b, it->y + (it->h - h) / 2, 3);
	put(b, "cm\n/Im");
	put_uint(b, idx);
	put(b, " Do\nQ\n");
}

/* ---- The font: five objects. */

static uint64_t
hash_glyphs(const struct ec_render *r, uint64_t h, const struct ec_glyph *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || g[i].font != g[i - 1].font)
			for (const char *c = ec_font_metrics(r->f, g[i].font)->psname; *c != '\0'; c++)
				h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		for (int k = 0; k < 3; k++)
			h = (h ^ ((g[i].cp >> (8 * k)) & 0xff)) * 1099511628211ULL;
	}
	return h;
}

/*
 * ABCDEF+Name1_Name2...: a subset tag of six capitals from a hash of the glyph set (font files and
 * characters, so stable on every run and machine), then the PostScript names of the files merged.
 */
static void
font_name(const struct ec_render *r, char *out, size_t outsz)
{
	uint64_t h = hash_glyphs(r, hash_glyphs(r, 1469598103934665603ULL, r->fixed, r->nfixed), r->glyphs, r->nglyphs);
	size_t o = 7;

	for (int i = 0; i < 6; i++) {
		out[i] = (char)('A' + h % 26);
		h /= 26;
	}
	out[6] = '+';
	for (unsigned k = 0; k < FONTS_MAX; k++)
		if (r->fcount[k] + r->count[k] > 0) {
			const char *ps = ec_font_metrics(r->f, k)->psname;

			if (o > 7 && o + 1 < outsz)
				out[o++] = '_';
			for (; *ps != '\0' && o + 1 < outsz; ps++)
				out[o++] = *ps;
		}
	out[o] = '\0';
}

/*
 * ToUnicode entries for CIDs cid0, cid0 + 1, ... showing g[0..n): ranges where CIDs and code points
 * both rise by one (without carrying out of the low byte), else single codes; 100 a section.
 */
static void
to_unicode(struct ec_buf *b, const struct ec_glyph *g, size_t n, size_t cid0)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i, k = 0, start = b->len;
		char head[8];

		/* The count is written in front once known. */
		put(b, "000 beginbfrange\n");
		while (j < n && k < 100) {
			size_t e = j;

			while (e + 1 < n && g[e + 1].cp == g[e].cp + 1 && ((cid0 + e + 1) & 0xff) != 0 &&
			    (g[e + 1].cp & 0xff) != 0)
				e++;
			ec_buf_addc(b, '<');
			put_hex4(b, (unsigned)(cid0 + j));
			put(b, "><");
			put_hex4(b, (unsigned)(cid0 + e));
			put(b, "><");
			put_hex4(b, g[j].cp);
			put(b, ">\n");
			k++;
			j = e + 1;
		}
		put(b, "endbfrange\n");
		snprintf(head, sizeof(head), "%03zu", k);
		if (!b->err)
			memcpy(b->p + start, head, 3);
		i = j;
	}
}

/*
 * /W entries for CIDs cid0, cid0 + 1, ... showing g[0..n): "first last width" for a run of four or
 * more equal widths (the digits, mostly), "first [w w ...]" for the rest.
 */
static void
put_widths(struct ec_render *r, const struct ec_glyph *g, size_t n, size_t cid0)
{
	struct ec_buf *b = &r->pdf;
	size_t i = 0;

	while (i < n) {
		unsigned w = ec_font_advance(r->f, g[i].font, g[i].cp);
		size_t j = i + 1;

		while (j < n && ec_font_advance(r->f, g[j].font, g[j].cp) == w)
			j++;
		if (j - i >= 4) {
			put_uint(b, cid0 + i);
			ec_buf_addc(b, ' ');
			put_uint(b, cid0 + j - 1);
			ec_buf_addc(b, ' ');
			put_uint(b, w);
			ec_buf_addc(b, ' ');
			i = j;
			continue;
		}
		/* An array up to the next run of four. */
		put_uint(b, cid0 + i);
		ec_buf_addc(b, '[');
		for (j = i; j < n; j++) {
			size_t k = j + 1;
			unsigned wj = ec_font_advance(r->f, g[j].font, g[j].cp);

			while (k < n && k < j + 4 && ec_font_advance(r->f, g[k].font, g[k].cp) == wj)
				k++;
			if (k - j >= 4)
				break;
			if (j > i)
				ec_buf_addc(b, ' ');
			put_uint(b, wj);
		}
		put(b, "]");
		i = j;
	}
}

/* The document's one font: Type 0, CIDFontType2 with its widths, descriptor, program, ToUnicode. */
static int
write_font(struct ec_render *r)
{
	struct ec_buf *b = &r->pdf;
	const struct ec_font_metrics *first = NULL;
	unsigned char *prog = NULL;
	size_t plen = 0;
	char name[72], dict[48];
	int bbox[4] = { 0, 0, 0, 0 }, ascent = 0, descent = 0, rc;

	font_name(r, name, sizeof(name));
	/* The descriptor describes the union of the font files merged; the first sets style figures. */
	for (unsigned k = 0; k < FONTS_MAX; k++)
		if (r->fcount[k] + r->count[k] > 0) {
			const struct ec_font_metrics *m = ec_font_metrics(r->f, k);

			if (first == NULL)
				first = m;
			for (int i = 0; i < 2; i++) {
				bbox[i] = m->bbox[i] < bbox[i] ? m->bbox[i] : bbox[i];
				bbox[i + 2] = m->bbox[i + 2] > bbox[i + 2] ? m->bbox[i + 2] : bbox[i + 2];
			}
			ascent = m->ascent > ascent ? m->ascent : ascent;
			descent = m->descent < descent ? m->descent : descent;
		}
	if (first == NULL)
		first = ec_font_metrics(r->f, 0);
	obj(r, O_FONT);
	put(b, "<</Type/Font/Subtype/Type0/BaseFont/");
	put(b, name);
	put(b, "/Encoding/Identity-H/DescendantFonts[9 0 R]/ToUnicode 12 0 R>>\nendobj\n");

	obj(r, O_CIDFONT);
	put(b, "<</Type/Font/Subtype/CIDFontType2/BaseFont/");
	put(b, name);
	put(b, "/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/FontDescriptor 10 0 R"
	    "/CIDToGIDMap/Identity/DW 0/W[");
	put_widths(r, r->fixed, r->nfixed, 1);
	put_widths(r, r->glyphs, r->nglyphs, r->first_var);
	put(b, "]>>\nendobj\n");

	obj(r, O_DESCRIPTOR);
	put(b, "<</Type/FontDescriptor/FontName/");
	put(b, name);
	put(b, "/Flags 4/FontBBox[");
	for (int i = 0; i < 4; i++)
		put_num(b, bbox[i], 0);
	put(b, "]/ItalicAngle ");
	put_num(b, first->italic_angle, 0);
	put(b, "/Ascent ");
	put_num(b, ascent, 0);
	put(b, "/Descent ");
	put_num(b, descent, 0);
	put(b, "/CapHeight ");
	put_num(b, first->cap_height, 0);
	put(b, "/StemV ");
	put_num(b, first->stem_v, 0);
	put(b, "/FontFile2 11 0 R>>\nendobj\n");

	if ((rc = ec_font_subset(r->f, r->prep, r->glyphs, r->nglyphs, &prog, &plen)) != 0)
		return rc;
	rc = deflate_font(r, prog, plen);
	free(prog);
	if (rc != 0)
		return rc;
	snprintf(dict, sizeof(dict), "/Length1 %zu", plen);
	put_stream(r, O_FONTFILE, dict);

	ec_buf_reset(&r->content);
	put(&r->content, "/CIDInit/ProcSet findresource begin\n12 dict begin\nbegincmap\n"
	    "/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def\n"
	    "/CMapName/Adobe-Identity-UCS def\n/CMapType 2 def\n"
	    "1 begincodespacerange\n<0000><FFFF>\nendcodespacerange\n");
	to_unicode(&r->content, r->fixed, r->nfixed, 1);
	to_unicode(&r->content, r->glyphs, r->nglyphs, r->first_var);
	put(&r->content, "endcmap\nCMapName currentdict/CMap defineresource pop\nend\nend\n");
	if (r->content.err)
		return EC_ERR_NOMEM;
	return stream_obj(r, O_TOUNICODE, "", ZS_SMALL, r->content.p, r->content.len);
}

/* ---- The document. */

static int
write_info(struct ec_render *r, const struct ec_ecert *e, const char *org, const char *numdisp,
    const char *qr_payload)
{
	struct ec_buf *b = &r->pdf;
	struct tm tm;
	time_t t = (time_t)e->issued_at;
	char title[EC_NAME_MAX_BYTES + EC_CODE_MAX + 8], subject[EC_NUMBER_DISPLAY + 16], date[72];

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
		return ec_err_set(EC_ERR_ARG, "issued_at %lld is out of range", (long long)e->issued_at);
	snprintf(date, sizeof(date), "(D:%04d%02d%02d%02d%02d%02dZ)", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec > 59 ? 59 : tm.tm_sec);
	snprintf(title, sizeof(title), "%s - %s", e->name, e->code);
	snprintf(subject, sizeof(subject), "e-Cert %s", numdisp);
	obj(r, O_INFO);
	put(b, "<</Title");
	put_string(b, title, 1);
	put(b, "/Subject");
	put_string(b, subject, 1);
	put(b, "/Author");
	put_string(b, org, 1);
	put(b, "/Creator(ecert)/Producer(ecert " EC_VERSION ")/CreationDate");
	put(b, date);
	/* The signed token with the e-Cert, so an offline check can compare the two. */
	put(b, "/ECertQR");
	put_string(b, qr_payload, 0);
	put(b, ">>\nendobj\n");
	return 0;
}

/* Append the code points of font k this document uses beyond the fixed ones, ascending, to the glyph list. */
static void
collect(struct ec_render *r, unsigned k)
{
	r->base[k] = r->nglyphs;
	for (unsigned w = 0; w < 65536 / 64; w++)
		for (uint64_t bits = r->used[k][w] & ~r->is_fixed[k][w]; bits != 0; bits &= bits - 1) {
			r->glyphs[r->nglyphs].font = k;
			r->glyphs[r->nglyphs++].cp = w * 64 + (unsigned)__builtin_ctzll(bits);
		}
	r->count[k] = r->nglyphs - r->base[k];
}

/* Forget this document's characters: the next one starts clean. */
static void
forget(struct ec_render *r)
{
	for (unsigned k = 0; k < FONTS_MAX; k++) {
		if (r->any[k])
			memset(r->used[k], 0, sizeof(r->used[k]));
		r->any[k] = 0;
		r->count[k] = 0;
	}
	r->nglyphs = 0;
}

int
ec_render_pdf(struct ec_render *r, const struct ec_ecert *e, const char *org, const char *qr_payload,
    const char *url, const unsigned char *der, size_t derlen, unsigned char **pdf, size_t *len)
{
	const struct ec_template *t = r->t;
	struct ec_qr q = { 0, 0, NULL };
	struct ec_tpl_values v;
	struct gstate g = { { 0, 0, 0 }, { 0, 0, 0 }, 1, 0, 0 };
	struct ec_buf *b = &r->pdf;
	char numdisp[EC_NUMBER_DISPLAY + 1], eff[11], exp[11], fname[EC_NUMBER_DIGITS + 5], dict[128], key[2048];
	size_t xref, k0;
	int rc;

	*pdf = NULL;
	*len = 0;
	if (strlen(e->number) != EC_NUMBER_DIGITS || strspn(e->number, "0123456789") != EC_NUMBER_DIGITS)
		return ec_err_set(EC_ERR_SYNTAX, "certificate number '%s' is not %d digits", e->number, EC_NUMBER_DIGITS);
	if ((rc = check_value("holder name", e->name, EC_NAME_MAX_BYTES)) != 0 ||
	    (rc = check_value("certification title", e->title, EC_TITLE_MAX)) != 0 ||
	    (rc = check_value("certification code", e->code, EC_CODE_MAX)) != 0 ||
	    (rc = check_value("organisation name", org, 512)) != 0 ||
	    (rc = check_value("verification url", url, 512)) != 0)
		return rc;
	if (der == NULL || derlen == 0)
		return ec_err_set(EC_ERR_ARG, "no e-Cert to attach");
	if (derlen > EC_PDF_DER_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "e-Cert of %zu bytes is over %d", derlen, EC_PDF_DER_MAX);
	if ((rc = ec_qr_encode(qr_payload, strlen(qr_payload), &q)) != 0)
		return rc;
	ec_number_display(e->number, numdisp);
	ec_date_format(e->effective, eff);
	ec_date_format(e->expires, exp);
	v.name = e->name, v.title = e->title, v.code = e->code, v.number = numdisp;
	v.effective = eff, v.expires = exp, v.url = url, v.org = org;
	/*
	 * The URL ends in the number: the {url} fonts have every digit prepared anyway, so its digits do
	 * not count. Digits elsewhere (a title "Level 2") go to fonts that do not, so they do.
	 */
	k0 = (size_t)snprintf(key, sizeof(key), "%s%c%s%c%s%c", org, 0x1f, e->title, 0x1f, e->code, 0x1f);
	if (k0 < sizeof(key)) {
		snprintf(key + k0, sizeof(key) - k0, "%s", url);
		for (char *c = key + k0; *c != '\0'; c++)
			if (*c >= '1' && *c <= '9')
				*c = '0';
	}
	if ((r->prep == NULL || strcmp(key, r->prep_key) != 0) && (rc = prepare_fixed(r, &v, key)) != 0)
		goto out;
	/* Lay out every text first: the fonts must know all their characters before anything is written. */
	for (unsigned i = 0, k = 0; i < t->nitems; i++) {
		if (t->items[i].kind != EC_TPL_TEXT)
			continue;
		if ((rc = ec_template_expand(t->items[i].text, &v, r->l[k].text, sizeof(r->l[k].text))) != 0 ||
		    (rc = layout(r, &t->items[i], &r->l[k])) != 0)
			goto out;
		k++;
	}
	for (unsigned k = 0; k < ec_fonts_count(r->f); k++)
		if (r->any[k])
			collect(r, k);
	r->nobj = O_FIRST_IMAGE;
	for (unsigned i = 0; i < t->nitems; i++)
		if (r->img[i] != NULL) {
			r->obj_img[i] = r->nobj;
			r->nobj += r->img[i]->smask != NULL ? 2 : 1;
		}

	/* The page's content. */
	ec_buf_reset(&r->content);
	for (unsigned i = 0, k = 0; i < t->nitems; i++) {
		const struct ec_tpl_item *it = &t->items[i];

		switch (it->kind) {
		case EC_TPL_RECT:
		case EC_TPL_LINE:
			draw_shape(&r->content, &g, it);
			break;
		case EC_TPL_TEXT:
			if (r->l[k].n > 0)
				draw_text(r, &g, it, &r->l[k]);
			k++;
			break;
		case EC_TPL_QR:
			draw_qr(r, it, &q);
			break;
		case EC_TPL_IMAGE:
			draw_image(&r->content, it, r->img[i], i);
			break;
		}
	}
	if (r->content.err) {
		rc = EC_ERR_NOMEM;
		goto out;
	}

	ec_buf_reset(b);
	/* A binary comment after the header marks the file as binary for transfer programs. */
	put(b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
	snprintf(fname, sizeof(fname), "%s.der", e->number);
	obj(r, O_CATALOG);
	put(b, "<</Type/Catalog/Pages 2 0 R/Names<</EmbeddedFiles<</Names[");
	put_string(b, fname, 0);
	ref(b, O_FILESPEC);
	put(b, "]>>>>>>\nendobj\n");
	obj(r, O_PAGES);
	put(b, "<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n");
	obj(r, O_PAGE);
	put(b, "<</Type/Page/Parent 2 0 R/MediaBox[0 0 ");
	put_num(b, t->page_w, 2);
	put_num(b, t->page_h, 2);
	put(b, "]/Resources<</Font<</F0 8 0 R>>");
	for (unsigned i = 0, nimg = 0; i < t->nitems; i++)
		if (r->img[i] != NULL) {
			put(b, nimg++ == 0 ? "/XObject<</Im" : "/Im");
			put_uint(b, i);
			ec_buf_addc(b, ' ');
			ref(b, r->obj_img[i]);
			if (i + 1 == r->last_img)
				put(b, ">>");
		}
	put(b, ">>/Contents 4 0 R>>\nendobj\n");
	if ((rc = stream_obj(r, O_CONTENT, "", ZS_PAGE, r->content.p, r->content.len)) != 0 ||
	    (rc = write_info(r, e, org, numdisp, qr_payload)) != 0)
		goto out;
	obj(r, O_FILESPEC);
	put(b, "<< /Type /Filespec /F ");
	put_string(b, fname, 0);
	put(b, " /UF ");
	put_string(b, fname, 0);
	put(b, " /Desc (The signed e-Cert, X.509 DER) /EF << /F 7 0 R >> >>\nendobj\n");
	/* The attachment's dictionaries in the conventional spaced style that simple PDF tools grep for. */
	snprintf(dict, sizeof(dict), " /Type /EmbeddedFile /Subtype /application#2Fpkix-cert /Params << /Size %zu >> ", derlen);
	if ((rc = stream_obj(r, O_FILE, dict, ZS_SMALL, der, derlen)) != 0)
		goto out;
	if ((rc = write_font(r)) != 0)
		goto out;
	for (unsigned i = 0; i < t->nitems; i++) {
		const struct image *im = r->img[i];

		if (im == NULL)
			continue;
		obj(r, r->obj_img[i]);
		put(b, "<<");
		put(b, im->dict);
		if (im->smask != NULL) {
			put(b, "/SMask ");
			ref(b, r->obj_img[i] + 1);
		}
		put(b, "/Length ");
		put_uint(b, im->len);
		put(b, ">>stream\n");
		ec_buf_add(b, im->data, im->len);
		put(b, "\nendstream\nendobj\n");
		if (im->smask != NULL) {
			obj(r, r->obj_img[i] + 1);
			put(b, "<</Type/XObject/Subtype/Image/Width ");
			put_uint(b, im->w);
			put(b, "/Height ");
			put_uint(b, im->h);
			put(b, "/ColorSpace/DeviceGray/BitsPerComponent 8/Filter/FlateDecode/Length ");
			put_uint(b, im->smask_len);
			put(b, ">>stream\n");
			ec_buf_add(b, im->smask, im->smask_len);
			put(b, "\nendstream\nendobj\n");
		}
	}

	/* Classic cross-reference table: 20 bytes per entry. */
	xref = b->len;
	put(b, "xref\n0 ");
	put_uint(b, r->nobj);
	put(b, "\n0000000000 65535 f \n");
	for (unsigned n = 1; n < r->nobj; n++) {
		char ent[21];

		snprintf(ent, sizeof(ent), "%010zu 00000 n \n", r->off[n]);
		ec_buf_add(b, ent, 20);
	}
	put(b, "trailer\n<</Size ");
	put_uint(b, r->nobj);
	put(b, "/Root 1 0 R/Info 5 0 R>>\nstartxref\n");
	put_uint(b, xref);
	put(b, "\n%%EOF\n");
	if (b->err) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	if ((*pdf = malloc(b->len)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	memcpy(*pdf, b->p, b->len);
	*len = b->len;
	rc = 0;
out:
	forget(r);
	ec_qr_free(&q);
	return rc;
}
