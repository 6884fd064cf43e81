/* gmt.c -- MSigDB GMT gene-set files and the set list they fill. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/sha256.h"
#include "core/strmap.h"
#include "core/text.h"
#include "dormscan/geneset.h"
#include "dormscan/log.h"

void dorm_geneset_list_init(dorm_geneset_list_t *l) { memset(l, 0, sizeof *l); }

static void set_free(dorm_geneset_t *s)
{
    for (int i = 0; i < s->n_genes; i++)
        free(s->genes[i]);
    free(s->genes);
    free(s->sign);
    free(s->name);
    free(s->description);
}

void dorm_geneset_list_destroy(dorm_geneset_list_t *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        set_free(&l->sets[i]);
    free(l->sets);
    for (int i = 0; i < l->n_sources; i++)
        free(l->sources[i].path);
    free(l->sources);
    memset(l, 0, sizeof *l);
}

const dorm_geneset_t *dorm_geneset_find(const dorm_geneset_list_t *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->sets[i].name, name) == 0)
            return &l->sets[i];
    return NULL;
}

/* Append an empty set; returns it or NULL on allocation failure. */
static dorm_geneset_t *new_set(dorm_geneset_list_t *l, const char *name, const char *desc,
                               int source)
{
    int64_t cap = l->cap;
    if (dorm_grow(&l->sets, &cap, l->n + 1, sizeof *l->sets, 16) < 0)
        return NULL;
    l->cap = (int)cap;
    dorm_geneset_t *s = &l->sets[l->n];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    s->description = strdup(desc);
    s->source = source;
    if (!s->name || !s->description) {
        set_free(s);
        return NULL;
    }
    l->n++;
    return s;
}

/* Add a member unless present with the same sign; -1 on allocation failure. */
/* Add a member unless the set has it already with that sign; seen holds
 * the set's "+GENE"/"-GENE" keys (a linear scan made large sets quadratic). */
static int add_member(dorm_geneset_t *s, dorm_strmap_t *seen, const char *gene, size_t len,
                      int sign)
{
    char small[256], *key = len + 2 <= sizeof small ? small : malloc(len + 2);
    if (!key)
        return -1;
    key[0] = sign < 0 ? '-' : '+';
    memcpy(key + 1, gene, len);
    key[len + 1] = '\0';
    int fresh = dorm_strmap_put(seen, key, s->n_genes);
    if (key != small)
        free(key);
    if (fresh <= 0)
        return fresh; /* 0: present already; -1: out of memory */
    char **g = realloc(s->genes, (size_t)(s->n_genes + 1) * sizeof *g);
    if (!g)
        return -1;
    s->genes = g;
    int8_t *sg = realloc(s->sign, (size_t)(s->n_genes + 1));
    if (!sg)
        return -1;
    s->sign = sg;
    if (!(g[s->n_genes] = strndup(gene, len)))
        return -1;
    sg[s->n_genes++] = (int8_t)sign;
    return 0;
}

static int add_source(dorm_geneset_list_t *l, const char *label, const char *text, size_t len)
{
    dorm_geneset_source_t *s = realloc(l->sources, (size_t)(l->n_sources + 1) * sizeof *s);
    if (!s)
        return -1;
    l->sources = s;
    s = &l->sources[l->n_sources];
    if (!(s->path = strdup(label)))
        return -1;
    dorm_sha256_t h;
    dorm_sha256_init(&h);
    dorm_sha256_update(&h, text, len);
    dorm_sha256_final_hex(&h, s->sha256);
    return l->n_sources++;
}

static int has_suffix_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcasecmp(s + n - m, suffix) == 0;
}

/* For every NAME_UP with a NAME_DN among sets [from, n), add signed NAME. */
static int pair_up_down(dorm_geneset_list_t *l, int from, const char *label, dorm_err_t *err)
{
    int end = l->n;
    for (int i = from; i < end; i++) {
        if (!has_suffix_ci(l->sets[i].name, "_UP"))
            continue;
        size_t base_len = strlen(l->sets[i].name) - 3;
        const dorm_geneset_t *dn = NULL;
        for (int j = from; j < end && !dn; j++)
            if (strlen(l->sets[j].name) == base_len + 3 &&
                strncmp(l->sets[j].name, l->sets[i].name, base_len) == 0 &&
                has_suffix_ci(l->sets[j].name, "_DN"))
                dn = &l->sets[j];
        if (!dn)
            continue;
        char *base = strndup(l->sets[i].name, base_len);
        if (!base)
            return dorm_err_nomem(err);
        if (dorm_geneset_find(l, base)) {
            dorm_log(DORM_LOG_WARN, "%s: %s already exists; not adding the signed set from %s/%s",
                     label, base, l->sets[i].name, dn->name);
            free(base);
            continue;
        }
        char desc[512];
        snprintf(desc, sizeof desc, "signed set: %s up, %s down", l->sets[i].name, dn->name);
        int dn_index = (int)(dn - l->sets);
        dorm_geneset_t *s = new_set(l, base, desc, l->sets[i].source);
        free(base);
        if (!s)
            return dorm_err_nomem(err);
        const dorm_geneset_t *up = &l->sets[i], *down = &l->sets[dn_index];
        dorm_strmap_t seen;
        dorm_strmap_init(&seen);
        int rc = 0;
        for (int k = 0; rc == 0 && k < up->n_genes; k++)
            rc = add_member(s, &seen, up->genes[k], strlen(up->genes[k]), up->sign[k]);
        for (int k = 0; rc == 0 && k < down->n_genes; k++)
            rc = add_member(s, &seen, down->genes[k], strlen(down->genes[k]), -down->sign[k]);
        dorm_strmap_destroy(&seen);
        if (rc < 0)
            return dorm_err_nomem(err);
    }
    return 0;
}

int dorm_gmt_parse(dorm_geneset_list_t *l, const char *text, size_t len, const char *label,
                   dorm_err_t *err)
{
    int source = add_source(l, label, text, len);
    if (source < 0)
        return dorm_err_nomem(err);
    int first = l->n;
    const char *p = text, *end = text + len;
    long line_no = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line_no++;
        const char *q = p, *lend = eol;
        p = eol + 1;
        if (lend > q && lend[-1] == '\r')
            lend--;
        if (line_no == 1 && lend - q >= 3 && memcmp(q, "\xEF\xBB\xBF", 3) == 0)
            q += 3;
        if (q == lend || *q == '#')
            continue;
        if ((size_t)(lend - q) > DORM_LINE_MAX) /* the limit of every line-based reader */
            return dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: line longer than %zu bytes", label,
                                line_no, DORM_LINE_MAX);
        if (memchr(q, '\0', (size_t)(lend - q)))
            return dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: NUL byte in a text file", label,
                                line_no);
        const char *t1 = memchr(q, '\t', (size_t)(lend - q));
        const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(lend - t1 - 1)) : NULL;
        if (!t2)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s line %ld: expected NAME<TAB>DESCRIPTION<TAB>GENE...", label,
                                line_no);
        if (t1 == q)
            return dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: empty set name", label, line_no);
        char name[1024], desc[4096];
        snprintf(name, sizeof name, "%.*s", (int)(t1 - q), q);
        snprintf(desc, sizeof desc, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
        if (dorm_geneset_find(l, name))
            return dorm_err_set(err, DORM_E_USAGE, "%s line %ld: gene set %s is defined twice",
                                label, line_no, name);
        dorm_geneset_t *s = new_set(l, name, desc, source);
        if (!s)
            return dorm_err_nomem(err);
        dorm_strmap_t seen;
        dorm_strmap_init(&seen);
        int rc = 0;
        for (const char *g = t2 + 1; rc == 0 && g <= lend;) {
            const char *ge = memchr(g, '\t', (size_t)(lend - g));
            if (!ge)
                ge = lend;
            size_t glen = (size_t)(ge - g);
            while (glen > 0 && isspace((unsigned char)g[glen - 1]))
                glen--;
            while (glen > 0 && isspace((unsigned char)*g))
                g++, glen--;
            int sign = 1;
            if (glen > 1 && (g[glen - 1] == '+' || g[glen - 1] == '-')) {
                sign = g[glen - 1] == '-' ? -1 : 1;
                glen--;
            }
            if (glen > 0)
                rc = add_member(s, &seen, g, glen, sign);
            g = ge + 1;
        }
        dorm_strmap_destroy(&seen);
        if (rc < 0)
            return dorm_err_nomem(err);
        if (s->n_genes == 0)
            return dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: gene set %s has no genes", label,
                                line_no, name);
    }
    return pair_up_down(l, first, label, err);
}
