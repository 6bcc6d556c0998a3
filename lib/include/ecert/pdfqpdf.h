/*
 * PDFs as other tools re-save them, read through qpdf (lib/verify/pdfqpdf.c): cross-reference and
 * object streams, incremental updates, damaged cross-reference tables that qpdf reconstructs. The
 * offline verifier turns to it when the strict reader (pdfread.h) refuses a file's structure; what
 * is taken out is bounded exactly as there.
 */
#ifndef EC_PDFQPDF_H
#define EC_PDFQPDF_H

#include <stddef.h>
#include "pdfread.h"

/*
 * qpdf reads whatever it is given to the end, and slowly: 16 MiB of small numbers took it seven
 * seconds. A re-saved e-Cert is a few tens of kilobytes; larger files are left to the strict reader.
 */
#define EC_QPDF_MAX_INPUT (1u << 20)

struct ec_qpdf;

/*
 * Parse pdf[0..len) (which must outlive the handle) once. EC_ERR_SYNTAX with qpdf's reason when it
 * cannot read it, EC_ERR_TOOBIG over EC_QPDF_MAX_INPUT. Close with ec_qpdf_close.
 */
int ec_qpdf_open(const unsigned char *pdf, size_t len, struct ec_qpdf **out);
void ec_qpdf_close(struct ec_qpdf *q);

/* As ec_pdf_attachments: the embedded files by /Root /Names /EmbeddedFiles, with the same bounds. */
int ec_qpdf_attachments(struct ec_qpdf *q, struct ec_pdf_files *out);

/* As ec_pdf_info: a document-information string as UTF-8 (PDF text strings decoded). */
int ec_qpdf_info(struct ec_qpdf *q, const char *key, char *out, size_t outsz);

#endif
