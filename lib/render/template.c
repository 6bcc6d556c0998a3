/* Parser of the plain-text template format (docs/templates.md); strict, every refusal names FILE:LINE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "err.h"
#include "text.h"
#include "template.h"

#define MM 2.8346456692913385    /* points per millimetre */
#define TOKENS_MAX 16
#define MM_MAX 2000.0

struct tok {
	const char *s;
	size_t len;
	int quoted;
};

struct parser {
	struct ec_template *t;
	const char *name;
	unsigned line;
	char dir[EC_TPL_PATH_MAX];
	int have_version, have_page, have_margin;
	unsigned margin_line;
	unsigned ncolours;
	char colour_names[EC_TPL_COLOURS][EC_TPL_IDENT_MAX + 1];
	struct ec_tpl_rgb colours[EC_TPL_COLOURS];
	double page_w_mm, page_h_mm, margin_mm;
};

static const char *const placeholders[] = {
	"name", "title", "code", "number", "effective", "expires", "url", "org"
};

static int
fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ec_err_set(EC_ERR_SYNTAX, "%s:%u: %s", p->name, p->line, msg);
}

static int
tokeq(const struct tok *t, const char *s)
{
	return !t->quoted && t->len == strlen(s) && memcmp(t->s, s, t->len) == 0;
}

/* A millimetre or point quantity: digits with an optional fraction of up to 4 digits, 0..max. */
static int
number(struct parser *p, const char *s, size_t len, double max, const char *what, double *out)
{
	double v = 0, scale = 1;
	size_t i = 0, intd = 0, fracd = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9' && intd < 6) {
		v = v * 10 + (s[i++] - '0');
		intd++;
	}
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9' && fracd < 4) {
			scale /= 10;
			v += (s[i++] - '0') * scale;
			fracd++;
		}
		if (fracd == 0)
			intd = 0;
	}
	if (intd == 0 || i != len)
		return fail(p, "%s '%.*s' is not a number", what, (int)len, s);
	if (v > max)
		return fail(p, "%s %.*s is over %g", what, (int)len, s, max);
	*out = v;
	return 0;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

static int
ident_ok(const char *s, size_t len)
{
	if (len == 0 || len > EC_TPL_IDENT_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* "#RRGGBB" or the name of a colour defined earlier. */
static int
colour(struct parser *p, const char *s, size_t len, struct ec_tpl_rgb *out)
{
	if (len > 0 && s[0] == '#') {
		int v[6];

		if (len != 7)
			return fail(p, "colour '%.*s' is not #RRGGBB", (int)len, s);
		for (int i = 0; i < 6; i++)
			if ((v[i] = ec_hexval(s[i + 1])) < 0)
				return fail(p, "colour '%.*s' is not #RRGGBB", (int)len, s);
		out->r = (v[0] * 16 + v[1]) / 255.0;
		out->g = (v[2] * 16 + v[3]) / 255.0;
		out->b = (v[4] * 16 + v[5]) / 255.0;
		return 0;
	}
	for (unsigned i = 0; i < p->ncolours; i++)
		if (strlen(p->colour_names[i]) == len && memcmp(p->colour_names[i], s, len) == 0) {
			*out = p->colours[i];
			return 0;
		}
	return fail(p, "unknown colour '%.*s'", (int)len, s);
}

static int
findfam(const struct parser *p, const char *s, size_t len)
{
	for (unsigned i = 0; i < p->t->nfamilies; i++)
		if (strlen(p->t->families[i].name) == len && memcmp(p->t->families[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

static int
family(struct parser *p, const char *s, size_t len, unsigned *out)
{
	int i = findfam(p, s, len);

	if (i < 0)
		return fail(p, "unknown font '%.*s'", (int)len, s);
	*out = (unsigned)i;
	return 0;
}

/* Resolve a path against the template's directory into out[EC_TPL_PATH_MAX]. */
static int
resolve(struct parser *p, const char *s, size_t len, char *out)
{
	int n;

	if (len == 0)
		return fail(p, "empty file name");
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\0')
			return fail(p, "file name contains NUL");
	if (s[0] == '/' || p->dir[0] == '\0')
		n = snprintf(out, EC_TPL_PATH_MAX, "%.*s", (int)len, s);
	else
		n = snprintf(out, EC_TPL_PATH_MAX, "%s/%.*s", p->dir, (int)len, s);
	if (n < 0 || n >= EC_TPL_PATH_MAX)
		return fail(p, "file name '%.*s' is too long", (int)len, s);
	return 0;
}

/* Placeholders must be known names; braces otherwise come doubled. */
static int
check_text(struct parser *p, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '{') {
			size_t j;
			int known = 0;

			if (i + 1 < len && s[i + 1] == '{') {
				i++;
				continue;
			}
			for (j = i + 1; j < len && s[j] != '}' && s[j] != '{'; j++)
				;
			if (j == len || s[j] != '}')
				return fail(p, "unterminated placeholder in \"%.*s\"", (int)len, s);
			for (size_t k = 0; k < sizeof(placeholders) / sizeof(placeholders[0]); k++)
				if (strlen(placeholders[k]) == j - i - 1 && memcmp(placeholders[k], s + i + 1, j - i - 1) == 0)
					known = 1;
			if (!known)
				return fail(p, "unknown placeholder '{%.*s}'", (int)(j - i - 1), s + i + 1);
			i = j;
		} else if (s[i] == '}') {
			if (i + 1 < len && s[i + 1] == '}')
				i++;
			else
				return fail(p, "stray '}' in \"%.*s\" (write '}}' for a brace)", (int)len, s);
		}
	}
	return 0;
}

/* Split line into tokens; quoted strings are unescaped (\" and \\) into buf. */
static int
tokenize(struct parser *p, const char *line, size_t len, char *buf, struct tok *toks, size_t *ntok)
{
	size_t i = 0, n = 0, b = 0;

	while (i < len) {
		if (line[i] == ' ' || line[i] == '\t') {
			i++;
			continue;
		}
		if (n == TOKENS_MAX)
			return fail(p, "too many words on the line (at most %d)", TOKENS_MAX);
		if (line[i] == '"') {
			size_t start = b;

			i++;
			for (;;) {
				if (i == len)
					return fail(p, "unterminated string");
				if (line[i] == '"')
					break;
				if (line[i] == '\\') {
					if (i + 1 == len || (line[i + 1] != '"' && line[i + 1] != '\\'))
						return fail(p, "unknown escape in string (only \\\" and \\\\)");
					i++;
				}
				buf[b++] = line[i++];
			}
			i++;
			if (i < len && line[i] != ' ' && line[i] != '\t')
				return fail(p, "text right after a closing quote");
			toks[n].s = buf + start;
			toks[n].len = b - start;
			toks[n].quoted = 1;
		} else {
			size_t start = i;

			while (i < len && line[i] != ' ' && line[i] != '\t') {
				if (line[i] == '"')
					return fail(p, "quote inside a word");
				i++;
			}
			toks[n].s = line + start;
			toks[n].len = i - start;
			toks[n].quoted = 0;
		}
		n++;
	}
	*ntok = n;
	return 0;
}

/* The whole line must be UTF-8 without control characters other than tab. */
static int
check_line(struct parser *p, const char *line, size_t len)
{
	size_t i = 0;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)line + i, (utf8proc_ssize_t)(len - i), &cp);

		if (n <= 0)
			return fail(p, "invalid UTF-8");
		if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
			return fail(p, "control character U+%04X", (unsigned)cp);
		i += (size_t)n;
	}
	return 0;
}

static struct ec_tpl_item *
newitem(struct parser *p, enum ec_tpl_kind kind)
{
	struct ec_tpl_item *it;

	if (p->t->nitems == EC_TPL_ITEMS)
		return NULL;
	it = &p->t->items[p->t->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->line = p->line;
	return it;
}

/* key=value options after the positional words; each key at most once, only those allowed. */
static int
options(struct parser *p, struct ec_tpl_item *it, const struct tok *toks, size_t n, const char *allowed)
{
	char seen[16][16];
	size_t nseen = 0;

	for (size_t i = 0; i < n; i++) {
		const struct tok *t = &toks[i];
		const char *eq = t->quoted ? NULL : memchr(t->s, '=', t->len);
		size_t klen, vlen;
		const char *v;
		char key[16];
		int rc;

		if (eq == NULL)
			return fail(p, "expected key=value, got '%.*s'", (int)t->len, t->s);
		klen = (size_t)(eq - t->s);
		v = eq + 1;
		vlen = t->len - klen - 1;
		if (klen == 0 || klen >= sizeof(key))
			return fail(p, "unknown option '%.*s'", (int)t->len, t->s);
		memcpy(key, t->s, klen);
		key[klen] = '\0';
		{
			char pat[20];
			snprintf(pat, sizeof(pat), " %s ", key);
			if (strstr(allowed, pat) == NULL)
				return fail(p, "unknown option '%s'", key);
		}
		for (size_t j = 0; j < nseen; j++)
			if (strcmp(seen[j], key) == 0)
				return fail(p, "option '%s' given twice", key);
		if (nseen < 16)
			strcpy(seen[nseen++], key);
		if (vlen == 0)
			return fail(p, "option '%s' has no value", key);
		if (strcmp(key, "stroke") == 0) {
			it->stroke = 1;
			rc = colour(p, v, vlen, &it->stroke_rgb);
		} else if (strcmp(key, "fill") == 0) {
			it->fill = 1;
			rc = colour(p, v, vlen, &it->fill_rgb);
		} else if (strcmp(key, "colour") == 0) {
			rc = colour(p, v, vlen, &it->colour);
		} else if (strcmp(key, "width") == 0) {
			rc = number(p, v, vlen, 20, "width", &it->width);
		} else if (strcmp(key, "font") == 0) {
			rc = family(p, v, vlen, &it->family);
		} else if (strcmp(key, "size") == 0) {
			rc = number(p, v, vlen, 300, "size", &it->size);
		} else if (strcmp(key, "min") == 0) {
			rc = number(p, v, vlen, 300, "min", &it->min);
		} else if (strcmp(key, "spacing") == 0) {
			rc = number(p, v, vlen, 50, "spacing", &it->spacing);
		} else {
			if (vlen == 4 && memcmp(v, "left", 4) == 0)
				it->align = EC_TPL_LEFT;
			else if (vlen == 6 && memcmp(v, "center", 6) == 0)
				it->align = EC_TPL_CENTER;
			else if (vlen == 5 && memcmp(v, "right", 5) == 0)
				it->align = EC_TPL_RIGHT;
			else
				return fail(p, "align must be left, center or right, not '%.*s'", (int)vlen, v);
			rc = 0;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
positional(struct parser *p, const struct tok *toks, size_t n, double *v, const char *const *what)
{
	for (size_t i = 0; i < n; i++) {
		int rc = number(p, toks[i].s, toks[i].len, MM_MAX, what[i], &v[i]);

		if (rc != 0)
			return rc;
		if (toks[i].quoted)
			return fail(p, "%s must not be quoted", what[i]);
	}
	return 0;
}

static int
do_page(struct parser *p, const struct tok *toks, size_t n)
{
	double w, h;

	if (p->have_page)
		return fail(p, "'page' given twice");
	if (n != 3)
		return fail(p, "expected 'page a4|a5|letter landscape|portrait'");
	if (tokeq(&toks[1], "a4")) {
		w = 210, h = 297;
	} else if (tokeq(&toks[1], "a5")) {
		w = 148, h = 210;
	} else if (tokeq(&toks[1], "letter")) {
		w = 215.9, h = 279.4;
	} else {
		return fail(p, "unknown page size '%.*s' (a4, a5 or letter)", (int)toks[1].len, toks[1].s);
	}
	if (tokeq(&toks[2], "landscape")) {
		p->page_w_mm = h, p->page_h_mm = w;
	} else if (tokeq(&toks[2], "portrait")) {
		p->page_w_mm = w, p->page_h_mm = h;
	} else {
		return fail(p, "orientation must be landscape or portrait, not '%.*s'", (int)toks[2].len, toks[2].s);
	}
	p->have_page = 1;
	return 0;
}

/* A family's fallback chain; further 'font' lines with the same name continue it. */
static int
do_font(struct parser *p, const struct tok *toks, size_t n)
{
	struct ec_tpl_family *f;
	int fam;

	if (n < 3)
		return fail(p, "expected 'font NAME FILE[@INDEX]...'");
	if (!ident_ok(toks[1].s, toks[1].len) || toks[1].quoted)
		return fail(p, "bad font name '%.*s' (a-z, 0-9, - and _, starting with a letter)", (int)toks[1].len, toks[1].s);
	if ((fam = findfam(p, toks[1].s, toks[1].len)) >= 0) {
		f = &p->t->families[fam];
	} else {
		if (p->t->nfamilies == EC_TPL_FAMILIES)
			return fail(p, "more than %d fonts", EC_TPL_FAMILIES);
		f = &p->t->families[p->t->nfamilies++];
		memset(f, 0, sizeof(*f));
		memcpy(f->name, toks[1].s, toks[1].len);
	}
	if (f->nfiles + (n - 2) > EC_TPL_CHAIN)
		return fail(p, "more than %d files in font '%.*s'", EC_TPL_CHAIN, (int)toks[1].len, toks[1].s);
	for (size_t i = 2; i < n; i++) {
		const char *s = toks[i].s, *at = NULL;
		size_t len = toks[i].len;
		double idx = 0;
		int rc;

		for (size_t j = len; j > 0; j--)
			if (s[j - 1] == '@') {
				at = s + j - 1;
				break;
			}
		if (at != NULL) {
			if ((rc = number(p, at + 1, len - (size_t)(at + 1 - s), 255, "font index", &idx)) != 0)
				return rc;
			if (idx != (unsigned)idx)
				return fail(p, "font index must be a whole number");
			len = (size_t)(at - s);
		}
		if ((rc = resolve(p, s, len, f->files[f->nfiles].path)) != 0)
			return rc;
		f->files[f->nfiles++].index = (unsigned)idx;
	}
	return 0;
}

static int
do_colour(struct parser *p, const struct tok *toks, size_t n)
{
	struct ec_tpl_rgb rgb;
	int rc;

	if (n != 3)
		return fail(p, "expected 'colour NAME #RRGGBB'");
	if (!ident_ok(toks[1].s, toks[1].len) || toks[1].quoted)
		return fail(p, "bad colour name '%.*s' (a-z, 0-9, - and _, starting with a letter)", (int)toks[1].len, toks[1].s);
	for (unsigned i = 0; i < p->ncolours; i++)
		if (strlen(p->colour_names[i]) == toks[1].len && memcmp(p->colour_names[i], toks[1].s, toks[1].len) == 0)
			return fail(p, "colour '%.*s' defined twice", (int)toks[1].len, toks[1].s);
	if (p->ncolours == EC_TPL_COLOURS)
		return fail(p, "more than %d colours", EC_TPL_COLOURS);
	if (toks[2].len == 0 || toks[2].s[0] != '#')
		return fail(p, "colour '%.*s' is not #RRGGBB", (int)toks[2].len, toks[2].s);
	if ((rc = colour(p, toks[2].s, toks[2].len, &rgb)) != 0)
		return rc;
	memcpy(p->colour_names[p->ncolours], toks[1].s, toks[1].len);
	p->colour_names[p->ncolours][toks[1].len] = '\0';
	p->colours[p->ncolours++] = rgb;
	return 0;
}

static const char *const xywh[] = { "x", "y", "width", "height" };
static const char *const xyxy[] = { "x1", "y1", "x2", "y2" };
static const char *const xys[] = { "x", "y", "size" };

static int
do_item(struct parser *p, const struct tok *toks, size_t n)
{
	struct ec_tpl_item *it;
	double v[4];
	int rc;

	if (tokeq(&toks[0], "rect") || tokeq(&toks[0], "line")) {
		int isline = toks[0].s[0] == 'l';

		if (n < 5)
			return fail(p, isline ? "expected 'line X1 Y1 X2 Y2 [stroke=C] [width=PT]'" :
			    "expected 'rect X Y W H [stroke=C] [width=PT] [fill=C]'");
		if ((it = newitem(p, isline ? EC_TPL_LINE : EC_TPL_RECT)) == NULL)
			return fail(p, "more than %d drawing items", EC_TPL_ITEMS);
		if ((rc = positional(p, toks + 1, 4, v, isline ? xyxy : xywh)) != 0)
			return rc;
		it->width = -1;
		if ((rc = options(p, it, toks + 5, n - 5, isline ? " stroke width " : " stroke width fill ")) != 0)
			return rc;
		if (!it->stroke && !it->fill)
			it->stroke = 1;
		if (it->width < 0)
			it->width = 0.5;
		if (it->stroke && it->width == 0)
			return fail(p, "stroke width must be above 0");
		if (isline) {
			it->x = v[0], it->y = v[1], it->w = v[2] - v[0], it->h = v[3] - v[1];
		} else {
			if (v[2] == 0 || v[3] == 0)
				return fail(p, "empty rectangle");
			it->x = v[0], it->y = v[1], it->w = v[2], it->h = v[3];
		}
		return 0;
	}
	if (tokeq(&toks[0], "text")) {
		if (n < 6 || !toks[n - 1].quoted)
			return fail(p, "expected 'text X Y W H font=F size=PT [min=PT] [align=A] [colour=C] [spacing=PT] \"CONTENT\"'");
		if ((it = newitem(p, EC_TPL_TEXT)) == NULL)
			return fail(p, "more than %d drawing items", EC_TPL_ITEMS);
		if ((rc = positional(p, toks + 1, 4, v, xywh)) != 0)
			return rc;
		it->family = EC_TPL_FAMILIES;
		it->align = EC_TPL_LEFT;
		if ((rc = options(p, it, toks + 5, n - 6, " font size min align colour spacing ")) != 0)
			return rc;
		if (it->family == EC_TPL_FAMILIES)
			return fail(p, "text needs font=");
		if (it->size == 0)
			return fail(p, "text needs size= above 0");
		if (it->min == 0)
			it->min = it->size;
		if (it->min > it->size)
			return fail(p, "min= %g is above size= %g", it->min, it->size);
		if (v[2] == 0 || v[3] == 0)
			return fail(p, "empty text box");
		if (toks[n - 1].len == 0)
			return fail(p, "empty text");
		if (toks[n - 1].len > EC_TPL_TEXT_MAX)
			return fail(p, "text longer than %d bytes", EC_TPL_TEXT_MAX);
		if ((rc = check_text(p, toks[n - 1].s, toks[n - 1].len)) != 0)
			return rc;
		memcpy(it->text, toks[n - 1].s, toks[n - 1].len);
		it->x = v[0], it->y = v[1], it->w = v[2], it->h = v[3];
		return 0;
	}
	if (tokeq(&toks[0], "qr")) {
		for (unsigned i = 0; i < p->t->nitems; i++)
			if (p->t->items[i].kind == EC_TPL_QR)
				return fail(p, "a second 'qr' (the first is on line %u)", p->t->items[i].line);
		if (n < 4)
			return fail(p, "expected 'qr X Y SIZE [colour=C]'");
		if ((it = newitem(p, EC_TPL_QR)) == NULL)
			return fail(p, "more than %d drawing items", EC_TPL_ITEMS);
		if ((rc = positional(p, toks + 1, 3, v, xys)) != 0)
			return rc;
		if ((rc = options(p, it, toks + 4, n - 4, " colour ")) != 0)
			return rc;
		if (v[2] < 15)
			return fail(p, "qr size %g mm is below 15 mm (too small to scan)", v[2]);
		it->x = v[0], it->y = v[1], it->w = v[2], it->h = v[2];
		return 0;
	}
	if (tokeq(&toks[0], "image")) {
		if (n != 6)
			return fail(p, "expected 'image X Y W H FILE'");
		if ((it = newitem(p, EC_TPL_IMAGE)) == NULL)
			return fail(p, "more than %d drawing items", EC_TPL_ITEMS);
		if ((rc = positional(p, toks + 1, 4, v, xywh)) != 0)
			return rc;
		if (v[2] == 0 || v[3] == 0)
			return fail(p, "empty image box");
		if ((rc = resolve(p, toks[5].s, toks[5].len, it->path)) != 0)
			return rc;
		if (!has_suffix(it->path, ".png") && !has_suffix(it->path, ".jpg") && !has_suffix(it->path, ".jpeg"))
			return fail(p, "image '%s' is not .png, .jpg or .jpeg", it->path);
		it->x = v[0], it->y = v[1], it->w = v[2], it->h = v[3];
		return 0;
	}
	return fail(p, "unknown keyword '%.*s'", (int)toks[0].len, toks[0].s);
}

static int
do_line(struct parser *p, const char *line, size_t len, char *buf)
{
	struct tok toks[TOKENS_MAX];
	size_t n = 0;
	int rc;

	if ((rc = check_line(p, line, len)) != 0)
		return rc;
	/* Whole-line comments only: '#' also begins colours. */
	for (size_t i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '#'); i++)
		if (line[i] == '#')
			return 0;
	if ((rc = tokenize(p, line, len, buf, toks, &n)) != 0)
		return rc;
	if (n == 0)
		return 0;
	if (toks[0].quoted)
		return fail(p, "a line must start with a keyword");
	if (!p->have_version) {
		if (n == 2 && tokeq(&toks[0], "ecert-template") && tokeq(&toks[1], "1")) {
			p->have_version = 1;
			return 0;
		}
		if (n >= 1 && tokeq(&toks[0], "ecert-template"))
			return fail(p, "unsupported template version (this build reads 'ecert-template 1')");
		return fail(p, "expected 'ecert-template 1' as the first line");
	}
	if (tokeq(&toks[0], "ecert-template"))
		return fail(p, "'ecert-template' given twice");
	if (tokeq(&toks[0], "page"))
		return do_page(p, toks, n);
	if (tokeq(&toks[0], "margin")) {
		if (p->have_margin)
			return fail(p, "'margin' given twice");
		if (n != 2)
			return fail(p, "expected 'margin MM'");
		p->have_margin = 1;
		p->margin_line = p->line;
		return number(p, toks[1].s, toks[1].len, 100, "margin", &p->margin_mm);
	}
	if (tokeq(&toks[0], "font"))
		return do_font(p, toks, n);
	if (tokeq(&toks[0], "colour"))
		return do_colour(p, toks, n);
	return do_item(p, toks, n);
}

/* Whole-template checks once every line is read; then millimetres from the top become points from the bottom. */
static int
finish(struct parser *p)
{
	struct ec_template *t = p->t;
	unsigned last = p->line;
	int qr = 0, name = 0;

	if (!p->have_version)
		return fail(p, "empty template (expected 'ecert-template 1')");
	if (!p->have_page)
		return fail(p, "no 'page' line in the template");
	if (p->margin_mm * 2 >= p->page_w_mm || p->margin_mm * 2 >= p->page_h_mm) {
		p->line = p->margin_line;
		return fail(p, "margin %g mm leaves no room on the page", p->margin_mm);
	}
	for (unsigned i = 0; i < t->nitems; i++) {
		struct ec_tpl_item *it = &t->items[i];
		double x0 = it->x, y0 = it->y, x1 = it->x + it->w, y1 = it->y + it->h, lo = 0;
		double pw = p->page_w_mm, ph = p->page_h_mm;

		p->line = it->line;
		if (x0 > x1) {
			double s = x0; x0 = x1; x1 = s;
		}
		if (y0 > y1) {
			double s = y0; y0 = y1; y1 = s;
		}
		if (it->kind == EC_TPL_TEXT || it->kind == EC_TPL_QR || it->kind == EC_TPL_IMAGE)
			lo = p->margin_mm;
		if (x0 < lo || y0 < lo || x1 > pw - lo || y1 > ph - lo)
			return fail(p, lo > 0 ? "box reaches past the %g mm margin of the %gx%g mm page" :
			    "drawing reaches past the edge of the %gx%g mm page", lo > 0 ? lo : pw, lo > 0 ? pw : ph, ph);
		if (it->kind == EC_TPL_QR)
			qr = 1;
		if (it->kind == EC_TPL_TEXT && strstr(it->text, "{name}") != NULL)
			name = 1;
		it->x *= MM;
		it->w *= MM;
		it->y = (ph - it->y) * MM;
		it->h *= MM;
		if (it->kind != EC_TPL_LINE)
			it->y -= it->h;
		else
			it->h = -it->h;
	}
	p->line = last;
	if (!qr)
		return fail(p, "no 'qr' item in the template");
	if (!name)
		return fail(p, "no text item shows {name}");
	t->page_w = p->page_w_mm * MM;
	t->page_h = p->page_h_mm * MM;
	t->margin = p->margin_mm * MM;
	return 0;
}

int
ec_template_parse(const char *name, const char *buf, size_t len, struct ec_template **out)
{
	struct parser p;
	char *tokbuf = NULL;
	const char *slash;
	size_t i = 0;
	int rc;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.name = name;
	if (len > EC_TPL_FILE_MAX)
		return ec_err_set(EC_ERR_TOOBIG, "template '%s' is over %d bytes", name, EC_TPL_FILE_MAX);
	if ((slash = strrchr(name, '/')) != NULL) {
		if ((size_t)(slash - name) >= sizeof(p.dir))
			return ec_err_set(EC_ERR_ARG, "template path '%s' is too long", name);
		memcpy(p.dir, name, (size_t)(slash - name));
		if (slash == name)
			strcpy(p.dir, "/");
	}
	if ((p.t = calloc(1, sizeof(*p.t))) == NULL || (tokbuf = malloc(EC_TPL_LINE_MAX)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	snprintf(p.t->file, sizeof(p.t->file), "%s", name);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len, l = end - i;

		p.line++;
		if (l > 0 && buf[i + l - 1] == '\r')
			l--;
		if (l >= EC_TPL_LINE_MAX) {
			rc = fail(&p, "line longer than %d bytes", EC_TPL_LINE_MAX - 1);
			goto out;
		}
		if (memchr(buf + i, '\0', l) != NULL) {
			rc = fail(&p, "NUL byte in the line");
			goto out;
		}
		if ((rc = do_line(&p, buf + i, l, tokbuf)) != 0)
			goto out;
		i = end + 1;
	}
	if (p.line == 0)
		p.line = 1;
	if ((rc = finish(&p)) != 0)
		goto out;
	*out = p.t;
	p.t = NULL;
out:
	free(tokbuf);
	free(p.t);
	return rc;
}

int
ec_template_load(const char *path, struct ec_template **out)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd = -1, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? ec_err_set(EC_ERR_NOTFOUND, "cannot open '%s': %s", path, strerror(errno)) :
		    ec_err_errno("cannot open", path);
		goto out;
	}
	if ((buf = malloc(EC_TPL_FILE_MAX + 1)) == NULL) {
		rc = EC_ERR_NOMEM;
		goto out;
	}
	while ((n = read(fd, buf + len, EC_TPL_FILE_MAX + 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ec_err_errno("cannot read", path);
			goto out;
		}
		len += (size_t)n;
		if (len > EC_TPL_FILE_MAX) {
			rc = ec_err_set(EC_ERR_TOOBIG, "template '%s' is over %d bytes", path, EC_TPL_FILE_MAX);
			goto out;
		}
	}
	rc = ec_template_parse(path, buf, len, out);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

void
ec_template_free(struct ec_template *t)
{
	free(t);
}

int
ec_template_expand(const char *text, const struct ec_tpl_values *v, char *out, size_t outsz)
{
	const char *vals[8];
	size_t o = 0;

	vals[0] = v->name, vals[1] = v->title, vals[2] = v->code, vals[3] = v->number;
	vals[4] = v->effective, vals[5] = v->expires, vals[6] = v->url, vals[7] = v->org;
	if (outsz == 0)
		return ec_err_set(EC_ERR_ARG, "no room to expand the template text");
	for (const char *s = text; *s != '\0'; s++) {
		const char *add = s;
		size_t addlen = 1;

		if ((s[0] == '{' && s[1] == '{') || (s[0] == '}' && s[1] == '}')) {
			s++;
		} else if (s[0] == '{') {
			const char *end = strchr(s, '}');
			size_t k, nlen = end ? (size_t)(end - s - 1) : 0;

			for (k = 0; k < 8; k++)
				if (end && strlen(placeholders[k]) == nlen && memcmp(placeholders[k], s + 1, nlen) == 0)
					break;
			if (k == 8)
				return ec_err_set(EC_ERR_SYNTAX, "bad placeholder in template text \"%s\"", text);
			add = vals[k] ? vals[k] : "";
			addlen = strlen(add);
			s = end;
		} else if (s[0] == '}') {
			return ec_err_set(EC_ERR_SYNTAX, "stray '}' in template text \"%s\"", text);
		}
		if (addlen >= outsz - o)
			return ec_err_set(EC_ERR_TOOBIG, "expanded text of \"%s\" is over %zu bytes", text, outsz - 1);
		memcpy(out + o, add, addlen);
		o += addlen;
	}
	out[o] = '\0';
	return 0;
}
