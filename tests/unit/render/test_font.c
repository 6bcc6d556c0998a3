/*
 * Unit tests for fonts: refusals at load time (missing, not a font, CFF outlines, a face a .ttc lacks),
 * the fallback order of a chain, the Basic Multilingual Plane bound, and HarfBuzz subsets with their
 * renumbered character map (EC_FONT_CODE), read back by HarfBuzz.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hb.h>
#include <hb-ot.h>

#include "err.h"
#include "font.h"
#include "template.h"
#include "../helper_tmp.h"

#define SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define UMING "/usr/share/fonts/truetype/arphic/uming.ttc"
#define NANUM "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"

/* A template whose font lines are fonts; aborts the test when it does not parse. */
static struct ec_template *
tpl(const char *fonts)
{
	char buf[4096];
	struct ec_template *t;
	int rc;

	snprintf(buf, sizeof(buf), "ecert-template 1\npage a4 landscape\n%s"
	    "text 20 20 100 10 font=a size=12 \"{name}\"\nqr 200 150 30\n", fonts);
	if ((rc = ec_template_parse("t.tpl", buf, strlen(buf), &t)) != 0)
		fail_msg("template: %s", ec_err_msg(rc));
	return t;
}

/* ec_fonts_load of a template naming the one font file spec; *out stays NULL on error. */
static int
load_one(const char *spec, struct ec_fonts **out)
{
	char line[1024];
	struct ec_template *t;
	int rc;

	snprintf(line, sizeof(line), "font a %s\n", spec);
	t = tpl(line);
	*out = (struct ec_fonts *)1;
	rc = ec_fonts_load(t, out);
	/* The fonts do not borrow the template. */
	ec_template_free(t);
	return rc;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

static void
test_load_errors(void **state)
{
	const char *dir = *state;
	char path[256], msg[512];
	struct ec_fonts *f;
	hb_blob_t *blob;
	unsigned faces;
	FILE *fp;
	unsigned char head[12];

	/* A missing file: not found, named with the system's reason. */
	assert_int_equal(load_one("/nonexistent/font.ttf", &f), EC_ERR_NOTFOUND);
	assert_null(f);
	assert_string_equal(ec_err_msg(EC_ERR_NOTFOUND),
	    "cannot open font '/nonexistent/font.ttf': No such file or directory");

	/* A text file, an empty file and a bare TrueType header without tables are not fonts. */
	snprintf(path, sizeof(path), "%s/notes.ttf", dir);
	write_file(path, "these are not glyphs\n", 21);
	assert_int_equal(load_one(path, &f), EC_ERR_SYNTAX);
	assert_null(f);
	snprintf(msg, sizeof(msg), "'%s' is not a font file", path);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), msg);
	snprintf(path, sizeof(path), "%s/empty.ttf", dir);
	write_file(path, "", 0);
	assert_int_equal(load_one(path, &f), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "empty.ttf' is not a font file"));
	fp = fopen(SANS, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(head, 1, sizeof(head), fp), sizeof(head));
	fclose(fp);
	snprintf(path, sizeof(path), "%s/header.ttf", dir);
	write_file(path, head, sizeof(head));
	assert_int_equal(load_one(path, &f), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "header.ttf' is not a font file"));

	/* A directory cannot be read as a font. */
	assert_int_equal(load_one(dir, &f), EC_ERR_IO);
	assert_null(f);
	assert_non_null(strstr(ec_err_msg(EC_ERR_IO), "cannot read font"));

	/* A .ttc face index past the collection's last: refused, with how many faces it has. */
	blob = hb_blob_create_from_file(UMING);
	faces = hb_face_count(blob);
	hb_blob_destroy(blob);
	assert_true(faces >= 2);
	snprintf(path, sizeof(path), UMING "@%u", faces);
	assert_int_equal(load_one(path, &f), EC_ERR_SYNTAX);
	assert_null(f);
	snprintf(msg, sizeof(msg), "font '" UMING "' has no face %u (it has %u)", faces, faces);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), msg);
	/* A plain .ttf has face 0 only. */
	assert_int_equal(load_one(SANS "@1", &f), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "has no face 1 (it has 1)"));
	/* The last face of the collection loads. */
	snprintf(path, sizeof(path), UMING "@%u", faces - 1);
	assert_int_equal(load_one(path, &f), 0);
	assert_non_null(f);
	assert_int_equal(ec_fonts_count(f), 1);
	ec_fonts_free(f);

	/* One bad file in a chain fails the whole load, even after good ones; nothing is returned. */
	assert_int_equal(load_one(SANS " " NANUM " /nonexistent/second.ttf", &f), EC_ERR_NOTFOUND);
	assert_null(f);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "/nonexistent/second.ttf"));
	ec_fonts_free(NULL);
}

/* A font with CFF (PostScript) outlines has no glyf table: libharu cannot embed it. */
static void
test_load_cff(void **state)
{
	glob_t g;
	struct ec_fonts *f;
	char msg[1024];

	(void)state;
	if (glob("/usr/share/fonts/opentype/urw-base35/*.otf", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
		globfree(&g);
		skip();
	}
	assert_int_equal(load_one(g.gl_pathv[0], &f), EC_ERR_UNSUPPORTED);
	assert_null(f);
	snprintf(msg, sizeof(msg), "font '%s' has no TrueType outlines (CFF fonts cannot be embedded)", g.gl_pathv[0]);
	assert_string_equal(ec_err_msg(EC_ERR_UNSUPPORTED), msg);
	globfree(&g);
}

/* The first font of a chain that has a character wins; the order of the chain decides. */
static void
test_pick(void **state)
{
	/* a: DejaVu, UMing, Nanum; b: Nanum, then DejaVu again (loaded once); c: DejaVu alone. */
	struct ec_template *t = tpl("font a " SANS " " UMING "@0 " NANUM "\nfont b " NANUM " " SANS "\nfont c " SANS "\n");
	struct ec_fonts *f;

	(void)state;
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	assert_int_equal(ec_fonts_count(f), 3);
	assert_int_equal(ec_fonts_families(f), 3);
	assert_non_null(strstr(ec_font_path(f, 0), "DejaVuSans.ttf"));
	assert_non_null(strstr(ec_font_path(f, 1), "uming.ttc"));
	assert_non_null(strstr(ec_font_path(f, 2), "NanumGothic.ttf"));
	assert_int_equal(ec_font_upem(f, 0), 2048);
	assert_int_equal(ec_font_upem(f, 1), 1024);
	assert_int_equal(ec_font_upem(f, 2), 1000);
	assert_non_null(ec_font_hb(f, 0));
	assert_true(ec_font_hb(f, 0) != ec_font_hb(f, 1));
	/* Capital height in thousandths of an em: DejaVu Sans's OS/2 says 1493 of 2048 units. */
	assert_int_equal(ec_font_cap_height(f, 0), 728);
	for (unsigned k = 1; k < 3; k++)
		assert_true(ec_font_cap_height(f, k) > 500 && ec_font_cap_height(f, k) < 900);

	/* All three have 'A' and the space: the first of the chain is taken. */
	for (unsigned k = 0; k < 3; k++) {
		assert_true(ec_font_covers(f, k, 'A'));
		assert_true(ec_font_covers(f, k, ' '));
	}
	assert_int_equal(ec_font_pick(f, 0, 'A'), 0);
	assert_int_equal(ec_font_pick(f, 1, 'A'), 2);
	assert_int_equal(ec_font_pick(f, 2, 'A'), 0);
	/* U+674E (a Han ideograph): UMing and Nanum both have it; UMing comes first in a, Nanum in b. */
	assert_true(ec_font_covers(f, 1, 0x674e) && ec_font_covers(f, 2, 0x674e));
	assert_false(ec_font_covers(f, 0, 0x674e));
	assert_int_equal(ec_font_pick(f, 0, 0x674e), 1);
	assert_int_equal(ec_font_pick(f, 1, 0x674e), 2);
	assert_int_equal(ec_font_pick(f, 2, 0x674e), -1);
	/* U+AE40 (a Hangul syllable): Nanum alone, third in a's chain. */
	assert_false(ec_font_covers(f, 0, 0xae40));
	assert_false(ec_font_covers(f, 1, 0xae40));
	assert_int_equal(ec_font_pick(f, 0, 0xae40), 2);
	assert_int_equal(ec_font_pick(f, 1, 0xae40), 2);
	assert_int_equal(ec_font_pick(f, 2, 0xae40), -1);
	/* U+0416 (Cyrillic) is DejaVu's in a; b falls back to DejaVu only if Nanum lacks it. */
	assert_int_equal(ec_font_pick(f, 0, 0x416), 0);
	assert_int_equal(ec_font_pick(f, 1, 0x416), ec_font_covers(f, 2, 0x416) ? 2 : 0);
	/* U+00E9 is DejaVu's in c; U+1200 (Ethiopic) nobody's; a family past the last: -1. */
	assert_int_equal(ec_font_pick(f, 2, 0xe9), 0);
	assert_int_equal(ec_font_pick(f, 0, 0x1200), -1);
	assert_int_equal(ec_font_pick(f, 3, 'A'), -1);
	assert_int_equal(ec_font_pick(f, 100, 'A'), -1);
	ec_fonts_free(f);
}

/* The first code point above the BMP that the file's own character map has, or 0. */
static uint32_t
first_astral(const char *path, unsigned index)
{
	hb_blob_t *blob = hb_blob_create_from_file(path);
	hb_face_t *face = hb_face_create(blob, index);
	hb_set_t *s = hb_set_create();
	hb_codepoint_t cp = 0xffff;

	hb_face_collect_unicodes(face, s);
	if (!hb_set_next(s, &cp))
		cp = 0;
	hb_set_destroy(s);
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	return cp;
}

/* Characters outside the Basic Multilingual Plane are never covered, even where the file has a glyph. */
static void
test_astral(void **state)
{
	struct ec_template *t = tpl("font a " SANS " " UMING "@0\n");
	struct ec_fonts *f;
	uint32_t sans = first_astral(SANS, 0), uming = first_astral(UMING, 0);

	(void)state;
	/* Both files do map some: DejaVu Old Italic, UMing CJK Extension B. */
	assert_true(sans > 0xffff);
	assert_true(uming > 0xffff);
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	assert_false(ec_font_covers(f, 0, sans));
	assert_false(ec_font_covers(f, 1, uming));
	assert_int_equal(ec_font_pick(f, 0, sans), -1);
	assert_int_equal(ec_font_pick(f, 0, uming), -1);
	assert_int_equal(ec_font_pick(f, 0, 0x1f600), -1);
	assert_int_equal(ec_font_pick(f, 0, 0x10ffff), -1);
	/* The top of the BMP stays: U+FFFD is DejaVu's. */
	assert_int_equal(ec_font_pick(f, 0, 0xfffd), 0);
	ec_fonts_free(f);
}

/* src's nominal glyph of cp and sub's glyph gid are the same drawing: extents and advance. */
static void
same_glyph(hb_font_t *sub, hb_codepoint_t gid, hb_font_t *src, uint32_t cp)
{
	hb_glyph_extents_t a, b;
	hb_codepoint_t g = 0;

	assert_true(hb_font_get_nominal_glyph(src, cp, &g));
	assert_true(hb_font_get_glyph_extents(sub, gid, &a));
	assert_true(hb_font_get_glyph_extents(src, g, &b));
	if (a.x_bearing != b.x_bearing || a.y_bearing != b.y_bearing || a.width != b.width || a.height != b.height)
		fail_msg("U+%04X: glyph %u extents %d %d %d %d, source %d %d %d %d", cp, gid, a.x_bearing, a.y_bearing,
		    a.width, a.height, b.x_bearing, b.y_bearing, b.width, b.height);
	assert_int_equal(hb_font_get_glyph_h_advance(sub, gid), hb_font_get_glyph_h_advance(src, g));
}

static int
has_table(hb_face_t *face, const char *tag)
{
	hb_blob_t *t = hb_face_reference_table(face, hb_tag_from_string(tag, 4));
	unsigned len = hb_blob_get_length(t);

	hb_blob_destroy(t);
	return len > 0;
}

/*
 * What a PDF embeds of the subset prog (HarfBuzz's font sub): the tables that draw glyphs, every glyph
 * as in sub, and none of the tables a PDF says itself.
 */
static void
check_embedded(const unsigned char *prog, size_t len, hb_font_t *sub)
{
	static const char *const kept[] = { "glyf", "loca", "head", "hhea", "hmtx", "maxp" };
	static const char *const gone[] = { "cmap", "name", "post", "OS/2" };
	unsigned char *e;
	size_t elen;
	hb_blob_t *blob;
	hb_face_t *face;
	hb_font_t *font;
	unsigned n = hb_face_get_glyph_count(hb_font_get_face(sub));

	assert_int_equal(ec_font_embedded(prog, len, &e, &elen), 0);
	assert_true(elen > 0 && elen < len);
	blob = hb_blob_create((const char *)e, (unsigned)elen, HB_MEMORY_MODE_READONLY, NULL, NULL);
	face = hb_face_create(blob, 0);
	font = hb_font_create(face);
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (!has_table(face, kept[i]))
			fail_msg("embedded program lacks '%s'", kept[i]);
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (has_table(face, gone[i]))
			fail_msg("embedded program keeps '%s'", gone[i]);
	assert_int_equal(hb_face_get_glyph_count(face), n);
	assert_int_equal(hb_face_get_upem(face), hb_face_get_upem(hb_font_get_face(sub)));
	for (hb_codepoint_t g = 0; g < n; g++) {
		hb_glyph_extents_t a, b;

		assert_int_equal(hb_font_get_glyph_extents(font, g, &a), hb_font_get_glyph_extents(sub, g, &b));
		assert_memory_equal(&a, &b, sizeof a);
		assert_int_equal(hb_font_get_glyph_h_advance(font, g), hb_font_get_glyph_h_advance(sub, g));
	}
	hb_font_destroy(font);
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	free(e);
}

/* Subset cps[0..n) of font, read it back with HarfBuzz and check its renumbered map against src. */
static void
check_subset(const struct ec_fonts *f, unsigned font, const uint32_t *cps, size_t n, size_t maxlen, unsigned maxglyphs)
{
	unsigned char *out, *again;
	size_t len, alen;
	hb_blob_t *blob;
	hb_face_t *face;
	hb_font_t *sub, *src = ec_font_hb(f, font);
	hb_codepoint_t g;
	static const char *const needed[] = { "glyf", "loca", "head", "hhea", "hmtx", "maxp", "cmap" };
	static const char *const gone[] = { "GSUB", "GPOS", "GDEF", "kern", "fpgm", "prep", "cvt " };

	assert_int_equal(ec_font_subset(f, font, cps, n, &out, &len), 0);
	/* One TrueType font (not a collection, even from a .ttc), far smaller than its source. */
	assert_memory_equal(out, "\x00\x01\x00\x00", 4);
	assert_true(len > 100 && len < maxlen);
	/* The same input gives the same bytes. */
	assert_int_equal(ec_font_subset(f, font, cps, n, &again, &alen), 0);
	assert_int_equal(alen, len);
	assert_memory_equal(again, out, len);
	free(again);

	blob = hb_blob_create((const char *)out, (unsigned)len, HB_MEMORY_MODE_READONLY, NULL, NULL);
	assert_int_equal(hb_face_count(blob), 1);
	face = hb_face_create(blob, 0);
	assert_true(face != hb_face_get_empty());
	sub = hb_font_create(face);
	assert_int_equal(hb_face_get_upem(face), ec_font_upem(f, font));
	/* What libharu needs is there; layout tables (shaping is done) and hinting are not. */
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!has_table(face, needed[i]))
			fail_msg("subset of %s lacks '%s'", ec_font_path(f, font), needed[i]);
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (has_table(face, gone[i]))
			fail_msg("subset of %s keeps '%s'", ec_font_path(f, font), gone[i]);
	/* .notdef and the characters' glyphs, plus the components of composite glyphs, no more. */
	assert_true(hb_face_get_glyph_count(face) >= 2);
	if (hb_face_get_glyph_count(face) > maxglyphs)
		fail_msg("subset of %zu characters has %u glyphs", n, hb_face_get_glyph_count(face));
	/* Code EC_FONT_CODE(i) shows cps[i], drawn as in the source; no code has a zero byte (libharu takes C strings). */
	for (size_t i = 0; i < n; i++) {
		unsigned code = EC_FONT_CODE(i);

		assert_true(code <= 0xffff && (code & 0xff) != 0 && (code >> 8) != 0);
		assert_true(i == 0 || code > EC_FONT_CODE(i - 1));
		g = 0;
		if (!hb_font_get_nominal_glyph(sub, code, &g) || g == 0)
			fail_msg("code 0x%04x (U+%04X) has no glyph in the subset", code, cps[i]);
		same_glyph(sub, g, src, cps[i]);
	}
	/* Nothing else is mapped: not the codes around the range, nor the characters themselves. */
	assert_false(hb_font_get_nominal_glyph(sub, EC_FONT_CODE(0) - 1, &g));
	assert_false(hb_font_get_nominal_glyph(sub, EC_FONT_CODE(n), &g));
	assert_false(hb_font_get_nominal_glyph(sub, EC_FONT_CODE(n - 1) + 1, &g));
	for (size_t i = 0; i < n; i++) {
		int ours = 0;

		for (size_t j = 0; j < n && !ours; j++)
			ours = cps[i] == EC_FONT_CODE(j);
		if (!ours)
			assert_false(hb_font_get_nominal_glyph(sub, cps[i], &g));
	}
	check_embedded(out, len, sub);
	hb_font_destroy(sub);
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	free(out);
}

static void
test_subset(void **state)
{
	struct ec_template *t = tpl("font a " SANS " " UMING "@0 " NANUM "\n");
	/* 'Z', e-dieresis, e-circumflex-tilde (a composite of three in DejaVu), en dash, U+FB01 (the fi ligature character). */
	const uint32_t latin[] = { 'Z', 0xeb, 0x1ec5, 0x2013, 0xfb01 };
	const uint32_t han[] = { 0x674e, 0x745e };
	const uint32_t hangul[] = { 'K', 0xae40, 0xbbfc, 0xc218 };
	struct ec_fonts *f, *f2;
	unsigned char *a, *b;
	size_t alen, blen;
	hb_blob_t *blob;
	hb_face_t *face;
	char name[64];
	unsigned nlen = sizeof(name);

	(void)state;
	assert_int_equal(ec_fonts_load(t, &f), 0);
	check_subset(f, 0, latin, 5, 30000, 12);
	check_subset(f, 1, han, 2, 30000, 3);
	check_subset(f, 2, hangul, 4, 30000, 5);
	check_subset(f, 0, latin + 2, 1, 30000, 8);

	/* Another load of the same files gives the same bytes; other characters give others. */
	assert_int_equal(ec_fonts_load(t, &f2), 0);
	ec_template_free(t);
	assert_int_equal(ec_font_subset(f, 0, latin, 5, &a, &alen), 0);
	assert_int_equal(ec_font_subset(f2, 0, latin, 5, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(b);
	assert_int_equal(ec_font_subset(f2, 0, latin, 4, &b, &blen), 0);
	assert_true(blen != alen || memcmp(a, b, alen) != 0);
	free(b);
	ec_fonts_free(f2);

	/* The PostScript name libharu reads survives; the copyright notice does not travel. */
	blob = hb_blob_create((const char *)a, (unsigned)alen, HB_MEMORY_MODE_READONLY, NULL, NULL);
	face = hb_face_create(blob, 0);
	assert_true(hb_ot_name_get_utf8(face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &nlen, name) > 0);
	assert_string_equal(name, "DejaVuSans");
	nlen = sizeof(name);
	assert_int_equal(hb_ot_name_get_utf8(face, HB_OT_NAME_ID_COPYRIGHT, HB_LANGUAGE_INVALID, &nlen, name), 0);
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	free(a);
	ec_fonts_free(f);
}

/* A larger subset: 2000 Hangul syllables, codes over 8 segments of 255, each showing its own glyph. */
static void
test_subset_many(void **state)
{
	struct ec_template *t = tpl("font a " NANUM "\n");
	uint32_t cps[2000];
	struct ec_fonts *f;

	(void)state;
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	for (size_t i = 0; i < 2000; i++)
		cps[i] = 0xac00 + 5 * (uint32_t)i;
	check_subset(f, 0, cps, 2000, 2000000, 4000);
	ec_fonts_free(f);
}

static void
test_subset_errors(void **state)
{
	struct ec_template *t = tpl("font a " SANS "\n");
	const uint32_t one[] = { 'A' };
	struct ec_fonts *f;
	unsigned char *out = (unsigned char *)1;
	size_t len = 7;

	(void)state;
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	assert_int_equal(ec_font_subset(f, 0, one, 0, &out, &len), EC_ERR_TOOBIG);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_string_equal(ec_err_msg(EC_ERR_TOOBIG), "0 characters for one font subset (1 to 32000)");
	/* Past the codes a subset can number: refused before the characters are read. */
	out = (unsigned char *)1;
	assert_int_equal(ec_font_subset(f, 0, one, EC_FONT_CODES + 1, &out, &len), EC_ERR_TOOBIG);
	assert_null(out);
	assert_non_null(strstr(ec_err_msg(EC_ERR_TOOBIG), "32001 characters"));
	ec_fonts_free(f);
	/* Bytes that are no font have nothing to embed. */
	out = (unsigned char *)1;
	assert_int_equal(ec_font_embedded((const unsigned char *)"not a font at all", 17, &out, &len), EC_ERR_SYNTAX);
	assert_null(out);
	assert_int_equal(len, 0);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "font program of 17 bytes has no glyphs");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_errors, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test(test_load_cff),
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_astral),
		cmocka_unit_test(test_subset),
		cmocka_unit_test(test_subset_many),
		cmocka_unit_test(test_subset_errors),
	};

	return cmocka_run_group_tests_name("font", tests, NULL, NULL);
}
