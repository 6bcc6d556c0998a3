/* A strict DER check for whole ASN.1 structures read from outside (e-Certs, CA certificates, CRLs). */
#ifndef EC_DER_H
#define EC_DER_H

#include <stddef.h>
#include <openssl/x509.h>

/*
 * 0 when p[0..len) is exactly one or more complete DER elements, EC_ERR_SYNTAX otherwise, with a
 * detail naming the first fault and its offset ("not DER: indefinite length at byte 0"). Checked at
 * every level: low tag numbers, definite minimal lengths, no constructed form of a primitive
 * universal type, BOOLEAN 0x00 or 0xFF, minimal INTEGER and ENUMERATED, NULL empty, BIT STRING
 * unused bits in range and zero, OBJECT IDENTIFIER arcs minimal. What it cannot see without a
 * schema (implicitly tagged values, SET OF order, the DER inside OCTET STRINGs) the callers check by
 * re-encoding.
 */
int ec_der_check(const unsigned char *p, size_t len);

/*
 * ec_der_check() on each extension's value (the DER inside its OCTET STRING, which the walk over the
 * whole certificate or CRL cannot see), the extension named in the detail. NULL exts: EC_OK.
 */
int ec_der_check_exts(const STACK_OF(X509_EXTENSION) *exts);

#endif
