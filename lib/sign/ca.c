/* The CA state directory: init, rotate, list, trust bundle, and loading an issuing CA to sign with. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "signer.h"
#include "crl.h"
#include "date.h"
#include "ecx509.h"
#include "err.h"
#include "file.h"
#include "key.h"
#include "paths.h"

#define CERT_FILE_MAX (64 * 1024)
#define UNDO_MAX 16

/* What a failing init or rotate must remove again, newest first. */
struct undo {
	char *path[UNDO_MAX];
	int isdir[UNDO_MAX];
	int n;
};

static int
undo_add(struct undo *u, const char *path, int isdir)
{
	if (u->n == UNDO_MAX || (u->path[u->n] = strdup(path)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	u->isdir[u->n++] = isdir;
	return EC_OK;
}

/* Remove everything recorded (when failed) and forget it. */
static void
undo_end(struct undo *u, int failed)
{
	while (u->n > 0) {
		u->n--;
		if (failed) {
			if (u->isdir[u->n])
				rmdir(u->path[u->n]);
			else
				unlink(u->path[u->n]);
		}
		free(u->path[u->n]);
	}
}

/* KIDs name files: exactly 11 base64url characters, so none can reach outside DIR. */
static int
kid_ok(const char *kid)
{
	size_t i;

	for (i = 0; kid[i]; i++)
		if (!((kid[i] >= 'A' && kid[i] <= 'Z') || (kid[i] >= 'a' && kid[i] <= 'z') ||
		    (kid[i] >= '0' && kid[i] <= '9') || kid[i] == '-' || kid[i] == '_'))
			return 0;
	return i == EC_KID_LEN;
}

/*
 * The one PEM object of the file at path: a certificate, or (pubkey) a public key. *out is the caller's
 * (X509 * or EVP_PKEY *). A missing file is EC_ERR_NOTFOUND, anything unreadable EC_ERR_CORRUPT.
 */
static int
load_pem(const char *path, int pubkey, void **out)
{
	char *text = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	int rc;

	*out = NULL;
	if ((rc = ec_file_read(path, CERT_FILE_MAX, &text, &len)) != EC_OK) {
		if (rc == EC_ERR_IO && errno == ENOENT)
			rc = ec_err_set(EC_ERR_NOTFOUND, "cannot open '%s': No such file or directory", path);
		goto out;
	}
	if ((bio = BIO_new_mem_buf(text, (int)len)) == NULL ||
	    (*out = pubkey ? (void *)PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) :
	    (void *)PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
		rc = ec_err_set(EC_ERR_CORRUPT, "'%s' is not a PEM %s", path, pubkey ? "public key" : "certificate");
out:
	ERR_clear_error();
	BIO_free(bio);
	free(text);
	return rc;
}

static int
load_cert(const char *path, X509 **out)
{
	return load_pem(path, 0, (void **)out);
}

static int
write_cert(const char *path, X509 *x, struct undo *u)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc;

	if (bio == NULL || PEM_write_bio_X509(bio, x) != 1 || (n = BIO_get_mem_data(bio, &data)) <= 0) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encode '%s'", path);
		goto out;
	}
	if ((rc = ec_file_write(path, data, (size_t)n, 0644, 0)) == EC_OK && u != NULL)
		rc = undo_add(u, path, 0);
out:
	BIO_free(bio);
	return rc;
}

static int
save_key(const char *path, EVP_PKEY *key, const char *pass, size_t passlen, struct undo *u)
{
	int rc = ec_key_save(path, key, pass, passlen);

	return rc == EC_OK ? undo_add(u, path, 0) : rc;
}

/* Load a private key and make sure it belongs to cert; EC_ERR_PASS names the file on a wrong passphrase. */
static int
load_key_for(const char *path, X509 *cert, const char *pass, size_t passlen, EVP_PKEY **out)
{
	int rc = ec_key_load(path, pass, passlen, out);

	if (rc != EC_OK)
		return rc;
	if (EVP_PKEY_eq(*out, X509_get0_pubkey(cert)) != 1) {
		EVP_PKEY_free(*out);
		*out = NULL;
		ERR_clear_error();
		return ec_err_set(EC_ERR_CORRUPT, "'%s' does not belong to its certificate", path);
	}
	return EC_OK;
}

/*
 * CA certificates start at the earlier of the clock and ECERT_NOW, so that rehearsals dated in the
 * past still fall inside the CAs' validity and real verifiers never see a CA from the future.
 */
static int64_t
ca_start(void)
{
	int64_t now = (int64_t)time(NULL), t = ec_time_now();

	return t < now ? t : now;
}

/* The placeholder subject key of every e-Cert of one issuing CA: the private half is freed unsaved. */
static int
write_placeholder(const char *path, enum ec_alg alg, struct undo *u)
{
	EVP_PKEY *k = NULL;
	BIO *bio = NULL;
	char *data;
	long n;
	int rc;

	if ((rc = ec_key_generate(alg, &k)) != EC_OK)
		return rc;
	if ((bio = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_PUBKEY(bio, k) != 1 ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0) {
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encode '%s'", path);
		goto out;
	}
	if ((rc = ec_file_write(path, data, (size_t)n, 0644, 0)) == EC_OK)
		rc = undo_add(u, path, 0);
out:
	BIO_free(bio);
	EVP_PKEY_free(k);
	return rc;
}

/* A new issuing CA under root: key, certificate and placeholder files, all recorded in u. */
static int
make_issuing(const char *dir, const struct ec_conf *c, X509 *root, EVP_PKEY *root_key, const char *pass,
    size_t passlen, char kid[EC_KID_LEN + 1], struct undo *u)
{
	char path[PATH_MAX], crl_url[sizeof c->public_url + 16];
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int rc;

	snprintf(crl_url, sizeof crl_url, "%s/crl/root.crl", c->public_url);
	if ((rc = ec_key_generate(c->alg, &key)) != EC_OK || (rc = ec_kid_of_pkey(key, kid)) != EC_OK ||
	    (rc = ec_cacert_issuing(root, root_key, key, c->org, kid, crl_url, ca_start(), &x)) != EC_OK)
		goto out;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_ISSUING_KEY, kid)) != EC_OK ||
	    (rc = save_key(path, key, pass, passlen, u)) != EC_OK)
		goto out;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_ISSUING_CERT, kid)) != EC_OK ||
	    (rc = write_cert(path, x, u)) != EC_OK)
		goto out;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_PLACEHOLDER, kid)) != EC_OK)
		goto out;
	rc = write_placeholder(path, c->alg, u);
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

static int
write_current(const char *dir, const char *kid)
{
	char path[PATH_MAX], line[EC_KID_LEN + 2];
	int rc;

	if ((rc = ec_path(path, sizeof path, dir, EC_P_CURRENT, NULL)) != EC_OK)
		return rc;
	snprintf(line, sizeof line, "%s\n", kid);
	return ec_file_write(path, line, EC_KID_LEN + 1, 0644, 1);
}

int
ec_ca_current_kid(const char *dir, char kid[EC_KID_LEN + 1])
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = ec_path(path, sizeof path, dir, EC_P_CURRENT, NULL)) != EC_OK)
		return rc;
	if ((rc = ec_file_read(path, 64, &text, &len)) != EC_OK)
		return rc;
	if (len == EC_KID_LEN + 1 && text[EC_KID_LEN] == '\n')
		text[EC_KID_LEN] = '\0';
	if (!kid_ok(text)) {
		rc = ec_err_set(EC_ERR_CORRUPT, "'%s' does not hold a KID", path);
		goto out;
	}
	memcpy(kid, text, EC_KID_LEN + 1);
out:
	free(text);
	return rc;
}

/* The CA certificates: root and every issuing CA, oldest first (notBefore, then serial). */
struct calist {
	X509 *root;
	X509 **iss;
	size_t n;
};

static void
calist_free(struct calist *l)
{
	size_t i;

	X509_free(l->root);
	for (i = 0; i < l->n; i++)
		X509_free(l->iss[i]);
	free(l->iss);
	memset(l, 0, sizeof *l);
}

static int
older(const void *a, const void *b)
{
	X509 *x = *(X509 *const *)a, *y = *(X509 *const *)b;
	int c = ASN1_TIME_compare(X509_get0_notBefore(x), X509_get0_notBefore(y));

	return c != 0 ? c : ASN1_INTEGER_cmp(X509_get0_serialNumber(x), X509_get0_serialNumber(y));
}

static int
is_issuing_name(const char *name)
{
	size_t n = strlen(name);

	return n == 8 + EC_KID_LEN + 4 && strncmp(name, "issuing-", 8) == 0 && strcmp(name + n - 4, ".pem") == 0;
}

static int
calist_load(const char *dir, struct calist *l)
{
	char path[PATH_MAX], kid[EC_KID_LEN + 1];
	struct dirent *de;
	X509 **grown;
	DIR *d = NULL;
	size_t cap = 0;
	int rc;

	memset(l, 0, sizeof *l);
	if ((rc = ec_path(path, sizeof path, dir, EC_P_ROOT_CERT, NULL)) != EC_OK ||
	    (rc = load_cert(path, &l->root)) != EC_OK)
		goto out;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_CERTS, NULL)) != EC_OK)
		goto out;
	if ((d = opendir(path)) == NULL) {
		rc = ec_err_errno("cannot open", path);
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_issuing_name(de->d_name))
			continue;
		memcpy(kid, de->d_name + 8, EC_KID_LEN);
		kid[EC_KID_LEN] = '\0';
		if (!kid_ok(kid))
			continue;
		if (l->n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((grown = realloc(l->iss, cap * sizeof *grown)) == NULL) {
				rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
				goto out;
			}
			l->iss = grown;
		}
		if ((rc = ec_path(path, sizeof path, dir, EC_P_ISSUING_CERT, kid)) != EC_OK ||
		    (rc = load_cert(path, &l->iss[l->n])) != EC_OK)
			goto out;
		l->n++;
	}
	if (l->n > 1)
		qsort(l->iss, l->n, sizeof *l->iss, older);
out:
	if (d != NULL)
		closedir(d);
	if (rc != EC_OK)
		calist_free(l);
	return rc;
}

static int
append_pem(struct ec_buf *b, X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int rc = EC_OK;

	if (bio == NULL || PEM_write_bio_X509(bio, x) != 1 || (n = BIO_get_mem_data(bio, &data)) <= 0)
		rc = ec_err_set(EC_ERR_CRYPTO, "cannot encode a CA certificate");
	else
		rc = ec_buf_add(b, data, (size_t)n);
	BIO_free(bio);
	return rc;
}

int
ec_ca_trust_pem(const char *dir, struct ec_buf *b)
{
	struct calist l;
	size_t i;
	int rc;

	if ((rc = calist_load(dir, &l)) != EC_OK)
		return rc;
	rc = append_pem(b, l.root);
	for (i = 0; rc == EC_OK && i < l.n; i++)
		rc = append_pem(b, l.iss[i]);
	calist_free(&l);
	return rc;
}

static int
write_trust(const char *dir)
{
	char path[PATH_MAX];
	struct ec_buf b;
	int rc;

	ec_buf_init(&b);
	if ((rc = ec_path(path, sizeof path, dir, EC_P_TRUST, NULL)) == EC_OK &&
	    (rc = ec_ca_trust_pem(dir, &b)) == EC_OK)
		rc = ec_file_write(path, b.p, b.len, 0644, 1);
	ec_buf_free(&b);
	return rc;
}

/* DIR holds a CA (or the remains of one) when any of these exists. */
static int
holds_ca(const char *dir)
{
	static const enum ec_path marks[] = { EC_P_CONF, EC_P_ROOT_KEY, EC_P_ROOT_CERT, EC_P_CURRENT, EC_P_TRUST };
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (ec_path(path, sizeof path, dir, marks[i], NULL) == EC_OK && lstat(path, &st) == 0)
			return 1;
	return 0;
}

static int
make_dir(const char *path, unsigned mode, struct undo *u)
{
	struct stat st;

	if (mkdir(path, (mode_t)mode) == 0) {
		if (chmod(path, (mode_t)mode) != 0)
			return ec_err_errno("cannot set the mode of", path);
		return undo_add(u, path, 1);
	}
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return EC_OK;
	return ec_err_errno("cannot create", path);
}

/* The crlNumber of the CRL file at path; 0 when there is none or it cannot be read. */
static uint64_t
crl_number_of(const char *path)
{
	const unsigned char *p;
	ASN1_INTEGER *num = NULL;
	X509_CRL *crl = NULL;
	char *data = NULL;
	size_t len = 0;
	uint64_t v = 0;

	if (ec_file_read(path, CERT_FILE_MAX, &data, &len) == EC_OK) {
		p = (const unsigned char *)data;
		if ((crl = d2i_X509_CRL(NULL, &p, (long)len)) != NULL &&
		    (num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL)) != NULL && !ASN1_INTEGER_get_uint64(&v, num))
			v = 0;
	}
	ASN1_INTEGER_free(num);
	X509_CRL_free(crl);
	free(data);
	ERR_clear_error();
	return v;
}

/*
 * Sign DIR/crl/root.crl with the root. Its crlNumber must grow although nothing else counts the root's
 * CRLs: the greater of the previous one + 1 and the clock's seconds.
 */
static int
write_root_crl(const char *dir, X509 *root, EVP_PKEY *root_key, struct undo *u)
{
	unsigned char *der = NULL;
	char path[PATH_MAX];
	int64_t now = (int64_t)time(NULL);
	uint64_t num;
	size_t len = 0;
	struct stat st;
	int rc, existed;

	if ((rc = ec_path(path, sizeof path, dir, EC_P_ROOT_CRL, NULL)) != EC_OK)
		return rc;
	existed = stat(path, &st) == 0;
	num = crl_number_of(path) + 1;
	if (num < (uint64_t)now)
		num = (uint64_t)now;
	if ((rc = ec_crl_sign_root(root, root_key, ca_start(), num, &der, &len)) != EC_OK ||
	    (rc = ec_file_write(path, der, len, 0644, 1)) != EC_OK)
		goto out;
	if (!existed && u != NULL)
		rc = undo_add(u, path, 0);
out:
	free(der);
	return rc;
}

int
ec_ca_init(const char *dir, const struct ec_conf *c, const char *root_pass, size_t root_passlen,
    const char *pass, size_t passlen)
{
	char path[PATH_MAX], kid[EC_KID_LEN + 1];
	struct undo u = { 0 };
	EVP_PKEY *root_key = NULL;
	X509 *root = NULL;
	int rc;

	if ((rc = ec_conf_check(c)) != EC_OK)
		return rc;
	if (root_passlen == 0 || passlen == 0)
		return ec_err_set(EC_ERR_ARG, "empty passphrase");
	if (holds_ca(dir))
		return ec_err_set(EC_ERR_EXISTS, "'%s' already holds a CA: refusing to initialise it again", dir);
	if ((rc = make_dir(dir, 0755, &u)) != EC_OK)
		goto out;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_KEYS, NULL)) != EC_OK || (rc = make_dir(path, 0700, &u)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_CERTS, NULL)) != EC_OK || (rc = make_dir(path, 0755, &u)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_CRLS, NULL)) != EC_OK || (rc = make_dir(path, 0755, &u)) != EC_OK)
		goto out;
	if ((rc = ec_key_generate(c->alg, &root_key)) != EC_OK ||
	    (rc = ec_cacert_root(root_key, c->org, ca_start(), &root)) != EC_OK)
		goto out;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_ROOT_KEY, NULL)) != EC_OK ||
	    (rc = save_key(path, root_key, root_pass, root_passlen, &u)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_ROOT_CERT, NULL)) != EC_OK ||
	    (rc = write_cert(path, root, &u)) != EC_OK)
		goto out;
	if ((rc = write_root_crl(dir, root, root_key, &u)) != EC_OK ||
	    (rc = make_issuing(dir, c, root, root_key, pass, passlen, kid, &u)) != EC_OK)
		goto out;
	if ((rc = write_current(dir, kid)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_CURRENT, NULL)) != EC_OK || (rc = undo_add(&u, path, 0)) != EC_OK)
		goto out;
	if ((rc = write_trust(dir)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_TRUST, NULL)) != EC_OK || (rc = undo_add(&u, path, 0)) != EC_OK)
		goto out;
	rc = ec_conf_save(dir, c);
out:
	undo_end(&u, rc != EC_OK);
	X509_free(root);
	EVP_PKEY_free(root_key);
	return rc;
}

int
ec_ca_rotate(const char *dir, const char *root_pass, size_t root_passlen, const char *pass, size_t passlen,
    char kid_out[EC_KID_LEN + 1])
{
	char path[PATH_MAX], cur[EC_KID_LEN + 1], kid[EC_KID_LEN + 1];
	struct undo u = { 0 };
	struct ec_conf c;
	EVP_PKEY *root_key = NULL, *cur_key = NULL;
	X509 *root = NULL, *cur_cert = NULL;
	int rc, moved = 0;

	if ((rc = ec_conf_load(dir, &c)) != EC_OK)
		return rc;
	if ((rc = ec_path(path, sizeof path, dir, EC_P_ROOT_CERT, NULL)) != EC_OK ||
	    (rc = load_cert(path, &root)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_ROOT_KEY, NULL)) != EC_OK ||
	    (rc = load_key_for(path, root, root_pass, root_passlen, &root_key)) != EC_OK)
		goto out;
	/* Every issuing key shares one passphrase (ecert-issue re-signs all CRLs with it): prove it first. */
	if ((rc = ec_ca_current_kid(dir, cur)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_ISSUING_CERT, cur)) != EC_OK ||
	    (rc = load_cert(path, &cur_cert)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_ISSUING_KEY, cur)) != EC_OK ||
	    (rc = load_key_for(path, cur_cert, pass, passlen, &cur_key)) != EC_OK)
		goto out;
	EVP_PKEY_free(cur_key);
	cur_key = NULL;
	if ((rc = make_issuing(dir, &c, root, root_key, pass, passlen, kid, &u)) != EC_OK ||
	    (rc = write_root_crl(dir, root, root_key, NULL)) != EC_OK)
		goto out;
	if ((rc = write_current(dir, kid)) != EC_OK)
		goto out;
	moved = 1;
	if ((rc = write_trust(dir)) != EC_OK)
		goto out;
	if (kid_out != NULL)
		memcpy(kid_out, kid, EC_KID_LEN + 1);
out:
	if (rc != EC_OK && moved)
		write_current(dir, cur);
	undo_end(&u, rc != EC_OK);
	EVP_PKEY_free(cur_key);
	EVP_PKEY_free(root_key);
	X509_free(cur_cert);
	X509_free(root);
	return rc;
}

static void
fill_info(X509 *x, struct ec_ca_info *ci, const char *current)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int64_t t;

	memset(ci, 0, sizeof *ci);
	if (bio != NULL && X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0)
		snprintf(ci->subject, sizeof ci->subject, "%.*s", (int)n, data);
	BIO_free(bio);
	if (ec_asn1_time_get(X509_get0_notBefore(x), &t) == EC_OK)
		ci->not_before = t;
	if (ec_asn1_time_get(X509_get0_notAfter(x), &t) == EC_OK)
		ci->not_after = t;
	ci->alg = EVP_PKEY_get_base_id(X509_get0_pubkey(x)) == EVP_PKEY_ED25519 ? EC_ALG_ED25519 : EC_ALG_P256;
	ci->is_root = current == NULL;
	if (current != NULL && ec_kid_of(x, ci->kid) == EC_OK)
		ci->current = strcmp(ci->kid, current) == 0;
}

int
ec_ca_list(const char *dir, struct ec_ca_info **out, size_t *n)
{
	char cur[EC_KID_LEN + 1];
	struct calist l;
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = ec_ca_current_kid(dir, cur)) != EC_OK)
		return rc;
	if ((rc = calist_load(dir, &l)) != EC_OK)
		return rc;
	if ((*out = calloc(l.n + 1, sizeof **out)) == NULL) {
		rc = ec_err_set(EC_ERR_NOMEM, "out of memory");
		goto out;
	}
	fill_info(l.root, &(*out)[0], NULL);
	for (i = 0; i < l.n; i++)
		fill_info(l.iss[i], &(*out)[i + 1], cur);
	*n = l.n + 1;
out:
	ERR_clear_error();
	calist_free(&l);
	return rc;
}

void
ec_signer_free(struct ec_signer *s)
{
	if (s == NULL)
		return;
	ec_signer_unprepare(s);
	EVP_PKEY_free(s->key);
	EVP_PKEY_free(s->placeholder);
	X509_free(s->cert);
	OPENSSL_cleanse(s, sizeof *s);
	free(s);
}

const char *
ec_signer_kid(const struct ec_signer *s)
{
	return s->kid;
}

int64_t
ec_signer_not_after(const struct ec_signer *s)
{
	int64_t t = 0;

	if (s->fast != NULL)
		return s->fast->not_after;
	if (ec_asn1_time_get(X509_get0_notAfter(s->cert), &t) != EC_OK)
		t = 0;   /* a certificate we wrote and loaded has a valid time: 0 only if it was tampered with */
	return t;
}

void
ec_signer_issuer_cn(const struct ec_signer *s, char *out, size_t size)
{
	if (size > 0 && X509_NAME_get_text_by_NID(X509_get_subject_name(s->cert), NID_commonName, out, (int)size) < 0)
		out[0] = '\0';
	ERR_clear_error();
}

int
ec_ca_signer_load(const char *dir, const char *kid, const char *pass, size_t passlen, struct ec_signer **out)
{
	char path[PATH_MAX], cur[EC_KID_LEN + 1], got[EC_KID_LEN + 1];
	struct ec_signer *s = NULL;
	struct ec_conf c;
	int rc;

	*out = NULL;
	if ((rc = ec_conf_load(dir, &c)) != EC_OK || (rc = ec_ca_current_kid(dir, cur)) != EC_OK)
		return rc;
	if (kid == NULL)
		kid = cur;
	if (!kid_ok(kid))
		return ec_err_set(EC_ERR_NOTFOUND, "no issuing CA '%s' in '%s'", kid, dir);
	if ((s = calloc(1, sizeof *s)) == NULL)
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	if ((rc = ec_path(path, sizeof path, dir, EC_P_ISSUING_CERT, kid)) != EC_OK)
		goto out;
	if ((rc = load_cert(path, &s->cert)) != EC_OK) {
		if (rc == EC_ERR_NOTFOUND)
			rc = ec_err_set(EC_ERR_NOTFOUND, "no issuing CA '%s' in '%s'", kid, dir);
		goto out;
	}
	if ((rc = ec_kid_of(s->cert, got)) != EC_OK)
		goto out;
	if (strcmp(got, kid) != 0) {
		rc = ec_err_set(EC_ERR_CORRUPT, "'%s' holds the certificate of another CA (%s)", path, got);
		goto out;
	}
	if ((rc = ec_path(path, sizeof path, dir, EC_P_PLACEHOLDER, kid)) != EC_OK ||
	    (rc = load_pem(path, 1, (void **)&s->placeholder)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_ISSUING_KEY, kid)) != EC_OK ||
	    (rc = load_key_for(path, s->cert, pass, passlen, &s->key)) != EC_OK ||
	    (rc = ec_key_alg(s->key, &s->alg)) != EC_OK)
		goto out;
	memcpy(s->kid, kid, EC_KID_LEN + 1);
	snprintf(s->public_url, sizeof s->public_url, "%s", c.public_url);
	if (snprintf(s->crl_url, sizeof s->crl_url, "%s/crl/%s.crl", c.public_url, kid) >= (int)sizeof s->crl_url) {
		rc = ec_err_set(EC_ERR_ARG, "public URL too long");
		goto out;
	}
	s->retired = strcmp(kid, cur) != 0;
	if ((rc = ec_signer_prepare(s)) != EC_OK)
		goto out;
	*out = s;
	s = NULL;
out:
	ec_signer_free(s);
	return rc;
}

int
ec_ca_root_crl(const char *dir, const char *root_pass, size_t root_passlen)
{
	char path[PATH_MAX];
	EVP_PKEY *root_key = NULL;
	X509 *root = NULL;
	int rc;

	if ((rc = ec_path(path, sizeof path, dir, EC_P_ROOT_CERT, NULL)) != EC_OK ||
	    (rc = load_cert(path, &root)) != EC_OK ||
	    (rc = ec_path(path, sizeof path, dir, EC_P_ROOT_KEY, NULL)) != EC_OK ||
	    (rc = load_key_for(path, root, root_pass, root_passlen, &root_key)) != EC_OK)
		goto out;
	rc = write_root_crl(dir, root, root_key, NULL);
out:
	EVP_PKEY_free(root_key);
	X509_free(root);
	return rc;
}

/*
 * A new issuing CA publishes an empty CRL at once, so the CRL distribution point of its first
 * e-Certs resolves and verifiers can check revocation from day one. crlNumber 0: the office
 * register's per-CA counter starts at 1, so later CRLs always supersede it.
 */
int
ec_ca_crl_init(const char *dir, const char *kid, const char *pass, size_t passlen)
{
	struct ec_signer *s = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	char path[PATH_MAX];
	struct stat st;
	int r;

	if ((r = ec_path(path, sizeof path, dir, EC_P_CRL, kid)) != EC_OK)
		return r;
	if (stat(path, &st) == 0)
		return 0;
	if ((r = ec_ca_signer_load(dir, kid, pass, passlen, &s)) != EC_OK)
		goto out;
	if ((r = ec_crl_sign(s, NULL, 0, ec_time_now(), 0, &der, &len)) != EC_OK)
		goto out;
	r = ec_file_write(path, der, len, 0644, 1);
out:
	free(der);
	ec_signer_free(s);
	return r;
}
