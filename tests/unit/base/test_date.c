/* Unit tests for dates: parsing, calendar arithmetic, expiry and renewal rules, working days, zones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "date.h"
#include "err.h"
#include "../helper_tmp.h"

static ec_day
D(const char *s)
{
	ec_day d = 0;

	if (ec_date_parse(s, &d) != 0)
		fail_msg("cannot parse %s: %s", s, ec_err_msg(EC_ERR_SYNTAX));
	return d;
}

static const char *
F(ec_day d)
{
	static char buf[4][11];
	static int i;

	i = (i + 1) % 4;
	ec_date_format(d, buf[i]);
	return buf[i];
}

static void
test_epoch(void **state)
{
	(void)state;
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(D("1970-01-02"), 1);
	assert_int_equal(D("1969-12-31"), -1);
	assert_int_equal(D("2000-03-01"), 11017);
	assert_int_equal(D("1900-01-01"), -25567);
	assert_int_equal(D("9999-12-31"), 2932896);
	assert_string_equal(F(0), "1970-01-01");
	assert_string_equal(F(-25567), "1900-01-01");
	assert_int_equal(ec_date_weekday(0), 3);                /* Thursday */
	assert_int_equal(ec_date_weekday(D("2026-10-26")), 0);  /* Monday */
	assert_int_equal(ec_date_weekday(D("2026-11-01")), 6);  /* Sunday */
	assert_int_equal(ec_date_weekday(D("1969-12-29")), 0);  /* Monday, negative days */
	assert_int_equal(ec_date_weekday(D("1900-01-01")), 0);
}

/* The civil conversions behind dates and X.509 times, over years 0..9999 (X.509's range). */
static void
test_civil(void **state)
{
	int64_t z, y;
	unsigned m, d;

	(void)state;
	assert_int_equal(ec_date_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(ec_date_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(ec_date_days_from_civil(0, 1, 1), -719528);
	assert_int_equal(ec_date_days_from_civil(9999, 12, 31), 2932896);
	ec_date_civil_from_days(-719528, &y, &m, &d);
	assert_true(y == 0 && m == 1 && d == 1);
	ec_date_civil_from_days(-719469, &y, &m, &d);      /* year 0 is a leap year */
	assert_true(y == 0 && m == 2 && d == 29);
	for (z = -719528; z <= 2932896; z += 37) {
		ec_date_civil_from_days(z, &y, &m, &d);
		assert_int_equal(ec_date_days_from_civil(y, m, d), z);
	}
}

/* Every day from 1900 to 9999 formats and parses back to itself, consecutive and in order. */
static void
test_round_trip(void **state)
{
	ec_day d, first = D("1900-01-01"), last = D("9999-12-31"), back;
	char s[11], prev[11] = "";

	(void)state;
	for (d = first; d <= last; d++) {
		ec_date_format(d, s);
		assert_int_equal(ec_date_parse(s, &back), 0);
		assert_int_equal(back, d);
		assert_true(strcmp(prev, s) < 0);
		memcpy(prev, s, sizeof s);
	}
	ec_date_format(first - 1, s);
	assert_string_equal(s, "1899-12-31");
	ec_date_format(INT32_MAX, s);
	assert_string_equal(s, "0000-00-00");
	ec_date_format(INT32_MIN, s);
	assert_string_equal(s, "0000-00-00");
}

static void
test_leap_years(void **state)
{
	ec_day d;

	(void)state;
	assert_int_equal(ec_date_parse("2024-02-29", &d), 0);
	assert_int_equal(ec_date_parse("2000-02-29", &d), 0);
	assert_int_equal(ec_date_parse("1900-02-29", &d), EC_ERR_SYNTAX);
	assert_int_equal(ec_date_parse("2100-02-29", &d), EC_ERR_SYNTAX);
	assert_int_equal(ec_date_parse("2023-02-29", &d), EC_ERR_SYNTAX);
	assert_int_equal(D("2024-03-01") - D("2024-02-28"), 2);
	assert_int_equal(D("2023-03-01") - D("2023-02-28"), 1);
	assert_int_equal(D("2001-01-01") - D("2000-01-01"), 366);
	assert_int_equal(D("2101-01-01") - D("2100-01-01"), 365);
}

static void
test_parse_rejects(void **state)
{
	ec_day d = 42;
	static const char *bad[] = {
		"2026-02-30", "2026-2-3", "2026-02-03x", "2026-02-03 ", " 2026-02-03", "2026/02/03",
		"2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31", "1899-12-31", "", "26-02-03",
		"2026-02-3", "+026-02-03", "2026-0a-03", "20260203", "2026-02-03T00:00:00Z",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ec_date_parse(bad[i], &d) != EC_ERR_SYNTAX)
			fail_msg("accepted '%s'", bad[i]);
	assert_int_equal(d, 42);
	assert_int_equal(ec_date_parse(NULL, &d), EC_ERR_SYNTAX);
	assert_int_equal(ec_date_parse("2026-02-30", &d), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "date '2026-02-30': no such calendar day");
	assert_int_equal(ec_date_parse("2026-2-3", &d), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "date '2026-2-3': expected YYYY-MM-DD");
	assert_int_equal(ec_date_parse("20\x1b[2J'x", &d), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX), "date '20?[2J?x': expected YYYY-MM-DD");
	assert_int_equal(ec_date_parse("2026-01-01 and a very long tail after it", &d), EC_ERR_SYNTAX);
	assert_string_equal(ec_err_msg(EC_ERR_SYNTAX),
	    "date '2026-01-01 and a very long tail ...': expected YYYY-MM-DD");
}

static void
test_add_years(void **state)
{
	(void)state;
	assert_string_equal(F(ec_date_add_years(D("2017-11-16"), 2)), "2019-11-16");
	assert_string_equal(F(ec_date_add_years(D("2024-02-29"), 1)), "2025-02-28");
	assert_string_equal(F(ec_date_add_years(D("2024-02-29"), 4)), "2028-02-29");
	assert_string_equal(F(ec_date_add_years(D("2024-02-29"), -4)), "2020-02-29");
	assert_string_equal(F(ec_date_add_years(D("2024-02-29"), 76)), "2100-02-28");
	assert_string_equal(F(ec_date_add_years(D("2024-12-31"), 3)), "2027-12-31");
	assert_string_equal(F(ec_date_add_years(D("2024-01-01"), 0)), "2024-01-01");
}

static void
test_expiry(void **state)
{
	(void)state;
	/* The guide's example. */
	assert_string_equal(F(ec_date_expiry(D("2017-11-16"), 2)), "2019-11-15");
	assert_string_equal(F(ec_date_expiry(D("2026-10-27"), 3)), "2029-10-26");
	assert_string_equal(F(ec_date_expiry(D("2026-01-01"), 1)), "2026-12-31");
	assert_string_equal(F(ec_date_expiry(D("2024-03-01"), 1)), "2025-02-28");
	/* A period starting on 29 February ends on 28 February: no day lost, none gained. */
	assert_string_equal(F(ec_date_expiry(D("2024-02-29"), 1)), "2025-02-28");
	assert_string_equal(F(ec_date_expiry(D("2024-02-29"), 4)), "2028-02-28");
	assert_string_equal(F(ec_date_expiry(D("2023-02-28"), 1)), "2024-02-27");
}

static void
test_renewal(void **state)
{
	ec_day old = D("2026-06-30");

	(void)state;
	/* Renewed before expiry: continues from the day after the old expiry, no time lost. */
	assert_string_equal(F(ec_date_renewal_expiry(old, D("2026-03-01"), 3)), "2029-06-30");
	assert_string_equal(F(ec_date_renewal_expiry(old, old, 3)), "2029-06-30");
	/* The day after expiry is the same either way. */
	assert_string_equal(F(ec_date_renewal_expiry(old, old + 1, 3)), "2029-06-30");
	/* Renewed after expiry: from today. */
	assert_string_equal(F(ec_date_renewal_expiry(old, D("2027-01-15"), 3)), "2030-01-14");
	assert_string_equal(F(ec_date_renewal_expiry(D("2028-02-28"), D("2027-05-05"), 2)), "2030-02-28");
	assert_string_equal(F(ec_date_renewal_expiry(D("2028-02-28"), D("2028-03-05"), 1)), "2029-03-04");
}

static void
test_working_days(void **state)
{
	ec_day hol[] = { D("2026-10-01"), D("2026-10-02"), D("2026-10-05") };

	(void)state;
	/* 2026-10-26 is a Monday. */
	assert_string_equal(F(ec_date_add_working_days(D("2026-10-26"), 1, NULL, 0)), "2026-10-27");
	assert_string_equal(F(ec_date_add_working_days(D("2026-10-30"), 1, NULL, 0)), "2026-11-02");
	assert_string_equal(F(ec_date_add_working_days(D("2026-10-31"), 1, NULL, 0)), "2026-11-02");
	assert_string_equal(F(ec_date_add_working_days(D("2026-11-01"), 1, NULL, 0)), "2026-11-02");
	assert_string_equal(F(ec_date_add_working_days(D("2026-10-26"), 5, NULL, 0)), "2026-11-02");
	assert_string_equal(F(ec_date_add_working_days(D("2026-10-28"), 7, NULL, 0)), "2026-11-06");
	/* 2026-09-30 is a Wednesday; Thursday, Friday and the next Monday are holidays. */
	assert_string_equal(F(ec_date_add_working_days(D("2026-09-30"), 1, hol, 3)), "2026-10-06");
	assert_string_equal(F(ec_date_add_working_days(D("2026-09-30"), 5, hol, 3)), "2026-10-12");
	assert_string_equal(F(ec_date_add_working_days(D("2026-09-30"), 1, NULL, 0)), "2026-10-01");
	/* A holiday on a weekend changes nothing. */
	hol[0] = D("2026-10-03");
	assert_string_equal(F(ec_date_add_working_days(D("2026-10-02"), 1, hol, 1)), "2026-10-05");
}

static void
test_time(void **state)
{
	(void)state;
	assert_int_equal(ec_date_to_time(D("2026-10-27")), 1793059200);
	assert_int_equal(ec_date_from_time(1793059200), D("2026-10-27"));
	assert_int_equal(ec_date_from_time(1793059200 + 86399), D("2026-10-27"));
	assert_int_equal(ec_date_from_time(1793059200 - 1), D("2026-10-26"));
	assert_int_equal(ec_date_from_time(-1), -1);
	assert_int_equal(ec_date_from_time(-86400), -1);
	assert_int_equal(ec_date_from_time(-86401), -2);
}

static void
test_now_override(void **state)
{
	ec_day d;

	(void)state;
	setenv("ECERT_NOW", "2026-10-27", 1);
	assert_int_equal(ec_date_today(NULL, &d), 0);
	assert_string_equal(F(d), "2026-10-27");
	assert_int_equal(ec_date_today("Asia/Shanghai", &d), 0);
	assert_string_equal(F(d), "2026-10-27");
	assert_int_equal(ec_time_now(), 1793059200 + 12 * 3600);
	assert_int_equal(ec_date_today("No/Such_Zone", &d), EC_ERR_ARG);

	setenv("ECERT_NOW", "2026-10-32", 1);
	assert_int_equal(ec_date_today(NULL, &d), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "ECERT_NOW '2026-10-32'"));
	setenv("ECERT_NOW", "yesterday", 1);
	assert_int_equal(ec_date_today("UTC", &d), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "expected a date YYYY-MM-DD"));
	unsetenv("ECERT_NOW");
	assert_true(ec_time_now() > 1700000000);
	assert_int_equal(ec_date_today("", &d), 0);
	assert_int_equal(d, ec_date_from_time((int64_t)time(NULL)));
}

/* Today in a zone agrees with the C library's localtime_r for the same zone. */
static void
check_zone(const char *zone)
{
	char tzv[160];
	struct tm tm;
	time_t t = time(NULL);
	ec_day d;

	assert_int_equal(ec_date_today(zone, &d), 0);
	snprintf(tzv, sizeof tzv, ":%s", zone);
	setenv("TZ", tzv, 1);
	tzset();
	localtime_r(&t, &tm);
	snprintf(tzv, sizeof tzv, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (strcmp(tzv, F(d)) != 0)
		fail_msg("%s: ours %s, libc %s", zone, F(d), tzv);
	unsetenv("TZ");
	tzset();
}

/*
 * The date at many instants agrees with localtime_r, before and after the last transition stored
 * in the file (after it the footer's POSIX rule applies), so both lookup paths are exercised.
 */
static void
check_zone_range(const char *zone, int64_t from, int64_t to)
{
	char tzv[160], ours[11], theirs[40];
	struct tm tm;
	time_t tt;
	int64_t t;
	ec_day d;

	snprintf(tzv, sizeof tzv, ":%s", zone);
	setenv("TZ", tzv, 1);
	tzset();
	for (t = from; t < to; t += 21661) {
		assert_int_equal(ec_date_at(zone, t, &d), 0);
		tt = (time_t)t;
		localtime_r(&tt, &tm);
		snprintf(theirs, sizeof theirs, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		    tm.tm_mday);
		ec_date_format(d, ours);
		if (strcmp(ours, theirs) != 0)
			fail_msg("%s at %lld: ours %s, libc %s", zone, (long long)t, ours, theirs);
	}
	unsetenv("TZ");
	tzset();
}

static void
test_zones(void **state)
{
	static const char *zones[] = {
		"Asia/Shanghai", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati",
		"Pacific/Pago_Pago", "Australia/Lord_Howe", "Asia/Kathmandu", "Etc/GMT+12", "Etc/UTC",
		"Europe/Dublin", "America/Santiago", "Pacific/Chatham",
	};
	static const char *bad[] = {
		"../etc/passwd", "/etc/localtime", "Asia/../Asia/Shanghai", "Asia", "zone.tab",
		"Asia/Shang hai", "Europe/Berlin\n", "No/Such_Zone", ".hidden",
	};
	ec_day d;
	size_t i;

	(void)state;
	unsetenv("ECERT_NOW");
	if (ec_date_today("Asia/Shanghai", &d) != 0)
		skip();                                          /* no tzdata installed */
	for (i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		check_zone(zones[i]);
		check_zone_range(zones[i], ec_date_to_time(D("1970-01-01")), ec_date_to_time(D("1972-01-01")));
		check_zone_range(zones[i], ec_date_to_time(D("2025-01-01")), ec_date_to_time(D("2028-01-01")));
		check_zone_range(zones[i], ec_date_to_time(D("2040-01-01")), ec_date_to_time(D("2042-01-01")));
		check_zone_range(zones[i], ec_date_to_time(D("2098-01-01")), ec_date_to_time(D("2100-01-01")));
	}
	assert_int_equal(ec_date_at(NULL, 1793059200 - 1, &d), 0);
	assert_string_equal(F(d), "2026-10-26");
	assert_int_equal(ec_date_at("Asia/Shanghai", 1793059200 - 8 * 3600 - 1, &d), 0);
	assert_string_equal(F(d), "2026-10-26");
	assert_int_equal(ec_date_at("Asia/Shanghai", 1793059200 - 8 * 3600, &d), 0);
	assert_string_equal(F(d), "2026-10-27");
	assert_int_equal(ec_date_at("America/New_York", 1793059200 + 4 * 3600 - 1, &d), 0);
	assert_string_equal(F(d), "2026-10-26");
	assert_int_equal(ec_date_at("America/New_York", 1793059200 + 4 * 3600, &d), 0);
	assert_string_equal(F(d), "2026-10-27");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (ec_date_today(bad[i], &d) != EC_ERR_ARG)
			fail_msg("accepted zone '%s'", bad[i]);
	assert_int_equal(ec_date_today("No/Such_Zone", &d), EC_ERR_ARG);
	assert_string_equal(ec_err_msg(EC_ERR_ARG), "time zone 'No/Such_Zone': unknown zone");
	assert_int_equal(ec_date_today("Europe/Berlin\n", &d), EC_ERR_ARG);
	assert_string_equal(ec_err_msg(EC_ERR_ARG),
	    "time zone 'Europe/Berlin?': not a zone name such as Asia/Shanghai");
	assert_int_equal(ec_date_at("No/Such_Zone", 0, &d), EC_ERR_ARG);
	assert_int_equal(ec_date_today("zone.tab", &d), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "not a valid TZif file"));
}

/* A version 1 TZif file with one local time type of UT offset off, as DIR/Test/Zone. */
static void
write_zone(const char *dir, int32_t off)
{
	unsigned char b[54] = "TZif";
	char path[256];
	FILE *f;

	b[39] = 1;                                   /* typecnt */
	b[43] = 4;                                   /* charcnt */
	b[44] = (unsigned char)((uint32_t)off >> 24);
	b[45] = (unsigned char)((uint32_t)off >> 16);
	b[46] = (unsigned char)((uint32_t)off >> 8);
	b[47] = (unsigned char)off;
	memcpy(b + 50, "TST", 4);
	snprintf(path, sizeof path, "%s/Test", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/Test/Zone", dir);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(b, 1, sizeof b, f), sizeof b);
	fclose(f);
}

static void
test_tzif_offsets(void **state)
{
	char dir[] = "/tmp/ec-tzif-XXXXXX", *old = getenv("TZDIR") ? strdup(getenv("TZDIR")) : NULL;
	ec_day d;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("TZDIR", dir, 1);
	write_zone(dir, 14 * 3600);                  /* Pacific/Kiritimati's +14:00 */
	assert_int_equal(ec_date_at("Test/Zone", 1793059200 - 14 * 3600, &d), 0);
	assert_string_equal(F(d), "2026-10-27");
	write_zone(dir, 0x7fffffff);
	assert_int_equal(ec_date_at("Test/Zone", 1793059200 + 60, &d), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "time zone 'Test/Zone': not a valid TZif file"));
	write_zone(dir, -90000);
	assert_int_equal(ec_date_at("Test/Zone", 1793059200 + 120, &d), EC_ERR_ARG);
	if (old)
		setenv("TZDIR", old, 1);
	else
		unsetenv("TZDIR");
	free(old);
	helper_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_add_years),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_renewal),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_now_override),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_tzif_offsets),
	};

	return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
