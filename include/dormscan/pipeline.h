/* pipeline.h -- the jobs the CLI runs: score an input, inspect an input. */
#ifndef DORMSCAN_PIPELINE_H
#define DORMSCAN_PIPELINE_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include <stdint.h>
#include "dormscan/classify.h"
#include "dormscan/count.h"
#include "dormscan/error.h"
#include "dormscan/reader.h"
#include "dormscan/score.h"

typedef struct dorm_sample_t {
    const char *name;            /* sample name (the sample column) */
    const char *path;            /* matrix directory or file */
} dorm_sample_t;

/* What a finished score run wrote (dorm_run_opts_t.result). */
typedef struct dorm_run_result_t {
    int64_t n_cells;                 /* cells written (a shard: of its range) */
    int64_t state[DORM_N_STATES];    /* per call (not for shards: merge calls) */
    int64_t sasp;
} dorm_run_result_t;

typedef struct dorm_run_opts_t {
    const dorm_sample_t *samples; /* inputs, scored one after the other */
    int n_samples;
    int sample_column;           /* write a sample column (--sample, several inputs) */
    const char *outdir;
    const char *const *gmt;      /* user GMT files; none: the shipped panel */
    int n_gmt;
    dorm_score_opts_t score;
    dorm_qc_limits_t qc;
    double min_coverage;         /* <0: a set needs max(5, 20%) of its genes */
    double fdr;                  /* BH level for calls (0.05) */
    int species_auto;            /* detect the organism per sample */
    dorm_species_t species;      /* when not automatic */
    const char *groups_path;     /* --groups: barcode<TAB>group columns */
    const char *cells_path;      /* --cells: barcodes to keep */
    const char *keep;            /* --keep COLUMN=VALUE */
    const char *baseline;        /* --baseline COLUMN=VALUE: the reference cells */
    const char *groupby;         /* --groupby: an obs column of h5ad inputs as groups */
    int shard_k, shard_n;        /* --shard K/N: write shard.bin for `merge` (0: off) */
    const char *reference;       /* --reference FILE; NULL: the run's own cells */
    const char *celltype;        /* --celltype: a --groups (or --groupby) column of cell
                                    types; baselines per type */
    int64_t min_ref_cells;       /* populations with fewer reference cells: unscored (2) */
    int gzip;                    /* cells.tsv.gz instead of cells.tsv */
    dorm_reader_opts_t reader;   /* format choices (--format, --genome, --layer, ...) */
    int64_t chunk_cells;
    int threads;                 /* scoring threads (1); OpenBLAS stays single-threaded */
    const char *command_line;    /* recorded in run.json */
    /* Called after every chunk of the scoring pass (may be NULL). */
    void (*progress)(const char *sample, int64_t cells_read, int64_t n_cells, void *data);
    void *progress_data;
    dorm_run_result_t *result;   /* filled on success; may be NULL */
    char reserved[32];
} dorm_run_opts_t;

void dorm_run_opts_default(dorm_run_opts_t *o);

/* Score every sample and write cells.tsv[.gz], summary.tsv and run.json into
 * opts->outdir.  Nothing is left under a final name on error. */
int dorm_run_score(const dorm_run_opts_t *opts, dorm_err_t *err) DORM_WUR;

/* Build a reference from the cells of opts->samples (kept by --cells and
 * --keep, passing the QC; types from opts->celltype) and write it to path;
 * outdir, shard, gmt, method and output options are not used. */
int dorm_run_reference(const dorm_run_opts_t *opts, const char *path, dorm_err_t *err) DORM_WUR;

typedef struct dorm_merge_opts_t {
    const char *const *inputs;   /* output directories of score runs */
    int n_inputs;
    const char *outdir;
    const char *groups_path;     /* shards: the --groups of the score runs */
    const char *command_line;
    char reserved[32];
} dorm_merge_opts_t;

/* Finish the shards of a sharded run (inputs with shard.bin: writes
 * cells.tsv[.gz], summary.tsv and the MultiQC files), or combine finished
 * outputs (inputs with summary.tsv: writes cohort_summary.tsv and the
 * MultiQC files).  Exactly what one run would have written. */
int dorm_run_merge(const dorm_merge_opts_t *opts, dorm_err_t *err) DORM_WUR;

/* What `dormscan inspect` reports: the input read in full, without scoring. */
typedef struct dorm_inspect_t {
    char format[32];
    char field[16];
    char id_type[16];
    char feature_types[512];   /* kept types, then dropped ones marked "(dropped)" */
    int64_t n_cells, n_genes, n_dropped;
    int64_t nnz;               /* entries in the matrix file */
    int sorted;                /* entries grouped by cell: streams */
    char species[16];          /* detected from the features (as score detects it) */
    int64_t panel_found, panel_total; /* genes of the shipped panel's sets found */
    int sets_scored, n_sets;   /* panel sets that reach their coverage bar */
} dorm_inspect_t;

/* opts may be NULL (detect everything). */
int dorm_inspect(const char *path, const dorm_reader_opts_t *opts, dorm_inspect_t *out,
                 dorm_err_t *err) DORM_WUR;

/* Count path and write outdir/matrix.mtx.gz (MatrixMarket, integer, genes x
 * cells, entries grouped by cell), outdir/features.tsv.gz (id, name, type) and
 * outdir/barcodes.tsv.gz, Cell Ranger v3 style.  outdir is created if
 * missing.  The files are written under temporary names and renamed at the
 * end; on error none of them is under its final name.  stats (may be NULL)
 * receives the counts' description (its arrays are empty). */
int dorm_run_count(const char *path, const dorm_count_opts_t *opts, const char *outdir,
                   dorm_counts_t *stats, dorm_err_t *err) DORM_WUR;

#pragma GCC visibility pop
#endif
