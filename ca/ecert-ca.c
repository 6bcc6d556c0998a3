/* ecert-ca: create the root and issuing CAs, rotate the issuing CA, export the trust bundle, list CAs. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "buf.h"
#include "ca.h"
#include "catalog.h"
#include "conf.h"
#include "err.h"
#include "file.h"
#include "pass.h"
#include "pki.h"

static const char usage_text[] =
    "usage: ecert-ca init --org NAME [--public-url URL] [--alg p256|ed25519] [--tz ZONE]\n"
    "       ecert-ca rotate\n"
    "       ecert-ca crl                 re-sign the root's CRL (crl/root.crl; needs the root key)\n"
    "       ecert-ca trust [-o FILE]\n"
    "       ecert-ca list [--json]\n"
    "common options: -d DIR (default $ECERT_HOME, else /var/lib/ecert), --pass-file FILE,\n"
    "       --root-pass-file FILE, -h/--help, --version\n"
    "passphrases: issuing keys from --pass-file, ECERT_PASS or a prompt; the root key from\n"
    "       --root-pass-file or ECERT_ROOT_PASS, else the issuing passphrase\n";

enum { O_ORG = 1 << 0, O_URL = 1 << 1, O_ALG = 1 << 2, O_TZ = 1 << 3, O_OUT = 1 << 4, O_JSON = 1 << 5,
	O_PASS = 1 << 6, O_ROOTPASS = 1 << 7 };

struct opts {
	const char *dir, *org, *url, *alg, *tz, *out, *pass_file, *root_pass_file;
	unsigned given;
};

static int
fail(int rc)
{
	fprintf(stderr, "ecert-ca: %s\n", ec_err_msg(rc));
	return ec_err_exit_ca(rc);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ecert-ca: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(usage_text, stderr);
	return 2;
}

/* Holding keys: no core dumps, no ptrace by the same user. */
static void
harden(void)
{
	struct rlimit rl = { 0, 0 };

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &rl);
}

/* The issuing passphrase, then the root one (its own source if any, else a copy of the issuing one). */
static int
get_passes(const struct opts *o, int confirm, char **pass, size_t *len, char **root, size_t *rootlen)
{
	const char *env = getenv("ECERT_ROOT_PASS");
	int rc;

	*root = NULL;
	*rootlen = 0;
	if ((rc = ec_pass_get(o->pass_file, "ECERT_PASS", "Issuing CA passphrase: ", confirm, pass, len)) != EC_OK)
		return rc;
	if (o->root_pass_file != NULL || env != NULL)
		return ec_pass_get(o->root_pass_file, "ECERT_ROOT_PASS", "Root CA passphrase: ", confirm, root, rootlen);
	return EC_OK;
}

static int
cmd_init(const struct opts *o)
{
	struct ec_conf c;
	char *pass = NULL, *root = NULL, kid[EC_KID_LEN + 1];
	size_t len = 0, rootlen = 0, n;
	int rc;

	memset(&c, 0, sizeof c);
	if (o->org == NULL)
		return usage_error("%s", "init needs --org NAME");
	if (strlen(o->org) >= sizeof c.org)
		return usage_error("organisation name '%s' is too long", o->org);
	strcpy(c.org, o->org);
	if (strlen(o->url ? o->url : "") >= sizeof c.public_url)
		return usage_error("%s", "public URL is too long");
	snprintf(c.public_url, sizeof c.public_url, "%s", o->url ? o->url : "http://localhost:8080");
	n = strlen(c.public_url);
	while (n > 8 && c.public_url[n - 1] == '/')
		c.public_url[--n] = '\0';
	if (o->alg == NULL || strcmp(o->alg, "p256") == 0)
		c.alg = EC_ALG_P256;
	else if (strcmp(o->alg, "ed25519") == 0)
		c.alg = EC_ALG_ED25519;
	else
		return usage_error("unknown algorithm '%s' (p256 or ed25519)", o->alg);
	if (strlen(o->tz ? o->tz : "") >= sizeof c.tz)
		return usage_error("unknown time zone '%s'", o->tz);
	snprintf(c.tz, sizeof c.tz, "%s", o->tz ? o->tz : "UTC");
	if ((rc = ec_conf_check(&c)) != EC_OK)
		return usage_error("%s", ec_err_msg(rc));
	if ((rc = get_passes(o, 1, &pass, &len, &root, &rootlen)) != EC_OK)
		goto out;
	if ((rc = ec_ca_init(o->dir, &c, root ? root : pass, root ? rootlen : len, pass, len)) != EC_OK ||
	    (rc = ec_ca_current_kid(o->dir, kid)) != EC_OK ||
	    (rc = ec_ca_crl_init(o->dir, kid, pass, len)) != EC_OK)
		goto out;
	printf("initialised CA '%s' in '%s'\nissuing CA %s\n", c.org, o->dir, kid);
	/* the certification catalogue belongs to the directory from the start; ecert-issue retries if this fails */
	if ((rc = ec_catalog_install(o->dir)) != EC_OK) {
		fprintf(stderr, "ecert-ca: warning: %s\n", ec_err_msg(rc));
		rc = EC_OK;
	}
out:
	ec_pass_free(pass, len);
	ec_pass_free(root, rootlen);
	return rc == EC_OK ? 0 : fail(rc);
}

static int
cmd_rotate(const struct opts *o)
{
	char *pass = NULL, *root = NULL, kid[EC_KID_LEN + 1];
	size_t len = 0, rootlen = 0;
	struct ec_conf c;
	int rc;

	/* Check the directory before asking for anything. */
	if ((rc = ec_conf_load(o->dir, &c)) != EC_OK)
		return fail(rc);
	if ((rc = get_passes(o, 0, &pass, &len, &root, &rootlen)) != EC_OK)
		goto out;
	if ((rc = ec_ca_rotate(o->dir, root ? root : pass, root ? rootlen : len, pass, len, kid)) != EC_OK ||
	    (rc = ec_ca_crl_init(o->dir, kid, pass, len)) != EC_OK)
		goto out;
	printf("issuing CA %s is now current\n", kid);
out:
	ec_pass_free(pass, len);
	ec_pass_free(root, rootlen);
	return rc == EC_OK ? 0 : fail(rc);
}

/* The root passphrase alone: --root-pass-file or ECERT_ROOT_PASS, else the issuing passphrase's sources. */
static int
cmd_crl(const struct opts *o)
{
	const char *file = o->root_pass_file, *env = "ECERT_ROOT_PASS";
	char *root = NULL;
	size_t rootlen = 0;
	struct ec_conf c;
	int rc;

	if ((rc = ec_conf_load(o->dir, &c)) != EC_OK)
		return fail(rc);
	if (file == NULL && getenv("ECERT_ROOT_PASS") == NULL) {
		file = o->pass_file;
		env = "ECERT_PASS";
	}
	if ((rc = ec_pass_get(file, env, "Root CA passphrase: ", 0, &root, &rootlen)) != EC_OK ||
	    (rc = ec_ca_root_crl(o->dir, root, rootlen)) != EC_OK)
		goto out;
	printf("re-signed '%s/crl/root.crl'\n", o->dir);
out:
	ec_pass_free(root, rootlen);
	return rc == EC_OK ? 0 : fail(rc);
}

static int
cmd_trust(const struct opts *o)
{
	struct ec_trust *t = NULL;
	struct ec_conf c;
	struct ec_buf b;
	int rc;

	ec_buf_init(&b);
	if ((rc = ec_conf_load(o->dir, &c)) != EC_OK || (rc = ec_ca_trust_pem(o->dir, &b)) != EC_OK)
		goto out;
	/* Export only a bundle that a verifier will accept: every issuing CA signed by the root. */
	if ((rc = ec_trust_load_mem(b.p, b.len, &t)) != EC_OK)
		goto out;
	if (o->out != NULL)
		rc = ec_file_write(o->out, b.p, b.len, 0644, 1);
	else if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) != 0)
		rc = ec_err_errno("cannot write", "standard output");
out:
	ec_trust_free(t);
	ec_buf_free(&b);
	return rc == EC_OK ? 0 : fail(rc);
}

static void
iso_time(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
cmd_list(const struct opts *o)
{
	struct ec_ca_info *v = NULL;
	struct ec_conf c;
	struct ec_buf b;
	char nb[21], na[21];
	size_t n = 0, i;
	int rc;

	ec_buf_init(&b);
	if ((rc = ec_conf_load(o->dir, &c)) != EC_OK || (rc = ec_ca_list(o->dir, &v, &n)) != EC_OK)
		goto out;
	if (o->given & O_JSON)
		ec_buf_adds(&b, "[");
	else
		ec_buf_addf(&b, "%-11s  %-7s  %-7s  %-20s  %-20s  %s\n", "KID", "ROLE", "ALG", "NOT BEFORE", "NOT AFTER", "SUBJECT");
	for (i = 0; i < n; i++) {
		const char *role = v[i].is_root ? "root" : v[i].current ? "current" : "retired";
		const char *alg = v[i].alg == EC_ALG_ED25519 ? "ed25519" : "p256";

		iso_time(v[i].not_before, nb);
		iso_time(v[i].not_after, na);
		if (o->given & O_JSON) {
			ec_buf_adds(&b, i ? ",{\"kid\":" : "{\"kid\":");
			if (v[i].is_root)
				ec_buf_adds(&b, "null");
			else
				ec_buf_json(&b, v[i].kid);
			ec_buf_addf(&b, ",\"role\":\"%s\",\"current\":%s,\"alg\":\"%s\",\"not_before\":\"%s\",\"not_after\":\"%s\",\"subject\":",
			    v[i].is_root ? "root" : "issuing", v[i].current ? "true" : "false", alg, nb, na);
			ec_buf_json(&b, v[i].subject);
			ec_buf_adds(&b, "}");
		} else {
			ec_buf_addf(&b, "%-11s  %-7s  %-7s  %-20s  %-20s  %s\n", v[i].is_root ? "-" : v[i].kid, role, alg,
			    nb, na, v[i].subject);
		}
	}
	if (o->given & O_JSON)
		ec_buf_adds(&b, "]\n");
	if (b.err) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (fwrite(b.p, 1, b.len, stdout) != b.len || fflush(stdout) != 0)
		rc = ec_err_errno("cannot write", "standard output");
out:
	free(v);
	ec_buf_free(&b);
	return rc == EC_OK ? 0 : fail(rc);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "org", required_argument, NULL, 'O' },
		{ "public-url", required_argument, NULL, 'U' },
		{ "alg", required_argument, NULL, 'A' },
		{ "tz", required_argument, NULL, 'Z' },
		{ "json", no_argument, NULL, 'J' },
		{ "pass-file", required_argument, NULL, 'P' },
		{ "root-pass-file", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct { const char *name; unsigned allowed; int (*fn)(const struct opts *); } cmds[] = {
		{ "init", O_ORG | O_URL | O_ALG | O_TZ | O_PASS | O_ROOTPASS, cmd_init },
		{ "rotate", O_PASS | O_ROOTPASS, cmd_rotate },
		{ "crl", O_PASS | O_ROOTPASS, cmd_crl },
		{ "trust", O_OUT, cmd_trust },
		{ "list", O_JSON, cmd_list },
	};
	struct opts o;
	const char *cmd;
	size_t i;
	int ch;

	harden();
	memset(&o, 0, sizeof o);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': o.dir = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': printf("ecert-ca %s\n", EC_VERSION); return 0;
		case 'O': o.org = optarg; o.given |= O_ORG; break;
		case 'U': o.url = optarg; o.given |= O_URL; break;
		case 'A': o.alg = optarg; o.given |= O_ALG; break;
		case 'Z': o.tz = optarg; o.given |= O_TZ; break;
		case 'o': o.out = optarg; o.given |= O_OUT; break;
		case 'J': o.given |= O_JSON; break;
		case 'P': o.pass_file = optarg; o.given |= O_PASS; break;
		case 'R': o.root_pass_file = optarg; o.given |= O_ROOTPASS; break;
		case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
		default: return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no subcommand");
	cmd = argv[optind];
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	o.dir = ec_conf_dir(o.dir);
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(cmd, cmds[i].name) != 0)
			continue;
		if (o.given & ~cmds[i].allowed)
			return usage_error("an option given does not apply to '%s'", cmd);
		return cmds[i].fn(&o);
	}
	return usage_error("unknown subcommand '%s'", cmd);
}
