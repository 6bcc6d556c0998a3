/* The QR token: a compact JWS over the e-Cert's key facts (sign in token_sign.c, verify in token_verify.c). */
#ifndef EC_TOKEN_H
#define EC_TOKEN_H

#include <stddef.h>
#include "pki.h"
#include "types.h"

/*
 * Sign the token for e with issuing CA s: header exactly {"alg":"ES256","kid":"KID"} (or "EdDSA"),
 * payload {"n":"..","nm":"..","c":"..","nb":"YYYY-MM-DD","na":"YYYY-MM-DD"} in that order, no spaces;
 * ES256 signature raw r||s (64 bytes). out gets the NUL-terminated compact serialisation.
 */
int ec_token_sign(const struct ec_signer *s, const struct ec_ecert *e, char out[EC_TOKEN_MAX + 1]);

/*
 * Decode tok[0..len) without verifying: fills out->number, name, code, effective, expires, kid
 * (other fields zeroed). Strict: exact header and key order, valid base64url, sizes bounded,
 * a valid 22-digit number; else EC_ERR_SYNTAX (EC_ERR_TOOBIG past EC_TOKEN_MAX).
 */
int ec_token_decode(const char *tok, size_t len, struct ec_ecert *out);

/* Decode and verify the signature with the issuing CA named by kid in t. EC_ERR_SIG if unknown kid or bad signature. */
int ec_token_verify(const struct ec_trust *t, const char *tok, size_t len, struct ec_ecert *out);

struct ec_buf;

/* Length of the JOSE header: {"alg":"ES256","kid":"KID"} and {"alg":"EdDSA","kid":"KID"} are both 35 bytes. */
#define EC_TOKEN_HEADER_LEN 35

/* The exact JOSE header for alg and kid (11 base64url characters) into out; EC_ERR_ARG otherwise. */
int ec_token_header(enum ec_alg alg, const char *kid, char out[EC_TOKEN_HEADER_LEN + 1]);

/*
 * Append e's exact payload JSON to b (shared by signing and the strict decoder's re-serialisation).
 * EC_ERR_SYNTAX when a field is outside the token's profile (number with bad check digits, name not
 * 1..64 BMP code points of UTF-8 without controls, code not 1..31 printable ASCII, dates out of range
 * or expires before effective); EC_ERR_NOMEM.
 */
int ec_token_payload(const struct ec_ecert *e, struct ec_buf *b);

/* The signature in a token: ES256 raw r||s, or the Ed25519 signature. */
#define EC_TOKEN_SIG_LEN 64

/*
 * The signing input "<b64url header>.<b64url payload>" of e's token under alg and e->kid into out
 * (NUL-terminated), its length into *n; errors as ec_token_header and ec_token_payload, EC_ERR_TOOBIG.
 */
int ec_token_input(enum ec_alg alg, const struct ec_ecert *e, char out[EC_TOKEN_MAX + 1], size_t *n);

/* The whole compact token: the signing input, '.', base64url(sig) (the register rebuilds tokens so). */
int ec_token_assemble(enum ec_alg alg, const struct ec_ecert *e, const unsigned char sig[EC_TOKEN_SIG_LEN],
    char out[EC_TOKEN_MAX + 1]);

/* "<public_url>/v/<number>#<token>" into out; EC_ERR_TOOBIG when over outsz or over the QR's 412 bytes. */
int ec_qr_payload(const char *public_url, const char *number, const char *token, char *out, size_t outsz);

/* The QR payload's byte bound: version 15, error correction M, byte mode. */
#define EC_QR_MAX 412

#endif
