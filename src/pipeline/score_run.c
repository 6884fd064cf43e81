/* score_run.c -- `dormscan score`: read, score, calibrate, call and write.
 *
 * Every cell is scored against one frame of reference (dormscan/reference.h):
 * a --reference file, or the run's own cells.  With one input, no file and
 * no --shard, the read pass makes the reference's gene means from the
 * input's reference cells and puts every chunk in a compact temporary cell
 * store; the scoring pass reads the store back, and the baselines are taken
 * from the scored records before the calls.  With a file, or with several
 * inputs or a shard (whose pooled reference reference_run.c builds first),
 * the reference is known before the first cell: one pass, each chunk from
 * the reader straight to the scoring workers.  Each cell's scores, z and p
 * go to a spill file; once the sample is scored, the p-values are
 * BH-adjusted across its cells (low-quality cells excluded) and a last pass
 * over the spill writes the calls into cells.tsv.  If the entries turn out
 * not to be grouped by cell, the reader is reopened in memory and the
 * sample starts again; nothing is under a final name until every sample is
 * done. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "baseline_internal.h"
#include "core/sha256.h"
#include "core/text.h"
#include "dormscan/reference_file.h"
#include "dormscan/geneset.h"
#include "dormscan/reader.h"
#include "dormscan/score.h"
#include "dormscan/version.h"
#include "dormscan/h5ad.h"
#include "dormscan/json.h"
#include "dormscan/tables.h"
#include "reference_run_internal.h"
#include "finish_internal.h"
#include "store/shard.h"
#include "score_run_internal.h"

static int open_reader(run_t *run, dorm_err_t *err)
{
    dorm_reader_close(run->reader);
    run->reader = NULL;
    dorm_reader_opts_t ro = run->opts->reader;
    ro.chunk_cells = run->opts->chunk_cells;
    ro.in_memory = run->in_memory;
    ro.threads = run->plan.reader;
    ro.helped = run->plan.prescore > 0; /* (idle_read_work) */
    return dorm_reader_open(&run->reader, run->sample->path, &ro, err);
}

/* Reopen in memory after DORM_E_UNSORTED. */
static int switch_to_memory(run_t *run, dorm_err_t *err)
{
    dorm_log(DORM_LOG_WARN, "%s: entries are not grouped by cell; loading the whole matrix",
             run->sample->path);
    run->in_memory = 1;
    dorm_err_clear(err);
    return open_reader(run, err);
}

/* Once per sample, on the first chunk with values: values that are not
 * whole numbers are most likely already normalised (a scanpy X after
 * normalize_total and log1p), which LogNormalize would transform again. */
static void note_values(run_t *run, const dorm_chunk_t *ch)
{
    if (run->values_checked || run->opts->score.normalized || ch->col_ptr[ch->n_cells] == ch->col_ptr[0])
        return;
    run->values_checked = 1;
    if (ch->count)
        return;
    for (int64_t i = ch->col_ptr[0]; i < ch->col_ptr[ch->n_cells]; i++) {
        double v = ch->value[i];
        if (v == floor(v))
            continue;
        int64_t c = 0;
        while (c + 1 < ch->n_cells && ch->col_ptr[c + 1] <= i)
            c++;
        dorm_log(DORM_LOG_WARN, "%s: the values are not counts (%g in cell %s): if they are "
                 "already normalised (log1p, normalize_total), give --normalized; for an "
                 "AnnData, --layer counts or --raw may hold the counts", run->sample->name, v,
                 ch->barcodes[c]);
        return;
    }
}

/* own_ref: the chunk's reference cells (kept by the filters, passing the
 * QC) into the gene sums of every cell and of their types. */
static int add_reference_cells(run_t *run, const dorm_chunk_t *ch, dorm_err_t *err)
{
    if (!run->own_ref)
        return 0;
    if (ch->n_cells > run->scratch_cap) {
        uint8_t *e = realloc(run->eligible, (size_t)ch->n_cells);
        if (e)
            run->eligible = e;
        const char **t = e ? realloc(run->cell_types, (size_t)ch->n_cells * sizeof *t) : NULL;
        if (!t)
            return dorm_err_nomem(err);
        run->cell_types = t;
        run->scratch_cap = ch->n_cells;
    }
    refcells_t rc = {&run->meta, run->sample->name, run->opts->celltype ? &run->types : NULL,
                     run->qc_flags, run->n_mito > 0, run->n_ribo > 0, &run->opts->qc};
    dorm_reference_cells(&rc, ch, run->eligible, run->cell_types);
    return dorm_popmeans_add(&run->pm, &run->opts->score, ch, run->eligible, run->cell_types, NULL, err);
}

/* On a prescore thread, chunks in input order: the gene means (the same sums
 * in the same order as on the reading thread) and the cell store, which
 * would otherwise keep the reading thread the slower one. */
static int in_order_work(void *ctx, const dorm_chunk_t *ch, int kept, dorm_err_t *err)
{
    run_t *run = ctx;
    int rc = add_reference_cells(run, ch, err);
    return rc == 0 && kept ? dorm_cellstore_put(&run->store, ch, err) : rc;
}

/* On a prescore thread with no chunk to score: the reader's work ahead. */
static int idle_read_work(void *ctx)
{
    run_t *run = ctx;
    return dorm_reader_help(run->reader);
}

/* Column-set scorers of the first n_pre + 1 workers: the prescore threads
 * use the first n_pre, the reading thread the last when it helps them
 * (again after a restart in memory). */
static int start_prescore(run_t *run, dorm_err_t *err)
{
    dorm_scorer_t *sc[run->plan.prescore + 1];
    int64_t n_genes = dorm_reader_features(run->reader)->n;
    int rc = 0;
    for (int i = 0; rc == 0 && i <= run->plan.prescore && i < run->n_workers; i++) {
        worker_t *w = &run->workers[i];
        if (!w->scorer)
            rc = dorm_scorer_init(&w->scorer, &run->opts->score, n_genes, run->sets.n_extra,
                                  run->sets.col_sets, run->sets.n_col, NULL, err);
        sc[i] = w->scorer;
    }
    dorm_scorer_t *helper = run->plan.prescore < run->n_workers ? sc[run->plan.prescore] : NULL;
    if (rc == 0)
        rc = dorm_prescore_start(&run->pre, sc, run->plan.prescore, helper, run->sets.n_col, in_order_work,
                            idle_read_work, run, run->opts->outdir, err);
    return rc;
}

/* The cells [*lo, *hi) this run writes: all, or its --shard's share. */
static void shard_range(const run_t *run, int64_t *lo, int64_t *hi)
{
    *lo = 0;
    *hi = INT64_MAX;
    if (run->opts->shard_n > 0) {
        int64_t n_cells = dorm_reader_info(run->reader)->n_cells;
        *lo = n_cells * (run->opts->shard_k - 1) / run->opts->shard_n;
        *hi = n_cells * run->opts->shard_k / run->opts->shard_n;
    }
}

/* The read pass: gene means of normalised expression over every cell, the
 * chunks with cells this run writes into the store (and to the prescore
 * threads for scoring). */
static int read_pass(run_t *run, dorm_err_t *err)
{
    int rc = dorm_cellstore_open(&run->store, run->opts->outdir, "cells", err);
    int64_t n_cells = rc == 0 ? dorm_reader_info(run->reader)->n_cells : 0;
    for (;;) {
        dorm_prescore_close(run->pre); /* before the means it adds to */
        run->pre = NULL;
        if (run->own_ref) {
            dorm_popmeans_free(&run->pm);
            if (rc == 0)
                rc = dorm_popmeans_init(&run->pm, dorm_reader_features(run->reader)->n,
                                   run->opts->celltype != NULL, err);
        }
        if (rc == 0 && run->plan.prescore > 0)
            rc = start_prescore(run, err);
        const dorm_chunk_t *ch;
        int64_t lo = 0, hi = 0;
        if (rc == 0)
            shard_range(run, &lo, &hi);
        while (rc == 0 && (rc = dorm_reader_read(run->reader, &ch, err)) > 0) {
            /* every cell counts towards the means; a shard keeps its own */
            int keep = ch->first_cell < hi && ch->first_cell + ch->n_cells > lo;
            int64_t done = ch->first_cell + ch->n_cells;
            note_values(run, ch);
            if (run->pre) /* (ch moves to the prescore queue) */
                rc = dorm_prescore_put(run->pre, run->reader, keep, err);
            else if ((rc = add_reference_cells(run, ch, err)) == 0 && keep)
                rc = dorm_cellstore_put(&run->store, ch, err);
            if (rc == 0 && run->opts->progress)
                run->opts->progress(run->sample->name, done, n_cells, run->opts->progress_data);
        }
        if (rc < 0) { /* stop the threads before anything they use goes */
            dorm_prescore_close(run->pre);
            run->pre = NULL;
        }
        if (rc == DORM_E_UNSORTED && !run->in_memory) {
            if ((rc = switch_to_memory(run, err)) < 0 ||
                (rc = dorm_cellstore_clear(&run->store, err)) < 0)
                return rc;
            continue;
        }
        if (rc == 0 && run->pre)
            rc = dorm_prescore_finish(run->pre, err);
        if (rc < 0)
            return rc;
        return dorm_cellstore_rewind(&run->store, err);
    }
}

/* One cell's record: QC, set results, evidence. */
static void cell_record(const run_t *run, const worker_t *w, int64_t c, double *r)
{
    const dorm_chunk_t *ch = w->chunk;
    const run_sets_t *rs = &run->sets;
    int64_t a = ch->col_ptr[c];
    dorm_qc_t qc;
    dorm_qc_cell(ch->gene + a, ch->value + a, ch->count ? ch->count + a : NULL,
                 ch->col_ptr[c + 1] - a, run->qc_flags,
                 run->n_mito > 0, run->n_ribo > 0, &qc);
    size_t at = (size_t)c * (size_t)rs->n_col, cat = (size_t)c * (size_t)rs->n_cls;
    const double *sc = w->buf[0] + at, *zc = w->buf[1] + at, *pc = w->buf[2] + at;
    r[R_UMI] = qc.n_umi;
    r[R_GENES] = (double)qc.n_genes;
    r[R_MITO] = qc.pct_mito;
    r[R_RIBO] = qc.pct_ribo;
    r[R_LOW] = dorm_qc_is_low(&qc, &run->opts->qc);
    r[R_NOT_REF] = r[R_LOW] || !dorm_cellmeta_baseline(&run->meta, ch->barcodes[c], run->sample->name);
    for (int i = 0; i < rs->n_out; i++) {
        int k = rs->out_score[i];
        double *v = r + R_SETS + 3 * i;
        v[0] = k >= 0 ? sc[k] : NAN;
        v[1] = k >= 0 ? zc[k] : NAN;
        v[2] = k >= 0 ? pc[k] : NAN;
    }
    int pop = w->n_pops > 1 ? w->pop[c] : 0;
    r[R_POP] = pop;
    dorm_reference_components(rs, w->buf[6] + cat, w->buf[7] + cat, w->buf[8] + cat, r + R_COMP);
    double *ev_z = r + R_EV_Z(rs->n_out), *ev_p = r + R_EV_P(rs->n_out);
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        ev_z[e] = ev_p[e] = NAN;
    r[R_PHASE] = DORM_N_PHASES;
    if (run->own_ref || pop < 0)
        return; /* the baselines come from these records (own_baselines) */
    const double *block = r + R_COMP;
    dorm_reference_evidence(run->ref, pop, block, block + DORM_N_COMPONENTS,
                            block + 2 * DORM_N_COMPONENTS, ev_z, ev_p);
    r[R_PHASE] = dorm_reference_phase(run->ref, pop, block, block + DORM_N_COMPONENTS);
    if (run->ref->pop_cells[pop] < run->opts->min_ref_cells)
        pop = -1;
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        if (pop < 0)
            ev_z[e] = ev_p[e] = NAN;
        else if (e != DORM_EV_CYCLING) /* (the cycle is judged in the cell itself) */
            dorm_reference_standardise(&run->ref->baseline[pop * DORM_N_EVIDENCE + e], ev_z[e],
                                       &ev_z[e], &ev_p[e]);
    }
}

/* On a worker's thread: each cell's reference population, by its type. */
static void cell_pops(void *ctx, worker_t *w)
{
    const run_t *run = ctx;
    const dorm_chunk_t *ch = w->chunk;
    for (int64_t c = 0; c < ch->n_cells; c++)
        w->pop[c] = dorm_reference_pop(run->ref, dorm_typesrc_get(&run->types, ch->barcodes[c]));
}

/* On a worker's thread: the records of its chunk's kept cells (in the
 * shard's cell range, not excluded by --cells/--keep). */
static int chunk_records(void *ctx, worker_t *w, dorm_err_t *err)
{
    (void)err;
    const run_t *run = ctx;
    const dorm_chunk_t *ch = w->chunk;
    int64_t lo, hi;
    shard_range(run, &lo, &hi);
    for (int64_t c = 0; c < ch->n_cells; c++) {
        int64_t cell = ch->first_cell + c;
        w->keep[c] = cell >= lo && cell < hi && dorm_cellmeta_keep(&run->meta, ch->barcodes[c]);
        if (w->keep[c])
            cell_record(run, w, c, w->rec + (size_t)c * (size_t)w->rec_len);
    }
    return 0;
}

/* On a worker's thread, one chunk at a time in input order: its kept
 * records into the spill. */
static int spill_records(void *ctx, worker_t *w, dorm_err_t *err)
{
    run_t *run = ctx;
    int rc = 0;
    if (!run->input_barcode && w->chunk->n_cells > 0 &&
        !(run->input_barcode = strdup(w->chunk->barcodes[0])))
        rc = dorm_err_nomem(err);
    for (int64_t c = 0; rc == 0 && c < w->chunk->n_cells; c++)
        if (w->keep[c]) {
            const double *r = w->rec + (size_t)c * (size_t)w->rec_len;
            rc = dorm_cellmeta_check_barcode(w->chunk->barcodes[c], run->sample->path,
                                        w->chunk->first_cell + c, err);
            if (rc == 0)
                rc = dorm_spill_append(&run->spill, r, w->chunk->barcodes[c], err);
            run->n_kept++;
        }
    return rc;
}

/* The scoring pass: the store's chunks into the spill. */
static int scoring_pass(run_t *run, int64_t *kept, dorm_err_t *err)
{
    run->n_kept = 0;
    int rc = dorm_spill_open(&run->spill, run->opts->outdir, "spill", R_LEN(run->sets.n_out), err);
    worker_source_t src = {&run->store, run->pre, NULL};
    worker_calls_t calls = {cell_pops, NULL, chunk_records, spill_records, run};
    if (rc == 0)
        rc = dorm_workers_run(run->workers, run->n_workers, &src, &calls, err);
    *kept = run->n_kept;
    return rc;
}

/* Direct: whether a chunk read has cells this run writes (its shard's);
 * every chunk passes here in input order, so progress is told here. */
static int chunk_wanted(void *ctx, const dorm_chunk_t *ch)
{
    run_t *run = ctx;
    int64_t lo, hi, done = ch->first_cell + ch->n_cells;
    shard_range(run, &lo, &hi);
    note_values(run, ch);
    if (run->opts->progress)
        run->opts->progress(run->sample->name, done, dorm_reader_info(run->reader)->n_cells,
                            run->opts->progress_data);
    return ch->first_cell < hi && done > lo;
}

/* With the reference known before the first cell: one pass, each chunk
 * from the reader straight to the scoring workers, no cell store.  Input
 * that turns out not to be grouped by cell is read again in memory. */
static int direct_pass(run_t *run, int64_t *kept, dorm_err_t *err)
{
    for (;;) {
        run->n_kept = 0;
        dorm_spill_close(&run->spill);
        int rc = dorm_spill_open(&run->spill, run->opts->outdir, "spill", R_LEN(run->sets.n_out), err);
        worker_source_t src = {NULL, NULL, run->reader};
        worker_calls_t calls = {cell_pops, chunk_wanted, chunk_records, spill_records, run};
        if (rc == 0)
            rc = dorm_workers_run(run->workers, run->n_workers, &src, &calls, err);
        *kept = run->n_kept;
        if (rc != DORM_E_UNSORTED || run->in_memory)
            return rc;
        if ((rc = switch_to_memory(run, err)) < 0)
            return rc;
    }
}

/* BH across the sample, then calls and the table rows. */
static int write_sample(run_t *run, dorm_err_t *err)
{
    finisher_t f = {
        .n_out = run->sets.n_out,
        .fdr = run->opts->fdr,
        .sample_column = run->opts->sample_column,
        .meta = &run->meta,
        .groupby = run->opts->groupby,
        .obs_group = &run->obs.map,
        .obs_values = run->obs.values,
        .summary = &run->summary,
        .summary_all = run->opts->n_samples > 1 ? &run->summary_all : NULL,
        .cells = &run->out[OUT_CELLS],
        .evidence_hist = run->evidence_hist,
        .qc_hist = run->qc_hist,
        .sample_evidence = run->sample_evidence
                               ? run->sample_evidence[run->sample - run->opts->samples]
                               : NULL,
        .threads = run->plan.finish,
    };
    return dorm_finish_sample(&f, &run->spill, run->sample->name, err);
}

/* Free what only the passes need (scorers, chunks, the cell store and its
 * file, prescored results, the reader and its buffers) before the FDRs
 * take their memory. */
static void release_scoring(run_t *run)
{
    dorm_prescore_close(run->pre);
    run->pre = NULL;
    for (int i = 0; i < run->n_workers; i++)
        dorm_worker_free(&run->workers[i]);
    dorm_cellstore_close(&run->store);
    dorm_reader_close(run->reader);
    run->reader = NULL;
#if defined(__GLIBC__)
    malloc_trim(0); /* give the freed chunks back, so that the FDRs' memory does not add to them */
#endif
}

static void sample_reset(run_t *run)
{
    dorm_prescore_close(run->pre); /* first: its threads use the scorers and the store */
    run->pre = NULL;
    for (int i = 0; i < run->n_workers; i++) {
        dorm_scorer_destroy(run->workers[i].scorer);
        run->workers[i].scorer = NULL;
        dorm_worker_free_cls(&run->workers[i]);
    }
    dorm_popmeans_free(&run->pm);
    dorm_reader_close(run->reader);
    run->reader = NULL;
    free(run->qc_flags);
    run->qc_flags = NULL;
    dorm_spill_close(&run->spill);
    dorm_cellstore_close(&run->store);
    run->plan.prescore = 0;
    run->in_memory = 0;
    run->values_checked = 0;
    dorm_obsmap_free(&run->obs);
    dorm_obsmap_free(&run->obs_type);
}

static int record_info(run_t *run, sample_info_t *si, dorm_err_t *err)
{
    const dorm_reader_info_t *info = dorm_reader_info(run->reader);
    const dorm_features_t *f = dorm_reader_features(run->reader);
    const run_sets_t *rs = &run->sets;
    snprintf(si->format, sizeof si->format, "%s", info->format);
    snprintf(si->field, sizeof si->field, "%s", info->field);
    snprintf(si->id_type, sizeof si->id_type, "%s", dorm_id_type_name(f->id_type));
    si->n_cells = info->n_cells;
    si->n_genes = f->n;
    si->n_dropped = f->n_dropped;
    si->nnz = dorm_reader_entries_read(run->reader);
    si->in_memory = run->in_memory;
    si->species = rs->species;
    si->n_mito = run->n_mito;
    si->n_ribo = run->n_ribo;
    si->n_extra = rs->n_extra;
    int n_comp;
    dorm_components(&n_comp);
    int n = rs->n_out + n_comp;
    si->found = malloc((size_t)n * sizeof *si->found);
    si->total = malloc((size_t)n * sizeof *si->total);
    si->scored = malloc((size_t)n * sizeof *si->scored);
    if (!si->found || !si->total || !si->scored)
        return dorm_err_nomem(err);
    memcpy(si->found, rs->cov_found, (size_t)n * sizeof *si->found);
    memcpy(si->total, rs->cov_total, (size_t)n * sizeof *si->total);
    for (int i = 0; i < n; i++)
        si->scored[i] = i < rs->n_out ? rs->out_score[i] >= 0 : rs->comp_score[i - rs->n_out] >= 0;
    return 0;
}

/* --celltype: a --groups column, else an obs column of an h5ad input. */
static int set_type_source(run_t *run, dorm_err_t *err)
{
    run->types = (typesrc_t){&run->meta, -1, NULL, NULL};
    if (!run->opts->celltype)
        return 0;
    const obsmap_t *om = &run->obs;
    int rc = 0;
    dorm_typesrc_column(&run->types, run->opts->celltype);
    if (run->types.col < 0 &&
        !(run->opts->groupby && strcmp(run->opts->groupby, run->opts->celltype) == 0)) {
        rc = dorm_obsmap_load(&run->obs_type, run->sample->path, dorm_reader_info(run->reader)->format,
                         run->opts->celltype, "--celltype (not a --groups column)", err);
        om = &run->obs_type;
    }
    if (rc == 0 && run->types.col < 0) {
        run->types.obs = &om->map;
        run->types.obs_values = om->values;
    }
    return rc;
}

/* own_ref, after the read pass: the reference of this sample's cells
 * (gene means now; baselines once its cells are scored). */
static int make_own_reference(run_t *run, const dorm_features_t *f, dorm_err_t *err)
{
    dorm_reference_destroy(run->ref);
    run->ref = NULL;
    int rc = dorm_popmeans_reference(&run->pm, f->ids, f->names, &run->ref, err);
    if (rc == 0)
        rc = dorm_reference_check_baseline(run->ref, run->opts->baseline, err);
    if (rc < 0)
        return rc;
    dorm_reference_t *r = run->ref;
    r->species = run->sets.species;
    dorm_reference_panel_hash(&run->sets, r->panel);
    r->n_bins = run->opts->score.n_bins;
    r->normalized = run->opts->score.normalized != 0;
    r->scale_factor = run->opts->score.scale_factor;
    char built[1024];
    snprintf(built, sizeof built, "the reference cells of sample %s%s%s", run->sample->name,
             run->opts->baseline ? " with --baseline " : "",
             run->opts->baseline ? run->opts->baseline : "");
    dorm_text_flatten(built); /* one line of the file */
    if ((run->opts->celltype && !(r->celltype = strdup(run->opts->celltype))) ||
        !(r->built_from = strdup(built)))
        return dorm_err_nomem(err);
    return 0;
}

/* The workers' scorers: the column sets with the run's method (bins from
 * the reference's gene means), the classifier's sets per population. */
static int init_scorers(run_t *run, const dorm_features_t *f, dorm_err_t *err)
{
    dorm_gene_means_t means;
    int rc = dorm_reference_gene_means(run->ref, 0, f, &means, err);
    int n_comp;
    dorm_components(&n_comp);
    for (int i = 0; rc == 0 && i < run->n_workers; i++) {
        worker_t *w = &run->workers[i];
        w->n_col = run->sets.n_col;
        w->n_cls = run->sets.n_cls;
        w->rec_len = R_LEN(run->sets.n_out); /* the same for every sample */
        w->n_scratch = n_comp;
        if (!run->pre) /* prescored runs have their column results */
            rc = dorm_scorer_init(&w->scorer, &run->opts->score, f->n, run->sets.n_extra,
                                  run->sets.col_sets, run->sets.n_col, &means, err);
        if (rc == 0)
            rc = dorm_reference_scorers(run->ref, f, &run->sets, &run->opts->score, &w->cls, err);
        if (rc == 0)
            w->n_pops = run->ref->n_pops;
    }
    dorm_gene_means_destroy(&means);
    return rc;
}

/* own_ref, after the scoring pass: the baselines from the records, which
 * then turn from deviations into evidence and scores. */
static int own_baselines(run_t *run, dorm_err_t *err)
{
    int n_out = run->sets.n_out;
    record_cols_t cols = {R_LEN(n_out), R_POP, R_COMP, R_EV_Z(n_out), R_EV_P(n_out), R_PHASE,
                          R_NOT_REF};
    FILE *f = run->spill.rec;
    const char *path = run->spill.rec_path;
    int64_t budget = run->spill.fdr_memory;
    int rc = dorm_component_baselines(f, path, &cols, run->ref, budget, err);
    if (rc == 0)
        rc = dorm_records_evidence(f, path, &cols, run->ref, err);
    if (rc == 0)
        rc = dorm_programme_baselines(f, path, &cols, run->ref, budget, err);
    if (rc == 0)
        rc = dorm_records_standardise(f, path, &cols, run->ref, run->opts->min_ref_cells, err);
    if (rc == 0)
        dorm_reference_digest(run->ref, run->ref_id);
    return rc;
}

/* The cells of the sample just written that were called unscored. */
static int64_t unscored_cells(const run_t *run)
{
    for (int64_t i = 0; i < run->summary.n; i++) {
        const dorm_summary_row_t *r = &run->summary.rows[i];
        if (strcmp(r->sample, run->sample->name) == 0 && strcmp(r->grouping, "all") == 0)
            return r->state[DORM_STATE_UNSCORED];
    }
    return 0;
}

/* One warning for the cells the reference could not score, with the
 * reasons that can apply. */
static void warn_unscored(const run_t *run)
{
    int64_t n = unscored_cells(run);
    if (n == 0)
        return;
    const dorm_reference_t *r = run->ref;
    char why[1024] = "";
    size_t used = 0;
    int small = 0;
    for (int p = r->celltype ? 1 : 0; p < r->n_pops; p++)
        if (r->pop_cells[p] < run->opts->min_ref_cells)
            dorm_appendf(why, sizeof why, &used, "%s%s (%lld)",
                         small++ ? ", " : "cell types with fewer than --min-reference-cells "
                                          "reference cells: ",
                         r->pop_names[p], (long long)r->pop_cells[p]);
    if (r->celltype)
        dorm_appendf(why, sizeof why, &used, "%scell types absent from %s", small ? "; " : "",
                     dorm_run_reference_label(run));
    dorm_appendf(why, sizeof why, &used, "%sno gene of any programme found",
                 small || r->celltype ? "; or " : "");
    dorm_log(DORM_LOG_WARN, "%s: %lld cells unscored: %s", run->sample->name, (long long)n, why);
}

static int run_sample(run_t *run, int s, dorm_err_t *err)
{
    double t0 = dorm_run_now();
    run->sample = &run->opts->samples[s];
    run->plan = dorm_thread_plan(run->opts->threads, run->own_ref ? DORM_PASS_TWO : DORM_PASS_DIRECT,
                                 dorm_method_info(run->opts->score.method)->scores_cells_alone);
    int rc = open_reader(run, err);
    const dorm_features_t *f = rc == 0 ? dorm_reader_features(run->reader) : NULL;
    if (rc == 0)
        rc = dorm_run_sets_match(&run->sets, run->opts, f, run->sample->name, err);
    if (rc == 0 && run->opts->groupby)
        rc = dorm_obsmap_load(&run->obs, run->sample->path, dorm_reader_info(run->reader)->format,
                         run->opts->groupby, "--groupby", err);
    if (rc == 0)
        rc = set_type_source(run, err);
    if (rc == 0 && !run->own_ref)
        rc = dorm_reference_check(run->ref, dorm_run_reference_label(run), &run->sets, f, &run->opts->score,
                             run->sample->name, err);
    if (rc == 0)
        rc = dorm_qc_flags(f, &run->qc_flags, &run->n_mito, &run->n_ribo, err);
    if (rc == 0 && run->own_ref)
        rc = read_pass(run, err);
    f = rc == 0 ? dorm_reader_features(run->reader) : NULL; /* (a restart in memory reopens) */
    if (rc == 0 && run->own_ref)
        rc = make_own_reference(run, f, err);
    if (rc == 0)
        rc = init_scorers(run, f, err);
    int64_t kept = 0;
    double t1 = dorm_run_now();
    if (rc == 0 && run->own_ref)
        rc = scoring_pass(run, &kept, err);
    else if (rc == 0)
        rc = direct_pass(run, &kept, err);
    double store_mb = (double)run->store.bytes / 1e6;
    sample_info_t *si = &run->info[s];
    if (rc == 0) /* (before the reader goes) */
        rc = record_info(run, si, err);
    si->n_written = kept;
    release_scoring(run); /* (before the baselines and FDRs take their memory) */
    double t_base = dorm_run_now();
    if (rc == 0 && run->own_ref)
        rc = own_baselines(run, err);
    double t2 = dorm_run_now();
    if (rc == 0 && run->opts->shard_n > 0)
        rc = dorm_shard_write_sample(&run->out[OUT_CELLS], run->sample->name, &run->spill,
                                R_LEN(run->sets.n_out), err);
    else if (rc == 0)
        rc = write_sample(run, err);
    if (rc == 0) /* (from the calls: a shard's come with merge) */
        warn_unscored(run);
    if (rc == 0 && run->own_ref)
        dorm_log(DORM_LOG_INFO, "%s: read %.2f s (cell store %.1f MB), scored %.2f s, "
                 "baselines %.2f s, written %.2f s", run->sample->name, t1 - t0, store_mb,
                 t_base - t1, t2 - t_base, dorm_run_now() - t2);
    else if (rc == 0)
        dorm_log(DORM_LOG_INFO, "%s: read and scored %.2f s (one pass), written %.2f s",
                 run->sample->name, t2 - t0, dorm_run_now() - t2);
    si->seconds = dorm_run_now() - t0;
    sample_reset(run);
    return rc;
}

static void run_free(run_t *run)
{
    sample_reset(run);
    dorm_reference_destroy(run->ref);
    free(run->input_barcode);
    free(run->eligible);
    free(run->cell_types);
    for (int i = 0; i < N_OUT; i++)
        dorm_outfile_abort(&run->out[i]);
    for (int s = 0; run->info && s < run->opts->n_samples; s++) {
        free(run->info[s].found);
        free(run->info[s].total);
        free(run->info[s].scored);
    }
    free(run->info);
    free(run->sample_evidence);
    dorm_run_sets_free(&run->sets);
    dorm_log_warnings_free(&run->warnings);
    dorm_cellmeta_free(&run->meta);
    dorm_summary_destroy(&run->summary);
    dorm_summary_destroy(&run->summary_all);
    for (int i = 0; run->workers && i < run->n_workers; i++)
        dorm_worker_free(&run->workers[i]);
    free(run->workers);
}

/* The counts of the cells written, from the summary rows over each sample. */
static void fill_result(const run_t *run, dorm_run_result_t *res)
{
    memset(res, 0, sizeof *res);
    for (int s = 0; s < run->opts->n_samples; s++)
        res->n_cells += run->info[s].n_written;
    for (int64_t i = 0; i < run->summary.n; i++) {
        const dorm_summary_row_t *r = &run->summary.rows[i];
        if (strcmp(r->grouping, "all") != 0)
            continue;
        for (int t = 0; t < DORM_N_STATES; t++)
            res->state[t] += r->state[t];
        res->sasp += r->sasp;
    }
}

/* Once the outputs are in place: files of dormscan's names that this run
 * did not write (cells.tsv beside a new cells.tsv.gz, a shard.bin beside a
 * finished table, or the tables beside a new shard.bin) are an earlier
 * run's, and would be read as this one's: remove them. */
static void remove_stale(const dorm_run_opts_t *o)
{
    static const char *const tables[] = {"cells.tsv", "cells.tsv.gz", "summary.tsv",
                                         "dormscan_mqc.tsv", "dormscan_general_stats_mqc.tsv",
                                         "report.html", NULL};
    char path[4096];
    for (int i = 0; tables[i]; i++) {
        int mine = o->shard_n == 0 && (i > 1 || (i == 1) == (o->gzip != 0));
        if (!mine && snprintf(path, sizeof path, "%s/%s", o->outdir, tables[i]) < (int)sizeof path)
            unlink(path);
    }
    if (o->shard_n == 0 && snprintf(path, sizeof path, "%s/shard.bin", o->outdir) < (int)sizeof path)
        unlink(path);
}

/* --cells or --keep that keep no cell of inputs that have cells are an
 * error (a wrong case or a -1 suffix would otherwise give an empty table). */
static int check_filters_kept(run_t *run, dorm_err_t *err)
{
    int64_t cells = 0, written = 0;
    for (int s = 0; s < run->opts->n_samples; s++) {
        cells += run->info[s].n_cells;
        written += run->info[s].n_written;
    }
    if (cells == 0 || written > 0)
        return 0;
    return dorm_cellmeta_none_kept(&run->meta, run->opts->cells_path, run->opts->keep,
                              run->input_barcode, err);
}

/* The frame of reference: the file, the pooled cells of several inputs
 * (built now), or the only input's own (made while it is read). */
static int load_reference(run_t *run, dorm_err_t *err)
{
    const dorm_run_opts_t *o = run->opts;
    int rc = 0;
    if (o->reference)
        rc = dorm_reference_read(&run->ref, o->reference, err);
    else if (o->n_samples > 1 || o->shard_n > 0) /* a shard sees only its own cells */
        rc = dorm_reference_build(o, o->outdir, &run->ref, err);
    else
        run->own_ref = 1;
    if (rc == 0 && run->ref) {
        dorm_reference_digest(run->ref, run->ref_id);
        if (o->celltype && (!run->ref->celltype || strcmp(run->ref->celltype, o->celltype) != 0))
            rc = dorm_err_set(err, DORM_E_USAGE, "--celltype %s, but %s %s", o->celltype,
                              dorm_run_reference_label(run),
                              run->ref->celltype ? "has other cell-type populations"
                                                 : "has no cell-type populations");
        else if (!o->celltype && run->ref->celltype)
            rc = dorm_err_set(err, DORM_E_USAGE, "%s has a baseline per %s: give --celltype %s",
                              dorm_run_reference_label(run), run->ref->celltype, run->ref->celltype);
    }
    return rc;
}

int dorm_run_score(const dorm_run_opts_t *opts, dorm_err_t *err)
{
    run_t run;
    memset(&run, 0, sizeof run);
    run.opts = opts;
    run.t_start = dorm_run_now();
    dorm_log_warnings_t *outer = dorm_log_keep_warnings(&run.warnings);
    dorm_finish_hists_init(run.evidence_hist, run.qc_hist);
    int rc = dorm_run_sets_load(&run.sets, opts, err);
    if (rc == 0)
        rc = dorm_cellmeta_load(&run.meta, opts->groups_path, opts->cells_path, opts->keep,
                           opts->baseline, err);
    if (rc == 0)
        rc = dorm_summary_init(&run.summary, err);
    if (rc == 0)
        rc = dorm_summary_init(&run.summary_all, err);
    if (rc == 0) {
        run.info = calloc((size_t)(opts->n_samples ? opts->n_samples : 1), sizeof *run.info);
        run.n_workers = dorm_thread_plan(opts->threads, DORM_PASS_DIRECT, 0).workers;
        run.workers = calloc((size_t)run.n_workers, sizeof *run.workers);
        if (opts->n_samples > 1)
            run.sample_evidence = calloc((size_t)opts->n_samples, sizeof *run.sample_evidence);
        if (!run.info || !run.workers || (opts->n_samples > 1 && !run.sample_evidence))
            rc = dorm_err_nomem(err);
        for (int s = 0; rc == 0 && run.sample_evidence && s < opts->n_samples; s++)
            for (int e = 0; e < DORM_N_EVIDENCE; e++)
                dorm_hist_init(&run.sample_evidence[s][e], -20, 20);
    }
    int lock_fd = -1;
    if (rc == 0)
        rc = dorm_outdir_prepare(opts->outdir, &lock_fd, err);
    if (rc == 0)
        rc = load_reference(&run, err);
    int gz = opts->gzip, shard = opts->shard_n > 0;
    if (rc == 0 && shard) {
        rc = dorm_outfile_open(&run.out[OUT_CELLS], opts->outdir, "shard.bin", 0, err);
        shard_header_t h = {opts->shard_k, opts->shard_n, "", opts->fdr, opts->sample_column, gz,
                            run.sets.n_out, run.sets.names, "", "", opts->groups_path};
        snprintf(h.method, sizeof h.method, "%s", dorm_method_info(opts->score.method)->name);
        memcpy(h.reference, run.ref_id, sizeof h.reference);
        memcpy(h.groups_sha256, run.meta.groups_sha256, sizeof h.groups_sha256);
        if (rc == 0)
            dorm_shard_write_header(&run.out[OUT_CELLS], &h);
    } else if (rc == 0) {
        rc = dorm_outfile_open(&run.out[OUT_CELLS], opts->outdir, gz ? "cells.tsv.gz" : "cells.tsv",
                               gz, err);
        if (rc == 0)
            dorm_cells_write_header(&run.out[OUT_CELLS], run.sets.names, run.sets.n_out,
                                    opts->sample_column);
    }
    for (int s = 0; rc == 0 && s < opts->n_samples; s++)
        rc = run_sample(&run, s, err);
    if (rc == 0 && !shard && (opts->cells_path || opts->keep))
        rc = check_filters_kept(&run, err);
    if (rc == 0 && shard)
        dorm_shard_write_end(&run.out[OUT_CELLS]);
    if (rc == 0 && !shard)
        rc = dorm_write_summaries(&run.out[OUT_SUMMARY], opts->outdir, "summary.tsv", &run.summary,
                             opts->n_samples > 1 ? &run.summary_all : NULL, err);
    if (rc == 0 && !shard)
        rc = dorm_run_write_report(&run, err);
    if (rc == 0)
        rc = dorm_outfile_open(&run.out[OUT_JSON], opts->outdir, "run.json", 0, err);
    if (rc == 0)
        dorm_run_write_json(&run);
    if (rc == 0)
        rc = dorm_outfile_commit_all(run.out, N_OUT, err);
    if (rc == 0)
        remove_stale(opts);
    if (rc == 0 && opts->result)
        fill_result(&run, opts->result);
    dorm_log_keep_warnings(outer);
    run_free(&run);
    dorm_outdir_release(lock_fd);
    return rc;
}
