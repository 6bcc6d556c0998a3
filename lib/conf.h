/* DIR/ecert.conf: organisation, public URL, algorithm, time zone; and the state directory itself. */
#ifndef EC_CONF_H
#define EC_CONF_H

#include "types.h"

struct ec_conf {
	char org[128];           /* organisation name, UTF-8, no control characters */
	char public_url[448];    /* http(s)://host[:port][/path], no trailing slash */
	enum ec_alg alg;
	char tz[64];             /* IANA zone name; "UTC" by default */
};

/*
 * The state directory: dir if not NULL, else $ECERT_HOME, else /var/lib/ecert. Returns a static
 * string or dir itself; never NULL.
 */
const char *ec_conf_dir(const char *dir);

/* Read DIR/ecert.conf (key = value lines, '#' comments). EC_ERR_NOTFOUND when absent (not initialised),
 * EC_ERR_SYNTAX with "FILE:LINE: ..." on a malformed line or value. */
int ec_conf_load(const char *dir, struct ec_conf *out);

/* Write DIR/ecert.conf atomically (temp file + rename). */
int ec_conf_save(const char *dir, const struct ec_conf *c);

#endif
