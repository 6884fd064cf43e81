/* finish.c -- BH, calls, table rows and summary counts of one sample. */
#include <math.h>
#include <pthread.h>
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

#define ROW_BLOCK 2048 /* records read, called and formatted at a time */

/* A block of records read back from the spill, with their calls. */
typedef struct row_block_t {
    int64_t n;
    double *rec;       /* ROW_BLOCK x rec_len */
    double *fdr;       /* ROW_BLOCK x n_fdr */
    char *names;       /* barcodes, NUL-terminated, back to back */
    size_t names_len, names_cap;
    size_t *name_at;   /* ROW_BLOCK offsets into names */
    dorm_call_t *call; /* ROW_BLOCK */
    int *phase;        /* ROW_BLOCK, DORM_N_PHASES for NA */
} row_block_t;

/* One thread's share of a block: calls and formatted rows of [lo, hi). */
typedef struct row_part_t {
    const finisher_t *f;
    const char *sample;
    row_block_t *b;
    int64_t lo, hi;
    char *text;
    size_t len, cap;
    int failed;
} row_part_t;

static void *format_part(void *arg)
{
    row_part_t *pt = arg;
    const finisher_t *f = pt->f;
    row_block_t *b = pt->b;
    int n_out = f->n_out, rec_len = R_LEN(n_out), n_fdr = n_out + DORM_N_EVIDENCE;
    pt->len = 0;
    for (int64_t i = pt->lo; i < pt->hi && !pt->failed; i++) {
        const double *rec = b->rec + i * rec_len, *fdr = b->fdr + i * n_fdr;
        int low = rec[R_LOW] != 0;
        dorm_call(low, rec + R_EV_Z(n_out), fdr + n_out, f->fdr, &b->call[i]);
        int phase = DORM_N_PHASES; /* NA */
        if (f->module)
            phase = (int)rec[R_SEURAT_PHASE];
        else if (!low)
            phase = (int)dorm_phase_rank(b->call[i].state == DORM_STATE_CYCLING, rec[R_Z_S],
                                         rec[R_Z_G2M]);
        b->phase[i] = phase;
        dorm_qc_t qc = {rec[R_UMI], (int64_t)rec[R_GENES], rec[R_MITO], rec[R_RIBO]};
        dorm_cell_row_t row = {
            .barcode = b->names + b->name_at[i],
            .sample = f->sample_column ? pt->sample : NULL,
            .qc = &qc,
            .set = rec + R_SETS,
            .set_fdr = fdr,
            .evidence = rec + R_EV_Z(n_out),
            .phase = phase < DORM_N_PHASES ? dorm_phase_name((dorm_phase_t)phase) : "NA",
            .state = dorm_state_name(b->call[i].state),
            .sasp = b->call[i].sasp,
            .confidence = b->call[i].confidence,
        };
        size_t need = pt->len + dorm_cells_row_max(&row, n_out);
        if (need > pt->cap) {
            size_t cap = need * 2;
            char *t = realloc(pt->text, cap);
            if (!t) {
                pt->failed = 1;
                break;
            }
            pt->text = t;
            pt->cap = cap;
        }
        pt->len += dorm_cells_format_row(pt->text + pt->len, &row, n_out);
    }
    return NULL;
}

/* Read up to ROW_BLOCK records from index `first`; 0 when none are left. */
static int read_block(spill_t *sp, row_block_t *b, int64_t first, int rec_len, int n_fdr,
                      dorm_err_t *err)
{
    b->n = 0;
    b->names_len = 0;
    char *barcode;
    int rc = 0;
    while (b->n < ROW_BLOCK &&
           (rc = spill_next(sp, first + b->n, b->rec + b->n * rec_len, &barcode,
                            b->fdr + b->n * n_fdr, err)) > 0) {
        size_t len = strlen(barcode) + 1;
        if (b->names_len + len > b->names_cap) {
            size_t cap = (b->names_len + len) * 2;
            char *t = realloc(b->names, cap);
            if (!t)
                return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
            b->names = t;
            b->names_cap = cap;
        }
        memcpy(b->names + b->names_len, barcode, len);
        b->name_at[b->n++] = b->names_len;
        b->names_len += len;
    }
    return rc < 0 ? rc : b->n > 0;
}

/* Calls and rows of a block on up to n_threads threads, written in order;
 * then the histograms and summary counts, in order. */
static int finish_block(const finisher_t *f, const char *sample, row_block_t *b,
                        row_part_t *parts, int n_threads, dorm_err_t *err)
{
    int n_out = f->n_out, rec_len = R_LEN(n_out);
    pthread_t tid[n_threads];
    int started[n_threads];
    for (int t = 0; t < n_threads; t++) {
        parts[t].f = f;
        parts[t].sample = sample;
        parts[t].b = b;
        parts[t].lo = b->n * t / n_threads;
        parts[t].hi = b->n * (t + 1) / n_threads;
        parts[t].failed = 0;
        started[t] = t > 0 && pthread_create(&tid[t], NULL, format_part, &parts[t]) == 0;
    }
    for (int t = 0; t < n_threads; t++)
        if (!started[t])
            format_part(&parts[t]);
    for (int t = 1; t < n_threads; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
    for (int t = 0; t < n_threads; t++) {
        if (parts[t].failed)
            return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        dorm_outfile_write(f->cells, parts[t].text, parts[t].len);
    }
    for (int64_t i = 0; i < b->n; i++) {
        const double *rec = b->rec + i * rec_len;
        int low = rec[R_LOW] != 0;
        const dorm_call_t *call = &b->call[i];
        for (int e = 0; f->evidence_hist && e < DORM_N_EVIDENCE; e++)
            dorm_hist_add(&f->evidence_hist[e][call->state], low ? NAN : rec[R_EV_Z(n_out) + e]);
        if (f->qc_hist) {
            dorm_hist_add(&f->qc_hist[0], rec[R_GENES]);
            dorm_hist_add(&f->qc_hist[1], rec[R_UMI] > 0 ? log10(rec[R_UMI]) : NAN);
            dorm_hist_add(&f->qc_hist[2], rec[R_MITO]);
        }
        int rc = summarise(f, sample, call->state, call->sasp, b->phase[i], rec + R_EV_Z(n_out),
                           b->names + b->name_at[i], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int finish_sample(const finisher_t *f, spill_t *sp, const char *sample, dorm_err_t *err)
{
    int n_out = f->n_out, n_fdr = n_out + DORM_N_EVIDENCE, rec_len = R_LEN(n_out);
    int n_threads = f->threads > 1 ? f->threads : 1;
    int *cols = malloc((size_t)n_fdr * sizeof *cols);
    row_block_t b = {0};
    b.rec = malloc((size_t)ROW_BLOCK * (size_t)rec_len * sizeof *b.rec);
    b.fdr = malloc((size_t)ROW_BLOCK * (size_t)n_fdr * sizeof *b.fdr);
    b.name_at = malloc((size_t)ROW_BLOCK * sizeof *b.name_at);
    b.call = malloc((size_t)ROW_BLOCK * sizeof *b.call);
    b.phase = malloc((size_t)ROW_BLOCK * sizeof *b.phase);
    row_part_t *parts = calloc((size_t)n_threads, sizeof *parts);
    int rc = 0;
    if (!cols || !b.rec || !b.fdr || !b.name_at || !b.call || !b.phase || !parts) {
        rc = dorm_err_set(err, DORM_E_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n_out; i++)
        cols[i] = R_SETS + 3 * i + 2;
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        cols[n_out + e] = R_EV_P(n_out) + e;
    rc = spill_fdr(sp, cols, n_fdr, R_LOW, n_threads, err);
    if (rc == 0)
        rc = spill_rewind(sp, err);
    for (int64_t first = 0; rc == 0 && (rc = read_block(sp, &b, first, rec_len, n_fdr, err)) > 0;
         first += b.n)
        rc = finish_block(f, sample, &b, parts, n_threads, err);
done:
    for (int t = 0; parts && t < n_threads; t++)
        free(parts[t].text);
    free(parts);
    free(cols);
    free(b.rec);
    free(b.fdr);
    free(b.names);
    free(b.name_at);
    free(b.call);
    free(b.phase);
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
