/* Passphrases: from a file, an environment variable or a TTY prompt, never from argv; wiped after use. */
#ifndef EC_PASS_H
#define EC_PASS_H

#include <stddef.h>

/*
 * Read a passphrase: the first line of file when file is not NULL; else the environment variable env
 * when set (its value is then wiped and the variable removed); else prompt on /dev/tty (twice when
 * confirm, for new keys). No TTY and nothing else gives
 * EC_ERR_ARG with a detail saying which option or variable to use. *pass is NUL-terminated, locked in
 * memory where possible; release with ec_pass_free, which wipes it.
 */
int ec_pass_get(const char *file, const char *env, const char *prompt, int confirm, char **pass, size_t *len);
void ec_pass_free(char *pass, size_t len);

#endif
