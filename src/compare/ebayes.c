/* ebayes.c -- limma's empirical Bayes moderation (Smyth 2004): the
 * residual variances squeezed towards a prior fitted across the rows
 * (squeezeVar), then the moderated t of one contrast (contrasts.fit +
 * eBayes) or the moderated F of a set of coefficients (eBayes'
 * classifyTestsF: t' C^-1 t / r, C the correlation of the coefficients),
 * with df.total = min(df.residual + df.prior, the pooled residual df). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare_internal.h"

void dorm_cmp_test_destroy(dorm_cmp_test_t *t)
{
    if (!t)
        return;
    free(t->df_prior);
    free(t->s2_post);
    free(t->df_total);
    free(t->statistic);
    free(t->p_value);
    memset(t, 0, sizeof *t);
}

/* Allocate t's rows and squeeze fit's variances (squeezeVar). */
static int squeeze(const dorm_cmp_fit_t *fit, int robust, dorm_cmp_test_t *t, dorm_err_t *err)
{
    int n = fit->n_rows;
    memset(t, 0, sizeof *t);
    t->n_rows = n;
    size_t sz = sizeof(double) * (n > 0 ? n : 1);
    double *var = malloc(sz);
    if (!var || !(t->df_prior = malloc(sz)) || !(t->s2_post = malloc(sz)) ||
        !(t->df_total = malloc(sz)) || !(t->statistic = malloc(sz)) ||
        !(t->p_value = malloc(sz))) {
        free(var);
        dorm_cmp_test_destroy(t);
        return dorm_err_nomem(err);
    }
    double d = fit->df_residual;
    for (int i = 0; i < n; i++)
        var[i] = fit->sigma[i] * fit->sigma[i];
    int rc = 0;
    if (n == 1) { /* nothing to borrow from: the prior is the variance itself */
        t->s2_prior = var[0];
        t->df_prior[0] = 0;
    } else if (robust) {
        rc = dorm_cmp_fit_fdist_robust(var, n, d, &t->s2_prior, t->df_prior, err);
    } else {
        double df2;
        rc = dorm_cmp_fit_fdist(var, n, d, &t->s2_prior, &df2);
        if (rc < 0)
            dorm_err_nomem(err); /* (rc is DORM_E_NOMEM) */
        for (int i = 0; i < n; i++)
            t->df_prior[i] = df2;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        double dp = t->df_prior[i];
        t->s2_post[i] = isinf(dp) ? t->s2_prior : (d * var[i] + dp * t->s2_prior) / (d + dp);
        double total = d + dp, pooled = d * n;
        t->df_total[i] = total < pooled ? total : pooled;
    }
    free(var);
    if (rc < 0)
        dorm_cmp_test_destroy(t);
    return rc;
}

int dorm_cmp_moderated_t(const dorm_cmp_fit_t *fit, const double *contrast, int robust,
                         dorm_cmp_test_t *t, dorm_err_t *err)
{
    int rc = squeeze(fit, robust, t, err);
    if (rc < 0)
        return rc;
    int p = fit->n_coef;
    double v = 0; /* c' (X'X)^-1 c */
    for (int i = 0; i < p; i++)
        for (int k = 0; k < p; k++)
            v += contrast[i] * fit->cov_unscaled[(size_t)i * p + k] * contrast[k];
    double stdev_unscaled = sqrt(v);
    for (int r = 0; r < fit->n_rows; r++) {
        double est = 0;
        for (int i = 0; i < p; i++)
            est += contrast[i] * fit->coef[(size_t)r * p + i];
        t->statistic[r] = est / stdev_unscaled / sqrt(t->s2_post[r]);
        t->p_value[r] = dorm_cmp_t_pvalue(t->statistic[r], t->df_total[r]);
    }
    return 0;
}

int dorm_cmp_moderated_f(const dorm_cmp_fit_t *fit, int first, int count, int robust,
                         dorm_cmp_test_t *t, dorm_err_t *err)
{
    int rc = squeeze(fit, robust, t, err);
    if (rc < 0)
        return rc;
    int p = fit->n_coef;
    double *cor = malloc(sizeof(double) * (size_t)count * count);
    double *ts = malloc(sizeof(double) * count);
    if (!cor || !ts) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    const double *cov = fit->cov_unscaled;
    for (int i = 0; i < count; i++)
        for (int k = 0; k < count; k++) {
            int a = first + i, b = first + k;
            cor[(size_t)i * count + k] =
                cov[(size_t)a * p + b] / sqrt(cov[(size_t)a * p + a] * cov[(size_t)b * p + b]);
        }
    for (int r = 0; r < fit->n_rows; r++) {
        for (int i = 0; i < count; i++) {
            int a = first + i;
            ts[i] = fit->coef[(size_t)r * p + a] / sqrt(cov[(size_t)a * p + a]) /
                    sqrt(t->s2_post[r]);
        }
        double q;
        if (dorm_cmp_spd_quadratic(cor, count, ts, &q) < 0) {
            rc = dorm_err_set(err, DORM_E_USAGE, "the tested coefficients are not estimable");
            goto done;
        }
        t->statistic[r] = q / count;
        t->p_value[r] = exp(dorm_cmp_f_log_upper(t->statistic[r], count, t->df_total[r]));
    }
done:
    free(cor);
    free(ts);
    if (rc < 0)
        dorm_cmp_test_destroy(t);
    return rc;
}
