/* mtx_layout_internal.h -- finding a MatrixMarket matrix and its companions, private. */
#ifndef DORM_IO_MTX_LAYOUT_H
#define DORM_IO_MTX_LAYOUT_H

#include "dormscan/error.h"

typedef struct dorm_mtx_layout_t {
    char *matrix;    /* owned paths */
    char *features;
    char *barcodes;
    const char *format; /* static: "10x-mtx-v3", "10x-mtx-v2", "starsolo-mtx", "kallisto-mtx" */
    int cells_are_rows; /* kallisto|bustools writes cells x genes */
} dorm_mtx_layout_t;

/* Resolve a directory or a matrix file into its three files. */
int dorm_mtx_layout_resolve(const char *path, dorm_mtx_layout_t *lay, dorm_err_t *err);
void dorm_mtx_layout_free(dorm_mtx_layout_t *lay);

#endif
