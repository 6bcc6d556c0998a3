/* Holder names: NFC, the printable-name rules, comparison folding and public masking, with libutf8proc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "err.h"
#include "msg.h"
#include "name.h"

#define IN_MAX 1024          /* input bytes: 64 code points plus generous decomposition and spacing */
#define QUOTE_CP 48          /* code points of a name quoted back in a detail message */

/* Code points that a terminal or a page could show as nothing, or use to reorder what is shown. */
static int
hidden(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return cp > 0xffff || c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF ||
	    c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP || c == UTF8PROC_CATEGORY_CN ||
	    c == UTF8PROC_CATEGORY_CO || c == UTF8PROC_CATEGORY_CS || utf8proc_get_property(cp)->ignorable;
}

/*
 * A copy of s[0..len) that is safe to print inside quotes in a message: at most QUOTE_CP code
 * points, invalid bytes, hidden code points and the quote character shown as '?'.
 */
static void
quote(const char *s, size_t len, char *out, size_t outsz)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t o = 0, i = 0, count = 0;

	while (i < len && o + 8 < outsz) {
		if (count == QUOTE_CP) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n < 0 || hidden(cp) || cp == '\'') {
			out[o++] = '?';
			i += n < 0 ? 1 : (size_t)n;
		} else {
			memcpy(out + o, p + i, (size_t)n);
			o += (size_t)n;
			i += (size_t)n;
		}
		count++;
	}
	out[o] = '\0';
}

/* The byte offset of the first invalid UTF-8 sequence in s[0..len), or len when there is none. */
static size_t
bad_utf8(const char *s, size_t len)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	size_t i = 0;

	while (i < len) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n < 0)
			return i;
		i += (size_t)n;
	}
	return len;
}

/*
 * Why cp cannot be in a name, or 0 when it can.
 * Every format character (Cf) is refused, ZWJ and ZWNJ included: they can make two names that look
 * the same differ (and Persian names written with a ZWNJ must be typed without it for now). Default-ignorable code points (variation selectors, CGJ, Hangul fillers) go for the
 * same reason.
 */
static enum ec_msg
refuse(utf8proc_int32_t cp)
{
	if (cp > 0xffff)
		return EC_MSG_CP_ASTRAL;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_CC:
		return EC_MSG_CP_CONTROL;
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
		return EC_MSG_CP_SEPARATOR;
	case UTF8PROC_CATEGORY_CF:
		return EC_MSG_CP_FORMAT;
	case UTF8PROC_CATEGORY_CN:
		return EC_MSG_CP_UNASSIGNED;
	case UTF8PROC_CATEGORY_CO:
	case UTF8PROC_CATEGORY_CS:
		return EC_MSG_CP_PRIVATE;
	default:
		break;
	}
	if (utf8proc_get_property(cp)->ignorable)
		return EC_MSG_CP_INVISIBLE;
	return 0;
}

static int
is_space(utf8proc_int32_t cp)
{
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

static int
is_mark(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

/*
 * Why the whole-name checks run on the NFC form: that is what is signed and printed, and a
 * decomposed input (Zoe + U+0308) must count as the code points it will become.
 */
int
ec_name_normalize(const char *in, size_t len, char **out)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n, m;
	utf8proc_int32_t cp;
	struct ec_buf b = { 0 };
	char q[QUOTE_CP * 3 + 8];
	enum ec_msg why;
	char u[16], n1[24], n2[24];
	size_t i, count = 0, at;
	int space = 0, rc = 0;

	*out = NULL;
	quote(in, len, q, sizeof q);
	if (len > IN_MAX) {
		snprintf(n1, sizeof n1, "%zu", len);
		rc = ec_err_say(EC_ERR_SYNTAX, EC_MSG_NAME_INPUT, q, n1);
		goto out;
	}
	if ((at = bad_utf8(in, len)) < len) {
		snprintf(n1, sizeof n1, "%zu", at + 1);
		rc = ec_err_say(EC_ERR_SYNTAX, EC_MSG_NAME_UTF8, q, n1);
		goto out;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len, &nfc,
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0) {
		rc = n == UTF8PROC_ERROR_NOMEM ? EC_ERR_NOMEM :
		    ec_err_set(EC_ERR_SYNTAX, "name '%s': %s", q, utf8proc_errmsg(n));
		goto out;
	}
	quote((const char *)nfc, (size_t)n, q, sizeof q);
	for (i = 0; i < (size_t)n; i += (size_t)m) {
		m = utf8proc_iterate(nfc + i, n - (utf8proc_ssize_t)i, &cp);
		why = refuse(cp);
		if (why == 0 && is_mark(cp) && (b.len == 0 || space))
			why = EC_MSG_CP_MARK;
		if (why != 0) {
			snprintf(u, sizeof u, "U+%04X", (unsigned)cp);
			rc = ec_err_say(EC_ERR_SYNTAX, why, q, u);
			goto out;
		}
		if (is_space(cp)) {
			space = b.len > 0;
			continue;
		}
		if (space) {
			ec_buf_addc(&b, ' ');
			count++;
			space = 0;
		}
		ec_buf_add(&b, nfc + i, (size_t)m);
		count++;
	}
	if (b.err) {
		rc = b.err;
		goto out;
	}
	if (count == 0) {
		rc = ec_err_say(EC_ERR_SYNTAX, EC_MSG_NAME_EMPTY);
		goto out;
	}
	if (count > EC_NAME_MAX_CP) {
		snprintf(n1, sizeof n1, "%zu", count);
		snprintf(n2, sizeof n2, "%d", EC_NAME_MAX_CP);
		rc = ec_err_say(EC_ERR_SYNTAX, EC_MSG_NAME_COUNT, q, n1, n2);
		goto out;
	}
	*out = b.p;
	b.p = NULL;
out:
	free(nfc);
	ec_buf_free(&b);
	return rc;
}

/* White space for comparison: every space separator and the control characters that act as space. */
static int
fold_space(utf8proc_int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP ||
	    (cp >= 0x09 && cp <= 0x0d) || cp == 0x85;
}

int
ec_name_fold(const char *in, size_t len, char **out)
{
	utf8proc_uint8_t *f = NULL;
	utf8proc_ssize_t n, m;
	utf8proc_int32_t cp;
	size_t i, o = 0, at;
	int rc = 0;

	*out = NULL;
	if (len > IN_MAX) {
		rc = ec_err_set(EC_ERR_TOOBIG, "name: too long to compare (%zu bytes)", len);
		goto out;
	}
	if ((at = bad_utf8(in, len)) < len) {
		rc = ec_err_set(EC_ERR_SYNTAX, "name: invalid UTF-8 at byte %zu", at + 1);
		goto out;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len, &f,
	    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	if (n < 0) {
		rc = n == UTF8PROC_ERROR_NOMEM ? EC_ERR_NOMEM :
		    ec_err_set(EC_ERR_SYNTAX, "name: %s", utf8proc_errmsg(n));
		goto out;
	}
	for (i = 0; i < (size_t)n; i += (size_t)m) {
		m = utf8proc_iterate(f + i, n - (utf8proc_ssize_t)i, &cp);
		if (!fold_space(cp)) {
			memmove(f + o, f + i, (size_t)m);
			o += (size_t)m;
		}
	}
	f[o] = '\0';
	*out = (char *)f;
	f = NULL;
out:
	free(f);
	return rc;
}

int
ec_name_mask(const char *nfc, char **out)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)nfc;
	size_t len = strlen(nfc), at;
	utf8proc_ssize_t m;
	utf8proc_int32_t cp;
	char *s;

	*out = NULL;
	if ((at = bad_utf8(nfc, len)) < len)
		return ec_err_set(EC_ERR_SYNTAX, "name: invalid UTF-8 at byte %zu", at + 1);
	m = len > 0 ? utf8proc_iterate(p, (utf8proc_ssize_t)len, &cp) : 0;
	if (m < 0)
		m = 0;
	if ((s = malloc((size_t)m + 4)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	memcpy(s, nfc, (size_t)m);
	memcpy(s + m, "***", 4);
	*out = s;
	return 0;
}
