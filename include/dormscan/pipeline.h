/* pipeline.h -- the jobs the CLI runs: score an input, inspect an input. */
#ifndef DORMSCAN_PIPELINE_H
#define DORMSCAN_PIPELINE_H

#include <stdint.h>
#include "dormscan/classify.h"
#include "dormscan/error.h"
#include "dormscan/score.h"

typedef struct dorm_run_opts_t {
    const char *input;           /* matrix directory or file */
    const char *outdir;
    const char *const *gmt;      /* user GMT files; none: the shipped panel */
    int n_gmt;
    dorm_score_opts_t score;
    dorm_qc_limits_t qc;
    double min_coverage;         /* <0: a set needs max(5, 20%) of its genes */
    double phase_z;              /* ucell phase rule: z needed for S/G2M */
    int gzip;                    /* cells.tsv.gz instead of cells.tsv */
    int64_t chunk_cells;
    const char *command_line;    /* recorded in run.json */
    char reserved[32];
} dorm_run_opts_t;

void dorm_run_opts_default(dorm_run_opts_t *o);

/* Score opts->input and write cells.tsv[.gz], summary.tsv and run.json into
 * opts->outdir.  Nothing is left under a final name on error. */
int dorm_run_score(const dorm_run_opts_t *opts, dorm_err_t *err) DORM_WUR;

/* What `dormscan inspect` reports: the input read in full, without scoring. */
typedef struct dorm_inspect_t {
    char format[32];
    char field[16];
    char id_type[16];
    char feature_types[512];   /* kept types, then dropped ones marked "(dropped)" */
    int64_t n_cells, n_genes, n_dropped;
    int64_t nnz;               /* entries in the matrix file */
    int sorted;                /* entries grouped by cell: streams */
} dorm_inspect_t;

int dorm_inspect(const char *path, dorm_inspect_t *out, dorm_err_t *err) DORM_WUR;

const char *dorm_id_type_name(int id_type);

#endif
