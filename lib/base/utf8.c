/* Strict UTF-8 decoding and the clean-text rule, shared by every parser of outside input. */
#include "utf8.h"

size_t
ec_utf8_next(const unsigned char *s, size_t len, unsigned long *cp)
{
	unsigned long c, min;
	size_t n, i;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2; c = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3; c = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4; c = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

long
ec_utf8_len(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	size_t off = 0, n;
	long cps = 0;

	for (; off < len; off += n, cps++)
		if ((n = ec_utf8_next(u + off, len - off, &c)) == 0)
			return -1;
	return cps;
}

int
ec_utf8_valid(const char *s, size_t len)
{
	return ec_utf8_len(s, len) >= 0;
}

long
ec_text_check(const char *s, size_t len, unsigned long *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t off = 0, n;
	unsigned long c;
	long cps = 0;

	*bad = 0;
	while (off < len) {
		if ((n = ec_utf8_next(u + off, len - off, &c)) == 0) {
			*bad = EC_TEXT_BAD_UTF8;
			return -1;
		}
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
		    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff) {
			*bad = c;
			return -1;
		}
		off += n;
		cps++;
	}
	return cps;
}
