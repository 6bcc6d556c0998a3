/* Delivery of one message over SMTP by libcurl: a connection kept open across a run of messages. */
#ifndef EC_SMTP_H
#define EC_SMTP_H

#include <stddef.h>

struct ec_smtp_conf {
	const char *url;          /* smtp://host[:port] or smtps://host[:port] */
	int tls;                  /* smtp://: 1 STARTTLS required, 0 plain (a loopback relay) */
	const char *from;         /* envelope sender */
	const char *user;         /* NULL: no authentication */
	const char *pass_file;    /* with user: the password is this file's first line */
	long timeout;             /* seconds for the connection and for each reply */
};

/* What became of one message. */
enum ec_smtp_outcome {
	EC_SMTP_SENT,             /* the relay accepted it (250 after the data) */
	EC_SMTP_LATER,            /* try again: no connection, a timeout, a 4xx reply, TLS or login trouble */
	EC_SMTP_REFUSED,          /* the relay refused it for good: a 5xx reply to the recipient or the data */
};

struct ec_smtp;

/*
 * A sender for c; the strings are copied, the password read from c->pass_file now and wiped from
 * memory by ec_smtp_close. EC_ERR_NOMEM; the error of reading the password file, naming it.
 */
int ec_smtp_open(const struct ec_smtp_conf *c, struct ec_smtp **out);
void ec_smtp_close(struct ec_smtp *s);

/*
 * Send msg[0..len) (a whole RFC 5322 message with CRLF line ends) to rcpt. *code gets the last SMTP
 * reply code (0 when there was none) and note (notesz bytes) a one-line account: the reply or
 * libcurl's error, never the message.
 */
enum ec_smtp_outcome ec_smtp_send(struct ec_smtp *s, const char *rcpt, const char *msg, size_t len, unsigned *code,
    char *note, size_t notesz);

#endif
