/* h5util.c -- HDF5 helpers shared by the HDF5-based readers. */
#include <stdlib.h>
#include <string.h>

#include "h5util_internal.h"

static int h5_error(dorm_err_t *err, const char *file, const char *what, const char *name)
{
    return dorm_err_set(err, DORM_E_FORMAT, "%s: %s %s", file, what, name);
}

int dorm_h5u_open(const char *path, hid_t *file, dorm_err_t *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    *file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*file < 0)
        return dorm_err_set(err, DORM_E_FORMAT, "%s: cannot open as HDF5 (truncated or not HDF5)",
                            path);
    return 0;
}

int dorm_h5u_exists(hid_t loc, const char *name)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", name);
    for (char *p = buf;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (*buf && H5Lexists(loc, buf, H5P_DEFAULT) <= 0)
            return 0;
        if (c == '\0')
            return 1;
        *p = c;
    }
}

int dorm_h5u_is_group(hid_t loc, const char *name)
{
    if (!dorm_h5u_exists(loc, name))
        return 0;
    hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
    if (o < 0)
        return 0;
    int group = H5Iget_type(o) == H5I_GROUP;
    H5Oclose(o);
    return group;
}

int dorm_h5u_dims(hid_t loc, const char *name, int *rank, int64_t dims[2], const char *file,
             dorm_err_t *err)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return h5_error(err, file, "no dataset", name);
    hid_t sp = H5Dget_space(d);
    hsize_t h[8] = {0};
    int r = H5Sget_simple_extent_ndims(sp);
    if (r < 0 || r > 2) {
        H5Sclose(sp);
        H5Dclose(d);
        return h5_error(err, file, "unexpected rank of", name);
    }
    H5Sget_simple_extent_dims(sp, h, NULL);
    *rank = r;
    dims[0] = r > 0 ? (int64_t)h[0] : 1;
    dims[1] = r > 1 ? (int64_t)h[1] : 1;
    H5Sclose(sp);
    H5Dclose(d);
    return 0;
}

void dorm_h5u_free_strings(char **s, int64_t n)
{
    for (int64_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

/* Convert n elements read with type t (fixed or vlen string) into C strings. */
static int strings_from(hid_t t, const void *raw, int64_t n, char **out)
{
    if (H5Tis_variable_str(t) > 0) {
        char *const *v = raw;
        for (int64_t i = 0; i < n; i++)
            if (!(out[i] = strdup(v[i] ? v[i] : "")))
                return -1;
        return 0;
    }
    size_t w = H5Tget_size(t);
    const char *c = raw;
    for (int64_t i = 0; i < n; i++) {
        size_t len = strnlen(c + (size_t)i * w, w);
        if (!(out[i] = strndup(c + (size_t)i * w, len)))
            return -1;
    }
    return 0;
}

int dorm_h5u_read_strings(hid_t loc, const char *name, char ***out, int64_t *n, const char *file,
                     dorm_err_t *err)
{
    *out = NULL;
    *n = 0;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return h5_error(err, file, "no dataset", name);
    hid_t ft = H5Dget_type(d), sp = H5Dget_space(d);
    int rc = 0;
    if (H5Tget_class(ft) != H5T_STRING) {
        rc = h5_error(err, file, "not a string dataset:", name);
        goto done;
    }
    hssize_t count = H5Sget_simple_extent_npoints(sp);
    hid_t mt = H5Tcopy(ft);
    H5Tset_cset(mt, H5Tget_cset(ft));
    size_t esize = H5Tis_variable_str(ft) > 0 ? sizeof(char *) : H5Tget_size(ft);
    void *raw = malloc((size_t)(count ? count : 1) * esize);
    char **s = calloc((size_t)(count ? count : 1), sizeof *s);
    if (!raw || !s) {
        rc = dorm_err_nomem(err);
    } else if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
        rc = h5_error(err, file, "cannot read", name);
    } else {
        if (strings_from(ft, raw, count, s) < 0)
            rc = dorm_err_nomem(err);
        if (H5Tis_variable_str(ft) > 0)
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
    }
    free(raw);
    H5Tclose(mt);
    if (rc == 0) {
        *out = s;
        *n = count;
    } else {
        dorm_h5u_free_strings(s, count);
    }
done:
    H5Tclose(ft);
    H5Sclose(sp);
    H5Dclose(d);
    return rc;
}

int dorm_h5u_read_strings_slice(hid_t loc, const char *name, int64_t start, int64_t count, char **out,
                           const char *file, dorm_err_t *err)
{
    if (count == 0)
        return 0;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return h5_error(err, file, "no dataset", name);
    hid_t ft = H5Dget_type(d), fs = H5Dget_space(d);
    hsize_t st = (hsize_t)start, ct = (hsize_t)count;
    hid_t ms = H5Screate_simple(1, &ct, NULL);
    int vlen = H5Tis_variable_str(ft) > 0;
    size_t esize = vlen ? sizeof(char *) : H5Tget_size(ft);
    void *raw = malloc(esize * (size_t)count);
    int rc = 0;
    if (H5Tget_class(ft) != H5T_STRING)
        rc = h5_error(err, file, "not a string dataset:", name);
    else if (!raw)
        rc = dorm_err_nomem(err);
    else if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &st, NULL, &ct, NULL) < 0 ||
             H5Dread(d, ft, ms, fs, H5P_DEFAULT, raw) < 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: cannot read %s[%lld..%lld) (truncated or corrupt?)",
                          file, name, (long long)start, (long long)(start + count));
    else {
        if (strings_from(ft, raw, count, out) < 0)
            rc = dorm_err_nomem(err);
        if (vlen)
            H5Dvlen_reclaim(ft, ms, H5P_DEFAULT, raw);
    }
    free(raw);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Tclose(ft);
    H5Dclose(d);
    return rc;
}

static int read_1d(hid_t loc, const char *name, int64_t start, int64_t count, hid_t mt, void *out,
                   const char *file, dorm_err_t *err)
{
    if (count == 0)
        return 0;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return h5_error(err, file, "no dataset", name);
    hid_t fs = H5Dget_space(d);
    hsize_t st = (hsize_t)start, ct = (hsize_t)count;
    hid_t ms = H5Screate_simple(1, &ct, NULL);
    int rc = 0;
    if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &st, NULL, &ct, NULL) < 0 ||
        H5Dread(d, mt, ms, fs, H5P_DEFAULT, out) < 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: cannot read %s[%lld..%lld) (truncated or corrupt?)",
                          file, name, (long long)start, (long long)(start + count));
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return rc;
}

int dorm_h5u_read_i64(hid_t loc, const char *name, int64_t start, int64_t count, int64_t *out,
                 const char *file, dorm_err_t *err)
{
    return read_1d(loc, name, start, count, H5T_NATIVE_INT64, out, file, err);
}

int dorm_h5u_read_f64(hid_t loc, const char *name, int64_t start, int64_t count, double *out,
                 const char *file, dorm_err_t *err)
{
    return read_1d(loc, name, start, count, H5T_NATIVE_DOUBLE, out, file, err);
}

static int read_block(hid_t loc, const char *name, hsize_t st[2], hsize_t ct[2], double *out,
                      const char *file, dorm_err_t *err)
{
    if (ct[0] == 0 || ct[1] == 0)
        return 0;
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        return h5_error(err, file, "no dataset", name);
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(2, ct, NULL);
    int rc = 0;
    if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, st, NULL, ct, NULL) < 0 ||
        H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, out) < 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: cannot read a block of %s (truncated or corrupt?)",
                          file, name);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return rc;
}

int dorm_h5u_read_rows_f64(hid_t loc, const char *name, int64_t row, int64_t n_rows, int64_t n_cols,
                      double *out, const char *file, dorm_err_t *err)
{
    hsize_t st[2] = {(hsize_t)row, 0}, ct[2] = {(hsize_t)n_rows, (hsize_t)n_cols};
    return read_block(loc, name, st, ct, out, file, err);
}

int dorm_h5u_read_cols_f64(hid_t loc, const char *name, int64_t col, int64_t n_cols, int64_t n_rows,
                      double *out, const char *file, dorm_err_t *err)
{
    hsize_t st[2] = {0, (hsize_t)col}, ct[2] = {(hsize_t)n_rows, (hsize_t)n_cols};
    return read_block(loc, name, st, ct, out, file, err);
}

int dorm_h5u_attr_string(hid_t loc, const char *obj, const char *attr, char **out, const char *file,
                    dorm_err_t *err)
{
    *out = NULL;
    if (!dorm_h5u_exists(loc, obj) || H5Aexists_by_name(loc, obj, attr, H5P_DEFAULT) <= 0)
        return 0;
    hid_t a = H5Aopen_by_name(loc, obj, attr, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return h5_error(err, file, "cannot open attribute", attr);
    hid_t ft = H5Aget_type(a);
    int rc = 0;
    if (H5Tget_class(ft) == H5T_STRING) {
        hid_t sp = H5Aget_space(a);
        size_t esize = H5Tis_variable_str(ft) > 0 ? sizeof(char *) : H5Tget_size(ft);
        hssize_t n = H5Sget_simple_extent_npoints(sp);
        void *raw = calloc(n > 0 ? (size_t)n : 1, esize);
        char *s = NULL;
        int read = raw && n > 0 && H5Aread(a, ft, raw) >= 0;
        if (read && strings_from(ft, raw, 1, &s) == 0)
            *out = s;
        else
            rc = h5_error(err, file, "cannot read attribute", attr);
        if (read && H5Tis_variable_str(ft) > 0) /* only what H5Aread filled */
            H5Dvlen_reclaim(ft, sp, H5P_DEFAULT, raw);
        free(raw);
        H5Sclose(sp);
    }
    H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

int dorm_h5u_attr_i64(hid_t loc, const char *obj, const char *attr, int64_t *out, int max)
{
    if (!dorm_h5u_exists(loc, obj) || H5Aexists_by_name(loc, obj, attr, H5P_DEFAULT) <= 0)
        return 0;
    hid_t a = H5Aopen_by_name(loc, obj, attr, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return 0;
    hid_t sp = H5Aget_space(a);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    int got = 0;
    if (n > 0 && n <= max && H5Aread(a, H5T_NATIVE_INT64, out) >= 0)
        got = (int)n;
    H5Sclose(sp);
    H5Aclose(a);
    return got;
}

int dorm_h5u_members(hid_t loc, const char *group, char ***out, int *n, const char *file,
                dorm_err_t *err)
{
    *out = NULL;
    *n = 0;
    hid_t g = H5Gopen2(loc, group, H5P_DEFAULT);
    if (g < 0)
        return h5_error(err, file, "no group", group);
    H5G_info_t gi;
    int rc = 0;
    char **names = NULL;
    if (H5Gget_info(g, &gi) < 0) {
        rc = h5_error(err, file, "cannot list group", group);
        goto done;
    }
    names = calloc((size_t)(gi.nlinks ? gi.nlinks : 1), sizeof *names);
    if (!names) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    for (hsize_t i = 0; i < gi.nlinks; i++) {
        ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0, H5P_DEFAULT);
        if (len < 0 || !(names[i] = malloc((size_t)len + 1))) {
            rc = len < 0 ? h5_error(err, file, "cannot list group", group)
                         : dorm_err_nomem(err);
            dorm_h5u_free_strings(names, (int64_t)gi.nlinks);
            names = NULL;
            goto done;
        }
        H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, names[i], (size_t)len + 1, H5P_DEFAULT);
    }
    *out = names;
    *n = (int)gi.nlinks;
done:
    H5Gclose(g);
    return rc;
}

int dorm_h5u_sparse_extent(hid_t loc, const char *indptr, const char *indices, const char *data,
                           int64_t major, int64_t *nnz, const char *file, dorm_err_t *err)
{
    int64_t ends[2] = {0, 0}, n_data[2] = {0, 0}, n_idx[2] = {0, 0};
    int rank;
    *nnz = 0;
    int rc = dorm_h5u_read_i64(loc, indptr, 0, 1, &ends[0], file, err);
    if (rc == 0)
        rc = dorm_h5u_read_i64(loc, indptr, major, 1, &ends[1], file, err);
    if (rc == 0)
        rc = dorm_h5u_dims(loc, data, &rank, n_data, file, err);
    if (rc == 0)
        rc = dorm_h5u_dims(loc, indices, &rank, n_idx, file, err);
    if (rc == 0 && ends[0] != 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s starts at %lld, not 0", file, indptr,
                          (long long)ends[0]);
    if (rc == 0 && (ends[1] != n_data[0] || ends[1] != n_idx[0]))
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: %s ends at %lld, but data holds %lld entries and "
                          "indices %lld", file, indptr, (long long)ends[1], (long long)n_data[0],
                          (long long)n_idx[0]);
    *nnz = ends[1] - ends[0];
    return rc;
}

/* The type class of a dataset, H5T_NO_CLASS when it cannot be opened. */
H5T_class_t dorm_h5u_class(hid_t file, const char *name)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0)
        return H5T_NO_CLASS;
    hid_t t = H5Dget_type(d);
    H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    if (t >= 0)
        H5Tclose(t);
    H5Dclose(d);
    return c;
}

const char *dorm_h5u_field(hid_t loc, const char *name)
{
    return dorm_h5u_class(loc, name) == H5T_INTEGER ? "integer" : "real";
}
