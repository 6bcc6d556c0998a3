/*
 * ecert-issue audit verify: the hash-chained audit log, then every stored e-Cert and QR token checked
 * against the trust bundle and against the public register.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>


#include "audit.h"
#include "cert.h"
#include "err.h"
#include "paths.h"
#include "issuer.h"
#include "pki.h"
#include "public.h"
#include "token.h"

#define SHOW_MAX 20

struct walk {
	struct ec_trust *trust;
	struct ec_pubreg *pub;
	size_t n, bad;
};

static int
facts_differ(const struct ec_ecert *a, const struct ec_ecert *b)
{
	return strcmp(a->number, b->number) || strcmp(a->name, b->name) || strcmp(a->code, b->code) ||
	    a->effective != b->effective || a->expires != b->expires;
}

/* The first disagreement between a stored certificate, its e-Cert, its token and its public view, or NULL. */
static const char *
check_one(struct walk *w, const struct ec_cert *r)
{
	struct ec_ecert parsed, tok;
	struct ec_pub *p = NULL, pub;
	const char *why = NULL;
	int rc;

	if ((rc = ec_ecert_verify(w->trust, r->der, r->der_len, &parsed)) == EC_ERR_SYNTAX)
		return "the stored e-Cert does not parse";
	if (rc)
		why = "the e-Cert's signature does not verify against the trust bundle";
	else if (facts_differ(&parsed, &r->e) || strcmp(parsed.title, r->e.title) || strcmp(parsed.kid, r->e.kid))
		why = "the e-Cert disagrees with the stored record";
	else if (ec_token_verify(w->trust, r->token, strlen(r->token), &tok))
		why = "the QR token does not verify";
	else if (facts_differ(&tok, &r->e))
		why = "the QR token disagrees with the stored record";
	if (why || !w->pub)
		return why;
	p = &pub;
	rc = ec_pubreg_get(w->pub, r->e.number, p);
	if (rc == EC_ERR_NOTFOUND)
		return "missing from the public register";
	if (rc)
		return ec_err_msg(rc);
	if (p->status != r->status || p->effective != r->e.effective || p->expires != r->e.expires ||
	    strcmp(p->code, r->e.code) || strcmp(p->superseded_by, r->superseded_by) ||
	    strcmp(p->renewal_of, r->e.renewal_of))
		return "the public register disagrees with the office register";
	return NULL;
}

static int
on_cert(void *ctx, const struct ec_cert *r)
{
	struct walk *w = ctx;
	const char *why = check_one(w, r);

	w->n++;
	if (why && w->bad++ < SHOW_MAX)
		errmsg("certificate '%s': %s", r->e.number, why);
	return 0;
}

int
cmd_audit(struct opts *o)
{
	struct ctx c;
	struct walk w;
	struct ec_cert_filter f;
	char path[4200];
	uint64_t n = 0;
	int rc;

	if (strcmp(o->args[0], "verify"))
		return usage_err("unknown audit command '%s' (use: audit verify)", o->args[0]);
	memset(&w, 0, sizeof w);
	memset(&f, 0, sizeof f);
	if ((rc = ctx_open(&c, o, NEED_READ)))
		return rc;
	if (c.off && (rc = ec_audit_verify(c.off, &n))) {
		rc = fail(rc);
		goto out;
	}
	printf("audit chain: %" PRIu64 " entr%s verified\n", n, n == 1 ? "y" : "ies");
	if ((rc = ec_path(path, sizeof path, c.dir, EC_P_TRUST, NULL)) || (rc = ec_trust_load(path, &w.trust))) {
		rc = fail(rc);
		goto out;
	}
	if ((rc = ec_path(path, sizeof path, c.dir, EC_P_PUBLIC, NULL))) {
		rc = fail(rc);
		goto out;
	}
	rc = ec_pubreg_open(path, &w.pub);
	if (rc && rc != EC_ERR_NOTFOUND) {
		rc = fail(rc);
		goto out;
	}
	if (c.off && (rc = ec_office_certs_each(c.off, &f, on_cert, &w))) {
		rc = fail(rc);
		goto out;
	}
	if (w.n && !w.pub) {
		errmsg("the public register '%s' does not exist: run '" PROG " publish'", path);
		rc = 1;
		goto out;
	}
	if (w.bad) {
		errmsg("%zu of %zu certificates fail the check", w.bad, w.n);
		rc = 1;
		goto out;
	}
	printf("certificates: %zu verified (e-Cert signature, QR token, public register)\n", w.n);
out:
	if (w.pub)
		ec_pubreg_close(w.pub);
	if (w.trust)
		ec_trust_free(w.trust);
	ctx_close(&c);
	return rc;
}
