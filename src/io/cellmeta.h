/* cellmeta.h -- per-cell metadata of a run: groups (--groups) and the cells
 * to keep (--cells, --keep); io's interface to the pipeline (not exported). */
#ifndef DORM_IO_CELLMETA_H
#define DORM_IO_CELLMETA_H

#include <stdint.h>
#include "core/strmap.h"
#include "dormscan/error.h"

typedef struct cellmeta_t {
    /* groups: a table barcode -> one value per group column */
    int n_cols;
    char **col_names;      /* n_cols */
    dorm_strmap_t row_of;  /* barcode -> row */
    char **values;         /* n_rows x n_cols */
    int64_t n_rows;
    /* cells to keep */
    int has_keep_list;
    dorm_strmap_t keep;    /* barcodes of --cells */
    int keep_col;          /* --keep column, or -1 */
    char *keep_value;
    /* the reference cells (--baseline) */
    int baseline_col;      /* --groups column, or -1: the sample name */
    char *baseline_value;  /* NULL: every kept cell */
    char groups_sha256[65]; /* of the --groups file's bytes; "-" when unreadable
                               again (a pipe), "" without --groups */
} cellmeta_t;

/* Load the optional files; keep is "COLUMN=VALUE" (needs groups), and so
 * is baseline, whose COLUMN may also be "sample" (the input's sample name,
 * unless groups has a column of that name). */
int dorm_cellmeta_load(cellmeta_t *cm, const char *groups_path, const char *cells_path,
                  const char *keep, const char *baseline, dorm_err_t *err);
void dorm_cellmeta_free(cellmeta_t *cm);

/* Group value of a barcode in column c, or NULL when the barcode is absent. */
const char *dorm_cellmeta_group(const cellmeta_t *cm, const char *barcode, int c);
/* 1 if the cell passes --cells and --keep. */
int dorm_cellmeta_keep(const cellmeta_t *cm, const char *barcode);
/* 1 if the cell is kept and, with --baseline, in the baseline population
 * (sample: the name of the cell's sample). */
int dorm_cellmeta_baseline(const cellmeta_t *cm, const char *barcode, const char *sample);

/* A cell's barcode that no output table could hold (a tab, newline or
 * carriage return in it): DORM_E_FORMAT naming the sample and the cell
 * (first_cell + c, 1-based in the message); 0 otherwise. */
int dorm_cellmeta_check_barcode(const char *barcode, const char *sample, int64_t cell,
                           dorm_err_t *err);

/* The error of a run whose --cells/--keep kept no cell: which filter, an
 * example barcode of each side (input_barcode: one of the inputs'), and a
 * hint when they differ by a prefix or suffix.  Returns DORM_E_FORMAT. */
int dorm_cellmeta_none_kept(const cellmeta_t *cm, const char *cells_path, const char *keep,
                       const char *input_barcode, dorm_err_t *err);

#endif
