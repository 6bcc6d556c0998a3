/* Fuzz the template parser (ec_template_parse) and placeholder expansion of every text item it accepts. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "helper.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ec_tpl_values v = {
		"Zoë O'Brien 李瑞瑞", "Network Associate", "NET-A", "0101 0519 9422 1189 3475 74", "2026-03-02",
		"2029-03-01", "http://localhost:8080/v/0101051994221189347574", "Fuzz Certification Body"
	};
	struct ec_template *t = NULL;
	char out[1024];
	unsigned i;

	/* The name places relative font paths under templates/, as a shipped template's would be. */
	if (ec_template_parse("templates/fuzz.tpl", (const char *)data, size, &t) != EC_OK)
		return 0;
	if (t->nitems > EC_TPL_ITEMS || t->nfamilies > EC_TPL_FAMILIES)
		abort();
	for (i = 0; i < t->nitems; i++) {
		if (t->items[i].kind == EC_TPL_TEXT) {
			if (t->items[i].family >= t->nfamilies || memchr(t->items[i].text, '\0', sizeof t->items[i].text) == NULL)
				abort();
			ec_template_expand(t->items[i].text, &v, out, sizeof out);
			ec_template_expand(t->items[i].text, &v, out, 8);
		}
	}
	ec_template_free(t);
	return 0;
}
