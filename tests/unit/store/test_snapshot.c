/*
 * Unit tests for published snapshots: replicas serve only what the office published, so any change to
 * a snapshot must be refused by name, old snapshots and crash leftovers go, and the name key never leaves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "date.h"
#include "err.h"
#include "file.h"
#include "number.h"
#include "public.h"
#include "snapshot.h"
#include "../helper_pki.h"
#include "../helper_tmp.h"

#define NCERT 3
#define GEN 7
#define NOW 1772500000
#define URL "https://verify.example.org"
#define ROOT_CRL "root CRL\0with a NUL"
#define KID_CRL "AbCdEfGhIjK CRL"
#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

/* An office state directory and the directory its snapshots go to, both in the test's tmpdir. */
struct env {
	char top[64];
	char state[96];
	char to[96];
	char numbers[NCERT][EC_NUMBER_DIGITS + 1];
};

static void
put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *
read_all(const char *dir, const char *name, size_t *len)
{
	char path[PATH_MAX], *data;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_int_equal(ec_file_read(path, 1u << 26, &data, len), 0);
	return data;
}

/* The public register: NCERT certificates of one issuing CA, at generation GEN. */
static void
make_public(struct env *e, const char *kid)
{
	struct ec_pub recs[NCERT];
	struct ec_ecert c;
	struct ec_pubw *w;
	char pub[128], key[128];
	size_t i;

	snprintf(pub, sizeof pub, "%s/public", e->state);
	snprintf(key, sizeof key, "%s/name.key", e->state);
	assert_int_equal(ec_pubw_open(pub, key, &w), 0);
	for (i = 0; i < NCERT; i++) {
		memset(&c, 0, sizeof c);
		assert_int_equal(ec_number_generate(511, c.number), 0);
		snprintf(c.name, sizeof c.name, "Zoë O'Brien %zu", i);
		strcpy(c.code, "HCIA-AI");
		strcpy(c.title, "Huawei Certified ICT Associate - AI");
		c.effective = 20500;
		c.expires = ec_date_expiry(20500, 3);
		strcpy(c.kid, kid);
		assert_int_equal(ec_pubw_make(w, &c, EC_ST_VALID, 0, NULL, NULL, "Example Issuing CA", &recs[i]), 0);
		strcpy(e->numbers[i], c.number);
	}
	assert_int_equal(ec_pubw_put(w, recs, NCERT, GEN), 0);
	ec_pubw_close(w);
}

/* What ec_snap_publish reads: ecert.conf, trust.pem, crl/ (with files it must skip) and public/. */
static void
env_make(void **state, struct env *e)
{
	struct helper_ca ca, *cas[1] = { &ca };
	struct ec_conf conf;
	char crl[128], *pem;
	size_t len;

	memset(e, 0, sizeof *e);
	snprintf(e->top, sizeof e->top, "%s", (const char *)*state);
	snprintf(e->state, sizeof e->state, "%s/state", e->top);
	snprintf(e->to, sizeof e->to, "%s/to", e->top);
	snprintf(crl, sizeof crl, "%s/crl", e->state);
	assert_int_equal(mkdir(e->state, 0755), 0);
	assert_int_equal(mkdir(crl, 0755), 0);

	memset(&conf, 0, sizeof conf);
	strcpy(conf.org, "Example");
	strcpy(conf.public_url, URL);
	strcpy(conf.tz, "UTC");
	conf.alg = EC_ALG_P256;
	assert_int_equal(ec_conf_save(e->state, &conf), 0);

	assert_int_equal(helper_ca_make(&ca, EC_ALG_P256, "Example"), 0);
	assert_non_null(pem = helper_ca_trust_pem(cas, 1, &len));
	put_file(e->state, "trust.pem", pem, len);
	free(pem);

	put_file(crl, "root.crl", ROOT_CRL, sizeof ROOT_CRL - 1);
	put_file(crl, "AbCdEfGhIjK.crl", KID_CRL, strlen(KID_CRL));
	put_file(crl, "notes.txt", "not a CRL", 9);
	put_file(crl, "bad name.crl", "not a CRL name", 14);

	make_public(e, ec_signer_kid(&ca.s));
	helper_ca_free(&ca);
}

static void
publish(const struct env *e, unsigned keep, struct ec_snap *s)
{
	assert_int_equal(ec_snap_publish(e->state, e->to, keep, NOW, s), 0);
}

/* e->to/name, or e->to/name/file, into out. */
static char *
in_to(char *out, size_t size, const struct env *e, const char *name, const char *file)
{
	if (file)
		snprintf(out, size, "%s/%s/%s", e->to, name, file);
	else
		snprintf(out, size, "%s/%s", e->to, name);
	return out;
}

static int
listed(const struct ec_snap *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, path))
			return 1;
	return 0;
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int
count_prefixed(const char *dir, const char *prefix)
{
	struct dirent *d;
	DIR *dp;
	int n = 0;

	assert_non_null(dp = opendir(dir));
	while ((d = readdir(dp)) != NULL)
		n += !strncmp(d->d_name, prefix, strlen(prefix));
	closedir(dp);
	return n;
}

/* Flip the first byte of dir/name in place: same size, another digest. */
static void
flip_byte(const char *dir, const char *name)
{
	char path[PATH_MAX];
	FILE *f;
	int c;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "r+b"));
	assert_int_not_equal(c = fgetc(f), EOF);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	assert_int_equal(fputc(c ^ 1, f), c ^ 1);
	assert_int_equal(fclose(f), 0);
}

static void
append(const char *dir, const char *name, const char *tail)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "ab"));
	assert_true(fputs(tail, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* text with its first from replaced by to; malloc'd. */
static char *
edited(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *out;

	assert_non_null(at);
	assert_non_null(out = malloc(n));
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

/* The whole line of text that ends in tail (newline included); malloc'd. */
static char *
line_ending(const char *text, const char *tail)
{
	const char *end = strstr(text, tail), *start = end;

	assert_non_null(end);
	while (start > text && start[-1] != '\n')
		start--;
	return strndup(start, (size_t)(end - start) + strlen(tail));
}

/* Write text (freed here) as dir/MANIFEST and expect ec_snap_verify to refuse it with code and detail. */
static void
manifest_refused(const char *dir, char *text, int code, const char *detail)
{
	struct ec_snap s;

	put_file(dir, "MANIFEST", text, strlen(text));
	free(text);
	assert_int_equal(ec_snap_verify(dir, &s), code);
	assert_non_null(strstr(ec_err_msg(code), detail));
}

/* The name key, as its file spells it and as bytes, and the regular files searched for it. */
static struct {
	char hex[2 * EC_NAME_KEY_LEN + 1];
	unsigned char raw[EC_NAME_KEY_LEN];
	size_t files;
} leak;

static int
no_key_in(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char *data;
	size_t len;

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	assert_int_equal(ec_file_read(path, 1u << 26, &data, &len), 0);
	assert_null(memmem(data, len, leak.hex, strlen(leak.hex)));
	assert_null(memmem(data, len, leak.raw, sizeof leak.raw));
	free(data);
	leak.files++;
	return 0;
}

/* A first publication: its manifest, the current link, and a register copy replicas can open frozen. */
static void
test_publish_fresh(void **state)
{
	struct ec_snap s, v;
	struct ec_pubreg *r;
	struct ec_pub p;
	struct env e;
	char path[256], name[24];
	size_t i;

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	assert_int_equal(s.sequence, 1);
	assert_int_equal(s.time, NOW);
	assert_int_equal(s.generation, GEN);
	assert_int_equal(s.certificates, NCERT);
	assert_string_equal(s.public_url, URL);
	assert_string_equal(s.tz, "UTC");
	/* notes.txt and "bad name.crl" are no CRLs ecert-ca writes: replicas must not serve them */
	assert_int_equal(s.nfiles, 3 + 2);
	assert_true(listed(&s, "public/data.mdb"));
	assert_true(listed(&s, "trust.pem"));
	assert_true(listed(&s, "jwks.json"));
	assert_true(listed(&s, "crl/root.crl"));
	assert_true(listed(&s, "crl/AbCdEfGhIjK.crl"));
	assert_false(listed(&s, "crl/notes.txt"));
	assert_false(listed(&s, "crl/bad name.crl"));
	assert_false(exists(in_to(path, sizeof path, &e, "1", "crl/notes.txt")));

	assert_int_equal(ec_snap_current(e.to, name, sizeof name), 0);
	assert_string_equal(name, "1");
	assert_true(exists(in_to(path, sizeof path, &e, "1", "MANIFEST")));
	/* a lock file would need a writable snapshot on the replica */
	assert_false(exists(in_to(path, sizeof path, &e, "1", "public/lock.mdb")));

	assert_int_equal(ec_snap_verify(in_to(path, sizeof path, &e, "1", NULL), &v), 0);
	assert_int_equal(v.sequence, s.sequence);
	assert_int_equal(v.time, s.time);
	assert_int_equal(v.generation, s.generation);
	assert_int_equal(v.certificates, s.certificates);
	assert_string_equal(v.public_url, s.public_url);
	assert_string_equal(v.tz, s.tz);
	assert_int_equal(v.nfiles, s.nfiles);
	for (i = 0; i < s.nfiles; i++) {
		assert_string_equal(v.files[i].path, s.files[i].path);
		assert_int_equal(v.files[i].size, s.files[i].size);
		assert_memory_equal(v.files[i].sha256, s.files[i].sha256, sizeof s.files[i].sha256);
	}

	assert_int_equal(ec_pubreg_open_frozen(in_to(path, sizeof path, &e, "1", "public"), &r), 0);
	assert_int_equal(ec_pubreg_get(r, e.numbers[1], &p), 0);
	assert_string_equal(p.number, e.numbers[1]);
	assert_int_equal(p.status, EC_ST_VALID);
	ec_pubreg_close(r);
	assert_false(exists(in_to(path, sizeof path, &e, "1", "public/lock.mdb")));
}

/* The name key would let anyone confirm guessed names against the register: no snapshot file holds it. */
static void
test_no_name_key(void **state)
{
	struct ec_snap s;
	struct env e;
	char path[256], *text;
	size_t len;

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	text = read_all(e.state, "name.key", &len);
	assert_true(len >= 2 * EC_NAME_KEY_LEN);
	snprintf(leak.hex, sizeof leak.hex, "%.*s", 2 * EC_NAME_KEY_LEN, text);
	free(text);
	snprintf(path, sizeof path, "%s/name.key", e.state);
	assert_int_equal(ec_name_key_read(path, leak.raw), 0);
	leak.files = 0;
	assert_int_equal(nftw(in_to(path, sizeof path, &e, "1", NULL), no_key_in, 16, FTW_PHYS), 0);
	/* every listed file and MANIFEST were searched, and nothing unlisted came along */
	assert_int_equal(leak.files, s.nfiles + 1);
}

/* Each publication is one more; only the newest keep stay, and current follows the newest. */
static void
test_keep(void **state)
{
	struct ec_snap s;
	struct env e;
	char path[256], name[24];

	env_make(state, &e);
	publish(&e, 2, &s);
	publish(&e, 2, &s);
	assert_int_equal(s.sequence, 2);
	assert_true(exists(in_to(path, sizeof path, &e, "1", NULL)));
	publish(&e, 2, &s);
	assert_int_equal(s.sequence, 3);
	assert_false(exists(in_to(path, sizeof path, &e, "1", NULL)));
	assert_int_equal(ec_snap_verify(in_to(path, sizeof path, &e, "2", NULL), &s), 0);
	assert_int_equal(ec_snap_verify(in_to(path, sizeof path, &e, "3", NULL), &s), 0);
	assert_int_equal(ec_snap_current(e.to, name, sizeof name), 0);
	assert_string_equal(name, "3");
}

/* What a crashed publisher left behind goes with the next publication. */
static void
test_incoming_removed(void **state)
{
	struct ec_snap s;
	struct env e;
	char path[256];

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	assert_int_equal(mkdir(in_to(path, sizeof path, &e, ".incoming-9", NULL), 0755), 0);
	assert_int_equal(mkdir(in_to(path, sizeof path, &e, ".incoming-9", "crl"), 0755), 0);
	put_file(path, "root.crl", "half", 4);
	put_file(in_to(path, sizeof path, &e, ".incoming-9", NULL), "trust.pem", "half", 4);
	publish(&e, EC_SNAP_KEEP, &s);
	assert_int_equal(s.sequence, 2);
	assert_int_equal(count_prefixed(e.to, ".incoming-"), 0);
}

/* A listed file changed in place or grown is refused, named, with what differs. */
static void
test_file_changed(void **state)
{
	struct ec_snap s;
	struct env e;
	char dir[256], *trust, *jwks;
	size_t tlen, jlen;

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	in_to(dir, sizeof dir, &e, "1", NULL);
	trust = read_all(dir, "trust.pem", &tlen);
	jwks = read_all(dir, "jwks.json", &jlen);

	flip_byte(dir, "trust.pem");
	assert_int_equal(ec_snap_verify(dir, &s), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "'trust.pem'"));
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "SHA-256 differs"));
	put_file(dir, "trust.pem", trust, tlen);

	append(dir, "jwks.json", " ");
	assert_int_equal(ec_snap_verify(dir, &s), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "'jwks.json'"));
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "size differs"));
	put_file(dir, "jwks.json", jwks, jlen);

	/* restored, it passes again: the refusals were the changes' doing */
	assert_int_equal(ec_snap_verify(dir, &s), 0);
	free(trust);
	free(jwks);
}

/* A listed file or the manifest itself gone: not found, and named. */
static void
test_file_missing(void **state)
{
	struct ec_snap s;
	struct env e;
	char dir[256], path[256];

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	in_to(dir, sizeof dir, &e, "1", NULL);
	assert_int_equal(unlink(in_to(path, sizeof path, &e, "1", "crl/root.crl")), 0);
	assert_int_equal(ec_snap_verify(dir, &s), EC_ERR_NOTFOUND);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "crl/root.crl"));
	assert_int_equal(unlink(in_to(path, sizeof path, &e, "1", "MANIFEST")), 0);
	assert_int_equal(ec_snap_verify(dir, &s), EC_ERR_NOTFOUND);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "MANIFEST"));
}

/*
 * A listed file replaced by a link is refused even when the link leads to identical bytes: a replica
 * following links could be made to serve any file it can read. A directory is no file either.
 */
static void
test_file_not_regular(void **state)
{
	struct ec_snap s;
	struct env e;
	char dir[256], path[256], outside[256];
	int rc;

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	in_to(dir, sizeof dir, &e, "1", NULL);
	snprintf(outside, sizeof outside, "%s/root.crl", e.top);
	put_file(e.top, "root.crl", ROOT_CRL, sizeof ROOT_CRL - 1);
	in_to(path, sizeof path, &e, "1", "crl/root.crl");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(outside, path), 0);
	/* a link is not followed, even to identical bytes: the snapshot is damaged, not the system */
	assert_int_equal(rc = ec_snap_verify(dir, &s), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(rc), "'crl/root.crl' is not a regular file"));

	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ec_snap_verify(dir, &s), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "'crl/root.crl' is not a regular file"));
	assert_int_equal(rmdir(path), 0);

	/* nor a link in place of a directory of the snapshot, to a copy of it elsewhere */
	in_to(path, sizeof path, &e, "1", "crl");
	snprintf(outside, sizeof outside, "%s/crl-copy", e.top);
	assert_int_equal(rename(path, outside), 0);
	put_file(outside, "root.crl", ROOT_CRL, sizeof ROOT_CRL - 1);
	assert_int_equal(symlink(outside, path), 0);
	assert_int_equal(ec_snap_verify(dir, &s), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "is not a regular file"));
}

/* A snapshot is its directory's number: a manifest of another, or a renamed directory, is refused. */
static void
test_manifest_sequence(void **state)
{
	struct ec_snap s;
	struct env e;
	char dir[256], moved[256], *text;
	size_t len;

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	in_to(dir, sizeof dir, &e, "1", NULL);
	text = read_all(dir, "MANIFEST", &len);
	manifest_refused(dir, edited(text, "sequence 1\n", "sequence 2\n"), EC_ERR_CORRUPT, "says it is number 2");

	put_file(dir, "MANIFEST", text, len);
	/* the directory's name however its path ends */
	assert_true((size_t)snprintf(moved, sizeof moved, "%s//", dir) < sizeof moved);
	assert_int_equal(ec_snap_verify(moved, &s), 0);
	assert_int_equal(rename(dir, in_to(moved, sizeof moved, &e, "5", NULL)), 0);
	assert_int_equal(ec_snap_verify(moved, &s), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "says it is number 1"));
	free(text);
}

/* A manifest may list only the files replicas serve, inside the snapshot, each once. */
static void
test_manifest_paths(void **state)
{
	struct ec_snap s;
	struct env e;
	char dir[256], both[512], *text, *line;
	size_t len;

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	in_to(dir, sizeof dir, &e, "1", NULL);
	text = read_all(dir, "MANIFEST", &len);
	manifest_refused(dir, edited(text, "tz UTC\n", "tz UTC\nfile " ZEROS " 4 ../etc/passwd\n"), EC_ERR_CORRUPT,
	    "bad file line");
	manifest_refused(dir, edited(text, "tz UTC\n", "tz UTC\nfile " ZEROS " 4 /etc/passwd\n"), EC_ERR_CORRUPT,
	    "bad file line");
	manifest_refused(dir, edited(text, "tz UTC\n", "tz UTC\nfile " ZEROS " 4 crl/x.txt\n"), EC_ERR_CORRUPT,
	    "bad file line");
	line = line_ending(text, " trust.pem\n");
	snprintf(both, sizeof both, "%s%s", line, line);
	manifest_refused(dir, edited(text, line, both), EC_ERR_CORRUPT, "'trust.pem' listed twice");
	free(line);
	free(text);
}

/* The manifest's own form: magic line, each key once, nothing unknown, whole lines, the files replicas need. */
static void
test_manifest_syntax(void **state)
{
	struct ec_snap s;
	struct env e;
	char dir[256], *text, *jwks;
	size_t len;

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	in_to(dir, sizeof dir, &e, "1", NULL);
	text = read_all(dir, "MANIFEST", &len);
	/* rewritten as it was, it passes: each refusal below is its one edit's */
	put_file(dir, "MANIFEST", text, len);
	assert_int_equal(ec_snap_verify(dir, &s), 0);

	manifest_refused(dir, edited(text, "tz UTC\n", "tz UTC\ncolour blue\n"), EC_ERR_CORRUPT,
	    "unknown or repeated key 'colour'");
	manifest_refused(dir, edited(text, "tz UTC\n", "tz UTC\ntz UTC\n"), EC_ERR_CORRUPT,
	    "unknown or repeated key 'tz'");
	manifest_refused(dir, edited(text, "tz UTC\n", ""), EC_ERR_CORRUPT, "lacks one of");
	manifest_refused(dir, strndup(text, len - 1), EC_ERR_CORRUPT, "is not a snapshot manifest");
	manifest_refused(dir, edited(text, "ecert-snapshot 1\n", "ecert-snapshot 2\n"), EC_ERR_CORRUPT,
	    "is not a snapshot manifest");
	/* numbers as written, nothing else; values present */
	manifest_refused(dir, edited(text, "sequence 1\n", "sequence 01\n"), EC_ERR_CORRUPT, "'sequence' is not a number");
	manifest_refused(dir, edited(text, "sequence 1\n", "sequence +1\n"), EC_ERR_CORRUPT, "is not a number");
	manifest_refused(dir, edited(text, "certificates 3\n", "certificates -3\n"), EC_ERR_CORRUPT, "is not a number");
	manifest_refused(dir, edited(text, "tz UTC\n", "tz \n"), EC_ERR_CORRUPT, "'tz' is empty");
	manifest_refused(dir, edited(text, "public_url https://", "public_url ftp://"), EC_ERR_CORRUPT,
	    "is not an http(s) URL");
	jwks = line_ending(text, " jwks.json\n");
	manifest_refused(dir, edited(text, jwks, ""), EC_ERR_CORRUPT, "does not list 'jwks.json'");
	free(jwks);
	free(text);
}

/* What is served is what was verified: the listed bytes exactly, nothing unlisted, no later change. */
static void
test_read(void **state)
{
	struct ec_snap s;
	struct env e;
	char dir[256], path[256], *data, *want;
	size_t len, wlen;

	env_make(state, &e);
	publish(&e, EC_SNAP_KEEP, &s);
	in_to(dir, sizeof dir, &e, "1", NULL);
	assert_int_equal(ec_snap_verify(dir, &s), 0);

	assert_int_equal(ec_snap_read(dir, &s, "crl/root.crl", &data, &len), 0);
	assert_int_equal(len, sizeof ROOT_CRL - 1);
	assert_memory_equal(data, ROOT_CRL, len);
	free(data);
	want = read_all(e.state, "trust.pem", &wlen);
	assert_int_equal(ec_snap_read(dir, &s, "trust.pem", &data, &len), 0);
	assert_int_equal(len, wlen);
	assert_memory_equal(data, want, len);
	free(data);
	free(want);

	assert_int_equal(ec_snap_read(dir, &s, "crl/notes.txt", &data, &len), EC_ERR_NOTFOUND);
	assert_null(data);
	assert_int_equal(ec_snap_read(dir, &s, "MANIFEST", &data, &len), EC_ERR_NOTFOUND);
	assert_null(data);

	flip_byte(dir, "trust.pem");
	assert_int_equal(ec_snap_read(dir, &s, "trust.pem", &data, &len), EC_ERR_CORRUPT);
	assert_null(data);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "'trust.pem' changed since it was checked"));
	append(dir, "jwks.json", " ");
	assert_int_equal(ec_snap_read(dir, &s, "jwks.json", &data, &len), EC_ERR_CORRUPT);
	assert_null(data);
	/* grown by more than a byte, or gone: the same refusal */
	append(dir, "crl/root.crl", "grown");
	assert_int_equal(ec_snap_read(dir, &s, "crl/root.crl", &data, &len), EC_ERR_CORRUPT);
	assert_null(data);
	in_to(path, sizeof path, &e, "1", "crl/AbCdEfGhIjK.crl");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(ec_snap_read(dir, &s, "crl/AbCdEfGhIjK.crl", &data, &len), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "'crl/AbCdEfGhIjK.crl' changed since it was checked"));
}

/* current names a snapshot directory of to, or nothing yet; a link anywhere else is refused. */
static void
test_current(void **state)
{
	const char *to = *state;
	char path[256], name[24];

	assert_int_equal(ec_snap_current(to, name, sizeof name), EC_ERR_NOTFOUND);
	snprintf(path, sizeof path, "%s/current", to);
	assert_int_equal(symlink("abc", path), 0);
	assert_int_equal(ec_snap_current(to, name, sizeof name), EC_ERR_CORRUPT);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("../1", path), 0);
	assert_int_equal(ec_snap_current(to, name, sizeof name), EC_ERR_CORRUPT);
	assert_non_null(strstr(ec_err_msg(EC_ERR_CORRUPT), "'../1'"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("12", path), 0);
	assert_int_equal(ec_snap_current(to, name, 2), EC_ERR_ARG);
	assert_int_equal(ec_snap_current(to, name, sizeof name), 0);
	assert_string_equal(name, "12");
}

/* A publication that cannot be made leaves the previous snapshot current and no half-written one. */
static void
test_publish_refused(void **state)
{
	struct ec_snap s;
	struct env e;
	char path[256], name[24];

	env_make(state, &e);
	assert_int_equal(ec_snap_publish(e.state, e.to, 0, NOW, &s), EC_ERR_ARG);
	assert_false(exists(e.to));
	publish(&e, EC_SNAP_KEEP, &s);

	snprintf(path, sizeof path, "%s/public", e.state);
	helper_rmtree(path);
	assert_int_equal(ec_snap_publish(e.state, e.to, EC_SNAP_KEEP, NOW, &s), EC_ERR_NOTFOUND);
	assert_non_null(strstr(ec_err_msg(EC_ERR_NOTFOUND), "/state/public"));
	assert_int_equal(ec_snap_current(e.to, name, sizeof name), 0);
	assert_string_equal(name, "1");
	assert_false(exists(in_to(path, sizeof path, &e, "2", NULL)));
	assert_int_equal(count_prefixed(e.to, ".incoming-"), 0);
	assert_int_equal(ec_snap_verify(in_to(path, sizeof path, &e, "1", NULL), &s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_publish_fresh, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_no_name_key, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_keep, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_incoming_removed, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_file_changed, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_file_missing, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_file_not_regular, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_manifest_sequence, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_manifest_paths, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_manifest_syntax, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_read, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_current, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_publish_refused, helper_tmpdir_setup, helper_tmpdir_teardown),
	};

	return cmocka_run_group_tests_name("snapshot", tests, NULL, NULL);
}
