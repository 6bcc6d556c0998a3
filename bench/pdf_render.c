/* Benchmark: complete PDF e-Certs per second on one reused renderer with the shipped associate template;
 * prints "pdfs_per_s bytes_per_pdf". Usage: pdf_render SECONDS SCRIPT|NAME [OUT.pdf] (SCRIPT: see names[];
 * OUT.pdf keeps the last PDF, to look at). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "b64.h"
#include "date.h"
#include "err.h"
#include "font.h"
#include "pdf.h"
#include "template.h"
#include "types.h"
#include "signer.h"
#include "ecx509.h"

#define NUMBER "0101234567890123456707"
#define PUBLIC "https://certs.example.org"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A payload shaped like issuance's: URL, '#', a compact JWS with a 64-byte ES256 signature. */
static void
make_payload(const char *name, char *out, size_t outsz)
{
	const char *hdr = "{\"alg\":\"ES256\",\"kid\":\"Q2hhcGVyMDE2\"}";
	char body[512], bh[128], bb[700], bs[100];
	unsigned char sig[64];

	snprintf(body, sizeof(body), "{\"n\":\"%s\",\"nm\":\"%s\",\"c\":\"HCIA-AI\",\"nb\":\"2026-10-27\","
	    "\"na\":\"2029-10-26\"}", NUMBER, name);
	for (int i = 0; i < 64; i++)
		sig[i] = (unsigned char)(i * 151 + 7);
	if (ec_b64url_encode((const unsigned char *)hdr, strlen(hdr), bh, sizeof(bh)) != 0 ||
	    ec_b64url_encode((const unsigned char *)body, strlen(body), bb, sizeof(bb)) != 0 ||
	    ec_b64url_encode(sig, sizeof(sig), bs, sizeof(bs)) != 0) {
		fprintf(stderr, "pdf_render: cannot build the payload\n");
		exit(2);
	}
	snprintf(out, outsz, "%s/v/%s#%s.%s.%s", PUBLIC, NUMBER, bh, bb, bs);
}

/* Three names per script, rendered in turn: a batch never shows the same name twice in a row. */
static const struct {
	const char *script, *name[3];
} names[] = {
	{ "latin", { "Zoë O'Brien", "François Müller", "Łukasz Żółć" } },
	{ "cjk", { "李瑞瑞", "王小明", "山田花子" } },
	{ "korean", { "김민준", "이서연", "박지훈" } },
	{ "arabic", { "محمد Al-Sayed", "فاطمة الزهراء", "علي حسن" } },
	{ "hebrew", { "דוד כהן", "שרה לוי", "יוסף מזרחי" } },
	{ "devanagari", { "राहुल Kumar", "प्रिया शर्मा", "अर्जुन सिंह" } },
	{ "thai", { "สมชาย ชัย", "สุดา วงศ์ไทย", "ประเสริฐ ศรีสุข" } },
};

int
main(int argc, char **argv)
{
	const char *const *name = NULL, *one[3];
	struct ec_template *t = NULL;
	struct ec_fonts *f = NULL;
	struct ec_render *r = NULL;
	struct ec_ecert e;
	unsigned char der[520];
	char payload[3][1024], url[128];
	double secs, t0, el;
	unsigned long n = 0, bytes = 0;
	uint32_t x = 2463534242u;
	int rc;

	for (size_t i = 0; argc >= 3 && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(argv[2], names[i].script) == 0)
			name = names[i].name;
	/* Any other word is taken as the name itself. */
	if (argc >= 3 && name == NULL) {
		one[0] = one[1] = one[2] = argv[2];
		name = one;
	}
	if (argc < 3 || argc > 4 || (secs = atof(argv[1])) < 0) {
		fprintf(stderr, "usage: pdf_render SECONDS latin|cjk|korean|arabic|hebrew|devanagari|thai|NAME [OUT.pdf]\n");
		return 2;
	}
	/* A signed certificate does not compress: fill the DER with pseudo-random bytes. */
	for (size_t i = 0; i < sizeof(der); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		der[i] = (unsigned char)x;
	}
	der[0] = 0x30;
	for (int i = 0; i < 3; i++)
		make_payload(name[i], payload[i], sizeof(payload[i]));
	snprintf(url, sizeof(url), "%s/v/%s", PUBLIC, NUMBER);
	memset(&e, 0, sizeof(e));
	snprintf(e.number, sizeof(e.number), "%s", NUMBER);
	snprintf(e.code, sizeof(e.code), "HCIA-AI");
	snprintf(e.title, sizeof(e.title), "Huawei Certified ICT Associate - Artificial Intelligence");
	e.format = EC_FORMAT_ELECTRONIC;
	e.issued_at = 1793092200;
	if ((rc = ec_date_parse("2026-10-27", &e.effective)) != 0 || (rc = ec_date_parse("2029-10-26", &e.expires)) != 0 ||
	    (rc = ec_template_load("templates/associate.tpl", &t)) != 0 || (rc = ec_fonts_load(t, &f)) != 0 ||
	    (rc = ec_render_new(t, f, &r)) != 0)
		goto out;
	t0 = now();
	do {
		unsigned char *pdf;
		size_t len;

		snprintf(e.name, sizeof(e.name), "%s", name[n % 3]);
		if ((rc = ec_render_pdf(r, &e, "Example Certification Board", payload[n % 3], url, der, sizeof(der), &pdf, &len)) != 0)
			goto out;
		bytes += len;
		if (argc == 4) {
			FILE *fp = fopen(argv[3], "wb");

			if (fp == NULL || fwrite(pdf, 1, len, fp) != len || fclose(fp) != 0) {
				fprintf(stderr, "pdf_render: cannot write %s\n", argv[3]);
				exit(2);
			}
		}
		free(pdf);
		n++;
		el = now() - t0;
	} while (el < secs);
	printf("%.1f %lu\n", (double)n / el, bytes / n);
out:
	if (rc != 0)
		fprintf(stderr, "pdf_render: %s\n", ec_err_msg(rc));
	ec_render_free(r);
	ec_fonts_free(f);
	ec_template_free(t);
	return rc != 0 ? 2 : 0;
}
