/* Files: a bounded whole-file read and the atomic write of every file ecert replaces. */
#ifndef EC_FILE_H
#define EC_FILE_H

#include <stddef.h>

/*
 * Write data[0..len) to path through a temporary file in the same directory (created
 * O_EXCL|O_NOFOLLOW with mode, written, fsync'd) renamed into place. With replace == 0 an existing
 * path is left alone and EC_ERR_EXISTS returned. The temporary file never outlives a failure.
 */
int ec_file_write(const char *path, const void *data, size_t len, unsigned mode, int replace);

/* Read the regular file path whole (at most max bytes, else EC_ERR_TOOBIG); *out is malloc'd and NUL-terminated, caller frees. */
int ec_file_read(const char *path, size_t max, char **out, size_t *len);

#endif
