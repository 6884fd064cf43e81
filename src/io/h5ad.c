/* h5ad.c -- AnnData (.h5ad) backend.
 *
 * The matrix is X, layers/NAME (opts.layer) or raw/X (opts.use_raw, with the
 * genes of raw/var).  Cells are its rows (obs), genes its columns (var).
 *
 *   CSR    encoding-type "csr_matrix", legacy h5sparse_format "csr", or a
 *          group of data/indices/indptr without attributes (shape from the obs
 *          and var lengths).  A chunk of cells is one slice of indptr and the
 *          matching slices of indices and data: memory follows the chunk, not
 *          the number of cells.
 *   CSC    "csc_matrix" or "csc".  A cell's entries are spread over every gene
 *          column, so the whole matrix is read once when the reader opens, in
 *          file order, and regrouped by cell: about 12 bytes per stored entry
 *          (int32 gene + double value) plus 8 bytes per cell (16 while
 *          loading), held until close.  This is the one layout whose memory
 *          grows with the number of cells.
 *   dense  a 2-d dataset n_obs x n_vars, read in blocks of whole rows that
 *          fill DENSE_BLOCK_BYTES, rounded to whole storage chunks so that each
 *          compressed chunk is decoded once (so at least one band of chunks,
 *          however wide).  Blocks do not follow the chunks of cells handed
 *          out.  Entries read counts the nonzero elements.
 *
 * Gene names and barcodes are the var and obs indexes: the column named by the
 * dataframe's "_index" attribute, else _index, else index.  Before AnnData 0.7
 * obs and var were compound datasets, whose "index" (or "_index") field is
 * read instead.  opts.var_column takes the gene names from another var column
 * (strings, or a categorical) and keeps the index as the gene ids.  Barcodes
 * are read one chunk at a time.  Every feature is 'Gene Expression'.  Stored
 * values must be finite and non-negative; zeros are skipped.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/h5ad.h"
#include "dormscan/log.h"
#include "features_internal.h"
#include "h5cells_internal.h"
#include "h5chunks_internal.h"
#include "h5util_internal.h"
#include "reader_internal.h"

#define DENSE_BLOCK_BYTES (64LL << 20) /* one read of a dense matrix */
#define CSC_LOAD_ENTRIES (1LL << 20)   /* entries per read while loading CSC */
#define PATH_MAX_LEN 512

typedef enum { LAYOUT_CSR, LAYOUT_CSC, LAYOUT_DENSE, LAYOUT_BARE } layout_t;

/* A string column: a 1-d string dataset, or one field of a compound dataset. */
typedef struct {
    char dset[PATH_MAX_LEN];
    char field[PATH_MAX_LEN]; /* "" for a plain dataset */
} strcol_t;

typedef struct h5ad_t {
    dorm_h5cells_t c;           /* first: file, path, row_map (var index -> kept gene),
                                   barcodes, cells (c.n_cells: n_obs) */
    char matrix[PATH_MAX_LEN];  /* "X", "layers/NAME" or "raw/X" */
    char data[PATH_MAX_LEN + 16], indices[PATH_MAX_LEN + 16], indptr[PATH_MAX_LEN + 16];
    layout_t layout;
    int64_t n_vars;
    int64_t n_stored;           /* length of data (sparse) */
    strcol_t obs_index;
    int warned_duplicates;
    /* CSR: the current chunk's slices */
    int64_t *ptr;
    int64_t *idx;
    double *val;
    int64_t cap_entries;
    h5chunks_t *csr[3];         /* indptr, indices, data: opened on first read */
    /* CSC: every entry, regrouped by cell */
    int64_t *cell_ptr;          /* n_obs + 1 */
    int32_t *cell_gene;         /* var index */
    double *cell_value;
    /* dense: one block of rows */
    double *block;
    int64_t block_rows, block_first, block_n;
} h5ad_t;

static int is_count(double v) { return isfinite(v) && v >= 0; }

/* Rows per storage chunk of a 2-d dataset; 1 when it is stored contiguously. */
static int64_t storage_rows(hid_t file, const char *name)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0)
        return 1;
    hid_t pl = H5Dget_create_plist(d);
    hsize_t dims[2] = {1, 1};
    int64_t extent = 1;
    if (pl >= 0 && H5Pget_layout(pl) == H5D_CHUNKED && H5Pget_chunk(pl, 2, dims) == 2)
        extent = (int64_t)dims[0];
    if (pl >= 0)
        H5Pclose(pl);
    H5Dclose(d);
    return extent > 0 ? extent : 1;
}

/* "a, b, c": the members of a group, for error messages ("" if none). */
static void member_list(const h5ad_t *h, const char *group, char *buf, size_t size)
{
    char **names = NULL;
    int n = 0;
    size_t used = 0;
    buf[0] = '\0';
    if (dorm_h5u_members(h->c.file, group, &names, &n, h->c.path, NULL) < 0)
        return;
    for (int i = 0; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    dorm_h5u_free_strings(names, n);
}

/* Copy n strings out of an HDF5 read buffer (vlen: char pointers; fixed: width bytes each). */
static int copy_strings(int vlen, size_t width, const void *raw, int64_t n, char **out)
{
    for (int64_t i = 0; i < n; i++) {
        if (vlen) {
            const char *s = ((char *const *)raw)[i];
            out[i] = strdup(s ? s : "");
        } else {
            const char *s = (const char *)raw + (size_t)i * width;
            out[i] = strndup(s, strnlen(s, width));
        }
        if (!out[i])
            return -1;
    }
    return 0;
}

/* Read elements [start, start + count) of the string field `field` of a
 * compound dataset (the pre-0.7 obs/var layout) into out. */
static int read_field_slice(const h5ad_t *h, const strcol_t *col, int64_t start, int64_t count,
                            char **out, dorm_err_t *err)
{
    if (count == 0)
        return 0;
    hid_t d = -1, ft = -1, member = -1, st = -1, mt = -1, fs = -1, ms = -1;
    void *raw = NULL;
    int vlen = 0, rc = 0;
    if ((d = H5Dopen2(h->c.file, col->dset, H5P_DEFAULT)) < 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no dataset %s", h->c.path, col->dset);
        goto done;
    }
    ft = H5Dget_type(d);
    int at = H5Tget_member_index(ft, col->field);
    member = at >= 0 ? H5Tget_member_type(ft, (unsigned)at) : -1;
    if (member < 0 || H5Tget_class(member) != H5T_STRING) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s has no string field '%s'", h->c.path,
                          col->dset, col->field);
        goto done;
    }
    /* A memory type holding just this field, as a C string. */
    vlen = H5Tis_variable_str(member) > 0;
    size_t width = vlen ? sizeof(char *) : H5Tget_size(member);
    st = H5Tcopy(H5T_C_S1);
    mt = H5Tcreate(H5T_COMPOUND, width);
    if (st < 0 || mt < 0 || H5Tset_size(st, vlen ? H5T_VARIABLE : width) < 0 ||
        H5Tset_cset(st, H5Tget_cset(member)) < 0 || H5Tinsert(mt, col->field, 0, st) < 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: cannot read field '%s' of %s", h->c.path,
                          col->field, col->dset);
        goto done;
    }
    hsize_t st0 = (hsize_t)start, ct = (hsize_t)count;
    fs = H5Dget_space(d);
    ms = H5Screate_simple(1, &ct, NULL);
    if (!(raw = calloc((size_t)count, width))) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &st0, NULL, &ct, NULL) < 0 ||
        H5Dread(d, mt, ms, fs, H5P_DEFAULT, raw) < 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: cannot read %s.%s[%lld..%lld) (truncated or corrupt?)",
                          h->c.path, col->dset, col->field, (long long)start,
                          (long long)(start + count));
        vlen = 0; /* nothing to reclaim */
        goto done;
    }
    if (copy_strings(vlen, width, raw, count, out) < 0)
        rc = dorm_err_nomem(err);
done:
    if (raw && vlen)
        H5Dvlen_reclaim(mt, ms, H5P_DEFAULT, raw);
    free(raw);
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    if (mt >= 0)
        H5Tclose(mt);
    if (st >= 0)
        H5Tclose(st);
    if (member >= 0)
        H5Tclose(member);
    if (ft >= 0)
        H5Tclose(ft);
    if (d >= 0)
        H5Dclose(d);
    return rc;
}

/* Read elements [start, start + count) of a string column into out (the
 * caller frees the strings, also after an error). */
static int read_column(const h5ad_t *h, const strcol_t *col, int64_t start, int64_t count,
                       char **out, dorm_err_t *err)
{
    if (col->field[0])
        return read_field_slice(h, col, start, count, out, err);
    return dorm_h5u_read_strings_slice(h->c.file, col->dset, start, count, out, h->c.path, err);
}

/* Read a whole column of n strings into a new array. */
static int read_column_all(const h5ad_t *h, const strcol_t *col, int64_t n, char ***out,
                           dorm_err_t *err)
{
    *out = calloc((size_t)(n ? n : 1), sizeof **out);
    if (!*out)
        return dorm_err_nomem(err);
    int rc = read_column(h, col, 0, n, *out, err);
    if (rc < 0) {
        dorm_h5u_free_strings(*out, n);
        *out = NULL;
    }
    return rc;
}

static int column_length(const h5ad_t *h, const strcol_t *col, int64_t *n, dorm_err_t *err)
{
    int rank;
    int64_t dims[2] = {0, 0};
    int rc = dorm_h5u_dims(h->c.file, col->dset, &rank, dims, h->c.path, err);
    *n = dims[0];
    return rc;
}

/* For messages: "obs/_index" or "obs.index". */
static const char *column_name(const strcol_t *col, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", col->dset, col->field[0] ? "." : "", col->field);
    return buf;
}

/* 1 if dataset dset is a compound with a field of that name. */
static int has_field(const h5ad_t *h, const char *dset, const char *field)
{
    hid_t d = H5Dopen2(h->c.file, dset, H5P_DEFAULT), t = d >= 0 ? H5Dget_type(d) : -1;
    int found = t >= 0 && H5Tget_class(t) == H5T_COMPOUND && H5Tget_member_index(t, field) >= 0;
    if (t >= 0)
        H5Tclose(t);
    if (d >= 0)
        H5Dclose(d);
    return found;
}

/* The index of dataframe `frame` (obs, var or raw/var). */
static int find_index(const h5ad_t *h, const char *frame, strcol_t *col, dorm_err_t *err)
{
    memset(col, 0, sizeof *col);
    if (!dorm_h5u_exists(h->c.file, frame))
        return dorm_err_set(err, DORM_E_FORMAT, "%s: no %s dataframe", h->c.path, frame);
    if (!dorm_h5u_is_group(h->c.file, frame)) {
        /* pre-0.7: a compound dataset with an index field */
        const char *field = has_field(h, frame, "index")    ? "index"
                            : has_field(h, frame, "_index") ? "_index"
                                                            : NULL;
        if (!field)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: %s is a dataset but not a table with an 'index' field",
                                h->c.path, frame);
        snprintf(col->dset, sizeof col->dset, "%s", frame);
        snprintf(col->field, sizeof col->field, "%s", field);
        return 0;
    }
    char *named = NULL;
    int rc = dorm_h5u_attr_string(h->c.file, frame, "_index", &named, h->c.path, err);
    if (rc < 0)
        return rc;
    if (named)
        snprintf(col->dset, sizeof col->dset, "%s/%s", frame, named);
    free(named);
    if (!col->dset[0] || !dorm_h5u_exists(h->c.file, col->dset))
        snprintf(col->dset, sizeof col->dset, "%s/_index", frame);
    if (!dorm_h5u_exists(h->c.file, col->dset))
        snprintf(col->dset, sizeof col->dset, "%s/index", frame);
    if (!dorm_h5u_exists(h->c.file, col->dset))
        return dorm_err_set(err, DORM_E_FORMAT,
                            "%s: %s has no index (no _index attribute, %s/_index or %s/index)",
                            h->c.path, frame, frame, frame);
    return 0;
}

/* n names from a categorical column: names[i] = categories[codes[i]], "" for
 * a missing value (code -1). */
static int read_categorical(const h5ad_t *h, const char *codes_path, const char *cats_path,
                            int64_t n, char ***out, dorm_err_t *err)
{
    int64_t *codes = NULL, n_codes = 0, n_cats = 0, dims[2];
    char **cats = NULL, **names = NULL;
    int rank;
    int rc = dorm_h5u_dims(h->c.file, codes_path, &rank, dims, h->c.path, err);
    if (rc == 0 && (n_codes = dims[0]) != n)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld entries, but the index has %lld",
                          h->c.path, codes_path, (long long)n_codes, (long long)n);
    if (rc == 0 && (!(codes = malloc((size_t)(n ? n : 1) * sizeof *codes)) ||
                    !(names = calloc((size_t)(n ? n : 1), sizeof *names))))
        rc = dorm_err_nomem(err);
    if (rc == 0)
        rc = dorm_h5u_read_i64(h->c.file, codes_path, 0, n, codes, h->c.path, err);
    if (rc == 0)
        rc = dorm_h5u_read_strings(h->c.file, cats_path, &cats, &n_cats, h->c.path, err);
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        if (codes[i] >= n_cats || codes[i] < -1)
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s[%lld] = %lld, but %s has %lld categories",
                              h->c.path, codes_path, (long long)i, (long long)codes[i], cats_path,
                              (long long)n_cats);
        else if (!(names[i] = strdup(codes[i] < 0 ? "" : cats[codes[i]])))
            rc = dorm_err_nomem(err);
    }
    free(codes);
    dorm_h5u_free_strings(cats, n_cats);
    if (rc < 0) {
        dorm_h5u_free_strings(names, n);
        names = NULL;
    }
    *out = names;
    return rc;
}

/* Column `name` of dataframe `frame` (var: opts.var_column; obs: --groupby). */
static int read_var_column(const h5ad_t *h, const char *frame, const char *name, int64_t n,
                           char ***out, dorm_err_t *err)
{
    char path[PATH_MAX_LEN + 16], sub[2 * PATH_MAX_LEN];
    *out = NULL;
    if (!dorm_h5u_is_group(h->c.file, frame)) {
        if (!has_field(h, frame, name))
            return dorm_err_set(err, DORM_E_USAGE, "%s: no %s column %s (%s has no field '%s')",
                                h->c.path, frame, name, frame, name);
        strcol_t col = {{0}, {0}};
        snprintf(col.dset, sizeof col.dset, "%s", frame);
        snprintf(col.field, sizeof col.field, "%s", name);
        return read_column_all(h, &col, n, out, err);
    }
    snprintf(path, sizeof path, "%s/%s", frame, name);
    if (!dorm_h5u_exists(h->c.file, path)) {
        char list[1024];
        member_list(h, frame, list, sizeof list);
        return dorm_err_set(err, DORM_E_USAGE, "%s: no %s column %s (columns: %s)", h->c.path,
                            frame, path, list);
    }
    if (dorm_h5u_is_group(h->c.file, path)) { /* AnnData >= 0.8 categorical */
        char cats[2 * PATH_MAX_LEN];
        snprintf(sub, sizeof sub, "%s/codes", path);
        snprintf(cats, sizeof cats, "%s/categories", path);
        return read_categorical(h, sub, cats, n, out, err);
    }
    if (dorm_h5u_class(h->c.file, path) == H5T_STRING) {
        int64_t got = 0;
        int rc = dorm_h5u_read_strings(h->c.file, path, out, &got, h->c.path, err);
        if (rc == 0 && got != n) {
            dorm_h5u_free_strings(*out, got);
            *out = NULL;
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld entries, but the %s index has %lld",
                              h->c.path, path, (long long)got, frame, (long long)n);
        }
        return rc;
    }
    snprintf(sub, sizeof sub, "%s/__categories/%s", frame, name); /* AnnData 0.7 categorical */
    if (dorm_h5u_exists(h->c.file, sub))
        return read_categorical(h, path, sub, n, out, err);
    return dorm_err_set(err, DORM_E_USAGE, "%s: %s is neither a string nor a categorical column",
                        h->c.path, path);
}

/* Build the feature table from the var index (and opts.var_column). */
static int read_genes(dorm_reader_t *r, h5ad_t *h, const char *frame, int64_t *n_genes,
                      dorm_err_t *err)
{
    strcol_t index;
    char **ids = NULL, **names = NULL;
    int64_t n = 0;
    int rc = find_index(h, frame, &index, err);
    if (rc == 0)
        rc = column_length(h, &index, &n, err);
    if (rc == 0)
        rc = read_column_all(h, &index, n, &ids, err);
    if (rc == 0 && r->opts.var_column && r->opts.var_column[0])
        rc = read_var_column(h, frame, r->opts.var_column, n, &names, err);
    if (rc == 0)
        rc = dorm_features_build(&r->features, ids, names, NULL, n, r->opts.keep_all_types,
                                 &h->c.row_map, err);
    dorm_h5u_free_strings(ids, n);
    dorm_h5u_free_strings(names, n);
    *n_genes = n;
    return rc;
}

/* The encoding of a sparse group: its layout and, when recorded, its shape. */
static int sparse_encoding(h5ad_t *h, dorm_err_t *err)
{
    char *enc = NULL, *legacy = NULL;
    int64_t shape[2] = {0, 0};
    int n_shape = 0;
    snprintf(h->data, sizeof h->data, "%s/data", h->matrix);
    snprintf(h->indices, sizeof h->indices, "%s/indices", h->matrix);
    snprintf(h->indptr, sizeof h->indptr, "%s/indptr", h->matrix);
    int rc = dorm_h5u_attr_string(h->c.file, h->matrix, "encoding-type", &enc, h->c.path, err);
    if (rc == 0)
        rc = dorm_h5u_attr_string(h->c.file, h->matrix, "h5sparse_format", &legacy, h->c.path, err);
    if (rc < 0)
        goto done;
    if (!dorm_h5u_exists(h->c.file, h->data) || !dorm_h5u_exists(h->c.file, h->indices) ||
        !dorm_h5u_exists(h->c.file, h->indptr)) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s is a group without data, indices and indptr (encoding %s)",
                          h->c.path, h->matrix, enc ? enc : legacy ? legacy : "none");
        goto done;
    }
    if (enc && (strcmp(enc, "csr_matrix") == 0 || strcmp(enc, "csc_matrix") == 0)) {
        h->layout = strcmp(enc, "csr_matrix") == 0 ? LAYOUT_CSR : LAYOUT_CSC;
        n_shape = dorm_h5u_attr_i64(h->c.file, h->matrix, "shape", shape, 2);
    } else if (!enc && legacy && (strcmp(legacy, "csr") == 0 || strcmp(legacy, "csc") == 0)) {
        h->layout = strcmp(legacy, "csr") == 0 ? LAYOUT_CSR : LAYOUT_CSC;
        n_shape = dorm_h5u_attr_i64(h->c.file, h->matrix, "h5sparse_shape", shape, 2);
    } else if (enc || legacy) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s has unsupported encoding '%s' (csr_matrix or csc_matrix)",
                          h->c.path, h->matrix, enc ? enc : legacy);
        goto done;
    } else {
        h->layout = LAYOUT_BARE; /* orientation and shape from obs and var */
        goto done;
    }
    if (n_shape != 2 || shape[0] < 0 || shape[1] < 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s has no valid 2-element shape attribute",
                          h->c.path, h->matrix);
        goto done;
    }
    h->c.n_cells = shape[0];
    h->n_vars = shape[1];
done:
    free(enc);
    free(legacy);
    return rc;
}

static int missing_matrix(const dorm_reader_t *r, const h5ad_t *h, dorm_err_t *err)
{
    char list[1024];
    if (r->opts.layer && r->opts.layer[0]) {
        member_list(h, "layers", list, sizeof list);
        return dorm_err_set(err, DORM_E_USAGE, "%s: no %s (layers: %s)", h->c.path, h->matrix,
                            list[0] ? list : "none");
    }
    return dorm_err_set(err, r->opts.use_raw ? DORM_E_USAGE : DORM_E_FORMAT,
                        "%s: no %s matrix", h->c.path, h->matrix);
}

/* Which matrix to read and how it is stored. */
static int find_matrix(dorm_reader_t *r, h5ad_t *h, dorm_err_t *err)
{
    const dorm_reader_opts_t *o = &r->opts;
    int layer = o->layer && o->layer[0];
    if (layer && o->use_raw)
        return dorm_err_set(err, DORM_E_USAGE, "%s: choose a layer or raw, not both (raw has no layers)",
                            h->c.path);
    if (layer)
        snprintf(h->matrix, sizeof h->matrix, "layers/%s", o->layer);
    else
        snprintf(h->matrix, sizeof h->matrix, "%s", o->use_raw ? "raw/X" : "X");
    if (!dorm_h5u_exists(h->c.file, h->matrix))
        return missing_matrix(r, h, err);
    if (dorm_h5u_is_group(h->c.file, h->matrix))
        return sparse_encoding(h, err);
    int rank;
    int64_t dims[2];
    int rc = dorm_h5u_dims(h->c.file, h->matrix, &rank, dims, h->c.path, err);
    if (rc < 0)
        return rc;
    if (rank != 2)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s is a %d-d dataset, not a cells x genes matrix",
                            h->c.path, h->matrix, rank);
    h->layout = LAYOUT_DENSE;
    h->c.n_cells = dims[0];
    h->n_vars = dims[1];
    return 0;
}

/* Settle the shape against the obs and var indexes; check the sparse arrays. */
static int check_shape(h5ad_t *h, const char *var_frame, int64_t n_barcodes, int64_t n_genes,
                       dorm_err_t *err)
{
    int rank;
    int64_t n_ptr[2] = {0, 0}, n_data[2] = {0, 0}, n_idx[2] = {0, 0};
    int sparse = h->layout != LAYOUT_DENSE;
    int rc = 0;
    if (sparse && ((rc = dorm_h5u_dims(h->c.file, h->indptr, &rank, n_ptr, h->c.path, err)) < 0 ||
                   (rc = dorm_h5u_dims(h->c.file, h->data, &rank, n_data, h->c.path, err)) < 0 ||
                   (rc = dorm_h5u_dims(h->c.file, h->indices, &rank, n_idx, h->c.path, err)) < 0))
        return rc;
    if (h->layout == LAYOUT_BARE) {
        h->c.n_cells = n_barcodes;
        h->n_vars = n_genes;
        /* scanpy writes CSR by default, so a square matrix is taken as CSR */
        h->layout = n_ptr[0] == n_barcodes + 1 ? LAYOUT_CSR
                    : n_ptr[0] == n_genes + 1  ? LAYOUT_CSC
                                               : LAYOUT_BARE;
        if (h->layout == LAYOUT_BARE)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: %s has %lld entries, but obs has %lld and var %lld names (expected one more)",
                                h->c.path, h->indptr, (long long)n_ptr[0], (long long)n_barcodes,
                                (long long)n_genes);
    }
    char name[2 * PATH_MAX_LEN];
    if (h->c.n_cells != n_barcodes)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld cells, but %s has %lld names",
                            h->c.path, h->matrix, (long long)h->c.n_cells,
                            column_name(&h->obs_index, name, sizeof name), (long long)n_barcodes);
    if (h->n_vars != n_genes)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld genes, but %s has %lld names",
                            h->c.path, h->matrix, (long long)h->n_vars, var_frame, (long long)n_genes);
    if (!sparse)
        return 0;
    int64_t major = h->layout == LAYOUT_CSR ? h->c.n_cells : h->n_vars;
    if (n_ptr[0] != major + 1)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld entries, but the %lld x %lld %s matrix needs %lld",
                            h->c.path, h->indptr, (long long)n_ptr[0], (long long)h->c.n_cells,
                            (long long)h->n_vars, h->layout == LAYOUT_CSR ? "CSR" : "CSC",
                            (long long)(major + 1));
    if (n_data[0] != n_idx[0])
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s has %lld entries but %s has %lld",
                            h->c.path, h->data, (long long)n_data[0], h->indices, (long long)n_idx[0]);
    if (h->layout == LAYOUT_CSC && h->n_vars > INT32_MAX)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: %s has too many genes (%lld)", h->c.path,
                            h->matrix, (long long)h->n_vars);
    h->n_stored = n_data[0];
    return 0;
}

/* Room for n entries of indices and data. */
static int reserve_entries(h5ad_t *h, int64_t n, dorm_err_t *err)
{
    if (n <= h->cap_entries)
        return 0;
    int64_t *ix = realloc(h->idx, (size_t)n * sizeof *ix);
    if (!ix)
        return dorm_err_nomem(err);
    h->idx = ix;
    double *v = realloc(h->val, (size_t)n * sizeof *v);
    if (!v)
        return dorm_err_nomem(err);
    h->val = v;
    h->cap_entries = n;
    return 0;
}

/* Check that offsets ptr[0..n] rise within 0..n_stored. */
static int check_offsets(const h5ad_t *h, const int64_t *ptr, int64_t n, int64_t first,
                         dorm_err_t *err)
{
    for (int64_t i = 0; i < n; i++)
        if (ptr[i] < 0 || ptr[i + 1] < ptr[i] || ptr[i + 1] > h->n_stored)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "%s: %s[%lld..%lld] = %lld, %lld does not rise within 0..%lld",
                                h->c.path, h->indptr, (long long)(first + i), (long long)(first + i + 1),
                                (long long)ptr[i], (long long)ptr[i + 1], (long long)h->n_stored);
    return 0;
}

/* A stored value that fails is_count: the file, dataset and index. */
static int bad_value(const h5ad_t *h, const char *dset, int64_t at, double v, dorm_err_t *err)
{
    return dorm_err_set(err, DORM_E_FORMAT, "%s: %s[%lld] = %g: expected a finite, non-negative count",
                        h->c.path, dset, (long long)at, v);
}

/* Count one stored entry and add it to the open cell unless it is zero or its
 * gene was dropped. */
static int keep_entry(dorm_reader_t *r, const h5ad_t *h, int64_t var, double v, dorm_err_t *err)
{
    r->entries_read++;
    int32_t g = h->c.row_map[var];
    if (v > 0 && g >= 0 && dorm_chunk_buf_push(&r->chunk, g, v) < 0)
        return dorm_err_nomem(err);
    return 0;
}

static int close_cell(dorm_reader_t *r, h5ad_t *h, const char *barcode, dorm_err_t *err)
{
    int rc = dorm_chunk_buf_close_cell(&r->chunk, barcode);
    if (rc < 0)
        return dorm_err_nomem(err);
    if (rc > 0 && !h->warned_duplicates) {
        dorm_log(DORM_LOG_WARN, "%s: %s repeats a gene within a cell; the values were summed (first in cell %s)",
                 h->c.path, h->matrix, barcode);
        h->warned_duplicates = 1;
    }
    return 0;
}

/* CSR: cells next_cell .. next_cell + k - 1 from slices of indptr, indices, data. */
static int read_csr(dorm_reader_t *r, h5ad_t *h, int64_t k, dorm_err_t *err)
{
    const char *names[3] = {h->indptr, h->indices, h->data};
    int rc = 0;
    for (int i = 0; rc == 0 && i < 3; i++)
        if (!h->csr[i])
            rc = dorm_h5chunks_open(&h->csr[i], h->c.file, names[i], r->opts.threads, h->c.path, err);
    if (rc == 0)
        rc = dorm_h5chunks_read_i64(h->csr[0], h->c.next_cell, k + 1, h->ptr, err);
    if (rc == 0)
        rc = check_offsets(h, h->ptr, k, h->c.next_cell, err);
    if (rc < 0)
        return rc;
    int64_t first = h->ptr[0], n = h->ptr[k] - first;
    if ((rc = reserve_entries(h, n, err)) < 0 ||
        (rc = dorm_h5chunks_read_i64(h->csr[1], first, n, h->idx, err)) < 0 ||
        (rc = dorm_h5chunks_read_f64(h->csr[2], first, n, h->val, err)) < 0)
        return rc;
    for (int64_t c = 0; rc == 0 && c < k; c++) {
        for (int64_t e = h->ptr[c] - first; rc == 0 && e < h->ptr[c + 1] - first; e++) {
            if (h->idx[e] < 0 || h->idx[e] >= h->n_vars)
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s[%lld] = %lld outside 0..%lld",
                                  h->c.path, h->indices, (long long)(first + e), (long long)h->idx[e],
                                  (long long)h->n_vars - 1);
            else if (!is_count(h->val[e]))
                rc = bad_value(h, h->data, first + e, h->val[e], err);
            else
                rc = keep_entry(r, h, h->idx[e], h->val[e], err);
        }
        if (rc == 0)
            rc = close_cell(r, h, h->c.barcodes[c], err);
    }
    return rc;
}

/* CSC pass 1: count each cell's entries into cell_ptr[cell + 1]. */
static int csc_count(h5ad_t *h, int64_t begin, int64_t end, dorm_err_t *err)
{
    for (int64_t at = begin; at < end; at += CSC_LOAD_ENTRIES) {
        int64_t n = end - at < CSC_LOAD_ENTRIES ? end - at : CSC_LOAD_ENTRIES;
        int rc = dorm_h5u_read_i64(h->c.file, h->indices, at, n, h->idx, h->c.path, err);
        if (rc < 0)
            return rc;
        for (int64_t e = 0; e < n; e++) {
            if (h->idx[e] < 0 || h->idx[e] >= h->c.n_cells)
                return dorm_err_set(err, DORM_E_FORMAT, "%s: %s[%lld] = %lld outside 0..%lld",
                                    h->c.path, h->indices, (long long)(at + e),
                                    (long long)h->idx[e], (long long)h->c.n_cells - 1);
            h->cell_ptr[h->idx[e] + 1]++;
        }
    }
    return 0;
}

/* CSC pass 2: place every entry after its cell's earlier ones; fill[c] is
 * where cell c's next entry goes.  Entries come column by column, so each
 * cell's genes ascend. */
static int csc_place(h5ad_t *h, const int64_t *col_ptr, int64_t *fill, dorm_err_t *err)
{
    int64_t end = col_ptr[h->n_vars], gene = 0;
    for (int64_t at = col_ptr[0]; at < end; at += CSC_LOAD_ENTRIES) {
        int64_t n = end - at < CSC_LOAD_ENTRIES ? end - at : CSC_LOAD_ENTRIES;
        int rc = dorm_h5u_read_i64(h->c.file, h->indices, at, n, h->idx, h->c.path, err);
        if (rc == 0)
            rc = dorm_h5u_read_f64(h->c.file, h->data, at, n, h->val, h->c.path, err);
        if (rc < 0)
            return rc;
        for (int64_t e = 0; e < n; e++) {
            while (col_ptr[gene + 1] <= at + e)
                gene++;
            int64_t cell = h->idx[e];
            if (cell < 0 || cell >= h->c.n_cells || fill[cell] >= h->cell_ptr[cell + 1])
                return dorm_err_set(err, DORM_E_FORMAT, "%s: %s changed while it was read",
                                    h->c.path, h->indices);
            if (!is_count(h->val[e]))
                return bad_value(h, h->data, at + e, h->val[e], err);
            h->cell_gene[fill[cell]] = (int32_t)gene;
            h->cell_value[fill[cell]++] = h->val[e];
        }
    }
    return 0;
}

/* Read a CSC matrix once and regroup its entries by cell (see the header). */
static int load_csc(h5ad_t *h, dorm_err_t *err)
{
    int64_t *col_ptr = malloc((size_t)(h->n_vars + 1) * sizeof *col_ptr);
    int64_t *fill = malloc((size_t)(h->c.n_cells ? h->c.n_cells : 1) * sizeof *fill);
    h->cell_ptr = calloc((size_t)h->c.n_cells + 1, sizeof *h->cell_ptr);
    int rc = 0;
    if (!col_ptr || !fill || !h->cell_ptr) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    if ((rc = dorm_h5u_read_i64(h->c.file, h->indptr, 0, h->n_vars + 1, col_ptr, h->c.path, err)) < 0 ||
        (rc = check_offsets(h, col_ptr, h->n_vars, 0, err)) < 0)
        goto done;
    int64_t nnz = col_ptr[h->n_vars] - col_ptr[0];
    if ((rc = reserve_entries(h, nnz < CSC_LOAD_ENTRIES ? nnz : CSC_LOAD_ENTRIES, err)) < 0 ||
        (rc = csc_count(h, col_ptr[0], col_ptr[h->n_vars], err)) < 0)
        goto done;
    for (int64_t c = 0; c < h->c.n_cells; c++)
        h->cell_ptr[c + 1] += h->cell_ptr[c];
    h->cell_gene = malloc((size_t)(nnz ? nnz : 1) * sizeof *h->cell_gene);
    h->cell_value = malloc((size_t)(nnz ? nnz : 1) * sizeof *h->cell_value);
    if (!h->cell_gene || !h->cell_value) {
        rc = dorm_err_set(err, DORM_E_NOMEM, "out of memory holding the %lld entries of CSC %s in %s",
                          (long long)nnz, h->matrix, h->c.path);
        goto done;
    }
    memcpy(fill, h->cell_ptr, (size_t)h->c.n_cells * sizeof *fill);
    rc = csc_place(h, col_ptr, fill, err);
done:
    free(col_ptr);
    free(fill);
    return rc;
}

/* CSC: serve cells next_cell .. next_cell + k - 1 from the regrouped entries. */
static int serve_csc(dorm_reader_t *r, h5ad_t *h, int64_t k, dorm_err_t *err)
{
    int rc = 0;
    for (int64_t c = 0; rc == 0 && c < k; c++) {
        int64_t cell = h->c.next_cell + c;
        for (int64_t at = h->cell_ptr[cell]; rc == 0 && at < h->cell_ptr[cell + 1]; at++)
            rc = keep_entry(r, h, h->cell_gene[at], h->cell_value[at], err);
        if (rc == 0)
            rc = close_cell(r, h, h->c.barcodes[c], err);
    }
    return rc;
}

/* Dense: point *row at the n_vars values of a row, reading its block if needed. */
static int dense_row(h5ad_t *h, int64_t row, const double **out, dorm_err_t *err)
{
    if (row < h->block_first || row >= h->block_first + h->block_n) {
        int64_t n = h->c.n_cells - row < h->block_rows ? h->c.n_cells - row : h->block_rows;
        h->block_n = 0;
        int rc = dorm_h5u_read_rows_f64(h->c.file, h->matrix, row, n, h->n_vars, h->block, h->c.path, err);
        if (rc < 0)
            return rc;
        h->block_first = row;
        h->block_n = n;
    }
    *out = h->block + (row - h->block_first) * h->n_vars;
    return 0;
}

static int read_dense(dorm_reader_t *r, h5ad_t *h, int64_t k, dorm_err_t *err)
{
    int rc = 0;
    for (int64_t c = 0; rc == 0 && c < k; c++) {
        int64_t cell = h->c.next_cell + c;
        const double *row;
        rc = dense_row(h, cell, &row, err);
        for (int64_t g = 0; rc == 0 && g < h->n_vars; g++) {
            if (!is_count(row[g]))
                rc = dorm_err_set(err, DORM_E_FORMAT,
                                  "%s: %s[%lld, %lld] = %g: expected a finite, non-negative count",
                                  h->c.path, h->matrix, (long long)cell, (long long)g, row[g]);
            else if (row[g] != 0)
                rc = keep_entry(r, h, g, row[g], err);
        }
        if (rc == 0)
            rc = close_cell(r, h, h->c.barcodes[c], err);
    }
    return rc;
}

/* Cells [first, first + k): barcodes, then the entries of the layout. */
static int h5ad_fill(dorm_reader_t *r, dorm_h5cells_t *hc, int64_t first, int64_t k, dorm_err_t *err)
{
    h5ad_t *h = (h5ad_t *)hc;
    (void)first; /* (= h->c.next_cell, which the layouts read) */
    int rc = read_column(h, &h->obs_index, h->c.next_cell, k, h->c.barcodes, err);
    if (rc == 0 && h->layout == LAYOUT_CSR)
        rc = read_csr(r, h, k, err);
    else if (rc == 0 && h->layout == LAYOUT_CSC)
        rc = serve_csc(r, h, k, err);
    else if (rc == 0)
        rc = read_dense(r, h, k, err);
    return rc;
}

static void h5ad_free_own(dorm_h5cells_t *hc)
{
    h5ad_t *h = (h5ad_t *)hc;
    for (int i = 0; i < 3; i++)
        dorm_h5chunks_close(h->csr[i]);
    free(h->ptr);
    free(h->idx);
    free(h->val);
    free(h->cell_ptr);
    free(h->cell_gene);
    free(h->cell_value);
    free(h->block);
}


/* Buffers sized by the chunk (and the CSC load). */
static int prepare(dorm_reader_t *r, h5ad_t *h, dorm_err_t *err)
{
    int64_t cells = r->opts.chunk_cells < h->c.n_cells ? r->opts.chunk_cells : h->c.n_cells;
    if (cells < 1)
        cells = 1;
    if (!(h->c.barcodes = calloc((size_t)cells, sizeof *h->c.barcodes)))
        return dorm_err_nomem(err);
    if (h->layout == LAYOUT_CSR)
        return (h->ptr = malloc((size_t)(cells + 1) * sizeof *h->ptr)) ? 0 : dorm_err_nomem(err);
    if (h->layout == LAYOUT_CSC)
        return load_csc(h, err);
    int64_t width = h->n_vars ? h->n_vars : 1, extent = storage_rows(h->c.file, h->matrix);
    int64_t rows = DENSE_BLOCK_BYTES / (width * (int64_t)sizeof(double));
    rows = rows < extent ? extent : rows / extent * extent;
    h->block_rows = rows < h->c.n_cells ? rows : h->c.n_cells > 0 ? h->c.n_cells : 1;
    h->block = malloc((size_t)(h->block_rows * width) * sizeof *h->block);
    return h->block ? 0 : dorm_err_nomem(err);
}

/* The number of stored entries a sparse matrix declares through indptr
 * (dorm_h5u_sparse_extent). */
static int declared_nnz(const h5ad_t *h, int64_t *nnz, dorm_err_t *err)
{
    int64_t major = h->layout == LAYOUT_CSR ? h->c.n_cells : h->n_vars;
    *nnz = 0;
    if (h->layout == LAYOUT_DENSE)
        return 0; /* a dense matrix declares none */
    return dorm_h5u_sparse_extent(h->c.file, h->indptr, h->indices, h->data, major, nnz, h->c.path,
                                  err);
}

int dorm_h5ad_open(dorm_reader_t *r, const char *path, dorm_err_t *err)
{
    dorm_h5cells_t *c;
    int rc = dorm_h5cells_open(r, path, sizeof(h5ad_t), h5ad_fill, h5ad_free_own, &c, err);
    h5ad_t *h = (h5ad_t *)c;
    const char *var_frame = r->opts.use_raw ? "raw/var" : "var";
    int64_t n_barcodes = 0, n_genes = 0, nnz = 0;
    if (rc == 0)
        rc = find_matrix(r, h, err);
    if (rc == 0)
        rc = find_index(h, "obs", &h->obs_index, err);
    if (rc == 0)
        rc = column_length(h, &h->obs_index, &n_barcodes, err);
    if (rc == 0)
        rc = read_genes(r, h, var_frame, &n_genes, err);
    if (rc == 0)
        rc = check_shape(h, var_frame, n_barcodes, n_genes, err);
    if (rc == 0)
        rc = declared_nnz(h, &nnz, err);
    if (rc == 0)
        rc = prepare(r, h, err);
    if (rc < 0)
        return rc;
    const char *values = h->layout == LAYOUT_DENSE ? h->matrix : h->data;
    r->info.format = "h5ad";
    r->info.field = dorm_h5u_field(h->c.file, values);
    r->info.matrix_path = r->info.features_path = r->info.barcodes_path = h->c.path;
    r->info.cells_are_rows = 1;
    r->info.n_cells = h->c.n_cells;
    r->info.n_rows_declared = h->n_vars;
    r->info.nnz_declared = nnz;
    return 0;
}

int dorm_h5ad_obs_column(const char *path, const char *column, char ***barcodes,
                         char ***values, int64_t *n, dorm_err_t *err)
{
    *barcodes = *values = NULL;
    *n = 0;
    h5ad_t h;
    memset(&h, 0, sizeof h);
    h.c.path = (char *)path;
    int rc = dorm_h5u_open(path, &h.c.file, err);
    if (rc < 0)
        return rc;
    strcol_t index;
    int64_t count = 0;
    rc = find_index(&h, "obs", &index, err);
    if (rc == 0)
        rc = column_length(&h, &index, &count, err);
    if (rc == 0)
        rc = read_column_all(&h, &index, count, barcodes, err);
    if (rc == 0)
        rc = read_var_column(&h, "obs", column, count, values, err);
    H5Fclose(h.c.file);
    if (rc < 0) {
        dorm_h5u_free_strings(*barcodes, count);
        *barcodes = NULL;
        return rc;
    }
    *n = count;
    return 0;
}
