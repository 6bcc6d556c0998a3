/* ecert-issue publish: rebuilding the public register from the office register. */
#include <stdio.h>

#include "err.h"
#include "issuer.h"

int
cmd_publish(struct opts *o)
{
	struct ctx c;
	size_t n = 0;
	int rc;

	if ((rc = ctx_open(&c, o, NEED_OFFICE)))
		return rc;
	if ((rc = ec_office_publish(c.off, &n)))
		rc = fail(rc);
	else
		printf("published %zu certificate%s\n", n, n == 1 ? "" : "s");
	ctx_close(&c);
	return rc;
}
