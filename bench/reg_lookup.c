/*
 * Benchmark: the registers at scale through the library's real write path, then random public lookups.
 * usage: reg_lookup DIR N SECONDS [BATCH]   fill DIR, then look up -> "lookups_per_s bytes_per_cert"
 *        reg_lookup -l DIR SECONDS          look up again in a DIR filled before (same output)
 * Phase timings go to stderr. N exam results are imported, applied for and issued
 * (ec_office_import_stream, ec_office_apply_many, ec_office_issue in batches of BATCH, by default
 * 2,000 as ecert-issue makes them; a larger one saves commits but leaves more free pages, about
 * three a certificate of one batch in each file), each e-Cert and token encoded by the real encoders
 * under a real issuing CA's skeleton; only the signatures are random bytes of the right shape
 * (signing 2 N times would measure the signer, not the register). Then ec_pubreg_get on one
 * handle: one pass in number order first (untimed: it maps every page, as a long-running endpoint
 * has them), then numbers drawn uniformly from all N for SECONDS; bytes = the blocks of DIR/register
 * and DIR/public over N. The fill leaves the issued numbers in DIR/numbers for -l.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/rand.h>

#include "ca.h"
#include "conf.h"
#include "date.h"
#include "ecx509.h"
#include "err.h"
#include "number.h"
#include "office.h"
#include "pki.h"
#include "public.h"
#include "record.h"
#include "token.h"
#include "signer.h"

#define PASS "bench pass"
#define BATCH 2000          /* ecert-issue's batch */
#define SEQ_MAX (1u << 22)  /* keys drawn ahead: more than 3 s of lookups */
#define BATCH_MAX 20000     /* 2-3 dirty pages a certificate stay well below LMDB's 131,072 */
#define IMPORT_CHUNK 1000000
#define APPLY_CHUNK 10000

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, int rc)
{
	fprintf(stderr, "reg_lookup: %s: %s\n", what, ec_err_msg(rc));
	exit(2);
}

static long
max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static const char *const given[] = { "Ruirui", "Zoë", "Anna", "Wei", "Priya", "José" };
static const char *const family[] = { "Li", "O'Brien", "Karenina", "Zhang", "Sharma", "García" };

/* Exam rows i0 .. i1-1, streamed. */
struct rows {
	size_t i0, i1, i;
};

static int
rows_rewind(void *ctx)
{
	struct rows *r = ctx;

	r->i = r->i0;
	return 0;
}

static int
rows_next(void *ctx, struct ec_exam *x)
{
	struct rows *r = ctx;

	if (r->i == r->i1)
		return 0;
	memset(x, 0, sizeof *x);
	snprintf(x->reg_no, sizeof x->reg_no, "R%09zu", r->i);
	snprintf(x->last_name, sizeof x->last_name, "%s", family[r->i % 6]);
	snprintf(x->first_name, sizeof x->first_name, "%s%zu", given[r->i % 6], r->i);
	snprintf(x->email, sizeof x->email, "cand%zu@example.com", r->i);
	snprintf(x->tel, sizeof x->tel, "+86 139%08zu", r->i % 100000000);
	snprintf(x->code, sizeof x->code, "HCIA-AI");
	x->exam_date = ec_date_from_time(1793059200) - (ec_day)(r->i % 700);   /* up to 2026-10-27 */
	x->passed = 1;
	r->i++;
	return 1;
}

static void
app_of(size_t i, struct ec_app *a)
{
	memset(a, 0, sizeof *a);
	snprintf(a->reg_no, sizeof a->reg_no, "R%09zu", i);
	a->format = i % 10 == 0 ? EC_FORMAT_PAPER : EC_FORMAT_ELECTRONIC;
	if (i % 2)
		snprintf(a->name, sizeof a->name, "李瑞瑞");
	else
		snprintf(a->name, sizeof a->name, "%s %s", given[i % 6], family[(i / 6) % 6]);
	snprintf(a->email, sizeof a->email, "cand%zu@example.com", i);
	snprintf(a->tel, sizeof a->tel, "+86 139%08zu", i % 100000000);
	if (a->format == EC_FORMAT_PAPER)
		snprintf(a->address, sizeof a->address, "No. %zu Bantian Road, Longgang, Shenzhen", i % 1000);
	a->applied = ec_date_from_time(1793059200) + 2;
}

/* An ECDSA-Sig-Value of random content and the usual 71-byte shape. */
static void
fake_sig(unsigned char sig[71])
{
	static const unsigned char head[] = { 0x30, 0x45, 0x02, 0x21, 0x00 };

	memcpy(sig, head, sizeof head);
	RAND_bytes(sig + 5, 32);
	sig[5] |= 0x80;
	sig[37] = 0x02;
	sig[38] = 0x20;
	RAND_bytes(sig + 39, 32);
	sig[39] &= 0x7f;
}

/* Certificate i as ecert-issue signs it, with its e-Cert DER and token encoded for real. */
static void
cert_of(const struct ec_signer *s, const char *issuer_cn, size_t i, const struct ec_app *a, struct ec_cert *c)
{
	unsigned char tbs[EC_DER_MAX], sig[71], tsig[EC_TOKEN_SIG_LEN];
	size_t n;
	int rc;

	memset(c, 0, offsetof(struct ec_cert, der));
	memset(&c->der_len, 0, sizeof *c - offsetof(struct ec_cert, der_len));
	if ((rc = ec_number_generate(511, c->e.number)))
		die("number", rc);
	memcpy(c->e.name, a->name, sizeof c->e.name);
	snprintf(c->e.code, sizeof c->e.code, "HCIA-AI");
	snprintf(c->e.title, sizeof c->e.title, "Huawei Certified ICT Associate - Artificial Intelligence");
	c->e.format = a->format;
	c->e.effective = ec_date_from_time(1793059200) - (ec_day)(i % 700);
	c->e.expires = ec_date_expiry(c->e.effective, 3);
	c->e.issued_at = 1793664000 + (int64_t)i;
	memcpy(c->e.kid, s->kid, sizeof c->e.kid);
	memcpy(c->reg_no, a->reg_no, sizeof c->reg_no);
	memcpy(c->email, a->email, sizeof c->email);
	memcpy(c->tel, a->tel, sizeof c->tel);
	memcpy(c->address, a->address, sizeof c->address);
	snprintf(c->issuer, sizeof c->issuer, "%s", issuer_cn);
	fake_sig(sig);
	if ((rc = ec_tbs_encode(&s->fast->skel, &c->e, tbs, sizeof tbs, &n)) ||
	    (rc = ec_cert_encode(&s->fast->skel, tbs, n, sig, sizeof sig, c->der, sizeof c->der, &c->der_len)))
		die("encode", rc);
	RAND_bytes(tsig, sizeof tsig);
	if ((rc = ec_token_assemble(EC_ALG_P256, &c->e, tsig, c->token)))
		die("token", rc);
}

static unsigned long long
xorshift(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
numcmp(const void *a, const void *b)
{
	return memcmp(a, b, EC_NUMBER_DIGITS);
}

static unsigned long long
du(const char *dir)
{
	char path[4200];
	struct dirent *de;
	struct stat st;
	unsigned long long sum = 0;
	DIR *d = opendir(dir);

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (de->d_name[0] != '.' && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
			sum += (unsigned long long)st.st_blocks * 512;
	}
	closedir(d);
	return sum;
}

/* Fill dir with n certificates through the write path, issuing batch at a time; numbers[] gets them. */
static void
fill(const char *dir, size_t n, size_t batch, char (*numbers)[EC_NUMBER_DIGITS + 1])
{
	struct ec_conf conf;
	struct ec_office *o = NULL;
	struct ec_signer *s = NULL;
	struct ec_app *apps;
	struct ec_cert *certs;
	struct rows rw;
	struct ec_exam_src src = { rows_rewind, rows_next, &rw };
	char cadir[4096], issuer_cn[EC_ISSUER_MAX + 1];
	int *rcv, rc;
	size_t i, j, m, shown = 0;
	double t0, t, start = now();

	memset(&conf, 0, sizeof conf);
	snprintf(conf.org, sizeof conf.org, "Bench Certification Body");
	snprintf(conf.public_url, sizeof conf.public_url, "http://127.0.0.1:8080");
	snprintf(conf.tz, sizeof conf.tz, "UTC");
	snprintf(cadir, sizeof cadir, "%s/ca", dir);
	if ((rc = ec_ca_init(cadir, &conf, PASS, strlen(PASS), PASS, strlen(PASS))) ||
	    (rc = ec_ca_signer_load(cadir, NULL, PASS, strlen(PASS), &s)))
		die("CA", rc);
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(s->cert), NID_commonName, issuer_cn, sizeof issuer_cn) < 0)
		die("CA name", EC_ERR_CRYPTO);
	if ((rc = ec_office_open(dir, 0, &o)))
		die("open", rc);
	apps = calloc(batch > APPLY_CHUNK ? batch : APPLY_CHUNK, sizeof *apps);
	certs = calloc(batch, sizeof *certs);
	rcv = calloc(batch > APPLY_CHUNK ? batch : APPLY_CHUNK, sizeof *rcv);
	if (!apps || !certs || !rcv)
		die("memory", EC_ERR_NOMEM);

	t0 = now();
	for (i = 0; i < n; i += IMPORT_CHUNK) {
		rw.i0 = i;
		rw.i1 = i + IMPORT_CHUNK < n ? i + IMPORT_CHUNK : n;
		if ((rc = ec_office_import_stream(o, &src, NULL)))
			die("import", rc);
	}
	t = now();
	fprintf(stderr, "reg_lookup: import %zu exam results: %.1f s (%.0f/s, transactions of %d)\n", n, t - t0,
	    (double)n / (t - t0), IMPORT_CHUNK);
	t0 = t;
	for (i = 0; i < n; i += m) {
		m = n - i < APPLY_CHUNK ? n - i : APPLY_CHUNK;
		for (j = 0; j < m; j++)
			app_of(i + j, &apps[j]);
		if ((rc = ec_office_apply_many(o, apps, m, rcv)))
			die("apply", rc);
		for (j = 0; j < m; j++)
			if (rcv[j])
				die("apply one", rcv[j]);
	}
	t = now();
	fprintf(stderr, "reg_lookup: apply: %.1f s\n", t - t0);
	t0 = t;
	for (i = 0; i < n; i += m) {
		m = n - i < batch ? n - i : batch;
		for (j = 0; j < m; j++) {
			app_of(i + j, &apps[j]);
			cert_of(s, issuer_cn, i + j, &apps[j], &certs[j]);
		}
		if ((rc = ec_office_issue(o, certs, NULL, m, rcv)))
			die("issue", rc);
		for (j = 0; j < m; j++) {
			if (rcv[j])
				die("issue one", rcv[j]);
			memcpy(numbers[i + j], certs[j].e.number, sizeof numbers[i + j]);
		}
		if ((i + m) / 500000 != shown) {
			shown = (i + m) / 500000;
			t = now();
			fprintf(stderr, "reg_lookup: issued %zu, %.0f/s overall, %.0f s, max RSS %ld MB\n", i + m,
			    (double)(i + m) / (t - t0), t - start, max_rss_kb() / 1024);
		}
	}
	t = now();
	fprintf(stderr, "reg_lookup: issue (register only, batches of %zu): %.1f s (%.0f/s), max RSS %ld MB; "
	    "fill %.1f s\n", batch, t - t0, (double)n / (t - t0), max_rss_kb() / 1024, t - start);
	ec_office_close(o);
	ec_signer_free(s);
	free(apps);
	free(certs);
	free(rcv);
}

/* Random public lookups on dir for secs seconds, after a warm-up pass; prints the result line. */
static void
lookups(const char *dir, char (*numbers)[EC_NUMBER_DIGITS + 1], size_t n, double secs)
{
	struct ec_pubreg *pr = NULL;
	struct ec_pub pub;
	struct ec_buf b;
	char path[4096], (*sorted)[EC_NUMBER_DIGITS + 1], (*seq)[EC_NUMBER_DIGITS + 1];
	size_t i, k, nseq, hits = 0, misses = 0, vbytes = 0;
	double t0, el, bytes;
	unsigned long long seed = 88172645463325252ULL;
	int rc;

	snprintf(path, sizeof path, "%s/public", dir);
	if ((rc = ec_pubreg_open(path, &pr)))
		die("public open", rc);
	if (!(sorted = malloc(n * sizeof *sorted)))
		die("memory", EC_ERR_NOMEM);
	memcpy(sorted, numbers, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, numcmp);
	t0 = now();
	for (i = 0; i < n; i++)
		if ((rc = ec_pubreg_get(pr, sorted[i], &pub)))
			die("warm-up lookup", rc);
	fprintf(stderr, "reg_lookup: warm-up pass over all %zu in number order: %.1f s\n", n, now() - t0);
	free(sorted);
	/* The size of a stored public record, for the raw LMDB anchor: a sample of 1,000 re-encoded. */
	ec_buf_init(&b);
	for (i = 0; i < 1000 && i < n; i++) {
		ec_buf_reset(&b);
		if ((rc = ec_pubreg_get(pr, numbers[i * (n / 1000 ? n / 1000 : 1) % n], &pub)) ||
		    (rc = ec_rec_pub_enc(&b, &pub)))
			die("sample", rc);
		vbytes += b.len;
	}
	ec_buf_free(&b);
	fprintf(stderr, "reg_lookup: public record: %d-byte key, %.0f-byte value on average\n", EC_NUMBIN,
	    (double)vbytes / (double)(i ? i : 1));
	/*
	 * The keys are drawn before the clock starts, uniformly from all n, into a sequence read in order:
	 * numbers[] is far larger than the caches, and fetching a key from it at random, which the
	 * endpoint never pays (its number arrives in the request), must not be charged to the register.
	 */
	nseq = n < SEQ_MAX ? n : SEQ_MAX;
	if (!(seq = malloc(nseq * sizeof *seq)))
		die("memory", EC_ERR_NOMEM);
	for (i = 0; i < nseq; i++)
		memcpy(seq[i], numbers[xorshift(&seed) % n], sizeof seq[i]);
	k = 0;
	t0 = now();
	do {
		for (i = 0; i < 10000; i++) {
			if (ec_pubreg_get(pr, seq[k], &pub) == 0)
				hits++;
			else
				misses++;
			if (++k == nseq)
				k = 0;
		}
		el = now() - t0;
	} while (el < secs);
	free(seq);
	ec_pubreg_close(pr);
	if (misses)
		die("lookup", EC_ERR_NOTFOUND);
	snprintf(path, sizeof path, "%s/register", dir);
	bytes = (double)du(path);
	snprintf(path, sizeof path, "%s/public", dir);
	bytes += (double)du(path);
	printf("%.0f %.0f\n", (double)hits / el, bytes / (double)n);
}

int
main(int argc, char **argv)
{
	char path[4096], (*numbers)[EC_NUMBER_DIGITS + 1];
	const char *dir;
	size_t n, batch = BATCH;
	double secs;
	FILE *f;
	long sz;

	setenv("ECERT_NOW", "2026-11-02", 1);
	if (argc == 4 && strcmp(argv[1], "-l") == 0) {
		dir = argv[2];
		if ((secs = atof(argv[3])) <= 0)
			goto usage;
		snprintf(path, sizeof path, "%s/numbers", dir);
		if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) <= 0 ||
		    sz % (EC_NUMBER_DIGITS + 1) != 0 || fseek(f, 0, SEEK_SET) != 0) {
			fprintf(stderr, "reg_lookup: cannot read '%s'\n", path);
			return 2;
		}
		n = (size_t)sz / (EC_NUMBER_DIGITS + 1);
		if (!(numbers = malloc(n * sizeof *numbers)) || fread(numbers, sizeof *numbers, n, f) != n)
			die("numbers", EC_ERR_IO);
		fclose(f);
	} else {
		if ((argc != 4 && argc != 5) || (n = strtoul(argv[2], NULL, 10)) == 0 || (secs = atof(argv[3])) <= 0)
			goto usage;
		if (argc == 5 && ((batch = strtoul(argv[4], NULL, 10)) == 0 || batch > BATCH_MAX))
			goto usage;
		dir = argv[1];
		if (mkdir(dir, 0755) != 0) {
			fprintf(stderr, "reg_lookup: cannot create '%s' (it must not exist)\n", dir);
			return 2;
		}
		if (!(numbers = calloc(n, sizeof *numbers)))
			die("memory", EC_ERR_NOMEM);
		fill(dir, n, batch, numbers);
		snprintf(path, sizeof path, "%s/numbers", dir);
		if (!(f = fopen(path, "wb")) || fwrite(numbers, sizeof *numbers, n, f) != n || fclose(f) != 0)
			die("numbers", EC_ERR_IO);
	}
	lookups(dir, numbers, n, secs);
	free(numbers);
	return 0;
usage:
	fprintf(stderr, "usage: reg_lookup DIR N SECONDS [BATCH<=%d] | reg_lookup -l DIR SECONDS\n", BATCH_MAX);
	return 2;
}
