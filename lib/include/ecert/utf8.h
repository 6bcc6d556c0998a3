/* Strict UTF-8: one decoder and the text rules every parser of outside input applies. */
#ifndef EC_UTF8_H
#define EC_UTF8_H

#include <stddef.h>

/*
 * Decode the UTF-8 sequence at s (len > 0 bytes available) into *cp; its length, or 0 when it is not
 * the shortest form of a Unicode scalar value (overlong, surrogate, above U+10FFFF, truncated).
 */
size_t ec_utf8_next(const unsigned char *s, size_t len, unsigned long *cp);

/* 1 when s[0..len) is entirely valid UTF-8 in the sense of ec_utf8_next(), else 0. */
int ec_utf8_valid(const char *s, size_t len);

/* Code points in s[0..len) when it is valid UTF-8 in the sense of ec_utf8_next(), else -1. */
long ec_utf8_len(const char *s, size_t len);

#define EC_TEXT_BAD_UTF8 0xffffffffUL
/*
 * Code points in the UTF-8 text s[0..len), or -1 when it is not valid UTF-8 (*bad =
 * EC_TEXT_BAD_UTF8) or holds a C0 or C1 control, DEL, a line or paragraph separator, a
 * bidirectional embedding, override or isolate, or a byte order mark (*bad = that code point).
 * The rule for every text field read from a certificate, a token or a configuration.
 */
long ec_text_check(const char *s, size_t len, unsigned long *bad);

#endif
