/* compare.c -- `dormscan compare`: read the sheet and the runs, match
 * them, run every comparison and commit the outputs as one set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare_internal.h"
#include "dormscan/log.h"
#include "io/lines.h"

/* Every sample of the runs is in the sheet and every sheet sample has a
 * run. */
static int match_samples(const dorm_cmp_sheet_t *sh, const dorm_cmp_data_t *d,
                         const char *const *inputs, dorm_err_t *err)
{
    for (int i = 0; i < d->samples.n; i++)
        if (dorm_strmap_get(&sh->index, d->samples.name[i]) < 0)
            return dorm_err_set(err, DORM_E_USAGE, "sample '%s' of %s is not in the design "
                                "sheet %s", d->samples.name[i], inputs[d->sample_input[i]],
                                dorm_basename(sh->path));
    for (int r = 0; r < sh->n_rows; r++) {
        const char *name = sh->cell[(size_t)r * sh->n_cols + sh->sample_col];
        if (dorm_cmp_names_find(&d->samples, name) < 0)
            return dorm_err_set(err, DORM_E_USAGE, "sample '%s' of the design sheet %s has no "
                                "run", name, dorm_basename(sh->path));
    }
    return 0;
}

static int find_level(char *const *levels, int n, const char *name, size_t len)
{
    for (int l = 0; l < n; l++)
        if (strlen(levels[l]) == len && strncmp(levels[l], name, len) == 0)
            return l;
    return -1;
}

/* The test: --contrast A-B (split at the '-' that leaves two levels), else
 * propeller's choice: first sorted level minus second, or the F test of
 * three levels or more. */
static int choose_plan(dorm_cmp_plan_t *p, char *const *levels, int n, const char *contrast,
                       const char *condition, dorm_err_t *err)
{
    memset(p, 0, sizeof *p);
    if (n < 2)
        return dorm_err_set(err, DORM_E_USAGE, "the condition column '%s' has one level "
                            "('%s'): nothing to compare", condition, levels[0]);
    if (!contrast) {
        p->anova = n > 2;
        p->a = 0;
        p->b = 1;
        return 0;
    }
    for (const char *dash = strchr(contrast, '-'); dash; dash = strchr(dash + 1, '-')) {
        int a = find_level(levels, n, contrast, (size_t)(dash - contrast));
        int b = find_level(levels, n, dash + 1, strlen(dash + 1));
        if (a >= 0 && b >= 0 && a != b) {
            p->a = a;
            p->b = b;
            return 0;
        }
    }
    return dorm_err_set(err, DORM_E_USAGE, "--contrast '%s' does not name two levels of '%s' "
                        "as A-B (unknown condition level)", contrast, condition);
}

typedef struct run_t {
    dorm_cmp_sheet_t sheet;
    dorm_cmp_data_t data;
    dorm_cmp_names_t levels;
    int *covariate_cols;
    dorm_cmp_setup_t setup;
    dorm_cmp_comparison_t states, sasp, evidence, *types;
    int n_types;
} run_t;

static void run_destroy(run_t *r)
{
    dorm_cmp_sheet_destroy(&r->sheet);
    dorm_cmp_data_destroy(&r->data);
    dorm_cmp_names_destroy(&r->levels);
    free(r->covariate_cols);
    dorm_cmp_comparison_destroy(&r->states);
    dorm_cmp_comparison_destroy(&r->sasp);
    dorm_cmp_comparison_destroy(&r->evidence);
    for (int i = 0; i < r->n_types; i++)
        dorm_cmp_comparison_destroy(&r->types[i]);
    free(r->types);
}

static int setup(run_t *r, const dorm_compare_opts_t *o, dorm_err_t *err)
{
    const char *cond = o->condition ? o->condition : "condition";
    int rc = dorm_cmp_sheet_read(&r->sheet, o->design_path, err);
    if (rc < 0)
        return rc;
    dorm_cmp_setup_t *s = &r->setup;
    s->sheet = &r->sheet;
    s->transform = o->transform;
    s->condition_col = dorm_cmp_sheet_column(&r->sheet, cond);
    if (s->condition_col < 0)
        return dorm_err_set(err, DORM_E_USAGE, "the design sheet %s has no column '%s' (see "
                            "--condition)", dorm_basename(o->design_path), cond);
    if (!(r->covariate_cols = malloc(sizeof(int) * (o->n_covariates + 1))))
        return dorm_err_nomem(err);
    for (int i = 0; i < o->n_covariates; i++) {
        int c = dorm_cmp_sheet_column(&r->sheet, o->covariates[i]);
        if (c < 0 || c == s->condition_col || c == r->sheet.sample_col)
            return dorm_err_set(err, DORM_E_USAGE, "--covariate '%s': %s", o->covariates[i],
                                c < 0 ? "no such column in the design sheet"
                                      : "not a covariate (the sample or condition column)");
        r->covariate_cols[i] = c;
    }
    s->covariate_cols = r->covariate_cols;
    s->n_covariates = o->n_covariates;
    dorm_cmp_names_init(&r->levels);
    for (int i = 0; i < r->sheet.n_rows; i++)
        if (dorm_cmp_names_add(&r->levels,
                               r->sheet.cell[(size_t)i * r->sheet.n_cols + s->condition_col]) < 0)
            return dorm_err_nomem(err);
    if (dorm_cmp_names_sort(&r->levels) < 0)
        return dorm_err_nomem(err);
    s->levels = r->levels.name;
    s->n_levels = r->levels.n;
    return choose_plan(&s->plan, s->levels, s->n_levels, o->contrast, cond, err);
}

static int compare_all(run_t *r, const dorm_compare_opts_t *o, dorm_err_t *err)
{
    const dorm_cmp_setup_t *s = &r->setup;
    int rc = dorm_cmp_compare_states(&r->states, s, &r->data, NULL, err);
    if (rc == 0 && r->data.has_sasp)
        rc = dorm_cmp_compare_sasp(&r->sasp, s, &r->data, err);
    if (rc == 0)
        rc = dorm_cmp_compare_evidence(&r->evidence, s, &r->data, err);
    if (rc == 0 && o->groupby && r->data.types.n > 0) {
        if (!(r->types = calloc(r->data.types.n, sizeof *r->types)))
            return dorm_err_nomem(err);
        for (int t = 0; rc == 0 && t < r->data.types.n; t++) {
            rc = dorm_cmp_compare_states(&r->types[t], s, &r->data, r->data.types.name[t], err);
            r->n_types += rc == 0;
        }
    }
    return rc;
}

enum { OUT_STATES, OUT_TYPES, OUT_EVIDENCE, OUT_MQC, OUT_HTML, N_OUT };

/* The column whose samples are paired in the plots: the first covariate
 * that is not numeric, or -1. */
static int pairing_column(const run_t *r)
{
    for (int i = 0; i < r->setup.n_covariates; i++) {
        const dorm_cmp_sheet_t *sh = &r->sheet;
        int col = r->covariate_cols[i], numeric = 1;
        for (int j = 0; j < sh->n_rows && numeric; j++) {
            char *end;
            const char *v = sh->cell[(size_t)j * sh->n_cols + col];
            strtod(v, &end);
            numeric = end != v && !*end;
        }
        if (!numeric)
            return col;
    }
    return -1;
}

static int write_outputs(run_t *r, const dorm_compare_opts_t *o, const char *note,
                         dorm_err_t *err)
{
    static const char *const names[N_OUT] = {"compare.tsv", "compare_groups.tsv",
                                             "compare_evidence.tsv", "dormscan_compare_mqc.tsv",
                                             "compare.html"};
    dorm_outfile_t out[N_OUT];
    memset(out, 0, sizeof out);
    int lock = -1, rc = dorm_outdir_prepare(o->outdir, &lock, err);
    for (int i = 0; rc == 0 && i < N_OUT; i++)
        if (i != OUT_TYPES || o->groupby)
            rc = dorm_outfile_open(&out[i], o->outdir, names[i], 0, err);
    if (rc == 0) {
        const dorm_cmp_comparison_t *main[2] = {&r->states, &r->sasp};
        int n_main = r->data.has_sasp ? 2 : 1;
        const dorm_cmp_setup_t *s = &r->setup;
        dorm_cmp_write_table(&out[OUT_STATES], main, n_main, s, NULL, "state", "prop_",
                             "prop_ratio");
        dorm_cmp_write_mqc(&out[OUT_MQC], main, n_main, s);
        const dorm_cmp_comparison_t *ev = &r->evidence;
        dorm_cmp_write_table(&out[OUT_EVIDENCE], &ev, 1, s, NULL, "programme", "mean_",
                             "difference");
        const dorm_cmp_comparison_t *page[3] = {&r->states, &r->sasp, &r->evidence};
        if (!r->data.has_sasp)
            page[1] = &r->evidence;
        dorm_cmp_write_html(&out[OUT_HTML], page, n_main + 1, s, pairing_column(r),
                            o->command_line, note);
        if (o->groupby) {
            const dorm_cmp_comparison_t **t = malloc(sizeof(*t) * (r->n_types + 1));
            if (!t) {
                rc = dorm_err_nomem(err);
            } else {
                for (int i = 0; i < r->n_types; i++)
                    t[i] = &r->types[i];
                dorm_cmp_write_table(&out[OUT_TYPES], t, r->n_types, s, o->groupby, "state",
                                     "prop_", "prop_ratio");
                free(t);
            }
        }
    }
    if (rc == 0)
        rc = dorm_outfile_commit_all(out, N_OUT, err);
    for (int i = 0; i < N_OUT; i++)
        dorm_outfile_abort(&out[i]);
    dorm_outdir_release(lock);
    return rc;
}

int dorm_compare_run(const dorm_compare_opts_t *o, dorm_err_t *err)
{
    run_t r;
    memset(&r, 0, sizeof r);
    int rc = setup(&r, o, err);
    if (rc == 0)
        rc = dorm_cmp_data_read(&r.data, o->inputs, o->n_inputs, o->groupby, o->groups_path, err);
    if (rc == 0)
        rc = match_samples(&r.sheet, &r.data, o->inputs, err);
    if (rc == 0 && r.data.reference_mismatch)
        dorm_log(DORM_LOG_WARN, "the runs were scored against different references (run.json "
                 "reference_id): their proportions are not on one scale; score every sample "
                 "against one reference (dormscan reference)");
    if (rc == 0)
        rc = compare_all(&r, o, err);
    char note[512] = "";
    const dorm_cmp_model_t *m = &r.states.model;
    if (rc == 0 && m->thin_level >= 0)
        snprintf(note, sizeof note, "no test: condition '%s' has %d sample%s, and a test needs "
                 "two or more per condition; proportions written, p-values NA",
                 r.setup.levels[m->thin_level], m->n_in_level[m->thin_level],
                 m->n_in_level[m->thin_level] == 1 ? "" : "s");
    else if (rc == 0 && m->untestable)
        snprintf(note, sizeof note, "no test: %s; proportions written, p-values NA",
                 m->untestable);
    if (*note)
        dorm_log(DORM_LOG_WARN, "%s", note);
    if (rc == 0)
        rc = write_outputs(&r, o, *note ? note : NULL, err);
    run_destroy(&r);
    return rc;
}
