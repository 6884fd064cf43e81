/* comparison.c -- the comparisons of a compare run: which samples and rows
 * enter each, their per-sample values, and the tests (propeller.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare_internal.h"

void dorm_cmp_comparison_destroy(dorm_cmp_comparison_t *c)
{
    if (!c)
        return;
    free(c->sample);
    free(c->row);
    free(c->value);
    dorm_cmp_model_destroy(&c->model);
    dorm_cmp_result_destroy(&c->result);
    memset(c, 0, sizeof *c);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* c's samples: those of the sheet (every one has a run) passing keep,
 * sorted as R's table() sorts them; then the model of those samples. */
static int choose_samples(dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s,
                          const dorm_cmp_data_t *d, const char *type, dorm_err_t *err)
{
    const dorm_cmp_sheet_t *sh = s->sheet;
    c->sample = malloc(sizeof(char *) * sh->n_rows);
    int *rows = malloc(sizeof(int) * sh->n_rows);
    if (!c->sample || !rows) {
        free(rows);
        return dorm_err_nomem(err);
    }
    for (int i = 0; i < sh->n_rows; i++) {
        const char *name = sh->cell[(size_t)i * sh->n_cols + sh->sample_col];
        double total = 0;
        for (int k = 0; type && k < d->states.n; k++)
            total += dorm_cmp_tally_get(&d->cells, name, type, d->states.name[k], NULL);
        if (!type || total > 0)
            c->sample[c->n_samples++] = name;
    }
    qsort(c->sample, c->n_samples, sizeof(char *), cmp_str);
    for (int j = 0; j < c->n_samples; j++)
        rows[j] = (int)dorm_strmap_get(&sh->index, c->sample[j]);
    int rc = dorm_cmp_model_build(&c->model, sh, rows, c->n_samples, s->condition_col,
                                  s->covariate_cols, s->n_covariates, s->levels, s->n_levels,
                                  &s->plan, err);
    free(rows);
    return rc;
}

/* Proportions of counts (n_rows x samples), their transform, and the
 * tests of the first n_tested rows. */
static int test_counts(dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s, const double *counts,
                       int n_rows, int n_tested, dorm_err_t *err)
{
    double *transformed;
    if (dorm_cmp_proportions(counts, n_rows, c->n_samples, s->transform, &c->value,
                             &transformed) < 0)
        return dorm_err_nomem(err);
    c->n_rows = n_tested;
    int rc = dorm_cmp_test_rows(&c->model, transformed, c->value, n_tested, 1, &c->result, err);
    free(transformed);
    return rc;
}

int dorm_cmp_compare_states(dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s,
                            const dorm_cmp_data_t *d, const char *type, dorm_err_t *err)
{
    memset(c, 0, sizeof *c);
    c->type = type;
    int rc = choose_samples(c, s, d, type, err);
    int ns = c->n_samples, k_all = d->states.n;
    double *counts = rc < 0 ? NULL : malloc(sizeof(double) * (k_all ? k_all : 1) * (ns ? ns : 1));
    c->row = rc < 0 ? NULL : malloc(sizeof(char *) * (k_all ? k_all : 1));
    if (rc == 0 && (!counts || !c->row))
        rc = dorm_err_nomem(err);
    int n_rows = 0;
    for (int k = 0; rc == 0 && k < k_all; k++) { /* the states seen in these cells */
        double total = 0, *row = counts + (size_t)n_rows * ns;
        for (int j = 0; j < ns; j++)
            total += row[j] = dorm_cmp_tally_get(&d->cells, c->sample[j], type ? type : "",
                                                 d->states.name[k], NULL);
        if (total > 0)
            c->row[n_rows++] = d->states.name[k];
    }
    if (rc == 0 && n_rows < 2) /* (its logit would be infinite) */
        c->model.untestable = "one state only: its proportion is 1 in every sample";
    if (rc == 0)
        rc = test_counts(c, s, counts, n_rows, n_rows, err);
    free(counts);
    if (rc < 0)
        dorm_cmp_comparison_destroy(c);
    return rc;
}

int dorm_cmp_compare_sasp(dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s,
                          const dorm_cmp_data_t *d, dorm_err_t *err)
{
    static const char *const name = "sasp";
    memset(c, 0, sizeof *c);
    int rc = choose_samples(c, s, d, NULL, err);
    int ns = c->n_samples;
    double *counts = rc < 0 ? NULL : malloc(sizeof(double) * 2 * (ns ? ns : 1));
    c->row = rc < 0 ? NULL : malloc(sizeof(char *));
    if (rc == 0 && (!counts || !c->row))
        rc = dorm_err_nomem(err);
    for (int j = 0; rc == 0 && j < ns; j++) { /* rows: flagged, not flagged */
        double all = 0;
        for (int k = 0; k < d->states.n; k++)
            all += dorm_cmp_tally_get(&d->cells, c->sample[j], "", d->states.name[k], NULL);
        counts[j] = dorm_cmp_tally_get(&d->sasp, c->sample[j], "", NULL, NULL);
        counts[ns + j] = all - counts[j];
    }
    if (rc == 0) {
        c->row[0] = name;
        rc = test_counts(c, s, counts, 2, 1, err);
    }
    free(counts);
    if (rc < 0)
        dorm_cmp_comparison_destroy(c);
    return rc;
}

int dorm_cmp_compare_evidence(dorm_cmp_comparison_t *c, const dorm_cmp_setup_t *s,
                              const dorm_cmp_data_t *d, dorm_err_t *err)
{
    memset(c, 0, sizeof *c);
    int rc = choose_samples(c, s, d, NULL, err);
    int ns = c->n_samples, np = d->programmes.n;
    c->value = rc < 0 ? NULL : malloc(sizeof(double) * (np ? np : 1) * (ns ? ns : 1));
    c->row = rc < 0 ? NULL : malloc(sizeof(char *) * (np ? np : 1));
    if (rc == 0 && (!c->value || !c->row))
        rc = dorm_err_nomem(err);
    for (int k = 0; rc == 0 && k < np; k++) {
        double *row = c->value + (size_t)c->n_rows * ns;
        int complete = 1;
        for (int j = 0; j < ns; j++) {
            double n, sum = dorm_cmp_tally_get(&d->evidence, c->sample[j], d->programmes.name[k],
                                               NULL, &n);
            row[j] = n > 0 ? sum / n : NAN;
            complete &= n > 0;
        }
        if (complete)
            c->row[c->n_rows++] = d->programmes.name[k];
    }
    if (rc == 0)
        rc = dorm_cmp_test_rows(&c->model, c->value, c->value, c->n_rows, 0, &c->result, err);
    if (rc < 0)
        dorm_cmp_comparison_destroy(c);
    return rc;
}
