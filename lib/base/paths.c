/* The state directory's layout (docs/ca.md): one table instead of format strings in every module. */
#include <stdio.h>

#include "err.h"
#include "paths.h"

static const struct {
	const char *head, *tail;   /* the KID, when there is one, goes between them */
} layout[] = {
	[EC_P_CONF] = { "ecert.conf", NULL },
	[EC_P_CATALOG] = { "catalog.conf", NULL },
	[EC_P_TRUST] = { "trust.pem", NULL },
	[EC_P_KEYS] = { "keys", NULL },
	[EC_P_ROOT_KEY] = { "keys/root.key", NULL },
	[EC_P_ISSUING_KEY] = { "keys/issuing-", ".key" },
	[EC_P_CERTS] = { "certs", NULL },
	[EC_P_ROOT_CERT] = { "certs/root.pem", NULL },
	[EC_P_ISSUING_CERT] = { "certs/issuing-", ".pem" },
	[EC_P_PLACEHOLDER] = { "certs/issuing-", ".placeholder.pem" },
	[EC_P_CURRENT] = { "certs/current", NULL },
	[EC_P_CRLS] = { "crl", NULL },
	[EC_P_CRL] = { "crl/", ".crl" },
	[EC_P_ROOT_CRL] = { "crl/root.crl", NULL },
	[EC_P_REGISTER] = { "register", NULL },
	[EC_P_PUBLIC] = { "public", NULL },
	[EC_P_NAME_KEY] = { "name.key", NULL },
	[EC_P_TEMPLATES] = { "templates", NULL },
};

int
ec_path(char *out, size_t size, const char *dir, enum ec_path which, const char *kid)
{
	int n;

	if ((unsigned)which >= sizeof layout / sizeof layout[0] || (layout[which].tail != NULL && kid == NULL))
		return ec_err_set(EC_ERR_ARG, "no such path in '%s'", dir);
	if (layout[which].tail != NULL)
		n = snprintf(out, size, "%s/%s%s%s", dir, layout[which].head, kid, layout[which].tail);
	else
		n = snprintf(out, size, "%s/%s", dir, layout[which].head);
	if (n < 0 || (size_t)n >= size)
		return ec_err_set(EC_ERR_ARG, "path too long in '%s'", dir);
	return EC_OK;
}
