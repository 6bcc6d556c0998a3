/* Benchmark bound: the cheapest HTTP/1.1 keep-alive server possible on this machine. It answers every
 * request with one precomposed response (ecert-verifyd's own bytes, captured by the harness) and does no
 * parsing, lookup or logging, so its rate under the endpoint benchmark's wrk command is the ceiling any
 * server design could reach here; docs/performance.md compares it with nginx and with ecert-verifyd.
 * usage: http_floor PORT RESPONSE_FILE THREADS (loopback only; runs until killed). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FD 65536
#define EVENTS 256

static char resp[16384];
static size_t resp_len;
static unsigned short port;
/* per connection: how many bytes of "\r\n\r\n" the last read ended with, so a split request still counts */
static unsigned char carry[MAX_FD];

static void
die(const char *what)
{
	fprintf(stderr, "http_floor: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Counts the requests completed in buf (each ends with an empty line), resuming a match across reads. */
static unsigned
requests_in(int fd, const char *buf, size_t len)
{
	static const char end[4] = "\r\n\r\n";
	unsigned m = carry[fd], n = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] == end[m])
			m++;
		else
			m = buf[i] == '\r' ? 1 : 0;
		if (m == 4) {
			n++;
			m = 0;
		}
	}
	carry[fd] = (unsigned char)m;
	return n;
}

static void
serve(int ep, int fd, char *buf, size_t cap)
{
	ssize_t r = recv(fd, buf, cap, 0);
	unsigned n;

	if (r <= 0) {
		if (r < 0 && errno == EAGAIN)
			return;
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		return;
	}
	for (n = requests_in(fd, buf, (size_t)r); n > 0; n--)
		if (send(fd, resp, resp_len, MSG_NOSIGNAL) != (ssize_t)resp_len)
			break;
}

static void *
run(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct epoll_event ev = { .events = EPOLLIN }, evs[EVENTS];
	char buf[8192];
	int ls, ep, one = 1, n, i, c;

	(void)arg;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* one listening socket and one epoll set per thread, as nginx's workers with reuseport */
	if ((ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		die("socket");
	if (setsockopt(ls, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) || bind(ls, (void *)&sa, sizeof sa) ||
	    listen(ls, 1024))
		die("cannot listen");
	if ((ep = epoll_create1(0)) < 0)
		die("epoll_create1");
	ev.data.fd = ls;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev))
		die("epoll_ctl");
	for (;;) {
		n = epoll_wait(ep, evs, EVENTS, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd != ls) {
				serve(ep, evs[i].data.fd, buf, sizeof buf);
				continue;
			}
			while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
				if (c >= MAX_FD) {
					close(c);
					continue;
				}
				carry[c] = 0;
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				ev.data.fd = c;
				if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev))
					close(c);
			}
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[64];
	ssize_t r;
	long threads;
	int fd, i;

	if (argc != 4 || (threads = strtol(argv[3], NULL, 10)) < 1 || threads > 64 || atoi(argv[1]) <= 0 ||
	    atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: http_floor PORT RESPONSE_FILE THREADS\n");
		return 2;
	}
	port = (unsigned short)atoi(argv[1]);
	if ((fd = open(argv[2], O_RDONLY)) < 0)
		die(argv[2]);
	r = read(fd, resp, sizeof resp);
	close(fd);
	if (r < 0)
		die(argv[2]);
	if (r == 0) {
		fprintf(stderr, "http_floor: '%s' is empty\n", argv[2]);
		return 2;
	}
	resp_len = (size_t)r;
	for (i = 0; i < threads; i++)
		if ((errno = pthread_create(&t[i], NULL, run, NULL)))
			die("pthread_create");
	pthread_join(t[0], NULL);
	return 0;
}
