/* chunk_arrays.c -- growable arrays of an owned chunk. */
#include <stdlib.h>
#include <string.h>

#include "chunk_arrays.h"

int chunk_arrays_reserve(chunk_arrays_t *a, int64_t n_cells, int64_t nnz)
{
    if (n_cells + 1 > a->cells_cap) {
        int64_t *cp = realloc(a->col_ptr, (size_t)(n_cells + 1) * sizeof *cp);
        if (cp)
            a->col_ptr = cp;
        char **bc = cp ? realloc(a->barcodes, (size_t)(n_cells + 1) * sizeof *bc) : NULL;
        if (bc)
            a->barcodes = bc;
        if (!cp || !bc)
            return -1;
        a->cells_cap = n_cells + 1;
    }
    if (nnz > a->nnz_cap) {
        int32_t *g = realloc(a->gene, (size_t)nnz * sizeof *g);
        if (g)
            a->gene = g;
        double *v = g ? realloc(a->value, (size_t)nnz * sizeof *v) : NULL;
        if (v)
            a->value = v;
        uint32_t *n = v ? realloc(a->count, (size_t)nnz * sizeof *n) : NULL;
        if (n)
            a->count = n;
        if (!g || !v || !n)
            return -1;
        a->nnz_cap = nnz;
    }
    return 0;
}

void chunk_arrays_free(chunk_arrays_t *a)
{
    free(a->col_ptr);
    free(a->gene);
    free(a->value);
    free(a->count);
    free(a->barcodes);
    memset(a, 0, sizeof *a);
}
