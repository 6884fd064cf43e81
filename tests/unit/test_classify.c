/* Unit tests of the phase rule, QC and the provisional state call. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/stats.h"
#include "store/spill.h"
#include "dormscan/classify.h"

/* Phase of scores for the S (G1/S), G2/M and histone (S) programmes. */
static dorm_phase_t phase3(double s, double g2m, double hist)
{
    double u[DORM_N_COMPONENTS];
    for (int k = 0; k < DORM_N_COMPONENTS; k++)
        u[k] = 7.0; /* components that mark no phase are ignored */
    int n;
    const dorm_component_t *c = dorm_components(&n);
    for (int k = 0; k < n; k++)
        if (strcmp(c[k].name, "cc_s") == 0)
            u[k] = s;
        else if (strcmp(c[k].name, "cc_g2m") == 0)
            u[k] = g2m;
        else if (strcmp(c[k].name, "cc_histone") == 0)
            u[k] = hist;
    return dorm_phase_relative(u);
}

Test(phase, relative_rule)
{
    cr_assert_eq(phase3(-0.1, -0.2, -1), DORM_PHASE_G1);
    cr_assert_eq(phase3(0.0, 0.0, 0.0), DORM_PHASE_G1);
    cr_assert_eq(phase3(0.5, -0.2, NAN), DORM_PHASE_G1);   /* G1/S alone: late G1 */
    cr_assert_eq(phase3(0.5, 0.2, NAN), DORM_PHASE_S);     /* G1/S, G2/M rising: S */
    cr_assert_eq(phase3(-0.1, 0.2, -3), DORM_PHASE_G2M);
    cr_assert_eq(phase3(2.0, 3.5, 1.0), DORM_PHASE_G2M);
    cr_assert_eq(phase3(-2.0, 1.5, 2.5), DORM_PHASE_S);    /* histones: S */
    cr_assert_eq(phase3(NAN, 3.5, NAN), DORM_PHASE_G2M);
    cr_assert_eq(phase3(NAN, -1.0, NAN), DORM_PHASE_G1);
    cr_assert_eq(phase3(NAN, NAN, NAN), DORM_N_PHASES);
    cr_assert_eq(phase3(0.3, 0.3, 0.1), DORM_PHASE_UNDECIDED);
    cr_assert_eq(phase3(0.1, 0.3, 0.3), DORM_PHASE_UNDECIDED);
    cr_assert_str_eq(dorm_phase_name(DORM_PHASE_G2M), "G2M");
    cr_assert_str_eq(dorm_phase_name(DORM_N_PHASES), "NA");
}

/* Component z in the order of dorm_components(). */
static void components_z(double *z, int n, double value)
{
    for (int i = 0; i < n; i++)
        z[i] = value;
}

Test(evidence, stouffer_and_sidak)
{
    int n;
    const dorm_component_t *c = dorm_components(&n);
    cr_assert_str_eq(c[0].name, "cc_s");
    cr_assert_str_eq(c[1].name, "cc_g2m");
    double z[64], ev_z[DORM_N_EVIDENCE], ev_p[DORM_N_EVIDENCE];
    components_z(z, n, NAN);
    dorm_evidence(z, ev_z, ev_p);
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        cr_assert(isnan(ev_z[e]) && isnan(ev_p[e]));
    /* cycling: min p of S (z = 3) and G2M (z = 0), Sidak over two */
    z[0] = 3;
    z[1] = 0;
    dorm_evidence(z, ev_z, ev_p);
    double p3 = 0.0013498980316301;
    cr_assert_float_eq(ev_p[DORM_EV_CYCLING], 1 - (1 - p3) * (1 - p3), 1e-9);
    /* senescent: every senescence component at +2 in its own direction */
    int k = 0;
    for (int i = 0; i < n; i++)
        if (c[i].evidence == DORM_EV_SENESCENT) {
            z[i] = 2.0 * c[i].sign;
            k++;
        }
    dorm_evidence(z, ev_z, ev_p);
    cr_assert_float_eq(ev_z[DORM_EV_SENESCENT], 2.0 * k / sqrt(k), 1e-12);
    cr_assert(isnan(ev_z[DORM_EV_QUIESCENT]));
}

Test(call, decision_order)
{
    double z[DORM_N_EVIDENCE] = {1, 3, 2, 4, 5}, fdr[DORM_N_EVIDENCE] = {0.5, 0.01, 0.01, 0.01, 0.01};
    dorm_call_t call;
    dorm_call(1, z, fdr, 0.05, &call);
    cr_assert_eq(call.state, DORM_STATE_LOW_QUALITY);
    cr_assert(isnan(call.confidence));
    dorm_call(0, z, fdr, 0.05, &call);
    cr_assert_eq(call.state, DORM_STATE_SENESCENT, "largest significant dormancy evidence");
    cr_assert(call.sasp);
    cr_assert_float_eq(call.confidence, 0.7602499389, 1e-6); /* Phi((4 - 3) / sqrt 2) */
    fdr[DORM_EV_CYCLING] = 0.01;
    dorm_call(0, z, fdr, 0.05, &call);
    cr_assert_eq(call.state, DORM_STATE_CYCLING, "significant cycling comes first");
    cr_assert(!call.sasp);
    double none[DORM_N_EVIDENCE] = {0.2, 0.2, 0.2, 0.2, 0.2};
    dorm_call(0, z, none, 0.05, &call);
    cr_assert_eq(call.state, DORM_STATE_NON_CYCLING);
    cr_assert_str_eq(dorm_state_name(DORM_STATE_DIAPAUSE_LIKE), "diapause_like");
}

Test(qc, metrics_and_state)
{
    char *ids[] = {"MT-CO1", "RPL13A", "ACTB", "mt-Nd1"};
    dorm_features_t f = {.n = 4, .ids = ids, .names = ids};
    uint8_t *flags;
    int64_t n_mito, n_ribo;
    dorm_err_t err;
    cr_assert_eq(dorm_qc_flags(&f, &flags, &n_mito, &n_ribo, &err), 0, "%s", err.msg);
    cr_assert_eq(n_mito, 2); /* case-insensitive: mt-Nd1 matches MT-ND1 */
    cr_assert_eq(n_ribo, 1);
    int32_t gene[] = {0, 1, 2};
    double value[] = {10, 30, 60};
    dorm_qc_t qc;
    dorm_qc_cell(gene, value, NULL, 3, flags, 1, 1, &qc);
    cr_assert_float_eq(qc.n_umi, 100, 1e-12);
    cr_assert_eq(qc.n_genes, 3);
    cr_assert_float_eq(qc.pct_mito, 10, 1e-12);
    cr_assert_float_eq(qc.pct_ribo, 30, 1e-12);
    uint32_t count[] = {10, 30, 60};
    dorm_qc_t qc_count;
    dorm_qc_cell(gene, value, count, 3, flags, 1, 1, &qc_count);
    cr_assert(qc_count.n_umi == qc.n_umi && qc_count.n_genes == qc.n_genes &&
              qc_count.pct_mito == qc.pct_mito && qc_count.pct_ribo == qc.pct_ribo,
              "the same QC from counts");
    dorm_qc_limits_t lim;
    dorm_qc_limits_default(&lim);
    cr_assert(dorm_qc_is_low(&qc, &lim), "3 genes < 200");
    lim.min_genes = 0;
    cr_assert(!dorm_qc_is_low(&qc, &lim));
    lim.min_umis = 101;
    cr_assert(dorm_qc_is_low(&qc, &lim));
    lim.min_umis = 0;
    lim.max_mito = 5;
    cr_assert(dorm_qc_is_low(&qc, &lim), "10%% mito > 5%%");
    dorm_qc_cell(gene, value, NULL, 3, flags, 0, 1, &qc);
    cr_assert(isnan(qc.pct_mito));
    free(flags);
}

/* BH in place equals the textbook definition (sorted ranks, running minimum
 * from the top), with NaN left out, ties, sorted input and large n. */
Test(classify, bh_adjust_matches_definition)
{
    enum { N = 20000 };
    static double p[N], q[N], sorted[N], adj[N];
    static int32_t idx[N];
    uint64_t s = 12345;
    for (int trial = 0; trial < 4; trial++) {
        int n = trial == 0 ? 1 : trial == 1 ? 17 : N;
        int64_t m = 0;
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            double u = (double)(s >> 11) * 0x1.0p-53;
            if (trial == 3) /* sorted, with ties: the quicksort's easy worst case */
                p[i] = (double)(i / 3) / n;
            else /* NaN, ties and spread values */
                p[i] = (s >> 7) % 13 == 0 ? NAN : (s >> 9) % 5 == 0 ? 0.25 : u * u;
            q[i] = p[i];
            if (!isnan(p[i]))
                sorted[m++] = p[i];
        }
        for (int64_t i = 1; i < m; i++) /* reference order: a plain insertion sort */
            for (int64_t j = i; j > 0 && sorted[j] < sorted[j - 1]; j--) {
                double t = sorted[j];
                sorted[j] = sorted[j - 1];
                sorted[j - 1] = t;
            }
        double running = 1.0;
        for (int64_t r = m - 1; r >= 0; r--) {
            double a = sorted[r] * (double)m / (double)(r + 1);
            adj[r] = running = a < running ? a : running;
        }
        cr_assert_eq(dorm_bh_adjust(q, n, idx), 0);
        for (int i = 0; i < n; i++) {
            if (isnan(p[i])) {
                cr_assert(isnan(q[i]));
                continue;
            }
            int64_t lo = 0, hi = m; /* first rank of p[i] */
            while (lo < hi) {
                int64_t mid = (lo + hi) / 2;
                if (sorted[mid] < p[i])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            cr_assert_eq(q[i], adj[lo], "n %d value %d: %.17g vs %.17g", n, i, q[i], adj[lo]);
        }
    }
    cr_assert_eq(dorm_bh_adjust(q, -1, idx), -1);
}

/* dorm_spill_fdr gives the same adjusted values in one pass or one column per
 * pass (through the extracted p-value file), on one thread or three. */
Test(classify, spill_fdr_passes_agree)
{
    char dir[] = "/tmp/dormscan-spill-XXXXXX";
    cr_assert(mkdtemp(dir));
    enum { N = 3000, LEN = 5 };
    int cols[3] = {1, 2, 4};
    double *fdr[3];
    for (int run = 0; run < 3; run++) {
        spill_t sp;
        dorm_err_t err;
        cr_assert_eq(dorm_spill_open(&sp, dir, run ? "small" : "big", LEN, &err), 0, "%s", err.msg);
        if (run == 1)
            sp.fdr_memory = N * 12 + 64; /* one column per pass */
        uint64_t s = 99;
        for (int i = 0; i < N; i++) {
            double r[LEN];
            for (int k = 0; k < LEN; k++) {
                s = s * 6364136223846793005u + 1442695040888963407u;
                r[k] = (double)(s >> 11) * 0x1.0p-53;
            }
            r[0] = i % 11 == 0; /* skipped (low quality) */
            char bc[32];
            snprintf(bc, sizeof bc, "C%d", i);
            cr_assert_eq(dorm_spill_append(&sp, r, bc, &err), 0);
        }
        cr_assert_eq(dorm_spill_fdr(&sp, cols, 3, 0, run == 2 ? 3 : 1, &err), 0, "%s", err.msg);
        cr_assert_eq(run == 1, sp.pv != NULL, "the small budget takes the multi-pass path");
        cr_assert_eq(dorm_spill_rewind(&sp, &err), 0);
        fdr[run] = malloc(N * 3 * sizeof(double));
        for (int i = 0; i < N; i++) {
            double r[LEN];
            char *bc;
            cr_assert_eq(dorm_spill_next(&sp, i, r, &bc, fdr[run] + 3 * i, &err), 1);
        }
        dorm_spill_close(&sp);
    }
    for (int i = 0; i < N * 3; i++)
        for (int run = 1; run < 3; run++)
            cr_assert(memcmp(&fdr[0][i], &fdr[run][i], sizeof(double)) == 0, "value %d", i);
    cr_assert(isnan(fdr[0][0]) && !isnan(fdr[0][3]));
    free(fdr[0]);
    free(fdr[1]);
    free(fdr[2]);
    rmdir(dir);
}
