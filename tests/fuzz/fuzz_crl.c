/* Fuzz CRL loading (ec_crl_load, DER or PEM, signature checked against the fixed trust bundle) and lookups. */
#include <stdlib.h>
#include <string.h>

#include "crl.h"
#include "err.h"
#include "helper.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_crl *c = NULL;
	struct ec_crl_entry e;
	struct ec_verify_crl vc;
	int rc;

	rc = ec_crl_load(data, size, fuzz_trust(), &c);
	if (rc == EC_OK) {
		if (c == NULL || (ec_crl_is_root(c) ? strcmp(ec_crl_kid(c), "root") != 0 : strlen(ec_crl_kid(c)) != EC_KID_LEN))
			abort();
		ec_crl_check_fresh(c, fuzz_time());
		/* two valid numbers: whatever a list says of them must read back whole */
		if (ec_crl_lookup(c, "0201875691394086377081", &e) == 1 && strlen(e.number) != EC_NUMBER_DIGITS)
			abort();
		ec_crl_lookup(c, "0101051994221189347574", NULL);
		ec_crl_free(c);
	} else if (c != NULL) {
		abort();
	}
	ec_verify_crl_load(fuzz_trust(), "fuzz.crl", data, size, &vc);
	ec_verify_crl_free(&vc);
	return 0;
}
