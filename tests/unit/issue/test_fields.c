/* Unit tests for the personal fields' checks: registration numbers, email addresses, telephones, text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "fields.h"
#include "msg.h"
#include "office.h"

/* rc is a refusal whose detail says phrase. */
static void
refused(int rc, const char *phrase)
{
	assert_int_equal(rc, EC_ERR_SYNTAX);
	if (!strstr(ec_err_msg(rc), phrase))
		fail_msg("'%s' does not say '%s'", ec_err_msg(rc), phrase);
}

static void
test_regno(void **state)
{
	char long_no[EC_REGNO_MAX + 2];

	(void)state;
	assert_int_equal(ec_field_regno("2026-000123"), 0);
	assert_int_equal(ec_field_regno("R1"), 0);
	refused(ec_field_regno(""), "empty registration number");
	refused(ec_field_regno("R 1"), "registration number 'R 1' has a character other than printable ASCII");
	refused(ec_field_regno("R\xc3\xa9"), "other than printable ASCII");
	refused(ec_field_regno("R\x7f"), "other than printable ASCII");
	memset(long_no, '7', sizeof long_no - 1);
	long_no[sizeof long_no - 1] = '\0';
	refused(ec_field_regno(long_no), "is longer than");
	long_no[EC_REGNO_MAX] = '\0';
	assert_int_equal(ec_field_regno(long_no), 0);
}

static void
test_email(void **state)
{
	static const char *const good[] = {
		"zoe@example.org", "zoe.obrien@mail.example.co.uk", "o'brien+cert@example.ie", "a@b.cd", "x@xn--80ak6aa92e.com",
	};
	static const char *const bad[] = {
		"zoe", "zoe@", "@example.org", "zoe@example", "zoe@@example.org", "zo e@example.org",
		".zoe@example.org", "zoe.@example.org", "zo..e@example.org", "zoe@-example.org", "zoe@example-.org",
		"zoe@example..org", "zoe@exa_mple.org", "zo\xc3\xab@example.org", "zoe@example.org.",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof *good; i++)
		if (ec_field_email(good[i]))
			fail_msg("refused '%s': %s", good[i], ec_err_msg(EC_ERR_SYNTAX));
	for (i = 0; i < sizeof bad / sizeof *bad; i++)
		refused(ec_field_email(bad[i]), "is not an email address");
	refused(ec_field_email(""), "empty email address");
}

static void
test_tel(void **state)
{
	(void)state;
	assert_int_equal(ec_field_tel(""), 0);
	assert_int_equal(ec_field_tel("+353 87 123 4567"), 0);
	assert_int_equal(ec_field_tel("(01) 234-5678"), 0);
	assert_int_equal(ec_field_tel("12345"), 0);
	refused(ec_field_tel("1234"), "'1234' is not a telephone number");
	refused(ec_field_tel("123456789012345678901"), "is not a telephone number");
	refused(ec_field_tel("12+345678"), "is not a telephone number");
	refused(ec_field_tel("0871234567 ext 2"), "is not a telephone number");
}

static void
test_text(void **state)
{
	(void)state;
	assert_int_equal(ec_field_text("1 Main Street, Cork", 64, 0), 0);
	assert_int_equal(ec_field_text("\xe5\x8c\x97\xe4\xba\xac\xe5\xb8\x82", 9, 0), 0);
	assert_int_equal(ec_field_text("", 64, 1), 0);
	refused(ec_field_text("", 64, 0), "empty value");
	refused(ec_field_text("abcdef", 5, 0), "longer than 5 bytes");
	refused(ec_field_text("a\nb", 64, 0), "control character U+000A");
	refused(ec_field_text("a\xc2\x85", 64, 0), "control character U+0085");
	refused(ec_field_text("a\xc3", 64, 0), "not valid UTF-8");
	refused(ec_field_text("\xe2\x80\xae" "kroC", 64, 0), "character U+202E is not allowed");
	refused(ec_field_text("\xef\xbb\xbf" "Cork", 64, 0), "character U+FEFF is not allowed");
}

static void
norm_is(const char *in, const char *want)
{
	char out[EC_ADDRESS_MAX + 2];

	ec_field_address_norm(in, out, sizeof out);
	assert_string_equal(out, want);
}

static void
test_address(void **state)
{
	char big[EC_ADDRESS_MAX + 50];

	(void)state;
	norm_is("  8 Hai Road \r\n\r\n Nanshan District\rShenzhen 518000\n", "8 Hai Road\nNanshan District\nShenzhen 518000");
	norm_is("\r\n \t\n", "");
	norm_is("one line", "one line");
	assert_int_equal(ec_field_address("8 Hai Road\nShenzhen"), 0);
	assert_int_equal(ec_field_address("1\n2\n3\n4\n5\n6\n7\n8"), 0);
	refused(ec_field_address("1\n2\n3\n4\n5\n6\n7\n8\n9\n10"), "10 lines, at most 8");
	assert_string_equal(ec_err_msg_lang(EC_ERR_SYNTAX, EC_LANG_ZH), "共 10 行，最多 8 行");
	refused(ec_field_address("8 Hai Road\n\nShenzhen"), "line 2: empty value");
	refused(ec_field_address("8 Hai Road\nShen\tzhen"), "line 2: control character U+0009");
	assert_string_equal(ec_err_msg_lang(EC_ERR_SYNTAX, EC_LANG_ZH), "第 2 行：含有控制字符 U+0009");
	refused(ec_field_address("8 Hai Road\r\nShenzhen"), "line 1: control character U+000D");
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	/* the normalised copy is cut one byte over the bound, and so still refused */
	{
		char out[EC_ADDRESS_MAX + 2];

		ec_field_address_norm(big, out, sizeof out);
		assert_int_equal(strlen(out), EC_ADDRESS_MAX + 1);
		refused(ec_field_address(out), "longer than 255 bytes");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regno),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_tel),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
