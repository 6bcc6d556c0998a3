/* Plain value types shared across modules: dates, formats, statuses, the facts of an e-Cert. */
#ifndef EC_TYPES_H
#define EC_TYPES_H

#include <stdint.h>

#define EC_NUMBER_DIGITS 22       /* a certificate number, ungrouped */
#define EC_NUMBER_DISPLAY 27      /* grouped 4-4-4-4-4-2 with single spaces */
#define EC_KID_LEN 11             /* base64url(SHA-256(SPKI)), first 11 characters */
#define EC_NAME_MAX_CP 64         /* code points in a holder name (the X.509 CN bound) */
#define EC_NAME_MAX_BYTES 192     /* 64 BMP code points are at most 192 UTF-8 bytes */
#define EC_CODE_MAX 31            /* certification code, e.g. "HCIA-AI" */
#define EC_TITLE_MAX 127          /* certification title */
#define EC_TOKEN_MAX 511          /* compact JWS; the QR bound keeps real ones far shorter */
#define EC_ORG_MAX_CP 41          /* "<org> Issuing CA <KID>" must fit the 64-character CN bound */

/* Days since 1970-01-01 in the proleptic Gregorian calendar; dates carry no time zone. */
typedef int32_t ec_day;

enum ec_format { EC_FORMAT_ELECTRONIC = 0, EC_FORMAT_PAPER = 1 };

enum ec_alg { EC_ALG_P256 = 0, EC_ALG_ED25519 = 1 };

/* Stored statuses; EC_ST_EXPIRED and EC_ST_NOT_YET_VALID are derived at read time from the dates. */
enum ec_status {
	EC_ST_NOT_APPLIED = 0,
	EC_ST_REQUESTED = 1,
	EC_ST_VALID = 2,          /* the guide's "Approved" */
	EC_ST_REVOKED = 3,
	EC_ST_EXPIRED = 4,
	EC_ST_SUPERSEDED = 5,
	EC_ST_NOT_YET_VALID = 6   /* signed, but its effective date is still to come (public views) */
};

/*
 * The facts an e-Cert carries, as signed into the X.509 certificate and (in part) the QR token.
 * Fixed-size, NUL-terminated fields: no ownership, copy freely.
 */
struct ec_ecert {
	char number[EC_NUMBER_DIGITS + 1];
	char name[EC_NAME_MAX_BYTES + 1];        /* NFC UTF-8 */
	char code[EC_CODE_MAX + 1];
	char title[EC_TITLE_MAX + 1];
	enum ec_format format;
	ec_day effective;                        /* valid from 00:00:00Z */
	ec_day expires;                          /* valid through 23:59:59Z */
	int64_t issued_at;                       /* seconds since the epoch, UTC */
	char renewal_of[EC_NUMBER_DIGITS + 1];   /* "" unless a renewal */
	char kid[EC_KID_LEN + 1];                /* the issuing CA */
};

#endif
