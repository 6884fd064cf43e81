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
 * Most normal tails in that mixture are saturated; those are skipped where
 * the result is provably the same double (see k_draws_tail). */
#include <math.h>
#include <string.h>

#include "core/stats.h"
#include "score_internal.h"

static double part_auc(double rank_sum, double n_sig, int n, int max_rank)
{
    if (n == 0 || n_sig == 0)
        return 0;
    double lfac = (double)n * (n + 1) / 2.0;
    return 1.0 - (rank_sum - lfac) / ((double)n * max_rank - lfac);
}

/* Per cell: ranks, each part's rank sum and count of ranks <= M (in sc->prod
 * rows c and nc + c), and the null statistics. */
static void rank_cells(dorm_scorer_t *sc, const dorm_chunk_t *ch, int M, int64_t G)
{
    int64_t nc = ch->n_cells;
    int np = sc->n_parts;
    for (int64_t c = 0; c < nc; c++) {
        int64_t a = ch->col_ptr[c], n = ch->col_ptr[c + 1] - a;
        double *rank = sc->x;
        int64_t n_levels = dorm_rank_levels_desc(ch->value + a, n, rank, sc->level_rank,
                                                 sc->level_n, sc->keyed, sc->count);
        double zero_rank = (double)n + (double)(G - n + 1) / 2.0;
        double zero_capped = zero_rank > M ? M : zero_rank, zero_sig = zero_rank <= M;
        double *sum = sc->prod + (size_t)c * (size_t)np, *sig = sc->prod + (size_t)(nc + c) * (size_t)np;
        for (int q = 0; q < np; q++) {
            sum[q] = sc->found[q] * zero_capped;
            sig[q] = sc->found[q] * zero_sig;
        }
        for (int64_t i = 0; i < n; i++) {
            int32_t g = ch->gene[a + i];
            if (!dorm_scorer_in_union(sc, g))
                continue;
            int32_t u = sc->union_of[g];
            double dr = (rank[i] > M ? M : rank[i]) - zero_capped;
            double ds = (double)(rank[i] <= M) - zero_sig;
            for (int k = sc->part_ptr[u]; k < sc->part_ptr[u + 1]; k++) {
                sum[sc->part_of[k]] += dr;
                sig[sc->part_of[k]] += ds;
            }
        }
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
        cs->zero_sig = zero_rank <= M;
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

/* 1 / sd of S_k (finite-population), or 0 when S_k cannot vary; filled in
 * for the current cell as far as asked (dorm_ucell_chunk resets it). */
static double inv_sd(dorm_scorer_t *sc, const dorm_ucell_cell_t *cs, int64_t k)
{
    while (sc->sd_filled < k) {
        int64_t j = ++sc->sd_filled;
        double var = cs->m > 1 ? (double)j * cs->var_d * (double)(cs->m - j) / (double)(cs->m - 1) : 0;
        sc->inv_sd[j] = var > 0 ? 1 / sqrt(var) : 0;
    }
    return sc->inv_sd[k];
}

/* P(S_k >= s) for k draws without replacement from the m excess distances;
 * the normal approximation is continuity-corrected by a quarter rank (ranks
 * lie on a half-integer grid).
 *
 * The caller adds h times the result to a running total; negligible says
 * that h < total / 2.  The normal tail is then skipped where it cannot change
 * the result: dorm_norm_sf is exactly 1 at z <= DORM_SF_ONE and exactly 0 at
 * z >= DORM_SF_ZERO, and at z > -DORM_SF_ONE it is below 5.3e-17, so h times
 * it is under half an ulp of the total, which the addition would return
 * unchanged (the score unit test checks these bounds). */
static double k_draws_tail(dorm_scorer_t *sc, const dorm_ucell_cell_t *cs, int64_t k, double s,
                           int lower, int negligible)
{
    if (k == 0)
        return (lower ? s >= 0 : s <= 0) ? 1.0 : 0.0;
    if (k == 1)
        return one_draw_tail(sc, cs, s, lower);
    double mean = (double)k * cs->mean_d, isd = inv_sd(sc, cs, k);
    if (isd == 0)
        return (lower ? s >= mean : s <= mean) ? 1.0 : 0.0;
    double z = (lower ? mean - s - 0.25 : s - 0.25 - mean) * isd;
    if (z <= DORM_SF_ONE)
        return 1.0;
    if (z >= DORM_SF_ZERO || (negligible && z > -DORM_SF_ONE))
        return 0.0;
    return dorm_norm_sf(z);
}

/* P(S >= s) (or P(S <= s) when lower) for a part of n members, s measured
 * above n times the zero block's distance. */
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
    double h0 = exp(dorm_hyper_logpmf_lf(mode, G, m, n, sc->lfact)), total = 0, h = h0;
    for (int64_t k = mode; k <= kmax; k++) { /* upwards from the mode */
        total += h * k_draws_tail(sc, cs, k, s, lower, h < 0.5 * total);
        h *= (double)(m - k) * (double)(n - k) / ((double)(k + 1) * (double)(G - m - n + k + 1));
        if (h < 1e-17 * h0)
            break;
    }
    h = h0;
    for (int64_t k = mode; k > kmin; k--) { /* downwards */
        h *= (double)k * (double)(G - m - n + k) / ((double)(m - k + 1) * (double)(n - k + 1));
        total += h * k_draws_tail(sc, cs, k - 1, s, lower, h < 0.5 * total);
        if (h < 1e-17 * h0)
            break;
    }
    return total < 0 ? 0 : total > 1 ? 1 : total;
}

int dorm_ucell_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z,
                     double *p)
{
    int64_t nc = ch->n_cells, G = sc->n_genes + sc->n_extra;
    int np = sc->n_parts, S = sc->n_sets;
    int M = sc->opts.max_rank < G ? sc->opts.max_rank : (int)G;
    rank_cells(sc, ch, M, G);
    for (int64_t c = 0; c < nc; c++) {
        const dorm_ucell_cell_t *cs = &sc->cell[c];
        sc->sd_filled = 1;
        const double *sum = sc->prod + (size_t)c * (size_t)np;
        const double *sig = sc->prod + (size_t)(nc + c) * (size_t)np;
        for (int s = 0; s < S; s++) {
            double auc[2], zp[2];
            int has[2];
            for (int side = 0; side < 2; side++) {
                int part = side ? S + s : s;
                int n = sc->found[part] + sc->missing[part];
                double rank_sum = sum[part] + sc->missing[part] * cs->zero_capped;
                double n_sig = sig[part] + sc->missing[part] * cs->zero_sig;
                auc[side] = part_auc(rank_sum, n_sig, n, M);
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
