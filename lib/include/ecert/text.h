/* Small text helpers shared by the parsers: hexadecimal digits, trimming a field, email addresses. */
#ifndef EC_TEXT_H
#define EC_TEXT_H

/* The value of hexadecimal digit c (either case), or -1. */
int ec_hexval(int c);

/*
 * s without leading spaces and tabs, and with trailing spaces, tabs and carriage returns cut off
 * in place (s is modified). Returns a pointer into s.
 */
char *ec_trim(char *s);

/*
 * 0 when addr is an email address that a mail header and an SMTP envelope can carry as it is:
 * 1..254 bytes, one '@' with text on both sides, no space, control, quote, angle bracket or other
 * header special. EC_ERR_ARG saying what is wrong otherwise. Looser than ec_field_email (a
 * candidate's address the internet delivers to) on purpose: a configured From or a relay on the
 * loopback may use local names such as ecert@localhost.
 */
int ec_addr_check(const char *addr);

#endif
