/* finish_internal.h -- the last stage of a sample, shared by `score` and `merge`:
 * Benjamini-Hochberg across the sample's cells, the calls, the rows of
 * cells.tsv and the summary counts; private to the pipeline.
 *
 * The per-cell records it reads are the spill records written while scoring
 * (layout below), so a sample scored in shards and finished by merge gives
 * the same table as a sample scored in one run. */
#ifndef DORM_PIPELINE_FINISH_H
#define DORM_PIPELINE_FINISH_H

#include "io/cellmeta.h"
#include "core/strmap.h"
#include "dormscan/html.h"
#include "dormscan/json.h"
#include "dormscan/outfile.h"
#include "dormscan/summary.h"
#include "dormscan/tables.h"
#include "store/spill.h"

/* Layout of a spilled cell record (doubles). */
enum { R_UMI, R_GENES, R_MITO, R_RIBO, R_LOW,
       R_NOT_REF, /* nonzero: not a reference cell of its own run (filters, --baseline, QC) */
       R_PHASE, /* the cell's phase (dorm_reference_phase; DORM_N_PHASES: NA) */
       R_POP,  /* the reference population the cell was scored against (-1: none) */
       R_COMP, /* DORM_N_COMPONENTS classifier deviations, their null variances, their
                  within-cell z (dorm_reference_components) */
       R_SETS = R_COMP + 3 * DORM_N_COMPONENTS };
#define R_EV_Z(n_out) (R_SETS + 3 * (n_out))
#define R_EV_P(n_out) (R_EV_Z(n_out) + DORM_N_EVIDENCE)
#define R_LEN(n_out) (R_EV_P(n_out) + DORM_N_EVIDENCE)

typedef struct finisher_t {
    int n_out;                  /* set columns */
    double fdr;                 /* BH level of the calls */
    int sample_column;
    const cellmeta_t *meta;     /* --groups (may have no columns) */
    const char *groupby;        /* --groupby column name, or NULL */
    const dorm_strmap_t *obs_group; /* barcode -> obs_values index */
    char *const *obs_values;
    dorm_summary_t *summary;    /* per-sample rows */
    dorm_summary_t *summary_all;/* rows over all samples, or NULL */
    dorm_outfile_t *cells;      /* cells.tsv */
    dorm_hist_t (*evidence_hist)[DORM_N_STATES]; /* per programme and call, or NULL */
    dorm_hist_t *qc_hist;       /* genes, log10 UMIs, % mito; or NULL */
    dorm_hist_t *sample_evidence; /* this sample's, per programme (not low quality); or NULL */
    int threads;                /* rows formatted on this many threads (0: one) */
} finisher_t;

/* Histograms for report.html with fixed ranges, so that runs add up. */
void dorm_finish_hists_init(dorm_hist_t evidence[DORM_N_EVIDENCE][DORM_N_STATES], dorm_hist_t qc[3]);

/* Open report.html in outdir as *o and write it from the head (what the
 * page's header says), the summary rows (per sample, then over all
 * samples), the histograms and the coverage (evidence, qc or coverage NULL:
 * those sections say they are not available); the date is today's (UTC), or
 * that of SOURCE_DATE_EPOCH when set (reproducible pages).  The
 * caller commits *o with its other outputs (or aborts it). */
typedef struct report_head_t {
    const char *command_line;
    const char *reference;               /* the frame of reference, in words */
    const dorm_log_warnings_t *warnings; /* or NULL */
    const dorm_html_source_t *inputs;
    int n_inputs;
    const double *qc_cut;                /* 3 values (dorm_html_input_t) or NULL */
    const dorm_hist_t (*sample_evidence)[DORM_N_EVIDENCE]; /* per input, or NULL */
} report_head_t;

int dorm_write_report(dorm_outfile_t *o, const char *outdir, const report_head_t *head,
                 const dorm_summary_t *per_sample,
                 const dorm_summary_t *all, dorm_hist_t evidence[DORM_N_EVIDENCE][DORM_N_STATES],
                 const dorm_hist_t qc[3], const dorm_html_coverage_t *coverage, int n_coverage,
                 dorm_err_t *err);

/* run.json's "groups" (path and SHA-256 of the --groups file), if any. */
void dorm_write_json_groups(dorm_json_t *j, const char *path, const cellmeta_t *meta);

/* run.json's "warnings": every kept warning, then "warnings_not_kept". */
void dorm_write_json_warnings(dorm_json_t *j, const dorm_log_warnings_t *warnings);

/* Adjust, call and write every record of sp (a finished spill of one
 * sample).  Returns 0 or <0 with err set. */
int dorm_finish_sample(const finisher_t *f, spill_t *sp, const char *sample, dorm_err_t *err);

/* Open and write, as o[0..2] in outdir, NAME (summary.tsv or
 * cohort_summary.tsv) from the per-sample rows and the rows over all samples,
 * and the MultiQC files dormscan_mqc.tsv and dormscan_general_stats_mqc.tsv.
 * The caller commits them with its other outputs (or aborts them). */
int dorm_write_summaries(dorm_outfile_t o[3], const char *outdir, const char *name, dorm_summary_t *per_sample,
                    dorm_summary_t *all, dorm_err_t *err);


#endif
