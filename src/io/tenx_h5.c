/* tenx_h5.c -- 10x Genomics HDF5 feature-barcode matrices (Cell Ranger,
 * Space Ranger).
 *
 * v3+: /matrix/{data, indices, indptr, shape, barcodes} and
 * /matrix/features/{id, name, feature_type}; v2: one group per genome with
 * {data, indices, indptr, shape, barcodes, genes, gene_names}.  The matrix is
 * compressed sparse column with one column per cell, so chunks of cells are
 * read as slices of indptr, indices, data and barcodes: memory depends on the
 * chunk, not on the number of cells.  Integer widths are taken from the file
 * (HDF5 converts them to the reader's types). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "features_internal.h"
#include "h5cells_internal.h"
#include "h5chunks_internal.h"
#include "h5util_internal.h"
#include "reader_internal.h"

typedef struct tenx_t {
    dorm_h5cells_t c;  /* first: file, path, row_map, barcodes, cells */
    char group[512];
    int64_t n_features, nnz;
    int64_t *indptr;   /* chunk + 1 */
    int64_t *indices;  /* chunk entries */
    double *data;
    int64_t cap_cells, cap_nnz;
    h5chunks_t *d_indptr, *d_indices, *d_data; /* kept open: chunks decoded once */
} tenx_t;

static void path_in(const tenx_t *t, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", t->group, name);
}

/* The group holding the matrix: "matrix", or the single (or chosen) genome. */
static int find_group(tenx_t *t, const char *genome, dorm_err_t *err)
{
    if (dorm_h5u_exists(t->c.file, "matrix/indptr")) {
        snprintf(t->group, sizeof t->group, "matrix");
        return 0;
    }
    char **names = NULL, list[2048] = "";
    int n = 0, found = 0;
    int rc = dorm_h5u_members(t->c.file, "/", &names, &n, t->c.path, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/indptr", names[i]);
        if (!dorm_h5u_exists(t->c.file, p))
            continue;
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", found ? ", " : "", names[i]);
        if (!genome || strcmp(genome, names[i]) == 0)
            snprintf(t->group, sizeof t->group, "%s", names[i]);
        found++;
    }
    dorm_h5u_free_strings(names, n);
    if (rc < 0)
        return rc;
    if (genome && !*t->group)
        return dorm_err_set(err, DORM_E_USAGE, "%s: no genome %s (genomes: %s)", t->c.path, genome, list);
    if (!genome && found > 1)
        return dorm_err_set(err, DORM_E_USAGE, "%s: several genomes (%s): choose one with --genome",
                            t->c.path, list);
    if (!found)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: no 10x matrix group", t->c.path);
    return 0;
}

static int read_features(dorm_reader_t *r, tenx_t *t, dorm_err_t *err)
{
    char p_id[600], p_name[600], p_type[600];
    int v3 = strcmp(t->group, "matrix") == 0;
    path_in(t, v3 ? "features/id" : "genes", p_id, sizeof p_id);
    path_in(t, v3 ? "features/name" : "gene_names", p_name, sizeof p_name);
    path_in(t, "features/feature_type", p_type, sizeof p_type);
    char **ids = NULL, **names = NULL, **types = NULL;
    int64_t n_ids = 0, n_names = 0, n_types = 0;
    int rc = dorm_h5u_read_strings(t->c.file, p_id, &ids, &n_ids, t->c.path, err);
    if (rc == 0 && dorm_h5u_exists(t->c.file, p_name))
        rc = dorm_h5u_read_strings(t->c.file, p_name, &names, &n_names, t->c.path, err);
    if (rc == 0 && v3 && dorm_h5u_exists(t->c.file, p_type))
        rc = dorm_h5u_read_strings(t->c.file, p_type, &types, &n_types, t->c.path, err);
    if (rc == 0 && (n_ids != t->n_features || (names && n_names != n_ids) || (types && n_types != n_ids)))
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld features, but the shape says %lld",
                          t->c.path, p_id, (long long)n_ids, (long long)t->n_features);
    if (rc == 0)
        rc = dorm_features_build(&r->features, ids, names, types, n_ids, r->opts.keep_all_types,
                                 &t->c.row_map, err);
    dorm_h5u_free_strings(ids, n_ids);
    dorm_h5u_free_strings(names, n_names);
    dorm_h5u_free_strings(types, n_types);
    return rc;
}

static int grow(tenx_t *t, int64_t cells, int64_t nnz)
{
    if (cells + 1 > t->cap_cells) {
        int64_t *ip = realloc(t->indptr, (size_t)(cells + 1) * sizeof *ip);
        char **bc = ip ? realloc(t->c.barcodes, (size_t)(cells + 1) * sizeof *bc) : NULL;
        if (ip)
            t->indptr = ip;
        if (bc)
            t->c.barcodes = bc;
        if (!ip || !bc)
            return -1;
        memset(t->c.barcodes, 0, (size_t)(cells + 1) * sizeof *bc);
        t->cap_cells = cells + 1;
    }
    if (nnz > t->cap_nnz) {
        int64_t *ix = realloc(t->indices, (size_t)nnz * sizeof *ix);
        if (ix)
            t->indices = ix;
        double *d = ix ? realloc(t->data, (size_t)nnz * sizeof *d) : NULL;
        if (d)
            t->data = d;
        if (!ix || !d)
            return -1;
        t->cap_nnz = nnz;
    }
    return 0;
}

/* Entries [e0, e1) of the chunk just read (entry a of the file first): gene
 * indices in range and values that are counts, or an error naming the
 * first bad one. */
static int check_entries(const tenx_t *t, int64_t a, int64_t e0, int64_t e1, dorm_err_t *err)
{
    int bad = 0;
    for (int64_t e = e0; e < e1; e++) { /* one pass without branches, then find the culprit */
        double v = t->data[e];
        bad |= (t->indices[e] < 0) | (t->indices[e] >= t->n_features) | !(v >= 0 && v <= DBL_MAX);
    }
    for (int64_t e = e0; bad && e < e1; e++) {
        int64_t g = t->indices[e];
        double v = t->data[e];
        if (g < 0 || g >= t->n_features)
            return dorm_err_set(err, DORM_E_FORMAT, "%s: %s/indices[%lld] = %lld outside 0..%lld",
                                t->c.path, t->group, (long long)(a + e), (long long)g,
                                (long long)t->n_features - 1);
        if (!isfinite(v) || v < 0)
            return dorm_err_set(err, DORM_E_FORMAT, "%s: %s/data[%lld] = %g is not a count",
                                t->c.path, t->group, (long long)(a + e), v);
    }
    return 0;
}

/* Append checked entries [e0, e1) to the open cell, leaving out zeros and
 * dropped features (room for all first, then a loop on locals: what
 * dorm_chunk_buf_push does per entry); <0 when out of memory. */
static int push_entries(dorm_chunk_buf_t *ck, const tenx_t *t, int64_t e0, int64_t e1)
{
    if (dorm_chunk_buf_reserve(ck, e1 - e0) < 0)
        return -1;
    int64_t at = ck->col_ptr[ck->view.n_cells + 1];
    int32_t *gene = ck->gene;
    double *value = ck->value;
    uint32_t *count = ck->count;
    const int32_t *row_map = t->c.row_map;
    int ok = 1;
    for (int64_t e = e0; e < e1; e++) {
        int32_t g = row_map[t->indices[e]];
        double v = t->data[e];
        gene[at] = g;
        value[at] = v;
        count[at] = dorm_count_of(v, &ok);
        at += g >= 0 && v > 0;
    }
    ck->col_ptr[ck->view.n_cells + 1] = at;
    ck->counts_ok &= ok;
    return 0;
}

/* Cells [first, first + k): indptr, then their entries, then barcodes. */
static int tenx_fill(dorm_reader_t *r, dorm_h5cells_t *hc, int64_t first, int64_t k, dorm_err_t *err)
{
    tenx_t *t = (tenx_t *)hc;
    char p[600];
    if (grow(t, k, 0) < 0)
        return dorm_err_nomem(err);
    path_in(t, "indptr", p, sizeof p);
    int rc = dorm_h5chunks_read_i64(t->d_indptr, first, k + 1, t->indptr, err);
    if (rc < 0)
        return rc;
    int64_t a = t->indptr[0], b = t->indptr[k];
    for (int64_t c = 0; c < k; c++)
        if (t->indptr[c + 1] < t->indptr[c] || t->indptr[c] < 0 || t->indptr[c + 1] > t->nnz)
            return dorm_err_set(err, DORM_E_FORMAT, "%s: %s is not increasing within 0..%lld at cell %lld",
                                t->c.path, p, (long long)t->nnz, (long long)(first + c));
    if (grow(t, k, b - a) < 0)
        return dorm_err_nomem(err);
    if ((rc = dorm_h5chunks_read_i64(t->d_indices, a, b - a, t->indices, err)) < 0)
        return rc;
    if ((rc = dorm_h5chunks_read_f64(t->d_data, a, b - a, t->data, err)) < 0)
        return rc;
    path_in(t, "barcodes", p, sizeof p);
    if ((rc = dorm_h5u_read_strings_slice(t->c.file, p, first, k, t->c.barcodes, t->c.path, err)) < 0)
        return rc;
    for (int64_t c = 0; c < k && rc == 0; c++) {
        int64_t e0 = t->indptr[c] - a, e1 = t->indptr[c + 1] - a;
        rc = check_entries(t, a, e0, e1, err);
        if (rc == 0 && push_entries(&r->chunk, t, e0, e1) < 0)
            rc = dorm_err_nomem(err);
        r->entries_read += e1 - e0;
        if (rc == 0 && dorm_chunk_buf_close_cell(&r->chunk, t->c.barcodes[c]) < 0)
            rc = dorm_err_nomem(err);
    }
    return rc;
}

static void tenx_free_own(dorm_h5cells_t *hc)
{
    tenx_t *t = (tenx_t *)hc;
    dorm_h5chunks_close(t->d_indptr);
    dorm_h5chunks_close(t->d_indices);
    dorm_h5chunks_close(t->d_data);
    free(t->indptr);
    free(t->indices);
    free(t->data);
}


int dorm_tenx_h5_open(dorm_reader_t *r, const char *path, dorm_err_t *err)
{
    dorm_h5cells_t *c;
    int rc = dorm_h5cells_open(r, path, sizeof(tenx_t), tenx_fill, tenx_free_own, &c, err);
    tenx_t *t = (tenx_t *)c;
    if (rc == 0)
        rc = find_group(t, r->opts.genome, err);
    if (rc < 0)
        return rc;
    char p[600];
    int64_t shape[2] = {0, 0};
    path_in(t, "shape", p, sizeof p);
    if ((rc = dorm_h5u_read_i64(t->c.file, p, 0, 2, shape, path, err)) < 0)
        return rc;
    int rank;
    t->n_features = shape[0];
    t->c.n_cells = shape[1];
    int64_t n_bc[2];
    path_in(t, "barcodes", p, sizeof p);
    if ((rc = dorm_h5u_dims(t->c.file, p, &rank, n_bc, path, err)) < 0)
        return rc;
    path_in(t, "indptr", p, sizeof p);
    int64_t n_ptr[2];
    if ((rc = dorm_h5u_dims(t->c.file, p, &rank, n_ptr, path, err)) < 0)
        return rc;
    if (t->n_features < 0 || t->c.n_cells < 0 || n_bc[0] != t->c.n_cells || n_ptr[0] != t->c.n_cells + 1)
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: shape %lld x %lld does not match %lld barcodes and %lld indptr entries",
                            path, (long long)t->n_features, (long long)t->c.n_cells, (long long)n_bc[0],
                            (long long)n_ptr[0]);
    char p_idx[600], p_data[600];
    path_in(t, "indices", p_idx, sizeof p_idx);
    path_in(t, "data", p_data, sizeof p_data);
    if ((rc = dorm_h5u_sparse_extent(t->c.file, p, p_idx, p_data, t->c.n_cells, &t->nnz, path,
                                     err)) < 0)
        return rc;
    if ((rc = read_features(r, t, err)) < 0)
        return rc;
    path_in(t, "data", p, sizeof p);
    r->info.field = dorm_h5u_field(t->c.file, p);
    const char *names[3] = {"indptr", "indices", "data"};
    h5chunks_t **sets[3] = {&t->d_indptr, &t->d_indices, &t->d_data};
    for (int i = 0; i < 3; i++) {
        path_in(t, names[i], p, sizeof p);
        if ((rc = dorm_h5chunks_open(sets[i], t->c.file, p, r->opts.threads, path, err)) < 0)
            return rc;
    }
    r->info.format = strcmp(t->group, "matrix") == 0 ? "10x-h5-v3" : "10x-h5-v2";
    r->info.matrix_path = r->info.features_path = r->info.barcodes_path = t->c.path;
    r->info.n_cells = t->c.n_cells;
    r->info.n_rows_declared = t->n_features;
    r->info.nnz_declared = t->nnz;
    return 0;
}
