/*
 * Fuzz ecert-verify's whole pipeline (ec_verify_mem): whatever the input is taken for (PDF, PEM, DER, QR
 * URL, token), with the fixed trust bundle and CRL, then the JSON report of the result.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "helper.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_verify_opts o;
	struct ec_verify_result r;
	struct ec_buf b;
	int rc;

	memset(&o, 0, sizeof o);
	o.trust = fuzz_trust();
	o.crls = fuzz_crl();
	o.ncrls = 1;
	o.at = fuzz_day();
	o.at_time = fuzz_time();
	(void)ec_verify_is_text((const char *)data, size);
	rc = ec_verify_mem(&o, data, size, &r);
	if (rc != r.code || (rc != EC_OK && (r.failed < 0 || r.failed >= EC_VS_COUNT)) || (rc == EC_OK && !r.have_facts))
		abort();
	ec_buf_init(&b);
	if (ec_verify_json(&r, "fuzz", &b) != EC_OK)
		abort();
	ec_buf_free(&b);
	return 0;
}
