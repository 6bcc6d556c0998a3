/*
 * Unit tests for the application and issuance rules (lib/issue/): each refusal names its field, a good
 * application is filled in, and no e-Cert may outlive its issuing CA.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "application.h"
#include "err.h"
#include "issuance.h"
#include "template.h"
#include "../helper_tmp.h"

#define SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define EXAM_DAY 20500

struct fx {
	char dir[64];
	struct ec_office *o;
	struct ec_catalog *cat;
	struct ec_template *t;
	struct ec_fonts *f;
	struct ec_app_rules r;
};

static int
fonts(void *ctx, const char *name, const struct ec_fonts **out)
{
	struct fx *x = ctx;

	(void)name;
	*out = x->f;
	return 0;
}

static int
no_fonts(void *ctx, const char *name, const struct ec_fonts **out)
{
	(void)ctx;
	(void)out;
	return ec_err_set(EC_ERR_NOTFOUND, "cannot open template '%s'", name);
}

static struct ec_exam
exam(const char *reg, const char *code, int passed)
{
	struct ec_exam x;

	memset(&x, 0, sizeof x);
	snprintf(x.reg_no, sizeof x.reg_no, "%s", reg);
	strcpy(x.last_name, "O'Brien");
	strcpy(x.first_name, "Zoë");
	strcpy(x.email, "zoe.obrien@example.org");
	strcpy(x.tel, "+353 871234567");
	snprintf(x.code, sizeof x.code, "%s", code);
	x.exam_date = EXAM_DAY;
	x.passed = passed;
	return x;
}

static int
setup(void **state)
{
	static const char tpl[] = "ecert-template 1\npage a4 landscape\nfont a " SANS "\n"
	    "text 20 20 100 10 font=a size=12 \"{name}\"\nqr 200 150 30\n";
	struct ec_exam xs[4] = { exam("R1", "HCIA-AI", 1), exam("R2", "HCIA-AI", 0), exam("R3", "HCIE-Datacom", 1),
		exam("R4", "HCIE-Datacom", 1) };
	struct fx *x = calloc(1, sizeof *x);

	/* HCIE-Datacom needs a written and a lab exam: R3 and R4, of the same person */
	strcpy(xs[2].exam, "HCIE-Datacom-Written");
	strcpy(xs[3].exam, "HCIE-Datacom-Lab");
	strcpy(x->dir, "/tmp/ec-app-XXXXXX");
	if (!mkdtemp(x->dir) || ec_office_open(x->dir, 0, &x->o) || ec_office_import(x->o, xs, 4, NULL) ||
	    ec_catalog_load_file("templates/catalog.conf", &x->cat) ||
	    ec_template_parse("t.tpl", tpl, strlen(tpl), &x->t) || ec_fonts_load(x->t, &x->f))
		return -1;
	x->r = (struct ec_app_rules){ x->o, x->cat, EXAM_DAY + 7, "https://verify.example.org", fonts, x };
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

/* Check in, expecting rc and (for a refusal) the field at fault and a phrase of the detail. */
static void
expect(struct fx *x, const struct ec_app_in *in, int rc, const char *field, const char *phrase)
{
	struct ec_app a;
	const char *f = NULL;

	assert_int_equal(ec_app_check(&x->r, in, &a, &f), rc);
	if (rc == 0)
		return;
	assert_string_equal(f, field);
	if (!strstr(ec_err_msg(rc), phrase))
		fail_msg("'%s' does not say '%s'", ec_err_msg(rc), phrase);
}

static void
test_accepted(void **state)
{
	struct fx *x = *state;
	struct ec_app_in in = { "R1", "electronic", "Zoe\xcc\x88 O'Brien", NULL, "", NULL, 1 };
	struct ec_app a;
	const char *f;

	assert_int_equal(ec_app_check(&x->r, &in, &a, &f), 0);
	assert_string_equal(a.reg_no, "R1");
	assert_string_equal(a.name, "Zoë O'Brien");            /* stored in NFC */
	assert_string_equal(a.email, "zoe.obrien@example.org"); /* from the exam record */
	assert_string_equal(a.tel, "+353 871234567");
	assert_int_equal(a.format, EC_FORMAT_ELECTRONIC);
	assert_int_equal(a.status, EC_ST_REQUESTED);
	assert_int_equal(a.applied, EXAM_DAY + 7);
	in.email = "other@example.com";
	assert_int_equal(ec_app_check(&x->r, &in, &a, &f), 0);
	assert_string_equal(a.email, "other@example.com");
}

static void
test_refusals(void **state)
{
	struct fx *x = *state;
	struct ec_app_in in = { "R1", "electronic", "Zoë O'Brien", NULL, NULL, NULL, 1 };
	struct ec_app_in v;

	v = in, v.reg_no = "R 1";
	expect(x, &v, EC_ERR_SYNTAX, "registration_no", "R 1");
	v = in, v.reg_no = NULL;
	expect(x, &v, EC_ERR_SYNTAX, "registration_no", "empty registration number");
	v = in, v.format = "pdf";
	expect(x, &v, EC_ERR_SYNTAX, "format", "'pdf' is neither electronic nor paper");
	v = in, v.consent = 0;
	expect(x, &v, EC_ERR_REFUSED, "consent", "no consent");
	v = in, v.reg_no = "R9";
	expect(x, &v, EC_ERR_REFUSED, "registration_no", "no exam result for registration number 'R9'");
	v = in, v.reg_no = "R2";
	expect(x, &v, EC_ERR_REFUSED, "registration_no", "exam was not passed");
	v = in, v.reg_no = "R3";
	expect(x, &v, EC_ERR_REFUSED, "format", "HCIE-Datacom is issued as paper only");
	v = in, v.reg_no = "R3", v.format = "paper";
	expect(x, &v, EC_ERR_REFUSED, "address", "needs a postal address");
	v = in, v.email = "zoe@";
	expect(x, &v, EC_ERR_SYNTAX, "email", "zoe@");
	v = in, v.tel = "12";
	expect(x, &v, EC_ERR_SYNTAX, "tel", "12");
	v = in, v.name = NULL;
	expect(x, &v, EC_ERR_SYNTAX, "name", "name is empty");
	v = in, v.name = "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e"; /* CJK: not in DejaVu Sans */
	expect(x, &v, EC_ERR_SYNTAX, "name", "no font covers U+738B");
}

static void
test_too_early(void **state)
{
	struct fx *x = *state;
	struct ec_app_in in = { "R1", "electronic", "Zoë O'Brien", NULL, NULL, NULL, 1 };

	x->r.today = EXAM_DAY;
	expect(x, &in, EC_ERR_REFUSED, "registration_no", "too early: registration number 'R1' can apply from");
}

static void
test_qr_and_template(void **state)
{
	struct fx *x = *state;
	struct ec_app_in in = { "R1", "electronic", "Zoë O'Brien", NULL, NULL, NULL, 1 };
	char url[400];

	memset(url, 'a', sizeof url - 1);
	memcpy(url, "https://", 8);
	url[sizeof url - 1] = '\0';
	x->r.public_url = url;
	expect(x, &in, EC_ERR_TOOBIG, "name", "too long for the QR code");
	x->r.public_url = "https://verify.example.org";
	x->r.fonts = no_fonts;
	expect(x, &in, EC_ERR_NOTFOUND, "template", "cannot open template");
}

static void
test_second_application(void **state)
{
	struct fx *x = *state;
	struct ec_app_in in = { "R1", "electronic", "Zoë O'Brien", NULL, NULL, NULL, 1 };
	struct ec_app a, old;
	const char *f;

	assert_int_equal(ec_app_check(&x->r, &in, &a, &f), 0);
	assert_int_equal(ec_office_apply(x->o, &a, &old), 0);
	expect(x, &in, EC_ERR_EXISTS, "registration_no", "'R1' already has an application");
	/* the refusal shows the stored application with its email masked */
	assert_null(strstr(ec_err_msg(EC_ERR_EXISTS), "zoe.obrien@example.org"));
	assert_non_null(strstr(ec_err_msg(EC_ERR_EXISTS), "waiting for issuance"));
}

static void
test_within_ca(void **state)
{
	struct fx *x = *state;
	int64_t end = ec_date_to_time(ec_date_expiry(EXAM_DAY, 3)) + 86399; /* HCIA-AI: three years */

	assert_int_equal(ec_issue_within_ca(x->cat, "R1", "HCIA-AI", EXAM_DAY, end, "AbCdEfGhIjK"), 0);
	assert_int_equal(ec_issue_within_ca(x->cat, "R1", "HCIA-AI", EXAM_DAY, end - 1, "AbCdEfGhIjK"), EC_ERR_REFUSED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "the e-Cert for 'R1' would expire on "));
	assert_non_null(strstr(ec_err_msg(EC_ERR_REFUSED), "after its issuing CA 'AbCdEfGhIjK' (valid until "));
	/* a code gone from the catalogue is refused by issuance itself, not here */
	assert_int_equal(ec_issue_within_ca(x->cat, "R1", "NO-SUCH", EXAM_DAY, 0, "AbCdEfGhIjK"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_early, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qr_and_template, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_application, setup, teardown),
		cmocka_unit_test_setup_teardown(test_within_ca, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
