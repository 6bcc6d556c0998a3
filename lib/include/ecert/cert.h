/* The e-Cert as X.509: build and sign (cert_sign.c), parse (cert_parse.c), verify against a trust bundle (trust.c). */
#ifndef EC_CERT_H
#define EC_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>
#include "pki.h"
#include "types.h"

/*
 * Build and sign the e-Cert for e with issuing CA s (e->kid must equal s->kid). Profile v2
 * (docs/formats-ecert.md): serial = number, subject CN = name, serialNumber = number, title = code,
 * description = certification title, validity effective 00:00:00Z to expires 23:59:59Z,
 * basicConstraints CA:FALSE critical, AKI, CRL DP, the placeholder subject key. e's format, issue
 * time and renewal link are register facts and are not signed in. *der is malloc'd; caller frees.
 * Signing code: never in the verifiers.
 */
int ec_ecert_sign(const struct ec_signer *s, const struct ec_ecert *e, unsigned char **der, size_t *len);

/*
 * Parse an e-Cert (DER, exactly len bytes, nothing trailing) into out without checking any signature.
 * EC_ERR_SYNTAX when it is not strict DER of an X.509 certificate of our profile (a subject of other
 * attributes, serial that is not a valid 22-digit number, subject serialNumber disagreeing with it).
 * Only the facts the certificate carries are filled: format, issued_at and renewal_of stay zero.
 * If x509 is not NULL it receives the parsed certificate (caller frees with X509_free).
 */
int ec_ecert_parse(const unsigned char *der, size_t len, struct ec_ecert *out, X509 **x509);

/*
 * Check that cert was signed by an issuing CA in t that chains to a root of t (its KID is written to
 * out->kid when out is not NULL). Issuing CAs that were rotated out still count. EC_ERR_SIG when the
 * issuer is unknown or the signature does not verify.
 */
int ec_trust_check_signature(const struct ec_trust *t, X509 *cert, struct ec_ecert *out);

/*
 * ec_ecert_parse() and ec_trust_check_signature() in one, without building an X509 (several times
 * faster with OpenSSL 3.0, whose d2i_X509 decodes the subject key): der[0..len) must be an e-Cert of
 * our profile (EC_ERR_SYNTAX) signed by an issuing CA of t (EC_ERR_SIG). out is filled, kid included.
 */
int ec_ecert_verify(const struct ec_trust *t, const unsigned char *der, size_t len, struct ec_ecert *out);

/*
 * An e-Cert of issuing CA kid valid through day `expires` ends inside that CA's validity, as the
 * signer guarantees (so a chain check at any time of the e-Cert's life finds its CA valid too);
 * EC_ERR_SIG otherwise.
 */
int ec_trust_check_issuer_span(const struct ec_trust *t, const char *kid, ec_day expires);

/* e is valid on day `at` (UTC day): EC_ERR_NOTYET before effective, EC_ERR_EXPIRED after expires. */
int ec_ecert_check_dates(const struct ec_ecert *e, ec_day at);

/* Write cert as PEM ("-----BEGIN CERTIFICATE-----") into *pem (malloc'd, NUL-terminated). */
int ec_der_to_pem(const unsigned char *der, size_t len, char **pem, size_t *pemlen);

#endif
