/* A daily budget of name checks per certificate number, across all clients (lib/web/budget.c). */
#ifndef EC_BUDGET_H
#define EC_BUDGET_H

#include "types.h"

struct ec_budget;

/*
 * A budget of per_day checks per number per day (per_day >= 1). Counts are kept in a fixed table
 * (a count-min sketch, 64 KB, keyed with a random seed), so memory stays bounded whatever the
 * traffic: a number may share a counter with others and run out early, never late. *out is the
 * caller's; free with ec_budget_free. Thread-safe.
 */
int ec_budget_new(unsigned per_day, struct ec_budget **out);
void ec_budget_free(struct ec_budget *b);

/* Spend one check for number (22 digits) on day today: 1 when allowed, 0 when the day's budget is spent. */
int ec_budget_take(struct ec_budget *b, const char *number, ec_day today);

#endif
