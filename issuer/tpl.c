/* ecert-issue: finding, loading and caching the certificate designs the catalogue names. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "err.h"
#include "font.h"
#include "issuer.h"
#include "pdf.h"
#include "template.h"

/* The templates folders in search order: $ECERT_TEMPLATES, DIR/templates, the data directory, ./templates, the tree's. */
static size_t
search_dirs(const struct ctx *c, const char *dirs[5], char local[4096])
{
	const char *env = getenv("ECERT_TEMPLATES"), *tree = ec_conf_tree_templates();
	size_t n = 0;

	if (env && env[0])
		dirs[n++] = env;
	snprintf(local, 4096, "%s/templates", c->dir);
	dirs[n++] = local;
	dirs[n++] = EC_DATADIR "/templates";
	dirs[n++] = "templates";
	if (tree)
		dirs[n++] = tree;
	return n;
}

/* The first folder along the search path that has rel; EC_ERR_NOTFOUND naming the places looked in. */
static int
locate(const struct ctx *c, const char *rel, char *path, size_t size, char *dir, size_t dirsz)
{
	const char *dirs[5];
	size_t i, n, used = 0;
	char local[4096], where[8192];

	n = search_dirs(c, dirs, local);
	for (i = 0; i < n; i++) {
		if ((size_t)snprintf(path, size, "%s/%s", dirs[i], rel) >= size)
			continue;
		if (access(path, R_OK) == 0) {
			if (dir)
				snprintf(dir, dirsz, "%s", dirs[i]);
			return 0;
		}
	}
	where[0] = '\0';
	for (i = 0; i < n && used < sizeof where; i++)
		used += (size_t)snprintf(where + used, sizeof where - used, "%s'%s'", i ? ", " : "", dirs[i]);
	return ec_err_set(EC_ERR_NOTFOUND, "'%s' not found in %s", rel, where);
}

int
mail_tpldir(const struct ctx *c, char *dir, size_t dirsz)
{
	char path[4200];

	return locate(c, "mail/issued.en.txt", path, sizeof path, dir, dirsz);
}

int
tpl_get(struct ctx *c, const char *name, struct tpl **out)
{
	struct tpl *p;
	char path[4096], rel[EC_TEMPLATE_MAX + 8];
	int rc;

	for (p = c->tpls; p; p = p->next)
		if (!strcmp(p->name, name)) {
			*out = p;
			return 0;
		}
	if (strlen(name) > EC_TEMPLATE_MAX)
		return ec_err_set(EC_ERR_ARG, "template name '%s' is too long", name);
	snprintf(rel, sizeof rel, "%s.tpl", name);
	if ((rc = locate(c, rel, path, sizeof path, NULL, 0)))
		return rc;
	if (!(p = calloc(1, sizeof *p)))
		return EC_ERR_NOMEM;
	strcpy(p->name, name);
	if ((rc = ec_template_load(path, &p->t)) || (rc = ec_fonts_load(p->t, &p->f))) {
		if (p->t)
			ec_template_free(p->t);
		free(p);
		return rc;
	}
	p->next = c->tpls;
	c->tpls = p;
	*out = p;
	return 0;
}

void
tpl_free_all(struct ctx *c)
{
	struct tpl *p;

	while ((p = c->tpls)) {
		c->tpls = p->next;
		if (p->r)
			ec_render_free(p->r);
		ec_fonts_free(p->f);
		ec_template_free(p->t);
		free(p);
	}
}

int
tpl_fonts(void *ctx, const char *name, const struct ec_fonts **out)
{
	struct tpl *t;
	int rc;

	if ((rc = tpl_get(ctx, name, &t)))
		return rc;
	*out = t->f;
	return 0;
}
