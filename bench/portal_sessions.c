/*
 * Benchmark helper: signed-in portal clients without the mail round trip.
 * usage: portal_sessions DIR N
 * Signs in N times, in DIR's office register (opened as the portal opens it), the holders of the
 * first N valid electronic certificates (by their email; fewer certificates are taken in turn, each
 * holder signed in several times), as ecert-portald's sign-in does after a mailed link, and prints
 * one line per session: "SESSION-COOKIE NUMBER" (the cookie's value, the number of a certificate
 * that session may download). The portal's benchmark drives wrk with them; tests/e2e/portal.sh
 * holds 1,000 sessions at once with them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "digest.h"
#include "err.h"
#include "office.h"
#include "portal.h"

struct pick {
	size_t want, n;
	char (*email)[EC_EMAIL_MAX + 1];
	char (*number)[EC_NUMBER_DIGITS + 1];
};

static int
one(void *ctx, const struct ec_cert *c)
{
	struct pick *p = ctx;

	if (c->status != EC_ST_VALID || c->e.format != EC_FORMAT_ELECTRONIC || !c->email[0])
		return 0;
	memcpy(p->email[p->n], c->email, sizeof p->email[0]);
	memcpy(p->number[p->n], c->e.number, sizeof p->number[0]);
	return ++p->n == p->want;
}

int
main(int argc, char **argv)
{
	struct ec_office *o = NULL;
	struct pick p;
	struct ec_session s;
	struct ec_account a;
	unsigned char raw[32], sid[32];
	char cookie[65];
	size_t i, k;
	int r;

	if (argc != 3 || atoi(argv[2]) < 1) {
		fprintf(stderr, "usage: portal_sessions DIR N\n");
		return 2;
	}
	memset(&p, 0, sizeof p);
	p.want = (size_t)atoi(argv[2]);
	p.email = calloc(p.want, sizeof *p.email);
	p.number = calloc(p.want, sizeof *p.number);
	if (!p.email || !p.number)
		return 2;
	if ((r = ec_office_open(argv[1], EC_OFFICE_SHARED, &o)) || (r = ec_office_certs_each(o, NULL, one, &p))) {
		fprintf(stderr, "portal_sessions: %s\n", ec_err_msg(r));
		return 2;
	}
	if (p.n == 0) {
		fprintf(stderr, "portal_sessions: no valid electronic certificate in '%s'\n", argv[1]);
		return 1;
	}
	for (i = 0; i < p.want; i++) {
		memset(&s, 0, sizeof s);
		if (RAND_bytes(raw, sizeof raw) != 1 || RAND_bytes(s.csrf, sizeof s.csrf) != 1)
			return 2;
		for (k = 0; k < sizeof raw; k++)
			snprintf(cookie + 2 * k, 3, "%02x", raw[k]);
		ec_sha256(cookie, strlen(cookie), sid);
		if ((r = ec_portal_signin(o, p.email[i % p.n], (int64_t)time(NULL), sid, &s, &a))) {
			fprintf(stderr, "portal_sessions: %s\n", ec_err_msg(r));
			return 2;
		}
		printf("%s %s\n", cookie, p.number[i % p.n]);
	}
	ec_office_close(o);
	free(p.email);
	free(p.number);
	return 0;
}
