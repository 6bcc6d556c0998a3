/*
 * Fuzz what the portal reads from a browser (lib/portal/form.c): the input is a url-encoded form body
 * and, after its first NUL byte if any, a Cookie header.
 */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "pform.h"
#include "web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *nul = memchr(data, 0, size);
	size_t blen = nul ? (size_t)(nul - in) : size, i, j;
	struct ec_form f;
	char *hdr, v[80];
	int rc;

	rc = ec_form_parse(in, blen, &f);
	if (rc == 0) {
		/* every field decoded: names unique, values text (line feeds allowed), found again by name */
		for (i = 0; i < f.n; i++) {
			for (j = 0; j < i; j++)
				if (!strcmp(f.name[i], f.name[j]))
					abort();
			if (ec_form_get(&f, f.name[i]) != f.value[i])
				abort();
			for (j = 0; f.value[i][j]; j++)
				if ((unsigned char)f.value[i][j] < 0x20 && f.value[i][j] != '\n')
					abort();
		}
	} else if (rc != EC_ERR_SYNTAX && rc != EC_ERR_TOOBIG && rc != EC_ERR_NOMEM) {
		abort();
	}
	ec_form_free(&f);
	if (!nul)
		return 0;
	if (!(hdr = strndup(nul + 1, size - blen - 1)))
		return 0;
	if (ec_cookie_get(hdr, "ecert-s", v, sizeof v) == 0 && (strlen(v) == 0 || strchr(v, ';')))
		abort();
	free(hdr);
	return 0;
}
