/* ecert-verifyd: the public verification endpoint (options, socket, privileges, lifecycle). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "budget.h"
#include "conf.h"
#include "err.h"
#include "net.h"
#include "public.h"
#include "paths.h"
#include "verifyd.h"

#define PROG "ecert-verifyd"
#define DRAIN_SECONDS 10

static const char usage_text[] =
    "usage: " PROG " [-d DIR | --from DIR [--max-age SECONDS]] [--listen ADDR:PORT] [--public-url URL]\n"
    "                     [--threads N] [--user NAME] [--rate N] [--trust-proxy ADDR] [--connections N]\n"
    "                     [--per-ip N] [--timeout SECONDS] [--name-key FILE] [--name-checks N]\n"
    "\n"
    "Serve the public register of DIR (default $ECERT_HOME, else /var/lib/ecert), or as a replica the\n"
    "snapshots 'ecert-issue publish --to' writes: GET /v/NUMBER, /api/v1/certificates/NUMBER,\n"
    "/trust.pem, /jwks.json, /crl/KID.crl, /healthz, /metrics.\n"
    "\n"
    "  -d DIR               state directory (only DIR/public, DIR/trust.pem, DIR/crl and DIR/ecert.conf are read)\n"
    "  --from DIR           serve the snapshot DIR/current links to, checked against its manifest, and\n"
    "                       switch to each newer one that passes (no state directory is read)\n"
    "  --max-age SECONDS    with --from: /healthz answers 503 once the snapshot is older (default 3600)\n"
    "  --listen ADDR:PORT   address to listen on (default 127.0.0.1:8080; [::1]:8080, *:8080; port 0 = any)\n"
    "  --public-url URL     base of canonical links (default: public_url of DIR/ecert.conf, or with\n"
    "                       --from of the snapshot's manifest)\n"
    "  --threads N          worker threads (default: the number of cores)\n"
    "  --user NAME          drop to this user after binding (required when started as root)\n"
    "  --rate N             requests per second per client, bursts of 2N (default 10; 0 = off)\n"
    "  --trust-proxy ADDR   clients connecting from ADDR are keyed by the last X-Forwarded-For hop\n"
    "  --connections N      open connections at most (default 4096)\n"
    "  --per-ip N           open connections per client address at most (default 64)\n"
    "  --timeout SECONDS    idle connection timeout (default 15)\n"
    "  --name-key FILE      the holders' name key, read before dropping privileges (default DIR/name.key;\n"
    "                       with --from none: a snapshot never holds it)\n"
    "  --name-checks N      name checks per certificate per day, all clients together (default 10;\n"
    "                       0 = no name checks)\n"
    "  -h, --help           this text\n"
    "  --version            print the version\n";

enum { OPT_LISTEN = 256, OPT_URL, OPT_THREADS, OPT_USER, OPT_RATE, OPT_PROXY, OPT_CONNS, OPT_PERIP,
    OPT_TIMEOUT, OPT_NAMEKEY, OPT_NAMECHECKS, OPT_VERSION, OPT_FROM, OPT_MAXAGE };

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "public-url", required_argument, NULL, OPT_URL },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "user", required_argument, NULL, OPT_USER },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "trust-proxy", required_argument, NULL, OPT_PROXY },
	{ "connections", required_argument, NULL, OPT_CONNS },
	{ "per-ip", required_argument, NULL, OPT_PERIP },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "name-key", required_argument, NULL, OPT_NAMEKEY },
	{ "name-checks", required_argument, NULL, OPT_NAMECHECKS },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "max-age", required_argument, NULL, OPT_MAXAGE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static void
die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void
die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static unsigned
number_arg(const char *opt, const char *s, unsigned min, unsigned max)
{
	unsigned v;
	int rc;

	if ((rc = ec_uint_arg(s, min, max, &v)))
		die(2, "option '--%s': %s", opt, ec_err_msg(rc));
	return v;
}

/* Connections need descriptors: raise the soft limit to the hard one and fit the limit below it. */
static unsigned
fit_fd_limit(unsigned conns)
{
	struct rlimit rl;
	char msg[96];

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return conns;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && (rlim_t)conns + 64 > rl.rlim_cur) {
		conns = rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 64) : 64;
		snprintf(msg, sizeof msg, "connections lowered to %u by the open-file limit", conns);
		vd_event("warning", "message", msg);
	}
	return conns;
}

static void
set_public_url(struct vd *v, const char *url)
{
	int rc;

	if ((rc = ec_base_url(url, v->public_url, sizeof v->public_url)))
		die(2, "option '--public-url': %s", ec_err_msg(rc));
}

static void
set_proxy(struct vd *v, const char *addr)
{
	int rc;

	if ((rc = ec_ip_key(addr, v->proxy_addr)))
		die(2, "option '--trust-proxy': %s", ec_err_msg(rc));
	v->trust_proxy = 1;
}

/* The public register, read-only; with a name key, name checks and their daily budget. The key is wiped. */
static void
open_register(struct vd *v, unsigned char *key, unsigned name_checks)
{
	char path[PATH_MAX];
	int rc;

	if ((rc = ec_path(path, sizeof path, v->dir, EC_P_PUBLIC, NULL)) != 0)
		die(2, "%s", ec_err_msg(rc));
	if ((rc = ec_pubreg_open(path, &v->reg)) != 0)
		die(2, "%s", ec_err_msg(rc));
	if (key == NULL)
		return;
	rc = ec_pubreg_name_key(v->reg, key);
	explicit_bzero(key, EC_NAME_KEY_LEN);
	if (rc != 0)
		die(2, "%s", ec_err_msg(rc));
	if ((rc = ec_budget_new(name_checks, &v->budget)) != 0)
		die(2, "%s", ec_err_msg(rc));
}

/*
 * A replica: the name key (wiped here, kept for each snapshot's register) and the snapshot in
 * v->from/current, verified; its public URL and zone unless --public-url was given.
 */
static void
open_snapshots(struct vd *v, unsigned char *key, unsigned name_checks)
{
	char url[sizeof v->public_url];
	int rc;

	if (key != NULL) {
		memcpy(v->name_key, key, EC_NAME_KEY_LEN);
		explicit_bzero(key, EC_NAME_KEY_LEN);
		v->has_key = 1;
		if ((rc = ec_budget_new(name_checks, &v->budget)) != 0)
			die(2, "%s", ec_err_msg(rc));
	}
	if ((rc = vd_snap_start(v)) != 0)
		die(2, "cannot serve the snapshots of '%s': %s", v->from, ec_err_msg(rc));
	memcpy(url, v->public_url, sizeof url);
	if ((rc = ec_base_url(url, v->public_url, sizeof v->public_url)))
		die(2, "the snapshot's public_url: %s", ec_err_msg(rc));
}

/*
 * Until SIGINT or SIGTERM the main thread writes out the access lines the threads buffer; then it
 * stops accepting, lets the requests in flight finish (DRAIN_SECONDS at most) and stops the server.
 */
static void
serve_until_signal(struct vd *v, struct MHD_Daemon *d, const sigset_t *sigs)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 }, tick = { 0, VD_LOG_TICK_MS * 1000 * 1000 };
	int sig, fd, i = 0;

	do {
		sig = sigtimedwait(sigs, NULL, &tick);
		vd_log_flush();
		if (++i >= VD_SUMMARY_SECONDS * 1000 / VD_LOG_TICK_MS) {
			vd_log_summary();
			i = 0;
		}
	} while (sig < 0);
	vd_log_summary();
	vd_event("stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
	__atomic_store_n(&v->draining, 1, __ATOMIC_RELAXED);
	fd = MHD_quiesce_daemon(d);
	for (i = 0; i < DRAIN_SECONDS * 100 && __atomic_load_n(&v->in_flight, __ATOMIC_ACQUIRE) > 0; i++) {
		nanosleep(&pause, NULL);
		if (i % 5 == 4)
			vd_log_flush();
	}
	MHD_stop_daemon(d);
	if (fd >= 0)
		close(fd);
}

int
main(int argc, char **argv)
{
	static struct vd v;
	const char *dir = NULL, *listen_spec = "127.0.0.1:8080", *user = NULL, *url = NULL, *keyfile = NULL;
	unsigned threads = 0, rate = 10, conns = 4096, per_ip = 64, timeout = 15, name_checks = 10, max_age = 3600;
	int max_age_set = 0;
	unsigned char key[EC_NAME_KEY_LEN];
	int key_rc = EC_ERR_UNSUPPORTED;
	struct MHD_Daemon *d;
	struct ec_conf conf;
	char bound[80], path[PATH_MAX], msg[160];
	sigset_t sigs;
	long cores;
	int fd, rc;

	while ((rc = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (rc) {
		case 'd': dir = optarg; break;
		case OPT_LISTEN: listen_spec = optarg; break;
		case OPT_URL: url = optarg; break;
		case OPT_THREADS: threads = number_arg("threads", optarg, 1, 256); break;
		case OPT_USER: user = optarg; break;
		case OPT_RATE: rate = number_arg("rate", optarg, 0, 1000000); break;
		case OPT_PROXY: set_proxy(&v, optarg); break;
		case OPT_CONNS: conns = number_arg("connections", optarg, 1, 1000000); break;
		case OPT_PERIP: per_ip = number_arg("per-ip", optarg, 1, 1000000); break;
		case OPT_TIMEOUT: timeout = number_arg("timeout", optarg, 1, 3600); break;
		case OPT_NAMEKEY: keyfile = optarg; break;
		case OPT_NAMECHECKS: name_checks = number_arg("name-checks", optarg, 0, 65535); break;
		case OPT_FROM: v.from = optarg; break;
		case OPT_MAXAGE: max_age = number_arg("max-age", optarg, 1, 100000000); max_age_set = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case OPT_VERSION: puts(PROG " " EC_VERSION); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		fputs(usage_text, stderr);
		return 2;
	}
	if (v.from && dir) {
		fprintf(stderr, PROG ": -d and --from exclude each other: a replica reads no state directory\n");
		return 2;
	}
	if (max_age_set && !v.from) {
		fprintf(stderr, PROG ": --max-age goes with --from\n");
		return 2;
	}
	v.max_age = max_age;
	if (threads == 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores < 1 ? 1 : cores > 64 ? 64 : (unsigned)cores;
	}
	v.dir = ec_conf_dir(dir);
	signal(SIGPIPE, SIG_IGN);
	/* The endpoint never signs: passphrases meant for the office tools must not linger in its environment. */
	unsetenv("ECERT_PASS");
	unsetenv("ECERT_ROOT_PASS");

	if ((rc = ec_listen(listen_spec, bound, sizeof bound, &fd)) != 0)
		die(2, "option '--listen': %s", ec_err_msg(rc));
	/* The name key is read while the process may still be root, so the file can stay unreadable to the
	 * unprivileged user the endpoint becomes. */
	if (name_checks > 0 && v.from && keyfile == NULL) {
		snprintf(msg, sizeof msg, "no --name-key (a snapshot never holds one): name checks answer 503");
	} else if (name_checks > 0) {
		if (keyfile == NULL && (rc = ec_path(path, sizeof path, v.dir, EC_P_NAME_KEY, NULL)) != 0)
			die(2, "%s", ec_err_msg(rc));
		key_rc = ec_name_key_read(keyfile != NULL ? keyfile : path, key);
		if (key_rc != 0 && keyfile != NULL)
			die(2, "%s", ec_err_msg(key_rc));
		if (key_rc != 0)
			snprintf(msg, sizeof msg, "%s: name checks answer 503", ec_err_msg(key_rc));
	}
	conns = fit_fd_limit(conns);
	if (v.trust_proxy || per_ip > conns)
		per_ip = conns;
	if ((rc = ec_drop_privileges(user)) != 0)
		die(2, "%s", ec_err_msg(rc));
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

	if (url != NULL)
		set_public_url(&v, url);
	if (v.from) {
		open_snapshots(&v, key_rc == 0 ? key : NULL, name_checks);
	} else {
		memset(&conf, 0, sizeof conf);
		rc = ec_conf_load(v.dir, &conf);
		if (rc != 0 && rc != EC_ERR_NOTFOUND)
			die(2, "%s", ec_err_msg(rc));
		snprintf(v.tz, sizeof v.tz, "%s", rc == 0 && conf.tz[0] ? conf.tz : "UTC");
		if (url == NULL && rc == 0)
			set_public_url(&v, conf.public_url);
	}
	if ((rc = vd_init(&v)) != 0)
		die(2, "%s", ec_err_msg(rc));
	if (rate > 0 && (rc = ec_ratelimit_new(rate, 2.0 * rate, 65536, &v.rl)) != 0)
		die(2, "%s", ec_err_msg(rc));
	if (!v.from)
		open_register(&v, key_rc == 0 ? key : NULL, name_checks);
	if (key_rc != 0 && name_checks > 0)
		vd_event("warning", "name_key", msg);

	/* Every thread MHD starts inherits this mask, so only sigwait below sees the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	d = vd_start(&v, fd, threads, conns, per_ip, timeout, (size_t)16 * 1024);
	if (d == NULL)
		die(2, "cannot start the HTTP server on '%s'", bound);
	snprintf(msg, sizeof msg, "%s threads=%u connections=%u per-ip=%u timeout=%us rate=%u", bound, threads,
	    conns, per_ip, timeout, rate);
	vd_event("listening", "address", bound);
	vd_event("limits", "settings", msg);

	serve_until_signal(&v, d, &sigs);
	if (v.from)
		vd_snap_stop(&v);
	vd_cleanup(&v);
	vd_event("stopped", NULL, NULL);
	return 0;
}
