/* What an e-Cert needs and libharu's public API lacks, built with libharu's installed object layer. */
#ifndef EC_PDFOBJ_H
#define EC_PDFOBJ_H

#include <stddef.h>
#include <stdint.h>
#include <hpdf.h>

/* The name of the encoder ec_pdfobj_encoder registers. */
#define EC_PDFOBJ_ENCODER "ecert-subset"

/*
 * Register with pdf a two-byte CMap encoder (Identity-H) for the codes of subsets of up to n
 * characters (EC_FONT_CODE(0 .. n - 1)): text is then written as those codes, two bytes per
 * character. libharu's UTF-8 encoder would map the whole Basic Multilingual Plane for every font,
 * a 65,536-code walk and a 128 KB map per font and per PDF; this one maps only the codes in use.
 */
HPDF_STATUS ec_pdfobj_encoder(HPDF_Doc pdf, size_t n);

/* One font subset for ec_pdfobj_font. */
struct ec_pdfobj_prog {
	const unsigned char *read;   /* ec_font_subset's program: code EC_FONT_CODE(i) shows cps[i] */
	size_t read_len;
	const unsigned char *embed;  /* ec_font_embedded's part of it, which the PDF embeds */
	size_t embed_len;
	int cap_height;              /* thousandths of an em (ec_font_cap_height) */
};

/*
 * A font from p, with the encoder of ec_pdfobj_encoder (registered first, for more than n codes), its
 * /ToUnicode map saying which character each code is. libharu reads p->read; the PDF embeds
 * p->embed under a descriptor of ours. Its subset tag is made from a hash of p->read, so the same
 * subset always has the same name and two subsets of fonts that share a PostScript name stay two
 * fonts. NULL on error (libharu's error handler has been called).
 */
HPDF_Font ec_pdfobj_font(HPDF_Doc pdf, const struct ec_pdfobj_prog *p, const uint32_t *cps, size_t n);

/*
 * Attach data as an embedded file named name: a /Filespec with /F and /UF, /Desc, and an
 * /EmbeddedFile stream with the MIME type as /Subtype and /Params /Size, stored unfiltered,
 * listed in the catalog's /EmbeddedFiles name tree.
 */
HPDF_STATUS ec_pdfobj_attach(HPDF_Doc pdf, const char *name, const char *mime, const char *desc,
    const unsigned char *data, size_t len);

/*
 * Set key of the document information dictionary to the UTF-8 text value: a literal string in
 * PDFDocEncoding when every character has a byte there that ISO 8859-1 gives it too (printable
 * ASCII, U+00A1 to U+00FF but the soft hyphen), else UTF-16BE with a byte order mark (any key,
 * standard or not).
 */
HPDF_STATUS ec_pdfobj_info(HPDF_Doc pdf, const char *key, const char *value);

#endif
