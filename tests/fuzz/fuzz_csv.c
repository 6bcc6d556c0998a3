/*
 * Fuzz the CSV importer's path through library and checking code: the reader (ec_csv_*), the header
 * lookup for exam results and for applications, and every field check import and apply make
 * (lib/issue/fields.c, dates, the catalogue, name normalisation) on each record read.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "csv.h"
#include "date.h"
#include "err.h"
#include "fields.h"
#include "office.h"
#include "helper.h"
#include "name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const exam_cols[] = {
	"registration_no", "last_name", "first_name", "email", "tel", "certification", "exam_date", "result"
};
static const char *const app_cols[] = { "registration_no", "format", "name", "email", "tel", "address", "consent" };

static const struct ec_catalog *
catalog(void)
{
	static struct ec_catalog *cat;

	if (cat == NULL && ec_catalog_load_file("tests/e2e/data/catalog.conf", &cat) != EC_OK)
		abort();
	return cat;
}

static void
exam_row(const char *const *f, const int *ix)
{
	ec_day d;
	char *nfc = NULL;

	ec_field_regno(f[ix[0]]);
	ec_field_text(f[ix[1]], EC_PNAME_MAX, 1);
	ec_field_text(f[ix[2]], EC_PNAME_MAX, 1);
	ec_field_email(f[ix[3]]);
	ec_field_tel(f[ix[4]]);
	ec_catalog_find(catalog(), f[ix[5]]);
	ec_date_parse(f[ix[6]], &d);
	(void)strcasecmp(f[ix[7]], "pass");
	if (ec_name_normalize(f[ix[1]], strlen(f[ix[1]]), &nfc) == EC_OK)
		free(nfc);
}

static void
app_row(const char *const *f, const int *ix)
{
	char *nfc = NULL, *masked = NULL, *folded = NULL;

	ec_field_regno(f[ix[0]]);
	ec_field_text(f[ix[5]], EC_ADDRESS_MAX, 0);
	ec_field_email(f[ix[3]]);
	ec_field_tel(f[ix[4]]);
	if (ec_name_normalize(f[ix[2]], strlen(f[ix[2]]), &nfc) == EC_OK) {
		if (ec_name_mask(nfc, &masked) == EC_OK)
			free(masked);
		if (ec_name_fold(nfc, strlen(nfc), &folded) == EC_OK)
			free(folded);
		free(nfc);
	}
}

/* Read every record as import does: stop when the reader repeats the same error (it is lost). */
static void
read_all(const uint8_t *data, size_t size, const char *const *cols, size_t ncols, int app)
{
	struct ec_csv *c = NULL;
	const char *const *f;
	int ix[8];
	char *extra = NULL, last[512] = "";
	size_t n, line, rows = 0;
	int rc;

	if (ec_csv_open((const char *)data, size, "fuzz.csv", &c) != EC_OK)
		abort();
	if (ec_csv_header(c, cols, ncols, ix, &extra) != EC_OK)
		goto out;
	free(extra);
	for (;;) {
		rc = ec_csv_next(c, &f, &n, &line);
		if (rc == 0)
			break;
		if (rc < 0) {
			if (rc == EC_ERR_NOMEM || !strcmp(last, ec_err_msg(rc)))
				break;
			snprintf(last, sizeof last, "%s", ec_err_msg(rc));
			continue;
		}
		if (n == 0 || n > EC_CSV_FIELDS_MAX || line == 0)
			abort();
		/* The reader holds every record to the header's field count, so the indexes are in range. */
		for (size_t i = 0; i < ncols; i++)
			if ((size_t)ix[i] >= n)
				abort();
		if (app)
			app_row(f, ix);
		else
			exam_row(f, ix);
		if (++rows > size + 1)
			abort();
	}
out:
	ec_csv_close(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_all(data, size, exam_cols, sizeof exam_cols / sizeof exam_cols[0], 0);
	read_all(data, size, app_cols, sizeof app_cols / sizeof app_cols[0], 1);
	return 0;
}
