/* sheet.c -- the sample sheet of compare: one header line naming the
 * columns (one of them "sample"), one line per sample. */
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "compare/compare_internal.h"
#include "core/text.h"
#include "io/lines.h"

void dorm_cmp_sheet_destroy(dorm_cmp_sheet_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_cols; i++)
        free(s->col[i]);
    for (size_t i = 0; i < (size_t)s->n_rows * s->n_cols; i++)
        free(s->cell[i]);
    free(s->col);
    free(s->cell);
    free(s->path);
    dorm_strmap_destroy(&s->index);
    memset(s, 0, sizeof *s);
}

int dorm_cmp_sheet_column(const dorm_cmp_sheet_t *s, const char *name)
{
    for (int i = 0; i < s->n_cols; i++)
        if (strcmp(s->col[i], name) == 0)
            return i;
    return -1;
}

enum { MAX_COLS = 1024 };

int dorm_cmp_sheet_read(dorm_cmp_sheet_t *s, const char *path, dorm_err_t *err)
{
    memset(s, 0, sizeof *s);
    dorm_strmap_init(&s->index);
    dorm_lines_t *lr = NULL;
    char *line, *f[MAX_COLS + 1]; /* (one more: too many shows) */
    size_t len;
    int rc = dorm_lines_open(&lr, path, err);
    int64_t cap = 0;
    if (rc < 0)
        goto done;
    const char *name = dorm_basename(path);
    if (!(s->path = strdup(path)))
        goto nomem;
    if ((rc = dorm_lines_next(lr, &line, &len, err)) <= 0) {
        if (rc == 0)
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s: empty file (a header line with a "
                              "'sample' column was expected)", name);
        goto done;
    }
    int nc = dorm_split_tabs(line, f, MAX_COLS + 1);
    if (nc > MAX_COLS) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s line 1: more than %d columns", name, MAX_COLS);
        goto done;
    }
    if (!(s->col = calloc(nc, sizeof(char *))))
        goto nomem;
    s->n_cols = nc;
    s->sample_col = -1;
    for (int i = 0; i < nc; i++) {
        if (!(s->col[i] = strdup(f[i])))
            goto nomem;
        if (strcmp(f[i], "sample") == 0)
            s->sample_col = i;
    }
    if (s->sample_col < 0) {
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s line 1: no 'sample' column", name);
        goto done;
    }
    while ((rc = dorm_lines_next(lr, &line, &len, err)) > 0) {
        int64_t ln = dorm_lines_number(lr);
        if (len == 0)
            continue;
        int n = dorm_split_tabs(line, f, MAX_COLS + 1);
        if (n != nc) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: %d fields, the header has %d",
                              name, (long long)ln, n, nc);
            goto done;
        }
        const char *sample = f[s->sample_col];
        for (int i = 0; i < nc; i++)
            if (!*f[i]) {
                rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: empty value in column '%s'",
                                  name, (long long)ln, s->col[i]);
                goto done;
            }
        int put = dorm_strmap_put(&s->index, sample, s->n_rows);
        if (put < 0)
            goto nomem;
        if (put == 0) {
            rc = dorm_err_set(err, DORM_E_FORMAT, "%s line %lld: sample '%s' listed twice",
                              name, (long long)ln, sample);
            goto done;
        }
        if (dorm_grow(&s->cell, &cap, (int64_t)(s->n_rows + 1) * nc, sizeof *s->cell,
                      16 * (int64_t)nc) < 0)
            goto nomem;
        for (int i = 0; i < nc; i++)
            s->cell[(size_t)s->n_rows * nc + i] = NULL;
        s->n_rows++;
        for (int i = 0; i < nc; i++)
            if (!(s->cell[(size_t)(s->n_rows - 1) * nc + i] = strdup(f[i])))
                goto nomem;
    }
    if (rc == 0 && s->n_rows == 0)
        rc = dorm_err_set(err, DORM_E_FORMAT, "%s: no samples after the header", name);
    goto done;
nomem:
    rc = dorm_err_nomem(err);
done:
    dorm_lines_close(lr);
    if (rc < 0)
        dorm_cmp_sheet_destroy(s);
    return rc < 0 ? rc : 0;
}
