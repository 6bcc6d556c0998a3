/*
 * The candidates' portal's request logic, free of any HTTP library (lib/portal/): sign-in by mailed
 * link or code, sessions, associating exam records, My Certificates, downloads. ecert-portald feeds
 * it requests and sends what it answers.
 */
#ifndef EC_PWEB_H
#define EC_PWEB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "catalog.h"
#include "designs.h"
#include "mail.h"
#include "office.h"

#define EC_PWEB_COOKIES 3
#define EC_PWEB_URL_MAX 448

/* What the portal works with; everything borrowed for the portal's life. */
struct ec_pweb_conf {
	struct ec_office *office;          /* opened EC_OFFICE_SHARED */
	const struct ec_catalog *cat;
	struct ec_designs *designs;
	const char *portal_url;            /* this portal's base, for links in mail ("https://portal.example.org") */
	const char *verify_url;            /* the public verification endpoint's base */
	const char *org;                   /* the certification body's name */
	const char *mail_domain;           /* the right side of Message-IDs */
	const char *tz;                    /* the office's time zone, for today */
	int insecure_cookies;              /* plain-HTTP loopback tests only: no Secure, no __Host- prefix */
	/* Hand a message to the mailer (sent at once, kept in memory only: it may carry a secret link). */
	int (*mail)(void *ctx, const struct ec_notice *n);
	void *mail_ctx;
};

struct ec_pweb;

int ec_pweb_new(const struct ec_pweb_conf *c, struct ec_pweb **out);
void ec_pweb_free(struct ec_pweb *p);

/* A request as the server got it. Header values are NULL when absent. */
struct ec_pweb_req {
	const char *method;                /* "GET", "HEAD", "POST", ... */
	const char *path;                  /* the raw path, without the query */
	const char *query;                 /* the raw query, NULL when none */
	const char *cookie, *origin, *sec_fetch_site, *accept_language, *content_type;
	const char *body;                  /* POST: the body as received */
	size_t body_len;
	unsigned char client[16];          /* the client address as a rate-limit key */
	int64_t now;                       /* Unix seconds */
	double mono;                       /* monotonic seconds, for rate limits */
};

/* The answer: a page, a redirect or a file. Initialise with ec_pweb_resp_init, free with ec_pweb_resp_free. */
struct ec_pweb_resp {
	int status;
	const char *ctype;                 /* a static string */
	struct ec_buf body;
	unsigned char *file;               /* a PDF (malloc'd, owned) instead of body, or NULL */
	size_t file_len;
	char location[EC_PWEB_URL_MAX + 64];   /* a redirect's target, "" for none */
	char disposition[128];             /* Content-Disposition, "" for none */
	char cookie[EC_PWEB_COOKIES][256]; /* Set-Cookie values */
	size_t ncookies;
	int no_store;                      /* Cache-Control: no-store (every page with personal data) */
};

void ec_pweb_resp_init(struct ec_pweb_resp *r);
void ec_pweb_resp_free(struct ec_pweb_resp *r);

/*
 * Answer r into out. Every outcome is a response (400, 403, 404, 405, 413, 429, 500 pages
 * included); the function returns 0, or EC_ERR_NOMEM when not even an error page could be made.
 */
int ec_pweb_handle(struct ec_pweb *p, const struct ec_pweb_req *r, struct ec_pweb_resp *out);

/* The headers every portal response carries (a strict CSP with the style's hash, no script at all). */
const char *const *ec_pweb_security_headers(void);

/* The route of a path for logs and metrics, with nothing personal in it: "login", "me", "pdf", ... */
const char *ec_pweb_route_name(const char *path);

#endif
