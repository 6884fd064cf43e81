/* special.c -- the special functions of limma's empirical Bayes step:
 * digamma, trigamma and tetragamma, the inverse of trigamma, and the
 * regularised incomplete beta and gamma functions behind the t, F and
 * chi-square distributions.
 *
 * Polygamma: the recurrences psi(x) = psi(x + 1) - 1/x and their
 * derivatives carry x up to 10 or more, where the asymptotic (Bernoulli)
 * series to x^-14 is exact to double precision.
 *
 * Incomplete beta I_x(a, b): the continued fraction of Abramowitz & Stegun
 * 26.5.8, evaluated by the modified Lentz method, on the side of the
 * symmetry I_x(a, b) = 1 - I_(1-x)(b, a) where it converges fast (x below
 * (a + 1) / (a + b + 2)); relative accuracy about 1e-14 (unit test).  The
 * caller passes x and 1 - x separately, so that a tail near 1 keeps its
 * digits.  Incomplete gamma: the series for x < a + 1, else the continued
 * fraction (A&S 6.5.29 and 6.5.31). */
#include <math.h>

#include "compare/compare_internal.h"

enum { SERIES_FROM = 10, MAX_TERMS = 10000 };

double dorm_cmp_digamma(double x)
{
    double r = 0;
    for (; x < SERIES_FROM; x++)
        r -= 1 / x;
    double u = 1 / (x * x);
    double s = u * (-1.0 / 12 + u * (1.0 / 120 + u * (-1.0 / 252 + u * (1.0 / 240 + u * (-1.0 / 132 +
               u * (691.0 / 32760 + u * (-1.0 / 12)))))));
    return r + log(x) - 0.5 / x + s;
}

double dorm_cmp_trigamma(double x)
{
    double r = 0;
    for (; x < SERIES_FROM; x++)
        r += 1 / (x * x);
    double u = 1 / (x * x);
    double s = 1 + u * (1.0 / 6 + u * (-1.0 / 30 + u * (1.0 / 42 + u * (-1.0 / 30 + u * (5.0 / 66 +
               u * (-691.0 / 2730 + u * (7.0 / 6)))))));
    return r + (s + 0.5 / x) / x;
}

double dorm_cmp_tetragamma(double x)
{
    double r = 0;
    for (; x < SERIES_FROM; x++)
        r -= 2 / (x * x * x);
    double u = 1 / (x * x);
    double s = 1 + 1 / x + u * (0.5 + u * (-1.0 / 6 + u * (1.0 / 6 + u * (-3.0 / 10 + u * (5.0 / 6 +
               u * (-691.0 / 210))))));
    return r - s * u;
}

double dorm_cmp_trigamma_inverse(double x)
{
    if (isnan(x) || x < 0)
        return NAN;
    if (x > 1e7)
        return 1 / sqrt(x);
    if (x < 1e-6)
        return 1 / x;
    /* Newton's method on 1/trigamma(y) = 1/x: 1/trigamma is convex and
     * nearly linear, so the iteration from 0.5 + 1/x climbs monotonically
     * (limma's trigammaInverse: the same start, step and stopping rule). */
    double y = 0.5 + 1 / x;
    for (int iter = 1; iter <= 51; iter++) {
        double tri = dorm_cmp_trigamma(y);
        double dif = tri * (1 - tri / x) / dorm_cmp_tetragamma(y);
        y += dif;
        if (-dif / y < 1e-8)
            break;
    }
    return y;
}

static double lbeta(double a, double b)
{
    return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/* The continued fraction of I_x(a, b) (without its front factor), for
 * x < (a + 1) / (a + b + 2). */
static double beta_cf(double x, double a, double b)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= MAX_TERMS; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
        d = 1 + num * d;
        d = fabs(d) < tiny ? 1 / tiny : 1 / d;
        c = 1 + num / c;
        if (fabs(c) < tiny)
            c = tiny;
        h *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
        d = 1 + num * d;
        d = fabs(d) < tiny ? 1 / tiny : 1 / d;
        c = 1 + num / c;
        if (fabs(c) < tiny)
            c = tiny;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return h;
}

void dorm_cmp_log_ibeta(double x, double y, double a, double b, double *log_lower,
                        double *log_upper)
{
    if (x <= 0 || y >= 1) {
        *log_lower = -INFINITY;
        *log_upper = 0;
        return;
    }
    if (y <= 0 || x >= 1) {
        *log_lower = 0;
        *log_upper = -INFINITY;
        return;
    }
    int swap = x > (a + 1) / (a + b + 2);
    if (swap) { /* I_x(a, b) = 1 - I_y(b, a) */
        double t = x;
        x = y;
        y = t;
        t = a;
        a = b;
        b = t;
    }
    double direct = a * log(x) + b * log1p(-x) - lbeta(a, b) - log(a) +
                    log(beta_cf(x, a, b));
    double other = direct > -0.693 ? log(-expm1(direct)) : log1p(-exp(direct));
    *log_lower = swap ? other : direct;
    *log_upper = swap ? direct : other;
}

void dorm_cmp_log_igamma(double a, double x, double *log_lower, double *log_upper)
{
    if (x <= 0) {
        *log_lower = -INFINITY;
        *log_upper = 0;
        return;
    }
    double front = a * log(x) - x - lgamma(a);
    double direct;
    int lower_direct = x < a + 1;
    if (lower_direct) { /* P(a, x) = front * sum x^n / (a (a+1) ... (a+n)) */
        double term = 1 / a, sum = term;
        for (int n = 1; n <= MAX_TERMS; n++) {
            term *= x / (a + n);
            sum += term;
            if (fabs(term) < fabs(sum) * 1e-17)
                break;
        }
        direct = front + log(sum);
    } else { /* Q(a, x) by its continued fraction, modified Lentz */
        const double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (int i = 1; i <= MAX_TERMS; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (fabs(d) < tiny)
                d = tiny;
            c = b + an / c;
            if (fabs(c) < tiny)
                c = tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (fabs(del - 1) < 1e-16)
                break;
        }
        direct = front + log(h);
    }
    double other = direct > -0.693 ? log(-expm1(direct)) : log1p(-exp(direct));
    *log_lower = lower_direct ? direct : other;
    *log_upper = lower_direct ? other : direct;
}

double dorm_cmp_t_pvalue(double t, double df)
{
    if (isnan(t) || isnan(df))
        return NAN;
    double t2 = t * t, lo, up;
    /* 2 P(T > |t|) = I_(df / (df + t^2))(df / 2, 1 / 2) */
    dorm_cmp_log_ibeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5, &lo, &up);
    return exp(lo);
}

/* log P(F <= f) and log P(F > f) for f > 0: P(F > f) is
 * I_(df2 / (df2 + df1 f))(df2 / 2, df1 / 2); with df2 infinite, df1 F is
 * chi-square on df1. */
static void f_log_tails(double f, double df1, double df2, double *lower, double *upper)
{
    if (isinf(df2)) {
        dorm_cmp_log_igamma(df1 / 2, df1 * f / 2, lower, upper);
        return;
    }
    double s = df2 + df1 * f;
    dorm_cmp_log_ibeta(df2 / s, df1 * f / s, df2 / 2, df1 / 2, upper, lower);
}

double dorm_cmp_f_log_upper(double f, double df1, double df2)
{
    if (isnan(f) || isnan(df1) || isnan(df2))
        return NAN;
    if (f <= 0)
        return 0;
    double lower, upper;
    f_log_tails(f, df1, df2, &lower, &upper);
    return upper;
}

double dorm_cmp_f_log_lower(double f, double df1, double df2)
{
    if (f <= 0)
        return -INFINITY;
    double lower, upper;
    f_log_tails(f, df1, df2, &lower, &upper);
    return lower;
}

double dorm_cmp_f_density(double f, double df1, double df2)
{
    if (f <= 0)
        return 0;
    double h = df1 / 2;
    if (isinf(df2)) { /* df1 times the chi-square density at df1 f */
        double y = df1 * f;
        return df1 * exp((h - 1) * log(y) - y / 2 - h * M_LN2 - lgamma(h));
    }
    return exp(h * log(df1 / df2) + (h - 1) * log(f) - (h + df2 / 2) * log1p(df1 * f / df2) -
               lbeta(h, df2 / 2));
}

double dorm_cmp_f_quantile(double p, double df1, double df2)
{
    if (!(p > 0 && p < 1))
        return p == 0 ? 0 : p == 1 ? INFINITY : NAN;
    double lp = log(p), lo = 0, hi = 1;
    /* bracket, then bisect on the F scale until the interval stops shrinking */
    while (dorm_cmp_f_log_lower(hi, df1, df2) < lp)
        hi *= 2;
    for (int i = 0; i < 2000; i++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (dorm_cmp_f_log_lower(mid, df1, df2) < lp)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}
