/* Unit tests for holder names: NFC, accepted scripts, every refusal, folding and masking. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "name.h"
#include "utf8.h"

/* Normalise s and compare with want. */
static void
ok(const char *s, const char *want)
{
	char *out = NULL;
	int rc = ec_name_normalize(s, strlen(s), &out);

	if (rc != 0)
		fail_msg("refused '%s': %s", s, ec_err_msg(rc));
	assert_string_equal(out, want);
	free(out);
}

/* Normalisation of s fails with a detail containing each of the (up to two) fragments. */
static void
bad_len(const char *s, size_t len, const char *frag1, const char *frag2)
{
	char *out = (char *)"sentinel";
	int rc = ec_name_normalize(s, len, &out);

	if (rc != EC_ERR_SYNTAX)
		fail_msg("accepted or wrong code %d for '%s'", rc, s);
	assert_null(out);
	if (frag1 && strstr(ec_err_msg(rc), frag1) == NULL)
		fail_msg("detail '%s' lacks '%s'", ec_err_msg(rc), frag1);
	if (frag2 && strstr(ec_err_msg(rc), frag2) == NULL)
		fail_msg("detail '%s' lacks '%s'", ec_err_msg(rc), frag2);
}

static void
bad(const char *s, const char *frag1, const char *frag2)
{
	bad_len(s, strlen(s), frag1, frag2);
}

static void
test_nfc(void **state)
{
	(void)state;
	ok("Zoe\xcc\x88", "Zo\xc3\xab");                                      /* Zoe + U+0308 -> Zoë */
	ok("Zo\xc3\xab O'Brien", "Zo\xc3\xab O'Brien");
	/* Nguyễn Thị Minh Khai, precomposed and fully decomposed */
	ok("Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Minh Khai", "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Minh Khai");
	ok("Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Minh Khai", "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Minh Khai");
	/* Hangul jamo compose to a syllable */
	ok("\xe1\x84\x80\xe1\x85\xa1", "\xea\xb0\x80");
	/* Compatibility characters are kept (NFC, not NFKC) */
	ok("\xef\xac\x81" "lip", "\xef\xac\x81" "lip");
}

static void
test_scripts_accepted(void **state)
{
	(void)state;
	ok("\xe6\x9d\x8e\xe7\x91\x9e\xe7\x91\x9e", "\xe6\x9d\x8e\xe7\x91\x9e\xe7\x91\x9e");   /* 李瑞瑞 */
	ok("\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2",
	    "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2");  /* Иван Петров */
	ok("\xce\x93\xce\xb9\xcf\x8e\xcf\x81\xce\xb3\xce\xbf\xcf\x82",
	    "\xce\x93\xce\xb9\xcf\x8e\xcf\x81\xce\xb3\xce\xbf\xcf\x82");                        /* Γιώργος */
	ok("\xe3\x82\x84\xe3\x81\xbe\xe3\x81\xa0 \xe3\x81\x9f\xe3\x82\x8d\xe3\x81\x86",
	    "\xe3\x82\x84\xe3\x81\xbe\xe3\x81\xa0 \xe3\x81\x9f\xe3\x82\x8d\xe3\x81\x86");       /* やまだ たろう */
	ok("\xea\xb9\x80\xeb\xaf\xbc\xec\xa4\x80", "\xea\xb9\x80\xeb\xaf\xbc\xec\xa4\x80");   /* 김민준 */
	ok("Jean-Fran\xc3\xa7ois d'Arc", "Jean-Fran\xc3\xa7ois d'Arc");
	ok("\xc5\x81ukasz \xc5\xbb\xc3\xb3\xc5\x82w", "\xc5\x81ukasz \xc5\xbb\xc3\xb3\xc5\x82w");
}

static void
test_white_space(void **state)
{
	(void)state;
	ok("  Zo\xc3\xab   O'Brien  ", "Zo\xc3\xab O'Brien");
	/* NBSP, ideographic space, thin space collapse to one space */
	ok("\xc2\xa0Zo\xc3\xab\xc2\xa0\xe3\x80\x80\xe2\x80\x89O'Brien\xe3\x80\x80", "Zo\xc3\xab O'Brien");
	bad("", "name is empty", NULL);
	bad("   \xe3\x80\x80 ", "name is empty", NULL);
	bad("Zo\te", "U+0009", "control");
}

static void
test_controls(void **state)
{
	(void)state;
	bad("Zoe\n", "U+000A", "control character");
	bad("Zoe\r", "U+000D", NULL);
	bad("Zo\x7f" "e", "U+007F", NULL);
	bad("Zo\x1b[31me", "U+001B", NULL);
	bad("Zo\xc2\x85" "e", "U+0085", NULL);
	bad_len("Zo\0e", 4, "U+0000", "'Zo?e'");
	bad("Zo\xe2\x80\xa8" "e", "U+2028", "line or paragraph separator");
	bad("Zo\xe2\x80\xa9" "e", "U+2029", NULL);
}

static void
test_format_and_invisible(void **state)
{
	(void)state;
	bad("abc\xe2\x80\xae" "def", "U+202E", "format character");            /* RLO */
	bad("abc\xe2\x80\xaa" "def", "U+202A", NULL);                           /* LRE */
	bad("abc\xe2\x81\xa6" "def", "U+2066", NULL);                           /* LRI */
	bad("abc\xe2\x81\xa9" "def", "U+2069", NULL);                           /* PDI */
	bad("abc\xe2\x80\x8f" "def", "U+200F", NULL);                           /* RLM */
	bad("abc\xe2\x80\x8b" "def", "U+200B", NULL);                           /* ZWSP */
	bad("abc\xe2\x80\x8d" "def", "U+200D", NULL);                           /* ZWJ */
	bad("abc\xe2\x80\x8c" "def", "U+200C", NULL);                           /* ZWNJ */
	bad("abc\xc2\xad" "def", "U+00AD", NULL);                               /* soft hyphen */
	bad("\xef\xbb\xbf" "abc", "U+FEFF", NULL);                              /* BOM */
	bad("abc\xcd\x8f" "def", "U+034F", "invisible");                        /* CGJ */
	bad("abc\xef\xb8\x8f", "U+FE0F", "invisible");                          /* VS16 */
	bad("\xe3\x85\xa4" "abc", "U+3164", "invisible");                       /* Hangul filler */
	/* The hidden character is not echoed back in the detail. */
	bad("abc\xe2\x80\xae" "def", "'abc?def'", NULL);
}

static void
test_unassigned_private(void **state)
{
	(void)state;
	bad("a\xcd\xb8" "b", "U+0378", "not an assigned character");
	bad("a\xef\xbf\xbf" "b", "U+FFFF", "not an assigned");
	bad("a\xef\xb7\x90" "b", "U+FDD0", NULL);
	bad("a\xee\x80\x80" "b", "U+E000", "private-use");
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	bad("ab\xc0\xaf", "invalid UTF-8 at byte 3", "'ab?" "?'");                /* overlong '/' */
	bad("\xe0\x80\xaf", "invalid UTF-8 at byte 1", NULL);                   /* 3-byte overlong */
	bad("\xf0\x80\x80\xaf", "invalid UTF-8", NULL);                         /* 4-byte overlong */
	bad("a\x80" "b", "invalid UTF-8 at byte 2", NULL);                      /* lone continuation */
	bad("ab\xe6\x9d", "invalid UTF-8 at byte 3", NULL);                     /* truncated */
	bad("a\xed\xa0\x80" "b", "invalid UTF-8 at byte 2", NULL);              /* surrogate U+D800 */
	bad("a\xed\xbf\xbf" "b", "invalid UTF-8", NULL);                        /* surrogate U+DFFF */
	bad("a\xf4\x90\x80\x80", "invalid UTF-8", NULL);                        /* beyond U+10FFFF */
	bad("\xff", "invalid UTF-8", NULL);
	bad("\xfe\xfe", "invalid UTF-8", NULL);
}

static void
test_non_bmp(void **state)
{
	(void)state;
	bad("Zo\xc3\xab \xf0\x9f\x98\x80", "U+1F600", "Basic Multilingual Plane");   /* emoji */
	bad("\xf0\xa0\x80\x80", "U+20000", "Basic Multilingual Plane");               /* CJK ext. B */
}

/* Scripts that need shaping are names like any other: whether a template prints them is the renderer's question. */
static void
test_shaping_scripts(void **state)
{
	(void)state;
	ok("\xd9\x85\xd8\xad\xd9\x85\xd8\xaf", "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf");        /* محمد */
	ok("\xd7\x93\xd7\x95\xd7\x93", "\xd7\x93\xd7\x95\xd7\x93");                            /* דוד */
	ok("\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xb9\xe0\xa5\x81\xe0\xa4\xb2 Kumar",
	    "\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xb9\xe0\xa5\x81\xe0\xa4\xb2 Kumar");               /* राहुल Kumar */
	ok("Ali  \xd8\xb9\xd9\x84\xd9\x8a", "Ali \xd8\xb9\xd9\x84\xd9\x8a");
	/* The joiners that shaping would honour are still refused: two names must not look alike. */
	bad("\xd9\x85\xe2\x80\x8c\xd8\xad", "U+200C", "format character");
	bad("\xe0\xa4\x95\xe2\x80\x8d\xe0\xa4\xb7", "U+200D", "format character");
}

static void
test_combining_start(void **state)
{
	(void)state;
	bad("\xcc\x81" "abc", "U+0301", "combining mark");
	bad("abc \xcc\x81" "def", "U+0301", "combining mark");
	bad("  \xcc\x81" "abc", "U+0301", NULL);
}

static void
test_length(void **state)
{
	char s[1100], *out = NULL;
	size_t i;

	(void)state;
	memset(s, 'a', 64);
	s[64] = '\0';
	ok(s, s);
	s[64] = 'a';
	s[65] = '\0';
	bad(s, "65 characters, at most 64", NULL);
	/* 64 CJK characters, 192 bytes: the byte bound in types.h */
	for (i = 0; i < 64; i++)
		memcpy(s + 3 * i, "\xe6\x9d\x8e", 3);
	s[192] = '\0';
	assert_int_equal(ec_name_normalize(s, 192, &out), 0);
	assert_int_equal(strlen(out), EC_NAME_MAX_BYTES);
	free(out);
	/* 64 decomposed letters count as the 64 they compose to. */
	for (i = 0; i < 64; i++)
		memcpy(s + 3 * i, "e\xcc\x81", 3);
	s[192] = '\0';
	assert_int_equal(ec_name_normalize(s, 192, &out), 0);
	assert_int_equal(ec_utf8_len(out, strlen(out)), 64);
	free(out);
	/* Spaces count once collapsed, surrounding ones not at all. */
	memset(s, ' ', 300);
	memset(s + 100, 'b', 32);
	memset(s + 140, 'c', 31);
	s[300] = '\0';
	assert_int_equal(ec_name_normalize(s, 300, &out), 0);
	assert_int_equal(strlen(out), 64);
	free(out);
	memset(s, 'a', sizeof s);
	bad_len(s, 1025, "too long", NULL);
	assert_true(strlen(ec_err_msg(EC_ERR_SYNTAX)) < 200);
}

static char *
fold(const char *s)
{
	char *out = NULL;

	assert_int_equal(ec_name_fold(s, strlen(s), &out), 0);
	return out;
}

static void
fold_eq(const char *a, const char *b, int equal)
{
	char *fa = fold(a), *fb = fold(b);

	if ((strcmp(fa, fb) == 0) != equal)
		fail_msg("'%s' and '%s' fold to '%s' and '%s'", a, b, fa, fb);
	free(fa);
	free(fb);
}

static void
test_fold(void **state)
{
	char *out = NULL;
	char big[1100];

	(void)state;
	out = fold("Zo\xc3\xab O'Brien");
	assert_string_equal(out, "zo\xc3\xabo'brien");
	free(out);
	fold_eq("Zo\xc3\xab O'Brien", "ZO\xc3\x8b  O'BRIEN", 1);
	fold_eq("Zo\xc3\xab O'Brien", "zoe\xcc\x88o'brien", 1);
	fold_eq("Zo\xc3\xab O'Brien", "\tZo\xc3\xab\xe3\x80\x80O'Brien\n", 1);
	fold_eq("Stra\xc3\x9f" "e", "STRASSE", 1);
	fold_eq("\xe6\x9d\x8e\xe7\x91\x9e\xe7\x91\x9e", "\xe6\x9d\x8e \xe7\x91\x9e \xe7\x91\x9e", 1);
	fold_eq("\xce\xa3\xce\x99\xce\xa3", "\xcf\x83\xce\xb9\xcf\x82", 1);              /* ΣΙΣ, σις */
	fold_eq("Zo\xc3\xab O'Brien", "Zoe O'Brien", 0);
	fold_eq("Zo\xc3\xab O'Brien", "Zo\xc3\xab O\xe2\x80\x99" "Brien", 0);
	fold_eq("\xe6\x9d\x8e\xe7\x91\x9e\xe7\x91\x9e", "\xe6\x9d\x8e\xe7\x91\x9e", 0);
	out = fold("");
	assert_string_equal(out, "");
	free(out);
	out = (char *)"sentinel";
	assert_int_equal(ec_name_fold("a\xc0\xaf", 3, &out), EC_ERR_SYNTAX);
	assert_null(out);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "invalid UTF-8 at byte 2"));
	memset(big, 'a', sizeof big);
	assert_int_equal(ec_name_fold(big, sizeof big, &out), EC_ERR_TOOBIG);
}

static void
mask_is(const char *name, const char *want)
{
	char *out = NULL;

	assert_int_equal(ec_name_mask(name, &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void
test_mask(void **state)
{
	char *out = (char *)"sentinel";

	(void)state;
	mask_is("Zo\xc3\xab O'Brien", "Z***");
	mask_is("\xe6\x9d\x8e\xe7\x91\x9e\xe7\x91\x9e", "\xe6\x9d\x8e***");
	mask_is("Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Minh Khai", "N***");
	mask_is("\xc3\x89mile", "\xc3\x89***");
	/* one shape whatever the length or the number of words: nothing to count */
	mask_is("A", "A***");
	mask_is("A B", "A***");
	mask_is("Fran\xc3\xa7oise M\xc3\xbcller-Westernhagen", "F***");
	assert_int_equal(ec_name_mask("Zo\xc3", &out), EC_ERR_SYNTAX);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfc),
		cmocka_unit_test(test_scripts_accepted),
		cmocka_unit_test(test_white_space),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_format_and_invisible),
		cmocka_unit_test(test_unassigned_private),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_non_bmp),
		cmocka_unit_test(test_shaping_scripts),
		cmocka_unit_test(test_combining_start),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_mask),
	};

	return cmocka_run_group_tests_name("name", tests, NULL, NULL);
}
