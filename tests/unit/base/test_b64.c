/* Unit tests for lib/base/b64.c: RFC 4648 vectors, strict decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "b64.h"
#include "err.h"

static void
test_vectors(void **state)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
		{ "\xfb\xff", "-_8" },
	};
	char enc[32];
	unsigned char dec[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_int_equal(ec_b64url_encode((const unsigned char *)v[i].in, strlen(v[i].in), enc, sizeof enc), 0);
		assert_string_equal(enc, v[i].out);
		assert_int_equal(ec_b64url_len(strlen(v[i].in)), strlen(v[i].out));
		assert_int_equal(ec_b64url_decode(v[i].out, strlen(v[i].out), dec, sizeof dec, &n), 0);
		assert_int_equal(n, strlen(v[i].in));
		assert_memory_equal(dec, v[i].in, n);
	}
}

static void
test_round_trip_all_lengths(void **state)
{
	unsigned char in[64], dec[64];
	char enc[100];
	size_t len, i, n;

	(void)state;
	for (i = 0; i < sizeof in; i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (len = 0; len <= sizeof in; len++) {
		assert_int_equal(ec_b64url_encode(in, len, enc, sizeof enc), 0);
		assert_int_equal(ec_b64url_decode(enc, strlen(enc), dec, sizeof dec, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(dec, in, len);
	}
}

static void
test_strict_decoding(void **state)
{
	unsigned char dec[16];
	size_t n;

	(void)state;
	assert_int_equal(ec_b64url_decode("Zg==", 4, dec, sizeof dec, &n), EC_ERR_SYNTAX);  /* padding */
	assert_int_equal(ec_b64url_decode("Zm9+", 4, dec, sizeof dec, &n), EC_ERR_SYNTAX);  /* '+' is base64, not base64url */
	assert_int_equal(ec_b64url_decode("Zm 9", 4, dec, sizeof dec, &n), EC_ERR_SYNTAX);
	assert_int_equal(ec_b64url_decode("Z", 1, dec, sizeof dec, &n), EC_ERR_SYNTAX);     /* 1 mod 4 */
	assert_int_equal(ec_b64url_decode("Zh", 2, dec, sizeof dec, &n), EC_ERR_SYNTAX);    /* trailing bits set */
	assert_int_equal(ec_b64url_decode("Zm9vYmFy", 8, dec, 5, &n), EC_ERR_TOOBIG);
	assert_int_equal(ec_b64url_decode("Zm9v\0mFy", 8, dec, sizeof dec, &n), EC_ERR_SYNTAX);
}

static void
test_encode_small_buffer(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(ec_b64url_encode((const unsigned char *)"foo", 3, out, sizeof out), EC_ERR_TOOBIG);
	assert_int_equal(ec_b64url_encode((const unsigned char *)"fo", 2, out, sizeof out), 0);
	assert_string_equal(out, "Zm8");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_round_trip_all_lengths),
		cmocka_unit_test(test_strict_decoding),
		cmocka_unit_test(test_encode_small_buffer),
	};
	return cmocka_run_group_tests_name("b64", tests, NULL, NULL);
}
