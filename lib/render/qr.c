/* QR codes by libqrencode: byte mode, error correction M, the smallest version up to 15. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <qrencode.h>

#include "err.h"
#include "qr.h"

int
ec_qr_encode(const void *payload, size_t len, struct ec_qr *out)
{
	QRcode *q;
	int rc;

	memset(out, 0, sizeof *out);
	if (len == 0)
		return ec_err_set(EC_ERR_ARG, "empty QR payload");
	if (len > 4096)
		return ec_err_set(EC_ERR_TOOBIG, "QR payload of %zu bytes needs a version above %d", len, EC_QR_MAX_VERSION);
	errno = 0;
	if ((q = QRcode_encodeData((int)len, payload, 0, QR_ECLEVEL_M)) == NULL)
		return errno == ENOMEM ? EC_ERR_NOMEM :
		    ec_err_set(EC_ERR_TOOBIG, "QR payload of %zu bytes needs a version above %d", len, EC_QR_MAX_VERSION);
	if (q->version > EC_QR_MAX_VERSION) {
		rc = ec_err_set(EC_ERR_TOOBIG, "QR payload of %zu bytes needs version %d, above %d", len, q->version,
		    EC_QR_MAX_VERSION);
		goto out;
	}
	if ((out->dark = malloc((size_t)q->width * (size_t)q->width)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	/* Bit 0 of each libqrencode module is its colour; the other bits say what part of the symbol it is. */
	for (size_t i = 0; i < (size_t)q->width * (size_t)q->width; i++)
		out->dark[i] = q->data[i] & 1;
	out->version = q->version;
	out->width = q->width;
	rc = 0;
out:
	QRcode_free(q);
	return rc;
}

void
ec_qr_free(struct ec_qr *q)
{
	free(q->dark);
	memset(q, 0, sizeof *q);
}
