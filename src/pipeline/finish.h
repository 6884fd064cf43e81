/* finish.h -- the last stage of a sample, shared by `score` and `merge`:
 * Benjamini-Hochberg across the sample's cells, the calls, the rows of
 * cells.tsv and the summary counts; private to the pipeline.
 *
 * The per-cell records it reads are the spill records written while scoring
 * (layout below), so a sample scored in shards and finished by merge gives
 * the same table as a sample scored in one run. */
#ifndef DORM_PIPELINE_FINISH_H
#define DORM_PIPELINE_FINISH_H

#include "cellmeta.h"
#include "core/strmap.h"
#include "dormscan/report.h"
#include "spill.h"

/* Layout of a spilled cell record (doubles). */
enum { R_UMI, R_GENES, R_MITO, R_RIBO, R_LOW, R_SEURAT_PHASE, R_Z_S, R_Z_G2M, R_SETS };
#define R_EV_Z(n_out) (R_SETS + 3 * (n_out))
#define R_EV_P(n_out) (R_EV_Z(n_out) + DORM_N_EVIDENCE)
#define R_LEN(n_out) (R_EV_P(n_out) + DORM_N_EVIDENCE)

typedef struct finisher_t {
    int n_out;                  /* set columns */
    double fdr;                 /* BH level of the calls */
    int module;                 /* phase from the record (Seurat rule) */
    int sample_column;
    const cellmeta_t *meta;     /* --groups (may have no columns) */
    const char *groupby;        /* --groupby column name, or NULL */
    const dorm_strmap_t *obs_group; /* barcode -> obs_values index */
    char *const *obs_values;
    dorm_summary_t *summary;    /* per-sample rows */
    dorm_summary_t *summary_all;/* rows over all samples, or NULL */
    dorm_outfile_t *cells;      /* cells.tsv */
} finisher_t;

/* Adjust, call and write every record of sp (a finished spill of one
 * sample).  Returns 0 or <0 with err set. */
int finish_sample(const finisher_t *f, spill_t *sp, const char *sample, dorm_err_t *err);

#endif
