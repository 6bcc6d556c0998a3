/* Versioned binary encoding of every register record (docs/register.md gives the exact layouts). */
#ifndef EC_RECORD_H
#define EC_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "audit.h"
#include "buf.h"
#include "office.h"
#include "public.h"
#include "types.h"

/* A certificate number as a key: the 22-digit integer, 10 bytes big-endian (sorts as the digits do). */
#define EC_NUMBIN 10

#define EC_REC_V1 1            /* the version byte every record starts with */
#define EC_REC_V2 2            /* certificate records written since the compact form (v1 still read) */

/* EC_ERR_ARG unless digits is exactly 22 ASCII digits. */
int ec_rec_num_pack(const char *digits, unsigned char out[EC_NUMBIN]);
/* EC_ERR_CORRUPT when the value is 10^22 or more. */
int ec_rec_num_unpack(const unsigned char in[EC_NUMBIN], char out[EC_NUMBER_DIGITS + 1]);

/*
 * Encoders append the record (value only: the key is not repeated) to b; EC_ERR_ARG naming the field
 * when a text field is not NUL-terminated within its array, holds a control character, or a value is
 * out of range; EC_ERR_NOMEM. Decoders take exactly the stored bytes p[0..n) plus the key and fill
 * *out completely; EC_ERR_CORRUPT on an unknown version, a short or over-long field, a value out of
 * range, or trailing bytes.
 */
int ec_rec_exam_enc(struct ec_buf *b, const struct ec_exam *x);
int ec_rec_exam_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_exam *out);

int ec_rec_app_enc(struct ec_buf *b, const struct ec_app *a);
int ec_rec_app_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_app *out);

/*
 * A version-2 certificate record may keep, instead of the e-Cert DER, the token and the issuer CN,
 * what rebuilds them byte for byte: office.c decides (it checks the rebuild before choosing a flag)
 * and rebuilds on read; record.c only encodes. Plain value type.
 */
#define EC_RC_DER 1u           /* the e-Cert = skeleton skel_id + the record's facts + sig */
#define EC_RC_TOKEN 2u         /* the token = header and payload from the facts + tsig */
#define EC_RC_ISSUER 4u        /* the issuer CN is the skeleton's (only with EC_RC_DER) */
#define EC_RC_EDDSA 8u         /* the token is EdDSA, else ES256 (only with EC_RC_TOKEN) */
#define EC_RC_ALL 15u
#define EC_SKEL_ID 8           /* a skeleton's id: the first 8 bytes of SHA-256 of its bytes */
#define EC_REC_SIG_MAX 80
struct ec_rec_compact {
	unsigned flags;
	unsigned char skel_id[EC_SKEL_ID];
	unsigned char sig[EC_REC_SIG_MAX];    /* the e-Cert's signature (BIT STRING content) */
	size_t siglen;
	unsigned char tsig[64];               /* the token's signature */
};

/*
 * key = the number packed (EC_NUMBIN bytes). enc writes version 2 with k's choices (k NULL: all in
 * full). dec reads versions 1 and 2 and fills *k; the parts k's flags say are rebuilt are left
 * empty in out (der_len 0, token and issuer "").
 */
int ec_rec_cert_enc(struct ec_buf *b, const struct ec_cert *c, const struct ec_rec_compact *k);
int ec_rec_cert_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_cert *out,
    struct ec_rec_compact *k);

int ec_rec_pub_enc(struct ec_buf *b, const struct ec_pub *pub);
int ec_rec_pub_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_pub *out);

/* The audit entry carries its own seq; key = seq as 8 bytes big-endian, checked against it. */
int ec_rec_audit_enc(struct ec_buf *b, const struct ec_audit_entry *e);
int ec_rec_audit_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_audit_entry *out);

/* Fixed-width big-endian integers (metadata values, audit keys). */
void ec_rec_put64(unsigned char out[8], uint64_t v);
uint64_t ec_rec_get64(const unsigned char in[8]);

/* Tables of the office register (ec_kv indices), in the order office.c opens them. */
enum ec_odb {
	EC_ODB_META,       /* "format", "gen", "audit.head", "crl.KID" -> fixed-width values */
	EC_ODB_EXAM,       /* reg_no -> exam record */
	EC_ODB_APP,        /* reg_no -> application record */
	EC_ODB_PENDING,    /* reg_no -> "" while the application waits for issuance */
	EC_ODB_CERT,       /* number (EC_NUMBIN) -> certificate record */
	EC_ODB_EMAIL,      /* lower-case email || 0x00 || number -> "" */
	EC_ODB_REVOKED,    /* KID || number -> "" */
	EC_ODB_AUDIT,      /* seq (8 bytes BE) -> audit entry */
	EC_ODB_OUTBOX,     /* message id (8 bytes BE) -> outbox record (lib/store/outbox.c) */
	EC_ODB_DUE,        /* next attempt (8 bytes BE) || id -> "" for queued and deferred messages */
	EC_ODB_ONCE,       /* key of a notice sent once ("expiry." NUMBER) -> message id */
	EC_ODB_LANG,       /* lower-case email -> "en", "zh": the language of its notices */
	EC_ODB_EXAM_EMAIL, /* lower-case email || 0x00 || reg_no -> "": a person's exam results */
	EC_ODB_ACCT,       /* account id (8 bytes BE) -> account (lib/store/office_portal.c) */
	EC_ODB_ACCT_LOGIN, /* lower-case email -> account id: the address an account was made with */
	EC_ODB_ADDR,       /* lower-case email -> account id || activated: an associated address's owner */
	EC_ODB_ACCT_ADDR,  /* account id || lower-case email -> activated, email: an account's addresses */
	EC_ODB_BIND,       /* reg_no -> account id || bound at: which account holds an exam record */
	EC_ODB_ACCT_BIND,  /* account id || reg_no -> "": an account's exam records */
	EC_ODB_SESSION,    /* SHA-256 of a session cookie -> session (EC_ODB_TOKEN must follow) */
	EC_ODB_TOKEN,      /* SHA-256 of a mailed secret -> one-time token */
	EC_ODB_TOKEN_LOGIN,/* lower-case email -> SHA-256 of its pending sign-in token */
	EC_ODB_RENEW_REQ,  /* number (EC_NUMBIN) -> account id || requested at: a renewal the holder asked for */
	EC_ODB_CORR_REQ,   /* number (EC_NUMBIN) -> account id || asked at || name: a name correction asked for */
	EC_ODB_COUNT
};

struct ec_kv;
struct ec_pubw;

/* The environment behind an office handle, for audit.c. Borrowed. */
struct ec_kv *ec_office_kv(struct ec_office *o);

#endif
