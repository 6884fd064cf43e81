/* design.c -- the design matrix of a comparison, as R's model.matrix(~0 +
 * condition + covariates) builds it for propeller.ttest, or with the first
 * column turned into the intercept for propeller.anova. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare_internal.h"

void dorm_cmp_model_destroy(dorm_cmp_model_t *m)
{
    if (!m)
        return;
    free(m->x);
    free(m->level);
    free(m->n_in_level);
    free(m->level_col);
    memset(m, 0, sizeof *m);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && !*end && !errno && isfinite(*v);
}

/* The sorted distinct values of column col over rows (pointers into the
 * sheet; caller frees the array). */
static char **distinct_values(const dorm_cmp_sheet_t *s, const int *rows, int n, int col, int *n_out)
{
    char **v = malloc(sizeof(char *) * (n > 0 ? n : 1));
    if (!v)
        return NULL;
    for (int i = 0; i < n; i++)
        v[i] = s->cell[(size_t)rows[i] * s->n_cols + col];
    qsort(v, n, sizeof *v, cmp_str);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
            v[k++] = v[i];
    *n_out = k;
    return v;
}

/* Columns a covariate adds, and whether it is numeric. */
static int covariate_width(const dorm_cmp_sheet_t *s, const int *rows, int n, int col,
                           int *numeric, char ***values, int *n_values)
{
    *numeric = 1;
    for (int i = 0; i < n && *numeric; i++) {
        double v;
        *numeric = is_number(s->cell[(size_t)rows[i] * s->n_cols + col], &v);
    }
    *values = NULL;
    if (*numeric)
        return 1;
    if (!(*values = distinct_values(s, rows, n, col, n_values)))
        return -1;
    return *n_values - 1;
}

int dorm_cmp_model_build(dorm_cmp_model_t *m, const dorm_cmp_sheet_t *s, const int *rows, int n,
                         int condition_col, const int *covariate_cols, int n_covariates,
                         char *const *levels, int n_levels, const dorm_cmp_plan_t *plan,
                         dorm_err_t *err)
{
    memset(m, 0, sizeof *m);
    m->n_samples = n;
    m->n_levels = n_levels;
    m->plan = *plan;
    m->level = malloc(sizeof(int) * (n > 0 ? n : 1));
    m->n_in_level = calloc(n_levels, sizeof(int));
    m->level_col = malloc(sizeof(int) * n_levels);
    if (!m->level || !m->n_in_level || !m->level_col)
        goto nomem;
    for (int i = 0; i < n; i++) {
        const char *v = s->cell[(size_t)rows[i] * s->n_cols + condition_col];
        char *const *hit = bsearch(&v, levels, n_levels, sizeof *levels, cmp_str);
        m->level[i] = (int)(hit - levels);
        m->n_in_level[m->level[i]]++;
    }
    int p = 0;
    for (int l = 0; l < n_levels; l++)
        m->level_col[l] = m->n_in_level[l] > 0 ? p++ : -1;
    int n_present = p;
    int width[64], numeric[64];
    char **values[64];
    int n_values[64];
    if (n_covariates > 64)
        return dorm_err_set(err, DORM_E_USAGE, "at most 64 covariates");
    for (int c = 0; c < n_covariates; c++) {
        width[c] = covariate_width(s, rows, n, covariate_cols[c], &numeric[c], &values[c],
                                   &n_values[c]);
        if (width[c] < 0) {
            while (c-- > 0)
                free(values[c]);
            goto nomem;
        }
        p += width[c];
    }
    m->n_coef = p;
    m->x = calloc((size_t)(n > 0 ? n : 1) * (p > 0 ? p : 1), sizeof(double));
    for (int i = 0; i < n && m->x; i++) {
        double *row = m->x + (size_t)i * p;
        row[m->level_col[m->level[i]]] = 1;
        if (plan->anova)
            row[0] = 1; /* the first present level's column: the intercept */
        int col = n_present;
        for (int c = 0; c < n_covariates; c++) {
            const char *v = s->cell[(size_t)rows[i] * s->n_cols + covariate_cols[c]];
            if (numeric[c]) {
                is_number(v, &row[col]);
            } else {
                for (int k = 1; k < n_values[c]; k++)
                    row[col + k - 1] = strcmp(v, values[c][k]) == 0;
            }
            col += width[c];
        }
    }
    for (int c = 0; c < n_covariates; c++)
        free(values[c]);
    if (!m->x)
        goto nomem;
    /* what can be tested */
    m->thin_level = -1;
    for (int l = 0; l < n_levels && m->thin_level < 0; l++)
        if ((plan->anova || l == plan->a || l == plan->b) && m->n_in_level[l] < 2)
            m->thin_level = l;
    if (m->thin_level >= 0)
        m->untestable = "fewer than two samples in a condition";
    else if (n <= p)
        m->untestable = "no residual degrees of freedom (as many coefficients as samples)";
    return 0;
nomem:
    dorm_cmp_model_destroy(m);
    return dorm_err_nomem(err);
}
