/* Strict DER: a schema-free walk over every element, refusing each BER-only freedom it can see. */
#include <stdint.h>
#include <openssl/objects.h>

#include "der.h"
#include "err.h"

#define DEPTH_MAX 32   /* certificates and CRLs nest about 10 deep */

enum {
	U_BOOLEAN = 1, U_INTEGER = 2, U_BITS = 3, U_OCTETS = 4, U_NULL = 5, U_OID = 6, U_ENUM = 10,
	U_SEQ = 16, U_SET = 17
};

static int
bad(const char *what, size_t at)
{
	return ec_err_set(EC_ERR_SYNTAX, "not DER: %s at byte %zu", what, at);
}

/* The primitive universal contents DER pins down without a schema. */
static int
primitive(unsigned tag, const unsigned char *v, size_t n, size_t at)
{
	size_t i;

	switch (tag) {
	case U_BOOLEAN:
		if (n != 1 || (v[0] != 0x00 && v[0] != 0xff))
			return bad("BOOLEAN not encoded as 00 or FF", at);
		break;
	case U_INTEGER:
	case U_ENUM:
		if (n == 0 || (n > 1 && ((v[0] == 0x00 && !(v[1] & 0x80)) || (v[0] == 0xff && (v[1] & 0x80)))))
			return bad("INTEGER not in its shortest form", at);
		break;
	case U_NULL:
		if (n != 0)
			return bad("NULL with contents", at);
		break;
	case U_BITS:
		if (n == 0 || v[0] > 7 || (n == 1 && v[0] != 0) || (n > 1 && (v[n - 1] & ((1u << v[0]) - 1)) != 0))
			return bad("BIT STRING with malformed unused bits", at);
		break;
	case U_OID:
		if (n == 0 || (v[n - 1] & 0x80))
			return bad("truncated OBJECT IDENTIFIER", at);
		for (i = 0; i < n; i++)
			if (v[i] == 0x80 && (i == 0 || !(v[i - 1] & 0x80)))
				return bad("OBJECT IDENTIFIER arc with a leading zero", at);
		break;
	default:
		break;
	}
	return EC_OK;
}

static int
walk(const unsigned char *base, const unsigned char *p, size_t len, int depth)
{
	const unsigned char *end = p + len;
	size_t at, n, k, i;
	unsigned tag;
	int rc;

	if (depth > DEPTH_MAX)
		return bad("nesting too deep", (size_t)(p - base));
	while (p < end) {
		at = (size_t)(p - base);
		if ((p[0] & 0x1f) == 0x1f)
			return bad("high tag number", at);
		tag = p[0] & 0x1f;
		if (end - p < 2)
			return bad("truncated element", at);
		n = p[1];
		p += 2;
		if (n == 0x80)
			return bad("indefinite length", at);
		if (n & 0x80) {
			k = n & 0x7f;
			if (k > sizeof(size_t) || (size_t)(end - p) < k)
				return bad("truncated length", at);
			if (p[0] == 0)
				return bad("length with leading zero bytes", at);
			for (n = 0, i = 0; i < k; i++)
				n = n << 8 | p[i];
			if (n < 0x80)
				return bad("long-form length below 128", at);
			p += k;
		}
		if ((size_t)(end - p) < n)
			return bad("length beyond the end of the data", at);
		if ((base[at] & 0xc0) == 0) {   /* universal class */
			if ((base[at] & 0x20) && tag != U_SEQ && tag != U_SET)
				return bad("constructed form of a primitive type", at);
			if (!(base[at] & 0x20) && (tag == U_SEQ || tag == U_SET))
				return bad("primitive SEQUENCE or SET", at);
			if (!(base[at] & 0x20) && (rc = primitive(tag, p, n, at)) != EC_OK)
				return rc;
		}
		if ((base[at] & 0x20) && (rc = walk(base, p, n, depth + 1)) != EC_OK)
			return rc;
		p += n;
	}
	return EC_OK;
}

int
ec_der_check(const unsigned char *p, size_t len)
{
	if (p == NULL || len == 0)
		return ec_err_set(EC_ERR_SYNTAX, "not DER: empty");
	return walk(p, p, len, 0);
}

int
ec_der_check_exts(const STACK_OF(X509_EXTENSION) *exts)
{
	const ASN1_OCTET_STRING *v;
	X509_EXTENSION *ext;
	char oid[64];
	int i, rc;

	for (i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
		ext = sk_X509_EXTENSION_value(exts, i);
		v = X509_EXTENSION_get_data(ext);
		if ((rc = ec_der_check(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v))) != EC_OK) {
			OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 0);
			return ec_err_set(rc, "extension %s: %s", oid, ec_err_msg(rc));
		}
	}
	return EC_OK;
}
