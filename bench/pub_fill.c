/*
 * Benchmark helper: fill the public register of a state directory (made by `ecert-ca init`) with N
 * certificates' public records, written by the library's own write path (ec_pubw_make, ec_pubw_put in
 * batches), for timing `ecert-issue publish --to` at sizes where filling both registers through
 * issuance would take too long or too much memory (10 M). Records are as issuance makes them: real
 * numbers with check digits, masked names and name HMACs under DIR/name.key; only the office register
 * is left out, which publishing never reads.
 * usage: pub_fill DIR N    -> prints "records seconds"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "number.h"
#include "paths.h"
#include "public.h"

#define BATCH 20000

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "pub_fill: %s: %s\n", what, ec_err_msg(rc));
	exit(2);
}

int
main(int argc, char **argv)
{
	char path[4096], keypath[4096];
	struct ec_pubw *w = NULL;
	struct ec_pub *recs;
	struct ec_ecert e;
	size_t n, i, k = 0;
	double t0;
	int rc;

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: pub_fill DIR N\n");
		return 2;
	}
	if ((rc = ec_path(path, sizeof path, argv[1], EC_P_PUBLIC, NULL)) ||
	    (rc = ec_path(keypath, sizeof keypath, argv[1], EC_P_NAME_KEY, NULL)) || (rc = ec_pubw_open(path, keypath, &w)))
		die("open", rc);
	if (!(recs = calloc(BATCH, sizeof *recs)))
		die("memory", EC_ERR_NOMEM);
	memset(&e, 0, sizeof e);
	snprintf(e.code, sizeof e.code, "HCIA-AI");
	snprintf(e.title, sizeof e.title, "Huawei Certified ICT Associate - Artificial Intelligence");
	snprintf(e.kid, sizeof e.kid, "AbCdEfGhIjK");
	e.format = EC_FORMAT_ELECTRONIC;
	e.effective = 20750;
	e.expires = 21844;
	t0 = now();
	for (i = 0; i < n; i++) {
		snprintf(e.name, sizeof e.name, "Li Ruirui %zu", i);
		if ((rc = ec_number_generate(511, e.number)) ||
		    (rc = ec_pubw_make(w, &e, EC_ST_VALID, 0, "", "", "Bench Certification Body Issuing CA AbCdEfGhIjK",
		    &recs[k])))
			die("record", rc);
		if (++k == BATCH || i + 1 == n) {
			if ((rc = ec_pubw_put(w, recs, k, 0)))
				die("write", rc);
			k = 0;
		}
	}
	printf("%zu %.1f\n", n, now() - t0);
	free(recs);
	ec_pubw_close(w);
	return 0;
}
