/* ecert-issue: the certification office's tool; parses the command line and runs one subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "issuer.h"

enum opt_id {
	O_DIR = 'd', O_HELP = 'h', O_OUT = 'o',
	O_VERSION = 256, O_JSON, O_ALL, O_CONSENT, O_FORCE, O_DER, O_PASSFILE, O_REGNO, O_FORMAT,
	O_NAME, O_EMAIL, O_TEL, O_ADDRESS, O_CSV, O_REASON, O_CARRIER, O_ORDER, O_STATUS, O_STATE, O_FAILED, O_LANG, O_SHIPPING,
	O_UPDATE, O_TO, O_KEEP
};

static const struct option longopts[] = {
	{ "dir", required_argument, NULL, O_DIR },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ "json", no_argument, NULL, O_JSON },
	{ "all", no_argument, NULL, O_ALL },
	{ "consent", no_argument, NULL, O_CONSENT },
	{ "force", no_argument, NULL, O_FORCE },
	{ "der", no_argument, NULL, O_DER },
	{ "pass-file", required_argument, NULL, O_PASSFILE },
	{ "reg-no", required_argument, NULL, O_REGNO },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "name", required_argument, NULL, O_NAME },
	{ "email", required_argument, NULL, O_EMAIL },
	{ "tel", required_argument, NULL, O_TEL },
	{ "address", required_argument, NULL, O_ADDRESS },
	{ "csv", optional_argument, NULL, O_CSV },
	{ "reason", required_argument, NULL, O_REASON },
	{ "carrier", required_argument, NULL, O_CARRIER },
	{ "order", required_argument, NULL, O_ORDER },
	{ "status", required_argument, NULL, O_STATUS },
	{ "state", required_argument, NULL, O_STATE },
	{ "failed", no_argument, NULL, O_FAILED },
	{ "lang", required_argument, NULL, O_LANG },
	{ "shipping", no_argument, NULL, O_SHIPPING },
	{ "update", no_argument, NULL, O_UPDATE },
	{ "output", required_argument, NULL, O_OUT },
	{ "to", required_argument, NULL, O_TO },
	{ "keep", required_argument, NULL, O_KEEP },
	{ NULL, 0, NULL, 0 }
};

/* A subcommand: its options (O_* ids, 0-terminated), its positional arity and its synopsis. */
struct command {
	const char *name;
	int (*run)(struct opts *);
	int opts[12];
	int min_args, max_args;
	const char *synopsis;
};

#define MANY 1000000

static const struct command commands[] = {
	{ "catalog", cmd_catalog, { O_JSON }, 0, 0, "catalog [--json]" },
	{ "import", cmd_import, { O_UPDATE }, 1, 1, "import FILE.csv [--update]" },
	{ "apply", cmd_apply, { O_REGNO, O_FORMAT, O_NAME, O_EMAIL, O_TEL, O_ADDRESS, O_CONSENT, O_CSV, O_LANG },
	    0, 0, "apply --reg-no N --format electronic|paper --name NAME [--email E] [--tel T] [--address A]\n"
	    "             [--lang en|zh] --consent\n"
	    "       apply --csv FILE" },
	{ "withdraw", cmd_withdraw, { 0 }, 1, 1, "withdraw REG-NO" },
	{ "unbind", cmd_unbind, { 0 }, 1, 1, "unbind REG-NO" },
	{ "corrections", cmd_corrections, { O_JSON }, 1, 1, "corrections list [--json]" },
	{ "amend-result", cmd_amend, { O_EMAIL, O_TEL, O_UPDATE }, 1, 1,
	    "amend-result REG-NO [--email E] [--tel T]\n"
	    "       amend-result --update FILE.csv" },
	{ "issue", cmd_issue, { O_ALL, O_PASSFILE, O_JSON }, 0, MANY, "issue (--all | REG-NO...) [--pass-file FILE]" },
	{ "render", cmd_render, { O_OUT, O_FORCE }, 1, MANY, "render NUMBER... -o PATH [--force]" },
	{ "revoke", cmd_revoke, { O_REASON, O_PASSFILE }, 1, 1, "revoke NUMBER --reason REASON [--pass-file FILE]" },
	{ "renew", cmd_renew, { O_PASSFILE, O_JSON }, 1, 1, "renew NUMBER [--pass-file FILE]" },
	{ "reissue", cmd_reissue, { O_NAME, O_EMAIL, O_PASSFILE, O_JSON }, 1, 1,
	    "reissue NUMBER [--name NAME] [--email E] [--pass-file FILE] [--json]" },
	{ "ship", cmd_ship, { O_CARRIER, O_ORDER }, 1, 1, "ship NUMBER --carrier NAME --order NO" },
	{ "outbox", cmd_outbox, { O_STATE, O_JSON, O_FAILED }, 1, 2,
	    "outbox list [--state queued|deferred|sent|failed] [--json]\n"
	    "       outbox show ID\n"
	    "       outbox retry (ID | --failed)\n"
	    "       outbox send" },
	{ "list", cmd_list, { O_EMAIL, O_STATUS, O_JSON, O_CSV, O_SHIPPING }, 0, 0,
	    "list [--email E] [--status S] [--json | --csv]\n"
	    "       list --shipping [--json | --csv]" },
	{ "show", cmd_show, { O_JSON }, 1, 1, "show NUMBER|REG-NO [--json]" },
	{ "export", cmd_export, { O_OUT, O_DER }, 1, 1, "export NUMBER [-o FILE] [--der]" },
	{ "crl", cmd_crl, { O_PASSFILE }, 0, 0, "crl [--pass-file FILE]" },
	{ "publish", cmd_publish, { O_TO, O_KEEP }, 0, 0, "publish [--to TO [--keep N]]" },
	{ "audit", cmd_audit, { 0 }, 1, 1, "audit verify" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: " PROG " [-d DIR] COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  " PROG " %s\n", commands[i].synopsis);
	fprintf(f, "\nevery command takes -d DIR (default $ECERT_HOME, else /var/lib/ecert), -h/--help and --version;\n"
	    "the issuing passphrase comes from --pass-file FILE or $ECERT_PASS, else a terminal prompt\n");
}

static int
allowed(const struct command *c, int id)
{
	size_t i;

	if (id == O_DIR || id == O_HELP || id == O_VERSION)
		return 1;
	for (i = 0; i < sizeof c->opts / sizeof c->opts[0] && c->opts[i]; i++)
		if (c->opts[i] == id)
			return 1;
	return 0;
}

static const char *
opt_name(int id)
{
	size_t i;

	for (i = 0; longopts[i].name; i++)
		if (longopts[i].val == id)
			return longopts[i].name;
	return "?";
}

/* Store one option's value; a repeated option is a usage error rather than a silent override. */
static int
set(const char **slot, int id)
{
	if (*slot)
		return usage_err("option --%s given twice", opt_name(id));
	*slot = optarg;
	return 0;
}

static int
parse(const struct command *c, int argc, char **argv, struct opts *o, int *done)
{
	int ch, rc;

	*done = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:ho:", longopts, NULL)) != -1) {
		if (ch == '?')
			return usage_err("unknown option '%s' for '%s' (see " PROG " %s --help)",
			    argv[optind - 1], c->name, c->name);
		if (ch == ':')
			return usage_err("option '%s' needs a value", argv[optind - 1]);
		if (!allowed(c, ch))
			return usage_err("option '%s' does not apply to '%s'", argv[optind - 1], c->name);
		rc = 0;
		switch (ch) {
		case O_HELP: printf("usage: " PROG " %s\n", c->synopsis); *done = 1; return 0;
		case O_VERSION: printf(PROG " " EC_VERSION "\n"); *done = 1; return 0;
		case O_DIR: rc = set(&o->dir, ch); break;
		case O_OUT: rc = set(&o->out, ch); break;
		case O_PASSFILE: rc = set(&o->pass_file, ch); break;
		case O_REGNO: rc = set(&o->reg_no, ch); break;
		case O_FORMAT: rc = set(&o->format, ch); break;
		case O_NAME: rc = set(&o->name, ch); break;
		case O_EMAIL: rc = set(&o->email, ch); break;
		case O_TEL: rc = set(&o->tel, ch); break;
		case O_ADDRESS: rc = set(&o->address, ch); break;
		case O_CSV:
			/* apply --csv FILE takes a file; list --csv is a flag (spreadsheet output). */
			if (c->run == cmd_list) {
				if (optarg)
					return usage_err("list --csv takes no value");
				o->csv_out = 1;
				break;
			}
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			if (!optarg)
				return usage_err("option '--csv' needs a file");
			rc = set(&o->csv, ch);
			break;
		case O_SHIPPING: o->shipping = 1; break;
		case O_UPDATE: o->update = 1; break;
		case O_REASON: rc = set(&o->reason, ch); break;
		case O_CARRIER: rc = set(&o->carrier, ch); break;
		case O_ORDER: rc = set(&o->order, ch); break;
		case O_STATUS: rc = set(&o->status, ch); break;
		case O_STATE: rc = set(&o->state, ch); break;
		case O_LANG: rc = set(&o->lang, ch); break;
		case O_TO: rc = set(&o->to, ch); break;
		case O_KEEP: rc = set(&o->keep, ch); break;
		case O_FAILED: o->failed = 1; break;
		case O_JSON: o->json = 1; break;
		case O_ALL: o->all = 1; break;
		case O_CONSENT: o->consent = 1; break;
		case O_FORCE: o->force = 1; break;
		case O_DER: o->der = 1; break;
		}
		if (rc)
			return rc;
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->nargs < c->min_args)
		return usage_err("'%s' needs more arguments: " PROG " %s", c->name, c->synopsis);
	if (o->nargs > c->max_args)
		return usage_err("unexpected argument '%s' for '%s'", o->args[c->max_args], c->name);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct rlimit nocore = { 0, 0 };
	const char *dir = NULL;
	size_t i;
	int a = 1, done, rc;

	/* This process may hold the issuing key and personal data: no core dumps, no ptrace by the same user. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &nocore);
	memset(&o, 0, sizeof o);
	/* Options before the subcommand: only the ones every subcommand shares. */
	while (a < argc && argv[a][0] == '-') {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[a], "--version")) {
			printf(PROG " " EC_VERSION "\n");
			return 0;
		}
		if ((!strcmp(argv[a], "-d") || !strcmp(argv[a], "--dir")) && a + 1 < argc) {
			dir = argv[a + 1];
			a += 2;
			continue;
		}
		if (!strncmp(argv[a], "--dir=", 6)) {
			dir = argv[a] + 6;
			a++;
			continue;
		}
		usage(stderr);
		return usage_err("unknown option '%s'", argv[a]);
	}
	if (a >= argc) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[a], commands[i].name))
			break;
	if (i == NCOMMANDS) {
		usage(stderr);
		return usage_err("unknown command '%s'", argv[a]);
	}
	rc = parse(&commands[i], argc - a, argv + a, &o, &done);
	if (rc || done)
		return rc;
	if (dir && o.dir)
		return usage_err("option -d given twice");
	if (dir)
		o.dir = dir;
	rc = commands[i].run(&o);
	return rc ? rc : ctx_publish_status();
}
