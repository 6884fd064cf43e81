/* h5ad.h -- reading AnnData annotations beside the matrix. */
#ifndef DORMSCAN_H5AD_H
#define DORMSCAN_H5AD_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/error.h"

/* Read obs column `column` of an .h5ad file (strings or a categorical) with
 * the obs index: barcodes[i] and values[i] for the n cells, in file order.
 * Both arrays and their strings are allocated; the caller frees them. */
int dorm_h5ad_obs_column(const char *path, const char *column, char ***barcodes,
                         char ***values, int64_t *n, dorm_err_t *err) DORM_WUR;

#pragma GCC visibility pop
#endif
