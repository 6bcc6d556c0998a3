/*
 * Unit tests for the mail settings of ecert.conf (lib/base/conf.c): smtp_url, smtp_tls, mail_from,
 * smtp_user, smtp_pass_file, mail_lang; their defaults, checks, loading, saving, and the From
 * address and host derived from the public URL. (The other keys are tested in tests/unit/sign/test_ca.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "conf.h"
#include "err.h"
#include "file.h"
#include "text.h"
#include "../helper_tmp.h"


static void
conf_default(struct ec_conf *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->org, sizeof c->org, "Example Cert Body");
	snprintf(c->public_url, sizeof c->public_url, "https://verify.example.org");
	snprintf(c->tz, sizeof c->tz, "UTC");
	c->alg = EC_ALG_P256;
	c->smtp_tls = 1;
	snprintf(c->mail_lang, sizeof c->mail_lang, "en");
}

static void
write_conf(const char *dir, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof path, "%s/ecert.conf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static char *
read_conf(const char *dir)
{
	char path[512], *text = NULL;
	size_t len;

	snprintf(path, sizeof path, "%s/ecert.conf", dir);
	assert_int_equal(ec_file_read(path, 65536, &text, &len), 0);
	return text;
}

static void
conf_equal(const struct ec_conf *a, const struct ec_conf *b)
{
	assert_string_equal(a->org, b->org);
	assert_string_equal(a->public_url, b->public_url);
	assert_string_equal(a->tz, b->tz);
	assert_int_equal(a->alg, b->alg);
	assert_string_equal(a->smtp_url, b->smtp_url);
	assert_int_equal(a->smtp_tls, b->smtp_tls);
	assert_string_equal(a->mail_from, b->mail_from);
	assert_string_equal(a->smtp_user, b->smtp_user);
	assert_string_equal(a->smtp_pass_file, b->smtp_pass_file);
	assert_string_equal(a->mail_lang, b->mail_lang);
	assert_string_equal(a->portal_url, b->portal_url);
	assert_string_equal(a->publish_to, b->publish_to);
	assert_int_equal(a->publish_keep, b->publish_keep);
}

/* Where every change is published for replicas: an absolute path and how many snapshots stay. */
static void
test_publish_to(void **state)
{
	const char *dir = *state;
	struct ec_conf c, back;
	static const struct { const char *text, *needle; } bad[] = {
		{ "org = X\npublish_to = snapshots\n", "publish_to 'snapshots' is not an absolute path" },
		{ "org = X\npublish_to = /srv/a\npublish_to = /srv/b\n", "given twice" },
		{ "org = X\npublish_to = /srv/a\npublish_keep = 0\n", "publish_keep must be 1 to 1000, not '0'" },
		{ "org = X\npublish_to = /srv/a\npublish_keep = 1001\n", "publish_keep must be 1 to 1000" },
		{ "org = X\npublish_to = /srv/a\npublish_keep = -2\n", "publish_keep must be 1 to 1000" },
		{ "org = X\npublish_to = /srv/a\npublish_keep = 3x\n", "publish_keep must be 1 to 1000" },
	};
	size_t i;

	write_conf(dir, "org = X\n");
	assert_int_equal(ec_conf_load(dir, &c), 0);
	assert_string_equal(c.publish_to, "");
	assert_int_equal(c.publish_keep, 0);
	write_conf(dir, "org = X\npublish_to = /srv/ecert snapshots\npublish_keep = 5\n");
	assert_int_equal(ec_conf_load(dir, &c), 0);
	assert_string_equal(c.publish_to, "/srv/ecert snapshots");
	assert_int_equal(c.publish_keep, 5);
	assert_int_equal(ec_conf_save(dir, &c), 0);
	assert_int_equal(ec_conf_load(dir, &back), 0);
	conf_equal(&c, &back);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_conf(dir, bad[i].text);
		assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
		if (!strstr(ec_err_msg(EC_ERR_SYNTAX), bad[i].needle))
			fail_msg("'%s' for '%s' lacks '%s'", ec_err_msg(EC_ERR_SYNTAX), bad[i].text, bad[i].needle);
	}
}

/* The portal's address: optional, a URL like public_url, saved and loaded back, refused by name. */
static void
test_portal_url(void **state)
{
	const char *dir = *state;
	struct ec_conf c, back;

	write_conf(dir, "org = X\nportal_url = https://portal.example.org\n");
	assert_int_equal(ec_conf_load(dir, &c), 0);
	assert_string_equal(c.portal_url, "https://portal.example.org");
	assert_int_equal(ec_conf_save(dir, &c), 0);
	assert_int_equal(ec_conf_load(dir, &back), 0);
	conf_equal(&c, &back);
	write_conf(dir, "org = X\nportal_url = https://portal.example.org/\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
	assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), "portal_url"));
	write_conf(dir, "org = X\nportal_url = ftp://portal.example.org\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
	write_conf(dir, "org = X\nportal_url = https://a.example\nportal_url = https://b.example\n");
	assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
}

/* A file with only the required key: no relay, STARTTLS required, English, From derived. */
static void
test_defaults(void **state)
{
	const char *dir = *state;
	struct ec_conf c;
	char from[300], host[300];

	write_conf(dir, "org = X\n");
	assert_int_equal(ec_conf_load(dir, &c), 0);
	assert_string_equal(c.smtp_url, "");
	assert_int_equal(c.smtp_tls, 1);
	assert_string_equal(c.mail_from, "");
	assert_string_equal(c.smtp_user, "");
	assert_string_equal(c.smtp_pass_file, "");
	assert_string_equal(c.mail_lang, "en");
	ec_conf_mail_from(&c, from, sizeof from);
	assert_string_equal(from, "noreply@localhost");              /* the default http://localhost:8080 */
	ec_conf_host(&c, host, sizeof host);
	assert_string_equal(host, "localhost");
	/* a zeroed struct (mail settings never set) passes the check as well */
	conf_default(&c);
	c.smtp_tls = 0;
	c.mail_lang[0] = '\0';
	assert_int_equal(ec_conf_check(&c), 0);
}

static void
test_smtp_url(void **state)
{
	static const char *const good[] = {
		"smtp://mail.example.org", "smtp://mail.example.org:587", "smtps://mail.example.org",
		"smtps://mail.example.org:465", "smtp://127.0.0.1:2525", "smtp://[2001:db8::25]:587",
	};
	static const char *const bad[] = {
		"http://mail.example.org", "mail.example.org", "smtp:/mail.example.org", "smtp://", "smtps://",
		"smtp://:25", "ftp://mail.example.org", "smtp://mail example.org", "smtp://mail.example.org/\"x\"",
		"smtp://<mail.example.org>", "smtp://mail.example.org\\x", "SMTPX://mail.example.org",
	};
	struct ec_conf c;

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		conf_default(&c);
		snprintf(c.smtp_url, sizeof c.smtp_url, "%s", good[i]);
		if (ec_conf_check(&c) != 0)
			print_error("refused: %s (%s)\n", good[i], ec_err_msg(EC_ERR_ARG));
		assert_int_equal(ec_conf_check(&c), 0);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		conf_default(&c);
		snprintf(c.smtp_url, sizeof c.smtp_url, "%s", bad[i]);
		if (ec_conf_check(&c) != EC_ERR_ARG)
			print_error("accepted: %s\n", bad[i]);
		assert_int_equal(ec_conf_check(&c), EC_ERR_ARG);
		assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "smtp_url"));
	}
}

/* Unencrypted SMTP only to a relay on this machine, and never with smtps://. */
static void
test_smtp_tls_off(void **state)
{
	static const char *const loopback[] = {
		"smtp://127.0.0.1", "smtp://127.0.0.1:25", "smtp://localhost", "smtp://localhost:2525",
		"smtp://[::1]", "smtp://[::1]:25", "smtp://127.0.0.1:25/helo.example.org",
	};
	static const char *const remote[] = {
		"smtp://mail.example.org", "smtp://mail.example.org:25", "smtp://127.0.0.2", "smtp://10.0.0.1:25",
		"smtp://localhost.example.org", "smtp://127.0.0.1.example.org", "smtp://[::2]:25",
		"smtp://[::1.example.org]", "smtps://127.0.0.1", "smtps://localhost:465", "smtp://mylocalhost",
	};
	struct ec_conf c;

	(void)state;
	for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
		conf_default(&c);
		c.smtp_tls = 0;
		snprintf(c.smtp_url, sizeof c.smtp_url, "%s", loopback[i]);
		if (ec_conf_check(&c) != 0)
			print_error("refused: %s (%s)\n", loopback[i], ec_err_msg(EC_ERR_ARG));
		assert_int_equal(ec_conf_check(&c), 0);
	}
	for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++) {
		conf_default(&c);
		c.smtp_tls = 0;
		snprintf(c.smtp_url, sizeof c.smtp_url, "%s", remote[i]);
		if (ec_conf_check(&c) != EC_ERR_ARG)
			print_error("accepted: %s\n", remote[i]);
		assert_int_equal(ec_conf_check(&c), EC_ERR_ARG);
		/* with TLS the same URL is fine (a smtps:// one always is) */
		c.smtp_tls = 1;
		assert_int_equal(ec_conf_check(&c), 0);
	}
}

/*
 * User information in smtp_url would make libcurl connect to the host after the '@' while the
 * loopback check reads the one before: such URLs are refused, so smtp_tls = off never sends a
 * password or notices in clear to a remote relay.
 */
static void
test_smtp_tls_off_userinfo(void **state)
{
	static const char *const tricks[] = {
		"smtp://127.0.0.1@mail.example.org", "smtp://localhost:25@mail.example.org",
		"smtp://127.0.0.1@mail.example.org:25",
	};
	struct ec_conf c;

	(void)state;
	for (size_t i = 0; i < sizeof tricks / sizeof tricks[0]; i++) {
		CURLU *u = curl_url();
		char *host = NULL;

		/* where libcurl would connect: not this machine */
		assert_non_null(u);
		assert_int_equal(curl_url_set(u, CURLUPART_URL, tricks[i], 0), CURLUE_OK);
		assert_int_equal(curl_url_get(u, CURLUPART_HOST, &host, 0), CURLUE_OK);
		assert_string_equal(host, "mail.example.org");
		curl_free(host);
		curl_url_cleanup(u);
		conf_default(&c);
		c.smtp_tls = 0;
		snprintf(c.smtp_url, sizeof c.smtp_url, "%s", tricks[i]);
		if (ec_conf_check(&c) != EC_ERR_ARG)
			print_error("smtp_tls = off accepted for %s\n", tricks[i]);
		assert_int_equal(ec_conf_check(&c), EC_ERR_ARG);
	}
}

static void
test_mail_from(void **state)
{
	static const char *const good[] = {
		"noreply@example.org", "certs+notices@mail.example.org", "a@b", "x.y-z@sub.example.cn",
	};
	static const char *const bad[] = {
		"noreply", "no reply@example.org", "noreply@", "@example.org", "a@b@c", "<noreply@example.org>",
		"\"No Reply\" <noreply@example.org>", "noreply@example.org\r\nBcc: x@y.org", "no\treply@example.org",
		"no;reply@example.org", "b\xc3\xa9@example.org",
	};
	struct ec_conf c;

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		conf_default(&c);
		snprintf(c.mail_from, sizeof c.mail_from, "%s", good[i]);
		assert_int_equal(ec_conf_check(&c), 0);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		conf_default(&c);
		snprintf(c.mail_from, sizeof c.mail_from, "%s", bad[i]);
		assert_int_equal(ec_conf_check(&c), EC_ERR_ARG);
		assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "mail_from"));
	}
}

static void
test_user_pass_lang(void **state)
{
	static const char *const langs_bad[] = { "fr", "EN", "Zh", "e", "cn" };
	struct ec_conf c;

	(void)state;
	conf_default(&c);
	snprintf(c.smtp_url, sizeof c.smtp_url, "smtps://mail.example.org");
	snprintf(c.smtp_user, sizeof c.smtp_user, "ecert");
	assert_int_equal(ec_conf_check(&c), EC_ERR_ARG);             /* a user without a password file */
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "smtp_pass_file"));
	snprintf(c.smtp_pass_file, sizeof c.smtp_pass_file, "/etc/ecert/smtp.pass");
	assert_int_equal(ec_conf_check(&c), 0);
	c.smtp_user[0] = '\0';
	assert_int_equal(ec_conf_check(&c), EC_ERR_ARG);             /* a password file without a user */
	c.smtp_pass_file[0] = '\0';
	assert_int_equal(ec_conf_check(&c), 0);
	for (size_t i = 0; i < sizeof langs_bad / sizeof langs_bad[0]; i++) {
		conf_default(&c);
		snprintf(c.mail_lang, sizeof c.mail_lang, "%s", langs_bad[i]);
		assert_int_equal(ec_conf_check(&c), EC_ERR_ARG);
		assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "mail_lang"));
	}
	snprintf(c.mail_lang, sizeof c.mail_lang, "zh");
	assert_int_equal(ec_conf_check(&c), 0);
	snprintf(c.mail_lang, sizeof c.mail_lang, "en");
	assert_int_equal(ec_conf_check(&c), 0);
}

/* Reading the keys from a file, and the lines that are refused (with FILE:LINE or the field). */
static void
test_load(void **state)
{
	const char *dir = *state;
	struct ec_conf c;
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "org = X\nsmtp_tls = yes\n", "ecert.conf:2:" },
		{ "org = X\nsmtp_tls = on\nsmtp_tls = on\n", "given twice" },
		{ "org = X\nmail_lang = fr\n", "mail_lang" },
		{ "org = X\nmail_lang = english\n", "ecert.conf:2:" },
		{ "org = X\nsmtp_url = http://mail.example.org\n", "smtp_url" },
		{ "org = X\nsmtp_url = smtp://mail.example.org\nsmtp_tls = off\n", "smtp_tls" },
		{ "org = X\nsmtp_url = smtps://127.0.0.1\nsmtp_tls = off\n", "smtp_tls" },
		{ "org = X\nsmtp_user = ecert\n", "smtp_pass_file" },
		{ "org = X\nsmtp_pass_file = /etc/ecert/pass\n", "smtp_user" },
		{ "org = X\nmail_from = no reply@example.org\n", "mail_from" },
		{ "org = X\nmail_from = a@b\nmail_from = a@b\n", "given twice" },
	};

	write_conf(dir, "# mail\norg = X\npublic_url = https://verify.example.org:8443/ecert\n"
	    "smtp_url = smtp://127.0.0.1:2525\nsmtp_tls = off\nmail_from = certs@example.org\n"
	    "smtp_user = ecert\nsmtp_pass_file = /etc/ecert/smtp.pass\nmail_lang = zh\n");
	assert_int_equal(ec_conf_load(dir, &c), 0);
	assert_string_equal(c.smtp_url, "smtp://127.0.0.1:2525");
	assert_int_equal(c.smtp_tls, 0);
	assert_string_equal(c.mail_from, "certs@example.org");
	assert_string_equal(c.smtp_user, "ecert");
	assert_string_equal(c.smtp_pass_file, "/etc/ecert/smtp.pass");
	assert_string_equal(c.mail_lang, "zh");
	write_conf(dir, "org = X\nsmtp_url = smtps://mail.example.org:465\nsmtp_tls = on\n");
	assert_int_equal(ec_conf_load(dir, &c), 0);
	assert_int_equal(c.smtp_tls, 1);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		write_conf(dir, bad[i].text);
		if (ec_conf_load(dir, &c) != EC_ERR_SYNTAX)
			print_error("loaded: %s", bad[i].text);
		assert_int_equal(ec_conf_load(dir, &c), EC_ERR_SYNTAX);
		if (!strstr(ec_err_msg(EC_ERR_SYNTAX), bad[i].msg))
			print_error("%s: message '%s' lacks '%s'\n", bad[i].text, ec_err_msg(EC_ERR_SYNTAX), bad[i].msg);
		assert_non_null(strstr(ec_err_msg(EC_ERR_SYNTAX), bad[i].msg));
	}
}

/* ec_conf_save writes the mail settings that are set, and they read back the same. */
static void
test_save_round_trip(void **state)
{
	const char *dir = *state;
	struct ec_conf c, back;
	char *text;

	/* everything set */
	conf_default(&c);
	snprintf(c.smtp_url, sizeof c.smtp_url, "smtps://mail.example.org:465");
	snprintf(c.mail_from, sizeof c.mail_from, "certs+notices@example.org");
	snprintf(c.smtp_user, sizeof c.smtp_user, "ecert@example.org");
	snprintf(c.smtp_pass_file, sizeof c.smtp_pass_file, "/etc/ecert/smtp pass");
	snprintf(c.mail_lang, sizeof c.mail_lang, "zh");
	assert_int_equal(ec_conf_save(dir, &c), 0);
	assert_int_equal(ec_conf_load(dir, &back), 0);
	conf_equal(&back, &c);
	/* plain SMTP to a loopback relay */
	conf_default(&c);
	snprintf(c.smtp_url, sizeof c.smtp_url, "smtp://[::1]:2525");
	c.smtp_tls = 0;
	assert_int_equal(ec_conf_save(dir, &c), 0);
	text = read_conf(dir);
	assert_non_null(strstr(text, "smtp_tls = off\n"));
	free(text);
	assert_int_equal(ec_conf_load(dir, &back), 0);
	conf_equal(&back, &c);
	/* nothing of mail set: no mail keys written, the defaults read back */
	conf_default(&c);
	assert_int_equal(ec_conf_save(dir, &c), 0);
	text = read_conf(dir);
	assert_null(strstr(text, "smtp_"));
	assert_null(strstr(text, "mail_"));
	free(text);
	assert_int_equal(ec_conf_load(dir, &back), 0);
	conf_equal(&back, &c);
	/* the longest values of every field fit the file */
	conf_default(&c);
	memset(c.org, 'O', 41);
	c.org[41] = '\0';
	snprintf(c.public_url, sizeof c.public_url, "https://");
	memset(c.public_url + 8, 'h', sizeof c.public_url - 9);
	c.public_url[sizeof c.public_url - 1] = '\0';
	snprintf(c.smtp_url, sizeof c.smtp_url, "smtps://");
	memset(c.smtp_url + 8, 'm', sizeof c.smtp_url - 9);
	c.smtp_url[sizeof c.smtp_url - 1] = '\0';
	memset(c.mail_from, 'f', sizeof c.mail_from - 1);
	c.mail_from[sizeof c.mail_from - 1] = '\0';
	c.mail_from[sizeof c.mail_from - 4] = '@';
	memset(c.smtp_user, 'u', sizeof c.smtp_user - 1);
	c.smtp_user[sizeof c.smtp_user - 1] = '\0';
	memset(c.smtp_pass_file, 'p', sizeof c.smtp_pass_file - 1);
	c.smtp_pass_file[0] = '/';
	c.smtp_pass_file[sizeof c.smtp_pass_file - 1] = '\0';
	snprintf(c.mail_lang, sizeof c.mail_lang, "zh");
	assert_int_equal(ec_conf_check(&c), 0);
	assert_int_equal(ec_conf_save(dir, &c), 0);
	assert_int_equal(ec_conf_load(dir, &back), 0);
	conf_equal(&back, &c);
	/* a configuration the check refuses is not written: the file keeps the last one */
	conf_default(&back);
	snprintf(back.smtp_user, sizeof back.smtp_user, "ecert");
	assert_int_equal(ec_conf_save(dir, &back), EC_ERR_ARG);
	assert_int_equal(ec_conf_load(dir, &back), 0);
	conf_equal(&back, &c);
}

static void
test_mail_from_default(void **state)
{
	static const struct {
		const char *url, *host;
	} cases[] = {
		{ "https://verify.example.org", "verify.example.org" },
		{ "https://verify.example.org:8443", "verify.example.org" },
		{ "https://verify.example.org/ecert/v1", "verify.example.org" },
		{ "http://localhost:8080", "localhost" },
		{ "http://127.0.0.1:8080/x", "127.0.0.1" },
	};
	struct ec_conf c;
	char from[300], host[300];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char want[300];

		conf_default(&c);
		snprintf(c.public_url, sizeof c.public_url, "%s", cases[i].url);
		assert_int_equal(ec_conf_check(&c), 0);
		ec_conf_host(&c, host, sizeof host);
		assert_string_equal(host, cases[i].host);
		ec_conf_mail_from(&c, from, sizeof from);
		snprintf(want, sizeof want, "noreply@%s", cases[i].host);
		assert_string_equal(from, want);
	}
	/* mail_from wins over the derived one */
	conf_default(&c);
	snprintf(c.mail_from, sizeof c.mail_from, "certs@example.org");
	ec_conf_mail_from(&c, from, sizeof from);
	assert_string_equal(from, "certs@example.org");
	ec_conf_host(&c, host, sizeof host);
	assert_string_equal(host, "verify.example.org");
	/* a short buffer gets a cut, terminated string */
	conf_default(&c);
	ec_conf_mail_from(&c, from, 9);
	assert_string_equal(from, "noreply@");
}

/*
 * A public URL with an IP literal gives no default From ("noreply@2001:db8::1" is no address): with
 * a relay the check asks for mail_from, and with one the derived From is an address.
 */
static void
test_mail_from_ipv6_host(void **state)
{
	struct ec_conf c;
	char from[300];

	(void)state;
	conf_default(&c);
	snprintf(c.public_url, sizeof c.public_url, "https://[2001:db8::1]:8443");
	snprintf(c.smtp_url, sizeof c.smtp_url, "smtps://mail.example.org");
	assert_int_equal(ec_conf_check(&c), EC_ERR_ARG);
	assert_non_null(strstr(ec_err_msg(EC_ERR_ARG), "mail_from is needed"));
	snprintf(c.mail_from, sizeof c.mail_from, "certs@example.org");
	assert_int_equal(ec_conf_check(&c), 0);
	ec_conf_mail_from(&c, from, sizeof from);
	assert_int_equal(ec_addr_check(from), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_portal_url, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_publish_to, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_defaults, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test(test_smtp_url),
		cmocka_unit_test(test_smtp_tls_off),
		cmocka_unit_test(test_smtp_tls_off_userinfo),
		cmocka_unit_test(test_mail_from),
		cmocka_unit_test(test_user_pass_lang),
		cmocka_unit_test_setup_teardown(test_load, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_save_round_trip, helper_tmpdir_setup, helper_tmpdir_teardown),
		cmocka_unit_test(test_mail_from_default),
		cmocka_unit_test(test_mail_from_ipv6_host),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
