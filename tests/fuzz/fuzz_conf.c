/* Fuzz the ecert.conf reader (ec_conf_load, lib/base/conf.c): the input is DIR/ecert.conf of a private directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "helper.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ec_conf_load only reads from a directory, so one is made per process and the input rewritten in it. */
static char dir[64];
static char path[128];

static void
cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/ecert-fuzz-conf.XXXXXX",
	    tmp != NULL && *tmp != '\0' && strlen(tmp) < 32 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/ecert.conf", dir);
	atexit(cleanup);
}

/* A field the API hands out must be a NUL-terminated string within its array. */
#define TERMINATED(f) (memchr((f), '\0', sizeof (f)) != NULL)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ec_conf c;
	FILE *f;
	int rc;

	if (dir[0] == '\0')
		setup();
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	memset(&c, 0xa5, sizeof c);   /* whatever the reader leaves unset must not look terminated by luck */
	rc = ec_conf_load(dir, &c);
	if (!TERMINATED(c.org) || !TERMINATED(c.public_url) || !TERMINATED(c.tz))
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
