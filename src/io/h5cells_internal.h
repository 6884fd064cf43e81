/* h5cells_internal.h -- what the three HDF5 readers (10x HDF5, AnnData,
 * loom) share: a file whose cells are served in index order, a chunk at a
 * time, each chunk's barcodes read as a slice.
 *
 * A backend's state begins with a dorm_h5cells_t, r->impl points to it, and
 * r->ops is &dorm_h5cells_ops: one read, rewind and close for all three.
 * The backend fills in fill (the chunk's cells, barcodes included) and
 * free_own (its own fields; the shared ones and the struct are freed here). */
#ifndef DORM_IO_H5CELLS_INTERNAL_H
#define DORM_IO_H5CELLS_INTERNAL_H

#include <hdf5.h>
#include <stdint.h>

#include "reader_internal.h"

typedef struct dorm_h5cells_t dorm_h5cells_t;
struct dorm_h5cells_t {
    hid_t file;            /* < 0 until opened */
    char *path;
    int32_t *row_map;      /* matrix gene index -> kept feature, or -1 */
    char **barcodes;       /* the current chunk's, cleared after each */
    int64_t n_cells, next_cell;
    /* Read cells [first, first + k): their barcodes into barcodes[0..k), their
     * entries into r->chunk (cells closed); 0 or <0. */
    int (*fill)(dorm_reader_t *r, dorm_h5cells_t *c, int64_t first, int64_t k, dorm_err_t *err);
    void (*free_own)(dorm_h5cells_t *c);
};

extern const dorm_reader_ops_t dorm_h5cells_ops;

/* A backend's zeroed state of size bytes (which begins with its
 * dorm_h5cells_t) with fill and free_own, installed in r (so that closing r
 * frees it, whatever happens next), and path opened as an HDF5 file.
 * *out: the state; 0 or <0. */
int dorm_h5cells_open(dorm_reader_t *r, const char *path, size_t size,
                      int (*fill)(dorm_reader_t *, dorm_h5cells_t *, int64_t, int64_t, dorm_err_t *),
                      void (*free_own)(dorm_h5cells_t *), dorm_h5cells_t **out, dorm_err_t *err);

#endif
