/*
 * Unit tests for the score-report form's proof of work (lib/portal/pow.c): a seed is accepted only when
 * solved (or waited for) for its own fields, intact, fresh and once, as the browser's pow.js computes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "err.h"
#include "../../../lib/portal/pweb_int.h"

/* 2026-03-02 12:00:00 UTC */
#define T0 ((int64_t)1772452800)
#define REG "A1234567"
#define EMAIL "zoe@example.org"
/* pow.c's table of used seeds (USED_MAX there) */
#define USED 4096

/* Leading zero bits of h, counted independently of pow.c. */
static unsigned
lead0(const unsigned char h[32])
{
	unsigned n = 0, i;
	int b;

	for (i = 0; i < 32; i++) {
		for (b = 7; b >= 0; b--) {
			if (h[i] >> b & 1)
				return n;
			n++;
		}
	}
	return n;
}

/* Leading zero bits of SHA-256("seed\nreg\nlowercased email\nnonce"), as pow.js hashes the form. */
static unsigned
work_bits(const char *seed, const char *reg, const char *email, const char *nonce)
{
	char buf[512];
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	size_t i, n;
	int len;

	len = snprintf(buf, sizeof buf, "%s\n%s\n", seed, reg);
	assert_true(len > 0 && (size_t)len < sizeof buf);
	n = (size_t)len;
	for (i = 0; email[i]; i++) {
		assert_true(n < sizeof buf - 1);
		buf[n++] = email[i] >= 'A' && email[i] <= 'Z' ? (char)(email[i] + 32) : email[i];
	}
	len = snprintf(buf + n, sizeof buf - n, "\n%s", nonce);
	assert_true(len > 0 && (size_t)len < sizeof buf - n);
	n += (size_t)len;
	assert_int_equal(EVP_Digest(buf, n, h, &hl, EVP_sha256(), NULL), 1);
	assert_int_equal(hl, 32);
	return lead0(h);
}

/* Brute force the browser's way: decimal nonces from 0 until one has POW_BITS leading zero bits. */
static void
solve(const char *seed, const char *reg, const char *email, char nonce[24])
{
	unsigned long long k;

	for (k = 0;; k++) {
		snprintf(nonce, 24, "%llu", k);
		if (work_bits(seed, reg, email, nonce) >= POW_BITS)
			return;
		assert_true(k < (1ull << 26));  /* 2^18 expected: this is a broken hash, not bad luck */
	}
}

/* A nonce that does not solve seed for reg and email. */
static void
unsolved(const char *seed, const char *reg, const char *email, char nonce[24])
{
	unsigned long long k;

	for (k = 1;; k++) {
		snprintf(nonce, 24, "%llu", k);
		if (work_bits(seed, reg, email, nonce) < POW_BITS)
			return;
	}
}

static void
issue(struct ec_pow *p, int64_t at, char seed[POW_SEED_MAX])
{
	assert_int_equal(pow_issue(p, at, seed), 0);
	assert_true(strlen(seed) > 0 && strlen(seed) < POW_SEED_MAX);
}

/* pow_check refuses with EC_ERR_REFUSED and a message holding frag. */
#define REFUSED(p, seed, reg, email, nonce, now, frag) do { \
	ec_err_clear(); \
	assert_int_equal(pow_check((p), (seed), (reg), (email), (nonce), (now)), EC_ERR_REFUSED); \
	if (!strstr(ec_err_msg(EC_ERR_REFUSED), (frag))) \
		fail_msg("message '%s' lacks '%s'", ec_err_msg(EC_ERR_REFUSED), (frag)); \
} while (0)

#define ACCEPTED(p, seed, reg, email, nonce, now) \
	assert_int_equal(pow_check((p), (seed), (reg), (email), (nonce), (now)), 0)

static int
setup(void **state)
{
	struct ec_pow *p;

	if (pow_new(&p) || !p)
		return -1;
	*state = p;
	return 0;
}

static int
teardown(void **state)
{
	pow_free(*state);
	return 0;
}

/* The browser's path: a seed solved as pow.js solves it passes, and the address matches in any case. */
static void
test_solved_accepted(void **state)
{
	struct ec_pow *p = *state;
	char seed[POW_SEED_MAX], nonce[24];

	issue(p, T0, seed);
	solve(seed, REG, "Zoe@Example.org", nonce);
	assert_true(work_bits(seed, REG, EMAIL, nonce) >= POW_BITS);
	/* one second later: long before POW_WAIT, so the work alone lets it through */
	ACCEPTED(p, seed, REG, EMAIL, nonce, T0 + 1);
}

/* The work is bound to the form's fields: solved for one record it cannot be spent on another. */
static void
test_bound_to_fields(void **state)
{
	struct ec_pow *p = *state;
	char seed[POW_SEED_MAX], nonce[24];

	/* a nonce that happens to solve the other fields too (a 2^-18 chance each) would prove nothing: re-issue */
	do {
		issue(p, T0, seed);
		solve(seed, REG, EMAIL, nonce);
	} while (work_bits(seed, "A1234568", EMAIL, nonce) >= POW_BITS || work_bits(seed, REG, "amy@example.org",
	    nonce) >= POW_BITS || work_bits(seed, "", EMAIL, nonce) >= POW_BITS);
	REFUSED(p, seed, "A1234568", EMAIL, nonce, T0 + 1, "was not solved");
	REFUSED(p, seed, REG, "amy@example.org", nonce, T0 + 1, "was not solved");
	REFUSED(p, seed, NULL, EMAIL, nonce, T0 + 1, "was not solved");
	/* waiting does not excuse a nonce that is there and wrong */
	REFUSED(p, seed, "A1234568", EMAIL, nonce, T0 + POW_WAIT + 100, "was not solved");
	/* the refusals did not use the seed up: its own fields still pass */
	ACCEPTED(p, seed, REG, EMAIL, nonce, T0 + 2);
}

/* A nonce that is not a solution is refused, whether or not the wait has passed. */
static void
test_unsolved_refused(void **state)
{
	struct ec_pow *p = *state;
	char seed[POW_SEED_MAX], nonce[24];

	issue(p, T0, seed);
	unsolved(seed, REG, EMAIL, nonce);
	REFUSED(p, seed, REG, EMAIL, nonce, T0 + 1, "was not solved");
	REFUSED(p, seed, REG, EMAIL, nonce, T0 + POW_WAIT, "was not solved");
	REFUSED(p, seed, REG, EMAIL, "not a number", T0 + POW_WAIT, "was not solved");
}

/* Used once: a form sent twice (replayed) is refused even with valid work; a fresh seed still passes. */
static void
test_used_once(void **state)
{
	struct ec_pow *p = *state;
	char seed[POW_SEED_MAX], seed2[POW_SEED_MAX], nonce[24], nonce2[24];

	issue(p, T0, seed);
	solve(seed, REG, EMAIL, nonce);
	ACCEPTED(p, seed, REG, EMAIL, nonce, T0 + 1);
	REFUSED(p, seed, REG, EMAIL, nonce, T0 + 2, "sent already");
	/* nor by the no-script path, nor much later within the seed's life */
	REFUSED(p, seed, REG, EMAIL, NULL, T0 + POW_WAIT, "sent already");
	REFUSED(p, seed, REG, EMAIL, nonce, T0 + POW_LIFE - 1, "sent already");
	/* a new seed for the same fields is another form: accepted */
	issue(p, T0 + 2, seed2);
	assert_string_not_equal(seed, seed2);
	solve(seed2, REG, EMAIL, nonce2);
	ACCEPTED(p, seed2, REG, EMAIL, nonce2, T0 + 3);
}

/* A seed lives POW_LIFE seconds, and one from the future (beyond 60 s of clock skew) is not honoured. */
static void
test_expiry(void **state)
{
	struct ec_pow *p = *state;
	char a[POW_SEED_MAX], b[POW_SEED_MAX], c[POW_SEED_MAX], d[POW_SEED_MAX], nonce[24];

	issue(p, T0, a);
	issue(p, T0, b);
	ACCEPTED(p, a, REG, EMAIL, NULL, T0 + POW_LIFE - 1);
	REFUSED(p, b, REG, EMAIL, NULL, T0 + POW_LIFE, "has expired");
	REFUSED(p, b, REG, EMAIL, NULL, T0 + POW_LIFE + 1, "has expired");
	REFUSED(p, b, REG, EMAIL, NULL, T0 + 100 * (int64_t)POW_LIFE, "has expired");
	/* solved work does not revive an expired seed */
	solve(b, REG, EMAIL, nonce);
	REFUSED(p, b, REG, EMAIL, nonce, T0 + POW_LIFE, "has expired");
	/* issued 61 s after the check's clock: refused; 60 s is the skew allowed (solved, so no wait applies) */
	issue(p, T0 + 61, c);
	solve(c, REG, EMAIL, nonce);
	REFUSED(p, c, REG, EMAIL, nonce, T0, "has expired");
	issue(p, T0 + 60, d);
	solve(d, REG, EMAIL, nonce);
	ACCEPTED(p, d, REG, EMAIL, nonce, T0);
}

/* Without script the wait is the work: refused early with the seconds left named, accepted after POW_WAIT. */
static void
test_wait_without_script(void **state)
{
	struct ec_pow *p = *state;
	char seed[POW_SEED_MAX], seed2[POW_SEED_MAX], want[64];

	issue(p, T0, seed);
	snprintf(want, sizeof want, "needs %d seconds", POW_WAIT);
	REFUSED(p, seed, REG, EMAIL, NULL, T0, want);
	snprintf(want, sizeof want, "wait %d more seconds", POW_WAIT);
	REFUSED(p, seed, REG, EMAIL, NULL, T0, want);
	REFUSED(p, seed, REG, EMAIL, NULL, T0 + 10, "wait 5 more seconds");
	REFUSED(p, seed, REG, EMAIL, NULL, T0 + POW_WAIT - 1, "wait 1 more seconds");
	ACCEPTED(p, seed, REG, EMAIL, NULL, T0 + POW_WAIT);
	/* an empty nonce (the form's field left blank) is the same as none */
	issue(p, T0, seed2);
	snprintf(want, sizeof want, "wait %d more seconds", POW_WAIT - 1);
	REFUSED(p, seed2, REG, EMAIL, "", T0 + 1, want);
	ACCEPTED(p, seed2, REG, EMAIL, "", T0 + POW_WAIT);
}

/* The seed is signed: any changed character, a cut, an addition or no seed at all is refused as damaged. */
static void
test_damaged(void **state)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct ec_pow *p = *state;
	char seed[POW_SEED_MAX], bad[POW_SEED_MAX + 8];
	size_t i, n;

	issue(p, T0, seed);
	n = strlen(seed);
	/* every position, changed to another base64url character (the timestamp, the random part, the mac) */
	for (i = 0; i < n; i++) {
		memcpy(bad, seed, n + 1);
		bad[i] = strchr(alphabet, seed[i]) == alphabet + 63 ? 'A' : *(strchr(alphabet, seed[i]) + 1);
		REFUSED(p, bad, REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	}
	/* a character outside the alphabet */
	memcpy(bad, seed, n + 1);
	bad[n / 2] = '=';
	REFUSED(p, bad, REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	/* truncated by one and by four characters, extended by one and by four */
	memcpy(bad, seed, n + 1);
	bad[n - 1] = '\0';
	REFUSED(p, bad, REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	bad[n - 4] = '\0';
	REFUSED(p, bad, REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	snprintf(bad, sizeof bad, "%sA", seed);
	REFUSED(p, bad, REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	snprintf(bad, sizeof bad, "%sAAAA", seed);
	REFUSED(p, bad, REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	REFUSED(p, "", REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	REFUSED(p, NULL, REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	/* none of that used the real seed up */
	ACCEPTED(p, seed, REG, EMAIL, NULL, T0 + POW_WAIT);
}

/* A seed from another instance (another process, or before a restart) carries a mac under another key. */
static void
test_other_instance(void **state)
{
	struct ec_pow *p = *state, *q = NULL;
	char seed[POW_SEED_MAX], nonce[24];

	assert_int_equal(pow_new(&q), 0);
	assert_non_null(q);
	issue(q, T0, seed);
	solve(seed, REG, EMAIL, nonce);
	REFUSED(p, seed, REG, EMAIL, nonce, T0 + 1, "missing or damaged");
	REFUSED(p, seed, REG, EMAIL, NULL, T0 + POW_WAIT, "missing or damaged");
	/* it is a good seed where it was issued */
	ACCEPTED(q, seed, REG, EMAIL, nonce, T0 + 1);
	pow_free(q);
}

/*
 * The used-seed memory is bounded: with seeds accepted steadily (4 a second, about 2,400 alive at once,
 * under the table's USED), three tables' worth go through, because expired entries make room, while
 * every seed still alive stays refused.
 */
static void
test_used_memory_bounded(void **state)
{
	enum { N = 3 * USED, RATE = 4 };
	struct ec_pow *p = *state;
	char (*seeds)[POW_SEED_MAX];
	int64_t at, end = T0 + (N - 1) / RATE + POW_WAIT;
	size_t k, alive = 0;

	seeds = calloc(N, sizeof *seeds);
	assert_non_null(seeds);
	for (k = 0; k < N; k++) {
		at = T0 + (int64_t)(k / RATE);
		issue(p, at, seeds[k]);
		ACCEPTED(p, seeds[k], REG, EMAIL, NULL, at + POW_WAIT);
	}
	for (k = 0; k < N; k++) {
		at = T0 + (int64_t)(k / RATE);
		if (end - at < POW_LIFE) {
			REFUSED(p, seeds[k], REG, EMAIL, NULL, end, "sent already");
			alive++;
		} else {
			REFUSED(p, seeds[k], REG, EMAIL, NULL, end, "has expired");
		}
	}
	/* the scenario is the intended one: many alive, fewer than the table holds */
	assert_true(alive > USED / 2 && alive < USED);
	/* and a fresh seed still finds room */
	issue(p, end, seeds[0]);
	ACCEPTED(p, seeds[0], REG, EMAIL, NULL, end + POW_WAIT);
	REFUSED(p, seeds[0], REG, EMAIL, NULL, end + POW_WAIT + 1, "sent already");
	free(seeds);
}

/*
 * More seeds within POW_LIFE than the table holds (free without script: fetch USED + 1 forms, wait
 * POW_WAIT, send them): the one that does not fit is refused (EC_ERR_FULL, answered 503), never taken
 * by forgetting a live one, which could then be sent a second time.
 */
static void
test_used_memory_full(void **state)
{
	enum { N = USED + 1 };
	struct ec_pow *p = *state;
	char (*seeds)[POW_SEED_MAX];
	size_t k;

	seeds = calloc(N, sizeof *seeds);
	assert_non_null(seeds);
	for (k = 0; k < N; k++)
		issue(p, T0, seeds[k]);
	for (k = 0; k < USED; k++)
		ACCEPTED(p, seeds[k], REG, EMAIL, NULL, T0 + POW_WAIT);
	assert_int_equal(pow_check(p, seeds[USED], REG, EMAIL, NULL, T0 + POW_WAIT), EC_ERR_FULL);
	assert_non_null(strstr(ec_err_msg(EC_ERR_FULL), "try again later"));
	/* every one taken stays taken */
	for (k = 0; k < USED; k++)
		REFUSED(p, seeds[k], REG, EMAIL, NULL, T0 + POW_WAIT + 1, "sent already");
	/* once their life is over, there is room again */
	issue(p, T0 + POW_LIFE, seeds[0]);
	ACCEPTED(p, seeds[0], REG, EMAIL, NULL, T0 + POW_LIFE + POW_WAIT);
	free(seeds);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_solved_accepted),
		T(test_bound_to_fields),
		T(test_unsolved_refused),
		T(test_used_once),
		T(test_expiry),
		T(test_wait_without_script),
		T(test_damaged),
		T(test_other_instance),
		T(test_used_memory_bounded),
		T(test_used_memory_full),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
