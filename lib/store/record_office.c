/* The office register's record codecs: exam results, applications, certificates, audit entries. */
#include "recio.h"

/* Exam results. */

int
ec_rec_exam_enc(struct ec_buf *b, const struct ec_exam *x)
{
	int r;

	/* Version 2 adds the exam code after the certification code; an empty one is the certification's. */
	if (!x->code[0])
		return ec_err_set(EC_ERR_ARG, "field 'certification' is empty");
	w8(b, EC_REC_V2);
	if ((r = wstr(b, x->last_name, sizeof x->last_name, "last_name")) ||
	    (r = wstr(b, x->first_name, sizeof x->first_name, "first_name")) ||
	    (r = wstr(b, x->email, sizeof x->email, "email")) ||
	    (r = wstr(b, x->tel, sizeof x->tel, "tel")) ||
	    (r = wstr(b, x->code, sizeof x->code, "certification")) ||
	    (r = wstr(b, x->exam[0] ? x->exam : x->code, sizeof x->exam, "exam")))
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
	unsigned passed, ver;

	memset(out, 0, sizeof *out);
	r.p = p;
	r.n = n;
	r.off = 0;
	r.bad = 0;
	ver = r8(&r);
	if (ver != EC_REC_V1 && ver != EC_REC_V2)
		r.bad = 1;
	if (keytext(key, klen, out->reg_no, sizeof out->reg_no))
		r.bad = 1;
	rstr(&r, out->last_name, sizeof out->last_name);
	rstr(&r, out->first_name, sizeof out->first_name);
	rstr(&r, out->email, sizeof out->email);
	rstr(&r, out->tel, sizeof out->tel);
	rstr(&r, out->code, sizeof out->code);
	/* a version-1 result is for the one exam coded as its certification */
	if (ver == EC_REC_V2)
		rstr(&r, out->exam, sizeof out->exam);
	else
		memcpy(out->exam, out->code, sizeof out->exam);
	if (!out->exam[0])
		r.bad = 1;
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
	    (r = wlines(b, a->address, sizeof a->address, "address")) ||
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
	rlines(&r, out->address, sizeof out->address);
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
	    (r = wlines(b, c->address, sizeof c->address, "address")) ||
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
	rlines(&r, out->address, sizeof out->address);
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

/* Audit entries. */

int
ec_rec_audit_enc(struct ec_buf *b, const struct ec_audit_entry *e)
{
	unsigned char seq[8], bin[EC_NUMBIN];

	if (e->op < EC_AUDIT_IMPORT || e->op > EC_AUDIT_UNBIND)
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
	unsigned char bin[EC_NUMBIN], seq[8] = { 0 };
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
	if (op < EC_AUDIT_IMPORT || op > EC_AUDIT_UNBIND)
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
