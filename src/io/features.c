/* features.c -- feature tables of 10x, STARsolo and kallisto|bustools. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "features_internal.h"
#include "lines.h"

#define GENE_EXPRESSION "Gene Expression"

void dorm_features_free(dorm_features_t *f)
{
    if (!f)
        return;
    for (int64_t i = 0; i < f->n; i++) {
        if (f->names && f->names[i] != f->ids[i])
            free(f->names[i]);
        free(f->ids[i]);
    }
    free(f->ids);
    free(f->names);
    for (int i = 0; i < f->n_dropped_types; i++)
        free(f->dropped_types[i]);
    free(f->dropped_types);
    for (int i = 0; i < f->n_kept_types; i++)
        free(f->kept_types[i]);
    free(f->kept_types);
    memset(f, 0, sizeof *f);
}

/* Add s to a small list of distinct strings. */
static int add_distinct(char ***list, int *n, const char *s)
{
    for (int i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return 0;
    char **l = realloc(*list, (size_t)(*n + 1) * sizeof *l);
    if (!l)
        return -1;
    *list = l;
    if (!(l[*n] = strdup(s)))
        return -1;
    (*n)++;
    return 0;
}

static int is_ensembl(const char *s)
{
    if (strncmp(s, "ENS", 3) != 0)
        return 0;
    const char *p = s + 3;
    while (*p >= 'A' && *p <= 'Z')
        p++;
    if (*p < '0' || *p > '9')
        return 0;
    while ((*p >= '0' && *p <= '9'))
        p++;
    return *p == '\0' || *p == '.';
}

dorm_id_type_t dorm_features_guess_id_type(const dorm_features_t *f)
{
    int64_t ens = 0;
    for (int64_t i = 0; i < f->n; i++)
        ens += is_ensembl(f->ids[i]);
    if (f->n > 0 && ens * 2 > f->n)
        return DORM_ID_ENSEMBL;
    int64_t numeric = 0;
    for (int64_t i = 0; i < f->n; i++)
        numeric += strspn(f->ids[i], "0123456789") == strlen(f->ids[i]);
    return f->n > 0 && numeric * 2 > f->n ? DORM_ID_OTHER : DORM_ID_SYMBOL;
}

int dorm_features_read(const char *path, int keep_all_types, dorm_features_t *f,
                       int32_t **row_map, int64_t *n_rows, dorm_err_t *err)
{
    memset(f, 0, sizeof *f);
    *row_map = NULL;
    *n_rows = 0;
    dorm_lines_t *lr = NULL;
    int rc = dorm_lines_open(&lr, path, err);
    if (rc < 0)
        return rc;
    int64_t cap = 0, rows = 0;
    int32_t *map = NULL;
    char *line;
    size_t len;
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        if (len == 0) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: empty feature line", path,
                              (long long)dorm_lines_number(lr));
            goto fail;
        }
        char *id = line, *name = NULL, *type = NULL;
        char *tab = strchr(id, '\t');
        if (tab) {
            *tab = '\0';
            name = tab + 1;
            if ((tab = strchr(name, '\t'))) {
                *tab = '\0';
                type = tab + 1;
                if ((tab = strchr(type, '\t')))
                    *tab = '\0';
            }
        }
        if (rows >= INT32_MAX) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: more than %d features", path, INT32_MAX);
            goto fail;
        }
        void *const arrays[] = {&map, &f->ids, &f->names};
        const size_t sizes[] = {sizeof *map, sizeof *f->ids, sizeof *f->names};
        if (dorm_grow_all(arrays, sizes, 3, &cap, rows + 1, 1024) < 0) {
            rc = dorm_err_nomem(err);
            goto fail;
        }
        const char *kind = type && *type ? type : GENE_EXPRESSION;
        int keep = keep_all_types || strcmp(kind, GENE_EXPRESSION) == 0;
        if (add_distinct(keep ? &f->kept_types : &f->dropped_types,
                         keep ? &f->n_kept_types : &f->n_dropped_types, kind) < 0) {
            rc = dorm_err_nomem(err);
            goto fail;
        }
        if (!keep) {
            map[rows++] = -1;
            f->n_dropped++;
            continue;
        }
        f->ids[f->n] = strdup(id);
        f->names[f->n] = name && *name ? strdup(name) : f->ids[f->n];
        if (!f->ids[f->n] || !f->names[f->n]) {
            if (f->names[f->n] != f->ids[f->n])
                free(f->names[f->n]);
            free(f->ids[f->n]);
            rc = dorm_err_nomem(err);
            goto fail;
        }
        map[rows++] = (int32_t)f->n++;
    }
    if (rc < 0)
        goto fail;
    if (rows == 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: empty feature table", path);
        goto fail;
    }
    dorm_lines_close(lr);
    f->id_type = dorm_features_guess_id_type(f);
    *row_map = map;
    *n_rows = rows;
    return 0;
fail:
    dorm_lines_close(lr);
    free(map);
    dorm_features_free(f);
    return rc;
}

int dorm_features_build(dorm_features_t *f, char *const *ids, char *const *names,
                        char *const *types, int64_t n, int keep_all_types, int32_t **row_map,
                        dorm_err_t *err)
{
    memset(f, 0, sizeof *f);
    *row_map = malloc((size_t)(n ? n : 1) * sizeof **row_map);
    f->ids = calloc((size_t)(n ? n : 1), sizeof *f->ids);
    f->names = calloc((size_t)(n ? n : 1), sizeof *f->names);
    if (!*row_map || !f->ids || !f->names)
        goto nomem;
    for (int64_t i = 0; i < n; i++) {
        const char *kind = types && types[i] && *types[i] ? types[i] : GENE_EXPRESSION;
        int keep = keep_all_types || strcmp(kind, GENE_EXPRESSION) == 0;
        if (add_distinct(keep ? &f->kept_types : &f->dropped_types,
                         keep ? &f->n_kept_types : &f->n_dropped_types, kind) < 0)
            goto nomem;
        if (!keep) {
            (*row_map)[i] = -1;
            f->n_dropped++;
            continue;
        }
        const char *name = names && names[i] && *names[i] ? names[i] : ids[i];
        if (!(f->ids[f->n] = strdup(ids[i])))
            goto nomem;
        f->names[f->n] = strcmp(name, ids[i]) == 0 ? f->ids[f->n] : strdup(name);
        if (!f->names[f->n]) {
            f->names[f->n] = f->ids[f->n];
            f->n++;
            goto nomem;
        }
        (*row_map)[i] = (int32_t)f->n++;
    }
    f->id_type = dorm_features_guess_id_type(f);
    return 0;
nomem:
    free(*row_map);
    *row_map = NULL;
    dorm_features_free(f);
    return dorm_err_nomem(err);
}
