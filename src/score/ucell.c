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
 * The rank sums come from one matrix product: rows [capped ranks; indicator
 * rank <= maxRank] of the chunk's member genes times the membership matrix.
 *
 * z: under the null that a part's n members are a random subset of the
 * universe, the mean capped rank of a part has the finite-population moments
 * of the cell's capped ranks (ties are in those moments).  The set's
 * statistic is mean rank(down) - mean rank(up) (the cell mean stands in for
 * an absent part), standardised; high z = up members ranked high. */
#include <math.h>
#include <string.h>

#include "blas.h"
#include "score_internal.h"

static double part_auc(double rank_sum, double n_sig, int n, int max_rank)
{
    if (n == 0 || n_sig == 0)
        return 0;
    double lfac = (double)n * (n + 1) / 2.0;
    return 1.0 - (rank_sum - lfac) / ((double)n * max_rank - lfac);
}

/* Fill the chunk's rank rows and per-cell statistics. */
static void rank_cells(dorm_scorer_t *sc, const dorm_chunk_t *ch, int M, int64_t G)
{
    int64_t nc = ch->n_cells;
    int nu = sc->n_union;
    double *R = sc->dense, *I = sc->dense + (size_t)nc * (size_t)nu;
    for (int64_t c = 0; c < nc; c++) {
        int64_t a = ch->col_ptr[c], n = ch->col_ptr[c + 1] - a;
        double *rank = sc->x;
        dorm_rank_average_desc_scratch(ch->value + a, n, rank, sc->keyed);
        double zero_rank = (double)n + (double)(G - n + 1) / 2.0;
        double zero_capped = zero_rank > M ? M : zero_rank;
        double *rrow = R + (size_t)c * (size_t)nu, *irow = I + (size_t)c * (size_t)nu;
        for (int u = 0; u < nu; u++) {
            rrow[u] = zero_capped;
            irow[u] = zero_rank <= M;
        }
        double s1 = (double)(G - n) * zero_capped, s2 = s1 * zero_capped;
        for (int64_t i = 0; i < n; i++) {
            double r = rank[i] > M ? M : rank[i];
            s1 += r;
            s2 += r * r;
            int32_t u = sc->union_of[ch->gene[a + i]];
            if (u >= 0) {
                rrow[u] = r;
                irow[u] = rank[i] <= M;
            }
        }
        double mean = s1 / (double)G, *st = sc->cell_stat + 4 * c;
        st[0] = zero_capped;
        st[1] = zero_rank <= M;
        st[2] = mean;
        st[3] = s2 / (double)G - mean * mean;
    }
}

/* z of mean rank(down) - mean rank(up) under random draws of n_up and n_dn
 * members from the G genes of a cell whose capped ranks have mean and var. */
static double rank_z(double sum_up, int n_up, double sum_dn, int n_dn, double mean, double var,
                     int64_t G)
{
    if ((n_up == 0 && n_dn == 0) || var <= 0 || G < 2)
        return NAN;
    double mu_up = n_up ? sum_up / n_up : mean, mu_dn = n_dn ? sum_dn / n_dn : mean;
    double k = 0;
    if (n_up)
        k += (double)(G - n_up) / n_up;
    if (n_dn)
        k += (double)(G - n_dn) / n_dn;
    if (n_up && n_dn)
        k += 2;
    return (mu_dn - mu_up) / sqrt(var * k / (double)(G - 1));
}

int dorm_ucell_chunk(dorm_scorer_t *sc, const dorm_chunk_t *ch, double *score, double *z)
{
    int64_t nc = ch->n_cells, G = sc->n_genes + sc->n_extra;
    int nu = sc->n_union, np = sc->n_parts, S = sc->n_sets;
    int M = sc->opts.max_rank < G ? sc->opts.max_rank : (int)G;
    rank_cells(sc, ch, M, G);
    /* [R; I] (2nc x nu) * memb (nu x np): rank sums, then counts of ranks <= M. */
    dorm_blas_gemm((int)(2 * nc), np, nu, sc->dense, sc->memb, sc->prod);
    for (int64_t c = 0; c < nc; c++) {
        const double *st = sc->cell_stat + 4 * c;
        const double *sum = sc->prod + (size_t)c * (size_t)np;
        const double *sig = sc->prod + (size_t)(nc + c) * (size_t)np;
        for (int s = 0; s < S; s++) {
            int up = s, dn = S + s;
            int n_up = sc->found[up] + sc->missing[up], n_dn = sc->found[dn] + sc->missing[dn];
            double sum_up = sum[up] + sc->missing[up] * st[0];
            double sum_dn = sum[dn] + sc->missing[dn] * st[0];
            double sig_up = sig[up] + sc->missing[up] * st[1];
            double sig_dn = sig[dn] + sc->missing[dn] * st[1];
            double u = part_auc(sum_up, sig_up, n_up, M) - part_auc(sum_dn, sig_dn, n_dn, M);
            score[(size_t)c * (size_t)S + (size_t)s] = u > 0 ? u : 0;
            z[(size_t)c * (size_t)S + (size_t)s] = rank_z(sum_up, n_up, sum_dn, n_dn, st[2], st[3], G);
        }
    }
    return 0;
}
