/* Fuzz ecert-verify's PDF reader: attachment extraction (ec_pdf_attachments) and /Info strings (ec_pdf_info). */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "helper.h"
#include "pdfread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "Title", "Subject", "ECertToken", "ECertQR", "Producer" };
	struct ec_pdf_files fs;
	char text[1024], tiny[4];
	size_t i;

	if (ec_pdf_attachments(data, size, &fs) == EC_OK) {
		if (fs.n == 0 || fs.n > EC_PDF_MAX_FILES)
			abort();
		for (i = 0; i < fs.n; i++)
			if (fs.f[i].len > EC_PDF_MAX_FILE || (fs.f[i].len > 0 && fs.f[i].data == NULL) ||
			    strlen(fs.f[i].name) > EC_PDF_NAME_MAX)
				abort();
	}
	ec_pdf_files_free(&fs);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (ec_pdf_info(data, size, keys[i], text, sizeof text) == EC_OK && strlen(text) >= sizeof text)
			abort();
		ec_pdf_info(data, size, keys[i], tiny, sizeof tiny);
	}
	return 0;
}
