/* Audit log: append inside the office's write transactions, verify the hash chain end to end. */
#include <inttypes.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "digest.h"
#include "err.h"
#include "record.h"
#include "register.h"

#define HEAD_KEY "audit.head"
#define HEAD_LEN (8 + EC_SHA256_LEN)

const char *
ec_audit_op_name(enum ec_audit_op op)
{
	switch (op) {
	case EC_AUDIT_IMPORT: return "import";
	case EC_AUDIT_APPLY: return "apply";
	case EC_AUDIT_ISSUE: return "issue";
	case EC_AUDIT_REVOKE: return "revoke";
	case EC_AUDIT_RENEW: return "renew";
	case EC_AUDIT_SUPERSEDE: return "supersede";
	case EC_AUDIT_MAIL: return "mail";
	case EC_AUDIT_PUBLISH: return "publish";
	case EC_AUDIT_CRL: return "crl";
	case EC_AUDIT_WITHDRAW: return "withdraw";
	case EC_AUDIT_AMEND: return "amend";
	case EC_AUDIT_REISSUE: return "reissue";
	case EC_AUDIT_BIND: return "bind";
	case EC_AUDIT_UNBIND: return "unbind";
	}
	return "?";
}

/* The head (last seq and the hash of its entry); seq 0 and zeros when the log is empty. */
static int
head_get(struct ec_kvtxn *t, uint64_t *seq, unsigned char hash[EC_SHA256_LEN], int *present)
{
	struct ec_kv_val v;
	int r;

	*seq = 0;
	memset(hash, 0, EC_SHA256_LEN);
	*present = 0;
	r = ec_kv_get(t, EC_ODB_META, HEAD_KEY, sizeof HEAD_KEY - 1, &v);
	if (r == EC_ERR_NOTFOUND)
		return 0;
	if (r)
		return r;
	if (v.n != HEAD_LEN)
		return ec_err_set(EC_ERR_CORRUPT, "audit chain head is corrupt");
	*seq = ec_rec_get64(v.p);
	memcpy(hash, v.p + 8, EC_SHA256_LEN);
	*present = 1;
	return 0;
}

int
ec_audit_append(struct ec_kvtxn *t, int64_t now, enum ec_audit_op op, enum ec_audit_subject kind,
    const char *subject, const void *rec, size_t reclen)
{
	static const char regtag[] = "ecert-regno";   /* hashed with its NUL as a domain separator */
	struct ec_audit_entry e;
	struct ec_buf b;
	unsigned char key[8], head[HEAD_LEN];
	unsigned char tagged[sizeof regtag + EC_REGNO_MAX];
	size_t n;
	int present, r;

	memset(&e, 0, sizeof e);
	ec_buf_init(&b);
	if ((r = head_get(t, &e.seq, e.prev, &present)))
		goto out;
	e.seq++;
	e.time = now;
	e.op = op;
	e.subject_kind = kind;
	if (kind == EC_AUDIT_SUBJ_NUMBER) {
		if (!subject || strnlen(subject, EC_NUMBER_DIGITS + 1) != EC_NUMBER_DIGITS) {
			r = ec_err_set(EC_ERR_ARG, "audit subject is not a certificate number");
			goto out;
		}
		memcpy(e.number, subject, EC_NUMBER_DIGITS + 1);
	} else if (kind == EC_AUDIT_SUBJ_REGNO) {
		if (!subject || (n = strnlen(subject, EC_REGNO_MAX + 1)) > EC_REGNO_MAX) {
			r = ec_err_set(EC_ERR_ARG, "audit subject is not a registration number");
			goto out;
		}
		memcpy(tagged, regtag, sizeof regtag);
		memcpy(tagged + sizeof regtag, subject, n);
		if ((r = ec_sha256(tagged, sizeof regtag + n, e.reg_hash)))
			goto out;
	}
	if ((r = ec_sha256(rec ? rec : (const void *)"", rec ? reclen : 0, e.record_hash)) ||
	    (r = ec_rec_audit_enc(&b, &e)))
		goto out;
	ec_rec_put64(key, e.seq);
	if ((r = ec_kv_put(t, EC_ODB_AUDIT, key, 8, b.p, b.len, EC_KV_APPEND)))
		goto out;
	memcpy(head, key, 8);
	if ((r = ec_sha256(b.p, b.len, head + 8)))
		goto out;
	r = ec_kv_put(t, EC_ODB_META, HEAD_KEY, sizeof HEAD_KEY - 1, head, HEAD_LEN, 0);
out:
	ec_buf_free(&b);
	return r;
}

struct walk {
	int (*fn)(void *ctx, const struct ec_audit_entry *e);
	void *ctx;
	int verify;
	uint64_t count;
};

static int
broken(struct walk *w, uint64_t seq, const char *why)
{
	w->count = seq;
	return ec_err_set(EC_ERR_CORRUPT, "audit chain broken at entry %" PRIu64 ": %s", seq, why);
}

static int
walk_txn(struct ec_kvtxn *t, void *ctx)
{
	struct walk *w = ctx;
	struct ec_audit_entry e;
	struct ec_kvcur *c = NULL;
	struct ec_kv_val k, v;
	unsigned char prev[EC_SHA256_LEN], hseq_hash[EC_SHA256_LEN];
	uint64_t expect = 1, hseq;
	int present, r;

	memset(prev, 0, sizeof prev);
	w->count = 0;
	if ((r = head_get(t, &hseq, hseq_hash, &present)))
		goto out;
	if ((r = ec_kv_cursor(t, EC_ODB_AUDIT, &c)))
		goto out;
	for (r = ec_kv_seek(c, NULL, 0, &k, &v); r == 0; r = ec_kv_next(c, &k, &v), expect++) {
		if (ec_rec_audit_dec(v.p, v.n, k.p, k.n, &e)) {
			r = broken(w, expect, "entry does not decode");
			goto out;
		}
		if (e.seq != expect) {
			r = broken(w, expect, "entry missing");
			goto out;
		}
		if (w->verify && memcmp(e.prev, prev, sizeof prev) != 0) {
			r = broken(w, expect, "link does not match the previous entry");
			goto out;
		}
		if ((r = ec_sha256(v.p, v.n, prev)))
			goto out;
		w->count = expect;
		if (w->fn && (r = w->fn(w->ctx, &e)) != 0) {
			r = r > 0 ? 0 : r;
			goto out;
		}
	}
	if (r != EC_ERR_NOTFOUND)
		goto out;
	r = 0;
	if (w->verify) {
		if (hseq != expect - 1)
			r = broken(w, hseq > expect - 1 ? expect : hseq + 1, "entries after it are missing or extra");
		else if (memcmp(hseq_hash, prev, sizeof prev) != 0)
			r = broken(w, hseq, "entry does not match the register's head");
	}
out:
	ec_kv_cursor_close(c);
	return r;
}

int
ec_audit_verify(struct ec_office *o, uint64_t *count)
{
	struct walk w = { NULL, NULL, 1, 0 };
	int r;

	r = ec_kv_view(ec_office_kv(o), walk_txn, &w);
	if (count)
		*count = w.count;
	return r;
}

int
ec_audit_each(struct ec_office *o, int (*fn)(void *ctx, const struct ec_audit_entry *e), void *ctx)
{
	struct walk w = { fn, ctx, 0, 0 };

	return ec_kv_view(ec_office_kv(o), walk_txn, &w);
}
