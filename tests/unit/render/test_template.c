/* Unit tests for the template parser: the shipped designs, every malformed case (FILE:LINE), expansion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "template.h"

#define HEAD "ecert-template 1\npage a4 landscape\nmargin 10\nfont f /x/DejaVuSans.ttf\n"
#define TAIL "text 20 20 100 10 font=f size=12 \"{name}\"\nqr 200 150 30\n"

static int
parse(const char *s, struct ec_template **t)
{
	return ec_template_parse("t.tpl", s, strlen(s), t);
}

static void
test_shipped(void **state)
{
	const char *files[] = { "templates/associate.tpl", "templates/professional.tpl" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct ec_template *t;
		int qr = 0;

		assert_int_equal(ec_template_load(files[i], &t), 0);
		/* A4 landscape in points. */
		assert_true(t->page_w > 841 && t->page_w < 842);
		assert_true(t->page_h > 595 && t->page_h < 596);
		assert_true(t->nfamilies >= 1);
		for (unsigned k = 0; k < t->nitems; k++)
			qr += t->items[k].kind == EC_TPL_QR;
		assert_int_equal(qr, 1);
		ec_template_free(t);
	}
}

static void
test_minimal(void **state)
{
	struct ec_template *t;
	const struct ec_tpl_item *it;

	(void)state;
	assert_int_equal(parse("# comment\r\n\n" HEAD "colour ink #102030\n"
	    "rect 0 0 297 210 fill=ink\nline 10 10 100 10 stroke=#ff0000 width=2\n"
	    "text 20 20 100 10 font=f size=12 min=6 align=right colour=ink spacing=1.5 \"Hi {{ {name} }} \\\"q\\\" \\\\\"\n"
	    "qr 200 150 30 colour=ink\n", &t), 0);
	assert_string_equal(t->families[0].files[0].path, "/x/DejaVuSans.ttf");
	assert_int_equal(t->nitems, 4);
	it = &t->items[2];
	assert_int_equal(it->kind, EC_TPL_TEXT);
	assert_int_equal(it->line, 10);
	assert_string_equal(it->text, "Hi {{ {name} }} \"q\" \\");
	assert_int_equal(it->align, EC_TPL_RIGHT);
	assert_true(it->size == 12 && it->min == 6 && it->spacing == 1.5);
	assert_true(it->colour.r > 0.06 && it->colour.r < 0.07);
	/* 20 mm from the left, box bottom 30 mm from the top of a 210 mm page, in points. */
	assert_true(it->x > 56.69 && it->x < 56.70);
	assert_true(it->y > 510.23 && it->y < 510.24);
	assert_int_equal(t->items[1].kind, EC_TPL_LINE);
	assert_true(t->items[1].h == 0 && t->items[1].w > 255);
	ec_template_free(t);

	/* Relative font and image paths resolve against the template's directory; .ttc index. */
	assert_int_equal(ec_template_parse("/etc/ecert/t.tpl", HEAD "font g fonts/u.ttc@2 /abs.ttf\n"
	    "image 20 40 30 30 logo.png\n" TAIL, strlen(HEAD "font g fonts/u.ttc@2 /abs.ttf\n"
	    "image 20 40 30 30 logo.png\n" TAIL), &t), 0);
	assert_string_equal(t->families[1].files[0].path, "/etc/ecert/fonts/u.ttc");
	assert_int_equal(t->families[1].files[0].index, 2);
	assert_string_equal(t->families[1].files[1].path, "/abs.ttf");
	assert_string_equal(t->items[0].path, "/etc/ecert/logo.png");
	ec_template_free(t);

	/* A second 'font' line with a family's name continues its chain, after other directives too. */
	assert_int_equal(ec_template_parse("t.tpl", HEAD "font g /g.ttf\nfont f /y.ttf@1 /z.ttf\n" TAIL,
	    strlen(HEAD "font g /g.ttf\nfont f /y.ttf@1 /z.ttf\n" TAIL), &t), 0);
	assert_int_equal(t->nfamilies, 2);
	assert_int_equal(t->families[0].nfiles, 3);
	assert_string_equal(t->families[0].files[0].path, "/x/DejaVuSans.ttf");
	assert_string_equal(t->families[0].files[1].path, "/y.ttf");
	assert_int_equal(t->families[0].files[1].index, 1);
	assert_string_equal(t->families[0].files[2].path, "/z.ttf");
	assert_int_equal(t->families[1].nfiles, 1);
	ec_template_free(t);
}

struct bad {
	const char *text;
	unsigned line;
	const char *msg;
};

static const struct bad bads[] = {
	{ "", 1, "empty template" },
	{ "page a4 landscape\n", 1, "expected 'ecert-template 1'" },
	{ "ecert-template 2\n", 1, "unsupported template version" },
	{ "ecert-template 1\necert-template 1\n", 2, "given twice" },
	{ "ecert-template 1\npage a4 landscape\npage a4 landscape\n", 3, "'page' given twice" },
	{ "ecert-template 1\npage a3 landscape\n", 2, "unknown page size 'a3'" },
	{ "ecert-template 1\npage a4 sideways\n", 2, "orientation" },
	{ "ecert-template 1\npage a4\n", 2, "expected 'page" },
	{ "ecert-template 1\nmargin 10\n", 2, "no 'page' line" },
	{ "ecert-template 1\npage a4 landscape\nmargin 120\n", 3, "over 100" },
	{ "ecert-template 1\npage a5 landscape\nmargin 80\nfont f /x.ttf\n" TAIL, 3, "leaves no room" },
	{ "ecert-template 1\npage a4 landscape\nmargin 10\nmargin 10\n", 4, "'margin' given twice" },
	{ HEAD "frobnicate 1 2\n", 5, "unknown keyword 'frobnicate'" },
	{ HEAD "\"text\" 1 2\n", 5, "must start with a keyword" },
	{ HEAD "font Bad /y.ttf\n", 5, "bad font name 'Bad'" },
	{ HEAD "font g\n", 5, "expected 'font NAME" },
	{ HEAD "font g /a /b /c /d /e /f /g /h /i /j /k /l\nfont g /a /b /c /d /e /f /g /h /i /j /k /l\n"
	    "font g /a /b /c /d /e /f /g /h /i /j /k /l\n", 7, "more than 32 files in font 'g'" },
	{ HEAD "font g /a.ttc@x\n", 5, "font index 'x' is not a number" },
	{ HEAD "font g /a.ttc@1.5\n", 5, "whole number" },
	{ HEAD "colour ink 102030\n", 5, "is not #RRGGBB" },
	{ HEAD "colour ink #10203g\n", 5, "is not #RRGGBB" },
	{ HEAD "colour ink #102030\ncolour ink #102030\n", 6, "colour 'ink' defined twice" },
	{ HEAD "colour ink\n", 5, "expected 'colour NAME #RRGGBB'" },
	{ HEAD "rect 1 2 3\n", 5, "expected 'rect" },
	{ HEAD "rect 1 2 3 x\n", 5, "height 'x' is not a number" },
	{ HEAD "rect 1 2 3 -4\n", 5, "is not a number" },
	{ HEAD "rect 1 2 3 4.\n", 5, "is not a number" },
	{ HEAD "rect 1 2 3 4 stroke=nocolour\n", 5, "unknown colour 'nocolour'" },
	{ HEAD "rect 1 2 3 4 width=1 width=2\n", 5, "option 'width' given twice" },
	{ HEAD "rect 1 2 3 4 size=2\n", 5, "unknown option 'size'" },
	{ HEAD "rect 1 2 3 4 stroke=\n", 5, "has no value" },
	{ HEAD "rect 1 2 3 4 blue\n", 5, "expected key=value" },
	{ HEAD "rect 1 2 0 4\n", 5, "empty rectangle" },
	{ HEAD "rect 1 2 3 4 width=0\n", 5, "stroke width must be above 0" },
	{ HEAD "rect 1 2 3 4 width=25\n", 5, "over 20" },
	{ HEAD "rect 290 2 30 4\n" TAIL, 5, "past the edge" },
	{ HEAD "line 1 2 3\n", 5, "expected 'line" },
	{ HEAD "line 1 2 3 4 fill=#000000\n", 5, "unknown option 'fill'" },
	{ HEAD "text 20 20 100 10 size=12 \"{name}\"\n", 5, "needs font=" },
	{ HEAD "text 20 20 100 10 font=f \"{name}\"\n", 5, "needs size=" },
	{ HEAD "text 20 20 100 10 font=g size=12 \"{name}\"\n", 5, "unknown font 'g'" },
	{ HEAD "text 20 20 100 10 font=f size=12 min=13 \"{name}\"\n", 5, "is above size=" },
	{ HEAD "text 20 20 100 10 font=f size=12 align=middle \"{name}\"\n", 5, "align must be" },
	{ HEAD "text 20 20 100 10 font=f size=12 {name}\n", 5, "expected 'text" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"\"\n", 5, "empty text" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"{nmae}\"\n", 5, "unknown placeholder '{nmae}'" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"{name\"\n", 5, "unterminated placeholder" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"a } b\"\n", 5, "stray '}'" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"{name}\n", 5, "unterminated string" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"a\\n\"\n", 5, "unknown escape" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"a\"b\n", 5, "right after a closing quote" },
	{ HEAD "text 20 20 100 10 font=f size=12 a\"b \"c\"\n", 5, "quote inside a word" },
	{ HEAD "text 20 20 100 0 font=f size=12 \"{name}\"\n", 5, "empty text box" },
	{ HEAD "text 5 20 100 10 font=f size=12 \"{name}\"\nqr 200 150 30\n", 5, "past the 10 mm margin" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"{title}\"\nqr 200 150 30\n", 6, "no text item shows {name}" },
	{ HEAD "text 20 20 100 10 font=f size=12 \"{name}\"\n", 5, "no 'qr' item" },
	{ HEAD TAIL "qr 100 100 30\n", 7, "a second 'qr' (the first is on line 6)" },
	{ HEAD "qr 100 100 10\n", 5, "below 15 mm" },
	{ HEAD "qr 100 100\n", 5, "expected 'qr" },
	{ HEAD "image 20 20 30 30 logo.gif\n", 5, "not .png, .jpg or .jpeg" },
	{ HEAD "image 20 20 30 30 logo.xjpeg\n", 5, "not .png, .jpg or .jpeg" },
	{ HEAD "image 20 20 30 30 .png\n", 5, "not .png, .jpg or .jpeg" },
	{ HEAD "image 20 20 30 30\n", 5, "expected 'image" },
	{ HEAD "rect 1 2 3 4\x01\n", 5, "control character U+0001" },
	{ HEAD "rect 1 2 3 4 \xff\n", 5, "invalid UTF-8" },
	{ HEAD "rect 1 2 3 4 \xc0\xaf\n", 5, "invalid UTF-8" },
	{ HEAD "rect 1 2 3 4 3000\n", 5, "expected key=value" },
	{ HEAD "rect 1 2 3 4000\n", 5, "over 2000" },
	{ HEAD "rect 1 2 3 4 a b c d e f g h i j k l m n\n", 5, "too many words" },
};

static void
test_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct ec_template *t = (struct ec_template *)1;
		char want[32];
		const char *msg;
		int rc = parse(bads[i].text, &t);

		if (rc != EC_ERR_SYNTAX)
			fail_msg("case %zu: got %d for \"%s\"", i, rc, bads[i].text);
		assert_null(t);
		msg = ec_err_msg(rc);
		snprintf(want, sizeof(want), "t.tpl:%u: ", bads[i].line);
		if (strncmp(msg, want, strlen(want)) != 0 || strstr(msg, bads[i].msg) == NULL)
			fail_msg("case %zu: message \"%s\", wanted \"%s...%s\"", i, msg, want, bads[i].msg);
	}
}

static void
test_limits(void **state)
{
	struct ec_template *t;
	char *big;
	size_t n = 0;

	(void)state;
	/* A line over the limit, a NUL byte, too many items, too many fonts, a file over the limit. */
	big = malloc(EC_TPL_FILE_MAX + 2);
	assert_non_null(big);
	n = (size_t)snprintf(big, EC_TPL_FILE_MAX, HEAD "rect 1 2 3 4");
	memset(big + n, ' ', 1100);
	strcpy(big + n + 1100, "\n");
	assert_int_equal(parse(big, &t), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "t.tpl:5: line longer than"));

	assert_int_equal(ec_template_parse("t.tpl", HEAD "rect 1 2\0 3 4\n", sizeof(HEAD "rect 1 2\0 3 4\n") - 1, &t),
	    EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "t.tpl:5: NUL byte"));

	n = (size_t)snprintf(big, EC_TPL_FILE_MAX, HEAD);
	for (int i = 0; i < EC_TPL_ITEMS + 1; i++)
		n += (size_t)snprintf(big + n, EC_TPL_FILE_MAX - n, "rect 1 2 3 4\n");
	assert_int_equal(parse(big, &t), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "more than"));

	n = (size_t)snprintf(big, EC_TPL_FILE_MAX, HEAD);
	for (int i = 0; i < EC_TPL_FAMILIES; i++)
		n += (size_t)snprintf(big + n, EC_TPL_FILE_MAX - n, "font g%d /a.ttf\n", i);
	assert_int_equal(parse(big, &t), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "t.tpl:12: more than 8 fonts"));

	memset(big, '#', EC_TPL_FILE_MAX + 1);
	assert_int_equal(ec_template_parse("t.tpl", big, EC_TPL_FILE_MAX + 1, &t), EC_ERR_TOOBIG);
	free(big);

	assert_int_equal(ec_template_load("/nonexistent/x.tpl", &t), EC_ERR_NOTFOUND);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "cannot open '/nonexistent/x.tpl'"));
	assert_int_equal(ec_template_load("/", &t), EC_ERR_IO);
}

static void
test_expand(void **state)
{
	struct ec_tpl_values v = { "Zoë {org} O'Brien", "T", "C", "0101 2345", "2026-10-27", "2029-10-26",
	    "https://x/v/1", NULL };
	char out[128];

	(void)state;
	assert_int_equal(ec_template_expand("{name}|{title}|{code}|{number}|{effective}|{expires}|{url}|{org}|{{x}}",
	    &v, out, sizeof(out)), 0);
	/* A value is data: its braces are not expanded again. */
	assert_string_equal(out, "Zoë {org} O'Brien|T|C|0101 2345|2026-10-27|2029-10-26|https://x/v/1||{x}");
	assert_int_equal(ec_template_expand("{name}{name}{name}{name}{name}{name}{name}{name}", &v, out, sizeof(out)),
	    EC_ERR_TOOBIG);
	assert_int_equal(ec_template_expand("{bogus}", &v, out, sizeof(out)), EC_ERR_SYNTAX);
	assert_int_equal(ec_template_expand("{name", &v, out, sizeof(out)), EC_ERR_SYNTAX);
	assert_int_equal(ec_template_expand("a}b", &v, out, sizeof(out)), EC_ERR_SYNTAX);
	assert_int_equal(ec_template_expand("x", &v, out, 1), EC_ERR_TOOBIG);
	assert_int_equal(ec_template_expand("", &v, out, 1), 0);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_expand),
	};

	return cmocka_run_group_tests_name("template", tests, NULL, NULL);
}
