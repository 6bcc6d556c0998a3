/* Unit tests for lib/base/buf.c and lib/base/err.c: growth, formatting, JSON and HTML escaping, error details. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"

static void
test_growth_and_format(void **state)
{
	struct ec_buf b;
	int i;

	(void)state;
	ec_buf_init(&b);
	for (i = 0; i < 10000; i++)
		assert_int_equal(ec_buf_addf(&b, "%d,", i % 10), 0);
	assert_int_equal(b.len, 20000);
	assert_int_equal(strlen(b.p), 20000);
	assert_memory_equal(b.p, "0,1,2,", 6);
	ec_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	ec_buf_adds(&b, "ab");
	ec_buf_addc(&b, 'c');
	assert_string_equal(b.p, "abc");
	ec_buf_free(&b);
	assert_null(b.p);
}

static void
test_json_escaping(void **state)
{
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	ec_buf_json(&b, "a\"b\\c\n\x01\x7f 李瑞瑞 </script>");
	assert_string_equal(b.p, "\"a\\\"b\\\\c\\n\\u0001\\u007f 李瑞瑞 </script>\"");
	ec_buf_reset(&b);
	ec_buf_json(&b, "");
	assert_string_equal(b.p, "\"\"");
	ec_buf_free(&b);
}

static void
test_html_escaping(void **state)
{
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	assert_int_equal(ec_buf_html(&b, "<script>alert('x')</script> & \"q\" Zoë"), 0);
	assert_string_equal(b.p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; Zoë");
	ec_buf_free(&b);
}

static void
test_error_details(void **state)
{
	(void)state;
	ec_err_clear();
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "malformed input");
	assert_int_equal(ec_err_set(EC_ERR_SYNTAX, "x.csv:3: field '%s': not a date", "exam_date"), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "x.csv:3: field 'exam_date': not a date");
	/* wrapping the previous detail, as callers do, reads it before it is overwritten */
	ec_err_set(EC_ERR_SYNTAX, "field '%s': not a date", "exam_date");
	ec_err_set(EC_ERR_SYNTAX, "x.csv:3: %s", ec_err_msg(EC_ERR_SYNTAX));
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "x.csv:3: field 'exam_date': not a date");
	/* a detail belongs to its own code only */
	assert_string_equal(ec_err_msg(EC_ERR_IO), "input/output error");
	errno = ENOENT;
	assert_int_equal(ec_err_errno("cannot open", "x.csv"), EC_ERR_IO);
	assert_string_equal(ec_err_msg(EC_ERR_IO), "cannot open 'x.csv': No such file or directory");
	errno = ENOSPC;
	assert_int_equal(ec_err_errno("cannot write", "f"), EC_ERR_FULL);
	assert_int_equal(ec_err_exit(0), 0);
	assert_int_equal(ec_err_exit(EC_ERR_SIG), 1);
	assert_int_equal(ec_err_exit(EC_ERR_CHECKSUM), 1);
	assert_int_equal(ec_err_exit(EC_ERR_PASS), 2);
	assert_int_equal(ec_err_exit(EC_ERR_IO), 2);
	/* ecert-ca: its own state directory broken or missing is a system error, a refusal is not */
	assert_int_equal(ec_err_exit_ca(EC_ERR_CORRUPT), 2);
	assert_int_equal(ec_err_exit_ca(EC_ERR_NOTFOUND), 2);
	assert_int_equal(ec_err_exit_ca(EC_ERR_SYNTAX), 2);
	assert_int_equal(ec_err_exit_ca(EC_ERR_EXISTS), 1);
	assert_int_equal(ec_err_exit_ca(EC_ERR_PASS), 2);
	assert_int_equal(ec_err_exit_ca(0), 0);
	assert_int_equal(ec_err_exit(EC_ERR_ARG), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth_and_format),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_html_escaping),
		cmocka_unit_test(test_error_details),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
