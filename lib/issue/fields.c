/* Strict checks of the personal fields an exam import or an application carries. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "fields.h"
#include "msg.h"
#include "office.h"
#include "utf8.h"

#define QUOTE 40            /* bytes of a bad value quoted back */

/* A refusal of value s quoted back, cut at QUOTE bytes. */
static int
bad_value(enum ec_msg id, const char *s)
{
	char q[QUOTE + 1];

	snprintf(q, sizeof q, "%s", s);
	return ec_err_say(EC_ERR_SYNTAX, id, q);
}

/* A refusal naming code point cp as U+XXXX. */
static int
bad_char(enum ec_msg id, unsigned long cp)
{
	char u[16];

	snprintf(u, sizeof u, "U+%04lX", cp);
	return ec_err_say(EC_ERR_SYNTAX, id, u);
}

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
		return ec_err_say(EC_ERR_SYNTAX, EC_MSG_EMAIL_EMPTY);
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
	return bad_value(EC_MSG_EMAIL_BAD, s);
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
	return bad_value(EC_MSG_TEL_BAD, s);
}

int
ec_field_text(const char *s, size_t max, int may_be_empty)
{
	size_t n = strlen(s);
	unsigned long bad;
	char lim[24];

	if (n == 0 && !may_be_empty)
		return ec_err_say(EC_ERR_SYNTAX, EC_MSG_TEXT_EMPTY);
	if (n > max) {
		snprintf(lim, sizeof lim, "%zu", max);
		return ec_err_say(EC_ERR_SYNTAX, EC_MSG_TEXT_LONG, lim);
	}
	if (ec_text_check(s, n, &bad) >= 0)
		return 0;
	if (bad == EC_TEXT_BAD_UTF8)
		return ec_err_say(EC_ERR_SYNTAX, EC_MSG_TEXT_UTF8);
	return bad_char(bad < 0xa0 ? EC_MSG_TEXT_CONTROL : EC_MSG_TEXT_SEPARATOR, bad);
}

int
ec_field_address(const char *s)
{
	char line[EC_ADDRESS_MAX + 1], no[24], lim[24];
	const char *p = s, *e;
	size_t n = strlen(s), len;
	int k = 0, rc;

	if (n > EC_ADDRESS_MAX) {
		snprintf(lim, sizeof lim, "%d", EC_ADDRESS_MAX);
		return ec_err_say(EC_ERR_SYNTAX, EC_MSG_TEXT_LONG, lim);
	}
	do {
		e = strchr(p, '\n');
		len = e ? (size_t)(e - p) : strlen(p);
		memcpy(line, p, len);
		line[len] = '\0';
		if (++k > EC_ADDRESS_LINES)
			break;
		if ((rc = ec_field_text(line, EC_ADDRESS_MAX, 0))) {
			snprintf(no, sizeof no, "%d", k);
			return ec_err_prefix(rc, EC_MSG_ADDRESS_LINE, no);
		}
		p = e + 1;
	} while (e);
	if (k > EC_ADDRESS_LINES) {
		for (; e; e = strchr(e + 1, '\n'))
			k++;
		snprintf(no, sizeof no, "%d", k);
		snprintf(lim, sizeof lim, "%d", EC_ADDRESS_LINES);
		return ec_err_say(EC_ERR_SYNTAX, EC_MSG_ADDRESS_LINES, no, lim);
	}
	return 0;
}

void
ec_field_address_norm(const char *in, char *out, size_t size)
{
	size_t n = 0, len;
	const char *p = in, *e;

	if (size == 0)
		return;
	out[0] = '\0';
	while (*p) {
		e = p + strcspn(p, "\r\n");
		len = (size_t)(e - p);
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len) {
			if (n && n + 1 < size)
				out[n++] = '\n';
			if (len > size - 1 - n)
				len = size - 1 - n;
			memcpy(out + n, p, len);
			n += len;
			out[n] = '\0';
		}
		p = *e ? e + 1 : e;
	}
}
