/* lsq.c -- the linear algebra of compare: least squares by QR and small
 * symmetric positive definite solves, all through LAPACKE (OpenBLAS's
 * LAPACK); the only file that calls LAPACK.
 *
 * The fit is limma's lmFit for responses without missing values: one QR
 * of the design (dgeqrf) serves every response; Q'y (dormqr) gives the
 * coefficients (dtrtrs on R) and the residual sum of squares (the squares
 * of Q'y past the first p entries), and (X'X)^-1 = R^-1 R^-T is the
 * unscaled covariance of the coefficients. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare_internal.h"

/* A design column whose R diagonal falls below this fraction of the
 * column's norm is a linear combination of the columns before it (R's
 * lm.fit uses the same relative tolerance, 1e-7). */
#define RANK_TOL 1e-7

void dorm_cmp_fit_destroy(dorm_cmp_fit_t *fit)
{
    if (!fit)
        return;
    free(fit->coef);
    free(fit->sigma);
    free(fit->cov_unscaled);
    memset(fit, 0, sizeof *fit);
}

int dorm_cmp_lsq_fit(const double *x, int n_samples, int n_coef, const double *y, int n_rows,
                     dorm_cmp_fit_t *fit, dorm_err_t *err)
{
    int n = n_samples, p = n_coef, rc = DORM_E_NOMEM;
    memset(fit, 0, sizeof *fit);
    if (p < 1 || n < p)
        return dorm_err_set(err, DORM_E_USAGE, "the design has %d samples for %d coefficients",
                            n, p);
    double *qr = malloc(sizeof(double) * (size_t)n * p);
    double *tau = malloc(sizeof(double) * p);
    double *b = malloc(sizeof(double) * (size_t)n * (n_rows > 0 ? n_rows : 1));
    double *rinv = calloc((size_t)p * p, sizeof(double));
    fit->coef = malloc(sizeof(double) * (size_t)(n_rows > 0 ? n_rows : 1) * p);
    fit->sigma = malloc(sizeof(double) * (n_rows > 0 ? n_rows : 1));
    fit->cov_unscaled = malloc(sizeof(double) * (size_t)p * p);
    if (!qr || !tau || !b || !rinv || !fit->coef || !fit->sigma || !fit->cov_unscaled) {
        dorm_err_nomem(err); /* (rc is DORM_E_NOMEM) */
        goto done;
    }
    /* column-major copies: x is n x p row-major, y is n_rows x n row-major */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++)
            qr[(size_t)j * n + i] = x[(size_t)i * p + j];
    for (int r = 0; r < n_rows; r++)
        memcpy(b + (size_t)r * n, y + (size_t)r * n, sizeof(double) * n);
    rc = DORM_E_USAGE;
    if (LAPACKE_dgeqrf(LAPACK_COL_MAJOR, n, p, qr, n, tau) != 0) {
        dorm_err_set(err, rc, "the QR decomposition of the design failed");
        goto done;
    }
    for (int j = 0; j < p; j++) {
        double norm = 0;
        for (int i = 0; i < n; i++)
            norm += x[(size_t)i * p + j] * x[(size_t)i * p + j];
        if (!(fabs(qr[(size_t)j * n + j]) > RANK_TOL * sqrt(norm))) {
            dorm_err_set(err, rc, "the design is not of full rank: its column %d is a "
                         "combination of the others", j + 1);
            goto done;
        }
    }
    if (n_rows > 0 &&
        (LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', n, n_rows, p, qr, n, tau, b, n) != 0 ||
         LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'N', 'N', p, n_rows, qr, n, b, n) != 0)) {
        dorm_err_set(err, rc, "the least-squares solve failed");
        goto done;
    }
    fit->n_rows = n_rows;
    fit->n_coef = p;
    fit->df_residual = n - p;
    for (int r = 0; r < n_rows; r++) {
        const double *br = b + (size_t)r * n;
        double rss = 0;
        for (int i = p; i < n; i++)
            rss += br[i] * br[i];
        memcpy(fit->coef + (size_t)r * p, br, sizeof(double) * p);
        fit->sigma[r] = n > p ? sqrt(rss / (n - p)) : NAN;
    }
    for (int j = 0; j < p; j++)
        for (int i = 0; i <= j; i++)
            rinv[(size_t)j * p + i] = qr[(size_t)j * n + i];
    if (LAPACKE_dtrtri(LAPACK_COL_MAJOR, 'U', 'N', p, rinv, p) != 0) {
        dorm_err_set(err, rc, "the design's R factor is singular");
        goto done;
    }
    for (int i = 0; i < p; i++) /* (R^-1 R^-T)[i][k] = sum_j Rinv[i][j] Rinv[k][j] */
        for (int k = 0; k < p; k++) {
            double s = 0;
            for (int j = i > k ? i : k; j < p; j++)
                s += rinv[(size_t)j * p + i] * rinv[(size_t)j * p + k];
            fit->cov_unscaled[(size_t)i * p + k] = s;
        }
    rc = 0;
done:
    free(qr);
    free(tau);
    free(b);
    free(rinv);
    if (rc < 0)
        dorm_cmp_fit_destroy(fit);
    return rc;
}

int dorm_cmp_spd_quadratic(const double *a, int k, const double *v, double *out)
{
    double *l = malloc(sizeof(double) * (size_t)k * k), *w = malloc(sizeof(double) * k);
    int rc = -1;
    if (!l || !w)
        goto done;
    memcpy(l, a, sizeof(double) * (size_t)k * k); /* symmetric: row- = column-major */
    memcpy(w, v, sizeof(double) * k);
    if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', k, l, k) != 0 ||
        LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', k, 1, l, k, w, k) != 0)
        goto done;
    double s = 0;
    for (int i = 0; i < k; i++)
        s += v[i] * w[i];
    *out = s;
    rc = 0;
done:
    free(l);
    free(w);
    return rc;
}
