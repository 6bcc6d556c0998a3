/*
 * Unit tests for lib/mail/notice.c: notices (init, values), and the messages composed from the real
 * templates/mail/ texts, each parsed by a real MIME parser (the system Python's email package).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "buf.h"
#include "err.h"
#include "file.h"
#include "mail.h"
#include "utf8.h"
#include "../helper_tmp.h"

#define NOW 1772400000      /* 2026-03-01 21:20:00 UTC */
#define DOMAIN "verify.example.org"
#define FROM "noreply@verify.example.org"
#define PY "/usr/bin/python3"


static int
setup(void **state)
{
	return helper_tmpdir_setup(state);
}

static int
teardown(void **state)
{
	return helper_tmpdir_teardown(state);
}

/* The notice templates/mail/issued.*.txt needs, with a title HTML must escape and a URL with '&'. */
static void
issued_notice(struct ec_notice *n, const char *lang)
{
	assert_int_equal(ec_notice_init(n, "issued", "zoe.obrien@example.org", lang, DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_set(n, "name", "Zo\xc3\xab O'Brien"), 0);
	assert_int_equal(ec_notice_set(n, "number", "0511 2026 0301 4455 6677 88"), 0);
	assert_int_equal(ec_notice_set(n, "code", "HCIA-AI"), 0);
	assert_int_equal(ec_notice_set(n, "title", "A<b>&\"c\""), 0);
	assert_int_equal(ec_notice_set(n, "effective", "2026-03-01"), 0);
	assert_int_equal(ec_notice_set(n, "expires", "2029-03-01"), 0);
	assert_int_equal(ec_notice_set(n, "url", "https://verify.example.org/v/0511?a=1&b=2"), 0);
	assert_int_equal(ec_notice_set(n, "org", "Example Cert Body"), 0);
	assert_int_equal(ec_notice_set(n, "format", "electronic"), 0);
}

static const char issued_en_text[] =
	"Dear Zo\xc3\xab O'Brien,\n"
	"\n"
	"Your certificate has been issued:\n"
	"\n"
	"A<b>&\"c\" (HCIA-AI)\n"
	"Certificate number: 0511 2026 0301 4455 6677 88\n"
	"Valid from 2026-03-01 to 2029-03-01\n"
	"Format: electronic\n"
	"\n"
	"Anyone can check that it is genuine on its verification page, which the QR code on the certificate "
	"also opens:\n"
	"https://verify.example.org/v/0511?a=1&b=2\n"
	"\n"
	"Example Cert Body sends you the PDF of your e-Cert; a paper certificate, if you asked for one, follows "
	"by post, and you will get another message when it ships.\n"
	"\n"
	"This message was sent by Example Cert Body. Please do not reply to it.\n";

/* --- helpers: files, the Python parser, raw-message checks --- */

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

/* The contents of dir/name (malloc'd, NUL-terminated); fails the test when it cannot be read. */
static char *
slurp(const char *dir, const char *name)
{
	char path[512], *text = NULL;
	size_t len;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(ec_file_read(path, 1 << 20, &text, &len), 0);
	return text;
}

/* s with every LF made CRLF (malloc'd). */
static char *
crlf(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	assert_non_null(out);
	for (; *s; s++) {
		if (*s == '\n')
			*o++ = '\r';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static void
assert_file(const char *dir, const char *name, const char *want)
{
	char *got = slurp(dir, name);

	if (strcmp(got, want) != 0)
		print_error("%s: got\n[%s]\nwant\n[%s]\n", name, got, want);
	assert_string_equal(got, want);
	free(got);
}

/*
 * Parse the message with Python's email package (policy.default: RFC 2047 and MIME decoded) and write
 * what it found into files under out/: the headers, the content types, each part decoded, the HTML
 * part's text (a paragraph per <p>, a line per <br>) and its links, and every defect it noticed.
 */
static const char parser_py[] =
	"import sys, email, email.policy, email.utils\n"
	"from html.parser import HTMLParser\n"
	"raw = open(sys.argv[1], 'rb').read()\n"
	"out = sys.argv[2]\n"
	"def put(name, s):\n"
	"    with open(out + '/' + name, 'w', encoding='utf-8', newline='') as f:\n"
	"        f.write(s)\n"
	"m = email.message_from_bytes(raw, policy=email.policy.default)\n"
	"put('from', str(m['From']))\n"
	"put('to', str(m['To']))\n"
	"put('subject', str(m['Subject']))\n"
	"put('msgid', str(m['Message-ID']))\n"
	"put('mimever', str(m['MIME-Version']))\n"
	"put('date', str(int(email.utils.parsedate_to_datetime(m['Date']).timestamp())))\n"
	"put('type', m.get_content_type())\n"
	"parts = list(m.iter_parts()) if m.is_multipart() else []\n"
	"put('parts', ' '.join('%s;%s;%s' % (p.get_content_type(), p.get_content_charset(),\n"
	"    p['Content-Transfer-Encoding']) for p in parts))\n"
	"for p in parts:\n"
	"    put(p.get_content_subtype(), p.get_content())\n"
	"class H(HTMLParser):\n"
	"    def __init__(self):\n"
	"        super().__init__(convert_charrefs=True)\n"
	"        self.paras, self.inp, self.links = [], False, []\n"
	"    def handle_starttag(self, tag, attrs):\n"
	"        if tag == 'p':\n"
	"            self.paras.append(['']); self.inp = True\n"
	"        elif tag == 'br' and self.inp:\n"
	"            self.paras[-1].append('')\n"
	"        elif tag == 'a':\n"
	"            self.links.append(dict(attrs).get('href'))\n"
	"    def handle_endtag(self, tag):\n"
	"        if tag == 'p': self.inp = False\n"
	"    def handle_data(self, d):\n"
	"        if self.inp: self.paras[-1][-1] += d.replace('\\r', '').replace('\\n', '')\n"
	"for p in parts:\n"
	"    if p.get_content_subtype() == 'html':\n"
	"        h = H(); h.feed(p.get_content()); h.close()\n"
	"        put('html_text', '\\n\\n'.join('\\n'.join(l) for l in h.paras) + '\\n')\n"
	"        put('links', '\\n'.join(str(x) for x in h.links))\n"
	"d = list(m.defects) + [x for p in parts for x in p.defects]\n"
	"put('defects', ' '.join(type(x).__name__ for x in d))\n";

static void
python_parse(const char *dir, const struct ec_buf *raw)
{
	char msg[256], py[256], out[256], cmd[1024];
	FILE *fp;
	int st;

	snprintf(msg, sizeof msg, "%s/message.eml", dir);
	snprintf(py, sizeof py, "%s/parse.py", dir);
	snprintf(out, sizeof out, "%s/parsed", dir);
	helper_rmtree(out);
	assert_int_equal(mkdir(out, 0700), 0);
	fp = fopen(msg, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(raw->p, 1, raw->len, fp), raw->len);
	assert_int_equal(fclose(fp), 0);
	write_file(py, parser_py);
	/* The system interpreter, isolated (-I): not whatever python3 comes first on PATH. */
	snprintf(cmd, sizeof cmd, PY " -I '%s' '%s' '%s' 2>&1", py, msg, out);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	{
		char line[512];

		while (fgets(line, sizeof line, fp))
			print_error("python: %s", line);
	}
	st = pclose(fp);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Every line CRLF-terminated, at most 998 bytes before it, and every byte 7-bit (no NUL). */
static void
assert_wire_form(const struct ec_buf *raw)
{
	size_t start = 0;

	assert_true(raw->len > 2);
	for (size_t i = 0; i < raw->len; i++) {
		unsigned char c = (unsigned char)raw->p[i];

		assert_true(c >= 0x01 && c <= 0x7f);
		if (c == '\r') {
			assert_true(i + 1 < raw->len);
			assert_int_equal(raw->p[i + 1], '\n');
			if (i - start > 998)
				print_error("line at byte %zu is %zu bytes\n", start, i - start);
			assert_true(i - start <= 998);
			start = i + 2;
			i++;
		} else {
			assert_int_not_equal(c, '\n');          /* a bare LF */
		}
	}
	assert_int_equal(start, raw->len);                 /* the last line is terminated too */
}

/* The value of header name (unfolded: CRLF + space kept out) from the raw message; malloc'd. */
static char *
raw_header(const struct ec_buf *raw, const char *name)
{
	size_t nl = strlen(name);
	const char *p = raw->p, *end = raw->p + raw->len;
	struct ec_buf v = { 0 };

	while (p < end && !(p[0] == '\r' && p[1] == '\n')) {      /* header block */
		const char *eol = strstr(p, "\r\n");

		assert_non_null(eol);
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *s = p + nl + 1;

			while (*s == ' ')
				s++;
			ec_buf_add(&v, s, (size_t)(eol - s));
			p = eol + 2;
			while (p < end && (*p == ' ' || *p == '\t')) {     /* continuation lines */
				eol = strstr(p, "\r\n");
				ec_buf_add(&v, p, (size_t)(eol - p));
				p = eol + 2;
			}
			ec_buf_addc(&v, '\0');
			return v.p;
		}
		p = eol + 2;
	}
	fail_msg("no %s header", name);
	return NULL;
}

/*
 * Check an encoded Subject: each word =?UTF-8?B?...?= at most 75 characters, each decoding on its own
 * to whole UTF-8 characters; their text joined is want. Returns how many words there were.
 */
static int
assert_encoded_subject(const struct ec_buf *raw, const char *want)
{
	char *h = raw_header(raw, "Subject"), *p = h;
	struct ec_buf all = { 0 };
	int words = 0;

	while (*p) {
		char *q, *e;
		unsigned char dec[128];
		size_t blen;
		int n;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		assert_int_equal(strncmp(p, "=?UTF-8?B?", 10), 0);
		q = p + 10;
		e = strstr(q, "?=");
		assert_non_null(e);
		assert_true((size_t)(e + 2 - p) <= 75);
		blen = (size_t)(e - q);
		assert_int_equal(blen % 4, 0);
		assert_true(blen / 4 * 3 <= sizeof dec);
		n = EVP_DecodeBlock(dec, (const unsigned char *)q, (int)blen);
		assert_true(n >= 0);
		if (blen >= 1 && q[blen - 1] == '=')
			n--;
		if (blen >= 2 && q[blen - 2] == '=')
			n--;
		/* each word whole: a UTF-8 character is never split between two words */
		assert_int_equal(ec_utf8_valid((const char *)dec, (size_t)n), 1);
		ec_buf_add(&all, dec, (size_t)n);
		words++;
		p = e + 2;
	}
	ec_buf_addc(&all, '\0');
	assert_string_equal(all.p, want);
	ec_buf_free(&all);
	free(h);
	return words;
}

/* --- ec_notice_init --- */

static void
test_init_refusals(void **state)
{
	static const char *const bad_to[] = {
		"zoe obrien@example.org", "zoe@example.org\r", "zoe@exa\nmple.org", "\"zoe\"@example.org",
		"zoe.example.org", "zoe@x@example.org", "@example.org", "zoe@", "", "<zoe@example.org>",
		"zoe@example.org\r\nBcc: all@example.org", "zo\xc3\xab@example.org", "zoe@example.org,x@y.org",
	};
	static const char *const bad_kind[] = { "", "Issued", "issued1", "is_sued", "issued ", "abcdefghijklmnop" };
	static const char *const bad_lang[] = { "", "fr", "EN", "zh-CN", "e" };
	struct ec_notice n;
	char longaddr[300];

	(void)state;
	for (size_t i = 0; i < sizeof bad_to / sizeof bad_to[0]; i++) {
		assert_int_equal(ec_notice_init(&n, "issued", bad_to[i], "en", DOMAIN, NOW), EC_ERR_ARG);
		assert_int_equal(ec_mail_addr_check(bad_to[i]), EC_ERR_ARG);
	}
	for (size_t i = 0; i < sizeof bad_kind / sizeof bad_kind[0]; i++)
		assert_int_equal(ec_notice_init(&n, bad_kind[i], "zoe@example.org", "en", DOMAIN, NOW), EC_ERR_ARG);
	for (size_t i = 0; i < sizeof bad_lang / sizeof bad_lang[0]; i++)
		assert_int_equal(ec_notice_init(&n, "issued", "zoe@example.org", bad_lang[i], DOMAIN, NOW), EC_ERR_ARG);
	/* 15 lowercase letters is the longest kind */
	assert_int_equal(ec_notice_init(&n, "abcdefghijklmno", "zoe@example.org", "zh", DOMAIN, NOW), 0);
	assert_string_equal(n.kind, "abcdefghijklmno");
	assert_string_equal(n.lang, "zh");
	/* 254 bytes is the longest address, 255 too long */
	memset(longaddr, 'a', sizeof longaddr);
	memcpy(longaddr + 254 - 12, "@example.org", 13);
	assert_int_equal(strlen(longaddr), 254);
	assert_int_equal(ec_notice_init(&n, "issued", longaddr, "en", DOMAIN, NOW), 0);
	assert_string_equal(n.to, longaddr);
	memset(longaddr, 'a', sizeof longaddr);
	memcpy(longaddr + 255 - 12, "@example.org", 13);
	assert_int_equal(ec_notice_init(&n, "issued", longaddr, "en", DOMAIN, NOW), EC_ERR_ARG);
	assert_int_equal(ec_mail_addr_check("zoe+ecert@mail.example.org"), 0);
}

/* HEX(now).HEX24@domain, all lowercase hex */
static void
assert_msgid_form(const char *id, int64_t now, const char *domain)
{
	const char *dot = strchr(id, '.'), *at = strchr(id, '@');
	char nowhex[32];

	assert_non_null(dot);
	assert_non_null(at);
	snprintf(nowhex, sizeof nowhex, "%llx", (unsigned long long)now);
	assert_int_equal((size_t)(dot - id), strlen(nowhex));
	assert_memory_equal(id, nowhex, strlen(nowhex));
	assert_int_equal(at - dot - 1, 24);
	assert_int_equal(strspn(dot + 1, "0123456789abcdef"), 24);
	assert_string_equal(at + 1, domain);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_init_message_id(void **state)
{
	enum { N = 200 };
	char (*ids)[EC_MSGID_MAX + 1] = calloc(N, sizeof *ids);
	struct ec_notice n;
	char dom[200];

	(void)state;
	assert_non_null(ids);
	for (int i = 0; i < N; i++) {
		assert_int_equal(ec_notice_init(&n, "issued", "zoe@example.org", "en", DOMAIN, NOW), 0);
		assert_msgid_form(n.message_id, NOW, DOMAIN);
		assert_int_equal(n.created, NOW);
		assert_int_equal(n.vlen, 0);
		assert_string_equal(n.to, "zoe@example.org");
		assert_string_equal(n.kind, "issued");
		strcpy(ids[i], n.message_id);
	}
	/* the same second, yet every Message-ID differs */
	qsort(ids, N, sizeof *ids, cmp_str);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
	/* another time and domain show in the id */
	assert_int_equal(ec_notice_init(&n, "expiry", "li@example.cn", "zh", "example.cn", 1), 0);
	assert_msgid_form(n.message_id, 1, "example.cn");
	/* a very long domain still leaves a Message-ID within EC_MSGID_MAX */
	memset(dom, 'd', sizeof dom - 1);
	dom[sizeof dom - 1] = '\0';
	assert_int_equal(ec_notice_init(&n, "expiry", "li@example.cn", "zh", dom, NOW), 0);
	assert_true(strlen(n.message_id) <= EC_MSGID_MAX);
	assert_int_equal(ec_mail_addr_check(n.message_id), 0);
}

/* --- ec_notice_set / ec_notice_get --- */

static void
test_values(void **state)
{
	struct ec_notice n;
	char big[EC_NOTICE_VALUES_MAX + 8];
	size_t vlen;

	(void)state;
	assert_int_equal(ec_notice_init(&n, "issued", "zoe@example.org", "en", DOMAIN, NOW), 0);
	assert_null(ec_notice_get(&n, "name"));
	assert_int_equal(ec_notice_set(&n, "name", "Zo\xc3\xab O'Brien"), 0);
	assert_int_equal(ec_notice_set(&n, "url", "https://x.org/v?a=1&b=2=3"), 0);
	assert_int_equal(ec_notice_set(&n, "eq", "=="), 0);
	assert_int_equal(ec_notice_set(&n, "empty", ""), 0);
	assert_int_equal(ec_notice_set(&n, "name_full", "Zo\xc3\xab Anne O'Brien"), 0);
	assert_string_equal(ec_notice_get(&n, "name"), "Zo\xc3\xab O'Brien");
	assert_string_equal(ec_notice_get(&n, "url"), "https://x.org/v?a=1&b=2=3");
	assert_string_equal(ec_notice_get(&n, "eq"), "==");
	assert_string_equal(ec_notice_get(&n, "empty"), "");
	assert_string_equal(ec_notice_get(&n, "name_full"), "Zo\xc3\xab Anne O'Brien");
	/* a prefix or an extension of a key is another key */
	assert_null(ec_notice_get(&n, "nam"));
	assert_null(ec_notice_get(&n, "names"));
	assert_null(ec_notice_get(&n, "e"));
	assert_null(ec_notice_get(&n, "missing"));
	assert_null(ec_notice_get(&n, "a=1&b"));           /* text inside a value is not a key */
	/* refused names and values leave the notice as it was */
	vlen = n.vlen;
	assert_int_equal(ec_notice_set(&n, "Name", "x"), EC_ERR_ARG);
	assert_int_equal(ec_notice_set(&n, "", "x"), EC_ERR_ARG);
	assert_int_equal(ec_notice_set(&n, "na-me", "x"), EC_ERR_ARG);
	assert_int_equal(ec_notice_set(&n, "na=me", "x"), EC_ERR_ARG);
	assert_int_not_equal(ec_notice_set(&n, "two", "line one\nline two"), 0);
	assert_int_not_equal(ec_notice_set(&n, "cr", "a\rb"), 0);
	assert_int_not_equal(ec_notice_set(&n, "tab", "a\tb"), 0);
	assert_int_not_equal(ec_notice_set(&n, "bad", "Zo\xc3"), 0);     /* not UTF-8 */
	assert_int_equal(n.vlen, vlen);
	assert_null(ec_notice_get(&n, "two"));
	assert_null(ec_notice_get(&n, "bad"));

	/* full: exactly EC_NOTICE_VALUES_MAX bytes of "k=VALUE\0" fit, one more byte does not */
	assert_int_equal(ec_notice_init(&n, "issued", "zoe@example.org", "en", DOMAIN, NOW), 0);
	memset(big, 'v', sizeof big);
	big[EC_NOTICE_VALUES_MAX - 2] = '\0';            /* "k=" + (MAX - 3) + NUL = MAX bytes */
	assert_int_equal(ec_notice_set(&n, "k", big + 1), 0);
	assert_int_equal(n.vlen, EC_NOTICE_VALUES_MAX);
	assert_string_equal(ec_notice_get(&n, "k"), big + 1);
	assert_int_equal(ec_notice_set(&n, "x", ""), EC_ERR_TOOBIG);
	assert_int_equal(n.vlen, EC_NOTICE_VALUES_MAX);
	assert_int_equal(ec_notice_init(&n, "issued", "zoe@example.org", "en", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_set(&n, "k", big), EC_ERR_TOOBIG);   /* one byte more */
	assert_int_equal(n.vlen, 0);
	/* filling up with many small values: the earlier ones stay readable */
	assert_int_equal(ec_notice_init(&n, "issued", "zoe@example.org", "en", DOMAIN, NOW), 0);
	{
		int i, rc = 0;
		char key[16], val[16];

		for (i = 0; i < 1000 && rc == 0; i++) {
			snprintf(key, sizeof key, "k%c%c", 'a' + i / 26 % 26, 'a' + i % 26);
			snprintf(val, sizeof val, "v%d", i);
			rc = ec_notice_set(&n, key, val);
		}
		assert_int_equal(rc, EC_ERR_TOOBIG);
		assert_true(n.vlen <= EC_NOTICE_VALUES_MAX);
		assert_string_equal(ec_notice_get(&n, "kaa"), "v0");
		assert_string_equal(ec_notice_get(&n, "kab"), "v1");
		snprintf(key, sizeof key, "k%c%c", 'a' + (i - 2) / 26 % 26, 'a' + (i - 2) % 26);
		snprintf(val, sizeof val, "v%d", i - 2);
		assert_string_equal(ec_notice_get(&n, key), val);
		snprintf(key, sizeof key, "k%c%c", 'a' + (i - 1) / 26 % 26, 'a' + (i - 1) % 26);
		assert_null(ec_notice_get(&n, key));        /* the refused one */
	}
}

/* --- ec_notice_compose with the real templates --- */

static void
test_compose_en(void **state)
{
	const char *dir = *state;
	struct ec_notice n;
	struct ec_buf raw = { 0 };
	char *want, *html;

	issued_notice(&n, "en");
	assert_int_equal(ec_notice_compose(&n, "templates", FROM, &raw), 0);
	assert_wire_form(&raw);
	python_parse(dir, &raw);
	{
		char out[256], msgid[EC_MSGID_MAX + 3], date[32];

		snprintf(out, sizeof out, "%s/parsed", dir);
		assert_file(out, "defects", "");
		assert_file(out, "from", FROM);
		assert_file(out, "to", "zoe.obrien@example.org");
		assert_file(out, "subject", "Your e-Cert 0511 2026 0301 4455 6677 88 for HCIA-AI is ready");
		snprintf(msgid, sizeof msgid, "<%s>", n.message_id);
		assert_file(out, "msgid", msgid);
		snprintf(date, sizeof date, "%d", NOW);
		assert_file(out, "date", date);
		assert_file(out, "mimever", "1.0");
		assert_file(out, "type", "multipart/alternative");
		assert_file(out, "parts", "text/plain;utf-8;base64 text/html;utf-8;base64");
		/* the plain part is the template filled, in CRLF canonical form */
		want = crlf(issued_en_text);
		assert_file(out, "plain", want);
		free(want);
		/* the HTML part says the same text, a paragraph per block */
		assert_file(out, "html_text", issued_en_text);
		/* the URL line is a link to itself, and the only link */
		assert_file(out, "links", "https://verify.example.org/v/0511?a=1&b=2");
		html = slurp(out, "html");
		/* the values are escaped: no markup from a title */
		assert_non_null(strstr(html, "A&lt;b&gt;&amp;&quot;c&quot; (HCIA-AI)"));
		assert_null(strstr(html, "A<b>"));
		assert_non_null(strstr(html, "<a href=\"https://verify.example.org/v/0511?a=1&amp;b=2\">"));
		assert_non_null(strstr(html, "Zo\xc3\xab O&#39;Brien"));
		free(html);
	}
	/* the Date header is RFC 5322 in UTC */
	{
		char *d = raw_header(&raw, "Date");

		assert_string_equal(d, "Sun, 01 Mar 2026 21:20:00 +0000");
		free(d);
	}
	/* composing appends: a second message after the first, identical */
	{
		size_t first = raw.len;
		char *copy = malloc(first);

		assert_non_null(copy);
		memcpy(copy, raw.p, first);
		assert_int_equal(ec_notice_compose(&n, "templates", FROM, &raw), 0);
		assert_int_equal(raw.len, 2 * first);
		assert_memory_equal(raw.p, copy, first);
		assert_memory_equal(raw.p + first, copy, first);
		free(copy);
	}
	ec_buf_free(&raw);
}

static void
test_compose_zh(void **state)
{
	const char *dir = *state;
	struct ec_notice n;
	struct ec_buf raw = { 0 }, subj = { 0 }, text = { 0 };
	char out[256];
	const char *want_subject =
		"\xe6\x82\xa8\xe7\x9a\x84\xe7\x94\xb5\xe5\xad\x90\xe8\xaf\x81\xe4\xb9\xa6 0511 2026 0301 4455 6677 88"
		"\xef\xbc\x88HCIA-AI\xef\xbc\x89\xe5\xb7\xb2\xe7\xad\xbe\xe5\x8f\x91";   /* 您的电子证书 N（HCIA-AI）已签发 */
	char *want;

	issued_notice(&n, "zh");
	assert_int_equal(ec_notice_compose(&n, "templates", FROM, &raw), 0);
	assert_wire_form(&raw);
	/* RFC 2047 encoded-words in the raw header, each whole, joined exactly the subject */
	assert_true(assert_encoded_subject(&raw, want_subject) >= 1);
	python_parse(dir, &raw);
	snprintf(out, sizeof out, "%s/parsed", dir);
	assert_file(out, "defects", "");
	assert_file(out, "subject", want_subject);
	assert_file(out, "parts", "text/plain;utf-8;base64 text/html;utf-8;base64");
	/* the text is the Chinese template's, filled */
	assert_int_equal(ec_notice_text(&n, "templates", &subj, &text), 0);
	assert_string_equal(subj.p, want_subject);
	assert_non_null(strstr(text.p, "Zo\xc3\xab O'Brien\xef\xbc\x8c"));       /* "Zoë O'Brien，" */
	want = crlf(text.p);
	assert_file(out, "plain", want);
	free(want);
	assert_file(out, "html_text", text.p);
	assert_file(out, "links", "https://verify.example.org/v/0511?a=1&b=2");
	ec_buf_free(&subj);
	ec_buf_free(&text);
	ec_buf_free(&raw);
}

/* Every stock template composes in both languages with the values the issuer sets. */
static void
test_compose_all_templates(void **state)
{
	static const char *const kinds[] = { "issued", "shipped", "revoked", "expiry" };
	static const char *const langs[] = { "en", "zh" };
	const char *dir = *state;
	char out[256];

	snprintf(out, sizeof out, "%s/parsed", dir);
	for (size_t k = 0; k < 4; k++)
		for (size_t l = 0; l < 2; l++) {
			struct ec_notice n;
			struct ec_buf raw = { 0 }, subj = { 0 }, text = { 0 };
			char *want;

			assert_int_equal(ec_notice_init(&n, kinds[k], "li@example.cn", langs[l], DOMAIN, NOW), 0);
			assert_int_equal(ec_notice_set(&n, "name", "\xe6\x9d\x8e\xe7\x91\x9e"), 0);
			assert_int_equal(ec_notice_set(&n, "number", "0511 2026 0301 4455 6677 88"), 0);
			assert_int_equal(ec_notice_set(&n, "code", "HCIA-AI"), 0);
			assert_int_equal(ec_notice_set(&n, "title", "Huawei Certified ICT Associate"), 0);
			assert_int_equal(ec_notice_set(&n, "effective", "2026-03-01"), 0);
			assert_int_equal(ec_notice_set(&n, "expires", "2029-03-01"), 0);
			assert_int_equal(ec_notice_set(&n, "url", "https://verify.example.org/v/05112026"), 0);
			assert_int_equal(ec_notice_set(&n, "org", "Example Cert Body"), 0);
			assert_int_equal(ec_notice_set(&n, "format", "paper"), 0);
			assert_int_equal(ec_notice_set(&n, "carrier", "SF Express"), 0);
			assert_int_equal(ec_notice_set(&n, "order", "SF1234567"), 0);
			assert_int_equal(ec_notice_set(&n, "shipped", "2026-03-02"), 0);
			assert_int_equal(ec_notice_set(&n, "reason", "its key was compromised"), 0);
			assert_int_equal(ec_notice_set(&n, "revoked", "2026-03-03"), 0);
			assert_int_equal(ec_notice_compose(&n, "templates", FROM, &raw), 0);
			assert_wire_form(&raw);
			assert_int_equal(ec_notice_text(&n, "templates", &subj, &text), 0);
			assert_null(strchr(text.p, '{'));         /* every placeholder filled */
			assert_null(strchr(subj.p, '{'));
			python_parse(dir, &raw);
			assert_file(out, "defects", "");
			assert_file(out, "subject", subj.p);
			want = crlf(text.p);
			assert_file(out, "plain", want);
			free(want);
			assert_file(out, "html_text", text.p);
			assert_file(out, "links", "https://verify.example.org/v/05112026");
			ec_buf_free(&subj);
			ec_buf_free(&text);
			ec_buf_free(&raw);
		}
}

/* A templates folder of our own: dir/tpl/mail/NAME holding text. */
static void
own_template(const char *dir, const char *name, const char *text, char *tpldir, size_t tplsz)
{
	char path[512];

	snprintf(tpldir, tplsz, "%s/tpl", dir);
	mkdir(tpldir, 0700);
	snprintf(path, sizeof path, "%s/mail", tpldir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/mail/%s", tpldir, name);
	write_file(path, text);
}

/* {key?}: a line with an optional value the notice lacks is left out whole; with the value, it stays. */
static void
test_optional_lines(void **state)
{
	const char *dir = *state;
	struct ec_notice n;
	struct ec_buf s = { 0 }, t = { 0 };
	char tpl[256];

	own_template(dir, "o.en.txt", "Subject: Hi {name}\n\nDear {name},\nDownload: {download?}\nBye {{x}}\n",
	    tpl, sizeof tpl);
	assert_int_equal(ec_notice_init(&n, "o", "zoe@example.org", "en", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_set(&n, "name", "Zoe"), 0);
	assert_int_equal(ec_notice_text(&n, tpl, &s, &t), 0);
	ec_buf_addc(&t, '\0');
	assert_string_equal(t.p, "Dear Zoe,\nBye {x}\n");
	ec_buf_reset(&s);
	ec_buf_reset(&t);
	assert_int_equal(ec_notice_set(&n, "download", "https://portal.example.org/me"), 0);
	assert_int_equal(ec_notice_text(&n, tpl, &s, &t), 0);
	ec_buf_addc(&t, '\0');
	assert_string_equal(t.p, "Dear Zoe,\nDownload: https://portal.example.org/me\nBye {x}\n");
	ec_buf_free(&s);
	ec_buf_free(&t);
}

static void
test_compose_errors(void **state)
{
	const char *dir = *state;
	struct ec_notice n;
	struct ec_buf raw = { 0 }, s = { 0 }, t = { 0 };
	char tpl[256];

	/* no template for the kind, in any language */
	assert_int_equal(ec_notice_init(&n, "nosuch", "zoe@example.org", "zh", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_compose(&n, "templates", FROM, &raw), EC_ERR_NOTFOUND);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "nosuch"));
	assert_int_equal(ec_notice_text(&n, "templates", &s, &t), EC_ERR_NOTFOUND);
	assert_int_equal(ec_notice_compose(&n, "/nonexistent/templates", FROM, &raw), EC_ERR_NOTFOUND);
	/* a placeholder the notice has no value for: SYNTAX naming the file and the key */
	own_template(dir, "x.en.txt", "Subject: Hello {name}\n\nDear {name},\n\nYour {nope} is ready.\n", tpl, sizeof tpl);
	assert_int_equal(ec_notice_init(&n, "x", "zoe@example.org", "en", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_set(&n, "name", "Zo\xc3\xab"), 0);
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "{nope}"));
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "x.en.txt"));
	/* ... and in the subject */
	own_template(dir, "y.en.txt", "Subject: Hello {who}\n\nBody\n", tpl, sizeof tpl);
	assert_int_equal(ec_notice_init(&n, "y", "zoe@example.org", "en", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "{who}"));
	/* malformed templates */
	own_template(dir, "z.en.txt", "Hello\n\nBody\n", tpl, sizeof tpl);                  /* no Subject: */
	assert_int_equal(ec_notice_init(&n, "z", "zoe@example.org", "en", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), EC_ERR_SYNTAX);
	own_template(dir, "z.en.txt", "Subject: Hi\nBody without a blank line\n", tpl, sizeof tpl);
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), EC_ERR_SYNTAX);
	own_template(dir, "z.en.txt", "Subject: Hi {name\n\nBody\n", tpl, sizeof tpl);        /* unclosed */
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), EC_ERR_SYNTAX);
	own_template(dir, "z.en.txt", "Subject: \n\nBody\n", tpl, sizeof tpl);                /* empty subject */
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), EC_ERR_SYNTAX);
	/* a bad From is refused before anything is made */
	issued_notice(&n, "en");
	assert_int_equal(ec_notice_compose(&n, "templates", "no reply@example.org", &raw), EC_ERR_ARG);
	assert_int_equal(ec_notice_compose(&n, "templates", "noreply@example.org\r\nBcc: x@y.org", &raw), EC_ERR_ARG);
	assert_int_equal(raw.len, 0);
	/* over EC_MAIL_MAX: a template repeating a long value */
	{
		struct ec_buf big = { 0 };
		char v[801];

		ec_buf_adds(&big, "Subject: Big\n\n");
		for (int i = 0; i < 100; i++)
			ec_buf_adds(&big, "{v}\n");
		own_template(dir, "big.en.txt", big.p, tpl, sizeof tpl);
		memset(v, 'v', sizeof v - 1);
		v[sizeof v - 1] = '\0';
		assert_int_equal(ec_notice_init(&n, "big", "zoe@example.org", "en", DOMAIN, NOW), 0);
		assert_int_equal(ec_notice_set(&n, "v", v), 0);
		assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), EC_ERR_TOOBIG);
		ec_buf_free(&big);
	}
	ec_buf_free(&raw);
	ec_buf_free(&s);
	ec_buf_free(&t);
}

/* A language without its own template falls back to English; braces can be escaped. */
static void
test_compose_fallback(void **state)
{
	const char *dir = *state;
	struct ec_notice n;
	struct ec_buf raw = { 0 };
	char tpl[256], out[256];

	own_template(dir, "x.en.txt", "Subject: Hello {name}\n\nDear {name},\n\nBraces: {{literal}} and }}.\n"
	    "http://localhost:8080/v/1\n", tpl, sizeof tpl);
	assert_int_equal(ec_notice_init(&n, "x", "li@example.cn", "zh", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_set(&n, "name", "Li"), 0);
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), 0);
	assert_wire_form(&raw);
	python_parse(dir, &raw);
	snprintf(out, sizeof out, "%s/parsed", dir);
	assert_file(out, "defects", "");
	assert_file(out, "subject", "Hello Li");
	assert_file(out, "plain", "Dear Li,\r\n\r\nBraces: {literal} and }.\r\nhttp://localhost:8080/v/1\r\n");
	assert_file(out, "html_text", "Dear Li,\n\nBraces: {literal} and }.\nhttp://localhost:8080/v/1\n");
	assert_file(out, "links", "http://localhost:8080/v/1");
	/* with its own zh file, zh is used */
	ec_buf_reset(&raw);
	own_template(dir, "x.zh.txt", "Subject: \xe4\xbd\xa0\xe5\xa5\xbd {name}\n\n{name}\xef\xbc\x8c\xe4\xbd\xa0\xe5\xa5\xbd\n",
	    tpl, sizeof tpl);
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), 0);
	python_parse(dir, &raw);
	assert_file(out, "subject", "\xe4\xbd\xa0\xe5\xa5\xbd Li");
	assert_file(out, "plain", "Li\xef\xbc\x8c\xe4\xbd\xa0\xe5\xa5\xbd\r\n");
	assert_file(out, "links", "");
	ec_buf_free(&raw);
}

/*
 * A long subject in several scripts: split into encoded-words of at most 75 characters that never
 * split a UTF-8 character (1-, 2-, 3- and 4-byte characters at every offset), and decoded exactly.
 */
static void
test_compose_long_subject(void **state)
{
	const char *dir = *state;
	static const char *const pieces[] = { "a", "\xc3\xa9", "\xe8\xaf\x81", "\xf0\x9f\x98\x80", " " };
	char tpl[256], out[256];

	snprintf(out, sizeof out, "%s/parsed", dir);
	own_template(dir, "long.en.txt", "Subject: {s}\n\nBody\n", tpl, sizeof tpl);
	for (int shift = 0; shift < 5; shift++) {
		struct ec_notice n;
		struct ec_buf raw = { 0 }, s = { 0 };
		int words;

		/* 60 characters cycling through 1 to 4 bytes, starting at a different one each round */
		for (int i = 0; i < 60; i++)
			ec_buf_adds(&s, pieces[(i + shift) % 5]);
		ec_buf_adds(&s, "\xe8\xaf\x81\xe4\xb9\xa6");
		assert_int_equal(ec_notice_init(&n, "long", "zoe@example.org", "en", DOMAIN, NOW), 0);
		assert_int_equal(ec_notice_set(&n, "s", s.p), 0);
		assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), 0);
		assert_wire_form(&raw);
		words = assert_encoded_subject(&raw, s.p);
		assert_true(words >= 3);                  /* ~150 bytes: several words */
		python_parse(dir, &raw);
		assert_file(out, "defects", "");
		assert_file(out, "subject", s.p);
		ec_buf_free(&raw);
		ec_buf_free(&s);
	}
	/* the longest value there can be, all three-byte characters: still within the line limit */
	{
		struct ec_notice n;
		struct ec_buf raw = { 0 }, s = { 0 };

		for (int i = 0; i < (EC_NOTICE_VALUES_MAX - 3) / 3; i++)
			ec_buf_adds(&s, "\xe8\xaf\x81");
		assert_int_equal(ec_notice_init(&n, "long", "zoe@example.org", "en", DOMAIN, NOW), 0);
		assert_int_equal(ec_notice_set(&n, "s", s.p), 0);
		assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), 0);
		assert_wire_form(&raw);
		assert_true(assert_encoded_subject(&raw, s.p) >= 20);
		python_parse(dir, &raw);
		assert_file(out, "subject", s.p);
		ec_buf_free(&raw);
		ec_buf_free(&s);
	}
}

/* A long ASCII subject is folded (as encoded-words): no header line over RFC 5322's 998 bytes. */
static void
test_long_ascii_subject(void **state)
{
	const char *dir = *state;
	struct ec_notice n;
	struct ec_buf raw = { 0 };
	char tpl[256], v[EC_NOTICE_VALUES_MAX - 2];

	own_template(dir, "long.en.txt", "Subject: {s}\n\nBody\n", tpl, sizeof tpl);
	memset(v, 'S', sizeof v - 1);
	v[sizeof v - 1] = '\0';
	assert_int_equal(ec_notice_init(&n, "long", "zoe@example.org", "en", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_set(&n, "s", v), 0);           /* "s=" + value + NUL fills the notice */
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), 0);
	assert_wire_form(&raw);
	ec_buf_free(&raw);
}

/* A line of any length reaches the HTML part whole: never cut, here not inside a UTF-8 character. */
static void
test_html_long_line(void **state)
{
	const char *dir = *state;
	struct ec_notice n;
	struct ec_buf raw = { 0 }, v = { 0 };
	char tpl[256], out[256];
	char *want;

	own_template(dir, "wide.en.txt", "Subject: Wide\n\nabcd{v}\n", tpl, sizeof tpl);
	for (int i = 0; i < 340; i++)
		ec_buf_adds(&v, "\xe8\xaf\x81");                  /* 1020 bytes: a 1024-byte line */
	assert_int_equal(ec_notice_init(&n, "wide", "zoe@example.org", "en", DOMAIN, NOW), 0);
	assert_int_equal(ec_notice_set(&n, "v", v.p), 0);
	assert_int_equal(ec_notice_compose(&n, tpl, FROM, &raw), 0);
	python_parse(dir, &raw);
	snprintf(out, sizeof out, "%s/parsed", dir);
	want = malloc(v.len + 8);
	assert_non_null(want);
	snprintf(want, v.len + 8, "abcd%s\n", v.p);
	assert_file(out, "html_text", want);
	free(want);
	ec_buf_free(&v);
	ec_buf_free(&raw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_refusals),
		cmocka_unit_test(test_init_message_id),
		cmocka_unit_test(test_values),
		cmocka_unit_test_setup_teardown(test_compose_en, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compose_zh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compose_all_templates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_optional_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compose_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compose_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compose_long_subject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_ascii_subject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_long_line, setup, teardown),
	};

	return cmocka_run_group_tests_name("notice", tests, NULL, NULL);
}
