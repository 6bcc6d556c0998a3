/* The state directory's map: every file and folder under DIR, named in one place. */
#ifndef EC_PATHS_H
#define EC_PATHS_H

#include <stddef.h>

enum ec_path {
	EC_P_CONF,             /* ecert.conf */
	EC_P_CATALOG,          /* catalog.conf */
	EC_P_TRUST,            /* trust.pem: root + every issuing CA */
	EC_P_KEYS,             /* keys/ (0700) */
	EC_P_ROOT_KEY,         /* keys/root.key */
	EC_P_ISSUING_KEY,      /* keys/issuing-KID.key */
	EC_P_CERTS,            /* certs/ */
	EC_P_ROOT_CERT,        /* certs/root.pem */
	EC_P_ISSUING_CERT,     /* certs/issuing-KID.pem */
	EC_P_PLACEHOLDER,      /* certs/issuing-KID.placeholder.pem: the e-Certs' subject key */
	EC_P_CURRENT,          /* certs/current: the KID new e-Certs are signed by */
	EC_P_CRLS,             /* crl/ */
	EC_P_CRL,              /* crl/KID.crl; KID "root": crl/root.crl */
	EC_P_ROOT_CRL,         /* crl/root.crl */
	EC_P_REGISTER,         /* register/: the office register (LMDB) */
	EC_P_PUBLIC,           /* public/: the public register (LMDB) */
	EC_P_NAME_KEY,         /* name.key: the HMAC key of the holders' names, beside the public register */
	EC_P_TEMPLATES         /* templates/: the installation's own layouts */
};

/*
 * DIR/<which> into out[size]; kid is used by the KID-named paths (NULL otherwise). EC_ERR_ARG when
 * the result does not fit, naming dir.
 */
int ec_path(char *out, size_t size, const char *dir, enum ec_path which, const char *kid);

#endif
