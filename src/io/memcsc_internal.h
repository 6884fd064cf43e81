/* memcsc_internal.h -- a matrix held in memory by cell, for the readers that must
 * take in every entry before they can serve a cell (MatrixMarket not grouped
 * by cell, dense tables, BAM counts), private to the readers.
 *
 * Entries (cell, kept feature, value) are grouped by cell with a counting
 * sort that keeps each cell's entries in their input order; chunks are then
 * served cell by cell.  12 bytes per entry and 8 per cell. */
#ifndef DORM_IO_MEMCSC_H
#define DORM_IO_MEMCSC_H

#include <stdint.h>
#include "reader_internal.h"

typedef struct memcsc_entry_t {
    int64_t cell;
    int32_t gene;  /* kept feature index */
    double value;
} memcsc_entry_t;

typedef struct memcsc_t {
    int64_t n_cells; /* cells with an offset; later cells are empty */
    int64_t *ptr;    /* n_cells + 1 */
    int32_t *gene;
    double *value;
} memcsc_t;

/* Group e[0..n) by cell into m (owned by m; every e[k].cell < n_cells).
 * Returns 0, or <0 when out of memory (m is then empty). */
int dorm_memcsc_build(memcsc_t *m, const memcsc_entry_t *e, int64_t n, int64_t n_cells);
/* Push cell c's entries (none for c >= n_cells) into chunk; <0 when out of
 * memory.  The caller closes the cell. */
int dorm_memcsc_push_cell(const memcsc_t *m, int64_t c, dorm_chunk_buf_t *chunk);
void dorm_memcsc_free(memcsc_t *m);
/* Fill r->chunk with the next cells from *next (at most chunk_cells, none
 * past n_cells), cell c named barcodes[c]; *next moves past them.  0, or
 * <0 when out of memory. */
int dorm_memcsc_serve(dorm_reader_t *r, const memcsc_t *m, char *const *barcodes, int64_t n_cells,
                      int64_t *next, dorm_err_t *err);

#endif
