/* The rules a run of issuance checks before it signs anything. */
#include <stdio.h>
#include <time.h>

#include "err.h"
#include "issuance.h"

int
ec_issue_within_ca(const struct ec_catalog *cat, const char *reg_no, const char *code, ec_day exam_date,
    int64_t ca_not_after, const char *ca_kid)
{
	const struct ec_cat_entry *ce;
	char exp[11], ca[21];
	struct tm tm;
	time_t t = (time_t)ca_not_after;

	if (!(ce = ec_catalog_find(cat, code)))
		return 0;
	if (ec_date_to_time(ec_date_expiry(exam_date, ce->years)) + 86399 <= ca_not_after)
		return 0;
	ec_date_format(ec_date_expiry(exam_date, ce->years), exp);
	if (!gmtime_r(&t, &tm) || strftime(ca, sizeof ca, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(ca, sizeof ca, "?");
	return ec_err_set(EC_ERR_REFUSED, "the e-Cert for '%s' would expire on %s, after its issuing CA '%s' (valid "
	    "until %s)", reg_no, exp, ca_kid, ca);
}
