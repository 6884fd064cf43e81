/* stats.c -- normal tail and quantile, hypergeometric log-pmf.
 *
 * The upper normal tail comes from a table of its Taylor polynomials,
 * without erfc or exp (the UCell null evaluates millions).  At grid points
 * z0 = j / SF_GRID, 0 <= z0 <= SF_TOP:
 *   P(Z > z0 + t) = sum_n phi(z0) d_n t^n,
 *   d_0 = R(z0), d_n = (-1)^n He_{n-1}(z0) / n!  (n >= 1),
 * R the Mills ratio P(Z > z) / phi(z) and He the Hermite polynomials.  The
 * series is e^(-z0 t) times a slowly varying factor; with |t| <= 1/128 and
 * z0 <= 40, the first term left out is below 1e-16 of the sum (the unit
 * test bounds the whole error by 1e-15).  R solves
 * R' = zR - 1, so its own Taylor coefficients follow from R(z0):
 * c1 = z0 c0 - 1, c(n+1) = (z0 cn + c(n-1)) / (n + 1); the table starts from
 * R(SF_TOP)'s asymptotic series and steps down the grid by that series
 * (stable downwards: the equation's other solutions, multiples of
 * exp(z^2 / 2), shrink as z falls).  Everything is worked out once, in long
 * double.
 *
 * The normal quantile is Wichura's algorithm AS 241 (PPND16), accurate to
 * about 1e-16. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "stats.h"

enum {
    SF_GRID = DORM_SF_GRID,     /* table points per unit of z */
    SF_TOP = 40,                /* last point, past DORM_SF_ZERO */
    SF_DEGREE = DORM_SF_DEGREE, /* dorm_norm_upper_tail writes its polynomial out */
    SF_POINTS = SF_GRID * SF_TOP + 1,
    SF_STEP_DEGREE = 40,        /* R's series length for building the table */
};

/* Per point: phi(z0) d_n, n = 0..SF_DEGREE (so P(Z > 0) is exactly 0.5). */
double dorm_sf_table[SF_POINTS][SF_DEGREE + 1];
static pthread_once_t sf_once = PTHREAD_ONCE_INIT;

static void sf_build(void)
{
    long double z = SF_TOP, iz2 = 1 / (z * z), term = 1 / z, r = 0;
    for (int k = 0; k < 10; k++) { /* R(z) = 1/z (1 - 1/z^2 + 3/z^4 - 15/z^6 ...) */
        r += term;
        term *= -(2 * k + 1) * iz2;
    }
    long double c[SF_STEP_DEGREE + 1], h = -1.0L / SF_GRID, inv_sqrt_2pi = 1 / sqrtl(2 * acosl(-1));
    for (int j = SF_POINTS - 1; j >= 0; j--) {
        long double z0 = (long double)j / SF_GRID, he0 = 0, he1 = 1, fact = 1;
        long double phi = expl(-z0 * z0 / 2) * inv_sqrt_2pi;
        double *d = dorm_sf_table[j];
        d[0] = (double)(phi * r);
        for (int n = 1; n <= SF_DEGREE; n++) { /* he1 = He_{n-1}(z0) */
            fact *= n;
            d[n] = (double)(phi * (n % 2 ? -he1 : he1) / fact);
            long double he2 = z0 * he1 - (n - 1) * he0;
            he0 = he1;
            he1 = he2;
        }
        c[0] = r; /* R one step down the grid */
        c[1] = z0 * c[0] - 1;
        for (int k = 1; k < SF_STEP_DEGREE; k++)
            c[k + 1] = (z0 * c[k] + c[k - 1]) / (k + 1);
        r = 0;
        for (int k = SF_STEP_DEGREE; k >= 0; k--)
            r = r * h + c[k];
    }
}

void dorm_norm_sf_init(void) { pthread_once(&sf_once, sf_build); }

double dorm_norm_sf(double z)
{
    if (isnan(z))
        return z;
    if (z <= DORM_SF_ONE)
        return 1.0;
    if (z >= DORM_SF_ZERO)
        return 0.0;
    pthread_once(&sf_once, sf_build);
    return dorm_norm_sf_mid(z);
}

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
