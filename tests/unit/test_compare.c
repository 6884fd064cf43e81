/* Unit tests of compare's statistics: special functions and distributions
 * against closed forms, BH as R's p.adjust, least squares on a tiny
 * design, the variance prior and a moderated t worked by hand. */
#include <criterion/criterion.h>
#include <math.h>

#include "compare/compare_internal.h"
#include "core/stats.h"

#define REL(a, b) (fabs((a) - (b)) / fabs(b))

Test(special, polygamma_at_known_points)
{
    cr_assert(REL(dorm_cmp_digamma(1), -0.57721566490153286) < 1e-14);
    cr_assert(REL(dorm_cmp_digamma(0.5), -1.9635100260214235) < 1e-14);
    cr_assert(REL(dorm_cmp_trigamma(1), M_PI * M_PI / 6) < 1e-14);
    cr_assert(REL(dorm_cmp_trigamma(0.5), M_PI * M_PI / 2) < 1e-14);
    cr_assert(REL(dorm_cmp_tetragamma(1), -2.4041138063191886) < 1e-14); /* -2 zeta(3) */
    cr_assert(REL(dorm_cmp_digamma(250.5), log(250.5) - 1 / 501.0 - 1 / (12 * 250.5 * 250.5)) < 1e-12);
}

Test(special, trigamma_inverse_round_trip)
{
    for (double y = 0.05; y < 1e4; y *= 3.7)
        cr_assert(REL(dorm_cmp_trigamma_inverse(dorm_cmp_trigamma(y)), y) < 1e-8, "y = %g", y);
    cr_assert(isnan(dorm_cmp_trigamma_inverse(-1)));
    cr_assert_eq(dorm_cmp_trigamma_inverse(1e8), 1 / sqrt(1e8));
}

Test(special, incomplete_beta_integer_parameters)
{
    /* I_x(2, 3) = sum_{j=2..4} C(4, j) x^j (1-x)^(4-j): 0.3483 at x = 0.3 */
    double lo, up;
    dorm_cmp_log_ibeta(0.3, 0.7, 2, 3, &lo, &up);
    cr_assert(REL(exp(lo), 0.3483) < 1e-13);
    cr_assert(REL(exp(up), 0.6517) < 1e-13);
    dorm_cmp_log_ibeta(0.9, 0.1, 2, 3, &lo, &up); /* the other side of the fraction */
    cr_assert(REL(exp(up), 1 - (6 * 0.81 * 0.01 + 4 * 0.729 * 0.1 + 0.6561)) < 1e-12);
}

Test(special, t_pvalues_closed_forms)
{
    for (double t = 0.01; t < 2000; t *= 2.3) {
        double r = sqrt(2 + t * t);
        double p1 = 2 / M_PI * atan(1 / t); /* df 1: 1 - 2 atan(t) / pi */
        double p2 = 2 / (r * (r + t));      /* df 2: 1 - t / sqrt(2 + t^2) */
        cr_assert(REL(dorm_cmp_t_pvalue(t, 1), p1) < 1e-12, "t = %g", t);
        cr_assert(REL(dorm_cmp_t_pvalue(-t, 2), p2) < 1e-11, "t = %g", t);
    }
    cr_assert_eq(dorm_cmp_t_pvalue(0, 7.12), 1);
    /* R: 2 * pt(-4.3754628232888031, 4.859570273659032) */
    cr_assert(REL(dorm_cmp_t_pvalue(4.3754628232888031, 4.859570273659032),
                  0.0076729191437040784) < 1e-12);
}

Test(special, f_tails_closed_forms)
{
    /* F(2, d2): P(F > f) = (1 + 2 f / d2)^(-d2 / 2); F(2, inf): exp(-f) */
    for (double f = 0.01; f < 500; f *= 2.9) {
        cr_assert(REL(exp(dorm_cmp_f_log_upper(f, 2, 5.88)), pow(1 + 2 * f / 5.88, -2.94)) < 1e-12);
        cr_assert(REL(dorm_cmp_f_log_upper(f, 2, INFINITY), -f) < 1e-12);
    }
    /* R: pf(17.379967205519954, 2, 5.8817061703716158, lower.tail = FALSE) */
    cr_assert(REL(exp(dorm_cmp_f_log_upper(17.379967205519954, 2, 5.8817061703716158)),
                  0.0033981943926952906) < 1e-10);
}

Test(special, f_quantile_inverts_the_tail)
{
    double q = dorm_cmp_f_quantile(0.9, 6, 4.78);
    cr_assert(fabs(exp(dorm_cmp_f_log_lower(q, 6, 4.78)) - 0.9) < 1e-13);
    q = dorm_cmp_f_quantile(0.05, 6, INFINITY);
    cr_assert(fabs(exp(dorm_cmp_f_log_lower(q, 6, INFINITY)) - 0.05) < 1e-13);
    /* density: F(2, inf) is exponential with mean 1 */
    cr_assert(REL(dorm_cmp_f_density(0.7, 2, INFINITY), exp(-0.7)) < 1e-13);
}

Test(bh, equals_p_adjust)
{
    double p[] = {0.01, 0.04, 0.03, 0.2};
    int32_t idx[4];
    cr_assert_eq(dorm_bh_adjust(p, 4, idx), 0);
    double want[] = {0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2};
    for (int i = 0; i < 4; i++)
        cr_assert(REL(p[i], want[i]) < 1e-15, "p[%d] = %g", i, p[i]);
}

Test(lsq, two_group_design)
{
    const double x[] = {1, 0, 1, 0, 0, 1, 0, 1};   /* 4 samples x 2 groups */
    const double y[] = {1, 2, 4, 5, 2, 2, 3, 5};   /* 2 responses */
    dorm_cmp_fit_t fit;
    dorm_err_t err;
    cr_assert_eq(dorm_cmp_lsq_fit(x, 4, 2, y, 2, &fit, &err), 0);
    cr_assert(fabs(fit.coef[0] - 1.5) < 1e-14 && fabs(fit.coef[1] - 4.5) < 1e-14);
    cr_assert(fabs(fit.coef[2] - 2) < 1e-14 && fabs(fit.coef[3] - 4) < 1e-14);
    cr_assert_eq(fit.df_residual, 2);
    cr_assert(fabs(fit.sigma[0] - sqrt(0.5)) < 1e-14);
    cr_assert(fabs(fit.sigma[1] - sqrt(1.0)) < 1e-14);
    cr_assert(fabs(fit.cov_unscaled[0] - 0.5) < 1e-14 && fabs(fit.cov_unscaled[1]) < 1e-14);

    /* moderated t without borrowing (one row): the ordinary t */
    dorm_cmp_fit_t one = fit;
    one.n_rows = 1;
    dorm_cmp_test_t t;
    const double c[] = {1, -1};
    cr_assert_eq(dorm_cmp_moderated_t(&one, c, 0, &t, &err), 0);
    cr_assert(fabs(t.statistic[0] - (-3 / sqrt(0.5))) < 1e-13);
    cr_assert_eq(t.df_total[0], 2);
    cr_assert(REL(t.p_value[0], 1 - sqrt(18) / sqrt(2 + 18)) < 1e-12);
    dorm_cmp_test_destroy(&t);
    dorm_cmp_fit_destroy(&fit);

    const double rank1[] = {1, 2, 1, 2, 1, 2, 1, 2};
    cr_assert_eq(dorm_cmp_lsq_fit(rank1, 4, 2, y, 2, &fit, &err), DORM_E_USAGE);
}

Test(prior, equal_variances_give_infinite_df)
{
    const double v[] = {0.2, 0.2, 0.2, 0.2};
    double scale, df2;
    cr_assert_eq(dorm_cmp_fit_fdist(v, 4, 3, &scale, &df2), 0);
    cr_assert(isinf(df2));
    cr_assert(fabs(scale - 0.2) < 1e-15);
}
