/*
 * Unit tests for text shaping: per-character font fallback, bidi runs in visual order in a
 * left-to-right paragraph, Arabic joining forms, plain runs (drawable as text) against shaped ones,
 * line widths with letter spacing, and the refusals `apply` relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <hb.h>

#include "err.h"
#include "font.h"
#include "shape.h"
#include "template.h"

#define TT "/usr/share/fonts/truetype/"
#define SANS TT "dejavu/DejaVuSans.ttf"
#define ARABIC TT "noto/NotoSansArabic-Regular.ttf"
#define DEVANAGARI TT "noto/NotoSansDevanagari-Regular.ttf"
#define HEBREW TT "noto/NotoSansHebrew-Regular.ttf"
#define THAI TT "noto/NotoSansThai-Regular.ttf"
#define NANUM TT "nanum/NanumGothic.ttf"
#define UMING TT "arphic/uming.ttc"

/* Family a: the whole chain, over two font lines (the second continues the first). */
#define CHAIN "font a " SANS " " ARABIC " " DEVANAGARI " " HEBREW "\nfont a " THAI " " NANUM " " UMING "@0\n"

struct fixture {
	struct ec_fonts *all;   /* family a */
	struct ec_fonts *two;   /* family a, and b: DejaVu Sans alone */
};

static struct ec_fonts *
load(const char *fonts)
{
	char buf[4096];
	struct ec_template *t;
	struct ec_fonts *f = NULL;
	int rc;

	snprintf(buf, sizeof(buf), "ecert-template 1\npage a4 landscape\n%s"
	    "text 20 20 200 10 font=a size=12 \"{name}\"\nqr 200 150 30\n", fonts);
	if ((rc = ec_template_parse("t.tpl", buf, strlen(buf), &t)) != 0) {
		fprintf(stderr, "template: %s\n", ec_err_msg(rc));
		return NULL;
	}
	if ((rc = ec_fonts_load(t, &f)) != 0)
		fprintf(stderr, "fonts: %s\n", ec_err_msg(rc));
	ec_template_free(t);
	return f;
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL || (fx->all = load(CHAIN)) == NULL || (fx->two = load(CHAIN "font b " SANS "\n")) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	ec_fonts_free(fx->all);
	ec_fonts_free(fx->two);
	free(fx);
	return 0;
}

static hb_codepoint_t
nominal(const struct ec_fonts *f, unsigned font, uint32_t cp)
{
	hb_codepoint_t g = 0;

	assert_true(hb_font_get_nominal_glyph(ec_font_hb(f, font), cp, &g));
	return g;
}

/* What every shaped line must be: runs that cover the characters once, glyphs once, sums that add up. */
static void
check_line(const struct ec_fonts *f, const struct ec_line *l)
{
	unsigned char *seen = calloc(l->ncp + 1, 1), *gseen = calloc(l->ng + 1, 1);

	assert_non_null(seen);
	assert_non_null(gseen);
	for (size_t i = 0; i < l->nrun; i++) {
		const struct ec_run *r = &l->run[i];
		int64_t adv = 0;

		assert_true(r->ncp > 0 && r->cp0 + r->ncp <= l->ncp);
		assert_true(r->ng > 0 && r->g0 + r->ng <= l->ng);
		assert_true(r->font < ec_fonts_count(f));
		for (size_t k = r->cp0; k < r->cp0 + r->ncp; k++) {
			assert_false(seen[k]);
			seen[k] = 1;
			/* Every character of a run is in its font. */
			assert_true(ec_font_covers(f, r->font, l->cp[k]));
		}
		for (size_t k = r->g0; k < r->g0 + r->ng; k++) {
			assert_false(gseen[k]);
			gseen[k] = 1;
			assert_int_not_equal(l->g[k].gid, 0);
			adv += l->g[k].advance;
		}
		assert_true(adv == r->advance);
		/* A plain run is its characters' own glyphs, in order, at their own advances, unmoved. */
		if (r->plain) {
			assert_false(r->rtl);
			assert_int_equal(r->ng, r->ncp);
			for (size_t k = 0; k < r->ng; k++) {
				const struct ec_sglyph *g = &l->g[r->g0 + k];

				assert_int_equal(g->gid, nominal(f, r->font, l->cp[r->cp0 + k]));
				assert_int_equal(g->advance, hb_font_get_glyph_h_advance(ec_font_hb(f, r->font), g->gid));
				assert_int_equal(g->x_off, 0);
				assert_int_equal(g->y_off, 0);
			}
		}
	}
	for (size_t k = 0; k < l->ncp; k++)
		assert_true(seen[k]);
	for (size_t k = 0; k < l->ng; k++)
		assert_true(gseen[k]);
	free(seen);
	free(gseen);
}

static void
shape(const struct ec_fonts *f, const char *s, struct ec_line *l)
{
	int rc = ec_shape_line(f, 0, s, l);

	if (rc != 0)
		fail_msg("'%s': %s", s, ec_err_msg(rc));
	check_line(f, l);
}

/* Latin, Greek, Cyrillic, Vietnamese, CJK and Hangul: plain runs only, in typed order. */
static void
test_plain(void **state)
{
	struct fixture *fx = *state;
	static const char *const names[] = {
		"Zoë O'Brien", "Nguyễn Thị Minh Khai", "Анна Каренина", "Αλέξανδρος Παπαδόπουλος", "李瑞瑞", "김민수",
		"张伟", "Kim 김민수 李-瑞", "José Müller-Øvergård",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ec_line l;
		size_t next = 0;

		shape(fx->all, names[i], &l);
		assert_true(l.nrun >= 1);
		for (size_t k = 0; k < l.nrun; k++) {
			if (!l.run[k].plain || l.run[k].rtl)
				fail_msg("'%s': run %zu is not plain", names[i], k);
			/* Left to right: visual order is typed order. */
			assert_int_equal(l.run[k].cp0, next);
			next += l.run[k].ncp;
			/* Each run's font is the chain's pick for its first character, or the font of the run before. */
			assert_true((int)l.run[k].font == ec_font_pick(fx->all, 0, l.cp[l.run[k].cp0]) ||
			    (k > 0 && l.run[k].font == l.run[k - 1].font));
		}
		assert_int_equal(next, l.ncp);
		ec_line_free(&l);
	}
}

/* Font fallback character by character: DejaVu, then Nanum for Hangul and Hanja, UMing for the rest. */
static void
test_fallback(void **state)
{
	struct fixture *fx = *state;
	int sans = ec_font_pick(fx->all, 0, 'K'), nanum = ec_font_pick(fx->all, 0, 0xae40),
	    uming = ec_font_pick(fx->all, 0, 0x5f20);
	struct ec_line l;

	assert_non_null(strstr(ec_font_path(fx->all, (unsigned)sans), "DejaVuSans"));
	assert_non_null(strstr(ec_font_path(fx->all, (unsigned)nanum), "NanumGothic"));
	assert_non_null(strstr(ec_font_path(fx->all, (unsigned)uming), "uming"));
	/* Nanum has the Hanja of Korean names, and comes before UMing in the chain. */
	assert_int_equal(ec_font_pick(fx->all, 0, 0x674e), nanum);

	/* "Kim 김 张": DejaVu for "Kim ", Nanum for the Hangul, UMing for the simplified Han. */
	shape(fx->all, "Kim 김 张", &l);
	assert_int_equal(l.ncp, 7);
	assert_int_equal(l.run[0].font, sans);
	assert_int_equal(l.run[0].cp0, 0);
	assert_int_equal(l.run[0].ncp, 4);
	assert_int_equal(l.run[1].font, nanum);
	assert_int_equal(l.run[1].cp0, 4);
	assert_int_equal(l.run[l.nrun - 1].font, uming);
	assert_int_equal(l.run[l.nrun - 1].cp0, 6);
	ec_line_free(&l);

	/* Punctuation inside a run stays in the run's font when that font has it. */
	shape(fx->all, "李-瑞", &l);
	assert_int_equal(l.nrun, 1);
	assert_int_equal(l.run[0].font, nanum);
	assert_int_equal(l.run[0].ncp, 3);
	ec_line_free(&l);

	/* A combining mark stays with its base: one run; HarfBuzz composes e + U+0308, so it is not plain. */
	shape(fx->all, "Zoe\xcc\x88", &l);
	assert_int_equal(l.ncp, 4);
	assert_int_equal(l.nrun, 1);
	assert_int_equal(l.run[0].font, sans);
	assert_false(l.run[0].plain);
	assert_int_equal(l.run[0].ng, 3);
	assert_int_equal(l.g[l.run[0].g0 + 2].gid, nominal(fx->all, (unsigned)sans, 0xeb));
	ec_line_free(&l);
}

/* The glyph HarfBuzz gives cp (right to left, Arabic) between before and after, 0 for none. */
static hb_codepoint_t
arabic_form(const struct ec_fonts *f, unsigned font, uint32_t before, uint32_t cp, uint32_t after)
{
	uint32_t text[3];
	unsigned n = 0, at, count;
	hb_buffer_t *buf = hb_buffer_create();
	hb_glyph_info_t *info;
	hb_codepoint_t g = 0;

	if (before)
		text[n++] = before;
	at = n;
	text[n++] = cp;
	if (after)
		text[n++] = after;
	hb_buffer_add_codepoints(buf, text, (int)n, 0, (int)n);
	hb_buffer_set_direction(buf, HB_DIRECTION_RTL);
	hb_buffer_set_script(buf, HB_SCRIPT_ARABIC);
	hb_shape(ec_font_hb(f, font), buf, NULL, 0);
	info = hb_buffer_get_glyph_infos(buf, &count);
	for (unsigned i = 0; i < count; i++)
		if (info[i].cluster == at)
			g = info[i].codepoint;
	hb_buffer_destroy(buf);
	return g;
}

#define TATWEEL 0x640
#define MEEM 0x645
#define HAH 0x62d
#define DAL 0x62f

/* "محمد": one right-to-left run of joining forms, laid out left to right on the page. */
static void
test_arabic(void **state)
{
	struct fixture *fx = *state;
	int font = ec_font_pick(fx->all, 0, MEEM);
	hb_codepoint_t want[4], iso[3];
	struct ec_line l;

	assert_true(font >= 0);
	shape(fx->all, "محمد", &l);
	assert_int_equal(l.ncp, 4);
	assert_int_equal(l.nrun, 1);
	assert_int_equal(l.run[0].font, font);
	assert_true(l.run[0].rtl);
	assert_false(l.run[0].plain);
	assert_int_equal(l.run[0].ng, 4);
	/* None of the glyphs is a letter's isolated (nominal) form: every letter joins. */
	iso[0] = nominal(fx->all, (unsigned)font, MEEM);
	iso[1] = nominal(fx->all, (unsigned)font, HAH);
	iso[2] = nominal(fx->all, (unsigned)font, DAL);
	for (size_t k = 0; k < 4; k++)
		for (size_t j = 0; j < 3; j++)
			if (l.g[l.run[0].g0 + k].gid == iso[j])
				fail_msg("glyph %zu of the run is an isolated form", k);
	/* Left to right on the page: final dal, medial meem, medial hah, initial meem (typed first, drawn rightmost). */
	want[0] = arabic_form(fx->all, (unsigned)font, TATWEEL, DAL, 0);
	want[1] = arabic_form(fx->all, (unsigned)font, TATWEEL, MEEM, TATWEEL);
	want[2] = arabic_form(fx->all, (unsigned)font, TATWEEL, HAH, TATWEEL);
	want[3] = arabic_form(fx->all, (unsigned)font, 0, MEEM, TATWEEL);
	assert_int_not_equal(want[1], want[3]);
	for (size_t k = 0; k < 4; k++)
		assert_int_equal(l.g[l.run[0].g0 + k].gid, want[k]);
	ec_line_free(&l);

	/* Two words: still one run (the space between them is right to left too), second word leftmost. */
	shape(fx->all, "محمد علي", &l);
	assert_int_equal(l.ncp, 8);
	for (size_t k = 0; k < l.nrun; k++)
		assert_true(l.run[k].rtl && !l.run[k].plain);
	assert_int_equal(l.run[l.nrun - 1].cp0, 0);
	assert_int_equal(l.run[0].cp0 + l.run[0].ncp, l.ncp);
	ec_line_free(&l);
}

/* Hebrew: right to left, no joining: the nominal glyphs in reverse typed order. */
static void
test_hebrew(void **state)
{
	struct fixture *fx = *state;
	struct ec_line l;
	const struct ec_run *r;

	shape(fx->all, "שרה כהן", &l);
	assert_int_equal(l.ncp, 7);
	assert_int_equal(l.nrun, 1);
	r = &l.run[0];
	assert_true(r->rtl);
	assert_false(r->plain);
	assert_int_equal(r->font, ec_font_pick(fx->all, 0, 0x5e9));
	assert_int_equal(r->ng, 7);
	for (size_t k = 0; k < 7; k++)
		assert_int_equal(l.g[r->g0 + k].gid, nominal(fx->all, r->font, l.cp[6 - k]));
	ec_line_free(&l);
}

/* The index of the run holding character i. */
static size_t
run_of(const struct ec_line *l, size_t i)
{
	for (size_t k = 0; k < l->nrun; k++)
		if (i >= l->run[k].cp0 && i < l->run[k].cp0 + l->run[k].ncp)
			return k;
	fail_msg("no run holds character %zu", i);
	return 0;
}

/* Mixed directions in a left-to-right paragraph: runs in typed order, each Arabic word kept whole. */
static void
test_mixed(void **state)
{
	struct fixture *fx = *state;
	struct ec_line l;
	size_t ar, la;

	/* "محمد Al-Sayed": the Arabic, typed first, is drawn first, at the left. */
	shape(fx->all, "محمد Al-Sayed", &l);
	assert_int_equal(l.ncp, 13);
	ar = run_of(&l, 0);
	la = run_of(&l, 5);
	assert_int_equal(ar, 0);
	assert_true(ar < la);
	assert_true(l.run[ar].rtl && !l.run[ar].plain);
	assert_int_equal(l.run[ar].ncp, 4);
	assert_false(l.run[la].rtl);
	assert_true(l.run[la].plain);
	assert_int_equal(run_of(&l, 12), la);
	/* Only the Arabic reads right to left; the space between stays left to right. */
	for (size_t k = 0; k < l.nrun; k++)
		assert_int_equal(l.run[k].rtl, k == ar);
	ec_line_free(&l);

	/* "Al-Sayed محمد": the other way round. */
	shape(fx->all, "Al-Sayed محمد", &l);
	assert_int_equal(run_of(&l, 0), 0);
	assert_int_equal(run_of(&l, 9), l.nrun - 1);
	assert_true(l.run[l.nrun - 1].rtl);
	assert_false(l.run[0].rtl);
	ec_line_free(&l);

	/* "محمد 123": digits after Arabic belong to the right-to-left span, so they are drawn to its left. */
	shape(fx->all, "محمد 123", &l);
	la = run_of(&l, 5);
	ar = run_of(&l, 0);
	assert_int_equal(la, 0);
	assert_int_equal(ar, l.nrun - 1);
	assert_false(l.run[la].rtl);
	assert_true(l.run[la].plain);
	assert_int_equal(l.run[la].ncp, 3);
	ec_line_free(&l);

	/* Two right-to-left runs (Arabic, then Hebrew: two scripts) swap places: the Hebrew, typed last, is leftmost. */
	shape(fx->all, "محمد שרה", &l);
	assert_true(l.nrun >= 2);
	for (size_t k = 0; k < l.nrun; k++)
		assert_true(l.run[k].rtl);
	assert_int_equal(run_of(&l, 7), 0);
	assert_int_equal(run_of(&l, 5), 0);
	assert_int_equal(run_of(&l, 0), l.nrun - 1);
	ec_line_free(&l);

	/* Hebrew inside Latin: "Dana כהן Levi": Latin, then the Hebrew, then Latin, left to right. */
	shape(fx->all, "Dana כהן Levi", &l);
	assert_int_equal(run_of(&l, 0), 0);
	assert_true(run_of(&l, 0) < run_of(&l, 5));
	assert_true(run_of(&l, 5) < run_of(&l, 9));
	assert_true(l.run[run_of(&l, 5)].rtl);
	ec_line_free(&l);
}

/* Devanagari and Thai: marks and conjuncts need shaping, so their runs are not plain. */
static void
test_indic_thai(void **state)
{
	struct fixture *fx = *state;
	struct ec_line l;
	const struct ec_run *r;
	int same = 1;

	/* "राहुल": ra, aa sign, ha, u sign, la. */
	shape(fx->all, "राहुल", &l);
	assert_int_equal(l.ncp, 5);
	assert_int_equal(l.nrun, 1);
	r = &l.run[0];
	assert_non_null(strstr(ec_font_path(fx->all, r->font), "NotoSansDevanagari"));
	assert_false(r->rtl);
	assert_false(r->plain);
	/* Not the nominal glyphs one for one: ha with the u sign below takes a form of its own. */
	if (r->ng != r->ncp)
		same = 0;
	for (size_t k = 0; same && k < r->ng; k++)
		same = l.g[r->g0 + k].gid == nominal(fx->all, r->font, l.cp[k]);
	assert_false(same);
	ec_line_free(&l);

	/* "สมศักดิ์": the marks above stay in the Thai font, in the same run, placed without advancing. */
	shape(fx->all, "สมศักดิ์", &l);
	assert_int_equal(l.ncp, 8);
	assert_int_equal(l.nrun, 1);
	r = &l.run[0];
	assert_non_null(strstr(ec_font_path(fx->all, r->font), "NotoSansThai"));
	assert_false(r->plain);
	assert_int_equal(l.g[r->g0 + 3].advance, 0);   /* U+0E31 mai han-akat */
	assert_int_equal(l.g[r->g0 + 7].advance, 0);   /* U+0E4C thanthakhat */
	ec_line_free(&l);
}

static void
assert_close(double a, double b)
{
	if (fabs(a - b) > 1e-9)
		fail_msg("%.12f != %.12f", a, b);
}

static void
test_width(void **state)
{
	struct fixture *fx = *state;
	const struct ec_fonts *f = fx->all;
	struct ec_line l;
	double w12;

	/* One plain run of DejaVu (2048 units per em). */
	shape(f, "Zoë O'Brien", &l);
	assert_int_equal(l.nrun, 1);
	w12 = ec_line_width(f, &l, 12, 0);
	assert_close(w12, (double)l.run[0].advance * 12 / 2048);
	assert_true(w12 > 50 && w12 < 100);
	/* Linear in the size. */
	assert_close(ec_line_width(f, &l, 24, 0), 2 * w12);
	assert_close(ec_line_width(f, &l, 30, 0), 2.5 * w12);
	assert_close(ec_line_width(f, &l, 0, 0), 0);
	/* Letter spacing after each of the 11 characters but the last. */
	assert_close(ec_line_width(f, &l, 12, 1.5), w12 + 10 * 1.5);
	assert_close(ec_line_width(f, &l, 12, -0.25), w12 - 10 * 0.25);
	ec_line_free(&l);

	/* Fonts of different units per em add up in points: Hangul in Nanum (1000), simplified Han in UMing (1024). */
	shape(f, "김张", &l);
	assert_int_equal(l.nrun, 2);
	assert_close(ec_line_width(f, &l, 10, 0),
	    (double)l.run[0].advance * 10 / 1000 + (double)l.run[1].advance * 10 / 1024);
	assert_close(ec_line_width(f, &l, 10, 0), 9.4 + 10);
	/* Spacing counts characters across runs: one gap for two characters. */
	assert_close(ec_line_width(f, &l, 10, 2), 9.4 + 10 + 2);
	ec_line_free(&l);

	/* A shaped run keeps its natural spacing: joined letters must touch. */
	shape(f, "محمد", &l);
	w12 = ec_line_width(f, &l, 12, 0);
	assert_true(w12 > 0);
	assert_close(w12, (double)l.run[0].advance * 12 / ec_font_upem(f, l.run[0].font));
	assert_close(ec_line_width(f, &l, 24, 0), 2 * w12);
	assert_close(ec_line_width(f, &l, 12, 3), w12);
	ec_line_free(&l);

	/* Mixed: spacing only after the 9 plain characters (" Al-Sayed"), not after the line's last. */
	shape(f, "محمد Al-Sayed", &l);
	w12 = ec_line_width(f, &l, 12, 0);
	assert_close(ec_line_width(f, &l, 12, 1), w12 + 8);
	assert_close(ec_line_width(f, &l, 36, 0), 3 * w12);
	ec_line_free(&l);
	/* The shaped run last: every plain character is followed by another, so all 9 are spaced. */
	shape(f, "Al-Sayed محمد", &l);
	w12 = ec_line_width(f, &l, 12, 0);
	assert_close(ec_line_width(f, &l, 12, 1), w12 + 9);
	ec_line_free(&l);

	/* Nothing to print: no width, no spacing. */
	shape(f, "", &l);
	assert_int_equal(l.ncp, 0);
	assert_int_equal(l.nrun, 0);
	assert_close(ec_line_width(f, &l, 12, 5), 0);
	ec_line_free(&l);
}

/* ec_shape_check: every family must print the name; what none can print is named. */
static void
test_check(void **state)
{
	struct fixture *fx = *state;
	struct ec_line l;

	assert_int_equal(ec_shape_check(fx->all, "Zoë O'Brien"), 0);
	assert_int_equal(ec_shape_check(fx->all, "محمد 李瑞瑞 김민수 राहुल שרה"), 0);
	assert_int_equal(ec_shape_check(fx->all, ""), 0);
	assert_int_equal(ec_shape_check(fx->two, "Zoë O'Brien"), 0);
	/* Family b (DejaVu alone) has no Han: the name is refused though family a could print it. */
	assert_int_equal(ec_shape_check(fx->two, "Li 李"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+674E '李'");

	/* Ethiopic: in no font of the chain. */
	assert_int_equal(ec_font_pick(fx->all, 0, 0x1200), -1);
	assert_int_equal(ec_shape_check(fx->all, "Abebe ሀ"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+1200 'ሀ'");
	/* Each character named once, in typed order. */
	assert_int_equal(ec_shape_check(fx->all, "ሀaሁሀ"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+1200 'ሀ', U+1201 'ሁ'");
	/* Eight named, the rest counted. */
	assert_int_equal(ec_shape_check(fx->all, "ሀሁሂሃሄህሆሇለሉ"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+1200 'ሀ', U+1201 'ሁ', U+1202 'ሂ', "
	    "U+1203 'ሃ', U+1204 'ሄ', U+1205 'ህ', U+1206 'ሆ', U+1207 'ሇ' and 2 more");
	/* Outside the BMP: never printable, and the message says why. */
	assert_int_equal(ec_shape_check(fx->all, "Ann \xf0\x9f\x98\x80"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+1F600 '\xf0\x9f\x98\x80' (outside the Basic "
	    "Multilingual Plane, which ecert does not print)");
	/* ec_shape_line says the same for the family, and the line can be freed after it. */
	assert_int_equal(ec_shape_line(fx->all, 0, "x ሀ", &l), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+1200 'ሀ'");
	ec_line_free(&l);
	assert_null(l.cp);

	/* Invalid UTF-8: a stray byte, a cut sequence, an overlong form, a surrogate. */
	{
		static const char *const bad[] = { "a\xff", "ab\xe2\x82", "\xc0\xaf", "\xed\xa0\x80", "\x80" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(ec_shape_check(fx->all, bad[i]), EC_ERR_SYNTAX);
			assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "invalid UTF-8 in text");
			assert_int_equal(ec_shape_line(fx->all, 0, bad[i], &l), EC_ERR_SYNTAX);
			ec_line_free(&l);
		}
	}

	/* At most EC_SHAPE_MAX characters in a line. */
	{
		char *s = malloc(2 * EC_SHAPE_MAX + 3);

		assert_non_null(s);
		for (size_t i = 0; i < EC_SHAPE_MAX; i++)
			memcpy(s + 2 * i, "\xc3\xab", 2);
		s[2 * EC_SHAPE_MAX] = '\0';
		assert_int_equal(ec_shape_line(fx->all, 0, s, &l), 0);
		assert_int_equal(l.ncp, EC_SHAPE_MAX);
		ec_line_free(&l);
		strcpy(s + 2 * EC_SHAPE_MAX, "a");
		assert_int_equal(ec_shape_line(fx->all, 0, s, &l), EC_ERR_TOOBIG);
		assert_string_equal(ec_err_msg(EC_ERR_TOOBIG), "text is longer than 1024 characters");
		ec_line_free(&l);
		assert_int_equal(ec_shape_check(fx->all, s), EC_ERR_TOOBIG);
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_arabic),
		cmocka_unit_test(test_hebrew),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_indic_thai),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests_name("shape", tests, setup, teardown);
}
