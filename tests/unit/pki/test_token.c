/* Unit tests for lib/sign/token_sign.c and lib/pki/token_verify.c: the QR token's exact form, strictness, forgery. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "b64.h"
#include "buf.h"
#include "ca.h"
#include "conf.h"
#include "date.h"
#include "err.h"
#include "../helper_pki.h"
#include "token.h"
#include "signer.h"
#include "ecx509.h"
#include "../helper_tmp.h"

#define NUM "0101234567890123456707"

static void
fill(struct ec_ecert *e, const struct helper_ca *ca, const char *name)
{
	memset(e, 0, sizeof *e);
	strcpy(e->number, NUM);
	snprintf(e->name, sizeof e->name, "%s", name);
	strcpy(e->code, "HCNA-R&S");
	strcpy(e->title, "not in the token");
	assert_int_equal(ec_date_parse("2026-10-27", &e->effective), 0);
	assert_int_equal(ec_date_parse("2029-10-26", &e->expires), 0);
	strcpy(e->kid, ca->s.kid);
}

/* Sign header.payload (given as JSON text) with ca's key exactly as a JWS would, bypassing our encoder. */
static void
craft(const struct helper_ca *ca, const char *hdr, const char *payload, char *out, size_t outsz)
{
	unsigned char der[80], raw[64];
	const unsigned char *p = der;
	char enc[1024], tbs[2048];
	size_t dl = sizeof der;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const BIGNUM *r, *s;
	ECDSA_SIG *es;

	assert_non_null(ctx);
	assert_int_equal(ec_b64url_encode((const unsigned char *)hdr, strlen(hdr), enc, sizeof enc), 0);
	snprintf(tbs, sizeof tbs, "%s.", enc);
	assert_int_equal(ec_b64url_encode((const unsigned char *)payload, strlen(payload), enc, sizeof enc), 0);
	strcat(tbs, enc);
	if (ca->s.alg == EC_ALG_ED25519) {
		assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, ca->s.key), 1);
		dl = sizeof raw;
		assert_int_equal(EVP_DigestSign(ctx, raw, &dl, (unsigned char *)tbs, strlen(tbs)), 1);
	} else {
		assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, ca->s.key), 1);
		assert_int_equal(EVP_DigestSign(ctx, der, &dl, (unsigned char *)tbs, strlen(tbs)), 1);
		assert_non_null(es = d2i_ECDSA_SIG(NULL, &p, (long)dl));
		ECDSA_SIG_get0(es, &r, &s);
		assert_int_equal(BN_bn2binpad(r, raw, 32), 32);
		assert_int_equal(BN_bn2binpad(s, raw + 32, 32), 32);
		ECDSA_SIG_free(es);
	}
	EVP_MD_CTX_free(ctx);
	assert_int_equal(ec_b64url_encode(raw, 64, enc, sizeof enc), 0);
	assert_true((size_t)snprintf(out, outsz, "%s.%s", tbs, enc) < outsz);
}

/* Decode segment i (0 header, 1 payload, 2 signature) of tok into out, NUL-terminated. */
static size_t
segment(const char *tok, int i, unsigned char *out, size_t outsz)
{
	const char *p = tok, *q;
	size_t n;

	while (i-- > 0)
		p = strchr(p, '.') + 1;
	q = strchr(p, '.');
	assert_int_equal(ec_b64url_decode(p, q ? (size_t)(q - p) : strlen(p), out, outsz - 1, &n), 0);
	out[n] = 0;
	return n;
}

static void
round_trip(struct helper_trio *f, const struct helper_ca *ca, const char *name, const char *want_payload)
{
	char tok[EC_TOKEN_MAX + 1], want_hdr[64];
	unsigned char seg[512];
	struct ec_ecert e, d, v;

	fill(&e, ca, name);
	assert_int_equal(ec_token_sign(&ca->s, &e, tok), 0);
	snprintf(want_hdr, sizeof want_hdr, "{\"alg\":\"%s\",\"kid\":\"%s\"}",
	    ca->s.alg == EC_ALG_P256 ? "ES256" : "EdDSA", ca->s.kid);
	segment(tok, 0, seg, sizeof seg);
	assert_string_equal((char *)seg, want_hdr);
	segment(tok, 1, seg, sizeof seg);
	assert_string_equal((char *)seg, want_payload);
	assert_int_equal(segment(tok, 2, seg, sizeof seg), 64);

	assert_int_equal(ec_token_decode(tok, strlen(tok), &d), 0);
	assert_int_equal(ec_token_verify(f->trust, tok, strlen(tok), &v), 0);
	assert_memory_equal(&d, &v, sizeof d);
	assert_string_equal(v.number, NUM);
	assert_string_equal(v.name, name);
	assert_string_equal(v.code, "HCNA-R&S");
	assert_string_equal(v.kid, ca->s.kid);
	assert_int_equal(v.effective, e.effective);
	assert_int_equal(v.expires, e.expires);
	assert_string_equal(v.title, "");
}

static void
test_round_trip(void **state)
{
	static const struct { const char *name, *json; } names[] = {
		{ "Zoë O'Brien", "\"Zoë O'Brien\"" },
		{ "李瑞瑞", "\"李瑞瑞\"" },
		{ "Jo \"Q\" Back\\slash", "\"Jo \\\"Q\\\" Back\\\\slash\"" },
	};
	struct helper_trio *f = *state;
	char want[512];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(want, sizeof want, "{\"n\":\"%s\",\"nm\":%s,\"c\":\"HCNA-R&S\",\"nb\":\"2026-10-27\","
		    "\"na\":\"2029-10-26\"}", NUM, names[i].json);
		round_trip(f, &f->p256, names[i].name, want);
		round_trip(f, &f->ed, names[i].name, want);
	}
}

/* Our own crafted signing agrees with ec_token_sign's format, so the strictness tests below test strictness. */
static void
test_craft_control(void **state)
{
	struct helper_trio *f = *state;
	char tok[1024], hdr[64], pl[256];
	struct ec_ecert v;

	snprintf(hdr, sizeof hdr, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", f->p256.s.kid);
	snprintf(pl, sizeof pl, "{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}", NUM);
	craft(&f->p256, hdr, pl, tok, sizeof tok);
	assert_int_equal(ec_token_verify(f->trust, tok, strlen(tok), &v), 0);
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\"}", f->ed.s.kid);
	craft(&f->ed, hdr, pl, tok, sizeof tok);
	assert_int_equal(ec_token_verify(f->trust, tok, strlen(tok), &v), 0);
	assert_string_equal(v.name, "Zoë");
}

static void
test_flip_every_position(void **state)
{
	struct helper_trio *f = *state;
	const struct helper_ca *cas[2] = { &f->p256, &f->ed };
	char tok[EC_TOKEN_MAX + 1], bad[EC_TOKEN_MAX + 1];
	struct ec_ecert e, v;
	size_t i, n;
	int k;

	for (k = 0; k < 2; k++) {
		fill(&e, cas[k], "李瑞瑞 Zoë");
		assert_int_equal(ec_token_sign(&cas[k]->s, &e, tok), 0);
		n = strlen(tok);
		for (i = 0; i < n; i++) {
			memcpy(bad, tok, n + 1);
			bad[i] = tok[i] == 'A' ? 'B' : 'A';
			assert_int_not_equal(ec_token_verify(f->trust, bad, n, &v), 0);
			assert_string_equal(v.number, "");
		}
	}
}

static void
test_unknown_and_wrong_kid(void **state)
{
	struct helper_trio *f = *state;
	char tok[EC_TOKEN_MAX + 1], bad[1024], hdr[64], enc[128];
	struct ec_ecert e, v;

	fill(&e, &f->other, "Zoë");
	assert_int_equal(ec_token_sign(&f->other.s, &e, tok), 0);
	assert_int_equal(ec_token_decode(tok, strlen(tok), &v), 0);
	assert_int_equal(ec_token_verify(f->trust, tok, strlen(tok), &v), EC_ERR_SIG);

	/* the other CA's token relabelled with a trusted P-256 CA's kid */
	snprintf(hdr, sizeof hdr, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", f->p256.s.kid);
	assert_int_equal(ec_b64url_encode((unsigned char *)hdr, strlen(hdr), enc, sizeof enc), 0);
	snprintf(bad, sizeof bad, "%s%s", enc, strchr(tok, '.'));
	assert_int_equal(ec_token_decode(bad, strlen(bad), &v), 0);
	assert_int_equal(ec_token_verify(f->trust, bad, strlen(bad), &v), EC_ERR_SIG);

	/* signing an e-Cert that names another issuing CA is refused */
	fill(&e, &f->ed, "Zoë");
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), EC_ERR_ARG);
}

static void
test_alg_confusion(void **state)
{
	struct helper_trio *f = *state;
	char tok[EC_TOKEN_MAX + 1], bad[1024], hdr[64], enc[128], pl[256];
	struct ec_ecert e, v;

	/* a P-256 CA's token relabelled EdDSA */
	fill(&e, &f->p256, "Zoë");
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), 0);
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\"}", f->p256.s.kid);
	assert_int_equal(ec_b64url_encode((unsigned char *)hdr, strlen(hdr), enc, sizeof enc), 0);
	snprintf(bad, sizeof bad, "%s%s", enc, strchr(tok, '.'));
	assert_int_equal(ec_token_verify(f->trust, bad, strlen(bad), &v), EC_ERR_SIG);

	/* an Ed25519 signature by the Ed25519 CA, claiming the P-256 CA's kid with alg EdDSA or ES256 */
	snprintf(pl, sizeof pl, "{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}", NUM);
	craft(&f->ed, hdr, pl, bad, sizeof bad);
	assert_int_equal(ec_token_verify(f->trust, bad, strlen(bad), &v), EC_ERR_SIG);
	snprintf(hdr, sizeof hdr, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", f->ed.s.kid);
	craft(&f->p256, hdr, pl, bad, sizeof bad);
	assert_int_equal(ec_token_verify(f->trust, bad, strlen(bad), &v), EC_ERR_SIG);

	/* a signer whose key is not of its declared algorithm */
	{
		struct ec_signer s = f->ed.s;

		s.alg = EC_ALG_P256;
		fill(&e, &f->ed, "Zoë");
		assert_int_not_equal(ec_token_sign(&s, &e, tok), 0);
	}
}

/* fmt with its one "%s" replaced by arg (the templates below are data, not format strings). */
static void
subst(char *out, size_t outsz, const char *fmt, const char *arg)
{
	const char *m = strstr(fmt, "%s");

	assert_non_null(m);
	assert_true((size_t)snprintf(out, outsz, "%.*s%s%s", (int)(m - fmt), fmt, arg, m + 2) < outsz);
}

static void
expect_strict(struct helper_trio *f, const char *hdr, const char *pl)
{
	char tok[1024];
	struct ec_ecert v;

	craft(&f->p256, hdr, pl, tok, sizeof tok);
	assert_int_equal(ec_token_decode(tok, strlen(tok), &v), EC_ERR_SYNTAX);
	assert_int_equal(ec_token_verify(f->trust, tok, strlen(tok), &v), EC_ERR_SYNTAX);
}

static void
test_strict_payload(void **state)
{
	static const char *const bad[] = {
		"{\"n\": \"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"} ",
		"{\"nm\":\"Zoë\",\"n\":\"%s\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zo\\u00eb\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Z\\/o\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\",\"x\":1}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\"}",
		"{\"n\":\"%s\",\"nm\":\"\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zo\te\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zo\xc3\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zo\xc0\xae\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zo\xf0\x9f\x98\x80\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-02-30\",\"na\":\"2029-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2026-10-26\"}",
		"{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"",
		"{\"n\":\"%s1\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}",
	};
	struct helper_trio *f = *state;
	char hdr[64], pl[512];
	size_t i;

	snprintf(hdr, sizeof hdr, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", f->p256.s.kid);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		subst(pl, sizeof pl, bad[i], NUM);
		expect_strict(f, hdr, pl);
	}
	/* check digits wrong */
	expect_strict(f, hdr, "{\"n\":\"0101234567890123456708\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\","
	    "\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}");
}

static void
test_strict_header(void **state)
{
	static const char *const bad[] = {
		"{\"alg\": \"ES256\",\"kid\":\"%s\"}",
		"{\"kid\":\"%s\",\"alg\":\"ES256\"}",
		"{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}",
		"{\"alg\":\"none\",\"kid\":\"%s\"}",
		"{\"alg\":\"ES384\",\"kid\":\"%s\"}",
		"{\"alg\":\"es256\",\"kid\":\"%s\"}",
		"{\"alg\":\"ES256\",\"kid\":\"%s\"} ",
		"{\"alg\":\"ES256\",\"kid\":\"!%s\"}",
		"{\"alg\":\"ES256\",\"kid\":\"%sA\"}",
	};
	struct helper_trio *f = *state;
	char hdr[128], pl[256];
	size_t i;

	snprintf(pl, sizeof pl, "{\"n\":\"%s\",\"nm\":\"Zoë\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\",\"na\":\"2029-10-26\"}", NUM);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		subst(hdr, sizeof hdr, bad[i], f->p256.s.kid);
		expect_strict(f, hdr, pl);
	}
	for (i = 0; i < 3; i++) {                                        /* a kid of 11 characters, not base64url */
		char kid[EC_KID_LEN + 1];

		memcpy(kid, f->p256.s.kid, sizeof kid);
		kid[i * 5] = "!=."[i];
		subst(hdr, sizeof hdr, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", kid);
		expect_strict(f, hdr, pl);
	}
	subst(hdr, sizeof hdr, "{\"alg\":\"ES256\",\"kid\":\"%s\"}", "abcdefghij");
	expect_strict(f, hdr, pl);
}

static void
test_shape(void **state)
{
	struct helper_trio *f = *state;
	char tok[EC_TOKEN_MAX + 1], bad[1024];
	unsigned char sig[80];
	char enc[200];
	const char *dot;
	struct ec_ecert e, v;
	size_t n, i;

	fill(&e, &f->p256, "Zoë");
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), 0);
	n = strlen(tok);

	for (i = 0; i < n; i++)                                        /* every truncation */
		assert_int_not_equal(ec_token_verify(f->trust, tok, i, &v), 0);
	assert_int_equal(ec_token_decode(tok, 0, &v), EC_ERR_SYNTAX);

	snprintf(bad, sizeof bad, "%s.", tok);                           /* a fourth part */
	assert_int_equal(ec_token_decode(bad, strlen(bad), &v), EC_ERR_SYNTAX);
	snprintf(bad, sizeof bad, "%s=", tok);                           /* padding */
	assert_int_equal(ec_token_decode(bad, strlen(bad), &v), EC_ERR_SYNTAX);
	snprintf(bad, sizeof bad, " %s", tok);                           /* white space */
	assert_int_equal(ec_token_decode(bad, strlen(bad), &v), EC_ERR_SYNTAX);
	memcpy(bad, tok, n + 1);                                         /* an embedded NUL */
	bad[10] = '\0';
	assert_int_equal(ec_token_decode(bad, n, &v), EC_ERR_SYNTAX);

	memset(bad, 'A', sizeof bad);                                    /* oversize */
	assert_int_equal(ec_token_decode(bad, EC_TOKEN_MAX + 1, &v), EC_ERR_TOOBIG);
	assert_int_equal(ec_token_verify(f->trust, bad, EC_TOKEN_MAX + 1, &v), EC_ERR_TOOBIG);

	/* 63- and 65-byte signatures */
	dot = strrchr(tok, '.');
	assert_int_equal(ec_b64url_decode(dot + 1, strlen(dot + 1), sig, sizeof sig, &i), 0);
	assert_int_equal(i, 64);
	sig[64] = 0;
	assert_int_equal(ec_b64url_encode(sig, 63, enc, sizeof enc), 0);
	snprintf(bad, sizeof bad, "%.*s.%s", (int)(dot - tok), tok, enc);
	assert_int_equal(ec_token_decode(bad, strlen(bad), &v), EC_ERR_SYNTAX);
	assert_int_equal(ec_token_verify(f->trust, bad, strlen(bad), &v), EC_ERR_SYNTAX);
	assert_int_equal(ec_b64url_encode(sig, 65, enc, sizeof enc), 0);
	snprintf(bad, sizeof bad, "%.*s.%s", (int)(dot - tok), tok, enc);
	assert_int_equal(ec_token_decode(bad, strlen(bad), &v), EC_ERR_SYNTAX);
	assert_int_equal(ec_token_verify(f->trust, bad, strlen(bad), &v), EC_ERR_SYNTAX);
}

static void
test_sign_refuses(void **state)
{
	struct helper_trio *f = *state;
	char tok[EC_TOKEN_MAX + 1], big[EC_NAME_MAX_BYTES + 1] = "";
	struct ec_ecert e;
	struct ec_signer s;
	int i;

	fill(&e, &f->p256, "Zoë");
	strcpy(e.number, "0101234567890123456708");
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), EC_ERR_SYNTAX);
	assert_string_equal(tok, "");
	fill(&e, &f->p256, "");
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), EC_ERR_SYNTAX);
	fill(&e, &f->p256, "Zo\x01");
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), EC_ERR_SYNTAX);
	fill(&e, &f->p256, "Zoë");
	e.expires = e.effective - 1;
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), EC_ERR_SYNTAX);
	fill(&e, &f->p256, "Zoë");
	e.code[0] = '\0';
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), EC_ERR_SYNTAX);

	fill(&e, &f->p256, "");                                         /* 65 code points */
	memset(e.name, 'a', 65);
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), EC_ERR_SYNTAX);
	e.name[64] = '\0';
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), 0);
	for (i = 0; i < 64; i++)
		strcat(big, "瑞");

	/* 64 CJK code points and a 31-character code: a valid name, but over the token's bound */
	fill(&e, &f->p256, big);
	strcpy(e.code, "HCIE-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), EC_ERR_TOOBIG);
	big[40 * 3] = '\0';
	fill(&e, &f->p256, big);
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), 0);

	s = f->p256.s;
	s.retired = 1;
	fill(&e, &f->p256, "Zoë");
	assert_int_equal(ec_token_sign(&s, &e, tok), EC_ERR_REFUSED);
}

static void
test_qr_payload(void **state)
{
	struct helper_trio *f = *state;
	char tok[EC_TOKEN_MAX + 1], out[EC_QR_MAX + 1], url[400];
	struct ec_ecert e;
	size_t want;

	fill(&e, &f->p256, "李瑞瑞");
	assert_int_equal(ec_token_sign(&f->p256.s, &e, tok), 0);
	assert_int_equal(ec_qr_payload("https://verify.example.org", NUM, tok, out, sizeof out), 0);
	assert_int_equal(strncmp(out, "https://verify.example.org/v/" NUM "#", 30 + 22), 0);
	assert_string_equal(out + 30 + 22, tok);
	want = strlen(out);
	assert_int_equal(ec_qr_payload("https://verify.example.org", NUM, tok, out, want), EC_ERR_TOOBIG);
	assert_int_equal(ec_qr_payload("https://verify.example.org", NUM, tok, out, want + 1), 0);

	memset(url, 'a', sizeof url);
	memcpy(url, "https://", 8);
	url[EC_QR_MAX - strlen(tok) - 26] = '\0';                   /* exactly 412 bytes */
	assert_int_equal(ec_qr_payload(url, NUM, tok, out, sizeof out), 0);
	assert_int_equal(strlen(out), EC_QR_MAX);
	url[strlen(url) + 1] = '\0';
	url[strlen(url)] = 'a';                                          /* 413 */
	assert_int_equal(ec_qr_payload(url, NUM, tok, out, sizeof out), EC_ERR_TOOBIG);

	assert_int_equal(ec_qr_payload("https://x y", NUM, tok, out, sizeof out), EC_ERR_ARG);
	assert_int_equal(ec_qr_payload("", NUM, tok, out, sizeof out), EC_ERR_ARG);
	assert_int_equal(ec_qr_payload("https://x", "0101", tok, out, sizeof out), EC_ERR_ARG);
	assert_int_equal(ec_qr_payload("https://x", NUM, "a b", out, sizeof out), EC_ERR_ARG);
}

/* The real CA (lib/sign/ca.c): its issuing CA signs tokens that its own trust bundle verifies. */
static void
test_real_ca(void **state)
{
	static const enum ec_alg algs[] = { EC_ALG_P256, EC_ALG_ED25519 };
	char dir[] = "/tmp/test_token_ca.XXXXXX", sub[64], tok[EC_TOKEN_MAX + 1];
	struct ec_conf conf = { .org = "Example Cert Body", .public_url = "https://verify.example.org", .alg = EC_ALG_P256,
		.tz = "UTC", .smtp_tls = 1, .mail_lang = "en" };
	struct helper_ca h;
	struct ec_signer *s;
	struct ec_trust *t;
	struct ec_ecert e, v;
	struct ec_buf b;
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (i = 0; i < 2; i++) {
		conf.alg = algs[i];
		snprintf(sub, sizeof sub, "%s/%zu", dir, i);
		assert_int_equal(ec_ca_init(sub, &conf, "root-pass", 9, "pass", 4), 0);
		assert_int_equal(ec_ca_signer_load(sub, NULL, "pass", 4, &s), 0);
		ec_buf_init(&b);
		assert_int_equal(ec_ca_trust_pem(sub, &b), 0);
		assert_int_equal(ec_trust_load_mem(b.p, b.len, &t), 0);
		h.s = *s;
		fill(&e, &h, "李瑞瑞");
		assert_int_equal(ec_token_sign(s, &e, tok), 0);
		assert_int_equal(ec_token_verify(t, tok, strlen(tok), &v), 0);
		assert_string_equal(v.kid, s->kid);
		assert_string_equal(v.name, "李瑞瑞");
		ec_trust_free(t);
		ec_buf_free(&b);
		ec_signer_free(s);
	}
	helper_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_craft_control),
		cmocka_unit_test(test_flip_every_position),
		cmocka_unit_test(test_unknown_and_wrong_kid),
		cmocka_unit_test(test_alg_confusion),
		cmocka_unit_test(test_strict_payload),
		cmocka_unit_test(test_strict_header),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_qr_payload),
		cmocka_unit_test(test_real_ca),
	};

	return cmocka_run_group_tests_name("token", tests, helper_trio_setup, helper_trio_teardown);
}
