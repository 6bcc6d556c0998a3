/* The rules a run of issuance checks before it signs anything (lib/issue/issuance.c). */
#ifndef EC_ISSUANCE_H
#define EC_ISSUANCE_H

#include <stdint.h>

#include "catalog.h"
#include "date.h"

/*
 * An e-Cert must end within its issuing CA's life: 0 when the certificate for an exam of `code`
 * passed on exam_date expires (at the end of its last day, UTC) no later than ca_not_after, or when
 * the code is no longer in the catalogue (issuance refuses it with its own message); otherwise
 * EC_ERR_REFUSED with a detail naming reg_no, the expiry, the CA's kid and its end.
 */
int ec_issue_within_ca(const struct ec_catalog *cat, const char *reg_no, const char *code, ec_day exam_date,
    int64_t ca_not_after, const char *ca_kid);

#endif
