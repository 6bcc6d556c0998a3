/* Unit tests for record encoding: round trips of every record, strict decoding of damaged bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "record.h"

static const char N1[] = "0101234567890123456707";
static const char N2[] = "0101000000000000000033";

static void
sample_exam(struct ec_exam *x)
{
	memset(x, 0, sizeof *x);
	strcpy(x->reg_no, "R-2026-0001");
	strcpy(x->last_name, "O'Brien");
	strcpy(x->first_name, "Zoë");
	strcpy(x->email, "zoe@example.org");
	strcpy(x->tel, "+353 871234567");
	strcpy(x->code, "HCIA-AI");
	strcpy(x->exam, "H13-311");
	x->exam_date = 20500;
	x->passed = 1;
}

static void
sample_app(struct ec_app *a)
{
	memset(a, 0, sizeof *a);
	strcpy(a->reg_no, "R-2026-0001");
	a->format = EC_FORMAT_PAPER;
	strcpy(a->name, "李瑞瑞");
	strcpy(a->email, "li@example.cn");
	strcpy(a->tel, "+86 13925222157");
	strcpy(a->address, "1 Example Road\nNanshan District\nShenzhen");
	a->applied = 20502;
	a->status = EC_ST_VALID;
	strcpy(a->number, N1);
}

static void
sample_cert(struct ec_cert *c)
{
	size_t i;

	memset(c, 0, sizeof *c);
	strcpy(c->e.number, N1);
	strcpy(c->e.name, "Zoë O'Brien");
	strcpy(c->e.code, "HCIA-AI");
	strcpy(c->e.title, "Huawei Certified ICT Associate - Artificial Intelligence");
	c->e.format = EC_FORMAT_ELECTRONIC;
	c->e.effective = 20500;
	c->e.expires = 21595;
	c->e.issued_at = 1771000000;
	strcpy(c->e.renewal_of, N2);
	strcpy(c->e.kid, "AbCdEfGhIjK");
	strcpy(c->reg_no, "R-2026-0001");
	strcpy(c->email, "zoe@example.org");
	strcpy(c->tel, "+353 871234567");
	strcpy(c->address, "4 Main Street\nCork");
	strcpy(c->issuer, "Example Org Issuing CA AbCdEfGhIjK");
	c->status = EC_ST_REVOKED;
	c->der_len = 650;
	for (i = 0; i < c->der_len; i++)
		c->der[i] = (unsigned char)(i * 7);
	strcpy(c->token, "eyJhbGciOiJFUzI1NiIsImtpZCI6IkFiQ2RFZkdoSWpLIn0.e30.sig");
	c->revoked_at = 1772000000;
	strcpy(c->reason, "keyCompromise");
	strcpy(c->superseded_by, N2);
	strcpy(c->carrier, "SF Express");
	strcpy(c->order, "SF1234567890");
	c->mailed_at = 1771500000;
}

static void
sample_pub(struct ec_pub *p)
{
	memset(p, 0, sizeof *p);
	strcpy(p->number, N1);
	p->status = EC_ST_SUPERSEDED;
	strcpy(p->code, "HCIA-AI");
	strcpy(p->title, "Huawei Certified ICT Associate - AI");
	p->effective = 20500;
	p->expires = 21595;
	strcpy(p->name_masked, "Z** O******");
	memset(p->name_mac, 0xa5, sizeof p->name_mac);
	strcpy(p->superseded_by, N2);
	strcpy(p->issuer, "Example Org Issuing CA AbCdEfGhIjK");
	strcpy(p->kid, "AbCdEfGhIjK");
}

static void
sample_audit(struct ec_audit_entry *e)
{
	memset(e, 0, sizeof *e);
	e->seq = 42;
	e->time = 1771000000;
	e->op = EC_AUDIT_ISSUE;
	e->subject_kind = EC_AUDIT_SUBJ_NUMBER;
	strcpy(e->number, N1);
	memset(e->record_hash, 1, 32);
	memset(e->prev, 2, 32);
}

/* Every proper prefix and one trailing byte must be refused. */
typedef int (*dec_fn)(const void *p, size_t n, const void *key, size_t klen, void *out);

static void
check_damage(struct ec_buf *b, const void *key, size_t klen, dec_fn dec, void *out)
{
	unsigned char tmp[8192];
	size_t i;

	assert_true(b->len < sizeof tmp);
	memcpy(tmp, b->p, b->len);
	for (i = 0; i < b->len; i++)
		assert_int_equal(dec(tmp, i, key, klen, out), EC_ERR_CORRUPT);
	tmp[b->len] = 0;
	assert_int_equal(dec(tmp, b->len + 1, key, klen, out), EC_ERR_CORRUPT);
	tmp[0] = 9;
	assert_int_equal(dec(tmp, b->len, key, klen, out), EC_ERR_CORRUPT);
	tmp[0] = 0;
	assert_int_equal(dec(tmp, b->len, key, klen, out), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "corrupt"));
}

/* ec_rec_cert_dec with the compact choices thrown away, in check_damage's shape. */
static int
cert_dec(const void *p, size_t n, const void *key, size_t klen, void *out)
{
	struct ec_rec_compact k;

	return ec_rec_cert_dec(p, n, key, klen, out, &k);
}

static void
test_numbers(void **state)
{
	unsigned char a[EC_NUMBIN], b[EC_NUMBIN], max[EC_NUMBIN];
	char out[EC_NUMBER_DIGITS + 1];

	(void)state;
	assert_int_equal(ec_rec_num_pack(N1, a), 0);
	assert_int_equal(ec_rec_num_unpack(a, out), 0);
	assert_string_equal(out, N1);
	assert_int_equal(ec_rec_num_pack(N2, b), 0);
	assert_true(memcmp(b, a, EC_NUMBIN) < 0);     /* binary order = numeric order */
	assert_int_equal(ec_rec_num_pack("9999999999999999999999", max), 0);
	assert_int_equal(ec_rec_num_unpack(max, out), 0);
	assert_string_equal(out, "9999999999999999999999");
	assert_int_equal(ec_rec_num_pack("0000000000000000000000", a), 0);
	assert_int_equal(ec_rec_num_unpack(a, out), 0);
	assert_string_equal(out, "0000000000000000000000");
	memset(max, 0xff, sizeof max);
	assert_int_equal(ec_rec_num_unpack(max, out), EC_ERR_CORRUPT);
	assert_int_equal(ec_rec_num_pack("010123456789012345670", a), EC_ERR_ARG);
	assert_int_equal(ec_rec_num_pack("01012345678901234567071", a), EC_ERR_ARG);
	assert_int_equal(ec_rec_num_pack("0101 234567890123456707", a), EC_ERR_ARG);
}

static void
test_exam(void **state)
{
	struct ec_exam x, y;
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	sample_exam(&x);
	assert_int_equal(ec_rec_exam_enc(&b, &x), 0);
	assert_int_equal(ec_rec_exam_dec(b.p, b.len, x.reg_no, strlen(x.reg_no), &y), 0);
	assert_memory_equal(&x, &y, sizeof x);
	check_damage(&b, x.reg_no, strlen(x.reg_no), (dec_fn)ec_rec_exam_dec, &y);
	/* a key that is not a registration number */
	assert_int_equal(ec_rec_exam_dec(b.p, b.len, "a b", 3, &y), EC_ERR_CORRUPT);
	assert_int_equal(ec_rec_exam_dec(b.p, b.len, "", 0, &y), EC_ERR_CORRUPT);
	/* passed out of range, in storage and on input */
	b.p[b.len - 1] = 2;
	assert_int_equal(ec_rec_exam_dec(b.p, b.len, x.reg_no, strlen(x.reg_no), &y), EC_ERR_CORRUPT);
	ec_buf_reset(&b);
	x.passed = 3;
	assert_int_equal(ec_rec_exam_enc(&b, &x), EC_ERR_ARG);
	sample_exam(&x);
	x.email[3] = '\n';
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_exam_enc(&b, &x), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "'email'"));
	sample_exam(&x);
	memset(x.last_name, 'a', sizeof x.last_name);
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_exam_enc(&b, &x), EC_ERR_ARG);
	ec_buf_free(&b);
}

/* Where the exam code starts in a version-2 exam record: after the version byte and five u8-length strings. */
static size_t
exam_field_at(const struct ec_exam *x)
{
	return 1 + 1 + strlen(x->last_name) + 1 + strlen(x->first_name) + 1 + strlen(x->email) + 1 + strlen(x->tel) +
	    1 + strlen(x->code);
}

/*
 * Version 2 added the exam code: a version-1 result (written before) is for the one exam coded as its
 * certification; an empty exam code is written as the certification's and never read back empty.
 */
static void
test_exam_v1(void **state)
{
	unsigned char v1[1024], v2e[1024];
	struct ec_exam x, y;
	struct ec_buf b;
	size_t at, elen;

	(void)state;
	ec_buf_init(&b);
	sample_exam(&x);
	assert_int_equal(ec_rec_exam_enc(&b, &x), 0);
	assert_true(b.len < sizeof v1);
	assert_int_equal(b.p[0], EC_REC_V2);
	at = exam_field_at(&x);
	elen = strlen(x.exam);
	assert_int_equal((unsigned char)b.p[at], elen);
	assert_memory_equal(b.p + at + 1, x.exam, elen);
	/* the same record as version 1 wrote it: no exam field */
	memcpy(v1, b.p, at);
	memcpy(v1 + at, b.p + at + 1 + elen, b.len - at - 1 - elen);
	v1[0] = EC_REC_V1;
	assert_int_equal(ec_rec_exam_dec(v1, b.len - 1 - elen, x.reg_no, strlen(x.reg_no), &y), 0);
	assert_string_equal(y.exam, "HCIA-AI");
	assert_string_equal(y.exam, y.code);
	/* everything else as written */
	strcpy(x.exam, x.code);
	assert_memory_equal(&x, &y, sizeof x);
	/* every proper prefix of it is still refused */
	for (at = 0; at < b.len - 1 - elen; at++)
		assert_int_equal(ec_rec_exam_dec(v1, at, x.reg_no, strlen(x.reg_no), &y), EC_ERR_CORRUPT);
	/* a version-2 record labelled version 1 does not parse: the exam field is left over */
	memcpy(v1, b.p, b.len);
	v1[0] = EC_REC_V1;
	assert_int_equal(ec_rec_exam_dec(v1, b.len, x.reg_no, strlen(x.reg_no), &y), EC_ERR_CORRUPT);

	/* encoding an empty exam code writes the certification's */
	sample_exam(&x);
	x.exam[0] = '\0';
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_exam_enc(&b, &x), 0);
	at = exam_field_at(&x);
	assert_int_equal((unsigned char)b.p[at], strlen(x.code));
	assert_memory_equal(b.p + at + 1, x.code, strlen(x.code));
	assert_int_equal(ec_rec_exam_dec(b.p, b.len, x.reg_no, strlen(x.reg_no), &y), 0);
	assert_string_equal(y.exam, "HCIA-AI");

	/* a version-2 record whose exam code is empty was not written by the encoder: corrupt */
	elen = strlen(x.code);
	assert_true(b.len < sizeof v2e);
	memcpy(v2e, b.p, at);
	v2e[at] = 0;
	memcpy(v2e + at + 1, b.p + at + 1 + elen, b.len - at - 1 - elen);
	assert_int_equal(ec_rec_exam_dec(v2e, b.len - elen, x.reg_no, strlen(x.reg_no), &y), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "exam result"));
	/* nor is an exam code too long for its field, or with a control character, accepted on input */
	sample_exam(&x);
	memset(x.exam, 'E', sizeof x.exam);
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_exam_enc(&b, &x), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "'exam'"));
	sample_exam(&x);
	x.exam[1] = '\t';
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_exam_enc(&b, &x), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "'exam'"));
	ec_buf_free(&b);
}

static void
test_app(void **state)
{
	struct ec_app a, c;
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	sample_app(&a);
	assert_int_equal(ec_rec_app_enc(&b, &a), 0);
	assert_int_equal(ec_rec_app_dec(b.p, b.len, a.reg_no, strlen(a.reg_no), &c), 0);
	assert_memory_equal(&a, &c, sizeof a);
	check_damage(&b, a.reg_no, strlen(a.reg_no), (dec_fn)ec_rec_app_dec, &c);
	/* requested without a number */
	a.status = EC_ST_REQUESTED;
	memset(a.number, 0, sizeof a.number);
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_app_enc(&b, &a), 0);
	assert_int_equal(ec_rec_app_dec(b.p, b.len, a.reg_no, strlen(a.reg_no), &c), 0);
	assert_memory_equal(&a, &c, sizeof a);
	/* issued without a number is inconsistent */
	a.status = EC_ST_VALID;
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_app_enc(&b, &a), 0);
	assert_int_equal(ec_rec_app_dec(b.p, b.len, a.reg_no, strlen(a.reg_no), &c), EC_ERR_CORRUPT);
	a.status = EC_ST_REVOKED;
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_app_enc(&b, &a), EC_ERR_ARG);
	sample_app(&a);
	a.format = 7;
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_app_enc(&b, &a), EC_ERR_ARG);
	/* a postal address keeps its line feeds; no other control character, and no line feed elsewhere */
	sample_app(&a);
	strcpy(a.address, "1 Road\tShenzhen");
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_app_enc(&b, &a), EC_ERR_ARG);
	sample_app(&a);
	strcpy(a.name, "Li\nRui");
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_app_enc(&b, &a), EC_ERR_ARG);
	sample_app(&a);
	strcpy(a.number, "12345");
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_app_enc(&b, &a), EC_ERR_ARG);
	ec_buf_free(&b);
}

static void
test_cert(void **state)
{
	struct ec_cert *c = test_malloc(sizeof *c), *d = test_malloc(sizeof *d);
	unsigned char key[EC_NUMBIN];
	struct ec_rec_compact k;
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	sample_cert(c);
	assert_int_equal(ec_rec_num_pack(c->e.number, key), 0);
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), 0);
	assert_true(b.len < 1000);       /* compact: no padding to the struct's fixed sizes */
	assert_int_equal(((unsigned char *)b.p)[0], EC_REC_V2);
	assert_int_equal(ec_rec_cert_dec(b.p, b.len, key, sizeof key, d, &k), 0);
	assert_int_equal(k.flags, 0);
	assert_memory_equal(c, d, sizeof *c);
	check_damage(&b, key, sizeof key, cert_dec, d);
	assert_int_equal(ec_rec_cert_dec(b.p, b.len, key, 9, d, &k), EC_ERR_CORRUPT);
	/* superseded without a successor */
	c->status = EC_ST_SUPERSEDED;
	c->superseded_by[0] = '\0';
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), 0);
	assert_int_equal(ec_rec_cert_dec(b.p, b.len, key, sizeof key, d, &k), EC_ERR_CORRUPT);
	/* a valid one naming a successor */
	c->status = EC_ST_VALID;
	strcpy(c->superseded_by, N2);
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), 0);
	assert_int_equal(ec_rec_cert_dec(b.p, b.len, key, sizeof key, d, &k), EC_ERR_CORRUPT);
	sample_cert(c);
	c->der_len = 0;
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), EC_ERR_ARG);
	c->der_len = sizeof c->der + 1;
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), EC_ERR_ARG);
	sample_cert(c);
	c->status = EC_ST_EXPIRED;
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), EC_ERR_ARG);
	sample_cert(c);
	memset(c->token, 'x', sizeof c->token);
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), EC_ERR_ARG);
	ec_buf_free(&b);
	test_free(c);
	test_free(d);
}

/* Version 2's compact parts: what the flags say is kept instead of the DER, the token and the issuer. */
static void
test_cert_compact(void **state)
{
	struct ec_cert *c = test_malloc(sizeof *c), *d = test_malloc(sizeof *d);
	struct ec_rec_compact k, got;
	unsigned char key[EC_NUMBIN];
	struct ec_buf b;
	size_t full;

	(void)state;
	ec_buf_init(&b);
	sample_cert(c);
	assert_int_equal(ec_rec_num_pack(c->e.number, key), 0);
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), 0);
	full = b.len;
	memset(&k, 0, sizeof k);
	k.flags = EC_RC_DER | EC_RC_TOKEN | EC_RC_ISSUER | EC_RC_EDDSA;
	memset(k.skel_id, 0x5a, sizeof k.skel_id);
	k.siglen = 71;
	memset(k.sig, 0x30, k.siglen);
	memset(k.tsig, 0x77, sizeof k.tsig);
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_cert_enc(&b, c, &k), 0);
	assert_true(b.len + 650 + strlen(c->token) + strlen(c->issuer) - 71 - 8 - 64 < full + 8);
	assert_int_equal(ec_rec_cert_dec(b.p, b.len, key, sizeof key, d, &got), 0);
	assert_memory_equal(&k, &got, sizeof k);
	assert_int_equal(d->der_len, 0);
	assert_string_equal(d->token, "");
	assert_string_equal(d->issuer, "");
	assert_string_equal(d->e.name, c->e.name);
	assert_string_equal(d->carrier, c->carrier);
	check_damage(&b, key, sizeof key, cert_dec, d);
	/* flags that contradict each other, or that nobody knows */
	k.flags = EC_RC_ISSUER;
	assert_int_equal(ec_rec_cert_enc(&b, c, &k), EC_ERR_ARG);
	k.flags = EC_RC_EDDSA;
	assert_int_equal(ec_rec_cert_enc(&b, c, &k), EC_ERR_ARG);
	k.flags = 16;
	assert_int_equal(ec_rec_cert_enc(&b, c, &k), EC_ERR_ARG);
	k.flags = EC_RC_DER;
	k.siglen = 0;
	assert_int_equal(ec_rec_cert_enc(&b, c, &k), EC_ERR_ARG);
	/* the same flags damaged in storage */
	k.siglen = 64;
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_cert_enc(&b, c, &k), 0);
	((unsigned char *)b.p)[1] = EC_RC_ISSUER;
	assert_int_equal(ec_rec_cert_dec(b.p, b.len, key, sizeof key, d, &got), EC_ERR_CORRUPT);
	((unsigned char *)b.p)[1] = 0x80;
	assert_int_equal(ec_rec_cert_dec(b.p, b.len, key, sizeof key, d, &got), EC_ERR_CORRUPT);
	ec_buf_free(&b);
	test_free(c);
	test_free(d);
}

/* Version 1 (no flags byte, everything whole) is still read. */
static void
test_cert_v1(void **state)
{
	struct ec_cert *c = test_malloc(sizeof *c), *d = test_malloc(sizeof *d);
	unsigned char key[EC_NUMBIN], v1[2048];
	struct ec_rec_compact k;
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	sample_cert(c);
	assert_int_equal(ec_rec_num_pack(c->e.number, key), 0);
	assert_int_equal(ec_rec_cert_enc(&b, c, NULL), 0);
	assert_true(b.len < sizeof v1);
	v1[0] = EC_REC_V1;
	memcpy(v1 + 1, (unsigned char *)b.p + 2, b.len - 2);
	assert_int_equal(ec_rec_cert_dec(v1, b.len - 1, key, sizeof key, d, &k), 0);
	assert_int_equal(k.flags, 0);
	assert_memory_equal(c, d, sizeof *c);
	assert_int_equal(ec_rec_cert_dec(v1, b.len - 2, key, sizeof key, d, &k), EC_ERR_CORRUPT);
	ec_buf_free(&b);
	test_free(c);
	test_free(d);
}

static void
test_pub(void **state)
{
	struct ec_pub p, q;
	unsigned char key[EC_NUMBIN];
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	sample_pub(&p);
	assert_int_equal(ec_rec_num_pack(p.number, key), 0);
	assert_int_equal(ec_rec_pub_enc(&b, &p), 0);
	assert_true(b.len < 200);
	assert_int_equal(ec_rec_pub_dec(b.p, b.len, key, sizeof key, &q), 0);
	assert_memory_equal(&p, &q, sizeof p);
	check_damage(&b, key, sizeof key, (dec_fn)ec_rec_pub_dec, &q);
	p.status = EC_ST_NOT_APPLIED;
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_pub_enc(&b, &p), EC_ERR_ARG);
	ec_buf_free(&b);
}

static void
test_audit(void **state)
{
	struct ec_audit_entry e, f;
	unsigned char key[8];
	struct ec_buf b;

	(void)state;
	ec_buf_init(&b);
	sample_audit(&e);
	ec_rec_put64(key, e.seq);
	assert_int_equal(ec_rec_audit_enc(&b, &e), 0);
	assert_int_equal(ec_rec_audit_dec(b.p, b.len, key, 8, &f), 0);
	assert_memory_equal(&e, &f, sizeof e);
	check_damage(&b, key, 8, (dec_fn)ec_rec_audit_dec, &f);
	/* key and stored seq disagree */
	ec_rec_put64(key, 43);
	assert_int_equal(ec_rec_audit_dec(b.p, b.len, key, 8, &f), EC_ERR_CORRUPT);
	/* registration-number subject and no subject */
	e.subject_kind = EC_AUDIT_SUBJ_REGNO;
	memset(e.number, 0, sizeof e.number);
	memset(e.reg_hash, 9, 32);
	ec_rec_put64(key, e.seq);
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_audit_enc(&b, &e), 0);
	assert_int_equal(ec_rec_audit_dec(b.p, b.len, key, 8, &f), 0);
	assert_memory_equal(&e, &f, sizeof e);
	e.subject_kind = EC_AUDIT_SUBJ_NONE;
	memset(e.reg_hash, 0, 32);
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_audit_enc(&b, &e), 0);
	assert_int_equal(ec_rec_audit_dec(b.p, b.len, key, 8, &f), 0);
	assert_memory_equal(&e, &f, sizeof e);
	e.op = 99;
	ec_buf_reset(&b);
	assert_int_equal(ec_rec_audit_enc(&b, &e), EC_ERR_ARG);
	ec_buf_free(&b);
}

static void
test_garbage(void **state)
{
	unsigned char junk[300], key[EC_NUMBIN];
	struct ec_cert *c = test_malloc(sizeof *c);
	struct ec_pub p;
	struct ec_exam x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(0xff - i);
	junk[0] = EC_REC_V1;
	assert_int_equal(ec_rec_num_pack(N1, key), 0);
	assert_int_equal(cert_dec(junk, sizeof junk, key, sizeof key, c), EC_ERR_CORRUPT);
	assert_int_equal(ec_rec_pub_dec(junk, sizeof junk, key, sizeof key, &p), EC_ERR_CORRUPT);
	assert_int_equal(ec_rec_exam_dec(junk, sizeof junk, "R1", 2, &x), EC_ERR_CORRUPT);
	assert_int_equal(ec_rec_exam_dec(junk, 0, "R1", 2, &x), EC_ERR_CORRUPT);
	test_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_exam),
		cmocka_unit_test(test_exam_v1),
		cmocka_unit_test(test_cert_compact),
		cmocka_unit_test(test_cert_v1),
		cmocka_unit_test(test_app),
		cmocka_unit_test(test_cert),
		cmocka_unit_test(test_pub),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
