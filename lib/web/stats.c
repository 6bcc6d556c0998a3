/* The endpoint's metrics: per-thread counters by route and status, a latency histogram, Prometheus text. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "web.h"

#define STAT_SHARDS 8

static const char *const route_names[EC_WEB_R_COUNT] = {
	"other", "home", "page", "api", "trust", "crl", "healthz", "metrics", "jwks", "script"
};

const char *
ec_web_route_name(enum ec_web_route r)
{
	return (unsigned)r < EC_WEB_R_COUNT ? route_names[r] : "other";
}

static const int stat_codes[] = { 200, 304, 400, 404, 405, 414, 429, 431, 500, 503 };
#define NCODES (sizeof stat_codes / sizeof stat_codes[0])
static const uint64_t bucket_usec[] = { 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000 };
#define NBUCKETS (sizeof bucket_usec / sizeof bucket_usec[0])

/*
 * One shard per thread (threads beyond STAT_SHARDS share), each on its own cache lines: two cores
 * adding to one counter would pass its line back and forth on every request.
 */
struct stat_shard {
	uint64_t req[EC_WEB_R_COUNT][NCODES + 1];     /* the last column: any other status */
	uint64_t hist[NBUCKETS + 1];                  /* per bucket, not cumulative; the last: beyond */
	uint64_t sum_usec;
} __attribute__((aligned(64)));

struct ec_web_stats {
	struct stat_shard shard[STAT_SHARDS];
};

static unsigned stat_next;                    /* shards handed out to threads so far (atomic) */
static __thread unsigned stat_mine;           /* this thread's shard + 1; 0 until its first request */

struct ec_web_stats *
ec_web_stats_new(void)
{
	struct ec_web_stats *s = aligned_alloc(64, sizeof *s);

	if (s != NULL)
		memset(s, 0, sizeof *s);
	return s;
}

void
ec_web_stats_free(struct ec_web_stats *s)
{
	free(s);
}

void
ec_web_stats_add(struct ec_web_stats *s, enum ec_web_route r, int status, uint64_t usec)
{
	struct stat_shard *sh;
	size_t c, b;

	if (stat_mine == 0)
		stat_mine = __atomic_fetch_add(&stat_next, 1, __ATOMIC_RELAXED) % STAT_SHARDS + 1;
	sh = &s->shard[stat_mine - 1];
	if ((unsigned)r >= EC_WEB_R_COUNT)
		r = EC_WEB_R_NONE;
	for (c = 0; c < NCODES && stat_codes[c] != status; c++)
		;
	for (b = 0; b < NBUCKETS && usec > bucket_usec[b]; b++)
		;
	__atomic_fetch_add(&sh->req[r][c], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->hist[b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->sum_usec, usec, __ATOMIC_RELAXED);
}

int
ec_web_stats_render(const struct ec_web_stats *s, int64_t register_age, struct ec_buf *b)
{
	uint64_t v, cum = 0, sum = 0;
	size_t r, c, k;

	ec_buf_adds(b, "# HELP ecert_http_requests_total Requests answered, by route and status.\n"
	    "# TYPE ecert_http_requests_total counter\n");
	for (r = 0; r < EC_WEB_R_COUNT; r++)
		for (c = 0; c <= NCODES; c++) {
			for (v = 0, k = 0; k < STAT_SHARDS; k++)
				v += __atomic_load_n(&s->shard[k].req[r][c], __ATOMIC_RELAXED);
			if (v == 0)
				continue;
			if (c < NCODES)
				ec_buf_addf(b, "ecert_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
				    ec_web_route_name((enum ec_web_route)r), stat_codes[c], (unsigned long long)v);
			else
				ec_buf_addf(b, "ecert_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
				    ec_web_route_name((enum ec_web_route)r), (unsigned long long)v);
		}
	ec_buf_adds(b, "# HELP ecert_http_request_duration_seconds Time from the request line to the response.\n"
	    "# TYPE ecert_http_request_duration_seconds histogram\n");
	for (c = 0; c <= NBUCKETS; c++) {
		for (k = 0; k < STAT_SHARDS; k++)
			cum += __atomic_load_n(&s->shard[k].hist[c], __ATOMIC_RELAXED);
		if (c < NBUCKETS)
			ec_buf_addf(b, "ecert_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
			    (double)bucket_usec[c] / 1e6, (unsigned long long)cum);
		else
			ec_buf_addf(b, "ecert_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
			    (unsigned long long)cum);
	}
	for (k = 0; k < STAT_SHARDS; k++)
		sum += __atomic_load_n(&s->shard[k].sum_usec, __ATOMIC_RELAXED);
	ec_buf_addf(b, "ecert_http_request_duration_seconds_sum %.6f\n"
	    "ecert_http_request_duration_seconds_count %llu\n", (double)sum / 1e6, (unsigned long long)cum);
	if (register_age >= 0)
		ec_buf_addf(b, "# HELP ecert_register_age_seconds Seconds since the public register was last written.\n"
		    "# TYPE ecert_register_age_seconds gauge\necert_register_age_seconds %lld\n",
		    (long long)register_age);
	return b->err;
}
