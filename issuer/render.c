/* ecert-issue render: the PDF e-Certs of stored certificates, from the token issuance signed (no key needed). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "issuer.h"
#include "pdf.h"
#include "token.h"

/* Write data to path through a temporary file renamed into place, so no half-written PDF is ever seen. */
static int
write_file(const char *path, const unsigned char *data, size_t len)
{
	char tmp[4200];
	size_t off = 0;
	ssize_t w;
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
		return ec_err_set(EC_ERR_ARG, "output path '%s' is too long", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return ec_err_errno("cannot create", tmp);
	while (off < len) {
		if ((w = write(fd, data + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			rc = ec_err_errno("cannot write", tmp);
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) && !rc)
		rc = ec_err_errno("cannot write", tmp);
	if (!rc && rename(tmp, path))
		rc = ec_err_errno("cannot rename to", path);
	if (rc)
		unlink(tmp);
	return rc;
}

/* Revoked and superseded certificates are not printed unless the operator insists. */
static int
refused(const struct ctx *c, const struct ec_cert *r, int force)
{
	char d[11];

	if (force)
		return 0;
	if (r->status == EC_ST_REVOKED) {
		ec_date_format(ec_date_from_time(r->revoked_at), d);
		errmsg("certificate '%s' is revoked (%s, %s): not rendered (--force renders it anyway)", r->e.number, d,
		    r->reason);
		return 1;
	}
	if (ec_cert_status(r, c->today) == EC_ST_SUPERSEDED) {
		errmsg("certificate '%s' is superseded by '%s': not rendered (--force renders it anyway)", r->e.number,
		    r->superseded_by);
		return 1;
	}
	return 0;
}

static int
render_one(struct ctx *c, const struct ec_cert *r, const char *path)
{
	const struct ec_cat_entry *ce;
	char payload[EC_QR_MAX + 1], url[600];
	unsigned char *pdf = NULL;
	size_t len = 0;
	int rc;

	if (!(ce = ec_catalog_find(c->cat, r->e.code)))
		return ec_err_set(EC_ERR_NOTFOUND, "certification '%s' of '%s' is not in the catalogue: no template",
		    r->e.code, r->e.number);
	if ((rc = ec_qr_payload(c->conf.public_url, r->e.number, r->token, payload, sizeof payload)))
		return rc;
	snprintf(url, sizeof url, "%s/v/%s", c->conf.public_url, r->e.number);
	if ((rc = ec_designs_render(c->designs, ce->template_name, &r->e, c->conf.org, payload, url, r->der, r->der_len,
	    &pdf, &len)))
		return rc;
	rc = write_file(path, pdf, len);
	free(pdf);
	return rc;
}

int
cmd_render(struct opts *o)
{
	struct ctx c;
	struct ec_cert *v = NULL;
	struct progress pr;
	struct stat st;
	char path[4200];
	int i, rc, todir, bad = 0;

	if (!o->out)
		return usage_err("render needs -o PATH (a PDF file, or a directory for several)");
	todir = o->nargs > 1 || (stat(o->out, &st) == 0 && S_ISDIR(st.st_mode));
	if ((rc = ctx_open(&c, o, NEED_CONF | NEED_CAT | NEED_READ)))
		return rc;
	if (!(v = malloc((size_t)o->nargs * sizeof *v))) {
		rc = fail(EC_ERR_NOMEM);
		goto out;
	}
	/* Every number is checked before any PDF is written. */
	for (i = 0; i < o->nargs; i++) {
		rc = cert_lookup(&c, o->args[i], &v[i]);
		if (rc == 0)
			rc = refused(&c, &v[i], o->force);
		if (rc > bad)
			bad = rc;
	}
	if (bad) {
		errmsg("nothing rendered");
		rc = bad;
		goto out;
	}
	if (todir && mkdir(o->out, 0755) && errno != EEXIST) {
		errmsg("cannot create directory '%s': %s", o->out, strerror(errno));
		rc = 2;
		goto out;
	}
	progress_start(&pr, "rendered", (size_t)o->nargs);
	for (i = 0; i < o->nargs; i++) {
		if (todir)
			snprintf(path, sizeof path, "%s/%s.pdf", o->out, v[i].e.number);
		else
			snprintf(path, sizeof path, "%s", o->out);
		if ((rc = render_one(&c, &v[i], path))) {
			progress_end(&pr);
			rc = fail(rc);
			goto out;
		}
		progress_step(&pr, (size_t)i + 1);
	}
	progress_end(&pr);
	if (todir)
		printf("%d PDF%s in %s\n", o->nargs, o->nargs == 1 ? "" : "s", o->out);
	else
		printf("%s\n", o->out);
out:
	free(v);
	ctx_close(&c);
	return rc;
}
