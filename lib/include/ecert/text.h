/* Small text helpers shared by the parsers: hexadecimal digits, trimming a configuration field. */
#ifndef EC_TEXT_H
#define EC_TEXT_H

/* The value of hexadecimal digit c (either case), or -1. */
int ec_hexval(int c);

/*
 * s without leading spaces and tabs, and with trailing spaces, tabs and carriage returns cut off
 * in place (s is modified). Returns a pointer into s.
 */
char *ec_trim(char *s);

#endif
