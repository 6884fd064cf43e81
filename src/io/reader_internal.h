/* reader_internal.h -- what a reader backend provides, private.
 *
 * A backend fills the shared dorm_reader_t fields (info, features, chunk) and
 * implements read/rewind/close on its own state. */
#ifndef DORM_IO_READER_INTERNAL_H
#define DORM_IO_READER_INTERNAL_H

#include "dormscan/reader.h"

typedef struct dorm_reader_ops_t {
    int (*read)(dorm_reader_t *r, dorm_err_t *err);   /* fills r->chunk: 0, or <0 on error */
    int (*rewind)(dorm_reader_t *r, dorm_err_t *err);
    void (*close)(dorm_reader_t *r);                   /* frees r->impl */
    int (*help)(dorm_reader_t *r); /* dorm_reader_help, or NULL: nothing to share */
} dorm_reader_ops_t;

/* A growable CSC chunk the backends fill. */
typedef struct dorm_chunk_buf_t {
    dorm_chunk_t view;
    int64_t *col_ptr;
    int32_t *gene;
    double *value;
    uint32_t *count;         /* nnz_cap: the values as integers, as pushed */
    int counts_ok;           /* every value so far is an integer below 2^31 */
    char **barcodes;
    int64_t cells_cap, nnz_cap;
} dorm_chunk_buf_t;

struct dorm_reader_t {
    const dorm_reader_ops_t *ops;
    void *impl;
    dorm_reader_opts_t opts;
    dorm_reader_info_t info;
    dorm_features_t features;
    dorm_chunk_buf_t chunk;
    int64_t entries_read;
};

/* Start an empty chunk at first_cell. */
void dorm_chunk_buf_reset(dorm_chunk_buf_t *c, int64_t first_cell);
/* Room for one more cell and one more entry (the slow path of push). */
int dorm_chunk_buf_grow(dorm_chunk_buf_t *c);
/* Room for one more cell and n more entries in the open cell, for backends
 * that fill the arrays themselves (and then set col_ptr[n_cells + 1], and
 * counts_ok as push would). */
int dorm_chunk_buf_reserve(dorm_chunk_buf_t *c, int64_t n);
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
 * counts_ok); <0 on allocation failure.  Backends that fill the arrays
 * themselves fill count too, and clear counts_ok for a value that is not
 * a count. */
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
void dorm_chunk_buf_free(dorm_chunk_buf_t *c);

/* For backends that serve cells by index: start r's chunk at cell next and
 * return how many of the n_cells it takes (at most chunk_cells; 0 at the
 * end). */
int64_t dorm_reader_span(dorm_reader_t *r, int64_t next, int64_t n_cells);
/* Free s[0..n) and set them to NULL (a chunk's barcodes read as a slice). */
void dorm_strings_clear(char **s, int64_t n);

typedef enum {
    DORM_FMT_UNKNOWN = 0,
    DORM_FMT_MTX,
    DORM_FMT_10X_H5,
    DORM_FMT_H5AD,
    DORM_FMT_LOOM,
    DORM_FMT_DENSE,
    DORM_FMT_BAM
} dorm_format_t;

/* Which backend reads path (forced: a format name from --format, or NULL). */
int dorm_probe(const char *path, const char *forced, dorm_format_t *fmt, dorm_err_t *err);

/* Backends: fill r (info, features, ops, impl); chunks via ops->read. */
int dorm_mtx_open(dorm_reader_t *r, const char *path, dorm_err_t *err);
int dorm_tenx_h5_open(dorm_reader_t *r, const char *path, dorm_err_t *err);
int dorm_h5ad_open(dorm_reader_t *r, const char *path, dorm_err_t *err);
int dorm_loom_open(dorm_reader_t *r, const char *path, dorm_err_t *err);
int dorm_dense_open(dorm_reader_t *r, const char *path, dorm_err_t *err);
/* BAM/CRAM: counted in memory by dorm_count_bam's rule (dormscan/count.h). */
int dorm_bam_open(dorm_reader_t *r, const char *path, dorm_err_t *err);

#endif
