/*
 * The anti-automation challenge of the score-report form: a proof of work bound to the form's fields,
 * signed by the portal, used once. A browser with script solves it in well under a second; without
 * script, waiting POW_WAIT seconds before sending is the work (accessible, no image to read).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "b64.h"
#include "digest.h"
#include "err.h"
#include "pweb_int.h"
#include "record.h"

#define SEED_RAW (8 + 16 + 16)          /* issued at, random, truncated HMAC */
#define USED_MAX 4096                   /* seeds remembered as used, for their life */

struct ec_pow {
	struct ec_hmac key;
	pthread_mutex_t lock;
	struct { unsigned char id[16]; int64_t until; } used[USED_MAX];
};

int
pow_new(struct ec_pow **out)
{
	unsigned char k[32];
	struct ec_pow *p;
	int r;

	*out = NULL;
	if (!(p = calloc(1, sizeof *p)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	/* a key of this process: a challenge outlives neither the process nor POW_LIFE */
	if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k || (r = ec_hmac_init(&p->key, k, sizeof k))) {
		explicit_bzero(k, sizeof k);
		free(p);
		return ec_err_set(EC_ERR_CRYPTO, "%s", "cannot key the challenge");
	}
	explicit_bzero(k, sizeof k);
	pthread_mutex_init(&p->lock, NULL);
	*out = p;
	return 0;
}

void
pow_free(struct ec_pow *p)
{
	if (!p)
		return;
	ec_hmac_free(&p->key);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int
pow_issue(struct ec_pow *p, int64_t now, char seed[POW_SEED_MAX])
{
	unsigned char raw[SEED_RAW], mac[32];
	int r;

	ec_rec_put64(raw, (uint64_t)now);
	if (getrandom(raw + 8, 16, 0) != 16)
		return ec_err_set(EC_ERR_IO, "%s", "no random bytes");
	if ((r = ec_hmac(&p->key, raw, 24, mac)))
		return r;
	memcpy(raw + 24, mac, 16);
	return ec_b64url_encode(raw, sizeof raw, seed, POW_SEED_MAX);
}

/* Leading zero bits of h. */
static unsigned
zeros(const unsigned char h[32])
{
	unsigned n = 0, i, b;

	for (i = 0; i < 32; i++) {
		if (h[i] == 0) {
			n += 8;
			continue;
		}
		for (b = 0x80; b && !(h[i] & b); b >>= 1)
			n++;
		break;
	}
	return n;
}

int
pow_check(struct ec_pow *p, const char *seed, const char *reg_no, const char *email, const char *nonce, int64_t now)
{
	unsigned char raw[SEED_RAW + 1], mac[32], h[32], d = 0;
	char low[EC_EMAIL_MAX + 1];
	struct ec_buf in;
	int64_t at;
	size_t n, i, free_slot = USED_MAX;
	int r = 0;

	if (!seed || ec_b64url_decode(seed, strlen(seed), raw, sizeof raw, &n) || n != SEED_RAW)
		return ec_err_set(EC_ERR_REFUSED, "%s", "the form's challenge is missing or damaged: reload the page");
	if ((r = ec_hmac(&p->key, raw, 24, mac)))
		return r;
	for (i = 0; i < 16; i++)
		d |= (unsigned char)(mac[i] ^ raw[24 + i]);
	if (d)
		return ec_err_set(EC_ERR_REFUSED, "%s", "the form's challenge is missing or damaged: reload the page");
	at = (int64_t)ec_rec_get64(raw);
	if (now - at >= POW_LIFE || at > now + 60)
		return ec_err_set(EC_ERR_REFUSED, "%s", "the form's challenge has expired: reload the page");
	if (nonce && nonce[0]) {
		/* the work is over this form's own fields: solved for one record, it does not fit another */
		snprintf(low, sizeof low, "%s", email ? email : "");
		for (i = 0; low[i]; i++)
			if (low[i] >= 'A' && low[i] <= 'Z')
				low[i] = (char)(low[i] + 32);
		ec_buf_init(&in);
		ec_buf_addf(&in, "%s\n%s\n%s\n%s", seed, reg_no ? reg_no : "", low, nonce);
		r = in.err ? in.err : ec_sha256(in.p, in.len, h);
		ec_buf_free(&in);
		if (r)
			return r;
		if (zeros(h) < POW_BITS)
			return ec_err_set(EC_ERR_REFUSED, "%s", "the form's challenge was not solved: try again");
	} else if (now - at < POW_WAIT) {
		return ec_err_set(EC_ERR_REFUSED, "without script the form needs %d seconds before it is sent: wait "
		    "%d more seconds and send it again", POW_WAIT, (int)(POW_WAIT - (now - at)));
	}
	/* once only */
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < USED_MAX; i++) {
		if (p->used[i].until > now && !memcmp(p->used[i].id, raw + 8, 16)) {
			r = ec_err_set(EC_ERR_REFUSED, "%s", "this form was sent already: reload the page");
			break;
		}
		if (p->used[i].until <= now && free_slot == USED_MAX)
			free_slot = i;
	}
	/* full of live seeds: refuse rather than forget one, which could then be sent again */
	if (!r && free_slot == USED_MAX)
		r = ec_err_set(EC_ERR_FULL, "%s", "too many forms were sent in the last minutes: try again later");
	if (!r) {
		memcpy(p->used[free_slot].id, raw + 8, 16);
		p->used[free_slot].until = at + POW_LIFE;
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}
