/* Unit tests for QR encoding: byte mode, level M, the version 15 bound, the module matrix. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "qr.h"

static void
test_versions(void **state)
{
	unsigned char buf[413];
	struct ec_qr q;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(ec_qr_encode("https://x.example/v/0101234567890123456789", 42, &q), 0);
	assert_int_equal(q.width, 17 + 4 * q.version);
	/* The three finder patterns: dark corners, light separators. */
	assert_int_equal(q.dark[0], 1);
	assert_int_equal(q.dark[q.width - 1], 1);
	assert_int_equal(q.dark[(q.width - 1) * q.width], 1);
	assert_int_equal(q.dark[7], 0);
	ec_qr_free(&q);
	assert_null(q.dark);
	ec_qr_free(&q);

	/* 412 bytes is exactly version 15 at level M; one more is refused. */
	assert_int_equal(ec_qr_encode(buf, 412, &q), 0);
	assert_int_equal(q.version, 15);
	ec_qr_free(&q);
	assert_int_equal(ec_qr_encode(buf, 413, &q), EC_ERR_TOOBIG);
	assert_null(q.dark);
	assert_non_null(strstr(ec_err_msg(EC_ERR_TOOBIG), "413 bytes"));
	assert_int_equal(ec_qr_encode(buf, 0, &q), EC_ERR_ARG);
	/* Any bytes, NUL included: byte mode. */
	buf[5] = 0;
	assert_int_equal(ec_qr_encode(buf, 100, &q), 0);
	ec_qr_free(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
