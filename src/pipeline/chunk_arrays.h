/* chunk_arrays.h -- the growable arrays of a chunk the pipeline owns (a
 * decoded store chunk, a prescoring thread's copy), private. */
#ifndef DORM_PIPELINE_CHUNK_ARRAYS_H
#define DORM_PIPELINE_CHUNK_ARRAYS_H

#include <stdint.h>

typedef struct chunk_arrays_t {
    int64_t *col_ptr;  /* cells + 1 */
    int32_t *gene;     /* nnz */
    double *value;     /* nnz */
    uint32_t *count;   /* nnz: the values as counts, when they are */
    char **barcodes;   /* cells + 1 (pointers only; not owned) */
    int64_t cells_cap, nnz_cap;
} chunk_arrays_t;

/* Room for n_cells cells and nnz entries (contents are not kept); <0 when
 * out of memory. */
int chunk_arrays_reserve(chunk_arrays_t *a, int64_t n_cells, int64_t nnz);
void chunk_arrays_free(chunk_arrays_t *a);

#endif
