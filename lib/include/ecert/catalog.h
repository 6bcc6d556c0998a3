/* The certification catalogue DIR/catalog.conf: codes, titles, programme codes, validity, formats, holidays. */
#ifndef EC_CATALOG_H
#define EC_CATALOG_H

#include <stddef.h>
#include "types.h"

#define EC_TEMPLATE_MAX 31
#define EC_CAT_EXAMS_MAX 8     /* exams one certification may require */

/* Bits of ec_cat_entry.formats. */
#define EC_CAT_ELECTRONIC (1u << EC_FORMAT_ELECTRONIC)
#define EC_CAT_PAPER (1u << EC_FORMAT_PAPER)

/* One certification. Plain value type. */
struct ec_cat_entry {
	char code[EC_CODE_MAX + 1];          /* "HCIA-AI": printable ASCII, no space or '|' */
	char title[EC_TITLE_MAX + 1];        /* UTF-8 */
	unsigned programme;                  /* 0..9999, the number's first four digits; unique */
	int years;                           /* validity, 1..10 */
	unsigned formats;                    /* EC_CAT_ELECTRONIC and/or EC_CAT_PAPER */
	char template_name[EC_TEMPLATE_MAX + 1]; /* templates/NAME.* layout: [a-z0-9_-] */
	char exams[EC_CAT_EXAMS_MAX][EC_CODE_MAX + 1]; /* exam codes it requires, all passed by one person */
	size_t nexams;                       /* 0: one exam whose code is the certification's */
	int no_renewal;                      /* 1: a holder applies again instead of renewing */
};

/* A loaded catalogue; owned by the caller of ec_catalog_load*, freed with ec_catalog_free. */
struct ec_catalog {
	struct ec_cat_entry *v;              /* in file order */
	size_t n;
	ec_day *holidays;                    /* sorted, unique */
	size_t nholidays;
};

/*
 * Load DIR/catalog.conf; when it does not exist, first copy the shipped template into place
 * (ec_catalog_install). Syntax: '#' comments and blank lines; a certification per line as
 *   CODE | TITLE | PROGRAMME | YEARS | FORMATS | TEMPLATE [| EXAMS [| RENEWAL]]
 * (FORMATS = "electronic,paper" or "paper" or "electronic"; EXAMS = comma-separated exam codes, at
 * most EC_CAT_EXAMS_MAX, absent or empty for one exam coded as the certification; RENEWAL = "renew"
 * (absent or empty too) or "no-renew"); holidays as
 * "holiday YYYY-MM-DD ...".
 * Malformed -> EC_ERR_SYNTAX "FILE:LINE: ..."; duplicate code or programme code is malformed too.
 * An empty catalogue is malformed.
 */
int ec_catalog_load(const char *dir, struct ec_catalog **out);

/* Load and check a catalogue file at path (no copying). */
int ec_catalog_load_file(const char *path, struct ec_catalog **out);

/*
 * Copy the shipped template to DIR/catalog.conf (mode 0644, temp file + rename) unless it exists
 * (then 0, nothing done). The template is $ECERT_TEMPLATES/catalog.conf when that variable is set,
 * else EC_DATADIR/templates/catalog.conf when installed, else templates/catalog.conf in the source tree.
 */
int ec_catalog_install(const char *dir);

void ec_catalog_free(struct ec_catalog *c);

/* The entry with this code (exact match) or programme code; NULL when none. Borrowed from c. */
const struct ec_cat_entry *ec_catalog_find(const struct ec_catalog *c, const char *code);
const struct ec_cat_entry *ec_catalog_find_programme(const struct ec_catalog *c, unsigned programme);

/* 1 when exam is one of the exams e requires (with no EXAMS list: exam is e's own code). */
int ec_cat_requires(const struct ec_cat_entry *e, const char *exam);

/* The number of exams e requires and the i-th of them (its own code when it has no EXAMS list). */
size_t ec_cat_nexams(const struct ec_cat_entry *e);
const char *ec_cat_exam(const struct ec_cat_entry *e, size_t i);

/* "electronic,paper", "paper" or "electronic". */
const char *ec_catalog_formats_name(unsigned formats);

#endif
