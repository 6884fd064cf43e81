/* run_sets.h -- the gene sets of one scoring run, matched to the input,
 * private to the pipeline. */
#ifndef DORM_PIPELINE_RUN_SETS_H
#define DORM_PIPELINE_RUN_SETS_H

#include "dormscan/geneset.h"
#include "dormscan/pipeline.h"
#include "dormscan/score.h"

typedef struct run_sets_t {
    dorm_geneset_list_t out;      /* sets written as columns (panel or --gmt) */
    dorm_geneset_list_t cc;       /* the shipped panel, for the phase sets */
    const dorm_geneset_t **set;   /* n_score sets: out sets, then phase-only sets */
    dorm_match_t *match;          /* n_score matches */
    dorm_score_set_t *score_sets; /* n_score */
    int n_out, n_score;
    int phase_s, phase_g2m;       /* score-set indices; -1 when no gene was found */
    char **names;                 /* n_out column names (borrowed) */
    int64_t n_extra;              /* distinct out-set genes absent from the input */
} run_sets_t;

/* Load, match and check the sets for an input's features. */
int run_sets_build(run_sets_t *rs, const dorm_run_opts_t *opts, const dorm_features_t *f,
                   dorm_err_t *err);
void run_sets_free(run_sets_t *rs);

#endif
