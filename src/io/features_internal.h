/* features_internal.h -- reading feature tables (features.tsv, genes.tsv, *.genes.txt),
 * private to the readers. */
#ifndef DORM_IO_FEATURES_H
#define DORM_IO_FEATURES_H

#include <stdint.h>
#include "dormscan/reader.h"

/* Read a feature table.  Every row is a matrix row; rows whose third column
 * (feature type) is not "Gene Expression" are dropped unless keep_all_types.
 * row_map (allocated, n_rows entries, caller frees) maps each row to its kept
 * index or -1.  f is filled and owned by the caller (dorm_features_free). */
int dorm_features_read(const char *path, int keep_all_types, dorm_features_t *f,
                       int32_t **row_map, int64_t *n_rows, dorm_err_t *err);

/* Build features from n rows of ids, names (NULL: ids) and types (NULL: all
 * 'Gene Expression'); strings are copied.  row_map as for dorm_features_read. */
int dorm_features_build(dorm_features_t *f, char *const *ids, char *const *names,
                        char *const *types, int64_t n, int keep_all_types, int32_t **row_map,
                        dorm_err_t *err);

/* Classify ids: Ensembl, symbol or other. */
dorm_id_type_t dorm_features_guess_id_type(const dorm_features_t *f);

void dorm_features_free(dorm_features_t *f);

#endif
