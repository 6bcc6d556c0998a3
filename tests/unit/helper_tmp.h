/* Test-only scratch directories: each test that writes files gets its own under /tmp. */
#ifndef HELPER_TMP_H
#define HELPER_TMP_H

/* A new directory /tmp/ec-<tag>-XXXXXX (mkdtemp); its malloc'd path, or NULL. */
char *helper_tmpdir(const char *tag);

/* Remove dir and everything below it, links not followed. */
void helper_rmtree(const char *dir);

/* cmocka setup: *state = helper_tmpdir("unit"); and teardown: remove *state and free it. */
int helper_tmpdir_setup(void **state);
int helper_tmpdir_teardown(void **state);

#endif
