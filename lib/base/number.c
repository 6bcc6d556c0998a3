/* Certificate numbers: generation from the CSPRNG, ISO 7064 MOD 97-10 check digits, parsing typed input. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "err.h"
#include "number.h"

#define BODY_DIGITS (EC_NUMBER_DIGITS - 2)
#define PARSE_MAX 256       /* longest typed input accepted, separators included */
#define QUOTE_MAX 40        /* bytes of the input quoted back in a detail message */

/* The remainder mod 97 of the n decimal digits at s, one digit at a time so no integer overflows. */
static unsigned
mod97(const char *s, size_t n)
{
	unsigned r = 0;
	size_t i;

	for (i = 0; i < n; i++)
		r = (r * 10 + (unsigned)(s[i] - '0')) % 97;
	return r;
}

/* The check digits that make body (20 digits) followed by them equal 1 mod 97, as IBAN does. */
static void
check_digits(const char *body, char out[2])
{
	unsigned c = 98 - mod97(body, BODY_DIGITS) * 100 % 97;

	out[0] = (char)('0' + c / 10);
	out[1] = (char)('0' + c % 10);
}

/*
 * Random bytes for numbers come from a per-thread pool: RAND_bytes costs ~1.7 us a call whatever its
 * size, a third of what drawing a number costs otherwise. Each byte is wiped as it is used, so memory
 * never holds the bytes behind numbers already drawn. (No tool forks after drawing, which would give
 * the child the same pool.)
 */
static __thread unsigned char pool[1024];
static __thread size_t pool_used = sizeof pool;

/*
 * Random digits by rejection sampling: a byte below 250 gives (byte % 10) with every digit equally
 * likely; 250..255 are discarded, since keeping them would favour 0..5.
 */
static int
random_digits(char *out, size_t n)
{
	unsigned char b;
	size_t i = 0;

	while (i < n) {
		if (pool_used == sizeof pool) {
			if (RAND_bytes(pool, sizeof pool) != 1) {
				OPENSSL_cleanse(pool, sizeof pool);
				return ec_err_set(EC_ERR_CRYPTO, "cannot generate a certificate number: "
				    "the random generator failed");
			}
			pool_used = 0;
		}
		b = pool[pool_used];
		pool[pool_used++] = 0;
		if (b < 250)
			out[i++] = (char)('0' + b % 10);
	}
	return 0;
}

int
ec_number_generate(unsigned programme, char out[EC_NUMBER_DIGITS + 1])
{
	int rc;

	if (programme > 9999)
		return ec_err_set(EC_ERR_ARG, "programme code %u: must be 0..9999", programme);
	out[0] = (char)('0' + programme / 1000);
	out[1] = (char)('0' + programme / 100 % 10);
	out[2] = (char)('0' + programme / 10 % 10);
	out[3] = (char)('0' + programme % 10);
	if ((rc = random_digits(out + 4, BODY_DIGITS - 4)) != 0)
		return rc;
	check_digits(out, out + BODY_DIGITS);
	out[EC_NUMBER_DIGITS] = '\0';
	return 0;
}

/* A printable copy of at most QUOTE_MAX bytes of in for a detail message: bytes outside ASCII become '?'. */
static void
quote(const char *in, size_t len, char out[QUOTE_MAX + 4])
{
	size_t i, n = len < QUOTE_MAX ? len : QUOTE_MAX;

	for (i = 0; i < n; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '\'') ? in[i] : '?';
	if (len > QUOTE_MAX) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
}

int
ec_number_parse(const char *in, size_t len, char out[EC_NUMBER_DIGITS + 1])
{
	char q[QUOTE_MAX + 4], digits[EC_NUMBER_DIGITS + 1];
	size_t i, n = 0;
	int rc = 0;

	if (in == NULL)
		len = 0;
	quote(in ? in : "", len, q);
	if (len > PARSE_MAX) {
		rc = ec_err_set(EC_ERR_SYNTAX, "certificate number '%s': too long (%zu bytes, at most %d)",
		    q, len, PARSE_MAX);
		goto out;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= '0' && c <= '9') {
			if (n == EC_NUMBER_DIGITS) {
				rc = ec_err_set(EC_ERR_SYNTAX, "certificate number '%s': more than %d digits",
				    q, EC_NUMBER_DIGITS);
				goto out;
			}
			digits[n++] = (char)c;
		} else if ((c == ' ' || c == '-') && n > 0 && i + 1 < len) {
			continue;
		} else if (c == ' ' || c == '-') {
			rc = ec_err_set(EC_ERR_SYNTAX, "certificate number '%s': separators are allowed only "
			    "between digits", q);
			goto out;
		} else {
			rc = ec_err_set(EC_ERR_SYNTAX, "certificate number '%s': unexpected character at "
			    "byte %zu (only digits, spaces and dashes)", q, i + 1);
			goto out;
		}
	}
	if (n != EC_NUMBER_DIGITS) {
		rc = ec_err_set(EC_ERR_SYNTAX, "certificate number '%s': expected %d digits, found %zu",
		    q, EC_NUMBER_DIGITS, n);
		goto out;
	}
	if (mod97(digits, EC_NUMBER_DIGITS) != 1) {
		rc = ec_err_set(EC_ERR_CHECKSUM, "certificate number '%s': check digits do not match "
		    "(probably a typo)", q);
		goto out;
	}
	digits[EC_NUMBER_DIGITS] = '\0';
	memcpy(out, digits, sizeof digits);
out:
	return rc;
}

int
ec_number_valid(const char *num)
{
	size_t i;

	if (num == NULL)
		return 0;
	for (i = 0; i < EC_NUMBER_DIGITS; i++)
		if (num[i] < '0' || num[i] > '9')
			return 0;
	return num[EC_NUMBER_DIGITS] == '\0' && mod97(num, EC_NUMBER_DIGITS) == 1;
}

void
ec_number_display(const char *num, char out[EC_NUMBER_DISPLAY + 1])
{
	size_t i, o = 0;

	for (i = 0; i < EC_NUMBER_DIGITS && num[i] != '\0'; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = num[i];
	}
	out[o] = '\0';
}

unsigned
ec_number_programme(const char *num)
{
	unsigned p = 0;
	size_t i;

	for (i = 0; i < 4 && num[i] >= '0' && num[i] <= '9'; i++)
		p = p * 10 + (unsigned)(num[i] - '0');
	return p;
}
