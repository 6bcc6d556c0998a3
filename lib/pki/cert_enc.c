/* The e-Cert's DER written and read by hand from a per-issuing-CA skeleton: no signing code here. */
#include <string.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "date.h"
#include "ecx509.h"
#include "err.h"
#include "number.h"

/* Fixed DER of profile v2 (docs/formats-ecert.md); cert_parse.c's ASN.1 templates read the same bytes. */
static const unsigned char alg_p256[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
static const unsigned char alg_ed25519[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const unsigned char version3[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
static const unsigned char ext_bc[] = {
	0x30, 0x0c, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x02, 0x30, 0x00
};
static const unsigned char aki_head[] = {
	0x30, 0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14
};
static const unsigned char crldp_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x1f };
static const unsigned char oid_cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
static const unsigned char oid_sn[] = { 0x06, 0x03, 0x55, 0x04, 0x05 };
static const unsigned char oid_title[] = { 0x06, 0x03, 0x55, 0x04, 0x0c };
static const unsigned char oid_desc[] = { 0x06, 0x03, 0x55, 0x04, 0x0d };

#define T_INT 0x02
#define T_BITS 0x03
#define T_OCTETS 0x04
#define T_UTF8 0x0c
#define T_PRINTABLE 0x13
#define T_UTC 0x17
#define T_GEN 0x18
#define T_SEQ 0x30
#define T_SET 0x31
#define T_CTX0C 0xa0
#define T_CTX3C 0xa3
#define T_URI 0x86

#define Y2050 INT64_C(2524608000)      /* 2050-01-01T00:00:00Z: UTCTime before, GeneralizedTime from */

/*
 * A writer that fills its buffer from the end backwards, so that a constructed element's length is
 * known when its header is written: elements go in reverse order. bad records an overflow.
 */
struct rw {
	unsigned char *buf;
	size_t pos;
	int bad;
};

static void
rput(struct rw *w, const void *s, size_t n)
{
	if (w->bad || n > w->pos) {
		w->bad = 1;
		return;
	}
	w->pos -= n;
	memcpy(w->buf + w->pos, s, n);
}

static void
rhdr(struct rw *w, unsigned tag, size_t len)
{
	unsigned char h[4];
	size_t n = 0;

	h[n++] = (unsigned char)tag;
	if (len < 0x80) {
		h[n++] = (unsigned char)len;
	} else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (unsigned char)len;
	} else if (len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		w->bad = 1;
		return;
	}
	rput(w, h, n);
}

static void
rtlv(struct rw *w, unsigned tag, const void *s, size_t n)
{
	rput(w, s, n);
	rhdr(w, tag, n);
}

/* Close a constructed element whose content starts at the current position and ends at mark. */
static void
rwrap(struct rw *w, unsigned tag, size_t mark)
{
	rhdr(w, tag, mark - w->pos);
}

static void
put_digits(char *out, unsigned v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* t as YYYYMMDDHHMMSSZ (gen) or YYMMDDHHMMSSZ; the length, or 0 outside years 0..9999 (UTC: 1950..2049). */
static size_t
fmt_time(int64_t t, int gen, char out[16])
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), secs = t - days * 86400, y;
	unsigned m, d;
	size_t o = 0;

	if (t < INT64_C(-62167219200) || t > INT64_C(253402300799))   /* 0000-01-01 .. 9999-12-31 */
		return 0;
	ec_date_civil_from_days(days, &y, &m, &d);
	if (gen) {
		put_digits(out, (unsigned)y, 4);
		o = 4;
	} else {
		if (y < 1950 || y > 2049)
			return 0;
		put_digits(out, (unsigned)(y % 100), 2);
		o = 2;
	}
	put_digits(out + o, m, 2);
	put_digits(out + o + 2, d, 2);
	put_digits(out + o + 4, (unsigned)(secs / 3600), 2);
	put_digits(out + o + 6, (unsigned)(secs / 60 % 60), 2);
	put_digits(out + o + 8, (unsigned)(secs % 60), 2);
	out[o + 10] = 'Z';
	return o + 11;
}

/* A validity time the way ASN1_TIME_set() chooses it (RFC 5280): UTCTime before 2050. */
static int
rtime(struct rw *w, int64_t t)
{
	char s[16];
	int gen = t >= Y2050 || t < INT64_C(-631152000);   /* before 1950 too */
	size_t n = fmt_time(t, gen, s);

	if (n == 0)
		return -1;
	rtlv(w, gen ? T_GEN : T_UTC, s, n);
	return 0;
}

/* The 22-digit number as a DER INTEGER (minimal, a leading zero when the top bit is set). */
static void
rserial(struct rw *w, const char *number)
{
	unsigned __int128 v = 0;
	unsigned char b[17];
	size_t i, n = 0;

	for (i = 0; i < EC_NUMBER_DIGITS; i++)
		v = v * 10 + (unsigned)(number[i] - '0');
	for (i = sizeof b; v != 0 || n == 0; v >>= 8, n++)
		b[--i] = (unsigned char)v;
	if (b[i] & 0x80) {
		b[--i] = 0;
		n++;
	}
	rtlv(w, T_INT, b + i, n);
}

/* One RDN of a single attribute: SET { SEQUENCE { oid, tag value } }. */
static void
rrdn(struct rw *w, const unsigned char *oid, size_t oidlen, unsigned tag, const char *v, size_t n)
{
	size_t set = w->pos, atv = w->pos;

	rtlv(w, tag, v, n);
	rput(w, oid, oidlen);
	rwrap(w, T_SEQ, atv);
	rwrap(w, T_SET, set);
}

int
ec_tbs_encode(const struct ec_skel *k, const struct ec_ecert *e, unsigned char *out, size_t size, size_t *len)
{
	struct rw w = { out, size, 0 };
	size_t tbs = size, exts, seq, name, val;

	*len = 0;
	exts = seq = w.pos;
	rput(&w, k->buf + k->exts, k->extslen);
	rwrap(&w, T_SEQ, seq);
	rwrap(&w, T_CTX3C, exts);
	rput(&w, k->buf + k->spki, k->spkilen);
	name = w.pos;
	rrdn(&w, oid_desc, sizeof oid_desc, T_UTF8, e->title, strlen(e->title));
	rrdn(&w, oid_title, sizeof oid_title, T_UTF8, e->code, strlen(e->code));
	rrdn(&w, oid_sn, sizeof oid_sn, T_PRINTABLE, e->number, EC_NUMBER_DIGITS);
	rrdn(&w, oid_cn, sizeof oid_cn, T_UTF8, e->name, strlen(e->name));
	rwrap(&w, T_SEQ, name);
	val = w.pos;
	if (rtime(&w, (int64_t)e->expires * 86400 + 86399) != 0 || rtime(&w, (int64_t)e->effective * 86400) != 0)
		return ec_err_set(EC_ERR_ARG, "validity of %s out of range", e->number);
	rwrap(&w, T_SEQ, val);
	rput(&w, k->buf + k->issuer, k->issuerlen);
	rput(&w, k->buf + k->alg, k->alglen);
	rserial(&w, e->number);
	rput(&w, version3, sizeof version3);
	rwrap(&w, T_SEQ, tbs);
	if (w.bad)
		return ec_err_set(EC_ERR_TOOBIG, "e-Cert %s does not fit %zu bytes", e->number, size);
	*len = size - w.pos;
	memmove(out, out + w.pos, *len);
	return EC_OK;
}

int
ec_cert_encode(const struct ec_skel *k, const unsigned char *tbs, size_t tbslen, const unsigned char *sig,
    size_t siglen, unsigned char *out, size_t size, size_t *len)
{
	struct rw w = { out, size, 0 };
	size_t bits;

	*len = 0;
	bits = w.pos;
	rput(&w, sig, siglen);
	rput(&w, "", 1);
	rwrap(&w, T_BITS, bits);
	rput(&w, k->buf + k->alg, k->alglen);
	rput(&w, tbs, tbslen);
	rwrap(&w, T_SEQ, size);
	if (w.bad)
		return ec_err_set(EC_ERR_TOOBIG, "e-Cert does not fit %zu bytes", size);
	*len = size - w.pos;
	memmove(out, out + w.pos, *len);
	return EC_OK;
}

/* Reading: one element with the expected tag inside [*p, end); *p moves past it. */
static int
get(const unsigned char **p, const unsigned char *end, unsigned tag, const unsigned char **val, size_t *len)
{
	const unsigned char *q = *p;
	size_t n, k, i;

	if (end - q < 2 || q[0] != tag)
		return -1;
	n = q[1];
	q += 2;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k == 0 || k > 3 || (size_t)(end - q) < k)
			return -1;
		for (n = 0, i = 0; i < k; i++)
			n = n << 8 | *q++;
	}
	if ((size_t)(end - q) < n)
		return -1;
	/* In this order, so that get(&p, end, tag, &p, &n) steps into the element. */
	*p = q + n;
	*val = q;
	*len = n;
	return 0;
}

/* The whole element (header included) with the expected tag. */
static int
span(const unsigned char **p, const unsigned char *end, unsigned tag, const unsigned char **el, size_t *ellen)
{
	const unsigned char *start = *p, *v;
	size_t n;

	if (get(p, end, tag, &v, &n) != 0)
		return -1;
	*el = start;
	*ellen = (size_t)(*p - start);
	return 0;
}

static int
skel_add(struct ec_skel *k, const unsigned char *p, size_t n, size_t *off, size_t *len)
{
	if (n > sizeof k->buf - k->len)
		return -1;
	memcpy(k->buf + k->len, p, n);
	*off = k->len;
	*len = n;
	k->len += n;
	return 0;
}

/* Index the six elements of a serialised skeleton (alg, issuer, spki, bc, aki, crldp); p may be k->buf. */
int
ec_skel_load(const unsigned char *p, size_t n, struct ec_skel *k)
{
	const unsigned char *q, *end, *el;
	size_t off[6], len[6], i;

	if (n > sizeof k->buf)
		return ec_err_set(EC_ERR_CORRUPT, "malformed e-Cert skeleton");
	memmove(k->buf, p, n);
	k->len = n;
	q = k->buf;
	end = k->buf + n;
	for (i = 0; i < 6; i++) {
		if (span(&q, end, T_SEQ, &el, &len[i]) != 0)
			goto bad;
		off[i] = (size_t)(el - k->buf);
	}
	if (q != end)
		goto bad;
	k->alg = off[0];
	k->alglen = len[0];
	k->issuer = off[1];
	k->issuerlen = len[1];
	k->spki = off[2];
	k->spkilen = len[2];
	k->exts = off[3];
	k->extslen = n - off[3];
	if (k->alglen == sizeof alg_p256 && memcmp(k->buf + k->alg, alg_p256, sizeof alg_p256) == 0)
		k->sig_nid = NID_ecdsa_with_SHA256;
	else if (k->alglen == sizeof alg_ed25519 && memcmp(k->buf + k->alg, alg_ed25519, sizeof alg_ed25519) == 0)
		k->sig_nid = NID_ED25519;
	else
		goto bad;
	return EC_OK;
bad:
	memset(k, 0, sizeof *k);
	return ec_err_set(EC_ERR_CORRUPT, "malformed e-Cert skeleton");
}

/* The CRL distribution point extension for one URI, as cert_sign.c's profile wants it. */
static int
crldp(struct rw *w, const char *url)
{
	size_t ext = w->pos, oct, l1, l2, l3, l4;

	oct = l1 = l2 = l3 = l4 = w->pos;
	rtlv(w, T_URI, url, strlen(url));
	rwrap(w, T_CTX0C, l4);
	rwrap(w, T_CTX0C, l3);
	rwrap(w, T_SEQ, l2);
	rwrap(w, T_SEQ, l1);
	rwrap(w, T_OCTETS, oct);
	rput(w, crldp_oid, sizeof crldp_oid);
	rwrap(w, T_SEQ, ext);
	return w->bad ? -1 : 0;
}

int
ec_skel_make(X509 *ca, EVP_PKEY *placeholder, const char *crl_url, struct ec_skel *k)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(ca);
	EVP_PKEY *cakey = X509_get0_pubkey(ca);
	unsigned char tail[1024], *p;
	struct rw w = { tail, sizeof tail, 0 };
	size_t i;
	int n, rc = EC_ERR_CRYPTO;

	memset(k, 0, sizeof *k);
	if (ski == NULL || ASN1_STRING_length(ski) != EC_SKI_LEN || cakey == NULL) {
		ec_err_set(rc, "issuing CA has no usable key identifier");
		goto out;
	}
	for (i = 0; crl_url[i] != '\0'; i++)
		if ((unsigned char)crl_url[i] <= 0x20 || (unsigned char)crl_url[i] >= 0x7f) {
			rc = ec_err_set(EC_ERR_ARG, "CRL URL '%.60s' is not printable ASCII", crl_url);
			goto out;
		}
	if (EVP_PKEY_get_base_id(cakey) == EVP_PKEY_ED25519)
		skel_add(k, alg_ed25519, sizeof alg_ed25519, &k->alg, &k->alglen);
	else if (EVP_PKEY_get_base_id(cakey) == EVP_PKEY_EC)
		skel_add(k, alg_p256, sizeof alg_p256, &k->alg, &k->alglen);
	else {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "issuing CA key type is not supported");
		goto out;
	}
	if ((n = i2d_X509_NAME(X509_get_subject_name(ca), NULL)) <= 0 || (size_t)n > sizeof k->buf - k->len) {
		ec_err_set(rc, "cannot encode the issuing CA's name");
		goto out;
	}
	p = k->buf + k->len;
	i2d_X509_NAME(X509_get_subject_name(ca), &p);
	k->issuer = k->len;
	k->issuerlen = (size_t)n;
	k->len += (size_t)n;
	if ((n = i2d_PUBKEY(placeholder, NULL)) <= 0 || (size_t)n > sizeof k->buf - k->len) {
		ec_err_set(rc, "cannot encode the placeholder key");
		goto out;
	}
	p = k->buf + k->len;
	i2d_PUBKEY(placeholder, &p);
	k->spki = k->len;
	k->spkilen = (size_t)n;
	k->len += (size_t)n;
	if (crldp(&w, crl_url) != 0) {
		rc = ec_err_set(EC_ERR_ARG, "CRL URL too long");
		goto out;
	}
	rput(&w, ASN1_STRING_get0_data(ski), EC_SKI_LEN);
	rput(&w, aki_head, sizeof aki_head);
	rput(&w, ext_bc, sizeof ext_bc);
	if (w.bad || skel_add(k, tail + w.pos, sizeof tail - w.pos, &k->exts, &k->extslen) != 0) {
		rc = ec_err_set(EC_ERR_ARG, "e-Cert skeleton does not fit %d bytes (issuer name or CRL URL too long)",
		    EC_SKEL_MAX);
		goto out;
	}
	rc = ec_skel_load(k->buf, k->len, k);
out:
	ERR_clear_error();
	return rc;
}

int
ec_cert_split(const unsigned char *der, size_t len, struct ec_skel *k, const unsigned char **tbs, size_t *tbslen,
    const unsigned char **sig, size_t *siglen)
{
	const unsigned char *p = der, *end = der + len, *c, *t, *tend, *el, *v, *x, *xend;
	unsigned char buf[sizeof k->buf];
	size_t n, blen = 0, i;

	if (get(&p, end, T_SEQ, &c, &n) != 0 || p != end)
		return -1;
	end = c + n;
	if (span(&c, end, T_SEQ, tbs, tbslen) != 0)
		return -1;
	t = *tbs;
	if (get(&t, end, T_SEQ, &t, &n) != 0)
		return -1;
	tend = t + n;
	if (get(&t, tend, T_CTX0C, &v, &n) != 0 || get(&t, tend, T_INT, &v, &n) != 0)
		return -1;
	/* alg, issuer, validity, subject, spki: the skeleton keeps alg, issuer and spki */
	for (i = 0; i < 5; i++) {
		if (span(&t, tend, T_SEQ, &el, &n) != 0)
			return -1;
		if (i == 2 || i == 3)
			continue;
		if (n > sizeof buf - blen)
			return -1;
		memcpy(buf + blen, el, n);
		blen += n;
	}
	if (get(&t, tend, T_CTX3C, &x, &n) != 0 || t != tend || get(&x, x + n, T_SEQ, &x, &n) != 0)
		return -1;
	xend = x + n;
	for (i = 0; i < 3; i++) {
		if (span(&x, xend, T_SEQ, &el, &n) != 0 || n > sizeof buf - blen)
			return -1;
		memcpy(buf + blen, el, n);
		blen += n;
	}
	if (span(&c, end, T_SEQ, &el, &n) != 0 || get(&c, end, T_BITS, &v, &n) != 0 || c != end || n < 2 || v[0] != 0)
		return -1;
	*sig = v + 1;
	*siglen = n - 1;
	if (ec_skel_load(buf, blen, k) != EC_OK) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* UTCTime or GeneralizedTime ...Z as seconds; the re-encoding check catches anything non-canonical. */
static int
read_time(const unsigned char **p, const unsigned char *end, int64_t *out)
{
	const unsigned char *v;
	unsigned f[5];
	size_t n, i, o;
	int64_t y;

	if (end - *p < 1)
		return -1;
	if (**p == T_UTC) {
		if (get(p, end, T_UTC, &v, &n) != 0 || n != 13)
			return -1;
	} else if (get(p, end, T_GEN, &v, &n) != 0 || n != 15) {
		return -1;
	}
	for (i = 0; i < n - 1; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	if (v[n - 1] != 'Z')
		return -1;
	if (n == 15) {
		y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
		o = 4;
	} else {
		y = (v[0] - '0') * 10 + (v[1] - '0');
		y += y >= 50 ? 1900 : 2000;
		o = 2;
	}
	for (i = 0; i < 5; i++)
		f[i] = (unsigned)(v[o + 2 * i] - '0') * 10 + (unsigned)(v[o + 2 * i + 1] - '0');
	if (f[0] < 1 || f[0] > 12 || f[1] < 1 || f[1] > 31)
		return -1;
	*out = ec_date_days_from_civil(y, f[0], f[1]) * 86400 + f[2] * 3600 + f[3] * 60 + f[4];
	return 0;
}

/* A text element of type tag copied into out[size] (1..max bytes of clean UTF-8). */
static int
read_text(const unsigned char **p, const unsigned char *end, unsigned tag, size_t max, char *out, size_t size)
{
	const unsigned char *v;
	unsigned long bad;
	size_t n;

	if (get(p, end, tag, &v, &n) != 0 || n == 0 || n > max || n >= size ||
	    ec_text_check((const char *)v, n, &bad) < 0)
		return -1;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

/* One single-attribute RDN with the expected type and tag: its text into out[size] (1..max clean bytes). */
static int
read_rdn(const unsigned char **s, const unsigned char *send, const unsigned char *oid, size_t oidlen, unsigned tag,
    size_t max, char *out, size_t size)
{
	const unsigned char *v, *x;
	size_t n;

	if (get(s, send, T_SET, &v, &n) != 0 || get(&v, v + n, T_SEQ, &v, &n) != 0 || n < oidlen ||
	    memcmp(v, oid, oidlen) != 0)
		return -1;
	x = v + oidlen;
	return read_text(&x, v + n, tag, max, out, size) != 0 || x != v + n ? -1 : 0;
}

/* The facts of the TBS body [t, end): serial, validity and subject; the three extensions are the skeleton's. */
static int
read_facts(const unsigned char *t, const unsigned char *end, struct ec_ecert *e)
{
	const unsigned char *v, *s, *send, *x;
	char number[EC_NUMBER_DIGITS + 1];
	unsigned __int128 val = 0;
	int64_t nb, na;
	size_t n, i;

	if (get(&t, end, T_CTX0C, &v, &n) != 0 || get(&t, end, T_INT, &v, &n) != 0 || n == 0 || n > 11 || (v[0] & 0x80))
		return -1;
	for (i = 0; i < n; i++)
		val = val << 8 | v[i];
	for (i = EC_NUMBER_DIGITS; i-- > 0; val /= 10)
		e->number[i] = (char)('0' + (unsigned)(val % 10));
	e->number[EC_NUMBER_DIGITS] = '\0';
	if (val != 0 || !ec_number_valid(e->number))
		return -1;
	if (span(&t, end, T_SEQ, &v, &n) != 0 || span(&t, end, T_SEQ, &v, &n) != 0 ||
	    get(&t, end, T_SEQ, &s, &n) != 0)
		return -1;
	send = s + n;
	if (read_time(&s, send, &nb) != 0 || read_time(&s, send, &na) != 0 || s != send)
		return -1;
	if (nb % 86400 != 0 || (na + 1) % 86400 != 0 || na < nb)
		return -1;
	e->effective = (ec_day)(nb / 86400);
	e->expires = (ec_day)((na + 1) / 86400 - 1);
	if (get(&t, end, T_SEQ, &s, &n) != 0)
		return -1;
	send = s + n;
	if (read_rdn(&s, send, oid_cn, sizeof oid_cn, T_UTF8, EC_NAME_MAX_BYTES, e->name, sizeof e->name) != 0 ||
	    read_rdn(&s, send, oid_sn, sizeof oid_sn, T_PRINTABLE, EC_NUMBER_DIGITS, number, sizeof number) != 0 ||
	    strcmp(number, e->number) != 0 ||
	    read_rdn(&s, send, oid_title, sizeof oid_title, T_UTF8, EC_CODE_MAX, e->code, sizeof e->code) != 0 ||
	    read_rdn(&s, send, oid_desc, sizeof oid_desc, T_UTF8, EC_TITLE_MAX, e->title, sizeof e->title) != 0 ||
	    s != send)
		return -1;
	if (span(&t, end, T_SEQ, &v, &n) != 0 || get(&t, end, T_CTX3C, &x, &n) != 0 || t != end ||
	    get(&x, x + n, T_SEQ, &x, &n) != 0)
		return -1;
	return 0;
}

/* A skeleton that cert_sign.c could have made: known algorithm, basicConstraints, AKI and one CRL URI. */
static int
skel_profile(const struct ec_skel *k, unsigned char aki[EC_SKI_LEN])
{
	const unsigned char *p = k->buf + k->exts, *end = p + k->extslen, *v, *q, *qe;
	size_t n;

	if (k->extslen < sizeof ext_bc + sizeof aki_head + EC_SKI_LEN ||
	    memcmp(p, ext_bc, sizeof ext_bc) != 0 || memcmp(p + sizeof ext_bc, aki_head, sizeof aki_head) != 0)
		return -1;
	memcpy(aki, p + sizeof ext_bc + sizeof aki_head, EC_SKI_LEN);
	p += sizeof ext_bc + sizeof aki_head + EC_SKI_LEN;
	if (get(&p, end, T_SEQ, &v, &n) != 0 || p != end || n < sizeof crldp_oid ||
	    memcmp(v, crldp_oid, sizeof crldp_oid) != 0)
		return -1;
	q = v + sizeof crldp_oid;
	qe = v + n;
	if (get(&q, qe, T_OCTETS, &v, &n) != 0 || q != qe)
		return -1;
	q = v;
	qe = v + n;
	if (get(&q, qe, T_SEQ, &v, &n) != 0 || q != qe || get(&v, v + n, T_SEQ, &v, &n) != 0 ||
	    get(&v, v + n, T_CTX0C, &v, &n) != 0 || get(&v, v + n, T_CTX0C, &v, &n) != 0 ||
	    get(&v, v + n, T_URI, &q, &n) != 0 || n == 0)
		return -1;
	while (n-- > 0)
		if (q[n] <= 0x20 || q[n] >= 0x7f)
			return -1;
	return 0;
}

int
ec_ecert_read(const unsigned char *der, size_t len, struct ec_ecert *out, struct ec_ecert_fast *f)
{
	const unsigned char *t, *b;
	unsigned char tbs[EC_FAST_DER_MAX];
	size_t n, tlen;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (len > EC_FAST_DER_MAX || ec_cert_split(der, len, &f->skel, &f->tbs, &f->tbslen, &f->sig, &f->siglen) != 0)
		goto out;
	t = f->tbs;
	if (get(&t, f->tbs + f->tbslen, T_SEQ, &b, &n) != 0 || read_facts(b, b + n, out) != 0 ||
	    skel_profile(&f->skel, f->aki) != 0)
		goto out;
	/* Exactly the bytes our encoder writes for these facts: strict DER of the profile by construction. */
	if (ec_tbs_encode(&f->skel, out, tbs, sizeof tbs, &tlen) != EC_OK || tlen != f->tbslen ||
	    memcmp(tbs, f->tbs, tlen) != 0)
		goto out;
	if (ec_cert_encode(&f->skel, f->tbs, f->tbslen, f->sig, f->siglen, tbs, sizeof tbs, &tlen) != EC_OK ||
	    tlen != len || memcmp(tbs, der, len) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		memset(out, 0, sizeof *out);
	ERR_clear_error();
	return rc;
}

int
ec_skel_issuer_cn(const struct ec_skel *k, char *out, size_t size)
{
	const unsigned char *p = k->buf + k->issuer, *end, *set, *atv, *q, *v;
	size_t n;

	out[0] = '\0';
	if (get(&p, k->buf + k->issuer + k->issuerlen, T_SEQ, &p, &n) != 0)
		return -1;
	end = p + n;
	while (p < end) {
		if (get(&p, end, T_SET, &set, &n) != 0 || get(&set, set + n, T_SEQ, &atv, &n) != 0)
			return -1;
		if (n < sizeof oid_cn + 2 || memcmp(atv, oid_cn, sizeof oid_cn) != 0)
			continue;
		q = atv + sizeof oid_cn;
		if (get(&q, atv + n, q[0], &v, &n) != 0 || n >= size || memchr(v, '\0', n) != NULL)
			return -1;
		memcpy(out, v, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}
