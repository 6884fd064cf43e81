/* summary.c -- summary.tsv: cells per phase and per state (exact counts). */
#include "dormscan/report.h"

static void row(dorm_outfile_t *o, const char *kind, const char *label, int64_t n, int64_t total)
{
    char f[32];
    dorm_outfile_printf(o, "%s\t%s\t%lld\t%s\n", kind, label, (long long)n,
                        dorm_fmt_double(total ? (double)n / (double)total : 0, f));
}

void dorm_summary_write(dorm_outfile_t *o, const dorm_summary_t *s)
{
    dorm_outfile_printf(o, "kind\tlabel\tn_cells\tfraction\n");
    row(o, "all", "cells", s->n_cells, s->n_cells);
    for (int p = 0; p <= DORM_N_PHASES; p++)
        if (p < DORM_N_PHASES || s->phase[p])
            row(o, "phase", p < DORM_N_PHASES ? dorm_phase_name((dorm_phase_t)p) : "NA",
                s->phase[p], s->n_cells);
    for (int t = 0; t < DORM_N_STATES; t++)
        row(o, "state", dorm_state_name((dorm_state_t)t), s->state[t], s->n_cells);
}
