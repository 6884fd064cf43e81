/* compare_internal.h -- the parts of `dormscan compare`, private to
 * src/compare: limma's linear models and empirical Bayes step, propeller's
 * transformed proportions, the inputs and the outputs.  See
 * include/dormscan/compare.h for the entry point. */
#ifndef DORM_COMPARE_INTERNAL_H
#define DORM_COMPARE_INTERNAL_H

#include <stdint.h>

#include "core/strmap.h"
#include "core/text.h"
#include "dormscan/compare.h"
#include "dormscan/error.h"
#include "dormscan/outfile.h"
#include "dormscan/tables.h"

/* ---- special.c: special functions and distributions ---- */
double dorm_cmp_digamma(double x);    /* x > 0 */
double dorm_cmp_trigamma(double x);   /* x > 0 */
double dorm_cmp_tetragamma(double x); /* psigamma(x, deriv = 2), x > 0 */
/* y with trigamma(y) = x (limma's trigammaInverse; NaN for x < 0). */
double dorm_cmp_trigamma_inverse(double x);
/* log I_x(a, b) and log (1 - I_x(a, b)), given x and y = 1 - x. */
void dorm_cmp_log_ibeta(double x, double y, double a, double b, double *log_lower,
                        double *log_upper);
/* log P(a, x) and log Q(a, x), the regularised incomplete gamma function. */
void dorm_cmp_log_igamma(double a, double x, double *log_lower, double *log_upper);
/* Two-sided p-value of t on df degrees of freedom: 2 P(T > |t|). */
double dorm_cmp_t_pvalue(double t, double df);
/* log P(F > f) and log P(F <= f) on (df1, df2); df2 may be infinite. */
double dorm_cmp_f_log_upper(double f, double df1, double df2);
double dorm_cmp_f_log_lower(double f, double df1, double df2);
/* Density and lower-tail quantile of F (df2 may be infinite). */
double dorm_cmp_f_density(double f, double df1, double df2);
double dorm_cmp_f_quantile(double p, double df1, double df2);

/* ---- lsq.c: least squares (the only LAPACK calls) ---- */
typedef struct dorm_cmp_fit_t {
    int n_rows, n_coef;
    double df_residual;    /* samples - coefficients */
    double *coef;          /* n_rows x n_coef, row-major */
    double *sigma;         /* n_rows residual standard deviations (NaN without df) */
    double *cov_unscaled;  /* n_coef x n_coef: (X'X)^-1 */
} dorm_cmp_fit_t;

/* Fit every row of y (n_rows x n_samples, row-major) on the design x
 * (n_samples x n_coef, row-major) by QR.  A design not of full rank is a
 * DORM_E_USAGE error.  fit owns its arrays: dorm_cmp_fit_destroy. */
int dorm_cmp_lsq_fit(const double *x, int n_samples, int n_coef, const double *y, int n_rows,
                     dorm_cmp_fit_t *fit, dorm_err_t *err) DORM_WUR;
void dorm_cmp_fit_destroy(dorm_cmp_fit_t *fit);
/* v' A^-1 v for a symmetric positive definite k x k matrix A (Cholesky);
 * -1 if A is not positive definite or memory ran out. */
int dorm_cmp_spd_quadratic(const double *a, int k, const double *v, double *out) DORM_WUR;

/* ---- fdist.c: the prior of the residual variances ---- */
/* limma's fitFDist without covariate: *scale (s0^2) and *df2 (d0, maybe
 * infinite) of n variances on df1.  0, or DORM_E_NOMEM. */
int dorm_cmp_fit_fdist(const double *var, int n, double df1, double *scale, double *df2) DORM_WUR;
/* limma's fitFDistRobustly without covariate: *scale and each variance's
 * shrunk prior df (df2_shrunk, n values). */
int dorm_cmp_fit_fdist_robust(const double *var, int n, double df1, double *scale,
                              double *df2_shrunk, dorm_err_t *err) DORM_WUR;

/* ---- ebayes.c: moderated statistics ---- */
typedef struct dorm_cmp_test_t {
    int n_rows;
    double s2_prior;    /* the prior variance s0^2 */
    double *df_prior;   /* per row (robust: shrunk per row) */
    double *s2_post, *df_total, *statistic, *p_value;
} dorm_cmp_test_t;

/* Moderated t of contrast (n_coef weights) for every row of fit. */
int dorm_cmp_moderated_t(const dorm_cmp_fit_t *fit, const double *contrast, int robust,
                         dorm_cmp_test_t *t, dorm_err_t *err) DORM_WUR;
/* Moderated F that coefficients first .. first + count - 1 are all zero. */
int dorm_cmp_moderated_f(const dorm_cmp_fit_t *fit, int first, int count, int robust,
                         dorm_cmp_test_t *t, dorm_err_t *err) DORM_WUR;
void dorm_cmp_test_destroy(dorm_cmp_test_t *t);

#endif

/* ---- sheet.c: the sample sheet (--design) ---- */
typedef struct dorm_cmp_sheet_t {
    char *path;
    int n_rows, n_cols;
    char **col;          /* n_cols header names */
    char **cell;         /* n_rows x n_cols values */
    int sample_col;
    dorm_strmap_t index; /* sample -> row */
} dorm_cmp_sheet_t;

/* Read a tab-separated sheet with a header holding "sample"; empty files,
 * ragged lines, empty or duplicate sample names are DORM_E_FORMAT errors
 * naming the line.  Free with dorm_cmp_sheet_destroy. */
int dorm_cmp_sheet_read(dorm_cmp_sheet_t *s, const char *path, dorm_err_t *err) DORM_WUR;
void dorm_cmp_sheet_destroy(dorm_cmp_sheet_t *s);
/* Index of column name, or -1. */
int dorm_cmp_sheet_column(const dorm_cmp_sheet_t *s, const char *name);

/* ---- design.c: the linear model of one comparison ---- */
/* What is tested: the moderated t of level a minus level b, or (anova)
 * the moderated F that all level means are equal. */
typedef struct dorm_cmp_plan_t {
    int anova;
    int a, b;
} dorm_cmp_plan_t;

typedef struct dorm_cmp_model_t {
    int n_samples, n_coef, n_levels;
    double *x;         /* n_samples x n_coef, row-major */
    int *level;        /* each sample's condition level (index into the run's levels) */
    int *n_in_level;   /* samples per level */
    int *level_col;    /* each level's indicator column, -1 without samples */
    dorm_cmp_plan_t plan;
    const char *untestable; /* why no test is possible, or NULL (static text) */
    int thin_level;         /* a tested level with fewer than two samples, or -1 */
} dorm_cmp_model_t;

/* The design of the samples rows[0..n) of the sheet: ~0 + condition +
 * covariates (R's model.matrix: an indicator per condition level with
 * samples, then per covariate one column if every value is a number, else
 * treatment contrasts against its first level in sorted order); for an
 * ANOVA the first level's column becomes the intercept.  levels[0..n_levels)
 * are the run's condition levels, sorted.  Free with
 * dorm_cmp_model_destroy. */
int dorm_cmp_model_build(dorm_cmp_model_t *m, const dorm_cmp_sheet_t *s, const int *rows, int n,
                         int condition_col, const int *covariate_cols, int n_covariates,
                         char *const *levels, int n_levels, const dorm_cmp_plan_t *plan,
                         dorm_err_t *err) DORM_WUR;
void dorm_cmp_model_destroy(dorm_cmp_model_t *m);

/* ---- propeller.c: the tests of one comparison ---- */
typedef struct dorm_cmp_result_t {
    int n_rows, n_levels;
    double *level_mean; /* n_rows x n_levels: mean of the raw values per level (NaN: none) */
    double *ratio;      /* mean of a / mean of b (proportions), a - b (evidence); NaN for F */
    double *statistic, *p_value, *fdr;
    const char *test;   /* "moderated_t", "moderated_F" or "none" */
} dorm_cmp_result_t;

/* Test every row of y (n_rows x model samples, row-major: transformed
 * values) with model; raw (same shape) gives the level means.  robust as
 * propeller: limma's robust prior from 3 rows on.  An untestable model
 * gives the means and NA statistics. */
int dorm_cmp_test_rows(const dorm_cmp_model_t *m, const double *y, const double *raw,
                       int n_rows, int is_proportion, dorm_cmp_result_t *r,
                       dorm_err_t *err) DORM_WUR;
/* Per-sample proportions of counts (n_rows x n_samples) and propeller's
 * transform of them (logit with 0.5 pseudo-counts, or arcsine square root);
 * both newly allocated (caller frees), NULL without memory. */
int dorm_cmp_proportions(const double *counts, int n_rows, int n_samples,
                         dorm_transform_t transform, double **props, double **transformed);
void dorm_cmp_result_destroy(dorm_cmp_result_t *r);


/* ---- tally.c: named sets and keyed sums ---- */
/* Distinct names in order of first addition, with their indexes. */
typedef struct dorm_cmp_names_t {
    char **name;
    int n;
    int64_t cap;
    dorm_strmap_t index;
} dorm_cmp_names_t;

void dorm_cmp_names_init(dorm_cmp_names_t *s);
void dorm_cmp_names_destroy(dorm_cmp_names_t *s);
/* The index of name, added if new; -1 without memory. */
int dorm_cmp_names_add(dorm_cmp_names_t *s, const char *name);
int dorm_cmp_names_find(const dorm_cmp_names_t *s, const char *name); /* -1: absent */
/* Sort the names (strcmp), renumbering them; -1 without memory. */
int dorm_cmp_names_sort(dorm_cmp_names_t *s);

/* Sums and counts under string keys made of parts joined by '\x1f'. */
typedef struct dorm_cmp_tally_t {
    dorm_strmap_t index;
    double *sum, *n;
    int64_t n_slots, cap;
} dorm_cmp_tally_t;

void dorm_cmp_tally_init(dorm_cmp_tally_t *t);
void dorm_cmp_tally_destroy(dorm_cmp_tally_t *t);
/* Add value to the key (a, b, c) (c may be NULL); -1 without memory. */
int dorm_cmp_tally_add(dorm_cmp_tally_t *t, const char *a, const char *b, const char *c,
                       double value);
/* The sum (and count in *n, if n) under (a, b, c); 0 when absent. */
double dorm_cmp_tally_get(const dorm_cmp_tally_t *t, const char *a, const char *b,
                          const char *c, double *n);

/* ---- inputs.c: the runs to compare ---- */
/* What compare needs of the runs, per sample: cells per state (overall,
 * key (sample, "", state), and per cell type, (sample, type, state)),
 * SASP-flagged cells ((sample, "", NULL) and (sample, type, NULL)), and
 * the sums of each evidence column (sample, programme, NULL). */
typedef struct dorm_cmp_data_t {
    dorm_cmp_names_t samples, states, types, programmes;
    dorm_cmp_tally_t cells, sasp, evidence;
    int has_sasp;
    int *sample_input;       /* per sample: the input it came from */
    char *reference_id;      /* the first run's, or NULL */
    int reference_mismatch;  /* another run named another reference */
} dorm_cmp_data_t;

/* Read every input (a directory holding cohort_summary.tsv or summary.tsv
 * and run.json, or a cells table) into d; groupby names the cell-type
 * column (NULL: none), of the cells tables or, when groups_path is given, of
 * that barcode table (a cell it lacks is of type NA).  Bad input is DORM_E_FORMAT naming file and line.
 * Free with dorm_cmp_data_destroy. */
int dorm_cmp_data_read(dorm_cmp_data_t *d, const char *const *inputs, int n_inputs,
                       const char *groupby, const char *groups_path, dorm_err_t *err) DORM_WUR;
void dorm_cmp_data_destroy(dorm_cmp_data_t *d);

/* ---- comparison.c: one table of tests ---- */
/* The samples, rows, per-sample values and tests of one comparison: the
 * states of all cells, the SASP flag, the states within one cell type, or
 * the evidence programmes. */
typedef struct dorm_cmp_comparison_t {
    const char *type;       /* cell type, or NULL (borrowed) */
    int n_samples, n_rows;
    const char **sample;    /* sample names (borrowed), sorted */
    const char **row;       /* row names (borrowed) */
    double *value;          /* n_rows x n_samples: proportions or mean evidence */
    dorm_cmp_model_t model;
    dorm_cmp_result_t result;
} dorm_cmp_comparison_t;

/* The run-wide choices every comparison shares. */
typedef struct dorm_cmp_setup_t {
    const dorm_cmp_sheet_t *sheet;
    int condition_col;
    const int *covariate_cols;
    int n_covariates;
    char *const *levels;
    int n_levels;
    dorm_cmp_plan_t plan;
    dorm_transform_t transform;
} dorm_cmp_setup_t;

/* Proportions of the states (of the cells of type, or all cells when type
 * is NULL) per sample, tested; samples without such cells and states
 * without cells are left out. */
int dorm_cmp_compare_states(dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s,
                            const dorm_cmp_data_t *d, const char *type, dorm_err_t *err) DORM_WUR;
/* The SASP-flagged share of all cells, tested on its own. */
int dorm_cmp_compare_sasp(dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s,
                          const dorm_cmp_data_t *d, dorm_err_t *err) DORM_WUR;
/* The per-sample mean of each evidence programme, tested untransformed;
 * programmes without a value in every sample are left out. */
int dorm_cmp_compare_evidence(dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s,
                              const dorm_cmp_data_t *d, dorm_err_t *err) DORM_WUR;
void dorm_cmp_comparison_destroy(dorm_cmp_comparison_t *c);

/* ---- write.c and html.c: the outputs ---- */
/* A table: header (first_col [type_col] name, <prefix><level>..., ratio_col,
 * statistic, p_value, fdr, test), then each comparison's rows;
 * type_col NULL leaves the cell-type column out. */
void dorm_cmp_write_table(dorm_outfile_t *o, const dorm_cmp_comparison_t *const *c, int n,
                          const dorm_cmp_setup_t *s, const char *type_col, const char *first_col,
                          const char *prefix, const char *ratio_col);
/* MultiQC custom content: the states' table (and the SASP row). */
void dorm_cmp_write_mqc(dorm_outfile_t *o, const dorm_cmp_comparison_t *const *c, int n,
                        const dorm_cmp_setup_t *s);
/* compare.html: per-sample values as dots by condition with the means, the
 * FDR on each panel, samples sharing the pairing column joined by lines
 * (pair_col < 0: none). */
void dorm_cmp_write_html(dorm_outfile_t *o, const dorm_cmp_comparison_t *const *c, int n,
                         const dorm_cmp_setup_t *s, int pair_col, const char *command_line,
                         const char *note);
