/* Masking personal data for listings, as the certification guide shows it. */
#ifndef EC_MASK_H
#define EC_MASK_H

#include <stddef.h>

/*
 * "liwanshuang@huawei.com" -> "liwansh****@huawei.com": the first ceil(n/2) characters of the
 * local part (at most 7), then "****", then "@domain". Writes at most outsz bytes including the NUL.
 * EC_ERR_SYNTAX when email has no '@'; EC_ERR_TOOBIG when out is too small.
 */
int ec_mask_email(const char *email, char *out, size_t outsz);

/*
 * "+86 13925222157" -> "+86 139****2157": country code (when the number starts with '+'), the first
 * three and the last four digits of the rest, "****" between. Separators other than the space after
 * the country code are dropped. Fewer than 8 digits: all but the last two become '*'.
 */
int ec_mask_phone(const char *tel, char *out, size_t outsz);

#endif
