/*
 * Font files parsed once into HarfBuzz faces and fonts (coverage by fallback chain, shaping,
 * outlines), and per-document subsets made by HarfBuzz's subsetter for libharu to embed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hb.h>
#include <hb-ot.h>
#include <hb-subset.h>

#include "err.h"
#include "font.h"

#define FILES_MAX (EC_TPL_FAMILIES * EC_TPL_CHAIN)

struct file {
	char path[EC_TPL_PATH_MAX];
	unsigned index;
	hb_face_t *face;
	hb_font_t *font;
	hb_set_t *cover;      /* code points of the Basic Multilingual Plane with a glyph */
	unsigned upem;
};

struct ec_fonts {
	unsigned nfiles, nfamilies;
	struct file files[FILES_MAX];
	struct {
		unsigned n;
		unsigned file[EC_TPL_CHAIN];
	} families[EC_TPL_FAMILIES];
};

/* Tables libharu reads to embed a TrueType font; a font lacking one of them cannot be used. */
static const char *const needed[] = { "glyf", "loca", "head", "hhea", "hmtx", "maxp", "cmap" };

/* Tables a PDF font program does not use: shaping happened before, and hinting is dropped. */
static const char *const dropped[] = { "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern", "morx", "kerx",
	"DSIG", "gasp", "hdmx", "LTSH", "VDMX", "vhea", "vmtx", "meta", "STAT", "fvar", "gvar", "avar", "HVAR",
	"MVAR", "cvar", "COLR", "CPAL", "SVG ", "sbix", "CBDT", "CBLC", "EBDT", "EBLC", "EBSC", "prop", "feat" };

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
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
		hb_blob_t *t = hb_face_reference_table(fl->face, hb_tag_from_string(needed[i], 4));
		unsigned len = hb_blob_get_length(t);

		hb_blob_destroy(t);
		if (len == 0) {
			rc = i == 0 ? ec_err_set(EC_ERR_UNSUPPORTED, "font '%s' has no TrueType outlines (CFF fonts "
			    "cannot be embedded)", path) : ec_err_set(EC_ERR_UNSUPPORTED, "font '%s' has no '%s' table", path,
			    needed[i]);
			goto out;
		}
	}
	fl->upem = hb_face_get_upem(fl->face);
	fl->font = hb_font_create(fl->face);
	fl->cover = hb_set_create();
	if (!hb_set_allocation_successful(fl->cover) || fl->font == hb_font_get_empty()) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	hb_face_collect_unicodes(fl->face, fl->cover);
	/* ecert prints the Basic Multilingual Plane only: names beyond it are refused (lib/base/name.c). */
	hb_set_del_range(fl->cover, 0x10000, HB_SET_VALUE_INVALID - 1);
	if (fl->upem < 16 || hb_set_is_empty(fl->cover)) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "font '%s' has no Unicode character map or a bad 'head' table", path);
		goto out;
	}
	hb_face_make_immutable(fl->face);
	hb_font_make_immutable(fl->font);
	rc = 0;
out:
	hb_blob_destroy(blob);
	return rc;
}

static void
close_file(struct file *fl)
{
	hb_font_destroy(fl->font);
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

unsigned
ec_fonts_families(const struct ec_fonts *f)
{
	return f->nfamilies;
}

const char *
ec_font_path(const struct ec_fonts *f, unsigned font)
{
	return f->files[font].path;
}

int
ec_font_covers(const struct ec_fonts *f, unsigned font, uint32_t cp)
{
	return hb_set_has(f->files[font].cover, cp);
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

hb_font_t *
ec_font_hb(const struct ec_fonts *f, unsigned font)
{
	return f->files[font].font;
}

unsigned
ec_font_upem(const struct ec_fonts *f, unsigned font)
{
	return f->files[font].upem;
}

int
ec_font_cap_height(const struct ec_fonts *f, unsigned font)
{
	const struct file *fl = &f->files[font];
	hb_position_t h = 0;

	/* The font's scale is its units per em (hb_font_create's default). */
	hb_ot_metrics_get_position_with_fallback(fl->font, HB_OT_METRICS_TAG_CAP_HEIGHT, &h);
	return (int)((long)h * 1000 / (long)fl->upem);
}

/*
 * A cmap table with one format 4 subtable (3, 1): code EC_FONT_CODE(i) shows glyph gid[i]. Codes
 * run in segments of up to 255 (one per high byte), each mapped through the glyph id array.
 */
static hb_blob_t *
dense_cmap(const uint16_t *gid, size_t n)
{
	size_t nseg = (n + 254) / 255 + 1, len = 12 + 16 + 8 * nseg + 2 * n, k = 0;
	unsigned char *p = calloc(1, len);
	unsigned sr = 1, es = 0;

	if (p == NULL)
		return NULL;
	while (sr * 2 <= nseg)
		sr *= 2, es++;
#define PUT16(v) (p[k++] = (unsigned char)((v) >> 8), p[k++] = (unsigned char)(v))
	/* version, one table (3, 1) at offset 12 (32 bits); format 4, length, language, segment search fields */
	PUT16(0), PUT16(1), PUT16(3), PUT16(1), PUT16(0), PUT16(12);
	PUT16(4), PUT16(len - 12), PUT16(0), PUT16(2 * nseg), PUT16(2 * sr), PUT16(es), PUT16(2 * (nseg - sr));
	for (size_t s = 0; s + 1 < nseg; s++)
		PUT16(EC_FONT_CODE(s * 255 + (n - s * 255 < 255 ? n - s * 255 : 255) - 1));
	PUT16(0xffff), PUT16(0);
	for (size_t s = 0; s + 1 < nseg; s++)
		PUT16(EC_FONT_CODE(s * 255));
	PUT16(0xffff);
	for (size_t s = 0; s + 1 < nseg; s++)
		PUT16(0);
	PUT16(1);
	/* Each range offset points from its own slot to its first glyph in the array that follows. */
	for (size_t s = 0; s + 1 < nseg; s++)
		PUT16(2 * (nseg - s) + 2 * 255 * s);
	PUT16(0);
	for (size_t i = 0; i < n; i++)
		PUT16(gid[i]);
#undef PUT16
	return hb_blob_create_or_fail((const char *)p, (unsigned)len, HB_MEMORY_MODE_WRITABLE, p, free);
}

/* A serialized font's bytes, malloc'd for the caller; an empty blob is HarfBuzz's failure to allocate. */
static int
blob_copy(hb_blob_t *blob, unsigned char **out, size_t *outlen)
{
	unsigned n;
	const char *data = hb_blob_get_data(blob, &n);

	if (n == 0 || (*out = malloc(n)) == NULL)
		return EC_ERR_NOMEM;
	memcpy(*out, data, n);
	*outlen = n;
	return 0;
}

/* Add to builder b each non-empty table of face that want() takes. 0, or EC_ERR_NOMEM. */
static int
copy_tables(hb_face_t *face, hb_face_t *b, int (*want)(hb_tag_t))
{
	hb_tag_t tags[64];
	unsigned count, at = 0;

	do {
		count = sizeof tags / sizeof tags[0];
		hb_face_get_table_tags(face, at, &count, tags);
		for (unsigned i = 0; i < count; i++) {
			hb_blob_t *t;
			hb_bool_t ok;

			if (!want(tags[i]))
				continue;
			t = hb_face_reference_table(face, tags[i]);
			ok = hb_blob_get_length(t) == 0 || hb_face_builder_add_table(b, tags[i], t);
			hb_blob_destroy(t);
			if (!ok)
				return EC_ERR_NOMEM;
		}
		at += count;
	} while (count == sizeof tags / sizeof tags[0]);
	return 0;
}

static int
not_cmap(hb_tag_t tag)
{
	return tag != HB_TAG('c', 'm', 'a', 'p');
}

/* The subset's tables with cmap replaced by the dense one, serialized by HarfBuzz's face builder. */
static int
renumber(hb_face_t *sub, const uint32_t *cps, size_t n, hb_blob_t **out)
{
	hb_font_t *font = hb_font_create(sub);
	hb_face_t *b = hb_face_builder_create();
	hb_blob_t *cmap = NULL;
	uint16_t *gid = malloc((n ? n : 1) * sizeof *gid);
	int rc = EC_ERR_NOMEM;

	*out = NULL;
	if (gid == NULL || b == hb_face_get_empty())
		goto out;
	for (size_t i = 0; i < n; i++) {
		hb_codepoint_t g = 0;

		hb_font_get_nominal_glyph(font, cps[i], &g);
		gid[i] = (uint16_t)g;
	}
	if ((cmap = dense_cmap(gid, n)) == NULL || !hb_face_builder_add_table(b, HB_TAG('c', 'm', 'a', 'p'), cmap) ||
	    copy_tables(sub, b, not_cmap) != 0)
		goto out;
	*out = hb_face_reference_blob(b);
	rc = hb_blob_get_length(*out) > 0 ? 0 : EC_ERR_NOMEM;
out:
	hb_blob_destroy(cmap);
	hb_face_destroy(b);
	hb_font_destroy(font);
	free(gid);
	return rc;
}

int
ec_font_subset(const struct ec_fonts *f, unsigned font, const uint32_t *cps, size_t n, unsigned char **out,
    size_t *outlen)
{
	const struct file *fl = &f->files[font];
	hb_subset_input_t *in;
	hb_face_t *sub = NULL;
	hb_blob_t *blob = NULL;
	hb_set_t *u, *drop, *names;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (n == 0 || n > EC_FONT_CODES)
		return ec_err_set(EC_ERR_TOOBIG, "%zu characters for one font subset (1 to %d)", n, EC_FONT_CODES);
	if ((in = hb_subset_input_create_or_fail()) == NULL)
		return EC_ERR_NOMEM;
	u = hb_subset_input_unicode_set(in);
	for (size_t i = 0; i < n; i++)
		hb_set_add(u, cps[i]);
	drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
	for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
		hb_set_add(drop, hb_tag_from_string(dropped[i], 4));
	/* libharu reads the family and PostScript names; copyright and licence text need not travel. */
	names = hb_subset_input_set(in, HB_SUBSET_SETS_NAME_ID);
	hb_set_clear(names);
	hb_set_add(names, 1);
	hb_set_add(names, 2);
	hb_set_add(names, 6);
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	if (!hb_set_allocation_successful(u) || !hb_set_allocation_successful(drop) || !hb_set_allocation_successful(names)) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	if ((sub = hb_subset_or_fail(fl->face, in)) == NULL) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "HarfBuzz cannot subset font '%s'", fl->path);
		goto out;
	}
	/* A subset face is a builder face, which cannot list its tables: read its serialized form again. */
	blob = hb_face_reference_blob(sub);
	hb_face_destroy(sub);
	sub = hb_face_create(blob, 0);
	hb_blob_destroy(blob);
	blob = NULL;
	if ((rc = renumber(sub, cps, n, &blob)) != 0)
		goto out;
	rc = blob_copy(blob, out, outlen);
out:
	hb_blob_destroy(blob);
	hb_face_destroy(sub);
	hb_subset_input_destroy(in);
	return rc;
}

/*
 * What a viewer draws a CIDFontType2 font's glyphs with. The PDF maps codes to glyphs itself
 * (/CIDToGIDMap) and gives the widths (/W), names (/BaseFont) and metrics (/FontDescriptor), so
 * the character map, naming, PostScript and OS/2 tables need not travel.
 */
static int
draws_glyphs(hb_tag_t tag)
{
	static const hb_tag_t keep[] = { HB_TAG('g', 'l', 'y', 'f'), HB_TAG('l', 'o', 'c', 'a'), HB_TAG('h', 'e', 'a', 'd'),
		HB_TAG('h', 'h', 'e', 'a'), HB_TAG('h', 'm', 't', 'x'), HB_TAG('m', 'a', 'x', 'p'), HB_TAG('c', 'v', 't', ' '),
		HB_TAG('f', 'p', 'g', 'm'), HB_TAG('p', 'r', 'e', 'p') };

	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (tag == keep[i])
			return 1;
	return 0;
}

int
ec_font_embedded(const unsigned char *prog, size_t len, unsigned char **out, size_t *outlen)
{
	hb_blob_t *blob = NULL, *res = NULL;
	hb_face_t *face = NULL, *b = hb_face_builder_create();
	int rc = EC_ERR_NOMEM;

	*out = NULL;
	*outlen = 0;
	if (len > UINT_MAX) {
		rc = ec_err_set(EC_ERR_TOOBIG, "font program of %zu bytes", len);
		goto out;
	}
	blob = hb_blob_create_or_fail((const char *)prog, (unsigned)len, HB_MEMORY_MODE_READONLY, NULL, NULL);
	if (blob == NULL || b == hb_face_get_empty())
		goto out;
	face = hb_face_create(blob, 0);
	if (hb_face_get_glyph_count(face) == 0) {
		rc = ec_err_set(EC_ERR_SYNTAX, "font program of %zu bytes has no glyphs", len);
		goto out;
	}
	if ((rc = copy_tables(face, b, draws_glyphs)) != 0)
		goto out;
	res = hb_face_reference_blob(b);
	rc = blob_copy(res, out, outlen);
out:
	hb_blob_destroy(res);
	hb_face_destroy(face);
	hb_face_destroy(b);
	hb_blob_destroy(blob);
	return rc;
}
