/* Shared fixtures of the libFuzzer harnesses: the fixed trust bundle and CRL in tests/fuzz/data/. */
#ifndef EC_FUZZ_HELPER_H
#define EC_FUZZ_HELPER_H

#include <stddef.h>
#include <stdint.h>

#include "crl.h"
#include "pki.h"
#include "types.h"
#include "verify.h"

/* The day the fixtures were made (ECERT_NOW): the trust bundle and the CRL are valid then. */
#define FUZZ_DAY "2026-03-11"

/*
 * Read fixture name from $ECERT_FUZZ_DATA (default tests/fuzz/data, relative to the top of the tree,
 * where the harnesses run). The buffer is malloc'd, NUL-terminated, the caller's; aborts when missing:
 * a harness without its fixtures would fuzz nothing.
 */
unsigned char *fuzz_fixture(const char *name, size_t *len);

/* The fixed trust bundle (data/trust.pem), loaded once; owned by the helper for the process' life. */
const struct ec_trust *fuzz_trust(void);

/* The fixed CRL (data/issuing.crl) loaded against fuzz_trust(), once; owned by the helper. */
const struct ec_verify_crl *fuzz_crl(void);

/* FUZZ_DAY as an ec_day, and noon of it as seconds since the epoch. */
ec_day fuzz_day(void);
int64_t fuzz_time(void);

/*
 * For parsers that read a path: a private scratch directory made on first use (under $TMPDIR, else
 * /tmp) and removed at exit, and data[0..size) written to the file name in it (name may hold one
 * subfolder, made on first use). Both return a path owned by the helper; they abort on failure.
 */
const char *fuzz_scratch_dir(void);
const char *fuzz_scratch_write(const char *name, const uint8_t *data, size_t size);

/* A NUL-terminated malloc'd copy of data[0..size); aborts when out of memory. */
char *fuzz_str(const uint8_t *data, size_t size);

#endif
