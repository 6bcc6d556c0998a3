/* Fuzz the catalogue reader (ec_catalog_load_file, lib/store/catalog.c) and every lookup catalog.h offers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "err.h"
#include "helper.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What catalog.h promises of one entry: bounded, terminated fields within their stated alphabets. */
static void
check_entry(const struct ec_cat_entry *e)
{
	size_t i, n;

	if (memchr(e->code, '\0', sizeof e->code) == NULL || memchr(e->title, '\0', sizeof e->title) == NULL ||
	    memchr(e->template_name, '\0', sizeof e->template_name) == NULL)
		abort();
	if ((n = strlen(e->code)) == 0)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)e->code[i] <= 0x20 || (unsigned char)e->code[i] >= 0x7f || e->code[i] == '|')
			abort();
	if (e->title[0] == '\0' || !ec_utf8_valid(e->title, strlen(e->title)))
		abort();
	if (e->programme > 9999 || e->years < 1 || e->years > 10)
		abort();
	if (e->formats == 0 || (e->formats & ~(EC_CAT_ELECTRONIC | EC_CAT_PAPER)) != 0 ||
	    strcmp(ec_catalog_formats_name(e->formats), "none") == 0)
		abort();
	if (e->template_name[0] == '\0' ||
	    strspn(e->template_name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(e->template_name))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_catalog *cat = (struct ec_catalog *)1;
	size_t i;
	int rc;

	/* the reader takes a path only: the input is rewritten to a scratch file each time */
	rc = ec_catalog_load_file(fuzz_scratch_write("catalog.conf", data, size), &cat);
	if (rc != EC_OK) {
		if (cat != NULL)
			abort();   /* a failure hands out nothing */
		return 0;
	}
	/* An empty catalogue is refused, so an accepted one has entries. */
	if (cat == NULL || cat->n == 0 || cat->v == NULL)
		abort();
	for (i = 0; i < cat->n; i++) {
		const struct ec_cat_entry *e = &cat->v[i];

		check_entry(e);
		/* Codes and programme codes are unique, so each lookup finds this very entry. */
		if (ec_catalog_find(cat, e->code) != e || ec_catalog_find_programme(cat, e->programme) != e)
			abort();
	}
	/* Holidays come sorted and without repeats. */
	if (cat->nholidays > 0 && cat->holidays == NULL)
		abort();
	for (i = 1; i < cat->nholidays; i++)
		if (cat->holidays[i] <= cat->holidays[i - 1])
			abort();
	/* What no entry can hold: an empty code, a programme code past four digits. */
	if (ec_catalog_find(cat, "") != NULL || ec_catalog_find_programme(cat, 10000) != NULL)
		abort();
	ec_catalog_free(cat);
	return 0;
}
