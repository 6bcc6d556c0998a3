/* Certificate designs: found along the templates search path, loaded once, rendered by a few threads at once. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "conf.h"
#include "designs.h"
#include "err.h"
#include "pdf.h"
#include "svg.h"
#include "template.h"

#ifndef EC_DATADIR
#define EC_DATADIR "/usr/local/share/ecert"
#endif

#define RENDERERS 8              /* documents of one design rendered at once, at most */

/* A renderer is not shared by threads at once: each design keeps a few, made as they are needed. */
struct design {
	struct design *next;
	char name[EC_TEMPLATE_MAX + 1];
	struct ec_template *t;
	struct ec_fonts *f;
	struct ec_render *r[RENDERERS];
	int busy[RENDERERS];
	size_t nr;
	pthread_mutex_t lock;          /* guards r, busy, nr */
	pthread_cond_t freed;
};

struct ec_designs {
	char *dir;
	pthread_mutex_t lock;          /* guards the list */
	struct design *list;
};

static size_t
search_dirs(const char *dir, const char *dirs[5], char local[4096])
{
	const char *env = getenv("ECERT_TEMPLATES"), *tree = ec_conf_tree_templates();
	size_t n = 0;

	if (env && env[0])
		dirs[n++] = env;
	snprintf(local, 4096, "%s/templates", dir);
	dirs[n++] = local;
	dirs[n++] = EC_DATADIR "/templates";
	dirs[n++] = "templates";
	if (tree)
		dirs[n++] = tree;
	return n;
}

int
ec_designs_locate(const char *dir, const char *rel, char *path, size_t size, char *folder, size_t foldersz)
{
	const char *dirs[5];
	size_t i, n, used = 0;
	char local[4096], where[8192];

	n = search_dirs(dir, dirs, local);
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, size, "%s/%s", dirs[i], rel) >= size)
			continue;
		if (access(path, R_OK) == 0) {
			if (folder)
				snprintf(folder, foldersz, "%s", dirs[i]);
			return 0;
		}
	}
	where[0] = '\0';
	for (i = 0; i < n && used < sizeof where; i++)
		used += (size_t)snprintf(where + used, sizeof where - used, "%s'%s'", i ? ", " : "", dirs[i]);
	return ec_err_set(EC_ERR_NOTFOUND, "'%s' not found in %s", rel, where);
}

int
ec_designs_new(const char *dir, struct ec_designs **out)
{
	struct ec_designs *d;

	*out = NULL;
	if (!(d = calloc(1, sizeof *d)) || !(d->dir = strdup(dir))) {
		free(d);
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	}
	pthread_mutex_init(&d->lock, NULL);
	*out = d;
	return 0;
}

void
ec_designs_free(struct ec_designs *d)
{
	struct design *p;

	if (!d)
		return;
	while ((p = d->list)) {
		d->list = p->next;
		while (p->nr)
			ec_render_free(p->r[--p->nr]);
		ec_fonts_free(p->f);
		ec_template_free(p->t);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->freed);
		free(p);
	}
	pthread_mutex_destroy(&d->lock);
	free(d->dir);
	free(d);
}

/* The design name, loaded on first use. Called with d->lock held. */
static int
load(struct ec_designs *d, const char *name, struct design **out)
{
	struct design *p;
	char path[4200], rel[EC_TEMPLATE_MAX + 8];
	int rc;

	for (p = d->list; p; p = p->next)
		if (!strcmp(p->name, name)) {
			*out = p;
			return 0;
		}
	if (strlen(name) > EC_TEMPLATE_MAX)
		return ec_err_set(EC_ERR_ARG, "template name '%s' is too long", name);
	snprintf(rel, sizeof rel, "%s.tpl", name);
	if ((rc = ec_designs_locate(d->dir, rel, path, sizeof path, NULL, 0)))
		return rc;
	if (!(p = calloc(1, sizeof *p)))
		return ec_err_set(EC_ERR_NOMEM, "out of memory");
	snprintf(p->name, sizeof p->name, "%s", name);
	if ((rc = ec_template_load(path, &p->t)) || (rc = ec_fonts_load(p->t, &p->f))) {
		ec_template_free(p->t);
		free(p);
		return rc;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->next = d->list;
	d->list = p;
	*out = p;
	return 0;
}

static int
get(struct ec_designs *d, const char *name, struct design **out)
{
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = load(d, name, out);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

int
ec_designs_fonts(void *ctx, const char *name, const struct ec_fonts **out)
{
	struct design *p;
	int rc;

	if ((rc = get(ctx, name, &p)))
		return rc;
	*out = p->f;
	return 0;
}

int
ec_designs_render(struct ec_designs *d, const char *name, const struct ec_ecert *e, const char *org,
    const char *qr_payload, const char *url, const unsigned char *der, size_t derlen, unsigned char **pdf,
    size_t *len)
{
	struct design *p;
	size_t i;
	int rc;

	if ((rc = get(d, name, &p)))
		return rc;
	pthread_mutex_lock(&p->lock);
	for (;;) {
		for (i = 0; i < p->nr && p->busy[i]; i++)
			;
		if (i < p->nr)
			break;
		if (p->nr < RENDERERS) {
			if ((rc = ec_render_new(p->t, p->f, &p->r[p->nr]))) {
				pthread_mutex_unlock(&p->lock);
				return rc;
			}
			i = p->nr++;
			break;
		}
		pthread_cond_wait(&p->freed, &p->lock);
	}
	p->busy[i] = 1;
	pthread_mutex_unlock(&p->lock);
	rc = ec_render_pdf(p->r[i], e, org, qr_payload, url, der, derlen, pdf, len);
	pthread_mutex_lock(&p->lock);
	p->busy[i] = 0;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

int
ec_designs_name_svg(struct ec_designs *d, const char *name, const char *holder, struct ec_buf *out)
{
	const struct ec_tpl_item *it;
	struct design *p;
	char colour[8];
	unsigned i;
	int rc;

	if ((rc = get(d, name, &p)))
		return rc;
	for (i = 0; i < p->t->nitems; i++) {
		it = &p->t->items[i];
		if (it->kind != EC_TPL_TEXT || !strstr(it->text, "{name}"))
			continue;
		snprintf(colour, sizeof colour, "#%02x%02x%02x", (unsigned)lround(it->colour.r * 255),
		    (unsigned)lround(it->colour.g * 255), (unsigned)lround(it->colour.b * 255));
		return ec_svg_line(p->f, it->family, holder, holder, colour, out);
	}
	return ec_err_set(EC_ERR_NOTFOUND, "template '%s' prints no {name}", name);
}
