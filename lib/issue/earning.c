/* Earning a certification from a person's exam results: every required exam passed, dated by the last. */
#include <stdio.h>
#include <string.h>

#include "earning.h"

void
ec_earning_init(struct ec_earning *e, const struct ec_cat_entry *ce)
{
	memset(e, 0, sizeof *e);
	e->ce = ce;
}

void
ec_earning_add(struct ec_earning *e, const struct ec_exam *x)
{
	const char *exam = x->exam[0] ? x->exam : x->code;
	size_t i;

	if (!x->passed || strcmp(x->code, e->ce->code) != 0)
		return;
	for (i = 0; i < ec_cat_nexams(e->ce); i++) {
		if (strcmp(ec_cat_exam(e->ce, i), exam) != 0)
			continue;
		/* the latest pass counts; on one day, the lower registration number for a stable choice */
		if (!e->have[i] || x->exam_date > e->passed[i] ||
		    (x->exam_date == e->passed[i] && strcmp(x->reg_no, e->reg_no[i]) < 0)) {
			e->have[i] = 1;
			e->passed[i] = x->exam_date;
			snprintf(e->reg_no[i], sizeof e->reg_no[i], "%s", x->reg_no);
		}
		return;
	}
}

void
ec_earning_done(struct ec_earning *e)
{
	size_t i;

	e->earned = 1;
	e->effective = 0;
	for (i = 0; i < ec_cat_nexams(e->ce); i++) {
		if (!e->have[i])
			e->earned = 0;
		else if (e->earned && (i == 0 || e->passed[i] > e->effective))
			e->effective = e->passed[i];
	}
	if (!e->earned)
		e->effective = 0;
}

void
ec_earning_missing(const struct ec_earning *e, char *out, size_t size)
{
	size_t i, n = 0;
	int w;

	if (size)
		out[0] = '\0';
	for (i = 0; i < ec_cat_nexams(e->ce) && n < size; i++) {
		if (e->have[i])
			continue;
		w = snprintf(out + n, size - n, "%s%s", n ? ", " : "", ec_cat_exam(e->ce, i));
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int
add_one(void *ctx, const struct ec_exam *x)
{
	ec_earning_add(ctx, x);
	return 0;
}

int
ec_earning_of(struct ec_office *o, const struct ec_cat_entry *ce, const char *email, struct ec_earning *out)
{
	int r;

	ec_earning_init(out, ce);
	if ((r = ec_office_person_exams(o, email, add_one, out)))
		return r;
	ec_earning_done(out);
	return 0;
}
