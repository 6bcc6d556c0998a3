/* DIR/ecert.conf: organisation, public URL, algorithm, time zone; and the state directory itself. */
#ifndef EC_CONF_H
#define EC_CONF_H

#include <stddef.h>
#include "types.h"

struct ec_conf {
	char org[128];           /* organisation name, UTF-8, no control characters */
	char public_url[448];    /* http(s)://host[:port][/path], no trailing slash */
	enum ec_alg alg;
	char tz[64];             /* IANA zone name; "UTC" by default */
	/* Email (docs/mail.md); all optional. Without smtp_url notices stay in the outbox. */
	char smtp_url[256];      /* smtp://host[:port] (STARTTLS required) or smtps://host[:port] */
	int smtp_tls;            /* 1 (default): STARTTLS required on smtp://; 0: "smtp_tls = off", loopback only */
	char mail_from[255];     /* envelope and From address; default noreply@ the public URL's host */
	char smtp_user[128];
	char smtp_pass_file[256];/* a file holding the password (its first line), readable by the sender only */
	char mail_lang[3];       /* language of notices to addresses with none set: "en" (default) or "zh" */
	char portal_url[448];    /* the candidates' portal, for download links in notices; "" when none */
	char publish_to[256];    /* absolute path: snapshots for replicas after each change (docs/scaling.md); "" none */
	unsigned publish_keep;   /* snapshots kept there, 1..1000; 0: the default (EC_SNAP_KEEP) */
};

/*
 * The state directory: dir if not NULL, else $ECERT_HOME, else /var/lib/ecert. Returns a static
 * string or dir itself; never NULL.
 */
const char *ec_conf_dir(const char *dir);

/* The templates/ folder of the source tree the running tool was built in (build/bin/TOOL), or NULL.
 * Lets an uninstalled build find its catalogue and designs; static per-thread storage. */
const char *ec_conf_tree_templates(void);

/* Read DIR/ecert.conf (key = value lines, '#' comments). EC_ERR_NOTFOUND when absent (not initialised),
 * EC_ERR_SYNTAX with "FILE:LINE: ..." on a malformed line or value. */
int ec_conf_load(const char *dir, struct ec_conf *out);

/* Write DIR/ecert.conf atomically (temp file + rename); mail settings only when set. */
int ec_conf_save(const char *dir, const struct ec_conf *c);

/* The From address of notices: mail_from, or noreply@ the public URL's host. */
void ec_conf_mail_from(const struct ec_conf *c, char *out, size_t outsz);

/* The public URL's host (without port), for Message-IDs and the default From. */
void ec_conf_host(const struct ec_conf *c, char *out, size_t outsz);

/*
 * Check every field of c: org 1..41 code points of UTF-8 without control characters or surrounding
 * spaces (its issuing CA's CN must fit 64 characters); public_url http:// or https:// with a host,
 * printable ASCII without spaces, quotes, <>, backslash or '#', no trailing slash; tz "UTC" or a zone
 * file under /usr/share/zoneinfo; smtp_url empty or smtp:// / smtps:// with a host (smtp_tls off only
 * on smtp:// to 127.0.0.1, ::1 or localhost); mail_from empty or an address; smtp_user and
 * smtp_pass_file both or neither; mail_lang "en" or "zh"; publish_to empty or an absolute path of
 * printable characters; publish_keep 0 (the default) to 1000. EC_ERR_ARG with a detail naming the field.
 */
int ec_conf_check(const struct ec_conf *c);

#endif
