/* ecert-portald's HTTP side: libmicrohttpd in, lib/portal's answers out, one JSON line per request. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "buf.h"
#include "err.h"
#include "portald.h"
#include "pform.h"
#include "web.h"

/* A request's state across the handler's calls: the body as it arrives. */
struct preq {
	char *target;            /* the request target as sent, query included (libmicrohttpd's url lacks it) */
	struct ec_buf body;
	int too_big;
	int started;             /* the handler ran once: libmicrohttpd keeps the connection alive only then */
	int seen;                /* answered */
	struct timespec start;
};

void
pd_event(const char *event, const char *key, const char *value)
{
	struct ec_buf b;
	time_t t = time(NULL);
	struct tm tm;
	char ts[32];

	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	ec_buf_init(&b);
	ec_buf_addf(&b, "{\"time\":\"%s\",\"event\":", ts);
	ec_buf_json(&b, event);
	if (key) {
		ec_buf_addc(&b, ',');
		ec_buf_json(&b, key);
		ec_buf_addc(&b, ':');
		ec_buf_json(&b, value ? value : "");
	}
	ec_buf_adds(&b, "}\n");
	if (!b.err)
		fwrite(b.p, 1, b.len, stderr);
	ec_buf_free(&b);
}

static enum MHD_Result
last_xff(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	if (strcasecmp(key, "X-Forwarded-For") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

/* The rate-limit key: the peer, or behind the trusted proxy the last X-Forwarded-For hop it added. */
static int
client_key(struct pd *d, struct MHD_Connection *c, unsigned char key[16])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa;
	const char *xff = NULL;

	if (!ci || !(sa = ci->client_addr) || ec_web_addr_key(sa, key))
		return EC_ERR_ARG;
	if (d->trust_proxy && memcmp(key, d->proxy_addr, 16) == 0) {
		MHD_get_connection_values(c, MHD_HEADER_KIND, last_xff, &xff);
		if (xff && ec_web_xff_key(xff, key) == 0)
			return 0;
	}
	return 0;
}

static const char *
hdr(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The request line's path and query, split; NULL when the target is not a path. */
static int
split_target(const char *url, char *path, size_t psz, const char **query)
{
	const char *q = strchr(url, '?');
	size_t n = q ? (size_t)(q - url) : strlen(url);

	if (url[0] != '/' || n >= psz)
		return -1;
	memcpy(path, url, n);
	path[n] = '\0';
	*query = q ? q + 1 : NULL;
	return 0;
}

static enum MHD_Result
respond(struct MHD_Connection *c, const char *method, struct ec_pweb_resp *w)
{
	const char *const *h;
	struct MHD_Response *r;
	enum MHD_Result ret;
	int head = !strcmp(method, "HEAD");
	size_t i;

	if (w->file && !head) {
		r = MHD_create_response_from_buffer(w->file_len, w->file, MHD_RESPMEM_MUST_FREE);
		w->file = NULL;
	} else if (!head && w->body.len) {
		r = MHD_create_response_from_buffer(w->body.len, w->body.p, MHD_RESPMEM_MUST_FREE);
		w->body.p = NULL;
		w->body.len = w->body.cap = 0;
	} else {
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!r)
		return MHD_NO;
	for (h = ec_pweb_security_headers(); *h; h += 2)
		MHD_add_response_header(r, h[0], h[1]);
	if (w->ctype)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, w->ctype);
	if (w->no_store)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (w->location[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, w->location);
	if (w->disposition[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, w->disposition);
	for (i = 0; i < w->ncookies; i++)
		MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, w->cookie[i]);
	ret = MHD_queue_response(c, (unsigned)w->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void
log_line(const char *method, const char *path, int status, const struct timespec *start)
{
	struct timespec end;
	char st[8], us[24], line[160];

	clock_gettime(CLOCK_MONOTONIC, &end);
	snprintf(st, sizeof st, "%d", status);
	snprintf(us, sizeof us, "%ld", (long)((end.tv_sec - start->tv_sec) * 1000000 + (end.tv_nsec - start->tv_nsec) /
	    1000));
	/* the route's name, never the path: paths carry certificate numbers */
	snprintf(line, sizeof line, "%s %s %s %sus", method, ec_pweb_route_name(path), st, us);
	pd_event("request", "line", line);
}

static enum MHD_Result
answer(struct pd *d, struct MHD_Connection *c, const char *method, struct preq *q)
{
	struct ec_pweb_req r;
	struct ec_pweb_resp w;
	struct timespec mono;
	char path[2048];
	enum MHD_Result ret;

	memset(&r, 0, sizeof r);
	ec_pweb_resp_init(&w);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	if (!q->target || split_target(q->target, path, sizeof path, &r.query)) {
		w.status = 400;
		w.ctype = "text/plain; charset=utf-8";
		ec_buf_adds(&w.body, "bad request\n");
	} else if (q->too_big) {
		w.status = 413;
		w.ctype = "text/plain; charset=utf-8";
		ec_buf_adds(&w.body, "request too large\n");
	} else {
		r.method = method;
		r.path = path;
		r.cookie = hdr(c, MHD_HTTP_HEADER_COOKIE);
		r.origin = hdr(c, "Origin");
		r.sec_fetch_site = hdr(c, "Sec-Fetch-Site");
		r.accept_language = hdr(c, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
		r.content_type = hdr(c, MHD_HTTP_HEADER_CONTENT_TYPE);
		r.body = q->body.p;
		r.body_len = q->body.len;
		r.now = time(NULL);
		r.mono = (double)mono.tv_sec + mono.tv_nsec / 1e9;
		if (client_key(d, c, r.client))
			memset(r.client, 0, sizeof r.client);
		if (ec_pweb_handle(d->web, &r, &w)) {
			ec_pweb_resp_free(&w);
			return MHD_NO;
		}
	}
	log_line(method, path, w.status, &q->start);
	ret = respond(c, method, &w);
	ec_pweb_resp_free(&w);
	return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
    const char *upload, size_t *upload_size, void **con_cls)
{
	struct pd *d = cls;
	struct preq *q = *con_cls;

	(void)version;
	(void)url;
	if (!q)
		return MHD_NO;
	if (!q->started) {
		q->started = 1;
		return MHD_YES;
	}
	if (*upload_size) {
		if (q->body.len + *upload_size > EC_FORM_MAX)
			q->too_big = 1;
		else
			ec_buf_add(&q->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (q->seen)
		return MHD_YES;
	q->seen = 1;
	return answer(d, c, method, q);
}

/* Called with the raw target before anything else: the request's state starts here. */
static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct pd *d = cls;
	struct preq *q;

	(void)c;
	if (!(q = calloc(1, sizeof *q)))
		return NULL;
	q->target = strdup(uri ? uri : "");
	ec_buf_init(&q->body);
	clock_gettime(CLOCK_MONOTONIC, &q->start);
	__atomic_add_fetch(&d->in_flight, 1, __ATOMIC_RELAXED);
	return q;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct pd *d = cls;
	struct preq *q = *con_cls;

	(void)c;
	(void)toe;
	if (!q)
		return;
	ec_buf_free(&q->body);
	free(q->target);
	free(q);
	*con_cls = NULL;
	__atomic_sub_fetch(&d->in_flight, 1, __ATOMIC_RELAXED);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	pd_event("httpd", "message", msg);
}

struct MHD_Daemon *
pd_start(struct pd *d, int fd, unsigned threads, unsigned conns, unsigned timeout)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, handler, d,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)d,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_log, (void *)d,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, (void *)d,
	    MHD_OPTION_END);
}
