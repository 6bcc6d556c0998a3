/* The outbox's sender: due messages composed from their notices and handed to the relay, one by one. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "outbox.h"
#include "smtp.h"

#define BATCH 256

/* Seconds until the next attempt after attempt number n (1, 2, ...) failed for now. */
static int64_t
backoff(unsigned n)
{
	static const int64_t first[] = { 60, 300, 900, 3600 };

	if (n >= 1 && n <= 4)
		return first[n - 1];
	return n - 4 >= 2 ? 6 * 3600 : 2 * 3600 * (int64_t)(n - 4);
}

/*
 * One message: made, sent, and its outcome committed. 1 when an outcome was recorded, 2 when it was
 * deferred with no reply from the relay at all (unreachable: the run stops there rather than wait a
 * timeout per message), 0 when it was not due.
 */
static int
deliver(struct ec_office *o, struct ec_smtp *smtp, const struct ec_sender_conf *c, uint64_t id, struct ec_buf *raw,
    struct ec_send_stats *st)
{
	struct ec_outbox_msg m;
	enum ec_mail_state state;
	char note[EC_MAIL_NOTE_MAX + 1];
	unsigned code = 0;
	int64_t next = 0;
	int r, unreachable = 0;

	if ((r = ec_outbox_get(o, id, &m)))
		return r;
	if ((m.state != EC_MAIL_QUEUED && m.state != EC_MAIL_DEFERRED) || m.next_at > c->now)
		return 0;
	if (c->now > m.expires) {
		snprintf(note, sizeof note, "not delivered within 3 days; last: %s",
		    m.nlog ? m.log[m.nlog - 1].note : "no attempt");
		state = EC_MAIL_FAILED;
	} else {
		ec_buf_reset(raw);
		if ((c->values && (r = c->values(c->ctx, &m.n))) || (r = ec_notice_compose(&m.n, c->tpldir, c->from, raw))) {
			if (r == EC_ERR_NOMEM)
				return r;
			snprintf(note, sizeof note, "cannot make the message: %s", ec_err_msg(r));
			state = EC_MAIL_DEFERRED;
		} else {
			enum ec_smtp_outcome out = ec_smtp_send(smtp, m.n.to, raw->p, raw->len, &code, note, sizeof note);

			state = out == EC_SMTP_SENT ? EC_MAIL_SENT : out == EC_SMTP_REFUSED ? EC_MAIL_FAILED : EC_MAIL_DEFERRED;
			unreachable = out == EC_SMTP_LATER && code == 0;
		}
		if (state == EC_MAIL_DEFERRED) {
			next = c->now + backoff(m.attempts + 1);
			/* The last attempt falls on the deadline; one that fails there is the end. */
			if (c->now >= m.expires) {
				char last[EC_MAIL_NOTE_MAX + 1];

				/* The relay's reply follows the verdict, cut to fit the note. */
				memcpy(last, note, sizeof last);
				snprintf(note, sizeof note, "not delivered within 3 days; last: %.90s", last);
				state = EC_MAIL_FAILED;
			} else if (next > m.expires) {
				next = m.expires;
			}
		}
	}
	if ((r = ec_outbox_result(o, id, state, next, c->now, code, note)) == EC_ERR_REFUSED)
		return 0;
	if (r)
		return r;
	if (st)
		st->sent += state == EC_MAIL_SENT, st->deferred += state == EC_MAIL_DEFERRED,
		    st->failed += state == EC_MAIL_FAILED;
	return state == EC_MAIL_DEFERRED && code == 0 && unreachable ? 2 : 1;
}

struct waiting {
	int64_t now;
	size_t n;
};

static int
count_due(void *ctx, const struct ec_outbox_msg *m)
{
	struct waiting *w = ctx;

	w->n += (m->state == EC_MAIL_QUEUED || m->state == EC_MAIL_DEFERRED) && m->next_at <= w->now;
	return 0;
}

int
ec_outbox_send(struct ec_office *o, const struct ec_sender_conf *c, struct ec_send_stats *st)
{
	uint64_t ids[BATCH];
	struct ec_smtp *smtp = NULL;
	struct ec_buf raw = { 0 };
	size_t n;
	int r;

	if (st)
		memset(st, 0, sizeof *st);
	if (c->smtp == NULL) {
		struct waiting w = { c->now, 0 };

		/* No relay: count what waits, send nothing, drop nothing. */
		r = ec_outbox_each(o, 0, count_due, &w);
		if (st)
			st->waiting = w.n;
		return r;
	}
	if ((r = ec_smtp_open(c->smtp, &smtp)))
		return r;
	/*
	 * Each pass takes what is due now; every outcome moves a message out of that set (deferred ones
	 * past c->now), so the loop ends; a pass that records nothing (another sender got there) ends it too.
	 */
	do {
		size_t done = 0;

		if ((r = ec_outbox_due(o, c->now, ids, BATCH, &n)))
			break;
		for (size_t i = 0; i < n && r >= 0 && r != 2; i++)
			if ((r = deliver(o, smtp, c, ids[i], &raw, st)) > 0)
				done++;
		if (r == 2) {
			/* The relay is unreachable: the rest stay due for the next run. */
			r = 0;
			break;
		}
		if (r > 0)
			r = 0;
		if (!done)
			break;
	} while (!r && n == BATCH);
	ec_smtp_close(smtp);
	ec_buf_free(&raw);
	return r;
}
