/*
 * Name checks are an oracle for the holder's name: whoever may ask "is it X?" often enough learns it.
 * The per-client rate limit does not stop many clients, so every number also has a small daily
 * budget shared by all. A count-min sketch keeps it in fixed memory.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "budget.h"
#include "err.h"

#define ROWS 4
#define COLS 8192

struct ec_budget {
	pthread_mutex_t lock;
	unsigned per_day;
	ec_day day;
	uint64_t seed[ROWS];
	uint16_t count[ROWS][COLS];
};

int
ec_budget_new(unsigned per_day, struct ec_budget **out)
{
	struct ec_budget *b;

	*out = NULL;
	if (per_day == 0 || per_day > UINT16_MAX)
		return ec_err_set(EC_ERR_ARG, "name checks per number per day must be 1 to %u", UINT16_MAX);
	if ((b = calloc(1, sizeof *b)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	if (RAND_bytes((unsigned char *)b->seed, sizeof b->seed) != 1) {
		free(b);
		return ec_err_set(EC_ERR_CRYPTO, "cannot seed the name-check budget");
	}
	if (pthread_mutex_init(&b->lock, NULL) != 0) {
		free(b);
		return ec_err_set(EC_ERR_NOMEM, "cannot set up the name-check budget");
	}
	b->per_day = per_day;
	*out = b;
	return EC_OK;
}

void
ec_budget_free(struct ec_budget *b)
{
	if (b == NULL)
		return;
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* FNV-1a over the number, started from a secret seed: an outsider cannot aim collisions at a number. */
static unsigned
col(uint64_t seed, const char *number)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < EC_NUMBER_DIGITS && number[i]; i++) {
		h ^= (unsigned char)number[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	return (unsigned)(h % COLS);
}

int
ec_budget_take(struct ec_budget *b, const char *number, ec_day today)
{
	unsigned c[ROWS], i, least = UINT16_MAX;
	int ok;

	for (i = 0; i < ROWS; i++)
		c[i] = col(b->seed[i], number);
	pthread_mutex_lock(&b->lock);
	if (b->day != today) {
		memset(b->count, 0, sizeof b->count);
		b->day = today;
	}
	for (i = 0; i < ROWS; i++)
		if (b->count[i][c[i]] < least)
			least = b->count[i][c[i]];
	ok = least < b->per_day;
	if (ok)
		for (i = 0; i < ROWS; i++)
			if (b->count[i][c[i]] < UINT16_MAX)
				b->count[i][c[i]]++;
	pthread_mutex_unlock(&b->lock);
	return ok;
}
