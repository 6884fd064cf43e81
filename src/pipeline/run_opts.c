/* run_opts.c -- the defaults of a run's options (dormscan/pipeline.h). */
#include <string.h>

#include "dormscan/pipeline.h"

void dorm_run_opts_default(dorm_run_opts_t *o)
{
    memset(o, 0, sizeof *o);
    dorm_score_opts_default(&o->score);
    dorm_qc_limits_default(&o->qc);
    o->min_coverage = -1;
    o->min_ref_cells = 2;
    o->fdr = 0.05;
    o->species_auto = 1;
    o->chunk_cells = 64;
    o->threads = 1;
}
