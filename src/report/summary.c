/* summary.c -- summary.tsv: states, SASP, phases and mean evidence per
 * sample and group, accumulated exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "dormscan/report.h"

int dorm_summary_init(dorm_summary_t *s, dorm_err_t *err)
{
    memset(s, 0, sizeof *s);
    if (!(s->index = malloc(sizeof *s->index)))
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
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

int dorm_summary_add(dorm_summary_t *s, const char *sample, const char *grouping,
                     const char *group, dorm_state_t state, int sasp, int phase,
                     const double *evidence, dorm_err_t *err)
{
    char key[4096];
    snprintf(key, sizeof key, "%s\t%s\t%s", sample, grouping, group);
    int64_t i = dorm_strmap_get(s->index, key);
    if (i < 0) {
        if (s->n == s->cap) {
            int64_t cap = s->cap ? s->cap * 2 : 16;
            dorm_summary_row_t *r = realloc(s->rows, (size_t)cap * sizeof *r);
            if (!r)
                return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
            s->rows = r;
            s->cap = cap;
        }
        dorm_summary_row_t *r = &s->rows[s->n];
        memset(r, 0, sizeof *r);
        r->sample = strdup(sample);
        r->grouping = strdup(grouping);
        r->group = strdup(group);
        if (!r->sample || !r->grouping || !r->group || dorm_strmap_put(s->index, key, s->n) < 0) {
            free(r->sample);
            free(r->grouping);
            free(r->group);
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        }
        i = s->n++;
    }
    dorm_summary_row_t *r = &s->rows[i];
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
        dorm_outfile_printf(o, "\n");
    }
}
