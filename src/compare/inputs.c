/* inputs.c -- the runs compare reads: a score or merge output folder (its
 * cohort_summary.tsv or summary.tsv: exact counts per sample, state and
 * --groups group, and the mean evidence; its run.json: the frame of
 * reference), or a cells table (barcode, sample, state, optionally sasp,
 * the cell-type column and score_* columns). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare/compare_internal.h"
#include "core/text.h"
#include "dormscan/classify.h"
#include "dormscan/summary.h"
#include "io/cellmeta.h"
#include "io/lines.h"

enum { MAX_COLS = 4096 };

void dorm_cmp_data_destroy(dorm_cmp_data_t *d)
{
    if (!d)
        return;
    dorm_cmp_names_destroy(&d->samples);
    dorm_cmp_names_destroy(&d->states);
    dorm_cmp_names_destroy(&d->types);
    dorm_cmp_names_destroy(&d->programmes);
    dorm_cmp_tally_destroy(&d->cells);
    dorm_cmp_tally_destroy(&d->sasp);
    dorm_cmp_tally_destroy(&d->evidence);
    free(d->sample_input);
    free(d->reference_id);
    memset(d, 0, sizeof *d);
}

/* A number field: 0 with *v (NaN for "NA" or empty), -1 if not a number. */
static int parse_number(const char *s, double *v)
{
    if (!*s || strcmp(s, "NA") == 0 || strcmp(s, "nan") == 0) {
        *v = NAN;
        return 0;
    }
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && !errno ? 0 : -1;
}

/* The sample of an input, recorded once per input: a sample that another
 * input already gave is an error. */
static int claim_sample(dorm_cmp_data_t *d, const char *sample, int input, const char *name,
                        int64_t line, dorm_err_t *err)
{
    int had = d->samples.n, i = dorm_cmp_names_add(&d->samples, sample);
    if (i < 0)
        return dorm_err_nomem(err);
    if (i == had) {
        int *p = realloc(d->sample_input, sizeof(int) * (size_t)d->samples.cap);
        if (!p)
            return dorm_err_nomem(err);
        d->sample_input = p;
        p[i] = input;
    } else if (d->sample_input[i] != input) {
        return dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: sample '%s' is also in another "
                            "input (duplicate sample)", name, (long long)line, sample);
    }
    return i;
}

/* ---- cells tables ---- */

/* Where the cells of a cells table get their type: a column of the table
 * (groupby), or column col of a --groups table. */
typedef struct type_source_t {
    const char *groupby;
    const cellmeta_t *groups;
    int col;
} type_source_t;

static int read_cells(dorm_cmp_data_t *d, const char *path, int input, const type_source_t *ts,
                      dorm_err_t *err)
{
    const char *groupby = ts->groups ? NULL : ts->groupby;
    dorm_lines_t *lr = NULL;
    char *line, **f = malloc(sizeof(char *) * (MAX_COLS + 1)); /* (one more: too many shows) */
    int *prog = malloc(sizeof(int) * MAX_COLS), *prog_col = malloc(sizeof(int) * MAX_COLS);
    size_t len;
    const char *name = dorm_basename(path);
    int rc = f && prog && prog_col ? dorm_lines_open(&lr, path, err) : dorm_err_nomem(err);
    if (rc < 0)
        goto done;
    if ((rc = dorm_lines_next(lr, &line, &len, err)) <= 0) {
        if (rc == 0)
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: empty file (a header with barcode, "
                              "sample and state was expected)", name);
        goto done;
    }
    int nc = dorm_split_tabs(line, f, MAX_COLS + 1), c_sample = -1, c_state = -1, c_sasp = -1;
    int c_barcode = -1, c_type = -1, n_prog = 0;
    if (nc > MAX_COLS) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s line 1: more than %d columns", name, MAX_COLS);
        goto done;
    }
    for (int i = 0; i < nc; i++) {
        if (strcmp(f[i], "barcode") == 0)
            c_barcode = i;
        else if (strcmp(f[i], "sample") == 0)
            c_sample = i;
        else if (strcmp(f[i], "state") == 0)
            c_state = i;
        else if (strcmp(f[i], "sasp") == 0)
            c_sasp = i;
        else if (groupby && strcmp(f[i], groupby) == 0)
            c_type = i;
        else if (strncmp(f[i], "score_", 6) == 0 && f[i][6]) {
            if ((prog[n_prog] = dorm_cmp_names_add(&d->programmes, f[i] + 6)) < 0) {
                rc = dorm_err_nomem(err);
                goto done;
            }
            prog_col[n_prog++] = i;
        }
    }
    const char *missing = c_barcode < 0 ? "barcode" : c_sample < 0 ? "sample"
                        : c_state < 0 ? "state" : groupby && c_type < 0 ? groupby : NULL;
    if (missing) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s line 1: no '%s' column", name, missing);
        goto done;
    }
    d->has_sasp |= c_sasp >= 0;
    int64_t n_cells = 0;
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        int64_t ln = dorm_lines_number(lr);
        int n = dorm_split_tabs(line, f, MAX_COLS + 1);
        if (n != nc) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: %d fields, the header has %d%s",
                              name, (long long)ln, n, nc,
                              dorm_lines_unterminated(lr) ? " (truncated?)" : "");
            goto done;
        }
        const char *sample = f[c_sample], *state = f[c_state];
        if (!*sample || !*state) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: empty %s", name, (long long)ln,
                              *sample ? "state" : "sample");
            goto done;
        }
        if ((rc = claim_sample(d, sample, input, name, ln, err)) < 0)
            goto done;
        const char *type = c_type >= 0 ? f[c_type] : NULL;
        if (ts->groups && !(type = dorm_cellmeta_group(ts->groups, f[c_barcode], ts->col)))
            type = "NA"; /* (as score's --groups names a cell it lacks) */
        int sasp = 0;
        if (c_sasp >= 0) {
            const char *v = f[c_sasp];
            sasp = strcmp(v, "TRUE") == 0 || strcmp(v, "1") == 0;
            if (!sasp && strcmp(v, "FALSE") != 0 && strcmp(v, "0") != 0 && strcmp(v, "NA") != 0) {
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: sasp is '%s', not TRUE or "
                                  "FALSE", name, (long long)ln, v);
                goto done;
            }
        }
        if (dorm_cmp_names_add(&d->states, state) < 0 ||
            dorm_cmp_tally_add(&d->cells, sample, "", state, 1) < 0 ||
            (type && (dorm_cmp_names_add(&d->types, type) < 0 ||
                      dorm_cmp_tally_add(&d->cells, sample, type, state, 1) < 0)) ||
            (c_sasp >= 0 && (dorm_cmp_tally_add(&d->sasp, sample, "", NULL, sasp) < 0 ||
                             (type && dorm_cmp_tally_add(&d->sasp, sample, type, NULL, sasp) < 0)))) {
            rc = dorm_err_nomem(err);
            goto done;
        }
        for (int k = 0; k < n_prog; k++) {
            double v;
            if (parse_number(f[prog_col[k]], &v) < 0) {
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: score_%s is '%s', not a "
                                  "number", name, (long long)ln, d->programmes.name[prog[k]],
                                  f[prog_col[k]]);
                goto done;
            }
            if (!isnan(v) &&
                dorm_cmp_tally_add(&d->evidence, sample, d->programmes.name[prog[k]], NULL, v) < 0) {
                rc = dorm_err_nomem(err);
                goto done;
            }
        }
        n_cells++;
    }
    if (rc == 0 && n_cells == 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no cells after the header", name);
done:
    dorm_lines_close(lr);
    free(f);
    free(prog);
    free(prog_col);
    return rc < 0 ? rc : 0;
}

/* ---- summaries of score and merge ---- */

static int read_summary(dorm_cmp_data_t *d, const char *path, int input, const char *groupby,
                        dorm_err_t *err)
{
    dorm_lines_t *lr = NULL;
    char *line, **f = malloc(sizeof(char *) * (DORM_SUMMARY_MAX_COLS + 1));
    size_t len;
    const char *name = dorm_basename(path);
    int rc = f ? dorm_lines_open(&lr, path, err) : dorm_err_nomem(err);
    if (rc < 0)
        goto done;
    if ((rc = dorm_lines_next(lr, &line, &len, err)) <= 0) {
        if (rc == 0)
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: empty file", name);
        goto done;
    }
    dorm_summary_cols_t cols; /* (report/summary_read.c, beside the writer) */
    int nc = dorm_split_tabs(line, f, DORM_SUMMARY_MAX_COLS + 1);
    if (nc > DORM_SUMMARY_MAX_COLS || dorm_summary_cols_find(&cols, f, nc) < 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s line 1: not a dormscan summary (sample, "
                          "grouping, group columns expected)", name);
        goto done;
    }
    for (int t = 0; t < DORM_N_STATES; t++)
        if (dorm_cmp_names_add(&d->states, dorm_state_name((dorm_state_t)t)) < 0)
            rc = dorm_err_nomem(err);
    for (int e = 0; e < DORM_N_EVIDENCE; e++)
        if (dorm_cmp_names_add(&d->programmes, dorm_evidence_name((dorm_evidence_t)e)) < 0)
            rc = dorm_err_nomem(err);
    if (rc < 0)
        goto done;
    d->has_sasp = 1;
    int n_samples_seen = 0, groupby_seen = groupby == NULL;
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        int64_t ln = dorm_lines_number(lr);
        int n = dorm_split_tabs(line, f, DORM_SUMMARY_MAX_COLS + 1);
        if (n != nc) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: %d fields, the header has %d",
                              name, (long long)ln, n, nc);
            goto done;
        }
        const char *sample = f[0], *type;
        if (strcmp(f[1], "all") == 0) {
            /* the rows over all samples follow the per-sample rows */
            if (strcmp(sample, "all") == 0 && n_samples_seen > 0)
                continue;
            n_samples_seen++;
            if ((rc = claim_sample(d, sample, input, name, ln, err)) < 0)
                goto done;
            type = "";
        } else if (groupby && strcmp(f[1], groupby) == 0) {
            if (strcmp(sample, "all") == 0 && n_samples_seen > 1)
                continue;
            type = f[2];
            groupby_seen = 1;
            if (dorm_cmp_names_add(&d->types, type) < 0) {
                rc = dorm_err_nomem(err);
                goto done;
            }
        } else {
            continue;
        }
        dorm_summary_row_t row;
        if (dorm_summary_parse_row(&cols, f, &row) < 0) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: a count is not a number", name,
                              (long long)ln);
            goto done;
        }
        int bad = dorm_cmp_tally_add(&d->sasp, sample, type, NULL, (double)row.sasp) < 0;
        for (int t = 0; t < DORM_N_STATES; t++)
            bad |= dorm_cmp_tally_add(&d->cells, sample, type, dorm_state_name((dorm_state_t)t),
                                      (double)row.state[t]) < 0;
        for (int e = 0; !*type && e < DORM_N_EVIDENCE; e++) /* exact means, from the sums */
            if (row.evidence_n[e] > 0)
                bad |= dorm_cmp_tally_add(&d->evidence, sample,
                                          dorm_evidence_name((dorm_evidence_t)e), NULL,
                                          (double)row.evidence_micro[e] / 1e6 /
                                              (double)row.evidence_n[e]) < 0;
        if (bad) {
            rc = dorm_err_nomem(err);
            goto done;
        }
    }
    if (rc == 0 && n_samples_seen == 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no per-sample rows", name);
    else if (rc == 0 && !groupby_seen)
        rc = dorm_err_set(err, DORM_E_USAGE, "%s: no '%s' grouping (score the runs with a "
                          "--groups file holding that column)", path, groupby);
done:
    dorm_lines_close(lr);
    free(f);
    return rc < 0 ? rc : 0;
}

/* The reference_id of dir/run.json (malloc'd), NULL if there is none. */
static char *reference_id_of(const char *dir)
{
    size_t n = strlen(dir) + sizeof "/run.json", len;
    char *path = malloc(n), *text = NULL, *id = NULL;
    dorm_err_t ignored;
    if (!path)
        return NULL;
    snprintf(path, n, "%s/run.json", dir);
    if (dorm_read_file(path, (size_t)64 << 20, &text, &len, &ignored) == 0) {
        const char *key = "\"reference_id\": \"", *p = strstr(text, key);
        if (p) {
            p += strlen(key);
            const char *q = strchr(p, '"');
            if (q)
                id = strndup(p, (size_t)(q - p));
        }
    }
    free(text);
    free(path);
    return id;
}

static int read_dir(dorm_cmp_data_t *d, const char *dir, int input, const char *groupby,
                    dorm_err_t *err)
{
    static const char *const names[] = {"cohort_summary.tsv", "summary.tsv"};
    size_t n = strlen(dir) + 32;
    char *path = malloc(n);
    if (!path)
        return dorm_err_nomem(err);
    struct stat st;
    int found = 0;
    for (int i = 0; i < 2 && !found; i++) {
        snprintf(path, n, "%s/%s", dir, names[i]);
        found = stat(path, &st) == 0;
    }
    int rc = found ? read_summary(d, path, input, groupby, err)
                   : dorm_err_set(err, DORM_E_FORMAT, "%s: neither cohort_summary.tsv nor "
                                  "summary.tsv (not a dormscan score or merge output)", dir);
    free(path);
    if (rc < 0)
        return rc;
    char *id = reference_id_of(dir);
    if (id && !d->reference_id) {
        d->reference_id = id;
    } else if (id) {
        d->reference_mismatch |= strcmp(id, d->reference_id) != 0;
        free(id);
    }
    return 0;
}

/* The --groups table and its groupby column into cm: 0, or an error
 * naming the missing column. */
static int load_groups(cellmeta_t *cm, const char *path, const char *groupby, int *col,
                       dorm_err_t *err)
{
    int rc = dorm_cellmeta_load(cm, path, NULL, NULL, NULL, err);
    for (*col = 0; rc == 0 && *col < cm->n_cols; (*col)++)
        if (strcmp(cm->col_names[*col], groupby) == 0)
            return 0;
    return rc < 0 ? rc : dorm_err_set(err, DORM_E_USAGE, "%s: no column '%s' (--groupby)", path,
                                      groupby);
}

int dorm_cmp_data_read(dorm_cmp_data_t *d, const char *const *inputs, int n_inputs,
                       const char *groupby, const char *groups_path, dorm_err_t *err)
{
    memset(d, 0, sizeof *d);
    cellmeta_t groups;
    memset(&groups, 0, sizeof groups);
    type_source_t ts = {groupby, groups_path ? &groups : NULL, -1};
    int rc = groups_path ? load_groups(&groups, groups_path, groupby, &ts.col, err) : 0;
    dorm_cmp_names_init(&d->samples);
    dorm_cmp_names_init(&d->states);
    dorm_cmp_names_init(&d->types);
    dorm_cmp_names_init(&d->programmes);
    dorm_cmp_tally_init(&d->cells);
    dorm_cmp_tally_init(&d->sasp);
    dorm_cmp_tally_init(&d->evidence);
    for (int i = 0; rc == 0 && i < n_inputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) != 0)
            rc = dorm_err_set(err, DORM_E_IO, "%s: %s", inputs[i], strerror(errno));
        else if (S_ISDIR(st.st_mode) && groups_path)
            rc = dorm_err_set(err, DORM_E_USAGE, "%s: --groups gives the cell types of cells "
                              "tables; a score run has the groups it was scored with "
                              "(--groupby COLUMN)", inputs[i]);
        else if (S_ISDIR(st.st_mode))
            rc = read_dir(d, inputs[i], i, groupby, err);
        else
            rc = read_cells(d, inputs[i], i, &ts, err);
    }
    dorm_cellmeta_free(&groups);
    if (rc < 0) {
        dorm_cmp_data_destroy(d);
        return rc;
    }
    if (dorm_cmp_names_sort(&d->states) < 0 || dorm_cmp_names_sort(&d->types) < 0) {
        dorm_cmp_data_destroy(d);
        return dorm_err_nomem(err);
    }
    return 0;
}
