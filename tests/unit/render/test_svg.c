/*
 * Unit tests for the name preview (lib/render/svg.c, lib/render/designs.c): a shaped line as one
 * inline SVG path from the fonts that will print it, labelled for assistive technology, joined
 * scripts drawn from their shaped glyphs, refusals as the shaper's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "designs.h"
#include "err.h"
#include "font.h"
#include "svg.h"
#include "template.h"

#define TT "/usr/share/fonts/truetype/"

static struct ec_fonts *
load(struct ec_template **t)
{
	static const char tpl[] = "ecert-template 1\npage a4 landscape\nfont a " TT "dejavu/DejaVuSans.ttf "
	    TT "noto/NotoSansArabic-Regular.ttf\ntext 20 20 200 10 font=a size=12 \"{name}\"\nqr 200 150 30\n";
	struct ec_fonts *f = NULL;

	if (ec_template_parse("t.tpl", tpl, strlen(tpl), t) || ec_fonts_load(*t, &f))
		return NULL;
	return f;
}

/* The number of path commands of kind c in s. */
static size_t
count(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void
test_latin(void **state)
{
	struct ec_template *t = NULL;
	struct ec_fonts *f = load(&t);
	struct ec_buf b;
	const char *d;

	(void)state;
	assert_non_null(f);
	ec_buf_init(&b);
	assert_int_equal(ec_svg_line(f, 0, "Wang Wei", "Wang <Wei>", "#1a1a1a", &b), 0);
	ec_buf_addc(&b, '\0');
	assert_non_null(strstr(b.p, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(b.p, "role=\"img\" aria-label=\"Wang &lt;Wei&gt;\""));
	assert_non_null(strstr(b.p, "fill=\"#1a1a1a\""));
	/* seven letters, each at least one closed contour; the space draws nothing */
	assert_non_null(d = strstr(b.p, " d=\""));
	assert_true(count(d, 'M') >= 7);
	assert_int_equal(count(d, 'M'), count(d, 'Z'));
	ec_buf_free(&b);
	ec_fonts_free(f);
	ec_template_free(t);
}

static void
test_joined_and_refused(void **state)
{
	struct ec_template *t = NULL;
	struct ec_fonts *f = load(&t);
	struct ec_buf a, b;

	(void)state;
	assert_non_null(f);
	ec_buf_init(&a);
	ec_buf_init(&b);
	/* Arabic from its shaped (joined) glyphs: not the isolated forms one by one */
	assert_int_equal(ec_svg_line(f, 0, "محمد", "محمد", "#000000", &a), 0);
	assert_true(a.len > 200);
	/* a character no font of the chain has: the shaper's refusal, nothing written */
	assert_int_equal(ec_svg_line(f, 0, "Ꭰ", "Ꭰ", "#000000", &b), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+13A0"));
	assert_int_equal(b.len, 0);
	ec_buf_free(&a);
	ec_buf_free(&b);
	ec_fonts_free(f);
	ec_template_free(t);
}

/* The shipped designs: the {name} item's chain and colour, found by design name. */
static void
test_designs(void **state)
{
	struct ec_designs *d = NULL;
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	assert_int_equal(ec_designs_new("/nonexistent", &d), 0);
	assert_int_equal(ec_designs_name_svg(d, "associate", "김민준", &b), 0);
	ec_buf_addc(&b, '\0');
	assert_non_null(strstr(b.p, "aria-label=\"김민준\""));
	assert_int_equal(ec_designs_name_svg(d, "no-such-design", "A", &b), EC_ERR_NOTFOUND);
	ec_buf_free(&b);
	ec_designs_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latin),
		cmocka_unit_test(test_joined_and_refused),
		cmocka_unit_test(test_designs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
