/* ecert-verify: offline verification of PDF e-Certs, PEM/DER e-Certs, QR URLs and tokens with a trust bundle. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "date.h"
#include "err.h"
#include "paths.h"
#include "number.h"
#include "pki.h"
#include "verify.h"

#define PROG "ecert-verify"
#define DEFAULT_DIR "/var/lib/ecert"
#define MAX_CRLS 64
#define LABEL_MAX 48             /* a pasted URL or token is shortened to this in messages */

enum { O_HELP = 'h', O_DIR = 'd', O_VERSION = 256, O_TRUST, O_CRL, O_AT, O_JSON };

static const struct option longopts[] = {
	{ "dir", required_argument, NULL, O_DIR },
	{ "trust", required_argument, NULL, O_TRUST },
	{ "crl", required_argument, NULL, O_CRL },
	{ "at", required_argument, NULL, O_AT },
	{ "json", no_argument, NULL, O_JSON },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [-d DIR] [--trust FILE] [--crl FILE]... [--at YYYY-MM-DD] [--json] INPUT...\n"
	    "\n"
	    "INPUT is a PDF e-Cert, a PEM or DER e-Cert, a QR URL or bare token (as a file or pasted as\n"
	    "an argument), or - for standard input.\n"
	    "\n"
	    "  --trust FILE   trust bundle (PEM); default DIR/trust.pem, DIR = -d, else $ECERT_HOME,\n"
	    "                 else " DEFAULT_DIR "\n"
	    "  --crl FILE     a CRL of an issuing CA (DER or PEM); repeat for several\n"
	    "  --at DATE      verify as of DATE (UTC); default today\n"
	    "  --json         one JSON document (an array for several inputs)\n"
	    "\n"
	    "exit status: 0 valid, 1 not valid, 2 usage or system error; the highest over all inputs\n");
}

/* What messages call an input: "(stdin)", a file name, or a pasted text shortened. */
static void
label_of(const char *arg, int literal, char *out, size_t outsz)
{
	if (strcmp(arg, "-") == 0)
		snprintf(out, outsz, "(stdin)");
	else if (literal && strlen(arg) > LABEL_MAX)
		snprintf(out, outsz, "%.*s...", LABEL_MAX - 3, arg);
	else
		snprintf(out, outsz, "%s", arg);
}

/* A pasted QR URL or token, as opposed to a file name: it has that shape and names no file. */
static int
is_literal(const char *arg)
{
	struct stat st;

	if (strcmp(arg, "-") == 0 || !ec_verify_is_text(arg, strlen(arg)))
		return 0;
	return stat(arg, &st) != 0 && (errno == ENOENT || errno == ENAMETOOLONG || errno == ENOTDIR);
}

static void
line(struct ec_buf *b, const char *key, const char *val)
{
	ec_buf_adds(b, key);
	ec_buf_adds(b, val);
	ec_buf_addc(b, '\n');
}

/*
 * One input's report for people, built in b (reused from input to input) and written in one call,
 * so that a batch of thousands of e-Certs spends nothing on printf's format parsing per line.
 */
static int
print_human(const struct ec_verify_result *r, const char *label, struct ec_buf *b)
{
	char disp[EC_NUMBER_DISPLAY + 1], from[11], to[11];
	const struct ec_ecert *e = &r->e;
	int s;

	ec_buf_reset(b);
	ec_buf_adds(b, label);
	if (r->code == EC_OK) {
		ec_buf_adds(b, ": VALID\n");
	} else if (ec_err_exit(r->code) != 1) {
		line(b, ": ERROR: ", r->stage[r->failed].msg);
	} else if (r->cannot_check) {
		line(b, ": CANNOT CHECK: ", r->stage[r->failed].msg);
	} else {
		ec_buf_adds(b, ": NOT VALID: ");
		ec_buf_adds(b, ec_verify_stage_name(r->failed));
		line(b, ": ", r->stage[r->failed].msg);
	}
	if (r->have_facts) {
		ec_number_display(e->number, disp);
		ec_date_format(e->effective, from);
		ec_date_format(e->expires, to);
		line(b, "  holder:         ", e->name);
		if (r->from_token) {
			line(b, "  certification:  ", e->code);
		} else {
			ec_buf_adds(b, "  certification:  ");
			ec_buf_adds(b, e->code);
			ec_buf_adds(b, " (");
			ec_buf_adds(b, e->title);
			ec_buf_adds(b, ")\n");
		}
		line(b, "  number:         ", disp);
		ec_buf_adds(b, "  valid:          ");
		ec_buf_adds(b, from);
		line(b, " to ", to);
		if (r->issuer[0])
			line(b, "  issuer:         ", r->issuer);
	}
	for (s = 0; s < EC_VS_COUNT; s++)
		if (r->stage[s].res == EC_VR_WARN)
			line(b, "  warning:        ", r->stage[s].msg);
	if (r->kind == EC_VK_PDF && r->have_facts && !r->pdf_token)
		line(b, "  note:           ", r->stage[EC_VS_CONSISTENCY].msg);
	if (b->err != EC_OK)
		return b->err;
	fwrite(b->p, 1, b->len, stdout);
	return EC_OK;
}

/* The trust bundle's path: --trust, else DIR/trust.pem with DIR from -d, $ECERT_HOME or the default. */
static const char *
trust_path(const char *trust, const char *dir, char *buf, size_t bufsz)
{
	const char *home = getenv("ECERT_HOME");

	if (trust != NULL)
		return trust;
	if (dir == NULL)
		dir = home != NULL && home[0] ? home : DEFAULT_DIR;
	if (ec_path(buf, bufsz, dir, EC_P_TRUST, NULL) != EC_OK)
		snprintf(buf, bufsz, "%s", dir);   /* too long: the load names the directory itself */
	return buf;
}

/*
 * Load each --crl file against o->trust into crls; o->ncrls counts the loaded ones (to free). A CRL
 * that does not verify is reported and kept (its msg says why); an unreadable file is exit status 2.
 */
static int
load_crls(struct ec_verify_opts *o, const char *const *paths, size_t n, struct ec_verify_crl *crls)
{
	unsigned char *data;
	size_t i, len;
	int rc;

	for (i = 0; i < n; i++) {
		data = NULL;
		len = 0;
		if ((rc = ec_verify_read(paths[i], EC_VERIFY_MAX_INPUT, &data, &len)) != EC_OK) {
			fprintf(stderr, PROG ": %s\n", ec_err_msg(rc));
			return 2;
		}
		if (ec_verify_crl_load(o->trust, paths[i], data, len, &crls[i]) != EC_OK)
			fprintf(stderr, PROG ": CRL '%s': %s\n", paths[i], crls[i].msg);
		o->ncrls = i + 1;
		free(data);
	}
	o->crls = crls;
	return 0;
}

/* The one stderr line of a failed input: cannot check, not valid (with the stage), or a system error. */
static void
report_failure(const struct ec_verify_result *r, int code, const char *label)
{
	if (code == 1 && r->cannot_check)
		fprintf(stderr, PROG ": %s: cannot check: %s\n", label, r->stage[r->failed].msg);
	else if (code == 1)
		fprintf(stderr, PROG ": %s: not valid: %s: %s\n", label, ec_verify_stage_name(r->failed),
		    r->stage[r->failed].msg);
	else
		fprintf(stderr, PROG ": %s: %s\n", label, r->stage[r->failed].msg);
}

int
main(int argc, char **argv)
{
	struct ec_verify_crl crls[MAX_CRLS];
	struct ec_verify_opts o;
	struct ec_verify_result r;
	struct ec_buf json, text;
	struct ec_trust *trust = NULL;
	const char *dir = NULL, *trust_opt = NULL, *at_opt = NULL, *crl_paths[MAX_CRLS], *tp;
	char tbuf[4096], label[4096];
	size_t ncrl = 0, i;
	int c, rc, json_out = 0, status = 0, code, literal;

	ec_buf_init(&json);
	ec_buf_init(&text);
	memset(&o, 0, sizeof o);
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_DIR: dir = optarg; break;
		case O_TRUST: trust_opt = optarg; break;
		case O_AT: at_opt = optarg; break;
		case O_JSON: json_out = 1; break;
		case O_CRL:
			if (ncrl == MAX_CRLS) {
				fprintf(stderr, PROG ": more than %d --crl files\n", MAX_CRLS);
				return 2;
			}
			crl_paths[ncrl++] = optarg;
			break;
		case O_HELP:
			usage(stdout);
			return 0;
		case O_VERSION:
			printf(PROG " %s\n", EC_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": no input given\n");
		usage(stderr);
		return 2;
	}
	if (at_opt != NULL) {
		if (ec_date_parse(at_opt, &o.at) != EC_OK) {
			fprintf(stderr, PROG ": --at '%s': not a date (YYYY-MM-DD)\n", at_opt);
			return 2;
		}
		/* Noon UTC, as ECERT_NOW does, so a CRL's freshness on that day does not hinge on the hour. */
		o.at_time = ec_date_to_time(o.at) + 43200;
	} else {
		if ((rc = ec_date_today(NULL, &o.at)) != EC_OK) {
			fprintf(stderr, PROG ": %s\n", ec_err_msg(rc));
			return 2;
		}
		o.at_time = ec_time_now();
	}
	tp = trust_path(trust_opt, dir, tbuf, sizeof tbuf);
	if ((rc = ec_trust_load(tp, &trust)) != EC_OK) {
		fprintf(stderr, PROG ": cannot load the trust bundle '%s': %s\n", tp, ec_err_msg(rc));
		return 2;
	}
	o.trust = trust;
	if ((status = load_crls(&o, crl_paths, ncrl, crls)) != 0)
		goto out;
	if (json_out && argc - optind > 1)
		ec_buf_addc(&json, '[');
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		literal = is_literal(argv[i]);
		label_of(argv[i], literal, label, sizeof label);
		if (literal)
			ec_verify_mem(&o, (const unsigned char *)argv[i], strlen(argv[i]), &r);
		else
			ec_verify_path(&o, argv[i], &r);
		code = ec_err_exit(r.code);
		if (code > status)
			status = code;
		if (r.code != EC_OK)
			report_failure(&r, code, label);
		if (json_out) {
			if (i > (size_t)optind)
				ec_buf_addc(&json, ',');
			ec_verify_json(&r, label, &json);
		} else if (print_human(&r, label, &text) != EC_OK) {
			fprintf(stderr, PROG ": out of memory\n");
			status = 2;
			goto out;
		}
	}
	if (json_out) {
		if (argc - optind > 1)
			ec_buf_addc(&json, ']');
		if (json.err != EC_OK) {
			fprintf(stderr, PROG ": out of memory\n");
			status = 2;
			goto out;
		}
		printf("%s\n", json.p);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": cannot write the output\n");
		status = 2;
	}
out:
	for (i = 0; i < o.ncrls; i++)
		ec_verify_crl_free(&crls[i]);
	ec_trust_free(trust);
	ec_buf_free(&json);
	ec_buf_free(&text);
	return status;
}
