/* Unit tests for lib/sign/ca.c and lib/base/conf.c: the state directory, init, rotate, list, signers, ecert.conf. */
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

#include "ca.h"
#include "conf.h"
#include "err.h"
#include "file.h"
#include "pki.h"
#include "signer.h"
#include "ecx509.h"
#include "../helper_tmp.h"

#define PASS "issuing pass"
#define ROOT_PASS "root pass"

struct fx {
	char top[64];     /* scratch directory removed at the end */
	char dir[128];    /* an initialised CA */
	struct ec_conf c;
};

static void
conf_default(struct ec_conf *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->org, sizeof c->org, "Example Cert Body");
	snprintf(c->public_url, sizeof c->public_url, "https://verify.example.org");
	snprintf(c->tz, sizeof c->tz, "Asia/Shanghai");
	c->alg = EC_ALG_P256;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	snprintf(f->top, sizeof f->top, "/tmp/ecert-test-ca.XXXXXX");
	if (mkdtemp(f->top) == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "%s/ca", f->top);
	conf_default(&f->c);
	if (ec_ca_init(f->dir, &f->c, ROOT_PASS, strlen(ROOT_PASS), PASS, strlen(PASS)) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	helper_rmtree(f->top);
	free(f);
	return 0;
}

/* A fingerprint of a directory tree: names, sizes, modes and contents, via the shell. */
static char *
snapshot(const char *dir)
{
	char cmd[512], *out = NULL;
	size_t len = 0;
	FILE *p;

	snprintf(cmd, sizeof cmd, "cd '%s' && find . -printf '%%p %%s %%m\\n' | sort && find . -type f | sort | xargs sha256sum", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	out = calloc(1, 65536);
	assert_non_null(out);
	len = fread(out, 1, 65535, p);
	out[len] = '\0';
	pclose(p);
	return out;
}

static int
exists(const char *dir, const char *rel)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	return stat(path, &st) == 0;
}

static void
test_layout(void **state)
{
	struct fx *f = *state;
	char kid[EC_KID_LEN + 1], rel[64], path[256];
	struct stat st;

	assert_int_equal(ec_ca_current_kid(f->dir, kid), 0);
	assert_true(exists(f->dir, "ecert.conf"));
	assert_true(exists(f->dir, "trust.pem"));
	assert_true(exists(f->dir, "certs/root.pem"));
	assert_true(exists(f->dir, "crl"));
	snprintf(rel, sizeof rel, "certs/issuing-%s.pem", kid);
	assert_true(exists(f->dir, rel));
	snprintf(rel, sizeof rel, "certs/issuing-%s.placeholder.pem", kid);
	assert_true(exists(f->dir, rel));
	snprintf(path, sizeof path, "%s/keys", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(path, sizeof path, "%s/keys/root.key", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(path, sizeof path, "%s/keys/issuing-%s.key", f->dir, kid);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

static void
test_init_refuses_existing(void **state)
{
	struct fx *f = *state;
	char *before = snapshot(f->dir), *after;

	assert_int_equal(ec_ca_init(f->dir, &f->c, ROOT_PASS, strlen(ROOT_PASS), PASS, strlen(PASS)), EC_ERR_EXISTS);
	assert_non_null(strstr(ec_err_msg(EC_ERR_EXISTS), f->dir));
	after = snapshot(f->dir);
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* A failed init leaves nothing behind; a bad configuration creates nothing. */
static void
test_init_failures(void **state)
{
	struct fx *f = *state;
	struct ec_conf c;
	char dir[160];

	snprintf(dir, sizeof dir, "%s/bad", f->top);
	conf_default(&c);
	snprintf(c.tz, sizeof c.tz, "Mars/Olympus");
	assert_int_equal(ec_ca_init(dir, &c, ROOT_PASS, strlen(ROOT_PASS), PASS, strlen(PASS)), EC_ERR_ARG);
	assert_int_equal(access(dir, F_OK), -1);
	conf_default(&c);
	assert_int_equal(ec_ca_init(dir, &c, ROOT_PASS, strlen(ROOT_PASS), "", 0), EC_ERR_ARG);
	assert_int_equal(access(dir, F_OK), -1);
	snprintf(dir, sizeof dir, "%s/no/such/parent", f->top);
	assert_int_equal(ec_ca_init(dir, &c, ROOT_PASS, strlen(ROOT_PASS), PASS, strlen(PASS)), EC_ERR_IO);
	/* An existing empty directory is fine to initialise. */
	snprintf(dir, sizeof dir, "%s/empty", f->top);
	assert_int_equal(mkdir(dir, 0755), 0);
	c.alg = EC_ALG_ED25519;
	assert_int_equal(ec_ca_init(dir, &c, ROOT_PASS, strlen(ROOT_PASS), PASS, strlen(PASS)), 0);
}

static void
conf_equal(const struct ec_conf *a, const struct ec_conf *b)
{
	assert_string_equal(a->org, b->org);
	assert_string_equal(a->public_url, b->public_url);
	assert_string_equal(a->tz, b->tz);
	assert_int_equal(a->alg, b->alg);
}

static void
test_conf_round_trip(void **state)
{
	struct fx *f = *state;
	struct ec_conf c, back;

	assert_int_equal(ec_conf_load(f->dir, &back), 0);
	conf_equal(&back, &f->c);
	conf_default(&c);
	snprintf(c.org, sizeof c.org, "Société Générale 认证中心");
	snprintf(c.public_url, sizeof c.public_url, "http://localhost:8080/ecert");
	snprintf(c.tz, sizeof c.tz, "UTC");
	c.alg = EC_ALG_ED25519;
	assert_int_equal(ec_conf_save(f->top, &c), 0);
	assert_int_equal(ec_conf_load(f->top, &back), 0);
	conf_equal(&back, &c);
}

static void
write_conf(const char *dir, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof path, "%s/ecert.conf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_conf_load_errors(void **state)
{
	struct fx *f = *state;
	struct ec_conf c;
	char dir[160];

	snprintf(dir, sizeof dir, "%s/conf", f->top);
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_IO);                 /* no directory */
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_NOTFOUND);           /* not initialised */
	write_conf(dir, "# comment\n\norg = X\n");
	assert_int_equal(ec_conf_load(dir, &c), 0);
	assert_string_equal(c.public_url, "http://localhost:8080");
	assert_string_equal(c.tz, "UTC");
	assert_int_equal(c.alg, EC_ALG_P256);
	write_conf(dir, "org = X\ncolour = blue\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "ecert.conf:2:"));
	write_conf(dir, "org = X\norg = Y\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
	write_conf(dir, "public_url = https://x.org\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
	write_conf(dir, "org = X\nalg = rsa\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
	write_conf(dir, "org = X\njust words\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
	write_conf(dir, "org = X\npublic_url = ftp://x.org\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
	{
		/* a NUL byte would hide what follows it from the line reader: refused, not cut short */
		static const char nul[] = "org = A\0\norg = B\n";
		char path[256];
		FILE *fp;

		snprintf(path, sizeof path, "%s/ecert.conf", dir);
		assert_non_null(fp = fopen(path, "w"));
		assert_int_equal(fwrite(nul, 1, sizeof nul - 1, fp), sizeof nul - 1);
		fclose(fp);
		assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
		assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "NUL byte"));
	}
}

static void
conf_expect(const struct ec_conf *c, int want)
{
	assert_int_equal(ec_conf_check(c), want);
}

static void
test_conf_check(void **state)
{
	struct ec_conf c;
	static const char *const bad_urls[] = {
		"ftp://x.org", "https://", "https:///path", "http://x.org/a b", "http://x.org/\"q\"",
		"http://x.org/#frag", "http://x.org/", "http://x.org/?q=1", "http://user@x.org", "x.org",
		"http://x.org/<script>", "http://x.org/caf\xc3\xa9",
	};
	static const char *const good_urls[] = {
		"http://localhost:8080", "https://verify.example.org", "https://example.org/ecert/v1",
	};
	static const char *const bad_tz[] = { "Mars/Olympus", "../etc/passwd", "/etc/localtime", "", "Europe/../UTC" };
	size_t i;

	(void)state;
	conf_default(&c);
	conf_expect(&c, 0);
	for (i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
		conf_default(&c);
		snprintf(c.public_url, sizeof c.public_url, "%s", bad_urls[i]);
		conf_expect(&c, EC_ERR_ARG);
	}
	for (i = 0; i < sizeof good_urls / sizeof good_urls[0]; i++) {
		conf_default(&c);
		snprintf(c.public_url, sizeof c.public_url, "%s", good_urls[i]);
		conf_expect(&c, 0);
	}
	for (i = 0; i < sizeof bad_tz / sizeof bad_tz[0]; i++) {
		conf_default(&c);
		snprintf(c.tz, sizeof c.tz, "%s", bad_tz[i]);
		conf_expect(&c, EC_ERR_ARG);
	}
	conf_default(&c);
	snprintf(c.tz, sizeof c.tz, "UTC");
	conf_expect(&c, 0);
	snprintf(c.tz, sizeof c.tz, "Europe/Paris");
	conf_expect(&c, 0);

	conf_default(&c);
	c.org[0] = '\0';
	conf_expect(&c, EC_ERR_ARG);
	snprintf(c.org, sizeof c.org, "Tab\tOrg");
	conf_expect(&c, EC_ERR_ARG);
	snprintf(c.org, sizeof c.org, "C1\xc2\x85Org");      /* U+0085 NEXT LINE */
	conf_expect(&c, EC_ERR_ARG);
	snprintf(c.org, sizeof c.org, "Bad\xc3UTF");
	conf_expect(&c, EC_ERR_ARG);
	snprintf(c.org, sizeof c.org, " Leading");
	conf_expect(&c, EC_ERR_ARG);
	snprintf(c.org, sizeof c.org, "%s", "12345678901234567890123456789012345678901");        /* 41 */
	conf_expect(&c, 0);
	snprintf(c.org, sizeof c.org, "%s", "123456789012345678901234567890123456789012");       /* 42 */
	conf_expect(&c, EC_ERR_ARG);
	snprintf(c.org, sizeof c.org, "认证中心认证中心认证中心认证中心认证中心认证中心认证中心认证中心认证中心认证中心认");  /* 41 */
	conf_expect(&c, 0);
	conf_default(&c);
	c.alg = (enum ec_alg)9;
	conf_expect(&c, EC_ERR_ARG);
}

static void
test_conf_dir(void **state)
{
	(void)state;
	assert_string_equal(ec_conf_dir("/x"), "/x");
	setenv("ECERT_HOME", "/from/env", 1);
	assert_string_equal(ec_conf_dir(NULL), "/from/env");
	setenv("ECERT_HOME", "", 1);
	assert_string_equal(ec_conf_dir(NULL), "/var/lib/ecert");
	unsetenv("ECERT_HOME");
	assert_string_equal(ec_conf_dir(NULL), "/var/lib/ecert");
}

static void
test_file_write_read(void **state)
{
	struct fx *f = *state;
	char path[160], *text = NULL;
	size_t len = 0;
	struct stat st;

	snprintf(path, sizeof path, "%s/file", f->top);
	assert_int_equal(ec_file_write(path, "one", 3, 0640, 0), 0);
	assert_int_equal(ec_file_write(path, "two", 3, 0640, 0), EC_ERR_EXISTS);
	assert_int_equal(ec_file_read(path, 100, &text, &len), 0);
	assert_string_equal(text, "one");
	free(text);
	assert_int_equal(ec_file_write(path, "three", 5, 0644, 1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(ec_file_read(path, 4, &text, &len), EC_ERR_TOOBIG);
	assert_null(text);
	assert_int_equal(ec_file_read(f->top, 4, &text, &len), EC_ERR_IO);  /* a directory */
	snprintf(path, sizeof path, "%s/no/such/file", f->top);
	assert_int_equal(ec_file_write(path, "x", 1, 0644, 1), EC_ERR_IO);
}

/* list, rotate, signer loading; a wrong passphrase changes nothing. */
static void
test_rotate_and_list(void **state)
{
	struct fx *f = *state;
	struct ec_ca_info *v = NULL;
	struct ec_signer *s = NULL;
	struct ec_trust *t = NULL;
	char first[EC_KID_LEN + 1], second[EC_KID_LEN + 1], path[256];
	char *before, *after;
	size_t n = 0;

	assert_int_equal(ec_ca_current_kid(f->dir, first), 0);
	assert_int_equal(ec_ca_list(f->dir, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].is_root, 1);
	assert_string_equal(v[0].kid, "");
	assert_non_null(strstr(v[0].subject, "CN=Example Cert Body Root CA"));
	assert_int_equal(v[1].is_root, 0);
	assert_int_equal(v[1].current, 1);
	assert_string_equal(v[1].kid, first);
	assert_non_null(strstr(v[1].subject, first));
	assert_true(v[0].not_after - v[0].not_before >= (int64_t)30 * 365 * 86400);
	assert_true(v[1].not_after - v[1].not_before >= (int64_t)15 * 365 * 86400);
	free(v);

	before = snapshot(f->dir);
	assert_int_equal(ec_ca_rotate(f->dir, "wrong", 5, PASS, strlen(PASS), second), EC_ERR_PASS);
	assert_non_null(strstr(ec_err_msg(EC_ERR_PASS), "root.key"));
	assert_int_equal(ec_ca_rotate(f->dir, ROOT_PASS, strlen(ROOT_PASS), "wrong", 5, second), EC_ERR_PASS);
	assert_non_null(strstr(ec_err_msg(EC_ERR_PASS), first));
	after = snapshot(f->dir);
	assert_string_equal(before, after);
	free(before);
	free(after);

	assert_int_equal(ec_ca_rotate(f->dir, ROOT_PASS, strlen(ROOT_PASS), PASS, strlen(PASS), second), 0);
	assert_string_not_equal(first, second);
	assert_int_equal(ec_ca_list(f->dir, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[1].kid, first);
	assert_int_equal(v[1].current, 0);
	assert_string_equal(v[2].kid, second);
	assert_int_equal(v[2].current, 1);
	free(v);

	snprintf(path, sizeof path, "%s/trust.pem", f->dir);
	assert_int_equal(ec_trust_load(path, &t), 0);
	assert_non_null(ec_trust_issuer(t, first));
	assert_non_null(ec_trust_issuer(t, second));
	ec_trust_free(t);

	assert_int_equal(ec_ca_signer_load(f->dir, NULL, PASS, strlen(PASS), &s), 0);
	assert_string_equal(s->kid, second);
	assert_int_equal(s->retired, 0);
	assert_string_equal(s->public_url, "https://verify.example.org");
	assert_int_equal(strncmp(s->crl_url, "https://verify.example.org/crl/", 31), 0);
	assert_string_equal(s->crl_url + 31 + EC_KID_LEN, ".crl");
	assert_int_equal(s->alg, EC_ALG_P256);
	ec_signer_free(s);
	assert_int_equal(ec_ca_signer_load(f->dir, first, PASS, strlen(PASS), &s), 0);
	assert_int_equal(s->retired, 1);
	ec_signer_free(s);
	assert_int_equal(ec_ca_signer_load(f->dir, "AAAAAAAAAAA", PASS, strlen(PASS), &s), EC_ERR_NOTFOUND);
	assert_int_equal(ec_ca_signer_load(f->dir, "../../x", PASS, strlen(PASS), &s), EC_ERR_NOTFOUND);
	assert_int_equal(ec_ca_signer_load(f->dir, NULL, "wrong", 5, &s), EC_ERR_PASS);
	assert_null(s);
	ec_signer_free(NULL);
}

/* A corrupted current-KID file or key file is reported with the file named. */
static void
test_corrupt_state(void **state)
{
	struct fx *f = *state;
	struct ec_signer *s = NULL;
	char kid[EC_KID_LEN + 1], path[256];
	FILE *fp;

	assert_int_equal(ec_ca_current_kid(f->dir, kid), 0);
	snprintf(path, sizeof path, "%s/keys/issuing-%s.key", f->dir, kid);
	assert_int_equal(chmod(path, 0600), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", fp);
	fclose(fp);
	assert_int_equal(ec_ca_signer_load(f->dir, NULL, PASS, strlen(PASS), &s), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), path));
	snprintf(path, sizeof path, "%s/certs/current", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("../../etc/x\n", fp);
	fclose(fp);
	assert_int_equal(ec_ca_current_kid(f->dir, kid), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), path));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_refuses_existing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf_load_errors, setup, teardown),
		cmocka_unit_test(test_conf_check),
		cmocka_unit_test(test_conf_dir),
		cmocka_unit_test_setup_teardown(test_file_write_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_and_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_state, setup, teardown),
	};

	return cmocka_run_group_tests_name("ca", tests, NULL, NULL);
}
