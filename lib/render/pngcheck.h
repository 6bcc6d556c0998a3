/* A PNG decoded once by libpng under our own error handling, before libharu (which would abort on it) sees it. */
#ifndef EC_PNGCHECK_H
#define EC_PNGCHECK_H

#include <stddef.h>

/*
 * 0 when libpng decodes p[0..len) whole without an error; else EC_ERR_SYNTAX naming path and
 * libpng's message, EC_ERR_TOOBIG over 4096 x 4096 pixels, EC_ERR_NOMEM. libharu 2.3.0 reads PNG
 * files with libpng but sets no error handler, so a malformed file aborts the process there.
 */
int ec_png_check(const char *path, const unsigned char *p, size_t len);

#endif
