/* DIR/ecert.conf: read, check, write. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "file.h"
#include "utf8.h"
#include "err.h"
#include "paths.h"
#include "text.h"

#define CONF_MAX (64 * 1024)
#define ZONEINFO "/usr/share/zoneinfo/"

const char *
ec_conf_dir(const char *dir)
{
	const char *env;

	if (dir != NULL)
		return dir;
	env = getenv("ECERT_HOME");
	if (env != NULL && env[0] != '\0')
		return env;
	return "/var/lib/ecert";
}

/*
 * Templates shipped with a build that is run from its source tree (build/bin/TOOL): the tree's
 * templates/ folder, found from /proc/self/exe. NULL when not running from a source tree.
 */
const char *
ec_conf_tree_templates(void)
{
	static _Thread_local char path[4096];
	char exe[4096];
	ssize_t n;
	char *slash;
	int up;

	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) <= 0)
		return NULL;
	exe[n] = '\0';
	for (up = 0; up < 3; up++) {
		if ((slash = strrchr(exe, '/')) == NULL)
			return NULL;
		*slash = '\0';
	}
	if ((size_t)snprintf(path, sizeof path, "%s/templates", exe) >= sizeof path)
		return NULL;
	return access(path, R_OK | X_OK) == 0 ? path : NULL;
}

static int
check_org(const char *org)
{
	size_t len = strlen(org);
	unsigned long bad;
	long cps;

	if (len == 0)
		return ec_err_set(EC_ERR_ARG, "organisation name is empty");
	if (org[0] == ' ' || org[len - 1] == ' ')
		return ec_err_set(EC_ERR_ARG, "organisation name '%s' starts or ends with a space", org);
	if ((cps = ec_text_check(org, len, &bad)) < 0) {
		if (bad == EC_TEXT_BAD_UTF8)
			return ec_err_set(EC_ERR_ARG, "organisation name is not valid UTF-8");
		return ec_err_set(EC_ERR_ARG, "organisation name has a control character (U+%04lX)", bad);
	}
	if (cps > EC_ORG_MAX_CP)
		return ec_err_set(EC_ERR_ARG, "organisation name '%s' is longer than %d characters", org,
		    EC_ORG_MAX_CP);
	return EC_OK;
}

static int
check_url(const char *url)
{
	const char *host, *p;
	size_t len = strlen(url);

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return ec_err_set(EC_ERR_ARG, "public URL '%s' must start with http:// or https://", url);
	if (len >= sizeof ((struct ec_conf *)0)->public_url)
		return ec_err_set(EC_ERR_ARG, "public URL is longer than %zu bytes",
		    sizeof ((struct ec_conf *)0)->public_url - 1);
	if (*host == '\0' || *host == '/' || *host == ':')
		return ec_err_set(EC_ERR_ARG, "public URL '%s' has no host", url);
	for (p = url; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || strchr("\"'<>\\`{}|^#?@", c) != NULL)
			return ec_err_set(EC_ERR_ARG, "public URL has a character it may not contain (0x%02X)", c);
	}
	if (url[len - 1] == '/')
		return ec_err_set(EC_ERR_ARG, "public URL '%s' ends with a slash", url);
	return EC_OK;
}

static int
check_tz(const char *tz)
{
	char path[sizeof ZONEINFO + 64];
	char magic[4];
	const char *p;
	int fd;
	ssize_t n;

	if (strcmp(tz, "UTC") == 0)
		return EC_OK;
	if (tz[0] == '\0' || tz[0] == '/' || strlen(tz) >= 64 || strstr(tz, "..") != NULL)
		return ec_err_set(EC_ERR_ARG, "unknown time zone '%s'", tz);
	for (p = tz; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("/_+-", *p) != NULL))
			return ec_err_set(EC_ERR_ARG, "unknown time zone '%s'", tz);
	snprintf(path, sizeof path, ZONEINFO "%s", tz);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ec_err_set(EC_ERR_ARG, "unknown time zone '%s'", tz);
	n = read(fd, magic, sizeof magic);
	close(fd);
	if (n != (ssize_t)sizeof magic || memcmp(magic, "TZif", 4) != 0)
		return ec_err_set(EC_ERR_ARG, "unknown time zone '%s'", tz);
	return EC_OK;
}

int
ec_conf_check(const struct ec_conf *c)
{
	int rc;

	if (memchr(c->org, '\0', sizeof c->org) == NULL || memchr(c->public_url, '\0', sizeof c->public_url) == NULL ||
	    memchr(c->tz, '\0', sizeof c->tz) == NULL)
		return ec_err_set(EC_ERR_ARG, "configuration field not terminated");
	if ((rc = check_org(c->org)) != EC_OK)
		return rc;
	if ((rc = check_url(c->public_url)) != EC_OK)
		return rc;
	if (c->alg != EC_ALG_P256 && c->alg != EC_ALG_ED25519)
		return ec_err_set(EC_ERR_ARG, "unknown algorithm %d", (int)c->alg);
	return check_tz(c->tz);
}

/* Copy value into field (size bytes) or fail with "FILE:LINE: ..." */
static int
set_field(char *field, size_t size, const char *value, const char *path, int line, const char *key)
{
	if (strlen(value) >= size)
		return ec_err_set(EC_ERR_SYNTAX, "%s:%d: value of '%s' is too long", path, line, key);
	strcpy(field, value);
	return EC_OK;
}

int
ec_conf_load(const char *dir, struct ec_conf *out)
{
	char path[PATH_MAX];
	char *text = NULL, *line, *next, *eq, *key, *val;
	size_t len = 0;
	struct stat st;
	unsigned seen = 0, bit = 0;
	int rc = EC_OK, lineno = 0;

	memset(out, 0, sizeof *out);
	snprintf(out->public_url, sizeof out->public_url, "http://localhost:8080");
	snprintf(out->tz, sizeof out->tz, "UTC");
	out->alg = EC_ALG_P256;
	if (stat(dir, &st) != 0)
		return ec_err_errno("cannot open", dir);
	if ((rc = ec_path(path, sizeof path, dir, EC_P_CONF, NULL)) != EC_OK)
		return rc;
	if (access(path, F_OK) != 0 && errno == ENOENT)
		return ec_err_set(EC_ERR_NOTFOUND, "'%s' holds no CA ('%s' is missing; run 'ecert-ca init')", dir, path);
	if ((rc = ec_file_read(path, CONF_MAX, &text, &len)) != EC_OK)
		return rc;
	if (memchr(text, '\0', len) != NULL) {
		rc = ec_err_set(EC_ERR_SYNTAX, "'%s' holds a NUL byte", path);
		goto out;
	}
	for (line = text; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		key = ec_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			rc = ec_err_set(EC_ERR_SYNTAX, "%s:%d: expected 'key = value'", path, lineno);
			goto out;
		}
		*eq = '\0';
		val = ec_trim(eq + 1);
		key = ec_trim(key);
		if (strcmp(key, "org") == 0) {
			bit = 1;
			rc = set_field(out->org, sizeof out->org, val, path, lineno, key);
		} else if (strcmp(key, "public_url") == 0) {
			bit = 2;
			rc = set_field(out->public_url, sizeof out->public_url, val, path, lineno, key);
		} else if (strcmp(key, "alg") == 0) {
			bit = 4;
			if (strcmp(val, "p256") == 0)
				out->alg = EC_ALG_P256;
			else if (strcmp(val, "ed25519") == 0)
				out->alg = EC_ALG_ED25519;
			else
				rc = ec_err_set(EC_ERR_SYNTAX, "%s:%d: unknown algorithm '%s'", path, lineno, val);
		} else if (strcmp(key, "tz") == 0) {
			bit = 8;
			rc = set_field(out->tz, sizeof out->tz, val, path, lineno, key);
		} else {
			rc = ec_err_set(EC_ERR_SYNTAX, "%s:%d: unknown key '%s'", path, lineno, key);
		}
		if (rc != EC_OK)
			goto out;
		if (seen & bit) {
			rc = ec_err_set(EC_ERR_SYNTAX, "%s:%d: '%s' given twice", path, lineno, key);
			goto out;
		}
		seen |= bit;
	}
	if (!(seen & 1)) {
		rc = ec_err_set(EC_ERR_SYNTAX, "%s: 'org' is missing", path);
		goto out;
	}
	if (ec_conf_check(out) != EC_OK) {
		char detail[512];

		snprintf(detail, sizeof detail, "%s", ec_err_msg(EC_ERR_ARG));
		rc = ec_err_set(EC_ERR_SYNTAX, "%s: %s", path, detail);
	}
out:
	free(text);
	return rc;
}

int
ec_conf_save(const char *dir, const struct ec_conf *c)
{
	char path[PATH_MAX], text[1024];
	int rc, n;

	if ((rc = ec_conf_check(c)) != EC_OK)
		return rc;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_CONF, NULL)) != EC_OK)
		return rc;
	n = snprintf(text, sizeof text,
	    "# ecert configuration (written by ecert-ca init; see ecert-ca(1))\n"
	    "org = %s\npublic_url = %s\nalg = %s\ntz = %s\n",
	    c->org, c->public_url, c->alg == EC_ALG_ED25519 ? "ed25519" : "p256", c->tz);
	if (n < 0 || n >= (int)sizeof text)
		return ec_err_set(EC_ERR_ARG, "configuration too long");
	return ec_file_write(path, text, (size_t)n, 0644, 1);
}
