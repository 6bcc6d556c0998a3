/*
 * Earning a certification (lib/issue/earning.c): a person, the email address of exam results, earns
 * a certification when every exam the catalogue lists for it has a passed result of that person
 * for that certification; it takes effect the day the last of them was passed, a retake's pass
 * counting over an earlier one.
 */
#ifndef EC_EARNING_H
#define EC_EARNING_H

#include <stddef.h>
#include "catalog.h"
#include "office.h"

/* What a person's results give for one certification. Plain value type. */
struct ec_earning {
	const struct ec_cat_entry *ce;
	ec_day passed[EC_CAT_EXAMS_MAX];     /* latest pass of each required exam (ec_cat_exam order) */
	int have[EC_CAT_EXAMS_MAX];          /* 1 when that exam has a pass */
	char reg_no[EC_CAT_EXAMS_MAX][EC_REGNO_MAX + 1];   /* the result of that latest pass */
	int earned;                          /* set by ec_earning_done: every exam passed */
	ec_day effective;                    /* set by ec_earning_done when earned: the latest of passed[] */
};

/* Start counting for certification ce. */
void ec_earning_init(struct ec_earning *e, const struct ec_cat_entry *ce);
/* Count result x when it is a pass of one of ce's exams for ce; anything else is ignored. */
void ec_earning_add(struct ec_earning *e, const struct ec_exam *x);
/* Settle earned and effective. */
void ec_earning_done(struct ec_earning *e);
/* The exams still missing, comma-separated ("" when earned), into out (cut to size). */
void ec_earning_missing(const struct ec_earning *e, char *out, size_t size);

/* All of it from the register: the results of email (any case) for ce. Returns an ec_err. */
int ec_earning_of(struct ec_office *o, const struct ec_cat_entry *ce, const char *email, struct ec_earning *out);

#endif
