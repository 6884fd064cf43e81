/* summary.h -- summary.tsv and the MultiQC files: exact per-group counts.
 * A dorm_summary_t owns its rows and their strings (dorm_summary_destroy);
 * a dorm_summary_row_t read back by dorm_summary_parse_row borrows the
 * line it was parsed from. */
#ifndef DORMSCAN_SUMMARY_H
#define DORMSCAN_SUMMARY_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/classify.h"
#include "dormscan/outfile.h"

struct dorm_strmap_t;

/* Exact counts per (sample, grouping, group); evidence is summed in
 * millionths as integers, so sums do not depend on the order of cells. */
typedef struct dorm_summary_row_t {
    char *sample, *grouping, *group;
    int64_t n_cells;
    int64_t state[DORM_N_STATES];
    int64_t sasp;
    int64_t phase[DORM_N_PHASES + 1]; /* last slot: phase NA */
    int64_t evidence_micro[DORM_N_EVIDENCE];
    int64_t evidence_n[DORM_N_EVIDENCE];
} dorm_summary_row_t;

typedef struct dorm_summary_t {
    dorm_summary_row_t *rows;
    int64_t n, cap;
    struct dorm_strmap_t *index; /* row key -> row */
} dorm_summary_t;

int dorm_summary_init(dorm_summary_t *s, dorm_err_t *err) DORM_WUR;
void dorm_summary_destroy(dorm_summary_t *s);
/* Count one cell in the row (sample, grouping, group), created on first use.
 * phase is DORM_N_PHASES when NA; evidence NaN is not summed. */
int dorm_summary_add(dorm_summary_t *s, const char *sample, const char *grouping,
                     const char *group, dorm_state_t state, int sasp, int phase,
                     const double *evidence, dorm_err_t *err) DORM_WUR;
/* Fold the counts of row in (read back from a summary.tsv) into s under
 * sample (in's grouping and group). */
int dorm_summary_merge_row(dorm_summary_t *s, const dorm_summary_row_t *in, const char *sample,
                           dorm_err_t *err) DORM_WUR;

/* ---- reading summary.tsv back ---- */

#define DORM_SUMMARY_MAX_COLS 256

/* Where the counts are in a summary.tsv. */
typedef struct dorm_summary_cols_t {
    int n; /* fields per line */
    int state[DORM_N_STATES], phase[DORM_N_PHASES + 1], sasp;
    int evidence_n[DORM_N_EVIDENCE], evidence_sum[DORM_N_EVIDENCE];
} dorm_summary_cols_t;

/* Find the columns in the header's n fields (sample, grouping, group and
 * n_cells first, as dorm_summary_parse_row reads them): 0, or -1 when it is
 * not a dormscan summary.tsv header. */
int dorm_summary_cols_find(dorm_summary_cols_t *c, char *const *field, int n);
/* A data line's fields (c->n of them) as a row, which borrows the grouping
 * and group strings from field: 0, or -1 when a count is not a number. */
int dorm_summary_parse_row(const dorm_summary_cols_t *c, char *const *field,
                           dorm_summary_row_t *row);

/* MultiQC custom content: bar (a bargraph of cells per state per sample) and
 * stats (general statistics: % of cells per state), from the per-sample
 * "all" rows of s. */
void dorm_mqc_write(dorm_outfile_t *bar, dorm_outfile_t *stats, const dorm_summary_t *s);

/* Write summary.tsv: a header, then the rows of each part in order of first
 * appearance (e.g. per-sample rows, then rows over all samples).  Besides the
 * means, n_score_* and sum_score_* give each mean's exact count and sum
 * (in millionths), so that summaries merge exactly. */
void dorm_summary_write(dorm_outfile_t *o, const dorm_summary_t *const *parts, int n_parts);

#pragma GCC visibility pop
#endif
