/* A small, strict, bounded PDF reader: just enough to take the embedded files out of an e-Cert PDF. */
#ifndef EC_PDFREAD_H
#define EC_PDFREAD_H

#include <stddef.h>

#define EC_PDF_MAX_INPUT (16u << 20)       /* a PDF larger than this is refused unread */
#define EC_PDF_MAX_FILE (64u << 10)        /* an attachment inflating past this is refused (deflate bomb) */
#define EC_PDF_MAX_FILES 8                 /* attachments returned; more is refused */
#define EC_PDF_NAME_MAX 127                /* attachment file names are cut here */

/* One embedded file: its name (printable ASCII; other bytes shown as '?') and its decoded bytes. */
struct ec_pdf_file {
	char name[EC_PDF_NAME_MAX + 1];
	unsigned char *data;               /* malloc'd, owned by the struct, freed by ec_pdf_files_free */
	size_t len;
};

struct ec_pdf_files {
	struct ec_pdf_file f[EC_PDF_MAX_FILES];
	size_t n;
};

/*
 * Find every embedded file of the PDF pdf[0..len) through trailer /Root -> /Names -> /EmbeddedFiles
 * (a name tree), reading only the objects on that path by the classic cross-reference table(s).
 * Every offset and length is checked against the buffer; recursion, name-tree size and inflated
 * sizes are bounded. Refused with EC_ERR_SYNTAX and a detail: "not a PDF", "truncated PDF",
 * "no attachment found", an encrypted PDF, cross-reference streams, a filter other than FlateDecode;
 * EC_ERR_TOOBIG for len over EC_PDF_MAX_INPUT or an attachment over EC_PDF_MAX_FILE.
 * out is zeroed first; on success it holds 1..EC_PDF_MAX_FILES files in name-tree order and the
 * caller frees them with ec_pdf_files_free (also safe after a failure).
 */
int ec_pdf_attachments(const unsigned char *pdf, size_t len, struct ec_pdf_files *out);

/*
 * Inflate data[0..n) (zlib format) into a fresh buffer (*out, malloc'd) of at most EC_PDF_MAX_FILE
 * bytes with nothing trailing: EC_ERR_TOOBIG past the bound (a deflate bomb), EC_ERR_SYNTAX for a bad
 * or truncated stream.
 */
int ec_pdf_inflate(const unsigned char *data, size_t n, unsigned char **out, size_t *outlen);

/* Free the data of every file in fs and set fs->n to 0. */
void ec_pdf_files_free(struct ec_pdf_files *fs);

/*
 * The string value of key (a name without its slash, e.g. "Title") in the trailer's /Info dictionary,
 * decoded from a literal or hex string into out (NUL-terminated) as UTF-8, from UTF-16BE (a text
 * string with its byte order mark) or else from PDFDocEncoding. outsz is at most
 * EC_PDF_MAX_FILE. EC_ERR_NOTFOUND when there is no /Info or no such key, EC_ERR_TOOBIG when the
 * value does not fit outsz - 1 bytes, EC_ERR_SYNTAX for a malformed PDF, a value that is not a string
 * or one holding a NUL or a byte PDFDocEncoding leaves undefined.
 */
int ec_pdf_info(const unsigned char *pdf, size_t len, const char *key, char *out, size_t outsz);

#endif
