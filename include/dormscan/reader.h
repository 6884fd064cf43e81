/* reader.h -- streaming access to a cells x genes count matrix.
 *
 * One interface, one backend per format.  A reader yields chunks of cells in
 * compressed-sparse-column form (one column per cell, gene indices into the
 * reader's feature table).  Chunks are owned by the reader and stay valid only
 * until the next dorm_reader_read/rewind/close on the same reader.
 */
#ifndef DORMSCAN_READER_H
#define DORMSCAN_READER_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/error.h"
#include "dormscan/matrix.h"

/* What a reader learned when it opened its input. */
typedef struct dorm_reader_info_t {
    const char *format;     /* "10x-mtx-v3", "10x-mtx-v2", "starsolo-mtx",
                               "kallisto-mtx", "mtx" */
    const char *matrix_path;
    const char *features_path;
    const char *barcodes_path;
    int64_t n_cells;        /* declared by the matrix header, checked on read */
    int64_t n_rows_declared;/* matrix rows before feature filtering */
    int64_t nnz_declared;
    int cells_are_rows;     /* 1 for kallisto|bustools (cells x genes) */
    const char *field;      /* MatrixMarket field: integer, real, pattern */
} dorm_reader_info_t;

typedef enum {
    DORM_ORIENT_AUTO = 0,      /* dense tables: decide from the gene names */
    DORM_ORIENT_GENES_ROWS = 1,
    DORM_ORIENT_CELLS_ROWS = 2
} dorm_orientation_t;

typedef struct dorm_reader_opts_t {
    int64_t chunk_cells;  /* cells per chunk (default 64 when 0) */
    int in_memory;        /* load and sort everything: any entry order */
    int keep_all_types;   /* keep every feature type, not only genes */
    const char *format;   /* NULL: detect; else "mtx", "10x-h5", "h5ad", "loom" or "dense" */
    const char *genome;   /* 10x HDF5 v2: the genome group to read */
    const char *layer;    /* h5ad: layers/NAME instead of X */
    int use_raw;          /* h5ad: raw/X (and raw/var) instead of X */
    const char *var_column; /* h5ad: gene names from this var column */
    dorm_orientation_t orientation; /* dense tables */
    int threads;          /* threads the reader may add (0 or 1: none; 2 or more:
                             inflate or decompress ahead of the parser) */
    int helped;           /* another thread will call dorm_reader_help: keep
                             work it can take (MatrixMarket: inflation by blocks) */
    char reserved[24];    /* room to grow; zero it */
} dorm_reader_opts_t;

typedef struct dorm_reader_t dorm_reader_t;

/* Open PATH: a MatrixMarket directory (Cell Ranger v2/v3, STARsolo,
 * kallisto|bustools) or matrix file, a 10x HDF5 file, an AnnData .h5ad, a
 * loom file or a dense TSV/CSV table; the format is detected from the content
 * unless opts->format says.  Reads the header and the feature table.  *out is
 * NULL on error.  Free with dorm_reader_close(). */
int dorm_reader_open(dorm_reader_t **out, const char *path,
                     const dorm_reader_opts_t *opts, dorm_err_t *err) DORM_WUR;

const dorm_reader_info_t *dorm_reader_info(const dorm_reader_t *r);
const dorm_features_t *dorm_reader_features(const dorm_reader_t *r);

/* Next chunk.  Returns the number of cells (>0), 0 at the end, <0 on error.
 * DORM_E_UNSORTED means the entries are not grouped by cell in ascending
 * order: reopen with opts.in_memory = 1. */
int dorm_reader_read(dorm_reader_t *r, const dorm_chunk_t **chunk,
                     dorm_err_t *err) DORM_WUR;

/* Move the chunk last returned by dorm_reader_read into c (an owned chunk,
 * dormscan/matrix.h) without copying an entry; the arrays c held before go to
 * the reader for the chunks it reads next.  c->view is the chunk until the
 * next take into c or its free.  0, or DORM_E_NOMEM. */
int dorm_reader_take(dorm_reader_t *r, dorm_chunk_buf_t *c, dorm_err_t *err) DORM_WUR;

/* From a thread other than the reading one, while a pass is under way (not
 * during dorm_reader_rewind or close): do a piece of reading work ahead of
 * the reader, for readers opened with opts.helped.  1 if it did some, 0 if
 * there was none to do. */
int dorm_reader_help(dorm_reader_t *r);

/* Start again from the first cell (for methods that need two passes). */
int dorm_reader_rewind(dorm_reader_t *r, dorm_err_t *err) DORM_WUR;

/* Entries read so far (after a full pass: the matrix's nnz). */
int64_t dorm_reader_entries_read(const dorm_reader_t *r);

void dorm_reader_close(dorm_reader_t *r);

/* Read a sample sheet: sample<TAB>path lines, an optional header
 * "sample<TAB>path", '#' comments.  names and paths are allocated; free
 * them with dorm_samples_free. */
int dorm_samples_read(const char *path, char ***names, char ***paths, int *n,
                      dorm_err_t *err) DORM_WUR;
void dorm_samples_free(char **names, char **paths, int n);

#pragma GCC visibility pop
#endif
