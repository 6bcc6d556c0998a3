/* Whole-file reads and the one atomic write (temporary file, fsync, rename, directory fsync) everything uses. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "file.h"

int
ec_file_read(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc = EC_OK;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ec_err_errno("cannot open", path);
	if (fstat(fd, &st) != 0) {
		rc = ec_err_errno("cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = ec_err_set(EC_ERR_IO, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if ((uintmax_t)st.st_size > max) {
		rc = ec_err_set(EC_ERR_TOOBIG, "cannot read '%s': larger than %zu bytes", path, max);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "cannot read '%s': out of memory", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ec_err_errno("cannot read", path);
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	buf = NULL;
	if (len != NULL)
		*len = got;
out:
	free(buf);
	close(fd);
	return rc;
}

/* Make the rename durable; the file is already in place, so a failure here is not reported. */
static void
sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* rename without replacing: renameat2 where the file system has it, else link + unlink. */
static int
rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(from, to) != 0)
		return -1;
	unlink(from);
	return 0;
}

int
ec_file_write(const char *path, const void *data, size_t len, unsigned mode, int replace)
{
	char tmp[PATH_MAX];
	unsigned char rnd[6];
	struct stat st;
	const unsigned char *p = data;
	size_t off = 0;
	ssize_t n;
	int fd = -1, rc = EC_OK, made = 0;

	if (path == NULL || *path == '\0')
		return ec_err_set(EC_ERR_ARG, "no path to write");
	if (!replace && lstat(path, &st) == 0)
		return ec_err_set(EC_ERR_EXISTS, "refusing to overwrite '%s'", path);
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		return ec_err_errno("cannot get random bytes for", path);
	if (snprintf(tmp, sizeof tmp, "%s.tmp-%02x%02x%02x%02x%02x%02x", path, rnd[0], rnd[1], rnd[2],
	    rnd[3], rnd[4], rnd[5]) >= (int)sizeof tmp)
		return ec_err_set(EC_ERR_ARG, "path too long: '%s'", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)(mode & 0600));
	if (fd < 0)
		return ec_err_errno("cannot create", tmp);
	made = 1;
	if (fchmod(fd, (mode_t)mode) != 0) {
		rc = ec_err_errno("cannot set the mode of", tmp);
		goto out;
	}
	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ec_err_errno("cannot write", tmp);
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		rc = ec_err_errno("cannot sync", tmp);
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = ec_err_errno("cannot write", tmp);
		goto out;
	}
	fd = -1;
	if ((replace ? rename(tmp, path) : rename_noreplace(tmp, path)) != 0) {
		if (errno == EEXIST)
			rc = ec_err_set(EC_ERR_EXISTS, "refusing to overwrite '%s'", path);
		else
			rc = ec_err_errno("cannot rename into", path);
		goto out;
	}
	made = 0;
	sync_parent(path);
out:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	return rc;
}
