/* Hexadecimal digits and field trimming, one copy for every parser. */
#include <string.h>

#include "err.h"
#include "text.h"

int
ec_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
ec_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
ec_addr_check(const char *addr)
{
	const char *at = strchr(addr, '@');
	size_t n = strlen(addr);

	if (n == 0 || n > 254 || at == NULL || at == addr || at[1] == '\0' || strchr(at + 1, '@'))
		return ec_err_set(EC_ERR_ARG, "'%s' is not an email address", addr);
	for (const char *c = addr; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || strchr("<>\"(),;:[]\\", *c))
			return ec_err_set(EC_ERR_ARG, "email address '%s' has a character headers cannot carry", addr);
	return 0;
}
