/* Record encoding: a version byte, then u8/u16-length-prefixed bytes and big-endian integers; strict decoding. */
#include <string.h>

#include "err.h"
#include "record.h"

/* Reading state: any overrun or inconsistency sets bad, checked once at the end. */
struct rd {
	const unsigned char *p;
	size_t n, off;
	int bad;
};

void
ec_rec_put64(unsigned char out[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)v;
}

uint64_t
ec_rec_get64(const unsigned char in[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | in[i];
	return v;
}

int
ec_rec_num_pack(const char *digits, unsigned char out[EC_NUMBIN])
{
	unsigned __int128 v = 0;
	int i;

	for (i = 0; i < EC_NUMBER_DIGITS; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return ec_err_set(EC_ERR_ARG, "certificate number '%.22s' is not 22 digits", digits);
		v = v * 10 + (unsigned)(digits[i] - '0');
	}
	if (digits[i] != '\0')
		return ec_err_set(EC_ERR_ARG, "certificate number '%.22s...' is not 22 digits", digits);
	for (i = EC_NUMBIN - 1; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)v;
	return 0;
}

int
ec_rec_num_unpack(const unsigned char in[EC_NUMBIN], char out[EC_NUMBER_DIGITS + 1])
{
	const uint64_t e11 = 100000000000ULL;
	unsigned __int128 v = 0;
	uint64_t hi, lo;
	int i;

	for (i = 0; i < EC_NUMBIN; i++)
		v = v << 8 | in[i];
	/* One 128-bit division, then two 11-digit halves in 64-bit arithmetic (this is on the lookup path). */
	hi = (uint64_t)(v / e11);
	lo = (uint64_t)(v - (unsigned __int128)hi * e11);
	if (hi >= e11)
		return ec_err_set(EC_ERR_CORRUPT, "stored certificate number out of range");
	out[EC_NUMBER_DIGITS] = '\0';
	for (i = EC_NUMBER_DIGITS - 1; i >= 11; i--, lo /= 10)
		out[i] = (char)('0' + lo % 10);
	for (; i >= 0; i--, hi /= 10)
		out[i] = (char)('0' + hi % 10);
	return 0;
}

/* Writing. */

static void
w8(struct ec_buf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	ec_buf_add(b, &c, 1);
}

static void
w16(struct ec_buf *b, unsigned v)
{
	unsigned char c[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	ec_buf_add(b, c, 2);
}

static void
w32(struct ec_buf *b, int32_t v)
{
	uint32_t u = (uint32_t)v;
	unsigned char c[4] = { (unsigned char)(u >> 24), (unsigned char)(u >> 16), (unsigned char)(u >> 8),
	    (unsigned char)u };

	ec_buf_add(b, c, 4);
}

static void
w64(struct ec_buf *b, int64_t v)
{
	unsigned char c[8];

	ec_rec_put64(c, (uint64_t)v);
	ec_buf_add(b, c, 8);
}

/* A text field: NUL-terminated within size bytes, no control characters, at most 255 bytes. */
static int
wstr(struct ec_buf *b, const char *s, size_t size, const char *field)
{
	size_t len = strnlen(s, size), i;

	if (len == size || len > 255)
		return ec_err_set(EC_ERR_ARG, "field '%s' too long", field);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return ec_err_set(EC_ERR_ARG, "field '%s' holds a control character", field);
	w8(b, (unsigned)len);
	ec_buf_add(b, s, len);
	return 0;
}

/* An optional certificate number: length 0, or 10 packed bytes. */
static int
wnum(struct ec_buf *b, const char *num, const char *field)
{
	unsigned char bin[EC_NUMBIN];

	if (num[0] == '\0') {
		w8(b, 0);
		return 0;
	}
	if (strnlen(num, EC_NUMBER_DIGITS + 1) != EC_NUMBER_DIGITS || ec_rec_num_pack(num, bin))
		return ec_err_set(EC_ERR_ARG, "field '%s' is not a 22-digit number", field);
	w8(b, EC_NUMBIN);
	ec_buf_add(b, bin, EC_NUMBIN);
	return 0;
}

static int
wend(struct ec_buf *b)
{
	return b->err ? ec_err_set(EC_ERR_NOMEM, "out of memory") : 0;
}

/* Reading. */

static const unsigned char *
take(struct rd *r, size_t n)
{
	const unsigned char *p;

	if (r->bad || r->n - r->off < n) {
		r->bad = 1;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static unsigned
r8(struct rd *r)
{
	const unsigned char *p = take(r, 1);

	return p ? p[0] : 0;
}

static unsigned
r16(struct rd *r)
{
	const unsigned char *p = take(r, 2);

	return p ? (unsigned)(p[0] << 8 | p[1]) : 0;
}

static int32_t
r32(struct rd *r)
{
	const unsigned char *p = take(r, 4);

	return p ? (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]) : 0;
}

static int64_t
r64(struct rd *r)
{
	const unsigned char *p = take(r, 8);

	return p ? (int64_t)ec_rec_get64(p) : 0;
}

static void
rbytes(struct rd *r, void *dst, size_t n)
{
	const unsigned char *p = take(r, n);

	if (p)
		memcpy(dst, p, n);
}

/* Copy len bytes of text into dst[size], refusing NUL and control characters. */
static void
rtext(struct rd *r, size_t len, char *dst, size_t size)
{
	const unsigned char *p;
	size_t i;
	int bad = 0;

	dst[0] = '\0';
	if (len >= size) {
		r->bad = 1;
		return;
	}
	if (!(p = take(r, len)))
		return;
	for (i = 0; i < len; i++)
		bad |= (p[i] < 0x20) | (p[i] == 0x7f);
	r->bad |= bad;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

static void
rstr(struct rd *r, char *dst, size_t size)
{
	rtext(r, r8(r), dst, size);
}

static void
rnum(struct rd *r, char out[EC_NUMBER_DIGITS + 1])
{
	unsigned len = r8(r);
	const unsigned char *p;

	out[0] = '\0';
	if (len == 0)
		return;
	if (len != EC_NUMBIN || !(p = take(r, EC_NUMBIN)) || ec_rec_num_unpack(p, out))
		r->bad = 1;
}

/* Start reading: a known version byte. */
static void
rbegin(struct rd *r, const void *p, size_t n)
{
	r->p = p;
	r->n = n;
	r->off = 0;
	r->bad = 0;
	if (r8(r) != EC_REC_V1)
		r->bad = 1;
}

static int
rend(struct rd *r, const char *what)
{
	if (r->bad || r->off != r->n)
		return ec_err_set(EC_ERR_CORRUPT, "stored %s record is corrupt", what);
	return 0;
}

/* Key text (registration number): 1..EC_REGNO_MAX printable ASCII without space. */
static int
keytext(const void *key, size_t klen, char *dst, size_t size)
{
	const unsigned char *k = key;
	size_t i;

	if (klen == 0 || klen >= size)
		return -1;
	for (i = 0; i < klen; i++)
		if (k[i] <= 0x20 || k[i] >= 0x7f)
			return -1;
	memcpy(dst, k, klen);
	dst[klen] = '\0';
	return 0;
}

/* Exam results. */

int
ec_rec_exam_enc(struct ec_buf *b, const struct ec_exam *x)
{
	int r;

	w8(b, EC_REC_V1);
	if ((r = wstr(b, x->last_name, sizeof x->last_name, "last_name")) ||
	    (r = wstr(b, x->first_name, sizeof x->first_name, "first_name")) ||
	    (r = wstr(b, x->email, sizeof x->email, "email")) ||
	    (r = wstr(b, x->tel, sizeof x->tel, "tel")) ||
	    (r = wstr(b, x->code, sizeof x->code, "certification")))
		return r;
	if (x->passed != 0 && x->passed != 1)
		return ec_err_set(EC_ERR_ARG, "field 'result' out of range");
	w32(b, x->exam_date);
	w8(b, (unsigned)x->passed);
	return wend(b);
}

int
ec_rec_exam_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_exam *out)
{
	struct rd r;
	unsigned passed;

	memset(out, 0, sizeof *out);
	rbegin(&r, p, n);
	if (keytext(key, klen, out->reg_no, sizeof out->reg_no))
		r.bad = 1;
	rstr(&r, out->last_name, sizeof out->last_name);
	rstr(&r, out->first_name, sizeof out->first_name);
	rstr(&r, out->email, sizeof out->email);
	rstr(&r, out->tel, sizeof out->tel);
	rstr(&r, out->code, sizeof out->code);
	out->exam_date = r32(&r);
	passed = r8(&r);
	if (passed > 1)
		r.bad = 1;
	out->passed = (int)passed;
	return rend(&r, "exam result");
}

/* Applications. */

int
ec_rec_app_enc(struct ec_buf *b, const struct ec_app *a)
{
	int r;

	if (a->format != EC_FORMAT_ELECTRONIC && a->format != EC_FORMAT_PAPER)
		return ec_err_set(EC_ERR_ARG, "field 'format' out of range");
	if (a->status != EC_ST_REQUESTED && a->status != EC_ST_VALID)
		return ec_err_set(EC_ERR_ARG, "field 'status' out of range");
	w8(b, EC_REC_V1);
	w8(b, (unsigned)a->format);
	w8(b, (unsigned)a->status);
	w32(b, a->applied);
	if ((r = wstr(b, a->name, sizeof a->name, "name")) ||
	    (r = wstr(b, a->email, sizeof a->email, "email")) ||
	    (r = wstr(b, a->tel, sizeof a->tel, "tel")) ||
	    (r = wstr(b, a->address, sizeof a->address, "address")) ||
	    (r = wnum(b, a->number, "number")))
		return r;
	return wend(b);
}

int
ec_rec_app_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_app *out)
{
	struct rd r;
	unsigned fmt, st;

	memset(out, 0, sizeof *out);
	rbegin(&r, p, n);
	if (keytext(key, klen, out->reg_no, sizeof out->reg_no))
		r.bad = 1;
	fmt = r8(&r);
	st = r8(&r);
	if (fmt > EC_FORMAT_PAPER || (st != EC_ST_REQUESTED && st != EC_ST_VALID))
		r.bad = 1;
	out->format = (enum ec_format)fmt;
	out->status = (enum ec_status)st;
	out->applied = r32(&r);
	rstr(&r, out->name, sizeof out->name);
	rstr(&r, out->email, sizeof out->email);
	rstr(&r, out->tel, sizeof out->tel);
	rstr(&r, out->address, sizeof out->address);
	rnum(&r, out->number);
	/* Issued exactly when it has a number. */
	if ((out->status == EC_ST_VALID) != (out->number[0] != '\0'))
		r.bad = 1;
	return rend(&r, "application");
}

/* Certificates. */

/* The e-Cert part of a version-2 record: skeleton id and signature, or the whole DER. */
static int
wcert_der(struct ec_buf *b, const struct ec_cert *c, const struct ec_rec_compact *k)
{
	if (k->flags & EC_RC_DER) {
		if (k->siglen == 0 || k->siglen > sizeof k->sig)
			return ec_err_set(EC_ERR_ARG, "field 'signature' out of range");
		ec_buf_add(b, k->skel_id, EC_SKEL_ID);
		w8(b, (unsigned)k->siglen);
		ec_buf_add(b, k->sig, k->siglen);
		return 0;
	}
	if (c->der_len == 0 || c->der_len > sizeof c->der)
		return ec_err_set(EC_ERR_ARG, "field 'der' out of range");
	w16(b, (unsigned)c->der_len);
	ec_buf_add(b, c->der, c->der_len);
	return 0;
}

int
ec_rec_cert_enc(struct ec_buf *b, const struct ec_cert *c, const struct ec_rec_compact *k)
{
	static const struct ec_rec_compact full = { 0, { 0 }, { 0 }, 0, { 0 } };
	const struct ec_ecert *e = &c->e;
	size_t toklen = strnlen(c->token, sizeof c->token);
	int r;

	if (k == NULL)
		k = &full;
	if (k->flags & ~(unsigned)EC_RC_ALL || ((k->flags & EC_RC_ISSUER) && !(k->flags & EC_RC_DER)) ||
	    ((k->flags & EC_RC_EDDSA) && !(k->flags & EC_RC_TOKEN)))
		return ec_err_set(EC_ERR_ARG, "field 'flags' out of range");
	if (e->format != EC_FORMAT_ELECTRONIC && e->format != EC_FORMAT_PAPER)
		return ec_err_set(EC_ERR_ARG, "field 'format' out of range");
	if (c->status != EC_ST_VALID && c->status != EC_ST_REVOKED && c->status != EC_ST_SUPERSEDED)
		return ec_err_set(EC_ERR_ARG, "field 'status' out of range");
	if (toklen == sizeof c->token)
		return ec_err_set(EC_ERR_ARG, "field 'token' too long");
	w8(b, EC_REC_V2);
	w8(b, k->flags);
	w8(b, (unsigned)e->format);
	w8(b, (unsigned)c->status);
	w32(b, e->effective);
	w32(b, e->expires);
	w64(b, e->issued_at);
	w64(b, c->revoked_at);
	w64(b, c->mailed_at);
	if ((r = wstr(b, e->name, sizeof e->name, "name")) ||
	    (r = wstr(b, e->code, sizeof e->code, "certification")) ||
	    (r = wstr(b, e->title, sizeof e->title, "title")) ||
	    (r = wnum(b, e->renewal_of, "renewal_of")) ||
	    (r = wstr(b, e->kid, sizeof e->kid, "kid")) ||
	    (r = wstr(b, c->reg_no, sizeof c->reg_no, "registration_no")) ||
	    (r = wstr(b, c->email, sizeof c->email, "email")) ||
	    (r = wstr(b, c->tel, sizeof c->tel, "tel")) ||
	    (r = wstr(b, c->address, sizeof c->address, "address")) ||
	    (!(k->flags & EC_RC_ISSUER) && (r = wstr(b, c->issuer, sizeof c->issuer, "issuer"))) ||
	    (r = wstr(b, c->reason, sizeof c->reason, "reason")) ||
	    (r = wnum(b, c->superseded_by, "superseded_by")) ||
	    (r = wstr(b, c->carrier, sizeof c->carrier, "carrier")) ||
	    (r = wstr(b, c->order, sizeof c->order, "order")) ||
	    (r = wcert_der(b, c, k)))
		return r;
	if (k->flags & EC_RC_TOKEN) {
		ec_buf_add(b, k->tsig, sizeof k->tsig);
	} else {
		w16(b, (unsigned)toklen);
		ec_buf_add(b, c->token, toklen);
	}
	return wend(b);
}

int
ec_rec_cert_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_cert *out, struct ec_rec_compact *k)
{
	struct ec_ecert *e = &out->e;
	struct rd r;
	unsigned fmt, st, ver;

	memset(out, 0, sizeof *out);
	memset(k, 0, sizeof *k);
	r.p = p;
	r.n = n;
	r.off = 0;
	r.bad = 0;
	ver = r8(&r);
	if (ver == EC_REC_V2)
		k->flags = r8(&r);
	else if (ver != EC_REC_V1)
		r.bad = 1;
	if (k->flags & ~(unsigned)EC_RC_ALL || ((k->flags & EC_RC_ISSUER) && !(k->flags & EC_RC_DER)) ||
	    ((k->flags & EC_RC_EDDSA) && !(k->flags & EC_RC_TOKEN)))
		r.bad = 1;
	if (klen != EC_NUMBIN || ec_rec_num_unpack(key, e->number))
		r.bad = 1;
	fmt = r8(&r);
	st = r8(&r);
	if (fmt > EC_FORMAT_PAPER || (st != EC_ST_VALID && st != EC_ST_REVOKED && st != EC_ST_SUPERSEDED))
		r.bad = 1;
	e->format = (enum ec_format)fmt;
	out->status = (enum ec_status)st;
	e->effective = r32(&r);
	e->expires = r32(&r);
	e->issued_at = r64(&r);
	out->revoked_at = r64(&r);
	out->mailed_at = r64(&r);
	rstr(&r, e->name, sizeof e->name);
	rstr(&r, e->code, sizeof e->code);
	rstr(&r, e->title, sizeof e->title);
	rnum(&r, e->renewal_of);
	rstr(&r, e->kid, sizeof e->kid);
	rstr(&r, out->reg_no, sizeof out->reg_no);
	rstr(&r, out->email, sizeof out->email);
	rstr(&r, out->tel, sizeof out->tel);
	rstr(&r, out->address, sizeof out->address);
	if (!(k->flags & EC_RC_ISSUER))
		rstr(&r, out->issuer, sizeof out->issuer);
	rstr(&r, out->reason, sizeof out->reason);
	rnum(&r, out->superseded_by);
	rstr(&r, out->carrier, sizeof out->carrier);
	rstr(&r, out->order, sizeof out->order);
	if (k->flags & EC_RC_DER) {
		rbytes(&r, k->skel_id, EC_SKEL_ID);
		k->siglen = r8(&r);
		if (k->siglen == 0 || k->siglen > sizeof k->sig)
			r.bad = 1;
		else
			rbytes(&r, k->sig, k->siglen);
	} else {
		out->der_len = r16(&r);
		if (out->der_len == 0 || out->der_len > sizeof out->der)
			r.bad = 1;
		else
			rbytes(&r, out->der, out->der_len);
	}
	if (k->flags & EC_RC_TOKEN)
		rbytes(&r, k->tsig, sizeof k->tsig);
	else
		rtext(&r, r16(&r), out->token, sizeof out->token);
	/* Superseded always names its successor; a successor may outlive a later revocation. */
	if (out->status == EC_ST_SUPERSEDED ? out->superseded_by[0] == '\0'
	    : out->status != EC_ST_REVOKED && out->superseded_by[0] != '\0')
		r.bad = 1;
	return rend(&r, "certificate");
}

/* Public records. */

int
ec_rec_pub_enc(struct ec_buf *b, const struct ec_pub *pub)
{
	int r;

	if (pub->status != EC_ST_VALID && pub->status != EC_ST_REVOKED && pub->status != EC_ST_SUPERSEDED)
		return ec_err_set(EC_ERR_ARG, "field 'status' out of range");
	w8(b, EC_REC_V1);
	w8(b, (unsigned)pub->status);
	w32(b, pub->effective);
	w32(b, pub->expires);
	w32(b, pub->revoked_on);
	ec_buf_add(b, pub->name_mac, sizeof pub->name_mac);
	if ((r = wstr(b, pub->code, sizeof pub->code, "certification")) ||
	    (r = wstr(b, pub->title, sizeof pub->title, "title")) ||
	    (r = wstr(b, pub->name_masked, sizeof pub->name_masked, "name_masked")) ||
	    (r = wstr(b, pub->reason, sizeof pub->reason, "reason")) ||
	    (r = wnum(b, pub->superseded_by, "superseded_by")) ||
	    (r = wnum(b, pub->renewal_of, "renewal_of")) ||
	    (r = wstr(b, pub->issuer, sizeof pub->issuer, "issuer")) ||
	    (r = wstr(b, pub->kid, sizeof pub->kid, "kid")))
		return r;
	return wend(b);
}

int
ec_rec_pub_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_pub *out)
{
	struct rd r;
	unsigned st;

	memset(out, 0, sizeof *out);
	rbegin(&r, p, n);
	if (klen != EC_NUMBIN || ec_rec_num_unpack(key, out->number))
		r.bad = 1;
	st = r8(&r);
	if (st != EC_ST_VALID && st != EC_ST_REVOKED && st != EC_ST_SUPERSEDED)
		r.bad = 1;
	out->status = (enum ec_status)st;
	out->effective = r32(&r);
	out->expires = r32(&r);
	out->revoked_on = r32(&r);
	rbytes(&r, out->name_mac, sizeof out->name_mac);
	rstr(&r, out->code, sizeof out->code);
	rstr(&r, out->title, sizeof out->title);
	rstr(&r, out->name_masked, sizeof out->name_masked);
	rstr(&r, out->reason, sizeof out->reason);
	rnum(&r, out->superseded_by);
	rnum(&r, out->renewal_of);
	rstr(&r, out->issuer, sizeof out->issuer);
	rstr(&r, out->kid, sizeof out->kid);
	return rend(&r, "public");
}

/* Audit entries. */

int
ec_rec_audit_enc(struct ec_buf *b, const struct ec_audit_entry *e)
{
	unsigned char seq[8], bin[EC_NUMBIN];

	if (e->op < EC_AUDIT_IMPORT || e->op > EC_AUDIT_CRL)
		return ec_err_set(EC_ERR_ARG, "field 'op' out of range");
	w8(b, EC_REC_V1);
	ec_rec_put64(seq, e->seq);
	ec_buf_add(b, seq, 8);
	w64(b, e->time);
	w8(b, (unsigned)e->op);
	w8(b, (unsigned)e->subject_kind);
	switch (e->subject_kind) {
	case EC_AUDIT_SUBJ_NONE:
		break;
	case EC_AUDIT_SUBJ_NUMBER:
		if (ec_rec_num_pack(e->number, bin))
			return ec_err_set(EC_ERR_ARG, "field 'number' is not a 22-digit number");
		ec_buf_add(b, bin, EC_NUMBIN);
		break;
	case EC_AUDIT_SUBJ_REGNO:
		ec_buf_add(b, e->reg_hash, sizeof e->reg_hash);
		break;
	default:
		return ec_err_set(EC_ERR_ARG, "field 'subject' out of range");
	}
	ec_buf_add(b, e->record_hash, sizeof e->record_hash);
	ec_buf_add(b, e->prev, sizeof e->prev);
	return wend(b);
}

int
ec_rec_audit_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_audit_entry *out)
{
	unsigned char bin[EC_NUMBIN], seq[8];
	struct rd r;
	unsigned op, kind;

	memset(out, 0, sizeof *out);
	rbegin(&r, p, n);
	rbytes(&r, seq, 8);
	out->seq = ec_rec_get64(seq);
	if (klen != 8 || r.bad || memcmp(key, seq, 8) != 0)
		r.bad = 1;
	out->time = r64(&r);
	op = r8(&r);
	kind = r8(&r);
	if (op < EC_AUDIT_IMPORT || op > EC_AUDIT_CRL)
		r.bad = 1;
	out->op = (enum ec_audit_op)op;
	out->subject_kind = (enum ec_audit_subject)kind;
	switch (kind) {
	case EC_AUDIT_SUBJ_NONE:
		break;
	case EC_AUDIT_SUBJ_NUMBER:
		rbytes(&r, bin, EC_NUMBIN);
		if (!r.bad && ec_rec_num_unpack(bin, out->number))
			r.bad = 1;
		break;
	case EC_AUDIT_SUBJ_REGNO:
		rbytes(&r, out->reg_hash, sizeof out->reg_hash);
		break;
	default:
		r.bad = 1;
	}
	rbytes(&r, out->record_hash, sizeof out->record_hash);
	rbytes(&r, out->prev, sizeof out->prev);
	return rend(&r, "audit");
}
