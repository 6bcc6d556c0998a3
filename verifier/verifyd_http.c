/* ecert-verifyd's request serving: libmicrohttpd callbacks, served files, metrics, health, access log. */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "budget.h"
#include "conf.h"
#include "date.h"
#include "digest.h"
#include "err.h"
#include "pki.h"
#include "paths.h"
#include "file.h"
#include "verifyd.h"

/* Per request, created when the request line arrives (MHD_OPTION_URI_LOG_CALLBACK) with the raw target. */
struct vd_req {
	uint64_t start_us;
	int64_t wall_us;
	int seen;                 /* the handler was called once: the response goes out on the next call */
	int status;               /* 0 until our handler answered */
	int close;                /* answer with Connection: close (the framing cannot be trusted) */
	enum ec_web_route route;
	uint64_t bytes;
	char method[16];
	size_t len;
	char target[];
};

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * The access log. Each thread appends its lines to a buffer of its own, written out whole when it
 * passes LOG_FLUSH bytes, by the main thread every VD_LOG_TICK_MS (vd_log_flush) and at shutdown
 * (vd_cleanup): a write(2) per request was a third of the system calls under load. One writer at a
 * time, so lines never interleave even when a pipe takes a large write in pieces.
 */
#define LOG_SLOTS 272
#define LOG_FLUSH (32u << 10)

struct log_slot {
	pthread_mutex_t lock;    /* the owning thread and the flusher */
	struct ec_buf b;
	int ready;               /* lock initialised (atomic) */
};

static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_slot log_slots[LOG_SLOTS];
static unsigned log_used;                /* slots handed out (atomic) */
static __thread struct log_slot *log_mine;
static __thread int log_none;            /* every slot was taken: this thread writes its lines itself */

/* p[0..len) in as many write(2) calls as it takes; the caller holds write_lock. */
static void
write_all(const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(STDERR_FILENO, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void
put_line(struct ec_buf *b)
{
	if (b->err || b->p == NULL)
		return;
	pthread_mutex_lock(&write_lock);
	write_all(b->p, b->len);
	pthread_mutex_unlock(&write_lock);
}

/* Write out and empty a slot's lines; the caller holds the slot's lock. */
static void
slot_flush(struct log_slot *s)
{
	if (s->b.len == 0)
		return;
	pthread_mutex_lock(&write_lock);
	write_all(s->b.p, s->b.len);
	pthread_mutex_unlock(&write_lock);
	ec_buf_reset(&s->b);
}

static struct log_slot *
slot_take(void)
{
	unsigned i;

	if (log_mine != NULL || log_none)
		return log_mine;
	i = __atomic_fetch_add(&log_used, 1, __ATOMIC_RELAXED);
	if (i >= LOG_SLOTS) {
		log_none = 1;
		return NULL;
	}
	pthread_mutex_init(&log_slots[i].lock, NULL);
	ec_buf_init(&log_slots[i].b);
	__atomic_store_n(&log_slots[i].ready, 1, __ATOMIC_RELEASE);
	return log_mine = &log_slots[i];
}

void
vd_log_flush(void)
{
	unsigned i, n = __atomic_load_n(&log_used, __ATOMIC_RELAXED);

	for (i = 0; i < n && i < LOG_SLOTS; i++) {
		if (!__atomic_load_n(&log_slots[i].ready, __ATOMIC_ACQUIRE))
			continue;
		pthread_mutex_lock(&log_slots[i].lock);
		slot_flush(&log_slots[i]);
		pthread_mutex_unlock(&log_slots[i].lock);
	}
}

/* Flush every slot and free them, once the HTTP threads are gone; only vd_event writes afterwards. */
static void
log_close(void)
{
	unsigned i, n = __atomic_load_n(&log_used, __ATOMIC_RELAXED);

	vd_log_flush();
	for (i = 0; i < n && i < LOG_SLOTS; i++) {
		if (!__atomic_load_n(&log_slots[i].ready, __ATOMIC_ACQUIRE))
			continue;
		__atomic_store_n(&log_slots[i].ready, 0, __ATOMIC_RELAXED);
		ec_buf_free(&log_slots[i].b);
		pthread_mutex_destroy(&log_slots[i].lock);
	}
}

/* One access line for a finished request, into this thread's slot. */
static void
log_request(const struct vd_req *rq, uint64_t usec)
{
	struct log_slot *s = slot_take();
	struct ec_buf b;
	size_t mark;

	if (s == NULL) {
		ec_buf_init(&b);
		ec_web_log_line(&b, rq->wall_us, rq->method[0] ? rq->method : "-", rq->target, rq->len,
		    rq->status, rq->bytes, usec);
		put_line(&b);
		ec_buf_free(&b);
		return;
	}
	pthread_mutex_lock(&s->lock);
	mark = s->b.len;
	if (ec_web_log_line(&s->b, rq->wall_us, rq->method[0] ? rq->method : "-", rq->target, rq->len,
	    rq->status, rq->bytes, usec) != 0) {
		/* out of memory: this line is lost, the whole lines before it are kept */
		s->b.err = 0;
		s->b.len = mark;
		if (s->b.p != NULL)
			s->b.p[mark] = '\0';
	}
	if (s->b.len >= LOG_FLUSH)
		slot_flush(s);
	pthread_mutex_unlock(&s->lock);
}

static void
add_time(struct ec_buf *b)
{
	int64_t us = wall_us();
	time_t secs = (time_t)(us / 1000000);
	struct tm tm;
	char ts[32];

	gmtime_r(&secs, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	ec_buf_addf(b, "{\"time\":\"%s.%06ldZ\"", ts, (long)(us % 1000000));
}

void
vd_event(const char *event, const char *key, const char *value)
{
	struct ec_buf b;

	ec_buf_init(&b);
	add_time(&b);
	ec_buf_adds(&b, ",\"event\":");
	ec_buf_json(&b, event);
	if (key != NULL) {
		ec_buf_addc(&b, ',');
		ec_buf_json(&b, key);
		ec_buf_addc(&b, ':');
		ec_buf_json(&b, value);
	}
	ec_buf_adds(&b, "}\n");
	put_line(&b);
	ec_buf_free(&b);
}

/*
 * A flood must not become a flood of log lines: 429 answers are only counted, other error answers and
 * libmicrohttpd's diagnostics are written up to QUIET_MAX per summary interval and counted beyond.
 * vd_log_summary (the main thread, every VD_SUMMARY_SECONDS) writes the counts as one event.
 */
#define QUIET_MAX 100
static unsigned long quiet_429, quiet_err, quiet_mhd;     /* suppressed this interval (atomic) */
static unsigned long errs_seen, mhd_seen;                 /* written this interval (atomic) */

void
vd_log_summary(void)
{
	unsigned long a = __atomic_exchange_n(&quiet_429, 0, __ATOMIC_RELAXED);
	unsigned long e = __atomic_exchange_n(&quiet_err, 0, __ATOMIC_RELAXED);
	unsigned long m = __atomic_exchange_n(&quiet_mhd, 0, __ATOMIC_RELAXED);
	char msg[160];

	__atomic_store_n(&errs_seen, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&mhd_seen, 0, __ATOMIC_RELAXED);
	if (a + e + m == 0)
		return;
	snprintf(msg, sizeof msg, "429: %lu, other errors: %lu, server diagnostics: %lu in %d s", a, e, m,
	    VD_SUMMARY_SECONDS);
	vd_event("suppressed", "counts", msg);
}

/* 1 when the access line of a request answered status is written, 0 when only counted. */
static int
worth_logging(int status)
{
	if (status == 429) {
		__atomic_fetch_add(&quiet_429, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (status >= 400 && status != 404 && __atomic_fetch_add(&errs_seen, 1, __ATOMIC_RELAXED) >= QUIET_MAX) {
		__atomic_fetch_add(&quiet_err, 1, __ATOMIC_RELAXED);
		return 0;
	}
	return 1;
}

/* libmicrohttpd's own diagnostics, as event lines like ours (bounded like error answers). */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	if (__atomic_fetch_add(&mhd_seen, 1, __ATOMIC_RELAXED) >= QUIET_MAX) {
		__atomic_fetch_add(&quiet_mhd, 1, __ATOMIC_RELAXED);
		return;
	}
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	vd_event("libmicrohttpd", "message", msg);
}

static void
blob_unref(void *cls)
{
	struct vd_blob *b = cls;
	pthread_mutex_t *lock = b->lock;
	unsigned left;

	pthread_mutex_lock(lock);
	left = --b->refs;
	pthread_mutex_unlock(lock);
	if (left == 0) {
		free(b->data);
		free(b);
	}
}

/* Replace the trust bundle text *data with the JWK set of its issuing CAs (*data re-allocated). */
static int
to_jwks(const char *path, char **data, size_t *len)
{
	struct ec_trust *t = NULL;
	struct ec_buf b;
	int rc;

	ec_buf_init(&b);
	if ((rc = ec_trust_load_mem(*data, *len, &t)) != 0 || (rc = ec_trust_jwks(t, &b)) != 0) {
		ec_err_set(rc, "cannot publish the keys of '%s': %s", path, ec_err_msg(rc));
		goto out;
	}
	free(*data);
	*data = b.p;
	*len = b.len;
	b.p = NULL;
out:
	ec_buf_free(&b);
	ec_trust_free(t);
	return rc;
}

/*
 * The current snapshot of f with a reference for the caller, rereading the file when it changed
 * (a stat per request: these routes are rare and must follow a revocation at once).
 * EC_ERR_NOTFOUND when the file does not exist.
 */
static int
file_get(struct vd_file *f, struct vd_blob **out)
{
	unsigned char md[EC_SHA256_LEN];
	struct vd_blob *b = NULL, *old = NULL;
	struct stat st;
	char *data = NULL;
	size_t len = 0, i;
	int rc = 0;

	*out = NULL;
	pthread_mutex_lock(&f->lock);
	if (stat(f->path, &st) != 0) {
		rc = errno == ENOENT || errno == ENOTDIR ? EC_ERR_NOTFOUND : ec_err_errno("cannot stat", f->path);
		goto out;
	}
	if (f->cur == NULL || f->dev != (uint64_t)st.st_dev || f->ino != (uint64_t)st.st_ino ||
	    f->size != (uint64_t)st.st_size ||
	    f->mtime_ns != (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec) {
		if ((rc = ec_file_read(f->path, VD_FILE_MAX, &data, &len)) != 0 ||
		    (f->jwks && (rc = to_jwks(f->path, &data, &len)) != 0))
			goto out;
		if ((b = calloc(1, sizeof *b)) == NULL) {
			rc = EC_ERR_NOMEM;
			goto out;
		}
		if (ec_sha256(data, len, md) != EC_OK) {
			rc = ec_err_set(EC_ERR_CRYPTO, "cannot hash '%s'", f->path);
			goto out;
		}
		b->etag[0] = '"';
		for (i = 0; i < 16; i++)
			snprintf(b->etag + 1 + 2 * i, 3, "%02x", md[i]);
		b->etag[33] = '"';
		b->etag[34] = '\0';
		b->data = data;
		b->len = len;
		b->lock = &f->lock;
		b->refs = 1;
		data = NULL;
		old = f->cur;
		f->cur = b;
		b = NULL;
		f->dev = (uint64_t)st.st_dev;
		f->ino = (uint64_t)st.st_ino;
		f->size = (uint64_t)st.st_size;
		f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		if (old != NULL && --old->refs > 0)
			old = NULL;
	}
	f->cur->refs++;
	*out = f->cur;
out:
	pthread_mutex_unlock(&f->lock);
	if (old != NULL) {
		free(old->data);
		free(old);
	}
	free(data);
	free(b);
	return rc;
}

/* The slot for an issuing CA's CRL (or "root"'s); a slot is taken only for one whose CRL file exists. */
static struct vd_file *
crl_slot(struct vd *v, const char *kid)
{
	struct vd_file *f = NULL;
	char path[sizeof v->trust.path];
	struct stat st;
	size_t i;

	pthread_mutex_lock(&v->crl_lock);
	for (i = 0; i < VD_CRL_SLOTS && v->crl[i].kid[0]; i++)
		if (strcmp(v->crl[i].kid, kid) == 0) {
			f = &v->crl[i];
			goto out;
		}
	if (i == VD_CRL_SLOTS)
		goto out;
	if (ec_path(path, sizeof path, v->dir, EC_P_CRL, kid) != EC_OK)
		goto out;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		goto out;
	f = &v->crl[i];
	memcpy(f->path, path, sizeof path);
	memcpy(f->kid, kid, sizeof f->kid);
out:
	pthread_mutex_unlock(&v->crl_lock);
	return f;
}

/* Today in the register's zone at second sec (the request's), recomputed at most once a second. */
static ec_day
today(struct vd *v, int64_t sec)
{
	ec_day d;

	if (__atomic_load_n(&v->today_sec, __ATOMIC_ACQUIRE) == sec)
		return __atomic_load_n(&v->today, __ATOMIC_RELAXED);
	pthread_mutex_lock(&v->today_lock);
	if (v->today_sec != sec) {
		if (ec_date_today(v->tz, &d) == 0)
			__atomic_store_n(&v->today, d, __ATOMIC_RELAXED);
		__atomic_store_n(&v->today_sec, sec, __ATOMIC_RELEASE);
	}
	d = v->today;
	pthread_mutex_unlock(&v->today_lock);
	return d;
}

static int
lookup(void *arg, const char *number, struct ec_pub *out)
{
	struct vd *v = arg;
	struct vd_snap *sn;
	int rc;

	if (!v->from)
		return ec_pubreg_get(v->reg, number, out);
	sn = vd_snap_get(v);
	rc = ec_pubreg_get(vd_snap_reg(sn), number, out);
	vd_snap_put(v, sn);
	return rc;
}

static int
name_matches(void *arg, const struct ec_pub *p, const char *name, size_t len)
{
	struct vd *v = arg;
	struct vd_snap *sn;
	int rc;

	if (v->budget == NULL)
		return ec_err_set(EC_ERR_UNSUPPORTED, "name checks are off");
	/* Every attempt counts, right or wrong: the budget bounds guesses, not successes. */
	if (!ec_budget_take(v->budget, p->number, __atomic_load_n(&v->today, __ATOMIC_RELAXED)))
		return ec_err_set(EC_ERR_REFUSED, "name checks of '%s' spent for today", p->number);
	if (!v->from)
		return ec_pubreg_name_matches(v->reg, p, name, len);
	sn = vd_snap_get(v);
	rc = ec_pubreg_name_matches(vd_snap_reg(sn), p, name, len);
	vd_snap_put(v, sn);
	return rc;
}

static enum MHD_Result
last_xff(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	const char **last = cls;

	(void)kind;
	if (strcasecmp(key, "X-Forwarded-For") == 0)
		*last = value;
	return MHD_YES;
}

/* The rate-limit key: the peer, or behind the trusted proxy the last X-Forwarded-For hop it added. */
static int
client_key(struct vd *v, struct MHD_Connection *c, unsigned char key[16])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa;
	const char *xff = NULL;
	unsigned char exact[16];

	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return EC_ERR_ARG;
	if (v->trust_proxy) {
		memset(exact, 0, sizeof exact);
		if (sa->sa_family == AF_INET) {
			exact[10] = exact[11] = 0xff;
			memcpy(exact + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		} else if (sa->sa_family == AF_INET6)
			memcpy(exact, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		if (memcmp(exact, v->proxy_addr, 16) == 0) {
			MHD_get_connection_values(c, MHD_HEADER_KIND, last_xff, &xff);
			if (xff != NULL && ec_web_xff_key(xff, key) == 0)
				return 0;
		}
	}
	return ec_web_addr_key(sa, key);
}

/* Gives the body to MHD (it frees it) or shares the blob; adds every header. */
static enum MHD_Result
respond(struct vd *v, struct MHD_Connection *c, struct vd_req *rq, struct ec_web_resp *wr, struct vd_blob *blob)
{
	const char *const *h;
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t i, len;

	if (blob != NULL) {
		len = blob->len;
		r = MHD_create_response_from_buffer_with_free_callback_cls(len, blob->data, blob_unref, blob);
		if (r == NULL)
			blob_unref(blob);
	} else if (wr->body.len > 0) {
		len = wr->body.len;
		r = MHD_create_response_from_buffer(len, wr->body.p, MHD_RESPMEM_MUST_FREE);
		if (r != NULL)
			ec_buf_init(&wr->body);
	} else {
		len = 0;
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (r == NULL)
		return MHD_NO;
	for (h = ec_web_security_headers(); *h != NULL; h += 2)
		MHD_add_response_header(r, h[0], h[1]);
	if (wr->ctype != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, wr->ctype);
	for (i = 0; i < wr->nhdr; i++)
		MHD_add_response_header(r, wr->hdr[i].name, wr->hdr[i].value);
	if (rq->close || __atomic_load_n(&v->draining, __ATOMIC_RELAXED))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, (unsigned)wr->status, r);
	MHD_destroy_response(r);
	rq->status = wr->status;
	rq->bytes = strcmp(rq->method, "HEAD") == 0 || wr->status == 304 ? 0 : len;
	return ret;
}

/* trust.pem and the CRLs: cacheable, revalidated by ETag. */
static enum MHD_Result
serve_file(struct vd *v, struct MHD_Connection *c, struct vd_req *rq, const struct ec_web_target *t,
    struct ec_web_resp *wr, enum ec_web_lang lang)
{
	struct vd_file *f = NULL;
	struct vd_blob *blob = NULL;
	struct vd_snap *sn;
	int rc;

	if (v->from) {
		sn = vd_snap_get(v);
		rc = vd_snap_file(sn, t->route == EC_WEB_R_JWKS, t->route == EC_WEB_R_CRL ? t->kid : NULL, &blob);
		vd_snap_put(v, sn);
	} else {
		f = t->route == EC_WEB_R_TRUST ? &v->trust : t->route == EC_WEB_R_JWKS ? &v->jwks : crl_slot(v, t->kid);
		rc = f ? file_get(f, &blob) : EC_ERR_NOTFOUND;
	}

	if (rc != 0) {
		if (rc != EC_ERR_NOTFOUND)
			vd_event("error", "message", ec_err_msg(rc));
		ec_web_error(wr, rc == EC_ERR_NOTFOUND ? 404 : 500, lang, 0);
		return respond(v, c, rq, wr, NULL);
	}
	wr->status = 200;
	wr->ctype = t->route == EC_WEB_R_TRUST ? "application/x-pem-file" : t->route == EC_WEB_R_JWKS ?
	    "application/jwk-set+json" : "application/pkix-crl";
	ec_web_resp_header(wr, "ETag", "%s", blob->etag);
	ec_web_resp_header(wr, "Cache-Control", "public, max-age=300");
	ec_web_resp_header(wr, "Access-Control-Allow-Origin", "*");
	if (ec_web_etag_matches(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
	    blob->etag)) {
		blob_unref(blob);
		wr->status = 304;
		wr->ctype = NULL;
		return respond(v, c, rq, wr, NULL);
	}
	return respond(v, c, rq, wr, blob);
}

/*
 * A replica's health: the snapshot's sequence and age; 503 once it is older than --max-age, so a load
 * balancer drops this replica while it goes on answering whoever still asks (old data beats none).
 */
static void
snap_health(struct vd *v, int64_t now, struct ec_web_resp *wr)
{
	struct vd_snap *sn = vd_snap_get(v);
	int64_t age = now - vd_snap_time(sn);

	if (age < 0)
		age = 0;
	wr->status = age <= (int64_t)v->max_age ? 200 : 503;
	ec_buf_addf(&wr->body, "%s snapshot %llu age %llds%s\n", wr->status == 200 ? "ok" : "stale", vd_snap_seq(sn),
	    (long long)age, wr->status == 200 ? "" : " (over --max-age)");
	ec_web_resp_header(wr, "X-Ecert-Snapshot", "%llu", vd_snap_seq(sn));
	vd_snap_put(v, sn);
}

static void
snap_metrics(struct vd *v, int64_t now, struct ec_web_resp *wr)
{
	struct vd_snap *sn = vd_snap_get(v);
	int64_t age = now - vd_snap_time(sn);

	ec_web_stats_render(v->stats, age < 0 ? 0 : age, &wr->body);
	ec_buf_addf(&wr->body, "# HELP ecert_snapshot_sequence The published snapshot this replica serves.\n"
	    "# TYPE ecert_snapshot_sequence gauge\necert_snapshot_sequence %llu\n", vd_snap_seq(sn));
	vd_snap_put(v, sn);
}

static enum MHD_Result
answer(struct vd *v, struct MHD_Connection *c, struct vd_req *rq)
{
	struct ec_web_env env = { lookup, name_matches, v, 0, v->public_url };
	struct ec_web_req req;
	struct ec_web_target t;
	struct ec_web_resp wr;
	unsigned char key[16];
	unsigned wait;
	int64_t age;
	enum MHD_Result ret;

	ec_web_resp_init(&wr);
	memset(&t, 0, sizeof t);
	req.method = strcmp(rq->method, "GET") == 0 ? EC_WEB_GET : strcmp(rq->method, "HEAD") == 0 ?
	    EC_WEB_HEAD : EC_WEB_OTHER;
	req.target = rq->target;
	req.target_len = rq->len;
	req.accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	req.accept_language = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);

	if (v->rl != NULL && client_key(v, c, key) == 0 &&
	    (wait = ec_ratelimit_take(v->rl, key, (double)mono_us() / 1e6)) > 0) {
		ec_web_error(&wr, 429, ec_web_lang_pick(req.accept_language),
		    ec_web_wants_json(req.accept) || (rq->len >= 5 && memcmp(rq->target, "/api/", 5) == 0));
		ec_web_resp_header(&wr, "Retry-After", "%u", wait);
		ret = respond(v, c, rq, &wr, NULL);
		goto out;
	}
	env.today = today(v, rq->wall_us / 1000000);
	if (ec_web_handle(&env, &req, &t, &wr) != 0 && ec_web_error(&wr, 500, EC_WEB_EN, 0) != 0) {
		ret = MHD_NO;
		goto out;
	}
	rq->route = t.route;
	if (wr.status != 0) {
		ret = respond(v, c, rq, &wr, NULL);
		goto out;
	}
	switch (t.route) {
	case EC_WEB_R_TRUST:
	case EC_WEB_R_JWKS:
	case EC_WEB_R_CRL:
		ret = serve_file(v, c, rq, &t, &wr, ec_web_lang_pick(req.accept_language));
		goto out;
	case EC_WEB_R_HEALTH:
		if (v->from) {
			snap_health(v, rq->wall_us / 1000000, &wr);
			break;
		}
		age = ec_pubreg_age(v->reg);
		wr.status = age >= 0 ? 200 : 503;
		ec_buf_adds(&wr.body, age >= 0 ? "ok\n" : "register unavailable\n");
		break;
	default:
		wr.status = 200;
		if (v->from) {
			snap_metrics(v, rq->wall_us / 1000000, &wr);
			break;
		}
		ec_web_stats_render(v->stats, ec_pubreg_age(v->reg), &wr.body);
		break;
	}
	wr.ctype = t.route == EC_WEB_R_METRICS ? "text/plain; version=0.0.4; charset=utf-8" :
	    "text/plain; charset=utf-8";
	ec_web_resp_header(&wr, "Cache-Control", "no-store");
	if (wr.body.err)
		ec_web_error(&wr, 500, EC_WEB_EN, 0);
	ret = respond(v, c, rq, &wr, NULL);
out:
	ec_web_resp_free(&wr);
	return ret;
}

static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	unsigned *n = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0 || strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		(*n)++;
	return MHD_YES;
}

/*
 * A GET or HEAD has no body, so Content-Length or Transfer-Encoding on one can only be an attempt to
 * make this server and a proxy in front of it disagree on where the next request starts (request
 * smuggling): answered 400 at once, and the connection closed.
 */
static enum MHD_Result
refuse_framing(struct vd *v, struct MHD_Connection *c, struct vd_req *rq)
{
	struct ec_web_resp wr;
	enum MHD_Result ret;
	unsigned n = 0;

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &n);
	if (n == 0)
		return MHD_YES;
	ec_web_resp_init(&wr);
	rq->close = 1;
	ec_web_error(&wr, 400, EC_WEB_EN, 0);
	ret = respond(v, c, rq, &wr, NULL);
	ec_web_resp_free(&wr);
	return ret;
}

/*
 * GET and HEAD are answered on the second call: a response queued on the first makes libmicrohttpd
 * close the connection, losing keep-alive (docs/performance.md); only a GET or HEAD with body framing is refused
 * on the first call. Other methods are refused on the first call, before any body is read.
 */
static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct vd_req *rq = *con_cls;
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	size_t n;

	(void)url;
	(void)version;
	(void)upload_data;
	if (rq == NULL)
		return MHD_NO;
	if (!rq->seen) {
		rq->seen = 1;
		n = strnlen(method, sizeof rq->method - 1);
		memcpy(rq->method, method, n);
		rq->method[n] = '\0';
		if (get)
			return refuse_framing(cls, c, rq);
	} else if (*upload_data_size > 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	return answer(cls, c, rq);
}

/* Keeps the raw target: the URL MHD hands the handler is already percent-decoded (and cut at %00). */
static void *
uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct vd *v = cls;
	size_t len = strlen(uri), keep = len > EC_WEB_URI_MAX ? EC_WEB_URI_MAX + 1 : len;
	struct vd_req *rq;

	(void)c;
	if ((rq = malloc(sizeof *rq + keep + 1)) == NULL)
		return NULL;
	rq->seen = 0;
	rq->status = 0;
	rq->close = 0;
	rq->route = EC_WEB_R_NONE;
	rq->bytes = 0;
	rq->method[0] = '\0';
	rq->start_us = mono_us();
	rq->wall_us = wall_us();
	rq->len = keep;
	memcpy(rq->target, uri, keep);
	rq->target[keep] = '\0';
	__atomic_fetch_add(&v->in_flight, 1, __ATOMIC_RELAXED);
	return rq;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct vd *v = cls;
	struct vd_req *rq = *con_cls;
	uint64_t usec;

	(void)c;
	(void)toe;
	if (rq == NULL)
		return;
	*con_cls = NULL;
	usec = mono_us() - rq->start_us;
	ec_web_stats_add(v->stats, rq->route, rq->status, usec);
	if (worth_logging(rq->status))
		log_request(rq, usec);
	free(rq);
	__atomic_fetch_sub(&v->in_flight, 1, __ATOMIC_RELEASE);
}

int
vd_init(struct vd *v)
{
	size_t i;

	pthread_mutex_init(&v->today_lock, NULL);
	pthread_mutex_init(&v->crl_lock, NULL);
	pthread_mutex_init(&v->trust.lock, NULL);
	pthread_mutex_init(&v->jwks.lock, NULL);
	for (i = 0; i < VD_CRL_SLOTS; i++)
		pthread_mutex_init(&v->crl[i].lock, NULL);
	v->today_sec = -1;
	if (ec_date_today(v->tz, &v->today) != 0)
		return ec_err_set(EC_ERR_ARG, "cannot tell today's date in zone '%s': %s", v->tz,
		    ec_err_msg(EC_ERR_ARG));
	if (ec_path(v->trust.path, sizeof v->trust.path, v->dir, EC_P_TRUST, NULL) != EC_OK)
		return ec_err_set(EC_ERR_ARG, "state directory '%s': path too long", v->dir);
	memcpy(v->jwks.path, v->trust.path, sizeof v->jwks.path);
	v->jwks.jwks = 1;
	if ((v->stats = ec_web_stats_new()) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	ec_web_security_headers();
	return 0;
}

static void
file_drop(struct vd_file *f)
{
	if (f->cur != NULL && --f->cur->refs == 0) {
		free(f->cur->data);
		free(f->cur);
	}
	f->cur = NULL;
	pthread_mutex_destroy(&f->lock);
}

void
vd_cleanup(struct vd *v)
{
	size_t i;

	file_drop(&v->trust);
	file_drop(&v->jwks);
	for (i = 0; i < VD_CRL_SLOTS; i++)
		file_drop(&v->crl[i]);
	pthread_mutex_destroy(&v->crl_lock);
	pthread_mutex_destroy(&v->today_lock);
	log_close();
	ec_web_stats_free(v->stats);
	ec_ratelimit_free(v->rl);
	ec_budget_free(v->budget);
	v->budget = NULL;
	if (v->reg != NULL)
		ec_pubreg_close(v->reg);
	v->stats = NULL;
	v->rl = NULL;
	v->reg = NULL;
}

struct MHD_Daemon *
vd_start(struct vd *v, int fd, unsigned threads, unsigned conns, unsigned per_ip, unsigned timeout,
    size_t memory)
{
	/* The option list is variadic: every value is cast to the exact type the option reads. */
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, v,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)v,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)conns,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)memory,
	    MHD_OPTION_CONNECTION_MEMORY_INCREMENT, (size_t)1024,
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_log, (void *)v,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, (void *)v,
	    MHD_OPTION_END);
}
