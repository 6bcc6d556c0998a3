/* The endpoint's requests read strictly: UTF-8, percent-decoding, the target and route, Accept-Language, Accept, If-None-Match. */
#include <string.h>

#include "err.h"
#include "number.h"
#include "text.h"
#include "utf8.h"
#include "web.h"

int
ec_web_utf8_ok(const char *s, size_t len)
{
	unsigned long cp;
	size_t i = 0, k;

	while (i < len) {
		if ((k = ec_utf8_next((const unsigned char *)s + i, len - i, &cp)) == 0 || cp < 0x20 ||
		    (cp >= 0x7f && cp <= 0x9f))
			return 0;
		i += k;
	}
	return 1;
}

int
ec_web_pct_decode(const char *in, size_t len, int plus, char *out, size_t outsz, size_t *outlen)
{
	size_t i, o = 0;
	unsigned char c;
	int hi, lo;

	for (i = 0; i < len; i++) {
		c = (unsigned char)in[i];
		if (c <= 0x20 || c >= 0x7f)
			return ec_err_set(EC_ERR_SYNTAX, "request target: byte 0x%02x is not allowed", c);
		if (c == '%') {
			if (len - i < 3 || (hi = ec_hexval(in[i + 1])) < 0 || (lo = ec_hexval(in[i + 2])) < 0)
				return ec_err_set(EC_ERR_SYNTAX, "request target: malformed percent-escape");
			c = (unsigned char)(hi << 4 | lo);
			if (c == 0)
				return ec_err_set(EC_ERR_SYNTAX, "request target: %%00 is not allowed");
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (o + 1 >= outsz)
			return ec_err_set(EC_ERR_TOOBIG, "request target: a part is over %zu bytes", outsz - 1);
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (!ec_web_utf8_ok(out, o))
		return ec_err_set(EC_ERR_SYNTAX, "request target: invalid UTF-8 or a control character");
	*outlen = o;
	return 0;
}

/* The part of s after prefix, when s starts with it and the rest is one non-empty segment. */
static const char *
segment_after(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0 || s[n] == '\0' || strchr(s + n, '/') != NULL)
		return NULL;
	return s + n;
}

static int
kid_ok(const char *s, size_t n)
{
	size_t i;

	if (n != EC_KID_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* Decode one query value into out; a second occurrence of the same parameter is an error. */
static int
param(const char *v, size_t vlen, int *seen, char *out, size_t outsz)
{
	size_t n;
	int rc;

	if (*seen)
		return ec_err_set(EC_ERR_SYNTAX, "request target: a parameter is repeated");
	*seen = 1;
	rc = ec_web_pct_decode(v, vlen, 1, out, outsz, &n);
	if (rc == EC_ERR_TOOBIG)
		return ec_err_set(EC_ERR_SYNTAX, "request target: a parameter is over %zu bytes", outsz - 1);
	return rc;
}

static int
query(const char *q, size_t len, struct ec_web_target *t, char *n_out, int *n_seen)
{
	char key[32], scratch[EC_WEB_URI_MAX + 1], lang[8];
	const char *p = q, *end = q + len, *amp, *eq;
	size_t klen, n;
	int name_seen = 0, lang_seen = 0, rc;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		rc = ec_web_pct_decode(p, (size_t)(eq - p), 1, key, sizeof key, &klen);
		if (rc == EC_ERR_TOOBIG)
			rc = 0, klen = 0, key[0] = '\0';
		if (rc)
			return rc;
		if (eq < amp)
			eq++;
		if (strcmp(key, "name") == 0)
			rc = param(eq, (size_t)(amp - eq), &name_seen, t->name, sizeof t->name);
		else if (strcmp(key, "n") == 0)
			rc = param(eq, (size_t)(amp - eq), n_seen, n_out, EC_WEB_TYPED_MAX + 1);
		else if (strcmp(key, "lang") == 0) {
			rc = param(eq, (size_t)(amp - eq), &lang_seen, lang, sizeof lang);
			if (rc == 0)
				t->lang = strcmp(lang, "zh") == 0 ? EC_WEB_ZH : strcmp(lang, "en") == 0 ? EC_WEB_EN : -1;
		} else
			rc = ec_web_pct_decode(eq, (size_t)(amp - eq), 1, scratch, sizeof scratch, &n);
		if (rc)
			return rc;
		p = amp;
	}
	return 0;
}

/* Trim ASCII spaces around t->name; a blank name counts as none given. */
static void
trim_name(struct ec_web_target *t)
{
	size_t start = 0, end = strlen(t->name);

	while (start < end && t->name[start] == ' ')
		start++;
	while (end > start && t->name[end - 1] == ' ')
		end--;
	memmove(t->name, t->name + start, end - start);
	t->name[end - start] = '\0';
	t->has_name = end > start;
}

int
ec_web_parse_target(const char *uri, size_t len, struct ec_web_target *t)
{
	char path[EC_WEB_URI_MAX + 1], n_param[EC_WEB_TYPED_MAX + 1] = "";
	const char *q, *rest, *seg;
	size_t plen, n;
	int n_seen = 0, rc;

	memset(t, 0, sizeof *t);
	t->lang = -1;
	if (len > EC_WEB_URI_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "request target: over %d bytes", EC_WEB_URI_MAX);
	q = memchr(uri, '?', len);
	plen = q ? (size_t)(q - uri) : len;
	if (memchr(uri, '#', len) != NULL)
		return ec_err_set(EC_ERR_SYNTAX, "request target: a fragment was sent");
	if ((rc = ec_web_pct_decode(uri, plen, 0, path, sizeof path, &n)) != 0)
		return rc;
	if (n == 0 || path[0] != '/')
		return ec_err_set(EC_ERR_SYNTAX, "request target: not an absolute path");
	if (strchr(path, '\\') != NULL)
		return ec_err_set(EC_ERR_SYNTAX, "request target: a backslash in the path");
	for (seg = path; seg != NULL; seg = strchr(seg + 1, '/'))
		if (strncmp(seg, "/.", 2) == 0 && (seg[2] == '/' || seg[2] == '\0' ||
		    (seg[2] == '.' && (seg[3] == '/' || seg[3] == '\0'))))
			return ec_err_set(EC_ERR_SYNTAX, "request target: a '.' or '..' segment");
	if (q != NULL && (rc = query(q + 1, len - plen - 1, t, n_param, &n_seen)) != 0)
		return rc;
	trim_name(t);

	if (strcmp(path, "/") == 0)
		t->route = EC_WEB_R_HOME;
	else if (strcmp(path, "/v") == 0 && n_seen) {
		t->route = EC_WEB_R_PAGE;
		memcpy(t->typed, n_param, sizeof t->typed);
	} else if ((rest = segment_after(path, "/v/")) != NULL ||
	    (rest = segment_after(path, "/api/v1/certificates/")) != NULL) {
		if (strlen(rest) > EC_WEB_TYPED_MAX)
			return ec_err_set(EC_ERR_SYNTAX, "request target: the number is over %d bytes",
			    EC_WEB_TYPED_MAX);
		t->route = path[1] == 'v' ? EC_WEB_R_PAGE : EC_WEB_R_API;
		strcpy(t->typed, rest);
	} else if (strcmp(path, "/jwks.json") == 0)
		t->route = EC_WEB_R_JWKS;
	else if (strcmp(path, "/static/verify.js") == 0)
		t->route = EC_WEB_R_SCRIPT;
	else if (strcmp(path, "/trust.pem") == 0)
		t->route = EC_WEB_R_TRUST;
	else if (strcmp(path, "/crl/root.crl") == 0) {
		t->route = EC_WEB_R_CRL;
		strcpy(t->kid, "root");
	} else if ((rest = segment_after(path, "/crl/")) != NULL && strlen(rest) == EC_KID_LEN + 4 &&
	    strcmp(rest + EC_KID_LEN, ".crl") == 0 && kid_ok(rest, EC_KID_LEN)) {
		t->route = EC_WEB_R_CRL;
		memcpy(t->kid, rest, EC_KID_LEN);
		t->kid[EC_KID_LEN] = '\0';
	} else if (strcmp(path, "/healthz") == 0)
		t->route = EC_WEB_R_HEALTH;
	else if (strcmp(path, "/metrics") == 0)
		t->route = EC_WEB_R_METRICS;
	else
		return ec_err_set(EC_ERR_NOTFOUND, "request target: no such route");
	return 0;
}

/* The q-value of one list item's parameters in thousandths; 1000 when absent, -1 when malformed. */
static int
qvalue(const char *p, const char *end)
{
	const char *s;
	int q = 0, scale = 100;

	for (s = p; s < end; s++) {
		if (*s != ';')
			continue;
		s++;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (end - s < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
			continue;
		s += 2;
		if (*s != '0' && *s != '1')
			return -1;
		q = (*s - '0') * 1000;
		s++;
		if (s < end && *s == '.') {
			for (s++; s < end && *s >= '0' && *s <= '9' && scale > 0; s++, scale /= 10)
				q += (*s - '0') * scale;
		}
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if ((s < end && *s != ';') || q > 1000)
			return -1;
		return q;
	}
	return 1000;
}

/* Calls fn for each comma-separated item of a header value with its token (before ';') and q-value. */
static void
each_item(const char *v, void (*fn)(void *ctx, const char *tok, size_t n, int q), void *ctx)
{
	const char *p = v, *end, *semi, *tend;

	while (p && *p) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		for (semi = p; semi < end && *semi != ';'; semi++)
			;
		tend = semi;
		while (tend > p && (tend[-1] == ' ' || tend[-1] == '\t'))
			tend--;
		if (tend > p)
			fn(ctx, p, (size_t)(tend - p), qvalue(p, end));
		p = *end ? end + 1 : NULL;
	}
}

struct lang_pick {
	int best, bestq;
};

static int
tag_is(const char *tok, size_t n, const char *lang)
{
	return n >= 2 && strncasecmp(tok, lang, 2) == 0 && (n == 2 || tok[2] == '-');
}

static void
lang_item(void *ctx, const char *tok, size_t n, int q)
{
	struct lang_pick *lp = ctx;
	int lang;

	if (tag_is(tok, n, "zh"))
		lang = EC_WEB_ZH;
	else if (tag_is(tok, n, "en"))
		lang = EC_WEB_EN;
	else
		return;
	if (q > lp->bestq) {
		lp->best = lang;
		lp->bestq = q;
	}
}

enum ec_web_lang
ec_web_lang_pick(const char *accept_language)
{
	struct lang_pick lp = { EC_WEB_EN, 0 };

	if (accept_language != NULL)
		each_item(accept_language, lang_item, &lp);
	return (enum ec_web_lang)lp.best;
}

/* For json and html: the q of the most specific matching media range (exact 3, a type wildcard 2, any 1). */
struct accept_pick {
	int q[2], spec[2];
};

static void
accept_item(void *ctx, const char *tok, size_t n, int q)
{
	static const char *const exact[2] = { "application/json", "text/html" };
	static const char *const wild[2] = { "application/*", "text/*" };
	struct accept_pick *ap = ctx;
	int i, spec;

	for (i = 0; i < 2; i++) {
		if (n == strlen(exact[i]) && strncasecmp(tok, exact[i], n) == 0)
			spec = 3;
		else if (n == strlen(wild[i]) && strncasecmp(tok, wild[i], n) == 0)
			spec = 2;
		else if (n == 3 && strncmp(tok, "*/*", 3) == 0)
			spec = 1;
		else
			continue;
		if (spec > ap->spec[i]) {
			ap->spec[i] = spec;
			ap->q[i] = q;
		}
	}
}

int
ec_web_wants_json(const char *accept)
{
	struct accept_pick ap = { { 0, 0 }, { 0, 0 } };

	if (accept == NULL)
		return 0;
	each_item(accept, accept_item, &ap);
	return ap.q[0] > ap.q[1];
}

int
ec_web_etag_matches(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match, *end, *tend;
	size_t elen;

	if (p == NULL)
		return 0;
	if (strncmp(etag, "W/", 2) == 0)
		etag += 2;
	elen = strlen(etag);
	while (*p) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		tend = end;
		while (tend > p && (tend[-1] == ' ' || tend[-1] == '\t'))
			tend--;
		if (tend - p == 1 && *p == '*')
			return 1;
		if (tend - p > 2 && strncmp(p, "W/", 2) == 0)
			p += 2;
		if ((size_t)(tend - p) == elen && memcmp(p, etag, elen) == 0)
			return 1;
		p = *end ? end + 1 : end;
	}
	return 0;
}
