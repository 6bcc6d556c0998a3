/* ecert-issue outbox: list, show, retry and send the notices waiting in the office register. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "issuer.h"
#include "outbox.h"
#include "smtp.h"

#define REMIND_DAYS 90

static int
parse_id(const char *s, uint64_t *id)
{
	char *end;
	unsigned long long v;

	if (!s[0] || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19 || (v = strtoull(s, &end, 10)) == 0)
		return usage_err("'%s' is not a message id (a number from 'outbox list')", s);
	*id = v;
	return 0;
}

struct lister {
	struct table *t;
	struct ec_buf json;
	int as_json;
	size_t n;
};

static int
list_one(void *ctx, const struct ec_outbox_msg *m)
{
	struct lister *l = ctx;
	char id[24], em[EC_EMAIL_MAX + 8], created[21], next[21], tries[12];
	const char *last = m->nlog ? m->log[m->nlog - 1].note : "";

	snprintf(id, sizeof id, "%llu", (unsigned long long)m->id);
	mask_email(m->n.to, em, sizeof em);
	fmt_time(m->n.created, created);
	fmt_time(m->next_at, next);
	snprintf(tries, sizeof tries, "%u", m->attempts);
	l->n++;
	if (l->as_json) {
		ec_buf_addf(&l->json, "%s{\"id\":%s,\"state\":\"%s\",\"kind\":", l->n > 1 ? ",\n" : "\n", id,
		    ec_mail_state_name(m->state));
		ec_buf_json(&l->json, m->n.kind);
		ec_buf_adds(&l->json, ",\"to\":");
		ec_buf_json(&l->json, em);
		ec_buf_adds(&l->json, ",\"lang\":");
		ec_buf_json(&l->json, m->n.lang);
		ec_buf_adds(&l->json, ",\"message_id\":");
		ec_buf_json(&l->json, m->n.message_id);
		ec_buf_addf(&l->json, ",\"created\":\"%s\",\"attempts\":%u,\"next_attempt\":", created, m->attempts);
		if (m->next_at)
			ec_buf_addf(&l->json, "\"%s\"", next);
		else
			ec_buf_adds(&l->json, "null");
		ec_buf_adds(&l->json, ",\"last\":");
		ec_buf_json(&l->json, last);
		ec_buf_addc(&l->json, '}');
		return l->json.err ? EC_ERR_NOMEM : 0;
	} else {
		const char *cells[] = { id, ec_mail_state_name(m->state), m->n.kind, em, created, tries,
			m->next_at ? next : "-", last };

		return table_row(l->t, cells);
	}
}

static int
outbox_list(struct ctx *c, const struct opts *o)
{
	static const char *const heads[] = { "ID", "STATE", "KIND", "TO", "QUEUED", "TRIES", "NEXT", "LAST" };
	struct lister l = { NULL, { 0 }, o->json, 0 };
	enum ec_mail_state st = 0;
	int rc;

	if (o->state && !(st = ec_mail_state_parse(o->state)))
		return usage_err("--state must be queued, deferred, sent or failed, not '%s'", o->state);
	if (!o->json && !(l.t = table_new(8, heads)))
		return fail(EC_ERR_NOMEM);
	if (o->json)
		ec_buf_addc(&l.json, '[');
	if ((rc = ec_outbox_each(c->off, st, list_one, &l))) {
		rc = fail(rc);
	} else if (o->json) {
		ec_buf_adds(&l.json, l.n ? "\n]" : "]");
		rc = put_buf(&l.json);
	} else if (l.n == 0) {
		fprintf(stderr, PROG ": no messages%s%s in the outbox\n", o->state ? " " : "", o->state ? o->state : "");
	} else {
		rc = table_print(l.t, stdout) ? fail(EC_ERR_IO) : 0;
	}
	table_free(l.t);
	ec_buf_free(&l.json);
	return rc;
}

static int
outbox_show(struct ctx *c, const char *arg)
{
	struct ec_outbox_msg m;
	struct ec_buf subj = { 0 }, text = { 0 };
	char dir[4096], from[300], t[21];
	uint64_t id;
	int rc;

	if ((rc = parse_id(arg, &id)))
		return rc;
	if ((rc = ec_outbox_get(c->off, id, &m)))
		return fail(rc);
	ec_conf_mail_from(&c->conf, from, sizeof from);
	fmt_time(m.n.created, t);
	printf("id: %llu\nstate: %s\nkind: %s\nlanguage: %s\nFrom: %s\nTo: %s\nDate: %s\nMessage-ID: <%s>\n",
	    (unsigned long long)m.id, ec_mail_state_name(m.state), m.n.kind, m.n.lang, from, m.n.to, t, m.n.message_id);
	if (m.next_at) {
		fmt_time(m.next_at, t);
		printf("next attempt: %s\n", t);
	}
	for (unsigned i = 0; i < m.nlog; i++) {
		fmt_time(m.log[i].at, t);
		printf("attempt: %s %u %s\n", t, m.log[i].code, m.log[i].note);
	}
	if ((rc = mail_tpldir(c, dir, sizeof dir)) || (rc = notice_values(c, &m.n)) ||
	    (rc = ec_notice_text(&m.n, dir, &subj, &text))) {
		rc = fail(rc);
		goto out;
	}
	printf("Subject: %s\n\n%s", subj.p, text.p ? text.p : "");
out:
	ec_buf_free(&subj);
	ec_buf_free(&text);
	return rc;
}

static int
outbox_retry(struct ctx *c, const struct opts *o)
{
	uint64_t id = 0;
	size_t n = 0;
	int rc;

	if (o->failed == (o->nargs > 1))
		return usage_err("outbox retry takes a message id or --failed");
	if (!o->failed && (rc = parse_id(o->args[1], &id)))
		return rc;
	if ((rc = ec_outbox_retry(c->off, id, ec_time_now(), &n)))
		return fail(rc);
	printf("%zu message%s queued again\n", n, n == 1 ? "" : "s");
	return 0;
}

/* Expiry reminders due today: valid certificates within REMIND_DAYS of their end, each reminded once. */
struct remind {
	struct ctx *c;
	char (*numbers)[EC_NUMBER_DIGITS + 1];
	size_t n, cap;
};

static int
remind_one(void *ctx, const struct ec_cert *r)
{
	struct remind *x = ctx;

	if (!r->email[0] || x->c->today < r->e.expires - REMIND_DAYS || x->c->today > r->e.expires)
		return 0;
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 256;
		void *p = realloc(x->numbers, cap * sizeof *x->numbers);

		if (!p)
			return EC_ERR_NOMEM;
		x->numbers = p;
		x->cap = cap;
	}
	memcpy(x->numbers[x->n++], r->e.number, EC_NUMBER_DIGITS + 1);
	return 0;
}

static int
queue_reminders(struct ctx *c, size_t *queued)
{
	struct ec_cert_filter f = { NULL, 1 + EC_ST_VALID, c->today };
	struct remind x = { c, NULL, 0, 0 };
	struct ec_cert r;
	struct ec_notice n;
	char once[32];
	int32_t last;
	int rc;

	*queued = 0;
	/* Once a day is enough: the reminders are days ahead, and the walk reads every certificate. */
	if ((rc = ec_outbox_scan_get(c->off, &last)) || last == c->today)
		return rc;
	/* Collected first: the register is not written while it is walked. */
	if ((rc = ec_office_certs_each(c->off, &f, remind_one, &x)))
		goto out;
	for (size_t i = 0; i < x.n && !rc; i++) {
		snprintf(once, sizeof once, "expiry.%s", x.numbers[i]);
		if ((rc = ec_outbox_once(c->off, once)) < 0)
			break;
		if (rc == 1) {
			rc = 0;
			continue;
		}
		if ((rc = ec_office_cert_get(c->off, x.numbers[i], &r)) || (rc = notice_cert(c, "expiry", &r, &n)))
			break;
		if ((rc = ec_outbox_queue(c->off, &n, once, NULL)) == 0)
			(*queued)++;
		else if (rc == EC_ERR_EXISTS)
			rc = 0;
	}
	if (rc == 0)
		rc = ec_outbox_scan_set(c->off, c->today);
out:
	free(x.numbers);
	return rc;
}

static int
count_failed(void *ctx, const struct ec_outbox_msg *m)
{
	(void)m;
	++*(size_t *)ctx;
	return 0;
}

static int
outbox_send(struct ctx *c)
{
	struct ec_smtp_conf smtp;
	struct ec_sender_conf sc;
	struct ec_send_stats st;
	char dir[4096], from[300];
	size_t reminders = 0, failed = 0;
	int rc;

	if ((rc = queue_reminders(c, &reminders)))
		return fail(rc);
	if ((rc = mail_tpldir(c, dir, sizeof dir)))
		return fail(rc);
	ec_conf_mail_from(&c->conf, from, sizeof from);
	memset(&smtp, 0, sizeof smtp);
	smtp.url = c->conf.smtp_url;
	smtp.tls = c->conf.smtp_tls;
	smtp.from = from;
	smtp.timeout = 20;
	if (c->conf.smtp_user[0]) {
		smtp.user = c->conf.smtp_user;
		smtp.pass_file = c->conf.smtp_pass_file;
	}
	sc.smtp = c->conf.smtp_url[0] ? &smtp : NULL;
	sc.tpldir = dir;
	sc.from = from;
	sc.now = ec_time_now();
	sc.values = notice_values;
	sc.ctx = c;
	rc = ec_outbox_send(c->off, &sc, &st);
	if (rc)
		return fail(rc);
	if (reminders)
		printf("%zu expiry reminder%s queued\n", reminders, reminders == 1 ? "" : "s");
	if (!sc.smtp) {
		printf("no smtp_url in ecert.conf: %zu message%s wait in the outbox\n", st.waiting,
		    st.waiting == 1 ? "" : "s");
		return 0;
	}
	if ((rc = ec_outbox_each(c->off, EC_MAIL_FAILED, count_failed, &failed)))
		return fail(rc);
	printf("sent %zu, deferred %zu, failed %zu; %zu failed in the outbox\n", st.sent, st.deferred, st.failed,
	    failed);
	return failed ? 1 : 0;
}

int
cmd_outbox(struct opts *o)
{
	const char *what = o->args[0];
	struct ctx c;
	int rc, show = !strcmp(what, "show"), retry = !strcmp(what, "retry"), list = !strcmp(what, "list"),
	    send = !strcmp(what, "send");

	if (!show && !retry && !list && !send)
		return usage_err("unknown outbox command '%s' (list, show, retry, send)", what);
	if ((o->state || o->json) && !list)
		return usage_err("--state and --json go with 'outbox list'");
	if (o->failed && !retry)
		return usage_err("--failed goes with 'outbox retry'");
	if ((show && o->nargs != 2) || ((list || send) && o->nargs != 1))
		return usage_err("usage: " PROG " outbox list|show ID|retry ID|--failed|send");
	if ((rc = ctx_open(&c, o, NEED_CONF | ((list || show) ? NEED_READ : NEED_OFFICE))))
		return rc;
	if (!c.off) {
		fprintf(stderr, PROG ": no messages in the outbox (nothing issued yet)\n");
		rc = show ? 1 : 0;
	} else if (list) {
		rc = outbox_list(&c, o);
	} else if (show) {
		rc = outbox_show(&c, o->args[1]);
	} else if (retry) {
		rc = outbox_retry(&c, o);
	} else {
		rc = outbox_send(&c);
	}
	ctx_close(&c);
	return rc;
}
