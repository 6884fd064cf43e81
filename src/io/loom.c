/* loom.c -- loom files (loompy, LoomExperiment, velocyto).
 *
 * /matrix is a dense 2-d dataset, genes x cells.  Gene names come from
 * /row_attrs/Gene (else /row_attrs/var_names, as AnnData's write_loom names
 * them) and ids from /row_attrs/Accession when present; barcodes from
 * /col_attrs/CellID (else /col_attrs/obs_names).  opts.layer reads /layers/NAME, which has the
 * same shape, and opts.var_column takes the gene names from /row_attrs/NAME.
 *
 * Cells are columns, so the matrix is read in blocks of whole columns: as many
 * as fit in BLOCK_BYTES (n_genes doubles each), rounded to whole storage
 * chunks so that each compressed chunk is decoded once; at least one band of
 * chunks (loompy writes 64 x 64, so 64 columns).  Blocks do not follow the
 * chunks of cells handed out, and memory never depends on the number of cells.
 * Entries read counts the nonzero elements; values must be finite and
 * non-negative.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features_internal.h"
#include "h5cells_internal.h"
#include "h5util_internal.h"
#include "reader_internal.h"

#define BLOCK_BYTES (64LL << 20) /* one read of the matrix */
#define NAME_LEN 512

typedef struct loom_t {
    dorm_h5cells_t c;         /* first: file, path, row_map (matrix row -> kept gene),
                                 barcodes, cells */
    char matrix[NAME_LEN];    /* "matrix" or "layers/NAME" */
    char cell_ids[NAME_LEN];  /* the barcodes' dataset */
    int64_t n_genes;
    double *block;            /* n_genes x block_n, row-major as read */
    int64_t block_cols, block_first, block_n;
} loom_t;

/* The first of two datasets that exists, or NULL. */
static const char *first_of(const loom_t *l, const char *a, const char *b)
{
    return dorm_h5u_exists(l->c.file, a) ? a : dorm_h5u_exists(l->c.file, b) ? b : NULL;
}

/* The length of a 1-d attribute, checked against the matrix dimension n. */
static int check_length(const loom_t *l, const char *name, int64_t n, const char *what,
                        dorm_err_t *err)
{
    int rank;
    int64_t dims[2] = {0, 0};
    int rc = dorm_h5u_dims(l->c.file, name, &rank, dims, l->c.path, err);
    if (rc == 0 && dims[0] != n)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld entries, but %s has %lld %s",
                          l->c.path, name, (long long)dims[0], l->matrix, (long long)n, what);
    return rc;
}

/* Build the feature table from the row attributes. */
static int read_genes(dorm_reader_t *r, loom_t *l, dorm_err_t *err)
{
    char column[NAME_LEN + 16];
    const char *names_at;
    if (r->opts.var_column && r->opts.var_column[0]) {
        snprintf(column, sizeof column, "row_attrs/%s", r->opts.var_column);
        if (!dorm_h5u_exists(l->c.file, column))
            return dorm_err_set(err, DORM_E_USAGE, "%s: no row attribute %s", l->c.path, column);
        names_at = column;
    } else if (!(names_at = first_of(l, "row_attrs/Gene", "row_attrs/var_names"))) {
        return dorm_err_set(err, DORM_E_FORMAT, "%s: no gene names (row_attrs/Gene or row_attrs/var_names)",
                            l->c.path);
    }
    const char *ids_at = dorm_h5u_exists(l->c.file, "row_attrs/Accession") ? "row_attrs/Accession" : NULL;
    char **names = NULL, **ids = NULL;
    int64_t n_names = 0, n_ids = 0;
    int rc = check_length(l, names_at, l->n_genes, "genes", err);
    if (rc == 0 && ids_at)
        rc = check_length(l, ids_at, l->n_genes, "genes", err);
    if (rc == 0)
        rc = dorm_h5u_read_strings(l->c.file, names_at, &names, &n_names, l->c.path, err);
    if (rc == 0 && ids_at)
        rc = dorm_h5u_read_strings(l->c.file, ids_at, &ids, &n_ids, l->c.path, err);
    if (rc == 0)
        rc = dorm_features_build(&r->features, ids ? ids : names, ids ? names : NULL, NULL,
                                 n_names, r->opts.keep_all_types, &l->c.row_map, err);
    dorm_h5u_free_strings(names, n_names);
    dorm_h5u_free_strings(ids, n_ids);
    return rc;
}

/* Point *col at cell's values (stride *stride), reading its block if needed. */
static int cell_values(loom_t *l, int64_t cell, const double **col, int64_t *stride,
                       dorm_err_t *err)
{
    if (cell < l->block_first || cell >= l->block_first + l->block_n) {
        int64_t n = l->c.n_cells - cell < l->block_cols ? l->c.n_cells - cell : l->block_cols;
        l->block_n = 0;
        int rc = dorm_h5u_read_cols_f64(l->c.file, l->matrix, cell, n, l->n_genes, l->block, l->c.path, err);
        if (rc < 0)
            return rc;
        l->block_first = cell;
        l->block_n = n;
    }
    *col = l->block + (cell - l->block_first);
    *stride = l->block_n;
    return 0;
}

/* Add one cell's nonzero values to the chunk and close it. */
static int add_cell(dorm_reader_t *r, loom_t *l, int64_t cell, const char *barcode, dorm_err_t *err)
{
    const double *col;
    int64_t stride;
    int rc = cell_values(l, cell, &col, &stride, err);
    for (int64_t g = 0; rc == 0 && g < l->n_genes; g++) {
        double v = col[g * stride];
        if (!isfinite(v) || v < 0)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: %s[%lld, %lld] = %g: expected a finite, non-negative count",
                                l->c.path, l->matrix, (long long)g, (long long)cell, v);
        if (v == 0)
            continue;
        r->entries_read++;
        if (l->c.row_map[g] >= 0 && dorm_chunk_buf_push(&r->chunk, l->c.row_map[g], v) < 0)
            rc = dorm_err_nomem(err);
    }
    if (rc == 0 && dorm_chunk_buf_close_cell(&r->chunk, barcode) < 0)
        rc = dorm_err_nomem(err);
    return rc;
}

/* Cells [first, first + k): barcodes, then each cell's column. */
static int loom_fill(dorm_reader_t *r, dorm_h5cells_t *hc, int64_t first, int64_t k, dorm_err_t *err)
{
    loom_t *l = (loom_t *)hc;
    int rc = dorm_h5u_read_strings_slice(l->c.file, l->cell_ids, first, k, l->c.barcodes, l->c.path,
                                         err);
    for (int64_t c = 0; rc == 0 && c < k; c++)
        rc = add_cell(r, l, first + c, l->c.barcodes[c], err);
    return rc;
}

static void loom_free_own(dorm_h5cells_t *hc) { free(((loom_t *)hc)->block); }


/* The matrix (or layer), its shape and the barcodes' dataset. */
static int find_matrix(dorm_reader_t *r, loom_t *l, dorm_err_t *err)
{
    if (r->opts.use_raw)
        return dorm_err_set(err, DORM_E_USAGE, "%s: a loom file has no raw matrix", l->c.path);
    if (r->opts.layer && r->opts.layer[0])
        snprintf(l->matrix, sizeof l->matrix, "layers/%s", r->opts.layer);
    else
        snprintf(l->matrix, sizeof l->matrix, "matrix");
    if (!dorm_h5u_exists(l->c.file, l->matrix) || dorm_h5u_is_group(l->c.file, l->matrix))
        return dorm_err_set(err, r->opts.layer ? DORM_E_USAGE : DORM_E_FORMAT,
                            "%s: no %s dataset", l->c.path, l->matrix);
    int rank;
    int64_t dims[2];
    int rc = dorm_h5u_dims(l->c.file, l->matrix, &rank, dims, l->c.path, err);
    if (rc < 0)
        return rc;
    if (rank != 2)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s is a %d-d dataset, not genes x cells",
                            l->c.path, l->matrix, rank);
    l->n_genes = dims[0];
    l->c.n_cells = dims[1];
    const char *ids = first_of(l, "col_attrs/CellID", "col_attrs/obs_names");
    if (!ids)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: no barcodes (col_attrs/CellID or col_attrs/obs_names)",
                            l->c.path);
    snprintf(l->cell_ids, sizeof l->cell_ids, "%s", ids);
    return check_length(l, l->cell_ids, l->c.n_cells, "cells", err);
}

/* Columns per storage chunk of the matrix; 1 when it is stored contiguously. */
static int64_t storage_columns(const loom_t *l)
{
    hid_t d = H5Dopen2(l->c.file, l->matrix, H5P_DEFAULT);
    if (d < 0)
        return 1;
    hid_t pl = H5Dget_create_plist(d);
    hsize_t dims[2] = {1, 1};
    int64_t extent = 1;
    if (pl >= 0 && H5Pget_layout(pl) == H5D_CHUNKED && H5Pget_chunk(pl, 2, dims) == 2)
        extent = (int64_t)dims[1];
    if (pl >= 0)
        H5Pclose(pl);
    H5Dclose(d);
    return extent > 0 ? extent : 1;
}

/* Buffers for one chunk of barcodes and one block of columns. */
static int prepare(dorm_reader_t *r, loom_t *l, dorm_err_t *err)
{
    int64_t cells = r->opts.chunk_cells < l->c.n_cells ? r->opts.chunk_cells : l->c.n_cells;
    if (cells < 1)
        cells = 1;
    int64_t height = l->n_genes ? l->n_genes : 1, extent = storage_columns(l);
    int64_t cols = BLOCK_BYTES / (height * (int64_t)sizeof(double));
    cols = cols < extent ? extent : cols / extent * extent;
    l->block_cols = cols < l->c.n_cells ? cols : l->c.n_cells > 0 ? l->c.n_cells : 1;
    l->c.barcodes = calloc((size_t)cells, sizeof *l->c.barcodes);
    l->block = malloc((size_t)(l->block_cols * height) * sizeof *l->block);
    return l->c.barcodes && l->block ? 0 : dorm_err_nomem(err);
}

int dorm_loom_open(dorm_reader_t *r, const char *path, dorm_err_t *err)
{
    dorm_h5cells_t *c;
    int rc = dorm_h5cells_open(r, path, sizeof(loom_t), loom_fill, loom_free_own, &c, err);
    loom_t *l = (loom_t *)c;
    if (rc == 0)
        rc = find_matrix(r, l, err);
    if (rc == 0)
        rc = read_genes(r, l, err);
    if (rc == 0)
        rc = prepare(r, l, err);
    if (rc < 0)
        return rc;
    r->info.format = "loom";
    r->info.field = dorm_h5u_field(l->c.file, l->matrix);
    r->info.matrix_path = r->info.features_path = r->info.barcodes_path = l->c.path;
    r->info.cells_are_rows = 0;
    r->info.n_cells = l->c.n_cells;
    r->info.n_rows_declared = l->n_genes;
    r->info.nnz_declared = 0; /* a dense matrix declares none */
    return 0;
}
