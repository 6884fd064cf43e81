/* Unit tests of the phase rules, QC and the provisional state call. */
#include <criterion/criterion.h>
#include <math.h>

#include "dormscan/classify.h"

Test(phase, seurat_rule)
{
    cr_assert_eq(dorm_phase_seurat(-0.1, -0.2), DORM_PHASE_G1);
    cr_assert_eq(dorm_phase_seurat(0.1, -0.2), DORM_PHASE_S);
    cr_assert_eq(dorm_phase_seurat(-0.1, 0.0), DORM_PHASE_G2M);
    cr_assert_eq(dorm_phase_seurat(0.3, 0.3), DORM_PHASE_UNDECIDED);
    cr_assert_str_eq(dorm_phase_name(DORM_PHASE_G2M), "G2M");
}

Test(phase, rank_rule)
{
    cr_assert_eq(dorm_phase_rank(1.0, 1.5, 1.645), DORM_PHASE_G1);
    cr_assert_eq(dorm_phase_rank(2.0, 1.5, 1.645), DORM_PHASE_S);
    cr_assert_eq(dorm_phase_rank(2.0, 3.5, 1.645), DORM_PHASE_G2M);
    cr_assert_eq(dorm_phase_rank(NAN, 3.5, 1.645), DORM_PHASE_G2M);
    cr_assert_eq(dorm_phase_rank(NAN, NAN, 1.645), DORM_PHASE_G1);
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
    dorm_qc_cell(gene, value, 3, flags, 1, 1, &qc);
    cr_assert_float_eq(qc.n_umi, 100, 1e-12);
    cr_assert_eq(qc.n_genes, 3);
    cr_assert_float_eq(qc.pct_mito, 10, 1e-12);
    cr_assert_float_eq(qc.pct_ribo, 30, 1e-12);
    dorm_qc_limits_t lim;
    dorm_qc_limits_default(&lim);
    cr_assert_eq(dorm_state_call(&qc, &lim, DORM_PHASE_S), DORM_STATE_LOW_QUALITY);
    lim.min_genes = 0;
    lim.min_umis = 0;
    cr_assert_eq(dorm_state_call(&qc, &lim, DORM_PHASE_S), DORM_STATE_CYCLING);
    cr_assert_eq(dorm_state_call(&qc, &lim, DORM_PHASE_G1), DORM_STATE_NON_CYCLING);
    lim.max_mito = 5;
    cr_assert_eq(dorm_state_call(&qc, &lim, DORM_PHASE_G1), DORM_STATE_LOW_QUALITY);
    dorm_qc_cell(gene, value, 3, flags, 0, 1, &qc);
    cr_assert(isnan(qc.pct_mito));
    free(flags);
}
