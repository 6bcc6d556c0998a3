/*
 * Fuzz the template images of lib/render/pdf.c: ec_render_new reads the file a template's image item
 * names, sniffs PNG or JPEG, refuses what libharu 2.3.0 would mishandle, has libpng decode a PNG whole
 * under a recoverable error handler, then loads it with libharu's PNG or JPEG loader. The input is
 * that file. A refusal must be one of the codes pdf.h names for a bad image, with a message naming the
 * file; an image accepted must draw: one page rendered with it holds an image XObject.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "date.h"
#include "err.h"
#include "font.h"
#include "helper.h"
#include "pdf.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

/* The smallest template the parser accepts (a {name} text and a QR are required) plus the image. */
#define TEMPLATE \
	"ecert-template 1\npage a4 portrait\n" \
	"font a /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n" \
	"image 5 5 200 100 img.png\ntext 20 150 150 10 font=a size=12 \"{name}\"\nqr 100 200 30\n"
#define NUMBER "0101051994221189347574"
#define URL "http://localhost:8080/v/" NUMBER
#define PAYLOAD URL "#fuzz"

/*
 * The template is written to the helper's scratch directory and loaded once with its fonts, so that
 * its image resolves to img.png there, the file each input is written to (ec_render_new reads it
 * afresh every time).
 */
static char img_path[256];
static struct ec_template *tpl;
static struct ec_fonts *fonts;

static void
cleanup(void)
{
	ec_fonts_free(fonts);
	ec_template_free(tpl);
}

static void
setup(void)
{
	const char *path = fuzz_scratch_write("fuzz.tpl", (const uint8_t *)TEMPLATE, strlen(TEMPLATE));
	int rc;

	if ((rc = ec_template_load(path, &tpl)) != EC_OK || (rc = ec_fonts_load(tpl, &fonts)) != EC_OK) {
		fprintf(stderr, "fuzz: image template: %s\n", ec_err_msg(rc));
		abort();
	}
	snprintf(img_path, sizeof img_path, "%s/img.png", fuzz_scratch_dir());
	for (unsigned i = 0; i < tpl->nitems; i++)
		if (tpl->items[i].kind == EC_TPL_IMAGE && strcmp(tpl->items[i].path, img_path) != 0)
			abort();
	atexit(cleanup);
}

static void
record(struct ec_ecert *e)
{
	memset(e, 0, sizeof *e);
	strcpy(e->number, NUMBER);
	strcpy(e->name, "Zoë");
	strcpy(e->code, "NET-A");
	strcpy(e->title, "Network Associate");
	e->format = EC_FORMAT_ELECTRONIC;
	e->effective = fuzz_day();
	e->expires = ec_date_expiry(e->effective, 3);
	e->issued_at = fuzz_time();
	strcpy(e->kid, "ABCDEFGHIJK");
}

/* A page with the accepted image on it: a whole PDF holding an image XObject. */
static void
render(struct ec_render *r)
{
	static const unsigned char der[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	struct ec_ecert e;
	unsigned char *pdf = NULL;
	size_t len = 0;
	int rc;

	record(&e);
	if ((rc = ec_render_pdf(r, &e, "Fuzz Cert Body", PAYLOAD, URL, der, sizeof der, &pdf, &len)) != EC_OK) {
		/* The image was accepted when the renderer was made: drawing it cannot fail. */
		fprintf(stderr, "fuzz: accepted image does not render: %s\n", ec_err_msg(rc));
		abort();
	}
	if (pdf == NULL || len < 8 || memcmp(pdf, "%PDF-", 5) != 0 || memmem(pdf, len, "/Subtype /Image", 15) == NULL)
		abort();
	free(pdf);
}

/*
 * PNG-aware mutations. A mutated chunk almost never keeps its CRC, and mutated image data almost never
 * inflates to the size IHDR implies, so plain mutations stop at libpng's first two checks. After the
 * usual mutation, most PNGs get their CRCs recomputed, and some their image data re-packed: inflated
 * (as far as it goes), cut or zero-padded to the size IHDR asks for, compressed into one IDAT. A
 * quarter are left as mutated, so that the checks themselves stay fuzzed. The input stays a file that
 * ec_render_new reads as is, so every corpus file and crash replays without this.
 */
#define PNG_SIG "\x89PNG\r\n\x1a\n"
#define REPACK_MAX (256u << 10)   /* raw image bytes: keeps the page rendering fast */

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Recompute the CRC of every whole chunk, in place; bytes after the last whole chunk are left. */
static void
fix_crcs(uint8_t *p, size_t n)
{
	size_t i = 8;

	while (i + 12 <= n) {
		uint32_t len = get32(p + i);

		if (len > n - i - 12)
			break;
		put32(p + i + 8 + len, (uint32_t)crc32(crc32(0, NULL, 0), p + i + 4, len + 4));
		i += 12 + len;
	}
}

/* The raw (filtered) image size IHDR implies, or 0 for a header libpng refuses anyway. */
static size_t
raw_size(const uint8_t *ihdr)
{
	uint64_t w = get32(ihdr), h = get32(ihdr + 4), chans;
	unsigned depth = ihdr[8], ctype = ihdr[9];

	chans = ctype == 0 || ctype == 3 ? 1 : ctype == 2 ? 3 : ctype == 4 ? 2 : ctype == 6 ? 4 : 0;
	if (chans == 0 || w == 0 || h == 0 || w > REPACK_MAX || h > REPACK_MAX || (depth != 1 && depth != 2 &&
	    depth != 4 && depth != 8 && depth != 16))
		return 0;
	return (size_t)(h * ((w * chans * depth + 7) / 8 + 1));
}

/* Rewrite p[0..n) with its IDAT chunks as one holding exactly the raw size IHDR asks for; its new size or 0. */
static size_t
repack(uint8_t *p, size_t n, size_t max)
{
	uint8_t *idat = NULL, *raw = NULL, *out = NULL, *z;
	size_t i = 8, nidat = 0, rawlen = 0, o = 8, done = 0, result = 0;
	uLongf zlen;
	z_stream zs;

	while (i + 12 <= n) {
		uint32_t len = get32(p + i);

		if (len > n - i - 12)
			break;
		if (memcmp(p + i + 4, "IHDR", 4) == 0 && len == 13 && rawlen == 0)
			rawlen = raw_size(p + i + 8);
		if (memcmp(p + i + 4, "IDAT", 4) == 0) {
			uint8_t *q = realloc(idat, nidat + len + 1);

			if (q == NULL)
				goto out;
			idat = q;
			memcpy(idat + nidat, p + i + 8, len);
			nidat += len;
		}
		i += 12 + len;
	}
	if (rawlen == 0 || rawlen > REPACK_MAX || nidat == 0 || (raw = calloc(1, rawlen)) == NULL)
		goto out;
	memset(&zs, 0, sizeof zs);
	if (inflateInit(&zs) != Z_OK)
		goto out;
	zs.next_in = idat;
	zs.avail_in = (uInt)nidat;
	zs.next_out = raw;
	zs.avail_out = (uInt)rawlen;
	(void)inflate(&zs, Z_FINISH);   /* whatever inflates; the rest stays zero (filter type None) */
	inflateEnd(&zs);
	zlen = compressBound((uLong)rawlen);
	if ((out = malloc(n + 12 + zlen)) == NULL)
		goto out;
	memcpy(out, p, 8);
	for (i = 8; i + 12 <= n;) {
		uint32_t len = get32(p + i);

		if (len > n - i - 12)
			break;
		if (memcmp(p + i + 4, "IDAT", 4) != 0) {
			memcpy(out + o, p + i, 12 + len);
			o += 12 + len;
		} else if (!done) {
			z = out + o + 8;
			if (compress2(z, &zlen, raw, (uLong)rawlen, 9) != Z_OK)
				goto out;
			put32(out + o, (uint32_t)zlen);
			memcpy(out + o + 4, "IDAT", 4);
			o += 12 + zlen;
			done = 1;
		}
		i += 12 + len;
	}
	memcpy(out + o, p + i, n - i);
	o += n - i;
	if (o <= max) {
		memcpy(p, out, o);
		result = o;
	}
out:
	free(idat);
	free(raw);
	free(out);
	return result;
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	size_t n;

	size = LLVMFuzzerMutate(data, size, max_size);
	if (size < 8 || memcmp(data, PNG_SIG, 8) != 0 || seed % 4 == 0)
		return size;
	if (seed % 4 == 1 && (n = repack(data, size, max_size)) != 0)
		size = n;
	fix_crcs(data, size);
	return size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_render *r = (struct ec_render *)1;
	int rc;

	if (tpl == NULL)
		setup();
	fuzz_scratch_write("img.png", data, size);
	rc = ec_render_new(tpl, fonts, &r);
	if (rc != EC_OK) {
		/* The ways pdf.h says an image is refused, and nothing else; no renderer; the file named. */
		if (r != NULL || (rc != EC_ERR_SYNTAX && rc != EC_ERR_UNSUPPORTED && rc != EC_ERR_TOOBIG && rc != EC_ERR_NOMEM))
			abort();
		if (rc != EC_ERR_NOMEM && strstr(ec_err_msg(rc), img_path) == NULL) {
			fprintf(stderr, "fuzz: refusal does not name the image: %s\n", ec_err_msg(rc));
			abort();
		}
		return 0;
	}
	if (r == NULL)
		abort();
	render(r);
	ec_render_free(r);
	return 0;
}
