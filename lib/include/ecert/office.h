/* The office register DIR/register/: exam results, applications, certificates, email index, audit, metadata. */
#ifndef EC_OFFICE_H
#define EC_OFFICE_H

#include <stddef.h>
#include <stdint.h>
#include "mail.h"
#include "types.h"

#define EC_REGNO_MAX 32        /* registration number: printable ASCII, no space */
#define EC_PNAME_MAX 128       /* last or first name on a score report, UTF-8 bytes */
#define EC_EMAIL_MAX 254
#define EC_TEL_MAX 32
#define EC_ADDRESS_MAX 255     /* postal address for paper certificates, UTF-8 bytes */
#define EC_ISSUER_MAX 159      /* the issuing CA's subject CN */
#define EC_REASON_MAX 31       /* RFC 5280 reason name, e.g. "keyCompromise" */
#define EC_CARRIER_MAX 63
#define EC_ORDER_MAX 63
#define EC_DER_MAX 4096        /* a signed e-Cert; real ones are about 650 bytes */

/*
 * All structs below are plain value types with fixed-size NUL-terminated fields: no ownership, copy
 * freely. Text fields must be NUL-terminated within their arrays and free of control characters;
 * the register refuses (EC_ERR_ARG) what does not fit its encoding, it does not apply business rules
 * beyond those named at each function.
 */

/* One row of an exam-results import. */
struct ec_exam {
	char reg_no[EC_REGNO_MAX + 1];
	char last_name[EC_PNAME_MAX + 1];
	char first_name[EC_PNAME_MAX + 1];
	char email[EC_EMAIL_MAX + 1];
	char tel[EC_TEL_MAX + 1];
	char code[EC_CODE_MAX + 1];               /* catalogue code of the certification */
	char exam[EC_CODE_MAX + 1];               /* the exam's code: one the certification requires */
	ec_day exam_date;
	int passed;                               /* 1 pass, 0 fail */
};

/* An application; nothing in it changes after submission except status and number at issuance. */
struct ec_app {
	char reg_no[EC_REGNO_MAX + 1];
	enum ec_format format;
	char name[EC_NAME_MAX_BYTES + 1];         /* NFC, exactly as it will be printed */
	char email[EC_EMAIL_MAX + 1];
	char tel[EC_TEL_MAX + 1];
	char address[EC_ADDRESS_MAX + 1];         /* "" for electronic */
	ec_day applied;
	enum ec_status status;                    /* EC_ST_REQUESTED, or EC_ST_VALID once issued */
	char number[EC_NUMBER_DIGITS + 1];        /* "" until issued */
};

/* A certificate as the office keeps it. */
struct ec_cert {
	struct ec_ecert e;                        /* the signed facts (number, name, code, title, dates, kid, ...) */
	char reg_no[EC_REGNO_MAX + 1];
	char email[EC_EMAIL_MAX + 1];
	char tel[EC_TEL_MAX + 1];
	char address[EC_ADDRESS_MAX + 1];
	char issuer[EC_ISSUER_MAX + 1];           /* issuing CA subject CN, shown by the public endpoint */
	enum ec_status status;                    /* stored: EC_ST_VALID, EC_ST_REVOKED or EC_ST_SUPERSEDED */
	unsigned char der[EC_DER_MAX];            /* the signed e-Cert */
	size_t der_len;
	char token[EC_TOKEN_MAX + 1];             /* the signed QR token */
	int64_t revoked_at;                       /* 0 unless revoked */
	char reason[EC_REASON_MAX + 1];           /* "" unless revoked */
	char superseded_by[EC_NUMBER_DIGITS + 1]; /* "" unless renewed */
	char carrier[EC_CARRIER_MAX + 1];         /* paper shipping; "" until mailed */
	char order[EC_ORDER_MAX + 1];
	int64_t mailed_at;                        /* 0 until mailed */
};

/* The status to show on day today: a valid or superseded certificate past its expiration is expired. */
enum ec_status ec_cert_status(const struct ec_cert *c, ec_day today);

/*
 * An open office register. One thread may write (ec_office_issue, ...) while another walks or reads
 * exam results and applications (*_each, ec_office_exam_get, ec_office_app_get); certificate reads
 * (ec_office_cert_get, ec_office_certs_each) fill a skeleton cache without a lock and must not overlap
 * any other call on the handle.
 */
struct ec_office;

#define EC_OFFICE_RDONLY 1u    /* read-only: list, show, export, audit verify; no public-register upkeep */
/*
 * Shared writer (the candidates' portal): writes that touch no certificate (accounts, sessions,
 * bindings, applications) beside the office's own writer, without its lock or the public register;
 * issuing, revoking and the like are refused (EC_ERR_ARG).
 */
#define EC_OFFICE_SHARED 2u

/*
 * Open DIR/register (created 0700 when absent, unless read-only) and, unless read-only, DIR/public
 * (created 0755). dir is the state directory. On a writable open the public register is checked
 * against the office generation and rebuilt if a previous run stopped between the two commits.
 * EC_ERR_NOTFOUND when read-only and DIR/register does not exist. Caller frees with ec_office_close.
 */
int ec_office_open(const char *dir, unsigned flags, struct ec_office **out);
void ec_office_close(struct ec_office *o);

/* A stream of exam rows for ec_office_import_stream. */
struct ec_exam_src {
	int (*rewind)(void *ctx);                          /* start over; called before the first row and on a replay */
	int (*next)(void *ctx, struct ec_exam *row);       /* 1 row filled, 0 end, < 0 error (aborts the import) */
	void *ctx;
};

struct ec_import_stats {
	size_t added;           /* new registration numbers */
	size_t unchanged;       /* identical to what was stored */
	size_t amended;         /* corrected (EC_IMPORT_UPDATE) */
};

/*
 * Import exam results in ONE write transaction: all rows or none. Idempotent per registration number:
 * a row identical to the stored one changes nothing; a row that differs (or two differing rows in the
 * input) makes the whole import fail with EC_ERR_REFUSED "registration number 'X' already imported with
 * different data". The source may be read more than once (rewind), when the map had to grow.
 * st may be NULL. Appends one audit entry per new row.
 */
int ec_office_import_stream(struct ec_office *o, const struct ec_exam_src *src, struct ec_import_stats *st);
/* The same for rows[0..n). */
int ec_office_import(struct ec_office *o, const struct ec_exam *rows, size_t n, struct ec_import_stats *st);

/*
 * The same with flags: EC_IMPORT_UPDATE makes a row that differs from the stored one a correction
 * (as ec_office_exam_amend: an "amend" audit entry; EC_ERR_REFUSED, and nothing stored, when that
 * registration number has an application); EC_IMPORT_NO_NEW refuses (EC_ERR_NOTFOUND) a
 * registration number not stored yet.
 */
#define EC_IMPORT_UPDATE 1u
#define EC_IMPORT_NO_NEW 2u
int ec_office_import_ex(struct ec_office *o, const struct ec_exam *rows, size_t n, unsigned flags,
    struct ec_import_stats *st);

/*
 * Correct the stored exam result for x->reg_no to x, with an audit entry ("amend"), only while no
 * application exists for it. *old (may be NULL) gets what it was. EC_ERR_NOTFOUND no such exam
 * result; EC_ERR_REFUSED an application exists (withdraw it first; an issued one is not amended).
 */
int ec_office_exam_amend(struct ec_office *o, const struct ec_exam *x, struct ec_exam *old);

/*
 * A person's exam results: those whose email is email (any case), in registration-number order, in
 * one read transaction; email NULL walks every person's, grouped by address. fn as for the iterators below.
 */
int ec_office_person_exams(struct ec_office *o, const char *email,
    int (*fn)(void *ctx, const struct ec_exam *x), void *ctx);

/* The exam result for reg_no; EC_ERR_NOTFOUND when none. */
int ec_office_exam_get(struct ec_office *o, const char *reg_no, struct ec_exam *out);

/*
 * Store application a (a->status and a->number are ignored: stored as requested, no number).
 * Refuses: EC_ERR_NOTFOUND when no exam result exists for a->reg_no; EC_ERR_REFUSED when that exam
 * was not passed; EC_ERR_EXISTS when an application exists for that reg_no, in which case *existing
 * (if not NULL) receives it, unchanged; EC_ERR_CONFLICT when the exam's person (its email, any case)
 * has an application for the same certification waiting under another reg_no. Business rules (consent, working days, formats the catalogue
 * allows, name validity) are the caller's.
 */
int ec_office_apply(struct ec_office *o, const struct ec_app *a, struct ec_app *existing);

/*
 * Store apps[0..n) in one write transaction, each independently: rc[i] gets what ec_office_apply
 * would return for apps[i] (0, EC_ERR_NOTFOUND, EC_ERR_REFUSED, EC_ERR_EXISTS, EC_ERR_CONFLICT,
 * EC_ERR_ARG).
 * The function returns 0 when the transaction committed (whatever the rc[i]), else the failure.
 */
int ec_office_apply_many(struct ec_office *o, const struct ec_app *apps, size_t n, int *rc);

/*
 * Withdraw the application for reg_no before issuance, with an audit entry (the hash of what it
 * was): the candidate may apply again. *out (may be NULL) gets what was withdrawn. EC_ERR_NOTFOUND
 * no application; EC_ERR_REFUSED it was issued already.
 */
int ec_office_withdraw(struct ec_office *o, const char *reg_no, struct ec_app *out);

/* The application for reg_no; EC_ERR_NOTFOUND when none. */
int ec_office_app_get(struct ec_office *o, const char *reg_no, struct ec_app *out);

/*
 * Iteration: fn is called once per record in key order inside one read transaction, with a pointer
 * valid only during the call. fn returns 0 to go on, 1 to stop (the iterator then returns 0), or a
 * negative ec_err that the iterator returns. fn must not write to the office register (collect, then
 * write after the iterator returns).
 */
typedef int (*ec_exam_fn)(void *ctx, const struct ec_exam *x);
typedef int (*ec_app_fn)(void *ctx, const struct ec_app *a);
typedef int (*ec_cert_fn)(void *ctx, const struct ec_cert *c);

int ec_office_exams_each(struct ec_office *o, ec_exam_fn fn, void *ctx);
/* requested_only: 1 = only applications still waiting for issuance (from an index: cheap), 0 = all. */
int ec_office_apps_each(struct ec_office *o, int requested_only, ec_app_fn fn, void *ctx);
/*
 * The applications still waiting for issuance whose registration number sorts strictly after `after`
 * ("" = from the first), in that order, each with its exam result read in the same transaction: a
 * long issuance walks the pending ones a batch at a time, stopping fn with 1, without holding them all
 * in memory. EC_ERR_NOTFOUND "no exam result for registration number 'X'" when one is missing.
 * x is valid only during the call.
 */
typedef int (*ec_pending_fn)(void *ctx, const struct ec_app *a, const struct ec_exam *x);
int ec_office_pending_exams_from(struct ec_office *o, const char *after, ec_pending_fn fn, void *ctx);

/*
 * Issue a batch in ONE write transaction: for each certs[i] (with e.number, e.kid, der, token, issuer,
 * reg_no, email, tel, address filled; status, revocation, superseded_by and mailing are ignored) store
 * the certificate as valid, mark the application for certs[i].reg_no issued with that number, index
 * the email and append an audit entry. Each certificate is whole or absent: rc[i] = 0 stored,
 * EC_ERR_NOTFOUND no application for reg_no, EC_ERR_EXISTS the application already has a number
 * (re-running never issues twice), EC_ERR_REFUSED the number is already in use (draw a new one),
 * EC_ERR_CONFLICT the person (the email) holds a live certificate of that certification (stored
 * valid, still valid on the new one's effective date: one live certificate per person and
 * certification; renewal replaces it), EC_ERR_ARG a field out of bounds. notices (NULL: none) holds
 * n notices: notices[i] (unless its to is "") joins the outbox in the same transaction when certs[i]
 * is stored, and only then. Returns 0 when
 * committed (and the public register updated), else the failure and nothing was stored.
 */
int ec_office_issue(struct ec_office *o, const struct ec_cert *certs, const struct ec_notice *notices, size_t n,
    int *rc);

/*
 * The live certificate of a person (email, any case) and certification code on day: stored valid
 * (not revoked, not superseded) and expiring on or after day. Its number into number ("" when there
 * is none) and its expiration into *expires (may be NULL). A read, safe beside a writer.
 */
int ec_office_live(struct ec_office *o, const char *email, const char *code, ec_day day,
    char number[EC_NUMBER_DIGITS + 1], ec_day *expires);

/* The certificate with this 22-digit number; EC_ERR_NOTFOUND when none. */
int ec_office_cert_get(struct ec_office *o, const char *number, struct ec_cert *out);

/* Filter for ec_office_certs_each; zero-initialised = every certificate. */
struct ec_cert_filter {
	const char *email;       /* NULL = any; else exact, ASCII case-insensitive, through the email index */
	int status;              /* 0 = any; else 1 + enum ec_status, compared with ec_cert_status(c, today) */
	ec_day today;
};

/* Certificates matching f in number order (email: in number order within that email). */
int ec_office_certs_each(struct ec_office *o, const struct ec_cert_filter *f, ec_cert_fn fn, void *ctx);

/*
 * Revoke number at time `at` for reason (an RFC 5280 reason name the caller has checked). One write
 * transaction with its audit entry and notice (when not NULL); the public register follows.
 * EC_ERR_NOTFOUND unknown number, EC_ERR_REFUSED already revoked. If out is not NULL it receives the
 * updated record (its e.kid names the CRL to re-sign).
 */
int ec_office_revoke(struct ec_office *o, const char *number, int64_t at, const char *reason,
    const struct ec_notice *notice, struct ec_cert *out);

/*
 * Renew: store newc (a fully signed certificate whose e.renewal_of names the old number; same fields
 * as for ec_office_issue) and set the old certificate's status to superseded with superseded_by =
 * the new number, with audit entries and the new certificate's notice (when not NULL), in one write
 * transaction. EC_ERR_NOTFOUND the old number is
 * unknown; EC_ERR_REFUSED it is revoked or already superseded, or the new number is in use.
 */
int ec_office_renew(struct ec_office *o, const struct ec_cert *newc, const struct ec_notice *notice);

/*
 * Reissue (a correction of name or address after issuance): store newc (fully signed, e.renewal_of
 * naming the old number, the old one's dates) and revoke the old certificate at `at` with reason
 * superseded and superseded_by = the new number (so its CRL lists it), with audit entries ("reissue",
 * "revoke") and newc's notice (when not NULL), in one write transaction. *old (may be NULL) gets the
 * old record as revoked (its e.kid names the CRL to re-sign). Refuses as ec_office_renew does, and
 * EC_ERR_CONFLICT when newc's email differs from the old one's and already holds a live certificate
 * of that certification.
 */
int ec_office_reissue(struct ec_office *o, const struct ec_cert *newc, int64_t at, const struct ec_notice *notice,
    struct ec_cert *old);

/*
 * Record the shipping of a paper certificate, with its notice (when not NULL) in the same transaction.
 * EC_ERR_NOTFOUND unknown number; EC_ERR_REFUSED the certificate is electronic, revoked or
 * superseded, or already recorded with a different carrier or order (recording the same again
 * changes nothing and queues nothing).
 */
int ec_office_ship(struct ec_office *o, const char *number, const char *carrier, const char *order, int64_t at,
    const struct ec_notice *notice);

/*
 * Revoked certificates issued by kid, in number order, for that CA's CRL. fn gets the number, the
 * revocation time and the reason name; same rules as the other iterators.
 */
int ec_office_revoked_each(struct ec_office *o, const char *kid,
    int (*fn)(void *ctx, const char *number, int64_t revoked_at, const char *reason), void *ctx);

/* Increment and return the CRL number for kid (1 for the first CRL), committed durably before return. */
int ec_office_crl_next(struct ec_office *o, const char *kid, uint64_t *out);

/*
 * Rebuild DIR/public from the office register in one public write transaction (ecert-issue publish),
 * and append an audit entry. *count (if not NULL) gets the number of certificates published.
 */
int ec_office_publish(struct ec_office *o, size_t *count);

/* The office generation: one more with each transaction that changes a certificate. */
int ec_office_generation(struct ec_office *o, uint64_t *gen);

#endif
