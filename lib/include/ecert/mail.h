/*
 * Email notices: what the outbox stores (a kind, a recipient, a language and a few values), and the
 * message made from them when it is sent or shown: templates/mail/KIND.LANG.txt filled with the
 * values, as RFC 5322 + MIME multipart/alternative (plain text and its HTML form).
 */
#ifndef EC_MAIL_H
#define EC_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define EC_MAIL_MAX (64 * 1024)      /* bytes of one composed message */
#define EC_MAIL_ADDR_MAX 254
#define EC_MSGID_MAX 127             /* a Message-ID without its angle brackets */
#define EC_MAIL_KIND_MAX 15
#define EC_NOTICE_VALUES_MAX 2048    /* bytes of a notice's "key=value" list */

/* A notice as queued: everything its message is made from. Plain value type. */
struct ec_notice {
	char kind[EC_MAIL_KIND_MAX + 1];      /* the template: "issued", "shipped", "revoked", "expiry" */
	char to[EC_MAIL_ADDR_MAX + 1];
	char lang[3];                         /* "en", "zh" */
	char message_id[EC_MSGID_MAX + 1];    /* made once, at queueing: every attempt sends the same */
	int64_t created;                      /* Unix seconds: the message's Date */
	size_t vlen;
	char values[EC_NOTICE_VALUES_MAX];    /* "key=value\0" ... */
};

/*
 * Start a notice of kind to address to in lang, created at now, with a fresh Message-ID
 * <NOW.RANDOM@domain>. EC_ERR_ARG for an address headers and SMTP cannot carry (ec_mail_addr_check),
 * an unknown language or a bad kind (lowercase letters, up to 15).
 */
int ec_notice_init(struct ec_notice *n, const char *kind, const char *to, const char *lang, const char *domain,
    int64_t now);

/* Add value key (lowercase letters and '_') = value (one line of text). EC_ERR_TOOBIG when full. */
int ec_notice_set(struct ec_notice *n, const char *key, const char *value);

/* The value of key, or NULL. */
const char *ec_notice_get(const struct ec_notice *n, const char *key);

/* 0 when addr can be put in a header and an SMTP envelope as it is, else EC_ERR_ARG saying why. */
int ec_mail_addr_check(const char *addr);

/*
 * The message of n from the template tpldir/mail/KIND.LANG.txt (KIND.en.txt when the language has
 * none): its first line is "Subject: ...", then a blank line and the text; {key} takes the notice's
 * value. Headers From (from), To, Subject (RFC 2047 encoded-words when not ASCII), Date, Message-ID,
 * MIME-Version; the text and its HTML form (every character through ec_buf_html, a paragraph per
 * block, a line that is one http(s) URL a link), UTF-8 in base64. CRLF line ends throughout.
 * Appended to raw. EC_ERR_NOTFOUND no template; EC_ERR_SYNTAX a malformed template or a {key} the
 * notice has no value for (naming file and key); EC_ERR_TOOBIG over EC_MAIL_MAX.
 */
int ec_notice_compose(const struct ec_notice *n, const char *tpldir, const char *from, struct ec_buf *raw);

/* The subject and text of n's message (its template filled), appended to subject and text. Errors as above. */
int ec_notice_text(const struct ec_notice *n, const char *tpldir, struct ec_buf *subject, struct ec_buf *text);

#endif
