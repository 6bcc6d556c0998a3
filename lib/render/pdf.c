/*
 * The PDF e-Cert, written by libharu: the template's vector items, text shaped by HarfBuzz (plain
 * runs as text in per-document font subsets, shaped runs as outlines over an invisible text
 * layer), the QR code from libqrencode as merged filled modules, template images through
 * libharu's PNG and JPEG loaders, the signed e-Cert attached, and a deterministic Info dictionary.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hpdf.h>

#include "date.h"
#include "err.h"
#include "file.h"
#include "number.h"
#include "outline.h"
#include "pdf.h"
#include "pdfobj.h"
#include "pngcheck.h"
#include "qr.h"
#include "shape.h"
#include "utf8.h"

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

/* The last subset made of a font file: a batch of e-Certs asks for the same characters again and again. */
struct subset {
	uint32_t *cps;
	size_t ncps;
	unsigned char *prog;         /* what libharu reads */
	size_t len;
	unsigned char *embed;        /* what the PDF embeds */
	size_t elen;
};

struct tline {
	struct ec_line line;
	double size, x, y;
};

struct ec_render {
	const struct ec_template *t;
	const struct ec_fonts *f;
	struct image img[EC_TPL_ITEMS];
	struct subset sub[FONTS_MAX];
	struct tline *tl;            /* one per text item */
	unsigned ntl;
	uint32_t *cps;               /* the characters of one font in this document */
	size_t cpcap;
	HPDF_Font font[FONTS_MAX];
	HPDF_STATUS herr, hdetail;
};

static void
on_error(HPDF_STATUS e, HPDF_STATUS detail, void *u)
{
	struct ec_render *r = u;

	if (r->herr == HPDF_OK) {
		r->herr = e;
		r->hdetail = detail;
	}
}

static int
hpdf_failed(const struct ec_render *r, const char *what)
{
	if (r->herr == HPDF_FAILD_TO_ALLOC_MEM)
		return EC_ERR_NOMEM;
	return ec_err_set(EC_ERR_UNSUPPORTED, "libharu error 0x%04lX (detail %lu) while %s", (unsigned long)r->herr,
	    (unsigned long)r->hdetail, what);
}

/* Whether a PNG has a tRNS chunk before its image data. */
static int
png_has_trns(const unsigned char *p, size_t len)
{
	for (size_t o = 8; o + 8 <= len;) {
		size_t n = (size_t)p[o] << 24 | (size_t)p[o + 1] << 16 | (size_t)p[o + 2] << 8 | p[o + 3];

		if (memcmp(p + o + 4, "tRNS", 4) == 0)
			return 1;
		if (memcmp(p + o + 4, "IDAT", 4) == 0 || n > len - o - 8)
			return 0;
		o += 12 + n;
	}
	return 0;
}

static int
load_image(struct ec_render *r, const char *path, struct image *im)
{
	HPDF_Doc pdf;
	HPDF_Image x;
	char *data;
	int rc;

	if (access(path, F_OK) != 0 && errno == ENOENT)
		return ec_err_set(EC_ERR_NOTFOUND, "cannot open image '%s': %s", path, strerror(errno));
	if ((rc = ec_file_read(path, IMAGE_MAX, &data, &im->len)) != 0)
		return rc;
	im->data = (unsigned char *)data;
	if (im->len >= 8 && memcmp(im->data, "\x89PNG\r\n\x1a\n", 8) == 0) {
		im->png = 1;
		/* libharu 2.3.0 writes the rows of a 16-bit PNG at half their length: half the image is lost. */
		if (im->len >= 26 && memcmp(im->data + 12, "IHDR", 4) == 0 && im->data[24] == 16)
			return ec_err_set(EC_ERR_UNSUPPORTED, "image '%s' is a 16-bit PNG, which libharu 2.3.0 draws "
			    "wrongly: save it with 8 bits per channel", path);
		if (im->len >= 29 && im->data[28] != 0)
			return ec_err_set(EC_ERR_UNSUPPORTED, "image '%s' is an interlaced PNG, which libharu 2.3.0 "
			    "cannot read: save it without interlacing", path);
		/* And it ignores a palette's transparency: transparent pixels would come out black. */
		if (im->len >= 26 && im->data[25] == 3 && png_has_trns(im->data, im->len))
			return ec_err_set(EC_ERR_UNSUPPORTED, "image '%s' is a PNG with a transparent palette, whose "
			    "transparency libharu 2.3.0 ignores: save it as RGBA", path);
		if ((rc = ec_png_check(path, im->data, im->len)) != 0)
			return rc;
	} else if (!(im->len >= 3 && memcmp(im->data, "\xff\xd8\xff", 3) == 0))
		return ec_err_set(EC_ERR_SYNTAX, "image '%s' is neither PNG nor JPEG", path);
	/* Load it once now, so that a file libharu cannot read is refused with the template, not mid-batch. */
	r->herr = HPDF_OK;
	if ((pdf = HPDF_New(on_error, r)) == NULL)
		return EC_ERR_NOMEM;
	x = im->png ? HPDF_LoadPngImageFromMem(pdf, im->data, (HPDF_UINT)im->len) :
	    HPDF_LoadJpegImageFromMem(pdf, im->data, (HPDF_UINT)im->len);
	HPDF_Free(pdf);
	if (x == NULL || r->herr != HPDF_OK)
		return r->herr == HPDF_FAILD_TO_ALLOC_MEM ? EC_ERR_NOMEM : ec_err_set(EC_ERR_SYNTAX,
		    "image '%s' cannot be read by libharu (error 0x%04lX): a malformed or unsupported %s", path,
		    (unsigned long)r->herr, im->png ? "PNG" : "JPEG");
	return 0;
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
		if (t->items[i].kind == EC_TPL_IMAGE && (rc = load_image(r, t->items[i].path, &r->img[i])) != 0)
			goto out;
		r->ntl += t->items[i].kind == EC_TPL_TEXT;
	}
	if ((r->tl = calloc(r->ntl ? r->ntl : 1, sizeof(*r->tl))) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	ec_render_free(r);
	return rc;
}

static void
forget_lines(struct ec_render *r)
{
	for (unsigned i = 0; i < r->ntl; i++)
		ec_line_free(&r->tl[i].line);
}

void
ec_render_free(struct ec_render *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < EC_TPL_ITEMS; i++)
		free(r->img[i].data);
	for (unsigned i = 0; i < FONTS_MAX; i++) {
		free(r->sub[i].cps);
		free(r->sub[i].prog);
		free(r->sub[i].embed);
	}
	if (r->tl != NULL)
		forget_lines(r);
	free(r->tl);
	free(r->cps);
	free(r);
}

/* Values are printed, never interpreted; still, refuse what no certificate should carry. */
static int
check_value(const char *what, const char *s, size_t max)
{
	unsigned long bad;
	size_t len = strlen(s);

	if (len > max)
		return ec_err_set(EC_ERR_TOOBIG, "%s is over %zu bytes", what, max);
	if (ec_text_check(s, len, &bad) < 0)
		return bad == EC_TEXT_BAD_UTF8 ? ec_err_set(EC_ERR_SYNTAX, "%s is not valid UTF-8", what) :
		    ec_err_set(EC_ERR_SYNTAX, "%s contains control character U+%04lX", what, bad);
	return 0;
}

/* Shape an item's text and size it into its box: shrink in steps of 0.1 pt down to min=. */
static int
layout(struct ec_render *r, const struct ec_tpl_item *it, const char *text, struct tline *tl)
{
	double natural, spaced, width;
	int rc;

	if ((rc = ec_shape_line(r->f, it->family, text, &tl->line)) != 0)
		return ec_err_set(rc, "%s:%u: %s", r->t->file, it->line, ec_err_msg(rc));
	tl->size = it->size;
	natural = ec_line_width(r->f, &tl->line, 1, 0);
	spaced = ec_line_width(r->f, &tl->line, 0, it->spacing);
	width = natural * tl->size + spaced;
	if (width > it->w) {
		double s = natural > 0 ? floor((it->w - spaced) / natural * 10) / 10 : 0;

		if (s < it->min || s <= 0)
			return ec_err_set(EC_ERR_TOOBIG, "%s:%u: \"%s\" does not fit its %.0f pt box even at %g pt",
			    r->t->file, it->line, text, it->w, it->min);
		tl->size = s;
		width = natural * s + spaced;
	}
	tl->x = it->align == EC_TPL_LEFT ? it->x : it->align == EC_TPL_RIGHT ? it->x + it->w - width :
	    it->x + (it->w - width) / 2;
	tl->y = it->y + it->h / 2 - CAP_CENTRE * tl->size;
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The characters font k shows in this document, sorted and unique, in r->cps; their number. */
static int
collect(struct ec_render *r, unsigned k, size_t *n)
{
	size_t m = 0;

	for (unsigned i = 0; i < r->ntl; i++) {
		const struct ec_line *l = &r->tl[i].line;

		for (size_t j = 0; j < l->nrun; j++) {
			if (l->run[j].font != k)
				continue;
			if (m + l->run[j].ncp > r->cpcap) {
				size_t cap = (m + l->run[j].ncp) * 2;
				uint32_t *p = realloc(r->cps, cap * sizeof *p);

				if (p == NULL)
					return EC_ERR_NOMEM;
				r->cps = p;
				r->cpcap = cap;
			}
			memcpy(r->cps + m, l->cp + l->run[j].cp0, l->run[j].ncp * sizeof *r->cps);
			m += l->run[j].ncp;
		}
	}
	qsort(r->cps, m, sizeof *r->cps, cmp_u32);
	*n = 0;
	for (size_t i = 0; i < m; i++)
		if (*n == 0 || r->cps[*n - 1] != r->cps[i])
			r->cps[(*n)++] = r->cps[i];
	return 0;
}

/*
 * Embed a subset of every font file the document uses (the same characters reuse the last subset),
 * all through one encoder over the codes of the largest.
 */
static int
load_fonts(struct ec_render *r, HPDF_Doc pdf)
{
	size_t most = 0;
	int used[FONTS_MAX];

	for (unsigned k = 0; k < ec_fonts_count(r->f); k++) {
		struct subset *s = &r->sub[k];
		size_t n;
		int rc;

		r->font[k] = NULL;
		if ((rc = collect(r, k, &n)) != 0)
			return rc;
		if (!(used[k] = n > 0))
			continue;
		most = n > most ? n : most;
		if (s->prog != NULL && s->ncps == n && memcmp(s->cps, r->cps, n * sizeof *s->cps) == 0)
			continue;
		free(s->prog);
		free(s->embed);
		free(s->cps);
		memset(s, 0, sizeof *s);
		if ((s->cps = malloc(n * sizeof *s->cps)) == NULL)
			return EC_ERR_NOMEM;
		memcpy(s->cps, r->cps, n * sizeof *s->cps);
		if ((rc = ec_font_subset(r->f, k, s->cps, n, &s->prog, &s->len)) != 0 ||
		    (rc = ec_font_embedded(s->prog, s->len, &s->embed, &s->elen)) != 0) {
			free(s->prog);
			free(s->cps);
			memset(s, 0, sizeof *s);
			return rc;
		}
		s->ncps = n;
	}
	/* One code more than any font uses: libharu's CID-to-glyph map and widths stop short of the last. */
	if (most > 0 && ec_pdfobj_encoder(pdf, most + 1) != HPDF_OK)
		return hpdf_failed(r, "registering the subsets' encoder");
	for (unsigned k = 0; k < ec_fonts_count(r->f); k++) {
		const struct subset *s = &r->sub[k];
		struct ec_pdfobj_prog p = { s->prog, s->len, s->embed, s->elen, 0 };

		if (!used[k])
			continue;
		p.cap_height = ec_font_cap_height(r->f, k);
		if ((r->font[k] = ec_pdfobj_font(pdf, &p, s->cps, s->ncps)) == NULL)
			return ec_err_set(EC_ERR_UNSUPPORTED, "libharu cannot embed the subset of font '%s' (error 0x%04lX)",
			    ec_font_path(r->f, k), (unsigned long)r->herr);
	}
	return 0;
}

static void
rgb_fill(HPDF_Page page, const struct ec_tpl_rgb *c)
{
	HPDF_Page_SetRGBFill(page, (HPDF_REAL)c->r, (HPDF_REAL)c->g, (HPDF_REAL)c->b);
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
		rgb_fill(page, &it->fill_rgb);
	if (it->kind == EC_TPL_LINE) {
		HPDF_Page_MoveTo(page, (HPDF_REAL)it->x, (HPDF_REAL)it->y);
		HPDF_Page_LineTo(page, (HPDF_REAL)(it->x + it->w), (HPDF_REAL)(it->y + it->h));
		HPDF_Page_Stroke(page);
		return;
	}
	HPDF_Page_Rectangle(page, (HPDF_REAL)it->x, (HPDF_REAL)it->y, (HPDF_REAL)it->w, (HPDF_REAL)it->h);
	if (it->fill && it->stroke)
		HPDF_Page_FillStroke(page);
	else if (it->fill)
		HPDF_Page_Fill(page);
	else
		HPDF_Page_Stroke(page);
}

/*
 * The text of a run for libharu: each character as its two-byte code in the font's subset
 * (EC_FONT_CODE), in reading order, or reversed (the visual order of a right-to-left run).
 */
static void
run_text(const struct ec_line *l, const struct ec_run *run, const struct subset *s, int reverse, char *out,
    size_t outsz)
{
	size_t n = 0;

	for (size_t i = 0; i < run->ncp && n + 2 < outsz; i++) {
		uint32_t cp = l->cp[run->cp0 + (reverse ? run->ncp - 1 - i : i)];
		const uint32_t *at = bsearch(&cp, s->cps, s->ncps, sizeof *s->cps, cmp_u32);
		unsigned c = EC_FONT_CODE((size_t)(at - s->cps));

		out[n++] = (char)(c >> 8);
		out[n++] = (char)(c & 0xff);
	}
	out[n] = '\0';
}

static double
run_width(const struct ec_render *r, const struct tline *tl, const struct ec_tpl_item *it, size_t j)
{
	const struct ec_run *run = &tl->line.run[j];
	double w = (double)run->advance * tl->size / ec_font_upem(r->f, run->font);

	if (run->plain)
		w += it->spacing * (double)(run->ng - (j + 1 == tl->line.nrun));
	return w;
}

/*
 * Shaped runs first, as outlines in the font's units under one matrix; then one text object with
 * the plain runs visible and the shaped runs' characters invisible over their outlines, stretched
 * to the same width, so that selecting, copying and pdftotext give the text back.
 */
static void
draw_text(struct ec_render *r, HPDF_Page page, const struct ec_tpl_item *it, const struct tline *tl)
{
	const struct ec_line *l = &tl->line;
	char text[2 * EC_SHAPE_MAX + 1];
	double x = tl->x;

	rgb_fill(page, &it->colour);
	for (size_t j = 0; j < l->nrun; j++) {
		const struct ec_run *run = &l->run[j];
		double s = tl->size / ec_font_upem(r->f, run->font);
		long pen = 0;

		if (!run->plain) {
			HPDF_Page_GSave(page);
			HPDF_Page_Concat(page, (HPDF_REAL)s, 0, 0, (HPDF_REAL)s, (HPDF_REAL)x, (HPDF_REAL)tl->y);
			for (size_t g = run->g0; g < run->g0 + run->ng; g++) {
				ec_outline_fill(page, ec_font_hb(r->f, run->font), l->g[g].gid, pen + l->g[g].x_off,
				    l->g[g].y_off);
				pen += l->g[g].advance;
			}
			HPDF_Page_GRestore(page);
		}
		x += run_width(r, tl, it, j);
	}
	HPDF_Page_BeginText(page);
	x = tl->x;
	for (size_t j = 0; j < l->nrun; j++) {
		const struct ec_run *run = &l->run[j];
		double w = run_width(r, tl, it, j);

		HPDF_Page_SetFontAndSize(page, r->font[run->font], (HPDF_REAL)tl->size);
		run_text(l, run, &r->sub[run->font], run->rtl, text, sizeof text);
		if (run->plain) {
			HPDF_Page_SetCharSpace(page, (HPDF_REAL)it->spacing);
			HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)tl->y, text);
		} else {
			double tw;

			HPDF_Page_SetCharSpace(page, 0);
			HPDF_Page_SetTextRenderingMode(page, HPDF_INVISIBLE);
			tw = HPDF_Page_TextWidth(page, text);
			if (tw > 0 && w > 0)
				HPDF_Page_SetHorizontalScalling(page, (HPDF_REAL)fmin(300, fmax(10, 100 * w / tw)));
			HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)tl->y, text);
			HPDF_Page_SetHorizontalScalling(page, 100);
			HPDF_Page_SetTextRenderingMode(page, HPDF_FILL);
		}
		x += w;
	}
	HPDF_Page_EndText(page);
}

/* Whether row y of q has a dark run exactly from x to x + len (light or the edge on both sides). */
static int
same_run(const struct ec_qr *q, int y, int x, int len)
{
	const unsigned char *row = q->dark + (size_t)y * (size_t)q->width;

	if (y >= q->width || (x > 0 && row[x - 1]) || (x + len < q->width && row[x + len]))
		return 0;
	for (int i = x; i < x + len; i++)
		if (!row[i])
			return 0;
	return 1;
}

/*
 * The symbol in module units under one matrix (y down), one fill: each row's dark runs merged into
 * one rectangle, and a run repeated exactly in the rows below merged with them into a taller one.
 */
static void
draw_qr(HPDF_Page page, const struct ec_tpl_item *it, const struct ec_qr *q)
{
	double m = it->w / (q->width + 2 * QUIET);

	HPDF_Page_GSave(page);
	rgb_fill(page, &it->colour);
	HPDF_Page_Concat(page, (HPDF_REAL)m, 0, 0, (HPDF_REAL)-m, (HPDF_REAL)(it->x + QUIET * m),
	    (HPDF_REAL)(it->y + it->h - QUIET * m));
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width;) {
			int run = 0, h = 1;

			while (x + run < q->width && q->dark[y * q->width + x + run])
				run++;
			if (run == 0) {
				x++;
				continue;
			}
			/* A run the row above has too is part of the rectangle drawn from there. */
			if (y == 0 || !same_run(q, y - 1, x, run)) {
				while (same_run(q, y + h, x, run))
					h++;
				HPDF_Page_Rectangle(page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)run, (HPDF_REAL)h);
			}
			x += run;
		}
	HPDF_Page_Fill(page);
	HPDF_Page_GRestore(page);
}

static void
draw_image(HPDF_Doc pdf, HPDF_Page page, const struct ec_tpl_item *it, const struct image *im)
{
	HPDF_Image x = im->png ? HPDF_LoadPngImageFromMem(pdf, im->data, (HPDF_UINT)im->len) :
	    HPDF_LoadJpegImageFromMem(pdf, im->data, (HPDF_UINT)im->len);
	double iw, ih, s, w, h;

	if (x == NULL)
		return;
	iw = HPDF_Image_GetWidth(x), ih = HPDF_Image_GetHeight(x);
	if (iw <= 0 || ih <= 0)
		return;
	/* Fit the box, keep the aspect ratio, centre. */
	s = fmin(it->w / iw, it->h / ih);
	w = iw * s, h = ih * s;
	HPDF_Page_DrawImage(page, x, (HPDF_REAL)(it->x + (it->w - w) / 2), (HPDF_REAL)(it->y + (it->h - h) / 2),
	    (HPDF_REAL)w, (HPDF_REAL)h);
}

static int
write_info(struct ec_render *r, HPDF_Doc pdf, const struct ec_ecert *e, const char *org, const char *numdisp,
    const char *qr_payload)
{
	struct tm tm;
	time_t t = (time_t)e->issued_at;
	char title[EC_NAME_MAX_BYTES + EC_CODE_MAX + 8], subject[EC_NUMBER_DISPLAY + 16], producer[64];
	HPDF_Date d;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
		return ec_err_set(EC_ERR_ARG, "issued_at %lld is out of range", (long long)e->issued_at);
	memset(&d, 0, sizeof d);
	d.year = tm.tm_year + 1900, d.month = tm.tm_mon + 1, d.day = tm.tm_mday;
	d.hour = tm.tm_hour, d.minutes = tm.tm_min, d.seconds = tm.tm_sec > 59 ? 59 : tm.tm_sec;
	d.ind = 'Z';
	snprintf(title, sizeof(title), "%s - %s", e->name, e->code);
	snprintf(subject, sizeof(subject), "e-Cert %s", numdisp);
	snprintf(producer, sizeof(producer), "ecert %s with libharu %s", EC_VERSION, HPDF_GetVersion());
	HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, d);
	ec_pdfobj_info(pdf, "Title", title);
	ec_pdfobj_info(pdf, "Subject", subject);
	ec_pdfobj_info(pdf, "Author", org);
	ec_pdfobj_info(pdf, "Creator", "ecert");
	ec_pdfobj_info(pdf, "Producer", producer);
	/* The signed token with the e-Cert, so an offline check can compare the two. */
	ec_pdfobj_info(pdf, "ECertQR", qr_payload);
	return r->herr != HPDF_OK ? hpdf_failed(r, "writing the document information") : 0;
}

static int
save(struct ec_render *r, HPDF_Doc pdf, unsigned char **out, size_t *outlen)
{
	HPDF_UINT32 n;

	if (HPDF_SaveToStream(pdf) != HPDF_OK || r->herr != HPDF_OK)
		return hpdf_failed(r, "writing the PDF");
	n = HPDF_GetStreamSize(pdf);
	if (n == 0 || (*out = malloc(n)) == NULL)
		return n == 0 ? hpdf_failed(r, "writing the PDF") : EC_ERR_NOMEM;
	*outlen = n;
	if (HPDF_ReadFromStream(pdf, *out, &n) != HPDF_OK || n != *outlen) {
		free(*out);
		*out = NULL;
		*outlen = 0;
		return hpdf_failed(r, "reading the PDF back from libharu");
	}
	return 0;
}

int
ec_render_pdf(struct ec_render *r, const struct ec_ecert *e, const char *org, const char *qr_payload,
    const char *url, const unsigned char *der, size_t derlen, unsigned char **pdf, size_t *len)
{
	const struct ec_template *t = r->t;
	struct ec_qr q = { 0, 0, NULL };
	struct ec_tpl_values v;
	char numdisp[EC_NUMBER_DISPLAY + 1], eff[11], exp[11], fname[EC_NUMBER_DIGITS + 5], text[TEXT_MAX];
	HPDF_Doc doc = NULL;
	HPDF_Page page;
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
	/* Lay out every text first: the fonts must know all their characters before the page is drawn. */
	for (unsigned i = 0, k = 0; i < t->nitems; i++) {
		if (t->items[i].kind != EC_TPL_TEXT)
			continue;
		if ((rc = ec_template_expand(t->items[i].text, &v, text, sizeof(text))) != 0 ||
		    (rc = layout(r, &t->items[i], text, &r->tl[k])) != 0)
			goto out;
		k++;
	}
	r->herr = HPDF_OK;
	if ((doc = HPDF_New(on_error, r)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	HPDF_SetCompressionMode(doc, HPDF_COMP_ALL);
	if ((rc = load_fonts(r, doc)) != 0)
		goto out;
	page = HPDF_AddPage(doc);
	HPDF_Page_SetWidth(page, (HPDF_REAL)t->page_w);
	HPDF_Page_SetHeight(page, (HPDF_REAL)t->page_h);
	for (unsigned i = 0, k = 0; i < t->nitems && r->herr == HPDF_OK; i++) {
		const struct ec_tpl_item *it = &t->items[i];

		switch (it->kind) {
		case EC_TPL_RECT:
		case EC_TPL_LINE:
			draw_shape(page, it);
			break;
		case EC_TPL_TEXT:
			if (r->tl[k].line.nrun > 0)
				draw_text(r, page, it, &r->tl[k]);
			k++;
			break;
		case EC_TPL_QR:
			draw_qr(page, it, &q);
			break;
		case EC_TPL_IMAGE:
			draw_image(doc, page, it, &r->img[i]);
			break;
		}
	}
	if (r->herr != HPDF_OK) {
		rc = hpdf_failed(r, "drawing the page");
		goto out;
	}
	snprintf(fname, sizeof(fname), "%s.der", e->number);
	if (ec_pdfobj_attach(doc, fname, "application/pkix-cert", "The signed e-Cert, X.509 DER", der, derlen) != HPDF_OK) {
		rc = hpdf_failed(r, "attaching the e-Cert");
		goto out;
	}
	if ((rc = write_info(r, doc, e, org, numdisp, qr_payload)) != 0 || (rc = save(r, doc, pdf, len)) != 0)
		goto out;
out:
	if (doc != NULL)
		HPDF_Free(doc);
	forget_lines(r);
	ec_qr_free(&q);
	return rc;
}
