/* ecert-portald's mailer: sign-in and association links, sent at once by a thread, never stored. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "portald.h"

#define QUEUE_MAX 1024           /* messages waiting at once; beyond, the newest is refused */
#define LIFE 900                 /* seconds a message is worth trying: its link's life */

struct item {
	struct ec_notice n;
	time_t next;                 /* the next attempt */
	unsigned tries;
};

struct pd_mailer {
	struct ec_smtp *smtp;
	char *tpldir, *from;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct item *q;
	size_t n;
	int stop;
};

static void
wipe_item(struct item *it)
{
	explicit_bzero(it, sizeof *it);
}

/* One attempt at q[i] (the lock is not held while it talks to the relay); 1 when it is done with. */
static int
attempt(struct pd_mailer *m, struct item *it)
{
	struct ec_buf raw;
	enum ec_smtp_outcome o;
	unsigned code = 0;
	char note[200], ks[EC_MAIL_KIND_MAX + 1];
	int done;

	ec_buf_init(&raw);
	snprintf(ks, sizeof ks, "%s", it->n.kind);
	if (ec_notice_compose(&it->n, m->tpldir, m->from, &raw)) {
		pd_event("mail_failed", "kind", ks);
		ec_buf_free(&raw);
		return 1;
	}
	o = ec_smtp_send(m->smtp, it->n.to, raw.p, raw.len, &code, note, sizeof note);
	explicit_bzero(raw.p, raw.len);
	ec_buf_free(&raw);
	it->tries++;
	done = o != EC_SMTP_LATER || time(NULL) - it->n.created >= LIFE;
	pd_event(o == EC_SMTP_SENT ? "mail_sent" : o == EC_SMTP_REFUSED ? "mail_refused" :
	    done ? "mail_expired" : "mail_deferred", "kind", ks);
	/* 5 s, 10 s, 20 s ... between attempts, within the link's life */
	it->next = time(NULL) + (5 << (it->tries < 6 ? it->tries - 1 : 5));
	return done;
}

static void *
run(void *arg)
{
	struct pd_mailer *m = arg;
	struct item it;
	struct timespec until;
	size_t i;
	time_t now, soonest;

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		now = time(NULL);
		soonest = now + 60;
		for (i = 0; i < m->n && m->q[i].next > now; i++)
			if (m->q[i].next < soonest)
				soonest = m->q[i].next;
		if (i == m->n) {
			until.tv_sec = soonest;
			until.tv_nsec = 0;
			pthread_cond_timedwait(&m->cond, &m->lock, &until);
			continue;
		}
		it = m->q[i];
		m->q[i] = m->q[--m->n];
		pthread_mutex_unlock(&m->lock);
		if (!attempt(m, &it)) {
			pthread_mutex_lock(&m->lock);
			if (m->n < QUEUE_MAX)
				m->q[m->n++] = it;
			pthread_mutex_unlock(&m->lock);
		}
		wipe_item(&it);
		pthread_mutex_lock(&m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int
pd_mailer_start(const struct ec_smtp_conf *smtp, const char *tpldir, const char *from, struct pd_mailer **out)
{
	struct pd_mailer *m;
	int r;

	*out = NULL;
	if (!(m = calloc(1, sizeof *m)) || !(m->q = calloc(QUEUE_MAX, sizeof *m->q)) || !(m->tpldir = strdup(tpldir)) ||
	    !(m->from = strdup(from))) {
		r = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((r = ec_smtp_open(smtp, &m->smtp)))
		goto fail;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	if (pthread_create(&m->th, NULL, run, m)) {
		r = ec_err_set(EC_ERR_IO, "%s", "cannot start the mail thread");
		ec_smtp_close(m->smtp);
		goto fail;
	}
	*out = m;
	return 0;
fail:
	if (m) {
		free(m->q);
		free(m->tpldir);
		free(m->from);
		free(m);
	}
	return r;
}

int
pd_mail(void *ctx, const struct ec_notice *n)
{
	struct pd_mailer *m = ctx;
	int r = 0;

	pthread_mutex_lock(&m->lock);
	if (m->n == QUEUE_MAX) {
		r = ec_err_set(EC_ERR_FULL, "%s", "the mail queue is full");
	} else {
		memset(&m->q[m->n], 0, sizeof m->q[m->n]);
		m->q[m->n].n = *n;
		m->q[m->n].next = 0;
		m->n++;
		pthread_cond_signal(&m->cond);
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

void
pd_mailer_stop(struct pd_mailer *m)
{
	char left[24];
	size_t i;

	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = 1;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->th, NULL);
	if (m->n) {
		snprintf(left, sizeof left, "%zu", m->n);
		pd_event("mail_dropped", "messages", left);
	}
	for (i = 0; i < m->n; i++)
		wipe_item(&m->q[i]);
	ec_smtp_close(m->smtp);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m->q);
	free(m->tpldir);
	free(m->from);
	free(m);
}
