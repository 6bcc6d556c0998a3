/*
 * The certificate designs a catalogue names (lib/render/designs.c): NAME.tpl found along the
 * templates search path, loaded with its fonts on first use and kept; shared by threads.
 */
#ifndef EC_DESIGNS_H
#define EC_DESIGNS_H

#include <stddef.h>
#include "buf.h"
#include "font.h"
#include "types.h"

struct ec_designs;

/*
 * The search path for state directory dir: $ECERT_TEMPLATES, DIR/templates, the installed data
 * directory, ./templates, the source tree's templates/. Free with ec_designs_free.
 */
int ec_designs_new(const char *dir, struct ec_designs **out);
void ec_designs_free(struct ec_designs *d);

/*
 * The first folder on dir's search path holding rel ("associate.tpl", "mail/issued.en.txt"): path
 * gets the file, folder (may be NULL) the folder. EC_ERR_NOTFOUND naming every place looked in.
 */
int ec_designs_locate(const char *dir, const char *rel, char *path, size_t size, char *folder, size_t foldersz);

/* The fonts of design name; an ec_app_rules fonts callback (ctx: the struct ec_designs). */
int ec_designs_fonts(void *ctx, const char *name, const struct ec_fonts **out);

/*
 * Render e with design name (ec_render_pdf's arguments and result). Threads may call it together:
 * each design keeps up to 8 renderers (a renderer serves one document at a time); a ninth caller
 * waits for one to be free.
 */
int ec_designs_render(struct ec_designs *d, const char *name, const struct ec_ecert *e, const char *org,
    const char *qr_payload, const char *url, const unsigned char *der, size_t derlen, unsigned char **pdf,
    size_t *len);

/*
 * The holder's name as design name prints it (the font chain of its {name} item, shaped, in its
 * colour), appended to out as an inline <svg>: what a candidate checks before applying.
 */
int ec_designs_name_svg(struct ec_designs *d, const char *name, const char *holder, struct ec_buf *out);

#endif
