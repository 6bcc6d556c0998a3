/* Certificate layout templates: a documented plain-text format (docs/templates.md) parsed into boxes. */
#ifndef EC_TEMPLATE_H
#define EC_TEMPLATE_H

#include <stddef.h>

#define EC_TPL_FILE_MAX (64 * 1024)   /* bytes in a template file */
#define EC_TPL_LINE_MAX 1024          /* bytes in one line */
#define EC_TPL_PATH_MAX 512
#define EC_TPL_IDENT_MAX 31           /* family and colour names */
#define EC_TPL_TEXT_MAX 256           /* bytes of a text item's content, placeholders unexpanded */
#define EC_TPL_FAMILIES 8
#define EC_TPL_CHAIN 32               /* font files in one family's fallback chain */
#define EC_TPL_COLOURS 16
#define EC_TPL_ITEMS 96

/* One font file of a fallback chain: path resolved against the template's directory; index for .ttc. */
struct ec_tpl_fontfile {
	char path[EC_TPL_PATH_MAX];
	unsigned index;
};

struct ec_tpl_family {
	char name[EC_TPL_IDENT_MAX + 1];
	unsigned nfiles;
	struct ec_tpl_fontfile files[EC_TPL_CHAIN];
};

struct ec_tpl_rgb {
	double r, g, b;                  /* 0..1 */
};

enum ec_tpl_kind { EC_TPL_RECT, EC_TPL_LINE, EC_TPL_TEXT, EC_TPL_QR, EC_TPL_IMAGE };
enum ec_tpl_align { EC_TPL_LEFT, EC_TPL_CENTER, EC_TPL_RIGHT };

/*
 * One drawing item, in template order (later items paint over earlier ones). Geometry is in PDF
 * points with the origin at the bottom left of the page (the file says millimetres from the top left).
 * rect: x, y, w, h; line: from (x, y) to (x + w, y + h); text, qr, image: the box x, y, w, h.
 */
struct ec_tpl_item {
	enum ec_tpl_kind kind;
	unsigned line;                   /* line in the template file, for messages */
	double x, y, w, h;
	int stroke, fill;                /* rect, line: whether to stroke / fill */
	struct ec_tpl_rgb stroke_rgb, fill_rgb;
	double width;                    /* rect, line: stroke width in points */
	unsigned family;                 /* text: index into families */
	double size, min, spacing;       /* text: size, the smallest size it may shrink to, letter spacing (pt) */
	enum ec_tpl_align align;
	struct ec_tpl_rgb colour;        /* text, qr: ink colour */
	char text[EC_TPL_TEXT_MAX + 1];  /* text: UTF-8 with {placeholders}; image: the file path */
	char path[EC_TPL_PATH_MAX];      /* image: resolved path */
};

/* A parsed template; read-only for callers. Allocated by ec_template_load / _parse, freed by ec_template_free. */
struct ec_template {
	char file[EC_TPL_PATH_MAX];      /* as given, for messages */
	double page_w, page_h;           /* points */
	double margin;                   /* points */
	unsigned nfamilies, nitems;
	struct ec_tpl_family families[EC_TPL_FAMILIES];
	struct ec_tpl_item items[EC_TPL_ITEMS];
};

/*
 * Read and parse template file path. EC_ERR_SYNTAX with "FILE:LINE: what" for a malformed template,
 * EC_ERR_TOOBIG over EC_TPL_FILE_MAX, EC_ERR_IO / EC_ERR_NOTFOUND when it cannot be read.
 * *out is the caller's, freed with ec_template_free.
 */
int ec_template_load(const char *path, struct ec_template **out);

/*
 * Parse buf[0..len) as if read from file name (used in messages and to resolve relative font and
 * image paths against its directory). Same errors as ec_template_load.
 */
int ec_template_parse(const char *name, const char *buf, size_t len, struct ec_template **out);

void ec_template_free(struct ec_template *t);

/*
 * The values substituted for placeholders; NULL fields expand to "". Values are data: they are
 * copied verbatim into the text and never interpreted.
 */
struct ec_tpl_values {
	const char *name, *title, *code, *number, *effective, *expires, *url, *org;
};

/*
 * Expand text (a text item's content) with v into out[outsz]: {name} {title} {code} {number}
 * {effective} {expires} {url} {org}, and {{ / }} for literal braces. EC_ERR_TOOBIG when the result
 * does not fit; EC_ERR_SYNTAX for a placeholder the parser would have refused.
 */
int ec_template_expand(const char *text, const struct ec_tpl_values *v, char *out, size_t outsz);

#endif
