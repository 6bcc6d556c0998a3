/*
 * Unit tests for QR encoding: byte mode, level M, the version 15 bound, the module matrix, and the
 * whole symbol pinned to libqrencode's (the reference encoder) for every payload length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <qrencode.h>

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
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "empty qr payload"));
	/* Any bytes, NUL included: byte mode. */
	buf[5] = 0;
	assert_int_equal(ec_qr_encode(buf, 100, &q), 0);
	ec_qr_free(&q);
}

/* Our symbol equals libqrencode's, module for module, mask choice included. */
static void
same_as_libqrencode(const unsigned char *p, size_t len)
{
	QRcode *ref = QRcode_encodeData((int)len, p, 0, QR_ECLEVEL_M);
	struct ec_qr q;

	assert_non_null(ref);
	assert_int_equal(ec_qr_encode(p, len, &q), 0);
	if (q.version != ref->version || q.width != ref->width)
		fail_msg("%zu bytes: version %d, libqrencode %d", len, q.version, ref->version);
	for (int i = 0; i < q.width * q.width; i++)
		if (q.dark[i] != (ref->data[i] & 1))
			fail_msg("%zu bytes: module (%d, %d) differs from libqrencode", len, i % q.width, i / q.width);
	ec_qr_free(&q);
	QRcode_free(ref);
}

static void
test_pinned(void **state)
{
	unsigned char buf[412];
	uint32_t x = 12345;
	const char *url = "https://certs.example.org/v/0101234567890123456707#eyJhbGciOiJFUzI1NiIsImtpZCI6IlEy";

	(void)state;
	/* Every length of every version, three kinds of content: text, all-same bytes, pseudo-random bytes. */
	for (size_t len = 1; len <= sizeof(buf); len++) {
		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)url[i % strlen(url)];
		same_as_libqrencode(buf, len);
		memset(buf, len % 2 ? 0 : 0xff, len);
		same_as_libqrencode(buf, len);
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (unsigned char)x;
		}
		same_as_libqrencode(buf, len);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_pinned),
	};

	return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
