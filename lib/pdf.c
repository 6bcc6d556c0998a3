/* PDF e-Cert rendering with libharu: per-document font subsets, vector QR, attached DER, fixed dates. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hpdf.h>
#include <hpdf_catalog.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_namedict.h>
#include <utf8proc.h>

#include "date.h"
#include "err.h"
#include "number.h"
#include "pdf.h"
#include "qr.h"

#define FONTS_MAX (EC_TPL_FAMILIES * EC_TPL_CHAIN)
#define TEXT_MAX 1024            /* bytes of one expanded text item */
#define IMAGE_MAX (4 * 1024 * 1024)
#define CAP_CENTRE 0.36          /* half the cap height, in ems: text is centred on it */
#define QUIET 4                  /* QR quiet zone, in modules */

struct image {
	unsigned char *data;
	size_t len;
	int png;
};

struct ec_render {
	const struct ec_template *t;
	const struct ec_fonts *f;
	HPDF_Doc pdf;
	struct image img[EC_TPL_ITEMS];
	/* Per document: the BMP code points each font file must cover, and the libharu objects. */
	uint64_t used[FONTS_MAX][65536 / 64];
	int any[FONTS_MAX];
	HPDF_FontDef defs[FONTS_MAX];
	HPDF_Font fonts[FONTS_MAX];
	unsigned ndefs;
	uint32_t cps[65536];
};

/* One laid-out text item. */
struct layout {
	char text[TEXT_MAX];
	size_t n;
	uint32_t cp[TEXT_MAX];
	unsigned short font[TEXT_MAX];
	unsigned short off[TEXT_MAX + 1];   /* byte offset of each code point, plus the end */
	unsigned adv[TEXT_MAX];
	double size, x, y;
};

static int
read_image(const char *path, struct image *im)
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
	if (len >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0) {
		im->png = 1;
	} else if (len >= 3 && memcmp(buf, "\xff\xd8\xff", 3) == 0) {
		im->png = 0;
	} else {
		rc = ec_err_set(EC_ERR_SYNTAX, "image '%s' is neither PNG nor JPEG", path);
		goto out;
	}
	/* Keep only what was read, not the bound. */
	im->data = realloc(buf, len);
	if (im->data == NULL)
		im->data = buf;
	im->len = len;
	buf = NULL;
	rc = 0;
out:
	close(fd);
	free(buf);
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
	for (unsigned i = 0; i < t->nitems; i++)
		if (t->items[i].kind == EC_TPL_IMAGE && (rc = read_image(t->items[i].path, &r->img[i])) != 0)
			goto out;
	if ((r->pdf = HPDF_New(NULL, NULL)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	if (HPDF_UseUTFEncodings(r->pdf) != HPDF_OK ||
	    HPDF_SetCompressionMode(r->pdf, HPDF_COMP_ALL) != HPDF_OK) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "libharu cannot set up a document (error 0x%04lX)",
		    (unsigned long)HPDF_GetError(r->pdf));
		goto out;
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
	if (r->pdf != NULL)
		HPDF_Free(r->pdf);
	for (unsigned i = 0; i < EC_TPL_ITEMS; i++)
		free(r->img[i].data);
	free(r);
}

static int
harufail(struct ec_render *r, const char *what)
{
	HPDF_STATUS st = HPDF_GetError(r->pdf);

	if (st == HPDF_FAILD_TO_ALLOC_MEM)
		return EC_ERR_NOMEM;
	return ec_err_set(EC_ERR_UNSUPPORTED, "libharu failed to %s (error 0x%04lX, detail %lu)", what,
	    (unsigned long)st, (unsigned long)HPDF_GetErrorDetail(r->pdf));
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
		l->font[l->n] = (unsigned short)font;
		l->off[l->n] = (unsigned short)i;
		l->adv[l->n] = ec_font_advance(r->f, (unsigned)font, (uint32_t)cp);
		sum += l->adv[l->n];
		l->n++;
		i += (size_t)k;
	}
	l->off[l->n] = (unsigned short)len;
	if (l->n == 0)
		return 0;
	/* Letter spacing follows every character but the last, as the eye measures it. */
	l->size = it->size;
	width = sum * l->size / 1000 + sp * (double)(l->n - 1);
	if (width > it->w) {
		double s = (it->w - sp * (double)(l->n - 1)) * 1000 / sum;

		s = floor(s * 10) / 10;
		if (s < it->min)
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

/* Six capital letters from a hash of the subset, so the tag is stable across runs and unique per subset. */
static void
make_tag(const unsigned char *data, size_t len, unsigned salt, char tag[7])
{
	uint64_t h = 1469598103934665603ULL ^ salt;

	for (size_t i = 0; i < len; i++)
		h = (h ^ data[i]) * 1099511628211ULL;
	for (int i = 0; i < 6; i++) {
		tag[i] = (char)('A' + h % 26);
		h /= 26;
	}
	tag[6] = '\0';
}

/*
 * libharu's ToUnicode CMap for UTF-8 text is malformed (poppler warns "Invalid 'begincidrange'")
 * and covers every code; write a valid one listing the n characters in r->cps instead. With
 * the UTF-8 encoder and Identity-H a character's CID is its code point.
 */
static int
to_unicode(struct ec_render *r, HPDF_Font font, size_t n)
{
	HPDF_Dict cmap = ((HPDF_FontAttr)font->attr)->cmap_stream;
	HPDF_Stream s;
	char line[32];
	HPDF_STATUS st = 0;

	if (cmap == NULL || (s = HPDF_MemStream_New(r->pdf->mmgr, 2048)) == NULL)
		return harufail(r, "create a ToUnicode map");
	HPDF_Stream_Free(cmap->stream);
	cmap->stream = s;
	st += HPDF_Stream_WriteStr(s, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
	    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
	    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
	    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	for (size_t i = 0; i < n; i += 100) {
		size_t m = n - i < 100 ? n - i : 100;

		snprintf(line, sizeof(line), "%zu beginbfchar\n", m);
		st += HPDF_Stream_WriteStr(s, line);
		for (size_t j = i; j < i + m; j++) {
			snprintf(line, sizeof(line), "<%04X> <%04X>\n", (unsigned)r->cps[j], (unsigned)r->cps[j]);
			st += HPDF_Stream_WriteStr(s, line);
		}
		st += HPDF_Stream_WriteStr(s, "endbfchar\n");
	}
	st += HPDF_Stream_WriteStr(s, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	if (st != HPDF_OK)
		return harufail(r, "write a ToUnicode map");
	return 0;
}

/*
 * Subset font k to this document's code points and register it with libharu from memory. The
 * subset's PostScript name gets a tag ("ABCDEF+DejaVuSans") that also serves as its lookup key,
 * since libharu would silently reuse an earlier font of the same name.
 */
static int
load_font(struct ec_render *r, unsigned k)
{
	HPDF_Doc pdf = r->pdf;
	unsigned char *data = NULL;
	size_t n = 0, len;
	HPDF_Stream s;
	HPDF_FontDef def;
	HPDF_TTFontDefAttr attr;
	char tag[7];
	int rc;

	for (unsigned w = 0; w < 65536 / 64; w++)
		for (uint64_t bits = r->used[k][w]; bits != 0; bits &= bits - 1)
			r->cps[n++] = w * 64 + (unsigned)__builtin_ctzll(bits);
	if ((rc = ec_font_subset(r->f, k, r->cps, n, &data, &len)) != 0)
		return rc;
	if (len > UINT32_MAX / 2) {
		rc = ec_err_set(EC_ERR_TOOBIG, "subset of font '%s' is too large", ec_font_path(r->f, k));
		goto out;
	}
	/* One byte of slack: libharu misreads a memory stream whose data exactly fills its buffer. */
	if ((s = HPDF_MemStream_New(pdf->mmgr, (HPDF_UINT)len + 1)) == NULL) {
		rc = harufail(r, "allocate a font stream");
		goto out;
	}
	if (HPDF_Stream_Write(s, data, (HPDF_UINT)len) != HPDF_OK) {
		HPDF_Stream_Free(s);
		rc = harufail(r, "buffer a font");
		goto out;
	}
	/* TTFontDef_Load owns s from here, on failure too. */
	if ((def = HPDF_TTFontDef_Load(pdf->mmgr, s, HPDF_TRUE)) == NULL) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "libharu cannot load the subset of font '%s' (error 0x%04lX)",
		    ec_font_path(r->f, k), (unsigned long)HPDF_GetError(pdf));
		goto out;
	}
	attr = (HPDF_TTFontDefAttr)def->attr;
	/*
	 * libharu copies only the glyphs it saw used and misses the components of composite glyphs
	 * (the marks of "ễ" vanish); the subset holds exactly the glyphs needed, so keep them all.
	 */
	memset(attr->glyph_tbl.flgs, 1, attr->num_glyphs);
	for (unsigned salt = k;; salt += FONTS_MAX) {
		make_tag(data, len, salt, tag);
		HPDF_TTFontDef_SetTagName(def, tag);
		if (HPDF_Doc_FindFontDef(pdf, attr->base_font) == NULL)
			break;
		memcpy(attr->base_font, def->base_font, sizeof(attr->base_font));
	}
	memcpy(def->base_font, attr->base_font, sizeof(def->base_font));
	if (HPDF_List_Add(pdf->fontdef_list, def) != HPDF_OK) {
		HPDF_FontDef_Free(def);
		rc = harufail(r, "register a font");
		goto out;
	}
	r->defs[r->ndefs++] = def;
	if ((r->fonts[k] = HPDF_GetFont(pdf, def->base_font, "UTF-8")) == NULL) {
		rc = harufail(r, "create a font");
		goto out;
	}
	rc = to_unicode(r, r->fonts[k], n);
out:
	free(data);
	return rc;
}

/* Forget this document's fonts: they are subsets of it alone. */
static void
drop_fonts(struct ec_render *r)
{
	HPDF_FreeDoc(r->pdf);
	for (unsigned i = 0; i < r->ndefs; i++) {
		HPDF_List_Remove(r->pdf->fontdef_list, r->defs[i]);
		HPDF_FontDef_Free(r->defs[i]);
	}
	r->ndefs = 0;
	for (unsigned k = 0; k < FONTS_MAX; k++) {
		if (r->any[k])
			memset(r->used[k], 0, sizeof(r->used[k]));
		r->any[k] = 0;
		r->fonts[k] = NULL;
	}
}

static void
draw_text(struct ec_render *r, HPDF_Page page, const struct ec_tpl_item *it, const struct layout *l)
{
	double x = l->x;
	char run[TEXT_MAX];

	HPDF_Page_BeginText(page);
	HPDF_Page_SetRGBFill(page, (HPDF_REAL)it->colour.r, (HPDF_REAL)it->colour.g, (HPDF_REAL)it->colour.b);
	HPDF_Page_SetCharSpace(page, (HPDF_REAL)it->spacing);
	for (size_t i = 0; i < l->n;) {
		size_t j = i;
		double w = 0;

		while (j < l->n && l->font[j] == l->font[i]) {
			w += l->adv[j] * l->size / 1000 + it->spacing;
			j++;
		}
		memcpy(run, l->text + l->off[i], (size_t)(l->off[j] - l->off[i]));
		run[l->off[j] - l->off[i]] = '\0';
		HPDF_Page_SetFontAndSize(page, r->fonts[l->font[i]], (HPDF_REAL)l->size);
		HPDF_Page_SetTextMatrix(page, 1, 0, 0, 1, (HPDF_REAL)x, (HPDF_REAL)l->y);
		HPDF_Page_ShowText(page, run);
		x += w;
		i = j;
	}
	HPDF_Page_EndText(page);
}

/*
 * Dark modules as rectangles: horizontal runs, merged downwards while the next row repeats them.
 * Drawn in module units under one matrix, so each rectangle is a few small integers.
 */
static void
draw_qr(HPDF_Page page, const struct ec_tpl_item *it, const struct ec_qr *q, unsigned char *done)
{
	double m = it->w / (q->width + 2 * QUIET);
	int wd = q->width;

	memset(done, 0, (size_t)wd * (size_t)wd);
	HPDF_Page_GSave(page);
	HPDF_Page_Concat(page, (HPDF_REAL)m, 0, 0, (HPDF_REAL)-m, (HPDF_REAL)(it->x + QUIET * m),
	    (HPDF_REAL)(it->y + it->h - QUIET * m));
	HPDF_Page_SetRGBFill(page, (HPDF_REAL)it->colour.r, (HPDF_REAL)it->colour.g, (HPDF_REAL)it->colour.b);
	for (int y = 0; y < wd; y++)
		for (int x = 0; x < wd;) {
			int x1 = x, y1 = y + 1;

			if (!q->dark[y * wd + x] || done[y * wd + x]) {
				x++;
				continue;
			}
			while (x1 < wd && q->dark[y * wd + x1] && !done[y * wd + x1])
				x1++;
			for (;; y1++) {
				int same = y1 < wd;

				for (int c = x; same && c < x1; c++)
					same = q->dark[y1 * wd + c] && !done[y1 * wd + c];
				if (same && x > 0 && q->dark[y1 * wd + x - 1] && !done[y1 * wd + x - 1])
					same = 0;
				if (same && x1 < wd && q->dark[y1 * wd + x1])
					same = 0;
				if (!same)
					break;
			}
			for (int yy = y; yy < y1; yy++)
				memset(done + yy * wd + x, 1, (size_t)(x1 - x));
			HPDF_Page_Rectangle(page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)(x1 - x), (HPDF_REAL)(y1 - y));
			x = x1;
		}
	HPDF_Page_Fill(page);
	HPDF_Page_GRestore(page);
}

static void
draw_shape(HPDF_Page page, const struct ec_tpl_item *it)
{
	if (it->stroke) {
		HPDF_Page_SetLineWidth(page, (HPDF_REAL)it->width);
		HPDF_Page_SetRGBStroke(page, (HPDF_REAL)it->stroke_rgb.r, (HPDF_REAL)it->stroke_rgb.g,
		    (HPDF_REAL)it->stroke_rgb.b);
	}
	if (it->fill)
		HPDF_Page_SetRGBFill(page, (HPDF_REAL)it->fill_rgb.r, (HPDF_REAL)it->fill_rgb.g, (HPDF_REAL)it->fill_rgb.b);
	if (it->kind == EC_TPL_LINE) {
		HPDF_Page_MoveTo(page, (HPDF_REAL)it->x, (HPDF_REAL)it->y);
		HPDF_Page_LineTo(page, (HPDF_REAL)(it->x + it->w), (HPDF_REAL)(it->y + it->h));
		HPDF_Page_Stroke(page);
		return;
	}
	HPDF_Page_Rectangle(page, (HPDF_REAL)it->x, (HPDF_REAL)it->y, (HPDF_REAL)it->w, (HPDF_REAL)it->h);
	if (it->stroke && it->fill)
		HPDF_Page_FillStroke(page);
	else if (it->fill)
		HPDF_Page_Fill(page);
	else
		HPDF_Page_Stroke(page);
}

static int
draw_image(struct ec_render *r, HPDF_Page page, const struct ec_tpl_item *it, const struct image *im)
{
	HPDF_Image img = im->png ? HPDF_LoadPngImageFromMem(r->pdf, im->data, (HPDF_UINT)im->len) :
	    HPDF_LoadJpegImageFromMem(r->pdf, im->data, (HPDF_UINT)im->len);
	double iw, ih, s, w, h;

	if (img == NULL)
		return ec_err_set(EC_ERR_UNSUPPORTED, "libharu cannot load image '%s' (error 0x%04lX)", it->path,
		    (unsigned long)HPDF_GetError(r->pdf));
	iw = HPDF_Image_GetWidth(img);
	ih = HPDF_Image_GetHeight(img);
	if (iw <= 0 || ih <= 0)
		return ec_err_set(EC_ERR_SYNTAX, "image '%s' is empty", it->path);
	/* Fit inside the box, keep the aspect ratio, centre. */
	s = fmin(it->w / iw, it->h / ih);
	w = iw * s;
	h = ih * s;
	if (HPDF_Page_DrawImage(page, img, (HPDF_REAL)(it->x + (it->w - w) / 2), (HPDF_REAL)(it->y + (it->h - h) / 2),
	    (HPDF_REAL)w, (HPDF_REAL)h) != HPDF_OK)
		return harufail(r, "draw an image");
	return 0;
}

/* A PDF text string: literal when printable ASCII, else UTF-16BE with a byte order mark. */
static HPDF_STATUS
info_text(HPDF_Doc pdf, const char *key, const char *s)
{
	unsigned char u[2 + 4 * 512];
	size_t len = strlen(s), i = 0, o = 2;
	int ascii = 1;

	for (size_t k = 0; k < len; k++)
		ascii &= s[k] >= 0x20 && s[k] < 0x7f;
	if (ascii)
		return HPDF_Dict_Add(pdf->info, key, HPDF_String_New(pdf->mmgr, s, NULL));
	u[0] = 0xfe;
	u[1] = 0xff;
	while (i < len && o + 4 <= sizeof(u)) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);

		if (n <= 0)
			break;
		i += (size_t)n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[o++] = (unsigned char)(0xd8 | (cp >> 18));
			u[o++] = (unsigned char)(cp >> 10);
			cp = 0xdc00 | (cp & 0x3ff);
		}
		u[o++] = (unsigned char)(cp >> 8);
		u[o++] = (unsigned char)cp;
	}
	return HPDF_Dict_Add(pdf->info, key, HPDF_Binary_New(pdf->mmgr, u, (HPDF_UINT)o));
}

static int
set_info(struct ec_render *r, const struct ec_ecert *e, const char *org, const char *numdisp)
{
	HPDF_Doc pdf = r->pdf;
	HPDF_Date d;
	struct tm tm;
	time_t t = (time_t)e->issued_at;
	char title[EC_NAME_MAX_BYTES + EC_CODE_MAX + 8], subject[EC_NUMBER_DISPLAY + 16];
	HPDF_STATUS st = 0;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
		return ec_err_set(EC_ERR_ARG, "issued_at %lld is out of range", (long long)e->issued_at);
	memset(&d, 0, sizeof(d));
	d.year = tm.tm_year + 1900;
	d.month = tm.tm_mon + 1;
	d.day = tm.tm_mday;
	d.hour = tm.tm_hour;
	d.minutes = tm.tm_min;
	d.seconds = tm.tm_sec > 59 ? 59 : tm.tm_sec;
	d.ind = 'Z';
	if (HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, d) != HPDF_OK ||
	    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_MOD_DATE, d) != HPDF_OK)
		return harufail(r, "set the document dates");
	snprintf(title, sizeof(title), "%s - %s", e->name, e->code);
	snprintf(subject, sizeof(subject), "e-Cert %s", numdisp);
	st += info_text(pdf, "Title", title);
	st += info_text(pdf, "Subject", subject);
	st += info_text(pdf, "Author", org);
	st += info_text(pdf, "Creator", "ecert");
	if (st != HPDF_OK)
		return harufail(r, "fill the document information");
	return 0;
}

/* The e-Cert as an embedded file named NUMBER.der, built from memory (HPDF_AttachFile wants a path). */
static int
attach(struct ec_render *r, const char *number, const unsigned char *der, size_t derlen)
{
	HPDF_Doc pdf = r->pdf;
	HPDF_MMgr mm = pdf->mmgr;
	HPDF_NameDict names;
	HPDF_NameTree tree;
	HPDF_Dict spec, file, ef, params;
	char fname[EC_NUMBER_DIGITS + 5];
	HPDF_STATUS st = 0;

	snprintf(fname, sizeof(fname), "%s.der", number);
	if ((names = HPDF_NameDict_New(mm, pdf->xref)) == NULL ||
	    HPDF_Catalog_SetNames(pdf->catalog, names) != HPDF_OK ||
	    (tree = HPDF_NameTree_New(mm, pdf->xref)) == NULL ||
	    HPDF_NameDict_SetNameTree(names, HPDF_NAME_EMBEDDED_FILES, tree) != HPDF_OK ||
	    (spec = HPDF_Dict_New(mm)) == NULL || HPDF_Xref_Add(pdf->xref, spec) != HPDF_OK ||
	    (file = HPDF_DictStream_New(mm, pdf->xref)) == NULL ||
	    (ef = HPDF_Dict_New(mm)) == NULL || (params = HPDF_Dict_New(mm)) == NULL)
		return harufail(r, "create the attachment");
	file->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	st += HPDF_Stream_Write(file->stream, der, (HPDF_UINT)derlen);
	st += HPDF_Dict_AddName(file, "Type", "EmbeddedFile");
	st += HPDF_Dict_AddName(file, "Subtype", "application/pkix-cert");
	st += HPDF_Dict_AddNumber(params, "Size", (HPDF_INT32)derlen);
	st += HPDF_Dict_Add(file, "Params", params);
	st += HPDF_Dict_Add(ef, "F", file);
	st += HPDF_Dict_AddName(spec, "Type", "Filespec");
	st += HPDF_Dict_Add(spec, "F", HPDF_String_New(mm, fname, NULL));
	st += HPDF_Dict_Add(spec, "UF", HPDF_String_New(mm, fname, NULL));
	st += HPDF_Dict_Add(spec, "Desc", HPDF_String_New(mm, "The signed e-Cert (X.509, DER)", NULL));
	st += HPDF_Dict_Add(spec, "EF", ef);
	st += HPDF_NameTree_Add(tree, HPDF_String_New(mm, fname, NULL), spec);
	if (st != HPDF_OK)
		return harufail(r, "fill the attachment");
	return 0;
}

int
ec_render_pdf(struct ec_render *r, const struct ec_ecert *e, const char *org, const char *qr_payload,
    const char *url, const unsigned char *der, size_t derlen, unsigned char **pdf, size_t *len)
{
	const struct ec_template *t = r->t;
	struct layout *l = NULL;
	struct ec_qr q = { 0, 0, NULL };
	struct ec_tpl_values v;
	char numdisp[EC_NUMBER_DISPLAY + 1], eff[11], exp[11];
	unsigned char *done = NULL, *buf = NULL;
	HPDF_Page page;
	HPDF_UINT32 size;
	HPDF_STATUS st;
	unsigned nt = 0;
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

	for (unsigned i = 0; i < t->nitems; i++)
		nt += t->items[i].kind == EC_TPL_TEXT;
	if ((l = calloc(nt ? nt : 1, sizeof(*l))) == NULL ||
	    (done = malloc((size_t)q.width * (size_t)q.width)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	/* Lay out every text first: the fonts must know all their characters before they are subset. */
	for (unsigned i = 0, k = 0; i < t->nitems; i++) {
		if (t->items[i].kind != EC_TPL_TEXT)
			continue;
		if ((rc = ec_template_expand(t->items[i].text, &v, l[k].text, sizeof(l[k].text))) != 0 ||
		    (rc = layout(r, &t->items[i], &l[k])) != 0)
			goto out;
		k++;
	}
	if (HPDF_NewDoc(r->pdf) != HPDF_OK) {
		rc = harufail(r, "start a document");
		goto out;
	}
	for (unsigned k = 0; k < ec_fonts_count(r->f); k++)
		if (r->any[k] && (rc = load_font(r, k)) != 0)
			goto out;
	if ((page = HPDF_AddPage(r->pdf)) == NULL ||
	    HPDF_Page_SetWidth(page, (HPDF_REAL)t->page_w) != HPDF_OK ||
	    HPDF_Page_SetHeight(page, (HPDF_REAL)t->page_h) != HPDF_OK) {
		rc = harufail(r, "add a page");
		goto out;
	}
	for (unsigned i = 0, k = 0; i < t->nitems; i++) {
		const struct ec_tpl_item *it = &t->items[i];

		switch (it->kind) {
		case EC_TPL_RECT:
		case EC_TPL_LINE:
			draw_shape(page, it);
			break;
		case EC_TPL_TEXT:
			if (l[k].n > 0)
				draw_text(r, page, it, &l[k]);
			k++;
			break;
		case EC_TPL_QR:
			draw_qr(page, it, &q, done);
			break;
		case EC_TPL_IMAGE:
			if ((rc = draw_image(r, page, it, &r->img[i])) != 0)
				goto out;
			break;
		}
	}
	if (HPDF_GetError(r->pdf) != HPDF_OK) {
		rc = harufail(r, "draw the page");
		goto out;
	}
	if ((rc = set_info(r, e, org, numdisp)) != 0 || (rc = attach(r, e->number, der, derlen)) != 0)
		goto out;
	if (HPDF_SaveToStream(r->pdf) != HPDF_OK) {
		rc = harufail(r, "write the document");
		goto out;
	}
	size = HPDF_GetStreamSize(r->pdf);
	if (size == 0 || (buf = malloc(size)) == NULL) {
		rc = size == 0 ? harufail(r, "write the document") : EC_ERR_NOMEM;
		goto out;
	}
	st = HPDF_ReadFromStream(r->pdf, buf, &size);
	if (st != HPDF_OK && st != HPDF_STREAM_EOF) {
		rc = harufail(r, "read the document back");
		goto out;
	}
	*pdf = buf;
	*len = size;
	buf = NULL;
	rc = 0;
out:
	drop_fonts(r);
	HPDF_ResetError(r->pdf);
	free(buf);
	free(done);
	free(l);
	ec_qr_free(&q);
	return rc;
}
