/* A strict RFC 4180 CSV reader over a memory buffer, with header-by-name column lookup. */
#ifndef EC_CSV_H
#define EC_CSV_H

#include <stddef.h>

#define EC_CSV_FIELD_MAX 4096              /* bytes in one field after unquoting */
#define EC_CSV_FIELDS_MAX 64               /* fields in one record */
#define EC_CSV_FILE_MAX (1024UL * 1024 * 1024)   /* ec_csv_open_file refuses larger files */

struct ec_csv;

/*
 * A reader over data[0..len), which the caller keeps unchanged until ec_csv_close (it is not
 * copied). fname names the input in messages ("exam.csv:12: ..."); it is copied, NULL gives
 * "<input>". A leading UTF-8 byte order mark is skipped. *out is freed with ec_csv_close.
 */
int ec_csv_open(const char *data, size_t len, const char *fname, struct ec_csv **out);

/*
 * Read the whole file at path (at most EC_CSV_FILE_MAX bytes) and open a reader that owns the
 * copy. EC_ERR_IO "cannot open 'x.csv': No such file or directory", EC_ERR_TOOBIG over the bound.
 */
int ec_csv_open_file(const char *path, struct ec_csv **out);

/*
 * The next record: 1 with *fields[0..*n) (NUL-terminated, owned by the reader, valid until the
 * next call or ec_csv_close) and *line the physical line where the record starts; 0 at the end
 * (empty lines at the end of the input are ignored); or a negative error with a detail
 * "FILE:LINE: ...", LINE being where the bad record starts. Errors:
 *   EC_ERR_SYNTAX  a quote inside an unquoted field, text after a closing quote, an unterminated
 *                  quoted field, a carriage return not followed by a line feed, a NUL byte,
 *                  invalid UTF-8, a record whose field count differs from the first record's
 *                  ("expected 8 fields, found 7");
 *   EC_ERR_TOOBIG  a field over EC_CSV_FIELD_MAX bytes, more than EC_CSV_FIELDS_MAX fields.
 * After invalid UTF-8, a wrong field count or an oversized field the reader has passed the bad
 * record and the caller may go on; after the other errors every later call fails the same way.
 * fields, n and line may each be NULL when not wanted.
 */
int ec_csv_next(struct ec_csv *c, const char *const **fields, size_t *n, size_t *line);

/*
 * Read the header record (call before ec_csv_next) and find the required columns by name
 * (exact, case-sensitive): index[i] = the field index of required[i]. *extra (may be NULL when
 * not wanted) gets a malloc'd comma-separated list of the other column names, or NULL when there
 * are none; the caller frees it. EC_ERR_SYNTAX: "FILE:1: missing column 'email'" (all missing ones
 * named), "FILE:1: duplicate column 'email'", "FILE:1: column 3 has no name", "FILE: empty file,
 * expected a header line", or an error from reading the record.
 */
int ec_csv_header(struct ec_csv *c, const char *const *required, size_t nreq, int *index,
    char **extra);

/*
 * The same with optional columns too: index[nreq + i] = the field index of optional[i], or -1 when
 * the header lacks it; *extra lists only the columns that are neither required nor optional.
 */
int ec_csv_header_opt(struct ec_csv *c, const char *const *required, size_t nreq, const char *const *optional,
    size_t nopt, int *index, char **extra);

/* The input's name as used in messages; owned by the reader. */
const char *ec_csv_name(const struct ec_csv *c);

/* Free the reader (and the file copy of ec_csv_open_file); NULL is allowed. */
void ec_csv_close(struct ec_csv *c);

#endif
