/* finish.c -- BH, calls, table rows and summary counts of one sample. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/dormscan.h"
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
        for (int e = 0; f->evidence_hist && e < DORM_N_EVIDENCE; e++)
            dorm_hist_add(&f->evidence_hist[e][call.state], low ? NAN : rec[R_EV_Z(n_out) + e]);
        if (f->qc_hist) {
            dorm_hist_add(&f->qc_hist[0], rec[R_GENES]);
            dorm_hist_add(&f->qc_hist[1], rec[R_UMI] > 0 ? log10(rec[R_UMI]) : NAN);
            dorm_hist_add(&f->qc_hist[2], rec[R_MITO]);
        }
        rc = summarise(f, sample, call.state, call.sasp, phase, rec + R_EV_Z(n_out), barcode, err);
    }
done:
    free(cols);
    free(rec);
    free(fdr);
    return rc;
}

/* Write summary.tsv (or cohort_summary.tsv) and the MultiQC files. */
int write_summaries(dorm_outfile_t o[3], const char *outdir, const char *name,
                    dorm_summary_t *per_sample, dorm_summary_t *all, dorm_err_t *err)
{
    int rc = dorm_outfile_open(&o[0], outdir, name, 0, err);
    if (rc == 0)
        rc = dorm_outfile_open(&o[1], outdir, "dormscan_mqc.tsv", 0, err);
    if (rc == 0)
        rc = dorm_outfile_open(&o[2], outdir, "dormscan_general_stats_mqc.tsv", 0, err);
    if (rc == 0) {
        const dorm_summary_t *parts[] = {per_sample, all};
        dorm_summary_write(&o[0], parts, all ? 2 : 1);
        dorm_mqc_write(&o[1], &o[2], per_sample);
    }
    return rc;
}

int commit_all(dorm_outfile_t *o, int n, dorm_err_t *err)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) /* every write done before any rename */
        if (o[i].final_path)
            rc = dorm_outfile_close(&o[i], err);
    for (int i = 0; rc == 0 && i < n; i++)
        if (o[i].final_path)
            rc = dorm_outfile_commit(&o[i], err);
    for (int i = 0; i < n; i++)
        dorm_outfile_abort(&o[i]);
    return rc;
}

void finish_hists_init(dorm_hist_t evidence[DORM_N_EVIDENCE][DORM_N_STATES], dorm_hist_t qc[3])
{
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        for (int t = 0; t < DORM_N_STATES; t++)
            dorm_hist_init(&evidence[e][t], -20, 20);
    dorm_hist_init(&qc[0], 0, 10000);
    dorm_hist_init(&qc[1], 2, 6);
    dorm_hist_init(&qc[2], 0, 40);
}

int write_report(dorm_outfile_t *o, const char *outdir, const char *command_line, const dorm_summary_t *per_sample,
                 const dorm_summary_t *all, dorm_hist_t evidence[DORM_N_EVIDENCE][DORM_N_STATES],
                 const dorm_hist_t qc[3], const dorm_html_coverage_t *coverage, int n_coverage,
                 dorm_err_t *err)
{
    int64_t n = per_sample->n + (all ? all->n : 0);
    dorm_summary_row_t *rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
    if (!rows)
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    memcpy(rows, per_sample->rows, (size_t)per_sample->n * sizeof *rows);
    if (all && all->n)
        memcpy(rows + per_sample->n, all->rows, (size_t)all->n * sizeof *rows);
    char title[64];
    snprintf(title, sizeof title, "dormscan %s report", dorm_version());
    dorm_html_input_t in = {
        .title = title,
        .command_line = command_line,
        .rows = rows,
        .n_rows = n,
        .evidence = (const dorm_hist_t(*)[DORM_N_STATES])evidence,
        .qc_genes = &qc[0],
        .qc_umis_log10 = &qc[1],
        .qc_mito = &qc[2],
        .coverage = coverage,
        .n_coverage = n_coverage,
    };
    int rc = dorm_outfile_open(o, outdir, "report.html", 0, err);
    if (rc == 0)
        dorm_html_write(o, &in);
    free(rows);
    return rc;
}
