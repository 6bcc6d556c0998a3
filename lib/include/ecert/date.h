/* Calendar dates as day counts, today in the configured zone (ECERT_NOW for tests), working days. */
#ifndef EC_DATE_H
#define EC_DATE_H

#include <stddef.h>
#include <stdint.h>
#include "types.h"

/* Exactly "YYYY-MM-DD", a real calendar date in years 1900..9999; else EC_ERR_SYNTAX. */
int ec_date_parse(const char *s, ec_day *out);

/* "YYYY-MM-DD" into out[11]. */
void ec_date_format(ec_day d, char out[11]);

/* Day of week, 0 = Monday .. 6 = Sunday. */
int ec_date_weekday(ec_day d);

/*
 * Today's date in time zone tz (an IANA name such as "Asia/Shanghai"; NULL or "" = UTC).
 * ECERT_NOW=YYYY-MM-DD in the environment overrides the clock (the zone is still checked).
 * EC_ERR_ARG for a malformed ECERT_NOW or an unknown zone. Thread safe: the zone's TZif file is
 * read from $TZDIR or /usr/share/zoneinfo (never through TZ/tzset), cached per thread for a minute.
 */
int ec_date_today(const char *tz, ec_day *out);

/* The calendar date at instant t (seconds since the epoch) in time zone tz, as ec_date_today reads it. */
int ec_date_at(const char *tz, int64_t t, ec_day *out);

/* Seconds since the epoch now; with ECERT_NOW, 12:00:00 UTC of that day so results are reproducible. */
int64_t ec_time_now(void);

/* d plus n calendar years; 29 February becomes 28 February in a common year. */
ec_day ec_date_add_years(ec_day d, int years);

/* Expiration for an effective date: effective + years - 1 day (2017-11-16, 2 -> 2019-11-15). */
ec_day ec_date_expiry(ec_day effective, int years);

/*
 * Expiration of a renewal made on day today of a certificate expiring on old_expires:
 * years after the later of (old_expires + 1) and today, minus one day.
 */
ec_day ec_date_renewal_expiry(ec_day old_expires, ec_day today, int years);

/* The n-th working day (Monday..Friday, not in holidays[]) after d; n >= 1. */
ec_day ec_date_add_working_days(ec_day d, int n, const ec_day *holidays, size_t nholidays);

/* Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian; m 1..12, d 1..31), and back. */
int64_t ec_date_days_from_civil(int64_t y, unsigned m, unsigned d);
void ec_date_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Midnight UTC of d as seconds since the epoch. */
int64_t ec_date_to_time(ec_day d);

/* The UTC calendar day containing t. */
ec_day ec_date_from_time(int64_t t);

#endif
