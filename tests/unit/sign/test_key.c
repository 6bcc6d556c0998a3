/* Unit tests for lib/sign/key.c, lib/sign/pass.c and lib/pki/kid.c: encrypted key files, passphrase sources, KIDs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "conf.h"
#include "ecx509.h"
#include "err.h"
#include "file.h"
#include "key.h"
#include "pass.h"
#include "pki.h"
#include "../helper_tmp.h"

struct fx {
	char dir[64];
	char path[128];
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/ecert-test-key.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	helper_rmtree(f->dir);
	free(f);
	return 0;
}

static void
put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
round_trip(struct fx *f, enum ec_alg alg, const char *name)
{
	EVP_PKEY *k = NULL, *back = NULL;
	enum ec_alg got;
	struct stat st;
	mode_t old;

	snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
	assert_int_equal(ec_key_generate(alg, &k), 0);
	old = umask(0);   /* the mode must not depend on the caller's umask */
	assert_int_equal(ec_key_save(f->path, k, "correct horse", 13), 0);
	umask(old);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(ec_key_load(f->path, "correct horse", 13, &back), 0);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	assert_int_equal(ec_key_alg(back, &got), 0);
	assert_int_equal(got, alg);
	EVP_PKEY_free(back);
	EVP_PKEY_free(k);
}

static void
test_round_trip(void **state)
{
	round_trip(*state, EC_ALG_P256, "p256.key");
	round_trip(*state, EC_ALG_ED25519, "ed.key");
}

/* The file is standard: PEM "ENCRYPTED PRIVATE KEY" with PBES2/scrypt, readable by plain OpenSSL. */
static void
test_standard_format(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *k = NULL, *back;
	char buf[64];
	FILE *fp;

	snprintf(f->path, sizeof f->path, "%s/std.key", f->dir);
	assert_int_equal(ec_key_generate(EC_ALG_P256, &k), 0);
	assert_int_equal(ec_key_save(f->path, k, "pw", 2), 0);
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof buf, fp));
	assert_string_equal(buf, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
	rewind(fp);
	back = PEM_read_PrivateKey(fp, NULL, NULL, (void *)"pw");
	fclose(fp);
	assert_non_null(back);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);
	EVP_PKEY_free(k);
}

static void
test_wrong_passphrase(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *k = NULL, *back = (EVP_PKEY *)1;

	snprintf(f->path, sizeof f->path, "%s/wrong.key", f->dir);
	assert_int_equal(ec_key_generate(EC_ALG_ED25519, &k), 0);
	assert_int_equal(ec_key_save(f->path, k, "right", 5), 0);
	assert_int_equal(ec_key_load(f->path, "wrong", 5, &back), EC_ERR_PASS);
	assert_null(back);
	assert_non_null(strstr(ec_err_msg(EC_ERR_PASS), f->path));
	assert_int_equal(ec_key_load(f->path, "righ", 4, &back), EC_ERR_PASS);
	assert_int_equal(ec_key_load(f->path, "", 0, &back), EC_ERR_PASS);
	EVP_PKEY_free(k);
}

static void
test_refuses_overwrite(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *k = NULL, *back = NULL;
	struct stat st;

	snprintf(f->path, sizeof f->path, "%s/keep.key", f->dir);
	put(f->path, "precious\n");
	assert_int_equal(ec_key_generate(EC_ALG_P256, &k), 0);
	assert_int_equal(ec_key_save(f->path, k, "pw", 2), EC_ERR_EXISTS);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 9);
	/* Not through a symbolic link either, even a dangling one. */
	snprintf(f->path, sizeof f->path, "%s/link.key", f->dir);
	assert_int_equal(symlink("/nonexistent/target", f->path), 0);
	assert_int_equal(ec_key_save(f->path, k, "pw", 2), EC_ERR_EXISTS);
	/* And a first save works, a second is refused. */
	snprintf(f->path, sizeof f->path, "%s/once.key", f->dir);
	assert_int_equal(ec_key_save(f->path, k, "pw", 2), 0);
	assert_int_equal(ec_key_save(f->path, k, "pw", 2), EC_ERR_EXISTS);
	assert_int_equal(ec_key_load(f->path, "pw", 2, &back), 0);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
	EVP_PKEY_free(back);
	EVP_PKEY_free(k);
}

static void
test_refuses_empty_passphrase(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *k = NULL;

	snprintf(f->path, sizeof f->path, "%s/empty.key", f->dir);
	assert_int_equal(ec_key_generate(EC_ALG_P256, &k), 0);
	assert_int_equal(ec_key_save(f->path, k, "", 0), EC_ERR_ARG);
	assert_int_equal(access(f->path, F_OK), -1);
	EVP_PKEY_free(k);
}

static void
test_corrupt_file(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *k = NULL, *back = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc;

	snprintf(f->path, sizeof f->path, "%s/corrupt.key", f->dir);
	put(f->path, "this is not a key\n");
	assert_int_equal(ec_key_load(f->path, "pw", 2, &back), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), f->path));
	assert_null(back);

	put(f->path, "");
	assert_int_equal(ec_key_load(f->path, "pw", 2, &back), EC_ERR_CORRUPT);

	/* An unencrypted key is not accepted as a key file. */
	assert_int_equal(ec_key_generate(EC_ALG_P256, &k), 0);
	{
		FILE *fp = fopen(f->path, "w");

		assert_non_null(fp);
		assert_int_equal(PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL), 1);
		fclose(fp);
	}
	assert_int_equal(ec_key_load(f->path, "pw", 2, &back), EC_ERR_CORRUPT);

	/* A damaged ciphertext: the file no longer decrypts. */
	snprintf(f->path, sizeof f->path, "%s/damaged.key", f->dir);
	assert_int_equal(ec_key_save(f->path, k, "pw", 2), 0);
	assert_int_equal(ec_file_read(f->path, 4096, &text, &len), 0);
	text[len - 40] = text[len - 40] == 'A' ? 'B' : 'A';
	assert_int_equal(ec_file_write(f->path, text, len, 0600, 1), 0);
	rc = ec_key_load(f->path, "pw", 2, &back);
	assert_true(rc == EC_ERR_PASS || rc == EC_ERR_CORRUPT);
	assert_null(back);
	/* Truncated. */
	assert_int_equal(ec_file_write(f->path, text, len / 2, 0600, 1), 0);
	assert_int_equal(ec_key_load(f->path, "pw", 2, &back), EC_ERR_CORRUPT);
	free(text);

	snprintf(f->path, sizeof f->path, "%s/missing.key", f->dir);
	assert_int_equal(ec_key_load(f->path, "pw", 2, &back), EC_ERR_IO);
	assert_non_null(strstr(ec_err_msg(EC_ERR_IO), f->path));
	EVP_PKEY_free(k);
}

static void
test_pass_sources(void **state)
{
	struct fx *f = *state;
	char *p = NULL, big[2048];
	size_t len = 0;

	snprintf(f->path, sizeof f->path, "%s/pass", f->dir);
	put(f->path, "s3cret phrase\r\nsecond line\n");
	assert_int_equal(ec_pass_get(f->path, "EC_TEST_PASS_UNSET", "x", 0, &p, &len), 0);
	assert_string_equal(p, "s3cret phrase");
	assert_int_equal(len, 13);
	ec_pass_free(p, len);

	/* The file wins over the environment. */
	setenv("EC_TEST_PASS", "from env", 1);
	assert_int_equal(ec_pass_get(f->path, "EC_TEST_PASS", "x", 0, &p, &len), 0);
	assert_string_equal(p, "s3cret phrase");
	ec_pass_free(p, len);
	assert_int_equal(ec_pass_get(NULL, "EC_TEST_PASS", "x", 0, &p, &len), 0);
	assert_string_equal(p, "from env");
	ec_pass_free(p, len);

	setenv("EC_TEST_PASS", "", 1);
	assert_int_equal(ec_pass_get(NULL, "EC_TEST_PASS", "x", 0, &p, &len), EC_ERR_ARG);
	assert_null(p);
	unsetenv("EC_TEST_PASS");

	put(f->path, "\nnot the first line\n");
	assert_int_equal(ec_pass_get(f->path, "EC_TEST_PASS", "x", 0, &p, &len), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "empty"));

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	put(f->path, big);
	assert_int_equal(ec_pass_get(f->path, "EC_TEST_PASS", "x", 0, &p, &len), EC_ERR_ARG);
	setenv("EC_TEST_PASS", big, 1);
	assert_int_equal(ec_pass_get(NULL, "EC_TEST_PASS", "x", 0, &p, &len), EC_ERR_ARG);
	unsetenv("EC_TEST_PASS");

	snprintf(f->path, sizeof f->path, "%s/no-such-pass", f->dir);
	assert_int_equal(ec_pass_get(f->path, "EC_TEST_PASS", "x", 0, &p, &len), EC_ERR_IO);
	assert_non_null(strstr(ec_err_msg(EC_ERR_IO), f->path));
	ec_pass_free(NULL, 0);
}

static void
test_kid(void **state)
{
	EVP_PKEY *a = NULL, *b = NULL;
	char ka[EC_KID_LEN + 1], kb[EC_KID_LEN + 1], again[EC_KID_LEN + 1];
	unsigned char ski[EC_SKI_LEN];
	size_t i;

	(void)state;
	assert_int_equal(ec_key_generate(EC_ALG_P256, &a), 0);
	assert_int_equal(ec_key_generate(EC_ALG_ED25519, &b), 0);
	assert_int_equal(ec_kid_of_pkey(a, ka), 0);
	assert_int_equal(ec_kid_of_pkey(a, again), 0);
	assert_int_equal(ec_kid_of_pkey(b, kb), 0);
	assert_int_equal(strlen(ka), EC_KID_LEN);
	assert_string_equal(ka, again);
	assert_string_not_equal(ka, kb);
	for (i = 0; i < EC_KID_LEN; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", ka[i]));
	assert_int_equal(ec_ski_of_pkey(a, ski), 0);
	assert_int_equal(ec_kid_of_pkey(NULL, ka), EC_ERR_ARG);
	assert_int_equal(ec_kid_of(NULL, ka), EC_ERR_ARG);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

/* The KID of a known key: SHA-256 over its DER SPKI, base64url, 11 characters (docs/formats-ecert.md). */
static void
test_kid_known_answer(void **state)
{
	static const char pem[] =
	    "-----BEGIN PUBLIC KEY-----\n"
	    "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
	    "-----END PUBLIC KEY-----\n";
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	char kid[EC_KID_LEN + 1];

	(void)state;
	assert_non_null(k);
	assert_int_equal(ec_kid_of_pkey(k, kid), 0);
	/* openssl: base64 -d | dgst -sha256 -binary | base64url, first 11 characters */
	assert_string_equal(kid, "oekVYFTgT6y");
	EVP_PKEY_free(k);
	BIO_free(bio);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_standard_format),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_refuses_overwrite),
		cmocka_unit_test(test_refuses_empty_passphrase),
		cmocka_unit_test(test_corrupt_file),
		cmocka_unit_test(test_pass_sources),
		cmocka_unit_test(test_kid),
		cmocka_unit_test(test_kid_known_answer),
	};

	return cmocka_run_group_tests_name("key", tests, setup, teardown);
}
