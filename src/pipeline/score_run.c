/* score_run.c -- `dormscan score`: read, score, call and write one input.
 *
 * ucell reads the input once.  module reads it twice: gene means first, then
 * scores.  If the entries turn out not to be grouped by cell, the reader is
 * reopened in memory and the pass starts again (nothing has been committed:
 * every output is still under its temporary name). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dormscan/dormscan.h"
#include "dormscan/log.h"
#include "dormscan/report.h"
#include "run_sets.h"
#include "score/blas.h"

enum { OUT_CELLS, OUT_SUMMARY, OUT_JSON, N_OUT };

typedef struct run_t {
    const dorm_run_opts_t *opts;
    dorm_reader_t *reader;
    int in_memory;
    run_sets_t sets;
    dorm_gene_means_t means;
    dorm_scorer_t *scorer;
    uint8_t *qc_flags;
    int64_t n_mito_genes, n_ribo_genes;
    dorm_outfile_t out[N_OUT];
    dorm_summary_t summary;
    double *score, *z, *p;
    double t_start, t_means, t_scored;
} run_t;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void dorm_run_opts_default(dorm_run_opts_t *o)
{
    memset(o, 0, sizeof *o);
    dorm_score_opts_default(&o->score);
    dorm_qc_limits_default(&o->qc);
    o->min_coverage = -1;
    o->phase_z = 1.6448536269514722; /* one-sided 5% */
    o->chunk_cells = 1024;
}

static int open_reader(run_t *run, dorm_err_t *err)
{
    dorm_reader_close(run->reader);
    run->reader = NULL;
    dorm_reader_opts_t ro = {0};
    ro.chunk_cells = run->opts->chunk_cells;
    ro.in_memory = run->in_memory;
    return dorm_reader_open(&run->reader, run->opts->input, &ro, err);
}

/* Reopen in memory after DORM_E_UNSORTED. */
static int switch_to_memory(run_t *run, dorm_err_t *err)
{
    dorm_log(DORM_LOG_WARN, "%s: entries are not grouped by cell; loading the whole matrix",
             run->opts->input);
    run->in_memory = 1;
    dorm_err_clear(err);
    return open_reader(run, err);
}

/* Module pass 1: dataset-wide gene means of normalised expression. */
static int gene_means_pass(run_t *run, dorm_err_t *err)
{
    for (;;) {
        dorm_gene_means_destroy(&run->means);
        int rc = dorm_gene_means_init(&run->means, dorm_reader_features(run->reader)->n, err);
        const dorm_chunk_t *ch;
        while (rc == 0 && (rc = dorm_reader_read(run->reader, &ch, err)) > 0)
            rc = dorm_gene_means_add(&run->means, &run->opts->score, ch, err);
        if (rc == DORM_E_UNSORTED && !run->in_memory) {
            if ((rc = switch_to_memory(run, err)) < 0)
                return rc;
            continue;
        }
        if (rc < 0)
            return rc;
        return dorm_reader_rewind(run->reader, err);
    }
}

static void abort_outputs(run_t *run)
{
    for (int i = 0; i < N_OUT; i++)
        dorm_outfile_abort(&run->out[i]);
}

static int open_cells_table(run_t *run, dorm_err_t *err)
{
    dorm_outfile_abort(&run->out[OUT_CELLS]);
    int gz = run->opts->gzip;
    int rc = dorm_outfile_open(&run->out[OUT_CELLS], run->opts->outdir,
                               gz ? "cells.tsv.gz" : "cells.tsv", gz, err);
    if (rc == 0)
        dorm_cells_write_header(&run->out[OUT_CELLS], run->sets.names, run->sets.n_out);
    memset(&run->summary, 0, sizeof run->summary);
    return rc;
}

/* Phase of cell c of the current chunk. */
static int cell_phase(const run_t *run, const double *score, const double *z)
{
    const run_sets_t *rs = &run->sets;
    if (rs->phase_s < 0)
        return DORM_N_PHASES;
    if (run->opts->score.method == DORM_METHOD_MODULE)
        return dorm_phase_seurat(score[rs->phase_s], score[rs->phase_g2m]);
    return dorm_phase_rank(z[rs->phase_s], z[rs->phase_g2m], run->opts->phase_z);
}

static int score_chunk(run_t *run, const dorm_chunk_t *ch, dorm_err_t *err)
{
    int S = run->sets.n_score;
    size_t need = (size_t)ch->n_cells * (size_t)(S ? S : 1);
    double *score = realloc(run->score, need * sizeof *score);
    if (score)
        run->score = score;
    double *z = score ? realloc(run->z, need * sizeof *z) : NULL;
    if (z)
        run->z = z;
    double *p = z ? realloc(run->p, need * sizeof *p) : NULL;
    if (p)
        run->p = p;
    if (!score || !z || !p)
        return dorm_err_set(err, DORM_E_NOMEM, "out of memory");
    int rc = dorm_scorer_score_chunk(run->scorer, ch, run->score, run->z, run->p, err);
    if (rc < 0)
        return rc;
    for (int64_t c = 0; c < ch->n_cells; c++) {
        int64_t a = ch->col_ptr[c];
        dorm_qc_t qc;
        dorm_qc_cell(ch->gene + a, ch->value + a, ch->col_ptr[c + 1] - a, run->qc_flags,
                     run->n_mito_genes > 0, run->n_ribo_genes > 0, &qc);
        const double *sc = run->score + (size_t)c * (size_t)S, *zc = run->z + (size_t)c * (size_t)S;
        int phase = cell_phase(run, sc, zc);
        dorm_state_t state = dorm_state_call(&qc, &run->opts->qc, (dorm_phase_t)phase);
        const double *pc = run->p + (size_t)c * (size_t)S;
        dorm_cells_write_row(&run->out[OUT_CELLS], ch->barcodes[c], &qc, sc, zc, pc, run->sets.n_out,
                             phase < DORM_N_PHASES ? dorm_phase_name((dorm_phase_t)phase) : "NA",
                             dorm_state_name(state));
        run->summary.n_cells++;
        run->summary.phase[phase]++;
        run->summary.state[state]++;
    }
    return 0;
}

/* The scoring pass; restarts in memory if the input is not grouped by cell. */
static int scoring_pass(run_t *run, dorm_err_t *err)
{
    for (;;) {
        int rc = open_cells_table(run, err);
        const dorm_chunk_t *ch;
        while (rc == 0 && (rc = dorm_reader_read(run->reader, &ch, err)) > 0)
            rc = score_chunk(run, ch, err);
        if (rc == DORM_E_UNSORTED && !run->in_memory) {
            if ((rc = switch_to_memory(run, err)) < 0)
                return rc;
            continue;
        }
        return rc;
    }
}

static void write_run_json(run_t *run)
{
    const dorm_run_opts_t *o = run->opts;
    const dorm_reader_info_t *info = dorm_reader_info(run->reader);
    const dorm_features_t *f = dorm_reader_features(run->reader);
    const run_sets_t *rs = &run->sets;
    dorm_json_t j;
    dorm_json_init(&j, &run->out[OUT_JSON]);
    dorm_json_open(&j, NULL, '{');
    dorm_json_str(&j, "dormscan_version", dorm_version());
    dorm_json_str(&j, "command_line", o->command_line);
    dorm_json_open(&j, "input", '{');
    dorm_json_str(&j, "path", o->input);
    dorm_json_str(&j, "format", info->format);
    dorm_json_str(&j, "matrix", info->matrix_path);
    dorm_json_str(&j, "features", info->features_path);
    dorm_json_str(&j, "barcodes", info->barcodes_path);
    dorm_json_str(&j, "field", info->field);
    dorm_json_int(&j, "n_cells", info->n_cells);
    dorm_json_int(&j, "n_genes", f->n);
    dorm_json_int(&j, "n_features_dropped", f->n_dropped);
    dorm_json_int(&j, "nnz", dorm_reader_entries_read(run->reader));
    dorm_json_str(&j, "id_type", dorm_id_type_name(f->id_type));
    dorm_json_str(&j, "read_mode", run->in_memory ? "in-memory" : "streaming");
    dorm_json_close(&j, '}');
    dorm_json_open(&j, "method", '{');
    int module = o->score.method == DORM_METHOD_MODULE;
    dorm_json_str(&j, "name", module ? "module" : "ucell");
    if (module) {
        dorm_json_int(&j, "n_bins", o->score.n_bins);
        dorm_json_int(&j, "n_ctrl", o->score.n_ctrl);
        dorm_json_bool(&j, "normalized_input", o->score.normalized);
        dorm_json_num(&j, "scale_factor", o->score.scale_factor);
    } else {
        dorm_json_int(&j, "max_rank", o->score.max_rank);
        dorm_json_int(&j, "extra_zero_genes", rs->n_extra);
    }
    dorm_json_str(&j, "phase_rule", module ? "seurat" : "rank_z");
    if (!module)
        dorm_json_num(&j, "phase_z", o->phase_z);
    dorm_json_close(&j, '}');
    dorm_json_open(&j, "signature_files", '[');
    for (int i = 0; i < rs->out.n_sources; i++) {
        dorm_json_open(&j, NULL, '{');
        dorm_json_str(&j, "path", rs->out.sources[i].path);
        dorm_json_str(&j, "sha256", rs->out.sources[i].sha256);
        dorm_json_close(&j, '}');
    }
    dorm_json_close(&j, ']');
    dorm_json_open(&j, "coverage", '[');
    for (int i = 0; i < rs->n_score; i++) {
        const dorm_match_t *m = &rs->match[i];
        dorm_json_open(&j, NULL, '{');
        dorm_json_str(&j, "set", rs->set[i]->name);
        dorm_json_bool(&j, "column", i < rs->n_out);
        dorm_json_int(&j, "found", m->n_found);
        dorm_json_int(&j, "total", m->n_total);
        dorm_json_open(&j, "missing", '[');
        for (int k = 0; k < m->n_total - m->n_found; k++)
            dorm_json_str(&j, NULL, m->missing[k]);
        dorm_json_close(&j, ']');
        dorm_json_close(&j, '}');
    }
    dorm_json_close(&j, ']');
    dorm_json_open(&j, "qc", '{');
    dorm_json_int(&j, "min_genes", o->qc.min_genes);
    dorm_json_num(&j, "min_umis", o->qc.min_umis);
    dorm_json_num(&j, "max_mito", o->qc.max_mito);
    dorm_json_int(&j, "mito_genes_found", run->n_mito_genes);
    dorm_json_int(&j, "ribo_genes_found", run->n_ribo_genes);
    dorm_json_close(&j, '}');
    dorm_json_open(&j, "timings_seconds", '{');
    dorm_json_num(&j, "gene_means", run->t_means - run->t_start);
    dorm_json_num(&j, "score_and_write", run->t_scored - run->t_means);
    dorm_json_num(&j, "total", now() - run->t_start);
    dorm_json_close(&j, '}');
    dorm_json_close(&j, '}');
}

static void run_free(run_t *run)
{
    abort_outputs(run);
    dorm_scorer_destroy(run->scorer);
    dorm_gene_means_destroy(&run->means);
    run_sets_free(&run->sets);
    dorm_reader_close(run->reader);
    free(run->qc_flags);
    free(run->score);
    free(run->z);
    free(run->p);
}

int dorm_run_score(const dorm_run_opts_t *opts, dorm_err_t *err)
{
    run_t run;
    memset(&run, 0, sizeof run);
    run.opts = opts;
    run.t_start = now();
    dorm_blas_single_thread();
    int rc = open_reader(&run, err);
    const dorm_features_t *f = rc == 0 ? dorm_reader_features(run.reader) : NULL;
    if (rc == 0)
        rc = run_sets_build(&run.sets, opts, f, err);
    if (rc == 0)
        rc = dorm_qc_flags(f, &run.qc_flags, &run.n_mito_genes, &run.n_ribo_genes, err);
    if (rc == 0 && opts->score.method == DORM_METHOD_MODULE)
        rc = gene_means_pass(&run, err);
    run.t_means = now();
    if (rc == 0)
        rc = dorm_scorer_init(&run.scorer, &opts->score, dorm_reader_features(run.reader)->n,
                              run.sets.n_extra, run.sets.score_sets, run.sets.n_score,
                              &run.means, err);
    if (rc == 0)
        rc = dorm_mkdir_p(opts->outdir, err);
    if (rc == 0)
        rc = scoring_pass(&run, err);
    run.t_scored = now();
    if (rc == 0)
        rc = dorm_outfile_open(&run.out[OUT_SUMMARY], opts->outdir, "summary.tsv", 0, err);
    if (rc == 0)
        rc = dorm_outfile_open(&run.out[OUT_JSON], opts->outdir, "run.json", 0, err);
    if (rc == 0) {
        dorm_summary_write(&run.out[OUT_SUMMARY], &run.summary);
        write_run_json(&run);
    }
    for (int i = 0; i < N_OUT && rc == 0; i++)
        rc = dorm_outfile_commit(&run.out[i], err);
    run_free(&run);
    return rc;
}
