/* The endpoint's access log: one bounded line per request, numbers masked. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "wbuf.h"
#include "web.h"

#define LOG_PATH_MAX 200
#define LOG_METHOD_MAX 16

/* s[0..n) as a JSON string for a log: printable ASCII as is, every other byte as \\u00XX (6n + 2 at most). */
static char *
w_log_str(char *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	*w++ = '"';
	for (i = 0; i < n; i++) {
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '"' && u[i] != '\\')
			*w++ = (char)u[i];
		else {
			w = W_LIT(w, "\\u00");
			*w++ = hex[u[i] >> 4];
			*w++ = hex[u[i] & 15];
		}
	}
	*w++ = '"';
	return w;
}

/* "YYYY-MM-DDTHH:MM:SS" of second secs into ts: formatted once a second per thread, not per line. */
static void
log_second(time_t secs, char ts[20])
{
	static __thread time_t last;
	static __thread char cached[20];
	static __thread int have;
	struct tm tm;

	if (!have || secs != last) {
		if (gmtime_r(&secs, &tm) == NULL || strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
			memcpy(cached, "0000-00-00T00:00:00", sizeof cached);
		last = secs;
		have = 1;
	}
	memcpy(ts, cached, 20);
}

int
ec_web_log_line(struct ec_buf *b, int64_t epoch_usec, const char *method, const char *target, size_t len,
    int status, uint64_t bytes, uint64_t usec)
{
	char path[LOG_PATH_MAX + 1], ts[20], *w;
	const char *cut;
	size_t n, i, last, end, digits, k, mlen, dn;
	int64_t us = epoch_usec < 0 ? 0 : epoch_usec;
	uint32_t f;

	cut = memchr(target, '?', len);
	n = cut ? (size_t)(cut - target) : len;
	if ((cut = memchr(target, '#', n)) != NULL)
		n = (size_t)(cut - target);
	if (n > LOG_PATH_MAX) {
		n = LOG_PATH_MAX;
		/* not in the middle of a %XX escape */
		if (target[n - 1] == '%')
			n--;
		else if (target[n - 2] == '%')
			n -= 2;
	}
	/*
	 * Masked after percent-decoding, as the route reads it: "/v/%30%31..." is the same number. A path
	 * that does not decode is not written at all.
	 */
	if (ec_web_pct_decode(target, n, 0, path, sizeof path, &dn) != EC_OK) {
		memcpy(path, "(undecodable)", 13);
		dn = 13;
	}
	n = dn;
	/* Every segment on its own: a number is no less personal with a slash or a segment after it. */
	for (last = 0; last < n; last = end + 1) {
		for (end = last; end < n && path[end] != '/'; end++)
			;
		for (digits = 0, i = last; i < end; i++)
			if (path[i] >= '0' && path[i] <= '9')
				digits++;
		for (k = 0, i = last; i < end; i++) {
			if (path[i] >= '0' && path[i] <= '9') {
				if (k >= 4 && k + 2 < digits)
					path[i] = '*';
				k++;
			}
		}
	}
	log_second((time_t)(us / 1000000), ts);
	mlen = strnlen(method, LOG_METHOD_MAX);
	if (ec_buf_reserve(b, 6 * (n + mlen) + 160))
		return b->err;
	w = b->p + b->len;
	w = W_LIT(w, "{\"time\":\"");
	memcpy(w, ts, 19);
	w += 19;
	*w++ = '.';
	for (f = (uint32_t)(us % 1000000), i = 6; i > 0; i--, f /= 10)
		w[i - 1] = (char)('0' + f % 10);
	w += 6;
	w = W_LIT(w, "Z\",\"method\":");
	w = w_log_str(w, method, mlen);
	w = W_LIT(w, ",\"path\":");
	w = w_log_str(w, path, n);
	w = W_LIT(w, ",\"status\":");
	w = w_int(w, status);
	w = W_LIT(w, ",\"bytes\":");
	w = w_uint(w, bytes);
	w = W_LIT(w, ",\"usec\":");
	w = w_uint(w, usec);
	w = W_LIT(w, "}\n");
	return w_done(b, w);
}
