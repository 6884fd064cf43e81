/* matrix.c -- the shared shapes (dormscan/matrix.h): the owned, growable
 * chunk of cells, counts, feature ID kinds. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "dormscan/matrix.h"

void dorm_chunk_buf_reset(dorm_chunk_buf_t *c, int64_t first_cell)
{
    for (int64_t i = 0; i < c->view.n_cells && !c->borrowed_barcodes; i++) {
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
 * running end.  Keep room for two more offsets past that (and as many
 * barcodes, cleared). */
static int ensure_cells(dorm_chunk_buf_t *c, int64_t need)
{
    int64_t old = c->cells_cap;
    void *const arrays[] = {&c->col_ptr, &c->barcodes};
    const size_t sizes[] = {sizeof *c->col_ptr, sizeof *c->barcodes};
    if (dorm_grow_all(arrays, sizes, 2, &c->cells_cap, need, 256) < 0)
        return -1;
    if (old == 0)
        c->col_ptr[0] = c->col_ptr[1] = 0;
    memset(c->barcodes + old, 0, (size_t)(c->cells_cap - old) * sizeof *c->barcodes);
    return 0;
}

/* Room for need entries in all. */
static int ensure_entries(dorm_chunk_buf_t *c, int64_t need)
{
    void *const arrays[] = {&c->gene, &c->value, &c->count};
    const size_t sizes[] = {sizeof *c->gene, sizeof *c->value, sizeof *c->count};
    return dorm_grow_all(arrays, sizes, 3, &c->nnz_cap, need, 1 << 16);
}

int dorm_chunk_buf_grow(dorm_chunk_buf_t *c)
{
    if (ensure_cells(c, c->view.n_cells + 3) < 0)
        return -1;
    return ensure_entries(c, c->col_ptr[c->view.n_cells + 1] + 1);
}

int dorm_chunk_buf_reserve(dorm_chunk_buf_t *c, int64_t n)
{
    if (ensure_cells(c, c->view.n_cells + 3) < 0)
        return -1;
    return ensure_entries(c, c->col_ptr[c->view.n_cells + 1] + n);
}

int dorm_chunk_buf_size(dorm_chunk_buf_t *c, int64_t n_cells, int64_t nnz)
{
    if (ensure_cells(c, n_cells + 3) < 0)
        return -1;
    return ensure_entries(c, nnz);
}

void dorm_chunk_buf_view(dorm_chunk_buf_t *c)
{
    c->view.col_ptr = c->col_ptr;
    c->view.gene = c->gene;
    c->view.value = c->value;
    c->view.barcodes = c->barcodes;
    c->view.count = c->counts_ok ? c->count : NULL;
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
    if (ensure_cells(c, c->view.n_cells + 3) < 0)
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

int dorm_values_as_counts(const double *value, int64_t n, uint32_t *count)
{
    int ok = 1;
    for (int64_t i = 0; i < n; i++)
        count[i] = dorm_count_of(value[i], &ok);
    return ok;
}


const char *dorm_id_type_name(dorm_id_type_t t)
{
    static const char *const names[] = {"symbol", "ensembl", "other"};
    return t >= 0 && t <= 2 ? names[t] : "unknown";
}
