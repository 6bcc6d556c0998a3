/*
 * Unit tests for PDF rendering, judged by real peers: pdftotext gives the name back, pdffonts shows
 * only embedded subsets, pdftoppm + zbarimg decode the QR payload, pdfdetach returns the DER.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>
#include <hpdf.h>
#include <hpdf_utils.h>

#include "date.h"
#include "err.h"
#include "font.h"
#include "shape.h"
#include "pdf.h"
#include "pdfread.h"
#include "template.h"
#include "signer.h"
#include "ecx509.h"
#include "../helper_tmp.h"

#define URL "https://certs.example.org/v/0101234567890123456707"
/* A realistic payload: URL, then a compact JWS (header, payload, 64-byte signature) after '#'. */
#define PAYLOAD URL "#eyJhbGciOiJFUzI1NiIsImtpZCI6IkFCQ0RFRkdISUpLIn0.eyJuIjoiMDEwMTIzNDU2Nzg5MDEyMzQ1Njc" \
	"wNyIsIm5tIjoiWm_DqyBPJ0JyaWVuIiwiYyI6IkhDSUEtQUkiLCJuYiI6IjIwMjYtMTAtMjciLCJuYSI6IjIwMjktMTAtMjYifQ." \
	"MEUCIQDx3f1qkzX9n2cYl0aQ4m5v7s8t9u0w1x2y3z4A5B6C7D8E9F0G1H2I3J4K5L6M7N8O9P0Q1R2S3T4U5V6W7X8Y9Z0"
#define ORG "Example Certification Board"

static const char *const names[] = {
	"Nguyễn Thị Minh Khai", "Анна Каренина", "Αλέξανδρος Παπαδόπουλος", "李瑞瑞", "Zoë O'Brien",
};
static const char *const templates[] = { "templates/associate.tpl", "templates/professional.tpl" };

struct fixture {
	struct ec_template *t[2];
	struct ec_fonts *f[2];
	struct ec_render *r[2];
	unsigned char der[517];
	char dir[64];
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	for (int i = 0; i < 2; i++)
		if (ec_template_load(templates[i], &fx->t[i]) != 0 || ec_fonts_load(fx->t[i], &fx->f[i]) != 0 ||
		    ec_render_new(fx->t[i], fx->f[i], &fx->r[i]) != 0)
			return -1;
	/* Any fixed bytes stand in for a signed e-Cert; NUL and 0xff included. */
	for (size_t i = 0; i < sizeof(fx->der); i++)
		fx->der[i] = (unsigned char)(i * 37 + 11);
	fx->der[0] = 0x30;
	fx->der[5] = 0;
	fx->der[6] = 0xff;
	strcpy(fx->dir, "/tmp/ecert-test-pdf-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	helper_rmtree(fx->dir);
	for (int i = 0; i < 2; i++) {
		ec_render_free(fx->r[i]);
		ec_fonts_free(fx->f[i]);
		ec_template_free(fx->t[i]);
	}
	free(fx);
	return 0;
}

static void
record(struct ec_ecert *e, const char *name)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->number, "0101234567890123456707");
	snprintf(e->name, sizeof(e->name), "%s", name);
	strcpy(e->code, "HCIA-AI");
	strcpy(e->title, "Huawei Certified ICT Associate - Artificial Intelligence");
	e->format = EC_FORMAT_ELECTRONIC;
	assert_int_equal(ec_date_parse("2026-10-27", &e->effective), 0);
	assert_int_equal(ec_date_parse("2029-10-26", &e->expires), 0);
	e->issued_at = 1793092200;    /* 2026-10-27 09:10:00Z */
	strcpy(e->kid, "ABCDEFGHIJK");
}

static int
render(struct fixture *fx, int tpl, const char *name, unsigned char **pdf, size_t *len)
{
	struct ec_ecert e;

	record(&e, name);
	return ec_render_pdf(fx->r[tpl], &e, ORG, PAYLOAD, URL, fx->der, sizeof(fx->der), pdf, len);
}

static void
save(const char *path, const unsigned char *p, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* Run cmd through the shell; its stdout into out (NUL-terminated). Exit status returned. */
static int
run(const char *cmd, char *out, size_t outsz)
{
	FILE *fp = popen(cmd, "r");
	size_t n = 0, k;

	assert_non_null(fp);
	while (n + 1 < outsz && (k = fread(out + n, 1, outsz - 1 - n, fp)) > 0)
		n += k;
	out[n] = '\0';
	return pclose(fp);
}

static int
have(const char *tool)
{
	char cmd[128], out[256];

	snprintf(cmd, sizeof(cmd), "command -v %s", tool);
	return run(cmd, out, sizeof(out)) == 0;
}

/* Some line of pdftotext's output is exactly want. */
static int
has_line(const char *text, const char *want)
{
	size_t n = strlen(want);

	for (const char *p = text; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, want, n) == 0 && (p[n] == '\n' || p[n] == '\0' || p[n] == '\f'))
			return 1;
	}
	return 0;
}

static void
check_with_peers(struct fixture *fx, const char *pdfpath, const char *name)
{
	static char out[65536];
	char cmd[1024], derpath[128];
	unsigned char got[1024];
	FILE *fp;
	size_t n;
	int fonts = 0;

	/* Poppler has nothing to say about the file: no warning, no error. */
	snprintf(cmd, sizeof(cmd), "{ pdftotext '%s' /dev/null && pdffonts '%s' >/dev/null && pdfinfo '%s' >/dev/null && "
	    "pdftoppm -r 30 '%s' >/dev/null; } 2>&1", pdfpath, pdfpath, pdfpath, pdfpath);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	if (out[0] != '\0')
		fail_msg("poppler complains about %s:\n%s", pdfpath, out);

	snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 '%s' -", pdfpath);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	if (!has_line(out, name))
		fail_msg("pdftotext does not give back \"%s\":\n%s", name, out);
	assert_true(has_line(out, "0101 2345 6789 0123 4567 07"));
	assert_true(has_line(out, URL));
	assert_non_null(strstr(out, "2026-10-27"));
	assert_non_null(strstr(out, "2029-10-26"));

	snprintf(cmd, sizeof(cmd), "pdffonts '%s' 2>/dev/null", pdfpath);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	/* After the two header lines, every font: a "ABCDEF+" subset name, "emb yes sub yes". */
	for (char *line = strchr(strchr(out, '\n') + 1, '\n') + 1; *line != '\0'; line = strchr(line, '\n') + 1) {
		char fname[128], type[64], enc[64], emb[8], sub[8];

		if (sscanf(line, "%127s %*s %*s %63s %7s %7s", fname, enc, emb, sub) != 4)
			fail_msg("pdffonts line: %s", line);
		(void)type;
		if (strlen(fname) < 8 || fname[6] != '+' || strcmp(emb, "yes") != 0 || strcmp(sub, "yes") != 0)
			fail_msg("font not an embedded subset: %s", line);
		fonts++;
	}
	/* A subset for each font file the page uses: the two faces of the design, and the name's if another. */
	assert_true(fonts >= 2 && fonts <= 3);

	snprintf(cmd, sizeof(cmd), "pdftoppm -q -r 150 -png '%s' '%s/page' && zbarimg --raw -q '%s/page-1.png' 2>/dev/null",
	    pdfpath, fx->dir, fx->dir);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	n = strlen(out);
	if (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	assert_string_equal(out, PAYLOAD);

	snprintf(derpath, sizeof(derpath), "%s/0101234567890123456707.der", fx->dir);
	unlink(derpath);
	snprintf(cmd, sizeof(cmd), "pdfdetach -saveall -o '%s' '%s'", fx->dir, pdfpath);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	fp = fopen(derpath, "rb");
	assert_non_null(fp);
	n = fread(got, 1, sizeof(got), fp);
	fclose(fp);
	assert_int_equal(n, sizeof(fx->der));
	assert_memory_equal(got, fx->der, n);
}

static void
test_scripts(void **state)
{
	struct fixture *fx = *state;

	if (!have("pdftotext") || !have("pdffonts") || !have("pdftoppm") || !have("zbarimg") || !have("pdfdetach"))
		skip();
	for (int tpl = 0; tpl < 2; tpl++)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			unsigned char *pdf;
			size_t len;
			char path[128];

			if (render(fx, tpl, names[i], &pdf, &len) != 0)
				fail_msg("%s: %s", names[i], ec_err_msg(-4));
			print_message("%s %s: %zu bytes\n", templates[tpl], names[i], len);
			/* Small: per-document font subsets, a vector QR (docs/formats-pdf.md); the QR is no image. */
			assert_true(len <= 20480);
			assert_null(memmem(pdf, len, "/Subtype /Image", 15));
			snprintf(path, sizeof(path), "%s/t%d-%zu.pdf", fx->dir, tpl, i);
			save(path, pdf, len);
			/* ECERT_TEST_KEEP=DIR keeps them as DIR/associate-N.pdf ... for a look (docs/templates.md). */
			if (getenv("ECERT_TEST_KEEP") != NULL) {
				char keep[512];

				snprintf(keep, sizeof(keep), "%s/%s-%zu.pdf", getenv("ECERT_TEST_KEEP"),
				    tpl ? "professional" : "associate", i);
				save(keep, pdf, len);
			}
			free(pdf);
			check_with_peers(fx, path, names[i]);
		}
}

/* Digits in a title are glyphs of the title's font: a title differing only in them renders as fresh. */
static void
test_deterministic_digits(void **state)
{
	struct fixture *fx = *state;
	struct ec_render *fresh;
	struct ec_ecert e;
	unsigned char *a, *b;
	size_t alen, blen;

	record(&e, "Zoë O'Brien");
	strcpy(e.title, "Data Level 101");
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, URL, fx->der, sizeof(fx->der), &a, &alen), 0);
	free(a);
	strcpy(e.title, "Data Level 202");
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, URL, fx->der, sizeof(fx->der), &a, &alen), 0);
	assert_int_equal(ec_render_new(fx->t[0], fx->f[0], &fresh), 0);
	assert_int_equal(ec_render_pdf(fresh, &e, ORG, PAYLOAD, URL, fx->der, sizeof(fx->der), &b, &blen), 0);
	ec_render_free(fresh);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(a);
	free(b);
}

static void
test_deterministic(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a, *b, *c, *d;
	size_t alen, blen, clen, dlen;
	struct ec_render *fresh;

	assert_int_equal(render(fx, 0, "Zoë O'Brien", &a, &alen), 0);
	assert_int_equal(render(fx, 0, "李瑞瑞", &b, &blen), 0);
	/* Another certification and organisation in between: the renderer prepares other glyphs. */
	{
		struct ec_ecert e;

		record(&e, "Zoë O'Brien");
		strcpy(e.code, "HCNP-WX");
		strcpy(e.title, "Quixotic Jazz Waltz Vexing Bumpy Kings");
		assert_int_equal(ec_render_pdf(fx->r[0], &e, "Żółw Œuvre Ærø", PAYLOAD, "https://q.example/v/9",
		    fx->der, sizeof(fx->der), &c, &clen), 0);
		free(c);
	}
	assert_int_equal(render(fx, 0, "Zoë O'Brien", &c, &clen), 0);
	/* The same record gives the same bytes, whatever was rendered before and in a new renderer. */
	assert_int_equal(alen, clen);
	assert_memory_equal(a, c, alen);
	assert_true(alen != blen || memcmp(a, b, alen) != 0);
	assert_int_equal(ec_render_new(fx->t[0], fx->f[0], &fresh), 0);
	{
		struct ec_ecert e;

		record(&e, "Zoë O'Brien");
		assert_int_equal(ec_render_pdf(fresh, &e, ORG, PAYLOAD, URL, fx->der, sizeof(fx->der), &d, &dlen), 0);
	}
	ec_render_free(fresh);
	assert_int_equal(alen, dlen);
	assert_memory_equal(a, d, alen);
	/* Dates come from issued_at, not the clock; no random document ID. */
	assert_non_null(memmem(a, alen, "/CreationDate (D:20261027091000Z00'00')", 34));
	assert_null(memmem(a, alen, "/ID", 3));
	/* Our own reader (ecert-verify's) finds the same attachment and Info. */
	{
		struct ec_pdf_files fs;
		char title[256];

		assert_int_equal(ec_pdf_attachments(b, blen, &fs), 0);
		assert_int_equal(fs.n, 1);
		assert_string_equal(fs.f[0].name, "0101234567890123456707.der");
		assert_int_equal(fs.f[0].len, sizeof(fx->der));
		assert_memory_equal(fs.f[0].data, fx->der, sizeof(fx->der));
		ec_pdf_files_free(&fs);
		assert_int_equal(ec_pdf_info(b, blen, "Title", title, sizeof(title)), 0);
		assert_string_equal(title, "李瑞瑞 - HCIA-AI");
		/* Latin-1 text is a PDFDocEncoding literal, read back the same. */
		assert_non_null(memmem(a, alen, "/Title (Zo\\353 O'Brien - HCIA-AI)", strlen("/Title (Zo\\353 O'Brien - HCIA-AI)")));
		assert_int_equal(ec_pdf_info(a, alen, "Title", title, sizeof(title)), 0);
		assert_string_equal(title, "Zoë O'Brien - HCIA-AI");
		assert_int_equal(ec_pdf_info(b, blen, "Author", title, sizeof(title)), 0);
		assert_string_equal(title, ORG);
		/* The QR payload, for the offline verifier's comparison of token and e-Cert. */
		{
			char qr[1024];

			assert_int_equal(ec_pdf_info(b, blen, "ECertQR", qr, sizeof(qr)), 0);
			assert_string_equal(qr, PAYLOAD);
		}
	}
	free(a);
	free(b);
	free(c);
	free(d);
}

static void
test_long_names(void **state)
{
	struct fixture *fx = *state;
	/* 64 code points each: the longest names apply accepts. */
	const char *longs[] = {
		"Maximiliana Wilhelmina Theodora von Hohenzollern-Sigmaringen Abc",
		"李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李瑞瑞李",
	};
	static char out[65536];

	if (!have("pdftotext"))
		skip();
	for (int tpl = 0; tpl < 2; tpl++)
		for (int i = 0; i < 2; i++) {
			unsigned char *pdf;
			size_t len;
			char path[128], cmd[256];
			double xmin = 1e9, xmax = 0;

			if (render(fx, tpl, longs[i], &pdf, &len) != 0)
				fail_msg("%s: %s", templates[tpl], ec_err_msg(EC_ERR_TOOBIG));
			snprintf(path, sizeof(path), "%s/long.pdf", fx->dir);
			save(path, pdf, len);
			free(pdf);
			snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 '%s' -", path);
			assert_int_equal(run(cmd, out, sizeof(out)), 0);
			if (!has_line(out, longs[i]))
				fail_msg("long name not extracted:\n%s", out);
			/* It shrank to stay inside the page's margins: check the word boxes. */
			snprintf(cmd, sizeof(cmd), "pdftotext -q -bbox '%s' - | grep -E 'Maximiliana|Abc<|李瑞瑞'", path);
			assert_int_equal(run(cmd, out, sizeof(out)), 0);
			for (char *p = strstr(out, "xMin=\""); p != NULL; p = strstr(p + 1, "xMin=\"")) {
				double a = atof(p + 6), b = atof(strstr(p, "xMax=\"") + 6);

				xmin = a < xmin ? a : xmin;
				xmax = b > xmax ? b : xmax;
			}
			assert_true(xmin >= 16 * 72 / 25.4);
			assert_true(xmax <= 841.89 - 16 * 72 / 25.4);
			assert_true(xmax > xmin);
		}
}

static void
test_injection(void **state)
{
	struct fixture *fx = *state;
	const char *evil = "Eve) Tj ET BT /F1 99 Tf (x <> [] \\ {org} %";
	static char out[65536];
	unsigned char *pdf;
	size_t len;
	char path[128], cmd[256];

	if (!have("pdftotext"))
		skip();
	assert_int_equal(render(fx, 0, evil, &pdf, &len), 0);
	/* The name is text in a hex string, never operators. */
	assert_null(memmem(pdf, len, "Tj ET BT /F1 99", 15));
	snprintf(path, sizeof(path), "%s/evil.pdf", fx->dir);
	save(path, pdf, len);
	free(pdf);
	snprintf(cmd, sizeof(cmd), "pdftotext -q -enc UTF-8 '%s' -", path);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_true(has_line(out, evil));
}

static void
test_refusals(void **state)
{
	struct fixture *fx = *state;
	struct ec_ecert e;
	unsigned char *pdf = (unsigned char *)1, big[EC_PDF_DER_MAX + 1];
	size_t len = 1;
	char payload[500];

	record(&e, "Zoë O'Brien");
	memset(big, 'x', sizeof(big));
	memset(payload, 'a', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';

	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, URL, fx->der, 0, &pdf, &len), EC_ERR_ARG);
	assert_null(pdf);
	assert_int_equal(len, 0);
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, URL, NULL, 5, &pdf, &len), EC_ERR_ARG);
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, URL, big, sizeof(big), &pdf, &len), EC_ERR_TOOBIG);
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, payload, URL, fx->der, 10, &pdf, &len), EC_ERR_TOOBIG);
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, "", URL, fx->der, 10, &pdf, &len), EC_ERR_ARG);
	assert_int_equal(ec_render_pdf(fx->r[0], &e, "Org\nX", PAYLOAD, URL, fx->der, 10, &pdf, &len), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "organisation name contains control character U+000A"));
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, "http://x/\xff", fx->der, 10, &pdf, &len),
	    EC_ERR_SYNTAX);

	strcpy(e.number, "01012345678901234567");
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, URL, fx->der, 10, &pdf, &len), EC_ERR_SYNTAX);
	record(&e, "Zoë \xf0\x9f\x98\x80");
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, URL, fx->der, 10, &pdf, &len), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "templates/associate.tpl:"));
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+1F600"));
	assert_int_equal(ec_shape_check(fx->f[0], e.name), EC_ERR_SYNTAX);
	record(&e, "Zoë \xe1\x8e\xa0");    /* Cherokee: no font of the shipped templates has it */
	assert_int_equal(ec_shape_check(fx->f[0], e.name), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "no font covers U+13A0 '\xe1\x8e\xa0'"));
	record(&e, "สมชาย");
	assert_int_equal(ec_shape_check(fx->f[0], e.name), 0);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(ec_shape_check(fx->f[1], names[i]), 0);
	/* The renderer recovers after a refusal. */
	record(&e, "Zoë O'Brien");
	assert_int_equal(ec_render_pdf(fx->r[0], &e, ORG, PAYLOAD, URL, fx->der, 10, &pdf, &len), 0);
	free(pdf);
}

static void
test_too_long_for_box(void **state)
{
	const char *s = "ecert-template 1\npage a4 landscape\n"
	    "font a /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n"
	    "text 20 20 30 10 font=a size=12 min=10 \"{name}\"\nqr 200 150 30\n";
	struct ec_template *t;
	struct ec_fonts *f;
	struct ec_render *r;
	struct ec_ecert e;
	unsigned char der[1] = { 0x30 }, *pdf;
	size_t len;

	(void)state;
	assert_int_equal(ec_template_parse("small.tpl", s, strlen(s), &t), 0);
	assert_int_equal(ec_fonts_load(t, &f), 0);
	assert_int_equal(ec_render_new(t, f, &r), 0);
	record(&e, "Zoë");
	assert_int_equal(ec_render_pdf(r, &e, ORG, PAYLOAD, URL, der, 1, &pdf, &len), 0);
	free(pdf);
	record(&e, "Maximiliana Wilhelmina Theodora von Hohenzollern");
	assert_int_equal(ec_render_pdf(r, &e, ORG, PAYLOAD, URL, der, 1, &pdf, &len), EC_ERR_TOOBIG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_TOOBIG), "small.tpl:4: "));
	assert_non_null(strstr(ec_err_msg(EC_ERR_TOOBIG), "even at 10 pt"));
	ec_render_free(r);
	ec_fonts_free(f);
	ec_template_free(t);
}

/* A PNG file from rows (each with its filter byte), with optional palette and transparency chunks. */
static size_t
make_png(unsigned char *out, unsigned w, unsigned h, int depth, int ctype, int interlace, const unsigned char *rows,
    size_t rowlen, const unsigned char *plte, size_t nplte, const unsigned char *trns, size_t ntrns)
{
	unsigned char ihdr[13], z[1024];
	uLongf zlen = sizeof(z);
	size_t o = 8;

	memcpy(out, "\x89PNG\r\n\x1a\n", 8);
	for (int i = 0; i < 4; i++) {
		ihdr[i] = (unsigned char)(w >> (24 - 8 * i));
		ihdr[4 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	ihdr[8] = (unsigned char)depth;
	ihdr[9] = (unsigned char)ctype;
	ihdr[10] = ihdr[11] = 0;
	ihdr[12] = (unsigned char)interlace;
	assert_int_equal(compress(z, &zlen, rows, rowlen), Z_OK);
	{
		const struct { const char *type; const unsigned char *d; size_t n; } ch[] = {
			{ "IHDR", ihdr, 13 }, { "PLTE", plte, nplte }, { "tRNS", trns, ntrns }, { "IDAT", z, zlen },
			{ "IEND", NULL, 0 },
		};

		for (size_t c = 0; c < sizeof(ch) / sizeof(ch[0]); c++) {
			uLong crc;

			if (ch[c].n == 0 && strcmp(ch[c].type, "IEND") != 0)
				continue;
			for (int i = 0; i < 4; i++)
				out[o + i] = (unsigned char)(ch[c].n >> (24 - 8 * i));
			memcpy(out + o + 4, ch[c].type, 4);
			if (ch[c].n)
				memcpy(out + o + 8, ch[c].d, ch[c].n);
			crc = crc32(crc32(0, NULL, 0), out + o + 4, (uInt)ch[c].n + 4);
			for (int i = 0; i < 4; i++)
				out[o + 8 + ch[c].n + i] = (unsigned char)(crc >> (24 - 8 * i));
			o += 12 + ch[c].n;
		}
	}
	return o;
}

/*
 * Render the record of name with template text tpl, saved as fx->dir/stem.tpl, into fx->dir/stem.pdf
 * (also returned in *pdf, *len). ec_render_new's refusal, or 0.
 */
static int
render_tpl(struct fixture *fx, const char *tpl, const char *stem, const char *name, unsigned char **pdf, size_t *len)
{
	char path[128];
	struct ec_template *t;
	struct ec_fonts *f;
	struct ec_render *r;
	struct ec_ecert e;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.tpl", fx->dir, stem);
	save(path, (const unsigned char *)tpl, strlen(tpl));
	assert_int_equal(ec_template_load(path, &t), 0);
	assert_int_equal(ec_fonts_load(t, &f), 0);
	if ((rc = ec_render_new(t, f, &r)) == 0) {
		record(&e, name);
		assert_int_equal(ec_render_pdf(r, &e, ORG, PAYLOAD, URL, fx->der, 10, pdf, len), 0);
		snprintf(path, sizeof(path), "%s/%s.pdf", fx->dir, stem);
		save(path, *pdf, *len);
		ec_render_free(r);
	}
	ec_fonts_free(f);
	ec_template_free(t);
	return rc;
}

/* Render a one-image page for image file img; return the colours at the left and right quarter of the box. */
static int
render_image(struct fixture *fx, const char *img, unsigned char left[3], unsigned char right[3])
{
	char buf[1024], cmd[512];
	static char out[1 << 20];
	unsigned char *pdf;
	size_t len;
	unsigned w, h;
	int rc, n;
	const unsigned char *px;

	/* The box: 200 x 100 mm from (5, 5) on an A4 portrait page; a 2x1 image fills it. */
	snprintf(buf, sizeof(buf), "ecert-template 1\npage a4 portrait\n"
	    "font a /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n"
	    "image 5 5 200 100 %s\ntext 20 150 150 10 font=a size=12 \"{name}\"\nqr 100 200 30\n", img);
	if ((rc = render_tpl(fx, buf, "img", "Zoë", &pdf, &len)) != 0)
		return rc;
	assert_non_null(memmem(pdf, len, "/Subtype /Image", 15));
	free(pdf);
	/* 10 dpi: the page is 82 x 116 pixels, the box about 79 x 39 from (2, 2). */
	snprintf(cmd, sizeof(cmd), "pdftoppm -r 10 '%s/img.pdf' 2>&1", fx->dir);
	n = run(cmd, out, sizeof(out));
	assert_int_equal(n, 0);
	assert_int_equal(sscanf(out, "P6 %u %u 255%n", &w, &h, &n), 2);
	px = (const unsigned char *)out + n + 1;
	memcpy(left, px + (size_t)(22 * w + 22) * 3, 3);
	memcpy(right, px + (size_t)(22 * w + 60) * 3, 3);
	return 0;
}

static void
colour_near(const unsigned char *got, int r, int g, int b)
{
	if (abs(got[0] - r) > 8 || abs(got[1] - g) > 8 || abs(got[2] - b) > 8)
		fail_msg("colour %d %d %d, expected %d %d %d", got[0], got[1], got[2], r, g, b);
}

static void
test_image(void **state)
{
	struct fixture *fx = *state;
	unsigned char file[4096], l[3], r[3], rows[64];
	char path[128], cmd[512], name[160];
	static const unsigned char red_blue16[] = { 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char rgba[] = { 0, 0, 0, 0, 0, 0x20, 0xa0, 0x40, 0xff };
	static const unsigned char plte[] = { 0, 0, 0, 0xff, 0, 0 }, trns[] = { 0 };
	size_t n;
	struct ec_template *t;
	struct ec_fonts *f;
	struct ec_render *rr;

	if (!have("pdftoppm"))
		skip();
	/* RGB, 8 bits: red | blue. */
	memcpy(rows, "\x00\xff\x00\x00\x00\x00\xff", 7);
	n = make_png(file, 2, 1, 8, 2, 0, rows, 7, NULL, 0, NULL, 0);
	snprintf(path, sizeof(path), "%s/rgb.png", fx->dir);
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), 0);
	colour_near(l, 255, 0, 0);
	colour_near(r, 0, 0, 255);
	/* RGB, 16 bits: refused, libharu 2.3.0 would lose half of it. */
	n = make_png(file, 2, 1, 16, 2, 0, red_blue16, sizeof(red_blue16), NULL, 0, NULL, 0);
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), EC_ERR_UNSUPPORTED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_UNSUPPORTED), "16-bit PNG"));
	/* RGBA: transparent | green; the page shows through. */
	n = make_png(file, 2, 1, 8, 6, 0, rgba, sizeof(rgba), NULL, 0, NULL, 0);
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), 0);
	colour_near(l, 255, 255, 255);
	colour_near(r, 0x20, 0xa0, 0x40);
	/* Grey, 1 bit: black | white; grey, 8 bits with alpha: grey | transparent. */
	memcpy(rows, "\x00\x40", 2);
	n = make_png(file, 2, 1, 1, 0, 0, rows, 2, NULL, 0, NULL, 0);
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), 0);
	colour_near(l, 0, 0, 0);
	colour_near(r, 255, 255, 255);
	memcpy(rows, "\x00\x80\xff\x00\x00", 5);
	n = make_png(file, 2, 1, 8, 4, 0, rows, 5, NULL, 0, NULL, 0);
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), 0);
	colour_near(l, 128, 128, 128);
	colour_near(r, 255, 255, 255);
	/* Palette, 2 bits: black | red, filtered (Sub); with entry 0 transparent, refused (libharu ignores it). */
	memcpy(rows, "\x01\x10", 2);
	n = make_png(file, 2, 1, 2, 3, 0, rows, 2, plte, sizeof(plte), NULL, 0);
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), 0);
	colour_near(l, 0, 0, 0);
	colour_near(r, 255, 0, 0);
	n = make_png(file, 2, 1, 2, 3, 0, rows, 2, plte, sizeof(plte), trns, sizeof(trns));
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), EC_ERR_UNSUPPORTED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_UNSUPPORTED), "transparent palette"));

	/* A JPEG, made by poppler: 20 x 10 pixels cut from the red half of the last page. */
	snprintf(cmd, sizeof(cmd), "pdftoppm -jpeg -r 10 -x 45 -y 5 -W 20 -H 10 -singlefile '%s/img.pdf' '%s/red' 2>&1",
	    fx->dir, fx->dir);
	assert_int_equal(run(cmd, (char *)file, sizeof(file)), 0);
	assert_int_equal(render_image(fx, "red.jpg", l, r), 0);
	colour_near(l, 255, 0, 0);
	colour_near(r, 255, 0, 0);

	/* An interlaced PNG (a 2 x 1 Adam7 image: pass 1 the red pixel, pass 6 the blue): refused by name. */
	memcpy(rows, "\x00\xff\x00\x00\x00\x00\x00\xff", 8);
	n = make_png(file, 2, 1, 8, 2, 1, rows, 8, NULL, 0, NULL, 0);
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), EC_ERR_UNSUPPORTED);
	assert_non_null(strstr(ec_err_msg(EC_ERR_UNSUPPORTED), "interlaced PNG"));
	/* Image data cut short: refused with libpng's reason (libharu itself would abort the process). */
	n = make_png(file, 2, 1, 8, 2, 0, rows, 6, NULL, 0, NULL, 0);
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "is a malformed PNG"));

	/* Refused when the renderer is made: a bad CRC, a truncated JPEG, not an image, missing. */
	n = make_png(file, 2, 1, 8, 2, 0, rows, 7, NULL, 0, NULL, 0);
	file[20] ^= 1;
	save(path, file, n);
	assert_int_equal(render_image(fx, "rgb.png", l, r), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "is a malformed PNG"));
	save(path, (const unsigned char *)"\xff\xd8\xff\xe0\x00\x10JFIF", 10);
	assert_int_equal(render_image(fx, "rgb.png", l, r), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "a malformed or unsupported JPEG"));
	save(path, (const unsigned char *)"GIF89a", 6);
	assert_int_equal(render_image(fx, "rgb.png", l, r), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "neither PNG nor JPEG"));
	unlink(path);
	snprintf(name, sizeof(name), "%s/img.tpl", fx->dir);
	assert_int_equal(ec_template_load(name, &t), 0);
	assert_int_equal(ec_fonts_load(t, &f), 0);
	assert_int_equal(ec_render_new(t, f, &rr), EC_ERR_NOTFOUND);
	ec_fonts_free(f);
	ec_template_free(t);
}

/* Count the occurrences of s in p[0..n). */
static int
count(const unsigned char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	int c = 0;

	for (const unsigned char *q = p; (q = memmem(q, n - (size_t)(q - p), s, k)) != NULL; q += k)
		c++;
	return c;
}

/*
 * Two copies of one font file under two paths, showing the same characters: their subsets are the same
 * program, embedded once (one descriptor, one /FontFile2), and both texts read back.
 */
static void
test_font_copies(void **state)
{
	struct fixture *fx = *state;
	char buf[1024], cmd[512], out[4096];
	static const char *const copies[] = { "a.ttf", "b.ttf" };
	unsigned char *pdf;
	size_t len;

	if (!have("pdftotext"))
		skip();
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf '%s/%s'", fx->dir, copies[i]);
		assert_int_equal(run(cmd, out, sizeof(out)), 0);
	}
	snprintf(buf, sizeof(buf), "ecert-template 1\npage a4 portrait\nfont a %s/a.ttf\nfont b %s/b.ttf\n"
	    "text 20 20 150 10 font=a size=12 \"{name}\"\ntext 20 60 150 10 font=b size=12 \"{name}\"\nqr 100 200 30\n",
	    fx->dir, fx->dir);
	assert_int_equal(render_tpl(fx, buf, "copies", "Zoë O'Brien", &pdf, &len), 0);
	assert_int_equal(count(pdf, len, "/FontFile2"), 1);
	assert_int_equal(count(pdf, len, "/Type /FontDescriptor"), 1);
	free(pdf);
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s/copies.pdf' - 2>&1", fx->dir);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	if (count((const unsigned char *)out, strlen(out), "Zoë O'Brien") != 2)
		fail_msg("pdftotext: %s", out);
}

/* libharu's byte-at-a-time fill and copy are replaced by the renderer's (lib/render/pdfobj.c), same contract. */
static void
test_libharu_memory(void **state)
{
	unsigned char a[300], b[300];
	Dl_info where;
	void *f = dlsym(RTLD_DEFAULT, "HPDF_MemSet");

	(void)state;
	/* The name libharu's own calls resolve to is this program's, not libhpdf's. */
	assert_non_null(f);
	assert_true(dladdr(f, &where) != 0);
	assert_null(strstr(where.dli_fname, "libhpdf"));
	assert_ptr_equal(HPDF_MemSet(a, 0xab, sizeof a), a + sizeof a);
	for (size_t i = 0; i < sizeof a; i++)
		assert_int_equal(a[i], 0xab);
	for (size_t i = 0; i < sizeof b; i++)
		b[i] = (unsigned char)i;
	assert_ptr_equal(HPDF_MemCpy(a, b, sizeof b), a + sizeof a);
	assert_memory_equal(a, b, sizeof a);
	assert_ptr_equal(HPDF_MemSet(a, 0, 0), a);
	assert_null(HPDF_MemSet(NULL, 0, 0));
	assert_null(HPDF_MemCpy(NULL, NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_deterministic_digits),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_too_long_for_box),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_libharu_memory),
		cmocka_unit_test(test_font_copies),
	};

	return cmocka_run_group_tests_name("pdf", tests, setup, teardown);
}
