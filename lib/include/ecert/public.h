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

/*
 * Open a published copy (a snapshot's public/, which no process writes): read-only without LMDB's
 * lock file, so the replica needs no write access anywhere.
 */
int ec_pubreg_open_frozen(const char *path, struct ec_pubreg **out);

/* Copy r, compacted, into the existing empty directory dir (ec_kv_copy: writers go on meanwhile). */
int ec_pubreg_copy(struct ec_pubreg *r, const char *dir);

/* The office generation r reflects and how many certificates it holds. */
int ec_pubreg_counts(struct ec_pubreg *r, uint64_t *generation, size_t *certificates);

/* Look up a 22-digit number. EC_ERR_NOTFOUND when unknown. */
int ec_pubreg_get(struct ec_pubreg *r, const char *number, struct ec_pub *out);

#define EC_NAME_KEY_LEN 32
/*
 * Read the name key file (DIR/name.key, which ec_pubw_open makes: 64 hexadecimal digits) into key;
 * the caller wipes it. EC_ERR_NOTFOUND when the file is missing, EC_ERR_CORRUPT when malformed,
 * EC_ERR_IO when it cannot be read. The endpoint reads it before it drops its privileges.
 */
int ec_name_key_read(const char *path, unsigned char key[EC_NAME_KEY_LEN]);

/* Give r the name key that name checks need (copied); until then r answers lookups but no name check. */
int ec_pubreg_name_key(struct ec_pubreg *r, const unsigned char key[EC_NAME_KEY_LEN]);

/*
 * 1 when name (as a person typed it) matches the record's holder name under ec_name_fold, 0 when not,
 * EC_ERR_UNSUPPORTED when r has no name key. The work and the comparison are the same either way.
 */
int ec_pubreg_name_matches(struct ec_pubreg *r, const struct ec_pub *p, const char *name, size_t len);

/* Seconds since the public register was last written (for /metrics); negative error code on failure. */
int64_t ec_pubreg_age(struct ec_pubreg *r);

/*
 * Write side, for ecert-issue (office.c drives it; see docs/register.md on the generation number).
 * A writable handle on DIR/public; not shared between threads. The register is created 0755. The
 * name key (32 random bytes, the HMAC key of the holders' names) lives in the file key_path
 * (DIR/name.key), never in the register: ec_pubw_open creates it (0640) when it is missing, and
 * moves a key an earlier version kept in the register's metadata out to it. The public register never
 * holds the full name, the email, the phone, the address, the QR token (the token's payload carries
 * the full name) or the name key.
 */
struct ec_pubw;

int ec_pubw_open(const char *path, const char *key_path, struct ec_pubw **out);
void ec_pubw_close(struct ec_pubw *w);

/* The office generation the public register reflects (0 when never written). */
int ec_pubw_generation(struct ec_pubw *w, uint64_t *gen);

/*
 * Fill the public view *out of one certificate: e's facts, masked name and the name HMAC under this
 * register's key, status as stored, revocation, supersession and issuer CN; out->token stays "".
 */
int ec_pubw_make(struct ec_pubw *w, const struct ec_ecert *e, enum ec_status status, int64_t revoked_at,
    const char *reason, const char *superseded_by, const char *issuer, struct ec_pub *out);

/* Put recs[0..n) (insert or replace) and record generation, in one write transaction. */
int ec_pubw_put(struct ec_pubw *w, const struct ec_pub *recs, size_t n, uint64_t generation);

/*
 * Replace the whole content with what next() yields (1 = *p filled, 0 = end, < 0 error), in strictly
 * increasing number order, and record generation, in one write transaction; readers see the old
 * content until it commits. rewind() starts next() over when the transaction must be replayed.
 * *count (if not NULL) gets the number of records written.
 */
int ec_pubw_rebuild(struct ec_pubw *w, int (*rewind)(void *ctx), int (*next)(void *ctx, struct ec_pub *p),
    void *ctx, uint64_t generation, size_t *count);

#endif
