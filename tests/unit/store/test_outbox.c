/*
 * Unit tests for the outbox in the office register (lib/store/outbox.c): queueing, listing, the due
 * index, attempts and retries, once-only notices, languages; notices queued with issue, revoke, renew
 * and ship in the same transaction; and the sender (lib/mail/sender.c) without a relay and against a
 * closed port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "cert.h"
#include "date.h"
#include "err.h"
#include "mail.h"
#include "number.h"
#include "office.h"
#include "outbox.h"
#include "smtp.h"
#include "../helper_tmp.h"

#define KID "AbCdEfGhIjK"
#define T0 1772400000           /* 2026-03-01 21:20:00 UTC */
#define DOMAIN "verify.example.org"


static int
setup(void **state)
{
	setenv("ECERT_NOW", "2026-03-02", 1);
	return helper_tmpdir_setup(state);
}

static struct ec_office *
open_rw(void **state)
{
	struct ec_office *o = NULL;

	assert_int_equal(ec_office_open(*state, 0, &o), 0);
	return o;
}

static struct ec_office *
open_ro(void **state)
{
	struct ec_office *o = NULL;

	assert_int_equal(ec_office_open(*state, EC_OFFICE_RDONLY, &o), 0);
	return o;
}

/* A notice of kind to `to` created at `at`, with a couple of values. */
static void
notice(struct ec_notice *n, const char *kind, const char *to, const char *lang, int64_t at)
{
	assert_int_equal(ec_notice_init(n, kind, to, lang, DOMAIN, at), 0);
	assert_int_equal(ec_notice_set(n, "name", "Zo\xc3\xab O'Brien"), 0);
	assert_int_equal(ec_notice_set(n, "url", "https://verify.example.org/v/1?a=b&c=d"), 0);
}

static void
assert_notice_equal(const struct ec_notice *a, const struct ec_notice *b)
{
	assert_string_equal(a->kind, b->kind);
	assert_string_equal(a->to, b->to);
	assert_string_equal(a->lang, b->lang);
	assert_string_equal(a->message_id, b->message_id);
	assert_int_equal(a->created, b->created);
	assert_int_equal(a->vlen, b->vlen);
	assert_memory_equal(a->values, b->values, a->vlen);
}

static void
assert_msg_equal(const struct ec_outbox_msg *a, const struct ec_outbox_msg *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->state, b->state);
	assert_notice_equal(&a->n, &b->n);
	assert_int_equal(a->next_at, b->next_at);
	assert_int_equal(a->expires, b->expires);
	assert_int_equal(a->attempts, b->attempts);
	assert_int_equal(a->nlog, b->nlog);
	for (unsigned i = 0; i < a->nlog; i++) {
		assert_int_equal(a->log[i].at, b->log[i].at);
		assert_int_equal(a->log[i].code, b->log[i].code);
		assert_string_equal(a->log[i].note, b->log[i].note);
	}
}

/* Collect the messages ec_outbox_each gives. */
struct seen {
	size_t n;
	struct ec_outbox_msg m[16];
	size_t stop_after;     /* return 1 after this many (0: never) */
};

static int
collect(void *ctx, const struct ec_outbox_msg *m)
{
	struct seen *s = ctx;

	assert_true(s->n < 16);
	s->m[s->n++] = *m;
	return s->stop_after && s->n == s->stop_after ? 1 : 0;
}

static int
fail_each(void *ctx, const struct ec_outbox_msg *m)
{
	(void)ctx;
	(void)m;
	return EC_ERR_CORRUPT;
}

static size_t
count(struct ec_office *o, enum ec_mail_state st)
{
	struct seen *s = calloc(1, sizeof *s);
	size_t n;

	assert_non_null(s);
	assert_int_equal(ec_outbox_each(o, st, collect, s), 0);
	n = s->n;
	free(s);
	return n;
}

static void
assert_due(struct ec_office *o, int64_t now, size_t max, const uint64_t *want, size_t nwant)
{
	uint64_t ids[16];
	size_t n = 99;

	assert_true(max <= 16);
	assert_int_equal(ec_outbox_due(o, now, ids, max, &n), 0);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ids[i], want[i]);
}

/* --- queue, each, get --- */

static void
test_queue_each_get(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_notice n[3];
	struct seen *s = calloc(1, sizeof *s);
	struct ec_outbox_msg *m = malloc(sizeof *m);
	uint64_t id = 0;

	assert_non_null(s);
	assert_non_null(m);
	/* an empty outbox */
	assert_int_equal(ec_outbox_each(o, 0, collect, s), 0);
	assert_int_equal(s->n, 0);
	assert_int_equal(ec_outbox_get(o, 1, m), EC_ERR_NOTFOUND);
	assert_due(o, T0 + 1000000, 16, NULL, 0);

	notice(&n[0], "issued", "zoe@example.org", "en", T0);
	notice(&n[1], "shipped", "li@example.cn", "zh", T0 + 5);
	assert_int_equal(ec_notice_set(&n[1], "carrier", "SF Express"), 0);
	assert_int_equal(ec_notice_init(&n[2], "revoked", "x+tag@sub.example.org", "en", DOMAIN, T0 - 7), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ec_outbox_queue(o, &n[i], NULL, &id), 0);
		assert_int_equal(id, (uint64_t)i + 1);
	}
	assert_int_equal(ec_outbox_queue(o, &n[0], NULL, NULL), 0);     /* id may be NULL: this is 4 */
	/* every field round-trips, in id order */
	assert_int_equal(ec_outbox_each(o, 0, collect, s), 0);
	assert_int_equal(s->n, 4);
	for (int i = 0; i < 4; i++) {
		const struct ec_notice *want = &n[i % 3];

		assert_int_equal(s->m[i].id, (uint64_t)i + 1);
		assert_int_equal(s->m[i].state, EC_MAIL_QUEUED);
		assert_notice_equal(&s->m[i].n, want);
		assert_int_equal(s->m[i].next_at, want->created);
		assert_int_equal(s->m[i].expires, want->created + EC_MAIL_GIVE_UP);
		assert_int_equal(s->m[i].attempts, 0);
		assert_int_equal(s->m[i].nlog, 0);
		assert_int_equal(ec_outbox_get(o, (uint64_t)i + 1, m), 0);
		assert_msg_equal(m, &s->m[i]);
	}
	assert_string_equal(ec_notice_get(&s->m[1].n, "carrier"), "SF Express");
	assert_string_equal(ec_notice_get(&s->m[0].n, "url"), "https://verify.example.org/v/1?a=b&c=d");
	assert_null(ec_notice_get(&s->m[2].n, "name"));
	assert_int_equal(ec_outbox_get(o, 5, m), EC_ERR_NOTFOUND);
	assert_int_equal(ec_outbox_get(o, 0, m), EC_ERR_NOTFOUND);
	/* filtered by state; a positive return stops the walk with success, a negative one is the error */
	assert_int_equal(count(o, EC_MAIL_QUEUED), 4);
	assert_int_equal(count(o, EC_MAIL_SENT), 0);
	memset(s, 0, sizeof *s);
	s->stop_after = 2;
	assert_int_equal(ec_outbox_each(o, 0, collect, s), 0);
	assert_int_equal(s->n, 2);
	assert_int_equal(ec_outbox_each(o, 0, fail_each, NULL), EC_ERR_CORRUPT);
	/* state names */
	for (int st = EC_MAIL_QUEUED; st <= EC_MAIL_FAILED; st++)
		assert_int_equal(ec_mail_state_parse(ec_mail_state_name((enum ec_mail_state)st)), st);
	assert_string_equal(ec_mail_state_name(EC_MAIL_DEFERRED), "deferred");
	assert_int_equal(ec_mail_state_parse("lost"), 0);
	free(s);
	free(m);
	ec_office_close(o);
}

/* --- the due index --- */

static void
test_due(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_notice n;
	static const uint64_t all[] = { 2, 3, 1, 4 };

	notice(&n, "issued", "a@example.org", "en", T0 + 30);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);    /* 1 at +30 */
	notice(&n, "issued", "b@example.org", "en", T0 + 10);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);    /* 2 at +10 */
	notice(&n, "issued", "c@example.org", "en", T0 + 20);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);    /* 3 at +20 */
	notice(&n, "issued", "d@example.org", "en", T0 + 30);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);    /* 4 at +30, after 1 */
	assert_due(o, T0 + 9, 16, NULL, 0);
	assert_due(o, T0 + 10, 16, all, 1);
	assert_due(o, T0 + 29, 16, all, 2);
	assert_due(o, T0 + 30, 16, all, 4);
	assert_due(o, T0 + 1000000, 16, all, 4);
	assert_due(o, T0 + 1000000, 3, all, 3);                     /* soonest first, max respected */
	assert_due(o, T0 + 1000000, 1, all, 1);
	assert_due(o, T0 + 1000000, 0, all, 0);
	ec_office_close(o);
}

/* --- attempts --- */

static void
test_result(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_notice n;
	struct ec_outbox_msg *m = malloc(sizeof *m);
	static const uint64_t two[] = { 2 }, one_two[] = { 1, 2 }, two_one[] = { 2, 1 };
	char note[300];

	assert_non_null(m);
	notice(&n, "issued", "a@example.org", "en", T0);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	notice(&n, "issued", "b@example.org", "en", T0);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	assert_due(o, T0, 16, one_two, 2);

	/* deferred: not due before next_at, due from then; the note loses its control characters */
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_DEFERRED, T0 + 500, T0 + 100, 421, "421 busy\r\n\ttry later"), 0);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->state, EC_MAIL_DEFERRED);
	assert_int_equal(m->attempts, 1);
	assert_int_equal(m->next_at, T0 + 500);
	assert_int_equal(m->expires, T0 + EC_MAIL_GIVE_UP);
	assert_int_equal(m->nlog, 1);
	assert_int_equal(m->log[0].at, T0 + 100);
	assert_int_equal(m->log[0].code, 421);
	assert_string_equal(m->log[0].note, "421 busy   try later");
	assert_due(o, T0 + 499, 16, two, 1);
	assert_due(o, T0 + 500, 16, two_one, 2);
	assert_int_equal(count(o, EC_MAIL_DEFERRED), 1);
	assert_int_equal(count(o, EC_MAIL_QUEUED), 1);

	/* ten attempts in all: the log keeps the last 8, oldest first */
	for (int i = 2; i <= 10; i++) {
		snprintf(note, sizeof note, "try %d", i);
		assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_DEFERRED, T0 + 1000 * i, T0 + 100 * i, 400 + (unsigned)i,
		    note), 0);
	}
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->attempts, 10);
	assert_int_equal(m->nlog, EC_MAIL_LOG);
	for (int k = 0; k < EC_MAIL_LOG; k++) {
		snprintf(note, sizeof note, "try %d", k + 3);
		assert_string_equal(m->log[k].note, note);
		assert_int_equal(m->log[k].at, T0 + 100 * (k + 3));
		assert_int_equal(m->log[k].code, 403 + k);
	}
	assert_int_equal(m->next_at, T0 + 10000);
	/* only the latest next_at is in the index: not due at an older one */
	assert_due(o, T0 + 9999, 16, two, 1);
	assert_due(o, T0 + 10000, 16, two_one, 2);

	/* sent: out of the due index, next_at 0; a later result is refused and changes nothing */
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_SENT, 0, T0 + 11000, 250, "accepted (250)"), 0);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->state, EC_MAIL_SENT);
	assert_int_equal(m->attempts, 11);
	assert_int_equal(m->next_at, 0);
	assert_string_equal(m->log[EC_MAIL_LOG - 1].note, "accepted (250)");
	assert_string_equal(m->log[0].note, "try 4");
	assert_due(o, T0 + 100000000, 16, two, 1);
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_DEFERRED, T0 + 99999, T0 + 12000, 421, "again"), EC_ERR_REFUSED);
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_SENT, 0, T0 + 12000, 250, "again"), EC_ERR_REFUSED);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->state, EC_MAIL_SENT);
	assert_int_equal(m->attempts, 11);
	assert_due(o, T0 + 100000000, 16, two, 1);

	/* failed: out of the index too; a long note is cut to EC_MAIL_NOTE_MAX bytes */
	memset(note, 'n', sizeof note - 1);
	note[sizeof note - 1] = '\0';
	assert_int_equal(ec_outbox_result(o, 2, EC_MAIL_FAILED, 0, T0 + 50, 550, note), 0);
	assert_int_equal(ec_outbox_get(o, 2, m), 0);
	assert_int_equal(m->state, EC_MAIL_FAILED);
	assert_int_equal(m->attempts, 1);
	assert_int_equal(m->next_at, 0);
	assert_int_equal(m->log[0].code, 550);
	assert_int_equal(strlen(m->log[0].note), EC_MAIL_NOTE_MAX);
	assert_due(o, T0 + 100000000, 16, NULL, 0);
	assert_int_equal(ec_outbox_result(o, 2, EC_MAIL_FAILED, 0, T0 + 60, 550, "again"), EC_ERR_REFUSED);
	assert_int_equal(count(o, EC_MAIL_FAILED), 1);
	assert_int_equal(count(o, EC_MAIL_SENT), 1);

	/* an outcome must be sent, failed or deferred; the message must exist */
	notice(&n, "issued", "c@example.org", "en", T0);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	assert_int_equal(ec_outbox_result(o, 3, EC_MAIL_QUEUED, T0, T0, 0, "x"), EC_ERR_ARG);
	assert_int_equal(ec_outbox_result(o, 3, (enum ec_mail_state)9, T0, T0, 0, "x"), EC_ERR_ARG);
	assert_int_equal(ec_outbox_result(o, 42, EC_MAIL_SENT, 0, T0, 250, "x"), EC_ERR_NOTFOUND);
	assert_int_equal(ec_outbox_result(o, 3, EC_MAIL_DEFERRED, T0 + 60, T0, 0, NULL), 0);   /* no note */
	assert_int_equal(ec_outbox_get(o, 3, m), 0);
	assert_string_equal(m->log[0].note, "");
	free(m);
	ec_office_close(o);
}

static void
test_retry(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_notice n;
	struct ec_outbox_msg *m = malloc(sizeof *m);
	size_t cnt = 99;
	static const uint64_t one[] = { 1 };
	const int64_t later = T0 + 5 * 24 * 3600;

	assert_non_null(m);
	for (int i = 0; i < 5; i++) {
		notice(&n, "issued", "a@example.org", "en", T0);
		assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	}
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_FAILED, 0, T0 + 10, 550, "no such user"), 0);
	assert_int_equal(ec_outbox_result(o, 2, EC_MAIL_FAILED, 0, T0 + 10, 0, "not delivered within 3 days"), 0);
	assert_int_equal(ec_outbox_result(o, 3, EC_MAIL_FAILED, 0, T0 + 10, 554, "rejected"), 0);
	assert_int_equal(ec_outbox_result(o, 4, EC_MAIL_SENT, 0, T0 + 10, 250, "ok"), 0);
	assert_int_equal(ec_outbox_result(o, 5, EC_MAIL_DEFERRED, later + 7200, T0 + 10, 421, "busy"), 0);

	/* one failed message: queued again, due now, 3 more days, its history kept */
	assert_int_equal(ec_outbox_retry(o, 1, later, &cnt), 0);
	assert_int_equal(cnt, 1);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->state, EC_MAIL_QUEUED);
	assert_int_equal(m->next_at, later);
	assert_int_equal(m->expires, later + EC_MAIL_GIVE_UP);
	assert_int_equal(m->attempts, 1);
	assert_int_equal(m->nlog, 1);
	assert_string_equal(m->log[0].note, "no such user");
	assert_int_equal(m->n.created, T0);                 /* its Date stays */
	assert_due(o, later, 16, one, 1);
	assert_due(o, later - 1, 16, NULL, 0);

	/* a sent one is refused, an unknown one not found: nothing changes */
	cnt = 99;
	assert_int_equal(ec_outbox_retry(o, 4, later, &cnt), EC_ERR_REFUSED);
	assert_int_equal(cnt, 0);
	assert_int_equal(ec_outbox_get(o, 4, m), 0);
	assert_int_equal(m->state, EC_MAIL_SENT);
	assert_int_equal(ec_outbox_retry(o, 99, later, &cnt), EC_ERR_NOTFOUND);
	assert_int_equal(cnt, 0);

	/* every failed one (2 and 3): the sent and the deferred are left alone */
	assert_int_equal(ec_outbox_retry(o, 0, later + 1, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_int_equal(count(o, EC_MAIL_FAILED), 0);
	assert_int_equal(count(o, EC_MAIL_QUEUED), 3);
	assert_int_equal(count(o, EC_MAIL_SENT), 1);
	assert_int_equal(count(o, EC_MAIL_DEFERRED), 1);
	for (uint64_t id = 2; id <= 3; id++) {
		assert_int_equal(ec_outbox_get(o, id, m), 0);
		assert_int_equal(m->next_at, later + 1);
		assert_int_equal(m->expires, later + 1 + EC_MAIL_GIVE_UP);
	}
	{
		static const uint64_t due[] = { 1, 2, 3 };

		assert_due(o, later + 1, 16, due, 3);
	}
	/* nothing failed: retry all counts none */
	assert_int_equal(ec_outbox_retry(o, 0, later + 2, &cnt), 0);
	assert_int_equal(cnt, 0);
	assert_int_equal(ec_outbox_retry(o, 0, later + 2, NULL), 0);
	/* a deferred one may be retried: due now instead of later */
	assert_int_equal(ec_outbox_retry(o, 5, later + 3, NULL), 0);
	assert_int_equal(ec_outbox_get(o, 5, m), 0);
	assert_int_equal(m->state, EC_MAIL_QUEUED);
	assert_int_equal(m->next_at, later + 3);
	{
		static const uint64_t due[] = { 1, 2, 3, 5 };

		assert_due(o, later + 3, 16, due, 4);
		assert_due(o, later + 2, 16, due, 3);
	}
	free(m);
	ec_office_close(o);
}

/* --- once-only notices and languages --- */

static void
test_once(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_notice n;
	uint64_t id = 0;

	notice(&n, "expiry", "a@example.org", "en", T0);
	assert_int_equal(ec_outbox_once(o, "expiry.05110000000000000000001"), 0);
	assert_int_equal(ec_outbox_queue(o, &n, "expiry.05110000000000000000001", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(ec_outbox_once(o, "expiry.05110000000000000000001"), 1);
	assert_int_equal(ec_outbox_once(o, "expiry.05110000000000000000002"), 0);
	/* the same name again is refused and queues nothing, even after the first was sent */
	id = 0;
	assert_int_equal(ec_outbox_queue(o, &n, "expiry.05110000000000000000001", &id), EC_ERR_EXISTS);
	assert_int_equal(id, 0);
	assert_int_equal(count(o, 0), 1);
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_SENT, 0, T0, 250, "ok"), 0);
	assert_int_equal(ec_outbox_queue(o, &n, "expiry.05110000000000000000001", NULL), EC_ERR_EXISTS);
	assert_int_equal(count(o, 0), 1);
	/* another name, and no name at all, queue */
	assert_int_equal(ec_outbox_queue(o, &n, "expiry.05110000000000000000002", &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, &id), 0);
	assert_int_equal(id, 4);
	assert_int_equal(ec_outbox_once(o, "expiry.05110000000000000000002"), 1);
	ec_office_close(o);
}

static void
test_lang(void **state)
{
	struct ec_office *o = open_rw(state);
	char lang[3] = "xx";

	assert_int_equal(ec_office_lang_get(o, "zoe@example.org", lang), 0);
	assert_string_equal(lang, "");
	assert_int_equal(ec_office_lang_set(o, "Zoe@Example.ORG", "zh"), 0);
	assert_int_equal(ec_office_lang_get(o, "zoe@example.org", lang), 0);
	assert_string_equal(lang, "zh");
	assert_int_equal(ec_office_lang_get(o, "ZOE@EXAMPLE.ORG", lang), 0);
	assert_string_equal(lang, "zh");
	assert_int_equal(ec_office_lang_get(o, "zoe@example.com", lang), 0);
	assert_string_equal(lang, "");
	/* changed back */
	assert_int_equal(ec_office_lang_set(o, "zoe@example.org", "en"), 0);
	assert_int_equal(ec_office_lang_get(o, "Zoe@example.org", lang), 0);
	assert_string_equal(lang, "en");
	/* only en and zh; a refused one changes nothing */
	assert_int_equal(ec_office_lang_set(o, "zoe@example.org", "fr"), EC_ERR_ARG);
	assert_int_equal(ec_office_lang_set(o, "zoe@example.org", "EN"), EC_ERR_ARG);
	assert_int_equal(ec_office_lang_set(o, "zoe@example.org", ""), EC_ERR_ARG);
	assert_int_equal(ec_office_lang_set(o, "zoe@example.org", "zho"), EC_ERR_ARG);
	assert_int_equal(ec_office_lang_get(o, "zoe@example.org", lang), 0);
	assert_string_equal(lang, "en");
	ec_office_close(o);
	/* kept across a reopen, readable read-only, not settable read-only */
	o = open_ro(state);
	assert_int_equal(ec_office_lang_get(o, "ZOE@example.org", lang), 0);
	assert_string_equal(lang, "en");
	assert_int_equal(ec_office_lang_set(o, "zoe@example.org", "zh"), EC_ERR_ARG);
	ec_office_close(o);
}

/* --- notices with register changes --- */

static struct ec_exam
exam(const char *reg, const char *email)
{
	struct ec_exam x;

	memset(&x, 0, sizeof x);
	strcpy(x.reg_no, reg);
	strcpy(x.last_name, "O'Brien");
	strcpy(x.first_name, "Zo\xc3\xab");
	strcpy(x.email, email);
	strcpy(x.tel, "+353 871234567");
	strcpy(x.code, "HCIA-AI");
	x.exam_date = 20500;
	x.passed = 1;
	return x;
}

static struct ec_app
app(const char *reg, enum ec_format fmt)
{
	struct ec_app a;

	memset(&a, 0, sizeof a);
	strcpy(a.reg_no, reg);
	a.format = fmt;
	strcpy(a.name, "Zo\xc3\xab O'Brien");
	strcpy(a.email, "zoe@example.org");
	strcpy(a.tel, "+353 871234567");
	if (fmt == EC_FORMAT_PAPER)
		strcpy(a.address, "1 Main Street, Dublin");
	a.applied = 20501;
	return a;
}

static void
cert(struct ec_cert *c, const char *reg, const char *email, enum ec_format fmt)
{
	memset(c, 0, sizeof *c);
	assert_int_equal(ec_number_generate(511, c->e.number), 0);
	strcpy(c->e.name, "Zo\xc3\xab O'Brien");
	/* A certification per registration number: the one-live-certificate rule is tested in test_office. */
	snprintf(c->e.code, sizeof c->e.code, "HCIA-%s", reg);
	strcpy(c->e.title, "Huawei Certified ICT Associate - Artificial Intelligence");
	c->e.format = fmt;
	c->e.effective = 20500;
	c->e.expires = ec_date_expiry(20500, 3);
	c->e.issued_at = T0;
	strcpy(c->e.kid, KID);
	strcpy(c->reg_no, reg);
	strcpy(c->email, email);
	strcpy(c->issuer, "Example Issuing CA");
	c->der_len = 600;
	memset(c->der, 0x30, c->der_len);
	strcpy(c->token, "h.p.s");
}

/* An office with exams R1..R6 passed and applied for (R2, R5 and R6 paper). */
static struct ec_office *
seeded(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_exam x[6] = {
		exam("R1", "zoe@example.org"), exam("R2", "zoe.two@example.org"), exam("R3", "li@example.cn"),
		exam("R4", "d@example.org"), exam("R5", "e@example.org"), exam("R6", "f@example.org"),
	};
	struct ec_app a[6] = {
		app("R1", EC_FORMAT_ELECTRONIC), app("R2", EC_FORMAT_PAPER), app("R3", EC_FORMAT_ELECTRONIC),
		app("R4", EC_FORMAT_ELECTRONIC), app("R5", EC_FORMAT_PAPER), app("R6", EC_FORMAT_PAPER),
	};
	int rc[6];

	assert_int_equal(ec_office_import(o, x, 6, NULL), 0);
	assert_int_equal(ec_office_apply_many(o, a, 6, rc), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(rc[i], 0);
	return o;
}

static void
test_issue_notices(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_cert *c = calloc(5, sizeof *c), *got = malloc(sizeof *got);
	struct ec_notice *n = calloc(5, sizeof *n);
	struct seen *s = calloc(1, sizeof *s);
	int rc[5];

	assert_non_null(c);
	assert_non_null(got);
	assert_non_null(n);
	assert_non_null(s);
	cert(&c[0], "R1", "zoe@example.org", EC_FORMAT_ELECTRONIC);
	cert(&c[1], "R9", "x@example.org", EC_FORMAT_ELECTRONIC);          /* no application: refused */
	cert(&c[2], "R2", "zoe@example.org", EC_FORMAT_PAPER);             /* stored, notice without address */
	cert(&c[3], "R3", "li@example.cn", EC_FORMAT_ELECTRONIC);
	strcpy(c[3].e.number, c[0].e.number);                               /* number in use: refused */
	cert(&c[4], "R4", "d@example.org", EC_FORMAT_ELECTRONIC);
	notice(&n[0], "issued", "zoe@example.org", "en", T0);
	notice(&n[1], "issued", "x@example.org", "en", T0);
	memset(&n[2], 0, sizeof n[2]);                                      /* to "": none */
	notice(&n[3], "issued", "li@example.cn", "zh", T0);
	notice(&n[4], "issued", "d@example.org", "en", T0);
	assert_int_equal(ec_office_issue(o, c, n, 5, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(rc[1], EC_ERR_NOTFOUND);
	assert_int_equal(rc[2], 0);
	assert_int_equal(rc[3], EC_ERR_REFUSED);
	assert_int_equal(rc[4], 0);
	/* only the stored certificates' notices, in batch order */
	assert_int_equal(ec_outbox_each(o, 0, collect, s), 0);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->m[0].id, 1);
	assert_notice_equal(&s->m[0].n, &n[0]);
	assert_int_equal(s->m[1].id, 2);
	assert_notice_equal(&s->m[1].n, &n[4]);

	/*
	 * The same transaction: a notice the register cannot store (its address holds a control
	 * character, which ec_notice_init would never let through) fails the whole batch, and its
	 * certificate is not stored either.
	 */
	cert(&c[0], "R3", "li@example.cn", EC_FORMAT_ELECTRONIC);
	notice(&n[0], "issued", "li@example.cn", "zh", T0);
	n[0].to[2] = '\x01';
	assert_int_not_equal(ec_office_issue(o, c, n, 1, rc), 0);
	assert_int_equal(ec_office_cert_get(o, c[0].e.number, got), EC_ERR_NOTFOUND);
	{
		struct ec_app a;

		assert_int_equal(ec_office_app_get(o, "R3", &a), 0);
		assert_int_equal(a.status, EC_ST_REQUESTED);
		assert_string_equal(a.number, "");
	}
	assert_int_equal(count(o, 0), 2);
	/* the same certificate with a good notice: stored and queued together, the next id */
	notice(&n[0], "issued", "li@example.cn", "zh", T0);
	assert_int_equal(ec_office_issue(o, c, n, 1, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(ec_office_cert_get(o, c[0].e.number, got), 0);
	assert_int_equal(count(o, 0), 3);
	assert_int_equal(ec_outbox_get(o, 3, &s->m[0]), 0);
	assert_notice_equal(&s->m[0].n, &n[0]);
	/* re-running the batch issues nothing and queues nothing */
	assert_int_equal(ec_office_issue(o, c, n, 1, rc), 0);
	assert_int_equal(rc[0], EC_ERR_EXISTS);
	assert_int_equal(count(o, 0), 3);
	/* without notices, nothing queued */
	cert(&c[0], "R5", "e@example.org", EC_FORMAT_PAPER);
	assert_int_equal(ec_office_issue(o, c, NULL, 1, rc), 0);
	assert_int_equal(rc[0], 0);
	assert_int_equal(count(o, 0), 3);
	free(c);
	free(got);
	free(n);
	free(s);
	ec_office_close(o);
}

/* Issue one certificate for reg without a notice. */
static void
issue_one(struct ec_office *o, const char *reg, const char *email, enum ec_format fmt, struct ec_cert *c)
{
	int rc = -1;

	cert(c, reg, email, fmt);
	assert_int_equal(ec_office_issue(o, c, NULL, 1, &rc), 0);
	assert_int_equal(rc, 0);
}

static void
test_revoke_renew_ship_notices(void **state)
{
	struct ec_office *o = seeded(state);
	struct ec_cert *e = malloc(sizeof *e), *p = malloc(sizeof *p), *p2 = malloc(sizeof *p2),
	    *nc = malloc(sizeof *nc), *got = malloc(sizeof *got);
	struct ec_notice n;
	struct seen *s = calloc(1, sizeof *s);

	assert_non_null(e);
	assert_non_null(p);
	assert_non_null(p2);
	assert_non_null(nc);
	assert_non_null(got);
	assert_non_null(s);
	issue_one(o, "R1", "zoe@example.org", EC_FORMAT_ELECTRONIC, e);
	issue_one(o, "R2", "zoe@example.org", EC_FORMAT_PAPER, p);
	issue_one(o, "R5", "e@example.org", EC_FORMAT_PAPER, p2);
	assert_int_equal(count(o, 0), 0);

	/* revoke with a notice: queued; again (refused) or unknown: nothing queued */
	notice(&n, "revoked", "zoe@example.org", "en", T0 + 1);
	assert_int_equal(ec_office_revoke(o, e->e.number, T0 + 1, "keyCompromise", &n, NULL), 0);
	assert_int_equal(ec_outbox_each(o, 0, collect, s), 0);
	assert_int_equal(s->n, 1);
	assert_notice_equal(&s->m[0].n, &n);
	assert_int_equal(ec_office_revoke(o, e->e.number, T0 + 2, "keyCompromise", &n, NULL), EC_ERR_REFUSED);
	assert_int_equal(ec_office_revoke(o, "0511000000000000000000", T0 + 2, "keyCompromise", &n, NULL),
	    EC_ERR_NOTFOUND);
	assert_int_equal(count(o, 0), 1);

	/* ship with a notice: queued once; recording the same again queues nothing */
	notice(&n, "shipped", "zoe@example.org", "en", T0 + 3);
	assert_int_equal(ec_office_ship(o, p->e.number, "SF Express", "SF1", T0 + 3, &n), 0);
	assert_int_equal(count(o, 0), 2);
	assert_int_equal(ec_outbox_get(o, 2, &s->m[0]), 0);
	assert_notice_equal(&s->m[0].n, &n);
	assert_int_equal(ec_office_ship(o, p->e.number, "SF Express", "SF1", T0 + 4, &n), 0);
	assert_int_equal(count(o, 0), 2);
	assert_int_equal(ec_office_ship(o, p->e.number, "EMS", "E2", T0 + 4, &n), EC_ERR_REFUSED);
	assert_int_equal(ec_office_ship(o, e->e.number, "SF Express", "SF2", T0 + 4, &n), EC_ERR_REFUSED);
	assert_int_equal(count(o, 0), 2);

	/* renew the other paper one with a notice: queued with it */
	cert(nc, "R5", "e@example.org", EC_FORMAT_PAPER);
	strcpy(nc->e.renewal_of, p2->e.number);
	notice(&n, "issued", "e@example.org", "en", T0 + 5);
	assert_int_equal(ec_office_renew(o, nc, &n), 0);
	assert_int_equal(count(o, 0), 3);
	/* a second renewal of it is refused and queues nothing */
	cert(nc, "R5", "e@example.org", EC_FORMAT_PAPER);
	strcpy(nc->e.renewal_of, p2->e.number);
	assert_int_equal(ec_office_renew(o, nc, &n), EC_ERR_REFUSED);
	assert_int_equal(count(o, 0), 3);

	/* a superseded paper certificate is not shipped, and nothing is queued */
	assert_int_equal(ec_office_cert_get(o, p2->e.number, got), 0);
	assert_int_equal(got->status, EC_ST_SUPERSEDED);
	notice(&n, "shipped", "e@example.org", "en", T0 + 6);
	assert_int_equal(ec_office_ship(o, p2->e.number, "SF Express", "SF3", T0 + 6, &n), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "superseded"));
	assert_int_equal(ec_office_cert_get(o, p2->e.number, got), 0);
	assert_string_equal(got->carrier, "");
	/* nor a revoked one */
	assert_int_equal(ec_office_revoke(o, p2->e.number, T0 + 7, "affiliationChanged", NULL, NULL), 0);
	assert_int_equal(ec_office_ship(o, p2->e.number, "SF Express", "SF3", T0 + 7, &n), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "revoked"));
	{
		struct ec_cert *r6 = malloc(sizeof *r6);

		assert_non_null(r6);
		issue_one(o, "R6", "f@example.org", EC_FORMAT_PAPER, r6);
		assert_int_equal(ec_office_revoke(o, r6->e.number, T0 + 8, "keyCompromise", NULL, NULL), 0);
		assert_int_equal(ec_office_ship(o, r6->e.number, "SF Express", "SF4", T0 + 8, &n), EC_ERR_REFUSED);
		assert_int_equal(ec_office_cert_get(o, r6->e.number, got), 0);
		assert_string_equal(got->carrier, "");
		free(r6);
	}
	assert_int_equal(count(o, 0), 3);
	free(e);
	free(p);
	free(p2);
	free(nc);
	free(got);
	free(s);
	ec_office_close(o);
}

/* --- persistence and read-only use --- */

static void
test_reopen_and_read_only(void **state)
{
	struct ec_office *o = open_rw(state), *ro;
	struct ec_notice n[2];
	struct seen *s = calloc(1, sizeof *s);
	struct ec_outbox_msg *m = malloc(sizeof *m);
	uint64_t id = 0, ids[4];
	size_t cnt = 0;
	static const uint64_t two[] = { 2 };

	assert_non_null(s);
	assert_non_null(m);
	notice(&n[0], "issued", "a@example.org", "en", T0);
	notice(&n[1], "expiry", "b@example.org", "zh", T0 + 1);
	assert_int_equal(ec_outbox_queue(o, &n[0], NULL, NULL), 0);
	assert_int_equal(ec_outbox_queue(o, &n[1], "expiry.1", NULL), 0);
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_SENT, 0, T0 + 2, 250, "accepted (250)"), 0);
	ec_office_close(o);

	/* read-only: everything can be read, nothing changed */
	ro = open_ro(state);
	assert_int_equal(ec_outbox_each(ro, 0, collect, s), 0);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->m[0].state, EC_MAIL_SENT);
	assert_string_equal(s->m[0].log[0].note, "accepted (250)");
	assert_notice_equal(&s->m[1].n, &n[1]);
	assert_int_equal(ec_outbox_get(ro, 2, m), 0);
	assert_int_equal(m->state, EC_MAIL_QUEUED);
	assert_due(ro, T0 + 1, 4, two, 1);
	assert_int_equal(ec_outbox_once(ro, "expiry.1"), 1);
	assert_int_equal(ec_outbox_queue(ro, &n[0], NULL, &id), EC_ERR_ARG);
	assert_int_equal(ec_outbox_result(ro, 2, EC_MAIL_SENT, 0, T0 + 3, 250, "x"), EC_ERR_ARG);
	assert_int_equal(ec_outbox_retry(ro, 0, T0 + 3, &cnt), EC_ERR_ARG);
	{
		struct ec_sender_conf sc = { .smtp = NULL, .tpldir = "templates", .from = "noreply@example.org",
			.now = T0 + 10 };
		struct ec_send_stats st;

		/* listing what waits works read-only too */
		assert_int_equal(ec_outbox_send(ro, &sc, &st), 0);
		assert_int_equal(st.waiting, 1);
	}
	ec_office_close(ro);

	/* read-write again: the sequence goes on from 3 */
	o = open_rw(state);
	assert_int_equal(ec_outbox_queue(o, &n[0], NULL, &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->state, EC_MAIL_SENT);
	assert_int_equal(ec_outbox_due(o, T0 + 1, ids, 4, &cnt), 0);
	assert_int_equal(cnt, 2);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[1], 2);
	free(s);
	free(m);
	ec_office_close(o);
}

/* --- the sender --- */

/* A loopback TCP port nothing listens on: bound, then closed. */
static unsigned
closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* The notice the real issued.en template needs. */
static void
issued_notice(struct ec_notice *n, const char *to, int64_t at)
{
	assert_int_equal(ec_notice_init(n, "issued", to, "en", DOMAIN, at), 0);
	assert_int_equal(ec_notice_set(n, "name", "Zo\xc3\xab O'Brien"), 0);
	assert_int_equal(ec_notice_set(n, "number", "0511 2026 0301 4455 6677 88"), 0);
	assert_int_equal(ec_notice_set(n, "code", "HCIA-AI"), 0);
	assert_int_equal(ec_notice_set(n, "title", "Huawei Certified ICT Associate"), 0);
	assert_int_equal(ec_notice_set(n, "effective", "2026-03-01"), 0);
	assert_int_equal(ec_notice_set(n, "expires", "2029-03-01"), 0);
	assert_int_equal(ec_notice_set(n, "url", "https://verify.example.org/v/05112026"), 0);
	assert_int_equal(ec_notice_set(n, "org", "Example Cert Body"), 0);
	assert_int_equal(ec_notice_set(n, "format", "electronic"), 0);
}

static void
test_send_no_relay(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_notice n;
	struct seen *before = calloc(1, sizeof *before), *after = calloc(1, sizeof *after);
	struct ec_sender_conf sc = { .smtp = NULL, .tpldir = "templates", .from = "noreply@example.org", .now = T0 + 100 };
	struct ec_send_stats st;

	assert_non_null(before);
	assert_non_null(after);
	issued_notice(&n, "a@example.org", T0);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);        /* due */
	issued_notice(&n, "b@example.org", T0 + 50);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);        /* due */
	issued_notice(&n, "c@example.org", T0 + 500);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);        /* not yet */
	issued_notice(&n, "d@example.org", T0);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	assert_int_equal(ec_outbox_result(o, 4, EC_MAIL_DEFERRED, T0 + 90, T0 + 30, 421, "busy"), 0);   /* due */
	issued_notice(&n, "e@example.org", T0);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	assert_int_equal(ec_outbox_result(o, 5, EC_MAIL_DEFERRED, T0 + 900, T0 + 30, 421, "busy"), 0);  /* not yet */
	issued_notice(&n, "f@example.org", T0);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	assert_int_equal(ec_outbox_result(o, 6, EC_MAIL_SENT, 0, T0 + 30, 250, "ok"), 0);

	assert_int_equal(ec_outbox_each(o, 0, collect, before), 0);
	memset(&st, 0xff, sizeof st);
	assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
	assert_int_equal(st.waiting, 3);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.deferred, 0);
	assert_int_equal(st.failed, 0);
	assert_int_equal(ec_outbox_send(o, &sc, NULL), 0);               /* st may be NULL */
	/* nothing changed */
	assert_int_equal(ec_outbox_each(o, 0, collect, after), 0);
	assert_int_equal(after->n, before->n);
	for (size_t i = 0; i < before->n; i++)
		assert_msg_equal(&after->m[i], &before->m[i]);
	/* even past every deadline: nothing is failed without a relay */
	sc.now = T0 + 10 * EC_MAIL_GIVE_UP;
	assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
	assert_int_equal(st.waiting, 5);
	assert_int_equal(st.failed, 0);
	assert_int_equal(count(o, EC_MAIL_FAILED), 0);
	free(before);
	free(after);
	ec_office_close(o);
}

static void
test_send_closed_port(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_notice n;
	struct ec_outbox_msg *m = malloc(sizeof *m);
	char url[64];
	struct ec_smtp_conf smtp = { .url = url, .tls = 0, .from = "noreply@example.org", .timeout = 5 };
	struct ec_sender_conf sc = { .smtp = &smtp, .tpldir = "templates", .from = "noreply@example.org" };
	struct ec_send_stats st;
	int64_t now = T0 + 100;
	static const int64_t backoff[] = { 60, 300, 900, 3600, 2 * 3600, 6 * 3600, 6 * 3600 };

	assert_non_null(m);
	snprintf(url, sizeof url, "smtp://127.0.0.1:%u", closed_port());
	for (int i = 0; i < 3; i++) {
		char to[32];

		snprintf(to, sizeof to, "u%d@example.org", i);
		issued_notice(&n, to, T0 + i);
		assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	}
	issued_notice(&n, "late@example.org", T0 + 5000);                  /* 4: not due yet */
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);

	/*
	 * The relay unreachable: the first due message deferred with a note, due again in a minute; the
	 * run stops there (no timeout per message), the others still queued and due; none failed, none sent.
	 */
	sc.now = now;
	memset(&st, 0xff, sizeof st);
	assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
	assert_int_equal(st.sent, 0);
	assert_int_equal(st.deferred, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.waiting, 0);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->state, EC_MAIL_DEFERRED);
	assert_int_equal(m->attempts, 1);
	assert_int_equal(m->nlog, 1);
	assert_int_equal(m->log[0].at, now);
	assert_int_equal(m->log[0].code, 0);
	assert_non_null(strstr(m->log[0].note, "onnect"));     /* "Couldn't connect to server..." */
	assert_int_equal(m->next_at, now + 60);
	assert_int_equal(m->expires, T0 + EC_MAIL_GIVE_UP);
	for (uint64_t id = 2; id <= 4; id++) {
		assert_int_equal(ec_outbox_get(o, id, m), 0);
		assert_int_equal(m->state, EC_MAIL_QUEUED);
		assert_int_equal(m->attempts, 0);
	}
	assert_due(o, now, 16, (uint64_t[]){ 2, 3 }, 2);
	assert_int_equal(count(o, EC_MAIL_FAILED), 0);
	/* the next run takes the next one, and stops again */
	assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
	assert_int_equal(st.deferred, 1);
	assert_int_equal(ec_outbox_get(o, 2, m), 0);
	assert_int_equal(m->state, EC_MAIL_DEFERRED);
	/* out of the way for the backoff below: only message 1 is followed */
	assert_int_equal(ec_outbox_result(o, 2, EC_MAIL_SENT, 0, now, 250, "ok"), 0);
	assert_int_equal(ec_outbox_result(o, 3, EC_MAIL_SENT, 0, now, 250, "ok"), 0);
	assert_int_equal(ec_outbox_result(o, 4, EC_MAIL_SENT, 0, now, 250, "ok"), 0);

	/* each later run at the next due time: again after 5, 15, 60 minutes, then 2 and 6 hours */
	for (size_t k = 1; k < sizeof backoff / sizeof backoff[0]; k++) {
		assert_int_equal(ec_outbox_get(o, 1, m), 0);
		now = m->next_at;
		sc.now = now;
		assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
		assert_int_equal(st.deferred, 1);
		assert_int_equal(st.sent, 0);
		assert_int_equal(st.failed, 0);
		assert_int_equal(ec_outbox_get(o, 1, m), 0);
		assert_int_equal(m->state, EC_MAIL_DEFERRED);
		assert_int_equal(m->attempts, k + 1);
		assert_int_equal(m->next_at, now + backoff[k]);
		assert_int_equal(m->log[m->nlog - 1].at, now);
	}
	assert_int_equal(count(o, EC_MAIL_FAILED), 0);
	free(m);
	ec_office_close(o);
}

/* A values callback adding "org" to every notice; counts its calls. */
static int
add_org(void *ctx, struct ec_notice *n)
{
	(*(int *)ctx)++;
	return ec_notice_set(n, "org", "Example Cert Body");
}

static void
test_send_expired_and_unmakeable(void **state)
{
	struct ec_office *o = open_rw(state);
	struct ec_notice n;
	struct ec_outbox_msg *m = malloc(sizeof *m);
	char url[64];
	struct ec_smtp_conf smtp = { .url = url, .tls = 0, .from = "noreply@example.org", .timeout = 5 };
	struct ec_sender_conf sc = { .smtp = &smtp, .tpldir = "templates", .from = "noreply@example.org" };
	struct ec_send_stats st;
	const int64_t end = T0 + EC_MAIL_GIVE_UP;
	int calls = 0;

	assert_non_null(m);
	snprintf(url, sizeof url, "smtp://127.0.0.1:%u", closed_port());
	issued_notice(&n, "a@example.org", T0);                            /* 1: never tried */
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	issued_notice(&n, "b@example.org", T0);                            /* 2: tried before */
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	assert_int_equal(ec_outbox_result(o, 2, EC_MAIL_DEFERRED, T0 + 60, T0, 421, "421 mailbox busy"), 0);
	assert_int_equal(ec_notice_init(&n, "nosuch", "c@example.org", "en", DOMAIN, end - 10), 0);   /* 3 */
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);

	/* past their 3 days: failed without an attempt, the note saying so; the young one is tried */
	sc.now = end + 1;
	assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.deferred, 1);
	assert_int_equal(st.sent, 0);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->state, EC_MAIL_FAILED);
	assert_int_equal(m->next_at, 0);
	assert_int_equal(m->nlog, 1);
	assert_int_equal(m->log[0].at, end + 1);
	assert_non_null(strstr(m->log[0].note, "3 days"));
	assert_non_null(strstr(m->log[0].note, "no attempt"));
	assert_int_equal(ec_outbox_get(o, 2, m), 0);
	assert_int_equal(m->state, EC_MAIL_FAILED);
	assert_int_equal(m->attempts, 2);
	assert_non_null(strstr(m->log[1].note, "3 days"));
	assert_non_null(strstr(m->log[1].note, "421 mailbox busy"));     /* what happened last */
	/* a message that cannot be made (no template) is deferred, not failed: an operator can fix it */
	assert_int_equal(ec_outbox_get(o, 3, m), 0);
	assert_int_equal(m->state, EC_MAIL_DEFERRED);
	assert_int_equal(m->log[0].code, 0);
	assert_non_null(strstr(m->log[0].note, "cannot make the message"));
	assert_non_null(strstr(m->log[0].note, "nosuch"));
	assert_int_equal(m->next_at, end + 61);
	assert_due(o, end + 60, 16, NULL, 0);

	/* a retried one gets 3 more days: tried again (and deferred: the port is closed) */
	assert_int_equal(ec_outbox_retry(o, 1, end + 100, NULL), 0);
	sc.now = end + 100;
	assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->state, EC_MAIL_DEFERRED);
	assert_non_null(strstr(m->log[m->nlog - 1].note, "onnect"));
	/* its second attempt in the count (the expiry was the first): next after 5 minutes */
	assert_int_equal(m->attempts, 2);
	assert_int_equal(m->next_at, end + 100 + 300);

	/* a notice the template needs more values for: deferred, unless the values callback adds them */
	issued_notice(&n, "d@example.org", end);
	n.vlen = 0;
	memset(n.values, 0, sizeof n.values);
	assert_int_equal(ec_notice_set(&n, "name", "D"), 0);
	assert_int_equal(ec_notice_set(&n, "number", "1"), 0);
	assert_int_equal(ec_notice_set(&n, "code", "C"), 0);
	assert_int_equal(ec_notice_set(&n, "title", "T"), 0);
	assert_int_equal(ec_notice_set(&n, "effective", "E"), 0);
	assert_int_equal(ec_notice_set(&n, "expires", "X"), 0);
	assert_int_equal(ec_notice_set(&n, "url", "https://x.org/v/1"), 0);
	assert_int_equal(ec_notice_set(&n, "format", "paper"), 0);          /* no "org" */
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);            /* 4 */
	sc.now = end + 1000;
	assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
	assert_int_equal(ec_outbox_get(o, 4, m), 0);
	assert_int_equal(m->state, EC_MAIL_DEFERRED);
	assert_non_null(strstr(m->log[0].note, "cannot make the message"));
	assert_non_null(strstr(m->log[0].note, "{org}"));
	assert_null(ec_notice_get(&m->n, "org"));
	assert_int_equal(ec_outbox_retry(o, 4, end + 2000, NULL), 0);
	/* message 1 out of the way: the unreachable relay would end the run at it, before message 4 */
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_SENT, 0, end + 2000, 250, "ok"), 0);
	sc.now = end + 2000;
	sc.values = add_org;
	sc.ctx = &calls;
	assert_int_equal(ec_outbox_send(o, &sc, &st), 0);
	assert_true(calls >= 1);
	assert_int_equal(ec_outbox_get(o, 4, m), 0);
	assert_int_equal(m->state, EC_MAIL_DEFERRED);
	assert_null(strstr(m->log[1].note, "cannot make"));                 /* made; the relay was the problem */
	assert_non_null(strstr(m->log[1].note, "onnect"));
	assert_null(ec_notice_get(&m->n, "org"));                           /* added to a copy, not stored */
	free(m);
	ec_office_close(o);
}

/* A deferral is capped at the deadline, and the attempt due there is made: failing then is the end. */
static void
test_send_attempt_at_deadline(void **state)
{
	struct ec_office *o;
	struct ec_notice n;
	struct ec_outbox_msg *m;
	char url[64];
	struct ec_smtp_conf smtp = { .url = url, .tls = 0, .from = "noreply@example.org", .timeout = 5 };
	struct ec_sender_conf sc = { .smtp = &smtp, .tpldir = "templates", .from = "noreply@example.org" };
	const int64_t end = T0 + EC_MAIL_GIVE_UP;

	o = open_rw(state);
	m = malloc(sizeof *m);
	assert_non_null(m);
	snprintf(url, sizeof url, "smtp://127.0.0.1:%u", closed_port());
	issued_notice(&n, "a@example.org", T0);
	assert_int_equal(ec_outbox_queue(o, &n, NULL, NULL), 0);
	/* as the sender leaves it after an attempt 3 hours before the end: next attempt capped at the end */
	sc.now = end - 3 * 3600;
	assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_DEFERRED, T0 + 60, T0, 0, "first"), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(ec_outbox_result(o, 1, EC_MAIL_DEFERRED, T0 + 60, T0, 0, "again"), 0);
	assert_int_equal(ec_outbox_send(o, &sc, NULL), 0);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	assert_int_equal(m->next_at, end);                 /* capped: the last attempt is due at the end */
	sc.now = end;
	assert_int_equal(ec_outbox_send(o, &sc, NULL), 0);
	assert_int_equal(ec_outbox_get(o, 1, m), 0);
	/* that attempt was made (its note has the relay's connection error), and failing there is the end */
	assert_int_equal(m->state, EC_MAIL_FAILED);
	assert_non_null(strstr(m->log[m->nlog - 1].note, "3 days"));
	assert_non_null(strstr(m->log[m->nlog - 1].note, "onnect"));
	free(m);
	ec_office_close(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queue_each_get, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_due, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_result, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_retry, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_once, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_lang, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_issue_notices, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_revoke_renew_ship_notices, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_reopen_and_read_only, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_send_no_relay, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_send_closed_port, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_send_expired_and_unmakeable, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_send_attempt_at_deadline, setup, helper_tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("outbox", tests, NULL, NULL);
}
