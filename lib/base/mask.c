/* Masking of email addresses and phone numbers for listings, as the certification guide shows them. */
#include <string.h>

#include "err.h"
#include "mask.h"
#include "utf8.h"

#define EMAIL_MAX 320        /* RFC 5321: 64 + 1 + 255 */
#define PHONE_MAX 64
#define PHONE_DIGITS 20

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid or a control. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t k = ec_utf8_next(s, n, &cp);

	return k == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : k;
}

/* At most 40 bytes of s for a message, anything but printable ASCII (and the quote) as '?'. */
static const char *
quote(const char *s, char out[48])
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < 40; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'' ? s[i] : '?';
	if (i == 40 && s[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* Append n bytes to out at *o, keeping room for the NUL; EC_ERR_TOOBIG when it does not fit. */
static int
put(char *out, size_t outsz, size_t *o, const char *s, size_t n)
{
	if (outsz == 0 || n >= outsz - *o)
		return EC_ERR_TOOBIG;
	memcpy(out + *o, s, n);
	*o += n;
	out[*o] = '\0';
	return 0;
}

/*
 * The guide masks liwanshuang (11 characters) as liwansh: the first max(ceil(n/2), n - 4)
 * characters, at most 7, and never the whole local part.
 */
int
ec_mask_email(const char *email, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)email;
	const char *at;
	size_t len, i, n, keep, cut = 0, o = 0, chars = 0, step;
	char q[48];
	int rc = 0;

	if (outsz > 0)
		out[0] = '\0';
	len = strnlen(email, EMAIL_MAX + 1);
	if (len > EMAIL_MAX)
		return ec_err_set(EC_ERR_SYNTAX, "email: longer than %d bytes", EMAIL_MAX);
	for (i = 0; i < len; i += step)
		if ((step = utf8_seq(s + i, len - i)) == 0)
			return ec_err_set(EC_ERR_SYNTAX, "email: invalid character at byte %zu", i + 1);
	if ((at = strrchr(email, '@')) == NULL || at == email || at[1] == '\0')
		return ec_err_set(EC_ERR_SYNTAX, "email '%s': expected LOCAL@DOMAIN", quote(email, q));
	n = 0;
	for (i = 0; email + i < at; i += utf8_seq(s + i, len - i))
		n++;
	keep = (n + 1) / 2 > (n > 4 ? n - 4 : 0) ? (n + 1) / 2 : n - 4;
	if (keep > 7)
		keep = 7;
	if (keep == n)
		keep = n - 1;
	while (chars < keep) {
		cut += utf8_seq(s + cut, len - cut);
		chars++;
	}
	if ((rc = put(out, outsz, &o, email, cut)) != 0 || (rc = put(out, outsz, &o, "****", 4)) != 0 ||
	    (rc = put(out, outsz, &o, at, strlen(at))) != 0) {
		if (outsz > 0)
			out[0] = '\0';
		return ec_err_set(rc, "email: a masked form needs more than %zu bytes", outsz);
	}
	return 0;
}

/*
 * "+86 13925222157" -> "+86 139****2157". A country code is recognised only when a separator ends
 * it; the rest shows its first 3 and last 4 digits when at least 4 stay hidden (11 digits or more),
 * else all but its last two digits become '*'.
 */
int
ec_mask_phone(const char *tel, char *out, size_t outsz)
{
	char digits[PHONE_DIGITS], cc[4], q[48];
	size_t len, i = 0, n = 0, ncc = 0, o = 0, k;
	int rc = 0;

	if (outsz > 0)
		out[0] = '\0';
	len = strnlen(tel, PHONE_MAX + 1);
	if (len > PHONE_MAX)
		return ec_err_set(EC_ERR_SYNTAX, "phone number: longer than %d bytes", PHONE_MAX);
	if (tel[0] == '+') {
		for (i = 1; i < len && tel[i] >= '0' && tel[i] <= '9'; i++)
			;
		if (i < len && strchr(" -.(", tel[i]) != NULL && i - 1 >= 1 && i - 1 <= 3) {
			ncc = i - 1;
			memcpy(cc, tel + 1, ncc);
		} else {
			i = 1;
			ncc = 0;
		}
	}
	for (; i < len; i++) {
		if (tel[i] >= '0' && tel[i] <= '9') {
			if (n == PHONE_DIGITS)
				return ec_err_set(EC_ERR_SYNTAX, "phone number: more than %d digits",
				    PHONE_DIGITS);
			digits[n++] = tel[i];
		} else if (strchr(" -.()", tel[i]) == NULL) {
			return ec_err_set(EC_ERR_SYNTAX, "phone number: unexpected character at byte %zu "
			    "(only digits, spaces, dashes, dots and parentheses)", i + 1);
		}
	}
	if (n == 0)
		return ec_err_set(EC_ERR_SYNTAX, "phone number '%s': no digits", quote(tel, q));
	if (tel[0] == '+')
		rc = put(out, outsz, &o, "+", 1);
	if (rc == 0 && ncc > 0 && (rc = put(out, outsz, &o, cc, ncc)) == 0)
		rc = put(out, outsz, &o, " ", 1);
	if (rc == 0 && n >= 11) {
		if ((rc = put(out, outsz, &o, digits, 3)) == 0 && (rc = put(out, outsz, &o, "****", 4)) == 0)
			rc = put(out, outsz, &o, digits + n - 4, 4);
	} else {
		for (k = 0; rc == 0 && k < n; k++)
			rc = put(out, outsz, &o, k + 2 < n ? "*" : digits + k, 1);
	}
	if (rc != 0) {
		if (outsz > 0)
			out[0] = '\0';
		return ec_err_set(rc, "phone number: a masked form needs more than %zu bytes", outsz);
	}
	return 0;
}
