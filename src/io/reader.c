/* reader.c -- the reader interface and the chunk buffer the backends share. */
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "reader_internal.h"

#define DEFAULT_CHUNK_CELLS 64

void dorm_chunk_buf_reset(dorm_chunk_buf_t *c, int64_t first_cell)
{
    for (int64_t i = 0; i < c->view.n_cells; i++) {
        free(c->barcodes[i]);
        c->barcodes[i] = NULL;
    }
    c->view.first_cell = first_cell;
    c->view.n_cells = 0;
    c->counts_ok = 1;
    if (c->col_ptr)
        c->col_ptr[0] = c->col_ptr[1] = 0;
}

/* col_ptr[k] is where open cell k = n_cells starts; col_ptr[k + 1] is its
 * running end.  Keep room for two more offsets past that. */
static int ensure_cells(dorm_chunk_buf_t *c)
{
    if (c->col_ptr && c->view.n_cells + 3 <= c->cells_cap)
        return 0;
    int64_t cap = c->cells_cap ? c->cells_cap * 2 : 256;
    int64_t *cp = realloc(c->col_ptr, (size_t)cap * sizeof *cp);
    if (!cp)
        return -1;
    if (c->cells_cap == 0)
        cp[0] = cp[1] = 0;
    c->col_ptr = cp;
    char **bc = realloc(c->barcodes, (size_t)cap * sizeof *bc);
    if (!bc)
        return -1;
    memset(bc + c->cells_cap, 0, (size_t)(cap - c->cells_cap) * sizeof *bc);
    c->barcodes = bc;
    c->cells_cap = cap;
    return 0;
}

/* Room for need entries in all (capacity doubles). */
static int ensure_entries(dorm_chunk_buf_t *c, int64_t need)
{
    if (need > c->nnz_cap) {
        int64_t cap = c->nnz_cap ? c->nnz_cap * 2 : 1 << 16;
        while (cap < need)
            cap *= 2;
        int32_t *g = realloc(c->gene, (size_t)cap * sizeof *g);
        if (!g)
            return -1;
        c->gene = g;
        double *v = realloc(c->value, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        c->value = v;
        uint32_t *n = realloc(c->count, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        c->count = n;
        c->nnz_cap = cap;
    }
    return 0;
}

int dorm_chunk_buf_grow(dorm_chunk_buf_t *c)
{
    if (ensure_cells(c) < 0)
        return -1;
    return ensure_entries(c, c->col_ptr[c->view.n_cells + 1] + 1);
}

int dorm_chunk_buf_reserve(dorm_chunk_buf_t *c, int64_t n)
{
    if (ensure_cells(c) < 0)
        return -1;
    return ensure_entries(c, c->col_ptr[c->view.n_cells + 1] + n);
}

typedef struct {
    int32_t gene;
    double value;
} entry_t;

static int cmp_entry(const void *a, const void *b)
{
    int32_t x = ((const entry_t *)a)->gene, y = ((const entry_t *)b)->gene;
    return (x > y) - (x < y);
}

/* Sort a cell's entries by gene and merge duplicates; returns new count or
 * -1 on allocation failure; *merged set when duplicates were summed.  The
 * counts of a cell that had to be sorted are made again from its values. */
static int64_t sort_merge(int32_t *gene, double *value, uint32_t *count, int *counts_ok,
                          int64_t n, int *merged)
{
    int sorted = 1;
    for (int64_t i = 1; i < n && sorted; i++)
        sorted = gene[i - 1] < gene[i];
    if (sorted)
        return n;
    entry_t *e = malloc((size_t)n * sizeof *e);
    if (!e)
        return -1;
    for (int64_t i = 0; i < n; i++)
        e[i] = (entry_t){gene[i], value[i]};
    qsort(e, (size_t)n, sizeof *e, cmp_entry);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        if (m > 0 && gene[m - 1] == e[i].gene) {
            value[m - 1] += e[i].value;
            *merged = 1;
        } else {
            gene[m] = e[i].gene;
            value[m++] = e[i].value;
        }
    }
    free(e);
    *counts_ok &= dorm_values_as_counts(value, m, count);
    return m;
}

int dorm_chunk_buf_close_cell(dorm_chunk_buf_t *c, const char *barcode)
{
    if (ensure_cells(c) < 0)
        return -1;
    int64_t k = c->view.n_cells, begin = c->col_ptr[k], n = c->col_ptr[k + 1] - begin;
    int merged = 0;
    if (n > 0 && (n = sort_merge(c->gene + begin, c->value + begin, c->count + begin,
                                 &c->counts_ok, n, &merged)) < 0)
        return -1;
    c->barcodes[k] = strdup(barcode);
    if (!c->barcodes[k])
        return -1;
    c->col_ptr[k + 1] = begin + n;
    c->col_ptr[k + 2] = begin + n;
    c->view.n_cells = k + 1;
    return merged;
}

void dorm_chunk_buf_free(dorm_chunk_buf_t *c)
{
    dorm_chunk_buf_reset(c, 0);
    free(c->col_ptr);
    free(c->gene);
    free(c->value);
    free(c->count);
    free(c->barcodes);
    memset(c, 0, sizeof *c);
}

int64_t dorm_reader_span(dorm_reader_t *r, int64_t next, int64_t n_cells)
{
    dorm_chunk_buf_reset(&r->chunk, next);
    int64_t k = n_cells - next;
    return k <= 0 ? 0 : k > r->opts.chunk_cells ? r->opts.chunk_cells : k;
}

void dorm_strings_clear(char **s, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        free(s[i]);
        s[i] = NULL;
    }
}

int dorm_reader_open(dorm_reader_t **out, const char *path, const dorm_reader_opts_t *opts,
                     dorm_err_t *err)
{
    *out = NULL;
    dorm_reader_t *r = calloc(1, sizeof *r);
    if (!r)
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    if (opts)
        r->opts = *opts;
    if (r->opts.chunk_cells <= 0)
        r->opts.chunk_cells = DEFAULT_CHUNK_CELLS;
    static int (*const open_fn[])(dorm_reader_t *, const char *, dorm_err_t *) = {
        [DORM_FMT_MTX] = dorm_mtx_open,   [DORM_FMT_10X_H5] = dorm_tenx_h5_open,
        [DORM_FMT_H5AD] = dorm_h5ad_open, [DORM_FMT_LOOM] = dorm_loom_open,
        [DORM_FMT_DENSE] = dorm_dense_open, [DORM_FMT_BAM] = dorm_bam_open};
    dorm_format_t fmt;
    int rc = dorm_probe(path, r->opts.format, &fmt, err);
    if (rc == 0)
        rc = open_fn[fmt](r, path, err);
    if (rc < 0) {
        dorm_reader_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

const dorm_reader_info_t *dorm_reader_info(const dorm_reader_t *r) { return &r->info; }

const dorm_features_t *dorm_reader_features(const dorm_reader_t *r) { return &r->features; }

int dorm_values_as_counts(const double *value, int64_t n, uint32_t *count)
{
    int ok = 1;
    for (int64_t i = 0; i < n; i++)
        count[i] = dorm_count_of(value[i], &ok);
    return ok;
}

int dorm_reader_read(dorm_reader_t *r, const dorm_chunk_t **chunk, dorm_err_t *err)
{
    *chunk = NULL;
    int rc = r->ops->read(r, err);
    if (rc < 0)
        return rc;
    rc = (int)r->chunk.view.n_cells;
    if (rc > 0) {
        r->chunk.view.col_ptr = r->chunk.col_ptr;
        r->chunk.view.gene = r->chunk.gene;
        r->chunk.view.value = r->chunk.value;
        r->chunk.view.barcodes = r->chunk.barcodes;
        r->chunk.view.count = r->chunk.counts_ok ? r->chunk.count : NULL;
        *chunk = &r->chunk.view;
    }
    return rc;
}

int dorm_reader_take(dorm_reader_t *r, dorm_held_chunk_t *h, dorm_err_t *err)
{
    if (!h->arrays && !(h->arrays = calloc(1, sizeof *h->arrays)))
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    dorm_chunk_buf_reset(h->arrays, 0); /* its cells' barcodes go; every read starts with a reset */
    dorm_chunk_buf_t given = *h->arrays;
    *h->arrays = r->chunk;
    r->chunk = given;
    h->view = h->arrays->view;
    return 0;
}

void dorm_held_chunk_free(dorm_held_chunk_t *h)
{
    if (h->arrays)
        dorm_chunk_buf_free(h->arrays);
    free(h->arrays);
    memset(h, 0, sizeof *h);
}

int dorm_reader_help(dorm_reader_t *r) { return r->ops->help ? r->ops->help(r) : 0; }

int dorm_reader_rewind(dorm_reader_t *r, dorm_err_t *err)
{
    dorm_chunk_buf_reset(&r->chunk, 0);
    return r->ops->rewind(r, err);
}

int64_t dorm_reader_entries_read(const dorm_reader_t *r) { return r->entries_read; }

void dorm_reader_close(dorm_reader_t *r)
{
    if (!r)
        return;
    if (r->ops)
        r->ops->close(r);
    dorm_chunk_buf_free(&r->chunk);
    dorm_features_free(&r->features);
    free(r);
}
