/*
 * ecert-verifyd --from DIR: a stateless replica. It serves the published snapshot DIR/current links
 * to, after checking every file against the snapshot's manifest, and moves to each newer one that
 * passes without dropping a request: requests hold the snapshot they read (a reference count), the
 * switch replaces the pointer, and the old register closes when its last reader lets go. A snapshot
 * that fails its manifest is refused and the one in service stays.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "err.h"
#include "public.h"
#include "snapshot.h"
#include "verifyd.h"

#define POLL_MS 500              /* how often DIR/current is looked at */

struct vd_snap {
	unsigned refs;               /* guarded by vd.snap_lock; the served pointer holds one */
	char name[24];
	struct ec_snap m;
	struct ec_pubreg *reg;
	struct vd_blob *trust, *jwks;
	size_t ncrl;
	char kid[VD_CRL_SLOTS][EC_SNAP_PATH_MAX];
	struct vd_blob *crl[VD_CRL_SLOTS];
};

/* Blobs of snapshots outlive them while a response still sends one: their count has its own lock. */
static pthread_mutex_t blob_lock = PTHREAD_MUTEX_INITIALIZER;

/* What identifies a refused snapshot's files: it is tried again only when one of them changes. */
struct seen {
	char name[24];
	unsigned long long v[9];
};

static void
blob_drop(struct vd_blob *b)
{
	unsigned left;

	if (!b)
		return;
	pthread_mutex_lock(&blob_lock);
	left = --b->refs;
	pthread_mutex_unlock(&blob_lock);
	if (left == 0) {
		free(b->data);
		free(b);
	}
}

/* A listed file of snapshot dir, read and checked again, as a blob with the manifest's digest as its ETag. */
static int
blob_load(const char *dir, const struct ec_snap *m, const char *path, struct vd_blob **out)
{
	struct vd_blob *b;
	size_t i, k, len;
	char *data;
	int rc;

	*out = NULL;
	if ((rc = ec_snap_read(dir, m, path, &data, &len)))
		return rc;
	if (!(b = calloc(1, sizeof *b))) {
		free(data);
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	}
	for (k = 0; k < m->nfiles && strcmp(m->files[k].path, path); k++)
		;
	b->etag[0] = '"';
	for (i = 0; i < 16; i++)
		snprintf(b->etag + 1 + 2 * i, 3, "%02x", m->files[k].sha256[i]);
	b->etag[33] = '"';
	b->data = data;
	b->len = len;
	b->lock = &blob_lock;
	b->refs = 1;
	*out = b;
	return 0;
}

static void
snap_free(struct vd_snap *s)
{
	size_t i;

	if (!s)
		return;
	ec_pubreg_close(s->reg);
	blob_drop(s->trust);
	blob_drop(s->jwks);
	for (i = 0; i < s->ncrl; i++)
		blob_drop(s->crl[i]);
	free(s);
}

/* Verify and open v->from/name; *out holds one reference. */
static int
snap_load(struct vd *v, const char *name, struct vd_snap **out)
{
	char dir[PATH_MAX], pub[PATH_MAX + 8];
	struct vd_snap *s;
	size_t i;
	int rc;

	*out = NULL;
	if ((size_t)snprintf(dir, sizeof dir, "%s/%s", v->from, name) >= sizeof dir)
		return ec_err_set(EC_ERR_ARG, "snapshot path '%s/%s' too long", v->from, name);
	if (!(s = calloc(1, sizeof *s)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	snprintf(s->name, sizeof s->name, "%s", name);
	snprintf(pub, sizeof pub, "%s/public", dir);
	if ((rc = ec_snap_verify(dir, &s->m)) || (rc = ec_pubreg_open_frozen(pub, &s->reg)) ||
	    (v->has_key && (rc = ec_pubreg_name_key(s->reg, v->name_key))) ||
	    (rc = blob_load(dir, &s->m, "trust.pem", &s->trust)) || (rc = blob_load(dir, &s->m, "jwks.json", &s->jwks)))
		goto out;
	for (i = 0; i < s->m.nfiles && rc == 0; i++) {
		const char *p = s->m.files[i].path;

		if (strncmp(p, "crl/", 4))
			continue;
		if (s->ncrl == VD_CRL_SLOTS) {
			rc = ec_err_set(EC_ERR_TOOBIG, "snapshot '%s' has more than %d CRLs", dir, VD_CRL_SLOTS);
			break;
		}
		/* "crl/KID.crl" is served as /crl/KID.crl: the slot is named by KID */
		snprintf(s->kid[s->ncrl], sizeof s->kid[s->ncrl], "%.*s", (int)(strlen(p) - 8), p + 4);
		if ((rc = blob_load(dir, &s->m, p, &s->crl[s->ncrl])) == 0)
			s->ncrl++;
	}
out:
	if (rc) {
		snap_free(s);
		return rc;
	}
	s->refs = 1;
	*out = s;
	return 0;
}

struct vd_snap *
vd_snap_get(struct vd *v)
{
	struct vd_snap *s;

	pthread_mutex_lock(&v->snap_lock);
	s = v->snap;
	s->refs++;
	pthread_mutex_unlock(&v->snap_lock);
	return s;
}

void
vd_snap_put(struct vd *v, struct vd_snap *s)
{
	unsigned left;

	pthread_mutex_lock(&v->snap_lock);
	left = --s->refs;
	pthread_mutex_unlock(&v->snap_lock);
	if (left == 0)
		snap_free(s);
}

struct ec_pubreg *
vd_snap_reg(const struct vd_snap *s)
{
	return s->reg;
}

unsigned long long
vd_snap_seq(const struct vd_snap *s)
{
	return s->m.sequence;
}

int64_t
vd_snap_time(const struct vd_snap *s)
{
	return s->m.time;
}

int
vd_snap_file(struct vd_snap *s, int jwks, const char *kid, struct vd_blob **out)
{
	struct vd_blob *b = NULL;
	size_t i;

	if (kid == NULL)
		b = jwks ? s->jwks : s->trust;
	for (i = 0; kid != NULL && i < s->ncrl; i++)
		if (strcmp(s->kid[i], kid) == 0)
			b = s->crl[i];
	*out = b;
	if (b == NULL)
		return EC_ERR_NOTFOUND;
	pthread_mutex_lock(&blob_lock);
	b->refs++;
	pthread_mutex_unlock(&blob_lock);
	return 0;
}

/* The identity of the files that decide whether name passes: its manifest, register and trust bundle. */
static void
fingerprint(const struct vd *v, const char *name, struct seen *f)
{
	static const char *const files[] = { "MANIFEST", "public/data.mdb", "trust.pem" };
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s/%s", v->from, name, files[i]);
		if (stat(path, &st) != 0)
			continue;
		f->v[3 * i] = (unsigned long long)st.st_ino;
		f->v[3 * i + 1] = (unsigned long long)st.st_size;
		f->v[3 * i + 2] = (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec;
	}
}

/* Look at v->from/current once: switch to a new snapshot that passes, report one that does not. */
static void
poll_once(struct vd *v, struct seen *refused)
{
	struct vd_snap *s = NULL, *old;
	char name[24], seq[24], msg[600];
	struct seen f;
	int rc, same;

	if (ec_snap_current(v->from, name, sizeof name))
		return;
	pthread_mutex_lock(&v->snap_lock);
	same = strcmp(name, v->snap->name) == 0;
	pthread_mutex_unlock(&v->snap_lock);
	if (same)
		return;
	fingerprint(v, name, &f);
	if (memcmp(&f, refused, sizeof f) == 0)
		return;
	if ((rc = snap_load(v, name, &s))) {
		*refused = f;
		snprintf(msg, sizeof msg, "snapshot %s refused, still serving %s: %s", name, v->snap->name, ec_err_msg(rc));
		vd_event("snapshot_refused", "message", msg);
		return;
	}
	pthread_mutex_lock(&v->snap_lock);
	old = v->snap;
	v->snap = s;
	pthread_mutex_unlock(&v->snap_lock);
	vd_snap_put(v, old);
	snprintf(seq, sizeof seq, "%llu", s->m.sequence);
	vd_event("snapshot", "sequence", seq);
}

static void *
watch(void *arg)
{
	struct vd *v = arg;
	struct seen refused;
	struct timespec until;

	memset(&refused, 0, sizeof refused);
	pthread_mutex_lock(&v->watch_lock);
	while (!v->watch_stop) {
		pthread_mutex_unlock(&v->watch_lock);
		poll_once(v, &refused);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += POLL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&v->watch_lock);
		if (!v->watch_stop)
			pthread_cond_timedwait(&v->watch_cond, &v->watch_lock, &until);
	}
	pthread_mutex_unlock(&v->watch_lock);
	return NULL;
}

int
vd_snap_start(struct vd *v)
{
	char name[24], seq[24];
	int rc;

	pthread_mutex_init(&v->snap_lock, NULL);
	pthread_mutex_init(&v->watch_lock, NULL);
	pthread_cond_init(&v->watch_cond, NULL);
	if ((rc = ec_snap_current(v->from, name, sizeof name)) || (rc = snap_load(v, name, &v->snap)))
		return rc;
	if (!v->public_url[0])
		snprintf(v->public_url, sizeof v->public_url, "%s", v->snap->m.public_url);
	snprintf(v->tz, sizeof v->tz, "%s", v->snap->m.tz);
	if ((rc = pthread_create(&v->watcher, NULL, watch, v)) != 0) {
		errno = rc;
		return ec_err_errno("cannot start the snapshot watcher for", v->from);
	}
	snprintf(seq, sizeof seq, "%llu", v->snap->m.sequence);
	vd_event("snapshot", "sequence", seq);
	return 0;
}

void
vd_snap_stop(struct vd *v)
{
	pthread_mutex_lock(&v->watch_lock);
	v->watch_stop = 1;
	pthread_cond_signal(&v->watch_cond);
	pthread_mutex_unlock(&v->watch_lock);
	pthread_join(v->watcher, NULL);
	vd_snap_put(v, v->snap);
	v->snap = NULL;
	explicit_bzero(v->name_key, sizeof v->name_key);
}
