/* QR codes for e-Cert payloads: libqrencode in byte mode, error correction M, version 15 at most. */
#ifndef EC_QR_H
#define EC_QR_H

#include <stddef.h>

#define EC_QR_MAX_VERSION 15

/*
 * The module matrix of one symbol, without the quiet zone. dark[y * width + x] is 1 for a dark
 * module, 0 for a light one; row 0 is the top. The caller owns dark and frees it with ec_qr_free.
 */
struct ec_qr {
	int version;
	int width;
	unsigned char *dark;
};

/*
 * Encode payload[0..len) (any bytes) in byte mode at level M with the smallest version that holds it.
 * EC_ERR_TOOBIG when it needs a version above EC_QR_MAX_VERSION (more than 412 bytes),
 * EC_ERR_ARG for len 0, EC_ERR_NOMEM. On success fills out; release with ec_qr_free.
 */
int ec_qr_encode(const void *payload, size_t len, struct ec_qr *out);

/* Free out->dark and zero *q; safe on a zeroed or already freed struct. */
void ec_qr_free(struct ec_qr *q);

#endif
