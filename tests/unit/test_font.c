/* Unit tests for fonts: loading, coverage through fallback chains, refusal messages, subsets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

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

static void
test_subset(void **state)
{
	struct ec_template *t = tpl("font a " SANS " " UMING "@0\n");
	const uint32_t latin[] = { 'Z', 'o', 0xeb }, cjk[] = { 0x674e, 0x745e };
	struct ec_fonts *f;
	unsigned char *out;
	size_t len;

	(void)state;
	assert_int_equal(ec_fonts_load(t, &f), 0);
	ec_template_free(t);
	assert_int_equal(ec_font_subset(f, 0, latin, 3, &out, &len), 0);
	/* A TrueType file, far smaller than DejaVu Sans's 700 KB. */
	assert_true(len > 100 && len < 4000);
	assert_memory_equal(out, "\x00\x01\x00\x00", 4);
	free(out);
	assert_int_equal(ec_font_subset(f, 1, cjk, 2, &out, &len), 0);
	assert_true(len > 100 && len < 6000);
	free(out);
	ec_fonts_free(f);
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
		cmocka_unit_test(test_load_errors),
	};

	return cmocka_run_group_tests_name("font", tests, NULL, NULL);
}
