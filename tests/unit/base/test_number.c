/* Unit tests for certificate numbers: generation, check digits, typo detection, parsing, display. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "number.h"

#define GENERATED 100000

static int
parse(const char *s, char out[EC_NUMBER_DIGITS + 1])
{
	return ec_number_parse(s, strlen(s), out);
}

static void
test_known_check_digits(void **state)
{
	char out[EC_NUMBER_DIGITS + 1];

	(void)state;
	/* 01012345678901234567 * 100 mod 97 = 91, 98 - 91 = 07 */
	assert_int_equal(parse("0101234567890123456707", out), 0);
	assert_string_equal(out, "0101234567890123456707");
	assert_int_equal(parse("0101000000000000000033", out), 0);
	assert_true(ec_number_valid("0101234567890123456707"));
	assert_false(ec_number_valid("0101234567890123456708"));
	assert_false(ec_number_valid("010123456789012345670"));
	assert_false(ec_number_valid("01012345678901234567070"));
	assert_false(ec_number_valid("0101 234567890123456707"));
	assert_false(ec_number_valid(NULL));
	assert_int_equal(parse("0101234567890123456708", out), EC_ERR_CHECKSUM);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CHECKSUM), "'0101234567890123456708'"));
	assert_non_null(strstr(ec_err_msg(EC_ERR_CHECKSUM), "typo"));
}

static void
test_generate(void **state)
{
	char n[EC_NUMBER_DIGITS + 1], m[EC_NUMBER_DIGITS + 1];

	(void)state;
	assert_int_equal(ec_number_generate(101, n), 0);
	assert_int_equal(strlen(n), EC_NUMBER_DIGITS);
	assert_memory_equal(n, "0101", 4);
	assert_true(ec_number_valid(n));
	assert_int_equal(ec_number_programme(n), 101);
	assert_int_equal(ec_number_generate(9999, n), 0);
	assert_int_equal(ec_number_programme(n), 9999);
	assert_int_equal(ec_number_generate(0, n), 0);
	assert_memory_equal(n, "0000", 4);
	assert_int_equal(ec_number_generate(0, m), 0);
	assert_string_not_equal(n, m);
	assert_int_equal(ec_number_generate(10000, n), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "10000"));
}

/*
 * Every single-digit substitution and every adjacent transposition of differing digits, over
 * 100,000 generated numbers (21.9 million variants), fails ec_number_valid and is reported by the
 * parser as a probable typo. The random digits are uniform.
 */
static void
test_typos_detected(void **state)
{
	char n[EC_NUMBER_DIGITS + 1], t[EC_NUMBER_DIGITS + 1], out[EC_NUMBER_DIGITS + 1];
	unsigned long count[10] = { 0 };
	unsigned long checked = 0;
	double expect;
	int k, i, d;

	(void)state;
	for (k = 0; k < GENERATED; k++) {
		assert_int_equal(ec_number_generate((unsigned)k % 10000, n), 0);
		assert_true(ec_number_valid(n));
		for (i = 4; i < 20; i++)
			count[n[i] - '0']++;
		for (i = 0; i < EC_NUMBER_DIGITS; i++) {
			memcpy(t, n, sizeof t);
			for (d = 0; d < 10; d++) {
				if (d == n[i] - '0')
					continue;
				t[i] = (char)('0' + d);
				if (ec_number_valid(t))
					fail_msg("substitution at %d undetected: %s -> %s", i, n, t);
				if (parse(t, out) != EC_ERR_CHECKSUM)
					fail_msg("substitution at %d not a checksum error: %s", i, t);
				checked++;
			}
		}
		for (i = 0; i + 1 < EC_NUMBER_DIGITS; i++) {
			if (n[i] == n[i + 1])
				continue;
			memcpy(t, n, sizeof t);
			t[i] = n[i + 1];
			t[i + 1] = n[i];
			if (ec_number_valid(t))
				fail_msg("transposition at %d undetected: %s -> %s", i, n, t);
			if (parse(t, out) != EC_ERR_CHECKSUM)
				fail_msg("transposition at %d not a checksum error: %s", i, t);
			checked++;
		}
		assert_int_equal(parse(n, out), 0);
		assert_string_equal(out, n);
	}
	assert_true(checked > (unsigned long)GENERATED * 200);
	expect = GENERATED * 16 / 10.0;
	for (d = 0; d < 10; d++)
		assert_true(count[d] > expect * 0.99 && count[d] < expect * 1.01);
}

static void
test_separators(void **state)
{
	char out[EC_NUMBER_DIGITS + 1];

	(void)state;
	assert_int_equal(parse("0101 2345 6789 0123 4567 07", out), 0);
	assert_string_equal(out, "0101234567890123456707");
	assert_int_equal(parse("0101-2345-6789-0123-4567-07", out), 0);
	assert_int_equal(parse("0101 - 2345 6789-0123  4567 0 7", out), 0);
	assert_string_equal(out, "0101234567890123456707");
	assert_int_equal(parse(" 0101234567890123456707", out), EC_ERR_SYNTAX);
	assert_int_equal(parse("0101234567890123456707 ", out), EC_ERR_SYNTAX);
	assert_int_equal(parse("-0101234567890123456707", out), EC_ERR_SYNTAX);
	assert_int_equal(parse("0101234567890123456707-", out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "between digits"));
	assert_int_equal(parse("0101\t2345678901234567 07", out), EC_ERR_SYNTAX);
	assert_int_equal(parse("0101_2345678901234567 07", out), EC_ERR_SYNTAX);
	assert_int_equal(parse("0101.2345678901234567 07", out), EC_ERR_SYNTAX);
}

static void
test_malformed(void **state)
{
	char out[EC_NUMBER_DIGITS + 1] = "untouched";
	char longin[400];
	const char nul[] = "01012345678\0" "01234567070";

	(void)state;
	assert_int_equal(parse("010123456789012345670", out), EC_ERR_SYNTAX);        /* 21 */
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "expected 22 digits, found 21"));
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "'010123456789012345670'"));
	assert_int_equal(parse("01012345678901234567070", out), EC_ERR_SYNTAX);      /* 23 */
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "more than 22 digits"));
	assert_int_equal(parse("", out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "found 0"));
	assert_int_equal(ec_number_parse(NULL, 5, out), EC_ERR_SYNTAX);
	assert_int_equal(parse("010123456789012345670A", out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "unexpected character at byte 22"));
	assert_int_equal(parse("O101234567890123456707", out), EC_ERR_SYNTAX);
	assert_int_equal(ec_number_parse(nul, sizeof nul - 1, out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "'01012345678?01234567070'"));
	/* Arabic-Indic and fullwidth digits are not digits here. */
	assert_int_equal(parse("\xd9\xa0\xd9\xa1" "01234567890123456707", out), EC_ERR_SYNTAX);
	assert_int_equal(parse("\xef\xbc\x90" "101234567890123456707", out), EC_ERR_SYNTAX);
	assert_string_equal(out, "untouched");
	/* Quotes in the detail cannot be forged by the input. */
	assert_int_equal(parse("01'23", out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "'01?23'"));

	memset(longin, '1', sizeof longin);
	assert_int_equal(ec_number_parse(longin, sizeof longin, out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "too long"));
	assert_true(strlen(ec_err_msg(EC_ERR_SYNTAX)) < 120);
	memset(longin, ' ', sizeof longin);
	memcpy(longin, "0101", 4);
	memcpy(longin + 256 - 18, "234567890123456707", 18);
	assert_int_equal(ec_number_parse(longin, 256, out), 0);
	assert_int_equal(ec_number_parse(longin, 257, out), EC_ERR_SYNTAX);
}

static void
test_display(void **state)
{
	char d[EC_NUMBER_DISPLAY + 1];

	(void)state;
	ec_number_display("0101234567890123456707", d);
	assert_string_equal(d, "0101 2345 6789 0123 4567 07");
	assert_int_equal(strlen(d), EC_NUMBER_DISPLAY);
	ec_number_display("0101", d);
	assert_string_equal(d, "0101");
	ec_number_display("", d);
	assert_string_equal(d, "");
}

static void
test_programme(void **state)
{
	(void)state;
	assert_int_equal(ec_number_programme("0101234567890123456707"), 101);
	assert_int_equal(ec_number_programme("9999000000000000000000"), 9999);
	assert_int_equal(ec_number_programme("0000234567890123456707"), 0);
	assert_int_equal(ec_number_programme("12"), 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_check_digits),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_typos_detected),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_display),
		cmocka_unit_test(test_programme),
	};

	return cmocka_run_group_tests_name("number", tests, NULL, NULL);
}
