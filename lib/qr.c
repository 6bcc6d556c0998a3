/* QR module matrices from libqrencode: byte mode, level M, version <= 15; drawing is the caller's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <qrencode.h>

#include "err.h"
#include "qr.h"

/* Version 15 at level M holds 412 bytes; anything longer is refused before encoding. */
#define QR_M15_BYTES 412

int
ec_qr_encode(const void *payload, size_t len, struct ec_qr *out)
{
	QRcode *code = NULL;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return ec_err_set(EC_ERR_ARG, "cannot encode an empty qr payload");
	if (len > QR_M15_BYTES)
		return ec_err_set(EC_ERR_TOOBIG, "qr payload of %zu bytes is over the %d bytes of version %d",
		    len, QR_M15_BYTES, EC_QR_MAX_VERSION);
	errno = 0;
	code = QRcode_encodeData((int)len, payload, 0, QR_ECLEVEL_M);
	if (code == NULL) {
		rc = errno == ERANGE ? ec_err_set(EC_ERR_TOOBIG, "qr payload of %zu bytes does not fit a qr code", len) :
		    errno == ENOMEM ? EC_ERR_NOMEM :
		    ec_err_set(EC_ERR_ARG, "cannot encode the qr payload: %s", strerror(errno));
		goto out;
	}
	if (code->version > EC_QR_MAX_VERSION) {
		rc = ec_err_set(EC_ERR_TOOBIG, "qr payload of %zu bytes needs version %d, over %d",
		    len, code->version, EC_QR_MAX_VERSION);
		goto out;
	}
	n = (size_t)code->width * (size_t)code->width;
	if ((out->dark = malloc(n)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		out->dark[i] = code->data[i] & 1;
	out->version = code->version;
	out->width = code->width;
	rc = 0;
out:
	QRcode_free(code);
	return rc;
}

void
ec_qr_free(struct ec_qr *q)
{
	if (q == NULL)
		return;
	free(q->dark);
	memset(q, 0, sizeof(*q));
}
