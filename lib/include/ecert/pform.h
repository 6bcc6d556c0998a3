/* What the portal's browsers send (lib/portal/form.c): url-encoded forms and queries, cookies. */
#ifndef EC_PFORM_H
#define EC_PFORM_H

#include <stddef.h>

#define EC_FORM_FIELDS 16          /* fields a form may have */
#define EC_FORM_MAX (16 * 1024)    /* bytes of a form body */

/* A decoded form. Values are valid UTF-8 without control characters (line ends allowed, as CRLF->LF). */
struct ec_form {
	char *buf;                     /* the decoded names and values, owned */
	const char *name[EC_FORM_FIELDS], *value[EC_FORM_FIELDS];
	size_t n;
};

/*
 * Decode application/x-www-form-urlencoded s[0..len) (a body or a query string). EC_ERR_SYNTAX bad
 * encoding, a repeated field or a control character; EC_ERR_TOOBIG over EC_FORM_MAX bytes or
 * EC_FORM_FIELDS fields. Free with ec_form_free (also after an error).
 */
int ec_form_parse(const char *s, size_t len, struct ec_form *f);
void ec_form_free(struct ec_form *f);

/* The value of field name, or NULL. */
const char *ec_form_get(const struct ec_form *f, const char *name);

/*
 * The value of cookie name in a Cookie header (NULL = none) into out (outsz bytes): 0, or
 * EC_ERR_NOTFOUND when absent, empty or too long.
 */
int ec_cookie_get(const char *header, const char *name, char *out, size_t outsz);

#endif
