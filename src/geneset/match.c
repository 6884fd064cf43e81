/* match.c -- matching gene-set members to an input's features.
 *
 * Order: the symbol exactly, then the ID exactly, then the ID with an
 * Ensembl version suffix (".12") removed on both sides.  With duplicate
 * symbols the first feature wins; matches count the members that named such
 * a symbol, for a warning. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "geneset_internal.h"

struct dorm_gene_index_t {
    dorm_strmap_t symbol, id, id_stripped;
    uint8_t *symbol_repeats; /* per feature: a later feature has its symbol */
    int case_insensitive;
};

/* Copy key into buf (size n): lowercased if asked, version-stripped if asked. */
static const char *key_of(const char *s, int lower, int strip, char *buf, size_t n)
{
    size_t len = strlen(s);
    if (len >= n)
        len = n - 1;
    for (size_t i = 0; i < len; i++)
        buf[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
    buf[len] = '\0';
    if (strip && strncmp(s, "ENS", 3) == 0) {
        char *dot = strrchr(buf, '.');
        if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
            *dot = '\0';
    }
    return buf;
}

int dorm_gene_index_build(dorm_gene_index_t **out, const dorm_features_t *f, int ci,
                          dorm_err_t *err)
{
    *out = NULL;
    dorm_gene_index_t *ix = calloc(1, sizeof *ix);
    if (!ix)
        return dorm_err_nomem(err);
    ix->case_insensitive = ci;
    dorm_strmap_init(&ix->symbol);
    dorm_strmap_init(&ix->id);
    dorm_strmap_init(&ix->id_stripped);
    ix->symbol_repeats = calloc((size_t)(f->n ? f->n : 1), 1);
    char buf[1024];
    for (int64_t g = 0; g < f->n; g++) {
        int put = ix->symbol_repeats
                      ? dorm_strmap_put(&ix->symbol, key_of(f->names[g], ci, 0, buf, sizeof buf), g)
                      : -1;
        if (put == 0)
            ix->symbol_repeats[dorm_strmap_get(&ix->symbol, buf)] = 1;
        if (put < 0 || dorm_strmap_put(&ix->id, key_of(f->ids[g], ci, 0, buf, sizeof buf), g) < 0 ||
            dorm_strmap_put(&ix->id_stripped, key_of(f->ids[g], ci, 1, buf, sizeof buf), g) < 0) {
            dorm_gene_index_destroy(ix);
            return dorm_err_nomem(err);
        }
    }
    *out = ix;
    return 0;
}

/* The feature of token, or -1; *by_symbol says whether its symbol matched. */
static int64_t lookup(const dorm_gene_index_t *ix, const char *token, int *by_symbol)
{
    char buf[1024];
    int ci = ix->case_insensitive;
    int64_t g = dorm_strmap_get(&ix->symbol, key_of(token, ci, 0, buf, sizeof buf));
    *by_symbol = g >= 0;
    if (g < 0)
        g = dorm_strmap_get(&ix->id, buf);
    if (g < 0)
        g = dorm_strmap_get(&ix->id_stripped, key_of(token, ci, 1, buf, sizeof buf));
    return g;
}

int64_t dorm_gene_index_lookup(const dorm_gene_index_t *ix, const char *token)
{
    int by_symbol;
    return lookup(ix, token, &by_symbol);
}

void dorm_gene_index_destroy(dorm_gene_index_t *ix)
{
    if (!ix)
        return;
    dorm_strmap_destroy(&ix->symbol);
    dorm_strmap_destroy(&ix->id);
    dorm_strmap_destroy(&ix->id_stripped);
    free(ix->symbol_repeats);
    free(ix);
}

/* Feature index of token through its aliases for a species, or -1. */
static int64_t alias_lookup(const dorm_aliases_t *a, const dorm_gene_index_t *ix,
                            const char *token, dorm_species_t species)
{
    int64_t head = dorm_strmap_get(&a->first, token);
    if (head < 0)
        return -1;
    int kinds[2] = {K_HUMAN_SYMBOL, K_HUMAN_ENSEMBL};
    if (species == DORM_SPECIES_MOUSE) {
        kinds[0] = K_MOUSE_SYMBOL;
        kinds[1] = K_MOUSE_ENSEMBL;
    }
    for (int k = 0; k < 2; k++)
        for (int64_t i = head; i >= 0; i = a->a[i].next)
            if (a->a[i].kind == kinds[k]) {
                int64_t g = dorm_gene_index_lookup(ix, a->a[i].alias);
                if (g >= 0)
                    return g;
            }
    return -1;
}

int dorm_match_set(dorm_match_t *m, const dorm_geneset_t *s, const dorm_gene_index_t *ix,
                   const dorm_aliases_t *aliases, dorm_species_t species, dorm_err_t *err)
{
    memset(m, 0, sizeof *m);
    int n = s->n_genes;
    m->gene = malloc((size_t)(n ? n : 1) * sizeof *m->gene);
    m->sign = malloc((size_t)(n ? n : 1));
    m->missing = malloc((size_t)(n ? n : 1) * sizeof *m->missing);
    if (!m->gene || !m->sign || !m->missing) {
        dorm_match_destroy(m);
        return dorm_err_nomem(err);
    }
    for (int i = 0; i < n; i++) {
        int by_symbol;
        int64_t g = lookup(ix, s->genes[i], &by_symbol);
        if (g < 0 && aliases)
            g = alias_lookup(aliases, ix, s->genes[i], species);
        int dup = 0;
        for (int k = 0; k < m->n_found && g >= 0 && !dup; k++)
            dup = m->gene[k] == g && m->sign[k] == s->sign[i];
        if (dup)
            continue; /* two tokens for one feature (symbol and ID) */
        m->n_total++;
        if (g < 0) {
            m->missing[m->n_total - m->n_found - 1] = s->genes[i];
            if (s->sign[i] > 0)
                m->n_missing_up++;
            else
                m->n_missing_down++;
            continue;
        }
        if (by_symbol && ix->symbol_repeats[g] && !m->n_repeated++)
            m->repeated = s->genes[i];
        m->gene[m->n_found] = (int32_t)g;
        m->sign[m->n_found++] = s->sign[i];
    }
    return 0;
}

void dorm_match_destroy(dorm_match_t *m)
{
    if (!m)
        return;
    free(m->gene);
    free(m->sign);
    free(m->missing);
    memset(m, 0, sizeof *m);
}
