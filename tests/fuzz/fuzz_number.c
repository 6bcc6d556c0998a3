/* Fuzz ec_number_parse: what a person types (or a URL carries) as a certificate number. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "helper.h"
#include "number.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char num[EC_NUMBER_DIGITS + 1], again[EC_NUMBER_DIGITS + 1], disp[EC_NUMBER_DISPLAY + 1];
	char *s = fuzz_str(data, size);
	int rc;

	/* The length-bounded parser must never read past size; s only feeds the NUL-terminated checks. */
	rc = ec_number_parse((const char *)data, size, num);
	if (rc == EC_OK) {
		if (strlen(num) != EC_NUMBER_DIGITS || !ec_number_valid(num))
			abort();
		ec_number_display(num, disp);
		if (strlen(disp) != EC_NUMBER_DISPLAY || ec_number_parse(disp, strlen(disp), again) != EC_OK ||
		    strcmp(num, again) != 0 || ec_number_programme(num) > 9999)
			abort();
	} else if (rc != EC_ERR_SYNTAX && rc != EC_ERR_CHECKSUM) {
		abort();
	}
	if (ec_number_valid(s) && (strlen(s) != EC_NUMBER_DIGITS || ec_number_parse(s, strlen(s), num) != EC_OK))
		abort();
	free(s);
	return 0;
}
