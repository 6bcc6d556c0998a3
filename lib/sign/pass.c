/* Passphrases from a file, the environment or /dev/tty without echo; held in locked memory and wiped. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "err.h"
#include "pass.h"

#define PASS_MAX 1024   /* buffer size, terminator included; every passphrase buffer has exactly this size */

static char *
pass_alloc(void)
{
	char *p = calloc(1, PASS_MAX);

	if (p != NULL)
		mlock(p, PASS_MAX);   /* best effort: without the privilege the buffer is still wiped */
	return p;
}

void
ec_pass_free(char *pass, size_t len)
{
	(void)len;   /* the whole buffer is wiped, whatever was read into it */
	if (pass == NULL)
		return;
	OPENSSL_cleanse(pass, PASS_MAX);
	munlock(pass, PASS_MAX);
	free(pass);
}

/* Read one line from fd into buf (without the newline or a CR before it). -1 on error or overlong. */
static ssize_t
read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= size) {
			errno = EMSGSIZE;
			return -1;
		}
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	OPENSSL_cleanse(&c, sizeof c);
	return (ssize_t)n;
}

static int
from_file(const char *file, char *buf, size_t *len)
{
	ssize_t n;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0)
		return ec_err_errno("cannot open passphrase file", file);
	n = read_line(fd, buf, PASS_MAX);
	close(fd);
	if (n < 0)
		return ec_err_set(EC_ERR_ARG, "cannot read passphrase file '%s': %s", file,
		    errno == EMSGSIZE ? "first line too long" : strerror(errno));
	*len = (size_t)n;
	return EC_OK;
}

/* Prompt on the terminal with echo off; the terminal's settings are restored on every path. */
static int
ask(int fd, const char *prompt, char *buf, size_t *len)
{
	struct termios old, quiet;
	ssize_t n;
	int restore = 0;

	if (write(fd, prompt, strlen(prompt)) < 0)
		return ec_err_errno("cannot write to", "/dev/tty");
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0)
			restore = 1;
	}
	n = read_line(fd, buf, PASS_MAX);
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		return ec_err_errno("cannot write to", "/dev/tty");
	if (n < 0)
		return ec_err_set(EC_ERR_ARG, "cannot read the passphrase from the terminal");
	*len = (size_t)n;
	return EC_OK;
}

static int
from_tty(const char *env, const char *prompt, int confirm, char *buf, size_t *len)
{
	char *again = NULL;
	size_t len2 = 0;
	int fd, rc;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return ec_err_set(EC_ERR_ARG, "no passphrase: set %s or give a passphrase file (no terminal to ask)", env);
	if ((rc = ask(fd, prompt, buf, len)) != EC_OK || !confirm)
		goto out;
	if ((again = pass_alloc()) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = ask(fd, "Again: ", again, &len2)) != EC_OK)
		goto out;
	if (len2 != *len || CRYPTO_memcmp(again, buf, *len) != 0)
		rc = ec_err_set(EC_ERR_ARG, "the passphrases do not match");
out:
	ec_pass_free(again, len2);
	close(fd);
	return rc;
}

int
ec_pass_get(const char *file, const char *env, const char *prompt, int confirm, char **pass, size_t *len)
{
	char *val;
	char *buf;
	size_t n = 0;
	int rc = EC_OK;

	*pass = NULL;
	*len = 0;
	if ((buf = pass_alloc()) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	if (file != NULL) {
		rc = from_file(file, buf, &n);
	} else if (env != NULL && (val = getenv(env)) != NULL) {
		n = strlen(val);
		if (n >= PASS_MAX)
			rc = ec_err_set(EC_ERR_ARG, "passphrase in %s is too long", env);
		else
			memcpy(buf, val, n + 1);
		/* Taken: wiped where it was (also what /proc/PID/environ shows) and removed, so it lives only in buf. */
		OPENSSL_cleanse(val, strlen(val));
		unsetenv(env);
	} else {
		rc = from_tty(env != NULL ? env : "a passphrase variable", prompt, confirm, buf, &n);
	}
	if (rc == EC_OK && n == 0)
		rc = ec_err_set(EC_ERR_ARG, "empty passphrase%s%s%s", file ? " in '" : "", file ? file : "",
		    file ? "'" : "");
	if (rc != EC_OK) {
		ec_pass_free(buf, n);
		return rc;
	}
	*pass = buf;
	*len = n;
	return EC_OK;
}
