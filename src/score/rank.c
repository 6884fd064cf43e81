/* rank.c -- average ranks in decreasing order, and the UCell statistic. */
#include <stdlib.h>
#include <string.h>

#include "dormscan/score.h"
#include "score_internal.h"

typedef dorm_keyed_t keyed_t;

enum { SMALL_SLOTS = 64 }; /* a power of two: counts tallied apart in levels_counting */

static int cmp_desc(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Levels of small non-negative integer values (max <= 4n + 63), given as
 * doubles or, when ints is not NULL, as integers, by a histogram in count
 * (room for max + 1 slots). */
static int64_t levels_counting(const double *value, const uint32_t *ints, int64_t n, int64_t top,
                               double *rank, double *level_rank, int32_t *level_n, int64_t *count,
                               int scatter)
{
    memset(count, 0, (size_t)(top + 1) * sizeof *count);
    if (ints) {
        /* Most entries share a few small counts: four histograms, taken in
         * turn, keep consecutive increments of one slot from waiting on
         * each other; larger counts (few) go straight to count. */
        int32_t s0[SMALL_SLOTS] = {0}, s1[SMALL_SLOTS] = {0}, s2[SMALL_SLOTS] = {0},
                s3[SMALL_SLOTS] = {0};
        int64_t i = 0;
        for (; i + 4 <= n; i += 4) {
            uint32_t a = ints[i], b = ints[i + 1], c = ints[i + 2], d = ints[i + 3];
            if ((a | b | c | d) < SMALL_SLOTS) {
                s0[a]++;
                s1[b]++;
                s2[c]++;
                s3[d]++;
            } else {
                count[a]++;
                count[b]++;
                count[c]++;
                count[d]++;
            }
        }
        for (; i < n; i++)
            count[ints[i]]++;
        int64_t last = top < SMALL_SLOTS - 1 ? top : SMALL_SLOTS - 1;
        for (int64_t v = 0; v <= last; v++)
            count[v] += s0[v] + s1[v] + s2[v] + s3[v];
    } else {
        for (int64_t i = 0; i < n; i++)
            count[(int64_t)value[i]]++;
    }
    int64_t L = 0, above = 0;
    for (int64_t v = top; v >= 0; v--) {
        int64_t h = count[v];
        if (!h)
            continue;
        level_rank[L] = (double)(above + 1 + above + h) / 2.0; /* mean of ranks above+1 .. above+h */
        level_n[L] = (int32_t)h;
        count[v] = L++; /* now the value's level */
        above += h;
    }
    if (ints && !scatter)
        return L; /* count[ints[i]] is entry i's level */
    if (ints)
        for (int64_t i = 0; i < n; i++)
            rank[i] = level_rank[count[ints[i]]];
    else
        for (int64_t i = 0; i < n; i++)
            rank[i] = level_rank[count[(int64_t)value[i]]];
    return L;
}

/* Levels of any values by sorting keyed pairs (ties by index). */
static int64_t levels_sorted(const double *value, int64_t n, double *rank, double *level_rank,
                             int32_t *level_n, keyed_t *k)
{
    for (int64_t i = 0; i < n; i++)
        k[i] = (keyed_t){value[i], i};
    if (n > 1)
        qsort(k, (size_t)n, sizeof *k, cmp_desc);
    int64_t L = 0;
    for (int64_t a = 0; a < n;) {
        int64_t b = a + 1;
        while (b < n && k[b].v == k[a].v)
            b++;
        double r = (double)(a + 1 + b) / 2.0; /* mean of ranks a+1 .. b */
        for (int64_t t = a; t < b; t++)
            rank[k[t].i] = r;
        level_rank[L] = r;
        level_n[L++] = (int32_t)(b - a);
        a = b;
    }
    return L;
}

int64_t dorm_rank_levels_desc(const double *value, const uint32_t *ints, int64_t n, double *rank,
                              double *level_rank, int32_t *level_n, keyed_t *keyed, int64_t *count,
                              int *by_level)
{
    int lazy = by_level != NULL;
    if (by_level)
        *by_level = 0;
    double max = 0;
    int integral = 1;
    if (ints) {
        uint32_t t[4] = {0, 0, 0, 0}; /* four running maxima: short chains */
        int64_t i = 0;
        for (; i + 4 <= n; i += 4)
            for (int j = 0; j < 4; j++)
                t[j] = ints[i + j] > t[j] ? ints[i + j] : t[j];
        for (; i < n; i++)
            t[0] = ints[i] > t[0] ? ints[i] : t[0];
        uint32_t top = t[0] > t[1] ? t[0] : t[1], top2 = t[2] > t[3] ? t[2] : t[3];
        max = top > top2 ? top : top2;
    } else {
        for (int64_t i = 0; i < n && integral; i++) {
            integral = value[i] >= 0 && value[i] == (double)(int64_t)value[i];
            if (value[i] > max)
                max = value[i];
        }
    }
    if (count && integral && max <= (double)(4 * n + 63)) {
        if (lazy && ints)
            *by_level = 1;
        return levels_counting(value, ints, n, (int64_t)max, rank, level_rank, level_n, count,
                               !(lazy && ints));
    }
    return levels_sorted(value, n, rank, level_rank, level_n, keyed);
}

int dorm_rank_average_desc(const double *value, int64_t n, double *rank, dorm_err_t *err)
{
    size_t slots = (size_t)(n ? n : 1);
    keyed_t *k = malloc(slots * sizeof *k);
    double *level_rank = malloc(slots * sizeof *level_rank);
    int32_t *level_n = malloc(slots * sizeof *level_n);
    int rc = 0;
    if (k && level_rank && level_n)
        dorm_rank_levels_desc(value, NULL, n, rank, level_rank, level_n, k, NULL, NULL);
    else
        rc = dorm_err_nomem(err);
    free(k);
    free(level_rank);
    free(level_n);
    return rc;
}

double dorm_ucell_from_ranks(const double *rank, int n, int max_rank)
{
    if (n == 0)
        return 0;
    double sum = 0;
    int any_in = 0;
    for (int i = 0; i < n; i++) {
        any_in |= rank[i] <= max_rank;
        sum += rank[i] > max_rank ? max_rank : rank[i];
    }
    if (!any_in)
        return 0;
    double lfac = (double)n * (n + 1) / 2.0;
    return 1.0 - (sum - lfac) / ((double)n * max_rank - lfac);
}
