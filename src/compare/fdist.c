/* fdist.c -- limma's prior for the residual variances: the scaled F
 * distribution fitted to them by moments (fitFDist) or robustly
 * (fitFDistRobustly, Phipson et al. 2016), and the posterior variances of
 * squeezeVar.  Every state shares one df1 here (one design, no missing
 * values), so the robust fit's transformation to a common df1 never
 * arises; limma's covariate (trend) is not used by propeller's defaults
 * and is not offered.
 *
 * fitFDist (Smyth 2004, section 6.2): with e = log s^2 - digamma(d/2) +
 * log(d/2), the mean and variance of e estimate log s0^2 - digamma(d0/2) +
 * log(d0/2) and trigamma(d/2) + trigamma(d0/2); the variance left after
 * trigamma(d/2) gives d0 by inverting trigamma, and none left means d0 =
 * infinity with s0^2 the mean of s^2.
 *
 * fitFDistRobustly: the log variances are centred on their 10% trimmed
 * mean and Winsorised at their 5% and 90% quantiles (R's quantile type 7);
 * d0 is the one whose Winsorised log-F distribution has the same variance
 * (its moments by 128-point Gauss-Legendre quadrature on a transformed
 * scale, solved by Brent's method between the non-robust d0 and infinity,
 * tolerance 1e-8 on d0 / (1 + d0), as limma's uniroot call).  Each
 * variance then gets its own prior df, shrunk towards zero by its
 * probability of being an outlier, made monotone in its tail probability. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare_internal.h"

enum { N_NODES = 128 };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* R's mean: a long double sum, then one correcting pass. */
static double r_mean(const double *v, int n)
{
    long double s = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    s /= n;
    long double t = 0;
    for (int i = 0; i < n; i++)
        t += v[i] - s;
    return (double)(s + t / n);
}

static double median_of(const double *v, int n, double *scratch)
{
    memcpy(scratch, v, sizeof(double) * n);
    qsort(scratch, n, sizeof(double), cmp_double);
    return n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

int dorm_cmp_fit_fdist(const double *var, int n, double df1, double *scale, double *df2)
{
    if (n < 2) { /* limma: nothing to fit */
        *scale = *df2 = NAN;
        return 0;
    }
    double *x = malloc(sizeof(double) * n), *e = malloc(sizeof(double) * n);
    if (!x || !e) {
        free(x);
        free(e);
        return DORM_E_NOMEM;
    }
    for (int i = 0; i < n; i++)
        x[i] = var[i] > 0 ? var[i] : 0;
    double m = median_of(x, n, e);
    if (m == 0)
        m = 1;
    for (int i = 0; i < n; i++) {
        if (x[i] < 1e-5 * m)
            x[i] = 1e-5 * m;
        e[i] = log(x[i]) - dorm_cmp_digamma(df1 / 2) + log(df1 / 2);
    }
    double emean = r_mean(e, n), evar = 0;
    for (int i = 0; i < n; i++)
        evar += (e[i] - emean) * (e[i] - emean);
    evar = evar / (n - 1) - dorm_cmp_trigamma(df1 / 2);
    if (evar > 0) {
        *df2 = 2 * dorm_cmp_trigamma_inverse(evar);
        *scale = exp(emean + dorm_cmp_digamma(*df2 / 2) - log(*df2 / 2));
    } else {
        *df2 = INFINITY;
        *scale = r_mean(x, n);
    }
    free(x);
    free(e);
    return 0;
}

/* ---- the robust fit ---- */

typedef struct robust_t {
    double df1;
    double tail[2];            /* Winsorisation tail probabilities: 0.05, 0.1 */
    double node[N_NODES], weight[N_NODES]; /* Gauss-Legendre on [0, 1] */
    double zwvar;              /* variance of the Winsorised log variances */
} robust_t;

/* Gauss-Legendre nodes and weights on [0, 1] (weights summing to 1):
 * Newton's method on the Legendre polynomial from the usual cosine
 * guesses. */
static void gauss_legendre(double *node, double *weight, int n)
{
    for (int i = 0; i < (n + 1) / 2; i++) {
        double z = cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 0;
        for (int iter = 0; iter < 100; iter++) {
            double p0 = 1, p1 = 0;
            for (int k = 1; k <= n; k++) {
                double p2 = p1;
                p1 = p0;
                p0 = ((2.0 * k - 1) * z * p1 - (k - 1.0) * p2) / k;
            }
            dp = n * (z * p0 - p1) / (z * z - 1);
            double z1 = z;
            z = z1 - p0 / dp;
            if (fabs(z - z1) < 1e-16)
                break;
        }
        double w = 2 / ((1 - z * z) * dp * dp);
        node[i] = (1 - z) / 2;
        node[n - 1 - i] = (1 + z) / 2;
        weight[i] = weight[n - 1 - i] = w / 2;
    }
}

/* Mean and variance of log F (F on df1, df2) Winsorised at the tail
 * quantiles, by quadrature on q = F / (1 + F). */
static void winsorized_moments(const robust_t *r, double df2, double *mean, double *var)
{
    double fq[2] = {dorm_cmp_f_quantile(r->tail[0], r->df1, df2),
                    dorm_cmp_f_quantile(1 - r->tail[1], r->df1, df2)};
    double zq[2] = {log(fq[0]), log(fq[1])};
    double q[2] = {fq[0] / (1 + fq[0]), fq[1] / (1 + fq[1])}, q21 = q[1] - q[0];
    double fz[N_NODES], zn[N_NODES];
    double m = 0;
    for (int i = 0; i < N_NODES; i++) {
        double nd = q[0] + q21 * r->node[i], f = nd / (1 - nd);
        zn[i] = log(f);
        fz[i] = dorm_cmp_f_density(f, r->df1, df2) / ((1 - nd) * (1 - nd));
        m += r->weight[i] * fz[i] * zn[i];
    }
    m = q21 * m + (zq[0] * r->tail[0] + zq[1] * r->tail[1]);
    double v = 0;
    for (int i = 0; i < N_NODES; i++)
        v += r->weight[i] * fz[i] * (zn[i] - m) * (zn[i] - m);
    v = q21 * v + ((zq[0] - m) * (zq[0] - m) * r->tail[0] + (zq[1] - m) * (zq[1] - m) * r->tail[1]);
    *mean = m;
    *var = v;
}

/* The equation for df2 on the scale u = df2 / (1 + df2). */
static double moment_gap(const robust_t *r, double u)
{
    double m, v;
    winsorized_moments(r, u / (1 - u), &m, &v);
    return log(r->zwvar / v);
}

/* Brent's root finder (Brent 1973, "zeroin") on [a, b] with f(a), f(b) of
 * opposite signs, to tolerance tol: the algorithm of R's uniroot. */
static double zeroin(const robust_t *r, double a, double b, double fa, double fb, double tol)
{
    double c = a, fc = fa;
    if (fa == 0)
        return a;
    if (fb == 0)
        return b;
    for (int it = 0; it <= 1000; it++) {
        double prev_step = b - a;
        if (fabs(fc) < fabs(fb)) {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        double tol_act = 2 * DBL_EPSILON * fabs(b) + tol / 2;
        double new_step = (c - b) / 2;
        if (fabs(new_step) <= tol_act || fb == 0)
            return b;
        if (fabs(prev_step) >= tol_act && fabs(fa) > fabs(fb)) {
            double p, q, cb = c - b;
            if (a == c) { /* secant */
                double t1 = fb / fa;
                p = cb * t1;
                q = 1 - t1;
            } else { /* inverse quadratic interpolation */
                double qq = fa / fc, t1 = fb / fc, t2 = fb / fa;
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1));
                q = (qq - 1) * (t1 - 1) * (t2 - 1);
            }
            if (p > 0)
                q = -q;
            else
                p = -p;
            if (p < 0.75 * cb * q - fabs(tol_act * q) / 2 && p < fabs(prev_step * q / 2))
                new_step = p / q;
        }
        if (fabs(new_step) < tol_act)
            new_step = new_step > 0 ? tol_act : -tol_act;
        a = b;
        fa = fb;
        b += new_step;
        fb = moment_gap(r, b);
        if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
            c = a;
            fc = fa;
        }
    }
    return b;
}

/* R's quantile(v, p), type 7, of sorted v. */
static double quantile7(const double *sorted, int n, double p)
{
    double index = (n - 1) * p;
    int lo = (int)floor(index), hi = (int)ceil(index);
    double qs = sorted[lo], h = index - lo;
    return index > lo && sorted[hi] != qs ? (1 - h) * qs + h * sorted[hi] : qs;
}

typedef struct ranked_t {
    double v;
    int i;
} ranked_t;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Prior df per variance from the outlier probabilities (the end of
 * fitFDistRobustly): df2 scaled down by the probability of not being an
 * outlier, plus a df for outliers; then monotone in the tail probability
 * (averaged up to the minimum of the running mean, then a running max). */
static int shrink_df(const double *z, int n, double ztrend, double df1, double df2,
                     double *df2_shrunk)
{
    ranked_t *o = malloc(sizeof(ranked_t) * n);
    double *ltp = malloc(sizeof(double) * n), *rank = malloc(sizeof(double) * n);
    double *lpno = malloc(sizeof(double) * n);
    int rc = DORM_E_NOMEM;
    if (!o || !ltp || !rank || !lpno)
        goto done;
    double maxf = -INFINITY;
    for (int i = 0; i < n; i++) {
        double f = exp(z[i] - ztrend);
        o[i] = (ranked_t){f, i};
        maxf = f > maxf ? f : maxf;
        ltp[i] = dorm_cmp_f_log_upper(f, df1, df2);
    }
    qsort(o, n, sizeof *o, cmp_ranked); /* average ranks of F */
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && o[j + 1].v == o[i].v)
            j++;
        for (int k = i; k <= j; k++)
            rank[o[k].i] = (i + j) / 2.0 + 1;
        i = j + 1;
    }
    int any_outlier = 0;
    for (int i = 0; i < n; i++) {
        double lemp = log(n - rank[i] + 0.5) - log((double)n);
        lpno[i] = ltp[i] - lemp < 0 ? ltp[i] - lemp : 0;
        any_outlier |= lpno[i] < 0;
    }
    for (int i = 0; i < n; i++)
        df2_shrunk[i] = df2;
    if (!any_outlier) {
        rc = 0;
        goto done;
    }
    if (isinf(df2)) { /* limma's df2 = Inf branch: pooled df, running max */
        for (int i = 0; i < n; i++)
            if (lpno[i] < 0)
                df2_shrunk[i] = exp(lpno[i]) * n * df1;
    } else {
        double min_ltp = INFINITY;
        for (int i = 0; i < n; i++)
            min_ltp = ltp[i] < min_ltp ? ltp[i] : min_ltp;
        double df2_outlier = 0;
        if (isfinite(min_ltp)) {
            df2_outlier = log(0.5) / min_ltp * df2;
            df2_outlier = log(0.5) / dorm_cmp_f_log_upper(maxf, df1, df2_outlier) * df2_outlier;
        }
        for (int i = 0; i < n; i++)
            df2_shrunk[i] = exp(lpno[i]) * df2 + -expm1(lpno[i]) * df2_outlier;
    }
    for (int i = 0; i < n; i++)
        o[i] = (ranked_t){ltp[i], i};
    qsort(o, n, sizeof *o, cmp_ranked); /* order(LogTailP), ties by position */
    if (!isinf(df2)) {
        double cum = 0, best = INFINITY;
        int imin = 0;
        for (int k = 0; k < n; k++) {
            cum += df2_shrunk[o[k].i];
            if (cum / (k + 1) < best) {
                best = cum / (k + 1);
                imin = k;
            }
        }
        for (int k = 0; k <= imin; k++)
            df2_shrunk[o[k].i] = best;
    }
    for (int k = 1; k < n; k++)
        if (df2_shrunk[o[k].i] < df2_shrunk[o[k - 1].i])
            df2_shrunk[o[k].i] = df2_shrunk[o[k - 1].i];
    rc = 0;
done:
    free(o);
    free(ltp);
    free(rank);
    free(lpno);
    return rc;
}

int dorm_cmp_fit_fdist_robust(const double *var, int n, double df1, double *scale,
                              double *df2_shrunk, dorm_err_t *err)
{
    double df2;
    if (n <= 2) { /* limma: the plain fit */
        int rc = dorm_cmp_fit_fdist(var, n, df1, scale, &df2);
        for (int i = 0; i < n; i++)
            df2_shrunk[i] = df2;
        return rc < 0 ? dorm_err_nomem(err) : 0;
    }
    robust_t *r = malloc(sizeof *r);
    double *x = malloc(sizeof(double) * n), *z = malloc(sizeof(double) * n);
    double *s = malloc(sizeof(double) * n);
    int rc = DORM_E_NOMEM;
    if (!r || !x || !z || !s) {
        dorm_err_nomem(err); /* (rc is DORM_E_NOMEM) */
        goto done;
    }
    double m = median_of(var, n, s);
    if (!(m > 0)) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "the residual variances are mostly zero: "
                          "no prior can be fitted (are the proportions identical in every "
                          "sample?)");
        goto done;
    }
    for (int i = 0; i < n; i++)
        x[i] = var[i] < m * 1e-12 ? m * 1e-12 : var[i];
    double scale0, df20;
    if (dorm_cmp_fit_fdist(x, n, df1, &scale0, &df20) < 0) {
        dorm_err_nomem(err); /* (rc is DORM_E_NOMEM) */
        goto done;
    }
    r->df1 = df1;
    r->tail[0] = 0.05;
    r->tail[1] = 0.1;
    if (r->tail[0] < 1.0 / n && r->tail[1] < 1.0 / n) { /* too few to Winsorise */
        *scale = scale0;
        for (int i = 0; i < n; i++)
            df2_shrunk[i] = df20;
        rc = 0;
        goto done;
    }
    for (int i = 0; i < n; i++)
        z[i] = log(x[i]);
    memcpy(s, z, sizeof(double) * n);
    qsort(s, n, sizeof(double), cmp_double);
    int lo = (int)floor(n * r->tail[1]); /* mean(z, trim = 0.1) */
    double ztrend = r_mean(s + lo, n - 2 * lo);
    for (int i = 0; i < n; i++)
        s[i] -= ztrend; /* sorted residuals */
    double zq0 = quantile7(s, n, r->tail[0]), zq1 = quantile7(s, n, 1 - r->tail[1]);
    for (int i = 0; i < n; i++) {
        double w = z[i] - ztrend;
        x[i] = w < zq0 ? zq0 : w > zq1 ? zq1 : w; /* Winsorised residuals */
    }
    double zwmean = r_mean(x, n), zwvar = 0;
    for (int i = 0; i < n; i++)
        x[i] = (x[i] - zwmean) * (x[i] - zwmean);
    zwvar = r_mean(x, n) * n / (n - 1);
    r->zwvar = zwvar;
    gauss_legendre(r->node, r->weight, N_NODES);
    double mom_mean, mom_var;
    winsorized_moments(r, INFINITY, &mom_mean, &mom_var);
    double fun_inf = log(zwvar / mom_var);
    if (fun_inf <= 0) {
        df2 = INFINITY;
    } else if (isinf(df20)) {
        *scale = scale0;
        for (int i = 0; i < n; i++)
            df2_shrunk[i] = df20;
        rc = 0;
        goto done;
    } else {
        double rbx = df20 / (1 + df20), fun_low = moment_gap(r, rbx);
        if (fun_low >= 0) {
            df2 = df20;
        } else {
            double u = zeroin(r, rbx, 1, fun_low, fun_inf, 1e-8);
            df2 = u / (1 - u);
        }
        winsorized_moments(r, df2, &mom_mean, &mom_var);
    }
    double ztrend_corrected = ztrend + zwmean - mom_mean;
    *scale = exp(ztrend_corrected);
    rc = shrink_df(z, n, ztrend_corrected, df1, df2, df2_shrunk);
    if (rc < 0)
        dorm_err_nomem(err); /* (rc is DORM_E_NOMEM) */
done:
    free(r);
    free(x);
    free(z);
    free(s);
    return rc;
}
