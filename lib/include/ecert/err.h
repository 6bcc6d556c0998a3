/* Error codes shared by every libecert function, and the per-thread detail message. */
#ifndef EC_ERR_H
#define EC_ERR_H

#include <stdarg.h>

/*
 * Every fallible function returns 0 or one of these.  A function that fails may also
 * record a detail message ("cannot open 'x.csv': No such file or directory") for this
 * thread; ec_err_msg() returns it while it belongs to the code being reported.
 */
enum ec_err {
	EC_OK = 0,
	EC_ERR_NOMEM = -1,       /* out of memory */
	EC_ERR_IO = -2,          /* a system call failed (system error, exit 2) */
	EC_ERR_ARG = -3,         /* bad argument or usage from the caller (exit 2) */
	EC_ERR_SYNTAX = -4,      /* input is malformed (exit 1) */
	EC_ERR_CHECKSUM = -5,    /* certificate number check digits wrong: probable typo */
	EC_ERR_NOTFOUND = -6,    /* no such record, key or file */
	EC_ERR_EXISTS = -7,      /* refusing to overwrite something that exists */
	EC_ERR_PASS = -8,        /* wrong passphrase, or the key file cannot be decrypted */
	EC_ERR_CRYPTO = -9,      /* the crypto library failed (system error) */
	EC_ERR_SIG = -10,        /* a signature or chain does not verify; unknown issuer */
	EC_ERR_EXPIRED = -11,
	EC_ERR_NOTYET = -12,     /* not yet valid */
	EC_ERR_REVOKED = -13,
	EC_ERR_REFUSED = -14,    /* a request the rules refuse (not passed, too early, duplicate, ...) */
	EC_ERR_FULL = -15,       /* disk or map full */
	EC_ERR_TOOBIG = -16,     /* input over a size bound */
	EC_ERR_CORRUPT = -17,    /* stored data fails its integrity check (audit chain, record) */
	EC_ERR_STALE = -18,      /* a CRL past its nextUpdate */
	EC_ERR_UNSUPPORTED = -19,/* a version, algorithm or feature this build does not handle */
	EC_ERR_CONFLICT = -20    /* the person already holds a live certificate of that certification */
};

/* A static, lowercase description of code; never NULL. */
const char *ec_strerror(int code);

/* The detail recorded for code on this thread if the last recorded error was code, else ec_strerror(code). */
const char *ec_err_msg(int code);

/* Record a detail message for code on this thread and return code, so `return ec_err_set(...)` works. */
int ec_err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ec_err_vset(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Record code with "WHAT 'SUBJECT': strerror(errno)"; returns EC_ERR_IO (or EC_ERR_FULL for ENOSPC/EDQUOT). */
int ec_err_errno(const char *what, const char *subject);

/* Forget the detail, so a later ec_err_msg() of the same code does not show a stale one. */
void ec_err_clear(void);

/* The exit status for code (docs/architecture.md): 0 success, 1 not valid or refused, 2 usage or system error. */
int ec_err_exit(int code);
/*
 * The exit status of ecert-ca for code: as ec_err_exit, except that a broken, unreadable or missing
 * CA directory (EC_ERR_CORRUPT, EC_ERR_SYNTAX, EC_ERR_NOTFOUND) is a system error (2): ecert-ca
 * judges no outside input, so those codes can only mean its own state is wrong.
 */
int ec_err_exit_ca(int code);

#endif
