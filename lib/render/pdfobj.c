/* libharu's object layer (its installed internal headers) for fonts from memory, attachments and Info text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_encoder.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_namedict.h>
#include <hpdf_objects.h>
#include <hpdf_utils.h>

#include "digest.h"
#include "font.h"
#include "pdfobj.h"
#include "utf8.h"

/*
 * libharu 2.3.0 fills and copies memory a byte at a time (HPDF_MemSet and HPDF_MemCpy, hpdf_utils.c):
 * clearing the 128 KB map every CID font gets, and its encoders' 256 KB of tables, took 17 % of an
 * e-Cert's time. libharu calls both through its procedure linkage table, so these definitions, with
 * the same contract (the end pointer is returned), take their place in every program that renders.
 */
void *
HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
	/* libharu's loop touches nothing for n = 0, whatever s is; memset takes no null pointer. */
	return n == 0 ? s : (HPDF_BYTE *)memset(s, c, n) + n;
}

HPDF_BYTE *
HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n)
{
	return n == 0 ? out : (HPDF_BYTE *)memmove(out, in, n) + n;
}

/*
 * The last index of the run from i where code and character both rise by one, each within one high
 * byte (a bfrange line may not cross one).
 */
static size_t
run_end(const uint32_t *cps, size_t n, size_t i)
{
	size_t j = i;

	while (j + 1 < n && cps[j + 1] == cps[j] + 1 && (cps[j + 1] >> 8) == (cps[i] >> 8) &&
	    (EC_FONT_CODE(j + 1) >> 8) == (EC_FONT_CODE(i) >> 8))
		j++;
	return j;
}

/*
 * libharu gives a Type 0 font its encoding CMap as /ToUnicode, which is no ToUnicode map (poppler
 * warns on every page). Write the real one: code EC_FONT_CODE(i) is the character cps[i].
 */
static HPDF_STATUS
to_unicode(HPDF_Font font, const uint32_t *cps, size_t n)
{
	static const char head[] = "/CIDInit/ProcSet findresource begin\n12 dict begin\nbegincmap\n"
	    "/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def\n/CMapName/Adobe-Identity-UCS def\n"
	    "/CMapType 2 def\n1 begincodespacerange\n<0000><FFFF>\nendcodespacerange\n";
	static const char tail[] = "endcmap\nCMapName currentdict/CMap defineresource pop\nend\nend\n";
	static const char *const keys[] = { "Type", "CMapName", "CIDSystemInfo", "WMode" };
	HPDF_Dict cm = ((HPDF_FontAttr)font->attr)->cmap_stream;
	size_t lo[100], hi[100], i = 0;
	HPDF_STATUS ret;
	char line[48];

	if (cm == NULL)
		return HPDF_OK;
	HPDF_MemStream_FreeData(cm->stream);
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		HPDF_Dict_RemoveElement(cm, keys[k]);
	if ((ret = HPDF_Stream_WriteStr(cm->stream, head)) != HPDF_OK)
		return ret;
	/* Lone characters go in bfchar blocks, runs in bfrange blocks; at most 100 lines to a block. */
	while (i < n) {
		int single = run_end(cps, n, i) == i;
		size_t m = 0;

		for (size_t j = i; j < n && m < 100; m++) {
			size_t e = run_end(cps, n, j);

			if ((e == j) != single)
				break;
			lo[m] = j, hi[m] = e, j = e + 1;
		}
		i = hi[m - 1] + 1;
		snprintf(line, sizeof line, single ? "%zu beginbfchar\n" : "%zu beginbfrange\n", m);
		ret = HPDF_Stream_WriteStr(cm->stream, line);
		for (size_t k = 0; k < m && ret == HPDF_OK; k++) {
			if (single)
				snprintf(line, sizeof line, "<%04X><%04X>\n", EC_FONT_CODE(lo[k]), (unsigned)cps[lo[k]]);
			else
				snprintf(line, sizeof line, "<%04X><%04X><%04X>\n", EC_FONT_CODE(lo[k]), EC_FONT_CODE(hi[k]),
				    (unsigned)cps[lo[k]]);
			ret = HPDF_Stream_WriteStr(cm->stream, line);
		}
		if (ret != HPDF_OK ||
		    (ret = HPDF_Stream_WriteStr(cm->stream, single ? "endbfchar\n" : "endbfrange\n")) != HPDF_OK)
			return ret;
	}
	return HPDF_Stream_WriteStr(cm->stream, tail);
}

static HPDF_BOOL
any_byte(HPDF_Encoder encoder, HPDF_BYTE b)
{
	(void)encoder, (void)b;
	return HPDF_TRUE;
}

HPDF_STATUS
ec_pdfobj_encoder(HPDF_Doc pdf, size_t n)
{
	HPDF_Encoder enc;
	HPDF_CMapEncoderAttr a;
	HPDF_STATUS ret;

	if ((enc = HPDF_CMapEncoder_New(pdf->mmgr, (char *)EC_PDFOBJ_ENCODER, NULL)) == NULL)
		return HPDF_GetError(pdf);
	if ((ret = HPDF_CMapEncoder_InitAttr(enc)) != HPDF_OK) {
		HPDF_Encoder_Free(enc);
		return ret;
	}
	a = (HPDF_CMapEncoderAttr)enc->attr;
	/* Codes are CIDs (Identity-H), and each font's character map knows its codes. */
	for (size_t i = 0; i < n; i++) {
		unsigned c = EC_FONT_CODE(i);

		a->cid_map[c & 0xff][c >> 8] = (HPDF_UINT16)c;
		a->unicode_map[c & 0xff][c >> 8] = (HPDF_UNICODE)c;
	}
	a->is_lead_byte_fn = any_byte;
	a->is_trial_byte_fn = any_byte;
	strcpy(a->registry, "Adobe");
	strcpy(a->ordering, "Identity-H");
	a->writing_mode = HPDF_WMODE_HORIZONTAL;
	enc->type = HPDF_ENCODER_TYPE_DOUBLE_BYTE;
	return HPDF_Doc_RegisterEncoder(pdf, enc);
}

/*
 * The font's descriptor, made before libharu would make it at save time (it then keeps this one):
 * its /FontFile2 is the embedded program given, where libharu would write back every table it read.
 */
static HPDF_STATUS
descriptor(HPDF_Doc pdf, HPDF_FontDef def, const struct ec_pdfobj_prog *p)
{
	HPDF_TTFontDefAttr a = (HPDF_TTFontDefAttr)def->attr;
	HPDF_Dict d, file;
	HPDF_STATUS ret = HPDF_OK;

	if (def->descriptor != NULL)
		return HPDF_OK;
	if ((file = HPDF_DictStream_New(pdf->mmgr, pdf->xref)) == NULL || (d = HPDF_Dict_New(pdf->mmgr)) == NULL)
		return HPDF_GetError(pdf);
	file->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	ret += HPDF_Stream_Write(file->stream, p->embed, (HPDF_UINT)p->embed_len);
	ret += HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)p->embed_len);
	ret += HPDF_Xref_Add(pdf->xref, d);
	ret += HPDF_Dict_AddName(d, "Type", "FontDescriptor");
	ret += HPDF_Dict_AddName(d, "FontName", a->base_font);
	ret += HPDF_Dict_AddNumber(d, "Flags", (HPDF_INT32)def->flags);
	ret += HPDF_Dict_Add(d, "FontBBox", HPDF_Box_Array_New(pdf->mmgr, def->font_bbox));
	ret += HPDF_Dict_AddNumber(d, "ItalicAngle", def->italic_angle);
	ret += HPDF_Dict_AddNumber(d, "Ascent", def->ascent);
	ret += HPDF_Dict_AddNumber(d, "Descent", def->descent);
	ret += HPDF_Dict_AddNumber(d, "CapHeight", p->cap_height);
	ret += HPDF_Dict_AddNumber(d, "StemV", def->stemv);
	ret += HPDF_Dict_Add(d, "FontFile2", file);
	if (ret != HPDF_OK)
		return HPDF_GetError(pdf) != HPDF_OK ? HPDF_GetError(pdf) : HPDF_FAILD_TO_ALLOC_MEM;
	def->descriptor = d;
	return HPDF_OK;
}

HPDF_Font
ec_pdfobj_font(HPDF_Doc pdf, const struct ec_pdfobj_prog *p, const uint32_t *cps, size_t n)
{
	HPDF_Font font;
	unsigned char h[EC_SHA256_LEN];
	char tag[HPDF_TTF_FONT_TAG_LEN + 1];
	HPDF_Stream s;
	HPDF_FontDef def, known;
	HPDF_Dict cid, info;

	if (ec_sha256(p->read, p->read_len, h) != 0)
		return NULL;
	for (int i = 0; i < HPDF_TTF_FONT_TAG_LEN; i++)
		tag[i] = (char)('A' + h[i] % 26);
	tag[HPDF_TTF_FONT_TAG_LEN] = '\0';
	/*
	 * One buffer larger than the program: libharu's memory stream fails a seek to exactly its end
	 * when that is a buffer boundary, and it seeks there for an empty last glyph.
	 */
	if ((s = HPDF_MemStream_New(pdf->mmgr, (HPDF_UINT)p->read_len + 4)) == NULL)
		return NULL;
	if (HPDF_Stream_Write(s, p->read, (HPDF_UINT)p->read_len) != HPDF_OK) {
		HPDF_Stream_Free(s);
		return NULL;
	}
	/* The definition owns the stream from here on, and writes the program from it when saved. */
	if ((def = HPDF_TTFontDef_Load(pdf->mmgr, s, HPDF_TRUE)) == NULL)
		return NULL;
	HPDF_TTFontDef_SetTagName(def, tag);
	/* Look the font up by its tagged name: a second font with the same PostScript name is another font. */
	memcpy(def->base_font, ((HPDF_TTFontDefAttr)def->attr)->base_font, sizeof def->base_font);
	if ((known = HPDF_Doc_FindFontDef(pdf, def->base_font)) != NULL) {
		/* The same program is in this document already (a copy of a font file under another path). */
		HPDF_FontDef_Free(def);
		def = known;
	} else if (HPDF_Doc_RegisterFontDef(pdf, def) != HPDF_OK) {
		return NULL;
	}
	if ((font = HPDF_GetFont(pdf, def->base_font, EC_PDFOBJ_ENCODER)) == NULL || to_unicode(font, cps, n) != HPDF_OK ||
	    descriptor(pdf, def, p) != HPDF_OK)
		return NULL;
	/* Vertical metrics: text here is horizontal. */
	cid = ((HPDF_FontAttr)font->attr)->descendant_font;
	HPDF_Dict_RemoveElement(cid, "DW2");
	/* libharu names the ordering after the encoding; the character collection is Identity. */
	if ((info = HPDF_Dict_GetItem(cid, "CIDSystemInfo", HPDF_OCLASS_DICT)) == NULL ||
	    HPDF_Dict_Add(info, "Ordering", HPDF_String_New(pdf->mmgr, "Identity", NULL)) != HPDF_OK)
		return NULL;
	return font;
}

HPDF_STATUS
ec_pdfobj_attach(HPDF_Doc pdf, const char *name, const char *mime, const char *desc, const unsigned char *data,
    size_t len)
{
	HPDF_NameDict names = HPDF_Catalog_GetNames(pdf->catalog);
	HPDF_NameTree tree;
	HPDF_Dict spec, ef, file, params;
	HPDF_STATUS ret = HPDF_OK;

	if (names == NULL) {
		if ((names = HPDF_NameDict_New(pdf->mmgr, pdf->xref)) == NULL)
			return HPDF_GetError(pdf);
		if ((ret = HPDF_Catalog_SetNames(pdf->catalog, names)) != HPDF_OK)
			return ret;
	}
	if ((tree = HPDF_NameDict_GetNameTree(names, HPDF_NAME_EMBEDDED_FILES)) == NULL) {
		if ((tree = HPDF_NameTree_New(pdf->mmgr, pdf->xref)) == NULL)
			return HPDF_GetError(pdf);
		if ((ret = HPDF_NameDict_SetNameTree(names, HPDF_NAME_EMBEDDED_FILES, tree)) != HPDF_OK)
			return ret;
	}
	if ((file = HPDF_DictStream_New(pdf->mmgr, pdf->xref)) == NULL || (params = HPDF_Dict_New(pdf->mmgr)) == NULL ||
	    (spec = HPDF_Dict_New(pdf->mmgr)) == NULL || (ef = HPDF_Dict_New(pdf->mmgr)) == NULL)
		return HPDF_GetError(pdf);
	/* Stored as is: a signed DER is its keys and signature, which deflate makes longer, not shorter. */
	file->filter = HPDF_STREAM_FILTER_NONE;
	ret += HPDF_Dict_AddName(file, "Type", "EmbeddedFile");
	ret += HPDF_Dict_AddName(file, "Subtype", mime);
	ret += HPDF_Dict_AddNumber(params, "Size", (HPDF_INT32)len);
	ret += HPDF_Dict_Add(file, "Params", params);
	ret += HPDF_Stream_Write(file->stream, data, (HPDF_UINT)len);
	ret += HPDF_Xref_Add(pdf->xref, spec);
	ret += HPDF_Dict_AddName(spec, "Type", "Filespec");
	ret += HPDF_Dict_Add(spec, "F", HPDF_String_New(pdf->mmgr, name, NULL));
	ret += HPDF_Dict_Add(spec, "UF", HPDF_String_New(pdf->mmgr, name, NULL));
	ret += HPDF_Dict_Add(spec, "Desc", HPDF_String_New(pdf->mmgr, desc, NULL));
	ret += HPDF_Dict_Add(ef, "F", file);
	ret += HPDF_Dict_Add(spec, "EF", ef);
	ret += HPDF_NameTree_Add(tree, HPDF_String_New(pdf->mmgr, name, NULL), spec);
	if (ret == HPDF_OK)
		return HPDF_OK;
	return HPDF_GetError(pdf) != HPDF_OK ? HPDF_GetError(pdf) : HPDF_FAILD_TO_ALLOC_MEM;
}

/* Whether PDFDocEncoding gives code point cp the same byte as ISO 8859-1 (and has it at all). */
static int
doc_encoded(unsigned long cp)
{
	return (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa1 && cp <= 0xff && cp != 0xad);
}

HPDF_STATUS
ec_pdfobj_info(HPDF_Doc pdf, const char *key, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t len = strlen(value), i, n = 0;
	unsigned char *u;
	HPDF_STATUS ret;
	int doc = 1;

	for (i = 0; i < len && doc;) {
		unsigned long cp;
		size_t k = ec_utf8_next(s + i, len - i, &cp);

		doc = k > 0 && doc_encoded(cp);
		i += k;
	}
	if ((u = malloc(2 + 4 * len + 1)) == NULL)
		return HPDF_FAILD_TO_ALLOC_MEM;
	if (!doc)
		u[n++] = 0xfe, u[n++] = 0xff;
	for (i = 0; i < len;) {
		unsigned long cp;
		size_t k = ec_utf8_next(s + i, len - i, &cp);

		if (k == 0)
			break;
		i += k;
		if (doc) {
			u[n++] = (unsigned char)cp;
			continue;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			u[n++] = (unsigned char)(0xd8 | cp >> 18), u[n++] = (unsigned char)(cp >> 10);
			cp = 0xdc00 | (cp & 0x3ff);
		}
		u[n++] = (unsigned char)(cp >> 8), u[n++] = (unsigned char)cp;
	}
	u[n] = '\0';
	/* pdf->info exists: libharu sets /Producer when it creates a document. */
	ret = HPDF_Dict_Add(pdf->info, key, doc ? (void *)HPDF_String_New(pdf->mmgr, (const char *)u, NULL) :
	    (void *)HPDF_Binary_New(pdf->mmgr, u, (HPDF_UINT)n));
	free(u);
	return ret;
}
