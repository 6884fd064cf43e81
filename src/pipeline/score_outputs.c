/* score_outputs.c -- what `dormscan score` says about its run besides the
 * tables: run.json (provenance, coverage, timings) and report.html, and how
 * they (and messages) name the frame of reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sha256.h"
#include "dormscan/json.h"
#include "dormscan/version.h"
#include "finish_internal.h"
#include "score_run_internal.h"

double dorm_run_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Where the reference came from, for run.json and the report. */
const char *dorm_run_reference_source(const run_t *run)
{
    if (run->opts->reference)
        return "file";
    if (run->opts->baseline)
        return run->own_ref ? "this run's baseline cells (--baseline)"
                            : "the baseline cells of this run's inputs (--baseline)";
    return run->own_ref ? "this run's cells" : "the pooled cells of this run's inputs";
}

/* The frame of reference as messages name it. */
const char *dorm_run_reference_label(const run_t *run)
{
    return run->opts->reference ? run->opts->reference : "the reference of this run's cells";
}

void dorm_run_write_json(run_t *run)
{
    const dorm_run_opts_t *o = run->opts;
    const run_sets_t *rs = &run->sets;
    const dorm_method_info_t *method = dorm_method_info(o->score.method);
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    dorm_json_t j;
    dorm_json_init(&j, &run->out[OUT_JSON]);
    dorm_json_open(&j, NULL, '{');
    dorm_json_str(&j, "dormscan_version", dorm_version());
    dorm_json_str(&j, "command_line", o->command_line);
    dorm_json_open(&j, "method", '{');
    dorm_json_str(&j, "name", method->name);
    if (method->needs_gene_means) { /* the module method's options */
        dorm_json_int(&j, "n_bins", o->score.n_bins);
        dorm_json_int(&j, "n_ctrl", o->score.n_ctrl);
        dorm_json_bool(&j, "normalized_input", o->score.normalized);
        dorm_json_num(&j, "scale_factor", o->score.scale_factor);
    } else {
        dorm_json_int(&j, "max_rank", o->score.max_rank);
    }
    dorm_json_str(&j, "null", method->null);
    dorm_json_str(&j, "phase_rule", "relative: G1/S, S (histones) and G2/M programmes against the reference");
    dorm_json_num(&j, "fdr", o->fdr);
    dorm_json_close(&j, '}');
    if (o->shard_n > 0) {
        dorm_json_open(&j, "shard", '{');
        dorm_json_int(&j, "k", o->shard_k);
        dorm_json_int(&j, "n", o->shard_n);
        dorm_json_close(&j, '}');
    }
    dorm_json_str(&j, "reference_id", run->ref_id);
    dorm_json_open(&j, "reference", '{');
    dorm_json_str(&j, "source", dorm_run_reference_source(run));
    if (o->reference)
        dorm_json_str(&j, "path", o->reference);
    if (run->ref) {
        dorm_json_str(&j, "built_from", run->ref->built_from ? run->ref->built_from : "");
        dorm_json_str(&j, "species", dorm_species_name(run->ref->species));
        dorm_json_int(&j, "n_bins", run->ref->n_bins);
        if (run->ref->celltype)
            dorm_json_str(&j, "celltype", run->ref->celltype);
        dorm_json_int(&j, "min_reference_cells", o->min_ref_cells);
        dorm_json_open(&j, "populations", '[');
        for (int p = 0; p < run->ref->n_pops; p++) {
            dorm_json_open(&j, NULL, '{');
            dorm_json_str(&j, "name", run->ref->pop_names[p]);
            dorm_json_int(&j, "cells", run->ref->pop_cells[p]);
            dorm_json_close(&j, '}');
        }
        dorm_json_close(&j, ']');
    }
    dorm_json_close(&j, '}');
    dorm_json_open(&j, "signature_files", '[');
    const dorm_geneset_list_t *lists[] = {&rs->out, &rs->internal};
    for (int l = 0; l < 2; l++)
        for (int i = 0; i < lists[l]->n_sources; i++) {
            if (l == 1 && o->n_gmt == 0 && i == 0)
                continue; /* the panel is listed once */
            dorm_json_open(&j, NULL, '{');
            dorm_json_str(&j, "path", lists[l]->sources[i].path);
            dorm_json_str(&j, "sha256", lists[l]->sources[i].sha256);
            dorm_json_str(&j, "use", l == 0 ? "columns" : "classifier");
            dorm_json_close(&j, '}');
        }
    dorm_json_close(&j, ']');
    dorm_write_json_groups(&j, o->groups_path, &run->meta);
    dorm_json_open(&j, "qc", '{');
    dorm_json_int(&j, "min_genes", o->qc.min_genes);
    dorm_json_num(&j, "min_umis", o->qc.min_umis);
    dorm_json_num(&j, "max_mito", o->qc.max_mito);
    dorm_json_close(&j, '}');
    dorm_json_open(&j, "samples", '[');
    for (int s = 0; s < o->n_samples; s++) {
        const sample_info_t *si = &run->info[s];
        dorm_json_open(&j, NULL, '{');
        dorm_json_str(&j, "name", o->samples[s].name);
        dorm_json_str(&j, "path", o->samples[s].path);
        dorm_json_str(&j, "format", si->format);
        dorm_json_str(&j, "values", si->field);
        dorm_json_int(&j, "n_cells", si->n_cells);
        dorm_json_int(&j, "n_cells_written", si->n_written);
        dorm_json_int(&j, "n_genes", si->n_genes);
        dorm_json_int(&j, "n_features_dropped", si->n_dropped);
        dorm_json_int(&j, "nnz", si->nnz);
        dorm_json_str(&j, "id_type", si->id_type);
        dorm_json_str(&j, "species", dorm_species_name(si->species));
        dorm_json_str(&j, "read_mode", si->in_memory ? "in-memory" : "streaming");
        dorm_json_int(&j, "mito_genes_found", si->n_mito);
        dorm_json_int(&j, "ribo_genes_found", si->n_ribo);
        if (method->absent_as_zero)
            dorm_json_int(&j, "extra_zero_genes", si->n_extra);
        dorm_json_open(&j, "coverage", '[');
        for (int i = 0; i < rs->n_out + n_comp; i++) {
            dorm_json_open(&j, NULL, '{');
            int col = i < rs->n_out;
            dorm_json_str(&j, col ? "set" : "component", col ? rs->names[i] : comp[i - rs->n_out].name);
            dorm_json_int(&j, "found", si->found[i]);
            dorm_json_int(&j, "total", si->total[i]);
            dorm_json_bool(&j, "scored", si->scored[i]);
            if (!col)
                dorm_json_str(&j, "programme", dorm_evidence_name(comp[i - rs->n_out].evidence));
            dorm_json_close(&j, '}');
        }
        dorm_json_close(&j, ']');
        dorm_json_num(&j, "seconds", si->seconds);
        dorm_json_close(&j, '}');
    }
    dorm_json_close(&j, ']');
    dorm_write_json_warnings(&j, &run->warnings);
    dorm_json_open(&j, "timings_seconds", '{');
    dorm_json_num(&j, "total", dorm_run_now() - run->t_start);
    dorm_json_close(&j, '}');
    dorm_json_close(&j, '}');
}

/* The frame of reference in words, for report.html. */
static void reference_text(const run_t *run, char *buf, size_t size)
{
    const dorm_reference_t *r = run->ref;
    int n = snprintf(buf, size, "%s, %lld reference cells (%s)",
                     run->opts->reference ? run->opts->reference : dorm_run_reference_source(run),
                     (long long)(r ? r->pop_cells[0] : 0), r && r->built_from ? r->built_from : "");
    if (r && r->celltype && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", a baseline per %s (%d types)", r->celltype,
                 r->n_pops - 1);
}

/* report.html: the summary, the histograms and every sample's coverage. */
int dorm_run_write_report(run_t *run, dorm_err_t *err)
{
    const dorm_run_opts_t *o = run->opts;
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    int per = run->sets.n_out + n_comp;
    dorm_html_coverage_t *cov = calloc((size_t)(o->n_samples * per + 1), sizeof *cov);
    dorm_html_source_t *inputs = calloc((size_t)o->n_samples + 1, sizeof *inputs);
    if (!cov || !inputs) {
        free(cov);
        free(inputs);
        return dorm_err_nomem(err);
    }
    for (int s = 0; s < o->n_samples; s++)
        inputs[s] = (dorm_html_source_t){o->samples[s].name, o->samples[s].path};
    int n = 0;
    for (int s = 0; s < o->n_samples; s++)
        for (int i = 0; i < per; i++) {
            const sample_info_t *si = &run->info[s];
            int col = i < run->sets.n_out;
            cov[n++] = (dorm_html_coverage_t){
                o->samples[s].name, col ? run->sets.names[i] : comp[i - run->sets.n_out].name,
                si->found[i],       si->total[i],
                si->scored[i],      col ? NULL : dorm_evidence_name(comp[i - run->sets.n_out].evidence)};
        }
    char text[1024];
    reference_text(run, text, sizeof text);
    double cut[3] = {o->qc.min_genes > 0 ? o->qc.min_genes : NAN,
                     o->qc.min_umis > 0 ? log10(o->qc.min_umis) : NAN,
                     o->qc.max_mito < 100 ? o->qc.max_mito : NAN};
    report_head_t head = {o->command_line, text, &run->warnings, inputs, o->n_samples, cut,
                          (const dorm_hist_t(*)[DORM_N_EVIDENCE])run->sample_evidence};
    int rc = dorm_write_report(&run->out[OUT_REPORT], o->outdir, &head, &run->summary,
                          o->n_samples > 1 ? &run->summary_all : NULL, run->evidence_hist,
                          run->qc_hist, cov, n, err);
    free(cov);
    free(inputs);
    return rc;
}
