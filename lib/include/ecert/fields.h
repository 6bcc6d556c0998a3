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

#define EC_ADDRESS_LINES 8     /* lines of a postal address */
/*
 * A postal address as the register keeps it: 1..EC_ADDRESS_LINES lines of clean text joined by "\n",
 * none empty, at most EC_ADDRESS_MAX bytes in all.
 */
int ec_field_address(const char *s);
/*
 * The address typed in a form or on a command line, in the register's form: line ends CRLF, CR or LF
 * become "\n", each line's surrounding blanks and every blank line go. Into out (always terminated);
 * a result out cannot hold is cut, which ec_field_address then refuses as too long.
 */
void ec_field_address_norm(const char *in, char *out, size_t size);

#endif
