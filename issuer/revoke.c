/* ecert-issue revoke and crl: revocation with an RFC 5280 reason, and re-signing every issuing CA's CRL. */
#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "crl.h"
#include "date.h"
#include "err.h"
#include "issuer.h"
#include "pki.h"

int
cmd_revoke(struct opts *o)
{
	struct ctx c;
	struct signing sg;
	struct ec_cert *r;
	struct ec_notice notice;
	char d[11];
	size_t n = 0;
	int code, rc;

	if (!o->reason)
		return usage_err("revoke needs --reason REASON (an RFC 5280 reason name such as keyCompromise)");
	if ((code = ec_crl_reason_parse(o->reason)) < 0)
		return usage_err("unknown revocation reason '%s' (unspecified, keyCompromise, affiliationChanged, "
		    "superseded, cessationOfOperation, certificateHold, privilegeWithdrawn)", o->reason);
	memset(&sg, 0, sizeof sg);
	if ((rc = cert_open(&c, o, NEED_CONF | NEED_OFFICE, &r)))
		goto out;
	/* The passphrase is checked before anything changes: a revocation always comes with its CRL. */
	if ((rc = signing_open(&sg, &c, o, r->e.kid)))
		goto out;
	/*
	 * Already revoked: a run killed between the register commit and the CRL write left the CRL behind,
	 * so it is re-signed here too. The same reason again is that run completing; another is refused.
	 */
	if (r->status == EC_ST_REVOKED) {
		if ((rc = crl_resign(&sg, &c, &n))) {
			rc = fail(rc);
			goto out;
		}
		ec_date_format(ec_date_from_time(r->revoked_at), d);
		if (strcmp(r->reason, ec_crl_reason_name(code)) != 0) {
			errmsg("certificate '%s' is already revoked (%s, %s)", r->e.number, d, r->reason);
			rc = 1;
			goto out;
		}
		printf("%s was already revoked (%s, %s); CRL %s/crl/%s.crl re-signed with %zu entr%s\n", r->e.number,
		    d, r->reason, c.dir, r->e.kid, n, n == 1 ? "y" : "ies");
		goto out;
	}
	if ((rc = notice_cert(&c, "revoked", r, &notice)) ||
	    (rc = ec_office_revoke(c.off, r->e.number, ec_time_now(), ec_crl_reason_name(code),
	    notice.to[0] ? &notice : NULL, r)) || (rc = crl_resign(&sg, &c, &n))) {
		rc = fail(rc);
		goto out;
	}
	printf("revoked %s (%s); CRL %s/crl/%s.crl re-signed with %zu entr%s\n", r->e.number,
	    ec_crl_reason_name(code), c.dir, r->e.kid, n, n == 1 ? "y" : "ies");
out:
	signing_close(&sg);
	ctx_close(&c);
	free(r);
	return rc;
}

int
cmd_crl(struct opts *o)
{
	struct ctx c;
	struct signing sg;
	struct ec_ca_info *cas = NULL;
	size_t i, n, ncas = 0;
	int rc;

	memset(&sg, 0, sizeof sg);
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_OFFICE)))
		return rc;
	if ((rc = ec_ca_list(c.dir, &cas, &ncas))) {
		rc = fail(rc);
		goto out;
	}
	if ((rc = signing_open(&sg, &c, o, NULL)))
		goto out;
	/* Every issuing CA signs its own CRL, retired ones included; they share the issuing passphrase. */
	for (i = 0; i < ncas; i++) {
		if (cas[i].is_root)
			continue;
		if ((rc = signing_load(&sg, &c, cas[i].kid)) || (rc = crl_resign(&sg, &c, &n))) {
			rc = fail(rc);
			goto out;
		}
		printf("%s/crl/%s.crl: %zu revoked%s\n", c.dir, cas[i].kid, n, cas[i].current ? "" : " (retired CA)");
		c.republish = 1;
	}
out:
	signing_close(&sg);
	free(cas);
	ctx_close(&c);
	return rc;
}
