/*
 * Unit tests for earning a certification (lib/issue/earning.c): every required exam passed by one
 * person, dated by the last pass (a retake's pass counts), other people's results kept apart, and
 * the application rules built on it (one working day after the last exam, holidays respected).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "application.h"
#include "earning.h"
#include "err.h"
#include "template.h"
#include "../helper_tmp.h"

#define SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

static struct ec_cat_entry hcie;      /* two exams: written and lab */
static struct ec_cat_entry hcia;      /* one exam, coded as the certification */

static struct ec_exam
result(const char *reg, const char *email, const char *code, const char *exam, const char *day, int passed)
{
	struct ec_exam x;

	memset(&x, 0, sizeof x);
	snprintf(x.reg_no, sizeof x.reg_no, "%s", reg);
	snprintf(x.last_name, sizeof x.last_name, "Wang");
	snprintf(x.first_name, sizeof x.first_name, "Wei");
	snprintf(x.email, sizeof x.email, "%s", email);
	snprintf(x.code, sizeof x.code, "%s", code);
	snprintf(x.exam, sizeof x.exam, "%s", exam);
	assert_int_equal(ec_date_parse(day, &x.exam_date), 0);
	x.passed = passed;
	return x;
}

static ec_day
day(const char *s)
{
	ec_day d;

	assert_int_equal(ec_date_parse(s, &d), 0);
	return d;
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(hcie.code, sizeof hcie.code, "HCIE-Datacom");
	snprintf(hcie.exams[0], sizeof hcie.exams[0], "HCIE-Datacom-Written");
	snprintf(hcie.exams[1], sizeof hcie.exams[1], "HCIE-Datacom-Lab");
	hcie.nexams = 2;
	hcie.years = 3;
	snprintf(hcia.code, sizeof hcia.code, "HCIA-AI");
	hcia.years = 3;
	return 0;
}

static void
test_several_exams(void **state)
{
	struct ec_earning e;
	struct ec_exam w = result("M-1", "a@x.org", "HCIE-Datacom", "HCIE-Datacom-Written", "2026-03-02", 1);
	struct ec_exam l = result("M-3", "a@x.org", "HCIE-Datacom", "HCIE-Datacom-Lab", "2026-03-16", 1);
	char missing[128];

	(void)state;
	ec_earning_init(&e, &hcie);
	ec_earning_add(&e, &w);
	ec_earning_done(&e);
	assert_false(e.earned);
	ec_earning_missing(&e, missing, sizeof missing);
	assert_string_equal(missing, "HCIE-Datacom-Lab");
	/* the written exam alone is not the certification; with the lab it is, from the lab's day */
	ec_earning_init(&e, &hcie);
	ec_earning_add(&e, &l);
	ec_earning_add(&e, &w);
	ec_earning_done(&e);
	assert_true(e.earned);
	assert_int_equal(e.effective, day("2026-03-16"));
	ec_earning_missing(&e, missing, sizeof missing);
	assert_string_equal(missing, "");
	assert_string_equal(e.reg_no[0], "M-1");
	assert_string_equal(e.reg_no[1], "M-3");
	/* nothing passed: both missing, in catalogue order */
	ec_earning_init(&e, &hcie);
	ec_earning_done(&e);
	ec_earning_missing(&e, missing, sizeof missing);
	assert_string_equal(missing, "HCIE-Datacom-Written, HCIE-Datacom-Lab");
}

static void
test_fail_then_pass(void **state)
{
	struct ec_earning e;
	struct ec_exam r[4] = {
		result("M-1", "a@x.org", "HCIE-Datacom", "HCIE-Datacom-Written", "2026-03-02", 1),
		result("M-2", "a@x.org", "HCIE-Datacom", "HCIE-Datacom-Lab", "2026-03-09", 0),
		result("M-3", "a@x.org", "HCIE-Datacom", "HCIE-Datacom-Lab", "2026-03-16", 1),
		/* a retake of the written exam, passed again later: the latest pass counts */
		result("M-4", "a@x.org", "HCIE-Datacom", "HCIE-Datacom-Written", "2026-04-01", 1),
	};
	size_t i;

	(void)state;
	ec_earning_init(&e, &hcie);
	ec_earning_add(&e, &r[1]);            /* a failed lab alone earns nothing */
	ec_earning_done(&e);
	assert_false(e.earned);
	assert_false(e.have[1]);
	ec_earning_init(&e, &hcie);
	for (i = 0; i < 3; i++)
		ec_earning_add(&e, &r[i]);
	ec_earning_done(&e);
	assert_true(e.earned);
	assert_int_equal(e.effective, day("2026-03-16"));
	/* order does not matter */
	ec_earning_init(&e, &hcie);
	for (i = 4; i-- > 0;)
		ec_earning_add(&e, &r[i]);
	ec_earning_done(&e);
	assert_int_equal(e.effective, day("2026-04-01"));
	assert_string_equal(e.reg_no[0], "M-4");
}

static void
test_foreign_results_ignored(void **state)
{
	struct ec_earning e;
	/* an exam of another certification, an exam code the certification does not list */
	struct ec_exam other = result("X-1", "a@x.org", "HCIP-Datacom", "HCIE-Datacom-Lab", "2026-03-16", 1);
	struct ec_exam stray = result("X-2", "a@x.org", "HCIE-Datacom", "H12-999", "2026-03-16", 1);
	struct ec_exam w = result("M-1", "a@x.org", "HCIE-Datacom", "HCIE-Datacom-Written", "2026-03-02", 1);

	(void)state;
	ec_earning_init(&e, &hcie);
	ec_earning_add(&e, &other);
	ec_earning_add(&e, &stray);
	ec_earning_add(&e, &w);
	ec_earning_done(&e);
	assert_false(e.earned);
	/* one exam coded as the certification: its own pass is enough */
	w = result("A-1", "a@x.org", "HCIA-AI", "HCIA-AI", "2026-02-02", 1);
	ec_earning_init(&e, &hcia);
	ec_earning_add(&e, &w);
	ec_earning_done(&e);
	assert_true(e.earned);
	assert_int_equal(e.effective, day("2026-02-02"));
	/* a result stored before exam codes existed (exam "") counts as the certification's own exam */
	w.exam[0] = '\0';
	ec_earning_init(&e, &hcia);
	ec_earning_add(&e, &w);
	ec_earning_done(&e);
	assert_true(e.earned);
}

/* The register side: two people kept apart by address (any case), and the application rules. */
struct fx {
	char dir[64];
	struct ec_office *o;
	struct ec_catalog *cat;
	struct ec_template *t;
	struct ec_fonts *f;
};

static int
fonts(void *ctx, const char *name, const struct ec_fonts **out)
{
	(void)name;
	*out = ((struct fx *)ctx)->f;
	return 0;
}

static int
setup(void **state)
{
	static const char tpl[] = "ecert-template 1\npage a4 landscape\nfont a " SANS "\n"
	    "text 20 20 100 10 font=a size=12 \"{name}\"\nqr 200 150 30\n";
	struct ec_exam xs[6] = {
		result("M-1", "wang@example.cn", "HCIE-Datacom", "HCIE-Datacom-Written", "2026-09-28", 1),
		/* the lab on a public holiday (the shipped catalogue's 2026-10-01) */
		result("M-3", "Wang@Example.CN", "HCIE-Datacom", "HCIE-Datacom-Lab", "2026-10-01", 1),
		/* another person: her lab pass must not complete his written exam, nor his hers */
		result("N-1", "li@example.cn", "HCIE-Datacom", "HCIE-Datacom-Lab", "2026-09-28", 1),
		result("N-2", "li.na@example.cn", "HCIE-Datacom", "HCIE-Datacom-Written", "2026-09-28", 1),
		result("P-1", "p@example.cn", "HCIE-Datacom", "HCIE-Datacom-Written", "2026-09-28", 1),
		result("P-2", "p@example.cn", "HCIE-Datacom", "HCIE-Datacom-Lab", "2026-09-29", 1),
	};
	struct fx *x = calloc(1, sizeof *x);

	strcpy(x->dir, "/tmp/ec-earn-XXXXXX");
	if (!mkdtemp(x->dir) || ec_office_open(x->dir, 0, &x->o) || ec_office_import(x->o, xs, 6, NULL) ||
	    ec_catalog_load_file("templates/catalog.conf", &x->cat) ||
	    ec_template_parse("t.tpl", tpl, strlen(tpl), &x->t) || ec_fonts_load(x->t, &x->f))
		return -1;
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;

	ec_fonts_free(x->f);
	ec_template_free(x->t);
	ec_catalog_free(x->cat);
	ec_office_close(x->o);
	helper_rmtree(x->dir);
	free(x);
	return 0;
}

static void
test_people_apart(void **state)
{
	struct fx *x = *state;
	const struct ec_cat_entry *ce = ec_catalog_find(x->cat, "HCIE-Datacom");
	struct ec_earning e;

	assert_non_null(ce);
	assert_int_equal(ce->nexams, 2);
	/* one person in two spellings of one address */
	assert_int_equal(ec_earning_of(x->o, ce, "WANG@example.cn", &e), 0);
	assert_true(e.earned);
	assert_int_equal(e.effective, day("2026-10-01"));
	/* two addresses are two people, even with the same name */
	assert_int_equal(ec_earning_of(x->o, ce, "li@example.cn", &e), 0);
	assert_false(e.earned);
	assert_int_equal(ec_earning_of(x->o, ce, "li.na@example.cn", &e), 0);
	assert_false(e.earned);
	assert_int_equal(ec_earning_of(x->o, ce, "nobody@example.cn", &e), 0);
	assert_false(e.earned);
}

static void
test_apply_rules(void **state)
{
	struct fx *x = *state;
	struct ec_app_rules r = { x->o, x->cat, 0, "https://verify.example.org", fonts, x };
	struct ec_app_in in = { "M-1", "paper", "Wang Wei", NULL, NULL, "1 Road, Beijing", 1 };
	struct ec_app a;
	const char *field;

	/* the last exam was on a holiday: the first working day after 2026-10-01..07 is 10-08 */
	r.today = day("2026-10-07");
	assert_int_equal(ec_app_check(&r, &in, &a, &field), EC_ERR_REFUSED);
	assert_string_equal(field, "registration_no");
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "can apply from 2026-10-08"));
	r.today = day("2026-10-08");
	assert_int_equal(ec_app_check(&r, &in, &a, &field), 0);
	/* the same through the lab's registration number */
	in.reg_no = "M-3";
	assert_int_equal(ec_app_check(&r, &in, &a, &field), 0);
	/* a partly done certification is refused, naming what is missing and whose */
	in.reg_no = "N-2";
	assert_int_equal(ec_app_check(&r, &in, &a, &field), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "also needs exam HCIE-Datacom-Lab passed by "
	    "'li.na@example.cn'"));
	/* one application per person and certification: the second registration number is refused */
	in.reg_no = "P-1";
	assert_int_equal(ec_app_check(&r, &in, &a, &field), 0);
	assert_int_equal(ec_office_apply(x->o, &a, NULL), 0);
	in.reg_no = "P-2";
	assert_int_equal(ec_app_check(&r, &in, &a, &field), 0);
	assert_int_equal(ec_office_apply(x->o, &a, NULL), EC_ERR_CONFLICT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CONFLICT), "already applied for HCIE-Datacom under registration "
	    "number 'P-1'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_several_exams),
		cmocka_unit_test(test_fail_then_pass),
		cmocka_unit_test(test_foreign_results_ignored),
		cmocka_unit_test_setup_teardown(test_people_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_rules, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
