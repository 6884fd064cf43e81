/* Unit tests of ranks, the UCell statistic, module bins and the scorer. */
#include <criterion/criterion.h>
#include <math.h>

#include "core/stats.h"
#include "dormscan/score.h"
#include "score/score_internal.h"

/* ucell.c skips normal tails that cannot change its sums; that rests on
 * these bounds. */
Test(stats, normal_tail_saturation_bounds)
{
    for (double z = DORM_SF_ONE; z > -60; z -= 1.0 / 1024)
        cr_assert_eq(dorm_norm_sf(z), 1.0, "sf(%g)", z);
    for (double z = DORM_SF_ZERO; z < 60; z += 1.0 / 1024)
        cr_assert_eq(dorm_norm_sf(z), 0.0, "sf(%g)", z);
    cr_assert_lt(dorm_norm_sf(-DORM_SF_ONE), 5.3e-17);
    cr_assert_gt(dorm_norm_sf(DORM_SF_ONE + 0.01), 0.0);
    cr_assert_lt(dorm_norm_sf(DORM_SF_ZERO - 0.1), 1.0); /* bounds are not vacuous */
    cr_assert_gt(dorm_norm_sf(DORM_SF_ZERO - 0.1), 0.0);
}

/* The tabulated tail against long double erfcl, on a fine grid that falls
 * between the table's points: within 1e-15 relatively where P(Z > z) is
 * a normal double (glibc's own 0.5 erfc(z / sqrt 2) is off by up to 2e-13
 * there, from rounding z / sqrt 2), absolutely below zero. */
Test(stats, normal_tail_accuracy)
{
    for (double z = 0; z < DORM_Z_MAX; z += 1.0 / 1000) {
        long double ref = 0.5L * erfcl((long double)z / sqrtl(2.0L));
        double got = dorm_norm_sf(z), neg = dorm_norm_sf(-z);
        cr_assert_lt(fabsl((got - ref) / ref), 1e-15L, "sf(%.17g) = %.17g, not %.17Lg", z, got, ref);
        cr_assert_lt(fabsl(neg - (1 - ref)), 1e-15L, "sf(-%.17g) = %.17g", z, neg);
    }
    cr_assert(isnan(dorm_norm_sf(NAN)));
    cr_assert_eq(dorm_norm_sf(0), 0.5);
}

Test(stats, hypergeometric_from_table_is_the_same_double)
{
    int64_t N = 40000;
    double *lf = dorm_log_factorials(N);
    cr_assert_not_null(lf);
    int64_t Ks[] = {0, 1, 7, 1300, 20000, 39999, 40000}, ns[] = {1, 5, 100, 525, 4000};
    for (size_t a = 0; a < sizeof Ks / sizeof *Ks; a++)
        for (size_t b = 0; b < sizeof ns / sizeof *ns; b++)
            for (int64_t k = -1; k <= 60; k++)
                cr_assert_eq(dorm_hyper_logpmf_lf(k, N, Ks[a], ns[b], lf),
                             dorm_hyper_logpmf(k, N, Ks[a], ns[b]), "k %lld K %lld n %lld",
                             (long long)k, (long long)Ks[a], (long long)ns[b]);
    free(lf);
}

Test(rank, average_ties_descending)
{
    double v[] = {3, 1, 3, 2, 1, 5};
    double r[6];
    dorm_err_t err;
    cr_assert_eq(dorm_rank_average_desc(v, 6, r, &err), 0);
    double want[] = {2.5, 5.5, 2.5, 4, 5.5, 1};
    for (int i = 0; i < 6; i++)
        cr_assert_float_eq(r[i], want[i], 1e-12);
}

Test(rank, counting_sort_matches_qsort)
{
    /* Integer counts take the histogram (given as doubles, or also as
     * integers); the same values with a fraction added are sorted; ranks
     * and levels must agree. */
    double v[40], w[40], r1[40], r2[40], r3[40], lr1[40], lr2[40], lr3[40];
    int32_t ln1[40], ln2[40], ln3[40];
    uint32_t ints[40];
    dorm_keyed_t k[40];
    int64_t count[4 * 40 + 65];
    for (int i = 0; i < 40; i++) {
        v[i] = (double)((i * 7919) % 13);
        ints[i] = (uint32_t)v[i];
        w[i] = v[i] + 0.5;
    }
    int64_t L1 = dorm_rank_levels_desc(v, NULL, 40, r1, lr1, ln1, k, count, NULL);
    int64_t L2 = dorm_rank_levels_desc(w, NULL, 40, r2, lr2, ln2, k, count, NULL);
    cr_assert_eq(dorm_rank_levels_desc(v, ints, 40, r3, lr3, ln3, k, count, NULL), 13);
    for (int i = 0; i < 40; i++) {
        cr_assert_eq(r3[i], r1[i], "integer rank %d", i);
        if (i < 13)
            cr_assert(lr3[i] == lr1[i] && ln3[i] == ln1[i], "integer level %d", i);
    }
    int by_level = 0;
    cr_assert_eq(dorm_rank_levels_desc(v, ints, 40, NULL, lr3, ln3, k, count, &by_level), 13);
    cr_assert(by_level, "counts take the histogram and leave ranks to the levels");
    for (int i = 0; i < 40; i++)
        cr_assert_eq(lr3[count[ints[i]]], r1[i], "rank %d by its level", i);
    cr_assert_eq(L1, 13);
    cr_assert_eq(L2, 13);
    int64_t seen = 0;
    for (int64_t l = 0; l < L1; l++) {
        cr_assert_eq(lr1[l], lr2[l], "level %lld", (long long)l);
        cr_assert_eq(ln1[l], ln2[l], "level %lld", (long long)l);
        cr_assert_eq(lr1[l], (double)(2 * seen + ln1[l] + 1) / 2, "level %lld", (long long)l);
        if (l)
            cr_assert_gt(lr1[l], lr1[l - 1]); /* largest value first */
        seen += ln1[l];
    }
    cr_assert_eq(seen, 40);
    for (int i = 0; i < 40; i++)
        cr_assert_eq(r1[i], r2[i], "rank %d", i);
    /* a value above 4n + 63 takes the sort */
    v[3] = 1000;
    ints[3] = 1000;
    cr_assert_eq(dorm_rank_levels_desc(v, NULL, 40, r1, lr1, ln1, k, count, NULL), 14);
    cr_assert_eq(r1[3], 1.0);
    cr_assert_eq(dorm_rank_levels_desc(v, ints, 40, r3, lr3, ln3, k, count, NULL), 14);
    for (int i = 0; i < 40; i++)
        cr_assert_eq(r3[i], r1[i], "integer rank %d after a large count", i);
}

Test(ucell, statistic_by_hand)
{
    /* n = 3, maxRank 10: ranks 1, 4, 20 -> capped 1, 4, 10; lfac 6;
     * U = 1 - (15 - 6) / (30 - 6) = 0.625 */
    double r[] = {1, 4, 20};
    cr_assert_float_eq(dorm_ucell_from_ranks(r, 3, 10), 0.625, 1e-12);
    double out[] = {11, 12};
    cr_assert_float_eq(dorm_ucell_from_ranks(out, 2, 10), 0.0, 1e-12);
    double top[] = {1, 2};
    cr_assert_float_eq(dorm_ucell_from_ranks(top, 2, 10), 1.0, 1e-12);
}

Test(module, bins_follow_r_quantile_cut)
{
    /* 10 genes, 2 bins: breaks at quantile 0, 0.5, 1 = 0, 5.5 (type 7), 10.
     * Genes with means 1..5 go to bin 0, 6..10 to bin 1; ties at 0 split by position. */
    double mean[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    int32_t bin[10];
    dorm_err_t err;
    cr_assert_eq(dorm_module_bins(mean, 10, 2, bin, &err), 0);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(bin[i], i < 5 ? 1 : 0, "gene %d", i);
    double tied[] = {2, 2, 2, 2, 1, 0, 0, 0};
    int32_t tb[8];
    /* 3 bins: index = 1 + 7 * (k/3) -> 3.33, 5.67: q1 = 0 + .33*(1-0) ~ 0.33 (positions 1..3 are
     * the zeros), q2 = 1 + .67 * (2 - 1) = 1.67.  Value 1 -> bin 1, value 2 -> bin 2,
     * zeros (positions 1..3 < ceil(3.33) = 4) -> bin 0. */
    cr_assert_eq(dorm_module_bins(tied, 8, 3, tb, &err), 0);
    int32_t want[] = {2, 2, 2, 2, 1, 0, 0, 0};
    for (int i = 0; i < 8; i++)
        cr_assert_eq(tb[i], want[i], "gene %d", i);
}

Test(module, expected_distinct_controls)
{
    cr_assert_float_eq(dorm_module_bin_weight(200, 1, 100), 100.0, 1e-9);
    cr_assert_float_eq(dorm_module_bin_weight(200, 2, 100), 150.0, 1e-9);
    cr_assert_float_eq(dorm_module_bin_weight(50, 3, 100), 50.0, 1e-9);
    cr_assert_float_eq(dorm_module_bin_weight(200, 0, 100), 0.0, 1e-9);
}

/* One cell with values for 6 genes; a set {g0, g5} and a signed set {g0+, g1-}. */
static const int64_t col_ptr[] = {0, 4};
static const int32_t gene[] = {0, 1, 2, 4};
static const double value[] = {5, 1, 3, 3};
static char bc0[] = "c1";
static char *const barcodes[] = {bc0};

Test(scorer, ucell_chunk_by_hand)
{
    dorm_chunk_t ch = {0, 1, col_ptr, gene, value, barcodes, NULL};
    int32_t g_a[] = {0, 5}, g_b[] = {0, 1};
    int8_t s_a[] = {1, 1}, s_b[] = {1, -1};
    dorm_match_t ma = {.n_total = 2, .n_found = 2, .gene = g_a, .sign = s_a};
    dorm_match_t mb = {.n_total = 2, .n_found = 2, .gene = g_b, .sign = s_b};
    dorm_score_set_t sets[] = {{&ma, 0}, {&mb, 0}};
    dorm_score_opts_t o;
    dorm_score_opts_default(&o);
    o.max_rank = 4;
    dorm_scorer_t *sc;
    dorm_err_t err;
    cr_assert_eq(dorm_scorer_init(&sc, &o, 6, 0, sets, 2, NULL, &err), 0, "%s", err.msg);
    double score[2], z[2], pv[2];
    cr_assert_eq(dorm_scorer_score_chunk(sc, &ch, score, z, pv, &err), 0);
    /* ranks: g0 = 1, g2 = g4 = 2.5, g1 = 4, zeros g3, g5 = 5.5 -> capped at 4.
     * set A: ranks 1, 4; lfac 3; U = 1 - (5 - 3) / (8 - 3) = 0.6 */
    cr_assert_float_eq(score[0], 0.6, 1e-12);
    /* set B: up {g0}: U = 1 - (1 - 1)/(4 - 1) = 1; down {g1}: rank 4 -> U = 1 - 3/3 = 0 */
    cr_assert_float_eq(score[1], 1.0, 1e-12);
    cr_assert(z[0] > 0 && z[1] > 0);
    dorm_scorer_destroy(sc);
}

Test(scorer, module_chunk_by_hand)
{
    dorm_chunk_t ch = {0, 1, col_ptr, gene, value, barcodes, NULL};
    int32_t g_a[] = {0};
    int8_t s_a[] = {1};
    dorm_match_t ma = {.n_total = 1, .n_found = 1, .gene = g_a, .sign = s_a};
    dorm_score_set_t sets[] = {{&ma, 2}};
    dorm_score_opts_t o;
    dorm_score_opts_default(&o);
    o.method = DORM_METHOD_MODULE;
    o.n_bins = 2;
    o.normalized = 1;
    /* Gene means 5,1,3,0,3,0: bins (2): sorted 0,0,1,3,3,5; break 2 at index 3.5 -> q = 2;
     * g0 (5) is in bin 1 with g2, g4 (3, 3); ctrl 2 of 3 genes: w = 3(1 - (1/3)) = 2,
     * all three genes weighted equally: control = (5 + 3 + 3) / 3. */
    double sum[] = {5, 1, 3, 0, 3, 0};
    dorm_gene_means_t means = {6, 1, sum};
    dorm_scorer_t *sc;
    dorm_err_t err;
    cr_assert_eq(dorm_scorer_init(&sc, &o, 6, 0, sets, 1, &means, &err), 0, "%s", err.msg);
    double score[1], z[1], pv[1];
    cr_assert_eq(dorm_scorer_score_chunk(sc, &ch, score, z, pv, &err), 0);
    cr_assert_float_eq(score[0], 5.0 - 11.0 / 3.0, 1e-12);
    dorm_scorer_destroy(sc);
}

Test(module, lognormalize)
{
    dorm_score_opts_t o;
    dorm_score_opts_default(&o);
    double v[] = {1, 3};
    dorm_normalize_cell(&o, v, v, 2);
    cr_assert_float_eq(v[0], log1p(2500.0), 1e-9);
    cr_assert_float_eq(v[1], log1p(7500.0), 1e-9);
    /* into another array: small counts, a large one, a fraction */
    double w[] = {1, 100, 2.5, 1, 895.5}, out[5];
    dorm_normalize_cell(&o, w, out, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(out[i], log1p(w[i] * (1e4 / 1000.0)), "%d", i);
    o.normalized = 1;
    dorm_normalize_cell(&o, w, out, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(out[i], w[i]);
}

/* A chunk's counts (dorm_chunk_t.count) are a shortcut, not another result:
 * ucell and module scores, z and p, and the gene means are the same doubles
 * with and without them, on 40 cells of random counts (small ones, and some
 * of 64 and more, which take the general path). */
Test(scorer, counts_give_the_same_doubles)
{
    enum { CELLS = 40, GENES = 300, SETS = 3 };
    static int64_t cp[CELLS + 1];
    static int32_t gn[CELLS * GENES];
    static double val[CELLS * GENES];
    static uint32_t cnt[CELLS * GENES];
    unsigned long long seed = 7;
    int64_t at = 0;
    for (int c = 0; c < CELLS; c++) {
        cp[c] = at;
        for (int g = 0; g < GENES; g++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned r = (unsigned)(seed >> 33);
            if (r % 3)
                continue; /* about a third of the genes expressed */
            uint32_t v = 1 + (r >> 4) % (r % 7 ? 6 : 200);
            gn[at] = g;
            val[at] = v;
            cnt[at++] = v;
        }
    }
    cp[CELLS] = at;
    cr_assert_eq(dorm_values_as_counts(val, at, cnt), 1);
    dorm_chunk_t plain = {0, CELLS, cp, gn, val, NULL, NULL}, counted = plain;
    counted.count = cnt;
    int32_t members[SETS][20];
    int8_t signs[SETS][20];
    dorm_match_t match[SETS];
    dorm_score_set_t sets[SETS];
    for (int s = 0; s < SETS; s++) {
        for (int i = 0; i < 20; i++) {
            members[s][i] = (int32_t)(s * 67 + i * 13) % GENES;
            signs[s][i] = s == 2 && i % 2 ? -1 : 1;
        }
        match[s] = (dorm_match_t){.n_total = 20, .n_found = 20, .gene = members[s], .sign = signs[s]};
        sets[s] = (dorm_score_set_t){&match[s], 0};
    }
    dorm_err_t err;
    dorm_score_opts_t o;
    dorm_score_opts_default(&o);
    dorm_gene_means_t m1, m2;
    cr_assert_eq(dorm_gene_means_init(&m1, GENES, &err), 0);
    cr_assert_eq(dorm_gene_means_init(&m2, GENES, &err), 0);
    cr_assert_eq(dorm_gene_means_add(&m1, &o, &plain, &err), 0);
    cr_assert_eq(dorm_gene_means_add(&m2, &o, &counted, &err), 0);
    for (int g = 0; g < GENES; g++)
        cr_assert_eq(m1.sum[g], m2.sum[g], "gene mean %d", g);
    for (int method = 0; method < 2; method++) {
        o.method = method ? DORM_METHOD_MODULE : DORM_METHOD_UCELL;
        o.max_rank = 50;
        double r[2][3][CELLS * SETS];
        for (int k = 0; k < 2; k++) {
            dorm_scorer_t *sc;
            cr_assert_eq(dorm_scorer_init(&sc, &o, GENES, 0, sets, SETS, &m1, &err), 0, "%s", err.msg);
            cr_assert_eq(dorm_scorer_score_chunk(sc, k ? &counted : &plain, r[k][0], r[k][1], r[k][2], &err), 0);
            dorm_scorer_destroy(sc);
        }
        for (int i = 0; i < CELLS * SETS; i++)
            for (int q = 0; q < 3; q++)
                cr_assert(r[0][q][i] == r[1][q][i] || (isnan(r[0][q][i]) && isnan(r[1][q][i])),
                          "method %d, cell/set %d, output %d: %.17g vs %.17g", method, i, q,
                          r[0][q][i], r[1][q][i]);
    }
    dorm_gene_means_destroy(&m1);
    dorm_gene_means_destroy(&m2);
}
