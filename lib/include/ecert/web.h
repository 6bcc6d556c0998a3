/* The verification endpoint's request logic, free of any HTTP library: routes, strict decoding, pages. */
#ifndef EC_WEB_H
#define EC_WEB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"
#include "public.h"
#include "types.h"

#define EC_WEB_URI_MAX 2048      /* longest request target answered (414 beyond) */
#define EC_WEB_TYPED_MAX 256     /* longest number as typed that is parsed (ec_number_parse's bound) */
#define EC_WEB_NAME_MAX 256      /* longest decoded ?name= in bytes */
#define EC_WEB_HDR_MAX 8         /* response headers beyond the security headers */
#define EC_WEB_HDR_VALUE 128

enum ec_web_method { EC_WEB_GET = 0, EC_WEB_HEAD = 1, EC_WEB_OTHER = 2 };

/* What a request asks for; EC_WEB_R_NONE is every path that is no route (404). */
enum ec_web_route {
	EC_WEB_R_NONE = 0,
	EC_WEB_R_HOME,           /* /           a form to type a number */
	EC_WEB_R_PAGE,           /* /v/NUMBER   (and /v?n=NUMBER from the form) */
	EC_WEB_R_API,            /* /api/v1/certificates/NUMBER */
	EC_WEB_R_TRUST,          /* /trust.pem */
	EC_WEB_R_CRL,            /* /crl/KID.crl */
	EC_WEB_R_HEALTH,         /* /healthz */
	EC_WEB_R_METRICS,        /* /metrics */
	EC_WEB_R_JWKS,           /* /jwks.json  the issuing CAs' keys, for the page's script */
	EC_WEB_R_SCRIPT,         /* /static/verify.js */
	EC_WEB_R_COUNT
};

enum ec_web_lang { EC_WEB_EN = 0, EC_WEB_ZH = 1 };

/* A parsed request target. Plain value type; every string is decoded, valid UTF-8, NUL-terminated. */
struct ec_web_target {
	enum ec_web_route route;
	char typed[EC_WEB_TYPED_MAX + 1];   /* PAGE, API: the number as typed (decoded) */
	char kid[EC_KID_LEN + 1];           /* CRL: an issuing CA's KID, or "root" */
	char name[EC_WEB_NAME_MAX + 1];     /* ?name=, surrounding white space trimmed */
	int has_name;                       /* 1 when a non-blank ?name= was given */
	int lang;                           /* ?lang=en|zh as enum ec_web_lang, -1 when absent */
};

/*
 * Strict percent-decoding of in[0..len) into out (outsz bytes, NUL added): "%XX" needs two hex
 * digits; with plus != 0 '+' means a space (query strings). The input must be printable ASCII; the
 * result must be valid, shortest-form UTF-8 without surrogates, NUL or other control characters.
 * EC_ERR_SYNTAX when not, EC_ERR_TOOBIG when out is too small. *outlen gets the decoded length.
 */
int ec_web_pct_decode(const char *in, size_t len, int plus, char *out, size_t outsz, size_t *outlen);

/* 1 when s[0..len) is valid shortest-form UTF-8 with no surrogates, no NUL and no control characters. */
int ec_web_utf8_ok(const char *s, size_t len);

/*
 * Parse a raw request target (path and query, exactly as the client sent it) into *t.
 * EC_ERR_TOOBIG beyond EC_WEB_URI_MAX bytes (414); EC_ERR_SYNTAX for bad encoding, a "." or ".."
 * segment, a backslash, a repeated or over-long parameter (400); EC_ERR_NOTFOUND for no route (404).
 * Unknown parameters are checked for encoding and otherwise ignored.
 */
int ec_web_parse_target(const char *uri, size_t len, struct ec_web_target *t);

/* The language for an Accept-Language header value (NULL = absent): the preferred of English and
 * Chinese by q-value, English when neither is listed. */
enum ec_web_lang ec_web_lang_pick(const char *accept_language);

/* 1 when an Accept header value (NULL = absent) prefers application/json to text/html, else 0. */
int ec_web_wants_json(const char *accept);

/* 1 when an If-None-Match header value (NULL = absent) matches etag (a quoted entity tag), else 0. */
int ec_web_etag_matches(const char *if_none_match, const char *etag);

/* A response being built. Initialise with ec_web_resp_init; body and headers are owned by it. */
struct ec_web_hdr {
	const char *name;                   /* a static string */
	char value[EC_WEB_HDR_VALUE];
};

struct ec_web_resp {
	int status;                         /* 0: a route the server answers itself (trust, crl, healthz, metrics) */
	const char *ctype;                  /* a static string */
	struct ec_buf body;
	struct ec_web_hdr hdr[EC_WEB_HDR_MAX];
	size_t nhdr;
};

void ec_web_resp_init(struct ec_web_resp *r);
void ec_web_resp_free(struct ec_web_resp *r);
/* Add a header (name static); EC_ERR_TOOBIG when the value or the table is full. */
int ec_web_resp_header(struct ec_web_resp *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * The headers every response the handler makes carries (Content-Security-Policy with the hash of the
 * page's inline style and frame-ancestors 'none', X-Content-Type-Options, Referrer-Policy, ...):
 * a static NULL-terminated array of name, value pairs. Thread-safe; computed once.
 */
const char *const *ec_web_security_headers(void);

#define EC_WEB_STYLE_SRC 64
/*
 * The CSP source that allows exactly the inline style css[0..len): "'sha256-BASE64'", or "'none'"
 * when the digest cannot be computed (the page is then unstyled, never unsafe).
 */
void ec_web_style_source(const char *css, size_t len, char out[EC_WEB_STYLE_SRC]);

/* Where the certificate routes find their facts: the public register, or a test's fakes. */
struct ec_web_env {
	/* 0 and *out filled; EC_ERR_NOTFOUND when number (22 digits) is unknown; another code on failure. */
	int (*lookup)(void *arg, const char *number, struct ec_pub *out);
	/*
	 * 1 when name[0..len) is the holder's name, 0 when not; EC_ERR_REFUSED when the number's name
	 * checks for the day are spent (429), EC_ERR_UNSUPPORTED when names cannot be checked (503),
	 * another negative code on failure (500).
	 */
	int (*name_matches)(void *arg, const struct ec_pub *p, const char *name, size_t len);
	void *arg;
	ec_day today;                       /* in the register's time zone, for the shown status */
	const char *public_url;             /* canonical links; NULL or "" for none */
};

/* A request as the server received it. Header values are NULL when absent. */
struct ec_web_req {
	enum ec_web_method method;
	const char *target;
	size_t target_len;
	const char *accept;
	const char *accept_language;
};

/*
 * Answer a request: 405 for methods other than GET and HEAD, errors of the target, the home page,
 * the certificate page (HTML, or JSON by Accept) and the API, with status, content type, body and
 * headers in *resp (initialised by the caller, freed with ec_web_resp_free). For trust, crl,
 * healthz and metrics resp->status stays 0 and *t says what to serve. *t is filled as far as
 * parsing got. Returns 0, or EC_ERR_NOMEM.
 */
int ec_web_handle(const struct ec_web_env *env, const struct ec_web_req *req, struct ec_web_target *t,
    struct ec_web_resp *resp);

/* An error response (400, 404, 405, 414, 429, 431, 500, 503) as an HTML page or a JSON object. */
int ec_web_error(struct ec_web_resp *resp, int status, enum ec_web_lang lang, int json);

/* The page's script (/static/verify.js, lib/web/script.c) into r: status 200, cacheable. */
int ec_web_script(struct ec_web_resp *r);

/* A certificate as the JSON of docs/verifier.md; name_match < 0 leaves "name_match" out. Appends to b. */
int ec_web_cert_json(struct ec_buf *b, const struct ec_pub *p, ec_day today, int name_match);

/*
 * One access-log line (JSON, newline-terminated) appended to b: time (UTC, microseconds), method,
 * the path without its query, digits past the first four and before the last two masked, at most
 * 200 bytes of it; status, body bytes, microseconds taken.
 */
int ec_web_log_line(struct ec_buf *b, int64_t epoch_usec, const char *method, const char *target, size_t len,
    int status, uint64_t bytes, uint64_t usec);

/* The name of a route for metrics: "home", "page", "api", "trust", "crl", "healthz", "metrics", "other". */
const char *ec_web_route_name(enum ec_web_route r);

/*
 * Request counters by route and status and a latency histogram, updated lock-free from any thread.
 * Allocated by ec_web_stats_new (NULL when out of memory), freed by ec_web_stats_free.
 */
struct ec_web_stats;

struct ec_web_stats *ec_web_stats_new(void);
void ec_web_stats_free(struct ec_web_stats *s);
void ec_web_stats_add(struct ec_web_stats *s, enum ec_web_route r, int status, uint64_t usec);
/* Prometheus text format appended to b; register_age in seconds, negative when unknown. */
int ec_web_stats_render(const struct ec_web_stats *s, int64_t register_age, struct ec_buf *b);

/* A client address as a 16-byte key (IPv4 as ::ffff:a.b.c.d). EC_ERR_ARG for other families. */
int ec_web_addr_key(const struct sockaddr *sa, unsigned char key[16]);
/* The key of the last address in an X-Forwarded-For value (the hop the trusted proxy added). */
int ec_web_xff_key(const char *xff, unsigned char key[16]);

/*
 * A per-client token bucket: rate tokens a second, burst at most. A bounded table of slots; a client
 * whose slot another took starts afresh (lenient, never wrongly strict). Shared between threads.
 */
struct ec_ratelimit;

int ec_ratelimit_new(double rate, double burst, size_t slots, struct ec_ratelimit **out);
void ec_ratelimit_free(struct ec_ratelimit *rl);
/* Take one token for key at time now (seconds, monotonic): 0 when allowed, else the whole seconds to wait. */
unsigned ec_ratelimit_take(struct ec_ratelimit *rl, const unsigned char key[16], double now);

#endif
