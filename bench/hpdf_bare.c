/* Benchmark anchor: a bare libharu page per PDF (built-in Helvetica, nothing embedded, a fresh
 * document each), with the same text and QR as an e-Cert; prints PDFs per second and bytes. */
#include <qrencode.h>
#include <hpdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void
onerr(HPDF_STATUS e, HPDF_STATUS d, void *u)
{
	(void)u;
	fprintf(stderr, "hpdf_bare: libharu error %04lx/%lu\n", (unsigned long)e, (unsigned long)d);
	exit(2);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	const char *url = argc > 2 ? argv[2] : "http://localhost:8080/v/0101234567890123456789#"
	    "eyJhbGciOiJFUzI1NiIsImtpZCI6IkFCQ0RFRkdISUpLIn0.eyJuIjoiMDEwMTIzNDU2Nzg5MDEyMzQ1Njc4OSIsIm5tIjoi"
	    "5p2O55Ge55GeIiwiYyI6IkhDSUEtQUkiLCJuYiI6IjIwMjYtMTAtMjciLCJuYSI6IjIwMjktMTAtMjYifQ."
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	double secs = argc > 1 ? atof(argv[1]) : 3.0, t0, el;
	unsigned long n = 0, bytes = 0;
	QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);

	if (!qr)
		return 2;
	t0 = now();
	do {
		HPDF_Doc pdf = HPDF_New(onerr, NULL);
		HPDF_Page page;
		HPDF_Font font;
		int x, y;
		float m = 2.0f;

		HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
		page = HPDF_AddPage(pdf);
		HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
		font = HPDF_GetFont(pdf, "Helvetica", NULL);
		HPDF_Page_BeginText(page);
		HPDF_Page_SetFontAndSize(page, font, 32);
		HPDF_Page_TextOut(page, 120, 400, "Li Ruirui");
		HPDF_Page_SetFontAndSize(page, font, 16);
		HPDF_Page_TextOut(page, 120, 350, "HCIA-AI Huawei Certified ICT Associate - Artificial Intelligence");
		HPDF_Page_TextOut(page, 120, 320, "0101 2345 6789 0123 4567 89");
		HPDF_Page_TextOut(page, 120, 290, "2026-10-27 - 2029-10-26");
		HPDF_Page_SetFontAndSize(page, font, 8);
		HPDF_Page_TextOut(page, 600, 60, "http://localhost:8080/v/0101234567890123456789");
		HPDF_Page_EndText(page);
		for (y = 0; y < qr->width; y++)
			for (x = 0; x < qr->width; x++) {
				int run = 0;

				while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1))
					run++;
				if (run) {
					HPDF_Page_Rectangle(page, 600 + x * m, 200 - y * m, run * m, m);
					x += run;
				}
			}
		HPDF_Page_Fill(page);
		HPDF_SaveToStream(pdf);
		bytes += HPDF_GetStreamSize(pdf);
		HPDF_Free(pdf);
		n++;
		el = now() - t0;
	} while (el < secs);
	QRcode_free(qr);
	printf("%.1f %lu\n", n / el, bytes / n);
	return 0;
}
