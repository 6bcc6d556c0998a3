/* The office register's append-only, hash-chained audit log: numbers and hashes only, no personal data. */
#ifndef EC_AUDIT_H
#define EC_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"

struct ec_office;
struct ec_kvtxn;

enum ec_audit_op {
	EC_AUDIT_IMPORT = 1,     /* an exam result (subject: registration-number hash) */
	EC_AUDIT_APPLY = 2,      /* an application (subject: registration-number hash) */
	EC_AUDIT_ISSUE = 3,      /* a certificate issued (subject: number) */
	EC_AUDIT_REVOKE = 4,
	EC_AUDIT_RENEW = 5,      /* the new certificate of a renewal */
	EC_AUDIT_SUPERSEDE = 6,  /* the old certificate of a renewal */
	EC_AUDIT_MAIL = 7,
	EC_AUDIT_PUBLISH = 8,    /* the public register rebuilt (no subject) */
	EC_AUDIT_CRL = 9,        /* a CRL number drawn (subject: none; record hash over the KID) */
	EC_AUDIT_WITHDRAW = 10,  /* an application withdrawn before issuance (record hash over what it was) */
	EC_AUDIT_AMEND = 11,     /* an exam result corrected before any application (record hash after) */
	EC_AUDIT_REISSUE = 12,   /* the new certificate of a reissue (a correction; the old one is revoked) */
	EC_AUDIT_BIND = 13,      /* an exam record bound to a portal account (record hash over id || reg_no) */
	EC_AUDIT_UNBIND = 14     /* an exam record unbound from its account */
};

enum ec_audit_subject {
	EC_AUDIT_SUBJ_NONE = 0,
	EC_AUDIT_SUBJ_NUMBER = 1,  /* a certificate number */
	EC_AUDIT_SUBJ_REGNO = 2    /* SHA-256 of "ecert-regno\0" || registration number */
};

/* One entry. Plain value type. */
struct ec_audit_entry {
	uint64_t seq;                           /* 1, 2, 3, ... without gaps */
	int64_t time;                           /* seconds since the epoch */
	enum ec_audit_op op;
	enum ec_audit_subject subject_kind;
	char number[EC_NUMBER_DIGITS + 1];      /* SUBJ_NUMBER */
	unsigned char reg_hash[32];             /* SUBJ_REGNO */
	unsigned char record_hash[32];          /* SHA-256 of the stored record bytes after the change */
	unsigned char prev[32];                 /* hash of the previous entry's encoding; zeros for seq 1 */
};

/* "import", "apply", "issue", "revoke", "renew", "supersede", "mail", "publish", "crl", "withdraw", "amend"; "?"
 * otherwise. */
const char *ec_audit_op_name(enum ec_audit_op op);

/*
 * Walk the whole chain: seq contiguous from 1, each entry's prev equal to SHA-256 of the previous
 * entry's stored bytes, each entry decodes, and the last entry's hash equal to the head kept in the
 * register's metadata (so a truncated tail is caught). EC_ERR_CORRUPT "audit chain broken at entry
 * N: ..." for the first broken link, N being the first entry whose check fails (an entry whose bytes
 * were altered breaks the link stored in the entry after it, so N = that seq + 1; the last entry
 * is checked against the head). *count (if not NULL) gets the number of entries checked, or N on
 * EC_ERR_CORRUPT.
 */
int ec_audit_verify(struct ec_office *o, uint64_t *count);

/* Every entry in order; fn returns 0 to go on, 1 to stop, < 0 to fail with that code. */
int ec_audit_each(struct ec_office *o, int (*fn)(void *ctx, const struct ec_audit_entry *e), void *ctx);

/*
 * For office.c: append an entry inside write transaction t (seq, prev and time are filled here; time
 * from `now`). subject is the number (SUBJ_NUMBER), the registration number (SUBJ_REGNO, hashed
 * here) or NULL; rec[0..reclen) the record bytes as stored.
 */
int ec_audit_append(struct ec_kvtxn *t, int64_t now, enum ec_audit_op op, enum ec_audit_subject kind,
    const char *subject, const void *rec, size_t reclen);

#endif
