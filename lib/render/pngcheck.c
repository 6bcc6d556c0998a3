/* Full PNG decoding by libpng with a recoverable error handler: the gate in front of libharu's PNG loader. */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

#include "err.h"
#include "pngcheck.h"

#define SIDE_MAX 4096

struct src {
	const unsigned char *p;
	size_t len, off;
	char msg[128];
};

static void
on_error(png_structp png, png_const_charp msg)
{
	struct src *s = png_get_error_ptr(png);

	strncpy(s->msg, msg, sizeof s->msg - 1);
	png_longjmp(png, 1);
}

/* libharu treats libpng's warnings as errors (and then frees the image twice): so do we, first. */
static void
on_warning(png_structp png, png_const_charp msg)
{
	on_error(png, msg);
}

static void
read_mem(png_structp png, png_bytep out, png_size_t n)
{
	struct src *s = png_get_io_ptr(png);

	if (n > s->len - s->off)
		png_error(png, "file ends early");
	memcpy(out, s->p + s->off, n);
	s->off += n;
}

int
ec_png_check(const char *path, const unsigned char *p, size_t len)
{
	struct src s = { p, len, 0, "" };
	png_structp png;
	png_infop info = NULL;
	unsigned char *volatile row = NULL;
	volatile int rc = EC_ERR_NOMEM;

	if ((png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, on_error, on_warning)) == NULL ||
	    (info = png_create_info_struct(png)) == NULL)
		goto out;
	if (setjmp(png_jmpbuf(png))) {
		rc = ec_err_set(EC_ERR_SYNTAX, "image '%s' is a malformed PNG: %s", path, s.msg);
		goto out;
	}
	png_set_read_fn(png, &s, read_mem);
	/* Errors libpng would let pass as warnings (a bad checksum, extra data) are errors here. */
	png_set_benign_errors(png, 0);
	png_read_info(png, info);
	if (png_get_image_width(png, info) > SIDE_MAX || png_get_image_height(png, info) > SIDE_MAX) {
		rc = ec_err_set(EC_ERR_TOOBIG, "image '%s' is over %d x %d pixels", path, SIDE_MAX, SIDE_MAX);
		goto out;
	}
	if ((row = malloc(png_get_rowbytes(png, info))) == NULL)
		goto out;
	/* Every pass of an interlaced image, every row: the whole of the data is checked. */
	for (int pass = png_set_interlace_handling(png); pass > 0; pass--)
		for (png_uint_32 y = 0; y < png_get_image_height(png, info); y++)
			png_read_row(png, row, NULL);
	png_read_end(png, NULL);
	rc = 0;
out:
	png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
	free(row);
	return rc;
}
