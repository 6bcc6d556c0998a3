/*
 * Fuzz ecert-verifyd's request logic (lib/web/web.c) without HTTP: the request target (path and query),
 * method, Accept, Accept-Language, If-None-Match and X-Forwarded-For, answered from fake register
 * records, one of them carrying markup in every text field. The input is the method letter ('G' GET,
 * 'H' HEAD, anything else another method), then the target and the header values separated by newlines.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "err.h"
#include "helper.h"
#include "number.h"
#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NREC 3
static struct ec_pub rec[NREC];

static void
fill(struct ec_pub *p, const char *number, enum ec_status st, const char *masked)
{
	memset(p, 0, sizeof *p);
	snprintf(p->number, sizeof p->number, "%s", number);
	p->status = st;
	snprintf(p->code, sizeof p->code, "NET-A");
	snprintf(p->title, sizeof p->title, "<script>alert(1)</script> & \"Network\" 'Associate'");
	ec_date_parse("2026-03-02", &p->effective);
	ec_date_parse("2029-03-01", &p->expires);
	snprintf(p->name_masked, sizeof p->name_masked, "%s", masked);
	snprintf(p->issuer, sizeof p->issuer, "<img src=x onerror=alert(1)> Issuing CA PQf-dyNgnvZ");
	snprintf(p->kid, sizeof p->kid, "PQf-dyNgnvZ");
}

static void
setup(void)
{
	static int done;

	if (done)
		return;
	fill(&rec[0], "0101051994221189347574", EC_ST_VALID, "J***** <script>");
	fill(&rec[1], "0201875691394086377081", EC_ST_REVOKED, "А*** И******");
	ec_date_parse("2026-03-10", &rec[1].revoked_on);
	snprintf(rec[1].reason, sizeof rec[1].reason, "keyCompromise");
	fill(&rec[2], "0101626946170308114167", EC_ST_SUPERSEDED, "李**");
	snprintf(rec[2].superseded_by, sizeof rec[2].superseded_by, "0101523974275894341965");
	done = 1;
}

static int
lookup(void *arg, const char *number, struct ec_pub *out)
{
	size_t i;

	(void)arg;
	if (strlen(number) != EC_NUMBER_DIGITS || !ec_number_valid(number))
		abort();   /* the handler looks up only well-formed numbers */
	for (i = 0; i < NREC; i++)
		if (strcmp(rec[i].number, number) == 0) {
			*out = rec[i];
			return 0;
		}
	return ec_err_set(EC_ERR_NOTFOUND, "no certificate '%s'", number);
}

static int
name_matches(void *arg, const struct ec_pub *p, const char *name, size_t len)
{
	(void)arg;
	(void)p;
	if (!ec_web_utf8_ok(name, len))
		abort();   /* ?name= reaches the register only decoded and checked */
	return len == 18 && memcmp(name, "Jürgen Müller", 14) == 0;
}

/* The next newline-separated field of in[*off..size) as a malloc'd string, NULL when there is none. */
static char *
field(const uint8_t *in, size_t size, size_t *off)
{
	const uint8_t *nl;
	size_t n;
	char *s;

	if (*off > size)
		return NULL;
	nl = memchr(in + *off, '\n', size - *off);
	n = nl ? (size_t)(nl - (in + *off)) : size - *off;
	s = fuzz_str(in + *off, n);
	*off += n + 1;
	return s;
}

/* A script tag other than the page's own one. */
static int
foreign_script(const char *html)
{
	static const char ours[] = "<script src=\"/static/verify.js\" defer></script>";
	const char *p = html;

	while ((p = strstr(p, "<script")) != NULL) {
		if (strncmp(p, ours, sizeof ours - 1) != 0)
			return 1;
		p += sizeof ours - 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_web_env env = { lookup, name_matches, NULL, 0, "https://verify.example.org" };
	struct ec_web_req req;
	struct ec_web_target t;
	struct ec_web_resp resp;
	struct ec_buf log;
	unsigned char key[16];
	char *target, *accept, *lang, *inm, *xff, dec[EC_WEB_URI_MAX + 1];
	size_t off = 1, n;

	if (size == 0)
		return 0;
	setup();
	ec_date_parse("2027-01-01", &env.today);
	target = field(data, size, &off);
	accept = field(data, size, &off);
	lang = field(data, size, &off);
	inm = field(data, size, &off);
	xff = field(data, size, &off);

	memset(&req, 0, sizeof req);
	req.method = data[0] == 'G' ? EC_WEB_GET : data[0] == 'H' ? EC_WEB_HEAD : EC_WEB_OTHER;
	req.target = target;
	req.target_len = strlen(target);
	req.accept = accept;
	req.accept_language = lang;
	ec_web_resp_init(&resp);
	if (ec_web_handle(&env, &req, &t, &resp) != EC_OK)
		abort();
	/* HTML escaping: the markup in the records never comes out as markup, nor does any typed into the request. */
	if (resp.body.p != NULL && resp.ctype != NULL && strncmp(resp.ctype, "text/html", 9) == 0 &&
	    (foreign_script(resp.body.p) || strstr(resp.body.p, "<img")))
		abort();
	if (resp.status != 0 && (resp.status < 200 || resp.status > 599 || resp.ctype == NULL))
		abort();
	if (resp.nhdr > EC_WEB_HDR_MAX)
		abort();
	ec_web_resp_free(&resp);

	ec_web_parse_target(target, req.target_len, &t);
	ec_web_pct_decode(target, req.target_len, 1, dec, sizeof dec, &n);
	ec_web_pct_decode(target, req.target_len, 0, dec, 16, &n);
	(void)ec_web_lang_pick(lang);
	(void)ec_web_wants_json(accept);
	if (inm != NULL)
		(void)ec_web_etag_matches(inm, "\"0123abcd\"");
	if (xff != NULL)
		(void)ec_web_xff_key(xff, key);
	ec_buf_init(&log);
	if (ec_web_log_line(&log, 1773144000000000, "GET", target, req.target_len, 200, 1234, 56) != EC_OK ||
	    (log.p != NULL && strstr(log.p, "0519942211893475") != NULL))
		abort();   /* the access log masks the middle of a number */
	ec_buf_free(&log);
	free(target);
	free(accept);
	free(lang);
	free(inm);
	free(xff);
	return 0;
}
