/* Test-only scratch directories under /tmp, removed whole after each test. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helper_tmp.h"

char *
helper_tmpdir(const char *tag)
{
	size_t n = strlen(tag) + 16;
	char *dir = malloc(n);

	if (!dir)
		return NULL;
	snprintf(dir, n, "/tmp/ec-%s-XXXXXX", tag);
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

void
helper_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
helper_tmpdir_setup(void **state)
{
	return (*state = helper_tmpdir("unit")) ? 0 : -1;
}

int
helper_tmpdir_teardown(void **state)
{
	helper_rmtree(*state);
	free(*state);
	return 0;
}
