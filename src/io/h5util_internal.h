/* h5util_internal.h -- small helpers over the HDF5 C API for the HDF5-based readers
 * (10x HDF5, AnnData h5ad, loom), private to libdormscan.
 *
 * Every function returns 0 / a negative DORM_E_* code and fills err with the
 * file and object path; arrays are allocated and owned by the caller. */
#ifndef DORM_IO_H5UTIL_H
#define DORM_IO_H5UTIL_H

#include <hdf5.h>
#include <stdint.h>

#include "dormscan/error.h"

/* Open an HDF5 file read-only with HDF5's own error printing off. */
int dorm_h5u_open(const char *path, hid_t *file, dorm_err_t *err);
/* 1 if the link exists (every component of a path like "a/b/c"), else 0. */
int dorm_h5u_exists(hid_t loc, const char *name);
/* 1 if name is a group, 0 otherwise. */
int dorm_h5u_is_group(hid_t loc, const char *name);
/* Number of elements and dimensions of a dataset (dims has room for 2). */
int dorm_h5u_dims(hid_t loc, const char *name, int *rank, int64_t dims[2], const char *file,
             dorm_err_t *err);
/* Read a 1-d string dataset (fixed or variable length) into n strings. */
int dorm_h5u_read_strings(hid_t loc, const char *name, char ***out, int64_t *n, const char *file,
                     dorm_err_t *err);
/* Read elements [start, start + count) of a 1-d string dataset. */
int dorm_h5u_read_strings_slice(hid_t loc, const char *name, int64_t start, int64_t count, char **out,
                           const char *file, dorm_err_t *err);
void dorm_h5u_free_strings(char **s, int64_t n);
/* The type class of a dataset, H5T_NO_CLASS when it cannot be opened. */
H5T_class_t dorm_h5u_class(hid_t loc, const char *name);
/* A matrix dataset's values as dorm_reader_info_t.field: "integer" when its
 * type is an integer type, else "real". */
const char *dorm_h5u_field(hid_t loc, const char *name);
/* A compressed sparse matrix's entries as its indptr (major + 1 offsets)
 * declares them: indptr must start at 0 and end at the length of data, which
 * indices must share (an offset start or a short end would drop entries
 * silently).  *nnz: the entries; errors name file and indptr. */
int dorm_h5u_sparse_extent(hid_t loc, const char *indptr, const char *indices, const char *data,
                           int64_t major, int64_t *nnz, const char *file, dorm_err_t *err);
/* Read elements [start, start + count) of a 1-d numeric dataset as int64 or double. */
int dorm_h5u_read_i64(hid_t loc, const char *name, int64_t start, int64_t count, int64_t *out,
                 const char *file, dorm_err_t *err);
int dorm_h5u_read_f64(hid_t loc, const char *name, int64_t start, int64_t count, double *out,
                 const char *file, dorm_err_t *err);
/* Read rows [row, row + n_rows) of a 2-d numeric dataset as doubles (row-major). */
int dorm_h5u_read_rows_f64(hid_t loc, const char *name, int64_t row, int64_t n_rows, int64_t n_cols,
                      double *out, const char *file, dorm_err_t *err);
/* Read columns [col, col + n_cols) of a 2-d dataset, all rows: out[r * n_cols + c]. */
int dorm_h5u_read_cols_f64(hid_t loc, const char *name, int64_t col, int64_t n_cols, int64_t n_rows,
                      double *out, const char *file, dorm_err_t *err);
/* A string attribute of an object (fixed or variable length); *out is NULL
 * when absent. */
int dorm_h5u_attr_string(hid_t loc, const char *obj, const char *attr, char **out, const char *file,
                    dorm_err_t *err);
/* An integer array attribute (up to max values); returns the count, 0 when absent. */
int dorm_h5u_attr_i64(hid_t loc, const char *obj, const char *attr, int64_t *out, int max);
/* Names of a group's members, sorted as HDF5 lists them. */
int dorm_h5u_members(hid_t loc, const char *group, char ***out, int *n, const char *file,
                dorm_err_t *err);

#endif
