/*
 * Fuzz the making of an email (ec_notice_compose, lib/mail/notice.c): the input is a notice
 * template (mail/fuzz.en.txt of a private templates folder), filled with values that hold every
 * character HTML and headers care about. Whatever the template, an accepted message is 7-bit, every
 * line ends in CRLF and stays within RFC 5322's 998 bytes; a refusal is a template error.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "helper.h"
#include "mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_notice n;
	struct ec_buf raw = { 0 };
	size_t line = 0;
	int rc;

	fuzz_scratch_write("mail/fuzz.en.txt", data, size);
	if (ec_notice_init(&n, "fuzz", "zoe@example.org", "en", "example.org", fuzz_time()) ||
	    ec_notice_set(&n, "name", "Zo\xc3\xab <b>&amp; \"O'Brien\" \xe6\x9d\x8e") ||
	    ec_notice_set(&n, "url", "https://verify.example.org/v/0101234567890123456707?a=1&b=<2>") ||
	    ec_notice_set(&n, "number", "0101 2345 6789 0123 4567 07"))
		abort();
	rc = ec_notice_compose(&n, fuzz_scratch_dir(), "certs@example.org", &raw);
	if (rc == 0) {
		for (size_t i = 0; i < raw.len; i++) {
			unsigned char c = (unsigned char)raw.p[i];

			if (c >= 0x80 || c == 0 || (c == '\n' && (i == 0 || raw.p[i - 1] != '\r')) ||
			    (c == '\r' && (i + 1 == raw.len || raw.p[i + 1] != '\n')))
				abort();
			line = c == '\n' ? 0 : line + 1;
			if (line > 998)
				abort();
		}
		if (raw.len == 0 || raw.p[raw.len - 1] != '\n')
			abort();
	} else if (rc != EC_ERR_SYNTAX && rc != EC_ERR_NOTFOUND && rc != EC_ERR_TOOBIG && rc != EC_ERR_NOMEM) {
		abort();
	}
	ec_buf_free(&raw);
	return 0;
}
