/* Notices: their values, and the message made from a template: RFC 5322, RFC 2047, MIME in base64. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <openssl/evp.h>

#include "err.h"
#include "file.h"
#include "mail.h"
#include "text.h"
#include "utf8.h"

#define LINE 76       /* base64 characters per body line (RFC 2045) */
#define WORD 45       /* bytes of UTF-8 per encoded-word: 60 base64 characters, within 75 with its frame */
#define TPL_MAX (16 * 1024)

int
ec_mail_addr_check(const char *addr)
{
	return ec_addr_check(addr);
}

int
ec_notice_init(struct ec_notice *n, const char *kind, const char *to, const char *lang, const char *domain,
    int64_t now)
{
	unsigned char rnd[12];
	char hex[2 * sizeof rnd + 1];
	size_t k = strlen(kind);
	int rc;

	memset(n, 0, sizeof *n);
	if (k == 0 || k > EC_MAIL_KIND_MAX || strspn(kind, "abcdefghijklmnopqrstuvwxyz") != k)
		return ec_err_set(EC_ERR_ARG, "notice kind '%s' is not 1 to %d lowercase letters", kind, EC_MAIL_KIND_MAX);
	if (strcmp(lang, "en") != 0 && strcmp(lang, "zh") != 0)
		return ec_err_set(EC_ERR_ARG, "language '%s' is not en or zh", lang);
	if ((rc = ec_mail_addr_check(to)))
		return rc;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return ec_err_errno("cannot read random bytes", "getrandom");
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	memcpy(n->kind, kind, k + 1);
	snprintf(n->to, sizeof n->to, "%s", to);
	memcpy(n->lang, lang, 3);
	snprintf(n->message_id, sizeof n->message_id, "%llx.%s@%.80s", (unsigned long long)now, hex, domain);
	n->created = now;
	return 0;
}

int
ec_notice_set(struct ec_notice *n, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);
	unsigned long bad;

	if (kl == 0 || strspn(key, "abcdefghijklmnopqrstuvwxyz_") != kl)
		return ec_err_set(EC_ERR_ARG, "notice value name '%s' is not lowercase letters", key);
	if (ec_text_check(value, vl, &bad) < 0)
		return ec_err_set(EC_ERR_SYNTAX, "notice value '%s' is not one line of text", key);
	if (n->vlen + kl + vl + 2 > sizeof n->values)
		return ec_err_set(EC_ERR_TOOBIG, "notice '%s' has more than %d bytes of values", n->kind,
		    EC_NOTICE_VALUES_MAX);
	memcpy(n->values + n->vlen, key, kl);
	n->values[n->vlen + kl] = '=';
	memcpy(n->values + n->vlen + kl + 1, value, vl + 1);
	n->vlen += kl + vl + 2;
	return 0;
}

const char *
ec_notice_get(const struct ec_notice *n, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < n->vlen; i += strlen(n->values + i) + 1)
		if (strncmp(n->values + i, key, kl) == 0 && n->values[i + kl] == '=')
			return n->values + i + kl + 1;
	return NULL;
}

/* 1 when line s (up to its end) holds a {key?} whose value the notice lacks: the line is left out. */
static int
optional_missing(const struct ec_notice *n, const char *s)
{
	const char *e = strchr(s, '\n'), *o, *c;
	char key[32];

	if (!e)
		e = s + strlen(s);
	for (o = s; (o = memchr(o, '{', (size_t)(e - o))) && o + 1 < e; o++) {
		if (o[1] == '{') {
			o++;
			continue;
		}
		if (!(c = memchr(o, '}', (size_t)(e - o))) || c[-1] != '?' || (size_t)(c - o - 2) >= sizeof key)
			continue;
		snprintf(key, sizeof key, "%.*s", (int)(c - o - 2), o + 1);
		if (!ec_notice_get(n, key))
			return 1;
	}
	return 0;
}

/*
 * The template's text with every {key} replaced; {{ and }} are braces. {key?} is optional: a line
 * holding one whose value the notice lacks is left out whole.
 */
static int
expand(const struct ec_notice *n, const char *file, const char *s, struct ec_buf *out)
{
	const char *close, *v;
	char key[32];
	int bol = 1;

	while (*s) {
		if (bol && optional_missing(n, s)) {
			s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s);
			continue;
		}
		/* the next character starts a line after a line feed */
		bol = *s == '\n';
		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			ec_buf_addc(out, *s);
			s += 2;
			continue;
		}
		if (*s != '{') {
			ec_buf_addc(out, *s++);
			continue;
		}
		if ((close = strchr(s, '}')) == NULL || (size_t)(close - s - 1) >= sizeof key)
			return ec_err_set(EC_ERR_SYNTAX, "%s: unclosed '{'", file);
		snprintf(key, sizeof key, "%.*s", (int)(close - s - 1), s + 1);
		if (key[0] && key[strlen(key) - 1] == '?')
			key[strlen(key) - 1] = '\0';
		if ((v = ec_notice_get(n, key)) == NULL)
			return ec_err_set(EC_ERR_SYNTAX, "%s: no value for {%s} in a '%s' notice", file, key, n->kind);
		ec_buf_adds(out, v);
		s = close + 1;
	}
	return out->err ? EC_ERR_NOMEM : 0;
}

static void
b64_lines(struct ec_buf *b, const unsigned char *p, size_t n)
{
	unsigned char out[LINE + 4];

	for (size_t i = 0; i < n; i += LINE / 4 * 3) {
		size_t k = n - i < LINE / 4 * 3 ? n - i : LINE / 4 * 3;
		int w = EVP_EncodeBlock(out, p + i, (int)k);

		ec_buf_add(b, out, (size_t)w);
		ec_buf_adds(b, "\r\n");
	}
}

/* The subject as it is when printable ASCII, else UTF-8 encoded-words that never split a character. */
static void
subject(struct ec_buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	int ascii = 1;

	for (size_t k = 0; k < n; k++)
		ascii &= u[k] >= 0x20 && u[k] < 0x7f;
	ec_buf_adds(b, "Subject: ");
	/* Short ASCII as it is; anything else in encoded-words, which fold into lines of any length. */
	if (ascii && n <= 68) {
		ec_buf_add(b, s, n);
		ec_buf_adds(b, "\r\n");
		return;
	}
	while (i < n) {
		unsigned char enc[WORD / 3 * 4 + 8];
		size_t k = i;
		int w;

		while (k < n) {
			unsigned long cp;
			size_t step = ec_utf8_next(u + k, n - k, &cp);

			if (step == 0 || k + step - i > WORD)
				break;
			k += step;
		}
		if (k == i)
			break;
		w = EVP_EncodeBlock(enc, u + i, (int)(k - i));
		ec_buf_adds(b, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
		ec_buf_add(b, enc, (size_t)w);
		ec_buf_adds(b, "?=");
		i = k;
	}
	ec_buf_adds(b, "\r\n");
}

static int
is_url(const char *s, size_t n)
{
	if (!((n > 7 && memcmp(s, "http://", 7) == 0) || (n > 8 && memcmp(s, "https://", 8) == 0)))
		return 0;
	return memchr(s, ' ', n) == NULL;
}

/* The HTML part: the text escaped, a paragraph per blank-line block, a line that is a URL a link. */
static void
html(struct ec_buf *h, const char *text)
{
	struct ec_buf line = { 0 };
	const char *s = text;
	int open = 0;

	ec_buf_adds(h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n"
	    "<body style=\"font-family:sans-serif;line-height:1.5\">\n");
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		if (n == 0) {
			if (open)
				ec_buf_adds(h, "</p>\n");
			open = 0;
		} else {
			ec_buf_reset(&line);
			ec_buf_add(&line, s, n);
			ec_buf_adds(h, open ? "<br>\n" : "<p>");
			open = 1;
			if (line.err) {
				h->err = line.err;
			} else if (is_url(line.p, n)) {
				ec_buf_adds(h, "<a href=\"");
				ec_buf_html(h, line.p);
				ec_buf_adds(h, "\">");
				ec_buf_html(h, line.p);
				ec_buf_adds(h, "</a>");
			} else {
				ec_buf_html(h, line.p);
			}
		}
		s += n + (e != NULL);
	}
	if (open)
		ec_buf_adds(h, "</p>\n");
	ec_buf_adds(h, "</body></html>\n");
	ec_buf_free(&line);
}

/* A text part: LF turned into CRLF, then base64. */
static void
part(struct ec_buf *b, const char *boundary, const char *type, const char *s)
{
	struct ec_buf t = { 0 };

	for (; *s; s++) {
		if (*s == '\n')
			ec_buf_addc(&t, '\r');
		ec_buf_addc(&t, *s);
	}
	ec_buf_addf(b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	    boundary, type);
	b64_lines(b, (const unsigned char *)t.p, t.len);
	if (t.err)
		b->err = t.err;
	ec_buf_free(&t);
}

/* Read tpldir/mail/KIND.LANG.txt, or the English one. */
static int
load(const struct ec_notice *n, const char *tpldir, char *path, size_t pathsz, char **text)
{
	size_t len;
	int rc;

	snprintf(path, pathsz, "%s/mail/%s.%s.txt", tpldir, n->kind, n->lang);
	if ((rc = ec_file_read(path, TPL_MAX, text, &len)) == 0)
		return 0;
	snprintf(path, pathsz, "%s/mail/%s.en.txt", tpldir, n->kind);
	if ((rc = ec_file_read(path, TPL_MAX, text, &len)) != 0)
		return ec_err_set(rc == EC_ERR_TOOBIG ? rc : EC_ERR_NOTFOUND, "no mail template for '%s' notices (%s)",
		    n->kind, path);
	return 0;
}

int
ec_notice_text(const struct ec_notice *n, const char *tpldir, struct ec_buf *subj, struct ec_buf *text)
{
	char path[1024], *tpl = NULL, *body;
	size_t start = subj->len;
	int rc;

	if ((rc = load(n, tpldir, path, sizeof path, &tpl)))
		return rc;
	if (strncmp(tpl, "Subject: ", 9) != 0 || (body = strstr(tpl, "\n\n")) == NULL) {
		rc = ec_err_set(EC_ERR_SYNTAX, "%s: expected 'Subject: ...', a blank line and the text", path);
		goto out;
	}
	*body = '\0';
	body += 2;
	if ((rc = expand(n, path, tpl + 9, subj)) || (rc = expand(n, path, body, text)))
		goto out;
	if (subj->len == start || memchr(subj->p + start, '\n', subj->len - start))
		rc = ec_err_set(EC_ERR_SYNTAX, "%s: the subject is empty or longer than one line", path);
out:
	free(tpl);
	return rc;
}

int
ec_notice_compose(const struct ec_notice *n, const char *tpldir, const char *from, struct ec_buf *raw)
{
	char date[64], boundary[64];
	struct ec_buf text = { 0 }, h = { 0 };
	struct tm tm;
	time_t when = (time_t)n->created;
	size_t start = raw->len;
	int rc;

	if ((rc = ec_mail_addr_check(from)) || (rc = ec_mail_addr_check(n->to)) ||
	    (rc = ec_notice_text(n, tpldir, &h, &text)))
		goto out;
	if (gmtime_r(&when, &tm) == NULL || strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0) {
		rc = ec_err_set(EC_ERR_ARG, "message time %lld is out of range", (long long)n->created);
		goto out;
	}
	/* The boundary cannot occur in base64 text ("=_" is not in its alphabet). */
	snprintf(boundary, sizeof boundary, "=_ecert_%.40s", n->message_id);
	for (char *c = boundary; *c; c++)
		if (*c == '@')
			*c = '_';
	ec_buf_addf(raw, "From: %s\r\nTo: %s\r\n", from, n->to);
	subject(raw, h.p);
	ec_buf_addf(raw, "Date: %s\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", date, n->message_id, boundary);
	part(raw, boundary, "text/plain", text.p ? text.p : "");
	ec_buf_reset(&h);
	html(&h, text.p ? text.p : "");
	part(raw, boundary, "text/html", h.p ? h.p : "");
	ec_buf_addf(raw, "--%s--\r\n", boundary);
	rc = raw->err || h.err || text.err ? EC_ERR_NOMEM : raw->len - start > EC_MAIL_MAX ?
	    ec_err_set(EC_ERR_TOOBIG, "message to '%s' is over %d bytes", n->to, EC_MAIL_MAX) : 0;
out:
	ec_buf_free(&text);
	ec_buf_free(&h);
	return rc;
}
