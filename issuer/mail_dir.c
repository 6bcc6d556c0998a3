/* ecert-issue: where the notices' texts are, along the templates search path. */
#include "designs.h"
#include "issuer.h"

int
mail_tpldir(const struct ctx *c, char *dir, size_t dirsz)
{
	char path[4200];

	return ec_designs_locate(c->dir, "mail/issued.en.txt", path, sizeof path, dir, dirsz);
}
