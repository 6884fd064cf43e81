/* cellmeta.c -- groups, kept cells and sample sheets (tab-separated text,
 * plain or gzip, read through htslib). */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/grow.h"
#include "cellmeta.h"
#include "dormscan/reader.h"
#include "core/sha256.h"
#include "lines.h"

/* Split line at tabs into at most max fields (in place); returns the count. */
#define MAX_COLS 64

/* Split line at sep into at most max fields, in place, as R's write.table
 * and pandas' to_csv write them: a field may be in double quotes, with ""
 * for a quote inside.  Returns the count, or -1 for an unclosed quote. */
static int split_fields(char *line, char sep, char **field, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return n + 1; /* (more than max: the caller reports the count) */
        char *out = p;
        field[n++] = out;
        if (*p == '"') { /* quoted: copy until the closing quote */
            p++;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            if (*p != sep && *p != '\0')
                return -1;
        } else {
            while (*p != sep && *p != '\0')
                *out++ = *p++;
        }
        int end = *p == '\0';
        *out = '\0';
        if (end)
            return n;
        p++;
    }
}

/* The separator of a table from its header line: a tab, else a comma (CSV),
 * else a space (R's write.table default). */
static char separator_of(const char *header)
{
    return strchr(header, '\t') ? '\t' : strchr(header, ',') ? ',' : ' ';
}

static const char *separator_name(char sep)
{
    return sep == '\t' ? "tab" : sep == ',' ? "comma" : "space";
}

static int load_groups(cellmeta_t *cm, const char *path, dorm_err_t *err)
{
    dorm_lines_t *lr;
    int rc = dorm_lines_open(&lr, path, err);
    if (rc < 0)
        return rc;
    char *line, *f[MAX_COLS + 2];
    char *header = NULL; /* the header line, until the first row says its shape */
    size_t len;
    int64_t cap = 0;
    char sep = '\t';
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        if (len == 0)
            continue;
        long ln = (long)dorm_lines_number(lr);
        if (!header && !cm->col_names) {
            if (!(header = strdup(line))) {
                rc = dorm_err_nomem(err);
                break;
            }
            continue;
        }
        if (header) /* (a one-column header has no separator: the first row tells) */
            sep = separator_of(strpbrk(header, "\t,") ? header : line);
        int n = split_fields(line, sep, f, MAX_COLS + 1);
        if (n < 0) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: a quoted field is not closed",
                              path, ln);
            break;
        }
        if (header) {
            /* a header with a name over the barcodes (barcode<TAB>group...),
             * or without it (R's write.table: one field fewer than the rows) */
            char *h[MAX_COLS + 2];
            int nh = split_fields(header, sep, h, MAX_COLS + 1);
            int skip = nh == n ? 1 : nh == n - 1 ? 0 : -1;
            if (nh < 1 || skip < 0 || n - 1 < 1 || n - 1 > MAX_COLS - 1) {
                rc = dorm_err_set(err, DORM_E_FORMAT,
                                  "%s line %ld: %d fields (%s-separated), the header %d: expected "
                                  "a header barcode%sgroup... (or R's, without its first name) and "
                                  "1 to %d group columns", path, ln, n, separator_name(sep), nh,
                                  sep == '\t' ? "<TAB>" : sep == ',' ? "," : " ", MAX_COLS - 1);
                break;
            }
            cm->n_cols = n - 1;
            if (!(cm->col_names = calloc((size_t)cm->n_cols, sizeof *cm->col_names))) {
                rc = dorm_err_nomem(err);
                break;
            }
            int ok = 1;
            for (int c = 0; c < cm->n_cols && ok; c++)
                ok = (cm->col_names[c] = strdup(h[c + skip])) != NULL;
            free(header);
            header = NULL;
            if (!ok) {
                rc = dorm_err_nomem(err);
                break;
            }
        }
        if (n != cm->n_cols + 1) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: %d fields (%s-separated), the "
                              "first row has %d", path, ln, n, separator_name(sep), cm->n_cols + 1);
            break;
        }
        int bad = 0;
        while (bad < n && !dorm_text_breaks_table(f[bad]))
            bad++;
        if (bad < n) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: field %d holds a tab, newline or "
                              "carriage return (in a quoted field), which no output table could "
                              "hold", path, ln, bad + 1);
            break;
        }
        int put = dorm_strmap_put(&cm->row_of, f[0], cm->n_rows);
        if (put == 0) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: barcode %s appears twice", path,
                              ln, f[0]);
            break;
        }
        if (put < 0) {
            rc = dorm_err_nomem(err);
            break;
        }
        if (dorm_grow(&cm->values, &cap, (cm->n_rows + 1) * cm->n_cols, sizeof *cm->values,
                      1024 * (int64_t)cm->n_cols) < 0) {
            rc = dorm_err_nomem(err);
            break;
        }
        for (int c = 0; c < cm->n_cols; c++)
            if (!(cm->values[cm->n_rows * cm->n_cols + c] = strdup(f[c + 1])))
                rc = dorm_err_nomem(err);
        cm->n_rows++;
        if (rc < 0)
            break;
    }
    if (rc == 0 && header) { /* a header and no row: its columns, with a barcode column */
        sep = separator_of(header);
        char *h[MAX_COLS + 2];
        int nh = split_fields(header, sep, h, MAX_COLS + 1);
        if (nh < 2 || nh > MAX_COLS)
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line 1: expected a header 'barcode<TAB>"
                              "group...' with 1 to %d group columns", path, MAX_COLS - 1);
        cm->n_cols = rc == 0 ? nh - 1 : 0;
        if (rc == 0 && !(cm->col_names = calloc((size_t)cm->n_cols, sizeof *cm->col_names)))
            rc = dorm_err_nomem(err);
        for (int c = 0; rc == 0 && c < cm->n_cols; c++)
            if (!(cm->col_names[c] = strdup(h[c + 1])))
                rc = dorm_err_nomem(err);
    }
    free(header);
    if (rc == 0 && !cm->col_names)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: empty file", path);
    dorm_lines_close(lr);
    return rc < 0 ? rc : 0;
}

static int load_cells(cellmeta_t *cm, const char *path, dorm_err_t *err)
{
    dorm_lines_t *lr;
    int rc = dorm_lines_open(&lr, path, err);
    if (rc < 0)
        return rc;
    char *line;
    size_t len;
    int64_t n = 0;
    cm->has_keep_list = 1;
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        char *tab = strchr(line, '\t');
        if (tab)
            *tab = '\0';
        if (*line && dorm_strmap_put(&cm->keep, line, n++) < 0) {
            rc = dorm_err_nomem(err);
            break;
        }
    }
    dorm_lines_close(lr);
    return rc < 0 ? rc : 0;
}

/* A "COLUMN=VALUE" option: the --groups column (-1 for "sample" when
 * sample_ok and --groups has no such column: the input's sample name) and
 * a copy of the value. */
static int column_value(cellmeta_t *cm, const char *spec, const char *option,
                        const char *groups_path, int sample_ok, int *col, char **value,
                        dorm_err_t *err)
{
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : 0;
    *col = -1;
    if (!eq || eq == spec)
        return dorm_err_set(err, DORM_E_USAGE, "%s expects COLUMN=VALUE, not '%s'", option, spec);
    for (int c = 0; c < cm->n_cols; c++)
        if (strlen(cm->col_names[c]) == n && strncmp(cm->col_names[c], spec, n) == 0)
            *col = c;
    int by_sample = *col < 0 && sample_ok && n == 6 && strncmp(spec, "sample", 6) == 0;
    if (*col < 0 && !by_sample)
        return groups_path ? dorm_err_set(err, DORM_E_USAGE, "%s: %s has no column %.*s", option,
                                          groups_path, (int)n, spec)
                           : dorm_err_set(err, DORM_E_USAGE, "%s needs --groups%s", option,
                                          sample_ok ? " (or the column 'sample')" : "");
    if (!(*value = strdup(eq + 1)))
        return dorm_err_nomem(err);
    return 0;
}

int dorm_cellmeta_load(cellmeta_t *cm, const char *groups_path, const char *cells_path,
                  const char *keep, const char *baseline, dorm_err_t *err)
{
    memset(cm, 0, sizeof *cm);
    dorm_strmap_init(&cm->row_of);
    dorm_strmap_init(&cm->keep);
    cm->keep_col = cm->baseline_col = -1;
    int rc = 0;
    if (groups_path)
        rc = load_groups(cm, groups_path, err);
    if (rc == 0 && groups_path && dorm_sha256_file(groups_path, cm->groups_sha256) < 0)
        strcpy(cm->groups_sha256, "-");
    if (rc == 0 && cells_path)
        rc = load_cells(cm, cells_path, err);
    if (rc == 0 && keep)
        rc = column_value(cm, keep, "--keep", groups_path, 0, &cm->keep_col, &cm->keep_value, err);
    if (rc == 0 && baseline)
        rc = column_value(cm, baseline, "--baseline", groups_path, 1, &cm->baseline_col,
                          &cm->baseline_value, err);
    if (rc < 0)
        dorm_cellmeta_free(cm);
    return rc;
}

void dorm_cellmeta_free(cellmeta_t *cm)
{
    for (int c = 0; c < cm->n_cols && cm->col_names; c++)
        free(cm->col_names[c]);
    free(cm->col_names);
    for (int64_t i = 0; i < cm->n_rows * cm->n_cols; i++)
        free(cm->values[i]);
    free(cm->values);
    free(cm->keep_value);
    free(cm->baseline_value);
    dorm_strmap_destroy(&cm->row_of);
    dorm_strmap_destroy(&cm->keep);
    memset(cm, 0, sizeof *cm);
    cm->keep_col = cm->baseline_col = -1;
}

const char *dorm_cellmeta_group(const cellmeta_t *cm, const char *barcode, int c)
{
    int64_t r = dorm_strmap_get(&cm->row_of, barcode);
    return r < 0 ? NULL : cm->values[r * cm->n_cols + c];
}

int dorm_cellmeta_keep(const cellmeta_t *cm, const char *barcode)
{
    if (cm->has_keep_list && dorm_strmap_get(&cm->keep, barcode) < 0)
        return 0;
    if (cm->keep_col >= 0) {
        const char *v = dorm_cellmeta_group(cm, barcode, cm->keep_col);
        return v && strcmp(v, cm->keep_value) == 0;
    }
    return 1;
}

int dorm_cellmeta_check_barcode(const char *barcode, const char *sample, int64_t cell,
                           dorm_err_t *err)
{
    if (!dorm_text_breaks_table(barcode))
        return 0;
    return dorm_err_set(err, DORM_E_FORMAT, "%s: the barcode of cell %lld holds a tab, newline or "
                        "carriage return, which no output table could hold", sample,
                        (long long)cell + 1);
}

int dorm_cellmeta_baseline(const cellmeta_t *cm, const char *barcode, const char *sample)
{
    if (!dorm_cellmeta_keep(cm, barcode))
        return 0;
    if (!cm->baseline_value)
        return 1;
    const char *v = cm->baseline_col >= 0 ? dorm_cellmeta_group(cm, barcode, cm->baseline_col) : sample;
    return v && strcmp(v, cm->baseline_value) == 0;
}

/* a without a trailing "-DIGITS" (Cell Ranger's GEM well suffix): its length. */
static size_t stem_len(const char *a)
{
    size_t n = strlen(a), k = n;
    while (k > 0 && a[k - 1] >= '0' && a[k - 1] <= '9')
        k--;
    return k < n && k > 0 && a[k - 1] == '-' ? k - 1 : n;
}

/* Whether two barcodes are the same but for a suffix like -1 or a prefix
 * like SAMPLE_. */
static int nearly_same(const char *a, const char *b)
{
    size_t la = stem_len(a), lb = stem_len(b);
    if (la == lb && strncmp(a, b, la) == 0)
        return 1;
    size_t na = strlen(a), nb = strlen(b);
    return (na > nb && strcmp(a + na - nb, b) == 0) || (nb > na && strcmp(b + nb - na, a) == 0);
}

/* A key of m (keep_col >= 0: of a row whose value in it is value) that is
 * nearly the barcode in (or NULL); else any such key, into *example. */
static const char *near_key(const cellmeta_t *cm, const dorm_strmap_t *m, int keep_col,
                            const char *in, const char **example)
{
    *example = NULL;
    for (int64_t i = 0; i < m->cap; i++) {
        const char *k = m->key[i];
        if (!k || (keep_col >= 0 &&
                   strcmp(cm->values[m->val[i] * cm->n_cols + keep_col], cm->keep_value) != 0))
            continue;
        if (!*example)
            *example = k;
        if (in && nearly_same(k, in)) {
            *example = k;
            return k;
        }
    }
    return NULL;
}

int dorm_cellmeta_none_kept(const cellmeta_t *cm, const char *cells_path, const char *keep,
                       const char *input_barcode, dorm_err_t *err)
{
    const char *in = input_barcode ? input_barcode : "", *example;
    static const char hint[] = "; they differ by a prefix or suffix (such as -1 or SAMPLE_): "
                               "give the barcodes as the input writes them";
    if (cm->keep_col >= 0) {
        const char *near = near_key(cm, &cm->row_of, cm->keep_col, in, &example);
        if (!example) {
            const char *other = cm->n_rows > 0 ? cm->values[cm->keep_col] : "";
            return dorm_err_set(err, DORM_E_FORMAT,
                                "--keep %s: no row of --groups has '%s' in column %s (values are "
                                "compared exactly, with their case; one there: '%s')",
                                keep, cm->keep_value, cm->col_names[cm->keep_col], other);
        }
        if (!cm->has_keep_list || dorm_strmap_get(&cm->keep, example) >= 0)
            return dorm_err_set(err, DORM_E_FORMAT,
                                "--keep %s: no cell of the inputs is kept (--groups has '%s', an "
                                "input '%s')%s", keep, example, in, near ? hint : "");
    }
    const char *near = cm->has_keep_list ? near_key(cm, &cm->keep, -1, in, &example) : NULL;
    return dorm_err_set(err, DORM_E_FORMAT,
                        "--cells %s: none of its barcodes is a cell of the inputs (it lists '%s', "
                        "an input has '%s')%s", cells_path ? cells_path : "",
                        example ? example : "", in, near ? hint : "");
}

void dorm_samples_free(char **names, char **paths, int n)
{
    for (int i = 0; i < n; i++) {
        free(names[i]);
        free(paths[i]);
    }
    free(names);
    free(paths);
}

int dorm_samples_read(const char *path, char ***names, char ***paths, int *n, dorm_err_t *err)
{
    *names = *paths = NULL;
    *n = 0;
    dorm_lines_t *lr;
    int rc = dorm_lines_open(&lr, path, err);
    if (rc < 0)
        return rc;
    char *line, *f[3];
    size_t len;
    int64_t cap = 0;
    dorm_strmap_t seen;
    dorm_strmap_init(&seen);
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        if (len == 0 || line[0] == '#')
            continue;
        long ln = (long)dorm_lines_number(lr);
        int k = dorm_split_tabs(line, f, 3);
        if (k != 2 || !*f[0] || !*f[1]) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: expected sample<TAB>path", path, ln);
            break;
        }
        if (*n == 0 && strcmp(f[0], "sample") == 0 && strcmp(f[1], "path") == 0)
            continue;
        int put = dorm_strmap_put(&seen, f[0], *n);
        if (put <= 0) {
            rc = put < 0 ? dorm_err_nomem(err)
                         : dorm_err_set(err, DORM_E_FORMAT, "%s line %ld: sample %s appears twice",
                                        path, ln, f[0]);
            break;
        }
        void *const arrays[] = {names, paths};
        const size_t sizes[] = {sizeof **names, sizeof **paths};
        if (dorm_grow_all(arrays, sizes, 2, &cap, *n + 1, 16) < 0) {
            rc = dorm_err_nomem(err);
            break;
        }
        (*names)[*n] = strdup(f[0]);
        (*paths)[*n] = strdup(f[1]);
        (*n)++;
        if (!(*names)[*n - 1] || !(*paths)[*n - 1]) {
            rc = dorm_err_nomem(err);
            break;
        }
    }
    if (rc == 0 && *n == 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no samples", path);
    dorm_lines_close(lr);
    dorm_strmap_destroy(&seen);
    if (rc < 0) {
        dorm_samples_free(*names, *paths, *n);
        *names = *paths = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}
