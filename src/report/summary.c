/* summary.c -- summary.tsv: states, SASP, phases and mean evidence per
 * sample and group, accumulated exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "core/strmap.h"
#include "dormscan/outfile.h"
#include "dormscan/summary.h"
#include "dormscan/tables.h"

int dorm_summary_init(dorm_summary_t *s, dorm_err_t *err)
{
    memset(s, 0, sizeof *s);
    if (!(s->index = malloc(sizeof *s->index)))
        return dorm_err_nomem(err);
    dorm_strmap_init(s->index);
    return 0;
}

void dorm_summary_destroy(dorm_summary_t *s)
{
    for (int64_t i = 0; i < s->n; i++) {
        free(s->rows[i].sample);
        free(s->rows[i].grouping);
        free(s->rows[i].group);
    }
    free(s->rows);
    if (s->index)
        dorm_strmap_destroy(s->index);
    free(s->index);
    memset(s, 0, sizeof *s);
}

/* The row (sample, grouping, group), created empty on first use; NULL when
 * out of memory. */
static dorm_summary_row_t *row_of(dorm_summary_t *s, const char *sample, const char *grouping,
                                  const char *group)
{
    char key[4096];
    snprintf(key, sizeof key, "%s\t%s\t%s", sample, grouping, group);
    int64_t i = dorm_strmap_get(s->index, key);
    if (i >= 0)
        return &s->rows[i];
    if (dorm_grow(&s->rows, &s->cap, s->n + 1, sizeof *s->rows, 16) < 0)
        return NULL;
    dorm_summary_row_t *r = &s->rows[s->n];
    memset(r, 0, sizeof *r);
    r->sample = strdup(sample);
    r->grouping = strdup(grouping);
    r->group = strdup(group);
    if (!r->sample || !r->grouping || !r->group || dorm_strmap_put(s->index, key, s->n) < 0) {
        free(r->sample);
        free(r->grouping);
        free(r->group);
        return NULL;
    }
    s->n++;
    return r;
}

int dorm_summary_add(dorm_summary_t *s, const char *sample, const char *grouping,
                     const char *group, dorm_state_t state, int sasp, int phase,
                     const double *evidence, dorm_err_t *err)
{
    dorm_summary_row_t *r = row_of(s, sample, grouping, group);
    if (!r)
        return dorm_err_nomem(err);
    r->n_cells++;
    r->state[state]++;
    r->sasp += sasp != 0;
    r->phase[phase]++;
    for (int e = 0; e < DORM_N_EVIDENCE && state != DORM_STATE_LOW_QUALITY; e++) {
        if (isnan(evidence[e]))
            continue;
        double v = evidence[e] > 1e6 ? 1e6 : evidence[e] < -1e6 ? -1e6 : evidence[e];
        r->evidence_micro[e] += llround(v * 1e6);
        r->evidence_n[e]++;
    }
    return 0;
}

int dorm_summary_merge_row(dorm_summary_t *s, const dorm_summary_row_t *in, const char *sample,
                           dorm_err_t *err)
{
    dorm_summary_row_t *r = row_of(s, sample, in->grouping, in->group);
    if (!r)
        return dorm_err_nomem(err);
    r->n_cells += in->n_cells;
    for (int t = 0; t < DORM_N_STATES; t++)
        r->state[t] += in->state[t];
    r->sasp += in->sasp;
    for (int p = 0; p <= DORM_N_PHASES; p++)
        r->phase[p] += in->phase[p];
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        r->evidence_micro[e] += in->evidence_micro[e];
        r->evidence_n[e] += in->evidence_n[e];
    }
    return 0;
}

static void write_rows(dorm_outfile_t *o, const dorm_summary_t *s);

void dorm_summary_write(dorm_outfile_t *o, const dorm_summary_t *const *parts, int n_parts)
{
    dorm_outfile_printf(o, "sample\tgrouping\tgroup\tn_cells");
    for (int t = 0; t < DORM_N_STATES; t++)
        dorm_outfile_printf(o, "\tn_%s\tfrac_%s", dorm_state_name((dorm_state_t)t),
                            dorm_state_name((dorm_state_t)t));
    dorm_outfile_printf(o, "\tn_sasp\tfrac_sasp");
    for (int p = 0; p <= DORM_N_PHASES; p++)
        dorm_outfile_printf(o, "\tn_phase_%s",
                            p < DORM_N_PHASES ? dorm_phase_name((dorm_phase_t)p) : "NA");
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        dorm_outfile_printf(o, "\tmean_score_%s", dorm_evidence_name((dorm_evidence_t)e));
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        dorm_outfile_printf(o, "\tn_score_%s\tsum_score_%s", dorm_evidence_name((dorm_evidence_t)e),
                            dorm_evidence_name((dorm_evidence_t)e));
    dorm_outfile_printf(o, "\n");
    for (int k = 0; k < n_parts; k++)
        write_rows(o, parts[k]);
}

static void write_rows(dorm_outfile_t *o, const dorm_summary_t *s)
{
    for (int64_t i = 0; i < s->n; i++) {
        const dorm_summary_row_t *r = &s->rows[i];
        char f[32];
        double n = (double)r->n_cells;
        dorm_outfile_printf(o, "%s\t%s\t%s\t%lld", r->sample, r->grouping, r->group,
                            (long long)r->n_cells);
        for (int t = 0; t < DORM_N_STATES; t++)
            dorm_outfile_printf(o, "\t%lld\t%s", (long long)r->state[t],
                                dorm_fmt_double(n > 0 ? (double)r->state[t] / n : NAN, f));
        dorm_outfile_printf(o, "\t%lld\t%s", (long long)r->sasp,
                            dorm_fmt_double(n > 0 ? (double)r->sasp / n : NAN, f));
        for (int p = 0; p <= DORM_N_PHASES; p++)
            dorm_outfile_printf(o, "\t%lld", (long long)r->phase[p]);
        for (int e = 0; e < DORM_N_EVIDENCE; e++)
            dorm_outfile_printf(o, "\t%s",
                                dorm_fmt_double(r->evidence_n[e]
                                                    ? (double)r->evidence_micro[e] / 1e6 /
                                                          (double)r->evidence_n[e]
                                                    : NAN,
                                                f));
        for (int e = 0; e < DORM_N_EVIDENCE; e++) {
            int64_t m = r->evidence_micro[e], a = m < 0 ? -m : m;
            dorm_outfile_printf(o, "\t%lld\t%s%lld.%06lld", (long long)r->evidence_n[e],
                                m < 0 ? "-" : "", (long long)(a / 1000000), (long long)(a % 1000000));
        }
        dorm_outfile_printf(o, "\n");
    }
}

static void mqc_header(dorm_outfile_t *o, const char *id, const char *name, const char *desc,
                       const char *plot)
{
    dorm_outfile_printf(o,
                        "# id: '%s'\n# section_name: '%s'\n# description: '%s'\n"
                        "# format: 'tsv'\n# plot_type: '%s'\n",
                        id, name, desc, plot);
}

void dorm_mqc_write(dorm_outfile_t *bar, dorm_outfile_t *stats, const dorm_summary_t *s)
{
    mqc_header(bar, "dormscan_states", "dormscan: cell states",
               "Cells per dormancy state in each sample, called by dormscan.", "bargraph");
    dorm_outfile_printf(bar, "# pconfig:\n#     id: 'dormscan_states_plot'\n"
                             "#     title: 'dormscan: cell states'\n#     ylab: 'Cells'\n");
    mqc_header(stats, "dormscan_general_stats", "dormscan", "Fractions of cells per state.",
               "generalstats");
    dorm_outfile_printf(bar, "Sample");
    dorm_outfile_printf(stats, "Sample");
    for (int t = 0; t < DORM_N_STATES; t++) {
        dorm_outfile_printf(bar, "\t%s", dorm_state_name((dorm_state_t)t));
        dorm_outfile_printf(stats, "\tdormscan_pct_%s", dorm_state_name((dorm_state_t)t));
    }
    dorm_outfile_printf(stats, "\tdormscan_pct_sasp\n");
    dorm_outfile_printf(bar, "\n");
    for (int64_t i = 0; i < s->n; i++) {
        const dorm_summary_row_t *r = &s->rows[i];
        if (strcmp(r->grouping, "all") != 0 || strcmp(r->group, "all") != 0)
            continue;
        char f[32];
        dorm_outfile_printf(bar, "%s", r->sample);
        dorm_outfile_printf(stats, "%s", r->sample);
        for (int t = 0; t < DORM_N_STATES; t++) {
            dorm_outfile_printf(bar, "\t%lld", (long long)r->state[t]);
            dorm_outfile_printf(stats, "\t%s",
                                dorm_fmt_double(r->n_cells ? 100.0 * (double)r->state[t] / (double)r->n_cells : NAN, f));
        }
        dorm_outfile_printf(stats, "\t%s\n",
                            dorm_fmt_double(r->n_cells ? 100.0 * (double)r->sasp / (double)r->n_cells : NAN, f));
        dorm_outfile_printf(bar, "\n");
    }
}
