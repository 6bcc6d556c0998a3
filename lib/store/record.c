/* Record encoding shared by both registers: numbers, 64-bit values and the public record (see recio.h). */
#include <string.h>

#include "err.h"
#include "recio.h"

void
ec_rec_put64(unsigned char out[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)v;
}

uint64_t
ec_rec_get64(const unsigned char in[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | in[i];
	return v;
}

int
ec_rec_num_pack(const char *digits, unsigned char out[EC_NUMBIN])
{
	unsigned __int128 v = 0;
	int i;

	for (i = 0; i < EC_NUMBER_DIGITS; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return ec_err_set(EC_ERR_ARG, "certificate number '%.22s' is not 22 digits", digits);
		v = v * 10 + (unsigned)(digits[i] - '0');
	}
	if (digits[i] != '\0')
		return ec_err_set(EC_ERR_ARG, "certificate number '%.22s...' is not 22 digits", digits);
	for (i = EC_NUMBIN - 1; i >= 0; i--, v >>= 8)
		out[i] = (unsigned char)v;
	return 0;
}

int
ec_rec_num_unpack(const unsigned char in[EC_NUMBIN], char out[EC_NUMBER_DIGITS + 1])
{
	const uint64_t e11 = 100000000000ULL;
	unsigned __int128 v = 0;
	uint64_t hi, lo;
	int i;

	for (i = 0; i < EC_NUMBIN; i++)
		v = v << 8 | in[i];
	/* One 128-bit division, then two 11-digit halves in 64-bit arithmetic (this is on the lookup path). */
	hi = (uint64_t)(v / e11);
	lo = (uint64_t)(v - (unsigned __int128)hi * e11);
	if (hi >= e11)
		return ec_err_set(EC_ERR_CORRUPT, "stored certificate number out of range");
	out[EC_NUMBER_DIGITS] = '\0';
	for (i = EC_NUMBER_DIGITS - 1; i >= 11; i--, lo /= 10)
		out[i] = (char)('0' + lo % 10);
	for (; i >= 0; i--, hi /= 10)
		out[i] = (char)('0' + hi % 10);
	return 0;
}

/* Public records. */

int
ec_rec_pub_enc(struct ec_buf *b, const struct ec_pub *pub)
{
	int r;

	if (pub->status != EC_ST_VALID && pub->status != EC_ST_REVOKED && pub->status != EC_ST_SUPERSEDED)
		return ec_err_set(EC_ERR_ARG, "field 'status' out of range");
	w8(b, EC_REC_V1);
	w8(b, (unsigned)pub->status);
	w32(b, pub->effective);
	w32(b, pub->expires);
	w32(b, pub->revoked_on);
	ec_buf_add(b, pub->name_mac, sizeof pub->name_mac);
	if ((r = wstr(b, pub->code, sizeof pub->code, "certification")) ||
	    (r = wstr(b, pub->title, sizeof pub->title, "title")) ||
	    (r = wstr(b, pub->name_masked, sizeof pub->name_masked, "name_masked")) ||
	    (r = wstr(b, pub->reason, sizeof pub->reason, "reason")) ||
	    (r = wnum(b, pub->superseded_by, "superseded_by")) ||
	    (r = wnum(b, pub->renewal_of, "renewal_of")) ||
	    (r = wstr(b, pub->issuer, sizeof pub->issuer, "issuer")) ||
	    (r = wstr(b, pub->kid, sizeof pub->kid, "kid")))
		return r;
	return wend(b);
}

int
ec_rec_pub_dec(const void *p, size_t n, const void *key, size_t klen, struct ec_pub *out)
{
	struct rd r;
	unsigned st;

	memset(out, 0, sizeof *out);
	rbegin(&r, p, n);
	if (klen != EC_NUMBIN || ec_rec_num_unpack(key, out->number))
		r.bad = 1;
	st = r8(&r);
	if (st != EC_ST_VALID && st != EC_ST_REVOKED && st != EC_ST_SUPERSEDED)
		r.bad = 1;
	out->status = (enum ec_status)st;
	out->effective = r32(&r);
	out->expires = r32(&r);
	out->revoked_on = r32(&r);
	rbytes(&r, out->name_mac, sizeof out->name_mac);
	rstr(&r, out->code, sizeof out->code);
	rstr(&r, out->title, sizeof out->title);
	rstr(&r, out->name_masked, sizeof out->name_masked);
	rstr(&r, out->reason, sizeof out->reason);
	rnum(&r, out->superseded_by);
	rnum(&r, out->renewal_of);
	rstr(&r, out->issuer, sizeof out->issuer);
	rstr(&r, out->kid, sizeof out->kid);
	return rend(&r, "public");
}
