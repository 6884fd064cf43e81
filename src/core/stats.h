/* stats.h -- normal distribution, hypergeometric weights and Benjamini-
 * Hochberg, private to libdormscan. */
#ifndef DORM_CORE_STATS_H
#define DORM_CORE_STATS_H

#include <stdint.h>

/* Upper tail of the standard normal, P(Z > z), within 1e-15 of it
 * relatively for z >= 0 and absolutely for z < 0 (checked by the score unit
 * test against long double erfcl); thread-safe.  Exactly 1.0 for
 * z <= DORM_SF_ONE, exactly 0.0 for z >= DORM_SF_ZERO. */
double dorm_norm_sf(double z);
void dorm_norm_sf_init(void);
#define DORM_SF_ONE -8.3
#define DORM_SF_ZERO 38.5

/* The table behind dorm_norm_sf (stats.c tells how it is made), here so
 * that dorm_norm_sf_mid inlines into loops: a call there spills every live
 * double (x86-64 keeps no SSE register across calls). */
enum { DORM_SF_GRID = 64, DORM_SF_DEGREE = 12 };
extern double dorm_sf_table[][DORM_SF_DEGREE + 1];

/* P(Z > z) for 0 <= z < DORM_SF_ZERO: the table's Taylor polynomial at the
 * nearest grid point. */
static inline double dorm_norm_upper_tail(double z)
{
    int j = (int)(z * DORM_SF_GRID + 0.5);
    double t = z - (double)j / DORM_SF_GRID; /* exact: both within 1/128 */
    const double *d = dorm_sf_table[j];
    double t2 = t * t, t4 = t2 * t2, t8 = t4 * t4; /* Estrin's scheme: short chains */
    double q0 = (d[0] + d[1] * t) + (d[2] + d[3] * t) * t2;
    double q1 = (d[4] + d[5] * t) + (d[6] + d[7] * t) * t2;
    double q2 = (d[8] + d[9] * t) + (d[10] + d[11] * t) * t2;
    return (q0 + q1 * t4) + (q2 + d[12] * t4) * t8;
}

/* dorm_norm_sf for DORM_SF_ONE < z < DORM_SF_ZERO only, without its
 * checks, once dorm_norm_sf_init has run (on any thread): for loops that
 * test the range themselves. */
static inline double dorm_norm_sf_mid(double z)
{
    return z < 0 ? 1.0 - dorm_norm_upper_tail(-z) : dorm_norm_upper_tail(z);
}
/* z values are kept within +-DORM_Z_MAX, where double tails end (p ~ 1e-308). */
#define DORM_Z_MAX 37.5

/* z with P(Z > z) = p, clamped to +-DORM_Z_MAX (so p = 0 and 1 are finite);
 * NaN for NaN. */
double dorm_norm_isf(double p);
/* log of the hypergeometric probability of k successes in n draws from a
 * population of size N with K successes (-inf outside the support). */
double dorm_hyper_logpmf(int64_t k, int64_t N, int64_t K, int64_t n);
/* lgamma(x + 1) for x = 0..N, newly allocated (caller frees), or NULL. */
double *dorm_log_factorials(int64_t N);
/* dorm_hyper_logpmf from a dorm_log_factorials table of at least N + 1
 * entries: the same value, without lgamma calls. */
double dorm_hyper_logpmf_lf(int64_t k, int64_t N, int64_t K, int64_t n, const double *lfact);
/* Benjamini-Hochberg adjusted p-values of p[0..n), in place, order kept
 * (bh.c).  NaN values are left NaN and do not count towards n.  idx is
 * scratch of n int32 (so n <= INT32_MAX): 12 bytes per value in all, no
 * other allocation.  Returns 0, or -1 if n is out of range. */
int dorm_bh_adjust(double *p, int64_t n, int32_t *idx);

#endif
