/* What both daemons do before serving (lib/base/net.c): option values, a listening socket, an unprivileged user. */
#ifndef EC_NET_H
#define EC_NET_H

#include <stddef.h>

/*
 * Listen on spec, "ADDR:PORT", "[V6]:PORT" or "*:PORT" (every address; port 0: the kernel picks one),
 * non-blocking and close-on-exec; *fd gets the socket and bound the address it got ("127.0.0.1:8080").
 * EC_ERR_SYNTAX a malformed spec; EC_ERR_IO cannot resolve, bind or listen (the detail says why).
 */
int ec_listen(const char *spec, char *bound, size_t boundsz, int *fd);

/*
 * Become user for good when running as root (groups, gid, uid; then checks that root cannot be
 * regained); refuses to go on as root without a user. Not root: user must be NULL or the current
 * user. EC_ERR_ARG or EC_ERR_IO with the reason.
 */
int ec_drop_privileges(const char *user);

/* An IP address (v4 or v6) as a 16-byte key, IPv4 mapped (::ffff:a.b.c.d). EC_ERR_SYNTAX otherwise. */
int ec_ip_key(const char *addr, unsigned char key[16]);

/*
 * A base URL: http:// or https:// with a host, printable, without quotes, <>, backslash, '#' or '?';
 * trailing slashes dropped, into out. EC_ERR_SYNTAX otherwise (the detail quotes it).
 */
int ec_base_url(const char *url, char *out, size_t outsz);

/* A decimal option value from min to max. EC_ERR_SYNTAX otherwise ("'x' is not a number from 1 to 256"). */
int ec_uint_arg(const char *s, unsigned min, unsigned max, unsigned *out);

#endif
