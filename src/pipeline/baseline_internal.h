/* baseline_internal.h -- the baselines of a reference from per-cell records on
 * disk, and records turned from deviations into evidence and scores;
 * private to the pipeline.
 *
 * A record holds a cell's population and its classifier components'
 * deviations and null variances; the steps, in order, are
 * dorm_component_baselines, dorm_records_evidence (raw programme evidence),
 * dorm_programme_baselines and dorm_records_standardise (scores and p-values). */
#ifndef DORM_PIPELINE_BASELINE_H
#define DORM_PIPELINE_BASELINE_H

#include <stdint.h>
#include <stdio.h>
#include "dormscan/reference.h"

/* Where a record file keeps what the steps need (columns; -1: none). */
typedef struct record_cols_t {
    int rec_len;    /* doubles per record */
    int pop;        /* the cell's population (negative: none) */
    int comp;       /* DORM_N_COMPONENTS deviations, then their variances */
    int ev_z;       /* DORM_N_EVIDENCE programme z (raw, then scores) */
    int ev_p;       /* DORM_N_EVIDENCE p-values */
    int phase;      /* the cell's phase (dorm_reference_phase) */
    int skip;       /* records with a nonzero value here are no reference cells */
} record_cols_t;

/* A cell counts in its population p, and in population 0 too unless the
 * reference has cell types (cells are then judged against their type
 * only, and "all" keeps no baselines); NaN values do not count.  At most budget bytes of values are held
 * at a time (at least one item's).  f is read from its start; path names
 * it in messages. */
int dorm_component_baselines(FILE *f, const char *path, const record_cols_t *cols,
                        dorm_reference_t *ref, int64_t budget, dorm_err_t *err);
int dorm_programme_baselines(FILE *f, const char *path, const record_cols_t *cols,
                        dorm_reference_t *ref, int64_t budget, dorm_err_t *err);

/* Rewrite every record in place: its raw programme evidence from the
 * component baselines (dorm_reference_evidence), and its phase. */
int dorm_records_evidence(FILE *f, const char *path, const record_cols_t *cols,
                     const dorm_reference_t *ref, dorm_err_t *err);
/* Rewrite every record in place: the raw evidence becomes the score
 * against the programme baseline of the cell's population, p its upper
 * tail; NaN for a cell without a population or whose population has fewer
 * than min_cells cells. */
int dorm_records_standardise(FILE *f, const char *path, const record_cols_t *cols,
                        const dorm_reference_t *ref, int64_t min_cells, dorm_err_t *err);

#endif
