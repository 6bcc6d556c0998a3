/* Unit tests for strict UTF-8 decoding and the clean-text rule every parser of outside input applies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

static size_t
next(const char *s, unsigned long *cp)
{
	return ec_utf8_next((const unsigned char *)s, strlen(s), cp);
}

static void
test_next(void **state)
{
	unsigned long cp = 0;

	(void)state;
	assert_int_equal(next("A", &cp), 1);
	assert_int_equal(cp, 0x41);
	assert_int_equal(next("\xc3\xa9", &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(next("\xe7\x8e\x8b", &cp), 3);
	assert_int_equal(cp, 0x738b);
	assert_int_equal(next("\xf0\x9f\x98\x80", &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(next("\xf4\x8f\xbf\xbf", &cp), 4);   /* U+10FFFF, the last scalar value */
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(next("\xc0\xaf", &cp), 0);           /* overlong '/' */
	assert_int_equal(next("\xe0\x80\xaf", &cp), 0);       /* overlong, three bytes */
	assert_int_equal(next("\xf0\x80\x80\xaf", &cp), 0);   /* overlong, four bytes */
	assert_int_equal(next("\xed\xa0\x80", &cp), 0);       /* surrogate U+D800 */
	assert_int_equal(next("\xed\xbf\xbf", &cp), 0);       /* surrogate U+DFFF */
	assert_int_equal(next("\xf4\x90\x80\x80", &cp), 0);   /* U+110000 */
	assert_int_equal(next("\xf8\x88\x80\x80\x80", &cp), 0); /* five-byte form */
	assert_int_equal(next("\x80", &cp), 0);               /* lone continuation */
	assert_int_equal(next("\xe6\x9d", &cp), 0);           /* truncated */
	assert_int_equal(next("\xc3\x41", &cp), 0);           /* continuation missing */
	assert_int_equal(ec_utf8_next((const unsigned char *)"", 0, &cp), 0);
}

static void
test_len_and_valid(void **state)
{
	(void)state;
	assert_int_equal(ec_utf8_len("\xe6\x9d\x8e\xe7\x91\x9e\xe7\x91\x9e", 9), 3);
	assert_int_equal(ec_utf8_len("", 0), 0);
	assert_int_equal(ec_utf8_len("a\xf0\x9f\x98\x80", 5), 2);
	assert_int_equal(ec_utf8_len("a\x80", 2), -1);
	assert_int_equal(ec_utf8_len("\xe6\x9d", 2), -1);
	assert_int_equal(ec_utf8_len("\xed\xa0\x80", 3), -1);
	/* the length bounds the walk: a valid prefix of invalid text is valid */
	assert_int_equal(ec_utf8_len("ab\xff", 2), 2);
	assert_int_equal(ec_utf8_valid("Zo\xc3\xab", 4), 1);
	assert_int_equal(ec_utf8_valid("Zo\xc3", 3), 0);
	assert_int_equal(ec_utf8_valid("a\0b", 3), 1);        /* NUL is valid UTF-8; ec_text_check refuses it */
}

static void
text_bad(const char *s, unsigned long want)
{
	unsigned long bad = 0;

	assert_int_equal(ec_text_check(s, strlen(s), &bad), -1);
	assert_int_equal(bad, want);
}

static void
test_text_check(void **state)
{
	unsigned long bad = 1;

	(void)state;
	assert_int_equal(ec_text_check("Zo\xc3\xab O'Brien", 12, &bad), 11);
	assert_int_equal(bad, 0);
	assert_int_equal(ec_text_check("a\0b", 3, &bad), -1);
	assert_int_equal(bad, 0);
	text_bad("a\tb", 0x09);
	text_bad("a\nb", 0x0a);
	text_bad("a\x7f", 0x7f);
	text_bad("a\xc2\x85", 0x85);                 /* NEL, a C1 control */
	text_bad("a\xc2\x9f", 0x9f);
	text_bad("a\xe2\x80\xa8", 0x2028);           /* line separator */
	text_bad("a\xe2\x80\xa9", 0x2029);           /* paragraph separator */
	text_bad("\xe2\x80\xae" "evil", 0x202e);     /* right-to-left override */
	text_bad("\xe2\x80\xaa", 0x202a);
	text_bad("\xe2\x81\xa6", 0x2066);            /* left-to-right isolate */
	text_bad("\xe2\x81\xa9", 0x2069);
	text_bad("\xef\xbb\xbf" "a", 0xfeff);        /* byte order mark */
	text_bad("a\xc0\xaf", EC_TEXT_BAD_UTF8);
	/* next to the refused ranges, still text */
	assert_int_equal(ec_text_check("\xc2\xa0\xe2\x80\xaf\xe2\x81\xa5", 8, &bad), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_len_and_valid),
		cmocka_unit_test(test_text_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
