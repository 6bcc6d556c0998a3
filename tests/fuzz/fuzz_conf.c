/* Fuzz the ecert.conf reader (ec_conf_load, lib/base/conf.c): the input is DIR/ecert.conf of a private directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "helper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A field the API hands out must be a NUL-terminated string within its array. */
#define TERMINATED(f) (memchr((f), '\0', sizeof (f)) != NULL)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_conf c;
	int rc;

	fuzz_scratch_write("ecert.conf", data, size);
	memset(&c, 0xa5, sizeof c);   /* whatever the reader leaves unset must not look terminated by luck */
	rc = ec_conf_load(fuzz_scratch_dir(), &c);
	if (!TERMINATED(c.org) || !TERMINATED(c.public_url) || !TERMINATED(c.tz) || !TERMINATED(c.smtp_url) ||
	    !TERMINATED(c.mail_from) || !TERMINATED(c.smtp_user) || !TERMINATED(c.smtp_pass_file) ||
	    !TERMINATED(c.mail_lang) || !TERMINATED(c.portal_url))
		abort();
	if (rc == EC_OK) {
		/* The reader checks what it read: an accepted file passes ec_conf_check, with an organisation. */
		if (c.org[0] == '\0' || ec_conf_check(&c) != EC_OK)
			abort();
	} else if (rc != EC_ERR_SYNTAX && rc != EC_ERR_TOOBIG && rc != EC_ERR_NOMEM) {
		abort();   /* the file is there and readable: only its content can be wrong */
	}
	return 0;
}
