/* matrix.h -- the shapes every part of dormscan shares: an input's feature
 * table, a chunk of cells in compressed-sparse-column form, and the owned,
 * growable chunk (dorm_chunk_buf_t) that readers fill, stores decode into
 * and workers hold.  Implemented in src/core/chunk.c.
 */
#ifndef DORMSCAN_MATRIX_H
#define DORMSCAN_MATRIX_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/error.h"

typedef enum {
    DORM_ID_SYMBOL = 0,   /* features are known by gene symbols */
    DORM_ID_ENSEMBL = 1,  /* Ensembl gene IDs (ENSG..., ENSMUSG...) */
    DORM_ID_OTHER = 2
} dorm_id_type_t;

/* "symbol", "ensembl" or "other" ("unknown" for anything else). */
const char *dorm_id_type_name(dorm_id_type_t t);

/* The kept features (e.g. 'Gene Expression' rows) of an input. */
typedef struct dorm_features_t {
    int64_t n;             /* number of kept features (genes) */
    char **ids;            /* n ids (first column; symbol if there is no id) */
    char **names;          /* n names (symbols; equal to ids when absent) */
    int64_t n_dropped;     /* features of other types that were dropped */
    char **dropped_types;  /* distinct dropped feature types */
    int n_dropped_types;
    char **kept_types;     /* distinct kept feature types ("Gene Expression") */
    int n_kept_types;
    dorm_id_type_t id_type;
} dorm_features_t;

/* A block of consecutive cells.  Values are as stored in the input. */
typedef struct dorm_chunk_t {
    int64_t first_cell;      /* 0-based index of the first cell */
    int64_t n_cells;
    const int64_t *col_ptr;  /* n_cells + 1 offsets into gene/value */
    const int32_t *gene;     /* kept-feature index, ascending within a cell */
    const double *value;     /* > 0 (explicit zeros are dropped) */
    char *const *barcodes;   /* n_cells barcodes, as written in the input */
    const uint32_t *count;   /* NULL, or the same values as integers when every
                                value of the chunk is one below 2^31 (counts):
                                value[i] == count[i], indexed like value */
} dorm_chunk_t;

/* An owned chunk: the arrays behind a dorm_chunk_t, grown on demand.
 * Zero-initialise; dorm_chunk_buf_free releases everything (and leaves it
 * zeroed, ready for use again).  Cells are appended one at a time (push
 * entries, then close the cell), or the arrays are sized at once with
 * dorm_chunk_buf_size and filled by the caller.  Barcodes are copies owned
 * by the chunk unless borrowed_barcodes is set (then they point into memory
 * the caller keeps, e.g. a decoded store chunk). */
typedef struct dorm_chunk_buf_t {
    dorm_chunk_t view;       /* the chunk (dorm_chunk_buf_view fills the pointers) */
    int64_t *col_ptr;        /* cells_cap offsets */
    int32_t *gene;           /* nnz_cap */
    double *value;           /* nnz_cap */
    uint32_t *count;         /* nnz_cap: the values as integers, as pushed */
    int counts_ok;           /* every value so far is an integer below 2^31 */
    int borrowed_barcodes;   /* barcodes[] are not the chunk's to free */
    char **barcodes;         /* cells_cap */
    int64_t cells_cap, nnz_cap;
} dorm_chunk_buf_t;

/* Start an empty chunk at first_cell (owned barcodes of the cells are freed). */
void dorm_chunk_buf_reset(dorm_chunk_buf_t *c, int64_t first_cell);
/* Room for one more cell and one more entry (the slow path of push); <0 when
 * out of memory. */
int dorm_chunk_buf_grow(dorm_chunk_buf_t *c) DORM_WUR;
/* Room for one more cell and n more entries in the open cell, for code that
 * fills the arrays itself (and then sets col_ptr[n_cells + 1], and
 * counts_ok as push would). */
int dorm_chunk_buf_reserve(dorm_chunk_buf_t *c, int64_t n) DORM_WUR;
/* Room for n_cells cells and nnz entries in all (contents are not kept),
 * for code that fills a whole chunk at once; <0 when out of memory. */
int dorm_chunk_buf_size(dorm_chunk_buf_t *c, int64_t n_cells, int64_t nnz) DORM_WUR;
/* Point view's arrays at the buffer's (count only when counts_ok). */
void dorm_chunk_buf_view(dorm_chunk_buf_t *c);
void dorm_chunk_buf_free(dorm_chunk_buf_t *c);

/* v as a count: the integer, with *ok cleared unless v is an integer in
 * [0, 2^31) (dorm_chunk_t.count). */
static inline uint32_t dorm_count_of(double v, int *ok)
{
    int in = v >= 0 && v < 0x1p31;
    uint32_t c = in ? (uint32_t)(int32_t)v : 0;
    *ok &= in & ((double)c == v);
    return c;
}

/* Append one entry to the open cell (and its value as a count, see
 * counts_ok); <0 on allocation failure. */
static inline int dorm_chunk_buf_push(dorm_chunk_buf_t *c, int32_t gene, double value)
{
    if ((!c->col_ptr || c->view.n_cells + 3 > c->cells_cap ||
         c->col_ptr[c->view.n_cells + 1] == c->nnz_cap) &&
        dorm_chunk_buf_grow(c) < 0)
        return -1;
    int64_t at = c->col_ptr[c->view.n_cells + 1]++;
    c->gene[at] = gene;
    c->value[at] = value;
    c->count[at] = dorm_count_of(value, &c->counts_ok);
    return 0;
}
/* Close the open cell: sort its entries by gene, sum duplicates, take a
 * copy of barcode.  Returns 1 if duplicates were summed, 0 if not, <0 on
 * allocation failure. */
int dorm_chunk_buf_close_cell(dorm_chunk_buf_t *c, const char *barcode);

/* value[0..n) as integers into count (n slots, caller-owned); returns 1 if
 * every value is an integer in [0, 2^31), so that count can stand for them
 * (dorm_chunk_t.count), else 0 (count then holds nothing useful). */
int dorm_values_as_counts(const double *value, int64_t n, uint32_t *count);

#pragma GCC visibility pop
#endif
