/* Unit tests for lib/pki/der.c: DER accepted, each BER-only freedom refused with its own message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "der.h"
#include "err.h"

struct vec {
	const char *what;
	unsigned char in[16];
	size_t len;
	const char *msg;      /* NULL: valid DER */
};

static void
test_vectors(void **state)
{
	static const struct vec v[] = {
		{ "empty SEQUENCE", { 0x30, 0x00 }, 2, NULL },
		{ "BOOLEAN TRUE", { 0x30, 0x03, 0x01, 0x01, 0xff }, 5, NULL },
		{ "BOOLEAN FALSE", { 0x01, 0x01, 0x00 }, 3, NULL },
		{ "BOOLEAN 01 (what OpenSSL writes for ca = 1)", { 0x30, 0x03, 0x01, 0x01, 0x01 }, 5, "BOOLEAN" },
		{ "BOOLEAN of two bytes", { 0x01, 0x02, 0xff, 0xff }, 4, "BOOLEAN" },
		{ "INTEGER 0", { 0x02, 0x01, 0x00 }, 3, NULL },
		{ "INTEGER 128", { 0x02, 0x02, 0x00, 0x80 }, 4, NULL },
		{ "INTEGER -1", { 0x02, 0x01, 0xff }, 3, NULL },
		{ "INTEGER 1 padded", { 0x02, 0x02, 0x00, 0x01 }, 4, "shortest" },
		{ "INTEGER -1 padded", { 0x02, 0x02, 0xff, 0xff }, 4, "shortest" },
		{ "INTEGER empty", { 0x02, 0x00 }, 2, "shortest" },
		{ "ENUMERATED padded", { 0x0a, 0x02, 0x00, 0x05 }, 4, "shortest" },
		{ "NULL", { 0x05, 0x00 }, 2, NULL },
		{ "NULL with contents", { 0x05, 0x01, 0x00 }, 3, "NULL" },
		{ "BIT STRING", { 0x03, 0x02, 0x07, 0x80 }, 4, NULL },
		{ "BIT STRING unused bits set", { 0x03, 0x02, 0x07, 0x81 }, 4, "unused bits" },
		{ "BIT STRING 8 unused bits", { 0x03, 0x02, 0x08, 0x00 }, 4, "unused bits" },
		{ "BIT STRING empty with unused bits", { 0x03, 0x01, 0x01 }, 3, "unused bits" },
		{ "OID 2.5.4.3", { 0x06, 0x03, 0x55, 0x04, 0x03 }, 5, NULL },
		{ "OID arc with a leading 0x80", { 0x06, 0x03, 0x55, 0x80, 0x03 }, 5, "leading zero" },
		{ "OID truncated", { 0x06, 0x02, 0x55, 0x84 }, 4, "truncated" },
		{ "indefinite length", { 0x30, 0x80, 0x05, 0x00, 0x00, 0x00 }, 6, "indefinite" },
		{ "long form below 128", { 0x30, 0x81, 0x02, 0x05, 0x00 }, 5, "below 128" },
		{ "length with a leading zero byte", { 0x30, 0x82, 0x00, 0x02, 0x05, 0x00 }, 6, "leading zero" },
		{ "length past the end", { 0x30, 0x05, 0x05, 0x00 }, 4, "beyond" },
		{ "truncated header", { 0x30 }, 1, "truncated" },
		{ "constructed OCTET STRING", { 0x24, 0x03, 0x04, 0x01, 0x41 }, 5, "constructed form" },
		{ "primitive SEQUENCE", { 0x10, 0x00 }, 2, "primitive SEQUENCE" },
		{ "high tag number", { 0x1f, 0x81, 0x00, 0x00 }, 4, "high tag" },
		{ "nested fault is found", { 0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00 }, 7, NULL },
		{ "nested padded INTEGER", { 0x30, 0x06, 0x30, 0x04, 0x02, 0x02, 0x00, 0x01 }, 8, "shortest" },
		{ "context [0] primitive is opaque", { 0x80, 0x02, 0x00, 0x01 }, 4, NULL },
		{ "two elements", { 0x05, 0x00, 0x05, 0x00 }, 4, NULL },
	};
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		rc = ec_der_check(v[i].in, v[i].len);
		if (v[i].msg == NULL) {
			if (rc != EC_OK)
				fail_msg("%s: refused: %s", v[i].what, ec_err_msg(rc));
			continue;
		}
		if (rc != EC_ERR_SYNTAX || strstr(ec_err_msg(rc), v[i].msg) == NULL ||
		    strstr(ec_err_msg(rc), "not DER") == NULL)
			fail_msg("%s: got %d '%s', expected '%s'", v[i].what, rc, ec_err_msg(rc), v[i].msg);
	}
	assert_int_equal(ec_der_check(NULL, 0), EC_ERR_SYNTAX);
}

/* The offset in the message points at the faulty element, not at the outer one. */
static void
test_offset(void **state)
{
	static const unsigned char in[] = { 0x30, 0x06, 0x02, 0x01, 0x00, 0x01, 0x01, 0x01 };

	(void)state;
	assert_int_equal(ec_der_check(in, sizeof in), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "at byte 5"));
}

/* Nesting deeper than any certificate is refused instead of recursing without bound. */
static void
test_depth(void **state)
{
	unsigned char in[200];
	size_t i, n = 60;   /* lengths stay below 128: short form */

	(void)state;
	for (i = 0; i < n; i++) {
		in[2 * i] = 0x30;
		in[2 * i + 1] = (unsigned char)(2 * (n - i - 1));
	}
	assert_int_equal(ec_der_check(in, 2 * n), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "too deep"));
	assert_int_equal(ec_der_check(in + 2 * (n - 20), 40), EC_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_offset),
		cmocka_unit_test(test_depth),
	};
	return cmocka_run_group_tests_name("der", tests, NULL, NULL);
}
