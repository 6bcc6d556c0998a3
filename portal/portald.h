/* ecert-portald internals: options and lifecycle (portald.c), HTTP (portald_http.c), mail (portald_mail.c). */
#ifndef EC_PORTALD_H
#define EC_PORTALD_H

#include <stddef.h>

#include "mail.h"
#include "pweb.h"
#include "smtp.h"

struct pd {
	struct ec_pweb *web;
	int trust_proxy;
	unsigned char proxy_addr[16];    /* the trusted proxy's exact address (IPv4 mapped) */
	unsigned long in_flight;         /* requests being answered (atomic) */
};

/* Start libmicrohttpd on the listening socket fd; NULL on failure. */
struct MHD_Daemon *pd_start(struct pd *d, int fd, unsigned threads, unsigned conns, unsigned timeout);

/* One JSON event line on stderr: {"time":...,"event":EVENT[,KEY:"VALUE"]}; nothing personal in it. */
void pd_event(const char *event, const char *key, const char *value);

/*
 * The mailer: messages handed over by the portal are composed from tpldir's templates and sent by a
 * thread of its own at once, retried for up to 15 minutes (a sign-in link's life), kept in memory only.
 */
struct pd_mailer;
int pd_mailer_start(const struct ec_smtp_conf *smtp, const char *tpldir, const char *from, struct pd_mailer **out);
/* ec_pweb_conf's mail callback (ctx: the mailer). */
int pd_mail(void *ctx, const struct ec_notice *n);
/* Stop the thread (messages not yet sent are dropped, and said so) and free. */
void pd_mailer_stop(struct pd_mailer *m);

#endif
