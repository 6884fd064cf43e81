/* spill.h -- per-cell results of one sample on disk until its FDRs are known,
 * the store's interface to the pipeline.
 *
 * Records are fixed-length arrays of doubles, appended in input order, with
 * their barcodes beside them.  dorm_spill_fdr computes Benjamini-Hochberg
 * adjusted values for chosen record columns over all records, holding at most
 * a bounded number of columns in memory at a time, and keeps the results in
 * a column-major file read back block by block.  Every file lives in the
 * output directory under a hidden temporary name and is deleted on close. */
#ifndef DORM_STORE_SPILL_H
#define DORM_STORE_SPILL_H

#include <stdint.h>
#include <stdio.h>
#include "dormscan/error.h"

typedef struct spill_t {
    FILE *rec, *bc, *fdr, *pv;   /* pv: the FDR columns alone, when they take several passes */
    char *rec_path, *bc_path, *fdr_path, *pv_path;
    char *io_buf[4];             /* their stdio buffers, freed after fclose */
    int rec_len;        /* doubles per record */
    int64_t fdr_memory; /* bytes of p-values dorm_spill_fdr may hold (16 MB; tests lower it) */
    int64_t n;          /* records */
    int n_fdr;          /* adjusted columns */
    double *block;      /* adjusted values of cells block_first.. (read back) */
    int64_t block_first;
    char *line;         /* barcode read buffer */
    size_t line_cap;
} spill_t;

/* The template of an anonymous temporary file (dorm_tmp_anon) named after
 * TAG and KIND in dir; caller frees. */
char *dorm_spill_tmp_name(const char *dir, const char *tag, const char *kind);
/* Flush a temporary file written so far and go back to its start; <0 with
 * err naming path when the flush fails. */
int dorm_spill_file_rewind(FILE *f, const char *path, dorm_err_t *err);

int dorm_spill_open(spill_t *sp, const char *dir, const char *tag, int rec_len, dorm_err_t *err);
int dorm_spill_append(spill_t *sp, const double *rec, const char *barcode, dorm_err_t *err);

/* BH-adjust columns cols[0..n_cols) over all records whose skip_col is 0;
 * skipped records and NaN p-values get NaN and are not counted.  Columns
 * are adjusted on up to `threads` threads (the results do not depend on
 * it). */
int dorm_spill_fdr(spill_t *sp, const int *cols, int n_cols, int skip_col, int threads,
              dorm_err_t *err);

/* Read records back from the start: dorm_spill_rewind, then dorm_spill_next (1, 0 at
 * the end, <0 error) gives the record, its barcode (valid until the next
 * call) and its n_fdr adjusted values. */
int dorm_spill_rewind(spill_t *sp, dorm_err_t *err);
int dorm_spill_next(spill_t *sp, int64_t index, double *rec, char **barcode, double *fdr,
               dorm_err_t *err);

/* The barcodes alone, from the start: dorm_spill_barcodes_rewind, then
 * dorm_spill_next_barcode (1, 0 at the end, <0 error) gives the next one (valid
 * until the next call). */
int dorm_spill_barcodes_rewind(spill_t *sp, dorm_err_t *err);
int dorm_spill_next_barcode(spill_t *sp, char **barcode, dorm_err_t *err);

void dorm_spill_close(spill_t *sp);

#endif
