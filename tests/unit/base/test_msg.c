/*
 * Unit tests for the refusals kept in several languages: every message has every language with the
 * same arguments, ec_err_say records them, and a later plain error never shows a stale translation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "msg.h"

/*
 * The set of argument positions fmt refers to, as a bit mask; -1 when fmt has a conversion other
 * than a positional string ("%N$s") or "%%", which the table must not hold.
 */
static long
positions(const char *fmt)
{
	long set = 0;
	const char *p;

	for (p = fmt; (p = strchr(p, '%')) != NULL; p++) {
		char *end;
		long n;

		if (p[1] == '%') {
			p++;
			continue;
		}
		n = strtol(p + 1, &end, 10);
		if (n < 1 || n > 9 || end[0] != '$' || end[1] != 's')
			return -1;
		set |= 1L << n;
		p = end + 1;
	}
	return set;
}

static void
test_table(void **state)
{
	int id, l;

	(void)state;
	assert_null(ec_msg_format(0, EC_LANG_EN));
	assert_null(ec_msg_format(EC_MSG_COUNT, EC_LANG_EN));
	for (id = 1; id < EC_MSG_COUNT; id++) {
		const char *en = ec_msg_format((enum ec_msg)id, EC_LANG_EN);
		long want;

		if (en == NULL)
			fail_msg("message %d has no English", id);
		want = positions(en);
		if (want < 0 || (want & (want + 2)) != 0)
			fail_msg("message %d: English '%s' does not refer to arguments 1..n as strings", id, en);
		for (l = 1; l < EC_LANG_COUNT; l++) {
			const char *t = ec_msg_format((enum ec_msg)id, (enum ec_lang)l);
			long got;

			if (t == NULL || t[0] == '\0')
				fail_msg("message %d has no text in language %d", id, l);
			got = positions(t);
			/* Another language may leave out trailing arguments (an English plural), never one between. */
			if (got < 0 || (got & ~want) != 0 || (got & (got + 2)) != 0)
				fail_msg("message %d: '%s' refers to other arguments than '%s'", id, t, en);
		}
	}
}

static void
test_say(void **state)
{
	(void)state;
	assert_int_equal(ec_err_say(EC_ERR_REFUSED, EC_MSG_TOO_EARLY, "R1", "2026-12-08", "2026-12-07"),
	    EC_ERR_REFUSED);
	assert_string_equal(ec_err_msg(EC_ERR_REFUSED), "too early: registration number 'R1' can apply from "
	    "2026-12-08, one working day after the exam on 2026-12-07");
	assert_string_equal(ec_err_msg_lang(EC_ERR_REFUSED, EC_LANG_ZH), "申请过早：报名号“R1”可于 2026-12-08 起申请，"
	    "即 2026-12-07 考试后的一个工作日");
	assert_string_equal(ec_err_msg_lang(EC_ERR_REFUSED, EC_LANG_EN), ec_err_msg(EC_ERR_REFUSED));
	assert_null(ec_err_msg_lang(EC_ERR_SYNTAX, EC_LANG_ZH));

	ec_err_say(EC_ERR_REFUSED, EC_MSG_NOT_EARNED, "R2", "HCIE", "H12-831", "a@example.com", "");
	assert_string_equal(ec_err_msg(EC_ERR_REFUSED), "registration number 'R2': HCIE also needs exam H12-831 "
	    "passed by 'a@example.com'");
	assert_non_null(strstr(ec_err_msg_lang(EC_ERR_REFUSED, EC_LANG_ZH), "H12-831"));
}

/* A detail recorded in English only after a translated one must not bring the old translation back. */
static void
test_stale(void **state)
{
	(void)state;
	ec_err_say(EC_ERR_SYNTAX, EC_MSG_NAME_EMPTY);
	assert_non_null(ec_err_msg_lang(EC_ERR_SYNTAX, EC_LANG_ZH));
	ec_err_set(EC_ERR_SYNTAX, "name: something else");
	assert_null(ec_err_msg_lang(EC_ERR_SYNTAX, EC_LANG_ZH));
	ec_err_say(EC_ERR_SYNTAX, EC_MSG_NAME_EMPTY);
	ec_err_clear();
	assert_null(ec_err_msg_lang(EC_ERR_SYNTAX, EC_LANG_ZH));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_say),
		cmocka_unit_test(test_stale),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
