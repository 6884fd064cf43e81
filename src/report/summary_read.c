/* summary_read.c -- summary.tsv read back (merge's cohort mode), beside its
 * writer (summary.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dormscan/summary.h"

/* An exact decimal with up to six fraction digits, in millionths. */
static int parse_micro(const char *s, int64_t *out)
{
    int neg = *s == '-';
    s += neg;
    char *end;
    long long whole = strtoll(s, &end, 10);
    int64_t frac = 0, scale = 100000;
    if (end == s)
        return -1;
    if (*end == '.')
        for (end++; *end >= '0' && *end <= '9' && scale > 0; end++, scale /= 10)
            frac += (*end - '0') * scale;
    if (*end)
        return -1;
    *out = (neg ? -1 : 1) * ((int64_t)whole * 1000000 + frac);
    return 0;
}

static int col_index(char *const *h, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(h[i], name) == 0)
            return i;
    return -1;
}

int dorm_summary_cols_find(dorm_summary_cols_t *c, char *const *field, int n)
{
    c->n = n;
    int missing = col_index(field, n, "sample") != 0 || col_index(field, n, "grouping") != 1 ||
                  col_index(field, n, "group") != 2 || col_index(field, n, "n_cells") != 3;
    char name[64];
    for (int t = 0; t < DORM_N_STATES; t++) {
        snprintf(name, sizeof name, "n_%s", dorm_state_name((dorm_state_t)t));
        missing |= (c->state[t] = col_index(field, n, name)) < 0;
    }
    for (int q = 0; q <= DORM_N_PHASES; q++) {
        snprintf(name, sizeof name, "n_phase_%s",
                 q < DORM_N_PHASES ? dorm_phase_name((dorm_phase_t)q) : "NA");
        missing |= (c->phase[q] = col_index(field, n, name)) < 0;
    }
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        snprintf(name, sizeof name, "n_score_%s", dorm_evidence_name((dorm_evidence_t)e));
        missing |= (c->evidence_n[e] = col_index(field, n, name)) < 0;
        snprintf(name, sizeof name, "sum_score_%s", dorm_evidence_name((dorm_evidence_t)e));
        missing |= (c->evidence_sum[e] = col_index(field, n, name)) < 0;
    }
    missing |= (c->sasp = col_index(field, n, "n_sasp")) < 0;
    return missing ? -1 : 0;
}

int dorm_summary_parse_row(const dorm_summary_cols_t *c, char *const *field,
                           dorm_summary_row_t *row)
{
    memset(row, 0, sizeof *row);
    row->grouping = field[1];
    row->group = field[2];
    int ok = 1;
    char *end;
    row->n_cells = strtoll(field[3], &end, 10);
    ok &= !*end;
    for (int t = 0; t < DORM_N_STATES; t++)
        row->state[t] = strtoll(field[c->state[t]], &end, 10), ok &= !*end;
    row->sasp = strtoll(field[c->sasp], &end, 10);
    ok &= !*end;
    for (int q = 0; q <= DORM_N_PHASES; q++)
        row->phase[q] = strtoll(field[c->phase[q]], &end, 10), ok &= !*end;
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        row->evidence_n[e] = strtoll(field[c->evidence_n[e]], &end, 10);
        ok &= !*end && parse_micro(field[c->evidence_sum[e]], &row->evidence_micro[e]) == 0;
    }
    return ok ? 0 : -1;
}
