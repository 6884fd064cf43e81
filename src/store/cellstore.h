/* cellstore.h -- a sample's cells, compactly on disk, so that the input is
 * read (inflated, parsed) once although scoring needs two passes: the store's
 * interface to the pipeline.
 *
 * The first pass over the input computes the gene means and puts every chunk
 * here; the scoring pass reads the chunks back.  An entry's gene step
 * (within its cell) and count share one byte when both are small, else
 * take varints (other values than counts follow as raw doubles, chosen per
 * chunk); barcodes are NUL-terminated strings: about 1.3 bytes per entry of
 * a Cell Ranger matrix.  The file lives in the output directory
 * under a hidden temporary name and is deleted on close.  Memory is one
 * chunk's worth, whatever the number of cells. */
#ifndef DORM_STORE_CELLSTORE_H
#define DORM_STORE_CELLSTORE_H

#include <stdint.h>
#include <stdio.h>
#include "dormscan/error.h"
#include "dormscan/matrix.h"

/* A chunk read back: the encoded bytes, then (after dorm_cellstore_decode) the
 * cells.  Owned by the caller; reused from chunk to chunk. */
typedef struct cellstore_chunk_t {
    int64_t first_cell, n_cells, nnz;
    uint64_t payload, barcode_bytes;
    int int_values;
    uint8_t *buf;            /* payload, then NUL-terminated barcodes */
    int64_t buf_cap;
    dorm_chunk_buf_t arr;    /* arr.view: the chunk, after a successful decode;
                                its barcodes point into buf */
} cellstore_chunk_t;

typedef struct cellstore_t {
    FILE *fp;
    char *path;
    uint8_t *buf;            /* encoding scratch */
    int64_t buf_cap;
    int64_t n_chunks, bytes;
} cellstore_t;

/* Create an empty store in dir; tag distinguishes concurrent runs' files. */
int dorm_cellstore_open(cellstore_t *cs, const char *dir, const char *tag, dorm_err_t *err);
/* Append a chunk (copied). */
int dorm_cellstore_put(cellstore_t *cs, const dorm_chunk_t *ch, dorm_err_t *err);
/* Forget every chunk (start the first pass again). */
int dorm_cellstore_clear(cellstore_t *cs, dorm_err_t *err);
/* Read from the first chunk again. */
int dorm_cellstore_rewind(cellstore_t *cs, dorm_err_t *err);
/* The next chunk's bytes into ck: >0 cells, 0 at the end, <0 on error. */
int dorm_cellstore_read(cellstore_t *cs, cellstore_chunk_t *ck, dorm_err_t *err);
/* Decode ck's bytes into ck->view; touches nothing but ck, so chunks can be
 * decoded on several threads.  path names the store in messages. */
int dorm_cellstore_decode(cellstore_chunk_t *ck, const char *path, dorm_err_t *err);
void dorm_cellstore_chunk_free(cellstore_chunk_t *ck);
void dorm_cellstore_close(cellstore_t *cs);

#endif
