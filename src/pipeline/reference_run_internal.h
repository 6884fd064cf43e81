/* reference_run_internal.h -- a reference made from the cells of several inputs
 * (`dormscan reference`, and `score` with several inputs and no
 * --reference); private to the pipeline. */
#ifndef DORM_PIPELINE_REFERENCE_RUN_H
#define DORM_PIPELINE_REFERENCE_RUN_H

#include "dormscan/pipeline.h"
#include "dormscan/reference.h"

/* Read every sample of opts twice: the gene means of the reference cells
 * (kept by --cells/--keep, passing the QC) per population, then each
 * reference cell's raw evidence for the baselines.  Temporary files go in
 * tmp_dir.  The coverage of the column sets is not logged (score reports
 * it).  *out is owned by the caller. */
int dorm_reference_build(const dorm_run_opts_t *opts, const char *tmp_dir, dorm_reference_t **out,
                    dorm_err_t *err);

#endif
