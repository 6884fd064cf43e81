/* repeats.h -- barcodes that stand on more than one row of a sample's
 * table, found in flat memory: the store's interface to the pipeline.
 *
 * One pass over the spill's barcodes keeps a 64-bit hash of each (8 bytes
 * a row, before the FDR columns take their 12, so the peak does not grow);
 * the hashes are sorted in place, and only when two are equal are the
 * barcodes read again, those of the repeated hashes compared as strings
 * (hashes can collide) and the first real repeat named. */
#ifndef DORM_STORE_REPEATS_H
#define DORM_STORE_REPEATS_H

#include <stdint.h>

#include "dormscan/error.h"
#include "spill.h"

/* Rows of sp whose barcode an earlier row has (0 when none), the first
 * such barcode (*first, caller frees; NULL when none) and the 1-based rows
 * of its first two occurrences.  Leaves sp's barcodes read to the end
 * (dorm_spill_rewind before reading records).  Without memory for the hashes
 * it checks nothing and returns 0; <0 with err set on a read error. */
int64_t dorm_repeats_find(spill_t *sp, char **first, int64_t rows[2], dorm_err_t *err);

#endif
