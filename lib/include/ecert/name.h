/* Holder names: NFC normalisation, validation, comparison folding and public masking (libutf8proc). */
#ifndef EC_NAME_H
#define EC_NAME_H

#include <stddef.h>
#include "types.h"

/*
 * Normalise in[0..len) to NFC and check it as a printed holder name: valid UTF-8, 1..64 code points
 * after trimming surrounding white space (inner runs of white space become one space), no control,
 * format (ZWJ and ZWNJ included), invisible or unassigned code points, Basic Multilingual Plane only,
 * and no combining mark without a letter. Every script is allowed here: whether the template's fonts
 * can print it is ec_shape_check's question. On error EC_ERR_SYNTAX with a detail naming the problem
 * and the code point ("name '...': U+200B is a format character ..."). *out is malloc'd; caller frees.
 */
int ec_name_normalize(const char *in, size_t len, char **out);

/*
 * The comparison key of a name: NFC, case-folded, all white space removed, so that "zoë o'brien"
 * and "ZOË  O'BRIEN" fold alike. *out is malloc'd; caller frees. EC_ERR_SYNTAX for invalid UTF-8.
 */
int ec_name_fold(const char *in, size_t len, char **out);

/*
 * The public masked form, of one fixed shape that reveals no length and no word count: the first
 * character, then "***" ("Zoë O'Brien" -> "Z***", "李瑞瑞" -> "李***"). *out is malloc'd; caller frees.
 */
int ec_name_mask(const char *nfc, char **out);


#endif
