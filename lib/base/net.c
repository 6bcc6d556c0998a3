/* What both daemons do before serving: their options' values, a listening socket, then no more root. */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "net.h"

/* A port of 1 to 5 digits, 0..65535. */
static int
port_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 5 && strspn(s, "0123456789") == n && atol(s) <= 65535;
}

/* "HOST:PORT", "[V6]:PORT" or "*:PORT" into host (empty for any) and port. */
static int
split(const char *spec, char *host, size_t hostsz, const char **port)
{
	const char *close, *colon;

	if (spec[0] == '[') {
		if (!(close = strchr(spec, ']')) || close[1] != ':' || (size_t)(close - spec - 1) >= hostsz)
			return ec_err_set(EC_ERR_SYNTAX, "'%s' is not ADDR:PORT", spec);
		memcpy(host, spec + 1, (size_t)(close - spec - 1));
		host[close - spec - 1] = '\0';
		*port = close + 2;
	} else {
		if (!(colon = strrchr(spec, ':')) || (size_t)(colon - spec) >= hostsz)
			return ec_err_set(EC_ERR_SYNTAX, "'%s' is not ADDR:PORT", spec);
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = '\0';
		*port = colon + 1;
	}
	if (!port_ok(*port))
		return ec_err_set(EC_ERR_SYNTAX, "'%s' is not ADDR:PORT (port 0 to 65535)", spec);
	if (strcmp(host, "*") == 0)
		host[0] = '\0';
	return 0;
}

/* The address a socket is bound to, as "A.B.C.D:PORT" or "[V6]:PORT". */
static void
bound_name(int fd, char *out, size_t outsz)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char addr[INET6_ADDRSTRLEN] = "?";

	memset(&ss, 0, sizeof ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
		snprintf(out, outsz, "[%s]:%u", addr, ntohs(s6->sin6_port));
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
		snprintf(out, outsz, "%s:%u", addr, ntohs(s4->sin_port));
	}
}

int
ec_listen(const char *spec, char *bound, size_t boundsz, int *out)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256];
	const char *port = NULL;
	int fd = -1, one = 1, zero = 0, rc, saved = 0;

	*out = -1;
	if ((rc = split(spec, host, sizeof host, &port)))
		return rc;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = host[0] ? AF_UNSPEC : AF_INET6;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res)) != 0)
		return ec_err_set(EC_ERR_IO, "cannot resolve '%s': %s", spec, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (!host[0])
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return ec_err_set(EC_ERR_IO, "cannot listen on '%s': %s", spec, strerror(saved ? saved : EADDRNOTAVAIL));
	bound_name(fd, bound, boundsz);
	*out = fd;
	return 0;
}

int
ec_drop_privileges(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		if (user && (!(pw = getpwnam(user)) || pw->pw_uid != geteuid()))
			return ec_err_set(EC_ERR_ARG, "cannot switch to user '%s': not running as root", user);
		return 0;
	}
	if (!user)
		return ec_err_set(EC_ERR_ARG, "refusing to run as root: give --user NAME to drop to after binding");
	errno = 0;
	if (!(pw = getpwnam(user)))
		return ec_err_set(EC_ERR_ARG, "cannot switch to user '%s': %s", user, errno ? strerror(errno) :
		    "no such user");
	if (pw->pw_uid == 0)
		return ec_err_set(EC_ERR_ARG, "cannot switch to user '%s': it is root", user);
	if (setgroups(1, &pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		return ec_err_set(EC_ERR_IO, "cannot switch to user '%s': %s", user, strerror(errno));
	if (setuid(0) == 0 || geteuid() == 0)
		return ec_err_set(EC_ERR_IO, "cannot switch to user '%s': root could be regained", user);
	return 0;
}

int
ec_ip_key(const char *addr, unsigned char key[16])
{
	unsigned char a[16];

	memset(key, 0, 16);
	if (inet_pton(AF_INET, addr, a) == 1) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, a, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a) == 1) {
		memcpy(key, a, 16);
		return 0;
	}
	return ec_err_set(EC_ERR_SYNTAX, "'%s' is not an IP address", addr);
}

int
ec_base_url(const char *url, char *out, size_t outsz)
{
	size_t n = strlen(url);

	while (n > 0 && url[n - 1] == '/')
		n--;
	if ((strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) || n >= outsz || n <= 8 ||
	    strpbrk(url, " \"'<>\\#?\t\r\n"))
		return ec_err_set(EC_ERR_SYNTAX, "'%s' is not an http:// or https:// URL", url);
	memcpy(out, url, n);
	out[n] = '\0';
	return 0;
}

int
ec_uint_arg(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v < min || v > max)
		return ec_err_set(EC_ERR_SYNTAX, "'%s' is not a number from %u to %u", s, min, max);
	*out = (unsigned)v;
	return 0;
}
