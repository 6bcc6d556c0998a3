/*
 * The candidates' side of the office register (lib/store/office_portal.c): accounts, the addresses
 * associated with them, which exam records belong to which account, sign-in sessions and the
 * one-time tokens mailed for sign-in and association. Secrets are never stored: sessions and tokens
 * are keyed by the SHA-256 of what the browser or the mail holds.
 */
#ifndef EC_PORTAL_H
#define EC_PORTAL_H

#include <stddef.h>
#include <stdint.h>
#include "office.h"

#define EC_PORTAL_HASH 32
#define EC_SESSION_IDLE (30 * 60)      /* seconds without a request before a session ends */
#define EC_SESSION_MAX (8 * 3600)      /* seconds after sign-in that a session ends anyway */
#define EC_TOKEN_TTL (15 * 60)         /* seconds a mailed link or code stays usable */
#define EC_CODE_TRIES 5                /* wrong codes before a sign-in request is spent */

/* An account: made by its first sign-in. Plain value type. */
struct ec_account {
	uint64_t id;                       /* from 1 */
	char email[EC_EMAIL_MAX + 1];      /* the address it was made with, as typed */
	int64_t created;
	uint32_t epoch;                    /* sessions of another epoch are signed out ("everywhere") */
};

/* A signed-in browser. */
struct ec_session {
	uint64_t acct;
	uint32_t epoch;
	int64_t created, seen;
	unsigned char csrf[32];            /* the forms' hidden csrf value (hex-encoded in pages) */
};

enum ec_tk {
	EC_TK_LOGIN = 1,                   /* sign in as email */
	EC_TK_ADDR_ADD = 2,                /* associate email with acct */
	EC_TK_ADDR_DEL = 3,                /* disassociate email from acct */
	EC_TK_RECORD = 4                   /* bind reg_no to acct (score report), the link mailed to email */
};

/* A mailed one-time token, as stored under the SHA-256 of its secret. */
struct ec_ptoken {
	enum ec_tk kind;
	uint64_t acct;                     /* 0 for a sign-in */
	char email[EC_EMAIL_MAX + 1];
	char reg_no[EC_REGNO_MAX + 1];     /* EC_TK_RECORD only */
	int64_t created, expires;
	unsigned char browser[32];         /* sign-in: SHA-256 of the asking browser's cookie */
	unsigned char code[32];            /* sign-in: SHA-256 of the token hash and the 6-digit code */
	unsigned tries;                    /* wrong codes so far */
};

/* An associated address. */
struct ec_addr {
	char email[EC_EMAIL_MAX + 1];
	int64_t activated;
};

/*
 * Store token t under h (the SHA-256 of its secret). A sign-in token replaces the address's earlier
 * one (one code per address at a time). EC_ERR_ARG a field out of bounds.
 */
int ec_portal_token_put(struct ec_office *o, const unsigned char h[EC_PORTAL_HASH], const struct ec_ptoken *t);

/*
 * Use the token under h once: it must be of kind, unexpired at now and, when browser is not NULL,
 * asked for by that browser. It is deleted, and *out filled. EC_ERR_NOTFOUND unknown or used;
 * EC_ERR_REFUSED expired (then deleted), another kind or another browser (then kept).
 */
int ec_portal_token_take(struct ec_office *o, const unsigned char h[EC_PORTAL_HASH], enum ec_tk kind, int64_t now,
    const unsigned char *browser, struct ec_ptoken *out);

/*
 * Use the pending sign-in of email by its 6-digit code from browser: as ec_portal_token_take; a
 * wrong code counts a try and EC_CODE_TRIES spend the request. EC_ERR_NOTFOUND no pending sign-in;
 * EC_ERR_REFUSED wrong code, expired, spent or another browser.
 */
int ec_portal_code_take(struct ec_office *o, const char *email, const char *code, int64_t now,
    const unsigned char browser[32], struct ec_ptoken *out);

/*
 * Sign in as email at now: the account of that address (made with it, or an address associated with
 * it), else a new one made with it, the address associated and its exam records bound; then session
 * s (its acct and epoch set here) stored under sid (SHA-256 of the cookie). *a gets the account.
 */
int ec_portal_signin(struct ec_office *o, const char *email, int64_t now, const unsigned char sid[EC_PORTAL_HASH],
    struct ec_session *s, struct ec_account *a);

/*
 * The live session under sid at now and its account: idle for less than EC_SESSION_IDLE, younger
 * than EC_SESSION_MAX, of the account's epoch; its last use is recorded (at most once a minute).
 * EC_ERR_NOTFOUND otherwise (an expired one is deleted).
 */
int ec_portal_session(struct ec_office *o, const unsigned char sid[EC_PORTAL_HASH], int64_t now, struct ec_session *s,
    struct ec_account *a);

/* Sign out: delete the session under sid; everywhere: every session of its account too. */
int ec_portal_signout(struct ec_office *o, const unsigned char sid[EC_PORTAL_HASH], int everywhere);

/*
 * Associate email with account acct at now and bind every exam record of it that no account holds.
 * *bound (may be NULL) gets how many were bound. EC_ERR_CONFLICT the address belongs to another
 * account; associating it again changes nothing.
 */
int ec_portal_addr_add(struct ec_office *o, uint64_t acct, const char *email, int64_t now, size_t *bound);

/* Disassociate email from acct, unbinding its records that acct holds. EC_ERR_NOTFOUND not associated. */
int ec_portal_addr_del(struct ec_office *o, uint64_t acct, const char *email, size_t *unbound);

/* acct's addresses in address order. fn as for the office iterators. */
int ec_portal_addrs_each(struct ec_office *o, uint64_t acct, int (*fn)(void *ctx, const struct ec_addr *a),
    void *ctx);

/*
 * Bind exam record reg_no to acct at now (association by score report), with an audit entry.
 * EC_ERR_NOTFOUND no such record; EC_ERR_CONFLICT another account holds it; binding it again changes
 * nothing.
 */
int ec_portal_record_bind(struct ec_office *o, uint64_t acct, const char *reg_no, int64_t now);

/* The exam records acct holds, in registration-number order. */
int ec_portal_records_each(struct ec_office *o, uint64_t acct, ec_exam_fn fn, void *ctx);

/* The account that holds reg_no into *acct (0: none). */
int ec_portal_record_owner(struct ec_office *o, const char *reg_no, uint64_t *acct);

/* The account with this id; EC_ERR_NOTFOUND when none. */
int ec_portal_account(struct ec_office *o, uint64_t id, struct ec_account *a);

/*
 * The office forcibly unbinds reg_no from whichever account holds it, with an audit entry and
 * notices[0..n) queued (those with an address) in the same transaction. expect (0: any) must be the
 * account that holds it, else EC_ERR_CONFLICT. *acct (may be NULL) gets that account.
 * EC_ERR_NOTFOUND not bound to any account.
 */
int ec_office_unbind(struct ec_office *o, const char *reg_no, uint64_t expect, const struct ec_notice *notices,
    size_t n, uint64_t *acct);

/*
 * The holder asks for the renewal of number (a certificate of an exam record acct holds), for the
 * office's next issuance run. EC_ERR_NOTFOUND not this account's; EC_ERR_REFUSED revoked or
 * superseded; EC_ERR_EXISTS asked for already. A renewal, reissue or revocation of number removes it.
 */
int ec_portal_renew_request(struct ec_office *o, uint64_t acct, const char *number, int64_t now);

/* The renewal requests waiting (number NULL: all, in number order; else that number's, if any). */
int ec_office_renew_requests_each(struct ec_office *o, const char *number,
    int (*fn)(void *ctx, const char *number, uint64_t acct, int64_t at), void *ctx);

/*
 * The holder changes the postal address of a paper certificate of acct (valid, not shipped yet),
 * with an "amend" audit entry. EC_ERR_NOTFOUND not this account's; EC_ERR_REFUSED electronic,
 * shipped, revoked or superseded; EC_ERR_ARG empty or over EC_ADDRESS_MAX (the caller checks the text).
 */
int ec_portal_cert_address(struct ec_office *o, uint64_t acct, const char *number, const char *address);

/*
 * The holder asks the office to correct the name of number (a valid certificate of acct) to name
 * (checked by the caller as an application's); a later request replaces it. A reissue, renewal or
 * revocation of number removes it. Errors as ec_portal_renew_request's.
 */
int ec_portal_correction_request(struct ec_office *o, uint64_t acct, const char *number, const char *name,
    int64_t now);

/* The correction requests waiting (number NULL: all, in number order; else that number's). */
int ec_office_corrections_each(struct ec_office *o, const char *number,
    int (*fn)(void *ctx, const char *number, uint64_t acct, int64_t at, const char *name), void *ctx);

/* Delete the sessions and tokens expired at now; *n (may be NULL) gets how many. */
int ec_portal_sweep(struct ec_office *o, int64_t now, size_t *n);

#endif
