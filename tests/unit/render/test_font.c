/* Unit tests for fonts: loading, coverage through fallback chains, refusal messages, subsets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hb.h>

#include "err.h"
#include "font.h"
#include "template.h"

#define SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define UMING "/usr/share/fonts/truetype/arphic/uming.ttc"

static struct ec_template *
tpl(const char *fonts)
{
	char buf[2048];
	struct ec_template *t;

	snprintf(buf, sizeof(buf), "ecert-template 1\npage a4 landscape\n%s"
	    "text 20 20 100 10 font=a size=12 \"{name}\"\nqr 200 150 30\n", fonts);
	if (ec_template_parse("t.tpl", buf, strlen(buf), &t) != 0)
		fail_msg("%s", ec_err_msg(EC_ERR_SYNTAX));
	return t;
}

static void
test_coverage(void **state)
{
	struct ec_template *t = tpl("font a " SANS " " UMING "@0\nfont b " SANS "\n");
	struct ec_fonts *f;
	const char *msg;

	(void)state;
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	/* DejaVu Sans is loaded once for both families. */
	assert_int_equal(ec_fonts_count(f), 2);
	assert_int_equal(ec_font_pick(f, 0, 'A'), 0);
	assert_int_equal(ec_font_pick(f, 0, 0x674e), 1);
	assert_int_equal(ec_font_pick(f, 1, 0x674e), -1);
	assert_int_equal(ec_font_pick(f, 7, 'A'), -1);
	assert_int_equal(ec_font_advance(f, 1, 0x674e), 1000);
	assert_true(ec_font_advance(f, 0, 'i') < ec_font_advance(f, 0, 'W'));
	assert_non_null(strstr(ec_font_path(f, 1), "uming"));

	assert_int_equal(ec_font_check_text(f, "Zoë O'Brien Анна Αλέξανδρος Nguyễn"), 0);
	assert_int_equal(ec_font_check_text(f, ""), 0);
	/* CJK is in family a's chain but not in b's: refused, named. */
	assert_int_equal(ec_font_check_text(f, "李瑞瑞"), EC_ERR_SYNTAX);
	msg = ec_err_msg(EC_ERR_SYNTAX);
	assert_string_equal(msg, "no font covers U+674E '李', U+745E '瑞'");
	assert_int_equal(ec_font_check_text(f, "a\xf0\x9f\x98\x80"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+1F600 '\xf0\x9f\x98\x80'");
	assert_int_equal(ec_font_check_text(f, "\x07"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+0007");
	assert_int_equal(ec_font_check_text(f, "ሀሁሂሃሄህሆሇለ"), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "and 1 more"));
	assert_int_equal(ec_font_check_text(f, "a\xff"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "invalid UTF-8 in text");
	ec_fonts_free(f);
}

/* The source glyph of cp, as HarfBuzz sees it in the font file. */
static hb_font_t *
source(const char *path, unsigned index)
{
	hb_blob_t *blob = hb_blob_create_from_file(path);
	hb_face_t *face = hb_face_create(blob, index);
	hb_font_t *font = hb_font_create(face);

	hb_face_destroy(face);
	hb_blob_destroy(blob);
	return font;
}

/* Glyph gid of sub draws cp of src at scale k (integral): same extents and advance, in HarfBuzz's reading. */
static void
same_glyph(hb_font_t *sub, unsigned gid, hb_font_t *src, uint32_t cp, int k)
{
	hb_glyph_extents_t a, b;
	hb_codepoint_t g = 0;

	assert_true(hb_font_get_nominal_glyph(src, cp, &g));
	assert_true(hb_font_get_glyph_extents(sub, gid, &a));
	assert_true(hb_font_get_glyph_extents(src, g, &b));
	if (a.x_bearing != k * b.x_bearing || a.y_bearing != k * b.y_bearing || a.width != k * b.width ||
	    a.height != k * b.height)
		fail_msg("U+%04X: glyph %u extents %d %d %d %d, source %d %d %d %d x%d", cp, gid, a.x_bearing,
		    a.y_bearing, a.width, a.height, b.x_bearing, b.y_bearing, b.width, b.height, k);
	assert_int_equal(hb_font_get_glyph_h_advance(sub, gid), k * hb_font_get_glyph_h_advance(src, g));
}

static void
test_subset(void **state)
{
	struct ec_template *t = tpl("font a " SANS " " UMING "@0\n");
	/* Fixed: Latin and CJK; the document's own: a composite (e + dieresis), a stacked one, CJK, a repeat. */
	const struct ec_glyph fixed[] = { { 0, 'A' }, { 0, 'Z' }, { 1, 0x674e } };
	const struct ec_glyph own[] = { { 0, 0xeb }, { 0, 0x1ec5 }, { 1, 0x745e }, { 0, 'A' } };
	struct ec_fonts *f;
	struct ec_font_prep *p;
	const struct ec_font_metrics *m;
	unsigned char *out, *again;
	const unsigned char *glyf;
	size_t len, alen, glen, first;
	hb_blob_t *blob;
	hb_face_t *face;
	hb_font_t *sub, *sans, *uming;

	(void)state;
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	m = ec_font_metrics(f, 0);
	assert_string_equal(m->psname, "DejaVuSans");
	assert_true(m->ascent > 700 && m->descent < 0 && m->cap_height > 600 && m->bbox[2] > m->bbox[0]);
	assert_string_equal(ec_font_metrics(f, 1)->psname, "UMingCN");
	assert_int_equal(ec_font_upem(f, 0), 2048);
	assert_int_equal(ec_font_upem(f, 1), 1024);

	assert_int_equal(ec_font_prepare(f, fixed, 3, &p), 0);
	first = ec_font_prep_glyphs(p);
	assert_int_equal(first, 4);
	glyf = ec_font_prep_glyf(p, &glen);
	assert_int_equal(ec_font_subset(f, p, own, 4, &out, &len), 0);
	/* A TrueType file, far smaller than its sources; the prepared glyphs sit where promised. */
	assert_memory_equal(out, "\x00\x01\x00\x00", 4);
	assert_true(len > 1000 && len < 8000);
	assert_memory_equal(out + EC_FONT_DIR, glyf, glen);
	/* The same input gives the same bytes. */
	assert_int_equal(ec_font_subset(f, p, own, 4, &again, &alen), 0);
	assert_int_equal(alen, len);
	assert_memory_equal(again, out, len);
	free(again);

	/* HarfBuzz reads every glyph back as in its source, UMing's scaled from 1024 to 2048 units. */
	blob = hb_blob_create((const char *)out, (unsigned)len, HB_MEMORY_MODE_READONLY, NULL, NULL);
	face = hb_face_create(blob, 0);
	sub = hb_font_create(face);
	sans = source(SANS, 0);
	uming = source(UMING, 0);
	assert_int_equal(hb_face_get_upem(face), 2048);
	/* .notdef, 3 fixed, 4 own, then the components of e-dieresis and e-circumflex-tilde. */
	assert_true(hb_face_get_glyph_count(face) > 8);
	same_glyph(sub, 1, sans, 'A', 1);
	same_glyph(sub, 2, sans, 'Z', 1);
	same_glyph(sub, 3, uming, 0x674e, 2);
	same_glyph(sub, (unsigned)first, sans, 0xeb, 1);
	same_glyph(sub, (unsigned)first + 1, sans, 0x1ec5, 1);
	same_glyph(sub, (unsigned)first + 2, uming, 0x745e, 2);
	same_glyph(sub, (unsigned)first + 3, sans, 'A', 1);
	hb_font_destroy(sans);
	hb_font_destroy(uming);
	hb_font_destroy(sub);
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	free(out);

	/* Nothing of the document's own: the prepared glyphs alone. */
	assert_int_equal(ec_font_subset(f, p, own, 0, &out, &len), 0);
	assert_memory_equal(out + EC_FONT_DIR, glyf, glen);
	free(out);
	ec_font_prep_free(p);

	/* UMing's glyphs alone: still in the 2048 units of the loaded DejaVu, and head and hhea say so. */
	assert_int_equal(ec_font_prepare(f, fixed + 2, 1, &p), 0);
	assert_int_equal(ec_font_subset(f, p, own + 2, 1, &out, &len), 0);
	blob = hb_blob_create((const char *)out, (unsigned)len, HB_MEMORY_MODE_READONLY, NULL, NULL);
	face = hb_face_create(blob, 0);
	sub = hb_font_create(face);
	uming = source(UMING, 0);
	assert_int_equal(hb_face_get_upem(face), 2048);
	same_glyph(sub, 1, uming, 0x674e, 2);
	same_glyph(sub, 2, uming, 0x745e, 2);
	{
		hb_font_extents_t xs, xu;

		assert_true(hb_font_get_h_extents(sub, &xs) && hb_font_get_h_extents(uming, &xu));
		assert_int_equal(xs.ascender, 2 * xu.ascender);
		assert_int_equal(xs.descender, 2 * xu.descender);
	}
	hb_font_destroy(uming);
	hb_font_destroy(sub);
	hb_face_destroy(face);
	hb_blob_destroy(blob);
	free(out);
	ec_font_prep_free(p);
	ec_font_prep_free(NULL);
	ec_fonts_free(f);
}

/* A glyph whose loca entry points past the glyf table is refused, named, not read. */
static void
test_subset_errors(void **state)
{
	char dir[] = "/tmp/ecert-test-font-XXXXXX", path[64], buf[256];
	struct ec_template *t;
	struct ec_fonts *f;
	struct ec_font_prep *p;
	struct ec_glyph *many, g = { 0, 'A' };
	unsigned char *font, *out;
	size_t len, n, off = 0, loca = 0, glyf_len = 0;
	hb_codepoint_t gid;
	hb_font_t *src;
	FILE *fp;

	(void)state;
	/* More glyphs than a TrueType font holds. */
	t = tpl("font a " SANS "\n");
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	assert_non_null(many = calloc(70000, sizeof(*many)));
	for (size_t i = 0; i < 70000; i++)
		many[i].cp = 'a';
	assert_int_equal(ec_font_prepare(f, many, 70000, &p), EC_ERR_TOOBIG);
	assert_int_equal(ec_font_prepare(f, &g, 1, &p), 0);
	assert_int_equal(ec_font_subset(f, p, many, 70000, &out, &len), EC_ERR_TOOBIG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_TOOBIG), "over 65535 glyphs"));
	ec_font_prep_free(p);
	free(many);
	ec_fonts_free(f);

	/* A copy of DejaVu Sans whose 'A' starts beyond the end of glyf. */
	fp = fopen(SANS, "rb");
	assert_non_null(fp);
	assert_non_null(font = malloc(1 << 20));
	len = fread(font, 1, 1 << 20, fp);
	fclose(fp);
	n = (size_t)font[4] << 8 | font[5];
	for (size_t i = 0; i < n; i++) {
		const unsigned char *e = font + 12 + 16 * i;
		size_t o = (size_t)e[8] << 24 | (size_t)e[9] << 16 | (size_t)e[10] << 8 | e[11];

		if (memcmp(e, "loca", 4) == 0)
			loca = o;
		if (memcmp(e, "glyf", 4) == 0)
			glyf_len = (size_t)e[12] << 24 | (size_t)e[13] << 16 | (size_t)e[14] << 8 | e[15];
		if (memcmp(e, "head", 4) == 0)
			off = o;
	}
	assert_true(loca > 0 && glyf_len > 0 && off > 0);
	/* DejaVu Sans has long offsets (head.indexToLocFormat 1). */
	assert_int_equal(font[off + 51], 1);
	src = source(SANS, 0);
	assert_true(hb_font_get_nominal_glyph(src, 'A', &gid));
	hb_font_destroy(src);
	for (int i = 0; i < 4; i++)
		font[loca + 4 * gid + i] = (unsigned char)((glyf_len + 4) >> (24 - 8 * i));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bad.ttf", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(font, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	free(font);
	snprintf(buf, sizeof(buf), "font a %s\n", path);
	t = tpl(buf);
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	assert_int_equal(ec_font_prepare(f, &g, 1, &p), EC_ERR_UNSUPPORTED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_UNSUPPORTED), "bad.ttf' has a malformed glyph"));
	ec_fonts_free(f);
	unlink(path);
	rmdir(dir);
}

static void
test_load_errors(void **state)
{
	struct ec_template *t;
	struct ec_fonts *f = (struct ec_fonts *)1;

	(void)state;
	t = tpl("font a /nonexistent/font.ttf\n");
	assert_int_equal(ec_fonts_load(t, &f), EC_ERR_NOTFOUND);
	assert_null(f);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "cannot open font '/nonexistent/font.ttf'"));
	ec_template_free(t);
	t = tpl("font a " UMING "@9\n");
	assert_int_equal(ec_fonts_load(t, &f), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "has no face 9"));
	ec_template_free(t);
	t = tpl("font a " SANS " templates/associate.tpl\n");
	assert_int_equal(ec_fonts_load(t, &f), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "is not a font file"));
	ec_template_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_subset),
		cmocka_unit_test(test_subset_errors),
		cmocka_unit_test(test_load_errors),
	};

	return cmocka_run_group_tests_name("font", tests, NULL, NULL);
}
