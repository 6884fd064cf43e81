/* stats.c -- normal tail and quantile, hypergeometric log-pmf.
 *
 * The normal quantile is Wichura's algorithm AS 241 (PPND16), accurate to
 * about 1e-16. */
#include <math.h>
#include <stdlib.h>

#include "stats.h"

double dorm_norm_sf(double z) { return 0.5 * erfc(z / M_SQRT2); }

/* Lower-tail quantile for 0 < p < 1 (AS 241). */
static double norm_ppf(double p)
{
    double q = p - 0.5, r, x;
    if (fabs(q) <= 0.425) {
        r = 0.180625 - q * q;
        return q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r +
                         67265.770927008700853) * r + 45921.953931549871457) * r +
                       13731.693765509461125) * r + 1971.5909503065514427) * r +
                     133.14166789178437745) * r + 3.387132872796366608) /
               (((((((5226.495278852545925 * r + 28729.085735721942674) * r +
                     39307.89580009271061) * r + 21213.794301586595867) * r +
                   5394.1960214247511077) * r + 687.1870074920579083) * r +
                 42.313330701600911252) * r + 1.0);
    }
    r = q < 0 ? p : 1.0 - p;
    r = sqrt(-log(r));
    if (r <= 5.0) {
        r -= 1.6;
        x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r +
                  0.24178072517745061177) * r + 1.27045825245236838258) * r +
                3.64784832476320460504) * r + 5.7694972214606914055) * r +
              4.6303378461565452959) * r + 1.42343711074968357734) /
            (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r +
                  0.0151986665636164571966) * r + 0.14810397642748007459) * r +
                0.68976733498510000455) * r + 1.6763848301838038494) * r +
              2.05319162663775882187) * r + 1.0);
    } else {
        r -= 5.0;
        x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                  0.0012426609473880784386) * r + 0.026532189526576123093) * r +
                0.29656057182850489123) * r + 1.7848265399172913358) * r +
              5.4637849111641143699) * r + 6.6579046435011037772) /
            (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r +
                  1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
                0.0148753612908506148525) * r + 0.13692988092273580531) * r +
              0.59983220655588793769) * r + 1.0);
    }
    return q < 0 ? -x : x;
}

double dorm_norm_isf(double p)
{
    if (isnan(p))
        return NAN;
    double z = p <= 0 ? DORM_Z_MAX : p >= 1 ? -DORM_Z_MAX : -norm_ppf(p);
    return z > DORM_Z_MAX ? DORM_Z_MAX : z < -DORM_Z_MAX ? -DORM_Z_MAX : z;
}

static double lchoose(int64_t n, int64_t k)
{
    return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1);
}

double dorm_hyper_logpmf(int64_t k, int64_t N, int64_t K, int64_t n)
{
    if (k < 0 || k > K || k > n || n - k > N - K)
        return -INFINITY;
    return lchoose(K, k) + lchoose(N - K, n - k) - lchoose(N, n);
}

double *dorm_log_factorials(int64_t N)
{
    double *t = malloc((size_t)(N + 1) * sizeof *t);
    for (int64_t x = 0; t && x <= N; x++)
        t[x] = lgamma((double)x + 1);
    return t;
}

/* lchoose with the same terms, in the same order, from the table. */
static double lchoose_lf(int64_t n, int64_t k, const double *lf) { return lf[n] - lf[k] - lf[n - k]; }

double dorm_hyper_logpmf_lf(int64_t k, int64_t N, int64_t K, int64_t n, const double *lfact)
{
    if (k < 0 || k > K || k > n || n - k > N - K)
        return -INFINITY;
    return lchoose_lf(K, k, lfact) + lchoose_lf(N - K, n - k, lfact) - lchoose_lf(N, n, lfact);
}
