/* ecert-portald: the candidates' portal (options, privileges, the register, the mailer, lifecycle). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "catalog.h"
#include "conf.h"
#include "designs.h"
#include "err.h"
#include "net.h"
#include "office.h"
#include "paths.h"
#include "portal.h"
#include "portald.h"

#define PROG "ecert-portald"
#define DRAIN_SECONDS 10
#define SWEEP_SECONDS 60

static const char usage_text[] =
    "usage: " PROG " [-d DIR] [--listen ADDR:PORT] [--public-url URL] [--threads N] [--user NAME]\n"
    "                     [--trust-proxy ADDR] [--connections N] [--timeout SECONDS] [--insecure-cookies]\n"
    "\n"
    "Serve the candidates' portal of DIR (default $ECERT_HOME, else /var/lib/ecert): sign-in by mailed\n"
    "link or code, associating exam records, My Certificates and their PDFs. It shares the office\n"
    "register with ecert-issue and never loads a key.\n"
    "\n"
    "  -d DIR               state directory\n"
    "  --listen ADDR:PORT   address to listen on (default 127.0.0.1:8081; port 0 = any)\n"
    "  --public-url URL     the portal's own address, for the links it mails (default http://ADDR:PORT)\n"
    "  --threads N          worker threads (default: 4 per core)\n"
    "  --user NAME          drop to this user after binding (required when started as root)\n"
    "  --trust-proxy ADDR   clients connecting from ADDR are keyed by the last X-Forwarded-For hop\n"
    "  --connections N      open connections at most (default 1024)\n"
    "  --timeout SECONDS    idle connection timeout (default 30)\n"
    "  --insecure-cookies   cookies without Secure and the __Host- prefix: plain-HTTP tests on loopback only\n"
    "  -h, --help           this text\n"
    "  --version            print the version\n";

enum { OPT_LISTEN = 256, OPT_URL, OPT_THREADS, OPT_USER, OPT_PROXY, OPT_CONNS, OPT_TIMEOUT, OPT_INSECURE,
    OPT_VERSION };

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "public-url", required_argument, NULL, OPT_URL },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "user", required_argument, NULL, OPT_USER },
	{ "trust-proxy", required_argument, NULL, OPT_PROXY },
	{ "connections", required_argument, NULL, OPT_CONNS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "insecure-cookies", no_argument, NULL, OPT_INSECURE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

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

/* The mailer, started while the process may still read the relay's password file. */
static struct pd_mailer *
mailer(const char *dir, const struct ec_conf *conf)
{
	struct ec_smtp_conf smtp;
	struct pd_mailer *m;
	char tpldir[4096], path[4200], from[300];
	int rc;

	if (!conf->smtp_url[0])
		die(2, "no smtp_url in %s/ecert.conf: the portal mails every sign-in link (docs/mail.md)", dir);
	if ((rc = ec_designs_locate(dir, "mail/login.en.txt", path, sizeof path, tpldir, sizeof tpldir)))
		die(2, "%s", ec_err_msg(rc));
	ec_conf_mail_from(conf, from, sizeof from);
	memset(&smtp, 0, sizeof smtp);
	smtp.url = conf->smtp_url;
	smtp.tls = conf->smtp_tls;
	smtp.from = from;
	smtp.timeout = 20;
	if (conf->smtp_user[0]) {
		smtp.user = conf->smtp_user;
		smtp.pass_file = conf->smtp_pass_file;
	}
	if ((rc = pd_mailer_start(&smtp, tpldir, from, &m)))
		die(2, "%s", ec_err_msg(rc));
	return m;
}

/* Until SIGINT or SIGTERM: expired sessions and tokens swept once a minute; then drain and stop. */
static void
serve_until_signal(struct pd *d, struct ec_office *o, struct MHD_Daemon *mhd, const sigset_t *sigs)
{
	struct timespec tick = { 1, 0 }, pause = { 0, 10 * 1000 * 1000 };
	time_t last = 0;
	int sig, fd, i, rc;

	for (;;) {
		sig = sigtimedwait(sigs, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (time(NULL) - last >= SWEEP_SECONDS) {
			last = time(NULL);
			if ((rc = ec_portal_sweep(o, (int64_t)last, NULL)))
				pd_event("warning", "sweep", ec_err_msg(rc));
		}
	}
	pd_event("stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
	fd = MHD_quiesce_daemon(mhd);
	for (i = 0; i < DRAIN_SECONDS * 100 && __atomic_load_n(&d->in_flight, __ATOMIC_ACQUIRE) > 0; i++)
		nanosleep(&pause, NULL);
	MHD_stop_daemon(mhd);
	if (fd >= 0)
		close(fd);
}

int
main(int argc, char **argv)
{
	static struct pd d;
	const char *dir = NULL, *listen_spec = "127.0.0.1:8081", *user = NULL, *url = NULL;
	unsigned threads = 0, conns = 1024, timeout = 30;
	int insecure = 0, fd, rc;
	char bound[80], portal_url[EC_PWEB_URL_MAX], path[PATH_MAX], host[256], msg[160];
	struct ec_pweb_conf pc;
	struct ec_conf conf;
	struct ec_catalog *cat = NULL;
	struct ec_designs *designs = NULL;
	struct ec_office *office = NULL;
	struct pd_mailer *mail;
	struct MHD_Daemon *mhd;
	sigset_t sigs;
	long cores;

	while ((rc = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (rc) {
		case 'd': dir = optarg; break;
		case OPT_LISTEN: listen_spec = optarg; break;
		case OPT_URL: url = optarg; break;
		case OPT_THREADS: threads = number_arg("threads", optarg, 1, 256); break;
		case OPT_USER: user = optarg; break;
		case OPT_PROXY:
			if ((rc = ec_ip_key(optarg, d.proxy_addr)))
				die(2, "option '--trust-proxy': %s", ec_err_msg(rc));
			d.trust_proxy = 1;
			break;
		case OPT_CONNS: conns = number_arg("connections", optarg, 1, 100000); break;
		case OPT_TIMEOUT: timeout = number_arg("timeout", optarg, 1, 3600); break;
		case OPT_INSECURE: insecure = 1; break;
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
	/* a PDF takes milliseconds of one thread: more threads than cores keep a quick page from waiting
	 * behind a rendering on the same thread's connections */
	if (threads == 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores < 1 ? 4 : cores > 16 ? 64 : 4 * (unsigned)cores;
	}
	dir = ec_conf_dir(dir);
	signal(SIGPIPE, SIG_IGN);
	/* The portal never signs: the office's passphrases must not linger in its environment. */
	unsetenv("ECERT_PASS");
	unsetenv("ECERT_ROOT_PASS");

	if ((rc = ec_listen(listen_spec, bound, sizeof bound, &fd)))
		die(2, "option '--listen': %s", ec_err_msg(rc));
	memset(&conf, 0, sizeof conf);
	if ((rc = ec_conf_load(dir, &conf)))
		die(2, "%s", ec_err_msg(rc));
	mail = mailer(dir, &conf);
	if ((rc = ec_drop_privileges(user)))
		die(2, "%s", ec_err_msg(rc));
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

	if (url && (rc = ec_base_url(url, portal_url, sizeof portal_url)))
		die(2, "option '--public-url': %s", ec_err_msg(rc));
	else if (!url)
		snprintf(portal_url, sizeof portal_url, "http://%s", bound);
	if (insecure && strncmp(portal_url, "http://127.", 11) && strncmp(portal_url, "http://[::1]", 12) &&
	    strncmp(portal_url, "http://localhost", 16))
		die(2, "option '--insecure-cookies' is for plain-HTTP tests on loopback only, not '%s'", portal_url);
	if ((rc = ec_path(path, sizeof path, dir, EC_P_CATALOG, NULL)) || (rc = ec_catalog_load_file(path, &cat)) ||
	    (rc = ec_designs_new(dir, &designs)) || (rc = ec_office_open(dir, EC_OFFICE_SHARED, &office)))
		die(2, "%s", ec_err_msg(rc));
	ec_conf_host(&conf, host, sizeof host);
	memset(&pc, 0, sizeof pc);
	pc.office = office;
	pc.cat = cat;
	pc.designs = designs;
	pc.portal_url = portal_url;
	pc.verify_url = conf.public_url;
	pc.org = conf.org;
	pc.mail_domain = host;
	pc.tz = conf.tz[0] ? conf.tz : "UTC";
	pc.insecure_cookies = insecure;
	pc.mail = pd_mail;
	pc.mail_ctx = mail;
	if ((rc = ec_pweb_new(&pc, &d.web)))
		die(2, "%s", ec_err_msg(rc));

	/* Every thread libmicrohttpd starts inherits this mask, so only sigtimedwait sees the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (!(mhd = pd_start(&d, fd, threads, conns, timeout)))
		die(2, "cannot start the HTTP server on '%s'", bound);
	snprintf(msg, sizeof msg, "%s threads=%u connections=%u timeout=%us", bound, threads, conns, timeout);
	pd_event("listening", "address", bound);
	pd_event("limits", "settings", msg);

	serve_until_signal(&d, office, mhd, &sigs);
	pd_mailer_stop(mail);
	ec_pweb_free(d.web);
	ec_office_close(office);
	ec_designs_free(designs);
	ec_catalog_free(cat);
	pd_event("stopped", NULL, NULL);
	return 0;
}
