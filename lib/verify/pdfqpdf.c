/*
 * Re-saved PDFs through qpdf's C API. qpdf resolves the file's structure; the walk to the embedded
 * files and their decoding stay ours, with the strict reader's bounds (tree depth and size, one
 * FlateDecode at most, the bounded inflate), so a hostile file costs the same either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qpdf/qpdf-c.h>

#include "err.h"
#include "pdfqpdf.h"

#define MAX_TREE_NODES 64
#define MAX_TREE_DEPTH 8

struct ec_qpdf {
	qpdf_data q;
	size_t nodes;
};

/* qpdf's error, if one is pending, as our EC_ERR_SYNTAX; 0 when there is none. */
static int
qerr(struct ec_qpdf *h, const char *what)
{
	qpdf_error e;

	if (!qpdf_has_error(h->q))
		return EC_OK;
	e = qpdf_get_error(h->q);
	return ec_err_set(EC_ERR_SYNTAX, "%s: %.200s", what, e ? qpdf_get_error_full_text(h->q, e) : "qpdf error");
}

int
ec_qpdf_open(const unsigned char *pdf, size_t len, struct ec_qpdf **out)
{
	struct ec_qpdf *h;
	int rc;

	*out = NULL;
	if (len > EC_QPDF_MAX_INPUT)
		return ec_err_set(EC_ERR_TOOBIG, "a PDF of this structure is read only up to %u MiB",
		    EC_QPDF_MAX_INPUT >> 20);
	if ((h = calloc(1, sizeof *h)) == NULL || (h->q = qpdf_init()) == NULL) {
		free(h);
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	}
	qpdf_silence_errors(h->q);
	qpdf_set_suppress_warnings(h->q, QPDF_TRUE);
	if ((qpdf_read_memory(h->q, "PDF", (const char *)pdf, len, NULL) & QPDF_ERRORS) || qpdf_has_error(h->q)) {
		rc = qerr(h, "unreadable PDF");
		ec_qpdf_close(h);
		return rc ? rc : ec_err_set(EC_ERR_SYNTAX, "unreadable PDF");
	}
	*out = h;
	return EC_OK;
}

void
ec_qpdf_close(struct ec_qpdf *h)
{
	if (h == NULL)
		return;
	qpdf_cleanup(&h->q);
	free(h);
}

/* The one filter allowed, FlateDecode (a name or a one-name array), or none; -1 for anything else. */
static int
flate_only(qpdf_data q, qpdf_oh dict)
{
	qpdf_oh f = qpdf_oh_get_key(q, dict, "/Filter"), p = qpdf_oh_get_key(q, dict, "/DecodeParms");

	if (!qpdf_oh_is_null(q, p) && !(qpdf_oh_is_array(q, p) && qpdf_oh_get_array_n_items(q, p) == 0))
		return -1;
	if (qpdf_oh_is_null(q, f))
		return 0;
	if (qpdf_oh_is_array(q, f)) {
		if (qpdf_oh_get_array_n_items(q, f) == 0)
			return 0;
		if (qpdf_oh_get_array_n_items(q, f) != 1)
			return -1;
		f = qpdf_oh_get_array_item(q, f, 0);
	}
	return qpdf_oh_is_name_and_equals(q, f, "/FlateDecode") ? 1 : -1;
}

/* The decoded bytes of embedded-file stream s, bounded like the strict reader's. */
static int
stream_read(struct ec_qpdf *h, qpdf_oh s, unsigned char **out, size_t *outlen)
{
	unsigned char *raw = NULL;
	size_t n = 0;
	int flate, rc;

	if (!qpdf_oh_is_stream(h->q, s))
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: embedded file is not a stream");
	if ((flate = flate_only(h->q, qpdf_oh_get_dict(h->q, s))) < 0)
		return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: stream filter other than FlateDecode");
	if ((qpdf_oh_get_stream_data(h->q, s, qpdf_dl_none, NULL, &raw, &n) & QPDF_ERRORS) || qpdf_has_error(h->q)) {
		free(raw);
		return (rc = qerr(h, "unreadable PDF stream")) ? rc : ec_err_set(EC_ERR_SYNTAX, "unreadable PDF stream");
	}
	if (flate)
		rc = ec_pdf_inflate(raw, n, out, outlen);
	else if (n > EC_PDF_MAX_FILE)
		rc = ec_err_set(EC_ERR_TOOBIG, "PDF attachment larger than %u KiB", EC_PDF_MAX_FILE >> 10);
	else {
		*out = raw;
		*outlen = n;
		raw = NULL;
		rc = EC_OK;
	}
	free(raw);
	return rc;
}

/* A text string of q as UTF-8 into out[size] (cut; bytes outside printable ASCII as '?'). */
static void
display_name(qpdf_data q, qpdf_oh s, char *out, size_t size)
{
	size_t n = 0, i;
	const char *v = qpdf_oh_get_binary_utf8_value(q, s, &n);

	for (i = 0; v != NULL && i < n && i + 1 < size; i++)
		out[i] = v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?';
	out[i] = '\0';
}

static int
add_file(struct ec_qpdf *h, qpdf_oh key, qpdf_oh spec, struct ec_pdf_files *out)
{
	qpdf_data q = h->q;
	qpdf_oh name, ef;
	int rc;

	if (out->n == EC_PDF_MAX_FILES)
		return ec_err_set(EC_ERR_SYNTAX, "unsupported PDF: more than %d attachments", EC_PDF_MAX_FILES);
	if (!qpdf_oh_is_dictionary(q, spec))
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: file specification is not a dictionary");
	ef = qpdf_oh_get_key(q, spec, "/EF");
	if (!qpdf_oh_is_dictionary(q, ef) || !qpdf_oh_has_key(q, ef, "/F"))
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: file specification without /EF /F");
	name = qpdf_oh_get_key(q, spec, "/UF");
	if (!qpdf_oh_is_string(q, name))
		name = qpdf_oh_get_key(q, spec, "/F");
	if (!qpdf_oh_is_string(q, name))
		name = key;
	display_name(q, name, out->f[out->n].name, sizeof out->f[out->n].name);
	if ((rc = stream_read(h, qpdf_oh_get_key(q, ef, "/F"), &out->f[out->n].data, &out->f[out->n].len)) != EC_OK)
		return rc;
	out->n++;
	return EC_OK;
}

/* A name-tree node: its /Names pairs, then its /Kids, depth-first; at most MAX_TREE_NODES nodes. */
static int
tree_walk(struct ec_qpdf *h, qpdf_oh node, int depth, struct ec_pdf_files *out)
{
	qpdf_data q = h->q;
	qpdf_oh arr;
	int i, n, rc;

	if (depth > MAX_TREE_DEPTH || ++h->nodes > MAX_TREE_NODES)
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: embedded-files tree too deep or too large");
	if (!qpdf_oh_is_dictionary(q, node))
		return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: name-tree node is not a dictionary");
	arr = qpdf_oh_get_key(q, node, "/Names");
	if (qpdf_oh_is_array(q, arr)) {
		n = qpdf_oh_get_array_n_items(q, arr);
		if (n % 2 != 0)
			return ec_err_set(EC_ERR_SYNTAX, "malformed PDF: name-tree key without a value");
		for (i = 0; i < n; i += 2)
			if ((rc = add_file(h, qpdf_oh_get_array_item(q, arr, i), qpdf_oh_get_array_item(q, arr, i + 1),
			    out)) != EC_OK)
				return rc;
	}
	arr = qpdf_oh_get_key(q, node, "/Kids");
	if (qpdf_oh_is_array(q, arr))
		for (i = 0, n = qpdf_oh_get_array_n_items(q, arr); i < n; i++)
			if ((rc = tree_walk(h, qpdf_oh_get_array_item(q, arr, i), depth + 1, out)) != EC_OK)
				return rc;
	return EC_OK;
}

int
ec_qpdf_attachments(struct ec_qpdf *h, struct ec_pdf_files *out)
{
	qpdf_data q = h->q;
	qpdf_oh names;
	int rc;

	memset(out, 0, sizeof *out);
	h->nodes = 0;
	names = qpdf_oh_get_key(q, qpdf_get_root(q), "/Names");
	if (!qpdf_oh_is_dictionary(q, names) || !qpdf_oh_has_key(q, names, "/EmbeddedFiles"))
		rc = ec_err_set(EC_ERR_SYNTAX, "no attachment found in the PDF");
	else if ((rc = tree_walk(h, qpdf_oh_get_key(q, names, "/EmbeddedFiles"), 0, out)) == EC_OK && out->n == 0)
		rc = ec_err_set(EC_ERR_SYNTAX, "no attachment found in the PDF");
	if (rc == EC_OK)
		rc = qerr(h, "unreadable PDF");
	if (rc != EC_OK)
		ec_pdf_files_free(out);
	qpdf_oh_release_all(q);
	return rc;
}

int
ec_qpdf_info(struct ec_qpdf *h, const char *key, char *out, size_t outsz)
{
	qpdf_data q = h->q;
	char k[64];
	const char *v;
	qpdf_oh info, s;
	size_t n = 0;
	int rc = EC_OK;

	if (outsz == 0 || outsz > EC_PDF_MAX_FILE || (size_t)snprintf(k, sizeof k, "/%s", key) >= sizeof k)
		return ec_err_set(EC_ERR_ARG, "bad room for a PDF string");
	out[0] = '\0';
	info = qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Info");
	s = qpdf_oh_is_dictionary(q, info) ? qpdf_oh_get_key(q, info, k) : 0;
	if (s == 0 || qpdf_oh_is_null(q, s))
		rc = ec_err_set(EC_ERR_NOTFOUND, "no /%s in the PDF's document information", key);
	else if (!qpdf_oh_is_string(q, s))
		rc = ec_err_set(EC_ERR_SYNTAX, "malformed PDF: /%s is not a string", key);
	else if ((v = qpdf_oh_get_binary_utf8_value(q, s, &n)) == NULL || memchr(v, '\0', n) != NULL)
		rc = ec_err_set(EC_ERR_SYNTAX, "malformed PDF: /%s holds a NUL byte", key);
	else if (n >= outsz)
		rc = ec_err_set(EC_ERR_TOOBIG, "PDF string too long");
	else {
		memcpy(out, v, n);
		out[n] = '\0';
	}
	qpdf_oh_release_all(q);
	return rc;
}
