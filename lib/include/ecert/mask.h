/* Masking personal data for listings, as the certification guide shows it. */
#ifndef EC_MASK_H
#define EC_MASK_H

#include <stddef.h>

/*
 * "liwanshuang@huawei.com" -> "liwansh****@huawei.com": the first max(ceil(n/2), n-4) characters
 * (code points) of the n-character local part, at most 7 and never all of it, then "****", then
 * "@domain" (after the last '@'). Writes at most outsz bytes including the NUL ("" on error).
 * EC_ERR_SYNTAX when email has no '@', an empty part, invalid UTF-8 or a control character, or is
 * over 320 bytes; EC_ERR_TOOBIG when out is too small.
 */
int ec_mask_email(const char *email, char *out, size_t outsz);

/*
 * "+86 13925222157" -> "+86 139****2157": country code (when the number starts with '+'), the first
 * three and the last four digits of the rest, "****" between. Separators (space, '-', '.', '(', ')')
 * are dropped except the space after the country code, which is recognised only when a separator
 * ends it. Fewer than 11 digits in the rest: all but the last two become '*'. EC_ERR_SYNTAX for other
 * characters, no digits, over 20 digits or 64 bytes; EC_ERR_TOOBIG when out is too small.
 */
int ec_mask_phone(const char *tel, char *out, size_t outsz);

#endif
