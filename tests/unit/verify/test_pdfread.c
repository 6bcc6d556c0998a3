/* Unit tests for the bounded PDF reader: libharu attachments, hand-made PDFs, truncation, hostile structure. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hpdf.h>
#include <zlib.h>

#include "buf.h"
#include "err.h"
#include "pdfread.h"

/* A PDF from libharu with the given attachments (name = file name), written through a temp directory. */
static unsigned char *
haru_pdf(const char *const *names, const unsigned char *const *data, const size_t *lens, size_t n, size_t *len)
{
	char dir[] = "/tmp/test_pdfread.XXXXXX", path[256];
	HPDF_Doc doc;
	unsigned char *buf;
	HPDF_UINT32 sz;
	size_t i;
	int cwd;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	assert_true(cwd >= 0);
	assert_int_equal(chdir(dir), 0);
	doc = HPDF_New(NULL, NULL);
	assert_non_null(doc);
	assert_non_null(HPDF_AddPage(doc));
	HPDF_SetCompressionMode(doc, HPDF_COMP_ALL);
	for (i = 0; i < n; i++) {
		f = fopen(names[i], "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(data[i], 1, lens[i], f), lens[i]);
		fclose(f);
		assert_non_null(HPDF_AttachFile(doc, names[i]));
	}
	assert_int_equal(HPDF_SaveToStream(doc), HPDF_OK);
	sz = HPDF_GetStreamSize(doc);
	buf = malloc(sz);
	assert_non_null(buf);
	assert_int_equal(HPDF_ReadFromStream(doc, buf, &sz), HPDF_OK);
	HPDF_Free(doc);
	for (i = 0; i < n; i++)
		unlink(names[i]);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	snprintf(path, sizeof path, "%s", dir);
	rmdir(path);
	*len = sz;
	return buf;
}

/* A hand-made PDF: objects 1..n in order, a classic xref table, a trailer with /Size, /Root 1 0 R and extra. */
struct mk {
	struct ec_buf b;
	size_t off[64];
	int n;
};

static void
mk_start(struct mk *m)
{
	memset(m, 0, sizeof *m);
	ec_buf_adds(&m->b, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
}

static void
mk_obj(struct mk *m, const char *body)
{
	m->off[++m->n] = m->b.len;
	ec_buf_addf(&m->b, "%d 0 obj\n%s\nendobj\n", m->n, body);
}

static void
mk_stream(struct mk *m, const char *extra, const void *data, size_t n)
{
	m->off[++m->n] = m->b.len;
	ec_buf_addf(&m->b, "%d 0 obj\n<< /Length %zu %s >>\nstream\r\n", m->n, n, extra);
	ec_buf_add(&m->b, data, n);
	ec_buf_adds(&m->b, "\nendstream\nendobj\n");
}

static unsigned char *
mk_finish(struct mk *m, const char *extra, size_t *len)
{
	size_t x = m->b.len;
	int i;

	ec_buf_addf(&m->b, "xref\n0 %d\n0000000000 65535 f\r\n", m->n + 1);
	for (i = 1; i <= m->n; i++)
		ec_buf_addf(&m->b, "%010zu 00000 n\r\n", m->off[i]);
	ec_buf_addf(&m->b, "trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%zu\n%%%%EOF\n", m->n + 1, extra, x);
	assert_int_equal(m->b.err, 0);
	*len = m->b.len;
	return (unsigned char *)m->b.p;
}

/* The standard chain: catalog, names, name tree, file spec, then the stream (object 5). */
static void
mk_chain(struct mk *m)
{
	mk_start(m);
	mk_obj(m, "<< /Type /Catalog /Names 2 0 R >>");
	mk_obj(m, "<< /EmbeddedFiles 3 0 R >>");
	mk_obj(m, "<< /Names [(a.der) 4 0 R] >>");
	mk_obj(m, "<< /Type /Filespec /F (a.der) /EF << /F 5 0 R >> >>");
}

static unsigned char *
deflated(const void *data, size_t n, size_t *outlen)
{
	uLongf len = compressBound(n);
	unsigned char *out = malloc(len);

	assert_non_null(out);
	assert_int_equal(compress(out, &len, data, n), Z_OK);
	*outlen = len;
	return out;
}

/* A hand-made PDF with one Flate-compressed attachment of data. */
static unsigned char *
mk_simple(const void *data, size_t n, size_t *len)
{
	struct mk m;
	unsigned char *z, *pdf;
	size_t zl;

	z = deflated(data, n, &zl);
	mk_chain(&m);
	mk_stream(&m, "/Filter /FlateDecode", z, zl);
	free(z);
	pdf = mk_finish(&m, "", len);
	return pdf;
}

static int
attachments(const unsigned char *pdf, size_t len, struct ec_pdf_files *fs)
{
	return ec_pdf_attachments(pdf, len, fs);
}

static void
expect_fail(const unsigned char *pdf, size_t len, int code, const char *detail)
{
	struct ec_pdf_files fs;
	int rc = attachments(pdf, len, &fs);

	if (rc != code || (detail && strstr(ec_err_msg(rc), detail) == NULL))
		fail_msg("expected %d '%s', got %d '%s'", code, detail ? detail : "", rc, ec_err_msg(rc));
	assert_int_equal(fs.n, 0);
}

static void
test_haru_one(void **state)
{
	unsigned char der[500], *pdf;
	const char *names[] = { "0101234567890123456707.der" };
	const unsigned char *data[] = { der };
	size_t lens[] = { sizeof der }, len, i;
	struct ec_pdf_files fs;
	char v[128];

	(void)state;
	for (i = 0; i < sizeof der; i++)
		der[i] = (unsigned char)(i * 7 + 3);
	pdf = haru_pdf(names, data, lens, 1, &len);
	assert_int_equal(attachments(pdf, len, &fs), 0);
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.f[0].name, names[0]);
	assert_int_equal(fs.f[0].len, sizeof der);
	assert_memory_equal(fs.f[0].data, der, sizeof der);
	ec_pdf_files_free(&fs);
	assert_int_equal(fs.n, 0);
	assert_int_equal(ec_pdf_info(pdf, len, "Producer", v, sizeof v), 0);
	assert_non_null(strstr(v, "Haru"));
	assert_int_equal(ec_pdf_info(pdf, len, "ECertToken", v, sizeof v), EC_ERR_NOTFOUND);
	assert_string_equal(v, "");
	assert_int_equal(ec_pdf_info(pdf, len, "Producer", v, 5), EC_ERR_TOOBIG);
	free(pdf);
}

static void
test_haru_two(void **state)
{
	const char *names[] = { "one.der", "two.txt" };
	const unsigned char *data[] = { (const unsigned char *)"\x30\x03\x02\x01\x01", (const unsigned char *)"a.b.c" };
	size_t lens[] = { 5, 5 }, len;
	struct ec_pdf_files fs;
	unsigned char *pdf;

	(void)state;
	pdf = haru_pdf(names, data, lens, 2, &len);
	assert_int_equal(attachments(pdf, len, &fs), 0);
	assert_int_equal(fs.n, 2);
	assert_string_equal(fs.f[0].name, "one.der");
	assert_string_equal(fs.f[1].name, "two.txt");
	assert_memory_equal(fs.f[1].data, "a.b.c", 5);
	ec_pdf_files_free(&fs);
	free(pdf);
}

/* Every proper prefix is refused (only the final newline may go) and never read out of bounds. */
static void
test_truncated(void **state)
{
	unsigned char der[300], *pdf, *cut;
	const char *names[] = { "x.der" };
	const unsigned char *data[] = { der };
	size_t lens[] = { sizeof der }, len, n;
	struct ec_pdf_files fs;
	int rc;

	(void)state;
	memset(der, 0x30, sizeof der);
	pdf = haru_pdf(names, data, lens, 1, &len);
	for (n = 0; n < len; n++) {
		/* A copy of exactly n bytes, so ASan sees any read past the end. */
		cut = malloc(n ? n : 1);
		assert_non_null(cut);
		memcpy(cut, pdf, n);
		rc = attachments(cut, n, &fs);
		if (n + 1 >= len) {
			assert_int_equal(rc, 0);
			ec_pdf_files_free(&fs);
		} else if (rc != EC_ERR_SYNTAX) {
			fail_msg("prefix of %zu bytes: %d '%s'", n, rc, ec_err_msg(rc));
		}
		free(cut);
	}
	free(pdf);
}

static void
test_no_attachment(void **state)
{
	unsigned char *pdf;
	size_t len;
	struct mk m;

	(void)state;
	pdf = haru_pdf(NULL, NULL, NULL, 0, &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "no attachment found");
	free(pdf);
	mk_start(&m);
	mk_obj(&m, "<< /Type /Catalog /Names << /EmbeddedFiles << /Names [] >> >> >>");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "no attachment found");
	free(pdf);
}

static void
test_not_pdf(void **state)
{
	(void)state;
	expect_fail((const unsigned char *)"", 0, EC_ERR_SYNTAX, "empty");
	expect_fail((const unsigned char *)"hello world", 11, EC_ERR_SYNTAX, "not a PDF");
	expect_fail((const unsigned char *)"%PDF", 4, EC_ERR_SYNTAX, "not a PDF");
	expect_fail((const unsigned char *)"%PDF-1.4\n", 9, EC_ERR_SYNTAX, "no startxref");
	expect_fail((const unsigned char *)"\x30\x82\x01\x00", 4, EC_ERR_SYNTAX, "not a PDF");
}

static void
test_oversize(void **state)
{
	unsigned char *big = calloc(1, EC_PDF_MAX_INPUT + 1);

	(void)state;
	assert_non_null(big);
	memcpy(big, "%PDF-1.4\n", 9);
	expect_fail(big, EC_PDF_MAX_INPUT + 1, EC_ERR_TOOBIG, "16 MiB");
	free(big);
}

static void
test_handmade(void **state)
{
	unsigned char data[1000], *pdf;
	struct ec_pdf_files fs;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof data; i++)
		data[i] = (unsigned char)(i * 13);
	pdf = mk_simple(data, sizeof data, &len);
	assert_int_equal(attachments(pdf, len, &fs), 0);
	assert_int_equal(fs.n, 1);
	assert_string_equal(fs.f[0].name, "a.der");
	assert_int_equal(fs.f[0].len, sizeof data);
	assert_memory_equal(fs.f[0].data, data, sizeof data);
	ec_pdf_files_free(&fs);
	free(pdf);
}

/* Rewrite the first occurrence of from with to (same length) in pdf. */
static void
patch(unsigned char *pdf, size_t len, const char *from, const char *to)
{
	size_t n = strlen(from), i;

	assert_int_equal(strlen(to), n);
	for (i = 0; i + n <= len; i++)
		if (memcmp(pdf + i, from, n) == 0) {
			memcpy(pdf + i, to, n);
			return;
		}
	fail_msg("'%s' not in the PDF", from);
}

static void
test_garbage_offsets(void **state)
{
	unsigned char *pdf, *copy;
	char from[32], to[32];
	size_t len, i;
	struct mk m;

	(void)state;
	mk_chain(&m);
	mk_stream(&m, "", "\x30", 1);
	pdf = mk_finish(&m, "", &len);
	copy = malloc(len);
	assert_non_null(copy);
	/* Each object's xref offset moved by one byte, then pointed past the end. */
	for (i = 1; i <= 5; i++) {
		memcpy(copy, pdf, len);
		snprintf(from, sizeof from, "%010zu 00000 n", m.off[i]);
		snprintf(to, sizeof to, "%010zu 00000 n", m.off[i] + 1);
		patch(copy, len, from, to);
		expect_fail(copy, len, EC_ERR_SYNTAX, "malformed PDF");
		memcpy(copy, pdf, len);
		snprintf(to, sizeof to, "%010zu 00000 n", (size_t)9999999999u);
		patch(copy, len, from, to);
		expect_fail(copy, len, EC_ERR_SYNTAX, "outside the file");
	}
	/* startxref pointing into the middle, past the end, and at a non-number. */
	{
		const char *tails[] = { "10", "99999", "abc", "-5" };
		size_t keep = (size_t)(strstr((char *)pdf + len - 40, "startxref\n") - (char *)pdf) + 10;
		struct ec_buf b;
		for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
			ec_buf_init(&b);
			ec_buf_add(&b, pdf, keep);
			ec_buf_addf(&b, "%s\n%%%%EOF\n", tails[i]);
			expect_fail((unsigned char *)b.p, b.len, EC_ERR_SYNTAX, "malformed PDF");
			ec_buf_free(&b);
		}
	}
	free(copy);
	free(pdf);
}

static void
test_deflate_bomb(void **state)
{
	unsigned char *zeros, *z, *pdf;
	size_t zl, len;
	struct mk m;

	(void)state;
	zeros = calloc(1, 4u << 20);
	assert_non_null(zeros);
	z = deflated(zeros, 4u << 20, &zl);
	assert_true(zl < 8192);
	mk_chain(&m);
	mk_stream(&m, "/Filter [/FlateDecode]", z, zl);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_TOOBIG, "64 KiB");
	free(pdf);
	/* Just at the bound is fine, one byte over is not. */
	free(z);
	z = deflated(zeros, EC_PDF_MAX_FILE, &zl);
	mk_chain(&m);
	mk_stream(&m, "/Filter /FlateDecode", z, zl);
	pdf = mk_finish(&m, "", &len);
	{
		struct ec_pdf_files fs;
		assert_int_equal(attachments(pdf, len, &fs), 0);
		assert_int_equal(fs.f[0].len, EC_PDF_MAX_FILE);
		ec_pdf_files_free(&fs);
	}
	free(pdf);
	free(z);
	z = deflated(zeros, EC_PDF_MAX_FILE + 1, &zl);
	mk_chain(&m);
	mk_stream(&m, "/Filter /FlateDecode", z, zl);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_TOOBIG, NULL);
	free(pdf);
	free(z);
	free(zeros);
}

static void
test_streams(void **state)
{
	unsigned char *pdf, *z;
	struct ec_pdf_files fs;
	size_t len, zl;
	struct mk m;

	(void)state;
	/* No filter: the raw bytes. */
	mk_chain(&m);
	mk_stream(&m, "", "\x30\x00", 2);
	pdf = mk_finish(&m, "", &len);
	assert_int_equal(attachments(pdf, len, &fs), 0);
	assert_int_equal(fs.f[0].len, 2);
	ec_pdf_files_free(&fs);
	free(pdf);
	/* Other filters, predictors and external data are refused. */
	mk_chain(&m);
	mk_stream(&m, "/Filter /ASCIIHexDecode", "3000>", 5);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "FlateDecode");
	free(pdf);
	mk_chain(&m);
	mk_stream(&m, "/Filter [/FlateDecode /ASCIIHexDecode]", "x", 1);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "more than one stream filter");
	free(pdf);
	mk_chain(&m);
	mk_stream(&m, "/Filter /FlateDecode /DecodeParms << /Predictor 12 >>", "x", 1);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "decode parameters");
	free(pdf);
	/* Corrupt and trailing compressed data. */
	z = deflated("hello", 5, &zl);
	z[zl - 1] ^= 0xff;
	mk_chain(&m);
	mk_stream(&m, "/Filter /FlateDecode", z, zl);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "compressed stream");
	free(pdf);
	z[zl - 1] ^= 0xff;
	mk_chain(&m);
	mk_stream(&m, "/Filter /FlateDecode", z, zl - 3);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "compressed stream ends early");
	free(pdf);
	free(z);
	/* /Length beyond the file, and not reaching endstream. */
	mk_chain(&m);
	m.off[++m.n] = m.b.len;
	ec_buf_addf(&m.b, "5 0 obj\n<< /Length 99999 >>\nstream\r\nabc\nendstream\nendobj\n");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "truncated PDF");
	free(pdf);
	mk_chain(&m);
	m.off[++m.n] = m.b.len;
	ec_buf_addf(&m.b, "5 0 obj\n<< /Length 1 >>\nstream\r\nabc\nendstream\nendobj\n");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "does not reach endstream");
	free(pdf);
	/* An indirect /Length, and one that names a non-integer. */
	mk_chain(&m);
	m.off[++m.n] = m.b.len;
	ec_buf_addf(&m.b, "5 0 obj\n<< /Length 6 0 R >>\nstream\nabc\nendstream\nendobj\n");
	mk_obj(&m, "3");
	pdf = mk_finish(&m, "", &len);
	assert_int_equal(attachments(pdf, len, &fs), 0);
	assert_memory_equal(fs.f[0].data, "abc", 3);
	ec_pdf_files_free(&fs);
	free(pdf);
	mk_chain(&m);
	m.off[++m.n] = m.b.len;
	ec_buf_addf(&m.b, "5 0 obj\n<< /Length 6 0 R >>\nstream\nabc\nendstream\nendobj\n");
	mk_obj(&m, "(3)");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "valid /Length");
	free(pdf);
}

static void
test_structure(void **state)
{
	unsigned char *pdf;
	struct ec_buf deep;
	size_t len;
	struct mk m;
	int i;

	(void)state;
	/* Encrypted, and a cross-reference stream. */
	mk_chain(&m);
	mk_stream(&m, "", "\x30", 1);
	pdf = mk_finish(&m, "/Encrypt << /Filter /Standard >>", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "encrypted");
	free(pdf);
	{
		const char *xs = "%PDF-1.5\n1 0 obj\n<< /Type /XRef /Size 2 /W [1 2 1] /Length 0 >>\nstream\n\nendstream\nendobj\n"
		    "startxref\n9\n%%EOF\n";
		expect_fail((const unsigned char *)xs, strlen(xs), EC_ERR_SYNTAX, "cross-reference streams");
	}
	/* A name tree whose kid is itself. */
	mk_start(&m);
	mk_obj(&m, "<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>");
	mk_obj(&m, "<< /Kids [2 0 R] >>");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "revisits object 2");
	free(pdf);
	/* Deep nesting inside the catalog. */
	ec_buf_init(&deep);
	ec_buf_adds(&deep, "<< /Type /Catalog /X ");
	for (i = 0; i < 100; i++)
		ec_buf_addc(&deep, '[');
	for (i = 0; i < 100; i++)
		ec_buf_addc(&deep, ']');
	ec_buf_adds(&deep, " /Names 2 0 R >>");
	mk_start(&m);
	mk_obj(&m, deep.p);
	ec_buf_free(&deep);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "nesting too deep");
	free(pdf);
	/* A catalog array of 5,000 entries: every lookup re-reads a dictionary, so its size is bounded. */
	ec_buf_init(&deep);
	ec_buf_adds(&deep, "<< /Type /Catalog /X [");
	for (i = 0; i < 5000; i++)
		ec_buf_adds(&deep, "1 ");
	ec_buf_adds(&deep, "] /Names 2 0 R >>");
	mk_start(&m);
	mk_obj(&m, deep.p);
	ec_buf_free(&deep);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_TOOBIG, "more than 4096 entries");
	free(pdf);
	/* A missing object, a wrong generation, a /Size that is not there. */
	mk_start(&m);
	mk_obj(&m, "<< /Type /Catalog /Names 9 0 R >>");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "object 9 0 is missing");
	free(pdf);
	mk_start(&m);
	mk_obj(&m, "<< /Type /Catalog /Names 1 1 R >>");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "object 1 1 is missing");
	free(pdf);
	{
		char ns[256];
		const char *head = "%PDF-1.4\n1 0 obj\n<< >>\nendobj\n";
		snprintf(ns, sizeof ns, "%sxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\n"
		    "trailer\n<< /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", head, strlen(head));
		expect_fail((const unsigned char *)ns, strlen(ns), EC_ERR_SYNTAX, "/Size");
	}
	/* More attachments than the bound. */
	mk_start(&m);
	mk_obj(&m, "<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>");
	mk_obj(&m, "<< /Names [(a) 3 0 R (b) 3 0 R (c) 3 0 R (d) 3 0 R (e) 3 0 R (f) 3 0 R (g) 3 0 R "
	    "(h) 3 0 R (i) 3 0 R] >>");
	mk_obj(&m, "<< /F (a) /EF << /F 4 0 R >> >>");
	mk_stream(&m, "", "x", 1);
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "more than 8 attachments");
	free(pdf);
	/* A file specification without /EF, and /EF /F that is not a reference. */
	mk_start(&m);
	mk_obj(&m, "<< /Type /Catalog /Names << /EmbeddedFiles << /Names [(a) << /F (a) >>] >> >> >>");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "without /EF");
	free(pdf);
	mk_start(&m);
	mk_obj(&m, "<< /Type /Catalog /Names << /EmbeddedFiles << /Names [(a) << /EF << /F 5 >> >>] >> >> >>");
	pdf = mk_finish(&m, "", &len);
	expect_fail(pdf, len, EC_ERR_SYNTAX, "not an indirect stream");
	free(pdf);
}

/* Kids, escaped and hex names, UTF-16 names, and an incremental update that replaces the stream. */
static void
test_tree_and_updates(void **state)
{
	struct ec_pdf_files fs;
	unsigned char *pdf;
	struct ec_buf b;
	size_t len, x1;
	struct mk m;
	char v[64];

	(void)state;
	mk_start(&m);
	mk_obj(&m, "<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>");
	mk_obj(&m, "<< /Kids [3 0 R 4 0 R] >>");
	mk_obj(&m, "<< /Limits [(a)(a)] /Names [(a) << /F (a\\(1\\)\\101.der) /EF << /F 5 0 R >> >>] >>");
	mk_obj(&m, "<< /Names [<62> << /UF <FEFF0062002E0074007800744E2D> /EF << /F 6 0 R >> >>] >>");
	mk_stream(&m, "", "first", 5);
	mk_stream(&m, "", "second", 6);
	pdf = mk_finish(&m, "/Info << /ECertToken <612e622e63> /N 5 /T <FEFF005A00EBD83DDE00> /L <FEFFD83D0041> "
	    "/Z (a\\000b) /D (Zo\\353 \\225\\215ok\\216 \\240) /U (a\\237) /S (\\255) /X (a\\177) >>", &len);
	assert_int_equal(attachments(pdf, len, &fs), 0);
	assert_int_equal(fs.n, 2);
	assert_string_equal(fs.f[0].name, "a(1)A.der");
	assert_string_equal(fs.f[1].name, "b.txt?");
	assert_memory_equal(fs.f[1].data, "second", 6);
	ec_pdf_files_free(&fs);
	assert_int_equal(ec_pdf_info(pdf, len, "ECertToken", v, sizeof v), 0);
	assert_string_equal(v, "a.b.c");
	assert_int_equal(ec_pdf_info(pdf, len, "N", v, sizeof v), EC_ERR_SYNTAX);
	assert_int_equal(ec_pdf_info(pdf, len, "T", v, sizeof v), 0);
	assert_string_equal(v, "Z\xc3\xab\xf0\x9f\x98\x80");
	assert_int_equal(ec_pdf_info(pdf, len, "T", v, 7), EC_ERR_TOOBIG);
	assert_int_equal(ec_pdf_info(pdf, len, "L", v, sizeof v), EC_ERR_SYNTAX);
	assert_int_equal(ec_pdf_info(pdf, len, "Z", v, sizeof v), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "NUL"));
	/* PDFDocEncoding: ISO 8859-1 but for its own table at 0x80-0xA0; 0x9F and 0xAD are undefined. */
	assert_int_equal(ec_pdf_info(pdf, len, "D", v, sizeof v), 0);
	assert_string_equal(v, "Zo\xc3\xab \xc5\x81\xe2\x80\x9cok\xe2\x80\x9d \xe2\x82\xac");
	assert_int_equal(ec_pdf_info(pdf, len, "U", v, sizeof v), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "0x9F"));
	assert_int_equal(ec_pdf_info(pdf, len, "S", v, sizeof v), EC_ERR_SYNTAX);
	assert_int_equal(ec_pdf_info(pdf, len, "X", v, sizeof v), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "0x7F"));
	assert_int_equal(ec_pdf_info(pdf, len, "D", v, 5), EC_ERR_TOOBIG);

	/* An update section replacing object 5; the older section stays reachable through /Prev. */
	ec_buf_init(&b);
	ec_buf_add(&b, pdf, len);
	x1 = (size_t)(strstr((char *)pdf + len - 40, "startxref\n") - (char *)pdf) + 10;
	x1 = strtoul((char *)pdf + x1, NULL, 10);
	{
		size_t o5 = b.len, x2;
		ec_buf_adds(&b, "5 0 obj\n<< /Length 7 >>\nstream\nupdated\nendstream\nendobj\n");
		x2 = b.len;
		ec_buf_addf(&b, "xref\n0 1\n0000000000 65535 f\r\n5 1\n%010zu 00000 n\r\ntrailer\n<< /Size 7 /Root 1 0 R "
		    "/Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n", o5, x1, x2);
	}
	assert_int_equal(attachments((unsigned char *)b.p, b.len, &fs), 0);
	assert_memory_equal(fs.f[0].data, "updated", 7);
	assert_memory_equal(fs.f[1].data, "second", 6);
	ec_pdf_files_free(&fs);
	/* A /Prev loop is bounded. */
	{
		size_t x3 = b.len;
		ec_buf_addf(&b, "xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 7 /Root 1 0 R /Prev %zu >>\n"
		    "startxref\n%zu\n%%%%EOF\n", x3, x3);
	}
	expect_fail((unsigned char *)b.p, b.len, EC_ERR_SYNTAX, "cross-reference sections");
	ec_buf_free(&b);
	free(pdf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_haru_one),
		cmocka_unit_test(test_haru_two),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_no_attachment),
		cmocka_unit_test(test_not_pdf),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_handmade),
		cmocka_unit_test(test_garbage_offsets),
		cmocka_unit_test(test_deflate_bomb),
		cmocka_unit_test(test_streams),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_tree_and_updates),
	};

	return cmocka_run_group_tests_name("pdfread", tests, NULL, NULL);
}
