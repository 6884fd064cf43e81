/* finish.c -- BH, calls, table rows and summary counts of one sample. */
#include <stdlib.h>

#include "finish.h"

static int summarise(const finisher_t *f, const char *sample, dorm_state_t state, int sasp,
                     int phase, const double *ev, const char *barcode, dorm_err_t *err)
{
    dorm_summary_t *targets[2] = {f->summary, f->summary_all};
    const char *names[2] = {sample, "all"};
    for (int t = 0; t < 2; t++) {
        if (!targets[t])
            continue;
        int rc = dorm_summary_add(targets[t], names[t], "all", "all", state, sasp, phase, ev, err);
        for (int c = 0; rc == 0 && c < f->meta->n_cols; c++) {
            const char *g = cellmeta_group(f->meta, barcode, c);
            rc = dorm_summary_add(targets[t], names[t], f->meta->col_names[c], g ? g : "NA",
                                  state, sasp, phase, ev, err);
        }
        if (rc == 0 && f->groupby) {
            int64_t k = dorm_strmap_get(f->obs_group, barcode);
            rc = dorm_summary_add(targets[t], names[t], f->groupby,
                                  k >= 0 ? f->obs_values[k] : "NA", state, sasp, phase, ev, err);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

int finish_sample(const finisher_t *f, spill_t *sp, const char *sample, dorm_err_t *err)
{
    int n_out = f->n_out, n_fdr = n_out + DORM_N_EVIDENCE;
    int *cols = malloc((size_t)n_fdr * sizeof *cols);
    double *rec = malloc((size_t)R_LEN(n_out) * sizeof *rec);
    double *fdr = malloc((size_t)n_fdr * sizeof *fdr);
    int rc = 0;
    if (!cols || !rec || !fdr) {
        rc = dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n_out; i++)
        cols[i] = R_SETS + 3 * i + 2;
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        cols[n_out + e] = R_EV_P(n_out) + e;
    rc = spill_fdr(sp, cols, n_fdr, R_LOW, err);
    if (rc == 0)
        rc = spill_rewind(sp, err);
    char *barcode;
    for (int64_t i = 0; rc == 0 && (rc = spill_next(sp, i, rec, &barcode, fdr, err)) > 0; i++) {
        rc = 0;
        int low = rec[R_LOW] != 0;
        dorm_call_t call;
        dorm_call(low, rec + R_EV_Z(n_out), fdr + n_out, f->fdr, &call);
        int phase = DORM_N_PHASES; /* NA */
        if (f->module)
            phase = (int)rec[R_SEURAT_PHASE];
        else if (!low)
            phase = (int)dorm_phase_rank(call.state == DORM_STATE_CYCLING, rec[R_Z_S], rec[R_Z_G2M]);
        dorm_qc_t qc = {rec[R_UMI], (int64_t)rec[R_GENES], rec[R_MITO], rec[R_RIBO]};
        dorm_cell_row_t row = {
            .barcode = barcode,
            .sample = f->sample_column ? sample : NULL,
            .qc = &qc,
            .set = rec + R_SETS,
            .set_fdr = fdr,
            .evidence = rec + R_EV_Z(n_out),
            .phase = phase < DORM_N_PHASES ? dorm_phase_name((dorm_phase_t)phase) : "NA",
            .state = dorm_state_name(call.state),
            .sasp = call.sasp,
            .confidence = call.confidence,
        };
        dorm_cells_write_row(f->cells, &row, n_out);
        rc = summarise(f, sample, call.state, call.sasp, phase, rec + R_EV_Z(n_out), barcode, err);
    }
done:
    free(cols);
    free(rec);
    free(fdr);
    return rc;
}
