/* ecert-issue internals: parsed options, the subcommands, and the output helpers they share. */
#ifndef EC_ISSUER_H
#define EC_ISSUER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fields.h"
#include "buf.h"
#include "catalog.h"
#include "conf.h"
#include "designs.h"
#include "office.h"
#include "types.h"

#define PROG "ecert-issue"

/* Everything the command line can say; each subcommand accepts only the options it names. */
struct opts {
	const char *dir;         /* -d DIR; NULL = $ECERT_HOME or /var/lib/ecert */
	const char *pass_file;   /* --pass-file */
	const char *reg_no, *format, *name, *email, *tel, *address, *csv;
	const char *reason, *carrier, *order, *status, *out, *state, *lang, *to, *keep;
	int json, all, consent, force, der, failed, csv_out, shipping, update;
	char **args;             /* positional arguments after the subcommand, borrowed from argv */
	int nargs;
};

/* What a subcommand works on; ctx_open fills what `need` asks for. */
struct ctx {
	const char *dir;
	struct ec_conf conf;
	struct ec_catalog *cat;
	struct ec_office *off;
	ec_day today;            /* in the configured zone; ECERT_NOW overrides */
	struct ec_designs *designs;  /* the certificate designs, loaded on first use (lib/render/designs.c) */
	int watch;               /* the office register is writable: a change is published when closed */
	uint64_t gen0;           /* its generation when opened */
	int republish;           /* a change outside the register (CRLs re-signed) is published too */
};

#define NEED_CONF 1u         /* ecert.conf and today */
#define NEED_CAT 2u          /* the catalogue */
#define NEED_OFFICE 4u       /* the office register, writable (keeps the public register in step) */
#define NEED_READ 8u         /* the office register, read-only; off stays NULL when none exists yet */

/* Open what need asks for; on failure prints why, closes what it opened and returns the exit status. */
int ctx_open(struct ctx *c, const struct opts *o, unsigned need);
/*
 * Close what ctx_open opened. When the command changed a certificate (the office generation moved)
 * or set republish, and ecert.conf has publish_to, publish a snapshot there (docs/scaling.md).
 */
void ctx_close(struct ctx *c);
/* 0, or the exit status (2) when a publication after the command failed; main returns it. */
int ctx_publish_status(void);

/* The templates folder whose mail/ holds the notices' texts, along the same search path. Returns an ec_err. */
int mail_tpldir(const struct ctx *c, char *dir, size_t dirsz);

/*
 * Notices (notice.c): *n becomes the notice of kind ("issued", "shipped", "revoked", "expiry") about
 * certificate r, to r's address in its language (ec_office_lang_get, else mail_lang). It holds the
 * certificate's number only ("cert"): the register stays small, and notice_values (an
 * ec_sender_conf's values callback, ctx a struct ctx) adds what the templates show from the
 * certificate as it is when the message is made. Returns an ec_err; no address gives n->to "".
 */
int notice_cert(struct ctx *c, const char *kind, const struct ec_cert *r, struct ec_notice *n);
int notice_values(void *ctx, struct ec_notice *n);

struct signing;

/* Each subcommand returns the process exit status (0, 1 or 2) and has printed its own messages. */
int cmd_catalog(struct opts *o);
int cmd_import(struct opts *o);
int cmd_apply(struct opts *o);
int cmd_issue(struct opts *o);
int cmd_withdraw(struct opts *o);
int cmd_unbind(struct opts *o);
int cmd_corrections(struct opts *o);
int cmd_amend(struct opts *o);
int cmd_revoke(struct opts *o);
int cmd_crl(struct opts *o);
int cmd_renew(struct opts *o);
int cmd_reissue(struct opts *o);
/*
 * Renew old (loaded) with the loaded CA of sg into r, stored with its notice; prints why not (revoked,
 * superseded, no longer in the catalogue) and returns the exit status. renew_said prints the result
 * ("PREFIXrenewed OLD as NEW, valid FROM to TO") to f.
 */
int renew_cert(struct ctx *c, struct signing *sg, const struct ec_cert *old, struct ec_cert *r);
void renew_said(FILE *f, const char *prefix, const struct ec_cert *old, const struct ec_cert *r);
/* Import exam results from the CSV o->args[0] with ec_office_import_ex flags, printing corrections. */
int import_file(struct opts *o, unsigned flags);
int cmd_ship(struct opts *o);
int cmd_outbox(struct opts *o);
int cmd_list(struct opts *o);
int cmd_show(struct opts *o);
int cmd_export(struct opts *o);
int cmd_publish(struct opts *o);
int cmd_audit(struct opts *o);
int cmd_render(struct opts *o);

/*
 * Signing (sign.c). A signing session holds the issuing passphrase (from --pass-file or ECERT_PASS,
 * else a prompt) and the issuing CAs loaded with it; everything is wiped by signing_close.
 */
struct ec_signer;
struct signing {
	char *pass;
	size_t passlen;
	struct ec_signer *s;     /* the CA loaded last */
	char issuer[EC_ISSUER_MAX + 1];
	int64_t not_after;       /* the loaded CA's notAfter */
};

/* Read the passphrase and load issuing CA kid (NULL = current). Prints why not; returns the exit status. */
int signing_open(struct signing *sg, const struct ctx *c, const struct opts *o, const char *kid);
/* Load another issuing CA with the same passphrase, replacing sg->s. Returns an ec_err. */
int signing_load(struct signing *sg, const struct ctx *c, const char *kid);
void signing_close(struct signing *sg);

/*
 * Sign r->e (number, name, code, title, format, dates, renewal_of filled; kid and issued_at are set
 * here) with the loaded CA into r->der and r->token; r->issuer is set. EC_ERR_REFUSED when the e-Cert
 * would outlive the issuing CA (the detail says to rotate).
 */
int sign_cert(struct signing *sg, struct ec_cert *r);

/* Re-sign the CRL of the loaded CA into DIR/crl/KID.crl; *n gets the number of entries. Returns an ec_err. */
int crl_resign(struct signing *sg, const struct ctx *c, size_t *n);


/* Print "ecert-issue: MSG" to stderr. */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "ecert-issue: " + ec_err_msg(code) and return the exit status for code. */
int fail(int code);
/* Print a usage error "ecert-issue: MSG" and return 2. */
int usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a number argument as typed; on error prints why (malformed or probable typo) and returns the exit status. */
int arg_number(const char *in, char out[EC_NUMBER_DIGITS + 1]);

/* Load the certificate a typed number names; prints why not (malformed, typo, unknown) and returns the exit status. */
int cert_lookup(struct ctx *c, const char *arg, struct ec_cert *r);
/*
 * ctx_open(c, o, need), then the certificate named by o->args[0] into *out (allocated). Like
 * cert_lookup's return; on any return the caller calls ctx_close(c) and frees *out.
 */
int cert_open(struct ctx *c, const struct opts *o, unsigned need, struct ec_cert **out);

/* Text tables: columns padded by display width (CJK counts 2), no trailing blanks. */
struct table;
struct table *table_new(size_t ncols, const char *const *heads);
int table_row(struct table *t, const char *const *cells);
int table_print(struct table *t, FILE *f);
/* The table as CSV (RFC 4180: a header line, fields quoted when they hold a comma, quote or line break). */
int table_print_csv(struct table *t, FILE *f);
void table_free(struct table *t);

/* The CLI spelling of a status ("not_applied", ..., "superseded") as 1 + enum ec_status; 0 if unknown. */
int status_parse(const char *s);

/* "YYYY-MM-DD" of a day, "YYYY-MM-DDTHH:MM:SSZ" of a time, in static-free caller buffers. */
void fmt_time(int64_t t, char out[21]);

/* The masked email and phone for listings ("" stays ""); out must hold EC_EMAIL_MAX + 8 bytes. */
void mask_email(const char *email, char *out, size_t outsz);
void mask_tel(const char *tel, char *out, size_t outsz);

/*
 * Append certificate r as the certificate JSON of docs/verifier.md. full = 0: the listing view (adds reg_no,
 * format, the holder's name and masked email); full = 1: the operator view (adds every personal field,
 * shipping, the issuing CA and the QR URL).
 */
void cert_json(struct ec_buf *b, const struct ctx *c, const struct ec_cert *r, int full);

/* Write b (plus a newline) to stdout; 0 or the exit status for a write error. */
int put_buf(struct ec_buf *b);

/* A progress line on stderr, only when stderr is a terminal: "done/total, N/s, ETA". */
struct progress {
	size_t total, done;
	double start, last;
	int tty;
	const char *what;
};
void progress_start(struct progress *p, const char *what, size_t total);
void progress_step(struct progress *p, size_t done);
void progress_end(struct progress *p);

#endif
