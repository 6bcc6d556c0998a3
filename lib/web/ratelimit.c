/* Per-client rate limits: client keys (IPv4, an IPv6 /64, X-Forwarded-For) and token buckets. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "err.h"
#include "web.h"

#define RL_LOCKS 64

/* IPv6 clients are keyed by their /64: one end site holds a whole /64 and could rotate within it. */
static void
key_v6(const unsigned char a[16], unsigned char key[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memcpy(key, a, 16);
	if (memcmp(a, mapped, sizeof mapped) != 0)
		memset(key + 8, 0, 8);
}

static void
key_v4(const unsigned char a[4], unsigned char key[16])
{
	memset(key, 0, 10);
	key[10] = key[11] = 0xff;
	memcpy(key + 12, a, 4);
}

int
ec_web_addr_key(const struct sockaddr *sa, unsigned char key[16])
{
	if (sa->sa_family == AF_INET) {
		key_v4((const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr, key);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		key_v6(((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr, key);
		return 0;
	}
	return ec_err_set(EC_ERR_ARG, "client address: not IPv4 or IPv6");
}

int
ec_web_xff_key(const char *xff, unsigned char key[16])
{
	char addr[INET6_ADDRSTRLEN];
	unsigned char a[16];
	const char *p, *end;
	size_t n;

	p = strrchr(xff, ',');
	p = p ? p + 1 : xff;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	if (n == 0 || n >= sizeof addr)
		return ec_err_set(EC_ERR_SYNTAX, "X-Forwarded-For: no address in the last hop");
	memcpy(addr, p, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, a) == 1) {
		key_v4(a, key);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a) == 1) {
		key_v6(a, key);
		return 0;
	}
	return ec_err_set(EC_ERR_SYNTAX, "X-Forwarded-For: '%s' is not an address", addr);
}

struct rl_slot {
	unsigned char key[16];
	int used;
	double tokens, last;
};

struct ec_ratelimit {
	double rate, burst;
	size_t n;
	uint64_t seed;
	pthread_mutex_t locks[RL_LOCKS];
	struct rl_slot *slots;
};

int
ec_ratelimit_new(double rate, double burst, size_t slots, struct ec_ratelimit **out)
{
	struct ec_ratelimit *rl;
	size_t i;

	*out = NULL;
	if (!(rate > 0) || burst < 1 || slots == 0)
		return ec_err_set(EC_ERR_ARG, "rate limit: rate, burst and slots must be positive");
	if ((rl = calloc(1, sizeof *rl)) == NULL || (rl->slots = calloc(slots, sizeof *rl->slots)) == NULL) {
		free(rl);
		return ec_err_set(EC_ERR_NOMEM, "rate limit: out of memory");
	}
	if (RAND_bytes((unsigned char *)&rl->seed, sizeof rl->seed) != 1) {
		free(rl->slots);
		free(rl);
		return ec_err_set(EC_ERR_CRYPTO, "rate limit: the random generator failed");
	}
	rl->rate = rate;
	rl->burst = burst;
	rl->n = slots;
	for (i = 0; i < RL_LOCKS; i++)
		pthread_mutex_init(&rl->locks[i], NULL);
	*out = rl;
	return 0;
}

void
ec_ratelimit_free(struct ec_ratelimit *rl)
{
	size_t i;

	if (rl == NULL)
		return;
	for (i = 0; i < RL_LOCKS; i++)
		pthread_mutex_destroy(&rl->locks[i]);
	free(rl->slots);
	free(rl);
}

/* FNV-1a over a secret seed and the key, so that clients cannot aim at each other's slots. */
static uint64_t
rl_hash(uint64_t seed, const unsigned char key[16])
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

unsigned
ec_ratelimit_take(struct ec_ratelimit *rl, const unsigned char key[16], double now)
{
	size_t i = (size_t)(rl_hash(rl->seed, key) % rl->n);
	pthread_mutex_t *lock = &rl->locks[i % RL_LOCKS];
	struct rl_slot *s = &rl->slots[i];
	unsigned wait = 0;
	double t;

	pthread_mutex_lock(lock);
	if (!s->used || memcmp(s->key, key, 16) != 0) {
		memcpy(s->key, key, 16);
		s->used = 1;
		s->tokens = rl->burst;
	} else if (now > s->last) {
		t = s->tokens + (now - s->last) * rl->rate;
		s->tokens = t < rl->burst ? t : rl->burst;
	}
	s->last = now > s->last ? now : s->last;
	if (s->tokens >= 1)
		s->tokens -= 1;
	else {
		t = (1 - s->tokens) / rl->rate;
		wait = t >= 3600 ? 3600 : (unsigned)t;
		if (wait < t || wait == 0)
			wait++;
	}
	pthread_mutex_unlock(lock);
	return wait;
}
