/* The public register: what the verification endpoint may show, no personal data (read side). */
#ifndef EC_PUBLIC_H
#define EC_PUBLIC_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"

/* One certificate as the public may see it. Plain value type. */
struct ec_pub {
	char number[EC_NUMBER_DIGITS + 1];
	enum ec_status status;                    /* as stored; see ec_pub_status() for the shown one */
	char code[EC_CODE_MAX + 1];
	char title[EC_TITLE_MAX + 1];
	ec_day effective, expires;
	char name_masked[EC_NAME_MAX_BYTES * 2 + 1];
	unsigned char name_mac[32];               /* HMAC-SHA-256(register key, ec_name_fold(name)) */
	ec_day revoked_on;                        /* when status is EC_ST_REVOKED */
	char reason[32];                          /* RFC 5280 reason name, e.g. "keyCompromise" */
	char superseded_by[EC_NUMBER_DIGITS + 1]; /* "" unless superseded */
	char renewal_of[EC_NUMBER_DIGITS + 1];    /* "" unless a renewal */
	char issuer[160];                         /* the issuing CA's subject CN */
	char kid[EC_KID_LEN + 1];
	char token[EC_TOKEN_MAX + 1];             /* the signed QR token */
};

/* The status to show on day today: valid or superseded past its expiration date reads as expired. */
enum ec_status ec_pub_status(const struct ec_pub *p, ec_day today);

/* The CLI/JSON spelling ("valid", "revoked", ...) and the guide's word ("Approved", "Revoked", ...). */
const char *ec_status_name(enum ec_status s);
const char *ec_status_word(enum ec_status s);

/*
 * A read-only handle on DIR/public, for ecert-verifyd. Safe to share between threads; each lookup
 * sees the newest committed data (new issuances and revocations without a restart).
 */
struct ec_pubreg;

int ec_pubreg_open(const char *path, struct ec_pubreg **out);
void ec_pubreg_close(struct ec_pubreg *r);

/* Look up a 22-digit number. EC_ERR_NOTFOUND when unknown. */
int ec_pubreg_get(struct ec_pubreg *r, const char *number, struct ec_pub *out);

/* 1 when name (as a person typed it) matches the record's holder name under ec_name_fold, 0 when not. */
int ec_pubreg_name_matches(struct ec_pubreg *r, const struct ec_pub *p, const char *name, size_t len);

/* Seconds since the public register was last written (for /metrics); negative error code on failure. */
int64_t ec_pubreg_age(struct ec_pubreg *r);

#endif
