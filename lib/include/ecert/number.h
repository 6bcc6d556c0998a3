/* Certificate numbers: 4-digit programme code, 16 random digits, 2 ISO 7064 MOD 97-10 check digits. */
#ifndef EC_NUMBER_H
#define EC_NUMBER_H

#include <stddef.h>
#include "types.h"

/* A fresh number for programme 0..9999 from the CSPRNG; out gets 22 digits and a NUL. */
int ec_number_generate(unsigned programme, char out[EC_NUMBER_DIGITS + 1]);

/*
 * Parse what a person typed: 22 digits, spaces and dashes allowed anywhere between them.
 * EC_ERR_SYNTAX when it is not 22 digits (or has other characters, or len > 256),
 * EC_ERR_CHECKSUM when the digits are well formed but the check digits disagree (a probable typo).
 * On success out holds the 22 digits.
 */
int ec_number_parse(const char *in, size_t len, char out[EC_NUMBER_DIGITS + 1]);

/* 1 when num is 22 digits whose check digits agree, else 0. */
int ec_number_valid(const char *num);

/* "0101 2345 6789 0123 4567 89" */
void ec_number_display(const char *num, char out[EC_NUMBER_DISPLAY + 1]);

/* The programme code: the first four digits as an integer. */
unsigned ec_number_programme(const char *num);

#endif
