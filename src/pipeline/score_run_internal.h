/* score_run_internal.h -- the state of a `dormscan score` run, shared by
 * score_run.c (the passes) and score_outputs.c (run.json, report.html). */
#ifndef DORM_PIPELINE_SCORE_RUN_INTERNAL_H
#define DORM_PIPELINE_SCORE_RUN_INTERNAL_H

#include "dormscan/html.h"
#include "dormscan/log.h"
#include "dormscan/outfile.h"
#include "dormscan/pipeline.h"
#include "dormscan/reference.h"
#include "dormscan/summary.h"
#include "io/cellmeta.h"
#include "prescore_internal.h"
#include "reference_use_internal.h"
#include "run_sets_internal.h"
#include "store/cellstore.h"
#include "store/spill.h"
#include "thread_plan_internal.h"
#include "workers_internal.h"

/* Every output, committed together at the end.  OUT_CELLS is shard.bin with
 * --shard, which writes no summaries or report. */
enum { OUT_CELLS, OUT_SUMMARY, OUT_MQC, OUT_MQC_STATS, OUT_REPORT, OUT_JSON, N_OUT };

/* What run.json reports about a sample. */
typedef struct sample_info_t {
    char format[32], id_type[16], field[16];
    int64_t n_cells, n_genes, n_dropped, nnz, n_written;
    int in_memory;
    dorm_species_t species;
    int64_t n_mito, n_ribo, n_extra;
    int *found, *total, *scored; /* per column set */
    double seconds;
} sample_info_t;

typedef struct run_t {
    const dorm_run_opts_t *opts;
    run_sets_t sets;
    cellmeta_t meta;
    dorm_summary_t summary, summary_all;
    dorm_outfile_t out[N_OUT];
    sample_info_t *info;
    /* the current sample */
    const dorm_sample_t *sample;
    dorm_reader_t *reader;
    int in_memory;
    dorm_reference_t *ref;     /* the frame of reference (owned) */
    char ref_id[65];           /* the reference's digest (dorm_reference_digest) */
    int own_ref;               /* made from this run's only sample: baselines after scoring */
    popmeans_t pm;             /* own_ref: the read pass's gene sums per population */
    uint8_t *eligible;         /* own_ref, per chunk: reference cells */
    const char **cell_types;   /* own_ref, per chunk */
    int64_t scratch_cap;
    typesrc_t types;           /* --celltype */
    cellstore_t store;
    prescore_t *pre;           /* ucell with >= 2 threads: column sets scored while reading */
    dorm_thread_plan_t plan;   /* --threads divided among the stages of a sample's passes */
    worker_t *workers;         /* one per thread, each with its scorers */
    int n_workers;
    uint8_t *qc_flags;
    int64_t n_mito, n_ribo;
    spill_t spill;
    int64_t n_kept;            /* records spilled in the scoring pass */
    char *input_barcode;       /* the inputs' first barcode, for a filter that keeps none */
    int values_checked;        /* this sample's values were looked at (note_values) */
    obsmap_t obs;              /* --groupby */
    obsmap_t obs_type;         /* --celltype from obs, when not --groupby's column */
    dorm_hist_t evidence_hist[DORM_N_EVIDENCE][DORM_N_STATES], qc_hist[3];
    dorm_hist_t (*sample_evidence)[DORM_N_EVIDENCE]; /* per sample, with several; or NULL */
    dorm_log_warnings_t warnings; /* kept while the run lasts, for run.json and report.html */
    double t_start;
} run_t;

/* Seconds on the monotonic clock. */
double dorm_run_now(void);
/* Where the reference came from, for run.json and the report. */
const char *dorm_run_reference_source(const run_t *run);
/* The frame of reference as messages name it. */
const char *dorm_run_reference_label(const run_t *run);
/* run.json into run->out[OUT_JSON] (errors surface at the commit). */
void dorm_run_write_json(run_t *run);
/* report.html into run->out[OUT_REPORT]. */
int dorm_run_write_report(run_t *run, dorm_err_t *err);

#endif
