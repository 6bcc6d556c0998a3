/* Unit tests for email and phone masking: the guide's examples, short and odd inputs, tiny buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "mask.h"

static void
email_is(const char *in, const char *want)
{
	char out[400];

	if (ec_mask_email(in, out, sizeof out) != 0)
		fail_msg("'%s' refused: %s", in, ec_err_msg(EC_ERR_SYNTAX));
	assert_string_equal(out, want);
}

static void
phone_is(const char *in, const char *want)
{
	char out[100];

	if (ec_mask_phone(in, out, sizeof out) != 0)
		fail_msg("'%s' refused: %s", in, ec_err_msg(EC_ERR_SYNTAX));
	assert_string_equal(out, want);
}

static void
test_email_guide(void **state)
{
	(void)state;
	email_is("liwanshuang@huawei.com", "liwansh****@huawei.com");
}

static void
test_email_lengths(void **state)
{
	(void)state;
	email_is("a@x.org", "****@x.org");                     /* never the whole local part */
	email_is("ab@x.org", "a****@x.org");
	email_is("abc@x.org", "ab****@x.org");
	email_is("abcd@x.org", "ab****@x.org");
	email_is("abcde@x.org", "abc****@x.org");
	email_is("abcdefgh@x.org", "abcd****@x.org");
	email_is("abcdefghij@x.org", "abcdef****@x.org");
	email_is("abcdefghijklmnopqrstuvwxyz@x.org", "abcdefg****@x.org");
	/* characters, not bytes */
	email_is("\xe6\x9d\x8e\xe7\x91\x9e\xe7\x91\x9e\xe7\x91\x9e@x.cn", "\xe6\x9d\x8e\xe7\x91\x9e****@x.cn");
	/* the domain is after the last '@' */
	email_is("\"a@b\"@x.org", "\"a@****@x.org");
}

static void
test_email_bad(void **state)
{
	char out[64], big[400];

	(void)state;
	assert_int_equal(ec_mask_email("nobody", out, sizeof out), EC_ERR_SYNTAX);
	assert_string_equal(out, "");
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "'nobody': expected LOCAL@DOMAIN"));
	assert_int_equal(ec_mask_email("a\xe2\x80\xae'b", out, sizeof out), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "email 'a????b': expected LOCAL@DOMAIN");
	assert_int_equal(ec_mask_email("@x.org", out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(ec_mask_email("a@", out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(ec_mask_email("", out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(ec_mask_email("a\nb@x.org", out, sizeof out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "byte 2"));
	assert_int_equal(ec_mask_email("ab\x80@x.org", out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(ec_mask_email("ab\xc0\xaf@x.org", out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(ec_mask_email("ab\xed\xa0\x80@x.org", out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(ec_mask_email("ab\xe6\x9d", out, sizeof out), EC_ERR_SYNTAX);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	big[10] = '@';
	assert_int_equal(ec_mask_email(big, out, sizeof out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "longer than 320"));
}

static void
test_email_small_buffer(void **state)
{
	char out[32];

	(void)state;
	/* "liwansh****@huawei.com" is 22 bytes + NUL */
	assert_int_equal(ec_mask_email("liwanshuang@huawei.com", out, 23), 0);
	assert_string_equal(out, "liwansh****@huawei.com");
	memset(out, 'x', sizeof out);
	assert_int_equal(ec_mask_email("liwanshuang@huawei.com", out, 22), EC_ERR_TOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(out[22], 'x');
	assert_int_equal(ec_mask_email("liwanshuang@huawei.com", out, 1), EC_ERR_TOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(ec_mask_email("liwanshuang@huawei.com", out, 0), EC_ERR_TOOBIG);
	assert_int_equal(out[0], '\0');
}

static void
test_phone_guide(void **state)
{
	(void)state;
	phone_is("+86 13925222157", "+86 139****2157");
}

static void
test_phone_forms(void **state)
{
	(void)state;
	phone_is("+86-139-2522-2157", "+86 139****2157");
	phone_is("+86 139 2522 2157", "+86 139****2157");
	phone_is("+1 (415) 555-2671", "+1 ********71");             /* 10 digits: all but two hidden */
	phone_is("+44 20 7946 0958", "+44 ********58");
	phone_is("+44 7700 900 1234", "+44 770****1234");
	phone_is("13925222157", "139****2157");
	phone_is("+8613925222157", "+861****2157");                /* no separator: no country code */
	phone_is("12345678", "******78");
	phone_is("12", "12");
	phone_is("7", "7");
	phone_is("+1234 13925222157", "+123****2157");             /* 4 digits is no country code */
}

static void
test_phone_bad(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(ec_mask_phone("", out, sizeof out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "no digits"));
	assert_int_equal(ec_mask_phone("+86 ", out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(ec_mask_phone("+86 139x", out, sizeof out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "byte 8"));
	assert_int_equal(ec_mask_phone("139\n2522", out, sizeof out), EC_ERR_SYNTAX);
	assert_int_equal(ec_mask_phone("123456789012345678901", out, sizeof out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "more than 20 digits"));
	assert_int_equal(ec_mask_phone("1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ",
	    out, sizeof out), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "longer than 64"));
	assert_string_equal(out, "");
}

static void
test_phone_small_buffer(void **state)
{
	char out[32];

	(void)state;
	assert_int_equal(ec_mask_phone("+86 13925222157", out, 16), 0);
	assert_string_equal(out, "+86 139****2157");
	assert_int_equal(ec_mask_phone("+86 13925222157", out, 15), EC_ERR_TOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(ec_mask_phone("12345", out, 5), EC_ERR_TOOBIG);
	assert_int_equal(ec_mask_phone("12345", out, 6), 0);
	assert_string_equal(out, "***45");
	assert_int_equal(ec_mask_phone("12345", out, 0), EC_ERR_TOOBIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_guide),
		cmocka_unit_test(test_email_lengths),
		cmocka_unit_test(test_email_bad),
		cmocka_unit_test(test_email_small_buffer),
		cmocka_unit_test(test_phone_guide),
		cmocka_unit_test(test_phone_forms),
		cmocka_unit_test(test_phone_bad),
		cmocka_unit_test(test_phone_small_buffer),
	};

	return cmocka_run_group_tests_name("mask", tests, NULL, NULL);
}
