/*
 * Published snapshots of the public side (lib/store/snapshot.c): what verification replicas serve.
 * TO/<sequence>/ holds a compacted copy of the public register (public/data.mdb), trust.pem, the JWK
 * set of its issuing CAs (jwks.json), every CRL (crl/KID.crl, crl/root.crl) and MANIFEST, which names
 * each file with its size and SHA-256; TO/current is a symbolic link to the newest. docs/scaling.md.
 */
#ifndef EC_SNAPSHOT_H
#define EC_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#define EC_SNAP_FILES_MAX 64     /* files a snapshot lists: the register, trust, keys and CRLs */
#define EC_SNAP_PATH_MAX 64      /* a listed file's path inside the snapshot */
#define EC_SNAP_KEEP 3           /* snapshots kept by default, the newest included */

struct ec_snap_file {
	char path[EC_SNAP_PATH_MAX];       /* "public/data.mdb", "trust.pem", "jwks.json", "crl/NAME.crl" */
	unsigned long long size;
	unsigned char sha256[32];
};

/* A snapshot's manifest. */
struct ec_snap {
	unsigned long long sequence;       /* its directory's name; each publication one more */
	int64_t time;                      /* when it was published, Unix seconds */
	uint64_t generation;               /* the office generation its register copy reflects */
	size_t certificates;
	char public_url[448];              /* the state directory's ecert.conf: what replicas link to */
	char tz[64];                       /* and the zone "expired" is judged in */
	size_t nfiles;
	struct ec_snap_file files[EC_SNAP_FILES_MAX];
};

/*
 * Publish the public side of state_dir into to/<next sequence>/ and switch to/current to it, then
 * remove all but the newest keep (>= 1) snapshots. The register is copied inside one LMDB read
 * transaction (ec_pubreg_copy), so issuance goes on; trust.pem and the CRLs are copied after it, so
 * a snapshot's CRLs are never older than its register. Publishers take turns (a lock file in to).
 * Each file is written and synced before the manifest, the manifest before the directory is renamed
 * into place, and that before the link switches: a crash leaves the previous snapshot current.
 * *out (if not NULL) gets the new manifest.
 */
int ec_snap_publish(const char *state_dir, const char *to, unsigned keep, int64_t now, struct ec_snap *out);

/* The directory name (decimal) that to/current links to; EC_ERR_NOTFOUND when there is none yet. */
int ec_snap_current(const char *to, char *name, size_t size);

/*
 * Read dir/MANIFEST into *out and check every file it lists: present, a regular file, of its size
 * and SHA-256; the manifest's sequence must be dir's name. EC_ERR_CORRUPT (or EC_ERR_NOTFOUND for a
 * missing file) with the file named when anything differs.
 */
int ec_snap_verify(const char *dir, struct ec_snap *out);

/*
 * Read the listed file path of snapshot dir whole into *data (malloc'd, NUL-terminated) and check
 * it against s's digest again (what is served is what was verified). EC_ERR_NOTFOUND when s does
 * not list path.
 */
int ec_snap_read(const char *dir, const struct ec_snap *s, const char *path, char **data, size_t *len);

#endif
