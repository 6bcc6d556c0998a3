/* The outbox in the office register: notices queued with the change that causes them, then delivered. */
#ifndef EC_OUTBOX_H
#define EC_OUTBOX_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "mail.h"
#include "office.h"

enum ec_mail_state {
	EC_MAIL_QUEUED = 1,      /* waiting for its first attempt */
	EC_MAIL_DEFERRED,        /* an attempt failed for now; next_at says when the next one is due */
	EC_MAIL_SENT,            /* the relay accepted it */
	EC_MAIL_FAILED,          /* refused for good (5xx), or still not delivered 3 days after it was queued */
};

#define EC_MAIL_LOG 8            /* attempts kept per message, the latest */
#define EC_MAIL_NOTE_MAX 127     /* bytes of one attempt's note: the relay's reply or the error, never the body */
#define EC_MAIL_GIVE_UP (3 * 24 * 3600)

struct ec_mail_try {
	int64_t at;
	unsigned code;               /* SMTP reply code, 0 when there was none (no connection, ...) */
	char note[EC_MAIL_NOTE_MAX + 1];
};

/* A message in the outbox: its notice (what the message is made from) and its delivery so far. */
struct ec_outbox_msg {
	uint64_t id;                 /* 1, 2, ... in queueing order */
	enum ec_mail_state state;
	struct ec_notice n;
	int64_t next_at;             /* when the next attempt is due (queued, deferred), else 0 */
	int64_t expires;             /* no attempt after this: 3 days after queueing (or after a retry) */
	unsigned attempts;
	unsigned nlog;
	struct ec_mail_try log[EC_MAIL_LOG];   /* oldest first */
};

/* State names for listings and options: "queued", "deferred", "sent", "failed"; 0 for an unknown name. */
const char *ec_mail_state_name(enum ec_mail_state s);
enum ec_mail_state ec_mail_state_parse(const char *s);

/*
 * Queue n on its own (not with a change: reminders, sign-in mail). once, when not NULL, names a
 * notice sent at most once ("expiry.NUMBER"): EC_ERR_EXISTS when it was queued before. *id (may be
 * NULL) gets the message's id.
 */
int ec_outbox_queue(struct ec_office *o, const struct ec_notice *n, const char *once, uint64_t *id);

/* Whether a once-only notice named once was queued already (1) or not (0), or an error. */
int ec_outbox_once(struct ec_office *o, const char *once);

/*
 * The day (ec_day, 0: never) the expiry reminders were last looked for, and recording it: a sender
 * run every few minutes walks the certificates once a day, not every time.
 */
int ec_outbox_scan_get(struct ec_office *o, int32_t *day);
int ec_outbox_scan_set(struct ec_office *o, int32_t day);

/* Every message in id order, or those in state (0 = any); fn as for the office iterators. */
typedef int (*ec_outbox_fn)(void *ctx, const struct ec_outbox_msg *m);
int ec_outbox_each(struct ec_office *o, enum ec_mail_state state, ec_outbox_fn fn, void *ctx);

/* Message id; EC_ERR_NOTFOUND when none. */
int ec_outbox_get(struct ec_office *o, uint64_t id, struct ec_outbox_msg *out);

/*
 * The ids of up to max messages due at now (queued or deferred, next attempt <= now), soonest
 * first, into ids[]; *n gets how many.
 */
int ec_outbox_due(struct ec_office *o, int64_t now, uint64_t *ids, size_t max, size_t *n);

/*
 * Record an attempt on message id at time at: state EC_MAIL_SENT or EC_MAIL_FAILED, or
 * EC_MAIL_DEFERRED with the next attempt at next_at; code and note (the relay's reply or the
 * error) join its log. A message that is no longer queued or deferred is left alone (EC_ERR_REFUSED:
 * another sender got there first).
 */
int ec_outbox_result(struct ec_office *o, uint64_t id, enum ec_mail_state state, int64_t next_at, int64_t at,
    unsigned code, const char *note);

/*
 * Queue message id again (failed or deferred: due now, for 3 more days), or every failed message
 * when id is 0.
 * *count (may be NULL) gets how many. EC_ERR_NOTFOUND unknown id; EC_ERR_REFUSED a sent message.
 */
int ec_outbox_retry(struct ec_office *o, uint64_t id, int64_t now, size_t *count);

struct ec_smtp_conf;

/* One run of the sender (ec_outbox_send). */
struct ec_sender_conf {
	const struct ec_smtp_conf *smtp;   /* NULL: no relay configured, nothing is sent */
	const char *tpldir;                /* the templates folder (its mail/ holds the notices' texts) */
	const char *from;                  /* the From header (the envelope sender is smtp->from) */
	int64_t now;                       /* the run's time: messages due by then are sent */
	/* Adds to a copy of a queued notice the values its template shows (NULL: none to add). */
	int (*values)(void *ctx, struct ec_notice *n);
	void *ctx;
};

struct ec_send_stats {
	size_t sent, deferred, failed;     /* outcomes of this run's attempts */
	size_t waiting;                    /* due but not attempted: no relay configured */
};

/*
 * Deliver every message due at c->now once, soonest first: sent; deferred after a connection
 * error, a 4xx reply or a template problem (again after 1, 5, 15, 60 minutes, then every 2 to 6
 * hours); failed on a 5xx reply or when its 3 days are over. When the relay cannot be reached at
 * all (no reply), the run stops after that message: the others stay due for the next run, instead
 * of each waiting out a timeout. Each outcome is committed as soon as it is known, so a sender
 * killed mid-run loses nothing: a message whose outcome was not committed is sent again, with the
 * same Message-ID. st (may be NULL) gets the counts.
 */
int ec_outbox_send(struct ec_office *o, const struct ec_sender_conf *c, struct ec_send_stats *st);

/* The language of the notices to email ("en", "zh"): *lang gets it, "" when none was set. */
int ec_office_lang_get(struct ec_office *o, const char *email, char lang[3]);
int ec_office_lang_set(struct ec_office *o, const char *email, const char *lang);

#endif
