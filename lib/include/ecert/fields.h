/*
 * The personal fields of exam results and applications (lib/issue/fields.c). Each returns 0 or
 * EC_ERR_SYNTAX with a detail that quotes the value but not the field ("'x@' is not an email
 * address"); the caller adds "FILE:LINE: field 'email': " or the option name.
 */
#ifndef EC_FIELDS_H
#define EC_FIELDS_H

#include <stddef.h>

/* 1..EC_REGNO_MAX printable ASCII characters without space. */
int ec_field_regno(const char *s);
/* A dot-atom local part and a host name with at least one dot, at most EC_EMAIL_MAX bytes. */
int ec_field_email(const char *s);
/* Empty, or 5..20 digits with the separators people write (leading '+', spaces, - . ( )). */
int ec_field_tel(const char *s);
/* At most max bytes of clean text (ec_text_check: valid UTF-8, no control, separator, bidi control or BOM); empty allowed when may_be_empty. */
int ec_field_text(const char *s, size_t max, int may_be_empty);

#endif
