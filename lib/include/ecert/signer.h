/* An issuing CA loaded to sign (ec_ca_signer_load, ca.h): opaque, read through these accessors. */
#ifndef EC_SIGNER_H
#define EC_SIGNER_H

#include <stddef.h>
#include <stdint.h>

struct ec_signer;

/* Release s and everything it owns, cleansing the private key. NULL is fine. */
void ec_signer_free(struct ec_signer *s);

/* The issuing CA's KID (11 characters, NUL-terminated); borrowed from s. */
const char *ec_signer_kid(const struct ec_signer *s);

/* The issuing CA certificate's notAfter, seconds since the epoch. */
int64_t ec_signer_not_after(const struct ec_signer *s);

/* The issuing CA's common name as UTF-8 into out[size] ("" when it has none or it does not fit). */
void ec_signer_issuer_cn(const struct ec_signer *s, char *out, size_t size);

#endif
