/* alias.c -- organism detection and the shipped alias table. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/strmap.h"
#include "geneset_internal.h"

static const char *const kind_names[N_KINDS] = {"human_symbol", "human_ensembl", "mouse_symbol",
                                                 "mouse_ensembl"};

int dorm_aliases_known(const dorm_aliases_t *a, const char *token)
{
    return dorm_strmap_get(&a->known, token) >= 0;
}

const char *dorm_species_name(dorm_species_t s) { return s == DORM_SPECIES_MOUSE ? "mouse" : "human"; }

dorm_species_t dorm_species_guess(const dorm_features_t *f)
{
    int64_t human = 0, mouse = 0;
    for (int64_t i = 0; i < f->n; i++) {
        if (strncmp(f->ids[i], "ENSMUSG", 7) == 0)
            mouse++;
        else if (strncmp(f->ids[i], "ENSG", 4) == 0)
            human++;
        const char *s = f->names[i];
        if (strncmp(s, "ENS", 3) == 0 || !isupper((unsigned char)s[0]))
            continue; /* no symbol to judge by (an id only, or not a gene name) */
        int lower = 0, upper = 0;
        for (const char *p = s + 1; *p; p++) {
            lower += islower((unsigned char)*p) != 0;
            upper += isupper((unsigned char)*p) != 0;
        }
        if (lower && !upper)
            mouse++;
        else if (upper >= 2 && !lower)
            human++;
    }
    return mouse > human ? DORM_SPECIES_MOUSE : DORM_SPECIES_HUMAN;
}

void dorm_aliases_destroy(dorm_aliases_t *a)
{
    if (!a)
        return;
    for (int64_t i = 0; i < a->n; i++)
        free(a->a[i].alias);
    free(a->a);
    dorm_strmap_destroy(&a->first);
    dorm_strmap_destroy(&a->known);
    free(a);
}

int dorm_aliases_load(dorm_aliases_t **out, dorm_err_t *err)
{
    *out = NULL;
    size_t len;
    const char *text = dorm_panel_builtin_text("gene_ids", &len);
    if (!text)
        return dorm_err_set(err, DORM_E_USAGE, "no built-in gene_ids table");
    dorm_aliases_t *a = calloc(1, sizeof *a);
    if (!a)
        return dorm_err_nomem(err);
    dorm_strmap_init(&a->first);
    dorm_strmap_init(&a->known);
    int64_t cap = 0;
    int64_t *last = NULL; /* last alias index per symbol slot, parallel to a->a */
    const char *p = text, *end = text + len;
    int header = 1;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *t1 = memchr(p, '\t', (size_t)(eol - p));
        const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(eol - t1 - 1)) : NULL;
        if (header || !t2) {
            header = 0;
            p = eol + 1;
            continue;
        }
        char sym[256], kind[32];
        snprintf(sym, sizeof sym, "%.*s", (int)(t1 - p), p);
        snprintf(kind, sizeof kind, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
        int k = -1;
        for (int i = 0; i < N_KINDS; i++)
            if (strcmp(kind, kind_names[i]) == 0)
                k = i;
        if (k >= 0) {
            void *const arrays[] = {&a->a, &last};
            const size_t sizes[] = {sizeof *a->a, sizeof *last};
            if (dorm_grow_all(arrays, sizes, 2, &cap, a->n + 1, 4096) < 0)
                goto nomem;
            alias_t *x = &a->a[a->n];
            x->kind = k;
            x->next = -1;
            if (!(x->alias = strndup(t2 + 1, (size_t)(eol - t2 - 1))))
                goto nomem;
            if (dorm_strmap_put(&a->known, sym, 0) < 0 || dorm_strmap_put(&a->known, x->alias, 0) < 0)
                goto nomem;
            int64_t head = dorm_strmap_get(&a->first, sym);
            if (head < 0) {
                if (dorm_strmap_put(&a->first, sym, a->n) < 0)
                    goto nomem;
                last[a->n] = a->n;
            } else {
                a->a[last[head]].next = a->n;
                last[head] = a->n;
            }
            a->n++;
        }
        p = eol + 1;
    }
    free(last);
    *out = a;
    return 0;
nomem:
    free(last);
    dorm_aliases_destroy(a);
    return dorm_err_nomem(err);
}
