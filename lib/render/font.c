/*
 * Font files parsed once into HarfBuzz faces (coverage by fallback chain, advances, names), and
 * per-document TrueType subsets for PDF CIDFontType2 fonts, assembled directly from the glyf table.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hb.h>
#include <hb-ot.h>
#include <utf8proc.h>

#include "buf.h"
#include "err.h"
#include "font.h"

#define FILES_MAX (EC_TPL_FAMILIES * EC_TPL_CHAIN)
#define REPORT_MAX 8    /* uncovered characters named in one message */
#define SUBSET_GLYPHS 65535

/* The tables a subset is built from, in the order of the subset's table directory (sorted by tag). */
enum { T_GLYF, T_HEAD, T_HHEA, T_HMTX, T_LOCA, T_MAXP, NTAB };
static const char tags[NTAB][5] = { "glyf", "head", "hhea", "hmtx", "loca", "maxp" };
static const unsigned min_len[NTAB] = { 0, 54, 36, 4, 4, 32 };

struct file {
	char path[EC_TPL_PATH_MAX];
	unsigned index;
	hb_face_t *face;      /* for coverage and advances */
	hb_font_t *font;
	hb_set_t *cover;      /* BMP code points with a glyph */
	unsigned upem;
	hb_blob_t *blob[NTAB];
	const unsigned char *tab[NTAB];
	unsigned len[NTAB];
	unsigned nglyphs, nhmetrics;
	int long_loca;
	struct ec_font_metrics m;
};

struct ec_fonts {
	unsigned nfiles, nfamilies;
	struct file files[FILES_MAX];
	struct {
		unsigned n;
		unsigned file[EC_TPL_CHAIN];
	} families[EC_TPL_FAMILIES];
};

static unsigned
u16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int
s16(const unsigned char *p)
{
	return (int)(int16_t)u16(p);
}

static uint32_t
u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int
scale(const struct file *fl, int v)
{
	return (int)((long)v * 1000 / (long)fl->upem);
}

/* The PDF font descriptor's figures, from head, hhea, OS/2 and post; the PostScript name from name. */
static void
metrics(struct file *fl)
{
	hb_blob_t *os2 = hb_face_reference_table(fl->face, HB_TAG('O', 'S', '/', '2'));
	hb_blob_t *post = hb_face_reference_table(fl->face, HB_TAG('p', 'o', 's', 't'));
	const unsigned char *head = fl->tab[T_HEAD], *hhea = fl->tab[T_HHEA], *o, *pp;
	unsigned olen = 0, plen = 0, n = sizeof(fl->m.psname), k = 0;
	char name[sizeof(fl->m.psname)];
	struct ec_font_metrics *m = &fl->m;

	o = (const unsigned char *)hb_blob_get_data(os2, &olen);
	pp = (const unsigned char *)hb_blob_get_data(post, &plen);
	for (int i = 0; i < 4; i++)
		m->bbox[i] = scale(fl, s16(head + 36 + 2 * i));
	m->ascent = scale(fl, s16(hhea + 4));
	m->descent = scale(fl, s16(hhea + 6));
	m->cap_height = olen >= 90 && u16(o) >= 2 && s16(o + 88) > 0 ? scale(fl, s16(o + 88)) : m->ascent;
	m->italic_angle = plen >= 8 ? (int)((int32_t)u32(pp + 4) / 65536) : 0;
	/* A common estimate of the vertical stem width from the weight class. */
	m->stem_v = olen >= 6 ? 50 + (int)(u16(o + 4) * u16(o + 4) / (65 * 65)) : 80;
	hb_blob_destroy(os2);
	hb_blob_destroy(post);

	/* A PDF name, and the subset tag's prefix must not clash: keep [A-Za-z0-9-] only. */
	if (hb_ot_name_get_utf8(fl->face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &n, name) == 0)
		name[0] = '\0';
	for (const char *c = name; *c != '\0' && k + 1 < sizeof(m->psname); c++)
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-')
			m->psname[k++] = *c;
	if (k == 0)
		k = (unsigned)snprintf(m->psname, sizeof(m->psname), "Font%u", fl->index);
	m->psname[k] = '\0';
}

static int
open_file(struct file *fl, const char *path, unsigned index)
{
	hb_blob_t *blob = NULL;
	unsigned count;
	int fd, rc;

	snprintf(fl->path, sizeof(fl->path), "%s", path);
	fl->index = index;
	/* HarfBuzz says only that it failed; open() first gives the reason. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? ec_err_set(EC_ERR_NOTFOUND, "cannot open font '%s': %s", path, strerror(errno)) :
		    ec_err_errno("cannot open font", path);
	close(fd);
	if ((blob = hb_blob_create_from_file_or_fail(path)) == NULL) {
		rc = ec_err_set(EC_ERR_IO, "cannot read font '%s'", path);
		goto out;
	}
	count = hb_face_count(blob);
	if (count == 0) {
		rc = ec_err_set(EC_ERR_SYNTAX, "'%s' is not a font file", path);
		goto out;
	}
	if (index >= count) {
		rc = ec_err_set(EC_ERR_SYNTAX, "font '%s' has no face %u (it has %u)", path, index, count);
		goto out;
	}
	fl->face = hb_face_create(blob, index);
	for (int i = 0; i < NTAB; i++) {
		fl->blob[i] = hb_face_reference_table(fl->face, hb_tag_from_string(tags[i], 4));
		fl->tab[i] = (const unsigned char *)hb_blob_get_data(fl->blob[i], &fl->len[i]);
	}
	if (fl->len[T_GLYF] == 0) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "font '%s' has no TrueType outlines (CFF fonts cannot be embedded)", path);
		goto out;
	}
	for (int i = 0; i < NTAB; i++)
		if (fl->len[i] < min_len[i]) {
			rc = ec_err_set(EC_ERR_UNSUPPORTED, "font '%s' has no usable '%s' table", path, tags[i]);
			goto out;
		}
	fl->upem = u16(fl->tab[T_HEAD] + 18);
	fl->long_loca = s16(fl->tab[T_HEAD] + 50) != 0;
	fl->nglyphs = u16(fl->tab[T_MAXP] + 4);
	fl->nhmetrics = u16(fl->tab[T_HHEA] + 34);
	if (fl->upem < 16 || fl->nglyphs == 0 || fl->nhmetrics == 0 || fl->nhmetrics > fl->nglyphs ||
	    fl->len[T_LOCA] < (fl->nglyphs + 1u) * (fl->long_loca ? 4u : 2u) ||
	    fl->len[T_HMTX] < 4u * fl->nhmetrics + 2u * (fl->nglyphs - fl->nhmetrics) || u32(fl->tab[T_MAXP]) != 0x00010000) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "font '%s' has inconsistent head, maxp, hhea, loca or hmtx tables", path);
		goto out;
	}
	fl->font = hb_font_create(fl->face);
	fl->cover = hb_set_create();
	if (!hb_set_allocation_successful(fl->cover)) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	hb_face_collect_unicodes(fl->face, fl->cover);
	/* PDF text is written as 16-bit codes of the Basic Multilingual Plane only. */
	hb_set_del_range(fl->cover, 0x10000, HB_SET_VALUE_INVALID - 1);
	metrics(fl);
	rc = 0;
out:
	hb_blob_destroy(blob);
	return rc;
}

static void
close_file(struct file *fl)
{
	hb_font_destroy(fl->font);
	for (int i = 0; i < NTAB; i++)
		hb_blob_destroy(fl->blob[i]);
	hb_face_destroy(fl->face);
	hb_set_destroy(fl->cover);
}

int
ec_fonts_load(const struct ec_template *t, struct ec_fonts **out)
{
	struct ec_fonts *f;
	int rc;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return EC_ERR_NOMEM;
	for (unsigned i = 0; i < t->nfamilies; i++) {
		const struct ec_tpl_family *fam = &t->families[i];

		for (unsigned j = 0; j < fam->nfiles; j++) {
			unsigned k;

			for (k = 0; k < f->nfiles; k++)
				if (strcmp(f->files[k].path, fam->files[j].path) == 0 && f->files[k].index == fam->files[j].index)
					break;
			if (k == f->nfiles) {
				if ((rc = open_file(&f->files[k], fam->files[j].path, fam->files[j].index)) != 0) {
					close_file(&f->files[k]);
					goto out;
				}
				f->nfiles++;
			}
			f->families[i].file[f->families[i].n++] = k;
		}
	}
	f->nfamilies = t->nfamilies;
	*out = f;
	f = NULL;
	rc = 0;
out:
	ec_fonts_free(f);
	return rc;
}

void
ec_fonts_free(struct ec_fonts *f)
{
	if (f == NULL)
		return;
	for (unsigned i = 0; i < f->nfiles; i++)
		close_file(&f->files[i]);
	free(f);
}

unsigned
ec_fonts_count(const struct ec_fonts *f)
{
	return f->nfiles;
}

const char *
ec_font_path(const struct ec_fonts *f, unsigned font)
{
	return f->files[font].path;
}

int
ec_font_pick(const struct ec_fonts *f, unsigned family, uint32_t cp)
{
	if (family >= f->nfamilies)
		return -1;
	for (unsigned i = 0; i < f->families[family].n; i++)
		if (hb_set_has(f->files[f->families[family].file[i]].cover, cp))
			return (int)f->families[family].file[i];
	return -1;
}

unsigned
ec_font_advance(const struct ec_fonts *f, unsigned font, uint32_t cp)
{
	const struct file *fl = &f->files[font];
	hb_codepoint_t gid = 0;

	hb_font_get_nominal_glyph(fl->font, cp, &gid);
	return (unsigned)((uint64_t)hb_font_get_glyph_h_advance(fl->font, gid) * 1000 / fl->upem);
}

int
ec_font_check_text(const struct ec_fonts *f, const char *utf8)
{
	uint32_t bad[REPORT_MAX];
	size_t nbad = 0, more = 0, len = strlen(utf8), i = 0;
	struct ec_buf b;
	int rc;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)utf8 + i, (utf8proc_ssize_t)(len - i), &cp);
		int ok = 1, seen = 0;

		if (n <= 0)
			return ec_err_set(EC_ERR_SYNTAX, "invalid UTF-8 in text");
		i += (size_t)n;
		for (unsigned fam = 0; fam < f->nfamilies && ok; fam++)
			ok = ec_font_pick(f, fam, (uint32_t)cp) >= 0;
		if (ok)
			continue;
		for (size_t k = 0; k < nbad; k++)
			seen |= bad[k] == (uint32_t)cp;
		if (seen)
			continue;
		if (nbad < REPORT_MAX)
			bad[nbad++] = (uint32_t)cp;
		else
			more++;
	}
	if (nbad == 0)
		return 0;
	ec_buf_init(&b);
	ec_buf_adds(&b, "no font covers ");
	for (size_t k = 0; k < nbad; k++) {
		char c[5] = "";

		/* Name the character itself too, unless it is a control that would garble the message. */
		if (bad[k] >= 0x20 && !(bad[k] >= 0x7f && bad[k] < 0xa0))
			c[utf8proc_encode_char((utf8proc_int32_t)bad[k], (utf8proc_uint8_t *)c)] = '\0';
		ec_buf_addf(&b, "%sU+%04X", k ? ", " : "", (unsigned)bad[k]);
		if (c[0] != '\0')
			ec_buf_addf(&b, " '%s'", c);
	}
	if (more)
		ec_buf_addf(&b, " and %zu more", more);
	rc = b.err ? EC_ERR_NOMEM : ec_err_set(EC_ERR_SYNTAX, "%s", b.p);
	ec_buf_free(&b);
	return rc;
}

const struct ec_font_metrics *
ec_font_metrics(const struct ec_fonts *f, unsigned font)
{
	return &f->files[font].m;
}

unsigned
ec_font_upem(const struct ec_fonts *f, unsigned font)
{
	return f->files[font].upem;
}

/* Glyph gid's bytes in glyf: *off and *len (0 for an empty glyph); -1 when loca points outside glyf. */
static int
glyph_at(const struct file *fl, unsigned gid, size_t *off, size_t *len)
{
	const unsigned char *l = fl->tab[T_LOCA];
	size_t a, b;

	if (gid >= fl->nglyphs)
		return -1;
	a = fl->long_loca ? u32(l + 4 * gid) : 2 * (size_t)u16(l + 2 * gid);
	b = fl->long_loca ? u32(l + 4 * gid + 4) : 2 * (size_t)u16(l + 2 * gid + 2);
	if (b < a || b > fl->len[T_GLYF] || (b > a && b - a < 10))
		return -1;
	*off = a;
	*len = b - a;
	return 0;
}

#define COMPONENTS_MAX 64

/*
 * Walk a composite glyph g[0..len): each component's offset; *end is where the components end
 * (instructions, if any, follow). -1 when malformed.
 */
static int
components(const unsigned char *g, size_t len, size_t *offs, size_t *n, size_t *end)
{
	size_t p = 10;
	unsigned flags;

	*n = 0;
	do {
		size_t sz;

		if (p + 4 > len || *n == COMPONENTS_MAX)
			return -1;
		flags = u16(g + p);
		sz = 4 + ((flags & 0x0001) ? 4 : 2) + ((flags & 0x0008) ? 2 : (flags & 0x0040) ? 4 : (flags & 0x0080) ? 8 : 0);
		if (p + sz > len)
			return -1;
		offs[(*n)++] = p;
		p += sz;
	} while (flags & 0x0020);
	*end = p;
	return 0;
}

/* One glyph of the subset: its source font file and glyph id there. */
struct sglyph {
	unsigned font;
	uint32_t gid;
};

struct subset {
	const struct ec_fonts *f;
	struct sglyph *g;
	size_t n, cap, *loca;            /* loca: where each glyph starts in out (cap + 1 entries) */
	unsigned upem;                   /* of the subset: the largest of its sources */
	unsigned char *out;
	size_t len, cap_out;
	int32_t *pts;                    /* scratch: decoded coordinates, x then y */
	unsigned char *flags;
	size_t npts_cap;
	unsigned max_pts, max_contours;
};

struct ec_font_prep {
	struct sglyph *g;                /* glyphs 0 .. n - 1: .notdef, the characters, their components */
	size_t n;
	unsigned char *glyf;             /* their encoded outlines, glyph k at loca[k] */
	size_t len, *loca;
	unsigned max_pts, max_contours;
};

static int
grow(struct subset *s, size_t need)
{
	if (s->len + need > s->cap_out) {
		size_t cap = (s->len + need) * 2;
		unsigned char *q = realloc(s->out, cap);

		if (q == NULL)
			return EC_ERR_NOMEM;
		s->out = q;
		s->cap_out = cap;
	}
	return 0;
}

static int
put_bytes(struct subset *s, const void *p, size_t n)
{
	if (grow(s, n) != 0)
		return EC_ERR_NOMEM;
	memcpy(s->out + s->len, p, n);
	s->len += n;
	return 0;
}

static void
set16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void
set32(unsigned char *p, uint32_t v)
{
	set16(p, v >> 16);
	set16(p + 2, v & 0xffff);
}

static int
put16(struct subset *s, unsigned v)
{
	unsigned char b[2];

	set16(b, v);
	return put_bytes(s, b, 2);
}

static uint32_t
checksum(const unsigned char *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 4 <= n; i += 4)
		sum += u32(p + i);
	if (n % 4 != 0) {
		unsigned char last[4] = { 0, 0, 0, 0 };

		memcpy(last, p + n - n % 4, n % 4);
		sum += u32(last);
	}
	return sum;
}

static int
malformed(const struct file *fl, unsigned gid)
{
	return ec_err_set(EC_ERR_UNSUPPORTED, "font '%s' has a malformed glyph %u", fl->path, gid);
}

/* v in the subset's units (font units of the source scaled to the subset's units per em). */
static int
sc(const struct subset *s, const struct file *fl, long v)
{
	long num = v * (long)s->upem, den = (long)fl->upem;

	return (int)(num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den));
}

/* Index of (font, gid) in the subset from position 1, or s->n when absent. */
static size_t
find(const struct subset *s, unsigned font, uint32_t gid)
{
	size_t j;

	for (j = 1; j < s->n && (s->g[j].gid != gid || s->g[j].font != font); j++)
		;
	return j;
}

/*
 * A simple glyph g[0..len) without instructions, its coordinates scaled to the subset's units:
 * decoded to absolute points, then encoded again with the short forms and flag repeats.
 */
static int
write_simple(struct subset *s, const struct file *fl, uint32_t gid, const unsigned char *g, size_t len)
{
	unsigned nc = u16(g), npts;
	size_t p = 10 + 2 * (size_t)nc, q, o;
	int32_t *x, *y, minx = INT32_MAX, miny = INT32_MAX, maxx = INT32_MIN, maxy = INT32_MIN;
	int scale = s->upem != fl->upem;

	if (p + 2 > len)
		return malformed(fl, gid);
	npts = u16(g + p - 2) + 1u;
	p += 2 + u16(g + p);
	if (npts > s->npts_cap) {
		int32_t *np = realloc(s->pts, 2 * npts * sizeof(*np));
		unsigned char *nf = realloc(s->flags, npts);

		if (np != NULL)
			s->pts = np;
		if (nf != NULL)
			s->flags = nf;
		if (np == NULL || nf == NULL)
			return EC_ERR_NOMEM;
		s->npts_cap = npts;
	}
	x = s->pts;
	y = s->pts + npts;
	for (unsigned i = 0; i < npts;) {
		unsigned char fl8, rep = 0;

		if (p >= len)
			return malformed(fl, gid);
		fl8 = g[p++];
		if (fl8 & 0x08) {
			if (p >= len)
				return malformed(fl, gid);
			rep = g[p++];
		}
		for (unsigned k = 0; k <= rep && i < npts; k++)
			s->flags[i++] = fl8;
	}
	for (int axis = 0; axis < 2; axis++) {
		int32_t *c = axis ? y : x, v = 0;
		unsigned short_bit = axis ? 0x04 : 0x02, same_bit = axis ? 0x20 : 0x10;

		for (unsigned i = 0; i < npts; i++) {
			unsigned fl8 = s->flags[i];

			if (fl8 & short_bit) {
				if (p >= len)
					return malformed(fl, gid);
				v += (fl8 & same_bit) ? g[p] : -(int32_t)g[p];
				p++;
			} else if (!(fl8 & same_bit)) {
				if (p + 2 > len)
					return malformed(fl, gid);
				v += s16(g + p);
				p += 2;
			}
			c[i] = scale ? sc(s, fl, v) : v;
		}
	}
	for (unsigned i = 0; i < npts; i++) {
		minx = x[i] < minx ? x[i] : minx;
		maxx = x[i] > maxx ? x[i] : maxx;
		miny = y[i] < miny ? y[i] : miny;
		maxy = y[i] > maxy ? y[i] : maxy;
	}
	if (minx < -32768 || maxx > 32767 || miny < -32768 || maxy > 32767)
		return malformed(fl, gid);
	/* Worst case: header, end points, no instructions, a flag and four coordinate bytes a point. */
	if (grow(s, 12 + 2 * (size_t)nc + 5 * (size_t)npts + 1) != 0)
		return EC_ERR_NOMEM;
	o = s->len;
	set16(s->out + o, nc);
	/* The source's bounding box, scaled: some fonts store the outline's, tighter than its points'. */
	for (int i = 0; i < 4; i++)
		set16(s->out + o + 2 + 2 * i, (unsigned)sc(s, fl, s16(g + 2 + 2 * i)) & 0xffff);
	memcpy(s->out + o + 10, g + 10, 2 * (size_t)nc);
	o += 10 + 2 * (size_t)nc;
	set16(s->out + o, 0);
	o += 2;
	/* Flags first (with repeats), then x bytes, then y bytes: count the flag bytes before writing. */
	q = o;
	for (unsigned i = 0; i < npts; i++) {
		int32_t dx = x[i] - (i ? x[i - 1] : 0), dy = y[i] - (i ? y[i - 1] : 0);
		unsigned char f8 = s->flags[i] & 0x01;

		f8 |= dx == 0 ? 0x10 : (dx > -256 && dx < 256) ? (unsigned char)(0x02 | (dx > 0 ? 0x10 : 0)) : 0;
		f8 |= dy == 0 ? 0x20 : (dy > -256 && dy < 256) ? (unsigned char)(0x04 | (dy > 0 ? 0x20 : 0)) : 0;
		s->flags[i] = f8;
	}
	for (unsigned i = 0; i < npts;) {
		unsigned rep = 0;

		while (i + rep + 1 < npts && s->flags[i + rep + 1] == s->flags[i] && rep < 255)
			rep++;
		if (rep > 0) {
			s->out[q++] = s->flags[i] | 0x08;
			s->out[q++] = (unsigned char)rep;
		} else {
			s->out[q++] = s->flags[i];
		}
		i += rep + 1;
	}
	for (int axis = 0; axis < 2; axis++) {
		const int32_t *c = axis ? y : x;
		unsigned short_bit = axis ? 0x04 : 0x02, same_bit = axis ? 0x20 : 0x10;

		for (unsigned i = 0; i < npts; i++) {
			int32_t d = c[i] - (i ? c[i - 1] : 0);

			if (s->flags[i] & short_bit)
				s->out[q++] = (unsigned char)(d < 0 ? -d : d);
			else if (!(s->flags[i] & same_bit)) {
				set16(s->out + q, (unsigned)d & 0xffff);
				q += 2;
			}
		}
	}
	s->len = q + (q - s->len) % 2;
	if (s->len > q)
		s->out[q] = 0;
	s->max_pts = npts > s->max_pts ? npts : s->max_pts;
	s->max_contours = nc > s->max_contours ? nc : s->max_contours;
	return 0;
}

/* A composite glyph: components renumbered, offsets scaled, instructions dropped. */
static int
write_composite(struct subset *s, const struct file *fl, unsigned font, uint32_t gid, const unsigned char *g,
    size_t len)
{
	size_t offs[COMPONENTS_MAX], nc, end, start = s->len;
	int rc;

	if (components(g, len, offs, &nc, &end) != 0)
		return malformed(fl, gid);
	if ((rc = put16(s, 0xffff)) != 0)
		return rc;
	for (int i = 0; i < 4; i++)
		if ((rc = put16(s, (unsigned)sc(s, fl, s16(g + 2 + 2 * i)) & 0xffff)) != 0)
			return rc;
	for (size_t i = 0; i < nc; i++) {
		const unsigned char *c = g + offs[i];
		unsigned flags = u16(c) & ~0x0100u, words = flags & 0x0001;
		size_t next = i + 1 < nc ? offs[i + 1] : end, xform = words ? 8 : 6;
		int a1 = words ? s16(c + 4) : (int)(signed char)c[4], a2 = words ? s16(c + 6) : (int)(signed char)c[5];

		/* Offsets (not point numbers) scale; bytes become words when they no longer fit. */
		if (flags & 0x0002) {
			a1 = sc(s, fl, a1);
			a2 = sc(s, fl, a2);
			if (a1 < -128 || a1 > 127 || a2 < -128 || a2 > 127)
				flags |= 0x0001;
		}
		if ((rc = put16(s, flags)) != 0 || (rc = put16(s, (unsigned)find(s, font, u16(c + 2)))) != 0)
			return rc;
		if (flags & 0x0001)
			rc = put16(s, (unsigned)a1 & 0xffff) != 0 || put16(s, (unsigned)a2 & 0xffff) != 0 ? EC_ERR_NOMEM : 0;
		else
			rc = put16(s, ((unsigned)a1 & 0xff) << 8 | ((unsigned)a2 & 0xff));
		if (rc != 0 || (rc = put_bytes(s, c + xform, next - offs[i] - xform)) != 0)
			return rc;
	}
	return (s->len - start) % 2 ? put_bytes(s, "", 1) : 0;
}

static int
write_glyph(struct subset *s, size_t k)
{
	const struct file *fl = &s->f->files[s->g[k].font];
	size_t off, len;

	/* .notdef stays empty: every character shown has a glyph. */
	if (k == 0)
		return 0;
	if (glyph_at(fl, s->g[k].gid, &off, &len) != 0)
		return malformed(fl, s->g[k].gid);
	if (len == 0 || u16(fl->tab[T_GLYF] + off) == 0)
		return 0;
	if (s16(fl->tab[T_GLYF] + off) > 0)
		return write_simple(s, fl, s->g[k].gid, fl->tab[T_GLYF] + off, len);
	return write_composite(s, fl, s->g[k].font, s->g[k].gid, fl->tab[T_GLYF] + off, len);
}

static int
add_glyph(struct subset *s, unsigned font, uint32_t gid)
{
	if (s->n >= SUBSET_GLYPHS)
		return ec_err_set(EC_ERR_TOOBIG, "font subset is over %d glyphs", SUBSET_GLYPHS);
	if (s->n == s->cap) {
		size_t cap = s->cap * 2;
		struct sglyph *p;
		size_t *l;

		if ((p = realloc(s->g, cap * sizeof(*p))) == NULL)
			return EC_ERR_NOMEM;
		s->g = p;
		if ((l = realloc(s->loca, (cap + 1) * sizeof(*l))) == NULL)
			return EC_ERR_NOMEM;
		s->loca = l;
		s->cap = cap;
	}
	s->g[s->n].font = font;
	s->g[s->n].gid = gid;
	s->n++;
	return 0;
}

/* Components of composite glyphs from from on join the subset after them, each once. */
static int
close_components(struct subset *s, size_t from)
{
	for (size_t k = from; k < s->n; k++) {
		const struct file *fl = &s->f->files[s->g[k].font];
		size_t off, len, offs[COMPONENTS_MAX], nc, end;
		int rc;

		if (glyph_at(fl, s->g[k].gid, &off, &len) != 0)
			return malformed(fl, s->g[k].gid);
		if (len == 0 || s16(fl->tab[T_GLYF] + off) >= 0)
			continue;
		if (components(fl->tab[T_GLYF] + off, len, offs, &nc, &end) != 0)
			return malformed(fl, s->g[k].gid);
		for (size_t i = 0; i < nc; i++) {
			uint32_t c = u16(fl->tab[T_GLYF] + off + offs[i] + 2);

			if (find(s, s->g[k].font, c) == s->n && (rc = add_glyph(s, s->g[k].font, c)) != 0)
				return rc;
		}
	}
	return 0;
}

/* head, hhea and maxp of the subset: from its first source with the most units per em, adjusted. */
static int
write_fixed(struct subset *s, int t, const struct file *base, int long_loca, size_t start)
{
	unsigned char *p;
	int rc;

	if ((rc = put_bytes(s, base->tab[t], min_len[t])) != 0)
		return rc;
	p = s->out + start;
	if (t == T_HEAD) {
		int bb[4] = { 0, 0, 0, 0 };

		/* The bounding box of every source, in the subset's units. */
		for (size_t k = 1; k < s->n; k++) {
			const struct file *fl = &s->f->files[s->g[k].font];

			for (int i = 0; i < 4; i++) {
				int v = sc(s, fl, s16(fl->tab[T_HEAD] + 36 + 2 * i));

				bb[i] = i < 2 ? (v < bb[i] ? v : bb[i]) : (v > bb[i] ? v : bb[i]);
			}
		}
		set32(p + 8, 0);
		set16(p + 18, s->upem);     /* base may be a smaller-unit font than one loaded but unused */
		for (int i = 0; i < 4; i++)
			set16(p + 36 + 2 * i, (unsigned)bb[i] & 0xffff);
		set16(p + 50, (unsigned)long_loca);
	} else if (t == T_HHEA) {
		int asc = sc(s, base, s16(p + 4)), desc = sc(s, base, s16(p + 6)), advmax = 0;

		for (size_t k = 1; k < s->n; k++) {
			const struct file *fl = &s->f->files[s->g[k].font];
			int a = sc(s, fl, s16(fl->tab[T_HHEA] + 4)), d = sc(s, fl, s16(fl->tab[T_HHEA] + 6));
			int w = sc(s, fl, (long)u16(fl->tab[T_HHEA] + 10));

			asc = a > asc ? a : asc;
			desc = d < desc ? d : desc;
			advmax = w > advmax ? w : advmax;
		}
		set16(p + 4, (unsigned)asc & 0xffff);
		set16(p + 6, (unsigned)desc & 0xffff);
		set16(p + 10, (unsigned)(advmax > 0xffff ? 0xffff : advmax));
		set16(p + 34, (unsigned)s->n);
	} else {
		unsigned comp_pts = 0, comp_contours = 0, comp_elems = 0, depth = 0;

		for (size_t k = 1; k < s->n; k++) {
			const unsigned char *m = s->f->files[s->g[k].font].tab[T_MAXP];

			comp_pts = u16(m + 10) > comp_pts ? u16(m + 10) : comp_pts;
			comp_contours = u16(m + 12) > comp_contours ? u16(m + 12) : comp_contours;
			comp_elems = u16(m + 28) > comp_elems ? u16(m + 28) : comp_elems;
			depth = u16(m + 30) > depth ? u16(m + 30) : depth;
		}
		/* No hinting: one zone, no storage, functions, stack or instructions. */
		memset(p + 14, 0, 18);
		set16(p + 4, (unsigned)s->n);
		set16(p + 6, s->max_pts);
		set16(p + 8, s->max_contours);
		set16(p + 10, comp_pts);
		set16(p + 12, comp_contours);
		set16(p + 14, 1);
		set16(p + 28, comp_elems);
		set16(p + 30, depth);
	}
	return 0;
}

/* Glyphs for g[0..n) and their components appended to the subset, encoded onto s->out. */
static int
add_chars(struct subset *s, const struct ec_glyph *g, size_t n)
{
	size_t from = s->n;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct file *fl = &s->f->files[g[i].font];
		hb_codepoint_t gid = 0;

		hb_font_get_nominal_glyph(fl->font, g[i].cp, &gid);
		if ((rc = add_glyph(s, g[i].font, gid)) != 0)
			return rc;
	}
	if ((rc = close_components(s, from == 0 ? 1 : from)) != 0)
		return rc;
	for (size_t k = from; k < s->n; k++) {
		s->loca[k] = s->len;
		if ((rc = write_glyph(s, k)) != 0)
			return rc;
	}
	s->loca[s->n] = s->len;
	return 0;
}

static int
subset_init(struct subset *s, const struct ec_fonts *f, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->f = f;
	s->cap = cap;
	/* One scale for every subset of these fonts: the largest units per em among them. */
	for (unsigned i = 0; i < f->nfiles; i++)
		s->upem = f->files[i].upem > s->upem ? f->files[i].upem : s->upem;
	if (cap > SUBSET_GLYPHS)
		return ec_err_set(EC_ERR_TOOBIG, "font subset is over %d glyphs", SUBSET_GLYPHS);
	s->g = malloc(cap * sizeof(*s->g));
	s->loca = malloc((cap + 1) * sizeof(*s->loca));
	return s->g == NULL || s->loca == NULL ? EC_ERR_NOMEM : 0;
}

static void
subset_free(struct subset *s)
{
	free(s->g);
	free(s->loca);
	free(s->out);
	free(s->pts);
	free(s->flags);
}

int
ec_font_prepare(const struct ec_fonts *f, const struct ec_glyph *g, size_t n, struct ec_font_prep **out)
{
	struct ec_font_prep *p = NULL;
	struct subset s;
	int rc;

	*out = NULL;
	if ((rc = subset_init(&s, f, n + 16)) != 0 || (p = calloc(1, sizeof(*p))) == NULL) {
		rc = rc ? rc : EC_ERR_NOMEM;
		goto out;
	}
	s.g[0].font = 0;
	s.g[0].gid = 0;
	s.loca[0] = 0;
	s.n = 1;
	if ((rc = add_chars(&s, g, n)) != 0)
		goto out;
	p->g = s.g;
	p->loca = s.loca;
	p->n = s.n;
	p->glyf = s.out;
	p->len = s.len;
	p->max_pts = s.max_pts;
	p->max_contours = s.max_contours;
	s.g = NULL;
	s.loca = NULL;
	s.out = NULL;
	*out = p;
	p = NULL;
out:
	free(p);
	subset_free(&s);
	return rc;
}

void
ec_font_prep_free(struct ec_font_prep *p)
{
	if (p == NULL)
		return;
	free(p->g);
	free(p->glyf);
	free(p->loca);
	free(p);
}

size_t
ec_font_prep_glyphs(const struct ec_font_prep *p)
{
	return p->n;
}

const unsigned char *
ec_font_prep_glyf(const struct ec_font_prep *p, size_t *len)
{
	*len = p->len;
	return p->glyf;
}

int
ec_font_subset(const struct ec_fonts *f, const struct ec_font_prep *p, const struct ec_glyph *g, size_t n,
    unsigned char **out, size_t *outlen)
{
	struct subset s;
	const struct file *base = NULL;
	size_t dir = EC_FONT_DIR, start[NTAB], tlen[NTAB];
	uint32_t total;
	int rc, long_loca;

	*out = NULL;
	*outlen = 0;
	if ((rc = subset_init(&s, f, p->n + n + 16)) != 0)
		goto out;
	s.cap_out = dir + p->len + 64 * n + 1024;
	if ((s.out = malloc(s.cap_out)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	/* The offset table and directory are filled in at the end; the prepared glyphs follow as they are. */
	memset(s.out, 0, dir);
	if (p->len > 0)
		memcpy(s.out + dir, p->glyf, p->len);
	memcpy(s.g, p->g, p->n * sizeof(*s.g));
	for (size_t k = 0; k < p->n; k++)
		s.loca[k] = dir + p->loca[k];
	s.n = p->n;
	s.len = dir + p->len;
	s.max_pts = p->max_pts;
	s.max_contours = p->max_contours;
	if ((rc = add_chars(&s, g, n)) != 0)
		goto out;
	start[T_GLYF] = dir;
	tlen[T_GLYF] = s.len - dir;
	long_loca = tlen[T_GLYF] > 0x1fffe;
	for (size_t k = 1; k < s.n; k++) {
		const struct file *fl = &f->files[s.g[k].font];

		if (base == NULL || fl->upem > base->upem)
			base = fl;
	}
	if (base == NULL)
		base = &f->files[0];
	for (int t = T_HEAD; t < NTAB; t++) {
		while (s.len % 4 != 0)
			if ((rc = put_bytes(&s, "", 1)) != 0)
				goto out;
		start[t] = s.len;
		if ((t == T_HEAD || t == T_HHEA || t == T_MAXP) && (rc = write_fixed(&s, t, base, long_loca, start[t])) != 0)
			goto out;
		for (size_t k = 0; t == T_HMTX && k < s.n; k++) {
			const struct file *fl = &f->files[s.g[k].font];
			const unsigned char *h = fl->tab[T_HMTX];
			uint32_t gl = s.g[k].gid, m = gl < fl->nhmetrics ? gl : fl->nhmetrics - 1;
			int lsb = gl < fl->nhmetrics ? s16(h + 4 * gl + 2) :
			    s16(h + 4 * fl->nhmetrics + 2 * (gl - fl->nhmetrics));

			if ((rc = put16(&s, (unsigned)sc(&s, fl, (long)u16(h + 4 * m)) & 0xffff)) != 0 ||
			    (rc = put16(&s, (unsigned)sc(&s, fl, lsb) & 0xffff)) != 0)
				goto out;
		}
		for (size_t k = 0; t == T_LOCA && k <= s.n; k++) {
			size_t o = s.loca[k] - dir;

			if ((long_loca && (rc = put16(&s, (unsigned)(o >> 16))) != 0) ||
			    (rc = put16(&s, long_loca ? (unsigned)(o & 0xffff) : (unsigned)(o / 2))) != 0)
				goto out;
		}
		tlen[t] = s.len - start[t];
	}
	while (s.len % 4 != 0)
		if ((rc = put_bytes(&s, "", 1)) != 0)
			goto out;
	/* Offset table and directory: 6 tables, searchRange 64, entrySelector 2, rangeShift 32. */
	set32(s.out, 0x00010000);
	set16(s.out + 4, NTAB);
	set16(s.out + 6, 64);
	set16(s.out + 8, 2);
	set16(s.out + 10, 16 * NTAB - 64);
	for (int t = 0; t < NTAB; t++) {
		unsigned char *e = s.out + 12 + 16 * t;

		memcpy(e, tags[t], 4);
		set32(e + 4, checksum(s.out + start[t], tlen[t]));
		set32(e + 8, (uint32_t)start[t]);
		set32(e + 12, (uint32_t)tlen[t]);
	}
	total = checksum(s.out, s.len);
	set32(s.out + start[T_HEAD] + 8, 0xb1b0afbaU - total);
	*out = s.out;
	*outlen = s.len;
	s.out = NULL;
	rc = 0;
out:
	subset_free(&s);
	return rc;
}
