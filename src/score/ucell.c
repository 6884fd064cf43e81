/* ucell.c -- UCell scores and their within-cell rank null.
 *
 * Per cell: rank all genes by decreasing expression (average ties); the
 * ranking universe is every input feature plus the signature genes missing
 * from the input, which UCell adds as all-zero rows.  Ranks above maxRank =
 * min(max_rank, universe) count as maxRank.  A part (up or down members) of
 * n genes scores U = 1 - (sum of ranks - n(n+1)/2) / (n maxRank - n(n+1)/2),
 * or 0 when every rank is above maxRank; a set scores max(0, U_up - U_down)
 * (UCell 2.x, w_neg = 1).
 *
 * A part's rank sum is its found members' count times the capped rank of the
 * zero block plus, over its expressed members, the difference from it; ranks
 * are half-integers, so these sums are exact in any order.
 *
 * Null (p-values): a part's n members are a random n-subset of the cell's G
 * genes.  With d = maxRank - capped rank, U grows with S = sum of d over the
 * members.  Every unexpressed gene has the same d (0 unless the universe is
 * smaller than maxRank); only the m expressed genes with a larger d move S:
 *   P(S >= s) = sum_k Hyp(k; G, m, n) P(S_k >= s),
 * where K counts members among those m genes and S_k is the sum of k draws
 * without replacement from their excess d values.  P(S_k >= s) is exact for
 * k = 0 and 1 and normal (finite-population moments) for k >= 2.  Mixing
 * over K keeps small sets in shallow cells calibrated, where one normal
 * approximation of S is not.  Down members of a signed set are tested for
 * depletion, P(S <= s), so that a block of unexpressed genes, the likeliest
 * outcome in a shallow cell, is not taken as evidence.
 *
 * The mixture is summed to about 1e-14 of the result: normal tails that
 * cannot matter at that precision are not computed (see part_tail). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/stats.h"
#include "score_internal.h"

/* U of a part of n members with the given sum of capped ranks; 0 when every
 * rank is above max_rank, i.e. when the sum is n max_rank (a rank of
 * exactly max_rank gives 0 by the formula too). */
static double part_auc(double rank_sum, int n, int max_rank)
{
    if (n == 0 || rank_sum >= (double)n * max_rank)
        return 0;
    double lfac = (double)n * (n + 1) / 2.0;
    return 1.0 - (rank_sum - lfac) / ((double)n * max_rank - lfac);
}

/* Per cell: ranks, each part's rank sum (in sc->prod row c), and the null
 * statistics. */
static void rank_cells(dorm_scorer_t *sc, const dorm_chunk_t *ch, int M, int64_t G)
{
    int64_t nc = ch->n_cells;
    int np = sc->n_parts;
    for (int64_t c = 0; c < nc; c++) {
        int64_t a = ch->col_ptr[c], n = ch->col_ptr[c + 1] - a;
        double *rank = sc->x;
        const uint32_t *ints = ch->count ? ch->count + a : NULL;
        int by_level;
        int64_t n_levels = dorm_rank_levels_desc(ch->value + a, ints, n, rank, sc->level_rank,
                                                 sc->level_n, sc->keyed, sc->count, &by_level);
        double zero_rank = (double)n + (double)(G - n + 1) / 2.0;
        double zero_capped = zero_rank > M ? M : zero_rank;
        /* the members among the cell's genes, without a branch per gene */
        int32_t *member = sc->pick;
        int64_t n_member = 0;
        for (int64_t i = 0; i < n; i++) {
            member[n_member] = (int32_t)i;
            n_member += dorm_scorer_in_union(sc, ch->gene[a + i]);
        }
        /* Differences from the zero block's capped rank are multiples of
         * 1/2: summed exactly as integers (twice them), then added to the
         * found members' zero-block ranks, the same value as the sum in
         * doubles in any order. */
        int64_t *twice = sc->twice;
        memset(twice, 0, (size_t)np * sizeof *twice);
        for (int64_t k = 0; k < n_member; k++) {
            int64_t i = member[k];
            int32_t u = sc->union_of[ch->gene[a + i]];
            double r = by_level ? sc->level_rank[sc->count[ints[i]]] : rank[i];
            int64_t dr2 = (int64_t)(2 * ((r > M ? M : r) - zero_capped));
            for (int q = sc->part_ptr[u]; q < sc->part_ptr[u + 1]; q++)
                twice[sc->part_of[q]] += dr2;
        }
        double *sum = sc->prod + (size_t)c * (size_t)np;
        for (int q = 0; q < np; q++)
            sum[q] = sc->found[q] * zero_capped + 0.5 * (double)twice[q];
        /* Excess distances over the zero block's, of expressed genes, as
         * distinct levels in decreasing order with cumulative counts.  The
         * excesses are multiples of 1/2, so while M^2 n < 2^51 every partial
         * sum of them and of their squares is exact and a level's h genes
         * can be added as one product; otherwise one gene at a time. */
        dorm_ucell_cell_t *cs = &sc->cell[c];
        double base = M - zero_capped, *d = sc->dtop + a, s1 = 0, s2 = 0;
        int32_t *cum = sc->dcum + a;
        int64_t m = 0, nl = 0;
        int exact = (double)M * M * (double)n < 0x1p51;
        for (int64_t l = 0; l < n_levels; l++) {
            double r = sc->level_rank[l], e = M - (r > M ? M : r) - base;
            if (e <= 0)
                break;
            if (exact) {
                s1 += e * sc->level_n[l];
                s2 += e * e * sc->level_n[l];
            } else {
                for (int32_t t = 0; t < sc->level_n[l]; t++) {
                    s1 += e;
                    s2 += e * e;
                }
            }
            m += sc->level_n[l];
            d[nl] = e;
            cum[nl++] = (int32_t)m;
        }
        cs->n_levels = nl;
        cs->zero_capped = zero_capped;
        cs->G = G;
        cs->base = base;
        cs->dofs = a;
        cs->m = m;
        cs->mean_d = m ? s1 / (double)m : 0;
        cs->var_d = m ? s2 / (double)m - cs->mean_d * cs->mean_d : 0;
        if (cs->var_d < 0)
            cs->var_d = 0;
    }
}

/* P(one draw >= s), or P(one draw <= s) when lower, from the cell's excess
 * distances (distinct levels, descending, with cumulative counts). */
static double one_draw_tail(const dorm_scorer_t *sc, const dorm_ucell_cell_t *cs, double s,
                            int lower)
{
    const double *d = sc->dtop + cs->dofs;
    int64_t lo = 0, hi = cs->n_levels;
    while (lo < hi) { /* first level past those counted by the upper tail */
        int64_t mid = (lo + hi) / 2;
        if (lower ? d[mid] > s : d[mid] >= s)
            lo = mid + 1;
        else
            hi = mid;
    }
    double above = lo ? (double)sc->dcum[cs->dofs + lo - 1] : 0;
    return lower ? ((double)cs->m - above) / (double)cs->m : above / (double)cs->m;
}

/* 1 / sd of S_j (finite-population), or 0 when S_j cannot vary. */
static inline double inv_sd_of(const dorm_ucell_cell_t *cs, int64_t j)
{
    double var = cs->m > 1 ? (double)j * cs->var_d * (double)(cs->m - j) / (double)(cs->m - 1) : 0;
    return var > 0 ? 1 / sqrt(var) : 0;
}

/* inv_sd_of(cs, k), from a table filled in for the current cell as far as
 * asked, eight more at a time (dorm_ucell_chunk resets it); two at a time
 * with SSE2, the same operations, so the same doubles. */
static inline double inv_sd(dorm_scorer_t *sc, const dorm_ucell_cell_t *cs, int64_t k)
{
    if (k > sc->sd_filled) {
        int64_t from = sc->sd_filled + 1, to = k + 8 < sc->sd_cap ? k + 8 : sc->sd_cap;
        int64_t j = from;
#if defined(__SSE2__)
        if (cs->m > 1) {
            const __m128d var_d = _mm_set1_pd(cs->var_d), m = _mm_set1_pd((double)cs->m);
            const __m128d m1 = _mm_set1_pd((double)(cs->m - 1)), zero = _mm_setzero_pd();
            for (; j + 1 <= to; j += 2) {
                __m128d jj = _mm_set_pd((double)(j + 1), (double)j);
                __m128d var = _mm_div_pd(_mm_mul_pd(_mm_mul_pd(jj, var_d), _mm_sub_pd(m, jj)), m1);
                __m128d inv = _mm_div_pd(_mm_set1_pd(1.0), _mm_sqrt_pd(var));
                _mm_storeu_pd(sc->inv_sd + j, _mm_and_pd(inv, _mm_cmpgt_pd(var, zero)));
            }
        }
#endif
        for (; j <= to; j++)
            sc->inv_sd[j] = inv_sd_of(cs, j);
        sc->sd_filled = to;
    }
    return sc->inv_sd[k];
}

/* Relative precision of a part's tail.  A term h_k P(S_k >= s) of the
 * mixture is taken as h_k or 0 when what it would change is below
 * TAIL_EPS times the running total, and a sweep over k stops when the terms
 * left, bounded by their weights, are below it: about 1e-14 of the result
 * in all (an integer power of two, see tail_within). */
#define TAIL_EPS 0x1p-52
/* Tails below this are not followed further (their z, past 37, is all that
 * is reported of them). */
#define TAIL_FLOOR 1e-300

/* log2 of x > 0, rounded down (x normal, or 0 for smaller). */
static inline int floor_log2(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return (int)((b >> 52) & 0x7ff) - 1023;
}

/* Whether a normal tail at z is within slack = TAIL_EPS total / h of 0
 * (z > 0) or of 1 (z < 0), i.e. P(Z > |z|) <= slack, by the Mills bound
 * P(Z > x) <= phi(x) / x, which is below exp(-x^2 / 2) for x >= 0.4: enough
 * that x^2 >= -2 ln slack.  ln slack is bounded below from the binary
 * exponents of total and h (no division). */
static inline int tail_within(double z, double total, double h)
{
    if (!(total > 0) || !(h > 0))
        return 0;
    int e = floor_log2(total) - floor_log2(h) - 53; /* 2^e <= slack */
    double need = e < 0 ? -2.0 * 0.6931471805599453 * (double)e : 0.16;
    return z * z >= (need > 0.16 ? need : 0.16);
}

/* P(S_k >= s) for k draws without replacement from the m excess distances;
 * the normal approximation is continuity-corrected by a quarter rank (ranks
 * lie on a half-integer grid).  A normal tail within TAIL_EPS total / h of
 * 0 or 1 (a term of weight h, the sum so far total) is not computed.
 * *bound is an upper bound of the exact value (the result, or that slack
 * where a tail was taken as 0). */
static double k_draws_tail(dorm_scorer_t *sc, const dorm_ucell_cell_t *cs, int64_t k, double s,
                           int lower, double total, double h, double *bound)
{
    double t;
    if (k == 0) {
        t = (lower ? s >= 0 : s <= 0) ? 1.0 : 0.0;
    } else if (k == 1) {
        t = one_draw_tail(sc, cs, s, lower);
    } else {
        double mean = (double)k * cs->mean_d, isd = inv_sd(sc, cs, k);
        double z = (lower ? mean - s - 0.25 : s - 0.25 - mean) * isd;
        if (isd == 0) {
            t = (lower ? s >= mean : s <= mean) ? 1.0 : 0.0;
        } else if (z <= DORM_SF_ONE) {
            t = 1.0;
        } else if (z >= DORM_SF_ZERO) {
            t = 0.0;
        } else if (tail_within(z, total, h)) {
            *bound = z > 0 ? TAIL_EPS * total / h : 1.0;
            return z > 0 ? 0.0 : 1.0;
        } else {
            t = dorm_norm_sf_mid(z); /* (dorm_ucell_chunk ran dorm_norm_sf_init) */
        }
    }
    *bound = t;
    return t;
}

/* The ratio of hypergeometric weights h(k + dir) / h(k), dir = +-1. */
static inline double weight_ratio(int64_t G, int64_t m, int64_t n, int64_t k, int dir)
{
    if (dir > 0)
        return (double)(m - k) * (double)(n - k) / ((double)(k + 1) * (double)(G - m - n + k + 1));
    return (double)k * (double)(G - m - n + k) / ((double)(m - k + 1) * (double)(n - k + 1));
}

/* Adds to *total the mixture terms h_k P(S_k ...) for k = from, from + dir,
 * ... while k stays in [kmin, kmax], h being the weight of k = from.
 *
 * P(S_k >= s) does not decrease with k (a further draw adds a positive
 * distance; the normal approximation keeps this for k < m) and P(S_k <= s)
 * does not increase; the weights are log-concave, so past k the sweep can
 * add at most h(k + dir) / (1 - ratio) times the largest tail left: 1 where
 * the tails grow along the sweep, else the current term's.  The sweep stops
 * when that is below TAIL_EPS of the total.  Where the tails grow and one is
 * exactly 1 all later ones are: those terms are their weights. */
static void sweep(dorm_scorer_t *sc, const dorm_ucell_cell_t *cs, int64_t n, double s, int lower,
                  int64_t from, int dir, int64_t kmin, int64_t kmax, double h, double *total)
{
    int64_t G = cs->G, m = cs->m;
    int growing = lower ? dir < 0 : dir > 0;
    /* weight_ratio(G, m, n, k, dir) = (a b) / (c d), integer factors that
     * step by one with k (the same doubles, without converting) */
    double a = (double)(dir > 0 ? m - from : from), b = (double)(dir > 0 ? n - from : G - m - n + from);
    double c = (double)(dir > 0 ? from + 1 : m - from + 1), d = (double)(dir > 0 ? G - m - n + from + 1 : n - from + 1);
    double sum = *total; /* (in a register, not through the pointer) */
    for (int64_t k = from; k >= kmin && k <= kmax; k += dir) {
        double tb, t = k_draws_tail(sc, cs, k, s, lower, sum, h, &tb);
        sum += h * t;
        double r = a * b / (c * d);
        a -= 1, b -= 1, c += 1, d += 1;
        h *= r; /* now the weight of k + dir */
        if (r < 1 && h * (growing ? 1.0 : tb) <= (TAIL_EPS * sum + TAIL_FLOOR) * (1 - r))
            break;
        int stop = 0;
        while (!stop && growing && t == 1.0 && k + dir >= kmin && k + dir <= kmax && k + dir >= 2) {
            k += dir; /* its tail is 1 too: the term is its weight */
            sum += h;
            r = a * b / (c * d);
            a -= 1, b -= 1, c += 1, d += 1;
            h *= r;
            stop = r < 1 && h <= (TAIL_EPS * sum + TAIL_FLOOR) * (1 - r);
        }
        if (stop)
            break;
    }
    *total = sum;
}

/* P(S >= s) (or P(S <= s) when lower) for a part of n members, s measured
 * above n times the zero block's distance: the mixture summed outwards from
 * the mode of K. */
static double part_tail(dorm_scorer_t *sc, const dorm_ucell_cell_t *cs, int64_t n, double s,
                        int lower)
{
    int64_t G = cs->G, m = cs->m;
    if (n <= 0 || n > G)
        return NAN;
    int64_t kmin = n - (G - m) > 0 ? n - (G - m) : 0, kmax = n < m ? n : m;
    int64_t mode = (int64_t)floor((double)(n + 1) * (double)(m + 1) / (double)(G + 2));
    if (mode < kmin)
        mode = kmin;
    if (mode > kmax)
        mode = kmax;
    double h0 = exp(dorm_hyper_logpmf_lf(mode, G, m, n, sc->lfact)), total = 0;
    sweep(sc, cs, n, s, lower, mode, +1, kmin, kmax, h0, &total);
    if (mode > kmin)
        sweep(sc, cs, n, s, lower, mode - 1, -1, kmin, kmax,
              h0 * weight_ratio(G, m, n, mode, -1), &total);
    return total < 0 ? 0 : total > 1 ? 1 : total;
}

/* The ucell method's state: log factorials for the null and per-part
 * scratch (the means are not needed). */
int dorm_ucell_init(dorm_scorer_t *sc, const dorm_score_set_t *sets, const dorm_gene_means_t *means,
                    dorm_err_t *err)
{
    (void)sets;
    (void)means;
    int max_n = 0;
    for (int q = 0; q < sc->n_parts; q++)
        if (sc->found[q] + sc->missing[q] > max_n)
            max_n = sc->found[q] + sc->missing[q];
    sc->lfact = dorm_log_factorials(sc->n_genes + sc->n_extra);
    sc->inv_sd = malloc((size_t)(max_n + 1) * sizeof *sc->inv_sd);
    sc->sd_cap = max_n;
    sc->twice = malloc((size_t)(sc->n_parts ? sc->n_parts : 1) * sizeof *sc->twice);
    if (!sc->lfact || !sc->inv_sd || !sc->twice)
        return dorm_err_nomem(err);
    return 0;
}

int dorm_ucell_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z,
                     double *p)
{
    int64_t nc = ch->n_cells, G = sc->n_genes + sc->n_extra;
    int np = sc->n_parts, S = sc->n_sets;
    int M = sc->opts.max_rank < G ? sc->opts.max_rank : (int)G;
    dorm_norm_sf_init();
    rank_cells(sc, ch, M, G);
    for (int64_t c = 0; c < nc; c++) {
        const dorm_ucell_cell_t *cs = &sc->cell[c];
        sc->sd_filled = 1;
        const double *sum = sc->prod + (size_t)c * (size_t)np;
        for (int s = 0; s < S; s++) {
            double auc[2], zp[2];
            int has[2];
            for (int side = 0; side < 2; side++) {
                int part = side ? S + s : s;
                int n = sc->found[part] + sc->missing[part];
                double rank_sum = sum[part] + sc->missing[part] * cs->zero_capped;
                auc[side] = part_auc(rank_sum, n, M);
                has[side] = n > 0;
                /* up members: enrichment P(S >= s); down members: depletion P(S <= s) */
                double excess = (double)n * (M - cs->base) - rank_sum;
                zp[side] = n > 0 ? dorm_norm_isf(part_tail(sc, cs, n, excess, side)) : NAN;
            }
            size_t at = (size_t)c * (size_t)S + (size_t)s;
            double u = auc[0] - auc[1];
            score[at] = u > 0 ? u : 0;
            z[at] = dorm_signed_z(zp[0], has[0], -zp[1], has[1]);
            p[at] = dorm_norm_sf(z[at]);
        }
    }
    return 0;
}
