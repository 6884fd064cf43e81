/* compare.h -- `dormscan compare`: differences in the proportions of cell
 * states between conditions, with biological replicates (propeller,
 * Phipson et al. 2022: limma linear models of transformed per-sample
 * proportions, empirical Bayes moderation). */
#ifndef DORMSCAN_COMPARE_H
#define DORMSCAN_COMPARE_H

#pragma GCC visibility push(default) /* the public API; the rest is hidden */

#include "dormscan/error.h"

typedef enum { DORM_TRANSFORM_LOGIT, DORM_TRANSFORM_ASIN } dorm_transform_t;

typedef struct dorm_compare_opts_t {
    const char *const *inputs;   /* score output folders, merged cohorts or cells tables */
    int n_inputs;
    const char *design_path;     /* the sample sheet */
    const char *condition;       /* sheet column of the condition ("condition") */
    const char *const *covariates; /* sheet columns added as fixed effects */
    int n_covariates;
    const char *contrast;        /* "A-B", or NULL: propeller's default */
    dorm_transform_t transform;
    const char *groupby;         /* cell-type column, or NULL */
    const char *groups_path;     /* cells tables: their --groupby column from this
                                    barcode table (as score's --groups), or NULL */
    const char *outdir;
    const char *command_line;    /* recorded in compare.html; may be NULL */
} dorm_compare_opts_t;

/* Run the comparison and commit OUTDIR's files as one set.  Returns 0 or a
 * negative DORM_E* code with err naming the cause (DORM_E_USAGE for
 * sample or level mismatches, exit status 2).  Notes for the user
 * (untestable comparisons, runs of different references) go to the log at
 * the warning level. */
int dorm_compare_run(const dorm_compare_opts_t *o, dorm_err_t *err) DORM_WUR;

#pragma GCC visibility pop
#endif
