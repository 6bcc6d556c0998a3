/*
 * Unit tests for QR codes (libqrencode in byte mode, level M, version 15 at most): refusals, the
 * versions the standard's capacity table gives, the module matrix against libqrencode's own, and
 * symbols read back by a real decoder (zbarimg) byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <qrencode.h>

#include "err.h"
#include "qr.h"
#include "../helper_tmp.h"

/* Byte-mode capacity at level M of versions 1 to 15 (ISO/IEC 18004, table 7). */
static const int capacity[16] = { 0, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412 };

/* n pseudo-random bytes (xorshift32), NUL and high bytes included. */
static void
noise(unsigned char *p, size_t n, uint32_t seed)
{
	uint32_t x = seed ? seed : 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
}

static void
test_errors(void **state)
{
	unsigned char buf[5000];
	struct ec_qr q;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	/* Nothing to encode. */
	memset(&q, 0x5a, sizeof(q));
	assert_int_equal(ec_qr_encode(buf, 0, &q), EC_ERR_ARG);
	assert_string_equal(ec_err_msg(EC_ERR_ARG), "empty QR payload");
	assert_null(q.dark);
	assert_int_equal(q.version, 0);
	assert_int_equal(q.width, 0);
	assert_int_equal(ec_qr_encode(NULL, 0, &q), EC_ERR_ARG);

	/* One byte over version 15: refused, saying what it would need. */
	memset(&q, 0x5a, sizeof(q));
	assert_int_equal(ec_qr_encode(buf, 413, &q), EC_ERR_TOOBIG);
	assert_null(q.dark);
	assert_string_equal(ec_err_msg(EC_ERR_TOOBIG), "QR payload of 413 bytes needs version 16, above 15");
	/* The most version 40 holds, and more than any version holds. */
	assert_int_equal(ec_qr_encode(buf, 2331, &q), EC_ERR_TOOBIG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_TOOBIG), "needs version 40"));
	assert_int_equal(ec_qr_encode(buf, 2332, &q), EC_ERR_TOOBIG);
	assert_string_equal(ec_err_msg(EC_ERR_TOOBIG), "QR payload of 2332 bytes needs a version above 15");
	assert_int_equal(ec_qr_encode(buf, sizeof(buf), &q), EC_ERR_TOOBIG);
	assert_null(q.dark);

	/* Freeing a zeroed or freed symbol is harmless. */
	ec_qr_free(&q);
	assert_int_equal(ec_qr_encode(buf, 10, &q), 0);
	ec_qr_free(&q);
	assert_null(q.dark);
	assert_int_equal(q.width, 0);
	ec_qr_free(&q);
}

/* The smallest version that holds the payload, at each edge of the capacity table. */
static void
test_versions(void **state)
{
	unsigned char buf[412];
	struct ec_qr q;
	int last = 1;

	(void)state;
	noise(buf, sizeof(buf), 7);
	for (int v = 1; v <= 15; v++) {
		assert_int_equal(ec_qr_encode(buf, (size_t)capacity[v], &q), 0);
		if (q.version != v)
			fail_msg("%d bytes: version %d, not %d", capacity[v], q.version, v);
		assert_int_equal(q.width, 17 + 4 * v);
		ec_qr_free(&q);
		if (v < 15) {
			assert_int_equal(ec_qr_encode(buf, (size_t)capacity[v] + 1, &q), 0);
			assert_int_equal(q.version, v + 1);
			ec_qr_free(&q);
		}
	}
	/* Every length: the version never shrinks as the payload grows, and the width follows it. */
	for (size_t len = 1; len <= sizeof(buf); len++) {
		assert_int_equal(ec_qr_encode(buf, len, &q), 0);
		assert_true(q.version >= last && q.version <= EC_QR_MAX_VERSION);
		assert_true(len <= (size_t)capacity[q.version] && len > (size_t)capacity[q.version - 1]);
		assert_int_equal(q.width, 17 + 4 * q.version);
		last = q.version;
		ec_qr_free(&q);
	}
	assert_int_equal(last, 15);

	/* The three finder patterns: dark corners, light separators, 0/1 modules only. */
	assert_int_equal(ec_qr_encode("https://x.example/v/0101234567890123456789", 42, &q), 0);
	assert_int_equal(q.version, 3);
	for (int i = 0; i < q.width * q.width; i++)
		assert_true(q.dark[i] == 0 || q.dark[i] == 1);
	for (int i = 0; i < 7; i++) {
		/* The finder's outer ring: rows 0 and 6, columns 0 and 6 of each corner. */
		assert_int_equal(q.dark[i], 1);
		assert_int_equal(q.dark[6 * q.width + i], 1);
		assert_int_equal(q.dark[i * q.width], 1);
		assert_int_equal(q.dark[q.width - 1 - i], 1);
		assert_int_equal(q.dark[(q.width - 1 - i) * q.width], 1);
		/* Separators: row and column 7 of the top-left finder are light. */
		assert_int_equal(q.dark[7 * q.width + i], 0);
		assert_int_equal(q.dark[i * q.width + 7], 0);
	}
	/* Timing pattern along row 6 between the finders: alternating, dark on even columns. */
	for (int x = 8; x < q.width - 8; x++)
		assert_int_equal(q.dark[6 * q.width + x], x % 2 == 0);
	ec_qr_free(&q);
}

/* Our symbol is libqrencode's, module for module (bit 0 of each of its bytes), mask choice included. */
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
test_matrix(void **state)
{
	unsigned char buf[412];
	const char *url = "https://certs.example.org/v/0101234567890123456707#eyJhbGciOiJFUzI1NiIsImtpZCI6IlEy";

	(void)state;
	for (size_t len = 1; len <= sizeof(buf); len++) {
		for (size_t i = 0; i < len; i++)
			buf[i] = (unsigned char)url[i % strlen(url)];
		same_as_libqrencode(buf, len);
		noise(buf, len, (uint32_t)len);
		same_as_libqrencode(buf, len);
	}
}

/* Byte mode even for digits: 100 of them need version 6 (106 bytes), where numeric mode would fit version 3. */
static void
test_byte_mode(void **state)
{
	unsigned char buf[100];
	struct ec_qr q;

	(void)state;
	memset(buf, '7', sizeof(buf));
	assert_int_equal(ec_qr_encode(buf, sizeof(buf), &q), 0);
	assert_int_equal(q.version, 6);
	ec_qr_free(&q);
}

static int
have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* q as a binary PBM: 4 pixels per module, a quiet zone of 4 modules. */
static void
write_pbm(const char *path, const struct ec_qr *q)
{
	const int scale = 4, quiet = 4, w = (q->width + 2 * quiet) * scale, rowlen = (w + 7) / 8;
	unsigned char *row = malloc((size_t)rowlen);
	FILE *fp = fopen(path, "wb");

	assert_non_null(row);
	assert_non_null(fp);
	fprintf(fp, "P4\n%d %d\n", w, w);
	for (int y = 0; y < w; y++) {
		int my = y / scale - quiet;

		memset(row, 0, (size_t)rowlen);
		for (int x = 0; x < w; x++) {
			int mx = x / scale - quiet;

			if (mx >= 0 && my >= 0 && mx < q->width && my < q->width && q->dark[my * q->width + mx])
				row[x / 8] |= (unsigned char)(0x80 >> (x % 8));
		}
		assert_int_equal(fwrite(row, 1, (size_t)rowlen, fp), (size_t)rowlen);
	}
	assert_int_equal(fclose(fp), 0);
	free(row);
}

/* Encode p, draw it, and have zbarimg read back exactly p (-Sbinary: the bytes, no charset guessing). */
static void
decodes(const char *dir, const unsigned char *p, size_t len)
{
	char path[256], cmd[512];
	unsigned char got[1024];
	struct ec_qr q;
	FILE *fp;
	size_t n;

	assert_int_equal(ec_qr_encode(p, len, &q), 0);
	snprintf(path, sizeof(path), "%s/qr-%zu.pbm", dir, len);
	write_pbm(path, &q);
	ec_qr_free(&q);
	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q -Sbinary --nodbus '%s' 2>/dev/null", path);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	n = fread(got, 1, sizeof(got), fp);
	assert_int_equal(pclose(fp), 0);
	if (n != len || memcmp(got, p, len) != 0)
		fail_msg("%zu bytes: zbarimg read %zu bytes back, not the payload", len, n);
}

static void
test_decode(void **state)
{
	const char *dir = *state;
	const char *url = "https://certs.example.org/v/0101234567890123456707#eyJhbGciOiJFUzI1NiIsImtpZCI6IkFCQ0RFRkdISUpL"
	    "In0.eyJuIjoiMDEwMTIzNDU2Nzg5MDEyMzQ1NjcwNyIsIm5tIjoiWm_DqyBPJ0JyaWVuIn0.MEUCIQDx3f1qkzX9n2cYl0aQ4m5v7s8t9u0w";
	const char *utf8 = "Zoë O'Brien 李瑞瑞 محمد राहुल";
	unsigned char high[200], max[412];

	if (!have("zbarimg"))
		skip();
	/* A real payload, a one-byte one, UTF-8 text, bytes 0x80..0xff then 0x01..0x48. */
	decodes(dir, (const unsigned char *)url, strlen(url));
	decodes(dir, (const unsigned char *)"x", 1);
	decodes(dir, (const unsigned char *)utf8, strlen(utf8));
	for (size_t i = 0; i < sizeof(high); i++)
		high[i] = (unsigned char)(i < 128 ? 0x80 + i : i - 127);
	decodes(dir, high, sizeof(high));
	/* The largest symbol (version 15) of any bytes, NUL included. */
	noise(max, sizeof(max), 99);
	max[17] = 0;
	decodes(dir, max, sizeof(max));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_byte_mode),
		cmocka_unit_test_setup_teardown(test_decode, helper_tmpdir_setup, helper_tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
