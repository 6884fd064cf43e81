/* tables.h -- numbers as the tables print them, and cells.tsv rows.
 * A dorm_cell_row_t only borrows its strings and arrays from the caller. */
#ifndef DORMSCAN_TABLES_H
#define DORMSCAN_TABLES_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stddef.h>
#include <stdint.h>
#include "dormscan/classify.h"
#include "dormscan/outfile.h"

/* Format a double for the tables: %.10g, "NA" for NaN. buf >= 32 bytes. */
const char *dorm_fmt_double(double v, char *buf);
/* The same text written at dst (room for 32 bytes, not NUL-terminated);
 * returns its end. */
char *dorm_fmt_double_put(double v, char *dst);
/* A count: an integral v below 2^63 in magnitude as all its digits ("%lld";
 * 1000000000000000, not 1e+15), anything else as dorm_fmt_double_put.
 * Writes at most 32 bytes; returns the end. */
char *dorm_fmt_count_put(double v, char *dst);

/* One row of cells.tsv. */
typedef struct dorm_cell_row_t {
    const char *barcode;
    const char *sample;         /* NULL: no sample column */
    const dorm_qc_t *qc;
    const double *set;          /* n_sets x (score, z, p) */
    const double *set_fdr;      /* n_sets */
    const double *evidence;     /* DORM_N_EVIDENCE evidence z */
    const char *phase;
    const char *state;
    int sasp;
    double confidence;
} dorm_cell_row_t;

/* Header: barcode, [sample], QC columns (dorm_ prefix), per set NAME,
 * NAME_z, NAME_p, NAME_fdr, score_<programme>, phase, state, sasp,
 * confidence. */
void dorm_cells_write_header(dorm_outfile_t *o, char *const *set_names, int n_sets,
                             int sample_column);
void dorm_cells_write_row(dorm_outfile_t *o, const dorm_cell_row_t *row, int n_sets);
/* The bytes a row can take at most (for dorm_cells_format_row's buffer). */
size_t dorm_cells_row_max(const dorm_cell_row_t *row, int n_sets);
/* Format the row, newline included, into buf (>= dorm_cells_row_max bytes,
 * not NUL-terminated); returns its length.  Thread-safe. */
size_t dorm_cells_format_row(char *buf, const dorm_cell_row_t *row, int n_sets);

#pragma GCC visibility pop
#endif
