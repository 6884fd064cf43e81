/* write.c -- compare's tables: compare.tsv, the per-cell-type table,
 * compare_evidence.tsv and the MultiQC section. */
#include <math.h>

#include "compare/compare_internal.h"

static void put_double(dorm_outfile_t *o, double v)
{
    char buf[32];
    dorm_outfile_printf(o, "\t%s", dorm_fmt_double(v, buf));
}

void dorm_cmp_write_table(dorm_outfile_t *o, const dorm_cmp_comparison_t *const *c, int n,
                          const dorm_cmp_setup_t *s, const char *type_col, const char *first_col,
                          const char *prefix, const char *ratio_col)
{
    if (type_col)
        dorm_outfile_printf(o, "%s\t", type_col);
    dorm_outfile_printf(o, "%s", first_col);
    for (int l = 0; l < s->n_levels; l++)
        dorm_outfile_printf(o, "\t%s%s", prefix, s->levels[l]);
    dorm_outfile_printf(o, "\t%s\tstatistic\tp_value\tfdr\ttest\n", ratio_col);
    for (int i = 0; i < n; i++) {
        const dorm_cmp_result_t *r = &c[i]->result;
        for (int k = 0; k < c[i]->n_rows; k++) {
            if (type_col)
                dorm_outfile_printf(o, "%s\t", c[i]->type);
            dorm_outfile_printf(o, "%s", c[i]->row[k]);
            for (int l = 0; l < s->n_levels; l++)
                put_double(o, r->level_mean[(size_t)k * r->n_levels + l]);
            put_double(o, r->ratio[k]);
            put_double(o, r->statistic[k]);
            put_double(o, r->p_value[k]);
            put_double(o, r->fdr[k]);
            dorm_outfile_printf(o, "\t%s\n", r->test);
        }
    }
}

void dorm_cmp_write_mqc(dorm_outfile_t *o, const dorm_cmp_comparison_t *const *c, int n,
                        const dorm_cmp_setup_t *s)
{
    dorm_outfile_printf(o,
                        "# id: 'dormscan_compare'\n"
                        "# section_name: 'dormscan compare'\n"
                        "# description: 'Differences in the proportions of dormancy states "
                        "between conditions (propeller: moderated %s on %s-transformed "
                        "per-sample proportions, BH FDR across states; the SASP flag tested "
                        "on its own).'\n"
                        "# plot_type: 'table'\n",
                        s->plan.anova ? "F" : "t",
                        s->transform == DORM_TRANSFORM_ASIN ? "arcsine square root" : "logit");
    dorm_cmp_write_table(o, c, n, s, NULL, "state", "prop_", "prop_ratio");
}
