/* Fixtures for the fuzz harnesses: loaded once, kept for the life of the process, never fuzzed. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "helper.h"

unsigned char *
fuzz_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("ECERT_FUZZ_DATA");
	char path[1024];
	unsigned char *buf;
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : "tests/fuzz/data", name);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0) {
		fprintf(stderr, "fuzz: cannot open fixture '%s' (run from the top of the tree or set ECERT_FUZZ_DATA)\n",
		    path);
		abort();
	}
	n = (size_t)ftell(f);
	rewind(f);
	if ((buf = malloc(n + 1)) == NULL || fread(buf, 1, n, f) != n)
		abort();
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

const struct ec_trust *
fuzz_trust(void)
{
	static struct ec_trust *t;
	unsigned char *pem;
	size_t len;
	int rc;

	if (t != NULL)
		return t;
	pem = fuzz_fixture("trust.pem", &len);
	if ((rc = ec_trust_load_mem((const char *)pem, len, &t)) != EC_OK) {
		fprintf(stderr, "fuzz: trust.pem: %s\n", ec_err_msg(rc));
		abort();
	}
	free(pem);
	return t;
}

const struct ec_verify_crl *
fuzz_crl(void)
{
	static struct ec_verify_crl c;
	static int done;
	unsigned char *der;
	size_t len;

	if (done)
		return &c;
	der = fuzz_fixture("issuing.crl", &len);
	if (ec_verify_crl_load(fuzz_trust(), "issuing.crl", der, len, &c) != EC_OK) {
		fprintf(stderr, "fuzz: issuing.crl: %s\n", c.msg);
		abort();
	}
	free(der);
	done = 1;
	return &c;
}

ec_day
fuzz_day(void)
{
	ec_day d;

	if (ec_date_parse(FUZZ_DAY, &d) != EC_OK)
		abort();
	return d;
}

int64_t
fuzz_time(void)
{
	return ec_date_to_time(fuzz_day()) + 43200;
}

char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char scratch[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
scratch_remove(void)
{
	nftw(scratch, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

const char *
fuzz_scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (scratch[0] != '\0')
		return scratch;
	snprintf(scratch, sizeof scratch, "%s/ecert-fuzz.XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL)
		abort();
	atexit(scratch_remove);
	return scratch;
}

const char *
fuzz_scratch_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[256];
	const char *slash;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", fuzz_scratch_dir(), name);
	if ((slash = strchr(name, '/')) != NULL) {
		path[strlen(fuzz_scratch_dir()) + 1 + (size_t)(slash - name)] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			abort();
		snprintf(path, sizeof path, "%s/%s", fuzz_scratch_dir(), name);
	}
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}
