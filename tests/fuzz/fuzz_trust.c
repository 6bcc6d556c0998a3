/* Fuzz trust bundle loading (ec_trust_load_mem: PEM roots and issuing CAs) and the lookups a bundle answers. */
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cert.h"
#include "err.h"
#include "helper.h"
#include "pki.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Well formed but made up: no key hashes to it, so no lookup may find it. */
#define MADE_UP_KID "Fuzz0KID_00"

/* The CN the API hands out: NUL-terminated in its 256-byte field, no control characters, UTF-8. */
static void
check_cn(const char *cn)
{
	size_t n = strnlen(cn, 256);

	if (n == 256 || !ec_utf8_valid(cn, n))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)cn[i] < 0x20 || cn[i] == 0x7f)
			abort();
}

/*
 * Every certificate of the input that became an issuing CA must be found again by its own KID, and
 * the KID it is filed under must be its key's. The input is read again with plain OpenSSL, so a
 * certificate the loader skipped (a root, a duplicate) is simply not found.
 */
static void
check_issuers(const struct ec_trust *t, const uint8_t *data, size_t size)
{
	BIO *bio = BIO_new_mem_buf(data, (int)size);
	X509 *x, *is;
	char kid[EC_KID_LEN + 1], again[EC_KID_LEN + 1];

	if (bio == NULL)
		abort();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (ec_kid_of(x, kid) == EC_OK && (is = ec_trust_issuer(t, kid)) != NULL) {
			if (ec_kid_of(is, again) != EC_OK || strcmp(kid, again) != 0)
				abort();
			check_cn(ec_trust_issuer_cn(t, kid));
		} else if (strcmp(ec_trust_issuer_cn(t, kid), "") != 0) {
			abort();   /* a CN for a KID the bundle does not know */
		}
		X509_free(x);
	}
	BIO_free(bio);
	ERR_clear_error();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_trust *t = (struct ec_trust *)1;
	size_t i, n;
	int rc;

	rc = ec_trust_load_mem((const char *)data, size, &t);
	if (rc != EC_OK) {
		if (t != NULL)
			abort();   /* a failure must not hand out a half-built bundle */
		return 0;
	}
	if (t == NULL)
		abort();
	/* A bundle is anchored: at least one root, each of them there, none past the end. */
	n = ec_trust_nroots(t);
	if (n == 0)
		abort();
	for (i = 0; i < n; i++)
		if (ec_trust_root(t, i) == NULL)
			abort();
	if (ec_trust_root(t, n) != NULL)
		abort();
	if (ec_trust_issuer(t, MADE_UP_KID) != NULL || strcmp(ec_trust_issuer_cn(t, MADE_UP_KID), "") != 0 ||
	    ec_trust_check_issuer_span(t, MADE_UP_KID, fuzz_day()) == EC_OK)
		abort();
	check_issuers(t, data, size);
	ec_trust_free(t);
	return 0;
}
