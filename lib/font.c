/* Font files parsed once into HarfBuzz faces; coverage by fallback chain; per-document subsets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hb.h>
#include <hb-subset.h>
#include <utf8proc.h>

#include "buf.h"
#include "err.h"
#include "font.h"

#define FILES_MAX (EC_TPL_FAMILIES * EC_TPL_CHAIN)
#define REPORT_MAX 8    /* uncovered characters named in one message */

struct file {
	char path[EC_TPL_PATH_MAX];
	unsigned index;
	hb_face_t *face;      /* for coverage and advances */
	hb_face_t *pre;       /* hb_subset_preprocess'd copy: repeated subsetting is much faster */
	hb_font_t *font;
	hb_set_t *cover;      /* BMP code points with a glyph */
	unsigned upem;
};

struct ec_fonts {
	unsigned nfiles, nfamilies;
	struct file files[FILES_MAX];
	struct {
		unsigned n;
		unsigned file[EC_TPL_CHAIN];
	} families[EC_TPL_FAMILIES];
};

static int
open_file(struct file *fl, const char *path, unsigned index)
{
	hb_blob_t *blob = NULL, *glyf = NULL;
	unsigned count;
	int fd, rc;

	snprintf(fl->path, sizeof(fl->path), "%s", path);
	fl->index = index;
	/* HarfBuzz says only that it failed; open() first gives the reason. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? ec_err_set(EC_ERR_NOTFOUND, "cannot open font '%s': %s", path, strerror(errno)) :
		    ec_err_errno("cannot open font", path);
	close(fd);
	if ((blob = hb_blob_create_from_file_or_fail(path)) == NULL) {
		rc = ec_err_set(EC_ERR_IO, "cannot read font '%s'", path);
		goto out;
	}
	count = hb_face_count(blob);
	if (count == 0) {
		rc = ec_err_set(EC_ERR_SYNTAX, "'%s' is not a font file", path);
		goto out;
	}
	if (index >= count) {
		rc = ec_err_set(EC_ERR_SYNTAX, "font '%s' has no face %u (it has %u)", path, index, count);
		goto out;
	}
	fl->face = hb_face_create(blob, index);
	glyf = hb_face_reference_table(fl->face, HB_TAG('g', 'l', 'y', 'f'));
	if (hb_blob_get_length(glyf) == 0) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "font '%s' has no TrueType outlines (CFF fonts cannot be embedded)", path);
		goto out;
	}
	fl->upem = hb_face_get_upem(fl->face);
	fl->font = hb_font_create(fl->face);
	fl->cover = hb_set_create();
	fl->pre = hb_subset_preprocess(fl->face);
	if (!hb_set_allocation_successful(fl->cover) || fl->pre == NULL || fl->pre == hb_face_get_empty()) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	hb_face_collect_unicodes(fl->face, fl->cover);
	/* libharu's UTF-8 path reaches only the BMP. */
	hb_set_del_range(fl->cover, 0x10000, HB_SET_VALUE_INVALID - 1);
	rc = 0;
out:
	hb_blob_destroy(glyf);
	hb_blob_destroy(blob);
	return rc;
}

static void
close_file(struct file *fl)
{
	hb_font_destroy(fl->font);
	hb_face_destroy(fl->pre);
	hb_face_destroy(fl->face);
	hb_set_destroy(fl->cover);
}

int
ec_fonts_load(const struct ec_template *t, struct ec_fonts **out)
{
	struct ec_fonts *f;
	int rc;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return EC_ERR_NOMEM;
	for (unsigned i = 0; i < t->nfamilies; i++) {
		const struct ec_tpl_family *fam = &t->families[i];

		for (unsigned j = 0; j < fam->nfiles; j++) {
			unsigned k;

			for (k = 0; k < f->nfiles; k++)
				if (strcmp(f->files[k].path, fam->files[j].path) == 0 && f->files[k].index == fam->files[j].index)
					break;
			if (k == f->nfiles) {
				if ((rc = open_file(&f->files[k], fam->files[j].path, fam->files[j].index)) != 0) {
					close_file(&f->files[k]);
					goto out;
				}
				f->nfiles++;
			}
			f->families[i].file[f->families[i].n++] = k;
		}
	}
	f->nfamilies = t->nfamilies;
	*out = f;
	f = NULL;
	rc = 0;
out:
	ec_fonts_free(f);
	return rc;
}

void
ec_fonts_free(struct ec_fonts *f)
{
	if (f == NULL)
		return;
	for (unsigned i = 0; i < f->nfiles; i++)
		close_file(&f->files[i]);
	free(f);
}

unsigned
ec_fonts_count(const struct ec_fonts *f)
{
	return f->nfiles;
}

const char *
ec_font_path(const struct ec_fonts *f, unsigned font)
{
	return f->files[font].path;
}

int
ec_font_pick(const struct ec_fonts *f, unsigned family, uint32_t cp)
{
	if (family >= f->nfamilies)
		return -1;
	for (unsigned i = 0; i < f->families[family].n; i++)
		if (hb_set_has(f->files[f->families[family].file[i]].cover, cp))
			return (int)f->families[family].file[i];
	return -1;
}

unsigned
ec_font_advance(const struct ec_fonts *f, unsigned font, uint32_t cp)
{
	const struct file *fl = &f->files[font];
	hb_codepoint_t gid = 0;

	hb_font_get_nominal_glyph(fl->font, cp, &gid);
	return (unsigned)((uint64_t)hb_font_get_glyph_h_advance(fl->font, gid) * 1000 / fl->upem);
}

int
ec_font_check_text(const struct ec_fonts *f, const char *utf8)
{
	uint32_t bad[REPORT_MAX];
	size_t nbad = 0, more = 0, len = strlen(utf8), i = 0;
	struct ec_buf b;
	int rc;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)utf8 + i, (utf8proc_ssize_t)(len - i), &cp);
		int ok = 1, seen = 0;

		if (n <= 0)
			return ec_err_set(EC_ERR_SYNTAX, "invalid UTF-8 in text");
		i += (size_t)n;
		for (unsigned fam = 0; fam < f->nfamilies && ok; fam++)
			ok = ec_font_pick(f, fam, (uint32_t)cp) >= 0;
		if (ok)
			continue;
		for (size_t k = 0; k < nbad; k++)
			seen |= bad[k] == (uint32_t)cp;
		if (seen)
			continue;
		if (nbad < REPORT_MAX)
			bad[nbad++] = (uint32_t)cp;
		else
			more++;
	}
	if (nbad == 0)
		return 0;
	ec_buf_init(&b);
	ec_buf_adds(&b, "no font covers ");
	for (size_t k = 0; k < nbad; k++) {
		char c[5] = "";

		/* Name the character itself too, unless it is a control that would garble the message. */
		if (bad[k] >= 0x20 && !(bad[k] >= 0x7f && bad[k] < 0xa0))
			c[utf8proc_encode_char((utf8proc_int32_t)bad[k], (utf8proc_uint8_t *)c)] = '\0';
		ec_buf_addf(&b, "%sU+%04X", k ? ", " : "", (unsigned)bad[k]);
		if (c[0] != '\0')
			ec_buf_addf(&b, " '%s'", c);
	}
	if (more)
		ec_buf_addf(&b, " and %zu more", more);
	rc = b.err ? EC_ERR_NOMEM : ec_err_set(EC_ERR_SYNTAX, "%s", b.p);
	ec_buf_free(&b);
	return rc;
}

/* Tables libharu never embeds: dropping them up front saves most of the subsetting time. */
static const hb_tag_t drop_tables[] = {
	HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
	HB_TAG('k', 'e', 'r', 'n'), HB_TAG('h', 'd', 'm', 'x'), HB_TAG('V', 'D', 'M', 'X'),
	HB_TAG('L', 'T', 'S', 'H'), HB_TAG('g', 'a', 's', 'p'), HB_TAG('v', 'h', 'e', 'a'),
	HB_TAG('v', 'm', 't', 'x'), HB_TAG('V', 'O', 'R', 'G'), HB_TAG('D', 'S', 'I', 'G'),
	HB_TAG('F', 'F', 'T', 'M'), HB_TAG('M', 'A', 'T', 'H'), HB_TAG('B', 'A', 'S', 'E'),
	HB_TAG('E', 'B', 'D', 'T'), HB_TAG('E', 'B', 'L', 'C'), HB_TAG('E', 'B', 'S', 'C'),
};

int
ec_font_subset(const struct ec_fonts *f, unsigned font, const uint32_t *cps, size_t n,
    unsigned char **out, size_t *outlen)
{
	const struct file *fl = &f->files[font];
	hb_subset_input_t *in = NULL;
	hb_face_t *sub = NULL;
	hb_blob_t *blob = NULL;
	hb_set_t *u, *drop, *names;
	const char *data;
	unsigned len = 0;
	int rc;

	*out = NULL;
	*outlen = 0;
	if ((in = hb_subset_input_create_or_fail()) == NULL)
		return EC_ERR_NOMEM;
	u = hb_subset_input_unicode_set(in);
	for (size_t i = 0; i < n; i++)
		hb_set_add(u, cps[i]);
	drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
	for (size_t i = 0; i < sizeof(drop_tables) / sizeof(drop_tables[0]); i++)
		hb_set_add(drop, drop_tables[i]);
	/* libharu reads the family, subfamily, full and PostScript names; the rest is dead weight. */
	names = hb_subset_input_set(in, HB_SUBSET_SETS_NAME_ID);
	hb_set_clear(names);
	hb_set_add(names, 1);
	hb_set_add(names, 2);
	hb_set_add(names, 4);
	hb_set_add(names, 6);
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	if (!hb_set_allocation_successful(u) || !hb_set_allocation_successful(drop) ||
	    !hb_set_allocation_successful(names)) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	if ((sub = hb_subset_or_fail(fl->pre, in)) == NULL) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "cannot subset font '%s'", fl->path);
		goto out;
	}
	blob = hb_face_reference_blob(sub);
	data = hb_blob_get_data(blob, &len);
	if (len == 0) {
		rc = ec_err_set(EC_ERR_UNSUPPORTED, "cannot subset font '%s'", fl->path);
		goto out;
	}
	if ((*out = malloc(len)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	memcpy(*out, data, len);
	*outlen = len;
	rc = 0;
out:
	hb_blob_destroy(blob);
	hb_face_destroy(sub);
	hb_subset_input_destroy(in);
	return rc;
}
