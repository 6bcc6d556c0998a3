/* Unit tests for the catalogue: the shipped template, installation, lookups, and every malformed line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "catalog.h"
#include "date.h"
#include "err.h"
#include "../helper_tmp.h"

static int
setup(void **state)
{
	char *dir;

	if (!(dir = helper_tmpdir("cat")))
		return -1;
	setenv("ECERT_TEMPLATES", "templates", 1);
	*state = dir;
	return 0;
}

/* Write text to DIR/c.conf and load it. */
static int
load_text(void **state, const char *text, struct ec_catalog **out)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/c.conf", (char *)*state);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return ec_catalog_load_file(path, out);
}

static void
test_template(void **state)
{
	struct ec_catalog *c;
	const struct ec_cat_entry *e;
	size_t i, j;
	ec_day d;

	(void)state;
	assert_int_equal(ec_catalog_load_file("templates/catalog.conf", &c), 0);
	assert_true(c->n >= 12);
	assert_non_null(e = ec_catalog_find(c, "HCIE-Datacom"));
	assert_int_equal(e->formats, EC_CAT_PAPER);
	assert_string_equal(e->template_name, "professional");
	/* the expert level is earned by a written exam and a lab exam, both passed by one person */
	assert_int_equal(e->nexams, 2);
	assert_string_equal(e->exams[0], "HCIE-Datacom-Written");
	assert_string_equal(e->exams[1], "HCIE-Datacom-Lab");
	assert_int_equal(ec_cat_nexams(e), 2);
	assert_true(ec_cat_requires(e, "HCIE-Datacom-Lab"));
	assert_false(ec_cat_requires(e, "HCIE-Datacom"));
	assert_non_null(e = ec_catalog_find(c, "HCIA-AI"));
	assert_int_equal(e->formats, EC_CAT_ELECTRONIC | EC_CAT_PAPER);
	assert_string_equal(e->template_name, "associate");
	assert_ptr_equal(ec_catalog_find_programme(c, e->programme), e);
	assert_non_null(e = ec_catalog_find(c, "HCS-Field-eLTE"));
	assert_int_equal(e->years, 2);        /* the guide: 2017-11-16 -> 2019-11-15 */
	assert_non_null(ec_catalog_find(c, "HCNA-R&S"));
	assert_null(ec_catalog_find(c, "hcia-ai"));
	assert_null(ec_catalog_find_programme(c, 9999));
	for (i = 0; i < c->n; i++) {
		assert_true(c->v[i].programme <= 9999);
		assert_true(c->v[i].years == 2 || c->v[i].years == 3);
		if (strncmp(c->v[i].code, "HCIE", 4) == 0)
			assert_int_equal(c->v[i].formats, EC_CAT_PAPER);
		for (j = i + 1; j < c->n; j++)
			assert_int_not_equal(c->v[i].programme, c->v[j].programme);
	}
	assert_true(c->nholidays > 0);
	assert_int_equal(ec_date_parse("2026-01-01", &d), 0);
	assert_int_equal(c->holidays[0], d);
	for (i = 1; i < c->nholidays; i++)
		assert_true(c->holidays[i - 1] < c->holidays[i]);
	assert_string_equal(ec_catalog_formats_name(EC_CAT_PAPER), "paper");
	assert_string_equal(ec_catalog_formats_name(EC_CAT_PAPER | EC_CAT_ELECTRONIC), "electronic,paper");
	assert_string_equal(ec_catalog_formats_name(EC_CAT_ELECTRONIC), "electronic");
	ec_catalog_free(c);
}

static void
test_install(void **state)
{
	struct ec_catalog *c;
	char path[128];
	struct stat st;
	FILE *f;

	assert_int_equal(ec_catalog_load(*state, &c), 0);
	assert_non_null(ec_catalog_find(c, "HCIA-Datacom"));
	ec_catalog_free(c);
	snprintf(path, sizeof path, "%s/catalog.conf", (char *)*state);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* an existing catalogue is never overwritten */
	assert_non_null(f = fopen(path, "w"));
	fputs("X-1 | Only One | 0001 | 2 | paper | associate\n", f);
	fclose(f);
	assert_int_equal(ec_catalog_load(*state, &c), 0);
	assert_int_equal(c->n, 1);
	assert_int_equal(c->nholidays, 0);
	ec_catalog_free(c);
	/* no template anywhere */
	setenv("ECERT_TEMPLATES", "/nonexistent", 1);
	snprintf(path, sizeof path, "%s/sub", (char *)*state);
	mkdir(path, 0700);
	assert_int_not_equal(ec_catalog_load(path, &c), 0);
	assert_null(c);
}

static void
test_syntax(void **state)
{
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "A | T | 0001 | 2 | paper\n",
		  ":1: expected 6 to 8 fields (CODE | TITLE | PROGRAMME | YEARS | FORMATS | TEMPLATE [| EXAMS [| RENEWAL]])" },
		/* the seventh field is the exam list, the eighth the renewal: only a ninth is one too many */
		{ "A | T | 0001 | 2 | paper | x | y | renew | z\n", ":1: more than 8 fields" },
		{ "A | T | 0001 | 2 | paper | x | y | z\n", ":1: renewal 'z' must be renew or no-renew" },
		{ "A | T | 0001 | 2 | paper | x | | No-Renew\n", ":1: renewal 'No-Renew' must be renew or no-renew" },
		{ "A | T | 0001 | 2 | paper | x | E1,E2,E3,E4,E5,E6,E7,E8,E9\n", ":1: more than 8 exams for 'A'" },
		{ "A | T | 0001 | 2 | paper | x | E1, E2, E1\n", ":1: exam 'E1' listed twice for 'A'" },
		{ "A | T | 0001 | 2 | paper | x | E1, E 2\n", ":1: exam code 'E 2' must be 1 to 31 printable" },
		{ "A | T | 0001 | 2 | paper | x | E1, , E2\n", ":1: exam code ''" },
		{ "A | T | 0001 | 2 | paper | x | AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", ":1: exam code 'AAAA" },
		{ "A | T | 0001 | 2 | paper | x | ,\n", ":1: exam code '' must be" },
		{ "A | T | 0001 | 2 | paper | x | E1,,E2\n", ":1: exam code '' must be" },
		{ "# c\n\nA B | T | 0001 | 2 | paper | associate\n", ":3: certification code 'A B'" },
		{ " | T | 0001 | 2 | paper | associate\n", ":1: certification code ''" },
		{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | T | 0001 | 2 | paper | associate\n", "longer than 31" },
		{ "A |  | 0001 | 2 | paper | associate\n", ":1: title" },
		{ "A | \xff\xfe | 0001 | 2 | paper | associate\n", "not UTF-8" },
		{ "A | Tab\there | 0001 | 2 | paper | associate\n", "control or bidi" },
		{ "A | Over\xe2\x80\xaeride | 0001 | 2 | paper | associate\n", "control or bidi" },
		{ "A | T | 001 | 2 | paper | associate\n", "programme code '001'" },
		{ "A | T | 00a1 | 2 | paper | associate\n", "programme code '00a1'" },
		{ "A | T | 0001 | 0 | paper | associate\n", "validity '0'" },
		{ "A | T | 0001 | 11 | paper | associate\n", "validity '11'" },
		{ "A | T | 0001 | x | paper | associate\n", "validity 'x'" },
		{ "A | T | 0001 | 2 | email | associate\n", "formats 'email'" },
		{ "A | T | 0001 | 2 | paper | Associate\n", "template name 'Associate'" },
		{ "A | T | 0001 | 2 | paper | \n", "template name ''" },
		{ "A | T | 0001 | 2 | paper | a\nB | U | 0001 | 3 | paper | a\n",
		  ":2: duplicate programme code '0001' (first on line 1)" },
		{ "A | T | 0001 | 2 | paper | a\r\nA | U | 0002 | 3 | paper | a\r\n",
		  ":2: duplicate certification code 'A' (first on line 1)" },
		{ "holiday 2026-02-30\nA | T | 0001 | 2 | paper | a\n", ":1: holiday '2026-02-30'" },
		{ "holiday\tnever\n", ":1: holiday 'never'" },
		{ "A | T | 0001 | 2 | paper | a\nholiday \n", ":2: " },
		{ "A | T\x01 | 0001 | 2 | paper | a\n", "control character" },
		{ "# only comments\n\n", "no certification" },
		{ "", "no certification" },
	};
	struct ec_catalog *c;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		c = NULL;
		assert_int_equal(load_text(state, bad[i].text, &c), EC_ERR_SYNTAX);
		assert_null(c);
		if (!strstr(ec_err_msg(EC_ERR_SYNTAX), bad[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, ec_err_msg(EC_ERR_SYNTAX), bad[i].needle);
		assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "/c.conf"));
	}
}

static void
test_good_variants(void **state)
{
	struct ec_catalog *c;

	assert_int_equal(load_text(state,
	    "\xef\xbb\xbf# BOM, CRLF, tabs, reversed formats, duplicate holidays\r\n"
	    "\tA-1\t|\tTitle Ünï\t|\t0042\t|\t10\t|\tpaper,electronic\t|\ta_b-1\r\n"
	    "holiday 2026-05-01 2026-01-01\r\n"
	    "holiday 2026-01-01\r\n"
	    "B | T | 9999 | 1 | electronic | b", &c), 0);
	assert_int_equal(c->n, 2);
	assert_string_equal(c->v[0].code, "A-1");
	assert_string_equal(c->v[0].title, "Title Ünï");
	assert_int_equal(c->v[0].programme, 42);
	assert_int_equal(c->v[0].years, 10);
	assert_int_equal(c->v[0].formats, EC_CAT_PAPER | EC_CAT_ELECTRONIC);
	assert_string_equal(c->v[0].template_name, "a_b-1");
	assert_int_equal(c->v[1].formats, EC_CAT_ELECTRONIC);
	assert_int_equal(c->nholidays, 2);
	assert_true(c->holidays[0] < c->holidays[1]);
	ec_catalog_free(c);
	assert_int_equal(ec_catalog_load_file("/nonexistent/catalog.conf", &c), EC_ERR_NOTFOUND);
}

/* The optional seventh column: the exams a certification requires, and what the lookups make of it. */
static void
test_exams(void **state)
{
	struct ec_catalog *c;
	const struct ec_cat_entry *e;
	size_t i;

	assert_int_equal(load_text(state,
	    "A | T | 0001 | 2 | paper | a | W-1 ,L-1,\tX~1 \n"
	    "B | U | 0002 | 3 | paper | a |\n"
	    "C | V | 0003 | 3 | paper | a\n"
	    "D | W | 0004 | 3 | paper | a | E1,E2,E3,E4,E5,E6,E7,E8\n"
	    "E | X | 0005 | 3 | paper | a | E\n", &c), 0);
	assert_int_equal(c->n, 5);
	/* spaces and tabs around the commas are not part of the codes */
	assert_non_null(e = ec_catalog_find(c, "A"));
	assert_int_equal(e->nexams, 3);
	assert_string_equal(e->exams[0], "W-1");
	assert_string_equal(e->exams[1], "L-1");
	assert_string_equal(e->exams[2], "X~1");
	assert_int_equal(ec_cat_nexams(e), 3);
	for (i = 0; i < 3; i++)
		assert_string_equal(ec_cat_exam(e, i), e->exams[i]);
	assert_true(ec_cat_requires(e, "L-1"));
	assert_false(ec_cat_requires(e, "l-1"));        /* codes match exactly */
	assert_false(ec_cat_requires(e, "W-1 "));
	/* with a list, the certification's own code is not one of its exams */
	assert_false(ec_cat_requires(e, "A"));
	/* an empty seventh field and no seventh field alike: one exam, coded as the certification */
	for (i = 1; i < 3; i++) {
		e = &c->v[i];
		assert_int_equal(e->nexams, 0);
		assert_int_equal(ec_cat_nexams(e), 1);
		assert_string_equal(ec_cat_exam(e, 0), e->code);
		assert_true(ec_cat_requires(e, e->code));
		assert_false(ec_cat_requires(e, "W-1"));
		assert_false(ec_cat_requires(e, ""));
	}
	/* EC_CAT_EXAMS_MAX exactly is allowed */
	assert_non_null(e = ec_catalog_find(c, "D"));
	assert_int_equal(e->nexams, EC_CAT_EXAMS_MAX);
	assert_string_equal(ec_cat_exam(e, EC_CAT_EXAMS_MAX - 1), "E8");
	/* a list of one naming the certification is the same as no list */
	assert_non_null(e = ec_catalog_find(c, "E"));
	assert_int_equal(ec_cat_nexams(e), 1);
	assert_true(ec_cat_requires(e, "E"));
	for (i = 0; i < c->n; i++)
		assert_int_equal(c->v[i].no_renewal, 0);
	ec_catalog_free(c);
}

/* The optional eighth column: whether a holder may renew, renewal being the default. */
static void
test_renewal(void **state)
{
	struct ec_catalog *c;

	assert_int_equal(load_text(state,
	    "A | T | 0001 | 2 | paper | a | | no-renew\n"
	    "B | U | 0002 | 3 | paper | a | B1, B2 | renew\n"
	    "C | V | 0003 | 3 | paper | a | C1 |\n"
	    "D | W | 0004 | 3 | paper | a | D1 | no-renew\n", &c), 0);
	assert_int_equal(c->n, 4);
	assert_int_equal(ec_catalog_find(c, "A")->no_renewal, 1);
	assert_int_equal(ec_catalog_find(c, "A")->nexams, 0);
	assert_int_equal(ec_catalog_find(c, "B")->no_renewal, 0);
	assert_int_equal(ec_catalog_find(c, "B")->nexams, 2);
	assert_int_equal(ec_catalog_find(c, "C")->no_renewal, 0);
	assert_int_equal(ec_catalog_find(c, "D")->no_renewal, 1);
	assert_string_equal(ec_catalog_find(c, "D")->exams[0], "D1");
	ec_catalog_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_template, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_install, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_syntax, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_good_variants, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_exams, setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_renewal, setup, helper_tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("catalog", tests, NULL, NULL);
}
