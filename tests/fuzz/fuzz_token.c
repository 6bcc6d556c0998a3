/* Fuzz the QR token: ec_token_decode (no key) and ec_token_verify against the fixed trust bundle. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "helper.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_ecert d, v;
	struct ec_buf b;
	int rd, rv;

	rd = ec_token_decode((const char *)data, size, &d);
	rv = ec_token_verify(fuzz_trust(), (const char *)data, size, &v);
	/* What verifies must decode to the same facts, and re-serialise within the token's profile. */
	if (rv == EC_OK) {
		if (rd != EC_OK || strcmp(d.number, v.number) || strcmp(d.name, v.name) || strcmp(d.kid, v.kid) ||
		    d.effective != v.effective || d.expires != v.expires)
			abort();
	}
	if (rd == EC_OK) {
		ec_buf_init(&b);
		if (ec_token_payload(&d, &b) != EC_OK)
			abort();
		ec_buf_free(&b);
	}
	return 0;
}
