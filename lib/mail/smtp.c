/* SMTP delivery through libcurl: envelope, STARTTLS or SMTPS, login, and what the relay answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <openssl/crypto.h>

#include "err.h"
#include "file.h"
#include "smtp.h"

struct ec_smtp {
	CURL *curl;
	char *url, *from, *user, *pass;
	int tls;
	long timeout;
	char err[CURL_ERROR_SIZE];
	char reply[128];          /* the relay's last refusal line: what an operator needs to read */
};

/* libcurl shows the relay's replies only through its debug hook: keep the last refusal (4xx, 5xx). */
static int
on_debug(CURL *c, curl_infotype type, char *data, size_t n, void *ctx)
{
	struct ec_smtp *s = ctx;
	size_t k = 0;

	(void)c;
	if (type != CURLINFO_HEADER_IN || n < 3 || (data[0] != '4' && data[0] != '5'))
		return 0;
	while (k < n && k + 1 < sizeof s->reply && data[k] != '\r' && data[k] != '\n') {
		/* The relay's words reach listings and JSON: printable ASCII only. */
		s->reply[k] = (unsigned char)data[k] < 0x20 || (unsigned char)data[k] >= 0x7f ? '?' : data[k];
		k++;
	}
	s->reply[k] = '\0';
	return 0;
}

struct src {
	const char *p;
	size_t left;
};

static size_t
read_msg(char *buf, size_t size, size_t n, void *ctx)
{
	struct src *s = ctx;
	size_t k = size * n < s->left ? size * n : s->left;

	memcpy(buf, s->p, k);
	s->p += k;
	s->left -= k;
	return k;
}

int
ec_smtp_open(const struct ec_smtp_conf *c, struct ec_smtp **out)
{
	static int once;
	struct ec_smtp *s;

	*out = NULL;
	if (!once) {
		/* Before any thread starts: libcurl's global set-up is not thread-safe. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return ec_err_set(EC_ERR_NOMEM, "libcurl cannot start");
		once = 1;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		return EC_ERR_NOMEM;
	s->url = strdup(c->url);
	s->from = strdup(c->from);
	s->user = c->user ? strdup(c->user) : NULL;
	s->tls = c->tls;
	s->timeout = c->timeout > 0 ? c->timeout : 30;
	if (!s->url || !s->from || (c->user && !s->user) || !(s->curl = curl_easy_init())) {
		ec_smtp_close(s);
		return EC_ERR_NOMEM;
	}
	if (c->user && c->pass_file) {
		size_t len;
		int rc;

		if ((rc = ec_file_read(c->pass_file, 4096, &s->pass, &len))) {
			rc = ec_err_set(rc, "cannot read smtp_pass_file '%s': %s", c->pass_file, ec_err_msg(rc));
			ec_smtp_close(s);
			return rc;
		}
		/* The first line; what follows it is wiped now, the rest when the sender closes. */
		OPENSSL_cleanse(s->pass + strcspn(s->pass, "\r\n"), len - strcspn(s->pass, "\r\n"));
	}
	*out = s;
	return 0;
}

void
ec_smtp_close(struct ec_smtp *s)
{
	if (s == NULL)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	/* The relay's password is a secret: it leaves memory wiped. */
	if (s->pass)
		OPENSSL_cleanse(s->pass, strlen(s->pass));
	free(s->url);
	free(s->from);
	free(s->user);
	free(s->pass);
	free(s);
}

enum ec_smtp_outcome
ec_smtp_send(struct ec_smtp *s, const char *rcpt, const char *msg, size_t len, unsigned *code, char *note,
    size_t notesz)
{
	struct curl_slist *to = NULL;
	struct src src = { msg, len };
	long reply = 0;
	CURLcode rc;
	CURL *c = s->curl;

	*code = 0;
	note[0] = '\0';
	s->err[0] = '\0';
	s->reply[0] = '\0';
	if (c == NULL || (to = curl_slist_append(NULL, rcpt)) == NULL) {
		if (c == NULL)
			s->curl = curl_easy_init();
		snprintf(note, notesz, "out of memory");
		return EC_SMTP_LATER;
	}
	/* The same handle each time: libcurl keeps the connection to the relay open between messages. */
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(s->tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	if (s->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->pass);
	}
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_msg);
	curl_easy_setopt(c, CURLOPT_READDATA, &src);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s->timeout);
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, s->timeout);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->err);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
	curl_slist_free_all(to);
	*code = reply > 0 && reply < 1000 ? (unsigned)reply : 0;
	if (rc == CURLE_OK) {
		snprintf(note, notesz, "accepted (%u)", *code);
		return EC_SMTP_SENT;
	}
	/* After a failure the session's state is unknown: the next message starts on a new connection. */
	curl_easy_cleanup(c);
	s->curl = curl_easy_init();
	/* The relay's own words when it said something ("550 5.1.1 no such user"), else libcurl's. */
	if (*code && s->reply[0])
		snprintf(note, notesz, "%s", s->reply);
	else
		snprintf(note, notesz, "%s%s%s", curl_easy_strerror(rc), s->err[0] ? ": " : "", s->err);
	/* Only the relay's own 5xx refuses a message for good; a login 5xx is our configuration's fault. */
	if (*code >= 500 && *code < 600 && rc != CURLE_LOGIN_DENIED)
		return EC_SMTP_REFUSED;
	return EC_SMTP_LATER;
}
