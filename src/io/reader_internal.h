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

struct dorm_reader_t {
    const dorm_reader_ops_t *ops;
    void *impl;
    dorm_reader_opts_t opts;
    dorm_reader_info_t info;
    dorm_features_t features;
    dorm_chunk_buf_t chunk;
    int64_t entries_read;
};

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
