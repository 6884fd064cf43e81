/* dense.c -- dense count tables: TSV or CSV, gzip or plain.
 *
 * Genes as rows (the R/Seurat convention): a header of cell names, then one
 * line per gene with the gene in the first column (and a symbol in the second
 * when that column is not numeric); R's write.table leaves out the corner
 * cell, so the header may have one field fewer than the rows.  Cells as rows
 * is the transpose.  With orientation AUTO the axis whose names look more like
 * genes (an Ensembl ID, an ERCC spike-in or a gene of the shipped tables) is
 * the gene axis; genes as rows when undecided.  The delimiter is a tab when
 * the header has one, else a comma; surrounding double quotes are removed.
 *
 * Memory: the table is read whole and its nonzero values kept (24 bytes per
 * nonzero as read, then 12 once grouped by cell: memcsc_internal.h), then served in
 * chunks. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/strvec.h"
#include "dormscan/geneset.h"
#include "features_internal.h"
#include "lines.h"
#include "memcsc_internal.h"
#include "reader_internal.h"

typedef struct dense_t {
    char *path;
    dorm_strvec_t cells;
    memcsc_t mem;
    int64_t next_cell;
} dense_t;

static int64_t split(char *line, char delim, dorm_strvec_t *tmp)
{
    tmp->n = 0;
    for (char *p = line;;) {
        char *e = strchr(p, delim);
        if (e)
            *e = '\0';
        size_t len = strlen(p);
        if (len >= 2 && p[0] == '"' && p[len - 1] == '"') {
            p[len - 1] = '\0';
            p++;
        }
        if (dorm_grow(&tmp->s, &tmp->cap, tmp->n + 1, sizeof *tmp->s, 1024) < 0)
            return -1;
        tmp->s[tmp->n++] = p;
        if (!e)
            break;
        p = e + 1;
    }
    return tmp->n;
}

/* 1 if a line holds bytes no text table has: NUL or a control character
 * other than tab and carriage return. */
static int is_binary(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20 && c != '\t' && c != '\r')
            return 1;
    }
    return 0;
}

static int is_number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && *end == '\0';
}

/* 1 if a name looks like a gene: Ensembl ID, ERCC spike-in or a shipped gene. */
static int gene_like(const dorm_aliases_t *a, const char *s)
{
    if (strncmp(s, "ENS", 3) == 0 || strncmp(s, "ERCC-", 5) == 0)
        return 1;
    char up[128];
    size_t i = 0;
    for (; s[i] && i + 1 < sizeof up; i++)
        up[i] = (char)toupper((unsigned char)s[i]);
    up[i] = '\0';
    return dorm_aliases_known(a, s) || dorm_aliases_known(a, up);
}

/* Entries t[0..nt) were read as cell = column, gene = row (genes as rows);
 * they are swapped in place when the cells turn out to be the rows. */
static int build(dorm_reader_t *r, dense_t *d, dorm_strvec_t *row_ids, dorm_strvec_t *row_names,
                 dorm_strvec_t *col_names, memcsc_entry_t *t, int64_t nt, dorm_err_t *err)
{
    int cells_rows = r->opts.orientation == DORM_ORIENT_CELLS_ROWS;
    if (r->opts.orientation == DORM_ORIENT_AUTO) {
        dorm_aliases_t *a = NULL;
        int rc = dorm_aliases_load(&a, err);
        if (rc < 0)
            return rc;
        int64_t gr = 0, gc = 0;
        for (int64_t i = 0; i < row_ids->n; i++)
            gr += gene_like(a, row_ids->s[i]) || (row_names->n && gene_like(a, row_names->s[i]));
        for (int64_t i = 0; i < col_names->n; i++)
            gc += gene_like(a, col_names->s[i]);
        dorm_aliases_destroy(a);
        cells_rows = gc * row_ids->n > gr * col_names->n;
    }
    dorm_strvec_t *cells = cells_rows ? row_ids : col_names;
    dorm_strvec_t *ids = cells_rows ? col_names : row_ids;
    dorm_strvec_t *names = cells_rows ? NULL : (row_names->n ? row_names : NULL);
    int32_t *map = NULL;
    int rc = dorm_features_build(&r->features, ids->s, names ? names->s : NULL, NULL, ids->n,
                                 r->opts.keep_all_types, &map, err);
    if (rc < 0)
        return rc;
    free(map);
    d->cells = *cells;
    memset(cells, 0, sizeof *cells);
    int64_t n_cells = d->cells.n;
    for (int64_t k = 0; cells_rows && k < nt; k++) {
        int64_t col = t[k].cell;
        t[k].cell = t[k].gene;
        t[k].gene = (int32_t)col; /* columns fit: a line holds fewer than 2^31 fields */
    }
    if (dorm_memcsc_build(&d->mem, t, nt, n_cells) < 0) /* entries keep their order per cell */
        return dorm_err_nomem(err);
    r->info.cells_are_rows = cells_rows;
    r->info.n_cells = n_cells;
    r->info.n_rows_declared = ids->n;
    r->info.nnz_declared = nt;
    r->entries_read = nt;
    return 0;
}

static int load(dorm_reader_t *r, dense_t *d, dorm_err_t *err)
{
    dorm_lines_t *lr;
    int rc = dorm_lines_open(&lr, d->path, err);
    if (rc < 0)
        return rc;
    dorm_strvec_t header = {0}, fields = {0}, row_ids = {0}, row_names = {0}, col_names = {0};
    memcsc_entry_t *t = NULL;
    int64_t nt = 0, cap = 0, n_lead = -1, rows = 0;
    char delim = '\t', *line, *head = NULL;
    size_t len;
    int integers = 1;
    rc = dorm_lines_next(lr, &line, &len, err);
    if (rc == 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: empty file", d->path);
    if (rc < 0)
        goto done;
    if (is_binary(line, len)) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s line 1: binary data, not a text table", d->path);
        goto done;
    }
    delim = strchr(line, '\t') ? '\t' : ',';
    if (!(head = strdup(line)) || split(head, delim, &header) < 0) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        if (len == 0)
            continue;
        long ln = (long)dorm_lines_number(lr);
        if (is_binary(line, len)) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: binary data, not a text table",
                              d->path, ln);
            goto done;
        }
        int64_t n = split(line, delim, &fields);
        double v;
        if (n < 0) {
            rc = dorm_err_nomem(err);
            goto done;
        }
        if (n_lead < 0) { /* leading name columns: 1, or 2 when the second is not numeric */
            if (n < 2) {
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: a name but no values: not a count table",
                                  d->path, ln);
                goto done;
            }
            n_lead = n > 2 && !is_number(fields.s[1], &v) ? 2 : 1;
            int64_t skip = header.n == n ? n_lead : 0; /* the corner cells, if written */
            if (header.n != n && header.n != n - n_lead) {
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: %lld fields, but the header has %lld",
                                  d->path, ln, (long long)n, (long long)header.n);
                goto done;
            }
            for (int64_t i = skip; i < header.n; i++)
                if (dorm_strvec_push(&col_names, header.s[i]) < 0) {
                    rc = dorm_err_nomem(err);
                    goto done;
                }
        }
        if (n != col_names.n + n_lead) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: %lld fields, expected %lld", d->path,
                              ln, (long long)n, (long long)(col_names.n + n_lead));
            goto done;
        }
        if (dorm_strvec_push(&row_ids, fields.s[0]) < 0 || (n_lead == 2 && dorm_strvec_push(&row_names, fields.s[1]) < 0)) {
            rc = dorm_err_nomem(err);
            goto done;
        }
        if (rows >= INT32_MAX) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: more than %d rows", d->path, ln,
                              INT32_MAX);
            goto done;
        }
        for (int64_t j = n_lead; j < n; j++) {
            if (!is_number(fields.s[j], &v) || !isfinite(v) || v < 0) {
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld column %lld: %s value '%s'",
                                  d->path, ln, (long long)j + 1,
                                  is_number(fields.s[j], &v) && v < 0 ? "negative" : "non-numeric or non-finite",
                                  fields.s[j]);
                goto done;
            }
            if (v == 0)
                continue;
            integers &= v == floor(v);
            if (dorm_grow(&t, &cap, nt + 1, sizeof *t, 1 << 16) < 0) {
                rc = dorm_err_nomem(err);
                goto done;
            }
            t[nt++] = (memcsc_entry_t){j - n_lead, (int32_t)rows, v}; /* genes as rows */
        }
        rows++;
    }
    if (rc < 0)
        goto done;
    if (n_lead < 0) { /* a single line: nothing says which axis is which, nor any count */
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: one line and no rows of counts: not a count table",
                          d->path);
        goto done;
    }
    r->info.field = integers ? "integer" : "real";
    rc = build(r, d, &row_ids, &row_names, &col_names, t, nt, err);
done:
    dorm_lines_close(lr);
    free(head);
    free(header.s);
    free(fields.s);
    free(t);
    dorm_strvec_free(&row_ids);
    dorm_strvec_free(&row_names);
    dorm_strvec_free(&col_names);
    return rc;
}

static int dense_read(dorm_reader_t *r, dorm_err_t *err)
{
    dense_t *d = r->impl;
    return dorm_memcsc_serve(r, &d->mem, d->cells.s, d->cells.n, &d->next_cell, err);
}

static int dense_rewind(dorm_reader_t *r, dorm_err_t *err)
{
    (void)err;
    ((dense_t *)r->impl)->next_cell = 0;
    return 0;
}

static void dense_close(dorm_reader_t *r)
{
    dense_t *d = r->impl;
    if (!d)
        return;
    dorm_strvec_free(&d->cells);
    dorm_memcsc_free(&d->mem);
    free(d->path);
    free(d);
    r->impl = NULL;
}

static const dorm_reader_ops_t dense_ops = {dense_read, dense_rewind, dense_close, NULL};

int dorm_dense_open(dorm_reader_t *r, const char *path, dorm_err_t *err)
{
    dense_t *d = calloc(1, sizeof *d);
    if (!d)
        return dorm_err_nomem(err);
    r->impl = d;
    r->ops = &dense_ops;
    if (!(d->path = strdup(path)))
        return dorm_err_nomem(err);
    r->info.format = "dense";
    r->info.matrix_path = r->info.features_path = r->info.barcodes_path = d->path;
    return load(r, d, err);
}
