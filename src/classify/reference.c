/* reference.c -- populations of a reference, their gene means, and the
 * baselines that turn a cell's deviations into scores.
 *
 * Two levels, both estimated over the reference cells of a population:
 *  - a component's deviation d (its members' mean deviation from their
 *    reference means against random genes, score/module_score.c) has a
 *    within-cell null variance V, and varies between cells of the reference
 *    beyond it (cell size, cycle, stress; in bulk profiles almost all of its
 *    variation).  As in a random-effects meta-analysis, tau2 = S^2 - median V
 *    (S: 1.4826 x the MAD of d) is that between-cell variance, and the
 *    component's score is (d - median d) / sqrt(V + tau2);
 *  - a programme's raw evidence combines its components' scores (Stouffer).
 *    Components of one programme move together, so the raw evidence of the
 *    reference's own cells spreads wider than 1 (Strube's correction for
 *    correlated tests, estimated): a cell's score is its distance from their
 *    median in units of their spread (1.4826 MAD: the standard deviation for
 *    normal data, robust to a minority of reference cells in the state).
 *    The spread is never taken below 1, the null's own unit, and sqrt(1 +
 *    1/n) widens it for a centre taken from n cells (the prediction interval
 *    of a new observation).
 * Cycling has neither level: it is judged in the cell (dorm_reference_evidence). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "core/stats.h"
#include "core/strmap.h"
#include "dormscan/reference.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int dorm_reference_new(dorm_reference_t **out, int64_t n_genes, char *const *ids,
                       char *const *names, int n_pops, char *const *pop_names, dorm_err_t *err)
{
    *out = NULL;
    dorm_reference_t *r = calloc(1, sizeof *r);
    if (!r)
        return dorm_err_nomem(err);
    r->n_bins = 24;
    r->scale_factor = 1e4;
    r->n_genes = n_genes;
    r->n_pops = n_pops;
    size_t ng = (size_t)(n_genes ? n_genes : 1), np = (size_t)(n_pops ? n_pops : 1);
    r->gene_ids = calloc(ng, sizeof *r->gene_ids);
    r->gene_names = calloc(ng, sizeof *r->gene_names);
    r->pop_names = calloc(np, sizeof *r->pop_names);
    r->pop_cells = calloc(np, sizeof *r->pop_cells);
    r->means = calloc(ng * np, sizeof *r->means);
    r->baseline = calloc(np * DORM_N_EVIDENCE, sizeof *r->baseline);
    dorm_components(&r->n_comp);
    r->component = calloc(np * (size_t)r->n_comp, sizeof *r->component);
    int ok = r->gene_ids && r->gene_names && r->pop_names && r->pop_cells && r->means &&
             r->baseline && r->component;
    for (int64_t g = 0; ok && g < n_genes; g++)
        ok = (r->gene_ids[g] = dup_str(ids[g])) && (r->gene_names[g] = dup_str(names[g]));
    for (int p = 0; ok && p < n_pops; p++)
        ok = (r->pop_names[p] = dup_str(pop_names[p])) != NULL;
    for (int k = 0; ok && k < n_pops * DORM_N_EVIDENCE; k++)
        r->baseline[k] = (dorm_baseline_t){0, NAN, NAN};
    for (int k = 0; ok && k < n_pops * r->n_comp; k++)
        r->component[k] = (dorm_comp_baseline_t){0, NAN, NAN};
    if (!ok) {
        dorm_reference_destroy(r);
        return dorm_err_nomem(err);
    }
    *out = r;
    return 0;
}

void dorm_reference_destroy(dorm_reference_t *r)
{
    if (!r)
        return;
    for (int64_t g = 0; g < r->n_genes; g++) {
        if (r->gene_ids)
            free(r->gene_ids[g]);
        if (r->gene_names)
            free(r->gene_names[g]);
    }
    for (int p = 0; r->pop_names && p < r->n_pops; p++)
        free(r->pop_names[p]);
    free(r->gene_ids);
    free(r->gene_names);
    free(r->pop_names);
    free(r->pop_cells);
    free(r->means);
    free(r->baseline);
    free(r->component);
    free(r->celltype);
    free(r->built_from);
    free(r);
}

int dorm_reference_pop(const dorm_reference_t *r, const char *type)
{
    if (!r->celltype)
        return 0;
    const char *t = type ? type : "NA";
    for (int p = 1; p < r->n_pops; p++)
        if (strcmp(r->pop_names[p], t) == 0)
            return p;
    return -1;
}

/* Reference genes by one key: an open-addressing table of indices, -2
 * for a key that several genes share (not usable alone). */
typedef struct gene_table_t {
    int64_t *slot, cap;
    char **key;      /* the reference's key strings (borrowed) */
} gene_table_t;

static int64_t *table_find(const gene_table_t *t, const char *k)
{
    int64_t i = (int64_t)(dorm_str_hash(k) & (uint64_t)(t->cap - 1));
    while (t->slot[i] != -1) {
        int64_t g = t->slot[i] < 0 ? -t->slot[i] - 3 : t->slot[i];
        if (strcmp(t->key[g], k) == 0)
            return &t->slot[i];
        i = (i + 1) & (t->cap - 1);
    }
    return &t->slot[i];
}

/* Slots: -1 empty, g >= 0 gene g, -3 - g a key first held by gene g and
 * then by another one. */
static int table_build(gene_table_t *t, char **key, int64_t n)
{
    t->cap = 16;
    while (t->cap < 2 * (n + 1))
        t->cap *= 2;
    t->key = key;
    if (!(t->slot = malloc((size_t)t->cap * sizeof *t->slot)))
        return -1;
    for (int64_t i = 0; i < t->cap; i++)
        t->slot[i] = -1;
    for (int64_t g = 0; g < n; g++) {
        int64_t *s = table_find(t, key[g]);
        if (*s == -1)
            *s = g;
        else if (*s >= 0)
            *s = -3 - *s;
    }
    return 0;
}

/* The gene of key k, or -1 (absent, or shared by several genes). */
static int64_t table_get(const gene_table_t *t, const char *k)
{
    int64_t s = *table_find(t, k);
    return s >= 0 ? s : -1;
}

char **dorm_gene_keys(char *const *ids, char *const *names, int64_t n)
{
    char **key = calloc((size_t)(n ? n : 1), sizeof *key);
    int64_t *seen = calloc((size_t)(n ? n : 1), sizeof *seen); /* per first gene of a pair */
    char **pair = calloc((size_t)(n ? n : 1), sizeof *pair);
    dorm_strmap_t first;
    dorm_strmap_init(&first);
    int ok = key && seen && pair;
    for (int64_t g = 0; ok && g < n; g++) {
        size_t a = strlen(ids[g]), b = strlen(names[g]);
        ok = (pair[g] = malloc(a + b + 2)) != NULL;
        if (!ok)
            break;
        memcpy(pair[g], ids[g], a);
        pair[g][a] = '\t';
        memcpy(pair[g] + a + 1, names[g], b + 1);
        ok = dorm_strmap_put(&first, pair[g], g) >= 0;
        int64_t f0 = ok ? dorm_strmap_get(&first, pair[g]) : 0;
        size_t len = a + b + 24;
        ok = ok && (key[g] = malloc(len)) != NULL;
        if (ok)
            snprintf(key[g], len, "%s\t%lld", pair[g], (long long)seen[f0]++);
    }
    dorm_strmap_destroy(&first);
    for (int64_t g = 0; pair && g < n; g++)
        free(pair[g]);
    free(pair);
    free(seen);
    if (!ok) {
        dorm_gene_keys_free(key, n);
        return NULL;
    }
    return key;
}

void dorm_gene_keys_free(char **keys, int64_t n)
{
    for (int64_t g = 0; keys && g < n; g++)
        free(keys[g]);
    free(keys);
}

void dorm_reference_means_for(const dorm_reference_t *r, int pop, const dorm_features_t *f,
                              double *out, int64_t *n_missing)
{
    const double *m = r->means + (size_t)pop * (size_t)r->n_genes;
    char **ref_keys = dorm_gene_keys(r->gene_ids, r->gene_names, r->n_genes);
    char **want = dorm_gene_keys(f->ids, f->names, f->n);
    gene_table_t t[3] = {{0}};
    char **keys[3] = {ref_keys, r->gene_ids, r->gene_names};
    int ok = ref_keys && want;
    for (int k = 0; ok && k < 3; k++)
        ok = table_build(&t[k], keys[k], r->n_genes) == 0;
    *n_missing = 0;
    for (int64_t g = 0; g < f->n; g++) {
        int64_t at = -1;
        if (ok)
            at = table_get(&t[0], want[g]);
        if (ok && at < 0)
            at = table_get(&t[1], f->ids[g]);
        if (ok && at < 0)
            at = table_get(&t[2], f->names[g]);
        for (int64_t k = 0; !ok && at < 0 && k < r->n_genes; k++) /* no memory: scan */
            if (strcmp(r->gene_ids[k], f->ids[g]) == 0 && strcmp(r->gene_names[k], f->names[g]) == 0)
                at = k;
        out[g] = at >= 0 ? m[at] : 0;
        *n_missing += at < 0;
    }
    for (int k = 0; k < 3; k++)
        free(t[k].slot);
    dorm_gene_keys_free(ref_keys, r->n_genes);
    dorm_gene_keys_free(want, f->n);
}

/* The k-th smallest of v[0..n) (0-based), v reordered (Hoare's selection). */
static double select_kth(double *v, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* The median of v[0..n), n >= 1 (the mean of the two middle values when n
 * is even); v reordered. */
static double median(double *v, int64_t n)
{
    double hi = select_kth(v, n, n / 2);
    if (n % 2)
        return hi;
    double lo = v[0]; /* the largest of the lower half, which selection left below n / 2 */
    for (int64_t i = 1; i < n / 2; i++)
        lo = v[i] > lo ? v[i] : lo;
    return (lo + hi) / 2;
}

/* 1.4826 x the median distance of v[0..n) from centre (the MAD, scaled to
 * the standard deviation of normal data); v is overwritten. */
static double robust_spread(double *v, int64_t n, double centre)
{
    for (int64_t i = 0; i < n; i++)
        v[i] = fabs(v[i] - centre);
    return 1.4826 * median(v, n);
}

void dorm_baseline_estimate(double *v, int64_t n, dorm_baseline_t *b)
{
    b->n = n;
    if (n <= 0) {
        b->centre = b->spread = NAN;
        return;
    }
    b->centre = median(v, n);
    b->spread = robust_spread(v, n, b->centre);
}

void dorm_component_baseline_estimate(double *d, double *var, int64_t n,
                                      dorm_comp_baseline_t *b)
{
    b->n = n;
    if (n <= 0) {
        b->centre = b->tau2 = NAN;
        return;
    }
    b->centre = median(d, n);
    double s = robust_spread(d, n, b->centre);
    double within = median(var, n);
    b->tau2 = s * s > within ? s * s - within : 0;
}

/* A component's score against its baseline b: (d - centre) / sqrt(var +
 * tau2), within +-DORM_Z_MAX; NaN when it cannot be scored. */
static double component_score(const dorm_comp_baseline_t *b, double d, double var)
{
    double x = d - b->centre, sd = sqrt(var + b->tau2), s;
    if (isnan(x) || isnan(sd) || b->n <= 0)
        return NAN;
    if (sd > 0)
        s = x / sd;
    else
        s = x > 0 ? DORM_Z_MAX : x < 0 ? -DORM_Z_MAX : 0;
    return s > DORM_Z_MAX ? DORM_Z_MAX : s < -DORM_Z_MAX ? -DORM_Z_MAX : s;
}

void dorm_reference_evidence(const dorm_reference_t *r, int pop, const double *dev,
                             const double *var, const double *zabs,
                             double ev_z[DORM_N_EVIDENCE], double ev_p[DORM_N_EVIDENCE])
{
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    double s[n_comp > 0 ? n_comp : 1];
    for (int k = 0; k < n_comp; k++)
        s[k] = comp[k].evidence == DORM_EV_CYCLING
                   ? zabs[k]
                   : component_score(&r->component[pop * r->n_comp + k], dev[k], var[k]);
    dorm_evidence(s, ev_z, ev_p);
}

dorm_phase_t dorm_reference_phase(const dorm_reference_t *r, int pop, const double *dev,
                                  const double *var)
{
    int n_comp;
    const dorm_component_t *comp = dorm_components(&n_comp);
    double u[n_comp > 0 ? n_comp : 1];
    for (int k = 0; k < n_comp; k++) {
        const dorm_comp_baseline_t *b = &r->component[pop * r->n_comp + k];
        double sd = sqrt(var[k] + b->tau2);
        u[k] = comp[k].phase == DORM_MARK_NONE || b->n <= 0 || isnan(dev[k]) || !(sd > 0)
                   ? NAN
                   : dev[k] / sd;
    }
    return dorm_phase_relative(u);
}

void dorm_reference_standardise(const dorm_baseline_t *b, double raw_z, double *z, double *p)
{
    if (isnan(raw_z) || b->n <= 0 || isnan(b->centre)) {
        *z = *p = NAN;
        return;
    }
    double spread = b->spread > 1 ? b->spread : 1;
    spread *= sqrt(1 + 1 / (double)b->n);
    double s = (raw_z - b->centre) / spread;
    *z = s > DORM_Z_MAX ? DORM_Z_MAX : s < -DORM_Z_MAX ? -DORM_Z_MAX : s;
    *p = dorm_norm_sf(*z);
}

void dorm_reference_digest(const dorm_reference_t *r, char hex[65])
{
    dorm_sha256_t h;
    dorm_sha256_init(&h);
    int head[3] = {(int)r->species, r->n_bins, r->normalized};
    dorm_sha256_update(&h, head, sizeof head);
    dorm_sha256_update(&h, r->panel, sizeof r->panel);
    dorm_sha256_update(&h, &r->scale_factor, sizeof r->scale_factor);
    dorm_sha256_update(&h, r->celltype ? r->celltype : "", r->celltype ? strlen(r->celltype) + 1 : 1);
    for (int p = 0; p < r->n_pops; p++) {
        dorm_sha256_update(&h, r->pop_names[p], strlen(r->pop_names[p]) + 1);
        dorm_sha256_update(&h, &r->pop_cells[p], sizeof r->pop_cells[p]);
    }
    dorm_sha256_update(&h, r->baseline, (size_t)r->n_pops * DORM_N_EVIDENCE * sizeof *r->baseline);
    dorm_sha256_update(&h, r->component, (size_t)r->n_pops * (size_t)r->n_comp * sizeof *r->component);
    for (int64_t g = 0; g < r->n_genes; g++) {
        dorm_sha256_update(&h, r->gene_ids[g], strlen(r->gene_ids[g]) + 1);
        dorm_sha256_update(&h, r->gene_names[g], strlen(r->gene_names[g]) + 1);
    }
    dorm_sha256_update(&h, r->means, (size_t)r->n_pops * (size_t)r->n_genes * sizeof *r->means);
    dorm_sha256_final_hex(&h, hex);
}
