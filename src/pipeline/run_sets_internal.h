/* run_sets_internal.h -- the gene sets of a scoring run: loaded once, matched to
 * each sample's features; private to the pipeline.
 *
 * Two lists are scored per sample: the column sets (the shipped panel or
 * --gmt) with the run's method, and the classifier's sets (shipped panel
 * sets, qc_ribo, marker genes, and S and G2/M with CellCycleScoring's
 * control size) with the module method's expression-matched null, which
 * compares every programme with genes of the same average expression. */
#ifndef DORM_PIPELINE_RUN_SETS_H
#define DORM_PIPELINE_RUN_SETS_H

#include "dormscan/classify.h"
#include "dormscan/geneset.h"
#include "dormscan/pipeline.h"
#include "dormscan/score.h"

typedef struct run_sets_t {
    dorm_geneset_list_t out;      /* column sets */
    dorm_geneset_list_t internal; /* shipped panel, qc sets and marker genes */
    dorm_aliases_t *aliases;
    int n_out;
    char **names;                 /* n_out column names (borrowed) */
    /* per sample, after dorm_run_sets_match */
    dorm_match_t *match;          /* n_match: columns, then classifier sets */
    int n_match;
    dorm_score_set_t *col_sets;   /* n_col: scored with the run's method */
    int n_col;
    dorm_score_set_t *cls_sets;   /* n_cls: scored with the module null */
    int n_cls;
    int *out_score;               /* n_out: index into col_sets, -1 when skipped */
    int *comp_score;              /* per classifier component: index into cls_sets or -1 */
    int64_t n_extra;              /* distinct column-set genes absent from the input */
    int *cov_found, *cov_total;   /* n_out + n_components: coverage of columns, then components */
    dorm_species_t species;
    int quiet;                    /* dorm_run_sets_match logs no coverage (a second read) */
} run_sets_t;

int dorm_run_sets_load(run_sets_t *rs, const dorm_run_opts_t *opts, dorm_err_t *err);
/* Match every set to a sample's features (replaces the previous match). */
int dorm_run_sets_match(run_sets_t *rs, const dorm_run_opts_t *opts, const dorm_features_t *f,
                   const char *sample, dorm_err_t *err);
void dorm_run_sets_free(run_sets_t *rs);

#endif
