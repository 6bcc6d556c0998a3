/* ecert-issue catalog: the certifications this body issues. */
#include <stdio.h>

#include "err.h"
#include "issuer.h"

static void
entry_json(struct ec_buf *b, const struct ec_cat_entry *e)
{
	size_t i;

	ec_buf_adds(b, "{\"code\":");
	ec_buf_json(b, e->code);
	ec_buf_adds(b, ",\"title\":");
	ec_buf_json(b, e->title);
	ec_buf_addf(b, ",\"programme\":\"%04u\",\"years\":%d,\"formats\":[", e->programme, e->years);
	if (e->formats & EC_CAT_ELECTRONIC)
		ec_buf_adds(b, (e->formats & EC_CAT_PAPER) ? "\"electronic\"," : "\"electronic\"");
	if (e->formats & EC_CAT_PAPER)
		ec_buf_adds(b, "\"paper\"");
	ec_buf_adds(b, "],\"template\":");
	ec_buf_json(b, e->template_name);
	ec_buf_adds(b, ",\"exams\":[");
	for (i = 0; i < ec_cat_nexams(e); i++) {
		ec_buf_adds(b, i ? "," : "");
		ec_buf_json(b, ec_cat_exam(e, i));
	}
	ec_buf_addf(b, "],\"renewal\":%s}", e->no_renewal ? "false" : "true");
}

/* "A, B" for a certification's exams ("" for one exam coded as the certification). */
static void
exams_text(const struct ec_cat_entry *e, char *out, size_t size)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < e->nexams && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : "", e->exams[i]);
}

int
cmd_catalog(struct opts *o)
{
	static const char *const heads[] = { "Code", "Title", "Programme", "Years", "Formats", "Template", "Exams", "Renewal" };
	struct ctx c;
	struct table *t = NULL;
	struct ec_buf b;
	char prog[8], years[8], exams[EC_CAT_EXAMS_MAX * (EC_CODE_MAX + 2) + 1];
	const char *cells[8];
	size_t i;
	int rc;

	ec_buf_init(&b);
	if ((rc = ctx_open(&c, o, NEED_CAT)))
		return rc;
	if (o->json) {
		ec_buf_addc(&b, '[');
		for (i = 0; i < c.cat->n; i++) {
			ec_buf_adds(&b, i ? ",\n" : "\n");
			entry_json(&b, &c.cat->v[i]);
		}
		ec_buf_adds(&b, c.cat->n ? "\n]" : "]");
		rc = put_buf(&b);
		goto out;
	}
	if (!(t = table_new(8, heads))) {
		rc = fail(EC_ERR_NOMEM);
		goto out;
	}
	for (i = 0; i < c.cat->n; i++) {
		snprintf(prog, sizeof prog, "%04u", c.cat->v[i].programme);
		snprintf(years, sizeof years, "%d", c.cat->v[i].years);
		cells[0] = c.cat->v[i].code;
		cells[1] = c.cat->v[i].title;
		cells[2] = prog;
		cells[3] = years;
		cells[4] = ec_catalog_formats_name(c.cat->v[i].formats);
		cells[5] = c.cat->v[i].template_name;
		exams_text(&c.cat->v[i], exams, sizeof exams);
		cells[6] = exams[0] ? exams : "/";
		cells[7] = c.cat->v[i].no_renewal ? "no" : "yes";
		if ((rc = table_row(t, cells))) {
			rc = fail(rc);
			goto out;
		}
	}
	if ((rc = table_print(t, stdout)))
		rc = fail(rc);
out:
	table_free(t);
	ec_buf_free(&b);
	ctx_close(&c);
	return rc;
}
