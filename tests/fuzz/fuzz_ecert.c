/* Fuzz the e-Cert parsers: ec_ecert_parse, the X509 signature check and the fast ec_ecert_verify, which must agree. */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "cert.h"
#include "err.h"
#include "helper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_ecert p, s, v;
	X509 *x = NULL;
	char *pem = NULL;
	size_t pemlen;
	int rp, rs = EC_ERR_SYNTAX, rv;

	memset(&s, 0, sizeof s);
	rp = ec_ecert_parse(data, size, &p, &x);
	if (rp == EC_OK) {
		if (x == NULL || strlen(p.number) != EC_NUMBER_DIGITS)
			abort();
		rs = ec_trust_check_signature(fuzz_trust(), x, &s);
		ec_ecert_check_dates(&p, fuzz_day());
		if (ec_der_to_pem(data, size, &pem, &pemlen) == EC_OK)
			free(pem);
	}
	X509_free(x);
	rv = ec_ecert_verify(fuzz_trust(), data, size, &v);
	/* The fast path accepts exactly what parse + signature check accept, with the same facts. */
	if ((rv == EC_OK) != (rp == EC_OK && rs == EC_OK))
		abort();
	if (rv == EC_OK && (strcmp(v.number, p.number) || strcmp(v.name, p.name) || strcmp(v.kid, s.kid) ||
	    v.effective != p.effective || v.expires != p.expires || v.issued_at != p.issued_at))
		abort();
	return 0;
}
