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

/* The host of a URL scheme://host[:port][/...] into out; "" when there is none. */
static void
url_host(const char *url, char *out, size_t outsz)
{
	const char *h = strstr(url, "://"), *e;
	size_t n;

	out[0] = '\0';
	if (h == NULL)
		return;
	h += 3;
	if (*h == '[') {
		e = strchr(h, ']');
		n = e ? (size_t)(e - h - 1) : 0;
		h++;
	} else {
		n = strcspn(h, ":/?#");
	}
	if (n > 0 && n < outsz)
		snprintf(out, outsz, "%.*s", (int)n, h);
}

void
ec_conf_host(const struct ec_conf *c, char *out, size_t outsz)
{
	url_host(c->public_url, out, outsz);
}

void
ec_conf_mail_from(const struct ec_conf *c, char *out, size_t outsz)
{
	char host[256];

	if (c->mail_from[0]) {
		snprintf(out, outsz, "%s", c->mail_from);
		return;
	}
	url_host(c->public_url, host, sizeof host);
	snprintf(out, outsz, "noreply@%s", host);
}

static int
check_mail(const struct ec_conf *c)
{
	char host[256];
	int rc;

	if (c->smtp_url[0]) {
		int smtps = strncmp(c->smtp_url, "smtps://", 8) == 0;

		if (!smtps && strncmp(c->smtp_url, "smtp://", 7) != 0)
			return ec_err_set(EC_ERR_ARG, "smtp_url '%s' is not smtp://HOST[:PORT] or smtps://HOST[:PORT]",
			    c->smtp_url);
		url_host(c->smtp_url, host, sizeof host);
		if (!host[0] || strpbrk(c->smtp_url, " \t\"<>\\"))
			return ec_err_set(EC_ERR_ARG, "smtp_url '%s' has no host or a character URLs cannot have", c->smtp_url);
		/* A user or password in the URL would also make its host something else than it reads. */
		if (strchr(c->smtp_url, '@'))
			return ec_err_set(EC_ERR_ARG, "smtp_url '%s' holds a user or password: use smtp_user and "
			    "smtp_pass_file", c->smtp_url);
		/* Unencrypted SMTP only to a relay on this machine: passwords and notices never cross a network in clear. */
		if (!c->smtp_tls && (smtps || (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "::1") != 0 &&
		    strcmp(host, "localhost") != 0)))
			return ec_err_set(EC_ERR_ARG, "smtp_tls = off is for a relay on the loopback (smtp://127.0.0.1, "
			    "::1 or localhost), not '%s'", c->smtp_url);
	}
	if (c->mail_from[0] && (rc = ec_addr_check(c->mail_from)))
		return ec_err_set(EC_ERR_ARG, "mail_from: %s", ec_err_msg(rc));
	/* The default From is noreply@ the public URL's host: an IP address there makes no address. */
	url_host(c->public_url, host, sizeof host);
	if (c->smtp_url[0] && !c->mail_from[0] && (strchr(host, ':') || strspn(host, "0123456789.") == strlen(host)))
		return ec_err_set(EC_ERR_ARG, "mail_from is needed: the public URL's host '%s' is not a domain name", host);
	if (!c->smtp_user[0] != !c->smtp_pass_file[0])
		return ec_err_set(EC_ERR_ARG, "smtp_user and smtp_pass_file go together");
	if (c->mail_lang[0] && strcmp(c->mail_lang, "en") != 0 && strcmp(c->mail_lang, "zh") != 0)
		return ec_err_set(EC_ERR_ARG, "mail_lang '%s' is not en or zh", c->mail_lang);
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
	if ((rc = check_tz(c->tz)) != EC_OK)
		return rc;
	if (memchr(c->portal_url, '\0', sizeof c->portal_url) == NULL)
		return ec_err_set(EC_ERR_ARG, "configuration field not terminated");
	if (c->portal_url[0] && (rc = check_url(c->portal_url)) != EC_OK)
		return ec_err_set(rc, "portal_url: %s", ec_err_msg(rc));
	if (memchr(c->publish_to, '\0', sizeof c->publish_to) == NULL ||
	    (c->publish_to[0] && (c->publish_to[0] != '/' || strpbrk(c->publish_to, "\t\r\n"))))
		return ec_err_set(EC_ERR_ARG, "publish_to '%.60s' is not an absolute path", c->publish_to);
	if (c->publish_keep > 1000)
		return ec_err_set(EC_ERR_ARG, "publish_keep %u is not 1 to 1000", c->publish_keep);
	return check_mail(c);
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
	snprintf(out->mail_lang, sizeof out->mail_lang, "en");
	out->smtp_tls = 1;
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
		} else if (strcmp(key, "smtp_url") == 0) {
			bit = 16;
			rc = set_field(out->smtp_url, sizeof out->smtp_url, val, path, lineno, key);
		} else if (strcmp(key, "smtp_tls") == 0) {
			bit = 32;
			if (strcmp(val, "on") == 0 || strcmp(val, "off") == 0)
				out->smtp_tls = strcmp(val, "on") == 0;
			else
				rc = ec_err_set(EC_ERR_SYNTAX, "%s:%d: smtp_tls must be on or off, not '%s'", path, lineno, val);
		} else if (strcmp(key, "mail_from") == 0) {
			bit = 64;
			rc = set_field(out->mail_from, sizeof out->mail_from, val, path, lineno, key);
		} else if (strcmp(key, "smtp_user") == 0) {
			bit = 128;
			rc = set_field(out->smtp_user, sizeof out->smtp_user, val, path, lineno, key);
		} else if (strcmp(key, "smtp_pass_file") == 0) {
			bit = 256;
			rc = set_field(out->smtp_pass_file, sizeof out->smtp_pass_file, val, path, lineno, key);
		} else if (strcmp(key, "mail_lang") == 0) {
			bit = 512;
			rc = set_field(out->mail_lang, sizeof out->mail_lang, val, path, lineno, key);
		} else if (strcmp(key, "portal_url") == 0) {
			bit = 1024;
			rc = set_field(out->portal_url, sizeof out->portal_url, val, path, lineno, key);
		} else if (strcmp(key, "publish_to") == 0) {
			bit = 2048;
			rc = set_field(out->publish_to, sizeof out->publish_to, val, path, lineno, key);
		} else if (strcmp(key, "publish_keep") == 0) {
			char *end;

			bit = 4096;
			errno = 0;
			out->publish_keep = (unsigned)strtoul(val, &end, 10);
			if (errno || end == val || *end || val[0] == '-' || out->publish_keep < 1 || out->publish_keep > 1000)
				rc = ec_err_set(EC_ERR_SYNTAX, "%s:%d: publish_keep must be 1 to 1000, not '%s'", path, lineno, val);
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
	char path[PATH_MAX], text[2048];
	int rc, n;

	if ((rc = ec_conf_check(c)) != EC_OK)
		return rc;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_CONF, NULL)) != EC_OK)
		return rc;
	n = snprintf(text, sizeof text,
	    "# ecert configuration (written by ecert-ca init; see ecert-ca(1))\n"
	    "org = %s\npublic_url = %s\nalg = %s\ntz = %s\n",
	    c->org, c->public_url, c->alg == EC_ALG_ED25519 ? "ed25519" : "p256", c->tz);
	if (n > 0 && n < (int)sizeof text && c->smtp_url[0])
		n += snprintf(text + n, sizeof text - (size_t)n, "smtp_url = %s\nsmtp_tls = %s\n", c->smtp_url,
		    c->smtp_tls ? "on" : "off");
	if (n > 0 && n < (int)sizeof text && c->mail_from[0])
		n += snprintf(text + n, sizeof text - (size_t)n, "mail_from = %s\n", c->mail_from);
	if (n > 0 && n < (int)sizeof text && c->smtp_user[0])
		n += snprintf(text + n, sizeof text - (size_t)n, "smtp_user = %s\nsmtp_pass_file = %s\n", c->smtp_user,
		    c->smtp_pass_file);
	if (n > 0 && n < (int)sizeof text && c->mail_lang[0] && strcmp(c->mail_lang, "en") != 0)
		n += snprintf(text + n, sizeof text - (size_t)n, "mail_lang = %s\n", c->mail_lang);
	if (n > 0 && n < (int)sizeof text && c->portal_url[0])
		n += snprintf(text + n, sizeof text - (size_t)n, "portal_url = %s\n", c->portal_url);
	if (n > 0 && n < (int)sizeof text && c->publish_to[0])
		n += snprintf(text + n, sizeof text - (size_t)n, "publish_to = %s\n", c->publish_to);
	if (n > 0 && n < (int)sizeof text && c->publish_keep)
		n += snprintf(text + n, sizeof text - (size_t)n, "publish_keep = %u\n", c->publish_keep);
	if (n < 0 || n >= (int)sizeof text)
		return ec_err_set(EC_ERR_ARG, "configuration too long");
	return ec_file_write(path, text, (size_t)n, 0644, 1);
}
