/*
 * Text shaping for printing: font fallback per character, the Unicode bidi algorithm (libfribidi),
 * script runs and HarfBuzz shaping, so that Arabic joins, Devanagari forms conjuncts and Hebrew
 * reads right to left exactly as a typesetter would print them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fribidi.h>
#include <hb.h>
#include <utf8proc.h>

#include "buf.h"
#include "err.h"
#include "msg.h"
#include "shape.h"
#include "utf8.h"

#define REPORT_MAX 8    /* uncovered characters named in one message */

/* Kerning and optional ligatures stay off: a plain run then prints with its font's own advances. */
static const hb_feature_t features[] = {
	{ HB_TAG('k', 'e', 'r', 'n'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END },
	{ HB_TAG('l', 'i', 'g', 'a'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END },
	{ HB_TAG('c', 'l', 'i', 'g'), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END },
};

struct work {
	unsigned *font;
	FriBidiLevel *level;
	hb_script_t *script;
	FriBidiCharType *types;
	FriBidiBracketType *brackets;
};

void
ec_line_free(struct ec_line *l)
{
	free(l->cp);
	free(l->run);
	free(l->g);
	memset(l, 0, sizeof *l);
}

static void
work_free(struct work *w)
{
	free(w->font);
	free(w->level);
	free(w->script);
	free(w->types);
	free(w->brackets);
}

static int
decode(const char *utf8, struct ec_line *l)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t len = strlen(utf8), i = 0;

	if ((l->cp = malloc((len ? len : 1) * sizeof *l->cp)) == NULL)
		return EC_ERR_NOMEM;
	while (i < len) {
		unsigned long cp;
		size_t k = ec_utf8_next(s + i, len - i, &cp);

		if (k == 0)
			return ec_err_set(EC_ERR_SYNTAX, "invalid UTF-8 in text");
		if (l->ncp == EC_SHAPE_MAX)
			return ec_err_set(EC_ERR_TOOBIG, "text is longer than %d characters", EC_SHAPE_MAX);
		l->cp[l->ncp++] = (uint32_t)cp;
		i += k;
	}
	return 0;
}

/* Characters that belong with what precedes them: marks, joiners, variation selectors. */
static int
clings(hb_unicode_funcs_t *uf, uint32_t cp)
{
	hb_unicode_general_category_t c = hb_unicode_general_category(uf, cp);

	return c == HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK || c == HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK ||
	    c == HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK || cp == 0x200c || cp == 0x200d ||
	    (cp >= 0xfe00 && cp <= 0xfe0f);
}

static int
neutral(hb_script_t s)
{
	return s == HB_SCRIPT_COMMON || s == HB_SCRIPT_INHERITED || s == HB_SCRIPT_UNKNOWN;
}

static int
uncovered(const uint32_t *bad, size_t nbad, size_t more)
{
	struct ec_buf b;
	int rc;

	ec_buf_init(&b);
	for (size_t k = 0; k < nbad; k++) {
		char c[5] = "";
		uint32_t v = bad[k];

		/* Name the character itself too, unless it is a control that would garble the message. */
		if (v >= 0x20 && !(v >= 0x7f && v < 0xa0))
			c[utf8proc_encode_char((utf8proc_int32_t)v, (utf8proc_uint8_t *)c)] = '\0';
		ec_buf_addf(&b, "%sU+%04X", k ? ", " : "", (unsigned)v);
		if (c[0] != '\0')
			ec_buf_addf(&b, " '%s'", c);
		if (v > 0xffff)
			ec_buf_adds(&b, " (outside the Basic Multilingual Plane, which ecert does not print)");
	}
	if (b.err) {
		rc = EC_ERR_NOMEM;
	} else if (more) {
		char n[24];

		snprintf(n, sizeof n, "%zu", more);
		rc = ec_err_say(EC_ERR_SYNTAX, EC_MSG_NO_FONT_MORE, b.p, n);
	} else {
		rc = ec_err_say(EC_ERR_SYNTAX, EC_MSG_NO_FONT, b.p);
	}
	ec_buf_free(&b);
	return rc;
}

/* A font for each character from the family's chain; every character no font has is reported. */
static int
choose_fonts(const struct ec_fonts *f, unsigned family, const struct ec_line *l, struct work *w)
{
	hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
	uint32_t bad[REPORT_MAX];
	size_t nbad = 0, more = 0;

	for (size_t i = 0; i < l->ncp; i++) {
		uint32_t cp = l->cp[i];
		int font = -1, seen = 0;

		w->script[i] = hb_unicode_script(uf, cp);
		/* A mark, or punctuation inside a run, keeps the run's font: shaping needs them together. */
		if (i > 0 && (clings(uf, cp) || (neutral(w->script[i]) && cp != 0x20)) && ec_font_covers(f, w->font[i - 1], cp))
			font = (int)w->font[i - 1];
		if (font < 0)
			font = ec_font_pick(f, family, cp);
		if (font >= 0) {
			w->font[i] = (unsigned)font;
			continue;
		}
		w->font[i] = 0;
		for (size_t k = 0; k < nbad; k++)
			seen |= bad[k] == cp;
		if (seen)
			continue;
		if (nbad < REPORT_MAX)
			bad[nbad++] = cp;
		else
			more++;
	}
	return nbad ? uncovered(bad, nbad, more) : 0;
}

/* Common and inherited characters (spaces, digits, marks) take the script of the run they are in. */
static void
resolve_scripts(const struct ec_line *l, struct work *w)
{
	hb_script_t last = HB_SCRIPT_COMMON;
	size_t i;

	for (i = 0; i < l->ncp; i++) {
		if (neutral(w->script[i]))
			w->script[i] = last;
		else
			last = w->script[i];
	}
	/* Leading neutrals take the first real script. */
	for (i = 0; i < l->ncp && neutral(w->script[i]); i++)
		;
	for (size_t k = 0; i < l->ncp && k < i; k++)
		w->script[k] = w->script[i];
}

static int
bidi(const struct ec_line *l, struct work *w)
{
	FriBidiParType dir = FRIBIDI_PAR_LTR;

	fribidi_get_bidi_types(l->cp, (FriBidiStrIndex)l->ncp, w->types);
	fribidi_get_bracket_types(l->cp, (FriBidiStrIndex)l->ncp, w->types, w->brackets);
	if (fribidi_get_par_embedding_levels_ex(w->types, w->brackets, (FriBidiStrIndex)l->ncp, &dir, w->level) == 0)
		return EC_ERR_NOMEM;
	return 0;
}

/* Whether HarfBuzz left the run as its font's own glyphs at their own advances, in order. */
static int
is_plain(hb_font_t *font, const struct ec_run *r, const struct ec_line *l, const hb_glyph_info_t *info,
    const hb_glyph_position_t *pos)
{
	if (r->rtl || r->ng != r->ncp)
		return 0;
	for (size_t i = 0; i < r->ng; i++) {
		hb_codepoint_t gid;

		if (info[i].cluster != r->cp0 + i || !hb_font_get_nominal_glyph(font, l->cp[r->cp0 + i], &gid) ||
		    gid != info[i].codepoint || pos[i].x_offset != 0 || pos[i].y_offset != 0 || pos[i].y_advance != 0 ||
		    pos[i].x_advance != hb_font_get_glyph_h_advance(font, gid))
			return 0;
	}
	return 1;
}

static int
shape_run(const struct ec_fonts *f, struct ec_line *l, struct ec_run *r, hb_script_t script, hb_buffer_t *buf,
    size_t *cap)
{
	hb_font_t *font = ec_font_hb(f, r->font);
	const hb_glyph_info_t *info;
	const hb_glyph_position_t *pos;
	unsigned n;

	hb_buffer_clear_contents(buf);
	/* The whole line is context, so that a join across a font change still takes its form. */
	hb_buffer_add_codepoints(buf, l->cp, (int)l->ncp, (unsigned)r->cp0, (int)r->ncp);
	hb_buffer_set_direction(buf, r->rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
	hb_buffer_set_script(buf, script);
	hb_buffer_set_cluster_level(buf, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
	hb_shape(font, buf, features, sizeof features / sizeof features[0]);
	if (!hb_buffer_allocation_successful(buf))
		return EC_ERR_NOMEM;
	info = hb_buffer_get_glyph_infos(buf, &n);
	pos = hb_buffer_get_glyph_positions(buf, NULL);
	if (l->ng + n > *cap) {
		size_t c = (l->ng + n) * 2;
		struct ec_sglyph *g = realloc(l->g, c * sizeof *g);

		if (g == NULL)
			return EC_ERR_NOMEM;
		l->g = g;
		*cap = c;
	}
	r->g0 = l->ng;
	r->ng = n;
	r->advance = 0;
	for (unsigned i = 0; i < n; i++) {
		struct ec_sglyph *g = &l->g[l->ng++];

		if (info[i].codepoint == 0)
			return uncovered(&l->cp[info[i].cluster], 1, 0);
		g->gid = info[i].codepoint;
		g->advance = pos[i].x_advance;
		g->x_off = pos[i].x_offset;
		g->y_off = pos[i].y_offset;
		r->advance += g->advance;
	}
	r->plain = is_plain(font, r, l, info, pos);
	return 0;
}

/* Rule L2 of the bidi algorithm on whole runs: from the highest level down to the lowest odd one,
 * reverse every sequence of runs at that level or higher. */
static void
reorder(struct ec_run *run, const FriBidiLevel *lev, size_t n)
{
	int hi = 0, lo = 256;

	for (size_t i = 0; i < n; i++) {
		hi = lev[i] > hi ? lev[i] : hi;
		if (lev[i] & 1)
			lo = lev[i] < lo ? lev[i] : lo;
	}
	for (int k = hi; k >= lo && k > 0; k--)
		for (size_t i = 0; i < n;) {
			size_t j = i;

			while (j < n && lev[j] >= k)
				j++;
			for (size_t a = i, b = j; b > a + 1; a++, b--) {
				struct ec_run t = run[a];

				run[a] = run[b - 1];
				run[b - 1] = t;
			}
			i = j > i ? j : i + 1;
		}
}

int
ec_shape_line(const struct ec_fonts *f, unsigned family, const char *utf8, struct ec_line *l)
{
	struct work w = { 0 };
	hb_buffer_t *buf = NULL;
	FriBidiLevel *rlev = NULL;
	size_t n, cap = 0;
	int rc;

	memset(l, 0, sizeof *l);
	if ((rc = decode(utf8, l)) != 0)
		goto out;
	n = l->ncp ? l->ncp : 1;
	w.font = malloc(n * sizeof *w.font);
	w.level = malloc(n * sizeof *w.level);
	w.script = malloc(n * sizeof *w.script);
	w.types = malloc(n * sizeof *w.types);
	w.brackets = malloc(n * sizeof *w.brackets);
	l->run = malloc(n * sizeof *l->run);
	rlev = malloc(n * sizeof *rlev);
	buf = hb_buffer_create();
	if (!w.font || !w.level || !w.script || !w.types || !w.brackets || !l->run || !rlev ||
	    !hb_buffer_allocation_successful(buf)) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	if (l->ncp == 0)
		goto out;
	if ((rc = choose_fonts(f, family, l, &w)) != 0 || (rc = bidi(l, &w)) != 0)
		goto out;
	resolve_scripts(l, &w);
	for (size_t i = 0; i < l->ncp;) {
		struct ec_run *r = &l->run[l->nrun];
		size_t j = i + 1;

		while (j < l->ncp && w.font[j] == w.font[i] && w.level[j] == w.level[i] && w.script[j] == w.script[i])
			j++;
		memset(r, 0, sizeof *r);
		r->font = w.font[i];
		r->rtl = w.level[i] & 1;
		r->cp0 = i;
		r->ncp = j - i;
		if ((rc = shape_run(f, l, r, w.script[i], buf, &cap)) != 0)
			goto out;
		rlev[l->nrun++] = w.level[i];
		i = j;
	}
	reorder(l->run, rlev, l->nrun);
out:
	hb_buffer_destroy(buf);
	free(rlev);
	work_free(&w);
	return rc;
}

double
ec_line_width(const struct ec_fonts *f, const struct ec_line *l, double size, double spacing)
{
	double w = 0;
	size_t spaced = 0;

	for (size_t i = 0; i < l->nrun; i++) {
		w += (double)l->run[i].advance * size / ec_font_upem(f, l->run[i].font);
		if (l->run[i].plain)
			spaced += l->run[i].ng;
	}
	if (spaced > 0 && l->nrun > 0 && l->run[l->nrun - 1].plain)
		spaced--;
	return w + spacing * (double)spaced;
}

int
ec_shape_check(const struct ec_fonts *f, const char *utf8)
{
	int rc = 0;

	for (unsigned fam = 0; fam < ec_fonts_families(f) && rc == 0; fam++) {
		struct ec_line l;

		rc = ec_shape_line(f, fam, utf8, &l);
		ec_line_free(&l);
	}
	return rc;
}
