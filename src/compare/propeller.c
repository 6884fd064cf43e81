/* propeller.c -- propeller's tests of one comparison (Phipson et al.
 * 2022): per-sample proportions, their logit or arcsine square root
 * transform (getTransformedProps), a limma fit of the transformed values
 * and the moderated t (propeller.ttest) or F (propeller.anova), BH across
 * the rows; the level means come from the untransformed values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare_internal.h"
#include "core/stats.h"

void dorm_cmp_result_destroy(dorm_cmp_result_t *r)
{
    if (!r)
        return;
    free(r->level_mean);
    free(r->ratio);
    free(r->statistic);
    free(r->p_value);
    free(r->fdr);
    memset(r, 0, sizeof *r);
}

int dorm_cmp_proportions(const double *counts, int n_rows, int n_samples,
                         dorm_transform_t transform, double **props, double **transformed)
{
    size_t n = (size_t)(n_rows > 0 ? n_rows : 1) * (n_samples > 0 ? n_samples : 1);
    *props = malloc(sizeof(double) * n);
    *transformed = malloc(sizeof(double) * n);
    if (!*props || !*transformed) {
        free(*props);
        free(*transformed);
        *props = *transformed = NULL;
        return DORM_E_NOMEM;
    }
    for (int j = 0; j < n_samples; j++) {
        double total = 0;
        for (int k = 0; k < n_rows; k++)
            total += counts[(size_t)k * n_samples + j];
        for (int k = 0; k < n_rows; k++) {
            size_t at = (size_t)k * n_samples + j;
            double c = counts[at], p = c / total;
            (*props)[at] = p;
            if (transform == DORM_TRANSFORM_ASIN) {
                (*transformed)[at] = asin(sqrt(p));
            } else { /* (count + 0.5) / (N + 0.5 K), on the logit scale */
                double q = (c + 0.5) / (total + 0.5 * n_rows);
                (*transformed)[at] = log(q / (1 - q));
            }
        }
    }
    return 0;
}

static int result_alloc(dorm_cmp_result_t *r, int n_rows, int n_levels)
{
    memset(r, 0, sizeof *r);
    r->n_rows = n_rows;
    r->n_levels = n_levels;
    size_t n = n_rows > 0 ? (size_t)n_rows : 1;
    r->level_mean = malloc(sizeof(double) * n * (n_levels > 0 ? n_levels : 1));
    r->ratio = malloc(sizeof(double) * n);
    r->statistic = malloc(sizeof(double) * n);
    r->p_value = malloc(sizeof(double) * n);
    r->fdr = malloc(sizeof(double) * n);
    if (!r->level_mean || !r->ratio || !r->statistic || !r->p_value || !r->fdr) {
        dorm_cmp_result_destroy(r);
        return DORM_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        r->ratio[i] = r->statistic[i] = r->p_value[i] = r->fdr[i] = NAN;
    return 0;
}

int dorm_cmp_test_rows(const dorm_cmp_model_t *m, const double *y, const double *raw,
                       int n_rows, int is_proportion, dorm_cmp_result_t *r, dorm_err_t *err)
{
    int ns = m->n_samples, nl = m->n_levels;
    if (result_alloc(r, n_rows, nl) < 0)
        return dorm_err_nomem(err);
    for (int k = 0; k < n_rows; k++)
        for (int l = 0; l < nl; l++) {
            double s = 0;
            for (int j = 0; j < ns; j++)
                if (m->level[j] == l)
                    s += raw[(size_t)k * ns + j];
            r->level_mean[(size_t)k * nl + l] = m->n_in_level[l] ? s / m->n_in_level[l] : NAN;
        }
    for (int k = 0; k < n_rows && !m->plan.anova; k++) {
        double a = r->level_mean[(size_t)k * nl + m->plan.a];
        double b = r->level_mean[(size_t)k * nl + m->plan.b];
        r->ratio[k] = is_proportion ? a / b : a - b;
    }
    r->test = "none";
    if (m->untestable || n_rows == 0)
        return 0;
    dorm_cmp_fit_t fit;
    dorm_cmp_test_t t;
    int rc = dorm_cmp_lsq_fit(m->x, ns, m->n_coef, y, n_rows, &fit, err);
    if (rc < 0) {
        dorm_cmp_result_destroy(r);
        return rc;
    }
    int robust = n_rows > 2; /* propeller turns robust off for two rows or fewer */
    if (m->plan.anova) {
        int present = 0;
        for (int l = 0; l < nl; l++)
            present += m->level_col[l] >= 0;
        rc = dorm_cmp_moderated_f(&fit, 1, present - 1, robust, &t, err);
        r->test = "moderated_F";
    } else {
        double *c = calloc(m->n_coef, sizeof(double));
        if (!c) {
            rc = dorm_err_nomem(err);
        } else {
            c[m->level_col[m->plan.a]] = 1;
            c[m->level_col[m->plan.b]] = -1;
            rc = dorm_cmp_moderated_t(&fit, c, robust, &t, err);
        }
        free(c);
        r->test = "moderated_t";
    }
    dorm_cmp_fit_destroy(&fit);
    if (rc < 0) {
        dorm_cmp_result_destroy(r);
        return rc;
    }
    int32_t *idx = malloc(sizeof(int32_t) * n_rows);
    if (!idx) {
        dorm_cmp_test_destroy(&t);
        dorm_cmp_result_destroy(r);
        return dorm_err_nomem(err);
    }
    for (int k = 0; k < n_rows; k++) {
        r->statistic[k] = t.statistic[k];
        r->p_value[k] = r->fdr[k] = t.p_value[k];
    }
    dorm_bh_adjust(r->fdr, n_rows, idx);
    free(idx);
    dorm_cmp_test_destroy(&t);
    return 0;
}
