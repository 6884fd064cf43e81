/* geneset_internal.h -- what the files of src/geneset share: the alias
 * table's layout (filled by alias.c, searched by match.c). */
#ifndef DORM_GENESET_INTERNAL_H
#define DORM_GENESET_INTERNAL_H

#include <stdint.h>

#include "core/strmap.h"
#include "dormscan/geneset.h"

/* Alias kinds, in the order they are tried. */
enum { K_HUMAN_SYMBOL, K_HUMAN_ENSEMBL, K_MOUSE_SYMBOL, K_MOUSE_ENSEMBL, N_KINDS };

typedef struct alias_t {
    int kind;
    char *alias;
    int64_t next; /* next alias of the same symbol, or -1 */
} alias_t;

struct dorm_aliases_t {
    dorm_strmap_t first; /* symbol -> index of its first alias */
    dorm_strmap_t known; /* every symbol and alias */
    alias_t *a;
    int64_t n;
};

#endif
