/* Strict checks of the personal fields an exam import or an application carries. */
#include <string.h>

#include "err.h"
#include "fields.h"
#include "office.h"
#include "utf8.h"

#define QUOTE 40            /* bytes of a bad value quoted back */

int
ec_field_regno(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0)
		return ec_err_set(EC_ERR_SYNTAX, "empty registration number");
	if (n > EC_REGNO_MAX)
		return ec_err_set(EC_ERR_SYNTAX, "'%.*s...' is longer than %d characters", QUOTE, s, EC_REGNO_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return ec_err_set(EC_ERR_SYNTAX, "registration number '%.*s' has a character other than "
			    "printable ASCII", QUOTE, s);
	return 0;
}

static int
atext(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	    (ch && strchr("!#$%&'*+/=?^_`{|}~-", ch));
}

/* A dot-atom local part and a host name with at least one dot: what a mail system will deliver to. */
int
ec_field_email(const char *s)
{
	const char *at = strchr(s, '@'), *p, *label;
	size_t n = strlen(s);

	if (n == 0)
		return ec_err_set(EC_ERR_SYNTAX, "empty email address");
	if (n > EC_EMAIL_MAX || !at || at == s || at - s > 64 || strchr(at + 1, '@'))
		goto bad;
	for (p = s; p < at; p++)
		if (!(atext(*p) || (*p == '.' && p > s && p + 1 < at && p[1] != '.')))
			goto bad;
	if (!strchr(at + 1, '.'))
		goto bad;
	for (label = p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || label[0] == '-' || p[-1] == '-')
				goto bad;
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-')) {
			goto bad;
		}
	}
	return 0;
bad:
	return ec_err_set(EC_ERR_SYNTAX, "'%.*s' is not an email address", QUOTE, s);
}

/* Digits with the separators people write: an optional leading '+', spaces, dashes, dots, parentheses. */
int
ec_field_tel(const char *s)
{
	size_t i, digits = 0, n = strlen(s);

	if (n == 0)
		return 0;
	if (n > EC_TEL_MAX)
		goto bad;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (!(strchr(" -.()", s[i]) || (s[i] == '+' && i == 0)))
			goto bad;
	}
	if (digits >= 5 && digits <= 20)
		return 0;
bad:
	return ec_err_set(EC_ERR_SYNTAX, "'%.*s' is not a telephone number", QUOTE, s);
}

int
ec_field_text(const char *s, size_t max, int may_be_empty)
{
	size_t n = strlen(s);
	unsigned long bad;

	if (n == 0 && !may_be_empty)
		return ec_err_set(EC_ERR_SYNTAX, "empty value");
	if (n > max)
		return ec_err_set(EC_ERR_SYNTAX, "longer than %zu bytes", max);
	if (ec_text_check(s, n, &bad) >= 0)
		return 0;
	if (bad == EC_TEXT_BAD_UTF8)
		return ec_err_set(EC_ERR_SYNTAX, "not valid UTF-8");
	if (bad < 0xa0)
		return ec_err_set(EC_ERR_SYNTAX, "control character U+%04lX", bad);
	return ec_err_set(EC_ERR_SYNTAX, "character U+%04lX is not allowed (a line separator, bidirectional "
	    "control or byte order mark)", bad);
}
