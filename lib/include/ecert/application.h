/*
 * Applications for passed exams, checked by the certification guide's rules (lib/issue/application.c):
 * shared by every tool that takes an application, so the rules live in one place.
 */
#ifndef EC_APPLICATION_H
#define EC_APPLICATION_H

#include "catalog.h"
#include "date.h"
#include "font.h"
#include "office.h"

/* One application as given, before any check; NULL or "" for an optional field left out. */
struct ec_app_in {
	const char *reg_no, *format, *name, *email, *tel, *address;
	int consent;
};

/*
 * What the rules read. fonts returns the fonts of a template by name (the caller loads and caches
 * them): 0, or an ec_err that ec_app_check passes on with *field "template" (a configuration fault,
 * not the candidate's).
 */
struct ec_app_rules {
	struct ec_office *office;
	const struct ec_catalog *cat;
	ec_day today;
	const char *public_url;
	int (*fonts)(void *ctx, const char *template_name, const struct ec_fonts **out);
	void *fonts_ctx;
};

/*
 * Check in against the rules (well-formed fields, consent, a passed exam, no earlier application,
 * the certification still offered, one working day after the exam, a format the certification is
 * issued in, an address for paper, a name the template can print and the QR code can hold) and fill
 * a, dated r->today, status requested. Returns 0, or an ec_err with its detail recorded and *field
 * naming the field at fault (for "FILE:LINE: field 'name': ..." messages).
 */
int ec_app_check(const struct ec_app_rules *r, const struct ec_app_in *in, struct ec_app *a, const char **field);

/*
 * The name as certification ce will print it: NFC, within EC_NAME_MAX_BYTES, every character in the
 * template's fonts, the QR code able to hold it with effective as the start date; into out. Returns 0
 * or an ec_err with its detail (*field "name", or "template" for a configuration fault).
 */
int ec_app_name(const struct ec_app_rules *r, const struct ec_cat_entry *ce, ec_day effective, const char *name,
    char out[EC_NAME_MAX_BYTES + 1], const char **field);

/* The refusal of a second application for a's registration number: EC_ERR_EXISTS with the detail. */
int ec_app_exists(const struct ec_app *a);

#endif
