/* Unit tests of the frame of reference: the centred null, baselines,
 * standardisation and the reference file. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/reference.h"
#include "dormscan/reference_file.h"
#include "dormscan/score.h"
#include "helpers.h"

/* One cell over 8 genes; g0 is the set's only member, g1..g7 the pool. */
static const int64_t col_ptr[] = {0, 7};
static const int32_t gene[] = {0, 1, 3, 4, 5, 6, 7};
static const double value[] = {3, 1, 3, 2, 5, 4, 6};
static char bc0[] = "cell";
static char *const barcodes[] = {bc0};

Test(centred, deviation_by_hand)
{
    dorm_chunk_t ch = {0, 1, col_ptr, gene, value, barcodes, NULL};
    int32_t g_a[] = {0};
    int8_t s_a[] = {1};
    dorm_match_t ma = {.n_total = 1, .n_found = 1, .gene = g_a, .sign = s_a};
    dorm_score_set_t sets[] = {{&ma, 0}};
    dorm_score_opts_t o;
    dorm_score_opts_default(&o);
    o.method = DORM_METHOD_MODULE;
    o.centred = 1;
    o.n_bins = 1;
    o.normalized = 1;
    /* reference means; the cell's pool deviations are +1 -1 +1 -1 +1 -1 0
     * (mean 0, population variance 6/7) and the member's is 3 - 1 = 2 */
    double mean[] = {1, 0, 1, 2, 3, 4, 5, 6};
    dorm_gene_means_t means = {8, 1, mean};
    dorm_scorer_t *sc;
    dorm_err_t err;
    cr_assert_eq(dorm_scorer_init(&sc, &o, 8, 0, sets, 1, &means, &err), 0, "%s", err.msg);
    double score[1], z[1], p[1], dev[1], var[1], zabs[1];
    cr_assert_eq(dorm_scorer_score_chunk_dev(sc, &ch, score, z, p, dev, var, zabs, &err), 0);
    /* the values themselves: member 3 against the pool's 1 0 3 2 5 4 6 (mean 3) */
    cr_assert_float_eq(zabs[0], 0.0, 1e-12);
    cr_assert_float_eq(dev[0], 2.0, 1e-12);
    /* one member drawn from the 7 pool genes: V = v (N - 1) / (N - 1) = 6/7 */
    cr_assert_float_eq(var[0], 6.0 / 7.0, 1e-12);
    cr_assert_float_eq(z[0], 2.0 / sqrt(6.0 / 7.0), 1e-12);
    dorm_scorer_destroy(sc);
}

Test(centred, only_module)
{
    dorm_score_opts_t o;
    dorm_score_opts_default(&o);
    o.centred = 1; /* with ucell */
    dorm_scorer_t *sc;
    dorm_err_t err;
    int32_t g_a[] = {0};
    int8_t s_a[] = {1};
    dorm_match_t ma = {.n_total = 1, .n_found = 1, .gene = g_a, .sign = s_a};
    dorm_score_set_t sets[] = {{&ma, 0}};
    cr_assert_eq(dorm_scorer_init(&sc, &o, 8, 0, sets, 1, NULL, &err), DORM_E_USAGE);
}

Test(baseline, median_and_mad)
{
    double v[] = {4, 100, 1, 3, 2};
    dorm_baseline_t b;
    dorm_baseline_estimate(v, 5, &b);
    cr_assert_eq(b.n, 5);
    cr_assert_float_eq(b.centre, 3.0, 1e-15);
    cr_assert_float_eq(b.spread, 1.4826, 1e-15); /* distances 1 97 2 0 1: median 1 */
    double w[] = {4, 1, 3, 2};
    dorm_baseline_estimate(w, 4, &b);
    cr_assert_float_eq(b.centre, 2.5, 1e-15);
    cr_assert_float_eq(b.spread, 1.4826, 1e-15); /* distances 1.5 .5 .5 1.5 */
    dorm_baseline_estimate(w, 0, &b);
    cr_assert(b.n == 0 && isnan(b.centre) && isnan(b.spread));
}

Test(baseline, component_between_cell_variance)
{
    double d[] = {0, 4, 1, 3, 2}, var[] = {0.5, 0.5, 0.5, 0.5, 0.5};
    dorm_comp_baseline_t b;
    dorm_component_baseline_estimate(d, var, 5, &b);
    cr_assert_float_eq(b.centre, 2.0, 1e-15);
    cr_assert_float_eq(b.tau2, 1.4826 * 1.4826 - 0.5, 1e-12);
    double d2[] = {0, 0.1, 0.2}, big[] = {9, 9, 9}; /* all within-cell noise: no tau2 */
    dorm_component_baseline_estimate(d2, big, 3, &b);
    cr_assert_float_eq(b.tau2, 0.0, 0);
}

Test(baseline, standardise_floor_and_prediction)
{
    dorm_baseline_t b = {4, 1.0, 0.5};
    double z, p;
    dorm_reference_standardise(&b, 3.0, &z, &p);
    cr_assert_float_eq(z, 2.0 / sqrt(1.25), 1e-12, "spread below 1 counts as 1");
    cr_assert_float_eq(p, 0.5 * erfc(z / sqrt(2.0)), 1e-14);
    b.spread = 2.0;
    dorm_reference_standardise(&b, 3.0, &z, &p);
    cr_assert_float_eq(z, 1.0 / sqrt(1.25), 1e-12);
    dorm_reference_standardise(&b, NAN, &z, &p);
    cr_assert(isnan(z) && isnan(p));
    b.n = 0;
    dorm_reference_standardise(&b, 3.0, &z, &p);
    cr_assert(isnan(z), "no reference cells: no score");
}

/* A small reference of two populations over three genes. */
static dorm_reference_t *small_reference(void)
{
    char *ids[] = {"ENSG1", "ENSG2", "ENSG3"}, *names[] = {"A", "B", "C"};
    char *pops[] = {"all", "T cell"};
    dorm_reference_t *r;
    dorm_err_t err;
    cr_assert_eq(dorm_reference_new(&r, 3, ids, names, 2, pops, &err), 0);
    r->celltype = strdup("celltype");
    r->built_from = strdup("a test");
    memset(r->panel, 'a', 64);
    r->pop_cells[0] = 10;
    r->pop_cells[1] = 4;
    for (int i = 0; i < 6; i++)
        r->means[i] = 0.1 * i + 1.0 / 3.0;
    for (int k = 2; k < r->n_comp; k++) { /* (0 and 1, the cycle's, have none) */
        r->component[k] = (dorm_comp_baseline_t){10, 0.01 * k, 0.5};
        r->component[r->n_comp + k] = (dorm_comp_baseline_t){4, -0.02 * k, 0.25};
    }
    for (int e = 1; e < DORM_N_EVIDENCE; e++) {
        r->baseline[e] = (dorm_baseline_t){10, 0.1 * e, 1.5};
        r->baseline[DORM_N_EVIDENCE + e] = (dorm_baseline_t){0, NAN, NAN};
    }
    return r;
}

Test(reference_file, round_trip_is_exact)
{
    char *dir = tmpdir_new();
    char path[4200];
    snprintf(path, sizeof path, "%s/ref.tsv", dir);
    dorm_reference_t *r = small_reference(), *back;
    dorm_err_t err;
    cr_assert_eq(dorm_reference_write(r, path, &err), 0, "%s", err.msg);
    cr_assert_eq(dorm_reference_read(&back, path, &err), 0, "%s", err.msg);
    char h1[65], h2[65];
    dorm_reference_digest(r, h1);
    dorm_reference_digest(back, h2);
    cr_assert_str_eq(h1, h2, "the same doubles back");
    cr_assert_str_eq(back->celltype, "celltype");
    cr_assert_str_eq(back->pop_names[1], "T cell");
    cr_assert_eq(back->pop_cells[1], 4);
    cr_assert_eq(back->means[4], r->means[4]);
    cr_assert(isnan(back->baseline[DORM_N_EVIDENCE].centre));
    cr_assert_eq(dorm_reference_pop(back, "T cell"), 1);
    cr_assert_eq(dorm_reference_pop(back, "B cell"), -1);
    cr_assert_eq(dorm_reference_pop(back, NULL), -1, "no type is NA, which it lacks");
    dorm_reference_destroy(r);
    dorm_reference_destroy(back);
    rm_rf(dir);
    free(dir);
}

Test(reference_file, genes_by_id_then_name)
{
    dorm_reference_t *r = small_reference();
    char *ids[] = {"X", "ENSG3", "ENSG9"}, *names[] = {"B", "Q", "Z"};
    dorm_features_t f = {.n = 3, .ids = ids, .names = names};
    double out[3];
    int64_t missing;
    dorm_reference_means_for(r, 1, &f, out, &missing);
    cr_assert_eq(out[0], r->means[3 + 1], "B by name");
    cr_assert_eq(out[1], r->means[3 + 2], "ENSG3 by id");
    cr_assert_eq(out[2], 0.0);
    cr_assert_eq(missing, 1);
    dorm_reference_destroy(r);
}

Test(reference_file, repeated_ids_match_by_name)
{
    char *ids[] = {"None", "None", "ENSG3"}, *names[] = {"A", "B", "C"}, *pops[] = {"all"};
    dorm_reference_t *r;
    dorm_err_t err;
    cr_assert_eq(dorm_reference_new(&r, 3, ids, names, 1, pops, &err), 0);
    r->means[0] = 1;
    r->means[1] = 2;
    r->means[2] = 3;
    char *fids[] = {"None", "None", "X"}, *fnames[] = {"B", "A", "C"};
    dorm_features_t f = {.n = 3, .ids = fids, .names = fnames};
    double out[3];
    int64_t missing;
    dorm_reference_means_for(r, 0, &f, out, &missing);
    cr_assert(out[0] == 2 && out[1] == 1 && out[2] == 3 && missing == 0,
              "%g %g %g", out[0], out[1], out[2]);
    dorm_reference_destroy(r);
}

Test(reference_file, errors_name_file_and_line)
{
    char *dir = tmpdir_new();
    char path[4200];
    snprintf(path, sizeof path, "%s/bad.tsv", dir);
    write_text(dir, "bad.tsv", "dormscan-reference\t1\nspecies\thuman\npanel\tshort\n");
    dorm_reference_t *r;
    dorm_err_t err;
    cr_assert_eq(dorm_reference_read(&r, path, &err), DORM_E_FORMAT);
    cr_assert(strstr(err.msg, "line 3") && strstr(err.msg, "bad.tsv"), "%s", err.msg);
    rm_rf(dir);
    free(dir);
}

Test(evidence, from_component_baselines)
{
    dorm_reference_t *r = small_reference();
    double dev[DORM_N_COMPONENTS], var[DORM_N_COMPONENTS], zabs[DORM_N_COMPONENTS];
    for (int k = 0; k < DORM_N_COMPONENTS; k++) {
        dev[k] = 0.01 * k + 1.5; /* 1.5 above each centre of population 0 */
        var[k] = 1.75;            /* + tau2 0.5: sd 1.5 */
        zabs[k] = k < 3 ? 1.0 : 99; /* the cycle's within-cell z; others unused */
    }
    double ev_z[DORM_N_EVIDENCE], ev_p[DORM_N_EVIDENCE], want_z[DORM_N_EVIDENCE], want_p[DORM_N_EVIDENCE];
    dorm_reference_evidence(r, 0, dev, var, zabs, ev_z, ev_p);
    double ones[DORM_N_COMPONENTS];
    for (int k = 0; k < DORM_N_COMPONENTS; k++)
        ones[k] = 1.0;
    dorm_evidence(ones, want_z, want_p);
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        cr_assert_float_eq(ev_z[e], want_z[e], 1e-12);
    dorm_reference_destroy(r);
}
