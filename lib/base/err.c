/* Error descriptions and the per-thread detail message behind ec_err_msg(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "msg.h"

static _Thread_local int last_code;
static _Thread_local char last_msg[1024];
/* The same detail in the other languages, when ec_err_say recorded it (said). */
static _Thread_local char last_lang[EC_LANG_COUNT][1024];
static _Thread_local int said;

const char *
ec_strerror(int code)
{
	switch (code) {
	case EC_OK: return "success";
	case EC_ERR_NOMEM: return "out of memory";
	case EC_ERR_IO: return "input/output error";
	case EC_ERR_ARG: return "invalid argument";
	case EC_ERR_SYNTAX: return "malformed input";
	case EC_ERR_CHECKSUM: return "check digits do not match (probably a typo)";
	case EC_ERR_NOTFOUND: return "not found";
	case EC_ERR_EXISTS: return "already exists";
	case EC_ERR_PASS: return "wrong passphrase or unreadable key";
	case EC_ERR_CRYPTO: return "cryptographic library failure";
	case EC_ERR_SIG: return "signature does not verify";
	case EC_ERR_EXPIRED: return "expired";
	case EC_ERR_NOTYET: return "not yet valid";
	case EC_ERR_REVOKED: return "revoked";
	case EC_ERR_REFUSED: return "refused";
	case EC_ERR_FULL: return "no space left";
	case EC_ERR_TOOBIG: return "input too large";
	case EC_ERR_CORRUPT: return "stored data is corrupt";
	case EC_ERR_STALE: return "revocation list is out of date";
	case EC_ERR_UNSUPPORTED: return "not supported";
	case EC_ERR_CONFLICT: return "a live certificate of that certification exists";
	}
	return "unknown error";
}

const char *
ec_err_msg(int code)
{
	if (code != EC_OK && code == last_code && last_msg[0])
		return last_msg;
	return ec_strerror(code);
}

int
ec_err_vset(int code, const char *fmt, va_list ap)
{
	char msg[sizeof last_msg];

	/* Formatted apart: callers often wrap the previous detail ("x: %s", ec_err_msg(rc)), which is last_msg. */
	vsnprintf(msg, sizeof msg, fmt, ap);
	memcpy(last_msg, msg, sizeof msg);
	last_code = code;
	said = 0;
	return code;
}

/* The table's formats are not literals; msg.c keeps them to positional string conversions. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
int
ec_err_say(int code, enum ec_msg id, ...)
{
	const char *fmt;
	va_list ap;
	int l;

	for (l = EC_LANG_COUNT - 1; l >= 0; l--) {
		if ((fmt = ec_msg_format(id, (enum ec_lang)l)) == NULL)
			return ec_err_set(code, "message %d", (int)id);
		va_start(ap, id);
		vsnprintf(last_lang[l], sizeof last_lang[l], fmt, ap);
		va_end(ap);
	}
	ec_err_set(code, "%s", last_lang[EC_LANG_EN]);
	said = 1;
	return code;
}

int
ec_err_prefix(int code, enum ec_msg id, ...)
{
	char pre[256], detail[EC_LANG_COUNT][sizeof last_msg];
	const char *fmt;
	va_list ap;
	int l;

	for (l = 0; l < EC_LANG_COUNT; l++)
		snprintf(detail[l], sizeof detail[l], "%s", said && last_code == code ? last_lang[l] :
		    ec_err_msg(code));
	for (l = EC_LANG_COUNT - 1; l >= 0; l--) {
		if ((fmt = ec_msg_format(id, (enum ec_lang)l)) == NULL)
			return code;
		va_start(ap, id);
		vsnprintf(pre, sizeof pre, fmt, ap);
		va_end(ap);
		snprintf(last_lang[l], sizeof last_lang[l], "%s%s%s", pre, ec_msg_colon((enum ec_lang)l), detail[l]);
	}
	ec_err_set(code, "%s", last_lang[EC_LANG_EN]);
	said = 1;
	return code;
}
#pragma GCC diagnostic pop

const char *
ec_err_msg_lang(int code, enum ec_lang lang)
{
	if (!said || code == EC_OK || code != last_code || (int)lang < 0 || lang >= EC_LANG_COUNT)
		return NULL;
	return last_lang[lang];
}

int
ec_err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ec_err_vset(code, fmt, ap);
	va_end(ap);
	return code;
}

int
ec_err_errno(const char *what, const char *subject)
{
	int e = errno;
	int code = (e == ENOSPC || e == EDQUOT) ? EC_ERR_FULL : EC_ERR_IO;

	return ec_err_set(code, "%s '%s': %s", what, subject, strerror(e));
}

void
ec_err_clear(void)
{
	last_code = EC_OK;
	last_msg[0] = '\0';
	said = 0;
}

int
ec_err_exit(int code)
{
	switch (code) {
	case EC_OK:
		return 0;
	case EC_ERR_SYNTAX: case EC_ERR_CHECKSUM: case EC_ERR_NOTFOUND: case EC_ERR_SIG:
	case EC_ERR_EXPIRED: case EC_ERR_NOTYET: case EC_ERR_REVOKED: case EC_ERR_REFUSED:
	case EC_ERR_CORRUPT: case EC_ERR_STALE: case EC_ERR_TOOBIG: case EC_ERR_EXISTS: case EC_ERR_CONFLICT:
		return 1;
	default:
		return 2;
	}
}

int
ec_err_exit_ca(int code)
{
	if (code == EC_ERR_CORRUPT || code == EC_ERR_SYNTAX || code == EC_ERR_NOTFOUND)
		return 2;
	return ec_err_exit(code);
}
