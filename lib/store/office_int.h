/* lib/store/ internal: the office register's state and the helpers its files (office*.c) share. */
#ifndef EC_OFFICE_INT_H
#define EC_OFFICE_INT_H

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "b64.h"
#include "buf.h"
#include "date.h"
#include "digest.h"
#include "ecx509.h"
#include "err.h"
#include "paths.h"
#include "mail.h"
#include "office.h"
#include "public.h"
#include "record.h"
#include "register.h"
#include "token.h"

#define FORMAT 1
#define LOCK_WAIT_MS 30000
#define EMAIL_KEY_MAX (EC_EMAIL_MAX + 1 + EC_NUMBIN)
#define EXAM_KEY_MAX (EC_EMAIL_MAX + 1 + EC_REGNO_MAX)
#define REVOKED_KEY (EC_KID_LEN + EC_NUMBIN)
#define SKEL_KEY (5 + EC_SKEL_ID)     /* "skel." || id */
#define SKEL_CACHE 4

/* A skeleton as certificate reads need it: content-addressed, so a cached copy never goes stale. */
struct skel_entry {
	int used;
	unsigned char id[EC_SKEL_ID];
	struct ec_skel k;
	char cn[EC_ISSUER_MAX + 1];
};

struct ec_office {
	struct ec_kv *kv;
	struct ec_pubw *pub;     /* NULL when read-only or shared */
	int rw;                  /* writable (EC_OFFICE_SHARED included) */
	int lockfd;
	struct ec_pub *pubs;     /* public records of the last write, reused: a batch faults no fresh pages in */
	size_t npubs;
	struct skel_entry cache[SKEL_CACHE];   /* used by certificate reads only */
	unsigned next;
};

/* The skeleton last stored in the current write transaction, so a batch hashes and looks it up once. */
struct skel_memo {
	int valid;
	unsigned char id[EC_SKEL_ID];
	struct ec_skel k;
	char cn[EC_ISSUER_MAX + 1];
};

#define WANT_ISSUER 1u           /* rebuild the issuer CN */
#define WANT_ALL 7u              /* and the e-Cert DER and the token */

/* Shared by office*.c; each is described where it is defined (office.c). */
int off_cert_dec(struct ec_office *o, struct ec_kvtxn *t, const struct ec_kv_val *v, const void *key,
    struct ec_cert *out, unsigned want);
int off_cert_encode(struct ec_kvtxn *t, struct skel_memo *m, const struct ec_cert *c, struct ec_buf *b);
int off_cert_load(struct ec_office *o, struct ec_kvtxn *t, const char *number, struct ec_cert *out);
int off_cert_put(struct ec_kvtxn *t, const struct ec_cert *c, struct ec_buf *b, unsigned flags,
    enum ec_audit_op op);
int off_cert_store(struct ec_kvtxn *t, struct skel_memo *m, const struct ec_cert *c, struct ec_buf *b,
    unsigned flags, enum ec_audit_op op);
int off_email_index(struct ec_kvtxn *t, const struct ec_cert *c);
size_t off_email_key(const char *email, const unsigned char *numbin, unsigned char out[EMAIL_KEY_MAX]);
/* The exam index (office_exam.c): key, upkeep on import and amend, the one-time build, a person's walk. */
size_t off_exam_key(const char *email, const char *reg_no, unsigned char out[EXAM_KEY_MAX]);
int off_exam_index(struct ec_kvtxn *t, const struct ec_exam *x);
int off_exam_unindex(struct ec_kvtxn *t, const struct ec_exam *x);
int off_exam_index_build(struct ec_kvtxn *t);
/* email NULL: every person's results, grouped by address (lower-cased), each group in number order. */
int off_person_exams(struct ec_kvtxn *t, const char *email, ec_exam_fn fn, void *ctx);
int off_gen_bump(struct ec_kvtxn *t, uint64_t *gen);
int off_pub_of(struct ec_office *o, const struct ec_cert *c, int issued, struct ec_pub *p);
int off_pub_sync(struct ec_office *o, const struct ec_cert *const *certs, size_t n, int issued,
    uint64_t gen);
int off_publish(struct ec_office *o, size_t *count);
/* Queue mail in transaction t (lib/store/outbox.c); *id (may be NULL) gets its id. */
int off_outbox_put(struct ec_kvtxn *t, const struct ec_notice *n, uint64_t *id);
int off_regno_check(const char *s);
int off_writable(struct ec_office *o);
/* Writes that need no public register (the portal's, applications): any writable open, shared included. */
int off_can_write(struct ec_office *o);
/* A new exam record of an address an account owns is bound to it (office_portal.c). */
int off_portal_import(struct ec_kvtxn *t, const struct ec_exam *x, int64_t now);

#endif
