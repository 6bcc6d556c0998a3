/* Unit tests for lib/web/budget.c: the daily name-check budget per number, shared by every client. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "budget.h"
#include "err.h"
#include "number.h"

static void
test_budget_per_number_per_day(void **state)
{
	struct ec_budget *b = NULL;
	char n1[EC_NUMBER_DIGITS + 1], n2[EC_NUMBER_DIGITS + 1];
	int i;

	(void)state;
	assert_int_equal(ec_budget_new(0, &b), EC_ERR_ARG);
	assert_null(b);
	assert_int_equal(ec_budget_new(70000, &b), EC_ERR_ARG);
	assert_int_equal(ec_budget_new(3, &b), 0);
	assert_int_equal(ec_number_generate(101, n1), 0);
	assert_int_equal(ec_number_generate(101, n2), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(ec_budget_take(b, n1, 20000), 1);
	assert_int_equal(ec_budget_take(b, n1, 20000), 0);   /* spent, right or wrong guesses alike */
	assert_int_equal(ec_budget_take(b, n1, 20000), 0);
	assert_int_equal(ec_budget_take(b, n2, 20000), 1);   /* another number has its own */
	assert_int_equal(ec_budget_take(b, n1, 20001), 1);   /* a new day starts afresh */
	ec_budget_free(b);
	ec_budget_free(NULL);
}

/*
 * Many other numbers checked the same day never make a number's budget last longer (counts only
 * grow), and in a table of 8192 counters per row a few thousand numbers leave most budgets whole.
 */
static void
test_budget_bounded_memory(void **state)
{
	struct ec_budget *b = NULL;
	char n[EC_NUMBER_DIGITS + 1], probe[EC_NUMBER_DIGITS + 1];
	int i, fresh = 0;

	(void)state;
	assert_int_equal(ec_budget_new(2, &b), 0);
	assert_int_equal(ec_number_generate(101, probe), 0);
	assert_int_equal(ec_budget_take(b, probe, 1), 1);
	assert_int_equal(ec_budget_take(b, probe, 1), 1);
	for (i = 0; i < 2000; i++) {
		assert_int_equal(ec_number_generate(202, n), 0);
		fresh += ec_budget_take(b, n, 1);
	}
	assert_int_equal(ec_budget_take(b, probe, 1), 0);
	assert_true(fresh > 1990);
	ec_budget_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_per_number_per_day),
		cmocka_unit_test(test_budget_bounded_memory),
	};
	return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
