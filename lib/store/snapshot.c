/*
 * Published snapshots of the public side: written by the office (ecert-issue publish), checked and
 * served by replicas (ecert-verifyd --from). A snapshot never holds the name key or anything of the
 * office register: only what DIR/public, trust.pem and crl/ already show the world.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "digest.h"
#include "err.h"
#include "file.h"
#include "paths.h"
#include "pki.h"
#include "public.h"
#include "snapshot.h"
#include "text.h"

#define MAGIC "ecert-snapshot 1"
#define MANIFEST_MAX (64 * 1024)
#define SMALL_MAX (64u << 20)     /* trust.pem, jwks.json, a CRL */
#define CRL_NAME_MAX 40           /* "KID" or "root", before ".crl" */

/* A decimal sequence without leading zeros: a snapshot directory's name. */
static int
is_seq(const char *s, unsigned long long *v)
{
	char *end;

	if (s[0] < '1' || s[0] > '9' || strlen(s) > 19)
		return 0;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* A CRL's file name as ecert-ca writes them: NAME.crl, NAME of [A-Za-z0-9_-]. */
static int
is_crl_name(const char *s)
{
	size_t n = strlen(s), k = n > 4 ? n - 4 : 0;

	return k >= 1 && k <= CRL_NAME_MAX && strcmp(s + k, ".crl") == 0 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == k;
}

/* The paths a manifest may list: nothing outside the snapshot, nothing but what replicas serve. */
static int
path_ok(const char *p)
{
	return !strcmp(p, "public/data.mdb") || !strcmp(p, "trust.pem") || !strcmp(p, "jwks.json") ||
	    (!strncmp(p, "crl/", 4) && is_crl_name(p + 4));
}

/* a/b into out[size]; EC_ERR_ARG when it does not fit. */
static int
join(char *out, size_t size, const char *a, const char *b)
{
	if ((size_t)snprintf(out, size, "%s/%s", a, b) >= size)
		return ec_err_set(EC_ERR_ARG, "path '%s/%s' is too long", a, b);
	return 0;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc = 0;

	if (fd < 0)
		return ec_err_errno("cannot open directory", dir);
	if (fsync(fd) != 0)
		rc = ec_err_errno("cannot sync directory", dir);
	close(fd);
	return rc;
}

/*
 * Open the listed file dir/path for reading, following no link on the way inside the snapshot
 * (a manifest path has at most one directory): a link or anything but a regular file is refused.
 */
static int
open_listed(const char *dir, const char *path, int *out)
{
	const char *slash = strchr(path, '/'), *name = path;
	char sub[EC_SNAP_PATH_MAX];
	struct stat st;
	int dfd, fd = -1;

	*out = -1;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return ec_err_errno("cannot open snapshot", dir);
	if (slash) {
		snprintf(sub, sizeof sub, "%.*s", (int)(slash - path), path);
		fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		if ((dfd = fd) < 0)
			goto bad;
		name = slash + 1;
	}
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		goto bad;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = ELOOP;
		goto bad;
	}
	*out = fd;
	return 0;
bad:
	if (errno == ENOENT)
		return ec_err_set(EC_ERR_NOTFOUND, "snapshot '%s' lacks '%s'", dir, path);
	if (errno == ELOOP || errno == ENOTDIR)
		return ec_err_set(EC_ERR_CORRUPT, "snapshot '%s': '%s' is not a regular file", dir, path);
	return ec_err_errno("cannot open a file of snapshot", dir);
}

/* Hash the listed file dir/path into its entry. */
static int
digest(const char *dir, const char *path, struct ec_snap_file *f)
{
	int fd, rc;

	if ((rc = open_listed(dir, path, &fd)))
		return rc;
	rc = ec_sha256_fd(fd, path, f->sha256, &f->size);
	close(fd);
	snprintf(f->path, sizeof f->path, "%s", path);
	return rc;
}

static int
add(struct ec_snap *s, const char *dir, const char *path)
{
	if (s->nfiles == EC_SNAP_FILES_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "more than %d files for one snapshot", EC_SNAP_FILES_MAX);
	return digest(dir, path, &s->files[s->nfiles++]);
}

/* Write data as tmp/path (synced) and list it. */
static int
put(struct ec_snap *s, const char *tmp, const char *path, const void *data, size_t len)
{
	char full[PATH_MAX];
	int rc;

	if ((rc = join(full, sizeof full, tmp, path)))
		return rc;
	if ((rc = ec_file_write(full, data, len, 0644, 0)))
		return rc;
	return add(s, tmp, path);
}

/* trust.pem and the JWK set of its issuing CAs, the set the verification page's script checks tokens with. */
static int
put_trust(struct ec_snap *s, const char *state_dir, const char *tmp)
{
	struct ec_trust *t = NULL;
	char path[PATH_MAX], *pem = NULL;
	struct ec_buf jwks;
	size_t len = 0;
	int rc;

	ec_buf_init(&jwks);
	if ((rc = ec_path(path, sizeof path, state_dir, EC_P_TRUST, NULL)) || (rc = ec_file_read(path, SMALL_MAX, &pem, &len)))
		goto out;
	if ((rc = ec_trust_load_mem(pem, len, &t)) || (rc = ec_trust_jwks(t, &jwks))) {
		rc = ec_err_set(rc, "cannot publish the keys of '%s': %s", path, ec_err_msg(rc));
		goto out;
	}
	if ((rc = put(s, tmp, "trust.pem", pem, len)) == 0)
		rc = jwks.err ? EC_ERR_NOMEM : put(s, tmp, "jwks.json", jwks.p, jwks.len);
out:
	ec_trust_free(t);
	ec_buf_free(&jwks);
	free(pem);
	return rc;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every CRL of state_dir/crl, in name order. */
static int
put_crls(struct ec_snap *s, const char *state_dir, const char *tmp)
{
	char dir[PATH_MAX], path[PATH_MAX], rel[EC_SNAP_PATH_MAX], *names[EC_SNAP_FILES_MAX], *data = NULL;
	struct dirent *e;
	size_t n = 0, i, len;
	DIR *d;
	int rc = 0;

	if ((rc = ec_path(dir, sizeof dir, state_dir, EC_P_CRLS, NULL)))
		return rc;
	if (!(d = opendir(dir)))
		return ec_err_errno("cannot read directory", dir);
	while ((e = readdir(d)) != NULL && rc == 0) {
		if (!is_crl_name(e->d_name))
			continue;
		if (n == EC_SNAP_FILES_MAX - 3)
			rc = ec_err_set(EC_ERR_TOOBIG, "more than %d CRLs in '%s'", EC_SNAP_FILES_MAX - 3, dir);
		else if (!(names[n] = strdup(e->d_name)))
			rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		else
			n++;
	}
	closedir(d);
	if (rc == 0)
		qsort(names, n, sizeof names[0], namecmp);
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(rel, sizeof rel, "crl/%s", names[i]);
		if ((rc = join(path, sizeof path, dir, names[i])) == 0 && (rc = ec_file_read(path, SMALL_MAX, &data, &len)) == 0)
			rc = put(s, tmp, rel, data, len);
		free(data);
		data = NULL;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

/* The compacted register copy, its generation and size read back from the copy itself. */
static int
put_register(struct ec_snap *s, const char *state_dir, const char *tmp)
{
	struct ec_pubreg *r = NULL;
	char src[PATH_MAX], dst[PATH_MAX], file[PATH_MAX];
	int rc;

	if ((rc = ec_path(src, sizeof src, state_dir, EC_P_PUBLIC, NULL)) || (rc = join(file, sizeof file, src, "data.mdb")) ||
	    (rc = join(dst, sizeof dst, tmp, "public")))
		return rc;
	if (access(file, F_OK) != 0)
		return ec_err_set(EC_ERR_NOTFOUND, "nothing to publish: '%s' holds no public register yet (none issued)", src);
	if ((rc = join(file, sizeof file, dst, "data.mdb")) || (rc = ec_pubreg_open(src, &r)))
		return rc;
	if (mkdir(dst, 0755) != 0)
		rc = ec_err_errno("cannot create directory", dst);
	else
		rc = ec_pubreg_copy(r, dst);
	ec_pubreg_close(r);
	r = NULL;
	if (rc == 0 && chmod(file, 0644) != 0)
		rc = ec_err_errno("cannot set the mode of", file);
	if (rc == 0 && (rc = ec_pubreg_open_frozen(dst, &r)) == 0)
		rc = ec_pubreg_counts(r, &s->generation, &s->certificates);
	ec_pubreg_close(r);
	if (rc == 0 && (rc = add(s, tmp, "public/data.mdb")) == 0)
		rc = sync_dir(dst);
	return rc;
}

static int
put_manifest(const struct ec_snap *s, const char *tmp)
{
	char path[PATH_MAX];
	struct ec_buf b;
	size_t i, k;
	int rc;

	ec_buf_init(&b);
	ec_buf_addf(&b, "%s\nsequence %llu\ntime %" PRId64 "\ngeneration %" PRIu64 "\ncertificates %zu\n"
	    "public_url %s\ntz %s\n", MAGIC, s->sequence, s->time, s->generation, s->certificates, s->public_url, s->tz);
	for (i = 0; i < s->nfiles; i++) {
		ec_buf_adds(&b, "file ");
		for (k = 0; k < sizeof s->files[i].sha256; k++)
			ec_buf_addf(&b, "%02x", s->files[i].sha256[k]);
		ec_buf_addf(&b, " %llu %s\n", s->files[i].size, s->files[i].path);
	}
	if ((rc = join(path, sizeof path, tmp, "MANIFEST")) == 0)
		rc = b.err ? ec_err_set(EC_ERR_NOMEM, "out of memory") : ec_file_write(path, b.p, b.len, 0644, 0);
	ec_buf_free(&b);
	return rc;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

static int
rm_tree(const char *path)
{
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		return ec_err_errno("cannot remove", path);
	return 0;
}

static int
seqcmp_desc(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return (x < y) - (x > y);
}

/*
 * The snapshots in to, newest first, into *v (malloc'd) and their count; unfinished ".incoming-"
 * directories a crashed publisher left are removed on the way.
 */
static int
scan(const char *to, unsigned long long **v, size_t *n)
{
	char path[PATH_MAX];
	unsigned long long seq, *nv;
	struct dirent *e;
	size_t cap = 0;
	DIR *d;
	int rc = 0;

	*v = NULL;
	*n = 0;
	if (!(d = opendir(to)))
		return ec_err_errno("cannot read directory", to);
	while ((e = readdir(d)) != NULL && rc == 0) {
		if (!strncmp(e->d_name, ".incoming-", 10)) {
			if ((rc = join(path, sizeof path, to, e->d_name)) == 0)
				rc = rm_tree(path);
		} else if (is_seq(e->d_name, &seq)) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				if (!(nv = realloc(*v, cap * sizeof *nv))) {
					rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
					break;
				}
				*v = nv;
			}
			(*v)[(*n)++] = seq;
		}
	}
	closedir(d);
	if (*n)
		qsort(*v, *n, sizeof **v, seqcmp_desc);
	return rc;
}

/* Point to/current at name: a new link renamed over the old one, so a reader sees one or the other. */
static int
switch_current(const char *to, const char *name)
{
	char tmp[PATH_MAX], cur[PATH_MAX];

	int rc;

	if ((rc = join(tmp, sizeof tmp, to, ".current.new")) || (rc = join(cur, sizeof cur, to, "current")))
		return rc;
	if ((unlink(tmp) != 0 && errno != ENOENT) || symlink(name, tmp) != 0)
		return ec_err_errno("cannot make link", tmp);
	if (rename(tmp, cur) != 0)
		return ec_err_errno("cannot switch", cur);
	return sync_dir(to);
}

static int
publish_locked(const char *state_dir, const char *to, unsigned keep, int64_t now, struct ec_snap *s)
{
	char tmp[PATH_MAX] = "", dst[PATH_MAX], name[24], path[PATH_MAX];
	unsigned long long *have = NULL;
	struct ec_conf conf;
	size_t n = 0, i;
	int rc;

	if ((rc = scan(to, &have, &n)))
		goto out;
	memset(s, 0, sizeof *s);
	s->sequence = n ? have[0] + 1 : 1;
	s->time = now;
	if ((rc = ec_conf_load(state_dir, &conf)))
		goto out;
	snprintf(s->public_url, sizeof s->public_url, "%s", conf.public_url);
	snprintf(s->tz, sizeof s->tz, "%s", conf.tz[0] ? conf.tz : "UTC");
	snprintf(name, sizeof name, "%llu", s->sequence);
	if (strlen(to) + 32 + EC_SNAP_PATH_MAX >= sizeof tmp) {
		rc = ec_err_set(EC_ERR_ARG, "snapshot directory '%s': path too long", to);
		goto out;
	}
	snprintf(dst, sizeof dst, "%s/%s", to, name);
	snprintf(tmp, sizeof tmp, "%s/.incoming-%s", to, name);
	if ((rc = join(path, sizeof path, tmp, "crl")))
		goto out;
	if (mkdir(tmp, 0755) != 0 || mkdir(path, 0755) != 0) {
		rc = ec_err_errno("cannot create directory", tmp);
		goto out;
	}
	/* the register first: the files copied after it are at least as new as what it shows */
	if ((rc = put_register(s, state_dir, tmp)) || (rc = put_trust(s, state_dir, tmp)) ||
	    (rc = put_crls(s, state_dir, tmp)) || (rc = sync_dir(path)) || (rc = put_manifest(s, tmp)) ||
	    (rc = sync_dir(tmp)))
		goto out;
	if (rename(tmp, dst) != 0) {
		rc = ec_err_errno("cannot move snapshot into place", dst);
		goto out;
	}
	if ((rc = sync_dir(to)) || (rc = switch_current(to, name)))
		goto out;
	/* the newest keep stay (the new one first among them) */
	for (i = keep > 1 ? keep - 1 : 0; i < n && rc == 0; i++) {
		snprintf(name, sizeof name, "%llu", have[i]);
		if ((rc = join(path, sizeof path, to, name)) == 0)
			rc = rm_tree(path);
	}
out:
	if (rc && tmp[0])
		rm_tree(tmp);
	free(have);
	return rc;
}

int
ec_snap_publish(const char *state_dir, const char *to, unsigned keep, int64_t now, struct ec_snap *out)
{
	struct ec_snap *s;
	char lock[PATH_MAX];
	int fd, rc;

	if (keep < 1)
		return ec_err_set(EC_ERR_ARG, "snapshots to keep: %u, at least 1", keep);
	if (mkdir(to, 0755) != 0 && errno != EEXIST)
		return ec_err_errno("cannot create snapshot directory", to);
	if ((size_t)snprintf(lock, sizeof lock, "%s/.lock", to) >= sizeof lock)
		return ec_err_set(EC_ERR_ARG, "snapshot directory '%s': path too long", to);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return ec_err_errno("cannot open", lock);
	if (flock(fd, LOCK_EX) != 0) {
		rc = ec_err_errno("cannot lock", lock);
		close(fd);
		return rc;
	}
	if (!(s = malloc(sizeof *s)))
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
	else if ((rc = publish_locked(state_dir, to, keep, now, s)) == 0 && out)
		*out = *s;
	free(s);
	close(fd);
	return rc;
}

int
ec_snap_current(const char *to, char *name, size_t size)
{
	char path[PATH_MAX], target[64];
	unsigned long long seq;
	ssize_t n;
	int rc;

	if ((rc = join(path, sizeof path, to, "current")))
		return rc;
	if ((n = readlink(path, target, sizeof target - 1)) < 0)
		return errno == ENOENT ? ec_err_set(EC_ERR_NOTFOUND, "no snapshot published in '%s' yet", to) :
		    ec_err_errno("cannot read link", path);
	target[n] = '\0';
	if (!is_seq(target, &seq))
		return ec_err_set(EC_ERR_CORRUPT, "'%s' links to '%s', not to a snapshot", path, target);
	if (strlen(target) >= size)
		return ec_err_set(EC_ERR_ARG, "snapshot name '%s' too long", target);
	memcpy(name, target, strlen(target) + 1);
	return 0;
}

/* A manifest number: decimal digits, no sign, no leading zero (but "0"), at most 19. */
static int
number(const char *s, unsigned long long *v)
{
	size_t n = strlen(s);

	if (n < 1 || n > 19 || strspn(s, "0123456789") != n || (n > 1 && s[0] == '0'))
		return 0;
	*v = strtoull(s, NULL, 10);
	return 1;
}

static int
hex32(const char *h, unsigned char out[32])
{
	int hi, lo;
	size_t i;

	for (i = 0; i < 32; i++) {
		if ((hi = ec_hexval(h[2 * i])) < 0 || (lo = ec_hexval(h[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi * 16 + lo);
	}
	return h[64] == ' ' ? 0 : -1;
}

/* One "key value" line of the manifest into s; every key at most once. */
static int
manifest_line(struct ec_snap *s, char *line, unsigned *seen, const char *where)
{
	static const char *const keys[] = { "sequence", "time", "generation", "certificates", "public_url", "tz" };
	char *val = strchr(line, ' '), *p;
	unsigned long long size, num = 0;
	struct ec_snap_file *f;
	size_t k, i;

	if (!val)
		return ec_err_set(EC_ERR_CORRUPT, "%s: '%.40s' is not 'key value'", where, line);
	*val++ = '\0';
	if (!strcmp(line, "file")) {
		if (s->nfiles == EC_SNAP_FILES_MAX)
			return ec_err_set(EC_ERR_CORRUPT, "%s: more than %d files", where, EC_SNAP_FILES_MAX);
		f = &s->files[s->nfiles];
		if (strlen(val) < 66 || hex32(val, f->sha256))
			return ec_err_set(EC_ERR_CORRUPT, "%s: a file line without its SHA-256", where);
		if (!(p = strchr(val + 65, ' ')))
			return ec_err_set(EC_ERR_CORRUPT, "%s: bad file line '%.80s'", where, val);
		*p++ = '\0';
		if (!number(val + 65, &size) || !path_ok(p) || strlen(p) >= sizeof f->path)
			return ec_err_set(EC_ERR_CORRUPT, "%s: bad file line '%.80s %s'", where, val, p);
		for (i = 0; i < s->nfiles; i++)
			if (!strcmp(s->files[i].path, p))
				return ec_err_set(EC_ERR_CORRUPT, "%s: '%s' listed twice", where, p);
		f->size = size;
		memcpy(f->path, p, strlen(p) + 1);
		s->nfiles++;
		return 0;
	}
	for (k = 0; k < sizeof keys / sizeof keys[0] && strcmp(keys[k], line); k++)
		;
	if (k == sizeof keys / sizeof keys[0] || (*seen & (1u << k)))
		return ec_err_set(EC_ERR_CORRUPT, "%s: unknown or repeated key '%.40s'", where, line);
	*seen |= 1u << k;
	if (!val[0])
		return ec_err_set(EC_ERR_CORRUPT, "%s: '%s' is empty", where, line);
	if (k < 4 && !number(val, &num))
		return ec_err_set(EC_ERR_CORRUPT, "%s: '%s' is not a number", where, line);
	switch (k) {
	case 0: s->sequence = num; break;
	case 1: s->time = (int64_t)num; break;
	case 2: s->generation = (uint64_t)num; break;
	case 3: s->certificates = (size_t)num; break;
	default:
		for (p = val; *p; p++)
			if ((unsigned char)*p <= 0x20 || *p == 0x7f)
				return ec_err_set(EC_ERR_CORRUPT, "%s: '%s' holds a space or control character", where, line);
		if (strlen(val) >= (k == 4 ? sizeof s->public_url : sizeof s->tz))
			return ec_err_set(EC_ERR_CORRUPT, "%s: '%s' too long", where, line);
		if (k == 4 && strncmp(val, "https://", 8) && strncmp(val, "http://", 7))
			return ec_err_set(EC_ERR_CORRUPT, "%s: public_url '%.60s' is not an http(s) URL", where, val);
		snprintf(k == 4 ? s->public_url : s->tz, k == 4 ? sizeof s->public_url : sizeof s->tz, "%s", val);
		return 0;
	}
	return 0;
}

static int
manifest_read(const char *dir, struct ec_snap *s)
{
	char path[PATH_MAX], *text = NULL, *line, *nl;
	static const char *const need[] = { "public/data.mdb", "trust.pem", "jwks.json" };
	unsigned seen = 0;
	size_t len = 0, i, k;
	int rc;

	memset(s, 0, sizeof *s);
	if ((rc = join(path, sizeof path, dir, "MANIFEST")))
		return rc;
	if ((rc = ec_file_read(path, MANIFEST_MAX, &text, &len)))
		return rc == EC_ERR_IO && errno == ENOENT ? ec_err_set(EC_ERR_NOTFOUND, "snapshot '%s' has no MANIFEST", dir) : rc;
	if (strlen(text) != len || len < sizeof MAGIC || memcmp(text, MAGIC "\n", sizeof MAGIC) ||
	    text[len - 1] != '\n') {
		rc = ec_err_set(EC_ERR_CORRUPT, "'%s' is not a snapshot manifest", path);
		goto out;
	}
	for (line = text + sizeof MAGIC; *line && rc == 0; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		rc = manifest_line(s, line, &seen, path);
	}
	if (rc == 0 && seen != 0x3f)
		rc = ec_err_set(EC_ERR_CORRUPT, "'%s' lacks one of sequence, time, generation, certificates, public_url, tz",
		    path);
	for (k = 0; k < sizeof need / sizeof need[0] && rc == 0; k++) {
		for (i = 0; i < s->nfiles && strcmp(s->files[i].path, need[k]); i++)
			;
		if (i == s->nfiles)
			rc = ec_err_set(EC_ERR_CORRUPT, "'%s' does not list '%s'", path, need[k]);
	}
out:
	free(text);
	return rc;
}

int
ec_snap_verify(const char *dir, struct ec_snap *out)
{
	struct ec_snap_file got;
	char base[24];
	unsigned long long seq;
	size_t i, n = strlen(dir), k;
	int rc;

	if ((rc = manifest_read(dir, out)))
		return rc;
	/* the directory's own name, however the path ends */
	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (k = n; k > 0 && dir[k - 1] != '/'; k--)
		;
	snprintf(base, sizeof base, "%.*s", (int)(n - k), dir + k);
	if (!is_seq(base, &seq) || seq != out->sequence)
		return ec_err_set(EC_ERR_CORRUPT, "snapshot '%s' says it is number %llu", dir, out->sequence);
	for (i = 0; i < out->nfiles; i++) {
		if ((rc = digest(dir, out->files[i].path, &got)))
			return rc;
		if (got.size != out->files[i].size || memcmp(got.sha256, out->files[i].sha256, sizeof got.sha256))
			return ec_err_set(EC_ERR_CORRUPT, "snapshot '%s': '%s' does not match its manifest (%s)", dir,
			    got.path, got.size != out->files[i].size ? "size differs" : "SHA-256 differs");
	}
	return 0;
}

int
ec_snap_read(const char *dir, const struct ec_snap *s, const char *path, char **data, size_t *len)
{
	unsigned char md[EC_SHA256_LEN];
	char full[PATH_MAX];
	size_t i;
	int rc;

	*data = NULL;
	for (i = 0; i < s->nfiles && strcmp(s->files[i].path, path); i++)
		;
	if (i == s->nfiles)
		return ec_err_set(EC_ERR_NOTFOUND, "snapshot '%s' does not list '%s'", dir, path);
	if ((rc = join(full, sizeof full, dir, path)))
		return rc;
	rc = ec_file_read(full, s->files[i].size < SMALL_MAX ? (size_t)s->files[i].size + 1 : SMALL_MAX, data, len);
	if (rc == 0 && (rc = ec_sha256(*data, *len, md)) == 0 &&
	    (*len != s->files[i].size || memcmp(md, s->files[i].sha256, sizeof md)))
		rc = EC_ERR_CORRUPT;
	/* grown, gone or different: whatever happened to it, it is no longer the file that was checked */
	if (rc && rc != EC_ERR_NOMEM && rc != EC_ERR_CRYPTO)
		rc = ec_err_set(EC_ERR_CORRUPT, "snapshot '%s': '%s' changed since it was checked", dir, path);
	if (rc) {
		free(*data);
		*data = NULL;
	}
	return rc;
}
