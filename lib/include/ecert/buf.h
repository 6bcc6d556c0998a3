/* A growable byte buffer for building JSON, HTML and encodings without repeated small allocations. */
#ifndef EC_BUF_H
#define EC_BUF_H

#include <stddef.h>

/*
 * Zero-initialise (or ec_buf_init) before use; the buffer owns p, freed by ec_buf_free.
 * After a failed append the buffer is marked failed (err = EC_ERR_NOMEM) and later appends are
 * no-ops, so a builder may check once at the end. p is always NUL-terminated once anything was added.
 */
struct ec_buf {
	char *p;
	size_t len, cap;
	int err;
};

void ec_buf_init(struct ec_buf *b);
void ec_buf_free(struct ec_buf *b);
void ec_buf_reset(struct ec_buf *b);               /* len = 0, keeps the memory */
int ec_buf_reserve(struct ec_buf *b, size_t more);
int ec_buf_add(struct ec_buf *b, const void *data, size_t len);
int ec_buf_adds(struct ec_buf *b, const char *s);
int ec_buf_addc(struct ec_buf *b, char c);
int ec_buf_addf(struct ec_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append s as a JSON string literal, quotes included (UTF-8 passed through, controls escaped). */
int ec_buf_json(struct ec_buf *b, const char *s);
/* Append s with & < > " ' escaped for HTML text and attribute values. */
int ec_buf_html(struct ec_buf *b, const char *s);

#endif
