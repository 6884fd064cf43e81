/* baseline.c -- a reference's baselines from records on disk.
 *
 * Baselines are medians and spreads, so every value of a population must be
 * at hand: the values of a few items (components or programmes) at a time
 * are read out of the records, grouped by population, within a memory
 * budget; the records stay on disk. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline_internal.h"

static int io_error(dorm_err_t *err, const char *path, const char *what)
{
    return dorm_err_set(err, DORM_E_IO, "%s: %s: %s", path, what,
                        errno ? strerror(errno) : "I/O error");
}

/* The population of a record, or -1. */
static int pop_of(const double *rec, const record_cols_t *c, int n_pops)
{
    double p = rec[c->pop];
    return p >= 0 && p < n_pops ? (int)p : -1;
}

/* What is collected: n_items items of width 1 (programmes: the raw z) or 2
 * (components: the deviation and its variance). */
typedef struct items_t {
    int n_items, width;
    int offset;     /* item 0 is component or programme number offset */
    int first;      /* column of item 0's first value */
    int second;     /* column of item 0's second value (width 2) */
    dorm_reference_t *ref;
} items_t;

static void estimate(const items_t *it, int pop, int item, double *a, double *b, int64_t n)
{
    dorm_reference_t *r = it->ref;
    item += it->offset;
    if (it->width == 1)
        dorm_baseline_estimate(a, n, &r->baseline[pop * DORM_N_EVIDENCE + item]);
    else
        dorm_component_baseline_estimate(a, b, n, &r->component[pop * r->n_comp + item]);
}

/* A growable array of doubles. */
typedef struct vec_t {
    double *v;
    int64_t n, cap;
} vec_t;

static int vec_push(vec_t *a, double x)
{
    if (a->n == a->cap) {
        int64_t cap = a->cap ? 2 * a->cap : 1024;
        double *v = realloc(a->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return 0;
}

/* Items [i0, i0 + k) of n records: in one read, the values of every
 * population and item (x, and y for width 2), then each group's baseline.
 * Population 0's arrays hold n values from the start (no growth); the
 * types' grow, but hold n in all. */
static int collect_pass(FILE *f, const char *path, const record_cols_t *c, const items_t *it,
                        int i0, int k, int64_t n, double *rec, dorm_err_t *err)
{
    int P = it->ref->n_pops, w = it->width, n_vec = P * k * w;
    vec_t *vec = calloc((size_t)n_vec, sizeof *vec);
    if (!vec)
        return dorm_err_nomem(err);
    int rc = 0;
    for (int i = 0; !it->ref->celltype && i < k * w; i++) /* population 0: vec[0 .. k w) */
        if (n > 0 && !(vec[i].v = malloc((size_t)n * sizeof *vec[i].v)))
            rc = dorm_err_nomem(err);
        else
            vec[i].cap = n;
    rewind(f);
    errno = 0;
    while (rc == 0 && fread(rec, sizeof *rec, (size_t)c->rec_len, f) == (size_t)c->rec_len) {
        if (c->skip >= 0 && rec[c->skip] != 0)
            continue;
        int p = pop_of(rec, c, P);
        for (int j = 0; rc == 0 && j < k; j++) {
            double x = rec[it->first + i0 + j], y = w == 2 ? rec[it->second + i0 + j] : 0;
            if (isnan(x) || isnan(y))
                continue;
            for (int q = 0; rc == 0 && q < 2; q++) { /* population 0, then the cell's own */
                if (q == 0 && it->ref->celltype)
                    continue; /* cells are judged against their type alone */
                int pp = q == 0 ? 0 : p;
                if (q == 1 && pp <= 0)
                    break;
                vec_t *a = &vec[(pp * k + j) * w];
                if (vec_push(a, x) < 0 || (w == 2 && vec_push(a + 1, y) < 0))
                    rc = dorm_err_nomem(err);
            }
        }
    }
    if (rc == 0 && ferror(f))
        rc = io_error(err, path, "read failed");
    for (int i = 0; rc == 0 && i < P * k; i++)
        estimate(it, i / k, i0 + i % k, vec[i * w].v, w == 2 ? vec[i * w + 1].v : NULL,
                 vec[i * w].n);
    for (int i = 0; i < n_vec; i++)
        free(vec[i].v);
    free(vec);
    return rc;
}

static int collect(FILE *f, const char *path, const record_cols_t *c, const items_t *it,
                   int64_t budget, dorm_err_t *err)
{
    double *rec = malloc((size_t)c->rec_len * sizeof *rec);
    if (!rec)
        return dorm_err_nomem(err);
    int64_t n = 0;
    errno = 0;
    if (fflush(f) != 0) {
        free(rec);
        return io_error(err, path, "write failed");
    }
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f) / (int64_t)(sizeof(double) * (size_t)c->rec_len);
    /* a record adds one value per item and width to population 0, or (cell
     * types) to its type's arrays, which grow by doubling: twice that */
    int64_t per = budget / ((it->ref->celltype ? 16 : 8) * it->width * (n > 0 ? n : 1));
    int k = per < 1 ? 1 : per > it->n_items ? it->n_items : (int)per;
    int rc = 0;
    for (int i0 = 0; rc == 0 && i0 < it->n_items; i0 += k)
        rc = collect_pass(f, path, c, it, i0, i0 + k > it->n_items ? it->n_items - i0 : k, n, rec,
                          err);
    free(rec);
    rewind(f);
    return rc;
}

int dorm_component_baselines(FILE *f, const char *path, const record_cols_t *c, dorm_reference_t *ref,
                        int64_t budget, dorm_err_t *err)
{
    /* every component: the cycle's (S, G2/M) place a cell's phase */
    items_t it = {DORM_N_COMPONENTS, 2, 0, c->comp, c->comp + DORM_N_COMPONENTS, ref};
    return collect(f, path, c, &it, budget, err);
}

int dorm_programme_baselines(FILE *f, const char *path, const record_cols_t *c, dorm_reference_t *ref,
                        int64_t budget, dorm_err_t *err)
{
    /* the dormancy programmes: cycling, programme 0, is judged in the cell */
    items_t it = {DORM_N_EVIDENCE - 1, 1, 1, c->ev_z + 1, -1, ref};
    return collect(f, path, c, &it, budget, err);
}

#define MAP_BLOCK 1024 /* records rewritten at a time */

/* Rewrite every record of f in place through fn. */
static int records_map(FILE *f, const char *path, int rec_len,
                       void (*fn)(double *rec, const void *ctx), const void *ctx, dorm_err_t *err)
{
    size_t len = (size_t)rec_len;
    double *block = malloc(MAP_BLOCK * len * sizeof *block);
    if (!block)
        return dorm_err_nomem(err);
    int rc = 0;
    errno = 0;
    if (fflush(f) != 0) {
        free(block);
        return io_error(err, path, "write failed");
    }
    rewind(f);
    for (;;) {
        long start = ftell(f);
        size_t n = fread(block, sizeof *block * len, MAP_BLOCK, f);
        if (n == 0) {
            if (ferror(f))
                rc = io_error(err, path, "read failed");
            break;
        }
        for (size_t i = 0; i < n; i++)
            fn(block + i * len, ctx);
        if (fseek(f, start, SEEK_SET) != 0 || fwrite(block, sizeof *block * len, n, f) != n ||
            fflush(f) != 0) {
            rc = io_error(err, path, "write failed");
            break;
        }
        if (n < MAP_BLOCK)
            break;
    }
    free(block);
    rewind(f);
    return rc;
}

typedef struct map_ctx_t {
    const record_cols_t *c;
    const dorm_reference_t *ref;
    int64_t min_cells;
} map_ctx_t;

static void evidence_of(double *rec, const void *ctx)
{
    const map_ctx_t *m = ctx;
    const record_cols_t *c = m->c;
    int p = pop_of(rec, c, m->ref->n_pops);
    const double *block = rec + c->comp;
    if (p < 0) {
        for (int e = 0; e < DORM_N_EVIDENCE; e++)
            rec[c->ev_z + e] = rec[c->ev_p + e] = NAN;
    } else {
        dorm_reference_evidence(m->ref, p, block, block + DORM_N_COMPONENTS,
                                block + 2 * DORM_N_COMPONENTS, rec + c->ev_z, rec + c->ev_p);
    }
    if (c->phase >= 0)
        rec[c->phase] = p >= 0 ? dorm_reference_phase(m->ref, p, block, block + DORM_N_COMPONENTS)
                               : DORM_N_PHASES;
}

int dorm_records_evidence(FILE *f, const char *path, const record_cols_t *c,
                     const dorm_reference_t *ref, dorm_err_t *err)
{
    map_ctx_t m = {c, ref, 0};
    return records_map(f, path, c->rec_len, evidence_of, &m, err);
}

static void standardise(double *rec, const void *ctx)
{
    const map_ctx_t *m = ctx;
    const record_cols_t *c = m->c;
    int p = pop_of(rec, c, m->ref->n_pops);
    if (p >= 0 && m->ref->pop_cells[p] < m->min_cells)
        p = -1;
    for (int e = 0; e < DORM_N_EVIDENCE; e++) {
        if (p < 0)
            rec[c->ev_z + e] = rec[c->ev_p + e] = NAN;
        else if (e != DORM_EV_CYCLING) /* (judged in the cell itself) */
            dorm_reference_standardise(&m->ref->baseline[p * DORM_N_EVIDENCE + e],
                                       rec[c->ev_z + e], &rec[c->ev_z + e], &rec[c->ev_p + e]);
    }
}

int dorm_records_standardise(FILE *f, const char *path, const record_cols_t *c,
                        const dorm_reference_t *ref, int64_t min_cells, dorm_err_t *err)
{
    map_ctx_t m = {c, ref, min_cells};
    return records_map(f, path, c->rec_len, standardise, &m, err);
}
