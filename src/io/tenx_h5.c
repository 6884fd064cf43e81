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
#include "h5chunks_internal.h"
#include "h5util_internal.h"
#include "reader_internal.h"

typedef struct tenx_t {
    hid_t file;
    char *path;
    char group[512];
    int32_t *row_map;
    int64_t n_features, n_cells, nnz;
    int64_t next_cell;
    int64_t *indptr;   /* chunk + 1 */
    int64_t *indices;  /* chunk entries */
    double *data;
    char **barcodes;   /* chunk */
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
    if (dorm_h5u_exists(t->file, "matrix/indptr")) {
        snprintf(t->group, sizeof t->group, "matrix");
        return 0;
    }
    char **names = NULL, list[2048] = "";
    int n = 0, found = 0;
    int rc = dorm_h5u_members(t->file, "/", &names, &n, t->path, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/indptr", names[i]);
        if (!dorm_h5u_exists(t->file, p))
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
        return dorm_err_set(err, DORM_E_USAGE, "%s: no genome %s (genomes: %s)", t->path, genome, list);
    if (!genome && found > 1)
        return dorm_err_set(err, DORM_E_USAGE, "%s: several genomes (%s): choose one with --genome",
                            t->path, list);
    if (!found)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: no 10x matrix group", t->path);
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
    int rc = dorm_h5u_read_strings(t->file, p_id, &ids, &n_ids, t->path, err);
    if (rc == 0 && dorm_h5u_exists(t->file, p_name))
        rc = dorm_h5u_read_strings(t->file, p_name, &names, &n_names, t->path, err);
    if (rc == 0 && v3 && dorm_h5u_exists(t->file, p_type))
        rc = dorm_h5u_read_strings(t->file, p_type, &types, &n_types, t->path, err);
    if (rc == 0 && (n_ids != t->n_features || (names && n_names != n_ids) || (types && n_types != n_ids)))
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld features, but the shape says %lld",
                          t->path, p_id, (long long)n_ids, (long long)t->n_features);
    if (rc == 0)
        rc = dorm_features_build(&r->features, ids, names, types, n_ids, r->opts.keep_all_types,
                                 &t->row_map, err);
    dorm_h5u_free_strings(ids, n_ids);
    dorm_h5u_free_strings(names, n_names);
    dorm_h5u_free_strings(types, n_types);
    return rc;
}

static int grow(tenx_t *t, int64_t cells, int64_t nnz)
{
    if (cells + 1 > t->cap_cells) {
        int64_t *ip = realloc(t->indptr, (size_t)(cells + 1) * sizeof *ip);
        char **bc = ip ? realloc(t->barcodes, (size_t)(cells + 1) * sizeof *bc) : NULL;
        if (ip)
            t->indptr = ip;
        if (bc)
            t->barcodes = bc;
        if (!ip || !bc)
            return -1;
        memset(t->barcodes, 0, (size_t)(cells + 1) * sizeof *bc);
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
                                t->path, t->group, (long long)(a + e), (long long)g,
                                (long long)t->n_features - 1);
        if (!isfinite(v) || v < 0)
            return dorm_err_set(err, DORM_E_FORMAT, "%s: %s/data[%lld] = %g is not a count",
                                t->path, t->group, (long long)(a + e), v);
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
    const int32_t *row_map = t->row_map;
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

static int tenx_read(dorm_reader_t *r, dorm_err_t *err)
{
    tenx_t *t = r->impl;
    int64_t k = dorm_reader_span(r, t->next_cell, t->n_cells);
    if (k == 0)
        return 0;
    char p[600];
    if (grow(t, k, 0) < 0)
        return dorm_err_nomem(err);
    path_in(t, "indptr", p, sizeof p);
    int rc = dorm_h5chunks_read_i64(t->d_indptr, t->next_cell, k + 1, t->indptr, err);
    if (rc < 0)
        return rc;
    int64_t a = t->indptr[0], b = t->indptr[k];
    for (int64_t c = 0; c < k; c++)
        if (t->indptr[c + 1] < t->indptr[c] || t->indptr[c] < 0 || t->indptr[c + 1] > t->nnz)
            return dorm_err_set(err, DORM_E_FORMAT, "%s: %s is not increasing within 0..%lld at cell %lld",
                                t->path, p, (long long)t->nnz, (long long)(t->next_cell + c));
    if (grow(t, k, b - a) < 0)
        return dorm_err_nomem(err);
    if ((rc = dorm_h5chunks_read_i64(t->d_indices, a, b - a, t->indices, err)) < 0)
        return rc;
    if ((rc = dorm_h5chunks_read_f64(t->d_data, a, b - a, t->data, err)) < 0)
        return rc;
    path_in(t, "barcodes", p, sizeof p);
    if ((rc = dorm_h5u_read_strings_slice(t->file, p, t->next_cell, k, t->barcodes, t->path, err)) < 0)
        return rc;
    for (int64_t c = 0; c < k && rc == 0; c++) {
        int64_t e0 = t->indptr[c] - a, e1 = t->indptr[c + 1] - a;
        rc = check_entries(t, a, e0, e1, err);
        if (rc == 0 && push_entries(&r->chunk, t, e0, e1) < 0)
            rc = dorm_err_nomem(err);
        r->entries_read += e1 - e0;
        if (rc == 0 && dorm_chunk_buf_close_cell(&r->chunk, t->barcodes[c]) < 0)
            rc = dorm_err_nomem(err);
    }
    dorm_strings_clear(t->barcodes, k);
    t->next_cell += k;
    return rc;
}

static int tenx_rewind(dorm_reader_t *r, dorm_err_t *err)
{
    (void)err;
    tenx_t *t = r->impl;
    t->next_cell = 0;
    r->entries_read = 0;
    return 0;
}

static void tenx_close(dorm_reader_t *r)
{
    tenx_t *t = r->impl;
    if (!t)
        return;
    dorm_h5chunks_close(t->d_indptr);
    dorm_h5chunks_close(t->d_indices);
    dorm_h5chunks_close(t->d_data);
    if (t->file >= 0)
        H5Fclose(t->file);
    free(t->path);
    free(t->row_map);
    free(t->indptr);
    free(t->indices);
    free(t->data);
    free(t->barcodes);
    free(t);
    r->impl = NULL;
}

static const dorm_reader_ops_t tenx_ops = {tenx_read, tenx_rewind, tenx_close, NULL};

int dorm_tenx_h5_open(dorm_reader_t *r, const char *path, dorm_err_t *err)
{
    tenx_t *t = calloc(1, sizeof *t);
    if (!t)
        return dorm_err_nomem(err);
    t->file = -1;
    r->impl = t;
    r->ops = &tenx_ops;
    if (!(t->path = strdup(path)))
        return dorm_err_nomem(err);
    int rc = dorm_h5u_open(path, &t->file, err);
    if (rc == 0)
        rc = find_group(t, r->opts.genome, err);
    if (rc < 0)
        return rc;
    char p[600];
    int64_t shape[2] = {0, 0};
    path_in(t, "shape", p, sizeof p);
    if ((rc = dorm_h5u_read_i64(t->file, p, 0, 2, shape, path, err)) < 0)
        return rc;
    int rank;
    int64_t dims[2];
    path_in(t, "data", p, sizeof p);
    if ((rc = dorm_h5u_dims(t->file, p, &rank, dims, path, err)) < 0)
        return rc;
    t->n_features = shape[0];
    t->n_cells = shape[1];
    t->nnz = dims[0];
    int64_t n_bc[2];
    path_in(t, "barcodes", p, sizeof p);
    if ((rc = dorm_h5u_dims(t->file, p, &rank, n_bc, path, err)) < 0)
        return rc;
    path_in(t, "indptr", p, sizeof p);
    int64_t n_ptr[2];
    if ((rc = dorm_h5u_dims(t->file, p, &rank, n_ptr, path, err)) < 0)
        return rc;
    if (t->n_features < 0 || t->n_cells < 0 || n_bc[0] != t->n_cells || n_ptr[0] != t->n_cells + 1)
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: shape %lld x %lld does not match %lld barcodes and %lld indptr entries",
                            path, (long long)t->n_features, (long long)t->n_cells, (long long)n_bc[0],
                            (long long)n_ptr[0]);
    int64_t first = 0, last = 0, n_idx[2] = {0, 0};
    if ((rc = dorm_h5u_read_i64(t->file, p, 0, 1, &first, path, err)) < 0 ||
        (rc = dorm_h5u_read_i64(t->file, p, t->n_cells, 1, &last, path, err)) < 0)
        return rc;
    if (first != 0 || last != t->nnz) /* an offset start or a short end would drop entries */
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s runs from %lld to %lld, not from 0 to %lld, "
                            "the length of data", path, p, (long long)first, (long long)last,
                            (long long)t->nnz);
    path_in(t, "indices", p, sizeof p);
    if ((rc = dorm_h5u_dims(t->file, p, &rank, n_idx, path, err)) < 0)
        return rc;
    if (n_idx[0] != t->nnz)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s holds %lld entries, data %lld", path, p,
                            (long long)n_idx[0], (long long)t->nnz);
    if ((rc = read_features(r, t, err)) < 0)
        return rc;
    path_in(t, "data", p, sizeof p);
    hid_t dd = H5Dopen2(t->file, p, H5P_DEFAULT), ty = dd >= 0 ? H5Dget_type(dd) : -1;
    r->info.field = ty >= 0 && H5Tget_class(ty) == H5T_INTEGER ? "integer" : "real";
    if (ty >= 0)
        H5Tclose(ty);
    if (dd >= 0)
        H5Dclose(dd);
    const char *names[3] = {"indptr", "indices", "data"};
    h5chunks_t **sets[3] = {&t->d_indptr, &t->d_indices, &t->d_data};
    for (int i = 0; i < 3; i++) {
        path_in(t, names[i], p, sizeof p);
        if ((rc = dorm_h5chunks_open(sets[i], t->file, p, r->opts.threads, path, err)) < 0)
            return rc;
    }
    r->info.format = strcmp(t->group, "matrix") == 0 ? "10x-h5-v3" : "10x-h5-v2";
    r->info.matrix_path = r->info.features_path = r->info.barcodes_path = t->path;
    r->info.n_cells = t->n_cells;
    r->info.n_rows_declared = t->n_features;
    r->info.nnz_declared = t->nnz;
    return 0;
}
