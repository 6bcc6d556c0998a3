/* Offline verification of one input (PDF, PEM, DER, QR URL or token) in recorded stages: ecert-verify's pipeline. */
#ifndef EC_VERIFY_H
#define EC_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "crl.h"
#include "pdfread.h"
#include "pki.h"
#include "types.h"

#define EC_VERIFY_MAX_INPUT EC_PDF_MAX_INPUT   /* any input larger than this is refused unread */
#define EC_VERIFY_MAX_CERT (64u << 10)          /* a DER or PEM e-Cert */
#define EC_VERIFY_MSG 320

enum ec_vkind { EC_VK_UNKNOWN, EC_VK_PDF, EC_VK_PEM, EC_VK_DER, EC_VK_URL, EC_VK_TOKEN };

/* The stages, in the order they run. */
enum ec_vstage {
	EC_VS_FORMAT,        /* the input parses, sizes are bounded, nothing trails */
	EC_VS_SIGNATURE,     /* chain to a trusted root; or the token's signature by its kid */
	EC_VS_ISSUER,        /* the e-Cert ends inside its issuing CA's validity (a token: the CA is known) */
	EC_VS_VALIDITY,      /* effective <= at <= expires */
	EC_VS_REVOCATION,    /* each CRL of the issuing CA: fresh and not listing the number */
	EC_VS_CONSISTENCY,   /* PDF: embedded e-Cert vs its token; URL: path number vs token */
	EC_VS_COUNT
};

enum ec_vres { EC_VR_SKIPPED, EC_VR_PASS, EC_VR_WARN, EC_VR_FAIL };

struct ec_vstage_result {
	enum ec_vres res;
	int code;                      /* the ec_err of a failure, else 0 */
	char msg[EC_VERIFY_MSG];
};

/* A --crl file: loaded (signature checked against the trust bundle) or the reason it could not be. */
struct ec_verify_crl {
	char label[256];
	struct ec_crl *crl;            /* NULL when loading failed; owned, freed by ec_verify_crl_free */
	int err;
	char msg[EC_VERIFY_MSG];
};

/* What the pipeline checks against. Everything is borrowed. */
struct ec_verify_opts {
	const struct ec_trust *trust;
	const struct ec_verify_crl *crls;
	size_t ncrls;
	ec_day at;                     /* validity as of this UTC day */
	int64_t at_time;               /* CRL freshness as of this instant */
};

/* Everything one verification found; plain values, no ownership. */
struct ec_verify_result {
	enum ec_vkind kind;
	int code;                      /* 0 valid, else the ec_err of the first failing stage */
	int failed;                    /* that stage, or -1 */
	struct ec_vstage_result stage[EC_VS_COUNT];
	int have_facts;                /* e holds signed facts (the signature stage passed) */
	int from_token;                /* e came from a token: no title */
	struct ec_ecert e;
	char issuer[256];              /* the issuing CA's subject CN, UTF-8 */
	int revoked;
	struct ec_crl_entry revocation;
	char attachment[EC_PDF_NAME_MAX + 1];   /* PDF: the e-Cert's file name */
	int pdf_token;                 /* PDF: a QR token was found in the PDF and compared */
	int cannot_check;              /* not valid because nothing checkable was found: an unreadable input, a PDF
	                                  without an e-Cert (printed to PDF, or re-saved by a tool that drops
	                                  attachments); r->code is still a "not valid" code (exit status 1) */
	int via_qpdf;                  /* PDF: the strict reader refused its structure; qpdf read it */
};

const char *ec_verify_stage_name(int stage);     /* "format", "signature", ... */
const char *ec_verify_res_name(enum ec_vres r);  /* "pass", "warning", "fail", "skipped" */
const char *ec_verify_kind_name(enum ec_vkind k);/* "pdf", "pem", "der", "url", "token", "unknown" */

/*
 * Load a CRL (DER or PEM, data[0..len)) checked against o's trust bundle t into out; label names it
 * in messages. The outcome is recorded in out (out->crl NULL and out->err/msg set on failure) and returned.
 * Release with ec_verify_crl_free.
 */
int ec_verify_crl_load(const struct ec_trust *t, const char *label, const unsigned char *data, size_t len,
    struct ec_verify_crl *out);
void ec_verify_crl_free(struct ec_verify_crl *c);

/*
 * 1 when s[0..n) has the shape of a QR URL ("<url>/v/<digits>#<token>"), a bare token ("x.y.z") or a
 * typed certificate number (which ec_verify_mem refuses with a hint), so a tool may take it as text.
 */
int ec_verify_is_text(const char *s, size_t n);

/*
 * Read path ("-" = standard input) whole, at most max bytes: a regular file over max is refused by its
 * size without reading, a stream after max + 1 bytes. EC_ERR_TOOBIG ("'x' is larger than 16 MiB"),
 * EC_ERR_IO. *out is malloc'd (NUL-terminated, not counted in *len); caller frees.
 */
int ec_verify_read(const char *path, size_t max, unsigned char **out, size_t *len);

/*
 * Verify in[0..len) through every stage into r (zeroed first). Stages 1-3 gate: after a failure the
 * rest are skipped; stages 4-6 all run once the signature holds, and the first failure is the verdict.
 * A missing CRL is a warning (valid). Returns r->code: 0 valid; EC_ERR_NOMEM / EC_ERR_CRYPTO for
 * failures of the machine; any other code means not valid (ec_err_exit gives 1).
 */
int ec_verify_mem(const struct ec_verify_opts *o, const unsigned char *in, size_t len, struct ec_verify_result *r);

/* ec_verify_read(path, EC_VERIFY_MAX_INPUT) then ec_verify_mem; a read failure is a failed format stage. */
int ec_verify_path(const struct ec_verify_opts *o, const char *path, struct ec_verify_result *r);

/*
 * Append r as one JSON object to b: input (as given), kind, verdict ("valid", "not_valid",
 * "cannot_check", "error"),
 * failed_stage, reason, warnings, every stage's result and message, the certificate's facts when signed.
 */
int ec_verify_json(const struct ec_verify_result *r, const char *input, struct ec_buf *b);

#endif
