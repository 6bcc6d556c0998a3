/* ecert-verifyd's internal interface between option handling (verifyd.c) and request serving (verifyd_http.c). */
#ifndef EC_VERIFYD_H
#define EC_VERIFYD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "public.h"
#include "types.h"
#include "web.h"

#define VD_CRL_SLOTS 64          /* distinct CRLs kept in memory: as many as a snapshot may list */
#define VD_FILE_MAX (64u << 20)  /* largest trust bundle or CRL served */

/* An immutable snapshot of a served file, shared by the responses still sending it. */
struct vd_blob {
	unsigned refs;           /* guarded by the owning vd_file's lock */
	pthread_mutex_t *lock;
	char *data;
	size_t len;
	char etag[40];
};

/* A file reread when its identity, size or modification time changes. */
struct vd_file {
	char path[4096];
	char kid[EC_KID_LEN + 1];
	int jwks;                        /* serve the trust bundle's issuing-CA keys as a JWK set */
	pthread_mutex_t lock;
	struct vd_blob *cur;
	uint64_t dev, ino, size;
	int64_t mtime_ns;
};

struct vd_snap;

/* The whole server: set up by main, read by every request thread. */
struct vd {
	const char *dir;
	char public_url[448];
	char tz[64];
	struct ec_pubreg *reg;
	struct ec_web_stats *stats;
	struct ec_ratelimit *rl;         /* NULL when --rate 0 */
	struct ec_budget *budget;        /* name checks per number per day; NULL: names cannot be checked */
	int trust_proxy;
	unsigned char proxy_addr[16];    /* exact address (IPv4 mapped) of the trusted proxy */
	struct vd_file trust;
	struct vd_file jwks;             /* the same file, as /jwks.json */
	struct vd_file crl[VD_CRL_SLOTS];
	pthread_mutex_t crl_lock;        /* guards which crl[] slots are taken */
	pthread_mutex_t today_lock;      /* guards recomputing today; today_sec and today are read atomically */
	int64_t today_sec;               /* the second today was computed in */
	ec_day today;
	unsigned long in_flight;         /* requests between the request line and completion (atomic) */
	int draining;                    /* set on SIGTERM: responses close their connection (atomic) */
	/* --from DIR: a replica serving published snapshots (verifyd_snap.c) instead of DIR/public */
	const char *from;
	unsigned max_age;                /* seconds: an older snapshot makes /healthz answer 503 */
	unsigned char name_key[EC_NAME_KEY_LEN];   /* given to each snapshot's register; has_key when read */
	int has_key;
	pthread_mutex_t snap_lock;       /* guards snap and every snapshot's refs */
	struct vd_snap *snap;            /* the snapshot being served */
	pthread_mutex_t watch_lock;
	pthread_cond_t watch_cond;
	int watch_stop;
	pthread_t watcher;
};

/*
 * Replica mode. vd_snap_start verifies and opens the snapshot v->from/current links to (an error when
 * there is none or it fails its manifest), takes its public URL and zone when none was given, and
 * starts the thread that switches to each newer snapshot that passes; vd_snap_stop ends it.
 */
int vd_snap_start(struct vd *v);
void vd_snap_stop(struct vd *v);

/* The snapshot being served, held until vd_snap_put: a switch never closes one a request still reads. */
struct vd_snap *vd_snap_get(struct vd *v);
void vd_snap_put(struct vd *v, struct vd_snap *s);

/* What a held snapshot offers: its register, its sequence and publication time. */
struct ec_pubreg *vd_snap_reg(const struct vd_snap *s);
unsigned long long vd_snap_seq(const struct vd_snap *s);
int64_t vd_snap_time(const struct vd_snap *s);

/*
 * The snapshot's copy of a served file (route trust.pem, jwks.json, or the CRL of kid) with a
 * reference for the caller (released by the response); EC_ERR_NOTFOUND when it has none.
 */
int vd_snap_file(struct vd_snap *s, int jwks, const char *kid, struct vd_blob **out);

/* Prepare v's locks and file slots (dir set); free everything with vd_cleanup. */
int vd_init(struct vd *v);
void vd_cleanup(struct vd *v);

/* Start libmicrohttpd on the listening socket fd with these limits; NULL on failure (message printed). */
struct MHD_Daemon *vd_start(struct vd *v, int fd, unsigned threads, unsigned conns, unsigned per_ip,
    unsigned timeout, size_t memory);

#define VD_LOG_TICK_MS 50         /* the longest an access line waits in its thread's buffer */

/* Write out the access lines the threads have buffered (main calls it every VD_LOG_TICK_MS). */
void vd_log_flush(void);

#define VD_SUMMARY_SECONDS 10     /* how often the counts of unlogged answers are written */
/* One "suppressed" event with what was counted instead of logged since the last call, if anything. */
void vd_log_summary(void);

/* One JSON event line on stderr: {"time":...,"event":EVENT[,KEY:"VALUE"]}; key may be NULL. */
void vd_event(const char *event, const char *key, const char *value);

#endif
