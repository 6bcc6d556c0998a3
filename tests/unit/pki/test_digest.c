/* Unit tests for lib/pki/digest.c: SHA-256 and prepared-key HMAC-SHA-256 against published vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "digest.h"
#include "err.h"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
test_sha256(void **state)
{
	unsigned char md[EC_SHA256_LEN];
	char h[2 * EC_SHA256_LEN + 1];

	(void)state;
	assert_int_equal(ec_sha256("abc", 3, md), 0);
	hex(md, sizeof md, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(ec_sha256("", 0, md), 0);
	hex(md, sizeof md, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* RFC 4231 test cases 1 (short key) and 6 (a key longer than the block, hashed first). */
static void
test_hmac(void **state)
{
	unsigned char key[131], md[EC_SHA256_LEN];
	char h[2 * EC_SHA256_LEN + 1];
	static const char msg6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	struct ec_hmac m;

	(void)state;
	memset(key, 0x0b, 20);
	assert_int_equal(ec_hmac_init(&m, key, 20), 0);
	assert_int_equal(ec_hmac(&m, "Hi There", 8, md), 0);
	hex(md, sizeof md, h);
	assert_string_equal(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* the prepared key serves again, unchanged */
	assert_int_equal(ec_hmac(&m, "Hi There", 8, md), 0);
	hex(md, sizeof md, h);
	assert_string_equal(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	ec_hmac_free(&m);
	memset(key, 0xaa, sizeof key);
	assert_int_equal(ec_hmac_init(&m, key, sizeof key), 0);
	assert_int_equal(ec_hmac(&m, msg6, strlen(msg6), md), 0);
	hex(md, sizeof md, h);
	assert_string_equal(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	ec_hmac_free(&m);
	ec_hmac_free(&m);
	/* an unprepared struct computes nothing */
	assert_int_equal(ec_hmac(&m, "x", 1, md), EC_ERR_CRYPTO);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_hmac),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
