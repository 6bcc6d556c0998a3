/* The CA state directory: create the root and issuing CAs, rotate, export the trust bundle, load a signer. */
#ifndef EC_CA_H
#define EC_CA_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "conf.h"
#include "pki.h"
#include "types.h"

/* One CA as `ecert-ca list` shows it. */
struct ec_ca_info {
	char kid[EC_KID_LEN + 1];    /* "" for the root */
	char subject[256];
	int is_root;
	int current;                 /* the issuing CA new e-Certs are signed by */
	int64_t not_before, not_after;
	enum ec_alg alg;
};

/*
 * Create DIR's layout (ecert.conf, keys/, certs/, crl/, trust.pem), the root CA (30 years), its CRL
 * (crl/root.crl) and the first issuing CA. Refuses (EC_ERR_EXISTS) when DIR already holds a CA; on any failure removes what it
 * created. root_pass protects keys/root.key, pass keys/issuing-KID.key.
 */
int ec_ca_init(const char *dir, const struct ec_conf *c, const char *root_pass, size_t root_passlen,
    const char *pass, size_t passlen);

/*
 * A new issuing CA signed by the root; it becomes current; trust.pem is rewritten with every CA and the
 * root CRL re-signed. *kid_out optional.
 */
int ec_ca_rotate(const char *dir, const char *root_pass, size_t root_passlen, const char *pass, size_t passlen,
    char kid_out[EC_KID_LEN + 1]);

/* Every CA of DIR, root first, then issuing CAs oldest first. *out is malloc'd; caller frees. */
int ec_ca_list(const char *dir, struct ec_ca_info **out, size_t *n);

/* The trust bundle (root + every issuing CA, PEM) appended to b. */
int ec_ca_trust_pem(const char *dir, struct ec_buf *b);

/* The KID of the current issuing CA. */
int ec_ca_current_kid(const char *dir, char kid[EC_KID_LEN + 1]);

/*
 * Load issuing CA kid (NULL = current) with its private key, decrypted with pass, for signing.
 * EC_ERR_PASS on a wrong passphrase, EC_ERR_NOTFOUND for an unknown KID. Caller frees with ec_signer_free.
 */
int ec_ca_signer_load(const char *dir, const char *kid, const char *pass, size_t passlen, struct ec_signer **out);

/*
 * Re-sign DIR/crl/root.crl, the root's CRL of its issuing CAs (init and rotate sign it too), with the
 * root key decrypted by root_pass. Its nextUpdate is EC_ROOT_CRL_VALIDITY ahead.
 */
int ec_ca_root_crl(const char *dir, const char *root_pass, size_t root_passlen);

/* Sign an empty CRL for issuing CA kid into DIR/crl/KID.crl unless one exists (after init and rotate). */
int ec_ca_crl_init(const char *dir, const char *kid, const char *pass, size_t passlen);

#endif
