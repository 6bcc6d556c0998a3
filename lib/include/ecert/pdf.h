/* The PDF e-Cert: a template filled with one record, its QR code and its DER attached (docs/formats-pdf.md). */
#ifndef EC_PDF_H
#define EC_PDF_H

#include <stddef.h>
#include "font.h"
#include "template.h"
#include "types.h"

#define EC_PDF_DER_MAX (64 * 1024)   /* bytes of an attached e-Cert */

/*
 * A renderer: the template and fonts it borrows, its images read and checked once, and the last
 * font subset of each font file (a batch shows the same labels again and again). Each PDF is a
 * fresh libharu document. Create one per thread and render many PDFs with it. Not thread-safe.
 */
struct ec_render;

/*
 * t and f are borrowed and must outlive *out; image files the template names are read and checked
 * now (EC_ERR_NOTFOUND / EC_ERR_IO / EC_ERR_TOOBIG; EC_ERR_SYNTAX for a file that is not PNG or
 * JPEG or is malformed; EC_ERR_UNSUPPORTED for a PNG libharu 2.3.0 cannot draw right: interlaced,
 * 16-bit, or with a transparent palette). Free *out with ec_render_free.
 */
int ec_render_new(const struct ec_template *t, const struct ec_fonts *f, struct ec_render **out);
void ec_render_free(struct ec_render *r);

/*
 * Render e as one page of the template's size:
 *   org         the organisation name ({org});
 *   qr_payload  what the QR code encodes, "<public-url>/v/<number>#<token>" (ec_qr_payload);
 *   url         the verification URL printed under it ({url}), "<public-url>/v/<number>";
 *   der         the signed e-Cert, attached as NUMBER.der.
 * Holder name, title, number (grouped 4-4-4-4-4-2) and dates (YYYY-MM-DD) fill the placeholders;
 * every value is shaped (HarfBuzz, libfribidi) and drawn as character codes in text operators or as
 * glyph outlines under invisible text, never parsed as markup (docs/formats-pdf.md).
 * The same inputs give the same bytes: dates in the Info dictionary come from e->issued_at.
 * On success *pdf is malloc'd for the caller (free()) and *len is its size.
 * The Info dictionary's /ECertQR holds qr_payload (a hex string when it is not printable ASCII).
 * EC_ERR_SYNTAX: a value with invalid UTF-8 or control characters, a character no font of its
 * text item covers (ec_shape_check catches these early), a malformed number;
 * EC_ERR_TOOBIG: a text that does not fit its box even at its min= size, a QR payload over
 * version 15, a DER over EC_PDF_DER_MAX; EC_ERR_ARG: empty DER or payload; EC_ERR_NOMEM;
 * EC_ERR_UNSUPPORTED: libharu or HarfBuzz's subsetter failed on a font file. The bytes depend only on the arguments
 * (and the template and fonts), never on the documents rendered before.
 */
int ec_render_pdf(struct ec_render *r, const struct ec_ecert *e, const char *org, const char *qr_payload,
    const char *url, const unsigned char *der, size_t derlen, unsigned char **pdf, size_t *len);

#endif
