/* cellstore.h -- a sample's cells, compactly on disk, so that the input is
 * read (inflated, parsed) once although scoring needs two passes, private to
 * the pipeline.
 *
 * The first pass over the input computes the gene means and puts every chunk
 * here; the scoring pass reads the chunks back.  Gene indices are stored as
 * varint deltas within a cell, integer values as varints (other values as
 * raw doubles, chosen per chunk), barcodes as NUL-terminated strings: about
 * 2-3 bytes per entry for counts.  The file lives in the output directory
 * under a hidden temporary name and is deleted on close.  Memory is one
 * chunk's worth, whatever the number of cells. */
#ifndef DORM_PIPELINE_CELLSTORE_H
#define DORM_PIPELINE_CELLSTORE_H

#include <stdint.h>
#include <stdio.h>
#include "dormscan/error.h"
#include "dormscan/reader.h"

typedef struct cellstore_t {
    FILE *fp;
    char *path;
    uint8_t *buf;            /* encoded chunk */
    size_t buf_cap;
    /* the chunk last read back (owned here, valid until the next get) */
    dorm_chunk_t chunk;
    int64_t *col_ptr;
    int32_t *gene;
    double *value;
    char **barcodes;
    int64_t cells_cap, nnz_cap;
    int64_t n_chunks, bytes;
} cellstore_t;

/* Create an empty store in dir; tag distinguishes concurrent runs' files. */
int cellstore_open(cellstore_t *cs, const char *dir, const char *tag, dorm_err_t *err);
/* Append a chunk (copied). */
int cellstore_put(cellstore_t *cs, const dorm_chunk_t *ch, dorm_err_t *err);
/* Forget every chunk (start the first pass again). */
int cellstore_clear(cellstore_t *cs, dorm_err_t *err);
/* Read from the first chunk again. */
int cellstore_rewind(cellstore_t *cs, dorm_err_t *err);
/* Next chunk: >0 cells, 0 at the end, <0 on error.  *ch stays valid until
 * the next get, rewind or close. */
int cellstore_get(cellstore_t *cs, const dorm_chunk_t **ch, dorm_err_t *err);
void cellstore_close(cellstore_t *cs);

#endif
