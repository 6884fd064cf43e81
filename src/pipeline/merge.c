/* merge.c -- `dormscan merge`: finish shards, or combine per-sample outputs.
 *
 * Shard mode (every input holds a shard.bin): for each sample, the records of
 * shards 1..N are concatenated in order and finished exactly as an unsharded
 * run finishes them, so cells.tsv and summary.tsv equal the unsharded run's.
 * Cohort mode (every input holds a summary.tsv): the per-sample rows are
 * copied and the rows over all samples rebuilt from their exact counts and
 * sums, giving cohort_summary.tsv equal to the summary of one joint run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/cellmeta.h"
#include "core/strmap.h"
#include "core/text.h"
#include "dormscan/log.h"
#include "dormscan/pipeline.h"
#include "dormscan/version.h"
#include "dormscan/json.h"
#include "dormscan/outfile.h"
#include "dormscan/summary.h"
#include "dormscan/tables.h"
#include "finish_internal.h"
#include "io/lines.h"
#include "store/shard.h"

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int exists(const char *dir, const char *name)
{
    char *p = join(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0;
    free(p);
    return ok;
}

/* ---- shard mode ---- */

static int record_len(int n_out) { return R_LEN(n_out); }

static int same_header(const shard_file_t *a, const shard_file_t *b, dorm_err_t *err)
{
    int same = a->h.n == b->h.n && strcmp(a->h.method, b->h.method) == 0 && a->h.fdr == b->h.fdr &&
               a->h.sample_column == b->h.sample_column && a->h.n_out == b->h.n_out;
    for (int i = 0; same && i < a->h.n_out; i++)
        same = strcmp(a->h.set_names[i], b->h.set_names[i]) == 0;
    if (!same)
        return dorm_err_set(err, DORM_E_USAGE,
                            "%s and %s come from different runs (options or gene sets differ)",
                            a->path, b->path);
    if (strcmp(a->h.groups_sha256, b->h.groups_sha256) != 0)
        return dorm_err_set(err, DORM_E_USAGE,
                            "%s and %s were scored with different --groups files (%s, %s)",
                            a->path, b->path, a->h.groups_path ? a->h.groups_path : "none",
                            b->h.groups_path ? b->h.groups_path : "none");
    if (strcmp(a->h.reference, b->h.reference) != 0)
        return dorm_err_set(err, DORM_E_USAGE,
                            "%s and %s were scored against different references; score every "
                            "shard with the same --reference", a->path, b->path);
    return 0;
}

/* A file's whole text (NUL-terminated), or NULL; caller frees. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    long size = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    size_t n = buf && fseek(f, 0, SEEK_SET) == 0 ? fread(buf, 1, (size_t)size, f) : 0;
    if (f)
        fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

/* The merged run's run.json: what merged it, the shards' reference, and
 * the first shard's run.json (inputs, options, coverage) as it was. */
static int write_merged_json(dorm_outfile_t *out, const dorm_merge_opts_t *o,
                             const shard_file_t *first, const cellmeta_t *meta,
                             const dorm_log_warnings_t *warnings, dorm_err_t *err)
{
    char *dir = strdup(first->path), *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        *slash = '\0';
    char *path = dir ? join(slash ? dir : ".", "run.json") : NULL;
    char *shard_json = path ? slurp(path) : NULL;
    int rc = dir && path ? 0 : dorm_err_nomem(err);
    if (rc == 0 && (!shard_json || shard_json[0] != '{'))
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: missing or not a dormscan run.json", path);
    if (rc == 0)
        rc = dorm_outfile_open(out, o->outdir, "run.json", 0, err);
    if (rc == 0) {
        dorm_json_t j;
        dorm_json_init(&j, out);
        dorm_json_open(&j, NULL, '{');
        dorm_json_str(&j, "dormscan_version", dorm_version());
        dorm_json_str(&j, "command_line", o->command_line);
        dorm_json_str(&j, "reference_id", first->h.reference);
        dorm_json_open(&j, "merged_shards", '[');
        for (int i = 0; i < o->n_inputs; i++)
            dorm_json_str(&j, NULL, o->inputs[i]);
        dorm_json_close(&j, ']');
        dorm_write_json_groups(&j, o->groups_path ? o->groups_path : first->h.groups_path, meta);
        dorm_write_json_warnings(&j, warnings);
        dorm_json_raw(&j, "shard_run", shard_json);
        dorm_json_close(&j, '}');
    }
    free(shard_json);
    free(path);
    free(dir);
    return rc;
}

/* The groups of the merged summary: merge's --groups, else the file the
 * shards were scored with, which must still be there and unchanged. */
static int shard_groups(cellmeta_t *meta, const char *given, const shard_header_t *h,
                       dorm_err_t *err)
{
    const char *path = given ? given : h->groups_path;
    if (!given && path && access(path, R_OK) != 0)
        return dorm_err_set(err, DORM_E_USAGE,
                            "the shards were scored with --groups %s, which cannot be read here: "
                            "give merge --groups", path);
    int rc = dorm_cellmeta_load(meta, path, NULL, NULL, NULL, err);
    if (rc == 0 && !given && path && strcmp(meta->groups_sha256, h->groups_sha256) != 0) {
        dorm_cellmeta_free(meta);
        rc = dorm_err_set(err, DORM_E_USAGE,
                          "%s has changed since the shards were scored with it: give merge "
                          "--groups to group by its present content", path);
    }
    return rc;
}

/* report.html of a merge: the inputs (named "shard K/N" when shards), and
 * the composition, with distributions when the merge has them (shards) or
 * without (a cohort's summaries hold none). */
static int write_merge_report(dorm_outfile_t *out, const dorm_merge_opts_t *o, const char *ref_text,
                              const dorm_log_warnings_t *warnings, const char *const *paths, int n,
                              int shards, const dorm_summary_t *per, const dorm_summary_t *all,
                              dorm_hist_t evidence[DORM_N_EVIDENCE][DORM_N_STATES],
                              const dorm_hist_t qc[3], dorm_err_t *err)
{
    dorm_html_source_t *inputs = calloc((size_t)(n > 0 ? n : 1), sizeof *inputs);
    char(*names)[32] = shards ? calloc((size_t)(n > 0 ? n : 1), sizeof *names) : NULL;
    if (!inputs || (shards && !names)) {
        free(inputs);
        free(names);
        return dorm_err_nomem(err);
    }
    for (int i = 0; i < n; i++) {
        if (shards)
            snprintf(names[i], sizeof names[i], "shard %d/%d", i + 1, n);
        inputs[i] = (dorm_html_source_t){shards ? names[i] : NULL, paths[i]};
    }
    report_head_t head = {.command_line = o->command_line, .reference = ref_text,
                          .warnings = warnings, .inputs = inputs, .n_inputs = n};
    int rc = dorm_write_report(out, o->outdir, &head, per, all, evidence, qc, NULL, 0, err);
    free(inputs);
    free(names);
    return rc;
}

static int merge_shards(const dorm_merge_opts_t *o, dorm_err_t *err)
{
    int n = o->n_inputs, rc = 0;
    shard_file_t *sh = calloc((size_t)n, sizeof *sh);
    shard_file_t **by_k = calloc((size_t)n + 1, sizeof *by_k);
    cellmeta_t meta;
    dorm_summary_t summary, all;
    dorm_outfile_t out[6]; /* cells table, summary, 2 MultiQC files, report, run.json: together */
    memset(out, 0, sizeof out);
    dorm_outfile_t *cells = &out[0];
    spill_t sp = {0};
    int have_meta = 0, have_sum = 0, have_all = 0, lock_fd = -1;
    dorm_hist_t evidence_hist[DORM_N_EVIDENCE][DORM_N_STATES], qc_hist[3];
    dorm_finish_hists_init(evidence_hist, qc_hist);
    dorm_log_warnings_t warnings = {0}; /* the merge's own; each shard's are in its run.json */
    dorm_log_warnings_t *outer = dorm_log_keep_warnings(&warnings);
    if (!sh || !by_k) {
        rc = dorm_err_nomem(err);
        goto done;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        char *p = join(o->inputs[i], "shard.bin");
        rc = p ? dorm_shard_open(&sh[i], p, record_len, err) : dorm_err_nomem(err);
        free(p);
        if (rc == 0 && i > 0)
            rc = same_header(&sh[0], &sh[i], err);
    }
    if (rc < 0)
        goto done;
    int N = sh[0].h.n;
    if (N != n) {
        rc = dorm_err_set(err, DORM_E_USAGE, "%d shard directories given, but the run has %d shards",
                          n, N);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        int k = sh[i].h.k;
        if (k < 1 || k > N || by_k[k]) {
            rc = dorm_err_set(err, DORM_E_USAGE, "%s: shard %d/%d given twice", sh[i].path, k, N);
            goto done;
        }
        by_k[k] = &sh[i];
    }
    if ((rc = shard_groups(&meta, o->groups_path, &sh[0].h, err)) < 0)
        goto done;
    have_meta = 1;
    if ((rc = dorm_summary_init(&summary, err)) < 0)
        goto done;
    have_sum = 1;
    if ((rc = dorm_summary_init(&all, err)) < 0)
        goto done;
    have_all = 1;
    if ((rc = dorm_outdir_prepare(o->outdir, &lock_fd, err)) < 0)
        goto done;
    int gz = by_k[1]->h.gzip;
    if ((rc = dorm_outfile_open(cells, o->outdir, gz ? "cells.tsv.gz" : "cells.tsv", gz, err)) < 0)
        goto done;
    dorm_cells_write_header(cells, by_k[1]->h.set_names, by_k[1]->h.n_out,
                            by_k[1]->h.sample_column);
    int n_samples = by_k[1]->n_samples;
    finisher_t f = {
        .n_out = by_k[1]->h.n_out,
        .fdr = by_k[1]->h.fdr,
        .sample_column = by_k[1]->h.sample_column,
        .meta = &meta,
        .summary = &summary,
        .summary_all = n_samples > 1 ? &all : NULL,
        .cells = cells,
        .evidence_hist = evidence_hist,
        .qc_hist = qc_hist,
    };
    for (int s = 0; rc == 0 && s < n_samples; s++) {
        const char *name = by_k[1]->samples[s].name;
        rc = dorm_spill_open(&sp, o->outdir, "merge", R_LEN(f.n_out), err);
        for (int k = 1; rc == 0 && k <= N; k++) {
            shard_file_t *x = by_k[k];
            if (x->n_samples != n_samples || strcmp(x->samples[s].name, name) != 0)
                rc = dorm_err_set(err, DORM_E_USAGE, "%s: its samples differ from shard 1's",
                                  x->path);
            else
                rc = dorm_shard_copy_sample(x, s, &sp, err);
        }
        if (rc == 0)
            rc = dorm_finish_sample(&f, &sp, name, err);
        dorm_spill_close(&sp);
    }
    if (rc == 0)
        rc = dorm_write_summaries(&out[1], o->outdir, "summary.tsv", &summary,
                             n_samples > 1 ? &all : NULL, err);
    char ref_text[128];
    snprintf(ref_text, sizeof ref_text, "the reference of digest %.16s shared by every shard",
             by_k[1]->h.reference);
    const char **shard_paths = rc == 0 ? calloc((size_t)n, sizeof *shard_paths) : NULL;
    if (rc == 0 && !shard_paths)
        rc = dorm_err_nomem(err);
    for (int k = 1; rc == 0 && k <= n; k++)
        shard_paths[k - 1] = by_k[k]->path;
    if (rc == 0)
        rc = write_merge_report(&out[4], o, ref_text, &warnings, shard_paths, n, 1, &summary,
                                n_samples > 1 ? &all : NULL, evidence_hist, qc_hist, err);
    free(shard_paths);
    if (rc == 0)
        rc = write_merged_json(&out[5], o, by_k[1], &meta, &warnings, err);
    if (rc == 0)
        rc = dorm_outfile_commit_all(out, 6, err);
done:
    dorm_log_keep_warnings(outer);
    dorm_log_warnings_free(&warnings);
    dorm_spill_close(&sp);
    for (int i = 0; i < 6; i++)
        dorm_outfile_abort(&out[i]);
    if (have_meta)
        dorm_cellmeta_free(&meta);
    if (have_sum)
        dorm_summary_destroy(&summary);
    if (have_all)
        dorm_summary_destroy(&all);
    for (int i = 0; sh && i < n; i++)
        dorm_shard_close(&sh[i]);
    free(sh);
    free(by_k);
    dorm_outdir_release(lock_fd);
    return rc;
}

/* ---- cohort mode ---- */

/* Fold one summary.tsv into per (its per-sample rows); samples maps every
 * sample read so far to the input it came from (input). */
static int read_summary(const char *path, int input, dorm_strmap_t *samples, dorm_summary_t *per,
                        dorm_err_t *err)
{
    dorm_lines_t *lr;
    int rc = dorm_lines_open(&lr, path, err);
    if (rc < 0)
        return rc;
    char *line, *f[DORM_SUMMARY_MAX_COLS];
    size_t len;
    dorm_summary_cols_t cols;
    int have_cols = 0;
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        int nf = dorm_split_tabs(line, f, DORM_SUMMARY_MAX_COLS);
        long ln = (long)dorm_lines_number(lr);
        if (!have_cols) { /* the header: find the columns by name */
            if (dorm_summary_cols_find(&cols, f, nf) < 0) {
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s line 1: not a dormscan summary.tsv header",
                                  path);
                break;
            }
            have_cols = 1;
            continue;
        }
        if (nf != cols.n) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: %d fields, the header has %d", path,
                              ln, nf, cols.n);
            break;
        }
        if (strcmp(f[0], "all") == 0)
            continue; /* rows over all samples are rebuilt */
        int64_t from = dorm_strmap_get(samples, f[0]);
        if (from >= 0 && from != input) {
            rc = dorm_err_set(err, DORM_E_USAGE, "%s line %ld: sample %s is also in an earlier input",
                              path, ln, f[0]);
            break;
        }
        if (from < 0 && dorm_strmap_put(samples, f[0], input) < 0) {
            rc = dorm_err_nomem(err);
            break;
        }
        dorm_summary_row_t row;
        int ok = dorm_summary_parse_row(&cols, f, &row) == 0;
        if (!ok) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: a count is not a number", path, ln);
            break;
        }
        if ((rc = dorm_summary_merge_row(per, &row, f[0], err)) < 0)
            break;
    }
    if (rc == 0 && !have_cols)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: empty file", path);
    dorm_lines_close(lr);
    return rc < 0 ? rc : 0;
}

/* The reference_id a score run (or a merge of shards) recorded in
 * DIR/run.json. */
static int run_reference_id(const char *dir, char id[65], dorm_err_t *err)
{
    char *p = join(dir, "run.json");
    if (!p)
        return dorm_err_nomem(err);
    char *buf = slurp(p);
    static const char key[] = "\"reference_id\": \"";
    const char *at = buf ? strstr(buf, key) : NULL;
    int rc = 0;
    if (!buf)
        rc = dorm_err_set(err, DORM_E_IO, "%s: cannot read: %s", p, strerror(errno));
    else if (!at || strlen(at + sizeof key - 1) < 64)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no reference_id (made by an older dormscan: "
                          "score the sample again)", p);
    else
        snprintf(id, 65, "%.64s", at + sizeof key - 1);
    free(buf);
    free(p);
    return rc;
}

static int merge_cohort(const dorm_merge_opts_t *o, dorm_err_t *err)
{
    dorm_outfile_t out[4]; /* cohort_summary.tsv, the MultiQC files, report.html */
    memset(out, 0, sizeof out);
    dorm_summary_t per, all;
    int rc = dorm_summary_init(&per, err);
    if (rc < 0)
        return rc;
    if ((rc = dorm_summary_init(&all, err)) < 0) {
        dorm_summary_destroy(&per);
        return rc;
    }
    dorm_log_warnings_t warnings = {0};
    dorm_log_warnings_t *outer = dorm_log_keep_warnings(&warnings);
    dorm_strmap_t samples;
    dorm_strmap_init(&samples);
    char first[65] = "", id[65];
    for (int i = 0; rc == 0 && i < o->n_inputs; i++) {
        if ((rc = run_reference_id(o->inputs[i], i == 0 ? first : id, err)) < 0)
            break;
        if (i > 0 && strcmp(first, id) != 0) {
            rc = dorm_err_set(err, DORM_E_USAGE,
                              "%s and %s were scored against different references; their calls "
                              "do not mean the same (score every sample with one --reference)",
                              o->inputs[0], o->inputs[i]);
            break;
        }
        char *p = join(o->inputs[i], "summary.tsv");
        rc = p ? read_summary(p, i, &samples, &per, err) : dorm_err_nomem(err);
        free(p);
    }
    int64_t distinct = samples.n;
    dorm_strmap_destroy(&samples);
    for (int64_t r = 0; rc == 0 && distinct > 1 && r < per.n; r++)
        rc = dorm_summary_merge_row(&all, &per.rows[r], "all", err);
    int lock_fd = -1;
    if (rc == 0)
        rc = dorm_outdir_prepare(o->outdir, &lock_fd, err);
    if (rc == 0)
        rc = dorm_write_summaries(out, o->outdir, "cohort_summary.tsv", &per, &all, err);
    char ref_text[160];
    snprintf(ref_text, sizeof ref_text, "the reference of digest %.16s shared by every run; this "
             "cohort report is made from the runs' summaries", first);
    if (rc == 0)
        rc = write_merge_report(&out[3], o, ref_text, &warnings, o->inputs,
                                o->n_inputs, 0, &per, all.n ? &all : NULL, NULL, NULL, err);
    if (rc == 0)
        rc = dorm_outfile_commit_all(out, 4, err);
    for (int i = 0; i < 4; i++)
        dorm_outfile_abort(&out[i]);
    dorm_log_keep_warnings(outer);
    dorm_log_warnings_free(&warnings);
    dorm_summary_destroy(&per);
    dorm_summary_destroy(&all);
    dorm_outdir_release(lock_fd);
    return rc;
}

int dorm_run_merge(const dorm_merge_opts_t *o, dorm_err_t *err)
{
    int shards = 0, summaries = 0;
    for (int i = 0; i < o->n_inputs; i++) {
        int s = exists(o->inputs[i], "shard.bin"), t = exists(o->inputs[i], "summary.tsv");
        if (!s && !t)
            return dorm_err_set(err, DORM_E_USAGE, "%s: no shard.bin or summary.tsv (not a dormscan output)",
                                o->inputs[i]);
        shards += s;
        summaries += !s;
    }
    if (shards && summaries)
        return dorm_err_set(err, DORM_E_USAGE, "give either shard outputs or finished outputs, not both");
    return shards ? merge_shards(o, err) : merge_cohort(o, err);
}
