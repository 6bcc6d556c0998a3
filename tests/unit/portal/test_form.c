/*
 * Unit tests for what the portal reads from a browser (lib/portal/form.c): url-encoded bodies and
 * query strings decoded strictly (ec_form_parse, ec_form_get, ec_form_free) and the Cookie header
 * (ec_cookie_get).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "pform.h"

/* Parse a NUL-terminated s; the form is the caller's to free. */
static int
parse(const char *s, struct ec_form *f)
{
	return ec_form_parse(s, strlen(s), f);
}

/* s must be refused with rc; the form is freed here (ec_form_free after an error must be safe). */
static void
refused(const char *s, int rc)
{
	struct ec_form f;

	assert_int_equal(parse(s, &f), rc);
	ec_form_free(&f);
}

/* A form of one field whose value is expected: name=value decoded. */
static void
one(const char *s, const char *name, const char *want)
{
	struct ec_form f;

	assert_int_equal(parse(s, &f), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.name[0], name);
	assert_non_null(ec_form_get(&f, name));
	assert_string_equal(ec_form_get(&f, name), want);
	ec_form_free(&f);
}

static void
test_basic(void **state)
{
	struct ec_form f;

	(void)state;
	assert_int_equal(parse("email=zoe%40example.org&csrf=0a1b&lang=zh", &f), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(ec_form_get(&f, "email"), "zoe@example.org");
	assert_string_equal(ec_form_get(&f, "csrf"), "0a1b");
	assert_string_equal(ec_form_get(&f, "lang"), "zh");
	/* names are compared exactly: no case folding, no prefix match */
	assert_null(ec_form_get(&f, "Email"));
	assert_null(ec_form_get(&f, "emai"));
	assert_null(ec_form_get(&f, "missing"));
	ec_form_free(&f);

	/* an empty body is an empty form, not an error */
	assert_int_equal(ec_form_parse("", 0, &f), 0);
	assert_int_equal(f.n, 0);
	assert_null(ec_form_get(&f, "t"));
	ec_form_free(&f);
}

static void
test_decoding(void **state)
{
	(void)state;
	/* '+' is a space, %XX a byte (either case of hex digits) */
	one("q=x+y++z", "q", "x y  z");
	one("q=%41%4a%4A", "q", "AJJ");
	/* the encoded separators and '+' are plain characters in a value */
	one("q=%2B%26%3D%25", "q", "+&=%");
	/* the first '=' splits name and value: later ones belong to the value */
	one("q=a=b", "q", "a=b");
	/* a name is decoded too */
	one("e%6Dail=x", "email", "x");
	/* UTF-8 in percent-encoding is text */
	one("name=%E4%B8%AD%E6%96%87+Zo%C3%AB", "name", "中文 Zoë");
	one("e=%F0%9F%98%80", "e", "\xF0\x9F\x98\x80");
	/* a field without '=' has the empty value; so has "name=" */
	one("flag", "flag", "");
	one("flag=", "flag", "");
}

static void
test_line_ends(void **state)
{
	(void)state;
	/* a textarea's line breaks, CRLF, CR or LF, all become LF */
	one("t=a%0D%0Ab%0Dc%0Ad", "t", "a\nb\nc\nd");
	/* CR CR LF is two breaks: a lone CR then a CRLF */
	one("t=a%0D%0D%0Ab", "t", "a\n\nb");
	/* LF CR is two breaks too (the CR is not the start of the LF before it) */
	one("t=a%0A%0Db", "t", "a\n\nb");
	/* a trailing CR is a break */
	one("t=a%0D", "t", "a\n");
	/* a line break at either end, and text around it still checked as UTF-8 per line */
	one("t=%0A%C3%A9%0D%0A", "t", "\n\xC3\xA9\n");
}

static void
test_refused(void **state)
{
	(void)state;
	/* control characters other than line ends, encoded */
	refused("t=a%09b", EC_ERR_SYNTAX);
	refused("t=a%00b", EC_ERR_SYNTAX);
	refused("t=%1B", EC_ERR_SYNTAX);
	refused("t=%7F", EC_ERR_SYNTAX);
	/* C1 controls are control characters as well, though valid UTF-8 */
	refused("t=%C2%80", EC_ERR_SYNTAX);
	refused("t=%C2%9F", EC_ERR_SYNTAX);
	/* invalid UTF-8: a lone lead byte, a stray continuation, 0xFF, an overlong '/', a surrogate, beyond U+10FFFF */
	refused("t=%C3", EC_ERR_SYNTAX);
	refused("t=%C3x", EC_ERR_SYNTAX);
	refused("t=%80", EC_ERR_SYNTAX);
	refused("t=%FF", EC_ERR_SYNTAX);
	refused("t=%C0%AF", EC_ERR_SYNTAX);
	refused("t=%ED%A0%80", EC_ERR_SYNTAX);
	refused("t=%F4%90%80%80", EC_ERR_SYNTAX);
	/* a multi-byte sequence cut by a line break is not text either */
	refused("t=%E4%0A%B8%AD", EC_ERR_SYNTAX);
	/* the same checks hold for names */
	refused("%09=1", EC_ERR_SYNTAX);
	refused("%FF=1", EC_ERR_SYNTAX);
	/* raw bytes that must be percent-encoded: a space, a control character, non-ASCII, DEL */
	refused("t=a b", EC_ERR_SYNTAX);
	refused("t=a\tb", EC_ERR_SYNTAX);
	refused("t=a\nb", EC_ERR_SYNTAX);
	refused("t=a\rb", EC_ERR_SYNTAX);
	refused("t=Zo\xC3\xAB", EC_ERR_SYNTAX);
	refused("t=\x7F", EC_ERR_SYNTAX);
	/* bad percent-encoding: none, one or non-hex digits, at the end or in the middle */
	refused("t=%", EC_ERR_SYNTAX);
	refused("t=%4", EC_ERR_SYNTAX);
	refused("t=%4&u=1", EC_ERR_SYNTAX);
	refused("t=%G1", EC_ERR_SYNTAX);
	refused("t=%1G", EC_ERR_SYNTAX);
	refused("t=%%41", EC_ERR_SYNTAX);
	refused("%=1", EC_ERR_SYNTAX);
	/* a repeated field is refused, whether spelt the same or only decoded the same */
	refused("a=1&a=2", EC_ERR_SYNTAX);
	refused("a=1&a=1", EC_ERR_SYNTAX);
	refused("a&a", EC_ERR_SYNTAX);
	refused("email=x&e%6Dail=y", EC_ERR_SYNTAX);
	/* an error late in the form, after fields were decoded: everything is freed (ASan checks) */
	refused("a=1&b=2&c=3&d=%ZZ", EC_ERR_SYNTAX);
}

static void
test_segments(void **state)
{
	struct ec_form f;

	(void)state;
	/* empty segments are skipped: doubled, leading and trailing '&' */
	assert_int_equal(parse("a=1&&b=2", &f), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(ec_form_get(&f, "a"), "1");
	assert_string_equal(ec_form_get(&f, "b"), "2");
	ec_form_free(&f);
	assert_int_equal(parse("&&a=1&", &f), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(ec_form_get(&f, "a"), "1");
	ec_form_free(&f);
	assert_int_equal(parse("&&&", &f), 0);
	assert_int_equal(f.n, 0);
	ec_form_free(&f);

	/* names differing only in case are two fields */
	assert_int_equal(parse("a=1&A=2", &f), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(ec_form_get(&f, "a"), "1");
	assert_string_equal(ec_form_get(&f, "A"), "2");
	ec_form_free(&f);

	/* only len bytes are read: a body as received is not NUL-terminated */
	assert_int_equal(ec_form_parse("a=1&b=2", 3, &f), 0);
	assert_int_equal(f.n, 1);
	assert_string_equal(ec_form_get(&f, "a"), "1");
	assert_null(ec_form_get(&f, "b"));
	ec_form_free(&f);
	/* a cut in the middle of a percent-escape is a bad escape */
	assert_int_equal(ec_form_parse("a=%41", 4, &f), EC_ERR_SYNTAX);
	ec_form_free(&f);
}

static void
test_limits(void **state)
{
	struct ec_form f;
	char s[EC_FORM_FIELDS * 8 + 64], *big;
	size_t i, n = 0;

	(void)state;
	/* EC_FORM_FIELDS fields are fine ... */
	for (i = 0; i < EC_FORM_FIELDS; i++)
		n += (size_t)snprintf(s + n, sizeof s - n, "%sf%zu=%zu", i ? "&" : "", i, i);
	assert_int_equal(parse(s, &f), 0);
	assert_int_equal(f.n, EC_FORM_FIELDS);
	assert_string_equal(ec_form_get(&f, "f15"), "15");
	ec_form_free(&f);
	/* ... empty segments among them do not count ... */
	n = 0;
	for (i = 0; i < EC_FORM_FIELDS; i++)
		n += (size_t)snprintf(s + n, sizeof s - n, "&&f%zu", i);
	assert_int_equal(parse(s, &f), 0);
	assert_int_equal(f.n, EC_FORM_FIELDS);
	ec_form_free(&f);
	/* ... one more is too many */
	snprintf(s + n, sizeof s - n, "&g");
	assert_int_equal(parse(s, &f), EC_ERR_TOOBIG);
	ec_form_free(&f);

	/* EC_FORM_MAX bytes are fine, one more is too big (checked before any decoding) */
	assert_non_null(big = malloc(EC_FORM_MAX + 2));
	memcpy(big, "t=", 2);
	memset(big + 2, 'x', EC_FORM_MAX - 2);
	big[EC_FORM_MAX] = '\0';
	assert_int_equal(ec_form_parse(big, EC_FORM_MAX, &f), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(strlen(ec_form_get(&f, "t")), EC_FORM_MAX - 2);
	ec_form_free(&f);
	big[EC_FORM_MAX] = 'x';
	big[EC_FORM_MAX + 1] = '\0';
	assert_int_equal(ec_form_parse(big, EC_FORM_MAX + 1, &f), EC_ERR_TOOBIG);
	ec_form_free(&f);
	/* the largest form of the most fields and escapes still fits its buffer (ASan checks) */
	n = 0;
	for (i = 0; i < EC_FORM_FIELDS; i++)
		n += (size_t)snprintf(big + n, EC_FORM_MAX + 2 - n, "%s%%%02zx=", i ? "&" : "", 0x41 + i);
	while (n + 3 <= EC_FORM_MAX) {
		memcpy(big + n, "%41", 3);
		n += 3;
	}
	assert_int_equal(ec_form_parse(big, n, &f), 0);
	assert_int_equal(f.n, EC_FORM_FIELDS);
	assert_string_equal(f.name[0], "A");
	assert_int_equal(strlen(f.value[EC_FORM_FIELDS - 1]), (n - 5 * EC_FORM_FIELDS + 1) / 3);
	ec_form_free(&f);
	free(big);
}

static void
test_form_free(void **state)
{
	struct ec_form f;

	(void)state;
	/* free twice and free a zeroed form: both are harmless (ec_form_free clears what it frees) */
	assert_int_equal(parse("a=1", &f), 0);
	ec_form_free(&f);
	assert_null(f.buf);
	assert_int_equal(f.n, 0);
	ec_form_free(&f);
	memset(&f, 0, sizeof f);
	ec_form_free(&f);
	/* an error before the buffer exists leaves nothing to free */
	assert_int_equal(ec_form_parse("x", EC_FORM_MAX + 1, &f), EC_ERR_TOOBIG);
	assert_null(f.buf);
	ec_form_free(&f);
}

static void
test_cookie(void **state)
{
	char v[16];

	(void)state;
	/* several cookies: each is found */
	assert_int_equal(ec_cookie_get("a=1; b=22; c=333", "a", v, sizeof v), 0);
	assert_string_equal(v, "1");
	assert_int_equal(ec_cookie_get("a=1; b=22; c=333", "b", v, sizeof v), 0);
	assert_string_equal(v, "22");
	assert_int_equal(ec_cookie_get("a=1; b=22; c=333", "c", v, sizeof v), 0);
	assert_string_equal(v, "333");
	/* spaces: none, several, before a ';' (trimmed) */
	assert_int_equal(ec_cookie_get("a=1;b=2", "b", v, sizeof v), 0);
	assert_string_equal(v, "2");
	assert_int_equal(ec_cookie_get("   a=1 ;   b=2  ;c=3", "a", v, sizeof v), 0);
	assert_string_equal(v, "1");
	assert_int_equal(ec_cookie_get("   a=1 ;   b=2  ;c=3", "b", v, sizeof v), 0);
	assert_string_equal(v, "2");
	assert_int_equal(ec_cookie_get("a=1; b=2;", "b", v, sizeof v), 0);
	assert_string_equal(v, "2");
	/* a name that is a prefix of another (ecert-s, ecert-sx), or another that ends with the name */
	assert_int_equal(ec_cookie_get("ecert-sx=1; xecert-s=2; ecert-s=3", "ecert-s", v, sizeof v), 0);
	assert_string_equal(v, "3");
	assert_int_equal(ec_cookie_get("ecert-s=3; ecert-sx=1", "ecert-sx", v, sizeof v), 0);
	assert_string_equal(v, "1");
	assert_int_equal(ec_cookie_get("ecert-sx=1; xecert-s=2", "ecert-s", v, sizeof v), EC_ERR_NOTFOUND);
	/* a value holding '=' is kept whole */
	assert_int_equal(ec_cookie_get("a=x=y", "a", v, sizeof v), 0);
	assert_string_equal(v, "x=y");
	/* missing: no header, an empty one, another name, a name alone */
	assert_int_equal(ec_cookie_get(NULL, "a", v, sizeof v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_cookie_get("", "a", v, sizeof v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_cookie_get("b=1", "a", v, sizeof v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_cookie_get("a; b=1", "a", v, sizeof v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_cookie_get(" ; ;; ", "a", v, sizeof v), EC_ERR_NOTFOUND);
	/* an empty value (a cleared cookie), or only spaces, is absent */
	assert_int_equal(ec_cookie_get("a=; b=1", "a", v, sizeof v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_cookie_get("b=1; a=", "a", v, sizeof v), EC_ERR_NOTFOUND);
	assert_int_equal(ec_cookie_get("a=   ; b=1", "a", v, sizeof v), EC_ERR_NOTFOUND);
	/* too long for the buffer: absent, never cut; one byte shorter fits with its NUL */
	assert_int_equal(ec_cookie_get("a=12345", "a", v, 5), EC_ERR_NOTFOUND);
	assert_int_equal(ec_cookie_get("a=12345", "a", v, 6), 0);
	assert_string_equal(v, "12345");
	assert_int_equal(ec_cookie_get("a=1234567890123456", "a", v, sizeof v), EC_ERR_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_decoding),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_form_free),
		cmocka_unit_test(test_cookie),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
