/* lib/portal internal: the portal's state and what its files (app.c, pages.c, mycerts.c) share. */
#ifndef EC_PWEB_INT_H
#define EC_PWEB_INT_H

#include <pthread.h>
#include <stdint.h>

#include "date.h"
#include "portal.h"
#include "pweb.h"
#include "web.h"

/* The score-report form's challenge (pow.c). */
#define POW_BITS 18              /* leading zero bits of the work's SHA-256: ~260,000 tries */
#define POW_WAIT 15              /* seconds that stand for the work without script */
#define POW_LIFE 600             /* seconds a challenge lives */
#define POW_SEED_MAX 64
struct ec_pow;
int pow_new(struct ec_pow **out);
void pow_free(struct ec_pow *p);
int pow_issue(struct ec_pow *p, int64_t now, char seed[POW_SEED_MAX]);
/*
 * 0 when nonce solves seed for reg_no and email (or, nonce empty, POW_WAIT has passed) and seed is
 * fresh and unused; EC_ERR_REFUSED with the reason otherwise, EC_ERR_FULL when so many seeds are in
 * use that this one could not be remembered as used (refused: it could otherwise be sent again).
 */
int pow_check(struct ec_pow *p, const char *seed, const char *reg_no, const char *email, const char *nonce,
    int64_t now);

struct ec_pweb {
	struct ec_pweb_conf c;
	struct ec_pow *pow;
	pthread_mutex_t cert_lock;         /* certificate reads share the register handle's skeleton cache */
	struct ec_ratelimit *per_ip;       /* every form that mails or checks data */
	struct ec_ratelimit *per_key;      /* the same, per address or registration number (hashed) */
	char origin[EC_PWEB_URL_MAX];      /* scheme://host[:port] of portal_url, for Origin checks */
};

/* What a page shows and needs: the language, and the signed-in account when there is one. */
struct pg {
	struct ec_pweb *p;
	const struct ec_pweb_req *r;
	struct ec_pweb_resp *out;
	int zh;                            /* the page's language: 0 English, 1 Chinese */
	int signed_in;
	struct ec_session s;
	struct ec_account a;
	char csrf[65];                     /* this page's forms' hidden csrf value */
	unsigned char browser[32];         /* SHA-256 of the browser cookie */
	char bcookie[65];                  /* the browser cookie's value */
};

/* The text of key in the page's language (pages.c); key is the English text. */
const char *T(const struct pg *g, const char *en);

struct ec_form;

/* Page frame (pages.c): head and navigation, then the caller's content, then the end. */
void page_begin(struct pg *g, const char *title);
void page_end(struct pg *g);
/* A complete page with one message (role status or alert); status is the HTTP status. */
int page_message(struct pg *g, int status, const char *title, const char *msg, int alert);
/* A form's opening tag with its hidden csrf field. */
void form_begin(struct pg *g, const char *action);
/* Escaped text; a format whose arguments are escaped ("%s" only). */
void html(struct pg *g, const char *s);
void htmlf(struct pg *g, const char *fmt, ...);

/* My Certificates (mycerts.c): the table of the account's certifications. */
int mycerts_page(struct pg *g);
/* The PDF of number for the signed-in account, or a 404 page (mycerts.c). */
int mycerts_pdf(struct pg *g, const char *number);
/* The detail page of number (the guide's: dates, format, mailing, address; sharing), or a 404 page. */
int mycerts_detail(struct pg *g, const char *number);
/* The holder asks for number's renewal (POST /me/certificates/NUMBER/renew). */
int mycerts_renew(struct pg *g, const char *number);

/* The holder's changes to an issued certificate (mycerts.c): a paper one's address, a name correction. */
int mycerts_address(struct pg *g, const char *number, const struct ec_form *f);
int mycerts_correction(struct pg *g, const char *number, const struct ec_form *f);

/* Applying (apply.c): the form, the review, the one submission. */
int apply_get(struct pg *g);
int apply_post(struct pg *g, const struct ec_form *f);
int apply_confirm(struct pg *g, const struct ec_form *f);

/* Shared by the flows (app.c): a per-subject limit (1 when over), a new mailed secret (32 random bytes in
 * base64url, stored as the SHA-256 of that text), mailing kind's link to path?t=tok (values code and
 * reg_no when not NULL) in the page's language, a refusal page with the register's reason. */
int pw_limited_key(struct pg *g, const char *subject);
/* The limits of a form that mails or checks data: the client, subject (may be NULL), the signed-in account. */
int pw_limited(struct pg *g, const char *subject);
/* The two halves of pw_limited: the client's budget; the subject's and the signed-in account's. */
int pw_limited_client(struct pg *g);
int pw_limited_subjects(struct pg *g, const char *subject);
int pw_new_token(char tok[64], unsigned char h[EC_PORTAL_HASH]);
int pw_mail_link(struct pg *g, const char *kind, const char *to, const char *path, const char *tok, const char *code,
    const char *reg_no);
int pw_refused(struct pg *g, const char *title, int r);
/* The detail of error r in the page's language: lib's Chinese when it has one, else its English. */
const char *pw_err_text(const struct pg *g, int r);

/* Associating a record by its score report (associate.c); prev and alert redisplay a refused form. */
int associate_get(struct pg *g, const struct ec_form *prev, const char *alert);
int associate_post(struct pg *g, const struct ec_form *f);
int associate_verify_post(struct pg *g, const struct ec_form *f);
/* The challenge's solver, /static/pow.js (powjs.c). */
int pow_script(struct pg *g);

/* Today in the office's zone. */
ec_day pw_today(const struct ec_pweb *p);

#endif
