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
/* dorm_norm_sf for DORM_SF_ONE < z < DORM_SF_ZERO only, without its
 * checks, once dorm_norm_sf_init has run (on any thread): for loops that
 * test the range themselves. */
double dorm_norm_sf_mid(double z);
void dorm_norm_sf_init(void);
#define DORM_SF_ONE -8.3
#define DORM_SF_ZERO 38.5
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
